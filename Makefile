# A fresh clone needs only `make demo` and `make test`; each sets up .venv on first use.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTHON ?= python3

.PHONY: test demo typecheck clean

$(STAMP): pyproject.toml
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

clean:
	rm -rf $(VENV) build *.egg-info .coverage .mypy_cache .hypothesis
