"""Well-known types, checked against the real protobuf runtime as the oracle."""

from __future__ import annotations

import copy
import math
import pickle
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

import google.protobuf.message
import pytest
from google.protobuf import duration_pb2, struct_pb2, timestamp_pb2
from google.type import date_pb2
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ddl import DatetimeNs, TimedeltaNs, _wkt_codecs
from ddl._errors import DecodeError, EncodeError
from tests.conftest import examples
from tests.pb_json import struct_to_pb, value_from_pb, value_to_pb
from tests.wire import length_delimited

UTC = UTC
TS_MIN, TS_MAX = -62_135_596_800, 253_402_300_799
DUR_MAX = 315_576_000_000
TD_MAX_SECONDS = 999_999_999 * 86_400 + 86_399  # timedelta.max, less its microseconds
TD_MIN_SECONDS = -999_999_999 * 86_400  # timedelta.min
Json = Any


def enc(fn: Callable[..., None], value: object, budget: int = 100, det: bool = False) -> bytes:
    out = bytearray()
    fn(value, out, budget, det)
    return bytes(out)


def dec(fn: Callable[..., object], data: bytes, budget: int = 100) -> object:
    return fn(data, 0, len(data), budget)


# --- The oracle's view of Python values ---------------------------------------------------------


def ts_from_pb(m: timestamp_pb2.Timestamp) -> tuple[datetime, int]:
    """What a Timestamp means to Python: the microsecond datetime plus the nanoseconds below."""
    return m.ToDatetime(tzinfo=UTC), m.nanos % 1000


def split_ns(dt: object) -> tuple[datetime, int]:
    assert isinstance(dt, datetime)
    return (dt.to_datetime(), dt.nanosecond) if isinstance(dt, DatetimeNs) else (dt, 0)


def ts_to_pb(dt: datetime) -> timestamp_pb2.Timestamp:
    m = timestamp_pb2.Timestamp()
    m.FromDatetime(dt)
    m.nanos += getattr(dt, "nanosecond", 0)
    return m


def dur_to_pb(td: timedelta) -> duration_pb2.Duration:
    m = duration_pb2.Duration()
    m.FromTimedelta(td)
    m.FromNanoseconds(m.ToNanoseconds() + getattr(td, "nanosecond", 0))
    return m


def total_ns(td: timedelta) -> int:
    micros = (td.days * 86_400 + td.seconds) * 1_000_000 + td.microseconds
    return micros * 1000 + getattr(td, "nanosecond", 0)


def same_json(a: Json, b: Json) -> bool:
    """Equality that also tells 1 from 1.0 and True from 1.0, and lets NaN equal NaN."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, list):
        return len(a) == len(b) and all(map(same_json, a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    return bool(a == b)


# --- Strategies ---------------------------------------------------------------------------------

# Whole-minute offsets: protobuf's FromDatetime ignores the sub-second part of an odd offset.
offsets = st.integers(-1439, 1439).map(lambda minutes: timezone(timedelta(minutes=minutes)))
aware_datetimes = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC) | offsets
)
nanos_below_micro = st.integers(0, 999)
pb_timestamps = st.builds(
    timestamp_pb2.Timestamp, seconds=st.integers(TS_MIN, TS_MAX), nanos=st.integers(0, 999_999_999)
)


def duration_of(total: int) -> duration_pb2.Duration:
    """The valid Duration for ``total`` nanoseconds: both parts carry the sign of the total."""
    sign = -1 if total < 0 else 1
    return duration_pb2.Duration(seconds=sign * (abs(total) // 10**9), nanos=sign * (abs(total) % 10**9))


pb_durations = st.integers(-DUR_MAX * 10**9 - 999_999_999, DUR_MAX * 10**9 + 999_999_999).map(duration_of)
json_scalars = st.none() | st.booleans() | st.floats() | st.integers(-(2**53), 2**53) | st.text()


def json_values_with(keys: st.SearchStrategy[str]) -> st.SearchStrategy[Json]:
    return st.recursive(json_scalars, lambda kids: st.lists(kids, max_size=4) | st.dictionaries(keys, kids, max_size=4))


json_values = json_values_with(st.text(max_size=5))
# upb's deterministic map order puts "ab" before "a"; C++, Go (and ddl) put "a" first.
# With keys of one length no key is a prefix of another, so the orders agree byte for byte.
prefix_free_json_values = json_values_with(st.text(min_size=2, max_size=2))
json_dicts = st.dictionaries(st.text(max_size=5), json_values, max_size=5)


def normalized(v: Json) -> Json:
    """What a JSON value decodes back as: numbers become float, tuples become lists."""
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, (list, tuple)):
        return [normalized(x) for x in v]
    return {k: normalized(x) for k, x in v.items()}


# --- Timestamp ----------------------------------------------------------------------------------


@given(aware_datetimes, nanos_below_micro)
@example(datetime(1, 1, 1, tzinfo=UTC), 0)
@example(datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), 999)
@example(datetime(1970, 1, 1, tzinfo=UTC), 0)
@example(datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), 1)
def test_timestamp_encoding_is_byte_identical_to_protobuf(dt: datetime, ns: int) -> None:
    value = DatetimeNs.from_datetime(dt, ns) if ns else dt
    expected = ts_to_pb(value)
    assert enc(_wkt_codecs.encode_timestamp, value) == expected.SerializeToString()


@given(pb_timestamps)
@example(timestamp_pb2.Timestamp(seconds=TS_MIN))
@example(timestamp_pb2.Timestamp(seconds=TS_MAX, nanos=999_999_999))
def test_timestamp_decodes_protobuf_bytes_keeping_every_nanosecond(m: timestamp_pb2.Timestamp) -> None:
    data = m.SerializeToString()
    got = dec(_wkt_codecs.decode_timestamp, data)
    assert isinstance(got, datetime) and got.tzinfo is UTC
    assert type(got) is (DatetimeNs if m.nanos % 1000 else datetime)
    assert split_ns(got) == ts_from_pb(m)
    assert enc(_wkt_codecs.encode_timestamp, got) == data


def test_timestamp_zero_is_the_epoch_and_an_empty_body_decodes_to_it() -> None:
    assert _wkt_codecs.zero_timestamp() == datetime(1970, 1, 1, tzinfo=UTC)
    assert dec(_wkt_codecs.decode_timestamp, b"") == _wkt_codecs.zero_timestamp()
    assert enc(_wkt_codecs.encode_timestamp, _wkt_codecs.zero_timestamp()) == b""


@given(pb_timestamps, pb_timestamps)
def test_timestamp_merge_matches_protobuf_merge_from_string(
    a: timestamp_pb2.Timestamp, b: timestamp_pb2.Timestamp
) -> None:
    first, second = a.SerializeToString(), b.SerializeToString()
    merged = timestamp_pb2.Timestamp()
    merged.MergeFromString(first)
    merged.MergeFromString(second)
    got = dec(_wkt_codecs.decode_timestamp, first + second)
    assert split_ns(got) == ts_from_pb(merged)


@pytest.mark.parametrize(
    "m",
    [
        timestamp_pb2.Timestamp(seconds=TS_MAX + 1),
        timestamp_pb2.Timestamp(seconds=TS_MIN - 1),
        timestamp_pb2.Timestamp(seconds=-(2**63)),
        timestamp_pb2.Timestamp(nanos=1_000_000_000),
        timestamp_pb2.Timestamp(nanos=-1),
    ],
    ids=["seconds-above", "seconds-below", "seconds-int64-min", "nanos-above", "nanos-negative"],
)
def test_timestamp_out_of_range_on_the_wire_is_a_decode_error(m: timestamp_pb2.Timestamp) -> None:
    with pytest.raises(DecodeError):
        dec(_wkt_codecs.decode_timestamp, m.SerializeToString())


@pytest.mark.parametrize(
    "dt",
    [
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1))),
        datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-1))),
    ],
)
def test_timestamp_encode_rejects_datetimes_whose_utc_instant_is_out_of_range(dt: datetime) -> None:
    with pytest.raises(ValueError, match="outside the Timestamp range"):
        enc(_wkt_codecs.encode_timestamp, dt)


def test_timestamp_encode_rejects_naive_datetimes_and_other_types() -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        enc(_wkt_codecs.encode_timestamp, datetime(2024, 1, 1))
    with pytest.raises(TypeError, match="expected datetime, got str"):
        enc(_wkt_codecs.encode_timestamp, "2024-01-01")
    with pytest.raises(TypeError, match="expected datetime, got date"):
        enc(_wkt_codecs.encode_timestamp, date(2024, 1, 1))


def test_timestamp_keeps_the_utc_instant_of_an_offset_datetime() -> None:
    dt = datetime(2024, 1, 1, 5, 30, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    got = dec(_wkt_codecs.decode_timestamp, enc(_wkt_codecs.encode_timestamp, dt))
    assert got == dt and got == datetime(2024, 1, 1, tzinfo=UTC)


# --- DatetimeNs / TimedeltaNs -------------------------------------------------------------------


def test_datetime_ns_equality_and_hash_account_for_the_extra_nanoseconds() -> None:
    plain = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)
    zero, five = DatetimeNs.from_datetime(plain, 0), DatetimeNs.from_datetime(plain, 5)
    assert zero == plain and plain == zero and hash(zero) == hash(plain)
    assert five != plain and plain != five and five != zero
    assert five == DatetimeNs.from_datetime(plain.astimezone(timezone(timedelta(hours=3))), 5)
    assert hash(five) == hash(DatetimeNs.from_datetime(plain, 5))
    assert len({plain, zero, five}) == 2


def test_datetime_ns_orders_by_nanoseconds_within_a_microsecond() -> None:
    plain = datetime(2024, 5, 1, tzinfo=UTC)
    one, two = DatetimeNs.from_datetime(plain, 1), DatetimeNs.from_datetime(plain, 2)
    later = plain + timedelta(microseconds=1)
    assert plain < one < two < later and later > two > one > plain
    assert sorted([later, two, plain, one]) == [plain, one, two, later]
    assert one <= one and one >= one and not (one < one)


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_datetime_ns_and_timedelta_ns_pickle_with_their_nanoseconds(protocol: int) -> None:
    dt = DatetimeNs(2024, 5, 1, 1, 2, 3, 4, timezone(timedelta(hours=-2)), fold=1, nanosecond=7)
    td = TimedeltaNs(days=-3, microseconds=9, nanosecond=11)
    for value in (dt, td):
        back = pickle.loads(pickle.dumps(value, protocol))
        assert type(back) is type(value) and back == value and back.nanosecond == value.nanosecond
    if protocol >= 4:  # as with datetime itself, older protocols cannot carry fold
        assert pickle.loads(pickle.dumps(dt, protocol)).fold == 1


def test_datetime_ns_and_timedelta_ns_copy_with_their_nanoseconds() -> None:
    for value in (DatetimeNs(2000, 1, 1, tzinfo=UTC, nanosecond=3), TimedeltaNs(seconds=1, nanosecond=999)):
        for twin in (copy.copy(value), copy.deepcopy(value)):
            assert type(twin) is type(value) and twin.nanosecond == value.nanosecond


def test_datetime_ns_replace_astimezone_and_isoformat_keep_the_nanoseconds() -> None:
    t = DatetimeNs(2024, 5, 1, 12, 0, 0, 123456, UTC, nanosecond=789)
    assert t.isoformat() == "2024-05-01T12:00:00.123456789+00:00"
    assert str(t) == "2024-05-01 12:00:00.123456789+00:00"
    midnight = DatetimeNs(2024, 5, 1, tzinfo=UTC)
    assert midnight.isoformat(timespec="nanoseconds") == "2024-05-01T00:00:00.000000000+00:00"
    assert t.replace(hour=1).nanosecond == 789 and t.replace(nanosecond=1).nanosecond == 1
    assert t.astimezone(timezone(timedelta(hours=2))).nanosecond == 789
    assert "nanosecond=789" in repr(t)


@pytest.mark.parametrize("bad", [-1, 1000])
def test_nanosecond_outside_0_to_999_is_rejected(bad: int) -> None:
    with pytest.raises(ValueError):
        DatetimeNs(2024, 1, 1, nanosecond=bad)
    with pytest.raises(ValueError):
        TimedeltaNs(nanosecond=bad)


@pytest.mark.parametrize("bad", [True, 1.0, "1"])
def test_nanosecond_must_be_an_int(bad: object) -> None:
    with pytest.raises(TypeError, match="nanosecond must be an int"):
        DatetimeNs(2024, 1, 1, nanosecond=bad)  # type: ignore[arg-type]


def test_nanosecond_types_compare_only_with_their_base_type() -> None:
    t, d = DatetimeNs(2024, 1, 1, nanosecond=1), TimedeltaNs(seconds=1, nanosecond=1)
    assert t != "2024-01-01" and d != 1 and t != d
    with pytest.raises(TypeError):
        t < d  # noqa: B015
    with pytest.raises(TypeError):
        d >= 0  # noqa: B015


def test_repr_and_other_isoformat_timespecs() -> None:
    assert repr(TimedeltaNs(nanosecond=3)) == "TimedeltaNs(nanosecond=3)"
    assert repr(TimedeltaNs(days=1, seconds=2, nanosecond=3)) == "TimedeltaNs(days=1, seconds=2, nanosecond=3)"
    assert repr(TimedeltaNs.from_timedelta(timedelta(days=1), 3).to_timedelta()) == repr(timedelta(days=1))
    t = DatetimeNs(2024, 5, 1, 12, 0, 7, 5, UTC, nanosecond=9)
    assert t.isoformat(timespec="seconds") == "2024-05-01T12:00:07+00:00"
    assert DatetimeNs(2024, 5, 1, 12).isoformat() == datetime(2024, 5, 1, 12).isoformat()


def test_timedelta_ns_adds_a_non_negative_nanosecond_even_when_negative() -> None:
    minus_one = TimedeltaNs.from_nanoseconds(-1)
    parts = (minus_one.days, minus_one.seconds, minus_one.microseconds, minus_one.nanosecond)
    assert parts == (-1, 86399, 999999, 999)
    assert minus_one.total_nanoseconds() == -1
    assert minus_one < timedelta(0) < TimedeltaNs(nanosecond=1) < timedelta(microseconds=1)
    assert TimedeltaNs(seconds=2, nanosecond=0) == timedelta(seconds=2)
    assert hash(TimedeltaNs(seconds=2)) == hash(timedelta(seconds=2))
    assert TimedeltaNs(seconds=2, nanosecond=1) != timedelta(seconds=2)


# --- Duration -----------------------------------------------------------------------------------


@given(st.timedeltas(timedelta(seconds=-DUR_MAX + 1), timedelta(seconds=DUR_MAX - 1)), nanos_below_micro)
@example(timedelta(seconds=DUR_MAX, microseconds=999_999), 999)
@example(timedelta(seconds=-DUR_MAX), 0)
@example(timedelta(microseconds=-1), 999)
def test_duration_encoding_is_byte_identical_to_protobuf(td: timedelta, ns: int) -> None:
    value = TimedeltaNs.from_timedelta(td, ns) if ns else td
    assert enc(_wkt_codecs.encode_duration, value) == dur_to_pb(value).SerializeToString()


@given(pb_durations)
def test_duration_decodes_protobuf_bytes_keeping_every_nanosecond(m: duration_pb2.Duration) -> None:
    data = m.SerializeToString()
    got = dec(_wkt_codecs.decode_duration, data)
    assert isinstance(got, timedelta)
    assert total_ns(got) == m.seconds * 10**9 + m.nanos
    assert type(got) is (TimedeltaNs if m.nanos % 1000 else timedelta)
    if m.nanos % 1000 == 0:
        assert got == m.ToTimedelta()
    assert enc(_wkt_codecs.encode_duration, got) == data


@given(pb_durations, pb_durations)
def test_duration_merge_matches_protobuf_merge_from_string(a: duration_pb2.Duration, b: duration_pb2.Duration) -> None:
    first, second = a.SerializeToString(), b.SerializeToString()
    merged = duration_pb2.Duration()
    merged.MergeFromString(first)
    merged.MergeFromString(second)
    if merged.seconds * merged.nanos < 0:  # the halves can disagree in sign: not a valid Duration
        with pytest.raises(DecodeError, match="differ in sign"):
            dec(_wkt_codecs.decode_duration, first + second)
        return
    got = dec(_wkt_codecs.decode_duration, first + second)
    assert total_ns(got) == merged.seconds * 10**9 + merged.nanos


@pytest.mark.parametrize(
    "m",
    [
        duration_pb2.Duration(nanos=1_000_000_000),
        duration_pb2.Duration(nanos=-1_000_000_000),
        duration_pb2.Duration(seconds=1, nanos=-1),
        duration_pb2.Duration(seconds=-1, nanos=1),
        duration_pb2.Duration(seconds=TD_MAX_SECONDS + 1),
        duration_pb2.Duration(seconds=TD_MIN_SECONDS - 1),
    ],
    ids=["nanos-above", "nanos-below", "pos-neg", "neg-pos", "beyond-timedelta", "below-timedelta"],
)
def test_duration_nanos_out_of_range_mixed_signs_or_beyond_timedelta_is_a_decode_error(
    m: duration_pb2.Duration,
) -> None:
    with pytest.raises(DecodeError):
        dec(_wkt_codecs.decode_duration, m.SerializeToString())


@pytest.mark.parametrize(
    "m",
    [
        duration_pb2.Duration(seconds=DUR_MAX + 1),
        duration_pb2.Duration(seconds=-DUR_MAX - 1, nanos=-5_000),
        duration_pb2.Duration(seconds=TD_MAX_SECONDS, nanos=999_999_000),
        duration_pb2.Duration(seconds=TD_MIN_SECONDS),
    ],
    ids=["above-json", "below-json", "timedelta-max", "timedelta-min"],
)
def test_a_duration_beyond_protobufs_json_range_is_read_and_written_as_its_binary_form_is(
    m: duration_pb2.Duration,
) -> None:
    # protobuf's parsers take any seconds in binary (only its JSON keeps to +-DUR_MAX), and a
    # timedelta holds up to 999,999,999 days: such a value comes back byte for byte.
    data = m.SerializeToString()
    got = dec(_wkt_codecs.decode_duration, data)
    assert total_ns(got) == m.seconds * 10**9 + m.nanos
    assert enc(_wkt_codecs.encode_duration, got) == data
    assert duration_pb2.Duration.FromString(enc(_wkt_codecs.encode_duration, got)) == m


def test_duration_encode_takes_every_timedelta_and_rejects_other_types() -> None:
    for td in (timedelta.max, timedelta.min):
        assert duration_pb2.Duration.FromString(enc(_wkt_codecs.encode_duration, td)).ToNanoseconds() == total_ns(td)
    with pytest.raises(TypeError, match="expected timedelta, got int"):
        enc(_wkt_codecs.encode_duration, 5)


def test_duration_zero_is_an_empty_body() -> None:
    assert _wkt_codecs.zero_duration() == timedelta(0)
    assert enc(_wkt_codecs.encode_duration, timedelta(0)) == b""
    assert dec(_wkt_codecs.decode_duration, b"") == timedelta(0)


# --- Date ---------------------------------------------------------------------------------------


@given(st.dates())
def test_date_round_trips_byte_identical_to_google_type_date(d: date) -> None:
    m = date_pb2.Date(year=d.year, month=d.month, day=d.day)
    assert enc(_wkt_codecs.encode_date, d) == m.SerializeToString()
    got = dec(_wkt_codecs.decode_date, m.SerializeToString())
    assert type(got) is date and got == d


@given(st.dates(), st.dates())
def test_date_merge_matches_protobuf_merge_from_string(a: date, b: date) -> None:
    first = date_pb2.Date(year=a.year, month=a.month, day=a.day).SerializeToString()
    second = date_pb2.Date(year=b.year, month=b.month).SerializeToString()  # day comes from `a`
    merged = date_pb2.Date()
    merged.MergeFromString(first)
    merged.MergeFromString(second)
    try:
        expected = date(merged.year, merged.month, merged.day)
    except ValueError:
        with pytest.raises(DecodeError):
            dec(_wkt_codecs.decode_date, first + second)
        return
    assert dec(_wkt_codecs.decode_date, first + second) == expected


@pytest.mark.parametrize(
    "m",
    [
        date_pb2.Date(),
        date_pb2.Date(month=5, day=1),
        date_pb2.Date(year=2024, day=1),
        date_pb2.Date(year=2024, month=5),
        date_pb2.Date(year=2024, month=13, day=1),
        date_pb2.Date(year=2023, month=2, day=29),
        date_pb2.Date(year=10000, month=1, day=1),
        date_pb2.Date(year=-1, month=1, day=1),
    ],
    ids=["empty", "no-year", "no-month", "no-day", "month-13", "feb-29-2023", "year-10000", "year-negative"],
)
def test_date_partial_or_invalid_is_a_decode_error(m: date_pb2.Date) -> None:
    with pytest.raises(DecodeError):
        dec(_wkt_codecs.decode_date, m.SerializeToString())


def test_date_encode_rejects_datetimes_and_other_types() -> None:
    with pytest.raises(TypeError, match="expected date, got datetime"):
        enc(_wkt_codecs.encode_date, datetime(2024, 1, 1))
    with pytest.raises(TypeError, match="expected date, got str"):
        enc(_wkt_codecs.encode_date, "2024-01-01")
    assert _wkt_codecs.zero_date() == date(1970, 1, 1)


# --- Value and Struct ---------------------------------------------------------------------------


@given(json_values)
@example(float("nan"))
@example(float("-inf"))
@example(2**53)
@example(-(2**53))
@example(("a", (1, None)))
@example({"": {"": []}})
def test_value_encoding_parses_in_protobuf_to_the_same_value(v: Json) -> None:
    data = enc(_wkt_codecs.encode_value, v)
    assert same_json(value_from_pb(struct_pb2.Value.FromString(data)), normalized(v))


@given(prefix_free_json_values)
def test_value_det_encoding_is_byte_identical_to_protobuf_deterministic(v: Json) -> None:
    assert enc(_wkt_codecs.encode_value, v, det=True) == value_to_pb(v).SerializeToString(deterministic=True)


@given(json_values)
def test_value_decodes_protobuf_bytes_to_the_same_value(v: Json) -> None:
    data = value_to_pb(v).SerializeToString()
    assert same_json(dec(_wkt_codecs.decode_value, data), normalized(v))


@given(json_dicts)
def test_struct_round_trips_with_protobuf_and_det_sorts_keys(d: dict[str, Json]) -> None:
    data = enc(_wkt_codecs.encode_struct, d)
    assert struct_pb2.Struct.FromString(data) == struct_to_pb(d)
    assert struct_pb2.Struct.FromString(enc(_wkt_codecs.encode_struct, d, det=True)) == struct_to_pb(d)
    assert same_json(dec(_wkt_codecs.decode_struct, struct_to_pb(d).SerializeToString()), normalized(d))


def test_struct_det_writes_keys_in_code_point_order_regardless_of_insertion() -> None:
    d = {"b": 1, "é": [], "ab": None, "": "x", "a": {"z": 1, "y": 2}, "B": True}
    expected = b"".join(
        struct_to_pb({k: d[k]}).SerializeToString(deterministic=True) for k in ["", "B", "a", "ab", "b", "é"]
    )
    assert enc(_wkt_codecs.encode_struct, d, det=True) == expected
    assert enc(_wkt_codecs.encode_struct, dict(reversed(d.items())), det=True) == expected


@given(json_values, json_values)
@example([1], [2, "x"])
@example({"a": 1, "b": {"c": 1}}, {"b": {"d": 2}})
@example({"a": 1}, [1])
@example([None], None)
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_value_merge_matches_protobuf_merge_from_string(a: Json, b: Json) -> None:
    first, second = value_to_pb(a).SerializeToString(), value_to_pb(b).SerializeToString()
    merged = struct_pb2.Value()
    merged.MergeFromString(first)
    merged.MergeFromString(second)
    expected = value_from_pb(merged)
    assert same_json(dec(_wkt_codecs.decode_value, first + second), expected)


@given(json_dicts, json_dicts)
def test_struct_merge_adds_and_replaces_entries_like_protobuf(a: dict[str, Json], b: dict[str, Json]) -> None:
    first, second = struct_to_pb(a).SerializeToString(), struct_to_pb(b).SerializeToString()
    merged = struct_pb2.Struct()
    merged.MergeFromString(first)
    merged.MergeFromString(second)
    expected = {k: value_from_pb(v) for k, v in merged.fields.items()}
    assert same_json(dec(_wkt_codecs.decode_struct, first + second), expected)


def test_value_with_no_kind_and_empty_struct_decode_to_their_zero() -> None:
    assert dec(_wkt_codecs.decode_value, b"") is None and _wkt_codecs.zero_value() is None
    assert dec(_wkt_codecs.decode_struct, b"") == {} == _wkt_codecs.zero_struct()
    assert _wkt_codecs.zero_struct() is not _wkt_codecs.zero_struct()
    assert enc(_wkt_codecs.encode_value, None) == value_to_pb(None).SerializeToString() == b"\x08\x00"


@pytest.mark.parametrize("bad", [2**60, 2**53 + 1, -(2**53) - 1, [1, {"x": -(2**60)}]])
def test_value_rejects_ints_that_a_double_cannot_hold_exactly(bad: Json) -> None:
    with pytest.raises(ValueError, match="2\\*\\*53"):
        enc(_wkt_codecs.encode_value, bad)


@pytest.mark.parametrize("bad", [{1: "x"}, [{"a": {(1, 2): None}}], {None: 1}])
def test_struct_keys_must_be_str(bad: Json) -> None:
    with pytest.raises(TypeError, match="keys must be str"):
        enc(_wkt_codecs.encode_value, bad)


@pytest.mark.parametrize("bad", [b"bytes", {1, 2}, object(), 1j, [datetime(2024, 1, 1)]])
def test_value_rejects_non_json_types(bad: object) -> None:
    with pytest.raises(TypeError, match="expected a JSON value"):
        enc(_wkt_codecs.encode_value, bad)
    with pytest.raises(TypeError, match="expected dict"):
        enc(_wkt_codecs.encode_struct, bad)


def nested_lists(depth: int) -> bytes:
    """A Value body holding ``depth`` lists inside each other."""
    body = b""
    for _ in range(depth):
        body = length_delimited(6, length_delimited(1, body))
    return body


def test_value_nested_past_the_budget_is_a_decode_error() -> None:
    data = nested_lists(200)
    assert struct_pb2.Value.FromString(nested_lists(30)) is not None  # shape accepted by protobuf
    with pytest.raises(DecodeError, match="max_depth"):
        dec(_wkt_codecs.decode_value, data, budget=100)
    deep: Json = dec(_wkt_codecs.decode_value, data, budget=1000)
    for _ in range(200):
        assert isinstance(deep, list) and len(deep) == 1
        deep = deep[0]
    assert deep is None


def test_value_nested_past_python_recursion_limit_is_a_decode_error_not_recursion_error() -> None:
    data = nested_lists(sys.getrecursionlimit() * 2)
    with pytest.raises(DecodeError):
        dec(_wkt_codecs.decode_value, data, budget=10**9)
    with pytest.raises(DecodeError):
        entry = b"\x0a\x00" + length_delimited(2, data)
        dec(_wkt_codecs.decode_struct, length_delimited(1, entry), budget=10**9)


def test_value_nested_past_the_budget_is_an_encode_error() -> None:
    deep: Json = None
    for _ in range(200):
        deep = [deep]
    with pytest.raises(EncodeError, match="max_depth"):
        enc(_wkt_codecs.encode_value, deep, budget=100)
    assert dec(_wkt_codecs.decode_value, enc(_wkt_codecs.encode_value, deep, budget=1000), budget=1000) == deep
    with pytest.raises(EncodeError, match="max_depth"):
        enc(_wkt_codecs.encode_struct, {"a": deep}, budget=100)


def test_cyclic_values_are_an_encode_error_whatever_the_budget() -> None:
    loop: list[Json] = []
    loop.append(loop)
    cyclic: dict[str, Json] = {}
    cyclic["me"] = cyclic
    for value in (loop, cyclic):
        for budget in (100, 10**9):
            with pytest.raises(EncodeError):
                enc(_wkt_codecs.encode_value, value, budget=budget)


KINDS = ["timestamp", "duration", "date", "value", "struct"]
ENCODERS = [getattr(_wkt_codecs, f"encode_{kind}") for kind in KINDS]
DECODERS = [getattr(_wkt_codecs, f"decode_{kind}") for kind in KINDS]


@pytest.mark.parametrize("fn", ENCODERS)
def test_every_encoder_refuses_a_negative_budget(fn: Callable[..., None]) -> None:
    with pytest.raises(EncodeError, match="max_depth"):
        fn(_wkt_codecs.zero_date() if fn is _wkt_codecs.encode_date else None, bytearray(), -1, False)


@pytest.mark.parametrize("fn", DECODERS)
def test_every_decoder_refuses_a_negative_budget(fn: Callable[..., object]) -> None:
    with pytest.raises(DecodeError, match="max_depth"):
        fn(b"", 0, 0, -1)


@pytest.mark.parametrize(
    ("data", "pb_class"),
    [
        (b"\x1a\x02\xc3\x28", struct_pb2.Value),
        (b"\x1a\x01\xff", struct_pb2.Value),
        (b"\x1a\x03\xed\xa0\x80", struct_pb2.Value),  # an encoded surrogate
        (b"\x0a\x05\x0a\x03\xe2\x82\x12", struct_pb2.Struct),
    ],
    ids=["invalid-continuation", "ff-byte", "surrogate", "struct-key"],
)
def test_bad_utf8_is_a_decode_error_as_in_protobuf(data: bytes, pb_class: Any) -> None:
    with pytest.raises(google.protobuf.message.DecodeError):
        pb_class.FromString(data)
    fn = _wkt_codecs.decode_value if pb_class is struct_pb2.Value else _wkt_codecs.decode_struct
    with pytest.raises(DecodeError, match="UTF-8") as info:
        fn(b"junk" + data, 4, 4 + len(data), 100)
    assert info.value.offset is not None and 4 <= info.value.offset <= 4 + len(data)


# --- Truncation, bounds and unknown fields ------------------------------------------------------

TRUNCATED = [
    (_wkt_codecs.decode_timestamp, b"\x08"),
    (_wkt_codecs.decode_timestamp, b"\x08\x96"),
    (_wkt_codecs.decode_duration, b"\x10\xff\xff"),
    (_wkt_codecs.decode_date, b"\x08\xe8\x0f\x10"),
    (_wkt_codecs.decode_value, b"\x11\x00\x00\x00"),
    (_wkt_codecs.decode_value, b"\x1a\x05abc"),
    (_wkt_codecs.decode_value, b"\x32\x04\x0a\x05\x08\x00"),
    (_wkt_codecs.decode_value, b"\x2a\x02\x0a"),
    (_wkt_codecs.decode_struct, b"\x0a\x04\x0a\x01a\x12"),
    (_wkt_codecs.decode_struct, b"\x0a\x02\x12\x05"),
    (_wkt_codecs.decode_struct, b"\x0a\x80"),
]


@pytest.mark.parametrize(("fn", "data"), TRUNCATED)
def test_truncated_bodies_are_decode_errors(fn: Callable[..., object], data: bytes) -> None:
    with pytest.raises(DecodeError):
        dec(fn, data)


@pytest.mark.parametrize(
    ("fn", "body"),
    [
        (_wkt_codecs.decode_timestamp, timestamp_pb2.Timestamp(seconds=-5, nanos=7).SerializeToString()),
        (_wkt_codecs.decode_duration, duration_pb2.Duration(seconds=300, nanos=1).SerializeToString()),
        (_wkt_codecs.decode_date, date_pb2.Date(year=2024, month=2, day=29).SerializeToString()),
        (_wkt_codecs.decode_value, value_to_pb({"k": [1.5, "s", None, True]}).SerializeToString()),
        (_wkt_codecs.decode_struct, struct_to_pb({"k": "v", "n": {}}).SerializeToString(deterministic=True)),
    ],
)
def test_decoders_never_read_past_end(fn: Callable[..., object], body: bytes) -> None:
    """Cutting ``end`` short inside a buffer that goes on must fail, not peek at later bytes."""
    whole = fn(b"xx" + body + b"\x08\x01\x11", 2, 2 + len(body), 100)
    assert same_json(whole, dec(fn, body)) if isinstance(whole, (dict, list)) else whole == dec(fn, body)
    for cut in range(len(body)):
        try:
            fn(b"xx" + body, 2, 2 + cut, 100)
        except DecodeError as e:
            assert e.offset is not None and 2 <= e.offset <= 2 + len(body)
    with pytest.raises(DecodeError):
        fn(b"xx" + body, 2, 2 + len(body) - 1, 100)


UNKNOWN_FIELDS = [
    b"\x18\x05",  # field 3 varint: unknown to Timestamp/Duration/Value
    b"\x0a\x02hi",  # field 1 with the wrong wire type (LEN)
    b"\x11\x01\x02\x03\x04\x05\x06\x07\x08",  # field 2 as I64
    b"\x7d\x01\x02\x03\x04",  # field 15 as I32
    b"\x23\x08\x01\x24",  # a group, field 4
]


@pytest.mark.parametrize("extra", UNKNOWN_FIELDS)
def test_unknown_and_wrongly_typed_fields_are_skipped_like_protobuf(extra: bytes) -> None:
    ts = timestamp_pb2.Timestamp(seconds=100, nanos=5).SerializeToString()
    clean = timestamp_pb2.Timestamp.FromString(extra + ts).SerializeToString()  # protobuf's reading
    assert dec(_wkt_codecs.decode_timestamp, extra + ts) == dec(_wkt_codecs.decode_timestamp, clean)
    du = duration_pb2.Duration(seconds=-100, nanos=-5).SerializeToString()
    clean = duration_pb2.Duration.FromString(du + extra).SerializeToString()
    assert dec(_wkt_codecs.decode_duration, du + extra) == dec(_wkt_codecs.decode_duration, clean)
    if extra[0] >> 3 > 3 or extra[0] & 7 != 0:
        d = date_pb2.Date(year=2000, month=1, day=2).SerializeToString()
        assert dec(_wkt_codecs.decode_date, extra + d) == date(2000, 1, 2)
    if extra[0] != 0x11:  # 0x11 is Value.number_value itself
        v = value_to_pb([1, "a"]).SerializeToString()
        parsed = value_from_pb(struct_pb2.Value.FromString(v + extra))
        assert same_json(dec(_wkt_codecs.decode_value, v + extra), parsed)
    if extra[0] != 0x0A:  # 0x0a is ListValue.values itself
        inner = value_to_pb([1, "a"]).list_value.SerializeToString() + extra
        parsed = value_from_pb(struct_pb2.Value.FromString(length_delimited(6, inner)))
        assert same_json(dec(_wkt_codecs.decode_value, length_delimited(6, inner)), parsed)
    if extra[0] != 0x0A:  # 0x0a is Struct.fields itself
        s = struct_to_pb({"a": None}).SerializeToString()
        parsed = {k: value_from_pb(x) for k, x in struct_pb2.Struct.FromString(s + extra).fields.items()}
        assert same_json(dec(_wkt_codecs.decode_struct, s + extra), parsed)


@pytest.mark.parametrize("extra", [b"\x08\x05", b"\x10\x01", b"\x1a\x01x", *UNKNOWN_FIELDS[2:]])
def test_unknown_fields_inside_a_struct_entry_are_skipped_and_the_entry_kept(extra: bytes) -> None:
    """As protobuf-go and -java do; upb (Python's protobuf) moves such an entry to unknown fields."""
    entry = b"\x0a\x01b" + extra + b"\x12\x02\x20\x01"
    got = dec(_wkt_codecs.decode_struct, length_delimited(1, entry))
    assert same_json(got, {"b": True}) and got == value_from_pb(value_to_pb({"b": True}))


@settings(max_examples=examples(300))
@given(st.binary(max_size=40), st.sampled_from(DECODERS))
def test_arbitrary_bytes_raise_nothing_but_decode_error(data: bytes, fn: Callable[..., object]) -> None:
    try:
        fn(data, 0, len(data), 20)
    except DecodeError as e:
        assert e.offset is None or 0 <= e.offset <= len(data)


# --- Decimal and UUID ---------------------------------------------------------------------------


@given(st.decimals(allow_nan=True, allow_infinity=True) | st.sampled_from([Decimal("sNaN"), Decimal("-NaN7")]))
@example(Decimal("1.10"))
@example(Decimal("-0"))
@example(Decimal("-0E-7"))
@example(Decimal("1E+3"))
def test_decimal_round_trips_exactly_including_exponent_sign_and_nan(d: Decimal) -> None:
    back = _wkt_codecs.decimal_from_wire(_wkt_codecs.decimal_to_wire(d))
    assert back.as_tuple() == d.as_tuple() and back.is_snan() == d.is_snan()


def test_decimal_from_wire_accepts_other_spellings_and_treats_empty_as_zero() -> None:
    assert _wkt_codecs.decimal_from_wire("1e3").as_tuple() == Decimal("1E+3").as_tuple()
    assert _wkt_codecs.decimal_from_wire("").as_tuple() == Decimal(0).as_tuple()


@pytest.mark.parametrize("text", ["abc", " 1", "1 ", "1_000", "1.2.3", "--1", "0x10"])
def test_decimal_from_wire_rejects_bad_text_with_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        _wkt_codecs.decimal_from_wire(text)


@pytest.mark.parametrize("bad", [1, 1.5, "1.5", True, None])
def test_decimal_to_wire_accepts_only_decimal(bad: object) -> None:
    with pytest.raises(TypeError, match="expected Decimal"):
        _wkt_codecs.decimal_to_wire(bad)


@given(st.uuids())
def test_uuid_round_trips_through_its_16_big_endian_bytes(u: UUID) -> None:
    data = _wkt_codecs.uuid_to_wire(u)
    assert data == u.int.to_bytes(16, "big")
    assert _wkt_codecs.uuid_from_wire(data) == u
    assert _wkt_codecs.uuid_from_wire(bytearray(data)) == u


def test_uuid_empty_bytes_is_nil_and_wrong_length_or_type_is_rejected() -> None:
    assert _wkt_codecs.uuid_from_wire(b"") == UUID(int=0)
    for data in (b"\x00" * 15, b"\x00" * 17, b"\x01"):
        with pytest.raises(ValueError, match="16 bytes"):
            _wkt_codecs.uuid_from_wire(data)
    with pytest.raises(TypeError, match="expected UUID"):
        _wkt_codecs.uuid_to_wire("12345678-1234-5678-1234-567812345678")
