"""The differential corpus: ddl schemas, each next to the .proto text of its protobuf twin.

Every ddl class below has a message of the same name in ``PROTO`` (package ``ddltest``) whose
fields carry the same names and numbers. A field ``f`` that ddl maps to a ``oneof`` is the proto
``oneof f`` whose members are listed in the order of the union's members. Wrapper messages
(``Int64List`` and friends) spell out the conventions for nested containers.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import ddl

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Color(enum.IntEnum):
    UNSPECIFIED = 0
    RED = 1
    GREEN = 2
    NEGATIVE = -3


class Point(ddl.Message):
    x: int = 0
    y: int = 0
    label: str = ""


class Scalars(ddl.Message):
    i64: int = 0
    f64: float = 0.0
    flag: bool = False
    text: str = ""
    blob: bytes = b""
    i32: ddl.int32 = 0
    u32: ddl.uint32 = 0
    u64: ddl.uint64 = 0
    s32: ddl.sint32 = 0
    s64: ddl.sint64 = 0
    fx32: ddl.fixed32 = 0
    fx64: ddl.fixed64 = 0
    sf32: ddl.sfixed32 = 0
    sf64: ddl.sfixed64 = 0
    f32: ddl.float32 = 0.0
    f64b: ddl.float64 = 0.0
    color: Color = Color.UNSPECIFIED
    far: int = ddl.field(number=536_870_911, default=0)


class Renumbered(ddl.Message):
    a: int = ddl.field(number=5, default=0)
    b: str = ""
    c: bool = ddl.field(number=2, default=False)
    d: float = 0.0
    e: int | str | None = ddl.field(number=(20, 10), default=None)
    f: ddl.sint32 = 0


class Optionals(ddl.Message):
    i64: int | None = None
    f64: float | None = None
    flag: bool | None = None
    text: str | None = None
    blob: bytes | None = None
    i32: ddl.int32 | None = None
    u64: ddl.uint64 | None = None
    s32: ddl.sint32 | None = None
    fx64: ddl.fixed64 | None = None
    sf32: ddl.sfixed32 | None = None
    f32: ddl.float32 | None = None
    color: Color | None = None
    point: Point | None = None


class Nested(ddl.Message):
    point: Point = ddl.field(default_factory=Point)
    maybe: Point | None = None
    points: list[Point] = []
    opt: Optionals | None = None
    note: str = ""


class Tree(ddl.Message):
    value: int = 0
    children: list[Tree] = []
    left: Tree | None = None
    name: str = ""


class Shape(ddl.Message):
    name: str = ""
    kind: int | str | Point | Color | None = None
    flag_or_blob: bool | bytes = False
    when: datetime | float | None = None
    tail: ddl.sint64 = 0


class Repeated(ddl.Message):
    i64: list[int] = []
    f64: list[float] = []
    flag: list[bool] = []
    text: list[str] = []
    blob: list[bytes] = []
    i32: list[ddl.int32] = []
    u32: list[ddl.uint32] = []
    u64: list[ddl.uint64] = []
    s32: list[ddl.sint32] = []
    s64: list[ddl.sint64] = []
    fx32: list[ddl.fixed32] = []
    fx64: list[ddl.fixed64] = []
    sf32: list[ddl.sfixed32] = []
    sf64: list[ddl.sfixed64] = []
    f32: list[ddl.float32] = []
    color: list[Color] = []
    points: list[Point] = []
    tup: tuple[ddl.sint32, ...] = ()


class Collections(ddl.Message):
    tags: set[str] = set()
    ids: frozenset[ddl.uint32] = frozenset()
    seq: tuple[str, ...] = ()
    colors: frozenset[Color] = frozenset()


class Maps(ddl.Message):
    str_int: dict[str, int] = {}
    int_str: dict[int, str] = {}
    i32_point: dict[ddl.int32, Point] = {}
    bool_blob: dict[bool, bytes] = {}
    u64_f64: dict[ddl.uint64, float] = {}
    s64_color: dict[ddl.sint64, Color] = {}
    fx32_f32: dict[ddl.fixed32, ddl.float32] = {}
    sf64_text: dict[ddl.sfixed64, str] = {}
    u32_s32: dict[ddl.uint32, ddl.sint32] = {}
    s32_fx64: dict[ddl.sint32, ddl.fixed64] = {}
    sf32_flag: dict[ddl.sfixed32, bool] = {}
    fx64_i32: dict[ddl.fixed64, ddl.int32] = {}
    text_when: dict[str, datetime] = {}
    groups: dict[str, list[str]] = {}
    text_id: dict[str, UUID] = {}
    tables: list[dict[str, int]] = []
    maybe_table: dict[str, int] | None = None


class Wrappers(ddl.Message):
    matrix: list[list[int]] = []
    sparse: list[int | None] = []
    maybe_list: list[int] | None = None
    mixed: list[int | str] = []
    maybe_points: list[Point | None] = []
    cube: list[list[list[str]]] = []
    choice: list[int] | str | None = None


class Times(ddl.Message):
    when: datetime = EPOCH
    span: timedelta = timedelta(0)
    day: date = date(1970, 1, 1)
    maybe_when: datetime | None = None
    maybe_span: timedelta | None = None
    maybe_day: date | None = None
    whens: list[datetime] = []
    spans: list[timedelta] = []
    days: list[date] = []


class Json(ddl.Message):
    value: Any = None
    obj: dict[str, Any] = {}
    items: list[Any] = []
    maybe_obj: dict[str, Any] | None = None


class Ledger(ddl.Message):
    amount: Decimal = Decimal(0)
    id: UUID = UUID(int=0)
    maybe_amount: Decimal | None = None
    maybe_id: UUID | None = None
    amounts: list[Decimal] = []
    ids: list[UUID] = []


# --- Smaller views of protobuf messages, for unknown fields ------------------------------------


class Small(ddl.Message):
    """Knows fields 1 and 2 of ``Full``."""

    a: int = 0
    b: str = ""


class Gappy(ddl.Message):
    """Knows fields 1 and 4 of ``Full``: the unknown ones fall between the known ones."""

    a: int = ddl.field(number=1, default=0)
    d: float = ddl.field(number=4, default=0.0)


class SmallEnvelope(ddl.Message):
    """Knows fields 1 and 2 of ``FullEnvelope``, each as the smaller ``Small``."""

    head: Small | None = None
    items: list[Small] = []


class IntOrColor(ddl.Message):
    choice: int | Color | None = None


# The classes the differential tests run over, and those of them with maps (whose entries
# protobuf may write in any order).
CORPUS = [
    Scalars, Renumbered, Optionals, Nested, Tree, Shape, Repeated, Collections,
    Maps, Wrappers, Times, Json, Ledger, Small, IntOrColor,
]  # fmt: skip
WITH_MAPS = {Maps, Json}

PROTO = """
syntax = "proto3";
package ddltest;

import "google/protobuf/timestamp.proto";
import "google/protobuf/duration.proto";
import "google/protobuf/struct.proto";

enum Color {
  UNSPECIFIED = 0;
  RED = 1;
  GREEN = 2;
  NEGATIVE = -3;
}

message Date { int32 year = 1; int32 month = 2; int32 day = 3; }

message Point { int64 x = 1; int64 y = 2; string label = 3; }

message Scalars {
  int64 i64 = 1;
  double f64 = 2;
  bool flag = 3;
  string text = 4;
  bytes blob = 5;
  int32 i32 = 6;
  uint32 u32 = 7;
  uint64 u64 = 8;
  sint32 s32 = 9;
  sint64 s64 = 10;
  fixed32 fx32 = 11;
  fixed64 fx64 = 12;
  sfixed32 sf32 = 13;
  sfixed64 sf64 = 14;
  float f32 = 15;
  double f64b = 16;
  Color color = 17;
  int64 far = 536870911;
}

message Renumbered {
  int64 a = 5;
  string b = 6;
  bool c = 2;
  double d = 7;
  oneof e { int64 e_int = 20; string e_str = 10; }
  sint32 f = 21;
}

message Optionals {
  optional int64 i64 = 1;
  optional double f64 = 2;
  optional bool flag = 3;
  optional string text = 4;
  optional bytes blob = 5;
  optional int32 i32 = 6;
  optional uint64 u64 = 7;
  optional sint32 s32 = 8;
  optional fixed64 fx64 = 9;
  optional sfixed32 sf32 = 10;
  optional float f32 = 11;
  optional Color color = 12;
  Point point = 13;
}

message Nested {
  Point point = 1;
  Point maybe = 2;
  repeated Point points = 3;
  Optionals opt = 4;
  string note = 5;
}

message Tree {
  int64 value = 1;
  repeated Tree children = 2;
  Tree left = 3;
  string name = 4;
}

message Shape {
  string name = 1;
  oneof kind { int64 kind_int = 2; string kind_str = 3; Point kind_point = 4; Color kind_color = 5; }
  oneof flag_or_blob { bool fb_flag = 6; bytes fb_blob = 7; }
  oneof when { google.protobuf.Timestamp when_ts = 8; double when_num = 9; }
  sint64 tail = 10;
}

message Repeated {
  repeated int64 i64 = 1;
  repeated double f64 = 2;
  repeated bool flag = 3;
  repeated string text = 4;
  repeated bytes blob = 5;
  repeated int32 i32 = 6;
  repeated uint32 u32 = 7;
  repeated uint64 u64 = 8;
  repeated sint32 s32 = 9;
  repeated sint64 s64 = 10;
  repeated fixed32 fx32 = 11;
  repeated fixed64 fx64 = 12;
  repeated sfixed32 sf32 = 13;
  repeated sfixed64 sf64 = 14;
  repeated float f32 = 15;
  repeated Color color = 16;
  repeated Point points = 17;
  repeated sint32 tup = 18;
}

// Repeated with every packable field written element by element, as old writers do.
message RepeatedUnpacked {
  repeated int64 i64 = 1 [packed = false];
  repeated double f64 = 2 [packed = false];
  repeated bool flag = 3 [packed = false];
  repeated string text = 4;
  repeated bytes blob = 5;
  repeated int32 i32 = 6 [packed = false];
  repeated uint32 u32 = 7 [packed = false];
  repeated uint64 u64 = 8 [packed = false];
  repeated sint32 s32 = 9 [packed = false];
  repeated sint64 s64 = 10 [packed = false];
  repeated fixed32 fx32 = 11 [packed = false];
  repeated fixed64 fx64 = 12 [packed = false];
  repeated sfixed32 sf32 = 13 [packed = false];
  repeated sfixed64 sf64 = 14 [packed = false];
  repeated float f32 = 15 [packed = false];
  repeated Color color = 16 [packed = false];
  repeated Point points = 17;
  repeated sint32 tup = 18 [packed = false];
}

message Collections {
  repeated string tags = 1;
  repeated uint32 ids = 2;
  repeated string seq = 3;
  repeated Color colors = 4;
}

message Int64List { repeated int64 values = 1; }
message StringList { repeated string values = 1; }
message StringListList { repeated StringList values = 1; }
message OptInt64 { optional int64 value = 1; }
message OptPoint { Point value = 1; }
message IntOrStr { oneof value { int64 value_int = 1; string value_str = 2; } }
message StrIntMap { map<string, int64> entries = 1; }

message Maps {
  map<string, int64> str_int = 1;
  map<int64, string> int_str = 2;
  map<int32, Point> i32_point = 3;
  map<bool, bytes> bool_blob = 4;
  map<uint64, double> u64_f64 = 5;
  map<sint64, Color> s64_color = 6;
  map<fixed32, float> fx32_f32 = 7;
  map<sfixed64, string> sf64_text = 8;
  map<uint32, sint32> u32_s32 = 9;
  map<sint32, fixed64> s32_fx64 = 10;
  map<sfixed32, bool> sf32_flag = 11;
  map<fixed64, int32> fx64_i32 = 12;
  map<string, google.protobuf.Timestamp> text_when = 13;
  map<string, StringList> groups = 14;
  map<string, bytes> text_id = 15;
  repeated StrIntMap tables = 16;
  StrIntMap maybe_table = 17;
}

message Wrappers {
  repeated Int64List matrix = 1;
  repeated OptInt64 sparse = 2;
  Int64List maybe_list = 3;
  repeated IntOrStr mixed = 4;
  repeated OptPoint maybe_points = 5;
  repeated StringListList cube = 6;
  oneof choice { Int64List choice_list = 7; string choice_str = 8; }
}

message Times {
  google.protobuf.Timestamp when = 1;
  google.protobuf.Duration span = 2;
  Date day = 3;
  google.protobuf.Timestamp maybe_when = 4;
  google.protobuf.Duration maybe_span = 5;
  Date maybe_day = 6;
  repeated google.protobuf.Timestamp whens = 7;
  repeated google.protobuf.Duration spans = 8;
  repeated Date days = 9;
}

message Json {
  google.protobuf.Value value = 1;
  google.protobuf.Struct obj = 2;
  repeated google.protobuf.Value items = 3;
  google.protobuf.Struct maybe_obj = 4;
}

message Ledger {
  string amount = 1;
  bytes id = 2;
  optional string maybe_amount = 3;
  optional bytes maybe_id = 4;
  repeated string amounts = 5;
  repeated bytes ids = 6;
}

// A larger message than the ddl classes Small and Gappy know, with every wire type.
message Full {
  int64 a = 1;
  string b = 2;
  fixed32 c = 3;
  double d = 4;
  Point e = 5;
  repeated sint32 f = 6;
  Color g = 7;
  fixed64 h = 8;
  bytes i = 1000;
}

message FullEnvelope {
  Full head = 1;
  repeated Full items = 2;
  string tail = 3;
}

message Small { int64 a = 1; string b = 2; }

// Field 2 is a varint here, where Small declares a string.
message SmallWrongWire { int64 a = 1; int64 b = 2; }

message IntOrColor { oneof choice { int64 choice_int = 1; Color choice_color = 2; } }
"""
