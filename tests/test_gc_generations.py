"""Where the compiled readers (binary and JSON) put what they make in the cyclic GC's
generations (ddl/_cy/ddl_gc.c): a decoded message graph is born without cycles, so its tracked
objects go straight to the oldest generation and are not counted towards the next young
collection. Young collections then never pass over them; a full collection still does, and
still finds a cycle a user makes through them later. In that generation's list each object
comes after the one holding it, as objects made top-down in Python come."""

from __future__ import annotations

import copy
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


# Every way the compiled engine makes a graph of new messages.
MAKERS: dict[str, Callable[[], Any]] = {
    **READERS,
    "dict": lambda: ddl.from_dict(ddl.to_dict(TREE), Node),
    "deepcopy": lambda: copy.deepcopy(TREE),
}


def places() -> dict[int, int]:
    """Each tracked object's place in the oldest generation's list (by id)."""
    return {id(o): k for k, o in enumerate(gc.get_objects(generation=2))}


def assert_after_holders(node: Node, place: dict[int, int]) -> None:
    assert place[id(node)] < place[id(node.children)]
    for child in node.children:
        assert place[id(node.children)] < place[id(child)]
        assert_after_holders(child, place)


@pytest.mark.parametrize("make", MAKERS)
def test_each_new_object_is_linked_after_the_object_holding_it(make: str) -> None:
    """A full collection walks the list in order, marking what each reachable object holds as
    reachable; an object it meets before its holder is moved out of the list and back again
    (about twice the work: benches/README.md, 2026-12-02 (6)). A message is linked as it is
    made, its lists and dicts right after it, and what they hold after them."""
    gc.disable()  # no collection between the making and the look at the list
    root = MAKERS[make]()
    assert root == TREE
    assert_after_holders(root, places())


@pytest.mark.parametrize("make", ["binary", "json", "dict", "deepcopy"])
def test_a_map_of_messages_is_linked_after_its_message_and_before_its_values(make: str) -> None:
    index = Index(nodes={"a": tree(1, 2), "b": tree(2, 1)}, counts={"a": 1})
    gc.disable()
    if make == "binary":
        got = ddl.decode(ddl.encode(index), Index)
    elif make == "json":
        got = ddl.from_json(ddl.to_json(index), Index)
    elif make == "dict":
        got = ddl.from_dict(ddl.to_dict(index), Index)
    else:
        got = copy.deepcopy(index)
    assert got == index
    place = places()
    assert place[id(got)] < place[id(got.nodes)] < min(place[id(node)] for node in got.nodes.values())
    for node in got.nodes.values():
        assert_after_holders(node, place)


class Counted(ddl.Message):
    counts: dict[str, int] = {}  # a dict of numbers: counted towards a young collection, never tracked
    children: list[Counted] = []


def counted(depth: int) -> Counted:
    return Counted(counts={"depth": depth}, children=[counted(depth - 1) for _ in range(3)] if depth else [])


@pytest.mark.skipif(
    sys.version_info >= (3, 12), reason="from 3.12 a collection waits for the interpreter's next instruction"
)
@pytest.mark.parametrize("read", [ddl.decode, ddl.from_json])
def test_full_collections_during_a_decode_walk_its_half_made_messages_safely(
    read: Callable[[Any, type[Counted]], Counted],
) -> None:
    """A message is in the GC's list from the moment it is made, its slots still empty: a
    collection meanwhile walks it as it is. With the rest of the process frozen out of the
    collector and every threshold 1, each dict the decode makes starts a collection, and a
    young one's survivors a full one."""
    value = counted(4)
    text = ddl.encode(value) if read is ddl.decode else ddl.to_json(value)
    fulls: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == 2:
            fulls.append(1)

    gc.freeze()
    gc.collect()  # an oldest generation of nearly nothing: any survivor of a young one starts a full one
    gc.set_threshold(1, 1, 1)
    gc.callbacks.append(count)
    try:
        got = read(text, Counted)
    finally:
        gc.callbacks.remove(count)
        gc.unfreeze()
    assert fulls  # at least one, while the graph was half made
    assert got == value


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


# Each reader of the compiled engine with its input made beforehand, so that only its own
# allocations move the count.
INPUTS: dict[str, tuple[Callable[[Any, type[Node]], Node], Any]] = {
    "binary": (ddl.decode, ddl.encode(TREE)),
    "json": (ddl.from_json, ddl.to_json(TREE)),
    "dict": (ddl.from_dict, ddl.to_dict(TREE)),
}


@pytest.mark.parametrize("reader", INPUTS)
def test_a_decoded_graph_leaves_the_count_towards_a_young_collection_as_it_was(reader: str) -> None:
    read, data = INPUTS[reader]
    assert read(data, Node) == TREE  # the class compiled before the count is read
    gc.collect()
    gc.set_threshold(100_000)
    held = [[] for _ in range(5_000)]  # young objects, each counted once
    before = gc.get_count()[0]
    root = read(data, Node)
    # Its 2,186 tracked objects go to the oldest generation uncounted: they neither wait for a
    # young collection nor take another object's place in the count.
    assert abs(gc.get_count()[0] - before) < 20
    assert root == TREE and len(held) == 5_000


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
