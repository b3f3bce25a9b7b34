"""``ddl encode``: proto3 JSON on standard input to protobuf bytes on standard output.

Example::

    echo '{"id": "7", "displayName": "Ada"}' | ddl encode --type shop.models:User > user.bin
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .. import _api
from .._errors import DecodeError, EncodeError, SchemaError
from .._json import from_json
from .._proto._load import LoadError, load_class
from ._cmd_decode import _current_directory_importable

EXAMPLES = """\
examples (from the root of a ddl checkout):
  echo '{"id": "7"}' | ddl encode --type examples.demo:Order > order.bin
  ddl encode --type examples.demo:Order < order.json | ddl decode --type examples.demo:Order -

The input is the message's proto3 JSON, as protobuf's json_format reads it: lowerCamelCase or
.proto field names, 64-bit integers as strings or numbers, bytes as base64, enums by name or
number, the well-known types in their JSON forms.

Exit status: 0 on success, 1 when the JSON is not a message of the type, 2 when the type cannot
be imported.
"""


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "encode",
        help="read a message's proto3 JSON on stdin, write its protobuf bytes to stdout",
        description="Read the proto3 JSON of a message of --type on standard input and write its\n"
        "protobuf encoding to standard output.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--type", required=True, metavar="MODULE:CLASS",
        help="the ddl.Message subclass; MODULE is imported as python -m would, from the current directory first",
    )  # fmt: skip
    parser.add_argument(
        "--ignore-unknown-fields",
        action="store_true",
        help="skip JSON keys that name no field (and unknown enum names)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    with _current_directory_importable():
        try:
            cls = load_class(args.type)
        except (LoadError, SchemaError) as exc:
            print(f"ddl encode: {exc}", file=sys.stderr)
            return 2
    try:
        msg = from_json(sys.stdin.buffer.read(), cls, ignore_unknown_fields=args.ignore_unknown_fields)
        data = _api.encode(msg)
    except (DecodeError, EncodeError) as exc:
        print(f"ddl encode: {exc}", file=sys.stderr)
        return 1
    except SchemaError as exc:
        print(f"ddl encode: {exc}", file=sys.stderr)
        return 2
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
    return 0
