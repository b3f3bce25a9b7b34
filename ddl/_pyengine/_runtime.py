"""What generated code calls off the hot path: error messages, error paths, oneof dispatch.

The generated encoders and decoders do no bookkeeping while things go well. When something
fails, these helpers work out which field, element and value were at fault, and say so clearly.
"""

from __future__ import annotations

import math
import sys
from array import array
from collections.abc import Iterable
from typing import Any, cast

from .._errors import DecodeError, EncodeError, shown
from .._schema import (
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
)
from .._wire import INT32_MAX, to_int32, write_uvarint

SEQUENCE_TYPES = frozenset((list, tuple, set, frozenset))

# The byte orders a buffer's item format may state and still hold native values ("" and "@"
# native, "=" native order with standard sizes, or the host's own explicit order).
_NATIVE_ORDERS = ("", "@", "=", ">", "!") if sys.byteorder == "big" else ("", "@", "=", "<")
# The struct letters of a buffer whose items an array of each typecode holds: the typecode
# itself, and C long ("l"/"L") where it has the same size (checked by itemsize).
_BUFFER_LETTERS = {"f": "f", "d": "d", "i": "il", "I": "IL", "q": "ql", "Q": "QL"}
_ITEMSIZE = {code: array(code).itemsize for code in _BUFFER_LETTERS}


def _buffer_bytes(code: str, proto: str, value: Any) -> bytes:
    """A buffer given for a repeated number field (an ``array.array``, a numpy array, a
    ``memoryview``), as the bytes of its items, C-ordered whatever its strides. Its items must be
    those of the array typecode ``code`` (``proto`` names the field's kind, for the error): one
    dimension, the same size, signedness and kind, in the host's byte order. The compiled
    engine's ``ddl_buffer_holds`` has the same rules."""
    with memoryview(value) as view:  # TypeError for a value without the buffer protocol
        fmt = view.format
        order, letter = (fmt[0], fmt[1:]) if fmt[:1] in ("@", "=", "<", ">", "!") else ("", fmt)
        if view.ndim != 1:
            raise EncodeError(f"a buffer of {view.ndim} dimensions cannot be written as repeated {proto}: flatten it")
        size = _ITEMSIZE[code]
        native = order in _NATIVE_ORDERS and view.itemsize == size
        if not (native and len(letter) == 1 and letter in _BUFFER_LETTERS[code]):
            raise EncodeError(
                f"a buffer of {fmt!r} items cannot be written as repeated {proto}, which takes {code!r} items "
                f"({size} bytes, in the host's byte order)"
            )
        return view.tobytes()


def buffer_le_bytes(code: str, proto: str, value: Any) -> bytes:
    """A buffer given for a packed fixed-width field, as the body of its packed run: the items'
    bytes, little-endian as protobuf writes them."""
    data = _buffer_bytes(code, proto, value)
    if sys.byteorder == "little":
        return data
    swapped = array(code, data)
    swapped.byteswap()
    return swapped.tobytes()


def buffer_list(code: str, proto: str, value: Any) -> list[Any]:
    """A buffer given for a repeated number field, as the list of its numbers."""
    return array(code, _buffer_bytes(code, proto, value)).tolist()


def is_buffer(value: Any) -> bool:
    """Whether ``value`` has the buffer protocol (its view is released at once)."""
    try:
        memoryview(value).release()
    except TypeError:
        return False
    return True


def text_codec(node: ScalarNode) -> str:
    """The arguments of a string field's ``decode``/``encode`` in generated code: strict UTF-8,
    or for ``verify_utf8=False`` any bytes, through lone surrogates (``surrogateescape``)."""
    return "" if node.verify_utf8 else "'utf-8', 'surrogateescape'"


def bad_type() -> None:
    """Raised from the generated fast path; ``encode_failure`` then explains the problem."""
    raise TypeError("wrong type")


def _tname(value: object) -> str:
    return type(value).__name__


def describe(node: Node, value: object) -> str | None:
    """What is wrong with ``value`` as a value of ``node``, or None when its type is right."""
    if isinstance(node, ScalarNode):
        types = node.kind.python_types
        ok = isinstance(value, (int, float) if node.kind.floating else types)  # an int is a fine double
        return None if ok else f"expected {types[0].__name__} ({node.proto}), got {_tname(value)}"
    if isinstance(node, EnumNode):
        if not isinstance(value, int):
            return f"expected {node.cls.__name__}, got {_tname(value)}"
        if node.closed and value not in node.by_number:
            return f"{shown(value)} is not a number of the closed enum {node.cls.__name__}"
        return None
    if isinstance(node, MessageNode):
        if type(value) is node.cls:
            return None
        return f"expected {node.cls.__name__}, got {_tname(value)}"
    if isinstance(node, (WellKnownNode, ConvertedNode)):
        if isinstance(value, node.types):
            return None
        return f"expected {' or '.join(t.__name__ for t in node.types)}, got {_tname(value)}"
    if isinstance(node, RepeatedNode):
        if type(value) in SEQUENCE_TYPES or (node.buffer_code is not None and is_buffer(value)):
            return None
        if node.buffer_code is not None:
            buffer = f"a buffer of {node.buffer_code!r} items"
            return f"expected a list, tuple, set, frozenset or {buffer}, got {_tname(value)}"
        return f"expected a list, tuple, set or frozenset, got {_tname(value)}"
    if isinstance(node, MapNode):
        return None if isinstance(value, dict) else f"expected dict, got {_tname(value)}"
    if isinstance(node, WrapperNode):
        return describe(node.inner.node, value) if not node.inner.presence or value is not None else None
    if isinstance(node, UnionNode):
        if pick_member(node, value, raising=False) >= 0:
            return None
        names = ", ".join(t.__name__ for t in node.python_types())
        return f"expected one of {names}, got {_tname(value)}"
    return None


def members_all(by_number: dict[int, object], values: Iterable[object]) -> bool:
    """Whether every value is a number of a closed enum (``by_number``)."""
    return all(x in by_number for x in values)


def closed_run(
    by_number: dict[int, Any], values: list[int], into: list[Any], unk: bytearray | None, tag: bytes | None,
    start: int = 0,
) -> bytearray | None:  # fmt: skip
    """A packed run of a closed enum, as raw varint values: its members go ``into`` the field's
    list, and each number the enum has not becomes a one-value field (``tag`` and the value,
    re-encoded as upb does) among the unknown fields ``unk``. Without ``tag`` (a wrapper of
    ddl's own, which has no unknown fields) such a number is an error at ``start``."""
    for raw in values:
        member = by_number.get(raw if raw <= INT32_MAX else to_int32(raw))
        if member is not None:
            into.append(member)
        elif tag is None:
            raise closed_miss(to_int32(raw), start)
        else:
            unk = bytearray() if unk is None else unk
            unk += tag
            write_uvarint(unk, raw)
    return unk


def closed_miss(number: int, start: int) -> DecodeError:
    """A closed enum's number that it has not, where no unknown field can keep it."""
    return DecodeError(f"{number} is not a number of the closed enum, and this value keeps no unknown fields", start)


def pick_member(node: UnionNode, value: object, raising: bool = True) -> int:
    """The oneof member for a value whose exact type is not a member's (an IntEnum for int, say)."""
    for i, member in enumerate(node.members):
        types = member.python_types()
        if isinstance(value, bool) and bool not in types:
            continue
        if isinstance(value, types) and not (isinstance(member, MessageNode) and type(value) is not member.cls):
            return i
    if type(value) is int:
        # An enum number the enum does not know decodes as a plain int; it goes back to the
        # enum member it came from (no member takes plain ints, or it would have matched).
        for i, member in enumerate(node.members):
            if isinstance(member, EnumNode):
                return i
    if raising:
        bad_type()
    return -1


def check_oneofs(obj: object, groups: tuple[tuple[str, tuple[str, ...]], ...]) -> None:
    """Refuse a message with more than one member of a oneof group set (not None): protobuf
    holds one at most, and a reader would keep whichever came last."""
    for group, names in groups:
        present = [name for name in names if getattr(obj, name, None) is not None]
        if len(present) > 1:
            raise EncodeError(f"oneof group {group!r} has more than one member set: {', '.join(present)}")


def _element_problem(node: Node, value: object) -> tuple[str, str] | None:
    """The first element (as a path segment) of a container that is at fault, and why. It looks
    at a snapshot: ``describe`` runs Python code, as may another thread, and either may change the
    container."""
    if isinstance(node, RepeatedNode) and type(value) in SEQUENCE_TYPES:
        for i, elem in enumerate(list(cast("Iterable[object]", value))):
            problem = describe(node.elem, elem)
            if problem is not None:
                return (f"[{i}]" if type(value) in (list, tuple) else f"[{shown(elem)}]", problem)
    if isinstance(node, MapNode) and isinstance(value, dict):
        for k, v in list(value.items()):
            problem = describe(node.key, k)
            if problem is not None:
                return (f"[{shown(k)}]", "map key: " + problem)
            problem = describe(node.value, v)
            if problem is not None:
                return (f"[{shown(k)}]", problem)
    return None


_MISSING = object()


def _locate(node: Node, value: object, elem: object, key: object) -> str:
    """The index or key of ``elem`` (the element being encoded when a nested error arose)."""
    if isinstance(node, RepeatedNode) and type(value) in (list, tuple):
        for i, candidate in enumerate(list(cast("Iterable[object]", value))):
            if candidate is elem:
                return f"[{i}]"
    if isinstance(node, MapNode) and isinstance(value, dict) and value.get(key, _MISSING) is elem:
        return f"[{shown(key)}]"
    return ""


def segment(field: FieldPlan, named: bool) -> str:
    return f".{field.name}" if named else ""


UNSET = object()  # an attribute deleted from a message (``del msg.x``)


def _field_value(fields: tuple[FieldPlan, ...], fi: int, named: bool, holder: object) -> object:
    """The value being encoded when something failed: field ``fi`` of the message ``holder``
    (-1: its unknown fields), or ``holder`` itself for a wrapper's value."""
    if not named:
        return holder
    return getattr(holder, fields[fi].name if fi >= 0 else "_ddl_unknown", UNSET)


def encode_failure(
    fields: tuple[FieldPlan, ...], fi: int, named: bool, holder: object, exc: Exception, elem: object, key: object
) -> EncodeError:
    """Turn whatever the fast path raised into an EncodeError naming the field and the problem."""
    value = _field_value(fields, fi, named, holder)
    if fi < 0:
        err = EncodeError(
            "_ddl_unknown (the unknown fields) was deleted"
            if value is UNSET
            else f"_ddl_unknown (the unknown fields) must be bytes or None, got {_tname(value)}"
        )
        err._push("._ddl_unknown")
        return err
    field = fields[fi]
    if value is UNSET:
        problem: str | None = f"{field.name} has no value: it was deleted (del)"
    elif value is None and field.required:
        problem = f"{field.name} is required (proto2's required) but is None"
    elif value is None:
        problem = None if field.presence else f"None is not allowed here: annotate it as {_hint(field)} | None"
    else:
        problem = describe(field.node, value)
    where = segment(field, named)
    if problem is None:
        found = _element_problem(field.node, value)
        if found is not None:
            where, problem = where + found[0], found[1]
    err = EncodeError(problem if problem is not None else str(exc))
    err._push(where)
    return err


def _hint(field: FieldPlan) -> str:
    node = field.node
    if isinstance(node, ScalarNode):
        # the Python type where it says more than the .proto name ("str", not "string")
        return node.kind.python_types[0].__name__ if node.kind in (Kind.BOOL, Kind.STRING, Kind.BYTES) else node.proto
    if isinstance(node, (EnumNode, MessageNode)):
        return node.cls.__name__
    return "X"


def push_encode_path(
    err: EncodeError, fields: tuple[FieldPlan, ...], fi: int, named: bool, holder: object, elem: object, key: object
) -> None:
    """Add the field being encoded (and the index or key of the element) to a nested error."""
    field = fields[fi]
    err._push(segment(field, named) + _locate(field.node, _field_value(fields, fi, named, holder), elem, key))


def push_decode_path(
    err: DecodeError, fields: dict[int, FieldPlan], named: bool, tag: int, acc: dict[str, Any]
) -> None:
    """Add the field being decoded (and the index of the element, for repeated fields)."""
    field = fields.get(tag >> 3)
    if field is None:
        return
    where = segment(field, named)
    current = acc.get(field.name)
    if isinstance(field.node, RepeatedNode) and isinstance(current, list):
        where += f"[{len(current)}]"
    err._push(where)


def decode_failure(
    exc: Exception, fields: dict[int, FieldPlan], named: bool, tag: int, start: int, acc: dict[str, Any]
) -> DecodeError:
    """Turn a low-level failure (IndexError, bad UTF-8, a bad conversion) into a DecodeError."""
    if isinstance(exc, UnicodeDecodeError):
        message = "invalid UTF-8 in a string field"
    elif isinstance(exc, IndexError):
        message = "the data ends in the middle of a field"
    else:
        message = f"invalid value: {exc}"
    err = DecodeError(message, start)
    push_decode_path(err, fields, named, tag, acc)
    return err


def message_member(node: UnionNode, value: object) -> int:
    """The oneof member that ``value`` (a decoded value) belongs to, if it is a message-like one
    that later occurrences merge into; -1 otherwise. Members are told apart as on encode."""
    if value is None:
        return -1
    member = pick_member(node, value, raising=False)
    message_like = member >= 0 and isinstance(node.members[member], (MessageNode, WellKnownNode, WrapperNode))
    return member if message_like else -1


#: Immutable, so one serves every empty frozenset field (CPython makes a new 216-byte one each
#: time), as ``()`` does for tuples; the compiled engine shares its own the same way.
EMPTY_FROZENSET: frozenset[Any] = frozenset()


def to_set(container: type, values: list[Any], field: FieldPlan, named: bool, offset: int) -> Any:
    """A set field's values as a set; an element Python cannot hash (an ``Any`` holding a list,
    say) is bad data for this class."""
    if not values and container is frozenset:
        return EMPTY_FROZENSET
    try:
        return container(values)
    except TypeError as exc:
        err = DecodeError(f"a {container.__name__} cannot hold these elements: {exc}", offset)
        err._push(segment(field, named))
        raise err from None


def depth_error_encode() -> EncodeError:
    return EncodeError("messages are nested deeper than max_depth (is there a cycle?)")


def depth_error_decode(pos: int) -> DecodeError:
    return DecodeError("message nesting exceeds max_depth", pos)


def unclosed_group(etag: int, pos: int) -> DecodeError:
    return DecodeError(f"group {etag >> 3} is not closed: no end-group tag before the end of the data", pos)


def mismatched_group(tag: int, etag: int, pos: int) -> DecodeError:
    return DecodeError(f"end-group tag {tag >> 3} does not match group {etag >> 3}", pos)


def length_error(n: int, pos: int, end: int) -> DecodeError:
    return DecodeError(f"length {n} runs past the end of the data ({end - pos} bytes left)", pos)


def sorted_items(mapping: dict[Any, Any]) -> list[tuple[Any, Any]]:
    return sorted(mapping.items(), key=lambda item: item[0])


def signbit(value: float) -> bool:
    """True for -0.0: protobuf writes a negative zero, since its bits are not zero."""
    return value.__class__ is float and math.copysign(1.0, value) < 0
