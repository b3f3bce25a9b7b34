"""Codecs for the well-known types: Timestamp, Duration, google.type.Date, Value and Struct.

Each message-typed codec handles only the message *body*; generated code writes the tag and
length prefix around it. Decoders take absolute offsets into the caller's buffer so nested
bodies are never copied, and merge into ``prev`` the way protobuf's parser merges a repeated
occurrence of a singular message field. Decimal and UUID are plain scalar conversions.
"""

from __future__ import annotations

import operator
import struct
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Self, SupportsIndex, TypeVar
from uuid import UUID

from . import _wire
from ._errors import DecodeError, EncodeError
from ._wire import read_length, read_varint, skip_field

_T = TypeVar("_T")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_TS_MIN, _TS_MAX = -62_135_596_800, 253_402_300_799  # 0001-01-01T00:00:00Z, 9999-12-31T23:59:59Z
_DUR_MAX = 315_576_000_000  # 10,000 years, protobuf's documented Duration limit
_NANOS_MAX = 999_999_999
_FLOAT_EXACT = 1 << 53  # beyond this an int may not survive the trip through a double


# --- Nanosecond-carrying subclasses -----------------------------------------------------------


def _nanos(x: object) -> int:
    return x._ns if isinstance(x, _Nanos) else 0


def _compare(name: str) -> Callable[[Any, Any], Any]:
    """An ordering method that breaks the base type's ties on the extra nanoseconds, so that
    ``<`` and ``==`` agree for values a nanosecond apart."""
    op = getattr(operator, name.strip("_"))

    def method(self: Any, other: Any) -> Any:
        if not isinstance(other, self._base):
            return NotImplemented
        if self._base.__eq__(self, other) is True:
            return op(self._ns, _nanos(other))
        return getattr(self._base, name)(self, other)

    method.__name__ = name
    return method


class _Nanos:
    """What DatetimeNs and TimedeltaNs share: the ``nanosecond`` slot and nanosecond-aware
    equality, hashing, ordering and pickling. A value with ``nanosecond == 0`` equals and
    hashes like the plain base value; otherwise it equals no plain value.
    """

    __slots__ = ()
    _ns: int
    _base: ClassVar[Any]

    def __new__(cls, *args: Any, nanosecond: int = 0, **kwargs: Any) -> Self:
        if not isinstance(nanosecond, int) or isinstance(nanosecond, bool):
            raise TypeError(f"nanosecond must be an int, got {type(nanosecond).__name__}")
        if not 0 <= nanosecond <= 999:
            raise ValueError(f"nanosecond must be in 0..999, got {nanosecond}")
        self: Self = cls._base.__new__(cls, *args, **kwargs)
        object.__setattr__(self, "_ns", nanosecond)  # the slot lives on the concrete subclass
        return self

    @property
    def nanosecond(self) -> int:
        """Nanoseconds below the microsecond, 0..999, added to the base value."""
        return self._ns

    def _plain(self) -> Any:  # pragma: no cover - each subclass names its own
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        same: bool = self._base.__eq__(self, other)
        return same if same is not True else self._ns == _nanos(other)

    def __ne__(self, other: object) -> bool:
        same = self.__eq__(other)
        return same if same is NotImplemented else not same

    def __hash__(self) -> int:
        h: int = self._base.__hash__(self)
        return h if not self._ns else hash((h, self._ns))

    __lt__, __le__, __gt__, __ge__ = map(_compare, ("__lt__", "__le__", "__gt__", "__ge__"))

    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple[Any, ...]:
        # The base's own reduce would rebuild through __new__ and drop the nanoseconds.
        return (_rebuild, (type(self), self._plain(), self._ns))


class DatetimeNs(_Nanos, datetime):
    """A datetime that also carries the nanoseconds below its microsecond, so a Timestamp
    written by another language survives a round trip through ddl unchanged.

    ``replace()`` and ``astimezone()`` keep the nanoseconds; other arithmetic works at
    microsecond precision, as datetime does.

    Example::

        >>> t = DatetimeNs(2024, 5, 1, 12, 0, 0, 123456, timezone.utc, nanosecond=789)
        >>> t.nanosecond, t.isoformat()
        (789, '2024-05-01T12:00:00.123456789+00:00')
        >>> DatetimeNs.from_datetime(datetime(2024, 5, 1, tzinfo=timezone.utc), 5).nanosecond
        5
    """

    __slots__ = ("_ns",)
    _base = datetime

    @classmethod
    def from_datetime(cls, dt: datetime, nanosecond: int = 0) -> DatetimeNs:
        """``dt`` (fields, tzinfo and fold) plus ``nanosecond`` below its microsecond."""
        return cls(dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, dt.microsecond,
                   dt.tzinfo, fold=dt.fold, nanosecond=nanosecond)  # fmt: skip

    def to_datetime(self) -> datetime:
        """The plain datetime, dropping the sub-microsecond part."""
        return datetime(self.year, self.month, self.day, self.hour, self.minute, self.second,
                        self.microsecond, self.tzinfo, fold=self.fold)  # fmt: skip

    _plain = to_datetime

    def replace(self, *args: Any, nanosecond: int | None = None, **kwargs: Any) -> DatetimeNs:
        ns = self._ns if nanosecond is None else nanosecond
        return self.from_datetime(datetime.replace(self, *args, **kwargs), ns)

    def astimezone(self, tz: Any = None) -> DatetimeNs:
        return self.from_datetime(datetime.astimezone(self, tz), self._ns)

    def isoformat(self, sep: str = "T", timespec: str = "auto") -> str:
        if timespec == "nanoseconds" or (timespec == "auto" and self._ns):
            text = datetime.isoformat(self, sep, "microseconds")
            return f"{text[:26]}{self._ns:03d}{text[26:]}"  # after "YYYY-MM-DDTHH:MM:SS.ffffff"
        return datetime.isoformat(self, sep, timespec)

    def __repr__(self) -> str:
        return f"{datetime.__repr__(self)[:-1]}, nanosecond={self._ns})"


class TimedeltaNs(_Nanos, timedelta):
    """A timedelta that also carries nanoseconds below its microsecond.

    Sign convention: like timedelta's own ``microseconds``, ``nanosecond`` is always 0..999
    and is *added*, so -1ns is ``TimedeltaNs(microseconds=-1, nanosecond=999)``.
    ``total_nanoseconds()`` gives the exact signed total.

    Example::

        >>> d = TimedeltaNs.from_nanoseconds(-1)
        >>> d.microseconds, d.nanosecond, d.total_nanoseconds()
        (999999, 999, -1)
    """

    __slots__ = ("_ns",)
    _base = timedelta

    @classmethod
    def from_timedelta(cls, td: timedelta, nanosecond: int = 0) -> TimedeltaNs:
        """``td`` plus ``nanosecond`` (0..999)."""
        return cls(td.days, td.seconds, td.microseconds, nanosecond=nanosecond)

    @classmethod
    def from_nanoseconds(cls, total: int) -> TimedeltaNs:
        """The duration of ``total`` nanoseconds, of either sign."""
        micros, ns = divmod(total, 1000)
        return cls(microseconds=micros, nanosecond=ns)

    def total_nanoseconds(self) -> int:
        return _total_ns(self)

    def to_timedelta(self) -> timedelta:
        """The plain timedelta, dropping the nanoseconds (so rounding toward -inf)."""
        return timedelta(self.days, self.seconds, self.microseconds)

    _plain = to_timedelta

    def __repr__(self) -> str:
        head, _, inner = timedelta.__repr__(self)[:-1].partition("(")
        return f"{head}({'' if inner == '0' else inner + ', '}nanosecond={self._ns})"


def _rebuild(cls: Any, plain: datetime | timedelta, ns: int) -> Any:
    if isinstance(plain, datetime):
        return cls.from_datetime(plain, ns)
    return cls.from_timedelta(plain, ns)


def _total_ns(td: timedelta) -> int:
    return ((td.days * 86_400 + td.seconds) * 1_000_000 + td.microseconds) * 1000 + _nanos(td)


# --- Shared helpers ---------------------------------------------------------------------------


def _guard(pos: int, run: Callable[[], _T]) -> _T:
    """Turn every failure below into a DecodeError: decoders promise that and nothing else."""
    try:
        return run()
    except DecodeError:
        raise
    except RecursionError:
        raise DecodeError("message nesting exceeds Python's recursion limit", pos) from None
    except (IndexError, struct.error, ValueError, TypeError, OverflowError) as e:
        raise DecodeError(f"malformed message body: {e}", pos) from None


def _check_budget(budget: int, pos: int) -> None:
    if budget < 0:
        raise DecodeError("message nesting exceeds max_depth", pos)


def _check_depth(budget: int) -> None:
    if budget < 0:
        raise EncodeError("nested deeper than max_depth (is there a cycle?)")


def _varint(buf: bytes, pos: int, end: int) -> tuple[int, int]:
    value, after = read_varint(buf, pos)
    if after > end:
        raise DecodeError("varint runs past the end of the message", pos)
    return value, after


def _varint_fields(buf: bytes, pos: int, end: int, budget: int, vals: list[int]) -> list[int]:
    """Overwrite ``vals`` with the varint fields 1..len(vals) present in the body.

    Field 1 of a two-field body is an int64 (seconds); every other field is an int32.
    """
    while pos < end:
        tag, pos = _varint(buf, pos, end)
        number = tag >> 3
        if tag & 7 == 0 and 1 <= number <= len(vals):
            raw, pos = _varint(buf, pos, end)
            wide = number == 1 and len(vals) == 2
            vals[number - 1] = _wire.to_int64(raw) if wide else _wire.to_int32(raw)
        else:
            pos = skip_field(buf, pos, end, tag, budget)
    return vals


def _utf8(buf: bytes, pos: int, end: int, what: str) -> str:
    try:
        return str(buf[pos:end], "utf-8")
    except UnicodeDecodeError as e:
        raise DecodeError(f"invalid UTF-8 in {what}", pos + e.start) from None


def _write_pair(out: bytearray, seconds: int, nanos: int) -> None:
    # Proto3 omits zero scalars, exactly as SerializeToString does.
    if seconds:
        out.append(0x08)
        _wire.write_int64(out, seconds)
    if nanos:
        out.append(0x10)
        _wire.write_int32(out, nanos)


# --- Timestamp and Duration -------------------------------------------------------------------


def _timestamp_parts(value: object) -> tuple[int, int]:
    if not isinstance(value, datetime):
        raise TypeError(f"expected datetime, got {type(value).__name__}")
    if value.utcoffset() is None:
        raise ValueError("naive datetime: give it a tzinfo (such as timezone.utc)")
    delta = value - _EPOCH
    seconds = delta.days * 86_400 + delta.seconds
    if not _TS_MIN <= seconds <= _TS_MAX:
        raise ValueError(f"{value!r} is outside the Timestamp range 0001-01-01..9999-12-31 UTC")
    return seconds, delta.microseconds * 1000 + _nanos(value)


def encode_timestamp(value: object, out: bytearray, budget: int, det: bool) -> None:
    """Write an aware datetime as a google.protobuf.Timestamp body."""
    _check_depth(budget)
    _write_pair(out, *_timestamp_parts(value))


def decode_timestamp(buf: bytes, pos: int, end: int, budget: int, prev: object | None) -> object:
    """Read a Timestamp body as an aware UTC datetime (a DatetimeNs if it has sub-us nanos)."""
    _check_budget(budget, pos)
    start = [0, 0] if prev is None else list(_guard(pos, lambda: _timestamp_parts(prev)))
    seconds, nanos = _guard(pos, lambda: _varint_fields(buf, pos, end, budget, start))
    if not _TS_MIN <= seconds <= _TS_MAX:
        raise DecodeError(f"Timestamp seconds {seconds} is outside 0001-01-01..9999-12-31", pos)
    if not 0 <= nanos <= _NANOS_MAX:
        raise DecodeError(f"Timestamp nanos {nanos} is outside 0..999999999", pos)
    dt = _EPOCH + timedelta(seconds=seconds, microseconds=nanos // 1000)
    return DatetimeNs.from_datetime(dt, nanos % 1000) if nanos % 1000 else dt


def zero_timestamp() -> object:
    return _EPOCH


def _duration_parts(value: object) -> tuple[int, int]:
    if not isinstance(value, timedelta):
        raise TypeError(f"expected timedelta, got {type(value).__name__}")
    total = _total_ns(value)
    seconds, nanos = divmod(abs(total), 1_000_000_000)
    if seconds > _DUR_MAX:
        raise ValueError(f"{value!r} is outside the Duration range of +-{_DUR_MAX} seconds")
    return (-seconds, -nanos) if total < 0 else (seconds, nanos)  # both parts share the sign


def encode_duration(value: object, out: bytearray, budget: int, det: bool) -> None:
    """Write a timedelta as a google.protobuf.Duration body."""
    _check_depth(budget)
    _write_pair(out, *_duration_parts(value))


def decode_duration(buf: bytes, pos: int, end: int, budget: int, prev: object | None) -> object:
    """Read a Duration body as a timedelta (a TimedeltaNs if it has sub-us nanos)."""
    _check_budget(budget, pos)
    start = [0, 0] if prev is None else list(_guard(pos, lambda: _duration_parts(prev)))
    seconds, nanos = _guard(pos, lambda: _varint_fields(buf, pos, end, budget, start))
    if not -_DUR_MAX <= seconds <= _DUR_MAX:
        raise DecodeError(f"Duration seconds {seconds} is outside +-{_DUR_MAX}", pos)
    if not -_NANOS_MAX <= nanos <= _NANOS_MAX:
        raise DecodeError(f"Duration nanos {nanos} is outside +-999999999", pos)
    if (seconds < 0 < nanos) or (nanos < 0 < seconds):
        raise DecodeError(f"Duration seconds {seconds} and nanos {nanos} differ in sign", pos)
    micros, ns = divmod(seconds * 1_000_000_000 + nanos, 1000)
    td = timedelta(microseconds=micros)
    return TimedeltaNs.from_timedelta(td, ns) if ns else td


def zero_duration() -> object:
    return timedelta(0)


# --- google.type.Date -------------------------------------------------------------------------


def encode_date(value: object, out: bytearray, budget: int, det: bool) -> None:
    """Write a date (not a datetime, whose time would be lost) as a google.type.Date body."""
    _check_depth(budget)
    if not isinstance(value, date) or isinstance(value, datetime):
        raise TypeError(f"expected date, got {type(value).__name__}")
    for tag, part in ((0x08, value.year), (0x10, value.month), (0x18, value.day)):
        out.append(tag)
        _wire.write_int32(out, part)


def decode_date(buf: bytes, pos: int, end: int, budget: int, prev: object | None) -> object:
    """Read a google.type.Date body; partial dates (a 0 part) cannot be held and are errors."""
    _check_budget(budget, pos)
    start = [prev.year, prev.month, prev.day] if isinstance(prev, date) else [0, 0, 0]
    year, month, day = _guard(pos, lambda: _varint_fields(buf, pos, end, budget, start))
    try:
        return date(year, month, day)
    except (ValueError, OverflowError):
        raise DecodeError(f"Date {year}-{month}-{day} is not a valid full date", pos) from None


def zero_date() -> object:
    return date(1970, 1, 1)


# --- Value, ListValue, Struct -----------------------------------------------------------------


def _encode_value(value: object, out: bytearray, budget: int, det: bool) -> None:
    _check_depth(budget)
    if value is None:
        out += b"\x08\x00"  # null_value: a set oneof member is written even when zero
    elif isinstance(value, bool):
        out += b"\x20\x01" if value else b"\x20\x00"
    elif isinstance(value, (int, float)):
        if isinstance(value, int) and not -_FLOAT_EXACT <= value <= _FLOAT_EXACT:
            raise ValueError(f"int {value} exceeds 2**53 and would lose precision as a double")
        out += b"\x11"
        out += _wire.PACK_DOUBLE(float(value))
    elif isinstance(value, str):
        out += b"\x1a"
        _wire.write_str(out, value)
    elif isinstance(value, (list, tuple, dict)):
        out += b"\x2a\x00" if isinstance(value, dict) else b"\x32\x00"
        at = len(out) - 1
        if isinstance(value, dict):
            _encode_struct(value, out, budget - 1, det)
        else:
            _encode_list(value, out, budget - 1, det)
        _wire.patch_length(out, at)
    else:
        kinds = "None, bool, int, float, str, list, tuple or dict"
        raise TypeError(f"expected a JSON value ({kinds}), got {type(value).__name__}")


def _encode_list(value: Sequence[Any], out: bytearray, budget: int, det: bool) -> None:
    _check_depth(budget)
    for item in value:
        out += b"\x0a\x00"
        at = len(out) - 1
        _encode_value(item, out, budget - 1, det)
        _wire.patch_length(out, at)


def _encode_struct(value: object, out: bytearray, budget: int, det: bool) -> None:
    _check_depth(budget)
    if not isinstance(value, dict):
        raise TypeError(f"expected dict, got {type(value).__name__}")
    for key in value:
        if not isinstance(key, str):
            raise TypeError(f"Struct keys must be str, got {type(key).__name__}")
    for key in sorted(value) if det else value:
        out += b"\x0a\x00\x0a"  # entries always carry both key and value, as protobuf writes them
        at = len(out) - 2
        _wire.write_str(out, key)
        out += b"\x12\x00"
        value_at = len(out) - 1
        _encode_value(value[key], out, budget - 1, det)
        _wire.patch_length(out, value_at)
        _wire.patch_length(out, at)


def _encode_guarded(encode: Callable[[Any, bytearray, int, bool], None], value: object,
                    out: bytearray, budget: int, det: bool) -> None:  # fmt: skip
    try:
        encode(value, out, budget, det)
    except RecursionError:
        raise EncodeError("nested past Python's recursion limit (is there a cycle?)") from None


def encode_value(value: object, out: bytearray, budget: int, det: bool) -> None:
    """Write a JSON-like value as a google.protobuf.Value body."""
    _encode_guarded(_encode_value, value, out, budget, det)


def encode_struct(value: object, out: bytearray, budget: int, det: bool) -> None:
    """Write a dict with str keys as a google.protobuf.Struct body; det=True sorts the keys."""
    _encode_guarded(_encode_struct, value, out, budget, det)


def _decode_value(buf: bytes, pos: int, end: int, budget: int, cur: object) -> object:
    _check_budget(budget, pos)
    while pos < end:
        field_at = pos
        tag, pos = _varint(buf, pos, end)
        if tag == 0x11:
            if pos + 8 > end:
                raise DecodeError("number_value runs past the end of the message", field_at)
            cur = _wire.UNPACK_DOUBLE(buf, pos)[0]
            pos += 8
        elif tag == 0x08 or tag == 0x20:
            raw, pos = _varint(buf, pos, end)
            cur = None if tag == 0x08 else raw != 0
        elif tag == 0x1A or tag == 0x2A or tag == 0x32:
            n, pos = read_length(buf, pos, end)
            if tag == 0x1A:
                cur = _utf8(buf, pos, pos + n, "string_value")
            elif tag == 0x2A:  # a struct merges into a struct already there, as in protobuf
                fields = cur if type(cur) is dict else {}
                cur = _decode_struct(buf, pos, pos + n, budget - 1, fields)
            else:  # and a list extends a list
                cur = _decode_list(buf, pos, pos + n, budget - 1, cur if type(cur) is list else [])
            pos += n
        else:
            pos = skip_field(buf, pos, end, tag, budget)
    return cur


def _decode_list(buf: bytes, pos: int, end: int, budget: int, items: list[object]) -> list[object]:
    _check_budget(budget, pos)
    while pos < end:
        tag, pos = _varint(buf, pos, end)
        if tag == 0x0A:
            n, pos = read_length(buf, pos, end)
            items.append(_decode_value(buf, pos, pos + n, budget - 1, None))
            pos += n
        else:
            pos = skip_field(buf, pos, end, tag, budget)
    return items


def _decode_struct(buf: bytes, pos: int, end: int, budget: int, fields: dict[str, Any]) -> object:
    _check_budget(budget, pos)
    while pos < end:
        tag, pos = _varint(buf, pos, end)
        if tag != 0x0A:
            pos = skip_field(buf, pos, end, tag, budget)
            continue
        n, pos = read_length(buf, pos, end)
        entry_end = pos + n
        key, value = "", None  # an entry is a message: its fields may repeat, and merge
        while pos < entry_end:
            tag, pos = _varint(buf, pos, entry_end)
            if tag == 0x0A or tag == 0x12:
                n, pos = read_length(buf, pos, entry_end)
                if tag == 0x0A:
                    key = _utf8(buf, pos, pos + n, "a Struct key")
                else:
                    value = _decode_value(buf, pos, pos + n, budget - 1, value)
                pos += n
            else:  # skipped, keeping the entry, as protobuf-go and -java do (upb drops the entry)
                pos = skip_field(buf, pos, entry_end, tag, budget)
        fields[key] = value  # an existing key's value is replaced, not merged: map semantics
    return fields


def decode_value(buf: bytes, pos: int, end: int, budget: int, prev: object | None) -> object:
    """Read a Value body; no kind set is None, numbers are always float, lists are lists."""
    cur = prev  # merging copies ``prev`` rather than mutate an object the caller may still hold
    if isinstance(prev, (list, tuple, dict)):
        cur = dict(prev) if isinstance(prev, dict) else list(prev)
    return _guard(pos, lambda: _decode_value(buf, pos, end, budget, cur))


def decode_struct(buf: bytes, pos: int, end: int, budget: int, prev: object | None) -> object:
    """Read a Struct body as a dict, adding to or replacing the entries of ``prev``."""
    fields = dict(prev) if isinstance(prev, dict) else {}
    return _guard(pos, lambda: _decode_struct(buf, pos, end, budget, fields))


def zero_value() -> object:
    return None


def zero_struct() -> object:
    return {}


# --- Scalar conversions: Decimal in a string field, UUID in a bytes field ---------------------


def decimal_to_wire(value: object) -> str:
    """``str()`` of a Decimal, which is exact: exponent, sign of zero and NaN payloads survive.

    Only Decimal is accepted (not int or float): a float would already have lost digits.
    """
    if not isinstance(value, Decimal):
        raise TypeError(f"expected Decimal, got {type(value).__name__}")
    return str(value)


def decimal_from_wire(text: str) -> Decimal:
    """Parse a decimal string; "" (an absent proto3 string) is Decimal(0).

    Whitespace and underscores, which Decimal() would accept, are refused: no writer emits them.
    """
    if not text:
        return Decimal(0)
    if text != text.strip() or "_" in text:
        raise ValueError(f"{text!r} is not a decimal number")
    try:
        return Decimal(text)
    except (InvalidOperation, ValueError):
        raise ValueError(f"{text!r} is not a decimal number") from None


def uuid_to_wire(value: object) -> bytes:
    """The UUID's 16 bytes in RFC 4122 (big-endian) order."""
    if not isinstance(value, UUID):
        raise TypeError(f"expected UUID, got {type(value).__name__}")
    return value.bytes


def uuid_from_wire(data: bytes) -> UUID:
    """A UUID from 16 bytes; empty bytes (an absent proto3 field) is the nil UUID."""
    if not data:
        return UUID(int=0)
    if len(data) != 16:
        raise ValueError(f"a UUID is 16 bytes, got {len(data)}")
    return UUID(bytes=bytes(data))
