"""The compiled encoder writes the commonest scalars (str, bytes, float, bool, ints of every
integer kind) inline wherever they stand: an optional field, a oneof group's member, a list
element, a map key or value, an implicit field. Each of those places gives the reference
engine's bytes for any value in its kind's range, and hands anything else back to it, so both
raise the same error."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ddl
from ddl._api import encode_with
from ddl._compiled import program_of, speedups

pytestmark = pytest.mark.skipif(speedups is None, reason="the compiled engine is not built")

# each integer kind's range, as protobuf defines it
RANGES: dict[Any, tuple[int, int]] = {
    int: (-(2**63), 2**63 - 1),
    ddl.int32: (-(2**31), 2**31 - 1),
    ddl.uint32: (0, 2**32 - 1),
    ddl.uint64: (0, 2**64 - 1),
    ddl.sint32: (-(2**31), 2**31 - 1),
    ddl.sint64: (-(2**63), 2**63 - 1),
    ddl.fixed32: (0, 2**32 - 1),
    ddl.fixed64: (0, 2**64 - 1),
    ddl.sfixed32: (-(2**31), 2**31 - 1),
    ddl.sfixed64: (-(2**63), 2**63 - 1),
}

NAMES = ["int64", "int32", "uint32", "uint64", "sint32", "sint64", "fixed32", "fixed64", "sfixed32", "sfixed64"]


def places(kind: Any) -> type[ddl.Message]:
    """A class holding ``kind`` in every place the encoder writes a scalar."""
    annotations = {
        "implicit": kind,
        "optional": kind | None,
        "member": kind | None,
        "other": str | None,
        "elements": list[kind],
        "keyed": dict[kind, str] if kind in RANGES else dict[str, str],
        "values": dict[str, kind],
    }
    namespace: dict[str, Any] = {
        "__annotations__": annotations,
        "implicit": kind(),
        "optional": None,
        "member": ddl.field(default=None, oneof="choice"),
        "other": ddl.field(default=None, oneof="choice"),
        # one element per tag, as strings always are (packed runs are written elsewhere)
        "elements": ddl.field(default_factory=list, **({} if kind in (str, bytes) else {"packed": False})),
        "keyed": ddl.field(default_factory=dict),
        "values": ddl.field(default_factory=dict),
    }
    return type("Places", (ddl.Message,), namespace)


CLASSES = {kind: places(kind) for kind in [*RANGES, str, bytes, float, ddl.float32, bool]}


def everywhere(kind: Any, value: Any) -> ddl.Message:
    keyed = {value: "k"} if kind in RANGES else {}
    return CLASSES[kind](
        implicit=value, optional=value, member=value, elements=[value, value], keyed=keyed, values={"v": value}
    )


def outcome(msg: ddl.Message, compiled: bool) -> tuple[str, Any]:
    try:
        return ("bytes", encode_with(compiled, msg))
    except ddl.EncodeError as exc:
        return ("EncodeError", (exc.path, str(exc)))


def fresh(value: int) -> int:
    """The same int as a new object (but for those from -5 to 256, which CPython shares)."""
    return int(str(value))


# Where a fast path changes its course: a varint's lengths (every 7 bits, and the 8 and 9 byte
# ends), an int's digits (30 bits each, so 2**30 and 2**60), the sign, and the int64 and uint64
# limits.
EDGES = sorted({edge + delta for bits in range(65) for edge in (2**bits, -(2**bits)) for delta in (-1, 0, 1)})


def integers_around(kind: Any) -> st.SearchStrategy[int]:
    low, high = RANGES[kind]
    edges = [low - 1, low, low + 1, -1, 0, 1, high - 1, high, high + 1, 2**63, -(2**63) - 1, 2**64]
    return st.sampled_from(edges) | st.integers(low - 2**10, high + 2**10)


@pytest.mark.parametrize("kind", list(RANGES), ids=NAMES)
@given(data=st.data())
def test_an_int_in_range_is_written_by_the_compiled_engine_itself_in_every_place(kind: Any, data: Any) -> None:
    low, high = RANGES[kind]
    value = data.draw(st.integers(low, high))
    msg = everywhere(kind, value)
    assert speedups is not None
    # called directly: a hand-back to the reference engine (Bail) would fail here
    assert speedups.encode_program(program_of(type(msg)), msg, 100) == encode_with(False, msg)


@pytest.mark.parametrize("kind", list(RANGES), ids=NAMES)
def test_an_int_at_every_edge_of_its_digits_is_written_by_the_compiled_engine_itself_in_every_place(kind: Any) -> None:
    low, high = RANGES[kind]
    assert speedups is not None
    for value in (fresh(x) for x in EDGES if low <= x <= high):
        msg = everywhere(kind, value)
        # called directly: a hand-back to the reference engine (Bail) would fail here
        assert speedups.encode_program(program_of(type(msg)), msg, 100) == encode_with(False, msg), value
        # an int subclass keeps its digits as int does: the same bytes again
        assert outcome(everywhere(kind, Subclassed(value)), True) == outcome(msg, False), value


class Subclassed(int):
    """An int subclass, whose value the compiled engine reads from the digits it shares with int."""


@pytest.mark.parametrize("kind", list(RANGES), ids=NAMES)
@given(data=st.data())
def test_an_int_in_or_out_of_range_gives_the_same_bytes_or_error_on_both_engines(kind: Any, data: Any) -> None:
    value = data.draw(integers_around(kind))
    for place in ("implicit", "optional", "member", "elements", "values"):
        msg = CLASSES[kind](**{place: [value] if place == "elements" else {"v": value} if place == "values" else value})
        assert outcome(msg, True) == outcome(msg, False)


@given(
    st.one_of(
        st.tuples(st.just(str), st.text()),
        st.tuples(st.just(bytes), st.binary()),
        st.tuples(st.just(float), st.floats()),
        st.tuples(st.just(ddl.float32), st.floats(width=32) | st.sampled_from([1e39, -1e39, 3.5e38, 1e-50])),
        st.tuples(st.just(bool), st.booleans()),
    )
)
def test_strings_bytes_floats_and_bools_give_the_same_bytes_or_error_on_both_engines(case: tuple[Any, Any]) -> None:
    kind, value = case
    msg = everywhere(kind, value)
    assert outcome(msg, True) == outcome(msg, False)


@pytest.mark.parametrize("value", [True, 2.0, "1", ddl.int32, None], ids=repr)
def test_a_value_of_another_type_in_an_int_place_is_left_to_the_reference_engine(value: Any) -> None:
    for place in ("implicit", "optional", "member", "elements", "values"):
        wrapped = [value] if place == "elements" else {"v": value} if place == "values" else value
        msg = CLASSES[ddl.uint32](**{place: wrapped})
        assert outcome(msg, True) == outcome(msg, False)


def test_two_members_of_a_oneof_group_set_are_reported_by_both_engines() -> None:
    msg = CLASSES[int](member=1, other="x")
    assert outcome(msg, True) == outcome(msg, False)
    assert outcome(msg, True)[0] == "EncodeError"
