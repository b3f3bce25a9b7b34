"""Where each ddl type goes in a .proto file and what it is called there.

A class nested in a message class is a nested message; anything else is top level. Every name
is taken from a ``Scope`` that knows which names are used already, so two ``Point`` classes from
different modules, or a wrapper whose name a user class already has, never collide: the later one
gets a longer name. Names are given in a fixed order, so the same classes always give the same
.proto.
"""

from __future__ import annotations

import enum
import re
import sys
from dataclasses import dataclass, field

from .._schema import FieldPlan, UnionNode, is_message_class
from .._schema._names import json_name_of, upper_snake
from ._gen._names import SHIPPED

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


# ddl.protobuf's modules and the files of protobuf's they mirror (``ddl gen`` wrote them from there).
_SHIPPED_FILES = {module: proto for proto, module in SHIPPED.items()}
# Those files' packages, where not google.protobuf.
_SHIPPED_PACKAGES = {
    "ddl.protobuf.plugin": "google.protobuf.compiler",
    "ddl.protobuf.cpp_features": "pb",
    "ddl.protobuf.go_features": "pb",
    "ddl.protobuf.java_features": "pb",
}
# Those written in proto2: their enums are closed, and a proto3 field cannot have a closed enum's type.
_SHIPPED_PROTO2 = frozenset(
    {"ddl.protobuf.descriptor", "ddl.protobuf.plugin", "ddl.protobuf.cpp_features", "ddl.protobuf.go_features",
     "ddl.protobuf.java_features"}
)  # fmt: skip


@dataclass(frozen=True)
class Imported:
    """A type that one of protobuf's own files declares: fields name it, and the file is imported."""

    name: str  # the full name, google.protobuf.FileDescriptorProto
    file: str  # google/protobuf/descriptor.proto
    closed: bool = False  # an enum of a proto2 file


def shipped(obj: type) -> Imported | None:
    """What a class of ``ddl.protobuf`` is in protobuf's own files; None for any other class.

    Those classes are ``ddl gen``'s copies of protobuf's messages and enums, so a .proto refers
    to the originals rather than declaring them again (another copy would be another type).
    """
    proto = _SHIPPED_FILES.get(obj.__module__)
    if proto is None:
        return None
    package = _SHIPPED_PACKAGES.get(obj.__module__, "google.protobuf")
    closed = issubclass(obj, enum.Enum) and obj.__module__ in _SHIPPED_PROTO2
    return Imported(f"{package}.{obj.__qualname__}", proto, closed)


class RenderError(Exception):
    """The classes have no faithful .proto form; the message names the class and the reason."""


class Scope:
    """The names used in one proto scope: the package, or the inside of one message.

    Types, fields and the values of the enums declared in the scope share one namespace in
    protobuf. proto3 also rejects two fields whose JSON names match (``foo_bar`` and ``fooBar``),
    so fields are checked on that too.
    """

    def __init__(self) -> None:
        self.symbols: set[str] = set()
        self.types: set[str] = set()
        self._json: dict[str, str] = {}
        self._values: dict[str, Decl] = {}  # enum value names, and their enum

    def take_type(self, *choices: str, avoid: set[str] | frozenset[str] = frozenset()) -> str:
        """The first free name of ``choices``, or the last one with a number appended."""
        name = self._first_free(choices, lambda n: n in self.symbols or n in avoid)
        self.symbols.add(name)
        self.types.add(name)
        return name

    def take_field(self, wanted: str, json: str, what: str) -> tuple[str, str]:
        """A name for a field the scope may rename (a union's member): ``wanted``, or on a clash
        ``wanted`` with a number appended, and its JSON name. That stays ``json`` (what ddl's
        plan says) while no other field has it; otherwise it follows the name taken."""
        if json in self._json:
            name = self._first_free((wanted,), lambda n: n in self.symbols or json_name_of(n) in self._json, "_")
            json = json_name_of(name)
        else:
            name = self._first_free((wanted,), lambda n: n in self.symbols, "_")
        self.keep_field(name, what, json)
        return name, json

    def keep_field(self, name: str, what: str, json: str | None = None) -> None:
        """Record a field whose name is fixed: the .proto name of a ddl field (``what`` is
        Class.field), with its JSON name (``json``; None: protobuf's default for ``name``)."""
        json = json_name_of(name) if json is None else json
        other = self._json.get(json)
        if other is not None:
            raise RenderError(
                f"{what}: proto3 rejects two fields whose JSON names match ({name} and {other} are both "
                f"{json}); rename one"
            )
        self.symbols.add(name)
        self._json[json] = name

    def keep_value(self, name: str, enum: Decl, where: str) -> None:
        """Record an enum value's name, which the plan fixes. protoc puts enum values in the scope
        that encloses their enum (``where``: the package, or a message), beside its types and
        fields, so two enums there with a value of the same name clash, as does a value named
        like a type or field there."""
        other = self._values.get(name)
        prefixed = f"{upper_snake(enum.name)}_{name}"
        if other is not None and other is not enum:
            raise RenderError(
                f"{other.obj.__qualname__} and {enum.obj.__qualname__} both have a value named {name}, and protoc "
                f"puts enum values in the scope around the enum ({where}), where they clash: prefix the members "
                f"({prefixed}), or nest one enum in the message class that uses it"
            )
        if other is None and name in self.symbols:
            raise RenderError(
                f"{enum.obj.__qualname__}: its value {name} is also the name of a type or field in the scope "
                f"around the enum ({where}), where protoc puts enum values: rename the member ({prefixed})"
            )
        self.symbols.add(name)
        self._values[name] = enum

    @staticmethod
    def _first_free(choices: tuple[str, ...], taken: object, sep: str = "") -> str:
        assert callable(taken)
        for choice in choices:
            if not taken(choice):
                return choice
        n = 2
        while taken(f"{choices[-1]}{sep}{n}"):
            n += 1
        return f"{choices[-1]}{sep}{n}"


@dataclass(eq=False)
class Decl:
    """A ddl message class or IntEnum as it appears in the .proto."""

    obj: type
    parent: Decl | None = None
    children: list[Decl] = field(default_factory=list)
    name: str = ""
    scope: Scope = field(default_factory=Scope)

    @property
    def is_enum(self) -> bool:
        return issubclass(self.obj, enum.Enum)

    @property
    def path(self) -> str:
        """The dotted name relative to the package: ``Outer.Inner``."""
        return f"{self.parent.path}.{self.name}" if self.parent else self.name

    def chain(self) -> list[Decl]:
        """This message and the messages around it, innermost first."""
        return [self, *(self.parent.chain() if self.parent else [])]


def enclosing_message(obj: type) -> type | None:
    """The message class ``obj`` is defined in (``Outer`` for ``Outer.Inner``), if any."""
    parts = obj.__qualname__.split(".")
    if len(parts) < 2 or "<locals>" in parts:
        return None
    outer: object = sys.modules.get(obj.__module__)
    for part in parts[:-1]:
        outer = getattr(outer, part, None)
    return outer if is_message_class(outer) and getattr(outer, parts[-1], None) is obj else None  # type: ignore[return-value]


def assign_names(top: list[Decl], package_scope: Scope) -> None:
    """Name every declaration: types before enum values, outer scopes before inner ones."""
    for decl in top:
        base = _simple_name(decl.obj)
        module = pascal(decl.obj.__module__.rsplit(".", 1)[-1])
        decl.name = package_scope.take_type(base, module + base)
    for decl in top:
        _name_inside(decl, package_scope)


def _name_inside(decl: Decl, enclosing: Scope) -> None:
    if decl.is_enum:
        return
    from .._schema import plan_for

    for f in plan_for(decl.obj).fields:
        what = f"{decl.obj.__qualname__}.{f.name}"
        if is_union(f):  # a oneof, whose members are named where it is written
            check_identifier(f.name, what)
            decl.scope.symbols.add(f.name)
        else:
            check_identifier(f.proto_names[0], what)
            decl.scope.keep_field(f.proto_names[0], what, f.json_names[0])
    # oneof groups share the fields' names (ddl checked they differ from them): members of
    # unions named here must avoid them.
    for group in plan_for(decl.obj).oneofs:
        check_identifier(group, f"{decl.obj.__qualname__}: oneof group {group}")
        decl.scope.symbols.add(group)
    # protoc rejects a field with a reserved name, so oneof members named here must avoid them.
    decl.scope.symbols.update(decl.obj.__dict__["__ddl__"].spec.reserved.names)
    for child in decl.children:
        child.name = decl.scope.take_type(_simple_name(child.obj))
    for child in decl.children:
        _name_inside(child, decl.scope)


def is_union(f: FieldPlan) -> bool:
    """Whether a field is a union of several types: a oneof of its own, a member per type."""
    return isinstance(f.node, UnionNode) and len(f.node.members) > 1


def _simple_name(obj: type) -> str:
    name = obj.__qualname__.rsplit(".", 1)[-1]
    check_identifier(name, obj.__qualname__)
    return name


def check_identifier(name: str, what: str) -> None:
    if not _IDENT.match(name):
        raise RenderError(f"{what}: {name!r} is not a valid .proto identifier (ASCII letters, digits and _)")


def value_key(enum_name: str, value: str) -> str:
    """What protoc compares two values of one enum by (they may share it only with one number):
    the value's name without the enum's name as a prefix, case and underscores aside, in
    PascalCase (``COLOR_DARK_RED`` and ``DarkRed`` of ``Color`` are both ``DarkRed``)."""
    prefix = enum_name.replace("_", "").lower()
    i = j = 0
    while i < len(value) and j < len(prefix):
        if value[i] != "_":
            if value[i].lower() != prefix[j]:
                break
            j += 1
        i += 1
    rest = value
    if j == len(prefix):
        stripped = value[i:].lstrip("_")
        rest = stripped or value  # a value named like its enum keeps its name
    return "".join(part[:1].upper() + part[1:].lower() for part in rest.split("_"))


def pascal(name: str) -> str:
    """``order_items`` -> ``OrderItems``, the usual spelling of a message name."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_") if part) or "X"


def reference(target: Decl, site: list[Decl], package: str) -> str:
    """How code inside ``site`` (messages, innermost first) names ``target`` unambiguously.

    A type nested in one of those messages is named from there (``Inner`` inside ``Outer``).
    protoc looks a name's first part up from the innermost scope outwards, so a nested type of
    the same name would capture it; then the name is written in full, from the root.
    """
    for depth, enclosing in enumerate(site):
        if target.path.startswith(enclosing.path + "."):
            relative = target.path[len(enclosing.path) + 1 :]
            inner = site[:depth]
            break
    else:
        relative, inner = target.path, site
    first = relative.split(".", 1)[0]
    if any(first in decl.scope.types for decl in inner):
        return f".{package}.{target.path}" if package else f".{target.path}"
    return relative
