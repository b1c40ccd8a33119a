# The README's two commands: `make run` and `make test`. Each sets up what it needs first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test setup test-setup system-packages mnist bench locales messages

# One BLAS thread per process: sessions already run in parallel, and on 2 cores a second BLAS thread
# per matrix product only contends with them (the loss surface is faster single-threaded here).
run: setup mnist locales
	OPENBLAS_NUM_THREADS=1 $(BIN)/streamlit run app.py --server.address localhost --server.port $(PORT)

test: test-setup mnist locales
	$(BIN)/python -m pytest

setup: $(VENV)/.requirements

test-setup: setup $(VENV)/.test-requirements system-packages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.requirements: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.test-requirements: requirements-test.txt requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-test.txt
	touch $@

# Debian's chromium (browser tests) and nginx (replicas behind a proxy); see the script.
system-packages:
	@scripts/install-system-packages.sh

mnist: setup
	$(BIN)/python -m data fetch

# The gettext catalogs, compiled from the committed .po files (the .mo files are not committed).
locales: setup
	$(BIN)/pybabel compile -d locales -D messages --statistics

# After changing text: extract every marked message, merge it into both catalogs (new ones untranslated,
# for the Greek translator; tests/test_i18n.py fails until they are), and English maps to itself.
messages: setup
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output -o locales/messages.pot .
	$(BIN)/pybabel update -i locales/messages.pot -d locales -D messages --no-fuzzy-matching --ignore-obsolete
	$(BIN)/python -m locales.english

BENCHMARKS := step_speed surface_speed ui_latency classroom_load time_travel playback_fps compare_speed explain_speed take_home

bench: test-setup mnist
	for name in $(BENCHMARKS); do echo "== bench/$$name.py"; $(BIN)/python -m bench.$$name || exit 1; done
