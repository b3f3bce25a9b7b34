"""What a decoded value costs in memory: shared ints for two-byte varints, lists without spare
room. benches/hostile_memory.py measures the same on inputs of millions of values."""

from __future__ import annotations

import struct
import sys
import tracemalloc
from typing import TypeVar

import pytest

import ddl
from tests.conftest import Engine

M = TypeVar("M", bound=ddl.Message)

POINTER = struct.calcsize("P")


class Packed(ddl.Message):
    values: list[int] = []
    small: list[ddl.int32] = []


class Node(ddl.Message):
    children: list[Node] = []


def decode_peak(engine: Engine, data: bytes, cls: type[M]) -> tuple[M, int]:
    """The value ``data`` decodes to, and the most memory tracemalloc saw the decode hold."""
    tracemalloc.start()
    try:
        decoded = engine.decode(data, cls)
        return decoded, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_packed_two_byte_varints_cost_one_list_pointer_each(engine: Engine) -> None:
    values = [128 + i % (16384 - 128) for i in range(20_000)]
    data = engine.encode(Packed(values=values, small=values))
    engine.decode(data, Packed)  # compile the codec, and make the shared ints, outside the measurement
    decoded, peak = decode_peak(engine, data, Packed)
    assert decoded == Packed(values=values, small=values)
    # A list pointer is 8 bytes, with up to an eighth more room in the pure engine's lists; an
    # int object of its own would add 32.
    assert peak < 2 * len(values) * 16, f"{peak / (2 * len(values)):.1f} bytes per value"


@pytest.mark.parametrize("width", [1, 2, 5, 17])
def test_repeated_message_lists_keep_no_spare_room(engine: Engine, width: int) -> None:
    if engine.name == "python":
        pytest.skip("generated code appends, and CPython's lists keep room for more")
    chain = Node()
    for _ in range(3):
        chain = Node(children=[chain] * width)
    decoded = engine.decode(engine.encode(chain), Node)
    assert decoded == chain
    node = decoded
    while node.children:
        assert sys.getsizeof(node.children) == sys.getsizeof([]) + len(node.children) * POINTER
        node = node.children[0]


class Mixed(ddl.Message):
    nodes: list[Node] = []
    names: list[str] = []


@pytest.mark.parametrize("count", [2, 3, 9])
def test_lists_of_interleaved_elements_keep_no_spare_room(engine: Engine, count: int) -> None:
    if engine.name == "python":
        pytest.skip("generated code appends, and CPython's lists keep room for more")
    one_each = engine.encode(Mixed(nodes=[Node()], names=["x"]))
    decoded = engine.decode(one_each * count, Mixed)  # nodes and names alternate on the wire
    assert decoded == Mixed(nodes=[Node()] * count, names=["x"] * count)
    for items in (decoded.nodes, decoded.names):
        assert sys.getsizeof(items) == sys.getsizeof([]) + count * POINTER


class Point(ddl.Message, frozen=True):
    x: int = 0
    label: str = ""
    tags: tuple[str, ...] = ()
    kinds: frozenset[int] = frozenset()


class Shape(ddl.Message, frozen=True):
    corner: Point = ddl.field(default_factory=Point)
    points: tuple[Point, ...] = ()
    note: str | None = None


class Loose(ddl.Message, frozen=True):
    corner: Point = ddl.field(default_factory=Point)
    names: list[str] = []


def test_empty_frozen_instances_are_shared_when_immutable_all_the_way_down(engine: Engine) -> None:
    if engine.name == "python":
        pytest.skip("the generated code makes a new instance for each")
    empty_points = engine.encode(Shape(points=(Point(),) * 3))
    shape = engine.decode(empty_points, Shape)
    assert shape == Shape(points=(Point(),) * 3)
    assert shape.corner is shape.points[0] is shape.points[2]
    assert engine.decode(b"", Shape) is engine.decode(b"", Shape)
    assert engine.decode(b"", Shape).corner is shape.corner
    filled = engine.decode(engine.encode(Shape(points=(Point(x=1), Point()))), Shape)
    assert filled.points == (Point(x=1), Point())
    assert filled.points[1] is shape.corner
    # A list in the class (even a frozen one) can change, so its instances are never shared.
    first, second = engine.decode(b"", Loose), engine.decode(b"", Loose)
    assert first == second == Loose()
    assert first is not second
    assert first.names is not second.names
    first.names.append("a")
    assert second.names == []


class Known(ddl.Message):
    a: int = 0


class Knowns(ddl.Message):
    items: list[Known] = []


class Pair(ddl.Message):
    first: Known = ddl.field(default_factory=Known)
    second: Known = ddl.field(default_factory=Known)


def test_empty_instances_of_a_class_taking_assignments_are_never_shared(engine: Engine) -> None:
    # Known holds plain values only, so it is as immutable all the way down as Point, but an
    # assignment to one shared instance would show in every other.
    pair = engine.decode(engine.encode(Knowns(items=[Known(), Known()])), Knowns)
    pair.items[0].a = 5
    assert pair.items[1] == Known()
    empties = engine.decode(b"", Pair)
    assert empties.first is not empties.second
    empties.first.a = 1
    assert empties.second.a == 0 and engine.decode(b"", Pair) == Pair()


def test_records_with_the_same_unknown_fields_share_their_bytes(engine: Engine) -> None:
    if engine.name == "python":
        pytest.skip("the generated code keeps a copy per record")
    data = b"\x0a\x04\x08\x05\x10\x01" * 10_000  # each record: a = 5, and field 2 unknown to Known
    engine.decode(data[:12], Knowns)  # compile the codec outside the measurement
    decoded, peak = decode_peak(engine, data, Knowns)
    assert engine.encode(decoded) == data
    assert [item.a for item in decoded.items] == [5] * 10_000
    # A record is 48 bytes and its list pointer 8; a bytes object of its own would add 48.
    assert peak < 10_000 * 72, f"{peak / 10_000:.0f} bytes per record"


def test_absent_frozensets_are_one_shared_empty_frozenset(engine: Engine) -> None:
    first, second = engine.decode(b"\x08\x01", Point), engine.decode(b"\x08\x02", Point)
    assert first.kinds == second.kinds == frozenset()
    assert first.kinds is second.kinds


class Record(ddl.Message):
    tags: list[str] = []
    attrs: dict[str, str] = {}
    code: str = ""


class Records(ddl.Message):
    items: list[Record] = []


def test_short_strings_that_repeat_across_records_are_one_object_each(engine: Engine) -> None:
    if engine.name == "python":
        pytest.skip("the generated code makes a new str each time")
    one = Record(tags=["red", "blue"], attrs={"key0": "v", "region": "north"}, code="USD")
    data = engine.encode(Records(items=[one] * 2))
    first, second = engine.decode(data, Records).items
    assert first == second == one
    assert all(x is y for x, y in zip(first.tags, second.tags, strict=True))
    assert all(x is y for x, y in zip(first.attrs, second.attrs, strict=True))  # the keys
    assert first.attrs["region"] is second.attrs["region"] and first.code is second.code
    # ASCII keys and names of up to 64 bytes repeat too ("user_profile__clicks_7d", attribute keys).
    keyed = Record(tags=["a tag of twenty-two!!!", "x" * 64], attrs={"http.response.status_code": "ok"})
    third, fourth = engine.decode(engine.encode(Records(items=[keyed] * 2)), Records).items
    assert third == fourth == keyed
    assert all(x is y for x, y in zip(third.tags, fourth.tags, strict=True))
    assert all(x is y for x, y in zip(third.attrs, fourth.attrs, strict=True))
    # Longer strings, and those past 16 bytes that are not ASCII (text), are rarely repeated
    # values: each is its own object.
    for code in ["y" * 65, "naïve text, twenty bytes"]:
        third, fourth = engine.decode(engine.encode(Records(items=[Record(code=code)] * 2)), Records).items
        assert third.code == fourth.code == code and third.code is not fourth.code


def _variants(length: int) -> list[str]:
    """Strings of ``length`` characters, each differing from the first in one place only."""
    base = "".join(chr(ord("a") + i % 26) for i in range(length))
    return [base] + [base[:i] + "Z" + base[i + 1 :] for i in range(length)]


def test_strings_differing_in_one_byte_or_in_length_decode_as_themselves(engine: Engine) -> None:
    # Every length around the shared strings' limits (16 bytes, and 64 for ASCII ones), each with
    # one byte changed at each place, and text of two- to four-byte characters: decoded many
    # times over, in an order that makes strings of the same length follow each other.
    # Each comes three times in a row, so that the field's lookups keep hitting and it keeps
    # looking every string up (a field whose strings never repeat stops, see below).
    texts = [t for n in [*range(1, 20), *range(60, 68)] for t in _variants(n)]
    texts += ["é", "日本", "€uro", "naïve", "🐍", "Zürich-8", "ab\x00c", "\x00"]
    tags = [t for t in texts for _ in range(3)]
    data = engine.encode(Record(tags=tags, attrs={t: t[::-1] for t in texts}))
    for _ in range(2):
        decoded = engine.decode(data, Record)
        assert decoded.tags == tags
        assert decoded.attrs == {t: t[::-1] for t in texts}


def _objects(strings: list[str]) -> int:
    return len({id(s) for s in strings})


def test_a_field_whose_strings_never_repeat_stops_looking_them_up(engine: Engine) -> None:
    # A lookup that misses costs more than the str it would have saved, and its string pushes
    # out one that was repeating. After a few dozen strings that all missed, the field's
    # strings are made without the table for a while: decoding the same bytes again gives
    # strs of their own, where a table that had kept them would give the same ones back.
    if engine.name == "python":
        pytest.skip("the generated code makes a new str each time")

    class Ids(ddl.Message):
        ids: list[str] = []

    ids = [f"id-{i:06}" for i in range(500)]
    data = engine.encode(Ids(ids=ids))
    first, second = engine.decode(data, Ids).ids, engine.decode(data, Ids).ids
    assert first == second == ids
    assert sum(a is b for a, b in zip(first, second, strict=True)) < len(ids) // 10


def test_a_field_that_stopped_looking_up_shares_again_once_its_strings_repeat(engine: Engine) -> None:
    if engine.name == "python":
        pytest.skip("the generated code makes a new str each time")

    class Codes(ddl.Message):
        codes: list[str] = []

    unique = [f"code-{i:06}" for i in range(2_000)]
    assert _objects(engine.decode(engine.encode(Codes(codes=unique)), Codes).codes) == len(unique)
    again = ["EUR"] * 3_000
    decoded = engine.decode(engine.encode(Codes(codes=again)), Codes).codes
    assert decoded == again
    assert _objects(decoded[-2_000:]) == 1


def test_a_field_whose_strings_repeat_between_others_keeps_sharing_them(engine: Engine) -> None:
    # One string in two hits: the field keeps looking every string up. The others are ASCII
    # past 16 bytes, kept in the other table, so they never push "red" out.
    if engine.name == "python":
        pytest.skip("the generated code makes a new str each time")

    class Tags(ddl.Message):
        tags: list[str] = []

    tags = [t for i in range(2_000) for t in ("red", f"a tag seen once, {i:06}")]
    decoded = engine.decode(engine.encode(Tags(tags=tags)), Tags).tags
    assert decoded == tags
    assert _objects([t for t in decoded if t == "red"]) == 1


def test_short_invalid_utf8_fails_every_time_after_valid_strings_of_its_length(engine: Engine) -> None:
    valid = engine.encode(Record(code="ab\xe9"))  # b"ab\xc3\xa9": 4 bytes
    invalid = valid[:-2] + b"\xc3\x28"  # the same length, not UTF-8
    for _ in range(3):
        assert engine.decode(valid, Record).code == "ab\xe9"
        with pytest.raises(ddl.DecodeError):
            engine.decode(invalid, Record)


def test_records_with_the_same_short_strings_cost_no_str_of_their_own(engine: Engine) -> None:
    if engine.name == "python":
        pytest.skip("the generated code makes a new str each time")
    one = Record(tags=["red", "green", "blue"], attrs={"key0": "a", "key1": "b"}, code="EUR")
    data = engine.encode(Records(items=[one] * 5_000))
    engine.decode(engine.encode(Records(items=[one])), Records)  # compile the codec outside the measurement
    decoded, peak = decode_peak(engine, data, Records)
    assert decoded == Records(items=[one] * 5_000)
    # A record: its instance (48), its tags list (56 + 24) and its dict (about 200), and its
    # pointer in the list (8); eight strs of its own would add about 400.
    assert peak < 5_000 * 400, f"{peak / 5_000:.0f} bytes per record"


def test_a_map_entry_repeated_many_times_costs_one_entry(engine: Engine) -> None:
    # A dict is made with room for the run of entries that follows it on the wire; entries that
    # repeat one key leave one item, and must not buy a table for all of them.
    entry = engine.encode(Record(attrs={"k": "v"}))
    data = entry * 100_000
    engine.decode(entry, Record)  # compile the codec outside the measurement
    decoded, peak = decode_peak(engine, data, Record)
    assert decoded == Record(attrs={"k": "v"})
    # a table for 100,000 entries would hold about 4 MB
    assert peak < 100_000, f"{peak:,} bytes"


@pytest.mark.parametrize("n", [5, 6, 100, 1_024, 1_025, 3_000])
def test_maps_of_every_size_around_their_first_room_decode_whole(engine: Engine, n: int) -> None:
    attrs = {f"key number {i:05}": str(i) for i in range(n)}
    record = Record(attrs=attrs, tags=["a"], code="x")
    decoded = engine.decode(engine.encode(record), Record)
    assert decoded == record and list(decoded.attrs) == list(attrs)
    decoded.attrs["one more"] = "y"  # the dict takes more items after its run
    assert len(decoded.attrs) == n + 1
