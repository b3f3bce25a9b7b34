"""What a decoded value costs in memory: shared ints for two-byte varints, lists without spare
room. benches/hostile_memory.py measures the same on inputs of millions of values."""

from __future__ import annotations

import struct
import sys
import tracemalloc

import pytest

import ddl
from tests.conftest import Engine

POINTER = struct.calcsize("P")


class Packed(ddl.Message):
    values: list[int] = []
    small: list[ddl.int32] = []


class Node(ddl.Message):
    children: list[Node] = []


def test_packed_two_byte_varints_cost_one_list_pointer_each(engine: Engine) -> None:
    values = [128 + i % (16384 - 128) for i in range(20_000)]
    data = engine.encode(Packed(values=values, small=values))
    engine.decode(data, Packed)  # compile the codec, and make the shared ints, outside the measurement
    tracemalloc.start()
    try:
        decoded = engine.decode(data, Packed)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
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


def test_records_with_the_same_unknown_fields_share_their_bytes(engine: Engine) -> None:
    if engine.name == "python":
        pytest.skip("the generated code keeps a copy per record")
    data = b"\x0a\x04\x08\x05\x10\x01" * 10_000  # each record: a = 5, and field 2 unknown to Known
    engine.decode(data[:12], Knowns)  # compile the codec outside the measurement
    tracemalloc.start()
    try:
        decoded = engine.decode(data, Knowns)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert engine.encode(decoded) == data
    assert [item.a for item in decoded.items] == [5] * 10_000
    # A record is 48 bytes and its list pointer 8; a bytes object of its own would add 48.
    assert peak < 10_000 * 72, f"{peak / 10_000:.0f} bytes per record"


def test_absent_frozensets_are_one_shared_empty_frozenset(engine: Engine) -> None:
    first, second = engine.decode(b"\x08\x01", Point), engine.decode(b"\x08\x02", Point)
    assert first.kinds == second.kinds == frozenset()
    assert first.kinds is second.kinds
