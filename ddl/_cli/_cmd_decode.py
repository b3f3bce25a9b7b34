"""``ddl decode``: what protobuf bytes hold, read with a ddl class or without any schema.

Example::

    ddl decode --type shop.models:Order order.bin
    ddl decode --type shop.models:Order --format json order.bin
    ddl decode --type shop.models:Order --format textproto order.bin
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from .. import _api
from .._errors import DecodeError, EncodeError, SchemaError
from .._json import to_json
from .._proto._load import LoadError, load_class
from .._text import to_text
from ._inspect import message_json, message_lines
from ._raw import raw_lines

EXAMPLES = """\
examples (from the root of a ddl checkout):
  echo 089601120474657874 | ddl decode --raw --hex -
      1: 150
      2: "text"
  echo 082a12045a6fc3ab1801220d0a0374656110021a04332e3530 | ddl decode --type examples.demo:Order --hex -
  ddl decode --type shop.models:Order --format json order.bin
      the canonical proto3 JSON of the message, as protobuf's json_format writes it
  ddl decode --type shop.models:Order --format textproto order.bin
      protobuf's text format of the message, as protoc --decode prints it

Exit status: 0 when the bytes decode, 1 when they do not (the error gives the field path and
the byte offset, after --raw has printed every field it could read), 2 for a usage error.
"""


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "decode",
        help="show what protobuf bytes hold, with a ddl class or without a schema",
        description="Print what protobuf bytes hold: the message a ddl class decodes them into\n"
        "(--type), or the field numbers and values of any protobuf bytes, printed as\n"
        "protoc --decode_raw prints them (--raw).",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    schema = parser.add_mutually_exclusive_group(required=True)
    schema.add_argument(
        "--type",
        metavar="MODULE:CLASS",
        help="decode with this ddl.Message subclass; MODULE is imported as python -m would, "
        "from the current directory first",
    )
    schema.add_argument("--raw", action="store_true", help="decode without a schema, as protoc --decode_raw does")
    output = parser.add_mutually_exclusive_group()
    output.add_argument(
        "--format",
        choices=("text", "json", "textproto"),
        default="text",
        help="with --type: text (the default) prints the message indented; json prints its canonical "
        "proto3 JSON (ddl.to_json: lowerCamelCase names, 64-bit integers as strings...); textproto "
        "prints protobuf's text format (ddl.to_text), as protoc --decode does",
    )
    output.add_argument(
        "--json", action="store_true", help="with --type: print the fields by their Python names as JSON"
    )
    encoding = parser.add_mutually_exclusive_group()
    encoding.add_argument("--hex", action="store_true", help="the input is hex text (whitespace is ignored)")
    encoding.add_argument("--base64", action="store_true", help="the input is base64 text")
    parser.add_argument("file", metavar="FILE", help="the bytes to decode; - reads standard input")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.json and args.raw:
        return _fail("--json needs --type", 2)
    if args.format != "text" and args.raw:
        return _fail(f"--format {args.format} needs --type", 2)
    try:
        data = _read(args.file)
    except OSError as error:
        return _fail(f"cannot read {args.file}: {error.strerror or error}", 2)
    try:
        data = _unwrap(data, args.hex, args.base64)
    except ValueError as error:
        return _fail(str(error), 1)
    if args.raw:
        return _print_raw(data)
    with _current_directory_importable():
        try:
            cls = load_class(args.type)
        except LoadError as error:
            return _fail(str(error), 2)
        try:
            msg = _api.decode(data, cls)
        except (DecodeError, SchemaError) as error:
            return _fail(f"cannot decode {cls.__qualname__}: {error}", 1)
    if args.format == "json":
        try:
            print(to_json(msg, indent=2))
        except EncodeError as error:  # a value JSON cannot hold: a float NaN in a Struct, say
            return _fail(f"cannot write {cls.__qualname__} as JSON: {error}", 1)
    elif args.format == "textproto":
        try:
            sys.stdout.write(to_text(msg))
        except EncodeError as error:  # an Any whose bytes are not the type its URL names, say
            return _fail(f"cannot write {cls.__qualname__} as text: {error}", 1)
    elif args.json:
        print(json.dumps(message_json(msg), indent=2, ensure_ascii=False))
    else:
        _write(message_lines(msg))
    return 0


def _read(file: str) -> bytes:
    if file == "-":
        return sys.stdin.buffer.read()
    with open(file, "rb") as f:
        return f.read()


def _unwrap(data: bytes, hex_text: bool, base64_text: bool) -> bytes:
    if hex_text:
        try:
            return bytes.fromhex(data.decode("ascii"))
        except (UnicodeDecodeError, ValueError) as error:
            raise ValueError(f"the input is not hex: {error}") from None
    if base64_text:
        try:
            return base64.b64decode(b"".join(data.split()), validate=True)
        except binascii.Error as error:
            raise ValueError(f"the input is not base64: {error}") from None
    return data


def _print_raw(data: bytes) -> int:
    try:
        _write(raw_lines(data))
    except DecodeError as error:
        sys.stdout.flush()
        return _fail(f"invalid protobuf at byte offset {error.offset}: {error.message}", 1)
    return 0


def _write(lines: Iterable[str]) -> None:
    write = sys.stdout.write
    for line in lines:
        write(line + "\n")


def _fail(message: str, status: int) -> int:
    print(f"ddl decode: {message}", file=sys.stderr)
    return status


@contextmanager
def _current_directory_importable() -> Iterator[None]:
    # As `python -m` does, so that --type shop.models:Order finds ./shop/models.py.
    cwd = os.getcwd()
    sys.path.insert(0, cwd)
    try:
        yield
    finally:
        sys.path.remove(cwd)
