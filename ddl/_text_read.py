"""Protobuf's text format, read: what ``text_format.Parse`` reads, into a ddl message.

``from_text`` reads the text into protobuf's binary form with the same tables ``to_text``
prints from (names to field numbers and nodes), and then decodes those bytes with the engine:
every value is checked and made as the binary decoder checks and makes it, a Timestamp's range
or a proto3 string's UTF-8 included, so the text format adds only its own syntax rules here.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Mapping
from typing import TypeVar

from . import _compiled, wkt
from ._api import decode_with
from ._errors import DecodeError
from ._limits import DEFAULT_MAX_DEPTH
from ._message import Message
from ._schema import (
    EnumNode,
    Kind,
    MapNode,
    MessageNode,
    Node,
    RepeatedNode,
    WellKnownNode,
    WrapperNode,
    plan_for,
)
from ._text import _SHAPES, Fields, _kind, _known_type, _message_fields, _shape
from ._wire import WT_EGROUP, WT_LEN, WT_SGROUP, write_uvarint

M = TypeVar("M", bound=Message)

# One token: space and # comments (skipped), a quoted string, a number (the sign is a token of
# its own, as protobuf's tokenizer has it), an identifier, or one character of punctuation.
_TOKEN = re.compile(
    r"""(?P<skip>(?:\s|\#[^\n]*)+)
      | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
      | (?P<number>(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)[fF]?)
      | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<punct>[{}<>\[\]:,;/.\-])""",
    re.VERBOSE,
)
_ESCAPE = re.compile(r"\\(?:([0-7]{1,3})|x([0-9a-fA-F]{1,2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|(.))", re.DOTALL)
_SIMPLE = {"n": b"\n", "t": b"\t", "r": b"\r", "a": b"\a", "b": b"\b", "f": b"\f", "v": b"\v",
           "\\": b"\\", "'": b"'", '"': b'"', "?": b"?"}  # fmt: skip
_RANGES = {
    Kind.INT32: (-(1 << 31), (1 << 31) - 1), Kind.SINT32: (-(1 << 31), (1 << 31) - 1),
    Kind.SFIXED32: (-(1 << 31), (1 << 31) - 1), Kind.ENUM: (-(1 << 31), (1 << 31) - 1),
    Kind.INT64: (-(1 << 63), (1 << 63) - 1), Kind.SINT64: (-(1 << 63), (1 << 63) - 1),
    Kind.SFIXED64: (-(1 << 63), (1 << 63) - 1),
    Kind.UINT32: (0, (1 << 32) - 1), Kind.FIXED32: (0, (1 << 32) - 1),
    Kind.UINT64: (0, (1 << 64) - 1), Kind.FIXED64: (0, (1 << 64) - 1),
}  # fmt: skip
_TRUE, _FALSE = ("true", "t", "True", "1"), ("false", "f", "False", "0")
_FIXED = {Kind.FIXED32: "<I", Kind.SFIXED32: "<i", Kind.FLOAT: "<f", Kind.FIXED64: "<Q", Kind.SFIXED64: "<q",
          Kind.DOUBLE: "<d"}  # fmt: skip


def from_text(text: str, cls: type[M], *, registry: Mapping[str, type] | None = None) -> M:
    """Read protobuf's text format into a ``cls``, as ``text_format.Parse`` reads it.

    Fields by their .proto names (a group by its message's name), ``:`` before a scalar, nested
    messages in ``{ }`` or ``< >``, repeated values one field at a time or in ``[a, b]``,
    ``#`` comments, integers in decimal, hex or octal, ``inf`` and ``nan``, strings with C
    escapes, enums by name or number, extensions as ``[full.name]``, and an Any as
    ``[type.googleapis.com/pkg.Msg] { ... }`` of a well-known type or one in ``registry``. A
    field it does not know, a singular field given twice or a value out of its range is a
    ``ddl.DecodeError`` with the offset in the text; what the text holds is then decoded as the
    binary form would be, with the same checks.

    Example::

        class Point(ddl.Message):
            x: int = 0
            tags: list[str] = []

        assert ddl.from_text('x: 1 tags: ["a", "b"]', Point) == Point(x=1, tags=["a", "b"])
    """
    if not isinstance(text, str):
        raise TypeError(f"from_text reads a str, not {type(text).__name__}")
    reader = _Reader(text, registry or {})
    out = bytearray()
    try:
        reader.message(_message_fields(cls), _oneofs(cls), out, None, DEFAULT_MAX_DEPTH + 1)
    except RecursionError:  # a few frames a level: called from deep in a program's own stack
        raise DecodeError("text format: nesting is too deep for Python's stack") from None
    return decode_with(_compiled.state.compiled, bytes(out), cls)


class _Reader:
    def __init__(self, text: str, registry: Mapping[str, type]) -> None:
        self.tokens = [(m.lastgroup or "", m.group(), m.start(), m.end()) for m in _tokens(text)]
        self.at = 0
        self.end = len(text)
        self.registry = registry

    def fail(self, message: str) -> DecodeError:
        offset = self.tokens[self.at][2] if self.at < len(self.tokens) else self.end
        return DecodeError(f"text format: {message}", offset)

    def peek(self) -> str | None:
        return self.tokens[self.at][1] if self.at < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise self.fail(f"expected {expected!r}" if expected else "unexpected end of text")
        self.at += 1
        return token

    def take_if(self, token: str) -> bool:
        if self.peek() == token:
            self.at += 1
            return True
        return False

    def message(self, fields: Fields, oneofs: dict[int, int], out: bytearray, close: str | None, depth: int) -> None:
        """Fields up to ``close`` (or the end of the text), written to ``out`` in protobuf's form.
        ``oneofs`` gives the members of a oneof one key, the first member's number."""
        if depth <= 0:
            raise self.fail("messages are nested deeper than max_depth")
        by_name = {name: number for number, (name, _) in fields.items()}
        seen: set[int] = set()
        while self.peek() != close:
            if self.peek() is None:
                raise self.fail(f"expected {close!r}")
            start = self.at
            name = self.field_name()
            if name.startswith("[") and "/" in name and fields is _ANY:
                self.any(name[1:-1], out, depth)
                continue
            number = by_name.get(name)
            if number is None:
                self.at = start
                raise self.fail(f"no field named {name!r}")
            node = fields[number][1]
            slot = oneofs.get(number, number)  # a oneof is set once, whichever member
            if not isinstance(node, (RepeatedNode, MapNode)) and slot in seen:
                self.at = start
                raise self.fail(
                    f"field {name!r} is given twice" if slot == number else f"{name!r}: its oneof is set already"
                )
            seen.add(slot)
            self.values(number, node, out, depth)
            if not self.take_if(","):
                self.take_if(";")
        if close is not None:
            self.take(close)

    def field_name(self) -> str:
        if not self.take_if("["):
            return self.take()
        parts = []
        while self.peek() != "]":
            parts.append(self.take())
        self.take("]")
        return "[" + "".join(parts) + "]"

    def values(self, number: int, node: Node, out: bytearray, depth: int) -> None:
        """One field's value, or its list of values in ``[ ]`` when it is repeated."""
        elem = node.elem if isinstance(node, RepeatedNode) else node
        colon = self.take_if(":")
        if isinstance(node, (RepeatedNode, MapNode)) and self.take_if("["):
            while not self.take_if("]"):
                self.value(number, elem, out, depth, colon)
                if self.peek() != "]":
                    self.take(",")
            return
        self.value(number, elem, out, depth, colon)

    def value(self, number: int, node: Node, out: bytearray, depth: int, colon: bool) -> None:
        if isinstance(node, MapNode):
            node = _EntryNode(node)
        if isinstance(node, (MessageNode, WellKnownNode, WrapperNode, _EntryNode)):
            body = self.braced(*_fields(node), depth - 1)
            if isinstance(node, MessageNode) and node.delimited:
                write_uvarint(out, number << 3 | WT_SGROUP)
                out += body
                write_uvarint(out, number << 3 | WT_EGROUP)
            else:
                _length_delimited(out, number, body)
            return
        if not colon:
            raise self.fail("expected ':'")
        self.scalar(number, node, out)

    def any(self, url: str, out: bytearray, depth: int) -> None:
        """``[url] { body }`` in an Any: its type_url and value fields."""
        fields = _known_type(url.rpartition("/")[2], self.registry)
        if fields is None:
            raise self.fail(f"no class for the Any's type {url!r}: pass registry={{name: <its ddl class>}}")
        self.take_if(":")
        body = self.braced(fields, _oneofs_of_fields(fields), depth - 1)
        _length_delimited(out, 1, url.encode())
        _length_delimited(out, 2, body)

    def braced(self, fields: Fields, oneofs: dict[int, int], depth: int) -> bytearray:
        """A message's body in ``{ }`` or ``< >``, written in protobuf's form."""
        close = {"{": "}", "<": ">"}.get(self.take())
        if close is None:
            raise self.back("expected '{' or '<'")
        body = bytearray()
        self.message(fields, oneofs, body, close, depth)
        return body

    def scalar(self, number: int, node: Node, out: bytearray) -> None:
        kind = _kind(node)
        if kind in (Kind.STRING, Kind.BYTES):
            data = self.string()
            _length_delimited(out, number, data)
            return
        negative = self.take_if("-")
        token = self.take()
        if negative and self.tokens[self.at - 2][3] != self.tokens[self.at - 1][2]:
            raise self.back("a '-' stands right before its number")
        if kind == Kind.BOOL:
            if negative or token not in _TRUE + _FALSE:
                raise self.back(f"expected a bool, not {token!r}")
            write_uvarint(out, number << 3)
            out.append(token in _TRUE)
            return
        if kind == Kind.ENUM and token[0].isalpha():
            assert isinstance(node, EnumNode)
            if negative or token not in node.value_numbers:
                raise self.back(f"enum {node.cls.__name__} has no value named {token!r}")
            _varint_field(out, number, node.value_numbers[token])
            return
        if kind in (Kind.FLOAT, Kind.DOUBLE):
            value = _float(token, negative)
            if value is None:
                raise self.back(f"expected a number, not {token!r}")
            write_uvarint(out, number << 3 | (5 if kind == Kind.FLOAT else 1))
            out += struct.pack(_FIXED[kind], _narrow(value) if kind == Kind.FLOAT else value)
            return
        integer = _integer(token, negative)
        low, high = _RANGES[kind]
        if integer is None or not low <= integer <= high:
            raise self.back(f"expected an integer of {kind.proto}, not {'-' * negative}{token}")
        if isinstance(node, EnumNode) and node.closed and integer not in node.by_number:
            raise self.back(f"enum {node.cls.__name__} has no value numbered {integer}")
        if kind in _FIXED:
            write_uvarint(out, number << 3 | (5 if struct.calcsize(_FIXED[kind]) == 4 else 1))
            out += struct.pack(_FIXED[kind], integer)
        elif kind in (Kind.SINT32, Kind.SINT64):
            _varint_field(out, number, (integer << 1) ^ (integer >> 63))
        else:
            _varint_field(out, number, integer)

    def back(self, message: str) -> DecodeError:
        """An error at the token just taken."""
        self.at -= 1
        return self.fail(message)

    def string(self) -> bytes:
        """One or more quoted strings, side by side, unescaped and joined."""
        if self.at >= len(self.tokens) or self.tokens[self.at][0] != "string":
            raise self.fail("expected a quoted string")
        parts = []
        while self.at < len(self.tokens) and self.tokens[self.at][0] == "string":
            parts.append(_unescape(self.tokens[self.at][1][1:-1]))
            self.at += 1
        return b"".join(parts)


class _EntryNode(Node):
    """A map's entry, read as the message ``{ key: ... value: ... }`` it is on the wire."""

    def __init__(self, node: MapNode) -> None:
        self.fields: Fields = {1: ("key", node.key), 2: ("value", node.value)}


def _fields(node: Node) -> tuple[Fields, dict[int, int]]:
    """The fields of a message-like node and its oneofs."""
    if isinstance(node, _EntryNode):
        return node.fields, {}
    if isinstance(node, MessageNode):
        return _message_fields(node.cls), _oneofs(node.cls)
    assert isinstance(node, (WellKnownNode, WrapperNode))
    fields = _shape(node)
    return fields, _oneofs_of_fields(fields)


def _oneofs(cls: type) -> dict[int, int]:
    """Each oneof member's number to its group's first number (a union's, or ``oneof=``'s)."""
    if cls is wkt.Value:
        return _VALUE_ONEOF
    found: dict[int, int] = {}
    groups: dict[str, int] = {}
    for f in plan_for(cls).fields:
        if f.oneof is not None:
            found[f.numbers[0]] = groups.setdefault(f.oneof, f.numbers[0])
        elif len(f.numbers) > 1:
            found.update(dict.fromkeys(f.numbers, f.numbers[0]))
    return found


def _oneofs_of_fields(fields: Fields) -> dict[int, int]:
    """The oneofs of a message known by its fields alone (an Any's packed type)."""
    if fields is _SHAPES["google.protobuf.Value"]:
        return _VALUE_ONEOF
    return {}


_VALUE_ONEOF = dict.fromkeys(range(1, 7), 1)  # google.protobuf.Value's kind
_ANY = _message_fields(wkt.Any)


def _tokens(text: str) -> list[re.Match[str]]:
    found, pos = [], 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise DecodeError(f"text format: unexpected character {text[pos]!r}", pos)
        if match.lastgroup != "skip":
            found.append(match)
        pos = match.end()
    return found


def _unescape(body: str) -> bytes:
    """A quoted string's body as bytes, as protobuf unescapes it: its text in UTF-8; ``\\n`` and
    the other C escapes (``\\?`` too, as C++ and the conformance suite read it, where Python's
    ``text_format`` keeps the backslash), octal and hex escapes as the bytes they give, ``\\u``
    and ``\\U`` as a character in UTF-8; a backslash before any other character kept as it is."""
    out = bytearray()
    pos = 0
    try:
        for m in _ESCAPE.finditer(body):
            out += body[pos : m.start()].encode("utf-8")
            pos = m.end()
            octal, hexa, u4, u8, other = m.groups()
            if octal is not None and int(octal, 8) <= 0xFF:
                out.append(int(octal, 8))
            elif hexa is not None:
                out.append(int(hexa, 16))
            elif u4 is not None or u8 is not None:
                out += chr(int(u4 or u8, 16)).encode("utf-8")
            elif other in _SIMPLE:
                out += _SIMPLE[other]
            elif other is None or other in "xuUN":  # an octal past \\377, a cut hex or Unicode escape
                raise DecodeError(f"text format: invalid escape {m.group()!r}")
            else:
                out += m.group().encode("utf-8")
        out += body[pos:].encode("utf-8")
    except (UnicodeEncodeError, ValueError) as e:  # a surrogate, or a code point past U+10FFFF
        if isinstance(e, DecodeError):
            raise
        raise DecodeError(f"text format: invalid string: {e}") from None
    return bytes(out)


def _integer(token: str, negative: bool) -> int | None:
    """An integer token in decimal, hex (``0x``) or octal (a leading ``0``), or None."""
    try:
        if token[:2] in ("0x", "0X"):
            value = int(token, 16)
        elif len(token) > 1 and token[0] == "0":
            value = int(token, 8)
        else:
            value = int(token, 10)
    except ValueError:
        return None
    return -value if negative else value


def _float(token: str, negative: bool) -> float | None:
    """A float token as protobuf's ``ParseFloat`` reads it: Python's syntax, ``inf``, ``infinity``
    and ``nan`` in any case, an ``f`` suffix; never a leading 0 before more digits."""
    if _OCTAL_FLOAT.match(token):
        return None
    try:
        value = float(token.rstrip("fF") if _SUFFIXED.fullmatch(token) else token)
    except ValueError:
        return None
    return -value if negative else value


_OCTAL_FLOAT = re.compile(r"0[0-9]")
_SUFFIXED = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fF]|(?i:inf(?:inity)?f|nanf)")


def _narrow(value: float) -> float:
    """A double as the float32 it rounds to, infinite beyond float32's range as protobuf makes it."""
    try:
        return float(struct.unpack("<f", struct.pack("<f", value))[0])
    except OverflowError:
        return float("inf") if value > 0 else float("-inf")


def _varint_field(out: bytearray, number: int, value: int) -> None:
    write_uvarint(out, number << 3)
    write_uvarint(out, value & ((1 << 64) - 1))


def _length_delimited(out: bytearray, number: int, body: bytes | bytearray) -> None:
    write_uvarint(out, number << 3 | WT_LEN)
    write_uvarint(out, len(body))
    out += body
