"""A Timestamp, Duration or Date that its Python type cannot hold is kept, not refused.

protobuf's parsers read any seconds and nanos in a Timestamp (year 10000, year 0, nanos of
-1), and any parts in a google.type.Date. A ``datetime`` stops at years 1 and 9999, so a
message's decoder keeps such a value among the unknown fields, as protobuf keeps a closed
enum's unknown number: the field reads as unset, the bytes go back on the wire, and JSON, which
has no form for them, refuses the message. protobuf's runtime is the oracle for what the bytes
mean after the trip.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from types import ModuleType
from typing import Any

import pytest
from google.protobuf import duration_pb2, timestamp_pb2
from google.type import date_pb2
from hypothesis import given
from hypothesis import strategies as st

import ddl
from tests.conftest import FIXTURE_SAFE, Engine
from tests.protoc import compile_proto
from tests.wire import length_delimited, varint_field

TS_MIN, TS_MAX = -62_135_596_800, 253_402_300_799
INT64 = st.integers(-(2**63), 2**63 - 1)
INT32 = st.integers(-(2**31), 2**31 - 1)


class Event(ddl.Message):
    at: datetime | None = None
    times: list[datetime] = []
    by_name: dict[str, datetime] = {}
    either: datetime | int | None = ddl.field(number=4, default=None)  # members 4 and 5
    first: datetime | None = ddl.field(number=6, oneof="pick", default=None)
    count: int | None = ddl.field(number=7, oneof="pick", default=None)
    took: timedelta | None = ddl.field(number=8, default=None)
    day: date | None = ddl.field(number=9, default=None)
    note: str = ddl.field(number=10, default="")


class Outer(ddl.Message):
    event: Event | None = None


class Nested(ddl.Message):
    rows: list[list[datetime]] = []  # a wrapper of ddl's own, which has no unknown fields


EVENT_PROTO = """
    syntax = "proto3";
    package ddltest.kept;
    import "google/protobuf/timestamp.proto";
    import "google/protobuf/duration.proto";
    message Date { int32 year = 1; int32 month = 2; int32 day = 3; }  // google.type.Date's fields
    message Event {
      google.protobuf.Timestamp at = 1;
      repeated google.protobuf.Timestamp times = 2;
      map<string, google.protobuf.Timestamp> by_name = 3;
      oneof either { google.protobuf.Timestamp either_datetime = 4; int64 either_int = 5; }
      oneof pick { google.protobuf.Timestamp first = 6; int64 count = 7; }
      google.protobuf.Duration took = 8;
      Date day = 9;
      string note = 10;
    }
    message Outer { Event event = 1; }
"""


def pb() -> ModuleType:
    return compile_proto("kept_event", EVENT_PROTO)


def ts(seconds: int, nanos: int = 0) -> bytes:
    return timestamp_pb2.Timestamp(seconds=seconds, nanos=nanos).SerializeToString()


YEAR_10000 = ts(TS_MAX + 1)
YEAR_0 = ts(TS_MIN - 1)
IN_RANGE = ts(1_700_000_000, 5_000)
NOTE = length_delimited(10, b"after")
KEPT_IN_JSON = r"^a google\.protobuf\.Timestamp that its Python type cannot hold \(kept among the unknown fields\)"


def entry(key: bytes, value: bytes) -> bytes:
    return length_delimited(3, length_delimited(1, key) + length_delimited(2, value))


def same_meaning(engine: Engine, data: bytes) -> Any:
    """Decode ``data`` and check that the bytes ddl writes back mean to protobuf what ``data``
    meant; return the decoded value."""
    value = engine.decode(data, Event)
    back = engine.encode(value)
    assert pb().Event.FromString(back) == pb().Event.FromString(data)
    return value


@pytest.mark.parametrize(
    ("data", "unset"),
    [
        (length_delimited(1, YEAR_10000) + NOTE, "at"),
        (length_delimited(1, YEAR_0) + NOTE, "at"),
        (length_delimited(1, ts(0, -1)) + NOTE, "at"),  # nanos below 0
        (length_delimited(1, ts(0, 1_000_000_000)) + NOTE, "at"),
        (length_delimited(4, YEAR_10000) + NOTE, "either"),
        (length_delimited(6, YEAR_0) + NOTE, "first"),
        (length_delimited(8, duration_pb2.Duration(seconds=1, nanos=-1).SerializeToString()) + NOTE, "took"),
        (length_delimited(8, duration_pb2.Duration(seconds=10**14).SerializeToString()) + NOTE, "took"),
        (length_delimited(9, date_pb2.Date(year=2024, month=13, day=1).SerializeToString()) + NOTE, "day"),
        (length_delimited(9, date_pb2.Date(year=0, month=5, day=1).SerializeToString()) + NOTE, "day"),
    ],
    ids=[
        "year-10000", "year-0", "nanos-negative", "nanos-too-large", "oneof-member", "oneof-group-member",
        "duration-signs-differ", "duration-beyond-timedelta", "date-month-13", "date-without-year",
    ],
)  # fmt: skip
def test_a_value_its_python_type_cannot_hold_leaves_the_field_unset_and_goes_back_on_the_wire(
    engine: Engine, data: bytes, unset: str
) -> None:
    value = same_meaning(engine, data)
    assert getattr(value, unset) is None
    assert value.note == "after"
    assert value._ddl_unknown is not None
    assert engine.encode(value) == NOTE + data[: -len(NOTE)]  # kept after the known fields


def test_list_elements_and_map_entries_are_kept_one_by_one(engine: Engine) -> None:
    data = (
        length_delimited(2, IN_RANGE) + length_delimited(2, YEAR_10000) + length_delimited(2, IN_RANGE)
        + entry(b"good", IN_RANGE) + entry(b"bad", YEAR_0)
    )  # fmt: skip
    value = engine.decode(data, Event)
    sent = pb().Event.FromString(data)
    assert value.times == [sent.times[0].ToDatetime(tzinfo=value.times[0].tzinfo)] * 2
    assert list(value.by_name) == ["good"]
    # The kept element goes back after the known fields, so it moves to the end of the list, as
    # protobuf moves a closed enum's unknown number; the map is the same map.
    back = pb().Event.FromString(engine.encode(value))
    assert list(back.times) == [sent.times[0], sent.times[2], sent.times[1]]
    assert back.by_name == sent.by_name


def test_occurrences_merge_before_the_value_is_checked(engine: Engine) -> None:
    # protobuf merges a later occurrence into the first: in range then out of range is out of
    # range (kept as the merged body), and out of range then in range is an ordinary value.
    merged_out = same_meaning(engine, length_delimited(1, IN_RANGE) + length_delimited(1, YEAR_10000))
    assert merged_out.at is None
    merged_in = same_meaning(engine, length_delimited(1, YEAR_10000) + length_delimited(1, IN_RANGE))
    sent = pb().Event.FromString(length_delimited(1, IN_RANGE))
    assert merged_in.at == sent.at.ToDatetime(tzinfo=merged_in.at.tzinfo)


def test_a_later_member_of_the_oneof_replaces_a_kept_one(engine: Engine) -> None:
    value = same_meaning(engine, length_delimited(6, YEAR_10000) + varint_field(7, 3))
    assert (value.first, value.count) == (None, 3)


def dur(seconds: int, nanos: int = 0) -> bytes:
    return duration_pb2.Duration(seconds=seconds, nanos=nanos).SerializeToString()


def day(year: int = 0, month: int = 0, day: int = 0) -> bytes:
    return date_pb2.Date(year=year, month=month, day=day).SerializeToString()


# Pairs of bodies of Event: the first holds a value its Python type cannot hold, which the second
# completes (a field of the value given again), replaces (another member of its oneof), or leaves.
OCCURRENCES = {
    "timestamp-completed": (length_delimited(1, ts(0, 1_000_000_000)), length_delimited(1, ts(0, 5))),
    "timestamp-left": (length_delimited(1, YEAR_10000), NOTE),
    "union-member-completed": (length_delimited(4, YEAR_0), length_delimited(4, ts(TS_MIN))),
    "union-member-replaced": (length_delimited(4, YEAR_0), varint_field(5, 7)),
    "oneof-member-completed": (length_delimited(6, ts(5, -1)), length_delimited(6, ts(5, 1))),
    "oneof-member-replaced": (length_delimited(6, YEAR_10000), varint_field(7, 3)),
    "duration-completed": (length_delimited(8, dur(1, -1)), length_delimited(8, dur(0, 1))),
    "date-completed": (length_delimited(9, day(2024, 13, 1)), length_delimited(9, day(month=2))),
    "date-left": (length_delimited(9, day(0, 5, 1)), varint_field(7, 3)),
}


@pytest.mark.parametrize("pair", OCCURRENCES.values(), ids=OCCURRENCES.keys())
def test_a_kept_value_takes_part_in_the_merge_of_a_later_occurrence_of_its_message(
    engine: Engine, pair: tuple[bytes, bytes]
) -> None:
    # protobuf merges the second occurrence of Outer.event into the first, the value included,
    # whatever it held: a kept value is not a settled one, so what ddl writes back must read as
    # what protobuf read, and the value it decodes to must be protobuf's.
    data = length_delimited(1, pair[0]) + length_delimited(1, pair[1])
    value = engine.decode(data, Outer)
    sent = pb().Outer.FromString(data)
    assert pb().Outer.FromString(engine.encode(value)) == sent
    assert value == engine.decode(length_delimited(1, sent.event.SerializeToString()), Outer)


@given(seconds=INT64, nanos=INT32)
@FIXTURE_SAFE
def test_any_timestamp_on_the_wire_survives_the_trip(engine: Engine, seconds: int, nanos: int) -> None:
    value = same_meaning(engine, length_delimited(1, ts(seconds, nanos)))
    held = TS_MIN <= seconds <= TS_MAX and 0 <= nanos <= 999_999_999
    assert (value.at is not None) == held


@pytest.mark.parametrize("field", [1, 2, 4, 6])
def test_json_refuses_a_message_holding_a_kept_timestamp_and_names_the_field(engine: Engine, field: int) -> None:
    value = engine.decode(length_delimited(field, YEAR_10000), Event)
    name = {1: "at", 2: "times", 4: "eitherTimestamp", 6: "first"}[field]
    for write in (ddl.to_json, ddl.to_dict):
        with pytest.raises(ddl.EncodeError, match=KEPT_IN_JSON) as e:
            write(value)
        assert e.value.path == f"$.{name}"


def test_json_refuses_a_kept_map_entry(engine: Engine) -> None:
    with pytest.raises(ddl.EncodeError) as e:
        ddl.to_json(engine.decode(entry(b"k", YEAR_10000), Event))
    assert e.value.path == "$.byName"


def test_a_message_with_other_unknown_fields_still_writes_its_json(engine: Engine) -> None:
    value = engine.decode(varint_field(99, 1) + length_delimited(1, IN_RANGE), Event)
    assert ddl.to_dict(value)["at"].startswith("2023-11-14T22:13:20.000005")


def test_a_wrapper_of_ddls_own_has_no_unknown_fields_so_there_it_is_an_error(engine: Engine) -> None:
    row = length_delimited(1, YEAR_10000)  # the wrapper message's field 1 holds the elements
    with pytest.raises(ddl.DecodeError, match="Timestamp seconds"):
        engine.decode(length_delimited(1, row), Nested)
