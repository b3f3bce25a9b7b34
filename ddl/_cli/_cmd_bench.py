"""``ddl bench``: runs the benchmark suite of a source checkout (benches/)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path


def benches_dir() -> Path:
    """The ``benches/`` folder of the source checkout ddl is installed from (editable install)."""
    import ddl

    return Path(ddl.__file__).resolve().parent.parent / "benches"


def run(args: list[str]) -> int:
    from . import benches_dir as located  # looked up at call time so tests can point it elsewhere

    folder = located()
    if not (folder / "run.py").is_file():
        print(
            f"ddl bench: no benchmark suite at {folder}\n"
            "The benchmarks are not part of the installed package: run them from a source checkout\n"
            "of ddl installed in editable mode (git clone ...; pip install -e '.[dev]').",
            file=sys.stderr,
        )
        return 2
    root = str(folder.parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    runner = importlib.import_module("benches.run")
    result: int = runner.main(args, prog="ddl bench")
    return result
