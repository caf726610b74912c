VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run workshop test bench lint e2e clean bytecode

$(VENV)/.runtime-stamp: requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev-stamp: $(VENV)/.runtime-stamp requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# Pages import core/ and ui/ on their first run; compiled ahead (as pip does for packages), a cold start does
# not compile them, nor parse the message catalogues (ui/i18n/*.toml), even where PYTHONDONTWRITEBYTECODE keeps
# Python from caching them itself.
bytecode: $(VENV)/.runtime-stamp
	$(PY) -m compileall -q core ui
	$(PY) -m ui.i18n

run: bytecode
	$(PY) -m streamlit run app.py --server.port $(PORT)

# A workshop round on the LAN (S21): listens on every interface with XSRF and CORS protection on and prints the
# participants' address; only this machine (http://localhost:$(PORT)) opens the facilitator's pages.
workshop: bytecode
	$(PY) -m ui.serve --port $(PORT)

# Two or more workers (pytest-xdist), one test file per worker at a time: the browser, LibreOffice and PostgreSQL
# tests wait on other processes, and each file's fixtures (a running app, a pack) start once.
test: $(VENV)/.dev-stamp
	$(PY) -m pytest --numprocesses=auto --maxprocesses=4 --dist=loadfile --durations=20

bench: $(VENV)/.dev-stamp bytecode
	$(PY) bench/run_all.py

# pip-audit needs pypi.org and its vulnerability database: offline it is skipped with a note, not failed.
lint: $(VENV)/.dev-stamp
	$(PY) -m ruff check .
	$(PY) -m bandit -q -c pyproject.toml -r core ui pages app.py
	@if timeout 10 $(PY) -c "import socket; socket.create_connection(('pypi.org', 443), timeout=5).close()" \
		2>/dev/null; then \
		$(PY) -m pip_audit --progress-spinner off --skip-editable; \
	else \
		echo "pip-audit skipped: no network (it needs pypi.org); run make lint online to audit the dependencies"; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache
