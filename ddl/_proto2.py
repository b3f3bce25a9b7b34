"""proto2's field rules that live beside the engines: required fields checked after a decode,
and the ``[default = ...]`` values a .proto gives."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ._binding import binding_of
from ._errors import DecodeError, shown
from ._schema import FieldPlan, MapNode, MessageNode, Node, RepeatedNode, UnionNode, WrapperNode, plan_for

_ABSENT = object()


def check_required(msg: object, end: int) -> None:
    """Raise ``DecodeError`` if ``msg``, just decoded from ``end`` bytes, or a message it holds
    lacks a required field (``ddl.field(required=True)``).

    It runs once the whole input is read, as protobuf's parse checks: a message may arrive in
    several occurrences that merge, and only the merged one must be complete. Only classes
    whose plan ``reaches_required`` are walked, without recursion (nesting may be deep)."""
    stack: list[tuple[object, tuple[str, ...]]] = [(msg, ())]
    while stack:
        obj, path = stack.pop()
        plan = plan_for(type(obj))
        for f in plan.fields:
            value = getattr(obj, f.name, _ABSENT)
            if f.required and value is None:
                err = DecodeError(f"the required field {f.name!r} is missing", end)
                for segment in reversed((*path, f".{f.name}")):
                    err._push(segment)
                raise err
            for segment, held in _held(f.node, value):
                if plan_for(type(held)).reaches_required:
                    stack.append((held, (*path, f".{f.name}{segment}")))


def _held(node: Node, value: Any) -> Iterator[tuple[str, object]]:
    """The messages a field's ``value`` holds directly, each with its index or key."""
    if value is None or value is _ABSENT:
        return
    if isinstance(node, MessageNode):
        yield "", value
    elif isinstance(node, RepeatedNode) and isinstance(node.elem, (MessageNode, WrapperNode)):
        for i, elem in enumerate(list(value)):
            for segment, held in _held(node.elem, elem):
                yield f"[{i}]{segment}", held
    elif isinstance(node, MapNode) and isinstance(node.value, (MessageNode, WrapperNode)):
        for key, elem in list(value.items()):
            for segment, held in _held(node.value, elem):
                yield f"[{shown(key)}]{segment}", held
    elif isinstance(node, UnionNode):
        for member in node.members:
            if isinstance(member, MessageNode) and type(value) is member.cls:
                yield "", value
    elif isinstance(node, WrapperNode):
        yield from _held(node.inner.node, value)


def proto_default(cls: type, name: str) -> Any:
    """The value a .proto's ``[default = ...]`` gives field ``name`` of message class ``cls``
    while it is absent (None in ddl), or None when the field has no such default.

    protobuf's runtime reads an absent field as this value; ddl keeps the absence itself, so
    that it survives a round trip, and this says what the .proto meant by it.

    Example::

        class Job(ddl.Message):
            retries: ddl.int32 | None = ddl.field(number=1, default=None, proto_default=3)

        job = Job()
        retries = job.retries if job.retries is not None else ddl.proto_default(Job, "retries")
        assert retries == 3
    """
    if binding_of(cls) is None or not isinstance(cls, type):
        raise TypeError(f"proto_default() takes a ddl message class, not {cls!r}")
    field = _field(cls, name)
    return field.proto_default


def _field(cls: type, name: str) -> FieldPlan:
    for f in plan_for(cls).fields:
        if f.name == name:
            return f
    raise ValueError(f"{cls.__qualname__} has no field {name!r}")
