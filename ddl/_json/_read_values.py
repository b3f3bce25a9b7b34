"""The JSON forms of single values, as generated readers call them off their fast paths.

A generated reader checks the common form inline (an ``int`` for an int32, a ``str`` for a
string) and calls these for everything else: numbers given as strings, integral floats, the
special float names, base64 in either alphabet, enum names, and the well-known types' strings.
Each raises ``DecodeError`` (without a path: the generated reader adds it) for what
protobuf's JSON parser rejects.
"""

from __future__ import annotations

import binascii
import math
import re
import struct
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from .._errors import DecodeError, shown
from .._nanotime import DatetimeNs, TimedeltaNs
from .._schema import EnumNode
from .._wkt_codecs import decimal_from_wire, uuid_from_wire

#: Returned for an enum name (or a closed enum's number) that ``ignore_unknown_fields`` drops:
#: the field stays unset, the element or map entry is left out.
SKIP = object()

# A number in a string, as protobuf's C++ and Python parsers read one: a JSON number, and
# also with a "+", leading zeros, or no digits on one side of the point ("5.", ".5"); no spaces,
# "_", "inf" or "0x". An integer of this form is read as int() reads it.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
_INTEGER = re.compile(r"[+-]?[0-9]+\Z")
# More significant digits than any field's range holds (uint64 has 20). Python refuses to make
# an int of more than 4,300 digits from a str (ValueError): the reader refuses a number this
# long before it converts it.
_MAX_DIGITS = 20
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_B64_OK = re.compile(r"[A-Za-z0-9+/\-_]*={0,2}\Z")
_URLSAFE = bytes.maketrans(b"-_", b"+/")
# The least double that float32 rounds to infinity: halfway between its largest value and the next
# power of two (the tie rounds to even, away from the largest value's odd last bit). Below it a
# double is a float32 value once rounded: protobuf writes float32's largest value as
# 3.4028235e+38, a little above it as a double, and reads it back so, as C++'s parser does.
_FLOAT_OVERFLOW = float.fromhex("0x1.ffffffp+127")
_PACK_F = struct.Struct("<f")
_SPECIAL_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}

_TIMESTAMP = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?"
    r"(?:(Z)|([+-])([0-9]{2}):([0-9]{2}))\Z"
)
_DURATION = re.compile(r"(-)?([0-9]+)(?:\.([0-9]{1,9}))?s\Z")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TS_MIN, _TS_MAX = -62_135_596_800, 253_402_300_799  # 0001-01-01T00:00:00Z, 9999-12-31T23:59:59Z
_DUR_MAX = 315_576_000_000


def fail(message: str) -> DecodeError:
    return DecodeError(message)


def _show(value: object) -> str:
    text = shown(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _significant(digits: str) -> str:
    """An integer's digits (a sign, leading zeros and all) without its sign and leading zeros,
    which int() would count against its limit too."""
    return digits.lstrip("+-").lstrip("0")


def kind_of(value: object) -> str:
    """A JSON value's kind as error messages name it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


# --- Numbers ------------------------------------------------------------------------------------


def to_int(value: object, lo: int, hi: int, what: str) -> int:
    """An integer field's value from a JSON number or a numeric string: ``1e3``, ``"1000.0"``
    and ``"+01000"`` are 1000, ``1.5`` is an error (a fraction is read as a double, so one its
    precision loses is not), and so is anything outside ``lo..hi``, however many digits it has."""
    if type(value) is int:
        number = value
    elif type(value) is float:
        if not value.is_integer():
            raise fail(f"{what} needs an integer, got {value!r}")
        number = int(value)
    elif type(value) is str:
        if _INTEGER.match(value):
            significant = _significant(value)
            if len(significant) > _MAX_DIGITS:
                raise fail(f"{_show(value)} is outside the range of {what} ({lo}..{hi})")
            number = int(significant or "0")
            if value[0] == "-":
                number = -number
        else:
            # A fraction or an exponent: read as the double it spells, as the same number
            # unquoted is (and as protobuf's C++ and Python parsers read both).
            double = float(value) if _NUMBER.match(value) else math.nan
            if not double.is_integer():  # (nor are NaN and the infinities)
                raise fail(f"{what} needs an integer, got the string {_show(value)}")
            number = int(double)
    else:
        raise fail(f"{what} needs a number or a numeric string, got {kind_of(value)}")
    if not lo <= number <= hi:
        raise fail(f"{_show(number)} is outside the range of {what} ({lo}..{hi})")
    return number


def to_float(value: object, single: bool) -> float:
    """A float or double field's value: a finite JSON number, or a string holding a number or
    ``"NaN"``, ``"Infinity"``, ``"-Infinity"``. A float32 must be within its range; it is
    rounded to float32, as protobuf stores it."""
    what = "float" if single else "double"
    if type(value) is float or type(value) is int:
        try:
            number = float(value)
        except OverflowError:
            raise fail(f"{_show(value)} is outside the range of {what}") from None
        if not math.isfinite(number):
            raise fail(f'{what} takes NaN and infinities as the strings "NaN", "Infinity", "-Infinity"')
    elif type(value) is str:
        if value in _SPECIAL_FLOATS:
            return _SPECIAL_FLOATS[value]
        if not _NUMBER.match(value):
            raise fail(f"{what} needs a number, got the string {_show(value)}")
        number = float(value)
        if not math.isfinite(number):
            raise fail(f"{_show(value)} is outside the range of {what}")
    else:
        raise fail(f"{what} needs a number, got {kind_of(value)}")
    if single:
        if abs(number) >= _FLOAT_OVERFLOW:
            raise fail(f"{value} is outside the range of float")
        return float(_PACK_F.unpack(_PACK_F.pack(number))[0])
    return number


def to_bool(value: object) -> bool:
    raise fail(f"bool needs true or false, got {kind_of(value)} {_show(value)}")


def key_bool(key: str) -> bool:
    if key == "true":
        return True
    if key == "false":
        return False
    raise fail(f'a bool map key is "true" or "false", not {_show(key)}')


# --- Text ---------------------------------------------------------------------------------------


def to_str(value: object) -> str:
    """A string field's value that failed the inline check: not a str, or holding a lone
    surrogate (a ``\\ud800`` escape), which is no Unicode text."""
    if type(value) is not str:
        raise fail(f"string needs a string, got {kind_of(value)}")
    if _SURROGATE.search(value):
        raise fail("a string holds an unpaired surrogate (\\ud800..\\udfff), which is not Unicode text")
    return value


def has_surrogate(value: str) -> bool:
    return _SURROGATE.search(value) is not None


def to_bytes(value: object) -> bytes:
    """A bytes field's value: base64 in the standard or URL-safe alphabet, padded or not."""
    if type(value) is not str:
        raise fail(f"bytes needs a base64 string, got {kind_of(value)}")
    if not _B64_OK.match(value):
        raise fail(f"bytes needs base64, got {_show(value)}")
    raw = value.encode("ascii").translate(_URLSAFE).rstrip(b"=")
    if len(raw) % 4 == 1 or (len(value) - len(value.rstrip("=")) and len(value) % 4):
        raise fail(f"bytes needs base64, got {_show(value)} (its length is wrong)")
    try:
        return binascii.a2b_base64(raw + b"=" * (-len(raw) % 4), strict_mode=True)
    except binascii.Error:
        raise fail(f"bytes needs base64, got {_show(value)}") from None


# --- Enums --------------------------------------------------------------------------------------


def enum_names(node: EnumNode) -> dict[str, object]:
    """Every name a JSON enum value may have: each .proto name the plan records
    (``EnumNode.value_numbers``, aliases and an added ``<ENUM>_UNSPECIFIED`` included), as
    protobuf writes them, and the Python member's own name."""
    names: dict[str, object] = {name: node.by_number.get(number, number) for name, number in node.value_numbers.items()}
    for name, member in node.cls.__members__.items():
        names.setdefault(name, member)
    return names


def to_enum(value: object, node: EnumNode, names: dict[str, object], ignore: bool) -> object:
    """An enum's value from its name or number, the number maybe in a string (``"2"``, as
    protobuf's C++ and Python parsers read it). An unknown name, or a number a closed enum lacks,
    is an error, or ``SKIP`` when ``ignore`` (``ignore_unknown_fields``); an open enum keeps an
    unknown int32 number as a plain int."""
    if type(value) is str:
        found = names.get(value)
        if found is not None:
            return found
        if not _INTEGER.match(value):
            if ignore:
                return SKIP
            raise fail(f"{_show(value)} is not a value of the enum {node.cls.__name__}")
    number = to_int(value, -(1 << 31), (1 << 31) - 1, f"the enum {node.cls.__name__}")
    member = node.by_number.get(number)
    if member is not None:
        return member
    if node.closed:
        if ignore:
            return SKIP
        raise fail(f"{number} is not a number of the closed enum {node.cls.__name__}")
    return number


# --- Well-known types ---------------------------------------------------------------------------


def to_timestamp(value: object) -> datetime:
    """An RFC 3339 time (``1972-01-01T10:00:20.021Z``, or with an offset such as ``+01:00``) as
    an aware UTC datetime; sub-microsecond digits give a DatetimeNs."""
    if type(value) is not str:
        raise fail(f"a Timestamp is an RFC 3339 string, got {kind_of(value)}")
    m = _TIMESTAMP.match(value)
    if m is None:
        raise fail(f"{_show(value)} is not an RFC 3339 time such as 1972-01-01T10:00:20.021Z")
    year, month, day, hour, minute, second = (int(g) for g in m.group(1, 2, 3, 4, 5, 6))
    try:
        local = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        raise fail(f"{_show(value)} is not a valid time") from None
    if m.group(9):
        if int(m.group(10)) > 23 or int(m.group(11)) > 59:
            raise fail(f"{_show(value)} has an invalid offset")
        offset = int(m.group(10)) * 3600 + int(m.group(11)) * 60
    else:
        offset = 0
    seconds = (local - _EPOCH) // timedelta(seconds=1) - (offset if m.group(9) == "+" else -offset)
    if not _TS_MIN <= seconds <= _TS_MAX:
        raise fail(f"{_show(value)} is outside the Timestamp range 0001-01-01..9999-12-31 UTC")
    nanos = int((m.group(7) or "").ljust(9, "0"))
    dt = _EPOCH + timedelta(seconds=seconds, microseconds=nanos // 1000)
    return DatetimeNs.from_datetime(dt, nanos % 1000) if nanos % 1000 else dt


def to_duration(value: object) -> timedelta:
    """A Duration string (``"1.5s"``, ``"-0.000000001s"``) as a timedelta; sub-microsecond
    digits give a TimedeltaNs."""
    if type(value) is not str:
        raise fail(f'a Duration is a string such as "1.5s", got {kind_of(value)}')
    m = _DURATION.match(value)
    if m is None:
        raise fail(f'{_show(value)} is not a Duration such as "1.5s"')
    digits = _significant(m.group(2))
    if len(digits) > _MAX_DIGITS:
        raise fail(f"{_show(value)} is outside the Duration range of +-{_DUR_MAX} seconds")
    seconds = int(digits or "0")
    if seconds > _DUR_MAX:
        raise fail(f"{_show(value)} is outside the Duration range of +-{_DUR_MAX} seconds")
    total = seconds * 1_000_000_000 + int((m.group(3) or "").ljust(9, "0"))
    if m.group(1):
        total = -total
    micros, ns = divmod(total, 1000)
    td = timedelta(microseconds=micros)
    return TimedeltaNs.from_timedelta(td, ns) if ns else td


def to_decimal(value: object) -> Decimal:
    if type(value) is not str:
        raise fail(f"a Decimal is a string, got {kind_of(value)}")
    try:
        return decimal_from_wire(value)
    except (ValueError, InvalidOperation):
        raise fail(f"{_show(value)} is not a decimal number") from None


def to_uuid(value: object) -> UUID:
    try:
        return uuid_from_wire(to_bytes(value))
    except ValueError as e:
        raise fail(str(e)) from None


def to_date(value: object, ignore: bool) -> date:
    """A google.type.Date object, ``{"year": 2024, "month": 5, "day": 1}``, as a date; a zero
    part (a partial date) cannot be held, as in binary."""
    if type(value) is not dict:
        raise fail(f"a Date needs an object, got {kind_of(value)}")
    parts = []
    for name in ("year", "month", "day"):
        part = value.get(name)
        try:
            parts.append(0 if part is None else to_int(part, -(1 << 31), (1 << 31) - 1, "int32"))
        except DecodeError as e:
            e._push(f".{name}")
            raise
    extra = [key for key in value if key not in ("year", "month", "day")]
    if extra and not ignore:
        raise fail(f"google.type.Date has no field named {_show(extra[0])}")
    year, month, day = parts
    try:
        return date(year, month, day)
    except (ValueError, OverflowError):
        raise fail(f"Date {year}-{month}-{day} is not a valid full date") from None


def camel_to_snake(path: str) -> str:
    """A FieldMask path's JSON spelling (``user.displayName``) as the .proto's (``user.display_name``)."""
    if "_" in path:
        raise fail(f"a FieldMask path in JSON is lowerCamelCase, without '_': {_show(path)}")
    return re.sub(r"[A-Z]", lambda m: "_" + m.group(0).lower(), path)


def to_native(value: Any, budget: int) -> Any:
    """A google.protobuf.Value as ddl holds it (``typing.Any``): numbers become float, as the
    wire form keeps them; objects and arrays are walked, their strings checked."""
    t = type(value)
    if t is str:
        return value if value.isascii() else to_str(value)
    if t is float or t is int:
        return value if t is float and math.isfinite(value) else to_float(value, False)  # an int as a float
    if value is None or t is bool:
        return value
    if budget < 0:
        raise fail("nested too deeply")
    if t is dict:
        return to_struct(value, budget)
    if t is list or t is tuple:
        out = []
        for i, item in enumerate(value):
            try:
                out.append(to_native(item, budget - 1))
            except DecodeError as e:
                e._push(f"[{i}]")
                raise
        return out
    raise fail(f"a Value needs a JSON value, got {kind_of(value)}")


def to_struct(value: Any, budget: int) -> dict[str, Any]:
    """A google.protobuf.Struct (``dict[str, Any]``) from a JSON object."""
    if type(value) is not dict:
        raise fail(f"a Struct needs an object, got {kind_of(value)}")
    if budget < 0:
        raise fail("nested too deeply")
    out = {}
    for key, item in value.items():
        try:
            if type(key) is not str:
                raise fail(f"a Struct key is a string, got {kind_of(key)}")
            out[key] = to_native(item, budget - 1)
        except DecodeError as e:
            e._push(f"[{key!r}]")
            raise
    return out
