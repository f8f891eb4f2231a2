# simdr-lite: every target creates .venv and installs the package on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# make notebooks runs the full path; FAST=1 runs the CI path (what nbval replays)
FAST   ?= 0

.PHONY: demo test unit nbval notebooks lab bench lint install clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

## The main job: the synthetic low-resolution study (no downloads).
demo: $(STAMP)
	$(BIN)/simdr-lite demo

## Every test: unit/property/integration tests, then every notebook under nbval.
test: unit nbval

unit: $(STAMP)
	$(BIN)/python -m pytest -n 2 tests

nbval: $(STAMP)
	SIMDR_FAST=1 MPLBACKEND=Agg $(BIN)/python -m pytest --nbval --nbval-current-env \
		--nbval-sanitize-with notebooks/sanitize.cfg notebooks

## Re-execute every notebook in order, in place (outputs stored for nbval; figures stored too, so
## the kernel keeps its inline matplotlib backend here, while nbval runs headless with Agg).
notebooks: $(STAMP)
	SIMDR_FAST=$(FAST) $(BIN)/python tools/run_notebooks.py notebooks/*.ipynb

lab: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,lab]"
	$(BIN)/jupyter lab notebooks

bench: $(STAMP)
	$(BIN)/python -m simdr_lite.bench all

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf runs .pytest_cache .ruff_cache
