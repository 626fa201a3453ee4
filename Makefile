# Satu Pekerja — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DAGSTER_HOME := $(CURDIR)/.dagster_home

.PHONY: run test check lint typecheck imports defs dev serve translations venv sample clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Satu Pekerja needs Python 3.11 or newer (found " + sys.version.split()[0] + ")")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

$(DAGSTER_HOME)/dagster.yaml: dagster.yaml
	@mkdir -p $(DAGSTER_HOME)
	@cp dagster.yaml $(DAGSTER_HOME)/dagster.yaml

## run: materialise every asset on the embedded sample (generated on first run), print a summary
run: $(STAMP) $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/python -m pipelines.run_local

## test: build or refresh the virtual environment, then run the whole test suite
test: $(STAMP) $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

## serve: the web application for outreach staff and agents on http://127.0.0.1:8050 (HOST/PORT to change)
HOST ?= 127.0.0.1
PORT ?= 8050
serve: $(STAMP)
	$(BIN)/python -m satupekerja.web --host $(HOST) --port $(PORT)

## translations: re-extract the web application's messages and recompile the catalogues (.po -> .mo)
translations: $(STAMP)
	cd satupekerja/web && ../../$(BIN)/pybabel extract -F babel.cfg -k _ -o translations/messages.pot . \
		&& ../../$(BIN)/pybabel update -i translations/messages.pot -d translations \
		&& ../../$(BIN)/pybabel compile -d translations

## check: lint, format, types, import rules, declared dependencies and the Dagster definitions (CI runs it first)
check: lint typecheck imports defs

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# imports: docs/architecture.md's import rules, and every imported package declared in pyproject.toml
imports: $(STAMP)
	$(BIN)/python -m pytest tests/test_import_rules.py tests/test_declared_dependencies.py -q -p no:cacheprovider

## defs: load the Dagster definitions the way the webserver does ([tool.dg] in pyproject.toml says where)
defs: $(STAMP) $(DAGSTER_HOME)/dagster.yaml
	VIRTUAL_ENV="$(abspath $(VENV))" PATH="$(abspath $(BIN)):$$PATH" $(BIN)/dg check defs

## dev: open the Dagster UI on the same local instance (http://127.0.0.1:3000)
dev: $(STAMP) $(DAGSTER_HOME)/dagster.yaml
	VIRTUAL_ENV="$(abspath $(VENV))" PATH="$(abspath $(BIN)):$$PATH" $(BIN)/dg dev

## sample: (re)generate the demo sample make run reads (5,000 people, seed 42, as in pipelines/run_local.py)
sample: $(STAMP)
	rm -rf sample_data/demo
	$(BIN)/python -m sample_data.generate --persons 5000 --seed 42 --out sample_data/demo

clean:
	rm -rf $(VENV) $(DAGSTER_HOME) warehouse exports sample_data/demo test-artifacts
