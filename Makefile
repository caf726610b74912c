VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run test bench lint e2e clean

$(VENV)/.runtime-stamp: requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev-stamp: $(VENV)/.runtime-stamp requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime-stamp
	$(PY) -m streamlit run app.py --server.port $(PORT)

test: $(VENV)/.dev-stamp
	$(PY) -m pytest

bench: $(VENV)/.dev-stamp
	$(PY) bench/run_all.py

lint: $(VENV)/.dev-stamp
	$(PY) -m ruff check .

clean:
	rm -rf $(VENV) .pytest_cache
