# Two entry points, both installing into .venv at the repository root:
#   make app    set up and run the Streamlit app on the example story
#   make test   set up and run the test suite
# and, for everyday work, make test-fast: the tests without a browser and without the slow ones
VENV := .venv
PY := $(VENV)/bin/python

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

.PHONY: app test test-fast build bench
app: $(VENV)/.installed
	$(VENV)/bin/streamlit run app.py

test: $(VENV)/.installed
	$(PY) -m pytest

test-fast: $(VENV)/.installed
	$(PY) -m pytest -m "not browser and not slow"

build: $(VENV)/.installed
	$(VENV)/bin/storymap build seeds -o data/places.geojson

bench: $(VENV)/.installed
	$(PY) benchmarks/bench_build.py
