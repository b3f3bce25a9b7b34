"""The classes of ``ddl.wkt`` whose JSON form is their own, in the compiled JSON writer and
reader (json_wkt.pxi): the wrappers (``ddl.wkt.Int32Value``...) as a bare value, a ``FieldMask``
as its paths in lowerCamelCase joined by commas, in one string, and a ``Value`` or ``ListValue``
(the classes ``ddl gen`` writes for google.protobuf.Value and ListValue fields) as the JSON value
they hold.

The compiled engine writes and reads the common values itself; whatever else (a subclass,
unknown fields, a path that cannot read back, a text it does not take) it leaves to the Python
path. Either way the text, the value and the error are the Python path's.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ddl
from ddl import _compiled, wkt
from tests.conftest import examples
from tests.json_paths import assert_same_on_both_paths, written_in_c, written_in_c_as_python
from tests.test_json_compiled_read import assert_engines_agree, read_in_c, read_in_c_as_python
from tests.test_wkt_values_compiled import json_like

pytestmark = pytest.mark.skipif(_compiled.speedups is None, reason="the compiled engine is not built")


# --- the wrappers (ddl.wkt.Int32Value...): a bare value --------------------------------------------


class Wrapped(ddl.Message):
    count: wkt.Int32Value | None = None
    big: wkt.Int64Value | None = None
    unsigned: wkt.UInt64Value | None = None
    ratio: wkt.DoubleValue | None = None
    single: wkt.FloatValue | None = None
    flag: wkt.BoolValue | None = None
    name: wkt.StringValue | None = None
    blob: wkt.BytesValue | None = None
    counts: list[wkt.UInt32Value] = ddl.field(default_factory=list)
    names: dict[str, wkt.StringValue] = ddl.field(default_factory=dict)


def wrapped(cls: type, values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | values.map(lambda v: cls(value=v))


@settings(max_examples=examples(300), deadline=None)
@given(
    count=wrapped(wkt.Int32Value, st.integers(-(2**31), 2**31 - 1)),
    big=wrapped(wkt.Int64Value, st.integers(-(2**63), 2**63 - 1)),
    unsigned=wrapped(wkt.UInt64Value, st.integers(0, 2**64 - 1)),
    ratio=wrapped(wkt.DoubleValue, st.floats()),  # NaN and the infinities too: "NaN", "Infinity"...
    single=wrapped(wkt.FloatValue, st.floats(width=32)),
    flag=wrapped(wkt.BoolValue, st.booleans()),
    name=wrapped(wkt.StringValue, st.text(max_size=5)),
    blob=wrapped(wkt.BytesValue, st.binary(max_size=5)),
    counts=st.lists(st.integers(0, 2**32 - 1).map(lambda v: wkt.UInt32Value(value=v)), max_size=3),
    names=st.dictionaries(st.text(max_size=3), st.text(max_size=3).map(lambda v: wkt.StringValue(value=v)), max_size=2),
)
def test_wrappers_are_written_in_c_as_bare_values_and_read_back_in_c(**values: Any) -> None:
    msg = Wrapped(**values)
    text = written_in_c(msg)
    assert text is not None
    assert assert_same_on_both_paths(msg) == ("text", text)
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        return  # a lone surrogate: left to the Python reader
    assert read_in_c(text, Wrapped) is not None
    assert assert_engines_agree(text, Wrapped)[0] == "value"


def assert_left_or_written_alike(msg: Any) -> None:
    """The text or error of ``msg`` is the Python path's; the C writer either leaves it to that
    path or writes that very text."""
    outcome = assert_same_on_both_paths(msg)
    in_c = written_in_c(msg)
    if in_c is not None:
        assert outcome == ("text", in_c)


class Counted(wkt.Int32Value):
    pass


def with_unknown_fields(msg: Any) -> Any:
    return ddl.decode(ddl.encode(msg) + b"\x10\x01", type(msg))


@pytest.mark.parametrize(
    "value",
    [
        {"count": wkt.Int32Value(value=2**31)}, {"count": wkt.Int32Value(value="5")}, {"count": Counted(value=1)},
        {"count": with_unknown_fields(wkt.Int32Value(value=1))}, {"flag": wkt.BoolValue(value=1)},
        {"ratio": wkt.DoubleValue(value=float("nan"))}, {"single": wkt.FloatValue(value=1e39)},
        {"single": wkt.FloatValue(value=float("-inf"))},
        {"name": wkt.StringValue(value=b"x")}, {"counts": [wkt.UInt32Value(value=-1)]},
        {"count": wkt.Int64Value(value=1)},
    ],
)  # fmt: skip
def test_other_wrapped_values_are_left_to_the_python_path_or_written_as_it_writes_them(value: dict[str, Any]) -> None:
    assert_left_or_written_alike(Wrapped(**value))


@pytest.mark.parametrize(
    "text",
    [
        '{"count": 5}', '{"count": "5"}', '{"count": 1e3}', '{"count": 1.5}', '{"count": 2147483648}', '{"count": {}}',
        '{"count": null}', '{"big": 9223372036854775807}', '{"big": "-9223372036854775808"}', '{"unsigned": "-1"}',
        '{"ratio": "NaN"}', '{"ratio": -0}', '{"ratio": 1e400}', '{"single": 3.5e38}', '{"flag": true}',
        '{"flag": "true"}', '{"name": "\\ud800"}', '{"name": 5}', '{"blob": "QQ"}', '{"blob": "Q"}',
        '{"counts": [1, null]}', '{"counts": [4294967296]}', '{"names": {"a": "x", "b": null}}', '{"names": {"a": 1}}',
    ],
)  # fmt: skip
def test_wrapper_texts_read_the_same_on_both_engines(text: str) -> None:
    assert_engines_agree(text, Wrapped)


# --- FieldMask: one string of lowerCamelCase paths ---------------------------------------------------


class Masked(ddl.Message):
    mask: wkt.FieldMask | None = None
    masks: list[wkt.FieldMask] = ddl.field(default_factory=list)
    by_name: dict[str, wkt.FieldMask] = ddl.field(default_factory=dict)


# snake_case paths as a .proto's field names make them: segments of lowercase letters and digits
# joined by '_', fields joined by '.'.
WORDS = st.from_regex(r"[a-z][a-z0-9]{0,5}", fullmatch=True)
NAMES = st.lists(WORDS, min_size=1, max_size=3).map("_".join)
PATHS = st.lists(NAMES, min_size=1, max_size=3).map(".".join)
MASKS = st.lists(PATHS, max_size=4).map(lambda paths: wkt.FieldMask(paths=paths))


@settings(max_examples=examples(300), deadline=None)
@given(mask=st.none() | MASKS, masks=st.lists(MASKS, max_size=3),
       by_name=st.dictionaries(st.text(max_size=3), MASKS, max_size=2))  # fmt: skip
def test_field_masks_are_written_in_c_as_one_string_and_read_back_in_c(**values: Any) -> None:
    msg = Masked(**values)
    text = written_in_c_as_python(msg)
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        return  # a lone surrogate in a map key: left to the Python reader
    assert read_in_c_as_python(text, Masked) == msg


class Narrowed(wkt.FieldMask):
    pass


@pytest.mark.parametrize(
    "paths",
    [
        ["Title"], ["a_.b"], ["a_"], ["a_1"], ['a"b'], ["a\\b"], ["a\nb"], ["é"], ["a", 5], ["a", b"b"],
        ("a", "b"),
    ],
)  # fmt: skip
def test_other_paths_are_left_to_the_python_path(paths: Any) -> None:
    msg = Masked(mask=wkt.FieldMask(paths=paths))
    assert written_in_c(msg) is None
    assert_same_on_both_paths(msg)


@pytest.mark.parametrize(
    "mask",
    [Narrowed(paths=["a"]), ddl.decode(ddl.encode(wkt.FieldMask(paths=["a"])) + b"\x10\x01", wkt.FieldMask)],
)
def test_a_subclass_or_unknown_fields_are_left_to_the_python_path(mask: wkt.FieldMask) -> None:
    msg = Masked(masks=[wkt.FieldMask(paths=["b"]), mask])
    assert written_in_c(msg) is None
    assert_same_on_both_paths(msg)


def test_paths_that_read_back_to_themselves_are_written_in_c() -> None:
    msg = Masked(mask=wkt.FieldMask(paths=["_a", "a._b", "a.b_c.d", "", "x9_y", "a-b/c:d"]))
    text = written_in_c(msg)
    assert text == '{"mask": "A,a.B,a.bC.d,,x9Y,a-b/c:d"}'
    assert assert_same_on_both_paths(msg) == ("text", text)


@pytest.mark.parametrize(
    "text",
    [
        '{"mask": "a.fooBar,b"}', '{"mask": ""}', '{"mask": ","}', '{"mask": "a,,b"}', '{"mask": "fooBAR"}',
        '{"mask": "Abc"}', '{"mask": "a.b-c/d"}', '{"masks": ["x", "yZ"], "byName": {"k": "aB"}}',
    ],
)  # fmt: skip
def test_field_mask_texts_are_read_in_c(text: str) -> None:
    read_in_c_as_python(text, Masked)


@pytest.mark.parametrize(
    "text",
    [
        '{"mask": "foo_bar"}', '{"mask": "é"}', '{"mask": "\\u0041"}', '{"mask": null}', '{"mask": 5}',
        '{"mask": ["a"]}', '{"mask": {"paths": ["a"]}}', '{"masks": [null]}', '{"mask": "a\\"}',
    ],
)  # fmt: skip
def test_field_mask_texts_read_the_same_on_both_engines(text: str) -> None:
    assert_engines_agree(text, Masked)


# --- Value and ListValue: the JSON value itself -------------------------------------------------------


class Valued(ddl.Message):
    value: wkt.Value | None = None
    items: wkt.ListValue | None = None
    values: list[wkt.Value] = ddl.field(default_factory=list)
    by_name: dict[str, wkt.Value] = ddl.field(default_factory=dict)


def as_kind(value: Any) -> Any:
    """A JSON value as a Value's kind: an array is a ListValue."""
    return wkt.ListValue(values=list(value)) if isinstance(value, (list, tuple)) else value


FINITE = json_like(finite=True)
KINDS = st.just(wkt.NullValue.NULL_VALUE) | FINITE.map(as_kind)
VALUES = KINDS.map(lambda kind: wkt.Value(kind=kind))
LISTS = st.lists(FINITE, max_size=3).map(lambda values: wkt.ListValue(values=values))


@settings(max_examples=examples(300), deadline=None)
@given(value=st.none() | VALUES, items=st.none() | LISTS, values=st.lists(VALUES, max_size=3),
       by_name=st.dictionaries(st.text(max_size=3), VALUES, max_size=2))  # fmt: skip
def test_values_are_written_in_c_as_the_json_they_hold_and_read_back_in_c(**values: Any) -> None:
    msg = Valued(**values)
    text = written_in_c_as_python(msg)
    if "\\ud8" in text or "\\udc" in text or any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        return  # a lone surrogate: left to the Python reader
    read_in_c_as_python(text, Valued)


class Kinded(wkt.Value):
    pass


@pytest.mark.parametrize(
    "value",
    [
        {"value": wkt.Value(kind=float("nan"))}, {"value": wkt.Value(kind=2**60)}, {"value": wkt.Value(kind=b"x")},
        {"value": wkt.Value(kind=wkt.ListValue(values=(1.0,)))}, {"value": wkt.Value(kind=wkt.ListValue(values="ab"))},
        {"value": wkt.Value(kind=[1.0, "a"])}, {"value": wkt.Value()}, {"value": Kinded(kind="x")},
        {"value": with_unknown_fields(wkt.Value(kind="x"))}, {"values": [wkt.Value(kind={"k": float("inf")})]},
        {"items": wkt.ListValue(values=[float("-inf")])}, {"items": wkt.ListValue(values=(1.0, 2.0))},
        {"items": with_unknown_fields(wkt.ListValue(values=[]))}, {"by_name": {"k": wkt.Value(kind=5)}},
        {"value": wkt.Value(kind=wkt.NullValue.NULL_VALUE)}, {"value": wkt.Value(kind=True)},
    ],
)  # fmt: skip
def test_other_held_values_are_left_to_the_python_path_or_written_as_it_writes_them(value: dict[str, Any]) -> None:
    assert_left_or_written_alike(Valued(**value))


@pytest.mark.parametrize(
    "text",
    [
        '{"value": null}', '{"value": "x", "items": [null, 1, "a", [], {}]}',
        '{"values": [null, -0, [null], {"a": []}]}', '{"byName": {"a": null, "b": [1]}}',
        '{"value": {"k": null}}', '{"value": []}', '{"items": []}',
    ],
)  # fmt: skip
def test_value_texts_are_read_in_c(text: str) -> None:
    read_in_c_as_python(text, Valued)


@pytest.mark.parametrize(
    "text",
    [
        '{"items": null}', '{"items": {}}', '{"items": "x"}', '{"items": [1e400]}', '{"value": 1e400}',
        '{"value": "\\ud800"}', '{"value": {"a": 1, "a": 2}}', '{"values": [1, null', '{"value": nul}',
        '{"value": 1, "value": 2}', '{"byName": {"a": [1], "a": [2]}}',
    ],
)  # fmt: skip
def test_other_value_texts_read_the_same_on_both_engines(text: str) -> None:
    assert_engines_agree(text, Valued)


@pytest.mark.parametrize("depth", [0, 1, 30, 31, 32, 33, 62, 63, 64, 65, 98, 99, 100, 101, 700])
def test_values_nested_to_any_depth_read_and_write_alike(depth: int) -> None:
    arrays = '{"value": ' + "[" * depth + "]" * depth + "}"
    objects = '{"items": [' + '{"k": ' * depth + "1" + "}" * depth + "]}"
    for text in (arrays, objects):
        outcome = assert_engines_agree(text, Valued)
        if outcome[0] == "value":
            assert_same_on_both_paths(outcome[1])
