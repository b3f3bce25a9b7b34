"""The compiled encoder writes a packed run of ints or doubles in loops of their own: an exact int
in its kind's range is read from its digits (one, two or three of them, whatever the Python
version keeps) and its varint written without a loop over its bytes; a float is copied as it is.
Each gives the reference engine's bytes, and every other item in the run (a bool, an int subclass,
an IntEnum, an int out of range, a value of another type) still gives the reference engine's
bytes or error."""

from __future__ import annotations

import enum
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ddl
from ddl._api import encode_with
from ddl._compiled import program_of, speedups
from tests import test_encode_inline as inline
from tests.test_engines import assert_compiled_gives

pytestmark = pytest.mark.skipif(speedups is None, reason="the compiled engine is not built")

# the integer kinds of varints (the first six of test_encode_inline's), and their ranges
RANGES: dict[Any, tuple[int, int]] = dict(list(inline.RANGES.items())[:6])
NAMES = inline.NAMES[:6]


def packed(kind: Any) -> type[ddl.Message]:
    return type("Packed", (ddl.Message,), {"__annotations__": {"values": list[kind]}, "values": []})


CLASSES = {kind: packed(kind) for kind in [*RANGES, float]}


def in_range(kind: Any) -> list[int]:
    low, high = RANGES[kind]
    return [inline.fresh(x) for x in inline.EDGES if low <= x <= high]


def outcome(msg: ddl.Message, compiled: bool) -> tuple[str, Any]:
    try:
        return ("value", ddl.encode(msg) if compiled else encode_with(False, msg))
    except ddl.EncodeError as exc:
        return ("EncodeError", (exc.path, str(exc)))


def assert_engines_agree(msg: ddl.Message) -> None:
    """Both engines give the same bytes or error, and so does the compiled engine's own loop
    where it does not hand the run to the reference engine (the entry points would hide its
    failing another way)."""
    reference = outcome(msg, False)
    assert outcome(msg, True) == reference
    assert_compiled_gives(reference, lambda: speedups.encode_program(program_of(type(msg)), msg, 100))  # type: ignore[union-attr]


@pytest.mark.parametrize("kind", list(RANGES), ids=NAMES)
def test_a_run_of_ints_at_every_edge_of_their_digits_and_varints_is_written_by_the_compiled_engine(kind: Any) -> None:
    values = in_range(kind)
    msg = CLASSES[kind](values=values)
    assert speedups is not None
    # called directly: a hand-back to the reference engine (Bail) would fail here
    compiled = speedups.encode_program(program_of(type(msg)), msg, 100)
    assert compiled == encode_with(False, msg)
    assert ddl.decode(compiled, type(msg)).values == values


@pytest.mark.parametrize("kind", list(RANGES), ids=NAMES)
def test_the_ints_cpython_shares_are_read_like_any_other(kind: Any) -> None:
    low, _ = RANGES[kind]
    shared = [x for x in range(-5, 257) if x >= low]  # statics, made at start-up
    msg = CLASSES[kind](values=shared)
    assert speedups is not None
    assert speedups.encode_program(program_of(type(msg)), msg, 100) == encode_with(False, msg)


@pytest.mark.parametrize("kind", list(RANGES), ids=NAMES)
@given(data=st.data())
def test_ints_in_or_out_of_range_give_the_same_bytes_or_error_on_both_engines(kind: Any, data: Any) -> None:
    low, high = RANGES[kind]
    edges = [low - 1, low, high, high + 1, 2**63, -(2**63) - 1, 2**64, 2**90, -(2**90)]
    item = st.sampled_from(edges) | st.sampled_from(inline.EDGES) | st.integers(low - 2**10, high + 2**10)
    assert_engines_agree(CLASSES[kind](values=data.draw(st.lists(item, max_size=40))))


class Color(enum.IntEnum):
    RED = 1
    BIG = 2**40


class Counted(int):
    """An int subclass: not an exact int, so the fast path leaves it to the general one."""


UNUSUAL: list[Any] = [True, False, Color.RED, Color.BIG, Counted(5), Counted(-(2**62)), 2**64, -(2**64), 1.0, "1", None]


@pytest.mark.parametrize("kind", list(RANGES), ids=NAMES)
@pytest.mark.parametrize("unusual", UNUSUAL, ids=repr)
def test_an_unusual_item_among_ints_gives_the_same_bytes_or_error_on_both_engines(kind: Any, unusual: Any) -> None:
    for where in range(3):  # first, among others, last: the fast loop resumes after it
        values = [inline.fresh(1), inline.fresh(300), inline.fresh(2**35)]
        values.insert(where * 2, unusual)
        assert_engines_agree(CLASSES[kind](values=values))


DOUBLES: list[Any] = [0.0, -0.0, 1.5, float("inf"), float("-inf"), float("nan"), 5e-324, 1.7976931348623157e308]


def test_a_run_of_floats_is_written_by_the_compiled_engine_as_their_bytes() -> None:
    msg = CLASSES[float](values=DOUBLES * 3)
    assert speedups is not None
    compiled = speedups.encode_program(program_of(type(msg)), msg, 100)
    assert compiled == encode_with(False, msg)


class Measured(float):
    """A float subclass: not an exact float, so the fast loop leaves it to the general one."""


@pytest.mark.parametrize("unusual", [1, -(2**53) - 1, 2**1024, True, Measured(2.5), "1.0", None, Color.RED], ids=repr)
def test_an_unusual_item_among_floats_gives_the_same_bytes_or_error_on_both_engines(unusual: Any) -> None:
    for where in range(3):  # first, among others, last: floats after it are written too
        values: list[Any] = [0.5, -2.25, 1e300]
        values.insert(where * 2, unusual)
        assert_engines_agree(CLASSES[float](values=values))
