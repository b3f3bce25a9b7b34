"""``ddl.to_dict`` on the compiled engine: it makes the dicts, lists and values itself
(json_dict.pxi), and gives exactly the Python path's value, or leaves the call to it, which then
decides the value or the error. Floats are compared by their text (``json.dumps`` writes
``repr``), so a -0.0 for a 0.0, an int for a float or a double one bit off is a failure.
"""

from __future__ import annotations

import gc
import json
import threading
import uuid
from array import array
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ddl
from ddl import _compiled, wkt
from tests.conftest import FIXTURE_SAFE, Engine, examples
from tests.json_paths import OPTIONS, compiled, holding_anything, python_path
from tests.strategies import schemas
from tests.test_engines import Sparse
from tests.test_json_compiled_numbers import Floats
from tests.test_json_compiled_write import ALL_OPTIONS, ORDER, Dying, Graded, Item, Order, Vectors
from tests.test_json_write import Containers, Known, Natives, Profile, Tree


def outcome(call: Any) -> tuple[str, Any]:
    """What a call gives: its value as JSON text (floats as repr writes them), or its error's
    type and message."""
    try:
        return "value", json.dumps(call(), ensure_ascii=False)
    except Exception as e:  # noqa: BLE001 - every error must be the same on both paths
        return type(e).__name__, str(e)


def assert_same_on_both_paths(msg: Any, **options: Any) -> tuple[str, Any]:
    """``ddl.to_dict(msg)`` as the compiled engine runs it is what the Python path gives."""
    ours = outcome(partial(ddl.to_dict, msg, **options))
    with python_path():
        reference = outcome(partial(ddl.to_dict, msg, **options))
    assert ours == reference
    return ours


def made_in_c(msg: Any, **options: Any) -> Any:
    """The compiled engine's own value, None when it leaves the message to the Python path."""
    assert _compiled.speedups is not None
    return _compiled.speedups.to_dict(
        msg,
        options.get("preserving_proto_field_name", False),
        options.get("always_print_fields_with_no_presence", False),
        options.get("use_integers_for_enums", False),
        options.get("registry"),
    )


def assert_made_in_c(msg: Any, **options: Any) -> Any:
    """The compiled engine makes ``msg``'s value itself, and it is the Python path's."""
    value = made_in_c(msg, **options)
    assert value is not None
    with python_path():
        reference = ddl.to_dict(msg, **options)
    assert json.dumps(value, ensure_ascii=False) == json.dumps(reference, ensure_ascii=False)
    return value


# --- the same value, or the same error ----------------------------------------------------------


@settings(FIXTURE_SAFE, max_examples=examples(60))
@given(schema=schemas(proto2=True), data=st.data())
def test_a_random_schema_and_value_give_the_same_value_on_both_paths(
    engine: Engine, schema: Any, data: st.DataObject
) -> None:
    assert_same_on_both_paths(data.draw(schema.values()), **data.draw(OPTIONS))


@settings(FIXTURE_SAFE, max_examples=examples(80))
@given(schema=schemas(proto2=True), data=st.data())
def test_a_field_holding_anything_gives_the_same_value_or_error_on_both_paths(
    engine: Engine, schema: Any, data: st.DataObject
) -> None:
    assert_same_on_both_paths(holding_anything(schema, data), **data.draw(OPTIONS))


@settings(FIXTURE_SAFE, max_examples=examples(40))
@given(
    cls=st.sampled_from([Order, Graded, Vectors, Containers, Natives, Known, Tree, Profile]),
    data=st.data(),
)
def test_the_classes_of_the_json_suites_give_the_same_value_on_both_paths(
    engine: Engine, cls: type, data: st.DataObject
) -> None:
    from ddl.testing import instances

    assert_same_on_both_paths(data.draw(instances(cls)), **data.draw(OPTIONS))


@settings(max_examples=examples(300))
@given(st.floats(allow_nan=True), st.floats(width=32), st.lists(st.floats()), st.lists(st.floats(-1e6, 1e6)), OPTIONS)
def test_doubles_and_floats_are_the_python_paths_to_the_last_bit(
    d: float, f: float, ds: list[float], fs: list[float], options: dict[str, bool]
) -> None:
    assert_same_on_both_paths(Floats(d, f, ds, fs), **options)
    assert_same_on_both_paths(Vectors(f32=array("f", [*fs, f]), f64=array("d", [*ds, d])), **options)


@compiled
@pytest.mark.parametrize("value", [0.1, -0.0, 1e-4, 9.99999e-5, 999999.9, 1e6, 3.4e38, 1e-45, 7, -(2**60)])
def test_a_float_field_holds_the_double_of_the_digits_to_json_writes(value: float) -> None:
    # The double of the fewest digits that read back as the float32: exactly the number the
    # JSON text holds, so to_dict is json.loads of to_json.
    msg = Floats(f=value, fs=[value])
    made = assert_made_in_c(msg)
    assert made == json.loads(ddl.to_json(msg))
    assert repr(made["f"]) == json.loads(ddl.to_json(msg), parse_float=str)["f"]


# --- what the compiled engine makes itself ------------------------------------------------------


@compiled
@pytest.mark.parametrize("options", ALL_OPTIONS)
def test_common_messages_are_made_in_c(options: dict[str, Any]) -> None:
    for msg in (ORDER, Order(status=5, pay=7), Order()):  # type: ignore[arg-type]  # an enum number without a name; an int member
        assert_made_in_c(msg, **options)


@compiled
@pytest.mark.parametrize("options", ALL_OPTIONS)
def test_enum_values_in_and_out_of_the_names_are_made_in_c(options: dict[str, Any]) -> None:
    values: list[Any] = [*Sparse, 1, 3, 254, 256, 1000, -1, 2**31 - 1, -(2**31)]
    for value in values:
        made = assert_made_in_c(Graded(one=value, many=[value, Sparse.TWO], by_key={"k": value}), **options)
        named = value in Sparse._value2member_map_ and not options["use_integers_for_enums"]
        assert type(made["many"][0]) is (str if named else int)


@compiled
@pytest.mark.parametrize("options", ALL_OPTIONS)
def test_the_arrays_of_vectors_are_made_in_c(options: dict[str, Any]) -> None:
    msg = Vectors(
        f32=array("f", [0.1, -2.5, 3.4028234663852886e38, 1e-40, float("inf"), float("nan")]),
        f64=array("d", [0.1, float("nan"), -0.0, 1e300, float("-inf")]),
        i32=array("i", [-(2**31), 2**31 - 1]),
        u32=array("I", [2**32 - 1]),
        i64=array("q", [-(2**63), 7]),
        u64=array("Q", [2**64 - 1]),
        given=array("f", [1.5]),  # type: ignore[arg-type]  # a list field handed an array
    )
    for message in (msg, Vectors()):
        assert_made_in_c(message, **options)
    made = made_in_c(msg)
    assert made["i64"] == ["-9223372036854775808", "7"] and made["f64"][1] == "NaN" and made["f32"][0] == 0.1


NATIVES = Natives(
    when=datetime(2024, 5, 1, 12, 0, 0, 250_000, tzinfo=UTC),
    span=timedelta(seconds=-1, microseconds=500),
    day=date(2024, 2, 29),
    anything={"k": [1, None, 2.5, "x", True]},
    meta={"a": {"b": []}},
    price=Decimal("1.10"),
    key=uuid.UUID(int=0x12345678123456781234567812345678),
)


@compiled
@pytest.mark.parametrize("options", ALL_OPTIONS)
def test_ddls_own_types_are_made_in_c(options: dict[str, Any]) -> None:
    made = assert_made_in_c(NATIVES, **options)
    assert made == json.loads(ddl.to_json(NATIVES, **options))
    assert assert_made_in_c(Natives(), **options) == json.loads(ddl.to_json(Natives(), **options))


@compiled
@pytest.mark.parametrize("options", ALL_OPTIONS)
def test_well_known_types_are_the_python_paths_values_inside_a_message_made_in_c(options: dict[str, Any]) -> None:
    packed = wkt.Any(type_url="type.googleapis.com/test.Item", value=ddl.encode(Item(id=3, sku="tea")))
    msg = Known(
        count=wkt.Int32Value(7), big=wkt.Int64Value(2**40), ratio=wkt.FloatValue(0.1), flag=wkt.BoolValue(False),
        blob=wkt.BytesValue(b"\xfb\xff"), value=wkt.Value(kind=1.5), values=wkt.ListValue([None, "a", [1.5]]),
        mask=wkt.FieldMask(["display_name", "id"]), empty=wkt.Empty(), packed=packed,
    )  # fmt: skip
    registry = {"test.Item": Item}
    made = assert_made_in_c(msg, registry=registry, **options)
    assert made["packed"]["@type"].endswith("Item") and made["mask"] == "displayName,id"
    assert made == json.loads(ddl.to_json(msg, registry=registry, **options))


@compiled
@pytest.mark.parametrize(
    "msg",
    [
        Order(tags={"a"}),  # type: ignore[arg-type]  # a set: its order is the Python path's
        Order(items=[Item(id=True)]),  # a bool for an int
        Order(counts={2**31: True}),  # a key out of range
        Order(total=1e39),  # beyond a float
        Natives(when=datetime(2024, 5, 1)),  # a naive datetime: the Python path's error
        Natives(anything=float("nan")),  # typing.Any's error, raised by the Python path
        Known(packed=wkt.Any(type_url="type.googleapis.com/x.Unknown")),  # no such type
        wkt.Int32Value(7),  # a well-known type at the top: no object
        Vectors(f32=array("d", [0.1])),  # another typecode
    ],
)
def test_anything_unusual_is_left_to_the_python_path(msg: ddl.Message) -> None:
    assert made_in_c(msg) is None
    assert_same_on_both_paths(msg)


def test_deep_nesting_and_odd_options_are_left_to_the_python_path() -> None:
    tree = Tree("leaf")
    for _ in range(150):
        tree = Tree("n", [tree])
    kind, text = assert_same_on_both_paths(tree)
    assert kind == "value" and text.count("children") == 150
    assert_same_on_both_paths(ORDER, preserving_proto_field_name=1)
    assert_same_on_both_paths(ORDER, registry={"test.Item": Item})


def test_the_benchmarks_workloads_are_made_in_c_as_json_loads_of_their_text() -> None:
    from benches import workloads
    from benches.adapters import ddl_adapter

    names = ("small", "medium", "tree", "chat", "otlp", "features", "vector", "events")
    for name in (n for n in names if n not in ddl_adapter.UNSUPPORTED):  # otlp needs opentelemetry-proto
        msg = ddl_adapter.make(name, getattr(workloads, name)()).obj
        assert ddl.to_dict(msg) == json.loads(ddl.to_json(msg)), name
        if _compiled.speedups is not None:
            assert made_in_c(msg) is not None, name


# --- Python code that runs meanwhile ----------------------------------------------------------


class Row(ddl.Message):
    items: list[Item] = []
    cells: list[Any] = []


class Meddler(int):
    """An int whose int() (which typing.Any's conversion calls) empties the lists of a message."""

    victim: Row | None = None

    def __int__(self) -> int:
        if Meddler.victim is not None:
            Meddler.victim.items.clear()
            Meddler.victim.cells.clear()
        return 5


def _row() -> Row:
    return Row([Item(i, "sku" * i) for i in range(20)], [1, "a", Meddler(5), *range(30)])


def test_python_code_that_empties_the_lists_being_read_gives_the_python_paths_value() -> None:
    results = []
    for compiled_engine in (True, False):
        msg = _row()
        Meddler.victim = msg
        try:
            if compiled_engine:
                results.append(outcome(partial(ddl.to_dict, msg)))
            else:
                with python_path():
                    results.append(outcome(partial(ddl.to_dict, msg)))
        finally:
            Meddler.victim = None
    assert results[0] == results[1]
    assert json.loads(results[0][1])["cells"] == [1, "a", 5]  # the items after it were gone


def test_a_finalizer_that_empties_a_list_while_to_dict_reads_it() -> None:
    threshold = gc.get_threshold()
    gc.set_threshold(1)  # a collection at (almost) any allocation of a tracked object
    try:
        for _ in range(50):
            msg = Order(items=[Item(i, "x") for i in range(1, 51)], attrs={f"k{i}": "v" for i in range(50)})
            Dying(msg.items)  # garbage in a cycle: a collection while the items are read frees it
            ids = [item["id"] for item in ddl.to_dict(msg).get("items", [])]
            assert ids == [str(i) for i in range(1, len(ids) + 1)]  # the items up to the collection
    finally:
        gc.set_threshold(*threshold)


def test_threads_that_change_a_message_while_others_read_it() -> None:
    msg = Row([Item(i, "x") for i in range(50)], [{"k": [1, 2]}] * 50)
    stop = threading.Event()

    def meddle() -> None:
        while not stop.is_set():
            msg.items.append(Item(sku="new"))
            msg.cells.append({"new": 1})
            del msg.items[: len(msg.items) // 2]
            del msg.cells[: len(msg.cells) // 2]

    thread = threading.Thread(target=meddle)
    thread.start()
    try:
        for _ in range(2000):
            made = ddl.to_dict(msg)
            assert all(set(item) <= {"id", "sku"} for item in made.get("items", []))
    finally:
        stop.set()
        thread.join()
