"""One proto field as a ddl field: its annotation and its ``ddl.field(...)`` default.

Example::

    typer = Typer(index, "shop/order.proto", imports)
    typer.field(owner, field_descriptor)  # Field("qty", "ddl.int32", "ddl.field(number=3, default=0)")
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ._imports import Imports
from ._index import Index, TypeInfo
from ._names import enum_member_name, is_hidden
from ._wkt_forms import Place, form_of, imports_of, is_well_known

if TYPE_CHECKING:
    from google.protobuf.descriptor_pb2 import FieldDescriptorProto

LABEL_REPEATED, LABEL_REQUIRED = 3, 2
TYPE_GROUP, TYPE_MESSAGE, TYPE_ENUM, TYPE_STRING = 10, 11, 14, 9

# Scalar type number: (annotation, the Python type oneof members are told apart by, zero value)
_SCALARS: dict[int, tuple[str, str, str]] = {
    1: ("float", "float", "0.0"),
    2: ("ddl.float32", "float", "0.0"),
    3: ("int", "int", "0"),
    4: ("ddl.uint64", "int", "0"),
    5: ("ddl.int32", "int", "0"),
    6: ("ddl.fixed64", "int", "0"),
    7: ("ddl.fixed32", "int", "0"),
    8: ("bool", "bool", "False"),
    9: ("str", "str", '""'),
    12: ("bytes", "bytes", 'b""'),
    13: ("ddl.uint32", "int", "0"),
    15: ("ddl.sfixed32", "int", "0"),
    16: ("ddl.sfixed64", "int", "0"),
    17: ("ddl.sint32", "int", "0"),
    18: ("ddl.sint64", "int", "0"),
}
_LENGTH_DELIMITED = (9, 11, 12)


@dataclass
class Form:
    """A value's annotation, the Python type a oneof tells it apart by, and whether it is a class.

    Only classes go on either side of ``|``: between typing forms, ``|`` passes through
    typing's cache, which can return an equal union built earlier with its members in another
    order, and the order of a oneof's members gives their field numbers.
    """

    text: str
    key: str
    plain: bool


@dataclass
class Field:
    """A rendered field: ``name: annotation = default``, with notes for its docstring and comment."""

    name: str
    annotation: str
    default: str
    doc: list[str] = field(default_factory=list)
    comment: list[str] = field(default_factory=list)
    noqa: str = ""


class Unsupported(Exception):
    """A field type ddl gen has no form for; the caller adds where the field is."""


def is_packable(f: FieldDescriptorProto) -> bool:
    return f.label == LABEL_REPEATED and f.type not in _LENGTH_DELIMITED and f.type != TYPE_GROUP


class Typer:
    """Annotations and defaults for the fields of one file's messages."""

    def __init__(self, index: Index, file: str, imports: Imports) -> None:
        self.index = index
        self.imports = imports
        self.proto3 = index.files[file].syntax == "proto3"

    def ref(self, info: TypeInfo, owner: TypeInfo) -> str:
        """A message or enum class as the generated module names it from inside ``owner``."""
        if info.module != self.imports.module:
            if is_hidden(info.file, self.index.package):
                # Modules under google/protobuf/ could never be imported: protobuf's package owns it.
                raise Unsupported(
                    f"{info.full_name[1:]} is declared in {info.file}, and a module there would be hidden by "
                    "protobuf's package google.protobuf (generate with --python-package PKG to put it in PKG)"
                )
            return f"{self.imports.alias(info.module)}.{info.qualname}"
        top, _, rest = info.qualname.partition(".")
        if self._shadows(owner, top):
            return self.imports.top_alias(top) + (f".{rest}" if rest else "")
        return info.qualname

    def _shadows(self, owner: TypeInfo, top: str) -> bool:
        """Whether ``top`` means something else in ``owner``'s body than at module level."""
        own = owner.qualname.rsplit(".", 1)[-1]
        nested = {i.qualname.rsplit(".", 1)[-1] for i in self.index.types.values() if i.parent == owner.full_name}
        return top in nested or (top == own and owner.parent is not None)

    def form(self, f: FieldDescriptorProto, place: Place, owner: TypeInfo) -> Form:
        """The annotation of one value of ``f``, without its container or ``| None``."""
        if f.type in _SCALARS:
            text, key, _ = _SCALARS[f.type]
            return Form(text, key, "." not in text)
        if is_well_known(f.type_name):
            text = form_of(f.type_name, place)
            self.imports.need(*imports_of(text))
            return Form(text, text, not text.startswith(("dict", "typing")))
        return Form(self.ref(self.index.types[f.type_name], owner), f.type_name, True)

    def field(self, owner: TypeInfo, f: FieldDescriptorProto, name: str) -> Field:
        """A field that is not a oneof member: repeated, map, with presence, or plain proto3."""
        entry = self.index.types.get(f.type_name)
        if f.label == LABEL_REPEATED and entry is not None and entry.is_map_entry:
            return self._map(owner, f, name, entry)
        if f.label == LABEL_REPEATED:
            elem = self.form(f, Place.ELEMENT, owner)
            return Field(name, f"list[{elem.text}]", f"ddl.field(number={f.number}, default_factory=list)")
        value = self.form(f, Place.FIELD, owner)
        if self.has_presence(f):
            if f.label == LABEL_REQUIRED:
                return Field(name, f"{value.text} | None", f"ddl.field(number={f.number})")
            return Field(name, f"{value.text} | None", f"ddl.field(number={f.number}, default=None)")
        return Field(name, value.text, f"ddl.field(number={f.number}, {self._zero(owner, f)})")

    def has_presence(self, f: FieldDescriptorProto) -> bool:
        return not self.proto3 or f.proto3_optional or f.type == TYPE_MESSAGE

    def _map(self, owner: TypeInfo, f: FieldDescriptorProto, name: str, entry: TypeInfo) -> Field:
        assert entry.message is not None
        key, value = entry.message.field
        place = Place.STRING_MAP_VALUE if key.type == TYPE_STRING else Place.MAP_VALUE
        text = f"dict[{self.form(key, place, owner).text}, {self.form(value, place, owner).text}]"
        return Field(name, text, f"ddl.field(number={f.number}, default_factory=dict)")

    def _zero(self, owner: TypeInfo, f: FieldDescriptorProto) -> str:
        if f.type != TYPE_ENUM:
            return f"default={_SCALARS[f.type][2]}"
        if is_well_known(f.type_name):
            return f"default={self.form(f, Place.FIELD, owner).text}.NULL_VALUE"
        info = self.index.types[f.type_name]
        assert info.enum is not None
        first = next((v for v in info.enum.value if v.number == 0), info.enum.value[0])
        member = enum_member_name(first.name)
        if info.module != self.imports.module or info.parent is None:
            return f"default={self.ref(info, owner)}.{member}"
        if info.parent == owner.full_name:  # a class body sees the classes defined before in it
            return f"default={info.qualname.rsplit('.', 1)[-1]}.{member}"
        # The enum's enclosing class may not exist yet while this class body runs: look it up later.
        return f"default_factory=lambda: {info.qualname}.{member}"
