"""Reading JSON, against protobuf's own json_format: protobuf writes the JSON of a message (from
ddl's bytes, through the .proto that ``ddl proto`` renders), ddl reads it, and the values match.

Every option of ``MessageToJson`` that changes the text is drawn: proto field names, enums as
numbers, zeros written out. ddl then reads what json_format.Parse reads.
"""

from __future__ import annotations

import itertools
import math
from array import array
from typing import Any

import pytest
from google.protobuf import json_format
from hypothesis import given, reject, settings
from hypothesis import strategies as st

import ddl
from ddl._proto._render import render
from tests.conftest import examples
from tests.corpus import CORPUS
from tests.strategies import Schema, message_of, schemas
from tests.strategies import assert_same as assert_same_value
from tests.test_proto_render import compile_rendered

# Every test reads through ddl.from_json/from_dict on both engines: the compiled one reads the
# text in C first (ddl/_cy/json_read.pxi), and must give the same values and errors.
pytestmark = pytest.mark.usefixtures("engine")

_names = itertools.count()

options = st.fixed_dictionaries(
    {
        "preserving_proto_field_name": st.booleans(),
        "use_integers_for_enums": st.booleans(),
        "always_print_fields_with_no_presence": st.booleans(),
        "indent": st.sampled_from([None, 2]),
    }
)


def protobuf_json(value: ddl.Message, pbcls: Any, opts: dict[str, Any], as_dict: bool = False) -> Any:
    """protobuf's JSON of ``value`` (parsed by protoc's class), as text or, with ``as_dict``, as
    ``MessageToDict``'s plain values."""
    parsed = pbcls.FromString(ddl.encode(value))
    parsed.DiscardUnknownFields()
    try:
        if as_dict:
            return json_format.MessageToDict(parsed, **{k: v for k, v in opts.items() if k != "indent"})
        return json_format.MessageToJson(parsed, **opts)
    except json_format.SerializeToJsonError:
        reject()  # a Value holding NaN or an infinity has no JSON form, for protobuf as for ddl
        raise


def assert_same(expected: Any, actual: Any, path: str = "$") -> None:
    """``tests.strategies.assert_same``, where NaN (which JSON writes as "NaN", whatever its
    payload) is the same as NaN."""
    if isinstance(expected, float) and math.isnan(expected):
        assert type(actual) is float and math.isnan(actual), f"{path}: {actual!r} != nan"
    elif isinstance(expected, ddl.Message):
        assert type(actual) is type(expected), f"{path}: {type(actual).__name__} != {type(expected).__name__}"
        for f in type(expected).__ddl__.spec.fields:
            assert_same(getattr(expected, f.name), getattr(actual, f.name), f"{path}.{f.name}")
    elif type(expected) in (list, tuple, array) and type(actual) is type(expected) and len(actual) == len(expected):
        if type(expected) is array:
            assert actual.typecode == expected.typecode, f"{path}: {actual!r} != {expected!r}"
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            assert_same(e, a, f"{path}[{i}]")
    elif type(expected) is dict and type(actual) is dict and actual.keys() == expected.keys():
        for k, e in expected.items():
            assert_same(e, actual[k], f"{path}[{k!r}]")
    else:
        assert_same_value(expected, actual, path)


def pb_class(classes: list[type], cls: type, package: str) -> Any:
    return getattr(compile_rendered(render(classes, package)), cls.__name__)


@settings(max_examples=examples(60), deadline=None)
@given(schema=schemas(proto2=True), data=st.data(), opts=options)
def test_protobufs_json_of_a_random_message_reads_as_the_same_value(
    schema: Schema, data: st.DataObject, opts: dict[str, Any]
) -> None:
    pbcls = pb_class([schema.root], schema.root, f"ddl_json_random{next(_names)}")
    value = data.draw(schema.values())
    text = protobuf_json(value, pbcls, opts)
    expected = ddl.decode(pbcls.FromString(ddl.encode(value)).SerializeToString(), schema.root)
    assert_same(expected, ddl.from_json(text, schema.root))
    assert_same(expected, ddl.from_json(text.encode(), schema.root))
    assert_same(expected, ddl.from_dict(protobuf_json(value, pbcls, opts, as_dict=True), schema.root))


@settings(max_examples=examples(15), deadline=None)
@given(data=st.data(), opts=options)
def test_protobufs_json_of_every_corpus_class_reads_as_the_same_value(
    data: st.DataObject, opts: dict[str, Any]
) -> None:
    cls = data.draw(st.sampled_from(CORPUS))
    pbcls = pb_class(CORPUS, cls, "ddl_json_corpus")
    value = data.draw(message_of(cls))
    text = protobuf_json(value, pbcls, opts)
    expected = ddl.decode(pbcls.FromString(ddl.encode(value)).SerializeToString(), cls)
    assert_same(expected, ddl.from_json(text, cls))
    assert_same(expected, ddl.from_dict(protobuf_json(value, pbcls, opts, as_dict=True), cls))


@settings(max_examples=examples(25), deadline=None)
@given(data=st.data())
def test_what_ddl_reads_protobuf_parses_from_the_same_json_to_the_same_bytes(data: st.DataObject) -> None:
    # The other way round: json_format.Parse and ddl read one text to the same message.
    cls = data.draw(st.sampled_from(CORPUS))
    pbcls = pb_class(CORPUS, cls, "ddl_json_corpus")
    value = data.draw(message_of(cls))
    text = protobuf_json(value, pbcls, {})
    try:
        theirs = json_format.Parse(text, pbcls())
    except json_format.ParseError as e:
        # protobuf's Python parser refuses what its own writer gives a float at float32's
        # extremes (3.4028234663852886e+38: it checks the range on the 17-digit double, before
        # rounding to float32). ddl reads the text to the value protobuf wrote it from.
        assert "Float value too" in str(e), e
        theirs = pbcls.FromString(ddl.encode(value))
        theirs.DiscardUnknownFields()
    assert_same(ddl.decode(theirs.SerializeToString(), cls), ddl.from_json(text, cls))
