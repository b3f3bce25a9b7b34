"""Oneof groups (``ddl.field(oneof=...)``): fields that form one oneof whatever their types.

The oracle is Google's runtime on a .proto twin whose oneofs have members of one Python type
(string/string, uint32/uint64, message/message), or that a union could not hold otherwise
(bytes/string, enum/int32). Both directions are checked, and wire data carrying several members
of a group decodes as protobuf parses it: the last member wins.
"""

from __future__ import annotations

import enum
import functools
import gc
import itertools
from types import ModuleType
from typing import Any

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

import ddl
from ddl._oneof import python_oneof_item, python_which_oneof
from ddl._schema import plan_for
from ddl.testing import instances
from tests.conftest import FIXTURE_SAFE, Engine
from tests.protoc import compile_proto

PROTO = """
syntax = "proto3";
package ddl_groups;

message Point { int32 x = 1; int32 y = 2; string label = 3; }
enum Color { COLOR_UNSET = 0; RED = 1; GREEN = 2; }

message Groups {
  int32 before = 1;
  oneof id { string name = 2; string uuid = 3; }
  oneof size { uint32 small = 4; uint64 large = 5; }
  oneof shape { Point first = 6; Point second = 7; }
  oneof blob { bytes raw = 8; string text = 9; }
  oneof tint { Color color = 10; int32 code = 11; }
  oneof solo { double only = 12; }
  string after = 13;
}

message Outer { Groups inner = 1; repeated Groups many = 2; }
"""


class Point(ddl.Message):
    x: ddl.int32 = 0
    y: ddl.int32 = 0
    label: str = ""


class Color(enum.IntEnum):
    COLOR_UNSET = 0
    RED = 1
    GREEN = 2


class Groups(ddl.Message):
    before: ddl.int32 = 0
    name: str | None = ddl.field(oneof="id")
    uuid: str | None = ddl.field(oneof="id")
    small: ddl.uint32 | None = ddl.field(oneof="size")
    large: ddl.uint64 | None = ddl.field(oneof="size")
    first: Point | None = ddl.field(oneof="shape")
    second: Point | None = ddl.field(oneof="shape")
    raw: bytes | None = ddl.field(oneof="blob")
    text: str | None = ddl.field(oneof="blob")
    color: Color | None = ddl.field(oneof="tint")
    code: ddl.int32 | None = ddl.field(oneof="tint")
    only: float | None = ddl.field(oneof="solo")
    after: str = ""


class Outer(ddl.Message):
    inner: Groups | None = None
    many: list[Groups] = []


GROUPS = {
    "id": ["name", "uuid"],
    "size": ["small", "large"],
    "shape": ["first", "second"],
    "blob": ["raw", "text"],
    "tint": ["color", "code"],
    "solo": ["only"],
}
# One value of each member, as a ddl value.
SAMPLES: dict[str, Any] = {
    "name": "ada", "uuid": "9f3c", "small": 7, "large": 1 << 40, "first": Point(x=1, label="a"),
    "second": Point(y=2), "raw": b"\x00\xff", "text": "t", "color": Color.GREEN, "code": -5, "only": 0.0,
}  # fmt: skip


@functools.cache
def pb() -> ModuleType:
    return compile_proto("ddl_groups", PROTO)


# --- converters, from the documented mapping: a member is its own field, None when unset -------


def to_pb(msg: Groups) -> Any:
    out = pb().Groups(before=msg.before, after=msg.after)
    for names in GROUPS.values():
        for name in names:
            value = getattr(msg, name)
            if isinstance(value, Point):
                getattr(out, name).CopyFrom(pb().Point(x=value.x, y=value.y, label=value.label))
            elif value is not None:
                setattr(out, name, int(value) if isinstance(value, Color) else value)
    return out


def from_pb(message: Any) -> Groups:
    values: dict[str, Any] = {"before": message.before, "after": message.after}
    for group in GROUPS:
        name = message.WhichOneof(group)
        if name is None:
            continue
        value = getattr(message, name)
        if name in ("first", "second"):
            value = Point(x=value.x, y=value.y, label=value.label)
        elif name == "color" and value in Color._value2member_map_:
            value = Color(value)  # an open enum: a number Color does not name stays an int
        values[name] = value
    return Groups(**values)


def pb_member(name: str, value: Any) -> bytes:
    """The bytes protobuf writes for a Groups with only the member ``name`` set to ``value``."""
    return to_pb(Groups(**{name: value})).SerializeToString()


# --- both directions, on drawn values ------------------------------------------------------------


@FIXTURE_SAFE
@given(value=instances(Groups))
def test_ddl_bytes_equal_protobufs_and_parse_to_the_same_value(engine: Engine, value: Groups) -> None:
    ours = engine.encode(value)
    assert ours == to_pb(value).SerializeToString()
    assert from_pb(pb().Groups.FromString(ours)) == value


@FIXTURE_SAFE
@given(value=instances(Groups))
def test_protobuf_bytes_decode_to_the_same_value(engine: Engine, value: Groups) -> None:
    decoded = engine.decode(to_pb(value).SerializeToString(), Groups)
    assert decoded == value
    for group in GROUPS:
        assert ddl.which_oneof(decoded, group) == to_pb(value).WhichOneof(group)


@FIXTURE_SAFE
@given(value=instances(Outer))
def test_nested_groups_round_trip_through_protobuf(engine: Engine, value: Outer) -> None:
    parsed = pb().Outer.FromString(engine.encode(value))
    assert parsed.HasField("inner") == (value.inner is not None)
    if value.inner is not None:
        assert from_pb(parsed.inner) == value.inner
    assert [from_pb(g) for g in parsed.many] == value.many
    assert engine.decode(parsed.SerializeToString(), Outer) == value


def test_instances_draw_at_most_one_member_of_each_group_and_reach_every_member() -> None:
    seen: set[tuple[str, str | None]] = set()

    # Its own count, whatever the profile: reaching every member is a claim about enough draws.
    @settings(max_examples=200, database=None, phases=[Phase.generate], deadline=None)
    @given(value=instances(Groups))
    def draw(value: Groups) -> None:
        for group, names in GROUPS.items():
            assert sum(getattr(value, name) is not None for name in names) <= 1
            seen.add((group, ddl.which_oneof(value, group)))

    draw()
    assert seen == {(g, name) for g, names in GROUPS.items() for name in [*names, None]}


# --- several members on the wire: the last one wins ----------------------------------------------

PAIRS = [(a, b) for names in GROUPS.values() for a, b in itertools.permutations(names, 2)]


@pytest.mark.parametrize(("earlier", "later"), PAIRS, ids=lambda name: name)
def test_a_later_member_on_the_wire_clears_the_earlier_like_protobuf(engine: Engine, earlier: str, later: str) -> None:
    data = pb_member(earlier, SAMPLES[earlier]) + pb_member(later, SAMPLES[later])
    expected = from_pb(pb().Groups.FromString(data))
    decoded = engine.decode(data, Groups)
    assert decoded == expected
    assert getattr(decoded, earlier) is None
    assert getattr(decoded, later) == SAMPLES[later]


def test_the_last_of_three_members_wins_and_other_groups_and_fields_stay(engine: Engine) -> None:
    data = (
        pb().Groups(before=3, small=1).SerializeToString()
        + pb_member("name", "a")
        + pb_member("uuid", "b")
        + pb_member("name", "c")
        + pb().Groups(after="z").SerializeToString()
    )
    decoded = engine.decode(data, Groups)
    assert decoded == from_pb(pb().Groups.FromString(data))
    assert decoded == Groups(before=3, name="c", small=1, after="z")


def test_the_same_scalar_member_twice_keeps_the_last_value(engine: Engine) -> None:
    data = pb_member("code", 1) + pb_member("code", 2)
    assert engine.decode(data, Groups) == from_pb(pb().Groups.FromString(data)) == Groups(code=2)


def test_the_same_message_member_twice_merges_like_protobuf(engine: Engine) -> None:
    data = pb_member("first", Point(x=1, label="a")) + pb_member("first", Point(y=2))
    decoded = engine.decode(data, Groups)
    assert decoded == from_pb(pb().Groups.FromString(data))
    assert decoded.first == Point(x=1, y=2, label="a")


def test_a_message_member_after_another_member_starts_afresh_like_protobuf(engine: Engine) -> None:
    data = pb_member("first", Point(x=1)) + pb_member("second", Point(y=2)) + pb_member("first", Point(label="b"))
    decoded = engine.decode(data, Groups)
    assert decoded == from_pb(pb().Groups.FromString(data))
    assert decoded == Groups(first=Point(label="b"))


def test_a_merged_nested_message_takes_the_later_member_like_protobuf(engine: Engine) -> None:
    # The second occurrence of ``inner`` merges into the first: its member replaces the first's.
    data = (
        pb().Outer(inner=pb().Groups(name="a", first=pb().Point(x=1))).SerializeToString()
        + pb().Outer(inner=pb().Groups(uuid="b", first=pb().Point(y=2))).SerializeToString()
        + pb().Outer(inner=pb().Groups(second=pb().Point(label="c"))).SerializeToString()
    )
    decoded = engine.decode(data, Outer)
    assert decoded.inner == from_pb(pb().Outer.FromString(data).inner)
    assert decoded.inner == Groups(uuid="b", second=Point(label="c"))


# --- encode: one member at most ------------------------------------------------------------------


def test_two_members_set_is_an_encode_error_naming_the_group_and_fields(engine: Engine) -> None:
    with pytest.raises(ddl.EncodeError, match=r"oneof group 'size' has more than one member set: small, large") as e:
        engine.encode(Groups(small=1, large=2))
    assert e.value.path == "$"


def test_two_members_set_in_a_nested_message_has_its_path(engine: Engine) -> None:
    with pytest.raises(ddl.EncodeError, match="oneof group 'shape'") as e:
        engine.encode(Outer(inner=Groups(first=Point(), second=Point())))
    assert e.value.path == "$.inner"
    with pytest.raises(ddl.EncodeError, match="oneof group 'id'") as e:
        engine.encode(Outer(many=[Groups(), Groups(name="a", uuid="")]))
    assert e.value.path == "$.many[1]"


def test_a_member_set_to_its_zero_is_written(engine: Engine) -> None:
    assert engine.encode(Groups(code=0)) == pb().Groups(code=0).SerializeToString() == b"\x58\x00"
    assert engine.decode(b"\x58\x00", Groups) == Groups(code=0)


def test_a_wrong_type_in_a_member_is_an_encode_error_at_the_member(engine: Engine) -> None:
    with pytest.raises(ddl.EncodeError, match="expected str") as e:
        engine.encode(Groups(uuid=5))  # type: ignore[arg-type]
    assert e.value.path == "$.uuid"


# --- which_oneof ----------------------------------------------------------------------------------


# ddl.which_oneof, and the Python function it is when the compiled engine is not built.
WHICH = [ddl.which_oneof] if ddl.which_oneof is python_which_oneof else [ddl.which_oneof, python_which_oneof]


@pytest.fixture(params=WHICH, ids=lambda f: "python" if f is python_which_oneof else "compiled")
def which(request: pytest.FixtureRequest) -> Any:
    return request.param


def test_which_oneof_names_the_set_member_or_none(which: Any) -> None:
    assert which(Groups(large=0), "size") == "large"
    assert which(Groups(large=0), "id") is None
    assert which(Groups(only=1.5), "solo") == "only"
    assert which(Groups(name="a", uuid="b"), "id") == "name"  # several set: the first declared


def test_which_oneof_of_an_unknown_group_is_a_value_error_listing_the_groups(which: Any) -> None:
    with pytest.raises(ValueError, match=r"Groups has no oneof group 'ids' \(its groups: 'id', 'size'"):
        which(Groups(), "ids")
    with pytest.raises(ValueError, match=r"its groups: none"):
        which(Point(), "id")
    with pytest.raises(ValueError, match=r"has no oneof group 3"):
        which(Groups(), 3)


def test_which_oneof_of_something_else_than_a_message_is_a_type_error(which: Any) -> None:
    with pytest.raises(TypeError, match="which_oneof\\(\\) takes a ddl message, not int"):
        which(3, "id")

    class Borrower:  # another class's Binding under its name: still not a message class
        __ddl__ = Groups.__ddl__

    with pytest.raises(TypeError, match="which_oneof\\(\\) takes a ddl message, not Borrower"):
        which(Borrower(), "id")


def test_which_oneof_of_a_deleted_member_is_the_attribute_error(which: Any) -> None:
    msg = Groups(uuid="x")
    del msg.name
    with pytest.raises(AttributeError, match="name"):
        which(msg, "id")


def test_which_oneof_of_a_subclass_reads_its_own_members(which: Any) -> None:
    class More(Groups):
        extra: int | None = ddl.field(oneof="more", default=None)

    assert which(More(extra=1, large=2), "more") == "extra"
    assert which(More(large=2), "size") == "large"


class Other(ddl.Message):
    """A second class with a group named as one of Groups': calls that alternate between the two
    must each read their own class's members."""

    pad: str = ""
    small: int | None = ddl.field(oneof="size", default=None)
    large: int | None = ddl.field(oneof="size", default=None)


def outcome(which: Any, msg: Any, group: Any) -> Any:
    try:
        return which(msg, group)
    except (TypeError, ValueError, AttributeError) as exc:
        return type(exc), str(exc)


def without_name(msg: Groups) -> Groups:
    del msg.name
    return msg


CALLS = [
    (Groups(large=1), "size"),
    (Groups(name="n"), "id"),
    (Groups(), "size"),
    (Other(small=2), "size"),
    (Other(large=3), "size"),
    (Other(), "id"),
    (Point(), "size"),
    (Groups(small=4), "".join(["si", "ze"])),  # an equal group name that is another str object
    (without_name(Groups(uuid="u")), "id"),
    (3, "size"),
]


@FIXTURE_SAFE
@given(st.lists(st.sampled_from(range(len(CALLS))), max_size=30))
def test_calls_in_any_order_of_classes_and_groups_give_each_its_own_answer(which: Any, order: list[int]) -> None:
    for k in order:
        msg, group = CALLS[k]
        assert outcome(which, msg, group) == outcome(python_which_oneof, msg, group), (msg, group)


@pytest.mark.usefixtures("gc_restored")
def test_a_collection_during_a_call_that_calls_again_leaves_every_answer_right(which: Any) -> None:
    def callback(phase: str, info: dict[str, Any]) -> None:
        seen.append(which(Other(large=1), "size"))  # another class, mid-call

    seen: list[Any] = []
    gc.set_threshold(1)  # a collection at every allocation of a tracked object
    gc.callbacks.append(callback)
    try:
        for _ in range(50):
            assert which(Groups(small=1), "size") == "small"
            assert which(Other(pad="x"), "size") is None
            assert which(Groups(name="n"), "id") == "name"
    finally:
        gc.callbacks.remove(callback)
    assert seen and set(seen) == {"large"}


# --- oneof_item -----------------------------------------------------------------------------------

# ddl.oneof_item, and the Python function it is when the compiled engine is not built.
ITEM = [ddl.oneof_item] if ddl.oneof_item is python_oneof_item else [ddl.oneof_item, python_oneof_item]


@pytest.fixture(params=ITEM, ids=lambda f: "python" if f is python_oneof_item else "compiled")
def item(request: pytest.FixtureRequest) -> Any:
    return request.param


def test_oneof_item_gives_the_set_member_and_its_value_or_none(item: Any) -> None:
    point = Point(x=1)
    assert item(Groups(first=point), "shape") == ("first", point)
    assert item(Groups(first=point), "shape")[1] is point  # the value itself, not a copy
    assert item(Groups(large=0), "size") == ("large", 0)  # a zero is set: only None is not
    assert item(Groups(large=0), "id") is None
    assert item(Groups(name="a", uuid="b"), "id") == ("name", "a")  # several set: the first declared


@FIXTURE_SAFE
@given(value=instances(Groups))
def test_oneof_item_is_which_oneof_and_that_members_value(item: Any, value: Groups) -> None:
    for group in GROUPS:
        name = python_which_oneof(value, group)
        assert item(value, group) == (None if name is None else (name, getattr(value, name)))


def test_oneof_item_refuses_what_which_oneof_refuses_naming_itself(item: Any) -> None:
    with pytest.raises(ValueError, match=r"Groups has no oneof group 'ids' \(its groups: 'id', 'size'"):
        item(Groups(), "ids")
    with pytest.raises(TypeError, match="oneof_item\\(\\) takes a ddl message, not int"):
        item(3, "id")
    with pytest.raises(AttributeError, match="name"):
        item(without_name(Groups(uuid="u")), "id")


@FIXTURE_SAFE
@given(st.lists(st.tuples(st.booleans(), st.sampled_from(range(len(CALLS)))), max_size=30))
def test_oneof_item_and_which_oneof_in_any_order_give_each_its_own_answer(
    item: Any, which: Any, order: list[tuple[bool, int]]
) -> None:
    for asks_item, k in order:
        msg, group = CALLS[k]
        if asks_item:
            assert outcome(item, msg, group) == outcome(python_oneof_item, msg, group), (msg, group)
        else:
            assert outcome(which, msg, group) == outcome(python_which_oneof, msg, group), (msg, group)


@pytest.mark.usefixtures("gc_restored")
def test_a_member_reassigned_by_a_collection_while_the_pair_is_made_is_still_the_value_given(item: Any) -> None:
    # On 3.11, making the pair can collect (when no spare pair is kept for reuse), after the
    # member is read: a gc callback then runs Python code that sets the member to None, dropping
    # the slot's reference to the value. The value given must be the one read, alive (in C, held
    # before the pair is made). From 3.12 the collector runs at the interpreter's next check
    # instead, after the call. Either way the compiled engine's read comes first; the Python
    # engine's own allocations may collect before its read (None, the member already gone).
    armed: list[Groups | None] = [None]

    def callback(phase: str, info: dict[str, Any]) -> None:
        msg = armed[0]
        if msg is not None and phase == "start":
            armed[0] = None
            msg.name = None

    read_first = []
    item(Groups(), "id")  # the compiled engine's first call for a class and group makes its entry
    gc.callbacks.append(callback)
    gc.set_threshold(1)  # with the collector enabled, a collection at every allocation of a tracked object
    try:
        for n in range(20):
            gc.disable()
            msg = Groups(name="".join(["member ", str(n)]))  # a str only the slot holds
            pairs = [(i, n) for i in range(2500)]  # takes every spare pair CPython keeps for reuse
            armed[0] = msg
            gc.enable()
            pair = item(msg, "id")
            gc.disable()
            del pairs
            assert msg.name is None  # the callback ran, before the read or after it
            assert pair in (None, ("name", f"member {n}"))
            read_first.append(pair is not None)
    finally:
        gc.callbacks.remove(callback)
    if item is not python_oneof_item:
        assert all(read_first)


# --- the plan -------------------------------------------------------------------------------------


def test_the_plan_records_each_group_once_with_its_members_in_declaration_order() -> None:
    plan = plan_for(Groups)
    assert {group: [f.name for f in members] for group, members in plan.oneofs.items()} == GROUPS
    assert {f.name: f.oneof for f in plan.fields if f.oneof is None} == {"before": None, "after": None}
    assert all(f.presence for members in plan.oneofs.values() for f in members)


# --- schema errors at class creation -------------------------------------------------------------


@pytest.mark.parametrize(
    ("annotation", "field", "message"),
    [
        (str, ddl.field(oneof="id"), r"Bad\.a: a member of oneof group 'id' must be optional: annotate it as X \|"),
        (str | None, ddl.field(oneof="id", default="x"), r"Bad\.a: a member of oneof group 'id' has the default None"),
        (
            int | None,
            ddl.field(oneof="id", default_factory=int),
            r"Bad\.a: a member of oneof group 'id' has the default None",
        ),
        (int | str | None, ddl.field(oneof="id"), r"Bad\.a: a member of oneof group 'id' cannot be a union"),
        (int | None, ddl.field(oneof="not a name"), r"Bad\.a: oneof group name must be an identifier"),
        (int | None, ddl.field(oneof="b"), r"Bad\.a: oneof group 'b' has the name of a field"),
    ],
)
def test_a_bad_member_is_a_schema_error_naming_class_field_and_group(annotation: Any, field: Any, message: str) -> None:
    with pytest.raises(ddl.SchemaError, match=message):
        type("Bad", (ddl.Message,), {"__annotations__": {"a": annotation, "b": int}, "a": field, "b": 0})


def test_a_group_of_one_member_and_an_explicit_none_default_are_fine(engine: Engine) -> None:
    class One(ddl.Message):
        only: str | None = ddl.field(oneof="solo", default=None, number=4)

    assert engine.decode(engine.encode(One(only="")), One) == One(only="")
    assert engine.encode(One(only="")) == b"\x22\x00"
    assert ddl.which_oneof(One(), "solo") is None
