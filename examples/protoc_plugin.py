#!/usr/bin/env python3
"""A protoc plugin written with ddl: for each .proto it is given, a text file listing its messages
and their fields.

protoc runs a plugin as a program: it writes a ``CodeGeneratorRequest`` to the plugin's stdin and
reads a ``CodeGeneratorResponse`` from its stdout. ddl ships classes for both (``ddl.protobuf.plugin``,
with descriptor.proto's classes in ``ddl.protobuf.descriptor``), so the plugin is plain Python::

    python -m grpc_tools.protoc --plugin=protoc-gen-ddlx=examples/protoc_plugin.py --ddlx_out=out shop.proto

writes ``out/shop.fields.txt``. ``--ddlx_opt=numbers`` sorts each message's fields by number
instead of declaration order; any other parameter is an error that protoc reports.
"""

from __future__ import annotations

import sys

import ddl
from ddl.protobuf.descriptor import DescriptorProto, FieldDescriptorProto
from ddl.protobuf.plugin import CodeGeneratorRequest, CodeGeneratorResponse

Label = FieldDescriptorProto.Label
LABELS = {Label.LABEL_REPEATED: "repeated ", Label.LABEL_REQUIRED: "required "}


def field_line(field: FieldDescriptorProto) -> str:
    """``  3 repeated string tags``: the number, label, type and name of one field."""
    label = LABELS.get(field.label, "") if field.label is not None else ""
    if field.type_name:  # a message or enum: its full name, as protoc resolved it
        kind = field.type_name.removeprefix(".")
    elif field.type is not None:  # a scalar: TYPE_STRING is "string"
        kind = FieldDescriptorProto.Type(field.type).name.removeprefix("TYPE_").lower()
    else:  # protoc resolves every field's type before it runs a plugin
        kind = "unresolved"
    return f"  {field.number} {label}{kind} {field.name}"


def message_lines(message: DescriptorProto, prefix: str, by_number: bool) -> list[str]:
    """One ``message`` line per message (nested ones after their parent), then its fields."""
    name = f"{prefix}.{message.name}" if prefix else message.name or ""
    fields = sorted(message.field, key=lambda f: f.number or 0) if by_number else message.field
    lines = [f"message {name}", *(field_line(f) for f in fields)]
    for nested in message.nested_type:
        if not (nested.options and nested.options.map_entry):
            lines += message_lines(nested, name, by_number)
    return lines


def respond(request: CodeGeneratorRequest) -> CodeGeneratorResponse:
    """The listing of every file protoc asked for, or an error naming a parameter it does not know."""
    if request.parameter not in (None, "", "numbers"):
        return CodeGeneratorResponse(error=f"unknown parameter {request.parameter!r} (known: numbers)")
    files = {f.name: f for f in request.proto_file}
    out = []
    for name in request.file_to_generate:
        proto = files[name]
        lines = [f"file {name}"]
        for message in proto.message_type:
            lines += message_lines(message, proto.package or "", request.parameter == "numbers")
        content = "\n".join(lines) + "\n"
        out.append(CodeGeneratorResponse.File(name=name.removesuffix(".proto") + ".fields.txt", content=content))
    # proto3 `optional` fields are fine here: the listing does not depend on presence.
    features = CodeGeneratorResponse.Feature.FEATURE_PROTO3_OPTIONAL
    return CodeGeneratorResponse(file=out, supported_features=features)


def main() -> None:
    request = ddl.decode(sys.stdin.buffer.read(), CodeGeneratorRequest)
    sys.stdout.buffer.write(ddl.encode(respond(request)))


if __name__ == "__main__":
    main()
