"""Every message and enum in a FileDescriptorSet, by full name, with its Python name and place.

What a field or enum means on the wire (presence, packing, the group encoding, closed enums) is
asked of protobuf's own descriptors, built from the same set: they resolve proto2's and proto3's
rules and editions' features (file, then message, then field, over the edition's defaults)
exactly as protobuf's runtime does.

Example::

    index = Index(descriptor_set(["shop/order.proto"], ["protos"]))
    info = index.types[".shop.Order.Line"]
    print(info.module, info.qualname)     # shop.order_ddl Order.Line
    print(index.resolved(info, info.message.field[0]).has_presence)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ._names import module_name, py_name
from ._source import FILE_ENUM, FILE_MESSAGE, MESSAGE_ENUM, MESSAGE_NESTED, Path

if TYPE_CHECKING:
    from google.protobuf.descriptor import FieldDescriptor
    from google.protobuf.descriptor_pb2 import (
        DescriptorProto,
        EnumDescriptorProto,
        FieldDescriptorProto,
        FileDescriptorProto,
        FileDescriptorSet,
    )


@dataclass(eq=False)
class TypeInfo:
    """A message or enum: where it is declared and what the generated code calls it."""

    full_name: str  # ".pkg.Outer.Inner", as fields refer to it
    file: str
    module: str
    qualname: str  # "Outer.Inner"
    parent: str | None  # the enclosing message's full name
    path: Path  # in the file's source info
    message: DescriptorProto | None = None
    enum: EnumDescriptorProto | None = None

    @property
    def is_map_entry(self) -> bool:
        return self.message is not None and self.message.options.map_entry


class Index:
    """The types of every file in the set, and the files themselves by name."""

    def __init__(self, files: FileDescriptorSet, package: str = "") -> None:
        from google.protobuf.descriptor_pool import DescriptorPool

        self.files: dict[str, FileDescriptorProto] = {f.name: f for f in files.file}
        self.types: dict[str, TypeInfo] = {}
        #: The Python package every generated module goes in ("" for none: ``--python-package``).
        self.package = package
        # A pool of its own: the set may hold its own copy of descriptor.proto, which the default
        # pool has already.
        self.pool = DescriptorPool()
        #: Files the pool refuses (a proto2 file whose JSON names clash, say), with its reason:
        #: they cannot be generated, as their fields cannot be resolved; the others still can.
        self.refused: dict[str, str] = {}
        for fd in files.file:
            if any(dep in self.refused for dep in fd.dependency):
                self.refused[fd.name] = "a file it imports is refused"
                continue
            try:
                self.pool.Add(fd)
            except TypeError as exc:
                self.refused[fd.name] = str(exc)
        for fd in files.file:
            prefix = f".{fd.package}" if fd.package else ""
            module = module_name(fd.name, package)
            for i, msg in enumerate(fd.message_type):
                self._message(fd.name, module, prefix, "", None, msg, (FILE_MESSAGE, i))
            for i, enum in enumerate(fd.enum_type):
                self._enum(fd.name, module, prefix, "", None, enum, (FILE_ENUM, i))

    def resolved(self, owner: TypeInfo, f: FieldDescriptorProto) -> FieldDescriptor:
        """protobuf's descriptor of field ``f`` of message ``owner``, its features resolved."""
        return self.pool.FindMessageTypeByName(owner.full_name[1:]).fields_by_number[f.number]

    def is_closed(self, info: TypeInfo) -> bool:
        """Whether an enum is closed: proto2's enums, and editions' ``enum_type = CLOSED``."""
        return bool(self.pool.FindEnumTypeByName(info.full_name[1:]).is_closed)

    def _message(
        self, file: str, module: str, prefix: str, qual: str, parent: str | None, msg: DescriptorProto, path: Path
    ) -> None:
        full = f"{prefix}.{msg.name}"
        qualname = f"{qual}{py_name(msg.name)}"
        self.types[full] = TypeInfo(full, file, module, qualname, parent, path, message=msg)
        for i, nested in enumerate(msg.nested_type):
            self._message(file, module, full, qualname + ".", full, nested, (*path, MESSAGE_NESTED, i))
        for i, enum in enumerate(msg.enum_type):
            self._enum(file, module, full, qualname + ".", full, enum, (*path, MESSAGE_ENUM, i))

    def _enum(
        self, file: str, module: str, prefix: str, qual: str, parent: str | None, enum: EnumDescriptorProto, path: Path
    ) -> None:
        full = f"{prefix}.{enum.name}"
        self.types[full] = TypeInfo(full, file, module, f"{qual}{py_name(enum.name)}", parent, path, enum=enum)
