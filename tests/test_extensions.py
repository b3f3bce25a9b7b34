"""``ddl.Extension``: proto2 extensions read from and written to a message's unknown fields.

The first part specifies the API on hand-written classes; the second checks the extensions that
``ddl gen`` writes for ``tests/protos/ddlext/extensions.proto`` against Google's runtime, which
sets and reads the same extensions through protoc's ``_pb2`` code.
"""

from __future__ import annotations

import dataclasses
import enum
import gc
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from google.protobuf import json_format, text_format
from grpc_tools import protoc
from hypothesis import given
from hypothesis import strategies as st

import ddl
import ddl.protobuf.cpp_features
import ddl.protobuf.descriptor
from ddl._proto._gen import generate
from ddl._proto._protoc import descriptor_set, wkt_include
from tests.conftest import FIXTURE_SAFE, Engine
from tests.pb_fill import fill, scalar
from tests.test_gen import ROOT, ruff_check
from tests.wire import length_delimited as ld
from tests.wire import tag, varint


class Shade(enum.IntEnum):
    LIGHT = 1
    DARK = 2


class Note(ddl.Message):
    text: str = ""
    marks: list[int] = []


class Box(ddl.Message):
    label: str = ""


class Crate(Box):
    slots: int = ddl.field(number=120, default=0)


class Frozen(ddl.Message, frozen=True):
    label: str = ""


weight: ddl.Extension[Box, int] = ddl.Extension("shop.weight", Box, 100, ddl.int32)
owner = ddl.Extension("shop.owner", Box, 101, str)
shade = ddl.Extension("shop.shade", Box, 102, Shade)
note = ddl.Extension("shop.note", Box, 103, Note)
codes = ddl.Extension("shop.codes", Box, 104, list[ddl.int32], packed=False)
deltas = ddl.Extension("shop.deltas", Box, 105, list[ddl.sint64])
notes = ddl.Extension("shop.notes", Box, 106, list[Note])
slots = ddl.Extension("shop.slots", Box, 120, int)
frozen_weight = ddl.Extension("shop.frozen_weight", Frozen, 100, ddl.int32)

OTHER = tag(7, 0) + varint(9)  # an unknown field that no extension here is
JSON_OPTIONS = st.fixed_dictionaries(
    {
        "preserving_proto_field_name": st.booleans(),
        "always_print_fields_with_no_presence": st.booleans(),
        "use_integers_for_enums": st.booleans(),
    }
)


# --- Reading and writing ---------------------------------------------------------------------


def test_an_absent_extension_reads_as_none_or_as_an_empty_list(engine: Engine) -> None:
    box = engine.decode(engine.encode(Box(label="a")) + OTHER, Box)
    assert weight.get(box) is None and note.get(box) is None and not weight.has(box)
    assert codes.get(box) == [] and not codes.has(box)


def test_each_kind_set_survives_encode_and_decode(engine: Engine) -> None:
    box = Box(label="a")
    values = [(weight, 0), (owner, "é"), (shade, Shade.DARK), (note, Note(text="n", marks=[1])),
              (codes, [1, -2]), (deltas, [-3, 4]), (notes, [Note(text="x"), Note()])]  # fmt: skip
    for ext, value in values:
        ext.set(box, value)
    back = engine.decode(engine.encode(box), Box)
    assert back.label == "a"
    for ext, value in values:
        assert ext.get(back) == value and ext.has(back)
    assert type(shade.get(back)) is Shade


def test_a_singular_zero_is_written_as_proto2_writes_a_set_field(engine: Engine) -> None:
    box = Box()
    weight.set(box, 0)
    assert engine.encode(box) == tag(100, 0) + varint(0)


def test_packed_false_writes_one_tagged_element_at_a_time_and_packed_one_run(engine: Engine) -> None:
    box = Box()
    codes.set(box, [1, 2])
    deltas.set(box, [1, -1])
    assert engine.encode(box) == tag(104, 0) + varint(1) + tag(104, 0) + varint(2) + ld(105, varint(2) + varint(1))


def test_set_replaces_every_occurrence_and_keeps_the_other_unknown_fields_in_order(engine: Engine) -> None:
    data = tag(100, 0) + varint(1) + OTHER + tag(100, 0) + varint(2) + ld(101, b"x")
    box = engine.decode(data, Box)
    weight.set(box, 5)
    assert engine.encode(box) == OTHER + ld(101, b"x") + tag(100, 0) + varint(5)


def test_clear_removes_every_occurrence_and_nothing_else(engine: Engine) -> None:
    box = engine.decode(tag(100, 0) + varint(1) + OTHER + tag(100, 0) + varint(2), Box)
    weight.clear(box)
    assert not weight.has(box) and engine.encode(box) == OTHER
    weight.clear(box)  # clearing an absent extension is no error
    codes.set(box, [])
    assert engine.encode(box) == OTHER


def test_several_occurrences_combine_as_in_protobuf(engine: Engine) -> None:
    data = (
        tag(100, 0) + varint(1) + tag(100, 0) + varint(2)  # the last scalar wins
        + ld(103, ld(1, b"a") + ld(2, varint(1))) + ld(103, ld(2, varint(2)))  # messages merge
        + tag(104, 0) + varint(3) + ld(104, varint(4) + varint(5))  # unpacked and packed concatenate
    )  # fmt: skip
    box = engine.decode(data, Box)
    assert weight.get(box) == 2
    assert note.get(box) == Note(text="a", marks=[1, 2])
    assert codes.get(box) == [3, 4, 5]


def test_an_occurrence_of_another_wire_type_is_not_the_value_but_set_replaces_it(engine: Engine) -> None:
    box = engine.decode(ld(100, b"x"), Box)  # protobuf too keeps it as an unknown field
    assert weight.get(box) is None
    weight.set(box, 3)
    assert engine.encode(box) == tag(100, 0) + varint(3)


def test_get_returns_a_copy_that_set_writes_back(engine: Engine) -> None:
    box = Box()
    note.set(box, Note(text="a"))
    value = note.get(box)
    assert value is not None
    value.text = "b"
    assert note.get(box) == Note(text="a")
    note.set(box, value)
    assert note.get(engine.decode(engine.encode(box), Box)) == Note(text="b")


def test_a_subclass_of_the_extendee_takes_the_extension_unless_a_field_has_its_number(engine: Engine) -> None:
    crate = Crate()
    weight.set(crate, 4)
    assert weight.get(engine.decode(engine.encode(crate), Crate)) == 4
    clash = r"^extension shop\.slots: Crate, a subclass of Box, uses number 120 for its field 'slots'$"
    with pytest.raises(TypeError, match=clash):
        slots.get(crate)


def test_frozen_messages_read_extensions_and_refuse_changes(engine: Engine) -> None:
    frozen = engine.decode(tag(100, 0) + varint(6), Frozen)
    assert frozen_weight.get(frozen) == 6
    refused = r"^cannot change extension shop\.frozen_weight of frozen Frozen$"
    for change in (lambda: frozen_weight.set(frozen, 1), lambda: frozen_weight.clear(frozen)):
        with pytest.raises(dataclasses.FrozenInstanceError, match=refused):
            change()
    assert frozen_weight.get(frozen) == 6


# --- JSON ------------------------------------------------------------------------------------


def test_json_writes_each_set_extension_as_its_bracketed_full_name_after_the_fields_by_number(
    engine: Engine,
) -> None:
    box = Box(label="a")
    notes.set(box, [Note(text="x")])
    codes.set(box, [1, -2])
    weight.set(box, 0)  # set to zero is set: proto2 writes it, and so does JSON
    shade.set(box, Shade.DARK)
    box = engine.decode(engine.encode(box) + OTHER, Box)  # an unknown number has no JSON form
    written = ddl.to_dict(box)
    assert written == {
        "label": "a", "[shop.weight]": 0, "[shop.shade]": "DARK", "[shop.codes]": [1, -2],
        "[shop.notes]": [{"text": "x"}],
    }  # fmt: skip
    assert list(written) == ["label", "[shop.weight]", "[shop.shade]", "[shop.codes]", "[shop.notes]"]
    assert ddl.to_dict(box, use_integers_for_enums=True, always_print_fields_with_no_presence=True) == {
        "label": "a", "[shop.weight]": 0, "[shop.shade]": 2, "[shop.codes]": [1, -2],
        "[shop.notes]": [{"text": "x", "marks": []}],
    }  # fmt: skip


def test_json_reads_an_extension_into_the_unknown_fields_as_its_binary_form_would_be(engine: Engine) -> None:
    text = '{"[shop.notes]": [{"text": "x"}], "label": "a", "[shop.weight]": 3, "[shop.codes]": ["1", 2]}'
    box = ddl.from_json(text, Box)
    assert weight.get(box) == 3 and codes.get(box) == [1, 2] and notes.get(box) == [Note(text="x")]
    expected = Box(label="a")
    for ext, value in ((weight, 3), (codes, [1, 2]), (notes, [Note(text="x")])):
        ext.set(expected, value)
    assert engine.encode(box) == engine.encode(expected)  # the extensions by number, as they were set
    assert ddl.from_json(ddl.to_json(box), Box) == box


def test_a_frozen_message_reads_and_writes_its_extensions_in_json() -> None:
    frozen = ddl.from_dict({"[shop.frozen_weight]": 6, "label": "x"}, Frozen)
    assert frozen_weight.get(frozen) == 6 and frozen.label == "x"
    assert ddl.to_dict(frozen) == {"label": "x", "[shop.frozen_weight]": 6}


def test_json_null_for_an_extension_is_its_absence() -> None:
    box = ddl.from_dict({"[shop.weight]": None, "[shop.codes]": None}, Box)
    assert not weight.has(box) and not codes.has(box) and ddl.encode(box) == b""


def test_a_subclass_of_the_extendee_reads_and_writes_its_extensions_in_json_but_not_a_number_it_uses() -> None:
    crate = ddl.from_dict({"[shop.weight]": 4, "slots": "2"}, Crate)
    assert weight.get(crate) == 4 and ddl.to_dict(crate) == {"slots": "2", "[shop.weight]": 4}
    with pytest.raises(ddl.DecodeError, match=r"^Crate has no field named '\[shop\.slots\]' at \$\.\[shop\.slots\]$"):
        ddl.from_dict({"[shop.slots]": "2"}, Crate)


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ({"[shop.nope]": 1}, r"^Box has no field named '\[shop\.nope\]' at \$\.\[shop\.nope\]$"),
        ({"[shop.frozen_weight]": 1}, r"^Box has no field named '\[shop\.frozen_weight\]'"),  # another extendee's
        ({"[shop.weight]": "x"}, r"^int32 needs an integer, got the string 'x' at \$\.\[shop\.weight\]$"),
        ({"[shop.codes]": [1, None]}, r"^null is not an element .* at \$\.\[shop\.codes\]\[1\]$"),
        ({"[shop.note]": {"marks": ["a"]}}, r"needs an integer, got the string 'a' at \$\.\[shop\.note\]\.marks\[0\]$"),
    ],
)  # fmt: skip
def test_a_json_key_no_field_or_extension_takes_or_a_wrong_extension_value_is_a_decode_error(
    obj: dict[str, Any], message: str
) -> None:
    with pytest.raises(ddl.DecodeError, match=message):
        ddl.from_dict(obj, Box)


def test_ignore_unknown_fields_drops_an_unknown_bracketed_key_but_not_a_wrong_value() -> None:
    assert ddl.encode(ddl.from_dict({"[shop.nope]": 1, "label": "a"}, Box, ignore_unknown_fields=True)) == ld(1, b"a")
    with pytest.raises(ddl.DecodeError, match=r"at \$\.\[shop\.weight\]$"):
        ddl.from_dict({"[shop.weight]": "x"}, Box, ignore_unknown_fields=True)


def test_extension_bytes_that_are_no_value_cannot_be_written_as_json(engine: Engine) -> None:
    box = engine.decode(ld(101, b"\xff"), Box)
    refused = r"^its bytes are no value of the extension: invalid UTF-8 .* at \$\.\[shop\.owner\]$"
    with pytest.raises(ddl.EncodeError, match=refused):
        ddl.to_json(box)


def test_the_last_extension_made_for_a_number_is_the_one_json_knows_while_it_exists() -> None:
    class Bag(ddl.Message):
        label: str = ""

    first = ddl.Extension("shop.first", Bag, 100, ddl.int32)
    # The list is the only holder of the newer one (pytest's assertions keep the locals they see).
    newer = [ddl.Extension("shop.second", Bag, 100, ddl.int32)]
    bag = Bag()
    first.set(bag, 1)
    assert ddl.to_dict(bag) == {"[shop.second]": 1}
    newer.clear()
    gc.collect()  # an Extension may sit in a reference cycle until collected
    assert ddl.to_dict(bag) == {"[shop.first]": 1}


# --- Errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ext", "value", "message"),
    [
        (weight, "7", r"^expected int \(int32\), got str at \$\.\[shop\.weight\]$"),
        (weight, 1 << 31, r"out of range for int32 at \$\.\[shop\.weight\]$"),
        (weight, None, r"^an extension's value cannot be None \(clear\(\) removes it\) at \$\.\[shop\.weight\]$"),
        (note, Note(text=5), r"^expected str \(string\), got int at \$\.\[shop\.note\]\.text$"),
        (
            codes,
            "12",
            r"^expected a list, tuple, set, frozenset or a buffer of 'i' items, got str "
            r"at \$\.\[shop\.codes\]$",
        ),
        (notes, [Note(), 3], r"got int at \$\.\[shop\.notes\]\[1\]$"),
    ],
)
def test_a_wrong_value_is_an_encode_error_naming_the_extension_and_changes_nothing(
    engine: Engine, ext: ddl.Extension[Box, Any], value: object, message: str
) -> None:
    box = engine.decode(tag(100, 0) + varint(1), Box)
    with pytest.raises(ddl.EncodeError, match=message):
        ext.set(box, value)
    assert engine.encode(box) == tag(100, 0) + varint(1)


@pytest.mark.parametrize(
    ("data", "ext", "message"),
    [
        (ld(101, b"\xff"), owner, r"^invalid UTF-8 .* at \$\.\[shop\.owner\]$"),
        (ld(103, ld(1, b"\xc3")), note, r"^invalid UTF-8 .* at \$\.\[shop\.note\]\.text$"),
        (ld(103, b"\x0a\x05ab"), note, r"^length 5 runs past the end .* at \$\.\[shop\.note\]\.text$"),
    ],
)
def test_bytes_that_are_no_value_of_the_extension_are_a_decode_error(
    engine: Engine, data: bytes, ext: ddl.Extension[Box, Any], message: str
) -> None:
    box = engine.decode(data, Box)  # kept whole among the unknown fields
    with pytest.raises(ddl.DecodeError, match=message) as caught:
        ext.get(box)
    assert caught.value.offset is None  # an offset into the extension's bytes would mislead


def test_a_message_of_another_class_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"^extension shop\.weight extends Box, not Note$"):
        weight.get(Note())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^extension shop\.weight extends Box, not an object of type bytes$"):
        weight.set(b"", 1)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        (("shop.x", Box, 1, int), ddl.SchemaError, r"^extension shop\.x: number 1 is field 'label' of Box"),
        (("shop.x", int, 100, int), TypeError, r"^extension shop\.x: the extendee must be a ddl\.Message subclass"),
        (("shop.x", Box, 100, complex), ddl.SchemaError, r"^extension shop\.x: ddl cannot map complex$"),
        (("shop.x", Box, 100, set[int]), ddl.SchemaError, r"^extension shop\.x: a repeated extension is a list"),
        (("shop.x", Box, 100, dict[str, int]), ddl.SchemaError, r"^extension shop\.x: a repeated extension is a list"),
        (("shop.x", Box, 100, int | str), ddl.SchemaError, r"^extension shop\.x: an extension is one field"),
        (("shop.x", Box, 0, int), ddl.SchemaError, r"^extension shop\.x: field number 0 is outside"),
        (("", Box, 100, int), TypeError, r"^an extension's name is its full proto name"),
    ],
)
def test_an_extension_that_cannot_be_is_an_error_when_it_is_made(
    arguments: tuple[Any, ...], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        ddl.Extension(*arguments)


def test_packed_false_applies_only_to_repeated_numbers() -> None:
    with pytest.raises(ddl.SchemaError, match=r"^extension shop\.x: packed=False applies only to repeated"):
        ddl.Extension("shop.x", Box, 100, str, packed=False)


# --- Generated extensions against Google's runtime ----------------------------------------------

PROTOS = Path(__file__).parent / "protos"
PROTO = PROTOS / "ddlext/extensions.proto"


@dataclass
class Modules:
    out: Path
    ddl: ModuleType
    pb: ModuleType


@pytest.fixture(scope="module")
def modules(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Modules]:
    out, pb = tmp_path_factory.mktemp("ddl-ext"), tmp_path_factory.mktemp("pb2-ext")
    generate([PROTO], [PROTOS], out)
    assert protoc.main(["protoc", f"-I{PROTOS}", f"-I{wkt_include()}", f"--python_out={pb}", str(PROTO)]) == 0
    sys.path[:0] = [str(out), str(pb)]
    try:
        import ddlext.extensions_ddl  # type: ignore[import-not-found]
        import ddlext.extensions_pb2  # type: ignore[import-not-found]

        yield Modules(out, ddlext.extensions_ddl, ddlext.extensions_pb2)
    finally:
        sys.path.remove(str(out))
        sys.path.remove(str(pb))
        for name in [m for m in sys.modules if m == "ddlext" or m.startswith("ddlext.")]:
            del sys.modules[name]


def pairs(modules: Modules) -> list[tuple[Any, ddl.Extension[Any, Any]]]:
    """Each extension of the file: protobuf's descriptor, and ddl's object where ddl gen put it."""
    found = [(d, getattr(modules.ddl, d.name)) for d in modules.pb.DESCRIPTOR.extensions_by_name.values()]
    for message in modules.pb.DESCRIPTOR.message_types_by_name.values():
        found += [(d, getattr(getattr(modules.ddl, message.name), d.name)) for d in message.extensions]
    return found


def test_every_extension_is_generated_where_protobufs_python_puts_it(modules: Modules) -> None:
    found = {ext.name: (ext.extendee.__qualname__, ext.number) for _, ext in pairs(modules)}
    assert found == {d.full_name: (d.containing_type.name, d.number) for d, _ in pairs(modules)}
    assert len(found) == 15
    assert isinstance(modules.ddl.Note.__dict__["note"], ddl.Extension)  # a class attribute, not a field
    assert [f.name for f in modules.ddl.Note.__ddl__.spec.fields] == ["text", "marks", "reply"]


def fill_extensions(box: Any, modules: Modules, data: st.DataObject) -> None:
    for d, _ in pairs(modules):
        if d.containing_type.name != "Box" or not data.draw(st.booleans()):
            continue
        target = box.Extensions[d]
        if d.message_type is None and not d.is_repeated:
            box.Extensions[d] = data.draw(scalar(d))
        elif d.message_type is None:
            target.extend(data.draw(st.lists(scalar(d), min_size=1, max_size=3)))
        elif d.is_repeated:
            for _ in range(data.draw(st.integers(1, 3))):
                fill(target.add(), data, 1)
        else:
            target.SetInParent()
            fill(target, data, 1)


def as_pb(value: Any, pb_type: Any) -> Any:
    """A ddl value as protobuf holds it: messages through their bytes, the rest as they are."""
    if isinstance(value, list):
        return [as_pb(v, pb_type) for v in value]
    if isinstance(value, ddl.Message):
        return pb_type.FromString(ddl.encode(value))
    return value


@FIXTURE_SAFE
@given(data=st.data())
def test_extensions_protobuf_sets_read_the_same_in_ddl_and_come_back_byte_for_byte(
    modules: Modules, engine: Engine, data: st.DataObject
) -> None:
    original = modules.pb.Box(label="box")
    fill_extensions(original, modules, data)
    wire = original.SerializeToString()
    box = engine.decode(wire, modules.ddl.Box)
    for d, ext in pairs(modules):
        if d.containing_type.name != "Box":
            continue
        expected = list(original.Extensions[d]) if d.is_repeated else original.Extensions[d]
        present = len(expected) > 0 if d.is_repeated else original.HasExtension(d)
        assert ext.has(box) == present, d.full_name
        if present:
            assert as_pb(ext.get(box), d.message_type and d.message_type._concrete_class) == expected, d.full_name
    assert engine.encode(box) == wire

    # The other way: each value set through ddl, on a message without extensions.
    rebuilt = modules.ddl.Box(label="box")
    for _, ext in pairs(modules):
        if ext.extendee is modules.ddl.Box and ext.has(box):
            ext.set(rebuilt, ext.get(box))
    assert modules.pb.Box.FromString(engine.encode(rebuilt)) == original


@FIXTURE_SAFE
@given(data=st.data())
def test_extensions_and_groups_print_in_text_format_as_protobuf_prints_them(
    modules: Modules, engine: Engine, data: st.DataObject
) -> None:
    original = modules.pb.Box(label="box")
    fill_extensions(original, modules, data)
    box = engine.decode(original.SerializeToString(), modules.ddl.Box)
    assert ddl.to_text(box) == text_format.MessageToString(original)
    assert ddl.to_text(box, as_one_line=True) == text_format.MessageToString(original, as_one_line=True)


def test_a_custom_option_reads_from_descriptors_decoded_by_ddl_protobuf(modules: Modules, engine: Engine) -> None:
    wire = descriptor_set([PROTO], [PROTOS]).SerializeToString()
    files = engine.decode(wire, ddl.protobuf.descriptor.FileDescriptorSet)
    ours = next(f for f in files.file if f.name == "ddlext/extensions.proto")
    parcel = next(m for m in ours.message_type if m.name == "Parcel")
    mass, name = parcel.field
    assert mass.options is not None and modules.ddl.unit.get(mass.options) == "kg"
    assert name.options is None
    modules.ddl.unit.set(mass.options, "g")
    assert modules.pb.Parcel.DESCRIPTOR.fields_by_name["mass"].GetOptions().Extensions[modules.pb.unit] == "kg"
    options = type(modules.pb.Parcel.DESCRIPTOR.fields_by_name["mass"].GetOptions())
    assert options.FromString(engine.encode(mass.options)).Extensions[modules.pb.unit] == "g"


def test_ddl_protobuf_ships_the_feature_set_extensions(engine: Engine) -> None:
    features = ddl.protobuf.descriptor.FeatureSet()
    cpp = ddl.protobuf.cpp_features.cpp
    cpp.set(features, ddl.protobuf.cpp_features.CppFeatures(legacy_closed_enum=True))
    assert engine.encode(features) == ld(1000, tag(1, 0) + varint(1))  # pb.cpp = 1000 in cpp_features.proto
    assert cpp.get(engine.decode(engine.encode(features), ddl.protobuf.descriptor.FeatureSet)) == (
        ddl.protobuf.cpp_features.CppFeatures(legacy_closed_enum=True)
    )


def test_generated_extensions_pass_mypy_strict_and_ruff(modules: Modules) -> None:
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--explicit-package-bases", "--no-incremental", "ddlext"],
        cwd=modules.out, env={"MYPYPATH": str(ROOT), "PATH": ""}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr
    done = ruff_check(modules.out)
    assert done.returncode == 0, done.stdout + done.stderr


def test_ddl_keeps_what_protobuf_wrote_for_an_extension_byte_for_byte(modules: Modules, engine: Engine) -> None:
    original = modules.pb.Box(label="x", sizes=[1])
    original.Extensions[modules.pb.codes].extend([1, 2])
    original.Extensions[modules.pb.Note.note].text = "n"
    original.Extensions[modules.pb.seal].serial = 3
    wire = original.SerializeToString()
    assert engine.encode(engine.decode(wire, modules.ddl.Box)) == wire


@FIXTURE_SAFE
@given(data=st.data())
def test_extensions_in_json_are_what_json_format_writes_and_reads(
    modules: Modules, engine: Engine, data: st.DataObject
) -> None:
    original = modules.pb.Box(label="box")
    fill_extensions(original, modules, data)
    box = engine.decode(original.SerializeToString() + OTHER, modules.ddl.Box)  # OTHER: no JSON form
    options = data.draw(JSON_OPTIONS)
    theirs = json_format.MessageToJson(original, **options)
    ours = ddl.to_json(box, **options)
    assert json.loads(ours) == json.loads(theirs)
    assert json_format.Parse(ours, modules.pb.Box()) == original
    assert modules.pb.Box.FromString(engine.encode(ddl.from_json(theirs, modules.ddl.Box))) == original


def test_proto2_string_extensions_keep_bytes_that_are_not_utf8_as_protobuf_does(
    modules: Modules, engine: Engine
) -> None:
    wire = ld(101, b"\xff\xfe") + ld(106, b"ok") + ld(106, b"\xc3")  # owner, then two tags
    assert modules.pb.Box.FromString(wire).SerializeToString() == wire  # protobuf takes them unchecked
    box = engine.decode(wire, modules.ddl.Box)
    assert modules.ddl.owner.get(box) == "\udcff\udcfe" and modules.ddl.tags.get(box) == ["ok", "\udcc3"]
    rebuilt = modules.ddl.Box()
    modules.ddl.owner.set(rebuilt, modules.ddl.owner.get(box))
    modules.ddl.tags.set(rebuilt, modules.ddl.tags.get(box))
    assert engine.encode(rebuilt) == wire
    checked = ddl.Extension("ddlext.checked_owner", modules.ddl.Box, 101, str)  # verify_utf8 by default
    with pytest.raises(ddl.DecodeError, match=r"^invalid UTF-8 .* at \$\.\[ddlext\.checked_owner\]$"):
        checked.get(box)


def test_long_names_wrap_and_messageset_extensions_are_skipped_with_a_note(tmp_path: Path) -> None:
    long = "a_rather_long_extension_name_that_needs_wrapping"
    (tmp_path / "wide.proto").write_text(
        'syntax = "proto2";\n'
        "package wide.package_with_a_long_name;\n"
        "message TheExtendableMessageWithAVeryLongName { extensions 100 to max; }\n"
        "message Set { option message_set_wire_format = true; extensions 4 to max; }\n"
        "message TheValueMessageWithAnotherVeryLongName {\n"
        f"  extend TheExtendableMessageWithAVeryLongName {{ optional TheValueMessageWithAnotherVeryLongName {long} = 100; }}\n"  # noqa: E501
        "  extend Set { optional TheValueMessageWithAnotherVeryLongName item = 5; }\n"
        "}\n"
        f"extend TheExtendableMessageWithAVeryLongName {{ repeated TheValueMessageWithAnotherVeryLongName {long}s = 101; }}\n"  # noqa: E501
    )
    out = tmp_path / "out"
    result = generate([tmp_path / "wide.proto"], [tmp_path], out)
    assert result.notes == [
        "wide.proto:7:16: note: extension 'item' of a MessageSet skipped (ddl has no MessageSet wire format): "
        "ddl gen does not generate it"
    ]
    done = ruff_check(out)
    assert done.returncode == 0, done.stdout + done.stderr
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "wide_ddl.py"],
        cwd=out, env={"MYPYPATH": str(ROOT), "PATH": ""}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr
    sys.path.insert(0, str(out))
    try:
        import wide_ddl  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(out))
        sys.modules.pop("wide_ddl", None)
    value = wide_ddl.TheValueMessageWithAnotherVeryLongName
    assert getattr(value, long).number == 100 and getattr(wide_ddl, f"{long}s").repeated
    assert "item" not in vars(value)
