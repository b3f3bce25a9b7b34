"""Protobuf bytes read without a schema, and printed the way ``protoc --decode_raw`` prints them.

Without a schema the wire format is ambiguous in one place: a length-delimited field may hold a
string, bytes, a packed run or a nested message. As protoc does, a non-empty field that parses
completely as a message is shown as one, and anything else as an escaped string.

Nothing here recurses: parsing keeps open groups on a list, and printing keeps its own stack, so
hostile nesting can cost time proportional to ``max_depth`` but never Python's stack.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .._errors import DecodeError
from .._limits import DEFAULT_MAX_DEPTH
from .._wire import (
    UNPACK_FIXED32,
    UNPACK_FIXED64,
    WT_EGROUP,
    WT_I32,
    WT_I64,
    WT_LEN,
    WT_SGROUP,
    WT_VARINT,
    read_varint,
)


@dataclass(slots=True)
class RawField:
    """One field as the wire gives it: ``value`` is the number of a varint or fixed-width field,
    a length-delimited field's body is ``buf[start:end]``, and a group holds ``fields``."""

    number: int
    wire_type: int
    value: int = 0
    start: int = 0
    end: int = 0
    fields: list[RawField] | None = None


def parse_raw(
    buf: bytes, start: int, end: int, max_groups: int, nested: bool = False
) -> tuple[list[RawField], DecodeError | None]:
    """The fields in ``buf[start:end]``, and the error that stopped the parse early, if any.

    Length-delimited bodies are left unparsed. On an error the fields read so far are returned,
    including a group still open, with what it held up to that point.

    Example::

        >>> fields, error = parse_raw(b"\\x08\\x96\\x01", 0, 3, 100)
        >>> fields[0].number, fields[0].value, error
        (1, 150, None)
    """
    top: list[RawField] = []
    into = top
    open_groups: list[tuple[int, list[RawField]]] = []
    pos = start
    try:
        while pos < end:
            at = pos
            tag, pos = _varint(buf, pos, end)
            # protoc's rule: a tag keeps the low 32 bits of its varint, and only a nested
            # message may spell it in more than 5 bytes.
            if pos - at > 5 and not nested:
                raise DecodeError("a tag takes at most 5 bytes", at)
            tag &= 0xFFFFFFFF
            number, wire_type = tag >> 3, tag & 7
            if number == 0:
                raise DecodeError("field number 0 is invalid", at)
            if wire_type == WT_VARINT:
                value, pos = _varint(buf, pos, end)
                into.append(RawField(number, wire_type, value))
            elif wire_type in (WT_I64, WT_I32):
                width = 8 if wire_type == WT_I64 else 4
                if end - pos < width:
                    raise DecodeError(f"field {number} needs {width} bytes, {end - pos} left", pos)
                unpack = UNPACK_FIXED64 if wire_type == WT_I64 else UNPACK_FIXED32
                into.append(RawField(number, wire_type, unpack(buf, pos)[0]))
                pos += width
            elif wire_type == WT_LEN:
                n, pos = _varint(buf, pos, end)
                if n > end - pos:
                    raise DecodeError(f"length {n} runs past the end of the data ({end - pos} bytes left)", pos)
                into.append(RawField(number, wire_type, start=pos, end=pos + n))
                pos += n
            elif wire_type == WT_SGROUP:
                if len(open_groups) >= max_groups:
                    raise DecodeError(f"groups are nested deeper than {max_groups}", at)
                inside: list[RawField] = []
                into.append(RawField(number, wire_type, fields=inside))
                open_groups.append((number, into))
                into = inside
            elif wire_type == WT_EGROUP:
                if not open_groups:
                    raise DecodeError(f"end-group tag for field {number} without a start-group", at)
                if open_groups[-1][0] != number:
                    raise DecodeError(f"end-group tag {number} does not match group {open_groups[-1][0]}", at)
                into = open_groups.pop()[1]
            else:
                raise DecodeError(f"invalid wire type {wire_type} for field {number}", at)
        if open_groups:
            raise DecodeError(f"group {open_groups[-1][0]} is not closed", end)
    except DecodeError as error:
        return top, error
    return top, None


def _varint(buf: bytes, pos: int, end: int) -> tuple[int, int]:
    # read_varint only stops at the end of the whole buffer; a nested body ends earlier.
    value, after = read_varint(buf, pos)
    if after > end:
        raise DecodeError("truncated varint", pos)
    return value, after


def raw_lines(data: bytes, max_depth: int = DEFAULT_MAX_DEPTH, indent: int = 0) -> Iterator[str]:
    """The lines ``protoc --decode_raw`` prints for ``data``; raises ``DecodeError`` after the
    lines of every field read before the bytes stopped making sense.

    A length-delimited field at ``max_depth`` levels of nesting is shown as a string, unparsed
    (protoc stops at 10 levels; ddl's own decoder at 100, the default here).

    Example::

        >>> list(raw_lines(b"\\x08\\x96\\x01\\x12\\x04text\\x1a\\x02\\x08\\x01"))
        ['1: 150', '2: "text"', '3 {', '  1: 1', '}']
    """
    fields, error = parse_raw(data, 0, len(data), max_depth)
    yield from _print_fields(data, fields, max_depth, indent)
    if error is not None:
        raise error


def _print_fields(buf: bytes, fields: list[RawField], budget: int, indent: int) -> Iterator[str]:
    # One stack entry per open message or group: its remaining fields and its nesting budget.
    stack = [(iter(fields), budget)]
    while stack:
        remaining, budget = stack[-1]
        pad = "  " * (indent + len(stack) - 1)
        f = next(remaining, None)
        if f is None:
            stack.pop()
            if stack:
                yield pad[:-2] + "}"
            continue
        if f.wire_type == WT_VARINT:
            yield f"{pad}{f.number}: {f.value}"
        elif f.wire_type == WT_I32:
            yield f"{pad}{f.number}: 0x{f.value:08x}"
        elif f.wire_type == WT_I64:
            yield f"{pad}{f.number}: 0x{f.value:016x}"
        elif f.fields is not None:
            yield f"{pad}{f.number} {{"
            stack.append((iter(f.fields), budget - 1))
        else:
            nested = _as_message(buf, f, budget)
            if nested is None:
                yield f'{pad}{f.number}: "{c_escape(buf[f.start : f.end])}"'
            else:
                yield f"{pad}{f.number} {{"
                stack.append((iter(nested), budget - 1))


def _as_message(buf: bytes, f: RawField, budget: int) -> list[RawField] | None:
    """The fields of a length-delimited body if it reads completely as a message."""
    if f.start == f.end or budget <= 0:
        return None
    fields, error = parse_raw(buf, f.start, f.end, budget, nested=True)
    return fields if error is None else None


_SPECIAL = {ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t", ord('"'): '\\"', ord("'"): "\\'", ord("\\"): "\\\\"}
_ESCAPED = tuple(_SPECIAL.get(b, chr(b) if 0x20 <= b < 0x7F else f"\\{b:03o}") for b in range(256))


def c_escape(data: bytes) -> str:
    """``data`` as protoc's text format writes a string's bytes: printable ASCII as is, the usual
    backslash escapes, and octal escapes for every other byte.

    Example::

        >>> c_escape(b'h\\xc3\\xa9 "\\n\\x00')
        'h\\\\303\\\\251 \\\\"\\\\n\\\\000'
    """
    return "".join(map(_ESCAPED.__getitem__, data))
