"""Where the compiled readers (binary and JSON) put what they make in the cyclic GC's
generations (ddl/_cy/ddl_gc.c): a decoded message graph is born without cycles, so its tracked
objects go straight to the oldest generation and are not counted towards the next young
collection. Young collections then never pass over them; a full collection still does, and
still finds a cycle a user makes through them later."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import ddl
from tests.conftest import TENURES

pytestmark = [
    pytest.mark.skipif(not TENURES, reason="the compiled engine places objects by generation on 3.11 to 3.13"),
    pytest.mark.usefixtures("gc_restored"),
]


class Node(ddl.Message):
    name: str = ""
    children: list[Node] = []


def tree(depth: int, fan: int) -> Node:
    return Node(name=f"d{depth}", children=[tree(depth - 1, fan) for _ in range(fan)] if depth else [])


TREE = tree(6, 3)  # 1,093 nodes, each with its list
READERS: dict[str, Callable[[], Any]] = {
    "binary": lambda: ddl.decode(ddl.encode(TREE), Node),
    "json": lambda: ddl.from_json(ddl.to_json(TREE), Node),
}


def made(root: Node) -> Iterator[object]:
    """Every object of the graph the GC may track: the nodes and their lists."""
    yield root
    yield root.children
    for child in root.children:
        yield from made(child)


@pytest.mark.parametrize("read", READERS)
def test_a_decoded_graph_is_tracked_in_the_oldest_generation(read: str) -> None:
    root = READERS[read]()
    assert root == TREE
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    young = {id(o) for o in gc.get_objects(generation=0) + gc.get_objects(generation=1)}
    objects = list(made(root))
    assert len(objects) == 2 * 1093
    assert all(gc.is_tracked(o) and id(o) in oldest and id(o) not in young for o in objects)


class Index(ddl.Message):
    nodes: dict[str, Node] = {}
    counts: dict[str, int] = {}


@pytest.mark.parametrize("read", [ddl.decode, ddl.from_json])
def test_a_map_of_messages_is_tracked_in_the_oldest_generation_and_a_map_of_numbers_not_at_all(
    read: Callable[[Any, type[Index]], Index],
) -> None:
    index = Index(nodes={"a": tree(1, 2), "b": Node()}, counts={"a": 1, "b": 2})
    got = read(ddl.encode(index) if read is ddl.decode else ddl.to_json(index), Index)
    assert got == index
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert gc.is_tracked(got.nodes) and id(got.nodes) in oldest
    assert all(id(o) in oldest for node in got.nodes.values() for o in made(node))
    assert not gc.is_tracked(got.counts)  # CPython leaves a dict of numbers out; so does ddl


@pytest.mark.parametrize("read", READERS)
def test_a_decode_adds_nothing_to_the_count_towards_a_young_collection(read: str) -> None:
    gc.collect()
    gc.set_threshold(100_000)  # no collection meanwhile, so the count only grows
    before = gc.get_count()[0]
    root = READERS[read]()
    # the encode's own work and a few objects not of the graph, against 2,186 tracked objects
    assert gc.get_count()[0] - before < 100
    assert root == TREE


class Leaf(ddl.Message):
    name: str = ""
    size: int = 0


class Leaves(ddl.Message):
    leaves: list[Leaf] = []


LEAVES = Leaves(leaves=[Leaf(name=f"leaf{k}", size=k) for k in range(2_000)])


@pytest.mark.parametrize("read", [ddl.decode, ddl.from_json])
def test_messages_the_gc_never_tracks_are_not_counted_towards_a_young_collection(
    read: Callable[[Any, type[Leaves]], Leaves],
) -> None:
    text = ddl.encode(LEAVES) if read is ddl.decode else ddl.to_json(LEAVES)
    gc.collect()
    gc.set_threshold(100_000)
    before = gc.get_count()[0]
    got = read(text, Leaves)
    assert not any(gc.is_tracked(leaf) for leaf in got.leaves)  # numbers and strings: no cycle
    assert gc.get_count()[0] - before < 100  # where each of the 2,000 leaves counted one
    assert got == LEAVES


@pytest.mark.parametrize("read", READERS)
def test_a_cycle_made_through_a_decoded_graph_is_still_collected(read: str) -> None:
    root = READERS[read]()
    label = f"{root.name}!"  # a str only this test and the node hold
    root.children[0].children[0].name = label
    root.children[0].children[0].children.append(root)
    before = sys.getrefcount(label)
    del root
    gc.collect(0), gc.collect(1)
    assert sys.getrefcount(label) == before  # young collections do not pass over the graph
    gc.collect()
    assert sys.getrefcount(label) == before - 1


class Decoding:
    """Garbage in a cycle whose finalizer decodes, so that a decode runs in a collection."""

    def __init__(self, read: str, out: list[Any]) -> None:
        self.read, self.out, self.me = read, out, self

    def __del__(self) -> None:
        self.out.append(READERS[self.read]())


@pytest.mark.parametrize("read", READERS)
def test_a_decode_run_by_a_finalizer_during_a_collection_is_placed_safely(read: str) -> None:
    out: list[Any] = []
    Decoding(read, out)
    gc.collect()
    assert len(out) == 1 and out[0] == TREE
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert all(id(o) in oldest for o in made(out[0]))
    gc.collect()  # a full collection walks every generation's list to its end
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert all(gc.is_tracked(o) and id(o) in oldest for o in made(out[0])) and out[0] == TREE
