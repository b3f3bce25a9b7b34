"""A closed enum's unknown numbers in the compiled decoder.

A number a closed enum (``ddl.ClosedEnum``, proto2's enums) has not, read from a producer with a
newer schema, joins the message's unknown fields and leaves the field as it was, as protobuf
keeps it (a packed run's members stay in the list, and each other number becomes a varint field
of its own). The compiled decoder does this itself for a field outside oneofs, where it handed
the whole message, and every message around it, to the reference engine: a batch of a thousand
messages was read in Python for one newer number in one of them. A oneof's member still goes to
the reference engine. Both engines give the same values, the same unknown fields and the same
bytes back.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ddl
from ddl import _compiled
from tests.conftest import no_collection, python_calls_of
from tests.json_paths import engine_on
from tests.test_proto2 import TITLE, Color, Sheet, pb
from tests.wire import length_delimited as ld
from tests.wire import varint, varint_field

pytestmark = pytest.mark.skipif(_compiled.speedups is None, reason="the compiled engine is not built")


class Batch(ddl.Message):
    sheets: list[Sheet] = ddl.field(number=1, default_factory=list)


def outcome(data: bytes, cls: type, compiled: bool) -> tuple[str, Any]:
    with engine_on(compiled):
        try:
            value: Any = ddl.decode(data, cls)
        except ddl.DecodeError as e:
            return "error", (str(e), e.path, e.offset)
        return "value", (value, value._ddl_unknown, ddl.encode(value))


def read_alike(data: bytes, cls: type) -> Any:
    """Both engines read ``data`` alike: the compiled engine's value."""
    python, compiled = outcome(data, cls, False), outcome(data, cls, True)
    assert python == compiled
    return compiled


def read_in_c(data: bytes, cls: type) -> bool:
    with no_collection():
        return python_calls_of(ddl.decode, data, cls) == 0


@pytest.mark.parametrize(
    ("field", "kept"),
    [
        (varint_field(1, 7), varint_field(1, 7)),
        (varint_field(1, 0), varint_field(1, 0)),
        (varint_field(1, 2**64 - 1), varint_field(1, 2**64 - 1)),
        (varint_field(2, 7), varint_field(2, 7)),
        (varint_field(9, 4), varint_field(9, 4)),
        (ld(3, varint(7) + varint(1) + varint(2**64 - 1) + varint(2)), varint_field(3, 7) + varint_field(3, 2**64 - 1)),
        (ld(3, b"\x87\x00"), varint_field(3, 7)),  # an overlong varint, re-encoded as protobuf does
    ],
    ids=["singular", "zero", "negative", "unpacked", "with a proto default", "packed", "packed overlong"],
)
def test_a_number_the_enum_has_not_joins_the_unknown_fields_in_c(field: bytes, kept: bytes) -> None:
    data = varint_field(1, 1) + field + TITLE
    kind, (value, unknown, _) = read_alike(data, Sheet)
    assert kind == "value" and unknown == kept
    assert value.color is Color.RED  # the unknown occurrence left the field as it was
    assert read_in_c(data, Sheet)
    assert ddl.encode(value) == pb().Sheet.FromString(data).SerializeToString()


def test_a_oneof_member_is_left_to_the_reference_engine_and_read_alike() -> None:
    data = varint_field(5, 7) + TITLE
    read_alike(data, Sheet)
    assert not read_in_c(data, Sheet)


def test_one_newer_number_in_a_batch_leaves_the_batch_in_c() -> None:
    sheets = [ld(1, varint_field(1, 1 + i % 2) + TITLE) for i in range(1000)]
    sheets[500] = ld(1, varint_field(1, 9) + TITLE)
    data = b"".join(sheets)
    kind, (batch, _, _) = read_alike(data, Batch)
    assert kind == "value"
    assert batch.sheets[500]._ddl_unknown == varint_field(1, 9)
    assert batch.sheets[500].color is None
    assert ddl.encode(batch.sheets[500]) == TITLE + varint_field(1, 9)  # unknown fields go last, as protobuf's
    assert read_in_c(data, Batch)


NUMBERS = st.sampled_from([0, 1, 2, 3, 5, 6, 127, 128, 2**31 - 1, 2**32 - 1, 2**63, 2**64 - 1])
FIELDS = st.one_of(
    NUMBERS.map(lambda n: varint_field(1, n)),
    NUMBERS.map(lambda n: varint_field(2, n)),
    NUMBERS.map(lambda n: varint_field(9, n)),
    st.lists(NUMBERS, max_size=4).map(lambda ns: ld(3, b"".join(varint(n) for n in ns))),
    st.just(varint_field(8, 4)),
    st.just(ld(40, b"x")),
    st.just(TITLE),
)


@given(fields=st.lists(FIELDS, max_size=8), cut=st.integers(0, 3))
def test_any_sequence_of_known_and_unknown_numbers_reads_alike_on_both_engines(fields: list[bytes], cut: int) -> None:
    data = b"".join(fields)
    read_alike(data, Sheet)
    read_alike(data[: max(0, len(data) - cut)], Sheet)


class Marks(ddl.Message):
    """Each element of a list of unions is a wrapper message of ddl's own: the enum member is its
    field 1, the string its field 2."""

    marks: list[Color | str] = ddl.field(number=1, default_factory=list)


def test_a_number_the_enum_has_not_in_an_element_of_a_list_of_unions_is_an_error_on_both_engines() -> None:
    """The element keeps no unknown fields (as an element of ``list[list[Color]]`` keeps none),
    so the number cannot be kept as protobuf keeps it; an int in its place would be refused by
    the encoder, which writes only the closed enum's members there."""
    known = ld(1, varint_field(1, 2)) + ld(1, ld(2, b"red"))
    kind, (value, _, data) = read_alike(known, Marks)
    assert kind == "value" and value.marks == [Color.GREEN, "red"] and data == known
    kind, (message, path, offset) = read_alike(ld(1, varint_field(1, 2)) + ld(1, varint_field(1, 7)), Marks)
    assert kind == "error" and "7 is not a number of the closed enum" in message
    assert path == "$.marks[1]" and offset == 6  # the member's tag, in the second element (from 4)
