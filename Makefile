# The two set-up commands of the README, each creating its own virtualenv:
#   make briefing   fetch the latest data (or fall back to the store / bundled sample) and build
#   make test       run the test suite
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
RG := $(VENV)/bin/reportgen
STAMP := $(VENV)/.installed-stamp

.PHONY: briefing test lint typecheck bench golden clean system-deps help vega-runtime

help:
	@echo "make briefing  - fetch data and build the briefing into output/"
	@echo "make test      - run the tests"
	@echo "make lint typecheck bench golden clean vega-runtime"

# The editable install also writes reportgen/site/vega-runtime.js (setup.py's build hook).
$(STAMP): pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# The Vega runtime the package ships (normally written by the install above): again by hand,
# after upgrading vl-convert-python in place.
vega-runtime: $(STAMP)
	$(PY) -m reportgen.site.vega_runtime

system-deps:
	@bash scripts/install-system-deps.sh

# `build` fetches what is new first, and falls back to the store, then the sample, offline.
briefing: $(STAMP) system-deps
	$(RG) build

test: $(STAMP) system-deps
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy reportgen

# Whole-process benchmarks (builds, the floor, start-up, the range rebuild) run side by side
# in alternated rounds; see tests/test_bench_build.py. Figures: the README's "Speed (measured)".
bench: $(STAMP)
	$(PY) -m pytest -o addopts=-q -s --benchmark-only --benchmark-columns=min,median,max tests

golden: $(STAMP)
	$(PY) -m pytest tests/test_golden.py --update-golden

clean:
	rm -rf $(VENV) output .pytest_cache .mypy_cache .ruff_cache
