"""``ddl.to_json`` against protobuf's ``json_format``, the oracle.

Each class is rendered to .proto by ``ddl proto`` and compiled by protoc, so the protobuf runtime
has the same message. For a value, protobuf parses ``ddl.encode``'s bytes and prints its JSON with
``json_format.MessageToJson``; ddl's JSON must be the same JSON value (compared parsed, not as
text), and ``json_format.Parse`` of ddl's text must give the message protobuf parsed.
"""

from __future__ import annotations

import itertools
import json
from datetime import timedelta
from typing import Any

import pytest
from google.protobuf import duration_pb2, json_format
from google.protobuf.message import Message as PbMessage
from hypothesis import given, settings
from hypothesis import strategies as st

import ddl
from ddl import wkt
from ddl._proto._render import render
from ddl.testing import instances
from tests.conftest import FIXTURE_SAFE, Engine, examples
from tests.corpus import CORPUS
from tests.strategies import Schema, schemas
from tests.test_json_write import Known, Natives, Point
from tests.test_proto_render import compile_rendered

_packages = itertools.count()

OPTIONS = st.fixed_dictionaries(
    {
        "preserving_proto_field_name": st.booleans(),
        "always_print_fields_with_no_presence": st.booleans(),
        "use_integers_for_enums": st.booleans(),
    }
)
# The text's layout, which MessageToJson takes as json.dumps does (and to_dict does not).
LAYOUT = st.fixed_dictionaries({"sort_keys": st.booleans(), "ensure_ascii": st.booleans()})


def twin(cls: type) -> Any:
    """protoc's class for the .proto that ``ddl proto`` writes for ``cls``."""
    return getattr(compile_rendered(render([cls], f"ddl_json_write{next(_packages)}")), cls.__name__)


def assert_same_json(
    engine: Engine, msg: Any, pb: PbMessage, options: dict[str, Any], registry: Any = None,
    layout: dict[str, bool] | None = None,
) -> None:  # fmt: skip
    """ddl's JSON of ``msg`` is protobuf's JSON of ``pb`` (the same message), or both refuse it,
    its keys in protobuf's order when sorted; and protobuf reads ddl's text back as ``pb``
    whenever it reads its own."""
    layout = layout or {}
    try:
        theirs = json_format.MessageToJson(pb, **options, **layout)
    except (ValueError, TypeError, json_format.Error) as refused:  # protobuf refuses NaN in a Value, say
        try:
            engine.to_json(msg, registry=registry, **options, **layout)
        except ddl.EncodeError:
            return
        raise AssertionError(f"protobuf refuses {msg!r} ({refused}), ddl writes it") from None
    ours = engine.to_json(msg, registry=registry, **options, **layout)
    assert json.loads(ours) == json.loads(theirs)
    if layout.get("sort_keys"):
        assert json.loads(ours, object_pairs_hook=list) == json.loads(theirs, object_pairs_hook=list)
    if layout.get("ensure_ascii"):
        assert ours.isascii()
    # to_dict is the same value as plain Python objects, of the types MessageToDict gives.
    assert_same_plain(ddl.to_dict(msg, registry=registry, **options), json_format.MessageToDict(pb, **options))
    if _parses(theirs, pb):  # not so for a float field holding FLT_MAX, which protobuf prints rounded up
        assert json_format.Parse(ours, type(pb)()) == pb


def assert_same_plain(ours: Any, theirs: Any, path: str = "$") -> None:
    """The same plain value, each number of the same type (an int is not a float here); ours
    holds plain dicts where protobuf's may hold an OrderedDict (an Any's)."""
    assert type(ours) is (dict if isinstance(theirs, dict) else type(theirs)), f"{path}: {ours!r} against {theirs!r}"
    if type(ours) is dict:
        assert ours.keys() == theirs.keys(), f"{path}: keys {list(ours)} against {list(theirs)}"
        for key, value in ours.items():
            assert_same_plain(value, theirs[key], f"{path}.{key}")
    elif type(ours) is list:
        assert len(ours) == len(theirs), f"{path}: {len(ours)} items against {len(theirs)}"
        for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            assert_same_plain(a, b, f"{path}[{i}]")
    else:
        assert ours == theirs, f"{path}: {ours!r} against {theirs!r}"


def _parses(text: str, pb: PbMessage) -> bool:
    try:
        json_format.Parse(text, type(pb)())
    except json_format.ParseError:
        return False
    return True


@settings(FIXTURE_SAFE, max_examples=examples(30))
@given(data=st.data())
def test_every_corpus_class_is_written_as_json_format_writes_it(engine: Engine, data: st.DataObject) -> None:
    cls = data.draw(st.sampled_from(CORPUS))
    msg = data.draw(instances(cls))
    pb = twin(cls).FromString(engine.encode(msg))
    assert_same_json(engine, msg, pb, data.draw(OPTIONS), layout=data.draw(LAYOUT))


@settings(FIXTURE_SAFE, max_examples=examples(40))
@given(schema=schemas(proto2=True), data=st.data())
def test_a_random_schema_is_written_as_json_format_writes_it(
    engine: Engine, schema: Schema, data: st.DataObject
) -> None:
    msg = data.draw(schema.values())
    pb = twin(schema.root).FromString(engine.encode(msg))
    assert_same_json(engine, msg, pb, data.draw(OPTIONS), layout=data.draw(LAYOUT))


def _packed(msg: ddl.Message, name: str) -> wkt.Any:
    return wkt.Any(type_url=f"type.googleapis.com/{name}", value=ddl.encode(msg))


def known_messages(package: str) -> list[Known]:
    """Known's messages of every class of ddl.wkt, Anys of ``package``'s Point among them."""
    return [
        Known(count=wkt.Int32Value(0), big=wkt.Int64Value(-5), ratio=wkt.FloatValue(0.1), flag=wkt.BoolValue(False),
              blob=wkt.BytesValue(b"\xff"), value=wkt.Value(kind={"a": [1.5, None, True]}),
              values=wkt.ListValue(values=[{"x": None}, "s"]), mask=wkt.FieldMask(paths=["foo_bar.baz", "a"]),
              empty=wkt.Empty()),
        Known(value=wkt.Value(kind=wkt.NullValue.NULL_VALUE), packed=_packed(Point(1, 2), f"{package}.Point")),
        Known(packed=_packed(_packed(Point(x=3), f"{package}.Point"), "google.protobuf.Any")),
        Known(packed=_packed(wkt.Value(kind="v"), "google.protobuf.Value")),
        Known(packed=_packed(wkt.Empty(), "google.protobuf.Empty")),
        Known(packed=wkt.Any()),
    ]  # fmt: skip


def test_the_classes_of_ddl_wkt_are_written_as_json_format_writes_them(engine: Engine) -> None:
    # Known's .proto declares Point too (in the same file), so protobuf's pool knows what the Any packs.
    module = compile_rendered(render([Known, Point], f"ddl_json_write{next(_packages)}"))
    package = module.DESCRIPTOR.package
    for msg in known_messages(package):
        pb = module.Known.FromString(engine.encode(msg))
        for options in ({}, {"always_print_fields_with_no_presence": True, "use_integers_for_enums": True}):
            assert_same_json(engine, msg, pb, options, registry={f"{package}.Point": Point})


def test_a_duration_beyond_protobufs_json_range_is_read_from_binary_but_cannot_be_written_as_json(
    engine: Engine,
) -> None:
    # protobuf reads any seconds from binary, and json_format refuses those beyond +-315576000000
    # (the conformance suite's DurationProtoInputTooLarge/TooSmall); a timedelta holds them.
    cls = twin(Natives)
    for seconds, nanos in ((315_576_000_001, 0), (-315_576_000_001, -5_000), (86_399_999_999_999, 999_999_000)):
        pb = cls(span={"seconds": seconds, "nanos": nanos})
        wire = pb.SerializeToString()
        msg = engine.decode(wire, Natives)
        assert msg.span == timedelta(seconds=seconds, microseconds=nanos // 1000)
        assert engine.encode(msg) == wire
        with pytest.raises(json_format.SerializeToJsonError):
            json_format.MessageToJson(pb)
        with pytest.raises(ddl.EncodeError, match=r"outside the Duration range of JSON, .* at \$\.span$"):
            engine.to_json(msg)
        body = duration_pb2.Duration(seconds=seconds, nanos=nanos).SerializeToString()
        packed = wkt.Any(type_url="type.googleapis.com/google.protobuf.Duration", value=body)
        with pytest.raises(ddl.EncodeError, match=r"outside the Duration range of JSON"):
            engine.to_json(packed)
