"""``ddl gen``: typed ddl modules from .proto files, compiled by the real protoc, or from what
protoc wrote before (a descriptor set, ``_pb2`` modules)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .._proto._gen import Generated

from ._options import add_output, add_proto_path

EXAMPLES = """\
examples:
  ddl gen -I protos -o gen protos/shop/order.proto protos/shop/common.proto
      writes gen/shop/order_ddl.py and gen/shop/common_ddl.py; with gen on sys.path:
      from shop.order_ddl import Order
  ddl gen --descriptor-set shop.pb -o gen shop/order.proto
      the same from what protoc -Iprotos --descriptor_set_out=shop.pb --include_imports wrote
      (add --include_source_info for docstrings); without a name, every file of the set
  ddl gen --from-module opentelemetry.proto.collector.trace.v1.trace_service_pb2 -o gen
      from an installed _pb2 module: its file and every file it imports
  ddl gen --python-package otel --from-module opentelemetry.proto.trace.v1.trace_pb2 -o gen
      the same inside package otel (gen/otel/opentelemetry/proto/...): from otel.opentelemetry...
      beside the installed opentelemetry package, which owns the folder of that name

Each message becomes a ddl.Message class with explicit field numbers, each enum an IntEnum,
each oneof a union (or a oneof group when its members share a Python type), each proto2 group a
nested class in a delimited field. Imports work as protoc's do: -I folders, the well-known types
found without one, imports across files. From .proto files, only the files named are
generated, as with protoc: name the files they import too, except protobuf's own
(google/protobuf/*.proto), whose types are ddl's native forms, ddl.wkt or ddl.protobuf. From a
descriptor set, the files named or else all of its files; from modules, their files and every
file they import except protobuf's own. Extensions become ddl.Extension objects. A file with
services also gets <name>_ddl_grpc.py beside its module: grpcio stubs and servicers (SStub,
SAsyncStub, SServicer, SAsyncServicer, add_SServicer_to_server; see ddl.grpc). A file that
fails does not stop the others: they are written, and every failure is reported at the end
(exit status 1).
"""


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "gen",
        help="typed ddl modules from .proto files",
        description="Generate typed ddl modules from .proto files: OUT/<path>/<name>_ddl.py for each FILE.proto, "
        "or for each file of a descriptor set or of _pb2 modules.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "files", nargs="*", metavar="FILE.proto",
        help="the .proto files to generate modules for (with --descriptor-set: their paths inside the set)",
    )  # fmt: skip
    add_proto_path(parser, "a folder to find imports in, as protoc's -I (repeatable; default: the current folder)")
    compiled = parser.add_mutually_exclusive_group()
    compiled.add_argument(
        "--descriptor-set", metavar="FILE",
        help="read a serialized FileDescriptorSet (protoc --descriptor_set_out=FILE --include_imports) "
        "instead of .proto files",
    )  # fmt: skip
    compiled.add_argument(
        "--from-module", dest="modules", action="append", default=[], metavar="MODULE",
        help="import a _pb2 module (searched in the current folder first, as python -m does) and generate "
        "its file and the files it imports from its DESCRIPTOR (repeatable)",
    )  # fmt: skip
    add_output(parser, "OUT", "the folder to write modules to (required)")
    parser.add_argument(
        "--python-package", metavar="PKG", default="",
        help="put every module in the Python package PKG (OUT/PKG/<path>_ddl.py, imported as PKG.<path>_ddl): "
        "for files under google/protobuf/, or whose folder an installed package already owns",
    )  # fmt: skip
    parser.add_argument(
        "--init", action="store_true",
        help="add __init__.py to each folder written (default: namespace packages, as protoc's output; "
        "not for folders shared with other packages, such as google/)",
    )  # fmt: skip
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from .._proto._gen import GenError, GenFailures, ProtocError

    usage = _usage_error(args)
    if usage:
        print(f"ddl gen: {usage}", file=sys.stderr)
        return 2
    try:
        result = _generate(args)
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


def _usage_error(args: argparse.Namespace) -> str | None:
    """What argparse cannot check itself: which inputs go together."""
    if args.output is None:
        return "the following arguments are required: -o/--output"
    if args.modules and args.files:
        return "--from-module takes no FILE.proto: its files come from the modules"
    if (args.modules or args.descriptor_set) and args.includes:
        return "-I/--proto-path finds .proto sources: not with --descriptor-set or --from-module"
    if not (args.files or args.modules or args.descriptor_set):
        return "the following arguments are required: FILE.proto (or --descriptor-set, --from-module)"
    return None


def _generate(args: argparse.Namespace) -> Generated:
    from .._proto._gen import generate, generate_from_modules, generate_from_set

    if args.descriptor_set:
        return generate_from_set(
            args.descriptor_set, args.files, args.output, init_files=args.init, package=args.python_package
        )
    if args.modules:
        # The ddl script's own folder is sys.path[0], not the current one as with python -m.
        here = os.getcwd()
        added = here not in sys.path
        if added:
            sys.path.insert(0, here)
        try:
            return generate_from_modules(args.modules, args.output, init_files=args.init, package=args.python_package)
        finally:
            if added:
                sys.path.remove(here)
    return generate(args.files, args.includes, args.output, init_files=args.init, package=args.python_package)


def _report(result: Generated) -> None:
    for note in result.notes:
        print(note, file=sys.stderr)
    for path in result.paths:
        print(path)
