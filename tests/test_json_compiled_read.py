"""The compiled JSON reader (ddl/_cy/json_read.pxi) against the Python one.

``ddl.from_json`` on the compiled engine reads the text in C and bails to the Python reader on
anything unusual, so on every text, valid or not, both engines give the same value (same types,
float signs and containers) or the same error (same type, message and offset). The texts here
are the ones the C path reads itself, every JSON spelling a value may take, random schemas'
JSON, and random damage to it: truncations at every offset, edits, deep nesting.
"""

from __future__ import annotations

import base64
import enum
import gc
import json
import random
import re
import subprocess
import sys
import sysconfig
from array import array
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ddl
from benches import workloads
from benches.adapters import ddl_adapter
from benches.workloads import WORKLOADS
from ddl import _compiled
from ddl._json._read_values import to_bytes
from ddl._limits import DEFAULT_MAX_DEPTH, GC_PAUSE_BYTES
from tests.conftest import python_calls_of
from tests.strategies import schemas
from tests.test_compiled_api import build_probe
from tests.test_json_numbers import FIXED_TEXTS, bits, random_number_texts
from tests.test_json_read_differential import assert_same

pytestmark = pytest.mark.skipif(_compiled.speedups is None, reason="the compiled engine is not built")


class Color(enum.IntEnum):
    COLOR_UNSPECIFIED = 0
    RED = 1
    GREEN = 2


class Shade(ddl.ClosedEnum):
    DARK = 1
    LIGHT = 2


class Leaf(ddl.Message):
    n: ddl.int32 = 0
    tags: list[str] = ddl.field(default_factory=list)


class Kinds(ddl.Message):
    i32: ddl.int32 = 0
    i64: int = 0
    u32: ddl.uint32 = 0
    u64: ddl.uint64 = 0
    s32: ddl.sint32 = 0
    f64x: ddl.fixed64 = 0
    f32: ddl.float32 = 0.0
    f64: float = 0.0
    flag: bool = False
    text: str = ""
    blob: bytes = b""
    color: Color = Color.COLOR_UNSPECIFIED
    shade: Shade | None = None
    leaf: Leaf | None = None
    plain_leaf: Leaf = ddl.field(default_factory=Leaf)
    leaves: list[Leaf] = ddl.field(default_factory=list)
    ids: tuple[int, ...] = ()
    names: frozenset[str] = frozenset()
    colors: set[Color] = ddl.field(default_factory=set)
    by_name: dict[str, Leaf] = ddl.field(default_factory=dict)
    by_id: dict[ddl.int32, str] = ddl.field(default_factory=dict)
    by_big: dict[ddl.uint64, float] = ddl.field(default_factory=dict)
    by_flag: dict[bool, Color] = ddl.field(default_factory=dict)
    maybe: int | None = None
    pay: int | str | None = None
    card: str | None = ddl.field(default=None, oneof="method")
    cash: ddl.int32 | None = ddl.field(default=None, oneof="method")


class Tree(ddl.Message):
    value: ddl.int32 = 0
    children: list[Tree] = ddl.field(default_factory=list)


@contextmanager
def engine_on(compiled: bool) -> Iterator[None]:
    before = _compiled.state.compiled
    _compiled.state.compiled = compiled
    try:
        yield
    finally:
        _compiled.state.compiled = before


def outcome(text: str | bytes, cls: type, compiled: bool, **options: Any) -> Any:
    """What ddl.from_json gives on one engine: ("value", message) or ("error", type, message, offset)."""
    with engine_on(compiled):
        try:
            return ("value", ddl.from_json(text, cls, **options))
        except (ddl.DecodeError, TypeError) as e:
            return ("error", type(e), str(e), getattr(e, "offset", None))


def assert_engines_agree(text: str | bytes, cls: type, **options: Any) -> Any:
    """Both engines read ``text`` (and its other form, bytes or str) alike; the outcome."""
    forms = [text]
    if isinstance(text, str):
        with suppress(UnicodeEncodeError):  # a lone surrogate has no bytes form
            forms.append(text.encode("utf-8"))
    for form in forms:
        python = outcome(form, cls, False, **options)
        compiled = outcome(form, cls, True, **options)
        assert python[0] == compiled[0], f"{form!r}: {python} != {compiled}"
        if python[0] == "value":
            assert_same(python[1], compiled[1])
        else:
            assert python == compiled
    return python


def read_in_c(text: str | bytes, cls: type) -> Any:
    """The compiled reader alone: the message, or None where it leaves the text to Python."""
    assert _compiled.speedups is not None
    return _compiled.speedups.json_read(text, cls)


def read_in_c_as_python(text: str | bytes, cls: type) -> Any:
    """The message the compiled reader makes of ``text`` itself, which both engines agree on."""
    read = read_in_c(text, cls)
    assert read is not None
    kind, reference = assert_engines_agree(text, cls)
    assert kind == "value"
    assert_same(reference, read)
    return read


EVERY_FORM = (
    '{"i32": 1, "i64": "-9223372036854775808", "u32": 4294967295, "u64": "18446744073709551615", "s32": -2147483648,'
    ' "f64x": "0", "f32": 0.1, "f64": -0.0, "flag": true, "text": "a\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00 é",'
    ' "blob": "SGk_-w", "color": "GREEN", "shade": "LIGHT", "leaf": {"n": 3, "tags": ["x", ""]},'
    ' "plainLeaf": {}, "leaves": [{}, {"n": -1}], "ids": [1, "2", -0], "names": ["a", "b"], "colors": ["RED", 2],'
    ' "byName": {"k\\u00e9": {"n": 1}}, "byId": {"-5": "x", "7": ""}, "byBig": {"18446744073709551615": 1e300},'
    ' "byFlag": {"true": 1, "false": "RED"}, "maybe": 0, "payString": "p", "cash": 5}'
)


def test_the_c_path_reads_every_form_it_takes_as_the_python_path_does() -> None:
    assert read_in_c(EVERY_FORM, Kinds) is not None
    assert read_in_c(EVERY_FORM.encode(), Kinds) is not None
    assert assert_engines_agree(EVERY_FORM, Kinds)[0] == "value"


def test_the_engine_switch_turns_the_compiled_json_entry_points_off_and_on() -> None:
    # ddl.to_json, ddl.from_json and ddl.Decoder's from_json are compiled entry points, which keep their own copy of
    # the switch the tests turn (ddl._compiled.state): they run Python code only while it is off.
    msg = Leaf(n=3, tags=["a"])
    text = ddl.to_json(msg)
    decoder = ddl.Decoder(Leaf)
    for compiled in (False, True, False, True):
        with engine_on(compiled):
            assert (python_calls_of(ddl.to_json, msg) == 0) is compiled
            assert (python_calls_of(ddl.from_json, text, Leaf) == 0) is compiled
            assert (python_calls_of(decoder.from_json, text) == 0) is compiled


@pytest.mark.parametrize("workload", [w for w in WORKLOADS if w not in ddl_adapter.UNSUPPORTED])
def test_the_benchmark_workloads_read_in_c_as_in_python(workload: str) -> None:
    built = ddl_adapter.make(workload, workloads.build(workload, reduced=True)).obj
    msg = ddl.decode(ddl.encode(built), type(built))  # as decoded: the adapter may give an enum field an int
    text = ddl.to_json(msg)
    assert read_in_c(text, type(msg)) is not None
    assert_same(msg, assert_engines_agree(text, type(msg))[1])


def test_proto_names_and_absent_fields_read_in_c_with_the_binary_decoders_fills() -> None:
    text = '{"plain_leaf": {"n": 2}, "by_name": {}, "leaf": null, "ids": null}'
    msg = read_in_c(text, Kinds)
    assert msg is not None
    assert_same(ddl.decode(ddl.encode(Kinds(plain_leaf=Leaf(n=2))), Kinds), msg)
    assert assert_engines_agree(text, Kinds)[0] == "value"


@pytest.mark.parametrize(
    "text",
    [
        # numbers at and past each kind's range, and forms only the Python path reads
        '{"i32": 2147483647}', '{"i32": 2147483648}', '{"i32": -2147483649}', '{"i32": "12"}', '{"i32": 1.0}',
        '{"i32": 1e3}', '{"i32": "1e3"}', '{"i32": " 1"}', '{"i32": "01"}', '{"i32": 01}', '{"i32": -}',
        '{"i32": true}', '{"u32": -1}', '{"u32": "-0"}', '{"u64": 18446744073709551616}', '{"u64": "-1"}',
        '{"i64": "9223372036854775808"}', '{"i64": 9223372036854775807}', '{"i64": "1.5"}', '{"s32": "-2147483648"}',
        '{"f64": 1}', '{"f64": -0}', '{"f64": 1e400}', '{"f64": "1.5"}', '{"f64": "NaN"}', '{"f64": 1.}',
        '{"f64": .5}', '{"f64": 1e}', '{"f64": 123456789012345678901234567890}', '{"f32": 3.4028234663852886e38}',
        '{"f32": 3.4028235e38}', '{"f32": 1e39}', '{"f32": -0.0}', '{"f32": 16777217}', '{"f32": 1e-50}',
        # strings and their escapes
        '{"text": "\\ud800"}', '{"text": "\\udc00\\ud800"}', '{"text": "\\ud83d\\u0041"}', '{"text": "\\x"}',
        '{"text": "\\u12G4"}', '{"text": "tab\there"}', '{"text": "\\u0000"}', '{"text": 5}', '{"text": "é"}',
        # bytes
        '{"blob": ""}', '{"blob": "QQ"}', '{"blob": "QQ=="}', '{"blob": "QQ="}', '{"blob": "Q"}', '{"blob": "QR=="}',
        '{"blob": "QUJD="}', '{"blob": "Q===" }', '{"blob": "=QQ"}', '{"blob": "Q Q"}', '{"blob": "QQ\\u003d\\u003d"}',
        # enums
        '{"color": 1}', '{"color": 7}', '{"color": "BLUE"}', '{"color": "1"}', '{"color": 2147483648}',
        '{"shade": 3}', '{"shade": 1}', '{"color": "RED", "colors": [null]}',
        # keys: both spellings, twice, escaped, unknown
        '{"plainLeaf": {}, "plain_leaf": {}}', '{"plainLeaf": null, "plain_leaf": {}}', '{"i32": 1, "i32": 2}',
        '{"i\\u0033\\u0032": 1}', '{"nope": 1}', '{"": 1}', '{"i32" 1}', '{i32: 1}',
        # oneofs and ddl.field(oneof=...) groups
        '{"payInt64": 1, "payString": "x"}', '{"payInt64": null, "payString": "x"}', '{"card": "c", "cash": 1}',
        '{"card": null, "cash": 1}', '{"pay_int64": 3}',
        # maps
        '{"byId": {"-0": "a", "0": "b"}}', '{"byId": {"1": "a", "1": "b"}}', '{"byId": {"x": "a"}}',
        '{"byId": {"1.0": "a"}}', '{"byFlag": {"True": 1}}', '{"byName": {"a": null}}', '{"byId": []}',
        '{"byName": {"\\ud800": {}}}', '{"byBig": {"-1": 1}}',
        # structure
        "", " ", "{", "}", "[]", "null", '{"i32": 1,}', '{,}', '{"leaves": [,]}', '{"leaves": [{},]}',
        '{"leaves": [null]}', '{"leaves": {}}', '{"leaf": []}', "{} {}", "{}x", "\ufeff{}", "{}\x00",
        '{"text": "a"\x00}', " \t\r\n{ \t\r\n} \t\r\n", "\x0c{}", '{"ids": [1 2]}',
    ],
)  # fmt: skip
def test_each_spelling_reads_alike_on_both_engines(text: str) -> None:
    assert_engines_agree(text, Kinds)
    assert_engines_agree(text, Kinds, ignore_unknown_fields=True)


def test_invalid_utf8_bytes_read_alike() -> None:
    for raw in (b'{"text": "\xff"}', b'{"text": "\xc3"}', b'{"text": "\xed\xa0\x80"}', b'{"\xff": 1}', b"{\xff}"):
        assert_engines_agree(raw, Kinds)


def nested(depth: int) -> str:
    return '{"children": [' * depth + '{"value": 1}' + "]}" * depth


@pytest.mark.parametrize("depth", [0, 1, 50, 99, 100, 101, 1500])
def test_deep_nesting_reads_alike_and_the_c_path_stops_at_the_depth_limit(depth: int) -> None:
    assert_engines_agree(nested(depth), Tree)
    assert (read_in_c(nested(depth), Tree) is not None) == (depth <= DEFAULT_MAX_DEPTH)


def test_text_cut_at_every_offset_reads_alike() -> None:
    text = EVERY_FORM
    for end in range(len(text) + 1):
        assert_engines_agree(text[:end], Kinds)
    raw = text.encode()
    for end in range(len(raw) + 1):
        assert_engines_agree(raw[:end], Kinds)


PIECES = ["null", '"x"', "1e3", "-0", '"\\ud800"', "{", "}", "[", "]", ",", ":", " ", '"1"', "true", "\\", '"', "é"]


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_damaged_text_reads_alike(data: st.DataObject) -> None:
    text = EVERY_FORM
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 4))
        piece = data.draw(st.sampled_from(["", *PIECES]))
        text = text[:at] + piece + text[at + cut :]
    assert_engines_agree(text, Kinds)


@settings(max_examples=150, deadline=None)
@given(schema=schemas(proto2=True), data=st.data(), options=st.sampled_from(list(range(8))))
def test_random_schemas_json_reads_alike(schema: Any, data: st.DataObject, options: int) -> None:
    value = data.draw(schema.values())
    try:
        text = ddl.to_json(
            value,
            preserving_proto_field_name=bool(options & 1),
            use_integers_for_enums=bool(options & 2),
            always_print_fields_with_no_presence=bool(options & 4),
        )
    except ddl.EncodeError:
        return  # no JSON form (a NaN in a Value): nothing to read
    assert_engines_agree(text, schema.root)
    # The same JSON spelled otherwise: every non-ASCII character and surrogate pair escaped.
    assert_engines_agree(json.dumps(json.loads(text), ensure_ascii=True, indent=1), schema.root)
    cut = data.draw(st.integers(0, len(text)))
    assert_engines_agree(text[:cut], schema.root)


def test_a_collection_that_runs_python_code_mid_read_cannot_crash_it() -> None:
    """A GC callback (as a finalizer could) finds half-read messages and changes their fields."""
    seen = []

    def meddle(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            for obj in gc.get_objects():
                if type(obj) is Kinds or type(obj) is Leaf:
                    seen.append(obj)
                    setattr(obj, "leaves" if type(obj) is Kinds else "tags", None)

    thresholds = gc.get_threshold()
    gc.callbacks.append(meddle)
    gc.set_threshold(1, 1, 1)
    try:
        for _ in range(20):
            outcome(EVERY_FORM, Kinds, True)
    finally:
        gc.set_threshold(*thresholds)
        gc.callbacks.remove(meddle)
    assert seen  # collections ran while messages were read


class Loud(enum.IntEnum):
    """An enum whose __hash__ (run when a set of it is built, mid-read) changes every Holder."""

    QUIET = 0
    LOUD = 1

    def __hash__(self) -> int:
        for obj in gc.get_objects():
            if type(obj) is Holder:
                obj.bag = None
                obj.name = 7  # a wrong type, as a meddler may set
        return int(self)


class Holder(ddl.Message):
    name: str = ""
    bag: set[Loud] = ddl.field(default_factory=set)
    more: list[Holder] = ddl.field(default_factory=list)


def test_an_enum_hash_that_changes_the_messages_being_read_cannot_crash_it() -> None:
    text = '{"name": "a", "bag": ["LOUD", 0], "more": [{"bag": [1]}, {"name": "b", "bag": ["QUIET"]}]}'
    for _ in range(20):
        msg = read_in_c(text, Holder)
        assert type(msg) is Holder
        assert msg.name in ("a", 7)  # changed, or not, by a later hash: never a freed object
        assert msg.bag is None or msg.bag == {Loud.LOUD, Loud.QUIET}


# Strings: the C scan tests 16 bytes a step for a quote, a backslash, a control character and
# a byte above ASCII, then finishes byte by byte; ASCII bodies are copied, short ones shared.
SPECIALS = ['\\"', "\\\\", "\\n", "\\u00e9", "é", "😀", "\x01", "\x7f"]


@pytest.mark.parametrize("special", SPECIALS)
def test_a_string_reads_alike_wherever_its_escape_or_wide_character_falls(special: str) -> None:
    for size in range(34):
        for at in range(size + 1):
            body = "a" * at + special + "b" * (size - at)
            for pad in ("", " " * 7):  # moves the body across the 16-byte steps
                text = '{"text":' + pad + '"' + body + '"}'
                result = assert_engines_agree(text, Kinds)
                if special != "\x01":  # a raw control character is invalid JSON
                    assert result[1].text == json.loads('"' + body + '"')
                    assert read_in_c(text, Kinds) is not None


def test_plain_strings_of_every_length_read_in_c_as_their_text() -> None:
    for size in range(70):
        for body in ("x" * size, "é" * size, "ab" * (size // 2) + "\u4e2d" * (size % 3)):
            text = '{"text": "' + body + '", "names": ["' + body + '", "' + body + '"]}'
            msg = read_in_c(text, Kinds)
            assert msg is not None
            assert msg.text == body and msg.names == {body}
            assert_engines_agree(text, Kinds)


def test_ascii_strings_alike_at_both_ends_read_as_their_own_text() -> None:
    """Short strings and ASCII ones of up to 64 bytes are shared from one read to the next,
    found by their length and their first and last bytes: strings that differ only between
    those, as values or as map keys, each read as themselves."""
    for size in range(3, 70):
        bodies = ["<" * (size // 2 - 1) + middle + ">" * (size - size // 2) for middle in "abc"]
        tags = bodies + bodies[::-1]
        text = json.dumps({"leaf": {"tags": tags}, "byName": {body: {"n": n} for n, body in enumerate(bodies)}})
        for _ in range(2):
            msg = read_in_c(text, Kinds)
            assert msg is not None
            assert msg.leaf.tags == tags
            assert msg.by_name == {body: Leaf(n=n) for n, body in enumerate(bodies)}


def test_an_unclosed_string_at_any_length_reads_alike() -> None:
    for size in range(40):
        assert_engines_agree('{"text": "' + "a" * size, Kinds)
        assert_engines_agree('{"text": "' + "a" * size + "\\", Kinds)


# Keys: a key is compared with each field's names as words (two overlapping up to 16 bytes, then a loop).
NAMES = ["a" * size for size in range(1, 34)]
Named = type("Named", (ddl.Message,), {"__annotations__": dict.fromkeys(NAMES, ddl.int32), **dict.fromkeys(NAMES, 0)})


def test_a_key_reads_only_its_own_field_whatever_its_length() -> None:
    for name in NAMES:
        msg = read_in_c('{"' + name + '": 7}', Named)
        assert msg is not None
        assert [getattr(msg, other) for other in NAMES] == [7 if other == name else 0 for other in NAMES]
        for at in range(len(name)):  # one byte off, anywhere: an unknown key, which bails
            key = name[:at] + "b" + name[at + 1 :]
            assert read_in_c('{"' + key + '": 7}', Named) is None
            assert_engines_agree('{"' + key + '": 7}', Named)
            assert_engines_agree('{"' + key + '": 7}', Named, ignore_unknown_fields=True)


def test_keys_out_of_field_order_read_in_c() -> None:
    given = NAMES[1::3]
    text = '{"' + '": 1, "'.join(reversed(given)) + '": 1, "a": 2}'
    msg = read_in_c(text, Named)
    assert msg is not None
    assert [getattr(msg, name) for name in NAMES] == [2 if name == "a" else int(name in given) for name in NAMES]


class OddNames(ddl.Message):
    quoted: int = ddl.field(default=0, json_name='a"b')
    escaped: int = ddl.field(default=0, json_name="c\\d")
    control: int = ddl.field(default=0, json_name="e\nf")


@pytest.mark.parametrize(
    "text",
    ['{"a\\"b": 1}', '{"a"b": 1}', '{"c\\\\d": 1}', '{"c\\d": 1}', '{"e\\nf": 1}', '{"e\nf": 1}', '{"quoted": 1}'],
)
def test_a_json_name_that_needs_escapes_is_left_to_the_python_reader(text: str) -> None:
    """The C reader matches the expected key's name in the text before scanning it, which only
    holds for names a key spells without escapes: a class with another name is read in Python."""
    assert read_in_c(text, OddNames) is None
    assert_engines_agree(text, OddNames)


@pytest.mark.parametrize("size", [0, 1, 63, 64, 65, 200, 1000])
def test_arrays_of_every_size_read_in_c_into_their_containers(size: int) -> None:
    """An array's elements wait on one stack until it closes, an inner array's above its outer
    one's: arrays of every size, nested in arrays, each in its own container."""
    tags = [f"t{i}" for i in range(size)]
    colors = [Color.RED, Color.GREEN][: size % 3]
    value = {
        "leaves": [{"n": i, "tags": tags[: i + 1]} for i in range(size)],
        "ids": list(range(size)),
        "names": tags,
        "colors": [color.name for color in colors],
    }
    text = json.dumps(value)
    msg = read_in_c(text, Kinds)
    assert msg is not None
    assert msg.leaves == [Leaf(n=i, tags=tags[: i + 1]) for i in range(size)]
    assert msg.ids == tuple(range(size))
    assert msg.names == frozenset(tags)
    assert msg.colors == set(colors)
    assert_engines_agree(text, Kinds)


class Vectors(ddl.Message):
    f32: ddl.Vector[ddl.float32] = array("f")
    f64: ddl.Vector[float] = array("d")


@pytest.mark.parametrize("size", [0, 1, 255, 256, 257, 511, 512, 513, 1500])
def test_a_vector_of_floats_reads_in_c_into_its_array_at_every_size(size: int) -> None:
    values = [(-1) ** i * i / 7 for i in range(size)]
    text = json.dumps({"f32": values, "f64": values})
    msg = read_in_c(text, Vectors)
    assert msg is not None
    assert msg.f32 == array("f", values) and msg.f64 == array("d", values)
    assert_engines_agree(text, Vectors)


@pytest.mark.parametrize(
    "elements",
    ["", "1", "-0", "-0.0", "1e-50", "3.4028235e38", "3.4028234663852886e38", "1e39", "1e400", "16777217",
     "0.1, 0.2", "1,", ", 1", "1 2", "null", '"1.5"', "true", "[1]", "1.", "-"],
)  # fmt: skip
def test_each_vector_element_spelling_reads_alike(elements: str) -> None:
    for field in ("f32", "f64"):
        assert_engines_agree('{"' + field + '": [' + elements + "]}", Vectors)


# Integer vectors: each kind's range, and the typecode whose items hold it.
INT_KINDS = {
    "i32": (ddl.int32, "i", -(2**31), 2**31 - 1),
    "s32": (ddl.sint32, "i", -(2**31), 2**31 - 1),
    "sf32": (ddl.sfixed32, "i", -(2**31), 2**31 - 1),
    "u32": (ddl.uint32, "I", 0, 2**32 - 1),
    "f32": (ddl.fixed32, "I", 0, 2**32 - 1),
    "i64": (int, "q", -(2**63), 2**63 - 1),
    "s64": (ddl.sint64, "q", -(2**63), 2**63 - 1),
    "sf64": (ddl.sfixed64, "q", -(2**63), 2**63 - 1),
    "u64": (ddl.uint64, "Q", 0, 2**64 - 1),
    "f64": (ddl.fixed64, "Q", 0, 2**64 - 1),
}
IntVectors = type(
    "IntVectors",
    (ddl.Message,),
    {
        "__annotations__": {name: ddl.Vector[kind] for name, (kind, _, _, _) in INT_KINDS.items()},  # type: ignore[valid-type]
        **{name: array(code) for name, (_, code, _, _) in INT_KINDS.items()},
    },
)


def int_edges(lo: int, hi: int) -> list[int]:
    """The ends of lo..hi, its values nearest zero, and the 32-bit ends within it."""
    return sorted(v for v in {lo, lo + 1, -(2**31), -1, 0, 1, 2**31 - 1, 2**32 - 1, hi - 1, hi} if lo <= v <= hi)


@pytest.mark.parametrize("name", INT_KINDS)
def test_an_int_vector_reads_in_c_at_each_edge_of_its_kind_quoted_or_not(name: str) -> None:
    _, code, lo, hi = INT_KINDS[name]
    values = int_edges(lo, hi)
    for elements in (", ".join(map(str, values)), ", ".join(f'"{v}"' for v in values)):
        text = '{"' + name + '": [' + elements + "]}"
        msg = read_in_c(text, IntVectors)
        assert msg is not None
        assert getattr(msg, name) == array(code, values)
        assert_engines_agree(text, IntVectors)


@pytest.mark.parametrize("size", [0, 1, 255, 256, 257, 511, 512, 513, 1500])
def test_an_int_vector_reads_in_c_into_its_array_at_every_size(size: int) -> None:
    values = {name: [(-1 if lo and i % 2 else 1) * (i * 7919**3 % hi) for i in range(size)]
              for name, (_, _, lo, hi) in INT_KINDS.items()}  # fmt: skip
    text = json.dumps(values)
    msg = read_in_c(text, IntVectors)
    assert msg is not None
    for name, (_, code, _, _) in INT_KINDS.items():
        assert getattr(msg, name) == array(code, values[name])
    assert_engines_agree(text, IntVectors)


@pytest.mark.parametrize("name", INT_KINDS)
def test_an_int_vector_element_out_of_range_or_not_a_plain_integer_bails_to_the_python_error(name: str) -> None:
    _, _, lo, hi = INT_KINDS[name]
    bad = [str(lo - 1), str(hi + 1), f'"{lo - 1}"', f'"{hi + 1}"', str(2**64), "1.5", "1.0", "1e3", '"1e3"',
           '" 1"', '"1 "', '""', '"-"', "null", "true", '"abc"', "[1]", "{}", "01", "-", "1,", ", 1"]  # fmt: skip
    for element in bad:
        for elements in (element, "1, " + element, element + ", 2"):
            text = '{"' + name + '": [' + elements + "]}"
            assert read_in_c(text, IntVectors) is None, text
            assert_engines_agree(text, IntVectors)


def big_text() -> str:
    """A text of thousands of objects, past the size whose read pauses the GC."""
    text = '{"children": [' + ", ".join(['{"value": 1, "children": [{}, {}]}'] * 2000) + "]}"
    assert len(text) > GC_PAUSE_BYTES
    return text


def collections_during(read: Any) -> int:
    """How many collections begin during ``read()`` when every allocation could start one."""
    starts = []

    def count(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            starts.append(info)

    thresholds = gc.get_threshold()
    gc.callbacks.append(count)
    gc.set_threshold(1, 1, 1)
    try:
        read()
    finally:
        gc.set_threshold(*thresholds)
        gc.callbacks.remove(count)
    assert gc.get_threshold() == thresholds
    return len(starts)


def test_a_large_read_in_c_pauses_collections_and_restores_the_threshold() -> None:
    """With a threshold of 1, each new tracked object could start a collection. A large read
    lets a few start around the pause, none while its 6,000 objects are made; a small read,
    which does not pause, lets many start (up to 3.11)."""
    thresholds = gc.get_threshold()
    text, bailing, small = big_text(), big_text()[:-1] + ', "nope": 1}', nested(40)
    # The Python code that begins and ends the pause allocates a few objects, and each can start
    # one: 2 measured alone, 5 under the debug allocator (PYTHONMALLOC=debug, after other tests
    # in the same worker), 7 with coverage's tracer. Without the pause it would be thousands.
    most = 20
    assert read_in_c(small, Tree) is not None  # Tree's Program is built on first use, beforehand
    assert collections_during(lambda: read_in_c(text, Tree)) <= most
    # ... when it bails at the last key too, and so leaves the text to the Python reader
    assert collections_during(lambda: read_in_c(bailing, Tree)) <= most
    assert gc.get_threshold() == thresholds
    if sys.version_info < (3, 12):
        # Up to 3.11 a collection starts at the allocation that crosses the threshold, in C code
        # too; 3.12 defers it to the interpreter's next check between bytecodes.
        assert collections_during(lambda: read_in_c(small, Tree)) > 10


SCAN_PROBE = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ddl_json_read.h"

static size_t unhex(const char* h, unsigned char* out) {
    size_t n = 0;
    unsigned v;
    while (h[0] && h[0] != ' ' && h[0] != '\n' && sscanf(h, "%2x", &v) == 1) {
        out[n++] = (unsigned char)v;
        h += 2;
    }
    return n;
}

int main(void) {
    static char line[4096];
    static unsigned char a[2048], b[2048];
    (void)ddl_json_unescape;  /* the headers' other functions, unused here */
    (void)ddl_base64;
    while (fgets(line, sizeof line, stdin)) {
        if (line[0] == 's') {  /* "s HEX": where the string body ends, and its flags */
            size_t n = unhex(line + 2, a);
            unsigned char* body = malloc(n + 1);  /* exactly the body, and a NUL as str has */
            int flags = -1;
            memcpy(body, a, n);
            body[n] = 0;
            Py_ssize_t end = ddl_json_string_end(body, 0, (Py_ssize_t)n, &flags);
            printf("%d %d\n", (int)end, end < 0 ? 0 : flags);
            free(body);
        } else if (line[0] == 'd') {  /* "d HEX": a number token read as a double */
            size_t n = unhex(line + 2, a);
            int integral = -1, decided = -1;
            double d = 0.0;
            uint64_t bits;
            Py_ssize_t end = ddl_json_read_double(a, 0, (Py_ssize_t)n, &integral, &decided, &d);
            memcpy(&bits, &d, 8);
            if (end < 0) puts("-1");
            else printf("%d %d %d %016llx\n", (int)end, integral, decided, decided ? (unsigned long long)bits : 0ULL);
        } else if (line[0] == 'i') {  /* "i HEX": a plain integer */
            size_t n = unhex(line + 2, a);
            int negative = -1;
            uint64_t m = 0;
            Py_ssize_t end = ddl_json_read_integer(a, 0, (Py_ssize_t)n, &negative, &m);
            if (end < 0) puts("-1");
            else printf("%d %d %llu\n", (int)end, negative, (unsigned long long)m);
        } else if (line[0] == 'b') {  /* "b HEX": base64 decoded (ddl_base64.h, included by the header) */
            size_t n = unhex(line + 2, a);
            unsigned char* text = malloc(n + 1);  /* exactly the text: a read past it is caught */
            memcpy(text, a, n);
            ptrdiff_t m = ddl_base64_decode(text, (ptrdiff_t)n, b);
            if (m < 0) puts("-1");
            for (ptrdiff_t k = 0; k < m; k++) printf("%02x", b[k]);
            if (m >= 0) puts("");
            free(text);
        } else {  /* "k HEX HEX": whether two keys of one length are the same */
            char* second = strchr(line + 2, ' ');
            size_t n = unhex(line + 2, a);
            unhex(second + 1, b);
            printf("%d\n", ddl_json_same(a, b, (Py_ssize_t)n));
        }
    }
    return 0;
}
"""


def number_read(text: str) -> str:
    """What ddl_json_read_double gives for a text that starts with a number token: its end,
    whether it is an integer, and its double when decided ("-1" when no token is there)."""
    m = re.match(r"-?(0|[1-9][0-9]*)", text)
    if m is None:
        return "-1"
    end = m.end()
    for leaders, part in ((".", r"\.[0-9]+"), ("eE", r"[eE][+-]?[0-9]+")):
        if text[end : end + 1] and text[end] in leaders:  # the part begins: then it must be whole
            m = re.compile(part).match(text, end)
            if m is None:
                return "-1"
            end = m.end()
    token = text[:end]
    return f"{end} {int(token.lstrip('-').isdigit())} ? {bits(float(token)):016x}"


def number_texts() -> list[str]:
    """Number tokens of every shape, some cut short or followed by more text; and significant
    digits of every count, after leading zeros of every count, where eight are read at once."""
    rng = random.Random(3)
    texts = random_number_texts(6000, seed=43) + FIXED_TEXTS
    for size in range(1, 26):
        digits = "".join(rng.choice("0123456789") for _ in range(size - 1)) + "7"
        for zeros in range(10):
            zeroed = "0" * zeros
            texts += ["0." + zeroed + digits, digits + "." + zeroed + digits, "-" + digits + "e-" + str(zeros)]
    texts += ["-", "1.", "1.e5", "1e", "1e+", ".5", "01", "-01.5", "1.5e", "x", "", "0x10", "12345678.9abc", "1" * 30]
    # the suffixes also hold the bytes around the digits, below '0', above '9' and above ASCII,
    # which the test of eight bytes at once for digits tells apart
    suffixes = (",", "]", " ", "}", "99999999,", "e7", ".", "/", ":", "é9", "\x7f1", "\x001")
    return texts + [text + suffix for text in texts[::7] for suffix in suffixes]


def integer_read(text: str) -> str:
    """What ddl_json_read_integer gives for a text: the plain integer's end, sign and
    magnitude, or "-1" (none, one that goes on as a fraction or exponent, or 2**64 or more)."""
    m = re.match(r"(-?)(0|[1-9][0-9]*)", text)
    if m is None or text[m.end() : m.end() + 1] in (".", "e", "E") or int(m[2]) >= 2**64:
        return "-1"
    return f"{m.end()} {int(bool(m[1]))} {int(m[2])}"


def integer_texts() -> list[str]:
    texts = [str(2**64 + k) for k in range(-3, 3)] + [str(10**k + j) for k in range(25) for j in (-1, 0, 1)]
    rng = random.Random(8)
    texts += [str(rng.getrandbits(rng.randrange(1, 70))) for _ in range(2000)]
    texts += ["-" + t for t in texts[::3]] + ["-0", "00", "-", "", "+1", "0.5", "1e3", "12E", "7."]
    return texts + [
        t + suffix for t in texts[::5] for suffix in (",", '"', " ", "x", ".5", "e1", "/", ":", "é9", "\x001")
    ]


def base64_texts() -> list[bytes]:
    """Base64 as ddl writes it and as other writers do (URL-safe, unpadded, mixed), of every
    length around the groups of four, and the same broken: a character of neither alphabet,
    "=" inside, too much padding, a length that leaves one character over."""
    rng = random.Random(9)
    texts = []
    for size in range(40):
        raw = rng.randbytes(size)
        padded, urlsafe = base64.b64encode(raw), base64.urlsafe_b64encode(raw)
        texts += [padded, padded.rstrip(b"="), urlsafe, urlsafe.rstrip(b"=")]
        half = size // 2
        texts += [padded + b"=", padded.rstrip(b"=") + b"A", b"=" + padded, padded[:half] + b"=" + padded[half:]]
        texts += [padded[:at] + bytes([bad]) + padded[at + 1 :] for at in range(len(padded)) for bad in b"*.\x80 "]
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_=="
    return texts + [bytes(rng.choices(alphabet, k=rng.randrange(30))) for _ in range(3000)]


def base64_read(text: bytes) -> str:
    """What ddl_base64_decode gives for ``text``: the bytes ddl's Python reader reads from it, in
    hex, or "-1" where that reader refuses it."""
    try:
        return to_bytes(text.decode("latin-1")).hex()
    except ValueError:
        return "-1"


def string_end(body: bytes) -> tuple[int, int]:
    """What ddl_json_string_end gives for ``body``: the closing quote's index and the flags
    (1: an escape, 2: a byte above ASCII outside escapes), or (-1, 0)."""
    flags = i = 0
    while i < len(body):
        c = body[i]
        if c == ord('"'):
            return i, flags
        if c < 0x20:
            return -1, 0
        if c == ord("\\"):
            flags |= 1
            i += 1
        elif c >= 0x80:
            flags |= 2
        i += 1
    return -1, 0


@pytest.mark.parametrize("defines", [[], ["-DDDL_NO_BUILTINS"]], ids=["builtins", "portable"])
def test_the_scans_of_strings_keys_and_numbers_in_the_header_alone(tmp_path: Path, defines: list[str]) -> None:
    python = ["-I" + sysconfig.get_paths()["include"], "-D_POSIX_C_SOURCE=200809L"]  # Python.h's needs
    program = build_probe(tmp_path, "ddl_json_read.h", SCAN_PROBE, [*python, *defines])
    bodies = []
    for special in (b'"', b"\\", b'\\"', b"\x01", b"\x1f", b"\x7f", b"\x80", b"\xff", b"\xc3\xa9"):
        for size in range(48):
            bodies += [b"a" * at + special + b"b" * (size - at) + b'"' for at in range(size + 1)]
            bodies.append(b"a" * size + special)  # nothing closes it
    rng = random.Random(5)
    alphabet = b'aaaaaaaa"\\\x01\x1f \x7f\x80\xc3\xff'
    bodies += [bytes(rng.choices(alphabet, k=rng.randrange(100))) for _ in range(3000)]
    keys = [(b"k" * size, b"k" * at + b"j" + b"k" * (size - at - 1)) for size in range(1, 40) for at in range(size)]
    keys += [(b"k" * size, b"k" * size) for size in range(40)]
    numbers, integers = number_texts(), integer_texts()
    texts = base64_texts()
    lines = [f"s {body.hex()}" for body in bodies] + [f"k {a.hex()}X {b.hex()}X" for a, b in keys]
    lines += [f"b {text.hex()}" for text in texts]
    lines += [f"i {text.encode().hex()}" for text in integers] + [f"d {text.encode().hex()}" for text in numbers]
    result = subprocess.run([str(program)], input="\n".join(lines) + "\n", capture_output=True, text=True, check=True)
    out = result.stdout.splitlines()
    assert out[: len(bodies)] == ["{} {}".format(*string_end(body)) for body in bodies]
    out = out[len(bodies) :]
    assert out[: len(keys)] == [str(int(a == b)) for a, b in keys]
    out = out[len(keys) :]
    assert out[: len(texts)] == [base64_read(text) for text in texts]
    out = out[len(texts) :]
    assert out[: len(integers)] == [integer_read(text) for text in integers]
    decided = 0
    for text, line in zip(numbers, out[len(integers) :], strict=True):
        expected = number_read(text)
        if line == "-1" or expected == "-1":
            assert line == expected, text
            continue
        end, integral, was_decided, value = line.split()
        if was_decided == "0":  # left to strtod: a correctly rounded read of what this cannot decide
            value = expected.split()[3]
        decided += was_decided == "1"
        assert f"{end} {integral} ? {value}" == expected, text
    assert decided > 0.6 * len(numbers)
