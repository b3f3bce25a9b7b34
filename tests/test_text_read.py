"""``ddl.from_text`` against protobuf's ``text_format.Parse``, the oracle.

What protobuf prints, ddl reads back to the message protobuf parsed, on one line or many; and a
text protobuf reads, ddl reads to the same message, and one protobuf refuses, ddl refuses.
"""

from __future__ import annotations

import functools
import math
import sys
from typing import Any

import pytest
from google.protobuf import text_format
from google.protobuf.message import Message as PbMessage
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import ddl
from ddl.testing import instances
from tests.conftest import FIXTURE_SAFE, Engine, examples
from tests.corpus import CORPUS
from tests.strategies import Schema, schemas
from tests.test_json_write import Known, Point
from tests.test_json_write_differential import known_messages
from tests.test_text_format import Chain, Closed, Printed, _maps, twin


def same_message(ours: ddl.Message, pb: PbMessage) -> None:
    """``ours`` is the message ``pb`` is: the same bytes, map entries and set elements in order."""
    theirs = ddl.decode(pb.SerializeToString(deterministic=True), type(ours))
    assert ddl.encode(ours, deterministic=True) == ddl.encode(theirs, deterministic=True)


def assert_reads_back(engine: Engine, pb: PbMessage, cls: type[Any], registry: dict[str, type] | None = None) -> None:
    for one_line in (False, True):
        text = text_format.MessageToString(pb, as_one_line=one_line)
        same_message(ddl.from_text(text, cls, registry=registry), pb)


@settings(FIXTURE_SAFE, max_examples=examples(30))
@given(data=st.data())
def test_every_corpus_class_reads_back_what_protobuf_prints(engine: Engine, data: st.DataObject) -> None:
    cls = data.draw(st.sampled_from(CORPUS))
    msg = data.draw(instances(cls))
    pb = getattr(twin(cls), cls.__name__).FromString(engine.encode(msg))
    assert_reads_back(engine, pb, cls)


@settings(FIXTURE_SAFE, max_examples=examples(40))
@given(schema=schemas(proto2=True), data=st.data())
def test_a_random_schema_reads_back_what_protobuf_prints(engine: Engine, schema: Schema, data: st.DataObject) -> None:
    assume(not (_maps(schema, closed=True) and _maps(schema, closed=False)))  # see test_text_format
    msg = data.draw(schema.values())
    pb = getattr(twin(schema.root), schema.root.__name__).FromString(engine.encode(msg))
    assert_reads_back(engine, pb, schema.root)


def test_well_known_types_and_anys_read_back(engine: Engine) -> None:
    module = twin(Known, Point)
    package = module.DESCRIPTOR.package
    for msg in known_messages(package):
        pb = module.Known.FromString(engine.encode(msg))
        assert_reads_back(engine, pb, Known, registry={f"{package}.Point": Point})


# Texts a person writes, each read by protobuf and by ddl: the same message, or both refuse it.
TEXTS = [
    'label: "a"', "label:'a'", 'label: "a" "b" \'c\'', 'label: "q\\"s\\\'"', 'label: "\\303\\251\\u00e9\\U0001F600"',
    'label: "\\xe9"', 'label: "\\n\\t\\r\\a\\b\\f\\v\\\\\\0"', 'label: "\\q"', "label: a",
    'blob: "\\x00\\377\\1\\12ab"', 'blob: "é"',
    "ratio: 0.1", "ratio: 1.5f", "ratio: .5", "ratio: 5.", "ratio: 1e5", "ratio: -1E-3", "ratio: 1e40",
    "ratio: inf", "ratio: -inf", "ratio: Infinity", "ratio: nan", "ratio: 3", "ratio: 0x10", "ratio: -",
    "big: 1e300", "big: -0", "big: 12345678901234567890", "big: NaN", "big: true",
    "shade: DARK", "shade: 1", "shade: 7", "shade: -3", "shade: NOPE", "shade: 1.0", "shade: -DARK",
    "counts { key: 3 value: \"c\" } counts { key: -1 }", "counts: { value: \"z\" }", "counts [{key: 1}, {key: 2}]",
    "counts { key: 1 key: 2 }", "flags { key: \"a\" value: t } flags < key: \"b\" value: False >",
    "flags { key: \"a\" value: 1 }", "flags { key: \"a\" value: 2 }", "flags { value: yes }",
    "children { x: 1 } children < y: 2 >", "children: { x: 1 }", "children [{x: 1}, {y: 2}]", "children []",
    "children { x: 1, y: 2; }", "children { x: 2147483648 }", "children { x: -2147483648 }", "children { x: 010 }",
    "children { x: 08 }", "children { x: -0x7fffffff }", "children { x: 1.0 }", "children { x 1 }",
    "children { z: 1 }", "children { x: 1 x: 2 }", "children { x: 1 ", "children x: 1", "children { } }",
    "# a comment\nlabel: \"a\" # another\n", "label: \"a\", ratio: 1;", "label: \"a\" label: \"b\"", "",
    "ratio: 1 big: 2 shade: DARK label: \"x\"", "[x.y]: 1", "label: \"a\" $",
]  # fmt: skip


@functools.cache
def printed_twin() -> Any:
    """protoc's Printed, compiled once for the many texts read with it."""
    return twin(Printed, Point).Printed


@pytest.mark.parametrize("text", TEXTS)
def test_a_text_is_read_as_protobuf_reads_it(engine: Engine, text: str) -> None:
    cls = printed_twin()
    try:
        pb = text_format.Parse(text, cls())
    except text_format.ParseError:
        with pytest.raises(ddl.DecodeError, match=r"text format|UTF-8"):
            ddl.from_text(text, Printed)
        return
    same_message(ddl.from_text(text, Printed), pb)


def test_an_escaped_question_mark_is_one_as_in_c() -> None:
    # The conformance suite's StringLiteralBasicEscapes reads "\\?" as C++ does; protobuf's Python
    # text_format keeps its backslash (an escape its unicode_escape codec does not know).
    assert ddl.from_text(r'label: "\?" blob: "\?"', Printed) == Printed(label="?", blob=b"?")
    assert text_format.Parse(r'label: "\?"', printed_twin()()).label == "\\?"


def test_a_closed_enum_takes_only_its_own_numbers_and_names() -> None:
    cls = twin(Closed).Closed
    for text in ("mood: CALM", "mood: 2", "mood: 9", "moods: [1, TENSE]", 'by_name { key: "a" value: 5 }'):
        try:
            pb = text_format.Parse(text, cls())
        except text_format.ParseError:
            with pytest.raises(ddl.DecodeError, match="has no value numbered"):
                ddl.from_text(text, Closed)
            continue
        same_message(ddl.from_text(text, Closed), pb)


def test_an_error_gives_the_offset_of_the_token_at_fault() -> None:
    with pytest.raises(ddl.DecodeError) as error:
        ddl.from_text('label: "a"\nshade: NOPE', Printed)
    assert error.value.offset == len('label: "a"\nshade: ')
    assert "enum Shade has no value named 'NOPE'" in str(error.value)
    with pytest.raises(ddl.DecodeError, match="no field named 'nope'") as error:
        ddl.from_text("  nope: 1", Printed)
    assert error.value.offset == 2


def test_nesting_deeper_than_max_depth_is_a_decode_error() -> None:
    deepest = "child { " * 100 + "depth: 100" + " }" * 100
    assert ddl.from_text(deepest, Chain).child is not None
    with pytest.raises(ddl.DecodeError, match="nested deeper than max_depth"):
        ddl.from_text("child { " * 101 + " }" * 101, Chain)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(150)
    try:
        with pytest.raises(ddl.DecodeError, match="too deep for Python's stack"):
            ddl.from_text(deepest, Chain)
    finally:
        sys.setrecursionlimit(limit)


def test_floats_read_as_protobuf_rounds_them() -> None:
    assert ddl.from_text("ratio: 0.1", Printed).ratio == ddl.decode(ddl.encode(Printed(ratio=0.1)), Printed).ratio
    assert math.isinf(ddl.from_text("ratio: 1e40", Printed).ratio)


def test_only_a_str_is_read() -> None:
    with pytest.raises(TypeError, match="from_text reads a str, not bytes"):
        ddl.from_text(b"x: 1", Point)  # type: ignore[arg-type]


@settings(max_examples=examples(200))
@given(text=st.one_of(st.text(), st.text(alphabet=" \n\"'{}<>[]:;,-#.\\/xabefilntu0123456789")))
def test_any_text_reads_or_is_a_decode_error(text: str) -> None:
    # Any other exception fails the test; a text that reads is printed and read back alike.
    try:
        msg = ddl.from_text(text, Printed)
    except ddl.DecodeError:
        return
    again = ddl.from_text(ddl.to_text(msg), Printed)
    assert ddl.encode(again, deterministic=True) == ddl.encode(msg, deterministic=True)


@settings(FIXTURE_SAFE, max_examples=examples(30))
@given(data=st.data())
def test_what_ddl_prints_it_reads_back(engine: Engine, data: st.DataObject) -> None:
    cls = data.draw(st.sampled_from(CORPUS))
    msg = data.draw(instances(cls))
    for one_line in (False, True):
        back = ddl.from_text(ddl.to_text(msg, as_one_line=one_line), cls)
        assert ddl.encode(back, deterministic=True) == ddl.encode(msg, deterministic=True)
