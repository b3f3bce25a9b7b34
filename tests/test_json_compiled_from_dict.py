"""``ddl.from_dict`` on the compiled engine: the value is written as the JSON text that reads back
as itself (exact JSON types only) and read by the compiled JSON reader, or left to the Python
path, which then decides the message or the error. So every result, errors included, is the
same on both engines, whatever the value.
"""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ddl
from ddl import _compiled, wkt
from tests.conftest import FIXTURE_SAFE, Engine, examples
from tests.json_paths import Count, Odd, compiled, python_path
from tests.strategies import schemas
from tests.test_json_compiled_write import ORDER, Item, Order, Vectors
from tests.test_json_write import Choices, Containers, Known, Natives, Numbers, Presence, Profile, Tree


def outcome(call: Any) -> tuple[str, Any]:
    """What a call gives: its message's class and repr (floats as repr writes them), or its
    error's type and message."""
    try:
        msg = call()
        return type(msg).__qualname__, repr(msg)
    except Exception as e:  # noqa: BLE001 - every error must be the same on both paths
        return type(e).__name__, str(e)


def assert_same_on_both_paths(obj: Any, cls: type, **options: Any) -> tuple[str, Any]:
    """``ddl.from_dict(obj, cls)`` as the compiled engine runs it is what the Python path gives."""
    ours = outcome(partial(ddl.from_dict, obj, cls, **options))
    with python_path():
        reference = outcome(partial(ddl.from_dict, obj, cls, **options))
    assert ours == reference
    return ours


def read_in_c(obj: Any, cls: type, **options: Any) -> Any:
    """The compiled engine's own message, None when it leaves the value to the Python path."""
    assert _compiled.speedups is not None
    return _compiled.speedups.from_dict(obj, cls, options.get("ignore_unknown_fields", False), options.get("registry"))


def python_dict(msg: Any, **options: Any) -> Any:
    """``msg``'s JSON value as the Python path gives it; None for a message JSON cannot hold (an
    infinity in a typing.Any, an Any of no registry class, a naive datetime)."""
    with python_path():
        try:
            return ddl.to_dict(msg, **options)
        except ddl.EncodeError:
            return None


WRITE_OPTIONS = st.fixed_dictionaries(
    {
        "preserving_proto_field_name": st.booleans(),
        "always_print_fields_with_no_presence": st.booleans(),
        "use_integers_for_enums": st.booleans(),
    }
)

# Values that JSON text cannot tell from others (a tuple, a subclass, a NaN, a key that is no
# str) or that a field reads by a rule of its own, for any place in a value.
ODD_VALUES: list[Any] = [
    (), (1,), Count(3), Odd("s"), float("nan"), float("inf"), 2**64, 2**63, -(2**63) - 1, 1e3, 1.5, -0.0, "NaN",
    "1e3", "-0", True, None, {}, [], {"x": 1}, {1: 2}, {Odd("k"): 1}, b"x", "\ud800", "\x00é中😀", [None], [[1]],
    uuid.UUID(int=1),
]  # fmt: skip


def _places(value: Any) -> list[tuple[Any, Any]]:
    """Every (container, key or index) in a JSON value."""
    found: list[tuple[Any, Any]] = []
    stack = [value]
    while stack:
        item = stack.pop()
        keys = list(item) if type(item) is dict else range(len(item)) if type(item) is list else []
        for key in keys:
            found.append((item, key))
            stack.append(item[key])
    return found


# --- the same message, or the same error --------------------------------------------------------


@settings(FIXTURE_SAFE, max_examples=examples(60))
@given(schema=schemas(proto2=True), data=st.data())
def test_a_random_schema_and_value_read_back_the_same_on_both_paths(
    engine: Engine, schema: Any, data: st.DataObject
) -> None:
    msg = data.draw(schema.values())
    value = python_dict(msg, **data.draw(WRITE_OPTIONS))
    kind, _ = assert_same_on_both_paths(value, type(msg), ignore_unknown_fields=data.draw(st.booleans()))
    if value is not None:
        assert kind == type(msg).__qualname__  # the JSON of a message reads back as one


@settings(FIXTURE_SAFE, max_examples=examples(120))
@given(schema=schemas(proto2=True), data=st.data())
def test_a_value_changed_anywhere_reads_the_same_or_fails_the_same_on_both_paths(
    engine: Engine, schema: Any, data: st.DataObject
) -> None:
    msg = data.draw(schema.values())
    value = python_dict(msg, **data.draw(WRITE_OPTIONS))
    if value is None:
        return
    places = _places(value)
    if data.draw(st.booleans()) and places:
        container, key = data.draw(st.sampled_from(places))
        container[key] = data.draw(st.sampled_from(ODD_VALUES))
    else:
        value[data.draw(st.sampled_from(["zzUnknown", "[ext.x]", "", "@type"]))] = data.draw(
            st.sampled_from(ODD_VALUES)
        )
    assert_same_on_both_paths(value, type(msg), ignore_unknown_fields=data.draw(st.booleans()))


@settings(FIXTURE_SAFE, max_examples=examples(40))
@given(cls=st.sampled_from([Order, Natives, Known, Tree, Profile]), options=WRITE_OPTIONS, data=st.data())
def test_the_classes_of_the_json_suites_read_back_the_same_on_both_paths(
    engine: Engine, cls: type, options: dict[str, bool], data: st.DataObject
) -> None:
    from ddl.testing import instances

    msg = data.draw(instances(cls))
    value = python_dict(msg, **options)
    if value is None:
        return
    assert assert_same_on_both_paths(value, cls)[0] == cls.__qualname__


# --- what the compiled engine reads itself ------------------------------------------------------


@compiled
@pytest.mark.parametrize("proto_names", [False, True])
def test_common_values_are_read_in_c(proto_names: bool) -> None:
    for msg in (ORDER, Order(status=5, pay=7), Order()):  # type: ignore[arg-type]  # an enum number without a name; an int member
        value = python_dict(msg, preserving_proto_field_name=proto_names)
        read = read_in_c(value, Order)
        assert read is not None and ddl.encode(read) == ddl.encode(msg)  # float32 rounded
        with python_path():
            assert repr(ddl.from_dict(value, Order)) == repr(read)


# Each field's value in the forms the Python reader takes, or refuses, beside the usual one: the
# walk takes the usual exact types as they are and reads every other value from its JSON text.
FORMS: list[tuple[type, dict[str, Any]]] = [
    (Numbers, {"i32": 7, "i64": "-9", "u32": 4294967295, "u64": "18446744073709551615", "s64": -(2**63)}),
    (Numbers, {"i32": 1e3, "i64": 1.0, "u64": "1e3", "fx64": "1000.0", "sf32": -2147483648, "s32": "-0"}),
    (Numbers, {"i32": 2**31}),  # out of range
    (Numbers, {"i32": 1.5}),  # no integer
    (Numbers, {"i64": "12a"}),
    (Numbers, {"i64": "999999999999999999", "s64": "-9223372036854775808", "sf64": "1000000000000000000"}),
    *((Numbers, {"i64": text}) for text in ("007", "-", "", " 5", "5 ", "+5", "-0", "0", "\u0661")),
    (Numbers, {"i32": "2147483648", "u32": "-1"}),  # out of range, as digits
    (Numbers, {"d": 1, "f": 0.1, "ok": True, "text": "é中😀", "data": "-_8"}),  # URL-safe, unpadded
    (Numbers, {"d": "NaN", "f": "-Infinity", "text": "plain", "data": "+/8="}),
    (Numbers, {"d": "1.5", "f": 3.5e38}),  # beyond a float
    (Numbers, {"d": 10**400}),  # beyond a double
    (Numbers, {"ok": "true"}),
    (Numbers, {"text": 7}),
    (Numbers, {"text": "a\ud800"}),  # a lone surrogate: no Unicode text
    (Numbers, {"text": "a\\ud800 \\"}),  # backslashes
    (Numbers, {"i32": None, "text": None, "data": None}),  # null is absence
    (Numbers, {"i32": 1, "i_32": 2}),  # an unknown key
    (Numbers, {"fx32": 1, "fx_32": 2}),
    (Choices, {"color": "GREEN", "rank": 1, "colors": ["RED", 1, "COLOR_BLUE"], "level": "LOW"}),
    (Choices, {"color": "NO_SUCH_NAME"}),
    (Choices, {"colors": ["NO_SUCH_NAME", "RED"]}),
    (Choices, {"level": 5}),  # a closed enum's unknown number
    (Choices, {"null": None}),
    (Presence, {"count": "0", "name": "", "point": {}, "tags": ["a"], "counts": {"k": "5"}, "payString": "x"}),
    (Presence, {"payInt64": "1", "payString": "x"}),  # two members of a union
    (Presence, {"card": "c", "cash": 1}),  # two members of a oneof group
    (Presence, {"card": "c", "cash": None}),
    (Presence, {"point": None, "tags": None, "counts": {"k": None}}),
    (Presence, {"tags": [None]}),
    (Presence, {"counts": {"k": 1}, "plain": -1}),
    (Containers, {"byId": {"1": "a", "-2": "b"}, "flags": {"true": "1", "false": 2}, "grid": [{"values": ["1"]}, {}]}),
    (Containers, {"byId": {"1": "a", "01": "b"}}),  # two keys of one number
    (Containers, {"byId": {"x": "a"}}),
    (Containers, {"holes": [{"value": 3}, {}], "mixed": [{"int64": "1"}, {"string": "s"}], "maybe": {"values": []}}),
    (Profile, {"displayName": "a", "display_name": "b"}),  # a field under both its names
    (Profile, {"handle": "h", "user_id2": "3"}),
    (Natives, {"when": "2024-05-01T12:00:00.250Z", "span": "-1.5s", "day": {"year": 2024, "month": 2, "day": 29}}),
    (Natives, {"anything": {"k": [1, None, "x", {"y": False}]}, "meta": {"a": None}, "price": "1.10"}),
    (Natives, {"key": "EjRWeBI0VngSNFZ4EjRWeA==", "anything": None}),
    (Natives, {"when": "yesterday"}),
    (Vectors, {"f32": [0.1, 1.5, -0.0], "f64": [1e300, 5e-324], "i32": [1, -2], "u64": ["18446744073709551615"]}),
    (Vectors, {"f32": [1, 2.5], "f64": ["NaN", 1.0]}),  # an int, a string: read from their text
    (Vectors, {"f32": [3.5e38]}),  # beyond a float
    (Vectors, {"f64": [None]}),
    (Known, {"count": 7, "big": "8", "ratio": 0.1, "flag": None, "blob": "AA==", "mask": "a.bC,d"}),
    (Known, {"value": None, "values": [1, "a", None], "empty": {}}),
    (Tree, {"label": "a", "children": [{"label": "b", "children": []}, {}]}),
    (Tree, {"children": {}}),
]


@pytest.mark.parametrize(("cls", "value"), FORMS, ids=[f"{c.__name__}-{i}" for i, (c, _) in enumerate(FORMS)])
@pytest.mark.parametrize("ignore", [False, True])
def test_every_form_of_every_field_reads_alike(cls: type, value: dict[str, Any], ignore: bool) -> None:
    assert_same_on_both_paths(value, cls, ignore_unknown_fields=ignore)


@compiled
def test_an_any_of_a_registry_class_is_read_in_c() -> None:
    registry = {"test.Item": Item}
    value = {"packed": {"@type": "type.googleapis.com/test.Item", "id": "3", "sku": "tea"}}
    read = read_in_c(value, Known, registry=registry)
    assert read is not None and ddl.decode(read.packed.value, Item) == Item(id=3, sku="tea")
    assert_same_on_both_paths(value, Known, registry=registry)


@compiled
@pytest.mark.parametrize(
    "value",
    [
        {"items": ({"id": "1"},)},  # a tuple for a list
        {"title": Odd("x")},  # a str subclass
        {"id": Count(1)},  # an int subclass
        {"total": float("nan")},  # a NaN, which JSON text has no number for
        {"id": 2**64},  # beyond 64 bits
        {"counts": {1: True}},  # a key that is no str
        {"title": "a\ud800"},  # a lone surrogate
        {"items": [{"sku": b"x"}]},  # bytes
        [1],  # no object
    ],
)
def test_values_json_text_cannot_hold_are_left_to_the_python_path(value: Any) -> None:
    assert read_in_c(value, Order) is None
    assert_same_on_both_paths(value, Order)


def test_deep_values_are_left_to_the_python_path() -> None:
    deep: Any = 1
    for _ in range(300):
        deep = [deep]
    assert_same_on_both_paths({"anything": deep}, Natives)
    tree: dict[str, Any] = {"label": "leaf"}
    for _ in range(150):
        tree = {"label": "n", "children": [tree]}
    assert_same_on_both_paths(tree, Tree)


@compiled
def test_the_benchmarks_workloads_are_read_in_c() -> None:
    from benches import workloads
    from benches.adapters import ddl_adapter

    names = ("small", "medium", "tree", "chat", "otlp", "features", "vector", "events")
    for name in (n for n in names if n not in ddl_adapter.UNSUPPORTED):  # otlp needs opentelemetry-proto
        msg = ddl_adapter.make(name, getattr(workloads, name)()).obj
        read = read_in_c(ddl.to_dict(msg), type(msg))
        assert read is not None, name
        assert ddl.encode(read) == ddl.encode(msg), name


def test_a_required_field_missing_is_the_python_paths_error() -> None:
    from tests.test_required_compiled import Holder, Part  # proto2 classes with required fields

    assert assert_same_on_both_paths({"name": "n", "parts": [{}]}, Holder)[0] == "DecodeError"
    assert assert_same_on_both_paths({"name": "n", "parts": [{"id": 1}]}, Holder)[0] == "Holder"
    assert assert_same_on_both_paths({"id": 1}, Part) == ("Part", repr(Part(id=1)))
    assert type(ddl.from_dict({}, wkt.Empty)) is wkt.Empty


class Inner(ddl.Message):
    tag: str = ""
    seen: list[str] = ddl.field(default_factory=lambda: _meddle())


class Outer(ddl.Message):
    inner: list[Inner] = []
    attrs: dict[str, str] = {}


# The value being read, which Inner's default_factory empties (Python code run mid-walk).
READING: list[dict[str, Any]] = []


def _meddle() -> list[str]:
    for value in READING:
        value["inner"].clear()
        value["attrs"].clear()
    return []


def test_python_code_that_empties_the_value_being_read_never_crashes_the_walk() -> None:
    for _ in range(20):
        value: dict[str, Any] = {
            "inner": [{"tag": str(i)} for i in range(30)],
            "attrs": {f"k{i}": "v" for i in range(30)},
        }
        READING.append(value)
        try:
            msg = ddl.from_dict(value, Outer)
        finally:
            READING.clear()
        assert isinstance(msg, Outer) and [inner.tag for inner in msg.inner][:1] in ([], ["0"])
