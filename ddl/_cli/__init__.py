"""The ``ddl`` command line: one module per subcommand, each adding its own parser.

Example::

    ddl gen -I protos -o out protos/shop/order.proto
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from .._compiled import engine
from .._version import __version__
from . import _cmd_bench, _cmd_check, _cmd_decode, _cmd_encode, _cmd_gen, _cmd_proto
from ._cmd_bench import benches_dir
from ._options import missing_tools

__all__ = ["benches_dir", "main"]

EXAMPLES = """\
examples:
  ddl gen -I protos -o out protos/shop/order.proto   # typed ddl modules from .proto files
  ddl proto shop.models:Order                         # the .proto of ddl classes
  ddl check old.proto new.proto                       # breaking changes between two versions
  ddl decode --raw message.bin                        # what any protobuf bytes hold
  ddl encode --type shop.models:Order < order.json    # protobuf bytes from a message's JSON
  ddl bench --quick                                   # benchmark ddl against other libraries
  ddl COMMAND --help                                  # every option of one command
"""

_COMMANDS = (_cmd_gen, _cmd_proto, _cmd_check, _cmd_decode, _cmd_encode)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``ddl`` command line with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    parser = argparse.ArgumentParser(
        prog="ddl",
        description="ddl: typed Python classes that read and write protobuf's binary format.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"ddl {__version__} ({engine()} engine)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in _COMMANDS:
        command.add_parser(commands)
    # The benchmark runner parses its own options (ddl bench --help lists them).
    commands.add_parser(
        "bench", add_help=False, help="benchmark ddl against other serialization libraries (needs a checkout)"
    )
    args, rest = parser.parse_known_args(list(sys.argv[1:] if argv is None else argv))
    if args.command is None:
        # Bare `ddl`: what it can do, and a usage error's status, as for any missing argument.
        parser.print_help()
        return 2
    if args.command == "bench":
        return _cmd_bench.run(rest)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    try:
        result: int = args.run(args)
        sys.stdout.flush()
    except ModuleNotFoundError as error:
        status = missing_tools(args.command, error)
        if status is None:
            raise
        return status
    except BrokenPipeError:
        # The reader went away (`ddl decode --raw big.bin | head`): stop quietly, as Unix tools
        # do, and keep Python from reporting the same error again when it flushes at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return result
