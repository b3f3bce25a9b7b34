"""A message field given more than once, in the compiled engine: it reads the data again with
each such field's occurrences joined into one (``ddl/_cy/decode_rejoin.pxi``) and gives what the
reference engine gives, value or error, without handing the call to it where the joined
fields are messages of a class."""

from __future__ import annotations

import tracemalloc
from datetime import datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ddl
from ddl._api import decode_with, encode_with
from ddl._compiled import program_of, speedups
from tests.strategies import Schema, schema_and_value
from tests.test_engines import assert_decodes_alike, outcome
from tests.test_wire_strict import ID, MERGES, Chain, Strict, repeated_at_every_level
from tests.wire import length_delimited as ld
from tests.wire import mutations, tag, varint

pytestmark = pytest.mark.skipif(speedups is None, reason="the compiled engine is not built")

# The cases of test_wire_strict that repeat a singular field outside oneofs and map entries, at
# the top (Strict.leaf, a Timestamp, a Value...) or in a message of a class (Leaf.child). The
# others repeat a oneof member or a map entry's value, or complete a value invalid alone.
JOINED_HERE = [
    "scalars", "repeated", "many", "unknown-fields", "nested", "nested-child", "timestamp", "timestamp-zeroed",
    "duration", "date", "json-value-struct", "json-value-list", "json-value-replaced", "struct",
]  # fmt: skip


def compiled(data: bytes, cls: type, max_depth: int = 100) -> Any:
    """The compiled engine's own answer: Bail (a hand-back to the reference engine) fails."""
    assert speedups is not None
    return speedups.decode_program(program_of(cls), data, max_depth)


@pytest.mark.parametrize("kind", JOINED_HERE)
@pytest.mark.parametrize("before", [b"", ld(2, b"")], ids=["", "empty-first"])
def test_the_compiled_engine_merges_a_message_field_given_twice_itself(kind: str, before: bytes) -> None:
    data = ID + before + MERGES[kind]
    assert compiled(data, Strict) == decode_with(False, data, Strict)


@pytest.mark.parametrize("deep_first", [True, False], ids=["deep-first", "deep-last"])
def test_a_field_repeated_at_every_level_merges_in_the_compiled_engine(deep_first: bool) -> None:
    data = repeated_at_every_level(80, deep_first)
    assert compiled(data, Chain) == decode_with(False, data, Chain)


def test_occurrences_ending_inside_a_field_that_the_next_completes_are_the_reference_engines() -> None:
    # Each occurrence parses alone: a body cut inside a string whose rest the next one holds is
    # rejected, though the bodies joined would read as one valid string.
    whole = ld(2, b"abc")
    data = ID + ld(2, whole[:2]) + ld(2, whole[2:])
    with pytest.raises(speedups.Bail):  # type: ignore[union-attr]
        compiled(data, Strict)
    assert outcome(ddl.decode, data, Strict) == outcome(decode_with, False, data, Strict)
    assert outcome(ddl.decode, data, Strict)[0] == "DecodeError"


class Stamped(ddl.Message):
    when: datetime | None = None  # 1
    n: int = 0  # 2


class Envelope(ddl.Message):
    stamped: Stamped | None = None  # 1


def timestamp(seconds: int, nanos: int) -> bytes:
    return tag(1, 0) + varint(seconds) + tag(2, 0) + varint(nanos)


@pytest.mark.parametrize("where", ["two-occurrences-of-its-message", "one-occurrence"])
@pytest.mark.parametrize(
    ("first", "second", "in_c"),
    [
        (tag(2, 0) + varint(5), tag(1, 0) + varint(7), True),  # seconds from the second, nanos from the first
        (timestamp(0, 2_000_000_000), timestamp(0, 5), False),  # the first invalid alone, the second completes it
        (timestamp(1, 5), timestamp(0, 2_000_000_000), False),  # valid alone, invalid merged: kept
    ],
    ids=["parts", "completed", "spoiled"],
)
def test_a_timestamp_given_twice_below_a_joined_message_is_joined(
    first: bytes, second: bytes, in_c: bool, where: str
) -> None:
    # The reference engine merges a later occurrence of Envelope.stamped into the first, the
    # Timestamp in it included, even one invalid alone (kept among the unknown fields until then):
    # what the joined bodies give, checked once merged. A value invalid alone, or merged, is the
    # reference engine's (the compiled engine keeps no unknown fields of that kind).
    stamped = (ld(1, first), ld(1, second))
    if where == "one-occurrence":
        data = ld(1, stamped[0] + stamped[1] + tag(2, 0) + varint(1))
    else:
        data = ld(1, stamped[0] + tag(2, 0) + varint(1)) + ld(1, stamped[1])
    expected = decode_with(False, data, Envelope)
    assert ddl.decode(data, Envelope) == expected
    if in_c:
        assert compiled(data, Envelope) == expected
    else:
        with pytest.raises(speedups.Bail):  # type: ignore[union-attr]
            compiled(data, Envelope)


def test_a_field_given_again_inside_a_map_value_is_the_reference_engines() -> None:
    entry = ld(5, ld(1, b"k") + ld(2, ld(4, ld(2, b"a"))) + ld(2, b""))
    data = ID + entry + ld(2, ld(4, b"") + ld(4, b""))
    assert ddl.decode(data, Strict) == decode_with(False, data, Strict)
    with pytest.raises(speedups.Bail):  # type: ignore[union-attr]
        compiled(ID + entry.replace(ld(2, b""), ld(2, ld(4, b"") + ld(4, b""))), Strict)


def wide_chain(depth: int, width: int) -> bytes:
    """Chain.next twice at every level, as repeated_at_every_level, each level with ``width``
    values in each occurrence."""
    body = b""
    for i in range(depth):
        small = ld(1, ld(2, varint(i) * width)) + ld(2, varint(i) * width)
        body = ld(1, body) + ld(1, small)
    return body


def test_nesting_the_rewrite_would_copy_too_often_goes_to_the_reference_engine() -> None:
    # Each level joins the rest of the chain once more: 300 levels would copy the data about
    # 150 times over, 7.6 MB for these 50 KB. The rewrite stops at 8 times the data (and
    # 64 KiB) and hands the call on; the objects of the first try are most of what it made.
    data = wide_chain(300, 50)
    tracemalloc.start()
    try:
        with pytest.raises(speedups.Bail):  # type: ignore[union-attr]
            compiled(data, Chain, max_depth=1000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * len(data) + (1 << 18), f"{peak} bytes made for {len(data)} bytes of data"
    ours, reference = ddl.decode(data, Chain, max_depth=1000), decode_with(False, data, Chain, max_depth=1000)
    assert encode_with(False, ours, max_depth=1000) == encode_with(False, reference, max_depth=1000)


def test_100000_occurrences_join_in_the_compiled_engine() -> None:
    piece = ld(1, ld(1, tag(2, 0) + varint(1)) + tag(2, 0) + varint(2))
    chain = compiled(piece * 100_000, Chain)
    assert chain.next is not None and chain.next.values == [2] * 100_000
    assert chain.next.next is not None and chain.next.next.values == [1] * 100_000


@given(schema_and_value(), st.data())
def test_both_engines_agree_on_concatenated_encodings_of_random_schemas(
    sv: tuple[Schema, Any], data: st.DataObject
) -> None:
    # protobuf merges what two encodings concatenated give: singular messages merge, repeated
    # fields append, the last scalar wins. Damaged, the bodies must still parse each alone.
    schema, first = sv
    rest = data.draw(st.lists(schema.values(2), min_size=1, max_size=2))
    joined = b"".join(encode_with(False, value) for value in [first, *rest])
    for candidate in (joined, data.draw(mutations(joined))):
        assert_decodes_alike(candidate, schema.root)
