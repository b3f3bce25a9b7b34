"""The ``ddl`` command line. Subcommands: ``bench``.

Example::

    ddl bench --quick
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path

EXAMPLES = """\
examples:
  ddl bench --quick               # benchmark ddl against other libraries, under a minute
  ddl bench --markdown            # the full run (3-6 minutes), table printed as Markdown
  ddl bench --help                # every benchmark option
"""


def benches_dir() -> Path:
    """The ``benches/`` folder of the source checkout ddl is installed from (editable install)."""
    import ddl

    return Path(ddl.__file__).resolve().parent.parent / "benches"


def _bench(args: list[str]) -> int:
    folder = benches_dir()
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
    run = importlib.import_module("benches.run")
    result: int = run.main(args, prog="ddl bench")
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``ddl`` command line with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    parser = argparse.ArgumentParser(
        prog="ddl",
        description="ddl: typed Python classes that read and write protobuf's binary format.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    # The benchmark runner parses its own options (ddl bench --help lists them).
    commands.add_parser(
        "bench", add_help=False, help="benchmark ddl against other serialization libraries (needs a checkout)"
    )
    args, rest = parser.parse_known_args(list(sys.argv[1:] if argv is None else argv))
    if args.command == "bench":
        return _bench(rest)
    parser.error(f"unknown command {args.command!r}")  # pragma: no cover - argparse rejects it first
