# `make run` and `make test` work on a fresh machine: they create .venv and install first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The suite also runs on PostgreSQL when one answers here (CI always starts one).
PG_URL ?= postgresql://postgres@127.0.0.1:5432/postgres

.PHONY: run test lint bench docs clean install

$(BIN)/v1tr0: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/v1tr0

run: install
	$(BIN)/v1tr0 migrate
	$(BIN)/v1tr0 demo --if-empty
	$(BIN)/v1tr0 run

test: install
	@if [ -z "$$TEST_DATABASE_URL" ] && pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
		export TEST_DATABASE_URL="$(PG_URL)"; fi; \
	echo "databases: sqlite$${TEST_DATABASE_URL:+ and $$TEST_DATABASE_URL}"; \
	$(BIN)/ruff check . && $(BIN)/pytest

lint: install
	$(BIN)/ruff check .

bench: install
	$(BIN)/python bench/dispatch.py
	$(BIN)/python bench/reminders.py
	$(BIN)/python bench/transcribe.py
	$(BIN)/python bench/summaries.py
	$(BIN)/python bench/retrieval.py
	$(BIN)/python bench/crosslingual.py
	$(BIN)/python bench/ask.py
	$(BIN)/python bench/answers.py

docs: install
	$(BIN)/python -m bot.docs README.md

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache .hypothesis
