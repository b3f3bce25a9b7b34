"""ddl classes to .proto text, by walking their plans: what ddl writes is what the .proto says.

Example::

    print(render([Order], package="shop"))
"""

from __future__ import annotations

import enum
import importlib.util
import math
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from .. import wkt
from .._schema import (
    ClassSpec,
    ConvertedNode,
    EnumNode,
    FieldPlan,
    Kind,
    MapNode,
    MessageNode,
    Node,
    RepeatedNode,
    ScalarNode,
    UnionNode,
    WellKnownNode,
    WrapperNode,
    plan_for,
)
from .._schema._names import json_name_of, package_for, upper_snake
from .._service import service_plan
from .._types import ClosedEnum
from ._layout import (
    Decl,
    Imported,
    RenderError,
    Scope,
    assign_names,
    check_identifier,
    enclosing_message,
    is_union,
    pascal,
    reference,
    shipped,
    value_key,
)
from ._load import load_classes
from ._protoc import INSTALL_EXTRA, wkt_include
from ._services import render_service

__all__ = ["RenderError", "include_paths", "package_for", "render", "render_targets"]

WKT_IMPORTS = {
    "timestamp": "google/protobuf/timestamp.proto",
    "duration": "google/protobuf/duration.proto",
    "value": "google/protobuf/struct.proto",
    "struct": "google/protobuf/struct.proto",
    "date": "google/type/date.proto",
}
# ddl.wkt's classes are Google's own messages: referenced and imported, never written out.
_WKT_FILES = {
    "Any": "any",
    "Empty": "empty",
    "FieldMask": "field_mask",
    "Value": "struct",
    "ListValue": "struct",
    "NullValue": "struct",
    "DoubleValue": "wrappers",
    "FloatValue": "wrappers",
    "Int64Value": "wrappers",
    "UInt64Value": "wrappers",
    "Int32Value": "wrappers",
    "UInt32Value": "wrappers",
    "BoolValue": "wrappers",
    "StringValue": "wrappers",
    "BytesValue": "wrappers",
}
WKT_CLASSES: dict[type, tuple[str, str]] = {
    getattr(wkt, name): (f"google.protobuf.{name}", f"google/protobuf/{file}.proto")
    for name, file in _WKT_FILES.items()
}
_CONVERTED_NOTES = {"decimal": "Decimal: str(d), exact", "uuid": "UUID: its 16 bytes (UUID.bytes)"}
_INT32 = range(-(1 << 31), 1 << 31)


def render(classes: Sequence[type], package: str, source: str = "", services: Sequence[type] = ()) -> str:
    """The proto3 text for ``classes`` and every message and enum they reach, and a ``service``
    block for each ``ddl.Service`` declaration of ``services`` (whose package must be ``package``:
    a client calls a service by its full name).

    ``source`` names where the classes come from, for the header comment. proto3 has no groups,
    closed enums, required fields or default values: when a field is ``ddl.field(delimited=True)``,
    ``required=True`` or has a ``proto_default``, or an enum is a ``ddl.ClosedEnum``, the file is
    written in edition 2023 instead, with proto3's implicit presence as the file's default and
    each of those as a feature or option: ``features.message_encoding = DELIMITED``,
    ``features.field_presence = LEGACY_REQUIRED``, ``[default = ...]`` and
    ``option features.enum_type = CLOSED;``.

    Classes of ``ddl.wkt`` and ``ddl.protobuf`` are protobuf's own types: fields name them
    (``google.protobuf.FileDescriptorProto``) and the file imports theirs, never a copy.

    Example::

        text = render([User], package="accounts")
        assert "message User {" in text
    """
    plans = [service_plan(service) for service in services]
    for plan in plans:
        if plan.package != package:
            raise RenderError(
                f"service {plan.full_name} ({plan.cls.__module__}.{plan.cls.__qualname__}) is in package "
                f"{plan.package!r}, not the file's {package!r}: pass --package {plan.package}"
            )
    ends = [cls for plan in plans for m in plan.methods for cls in (m.request, m.response)]
    top, decls, imports = _collect([*classes, *(cls for cls in ends if _imported(cls) is None)])
    imports |= {found.file for found in map(_imported, ends) if found is not None}
    package_scope = Scope()
    assign_names(top, package_scope)
    needs = _beyond_proto3(decls.values())
    editions = bool(needs)
    # A map's entries take the file's presence, and a closed enum value cannot be implicit.
    file_implicit = editions and not any(_closed_map_value(decl) for decl in decls.values())
    lines = [
        f"// The protobuf schema of ddl classes{' from ' + source if source else ''}, written by `ddl proto`.",
        "// Field numbers, oneofs and wrapper messages follow ddl's type mapping.",
    ]
    if editions:
        presence = (
            "fields have proto3's implicit presence unless they say otherwise"
            if file_implicit
            else "fields have explicit presence unless they say IMPLICIT (a map of closed enum values needs it)"
        )
        lines += [
            "// Edition 2023, for what proto3 lacks:",
            f"// {', '.join(needs)};",
            f"// {presence}.",
            'edition = "2023";',
            "",
        ]
    else:
        lines += ['syntax = "proto3";', ""]
    if package:
        lines += [f"package {package};", ""]
    if imports:
        lines += [f'import "{path}";' for path in sorted(imports)] + [""]
    if file_implicit:
        lines += ["option features.field_presence = IMPLICIT;", ""]
    writer = _Writer(package, decls, {decl.name for decl in top}, editions)
    writer.file_implicit = file_implicit
    # Every enum's values are named first, in their scopes, for the [default = ...] that name one.
    writer.enum_values = _all_enum_values(top, package_scope, package)
    for decl in top:
        body = writer.enum(decl, writer.enum_values[decl]) if decl.is_enum else writer.message(decl)
        lines += [*body, ""]
    for plan in plans:
        lines += [*render_service(plan, lambda cls: _type_name(cls, decls, package)), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def render_targets(targets: Sequence[str], package: str | None = None) -> str:
    """The .proto text for the classes that ``targets`` (``MODULE[:CLASS]`` or a .py file) name.

    The package defaults to the first module's name.

    Example::

        text = render_targets(["examples.demo:Order"])
    """
    classes: list[type] = []
    services: list[type] = []
    modules: list[str] = []
    for target in targets:
        found, module = load_classes(target, services)
        classes += found
        modules.append(module)
    source = ", ".join(dict.fromkeys(modules))
    return render(classes, package_for(modules[0]) if package is None else package, source, services)


def include_paths() -> list[Path]:
    """The protoc ``-I`` folders for the imports ``render`` writes.

    ``google/protobuf/*.proto`` ship with grpcio-tools; ``google/type/date.proto`` ships with
    googleapis-common-protos, whose ``google.type.date_pb2`` generated code imports it.

    Example::

        argv = ["protoc", *(f"-I{p}" for p in include_paths()), "order.proto"]
    """
    try:
        spec = importlib.util.find_spec("google.type.date_pb2")
    except ModuleNotFoundError:  # no google.type package at all
        spec = None
    if spec is None or spec.origin is None:
        raise RenderError(f"google/type/date.proto needs googleapis-common-protos: {INSTALL_EXTRA}")
    return [wkt_include(), Path(spec.origin).resolve().parents[2]]


def _collect(roots: Sequence[type]) -> tuple[list[Decl], dict[type, Decl], set[str]]:
    """Every message and enum reachable from ``roots``, placed in the tree the .proto nests."""
    decls: dict[type, Decl] = {}
    top: list[Decl] = []
    imports: set[str] = set()
    queue = deque(roots)
    while queue:
        obj = queue.popleft()
        if obj in decls:
            continue
        own = shipped(obj)
        if own is not None:  # only a root gets here: references to it are imports
            raise RenderError(
                f"{obj.__module__}.{obj.__qualname__} is protobuf's own {own.name}: "
                f'a .proto imports it (import "{own.file}";) rather than declaring it again'
            )
        decl = decls[obj] = Decl(obj)
        outer = enclosing_message(obj)
        if outer is not None:
            queue.appendleft(outer)  # the enclosing message is rendered too, as the nested one's home
        else:
            top.append(decl)
        if decl.is_enum:
            continue
        for f in plan_for(obj).fields:
            for node in _walk(f.node):
                found = _imported(node.cls) if isinstance(node, (MessageNode, EnumNode)) else None
                if found is not None:
                    imports.add(found.file)
                elif isinstance(node, (MessageNode, EnumNode)):
                    queue.append(node.cls)
                elif isinstance(node, WellKnownNode):
                    imports.add(WKT_IMPORTS[node.name])
    for obj, decl in decls.items():
        outer = enclosing_message(obj)
        if outer is not None:
            decl.parent = decls[outer]
            decl.parent.children.append(decl)
    return top, decls, imports


def _type_name(cls: type, decls: dict[type, Decl], package: str) -> str:
    """How a file-level declaration (a service's rpc) names a message class."""
    found = _imported(cls)
    return found.name if found is not None else reference(decls[cls], [], package)


def _imported(cls: type) -> Imported | None:
    """What a class is in protobuf's own files (a class of ddl.wkt or ddl.protobuf), if anything."""
    if cls in WKT_CLASSES:
        return Imported(*WKT_CLASSES[cls])
    return shipped(cls)


def _beyond_proto3(decls: Iterable[Decl]) -> list[str]:
    """What proto3 cannot say that these classes use, each named as ddl spells it."""
    found = {
        "the group encoding (ddl.field(delimited=True))": False,
        "closed enums (ddl.ClosedEnum)": False,
        "required fields (required=True)": False,
        "default values (proto_default)": False,
        "strings unchecked as UTF-8 (verify_utf8=False)": False,
    }
    for decl in decls:
        if decl.is_enum:
            found["closed enums (ddl.ClosedEnum)"] |= issubclass(decl.obj, ClosedEnum)
            continue
        for f in plan_for(decl.obj).fields:
            delimited = any(isinstance(n, MessageNode) and n.delimited for n in _walk(f.node))
            found["the group encoding (ddl.field(delimited=True))"] |= delimited
            found["required fields (required=True)"] |= f.required
            # A closed enum of another file (ddl.protobuf's, say) needs the edition as much as one here.
            found["closed enums (ddl.ClosedEnum)"] |= any(isinstance(n, EnumNode) and n.closed for n in _walk(f.node))
            found["default values (proto_default)"] |= f.proto_default is not None
            unchecked = any(_unchecked_text(n) for n in _walk(f.node))
            found["strings unchecked as UTF-8 (verify_utf8=False)"] |= unchecked
    return [need for need, used in found.items() if used]


def _closed_map_value(decl: Decl) -> bool:
    """Whether a message has a map whose values are a closed enum (a wrapper's maps included)."""
    if decl.is_enum:
        return False
    nodes = [n for f in plan_for(decl.obj).fields for n in _walk(f.node)]
    return any(isinstance(n, MapNode) and isinstance(n.value, EnumNode) and n.value.closed for n in nodes)


def _all_enum_values(top: list[Decl], package_scope: Scope, package: str) -> dict[Decl, list[tuple[str, int, str]]]:
    """The values of every enum, named in the scope that encloses it (the package, or its message)."""
    values: dict[Decl, list[tuple[str, int, str]]] = {}
    where = f"package {package}" if package else "the file's top level"
    pending = [(decl, package_scope, where) for decl in top]
    while pending:
        decl, scope, where = pending.pop(0)
        if decl.is_enum:
            values[decl] = _enum_values(decl, scope, where)
        else:
            pending += [(child, decl.scope, f"message {decl.path}") for child in decl.children]
    return values


def _unchecked_text(node: Node) -> bool:
    """A string of ``ddl.field(verify_utf8=False)``: editions' ``utf8_validation = NONE``."""
    return isinstance(node, ScalarNode) and node.kind == Kind.STRING and not node.verify_utf8


def _holds_unchecked_text(node: Node) -> bool:
    """Whether a field's own values (not a wrapper message's, which says so itself) are such strings."""
    if isinstance(node, RepeatedNode):
        return _unchecked_text(node.elem)
    if isinstance(node, MapNode):
        return _unchecked_text(node.key) or _unchecked_text(node.value)
    return _unchecked_text(node)


UTF8_NONE = "features.utf8_validation = NONE"


def _walk(node: Node) -> Iterator[Node]:
    yield node
    if isinstance(node, RepeatedNode):
        yield from _walk(node.elem)
    elif isinstance(node, MapNode):
        yield from _walk(node.key)
        yield from _walk(node.value)
    elif isinstance(node, UnionNode):
        for member in node.members:
            yield from _walk(member)
    elif isinstance(node, WrapperNode):
        yield from _walk(node.inner.node)


def _enum_values(decl: Decl, scope: Scope, where: str) -> list[tuple[str, int, str]]:
    """(name, number, comment) per value, as the plan names and orders them (see
    ``EnumNode.value_numbers``). A closed enum keeps its order and needs no zero: its first value
    is what an absent field reads as."""
    cls: type[enum.IntEnum] = decl.obj
    node = EnumNode(cls)  # the plan's node: names as every executor has them (a root enum has no field)
    values: list[tuple[str, int, str]] = []
    keys: dict[str, tuple[str, int]] = {}
    for name, number in node.value_numbers.items():
        what = f"{cls.__qualname__}.{name}"
        if number not in _INT32:
            raise RenderError(f"{what} = {number}: enum values must fit in int32")
        check_identifier(name, what)
        seen = keys.setdefault(value_key(decl.name, name), (name, number))
        if seen[1] != number:
            raise RenderError(
                f"{cls.__qualname__}: protoc rejects values {seen[0]} and {name} in one enum, as their names match "
                f"once case, underscores and the prefix {upper_snake(decl.name)}_ are set aside; rename one"
            )
        scope.keep_value(name, decl, where)
        added = number == 0 and number not in node.by_number
        note = f"added: proto3 needs a zero value, and {cls.__qualname__} has none (ddl reads 0 as the int 0)"
        values.append((name, number, note if added else ""))
    return values


class _Writer:
    """Writes message and enum blocks; wrapper messages are nested in the message that needs them."""

    def __init__(self, package: str, decls: dict[type, Decl], top_names: set[str], editions: bool) -> None:
        self.package = package
        self.decls = decls
        # A wrapper named like a top-level type would capture the references to it.
        self.top_names = top_names
        # Written in edition 2023 (see ``render``): labels and options become features.
        self.editions = editions
        self.file_implicit = editions  # whether the file says IMPLICIT, else each implicit field does
        self.enum_values: dict[Decl, list[tuple[str, int, str]]] = {}

    def enum(self, decl: Decl, values: list[tuple[str, int, str]], indent: str = "") -> list[str]:
        lines = [f"{indent}enum {decl.name} {{"]
        if issubclass(decl.obj, ClosedEnum):
            lines.append(f"{indent}  option features.enum_type = CLOSED;")
        if len({number for _, number, _ in values}) < len(values):
            lines.append(f"{indent}  option allow_alias = true;")
        for name, number, note in values:
            lines.append(f"{indent}  {name} = {number};{'  // ' + note if note else ''}")
        return [*lines, f"{indent}}}"]

    def message(self, decl: Decl, indent: str = "") -> list[str]:
        body = _Body(self, decl)
        plan = plan_for(decl.obj)
        fields: list[str] = []
        for f in plan.fields:
            if f.oneof is None:
                fields += body.field(f, pascal(f.name if is_union(f) else f.proto_names[0]))
            elif f is plan.oneofs[f.oneof][0]:  # a oneof group's block stands where its first member does
                members = [line for m in plan.oneofs[f.oneof] for line in body.field(m, pascal(m.proto_names[0]))]
                fields += [f"oneof {f.oneof} {{", *("  " + line for line in members), "}"]
        nested: list[str] = []
        for child in decl.children:
            if child.is_enum:
                nested += self.enum(child, self.enum_values[child], indent + "  ")
            else:
                nested += self.message(child, indent + "  ")
        for block in body.wrappers:
            nested += [indent + "  " + line for line in block]
        own = [*_reserved_lines(decl.obj.__dict__["__ddl__"].spec), *fields]
        return [f"{indent}message {decl.name} {{", *nested, *(indent + "  " + line for line in own), f"{indent}}}"]


def _reserved_lines(spec: ClassSpec) -> list[str]:
    """``reserved 8, 20 to 29;`` and ``reserved "legacy_note";``: the class's ``reserved`` keyword."""
    lines = []
    if spec.reserved.numbers:
        spans = [str(r.start) if len(r) == 1 else f"{r.start} to {r.stop - 1}" for r in spec.reserved.numbers]
        lines.append(f"reserved {', '.join(spans)};")
    if spec.reserved.names:
        names = ", ".join(f'"{name}"' for name in spec.reserved.names)
        lines.append(f"reserved {names};")
    return lines


def proto_literal(value: object) -> str:
    """A scalar as .proto text writes it: ``true``, ``-inf``, ``"caf\\303\\251"`` (a string's
    UTF-8 and bytes as octal escapes, beyond printable ASCII).

    Example::

        assert proto_literal(b"\\x00a") == '"\\000a"'
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return "nan" if math.isnan(value) else "inf" if value > 0 else "-inf"
    if isinstance(value, (str, bytes)):
        raw = value.encode() if isinstance(value, str) else value
        return '"' + "".join(_proto_char(b) for b in raw) + '"'
    return str(value)


def _proto_char(byte: int) -> str:
    if byte in b'"\\':
        return "\\" + chr(byte)
    return chr(byte) if 32 <= byte < 127 else f"\\{byte:03o}"


def _is_delimited(node: Node) -> bool:
    return isinstance(node, MessageNode) and node.delimited


def _json_option(f: FieldPlan, i: int, name: str) -> str:
    """``json_name = "..."`` when field ``f``'s ``i``-th JSON name is not protobuf's default for
    ``name``, its name in the .proto; "" when it is."""
    own = f.json_names[i]
    return f"json_name = {proto_literal(own)}" if own != json_name_of(name) else ""


def _options(*pairs: str | bool) -> str:
    """A field's options, ``" [a = 1, b = 2]"``, from (option, wanted) pairs; "" when none is."""
    chosen = [str(pairs[i]) for i in range(0, len(pairs), 2) if pairs[i + 1]]
    return f" [{', '.join(chosen)}]" if chosen else ""


class _Body:
    """The fields of one message, and the wrapper messages they need (named in its scope)."""

    def __init__(self, writer: _Writer, decl: Decl) -> None:
        self.writer = writer
        self.decl = decl
        self.wrappers: list[list[str]] = []

    def field(self, f: FieldPlan, owner: str, scope: Scope | None = None) -> list[str]:
        """The lines of one field; ``owner`` prefixes the names of wrappers it needs."""
        scope = scope or self.decl.scope
        node = f.node
        if isinstance(node, UnionNode) and len(node.members) > 1:
            lines = [f"oneof {f.name} {{"]
            for i, (member, number) in enumerate(zip(node.members, f.numbers, strict=True)):
                type_name = self.type_of(member, owner, "member")
                # The plan's names, unless another field has them (see Scope.take_field).
                name, json = scope.take_field(f.proto_names[i], f.json_names[i], self._where(f))
                option = _options(
                    UTF8_NONE, _unchecked_text(member),
                    f"json_name = {proto_literal(json)}", json != json_name_of(name),
                )  # fmt: skip
                lines.append(f"  {type_name} {name} = {number}{option};{self._note(member)}")
            return [*lines, "}"]
        number, name = f.numbers[0], f.proto_names[0]
        json = _json_option(f, 0, name)
        editions = self.writer.editions
        if isinstance(node, RepeatedNode):
            options = _options(
                "features.repeated_field_encoding = EXPANDED" if editions else "packed = false", node.unpacked,
                "features.message_encoding = DELIMITED", _is_delimited(node.elem),
                UTF8_NONE, _holds_unchecked_text(node),
                json, bool(json),
            )  # fmt: skip
            elem = self.type_of(node.elem, owner, "item")
            return [f"repeated {elem} {name} = {number}{options};{self._note(node.elem)}"]
        if isinstance(node, MapNode):
            closed = node.value if isinstance(node.value, EnumNode) and node.value.closed else None
            if closed is not None and int(closed.zero) != 0:
                # An absent map value reads as the enum's first member; protoc wants it to be 0.
                raise RenderError(
                    f"{self._where(f)}: a map value of the closed enum {closed.cls.__qualname__} needs 0 as "
                    "its first member, as protoc requires"
                )
            value = self.type_of(node.value, owner, "value")
            options = _options(UTF8_NONE, _holds_unchecked_text(node), json, bool(json))
            return [f"map<{node.key.proto}, {value}> {name} = {number}{options};{self._note(node.value)}"]
        # A oneof member has presence without the label; a required field has its own feature.
        explicit = f.presence and f.oneof is None and not f.required
        plain = isinstance(node, (ScalarNode, EnumNode, ConvertedNode))  # a message always has presence
        label = "optional " if explicit and plain and not editions else ""
        options = _options(
            "features.field_presence = LEGACY_REQUIRED", f.required,
            "features.field_presence = EXPLICIT", explicit and plain and editions and self.writer.file_implicit,
            "features.field_presence = IMPLICIT", not (f.presence or self.writer.file_implicit) and plain and editions,
            "features.message_encoding = DELIMITED", _is_delimited(node),
            f"default = {self._default(f)}" if f.proto_default is not None else "", f.proto_default is not None,
            UTF8_NONE, _holds_unchecked_text(node),
            json, bool(json),
        )  # fmt: skip
        return [f"{label}{self.type_of(node, owner, 'field')} {name} = {number}{options};{self._note(node)}"]

    def _default(self, f: FieldPlan) -> str:
        """A ``proto_default`` as the value of .proto's ``[default = ...]``."""
        value, node = f.proto_default, f.node
        if isinstance(node, UnionNode):  # X | None
            node = node.members[0]
        if isinstance(node, EnumNode):
            values = self.writer.enum_values[self.writer.decls[node.cls]]
            return next(name for name, number, _ in values if number == value)
        return proto_literal(value)

    def type_of(self, node: Node, owner: str, role: str) -> str:
        """The .proto type of a singular node; a wrapper message is made on first use."""
        if isinstance(node, ScalarNode):
            return node.proto
        if isinstance(node, ConvertedNode):
            return node.base.proto
        if isinstance(node, WellKnownNode):
            return node.proto
        found = _imported(node.cls) if isinstance(node, (MessageNode, EnumNode)) else None
        if found is not None:
            return found.name
        if isinstance(node, (MessageNode, EnumNode)):
            return reference(self.writer.decls[node.cls], self.decl.chain(), self.writer.package)
        if isinstance(node, WrapperNode):
            return self._wrapper(node, owner, role)
        raise AssertionError(f"not a singular node: {node!r}")  # the planner wraps every other shape

    def _wrapper(self, node: WrapperNode, owner: str, role: str) -> str:
        if role == "item":
            suffix = "Item"
        elif role == "value":
            suffix = "Value"
        else:
            suffix = "Map" if isinstance(node.inner.node, MapNode) else "List"
        name = self.decl.scope.take_type(owner + suffix, avoid=self.writer.top_names)
        slot = len(self.wrappers)
        self.wrappers.append([])  # the slot keeps an outer wrapper before the ones it holds
        scope = Scope()
        scope.keep_field(node.inner.name, name)
        inner = self.field(node.inner, name, scope)
        self.wrappers[slot] = [f"message {name} {{", *("  " + line for line in inner), "}"]
        return name

    def _where(self, f: FieldPlan) -> str:
        return f"{self.decl.obj.__qualname__}.{f.name}"

    @staticmethod
    def _note(node: Node) -> str:
        return f"  // {_CONVERTED_NOTES[node.name]}" if isinstance(node, ConvertedNode) else ""
