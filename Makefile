# Two commands do all the set-up on a fresh machine:
#   make demo   creates the virtualenv, replays a generated racing day on loopback and ingests it end to end
#   make test   the whole test suite (needs the machine's Postgres on 127.0.0.1:5432, see README)

VENV        ?= .venv
PYTHON      ?= python3
PY          := $(VENV)/bin/python
STAMP       := $(VENV)/.installed
DEMO_DATE   ?= 2026-03-23
DEMO_SEED   ?= 7
PYTEST_ARGS ?=
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 3 )))
PORT        ?= 3000
UV_VERSION  ?= 0.13.9
LINTED      := hippique_assets hippique_assets_tests replay benchmarks

.PHONY: venv demo test lint format validate bench bench-smoke dev clean image-base test-image

venv: $(STAMP)

# Installs exactly what uv.lock says (the product, the dev extra: hippique-replay from replay/, the
# embedded PostgreSQL, the test and lint tools), into an existing $(VENV) when there is one. A machine
# without uv gets it from PyPI with pip first. After editing a pyproject.toml, `uv lock` updates the
# lock; --locked refuses a lock that no longer matches them.
$(STAMP): pyproject.toml replay/pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 \
		|| $(PYTHON) -m pip install --quiet 'uv==$(UV_VERSION)'
	@UV="$$(command -v uv || echo '$(PYTHON) -m uv')"; \
		$$UV venv --quiet --allow-existing --python $(PYTHON) $(VENV) && \
		UV_PROJECT_ENVIRONMENT=$(VENV) $$UV sync --quiet --locked --extra dev --compile-bytecode --python $(PY)
	@touch $(STAMP)

demo: venv
	$(VENV)/bin/hippique demo --date $(DEMO_DATE) --seed $(DEMO_SEED)

# One worker per core plus three (pytest-xdist): the three days played on the daemon spend most of
# their wall time waiting for a simulated clock, so on two cores the other workers keep both cores
# busy (573 s with five workers against 604 s with four, when it was measured). The suite is then
# bound by the played days, one after the other (the daemon-restart day ends about 490 s after the
# start: 504-518 s of pytest, 527 s with coverage), or on a slower machine by the CPU (1,100 CPU s
# took 586 s). A module stays on one worker, so a day played for a module is played once.
# TEST_WORKERS=0 runs in this process (for -x, --pdb and -s).
# The packages' bytecode is written first: with PYTHONDONTWRITEBYTECODE set, every process the suite
# starts (runs, code servers, daemons, commands) would compile them again.
test: venv
	$(VENV)/bin/python -m compileall -q -j 0 hippique_assets replay/hippique_replay >/dev/null
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

# ruff, then mypy on the product and the replay world (configuration in pyproject.toml).
lint: venv
	$(VENV)/bin/ruff check $(LINTED)
	$(VENV)/bin/ruff format --check $(LINTED)
	$(VENV)/bin/mypy

# Loads the code location the way the webserver and the daemon do (DAGSTER_HOME unset: the local
# instance configuration in ./dagster.yaml, in a temporary folder), then as `dg` does from [tool.dg].
validate: venv
	env -u DAGSTER_HOME $(VENV)/bin/dagster definitions validate -w workspace.yaml
	env -u DAGSTER_HOME VIRTUAL_ENV=$(abspath $(VENV)) $(VENV)/bin/dg check defs

format: venv
	$(VENV)/bin/ruff format $(LINTED)
	$(VENV)/bin/ruff check --fix $(LINTED)

bench: venv
	$(PY) benchmarks/bench_bulk_load.py
	$(PY) benchmarks/bench_day.py
	$(PY) benchmarks/bench_sensor.py
	$(PY) benchmarks/bench_instance.py
	$(PY) benchmarks/bench_generator.py
	$(PY) benchmarks/bench_daemon_ingest.py
	$(PY) benchmarks/bench_race_day.py
	$(PY) benchmarks/bench_season.py
	$(PY) benchmarks/bench_history_scale.py

# Every benchmark once on tiny sizes (about 2 min): a benchmark that no longer runs fails CI.
bench-smoke: venv
	$(PY) benchmarks/smoke.py

# The production image on these machines: a Debian stand-in for python:3.11-slim (cached), then the
# slow test that builds the Dockerfile with podman and runs every role as a container.
image-base:
	deploy/image/make-base.sh

test-image: venv
	$(VENV)/bin/pytest hippique_assets_tests/deployed/test_image.py hippique_assets_tests/deployed/test_compose.py -s

dev: venv
	$(VENV)/bin/hippique dev --port $(PORT)

clean:
	@# The embedded PostgreSQL must not lose its data folder while it runs.
	@if [ -x $(VENV)/bin/hippique ]; then $(VENV)/bin/hippique db stop; fi
	rm -rf $(VENV) .hippique .pytest_cache .ruff_cache
