"""The JSON forms of ``ddl.wkt``'s classes, which protobuf writes specially rather than as
objects of their fields: wrappers as bare values, Value and ListValue as JSON itself, FieldMask
as one string, and Any as the message it packs with an ``"@type"`` beside its fields.

``SPECIAL`` maps each such class to its writer, ``writer(msg, options)``. Writers raise
TypeError or ValueError (or an EncodeError with a path) for values that cannot be written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import _wkt_codecs, wkt
from .._errors import DecodeError, EncodeError
from .._limits import DEFAULT_MAX_DEPTH
from .._schema import FieldPlan, Kind, MapNode, Node, RepeatedNode, UnionNode, WellKnownNode
from .._wire import read_tag, skip_field
from ._options import WriteOptions
from ._write_values import SCALARS, calendar_date, double, duration, json_object, json_value, timestamp

Special = Callable[[Any, WriteOptions], Any]


def _wrapper(kind: Kind) -> Special:
    convert = SCALARS[kind]
    return lambda msg, options: convert(msg.value)


def _value(msg: Any, options: WriteOptions) -> Any:
    kind = msg.kind
    if kind is None or isinstance(kind, wkt.NullValue):
        return None
    if isinstance(kind, wkt.ListValue):
        return _list_value(kind, options)
    if isinstance(kind, float):
        number = double(kind)
        if isinstance(number, str):
            raise ValueError(f"{kind} has no JSON form in a google.protobuf.Value (only finite numbers)")
        return number
    return json_value(kind)


def _list_value(msg: Any, options: WriteOptions) -> list[Any]:
    return json_value(list(msg.values))  # type: ignore[no-any-return]


def _field_mask(msg: Any, options: WriteOptions) -> str:
    return ",".join(_camel_path(path) for path in msg.paths)


def _camel_path(path: str) -> str:
    """A FieldMask path in lowerCamelCase, segment by segment; only paths that read back to
    themselves can be written (no capitals, each ``_`` before a lowercase letter), as protobuf
    requires."""
    if not isinstance(path, str):
        raise TypeError(f"expected str, got {type(path).__name__}")
    out: list[str] = []
    after_underscore = False
    for char in path:
        if char.isupper():
            raise ValueError(f"FieldMask path {path!r} has a capital letter, which JSON cannot keep")
        if after_underscore:
            if not ("a" <= char <= "z"):
                raise ValueError(f"FieldMask path {path!r}: a '_' must be followed by a lowercase letter")
            out.append(char.upper())
            after_underscore = False
        elif char == "_":
            after_underscore = True
        else:
            out.append(char)
    if after_underscore:
        raise ValueError(f"FieldMask path {path!r} ends with '_'")
    return "".join(out)


# The types an Any may pack that ddl knows without a registry, by full name: how to read the
# packed bytes, and how to write what was read. Timestamp, Duration and Struct have no class
# in ddl.wkt (their Python forms are datetime, timedelta and dict), so their codecs read them.
def _codec(decode: Callable[..., Any], write: Callable[[Any], Any]) -> Callable[[bytes, WriteOptions], Any]:
    return lambda data, options: write(decode(data, 0, len(data), DEFAULT_MAX_DEPTH))


_PACKED_CODECS: dict[str, Callable[[bytes, WriteOptions], Any]] = {
    "google.protobuf.Timestamp": _codec(_wkt_codecs.decode_timestamp, timestamp),
    "google.protobuf.Duration": _codec(_wkt_codecs.decode_duration, duration),
    "google.protobuf.Struct": _codec(_wkt_codecs.decode_struct, json_object),
}
_DATE = "google.type.Date"


def _any(msg: Any, options: WriteOptions) -> dict[str, Any]:
    from .._api import decode
    from ._write import write_value

    url, data = msg.type_url, msg.value
    if not url and not data:
        return {}
    if not isinstance(url, str) or not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError("an Any holds a str type_url and bytes value")
    name = url.rpartition("/")[2]
    data = bytes(data)
    try:
        codec = _PACKED_CODECS.get(name)
        if codec is not None:
            return {"@type": url, "value": codec(data, options)}
        if name == _DATE:
            return {"@type": url, **calendar_date(_wkt_codecs.decode_date(data, 0, len(data), DEFAULT_MAX_DEPTH))}
        cls = _WKT_BY_NAME.get(name) or options.registry.get(name)
        if cls is None:
            raise EncodeError(f"no class for the Any's type {url!r}: pass registry={{{name!r}: <its ddl class>}}")
        packed = decode(data, cls)
    except DecodeError as e:
        raise EncodeError(f"the Any's value is not a valid {name}: {e}") from None
    written = write_value(packed, options)
    if cls in SPECIAL:
        return {"@type": url, "value": written}
    return {"@type": url, **written}


SPECIAL: dict[type, Special] = {
    wkt.DoubleValue: _wrapper(Kind.DOUBLE), wkt.FloatValue: _wrapper(Kind.FLOAT),
    wkt.Int64Value: _wrapper(Kind.INT64), wkt.UInt64Value: _wrapper(Kind.UINT64),
    wkt.Int32Value: _wrapper(Kind.INT32), wkt.UInt32Value: _wrapper(Kind.UINT32),
    wkt.BoolValue: _wrapper(Kind.BOOL), wkt.StringValue: _wrapper(Kind.STRING), wkt.BytesValue: _wrapper(Kind.BYTES),
    wkt.Value: _value, wkt.ListValue: _list_value, wkt.FieldMask: _field_mask, wkt.Any: _any,
}  # fmt: skip
_WKT_BY_NAME: dict[str, type] = {f"google.protobuf.{cls.__name__}": cls for cls in (*SPECIAL, wkt.Empty)}
#: The full names an Any's JSON writes and reads with a form of their own (``"value"``, or a
#: ddl.wkt class's), whatever the registry says: the compiled engine leaves them to this module.
ANY_OWN_FORMS: frozenset[str] = frozenset({*_PACKED_CODECS, _DATE, *_WKT_BY_NAME})


def kept_tags(fields: list[FieldPlan]) -> dict[int, tuple[int, str]]:
    """The keys (tags) under which a message's decoder may keep a value of field ``fi`` among
    the unknown fields because its Python type cannot hold it (``WellKnownNode.checked_late``,
    as a datetime cannot hold a Timestamp of year 10000), each to ``(fi, what the value is)``."""
    tags: dict[int, tuple[int, str]] = {}
    for fi, f in enumerate(fields):
        node = f.node
        members: list[Node] = list(node.members) if isinstance(node, UnionNode) else [node]
        for number, member in zip(f.numbers, members, strict=False):
            inner = member.elem if isinstance(member, RepeatedNode) else member
            inner = inner.value if isinstance(inner, MapNode) else inner
            if isinstance(inner, WellKnownNode) and inner.checked_late:
                tags[number << 3 | 2] = (fi, inner.proto)
    return tags


def kept_value(unknown: bytes, tags: dict[int, tuple[int, str]]) -> tuple[int, str] | None:
    """The field and the message of the first value among the ``unknown`` fields that the
    decoder kept there (see ``kept_tags``): JSON has no form for it, and writing the message
    without it would drop a value of a field the class declares, so the writer refuses it, as
    protobuf's refuses a Timestamp out of its range."""
    pos = 0
    while pos < len(unknown):
        tag, after = read_tag(unknown, pos)
        if tag in tags:
            fi, proto = tags[tag]
            return fi, f"a {proto} that its Python type cannot hold (kept among the unknown fields) has no JSON form"
        pos = skip_field(unknown, after, len(unknown), tag, DEFAULT_MAX_DEPTH)
    return None
