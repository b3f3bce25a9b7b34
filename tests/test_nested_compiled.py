"""Nested containers in the compiled engine: ``list[list[float]]``, ``dict[str, list[str]]``...

protobuf cannot nest a repeated field in another, so ddl writes each inner container as a wrapper
message whose one field, number 1, is the container (see ``WrapperNode``), and in JSON as that
message's object, ``{"values": [...]}``. Python functions wrote both for the compiled engine: a
batch of 32 embeddings of 256 doubles took 138 µs to encode and 4,009 µs to write as JSON, where
the same 8,192 doubles in one list take 6 and 233. The compiled encoder and JSON writer and
reader now take a wrapper whose field is repeated through the op of that field (``Op.inner``).
The decoder reads such a body's occurrences of that field as a message's. The bytes, texts,
values and errors are the Python engine's, and no Python code runs in the encoder or decoder for
the values they take.
"""

from __future__ import annotations

import struct
from array import array
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ddl
from ddl import _compiled
from tests.conftest import examples
from tests.json_paths import assert_same_on_both_paths, written_in_c, written_in_c_as_python
from tests.strategies import assert_same
from tests.test_converted_compiled import assert_decodes_alike, assert_encodes_alike, outcome, round_trip
from tests.test_json_compiled_read import assert_engines_agree, read_in_c_as_python

pytestmark = pytest.mark.skipif(_compiled.speedups is None, reason="the compiled engine is not built")


class Point(ddl.Message):
    x: ddl.int32 = 0
    label: str = ""


class Nested(ddl.Message):
    vectors: list[list[float]] = ddl.field(default_factory=list)
    singles: list[list[ddl.float32]] = ddl.field(default_factory=list)
    ids: list[list[int]] = ddl.field(default_factory=list)
    zigzag: list[tuple[ddl.sint32, ...]] = ddl.field(default_factory=list)
    words: list[list[str]] = ddl.field(default_factory=list)
    headers: dict[str, list[str]] = ddl.field(default_factory=dict)
    paths: list[list[Point]] = ddl.field(default_factory=list)
    flags: dict[int, list[bool]] = ddl.field(default_factory=dict)
    tags: list[frozenset[str]] = ddl.field(default_factory=list)


POINTS = st.builds(Point, x=st.integers(-(2**31), 2**31 - 1), label=st.text(max_size=3))
INNER = {
    "vectors": st.lists(st.floats(allow_nan=False), max_size=5),
    "singles": st.lists(st.floats(width=32, allow_nan=False), max_size=5),
    "ids": st.lists(st.integers(-(2**63), 2**63 - 1), max_size=5),
    "zigzag": st.lists(st.integers(-(2**31), 2**31 - 1), max_size=5).map(tuple),
    "words": st.lists(st.text(max_size=4), max_size=4),
    "paths": st.lists(POINTS, max_size=3),
    "tags": st.frozensets(st.text(max_size=3), max_size=3),
}


NESTED = {
    **{name: st.lists(inner, max_size=4) for name, inner in INNER.items()},
    "headers": st.dictionaries(st.text(max_size=5), st.lists(st.text(max_size=5), max_size=3), max_size=3),
    "flags": st.dictionaries(st.integers(-5, 5), st.lists(st.booleans(), max_size=3), max_size=3),
}


@settings(max_examples=examples(300), deadline=None)
@given(**NESTED)
def test_nested_containers_are_written_in_c_as_the_python_engine_writes_them(**values: Any) -> None:
    msg = Nested(**values)
    python, compiled = round_trip(msg)  # the same bytes, and no Python code run either way
    assert_same(python, compiled)
    assert python == msg


@pytest.mark.parametrize(
    "value",
    [
        {"vectors": [[1.5], None]},
        {"vectors": [[1.5], "ab"]},
        {"vectors": [[1.5], [1, "x"]]},
        {"vectors": [array("d", [1.5, 2.5])]},
        {"singles": [[1e39]]},
        {"ids": [[2**63]]},
        {"words": [["a"], ["b", b"c"]]},
        {"words": [("a", "b")]},
        {"headers": {"k": ["v", 5]}},
        {"paths": [[Point(), "p"]]},
        {"tags": [{"a", "b"}]},
    ],
)
def test_other_inner_values_are_written_or_refused_as_the_python_engine_does(value: dict[str, Any]) -> None:
    msg = Nested(**value)
    assert outcome(ddl.encode, msg, compiled=True) == outcome(ddl.encode, msg, compiled=False)


def wrapped(number: int, body: bytes) -> bytes:
    """A field ``number`` of Nested holding one wrapper message of ``body``."""
    return bytes([number << 3 | 2, len(body)]) + body


DOUBLES = struct.pack("<2d", 1.5, -0.0)


@pytest.mark.parametrize(
    "data",
    [
        wrapped(1, b""), wrapped(1, b"\x0a\x10" + DOUBLES), wrapped(1, b"\x09" + DOUBLES[:8] + b"\x09" + DOUBLES[8:]),
        wrapped(1, b"\x0a\x08" + DOUBLES[:8] + b"\x09" + DOUBLES[8:] + b"\x0a\x00"),
        wrapped(1, b"\x0a\x07" + DOUBLES[:7]),
        wrapped(1, b"\x0a\x10" + DOUBLES + b"\x10\x01"), wrapped(1, b"\x0a\x11" + DOUBLES), wrapped(1, b"\x09\x00"),
        wrapped(3, b"\x0a\x03\x01\xff\x01"), wrapped(3, b"\x08\x05\x08\x06"), wrapped(3, b"\x0a\x01\x80"),
        wrapped(3, b"\x08" + b"\xff" * 10 + b"\x01"), wrapped(4, b"\x0a\x02\x01\x02"),
        wrapped(5, b"\x0a\x02ab\x0a\x00"), wrapped(5, b"\x0a\x02\xff\xfe"), wrapped(5, b"\x08\x01"),
        wrapped(7, b"\x0a\x02\x08\x01\x0a\x00") * 2, wrapped(7, b"\x0a\x02\x08"),
        wrapped(9, b"\x0a\x01a\x0a\x01a"), wrapped(6, b"\x0a\x01k\x12\x05\x0a\x01v\x0a\x00"),
        wrapped(8, b"\x08\x01\x12\x04\x0a\x02\x01\x00"),
    ],
)  # fmt: skip
def test_any_wrapper_body_decodes_as_the_python_engine_decodes_it(data: bytes) -> None:
    assert_decodes_alike(data, Nested)


def test_a_deterministic_encode_of_sets_is_the_python_engines() -> None:
    msg = Nested(tags=[frozenset({"b", "a", "c"})], headers={"z": ["1"], "a": ["2"]})
    ours = outcome(lambda: ddl.Encoder(deterministic=True).encode(msg), compiled=True)
    assert ours == outcome(lambda: ddl.Encoder(deterministic=True).encode(msg), compiled=False)


def test_nesting_past_max_depth_is_refused_as_the_python_engine_refuses_it() -> None:
    msg = Nested(paths=[[Point(x=1)]])
    for depth in range(4):
        encoder = ddl.Encoder(max_depth=depth)
        assert outcome(encoder.encode, msg, compiled=True) == outcome(encoder.encode, msg, compiled=False)


class Knot(ddl.Message):
    value: ddl.int32 = 0
    rows: list[list[Knot]] = ddl.field(default_factory=list)


def knotted(depth: int) -> Knot:
    knot = Knot(value=1)
    for _ in range(depth):
        knot = Knot(rows=[[knot]])
    return knot


@pytest.mark.parametrize("depth", [0, 1, 48, 49, 50, 51, 99, 100])
def test_recursive_nesting_encodes_alike_to_any_depth(depth: int) -> None:
    msg = knotted(depth)
    assert_encodes_alike(msg)
    assert_same_on_both_paths(msg)


# --- JSON: the wrapper message's object, {"values": [...]} ---------------------------------------


@settings(max_examples=examples(300), deadline=None)
@given(always=st.booleans(), **{**NESTED, "tags": st.just([])})  # a set's order is the Python path's
def test_nested_containers_are_written_and_read_in_c_as_the_python_path_does(always: bool, **values: Any) -> None:
    msg = Nested(**values)
    text = written_in_c_as_python(msg, always_print_fields_with_no_presence=always)
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        return  # a lone surrogate: left to the Python reader
    assert read_in_c_as_python(text, Nested) == msg


def test_sets_inside_are_left_to_the_python_path() -> None:
    msg = Nested(tags=[frozenset({"a", "b"})])
    assert written_in_c(msg) is None
    assert_same_on_both_paths(msg)


@pytest.mark.parametrize(
    "text",
    [
        '{"vectors": [{}, {"values": []}, {"values": [1, 2.5, -0]}]}',
        '{"headers": {"k": {"values": ["a", "b"]}, "l": {}}}',
        '{"paths": [{"values": [{"x": 1}, {}]}], "zigzag": [{"values": [-3]}]}',
        '{"flags": {"-1": {"values": [true]}}, "words": [{"values": ["x"]}]}',
    ],
)
def test_wrapper_objects_are_read_in_c(text: str) -> None:
    read_in_c_as_python(text, Nested)


@pytest.mark.parametrize(
    "text",
    [
        '{"vectors": [{"values": null}]}', '{"vectors": [{"values": [1], "values": [2]}]}',
        '{"vectors": [{"other": [1]}]}', '{"vectors": [[1, 2]]}', '{"vectors": [{"values": [null]}]}',
        '{"vectors": [{"values": {}}]}', '{"vectors": [{"val\\u0075es": [1]}]}', '{"vectors": [null]}',
        '{"headers": {"k": ["a"]}}', '{"tags": [{"values": ["a", "a"]}]}', '{"vectors": [{"values": [1]}',
    ],
)  # fmt: skip
def test_other_wrapper_texts_read_the_same_on_both_engines(text: str) -> None:
    assert_engines_agree(text, Nested)


def rows(depth: int) -> str:
    return '{"rows": [{"values": [' * depth + '{"value": 1}' + "]}]}" * depth


@pytest.mark.parametrize("depth", [0, 1, 24, 25, 26, 49, 50, 51, 700])
def test_recursive_nesting_reads_alike_at_any_depth(depth: int) -> None:
    assert_engines_agree(rows(depth), Knot)
