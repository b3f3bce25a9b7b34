"""The plan's vocabulary: one node per wire shape that a Python annotation can take.

Both engines read these nodes and nothing else, so they hold what an executor needs (wire type,
scalar kind, the classes and helper functions involved) and no Python source.
"""

from __future__ import annotations

import array
import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from .._types import ClosedEnum
from .._wire import WT_I32, WT_I64, WT_LEN, WT_SGROUP, WT_VARINT
from ._names import enum_value_numbers, json_name_of, snake


class Kind(enum.IntEnum):
    """The scalar kinds of protobuf, and what every executor needs to know about each.

    The order is part of the contract: the compiled engine's ``Kind`` enum (``_cy/program.pxi``)
    has the same values, checked when it is imported, and its loops test a kind's wire type by
    range. Varint kinds come first and end with ENUM, then the 4-byte kinds ending with FLOAT,
    the 8-byte kinds ending with DOUBLE, and the length-delimited kinds.
    """

    INT64 = 0
    INT32 = 1
    UINT32 = 2
    UINT64 = 3
    SINT32 = 4
    SINT64 = 5
    BOOL = 6
    ENUM = 7
    FIXED32 = 8
    SFIXED32 = 9
    FLOAT = 10
    FIXED64 = 11
    SFIXED64 = 12
    DOUBLE = 13
    STRING = 14
    BYTES = 15

    @property
    def proto(self) -> str:
        """The kind's name in a .proto file (``enum`` for ENUM)."""
        return self.name.lower()

    @property
    def wire_type(self) -> int:
        if self <= Kind.ENUM:
            return WT_VARINT
        if self <= Kind.FLOAT:
            return WT_I32
        if self <= Kind.DOUBLE:
            return WT_I64
        return WT_LEN

    @property
    def width(self) -> int | None:
        """The bytes of a fixed-width value (4 or 8), None for varints and lengths."""
        return {WT_I32: 4, WT_I64: 8}.get(self.wire_type)

    @property
    def integral(self) -> bool:
        """Read and written as a Python ``int`` (not bool, not an enum member)."""
        return self not in (Kind.BOOL, Kind.ENUM, Kind.FLOAT, Kind.DOUBLE, Kind.STRING, Kind.BYTES)

    @property
    def floating(self) -> bool:
        return self in (Kind.FLOAT, Kind.DOUBLE)

    @property
    def map_key(self) -> bool:
        """protobuf allows it as a map key: every integral kind, bool and string."""
        return self.integral or self in (Kind.BOOL, Kind.STRING)

    @property
    def python_types(self) -> tuple[type, ...]:
        """The runtime types a value of this kind may have on encode."""
        if self.integral:
            return (int,)
        if self.floating:
            return (float,)
        return {Kind.BOOL: (bool,), Kind.STRING: (str,), Kind.BYTES: (bytes, bytearray, memoryview)}[self]

    @property
    def vector_code(self) -> str | None:
        """The ``array.array`` typecode holding values of this kind (a ``ddl.Vector``'s, and the
        item format a buffer written as a repeated field of it must have), None where no array
        holds them (bool, enum, string, bytes). Its item size is the kind's width or range."""
        return _VECTOR_CODES.get(self)

    @property
    def zero(self) -> Any:
        """proto3's zero value: what an absent field reads as, and what is left off on encode."""
        return {Kind.BOOL: False, Kind.FLOAT: 0.0, Kind.DOUBLE: 0.0, Kind.STRING: "", Kind.BYTES: b""}.get(self, 0)


_VECTOR_CODES = {
    Kind.FLOAT: "f", Kind.DOUBLE: "d", Kind.FIXED32: "I", Kind.SFIXED32: "i", Kind.FIXED64: "Q", Kind.SFIXED64: "q",
    Kind.INT32: "i", Kind.SINT32: "i", Kind.UINT32: "I", Kind.INT64: "q", Kind.SINT64: "q", Kind.UINT64: "Q",
}  # fmt: skip


class Node:
    """A value's wire shape. ``singular`` nodes can stand as one element of a repeated field."""

    wire_type: int = WT_LEN
    singular: bool = True

    def python_types(self) -> tuple[type, ...]:
        """The runtime types a value of this node has, used to pick a oneof member."""
        raise NotImplementedError


@dataclass(eq=False)
class ScalarNode(Node):
    """A protobuf scalar, by its .proto name (``"int64"``, ``"string"``, ...). A string that is
    not ``verify_utf8`` (``ddl.field(verify_utf8=False)``) holds any bytes, those that are not
    UTF-8 as lone surrogates (``surrogateescape``)."""

    proto: str
    verify_utf8: bool = True
    kind: Kind = field(init=False)

    def __post_init__(self) -> None:
        self.kind = Kind[self.proto.upper()]
        self.wire_type = self.kind.wire_type

    @property
    def zero(self) -> Any:
        return self.kind.zero

    def python_types(self) -> tuple[type, ...]:
        return self.kind.python_types


@dataclass(eq=False)
class EnumNode(Node):
    """An ``IntEnum``. ``by_number`` maps each number to its member (the first, for aliases).

    ``closed`` marks a ``ddl.ClosedEnum`` (proto2's enums): a number it does not have is never
    a value, so decoding one keeps the field among the unknown fields, and encoding one fails.

    The values' names outside Python (see ``_names.py``): ``value_numbers`` has every .proto
    name and its number, as ``ddl proto`` lists them (an open enum's 0 first, aliases included);
    ``value_names`` has one name per number, the first (what proto3 JSON writes). A member's
    name is as written, less the trailing underscore ``ddl gen`` adds to a keyword or sunder name
    (``None_`` is ``None``), and an open enum without a 0 member has ``<ENUM>_UNSPECIFIED`` for 0::

        class Color(enum.IntEnum):
            RED = 1
            None_ = 2

        node = EnumNode(Color)
        assert node.value_names == {0: "COLOR_UNSPECIFIED", 1: "RED", 2: "None"}
    """

    cls: type[enum.IntEnum]
    wire_type: int = WT_VARINT
    kind: Kind = Kind.ENUM
    by_number: dict[int, enum.IntEnum] = field(init=False)
    closed: bool = field(init=False)
    value_numbers: dict[str, int] = field(init=False)
    value_names: dict[int, str] = field(init=False)

    def __post_init__(self) -> None:
        self.by_number = {int(m): m for m in self.cls}
        self.closed = issubclass(self.cls, ClosedEnum)
        self.value_numbers = enum_value_numbers(self.cls, self.closed)
        self.value_names = {}
        for name, number in self.value_numbers.items():
            self.value_names.setdefault(number, name)

    @property
    def zero(self) -> Any:
        """What an absent value reads as: a closed enum's first member, else the member numbered
        0, or the bare 0 when the enum has none (protobuf's defaults)."""
        if self.closed:
            return next(iter(self.cls))
        return self.by_number.get(0, 0)

    def python_types(self) -> tuple[type, ...]:
        return (self.cls,)


@dataclass(eq=False)
class MessageNode(Node):
    """A nested ddl message. ``cls`` may still be a placeholder while the owner is being created.

    ``delimited`` (``ddl.field(delimited=True)``) writes it as a group: a start-group tag (its
    ``wire_type``), the body, and an end-group tag of the same number, with no length prefix.
    """

    cls: type
    delimited: bool = False

    def __post_init__(self) -> None:
        self.wire_type = WT_SGROUP if self.delimited else WT_LEN

    def python_types(self) -> tuple[type, ...]:
        return (self.cls,)


@dataclass(eq=False)
class WellKnownNode(Node):
    """A Python type written as a fixed protobuf message (Timestamp, Duration, Date, Value, Struct).

    ``encode``/``decode``/``merge`` have the same signatures as a generated message codec's, so
    executors treat these exactly like nested messages. ``first`` decodes an occurrence that a
    later one may merge into: for a value that is checked (a Timestamp's range, say), it returns
    an ``Unchecked`` holder rather than raising, since the merged value is the one to check.

    ``omitted`` is the value a field without presence leaves off on encode, as proto3 leaves
    off 0 and "": ``"none"`` (a Value's None), ``"empty"`` (a Struct's ``{}``), or ``""`` when
    every value is written. ``ordered`` says that values compare totally (times and dates), so a
    deterministic set sorts them by value rather than by their encoding.
    """

    name: str
    proto: str
    types: tuple[type, ...]
    encode: Callable[..., None]
    decode: Callable[..., Any]
    zero: Callable[[], Any]
    merge: Callable[..., Any]
    first: Callable[..., Any]
    omitted: Literal["", "none", "empty"] = ""
    ordered: bool = False

    def python_types(self) -> tuple[type, ...]:
        return self.types

    @property
    def checked_late(self) -> bool:
        """Whether a body can hold fields its Python type cannot (a Timestamp of year 10000):
        ``first`` then defers the check, and a message keeps such a body among its unknown fields."""
        return self.first is not self.decode


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
    """A repeated field. ``container`` is the Python type it decodes into: list, tuple, set,
    frozenset, or ``array.array`` for a ``ddl.Vector`` (whose typecode is ``buffer_code``)."""

    elem: Node
    container: type
    singular: bool = False
    #: ``ddl.field(packed=False)``: written one tagged element at a time (read in both forms)
    unpacked: bool = False

    @property
    def packed(self) -> bool:
        """Whether elements may come in packed runs (numbers and enums)."""
        return self.elem.wire_type in (WT_VARINT, WT_I32, WT_I64)

    @property
    def write_packed(self) -> bool:
        return self.packed and not self.unpacked

    @property
    def buffer_code(self) -> str | None:
        """The ``array.array`` typecode of the elements when they are numbers an array can hold:
        such a field also takes, on encode, any buffer of that item format (``vector_format``)."""
        return self.elem.kind.vector_code if isinstance(self.elem, ScalarNode) else None

    @property
    def vector(self) -> bool:
        """A ``ddl.Vector``: decoded into an ``array.array`` of ``buffer_code``."""
        return self.container is array.array

    def python_types(self) -> tuple[type, ...]:
        return (array.array,) if self.vector else (list, tuple, set, frozenset)


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
    ``order`` is what executors walk: one (number, field, member) entry per wire number in
    ascending order, where ``member`` indexes the oneof's members and is -1 outside oneofs.
    ``oneof`` names the oneof group of a field declared with ``ddl.field(oneof=...)`` (such a
    field has presence; ``MessagePlan.oneofs`` lists each group's fields). ``required`` is
    proto2's label (``ddl.field(required=True)``): the field has presence, so it is written
    whatever its value, and None is an error both ways. ``proto_default`` is a .proto's
    ``[default = ...]``, kept for ``ddl proto`` and readers; absence itself stays None.
    """

    name: str
    numbers: tuple[int, ...]
    node: Node
    presence: bool = False
    oneof: str | None = None
    required: bool = False
    proto_default: Any = None
    #: One name per number, in ``numbers`` order: the field's (a union's members') .proto names,
    #: and JSON names (see ``_names``); given by ``ddl.field(proto_name=..., json_name=...)`` or
    #: derived here.
    proto_names: tuple[str, ...] = ()
    json_names: tuple[str, ...] = ()
    members: list[Node] = field(default_factory=list)
    order: list[tuple[int, FieldPlan, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        union = isinstance(self.node, UnionNode)
        if isinstance(self.node, UnionNode):
            self.members = self.node.members
        if not self.proto_names:
            if union:
                self.proto_names = tuple(f"{self.name}_{member_token(m)}" for m in self.members)
            else:
                self.proto_names = (self.name,)
        if not self.json_names:
            self.json_names = tuple(json_name_of(n) for n in self.proto_names)
        self.order = sorted(((n, self, i if union else -1) for i, n in enumerate(self.numbers)), key=_number)


def member_token(node: Node) -> str:
    """What a union member's default .proto name says about its type: ``int64``, ``point``,
    ``timestamp``, ``list``... (``payment: Card | Cash`` has members ``payment_card`` and
    ``payment_cash``)."""
    if isinstance(node, ScalarNode):
        return node.proto
    if isinstance(node, (WellKnownNode, ConvertedNode)):
        return node.name
    if isinstance(node, (MessageNode, EnumNode)):
        return snake(node.cls.__name__)
    if isinstance(node, WrapperNode):
        return "map" if isinstance(node.inner.node, MapNode) else "list"
    raise AssertionError(f"not a union member: {node!r}")


def _number(entry: tuple[int, FieldPlan, int]) -> int:
    return entry[0]
