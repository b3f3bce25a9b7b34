"""Properties that hold for every schema and value: round trips, stable bytes, unknown fields
kept, and decoding that never fails with anything but DecodeError."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import ddl
from tests.conftest import FIXTURE_SAFE, Engine
from tests.strategies import (
    Schema,
    all_numbers,
    assert_same,
    field_numbers,
    make_class,
    schema_and_value,
    schemas,
    unique_name,
)
from tests.wire import length_delimited as ld
from tests.wire import mutations, tag, varint, wire_data


def _decode_or_error(engine: Engine, data: bytes, cls: type, **kw: Any) -> Any:
    """The decoded message, or None when the data was rejected with a DecodeError."""
    try:
        return engine.decode(data, cls, **kw)
    except ddl.DecodeError as e:
        assert isinstance(e.path, str) and e.path.startswith("$")
        assert isinstance(e.offset, int) and 0 <= e.offset <= len(data), f"offset {e.offset} outside {len(data)} bytes"
        return None


def _reencodes(engine: Engine, msg: Any) -> None:
    """A decoded message encodes again (plain and deterministic), and those bytes decode."""
    data = engine.encode(msg)
    engine.encode(msg, deterministic=True)
    engine.decode(data, type(msg))


# --- round trips ------------------------------------------------------------------------------


@FIXTURE_SAFE
@given(schema_and_value())
def test_decode_of_encode_gives_back_an_identical_value(engine: Engine, sv: tuple[Schema, Any]) -> None:
    schema, value = sv
    decoded = engine.decode(engine.encode(value), schema.root)
    assert_same(value, decoded)
    assert decoded == value


@FIXTURE_SAFE
@given(schema_and_value())
def test_deterministic_encoding_is_a_fixed_point_of_decode(engine: Engine, sv: tuple[Schema, Any]) -> None:
    schema, value = sv
    data = engine.encode(value, deterministic=True)
    assert engine.encode(engine.decode(data, schema.root), deterministic=True) == data


@FIXTURE_SAFE
@given(schema_and_value(allow_sets=False))
def test_encoding_without_sets_is_a_fixed_point_of_decode(engine: Engine, sv: tuple[Schema, Any]) -> None:
    # Maps keep their order through a round trip (dicts are ordered, entries are read in
    # order), so only sets need deterministic=True for stable bytes.
    schema, value = sv
    data = engine.encode(value)
    assert engine.encode(engine.decode(data, schema.root)) == data


@FIXTURE_SAFE
@given(st.data())
def test_fields_unknown_to_the_reader_survive_decode_and_reencode(engine: Engine, data: st.DataObject) -> None:
    schema, value = data.draw(schema_and_value())
    full = schema.root
    defs = schema.fields_of(full)
    kept = data.draw(st.sets(st.sampled_from([f.name for f in defs])) if defs else st.just(set()))
    numbers = field_numbers(full)
    partial = make_class(
        unique_name("Partial"),
        {f.name: f.desc.ann for f in defs if f.name in kept},
        {},
        {name: numbers[name] for name in kept},
        options={f.name: f.options for f in defs if f.name in kept},
    )

    seen = engine.decode(engine.encode(value), partial)
    for name in kept:
        assert_same(getattr(value, name), getattr(seen, name), f"$.{name}")
    again = engine.decode(engine.encode(seen), full)
    assert_same(value, again)


# --- depth limits -----------------------------------------------------------------------------


@FIXTURE_SAFE
@given(schema_and_value(depth=3))
def test_encode_and_decode_agree_on_the_depth_a_value_needs(engine: Engine, sv: tuple[Schema, Any]) -> None:
    schema, value = sv
    data = engine.encode(value)
    for max_depth in range(8):
        try:
            encoded: bytes | None = engine.encode(value, max_depth=max_depth)
        except ddl.EncodeError:
            encoded = None
        try:
            engine.decode(data, schema.root, max_depth=max_depth)
            decodes = True
        except ddl.DecodeError:
            decodes = False
        encodes = encoded is not None
        assert decodes == encodes, f"max_depth={max_depth}: encodes={encodes}, decodes={decodes}"
        assert encoded is None or encoded == data


# --- hostile bytes ----------------------------------------------------------------------------


@FIXTURE_SAFE
@given(st.data())
def test_random_bytes_decode_to_a_reencodable_message_or_raise_decode_error(
    engine: Engine, data: st.DataObject
) -> None:
    schema = data.draw(schemas())
    raw = data.draw(st.binary(max_size=64) | wire_data(all_numbers(schema)))
    max_depth = data.draw(st.sampled_from([100, 0, 1, 3]))
    msg = _decode_or_error(engine, raw, schema.root, max_depth=max_depth)
    if msg is not None:
        _reencodes(engine, msg)


@FIXTURE_SAFE
@given(st.data())
def test_mutated_encodings_decode_to_a_reencodable_message_or_raise_decode_error(
    engine: Engine, data: st.DataObject
) -> None:
    schema, value = data.draw(schema_and_value())
    raw = data.draw(mutations(engine.encode(value)))
    msg = _decode_or_error(engine, raw, schema.root)
    if msg is not None:
        _reencodes(engine, msg)


class Color(IntEnum):
    RED = 1
    GREEN = 2


class Paint(ddl.Message):
    plain: Color = Color.RED  # 1
    maybe: Color | None = None  # 2
    either: Color | str | None = None  # 3, 4
    mixed: Color | int | None = None  # 5, 6
    many: list[Color | str] = []  # 7
    seq: list[Color] = []  # 8
    by_key: dict[str, Color | str] = {}  # 9


@pytest.mark.parametrize(
    ("data", "kept"),
    [
        (tag(1, 0) + varint(9), True),
        (tag(2, 0) + varint(-3), True),
        (tag(3, 0) + varint(9), True),
        (tag(5, 0) + varint(9), True),
        (ld(8, varint(9) + varint(1)), True),
        (ld(7, tag(1, 0) + varint(9)), False),
        (ld(9, ld(1, b"k") + ld(2, tag(1, 0) + varint(9))), False),
    ],
    ids=["field", "optional", "oneof-with-str", "oneof-with-int", "repeated", "list-of-oneofs", "map-of-oneofs"],
)
def test_a_message_holding_an_enum_number_without_a_member_encodes_again(
    engine: Engine, data: bytes, kept: bool
) -> None:
    # proto3 enums are open: a number the IntEnum lacks is valid data, however ddl holds it.
    # What decode returns must encode again, and where the message has room for the number
    # (a field or unknown fields) the bytes come back unchanged.
    msg = engine.decode(data, Paint)
    again = engine.encode(msg)
    assert engine.encode(engine.decode(again, Paint)) == again
    if kept:
        assert again == data


# --- deterministic sets -------------------------------------------------------------------------


class Point(ddl.Message, frozen=True):
    x: int = 0
    y: int = 0


class Bag(ddl.Message):
    ints: set[int] = set()
    groups: set[frozenset[int]] = set()
    points: set[Point] = set()
    mixed: frozenset[int | str] = frozenset()
    maybe: set[int | None] = set()


SET_ELEMENTS: dict[str, st.SearchStrategy[Any]] = {
    "ints": st.integers(-(1 << 63), (1 << 63) - 1),
    "groups": st.frozensets(st.integers(0, 40), max_size=3),
    "points": st.builds(Point, st.integers(-5, 5), st.integers(-5, 5)),
    "mixed": st.integers(-50, 50) | st.text(max_size=2),
    "maybe": st.none() | st.integers(-50, 50),
}


@pytest.mark.parametrize("name", list(SET_ELEMENTS))
@FIXTURE_SAFE
@given(data=st.data())
@example(data=None)
def test_deterministic_encoding_gives_equal_sets_equal_bytes(
    engine: Engine, name: str, data: st.DataObject | None
) -> None:
    # deterministic=True promises that equal messages give equal bytes, whatever order the
    # elements of their sets were inserted in.
    if data is None:  # two disjoint frozensets whose set iterates in insertion order
        elements: list[Any] = [frozenset({0}), frozenset({14})] if name == "groups" else []
        shuffled = elements[::-1]
    else:
        elements = data.draw(st.lists(SET_ELEMENTS[name], unique=True, max_size=8))
        shuffled = data.draw(st.permutations(elements))
    container = type(getattr(Bag(), name))
    first, second = Bag(**{name: container(elements)}), Bag(**{name: container(shuffled)})
    assert first == second
    data_first = engine.encode(first, deterministic=True)
    assert data_first == engine.encode(second, deterministic=True)
    assert engine.decode(data_first, Bag) == first
