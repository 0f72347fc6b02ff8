# Two commands set everything up on a fresh machine with Python 3.11 and pip:
#   make demo   - the main job end to end on the synthetic authority
#   make test   - the test suite (what CI runs)
#   make docs   - the Sphinx site in docs/_build/html (offline, warnings as errors)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DOCS_STAMP := $(VENV)/.installed-docs
OUT ?= demo-output

.PHONY: demo test lint bench docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

$(DOCS_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[test,docs]"
	touch $(DOCS_STAMP)

demo: $(STAMP)
	$(BIN)/python -m pipelines.demo --out $(OUT)

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# Executes the notebooks (a broken one fails the build); about 11 minutes on 2 cores.
docs: $(DOCS_STAMP)
	$(BIN)/sphinx-build -W --keep-going -b html docs docs/_build/html

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache build *.egg-info docs/_build docs/api/generated
