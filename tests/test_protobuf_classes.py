"""``ddl.protobuf``: the classes ddl ships for protobuf's own .proto files, against protobuf itself.

They are ``ddl gen``'s output, committed: regenerating them must change nothing. Descriptors
that protoc writes, and messages that Google's runtime fills with random values, must decode
and encode back to the same bytes; what ddl builds, protobuf must read as the same message.
A protoc plugin written with them (examples/protoc_plugin.py) runs under the real protoc.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import api_pb2, descriptor_pb2, source_context_pb2, type_pb2
from google.protobuf.compiler import plugin_pb2
from grpc_tools import protoc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ddl
from ddl._proto._gen import generate, write_shipped
from ddl._proto._protoc import descriptor_set, wkt_include
from ddl.protobuf import api, descriptor, plugin, source_context
from ddl.protobuf import type as protobuf_type
from ddl.protobuf._origin import GRPCIO_TOOLS
from ddl.testing import instances
from tests.conftest import Engine, examples
from tests.pb_fill import fill

ROOT = Path(__file__).parent.parent
# The shipped classes as imported: the source tree's, or an installed wheel's.
SHIPPED = Path(descriptor.__file__).parent
PROTOS = ROOT / "tests/protos"
CORPUS = sorted((PROTOS / "ddltest").rglob("*.proto"))
EXAMPLES = settings(
    max_examples=examples(25),
    deadline=None,
    # Descriptors nest deep and wide: the values drawn are large by nature.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.data_too_large, HealthCheck.too_slow],
)

# Each ddl class beside protobuf's class of the same message.
PAIRS = [
    (descriptor.FileDescriptorSet, descriptor_pb2.FileDescriptorSet),
    (descriptor.FileDescriptorProto, descriptor_pb2.FileDescriptorProto),
    (descriptor.FieldOptions, descriptor_pb2.FieldOptions),
    (descriptor.SourceCodeInfo, descriptor_pb2.SourceCodeInfo),
    (plugin.CodeGeneratorRequest, plugin_pb2.CodeGeneratorRequest),
    (plugin.CodeGeneratorResponse, plugin_pb2.CodeGeneratorResponse),
    (api.Api, api_pb2.Api),
    (protobuf_type.Type, type_pb2.Type),
    (protobuf_type.Enum, type_pb2.Enum),
    (source_context.SourceContext, source_context_pb2.SourceContext),
]
PAIR_IDS = [ddl_cls.__qualname__ for ddl_cls, _ in PAIRS]
# Drawing whole sets and requests of them is slow, and they add only lists to FileDescriptorProto.
BUILT = [(d, p) for d, p in PAIRS if d not in (descriptor.FileDescriptorSet, plugin.CodeGeneratorRequest)]


def protoc_descriptor_set(tmp_path: Path, files: list[Path], includes: list[Path]) -> bytes:
    """The bytes protoc itself writes for ``--descriptor_set_out`` (not protobuf's re-encoding)."""
    out = tmp_path / "set.pb"
    args = ["protoc", f"--descriptor_set_out={out}", "--include_imports", "--include_source_info"]
    args += [f"-I{i}" for i in [*includes, wkt_include()]] + [str(f) for f in files]
    assert protoc.main(args) == 0
    return out.read_bytes()


# --- What is shipped ----------------------------------------------------------------------------


def test_regenerating_the_shipped_classes_changes_nothing(tmp_path: Path) -> None:
    if version("grpcio-tools") != GRPCIO_TOOLS:
        pytest.skip(f"ddl.protobuf is generated from grpcio-tools {GRPCIO_TOOLS}'s .proto files, not these")
    written = write_shipped(tmp_path)
    assert (tmp_path / "ddl/protobuf/_origin.py").read_text() == (SHIPPED / "_origin.py").read_text()
    assert sorted(p.name for p in written) == sorted(p.name for p in SHIPPED.glob("[!_]*.py"))
    for path in written:
        shipped = SHIPPED / path.name
        assert path.read_text() == shipped.read_text(), f"{shipped} is stale: run make protobuf-classes"


# --- Descriptors protoc writes --------------------------------------------------------------------


@pytest.mark.parametrize("tree", ["corpus", "protobuf"])
def test_descriptor_sets_protoc_writes_decode_and_encode_back_to_the_same_bytes(
    tmp_path: Path, engine: Engine, tree: str
) -> None:
    if tree == "corpus":
        data = protoc_descriptor_set(tmp_path, CORPUS, [PROTOS])
    else:
        files = sorted(wkt_include().rglob("*.proto"))
        data = protoc_descriptor_set(tmp_path, files, [wkt_include()])
    value = engine.decode(data, descriptor.FileDescriptorSet)
    assert engine.encode(value) == data
    names = [f.name for f in descriptor_pb2.FileDescriptorSet.FromString(data).file]
    assert [f.name for f in value.file] == names


def test_custom_options_are_kept_as_unknown_fields_and_written_back(tmp_path: Path, engine: Engine) -> None:
    (tmp_path / "opts.proto").write_text(
        'syntax = "proto3";\nimport "google/protobuf/descriptor.proto";\n'
        "extend google.protobuf.FieldOptions {\n  string note = 50001;\n}\n"
        'message M {\n  int32 x = 1 [(note) = "hi", deprecated = true];\n}\n'
    )
    data = protoc_descriptor_set(tmp_path, [tmp_path / "opts.proto"], [tmp_path])
    value = engine.decode(data, descriptor.FileDescriptorSet)
    options = value.file[-1].message_type[0].field[0].options
    assert options.deprecated is True
    assert options._ddl_unknown == b"\x8a\xb5\x18\x02hi"  # field 50001, length 2
    assert engine.encode(value) == data


def test_descriptors_of_real_modules_decode_and_encode_back(engine: Engine) -> None:
    for module in (descriptor_pb2, plugin_pb2, api_pb2, type_pb2):
        proto = descriptor_pb2.FileDescriptorProto()
        module.DESCRIPTOR.CopyToProto(proto)
        data = proto.SerializeToString()
        value = engine.decode(data, descriptor.FileDescriptorProto)
        assert value.name == proto.name
        assert engine.encode(value) == data


# --- Random messages, both ways -------------------------------------------------------------------


@pytest.mark.parametrize(("ddl_cls", "pb_cls"), PAIRS, ids=PAIR_IDS)
@EXAMPLES
@given(data=st.data())
def test_messages_protobuf_fills_read_and_write_the_same_bytes(
    engine: Engine, ddl_cls: type[ddl.Message], pb_cls: Any, data: st.DataObject
) -> None:
    original = fill(pb_cls(), data)
    wire = original.SerializePartialToString(deterministic=True)
    value = engine.decode(wire, ddl_cls)
    again = engine.encode(value)
    assert again == wire
    assert pb_cls.FromString(again) == original


@pytest.mark.parametrize(("ddl_cls", "pb_cls"), BUILT, ids=[d.__qualname__ for d, _ in BUILT])
@EXAMPLES
@given(data=st.data())
def test_messages_ddl_builds_are_read_by_protobuf_as_the_same_message(
    engine: Engine, ddl_cls: type[ddl.Message], pb_cls: Any, data: st.DataObject
) -> None:
    # Known enum numbers only: proto2 enums are closed, and protobuf moves others to the unknown fields.
    value = data.draw(instances(ddl_cls, max_depth=1, unknown_enums=False))
    wire = engine.encode(value)
    parsed = pb_cls.FromString(wire)
    assert parsed.SerializePartialToString(deterministic=True) == wire
    assert engine.decode(wire, ddl_cls) == value


def test_a_descriptor_built_with_ddl_is_the_one_protobuf_builds(engine: Engine) -> None:
    field = descriptor.FieldDescriptorProto
    built = descriptor.FileDescriptorProto(
        name="shop.proto",
        package="shop",
        syntax="proto3",
        message_type=[
            descriptor.DescriptorProto(
                name="Order",
                field=[
                    field(name="id", number=1, label=field.Label.LABEL_OPTIONAL, type=field.Type.TYPE_INT64),
                    field(name="tags", number=2, label=field.Label.LABEL_REPEATED, type=field.Type.TYPE_STRING),
                ],
            )
        ],
        options=descriptor.FileOptions(go_package="example.com/shop", cc_enable_arenas=True),
    )
    expected = descriptor_pb2.FileDescriptorProto(name="shop.proto", package="shop", syntax="proto3")
    order = expected.message_type.add(name="Order")
    order.field.add(name="id", number=1, label=field.Label.LABEL_OPTIONAL, type=field.Type.TYPE_INT64)
    order.field.add(name="tags", number=2, label=field.Label.LABEL_REPEATED, type=field.Type.TYPE_STRING)
    expected.options.go_package = "example.com/shop"
    expected.options.cc_enable_arenas = True
    assert descriptor_pb2.FileDescriptorProto.FromString(engine.encode(built)) == expected
    assert engine.encode(built) == expected.SerializeToString()


# --- ddl gen, with references to them -------------------------------------------------------------


def test_google_api_service_proto_generates_and_reads_the_bytes_its_pb2_writes(tmp_path: Path, engine: Engine) -> None:
    from google.api import service_pb2

    googleapis = Path(service_pb2.__file__).parent.parent.parent
    files = [f.name for f in descriptor_set([googleapis / "google/api/service.proto"], [googleapis]).file]
    own = [googleapis / name for name in files if not name.startswith("google/protobuf/")]
    result = generate(own, [googleapis], tmp_path)
    assert tmp_path / "google/api/service_ddl.py" in result.paths
    text = (tmp_path / "google/api/service_ddl.py").read_text()
    assert "from ddl.protobuf import api\nfrom ddl.protobuf import type as protobuf_type\n" in text
    sys.path.insert(0, str(tmp_path))
    try:
        service_ddl = importlib.import_module("google.api.service_ddl")
        original = service_pb2.Service(name="calendar.googleapis.com", title="Calendar")
        original.apis.add(name="google.calendar.v3.Calendar", version="v3").methods.add(name="List")
        original.types.add(name="google.calendar.v3.Event").fields.add(name="id", number=1, kind=9)
        original.enums.add(name="google.calendar.v3.Color").enumvalue.add(name="RED", number=1)
        original.config_version.value = 3
        wire = original.SerializeToString()
        value = engine.decode(wire, service_ddl.Service)
        assert [a.methods[0].name for a in value.apis] == ["List"]
        assert isinstance(value.types[0], protobuf_type.Type)
        assert engine.encode(value) == wire
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.startswith("google.api.") and m.endswith("_ddl")]:
            del sys.modules[name]


# --- The protoc plugin example ----------------------------------------------------------------------

SHOP = """\
syntax = "proto3";
package shop;

message Order {
  int64 id = 1;
  repeated string tags = 3;
  Line first = 2;
  map<string, int32> counts = 4;
  optional bool rush = 5;

  message Line {
    string sku = 1;
  }
}
"""


def run_plugin(tmp_path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """protoc with examples/protoc_plugin.py as protoc-gen-ddlx, run by this interpreter."""
    wrapper = tmp_path / "protoc-gen-ddlx"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{ROOT / "examples/protoc_plugin.py"}" "$@"\n')
    wrapper.chmod(0o755)
    (tmp_path / "shop.proto").write_text(SHOP)
    (tmp_path / "out").mkdir(exist_ok=True)
    argv = [sys.executable, "-m", "grpc_tools.protoc", f"-I{tmp_path}", f"--plugin=protoc-gen-ddlx={wrapper}"]
    argv += [f"--ddlx_out={tmp_path / 'out'}", *options, str(tmp_path / "shop.proto")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run(argv, capture_output=True, text=True, env=env, check=False)


def test_a_protoc_plugin_written_with_ddl_lists_each_files_messages_and_fields(tmp_path: Path) -> None:
    done = run_plugin(tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out/shop.fields.txt").read_text() == (
        "file shop.proto\n"
        "message shop.Order\n"
        "  1 int64 id\n"
        "  3 repeated string tags\n"
        "  2 shop.Order.Line first\n"
        "  4 repeated shop.Order.CountsEntry counts\n"
        "  5 bool rush\n"
        "message shop.Order.Line\n"
        "  1 string sku\n"
    )


def test_the_plugin_reads_its_parameter_and_reports_errors_through_protoc(tmp_path: Path) -> None:
    done = run_plugin(tmp_path, "--ddlx_opt=numbers")
    assert done.returncode == 0, done.stderr
    lines = (tmp_path / "out/shop.fields.txt").read_text().splitlines()
    assert lines[2:7] == ["  1 int64 id", "  2 shop.Order.Line first", "  3 repeated string tags",
                          "  4 repeated shop.Order.CountsEntry counts", "  5 bool rush"]  # fmt: skip
    done = run_plugin(tmp_path, "--ddlx_opt=colors")
    assert done.returncode == 1
    assert "unknown parameter 'colors' (known: numbers)" in done.stderr
