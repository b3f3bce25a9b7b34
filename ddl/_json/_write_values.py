"""One value to its proto3 JSON form: what generated writers call off their inline fast paths.

Each converter takes a Python value of one node family and returns the plain value that
``json.dumps`` writes (a str, int, float, bool, None, list or dict), or raises TypeError or
ValueError, which the writer turns into an ``EncodeError`` naming the field. The generated code
handles the common exact types inline and calls these for everything else, so they also decide
every error.
"""

from __future__ import annotations

import binascii
import enum
import math
import struct
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from .. import _wkt_codecs
from .._errors import EncodeError, shown
from .._schema import EnumNode, Kind

_INT_RANGES = {
    Kind.INT32: (-(1 << 31), 1 << 31), Kind.SINT32: (-(1 << 31), 1 << 31), Kind.SFIXED32: (-(1 << 31), 1 << 31),
    Kind.UINT32: (0, 1 << 32), Kind.FIXED32: (0, 1 << 32),
    Kind.INT64: (-(1 << 63), 1 << 63), Kind.SINT64: (-(1 << 63), 1 << 63), Kind.SFIXED64: (-(1 << 63), 1 << 63),
    Kind.UINT64: (0, 1 << 64), Kind.FIXED64: (0, 1 << 64),
}  # fmt: skip
#: The kinds protobuf writes as JSON strings: a double cannot hold every 64-bit integer.
QUOTED = frozenset({Kind.INT64, Kind.UINT64, Kind.SINT64, Kind.FIXED64, Kind.SFIXED64})
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_FLOAT32 = struct.Struct("<f")
_FLOAT_EXACT = 1 << 53
# printf-style: half the time of an f-string with a format spec per part, on every timestamp
_RFC3339 = "%04d-%02d-%02dT%02d:%02d:%02d%sZ"


def int_range(kind: Kind) -> tuple[int, int]:
    """The values of an integral kind, as ``lo <= v < hi``."""
    return _INT_RANGES[kind]


def _type_error(expected: str, value: object) -> TypeError:
    return TypeError(f"expected {expected}, got {type(value).__name__}")


def integer(kind: Kind) -> Callable[[Any], Any]:
    """The converter of an integral kind: a number, or its decimal string for the 64-bit kinds."""
    lo, hi = _INT_RANGES[kind]
    quoted = kind in QUOTED

    def convert(value: Any) -> Any:
        if not isinstance(value, int):
            raise _type_error("int", value)
        if not lo <= value < hi:
            raise ValueError(f"{shown(value)} is out of range for {kind.proto}")
        return str(int(value)) if quoted else int(value)

    return convert


def boolean(value: Any) -> bool:
    if value is True or value is False:
        return value
    raise _type_error("bool", value)


def _special_float(value: float) -> Any:
    if value != value:
        return "NaN"
    if value in (math.inf, -math.inf):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def double(value: Any) -> Any:
    """A double: finite values as numbers, NaN and the infinities as protobuf's strings."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise _type_error("float", value)
    try:
        return _special_float(float(value))
    except OverflowError:
        raise ValueError(f"{shown(value)} is too large for a double") from None


def float32(value: Any) -> Any:
    """A float field: the value as the 4-byte float the wire holds, printed with the fewest
    digits that read back as that float (protobuf prints float fields so, not as doubles)."""
    value = double(value)
    if isinstance(value, str):
        return value
    try:
        single = _FLOAT32.unpack(_FLOAT32.pack(value))[0]
    except OverflowError:
        raise ValueError(f"{value} is outside the range of a 32-bit float") from None
    for digits in range(6, 10):
        shortest = float(f"{single:.{digits}g}")
        if _FLOAT32.unpack(_FLOAT32.pack(shortest))[0] == single:
            return shortest
    return single


def string(value: Any) -> str:
    if isinstance(value, str):
        return str(value)
    raise _type_error("str", value)


def base64(value: Any) -> str:
    """Standard base64 with padding, as protobuf writes bytes."""
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise _type_error("bytes", value)
    return binascii.b2a_base64(value, newline=False).decode("ascii")


SCALARS: dict[Kind, Callable[[Any], Any]] = {
    **{kind: integer(kind) for kind in _INT_RANGES},
    Kind.BOOL: boolean, Kind.DOUBLE: double, Kind.FLOAT: float32, Kind.STRING: string, Kind.BYTES: base64,
}  # fmt: skip


# --- enums ------------------------------------------------------------------------------------


def enum_names(node: EnumNode) -> dict[int, str | None]:
    """Each number's JSON name: the value's name in the .proto (``EnumNode.value_names``, the
    names ``ddl proto`` writes and ``ddl gen`` read), so protobuf reads it.
    google.protobuf.NullValue is JSON's null."""
    from ..wkt import NullValue

    if node.cls is NullValue:
        return {0: None}
    return dict(node.value_names)


def enum_converter(node: EnumNode, integers: bool) -> Callable[[Any], Any]:
    """The converter of an enum: its name (its number with ``integers``, or for a number an
    open enum does not know), None for NullValue (unless ``integers``, as protobuf does); a
    closed enum refuses numbers it lacks."""
    names = enum_names(node)
    null = names.get(0, "") is None and not integers

    def convert(value: Any) -> Any:
        if not isinstance(value, int) or isinstance(value, bool):
            raise _type_error(node.cls.__name__, value)
        if isinstance(value, enum.Enum) and not isinstance(value, node.cls):
            raise _type_error(node.cls.__name__, value)
        if node.closed and value not in node.by_number:
            raise ValueError(f"{value} is not a value of the closed enum {node.cls.__name__}")
        if not -(1 << 31) <= value < 1 << 31:
            raise ValueError(f"{value} is out of range for an enum (int32)")
        if null:
            return None
        if integers or value not in names:
            return int(value)
        return names[value]

    return convert


# --- Timestamp, Duration, Date ----------------------------------------------------------------


def _fraction(nanos: int) -> str:
    """0, 3, 6 or 9 digits, as few as hold the nanoseconds (protobuf's choice)."""
    if not nanos:
        return ""
    if nanos % 1_000_000 == 0:
        return f".{nanos // 1_000_000:03d}"
    if nanos % 1000 == 0:
        return f".{nanos // 1000:06d}"
    return f".{nanos:09d}"


def timestamp(value: Any) -> str:
    """An aware datetime as RFC 3339 in UTC: ``2024-05-01T12:00:00.250Z``."""
    if value.__class__ is datetime and value.tzinfo is UTC:
        # The common case, without arithmetic: every UTC datetime is in Timestamp's range.
        t, nanos = value, value.microsecond * 1000
    else:
        seconds, nanos = _wkt_codecs._timestamp_parts(value)
        t = _EPOCH + timedelta(seconds=seconds)
    return _RFC3339 % (t.year, t.month, t.day, t.hour, t.minute, t.second, _fraction(nanos))


def duration(value: Any) -> str:
    """A timedelta as protobuf's Duration text: seconds with 0, 3, 6 or 9 fraction digits and
    an ``s``, such as ``"-1.500s"``. Beyond protobuf's +-315,576,000,000 seconds, which the
    binary form holds, it is an error, as in ``json_format``."""
    seconds, nanos = _wkt_codecs._duration_parts(value)
    if not -_wkt_codecs._DUR_MAX <= seconds <= _wkt_codecs._DUR_MAX:
        raise ValueError(f"{value!r} is outside the Duration range of JSON, +-{_wkt_codecs._DUR_MAX} seconds")
    sign = "-" if seconds < 0 or nanos < 0 else ""
    return f"{sign}{abs(seconds)}{_fraction(abs(nanos))}s"


def calendar_date(value: Any) -> dict[str, int]:
    """A date as google.type.Date's JSON object."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise _type_error("date", value)
    return {"year": value.year, "month": value.month, "day": value.day}


# --- JSON values: typing.Any (google.protobuf.Value) and dict[str, Any] (Struct) --------------


def json_value(value: Any) -> Any:
    """A JSON-like value as itself, checked as the binary engines check it: no NaN or
    infinity (a Value's number cannot be written as one) and no int beyond 2**53. Errors
    name the key or index at fault in their path."""
    cls = value.__class__
    if cls is str or value is None or cls is bool:
        return value
    if cls is int or cls is float:
        return _number(value)
    if isinstance(value, dict):
        return json_object(value)
    if isinstance(value, (list, tuple)):
        return [_inside(json_value, item, f"[{i}]") for i, item in enumerate(value)]
    # Subclasses (an IntEnum, a str enum...) as their plain value, bool before int.
    for plain in (str, bool, int, float):
        if isinstance(value, plain):
            return json_value(plain(value))
    raise _type_error("a JSON value (None, bool, int, float, str, list, tuple or dict)", value)


def _number(value: int | float) -> int | float:
    if value.__class__ is int:
        if not -_FLOAT_EXACT <= value <= _FLOAT_EXACT:
            raise ValueError(f"int {value} exceeds 2**53 and would lose precision as a double")
        return value
    if not math.isfinite(value):
        raise ValueError(f"{value} has no JSON form in a google.protobuf.Value (only finite numbers)")
    return value


def json_object(value: Any) -> dict[str, Any]:
    """A dict with str keys as a JSON object."""
    if not isinstance(value, dict):
        raise _type_error("dict", value)
    out: dict[str, Any] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise TypeError(f"Struct keys must be str, got {type(key).__name__}")
        out[key] = _inside(json_value, item, f"[{key!r}]" if not key.isidentifier() else f".{key}")
    return out


def _inside(convert: Callable[[Any], Any], value: Any, segment: str) -> Any:
    """``convert(value)``; an error gets ``segment`` in its path (turned into an EncodeError)."""
    try:
        return convert(value)
    except EncodeError as e:
        e._push(segment)
        raise
    except (TypeError, ValueError) as e:
        err = EncodeError(str(e))
        err._push(segment)
        raise err from None
