"""proto2's rules against protobuf's runtime: closed enums, required fields and ``[default = ...]``.

A closed enum (``ddl.ClosedEnum``) has no numbers but its members': a number it has not, read
from the wire, stays among the unknown fields (a whole map entry, one value of a packed run) and
goes back out unchanged, as upb keeps it. A required field is always written; a message without
it is not written, and is not read: protobuf's Python runtime parses it partially and says so
with ``IsInitialized()``, where its C++ and Java parsers reject it, and ddl rejects it.
``[default = ...]`` is what protobuf reads for an absent field; ddl keeps the absence (None).
"""

from __future__ import annotations

import enum
import functools
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ddl
from ddl.testing import instances
from tests.conftest import FIXTURE_SAFE, Engine
from tests.pb_fill import fill
from tests.protoc import compile_proto, load_file
from tests.wire import length_delimited as ld
from tests.wire import varint, varint_field, wire_data

PROTO = """
syntax = "proto2";
package ddl_proto2;
enum Color {
  GREEN = 2;  // the first value: an absent Color reads as GREEN
  RED = 1;
  BLUE = 5;
}
enum Tone {  // protoc requires 0 first in an enum that is a map's value
  QUIET = 0;
  LOUD = 3;
}
message Part {
  required int32 id = 1;
  optional string name = 2;
}
message Sheet {
  optional Color color = 1;
  repeated Color unpacked = 2;
  repeated Color packed = 3 [packed = true];
  map<string, Tone> by_name = 4;
  oneof pick {
    Color picked = 5;
    string label = 6;
  }
  required string title = 7;
  optional int32 retries = 8 [default = 3];
  optional Color shade = 9 [default = BLUE];
  optional Part part = 10;
  repeated Part parts = 11;
  map<int32, Part> part_map = 12;
}
"""


class Color(ddl.ClosedEnum):
    GREEN = 2
    RED = 1
    BLUE = 5


class Tone(ddl.ClosedEnum):
    QUIET = 0
    LOUD = 3


class Part(ddl.Message):
    id: ddl.int32 = ddl.field(number=1, required=True)
    name: str | None = ddl.field(number=2, default=None, verify_utf8=False)


class Sheet(ddl.Message, kw_only=True):
    color: Color | None = ddl.field(number=1, default=None)
    unpacked: list[Color] = ddl.field(number=2, default_factory=list, packed=False)
    packed: list[Color] = ddl.field(number=3, default_factory=list)
    by_name: dict[str, Tone] = ddl.field(number=4, default_factory=dict, verify_utf8=False)
    pick: Color | str | None = ddl.field(number=(5, 6), default=None, verify_utf8=False)
    title: str = ddl.field(number=7, required=True, verify_utf8=False)
    retries: ddl.int32 | None = ddl.field(number=8, default=None, proto_default=3)
    shade: Color | None = ddl.field(number=9, default=None, proto_default=Color.BLUE)
    part: Part | None = ddl.field(number=10, default=None)
    parts: list[Part] = ddl.field(number=11, default_factory=list)
    part_map: dict[ddl.int32, Part] = ddl.field(number=12, default_factory=dict)


TITLE = ld(7, b"t")  # the required field, so that a message is complete


@functools.cache
def pb() -> ModuleType:
    return compile_proto("ddl_proto2", PROTO)


def canonical(data: bytes) -> bytes:
    """protobuf's deterministic bytes for what it reads from ``data`` (map order aside)."""
    written: bytes = pb().Sheet.FromString(data).SerializeToString(deterministic=True)
    return written


def same_as_protobuf(engine: Engine, data: bytes) -> ddl.DecodeError | None:
    """ddl rejects ``data`` exactly when upb cannot parse it or parses an incomplete message;
    otherwise what ddl writes back is, for upb, the message it read (unknown fields included)."""
    try:
        parsed = pb().Sheet.FromString(data)
        complete = parsed.IsInitialized()
    except Exception:  # noqa: BLE001 - upb's DecodeError; any failure is its verdict
        complete = False
    try:
        value = engine.decode(data, Sheet)
    except ddl.DecodeError as err:
        assert not complete, f"upb reads {data.hex()} whole, ddl raised {err}"
        return err
    assert complete, f"upb rejects {data.hex()} or finds it incomplete, ddl read {value!r}"
    assert canonical(engine.encode(value)) == canonical(data)
    return None


# --- closed enums -----------------------------------------------------------------------------


def test_an_absent_closed_enum_reads_as_its_first_member_as_protobufs_default() -> None:
    assert pb().Sheet().color == Color.GREEN
    assert next(iter(Color)) is Color.GREEN
    assert ddl.decode(varint_field(9, 5) + TITLE, Sheet).shade is Color.BLUE


@pytest.mark.parametrize(
    "field",
    [
        varint_field(1, 7),  # singular
        varint_field(2, 7),  # repeated, one element at a time
        ld(3, varint(1) + varint(7) + varint(5) + varint(2**32 - 3)),  # packed: members kept, the others unknown
        ld(4, ld(1, b"k") + varint_field(2, 7)),  # a map entry, kept whole
        varint_field(5, 7),  # a oneof member
        varint_field(1, 2**64 - 1),  # -1, read as an int32
    ],
    ids=["singular", "unpacked", "packed", "map", "oneof", "negative"],
)
def test_a_number_a_closed_enum_has_not_stays_among_the_unknown_fields_as_upb_keeps_it(
    engine: Engine, field: bytes
) -> None:
    value = engine.decode(varint_field(1, 1) + field + TITLE, Sheet)
    assert value._ddl_unknown is not None
    assert all(isinstance(c, Color) for c in [*value.packed, *value.unpacked])
    assert all(isinstance(t, Tone) for t in value.by_name.values())
    assert same_as_protobuf(engine, varint_field(1, 1) + field + TITLE) is None
    upb = pb().Sheet.FromString(varint_field(1, 1) + field + TITLE)
    assert list(value.packed) == list(upb.packed) and dict(value.by_name) == dict(upb.by_name)
    assert value.color == upb.color == Color.RED  # the unknown occurrence left the field as it was


def test_the_unknown_values_of_a_packed_run_become_one_varint_field_each_after_the_known_fields(
    engine: Engine,
) -> None:
    data = ld(3, varint(7) + varint(1) + varint(9)) + TITLE
    value = engine.decode(data, Sheet)
    assert value.packed == [Color.RED]
    assert value._ddl_unknown == varint_field(3, 7) + varint_field(3, 9)
    assert engine.encode(value) == pb().Sheet.FromString(data).SerializeToString()


@pytest.mark.parametrize(
    ("sheet", "path"),
    [
        (Sheet(title="t", color=7), "$.color"),  # type: ignore[arg-type]
        (Sheet(title="t", unpacked=[Color.RED, 7]), "$.unpacked[1]"),  # type: ignore[list-item]
        (Sheet(title="t", packed=[Color.RED, 0]), "$.packed[1]"),  # type: ignore[list-item]
        (Sheet(title="t", by_name={"k": 4}), "$.by_name['k']"),  # type: ignore[dict-item]
    ],
)
def test_encoding_a_number_a_closed_enum_has_not_is_an_error_naming_the_field(
    engine: Engine, sheet: Sheet, path: str
) -> None:
    with pytest.raises(ddl.EncodeError, match=r"is not a number of the closed enum (Color|Tone)") as info:
        engine.encode(sheet)
    assert info.value.path == path


def test_a_closed_enums_numbers_given_as_ints_are_written_as_its_members(engine: Engine) -> None:
    assert engine.encode(Sheet(title="t", color=1, packed=[2, 5])) == engine.encode(  # type: ignore[arg-type, list-item]
        Sheet(title="t", color=Color.RED, packed=[Color.GREEN, Color.BLUE])
    )


def test_a_closed_enum_field_without_presence_is_a_schema_error() -> None:
    class Bare(ddl.Message):
        color: Color = Color.GREEN

    with pytest.raises(ddl.SchemaError, match=r"Bare\.color: a field of the closed enum Color has presence"):
        ddl.encode(Bare())


def test_an_open_enum_still_keeps_unknown_numbers_as_ints(engine: Engine) -> None:
    class Open(enum.IntEnum):
        ZERO = 0

    class Holder(ddl.Message):
        value: Open = Open.ZERO

    assert engine.decode(varint_field(1, 7), Holder) == Holder(value=7)  # type: ignore[arg-type]


# --- required fields --------------------------------------------------------------------------


def test_a_required_field_is_written_even_when_zero_or_empty(engine: Engine) -> None:
    assert engine.encode(Part(id=0)) == varint_field(1, 0) == pb().Part(id=0).SerializeToString()
    assert engine.encode(Sheet(title="")) == ld(7, b"") == pb().Sheet(title="").SerializeToString()


# Messages missing a required field, and the path of the field.
MISSING_REQUIRED = [
    (Sheet(title=None), "$.title"),  # type: ignore[arg-type]
    (Sheet(title="t", part=Part(id=None)), "$.part.id"),  # type: ignore[arg-type]
    (Sheet(title="t", parts=[Part(id=1), Part(id=None)]), "$.parts[1].id"),  # type: ignore[arg-type]
    (Sheet(title="t", part_map={3: Part(id=None)}), "$.part_map[3].id"),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(("sheet", "path"), MISSING_REQUIRED)
def test_encoding_a_message_without_a_required_field_is_an_error_as_in_protobuf(
    engine: Engine, sheet: Sheet, path: str
) -> None:
    with pytest.raises(ddl.EncodeError, match="is required") as info:
        engine.encode(sheet)
    assert info.value.path == path
    with pytest.raises(Exception, match="missing required fields"):
        pb().Sheet(**({"part": {}} if path == "$.part.id" else {})).SerializeToString()


@pytest.mark.parametrize(("sheet", "path"), MISSING_REQUIRED)
def test_writing_json_of_a_message_without_a_required_field_is_an_error_naming_it(
    engine: Engine, sheet: Sheet, path: str
) -> None:
    """Unlike an optional field's None, which JSON leaves out, a required one is never skipped."""
    with pytest.raises(ddl.EncodeError, match=r"a required field .* is None") as info:
        engine.to_json(sheet)
    assert info.value.path == path.replace("part_map", "partMap")  # a JSON path names fields by their JSON names


@pytest.mark.parametrize(
    ("data", "path"),
    [
        (b"", "$.title"),
        (ld(10, b"") + TITLE, "$.part.id"),
        (TITLE + ld(11, varint_field(1, 1)) + ld(11, ld(2, b"n")), "$.parts[1].id"),
        (TITLE + ld(12, varint_field(1, 3) + ld(2, b"")), "$.part_map[3].id"),
    ],
)
def test_decoding_bytes_without_a_required_field_is_an_error_naming_it(engine: Engine, data: bytes, path: str) -> None:
    err = same_as_protobuf(engine, data)
    assert err is not None and err.path == path and err.offset == len(data)
    assert str(err).startswith(f"the required field {path.rsplit('.', 1)[1]!r} is missing")


def test_a_required_field_may_come_in_a_later_occurrence_of_its_message(engine: Engine) -> None:
    data = TITLE + ld(10, ld(2, b"n")) + ld(10, varint_field(1, 4))
    assert same_as_protobuf(engine, data) is None
    assert engine.decode(data, Sheet).part == Part(id=4, name="n")


def test_required_applies_to_one_value_and_is_a_constructor_argument() -> None:
    with pytest.raises(TypeError, match="title"):
        Sheet()  # type: ignore[call-arg]
    with pytest.raises(ddl.SchemaError, match=r"Many\.ids: required=True applies to a field of one value"):

        class Many(ddl.Message):
            ids: list[int] = ddl.field(number=1, required=True)


# --- [default = ...] --------------------------------------------------------------------------


def test_proto_default_is_what_protobuf_reads_for_the_absent_field_and_ddl_keeps_the_absence(
    engine: Engine,
) -> None:
    upb = pb().Sheet(title="t")
    value = engine.decode(upb.SerializeToString(), Sheet)
    assert value.retries is None and value.shade is None
    assert ddl.proto_default(Sheet, "retries") == upb.retries == 3
    assert ddl.proto_default(Sheet, "shade") == upb.shade == Color.BLUE
    assert ddl.proto_default(Sheet, "color") is None
    explicit = pb().Sheet(title="t", retries=3)  # set to its default: present, and kept so
    back = pb().Sheet.FromString(engine.encode(engine.decode(explicit.SerializeToString(), Sheet)))
    assert back.HasField("retries") and not pb().Sheet.FromString(engine.encode(value)).HasField("retries")


def test_proto_default_must_be_a_value_of_an_optional_field() -> None:
    with pytest.raises(ddl.SchemaError, match=r"Bad\.n: proto_default applies to an optional field"):

        class Bad(ddl.Message):
            n: int = ddl.field(number=1, default=0, proto_default=3)

    with pytest.raises(ddl.SchemaError, match=r"Worse\.n: proto_default 'x' is not a value of the field"):

        class Worse(ddl.Message):
            n: int | None = ddl.field(number=1, default=None, proto_default="x")

    with pytest.raises(ValueError, match="Sheet has no field 'nope'"):
        ddl.proto_default(Sheet, "nope")


# --- strings that are not UTF-8 ---------------------------------------------------------------


@pytest.mark.parametrize(
    "field",
    [
        ld(7, b"\xff\xfeA"),
        ld(4, ld(1, b"\xc3") + varint_field(2, 3)),
        ld(6, b"\x80"),
        ld(11, varint_field(1, 1) + ld(2, b"\xe9")),
    ],
    ids=["singular", "map-key", "oneof", "nested"],
)
def test_a_proto2_string_may_hold_bytes_that_are_not_utf8_and_keeps_them_as_upb_does(
    engine: Engine, field: bytes
) -> None:
    data = TITLE + field
    assert same_as_protobuf(engine, data) is None
    assert engine.encode(engine.decode(data, Sheet)) == pb().Sheet.FromString(data).SerializeToString()


def test_bytes_that_are_not_utf8_become_lone_surrogates_and_other_strings_stay_strict(engine: Engine) -> None:
    assert engine.decode(ld(7, b"\xff\xfeA"), Sheet).title == "\udcff\udcfeA"
    assert engine.encode(Sheet(title="\udc80")) == ld(7, b"\x80")

    class Strict(ddl.Message):
        text: str = ""

    with pytest.raises(ddl.DecodeError, match=r"invalid UTF-8 in a string field at \$\.text"):
        engine.decode(ld(1, b"\xff"), Strict)
    with pytest.raises(ddl.EncodeError):
        engine.encode(Strict(text="\udc80"))


def test_verify_utf8_false_applies_only_to_fields_holding_strings() -> None:
    with pytest.raises(ddl.SchemaError, match=r"Bad\.n: verify_utf8=False applies only to a field holding strings"):

        class Bad(ddl.Message):
            n: int = ddl.field(number=1, default=0, verify_utf8=False)


# --- random messages both ways ----------------------------------------------------------------


@FIXTURE_SAFE
@given(data=st.data())
def test_random_protobuf_messages_read_and_write_back_as_protobuf_reads_them(
    engine: Engine, data: st.DataObject
) -> None:
    message = fill(pb().Sheet(), data)
    assert same_as_protobuf(engine, message.SerializeToString()) is None


@FIXTURE_SAFE
@given(sheet=instances(Sheet))
def test_random_ddl_messages_are_read_by_protobuf_as_written(engine: Engine, sheet: Sheet) -> None:
    data = engine.encode(sheet)
    assert pb().Sheet.FromString(data).IsInitialized()
    assert engine.decode(data, Sheet) == sheet
    assert canonical(data) == canonical(engine.encode(engine.decode(canonical(data), Sheet)))


@pytest.mark.parametrize(
    "entry",
    [
        b"\x0d\x00\x00\x00\x00" + ld(2, b""),  # the key with the wrong wire type (fixed32)
        varint_field(1, 3) + varint_field(2, 1),  # the value, a message, as a varint
        varint_field(1, 3) + varint_field(9, 1) + ld(2, varint_field(1, 4)),  # a number entries lack
    ],
)
def test_a_map_entry_holding_another_field_is_kept_whole_among_the_unknown_fields(engine: Engine, entry: bytes) -> None:
    data = TITLE + ld(12, entry)
    assert same_as_protobuf(engine, data) is None  # upb keeps the entry as it came
    value = engine.decode(data, Sheet)
    assert value.part_map == {}
    assert engine.encode(value) == data


@FIXTURE_SAFE
@given(data=wire_data(list(range(1, 14))))
def test_random_wire_data_is_accepted_and_written_back_exactly_when_protobuf_accepts_it(
    engine: Engine, data: bytes
) -> None:
    same_as_protobuf(engine, data)


def test_proto_default_of_an_enum_defined_later_is_checked_once_the_class_is_used(tmp_path: Path) -> None:
    # Postponed annotations naming an enclosing class, as generated code has them.
    source = """\
from __future__ import annotations
import ddl
class Outer(ddl.Message):
    class Kind(ddl.ClosedEnum):
        A = 1
        B = 2
    class Inner(ddl.Message):
        k: Outer.Kind | None = ddl.field(number=1, default=None, proto_default=2)
        j: Outer.Kind | None = ddl.field(number=2, default=None, proto_default=5)
"""
    (tmp_path / "later.py").write_text(source)
    outer = load_file(tmp_path / "later.py", "ddl_proto2").Outer
    with pytest.raises(ddl.SchemaError, match=r"Outer.Inner.j: proto_default 5 is not a value of the field"):
        ddl.encode(outer.Inner())
