"""The lines of generated decoders that read the wire itself: tags, lengths, varints of each
kind, and fixed-width values, and the globals those lines call (see ``_decode.py``)."""

from __future__ import annotations

from array import array
from typing import Any

from .. import _wire
from .._errors import DecodeError
from .._schema import EnumNode, Kind, ScalarNode
from .._wkt_codecs import Unchecked, keep_unknown, take_kept
from . import _runtime as rt
from ._source import Builder

# The readers of each fixed-width kind, by the global name the generated code calls them by.
FIXED = {
    Kind.DOUBLE: ("_UP_d", _wire.UNPACK_DOUBLE),
    Kind.FLOAT: ("_UP_f", _wire.UNPACK_FLOAT),
    Kind.FIXED64: ("_UP_Q", _wire.UNPACK_FIXED64),
    Kind.SFIXED64: ("_UP_q", _wire.UNPACK_SFIXED64),
    Kind.FIXED32: ("_UP_I", _wire.UNPACK_FIXED32),
    Kind.SFIXED32: ("_UP_i", _wire.UNPACK_SFIXED32),
}

BASE_GLOBALS: dict[str, Any] = {
    "_DecodeError": DecodeError,
    "_rv": _wire.read_varint,
    "_rt": _wire.read_tag,
    "_skip": _wire.skip_field,
    "_unpack_arr": _wire.unpack_array,
    "_unpack_varints": _wire.unpack_varints_as,
    "_new": object.__new__,
    "_EMPTY": b"",
    "_depth": rt.depth_error_decode,
    "_lenerr": rt.length_error,
    "_dpush": rt.push_decode_path,
    "_dfail": rt.decode_failure,
    "_group_end": _wire.group_end,
    "_unclosed": rt.unclosed_group,
    "_mismatch": rt.mismatched_group,
    "_member_of": rt.message_member,
    "_list": list,
    "_Unchecked": Unchecked,
    "_keep": keep_unknown,
    "_take_kept": take_kept,
    "_to_set": rt.to_set,
    "_tuple": tuple,
    "_array": array,
    "_set": set,
    "_frozenset": frozenset,
    "_closed_run": rt.closed_run,
    "_closed_miss": rt.closed_miss,
    "_unpack_raw": _wire.unpack_varints,
    **dict(FIXED.values()),
}


def read_tag(b: Builder, var: str, pos: str, ind: int, value: bool = False) -> None:
    """Read a tag or a length prefix (at most 5 bytes), or with ``value`` a varint value (at
    most 10), inlining the one- and two-byte cases that most of them take. A second byte
    past ``end`` is caught by the caller's end check."""
    b.line(ind, f"{var} = buf[{pos}]")
    b.line(ind, f"if {var} < 128:")
    b.line(ind + 1, f"{pos} += 1")
    b.line(ind, f"elif buf[{pos} + 1] < 128:")
    b.line(ind + 1, f"{var} = ({var} & 127) | (buf[{pos} + 1] << 7)")
    b.line(ind + 1, f"{pos} += 2")
    b.line(ind, "else:")
    if var == "tag":
        b.line(ind + 1, "tag = 0")  # should it fail, the error names no field
    b.line(ind + 1, f"{var}, {pos} = {'_rv' if value else '_rt'}(buf, {pos})")


def read_length(b: Builder, pos: str, end: str, ind: int) -> None:
    """Read a length prefix into ``n`` and the end of the value into ``q``, bounds-checked."""
    read_tag(b, "n", pos, ind)
    b.line(ind, f"q = {pos} + n")
    b.line(ind, f"if q > {end}:")
    b.line(ind + 1, f"raise _lenerr(n, {pos}, {end})")


def read_varint(b: Builder, node: ScalarNode | EnumNode, var: str, ind: int, pos: str) -> None:
    kind = node.kind
    raw = var if kind <= Kind.UINT64 else "v"
    read_tag(b, raw, pos, ind, value=True)
    # One-byte varints are already right for every kind but zigzag, bool and enum.
    if kind == Kind.INT64:
        b.line(ind + 1, f"if {raw} > 0x7FFFFFFFFFFFFFFF:")
        b.line(ind + 2, f"{raw} -= 0x10000000000000000")
    elif kind in (Kind.INT32, Kind.ENUM):
        b.line(ind + 1, f"if {raw} > 0x7FFFFFFF:")
        b.line(ind + 2, f"{raw} = (({raw} & 0xFFFFFFFF) ^ 0x80000000) - 0x80000000")
    elif kind == Kind.UINT32:
        b.line(ind + 1, f"{raw} &= 0xFFFFFFFF")
    if kind == Kind.SINT32:
        b.line(ind, f"{var} = ((v & 0xFFFFFFFF) >> 1) ^ -(v & 1)")
    elif kind == Kind.SINT64:
        b.line(ind, f"{var} = (v >> 1) ^ -(v & 1)")
    elif kind == Kind.BOOL:
        b.line(ind, f"{var} = v != 0")
    elif isinstance(node, EnumNode):
        # A closed enum reads a number it has not as None, which the caller handles.
        b.line(ind, f"{var} = {b.ref(node.by_number, 'E')}.get(v{'' if node.closed else ', v'})")
