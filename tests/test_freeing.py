"""How the compiled engine frees message instances: its own dealloc releases every slot once,
keeps finalizers and subclasses working, and survives nesting far deeper than the C stack; its
own traverse shows the collector every slot and the class, so cycles through them are found."""

from __future__ import annotations

import gc
import sys
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ddl
from ddl._api import decode_with, encode_with
from ddl._compiled import program_of, speedups

pytestmark = pytest.mark.skipif(speedups is None, reason="the compiled engine is not built")


class Named(ddl.Message):
    name: str = ""
    note: str = ""


class Chain(ddl.Message):
    label: str = ""
    next: Chain | None = None


class Finalized(ddl.Message):
    name: str = ""


class Watched(Named):
    extra: str = ""

    def __del__(self) -> None:
        FINALIZED.append(self.name)


FINALIZED: list[str] = []


def fresh(text: str) -> str:
    """A str object no one else holds, whose reference count the test can watch."""
    return f"{text}!"


def test_compiled_classes_are_freed_by_the_engine_unless_they_have_a_finalizer() -> None:
    assert speedups is not None
    program_of(Named), program_of(Chain), program_of(Watched)
    assert speedups.frees(Named) and speedups.frees(Chain)
    assert not speedups.frees(Watched)  # CPython frees it, then hands Named's slots over


def test_freeing_a_message_releases_each_value_it_held_once() -> None:
    program_of(Named)
    name, note = fresh("a"), fresh("b")
    before = sys.getrefcount(name), sys.getrefcount(note), sys.getrefcount(Named)
    messages = [Named(name=name, note=note) for _ in range(100)]
    messages += [decode_with(True, encode_with(True, m), Named) for m in messages[:3]]
    del messages
    assert (sys.getrefcount(name), sys.getrefcount(note), sys.getrefcount(Named)) == before


def test_a_subclass_with_its_own_finalizer_is_finalized_once_and_releases_every_slot() -> None:
    program_of(Named)
    name, extra = fresh("w"), fresh("x")
    before = sys.getrefcount(name), sys.getrefcount(extra)
    FINALIZED.clear()
    watched = Watched(name=name, extra=extra)
    del watched
    assert [name] == FINALIZED
    FINALIZED.clear()
    assert (sys.getrefcount(name), sys.getrefcount(extra)) == before


def test_a_finalizer_given_to_a_class_after_it_was_compiled_still_runs() -> None:
    seen: list[str] = []
    program_of(Finalized)
    data = encode_with(True, Finalized(name="late"))
    Finalized.__del__ = lambda self: seen.append(self.name)  # type: ignore[attr-defined]
    try:
        message = decode_with(True, data, Finalized)
        del message
        gc.collect()
        assert seen == ["late"]
    finally:
        del Finalized.__del__  # type: ignore[attr-defined]


def test_freeing_a_chain_deeper_than_the_c_stack_does_not_crash() -> None:
    program_of(Chain)
    head = Chain(label="end")
    for _ in range(200_000):
        head = Chain(label="link", next=head)
    del head  # the trashcan turns the recursive frees into a loop


def test_every_link_of_a_chain_deeper_than_the_c_stack_is_freed() -> None:
    program_of(Chain)
    label = fresh("end")
    before = sys.getrefcount(label)
    head = Chain(label=label)
    for _ in range(200_000):
        head = Chain(label="link", next=head)
    assert sys.getrefcount(label) == before + 1
    del head  # the links past the first few dozen are freed later, from the trashcan's list
    assert sys.getrefcount(label) == before


class Branch(ddl.Message):
    label: str = ""
    children: list[Branch] = []


def test_freeing_a_chain_through_lists_deeper_than_the_c_stack_does_not_crash() -> None:
    label = fresh("leaf")
    before = sys.getrefcount(label)
    root = ddl.decode(ddl.encode(Branch(label=label)), Branch)
    for _ in range(100_000):  # a message holds a list holding a message: each frees the next
        root = Branch(label="branch", children=[root])
    del root
    assert sys.getrefcount(label) == before


def test_a_cycle_through_compiled_messages_is_collected() -> None:
    program_of(Chain)
    first = Chain(label=fresh("1"))
    second = Chain(label="2", next=first)
    first.next = second
    label = first.label
    before = sys.getrefcount(label)
    del first, second
    gc.collect()
    assert sys.getrefcount(label) == before - 1


class Linked(Chain):
    others: list[Chain] = []

    def __del__(self) -> None:  # so CPython frees it, and walks its own slot before Chain's
        LINKED.append(self.label)


LINKED: list[str] = []


def test_the_collector_sees_every_value_of_a_message_and_its_class() -> None:
    program_of(Chain), program_of(Named)
    tail = Chain(label="tail")
    chain = decode_with(True, encode_with(True, Chain(label="head", next=tail)), Chain)
    assert chain.next is not None
    referents = gc.get_referents(chain)
    assert referents.count(Chain) == 1 and chain.label in referents and chain.next in referents
    watched = Watched(name=fresh("n"), note=fresh("o"), extra=fresh("e"))  # CPython's traverse, then ours
    referents = gc.get_referents(watched)
    assert referents.count(Watched) == 1
    assert all(any(r is v for r in referents) for v in (watched.name, watched.note, watched.extra))
    del watched
    FINALIZED.clear()


def test_cycles_through_a_subclass_with_slots_of_its_own_are_collected() -> None:
    program_of(Chain), program_of(Linked)
    assert not speedups.frees(Linked)  # type: ignore[union-attr]
    first, second = Linked(label=fresh("1")), Linked(label=fresh("2"))
    first.others = [first]  # through the subclass's own slot
    second.next = second  # through the class above it, whose slots this engine walks
    labels = first.label, second.label
    before = [sys.getrefcount(label) for label in labels]
    LINKED.clear()
    del first, second
    gc.collect()
    assert sorted(LINKED) == sorted(labels)
    LINKED.clear()
    assert [sys.getrefcount(label) for label in labels] == [n - 1 for n in before]


def test_freeing_a_decoded_message_releases_its_unknown_fields() -> None:
    program_of(Named)
    message = decode_with(True, b"\x0a\x01a" + b"\x48\x07", Named)  # name, then an unknown field 9
    unknown = message._ddl_unknown  # type: ignore[attr-defined]
    assert unknown == b"\x48\x07"
    before = sys.getrefcount(unknown)
    del message
    assert sys.getrefcount(unknown) == before - 1


class Leaf(Branch):
    def __del__(self) -> None:  # runs Python code while the list holding it is being freed
        # no list the collector can find still holds it: the dying list was untracked first
        LEAVES.append(self.label if not any(type(r) is list for r in gc.get_referrers(self)) else "seen")
        gc.collect()  # walks every generation while the list is half released


LEAVES: list[str] = []


def test_a_list_only_its_message_held_is_freed_with_it_releasing_each_item_once() -> None:
    labels = [fresh(str(i)) for i in range(5)]
    before = [sys.getrefcount(label) for label in labels]
    data = ddl.encode(Branch(label="root", children=[Branch(label=label) for label in labels]))
    roots = [ddl.decode(data, Branch) for _ in range(3)]
    roots.append(Branch(label="root", children=[Branch(label=label) for label in labels]))
    assert all(len(root.children) == 5 for root in roots)
    items = [child for root in roots for child in root.children]
    held = [sys.getrefcount(item) for item in items]
    del roots  # each list loses its one reference, and each item the list's
    assert [sys.getrefcount(item) for item in items] == [n - 1 for n in held]
    del items
    assert [sys.getrefcount(label) for label in labels] == before


def test_a_list_held_elsewhere_outlives_its_message_untouched() -> None:
    root = ddl.decode(ddl.encode(Branch(children=[Branch(label="a"), Branch(label="b")])), Branch)
    children = root.children
    del root
    gc.collect()
    assert [child.label for child in children] == ["a", "b"]
    children.append(Branch(label="c"))  # still a working list, tracked by the collector
    assert gc.is_tracked(children) and [child.label for child in children] == ["a", "b", "c"]


def test_a_list_subclass_in_a_slot_is_freed_by_its_own_class() -> None:
    freed: list[int] = []

    class Watching(list):  # type: ignore[type-arg]
        def __del__(self) -> None:
            freed.append(len(self))

    root = Branch(label="root", children=Watching([Branch(label="a")]))
    del root
    assert freed == [1]


def test_finalizers_run_by_a_freed_list_may_collect_meanwhile() -> None:
    survivors = [ddl.decode(ddl.encode(Branch(children=[Branch()] * 3)), Branch) for _ in range(50)]
    LEAVES.clear()
    root = ddl.decode(ddl.encode(Branch(children=[Branch(children=[Branch()])] * 4)), Branch)
    for i, child in enumerate(root.children):
        child.children = [Leaf(label=f"leaf{i}"), Leaf(label=f"other{i}")]
    del child, root  # each Leaf's finalizer runs a full collection while its list is being released
    assert sorted(LEAVES) == sorted([f"leaf{i}" for i in range(4)] + [f"other{i}" for i in range(4)])
    LEAVES.clear()
    del survivors
    gc.collect()
    assert not [o for o in gc.get_objects() if isinstance(o, Leaf)]


def test_a_decoded_text_interned_later_stays_the_tables_after_its_message_is_freed() -> None:
    program_of(Named)
    message = decode_with(True, encode_with(True, Named(name=fresh("interned-later"))), Named)
    name = sys.intern(message.name)
    assert name is message.name  # the decoded str itself joins the table
    address = id(name)
    del name, message  # the table still holds it: freeing the message must leave it alone
    again = sys.intern(fresh("interned-later"))
    assert id(again) == address and again == "interned-later!"


def test_texts_a_freed_message_held_alone_are_released_and_those_held_elsewhere_kept() -> None:
    program_of(Named)
    kept = decode_with(True, encode_with(True, Branch(label=fresh("kept"), children=[Branch()])), Branch)
    label = kept.label
    before = sys.getrefcount(label)
    del kept
    assert sys.getrefcount(label) == before - 1 and label == "kept!"
    values = [decode_with(True, encode_with(True, Named(name=fresh(str(i)))), Named) for i in range(200)]
    names = [v.name for v in values[::2]]  # half the texts held elsewhere too
    del values
    assert names == [f"{i}!" for i in range(0, 200, 2)]


class Counted(ddl.Message):
    label: str = ""
    count: int = 0
    children: list[Counted] = []


# A tree to build: its label and count (indices into the test's own objects, or None for a
# value made fresh), whether something outside the tree also holds its list, and its children.
Shape = tuple[int | None, int | None, bool, list[Any]]
SHAPES: st.SearchStrategy[Shape] = st.recursive(
    st.tuples(st.none() | st.integers(0, 2), st.none() | st.integers(0, 2), st.booleans(), st.just([])),
    lambda kids: st.tuples(
        st.none() | st.integers(0, 2), st.none() | st.integers(0, 2), st.booleans(), st.lists(kids, max_size=4)
    ),
    max_leaves=20,
)


@given(shape=SHAPES)
def test_freeing_any_tree_releases_what_it_alone_held_and_keeps_what_others_hold(shape: Shape) -> None:
    labels = [fresh(f"label{i}") for i in range(3)]
    counts = [10**12 + i for i in range(3)]  # ints no other code shares
    held: list[tuple[list[Counted], list[str]]] = []

    def build(node: Shape) -> Counted:
        label, count, hold, kids = node
        children = [build(kid) for kid in kids]
        if hold:
            held.append((children, [child.label for child in children]))
        return Counted(
            label=fresh("own") if label is None else labels[label],
            count=10**12 + 7 if count is None else counts[count],
            children=children,
        )

    before = [sys.getrefcount(v) for v in (*labels, *counts)]
    tree = build(shape)
    data = ddl.encode(tree)
    decoded = ddl.decode(data, Counted)
    kept, seen = [decoded], 0  # lists held elsewhere too, from the decoded tree: every third node's
    while kept:
        node = kept.pop()
        seen += 1
        if node.children and seen % 3 == 1:
            held.append((node.children, [child.label for child in node.children]))
        kept.extend(node.children)
    del tree, decoded, node
    assert all([child.label for child in children] == then for children, then in held)  # untouched
    held.clear()
    gc.collect()
    assert [sys.getrefcount(v) for v in (*labels, *counts)] == before
