"""Groups in the compiled decoder.

The compiled decoder reads a group (proto2's ``group``, editions' DELIMITED, ``ddl.field(
delimited=True)``) itself, in one pass that stops at its end-group tag, as the reference engine's
group decoder does, and passes a group the class does not know (a newer schema's, an older
peer's) keeping its bytes among the unknown fields. Before, either one handed the whole message
to the reference engine. Whatever the bytes, both engines give the same value, unknown fields
and bytes back, or the same error.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ddl
from ddl import _compiled
from ddl.testing import instances
from tests.test_closed_enum_compiled import read_alike, read_in_c
from tests.test_groups import Chain, Doc, Header, Line, Meta, upb_reads
from tests.wire import EGROUP, SGROUP, group, tag, varint_field
from tests.wire import length_delimited as ld

pytestmark = pytest.mark.skipif(_compiled.speedups is None, reason="the compiled engine is not built")


class OldDoc(ddl.Message):
    """Doc as a peer that predates its groups knows it."""

    id: ddl.int32 | None = ddl.field(number=1, default=None)
    child: OldDoc | None = ddl.field(number=13, default=None)


DOC = Doc(
    id=7,
    header=Header(title="t", meta=Meta(rank=-3, tags=["a", "b"])),
    line=[Line(text="x", width=2), Line()],
    child=Doc(header=Header(meta=Meta())),
)


def test_a_message_of_groups_is_read_in_c_as_upb_reads_it() -> None:
    data = ddl.encode(DOC)
    kind, (value, unknown, encoded) = read_alike(data, Doc)
    assert kind == "value" and value == DOC and unknown is None and encoded == data
    assert read_in_c(data, Doc)
    assert upb_reads(data, Doc).SerializeToString() == data


def test_groups_a_class_does_not_know_are_passed_in_c_and_kept() -> None:
    data = ddl.encode(DOC)
    kind, (value, unknown, encoded) = read_alike(data, OldDoc)
    assert kind == "value" and value.id == 7 and value.child is not None
    assert unknown is not None and unknown.startswith(tag(2, SGROUP))
    assert read_in_c(data, OldDoc)
    assert read_alike(encoded, Doc)[1][0] == DOC  # the groups go back on the wire, and read again


def test_a_chain_of_groups_is_read_in_c_up_to_the_depth_limit_and_alike_past_it() -> None:
    for depth in (1, 50, 98, 99, 100, 101, 1000):
        msg = Chain(value=1)
        for _ in range(depth):
            msg = Chain(next=msg)
        data = ddl.encode(msg, max_depth=depth + 1)
        kind, _ = read_alike(data, Chain)
        assert (kind == "value") == (depth <= 100)  # max_depth (100) messages below the top one
        if depth <= 50:
            assert read_in_c(data, Chain)


@pytest.mark.parametrize(
    "data",
    [
        tag(2, SGROUP),  # never closed
        tag(2, SGROUP) + tag(3, EGROUP),  # closed by another group's tag
        tag(2, EGROUP),  # an end without a start
        tag(40, SGROUP) + tag(41, SGROUP) + tag(41, EGROUP),  # an unknown group never closed
        tag(40, SGROUP) + tag(41, EGROUP),  # an unknown group closed by another's tag
        tag(40, SGROUP) + varint_field(0, 1) + tag(40, EGROUP),  # field 0 inside an unknown group
        group(40, group(40, group(40, b""))),  # unknown groups nested
        tag(40, SGROUP) * 70 + tag(40, EGROUP) * 70,  # deeper than the C loop's stack
        tag(40, SGROUP) * 150 + tag(40, EGROUP) * 150,  # deeper than max_depth
        group(2, group(4, varint_field(5, 1)) + ld(4, varint_field(5, 2))),  # a group given length-prefixed
        group(2, b"") + group(2, ld(3, b"x")),  # a singular group twice: merged by the reference engine
        group(7, b"") + ld(7, b""),  # a repeated group's element length-prefixed
        group(10, b"") + ld(12, b"n"),  # a oneof's group, then the other member
    ],
)
def test_damaged_and_odd_groups_read_alike_on_both_engines(data: bytes) -> None:
    read_alike(data, Doc)
    read_alike(data, OldDoc)


@given(doc=instances(Doc, max_depth=3), extra=st.binary(max_size=6), cut=st.integers(0, 4), at=st.integers(0, 200))
def test_random_documents_cut_or_spliced_read_alike_on_both_engines(doc: Doc, extra: bytes, cut: int, at: int) -> None:
    data = ddl.encode(doc)
    at = min(at, len(data))
    for damaged in (data, data[: len(data) - cut], data[:at] + extra + data[at:]):
        outcome: Any = read_alike(damaged, Doc)
        if damaged == data:
            assert outcome[0] == "value" and outcome[1][0] == doc
        read_alike(damaged, OldDoc)
