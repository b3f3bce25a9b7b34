"""Protobuf's text format, written: the form ``text_format.MessageToString`` prints.

``to_text`` reads the message's own bytes (``ddl.encode``) with its plan, the way protobuf's
printer reads a parsed message: every field the bytes carry, in field-number order, extensions
among them by number, unknown fields left out. Reading the bytes rather than the Python values
gives the text protobuf gives for the same bytes by construction: what a field holds on the wire
(a ``datetime``'s seconds and nanos, a ``Decimal``'s string, a wrapper message around a nested
list) is what protobuf's message holds, and the encoder has already checked every value.
"""

from __future__ import annotations

import functools
import struct
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from . import _compiled, wkt
from ._api import decode, encode_with
from ._errors import DecodeError, EncodeError
from ._extensions import extensions_of
from ._limits import DEFAULT_MAX_DEPTH
from ._message import Message
from ._schema import (
    ConvertedNode,
    EnumNode,
    Kind,
    MapNode,
    MessageNode,
    Node,
    RepeatedNode,
    ScalarNode,
    WellKnownNode,
    WrapperNode,
    plan_for,
)
from ._wire import (
    WT_I32,
    WT_I64,
    WT_LEN,
    WT_SGROUP,
    WT_VARINT,
    group_end,
    read_length,
    read_tag,
    read_varint,
    skip_field,
    to_int32,
    to_int64,
    unzigzag,
)

#: A message's fields by number: the name the text gives it and the node that reads its value.
Fields = dict[int, tuple[str, Node]]


_INT64, _INT32, _STRING = ScalarNode("int64"), ScalarNode("int32"), ScalarNode("string")
_SHAPES: dict[str, Fields] = {
    "google.protobuf.Timestamp": {1: ("seconds", _INT64), 2: ("nanos", _INT32)},
    "google.protobuf.Duration": {1: ("seconds", _INT64), 2: ("nanos", _INT32)},
    "google.type.Date": {1: ("year", _INT32), 2: ("month", _INT32), 3: ("day", _INT32)},
    "google.protobuf.Struct": {1: ("fields", MapNode(key=_STRING, value=MessageNode(wkt.Value)))},
}
# google.protobuf.Value under its own names: wkt.Value holds its oneof as one field, ``kind``.
_KIND = plan_for(wkt.Value).fields[0]
_VALUE_NAMES = ("null_value", "number_value", "string_value", "bool_value", "struct_value", "list_value")
_SHAPES["google.protobuf.Value"] = {
    number: (name, member) for number, name, member in zip(_KIND.numbers, _VALUE_NAMES, _KIND.members, strict=True)
}

# protobuf's escapes for a quoted string (text_encoding.CEscape): the ASCII that is not printable
# as an octal escape, save the three with a letter, and the quotes and backslash escaped.
_STR_ESCAPES = {i: f"\\{i:03o}" for i in range(128) if not 32 <= i < 127}
_STR_ESCAPES.update({ord("\t"): "\\t", ord("\n"): "\\n", ord("\r"): "\\r"})
_STR_ESCAPES.update({ord('"'): '\\"', ord("'"): "\\'", ord("\\"): "\\\\"})
# bytes: every byte beyond ASCII in octal too
_BYTE_ESCAPES = [_STR_ESCAPES.get(i, chr(i)) if i < 128 else f"\\{i:03o}" for i in range(256)]

_FLOAT = struct.Struct("<f")
_DOUBLE = struct.Struct("<d")
_UINT32 = struct.Struct("<I")
_INT32_FIXED = struct.Struct("<i")
_UINT64 = struct.Struct("<Q")
_INT64_FIXED = struct.Struct("<q")


def to_text(
    msg: Message,
    *,
    as_one_line: bool = False,
    print_unknown_fields: bool = False,
    registry: Mapping[str, type] | None = None,
) -> str:
    """The message in protobuf's text format, as ``text_format.MessageToString`` prints it.

    Fields come in field-number order under their .proto names, enum values by name (a number
    the enum lacks as the number), strings quoted with protobuf's escapes (non-ASCII text as
    is), bytes with every byte beyond printable ASCII in octal, map entries sorted by key.
    Unknown fields are left out, or with ``print_unknown_fields`` printed last by number as
    protobuf prints them (a length-delimited one that parses as fields nested as a message, else
    as bytes); an extension prints as ``[full.name]``. A
    ``google.protobuf.Any`` is expanded (``[type.googleapis.com/pkg.Msg] { ... }``) when its
    type is a well-known one or in ``registry`` (full proto name to ddl class, as ``to_json``
    takes it), and printed as its two fields otherwise. ``as_one_line`` puts it all on one line.
    A value the binary encoder refuses raises the same ``ddl.EncodeError``.

    Example::

        class Point(ddl.Message):
            x: int = 0
            tags: list[str] = []

        assert ddl.to_text(Point(x=1, tags=["a", "b"])) == 'x: 1\\ntags: "a"\\ntags: "b"\\n'
        assert ddl.to_text(Point(x=1), as_one_line=True) == "x: 1"
    """
    if not isinstance(msg, Message):
        raise TypeError(f"to_text takes a ddl message, not {type(msg).__name__}")
    data = encode_with(_compiled.state.compiled, msg)
    printer = _Printer(as_one_line, print_unknown_fields, registry or {})
    depth = DEFAULT_MAX_DEPTH + 1  # the encoder's max_depth counts the messages below the top one
    try:
        if type(msg) is not wkt.Any or not printer.expand(data, 0, len(data), depth):
            printer.message(_message_fields(type(msg)), data, 0, len(data), depth)
    except DecodeError as e:  # only an Any's value, which the encoder writes as given
        raise EncodeError(f"to_text: {e}") from None
    except RecursionError:  # a few frames a level: called from deep in a program's own stack
        raise EncodeError("to_text: nesting is too deep for Python's stack") from None
    text = "".join(printer.out)
    return text.rstrip() if as_one_line else text


@functools.cache
def _fields_of(cls: type) -> Fields:
    """``cls``'s own fields (``_message_fields`` adds the extensions declared for it so far,
    which may grow)."""
    found: Fields = {}
    for f in plan_for(cls).fields:
        nodes = f.members if f.members else [f.node]
        for number, name, node in zip(f.numbers, f.proto_names, nodes, strict=True):
            found[number] = (_group_name(cls, name, node), node)
    return found


def _group_name(owner: type, name: str, node: Node) -> str:
    """A group's field prints as its message's name (``_IsGroupLike`` in protobuf): a delimited
    message field named as its class in lower case, the class declared inside the owner."""
    if isinstance(node, RepeatedNode):
        node = node.elem
    if (
        isinstance(node, MessageNode)
        and node.delimited
        and name == node.cls.__name__.lower()
        and node.cls.__qualname__ == f"{owner.__qualname__}.{node.cls.__name__}"
    ):
        return node.cls.__name__
    return name


def _message_fields(cls: type) -> Fields:
    """The fields of a ddl class's message: its own and its extensions, each named
    ``[full.name]``; ``wkt.Value``'s under protobuf's names."""
    if cls is wkt.Value:
        return _SHAPES["google.protobuf.Value"]
    fields = _fields_of(cls)
    extensions = extensions_of(cls)
    if not extensions:
        return fields
    found = dict(fields)
    for ext in extensions:
        node = plan_for(ext._holder).fields[0].node
        found[ext.number] = (f"[{ext.name}]", node)
    return found


def _shape(node: WellKnownNode | WrapperNode) -> Fields:
    if isinstance(node, WrapperNode):
        inner = node.inner
        nodes = inner.members if inner.members else [inner.node]
        return {n: (name, member) for n, name, member in zip(inner.numbers, inner.proto_names, nodes, strict=True)}
    return _SHAPES[node.proto]


class _Printer:
    def __init__(self, one_line: bool, unknown: bool, registry: Mapping[str, type]) -> None:
        self.out: list[str] = []
        self.one_line = one_line
        self.unknown = unknown
        self.registry = registry
        self.indent = 0

    def message(self, fields: Fields, data: bytes, pos: int, end: int, depth: int) -> None:
        """Print the body ``data[pos:end]`` of a message whose fields are ``fields``."""
        if depth <= 0:
            raise DecodeError("messages are nested deeper than max_depth", pos)
        found: dict[int, list[tuple[int, int, int]]] = {}  # number -> (wire type, start, end)
        unknown: list[tuple[int, int, int, int]] = []  # (number, wire type, start, end), in order
        for number, wire_type, start, stop in _spans(data, pos, end, depth):
            # A field in another wire type than its own is an unknown field to protobuf too, as is
            # a number a closed enum lacks (ddl keeps those among the unknown fields, as protobuf).
            node = fields[number][1] if number in fields else None
            if (
                node is not None
                and wire_type in _wire_types(node)
                and not _kept_unknown(node, data, wire_type, start, stop)
            ):
                found.setdefault(number, []).append((wire_type, start, stop))
            else:
                unknown.append((number, wire_type, start, stop))
        for number in sorted(found):
            name, node = fields[number]
            self.field(name, node, data, found[number], depth)
        if self.unknown:
            self.unknown_fields(data, unknown, depth)

    def unknown_fields(self, data: bytes, fields: list[tuple[int, int, int, int]], depth: int) -> None:
        """Unknown fields as protobuf prints them (``_PrintUnknownFields``): a number and its raw
        value, a group's fields nested, a length-delimited body nested when it parses as fields,
        else quoted as bytes."""
        for number, wire_type, start, stop in fields:
            if wire_type == WT_LEN:
                nested = _unknown_field_set(data, start, stop, depth)
                if nested is None:
                    self.scalar(str(number), _BYTES, data[start:stop])
                    continue
            elif wire_type == WT_SGROUP:
                nested = _unknown_field_set(data, start, stop, depth)
            else:
                self.out.append(f"{' ' * self.indent}{number}: {int(_raw(data, wire_type, start, stop))}")
                self.out.append(" " if self.one_line else "\n")
                continue
            if depth <= 1 or nested is None:
                raise DecodeError("messages are nested deeper than max_depth", start)
            self.open(str(number))
            self.unknown_fields(data, nested, depth - 1)
            self.close()

    def field(self, name: str, node: Node, data: bytes, spans: list[tuple[int, int, int]], depth: int) -> None:
        if isinstance(node, MapNode):
            self.map(name, node, data, spans, depth)
        elif isinstance(node, RepeatedNode):
            for wire_type, start, stop in spans:
                if wire_type == WT_LEN and node.packed:
                    for raw in _packed(node.elem, data, start, stop):
                        if not _closed_lacks(node.elem, raw):
                            self.scalar(name, node.elem, raw)
                else:
                    self.value(name, node.elem, data, wire_type, start, stop, depth)
        else:  # the last occurrence of a scalar wins; ddl's encoder writes one of each
            wire_type, start, stop = spans[-1]
            self.value(name, node, data, wire_type, start, stop, depth)

    def value(self, name: str, node: Node, data: bytes, wire_type: int, start: int, stop: int, depth: int) -> None:
        if isinstance(node, MessageNode):
            self.nested(name, _message_fields(node.cls), data, start, stop, depth, node.cls is wkt.Any)
        elif isinstance(node, (WellKnownNode, WrapperNode)):
            self.nested(name, _shape(node), data, start, stop, depth)
        else:
            self.scalar(name, node, _raw(data, wire_type, start, stop))

    def nested(
        self, name: str, fields: Fields, data: bytes, start: int, stop: int, depth: int, any_body: bool = False
    ) -> None:
        """``name { ... }``: a message field, its body ``data[start:stop]`` (an Any's expanded when
        ``any_body`` and its type is known)."""
        self.open(name)
        if not any_body or not self.expand(data, start, stop, depth - 1):
            self.message(fields, data, start, stop, depth - 1)
        self.close()

    def open(self, name: str) -> None:
        """``name {``: on one line, with nothing indented (protobuf indents only the lines)."""
        if self.one_line:
            self.out.append(f"{name} {{ ")
        else:
            self.out.append(f"{' ' * self.indent}{name} {{\n")
            self.indent += 2

    def close(self) -> None:
        if self.one_line:
            self.out.append("} ")
        else:
            self.indent -= 2
            self.out.append(f"{' ' * self.indent}}}\n")

    def scalar(self, name: str, node: Node, raw: int | bytes) -> None:
        self.out.append(f"{' ' * self.indent}{name}: {_scalar_text(node, raw)}{' ' if self.one_line else chr(10)}")

    def expand(self, data: bytes, start: int, stop: int, depth: int) -> bool:
        """Print an Any's body ``data[start:stop]`` expanded, as ``[url] { ... }``, when its type is
        a well-known one or in the registry (protobuf's printer asks its descriptor pool)."""
        held = decode(data[start:stop], wkt.Any)
        url, body = held.type_url, held.value
        if "/" not in url:
            return False
        fields = _known_type(url.rpartition("/")[2], self.registry)
        if fields is None:
            return False
        self.open(f"[{url}]")
        if not url.endswith("/google.protobuf.Any") or not self.expand(body, 0, len(body), depth - 1):
            self.message(fields, body, 0, len(body), depth - 1)
        self.close()
        return True

    def map(self, name: str, node: MapNode, data: bytes, spans: list[tuple[int, int, int]], depth: int) -> None:
        """Map entries sorted by key, each printed as the entry message protobuf makes of it."""
        entries: dict[Any, tuple[int | bytes, tuple[bytes, int, int, int] | None]] = {}
        for _, start, stop in spans:
            key_raw: int | bytes = 0 if node.key.kind != Kind.STRING else b""
            value: tuple[bytes, int, int, int] | None = None
            for number, wire_type, at, pos in _spans(data, start, stop, depth):
                # An entry's field in another wire type than its own is unknown to protobuf too.
                if number == 1 and wire_type == node.key.wire_type:
                    key_raw = _raw(data, wire_type, at, pos)
                elif number == 2 and wire_type in _wire_types(node.value):
                    value = (data, wire_type, at, pos)
            entries[_key(node.key, key_raw)] = (key_raw, value)
        # protobuf prints the entry message it builds of each key and value. In a proto3 file
        # the entry's fields have implicit presence and a zero key or value is left out; a map of
        # closed enum values cannot be in one, and its entries print both.
        explicit = isinstance(node.value, EnumNode) and node.value.closed
        for key in sorted(entries):
            key_raw, value = entries[key]
            self.open(name)
            if key or explicit:
                self.scalar("key", node.key, key_raw)
            self.entry_value(node.value, value, explicit, depth)
            self.close()

    def entry_value(self, node: Node, value: tuple[bytes, int, int, int] | None, explicit: bool, depth: int) -> None:
        """A map entry's value: a message always (protobuf's entry holds one, if empty), a scalar
        unless it is zero and the entry's fields have implicit presence."""
        if _message_like(node):
            data, wire_type, start, stop = value if value is not None else (b"", WT_LEN, 0, 0)
            self.value("value", node, data, wire_type, start, stop, depth)
            return
        raw: int | bytes = _raw(*value) if value is not None else (b"" if node.wire_type == WT_LEN else 0)
        if explicit or raw not in (0, b""):
            self.scalar("value", node, raw)


_BYTES = ScalarNode("bytes")


def _kept_unknown(node: Node, data: bytes, wire_type: int, start: int, stop: int) -> bool:
    """Whether protobuf keeps this occurrence of a known field among the unknown fields: a number
    a closed enum lacks, alone or as a map entry's value (the whole entry is kept)."""
    if isinstance(node, RepeatedNode):
        node = node.elem
    if isinstance(node, MapNode):
        value = _entry_value(node, data, start, stop)
        return value is not None and _unknown_closed(node.value, *value)
    return wire_type == WT_VARINT and _unknown_closed(node, data, wire_type, start, stop)


def _entry_value(node: MapNode, data: bytes, start: int, stop: int) -> tuple[bytes, int, int, int] | None:
    """A map entry's value field (the last one given in its own wire type), as ``(data, wire
    type, start, end)``."""
    value = None
    for number, wire_type, at, pos in _spans(data, start, stop, DEFAULT_MAX_DEPTH):
        if number == 2 and wire_type in _wire_types(node.value):
            value = (data, wire_type, at, pos)
    return value


def _unknown_field_set(data: bytes, pos: int, end: int, depth: int) -> list[tuple[int, int, int, int]] | None:
    """``data[pos:end]`` as fields, ``(number, wire type, start, end)``, or None when it is not
    made of whole fields (a string's bytes, say)."""
    try:
        return list(_spans(data, pos, end, depth))
    except DecodeError:
        return None


def _spans(data: bytes, pos: int, end: int, depth: int) -> Iterator[tuple[int, int, int, int]]:
    """The fields of the body ``data[pos:end]``, in order: ``(number, wire type, start, end)``,
    where a length-delimited value starts after its length and a group's ends at its end tag."""
    while pos < end:
        tag, pos = read_tag(data, pos)
        number, wire_type, start = tag >> 3, tag & 7, pos
        if wire_type == WT_SGROUP:
            stop, pos = group_end(data, pos, end, number, depth)
        else:
            pos = skip_field(data, pos, end, tag, depth)
            stop = pos
        if wire_type == WT_LEN:
            _, start = read_length(data, start, end)
        yield number, wire_type, start, stop


def _closed_lacks(node: Node, raw: int | bytes) -> bool:
    """Whether ``raw`` is a number a closed enum lacks: protobuf keeps it among the unknown
    fields (as ddl does), so it prints nothing of it."""
    return isinstance(node, EnumNode) and node.closed and to_int32(int(raw)) not in node.by_number


def _unknown_closed(node: Node, data: bytes, wire_type: int, start: int, stop: int) -> bool:
    """``_closed_lacks`` of the value at ``data[start:stop]``."""
    return isinstance(node, EnumNode) and node.closed and _closed_lacks(node, _raw(data, wire_type, start, stop))


def _wire_types(node: Node) -> tuple[int, ...]:
    """The wire types a field of ``node`` is read in: a packable repeated field's in either form."""
    if isinstance(node, RepeatedNode):
        return (WT_LEN, node.elem.wire_type) if node.packed else (node.elem.wire_type,)
    return (node.wire_type,)


def _message_like(node: Node) -> bool:
    return isinstance(node, (MessageNode, WellKnownNode, WrapperNode))


def _known_type(name: str, registry: Mapping[str, type]) -> Fields | None:
    """The fields of the message named ``name`` (full proto name), when it is known."""
    if name in _SHAPES:
        return _SHAPES[name]
    cls = _WKT_BY_NAME.get(name) or registry.get(name)
    return None if cls is None else _message_fields(cls)


_WKT_BY_NAME: dict[str, type] = {
    f"google.protobuf.{cls.__name__}": cls
    for cls in (
        wkt.Any, wkt.Empty, wkt.FieldMask, wkt.ListValue, wkt.DoubleValue, wkt.FloatValue, wkt.Int64Value,
        wkt.UInt64Value, wkt.Int32Value, wkt.UInt32Value, wkt.BoolValue, wkt.StringValue, wkt.BytesValue, wkt.Value,
    )
}  # fmt: skip


def _raw(data: bytes, wire_type: int, start: int, stop: int) -> int | bytes:
    """A scalar's wire value: the varint or fixed-width bits as an unsigned int, or the bytes."""
    if wire_type == WT_VARINT:
        return read_varint(data, start)[0]
    if wire_type == WT_I32:
        return int(_UINT32.unpack_from(data, start)[0])
    if wire_type == WT_I64:
        return int(_UINT64.unpack_from(data, start)[0])
    return data[start:stop]


def _packed(node: Node, data: bytes, pos: int, stop: int) -> list[int | bytes]:
    """The raw values of a packed run."""
    found: list[int | bytes] = []
    width = {WT_I32: 4, WT_I64: 8}.get(node.wire_type)
    while pos < stop:
        if width is None:
            raw, pos = read_varint(data, pos)
            found.append(raw)
        else:
            found.append(_raw(data, node.wire_type, pos, pos + width))
            pos += width
    return found


def _kind(node: Node) -> Kind:
    if isinstance(node, ConvertedNode):
        return node.base.kind
    if isinstance(node, (ScalarNode, EnumNode)):
        return node.kind
    raise TypeError(f"not a scalar: {node!r}")  # the plan gives no other leaf


def _number(kind: Kind, raw: int) -> Any:
    """A number's value from its wire bits, as protobuf's message holds it."""
    return _NUMBERS[kind](raw)


_NUMBERS: dict[Kind, Callable[[int], Any]] = {
    Kind.INT64: to_int64,
    Kind.INT32: to_int32,
    Kind.UINT32: lambda u: u & 0xFFFFFFFF,
    Kind.UINT64: lambda u: u,
    Kind.SINT32: lambda u: unzigzag(u & 0xFFFFFFFF),
    Kind.SINT64: unzigzag,
    Kind.BOOL: bool,
    Kind.ENUM: to_int32,
    Kind.FIXED32: lambda u: u,
    Kind.SFIXED32: lambda u: _INT32_FIXED.unpack(_UINT32.pack(u))[0],
    Kind.FLOAT: lambda u: _FLOAT.unpack(_UINT32.pack(u))[0],
    Kind.FIXED64: lambda u: u,
    Kind.SFIXED64: lambda u: _INT64_FIXED.unpack(_UINT64.pack(u))[0],
    Kind.DOUBLE: lambda u: _DOUBLE.unpack(_UINT64.pack(u))[0],
}


def _key(node: ScalarNode, raw: int | bytes) -> Any:
    """A map key as a sortable Python value (protobuf sorts the keys of its map as Python does)."""
    if isinstance(raw, bytes):
        return raw.decode("utf-8", "surrogateescape")
    return _number(node.kind, raw)


def _scalar_text(node: Node, raw: int | bytes) -> str:
    kind = _kind(node)
    if isinstance(raw, bytes):
        if kind == Kind.BYTES:
            return '"' + "".join([_BYTE_ESCAPES[b] for b in raw]) + '"'
        return '"' + _escape_utf8(raw) + '"'
    value = _number(kind, raw)
    if kind == Kind.BOOL:
        return "true" if value else "false"
    if kind == Kind.ENUM:
        assert isinstance(node, EnumNode)
        name = node.value_names.get(value)
        return str(value) if name is None else name
    if kind == Kind.FLOAT:
        return str(_shortest_float(value))
    return str(value)


def _escape_utf8(raw: bytes) -> str:
    """A string's bytes escaped as protobuf escapes them: valid UTF-8 as text, any other byte in
    octal (a string of ``ddl.field(verify_utf8=False)`` may hold such bytes)."""
    try:
        return raw.decode("utf-8").translate(_STR_ESCAPES)
    except UnicodeDecodeError as e:
        head = raw[: e.start].decode("utf-8").translate(_STR_ESCAPES)
        return head + _BYTE_ESCAPES[raw[e.start]] + _escape_utf8(raw[e.start + 1 :])


def _shortest_float(value: float) -> float:
    """The float32's shortest decimal form that reads back as the same float32 (6 to 9 digits),
    as protobuf prints a float field; NaN and the infinities as they are."""
    if value != value or value in (float("inf"), float("-inf")):
        return value
    for precision in range(6, 10):
        rounded = float(f"{value:.{precision}g}")
        if _FLOAT.unpack(_FLOAT.pack(rounded))[0] == value:
            return rounded
    return value
