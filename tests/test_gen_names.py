"""Names and unchecked strings across ``ddl gen``, ``ddl proto`` and ``ddl check``.

A field keeps its .proto name and its JSON name whatever Python calls it: ``ddl gen`` says them
(``proto_name=``, ``json_name=``) where they are not what ddl derives, ``ddl proto`` writes them
back, and ``ddl check`` compares them. protoc's descriptors of the original file are the oracle.
Strings protobuf reads unchecked (proto2's, editions' ``utf8_validation = NONE``) are generated
``verify_utf8=False``, and keep bytes that are not UTF-8 as protobuf's own code does.
"""

from __future__ import annotations

import enum
import inspect
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from google.protobuf import message
from grpc_tools import protoc

import ddl
from ddl._proto._breaking import check
from ddl._proto._gen import generate
from ddl._proto._gen._names import enum_member_name
from ddl._proto._protoc import wkt_include
from ddl._proto._render import include_paths, render
from ddl._schema import EnumNode, Kind, MapNode, RepeatedNode, ScalarNode, UnionNode, plan_for
from ddl._schema._names import enum_value_name
from tests.conftest import Engine
from tests.protoc import load_file
from tests.test_gen import mypy_strict, ruff_check
from tests.wire import length_delimited as ld

# Python keywords and names the module needs, [json_name = ...] on each kind of field, a union
# (members of distinct types), a oneof group (members of one type) and a oneof of one member.
NAMES = """
syntax = "SYNTAX";
package PACKAGE;

message Child {
  LABELint32 id = 1 [json_name = "ID"];
}
message Names {
  LABELstring class = 1;
  LABELint32 from = 2 [json_name = "From"];
  repeated string tags = 3 [json_name = "labels"];
  map<string, Child> by_key = 4 [json_name = "byKEY"];
  oneof lambda {
    string def = 5;
    int32 yield = 6 [json_name = "y"];
    Child child = 7;
  }
  oneof contact {
    string email = 8;
    string phone = 9 [json_name = "tel"];
  }
  oneof alone {
    string only = 10;
  }
  repeated string str = 11;
  LABELstring plain_name = 12;
  LABELint32 __hidden_count = 13;  // Python would mangle __hidden_count in the class body
}
"""


@dataclass
class Generated:
    ddl: ModuleType
    pb2: ModuleType
    source: str
    proto: Path


def generate_both(folder: Path, name: str, text: str) -> Generated:
    """``ddl gen`` and protoc's Python code of one file, both imported."""
    protos = folder / "protos"
    protos.mkdir(parents=True)
    (protos / f"{name}.proto").write_text(text)
    [path] = generate([protos / f"{name}.proto"], [protos], folder / "out").paths
    pb = folder / "pb"
    pb.mkdir()
    assert protoc.main(["protoc", f"-I{protos}", f"-I{wkt_include()}", f"--python_out={pb}", f"{name}.proto"]) == 0
    return Generated(load_file(path, "_names"), load_file(pb / f"{name}_pb2.py", "_names_pb"), path.read_text(), protos)


def names_text(syntax: str, package: str) -> str:
    label = "optional " if syntax == "proto2" else ""
    return NAMES.replace("SYNTAX", syntax).replace("PACKAGE", package).replace("LABEL", label)


@pytest.fixture(scope="module", params=["proto3", "proto2"])
def names(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Generated:
    package = f"names_{request.param}"
    return generate_both(tmp_path_factory.mktemp(package), package, names_text(request.param, package))


def descriptor_names(descriptor: Any) -> dict[int, tuple[str, str]]:
    """Each field number of a protobuf message descriptor, with its name and JSON name."""
    return {f.number: (f.name, f.json_name) for f in descriptor.fields}


def plan_names(cls: type) -> dict[int, tuple[str, str]]:
    """Each field number of a ddl class, with the .proto name and JSON name its plan records."""
    found = {}
    for f in plan_for(cls).fields:
        for number, proto, json in zip(f.numbers, f.proto_names, f.json_names, strict=True):
            found[number] = (proto, json)
    return found


# --- ddl gen -----------------------------------------------------------------------------------


def test_generated_names_are_protocs_for_every_field_number(names: Generated) -> None:
    for name in ("Child", "Names"):
        expected = descriptor_names(getattr(names.pb2, name).DESCRIPTOR)
        assert plan_names(getattr(names.ddl, name)) == expected


def test_gen_says_a_name_only_where_python_or_json_would_call_the_field_otherwise(names: Generated) -> None:
    source = inspect.getsource(names.ddl.Names)
    says = {line.split(":")[0].strip(): line for line in source.splitlines() if "ddl.field(" in line}
    assert 'proto_name="class"' in says["class_"] and "json_name" not in says["class_"]
    assert 'proto_name="from", json_name="From"' in says["from_"]
    assert 'json_name="labels"' in says["tags"] and "proto_name" not in says["tags"]
    assert 'json_name="byKEY"' in says["by_key"]
    # A union names its members always, and their JSON names when one is its own.
    assert 'proto_name=("def", "yield", "child"), json_name=("def", "y", "child")' in " ".join(source.split())
    assert 'json_name="tel"' in says["phone"] and "name=" not in says["email"]
    assert 'proto_name="only"' in says["alone"]  # a oneof of one member is named after the oneof
    assert 'proto_name="str"' in says["str_"]
    # Leading underscores move to the end, where Python does not mangle the name.
    assert 'proto_name="__hidden_count"' in says["hidden_count__"]
    assert names.ddl.Names(hidden_count__=3).hidden_count__ == 3
    assert "name=" not in says["plain_name"]


def test_generated_names_pass_mypy_strict_and_ruff(names: Generated) -> None:
    folder = Path(names.ddl.__file__ or "").parent
    mypy = mypy_strict(folder, Path(names.ddl.__file__ or "").name)
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr
    done = ruff_check(folder)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_union_of_long_names_wraps_them_a_name_a_line(tmp_path: Path, engine: Engine) -> None:
    members = ["string a_member_name_long_enough_to_wrap = 1;", "int64 another_member_name_as_long_as_that = 2;"]
    members.append("bytes and_a_third_member_that_makes_the_tuple_long = 3;")
    text = f'syntax = "proto3";\npackage longnames;\nmessage M {{ oneof pick {{ {" ".join(members)} }} }}\n'
    generated = generate_both(tmp_path, "longnames", text)
    assert (
        "        proto_name=(\n"
        '            "a_member_name_long_enough_to_wrap",\n'
        '            "another_member_name_as_long_as_that",\n'
        '            "and_a_third_member_that_makes_the_tuple_long",\n'
        "        ),\n"
    ) in generated.source
    assert all(len(line) <= 120 for line in generated.source.splitlines())
    expected = generated.pb2.M(another_member_name_as_long_as_that=3).SerializeToString()
    assert engine.encode(generated.ddl.M(pick=3)) == expected
    done = ruff_check(Path(generated.ddl.__file__ or "").parent)
    assert done.returncode == 0, done.stdout + done.stderr


# --- ddl proto and ddl check -------------------------------------------------------------------


def test_ddl_proto_of_generated_classes_writes_the_original_names_and_json_names(names: Generated) -> None:
    package = names.pb2.DESCRIPTOR.package
    text = render([names.ddl.Child, names.ddl.Names], f"{package}.rendered")
    assert "string class = 1" in text and 'int32 yield = 6 [json_name = "y"];' in text
    rendered = compile_text(names.proto.parent / "rendered", f"{package}_rendered", text)
    for name in ("Child", "Names"):
        original = descriptor_names(getattr(names.pb2, name).DESCRIPTOR)
        assert descriptor_names(getattr(rendered, name).DESCRIPTOR) == original


def test_ddl_check_finds_nothing_between_a_proto_and_its_generated_module(names: Generated) -> None:
    proto = next(names.proto.glob("*.proto"))
    module = str(Path(names.ddl.__file__ or ""))
    assert check(str(proto), module, [str(names.proto)]) == []
    assert check(module, str(proto), [str(names.proto)]) == []


def compile_text(folder: Path, name: str, text: str) -> ModuleType:
    folder.mkdir(parents=True)
    (folder / f"{name}.proto").write_text(text)
    includes = [f"-I{folder}", *(f"-I{p}" for p in include_paths())]
    assert protoc.main(["protoc", *includes, f"--python_out={folder}", f"{name}.proto"]) == 0, text
    return load_file(folder / f"{name}_pb2.py", "_names_rendered")


class Account(ddl.Message):
    class_: str = ddl.field(number=1, default="", proto_name="class")
    owner_id: int = ddl.field(number=2, default=0, json_name="owner")
    pay: int | str | None = ddl.field(number=(3, 4), default=None, proto_name=("cents", "voucher"))
    tags: list[str] = ddl.field(number=5, default_factory=list, json_name="labels")


def test_ddl_proto_writes_proto_names_and_json_names_that_differ_from_the_defaults() -> None:
    text = render([Account], "names_account")
    assert (
        "  string class = 1;\n"
        '  int64 owner_id = 2 [json_name = "owner"];\n'
        "  oneof pay {\n    int64 cents = 3;\n    string voucher = 4;\n  }\n"
        '  repeated string tags = 5 [json_name = "labels"];\n'
    ) in text


def test_a_class_and_the_proto_ddl_proto_writes_for_it_check_clean(tmp_path: Path) -> None:
    proto = tmp_path / "account.proto"
    proto.write_text(render([Account], "names_account"))
    assert check(str(proto), "tests.test_gen_names:Account") == []
    assert check("tests.test_gen_names:Account", str(proto)) == []


# --- enum value names -------------------------------------------------------------------------

# Values Python or enum cannot take as written (ddl gen adds an underscore), an alias, a value
# without the enum's prefix and one in lower case; a nested enum whose value shares a top-level
# one's name (they live in different scopes); a proto2 enum without a 0 value (closed).
ENUMS = {
    "proto3": """
syntax = "proto3";
package enum_names3;

enum Word {
  option allow_alias = true;
  WORD_UNKNOWN = 0;
  None = 1;
  class = 2;
  mro = 3;
  _x_ = 4;
  lower_case = 5;
  ALIAS_OF_CLASS = 2;
}
enum Plain { ZERO = 0; ONE = 1; }
message Holder {
  enum Inner { INNER_ZERO = 0; ONE = 1; }
  Word word = 1;
  Plain plain = 2;
  Inner inner = 3;
  repeated Word words = 4;
}
""",
    "proto2": """
syntax = "proto2";
package enum_names2;

enum Level { HIGH = 2; LOW = 1; True = 3; }
message Holder {
  optional Level level = 1 [default = True];
  repeated Level levels = 2;
}
""",
}


@pytest.fixture(scope="module", params=sorted(ENUMS))
def enums(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Generated:
    package = f"enum_names{request.param[-1]}"
    return generate_both(tmp_path_factory.mktemp(package), package, ENUMS[request.param])


def descriptor_values(module: ModuleType) -> dict[str, list[tuple[str, int]]]:
    """Each enum of a _pb2 module (nested ones too), with its values' names and numbers in order."""
    found = {name: [(v.name, v.number) for v in e.values] for name, e in module.DESCRIPTOR.enum_types_by_name.items()}
    for name, m in module.DESCRIPTOR.message_types_by_name.items():
        found |= {f"{name}.{e.name}": [(v.name, v.number) for v in e.values] for e in m.enum_types}
    return found


def generated_enums(module: ModuleType) -> dict[str, type]:
    enums = {name: obj for name, obj in vars(module).items() if isinstance(obj, type) and issubclass(obj, enum.Enum)}
    return enums | ({"Holder.Inner": module.Holder.Inner} if hasattr(module.Holder, "Inner") else {})


def test_the_plan_names_each_enum_value_as_the_proto_does(enums: Generated) -> None:
    expected = descriptor_values(enums.pb2)
    found = generated_enums(enums.ddl)
    assert sorted(found) == sorted(expected)
    for name, cls in found.items():
        node = EnumNode(cls)
        assert list(node.value_numbers.items()) == expected[name]
        first = {number: value for value, number in reversed(expected[name])}
        assert node.value_names == first


def test_ddl_gen_then_ddl_proto_gives_back_every_enum_value_name(enums: Generated) -> None:
    package = enums.pb2.DESCRIPTOR.package
    text = render([enums.ddl.Holder], f"{package}.rendered")
    rendered = compile_text(enums.proto.parent / "rendered", f"{package}_rendered", text)
    assert descriptor_values(rendered) == descriptor_values(enums.pb2)


def test_ddl_check_finds_no_renamed_enum_value_between_a_proto_and_its_generated_module(enums: Generated) -> None:
    proto = next(enums.proto.glob("*.proto"))
    module = str(Path(enums.ddl.__file__ or ""))
    assert check(str(proto), module, [str(enums.proto)]) == []
    assert check(module, str(proto), [str(enums.proto)]) == []


@pytest.mark.parametrize("name", ["None", "class", "mro", "_x_", "_Ab_", "async"])
def test_a_value_name_ddl_gen_changes_comes_back_from_the_plan(name: str) -> None:
    member = enum_member_name(name)
    assert member == name + "_"
    assert enum_value_name(member) == name


@pytest.mark.parametrize("name", ["RED", "class__", "__x__", "_x", "x_", "mro__", "None__", "_", "__"])
def test_other_trailing_underscores_are_part_of_the_name(name: str) -> None:
    assert enum_member_name(name) == name
    assert enum_value_name(name) == name


# --- strings protobuf does not check -----------------------------------------------------------

UNCHECKED = """
syntax = "proto2";
package unchecked;

message Text {
  optional string one = 1;
  repeated string many = 2;
  map<string, string> by_key = 3;
  map<int32, string> by_number = 4;
  oneof pick {
    string text = 5;
    int64 number = 6;
  }
  oneof who {
    string name = 7;
    string alias = 8;
  }
  required string must = 9;
  optional bytes raw = 10;
  map<string, Inner> inner = 11;
}
message Inner {
  optional int32 id = 1;
}
"""


def unchecked_fields(cls: type) -> list[str]:
    """The fields of a class whose strings (elements, keys, values, members) are unchecked."""

    def strings(node: object) -> list[ScalarNode]:
        if isinstance(node, ScalarNode):
            return [node] if node.kind == Kind.STRING else []
        if isinstance(node, RepeatedNode):
            return strings(node.elem)
        if isinstance(node, MapNode):
            return strings(node.key) + strings(node.value)
        if isinstance(node, UnionNode):
            return [s for m in node.members for s in strings(m)]
        return []

    return [f.name for f in plan_for(cls).fields if any(not s.verify_utf8 for s in strings(f.node))]


@pytest.fixture(scope="module")
def unchecked(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    return generate_both(tmp_path_factory.mktemp("unchecked"), "unchecked", UNCHECKED)


def test_every_string_of_a_proto2_file_is_generated_unchecked(unchecked: Generated) -> None:
    expected = ["one", "many", "by_key", "by_number", "pick", "name", "alias", "must", "inner"]
    assert unchecked_fields(unchecked.ddl.Text) == expected


MUST = ld(9, b"ok")  # the required field, so that both sides read a whole message


@pytest.mark.parametrize(
    "field",
    [
        ld(1, b"caf\xe9"),
        ld(2, b"\xff") + ld(2, b"ok"),
        ld(3, ld(1, b"\xc3(") + ld(2, b"\x80")),
        ld(4, b"\x08\x01" + ld(2, b"\xfe")),
        ld(5, b"\xed\xa0\x80"),  # a surrogate's own UTF-8: not valid UTF-8
        ld(8, b"\xf8\x88\x80\x80\x80"),
        ld(11, ld(1, b"\xa0") + ld(2, b"\x08\x07")),
    ],
    ids=["singular", "repeated", "map-key-and-value", "map-value", "union-member", "group-member", "message-map-key"],
)
def test_a_proto2_string_that_is_not_utf8_round_trips_byte_for_byte_as_protobuf_keeps_it(
    unchecked: Generated, engine: Engine, field: bytes
) -> None:
    data = field + MUST if field[0] >> 3 < 9 else MUST + field  # in number order, as both write
    parsed = unchecked.pb2.Text.FromString(data)
    value = engine.decode(data, unchecked.ddl.Text)
    assert engine.encode(value) == parsed.SerializeToString() == data


def test_an_unchecked_string_holds_bytes_that_are_not_utf8_as_lone_surrogates(
    unchecked: Generated, engine: Engine
) -> None:
    data = ld(1, b"caf\xe9") + MUST
    one = engine.decode(data, unchecked.ddl.Text).one
    assert one == "caf\udce9"
    # protobuf's Python code hands such a string over as its bytes.
    assert one.encode("utf-8", "surrogateescape") == unchecked.pb2.Text.FromString(data).one == b"caf\xe9"


PROTO3 = 'syntax = "proto3";\npackage checked;\nmessage Text { string one = 1; map<string, string> by_key = 2; }\n'


def test_proto3_strings_stay_checked_as_protobuf_checks_them(tmp_path: Path, engine: Engine) -> None:
    generated = generate_both(tmp_path, "checked", PROTO3)
    assert unchecked_fields(generated.ddl.Text) == []
    assert "verify_utf8" not in generated.source
    for data in (ld(1, b"caf\xe9"), ld(2, ld(1, b"\xff"))):
        with pytest.raises(ddl.DecodeError, match="invalid UTF-8"):
            engine.decode(data, generated.ddl.Text)
        with pytest.raises(message.DecodeError):
            generated.pb2.Text.FromString(data)


@pytest.fixture(autouse=True, scope="module")
def _forget_loaded_modules() -> Iterator[None]:
    loaded = set(sys.modules)
    yield
    for name in set(sys.modules) - loaded:
        if name.startswith("_names"):
            del sys.modules[name]
