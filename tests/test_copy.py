"""copy.copy and copy.deepcopy of messages, on both engines: a deep copy equals its original and
shares nothing that can change; a shallow one holds the original's values; an object met twice
(or a cycle) is one object in the copy, as copy.deepcopy's memo makes it."""

from __future__ import annotations

import copy
import gc
import uuid
from array import array
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import IntEnum
from typing import Any

import pytest
from hypothesis import given

import ddl
from ddl._schema import plan_for
from tests.conftest import FIXTURE_SAFE, Engine, no_collection, python_calls_of
from tests.strategies import Schema, assert_same, schema_and_value


class Color(IntEnum):
    RED = 0
    GREEN = 1


class Leaf(ddl.Message):
    name: str = ""
    color: Color = Color.RED
    tags: list[str] = []


class Pair(ddl.Message):
    left: Leaf | None = None
    right: Leaf | None = None
    leaves: list[Leaf] = []
    by_name: dict[str, Leaf] = {}


class Row(ddl.Message):
    rest: tuple[Leaf, ...] = ()  # copied before ``first``: a leaf in both is met in the tuple first
    first: Leaf | None = None


class Link(ddl.Message):
    value: int = 0
    next: Link | None = None


class Kinds(ddl.Message):
    when: datetime | None = None
    span: timedelta | None = None
    day: date | None = None
    price: Decimal | None = None
    key: uuid.UUID | None = None
    values: ddl.Vector[ddl.float32] = array("f")
    extra: Any = None
    labels: frozenset[str] = frozenset()
    codes: set[int] = set()
    pair: tuple[int, ...] = ()


class Blank(ddl.Message):
    """A reader that knows no field: everything it decodes is an unknown field."""


class Point(ddl.Message, frozen=True):
    x: int = 0
    y: int = 0


# What a copy must not share with its original: anything whose value can change in place. A
# frozen message counts too: copy.deepcopy copies it as any message.
CHANGEABLE = (ddl.Message, list, dict, set, array)


def _reachable(value: Any) -> Iterator[Any]:
    """``value`` and everything it holds: message fields, container items, dict keys and values."""
    stack, seen = [value], set()
    while stack:
        v = stack.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        yield v
        if isinstance(v, ddl.Message):
            stack.extend(getattr(v, f.name) for f in plan_for(type(v)).fields)
        elif isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, (list, tuple, set, frozenset)):
            stack.extend(v)


def _shares_nothing_changeable(original: Any, deep: Any) -> None:
    theirs = {id(v) for v in _reachable(original) if isinstance(v, CHANGEABLE)}
    shared = [v for v in _reachable(deep) if isinstance(v, CHANGEABLE) and id(v) in theirs]
    assert not shared, f"the copy shares {shared!r} with its original"


@FIXTURE_SAFE
@given(schema_and_value())
def test_a_deep_copy_equals_its_original_and_shares_nothing_that_can_change(
    engine: Engine, sv: tuple[Schema, Any]
) -> None:
    _, value = sv
    # As built (its parts held by more than one reference) and as decoded (each held once).
    for original in (value, engine.decode(engine.encode(value), type(value))):
        deep = copy.deepcopy(original)
        assert_same(original, deep, decoded=False)
        assert engine.encode(deep, deterministic=True) == engine.encode(original, deterministic=True)
        _shares_nothing_changeable(original, deep)


@FIXTURE_SAFE
@given(schema_and_value())
def test_a_shallow_copy_holds_the_originals_values(engine: Engine, sv: tuple[Schema, Any]) -> None:
    _, value = sv
    for original in (value, engine.decode(engine.encode(value), type(value))):
        shallow = copy.copy(original)
        assert type(shallow) is type(original) and shallow is not original
        for f in plan_for(type(original)).fields:
            assert getattr(shallow, f.name) is getattr(original, f.name), f.name
        assert engine.encode(shallow) == engine.encode(original)


def test_unknown_fields_are_copied(engine: Engine) -> None:
    data = engine.encode(Pair(left=Leaf(name="a", tags=["x"]), right=Leaf(name="b")))
    seen = engine.decode(data, Blank)
    for clone in (copy.copy(seen), copy.deepcopy(seen)):
        assert engine.encode(clone) == data


def test_a_message_met_twice_is_one_message_in_the_copy(engine: Engine) -> None:
    leaf = Leaf(name="shared", tags=["t"])
    pair = Pair(left=leaf, right=leaf, leaves=[leaf, leaf], by_name={"a": leaf})
    deep = copy.deepcopy(pair)
    assert deep.left is not leaf and deep.left == leaf
    assert deep.left is deep.right is deep.leaves[0] is deep.leaves[1] is deep.by_name["a"]
    assert deep.left.tags is not leaf.tags


def test_a_message_in_a_tuple_and_a_field_is_one_message_in_the_copy(engine: Engine) -> None:
    leaf = Leaf(name="shared")
    row = Row(first=leaf, rest=(leaf, Leaf(name="other")))
    del leaf  # held by the field and the tuple alone
    deep = copy.deepcopy(row)
    assert deep.first is deep.rest[0] and deep.first is not row.first and deep.first == row.first


def test_a_list_met_twice_is_one_list_in_the_copy(engine: Engine) -> None:
    tags = ["a", "b"]
    pair = Pair(left=Leaf(tags=tags), right=Leaf(tags=tags))
    deep = copy.deepcopy(pair)
    assert deep.left.tags is deep.right.tags
    assert deep.left.tags is not tags and deep.left.tags == tags


def test_a_cycle_is_copied_as_a_cycle(engine: Engine) -> None:
    first = Link(value=1)
    second = Link(value=2, next=first)
    first.next = second
    deep = copy.deepcopy(first)
    assert deep is not first and deep.next is not second
    assert (deep.value, deep.next.value) == (1, 2)
    assert deep.next.next is deep
    alone = Link(value=3)
    alone.next = alone
    again = copy.deepcopy(alone)
    assert again.next is again and again is not alone


def test_what_an_outer_deepcopy_copied_is_not_copied_again(engine: Engine) -> None:
    leaf = Leaf(name="a")
    pair = Pair(left=leaf)
    first, deep = copy.deepcopy([leaf, pair])
    assert deep.left is first and first is not leaf
    memo: dict[int, Any] = {}
    alone = copy.deepcopy(leaf, memo)
    assert copy.deepcopy(pair, memo).left is alone  # one memo across calls, as copy.deepcopy allows


def test_values_that_cannot_change_are_equal_in_the_copy(engine: Engine) -> None:
    kinds = Kinds(
        when=datetime(2024, 5, 1, 12, 0, 0, 250, tzinfo=UTC),
        span=ddl.TimedeltaNs(seconds=1, microseconds=340, nanosecond=12),
        day=date(2024, 2, 29),
        price=Decimal("1.10"),
        key=uuid.UUID(int=7),
        values=array("f", [0.5, -1.0]),
        extra={"k": [1, None, {"deep": "x"}]},
        labels=frozenset({"a", "b"}),
        codes={1, 2},
        pair=(3, 4),
    )
    deep = copy.deepcopy(kinds)
    assert_same(kinds, deep, decoded=False)
    assert deep.span.total_nanoseconds() == kinds.span.total_nanoseconds()
    assert deep.values.typecode == "f" and deep.values is not kinds.values
    assert deep.extra["k"][2] is not kinds.extra["k"][2]
    assert deep.codes is not kinds.codes
    _shares_nothing_changeable(kinds, deep)
    shallow = copy.copy(kinds)
    assert shallow.values is kinds.values and shallow.extra is kinds.extra


def test_an_enum_member_is_kept(engine: Engine) -> None:
    leaf = Leaf(color=Color.GREEN)
    assert copy.deepcopy(leaf).color is Color.GREEN
    assert copy.deepcopy(Leaf(color=7)).color == 7  # type: ignore[arg-type] # an open enum's unknown number


def test_a_frozen_message_is_copied(engine: Engine) -> None:
    point = Point(x=1, y=-2)
    for clone in (copy.copy(point), copy.deepcopy(point)):
        assert clone == point and clone is not point
        assert hash(clone) == hash(point)


@pytest.mark.parametrize("how", [copy.copy, copy.deepcopy], ids=["copy", "deepcopy"])
def test_a_deleted_field_is_an_attribute_error(engine: Engine, how: Any) -> None:
    leaf = Leaf(name="a")
    del leaf.name
    with pytest.raises(AttributeError, match="name"):
        how(leaf)


def test_a_long_chain_is_copied(engine: Engine) -> None:
    head = None
    for value in range(150):  # within Python's recursion limit on the Python engine too
        head = Link(value=value, next=head)
    deep = copy.deepcopy(head)
    assert deep == head and deep is not head
    assert engine.encode(deep, max_depth=200) == engine.encode(head, max_depth=200)


def test_the_compiled_copy_runs_no_python_code_per_field() -> None:
    if ddl.engine() != "cython":
        pytest.skip("the compiled engine is not built")
    small = Pair(leaves=[Leaf(name="a")])
    large = ddl.decode(ddl.encode(Pair(leaves=[Leaf(name=str(i), tags=["t"]) for i in range(200)])), Pair)
    with no_collection():
        # copy.deepcopy's own frames and Message.__deepcopy__'s, whatever the message holds
        assert python_calls_of(copy.deepcopy, large) == python_calls_of(copy.deepcopy, small)
        assert python_calls_of(copy.copy, large) == python_calls_of(copy.copy, small)


def test_a_collection_that_changes_the_original_meanwhile(engine: Engine, gc_restored: None) -> None:
    """A gc callback (Python code a collection runs inside an allocation, on 3.11) that changes
    the original while it is copied: the copy holds what it read, and nothing crashes."""
    leaves = [Leaf(name=str(i), tags=[str(i)]) for i in range(300)]
    pair = Pair(left=leaves[0], leaves=leaves, by_name={leaf.name: leaf for leaf in leaves})
    calls = 0

    def meddle(phase: str, info: dict[str, int]) -> None:
        nonlocal calls
        if phase == "start":
            calls += 1
            pair.leaves = [Leaf(name="new")]
            pair.by_name.clear()
            pair.left = None
            leaves.clear()

    gc.set_threshold(1)
    gc.callbacks.append(meddle)
    try:
        deep = copy.deepcopy(pair)
        gc.collect()
    finally:
        gc.callbacks.remove(meddle)
    assert calls > 0
    assert isinstance(deep, Pair)
    assert all(type(leaf) is Leaf and leaf.tags == [leaf.name] for leaf in deep.leaves) or deep.leaves == [
        Leaf(name="new")
    ]
    assert all(type(leaf) is Leaf and leaf.name == name for name, leaf in deep.by_name.items())
    assert engine.decode(engine.encode(deep), Pair) == deep


def test_replace_gives_a_new_message_with_the_changes(engine: Engine) -> None:
    blank = engine.decode(engine.encode(Pair(left=Leaf(name="a"), right=Leaf(name="b"))), Blank)
    pair = Pair(left=Leaf(name="a", tags=["t"]), leaves=[Leaf()])
    changed = pair.__replace__(right=Leaf(name="r"), leaves=[])
    assert changed == Pair(left=pair.left, right=Leaf(name="r"), leaves=[]) and changed is not pair
    assert changed.left is pair.left  # the fields not named keep their values
    assert pair.leaves == [Leaf()] and pair.right is None  # the original is as it was
    assert engine.encode(blank.__replace__()) == engine.encode(blank) != b""  # unknown fields are kept
    point = Point(x=1, y=2)
    assert point.__replace__(y=5) == Point(x=1, y=5) and point == Point(x=1, y=2)
    with pytest.raises(TypeError, match="Point has no field 'z'"):
        point.__replace__(z=3)


@pytest.mark.skipif(not hasattr(copy, "replace"), reason="copy.replace arrived in Python 3.13")
def test_copy_replace_calls_replace(engine: Engine) -> None:
    point = Point(x=1, y=2)
    assert copy.replace(point, x=4) == Point(x=4, y=2)  # type: ignore[attr-defined]
