# Production image for the webserver, the daemon and the run workers (same image, different commands).
# It holds the product alone, installed exactly as uv.lock says: not hippique-replay (replay/), not
# the embedded PostgreSQL (the `embedded` extra), not the test tools (the `dev` extra).

FROM python:3.11-slim AS build

ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PROJECT_ENVIRONMENT=/opt/venv

RUN pip install --no-cache-dir uv==0.13.9

WORKDIR /src
# The workspace's project files and the lock: --locked checks the lock against both pyproject.toml.
# Of replay/ only its pyproject.toml is copied, for that check; nothing of it is installed.
COPY pyproject.toml uv.lock README.md ./
COPY replay/pyproject.toml replay/
# Third-party dependencies first: this layer changes only with the lock.
RUN uv sync --locked --no-dev --no-install-workspace --no-cache
COPY hippique_assets ./hippique_assets
# The product as a regular (non-editable) package: the image needs no source tree.
RUN uv sync --locked --no-dev --no-editable --no-cache


FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    DAGSTER_HOME=/opt/dagster/home \
    HIPPIQUE_ENV=prod

RUN useradd --create-home --uid 10001 hippique
COPY --from=build /opt/venv /opt/venv

WORKDIR /opt/dagster/app
COPY workspace.yaml ./
# Production instance: runs, events and schedules in Postgres (DAGSTER_PG_* variables).
COPY deploy/dagster.yaml "$DAGSTER_HOME"/dagster.yaml
RUN chown -R hippique "$DAGSTER_HOME"
USER hippique

EXPOSE 3000
# The daemon runs the same image with: dagster-daemon run -w workspace.yaml
CMD ["dagster-webserver", "-h", "0.0.0.0", "-p", "3000", "-w", "workspace.yaml"]
