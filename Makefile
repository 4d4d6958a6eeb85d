# Two entry points, both installing into .venv at the repository root:
#   make app    set up and run the Streamlit app on the seeds' story
#   make test   set up and run the test suite
VENV := .venv
PY := $(VENV)/bin/python

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

.PHONY: app test build bench
app: $(VENV)/.installed
	$(VENV)/bin/streamlit run app.py

test: $(VENV)/.installed
	$(PY) -m pytest

build: $(VENV)/.installed
	$(VENV)/bin/storymap build seeds -o data/places.geojson

bench: $(VENV)/.installed
	$(PY) benchmarks/bench_build.py
