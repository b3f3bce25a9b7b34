"""ddl's native types in the compiled JSON writer and reader (json_write.pxi, json_read.pxi,
ddl/_cy/ddl_json_time.h): datetime, timedelta, date, UUID, Decimal, ``typing.Any`` and
``dict[str, Any]``, and the wrappers of ``ddl.wkt`` (a bare value in JSON).

The compiled engine writes a ``datetime`` in UTC, a ``timedelta`` (exact, or ddl's nanosecond
subclasses, and fixed offsets: tests/test_times_compiled.py), ``date`` and ``UUID`` itself, and
reads RFC 3339 and Duration texts, Date objects, and the strings of UUIDs and Decimals itself;
whatever else (a zone of rules, a text it does not parse, valid or not) it leaves to the
Python path.
Either way the text, the value and the error are the Python path's.
"""

from __future__ import annotations

import base64
import decimal
import threading
import uuid
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ddl
from ddl import _compiled
from ddl.testing import json_values
from tests.conftest import examples
from tests.json_paths import assert_same_on_both_paths, written_in_c
from tests.test_converted_compiled import Tagged, odd_uuid
from tests.test_json_compiled_read import Color, assert_engines_agree, read_in_c
from tests.test_wkt_values_compiled import json_like

pytestmark = pytest.mark.skipif(_compiled.speedups is None, reason="the compiled engine is not built")

DUR_MAX = 315_576_000_000  # seconds: Duration's JSON range, +-10,000 years


class Times(ddl.Message):
    at: datetime = datetime(1970, 1, 1, tzinfo=UTC)
    when: datetime | None = None
    took: timedelta = timedelta(0)
    span: timedelta | None = None
    history: list[datetime] = ddl.field(default_factory=list)
    laps: list[timedelta] = ddl.field(default_factory=list)
    deadlines: dict[str, datetime] = ddl.field(default_factory=dict)


class Zone(tzinfo):
    """A time zone of its own rules (as zoneinfo's are): its offset is Python code."""

    def utcoffset(self, dt: datetime | None) -> timedelta:
        return timedelta(hours=1)

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)


def micros() -> st.SearchStrategy[int]:
    """Microseconds that give each fraction protobuf writes: none, 3 digits, 6 digits."""
    return st.one_of(st.just(0), st.integers(0, 999).map(lambda ms: ms * 1000), st.integers(0, 999_999))


UTC_TIMES = st.builds(
    lambda t, us: t.replace(microsecond=us, tzinfo=UTC),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)),
    micros(),
)
DURATIONS = st.builds(
    lambda s, us, negative: (-1 if negative else 1) * timedelta(seconds=s, microseconds=us),
    st.one_of(st.integers(0, 100), st.integers(0, DUR_MAX)),
    micros(),
    st.booleans(),
).filter(lambda d: abs(d) <= timedelta(seconds=DUR_MAX, microseconds=999_999))


@settings(max_examples=examples(300), deadline=None)
@given(at=UTC_TIMES, when=st.none() | UTC_TIMES, took=DURATIONS, span=st.none() | DURATIONS,
       history=st.lists(UTC_TIMES, max_size=3), laps=st.lists(DURATIONS, max_size=3),
       deadlines=st.dictionaries(st.text(max_size=3), UTC_TIMES, max_size=2))  # fmt: skip
def test_utc_datetimes_and_timedeltas_are_written_in_c_and_read_back_in_c(**values: Any) -> None:
    msg = Times(**values)
    text = written_in_c(msg)
    assert text is not None
    assert assert_same_on_both_paths(msg) == ("text", text)
    read = read_in_c(text, Times)
    assert read is not None
    assert read == msg
    assert all(t.tzinfo is UTC for t in [read.at, *read.history, *read.deadlines.values()])
    assert assert_engines_agree(text, Times)[0] == "value"


@pytest.mark.parametrize(
    "value",
    [
        {"at": datetime(2024, 5, 1, 12, tzinfo=Zone())},  # a zone of its own rules: converted
        {"at": datetime(2024, 5, 1, 12)},  # naive: an error
        {"when": datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1)))},  # before 0001-01-01 UTC: an error
        {"took": timedelta(seconds=DUR_MAX + 1)},  # beyond JSON's range: an error
        {"took": -timedelta(seconds=DUR_MAX + 1)},
        {"took": timedelta.max},
        {"took": timedelta.min},
        {"span": timedelta(days=3652500, seconds=1)},
        {"laps": [timedelta(1), 5]},
        {"history": [datetime(2024, 1, 1, tzinfo=UTC), "2024-01-01T00:00:00Z"]},
        {"deadlines": {"x": None}},
    ],
)
def test_other_values_are_left_to_the_python_path(value: dict[str, Any]) -> None:
    msg = Times(**value)
    assert written_in_c(msg) is None
    assert_same_on_both_paths(msg)


def test_the_edges_of_each_range_are_written_in_c() -> None:
    for msg in [
        Times(at=datetime(1, 1, 1, tzinfo=UTC), took=timedelta(seconds=DUR_MAX, microseconds=999_999)),
        Times(at=datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC), took=-timedelta(seconds=DUR_MAX)),
        Times(took=timedelta(microseconds=-1), span=timedelta(0)),
    ]:
        text = written_in_c(msg)
        assert text is not None
        assert assert_same_on_both_paths(msg) == ("text", text)


def two(lo: int, hi: int) -> st.SearchStrategy[str]:
    return st.integers(lo, hi).map(lambda n: f"{n:02d}")


FRACTIONS = st.one_of(st.just(""), st.text("0123456789", min_size=1, max_size=10).map(lambda d: "." + d), st.just("."))
OFFSETS = st.one_of(
    st.sampled_from(["Z", "z", "", "+00:00", "-00:00", "+24:00", "+23:60", "+1:00", "+01:0", "+0100"]),
    st.builds(lambda sign, h, m: f"{sign}{h}:{m}", st.sampled_from("+-"), two(0, 25), two(0, 61)),
)
TIMESTAMP_TEXTS = st.builds(
    lambda y, mo, d, h, mi, s, frac, off: f"{y}-{mo}-{d}T{h}:{mi}:{s}{frac}{off}",
    st.one_of(st.integers(0, 9999).map(lambda y: f"{y:04d}"), st.sampled_from(["0001", "9999", "2000", "1900", "123"])),
    two(0, 13), two(0, 32), two(0, 24), two(0, 60), two(0, 61), FRACTIONS, OFFSETS,
)  # fmt: skip
DURATION_TEXTS = st.builds(
    lambda sign, digits, frac, end: f"{sign}{digits}{frac}{end}",
    st.sampled_from(["", "-", "+", "--"]),
    st.one_of(st.integers(0, 10**13).map(str), st.text("0123456789", max_size=22)),
    FRACTIONS,
    st.sampled_from(["s", "s", "S", "", "ss"]),
)


def whole_microseconds(value: Any) -> bool:
    return type(value) in (datetime, timedelta)  # not a DatetimeNs or TimedeltaNs


@settings(max_examples=examples(400), deadline=None)
@given(when=TIMESTAMP_TEXTS, span=DURATION_TEXTS)
def test_any_time_texts_read_the_same_on_both_engines(when: str, span: str) -> None:
    for field, text in (("when", when), ("span", span)):
        outcome = assert_engines_agree(f'{{"{field}": "{text}"}}', Times)
        if outcome[0] == "value" and whole_microseconds(getattr(outcome[1], field)):
            assert read_in_c(f'{{"{field}": "{text}"}}', Times) is not None, text


@pytest.mark.parametrize(
    "text",
    [
        "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59.999999999Z",
        "0001-01-01T00:00:00+00:01", "0001-01-01T00:59:00+01:00", "9999-12-31T23:59:59-00:01",
        "9999-12-31T23:00:00-00:59", "2024-02-29T00:00:00Z", "2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z",
        "2000-02-29T00:00:00Z", "2024-04-31T00:00:00Z", "1972-06-30T23:59:60Z", "1972-01-01T10:00:20.021Z",
        "1972-01-01T10:00:20.021+05:30", "1972-01-01T10:00:20.0000001Z", "1972-01-01T10:00:20.1234567890Z",
        "1972-01-01t10:00:20Z", "1972-01-01T10:00:20", "1972-01-01 10:00:20Z", "+1972-01-01T10:00:20Z",
        "١٩٧٢-01-01T10:00:20Z", "1972-01-01T10:00:20Z ",
    ],
)  # fmt: skip
def test_timestamp_texts_at_every_edge_read_the_same_on_both_engines(text: str) -> None:
    assert_engines_agree(f'{{"when": "{text}", "history": ["{text}"], "deadlines": {{"k": "{text}"}}}}', Times)


@pytest.mark.parametrize(
    "text",
    [
        "0s", "-0s", "1.5s", "-1.5s", "0.000001s", "-0.000000001s", "0.1234567890s", "00000000000000000001s",
        f"{DUR_MAX}s", f"{DUR_MAX}.999999s", f"-{DUR_MAX}.999999999s", f"{DUR_MAX + 1}s", f"-{DUR_MAX + 1}s",
        "99999999999999999999999s", "1.s", ".5s", "1", "1e3s", "- 1s", "1.5 s", "86400.000001s", "-86400.000001s",
    ],
)  # fmt: skip
def test_duration_texts_at_every_edge_read_the_same_on_both_engines(text: str) -> None:
    assert_engines_agree(f'{{"span": "{text}", "laps": ["{text}"], "took": "{text}"}}', Times)


def test_a_time_text_with_an_escape_or_of_another_json_type_is_left_to_the_python_path() -> None:
    for text in ['{"when": "1972-01-01T10:00:20\\u005a"}', '{"when": 0}', '{"span": 1.5}', '{"laps": [null]}']:
        assert read_in_c(text, Times) is None
        assert_engines_agree(text, Times)


# --- date, UUID and Decimal -------------------------------------------------------------------


class Record(ddl.Message):
    id: uuid.UUID | None = None
    born: date | None = None
    ids: list[uuid.UUID] = ddl.field(default_factory=list)
    holidays: dict[str, date] = ddl.field(default_factory=dict)


class Priced(ddl.Message):
    price: Decimal | None = None
    prices: list[Decimal] = ddl.field(default_factory=list)


DATES = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))


@settings(max_examples=examples(200), deadline=None)
@given(id=st.none() | st.uuids(), born=st.none() | DATES, ids=st.lists(st.uuids(), max_size=3),
       holidays=st.dictionaries(st.text(max_size=3), DATES, max_size=2))  # fmt: skip
def test_dates_and_uuids_are_written_in_c_and_read_back_in_c(**values: Any) -> None:
    msg = Record(**values)
    text = written_in_c(msg)
    assert text is not None
    assert assert_same_on_both_paths(msg) == ("text", text)
    read = read_in_c(text, Record)
    assert read == msg
    assert assert_engines_agree(text, Record)[0] == "value"


@settings(max_examples=examples(200), deadline=None)
@given(price=st.none() | st.decimals(), prices=st.lists(st.decimals(allow_nan=False), max_size=3))
def test_decimals_are_written_in_c_and_read_back_in_c(price: Decimal | None, prices: list[Decimal]) -> None:
    msg = Priced(price=price, prices=prices)
    text = written_in_c(msg)
    outcome = assert_same_on_both_paths(msg)
    assert outcome == ("text", text)
    read = read_in_c(outcome[1], Priced)
    assert read is not None
    assert [str(d) for d in read.prices] == [str(d) for d in prices]  # exact: "1.10" stays 1.10
    assert str(read.price) == str(price)
    assert_engines_agree(outcome[1], Priced)


@pytest.mark.parametrize(
    "value",
    [
        {"id": Tagged(int=5)}, {"id": odd_uuid(-1)}, {"id": odd_uuid(2**128)}, {"id": odd_uuid(True)},
        {"id": odd_uuid("x")}, {"ids": [uuid.UUID(int=3), "x"]}, {"born": datetime(2024, 1, 1, tzinfo=UTC)},
        {"born": "2024-01-01"}, {"holidays": {"x": None}},
    ],
)  # fmt: skip
def test_other_dates_and_uuids_are_left_to_the_python_path(value: dict[str, Any]) -> None:
    msg = Record(**value)
    assert written_in_c(msg) is None
    assert_same_on_both_paths(msg)


def test_a_uuid_at_each_end_of_its_range_is_written_in_c() -> None:
    for number in (0, 1, 2**64 - 1, 2**64, 2**128 - 1):
        msg = Record(id=uuid.UUID(int=number))
        text = written_in_c(msg)
        assert text is not None
        assert assert_same_on_both_paths(msg) == ("text", text)


PART = st.one_of(
    st.integers(-3, 10000).map(str), st.integers(-3, 40).map(lambda n: f'"{n}"'),
    st.sampled_from(["1e3", "1.0", "1.5", "null", '"x"', "2147483648", "-2147483649", "true", "[]"]),
)  # fmt: skip
DATE_OBJECTS = st.lists(
    st.tuples(st.sampled_from(["year", "month", "day", "year", "month", "day", "Year", "days", "d\u0061y"]), PART),
    max_size=5,
).map(lambda pairs: "{" + ", ".join(f'"{k}": {v}' for k, v in pairs) + "}")


@settings(max_examples=examples(400), deadline=None)
@given(born=DATE_OBJECTS)
def test_any_date_object_reads_the_same_on_both_engines(born: str) -> None:
    text = f'{{"born": {born}}}'
    for options in ({}, {"ignore_unknown_fields": True}):
        outcome = assert_engines_agree(text, Record, **options)
    # A whole number spelled as a float (1e3, 1.0) is a valid part that only the Python reader reads.
    integers = not any(spelling in born for spelling in ("1e3", "1.0"))
    if outcome[0] == "value" and outcome[1].born is not None and born.count('"') == 6 and "\\" not in born and integers:
        # the three parts, each once, as integers: the C reader's own
        assert read_in_c(text, Record) is not None, born


def b64(raw: bytes, urlsafe: bool = False, padded: bool = True) -> str:
    text = (base64.urlsafe_b64encode if urlsafe else base64.b64encode)(raw).decode()
    return text if padded else text.rstrip("=")


@pytest.mark.parametrize(
    "text",
    [
        b64(bytes(16)), b64(bytes(range(16))), b64(b"\xff" * 16, urlsafe=True), b64(b"\xfb" * 16, padded=False), "",
        b64(bytes(15)), b64(bytes(17)), "not base64", b64(bytes(16))[:-1],
    ],
)  # fmt: skip
def test_uuid_texts_read_the_same_on_both_engines(text: str) -> None:
    assert_engines_agree(f'{{"id": "{text}", "ids": ["{text}"]}}', Record)


@pytest.mark.parametrize(
    "text", ["1.10", "-0", "0", "1e5", "-1E-7", "NaN", "sNaN", "-Infinity", " 1", "1_0", "", "abc", "0x10", "1.2.3"]
)
def test_decimal_texts_read_the_same_on_both_engines(text: str) -> None:
    assert_engines_agree(f'{{"price": "{text}", "prices": ["{text}"]}}', Priced)


def test_the_c_reader_reads_the_common_dates_uuids_and_decimals_itself() -> None:
    text = (
        f'{{"id": "{b64(uuid.UUID(int=7).bytes)}", "born": {{"day": 29, "month": "2", "year": 2024}},'
        ' "ids": [], "holidays": {"x": {"year": 1, "month": 1, "day": 1}}}'
    )
    assert read_in_c(text, Record) == Record(id=uuid.UUID(int=7), born=date(2024, 2, 29), holidays={"x": date(1, 1, 1)})
    assert read_in_c('{"price": "1.10", "prices": ["-0", "1E+3"]}', Priced) is not None


def in_a_new_thread(work: Any) -> Any:
    """What ``work()`` gives in a thread of its own (which starts without a decimal context)."""
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(work()))
    thread.start()
    thread.join()
    return result[0]


def test_a_decimal_is_left_to_the_python_path_until_its_thread_has_a_decimal_context() -> None:
    # Making a thread's context allocates an object the GC tracks, which could start a collection
    # that runs Python code in the middle of the C writer: the Python path makes it.
    msg = Priced(price=Decimal("1.10"))
    ddl.to_json(msg)  # compiled here first: compiling the class makes a decimal context in its thread

    def writes() -> tuple[str | None, str, str | None]:
        before = written_in_c(msg)
        text = ddl.to_json(msg)
        return before, text, written_in_c(msg)

    assert in_a_new_thread(writes) == (None, '{"price": "1.10"}', '{"price": "1.10"}')


def test_a_decimal_is_written_with_its_threads_context_on_both_paths() -> None:
    # str() of a Decimal follows the context's capitals; so does the Python path's.
    def writes() -> tuple[str | None, tuple[str, Any]]:
        decimal.setcontext(decimal.Context(capitals=0))
        msg = Priced(price=Decimal("1E+3"), prices=[Decimal("-0E-7")])
        return written_in_c(msg), assert_same_on_both_paths(msg)

    in_c, both = in_a_new_thread(writes)
    assert in_c == '{"price": "1e+3", "prices": ["-0e-7"]}'
    assert both == ("text", in_c)


# --- typing.Any (google.protobuf.Value) and dict[str, Any] (google.protobuf.Struct) ---------------


class Doc(ddl.Message):
    anything: Any = None
    meta: dict[str, Any] = ddl.field(default_factory=dict)
    rows: list[Any] = ddl.field(default_factory=list)
    by_id: dict[int, Any] = ddl.field(default_factory=dict)


VALUES = json_like(finite=True)


@settings(max_examples=examples(300), deadline=None)
@given(anything=VALUES, meta=st.dictionaries(st.text(max_size=3), VALUES, max_size=3),
       rows=st.lists(VALUES, max_size=2), by_id=st.dictionaries(st.integers(-5, 5), VALUES, max_size=2))  # fmt: skip
def test_json_values_are_written_in_c_and_read_back_in_c(**values: Any) -> None:
    msg = Doc(**values)
    text = written_in_c(msg)
    assert text is not None
    assert assert_same_on_both_paths(msg) == ("text", text)
    if "\\ud8" in text or "\\udc" in text or any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        return  # a lone surrogate: left to the Python reader
    assert read_in_c(text, Doc) is not None
    assert assert_engines_agree(text, Doc)[0] == "value"


@settings(max_examples=examples(200), deadline=None)
@given(value=json_values())
def test_the_values_ddl_testing_makes_read_back_as_they_were_written(value: Any) -> None:
    msg = Doc(anything=value, meta={"k": value})
    outcome = assert_same_on_both_paths(msg)
    if outcome[0] == "text":
        assert_engines_agree(outcome[1], Doc)


class Label(str):
    pass


@pytest.mark.parametrize(
    "value",
    [
        float("nan"), float("inf"), 2**53 + 1, -(2**53) - 1, 2**64, Color.GREEN, Label("x"), {1, 2}, b"x",
        {1: "a"}, {Label("k"): 1}, [float("-inf")], {"k": [2**60]}, datetime(2024, 1, 1, tzinfo=UTC),
    ],
)  # fmt: skip
def test_other_values_under_any_are_left_to_the_python_path(value: Any) -> None:
    for msg in (Doc(anything=value), Doc(meta={"k": value}), Doc(rows=[value])):
        assert written_in_c(msg) is None
        assert_same_on_both_paths(msg)


def nested(depth: int) -> Any:
    """1 in ``depth`` lists."""
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


def test_a_value_nested_past_the_writers_depth_is_left_to_the_python_path() -> None:
    assert written_in_c(Doc(anything=nested(60))) is not None
    msg = Doc(anything=nested(150))
    assert written_in_c(msg) is None
    assert_same_on_both_paths(msg)


@pytest.mark.parametrize(
    "text",
    [
        '{"anything": null}', '{"anything": -0}', '{"anything": -0.0}', '{"anything": 1e400}', '{"anything": -1e400}',
        '{"anything": 123456789012345678901234567890}', '{"anything": "\\ud800"}', '{"anything": {"\\ud800": 1}}',
        '{"anything": {"a": 1, "a": 2}}', '{"meta": {"a": 1, "a": 2}}', '{"meta": []}', '{"meta": null}',
        '{"meta": {"k": [1, {"x": [null, true, "s"]}]}}', '{"rows": [null, [], {}]}', '{"anything": [1,]}',
        '{"anything": NaN}', '{"anything": "NaN"}', '{"anything": tru}', '{"anything": [' + "[" * 120 + "]" * 121 + "}",
        '{"meta": {"k": ' + "[" * 120 + "]" * 120 + "}}", '{"rows": [null, 1]}', '{"byId": {"1": null, "2": []}}',
    ],
)  # fmt: skip
def test_value_texts_at_every_edge_read_the_same_on_both_engines(text: str) -> None:
    assert_engines_agree(text, Doc)


def test_the_c_reader_reads_common_values_itself() -> None:
    text = '{"anything": {"a": [1, -0, 2.5, "x", true, false, null, {}]}, "meta": {"n": 1}, "rows": [[]]}'
    read = read_in_c(text, Doc)
    assert read == Doc(anything={"a": [1.0, 0.0, 2.5, "x", True, False, None, {}]}, meta={"n": 1.0}, rows=[[]])
    assert type(read.meta["n"]) is float
