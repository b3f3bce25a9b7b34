"""``ddl proto``: the .proto it writes compiles with protoc, and protoc's code agrees with ddl.

The interop tests render ddl classes, compile the text with the real protoc (grpcio-tools), and
check both directions on random values: the generated _pb2 classes parse ddl's bytes to the same
values, and ddl decodes their bytes to equal objects. The converters between ddl values and
protobuf messages are the differential suite's, which follow the README's mapping by field name.
"""

from __future__ import annotations

import enum
import importlib
import itertools
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from google.protobuf import descriptor_pb2
from google.protobuf.unknown_fields import UnknownFieldSet
from grpc_tools import protoc
from hypothesis import given, settings
from hypothesis import strategies as st

import ddl
import ddl.wkt
from ddl._cli import main
from ddl._proto._render import RenderError, include_paths, package_for, render
from ddl._schema import plan_for
from ddl.testing import instances
from tests import future_schemas
from tests.conftest import Engine, examples
from tests.corpus import CORPUS, WITH_MAPS
from tests.protoc import scratch_dir
from tests.strategies import Schema, make_class, message_of, schemas
from tests.strategies import assert_same as assert_same_value
from tests.test_differential import (
    FIXTURE_SAFE,
    assert_same,
    from_pb,
    to_pb,
)

_OUT = scratch_dir("ddl-render-")
_names = itertools.count()
_cache: dict[str, ModuleType] = {}


def compile_rendered(text: str) -> ModuleType:
    """Compile rendered .proto text with protoc and import its _pb2 module (cached by text)."""
    if text in _cache:
        return _cache[text]
    name = f"rendered{next(_names)}"
    (_OUT / f"{name}.proto").write_text(text)
    includes = [f"-I{_OUT}", *(f"-I{p}" for p in include_paths())]
    assert protoc.main(["protoc", *includes, f"--python_out={_OUT}", str(_OUT / f"{name}.proto")]) == 0, text
    sys.path.insert(0, str(_OUT))
    try:
        module = importlib.import_module(f"{name}_pb2")
    finally:
        sys.path.remove(str(_OUT))
    _cache[text] = module
    return module


def pb_class(classes: Sequence[type], cls: type, package: str) -> Any:
    return getattr(compile_rendered(render(classes, package)), cls.__name__)


def check_both_directions(engine: Engine, value: ddl.Message, pbcls: Any, *, exact: bool) -> None:
    cls = type(value)
    ours = engine.encode(value, deterministic=True)
    parsed = pbcls.FromString(ours)
    assert_same(from_pb(parsed, cls), value)
    if exact:
        assert parsed.SerializeToString(deterministic=True) == ours
    assert_same(engine.decode(to_pb(value, pbcls).SerializeToString(), cls), value)


# --- Every type family, through protoc's own code --------------------------------------------


@pytest.mark.parametrize("cls", CORPUS, ids=lambda cls: cls.__name__)
@settings(FIXTURE_SAFE, max_examples=examples(15))
@given(data=st.data())
def test_protoc_code_for_the_rendered_corpus_reads_and_writes_ddl_bytes(
    engine: Engine, cls: type, data: st.DataObject
) -> None:
    pbcls = pb_class(CORPUS, cls, "ddl_render_corpus")
    check_both_directions(engine, data.draw(message_of(cls)), pbcls, exact=cls not in WITH_MAPS)


@settings(FIXTURE_SAFE, max_examples=examples(25))
@given(schema=schemas(proto2=True), data=st.data())
def test_protoc_code_for_a_random_schema_parses_ddl_bytes_and_writes_back_the_same_value(
    engine: Engine, schema: Schema, data: st.DataObject
) -> None:
    # Random classes may be kw_only, which the differential converters do not handle, so values
    # go through protobuf as bytes. Unknown fields are dropped first: a field the .proto does not
    # declare with ddl's wire type goes missing. The corpus test above checks each type's values.
    text = render([schema.root], f"ddl_render_random{next(_names)}")
    pbcls = getattr(compile_rendered(text), schema.root.__name__)
    value = data.draw(schema.values())
    ours = engine.encode(value)
    parsed = pbcls.FromString(ours)
    parsed.DiscardUnknownFields()
    theirs = parsed.SerializeToString()
    assert_same_value(value, engine.decode(theirs, schema.root))
    if "map<" not in text and "google/protobuf/struct.proto" not in text:
        assert theirs == ours


# --- Names: enums, clashes, nesting ----------------------------------------------------------


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


class Alarm(ddl.Message):
    level: Level = Level.LOW
    levels: list[Level] = ddl.field(default_factory=list)


def test_an_int_enum_without_a_zero_member_gets_an_unspecified_zero_that_keeps_the_wire_as_it_is(
    engine: Engine,
) -> None:
    text = render([Alarm], "ddl_render_level")
    assert "  LEVEL_UNSPECIFIED = 0;  // added: proto3 needs a zero value" in text
    pb = compile_rendered(text)
    assert pb.Alarm.FromString(engine.encode(Alarm(level=Level.HIGH, levels=[Level.LOW]))).levels == [1]
    assert pb.Alarm.FromString(engine.encode(Alarm(level=Level.HIGH))).level == pb.HIGH
    # Absent on the wire is 0 on both sides: protobuf's added zero, ddl's plain int 0.
    assert pb.Alarm.FromString(b"").level == pb.LEVEL_UNSPECIFIED == 0
    assert engine.decode(pb.Alarm(level=0).SerializeToString(), Alarm).level == 0


class Rank(enum.IntEnum):
    RANK_UNSPECIFIED = 5  # the name ddl would give 0


class Ranked(ddl.Message):
    rank: Rank = Rank.RANK_UNSPECIFIED


def test_the_added_zero_takes_a_number_when_a_member_has_its_name() -> None:
    text = render([Ranked], "ddl_render_rank")
    assert "enum Rank {\n  RANK_UNSPECIFIED_2 = 0;  // added: proto3 needs a zero value" in text
    assert "  RANK_UNSPECIFIED = 5;\n}" in text
    assert compile_rendered(text).RANK_UNSPECIFIED_2 == 0


class Mode(enum.IntEnum):
    OFF = 0
    ON = 1
    ENABLED = 1
    mode_auto = 2


class Switch(ddl.Message):
    mode: Mode = Mode.OFF


def test_enum_values_keep_their_names_as_written_and_aliases_are_allowed() -> None:
    text = render([Switch], "ddl_render_mode")
    values = "  OFF = 0;\n  ON = 1;\n  ENABLED = 1;\n  mode_auto = 2;\n"
    assert "enum Mode {\n  option allow_alias = true;\n" + values + "}" in text
    assert compile_rendered(text).Switch(mode=2).mode == 2


class Big(enum.IntEnum):
    ZERO = 0
    HUGE = 1 << 31


class Holder(ddl.Message):
    big: Big = Big.ZERO


def test_an_enum_value_beyond_int32_is_a_render_error_naming_it() -> None:
    with pytest.raises(RenderError, match=r"Big.HUGE = 2147483648: enum values must fit in int32"):
        render([Holder], "x")


def test_a_field_name_protobuf_cannot_spell_is_a_render_error() -> None:
    cls = make_class("Menu", {"café": "int"}, {"café": 0}, {})
    with pytest.raises(RenderError, match=r"Menu.café: 'café' is not a valid .proto identifier"):
        render([cls], "x")


def test_two_fields_whose_json_names_match_are_a_render_error() -> None:
    cls = make_class("Clash", {"foo_bar": "int", "fooBar": "int"}, {"foo_bar": 0, "fooBar": 0}, {})
    with pytest.raises(RenderError, match=r"Clash.fooBar: proto3 rejects .* \(fooBar and foo_bar are both fooBar\)"):
        render([cls], "x")


def test_nested_classes_are_nested_messages_named_from_inside_their_outer_message() -> None:
    text = render([future_schemas.Outer], "ddl_render_nested")
    assert "message Outer {\n  message Inner {\n    int64 n = 1;\n  }\n  Inner inner = 1;\n" in text
    pb = compile_rendered(text)
    outer = future_schemas.Outer(inners=[future_schemas.Outer.Inner(n=7)])
    assert pb.Outer.FromString(ddl.encode(outer)).inners[0].n == 7


class Ticket(ddl.Message):
    class State(enum.IntEnum):
        OPEN = 0
        DONE = 1

    state: State = State.OPEN
    history: list[Ticket.State] = ddl.field(default_factory=list)


def test_an_enum_nested_in_a_message_class_is_a_nested_enum(engine: Engine) -> None:
    text = render([Ticket], "ddl_render_ticket")
    assert "message Ticket {\n  enum State {\n    OPEN = 0;\n    DONE = 1;\n  }\n  State state = 1;\n" in text
    pb = compile_rendered(text)
    parsed = pb.Ticket.FromString(engine.encode(Ticket(state=Ticket.State.DONE, history=[Ticket.State.DONE])))
    assert (parsed.state, list(parsed.history)) == (pb.Ticket.DONE, [1])


class Fruit(enum.IntEnum):
    NONE = 0
    APPLE = 1


class Answer(enum.IntEnum):
    NONE = 0
    YES = 1


class Basket(ddl.Message):
    fruit: Fruit = Fruit.NONE
    answer: Answer = Answer.NONE


def test_two_enums_with_a_value_of_one_name_in_one_scope_are_a_render_error_suggesting_a_fix() -> None:
    with pytest.raises(RenderError) as raised:
        render([Basket], "ddl_render_basket")
    assert str(raised.value) == (
        "Fruit and Answer both have a value named NONE, and protoc puts enum values in the scope around the "
        "enum (package ddl_render_basket), where they clash: prefix the members (ANSWER_NONE), or nest one enum "
        "in the message class that uses it"
    )


class Survey(ddl.Message):
    class Answer(enum.IntEnum):
        NONE = 0
        YES = 1

    fruit: Fruit = Fruit.NONE
    answer: Answer = Answer.NONE


def test_an_enum_nested_in_its_message_keeps_its_values_apart_from_a_top_level_enums(engine: Engine) -> None:
    text = render([Survey], "ddl_render_survey")
    assert "enum Fruit {\n  NONE = 0;\n  APPLE = 1;\n}" in text
    assert "  enum Answer {\n    NONE = 0;\n    YES = 1;\n  }\n" in text
    pb = compile_rendered(text)
    parsed = pb.Survey.FromString(engine.encode(Survey(fruit=Fruit.APPLE, answer=Survey.Answer.YES)))
    assert (parsed.fruit, parsed.answer) == (pb.APPLE, pb.Survey.YES)


class Light(ddl.Message):
    class Color(enum.IntEnum):
        dark = 0
        color = 1

    color: Color = Color.dark


def test_an_enum_value_named_like_a_field_beside_the_enum_is_a_render_error() -> None:
    with pytest.raises(RenderError, match=r"^Light.Color: its value color is also the name of a type or field in "
                       r"the scope around the enum \(message Light\), where protoc puts enum values: rename the "
                       r"member \(COLOR_color\)$"):  # fmt: skip
        render([Light], "ddl_render_light")


class Tint(enum.IntEnum):
    TINT_RED = 0
    red = 1


class Hue(enum.IntEnum):
    HUE_DARK = 0
    red = 1
    Red = 1  # an alias: protoc lets names match when their numbers do


class Paint(ddl.Message):
    tint: Tint = Tint.TINT_RED
    hue: Hue = Hue.HUE_DARK


def test_enum_values_that_protoc_takes_for_one_name_are_a_render_error_unless_aliases() -> None:
    with pytest.raises(RenderError, match=r"^Tint: protoc rejects values TINT_RED and red in one enum, as their names "
                       r"match once case, underscores and the prefix TINT_ are set aside; rename one$"):  # fmt: skip
        render([Paint], "ddl_render_paint")
    text = render([Hue], "ddl_render_hue")
    assert "  red = 1;\n  Red = 1;\n" in text
    assert compile_rendered(text).Red == 1


def write_module(folder: Path, name: str, source: str) -> ModuleType:
    (folder / f"{name}.py").write_text(source)
    sys.path.insert(0, str(folder))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(folder))


def test_two_classes_of_one_name_from_two_modules_get_two_names(tmp_path: Path, engine: Engine) -> None:
    point = "import ddl\nclass Point(ddl.Message):\n    {}: float = 0.0\n"
    write_module(tmp_path, "ddl_render_geo", point.format("lat"))
    write_module(tmp_path, "ddl_render_screen", point.format("px"))
    scene = write_module(
        tmp_path,
        "ddl_render_scene",
        "import ddl, ddl_render_geo, ddl_render_screen\n"
        "class Scene(ddl.Message):\n"
        "    where: ddl_render_geo.Point | None = None\n"
        "    pixel: ddl_render_screen.Point | None = None\n",
    )
    text = render([scene.Scene], "ddl_render_scene")
    assert "  Point where = 1;\n  DdlRenderScreenPoint pixel = 2;\n" in text
    pb = compile_rendered(text)
    value = scene.Scene(where=scene.ddl_render_geo.Point(lat=1.5), pixel=scene.ddl_render_screen.Point(px=2.5))
    parsed = pb.Scene.FromString(engine.encode(value))
    assert (parsed.where.lat, parsed.pixel.px) == (1.5, 2.5)


class MatrixItem(ddl.Message):
    label: str = ""


class Grid(ddl.Message):
    matrix: list[list[int]] = ddl.field(default_factory=list)
    item: MatrixItem | None = None


TopGrid = Grid


class Board(ddl.Message):
    class Grid(ddl.Message):
        size: int = 0

    outer: TopGrid | None = None
    inner: Board.Grid | None = None


def test_wrapper_and_nested_names_never_capture_references_to_user_classes(engine: Engine) -> None:
    text = render([Grid, Board], "ddl_render_clash")
    assert "  message MatrixItem2 {\n    repeated int64 values = 1;\n  }\n" in text
    assert "  .ddl_render_clash.Grid outer = 1;\n  Grid inner = 2;\n" in text
    pb = compile_rendered(text)
    grid = pb.Grid.FromString(engine.encode(Grid(matrix=[[1, 2]], item=MatrixItem(label="a"))))
    assert (list(grid.matrix[0].values), grid.item.label) == ([1, 2], "a")
    board = pb.Board.FromString(engine.encode(Board(outer=Grid(matrix=[[3]]), inner=Board.Grid(size=4))))
    assert (list(board.outer.matrix[0].values), board.inner.size) == ([3], 4)


@pytest.mark.parametrize(
    ("module", "package"),
    [("shop.models", "shop.models"), ("__main__", "main"),
     ("tests._ddl_generated_schemas", "tests.ddl_generated_schemas"), ("v1.2beta", "v1.p2beta")],
)  # fmt: skip
def test_the_default_package_is_the_module_name_made_of_identifiers(module: str, package: str) -> None:
    assert package_for(module) == package


# --- The command ---------------------------------------------------------------------------


def test_ddl_proto_of_a_module_prints_every_class_it_defines_in_order(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["proto", "examples.demo"]) == 0
    out = capsys.readouterr().out
    assert "package examples.demo;" in out
    assert out.index("message Item {") < out.index("message Order {") < out.index("enum Status {")


def test_ddl_proto_of_one_class_writes_it_and_what_it_uses_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "order.proto"
    assert main(["proto", "examples.demo:Item", "--package", "shop.v1", "-o", str(out)]) == 0
    text = out.read_text()
    assert "package shop.v1;" in text and "message Item {" in text and "Order" not in text


def test_ddl_proto_of_a_python_file_loads_it_by_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ddl_render_file.py"
    path.write_text("import ddl\nclass Ping(ddl.Message):\n    n: ddl.sint32 = 0\n")
    assert main(["proto", str(path)]) == 0
    assert "message Ping {\n  sint32 n = 1;\n}" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("target", "message"),
    [("ddl_no_such_module", "importing it failed: ModuleNotFoundError"), ("examples.demo:Nope", "has no Nope"),
     ("examples.demo:Status", "is not a ddl.Message class"), ("ddl._types", "defines no ddl.Message class"),
     ("missing_file.py", "missing_file.py: no such file")],
)  # fmt: skip
def test_ddl_proto_says_what_is_wrong_with_a_target_and_exits_2(
    target: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["proto", target]) == 2
    assert message in capsys.readouterr().err


def test_ddl_proto_reports_a_schema_error_raised_while_importing_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "ddl_render_broken.py"
    path.write_text("import ddl\nclass Bad(ddl.Message):\n    when: complex = 0j\n")
    assert main(["proto", str(path)]) == 2
    assert "importing it failed: SchemaError: Bad.when: ddl cannot map complex" in capsys.readouterr().err


def test_a_python_file_never_replaces_a_module_imported_under_its_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "json.py").write_text("import ddl\nclass Doc(ddl.Message):\n    text: str = ''\n")
    assert main(["proto", str(tmp_path / "json.py")]) == 2
    assert "json.py: a module named json is imported already; give the file another name" in capsys.readouterr().err
    assert sys.modules["json"].__file__ != str(tmp_path / "json.py")


def test_ddl_proto_help_shows_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["proto", "--help"])
    assert "ddl proto examples.demo:Order" in capsys.readouterr().out


class Legacy(ddl.Message):
    codes: list[ddl.int32] = ddl.field(default_factory=list, packed=False)
    levels: list[Level] = ddl.field(default_factory=list)


def test_packed_false_is_rendered_and_protoc_code_writes_the_same_unpacked_bytes(engine: Engine) -> None:
    text = render([Legacy], "ddl_render_unpacked")
    assert "repeated int32 codes = 1 [packed = false];" in text
    value = Legacy(codes=[1, -2, 300], levels=[Level.LOW, Level.HIGH])
    pbcls = compile_rendered(text).Legacy
    assert pbcls(codes=[1, -2, 300], levels=[1, 2]).SerializeToString() == engine.encode(value)


# --- Reserved numbers and names ----------------------------------------------------------------


class Order(ddl.Message, reserved=(8, 9, range(20, 30), "legacy_note")):
    id: int = 0
    total: int = 0
    choice: int | str | None = None  # members avoid 20..29: 10 and 11


class Refund(Order, reserved=("reason_code", 12)):
    reason: str = ""


def protoc_errors(text: str, folder: Path, capfd: pytest.CaptureFixture[str]) -> str:
    """What protoc says about ``text``: "" when it compiles."""
    (folder / "reserved.proto").write_text(text)
    capfd.readouterr()
    status = protoc.main(["protoc", f"-I{folder}", f"--descriptor_set_out={folder / 'out.pb'}", "reserved.proto"])
    err = capfd.readouterr().err
    assert (status == 0) == (err == ""), err
    return err


def reserved_of(pbcls: Any) -> tuple[list[tuple[int, int]], list[str]]:
    """The reserved ranges (end exclusive) and names protoc compiled into a message."""
    proto = descriptor_pb2.DescriptorProto()
    pbcls.DESCRIPTOR.CopyToProto(proto)
    return [(r.start, r.end) for r in proto.reserved_range], list(proto.reserved_name)


def test_reserved_numbers_and_names_are_rendered_as_reserved_lines_that_protoc_compiles(engine: Engine) -> None:
    text = render([Order], "ddl_render_reserved")
    assert 'message Order {\n  reserved 8 to 9, 20 to 29;\n  reserved "legacy_note";\n  int64 id = 1;\n' in text
    pb = compile_rendered(text)
    assert reserved_of(pb.Order) == ([(8, 10), (20, 30)], ["legacy_note"])
    assert pb.Order.FromString(engine.encode(Order(id=1, total=2, choice="x"))).choice_string == "x"


@pytest.mark.parametrize(
    ("field", "error"),
    [
        ("string note = 8;", 'Field "note" uses reserved number 8.'),
        ("string note = 29;", 'Field "note" uses reserved number 29.'),
        ("string legacy_note = 40;", 'Field name "legacy_note" is reserved.'),
    ],
)
def test_protoc_rejects_a_field_that_takes_a_rendered_reservation(
    field: str, error: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    text = render([Order], "ddl_render_reserved")
    assert protoc_errors(text, tmp_path, capfd) == ""
    assert error in protoc_errors(text.replace("  int64 id = 1;\n", f"  int64 id = 1;\n  {field}\n"), tmp_path, capfd)


def test_a_subclass_renders_its_bases_reservations_with_its_own() -> None:
    text = render([Refund], "ddl_render_refund")
    assert 'message Refund {\n  reserved 8 to 9, 12, 20 to 29;\n  reserved "legacy_note", "reason_code";\n' in text
    assert reserved_of(compile_rendered(text).Refund) == ([(8, 10), (12, 13), (20, 30)], ["legacy_note", "reason_code"])


class Shipment(ddl.Message, reserved="via_string"):
    via: int | str | None = None


def test_a_oneof_member_name_steps_around_a_reserved_name_and_keeps_its_json_name() -> None:
    text = render([Shipment], "ddl_render_shipment")
    assert 'int64 via_int64 = 1;\n    string via_string_2 = 2 [json_name = "viaString"];' in text
    pb = compile_rendered(text)
    assert pb.Shipment.DESCRIPTOR.fields_by_number[2].json_name == plan_for(Shipment).fields[0].json_names[1]


class Contact(ddl.Message):
    since: int = 0
    name: str | None = ddl.field(oneof="id", default=None)
    note: str | None = None
    email: str | None = ddl.field(oneof="id", default=None)
    where: int | str | None = None
    home: Order | None = ddl.field(oneof="place", default=None)
    codes: list[int] | None = ddl.field(oneof="place", default=None)


def test_a_oneof_group_is_a_oneof_block_where_its_first_member_stands(engine: Engine) -> None:
    # A member is written without ``optional``: a oneof member has presence already.
    text = render([Contact], "ddl_render_groups")
    assert (
        "  int64 since = 1;\n"
        "  oneof id {\n    string name = 2;\n    string email = 4;\n  }\n"
        "  optional string note = 3;\n"
        "  oneof where {\n    int64 where_int64 = 5;\n    string where_string = 6;\n  }\n"
        "  oneof place {\n    Order home = 7;\n    CodesList codes = 8;\n  }\n"
    ) in text
    pb = compile_rendered(text)
    assert pb.Contact.FromString(engine.encode(Contact(email="e"))).WhichOneof("id") == "email"
    assert pb.Contact.FromString(engine.encode(Contact(codes=[1, 2]))).codes.values == [1, 2]
    both = pb.Contact(name="n").SerializeToString() + pb.Contact(email="e").SerializeToString()
    assert engine.decode(both, Contact) == Contact(email="e")


class Wellknown(ddl.Message):
    count: ddl.wkt.Int32Value | None = None
    label: ddl.wkt.StringValue | None = None
    extra: ddl.wkt.Any | None = None
    mask: ddl.wkt.FieldMask | None = None
    nothing: ddl.wkt.Empty | None = None
    json: ddl.wkt.Value | None = None
    values: list[ddl.wkt.UInt64Value] = []


def test_ddl_wkt_classes_are_rendered_as_googles_own_messages_and_protoc_code_reads_them(engine: Engine) -> None:
    text = render([Wellknown], "ddl_render_wkt")
    assert "google.protobuf.Int32Value count = 1;" in text and 'import "google/protobuf/wrappers.proto";' in text
    assert "message Int32Value" not in text and "message Any" not in text
    pbcls = compile_rendered(text).Wellknown
    value = Wellknown(
        count=ddl.wkt.Int32Value(0),
        label=ddl.wkt.StringValue("x"),
        extra=ddl.wkt.Any("type.example/T", b"\x01"),
        mask=ddl.wkt.FieldMask(["a.b"]),
        nothing=ddl.wkt.Empty(),
        json=ddl.wkt.Value(ddl.wkt.NullValue.NULL_VALUE),
        values=[ddl.wkt.UInt64Value(2**64 - 1)],
    )
    parsed = pbcls.FromString(engine.encode(value))
    assert parsed.HasField("count") and parsed.count.value == 0 and parsed.label.value == "x"
    assert parsed.extra.type_url == "type.example/T" and list(parsed.mask.paths) == ["a.b"]
    assert parsed.HasField("nothing") and parsed.json.WhichOneof("kind") == "null_value"
    assert engine.decode(parsed.SerializeToString(), Wellknown) == value


# --- Groups: ddl.field(delimited=True) ------------------------------------------------------------


class Note(ddl.Message):
    text: str = ""
    stars: int | None = None


class Page(ddl.Message):
    number: int = 0  # implicit presence, as in proto3: 0 is not written
    title: str | None = None  # explicit presence
    head: Note | None = ddl.field(default=None, delimited=True)
    body: Note = ddl.field(default_factory=Note, delimited=True)
    notes: list[Note] = ddl.field(default_factory=list, delimited=True)
    codes: list[int] = ddl.field(default_factory=list, packed=False)
    linked: Note | None = None
    pinned: Note | None = ddl.field(default=None, oneof="extra", delimited=True)
    remark: str | None = ddl.field(default=None, oneof="extra")


@settings(FIXTURE_SAFE, max_examples=examples(30))
@given(value=instances(Page))
def test_delimited_fields_are_rendered_in_edition_2023_and_protoc_code_writes_the_same_bytes(
    engine: Engine, value: Page
) -> None:
    text = render([Page], "ddl_render_delimited")
    assert 'edition = "2023";' in text and "option features.field_presence = IMPLICIT;" in text
    assert "  int64 number = 1;\n  string title = 2 [features.field_presence = EXPLICIT];\n" in text
    assert "  Note head = 3 [features.message_encoding = DELIMITED];\n" in text
    assert "  repeated Note notes = 5 [features.message_encoding = DELIMITED];\n" in text
    assert "  repeated int64 codes = 6 [features.repeated_field_encoding = EXPANDED];\n" in text
    assert "  Note linked = 7;\n" in text
    assert "    Note pinned = 8 [features.message_encoding = DELIMITED];\n" in text
    pbcls = compile_rendered(text).Page
    ours = engine.encode(value)
    parsed = pbcls.FromString(ours)
    assert list(UnknownFieldSet(parsed)) == []  # protoc's code read every field as declared
    assert parsed.SerializeToString() == ours
    assert engine.decode(ours, Page) == value


def test_classes_without_delimited_fields_are_still_rendered_as_proto3() -> None:
    assert 'syntax = "proto3";' in render([Note], "ddl_render_plain")
