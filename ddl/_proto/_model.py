"""The parts of a FileDescriptorSet that ``ddl check`` compares: messages, fields and enums.

Types are named relative to their file's package (``Order.Line``), so that two versions of a
schema compare even when their packages differ, as a .proto and the ddl module it mirrors do.
The types of imported files are kept too, by full name, for the fields that use them: ``ddl
proto`` writes every class into one package, so a type one side imports is the other side's own.

Example::

    schema = Schema.of(descriptor_set(["shop.proto"]).file, ["shop.proto"])
    print(schema.messages["Order"].fields[3].spelled())
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .._schema._names import json_name_of

if TYPE_CHECKING:
    from google.protobuf.descriptor_pb2 import (
        DescriptorProto,
        EnumDescriptorProto,
        FeatureSet,
        FileDescriptorProto,
    )

# FieldDescriptorProto.Type numbers, as .proto spells them.
TYPE_NAMES = {
    1: "double", 2: "float", 3: "int64", 4: "uint64", 5: "int32", 6: "fixed64", 7: "fixed32", 8: "bool",
    9: "string", 10: "group", 11: "message", 12: "bytes", 13: "uint32", 14: "enum", 15: "sfixed32",
    16: "sfixed64", 17: "sint32", 18: "sint64",
}  # fmt: skip
_REPEATED, _REQUIRED = 3, 2
# FeatureSet values (descriptor.proto); 0 is "not set here".
_EXPLICIT, _IMPLICIT, _LEGACY_REQUIRED = 1, 2, 3
_LENGTH_PREFIXED, _DELIMITED = 1, 2
_OPEN, _CLOSED = 1, 2


@dataclass(frozen=True)
class _Features:
    """The editions features ``ddl check`` reads, as resolved for a file, a message or a field.
    proto2 and proto3 files get their syntax's fixed values."""

    presence: int  # FeatureSet.FieldPresence
    encoding: int  # FeatureSet.MessageEncoding
    enum_type: int  # FeatureSet.EnumType

    @classmethod
    def of_file(cls, fd: FileDescriptorProto) -> _Features:
        if fd.syntax == "editions":  # the defaults of editions 2023 and 2024
            return cls(_EXPLICIT, _LENGTH_PREFIXED, _OPEN).under(fd.options.features)
        if fd.syntax == "proto3":
            return cls(_IMPLICIT, _LENGTH_PREFIXED, _OPEN)
        return cls(_EXPLICIT, _LENGTH_PREFIXED, _CLOSED)

    def under(self, features: FeatureSet) -> _Features:
        """These features overridden by what a nested element sets."""
        return _Features(
            features.field_presence or self.presence,
            features.message_encoding or self.encoding,
            features.enum_type or self.enum_type,
        )


@dataclass(eq=False)
class Field:
    name: str
    number: int
    kind: str  # a scalar's name, or enum, message or group
    type_name: str  # the message or enum, relative to its package; "" for scalars
    repeated: bool = False
    required: bool = False
    presence: bool = False
    oneof: str | None = None  # a real oneof, not the synthetic one of proto3 `optional`
    map: tuple[Field, Field] | None = None
    default: str | None = None  # [default = ...], as protoc spells it (an enum value by name)
    json_name: str = ""  # the name JSON writes: protoc's lowerCamelCase of the name, or [json_name = ...]

    def type_text(self) -> str:
        if self.kind == "group":  # a message written between group tags
            return f"group {self.type_name}"
        return self.type_name or self.kind

    def spelled(self) -> str:
        """The type as .proto writes it: ``repeated int32``, ``map<string, Point>``, ``optional Color``."""
        if self.map:
            return f"map<{self.map[0].type_text()}, {self.map[1].type_text()}>"
        if self.repeated:
            return f"repeated {self.type_text()}"
        if self.presence and self.kind not in ("message", "group") and self.oneof is None:
            return f"optional {self.type_text()}"
        return self.type_text()


@dataclass(eq=False)
class Message:
    name: str  # relative to its own file's package
    full: str
    fields: dict[int, Field] = field(default_factory=dict)
    reserved: list[range] = field(default_factory=list)
    map_entry: bool = False

    def reserves(self, number: int) -> bool:
        return any(number in r for r in self.reserved)


@dataclass(eq=False)
class Enum:
    name: str
    full: str
    values: dict[int, list[str]] = field(default_factory=dict)
    numbers: dict[str, int] = field(default_factory=dict)
    reserved: list[range] = field(default_factory=list)
    closed: bool = False  # proto2's enums, editions' enum_type = CLOSED

    def reserves(self, number: int) -> bool:
        return any(number in r for r in self.reserved)


@dataclass(eq=False)
class Schema:
    """Every message and enum of some files, by name relative to the package, and those of the
    files they import (``imported_messages``, ``imported_enums``), by full name.

    A field's ``type_name`` is the key of its type in one of these: ``message`` and ``enum`` resolve it.
    """

    packages: list[str] = field(default_factory=list)
    messages: dict[str, Message] = field(default_factory=dict)
    enums: dict[str, Enum] = field(default_factory=dict)
    imported_messages: dict[str, Message] = field(default_factory=dict)
    imported_enums: dict[str, Enum] = field(default_factory=dict)

    @classmethod
    def of(cls, files: Sequence[FileDescriptorProto], names: Iterable[str]) -> Schema:
        """The types declared in the files called ``names``; the others' types resolve references."""
        wanted = set(names)
        schema = cls()
        relative: dict[str, str] = {}
        for fd in files:
            if fd.name in wanted:
                schema.packages.append(fd.package)
                prefix = f".{fd.package}." if fd.package else "."
                for m in fd.message_type:
                    _names(m, prefix, "", relative)
                for e in fd.enum_type:
                    relative[prefix + e.name] = e.name
        for fd in files:
            package = f"{fd.package}." if fd.package else ""
            features = _Features.of_file(fd)
            declared = fd.name in wanted
            for m in fd.message_type:
                schema._add_message(m, "", package, features, relative, declared)
            for e in fd.enum_type:
                schema._add_enum(e, e.name, package, features, relative, declared)
        return schema

    def message(self, type_name: str) -> Message:
        """The message (or group) a field's ``type_name`` names; protoc resolved them all."""
        return self.messages.get(type_name) or self.imported_messages[type_name]

    def enum(self, type_name: str) -> Enum:
        """The enum a field's ``type_name`` names."""
        return self.enums.get(type_name) or self.imported_enums[type_name]

    def _add_message(
        self, m: DescriptorProto, outer: str, package: str, features: _Features, relative: dict[str, str],
        declared: bool,
    ) -> None:  # fmt: skip
        name = f"{outer}{m.name}"
        own_name = relative.get(f".{package}{name}", package + name)  # as fields name it
        message = Message(name, package + name, map_entry=m.options.map_entry)
        (self.messages if declared else self.imported_messages)[own_name] = message
        message.reserved = [range(r.start, r.end) for r in m.reserved_range]
        features = features.under(m.options.features)
        for nested in m.nested_type:
            self._add_message(nested, name + ".", package, features, relative, declared)
        for e in m.enum_type:
            self._add_enum(e, f"{name}.{e.name}", package, features, relative, declared)
        entries = {f"{own_name}.{n.name}": n for n in m.nested_type if n.options.map_entry}
        for fd in m.field:
            own = features.under(fd.options.features)
            # Editions spell a group as a message field with features.message_encoding = DELIMITED.
            kind = "group" if fd.type == 11 and own.encoding == _DELIMITED else TYPE_NAMES[fd.type]
            type_name = relative.get(fd.type_name, fd.type_name.lstrip("."))
            real_oneof = fd.HasField("oneof_index") and not fd.proto3_optional
            entry = entries.get(type_name)
            if entry is not None and kind == "group":
                kind = "message"  # a map's entries are always length-prefixed
            f = Field(
                fd.name, fd.number, kind, type_name,
                repeated=fd.label == _REPEATED, required=fd.label == _REQUIRED or own.presence == _LEGACY_REQUIRED,
                presence=fd.proto3_optional or real_oneof or kind in ("message", "group")
                or (own.presence != _IMPLICIT and fd.label != _REPEATED),
                oneof=m.oneof_decl[fd.oneof_index].name if real_oneof else None,
                default=fd.default_value if fd.HasField("default_value") else None,
                json_name=fd.json_name if fd.HasField("json_name") else json_name_of(fd.name),
            )  # fmt: skip
            if entry is not None and f.repeated:
                key, value = sorted(entry.field, key=lambda e: e.number)
                value_type = relative.get(value.type_name, value.type_name.lstrip("."))
                f.map = (
                    Field(key.name, key.number, TYPE_NAMES[key.type], ""),
                    Field(value.name, value.number, TYPE_NAMES[value.type], value_type),
                )
            message.fields[fd.number] = f

    def _add_enum(
        self, e: EnumDescriptorProto, name: str, package: str, features: _Features, relative: dict[str, str],
        declared: bool,
    ) -> None:  # fmt: skip
        enum = Enum(name, package + name, closed=features.under(e.options.features).enum_type == _CLOSED)
        (self.enums if declared else self.imported_enums)[relative.get(f".{package}{name}", package + name)] = enum
        # Enum reserved ranges include their end, unlike message ones.
        enum.reserved = [range(r.start, r.end + 1) for r in e.reserved_range]
        for v in e.value:
            enum.values.setdefault(v.number, []).append(v.name)
            enum.numbers[v.name] = v.number


def _names(m: DescriptorProto, prefix: str, outer: str, relative: dict[str, str]) -> None:
    name = f"{outer}{m.name}"
    relative[prefix + name] = name
    for nested in m.nested_type:
        _names(nested, prefix, name + ".", relative)
    for e in m.enum_type:
        relative[f"{prefix}{name}.{e.name}"] = f"{name}.{e.name}"
