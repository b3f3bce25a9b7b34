"""Numbers in ``ddl.to_json`` on the compiled engine: doubles and float32s written as ``repr``
writes them, integers of every digit count, and lists of numbers holding anything, each the
Python path's text, or left to it.
"""

from __future__ import annotations

import json
import math
import random
import struct
from array import array

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ddl
from tests.conftest import examples
from tests.json_paths import (
    OPTIONS,
    Count,
    assert_same_on_both_paths,
    compiled,
    python_path,
    written_in_c,
)

FLT_MAX = struct.unpack("<f", b"\xff\xff\x7f\x7f")[0]


class Floats(ddl.Message):
    d: float = 0.0
    f: ddl.float32 = 0.0
    ds: list[float] = []
    fs: list[ddl.float32] = []


@settings(max_examples=examples(300))
@given(st.floats(allow_nan=True), st.floats(width=32), st.lists(st.floats()), st.lists(st.floats(-1e6, 1e6)), OPTIONS)
def test_doubles_and_floats_are_written_as_the_python_path_writes_them(
    d: float, f: float, ds: list[float], fs: list[float], options: dict[str, bool]
) -> None:
    assert_same_on_both_paths(Floats(d, f, ds, fs), **options)


@compiled
@pytest.mark.parametrize(
    "value",
    [
        0.1, 0.3, 492.42, 1e-4, 9.999e-5, 1e15, 2.0**50, 2.0**50 - 1, 123456789012345.6, 5e-324, 1.7976931348623157e308,
        -0.0, 0.0, 1 / 3, 2 / 3, 100.0, 0.5, 32768.5, 999999.94, 3.4028235e38, 1.1754943508222875e-38, 7,
    ],
)  # fmt: skip
def test_the_compiled_writer_prints_these_floats_as_repr_does(value: float) -> None:
    single = struct.unpack("<f", struct.pack("<f", min(value, FLT_MAX)))[0]
    msg = Floats(value, single, [value, -value], [single, -single])
    text = written_in_c(msg, always_print_fields_with_no_presence=True)
    with python_path():
        assert text == ddl.to_json(msg, always_print_fields_with_no_presence=True)
    assert json.loads(text)["ds"] == [float(value), -float(value)]


@compiled
def test_every_kind_of_float32_is_written_in_c_as_the_python_path_writes_it() -> None:
    # 20,000 floats from random bit patterns (every exponent, both signs) and from the range
    # written without a search for repr's digits (1e-4 to 1e6), beside that range's edges.
    rng = random.Random(15)
    patterns = [rng.getrandbits(32) for _ in range(10_000)]
    singles = [
        v for v in struct.unpack(f"<{len(patterns)}f", struct.pack(f"<{len(patterns)}I", *patterns)) if math.isfinite(v)
    ]
    in_range = [rng.uniform(-1e6, 1e6) * 10.0 ** -rng.randrange(0, 11) for _ in range(10_000)]
    edges = [1e-4, -1e-4, 0.00010000001, 9.9999997e-05, 999999.94, 999999.9, 1e6, 0.5, 100.0, 0.1]
    values = [*singles, *in_range, *edges]
    msg = Floats(fs=list(struct.unpack(f"<{len(values)}f", struct.pack(f"<{len(values)}f", *values))))
    text = written_in_c(msg)
    with python_path():
        assert text == ddl.to_json(msg)


class Big(float):
    """A float subclass: the Python path converts it, so the compiled writer leaves it."""


# Items a list of doubles may hold besides floats: ints (written as float() makes them), and
# what the compiled writer leaves to the Python path (a bool, a subclass, an int beyond doubles).
ODD_DOUBLES = [7, -0.0, math.nan, math.inf, -math.inf, 2**53 + 1, True, Big(1.5), 10**400, 5e-324]


@settings(max_examples=examples(200))
@given(st.lists(st.one_of(st.floats(), st.sampled_from(ODD_DOUBLES)), max_size=30))
def test_a_list_of_doubles_with_any_items_is_written_as_the_python_path_writes_it(ds: list[float]) -> None:
    assert_same_on_both_paths(Floats(ds=ds))


@compiled
def test_a_list_of_floats_and_ints_is_written_in_c() -> None:
    msg = Floats(ds=[1.5, 2, -0.0, math.inf, 3, 0.1])
    assert written_in_c(msg) == '{"ds": [1.5, 2.0, -0.0, "Infinity", 3.0, 0.1]}'
    assert written_in_c(Floats(ds=[1.5, True])) is None


class Counts(ddl.Message):
    signed: list[int] = []
    unsigned: list[ddl.uint64] = []
    small: list[ddl.int32] = []
    packed: ddl.Vector[ddl.int64] = ddl.field(default_factory=lambda: array("q"))


# Each digit count from 1 to 20, at its edges: the writer makes the digits four or eight at a
# time and takes another way below 10**4, 10**8 and 10**16.
EDGES = sorted({v for k in range(20) for v in (10**k - 1, 10**k, 10**k + 1, 2 * 10**k, 10**k * 9 + 8)})


@compiled
def test_integers_of_every_digit_count_are_written_in_c_as_str_writes_them() -> None:
    signed = [v for v in EDGES if v < 2**63] + [-v for v in EDGES if v <= 2**63] + [2**63 - 1, -(2**63)]
    small = [v for v in signed if -(2**31) <= v < 2**31]
    msg = Counts(signed, [v for v in EDGES if v < 2**64] + [2**64 - 1], small, array("q", signed))
    text = written_in_c(msg)
    assert text is not None
    assert json.loads(text) == {
        "signed": [str(v) for v in msg.signed],
        "unsigned": [str(v) for v in msg.unsigned],
        "small": small,
        "packed": [str(v) for v in signed],
    }
    assert_same_on_both_paths(msg)


class IntLists(ddl.Message):
    i32: list[ddl.int32] = []
    u32: list[ddl.uint32] = []
    i64: list[int] = []
    u64: list[ddl.uint64] = []
    s64: list[ddl.sint64] = []
    f32: list[ddl.fixed32] = []


# Items a list of integers may hold: the edges of each kind's range and just past them, and
# what the compiled writer leaves to the Python path (a bool, an int subclass, a float).
ODD_INTS = [
    -(2**31) - 1, -(2**31), 2**31 - 1, 2**31, 2**32 - 1, 2**32, -(2**63) - 1, -(2**63), 2**63 - 1, 2**63,
    2**64 - 1, 2**64, True, Count(3), 1.0,
]  # fmt: skip


@settings(max_examples=examples(300))
@given(
    st.sampled_from(["i32", "u32", "i64", "u64", "s64", "f32"]),
    st.lists(st.one_of(st.integers(-(2**64), 2**64), st.sampled_from(ODD_INTS)), max_size=30),
)
def test_a_list_of_integers_with_any_items_is_written_as_the_python_path_writes_it(
    field: str, values: list[int]
) -> None:
    assert_same_on_both_paths(IntLists(**{field: values}))


@compiled
def test_a_list_of_integers_is_written_in_c_past_the_items_its_runs_leave() -> None:
    # Runs of ints within int64 and the field's range are written at once; a uint64 beyond
    # int64 is written one item at a time, and the run goes on after it.
    msg = IntLists(i32=[0, -7, 2**31 - 1], i64=[-5, 2**63 - 1], u64=[1, 2**64 - 1, 7])
    assert written_in_c(msg) == (
        '{"i32": [0, -7, 2147483647], "i64": ["-5", "9223372036854775807"], "u64": ["1", "18446744073709551615", "7"]}'
    )
    assert written_in_c(IntLists(i32=[1, True])) is None
    assert written_in_c(IntLists(u32=[1, 2**32])) is None
    assert written_in_c(IntLists(u64=[3, -1])) is None
