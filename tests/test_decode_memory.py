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
