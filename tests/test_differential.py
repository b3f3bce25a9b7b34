"""Differential tests: ddl against Google's protobuf runtime, schema by schema.

Each schema in ``tests/corpus.py`` has a .proto twin compiled at test time with protoc. The
converters below map a ddl value to the twin message and back, following ddl's documented type
mapping; they are written from that mapping alone and use none of ddl's internals. Both
directions are checked: ddl's bytes parsed by protobuf, and protobuf's bytes decoded by ddl.
"""

from __future__ import annotations

import functools
import math
import struct
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from types import ModuleType
from typing import Any
from uuid import UUID

import pytest
from google.protobuf import duration_pb2, struct_pb2, timestamp_pb2
from google.protobuf.descriptor import FieldDescriptor
from google.type import date_pb2
from hypothesis import given
from hypothesis import strategies as st

import ddl
from tests import corpus as c
from tests.conftest import FIXTURE_SAFE, Engine
from tests.corpus import CORPUS, WITH_MAPS
from tests.mapping import hints, kind, python_types, singular, wrapper_field
from tests.pb_json import struct_to_pb, value_from_pb, value_to_pb
from tests.protoc import compile_proto
from tests.strategies import message_of, utf8_texts

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DUR_MAX = 315_576_000_000
NS = 10**9


@functools.cache
def pb() -> ModuleType:
    return compile_proto("ddl_difftest", c.PROTO)


def twin(cls: type) -> Any:
    return getattr(pb(), cls.__name__)


def pick(members: list[Any], value: object) -> int:
    for i, member in enumerate(members):
        if type(value) in python_types(member):
            return i
    raise AssertionError(f"no member of {members} takes {value!r}")


def oneof_fields(pbmsg: Any, name: str) -> list[FieldDescriptor]:
    return list(pbmsg.DESCRIPTOR.oneofs_by_name[name].fields)


# --- ddl value -> protobuf message ---------------------------------------------------------------


def ts_to_pb(dt: datetime) -> timestamp_pb2.Timestamp:
    delta = dt - EPOCH
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    m = timestamp_pb2.Timestamp()
    m.FromNanoseconds(micros * 1000 + getattr(dt, "nanosecond", 0))
    return m


def dur_to_pb(td: timedelta) -> duration_pb2.Duration:
    micros = (td.days * 86_400 + td.seconds) * 1_000_000 + td.microseconds
    m = duration_pb2.Duration()
    m.FromNanoseconds(micros * 1000 + getattr(td, "nanosecond", 0))
    return m


def write_wkt(target: Any, k: str, v: Any) -> None:
    """Fill ``target`` (a Timestamp, Duration, Date, Value or Struct already in place) from ``v``."""
    target.SetInParent()
    if k == "timestamp":
        target.CopyFrom(ts_to_pb(v))
    elif k == "duration":
        target.CopyFrom(dur_to_pb(v))
    elif k == "value":
        target.CopyFrom(value_to_pb(v))
    elif k == "struct":
        target.CopyFrom(struct_to_pb(v))
    else:
        assert k == "date"
        target.year, target.month, target.day = v.year, v.month, v.day


def scalar_to_pb(k: tuple[Any, ...], v: Any) -> Any:
    if k[0] == "enum":
        return int(v)
    if k[0] == "decimal":
        return str(v)
    if k[0] == "uuid":
        return v.bytes
    return v


def to_pb(msg: ddl.Message, pbcls: Any = None, sort_sets: bool = False) -> Any:
    out = (pbcls or twin(type(msg)))()
    fill(out, msg, sort_sets)
    return out


def fill(pbmsg: Any, msg: ddl.Message, sort_sets: bool) -> None:
    for name, tp in hints(type(msg)).items():
        set_field(pbmsg, name, tp, getattr(msg, name), sort_sets)


def set_field(pbmsg: Any, name: str, tp: Any, v: Any, sort_sets: bool) -> None:
    """Set a field the way ddl writes it: implicit zeros omitted, present values written."""
    k = kind(tp)
    if k[0] == "union":
        members, _has_none = k[1], k[2]
        if v is None:
            return
        if len(members) == 1:
            set_present(pbmsg, name, members[0], v, sort_sets)
        else:
            i = pick(members, v)
            set_present(pbmsg, oneof_fields(pbmsg, name)[i].name, members[i], v, sort_sets)
    elif k[0] == "repeated":
        items = sorted(v) if sort_sets and k[1] in (set, frozenset) else v
        for x in items:
            append_element(getattr(pbmsg, name), k[2], x, sort_sets)
    elif k[0] == "map":
        for key, x in v.items():
            set_map_value(getattr(pbmsg, name), key, k[2], x, sort_sets)
    elif (k[0] == "value" and v is None) or (k[0] == "struct" and v == {}):
        return  # the zero Value and the empty Struct are omitted like any proto3 zero
    else:
        set_present(pbmsg, name, tp, v, sort_sets)


def set_present(pbmsg: Any, name: str, tp: Any, v: Any, sort_sets: bool) -> None:
    k = kind(tp)
    if k[0] in ("scalar", "enum", "decimal", "uuid"):
        setattr(pbmsg, name, scalar_to_pb(k, v))
    elif k[0] == "message":
        sub = getattr(pbmsg, name)
        sub.SetInParent()
        fill(sub, v, sort_sets)
    elif singular(tp):
        write_wkt(getattr(pbmsg, name), k[0], v)
    else:
        sub = getattr(pbmsg, name)
        sub.SetInParent()
        set_field(sub, wrapper_field(tp), tp, v, sort_sets)


def append_element(rep: Any, tp: Any, x: Any, sort_sets: bool) -> None:
    k = kind(tp)
    if k[0] in ("scalar", "enum", "decimal", "uuid"):
        rep.append(scalar_to_pb(k, x))
    elif k[0] == "message":
        fill(rep.add(), x, sort_sets)
    elif singular(tp):
        write_wkt(rep.add(), k[0], x)
    else:
        set_field(rep.add(), wrapper_field(tp), tp, x, sort_sets)


def set_map_value(m: Any, key: Any, tp: Any, x: Any, sort_sets: bool) -> None:
    k = kind(tp)
    if k[0] in ("scalar", "enum", "decimal", "uuid"):
        m[key] = scalar_to_pb(k, x)
    elif k[0] == "message":
        m[key].SetInParent()
        fill(m[key], x, sort_sets)
    elif singular(tp):
        write_wkt(m[key], k[0], x)
    else:
        set_field(m[key], wrapper_field(tp), tp, x, sort_sets)


# --- protobuf message -> ddl value ---------------------------------------------------------------


def from_pb(pbmsg: Any, cls: type) -> Any:
    return cls(**{name: get_field(pbmsg, name, tp) for name, tp in hints(cls).items()})


def get_field(pbmsg: Any, name: str, tp: Any) -> Any:
    k = kind(tp)
    if k[0] == "union":
        members, has_none = k[1], k[2]
        if len(members) == 1:
            return convert(members[0], getattr(pbmsg, name)) if pbmsg.HasField(name) else None
        fields = oneof_fields(pbmsg, name)
        which = pbmsg.WhichOneof(name)
        if which is None:
            # No member on the wire: None, or the zero value of the first member.
            return None if has_none else convert(members[0], getattr(pbmsg, fields[0].name))
        i = [f.name for f in fields].index(which)
        return convert(members[i], getattr(pbmsg, which))
    if k[0] == "repeated":
        return k[1](convert(k[2], x) for x in getattr(pbmsg, name))
    if k[0] == "map":
        return {key: convert(k[2], x) for key, x in getattr(pbmsg, name).items()}
    return convert(tp, getattr(pbmsg, name))


def convert(tp: Any, v: Any) -> Any:
    """One protobuf value (a scalar or a message) as the ddl value of type ``tp``."""
    k = kind(tp)
    if k[0] == "scalar":
        return v
    if k[0] == "enum":
        return k[1](v) if v in k[1]._value2member_map_ else v
    if k[0] == "message":
        return from_pb(v, k[1])
    if k[0] == "timestamp":
        ns = v.ToNanoseconds()
        dt = EPOCH + timedelta(microseconds=ns // 1000)
        return ddl.DatetimeNs.from_datetime(dt, ns % 1000) if ns % 1000 else dt
    if k[0] == "duration":
        ns = v.ToNanoseconds()
        td = timedelta(microseconds=ns // 1000)
        return ddl.TimedeltaNs.from_timedelta(td, ns % 1000) if ns % 1000 else td
    if k[0] == "date":
        return date(v.year, v.month, v.day)
    if k[0] == "value":
        return value_from_pb(v)
    if k[0] == "struct":
        return {key: value_from_pb(x) for key, x in v.fields.items()}
    if k[0] == "decimal":
        return Decimal(v) if v else Decimal(0)
    if k[0] == "uuid":
        return UUID(bytes=v) if v else UUID(int=0)
    return get_field(v, wrapper_field(tp), tp)


# --- Comparing ddl values field by field ---------------------------------------------------------


def assert_same(actual: Any, expected: Any, path: str = "$") -> None:
    """Equal values of equal types; NaN equals NaN, -0.0 differs from 0.0, nanoseconds count."""
    if isinstance(expected, ddl.Message):
        assert type(actual) is type(expected), f"{path}: {actual!r} is not a {type(expected).__name__}"
        for name in type(expected).__match_args__:
            assert_same(getattr(actual, name), getattr(expected, name), f"{path}.{name}")
    elif type(expected) is float:
        assert type(actual) is float, f"{path}: {actual!r} is not a float"
        if math.isnan(expected):
            assert math.isnan(actual), f"{path}: {actual!r} is not NaN"
        else:
            assert actual == expected, f"{path}: {actual!r} != {expected!r}"
            assert math.copysign(1, actual) == math.copysign(1, expected), f"{path}: sign of zero differs"
    elif type(expected) in (list, tuple):
        assert type(actual) is type(expected), f"{path}: {actual!r} is not a {type(expected).__name__}"
        assert len(actual) == len(expected), f"{path}: {actual!r} != {expected!r}"
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            assert_same(a, e, f"{path}[{i}]")
    elif type(expected) is dict:
        assert type(actual) is dict, f"{path}: {actual!r} is not a dict"
        assert {(type(k), k) for k in actual} == {(type(k), k) for k in expected}, f"{path}: keys differ"
        for key in expected:
            assert_same(actual[key], expected[key], f"{path}[{key!r}]")
    elif isinstance(expected, datetime):
        assert isinstance(actual, datetime), f"{path}: {actual!r} is not a datetime"
        assert actual.utcoffset() == timedelta(0), f"{path}: {actual!r} is not in UTC"
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"
        assert getattr(actual, "nanosecond", 0) == getattr(expected, "nanosecond", 0), f"{path}: nanoseconds"
    elif isinstance(expected, timedelta):
        assert isinstance(actual, timedelta), f"{path}: {actual!r} is not a timedelta"
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"
        assert getattr(actual, "nanosecond", 0) == getattr(expected, "nanosecond", 0), f"{path}: nanoseconds"
    elif type(expected) is Decimal:
        assert type(actual) is Decimal and str(actual) == str(expected), f"{path}: {actual!r} != {expected!r}"
    else:
        assert type(actual) is type(expected), f"{path}: {actual!r} ({type(actual).__name__}) != {expected!r}"
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"


# --- The corpus ----------------------------------------------------------------------------------

NO_MAPS = [cls for cls in CORPUS if cls not in WITH_MAPS]


def ids(cls: type) -> str:
    return cls.__name__


def check_both_directions(engine: Engine, value: ddl.Message, *, exact: bool = True) -> bytes:
    """ddl -> bytes -> protobuf, and protobuf -> bytes -> ddl; exact: bytes equal protobuf's."""
    cls = type(value)
    ours = engine.encode(value)
    assert_same(from_pb(twin(cls).FromString(ours), cls), value)
    theirs = to_pb(value).SerializeToString()
    if exact:
        assert ours == theirs
    assert_same(engine.decode(theirs, cls), value)
    return ours


# --- Hypothesis over the whole corpus ------------------------------------------------------------


@pytest.mark.parametrize("cls", CORPUS, ids=ids)
@FIXTURE_SAFE
@given(data=st.data())
def test_ddl_bytes_parse_in_protobuf_to_the_same_value(engine: Engine, cls: type, data: st.DataObject) -> None:
    value = data.draw(message_of(cls))
    parsed = twin(cls).FromString(engine.encode(value))
    assert_same(from_pb(parsed, cls), value)


@pytest.mark.parametrize("cls", NO_MAPS, ids=ids)
@FIXTURE_SAFE
@given(data=st.data())
def test_ddl_bytes_equal_protobuf_serialization_for_schemas_without_maps(
    engine: Engine, cls: type, data: st.DataObject
) -> None:
    value = data.draw(message_of(cls))
    assert engine.encode(value) == to_pb(value).SerializeToString()


@pytest.mark.parametrize("cls", CORPUS, ids=ids)
@FIXTURE_SAFE
@given(data=st.data())
def test_protobuf_bytes_decode_to_the_same_value(engine: Engine, cls: type, data: st.DataObject) -> None:
    value = data.draw(message_of(cls))
    assert_same(engine.decode(to_pb(value).SerializeToString(), cls), value)


@FIXTURE_SAFE
@given(value=message_of(c.Repeated))
def test_unpacked_protobuf_bytes_decode_like_packed(engine: Engine, value: c.Repeated) -> None:
    unpacked = to_pb(value, pb().RepeatedUnpacked).SerializeToString()
    assert_same(engine.decode(unpacked, c.Repeated), value)


@FIXTURE_SAFE
@given(value=message_of(c.Collections))
def test_deterministic_set_encoding_is_sorted_and_equals_protobuf_of_sorted_elements(
    engine: Engine, value: c.Collections
) -> None:
    assert engine.encode(value, deterministic=True) == to_pb(value, sort_sets=True).SerializeToString()


def single_map_entries(pbmsg: Any, name: str) -> list[bytes]:
    """Protobuf's bytes for each entry of map field ``name`` alone, in ascending key order."""
    out = []
    for key in sorted(getattr(pbmsg, name)):
        one = type(pbmsg)()
        one.CopyFrom(pbmsg)
        for fd in one.DESCRIPTOR.fields:
            if fd.name != name:
                one.ClearField(fd.name)
        m = getattr(one, name)
        for other in [k for k in m if k != key]:
            del m[other]
        out.append(one.SerializeToString())
    return out


def map_field_names(pbmsg: Any) -> list[str]:
    fields = sorted(pbmsg.DESCRIPTOR.fields, key=lambda fd: fd.number)
    return [fd.name for fd in fields if fd.message_type and fd.message_type.GetOptions().map_entry]


def without_nested_maps(m: c.Maps) -> c.Maps:
    """Only the top-level map fields: protobuf's own bytes can then give the sorted order."""
    return c.Maps(**{**{n: getattr(m, n) for n in hints(c.Maps)}, "tables": [], "maybe_table": None})


plain_maps = message_of(c.Maps).map(without_nested_maps)


@FIXTURE_SAFE
@given(value=plain_maps)
def test_deterministic_map_encoding_is_protobuf_entries_in_key_order(engine: Engine, value: c.Maps) -> None:
    message = to_pb(value)
    expected = b"".join(entry for name in map_field_names(message) for entry in single_map_entries(message, name))
    assert engine.encode(value, deterministic=True) == expected


@pytest.mark.parametrize("cls", CORPUS, ids=ids)
@FIXTURE_SAFE
@given(data=st.data())
def test_concatenated_encodings_decode_like_protobuf_merge_from_string(
    engine: Engine, cls: type, data: st.DataObject
) -> None:
    first, second = data.draw(message_of(cls, merge=True)), data.draw(message_of(cls, merge=True))
    a, b = to_pb(first).SerializeToString(), to_pb(second).SerializeToString()
    merged = twin(cls).FromString(a)
    merged.MergeFromString(b)
    expected = from_pb(merged, cls)
    assert_same(engine.decode(a + b, cls), expected)
    assert_same(engine.decode(engine.encode(first) + engine.encode(second), cls), expected)


# --- Scalars -------------------------------------------------------------------------------------


def test_negative_int32_is_ten_bytes_like_protobuf(engine: Engine) -> None:
    ours = check_both_directions(engine, c.Scalars(i32=-1))
    assert ours == b"\x30" + b"\xff" * 9 + b"\x01"  # tag 6, then the sign-extended varint
    check_both_directions(engine, c.Scalars(i32=-(2**31)))
    check_both_directions(engine, c.Scalars(i32=2**31 - 1))


def test_negative_int64_and_negative_enum_are_ten_byte_varints_like_protobuf(engine: Engine) -> None:
    assert len(check_both_directions(engine, c.Scalars(i64=-1))) == 11
    assert len(check_both_directions(engine, c.Scalars(color=c.Color.NEGATIVE))) == 12
    check_both_directions(engine, c.Scalars(i64=-(2**63)))
    check_both_directions(engine, c.Scalars(i64=2**63 - 1))


@pytest.mark.parametrize(
    "field, value",
    [("s32", -(2**31)), ("s32", 2**31 - 1), ("s32", -1), ("s32", 1),
     ("s64", -(2**63)), ("s64", 2**63 - 1), ("s64", -1), ("s64", 1)],
)  # fmt: skip
def test_sint_zigzag_extremes_match_protobuf(engine: Engine, field: str, value: int) -> None:
    ours = check_both_directions(engine, c.Scalars(**{field: value}))
    # zigzag keeps small magnitudes short: -1 -> 1, 1 -> 2, in one byte after the tag
    if abs(value) == 1:
        assert len(ours) == 2


@pytest.mark.parametrize(
    "field, value",
    [("u64", 2**64 - 1), ("u32", 2**32 - 1), ("fx64", 2**64 - 1), ("fx32", 2**32 - 1),
     ("sf64", -(2**63)), ("sf64", 2**63 - 1), ("sf32", -(2**31)), ("sf32", 2**31 - 1), ("far", 1)],
)  # fmt: skip
def test_unsigned_and_fixed_width_extremes_match_protobuf(engine: Engine, field: str, value: int) -> None:
    check_both_directions(engine, c.Scalars(**{field: value}))


def test_field_number_536870911_uses_a_five_byte_tag_like_protobuf(engine: Engine) -> None:
    ours = check_both_directions(engine, c.Scalars(far=7))
    assert len(ours) == 6


@pytest.mark.parametrize(
    "value",
    [1.5, -2.25, 3.4028234663852886e38, -3.4028234663852886e38, 1.401298464324817e-45,
     1.1754943508222875e-38, 16777216.0, math.inf, -math.inf],
)  # fmt: skip
def test_float32_values_exact_in_float32_match_protobuf(engine: Engine, value: float) -> None:
    assert struct.unpack("<f", struct.pack("<f", value))[0] == value
    check_both_directions(engine, c.Scalars(f32=value))
    check_both_directions(engine, c.Repeated(f32=[value, value]))
    check_both_directions(engine, c.Optionals(f32=value))


def test_float32_rounds_an_inexact_double_like_protobuf(engine: Engine) -> None:
    message = pb().Scalars(f32=0.1)
    assert engine.encode(c.Scalars(f32=0.1)) == message.SerializeToString()
    assert engine.decode(message.SerializeToString(), c.Scalars).f32 == message.f32


@pytest.mark.parametrize("field", ["f64", "f32", "f64b"])
def test_negative_zero_is_written_and_keeps_its_sign_like_protobuf(engine: Engine, field: str) -> None:
    ours = check_both_directions(engine, c.Scalars(**{field: -0.0}))
    assert ours != b""
    assert math.copysign(1, getattr(engine.decode(ours, c.Scalars), field)) == -1
    assert engine.encode(c.Scalars(**{field: 0.0})) == b""


@pytest.mark.parametrize("field", ["f64", "f32", "f64b"])
def test_nan_round_trips_through_protobuf(engine: Engine, field: str) -> None:
    ours = check_both_directions(engine, c.Scalars(**{field: math.nan}))
    assert math.isnan(getattr(twin(c.Scalars).FromString(ours), field))
    assert math.isnan(getattr(engine.decode(ours, c.Scalars), field))


@pytest.mark.parametrize("value", [math.inf, -math.inf, 5e-324, 1.7976931348623157e308])
def test_double_extremes_match_protobuf(engine: Engine, value: float) -> None:
    check_both_directions(engine, c.Scalars(f64=value, f64b=value))
    check_both_directions(engine, c.Repeated(f64=[value, -value, 0.0]))


@pytest.mark.parametrize("text", ["héllo", "日本語", "😀 emoji", "\x00nul", "ß" * 200, "x" * 20_000])
def test_non_ascii_and_long_strings_match_protobuf(engine: Engine, text: str) -> None:
    check_both_directions(engine, c.Scalars(text=text))
    check_both_directions(engine, c.Nested(point=c.Point(label=text), points=[c.Point(label=text)]))


def test_bytes_with_every_byte_value_match_protobuf(engine: Engine) -> None:
    blob = bytes(range(256))
    check_both_directions(engine, c.Scalars(blob=blob))
    check_both_directions(engine, c.Repeated(blob=[blob, b"", b"\x00"]))


def test_bool_true_is_one_byte_and_false_is_omitted_like_protobuf(engine: Engine) -> None:
    assert check_both_directions(engine, c.Scalars(flag=True)) == b"\x18\x01"
    assert check_both_directions(engine, c.Scalars(flag=False)) == b""


def test_non_canonical_bool_varint_decodes_as_true_like_protobuf(engine: Engine) -> None:
    data = b"\x18\x02"  # flag = 2: any non-zero varint is true
    assert twin(c.Scalars).FromString(data).flag is True
    assert engine.decode(data, c.Scalars).flag is True


def test_int32_written_as_five_byte_varint_decodes_like_protobuf(engine: Engine) -> None:
    data = b"\x30\xff\xff\xff\xff\x0f"  # -1 as a 32-bit varint, as some old writers emit it
    assert engine.decode(data, c.Scalars).i32 == twin(c.Scalars).FromString(data).i32 == -1


# --- Enums ---------------------------------------------------------------------------------------


def test_negative_enum_value_matches_protobuf(engine: Engine) -> None:
    check_both_directions(engine, c.Scalars(color=c.Color.NEGATIVE))
    check_both_directions(engine, c.Repeated(color=[c.Color.NEGATIVE, c.Color.RED, c.Color.UNSPECIFIED]))
    check_both_directions(engine, c.Optionals(color=c.Color.NEGATIVE))


@pytest.mark.parametrize("number", [7, -7, 2**31 - 1, -(2**31)])
def test_unknown_enum_number_decodes_as_int_and_reencodes_unchanged(engine: Engine, number: int) -> None:
    message = pb().Scalars(color=number)
    data = message.SerializeToString()
    decoded = engine.decode(data, c.Scalars)
    assert type(decoded.color) is int and decoded.color == number
    assert engine.encode(decoded) == data
    repeated = pb().Repeated(color=[number, 1]).SerializeToString()
    decoded_list = engine.decode(repeated, c.Repeated)
    assert decoded_list.color == [number, c.Color.RED] and type(decoded_list.color[0]) is int
    assert type(decoded_list.color[1]) is c.Color
    assert engine.encode(decoded_list) == repeated
    maps = pb().Maps(s64_color={5: number})
    decoded_map = engine.decode(maps.SerializeToString(), c.Maps)
    assert decoded_map.s64_color == {5: number}
    assert twin(c.Maps).FromString(engine.encode(decoded_map)) == maps


def test_known_enum_number_decodes_as_the_member(engine: Engine) -> None:
    decoded = engine.decode(pb().Scalars(color=2).SerializeToString(), c.Scalars)
    assert decoded.color is c.Color.GREEN


def test_unknown_enum_number_in_a_oneof_with_an_int_member_reencodes_unchanged(engine: Engine) -> None:
    # protobuf keeps the number in the enum member; re-encoding must not move it to the int member
    message = pb().IntOrColor(choice_color=7)
    data = message.SerializeToString()
    assert engine.encode(engine.decode(data, c.IntOrColor)) == data


# --- Optional fields -----------------------------------------------------------------------------

OPTIONAL_ZEROS = {
    "i64": 0, "f64": 0.0, "flag": False, "text": "", "blob": b"", "i32": 0, "u64": 0, "s32": 0,
    "fx64": 0, "sf32": 0, "f32": 0.0, "color": c.Color.UNSPECIFIED, "point": c.Point(),
}  # fmt: skip


@pytest.mark.parametrize("field", sorted(OPTIONAL_ZEROS))
def test_optional_present_zero_is_written_like_protobuf(engine: Engine, field: str) -> None:
    value = c.Optionals(**{field: OPTIONAL_ZEROS[field]})
    ours = check_both_directions(engine, value)
    assert ours != b""
    assert twin(c.Optionals).FromString(ours).HasField(field)
    assert getattr(engine.decode(ours, c.Optionals), field) is not None


def test_optional_absent_is_not_written_and_decodes_as_none(engine: Engine) -> None:
    assert check_both_directions(engine, c.Optionals()) == b""
    decoded = engine.decode(b"", c.Optionals)
    assert all(getattr(decoded, name) is None for name in OPTIONAL_ZEROS)


def test_optional_negative_values_match_protobuf(engine: Engine) -> None:
    check_both_directions(engine, c.Optionals(i64=-1, i32=-1, s32=-1, sf32=-1, f64=-0.0, f32=-0.0))


# --- Oneofs --------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind_value", [0, "", c.Point(), c.Color.UNSPECIFIED, -1, "x", c.Point(x=1), c.Color.RED])
def test_oneof_member_is_written_even_when_zero_like_protobuf(engine: Engine, kind_value: Any) -> None:
    ours = check_both_directions(engine, c.Shape(kind=kind_value))
    assert twin(c.Shape).FromString(ours).WhichOneof("kind") is not None
    assert_same(engine.decode(ours, c.Shape).kind, kind_value)


def test_oneof_without_none_is_always_written_and_absent_decodes_as_first_member_zero(engine: Engine) -> None:
    ours = check_both_directions(engine, c.Shape(flag_or_blob=False))
    assert twin(c.Shape).FromString(ours).WhichOneof("flag_or_blob") == "fb_flag"
    check_both_directions(engine, c.Shape(flag_or_blob=b""))
    assert engine.decode(b"", c.Shape).flag_or_blob is False
    assert engine.decode(b"", c.Shape).kind is None


def test_oneof_timestamp_and_float_members_match_protobuf(engine: Engine) -> None:
    check_both_directions(engine, c.Shape(when=EPOCH))
    check_both_directions(engine, c.Shape(when=ddl.DatetimeNs(1969, 7, 20, 20, 17, 40, 5, UTC, nanosecond=9)))
    check_both_directions(engine, c.Shape(when=0.0))
    check_both_directions(engine, c.Shape(when=-1.5))


def test_oneof_last_member_on_the_wire_wins_like_protobuf(engine: Engine) -> None:
    data = (
        pb().Shape(kind_int=5).SerializeToString()
        + pb().Shape(kind_point=pb().Point(x=1)).SerializeToString()
        + pb().Shape(kind_str="last").SerializeToString()
    )
    expected = twin(c.Shape).FromString(data)
    assert expected.WhichOneof("kind") == "kind_str"
    assert_same(engine.decode(data, c.Shape), from_pb(expected, c.Shape))
    assert engine.decode(data, c.Shape).kind == "last"


def test_oneof_message_member_merges_with_the_same_member_like_protobuf(engine: Engine) -> None:
    data = (
        pb().Shape(kind_point=pb().Point(x=1, label="a")).SerializeToString()
        + pb().Shape(kind_point=pb().Point(y=2)).SerializeToString()
    )
    expected = from_pb(twin(c.Shape).FromString(data), c.Shape)
    assert expected.kind == c.Point(x=1, y=2, label="a")
    assert_same(engine.decode(data, c.Shape), expected)


def test_oneof_message_member_after_another_member_starts_fresh_like_protobuf(engine: Engine) -> None:
    data = (
        pb().Shape(kind_point=pb().Point(x=1)).SerializeToString()
        + pb().Shape(kind_int=3).SerializeToString()
        + pb().Shape(kind_point=pb().Point(y=2)).SerializeToString()
    )
    expected = from_pb(twin(c.Shape).FromString(data), c.Shape)
    assert expected.kind == c.Point(y=2)
    assert_same(engine.decode(data, c.Shape), expected)


def test_oneof_timestamp_member_merges_with_the_same_member_like_protobuf(engine: Engine) -> None:
    first = pb().Shape()
    first.when_ts.FromNanoseconds(5 * NS + 7)
    second = pb().Shape()
    second.when_ts.FromNanoseconds(9 * NS)
    data = first.SerializeToString() + second.SerializeToString()
    merged = twin(c.Shape).FromString(data)
    assert merged.when_ts.ToNanoseconds() == 9 * NS + 7
    assert_same(engine.decode(data, c.Shape), from_pb(merged, c.Shape))


def test_oneof_list_member_merges_with_the_same_member_like_protobuf(engine: Engine) -> None:
    data = (
        pb().Wrappers(choice_list=pb().Int64List(values=[1, 2])).SerializeToString()
        + pb().Wrappers(choice_list=pb().Int64List(values=[3])).SerializeToString()
    )
    merged = twin(c.Wrappers).FromString(data)
    assert list(merged.choice_list.values) == [1, 2, 3]
    assert_same(engine.decode(data, c.Wrappers), from_pb(merged, c.Wrappers))


def test_union_numbers_from_a_tuple_are_written_in_ascending_order(engine: Engine) -> None:
    check_both_directions(engine, c.Renumbered(a=1, b="b", c=True, d=2.0, e="ten", f=-3))
    check_both_directions(engine, c.Renumbered(a=1, b="b", c=True, d=2.0, e=20, f=-3))
    check_both_directions(engine, c.Renumbered(e=0))
    check_both_directions(engine, c.Renumbered(e=""))


# --- Repeated ------------------------------------------------------------------------------------

EVERY_REPEATED = c.Repeated(
    i64=[0, -1, 2**63 - 1, -(2**63)], f64=[0.0, -0.0, 1.5, math.inf], flag=[True, False, True],
    text=["", "é", "x"], blob=[b"", b"\xff"], i32=[-1, 0, 2**31 - 1, -(2**31)], u32=[0, 2**32 - 1],
    u64=[0, 2**64 - 1], s32=[-(2**31), 2**31 - 1, -1], s64=[-(2**63), 2**63 - 1, 0],
    fx32=[0, 2**32 - 1], fx64=[0, 2**64 - 1], sf32=[-(2**31), 1], sf64=[-(2**63), 1],
    f32=[0.5, -0.0, 3.4028234663852886e38], color=[c.Color.NEGATIVE, c.Color.RED, 99],
    points=[c.Point(), c.Point(x=-1, label="p")], tup=(-1, 0, 1),
)  # fmt: skip


def test_repeated_of_every_scalar_kind_is_packed_like_protobuf(engine: Engine) -> None:
    ours = check_both_directions(engine, EVERY_REPEATED)
    # one tag per packed field: field 1 (i64) appears once, as wire type 2
    assert ours.startswith(b"\x0a")


def test_unpacked_repeated_of_every_scalar_kind_decodes_like_packed(engine: Engine) -> None:
    unpacked = to_pb(EVERY_REPEATED, pb().RepeatedUnpacked).SerializeToString()
    packed = to_pb(EVERY_REPEATED).SerializeToString()
    assert unpacked != packed
    assert_same(engine.decode(unpacked, c.Repeated), EVERY_REPEATED)


def test_packed_and_unpacked_runs_of_one_field_concatenate_like_protobuf(engine: Engine) -> None:
    data = (
        pb().RepeatedUnpacked(i32=[1, -2], f32=[1.5]).SerializeToString()
        + pb().Repeated(i32=[3], f32=[2.5, 3.5]).SerializeToString()
        + pb().RepeatedUnpacked(i32=[4]).SerializeToString()
    )
    expected = from_pb(twin(c.Repeated).FromString(data), c.Repeated)
    assert expected.i32 == [1, -2, 3, 4]
    assert_same(engine.decode(data, c.Repeated), expected)


def test_repeated_messages_keep_empty_elements_like_protobuf(engine: Engine) -> None:
    value = c.Repeated(points=[c.Point(), c.Point(), c.Point(y=1)])
    ours = check_both_directions(engine, value)
    assert len(twin(c.Repeated).FromString(ours).points) == 3


def test_empty_repeated_fields_are_omitted_like_protobuf(engine: Engine) -> None:
    assert check_both_directions(engine, c.Repeated()) == b""


def test_tuple_set_and_frozenset_containers_match_protobuf(engine: Engine) -> None:
    value = c.Collections(
        tags={"b", "a"}, ids=frozenset({3, 2**32 - 1}), seq=("z", "a", "z"), colors=frozenset({c.Color.RED, 42})
    )
    ours = engine.encode(value, deterministic=True)
    assert ours == to_pb(value, sort_sets=True).SerializeToString()
    assert_same(engine.decode(ours, c.Collections), value)
    assert_same(from_pb(twin(c.Collections).FromString(ours), c.Collections), value)


# --- Maps ----------------------------------------------------------------------------------------

EVERY_MAP = c.Maps(
    str_int={"": 0, "a": -1, "é": 2**63 - 1}, int_str={0: "", -(2**63): "min"},
    i32_point={-1: c.Point(), 0: c.Point(x=5)}, bool_blob={False: b"", True: b"\x00"},
    u64_f64={2**64 - 1: -0.0, 0: math.inf}, s64_color={-1: c.Color.NEGATIVE, 1: 77},
    fx32_f32={2**32 - 1: 1.5}, sf64_text={-(2**63): "x"}, u32_s32={2**32 - 1: -(2**31)}, s32_fx64={-(2**31): 2**64 - 1},
    sf32_flag={-1: False, 1: True}, fx64_i32={2**64 - 1: -1},
    text_when={"t": ddl.DatetimeNs(2001, 2, 3, 4, 5, 6, 7, UTC, nanosecond=8), "epoch": EPOCH},
    groups={"g": ["a", "b"], "empty": []}, text_id={"nil": UUID(int=0), "u": UUID(int=2**128 - 1)},
    tables=[{"a": 1}, {}], maybe_table={},
)  # fmt: skip


def test_maps_of_every_key_kind_and_many_value_kinds_match_protobuf(engine: Engine) -> None:
    check_both_directions(engine, EVERY_MAP, exact=False)


def test_map_entries_with_zero_key_and_value_decode_like_protobuf(engine: Engine) -> None:
    message = pb().Maps()
    message.str_int[""] = 0
    message.i32_point[0].SetInParent()
    message.bool_blob[False] = b""
    decoded = engine.decode(message.SerializeToString(), c.Maps)
    assert_same(decoded, from_pb(message, c.Maps))
    assert decoded.i32_point == {0: c.Point()}


def test_map_entry_missing_its_key_or_value_decodes_to_zeros_like_protobuf(engine: Engine) -> None:
    # Entries written by other writers may omit a zero key or value; field 3 is i32_point.
    data = b"\x1a\x00" + b"\x1a\x02\x08\x05" + b"\x1a\x04\x12\x02\x08\x01"
    expected = twin(c.Maps).FromString(data)
    assert dict(expected.i32_point) == {0: pb().Point(x=1), 5: pb().Point()}
    assert_same(engine.decode(data, c.Maps), from_pb(expected, c.Maps))


def test_map_repeated_key_keeps_the_last_value_like_protobuf(engine: Engine) -> None:
    data = (
        pb().Maps(str_int={"k": 1, "j": 2}, i32_point={1: pb().Point(x=1)}).SerializeToString()
        + pb().Maps(str_int={"k": 3}, i32_point={1: pb().Point(y=2)}).SerializeToString()
    )
    expected = from_pb(twin(c.Maps).FromString(data), c.Maps)
    assert expected.str_int == {"k": 3, "j": 2}
    assert expected.i32_point == {1: c.Point(y=2)}  # a map value is replaced, not merged
    assert_same(engine.decode(data, c.Maps), expected)


def test_deterministic_map_encoding_of_every_map_field_is_protobuf_entries_in_key_order(engine: Engine) -> None:
    value = without_nested_maps(EVERY_MAP)
    message = to_pb(value)
    expected = b"".join(entry for name in map_field_names(message) for entry in single_map_entries(message, name))
    assert engine.encode(value, deterministic=True) == expected


# --- Nested and recursive messages ---------------------------------------------------------------


def test_plain_message_field_is_always_written_even_when_empty(engine: Engine) -> None:
    ours = check_both_directions(engine, c.Nested())
    assert ours == b"\x0a\x00"
    assert twin(c.Nested).FromString(ours).HasField("point")
    assert engine.decode(b"", c.Nested).point == c.Point()


def test_optional_message_none_is_absent_and_empty_is_present(engine: Engine) -> None:
    absent = twin(c.Nested).FromString(check_both_directions(engine, c.Nested(maybe=None)))
    present = twin(c.Nested).FromString(check_both_directions(engine, c.Nested(maybe=c.Point())))
    assert not absent.HasField("maybe") and present.HasField("maybe")
    assert engine.decode(present.SerializeToString(), c.Nested).maybe == c.Point()


def test_nested_message_longer_than_127_bytes_matches_protobuf(engine: Engine) -> None:
    for size in (126, 127, 128, 16_383, 16_384, 70_000):
        check_both_directions(engine, c.Nested(point=c.Point(label="z" * size), opt=c.Optionals(text="y" * size)))


def build_tree(depth: int, fanout: int, counter: list[int]) -> c.Tree:
    counter[0] += 1
    n = counter[0]
    if depth == 0:
        return c.Tree(value=-n, name=f"leaf{n}")
    children = [build_tree(depth - 1, fanout, counter) for _ in range(fanout)]
    return c.Tree(value=n, children=children, left=build_tree(depth - 1, 1, counter), name="ü" * n)


def test_recursive_tree_matches_protobuf(engine: Engine) -> None:
    check_both_directions(engine, build_tree(4, 3, [0]))


def test_deep_chain_of_optional_messages_matches_protobuf(engine: Engine) -> None:
    tree = c.Tree(value=0)
    for i in range(1, 60):
        tree = c.Tree(value=i, left=tree)
    check_both_directions(engine, tree)


def test_fields_in_any_order_decode_like_protobuf(engine: Engine) -> None:
    value = c.Scalars(i64=-5, text="t", s32=-9, f32=1.5, color=c.Color.GREEN, far=3, blob=b"b")
    message = to_pb(value)
    pieces = []
    for fd in message.DESCRIPTOR.fields:
        one = pb().Scalars()
        setattr(one, fd.name, getattr(message, fd.name))
        pieces.append(one.SerializeToString())
    data = b"".join(reversed(pieces))
    assert twin(c.Scalars).FromString(data) == message
    assert_same(engine.decode(data, c.Scalars), value)


# --- Merging -------------------------------------------------------------------------------------


def test_merge_keeps_last_scalars_merges_messages_and_concatenates_lists_like_protobuf(engine: Engine) -> None:
    first = c.Nested(
        point=c.Point(x=1, label="first"), maybe=c.Point(y=2), points=[c.Point(x=1)],
        opt=c.Optionals(i64=0, text="a", point=c.Point(x=1)), note="n1",
    )  # fmt: skip
    second = c.Nested(
        point=c.Point(x=3), maybe=None, points=[c.Point(x=2)],
        opt=c.Optionals(f64=0.0, text="b", point=c.Point(y=4)), note="",
    )  # fmt: skip
    a, b = to_pb(first).SerializeToString(), to_pb(second).SerializeToString()
    merged = twin(c.Nested).FromString(a)
    merged.MergeFromString(b)
    expected = from_pb(merged, c.Nested)
    assert expected == c.Nested(
        point=c.Point(x=3, label="first"), maybe=c.Point(y=2), points=[c.Point(x=1), c.Point(x=2)],
        opt=c.Optionals(i64=0, f64=0.0, text="b", point=c.Point(x=1, y=4)), note="n1",
    )  # fmt: skip
    assert_same(engine.decode(a + b, c.Nested), expected)
    assert_same(engine.decode(engine.encode(first) + engine.encode(second), c.Nested), expected)


def test_merge_of_repeated_and_maps_like_protobuf(engine: Engine) -> None:
    first = c.Maps(str_int={"a": 1, "b": 2}, groups={"g": ["x"]}, tables=[{"t": 1}], maybe_table={"m": 1})
    second = c.Maps(str_int={"b": 3}, groups={"g": ["y"]}, tables=[{"t": 2}], maybe_table={"n": 2})
    a, b = to_pb(first).SerializeToString(), to_pb(second).SerializeToString()
    merged = twin(c.Maps).FromString(a)
    merged.MergeFromString(b)
    expected = from_pb(merged, c.Maps)
    assert expected.maybe_table == {"m": 1, "n": 2} and expected.groups == {"g": ["y"]}
    assert_same(engine.decode(a + b, c.Maps), expected)


def test_merge_of_well_known_types_like_protobuf(engine: Engine) -> None:
    first = c.Times(
        when=ddl.DatetimeNs(2000, 1, 1, 0, 0, 0, 1, UTC, nanosecond=2),
        maybe_span=ddl.TimedeltaNs(seconds=5, nanosecond=3), day=date(2020, 5, 17), whens=[EPOCH],
    )  # fmt: skip
    second = c.Times(
        when=datetime(2010, 1, 1, tzinfo=UTC), maybe_span=timedelta(seconds=9), day=date(2021, 1, 1), whens=[EPOCH]
    )
    a, b = to_pb(first).SerializeToString(), to_pb(second).SerializeToString()
    merged = twin(c.Times).FromString(a)
    merged.MergeFromString(b)
    assert_same(engine.decode(a + b, c.Times), from_pb(merged, c.Times))
    first_json = c.Json(value={"a": 1.0, "b": [1.0]}, obj={"k": "v", "l": [True]}, items=[None])
    second_json = c.Json(value={"b": [2.0], "c": None}, obj={"l": [False]}, items=["x"])
    a, b = to_pb(first_json).SerializeToString(), to_pb(second_json).SerializeToString()
    merged_json = twin(c.Json).FromString(a)
    merged_json.MergeFromString(b)
    assert_same(engine.decode(a + b, c.Json), from_pb(merged_json, c.Json))


def test_merge_of_value_lists_concatenates_like_protobuf(engine: Engine) -> None:
    a = to_pb(c.Json(value=[1.0, "a"])).SerializeToString()
    b = to_pb(c.Json(value=[2.0])).SerializeToString()
    merged = twin(c.Json).FromString(a)
    merged.MergeFromString(b)
    expected = from_pb(merged, c.Json)
    assert expected.value == [1.0, "a", 2.0]
    assert_same(engine.decode(a + b, c.Json), expected)


# --- Well-known types ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "when",
    [EPOCH, datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
     datetime(1969, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
     ddl.DatetimeNs(1969, 12, 31, 23, 59, 59, 999_999, UTC, nanosecond=999),
     ddl.DatetimeNs(9999, 12, 31, 23, 59, 59, 999_999, UTC, nanosecond=999),
     ddl.DatetimeNs(1970, 1, 1, 0, 0, 0, 0, UTC, nanosecond=1)],
)  # fmt: skip
def test_timestamp_fields_match_protobuf(engine: Engine, when: datetime) -> None:
    check_both_directions(engine, c.Times(when=when, maybe_when=when, whens=[when, EPOCH]))


def test_timestamp_of_an_offset_datetime_is_its_utc_instant(engine: Engine) -> None:
    local = datetime(2024, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=-5, minutes=-30)))
    ours = engine.encode(c.Times(when=local))
    assert twin(c.Times).FromString(ours).when.ToNanoseconds() == ts_to_pb(local).ToNanoseconds()
    decoded = engine.decode(ours, c.Times).when
    assert decoded == local and decoded.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "span",
    [timedelta(0), timedelta(microseconds=-1), timedelta(days=-1, seconds=1), timedelta(seconds=DUR_MAX),
     timedelta(seconds=-DUR_MAX), ddl.TimedeltaNs.from_nanoseconds(-1),
     ddl.TimedeltaNs.from_nanoseconds(-(DUR_MAX * NS + NS - 1)),
     ddl.TimedeltaNs.from_nanoseconds(DUR_MAX * NS + NS - 1), ddl.TimedeltaNs.from_nanoseconds(1_500)],
)  # fmt: skip
def test_duration_fields_match_protobuf(engine: Engine, span: timedelta) -> None:
    check_both_directions(engine, c.Times(span=span, maybe_span=span, spans=[span, timedelta(0), span]))


def test_negative_duration_has_both_parts_negative_like_protobuf(engine: Engine) -> None:
    ours = engine.encode(c.Times(span=ddl.TimedeltaNs.from_nanoseconds(-1_500_000_001)))
    span = twin(c.Times).FromString(ours).span
    assert (span.seconds, span.nanos) == (-1, -500_000_001)


@pytest.mark.parametrize("day", [date(1, 1, 1), date(9999, 12, 31), date(2024, 2, 29), date(1970, 1, 1)])
def test_date_fields_match_google_type_date(engine: Engine, day: date) -> None:
    ours = check_both_directions(engine, c.Times(day=day, maybe_day=day, days=[day]))
    # the test proto's Date is google.type.Date field for field
    wire_day = twin(c.Times).FromString(ours).day.SerializeToString()
    assert date_pb2.Date.FromString(wire_day) == date_pb2.Date(year=day.year, month=day.month, day=day.day)


def test_non_optional_time_fields_are_always_written_and_optional_ones_are_not(engine: Engine) -> None:
    ours = check_both_directions(engine, c.Times())
    parsed = twin(c.Times).FromString(ours)
    assert parsed.HasField("when") and parsed.HasField("span") and parsed.HasField("day")
    assert not (parsed.HasField("maybe_when") or parsed.HasField("maybe_span") or parsed.HasField("maybe_day"))
    decoded = engine.decode(b"", c.Times)
    assert decoded.when == EPOCH and decoded.span == timedelta(0) and decoded.day == date(1970, 1, 1)


@pytest.mark.parametrize(
    "value",
    [None, True, False, 0.0, -0.0, 1.5, math.inf, "", "text é", [], [None, 1.0, "a", [True]], {},
     {"a": {"b": [1.0, {"c": None}]}, "": False}],
)  # fmt: skip
def test_any_field_matches_google_protobuf_value(engine: Engine, value: Any) -> None:
    check_both_directions(engine, c.Json(value=value, items=[value]), exact=not isinstance(value, dict))


def test_null_value_on_the_wire_decodes_as_none(engine: Engine) -> None:
    message = pb().Json(value=struct_pb2.Value(null_value=struct_pb2.NULL_VALUE))
    assert message.HasField("value")
    assert engine.decode(message.SerializeToString(), c.Json).value is None


def test_any_int_is_written_as_a_double_and_decodes_as_float(engine: Engine) -> None:
    ours = engine.encode(c.Json(value=3))
    assert twin(c.Json).FromString(ours).value.number_value == 3.0
    decoded = engine.decode(ours, c.Json).value
    assert type(decoded) is float and decoded == 3.0


def test_struct_fields_match_google_protobuf_struct(engine: Engine) -> None:
    value = c.Json(obj={"k": "v", "n": 1.0, "nested": {"x": [None, False]}}, maybe_obj={})
    ours = check_both_directions(engine, value, exact=False)
    parsed = twin(c.Json).FromString(ours)
    assert parsed.HasField("maybe_obj") and not parsed.HasField("value")
    assert engine.encode(c.Json(obj={})) == b""


@pytest.mark.parametrize(
    "amount",
    ["1.10", "-0", "0.00", "1E+3", "-123456789012345678901234567890.000001", "NaN", "-Infinity", "sNaN", "1e-30"],
)
def test_decimal_is_a_string_holding_str_of_it_like_protobuf(engine: Engine, amount: str) -> None:
    d = Decimal(amount)
    value = c.Ledger(amount=d, id=UUID(int=5), maybe_amount=d, amounts=[d, Decimal(0)])
    ours = check_both_directions(engine, value)
    parsed = twin(c.Ledger).FromString(ours)
    assert parsed.amount == parsed.maybe_amount == str(d)
    assert list(parsed.amounts) == [str(d), "0"]


def test_decimal_zero_field_is_written_as_0_like_protobuf(engine: Engine) -> None:
    # Decimal <-> string holding str(d): str(Decimal(0)) is "0", a non-empty proto3 string.
    # The nil-UUID default of ``id`` is written too: its wire form is 16 zero bytes.
    expected = pb().Ledger(amount="0", id=bytes(16)).SerializeToString()
    assert engine.encode(c.Ledger(amount=Decimal(0))) == expected


def test_empty_decimal_string_decodes_as_zero(engine: Engine) -> None:
    decoded = engine.decode(pb().Ledger(maybe_amount="").SerializeToString(), c.Ledger)
    assert_same(decoded.amount, Decimal(0))
    assert_same(decoded.maybe_amount, Decimal(0))


@pytest.mark.parametrize("uid", [UUID("12345678-1234-5678-1234-567812345678"), UUID(int=2**128 - 1), UUID(int=1)])
def test_uuid_is_bytes_holding_its_16_bytes_like_protobuf(engine: Engine, uid: UUID) -> None:
    ours = check_both_directions(engine, c.Ledger(amount=Decimal(1), id=uid, maybe_id=uid, ids=[uid, UUID(int=0)]))
    parsed = twin(c.Ledger).FromString(ours)
    assert parsed.id == parsed.maybe_id == uid.bytes
    assert list(parsed.ids) == [uid.bytes, bytes(16)]


def test_nil_uuid_field_is_written_like_protobuf(engine: Engine) -> None:
    # UUID <-> bytes holding the 16 bytes: the nil UUID is 16 zero bytes, not empty bytes.
    # The Decimal(0) default of ``amount`` is written too, as "0".
    expected = pb().Ledger(amount="0", id=bytes(16)).SerializeToString()
    assert engine.encode(c.Ledger(id=UUID(int=0))) == expected


def test_optional_nil_uuid_and_decimal_zero_are_written_like_protobuf(engine: Engine) -> None:
    value = c.Ledger(amount=Decimal(1), id=UUID(int=1), maybe_amount=Decimal(0), maybe_id=UUID(int=0))
    parsed = twin(c.Ledger).FromString(check_both_directions(engine, value))
    assert (parsed.maybe_amount, parsed.maybe_id) == ("0", bytes(16))


# --- Wrapper conventions -------------------------------------------------------------------------


def test_list_of_lists_is_repeated_wrapper_of_values(engine: Engine) -> None:
    value = c.Wrappers(matrix=[[1, -2], [], [2**63 - 1]])
    expected = pb().Wrappers(
        matrix=[pb().Int64List(values=[1, -2]), pb().Int64List(), pb().Int64List(values=[2**63 - 1])]
    )
    assert check_both_directions(engine, value) == expected.SerializeToString()


def test_list_of_optionals_is_repeated_wrapper_with_optional_value(engine: Engine) -> None:
    value = c.Wrappers(sparse=[1, None, 0], maybe_points=[None, c.Point(), c.Point(x=1)])
    expected = pb().Wrappers(
        sparse=[pb().OptInt64(value=1), pb().OptInt64(), pb().OptInt64(value=0)],
        maybe_points=[pb().OptPoint(), pb().OptPoint(value=pb().Point()), pb().OptPoint(value=pb().Point(x=1))],
    )
    assert check_both_directions(engine, value) == expected.SerializeToString()


def test_optional_list_is_a_wrapper_message_present_even_when_empty(engine: Engine) -> None:
    assert check_both_directions(engine, c.Wrappers(maybe_list=None)) == b""
    empty = check_both_directions(engine, c.Wrappers(maybe_list=[]))
    assert empty == pb().Wrappers(maybe_list=pb().Int64List()).SerializeToString() == b"\x1a\x00"
    assert engine.decode(empty, c.Wrappers).maybe_list == []
    full = check_both_directions(engine, c.Wrappers(maybe_list=[3, -1]))
    assert full == pb().Wrappers(maybe_list=pb().Int64List(values=[3, -1])).SerializeToString()


def test_list_of_unions_is_repeated_wrapper_with_a_oneof(engine: Engine) -> None:
    value = c.Wrappers(mixed=[0, "", -5, "s"])
    expected = pb().Wrappers(
        mixed=[
            pb().IntOrStr(value_int=0),
            pb().IntOrStr(value_str=""),
            pb().IntOrStr(value_int=-5),
            pb().IntOrStr(value_str="s"),
        ]
    )
    assert check_both_directions(engine, value) == expected.SerializeToString()


def test_list_of_lists_of_lists_nests_wrappers(engine: Engine) -> None:
    value = c.Wrappers(cube=[[["a"], []], []])
    expected = pb().Wrappers(
        cube=[pb().StringListList(values=[pb().StringList(values=["a"]), pb().StringList()]), pb().StringListList()]
    )
    assert check_both_directions(engine, value) == expected.SerializeToString()


def test_oneof_with_a_list_member_uses_a_wrapper(engine: Engine) -> None:
    for choice, expected in [
        ([], pb().Wrappers(choice_list=pb().Int64List())),
        ([1], pb().Wrappers(choice_list=pb().Int64List(values=[1]))),
        ("", pb().Wrappers(choice_str="")),
    ]:
        assert check_both_directions(engine, c.Wrappers(choice=choice)) == expected.SerializeToString()


def test_map_of_lists_and_list_of_maps_use_wrappers(engine: Engine) -> None:
    value = c.Maps(groups={"a": ["x", "y"], "b": []}, tables=[{"k": 1}, {}], maybe_table={"z": 0})
    ours = check_both_directions(engine, value, exact=False)
    parsed = twin(c.Maps).FromString(ours)
    assert list(parsed.groups["a"].values) == ["x", "y"] and list(parsed.groups["b"].values) == []
    assert dict(parsed.tables[0].entries) == {"k": 1} and parsed.HasField("maybe_table")
    empty = engine.encode(c.Maps(maybe_table={}))
    assert empty == pb().Maps(maybe_table=pb().StrIntMap()).SerializeToString()


# --- Unknown fields ------------------------------------------------------------------------------


def full_message() -> Any:
    return pb().Full(
        a=-7,
        b="known",
        c=2**32 - 1,
        d=-0.5,
        e=pb().Point(x=1, label="e"),
        f=[-1, 2, -3],
        g=-3,
        h=2**64 - 1,
        i=b"\x00\xff",
    )


def test_unknown_fields_after_the_known_ones_survive_a_round_trip_byte_for_byte(engine: Engine) -> None:
    data = full_message().SerializeToString()
    small = engine.decode(data, c.Small)
    assert small == c.Small(a=-7, b="known")
    again = engine.encode(small)
    assert again == data
    assert pb().Full.FromString(again) == full_message()


def test_unknown_fields_between_known_ones_are_written_last_and_parse_back_to_the_original(engine: Engine) -> None:
    data = full_message().SerializeToString()
    gappy = engine.decode(data, c.Gappy)
    assert gappy == c.Gappy(a=-7, d=-0.5)
    again = engine.encode(gappy)
    assert pb().Full.FromString(again) == full_message()
    # known fields first, in number order, then the unknown ones as they arrived
    assert len(again) == len(data) and again.startswith(pb().Full(a=-7, d=-0.5).SerializeToString())


def test_unknown_fields_inside_nested_messages_survive(engine: Engine) -> None:
    envelope = pb().FullEnvelope(head=full_message(), items=[full_message(), pb().Full(b="x", h=1)], tail="end")
    data = envelope.SerializeToString()
    small = engine.decode(data, c.SmallEnvelope)
    assert small.head == c.Small(a=-7, b="known") and small.items[1] == c.Small(b="x")
    again = engine.encode(small)
    assert again == data
    assert pb().FullEnvelope.FromString(again) == envelope


def test_unknown_fields_survive_when_known_fields_change(engine: Engine) -> None:
    data = full_message().SerializeToString()
    small = engine.decode(data, c.Small)
    small.a = 42
    expected = full_message()
    expected.a = 42
    assert pb().Full.FromString(engine.encode(small)) == expected


def test_field_with_an_unexpected_wire_type_is_kept_as_unknown_like_protobuf(engine: Engine) -> None:
    data = pb().SmallWrongWire(a=1, b=300).SerializeToString()
    decoded = engine.decode(data, c.Small)
    assert decoded == c.Small(a=1, b="")
    their_view = pb().Small.FromString(data)
    assert their_view.b == ""
    assert engine.encode(decoded) == their_view.SerializeToString() == data


@FIXTURE_SAFE
@given(
    a=st.integers(-(2**63), 2**63 - 1), b=utf8_texts, cc=st.integers(0, 2**32 - 1), d=st.floats(allow_nan=False),
    f=st.lists(st.integers(-(2**31), 2**31 - 1), max_size=4), g=st.integers(-(2**31), 2**31 - 1),
    h=st.integers(0, 2**64 - 1), i=st.binary(max_size=8),
)  # fmt: skip
def test_unknown_fields_round_trip_for_any_values(
    engine: Engine, a: int, b: str, cc: int, d: float, f: list[int], g: int, h: int, i: bytes
) -> None:
    full = pb().Full(a=a, b=b, c=cc, d=d, e=pb().Point(x=a), f=f, g=g, h=h, i=i)
    data = full.SerializeToString()
    assert engine.encode(engine.decode(data, c.Small)) == data
    assert pb().Full.FromString(engine.encode(engine.decode(data, c.Gappy))) == full


PROTO2_GROUPS = """
syntax = "proto2";
package ddltest2;

message WithGroup {
  optional int64 a = 1;
  optional group Extra = 5 {
    optional int32 x = 6;
    optional string y = 7;
  }
  repeated group Rows = 8 { optional sint64 z = 9; }
}
"""


def test_unknown_proto2_groups_are_skipped_and_written_back_like_protobuf(engine: Engine) -> None:
    module = compile_proto("ddl_difftest_groups", PROTO2_GROUPS)
    message = module.WithGroup(a=-2)
    message.extra.x = -1
    message.extra.y = "group"
    message.rows.add(z=-5)
    message.rows.add()
    data = message.SerializeToString()
    decoded = engine.decode(data, c.Small)
    assert decoded == c.Small(a=-2)
    again = engine.encode(decoded)
    assert again == data
    assert module.WithGroup.FromString(again) == message


class Unpacked(ddl.Message):
    ints: list[ddl.int32] = ddl.field(number=1, default_factory=list, packed=False)
    flags: list[bool] = ddl.field(number=2, default_factory=list, packed=False)
    doubles: tuple[float, ...] = ddl.field(number=3, default=(), packed=False)
    packed: list[ddl.sint64] = ddl.field(number=4, default_factory=list)


UNPACKED_PROTO = """
syntax = "proto3";
message Unpacked {
  repeated int32 ints = 1 [packed = false];
  repeated bool flags = 2 [packed = false];
  repeated double doubles = 3 [packed = false];
  repeated sint64 packed = 4;
}
"""


@FIXTURE_SAFE
@given(
    st.builds(
        Unpacked,
        ints=st.lists(st.integers(-(2**31), 2**31 - 1), max_size=4),
        flags=st.lists(st.booleans(), max_size=4),
        doubles=st.lists(st.floats(allow_nan=False), max_size=4).map(tuple),
        packed=st.lists(st.integers(-(2**63), 2**63 - 1), max_size=4),
    )
)
def test_packed_false_fields_write_protobufs_unpacked_bytes_and_read_both_forms(
    engine: Engine, value: Unpacked
) -> None:
    pb = compile_proto("ddl_unpacked", UNPACKED_PROTO).Unpacked
    expected = pb(ints=value.ints, flags=value.flags, doubles=value.doubles, packed=value.packed)
    assert engine.encode(value) == expected.SerializeToString()
    packed_form = ddl.encode(Packed(ints=value.ints, flags=value.flags, doubles=value.doubles, packed=value.packed))
    assert engine.decode(packed_form, Unpacked) == value


class Packed(ddl.Message):
    ints: list[ddl.int32] = []
    flags: list[bool] = []
    doubles: tuple[float, ...] = ()
    packed: list[ddl.sint64] = []
