"""Run the test suite against the installed ddl (a wheel), not against a source tree's.

``python tests/installed.py ROOT [PYTEST OPTIONS...]`` copies the folders the suite needs from
ROOT (a checkout or an unpacked sdist) into a temporary folder that holds no ``ddl`` package, so
that ``import ddl`` finds the installed one, checks that it does, and runs pytest there with
DDL_TEST_INSTALLED=1 (see tests/test_packaging.py). ``make test-wheel`` and cibuildwheel run it.

Example::

    build/wheel-venv/bin/python tests/installed.py build/sdist -x -q
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# What the suite imports or reads besides ddl: its helpers and .proto corpora, the benchmark
# adapters it checks, the demo, the fuzz harness whose saved inputs it replays, and the conformance
# testee with its generated classes.
FOLDERS = ("tests", "benches", "examples", "fuzz", "conformance")
# And the project's configuration: pytest's options, and the ruff rules generated code must pass.
FILES = ("pyproject.toml",)


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    root = Path(argv[0]).resolve()
    with tempfile.TemporaryDirectory(prefix="ddl-installed-") as tmp:
        for name in FOLDERS:
            ignore = shutil.ignore_patterns("__pycache__", "_generated", ".hypothesis")
            shutil.copytree(root / name, Path(tmp) / name, ignore=ignore)
        for name in FILES:
            shutil.copy(root / name, Path(tmp) / name)
        where = subprocess.run(
            [sys.executable, "-c", "import ddl; print(ddl.__file__)"],
            cwd=tmp, capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        if Path(where).resolve().is_relative_to(root):
            print(f"tests/installed.py: import ddl finds the source tree ({where}), not the installed package")
            return 1
        print(f"tests/installed.py: testing {where}", flush=True)
        env = {**os.environ, "DDL_TEST_INSTALLED": "1"}
        pytest = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *argv[1:], "tests"]
        return subprocess.call(pytest, cwd=tmp, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
