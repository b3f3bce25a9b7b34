"""The plan's vocabulary: one node per wire shape that a Python annotation can take.

Both engines read these nodes and nothing else, so they hold what an executor needs (wire type,
scalar kind, the classes and helper functions involved) and no Python source.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

WT_VARINT, WT_I64, WT_LEN, WT_I32 = 0, 1, 2, 5

SCALAR_WIRE_TYPES: dict[str, int] = {
    "int32": WT_VARINT, "int64": WT_VARINT, "uint32": WT_VARINT, "uint64": WT_VARINT,
    "sint32": WT_VARINT, "sint64": WT_VARINT, "bool": WT_VARINT,
    "fixed32": WT_I32, "sfixed32": WT_I32, "float": WT_I32,
    "fixed64": WT_I64, "sfixed64": WT_I64, "double": WT_I64,
    "string": WT_LEN, "bytes": WT_LEN,
}
INT_SCALARS = frozenset(
    ("int32", "int64", "uint32", "uint64", "sint32", "sint64", "fixed32", "fixed64", "sfixed32", "sfixed64")
)
FLOAT_SCALARS = frozenset(("float", "double"))
# protobuf allows these as map keys: every integral scalar, bool and string.
MAP_KEY_SCALARS = INT_SCALARS | {"bool", "string"}


class Node:
    """A value's wire shape. ``singular`` nodes can stand as one element of a repeated field."""

    wire_type: int = WT_LEN
    singular: bool = True

    def python_types(self) -> tuple[type, ...]:
        """The runtime types a value of this node has, used to pick a oneof member."""
        raise NotImplementedError


@dataclass(eq=False)
class ScalarNode(Node):
    proto: str

    def __post_init__(self) -> None:
        self.wire_type = SCALAR_WIRE_TYPES[self.proto]

    def python_types(self) -> tuple[type, ...]:
        if self.proto in INT_SCALARS:
            return (int,)
        if self.proto in FLOAT_SCALARS:
            return (float,)
        return {"bool": (bool,), "string": (str,), "bytes": (bytes, bytearray, memoryview)}[self.proto]


@dataclass(eq=False)
class EnumNode(Node):
    cls: type[enum.IntEnum]
    wire_type: int = WT_VARINT

    def python_types(self) -> tuple[type, ...]:
        return (self.cls,)


@dataclass(eq=False)
class MessageNode(Node):
    """A nested ddl message. ``cls`` may still be a placeholder while the owner is being created."""

    cls: type

    def python_types(self) -> tuple[type, ...]:
        return (self.cls,)


@dataclass(eq=False)
class WellKnownNode(Node):
    """A Python type written as a fixed protobuf message (Timestamp, Duration, Date, Value, Struct).

    ``encode``/``decode``/``merge`` have the same signatures as a generated message codec's, so
    executors treat these exactly like nested messages. ``first`` decodes an occurrence that a
    later one may merge into: for a value that is checked (a Timestamp's range, say), it returns
    an ``Unchecked`` holder rather than raising, since the merged value is the one to check.
    """

    name: str
    proto: str
    types: tuple[type, ...]
    encode: Callable[..., None]
    decode: Callable[..., Any]
    zero: Callable[[], Any]
    merge: Callable[..., Any]
    first: Callable[..., Any]

    def python_types(self) -> tuple[type, ...]:
        return self.types


@dataclass(eq=False)
class ConvertedNode(Node):
    """A Python type written as a string or bytes scalar through a pair of conversions."""

    name: str
    base: ScalarNode
    types: tuple[type, ...]
    to_wire: Callable[[Any], Any]
    from_wire: Callable[[Any], Any]
    zero: Callable[[], Any]

    def __post_init__(self) -> None:
        self.wire_type = self.base.wire_type

    def python_types(self) -> tuple[type, ...]:
        return self.types


@dataclass(eq=False)
class RepeatedNode(Node):
    elem: Node
    container: type
    singular: bool = False
    #: ``ddl.field(packed=False)``: written one tagged element at a time (read in both forms)
    unpacked: bool = False

    @property
    def packed(self) -> bool:
        """Whether elements may come in packed runs (numbers and enums)."""
        return self.elem.wire_type != WT_LEN

    @property
    def write_packed(self) -> bool:
        return self.packed and not self.unpacked

    def python_types(self) -> tuple[type, ...]:
        return (list, tuple, set, frozenset)


@dataclass(eq=False)
class MapNode(Node):
    key: ScalarNode
    value: Node
    singular: bool = False

    def python_types(self) -> tuple[type, ...]:
        return (dict,)


@dataclass(eq=False)
class UnionNode(Node):
    """A oneof: each member takes its own field number. Members are told apart by exact type."""

    members: list[Node]
    has_none: bool = False
    singular: bool = False

    def python_types(self) -> tuple[type, ...]:
        return tuple(t for m in self.members for t in m.python_types())


@dataclass(eq=False)
class WrapperNode(Node):
    """A synthetic message of one field, for shapes protobuf cannot nest directly.

    ``list[list[int]]`` becomes repeated wrapper messages whose field 1 is ``repeated int64``;
    ``list[int | None]`` becomes wrappers whose field 1 is ``optional int64``. The Python value
    is the inner value itself: the wrapper exists only on the wire.
    """

    inner: FieldPlan

    def python_types(self) -> tuple[type, ...]:
        return self.inner.node.python_types()


@dataclass(eq=False)
class FieldPlan:
    """One field of a message: its name, numbers (several for a oneof) and wire shape.

    ``presence`` marks ``X | None``: None is "not present", and a present zero is still written.
    """

    name: str
    numbers: tuple[int, ...]
    node: Node
    presence: bool = False
    members: list[Node] = field(default_factory=list)

    def __post_init__(self) -> None:
        if isinstance(self.node, UnionNode):
            self.members = self.node.members
