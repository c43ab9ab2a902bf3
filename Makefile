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
PORT        ?= 3000

.PHONY: venv demo test lint format validate bench dev clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	@if command -v uv >/dev/null 2>&1; then \
		uv venv --quiet --allow-existing --python $(PYTHON) $(VENV) && \
		uv pip install --quiet --python $(PY) --compile-bytecode -e '.[dev]'; \
	else \
		$(PYTHON) -m venv $(VENV) && $(PY) -m pip install --quiet -e '.[dev]'; \
	fi
	@touch $(STAMP)

demo: venv
	$(VENV)/bin/hippique demo --date $(DEMO_DATE) --seed $(DEMO_SEED)

test: venv
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check hippique_assets hippique_assets_tests $(wildcard benchmarks)
	$(VENV)/bin/ruff format --check hippique_assets hippique_assets_tests $(wildcard benchmarks)

# Loads the code location the way the webserver and the daemon do (DAGSTER_HOME unset: the local
# instance configuration in ./dagster.yaml, in a temporary folder).
validate: venv
	env -u DAGSTER_HOME $(VENV)/bin/dagster definitions validate -w workspace.yaml

format: venv
	$(VENV)/bin/ruff format hippique_assets hippique_assets_tests benchmarks
	$(VENV)/bin/ruff check --fix hippique_assets hippique_assets_tests benchmarks

bench: venv
	$(PY) benchmarks/bench_bulk_load.py
	$(PY) benchmarks/bench_day.py
	$(PY) benchmarks/bench_sensor.py
	$(PY) benchmarks/bench_generator.py
	$(PY) benchmarks/bench_daemon_ingest.py
	$(PY) benchmarks/bench_race_day.py

dev: venv
	$(VENV)/bin/hippique dev --port $(PORT)

clean:
	rm -rf $(VENV) .hippique .pytest_cache .ruff_cache
