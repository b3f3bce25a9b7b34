"""``ddl decode``: a ddl class's view of bytes (--type) and the schema-less view (--raw).

--raw is checked against the real ``protoc --decode_raw`` from grpcio-tools, byte for byte.
"""

from __future__ import annotations

import base64
import io
import json
import re
import struct
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ddl
from ddl import _cli
from ddl._cli._cmd_decode import EXAMPLES
from ddl._cli._raw import raw_lines
from tests.conftest import examples
from tests.protoc import compile_proto
from tests.wire import group, tag, varint, varint_field
from tests.wire import length_delimited as ld

REPO = Path(__file__).resolve().parent.parent


def protoc_decode_raw(data: bytes) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "grpc_tools.protoc", "--decode_raw"], input=data, capture_output=True, check=True
    )
    return done.stdout.decode()


def ddl_raw(data: bytes, max_depth: int = 100) -> str:
    return "".join(line + "\n" for line in raw_lines(data, max_depth))


# --- wire builders -------------------------------------------------------------------------------


def nested_ld(levels: int, leaf: bytes = b"\x08\x01") -> bytes:
    data = leaf
    for _ in range(levels):
        data = ld(1, data)
    return data


# --- --raw against protoc --decode_raw -----------------------------------------------------------

SCALARS_PROTO = """
syntax = "proto3";
package ddl_decode_test;
enum Color { NONE = 0; RED = 1; }
message Inner { string name = 1; repeated int32 ids = 2; }
message Scalars {
  int32 i32 = 1;
  int64 i64 = 2;
  uint64 u64 = 3;
  sint32 s32 = 4;
  sint64 s64 = 5;
  fixed32 f32 = 6;
  fixed64 f64 = 7;
  sfixed32 sf32 = 8;
  sfixed64 sf64 = 9;
  float fl = 10;
  double db = 11;
  bool flag = 12;
  string text = 13;
  bytes blob = 14;
  Color color = 15;
  Inner inner = 16;
  repeated Inner inners = 17;
  repeated sint64 packed = 18;
  repeated double doubles = 19;
  map<string, int32> counts = 20;
  string empty_present = 21;
}
"""

GROUPS_PROTO = """
syntax = "proto2";
package ddl_decode_test2;
message WithGroups {
  optional int64 a = 1;
  optional group Extra = 5 { optional int32 x = 6; optional string y = 7; }
  repeated group Rows = 8 { optional sint64 z = 9; optional bytes raw = 10; }
}
"""


def test_raw_matches_protoc_on_every_scalar_kind_written_by_protobuf() -> None:
    pb = compile_proto("ddl_decode_scalars", SCALARS_PROTO)
    message = pb.Scalars(
        i32=-5, i64=-(1 << 63), u64=(1 << 64) - 1, s32=-3, s64=-(1 << 40), f32=0xDEADBEEF, f64=1,
        sf32=-2, sf64=-7, fl=1.5, db=-0.1, flag=True, text='Zoë says "hi"\n\t\\', blob=b"\xff\x00\x80abc",
        color=pb.RED, inner=pb.Inner(name="in", ids=[1, -1, 300]),
        inners=[pb.Inner(name="a"), pb.Inner(), pb.Inner(ids=[7])],
        packed=[-1, 0, 1, 1 << 62], doubles=[float("inf"), float("nan"), 2.5], counts={"k": -9},
    )  # fmt: skip
    data = message.SerializeToString()
    assert ddl_raw(data) == protoc_decode_raw(data)


def test_raw_matches_protoc_on_proto2_groups() -> None:
    pb = compile_proto("ddl_decode_groups", GROUPS_PROTO)
    message = pb.WithGroups(a=3)
    message.extra.x = -1
    message.extra.y = "group"
    message.rows.add(z=-5, raw=b"\x0b\x0c")
    message.rows.add()
    data = message.SerializeToString()
    assert ddl_raw(data) == protoc_decode_raw(data)


class Leaf(ddl.Message):
    label: str = ""
    weight: ddl.float32 = 0.0


class Everything(ddl.Message):
    id: int
    when: datetime | None = None
    took: timedelta = timedelta(0)
    leaves: list[Leaf] = ddl.field(default_factory=list)
    scores: dict[int, float] = ddl.field(default_factory=dict)
    extra: dict[str, Any] = ddl.field(default_factory=dict)
    key: uuid.UUID = uuid.UUID(int=0)
    amount: Decimal = Decimal(0)
    grid: list[list[ddl.sint32]] = ddl.field(default_factory=list)
    day: date = date(1970, 1, 1)
    seen: frozenset[str] = frozenset()
    flags: dict[bool, str] = ddl.field(default_factory=dict)


def test_raw_matches_protoc_on_bytes_written_by_ddl() -> None:
    value = Everything(
        id=-1,
        when=datetime(2026, 1, 2, 3, 4, 5, 600_000, tzinfo=UTC),
        took=timedelta(seconds=-1.5),
        leaves=[Leaf("x", 0.25), Leaf(), Leaf(weight=-1e30)],
        scores={-3: 1.0, 1 << 40: float("-inf")},
        extra={"a": [1.0, None, True, "s"], "b": {"c": {}}},
        key=uuid.UUID("12345678-9abc-def0-1234-56789abcdef0"),
        amount=Decimal("-1.10"),
        grid=[[1, -2], [], [3]],
        day=date(2026, 2, 28),
        seen=frozenset({"b", "a"}),
        flags={True: "yes"},
    )
    data = ddl.encode(value)
    assert ddl_raw(data) == protoc_decode_raw(data)


def test_raw_stops_parsing_nested_messages_at_max_depth_as_protoc_does_at_10() -> None:
    # protoc parses 10 levels of length-delimited fields; ddl's default is 100, its decoder's limit.
    cases = [
        nested_ld(12),
        group(1, nested_ld(12)),
        group(1, group(2, nested_ld(12))),
        nested_ld(1, group(1, group(1, b""))),
        nested_ld(1, b"".join([b"\x0b"] * 10 + [b"\x0c"] * 10)),
        nested_ld(1, b"".join([b"\x0b"] * 11 + [b"\x0c"] * 11)),
        nested_ld(2, b"".join([b"\x0b"] * 9 + [b"\x0c"] * 9)),
        nested_ld(2, b"".join([b"\x0b"] * 10 + [b"\x0c"] * 10)),
    ]
    for data in cases:
        assert ddl_raw(data, max_depth=10) == protoc_decode_raw(data), data


def raw_fields(depth: int) -> st.SearchStrategy[bytes]:
    numbers = st.one_of(st.integers(1, 20), st.integers(1, (1 << 29) - 1))
    leaves = st.one_of(
        st.builds(varint_field, numbers, st.one_of(st.integers(0, 300), st.integers(-(1 << 63), (1 << 64) - 1))),
        st.builds(lambda n, v: tag(n, 5) + struct.pack("<I", v), numbers, st.integers(0, (1 << 32) - 1)),
        st.builds(lambda n, v: tag(n, 1) + struct.pack("<Q", v), numbers, st.integers(0, (1 << 64) - 1)),
        st.builds(ld, numbers, st.binary(max_size=12)),
        st.builds(lambda n, s: ld(n, s.encode()), numbers, st.text(max_size=8)),
    )
    if depth == 0:
        return leaves
    inner = st.lists(raw_fields(depth - 1), max_size=4).map(b"".join)
    return st.one_of(leaves, st.builds(ld, numbers, inner), st.builds(group, numbers, inner))


@settings(max_examples=examples(40), deadline=None)
@given(st.lists(raw_fields(3), max_size=5).map(b"".join))
def test_raw_matches_protoc_on_any_well_formed_bytes(data: bytes) -> None:
    assert ddl_raw(data) == protoc_decode_raw(data)


def test_raw_escapes_every_byte_value_as_protoc_does() -> None:
    every_byte = bytes(range(256))
    data = ld(1, every_byte)
    assert ddl_raw(data) == protoc_decode_raw(data)


# --- --raw on malformed and hostile bytes --------------------------------------------------------


def run_cli(*argv: str) -> int:
    return _cli.main(["decode", *argv])


def write(tmp_path: Path, data: bytes, name: str = "data.bin") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_raw_prints_the_fields_before_a_truncated_varint_then_the_offset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = varint_field(1, 150) + ld(2, b"text") + b"\x18\x96"
    assert run_cli("--raw", write(tmp_path, data)) == 1
    out, err = capsys.readouterr()
    assert out == '1: 150\n2: "text"\n'
    assert err == "ddl decode: invalid protobuf at byte offset 10: truncated varint\n"


def test_raw_rejects_a_huge_length_prefix_without_allocating_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = varint_field(1, 1) + tag(2, 2) + varint((1 << 62) - 1) + b"abc"
    assert run_cli("--raw", write(tmp_path, data)) == 1
    out, err = capsys.readouterr()
    assert out == "1: 1\n"
    assert "byte offset 12: length 4611686018427387903 runs past the end of the data (3 bytes left)" in err


@pytest.mark.parametrize(
    ("data", "offset", "message"),
    [
        (b"\x08\x01\x00", 2, "field number 0 is invalid"),
        (b"\x0e", 0, "invalid wire type 6 for field 1"),
        (b"\x0c", 0, "end-group tag for field 1 without a start-group"),
        (b"\x0b\x08\x01\x14", 3, "end-group tag 2 does not match group 1"),
        (b"\x0b\x08\x01", 3, "group 1 is not closed"),
        (b"\x0d\x01\x02", 1, "field 1 needs 4 bytes, 2 left"),
        (b"\x08" + b"\xff" * 10 + b"\x01", 1, "varint is longer than 10 bytes"),
    ],
)
def test_raw_reports_malformed_bytes_with_their_offset(data: bytes, offset: int, message: str) -> None:
    with pytest.raises(ddl.DecodeError) as caught:
        ddl_raw(data)
    assert (caught.value.offset, caught.value.message) == (offset, message)


def test_raw_keeps_the_low_32_bits_of_a_5_byte_tag_as_protoc_does() -> None:
    data = varint(1 << 32 | 8) + b"\x01"
    assert ddl_raw(data) == protoc_decode_raw(data) == "1: 1\n"


@pytest.mark.parametrize("tag", [b"\x88\x80\x80\x80\x80\x00", b"\x88\x80\x80\x80\xc2\x80\x00"])
def test_raw_reads_a_longer_tag_only_inside_a_nested_message_as_protoc_does(tag: bytes) -> None:
    nested = b"\x0a" + bytes([len(tag) + 1]) + tag + b"\x01"
    assert ddl_raw(nested) == protoc_decode_raw(nested)
    assert ddl_raw(nested).startswith("1 {")
    with pytest.raises(ddl.DecodeError, match="a tag takes at most 5 bytes"):
        ddl_raw(tag + b"\x01")


def test_raw_shows_an_unclosed_group_with_what_it_held() -> None:
    lines: list[str] = []
    with pytest.raises(ddl.DecodeError, match="group 3 is not closed"):
        lines.extend(raw_lines(varint_field(1, 7) + tag(3, 3) + varint_field(4, 5)))
    assert lines == ["1: 7", "3 {", "  4: 5", "}"]


def test_raw_prints_ten_thousand_nested_levels_as_100_messages_and_then_bytes() -> None:
    data = nested_ld(10_000)
    lines = ddl_raw(data).splitlines()
    assert lines[:2] == ["1 {", "  1 {"]
    assert lines[100].startswith(" " * 200 + '1: "\\n')
    assert len(lines) == 201


def test_raw_stops_at_groups_nested_deeper_than_100(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data = tag(1, 3) * 10_000 + tag(1, 4) * 10_000
    assert run_cli("--raw", write(tmp_path, data)) == 1
    out, err = capsys.readouterr()
    assert out.count("{") == 100
    assert err == "ddl decode: invalid protobuf at byte offset 100: groups are nested deeper than 100\n"


def test_raw_decodes_nothing_from_empty_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("--raw", write(tmp_path, b"")) == 0
    assert capsys.readouterr() == ("", "")


# --- --type --------------------------------------------------------------------------------------

SHOP = """
from datetime import datetime, timedelta
from enum import IntEnum
import ddl

class Status(IntEnum):
    UNKNOWN = 0
    ACTIVE = 1

class Item(ddl.Message):
    sku: str = ""
    qty: ddl.int32 = 0

class Order(ddl.Message):
    id: int
    status: Status = Status.UNKNOWN
    items: list[Item] = []
    tags: dict[str, int] = {}
    codes: list[int] = []
    blob: bytes = b""
    note: str | None = None
    created: datetime | None = None
    took: timedelta = timedelta(0)
    ok: bool = False

class OrderV2(Order):
    coupon: str = ""
    points: int = 0

class NotAMessage:
    pass
"""


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A module of ddl classes in the current directory, importable as --type NAME:Class."""
    name = re.sub(r"\W", "_", request.node.name)
    (tmp_path / f"{name}.py").write_text(SHOP)
    monkeypatch.chdir(tmp_path)
    sys.path.insert(0, str(tmp_path))
    try:
        module = __import__(name)
    finally:
        sys.path.remove(str(tmp_path))
    yield module
    sys.modules.pop(name, None)


def sample_order(shop: Any) -> Any:
    return shop.Order(
        id=7,
        status=shop.Status.ACTIVE,
        items=[shop.Item("tea", 2), shop.Item(sku="mug")],
        tags={"gift": 1},
        codes=[-1, 3],
        blob=b"\x00ab\xff",
        created=ddl.DatetimeNs(2026, 11, 24, 9, 30, 0, 5, UTC, nanosecond=7),
        took=timedelta(seconds=90, milliseconds=500),
        ok=True,
    )


def test_type_prints_one_field_per_line_with_nested_messages_indented(
    shop: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(Path.cwd(), ddl.encode(sample_order(shop)))
    assert run_cli("--type", f"{shop.__name__}:Order", path) == 0
    assert capsys.readouterr().out == textwrap.dedent("""\
        Order {
          id: 7
          status: ACTIVE
          items: [
            [0]: Item {
              sku: 'tea'
              qty: 2
            }
            [1]: Item {
              sku: 'mug'
              qty: 0
            }
          ]
          tags: {
            'gift': 1
          }
          codes: [
            [0]: -1
            [1]: 3
          ]
          blob: b'\\x00ab\\xff'
          note: None
          created: 2026-11-24T09:30:00.000005007Z
          took: 90.500s
          ok: True
        }
        """)
    assert str(Path.cwd()) not in sys.path


def test_type_lists_the_unknown_fields_a_message_kept(shop: Any, capsys: pytest.CaptureFixture[str]) -> None:
    newer = shop.OrderV2(id=1, status=5, coupon="SAVE", points=-2)
    path = write(Path.cwd(), ddl.encode(newer))
    assert run_cli("--type", f"{shop.__name__}:Order", path) == 0
    out = capsys.readouterr().out
    assert "  status: 5\n" in out
    assert out.endswith('  unknown fields {\n    11: "SAVE"\n    12: 18446744073709551614\n  }\n}\n')


def test_type_prints_json_with_enum_names_base64_bytes_and_rfc3339_times(
    shop: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(Path.cwd(), ddl.encode(sample_order(shop)))
    assert run_cli("--type", f"{shop.__name__}:Order", "--json", path) == 0
    assert json.loads(capsys.readouterr().out) == {
        "id": 7,
        "status": "ACTIVE",
        "items": [{"sku": "tea", "qty": 2}, {"sku": "mug", "qty": 0}],
        "tags": {"gift": 1},
        "codes": [-1, 3],
        "blob": base64.b64encode(b"\x00ab\xff").decode(),
        "note": None,
        "created": "2026-11-24T09:30:00.000005007Z",
        "took": "90.500s",
        "ok": True,
    }


def test_format_json_prints_the_canonical_proto3_json_of_the_message(
    shop: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    order = sample_order(shop)
    path = write(Path.cwd(), ddl.encode(order))
    assert run_cli("--type", f"{shop.__name__}:Order", "--format", "json", path) == 0
    out = capsys.readouterr().out
    assert out == ddl.to_json(order, indent=2) + "\n"
    assert json.loads(out) == {
        "id": "7",
        "status": "ACTIVE",
        "items": [{"sku": "tea", "qty": 2}, {"sku": "mug"}],
        "tags": {"gift": "1"},
        "codes": ["-1", "3"],
        "blob": base64.b64encode(b"\x00ab\xff").decode(),
        "created": "2026-11-24T09:30:00.000005007Z",
        "took": "90.500s",
        "ok": True,
    }


def test_format_textproto_prints_protobufs_text_format_of_the_message(
    shop: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    order = sample_order(shop)
    path = write(Path.cwd(), ddl.encode(order))
    assert run_cli("--type", f"{shop.__name__}:Order", "--format", "textproto", path) == 0
    out = capsys.readouterr().out
    assert out == ddl.to_text(order)
    assert out.startswith('id: 7\nstatus: ACTIVE\nitems {\n  sku: "tea"\n  qty: 2\n}\n')


def test_format_textproto_fails_on_an_any_that_does_not_hold_its_type(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "anyholder.py").write_text(
        "import ddl\n\nclass Box(ddl.Message):\n    held: ddl.wkt.Any | None = None\n"
    )
    url = b"type.googleapis.com/google.protobuf.Duration"
    path = write(tmp_path, ld(1, ld(1, url) + ld(2, b"\x08")))  # a Duration cut in its seconds
    sys.path.insert(0, str(tmp_path))
    try:
        assert run_cli("--type", "anyholder:Box", "--format", "textproto", path) == 1
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("anyholder", None)
    assert capsys.readouterr().err.startswith("ddl decode: cannot write Box as text: ")


def test_format_text_is_the_default(shop: Any, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(Path.cwd(), ddl.encode(sample_order(shop)))
    assert run_cli("--type", f"{shop.__name__}:Order", path) == 0
    default = capsys.readouterr().out
    assert run_cli("--type", f"{shop.__name__}:Order", "--format", "text", path) == 0
    assert capsys.readouterr().out == default
    assert default.startswith("Order {\n")


def test_format_json_fails_on_a_value_json_cannot_hold(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A Struct may hold NaN in binary, which proto3 JSON cannot write.
    (tmp_path / "jsonless.py").write_text(
        "from typing import Any\nimport ddl\n\nclass Doc(ddl.Message):\n    meta: dict[str, Any] = {}\n"
    )
    data = ld(1, ld(1, ld(1, b"score") + ld(2, b"\x11" + struct.pack("<d", float("nan")))))
    path = write(tmp_path, data)
    sys.path.insert(0, str(tmp_path))
    try:
        assert run_cli("--type", "jsonless:Doc", "--format", "json", path) == 1
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("jsonless", None)
    assert capsys.readouterr().err.startswith("ddl decode: cannot write Doc as JSON: ")


def test_type_reads_standard_input_for_a_dash(
    shop: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(ddl.encode(shop.Order(id=3))))
    monkeypatch.setattr(sys, "stdin", stdin)
    assert run_cli("--type", f"{shop.__name__}:Order", "-") == 0
    assert capsys.readouterr().out.startswith("Order {\n  id: 3\n")


def test_type_names_the_field_path_and_offset_of_truncated_bytes(shop: Any, capsys: pytest.CaptureFixture[str]) -> None:
    data = ddl.encode(sample_order(shop))
    mug = data.index(b"mug")
    body = mug - 2  # items[1] begins with its sku's tag and length
    path = write(Path.cwd(), data[: mug + 1])
    assert run_cli("--type", f"{shop.__name__}:Order", path) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "ddl decode: cannot decode Order: length 5 runs past the end of the data (3 bytes left)"
        f" at $.items[1] (byte offset {body})\n"
    )


def test_type_names_the_field_path_and_offset_of_garbled_bytes(shop: Any, capsys: pytest.CaptureFixture[str]) -> None:
    data = bytearray(ddl.encode(sample_order(shop)))
    mug = data.index(b"mug")
    data[mug] = 0xFF
    path = write(Path.cwd(), bytes(data))
    assert run_cli("--type", f"{shop.__name__}:Order", path) == 1
    assert capsys.readouterr().err == (
        f"ddl decode: cannot decode Order: invalid UTF-8 in a string field at $.items[1].sku (byte offset {mug - 2})\n"
    )


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("{module}", "expected MODULE:CLASS, such as shop.models:Order, got '{module}'"),
        ("{module}:Missing", "{module}:Missing: {module} has no Missing"),
        ("{module}:NotAMessage", "{module}:NotAMessage: NotAMessage is not a ddl.Message class"),
        ("{module}:ddl.Message", "{module}:ddl.Message: ddl.Message is not a ddl.Message class"),
        ("no_such_module_here:Order", "no_such_module_here: importing it failed: ModuleNotFoundError"),
    ],
)
def test_type_that_is_not_a_message_class_is_a_usage_error(
    shop: Any, capsys: pytest.CaptureFixture[str], target: str, message: str
) -> None:
    path = write(Path.cwd(), b"")
    assert run_cli("--type", target.format(module=shop.__name__), path) == 2
    assert capsys.readouterr().err.startswith("ddl decode: " + message.format(module=shop.__name__))


def test_type_finds_a_class_nested_in_another_class(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, ddl.encode(Outer.Inner(n=4)))
    assert run_cli("--type", f"{__name__}:Outer.Inner", path) == 0
    assert capsys.readouterr().out == "Outer.Inner {\n  n: 4\n}\n"


def test_type_shows_well_known_and_converted_types_readably(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    value = Everything(
        id=1,
        took=ddl.TimedeltaNs.from_nanoseconds(-2_000_000_005),
        extra={"n": [float("nan"), float("inf"), float("-inf"), 2.0], "s": {"t": None}},
        key=uuid.UUID("12345678-9abc-def0-1234-56789abcdef0"),
        amount=Decimal("-1.10"),
        grid=[[], [5]],
        day=date(2026, 2, 28),
        seen=frozenset({"b", "a"}),
        flags={False: "no"},
    )
    path = write(tmp_path, ddl.encode(value))
    target = f"{__name__}:Everything"
    assert run_cli("--type", target, path) == 0
    assert capsys.readouterr().out == textwrap.dedent("""\
        Everything {
          id: 1
          when: None
          took: -2.000000005s
          leaves: []
          scores: {}
          extra: {
            'n': [
              [0]: nan
              [1]: inf
              [2]: -inf
              [3]: 2.0
            ]
            's': {
              't': None
            }
          }
          key: 12345678-9abc-def0-1234-56789abcdef0
          amount: -1.10
          grid: [
            [0]: []
            [1]: [
              [0]: 5
            ]
          ]
          day: 2026-02-28
          seen: {
            'a'
            'b'
          }
          flags: {
            False: 'no'
          }
        }
        """)
    assert run_cli("--type", target, "--json", path) == 0
    assert json.loads(capsys.readouterr().out) == {
        "id": 1,
        "when": None,
        "took": "-2.000000005s",
        "leaves": [],
        "scores": {},
        "extra": {"n": ["NaN", "Infinity", "-Infinity", 2.0], "s": {"t": None}},
        "key": "12345678-9abc-def0-1234-56789abcdef0",
        "amount": "-1.10",
        "grid": [[], [5]],
        "day": "2026-02-28",
        "seen": ["a", "b"],
        "flags": {"false": "no"},
    }


class Outer:
    class Inner(ddl.Message):
        n: int = 0


# --- input forms and usage errors ----------------------------------------------------------------


def test_hex_and_base64_input_decode_the_same_bytes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = varint_field(1, 150) + ld(2, b"text")
    assert run_cli("--raw", "--hex", write(tmp_path, b" ".join(b"%02x" % b for b in data) + b"\n")) == 0
    assert run_cli("--raw", "--base64", write(tmp_path, base64.b64encode(data) + b"\n")) == 0
    assert capsys.readouterr().out == '1: 150\n2: "text"\n' * 2


@pytest.mark.parametrize(("flag", "text"), [("--hex", b"08 9"), ("--base64", b"CJYB!")])
def test_input_that_is_not_hex_or_base64_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str, text: bytes
) -> None:
    assert run_cli("--raw", flag, write(tmp_path, text)) == 1
    assert capsys.readouterr().err.startswith(f"ddl decode: the input is not {flag[2:]}: ")


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("--raw", "--json", write(tmp_path, b"")) == 2
    assert capsys.readouterr().err == "ddl decode: --json needs --type\n"
    assert run_cli("--raw", "--format", "json", write(tmp_path, b"")) == 2
    assert capsys.readouterr().err == "ddl decode: --format json needs --type\n"
    assert run_cli("--raw", "--format", "textproto", write(tmp_path, b"")) == 2
    assert capsys.readouterr().err == "ddl decode: --format textproto needs --type\n"
    assert run_cli("--raw", str(tmp_path / "absent.bin")) == 2
    assert "cannot read" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        run_cli(str(tmp_path / "absent.bin"))
    assert exited.value.code == 2
    assert "one of the arguments --type --raw is required" in capsys.readouterr().err


def test_help_examples_run_from_the_root_of_a_checkout(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(SystemExit) as exited:
        run_cli("--help")
    assert exited.value.code == 0
    assert EXAMPLES in capsys.readouterr().out
    monkeypatch.chdir(REPO)
    examples = re.findall(r"^  echo (\w+) \| ddl decode (.*)$", EXAMPLES, re.MULTILINE)
    assert len(examples) == 2
    for hex_text, args in examples:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(hex_text.encode())))
        assert run_cli(*args.split()) == 0
    out = capsys.readouterr().out
    assert out.startswith('1: 150\n2: "text"\nOrder {\n  id: 42\n')
    assert '1: 150\n      2: "text"\n' in EXAMPLES


def test_a_reader_that_stops_early_ends_the_command_quietly(tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    path.write_bytes(b"\x08\x96\x01\x12\x04text" * 200_000)
    proc = subprocess.Popen(
        [sys.executable, "-m", "ddl", "decode", "--raw", str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline() == b"1: 150\n"
    proc.stdout.close()  # as `| head -1` does
    assert proc.wait(timeout=60) == 1
    assert proc.stderr.read() == b""
