"""``ddl proto``: the .proto file that describes ddl classes, for protoc and other languages.

Example::

    ddl proto examples.demo:Order -o order.proto
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .._errors import SchemaError
from .._proto._layout import RenderError
from .._proto._load import LoadError
from .._proto._render import render_targets
from ._options import add_output

EXAMPLES = """\
examples (from the root of a ddl checkout):
  ddl proto examples.demo:Order                # Order, and the Item and Status it uses
  ddl proto examples.demo -o demo.proto        # every ddl.Message class of the module
  ddl proto shop/models.py --package shop.v1   # a file, with the package named

The output is proto3: protoc-generated code in any language reads and writes the bytes that
ddl writes for these classes. Unions are oneofs named after the field, with one member per
type (<field>_<type>); nested containers (list[list[int]], list[int | None], ...) use wrapper
messages nested in the message that needs them (<Field>Item, <Field>Value, <Field>List, ...).
Enum values keep their names; an IntEnum without a 0 member gets <ENUM>_UNSPECIFIED = 0, since
proto3 needs one. protoc puts enum values beside their enum, so two enums of one package (or
nested in one message) cannot share a value name. Decimal is a string and UUID 16 bytes.

Exit status: 0 on success, 2 when a class cannot be imported or has no .proto form.
"""


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "proto",
        help="print the .proto that describes ddl classes",
        description="Print (or write with -o) the .proto that describes ddl classes: their field\n"
        "numbers, nested types, enums, oneofs and the wrapper messages of ddl's conventions.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "targets",
        nargs="+",
        metavar="MODULE[:CLASS]",
        help="a module (every ddl.Message class it defines) or one class of it; MODULE is a dotted "
        "name imported as python -m would, from the current directory first, or a .py file",
    )
    add_output(parser, "FILE", "write the .proto here instead of standard output")
    parser.add_argument("--package", help="the .proto package (default: the first module's name, such as shop.models)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        text = render_targets(args.targets, args.package)
    except (LoadError, RenderError, SchemaError) as exc:
        print(f"ddl proto: {exc}", file=sys.stderr)
        return 2
    if args.output:
        Path(args.output).write_text(text)
    else:
        sys.stdout.write(text)
    return 0
