"""Options that more than one subcommand takes, spelled one way everywhere.

Options are dashed (``--proto-path``); an older spelling stays accepted as a hidden alias.

Example::

    add_proto_path(parser, "a folder to find imports in")
"""

from __future__ import annotations

import argparse
import sys

from .._version import DISTRIBUTION

PROTO_EXTRA = f"pip install '{DISTRIBUTION}[proto]'"


def add_proto_path(parser: argparse.ArgumentParser, help: str) -> None:
    """``-I DIR`` / ``--proto-path DIR``, repeatable, into ``args.includes``; ``--proto_path`` as protoc spells it."""
    parser.add_argument("-I", "--proto-path", dest="includes", action="append", default=[], metavar="DIR", help=help)
    parser.add_argument("--proto_path", dest="includes", action="append", help=argparse.SUPPRESS)


def add_output(parser: argparse.ArgumentParser, metavar: str, help: str) -> None:
    """``-o PATH`` / ``--output PATH`` into ``args.output``; ``--out`` is the older spelling of ``ddl gen``."""
    parser.add_argument("-o", "--output", metavar=metavar, help=help)
    parser.add_argument("--out", dest="output", help=argparse.SUPPRESS)


def missing_tools(command: str, error: ModuleNotFoundError) -> int | None:
    """A one-line error for a .proto tool that is not installed, or None for any other missing module.

    The .proto commands need protoc (grpcio-tools), Google's descriptor classes (protobuf) and
    google/type/date.proto (googleapis-common-protos): the ``proto`` extra installs all three.
    """
    name = error.name or ""
    if name.split(".")[0] not in ("google", "grpc_tools"):
        return None
    print(f"ddl {command}: {error} (the .proto tools need the proto extra: {PROTO_EXTRA})", file=sys.stderr)
    return 2
