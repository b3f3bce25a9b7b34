"""Scalar width aliases and ``ddl.field``: the vocabulary a schema is written in."""

from __future__ import annotations

import array
import enum
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Final, Generic, TypeAlias, TypeVar


class Scalar:
    """Marks an ``Annotated`` int or float with the protobuf scalar it is written as."""

    __slots__ = ("proto",)

    def __init__(self, proto: str) -> None:
        self.proto = proto

    def __repr__(self) -> str:
        return f"ddl.Scalar({self.proto!r})"


int32: TypeAlias = Annotated[int, Scalar("int32")]
int64: TypeAlias = Annotated[int, Scalar("int64")]
uint32: TypeAlias = Annotated[int, Scalar("uint32")]
uint64: TypeAlias = Annotated[int, Scalar("uint64")]
sint32: TypeAlias = Annotated[int, Scalar("sint32")]
sint64: TypeAlias = Annotated[int, Scalar("sint64")]
fixed32: TypeAlias = Annotated[int, Scalar("fixed32")]
fixed64: TypeAlias = Annotated[int, Scalar("fixed64")]
sfixed32: TypeAlias = Annotated[int, Scalar("sfixed32")]
sfixed64: TypeAlias = Annotated[int, Scalar("sfixed64")]
float32: TypeAlias = Annotated[float, Scalar("float")]
float64: TypeAlias = Annotated[float, Scalar("double")]

_T = TypeVar("_T")

if TYPE_CHECKING:
    # Type checkers see the value's real type: ``Vector[ddl.float32]`` is ``array.array[float]``.
    Vector = array.array
else:

    class Vector(Generic[_T]):
        """A repeated number field held as an ``array.array`` rather than a list of Python numbers.

        ``Vector[ddl.float32]`` decodes into ``array('f')`` with one copy of the packed bytes, and
        encodes from any buffer of the matching item format (an ``array.array``, a numpy array, a
        ``memoryview``) with one copy, as well as from a list. Its element is a number kind
        (``ddl.float32``, ``float``, ``ddl.fixed64``, ``int``...), not bool, an enum, a string or a
        message. Type checkers see ``array.array[float]`` (or ``[int]``); at run time it is only an
        annotation, never a value. On Python 3.12+ ``array.array[ddl.float32]`` means the same.

        Example::

            class Embedding(ddl.Message):
                values: ddl.Vector[ddl.float32] = array.array("f")  # copied for each instance, as [] is

            blob = ddl.encode(Embedding(array.array("f", [0.5, 1.5])))
            assert ddl.decode(blob, Embedding).values == array.array("f", [0.5, 1.5])
        """

        __slots__ = ()

        def __new__(cls, *args: Any, **kwargs: Any) -> Any:
            raise TypeError("ddl.Vector is an annotation; make the value with array.array(typecode, ...)")


class ClosedEnum(enum.IntEnum):
    """An enum whose numbers are only its members', as proto2's enums and editions' closed ones.

    Decoding a number it does not have keeps the whole field among the unknown fields (written
    back unchanged by ``encode``), as protobuf does, rather than reading it as a plain int; a
    field absent from the wire reads as the first member, protobuf's default for these enums.
    Encoding a number it does not have is an ``EncodeError``. A singular field of a closed enum
    has presence (``Color | None``), as protobuf requires.

    Example::

        class Color(ddl.ClosedEnum):
            RED = 1
            GREEN = 2

        class Pixel(ddl.Message):
            color: Color | None = None
    """


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()


class FieldInfo:
    """What ``ddl.field`` records: an explicit number, a default, packing, a oneof group, the
    delimited (group) encoding, proto2's ``required``, a .proto's ``[default = ...]`` and
    whether strings are checked as UTF-8."""

    __slots__ = (
        "default", "default_factory", "delimited", "json_name", "number", "oneof", "packed", "proto_default",
        "proto_name", "required", "verify_utf8",
    )  # fmt: skip

    def __init__(
        self,
        number: int | tuple[int, ...] | None,
        default: Any,
        default_factory: Callable[[], Any] | None,
        packed: bool = True,
        oneof: str | None = None,
        delimited: bool = False,
        required: bool = False,
        proto_default: Any = None,
        verify_utf8: bool = True,
        proto_name: str | tuple[str, ...] | None = None,
        json_name: str | tuple[str, ...] | None = None,
    ) -> None:
        self.number = number
        self.default = default
        self.default_factory = default_factory
        self.packed = packed
        self.oneof = oneof
        self.delimited = delimited
        self.required = required
        self.proto_default = proto_default
        self.verify_utf8 = verify_utf8
        self.proto_name = proto_name
        self.json_name = json_name


def field(
    *,
    number: int | tuple[int, ...] | None = None,
    default: Any = MISSING,
    default_factory: Callable[[], Any] | None = None,
    packed: bool = True,
    oneof: str | None = None,
    delimited: bool = False,
    required: bool = False,
    proto_default: Any = None,
    verify_utf8: bool = True,
    proto_name: str | tuple[str, ...] | None = None,
    json_name: str | tuple[str, ...] | None = None,
) -> Any:
    """Give a field an explicit number, a default, packing, a oneof group, the group encoding,
    proto2's ``required`` rule, a .proto's ``[default = ...]``, strings unchecked as UTF-8, or the
    field's names in a .proto and in JSON.

    A union field takes consecutive numbers from ``number``, or one per member when given a tuple.
    ``packed=False`` writes a repeated number or enum field one tagged element at a time, as
    proto2 does by default (both forms are always read).

    ``oneof="name"`` puts the field in the oneof group ``name`` with the other fields that name
    it, whatever their types (a union such as ``int | str`` can only hold members of distinct
    types). Each member is ``X | None`` with the default None; ``oneof`` implies it, but type
    checkers see a default only where one is written, so write ``default=None``. At most one
    member may be set on encode (else ``ddl.EncodeError``); on decode the member read last wins
    and the others are None, as in protobuf. ``ddl.which_oneof`` names the member set, and
    ``ddl.oneof_item`` gives it with its value.

    ``delimited=True`` writes a message field (``M``, ``M | None`` or ``list[M]``) the way
    proto2's ``group`` fields and editions' ``message_encoding = DELIMITED`` do: a start-group
    tag, the body, and an end-group tag, instead of a length prefix. Only that form is read for
    the field; a length-prefixed occurrence stays among the unknown fields, as in protobuf.

    ``required=True`` is proto2's ``required`` label (editions' ``LEGACY_REQUIRED``): the field
    is a constructor argument, always written, and a message without it cannot be encoded
    (``EncodeError``) or decoded (``DecodeError`` naming the field, checked after the whole
    message is read, as protobuf's parse checks it). Annotate it ``X``, not ``X | None``.

    ``proto_default`` records a .proto's ``[default = ...]`` on an optional field (``X | None``):
    the value protobuf's runtime reads for the field while it is absent. ddl keeps absence
    itself (None), so nothing is lost between readers; ``ddl proto`` writes the default back,
    and ``ddl.proto_default(Msg, "field")`` reads it.

    ``verify_utf8=False`` is proto2's rule for strings (editions' ``utf8_validation = NONE``):
    the field's strings (elements, map keys and values too) may carry bytes that are not UTF-8,
    as writers in C++ often send. Such bytes decode into the ``str`` as lone surrogates
    (Python's ``surrogateescape``: byte 0x80 is ``"\\udc80"``) and encode back byte for byte, so
    nothing is lost; other fields reject invalid UTF-8 with a ``DecodeError``.

    ``proto_name`` is the field's name in a .proto where it differs from the Python name (a
    Python keyword, say), and for a union a tuple of its members' names (by default
    ``<field>_<type>``, as ``ddl proto`` writes them). ``json_name`` is its name in JSON (by
    default the lowerCamelCase of the .proto name, as protobuf's), a tuple for a union.

    Example::

        class Order(ddl.Message):
            id: int = ddl.field(number=1)
            items: list[str] = ddl.field(number=5, default_factory=list)
            payment: Card | Cash | None = ddl.field(number=(10, 12), default=None)
            legacy: list[int] = ddl.field(number=20, default_factory=list, packed=False)
            name: str | None = ddl.field(oneof="customer", default=None)
            uuid: str | None = ddl.field(oneof="customer", default=None)
            notes: list[Note] = ddl.field(number=30, default_factory=list, delimited=True)
            sku: str = ddl.field(number=31, required=True)
            retries: ddl.int32 | None = ddl.field(number=32, default=None, proto_default=3)
            legacy_name: str = ddl.field(number=33, default="", verify_utf8=False)
    """
    if default is not MISSING and default_factory is not None:
        raise TypeError("ddl.field() takes default or default_factory, not both")
    return FieldInfo(
        number, default, default_factory, packed, oneof, delimited, required, proto_default, verify_utf8, proto_name,
        json_name,
    )  # fmt: skip
