"""Wrapper messages of every shape in the compiled engine: maps in lists, optional items, unions.

protobuf has no map of lists, list of maps, optional item or union item, so ddl writes each such
value as a wrapper message of one field (see ``WrapperNode``): ``entries`` for a map, ``value``
for an optional item, and one ``valueX`` member per type for a union, as in ``{"valueString":
"GET"}``. ``tests/test_nested_compiled.py`` covers the wrappers of a repeated field. Python
functions wrote the others for the compiled engine, and a message that held one went whole
through the Python path in JSON: ``dict[str, str | int | float | bool]`` of 12 attributes took
3.8 µs to encode and 11 µs to write as JSON, where ``dict[str, str]`` takes 0.2 and 0.3. The
compiled executors now read the wrapper's field through its ops (``Op.inner``, one per member),
as a message's; the bytes, texts, values and errors are the Python engine's, and no Python code
runs in the encoder or decoder for the values they take.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ddl
from ddl import _compiled
from tests.conftest import examples
from tests.json_paths import assert_same_on_both_paths, written_in_c_as_python
from tests.strategies import assert_same
from tests.test_converted_compiled import assert_decodes_alike, assert_encodes_alike, outcome, round_trip
from tests.test_json_compiled_read import assert_engines_agree, read_in_c_as_python

pytestmark = pytest.mark.skipif(_compiled.speedups is None, reason="the compiled engine is not built")


class Point(ddl.Message):
    x: ddl.int32 = 0
    label: str = ""


class Shapes(ddl.Message):
    labels: list[dict[str, str]] = ddl.field(default_factory=list)
    scores: list[dict[int, float]] = ddl.field(default_factory=list)
    tables: dict[str, dict[str, int]] = ddl.field(default_factory=dict)
    readings: list[float | None] = ddl.field(default_factory=list)
    stops: list[Point | None] = ddl.field(default_factory=list)
    counts: dict[str, int | None] = ddl.field(default_factory=dict)
    attrs: dict[str, str | int | float | bool] = ddl.field(default_factory=dict)
    cells: list[int | str] = ddl.field(default_factory=list)
    marks: list[Point | str | None] = ddl.field(default_factory=list)
    gaps: list[list[int] | None] = ddl.field(default_factory=list)


INT32 = st.integers(-(2**31), 2**31 - 1)
INT64 = st.integers(-(2**63), 2**63 - 1)
POINTS = st.builds(Point, x=INT32, label=st.text(max_size=3))
SHAPES = {
    "labels": st.lists(st.dictionaries(st.text(max_size=4), st.text(max_size=4), max_size=3), max_size=3),
    "scores": st.lists(st.dictionaries(INT64, st.floats(allow_nan=False), max_size=3), max_size=3),
    "tables": st.dictionaries(st.text(max_size=3), st.dictionaries(st.text(max_size=3), INT64, max_size=2), max_size=3),
    "readings": st.lists(st.none() | st.floats(allow_nan=False), max_size=5),
    "stops": st.lists(st.none() | POINTS, max_size=3),
    "counts": st.dictionaries(st.text(max_size=3), st.none() | INT64, max_size=3),
    "attrs": st.dictionaries(
        st.text(max_size=5), st.text(max_size=4) | INT64 | st.floats(allow_nan=False) | st.booleans(), max_size=5
    ),
    "cells": st.lists(INT64 | st.text(max_size=3), max_size=5),
    "marks": st.lists(st.none() | POINTS | st.text(max_size=3), max_size=4),
    "gaps": st.lists(st.none() | st.lists(INT64, max_size=3), max_size=3),
}


@settings(max_examples=examples(300), deadline=None)
@given(**SHAPES)
def test_wrapped_values_are_written_and_read_in_c_as_the_python_engine_does(**values: Any) -> None:
    msg = Shapes(**values)
    python, compiled = round_trip(msg)  # the same bytes, and no Python code run either way
    assert_same(python, compiled)
    assert python == msg


class Sub(str):
    pass


@pytest.mark.parametrize(
    "value",
    [
        {"cells": [None]},
        {"cells": [1.5]},
        {"cells": [True]},
        {"cells": [Sub("a")]},
        {"cells": [2**63]},
        {"attrs": {"k": None}},
        {"attrs": {"k": b"x"}},
        {"attrs": {"k": Sub("v")}},
        {"labels": [{"k": 1}]},
        {"labels": [["k"]]},
        {"labels": [None]},
        {"readings": ["1"]},
        {"readings": [1]},
        {"stops": [Point(), "p"]},
        {"marks": [Point(x=1), "", None, 7]},
        {"counts": {"k": "1"}},
        {"gaps": [[1, "x"]]},
        {"gaps": [(1, 2)]},
    ],
)
def test_other_wrapped_values_are_written_or_refused_as_the_python_engine_does(value: dict[str, Any]) -> None:
    msg = Shapes(**value)
    assert outcome(ddl.encode, msg, compiled=True) == outcome(ddl.encode, msg, compiled=False)
    assert outcome(ddl.to_json, msg, compiled=True) == outcome(ddl.to_json, msg, compiled=False)


def test_a_deterministic_encode_of_wrapped_maps_is_the_python_engines() -> None:
    msg = Shapes(labels=[{"b": "1", "a": "2"}], tables={"z": {"y": 1, "x": 2}, "a": {}}, attrs={"b": 1, "a": "x"})
    ours = outcome(lambda: ddl.Encoder(deterministic=True).encode(msg), compiled=True)
    assert ours == outcome(lambda: ddl.Encoder(deterministic=True).encode(msg), compiled=False)


def wrapped(number: int, body: bytes) -> bytes:
    """A field ``number`` of Shapes holding one wrapper message of ``body``."""
    return bytes([number << 3 | 2, len(body)]) + body


@pytest.mark.parametrize(
    "data",
    [
        wrapped(1, b""), wrapped(1, b"\x0a\x06\x0a\x01k\x12\x01v" * 2), wrapped(1, b"\x0a\x03\x0a\x01k"),
        wrapped(1, b"\x0a\x06\x0a\x01k\x12\x01v\x10\x01"), wrapped(1, b"\x0a\x05\x0a\x01k\x12\x01"),
        wrapped(3, b"\x0a\x05\x0a\x01t\x12\x00"), wrapped(3, b"\x0a\x09\x0a\x01t\x12\x04\x0a\x02\x08\x01"),
        wrapped(4, b""), wrapped(4, b"\x09" + bytes(8)), wrapped(4, b"\x09" + bytes(8) + b"\x09" + bytes(8)),
        wrapped(4, b"\x0d" + bytes(4)), wrapped(4, b"\x09" + bytes(4)), wrapped(4, b"\x10\x01"),
        wrapped(5, b"\x0a\x00"), wrapped(5, b"\x0a\x02\x08\x01\x0a\x02\x10\x01"), wrapped(5, b"\x0a\x01\x08"),
        wrapped(7, b"\x0a\x05\x0a\x01k\x12\x00"), wrapped(7, b"\x0a\x07\x0a\x01k\x12\x02\x10\x05"),
        wrapped(7, b"\x0a\x09\x0a\x01k\x12\x04\x0a\x01v\x10\x05"), wrapped(7, b"\x0a\x07\x0a\x01k\x12\x02\x20\x02"),
        wrapped(7, b"\x0a\x06\x0a\x01k\x12\x01\x0a"), wrapped(7, b"\x0a\x07\x0a\x01k\x12\x02\x0a\x80"),
        wrapped(8, b""), wrapped(8, b"\x08\x05"), wrapped(8, b"\x12\x01a"), wrapped(8, b"\x08\x05\x12\x01a"),
        wrapped(8, b"\x08\x05\x08\x06"), wrapped(8, b"\x18\x01"), wrapped(8, b"\x12\x02\xff\xfe"),
        wrapped(9, b""), wrapped(9, b"\x0a\x02\x08\x01"), wrapped(9, b"\x12\x00"), wrapped(9, b"\x0a\x00\x12\x00"),
        wrapped(10, b""), wrapped(10, b"\x0a\x00"), wrapped(10, b"\x0a\x03\x0a\x01\x05"),
        wrapped(10, b"\x0a\x02\x08\x05\x0a\x02\x08\x06"),
    ],
)  # fmt: skip
def test_any_wrapper_body_decodes_as_the_python_engine_decodes_it(data: bytes) -> None:
    assert_decodes_alike(data, Shapes)


class Chain(ddl.Message):
    value: ddl.int32 = 0
    links: list[dict[str, Chain | None]] = ddl.field(default_factory=list)


def chained(depth: int) -> Chain:
    chain = Chain(value=1)
    for _ in range(depth):
        chain = Chain(links=[{"k": chain, "none": None}])
    return chain


@pytest.mark.parametrize("depth", [0, 1, 24, 25, 26, 33, 34, 49, 50])
def test_recursive_wrappers_encode_alike_to_any_depth(depth: int) -> None:
    msg = chained(depth)
    assert_encodes_alike(msg)
    assert_same_on_both_paths(msg)


def test_past_max_depth_wrappers_are_refused_as_the_python_engine_refuses_them() -> None:
    msg = Shapes(stops=[Point(x=1)], tables={"a": {"b": 1}}, attrs={"k": 1})
    for depth in range(4):
        encoder = ddl.Encoder(max_depth=depth)
        assert outcome(encoder.encode, msg, compiled=True) == outcome(encoder.encode, msg, compiled=False)
        data = ddl.encode(msg)
        decoder = ddl.Decoder(Shapes, max_depth=depth)
        assert outcome(decoder.decode, data, compiled=True) == outcome(decoder.decode, data, compiled=False)


# --- JSON: the wrapper message's object, {"entries": {...}}, {"value": ...}, {"valueString": ...} --


@settings(max_examples=examples(300), deadline=None)
@given(always=st.booleans(), **SHAPES)
def test_wrapped_values_are_json_in_c_as_the_python_path_writes_and_reads_them(always: bool, **values: Any) -> None:
    msg = Shapes(**values)
    text = written_in_c_as_python(msg, always_print_fields_with_no_presence=always)
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        return  # a lone surrogate: left to the Python reader
    assert read_in_c_as_python(text, Shapes) == msg


@pytest.mark.parametrize(
    "text",
    [
        '{"labels": [{}, {"entries": {}}, {"entries": {"k": "v"}}]}',
        '{"tables": {"t": {"entries": {"a": "1", "b": 2}}, "u": {}}}',
        '{"readings": [{}, {"value": 1.5}, {"value": 0}, {"value": -0.0}]}',
        '{"stops": [{"value": {"x": 1}}, {}, {"value": {}}]}',
        '{"counts": {"a": {"value": "5"}, "b": {}}}',
        '{"attrs": {"a": {"valueString": "x"}, "b": {"valueInt64": "-3"}}}',
        '{"attrs": {"c": {"valueDouble": 2}, "d": {"valueBool": false}}}',
        '{"cells": [{"valueInt64": 1}, {"valueString": ""}, {}]}',
        '{"marks": [{"valuePoint": {"label": "x"}}, {"valueString": "s"}, {}]}',
        '{"gaps": [{"value": {"values": ["1", 2]}}, {}, {"value": {}}]}',
        '{"attrs": {"a": {"value_string": "x"}}, "cells": [{"value_int64": "2"}]}',
    ],
)
def test_wrapper_objects_are_read_in_c(text: str) -> None:
    read_in_c_as_python(text, Shapes)


@pytest.mark.parametrize(
    "text",
    [
        '{"readings": [{"value": null}]}', '{"readings": [{"value": 1, "value": 2}]}', '{"readings": [{"other": 1}]}',
        '{"readings": [null]}', '{"readings": [1.5]}', '{"readings": [{"value": "NaN"}]}',
        '{"labels": [{"entries": null}]}', '{"labels": [{"entries": {"k": null}}]}', '{"labels": [{"k": "v"}]}',
        '{"attrs": {"a": {"valueString": "x", "valueInt64": 1}}}', '{"attrs": {"a": {"valueInt64": 1.5}}}',
        '{"attrs": {"a": {"valueBool": "true"}}}', '{"attrs": {"a": "x"}}',
        '{"attrs": {"a": {"valueStr\\u0069ng": "x"}}}', '{"cells": [{"valueInt64": "1"}, {"valueString": 1}]}',
        '{"cells": [{"valueString": "a"}', '{"marks": [{"valuePoint": null}]}',
        '{"counts": {"a": {"value": null}}}', '{"gaps": [{"value": {"values": null}}]}', '{"gaps": [{"value": null}]}',
    ],
)  # fmt: skip
def test_other_wrapper_texts_read_the_same_on_both_engines(text: str) -> None:
    assert_engines_agree(text, Shapes)


def links(depth: int) -> str:
    return '{"links": [{"entries": {"k": ' * depth + '{"value": 1}' + "}}]}" * depth


@pytest.mark.parametrize("depth", [0, 1, 16, 17, 24, 25, 26, 33, 34, 50, 700])
def test_recursive_wrappers_read_alike_at_any_depth(depth: int) -> None:
    assert_engines_agree(links(depth), Chain)
