# The production image: one image, three roles chosen by its command (see deploy/compose.yaml):
#   hippique serve code-server   gRPC code server of hippique_assets.definitions; the runs execute here
#   hippique serve webserver     dagster-webserver on the workspace that points at the code server
#   hippique serve daemon        dagster-daemon (schedules, sensors, run queue, monitoring, retries)
# and the one-shot deploy step `hippique serve migrate` (tables' migrations, then Dagster's schema).
# Each checks the variables it needs and stops with one line naming a missing one; no secret is in
# the image (they come from the environment at run time).
# It holds the product alone, installed exactly as uv.lock says: not hippique-replay (replay/), not
# the embedded PostgreSQL (the `embedded` extra), not the test tools (the `dev` extra).

# The base image: the official one; where it cannot be pulled, a stand-in of the same layout
# (deploy/image/make-base.sh, used by the suite's image test).
ARG BASE_IMAGE=python:3.11-slim

# Two stages, laid out so that an edit of the product rebuilds the product alone:
# - build: the product alone (no dependency), built and installed as a wheel; what it installed is
#   gathered in /product;
# - the image: the third-party dependencies installed in place, in a layer that changes only with
#   pyproject.toml and the lock, then /product on top. (Copying a venv of 850 MB from another stage
#   would add a layer of its whole size to every build, and checking such a copy against the build
#   cache reads all of it.)
# uv itself lives in /tmp for the length of the RUN that installs the dependencies: it is in no layer
# of the image.
ARG UV_VERSION=0.13.9

FROM ${BASE_IMAGE} AS build

ARG UV_VERSION
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11

RUN pip install --no-cache-dir uv==${UV_VERSION}

WORKDIR /src
# README.md is the package's long description. The workspace's other project file (replay/) is read
# for the workspace's sources; nothing of replay/ is installed.
COPY pyproject.toml README.md ./
COPY replay/pyproject.toml replay/
COPY hippique_assets ./hippique_assets
# The product as a regular (non-editable) package, without its dependencies, into an empty venv at the
# image's path, bytecode compiled; then gathered in /product, laid out as in /opt/venv: the package,
# its .dist-info and the `hippique` script. The build fails if the package's RECORD lists any other
# file, which would otherwise be left out of the image.
RUN uv venv --quiet /opt/venv \
    && uv pip install --quiet --no-deps --no-cache --python /opt/venv/bin/python . \
    && cd /opt/venv/lib/python3.11/site-packages \
    && ! grep -v -e '^hippique_assets/' -e '^hippique_assets-[^/]*\.dist-info/' -e '^\.\./\.\./\.\./bin/hippique,' \
        hippique_assets-*.dist-info/RECORD \
    && mkdir -p /product/lib/python3.11/site-packages /product/bin \
    && cp -a hippique_assets hippique_assets-*.dist-info /product/lib/python3.11/site-packages/ \
    && cp -a /opt/venv/bin/hippique /product/bin/


FROM ${BASE_IMAGE}

# DAGSTER_DISABLE_TELEMETRY: `hippique serve` sets it for the program it becomes; here it also covers
# Dagster programs started otherwise (the Helm chart's commands, `docker exec ... dagster`). Without
# it the webserver and the daemon upload $DAGSTER_HOME/logs, whatever dagster.yaml says.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    DAGSTER_HOME=/opt/dagster/home \
    DAGSTER_DISABLE_TELEMETRY=1 \
    HIPPIQUE_ENV=prod

RUN useradd --create-home --uid 10001 hippique

# The workspace's project files and the lock: --locked checks the lock against both pyproject.toml
# (of replay/ only its pyproject.toml, for that check; nothing of it is installed). They stay in this
# small layer of their own; the next one removes them from the file system.
COPY pyproject.toml uv.lock /tmp/project/
COPY replay/pyproject.toml /tmp/project/replay/
# The third-party dependencies, exactly as uv.lock says (bytecode compiled): this layer changes only
# with pyproject.toml and the lock.
# Then what nothing imports at run time goes (the venv was 1,073 MB, see deploy/README.md): the Google
# API discovery documents (110 MB; dagster-gcp's dataproc/bigquery clients, which the product does not
# use, would fetch them), the test suites of the scientific libraries and pyarrow's C++ headers and
# Cython sources; the libraries that remain are imported once to prove it. uv, its lock file and
# matplotlib's font cache of that import go with the rest of /tmp.
ARG UV_VERSION
RUN pip install --no-cache-dir --quiet --target /tmp/uv uv==${UV_VERSION} \
    && cd /tmp/project \
    && UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never UV_PYTHON=/usr/local/bin/python3.11 \
        UV_PROJECT_ENVIRONMENT=/opt/venv \
        /tmp/uv/bin/uv sync --locked --no-dev --no-install-workspace --no-cache \
    && cd /opt/venv/lib/python3.11/site-packages \
    && rm -rf googleapiclient/discovery_cache/documents pyarrow/include pyarrow/src \
        pandas/tests pyarrow/tests matplotlib/tests \
    && find numpy scipy -type d -name tests -prune -exec rm -rf {} + \
    && find pyarrow \( -name "*.pyx" -o -name "*.pxd" -o -name "*.pxi" -o -name "*.h" -o -name "*.cc" \) -delete \
    && MPLCONFIGDIR=/tmp/matplotlib /opt/venv/bin/python -c "import pandas, pyarrow.parquet, scipy.stats, \
scipy.optimize, numpy, matplotlib.pyplot, googleapiclient.discovery, dagster_gcp, dagster_k8s, adbc_driver_postgresql" \
    && rm -rf /tmp/uv /tmp/uv-*.lock /tmp/project /tmp/matplotlib
# The product (a layer of a few MB: the only one that an edit of the product changes, with the ones
# below).
COPY --from=build /product/ /opt/venv/

WORKDIR /opt/dagster/app
# The workspace of the webserver and the daemon: the code server over gRPC (DAGSTER_CODE_SERVER_*).
COPY deploy/workspace.yaml ./workspace.yaml
# Production instance: Postgres storage (DAGSTER_PG_*), queue limits, run monitoring and retries,
# tick retention, compute logs in GCS (DAGSTER_COMPUTE_LOGS_*).
COPY deploy/dagster.yaml "$DAGSTER_HOME"/dagster.yaml
# The configuration is root's and read-only for the runtime user (it could otherwise point the
# instance elsewhere); Dagster writes only under storage/ and logs/ of its home.
RUN chmod 0444 "$DAGSTER_HOME"/dagster.yaml workspace.yaml \
    && install -d -o hippique -g hippique "$DAGSTER_HOME"/storage "$DAGSTER_HOME"/logs
USER hippique

# Code server, webserver.
EXPOSE 4000 3000
# Dagster's programs shut down cleanly on SIGINT (`hippique serve` execs them: they are the process).
STOPSIGNAL SIGINT
# The role's own check: gRPC health of the code server, /server_info of the webserver, the daemon's
# heartbeats in the instance storage (`hippique health` reads the role `hippique serve` recorded).
HEALTHCHECK --interval=30s --timeout=20s --start-period=90s --retries=3 CMD ["hippique", "health"]
# No role by default: the command names one (`hippique serve webserver`, ...), and the code server and
# the webserver listen on all interfaces only when HIPPIQUE_LISTEN_HOST says so (loopback otherwise),
# so a bare `docker run -p 3000:3000 IMAGE` publishes no unauthenticated UI.
CMD ["hippique", "serve", "--help"]
