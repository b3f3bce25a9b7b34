"""Groups, the delimited message encoding (``ddl.field(delimited=True)``), against protobuf's runtime.

proto2's ``group`` fields and editions' ``message_encoding = DELIMITED`` write a message between a
start-group tag and an end-group tag of the same number, with no length prefix. ddl writes the bytes
protobuf writes, reads what protobuf reads, and rejects exactly the damaged groups that upb rejects.
"""

from __future__ import annotations

import functools
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ddl
from ddl._schema import MessageNode, RepeatedNode, plan_for
from ddl.testing import instances
from tests.conftest import Engine, examples
from tests.pb_fill import fill
from tests.protoc import compile_proto
from tests.test_hostile import check, decode_error
from tests.wire import EGROUP, SGROUP, group, overlong_varint, tag, varint_field
from tests.wire import length_delimited as ld

# Each file has a package of its own: protobuf's default pool holds every test's messages by full name.
PROTO2 = """
syntax = "proto2";
package ddl_delimited;
message Doc {
  optional int32 id = 1;
  optional group Header = 2 {
    optional string title = 3;
    optional group Meta = 4 {
      optional int64 rank = 5;
      repeated string tags = 6;
    }
  }
  repeated group Line = 7 {
    optional string text = 8;
    optional int32 width = 9;
  }
  oneof pick {
    group Choice = 10 {
      optional bool flag = 11;
    }
    string note = 12;
  }
  optional Doc child = 13;
}
"""

EDITIONS = """
edition = "2023";
package ddl_delimited_editions;
message Chain {
  Chain next = 1 [features.message_encoding = DELIMITED];
  int32 value = 2;
}
"""


class Meta(ddl.Message):
    rank: int | None = ddl.field(number=5, default=None)
    tags: list[str] = ddl.field(number=6, default_factory=list)


class Header(ddl.Message):
    title: str | None = ddl.field(number=3, default=None)
    meta: Meta | None = ddl.field(number=4, default=None, delimited=True)


class Line(ddl.Message):
    text: str | None = ddl.field(number=8, default=None)
    width: ddl.int32 | None = ddl.field(number=9, default=None)


class Choice(ddl.Message):
    flag: bool | None = ddl.field(number=11, default=None)


class Doc(ddl.Message):
    id: ddl.int32 | None = ddl.field(number=1, default=None)
    header: Header | None = ddl.field(number=2, default=None, delimited=True)
    line: list[Line] = ddl.field(number=7, default_factory=list, delimited=True)
    choice: Choice | None = ddl.field(number=10, default=None, oneof="pick", delimited=True)
    note: str | None = ddl.field(number=12, default=None, oneof="pick")
    child: Doc | None = ddl.field(number=13, default=None)


class Chain(ddl.Message):
    next: Chain | None = ddl.field(number=1, default=None, delimited=True)
    value: ddl.int32 = ddl.field(number=2, default=0)


class AlwaysHeader(ddl.Message):
    """A group field without presence: written even when empty, as a plain message field is."""

    header: Header = ddl.field(number=2, default_factory=Header, delimited=True)


@functools.cache
def pb() -> ModuleType:
    return compile_proto("ddl_delimited", PROTO2)


@functools.cache
def pb_editions() -> ModuleType:
    return compile_proto("ddl_delimited_editions", EDITIONS)


def upb_reads(data: bytes, cls: type) -> Any:
    """upb's reading of ``data`` as the protobuf class of the same name, or None if it rejects it."""
    module = pb() if cls is Doc else pb_editions()
    try:
        return getattr(module, cls.__name__).FromString(data)
    except Exception:  # noqa: BLE001 - upb's DecodeError; any failure is its verdict
        return None


def same_as_upb(engine: Engine, data: bytes, cls: type = Doc) -> ddl.DecodeError | None:
    """Both reject (ddl's error is returned), or both accept the same value: ddl's bytes for what
    it read are upb's for what upb read."""
    expected = upb_reads(data, cls)
    try:
        value = engine.decode(data, cls)
    except ddl.DecodeError as err:
        assert expected is None, f"upb accepts {data.hex()}, ddl raised {err}"
        return err
    assert expected is not None, f"upb rejects {data.hex()}, ddl accepted {value!r}"
    assert engine.encode(value) == expected.SerializeToString()
    return None


# --- the plan ---------------------------------------------------------------------------------


def test_the_plan_records_delimited_once_on_the_message_node_with_the_start_group_wire_type() -> None:
    fields = {f.name: f for f in plan_for(Doc).fields}
    header, line, child = fields["header"].node, fields["line"].node, fields["child"].node
    assert isinstance(header, MessageNode) and header.delimited and header.wire_type == SGROUP
    assert isinstance(line, RepeatedNode) and isinstance(line.elem, MessageNode) and line.elem.delimited
    assert not line.packed and line.elem.wire_type == SGROUP
    assert isinstance(child, MessageNode) and not child.delimited and child.wire_type == 2
    choice = fields["choice"]
    assert isinstance(choice.node, MessageNode) and choice.node.delimited and choice.oneof == "pick"


@pytest.mark.parametrize(
    "annotation", ["int", "dict[str, Header]", "Header | Choice", "list[int]", "str | None", "list[list[Header]]", int]
)
def test_delimited_on_anything_but_a_message_field_is_a_schema_error_naming_class_field_and_type(
    annotation: object,
) -> None:
    namespace = {
        "__annotations__": {"f": annotation}, "f": ddl.field(delimited=True, default=None),
        "__qualname__": "Bad", "__module__": __name__,
    }  # fmt: skip
    written = annotation if isinstance(annotation, str) else "int"
    message = f"Bad.f: delimited=True applies only to a message field (M, M | None or list[M]), not {written}"
    with pytest.raises(ddl.SchemaError) as info:
        type("Bad", (ddl.Message,), namespace)
    assert str(info.value) == message


# --- the same bytes as protobuf ---------------------------------------------------------------


def pb_doc(**fields: Any) -> Any:
    return pb().Doc(**fields)


def test_a_group_is_its_start_tag_body_and_end_tag_as_protobuf_writes_it(engine: Engine) -> None:
    value = Doc(id=1, header=Header(title="t", meta=Meta(rank=2, tags=["a"])), line=[Line(text="x"), Line(width=3)])
    expected = pb_doc(
        id=1, header={"title": "t", "meta": {"rank": 2, "tags": ["a"]}}, line=[{"text": "x"}, {"width": 3}]
    ).SerializeToString()
    meta = group(4, varint_field(5, 2) + ld(6, b"a"))
    lines = group(7, ld(8, b"x")) + group(7, varint_field(9, 3))
    assert expected == varint_field(1, 1) + group(2, ld(3, b"t") + meta) + lines
    assert engine.encode(value) == expected
    assert engine.decode(expected, Doc) == value


def test_an_empty_group_is_two_tags_and_a_field_without_presence_always_writes_it(engine: Engine) -> None:
    assert engine.encode(Doc(header=Header())) == group(2, b"") == pb_doc(header={}).SerializeToString()
    assert engine.encode(AlwaysHeader()) == group(2, b"")
    assert engine.decode(b"", AlwaysHeader) == AlwaysHeader(header=Header())


def test_a_group_oneof_member_is_written_as_a_group_and_the_last_member_read_wins(engine: Engine) -> None:
    assert engine.encode(Doc(choice=Choice(flag=True))) == group(10, varint_field(11, 1))
    assert same_as_upb(engine, group(10, varint_field(11, 1)) + ld(12, b"n")) is None
    assert engine.decode(group(10, b"") + ld(12, b"n"), Doc) == Doc(note="n")
    assert engine.decode(ld(12, b"n") + group(10, b""), Doc) == Doc(choice=Choice())
    with pytest.raises(ddl.EncodeError, match="oneof group 'pick' has more than one member set"):
        engine.encode(Doc(choice=Choice(), note="n"))


def test_a_singular_group_that_occurs_twice_is_merged_like_protobuf(engine: Engine) -> None:
    first = group(2, ld(3, b"a") + group(4, varint_field(5, 1) + ld(6, b"x")))
    second = group(2, group(4, ld(6, b"y")))
    third = group(2, ld(3, b"c"))
    data = first + varint_field(1, 7) + second + third
    assert same_as_upb(engine, data) is None
    assert engine.decode(data, Doc) == Doc(id=7, header=Header(title="c", meta=Meta(rank=1, tags=["x", "y"])))


def test_a_group_inside_a_length_prefixed_message_is_read_like_protobuf(engine: Engine) -> None:
    data = ld(13, group(2, ld(3, b"in")) + group(7, b"")) + group(7, varint_field(9, 1))
    assert same_as_upb(engine, data) is None
    assert engine.decode(data, Doc) == Doc(child=Doc(header=Header(title="in"), line=[Line()]), line=[Line(width=1)])


GIVEN = settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@GIVEN
@given(value=instances(Doc, max_depth=3))
def test_ddl_bytes_are_protobufs_bytes_for_what_protobuf_reads(engine: Engine, value: Doc) -> None:
    data = engine.encode(value)
    parsed = pb().Doc.FromString(data)
    assert parsed.SerializeToString() == data
    assert engine.decode(data, Doc) == value


@GIVEN
@given(data=st.data())
def test_protobuf_bytes_decode_and_encode_back_unchanged(engine: Engine, data: st.DataObject) -> None:
    original = fill(pb().Doc(), data)
    wire = original.SerializeToString()
    value = engine.decode(wire, Doc)
    assert engine.encode(value) == wire
    assert pb().Doc.FromString(engine.encode(value)) == original


# --- damaged groups, accepted or rejected like upb ----------------------------------------------

ID = varint_field(1, 5)  # a field before the damage, so offsets are not all 0


@pytest.mark.parametrize(
    ("data", "path", "at"),
    [
        (ID + tag(2, SGROUP) + ld(3, b"t"), "$.header", len(ID) + 4),  # never closed
        (ID + tag(2, SGROUP) + tag(7, EGROUP), "$.header", len(ID) + 1),  # closed by another number
        (ID + tag(2, SGROUP) + tag(3, EGROUP), "$.header", len(ID) + 1),  # a field's number, not the group's
        (ID + tag(2, SGROUP) + tag(4, SGROUP) + tag(2, EGROUP), "$.header.meta", len(ID) + 2),
        (ID + tag(2, SGROUP) + b"\x00\x01" + tag(2, EGROUP), "$.header", len(ID) + 1),  # field number 0
        (ID + ld(13, tag(2, SGROUP)) + tag(2, EGROUP), "$.child.header", len(ID) + 3),  # closed outside
        (ID + ld(13, tag(2, SGROUP) + b"\x94") + b"\x00", "$.child.header", len(ID) + 3),  # end tag cut by the end
        (ID + tag(7, SGROUP) + ld(8, b"x"), "$.line[0]", len(ID) + 4),  # a repeated group never closed
        (ID + group(7, b"") + tag(7, SGROUP), "$.line[1]", len(ID) + 3),
        (ID + tag(10, SGROUP) + tag(11, 0), "$.choice.flag", len(ID) + 1),  # truncated inside a oneof member
        (ID + group(2, b"") + tag(2, SGROUP) + tag(5, EGROUP), "$.header", len(ID) + 3),  # a second occurrence
    ],
)
def test_a_damaged_group_is_rejected_like_upb_naming_the_group_and_the_byte(
    engine: Engine, data: bytes, path: str, at: int
) -> None:
    err = same_as_upb(engine, data)
    assert err is not None, f"{data.hex()} was accepted"
    check(err, path, at, at + 2)


@pytest.mark.parametrize(
    "data",
    [
        ld(2, ld(3, b"t")),  # a group field written length-prefixed: an unknown field, as upb keeps it
        ld(7, varint_field(9, 1)) + group(7, b""),  # a repeated group's element likewise
        group(13, varint_field(1, 1)),  # a message field written as a group: unknown too
        group(2, group(99, ld(98, b"u") + group(97, b""))),  # unknown groups inside a group
        tag(2, SGROUP) + overlong_varint((2 << 3) | EGROUP, 3),  # an end tag in more bytes than needed
        group(2, group(4, b"") + ld(4, b"")),  # the nested group as a length-prefixed unknown field
    ],
)
def test_other_spellings_are_read_like_upb_and_unknown_ones_written_back_unchanged(engine: Engine, data: bytes) -> None:
    assert same_as_upb(engine, data) is None


def test_a_group_field_written_length_prefixed_stays_among_the_unknown_fields(engine: Engine) -> None:
    data = ld(2, ld(3, b"t")) + group(2, ld(3, b"g"))
    value = engine.decode(data, Doc)
    assert value.header == Header(title="g")
    assert engine.encode(value) == group(2, ld(3, b"g")) + ld(2, ld(3, b"t"))


# --- nesting: the max_depth budget applies to groups as to messages -------------------------------


def chain(depth: int) -> bytes:
    return tag(1, SGROUP) * depth + tag(1, EGROUP) * depth


def test_groups_nested_to_max_depth_are_read_and_deeper_ones_rejected_like_upb(engine: Engine) -> None:
    assert same_as_upb(engine, chain(100), Chain) is None
    err = same_as_upb(engine, chain(101), Chain)
    assert err is not None
    check(err, "$" + ".next" * 101, 101, 101)
    engine.decode(chain(5), Chain, max_depth=5)
    check(decode_error(engine, chain(6), Chain, max_depth=5), "$" + ".next" * 6, 6, 6)


def test_deeply_nested_groups_encode_like_protobuf_and_a_cycle_is_an_encode_error(engine: Engine) -> None:
    value, expected = Chain(value=1), pb_editions().Chain(value=1)
    for _ in range(99):
        value, expected = Chain(next=value), pb_editions().Chain(next=expected)
    data = engine.encode(value)
    assert data == expected.SerializeToString() == tag(1, SGROUP) * 99 + varint_field(2, 1) + tag(1, EGROUP) * 99
    assert engine.decode(data, Chain) == value
    looped = Chain()
    looped.next = looped
    with pytest.raises(ddl.EncodeError, match="nested deeper than max_depth"):
        engine.encode(looped)


def test_100000_nested_groups_raise_decode_error_not_recursion_error(engine: Engine) -> None:
    check(decode_error(engine, chain(100_000), Chain), "$" + ".next" * 101, 101, 101)
    err = decode_error(engine, chain(100_000), Chain, max_depth=10**9)  # only Python's own stack stops this
    assert err.path.startswith("$.next")


def test_an_error_inside_a_group_names_its_path_on_encode(engine: Engine) -> None:
    with pytest.raises(ddl.EncodeError) as info:
        engine.encode(Doc(header=Header(meta=Meta(tags=["a", 5]))))  # type: ignore[list-item]
    assert info.value.path == "$.header.meta.tags[1]"
