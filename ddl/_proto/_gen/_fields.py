"""One proto field as a ddl field: its annotation and its ``ddl.field(...)`` default.

Example::

    typer = Typer(index, "shop/order.proto", imports)
    typer.field(owner, field_descriptor)  # Field("qty", "ddl.int32", "ddl.field(number=3, default=0)")

Fields of editions files say nothing of features: each is resolved onto the construct that
writes the same bytes (``X | None``, ``required=True``, ``packed=False``, ``delimited=True``,
``ddl.ClosedEnum``). ``json_format`` concerns JSON alone. Strings protobuf reads unchecked
(proto2's, and editions' ``utf8_validation = NONE``) are ``verify_utf8=False``.

A field keeps its .proto and JSON names: ``proto_name="class"`` where Python calls it otherwise
(``class_``), and ``json_name=`` where the .proto sets ``[json_name = "..."]``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..._schema._names import json_name_of
from ._defaults import literal
from ._imports import Imports
from ._index import Index, TypeInfo
from ._names import enum_member_name, is_hidden
from ._wkt_forms import Place, form_of, imports_of, is_well_known

if TYPE_CHECKING:
    from google.protobuf.descriptor_pb2 import FieldDescriptorProto

LABEL_REPEATED = 3
TYPE_GROUP, TYPE_ENUM, TYPE_STRING = 10, 14, 9
UTF8_NONE = 3  # FeatureSet.Utf8Validation.NONE

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
        self.file = file
        self.editions = index.files[file].syntax == "editions"

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
        info = self.index.types[f.type_name]
        if f.HasField("default_value") and info.parent == owner.full_name and info.module == self.imports.module:
            # The enum of a proto_default is checked while the class body runs, before the name
            # of the enclosing class exists: its own name in that body finds it.
            return Form(info.qualname.rsplit(".", 1)[-1], f.type_name, True)
        return Form(self.ref(info, owner), f.type_name, True)

    def field(self, owner: TypeInfo, f: FieldDescriptorProto, name: str) -> Field:
        """A field that is not a oneof member: repeated, map, required, with presence, or implicit.

        What the field means on the wire comes from protobuf's resolved descriptor, so proto2,
        proto3 and editions' features (``field_presence``, ``repeated_field_encoding``,
        ``message_encoding``) all arrive as the same few facts.
        """
        resolved = self.index.resolved(owner, f)
        entry = self.index.types.get(f.type_name)
        if f.label == LABEL_REPEATED and entry is not None and entry.is_map_entry:
            return self._map(owner, f, name, entry)
        extra = ", delimited=True" if resolved.type == TYPE_GROUP else ""  # written between group tags
        names = self.unchecked(f) + names_of(name, [f])
        if f.label == LABEL_REPEATED:
            elem = self.form(f, Place.ELEMENT, owner)
            if is_packable(f) and not resolved.is_packed:
                extra += ", packed=False"  # as protoc's code writes it (readers take both forms)
            return Field(
                name, f"list[{elem.text}]", f"ddl.field(number={f.number}, default_factory=list{extra}{names})"
            )
        value = self.form(f, Place.FIELD, owner)
        out = Field(name, value.text, "")
        extra += self.proto_default(owner, f, value.text, out.doc) + names
        if resolved.is_required:  # proto2's label, editions' LEGACY_REQUIRED
            out.default = f"ddl.field(number={f.number}, required=True{extra})"
        elif resolved.has_presence:
            out.annotation += " | None"
            out.default = f"ddl.field(number={f.number}, default=None{extra})"
        else:
            out.default = f"ddl.field(number={f.number}, {self._zero(owner, f)}{extra})"
        return out

    def unchecked(self, *fields: FieldDescriptorProto) -> str:
        """``, verify_utf8=False`` when a string among ``fields`` (a field, a map's key and value,
        a union's members) is one protobuf reads without checking its UTF-8, or ""."""
        if not any(f.type == TYPE_STRING and self._unvalidated(f) for f in fields):
            return ""
        return ", verify_utf8=False"

    def proto_default(self, owner: TypeInfo, f: FieldDescriptorProto, form: str, doc: list[str]) -> str:
        """``, proto_default=...`` for a field's ``[default = ...]``, or "". A default naming a
        member of an enum that the class body of ``owner`` cannot reach while it runs is left
        out, and ``doc`` says so."""
        resolved = self.index.resolved(owner, f)
        if not resolved.has_default_value:
            return ""
        if f.type != TYPE_ENUM:
            return f", proto_default={literal(f.type, f.default_value, resolved.default_value)}"
        member = enum_member_name(f.default_value)
        if is_well_known(f.type_name):
            return f", proto_default={form}.{member}"
        value = self._member(owner, self.index.types[f.type_name], member)
        if value is None:
            doc.append(f"[default = {f.default_value}]: not given as proto_default, as {form} is defined later.")
            return ""
        return f", proto_default={value}"

    def _unvalidated(self, f: FieldDescriptorProto) -> bool:
        """Whether protobuf takes any bytes in string field ``f``: every string of a proto2 file,
        and in editions those whose ``utf8_validation`` is NONE. The feature can be set on a field
        and on the file only (no message may set it; protoc copies a map field's onto its entry's
        key and value), so those two decide, as in protobuf. proto3 always checks."""
        fd = self.index.files[self.file]
        if fd.syntax == "editions":
            return (f.options.features.utf8_validation or fd.options.features.utf8_validation) == UTF8_NONE
        return fd.syntax in ("", "proto2")  # an empty syntax is proto2

    def _map(self, owner: TypeInfo, f: FieldDescriptorProto, name: str, entry: TypeInfo) -> Field:
        assert entry.message is not None
        key, value = entry.message.field
        place = Place.STRING_MAP_VALUE if key.type == TYPE_STRING else Place.MAP_VALUE
        text = f"dict[{self.form(key, place, owner).text}, {self.form(value, place, owner).text}]"
        names = self.unchecked(key, value) + names_of(name, [f])
        return Field(name, text, f"ddl.field(number={f.number}, default_factory=dict{names})")

    def _zero(self, owner: TypeInfo, f: FieldDescriptorProto) -> str:
        if f.type != TYPE_ENUM:
            return f"default={_SCALARS[f.type][2]}"
        if is_well_known(f.type_name):
            return f"default={self.form(f, Place.FIELD, owner).text}.NULL_VALUE"
        info = self.index.types[f.type_name]
        assert info.enum is not None
        first = next((v for v in info.enum.value if v.number == 0), info.enum.value[0])
        member = enum_member_name(first.name)
        now = self._member(owner, info, member)
        # The enum's enclosing class may not exist yet while this class body runs: look it up later.
        return f"default={now}" if now is not None else f"default_factory=lambda: {info.qualname}.{member}"

    def _member(self, owner: TypeInfo, info: TypeInfo, member: str) -> str | None:
        """``Enum.MEMBER`` as the class body of ``owner`` can name it while it runs, or None."""
        if info.module != self.imports.module or info.parent is None:
            return f"{self.ref(info, owner)}.{member}"
        if info.parent == owner.full_name:  # a class body sees the classes defined before in it
            return f"{info.qualname.rsplit('.', 1)[-1]}.{member}"
        top, own_top = self._top(info), self._top(owner)
        tops = [t for t in self.index.types.values() if t.file == info.file and t.parent is None]
        if tops.index(top) < tops.index(own_top) and not self._shadows(owner, top.qualname):
            return f"{info.qualname}.{member}"  # nested in a module-level class written earlier
        return None

    def _top(self, info: TypeInfo) -> TypeInfo:
        while info.parent is not None:
            info = self.index.types[info.parent]
        return info


def names_of(name: str, fields: list[FieldDescriptorProto], union: bool = False) -> str:
    """``, proto_name=...`` and ``, json_name=...`` for the ddl field ``name`` that stands for
    ``fields`` (one field, or a union's members), or "".

    A field's .proto name is said where the Python name differs (a keyword, ``class_``, or a
    oneof of one member, named after the oneof); a union's members always, as a tuple, since the
    default (``<field>_<type>``) is ddl proto's own spelling. A JSON name is said where the
    .proto sets one protoc would not derive from the field's name (``[json_name = "..."]``).
    """
    protos = [f.name for f in fields]
    jsons = [f.json_name if f.HasField("json_name") else json_name_of(f.name) for f in fields]
    out = ""
    if union:
        out += f", proto_name=({', '.join(map(_literal, protos))})"
    elif protos[0] != name:
        out += f", proto_name={_literal(protos[0])}"
    if jsons != [json_name_of(n) for n in protos]:
        out += f", json_name={_literal(jsons[0])}" if not union else f", json_name=({', '.join(map(_literal, jsons))})"
    return out


def _literal(text: str) -> str:
    """A Python string literal in double quotes, ASCII only (JSON's escapes are Python's too)."""
    return json.dumps(text)
