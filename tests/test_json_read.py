"""Reading proto3 JSON: what ``ddl.from_json`` and ``ddl.from_dict`` accept, and what they
reject with a ``DecodeError`` naming the value's path, rule by rule (after protobuf's
conformance suite and json_format.Parse)."""

from __future__ import annotations

import enum
import struct
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from google.protobuf import json_format

import ddl
from ddl import wkt
from tests import corpus as c
from tests.conftest import Engine
from tests.test_differential import twin

# Every test reads through ddl.from_json/from_dict on both engines: the compiled one reads the
# text in C first (ddl/_cy/json_read.pxi), and must give the same values and errors. ``read``
# alternates between ddl.from_json and ddl.Decoder(Every).from_json (Engine.from_json).
pytestmark = pytest.mark.usefixtures("engine")


class Status(enum.IntEnum):
    ACTIVE = 0
    GONE = 1


class Shade(ddl.ClosedEnum):
    RED = 1
    BLUE = 2


class Item(ddl.Message):
    sku: str = ""
    qty: ddl.int32 = 0


class Every(ddl.Message):
    i32: ddl.int32 = 0
    u32: ddl.uint32 = 0
    i64: int = 0
    u64: ddl.uint64 = 0
    f32: ddl.float32 = 0.0
    f64: float = 0.0
    flag: bool = False
    text: str = ""
    blob: bytes = b""
    status: Status = Status.ACTIVE
    shade: Shade | None = None
    maybe: ddl.int32 | None = None
    item: Item | None = None
    items: list[Item] = ddl.field(default_factory=list)
    nums: list[ddl.int32] = ddl.field(default_factory=list)
    by_id: dict[int, str] = ddl.field(default_factory=dict)
    on: dict[bool, int] = ddl.field(default_factory=dict)
    pay: int | str | None = None
    when: datetime | None = None
    took: timedelta | None = None
    day: date | None = None
    extra: Any = None
    doc: dict[str, Any] = ddl.field(default_factory=dict)
    price: Decimal = Decimal(0)
    uid: UUID | None = None
    grid: list[list[int]] = ddl.field(default_factory=list)
    holes: list[int | None] = ddl.field(default_factory=list)
    count: wkt.Int32Value | None = None
    value: wkt.Value | None = None
    mask: wkt.FieldMask | None = None
    anything: wkt.Any | None = None


class Job(ddl.Message):
    id: ddl.int32 = ddl.field(required=True)


def read(engine: Engine, text: str | bytes, **options: Any) -> Every:
    msg: Every = engine.from_json(text, Every, **options)
    return msg


# --- accepted spellings ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "field", "expected"),
    [
        ('{"i32": 1e5}', "i32", 100000),
        ('{"i32": 100000.000}', "i32", 100000),
        ('{"i32": "-7"}', "i32", -7),
        ('{"i32": 2.147483647e9}', "i32", 2147483647),
        ('{"u32": 4.294967295e9}', "u32", 4294967295),
        ('{"i64": "9223372036854775807"}', "i64", 9223372036854775807),
        ('{"i64": 9223372036854775807}', "i64", 9223372036854775807),
        ('{"i64": "1e3"}', "i64", 1000),
        ('{"u64": "18446744073709551615"}', "u64", 18446744073709551615),
        ('{"f64": "1.5"}', "f64", 1.5),
        ('{"f64": 3}', "f64", 3.0),
        ('{"f64": "Infinity"}', "f64", float("inf")),
        ('{"f64": "-Infinity"}', "f64", float("-inf")),
        ('{"f32": 3.402823e+38}', "f32", struct.unpack("<f", struct.pack("<f", 3.402823e38))[0]),
        # float32's largest value as protobuf writes it: above it as a double, but rounding to it.
        ('{"f32": -3.4028235e+38}', "f32", -struct.unpack("<f", b"\xff\xff\x7f\x7f")[0]),
        ('{"f32": "0.1"}', "f32", 0.10000000149011612),
        ('{"blob": "AQI="}', "blob", b"\x01\x02"),
        ('{"blob": "AQI"}', "blob", b"\x01\x02"),
        ('{"blob": "-_8="}', "blob", b"\xfb\xff"),
        ('{"blob": "+/8"}', "blob", b"\xfb\xff"),
        ('{"status": "GONE"}', "status", Status.GONE),
        ('{"status": 1}', "status", Status.GONE),
        ('{"status": 7}', "status", 7),
        ('{"shade": "BLUE"}', "shade", Shade.BLUE),
        ('{"text": "\\u8c37\\uD83D\\uDE01"}', "text", "谷😁"),
        ('{"maybe": 0}', "maybe", 0),
        ('{"maybe": null}', "maybe", None),
        ('{"i32": null}', "i32", 0),
        ('{"nums": null}', "nums", []),
        ('{"item": {}}', "item", Item()),
        ('{"byId": {"-3": "x"}}', "by_id", {-3: "x"}),
        ('{"on": {"true": 1, "false": 2}}', "on", {True: 1, False: 2}),
        ('{"payString": ""}', "pay", ""),
        ('{"pay_int64": "5", "payString": null}', "pay", 5),
        ('{"when": "1970-01-01T08:00:01+08:00"}', "when", datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC)),
        ('{"when": "0001-01-01T00:00:00Z"}', "when", datetime(1, 1, 1, tzinfo=UTC)),
        (
            '{"when": "2024-05-01T12:00:00.000000789Z"}',
            "when",
            ddl.DatetimeNs(2024, 5, 1, 12, tzinfo=UTC, nanosecond=789),
        ),
        ('{"took": "-1.5s"}', "took", timedelta(seconds=-1.5)),
        ('{"took": "0.000000001s"}', "took", ddl.TimedeltaNs(nanosecond=1)),
        (
            '{"took": "315576000000.999999999s"}',
            "took",
            ddl.TimedeltaNs(seconds=315576000000, microseconds=999999, nanosecond=999),
        ),
        ('{"day": {"year": 2024, "month": 2, "day": 29}}', "day", date(2024, 2, 29)),
        ('{"extra": {"a": [1, null, true]}}', "extra", {"a": [1.0, None, True]}),
        ('{"doc": {}}', "doc", {}),
        ('{"price": "1.10"}', "price", Decimal("1.10")),
        ('{"uid": "AAAAAAAAAAAAAAAAAAAAAQ=="}', "uid", UUID(int=1)),
        ('{"grid": [{"values": ["1", 2]}, {}]}', "grid", [[1, 2], []]),
        ('{"holes": [{"value": "3"}, {}]}', "holes", [3, None]),
        ('{"count": 0}', "count", wkt.Int32Value(0)),
        ('{"value": null}', "value", wkt.Value(kind=wkt.NullValue.NULL_VALUE)),
        ('{"value": [1, "a"]}', "value", wkt.Value(kind=wkt.ListValue(values=[1.0, "a"]))),
        ('{"mask": "user.displayName,photo"}', "mask", wkt.FieldMask(paths=["user.display_name", "photo"])),
        ('{"mask": ""}', "mask", wkt.FieldMask(paths=[])),
        ('{"anything": {}}', "anything", wkt.Any()),
    ],
)
def test_accepted_json_forms_read_as_protobuf_reads_them(engine: Engine, text: str, field: str, expected: Any) -> None:
    value = getattr(read(engine, text), field)
    assert value == expected and type(value) is type(expected)


# Numbers in strings as protobuf's parsers read them (C++'s with absl's SimpleAtoi and
# SimpleAtod, Python's with int() and float()): with a "+", leading zeros, or digits on one
# side of the point only. Strict JSON has none of these, but a string is not a JSON number.
QUOTED_NUMBERS = ["007", "-01", "+5", "00", "-0", "5.", ".5e1", "01.0", "+1.5e1", "0" * 40 + "42", "-.5", "1.5"]


@pytest.mark.parametrize("form", QUOTED_NUMBERS)
@pytest.mark.parametrize("field", ["i32", "i64", "u64", "f64", "f32"])
def test_a_number_in_a_string_reads_as_json_format_reads_it(engine: Engine, field: str, form: str) -> None:
    text = f'{{"{field}": "{form}"}}'
    try:
        expected = getattr(json_format.Parse(text, twin(c.Scalars)()), field)
    except json_format.ParseError:
        with pytest.raises(ddl.DecodeError, match=r"needs an integer|outside the range"):
            engine.from_json(text, c.Scalars)
        return
    value = getattr(engine.from_json(text, c.Scalars), field)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize("form", ["1", "01", "+1", "-0", "7", "1.0", "5.", "2147483648", "1e0", "GREEN", "green"])
def test_an_enum_number_in_a_string_reads_as_json_format_reads_it(engine: Engine, form: str) -> None:
    text = f'{{"color": "{form}"}}'
    try:
        expected = json_format.Parse(text, twin(c.Scalars)()).color
    except json_format.ParseError:
        with pytest.raises(ddl.DecodeError):
            engine.from_json(text, c.Scalars)
        return
    assert engine.from_json(text, c.Scalars).color == expected


def test_nan_is_read_from_its_string(engine: Engine) -> None:
    assert read(engine, '{"f64": "NaN"}').f64 != read(engine, '{"f64": "NaN"}').f64


def test_both_spellings_of_a_name_are_accepted_and_bytes_read_like_text(engine: Engine) -> None:
    assert (
        read(engine, '{"byId": {"1": "a"}}')
        == read(engine, '{"by_id": {"1": "a"}}')
        == read(engine, b'{"byId": {"1": "a"}}')
    )
    assert ddl.from_dict({"payInt64": "5"}, Every) == Every(pay=5)


def test_ignore_unknown_fields_skips_unknown_keys_and_leaves_unknown_enum_names_unset(engine: Engine) -> None:
    msg = read(
        engine, '{"nope": 1, "status": "NOPE", "shade": 9, "nums": [1], "item": {"x": 1}}', ignore_unknown_fields=True
    )
    assert msg == Every(nums=[1], item=Item())


def test_an_any_reads_its_type_from_the_registry_or_the_well_known_types(engine: Engine) -> None:
    text = '{"anything": {"@type": "type.googleapis.com/t.Item", "sku": "a", "qty": 2}}'
    msg = read(engine, text, registry={"t.Item": Item})
    assert msg.anything == wkt.Any(type_url="type.googleapis.com/t.Item", value=ddl.encode(Item(sku="a", qty=2)))
    duration = read(engine, '{"anything": {"@type": "type.googleapis.com/google.protobuf.Duration", "value": "1s"}}')
    assert duration.anything is not None and duration.anything.value == b"\x08\x01"
    wrapped = read(engine, '{"anything": {"@type": "x/google.protobuf.Int32Value", "value": 5}}')
    assert wrapped.anything is not None and ddl.decode(wrapped.anything.value, wkt.Int32Value) == wkt.Int32Value(5)


# --- rejected inputs, each with the path of the value at fault ------------------------------------


@pytest.mark.parametrize(
    ("text", "path", "message"),
    [
        ('{"i32": 2147483648}', "$.i32", "outside the range of int32"),
        ('{"i32": -2147483649}', "$.i32", "outside the range"),
        ('{"u32": 4294967296}', "$.u32", "outside the range"),
        ('{"u32": -1}', "$.u32", "outside the range"),
        ('{"i64": "9223372036854775808"}', "$.i64", "outside the range"),
        ('{"u64": "18446744073709551616"}', "$.u64", "outside the range"),
        ('{"i32": 0.5}', "$.i32", "needs an integer"),
        ('{"i64": "0.5"}', "$.i64", "needs an integer"),
        ('{"i32": "3x3"}', "$.i32", "needs an integer"),
        ('{"i32": " 1"}', "$.i32", "needs an integer"),
        ('{"i32": "1 "}', "$.i32", "needs an integer"),
        ('{"i32": "1_000"}', "$.i32", "needs an integer"),  # Python's int() takes it, protobuf's C++ not
        ('{"i64": "0x10"}', "$.i64", "needs an integer"),
        ('{"i64": "\u0663"}', "$.i64", "needs an integer"),  # an Arabic-Indic 3, which int() also takes
        ('{"i32": true}', "$.i32", "needs a number"),
        ('{"flag": 0}', "$.flag", "bool needs true or false"),
        ('{"flag": "true"}', "$.flag", "bool needs true or false"),
        ('{"f32": 3.502823e+38}', "$.f32", "outside the range of float"),
        ('{"f32": 3.4028236e+38}', "$.f32", "outside the range of float"),  # rounds to infinity
        ('{"i64": "1e39223372036854775808"}', "$.i64", "needs an integer"),  # beyond Decimal's exponents
        ('{"f64": "nan"}', "$.f64", "needs a number"),
        ('{"f64": "1e999"}', "$.f64", "outside the range"),
        ('{"text": 12345}', "$.text", "string needs a string"),
        ('{"blob": "A"}', "$.blob", "base64"),
        ('{"blob": "AQ=I"}', "$.blob", "base64"),
        ('{"blob": "*"}', "$.blob", "base64"),
        ('{"status": "NOPE"}', "$.status", "not a value of the enum Status"),
        ('{"status": 2147483648}', "$.status", "outside the range"),
        ('{"shade": 9}', "$.shade", "not a number of the closed enum Shade"),
        ('{"nums": [1, null]}', "$.nums[1]", "null is not an element"),
        ('{"nums": [1, false]}', "$.nums[1]", "needs a number"),
        ('{"nums": 1}', "$.nums", "needs an array"),
        ('{"items": [{"sku": "a"}, {"qty": "x"}]}', "$.items[1].qty", "needs an integer"),
        ('{"items": [2]}', "$.items[0]", "Item needs a JSON object"),
        ('{"byId": {"a": "x"}}', "$.byId['a']", "needs an integer"),
        ('{"byId": {"1": null}}', "$.byId['1']", "null is not an element"),
        ('{"on": {"yes": 1}}', "$.on['yes']", '"true" or "false"'),
        ('{"payInt64": 1, "payString": "x"}', "$", "more than one member of the oneof 'pay'"),
        ('{"byId": {}, "by_id": {}}', "$.byId", "given twice"),
        ('{"nope": 1}', "$.nope", "Every has no field named 'nope'"),
        ('{"when": "0000-01-01T00:00:00Z"}', "$.when", "not a valid time"),
        ('{"when": "10000-01-01T00:00:00Z"}', "$.when", "RFC 3339"),
        ('{"when": "0001-01-01T00:00:00"}', "$.when", "RFC 3339"),
        ('{"when": "0001-01-01 00:00:00Z"}', "$.when", "RFC 3339"),
        ('{"when": "0001-01-01T00:00:00z"}', "$.when", "RFC 3339"),
        ('{"when": "0001-01-01t00:00:00Z"}', "$.when", "RFC 3339"),
        ('{"when": "0001-01-01T00:00:00+01:00"}', "$.when", "outside the Timestamp range"),
        ('{"took": "1"}', "$.took", "not a Duration"),
        ('{"took": "315576000001s"}', "$.took", "outside the Duration range"),
        ('{"day": {"year": 2024, "month": 2, "day": 30}}', "$.day", "not a valid full date"),
        ('{"price": 1.5}', "$.price", "a Decimal is a string"),
        ('{"uid": "AQI="}', "$.uid", "16 bytes"),
        ('{"mask": "foo,bar_bar"}', "$.mask", "without '_'"),
        ('{"count": "x"}', "$.count", "needs an integer"),
        ('{"anything": {"sku": "a"}}', "$.anything", '"@type"'),
        ('{"anything": {"@type": "type.googleapis.com/t.Item"}}', "$.anything", "registry does not name"),
        ('{"extra": {"a": [1, {"b": "\\udc00"}]}}', "$", "unpaired surrogate"),
    ],
)
def test_rejected_json_is_a_decode_error_at_the_value_at_fault(
    engine: Engine, text: str, path: str, message: str
) -> None:
    with pytest.raises(ddl.DecodeError, match=message) as caught:
        read(engine, text)
    assert caught.value.path == path


@pytest.mark.parametrize(
    "text",
    [
        "null",
        "[]",
        '"x"',
        "{fieldname1: 1}",
        '{"i32": 1,}',
        '{"nums": [1, 2,]}',
        '{"i32": 1 "u32": 2}',
        "{'text': 'x'}",
        '{"f64": NaN}',
        '{"f64": Infinity}',
        '{"f64": -Infinity}',
        '{"i32": +1}',
        '{"i32": 01}',
        '{"flag": True}',
        '{"status": GONE}',
        '{"text": "\\U8C37"}',
        '{"text": "\\u8C3"}',
        '{"text": "\\uD800"}',
        '{"text": "\\uDE01\\uD83D"}',
        '{"i32": 1, "i32": 2}',
        '{"i32": 1} x',
        "",
        '{"text": "abc\\',
    ],
)
def test_text_that_protobuf_rejects_is_a_decode_error(engine: Engine, text: str) -> None:
    with pytest.raises(ddl.DecodeError):
        read(engine, text)


def test_invalid_json_gives_the_byte_offset_of_the_fault() -> None:
    with pytest.raises(ddl.DecodeError, match="invalid JSON") as caught:
        ddl.from_json('{"text": "é", "i32": }'.encode(), Every)
    assert caught.value.offset == 22
    with pytest.raises(ddl.DecodeError, match="not UTF-8") as bad:
        ddl.from_json(b'{"text": "\xff"}', Every)
    assert bad.value.offset == 10


LONG = "9" * 5000  # more digits than Python converts to an int (4,300 unless changed)


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ('{"i64": ' + LONG + "}", "$.i64"),
        ('{"f64": -' + LONG + "}", "$.f64"),
        ('{"items": [{}, {"sku": "a", "qty": ' + LONG + "}]}", "$.items[1].qty"),
        ('{"byId": {"7": ' + LONG + "}}", "$.byId['7']"),
        ('{"extra": [1, {"x": ' + LONG + "}]}", "$.extra[1].x"),
    ],
)
def test_an_integer_too_long_to_convert_is_a_decode_error_at_its_place(engine: Engine, text: str, path: str) -> None:
    with pytest.raises(ddl.DecodeError, match="a number of 5000 digits, more than any field holds") as caught:
        read(engine, text)
    assert caught.value.path == path
    start = text.index(LONG)
    assert caught.value.offset == (start - 1 if text[start - 1] == "-" else start)  # at its sign, if any


def test_the_offset_of_a_long_integer_counts_bytes_and_skips_its_digits_in_a_string(engine: Engine) -> None:
    text = '{"text": "é ' + LONG + '", "nums": [1, -' + LONG + "]}"
    with pytest.raises(ddl.DecodeError) as caught:
        read(engine, text.encode())
    assert caught.value.path == "$.nums[1]"
    assert caught.value.offset == text.encode().rindex(b"-" + LONG.encode())


@pytest.mark.parametrize("rest", [', "i64": 1}', ", }", "]"])
def test_a_long_integer_in_text_that_fails_otherwise_too_is_still_a_decode_error(engine: Engine, rest: str) -> None:
    with pytest.raises(ddl.DecodeError, match="invalid JSON"):
        read(engine, '{"i64": ' + LONG + rest)


def test_a_missing_required_field_is_a_decode_error_naming_it() -> None:
    assert ddl.from_json('{"id": 3}', Job) == Job(id=3)
    with pytest.raises(ddl.DecodeError, match="the required field 'id' is missing") as caught:
        ddl.from_json("{}", Job)
    assert caught.value.path == "$.id"


def test_messages_nested_beyond_the_depth_limit_are_a_decode_error(engine: Engine) -> None:
    text = '{"anything": ' * 0 + '{"extra": ' + "[" * 150 + "]" * 150 + "}"
    with pytest.raises(ddl.DecodeError, match="nested too deeply"):
        read(engine, text)


# --- the command --------------------------------------------------------------------------------


def test_ddl_encode_writes_the_bytes_of_the_json_on_stdin() -> None:
    def run(text: str) -> subprocess.CompletedProcess[bytes]:
        argv = [sys.executable, "-m", "ddl", "encode", "--type", "examples.demo:Order"]
        return subprocess.run(argv, input=text.encode(), capture_output=True, check=False)

    ok = run('{"id": "3", "items": [{"sku": "x"}]}')
    assert ok.returncode == 0
    from examples.demo import Item as DemoItem
    from examples.demo import Order

    assert ddl.decode(ok.stdout, Order) == Order(id=3, items=[DemoItem(sku="x")])
    bad = run('{"id": 1.5}')
    assert bad.returncode == 1 and bad.stderr.decode() == "ddl encode: int64 needs an integer, got 1.5 at $.id\n"
