"""``ddl gen``: typed ddl modules from .proto files, compiled by the real protoc."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .._proto._gen import Generated

from ._options import add_output, add_proto_path

EXAMPLES = """\
example:
  ddl gen -I protos -o gen protos/shop/order.proto protos/shop/common.proto
      writes gen/shop/order_ddl.py and gen/shop/common_ddl.py; with gen on sys.path:
      from shop.order_ddl import Order

Each message becomes a ddl.Message class with explicit field numbers, each enum an IntEnum,
each oneof a union. Imports work as protoc's do: -I folders, the well-known types found without
one, imports across files. Only the files named are generated, as with protoc: name the files
they import too, except protobuf's own (google/protobuf/*.proto), whose types are ddl's native
forms, ddl.wkt or ddl.protobuf. Services and extensions are skipped with a note; groups are an error. A file
that fails does not stop the others: they are written, and every failure is reported at the
end (exit status 1).
"""


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "gen",
        help="typed ddl modules from .proto files",
        description="Generate typed ddl modules from .proto files: OUT/<path>/<name>_ddl.py for each FILE.proto.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("files", nargs="+", metavar="FILE.proto", help="the .proto files to generate modules for")
    add_proto_path(parser, "a folder to find imports in, as protoc's -I (repeatable; default: the current folder)")
    add_output(parser, "OUT", "the folder to write modules to (required)")
    parser.add_argument(
        "--init", action="store_true",
        help="add __init__.py to each folder written (default: namespace packages, as protoc's output; "
        "not for folders shared with other packages, such as google/)",
    )  # fmt: skip
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from .._proto._gen import GenError, GenFailures, ProtocError, generate

    if args.output is None:
        print("ddl gen: the following arguments are required: -o/--output", file=sys.stderr)
        return 2
    try:
        result = generate(args.files, args.includes, args.output, init_files=args.init)
    except GenFailures as exc:
        # The files that could be generated were written: report them, then every failure.
        _report(exc.generated)
        for error in exc.errors:
            print(f"ddl gen: {error}", file=sys.stderr)
        return 1
    except (ProtocError, GenError) as exc:
        print(f"ddl gen: {exc}", file=sys.stderr)
        return 1
    _report(result)
    return 0


def _report(result: Generated) -> None:
    for note in result.notes:
        print(note, file=sys.stderr)
    for path in result.paths:
        print(path)
