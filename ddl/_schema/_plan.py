"""The per-class plan: fields collected and numbered at class creation, resolved on first use.

``collect`` runs inside the metaclass. It checks every annotation's shape (unknown names become
placeholders) and assigns field numbers, so that schema mistakes fail at class creation.
``build_plan`` runs on first encode or decode, when forward references can be resolved.
"""

from __future__ import annotations

import array
import copy
import dataclasses
import functools
import gc
import re
import sys
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import CodeType, FrameType
from typing import Any

from .._binding import binding_of
from .._errors import SchemaError, shown
from .._types import MISSING, FieldInfo
from .._wire import MAX_FIELD_NUMBER as MAX_NUMBER
from ._nodes import (
    EnumNode,
    FieldPlan,
    Kind,
    MapNode,
    MessageNode,
    Node,
    RepeatedNode,
    ScalarNode,
    UnionNode,
    WrapperNode,
)
from ._registry import field_plan, message_classes, numbers_taken, resolve, type_name
from ._reserved import PROTOBUF_RESERVED, Reserved, ReservedItem
from ._resolve import Context, Namespace, is_pending, pending_type

_PROTO_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


@dataclass(eq=False)
class FieldSpec:
    """A field as declared: what ``__init__`` needs, and the numbers it takes on the wire."""

    name: str
    annotation: object
    default: Any
    factory: Callable[[], Any] | None
    numbers: tuple[int, ...]
    owner: ClassSpec
    packed: bool = True
    oneof: str | None = None  # the oneof group the field belongs to (``ddl.field(oneof=...)``)
    delimited: bool = False  # written as a group (``ddl.field(delimited=True)``)
    required: bool = False  # proto2's label (``ddl.field(required=True)``)
    proto_default: Any = None  # a .proto's ``[default = ...]`` (``ddl.field(proto_default=...)``)
    verify_utf8: bool = True  # ``ddl.field(verify_utf8=False)``: strings may hold any bytes
    proto_names: tuple[str, ...] = ()  # ``ddl.field(proto_name=...)``, one per number ((): the default)
    json_names: tuple[str, ...] = ()  # ``ddl.field(json_name=...)``, one per number ((): the default)

    @property
    def needs_argument(self) -> bool:
        """No default: ``__init__`` takes it as a required argument."""
        return self.default is MISSING and self.factory is None


@dataclass(eq=False)
class MessagePlan:
    """The compiled plan every engine executes. ``order`` merges its fields' ``order`` entries:
    (number, field, oneof member or -1) for every wire number, ascending, the order in which
    fields are written. ``oneofs`` holds the oneof groups (``ddl.field(oneof=...)``) by name, in
    the order first declared, each with its member fields in declaration order."""

    cls: type
    fields: list[FieldPlan]
    frozen: bool
    order: list[tuple[int, FieldPlan, int]] = field(default_factory=list)
    oneofs: dict[str, list[FieldPlan]] = field(default_factory=dict)
    #: A required field (``ddl.field(required=True)``) is in this class or in one it may hold,
    #: so a decoded message must be checked (``ddl._proto2.check_required``). Set by ``plan_for``.
    reaches_required: bool = False

    def __post_init__(self) -> None:
        self.order = sorted((entry for f in self.fields for entry in f.order), key=lambda entry: entry[0])
        for f in self.fields:
            if f.oneof is not None:
                self.oneofs.setdefault(f.oneof, []).append(f)


@dataclass(eq=False)
class ClassSpec:
    """What the metaclass records on each message class (as ``__ddl__.spec``, see ddl._binding)."""

    qualname: str
    fields: list[FieldSpec]
    frozen: bool
    kw_only: bool
    module: str
    namespace: dict[str, Any]
    scope: dict[str, Any] = field(default_factory=dict)
    scope_code: CodeType | None = None
    reserved: Reserved = field(default_factory=Reserved)  # its own and its bases'
    cls: type | None = None
    plan: MessagePlan | None = None

    def context(self, cls: type | None, field_name: str, pending: bool) -> Context:
        globalns: Mapping[str, Any] = getattr(sys.modules.get(self.module), "__dict__", {})
        local = {**self.scope, **_live_locals(self.scope_code), **self.namespace}
        if cls is not None:
            local.setdefault(cls.__name__, cls)
        else:
            local.setdefault(self.qualname.rsplit(".", 1)[-1], _self_placeholder(self.qualname))
        return Context(self.qualname, field_name, globalns, Namespace(local, globalns, pending))


def _live_locals(code: CodeType | None) -> dict[str, Any]:
    """The current locals of the defining function, if it is still running on some thread:
    this thread's stack first, then the others'."""
    if code is None:
        return {}
    found = _locals_in(sys._getframe(1), code)
    if found is None:
        for frame in _other_threads_frames():
            found = _locals_in(frame, code)
            if found is not None:
                break
    return found or {}


def _locals_in(frame: FrameType | None, code: CodeType) -> dict[str, Any] | None:
    while frame is not None:
        if frame.f_code is code:
            return dict(frame.f_locals)
        frame = frame.f_back
    return None


def _other_threads_frames() -> list[FrameType]:
    # CPython 3.11 deadlocks when a garbage collection starts inside sys._current_frames(),
    # which holds the runtime's thread-list lock, and frees a threading.local that needs the
    # same lock (seen here with a thread pool). The collector stays off for the call.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return list(sys._current_frames().values())
    finally:
        if enabled:
            gc.enable()


def _self_placeholder(qualname: str) -> type:
    return pending_type(qualname.rsplit(".", 1)[-1])


def _is_classvar(annotation: object) -> bool:
    if isinstance(annotation, str):
        return annotation.startswith(("ClassVar", "typing.ClassVar", "t.ClassVar"))
    return getattr(annotation, "__origin__", None) is typing.ClassVar


def _default_of(value: Any) -> tuple[Any, Callable[[], Any] | None, FieldInfo]:
    """A field's default and default factory, and its ``ddl.field`` options (the defaults of
    ``ddl.field`` for a plain value)."""
    info = value if isinstance(value, FieldInfo) else FieldInfo(None, value, None)
    default, factory = info.default, info.default_factory
    if info.oneof is not None and default is MISSING and factory is None:
        default = None  # a oneof member is absent unless set
    if isinstance(default, (list, dict, set, bytearray, array.array)):
        # A mutable default is copied for each instance, never shared between them.
        default, factory = MISSING, functools.partial(copy.copy, default)
    return default, factory, info


def collect(
    qualname: str,
    bases: tuple[type, ...],
    namespace: dict[str, Any],
    frozen: bool,
    kw_only: bool,
    scope: dict[str, Any],
    reserved: ReservedItem | Iterable[ReservedItem] = (),
) -> ClassSpec:
    """Collect, check and number the fields of a class being created; pops their defaults.

    ``scope`` holds the locals of the function the class is defined in, if any, so that
    postponed annotations can name classes local to that function. ``reserved`` is the class
    keyword: numbers and names no field may take, added to those of the bases.
    """
    inherited: list[FieldSpec] = []
    own = Reserved.of(qualname, reserved)
    reservations = Reserved()
    for base in bases:
        base_binding = binding_of(base)
        if base_binding is not None:
            base_spec = base_binding.spec
            inherited.extend(f for f in base_spec.fields if f.name not in {g.name for g in inherited})
            reservations |= base_spec.reserved
    spec = ClassSpec(qualname, list(inherited), frozen, kw_only, namespace.get("__module__", ""), namespace, scope)
    spec.reserved = reservations = reservations | own
    for f in inherited:  # the class may reserve what a base class still uses
        _check_not_reserved(qualname, f.name, f.numbers, reservations)
    used = {n: f.name for f in inherited for n in f.numbers}
    next_number = max(used, default=0) + 1
    for name, annotation in namespace.get("__annotations__", {}).items():
        if _is_classvar(annotation):
            continue
        if any(f.name == name for f in inherited):
            raise SchemaError(f"{qualname}.{name}: redefines a field of a base class")
        default, factory, info = _default_of(namespace.pop(name, MISSING))
        ctx = spec.context(None, name, pending=True)
        node = resolve(annotation, ctx)
        if info.oneof is not None:
            _check_member(ctx, info.oneof, node, default, factory)
        if info.delimited:
            delimited(node, annotation, ctx)  # checked now, applied by build_plan
        if info.required:
            _check_required(ctx, node, info)
        if info.proto_default is not None and not any(is_pending(c) for c in message_classes(node)):
            # A type not defined yet (an enum of an enclosing class) is checked by build_plan.
            _check_proto_default(ctx, node, info.proto_default, info.required)
        if not info.verify_utf8:
            unverified_text(node, annotation, ctx)  # checked now, applied by build_plan
        proto_names = _names_given(ctx, "proto_name", info.proto_name, numbers_taken(node))
        json_names = _names_given(ctx, "json_name", info.json_name, numbers_taken(node))
        count = numbers_taken(node)
        numbers = _numbers_for(ctx, info.number, count, next_number, reservations)
        _check_not_reserved(qualname, name, numbers, reservations)
        for number in numbers:
            if number in used:
                raise ctx.error(f"field number {number} is already taken by {used[number]!r}")
            used[number] = name
        next_number = max(used) + 1
        spec.fields.append(
            FieldSpec(
                name, annotation, default, factory, numbers, spec, info.packed, info.oneof, bool(info.delimited),
                bool(info.required), info.proto_default, bool(info.verify_utf8), proto_names, json_names,
            )
        )  # fmt: skip
    _check_oneof_names(spec)
    _check_argument_order(spec)
    return spec


def _check_member(ctx: Context, group: object, node: Node, default: Any, factory: Callable[[], Any] | None) -> None:
    """A member of a oneof group is one optional value (``X | None``) that starts as None."""
    if not isinstance(group, str) or not group.isidentifier():
        raise ctx.error(f"oneof group name must be an identifier, not {group!r}")
    if isinstance(node, UnionNode) and len(node.members) > 1:
        raise ctx.error(
            f"a member of oneof group {group!r} cannot be a union: declare each type as a field of the group"
        )
    if not (isinstance(node, UnionNode) and node.has_none):
        raise ctx.error(f"a member of oneof group {group!r} must be optional: annotate it as X | None")
    if default is not None or factory is not None:
        raise ctx.error(f"a member of oneof group {group!r} has the default None (leave the default out)")


def _names_given(ctx: Context, option: str, given: object, count: int) -> tuple[str, ...]:
    """``proto_name``/``json_name`` as one name per wire number: a str for a field of one number,
    a tuple of one per member for a union."""
    if given is None:
        return ()
    names = (given,) if count == 1 and isinstance(given, str) else given
    if not (isinstance(names, tuple) and len(names) == count and all(isinstance(n, str) and n for n in names)):
        shape = "a name" if count == 1 else f"a tuple of {count} names, one per union member"
        raise ctx.error(f"{option} must be {shape}, not {given!r}")
    if option == "proto_name" and not all(_PROTO_IDENT.match(n) for n in names):
        raise ctx.error(f"proto_name {given!r} is not a .proto identifier (ASCII letters, digits and _)")
    return names


def _check_required(ctx: Context, node: Node, info: FieldInfo) -> None:
    """proto2's ``required`` label is for one value: not a list, a map, a oneof or ``X | None``
    (whose None would be a value the field may not hold)."""
    if isinstance(node, UnionNode) or not node.singular or info.oneof is not None:
        raise ctx.error(
            "required=True applies to a field of one value, annotated X "
            "(not X | None, a list, a dict, a union or a oneof member)"
        )


def _check_proto_default(ctx: Context, node: Node, proto_default: object, required: bool) -> None:
    """A .proto's ``[default = ...]`` belongs to a field with presence, and is one of its values."""
    if isinstance(node, UnionNode) and len(node.members) == 1 and node.has_none:
        node = node.members[0]
    elif not required:
        raise ctx.error("proto_default applies to an optional field (X | None) or a required one")
    types = node.python_types()
    if float in types:
        types = (*types, int)
    if isinstance(node, EnumNode):
        ok = proto_default in node.by_number.values()
    else:
        ok = isinstance(proto_default, types) and not (isinstance(proto_default, bool) and bool not in types)
    if not ok:
        raise ctx.error(f"proto_default {proto_default!r} is not a value of the field")


def unverified_text(node: Node, annotation: object, ctx: Context) -> Node:
    """``node`` with its strings unchecked as UTF-8 (``ddl.field(verify_utf8=False)``): a string
    field, or a list, map or oneof holding strings."""
    found = False

    def walk(n: Node) -> Node:
        nonlocal found
        if isinstance(n, ScalarNode) and n.kind == Kind.STRING:
            found = True
            return dataclasses.replace(n, verify_utf8=False)
        if isinstance(n, RepeatedNode):
            return dataclasses.replace(n, elem=walk(n.elem))
        if isinstance(n, MapNode):
            key = walk(n.key)
            assert isinstance(key, ScalarNode)
            return dataclasses.replace(n, key=key, value=walk(n.value))
        if isinstance(n, UnionNode):
            return dataclasses.replace(n, members=[walk(m) for m in n.members])
        if isinstance(n, WrapperNode):  # list[list[str]] and the other nested containers
            return dataclasses.replace(n, inner=dataclasses.replace(n.inner, node=walk(n.inner.node)))
        return n

    result = walk(node)
    if not found:
        written = annotation if isinstance(annotation, str) else type_name(ctx.evaluate(annotation))
        raise ctx.error(f"verify_utf8=False applies only to a field holding strings, not {written}")
    return result


def delimited(node: Node, annotation: object, ctx: Context) -> Node:
    """``node`` written as a group (``ddl.field(delimited=True)``): a message field, optional or
    not, or a repeated one. protobuf has the group encoding for messages alone."""
    if isinstance(node, MessageNode):
        return dataclasses.replace(node, delimited=True)
    if isinstance(node, UnionNode) and len(node.members) == 1 and isinstance(node.members[0], MessageNode):
        return dataclasses.replace(node, members=[delimited(node.members[0], annotation, ctx)])
    if isinstance(node, RepeatedNode) and isinstance(node.elem, MessageNode):
        return dataclasses.replace(node, elem=delimited(node.elem, annotation, ctx))
    written = annotation if isinstance(annotation, str) else type_name(ctx.evaluate(annotation))
    raise ctx.error(f"delimited=True applies only to a message field (M, M | None or list[M]), not {written}")


def _check_oneof_names(spec: ClassSpec) -> None:
    """protobuf gives oneofs and fields one namespace, so a group may not take a field's name."""
    names = {f.name for f in spec.fields}
    for f in spec.fields:
        if f.oneof in names:
            raise SchemaError(f"{spec.qualname}.{f.name}: oneof group {f.oneof!r} has the name of a field")


def _numbers_for(
    ctx: Context, explicit: int | tuple[int, ...] | None, count: int, next_number: int, reserved: Reserved
) -> tuple[int, ...]:
    if explicit is None:
        start = _first_free(next_number, count, [PROTOBUF_RESERVED, *reserved.numbers])
        numbers = tuple(range(start, start + count))
    elif isinstance(explicit, tuple):
        if len(explicit) != count:
            raise ctx.error(f"{len(explicit)} field numbers given for a union of {count} members")
        numbers = explicit
    elif isinstance(explicit, int) and not isinstance(explicit, bool):
        numbers = tuple(range(explicit, explicit + count))
    else:
        raise ctx.error(f"field number must be an int or a tuple of ints, not {explicit!r}")
    for number in numbers:
        if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= MAX_NUMBER:
            raise ctx.error(f"field number {shown(number)} is outside 1..{MAX_NUMBER}")
        if number in PROTOBUF_RESERVED:
            raise ctx.error(f"field number {number} is in 19000..19999, which protobuf reserves")
    return numbers


def _first_free(start: int, count: int, blocked: list[range]) -> int:
    """The first number from ``start`` where ``count`` consecutive numbers avoid every blocked range."""
    while True:
        hit = next((r for r in blocked if r.start < start + count and start < r.stop), None)
        if hit is None:
            return start
        start = hit.stop


def _check_not_reserved(qualname: str, name: str, numbers: tuple[int, ...], reserved: Reserved) -> None:
    if name in reserved.names:
        raise SchemaError(f"{qualname}.{name}: field name {name!r} is reserved")
    for number in numbers:
        if reserved.has_number(number):
            raise SchemaError(f"{qualname}.{name}: field number {number} is reserved")


def _check_argument_order(spec: ClassSpec) -> None:
    if spec.kw_only:
        return
    seen_default = None
    for f in spec.fields:
        if not f.needs_argument:
            seen_default = f.name
        elif seen_default is not None:
            raise SchemaError(
                f"{spec.qualname}.{f.name}: a field without a default follows {seen_default!r}, "
                "which has one; give it a default or declare the class with kw_only=True"
            )


def plan_for(cls: type) -> MessagePlan:
    """The class's plan, built once; a cycle of fields that can never be absent is rejected."""
    spec: ClassSpec = cls.__dict__["__ddl__"].spec
    if spec.plan is None:
        spec.plan = plan = build_plan(cls, spec)
        try:
            _check_required_cycle(cls)
            plan.reaches_required = any(f.required for c in _reachable(cls) for f in plan_for(c).fields)
        except SchemaError:
            spec.plan = None
            raise
    return spec.plan


def _reachable(root: type) -> list[type]:
    """``root`` and every message class its values may hold, however deep."""
    found = [root]
    seen = {root}
    for cls in found:  # grows while it is walked
        for f in plan_for(cls).fields:
            for child in message_classes(f.node):
                if child not in seen:
                    seen.add(child)
                    found.append(child)
    return found


def _check_required_cycle(root: type) -> None:
    """``b: B`` in A and ``a: A`` in B (neither optional) could only be satisfied by infinite data."""
    stack: list[tuple[type, list[str]]] = [(root, [])]
    seen = {root}
    while stack:
        cls, path = stack.pop()
        for f in plan_for(cls).fields:
            if not isinstance(f.node, MessageNode) or (f.presence and not f.required):
                continue
            steps = [*path, f"{cls.__qualname__}.{f.name}"]
            if f.node.cls is root:
                raise SchemaError(
                    f"{' -> '.join(steps)}: these message fields require each other without end; "
                    "make one of them optional (X | None)"
                )
            if f.node.cls not in seen:
                seen.add(f.node.cls)
                stack.append((f.node.cls, steps))


def build_plan(cls: type, spec: ClassSpec) -> MessagePlan:
    """Resolve every annotation now that all names exist, and build the plan the engines run."""
    fields = []
    for f in spec.fields:
        # An inherited field's names resolve where its own class was declared.
        ctx = f.owner.context(f.owner.cls, f.name, pending=False)
        node = resolve(f.annotation, ctx)
        if numbers_taken(node) != len(f.numbers):
            raise ctx.error(
                "the annotation names a union that was not defined when the class was created; "
                "define it before the class so that its field numbers can be assigned"
            )
        if not f.packed:
            if not (isinstance(node, RepeatedNode) and node.packed):
                raise ctx.error("packed=False applies only to repeated numbers, bools and enums")
            node = dataclasses.replace(node, unpacked=True)
        if f.delimited:
            node = delimited(node, f.annotation, ctx)
        if not f.verify_utf8:
            node = unverified_text(node, f.annotation, ctx)
        if f.proto_default is not None:
            _check_proto_default(ctx, node, f.proto_default, f.required)
        plan = field_plan(f.name, f.numbers, node, f.oneof, f.required, f.proto_default, f.proto_names, f.json_names)
        if isinstance(plan.node, EnumNode) and plan.node.closed and not plan.presence:
            # A closed enum's absent value (its first member) is no zero to leave off.
            raise ctx.error(
                f"a field of the closed enum {plan.node.cls.__qualname__} has presence: "
                f"annotate it {plan.node.cls.__qualname__} | None (or give it required=True)"
            )
        fields.append(plan)
    return MessagePlan(cls, fields, spec.frozen)
