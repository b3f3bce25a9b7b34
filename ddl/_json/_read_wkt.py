"""Readers of the ``ddl.wkt`` classes whose JSON form is special: the wrappers (a bare value),
Value and ListValue (JSON itself), FieldMask (one string) and Any (``{"@type": ...}``).

Each has the signature of a generated reader, ``read(obj, ign, reg, budget)``; ``special``
gives the one of a class, or None for a class read field by field (Empty among them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import _wkt_codecs, wkt
from .._errors import DecodeError
from .._schema import Kind, ScalarNode
from . import _read_values as rv

Reader = Callable[[Any, bool, Any, int], Any]

# The wrappers' one field, ``value``, by its .proto kind.
WRAPPERS: dict[type, str] = {
    wkt.DoubleValue: "double",
    wkt.FloatValue: "float",
    wkt.Int64Value: "int64",
    wkt.UInt64Value: "uint64",
    wkt.Int32Value: "int32",
    wkt.UInt32Value: "uint32",
    wkt.BoolValue: "bool",
    wkt.StringValue: "string",
    wkt.BytesValue: "bytes",
}
_RANGES = {
    Kind.INT32: (-(1 << 31), (1 << 31) - 1),
    Kind.UINT32: (0, (1 << 32) - 1),
    Kind.INT64: (-(1 << 63), (1 << 63) - 1),
    Kind.UINT64: (0, (1 << 64) - 1),
}


def _made(cls: type, **fields: Any) -> Any:
    obj: Any = object.__new__(cls)
    for name, value in fields.items():
        setattr(obj, name, value)
    obj._ddl_unknown = None
    return obj


def scalar(node: ScalarNode, value: object) -> Any:
    """A wrapper's value: the JSON form of its scalar kind."""
    kind = node.kind
    if kind in _RANGES:
        return rv.to_int(value, *_RANGES[kind], kind.proto)
    if kind.floating:
        return rv.to_float(value, kind == Kind.FLOAT)
    if kind == Kind.BOOL:
        return value if value is True or value is False else rv.to_bool(value)
    if kind == Kind.STRING:
        return rv.to_str(value)
    return rv.to_bytes(value)


def _wrapper(cls: type) -> Reader:
    node = ScalarNode(WRAPPERS[cls])

    def read(obj: Any, ign: bool, reg: Any, budget: int) -> Any:
        return _made(cls, value=scalar(node, obj))

    return read


def read_value(obj: Any, ign: bool, reg: Any, budget: int) -> wkt.Value:
    """google.protobuf.Value kept exactly: null is the null value, not absence."""
    if obj is None:
        kind: Any = wkt.NullValue.NULL_VALUE
    elif type(obj) is list or type(obj) is tuple:
        kind = read_list_value(obj, ign, reg, budget)
    else:
        kind = rv.to_native(obj, budget)
    return _made(wkt.Value, kind=kind)  # type: ignore[no-any-return]


def read_list_value(obj: Any, ign: bool, reg: Any, budget: int) -> wkt.ListValue:
    if type(obj) is not list and type(obj) is not tuple:
        raise rv.fail(f"a ListValue needs an array, got {rv.kind_of(obj)}")
    return _made(wkt.ListValue, values=rv.to_native(list(obj), budget))  # type: ignore[no-any-return]


def read_field_mask(obj: Any, ign: bool, reg: Any, budget: int) -> wkt.FieldMask:
    """``"user.displayName,photo"``: comma-joined lowerCamelCase paths, kept in snake_case."""
    if type(obj) is not str:
        raise rv.fail(f"a FieldMask is a string of comma-joined paths, got {rv.kind_of(obj)}")
    paths = [rv.camel_to_snake(p) for p in obj.split(",")] if obj else []
    return _made(wkt.FieldMask, paths=paths)  # type: ignore[no-any-return]


# The well-known types an Any may hold without a registry entry, by full name: how each one's
# JSON "value" becomes its bytes.
def _native_bytes(convert: Callable[[Any], Any], encode: Callable[..., None]) -> Callable[[Any, int], bytes]:
    def pack(value: Any, budget: int) -> bytes:
        out = bytearray()
        encode(convert(value), out, budget, False)
        return bytes(out)

    return pack


_NATIVE: dict[str, Callable[[Any, int], bytes]] = {
    "google.protobuf.Timestamp": _native_bytes(rv.to_timestamp, _wkt_codecs.encode_timestamp),
    "google.protobuf.Duration": _native_bytes(rv.to_duration, _wkt_codecs.encode_duration),
}
_WKT_NAMES: dict[str, type] = {
    f"google.protobuf.{cls.__name__}": cls
    for cls in (*WRAPPERS, wkt.Value, wkt.ListValue, wkt.FieldMask, wkt.Any, wkt.Empty)
}


def read_any(obj: Any, ign: bool, reg: Any, budget: int) -> wkt.Any:
    """``{"@type": "type.googleapis.com/shop.Order", ...Order's fields}``, or for a well-known
    type inside, ``{"@type": ..., "value": <its JSON form>}``. The type is found in ``reg``
    (full proto names to ddl classes), or among the well-known types; ``{}`` is an empty Any."""
    from .._api import encode
    from ._read import reader_for

    if type(obj) is not dict:
        raise rv.fail(f"an Any needs a JSON object, got {rv.kind_of(obj)}")
    if not obj:
        return _made(wkt.Any, type_url="", value=b"")  # type: ignore[no-any-return]
    if budget < 0:
        raise rv.fail("the JSON nests messages too deeply")
    url = obj.get("@type")
    if type(url) is not str:
        raise rv.fail('an Any needs its "@type", a string such as "type.googleapis.com/shop.Order"')
    name = url.rpartition("/")[2]
    if "/" not in url or not name:
        raise rv.fail(f"{url!r} is not a type URL such as type.googleapis.com/shop.Order")
    cls = reg.get(name) or _WKT_NAMES.get(name)
    if name in _NATIVE and cls is None:
        data = _NATIVE[name](_only_value(obj, ign), budget - 1)
    elif name in ("google.protobuf.Struct",) and cls is None:
        data = _native_bytes(lambda v: rv.to_struct(v, budget - 1), _wkt_codecs.encode_struct)(
            _only_value(obj, ign), budget - 1
        )
    elif cls is None:
        raise rv.fail(f"the Any holds {name}, which the registry does not name")
    elif special(cls) is not None:
        data = encode(reader_for(cls)(_only_value(obj, ign), ign, reg, budget - 1))
    else:
        rest = {k: v for k, v in obj.items() if k != "@type"}
        data = encode(reader_for(cls)(rest, ign, reg, budget - 1))
    return _made(wkt.Any, type_url=url, value=data)  # type: ignore[no-any-return]


def _only_value(obj: dict[str, Any], ign: bool) -> Any:
    """The "value" of an Any holding a well-known type; other keys are unknown fields."""
    if "value" not in obj:
        raise rv.fail('an Any holding a well-known type needs its "value"')
    extra = [k for k in obj if k not in ("@type", "value")]
    if extra and not ign:
        raise DecodeError(f"an Any holding a well-known type has no field named {extra[0]!r}")
    return obj["value"]


_SPECIAL: dict[type, Reader] = {
    **{cls: _wrapper(cls) for cls in WRAPPERS},
    wkt.Value: read_value,
    wkt.ListValue: read_list_value,
    wkt.FieldMask: read_field_mask,
    wkt.Any: read_any,
}


def special(cls: type) -> Reader | None:
    return _SPECIAL.get(cls)
