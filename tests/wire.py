"""Protobuf's wire format written out by hand, for tests that build or read raw bytes.

Written from the protobuf encoding guide alone, without ddl's own wire code, so that a test
built on these helpers checks ddl's reading and writing against an independent spelling.

Example::

    data = varint_field(1, 150) + length_delimited(2, b"text")  # b"\\x08\\x96\\x01\\x12\\x04text"
"""

from __future__ import annotations

from hypothesis import strategies as st

from ddl.testing import ints

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


# --- random wire data -------------------------------------------------------------------------


def wire_data(numbers: list[int]) -> st.SearchStrategy[bytes]:
    """Plausible-looking protobuf: fields with the schema's numbers, nested messages and groups,
    packed runs, and now and then a wrong wire type, a bad length or a truncated value."""
    number = st.one_of(st.sampled_from(numbers), st.integers(0, 40), st.sampled_from([(1 << 29) - 1, 1 << 29, 1 << 32]))
    varint_payload = st.one_of(
        ints(0, (1 << 64) - 1).map(varint),
        ints(-(1 << 63), (1 << 63) - 1).map(varint),
        st.binary(min_size=1, max_size=11),
    )
    leaf = st.one_of(
        st.builds(lambda n, p: tag(n, 0) + p, number, varint_payload),
        st.builds(lambda n, p: tag(n, 5) + p, number, st.binary(min_size=4, max_size=4)),
        st.builds(lambda n, p: tag(n, 1) + p, number, st.binary(min_size=8, max_size=8)),
        st.builds(length_delimited, number, st.binary(max_size=20)),
        st.builds(length_delimited, number, st.lists(varint_payload, max_size=5).map(b"".join)),
        st.builds(lambda n, w, p: tag(n, w) + p, number, st.integers(0, 7), st.binary(max_size=6)),
        st.builds(
            lambda n, extra, p: tag(n, 2) + varint(len(p) + extra) + p,
            number,
            st.integers(-3, 3),
            st.binary(max_size=6),
        ),
    )

    def nest(children: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
        body = st.lists(children, max_size=4).map(b"".join)
        return st.one_of(
            st.builds(length_delimited, number, body),
            st.builds(lambda n, b: tag(n, 3) + b + tag(n, 4), number, body),
        )

    return st.lists(st.recursive(leaf, nest, max_leaves=12), max_size=6).map(b"".join)


@st.composite
def mutations(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with a few random edits: bit flips, overwrites, insertions, deletions,
    duplicated runs, truncation."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "set", "insert", "delete", "dup", "truncate"]))
        at = draw(st.integers(0, max(len(out) - 1, 0)))
        if op == "flip" and out:
            out[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "set" and out:
            telling = st.sampled_from([0x00, 0x7F, 0x80, 0xFF, 0x0A, 0x08, 0x0B, 0x0C, 0x0E, 0x0F])
            out[at] = draw(telling | st.integers(0, 255))
        elif op == "insert":
            out[at:at] = draw(st.binary(min_size=1, max_size=4))
        elif op == "delete" and out:
            del out[at : at + draw(st.integers(1, 4))]
        elif op == "dup" and out:
            out[at:at] = out[at : at + draw(st.integers(1, 8))]
        elif op == "truncate":
            del out[at:]
    return bytes(out)
