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
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from grpc_tools import protoc
from hypothesis import given, settings
from hypothesis import strategies as st

import ddl
from ddl._cli import main
from ddl._proto._render import RenderError, include_paths, package_for, render
from tests import corpus as c
from tests import future_schemas
from tests.conftest import Engine
from tests.strategies import Schema, schemas
from tests.strategies import assert_same as assert_same_value
from tests.test_differential import CORPUS, FIXTURE_SAFE, WITH_MAPS, assert_same, from_pb, message_of, to_pb

_OUT = Path(tempfile.mkdtemp(prefix="ddl-render-"))
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


def pb_class(classes: list[type], cls: type, package: str) -> Any:
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
@settings(FIXTURE_SAFE, max_examples=15)
@given(data=st.data())
def test_protoc_code_for_the_rendered_corpus_reads_and_writes_ddl_bytes(
    engine: Engine, cls: type, data: st.DataObject
) -> None:
    pbcls = pb_class(CORPUS, cls, "ddl_render_corpus")
    check_both_directions(engine, data.draw(message_of(cls)), pbcls, exact=cls not in WITH_MAPS)


@settings(FIXTURE_SAFE, max_examples=25)
@given(schema=schemas(), data=st.data())
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
