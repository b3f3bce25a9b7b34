"""``ddl proto`` and the classes of ``ddl.protobuf``: protobuf's own types, imported, never copied.

A field typed with ``ddl.protobuf.descriptor.FileDescriptorProto`` is a field of protobuf's
``google.protobuf.FileDescriptorProto``: the .proto names that type and imports its file, and
the code protoc generates for it reads ddl's bytes with protobuf's own classes (descriptor_pb2).
"""

from __future__ import annotations

import enum
import importlib
from types import ModuleType

import pytest
from google.protobuf import api_pb2, descriptor_pb2, type_pb2
from google.protobuf.compiler import plugin_pb2
from google.protobuf.unknown_fields import UnknownFieldSet

import ddl
from ddl._proto._gen._names import SHIPPED
from ddl._proto._layout import shipped
from ddl._proto._protoc import descriptor_set, wkt_include
from ddl._proto._render import RenderError, render
from ddl.protobuf import api, descriptor, plugin
from ddl.protobuf import type as protobuf_type
from tests.conftest import Engine
from tests.test_proto_render import compile_rendered


class Bundle(ddl.Message):
    name: str = ""
    file: descriptor.FileDescriptorProto | None = None
    apis: list[api.Api] = []
    request: plugin.CodeGeneratorRequest | None = None
    kind: protobuf_type.Field.Kind = protobuf_type.Field.Kind.TYPE_UNKNOWN  # type.proto is proto3: an open enum
    either: descriptor.DescriptorProto | api.Method | None = None


def a_bundle() -> Bundle:
    """A Bundle holding descriptor.proto's own FileDescriptorProto: every kind of field it has."""
    file = ddl.decode(descriptor_pb2.DESCRIPTOR.serialized_pb, descriptor.FileDescriptorProto)
    method = api.Method(name="Get", request_type_url="type.example/Req", options=[protobuf_type.Option(name="o")])
    request = plugin.CodeGeneratorRequest(file_to_generate=["a.proto"], proto_file=[file])
    return Bundle(
        name="b", file=file, apis=[api.Api(name="svc", methods=[method])], request=request,
        kind=protobuf_type.Field.Kind.TYPE_STRING, either=api.Method(name="Put"),
    )  # fmt: skip


def test_a_field_of_a_ddl_protobuf_class_names_protobufs_type_and_imports_its_file() -> None:
    text = render([Bundle], "ddl_render_shipped")
    assert 'syntax = "proto3";' in text
    imports = ["google/protobuf/api.proto", "google/protobuf/compiler/plugin.proto", "google/protobuf/descriptor.proto"]
    assert "".join(f'import "{path}";\n' for path in [*imports, "google/protobuf/type.proto"]) in text
    assert "  google.protobuf.FileDescriptorProto file = 2;\n" in text
    assert "  repeated google.protobuf.Api apis = 3;\n" in text
    assert "  google.protobuf.compiler.CodeGeneratorRequest request = 4;\n" in text
    assert "  google.protobuf.Field.Kind kind = 5;\n" in text
    assert "    google.protobuf.DescriptorProto either_descriptor_proto = 6;\n" in text
    assert text.count("message ") == 1  # Bundle alone: none of protobuf's messages is copied


def test_protoc_code_reads_ddl_bytes_with_protobufs_own_classes_and_back(engine: Engine) -> None:
    pbcls = compile_rendered(render([Bundle], "ddl_render_shipped")).Bundle
    value = a_bundle()
    parsed = pbcls.FromString(engine.encode(value))
    assert list(UnknownFieldSet(parsed)) == []
    assert type(parsed.file) is descriptor_pb2.FileDescriptorProto
    assert parsed.file == descriptor_pb2.FileDescriptorProto.FromString(descriptor_pb2.DESCRIPTOR.serialized_pb)
    assert parsed.request.proto_file[0] == parsed.file and isinstance(parsed.request, plugin_pb2.CodeGeneratorRequest)
    method = api_pb2.Method(name="Get", request_type_url="type.example/Req", options=[type_pb2.Option(name="o")])
    assert parsed.apis[0] == api_pb2.Api(name="svc", methods=[method])
    assert parsed.kind == type_pb2.Field.Kind.TYPE_STRING
    assert parsed.WhichOneof("either") == "either_method" and parsed.either_method == api_pb2.Method(name="Put")
    assert engine.decode(parsed.SerializeToString(), Bundle) == value


class Edited(ddl.Message):
    edition: descriptor.Edition | None = None
    labels: list[descriptor.FieldDescriptorProto.Label] = []
    either: descriptor.FieldDescriptorProto.Type | str | None = None
    support: plugin.CodeGeneratorResponse.Feature | None = ddl.field(default=None, oneof="extra")
    note: str | None = ddl.field(default=None, oneof="extra")


def test_a_closed_enum_of_protobufs_proto2_files_makes_an_edition_2023_field_with_presence(engine: Engine) -> None:
    text = render([Edited], "ddl_render_closed")
    assert 'edition = "2023";' in text
    assert "  google.protobuf.Edition edition = 1 [features.field_presence = EXPLICIT];\n" in text
    assert "  repeated google.protobuf.FieldDescriptorProto.Label labels = 2;\n" in text
    assert "    google.protobuf.compiler.CodeGeneratorResponse.Feature support = 5;\n" in text
    pbcls = compile_rendered(text).Edited
    label = descriptor.FieldDescriptorProto.Label
    value = Edited(
        edition=descriptor.Edition.EDITION_UNKNOWN, labels=[label.LABEL_REPEATED, label.LABEL_OPTIONAL],
        either=descriptor.FieldDescriptorProto.Type.TYPE_GROUP,
        support=plugin.CodeGeneratorResponse.Feature.FEATURE_SUPPORTS_EDITIONS,
    )  # fmt: skip
    parsed = pbcls.FromString(engine.encode(value))
    assert list(UnknownFieldSet(parsed)) == []
    assert parsed.HasField("edition") and parsed.edition == descriptor_pb2.Edition.EDITION_UNKNOWN
    assert list(parsed.labels) == [descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED, 1]
    assert parsed.either_type == descriptor_pb2.FieldDescriptorProto.TYPE_GROUP
    assert parsed.support == plugin_pb2.CodeGeneratorResponse.FEATURE_SUPPORTS_EDITIONS
    assert engine.decode(parsed.SerializeToString(), Edited) == value


class Mapped(ddl.Message):
    types: dict[str, descriptor.FieldDescriptorProto.Type] = {}


def test_a_closed_enum_where_protobuf_cannot_put_one_is_an_error() -> None:
    with pytest.raises(ddl.SchemaError, match=r"Implicit.edition: a field of the closed enum Edition has presence"):

        class Implicit(ddl.Message):
            edition: descriptor.Edition = descriptor.Edition.EDITION_UNKNOWN

        render([Implicit], "x")
    with pytest.raises(RenderError, match=r"Mapped.types: a map value of the closed enum FieldDescriptorProto.Type"):
        render([Mapped], "x")


def test_a_ddl_protobuf_class_itself_is_not_rendered_again() -> None:
    with pytest.raises(RenderError, match=r"is protobuf's own google.protobuf.FileDescriptorProto: a .proto imports"):
        render([descriptor.FileDescriptorProto], "x")


def test_every_ddl_protobuf_class_names_a_type_of_its_file_and_closed_enums_are_proto2s() -> None:
    files = descriptor_set(sorted(SHIPPED), [wkt_include()], source_info=False).file
    declared: dict[str, tuple[str, bool]] = {}  # full name -> (file, a closed enum)

    def walk(prefix: str, messages: list[descriptor_pb2.DescriptorProto], enums: list[object], fd: object) -> None:
        for e in enums:
            # protoc leaves a proto2 file's syntax empty; none of these files is in editions.
            declared[prefix + e.name] = (fd.name, fd.syntax in ("", "proto2"))  # type: ignore[attr-defined]
        for m in messages:
            declared[prefix + m.name] = (fd.name, False)
            walk(f"{prefix}{m.name}.", list(m.nested_type), list(m.enum_type), fd)

    for fd in files:
        walk(f"{fd.package}.", list(fd.message_type), list(fd.enum_type), fd)
    found = set()
    for proto, module_name in SHIPPED.items():
        for cls in _classes(importlib.import_module(module_name)):
            own = shipped(cls)
            assert own is not None and declared.get(own.name) == (proto, own.closed), cls
            found.add(own.name)
    assert found == {name for name, (proto, _) in declared.items() if proto in SHIPPED}


def _classes(module: ModuleType) -> list[type]:
    """The message and enum classes a module defines, nested ones too."""
    found = [v for v in vars(module).values() if isinstance(v, type) and v.__module__ == module.__name__]
    for cls in found:  # grows while read: each class adds the ones nested in it
        nested = [v for v in vars(cls).values() if isinstance(v, type)]
        found += [v for v in nested if v.__qualname__ == f"{cls.__qualname__}.{v.__name__}"]
    return [cls for cls in found if issubclass(cls, (ddl.Message, enum.Enum))]
