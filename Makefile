# Two commands do all set-up on a fresh machine (Python >= 3.11 and pip; no conda, no R):
#   make run    install into .venv, then write the thesis report of the bundled sample study
#   make test   install into .venv (with test tools), then run ruff and the whole test suite
# On Windows without make, README.md lists the same steps as plain commands.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= build

.PHONY: run test install install-notebooks install-test lab benchmarks notebooks clean

# pytest exits 5 when it collects no test: that must fail loudly, never pass.
PYTEST_STATUS = status=$$? ; if [ $$status -eq 5 ]; then echo "ERROR: pytest collected no tests" >&2; exit 1; fi ; \
	exit $$status

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

# the package plus what the notebooks use beside it (semopy for notebook 08, JupyterLab)
install-notebooks: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[notebooks]"

install-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@# pyspark (tests/test_summaries.py) needs a Java runtime: install one when `java` is missing
	@command -v java >/dev/null 2>&1 || { if [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless; \
	else echo "ERROR: Java is missing; install a JRE (e.g. sudo apt-get install openjdk-17-jre-headless)" >&2; \
		exit 1; fi; }

# The main job: the analysis chapter (DOCX + HTML + CSV tables) of the bundled e-CRM study.
run: install
	$(BIN)/crm-research report datasets/ecrm_survey_study.yaml --out $(OUT)/report

# The whole notebook series executed headless and rendered to HTML with an index page.
notebooks: install-notebooks
	$(BIN)/crm-research notebooks --out $(OUT)

# ruff, the test suite, then every docstring example of the package in fast mode (CRM_FAST=1:
# fewer resamples wherever an example leaves the number at its default).
test: install-test
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2 ; $(PYTEST_STATUS)
	CRM_FAST=1 $(BIN)/python -m pytest -n 2 --doctest-modules crm_research ; $(PYTEST_STATUS)

# Jupyter refuses to run as root unless told to; Docker, WSL and Codespaces often run as root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root,)

lab: install-notebooks
	$(BIN)/jupyter lab notebooks/ $(ALLOW_ROOT)

benchmarks: install
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(OUT) .pytest_cache .ruff_cache
