"""Timestamps, Durations and Dates in the compiled engine, in binary and in JSON: datetimes at a
fixed offset or in a ``zoneinfo`` zone, ``ddl.DatetimeNs`` and ``ddl.TimedeltaNs``, and a
``date``'s binary body.

A datetime at a fixed offset (``datetime.timezone``: what ``astimezone()`` and
``fromisoformat`` give) or in a ``zoneinfo.ZoneInfo`` is written as its instant in UTC. A
Timestamp or Duration with nanoseconds below the microsecond (what Go's and C++'s clocks give)
decodes to a DatetimeNs or TimedeltaNs. The compiled engine reads the offset (a ZoneInfo's
through its C ``utcoffset``) and the ``nanosecond`` slot itself and makes the values with the
datetime module's constructors, as their classes do, both ways and in both forms: the bytes,
texts, values and errors are the Python engine's, with no Python code run. A value it does not
take (a subclass, a tzinfo of Python code, a slot that ``_Nanos.__new__`` did not set) is the
Python engine's to write or refuse; the binary encoder asks such a tzinfo's ``utcoffset()``
itself.

1,000 events at a ZoneInfo time took 1,717 µs to encode and 3,019 µs to write as JSON, where the
same in UTC take 30 and 43; now 47 and 81. A ``date`` (google.type.Date) went through the Python
helpers in binary: 100 people with a birth date each took 70 µs to encode and 238 to decode; the
compiled engine writes and reads the three parts itself (2.2 and 8.4 µs).
"""

from __future__ import annotations

import pickle
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import ddl
from ddl import DatetimeNs, TimedeltaNs, _compiled
from tests.conftest import examples, no_collection, python_calls_of
from tests.json_paths import assert_same_on_both_paths, written_in_c, written_in_c_as_python
from tests.strategies import assert_same
from tests.test_converted_compiled import assert_decodes_alike, outcome, round_trip
from tests.test_json_compiled_natives import DUR_MAX, DURATIONS, UTC_TIMES, Times, Zone, micros
from tests.test_json_compiled_read import read_in_c_as_python

pytestmark = pytest.mark.skipif(_compiled.speedups is None, reason="the compiled engine is not built")

NANOS = st.one_of(st.sampled_from([0, 1, 999]), st.integers(0, 999))
# Offsets of whole seconds, as datetime.timezone holds them: strictly within a day.
ZONES = st.one_of(
    st.sampled_from([timedelta(hours=2), timedelta(hours=-5, minutes=-30), timedelta(seconds=86_399)]),
    st.integers(-86_399, 86_399).map(lambda s: timedelta(seconds=s)),
).map(timezone)
# Instants a day inside Timestamp's range, which any such offset keeps within datetime's.
INSIDE = st.builds(
    lambda t, us: t.replace(microsecond=us, tzinfo=UTC),
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    micros(),
)
ELSEWHERE = st.builds(lambda t, zone: t.astimezone(zone), INSIDE, ZONES)
TIMES = st.one_of(UTC_TIMES, ELSEWHERE, st.builds(DatetimeNs.from_datetime, UTC_TIMES | ELSEWHERE, NANOS))
# Any nanoseconds added keep a Duration within JSON's range: its seconds stay at most DUR_MAX.
SPANS = st.one_of(DURATIONS, st.builds(TimedeltaNs.from_timedelta, DURATIONS, NANOS))


def every_time(msg: Times) -> list[Any]:
    return [msg.at, msg.when, msg.took, msg.span, *msg.history, *msg.laps, *msg.deadlines.values()]


@settings(max_examples=examples(300), deadline=None)
@given(at=TIMES, when=st.none() | TIMES, took=SPANS, span=st.none() | SPANS, history=st.lists(TIMES, max_size=3),
       laps=st.lists(SPANS, max_size=3), deadlines=st.dictionaries(st.text(max_size=3), TIMES, max_size=2))  # fmt: skip
def test_times_are_written_and_read_in_c_as_the_python_engine_does(**values: Any) -> None:
    msg = Times(**values)
    python, compiled = round_trip(msg)  # binary: the same bytes, and no Python code run
    assert python == msg
    assert_same(python, compiled)
    for made, reference in zip(every_time(compiled), every_time(python), strict=True):
        assert made.__class__ is reference.__class__
        assert hash(made) == hash(reference)
        assert repr(made) == repr(reference)
        assert pickle.loads(pickle.dumps(made)) == reference

    read = read_in_c_as_python(written_in_c_as_python(msg), Times)
    assert_same(python, read)


def unset_nanos() -> DatetimeNs:
    """A DatetimeNs made past ``_Nanos.__new__``: its slot empty."""
    return datetime.__new__(DatetimeNs, 2024, 5, 1, tzinfo=UTC)


def odd_nanos(value: DatetimeNs | TimedeltaNs, ns: object) -> Any:
    object.__setattr__(value, "_ns", ns)  # past the constructor's checks
    return value


class LaterNs(DatetimeNs):
    __slots__ = ()


def at_noon(ns: int = 5) -> DatetimeNs:
    return DatetimeNs.from_datetime(datetime(2024, 5, 1, 12, tzinfo=UTC), ns)


def took(ns: int = 5) -> TimedeltaNs:
    return TimedeltaNs.from_timedelta(timedelta(seconds=3), ns)


@pytest.mark.parametrize(
    "value",
    [
        {"at": datetime(2024, 5, 1, 12, tzinfo=Zone())},
        {"at": DatetimeNs.from_datetime(datetime(2024, 5, 1, 12, tzinfo=Zone()), 5)},
        {"at": datetime(2024, 5, 1, 12, tzinfo=timezone(timedelta(seconds=1, microseconds=1)))},
        {"at": datetime(1, 1, 1, tzinfo=timezone(timedelta(seconds=1)))},  # before 0001-01-01 UTC: an error
        {"when": datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(seconds=-61)))},  # after 9999
        {"at": DatetimeNs.from_datetime(datetime(2024, 5, 1, 12), 5)},  # naive: an error
        {"at": LaterNs.from_datetime(datetime(2024, 5, 1, tzinfo=UTC), 5)},
        {"at": unset_nanos()},
        {"at": odd_nanos(at_noon(), 1000)},
        {"at": odd_nanos(at_noon(), -1)},
        {"at": odd_nanos(at_noon(), True)},
        {"at": odd_nanos(at_noon(), 2**70)},
        {"history": [at_noon(), odd_nanos(at_noon(), "5")]},
        {"took": odd_nanos(took(), 1.0)},
        {"laps": [took(), odd_nanos(took(), 1000)]},
        {"took": TimedeltaNs.from_timedelta(timedelta(seconds=DUR_MAX + 1), 1)},  # beyond JSON's range
        {"took": TimedeltaNs.from_timedelta(timedelta.max, 999)},
        {"took": TimedeltaNs.from_timedelta(timedelta.min, 1)},
    ],
)
def test_other_values_are_left_to_the_python_engine(value: dict[str, Any]) -> None:
    msg = Times(**value)
    encoded = outcome(ddl.encode, msg, compiled=True)
    assert encoded == outcome(ddl.encode, msg, compiled=False)
    if encoded[0] == "value":  # (an error comes from the Python engine alone)
        with no_collection():
            assert python_calls_of(ddl.encode, msg) > 0
    assert written_in_c(msg) is None
    assert_same_on_both_paths(msg)


@pytest.mark.parametrize(
    "span",
    [
        TimedeltaNs.from_timedelta(timedelta(seconds=DUR_MAX, microseconds=999_999), 999),  # the largest
        TimedeltaNs.from_timedelta(-timedelta(seconds=DUR_MAX, microseconds=1), 999),  # -DUR_MAX.000000001s
        TimedeltaNs.from_timedelta(-timedelta(seconds=DUR_MAX + 1), 1),  # -DUR_MAX.999999999s, the smallest
        TimedeltaNs.from_nanoseconds(-1),
        TimedeltaNs.from_nanoseconds(-999),
        TimedeltaNs.from_nanoseconds(-1001),
        TimedeltaNs.from_nanoseconds(-1_000_000_001),
        TimedeltaNs.from_timedelta(timedelta(0), 0),
    ],
)
def test_durations_at_each_edge_are_written_and_read_in_c(span: TimedeltaNs) -> None:
    msg = Times(took=span, at=at_noon(999))
    python, compiled = round_trip(msg)
    assert_same(python, compiled)
    assert python.took == span
    assert python.took.__class__ is (TimedeltaNs if span.nanosecond else timedelta)
    assert_same(python, read_in_c_as_python(written_in_c_as_python(msg), Times))


@pytest.mark.parametrize(
    "text",
    [
        '{"at": "2024-05-01T12:00:00.123456789Z", "took": "1.000000001s"}',
        '{"at": "2024-05-01T12:00:00.000000001+02:00", "took": "-0.000000001s"}',
        '{"at": "0001-01-01T00:00:00.999999999Z", "took": "-315576000000.999999999s"}',
        '{"at": "9999-12-31T23:59:59.999999999Z", "took": "315576000000.999999999s"}',
        '{"history": ["1970-01-01T00:00:00.000000500Z"], "laps": ["0.5s", "-1.000000500s"]}',
    ],
)
def test_texts_with_nanoseconds_are_read_in_c(text: str) -> None:
    read = read_in_c_as_python(text, Times)
    assert any(type(t) in (DatetimeNs, TimedeltaNs) for t in every_time(read))


# --- google.type.Date: a date's three parts ---------------------------------------------------------


class Dated(ddl.Message):
    born: date = ddl.field(default_factory=lambda: date(1970, 1, 1))
    died: date | None = None
    visits: list[date] = ddl.field(default_factory=list)
    holidays: dict[str, date] = ddl.field(default_factory=dict)


@settings(max_examples=examples(300), deadline=None)
@given(born=st.dates(), died=st.none() | st.dates(), visits=st.lists(st.dates(), max_size=3),
       holidays=st.dictionaries(st.text(max_size=3), st.dates(), max_size=2))  # fmt: skip
def test_dates_are_written_and_read_in_c_as_the_python_engine_does(**values: Any) -> None:
    msg = Dated(**values)
    python, compiled = round_trip(msg)  # the same bytes, and no Python code run
    assert python == msg
    assert_same(python, compiled)


class Day(date):
    pass


@pytest.mark.parametrize("value", [datetime(2024, 5, 1, tzinfo=UTC), Day(2024, 5, 1), "2024-05-01", None])
def test_other_date_values_are_left_to_the_python_engine(value: Any) -> None:
    msg = Dated(visits=[date(2024, 1, 1), value])
    encoded = outcome(ddl.encode, msg, compiled=True)
    assert encoded == outcome(ddl.encode, msg, compiled=False)


def date_body(*fields: tuple[int, int]) -> bytes:
    """Dated's ``born`` holding a Date body of (field number, varint) pairs."""
    body = b"".join(bytes([number << 3]) + varint(value) for number, value in fields)
    return bytes([0x0A, len(body)]) + body


def varint(value: int) -> bytes:
    value &= (1 << 64) - 1
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    return bytes([*out, value])


@pytest.mark.parametrize(
    "data",
    [
        date_body((1, 2024), (2, 5), (3, 1)), date_body((3, 1), (2, 5), (1, 2024)),
        date_body((1, 1), (2, 1), (3, 1)), date_body((1, 9999), (2, 12), (3, 31)),
        date_body((1, 2024), (2, 2), (3, 29)), date_body((1, 2023), (2, 2), (3, 29)),
        date_body((1, 2024), (2, 5)), date_body((1, 0), (2, 5), (3, 1)), date_body((1, 10000), (2, 1), (3, 1)),
        date_body((1, 2024), (2, 13), (3, 1)), date_body((1, -1), (2, 5), (3, 1)),
        date_body((1, 2**32 + 2024), (2, 5), (3, 1)), date_body((1, 2023), (2, 5), (3, 1), (1, 2024)),
        date_body((1, 2024), (2, 5), (3, 1), (4, 1)), date_body(),
        b"\x0a\x03\x08\x80\x80", b"\x0a\x02\x0d\x00", date_body((1, 2024), (2, 5), (3, 1)) * 2,
    ],
)  # fmt: skip
def test_any_date_body_decodes_as_the_python_engine_decodes_it(data: bytes) -> None:
    assert_decodes_alike(data, Dated)


# --- datetimes in a zone of rules (zoneinfo) ---------------------------------------------------------


def zones() -> list[ZoneInfo]:
    """Zones with offsets of hours, half and quarter hours, daylight saving of 30 minutes, and
    local mean times of odd seconds before their first rule (New York's -4:56:02)."""
    names = ["America/New_York", "Europe/Paris", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham", "UTC"]
    try:
        return [ZoneInfo(name) for name in names]
    except ZoneInfoNotFoundError:  # no tz database on this machine
        return []


ZONED = st.builds(
    lambda t, zone, fold: t.replace(tzinfo=zone, fold=fold),
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    st.sampled_from(zones() or [UTC]),
    st.integers(0, 1),
)


CHATHAM = next((zone for zone in zones() if zone.key == "Pacific/Chatham"), UTC)


class Zoned(ddl.Message):
    at: datetime = datetime(1970, 1, 1, tzinfo=UTC)
    history: list[datetime] = ddl.field(default_factory=list)
    deadlines: dict[str, datetime] = ddl.field(default_factory=dict)


def instants(msg: Zoned) -> tuple[Any, ...]:
    """``msg``'s datetimes in UTC. ``==`` cannot tell: a time in a zone's gap or fold never equals
    a time of another zone (PEP 495), though both name one instant."""
    return (
        msg.at.astimezone(UTC),
        [t.astimezone(UTC) for t in msg.history],
        {k: t.astimezone(UTC) for k, t in msg.deadlines.items()},
    )


@pytest.mark.skipif(not zones(), reason="no tz database")
@settings(max_examples=examples(300), deadline=None)
@given(at=ZONED, history=st.lists(ZONED, max_size=3), deadlines=st.dictionaries(st.text(max_size=2), ZONED, max_size=2))
@example(at=datetime(2264, 9, 25, 3, tzinfo=CHATHAM), history=[], deadlines={})  # in its DST gap (02:45 to 03:45)
def test_datetimes_in_zoneinfo_zones_are_written_in_c_at_their_utc_instant(**values: Any) -> None:
    msg = Zoned(**values)
    python, compiled = round_trip(msg)  # the same bytes, and no Python code run
    assert_same(python, compiled)
    assert instants(python) == instants(msg)
    text = written_in_c_as_python(msg)
    assert_same(python, read_in_c_as_python(text, Zoned))


class Town(ZoneInfo):
    pass


@pytest.mark.skipif(not zones(), reason="no tz database")
@pytest.mark.parametrize(
    "at",
    [
        lambda: DatetimeNs.from_datetime(datetime(2024, 3, 10, 2, 30, tzinfo=ZoneInfo("America/New_York")), 7),
        lambda: datetime(2024, 3, 10, 2, 30, tzinfo=Town("America/New_York")),
        lambda: datetime(1, 1, 1, tzinfo=ZoneInfo("Asia/Kolkata")),  # before 0001-01-01 UTC: an error
        lambda: datetime(9999, 12, 31, 23, tzinfo=ZoneInfo("America/New_York")),  # after 9999 in UTC
        lambda: datetime(2024, 5, 1, 12, tzinfo=Zone()),
    ],
)
def test_other_zoned_values_are_written_in_binary_as_the_python_engine_does(at: Any) -> None:
    """A subclass (of datetime or of ZoneInfo), or a tzinfo of Python code, is left to the
    Python path in JSON; in binary, its offset comes from its utcoffset(), as the helper's."""
    msg = Zoned(at=at())
    assert outcome(ddl.encode, msg, compiled=True) == outcome(ddl.encode, msg, compiled=False)
    assert written_in_c(msg) is None
    assert_same_on_both_paths(msg)


class Raising(tzinfo):
    def utcoffset(self, dt: datetime | None) -> timedelta:
        raise LookupError("no offset here")


def test_a_utcoffset_that_raises_is_the_python_engines_error() -> None:
    msg = Zoned(at=datetime(2024, 5, 1, tzinfo=Raising()))
    assert outcome(ddl.encode, msg, compiled=True) == outcome(ddl.encode, msg, compiled=False)


@pytest.mark.skipif(not zones(), reason="no tz database")
@pytest.mark.parametrize("fold", [0, 1])
@pytest.mark.parametrize(
    "local",
    [datetime(2024, 3, 10, 2, 30), datetime(2024, 11, 3, 1, 30), datetime(1883, 11, 18, 12, 3), datetime(2300, 7, 1)],
)
def test_times_in_a_gap_or_a_fold_or_before_or_after_the_rules_are_the_python_engines(
    local: datetime, fold: int
) -> None:
    msg = Zoned(at=local.replace(tzinfo=ZoneInfo("America/New_York"), fold=fold))
    python, compiled = round_trip(msg)
    assert_same(python, compiled)
    assert_same(python, read_in_c_as_python(written_in_c_as_python(msg), Zoned))
