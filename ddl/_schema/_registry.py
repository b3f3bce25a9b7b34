"""From a Python type to a plan node, through an ordered registry of small handlers.

Each handler recognises one family of types and returns a node, or None to let the next one try.
Order matters: ``bool`` before ``int``, ``datetime`` before ``date``, scalar aliases before plain
``int``. A type no handler takes is a ``SchemaError`` naming the class, the field and the type.
"""

from __future__ import annotations

import array
import datetime as _dt
import decimal
import enum
import types
import typing
import uuid
from collections.abc import Callable
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from .. import _wkt_codecs
from .._binding import binding_of
from .._nanotime import DatetimeNs, TimedeltaNs
from .._types import Scalar, Vector
from ._nodes import (
    ConvertedNode,
    EnumNode,
    FieldPlan,
    MapNode,
    MessageNode,
    Node,
    RepeatedNode,
    ScalarNode,
    UnionNode,
    WellKnownNode,
    WrapperNode,
)
from ._resolve import Context, is_pending

Handler = Callable[[Any, Context], "Node | None"]
HANDLERS: list[tuple[str, Handler]] = []


def handler(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS.append((name, fn))
        return fn

    return register


def resolve(tp: object, ctx: Context) -> Node:
    """The node for a type in any position: a field, an element, a map value, a union member."""
    tp = ctx.evaluate(tp)
    for _name, fn in HANDLERS:
        node = fn(tp, ctx)
        if node is not None:
            return node
    raise ctx.error(f"ddl cannot map {type_name(tp)}")


def type_name(tp: object) -> str:
    """A type as error messages name it."""
    return tp.__qualname__ if isinstance(tp, type) else repr(tp)


def is_message_class(tp: object) -> bool:
    return binding_of(tp) is not None


@handler("annotated")
def _annotated(tp: Any, ctx: Context) -> Node | None:
    if get_origin(tp) is not Annotated:
        return None
    base, *extras = get_args(tp)
    markers = [m for m in extras if isinstance(m, Scalar)]
    if not markers:
        return resolve(base, ctx)
    proto = markers[-1].proto
    expected = float if proto in ("float", "double") else int
    if base is not expected:
        raise ctx.error(f"{proto} annotates {expected.__name__}, not {type_name(base)}")
    return ScalarNode(proto)


@handler("union")
def _union(tp: Any, ctx: Context) -> Node | None:
    if get_origin(tp) is not Union and not isinstance(tp, types.UnionType):
        return None
    args = get_args(tp)
    members = [resolve(a, ctx) for a in args if a is not type(None)]
    node = UnionNode(members, has_none=len(members) < len(args))
    if any(isinstance(m, WellKnownNode) and m.name == "value" for m in members):
        raise ctx.error("Any holds every JSON-like value, None included: annotate the field as Any alone")
    if len(members) > 1:
        node.members = [singular(m) for m in members]
        _check_unambiguous(node.members, ctx)
    return node


def _check_unambiguous(members: list[Node], ctx: Context) -> None:
    seen: dict[type, Node] = {}
    for member in members:
        for pytype in member.python_types():
            if pytype in seen:
                raise ctx.error(
                    f"union members are ambiguous: two of them hold {pytype.__name__} values, "
                    "and ddl tells members apart by exact type"
                )
            seen[pytype] = member


@handler("builtin scalar")
def _builtin_scalar(tp: Any, ctx: Context) -> Node | None:
    proto = {bool: "bool", int: "int64", float: "double", str: "string", bytes: "bytes"}.get(tp)
    return ScalarNode(proto) if proto is not None else None


@handler("enum")
def _enum(tp: Any, ctx: Context) -> Node | None:
    if not (isinstance(tp, type) and issubclass(tp, enum.Enum)):
        return None
    if not issubclass(tp, enum.IntEnum):
        raise ctx.error(f"{tp.__qualname__} is an Enum; protobuf enums are numbers, so use IntEnum")
    return EnumNode(tp)


@handler("message")
def _message(tp: Any, ctx: Context) -> Node | None:
    if is_message_class(tp) or is_pending(tp):
        return MessageNode(tp)
    return None


def _well_known(
    name: str, proto: str, *pytypes: type, omitted: Literal["", "none", "empty"] = "", ordered: bool = False
) -> Node:
    return WellKnownNode(
        name=name,
        proto=proto,
        types=pytypes,
        encode=getattr(_wkt_codecs, f"encode_{name}"),
        decode=getattr(_wkt_codecs, f"decode_{name}"),
        zero=getattr(_wkt_codecs, f"zero_{name}"),
        merge=getattr(_wkt_codecs, f"merge_{name}"),
        first=getattr(_wkt_codecs, f"first_{name}", None) or getattr(_wkt_codecs, f"decode_{name}"),
        omitted=omitted,
        ordered=ordered,
    )


@handler("time")
def _time(tp: Any, ctx: Context) -> Node | None:
    # datetime is a subclass of date, so it is matched first and exactly.
    if tp is _dt.datetime:
        return _well_known("timestamp", "google.protobuf.Timestamp", _dt.datetime, DatetimeNs, ordered=True)
    if tp is _dt.timedelta:
        return _well_known("duration", "google.protobuf.Duration", _dt.timedelta, TimedeltaNs, ordered=True)
    if tp is _dt.date:
        return _well_known("date", "google.type.Date", _dt.date, ordered=True)
    return None


@handler("conversion")
def _conversion(tp: Any, ctx: Context) -> Node | None:
    if tp is decimal.Decimal:
        return ConvertedNode(
            "decimal",
            ScalarNode("string"),
            (decimal.Decimal,),
            _wkt_codecs.decimal_to_wire,
            _wkt_codecs.decimal_from_wire,
            lambda: decimal.Decimal(0),
        )
    if tp is uuid.UUID:
        return ConvertedNode(
            "uuid",
            ScalarNode("bytes"),
            (uuid.UUID,),
            _wkt_codecs.uuid_to_wire,
            _wkt_codecs.uuid_from_wire,
            lambda: uuid.UUID(int=0),
        )
    return None


@handler("json value")
def _json_value(tp: Any, ctx: Context) -> Node | None:
    if tp is Any:
        return _well_known("value", "google.protobuf.Value", object, omitted="none")
    return None


_SEQUENCES: dict[object, type] = {
    list: list,
    tuple: tuple,
    set: set,
    frozenset: frozenset,
    # the deprecated aliases annotations may still use, each read as its builtin
    typing.List: list,  # noqa: UP006
    typing.Tuple: tuple,  # noqa: UP006
    typing.Set: set,  # noqa: UP006
    typing.FrozenSet: frozenset,  # noqa: UP006
}


@handler("repeated")
def _repeated(tp: Any, ctx: Context) -> Node | None:
    origin = get_origin(tp) or tp
    container = _SEQUENCES.get(origin) if isinstance(origin, type) or origin in _SEQUENCES else None
    if container is None:
        return None
    args = get_args(tp)
    if not args:
        raise ctx.error(f"{container.__name__} needs an element type, such as {container.__name__}[int]")
    if container is tuple:
        if len(args) != 2 or args[1] is not Ellipsis:
            raise ctx.error("a tuple field must be tuple[T, ...]; fixed-size tuples have no protobuf form")
        args = args[:1]
    elem = singular(resolve(args[0], ctx))
    if container in (set, frozenset):
        problem = _unhashable(elem)
        if problem:
            raise ctx.error(f"{container.__name__} elements must be hashable, and {problem} are not")
    return RepeatedNode(elem, container)


@handler("vector")
def _vector(tp: Any, ctx: Context) -> Node | None:
    """``ddl.Vector[T]`` (or ``array.array[T]`` where Python can write it): a repeated number
    field held as an ``array.array``, for numbers an array can hold."""
    origin = get_origin(tp) or tp
    if origin is not Vector and origin is not array.array:
        return None
    args = get_args(tp)
    if len(args) != 1:
        raise ctx.error("Vector needs a number type, such as Vector[ddl.float32]")
    elem = resolve(args[0], ctx)
    if not (isinstance(elem, ScalarNode) and elem.kind.vector_code is not None):
        raise ctx.error(
            f"Vector holds numbers an array.array can hold (ints and floats of every width), "
            f"not {type_name(ctx.evaluate(args[0]))}; use list[...]"
        )
    return RepeatedNode(elem, array.array)


def _unhashable(node: Node) -> str | None:
    """Why values of ``node`` cannot be set elements, or None (unknown counts as fine)."""
    if isinstance(node, MessageNode) and not is_pending(node.cls) and getattr(node.cls, "__hash__", None) is None:
        return f"{node.cls.__qualname__} messages (declare it frozen=True)"
    if isinstance(node, WellKnownNode) and node.name == "struct":
        return "dicts"
    if isinstance(node, WrapperNode):
        inner = node.inner.node
        if isinstance(inner, MapNode):
            return "dicts"
        if isinstance(inner, RepeatedNode) and inner.container in (list, set, array.array):
            return f"{inner.container.__name__}s (use tuple[T, ...] or frozenset[T])"
        members = inner.members if isinstance(inner, UnionNode) else [inner]
        return next((p for p in map(_unhashable, members) if p), None)
    return None


@handler("map")
def _map(tp: Any, ctx: Context) -> Node | None:
    origin = get_origin(tp) or tp
    if origin not in (dict, typing.Dict):  # noqa: UP006
        return None
    args = get_args(tp)
    if len(args) != 2:
        raise ctx.error("dict needs key and value types, such as dict[str, int]")
    key_tp, value_tp = args
    if ctx.evaluate(key_tp) is str and ctx.evaluate(value_tp) is Any:
        return _well_known("struct", "google.protobuf.Struct", dict, omitted="empty")
    key = resolve(key_tp, ctx)
    if not (isinstance(key, ScalarNode) and key.kind.map_key):
        raise ctx.error(
            f"a map key must be an integer, bool or str type, not {type_name(ctx.evaluate(key_tp))} "
            "(protobuf allows no other map keys); use a list of messages instead"
        )
    return MapNode(key, singular(resolve(value_tp, ctx)))


def singular(node: Node) -> Node:
    """Wrap a shape that protobuf cannot nest (a list, a map, an optional, a union) in a message."""
    if node.singular:
        return node
    if isinstance(node, UnionNode):
        if len(node.members) == 1:
            return WrapperNode(FieldPlan("value", (1,), singular(node.members[0]), presence=True))
        numbers = tuple(range(1, len(node.members) + 1))
        return WrapperNode(FieldPlan("value", numbers, node, presence=node.has_none))
    name = "entries" if isinstance(node, MapNode) else "values"
    return WrapperNode(FieldPlan(name, (1,), node))


def numbers_taken(node: Node) -> int:
    """How many field numbers a field of this shape takes: one, or one per oneof member."""
    if isinstance(node, UnionNode) and len(node.members) > 1:
        return len(node.members)
    return 1


def message_classes(node: Node) -> list[type]:
    """The message classes a value of ``node`` may hold directly (in a list, a map, a oneof...)."""
    if isinstance(node, MessageNode):
        return [node.cls]
    if isinstance(node, RepeatedNode):
        return message_classes(node.elem)
    if isinstance(node, MapNode):
        return message_classes(node.value)
    if isinstance(node, UnionNode):
        return [cls for m in node.members for cls in message_classes(m)]
    if isinstance(node, WrapperNode):
        return message_classes(node.inner.node)
    return []


def field_plan(
    name: str, numbers: tuple[int, ...], node: Node, oneof: str | None = None, required: bool = False,
    proto_default: Any = None, proto_names: tuple[str, ...] = (), json_names: tuple[str, ...] = (),
) -> FieldPlan:  # fmt: skip
    """The plan for a message field; ``X | None`` gives presence, other unions give a oneof.
    ``oneof`` names the field's oneof group (always an ``X | None`` field, see ``collect``);
    a ``required`` field (proto2's label, a plain ``X``) has presence too."""
    if isinstance(node, UnionNode):
        if len(node.members) == 1:
            return FieldPlan(
                name, numbers, singular(node.members[0]), presence=True, oneof=oneof, proto_default=proto_default,
                proto_names=proto_names, json_names=json_names,
            )  # fmt: skip
        return FieldPlan(name, numbers, node, presence=node.has_none, proto_names=proto_names, json_names=json_names)
    return FieldPlan(
        name, numbers, node, presence=required, required=required, proto_default=proto_default,
        proto_names=proto_names, json_names=json_names,
    )  # fmt: skip
