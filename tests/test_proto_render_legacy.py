"""``ddl proto`` of what proto3 cannot say: closed enums, required fields and ``[default = ...]``.

Such classes are written in edition 2023, each construct as its feature or option; protoc
compiles the text, protobuf's runtime reads the meaning back (closed, required, the default an
absent field reads as), the bytes go both ways unchanged, and ``ddl check`` finds no change
between the classes and the .proto written for them.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from google.protobuf.unknown_fields import UnknownFieldSet
from hypothesis import given, settings

import ddl
from ddl._proto._breaking import check
from ddl._proto._render import proto_literal, render
from ddl.testing import instances
from tests.conftest import Engine, examples
from tests.test_differential import FIXTURE_SAFE
from tests.test_proto_render import compile_rendered


class Shade(ddl.ClosedEnum):
    DARK = 2  # the first member: what an absent field reads as
    LIGHT = 1


class Part(ddl.Message):
    class Grade(ddl.ClosedEnum):
        LOW = 5
        HIGH = 6

    grade: Grade | None = ddl.field(number=1, default=None, proto_default=Grade.HIGH)


class Item(ddl.Message, kw_only=True):
    sku: str = ddl.field(number=1, required=True)
    qty: ddl.int32 | None = ddl.field(number=2, default=None, proto_default=-3)
    note: str | None = ddl.field(number=3, default=None, proto_default='say "hi" \\ café\n')
    blob: bytes | None = ddl.field(number=4, default=None, proto_default=b'\x00\xff"')
    shade: Shade | None = ddl.field(number=5, default=None, proto_default=Shade.LIGHT)
    weight: float | None = ddl.field(number=6, default=None, proto_default=float("-inf"))
    ratio: ddl.float32 | None = ddl.field(number=7, default=None, proto_default=0.5)
    flag: bool | None = ddl.field(number=8, default=None, proto_default=True)
    part: Part = ddl.field(number=9, required=True)
    count: int = ddl.field(number=10, default=0)
    shades: list[Shade] = ddl.field(number=11, default_factory=list)
    level: ddl.uint64 = ddl.field(number=12, required=True, proto_default=18446744073709551615)
    maybe: Shade | None = ddl.field(number=13, default=None)


class Tone(ddl.ClosedEnum):
    NONE = 0  # protoc requires a map's enum values to start with 0
    BRIGHT = 1


class Palette(ddl.Message):
    by_name: dict[str, Tone] = ddl.field(number=1, default_factory=dict)
    size: int = ddl.field(number=2, default=0)
    name: str | None = ddl.field(number=3, default=None)


def test_closed_enums_required_fields_and_defaults_are_written_as_edition_2023_features() -> None:
    text = render([Item], "ddl_render_legacy")
    assert 'edition = "2023";' in text and "option features.field_presence = IMPLICIT;" in text
    assert "// closed enums (ddl.ClosedEnum), required fields (required=True), default values (proto_default);" in text
    assert "enum Shade {\n  option features.enum_type = CLOSED;\n  DARK = 2;\n  LIGHT = 1;\n}" in text
    assert "    option features.enum_type = CLOSED;\n    LOW = 5;\n" in text  # nested, no zero added
    for line in [
        "string sku = 1 [features.field_presence = LEGACY_REQUIRED];",
        "int32 qty = 2 [features.field_presence = EXPLICIT, default = -3];",
        r'string note = 3 [features.field_presence = EXPLICIT, default = "say \"hi\" \\ caf\303\251\012"];',
        r'bytes blob = 4 [features.field_presence = EXPLICIT, default = "\000\377\""];',
        "Shade shade = 5 [features.field_presence = EXPLICIT, default = LIGHT];",
        "double weight = 6 [features.field_presence = EXPLICIT, default = -inf];",
        "Part part = 9 [features.field_presence = LEGACY_REQUIRED];",
        "int64 count = 10;",
        "uint64 level = 12 [features.field_presence = LEGACY_REQUIRED, default = 18446744073709551615];",
        "Grade grade = 1 [features.field_presence = EXPLICIT, default = HIGH];",
    ]:
        assert f"  {line}\n" in text, line


def test_protobuf_reads_the_meaning_back_from_the_written_proto() -> None:
    pb = compile_rendered(render([Item], "ddl_render_legacy"))
    fields = pb.Item.DESCRIPTOR.fields_by_name
    assert pb.Shade.DESCRIPTOR.is_closed and pb.Part.Grade.DESCRIPTOR.is_closed
    assert [name for name, f in fields.items() if f.is_required] == ["sku", "part", "level"]
    absent = pb.Item()
    for name in ("qty", "note", "blob", "shade", "ratio", "flag", "level"):
        assert getattr(absent, name) == ddl.proto_default(Item, name), name
    assert math.isinf(absent.weight) and absent.weight < 0
    assert pb.Part().grade == Part.Grade.HIGH
    assert not fields["count"].has_presence and fields["maybe"].has_presence


@settings(FIXTURE_SAFE, max_examples=examples(30))
@given(value=instances(Item))
def test_protoc_code_for_the_written_proto_reads_and_writes_ddl_bytes(engine: Engine, value: Item) -> None:
    pbcls = compile_rendered(render([Item], "ddl_render_legacy")).Item
    ours = engine.encode(value)
    parsed = pbcls.FromString(ours)
    assert parsed.IsInitialized() and list(UnknownFieldSet(parsed)) == []
    assert parsed.SerializeToString() == ours
    assert engine.decode(ours, Item) == value


@settings(FIXTURE_SAFE, max_examples=examples(20))
@given(value=instances(Palette))
def test_a_map_of_closed_enum_values_keeps_explicit_presence_as_the_files_default(
    engine: Engine, value: Palette
) -> None:
    text = render([Palette], "ddl_render_palette")
    assert "option features.field_presence" not in text  # a map's values take it: closed enums need presence
    assert "  int64 size = 2 [features.field_presence = IMPLICIT];\n  string name = 3;\n" in text
    pbcls = compile_rendered(text).Palette
    parsed = pbcls.FromString(engine.encode(value))
    assert dict(parsed.by_name) == value.by_name and parsed.size == value.size
    assert engine.decode(parsed.SerializeToString(), Palette) == value  # protobuf orders map entries its own way


def test_ddl_check_finds_no_change_between_the_classes_and_the_proto_written_for_them(tmp_path: Path) -> None:
    (tmp_path / "legacy.proto").write_text(render([Item, Palette, Loose], "tests.test_proto_render_legacy"))
    for old, new in ((str(tmp_path / "legacy.proto"), __name__), (__name__, str(tmp_path / "legacy.proto"))):
        assert [f.line() for f in check(old, new, [str(tmp_path)])] == []


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (True, "true"), (False, "false"), (-7, "-7"), (1.5, "1.5"), (1e300, "1e+300"), (float("inf"), "inf"),
        (float("nan"), "nan"), ("tab\t", r'"tab\011"'), (b"\x80", r'"\200"'),
    ],
)  # fmt: skip
def test_defaults_are_written_as_protobuf_text_spells_them(value: object, text: str) -> None:
    assert proto_literal(value) == text


TRICKY = ["", 'q"\\', "é\u2028\x00\n", "\U0001f600", b"", b"\x00\x7f\x80\xff", b'"\\?']


def test_written_string_and_bytes_defaults_read_back_as_the_same_values() -> None:
    fields = [
        f"{'string' if isinstance(v, str) else 'bytes'} v{i} = {i + 1} [default = {proto_literal(v)}];"
        for i, v in enumerate(TRICKY)
    ]
    pb = compile_rendered(
        'edition = "2023";\npackage ddl_render_literals;\nmessage L {\n' + "\n".join(fields) + "\n}\n"
    )
    assert [getattr(pb.L(), f"v{i}") for i in range(len(TRICKY))] == TRICKY


class Loose(ddl.Message):
    """Strings unchecked as UTF-8 in each place a string can be."""

    name: str = ddl.field(number=1, default="", verify_utf8=False)
    tags: list[str] = ddl.field(number=2, default_factory=list, verify_utf8=False)
    by_key: dict[str, int] = ddl.field(number=3, default_factory=dict, verify_utf8=False)
    pick: int | str | None = ddl.field(number=(4, 5), default=None, verify_utf8=False)
    grid: list[list[str]] = ddl.field(number=6, default_factory=list, verify_utf8=False)
    strict: str = ddl.field(number=7, default="")


def test_unchecked_strings_are_written_as_utf8_validation_none_and_protobuf_keeps_their_bytes(engine: Engine) -> None:
    text = render([Loose], "ddl_render_loose")
    assert 'edition = "2023";' in text
    assert "string name = 1 [features.utf8_validation = NONE];" in text
    assert "map<string, int64> by_key = 3 [features.utf8_validation = NONE];" in text
    assert "string pick_string = 5 [features.utf8_validation = NONE];" in text
    assert "string strict = 7;" in text
    pb = compile_rendered(text)
    value = Loose(name="\udcff", tags=["a\udc80"], by_key={"\udcc3": 1}, pick="\udce9", grid=[["\udcfe"]])
    data = engine.encode(value)
    assert pb.Loose.FromString(data).SerializeToString() == data
    assert engine.decode(data, Loose) == value
    with pytest.raises(Exception, match=r"(?i)utf-8"):
        pb.Loose.FromString(engine.encode(Loose(strict="ok")) + b"\x3a\x01\xff")
