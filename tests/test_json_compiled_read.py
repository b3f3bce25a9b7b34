"""The compiled JSON reader (ddl/_cy/json_read.pxi) against the Python one.

``ddl.from_json`` on the compiled engine reads the text in C and bails to the Python reader on
anything unusual, so on every text, valid or not, both engines give the same value (same types,
float signs and containers) or the same error (same type, message and offset). The texts here
are the ones the C path reads itself, every JSON spelling a value may take, random schemas'
JSON, and random damage to it: truncations at every offset, edits, deep nesting.
"""

from __future__ import annotations

import enum
import gc
import json
import sys
from contextlib import suppress
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ddl
from benches import workloads
from benches.adapters import ddl_adapter
from benches.workloads import WORKLOADS
from ddl import _compiled
from ddl._limits import DEFAULT_MAX_DEPTH, GC_PAUSE_BYTES
from tests.conftest import examples, python_calls_of
from tests.json_paths import engine_on
from tests.strategies import offset_into, schemas
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


class Part(ddl.Message):
    sku: str = ddl.field(required=True)
    qty: ddl.int32 = 0


class Order(ddl.Message):
    id: ddl.int32 = ddl.field(required=True)
    main: Part | None = None
    parts: list[Part] = ddl.field(default_factory=list)
    by_name: dict[str, Part] = ddl.field(default_factory=dict)


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
    # ddl.to_json, ddl.from_json and the methods of ddl.Encoder and ddl.Decoder of the same names are compiled entry
    # points, which keep their own copy of the switch the tests turn (ddl._compiled.state): they run Python code only
    # while it is off.
    msg = Leaf(n=3, tags=["a"])
    text = ddl.to_json(msg)
    encoder, decoder = ddl.Encoder(), ddl.Decoder(Leaf)
    for compiled in (False, True, False, True):
        with engine_on(compiled):
            assert (python_calls_of(ddl.to_json, msg) == 0) is compiled
            assert (python_calls_of(encoder.to_json, msg) == 0) is compiled
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
        '{"id": 0}',
        '{"id": 7, "main": {"sku": ""}}',
        '{"id": 7, "parts": [{"sku": "a"}, {"sku": "b", "qty": 2}]}',
        '{"by_name": {"x": {"sku": "x"}}, "id": -1}',
    ],
)
def test_a_proto2_message_with_its_required_fields_is_read_in_c(text: str) -> None:
    read_in_c_as_python(text, Order)


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("{}", "$.id"),
        ('{"id": 1, "main": {}}', "$.main.sku"),
        ('{"id": 1, "main": {"qty": 3}}', "$.main.sku"),
        ('{"id": 1, "parts": [{"sku": "a"}, {"qty": 2}]}', "$.parts[1].sku"),
        ('{"byName": {"k": {}}, "id": 2}', "$.by_name['k'].sku"),
        ('{"id": null}', "$.id"),
    ],
)
def test_a_missing_required_field_gives_the_python_readers_error_on_both_engines(text: str, path: str) -> None:
    assert read_in_c(text, Order) is None  # the C reader leaves the verdict to the Python one
    kind, error_type, message, offset = assert_engines_agree(text, Order)
    assert (kind, error_type, offset) == ("error", ddl.DecodeError, None)
    assert message.startswith(f"the required field {path.rsplit('.', 1)[1]!r} is missing")
    with pytest.raises(ddl.DecodeError) as caught:
        ddl.from_json(text, Order)
    assert caught.value.path == path


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


@settings(max_examples=examples(300), deadline=None)
@given(data=st.data())
def test_damaged_text_reads_alike(data: st.DataObject) -> None:
    text = EVERY_FORM
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 4))
        piece = data.draw(st.sampled_from(["", *PIECES]))
        text = text[:at] + piece + text[at + cut :]
    assert_engines_agree(text, Kinds)


@settings(max_examples=examples(150), deadline=None)
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
    cut = offset_into(data, text)
    assert_engines_agree(text[:cut], schema.root)


def instances_of(*classes: type) -> list[Any]:
    """The live objects of exactly these classes, half-read ones too. An instance refers to its
    class (a class statement's class is a heap type, which its instances visit), so the collector's
    walk in C finds them: 20 times faster than filtering ``gc.get_objects()`` in Python over a
    test process's million objects, and the two tests below walk about a hundred times each."""
    return [obj for obj in gc.get_referrers(*classes) if type(obj) in classes]


def test_a_collection_that_runs_python_code_mid_read_cannot_crash_it() -> None:
    """A GC callback (as a finalizer could) finds half-read messages and changes their fields."""
    # Read once before: the first read compiles Kinds' reader, thousands of allocations, each of
    # which would start a collection here (12 s, measured alone); each read after it collects
    # five times, mid-read, in 0.07 s.
    outcome(EVERY_FORM, Kinds, True)
    seen = []

    def meddle(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            for obj in instances_of(Kinds, Leaf):
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
        for obj in instances_of(Holder):
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


class Tally(ddl.Message):
    counts: dict[str, int] = {}
    tallies: list[Tally] = []


def tallies(n: int) -> str:
    """A text of ``n`` maps of numbers: the reader makes each a dict the GC counts towards its next
    young collection (a dict of numbers is left untracked, so nothing takes it off the count),
    where decoded messages and the lists holding them leave the count as it was."""
    return '{"tallies": [' + ", ".join(['{"counts": {"a": 1}}'] * n) + "]}"


def big_text() -> str:
    """A text of thousands of maps, past the size whose read pauses the GC."""
    text = tallies(2000)
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
    """With a threshold of 1, each new object the GC counts could start a collection. A large
    read lets a few start around the pause, none while its 2,000 maps are made; a small read,
    which does not pause, lets many start (up to 3.11)."""
    thresholds = gc.get_threshold()
    text, bailing, small = big_text(), big_text()[:-1] + ', "nope": 1}', tallies(200)
    assert len(small) < GC_PAUSE_BYTES
    # The Python code that begins and ends the pause allocates a few objects, and each can start
    # one: 2 measured alone, 5 under the debug allocator (PYTHONMALLOC=debug, after other tests
    # in the same worker), 7 with coverage's tracer. Without the pause it would be thousands.
    most = 20
    assert read_in_c(small, Tally) is not None  # its Program is built on first use, beforehand
    assert collections_during(lambda: read_in_c(text, Tally)) <= most
    # ... when it bails at the last key too, and so leaves the text to the Python reader
    assert collections_during(lambda: read_in_c(bailing, Tally)) <= most
    assert gc.get_threshold() == thresholds
    if sys.version_info < (3, 12):
        # Up to 3.11 a collection starts at the allocation that crosses the threshold, in C code
        # too; 3.12 defers it to the interpreter's next check between bytecodes.
        assert collections_during(lambda: read_in_c(small, Tally)) > 10
