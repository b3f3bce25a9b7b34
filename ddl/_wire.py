"""Protobuf wire primitives for the pure-Python engine: varints, zigzag, fixed widths, skipping.

Generated code inlines the one-byte fast paths; these helpers handle the general case.
Writers accept any int-like value and raise ``TypeError``/``ValueError`` for anything else; the
generated code turns those into an ``EncodeError`` carrying the field path.
"""

from __future__ import annotations

import struct
import sys
from array import array
from collections.abc import Iterable
from typing import Any

from ._errors import DecodeError, shown

MASK64 = (1 << 64) - 1
INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1
UINT32_MAX = (1 << 32) - 1
MAX_FIELD_NUMBER = (1 << 29) - 1

WT_VARINT, WT_I64, WT_LEN, WT_SGROUP, WT_EGROUP, WT_I32 = 0, 1, 2, 3, 4, 5

BIG_ENDIAN_HOST = sys.byteorder == "big"


def uvarint_bytes(value: int) -> bytes:
    """The varint encoding of a non-negative int below 2**64."""
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


# Most lengths, tags and small numbers fall below 2**14; one indexing beats a loop.
SMALL_VARINTS: tuple[bytes, ...] = tuple(uvarint_bytes(i) for i in range(1 << 14))


def write_uvarint(out: bytearray, value: int) -> None:
    if 0 <= value < 0x4000:
        out += SMALL_VARINTS[value]
        return
    if value > MASK64 or value < 0:
        raise ValueError(f"{shown(value)} is out of range for a varint")
    _write_varint_loop(out, value)


# 14-bit chunks with both continuation bits set: a large varint is written two bytes per step,
# and the last one to three bytes come from SMALL_VARINTS.
CONTINUED_CHUNKS: tuple[bytes, ...] = tuple(bytes(((x & 0x7F) | 0x80, (x >> 7) | 0x80)) for x in range(1 << 14))


def _write_varint_loop(out: bytearray, value: int) -> None:
    while value >= 0x4000:
        out += CONTINUED_CHUNKS[value & 0x3FFF]
        value >>= 14
    out += SMALL_VARINTS[value]


def write_int64(out: bytearray, value: int) -> None:
    if 0 <= value < 0x4000:
        out += SMALL_VARINTS[value]
    elif INT64_MIN <= value <= INT64_MAX:
        _write_varint_loop(out, value & MASK64)
    else:
        raise ValueError(f"{shown(value)} is out of range for int64")


def write_int32(out: bytearray, value: int) -> None:
    # Negative int32 values are sign-extended to ten bytes, as protobuf writes them.
    if 0 <= value < 0x4000:
        out += SMALL_VARINTS[value]
    elif INT32_MIN <= value <= INT32_MAX:
        _write_varint_loop(out, value & MASK64)
    else:
        raise ValueError(f"{shown(value)} is out of range for int32")


def write_uint32(out: bytearray, value: int) -> None:
    if not 0 <= value <= UINT32_MAX:
        raise ValueError(f"{shown(value)} is out of range for uint32")
    _write_varint_loop(out, value)


def write_uint64(out: bytearray, value: int) -> None:
    if not 0 <= value <= MASK64:
        raise ValueError(f"{shown(value)} is out of range for uint64")
    _write_varint_loop(out, value)


def write_sint32(out: bytearray, value: int) -> None:
    if not INT32_MIN <= value <= INT32_MAX:
        raise ValueError(f"{shown(value)} is out of range for sint32")
    _write_varint_loop(out, (value << 1) ^ (value >> 63))


def write_sint64(out: bytearray, value: int) -> None:
    if not INT64_MIN <= value <= INT64_MAX:
        raise ValueError(f"{shown(value)} is out of range for sint64")
    _write_varint_loop(out, (value << 1) ^ (value >> 63))


def write_bool(out: bytearray, value: bool) -> None:
    if value is True:
        out.append(1)
    elif value is False:
        out.append(0)
    else:
        raise TypeError(f"expected bool, got {type(value).__name__}")


def write_str(out: bytearray, value: str) -> None:
    if value.__class__ is not str and not isinstance(value, str):
        raise TypeError(f"expected str, got {type(value).__name__}")
    data = value.encode()
    write_uvarint(out, len(data))
    out += data


def write_bytes(out: bytearray, value: bytes) -> None:
    if value.__class__ is not bytes:
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise TypeError(f"expected bytes, got {type(value).__name__}")
        value = bytes(value)
    write_uvarint(out, len(value))
    out += value


def patch_length(out: bytearray, at: int) -> None:
    """Fill in the one-byte length placeholder at ``at``, widening it when the body is long.

    Writing the body first and moving it only when its length needs more than one byte avoids
    a second pass to compute sizes; most embedded messages are shorter than 128 bytes.
    """
    n = len(out) - at - 1
    if n < 0x80:
        out[at] = n
    else:
        out[at : at + 1] = uvarint_bytes(n)


_PACKED_RANGES = {
    "int64": (INT64_MIN, INT64_MAX),
    "int32": (INT32_MIN, INT32_MAX),
    "enum": (INT32_MIN, INT32_MAX),
    "uint64": (0, MASK64),
    "uint32": (0, UINT32_MAX),
    "sint64": (INT64_MIN, INT64_MAX),
    "sint32": (INT32_MIN, INT32_MAX),
}


def pack_varints(kind: str, values: list[int] | tuple[int, ...]) -> bytearray:
    """The body of a packed run of varints, in one loop instead of one call per element."""
    lo, hi = _PACKED_RANGES[kind]
    if min(values) < lo or max(values) > hi:
        bad = next(v for v in values if not lo <= v <= hi)
        raise ValueError(f"{shown(bad)} is out of range for {kind}")
    if kind.startswith("sint"):
        values = [(v << 1) ^ (v >> 63) for v in values]
    elif lo < 0 and min(values) < 0:
        values = [v & MASK64 for v in values]
    out = bytearray()
    append = out.append
    small, chunks = SMALL_VARINTS, CONTINUED_CHUNKS
    for v in values:
        if v < 0x80:
            append(v)
        else:
            while v >= 0x4000:
                out += chunks[v & 0x3FFF]
                v >>= 14
            out += small[v]
    return out


#: The ints of two-byte varints, shared by every packed run as the compiled engine shares them,
#: so such a run costs a list pointer per value rather than a 32-byte int too (made on first use).
_SHARED_INTS: list[int] = []


def unpack_varints(buf: bytes, pos: int, end: int) -> list[int]:
    """The values (modulo 2**64) of a packed run of varints in ``buf[pos:end]``."""
    values: list[int] = []
    append = values.append
    shared = _SHARED_INTS or _share_ints()
    while pos < end:
        b = buf[pos]
        pos += 1
        if b < 0x80:
            append(b)
            continue
        if pos < end and buf[pos] < 0x80:
            append(shared[(b & 0x7F) | (buf[pos] << 7)])
            pos += 1
            continue
        result, shift = b & 0x7F, 7
        while True:
            b = buf[pos]
            pos += 1
            result |= (b & 0x7F) << shift
            if b < 0x80:
                break
            shift += 7
            if shift >= 70:
                raise DecodeError("varint is longer than 10 bytes", pos - 10)
        append(result & MASK64)
    if pos != end:
        raise DecodeError("a packed element runs past the end of its field", end)
    return values


def _share_ints() -> list[int]:
    _SHARED_INTS[:] = range(1 << 14)
    return _SHARED_INTS


def unpack_varints_as(kind: str, buf: bytes, pos: int, end: int) -> list[Any]:
    """A packed run of varints converted to ``kind``'s values (a protobuf scalar, or "enum")."""
    values = unpack_varints(buf, pos, end)
    if not values:
        return values
    if kind == "int64":
        if max(values) > INT64_MAX:
            values = [v - (1 << 64) if v > INT64_MAX else v for v in values]
    elif kind in ("int32", "enum"):
        if max(values) > INT32_MAX:
            values = [to_int32(v) for v in values]
    elif kind == "uint32":
        if max(values) > UINT32_MAX:
            values = [v & UINT32_MAX for v in values]
    elif kind == "sint64":
        values = [(v >> 1) ^ -(v & 1) for v in values]
    elif kind == "sint32":
        values = [((v & UINT32_MAX) >> 1) ^ -(v & 1) for v in values]
    elif kind == "bool":
        return [v != 0 for v in values]
    return values


def read_varint(buf: bytes, pos: int) -> tuple[int, int]:
    """Read a varint at ``pos``; return its value modulo 2**64 and the next position.

    The first four bytes are unrolled: a loop's counter and bound checks cost more than the
    work itself for the lengths most values take.
    """
    try:
        b = buf[pos]
        result = b & 0x7F
        if b < 0x80:
            return result, pos + 1
        b = buf[pos + 1]
        result |= (b & 0x7F) << 7
        if b < 0x80:
            return result, pos + 2
        b = buf[pos + 2]
        result |= (b & 0x7F) << 14
        if b < 0x80:
            return result, pos + 3
        b = buf[pos + 3]
        result |= (b & 0x7F) << 21
        if b < 0x80:
            return result, pos + 4
        shift, i = 28, pos + 4
        while True:
            b = buf[i]
            result |= (b & 0x7F) << shift
            i += 1
            if b < 0x80:
                return result & MASK64, i
            shift += 7
            if shift >= 70:
                raise DecodeError("varint is longer than 10 bytes", pos)
    except IndexError:
        raise DecodeError("truncated varint", pos) from None


def read_tag(buf: bytes, pos: int) -> tuple[int, int]:
    """Read a tag or a length prefix at ``pos``; return its value and the next position.

    protobuf's parsers take at most 5 bytes for these (a value may take 10), and upb rejects
    a longer spelling even of a small number, such as ``80 80 80 80 80 00`` for 0.
    """
    try:
        b = buf[pos]
        result = b & 0x7F
        if b < 0x80:
            return result, pos + 1
        b = buf[pos + 1]
        result |= (b & 0x7F) << 7
        if b < 0x80:
            return result, pos + 2
        b = buf[pos + 2]
        result |= (b & 0x7F) << 14
        if b < 0x80:
            return result, pos + 3
        b = buf[pos + 3]
        result |= (b & 0x7F) << 21
        if b < 0x80:
            return result, pos + 4
        b = buf[pos + 4]
        if b < 0x80:
            return result | (b << 28), pos + 5
    except IndexError:
        raise DecodeError("truncated varint", pos) from None
    raise DecodeError("a tag or length prefix is longer than 5 bytes", pos)


def read_length(buf: bytes, pos: int, end: int) -> tuple[int, int]:
    """Read a length prefix and check it against the bytes that remain before ``end``."""
    b = buf[pos] if pos < end else -1
    if 0 <= b < 0x80:
        n, pos = b, pos + 1
    else:
        n, pos = read_tag(buf, pos)
    if n > end - pos:
        raise DecodeError(f"length {n} runs past the end of the data ({end - pos} bytes left)", pos)
    return n, pos


def to_int64(u: int) -> int:
    return u - (1 << 64) if u > INT64_MAX else u


def to_int32(u: int) -> int:
    u &= UINT32_MAX
    return u - (1 << 32) if u > INT32_MAX else u


def unzigzag(u: int) -> int:
    return (u >> 1) ^ -(u & 1)


def skip_field(buf: bytes, pos: int, end: int, tag: int, budget: int) -> int:
    """Skip the value of a field this schema does not know; return the position after it.

    Groups (a proto2 feature) are skipped iteratively, so hostile nesting cannot recurse.
    """
    number = tag >> 3
    if number == 0:
        raise DecodeError("field number 0 is invalid", pos)
    return _skip_value(buf, pos, end, tag, budget)


def _skip_value(buf: bytes, pos: int, end: int, tag: int, budget: int) -> int:
    number, wire_type = tag >> 3, tag & 7
    if number > MAX_FIELD_NUMBER:
        raise DecodeError(f"field number {number} is too large", pos)
    if wire_type == WT_VARINT:
        _, pos = read_varint(buf, pos)
    elif wire_type == WT_I64:
        pos += 8
    elif wire_type == WT_LEN:
        n, pos = read_length(buf, pos, end)
        pos += n
    elif wire_type == WT_I32:
        pos += 4
    elif wire_type == WT_SGROUP:
        _, pos = _skip_group(buf, pos, end, number, budget)
    elif wire_type == WT_EGROUP:
        raise DecodeError(f"end-group tag for field {number} without a start-group", pos)
    else:
        raise DecodeError(f"invalid wire type {wire_type} for field {number}", pos)
    if pos > end:
        raise DecodeError(f"field {number} is truncated", end)
    return pos


def group_end(buf: bytes, pos: int, end: int, number: int, budget: int) -> tuple[int, int]:
    """Find the end-group tag of group ``number``, whose body starts at ``pos``: return where the
    tag starts (the end of the body) and the position after it."""
    closing, pos = _skip_group(buf, pos, end, number, budget)
    if pos > end:
        raise DecodeError(f"field {number} is truncated", end)
    return closing, pos


def _skip_group(buf: bytes, pos: int, end: int, number: int, budget: int) -> tuple[int, int]:
    # Inside a group, upb takes field number 0 like any other (a group 0 too, closed by an
    # end-group 0); only the message level rejects it.
    open_groups = [number]
    closing = pos
    while open_groups:
        if pos >= end:
            raise DecodeError(f"group {open_groups[-1]} is not closed", pos)
        closing = pos
        tag, pos = read_tag(buf, pos)
        wire_type, inner = tag & 7, tag >> 3
        if wire_type == WT_EGROUP:
            if inner != open_groups[-1]:
                raise DecodeError(f"end-group tag {inner} does not match group {open_groups[-1]}", pos)
            open_groups.pop()
        elif wire_type == WT_SGROUP:
            if inner > MAX_FIELD_NUMBER:
                raise DecodeError(f"field number {inner} is too large", pos)
            if len(open_groups) >= budget:
                raise DecodeError("groups are nested deeper than max_depth", pos)
            open_groups.append(inner)
        else:
            pos = _skip_value(buf, pos, end, tag, budget)
    return closing, pos


# Fixed-width scalars. Packed runs go through array, which converts a whole run in C.
PACK_DOUBLE = struct.Struct("<d").pack
PACK_FLOAT = struct.Struct("<f").pack
PACK_FIXED64 = struct.Struct("<Q").pack
PACK_SFIXED64 = struct.Struct("<q").pack
PACK_FIXED32 = struct.Struct("<I").pack
PACK_SFIXED32 = struct.Struct("<i").pack
UNPACK_DOUBLE = struct.Struct("<d").unpack_from
UNPACK_FLOAT = struct.Struct("<f").unpack_from
UNPACK_FIXED64 = struct.Struct("<Q").unpack_from
UNPACK_SFIXED64 = struct.Struct("<q").unpack_from
UNPACK_FIXED32 = struct.Struct("<I").unpack_from
UNPACK_SFIXED32 = struct.Struct("<i").unpack_from

ARRAY_CODES = {"double": "d", "float": "f", "fixed64": "Q", "sfixed64": "q", "fixed32": "I", "sfixed32": "i"}


def pack_array(code: str, values: Iterable[Any]) -> bytes:
    arr: array[Any] = array(code, values)
    if BIG_ENDIAN_HOST:
        arr.byteswap()
    return arr.tobytes()


def unpack_array(code: str, buf: bytes, pos: int, end: int) -> list[float] | list[int]:
    arr = array(code)
    if (end - pos) % arr.itemsize:
        raise DecodeError(f"packed length {end - pos} is not a multiple of {arr.itemsize}", pos)
    arr.frombytes(buf[pos:end])
    if BIG_ENDIAN_HOST:
        arr.byteswap()
    return arr.tolist()
