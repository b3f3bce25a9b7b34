"""Wire strictness, differentially against upb: ddl accepts exactly the bytes Google's parser
accepts where the two could disagree (over-long tags and lengths, fields inside unknown groups,
repeated occurrences of a message field), and rejects the others with a ``DecodeError`` naming
the field and the byte."""

from __future__ import annotations

import functools
import time
from datetime import UTC, date, datetime, timedelta
from types import ModuleType
from typing import Any

import pytest

import ddl
from tests.conftest import Engine, python_calls_of
from tests.protoc import compile_proto
from tests.test_hostile import within
from tests.wire import length_delimited as ld
from tests.wire import overlong_varint as overlong
from tests.wire import tag, varint


class Leaf(ddl.Message):
    sku: int = 0  # 1
    name: str = ""  # 2
    scores: list[int] = []  # 3
    child: Leaf | None = None  # 4


class Strict(ddl.Message):
    id: int = 0  # 1
    leaf: Leaf | None = None  # 2
    note: str = ""  # 3
    when: datetime | None = None  # 4
    leaves: dict[str, Leaf] = {}  # 5
    choice: Leaf | int | None = ddl.field(number=6, default=None)  # 6, 7
    counts: list[int] = ddl.field(number=8, default_factory=list)
    blob: bytes = b""  # 9
    body: Any = None  # 10
    extra: dict[str, Any] = {}  # 11
    labels: dict[str, int] = {}  # 12
    took: timedelta | None = None  # 13
    matrix: list[list[int]] = []  # 14
    groups: dict[str, list[int]] = {}  # 15
    day: date | None = None  # 16


PROTO = """
syntax = "proto3";
import "google/protobuf/timestamp.proto";
import "google/protobuf/duration.proto";
import "google/protobuf/struct.proto";
message Leaf { int64 sku = 1; string name = 2; repeated int64 scores = 3; Leaf child = 4; }
message Int64List { repeated int64 values = 1; }
message Strict {
  int64 id = 1;
  Leaf leaf = 2;
  string note = 3;
  google.protobuf.Timestamp when = 4;
  map<string, Leaf> leaves = 5;
  oneof choice { Leaf choice_leaf = 6; int64 choice_int = 7; }
  repeated int64 counts = 8;
  bytes blob = 9;
  google.protobuf.Value body = 10;
  google.protobuf.Struct extra = 11;
  map<string, int64> labels = 12;
  google.protobuf.Duration took = 13;
  repeated Int64List matrix = 14;
  map<string, Int64List> groups = 15;
  Date day = 16;
}
message Date { int32 year = 1; int32 month = 2; int32 day = 3; }  // google.type.Date's fields
message Chain { Chain next = 1; repeated int64 values = 2; }
"""
UNKNOWN = 30


@functools.cache
def pb() -> ModuleType:
    return compile_proto("ddl_wire_strict", PROTO)


def long_tag(number: int, wire_type: int, size: int) -> bytes:
    return overlong((number << 3) | wire_type, size)


def upb_accepts(data: bytes, cls: type = Strict) -> bool:
    try:
        getattr(pb(), cls.__name__).FromString(data)
    except Exception:  # noqa: BLE001 - upb's DecodeError; any failure is its verdict
        return False
    return True


def same_as_upb(engine: Engine, data: bytes, cls: type = Strict) -> ddl.DecodeError | None:
    """Decode with ddl and upb: both reject (ddl's error is returned), or both accept with the
    same value: ddl reads the bytes as it reads upb's serialization of what upb read."""
    expected = upb_accepts(data, cls)
    try:
        value = engine.decode(data, cls)
    except ddl.DecodeError as err:
        assert not expected, f"upb accepts {data.hex()}, ddl raised {err}"
        return err
    assert expected, f"upb rejects {data.hex()}, ddl accepted {value!r}"
    assert value == engine.decode(getattr(pb(), cls.__name__).FromString(data).SerializeToString(), cls)
    return None


def rejected(engine: Engine, data: bytes, path: str, lo: int, hi: int) -> None:
    err = same_as_upb(engine, data)
    assert err is not None, f"{data.hex()} was accepted"
    assert err.path == path, f"path {err.path!r} != {path!r}"
    assert isinstance(err.offset, int) and lo <= err.offset <= hi, f"offset {err.offset} outside {lo}..{hi}"


# --- tags and length prefixes take at most 5 bytes; values take up to 10 ----------------------------

ID = tag(1, 0) + varint(5)  # a field before the damage, so offsets are not all 0


@pytest.mark.parametrize("size", [6, 7, 10])
@pytest.mark.parametrize(("number", "wire_type"), [(1, 0), (3, 2), (2, 2), (UNKNOWN, 0), (UNKNOWN, 2)])
def test_a_tag_longer_than_5_bytes_is_rejected_at_the_tag(
    engine: Engine, number: int, wire_type: int, size: int
) -> None:
    value = b"\x01" if wire_type == 0 else b"\x00"
    rejected(engine, ID + long_tag(number, wire_type, size) + value, "$", len(ID), len(ID))


@pytest.mark.parametrize("size", [2, 3, 4, 5])
@pytest.mark.parametrize(("number", "wire_type"), [(1, 0), (3, 2), (2, 2), (UNKNOWN, 0), (UNKNOWN, 2)])
def test_a_tag_spelled_in_up_to_5_bytes_is_accepted(engine: Engine, number: int, wire_type: int, size: int) -> None:
    value = b"\x01" if wire_type == 0 else b"\x00"
    assert same_as_upb(engine, ID + long_tag(number, wire_type, size) + value) is None


LENGTH_FIELDS = {
    "string": (3, "$.note"),
    "bytes": (9, "$.blob"),
    "message": (2, "$.leaf"),
    "timestamp": (4, "$.when"),
    "duration": (13, "$.took"),
    "map-entry": (12, "$.labels"),
    "map-to-message": (5, "$.leaves"),
    "oneof-message": (6, "$.choice"),
    "packed": (8, "$.counts[0]"),  # the index the run would have started at
    "json-value": (10, "$.body"),
    "struct": (11, "$.extra"),
    "wrapper": (14, "$.matrix[0]"),
    "unknown": (UNKNOWN, "$"),
}


@pytest.mark.parametrize("kind", list(LENGTH_FIELDS))
def test_a_length_prefix_longer_than_5_bytes_is_rejected_even_for_0(engine: Engine, kind: str) -> None:
    number, path = LENGTH_FIELDS[kind]
    at = len(ID) + len(tag(number, 2))
    for size in (6, 10):
        rejected(engine, ID + tag(number, 2) + overlong(0, size), path, at, at)
    assert same_as_upb(engine, ID + tag(number, 2) + overlong(0, 5)) is None


# Bodies whose first tag or length takes 6 bytes, one per kind of body ddl reads, and the path of
# the error; each is also tried with the same tag or length in 5 bytes, which upb accepts.
INSIDE = {
    "message-tag": (lambda n: ld(2, long_tag(1, 0, n) + b"\x01"), "$.leaf"),
    "message-length": (lambda n: ld(2, tag(2, 2) + overlong(0, n)), "$.leaf.name"),
    "message-packed": (lambda n: ld(2, tag(3, 2) + overlong(0, n)), "$.leaf.scores"),
    "timestamp-tag": (lambda n: ld(4, long_tag(1, 0, n) + b"\x01"), "$.when"),
    "duration-tag": (lambda n: ld(13, long_tag(2, 0, n) + b"\x01"), "$.took"),
    "map-entry-tag": (lambda n: ld(12, long_tag(1, 2, n) + b"\x00"), "$.labels"),
    "map-entry-length": (lambda n: ld(12, tag(1, 2) + overlong(0, n)), "$.labels"),
    "map-value-tag": (lambda n: ld(5, ld(2, long_tag(1, 0, n) + b"\x01")), "$.leaves"),
    "value-tag": (lambda n: ld(10, long_tag(1, 0, n) + b"\x00"), "$.body"),
    "value-length": (lambda n: ld(10, tag(3, 2) + overlong(0, n)), "$.body"),
    "list-length": (lambda n: ld(10, ld(6, tag(1, 2) + overlong(0, n))), "$.body"),
    "struct-tag": (lambda n: ld(11, long_tag(1, 2, n) + b"\x00"), "$.extra"),
    "struct-entry-tag": (lambda n: ld(11, ld(1, long_tag(1, 2, n) + b"\x00")), "$.extra"),
    "wrapper-tag": (lambda n: ld(14, long_tag(1, 0, n) + b"\x01"), "$.matrix[0]"),
    "wrapper-length": (lambda n: ld(14, tag(1, 2) + overlong(0, n)), "$.matrix[0]"),
    "map-wrapper-tag": (lambda n: ld(15, ld(2, long_tag(1, 0, n) + b"\x01")), "$.groups"),
    "unknown-in-message": (lambda n: ld(2, tag(UNKNOWN, 2) + overlong(0, n)), "$.leaf"),
    "group-tag": (lambda n: tag(UNKNOWN, 3) + long_tag(1, 0, n) + b"\x01" + tag(UNKNOWN, 4), "$"),
    "group-length": (lambda n: tag(UNKNOWN, 3) + tag(1, 2) + overlong(0, n) + tag(UNKNOWN, 4), "$"),
    "group-end-tag": (lambda n: tag(UNKNOWN, 3) + long_tag(UNKNOWN, 4, n), "$"),
}


@pytest.mark.parametrize("kind", list(INSIDE))
def test_a_tag_or_length_longer_than_5_bytes_is_rejected_in_every_kind_of_body(engine: Engine, kind: str) -> None:
    body, path = INSIDE[kind]
    data = ID + body(6)
    err = same_as_upb(engine, data)
    assert err is not None and err.path.startswith(path), (err, path)
    assert isinstance(err.offset, int) and len(ID) <= err.offset < len(data)
    assert same_as_upb(engine, ID + body(5)) is None


@pytest.mark.parametrize(
    "data",
    [
        tag(1, 0) + overlong(1, 10),
        tag(1, 0) + b"\xff" * 9 + b"\x7f",  # bits past 64 are dropped, as upb drops them
        tag(7, 0) + overlong(3, 10),  # a oneof member
        ld(8, overlong(1, 10) + overlong(2, 6)),  # packed elements
        tag(UNKNOWN, 0) + overlong(0, 10),
        ld(4, tag(1, 0) + overlong(1, 10)),  # Timestamp seconds
        ld(12, ld(1, b"k") + tag(2, 0) + overlong(9, 10)),  # a map value
        tag(UNKNOWN, 3) + tag(1, 0) + overlong(0, 10) + tag(UNKNOWN, 4),
    ],
    ids=["int64", "int64-high-bits", "oneof", "packed", "unknown", "timestamp", "map-value", "in-group"],
)
def test_a_varint_value_may_take_10_bytes(engine: Engine, data: bytes) -> None:
    assert same_as_upb(engine, data) is None


@pytest.mark.parametrize(
    "data",
    [tag(1, 0) + overlong(1, 11), ld(8, overlong(1, 11)), tag(UNKNOWN, 0) + overlong(0, 11)],
    ids=["int64", "packed", "unknown"],
)
def test_a_varint_value_of_11_bytes_is_rejected(engine: Engine, data: bytes) -> None:
    assert same_as_upb(engine, data) is not None


# --- field number 0 inside an unknown group -----------------------------------------------------------


@pytest.mark.parametrize(
    "inside",
    [
        tag(0, 0) + b"\x05",
        tag(0, 1) + b"\x00" * 8,
        tag(0, 2) + b"\x00",
        tag(0, 5) + b"\x00" * 4,
        tag(0, 3) + tag(0, 0) + b"\x01" + tag(0, 4),  # a group 0, closed by its end-group 0
        tag(17, 3) + tag(0, 0) + b"\x01" + tag(17, 4),  # in a group nested in the group
    ],
    ids=["varint", "fixed64", "length", "fixed32", "group-0", "nested-group"],
)
def test_field_number_0_inside_an_unknown_group_is_accepted_as_upb_does(engine: Engine, inside: bytes) -> None:
    group = tag(UNKNOWN, 3) + inside + tag(UNKNOWN, 4)
    assert same_as_upb(engine, ID + group) is None
    assert engine.decode(ID + group, Strict)._ddl_unknown == group
    assert same_as_upb(engine, ld(2, group)) is None  # inside a nested message too


@pytest.mark.parametrize(
    ("data", "path"),
    [
        (ID + tag(0, 0) + b"\x05", "$"),
        (ID + overlong(0, 2) + b"\x05", "$"),  # 80 00: field 0 however it is spelled
        (ID + tag(UNKNOWN, 3) + tag(0, 4), "$"),  # an end-group 0 closes no group
        (ID + tag(UNKNOWN, 3) + tag(0, 6) + tag(UNKNOWN, 4), "$"),
        (ID + ld(2, tag(0, 0) + b"\x05"), "$.leaf"),
        (ID + ld(12, tag(0, 0) + b"\x05"), "$.labels"),  # a map entry is a message too
        (ID + ld(4, tag(0, 0) + b"\x05"), "$.when"),
    ],
    ids=["message", "message-80-00", "end-group-0", "wire-type-6", "nested", "map-entry", "timestamp"],
)
def test_field_number_0_outside_a_group_is_rejected_as_upb_does(engine: Engine, data: bytes, path: str) -> None:
    rejected(engine, data, path, len(ID), len(data))


# --- a message field that occurs more than once: each occurrence parses alone, then merges ----------


def occurrences(number: int, first: bytes) -> Any:
    """A builder of the data where field ``number`` occurs with ``first`` and then each body."""
    return lambda bodies: ld(number, first) + b"".join(ld(number, body) for body in bodies)


def in_one_entry(number: int, first: bytes) -> Any:
    """The same for a map value: ``first`` and the bodies all in one entry, as value fields."""
    return lambda bodies: ld(number, ld(1, b"k") + ld(2, first) + b"".join(ld(2, body) for body in bodies))


# Bodies that are valid whole, the place they go, where to cut them so that neither half is
# valid alone, and the path of the error.
SPLIT = {
    "message": (occurrences(2, ld(2, b"a")), ld(2, b"abc"), 2, "$.leaf"),
    "message-packed": (occurrences(2, b""), ld(3, varint(300) + varint(1)), 3, "$.leaf"),
    "timestamp": (occurrences(4, tag(2, 0) + varint(1)), tag(1, 0) + varint(1 << 20), 2, "$.when"),
    "duration": (occurrences(13, tag(1, 0) + varint(1)), tag(2, 0) + varint(5000), 1, "$.took"),
    "oneof-message": (occurrences(6, ld(2, b"a")), ld(2, b"xyz"), 3, "$.choice"),
    "map-value": (in_one_entry(5, tag(1, 0) + varint(2)), ld(2, b"ab"), 1, "$.leaves"),
    "map-wrapper-value": (in_one_entry(15, ld(1, varint(1))), ld(1, varint(70000)), 3, "$.groups"),
    "json-value": (occurrences(10, ld(3, b"a")), ld(3, b"text"), 1, "$.body"),
    "struct": (occurrences(11, b""), ld(1, ld(1, b"key")), 2, "$.extra"),
    # The halves are occurrences of a field of a message that is itself merged.
    "nested": (
        lambda bodies: ld(2, b"") + ld(2, occurrences(4, ld(2, b"a"))(bodies)),
        ld(2, b"deep"),
        2,
        "$.leaf.child",
    ),
}


@pytest.mark.parametrize("kind", list(SPLIT))
def test_two_truncated_occurrences_that_concatenate_into_a_valid_body_are_rejected(engine: Engine, kind: str) -> None:
    build, body, cut, path = SPLIT[kind]
    head, tail = body[:cut], body[cut:]
    assert same_as_upb(engine, ID + build([body, body])) is None  # whole, the occurrences merge
    data = ID + build([head, tail])
    err = same_as_upb(engine, data)
    assert err is not None
    assert err.path.startswith(path), (err.path, path)
    assert isinstance(err.offset, int) and len(ID) + len(build([])) <= err.offset <= len(data)


MERGES = {
    # A later occurrence's scalars replace the earlier ones, even with a zero written out;
    # its repeated fields append and its messages merge, as in upb.
    "scalars": ld(2, tag(1, 0) + varint(5) + ld(2, b"a")) + ld(2, tag(1, 0) + varint(0)) + ld(2, ld(2, b"b")),
    "repeated": ld(2, ld(3, varint(1))) + ld(2, tag(3, 0) + varint(2)) + ld(2, ld(3, varint(3) + varint(4))),
    "many": b"".join(ld(2, tag(3, 0) + varint(i)) for i in range(50)),
    "unknown-fields": (
        ld(2, tag(UNKNOWN, 0) + varint(1)) + ld(2, tag(1, 0) + varint(2)) + ld(2, tag(UNKNOWN, 2) + varint(0))
    ),
    "timestamp": ld(4, tag(1, 0) + varint(5)) + ld(4, tag(2, 0) + varint(7000)) + ld(4, tag(1, 0) + varint(9)),
    "timestamp-zeroed": ld(4, tag(1, 0) + varint(5) + tag(2, 0) + varint(3)) + ld(4, tag(2, 0) + varint(0)),
    "duration": ld(13, tag(1, 0) + varint(5)) + ld(13, tag(2, 0) + varint(7)),
    "date": (
        ld(16, tag(1, 0) + varint(2024) + tag(2, 0) + varint(2) + tag(3, 0) + varint(3)) + ld(16, tag(3, 0) + varint(9))
    ),
    # A first occurrence that is no valid value alone, completed by the next: the merged value counts.
    "date-completed": ld(16, tag(1, 0) + varint(2024)) + ld(16, tag(2, 0) + varint(1) + tag(3, 0) + varint(2)),
    "timestamp-completed": ld(4, tag(2, 0) + varint(2_000_000_000)) + ld(4, tag(2, 0) + varint(5)),
    "duration-completed": ld(13, tag(1, 0) + varint(5) + tag(2, 0) + varint(-3)) + ld(13, tag(1, 0) + varint(-5)),
    "oneof-same-member": ld(6, tag(1, 0) + varint(3)) + ld(6, ld(2, b"n")) + ld(6, ld(3, varint(1))),
    "oneof-switch": ld(6, tag(1, 0) + varint(3)) + tag(7, 0) + varint(1) + ld(6, ld(2, b"m")) + ld(6, ld(3, varint(2))),
    "oneof-switch-back": tag(7, 0) + varint(1) + ld(6, ld(2, b"m")) + tag(7, 0) + varint(2),
    "map-value": ld(5, ld(1, b"k") + ld(2, tag(1, 0) + varint(3)) + ld(2, ld(2, b"n")) + ld(2, ld(3, varint(4)))),
    "map-entries-replace": ld(5, ld(1, b"k") + ld(2, tag(1, 0) + varint(3))) + ld(5, ld(1, b"k") + ld(2, ld(2, b"n"))),
    "map-wrapper-value": ld(15, ld(1, b"g") + ld(2, ld(1, varint(1))) + ld(2, ld(1, varint(2) + varint(3)))),
    "json-value-struct": (
        ld(10, ld(5, ld(1, ld(1, b"a") + ld(2, tag(4, 0) + varint(1))))) + ld(10, ld(5, ld(1, ld(1, b"b"))))
    ),
    "json-value-list": ld(10, ld(6, ld(1, tag(4, 0) + varint(1)))) + ld(10, ld(6, ld(1, ld(3, b"s")))),
    "json-value-replaced": ld(10, ld(6, ld(1, tag(4, 0) + varint(1)))) + ld(10, ld(3, b"s")),
    "struct": (
        ld(11, ld(1, ld(1, b"a") + ld(2, tag(4, 0) + varint(1)))) + ld(11, ld(1, ld(1, b"a") + ld(2, ld(3, b"x"))))
    ),
    "nested": ld(2, ld(2, b"a") + tag(3, 0) + varint(1)) + ld(2, tag(3, 0) + varint(2)) + ld(2, tag(1, 0) + varint(7)),
    "nested-child": (
        ld(2, ld(4, ld(2, b"a"))) + ld(2, ld(4, tag(1, 0) + varint(3))) + ld(2, ld(4, ld(4, ld(3, varint(1)))))
    ),
    "nested-in-map-value": ld(5, ld(1, b"k") + ld(2, ld(3, varint(1))) + ld(2, tag(1, 0) + varint(2))) + ld(2, b""),
}


@pytest.mark.parametrize("kind", list(MERGES))
def test_occurrences_of_a_message_field_merge_to_the_value_upb_gives(engine: Engine, kind: str) -> None:
    assert same_as_upb(engine, ID + MERGES[kind]) is None
    assert same_as_upb(engine, ID + ld(2, b"") + MERGES[kind]) is None


def test_a_merged_timestamp_is_checked_as_a_whole(engine: Engine) -> None:
    # Seconds from one occurrence and nanos from the next make one Timestamp (upb does not check
    # Timestamps). One a datetime cannot hold is kept, merged, among the unknown fields, where
    # upb reads it back as the same Timestamp (tests/test_wkt_kept.py).
    first = ld(4, tag(1, 0) + varint(5))
    data = first + ld(4, tag(2, 0) + varint(2_000_000_000))
    value = engine.decode(data, Strict)
    assert value.when is None
    assert engine.encode(value) == ld(4, tag(1, 0) + varint(5) + tag(2, 0) + varint(2_000_000_000))
    assert engine.decode(first + ld(4, tag(2, 0) + varint(7000)), Strict).when == datetime(1970, 1, 1, 0, 0, 5, 7, UTC)
    # A Date that no later occurrence completes is kept as it came, even when other fields follow.
    partial = ld(16, tag(1, 0) + varint(2024))
    for data in (ID + partial, ID + partial + tag(1, 0) + varint(6)):
        value = engine.decode(data, Strict)
        assert value.day is None
        assert value._ddl_unknown == partial


# --- merging stays linear -------------------------------------------------------------------------


class Chain(ddl.Message):
    next: Chain | None = None  # 1
    values: list[int] = []  # 2


def repeated_at_every_level(depth: int, deep_first: bool) -> bytes:
    """Chain.next occurring twice at every level down to ``depth``: once holding the rest of the
    chain, and once holding a small body whose own ``next`` merges into the rest's."""
    body = b""
    for i in range(depth):
        small = ld(1, tag(2, 0) + varint(i)) + tag(2, 0) + varint(i)
        body = ld(1, body) + ld(1, small) if deep_first else ld(1, small) + ld(1, body)
    return body


def python_calls(engine: Engine, data: bytes, cls: type) -> int:
    """How many Python functions decoding ``data`` calls: a count of work that does not jitter."""
    return python_calls_of(engine.decode, data, cls)


@pytest.mark.parametrize("deep_first", [True, False], ids=["deep-first", "deep-last"])
def test_a_field_repeated_at_every_level_of_a_deep_nesting_merges_in_linear_work(
    engine: Engine, deep_first: bool
) -> None:
    # Decoding each occurrence and then the concatenation of all would double the work at each
    # level: 2**80 here. Ten times the depth must cost about ten times the work.
    engine.decode(repeated_at_every_level(2, deep_first), Chain)  # compile outside the count
    with within(10):
        small = python_calls(engine, repeated_at_every_level(8, deep_first), Chain)
        large = python_calls(engine, repeated_at_every_level(80, deep_first), Chain)
    assert large < 30 * small, f"depth 80 made {large} calls, depth 8 {small}"
    assert same_as_upb(engine, repeated_at_every_level(80, deep_first), Chain) is None


def timed(engine: Engine, data: bytes, cls: type) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        engine.decode(data, cls)
        best = min(best, time.perf_counter() - start)
    return best


def test_100000_occurrences_each_merging_a_nested_field_take_linear_time(engine: Engine) -> None:
    piece = ld(1, ld(1, tag(2, 0) + varint(1)) + tag(2, 0) + varint(2))
    engine.decode(piece * 2, Chain)
    with within(20):
        small = timed(engine, piece * 10_000, Chain)
        large = timed(engine, piece * 100_000, Chain)
    assert large < 30 * small + 0.05, f"100 000 occurrences took {large:.3f} s, 10 000 {small:.3f} s"
    chain = engine.decode(piece * 100_000, Chain)
    assert chain.next is not None and chain.next.values == [2] * 100_000
    assert chain.next.next is not None and chain.next.next.values == [1] * 100_000
