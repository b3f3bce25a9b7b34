"""``ddl.to_dict`` and ``ddl.to_json``: protobuf's canonical proto3 JSON, one rule at a time.

Each test states one rule of the mapping with a literal expected value; the differential tests
(``test_json_write_differential.py``) check the same rules against ``json_format`` itself.
"""

from __future__ import annotations

import enum
import json
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

import ddl
from ddl import wkt
from ddl._wkt_codecs import encode_duration, encode_struct, encode_timestamp
from tests.conftest import Engine


class Color(enum.IntEnum):
    RED = 0
    GREEN = 1
    COLOR_BLUE = 2


class Rank(enum.IntEnum):  # no 0: the .proto that ddl proto writes adds RANK_UNSPECIFIED
    FIRST = 1


class Level(ddl.ClosedEnum):
    LOW = 1


class Point(ddl.Message):
    x: ddl.int32 = 0
    y: ddl.int32 = 0


class Profile(ddl.Message):
    display_name: str = ""
    nick: str = ddl.field(default="", json_name="handle")
    user_id2: int = 0


class Numbers(ddl.Message):
    i32: ddl.int32 = 0
    i64: int = 0
    u32: ddl.uint32 = 0
    u64: ddl.uint64 = 0
    s32: ddl.sint32 = 0
    s64: ddl.sint64 = 0
    fx32: ddl.fixed32 = 0
    fx64: ddl.fixed64 = 0
    sf32: ddl.sfixed32 = 0
    sf64: ddl.sfixed64 = 0
    d: float = 0.0
    f: ddl.float32 = 0.0
    ok: bool = False
    text: str = ""
    data: bytes = b""


class Choices(ddl.Message):
    color: Color = Color.RED
    rank: Rank | None = None
    colors: list[Color] = ddl.field(default_factory=list)
    level: Level | None = None
    null: wkt.NullValue = wkt.NullValue.NULL_VALUE


class Presence(ddl.Message):
    count: int | None = None
    name: str | None = None
    point: Point | None = None
    plain: ddl.int32 = 0
    tags: list[str] = ddl.field(default_factory=list)
    counts: dict[str, int] = ddl.field(default_factory=dict)
    pay: int | str | None = None
    card: str | None = ddl.field(default=None, oneof="method")
    cash: ddl.int32 | None = ddl.field(default=None, oneof="method")


class Containers(ddl.Message):
    points: list[Point] = ddl.field(default_factory=list)
    by_id: dict[int, str] = ddl.field(default_factory=dict)
    flags: dict[bool, ddl.uint64] = ddl.field(default_factory=dict)
    grid: list[list[int]] = ddl.field(default_factory=list)
    holes: list[ddl.int32 | None] = ddl.field(default_factory=list)
    mixed: list[int | str] = ddl.field(default_factory=list)
    groups: dict[str, list[int]] = ddl.field(default_factory=dict)
    maybe: list[int] | None = None


class Natives(ddl.Message):
    when: datetime | None = None
    span: timedelta | None = None
    day: date | None = None
    anything: Any = None
    meta: dict[str, Any] = ddl.field(default_factory=dict)
    price: Decimal | None = None
    key: uuid.UUID | None = None


class Known(ddl.Message):
    count: wkt.Int32Value | None = None
    big: wkt.Int64Value | None = None
    ratio: wkt.FloatValue | None = None
    flag: wkt.BoolValue | None = None
    blob: wkt.BytesValue | None = None
    value: wkt.Value | None = None
    values: wkt.ListValue | None = None
    mask: wkt.FieldMask | None = None
    empty: wkt.Empty | None = None
    packed: wkt.Any | None = None


class Tree(ddl.Message):
    label: str = ""
    children: list[Tree] = ddl.field(default_factory=list)


# --- names ------------------------------------------------------------------------------------


def test_fields_are_named_in_lower_camel_case_or_by_their_json_name() -> None:
    assert ddl.to_dict(Profile(display_name="Ada", nick="ada", user_id2=7)) == {
        "displayName": "Ada", "handle": "ada", "userId2": "7"
    }  # fmt: skip


def test_preserving_proto_field_name_writes_the_names_of_the_proto() -> None:
    written = ddl.to_dict(Profile(display_name="Ada", nick="ada"), preserving_proto_field_name=True)
    assert written == {"display_name": "Ada", "nick": "ada"}


# --- scalars ----------------------------------------------------------------------------------


def test_64_bit_integers_are_strings_and_32_bit_integers_numbers() -> None:
    msg = Numbers(i32=-1, i64=-2, u32=3, u64=2**64 - 1, s32=-5, s64=-6, fx32=7, fx64=8, sf32=-9, sf64=-10)
    assert ddl.to_dict(msg) == {
        "i32": -1, "i64": "-2", "u32": 3, "u64": "18446744073709551615", "s32": -5, "s64": "-6",
        "fx32": 7, "fx64": "8", "sf32": -9, "sf64": "-10",
    }  # fmt: skip


def test_nan_and_the_infinities_are_strings() -> None:
    assert ddl.to_dict(Numbers(d=float("nan"), f=float("inf"))) == {"d": "NaN", "f": "Infinity"}
    assert ddl.to_dict(Numbers(d=float("-inf"))) == {"d": "-Infinity"}


def test_a_float32_field_prints_the_shortest_text_of_its_32_bit_value() -> None:
    # 0.1 is stored as 0.100000001490116...; protobuf prints float fields with float precision.
    assert ddl.to_dict(Numbers(f=0.1)) == {"f": 0.1}
    assert ddl.to_dict(Numbers(f=1 / 3)) == {"f": 0.33333334}
    assert ddl.to_dict(Numbers(d=1 / 3)) == {"d": 1 / 3}


def test_bytes_are_standard_base64_with_padding() -> None:
    assert ddl.to_dict(Numbers(data=b"\xfb\xff")) == {"data": "+/8="}


def test_strings_and_bools_are_themselves() -> None:
    assert ddl.to_dict(Numbers(text="zoë", ok=True)) == {"text": "zoë", "ok": True}


# --- zeros and presence -------------------------------------------------------------------------


def test_fields_without_presence_are_left_out_when_zero() -> None:
    assert ddl.to_dict(Numbers()) == {}
    assert ddl.to_dict(Containers()) == {}


def test_always_print_fields_with_no_presence_writes_their_zeros_but_not_absent_optionals() -> None:
    written = ddl.to_dict(Presence(), always_print_fields_with_no_presence=True)
    assert written == {"plain": 0, "tags": [], "counts": {}}


def test_a_field_with_presence_is_written_when_set_even_to_zero() -> None:
    msg = Presence(count=0, name="", point=Point(), pay=0, cash=0)
    assert ddl.to_dict(msg) == {"count": "0", "name": "", "point": {}, "payInt64": "0", "cash": 0}


def test_negative_zero_is_not_zero_and_is_written() -> None:
    written = ddl.to_dict(Numbers(d=-0.0))
    assert written == {"d": -0.0}
    assert str(written["d"]) == "-0.0"


# --- enums ------------------------------------------------------------------------------------


def test_enums_are_written_by_the_value_names_of_their_proto() -> None:
    # the members' names, which ddl proto writes as they are (and ddl gen read from a .proto)
    msg = Choices(color=Color.GREEN, colors=[Color.RED, Color.COLOR_BLUE])
    assert ddl.to_dict(msg) == {"color": "GREEN", "colors": ["RED", "COLOR_BLUE"]}


def test_use_integers_for_enums_writes_numbers() -> None:
    msg = Choices(color=Color.GREEN, colors=[Color.RED])
    assert ddl.to_dict(msg, use_integers_for_enums=True) == {"color": 1, "colors": [0]}


def test_a_number_an_open_enum_does_not_name_is_written_as_a_number() -> None:
    assert ddl.to_dict(Choices(color=7, colors=[Color.GREEN, 9])) == {"color": 7, "colors": ["GREEN", 9]}


def test_zero_of_an_enum_without_zero_is_the_unspecified_value_of_its_proto() -> None:
    assert ddl.to_dict(Choices(rank=0)) == {"rank": "RANK_UNSPECIFIED"}
    assert ddl.to_dict(Choices(rank=Rank.FIRST)) == {"rank": "FIRST"}


def test_null_value_is_json_null() -> None:
    assert ddl.to_dict(Choices(), always_print_fields_with_no_presence=True)["null"] is None


def test_a_number_a_closed_enum_lacks_cannot_be_written() -> None:
    with pytest.raises(ddl.EncodeError, match="closed enum") as caught:
        ddl.to_dict(Choices(level=5))
    assert caught.value.path == "$.level"


# --- oneofs -----------------------------------------------------------------------------------


def test_a_union_writes_the_member_set_under_that_members_name() -> None:
    assert ddl.to_dict(Presence(pay="cash")) == {"payString": "cash"}
    assert ddl.to_dict(Presence(pay=5)) == {"payInt64": "5"}


def test_a_oneof_group_writes_its_member_that_is_set() -> None:
    assert ddl.to_dict(Presence(card="4111")) == {"card": "4111"}


def test_two_members_of_a_oneof_group_set_cannot_be_written() -> None:
    with pytest.raises(ddl.EncodeError, match="more than one member"):
        ddl.to_dict(Presence(card="4111", cash=5))


# --- containers -------------------------------------------------------------------------------


def test_repeated_fields_are_arrays_and_maps_objects_with_string_keys() -> None:
    msg = Containers(points=[Point(1, 2), Point()], by_id={7: "seven", -1: "minus"}, flags={True: 1, False: 2})
    assert ddl.to_dict(msg) == {
        "points": [{"x": 1, "y": 2}, {}],
        "byId": {"7": "seven", "-1": "minus"},
        "flags": {"true": "1", "false": "2"},
    }


def test_nested_containers_are_the_wrapper_messages_of_their_proto() -> None:
    msg = Containers(grid=[[1, 2], []], holes=[3, None], mixed=[1, "a"], groups={"k": [4]}, maybe=[])
    assert ddl.to_dict(msg) == {
        "grid": [{"values": ["1", "2"]}, {}],
        "holes": [{"value": 3}, {}],
        "mixed": [{"valueInt64": "1"}, {"valueString": "a"}],
        "groups": {"k": {"values": ["4"]}},
        "maybe": {},
    }


def test_wrapper_messages_print_their_empty_containers_with_always_print() -> None:
    written = ddl.to_dict(Containers(grid=[[]], maybe=[]), always_print_fields_with_no_presence=True)
    assert written["grid"] == [{"values": []}]
    assert written["maybe"] == {"values": []}


def test_a_set_is_written_in_the_order_it_iterates_as_the_binary_encoding_is() -> None:
    class Tags(ddl.Message):
        tags: frozenset[str] = frozenset()

    tags = frozenset({"a", "b", "c"})
    assert ddl.to_dict(Tags(tags)) == {"tags": list(tags)}


def test_a_recursive_schema_is_written_to_any_depth() -> None:
    tree = Tree("root", [Tree("a", [Tree("b")]), Tree("c")])
    assert ddl.to_dict(tree) == {
        "label": "root", "children": [{"label": "a", "children": [{"label": "b"}]}, {"label": "c"}]
    }  # fmt: skip


# --- native types -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "text"),
    [
        (datetime(2024, 5, 1, 12, 0, tzinfo=UTC), "2024-05-01T12:00:00Z"),
        (datetime(2024, 5, 1, 12, 0, 0, 250000, tzinfo=UTC), "2024-05-01T12:00:00.250Z"),
        (datetime(2024, 5, 1, 12, 0, 0, 250001, tzinfo=UTC), "2024-05-01T12:00:00.250001Z"),
        (ddl.DatetimeNs(2024, 5, 1, 12, 0, 0, 250001, tzinfo=UTC, nanosecond=7), "2024-05-01T12:00:00.250001007Z"),
        (datetime(2024, 5, 1, 14, 0, tzinfo=timezone(timedelta(hours=2))), "2024-05-01T12:00:00Z"),
        (datetime(1, 1, 1, tzinfo=UTC), "0001-01-01T00:00:00Z"),
    ],
)
def test_a_datetime_is_rfc_3339_in_utc_with_0_3_6_or_9_fraction_digits(when: datetime, text: str) -> None:
    assert ddl.to_dict(Natives(when=when)) == {"when": text}


@pytest.mark.parametrize(
    ("span", "text"),
    [
        (timedelta(0), "0s"),
        (timedelta(seconds=1, microseconds=340), "1.000340s"),
        (ddl.TimedeltaNs(seconds=1, microseconds=340, nanosecond=12), "1.000340012s"),
        (timedelta(milliseconds=-500), "-0.500s"),
        (timedelta(days=-1), "-86400s"),
    ],
)
def test_a_timedelta_is_seconds_with_0_3_6_or_9_fraction_digits(span: timedelta, text: str) -> None:
    assert ddl.to_dict(Natives(span=span)) == {"span": text}


def test_a_date_is_a_google_type_date_object() -> None:
    assert ddl.to_dict(Natives(day=date(2024, 2, 29))) == {"day": {"year": 2024, "month": 2, "day": 29}}


def test_typing_any_and_a_struct_are_json_itself() -> None:
    msg = Natives(anything=[1, 2.5, None, "a", {"b": True}], meta={"k": (1, 2)})
    assert ddl.to_dict(msg) == {"anything": [1, 2.5, None, "a", {"b": True}], "meta": {"k": [1, 2]}}


def test_a_decimal_is_its_exact_string_and_a_uuid_its_bytes_in_base64() -> None:
    key = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert ddl.to_dict(Natives(price=Decimal("1.10"), key=key)) == {"price": "1.10", "key": "EjRWeBI0VngSNFZ4EjRWeA=="}


# --- ddl.wkt ----------------------------------------------------------------------------------


def test_wrappers_are_their_bare_values_even_zero() -> None:
    msg = Known(count=wkt.Int32Value(0), big=wkt.Int64Value(5), ratio=wkt.FloatValue(0.1),
                flag=wkt.BoolValue(False), blob=wkt.BytesValue(b"\x00"))  # fmt: skip
    assert ddl.to_dict(msg) == {"count": 0, "big": "5", "ratio": 0.1, "flag": False, "blob": "AA=="}


def test_value_and_list_value_are_json_itself() -> None:
    msg = Known(value=wkt.Value(kind=wkt.NullValue.NULL_VALUE), values=wkt.ListValue(values=[1.5, "a", None]))
    assert ddl.to_dict(msg) == {"value": None, "values": [1.5, "a", None]}
    assert ddl.to_dict(Known(value=wkt.Value(kind={"a": [True]}))) == {"value": {"a": [True]}}


def test_a_field_mask_is_its_paths_in_lower_camel_case_joined_by_commas() -> None:
    assert ddl.to_dict(Known(mask=wkt.FieldMask(paths=["user.display_name", "id"]))) == {"mask": "user.displayName,id"}


def test_empty_is_an_empty_object() -> None:
    assert ddl.to_dict(Known(empty=wkt.Empty())) == {"empty": {}}


def test_the_top_level_of_a_well_known_type_is_its_special_form(engine: Engine) -> None:
    assert engine.to_json(wkt.Int64Value(5)) == '"5"'
    assert engine.to_json(wkt.FieldMask(paths=["a_b"])) == '"aB"'


def _packed(msg: ddl.Message, name: str) -> wkt.Any:
    return wkt.Any(type_url=f"type.googleapis.com/{name}", value=ddl.encode(msg))


def _raw(encode: Any, value: object) -> bytes:
    out = bytearray()
    encode(value, out, 100, False)
    return bytes(out)


def test_any_is_the_type_url_beside_the_fields_of_the_message_the_registry_names() -> None:
    msg = Known(packed=_packed(Point(1, 2), "geo.Point"))
    assert ddl.to_dict(msg, registry={"geo.Point": Point}) == {
        "packed": {"@type": "type.googleapis.com/geo.Point", "x": 1, "y": 2}
    }


def test_any_holding_a_well_known_type_puts_its_special_form_under_value() -> None:
    url = "type.googleapis.com/google.protobuf."
    cases = [
        (_packed(wkt.Int32Value(3), "google.protobuf.Int32Value"), 3),
        (wkt.Any(type_url=url + "Timestamp", value=_raw(encode_timestamp, datetime(2020, 1, 1, tzinfo=UTC))),
         "2020-01-01T00:00:00Z"),
        (wkt.Any(type_url=url + "Duration", value=_raw(encode_duration, timedelta(seconds=2))), "2s"),
        (wkt.Any(type_url=url + "Struct", value=_raw(encode_struct, {"a": "b"})), {"a": "b"}),
        (_packed(wkt.FieldMask(paths=["a_b"]), "google.protobuf.FieldMask"), "aB"),
    ]  # fmt: skip
    for packed, value in cases:
        assert ddl.to_dict(Known(packed=packed)) == {"packed": {"@type": packed.type_url, "value": value}}


def test_any_holding_empty_is_its_type_alone_and_an_empty_any_is_empty() -> None:
    assert ddl.to_dict(Known(packed=_packed(wkt.Empty(), "google.protobuf.Empty"))) == {
        "packed": {"@type": "type.googleapis.com/google.protobuf.Empty"}
    }
    assert ddl.to_dict(Known(packed=wkt.Any())) == {"packed": {}}


def test_an_any_of_a_type_the_registry_lacks_cannot_be_written() -> None:
    with pytest.raises(ddl.EncodeError, match="registry") as caught:
        ddl.to_dict(Known(packed=_packed(Point(1, 2), "geo.Point")))
    assert caught.value.path == "$.packed"


# --- what JSON leaves out ---------------------------------------------------------------------


def test_unknown_fields_have_no_json_form_and_are_dropped(engine: Engine) -> None:
    with_unknown = engine.encode(Point(1, 2)) + b"\xa0\x06\x01"  # field 100 = 1
    msg = engine.decode(with_unknown, Point)
    assert ddl.to_dict(msg) == {"x": 1, "y": 2}


# --- errors -----------------------------------------------------------------------------------


def _error(msg: ddl.Message, **options: Any) -> ddl.EncodeError:
    with pytest.raises(ddl.EncodeError) as caught:
        ddl.to_dict(msg, **options)
    return caught.value


def test_a_naive_datetime_cannot_be_written() -> None:
    err = _error(Natives(when=datetime(2024, 5, 1)))
    assert (err.path, "naive datetime" in err.message) == ("$.when", True)


def test_nan_in_a_struct_cannot_be_written_and_the_path_names_its_key() -> None:
    err = _error(Natives(meta={"scores": [1.0, float("nan")]}))
    assert (err.path, "NaN" in err.message or "nan" in err.message) == ("$.meta.scores[1]", True)


def test_a_wrong_type_is_an_error_at_the_json_name_of_its_field() -> None:
    err = _error(Profile(display_name=5))  # type: ignore[arg-type]
    assert (err.path, err.message) == ("$.displayName", "expected str, got int")


def test_an_element_out_of_range_is_an_error_at_its_index() -> None:
    err = _error(Containers(points=[Point(), Point(x=2**31)]))
    assert (err.path, err.message) == ("$.points[1].x", "2147483648 is out of range for int32")


def test_errors_inside_wrapper_messages_and_maps_have_the_path_of_their_json() -> None:
    assert _error(Containers(grid=[[1], [2, "3"]])).path == "$.grid[1].values[1]"  # type: ignore[list-item]
    assert _error(Containers(by_id={"a": "x"})).path == "$.byId['a']"  # type: ignore[dict-item]
    assert _error(Containers(groups={"k": [1, None]})).path == "$.groups['k'].values[1]"  # type: ignore[list-item]


def test_a_field_mask_path_that_json_cannot_keep_cannot_be_written() -> None:
    assert _error(Known(mask=wkt.FieldMask(paths=["userName"]))).path == "$.mask"


def test_a_cycle_cannot_be_written() -> None:
    tree = Tree("loop")
    tree.children.append(tree)
    assert "too deep" in _error(tree).message


def test_only_messages_can_be_written() -> None:
    with pytest.raises(ddl.EncodeError, match=r"expected a ddl\.Message"):
        ddl.to_dict({"x": 1})  # type: ignore[arg-type]


# --- to_json ----------------------------------------------------------------------------------


def test_to_json_is_the_text_of_to_dict_with_non_ascii_kept(engine: Engine) -> None:
    msg = Profile(display_name="Zoë", user_id2=1)
    assert engine.to_json(msg) == '{"displayName": "Zoë", "userId2": "1"}'
    assert json.loads(engine.to_json(msg, indent=2)) == ddl.to_dict(msg)


def test_options_are_passed_to_to_json_as_to_dict_takes_them(engine: Engine) -> None:
    text = engine.to_json(Choices(color=Color.GREEN), use_integers_for_enums=True, preserving_proto_field_name=True)
    assert json.loads(text) == {"color": 1}
