"""Hostile input: malformed, truncated, oversized and deeply nested bytes must raise DecodeError
(with the field's path and a byte offset inside the data), and values that cannot be encoded
must raise EncodeError naming the field, never a bare TypeError or RecursionError."""

from __future__ import annotations

import random
import signal
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

import ddl
from tests.conftest import Engine
from tests.strategies import unique_name
from tests.wire import length_delimited as ld
from tests.wire import tag, varint


class Item(ddl.Message):
    sku: int = 0  # 1
    name: str = ""  # 2
    price: ddl.fixed32 = 0  # 3
    weight: ddl.fixed64 = 0  # 4


class Order(ddl.Message):
    id: int = 0  # 1
    items: list[Item] = []  # 2
    tags: list[str] = []  # 3
    count: ddl.int32 = 0  # 4
    flags: ddl.uint32 = 0  # 5
    prices: list[ddl.fixed32] = []  # 6
    totals: list[ddl.sfixed64] = []  # 7
    ratios: list[float] = []  # 8
    placed: datetime | None = None  # 9
    took: timedelta | None = None  # 10
    labels: dict[str, int] = {}  # 11
    gift: Item | None = None  # 12
    blob: bytes = b""  # 13
    note: str = ""  # 14
    next: Order | None = None  # 15
    weights: list[ddl.float32] = []  # 16
    counts: list[int] = []  # 17
    body: Any = None  # 18


class Tree(ddl.Message):
    children: list[Tree] = []


UNKNOWN = 30  # a field number Order and Item do not use
TS_MIN, TS_MAX = -62_135_596_800, 253_402_300_799
DUR_MAX = 315_576_000_000
TD_MAX_SECONDS = 999_999_999 * 86_400 + 86_399  # a timedelta holds more than DUR_MAX, not this


def decode_error(engine: Engine, data: bytes, cls: type = Order, **kw: Any) -> ddl.DecodeError:
    with pytest.raises(ddl.DecodeError) as info:
        engine.decode(data, cls, **kw)
    return info.value


def check(err: ddl.DecodeError, path: str, lo: int, hi: int, *, prefix: bool = False) -> None:
    """The error names ``path`` (or starts with it) and points at a byte in ``lo..hi``."""
    if prefix:
        assert err.path.startswith(path), f"path {err.path!r} does not start with {path!r}"
    else:
        assert err.path == path, f"path {err.path!r} != {path!r}"
    assert isinstance(err.offset, int), f"offset {err.offset!r} is not a byte offset"
    assert lo <= err.offset <= hi, f"offset {err.offset} outside {lo}..{hi}"


class _Timeout(BaseException):
    """Not an Exception, so no except clause in the decoder can swallow it."""


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """Fail the test if the block runs longer than ``seconds`` (and stop it there)."""

    def expire(signum: int, frame: object) -> None:
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _Timeout:
        pytest.fail(f"did not finish within {seconds} s")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def nested_through(numbers: list[int], inner: bytes = b"") -> tuple[bytes, list[int]]:
    """Messages nested through the fields ``numbers`` (outermost first) around ``inner``, built
    without quadratic copying; also where each level's body starts (index 0: the top level)."""
    sizes = [len(inner)]
    for number in reversed(numbers[1:]):
        sizes.append(len(tag(number, 2)) + len(varint(sizes[-1])) + sizes[-1])
    headers = [tag(number, 2) + varint(size) for number, size in zip(numbers, reversed(sizes), strict=True)]
    starts = [0]
    for header in headers:
        starts.append(starts[-1] + len(header))
    return b"".join(headers) + inner, starts


def nested(levels: int, number: int = 15) -> tuple[bytes, list[int]]:
    return nested_through([number] * levels)


def nested_orders(levels: int) -> Order:
    order = Order()
    for _ in range(levels):
        order = Order(next=order)
    return order


# --- malformed bytes ----------------------------------------------------------------------------


def test_invalid_utf8_in_a_nested_string_names_the_element_and_field(engine: Engine) -> None:
    first = ld(2, tag(1, 0) + varint(1) + ld(2, b"a"))
    second_body = tag(1, 0) + varint(2) + ld(2, b"ok\xff")
    data = first + ld(2, second_body)
    name_at = len(first) + 2 + 2  # the second item's header, then its sku field
    check(decode_error(engine, data), "$.items[1].name", name_at, name_at + 2 + 2)


@pytest.mark.parametrize(
    ("data", "path"),
    [
        (ld(14, b"\xc3\x28"), "$.note"),
        (ld(3, b"fine") + ld(3, b"\xed\xa0\x80"), "$.tags[1]"),  # an encoded surrogate
        (ld(11, ld(1, b"\xff") + tag(2, 0) + varint(1)), "$.labels"),
        (ld(18, ld(3, b"\xfe")), "$.body"),  # a Value's string_value
    ],
    ids=["string", "list-element", "map-key", "json-value"],
)
def test_invalid_utf8_in_any_string_is_a_decode_error_naming_the_field(engine: Engine, data: bytes, path: str) -> None:
    check(decode_error(engine, data), path, 0, len(data), prefix=True)


@pytest.mark.parametrize("wire_type", [6, 7])
def test_wire_types_6_and_7_are_rejected(engine: Engine, wire_type: int) -> None:
    top = tag(1, 0) + varint(5) + tag(UNKNOWN, wire_type) + b"\x00\x00"
    check(decode_error(engine, top), "$", 2, 2 + len(tag(UNKNOWN, wire_type)))
    inner = ld(12, tag(1, 0) + varint(5) + tag(UNKNOWN, wire_type) + b"\x00")
    check(decode_error(engine, inner), "$.gift", 4, 4 + len(tag(UNKNOWN, wire_type)))


@pytest.mark.parametrize("wire_type", [0, 1, 2, 3, 5])
def test_field_number_0_is_rejected(engine: Engine, wire_type: int) -> None:
    data = tag(1, 0) + varint(5) + tag(0, wire_type) + b"\x00" * 8
    check(decode_error(engine, data), "$", 2, 3)
    data = ld(12, tag(0, wire_type) + b"\x00" * 8)
    check(decode_error(engine, data), "$.gift", 2, 3)


def test_field_number_above_2_pow_29_is_rejected(engine: Engine) -> None:
    data = tag(1, 0) + varint(5) + tag(1 << 29, 0) + varint(1)
    check(decode_error(engine, data), "$", 2, 2 + len(tag(1 << 29, 0)))


@pytest.mark.parametrize(
    ("data", "path", "at"),
    [
        (tag(UNKNOWN, 4), "$", 0),
        (tag(1, 0) + varint(1) + tag(UNKNOWN, 4), "$", 2),
        (ld(12, tag(UNKNOWN, 4)), "$.gift", 2),
        (tag(UNKNOWN, 3) + tag(UNKNOWN + 1, 4), "$", 2),  # closes a group that is not open
    ],
    ids=["top", "after-a-field", "nested", "mismatched"],
)
def test_end_group_without_its_start_group_is_rejected(engine: Engine, data: bytes, path: str, at: int) -> None:
    check(decode_error(engine, data), path, at, len(data))


@pytest.mark.parametrize(
    ("data", "path"),
    [
        (tag(UNKNOWN, 3), "$"),
        (tag(UNKNOWN, 3) + tag(1, 0) + varint(1) + tag(UNKNOWN, 3), "$"),
        # The group must end inside its own message: bytes after the message do not close it.
        (ld(12, tag(UNKNOWN, 3)) + tag(UNKNOWN, 4), "$.gift"),
    ],
    ids=["bare", "with-fields", "closed-only-outside-its-message"],
)
def test_unclosed_group_is_rejected(engine: Engine, data: bytes, path: str) -> None:
    check(decode_error(engine, data), path, 0, len(data))


@pytest.mark.parametrize(
    ("data", "path"),
    [
        (b"\x80", "$"),  # the tag
        (tag(1, 0) + b"\xff\xff", "$.id"),
        (tag(14, 2) + b"\x80", "$.note"),  # a length prefix
        (tag(UNKNOWN, 0) + b"\x80\x80\x80", "$"),
        (ld(17, b"\x01\x80"), "$.counts"),  # inside a packed run
        (ld(12, tag(1, 0) + b"\x80"), "$.gift.sku"),
        (ld(9, tag(1, 0) + b"\x80"), "$.placed"),  # inside a Timestamp
        (tag(1, 0), "$.id"),  # the value is missing altogether
    ],
    ids=["tag", "value", "length", "unknown", "packed", "nested", "timestamp", "missing"],
)
def test_truncated_varint_is_rejected(engine: Engine, data: bytes, path: str) -> None:
    check(decode_error(engine, data), path, 0, len(data), prefix=True)


@pytest.mark.parametrize(
    ("data", "path"),
    [
        (ld(12, tag(3, 5) + b"\x01\x02"), "$.gift.price"),
        (ld(12, tag(4, 1) + b"\x01" * 7), "$.gift.weight"),
        # The nested message ends early although the data goes on after it.
        (ld(12, tag(3, 5) + b"\x01\x02") + tag(1, 0) + varint(7), "$.gift"),
        (ld(12, tag(4, 1) + b"\x01" * 4) + tag(1, 0) + varint(7) + tag(1, 0) + varint(7), "$.gift"),
        (tag(UNKNOWN, 5) + b"\x00" * 3, "$"),
        (tag(UNKNOWN, 1) + b"\x00" * 7, "$"),
        (ld(12, tag(UNKNOWN, 5) + b"\x00") + b"\x08\x01\x08\x01", "$.gift"),
        (tag(16, 5) + b"\x00\x00", "$.weights"),
        (tag(7, 1) + b"\x00" * 3, "$.totals"),
        (tag(8, 1), "$.ratios"),
    ],
    ids=[
        "fixed32",
        "fixed64",
        "fixed32-inside",
        "fixed64-inside",
        "unknown32",
        "unknown64",
        "unknown32-inside",
        "float-element",
        "sfixed64-element",
        "double-element",
    ],
)
def test_truncated_fixed32_and_fixed64_are_rejected(engine: Engine, data: bytes, path: str) -> None:
    check(decode_error(engine, data), path, 0, len(data), prefix=True)


@pytest.mark.parametrize(
    ("data", "path"),
    [
        (b"\xff" * 10 + b"\x01", "$"),  # the tag
        (tag(1, 0) + b"\xff" * 10 + b"\x01", "$.id"),
        (tag(1, 0) + b"\x80" * 10 + b"\x00", "$.id"),  # padded with continuation bytes
        (tag(14, 2) + b"\x80" * 10 + b"\x00", "$.note"),
        (tag(UNKNOWN, 0) + b"\xff" * 11, "$"),
        (ld(17, b"\xff" * 10 + b"\x01"), "$.counts"),
        (ld(10, tag(1, 0) + b"\xff" * 10 + b"\x01"), "$.took"),
        (ld(11, tag(1, 2) + b"\xff" * 10 + b"\x01"), "$.labels"),
    ],
    ids=["tag", "value", "padded", "length", "unknown", "packed", "duration", "map-entry"],
)
def test_varint_longer_than_10_bytes_is_rejected(engine: Engine, data: bytes, path: str) -> None:
    check(decode_error(engine, data), path, 0, len(data), prefix=True)


LENGTH_FIELDS = {
    "message": (2, "$.items"),
    "string": (14, "$.note"),
    "bytes": (13, "$.blob"),
    "string-element": (3, "$.tags"),
    "map-entry": (11, "$.labels"),
    "packed-fixed": (6, "$.prices"),
    "packed-varint": (17, "$.counts"),
    "timestamp": (9, "$.placed"),
    "json-value": (18, "$.body"),
    "unknown": (UNKNOWN, "$"),
}


@pytest.mark.parametrize("kind", list(LENGTH_FIELDS))
@pytest.mark.parametrize("length", [9, 1 << 20])
def test_length_prefix_longer_than_the_data_is_rejected(engine: Engine, kind: str, length: int) -> None:
    number, path = LENGTH_FIELDS[kind]
    data = tag(1, 0) + varint(3) + tag(number, 2) + varint(length) + b"abcdefgh"
    check(decode_error(engine, data), path, 2, len(data), prefix=True)
    # The same inside a nested message, whose own length is right.
    inner = tag(number, 2) + varint(length) + b"abcdefgh"
    check(decode_error(engine, ld(15, inner)), "$.next" + path[1:], 2, 2 + len(inner), prefix=True)


@pytest.mark.parametrize("kind", list(LENGTH_FIELDS))
@pytest.mark.parametrize("length", [1 << 31, (1 << 32) - 1, (1 << 63) - 1, (1 << 64) - 1])
def test_huge_length_prefix_fails_before_allocating(engine: Engine, kind: str, length: int) -> None:
    number, path = LENGTH_FIELDS[kind]
    data = tag(number, 2) + varint(length) + b"abcdefgh"
    engine.decode(engine.encode(Order(id=1)), Order)  # compile the codec outside the measurement
    tracemalloc.start()
    try:
        start = time.perf_counter()
        err = decode_error(engine, data)
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    check(err, path, 0, len(data), prefix=True)
    assert peak < 64 * 1024, f"decoding {len(data)} bytes allocated {peak} bytes"
    assert elapsed < 1.0


@pytest.mark.parametrize(
    ("number", "size", "path"),
    [(6, 4, "$.prices"), (7, 8, "$.totals"), (8, 8, "$.ratios"), (16, 4, "$.weights")],
)
def test_packed_fixed_width_run_not_a_multiple_of_its_element_size_is_rejected(
    engine: Engine, number: int, size: int, path: str
) -> None:
    for length in (1, size - 1, size + 1, 3 * size - 1):
        data = ld(number, b"\x01" * length)
        check(decode_error(engine, data), path, 0, len(data), prefix=True)


@pytest.mark.parametrize(
    ("number", "body", "path"),
    [
        (9, tag(1, 0) + varint(TS_MAX + 1), "$.placed"),
        (9, tag(1, 0) + varint(TS_MIN - 1), "$.placed"),
        (9, tag(1, 0) + varint((1 << 63) - 1), "$.placed"),
        (9, tag(1, 0) + varint(-(1 << 63)), "$.placed"),
        (9, tag(2, 0) + varint(-1), "$.placed"),
        (9, tag(2, 0) + varint(1_000_000_000), "$.placed"),
        (9, tag(1, 0) + varint(TS_MAX) + tag(2, 0) + varint((1 << 31) - 1), "$.placed"),
        (10, tag(1, 0) + varint(TD_MAX_SECONDS + 1), "$.took"),
        (10, tag(1, 0) + varint(-TD_MAX_SECONDS - 1), "$.took"),
        (10, tag(1, 0) + varint((1 << 63) - 1), "$.took"),
        (10, tag(2, 0) + varint(1_000_000_000), "$.took"),
        (10, tag(2, 0) + varint(-1_000_000_000), "$.took"),
        (10, tag(1, 0) + varint(1) + tag(2, 0) + varint(-1), "$.took"),
        (10, tag(1, 0) + varint(-1) + tag(2, 0) + varint(1), "$.took"),
    ],
    ids=[
        "ts-after-9999",
        "ts-before-0001",
        "ts-int64-max",
        "ts-int64-min",
        "ts-negative-nanos",
        "ts-nanos-1e9",
        "ts-nanos-huge",
        "dur-over-timedelta",
        "dur-under-timedelta",
        "dur-int64-max",
        "dur-nanos-1e9",
        "dur-nanos-minus-1e9",
        "dur-signs-+-",
        "dur-signs--+",
    ],
)
def test_out_of_range_timestamp_and_duration_are_kept_among_the_unknown_fields(
    engine: Engine, number: int, body: bytes, path: str
) -> None:
    # protobuf's parsers read them; a datetime or timedelta cannot hold them (tests/test_wkt_kept.py).
    data = tag(1, 0) + varint(1) + ld(number, body)
    value = engine.decode(data, Order)
    assert getattr(value, path.removeprefix("$.")) is None
    assert engine.encode(value) == data


def test_timestamp_and_duration_at_their_limits_decode(engine: Engine) -> None:
    # The other side of the boundary above: the extreme legal values are accepted.
    late = engine.decode(ld(9, tag(1, 0) + varint(TS_MAX) + tag(2, 0) + varint(999_999_999)), Order).placed
    assert late.year == 9999 and late.nanosecond == 999 and late.utcoffset() == timedelta(0)
    assert engine.decode(ld(9, tag(1, 0) + varint(TS_MIN)), Order).placed == datetime(1, 1, 1, tzinfo=UTC)
    longest = engine.decode(ld(10, tag(1, 0) + varint(-DUR_MAX) + tag(2, 0) + varint(-999_999_999)), Order).took
    assert longest.total_nanoseconds() == -DUR_MAX * 10**9 - 999_999_999


# --- nesting ------------------------------------------------------------------------------------


def test_default_max_depth_admits_100_nested_messages_and_rejects_101(engine: Engine) -> None:
    data, _ = nested(100)
    decoded = engine.decode(data, Order)
    for _ in range(100):
        decoded = decoded.next
    assert decoded == Order()
    data, starts = nested(101)
    check(decode_error(engine, data), "$" + ".next" * 101, starts[101], starts[101])


def test_max_depth_is_configurable_per_call(engine: Engine) -> None:
    engine.decode(nested(5)[0], Order, max_depth=5)
    data, starts = nested(6)
    check(decode_error(engine, data, max_depth=5), "$" + ".next" * 6, starts[6], starts[6])
    engine.decode(engine.encode(Order(id=1)), Order, max_depth=0)
    check(decode_error(engine, ld(12, b""), max_depth=0), "$.gift", 2, 2)
    assert engine.decode(data, Order) == nested_orders(6)  # the default is unchanged


def test_100000_nested_messages_raise_decode_error_not_recursion_error(engine: Engine) -> None:
    data, starts = nested(100_000)
    check(decode_error(engine, data), "$" + ".next" * 101, starts[101], starts[101])
    err = decode_error(engine, data, max_depth=10**9)  # only Python's own stack can stop this
    assert err.path.startswith("$")


def test_decode_error_from_a_stack_too_deep_for_python_still_has_a_byte_offset(engine: Engine) -> None:
    data, _ = nested(100_000)
    check(decode_error(engine, data, max_depth=10**9), "$", 0, len(data), prefix=True)


def test_100000_nested_json_lists_raise_decode_error(engine: Engine) -> None:
    # Order.body is a Value; Value.list_value (6) holds a ListValue whose values (1) are Values.
    data, _ = nested_through([18] + [6, 1] * 50_000)
    check(decode_error(engine, data), "$.body", 0, len(data))
    check(decode_error(engine, data, max_depth=10**9), "$.body", 0, len(data))


def test_groups_nested_to_max_depth_are_kept_and_deeper_ones_rejected(engine: Engine) -> None:
    def groups(depth: int) -> bytes:
        return tag(UNKNOWN, 3) * depth + tag(UNKNOWN, 4) * depth

    size = len(tag(UNKNOWN, 3))
    kept = engine.decode(groups(100), Order)
    assert engine.encode(kept) == groups(100)
    check(decode_error(engine, groups(101)), "$", 100 * size, 101 * size)
    engine.decode(groups(5), Order, max_depth=5)
    check(decode_error(engine, groups(6), max_depth=5), "$", 5 * size, 6 * size)
    # Inside a nested message one level of the budget is already spent.
    engine.decode(ld(12, groups(99)), Order)
    check(decode_error(engine, ld(12, groups(100))), "$.gift", 3 + 99 * size, 3 + 100 * size)


def test_100000_nested_unknown_groups_raise_decode_error(engine: Engine) -> None:
    size = len(tag(UNKNOWN, 3))
    closed = tag(UNKNOWN, 3) * 100_000 + tag(UNKNOWN, 4) * 100_000
    check(decode_error(engine, closed), "$", 100 * size, 101 * size)
    check(decode_error(engine, tag(UNKNOWN, 3) * 100_000), "$", 100 * size, 101 * size)
    # With no depth limit, skipping the groups still needs no recursion.
    kept = engine.decode(closed, Order, max_depth=10**9)
    assert kept._ddl_unknown == closed


# --- large input --------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(3))
def test_1mib_of_random_bytes_is_decoded_or_rejected_quickly(engine: Engine, seed: int) -> None:
    data = random.Random(seed).randbytes(1 << 20)
    for cls in (Order, Item, Tree):
        with within(5):
            try:
                engine.encode(engine.decode(data, cls))
            except ddl.DecodeError as e:
                check(e, "$", 0, len(data), prefix=True)


def test_1mib_of_small_fields_decodes_quickly(engine: Engine) -> None:
    packed = ld(17, varint(300) * (1 << 19))
    unpacked = (tag(17, 0) + varint(1)) * (1 << 19)
    with within(5):
        assert len(engine.decode(packed, Order).counts) == 1 << 19
        assert len(engine.decode(unpacked, Order).counts) == 1 << 19


class Bucket(ddl.Message):
    values: list[int] = []
    index: dict[int, int] = {}


class Holder(ddl.Message):
    bucket: Bucket | None = None
    buckets: dict[str, Bucket] = {}


MERGE_PIECES = {
    # Each piece is one more occurrence of Holder.bucket, adding one element, entry or field.
    "repeated": lambda i: ld(1, tag(1, 0) + varint(1)),
    "map": lambda i: ld(1, ld(2, tag(1, 0) + varint(i) + tag(2, 0) + varint(1))),
    "unknown": lambda i: ld(1, tag(3, 0) + varint(1)),
}


def merge_data(kind: str, size: int) -> tuple[bytes, int]:
    pieces: list[bytes] = []
    total = 0
    while total < size:
        pieces.append(MERGE_PIECES[kind](len(pieces)))
        total += len(pieces[-1])
    return b"".join(pieces), len(pieces)


@pytest.mark.parametrize("kind", list(MERGE_PIECES))
def test_1mib_of_repeated_occurrences_of_a_message_field_merges_in_linear_time(engine: Engine, kind: str) -> None:
    # A singular message field that occurs again is merged into what came before, as in
    # protobuf. Each merge must extend the fields in place, not copy everything seen so far:
    # 16 times the data must take about 16 times as long, not 256 times.
    small, _ = merge_data(kind, 1 << 16)
    start = time.perf_counter()
    engine.decode(small, Holder)
    small_time = time.perf_counter() - start
    data, count = merge_data(kind, 1 << 20)
    with within(5):
        start = time.perf_counter()
        holder = engine.decode(data, Holder)
        big_time = time.perf_counter() - start
    assert big_time < 50 * small_time + 0.25, f"1 MiB took {big_time:.2f} s, 64 KiB {small_time:.3f} s"
    bucket = holder.bucket
    assert bucket is not None
    assert len(bucket.values) + len(bucket.index) + len(bucket._ddl_unknown or b"") // 2 == count


# --- encoding errors ------------------------------------------------------------------------


def test_encoding_a_cycle_raises_encode_error(engine: Engine) -> None:
    order = Order()
    order.next = order
    with pytest.raises(ddl.EncodeError) as info:
        engine.encode(order)
    assert info.value.path.startswith("$.next.next.next")
    tree = Tree()
    tree.children.append(tree)
    with pytest.raises(ddl.EncodeError) as info:
        engine.encode(tree)
    assert info.value.path.startswith("$.children[0].children[0]")
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(ddl.EncodeError) as info:
        engine.encode(Order(body=loop))
    assert info.value.path == "$.body"
    for value in (order, tree, Order(body=loop)):  # no limit but Python's stack
        with pytest.raises(ddl.EncodeError):
            engine.encode(value, max_depth=10**9)


def test_encoding_nesting_deeper_than_max_depth_raises_encode_error(engine: Engine) -> None:
    assert engine.decode(engine.encode(nested_orders(100)), Order) == nested_orders(100)
    with pytest.raises(ddl.EncodeError) as info:
        engine.encode(nested_orders(101))
    assert info.value.path == "$" + ".next" * 101
    engine.encode(nested_orders(5), max_depth=5)
    with pytest.raises(ddl.EncodeError):
        engine.encode(nested_orders(6), max_depth=5)
    deep = nested_orders(100_000)
    for max_depth in (100, 10**9):
        with pytest.raises(ddl.EncodeError):
            engine.encode(deep, max_depth=max_depth)


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"id": "7"}, "$.id"),
        ({"id": 1.0}, "$.id"),
        ({"id": 1 << 63}, "$.id"),
        ({"count": 1 << 40}, "$.count"),
        ({"count": -(1 << 31) - 1}, "$.count"),
        ({"flags": -1}, "$.flags"),
        ({"flags": 1 << 32}, "$.flags"),
        ({"gift": Order()}, "$.gift"),
        ({"items": [Item(), Order()]}, "$.items[1]"),
        ({"items": [Item(), Item(name=5)]}, "$.items[1].name"),
        ({"next": Order(items=[Item(sku="x")])}, "$.next.items[0].sku"),
        ({"note": None}, "$.note"),
        ({"id": None}, "$.id"),
        ({"items": None}, "$.items"),
        ({"labels": {1: 2}}, "$.labels[1]"),
        ({"labels": {"a": "b"}}, "$.labels['a']"),
        ({"labels": [("a", 1)]}, "$.labels"),
        ({"tags": ["a", "b", 3]}, "$.tags[2]"),
        ({"tags": "abc"}, "$.tags"),
        ({"ratios": [1.0, "x"]}, "$.ratios[1]"),
        ({"placed": datetime(2024, 1, 1)}, "$.placed"),
        ({"placed": datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1)))}, "$.placed"),
        ({"took": 5}, "$.took"),
        ({"blob": "text"}, "$.blob"),
        ({"body": object()}, "$.body"),
        ({"body": {"a": [1, {2: 3}]}}, "$.body"),
    ],
)
def test_encoding_a_wrong_value_raises_encode_error_naming_the_field(
    engine: Engine, fields: dict[str, Any], path: str
) -> None:
    with pytest.raises(ddl.EncodeError) as info:
        engine.encode(Order(**fields))
    assert isinstance(info.value, TypeError) and isinstance(info.value, ValueError)
    assert info.value.path == path


@pytest.mark.parametrize("name", ["id", "items", "gift", "labels", "placed", "body", "note", "next", "blob"])
def test_encoding_a_message_with_a_deleted_field_raises_encode_error_naming_it(engine: Engine, name: str) -> None:
    order = Order(id=1, items=[Item(sku=2)], gift=Item(), labels={"a": 1}, note="n", next=Order(id=3))
    delattr(order, name)
    with pytest.raises(ddl.EncodeError) as info:
        engine.encode(order)
    assert info.value.path == f"$.{name}"
    assert "deleted" in str(info.value)
    nested = Order(items=[Item(), Item(name="x")])
    del nested.items[1].name
    with pytest.raises(ddl.EncodeError) as info:
        engine.encode(nested)
    assert info.value.path == "$.items[1].name"


def test_encoding_a_message_whose_unknown_fields_slot_was_deleted_raises_encode_error_naming_it(engine: Engine) -> None:
    order = engine.decode(tag(1, 0) + varint(1) + tag(UNKNOWN, 0) + varint(2), Order)
    del order._ddl_unknown
    with pytest.raises(ddl.EncodeError) as info:
        engine.encode(order)
    assert info.value.path == "$._ddl_unknown"
    outer = Order(items=[Item(), Item(sku=1)], next=Order(note="x"))
    del outer.items[1]._ddl_unknown
    with pytest.raises(ddl.EncodeError) as info:
        engine.encode(outer)
    assert info.value.path == "$.items[1]._ddl_unknown"
    outer = Order(next=Order(note="x"))
    assert outer.next is not None
    outer.next._ddl_unknown = 5  # type: ignore[assignment]
    with pytest.raises(ddl.EncodeError) as info:
        engine.encode(outer)
    assert info.value.path == "$.next._ddl_unknown"


# --- schemas whose values Python cannot always hold -------------------------------------------------


@pytest.mark.parametrize(
    ("annotation", "data", "schema_may_refuse"),
    [
        ("set[Item]", ld(1, b""), True),  # Item is not frozen, so not hashable
        ("set[list[int]]", ld(1, b""), True),
        ("set[Any]", ld(1, ld(6, b"")), False),  # Any may hold a str (fine) or a list (not)
        ("frozenset[dict[str, int]]", ld(1, b""), True),
    ],
    ids=["messages", "lists", "json", "dicts"],
)
def test_set_element_that_python_cannot_hash_is_a_decode_error(
    engine: Engine, annotation: str, data: bytes, schema_may_refuse: bool
) -> None:
    # Valid protobuf (a repeated field) that no Python set can hold is bad data for this
    # class: DecodeError, unless the class itself is refused as a schema that cannot work.
    name = unique_name("Sets")
    namespace = {"__annotations__": {"items": annotation}, "__module__": __name__, "__qualname__": name}
    try:
        cls = type(ddl.Message)(name, (ddl.Message,), namespace)
        err = decode_error(engine, data, cls)
    except ddl.SchemaError:
        assert schema_may_refuse, f"{annotation} is a usable schema"
        return
    check(err, "$.items", 0, len(data), prefix=True)
