"""``ddl gen`` of editions files (2023 and 2024), and of proto2's defaults, against protobuf.

Each feature is set on the file, inherited by messages (nested ones too: none of these features
may be set on a message itself, protoc refuses it), set on an enum, and overridden on a field.
ddl gen resolves them onto the constructs that write the same bytes: ``X | None`` (EXPLICIT),
plain ``X`` (IMPLICIT), ``required=True`` (LEGACY_REQUIRED), ``packed=False`` (EXPANDED),
``delimited=True`` (DELIMITED) and ``ddl.ClosedEnum`` (CLOSED). protoc's Python code for the
same file is the oracle: bytes it writes read back and write out unchanged, both ways.
"""

from __future__ import annotations

import enum
import math
import subprocess
import sys
import typing
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest
from grpc_tools import protoc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ddl
from ddl._proto._gen import generate
from ddl._proto._protoc import wkt_include
from ddl._schema import MessageNode, RepeatedNode, plan_for
from tests.conftest import Engine, examples
from tests.pb_fill import fill
from tests.protoc import load_file
from tests.test_gen import ROOT, ruff_check
from tests.test_gen_names import unchecked_fields
from tests.wire import length_delimited as ld

EXAMPLES = settings(
    max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
EDITIONS = ["2023", "2024"]

# Nothing set on the file: each field overrides the edition's defaults.
FIELD_LEVEL = """
edition = "EDITION";
package PACKAGE;

enum Open {
  OPEN_ZERO = 0;
  OPEN_ONE = 1;
}
enum Closed {
  option features.enum_type = CLOSED;
  CLOSED_ONE = 1;
  CLOSED_TWO = 2;
}
message Child {
  int32 id = 1;
}
message M {
  message Nested {
    int32 inherits = 1;
  }
  int32 explicit = 1;
  int32 implicit = 2 [features.field_presence = IMPLICIT];
  int32 required = 3 [features.field_presence = LEGACY_REQUIRED];
  repeated int32 packed = 4;
  repeated int32 expanded = 5 [features.repeated_field_encoding = EXPANDED];
  Child length_prefixed = 6;
  Child delimited = 7 [features.message_encoding = DELIMITED];
  repeated Child delimited_list = 8 [features.message_encoding = DELIMITED];
  Open open = 9;
  Closed closed = 10;
  repeated Closed closed_list = 11;
  string text = 12 [features.utf8_validation = NONE];
  sint64 with_default = 13 [default = -7];
  Closed closed_default = 14 [default = CLOSED_TWO];
  Nested nested = 15;
  oneof pick {
    Child child = 16 [features.message_encoding = DELIMITED];
    int64 number = 17;
  }
  map<string, Open> by_name = 18;
  Child required_child = 19 [features.field_presence = LEGACY_REQUIRED, features.message_encoding = DELIMITED];
}
"""

# Every feature set on the file, inherited by messages and nested ones, and overridden here and there.
FILE_LEVEL = """
edition = "EDITION";
package PACKAGE;

option features.field_presence = IMPLICIT;
option features.repeated_field_encoding = EXPANDED;
option features.enum_type = CLOSED;
option features.message_encoding = DELIMITED;
option features.utf8_validation = NONE;

enum Closed {
  CLOSED_ZERO = 0;
  CLOSED_ONE = 1;
}
enum Open {
  option features.enum_type = OPEN;
  OPEN_ZERO = 0;
  OPEN_ONE = 1;
}
message Child {
  int32 id = 1;
}
message M {
  message Nested {
    int32 inherits = 1;
    repeated sint32 also_expanded = 2;
    Child also_delimited = 3;
    string also_unvalidated = 4;
  }
  int32 implicit = 1;
  int32 explicit = 2 [features.field_presence = EXPLICIT];
  repeated int32 expanded = 3;
  repeated int32 packed = 4 [features.repeated_field_encoding = PACKED];
  Child delimited = 5;
  Child length_prefixed = 6 [features.message_encoding = LENGTH_PREFIXED];
  Closed closed = 7 [features.field_presence = EXPLICIT];
  Open open = 8;
  string text = 9;
  string validated = 10 [features.utf8_validation = VERIFY];
  Nested nested = 11;
  map<int32, Child> children = 12;
  repeated Closed closed_list = 13;
}
"""


@dataclass
class Pair:
    """One .proto file as ddl gen's module and protoc's ``_pb2`` module."""

    ddl: ModuleType
    pb2: ModuleType
    source: str
    name: str = ""


def generate_both(tmp_path: Path, name: str, text: str) -> Pair:
    (tmp_path / "protos").mkdir(parents=True)
    (tmp_path / "protos" / f"{name}.proto").write_text(text.replace("PACKAGE", name))  # one package per file
    [path] = generate([tmp_path / "protos" / f"{name}.proto"], [tmp_path / "protos"], tmp_path / "out").paths
    pb = tmp_path / "pb"
    pb.mkdir()
    args = ["protoc", f"-I{tmp_path / 'protos'}", f"-I{wkt_include()}", f"--python_out={pb}", f"{name}.proto"]
    assert protoc.main(args) == 0
    return Pair(load_file(path, "_editions"), load_file(pb / f"{name}_pb2.py", "_editions_pb"), path.read_text())


@pytest.fixture(params=[(e, level) for e in EDITIONS for level in ("field", "file")], ids=lambda p: "-".join(p))
def pair(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Pair:
    edition, level = request.param
    name = f"ed{edition}_{level}"
    text = (FIELD_LEVEL if level == "field" else FILE_LEVEL).replace("EDITION", edition)
    generated = generate_both(tmp_path_factory.mktemp(name), name, text)
    generated.name = name
    return generated


def shapes(cls: type) -> dict[str, str]:
    """Each field as the construct that decides its bytes: presence, required, unpacked, group."""
    found = {}
    for f in plan_for(cls).fields:
        node = f.node.elem if isinstance(f.node, RepeatedNode) else f.node
        marks = [
            "required" if f.required else "presence" if f.presence else "implicit",
            *(["expanded"] if getattr(f.node, "unpacked", False) else []),
            *(["delimited"] if isinstance(node, MessageNode) and node.delimited else []),
        ]
        found[f.name] = " ".join(marks)
    return found


def test_field_level_features_become_the_constructs_of_the_same_bytes(tmp_path: Path) -> None:
    for edition in EDITIONS:
        name = f"shapes{edition}"
        text = FIELD_LEVEL.replace("EDITION", edition)
        m = generate_both(tmp_path / edition, name, text).ddl
        assert shapes(m.M) == {
            "explicit": "presence", "implicit": "implicit", "required": "required", "packed": "implicit",
            "expanded": "implicit expanded", "length_prefixed": "presence", "delimited": "presence delimited",
            "delimited_list": "implicit delimited", "open": "presence", "closed": "presence",
            "closed_list": "implicit", "text": "presence", "with_default": "presence",
            "closed_default": "presence", "nested": "presence", "child": "presence delimited",
            "number": "presence", "by_name": "implicit", "required_child": "required delimited",
        }  # fmt: skip
        assert shapes(m.M.Nested) == {"inherits": "presence"}
        assert issubclass(m.Closed, ddl.ClosedEnum) and not issubclass(m.Open, ddl.ClosedEnum)
        assert ddl.proto_default(m.M, "with_default") == -7
        assert ddl.proto_default(m.M, "closed_default") is m.Closed.CLOSED_TWO


def test_file_level_features_reach_every_message_unless_a_field_or_enum_overrides_them(tmp_path: Path) -> None:
    for edition in EDITIONS:
        name = f"inherit{edition}"
        text = FILE_LEVEL.replace("EDITION", edition)
        m = generate_both(tmp_path / edition, name, text).ddl
        assert shapes(m.M) == {
            "implicit": "implicit", "explicit": "presence", "expanded": "implicit expanded", "packed": "implicit",
            "delimited": "presence delimited", "length_prefixed": "presence", "closed": "presence",
            "open": "implicit", "text": "implicit", "validated": "implicit", "nested": "presence delimited",
            "children": "implicit", "closed_list": "implicit expanded",
        }  # fmt: skip
        assert shapes(m.M.Nested) == {
            "inherits": "implicit", "also_expanded": "implicit expanded", "also_delimited": "presence delimited",
            "also_unvalidated": "implicit",
        }  # fmt: skip
        assert issubclass(m.Closed, ddl.ClosedEnum) and not issubclass(m.Open, ddl.ClosedEnum)
        map_value = typing.get_type_hints(m.M)["children"]
        assert map_value == dict[int, m.Child]  # a map's entries stay length-prefixed


@EXAMPLES
@given(data=st.data())
def test_editions_messages_read_and_write_the_bytes_protoc_code_writes(
    pair: Pair, engine: Engine, data: st.DataObject
) -> None:
    original = fill(pair.pb2.M(), data)
    wire = original.SerializeToString(deterministic=True)
    value = engine.decode(wire, pair.ddl.M)
    again = engine.encode(value)
    assert again == wire
    assert pair.pb2.M.FromString(again) == original


def test_closed_enums_keep_unknown_numbers_as_unknown_fields_as_protobuf_does(pair: Pair, engine: Engine) -> None:
    fields = pair.pb2.M.DESCRIPTOR.fields_by_name
    complete = pair.pb2.M(required=0, required_child={}) if "required" in fields else pair.pb2.M()
    wire = complete.SerializeToString() + bytes([fields["closed"].number << 3]) + b"\x07"  # 7: no member of Closed
    parsed = pair.pb2.M.FromString(wire)
    value = engine.decode(wire, pair.ddl.M)
    assert value.closed is None and not parsed.HasField("closed")
    assert engine.encode(value) == parsed.SerializeToString() == wire


def test_legacy_required_fields_are_required_both_ways(tmp_path: Path, engine: Engine) -> None:
    m = generate_both(tmp_path, f"required_{engine.name}", FIELD_LEVEL.replace("EDITION", "2023"))
    hints = typing.get_type_hints(m.ddl.M)
    assert hints["required"] is int and hints["required_child"] is m.ddl.Child
    partial = m.pb2.M(required=1).SerializePartialToString()  # required_child missing
    assert not m.pb2.M.FromString(partial).IsInitialized()
    with pytest.raises(ddl.DecodeError, match="required_child"):
        engine.decode(partial, m.ddl.M)
    whole = m.ddl.M(required=0, required_child=m.ddl.Child())
    assert m.pb2.M.FromString(engine.encode(whole)).IsInitialized()


def test_utf8_validation_none_makes_the_strings_it_reaches_unchecked(pair: Pair, engine: Engine) -> None:
    if pair.name.endswith("file"):  # set on the file, and VERIFY again on one field
        assert (unchecked_fields(pair.ddl.M), unchecked_fields(pair.ddl.M.Nested)) == (["text"], ["also_unvalidated"])
        checked = ld(10, b"\xff")  # M.validated
        with pytest.raises(ddl.DecodeError, match="invalid UTF-8"):
            engine.decode(checked, pair.ddl.M)
    else:
        assert (unchecked_fields(pair.ddl.M), unchecked_fields(pair.ddl.M.Nested)) == (["text"], [])
    # M.text; with fields set per field, between the required fields 3 and 19 (an empty group).
    data = ld(9, b"caf\xe9") if pair.name.endswith("file") else b"\x18\x00" + ld(12, b"caf\xe9") + b"\x9b\x01\x9c\x01"
    assert engine.decode(data, pair.ddl.M).text == "caf\udce9"
    assert engine.encode(engine.decode(data, pair.ddl.M)) == pair.pb2.M.FromString(data).SerializeToString() == data


def test_generated_editions_modules_pass_mypy_strict_and_ruff(tmp_path: Path) -> None:
    for edition in EDITIONS:
        for level, text in (("field", FIELD_LEVEL), ("file", FILE_LEVEL)):
            name = f"ed{edition}_{level}"
            (tmp_path / "protos").mkdir(exist_ok=True)
            (tmp_path / "protos" / f"{name}.proto").write_text(
                text.replace("EDITION", edition).replace("PACKAGE", name)
            )
            generate([tmp_path / "protos" / f"{name}.proto"], [tmp_path / "protos"], tmp_path / "out")
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "."],
        cwd=tmp_path / "out", env={"MYPYPATH": str(ROOT), "PATH": ""}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr
    done = ruff_check(tmp_path / "out")
    assert done.returncode == 0, done.stdout + done.stderr


# --- [default = ...], in proto2 and editions ------------------------------------------------

DEFAULTS = r"""
syntax = "proto2";
package PACKAGE;

enum Top {
  TOP_ONE = 1;
  TOP_TWO = 2;
}
message Earlier {
  enum Kind {
    KIND_A = 1;
    KIND_B = 2;
  }
}
message D {
  enum Own {
    OWN_X = 5;
    OWN_Y = 6;
  }
  message Inner {
    optional Own from_outer = 1 [default = OWN_Y];
    optional Earlier.Kind from_earlier = 2 [default = KIND_B];
  }
  optional int32 i32 = 1 [default = -2147483648];
  optional uint64 u64 = 2 [default = 18446744073709551615];
  optional sint64 s64 = 3 [default = -9223372036854775808];
  optional fixed32 f32 = 4 [default = 4294967295];
  optional double pos_inf = 5 [default = inf];
  optional double neg_inf = 6 [default = -inf];
  optional double not_a_number = 7 [default = nan];
  optional float tenth = 8 [default = 0.1];
  optional double big = 9 [default = 1e300];
  optional bool yes = 10 [default = true];
  optional bool no = 11 [default = false];
  optional string text = 12 [default = "tab\t \"q\" \\ \303\251 a, b=c"];
  optional bytes raw = 13 [default = "\000\001\377\"\\ x, y=1"];
  optional Top top = 14 [default = TOP_TWO];
  optional Own own = 15 [default = OWN_Y];
  optional Earlier.Kind kind = 16 [default = KIND_A];
  required int32 needed = 17 [default = 3];
  optional Later.Kind2 later = 18 [default = LATER_B];
  oneof pick {
    int32 count = 19 [default = 9];
    string name = 20 [default = "n"];
  }
  optional Inner inner = 21;
  optional string empty = 22 [default = ""];
}
message Later {
  enum Kind2 {
    LATER_A = 1;
    LATER_B = 2;
  }
}
"""


def test_proto2_defaults_become_proto_default_with_protobufs_values(tmp_path: Path, engine: Engine) -> None:
    text = DEFAULTS.replace("optional Later.Kind2 later = 18 [default = LATER_B];", "")
    m = generate_both(tmp_path, f"defaults_{engine.name}", text)
    d, absent = m.ddl.D, m.pb2.D(needed=3)
    value = engine.decode(absent.SerializeToString(), d)
    names = [f.name for f in plan_for(d).fields if f.name not in ("inner", "needed")]
    for name in names:
        assert getattr(value, name) is None
        expected, got = getattr(absent, name), ddl.proto_default(d, name)
        if isinstance(expected, float) and math.isnan(expected):
            assert math.isnan(got)
        elif name == "tenth":  # protobuf holds the float32 nearest 0.1; the .proto says 0.1
            assert got == 0.1 and expected == pytest.approx(0.1)
        elif isinstance(got, enum.IntEnum):  # protobuf gives enum values as ints
            assert got == expected
        else:
            assert (type(got), got) == (type(expected), expected), name
    assert ddl.proto_default(d, "needed") == 3
    assert ddl.proto_default(d, "own") is d.Own.OWN_Y and ddl.proto_default(d, "top") is m.ddl.Top.TOP_TWO
    inner = m.pb2.D.Inner()
    assert ddl.proto_default(d.Inner, "from_earlier") == inner.from_earlier == m.ddl.Earlier.Kind.KIND_B
    # An enum nested in an enclosing class does not exist while the nested class is created.
    assert ddl.proto_default(d.Inner, "from_outer") is None
    assert "[default = OWN_Y]: not given as proto_default, as D.Own is defined later." in m.source
    assert 'proto_default="tab\\t \\"q\\" \\\\ é a,\\x20b=c"' in m.source


def test_an_enum_default_of_a_class_defined_later_is_documented_instead(tmp_path: Path) -> None:
    m = generate_both(tmp_path, "later", DEFAULTS)
    assert ddl.proto_default(m.ddl.D, "later") is None
    assert "[default = LATER_B]: not given as proto_default, as Later.Kind2 is defined later." in m.source


def test_enum_defaults_of_editions_fields_name_their_member(tmp_path: Path, engine: Engine) -> None:
    text = FIELD_LEVEL.replace("EDITION", "2023")
    m = generate_both(tmp_path, f"edd_{engine.name}", text)
    assert "proto_default=Closed.CLOSED_TWO" in m.source
    value = engine.decode(m.pb2.M(required=0, required_child={}).SerializeToString(), m.ddl.M)
    assert value.closed_default is None and m.pb2.M().closed_default == ddl.proto_default(m.ddl.M, "closed_default")
