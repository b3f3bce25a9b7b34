"""ddl classes for the well-known types that have no native Python form in ddl.

Timestamp, Duration and Struct have native forms (``datetime``, ``timedelta``,
``dict[str, Any]``). The types here keep what a native form would lose: a wrapper such as
``Int32Value`` set to 0 is not the same as an absent one, and a ``Value`` set to ``null_value``
is not the same as an absent ``Value``. ``ddl gen`` uses these classes in the modules it writes.

Example::

    import ddl
    from ddl.wkt import Int32Value

    class Stock(ddl.Message):
        count: Int32Value | None = None      # google.protobuf.Int32Value: 0 and absent differ

    assert ddl.encode(Stock(count=Int32Value(0))) == b"\\x0a\\x00"
"""

from __future__ import annotations

import enum
import typing

from ._message import Message
from ._types import field, float32, int32, uint32, uint64

__all__ = [
    "Any",
    "BoolValue",
    "BytesValue",
    "DoubleValue",
    "Empty",
    "FieldMask",
    "FloatValue",
    "Int32Value",
    "Int64Value",
    "ListValue",
    "NullValue",
    "StringValue",
    "UInt32Value",
    "UInt64Value",
    "Value",
]


class Any(Message):
    """google.protobuf.Any: a message of any type, as its type URL and its encoded bytes."""

    type_url: str = field(number=1, default="")
    value: bytes = field(number=2, default=b"")


class Empty(Message):
    """google.protobuf.Empty: a message with no fields."""


class FieldMask(Message):
    """google.protobuf.FieldMask: a set of field paths, such as ``["user.name"]``."""

    paths: list[str] = field(number=1, default_factory=list)


class NullValue(enum.IntEnum):
    """google.protobuf.NullValue: the JSON null."""

    NULL_VALUE = 0


class ListValue(Message):
    """google.protobuf.ListValue: a JSON array; each element is None, bool, float, str, list or dict."""

    values: list[typing.Any] = field(number=1, default_factory=list)


class Value(Message):
    """google.protobuf.Value, kept exactly: ``kind`` None means no kind is set at all.

    A ``typing.Any`` field cannot tell an absent Value from one set to ``null_value``; this
    class can: ``Value(kind=NullValue.NULL_VALUE)`` is the JSON null.
    """

    # typing.Union rather than `|`: `|` between typing forms goes through typing's cache, which
    # may return an equal union built earlier in another member order, and order gives the numbers.
    kind: typing.Union[NullValue, float, str, bool, dict[str, typing.Any], ListValue, None] = field(  # noqa: UP007
        number=(1, 2, 3, 4, 5, 6), default=None
    )


class DoubleValue(Message):
    """google.protobuf.DoubleValue."""

    value: float = field(number=1, default=0.0)


class FloatValue(Message):
    """google.protobuf.FloatValue."""

    value: float32 = field(number=1, default=0.0)


class Int64Value(Message):
    """google.protobuf.Int64Value."""

    value: int = field(number=1, default=0)


class UInt64Value(Message):
    """google.protobuf.UInt64Value."""

    value: uint64 = field(number=1, default=0)


class Int32Value(Message):
    """google.protobuf.Int32Value."""

    value: int32 = field(number=1, default=0)


class UInt32Value(Message):
    """google.protobuf.UInt32Value."""

    value: uint32 = field(number=1, default=0)


class BoolValue(Message):
    """google.protobuf.BoolValue."""

    value: bool = field(number=1, default=False)


class StringValue(Message):
    """google.protobuf.StringValue."""

    value: str = field(number=1, default="")


class BytesValue(Message):
    """google.protobuf.BytesValue."""

    value: bytes = field(number=1, default=b"")
