"""``ddl check``: each rule fires on the change it names, and safe changes pass.

The rule table compiles every case with the real protoc, in two runs (all old files, then all
new ones), each case in its own package.
"""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ddl._cli import main
from ddl._proto._breaking import check, compare
from ddl._proto._model import Schema
from ddl._proto._protoc import descriptor_set
from ddl._proto._render import render_targets
from ddl._proto._rules import RULES, WARNINGS


@dataclass(frozen=True)
class Case:
    name: str
    old: str
    new: str
    expected: frozenset[tuple[str, str | None]]  # (rule, field or enum value)
    syntax: str = "proto3"  # or an edition: "2023"


def case(name: str, old: str, new: str, *expected: tuple[str, str | None], syntax: str = "proto3") -> Case:
    return Case(name, old, new, frozenset(expected), syntax)


CASES = [
    # Fields removed, reserved, reused.
    case("field_removed", "message M { int32 a = 1; int32 b = 2; }", "message M { int32 a = 1; }",
         ("FIELD_REMOVED", "b")),
    case("field_removed_reserved", "message M { int32 a = 1; int32 b = 2; }", "message M { int32 a = 1; reserved 2; }"),
    case("field_removed_reserved_range", "message M { int32 b = 5; }", "message M { reserved 1 to 9; }"),
    case("reserved_number_reused", "message M { reserved 2; }", "message M { string b = 2; }",
         ("FIELD_NUMBER_WAS_RESERVED", "b")),
    # Scalar types.
    case("int32_to_sint32", "message M { int32 a = 1; }", "message M { sint32 a = 1; }", ("FIELD_SAME_ENCODING", "a")),
    case("sint64_to_int64", "message M { sint64 a = 1; }", "message M { int64 a = 1; }", ("FIELD_SAME_ENCODING", "a")),
    case("float_to_fixed32", "message M { float a = 1; }", "message M { fixed32 a = 1; }",
         ("FIELD_SAME_ENCODING", "a")),
    case("int32_to_fixed32", "message M { int32 a = 1; }", "message M { fixed32 a = 1; }",
         ("FIELD_SAME_WIRE_TYPE", "a")),
    case("double_to_float", "message M { double a = 1; }", "message M { float a = 1; }", ("FIELD_SAME_WIRE_TYPE", "a")),
    case("int64_to_int32", "message M { int64 a = 1; }", "message M { int32 a = 1; }", ("FIELD_SAME_RANGE", "a")),
    case("int32_to_uint32", "message M { int32 a = 1; }", "message M { uint32 a = 1; }", ("FIELD_SAME_RANGE", "a")),
    case("fixed64_to_sfixed64", "message M { fixed64 a = 1; }", "message M { sfixed64 a = 1; }",
         ("FIELD_SAME_RANGE", "a")),
    case("int32_to_bool", "message M { int32 a = 1; }", "message M { bool a = 1; }", ("FIELD_SAME_RANGE", "a")),
    case("int32_to_int64", "message M { int32 a = 1; }", "message M { int64 a = 1; }", ("FIELD_WIDENED", "a")),
    case("uint32_to_int64", "message M { uint32 a = 1; }", "message M { int64 a = 1; }", ("FIELD_WIDENED", "a")),
    case("enum_to_int32", "enum E { Z = 0; } message M { E a = 1; }", "enum E { Z = 0; } message M { int32 a = 1; }"),
    case("string_to_bytes", "message M { string a = 1; }", "message M { bytes a = 1; }", ("FIELD_SAME_TYPE", "a")),
    case("bytes_to_message", "message P {} message M { bytes a = 1; }", "message P {} message M { P a = 1; }",
         ("FIELD_SAME_TYPE", "a")),
    case("timestamp_to_duration",
         'import "google/protobuf/timestamp.proto";\nmessage M { google.protobuf.Timestamp a = 1; }',
         'import "google/protobuf/duration.proto";\nmessage M { google.protobuf.Duration a = 1; }',
         ("FIELD_SAME_TYPE", "a")),
    case("nested_enum_value_removed", "message M { enum E { A = 0; B = 1; } E e = 1; }",
         "message M { enum E { A = 0; } E e = 1; }", ("ENUM_VALUE_REMOVED", "B")),
    case("message_to_int64", "message P {} message M { P a = 1; }", "message P {} message M { int64 a = 1; }",
         ("FIELD_SAME_WIRE_TYPE", "a")),
    # A field's message type renamed: compared field by field.
    case("message_type_renamed", "message P { int32 x = 1; } message M { P a = 1; }",
         "message Q { int32 x = 1; } message M { Q a = 1; }", ("FIELD_TYPE_RENAMED", "a")),
    case("message_type_swapped", "message P { int32 x = 1; } message M { P a = 1; }",
         "message P { int32 x = 1; } message Q { string x = 1; } message M { Q a = 1; }",
         ("FIELD_TYPE_RENAMED", "a"), ("FIELD_SAME_WIRE_TYPE", "x")),
    # Cardinality, maps, oneofs, labels, presence.
    case("repeated_to_singular", "message M { repeated int32 a = 1; }", "message M { int32 a = 1; }",
         ("FIELD_SAME_CARDINALITY", "a")),
    case("singular_to_repeated", "message M { string a = 1; }", "message M { repeated string a = 1; }",
         ("FIELD_SAME_CARDINALITY", "a")),
    case("map_to_singular", "message M { map<string, int32> a = 1; }", "message M { bytes a = 1; }",
         ("FIELD_SAME_CARDINALITY", "a")),
    case("map_key_type", "message M { map<string, int32> a = 1; }", "message M { map<int64, int32> a = 1; }",
         ("MAP_SAME_KEY_TYPE", "a")),
    case("map_value_type", "message M { map<string, int32> a = 1; }", "message M { map<string, sint32> a = 1; }",
         ("FIELD_SAME_ENCODING", "a")),
    case("map_to_repeated_entry", "message M { map<string, int32> a = 1; }",
         "message E { string key = 1; int32 value = 2; } message M { repeated E a = 1; }",
         ("FIELD_TYPE_RENAMED", "a")),
    case("into_oneof", "message M { int32 a = 1; int32 b = 2; }", "message M { oneof o { int32 a = 1; int32 b = 2; } }",
         ("FIELD_SAME_ONEOF", "a"), ("FIELD_SAME_ONEOF", "b")),
    case("out_of_oneof", "message M { oneof o { int32 a = 1; int32 b = 2; } }",
         "message M { int32 a = 1; int32 b = 2; }", ("FIELD_SAME_ONEOF", "a"), ("FIELD_SAME_ONEOF", "b")),
    case("field_widened_to_a_union", "message M { int64 x = 1; }",
         "message M { oneof x { int64 x_int64 = 1; string x_string = 2; } }", ("FIELD_RENAMED", "x_int64"),
         ("FIELD_SAME_JSON_NAME", "x_int64")),
    case("required_added", "message M { optional int32 a = 1; }", "message M { required int32 a = 1; }",
         ("FIELD_SAME_LABEL", "a"), syntax="proto2"),
    case("presence_gained", "message M { int32 a = 1; }", "message M { optional int32 a = 1; }",
         ("FIELD_SAME_PRESENCE", "a")),
    case("field_renamed", "message M { int32 a = 1; }", "message M { int32 b = 1; }", ("FIELD_RENAMED", "b"),
         ("FIELD_SAME_JSON_NAME", "b")),
    # JSON names: a rename keeping the JSON name changes code alone; a new [json_name] changes JSON alone.
    case("renamed_keeping_its_json_name", "message M { int32 order_id = 1; }",
         'message M { int32 id = 1 [json_name = "orderId"]; }', ("FIELD_RENAMED", "id")),
    case("json_name_changed", "message M { int32 order_id = 1; }",
         'message M { int32 order_id = 1 [json_name = "order"]; }', ("FIELD_SAME_JSON_NAME", "order_id")),
    case("json_name_spelled_as_the_default", "message M { int32 order_id = 1; }",
         'message M { int32 order_id = 1 [json_name = "orderId"]; }'),
    # proto2 and editions: defaults and closed enums.
    case("default_changed", "message M { optional int32 a = 1 [default = 1]; optional string b = 2; }",
         'message M { optional int32 a = 1 [default = 2]; optional string b = 2 [default = "x"]; }',
         ("FIELD_SAME_DEFAULT", "a"), ("FIELD_SAME_DEFAULT", "b"), syntax="proto2"),
    case("default_spelled_as_the_zero", "message M { optional double a = 1; optional bool b = 2; }",
         "message M { optional double a = 1 [default = 0.0]; optional bool b = 2 [default = false]; }",
         syntax="proto2"),
    case("default_nan_and_float_spelling", "message M { float a = 1 [default = nan]; double b = 2 [default = 1.50]; }",
         "message M { float a = 1 [default = -nan]; double b = 2 [default = 15e-1]; }", syntax="2023"),
    case("enum_default_moved",
         "enum E { option features.enum_type = CLOSED; A = 1; B = 2; } message M { E e = 1 [default = B]; E f = 2; }",
         "enum E { option features.enum_type = CLOSED; B = 2; A = 1; } message M { E e = 1 [default = B]; E f = 2; }",
         ("FIELD_SAME_DEFAULT", "f"), syntax="2023"),  # f reads as the first value, now B
    case("enum_closed", "enum E { A = 0; } message M {}",
         "enum E { option features.enum_type = CLOSED; A = 0; } message M {}", ("ENUM_SAME_TYPE", None),
         syntax="2023"),
    case("enum_closed_by_file", "enum E { A = 0; } message M {}",
         "option features.enum_type = CLOSED; enum E { A = 0; } message M {}", ("ENUM_SAME_TYPE", None),
         syntax="2023"),
    case("enum_opened_inside_a_closed_file", "option features.enum_type = CLOSED; enum E { A = 0; } message M {}",
         "option features.enum_type = CLOSED; enum E { option features.enum_type = OPEN; A = 0; } message M {}",
         ("ENUM_SAME_TYPE", None), syntax="2023"),
    # Messages and enums.
    case("message_removed", "message M { int32 a = 1; message N {} }", "message K {}", ("MESSAGE_REMOVED", None)),
    case("enum_removed", "enum E { Z = 0; } message M {}", "message M {}", ("ENUM_REMOVED", None)),
    case("enum_zero_changed", "enum E { A = 0; B = 1; }", "enum E { B = 0; A = 1; }",
         ("ENUM_ZERO_VALUE_CHANGED", "A"), ("ENUM_VALUE_SAME_NUMBER", "B")),
    case("enum_zero_renamed", "enum E { A = 0; B = 1; }", "enum E { NONE = 0; B = 1; }",
         ("ENUM_VALUE_RENAMED", "NONE")),
    case("enum_value_removed", "enum E { A = 0; B = 1; C = 2; }", "enum E { A = 0; B = 1; }",
         ("ENUM_VALUE_REMOVED", "C")),
    case("enum_value_removed_reserved", "enum E { A = 0; B = 1; C = 2; }", "enum E { A = 0; B = 1; reserved 2; }"),
    case("enum_value_renumbered", "enum E { A = 0; B = 1; }", "enum E { A = 0; B = 2; }",
         ("ENUM_VALUE_SAME_NUMBER", "B")),
    case("enum_reserved_reused", "enum E { A = 0; reserved 2; }", "enum E { A = 0; C = 2; }",
         ("ENUM_VALUE_NUMBER_WAS_RESERVED", "C")),
    case("enum_value_renamed", "enum E { A = 0; B = 1; }", "enum E { A = 0; BEE = 1; }", ("ENUM_VALUE_RENAMED", "BEE")),
    # Safe changes.
    case("field_added", "message M { int32 a = 1; }", "message M { int32 a = 1; string b = 2; M c = 3; }"),
    case("enum_value_added", "enum E { A = 0; }", "enum E { A = 0; B = 1; }"),
    case("message_added", "message M {}", "message M {} message N { int32 a = 1; }"),
    case("unpacked", "message M { repeated int32 a = 1; }", "message M { repeated int32 a = 1 [packed = false]; }"),
    # Groups: proto2's group syntax, and editions' DELIMITED message fields.
    case("group_to_message", "message M { optional group G = 1 { optional int32 a = 2; } }",
         "message M { message G { optional int32 a = 2; } optional G g = 1; }", ("FIELD_SAME_WIRE_TYPE", "g"),
         syntax="proto2"),
    case("delimited_to_length_prefixed", "message M { M m = 1 [features.message_encoding = DELIMITED]; }",
         "message M { M m = 1; }", ("FIELD_SAME_WIRE_TYPE", "m"), syntax="2023"),
    case("delimited_by_file_default", "option features.message_encoding = DELIMITED; message M { M m = 1; }",
         "message M { M m = 1 [features.message_encoding = DELIMITED]; }", syntax="2023"),
    case("editions_presence_lost", "message M { int32 a = 1; }",
         "message M { int32 a = 1 [features.field_presence = IMPLICIT]; }", ("FIELD_SAME_PRESENCE", "a"),
         syntax="2023"),
    case("moved_field_order", "message M { int32 a = 1; string b = 2; }", "message M { string b = 2; int32 a = 1; }"),
]  # fmt: skip


def write_cases(folder: Path, side: str) -> list[Path]:
    paths = []
    for c in CASES:
        path = folder / f"{c.name}.proto"
        head = f'edition = "{c.syntax}"' if c.syntax.isdigit() else f'syntax = "{c.syntax}"'  # an edition
        path.write_text(f"{head};\npackage {c.name};\n{getattr(c, side)}\n")
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def schemas(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Schema, Schema]]:
    sides = []
    for side in ("old", "new"):
        folder = tmp_path_factory.mktemp(side)
        files = descriptor_set(write_cases(folder, side), [folder], source_info=False).file
        sides.append({c.name: Schema.of(files, [f"{c.name}.proto"]) for c in CASES})
    return {c.name: (sides[0][c.name], sides[1][c.name]) for c in CASES}


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_each_rule_fires_on_its_change_and_safe_changes_find_nothing(
    c: Case, schemas: dict[str, tuple[Schema, Schema]]
) -> None:
    findings = compare(*schemas[c.name])
    assert {(f.rule, f.field) for f in findings} == c.expected, [f.line() for f in findings]
    assert all(f.breaking == (f.rule not in WARNINGS) for f in findings)


def test_every_rule_has_a_case() -> None:
    covered = {rule for c in CASES for rule, _ in c.expected} | {"PACKAGE_CHANGED"}
    assert covered == set(RULES)


def test_a_finding_line_names_the_message_the_field_its_number_and_the_rule(
    schemas: dict[str, tuple[Schema, Schema]],
) -> None:
    [finding] = compare(*schemas["int32_to_sint32"])
    assert finding.line() == "int32_to_sint32.M.a (field 1): type changed from int32 to sint32 [FIELD_SAME_ENCODING]"
    [value] = compare(*schemas["enum_value_removed"])
    assert value.line() == "enum_value_removed.E.C (value 2): removed without reserving its number [ENUM_VALUE_REMOVED]"
    assert [w.line() for w in compare(*schemas["field_renamed"])] == [
        "warning: field_renamed.M.b (field 1): renamed from a to b [FIELD_RENAMED]",
        "warning: field_renamed.M.b (field 1): JSON name changed from a to b [FIELD_SAME_JSON_NAME]",
    ]


# --- ddl classes as either side --------------------------------------------------------------


def write(folder: Path, name: str, source: str) -> str:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source))
    return str(path)


MODELS = """\
    import ddl

    class Order(ddl.Message):
        id: int = 0
        qty: ddl.{qty} = 0
        {grid}: list[list[int]] = []
        {extra}
"""


def models(folder: Path, side: str, qty: str = "int32", grid: str = "grid", extra: str = "") -> str:
    return write(folder, f"{side}/models.py", MODELS.format(qty=qty, grid=grid, extra=extra))


def test_two_versions_of_a_python_module_compare_through_their_rendered_proto(tmp_path: Path) -> None:
    [finding] = check(models(tmp_path, "old"), models(tmp_path, "new", qty="sint32"))
    expected = ("FIELD_SAME_ENCODING", "models.Order", "qty", 2)
    assert (finding.rule, finding.message, finding.field, finding.number) == expected


def test_renaming_a_field_that_needs_a_wrapper_is_only_a_rename(tmp_path: Path) -> None:
    findings = check(models(tmp_path, "old"), models(tmp_path, "new", grid="matrix", extra="note: str = ''"))
    assert [(f.rule, f.field) for f in findings] == [("FIELD_RENAMED", "matrix"), ("FIELD_SAME_JSON_NAME", "matrix")]


def test_removing_a_field_that_needs_a_wrapper_reports_the_field_alone(tmp_path: Path) -> None:
    new = write(tmp_path, "new/models.py", "import ddl\nclass Order(ddl.Message):\n    id: int = 0\n")
    findings = check(models(tmp_path, "old"), new)
    assert [(f.rule, f.field) for f in findings] == [("FIELD_REMOVED", "qty"), ("FIELD_REMOVED", "grid")]


def test_the_rendered_proto_of_a_module_checks_clean_against_the_module(tmp_path: Path) -> None:
    proto = write(tmp_path, "corpus.proto", render_targets(["tests.corpus"]))
    assert check(proto, "tests.corpus") == []
    assert check("tests.corpus", proto) == []


def test_a_class_target_compares_that_class_and_what_it_uses(tmp_path: Path) -> None:
    text = 'syntax = "proto3";\nmessage Point { int64 x = 1; sint64 y = 2; string label = 3; }\n'
    proto = write(tmp_path, "point.proto", text)
    [finding] = check(proto, "tests.corpus:Point")
    assert (finding.rule, finding.message, finding.field) == ("FIELD_SAME_ENCODING", "tests.corpus.Point", "y")


def orders(folder: Path, side: str, keywords: str, fields: str) -> str:
    """A models.py whose Order class takes ``keywords`` (such as ``, reserved=2``) and ``fields``."""
    body = "".join(f"    {line.strip()}\n" for line in fields.split(";"))
    return write(folder, f"{side}/models.py", f"import ddl\nclass Order(ddl.Message{keywords}):\n{body}")


def test_removing_a_field_from_a_class_passes_when_the_class_reserves_its_number(tmp_path: Path) -> None:
    old = orders(tmp_path, "old", "", "id: int = 0; note: str = ''; total: int = 0")
    kept = "id: int = 0; total: int = ddl.field(number=3, default=0)"
    assert check(old, orders(tmp_path, "new", ', reserved=(2, "note")', kept)) == []
    [finding] = check(old, orders(tmp_path, "bare", "", kept))
    assert (finding.rule, finding.field, finding.number) == ("FIELD_REMOVED", "note", 2)


def test_removing_a_field_of_a_proto_passes_when_the_class_that_replaces_it_reserves_its_number(tmp_path: Path) -> None:
    proto = 'syntax = "proto3";\nmessage Order { int64 id = 1; string note = 2; int64 total = 3; }\n'
    old = write(tmp_path, "models.proto", proto)
    new = orders(tmp_path, "new", ", reserved=range(2, 3)", "id: int = 0; total: int = 0")  # total takes 3
    assert check(old, new) == []
    assert main(["check", old, new]) == 0


def test_a_new_field_on_a_number_the_old_class_reserved_is_reported(tmp_path: Path) -> None:
    old = orders(tmp_path, "old", ", reserved=(range(2, 5),)", "id: int = 0; total: int = 0")
    fields = "id: int = 0; total: int = ddl.field(number=5, default=0); note: str = ddl.field(number=3, default='')"
    [finding] = check(old, orders(tmp_path, "new", "", fields))
    assert (finding.rule, finding.field, finding.number) == ("FIELD_NUMBER_WAS_RESERVED", "note", 3)
    assert finding.line() == (
        "models.Order.note (field 3): takes a number the old version reserved [FIELD_NUMBER_WAS_RESERVED]"
    )


# --- Types imported from other files ------------------------------------------------------

PROTOS = Path(__file__).parent / "protos"


@pytest.fixture
def generated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """scalars.proto and the shared files it imports, generated by ddl gen and importable."""
    files = ["ddltest/kinds/scalars.proto", "ddltest/shared/common.proto", "ddltest/shared/reexport.proto"]
    assert main(["gen", "-I", str(PROTOS), "-o", str(tmp_path / "gen"), *(str(PROTOS / f) for f in files)]) == 0
    monkeypatch.syspath_prepend(str(tmp_path / "gen"))
    yield
    for name in [m for m in sys.modules if m.partition(".")[0] == "ddltest"]:
        del sys.modules[name]


def test_a_proto_that_imports_types_checks_against_its_generated_module(generated: None) -> None:
    # ddl proto writes the module's Money, Tag and Level into ddltest.kinds; the .proto imports
    # them from ddltest.shared. They are the same types, not even renamed; the oneof of two
    # strings (first and last) is a oneof group in Python, the same oneof.
    proto, module, includes = str(PROTOS / "ddltest/kinds/scalars.proto"), "ddltest.kinds.scalars_ddl", [str(PROTOS)]
    findings = check(proto, module, includes, "ddltest.kinds")
    assert [f.line() for f in findings if f.breaking] == []
    assert [f for f in findings if f.rule == "FIELD_TYPE_RENAMED" and "shared" in f.detail] == []
    assert [f.line() for f in check(module, proto, includes, "ddltest.kinds") if f.breaking] == []


GROUPED = """
import ddl


class Customer(ddl.Message):
    since: int = 0
    name: str | None = ddl.field(oneof="id", default=None)
    uuid: str | None = ddl.field(oneof="id", default=None)
"""


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ("int64 since = 1; oneof id { string name = 2; string uuid = 3; }", []),
        ("int64 since = 1; optional string name = 2; optional string uuid = 3;", None),
    ],
    ids=["same_oneof", "apart"],
)
def test_a_oneof_group_checks_as_a_oneof(tmp_path: Path, fields: str, expected: list[str] | None) -> None:
    (tmp_path / "grouped.py").write_text(GROUPED)
    proto = tmp_path / "grouped.proto"
    proto.write_text(f'syntax = "proto3";\npackage grouped;\nmessage Customer {{ {fields} }}\n')
    moved = [
        "grouped.Customer.name (field 2): moved into oneof id, with uuid [FIELD_SAME_ONEOF]",
        "grouped.Customer.uuid (field 3): moved into oneof id, with name [FIELD_SAME_ONEOF]",
    ]
    findings = check(str(proto), str(tmp_path / "grouped.py"), [str(tmp_path)], "grouped")
    assert [f.line() for f in findings if f.breaking] == (moved if expected is None else expected)


SHOP = (
    'syntax = "proto3";\npackage shop;\n{}\n'
    "message Order {{ {money} total = 1; {money} tax = 2; repeated {money} history = 3; }}\n"
)


def shops(folder: Path, units: str, name: str = "Money") -> tuple[str, str]:
    """An old shop.proto that uses shared.Money, and a new one that declares its own ``name``
    message, whose field 1 is ``units``, instead."""
    money = 'syntax = "proto3";\npackage shared;\nmessage Money { int64 units = 1; string currency = 2; }\n'
    write(folder, "protos/shared/money.proto", money)
    old = write(folder, "old/shop.proto", SHOP.format('import "shared/money.proto";', money="shared.Money"))
    local = f"message {name} {{ {units} units = 1; string currency = 2; }}"
    return old, write(folder, "new/shop.proto", SHOP.format(local, money=name))


def test_an_imported_type_and_a_local_one_of_the_same_fields_are_the_same_type(tmp_path: Path) -> None:
    old, new = shops(tmp_path, "int64")
    includes = [str(tmp_path / "protos")]
    assert check(old, new, includes) == [] and check(new, old, includes) == []


def test_an_incompatible_change_inside_an_imported_type_is_reported_once_at_its_field(tmp_path: Path) -> None:
    old, new = shops(tmp_path, "string")
    includes = [str(tmp_path / "protos")]
    assert [f.line() for f in check(old, new, includes)] == [
        "shop.Money.units (field 1): type changed from int64 to string [FIELD_SAME_WIRE_TYPE]"
    ]
    assert [f.line() for f in check(new, old, includes)] == [
        "shared.Money.units (field 1): type changed from string to int64 [FIELD_SAME_WIRE_TYPE]"
    ]


def test_an_imported_type_replaced_by_one_of_another_name_is_a_rename_per_field(tmp_path: Path) -> None:
    findings = check(*shops(tmp_path, "int64", name="Cash"), [str(tmp_path / "protos")])
    assert [(f.rule, f.field, f.breaking) for f in findings] == [
        ("FIELD_TYPE_RENAMED", "total", False),
        ("FIELD_TYPE_RENAMED", "tax", False),
        ("FIELD_TYPE_RENAMED", "history", False),
    ]


TREE = (
    "message Node {{ {label} label = 1; repeated Node children = 2; Node parent = 3; map<string, Node> by_name = 4; }}"
)


def test_a_recursive_imported_type_is_compared_once(tmp_path: Path) -> None:
    write(tmp_path, "protos/shared/tree.proto", f'syntax = "proto3";\npackage shared;\n{TREE.format(label="string")}\n')
    forest = (
        'syntax = "proto3";\npackage woods;\n{}\nmessage Forest {{ repeated {node} roots = 1; {node} tallest = 2; }}\n'
    )
    old = write(tmp_path, "old/forest.proto", forest.format('import "shared/tree.proto";', node="shared.Node"))
    same = write(tmp_path, "same/forest.proto", forest.format(TREE.format(label="string"), node="Node"))
    changed = write(tmp_path, "changed/forest.proto", forest.format(TREE.format(label="bytes"), node="Node"))
    includes = [str(tmp_path / "protos")]
    assert check(old, same, includes) == []
    assert [f.line() for f in check(old, changed, includes)] == [
        "woods.Node.label (field 1): type changed from string to bytes [FIELD_SAME_TYPE]"
    ]


# --- The command ---------------------------------------------------------------------------


def test_ddl_check_exits_1_with_one_line_per_breaking_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = 'syntax = "proto3";\npackage shop;\nmessage Order { int32 qty = 3; string note = 4; }\n'
    old = write(tmp_path, "old/shop.proto", text)
    new = write(tmp_path, "new/shop.proto", 'syntax = "proto3";\npackage shop;\nmessage Order { sint32 qty = 3; }\n')
    assert main(["check", old, new]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "shop.Order.qty (field 3): type changed from int32 to sint32 [FIELD_SAME_ENCODING]",
        "shop.Order.note (field 4): removed without reserving its number (reserved 4;) [FIELD_REMOVED]",
    ]
    assert err == "ddl check: 2 breaking changes, 0 warnings\n"


def test_ddl_check_exits_0_when_only_warnings_and_prints_json_for_tools(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = write(tmp_path, "old/a.proto", 'syntax = "proto3";\npackage v1;\nmessage M { int32 a = 1; }\n')
    new = write(tmp_path, "new/a.proto", 'syntax = "proto3";\npackage v2;\nmessage M { int64 b = 1; int32 c = 2; }\n')
    assert main(["check", old, new, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == [
        {"rule": "PACKAGE_CHANGED", "message": "v2", "field": None, "number": None,
         "detail": "package changed from v1 to v2", "breaking": False},
        {"rule": "FIELD_WIDENED", "message": "v2.M", "field": "b", "number": 1,
         "detail": "type changed from int32 a to int64 b", "breaking": False},
        {"rule": "FIELD_RENAMED", "message": "v2.M", "field": "b", "number": 1,
         "detail": "renamed from a to b", "breaking": False},
        {"rule": "FIELD_SAME_JSON_NAME", "message": "v2.M", "field": "b", "number": 1,
         "detail": "JSON name changed from a to b", "breaking": False},
    ]  # fmt: skip


def test_ddl_check_finds_imports_through_include_folders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    money = 'syntax = "proto3";\npackage common;\nmessage Money { int64 units = 1; }\n'
    write(tmp_path, "protos/common/money.proto", money)
    body = 'syntax = "proto3";\nimport "common/money.proto";\nmessage Order {{ {} }}\n'
    # The old version saved outside the include folders, as from git show main:protos/order.proto.
    old = write(tmp_path, "saved/order.proto", body.format("common.Money total = 1;"))
    new = write(tmp_path, "protos/order.proto", body.format("common.Money total = 1; string note = 2;"))
    assert main(["check", "-I", str(tmp_path / "protos"), old, new]) == 0
    assert main(["check", "-I", str(tmp_path / "protos"), new, old]) == 1
    assert "Order.note (field 2): removed without reserving its number" in capsys.readouterr().out


def test_ddl_check_reports_protoc_errors_with_file_and_line_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write(tmp_path, "good.proto", 'syntax = "proto3";\nmessage M {}\n')
    bad = write(tmp_path, "bad.proto", 'syntax = "proto3";\nmessage M {\n  int33 a = 1;\n}\n')
    assert main(["check", good, bad]) == 2
    assert 'bad.proto:3:3: "int33" is not defined.' in capsys.readouterr().err
    assert main(["check", good, str(tmp_path / "missing.proto")]) == 2
    assert "missing.proto: no such file" in capsys.readouterr().err
    assert main(["check", good, "ddl_no_such_module"]) == 2
    assert "ddl_no_such_module: importing it failed" in capsys.readouterr().err


def test_ddl_check_help_shows_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    assert "ddl check old/shop.proto shop.proto" in capsys.readouterr().out


NOTES = """\
import ddl

class Note(ddl.Message):
    text: str = ""

class Page(ddl.Message):
    note: Note | None = ddl.field(default=None{delimited})
"""


def test_a_field_that_becomes_delimited_changes_its_wire_type(tmp_path: Path) -> None:
    old = write(tmp_path, "old/notes.py", NOTES.format(delimited=""))
    new = write(tmp_path, "new/notes.py", NOTES.format(delimited=", delimited=True"))
    [finding] = check(old, new)
    assert finding.line() == "notes.Page.note (field 1): type changed from Note to group Note [FIELD_SAME_WIRE_TYPE]"
    assert check(new, new) == []


def test_a_proto2_group_checks_clean_against_a_delimited_field_of_the_same_message(tmp_path: Path) -> None:
    delimited = write(tmp_path, "notes.py", NOTES.format(delimited=", delimited=True"))
    page = "message Page { optional group Note = 1 { optional string text = 1; } }"
    proto = f'syntax = "proto2";\npackage notes;\n{page}\n'
    findings = check(write(tmp_path, "notes.proto", proto), delimited, [str(tmp_path)], "notes")
    assert [f.line() for f in findings if f.breaking] == []


BUNDLE = """\
import ddl
from ddl.protobuf import descriptor, plugin

class Bundle(ddl.Message):
    file: descriptor.FileDescriptorProto | None = None
    files: list[descriptor.FileDescriptorProto] = []
    request: plugin.CodeGeneratorRequest | None = None
    edition: descriptor.Edition | None = None
"""


def test_a_field_of_a_ddl_protobuf_class_is_a_field_of_protobufs_own_type(tmp_path: Path) -> None:
    module = write(tmp_path, "bundle.py", BUNDLE)
    rendered = write(tmp_path, "rendered/bundle.proto", render_targets([module]))
    assert "google.protobuf.FileDescriptorProto file = 1;" in Path(rendered).read_text()
    assert check(rendered, module) == [] and check(module, rendered) == []
    # A .proto written by hand, in proto2, means the same types: the same wire, nothing breaks.
    by_hand = """\
        syntax = "proto2";
        package bundle;
        import "google/protobuf/descriptor.proto";
        import "google/protobuf/compiler/plugin.proto";
        message Bundle {
          optional google.protobuf.FileDescriptorProto file = 1;
          repeated google.protobuf.FileDescriptorProto files = 2;
          optional google.protobuf.compiler.CodeGeneratorRequest request = 3;
          optional google.protobuf.Edition edition = 4;
        }
    """
    assert check(write(tmp_path, "hand/bundle.proto", by_hand), module) == []
    # A copy of FileDescriptorProto is another message, as Google's types are (their JSON differs).
    copied = by_hand.replace("google.protobuf.FileDescriptorProto file = 1", "FileDescriptorProto file = 1")
    copied += "        message FileDescriptorProto { optional string name = 1; }\n"
    findings = check(write(tmp_path, "copy/bundle.proto", copied), module)
    assert [(f.rule, f.field) for f in findings] == [("FIELD_SAME_TYPE", "file")]


def test_a_default_change_says_what_an_absent_field_read_as_before_and_after(
    schemas: dict[str, tuple[Schema, Schema]],
) -> None:
    assert sorted(f.detail for f in compare(*schemas["default_changed"])) == [
        "default changed from (none: '') to x",
        "default changed from 1 to 2",
    ]
    [moved] = compare(*schemas["enum_default_moved"])  # no default: a closed enum's first value
    assert moved.line() == (
        "enum_default_moved.M.f (field 2): default changed from (none: A) to (none: B) [FIELD_SAME_DEFAULT]"
    )
