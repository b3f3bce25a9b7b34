"""Protobuf's wire format written out by hand, for tests that build or read raw bytes.

Written from the protobuf encoding guide alone, without ddl's own wire code, so that a test
built on these helpers checks ddl's reading and writing against an independent spelling.

Example::

    data = varint_field(1, 150) + length_delimited(2, b"text")  # b"\\x08\\x96\\x01\\x12\\x04text"
"""

from __future__ import annotations

VARINT, I64, LEN, SGROUP, EGROUP, I32 = 0, 1, 2, 3, 4, 5


def varint(value: int) -> bytes:
    """The varint encoding of ``value`` modulo 2**64 (negative ints as protobuf writes them)."""
    value &= (1 << 64) - 1
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def overlong_varint(value: int, size: int) -> bytes:
    """``value`` as a varint spelled in exactly ``size`` bytes (padded with continuation bytes)."""
    out = bytearray()
    for _ in range(size - 1):
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    assert value < 0x80, "the value needs more bytes"
    out.append(value)
    return bytes(out)


def tag(number: int, wire_type: int) -> bytes:
    return varint((number << 3) | wire_type)


def varint_field(number: int, value: int) -> bytes:
    return tag(number, VARINT) + varint(value)


def length_delimited(number: int, body: bytes) -> bytes:
    return tag(number, LEN) + varint(len(body)) + body


def group(number: int, body: bytes) -> bytes:
    return tag(number, SGROUP) + body + tag(number, EGROUP)


def read_varint(data: bytes) -> tuple[int, bytes]:
    """The varint at the start of ``data``, and the bytes after it."""
    value = shift = 0
    for i, byte in enumerate(data):
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, data[i + 1 :]
    raise AssertionError("truncated varint")


def read_field(data: bytes) -> tuple[int, int, bytes, bytes]:
    """The field at the start of ``data``: its number, its wire type, its payload (the varint's
    bytes, the fixed bytes or the length-delimited body) and the bytes after it."""
    key, rest = read_varint(data)
    number, wire_type = key >> 3, key & 7
    if wire_type == VARINT:
        _, after = read_varint(rest)
        return number, wire_type, rest[: len(rest) - len(after)], after
    if wire_type == LEN:
        length, rest = read_varint(rest)
        return number, wire_type, rest[:length], rest[length:]
    size = {I64: 8, I32: 4}[wire_type]
    return number, wire_type, rest[:size], rest[size:]
