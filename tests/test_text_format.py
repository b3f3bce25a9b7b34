"""``ddl.to_text`` against protobuf's ``text_format.MessageToString``, the oracle.

Each class is rendered to .proto by ``ddl proto`` and compiled by protoc, so the protobuf runtime
has the same message. For a value, protobuf parses ``ddl.encode``'s bytes and prints them with
``MessageToString``; ddl's text must be the same text, character for character, on one line or
many, and ``text_format.Parse`` of it must give back the message protobuf parsed.
"""

from __future__ import annotations

import enum
import itertools
import math
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from google.protobuf import text_format
from google.protobuf.message import Message as PbMessage
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import ddl
from ddl import wkt
from ddl._proto._render import _walk, render
from ddl._schema import EnumNode, MapNode, plan_for
from ddl.testing import instances
from tests.conftest import FIXTURE_SAFE, Engine, examples
from tests.corpus import CORPUS
from tests.strategies import Schema, schemas
from tests.test_json_write import Known, Natives, Point
from tests.test_json_write_differential import known_messages
from tests.test_proto_render import compile_rendered

_packages = itertools.count()


def twin(*classes: type) -> Any:
    """protoc's module for the .proto that ``ddl proto`` writes for ``classes``."""
    return compile_rendered(render(list(classes), f"ddl_text{next(_packages)}"))


def assert_same_text(engine: Engine, msg: ddl.Message, pb: PbMessage, registry: dict[str, type] | None = None) -> None:
    """ddl prints ``msg`` as protobuf prints ``pb`` (the same message), in both layouts, and
    protobuf reads ddl's text back as ``pb``."""
    ours = ddl.to_text(msg, registry=registry)
    assert ours == text_format.MessageToString(pb)
    assert ddl.to_text(msg, as_one_line=True, registry=registry) == text_format.MessageToString(pb, as_one_line=True)
    for one_line in (False, True):
        shown = ddl.to_text(msg, as_one_line=one_line, print_unknown_fields=True, registry=registry)
        assert shown == text_format.MessageToString(pb, as_one_line=one_line, print_unknown_fields=True)
    if not _holds_nan(pb):  # NaN != NaN, in protobuf's == as anywhere
        known = type(pb)()
        known.CopyFrom(pb)
        known.DiscardUnknownFields()  # which the text leaves out
        assert text_format.Parse(ours, type(pb)()) == known


def _holds_nan(pb: PbMessage) -> bool:
    return "nan" in text_format.MessageToString(pb)


@settings(FIXTURE_SAFE, max_examples=examples(30))
@given(data=st.data())
def test_every_corpus_class_is_printed_as_text_format_prints_it(engine: Engine, data: st.DataObject) -> None:
    cls = data.draw(st.sampled_from(CORPUS))
    msg = data.draw(instances(cls))
    pb = getattr(twin(cls), cls.__name__).FromString(engine.encode(msg))
    assert_same_text(engine, msg, pb)


@settings(FIXTURE_SAFE, max_examples=examples(40))
@given(schema=schemas(proto2=True), data=st.data())
def test_a_random_schema_is_printed_as_text_format_prints_it(
    engine: Engine, schema: Schema, data: st.DataObject
) -> None:
    # A map of closed enum values makes `ddl proto` write the file with explicit presence, which
    # its other maps' entries then have too; ddl prints those as a proto3 file's (see to_text).
    assume(not (_maps(schema, closed=True) and _maps(schema, closed=False)))
    msg = data.draw(schema.values())
    pb = getattr(twin(schema.root), schema.root.__name__).FromString(engine.encode(msg))
    assert_same_text(engine, msg, pb)


def _maps(schema: Schema, *, closed: bool) -> bool:
    """Whether the schema has a map whose values are a closed enum (or, not ``closed``, another)."""
    nodes = [n for cls in schema.classes.values() for f in plan_for(cls).fields for n in _walk(f.node)]
    maps = [n for n in nodes if isinstance(n, MapNode)]
    return any((isinstance(m.value, EnumNode) and m.value.closed) == closed for m in maps)


def _packed(msg: ddl.Message, name: str) -> wkt.Any:
    return wkt.Any(type_url=f"type.googleapis.com/{name}", value=ddl.encode(msg))


def test_well_known_types_and_anys_are_printed_as_text_format_prints_them(engine: Engine) -> None:
    # Known's .proto declares Point too (in the same file), so protobuf's pool knows what the Any packs.
    module = twin(Known, Point)
    package = module.DESCRIPTOR.package
    messages = [
        *known_messages(package),
        Known(blob=wkt.BytesValue(b"\xff\x00'\""), value=wkt.Value(kind={"a": [], "": {}})),
        Known(packed=wkt.Any(type_url="no-slash", value=b"\x08\x01")),
    ]
    for msg in messages:
        pb = module.Known.FromString(engine.encode(msg))
        assert_same_text(engine, msg, pb, registry={f"{package}.Point": Point})


def test_an_any_of_a_type_nobody_knows_prints_its_two_fields(engine: Engine) -> None:
    # protobuf's pool has no such type either, so both print the url and the bytes
    module = twin(Known, Point)
    msg = Known(packed=_packed(Point(x=3), "elsewhere.Unknown"))
    assert_same_text(engine, msg, module.Known.FromString(engine.encode(msg)))
    url, value = '  type_url: "type.googleapis.com/elsewhere.Unknown"', '  value: "\\010\\003"'
    assert ddl.to_text(msg) == f"packed {{\n{url}\n{value}\n}}\n"


def test_an_any_at_the_top_is_expanded(engine: Engine) -> None:
    packed = _packed(Point(x=3, y=-1), "pkg.Point")
    expanded = "[type.googleapis.com/pkg.Point] {\n  x: 3\n  y: -1\n}\n"
    assert ddl.to_text(packed, registry={"pkg.Point": Point}) == expanded
    one_line = "[type.googleapis.com/pkg.Point] { x: 3 y: -1 }"
    assert ddl.to_text(packed, registry={"pkg.Point": Point}, as_one_line=True) == one_line
    unknown = _packed(Point(x=3), "pkg.Point")  # without the registry, as protobuf without the type
    assert ddl.to_text(unknown) == 'type_url: "type.googleapis.com/pkg.Point"\nvalue: "\\010\\003"\n'


def test_an_any_whose_value_is_not_its_type_is_an_encode_error(engine: Engine) -> None:
    broken = wkt.Any(type_url="type.googleapis.com/pkg.Point", value=b"\x08")
    with pytest.raises(ddl.EncodeError, match="truncated"):
        ddl.to_text(broken, registry={"pkg.Point": Point})


def test_natives_print_as_the_messages_they_are_written_as(engine: Engine) -> None:
    module = twin(Natives)
    msg = Natives(
        when=datetime(2024, 2, 29, 12, 30, 1, 250, tzinfo=UTC), span=timedelta(days=-1, microseconds=3),
        day=date(2024, 1, 31), anything={"k": [1.0, "x", None, False]}, meta={"b": 2.5, "a": {}},
        price=Decimal("-1.50"), key=None,
    )  # fmt: skip
    pb = module.Natives.FromString(engine.encode(msg))
    assert_same_text(engine, msg, pb)
    assert "when {\n  seconds: 1709209801\n  nanos: 250000\n}\n" in ddl.to_text(msg)


class Shade(enum.IntEnum):
    SHADE_UNSPECIFIED = 0
    DARK = 1


class Printed(ddl.Message):
    label: str = ""
    blob: bytes = b""
    ratio: ddl.float32 = 0.0
    big: float = 0.0
    shade: Shade = Shade.SHADE_UNSPECIFIED
    counts: dict[int, str] = {}
    flags: dict[str, bool] = {}
    children: list[Point] = []


def test_strings_bytes_floats_enums_and_maps_are_printed_as_protobuf_prints_them(engine: Engine) -> None:
    module = twin(Printed, Point)
    messages = [
        Printed(label="tab\t \"q\" 'a' \\ é 😀 \x00\x7f", blob=bytes(range(256)), ratio=0.1, big=1e300,
                shade=Shade.DARK, counts={3: "c", -1: "a", 0: ""}, flags={"": True, "z": False},
                children=[Point(), Point(x=1)]),
        Printed(ratio=float("inf"), big=-0.0),
        Printed(ratio=float("-inf"), big=float("nan")),
        Printed(ratio=3.4028234663852886e38, big=5e-324),
        Printed(ratio=1.401298464324817e-45, big=0.1 + 0.2),
    ]  # fmt: skip
    for msg in messages:
        assert_same_text(engine, msg, module.Printed.FromString(engine.encode(msg)))
    unknown_shade = ddl.decode(b"\x28\x07", Printed)  # an open enum keeps a number it lacks
    assert ddl.to_text(unknown_shade) == "shade: 7\n"
    assert ddl.to_text(Printed(ratio=0.1)) == "ratio: 0.1\n"
    assert math.isnan(ddl.decode(ddl.encode(Printed(big=float("nan"))), Printed).big)


def test_unknown_fields_print_last_by_number_when_asked(engine: Engine) -> None:
    module = twin(Point)
    wire = b"".join(
        [
            b"\x08\x05",  # x: 5
            b"\xf8\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01",  # 31: a varint, as unsigned
            b"\x85\x02\x01\x00\x00\x80",  # 32: fixed32
            b"\x89\x02" + bytes(range(1, 9)),  # 33: fixed64
            b"\x8a\x02\x04\x08\x01\x10\x02",  # 33: bytes that parse as fields: a message
            b"\x92\x02\x03ab\xff",  # 34: bytes that do not: quoted
            b"\x92\x02\x00",  # 34: empty, which parses as no fields
            b"\x9b\x02\x08\x07\x9c\x02",  # 35: a group
            b"\x10\x07",  # y: 7
        ]
    )
    msg = engine.decode(wire, Point)
    assert_same_text(engine, msg, module.Point.FromString(wire))
    assert ddl.to_text(msg) == "x: 5\ny: 7\n"
    assert ddl.to_text(msg, print_unknown_fields=True).startswith("x: 5\ny: 7\n31: 18446744073709551615\n")


def test_unknown_fields_are_left_out_and_an_empty_message_prints_nothing(engine: Engine) -> None:
    with_unknown = ddl.decode(b"\x08\x05\xf8\x01\x09", Point)  # field 31 is not Point's
    assert ddl.to_text(with_unknown) == "x: 5\n"
    assert ddl.to_text(Point()) == ""
    assert ddl.to_text(Point(), as_one_line=True) == ""


class Mood(ddl.ClosedEnum):
    MOOD_ZERO = 0  # protoc wants a closed enum that is a map's value to start at 0
    CALM = 1
    TENSE = 2


class Closed(ddl.Message):
    mood: Mood | None = None
    moods: list[Mood] = []
    by_name: dict[str, Mood] = {}


def test_a_map_of_closed_enum_values_prints_zero_keys_and_values_as_a_proto2_map(engine: Engine) -> None:
    module = twin(Closed)
    msg = Closed(by_name={"": Mood.MOOD_ZERO, "a": Mood.CALM})
    assert_same_text(engine, msg, module.Closed.FromString(engine.encode(msg)))
    assert ddl.to_text(msg).startswith('by_name {\n  key: ""\n  value: MOOD_ZERO\n}\n')


def test_what_protobuf_keeps_among_unknown_fields_is_not_printed(engine: Engine) -> None:
    # A closed enum's number it lacks (singular, packed, in a map entry), and a field in another
    # wire type than its own: ddl keeps each among the unknown fields, as protobuf does.
    module = twin(Closed)
    wire = (
        b"\x08\x02\x08\x09"  # mood: TENSE, then 9, which Mood lacks (TENSE stays)
        + b"\x12\x03\x01\x07\x02"  # moods, packed: CALM, 7, TENSE
        + b"\x1a\x05\x0a\x01a\x10\x05"
        + b"\x1a\x05\x0a\x01b\x10\x01"  # by_name: a=5 (lacking), b=CALM
        + b"\x0a\x01x"  # field 1 (mood) in the length-delimited wire type
    )
    msg = engine.decode(wire, Closed)
    pb = module.Closed.FromString(wire)
    assert_same_text(engine, msg, pb)
    assert ddl.to_text(msg) == 'mood: TENSE\nmoods: CALM\nmoods: TENSE\nby_name {\n  key: "b"\n  value: CALM\n}\n'


def test_a_value_the_encoder_refuses_is_the_same_encode_error(engine: Engine) -> None:
    with pytest.raises(ddl.EncodeError) as text_error:
        ddl.to_text(Point(x=2**40))
    with pytest.raises(ddl.EncodeError) as binary_error:
        ddl.encode(Point(x=2**40))
    assert str(text_error.value) == str(binary_error.value)


class Chain(ddl.Message):
    child: Chain | None = None
    depth: int = 0


def test_any_nesting_the_encoder_takes_prints_and_a_stack_too_shallow_is_an_encode_error(engine: Engine) -> None:
    msg = Chain(depth=100)
    for depth in reversed(range(100)):  # the deepest the encoder takes: 100 messages below the top
        msg = Chain(child=msg, depth=depth)
    text = ddl.to_text(msg)
    assert text.count("child {") == 100 and "depth: 100" in text
    assert text_format.MessageToString(twin(Chain).Chain.FromString(engine.encode(msg))) == text
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)
    try:
        with pytest.raises(ddl.EncodeError, match="too deep for Python's stack"):
            ddl.to_text(msg)
    finally:
        sys.setrecursionlimit(limit)


def test_only_a_message_is_printed() -> None:
    with pytest.raises(TypeError, match="to_text takes a ddl message, not dict"):
        ddl.to_text({"x": 1})  # type: ignore[arg-type]
