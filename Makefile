# A fresh clone needs only `make demo` and `make test`; each sets up .venv on first use.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTHON ?= python3

.PHONY: test demo bench typecheck clean

$(STAMP): pyproject.toml setup.py ddl/_speedups.pyx $(wildcard ddl/_cy/*.pxi)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

test: $(STAMP)
	$(PY) -m pytest -q --cov=ddl --cov-report=term-missing:skip-covered --cov-fail-under=90
	$(MAKE) typecheck

typecheck: $(STAMP)
	$(PY) -m mypy --strict ddl tests/typing_api.py

demo: $(STAMP)
	$(PY) examples/demo.py
	@echo
	@echo "== ddl against its peers: a quick benchmark (make bench for the full run) =="
	$(VENV)/bin/ddl bench --quick --no-memory --json .venv/bench-quick.json --chart .venv/bench-quick.png

# The full suite: several minutes; writes bench-results.json and bench-results.png.
bench: $(STAMP)
	$(VENV)/bin/ddl bench

clean:
	rm -rf $(VENV) build *.egg-info .coverage .mypy_cache .hypothesis
