# Image for the webserver, the daemon and the run workers (same image, different commands).
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DAGSTER_HOME=/opt/dagster/home \
    HIPPIQUE_ENV=prod

RUN pip install --no-cache-dir uv==0.13.9

WORKDIR /opt/dagster/app
COPY pyproject.toml README.md ./
COPY hippique_assets ./hippique_assets
RUN uv pip install --system --compile-bytecode --no-cache . \
    && mkdir -p "$DAGSTER_HOME"
COPY dagster.yaml "$DAGSTER_HOME"/dagster.yaml
COPY workspace.yaml ./

RUN useradd --create-home --uid 10001 hippique && chown -R hippique "$DAGSTER_HOME"
USER hippique

EXPOSE 3000
# The daemon runs the same image with: dagster-daemon run -w workspace.yaml
CMD ["dagster-webserver", "-h", "0.0.0.0", "-p", "3000", "-w", "workspace.yaml"]
