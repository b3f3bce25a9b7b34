"""Codecs for the well-known types: Timestamp, Duration, google.type.Date, Value and Struct.

Each message-typed codec handles only the message *body*; generated code writes the tag and
length prefix around it. Decoders take absolute offsets into the caller's buffer so nested
bodies are never copied. A field that occurs more than once is decoded from its first body
(``first_*``, which defers the value check), then each ``merge_*`` reads the later bodies, one by
one, into that value, as protobuf merges them. Decimal and UUID are plain scalar conversions.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar
from uuid import UUID

from . import _wire
from ._errors import DecodeError, EncodeError
from ._nanotime import DatetimeNs, TimedeltaNs, extra_nanos, total_ns
from ._wire import read_length, read_tag, read_varint, skip_field

_T = TypeVar("_T")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TS_MIN, _TS_MAX = -62_135_596_800, 253_402_300_799  # 0001-01-01T00:00:00Z, 9999-12-31T23:59:59Z
# 10,000 years, protobuf's documented Duration limit. Its JSON form holds no more, but its binary
# form does (protobuf's parsers take any seconds), and so does a timedelta, up to 999,999,999 days.
_DUR_MAX = 315_576_000_000
_NANOS_MAX = 999_999_999
_FLOAT_EXACT = 1 << 53  # beyond this an int may not survive the trip through a double


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


def _tag(buf: bytes, pos: int, end: int) -> tuple[int, int]:
    value, after = read_tag(buf, pos)
    if after > end:
        raise DecodeError("varint runs past the end of the message", pos)
    return value, after


def _wide(number: int, count: int) -> bool:
    """Whether field ``number`` of a body of ``count`` varint fields is an int64: the seconds of
    a Timestamp or Duration; every other field (nanos, a Date's parts) is an int32."""
    return number == 1 and count == 2


def _varint_fields(buf: bytes, pos: int, end: int, budget: int, vals: list[int]) -> list[int]:
    """Overwrite ``vals`` with the varint fields 1..len(vals) present in the body.

    Field 1 of a two-field body is an int64 (seconds); every other field is an int32.
    """
    while pos < end:
        tag, pos = _tag(buf, pos, end)
        number = tag >> 3
        if tag & 7 == 0 and 1 <= number <= len(vals):
            raw, pos = _varint(buf, pos, end)
            vals[number - 1] = _wire.to_int64(raw) if _wide(number, len(vals)) else _wire.to_int32(raw)
        else:
            pos = skip_field(buf, pos, end, tag, budget)
    return vals


class Unchecked:
    """The fields of a Timestamp, Duration or Date that its Python type cannot hold.

    protobuf merges a later occurrence into a first one, which may complete it (a Date's year in
    one, its month and day in the next), so the value is checked once merged. protobuf's parsers
    take any such fields (a Timestamp of year 10000, say), so the decoder of a message keeps one
    that still fails the check among the unknown fields (``keep_unknown``), where ``encode``
    writes it back; elsewhere (a wrapper of ddl's own has no unknown fields) it raises ``error``.
    """

    __slots__ = ("error", "parts")

    def __init__(self, parts: list[int], error: DecodeError) -> None:
        self.parts = parts
        self.error = error


def keep_unknown(held: Unchecked, unk: bytearray | None, tag: int) -> bytearray:
    """``unk`` (a new bytearray if None) with ``held`` appended as the field ``tag`` (its key):
    the merged fields as the message body protobuf would write for them."""
    body = bytearray()
    for number, part in enumerate(held.parts, 1):
        if part:
            body.append(number << 3)
            (_wire.write_int64 if _wide(number, len(held.parts)) else _wire.write_int32)(body, part)
    out = bytearray() if unk is None else unk
    _wire.write_uvarint(out, tag)
    _wire.write_uvarint(out, len(body))
    out += body
    return out


def take_kept(unk: bytearray, tag: int, first: Callable[..., object], budget: int) -> tuple[object, bytearray | None]:
    """The value ``keep_unknown`` kept in ``unk`` under ``tag`` (None if it holds none), taken
    out of it, and what is left of ``unk`` (None if nothing). A later occurrence of the message
    merges into that value, as protobuf merges into the fields it holds, so the value is taken
    back (an ``Unchecked``, by ``first``) before the merge and checked again after it. A
    message's decode keeps at most one value per field, and its merge takes it back first."""
    held = bytes(unk)
    pos, end = 0, len(held)
    while pos < end:
        key, body = read_tag(held, pos)
        after = skip_field(held, body, end, key, budget)
        if key == tag:
            value = first(held, read_length(held, body, end)[1], after, budget)
            del unk[pos:after]
            return value, unk or None
        pos = after
    return None, unk


def _first(check: Callable[[list[int], int], object], parts: list[int], pos: int) -> object:
    try:
        return check(parts, pos)
    except DecodeError as error:
        return Unchecked(parts, error)


def _read_parts(buf: bytes, pos: int, end: int, budget: int, count: int) -> list[int]:
    _check_budget(budget, pos)
    return _guard(pos, lambda: _varint_fields(buf, pos, end, budget, [0] * count))


def _merge_parts(
    base: object, parts_of: Callable[[Any], tuple[int, ...]], buf: bytes, ranges: list[int], budget: int
) -> list[int]:
    """The fields of ``base`` with those of each body in ``ranges`` read over them."""
    _check_budget(budget, ranges[0])
    vals = list(base.parts) if isinstance(base, Unchecked) else list(parts_of(base))

    def run() -> list[int]:
        for i in range(0, len(ranges), 2):
            _varint_fields(buf, ranges[i], ranges[i + 1], budget, vals)
        return vals

    return _guard(ranges[0], run)


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
    return seconds, delta.microseconds * 1000 + extra_nanos(value)


def encode_timestamp(value: object, out: bytearray, budget: int, det: bool) -> None:
    """Write an aware datetime as a google.protobuf.Timestamp body."""
    _check_depth(budget)
    _write_pair(out, *_timestamp_parts(value))


def decode_timestamp(buf: bytes, pos: int, end: int, budget: int) -> object:
    """Read a Timestamp body as an aware UTC datetime (a DatetimeNs if it has sub-us nanos)."""
    return _timestamp(_read_parts(buf, pos, end, budget, 2), pos)


def first_timestamp(buf: bytes, pos: int, end: int, budget: int) -> object:
    """``decode_timestamp`` for an occurrence that a later one may merge into (see Unchecked)."""
    return _first(_timestamp, _read_parts(buf, pos, end, budget, 2), pos)


def merge_timestamp(base: object, buf: bytes, ranges: list[int], budget: int) -> object:
    """Read more Timestamp bodies into ``base``: the fields each one holds replace base's."""
    return _first(_timestamp, _merge_parts(base, _timestamp_parts, buf, ranges, budget), ranges[-2])


def _timestamp(parts: list[int], pos: int) -> object:
    seconds, nanos = parts
    if not _TS_MIN <= seconds <= _TS_MAX:
        raise DecodeError(f"Timestamp seconds {seconds} is outside 0001-01-01..9999-12-31", pos)
    if not 0 <= nanos <= _NANOS_MAX:
        raise DecodeError(f"Timestamp nanos {nanos} is outside 0..999999999", pos)
    dt = _EPOCH + timedelta(seconds=seconds, microseconds=nanos // 1000)
    return DatetimeNs.from_datetime(dt, nanos % 1000) if nanos % 1000 else dt


def zero_timestamp() -> object:
    return _EPOCH


def _duration_parts(value: object) -> tuple[int, int]:
    """A timedelta's seconds and nanos, both with its sign. Any timedelta has them: its seconds
    reach 8.64e13, far inside the field's int64 (the JSON writer alone keeps to +-_DUR_MAX)."""
    if not isinstance(value, timedelta):
        raise TypeError(f"expected timedelta, got {type(value).__name__}")
    total = total_ns(value)
    seconds, nanos = divmod(abs(total), 1_000_000_000)
    return (-seconds, -nanos) if total < 0 else (seconds, nanos)  # both parts share the sign


def encode_duration(value: object, out: bytearray, budget: int, det: bool) -> None:
    """Write a timedelta as a google.protobuf.Duration body."""
    _check_depth(budget)
    _write_pair(out, *_duration_parts(value))


def decode_duration(buf: bytes, pos: int, end: int, budget: int) -> object:
    """Read a Duration body as a timedelta (a TimedeltaNs if it has sub-us nanos)."""
    return _duration(_read_parts(buf, pos, end, budget, 2), pos)


def first_duration(buf: bytes, pos: int, end: int, budget: int) -> object:
    """``decode_duration`` for an occurrence that a later one may merge into (see Unchecked)."""
    return _first(_duration, _read_parts(buf, pos, end, budget, 2), pos)


def merge_duration(base: object, buf: bytes, ranges: list[int], budget: int) -> object:
    """Read more Duration bodies into ``base``: the fields each one holds replace base's."""
    return _first(_duration, _merge_parts(base, _duration_parts, buf, ranges, budget), ranges[-2])


def _duration(parts: list[int], pos: int) -> object:
    """The timedelta of a Duration's parts. Seconds beyond protobuf's +-_DUR_MAX are read, as
    protobuf reads them from binary, up to what a timedelta holds. Nanos out of range or of the
    other sign are errors: a timedelta would hold their sum, whose encoding is other bytes."""
    seconds, nanos = parts
    if not -_NANOS_MAX <= nanos <= _NANOS_MAX:
        raise DecodeError(f"Duration nanos {nanos} is outside +-999999999", pos)
    if (seconds < 0 < nanos) or (nanos < 0 < seconds):
        raise DecodeError(f"Duration seconds {seconds} and nanos {nanos} differ in sign", pos)
    micros, ns = divmod(seconds * 1_000_000_000 + nanos, 1000)
    try:
        td = timedelta(microseconds=micros)
    except OverflowError:
        raise DecodeError(f"Duration seconds {seconds} is beyond what a timedelta holds", pos) from None
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


def decode_date(buf: bytes, pos: int, end: int, budget: int) -> object:
    """Read a google.type.Date body; partial dates (a 0 part) cannot be held and are errors."""
    return _date(_read_parts(buf, pos, end, budget, 3), pos)


def first_date(buf: bytes, pos: int, end: int, budget: int) -> object:
    """``decode_date`` for an occurrence that a later one may merge into (see Unchecked)."""
    return _first(_date, _read_parts(buf, pos, end, budget, 3), pos)


def merge_date(base: object, buf: bytes, ranges: list[int], budget: int) -> object:
    """Read more Date bodies into ``base``: the fields each one holds replace base's."""
    return _first(_date, _merge_parts(base, _date_parts, buf, ranges, budget), ranges[-2])


def _date_parts(value: object) -> tuple[int, ...]:
    if not isinstance(value, date):
        raise TypeError(f"expected date, got {type(value).__name__}")
    return value.year, value.month, value.day


def _date(parts: list[int], pos: int) -> object:
    year, month, day = parts
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
        tag, pos = _tag(buf, pos, end)
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
        tag, pos = _tag(buf, pos, end)
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
        tag, pos = _tag(buf, pos, end)
        if tag != 0x0A:
            pos = skip_field(buf, pos, end, tag, budget)
            continue
        n, pos = read_length(buf, pos, end)
        entry_end = pos + n
        key, value = "", None  # an entry is a message: its fields may repeat, and merge
        while pos < entry_end:
            tag, pos = _tag(buf, pos, entry_end)
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


def decode_value(buf: bytes, pos: int, end: int, budget: int) -> object:
    """Read a Value body; no kind set is None, numbers are always float, lists are lists."""
    return _guard(pos, lambda: _decode_value(buf, pos, end, budget, None))


def decode_struct(buf: bytes, pos: int, end: int, budget: int) -> object:
    """Read a Struct body as a dict; a key given twice keeps its last value."""
    return _guard(pos, lambda: _decode_struct(buf, pos, end, budget, {}))


def merge_value(base: object, buf: bytes, ranges: list[int], budget: int) -> object:
    """Read more Value bodies into ``base``: a struct merges into a struct, a list extends a
    list, and any other kind replaces what was there."""

    def run() -> object:
        value = base
        for i in range(0, len(ranges), 2):
            value = _decode_value(buf, ranges[i], ranges[i + 1], budget, value)
        return value

    return _guard(ranges[0], run)


def merge_struct(base: object, buf: bytes, ranges: list[int], budget: int) -> object:
    """Read more Struct bodies into ``base`` (a dict this decode made): a key replaces its value."""
    if not isinstance(base, dict):
        raise TypeError(f"expected dict, got {type(base).__name__}")

    def run() -> object:
        for i in range(0, len(ranges), 2):
            _decode_struct(buf, ranges[i], ranges[i + 1], budget, base)
        return base

    return _guard(ranges[0], run)


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
