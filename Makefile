# `make run` serves a demo event; `make test` runs the whole suite. Both set up what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test bench fuzz lint format translations extract-messages update-messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

instance/secret_key: | $(BIN)/python
	mkdir -p instance
	$(BIN)/python -c "import secrets; print(secrets.token_hex(32))" > $@
	chmod 600 $@

translations: $(VENV)/.runtime
	$(BIN)/pybabel --quiet compile -d openspace/translations

extract-messages: $(VENV)/.runtime
	$(BIN)/pybabel --quiet extract -F babel.cfg -k _l -k lazy_gettext -o openspace/translations/messages.pot --no-location --sort-output .

update-messages: extract-messages
	$(BIN)/pybabel --quiet update -i openspace/translations/messages.pot -d openspace/translations --no-fuzzy-matching

run: $(VENV)/.runtime instance/secret_key translations
	HOST=$(HOST) PORT=$(PORT) $(BIN)/flask --app wsgi demo
	HOST=$(HOST) PORT=$(PORT) $(BIN)/python wsgi.py

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: $(VENV)/.dev translations lint
	$(BIN)/pytest

# Speed and scale benchmarks on 127.0.0.1 (docs/performance.md): one JSON line per run, also kept in bench/results/.
# BENCH_ARGS="fanout --n 1000" runs one scenario; "all --quick" a short version of everything.
BENCH_ARGS ?= all
$(VENV)/.bench: requirements-bench.txt $(VENV)/.dev
	$(BIN)/pip install --quiet -r requirements-bench.txt
	touch $@

bench: $(VENV)/.dev $(VENV)/.bench translations
	$(BIN)/python -m bench --out bench/results/bench-$$(date +%Y%m%d-%H%M%S).jsonl $(BENCH_ARGS)

fuzz: $(VENV)/.dev translations
	HYPOTHESIS_PROFILE=long $(BIN)/pytest -q -p no:randomly tests/test_fuzz.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
