"""``typing.Any`` and ``dict[str, Any]`` (google.protobuf.Value and Struct) in the compiled
engine's binary paths (ddl/_cy/wkt_values.pxi).

The C loops write the exact JSON types and read the bodies protobuf writes themselves, and leave
the rest to the Python functions of ddl/_wkt_codecs.py: on any value, valid or not, and any
bytes, both engines give the same bytes, values and errors.
"""

from __future__ import annotations

import math
import struct
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ddl
from ddl import _compiled
from tests.conftest import examples, no_collection, python_calls_of
from tests.json_paths import engine_on
from tests.test_json_compiled_read import Color
from tests.test_json_read_differential import assert_same

pytestmark = pytest.mark.skipif(_compiled.speedups is None, reason="the compiled engine is not built")


class Doc(ddl.Message):
    anything: Any = None
    meta: dict[str, Any] = ddl.field(default_factory=dict)
    rows: list[Any] = ddl.field(default_factory=list)
    by_id: dict[int, Any] = ddl.field(default_factory=dict)


def outcome(call: Any, *args: Any, compiled: bool, **options: Any) -> tuple[str, Any]:
    with engine_on(compiled):
        try:
            return "value", call(*args, **options)
        except Exception as e:  # noqa: BLE001 - every error must be the same on both engines
            return type(e).__name__, str(e)


def assert_engines_agree(call: Any, *args: Any, **options: Any) -> tuple[str, Any]:
    python = outcome(call, *args, compiled=False, **options)
    compiled = outcome(call, *args, compiled=True, **options)
    assert python[0] == compiled[0], (python, compiled)
    if python[0] == "value":
        assert_same(python[1], compiled[1])
    else:
        assert python == compiled
    return compiled


def json_like(finite: bool = False) -> st.SearchStrategy[Any]:
    """What ``typing.Any`` holds, of the exact types both engines' C writes itself: ints within
    2**53, tuples beside lists; NaN and the infinities unless ``finite`` (JSON has them only as
    strings)."""
    leaves = st.one_of(
        st.none(), st.booleans(), st.floats(allow_nan=not finite, allow_infinity=not finite), st.text(max_size=4),
        st.integers(-(2**53), 2**53),
    )  # fmt: skip
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.lists(inner, max_size=2).map(tuple),
            st.dictionaries(st.text(max_size=3), inner, max_size=3),
        ),
        max_leaves=8,
    )  # fmt: skip


VALUES = json_like()


@settings(max_examples=examples(300), deadline=None)
@given(anything=VALUES, meta=st.dictionaries(st.text(max_size=3), VALUES, max_size=3),
       rows=st.lists(VALUES, max_size=2), by_id=st.dictionaries(st.integers(-5, 5), VALUES, max_size=2),
       deterministic=st.booleans())  # fmt: skip
def test_json_values_give_the_same_bytes_and_values_on_both_engines(deterministic: bool, **values: Any) -> None:
    msg = Doc(**values)
    data = assert_engines_agree(ddl.encode, msg, deterministic=deterministic)
    assert data[0] == "value"
    assert_engines_agree(ddl.decode, data[1], Doc)
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in repr(values)):
        return  # a lone surrogate has no UTF-8: the Python functions refuse it
    with no_collection():
        if not deterministic:  # sorting keys is the Python functions' work
            assert python_calls_of(ddl.encode, msg) == 0
        assert python_calls_of(ddl.decode, data[1], Doc) == 0


class Label(str):
    pass


@pytest.mark.parametrize(
    "value",
    [
        2**53 + 1, -(2**53) - 1, 2**64, Color.GREEN, Label("x"), {1, 2}, b"x", {1: "a"}, {Label("k"): 1}, "\ud800",
        {"\udc00": 1}, [float("-inf"), float("nan")], {"k": [2**60]}, object(),
    ],
)  # fmt: skip
def test_other_values_are_written_or_refused_as_the_python_engine_does(value: Any) -> None:
    for msg in (Doc(anything=value), Doc(meta={"k": value}), Doc(rows=[value]), Doc(by_id={1: value})):
        assert_engines_agree(ddl.encode, msg)


def test_a_value_nested_as_deep_as_max_depth_allows_gives_the_same_outcome_on_both_engines() -> None:
    deep: Any = 1.0
    for depth in range(1, 120):
        deep = [deep] if depth % 2 else {"k": deep}
        msg = Doc(anything=deep)
        for max_depth in (10, 50, 100):
            data = assert_engines_agree(ddl.encode, msg, max_depth=max_depth)
            if data[0] == "value":
                assert_engines_agree(ddl.decode, data[1], Doc, max_depth=max_depth)


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
        n >>= 7
        if not n:
            return bytes(out)


def field(tag: int, body: bytes) -> bytes:
    return bytes([tag]) + varint(len(body)) + body


NUMBER = b"\x11" + struct.pack("<d", 2.5)
BODIES = [
    b"", b"\x08\x00", b"\x08\x05", b"\x20\x01", b"\x20\x02", NUMBER, field(0x1A, b"hi"), field(0x1A, b"\xff"),
    NUMBER + b"\x20\x01", b"\x20\x01" + NUMBER, field(0x2A, b"") + field(0x2A, b""),
    field(0x32, b"") + field(0x32, b""),
    b"\x11\x00", b"\x28\x01", b"\x08", field(0x1A, b"ok") + b"\x38\x00",
    field(0x2A, field(0x0A, field(0x0A, b"k") + field(0x12, NUMBER))),
    field(0x2A, field(0x0A, field(0x12, NUMBER) + field(0x0A, b"k"))),  # the value before the key
    field(0x2A, field(0x0A, field(0x0A, b"k"))),  # no value: None
    field(0x2A, field(0x0A, field(0x12, NUMBER))),  # no key: ""
    field(0x2A, field(0x0A, field(0x0A, b"a") + field(0x0A, b"b") + field(0x12, NUMBER))),  # the last key
    field(0x2A, field(0x0A, field(0x0A, b"k") + field(0x12, b"\x08\x00") + field(0x12, NUMBER))),  # merged
    field(0x2A, field(0x0A, field(0x0A, b"k") + field(0x12, NUMBER) + field(0x12, b"\x20\x01"))),
    field(0x2A, field(0x0A, field(0x0A, b"k") + b"\x18\x01")),  # an unknown field in an entry
    field(0x2A, field(0x0A, field(0x0A, b"k")) + field(0x0A, field(0x0A, b"k") + field(0x12, NUMBER))),
    field(0x2A, field(0x0A, field(0x0A, b"\xc3"))), field(0x2A, b"\x12\x00"),
    field(0x32, field(0x0A, NUMBER) + field(0x0A, b"") + field(0x0A, field(0x1A, b"x"))),
    field(0x32, field(0x0A, NUMBER) + b"\x10\x01"), field(0x32, field(0x0A, NUMBER + NUMBER)),
    field(0x32, b"\x0a\x05\x11"), field(0x2A, b"\x0a\x7f"),
]  # fmt: skip


@pytest.mark.parametrize("body", BODIES)
def test_any_value_body_reads_the_same_on_both_engines(body: bytes) -> None:
    for data in (
        field(0x0A, body),
        field(0x1A, field(0x0A, body)),
        field(0x12, field(0x0A, field(0x0A, b"k") + field(0x12, body))),
    ):
        assert_engines_agree(ddl.decode, data, Doc)  # anything = 1, rows = 3, meta = 2 (a Struct)


def test_the_c_reader_reads_a_struct_of_every_kind_itself() -> None:
    meta = {"n": 2.5, "s": "x", "t": True, "f": False, "z": None, "l": [1.0, [], {}], "d": {"e": -0.0}}
    data = ddl.encode(Doc(meta=meta))
    with no_collection():
        assert python_calls_of(ddl.decode, data, Doc) == 0
    read = ddl.decode(data, Doc).meta
    assert read == meta
    assert math.copysign(1.0, read["d"]["e"]) == -1.0
