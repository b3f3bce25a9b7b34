"""Generating the encoder of one message class (and of the wrappers it needs) from its plan.

The generated function appends to one ``bytearray``. A nested message gets a one-byte length
placeholder that is widened only when the body turns out to be 128 bytes or longer.
"""

from __future__ import annotations

from typing import Any

from .. import _wire
from .._errors import EncodeError
from .._schema import (
    ConvertedNode,
    EnumNode,
    FieldPlan,
    Kind,
    MapNode,
    MessageNode,
    MessagePlan,
    Node,
    RepeatedNode,
    ScalarNode,
    UnionNode,
    WellKnownNode,
    WrapperNode,
)
from .._wire import WT_EGROUP, WT_LEN
from . import _runtime as rt
from ._source import Builder

# The writers of each kind, by the global name the generated code calls them by.
_FIXED = {
    Kind.DOUBLE: ("_PK_d", _wire.PACK_DOUBLE),
    Kind.FLOAT: ("_PK_f", _wire.PACK_FLOAT),
    Kind.FIXED64: ("_PK_Q", _wire.PACK_FIXED64),
    Kind.SFIXED64: ("_PK_q", _wire.PACK_SFIXED64),
    Kind.FIXED32: ("_PK_I", _wire.PACK_FIXED32),
    Kind.SFIXED32: ("_PK_i", _wire.PACK_SFIXED32),
}
_VARINT_WRITERS = {
    Kind.INT64: _wire.write_int64,
    Kind.INT32: _wire.write_int32,
    Kind.UINT32: _wire.write_uint32,
    Kind.UINT64: _wire.write_uint64,
    Kind.SINT32: _wire.write_sint32,
    Kind.SINT64: _wire.write_sint64,
}

BASE_GLOBALS: dict[str, Any] = {
    "_EncodeError": EncodeError,
    "_w_uv": _wire.write_uvarint,
    "_SV": _wire.SMALL_VARINTS,
    "_w_bool": _wire.write_bool,
    "_w_bytes": _wire.write_bytes,
    "_patch": _wire.patch_length,
    "_pack_arr": _wire.pack_array,
    "_pack_varints": _wire.pack_varints,
    "_members_all": rt.members_all,
    "_SEQ": rt.SEQUENCE_TYPES,
    "_bad": rt.bad_type,
    "_signbit": rt.signbit,
    "_sorted_items": rt.sorted_items,
    "_depth": rt.depth_error_encode,
    "_fail": rt.encode_failure,
    "_push": rt.push_encode_path,
    "_pick": rt.pick_member,
    "_oneofs": rt.check_oneofs,
    "_BYTES": (bytes, bytearray, memoryview),
    "_sorted": sorted,
    "_buf_le": rt.buffer_le_bytes,
    "_buf_list": rt.buffer_list,
    **{f"_w_{k.proto}": fn for k, fn in _VARINT_WRITERS.items()},
    **dict(_FIXED.values()),
}


def tag_bytes(number: int, wire_type: int) -> bytes:
    return _wire.uvarint_bytes((number << 3) | wire_type)


class EncoderSource:
    """Source text for one class's encode function plus one function per wrapper node."""

    def __init__(self, b: Builder, deps: list[tuple[str, type, str]]) -> None:
        self.b = b
        self.deps = deps
        self.functions: list[str] = []
        self.wrappers: dict[int, str] = {}
        self.b.globs.update(BASE_GLOBALS)

    def message(self, plan: MessagePlan) -> str:
        """The source of ``encode(obj, out, budget, det)`` and the wrapper functions it calls."""
        self._function("encode", "obj", plan.fields, plan.order, named=True, oneofs=plan.oneofs)
        return "\n".join(self.functions) + "\n"

    def _function(
        self, name: str, arg: str, fields: list[FieldPlan], order: list[tuple[int, FieldPlan, int]], named: bool,
        oneofs: dict[str, list[FieldPlan]] | None = None,
    ) -> str:  # fmt: skip
        b = self.b
        fields_name = b.ref(tuple(fields), "FIELDS")
        index = {id(f): i for i, f in enumerate(fields)}
        selected: set[int] = set()
        # A wrapper met while writing this function becomes a function of its own: collect
        # this one's lines apart and add them to the source when it is complete.
        saved, b.lines = b.lines, []
        b.line(0, f"def {name}({arg}, out, budget, det):")
        b.line(1, "if budget < 0:")
        b.line(2, "raise _depth()")
        b.line(1, "fi = 0")
        b.line(1, "x = mk = None")
        if oneofs:
            # At most one member of each oneof group may be set; the error names the message.
            groups = b.ref(tuple((g, tuple(f.name for f in members)) for g, members in oneofs.items()), "GROUPS")
            b.line(1, f"_oneofs(obj, {groups})")
        b.line(1, "try:")
        for number, f, member in order:
            b.line(2, f"fi = {index[id(f)]}")
            if named:
                b.line(2, f"v = obj.{f.name}")
            if member < 0:
                self._field(f, number, 2)
            else:
                self._member(f, number, member, index[id(f)], 2, first=id(f) not in selected)
                selected.add(id(f))
        if named:
            b.line(2, "fi = -1")  # the unknown fields, which the error helpers name as such
            b.line(2, "u = obj._ddl_unknown")
            b.line(2, "if u is not None:")
            b.line(3, "out += u")
        # What failed is found again from the object (or a wrapper's value) and ``fi``.
        holder = "obj" if named else "v"
        b.line(1, "except _EncodeError as e:")
        b.line(2, f"_push(e, {fields_name}, fi, {named}, {holder}, x, mk)")
        b.line(2, "raise")
        b.line(1, "except RecursionError:")
        b.line(2, "raise _EncodeError('nesting is too deep for the Python stack') from None")
        b.line(1, "except Exception as e:")
        b.line(2, f"raise _fail({fields_name}, fi, {named}, {holder}, e, x, mk) from None")
        b.line(0, "")
        self.functions.extend(b.lines)
        b.lines = saved
        return name

    # -- fields ---------------------------------------------------------------------------

    def _field(self, f: FieldPlan, number: int, ind: int) -> None:
        b, node = self.b, f.node
        if isinstance(node, RepeatedNode):
            self._repeated(node, number, ind)
        elif isinstance(node, MapNode):
            self._map(node, number, ind)
        elif f.presence:
            b.line(ind, "if v is not None:")
            self._tagged(node, number, "v", ind + 1)
            if f.required:
                b.line(ind, "else:")  # ``encode_failure`` names the required field
                b.line(ind + 1, "_bad()")
        else:
            self._implicit(node, number, ind)

    def _implicit(self, node: Node, number: int, ind: int) -> None:
        """A field without presence: proto3 omits its zero value, but still checks its type."""
        b = self.b
        tag = tag_bytes(number, node.wire_type)
        if isinstance(node, ScalarNode) and node.kind == Kind.BOOL:
            true_field = tag + b"\x01"
            b.line(ind, "if v is True:")
            b.line(ind + 1, f"out += {true_field!r}")
            b.line(ind, "elif v is not False:")
            b.line(ind + 1, "_bad()")
        elif isinstance(node, (ScalarNode, EnumNode)):
            b.line(ind, "if v:")
            b.line(ind + 1, f"out += {tag!r}")
            self.payload(node, "v", ind + 1)
            if isinstance(node, ScalarNode) and node.kind.floating:
                b.line(ind, "elif v.__class__ is float:")
                b.line(ind + 1, "if _signbit(v):")
                b.line(ind + 2, f"out += {tag!r}")
                self.payload(node, "v", ind + 2)
                b.line(ind, "elif not isinstance(v, int):")
            elif isinstance(node, ScalarNode) and node.kind == Kind.STRING:
                b.line(ind, "elif v.__class__ is not str:")
            elif isinstance(node, ScalarNode) and node.kind == Kind.BYTES:
                b.line(ind, "elif not isinstance(v, _BYTES):")
            else:
                b.line(ind, "elif v.__class__ is not int and not isinstance(v, int):")
            b.line(ind + 1, "_bad()")
        elif isinstance(node, ConvertedNode):
            # Always written: a Decimal's or UUID's wire form is never the proto3 zero ("" or
            # b""), and other readers cannot parse the empty value.
            b.line(ind, f"out += {tag!r}")
            self.payload(node, "v", ind)
        elif isinstance(node, WellKnownNode) and node.omitted:
            # None (for Any) and {} (for a Struct) are the zero values, omitted like "" or 0.
            b.line(ind, "if v is not None:" if node.omitted == "none" else "if v or not isinstance(v, dict):")
            b.line(ind + 1, f"out += {tag!r}")
            self.payload(node, "v", ind + 1)
        else:
            self._tagged(node, number, "v", ind)

    def _tagged(self, node: Node, number: int, var: str, ind: int) -> None:
        """One value with its tag; a group's body is followed by its end-group tag."""
        b = self.b
        b.line(ind, f"out += {tag_bytes(number, node.wire_type)!r}")
        self.payload(node, var, ind)
        if isinstance(node, MessageNode) and node.delimited:
            b.line(ind, f"out += {tag_bytes(number, WT_EGROUP)!r}")

    def _member(self, f: FieldPlan, number: int, member: int, fi: int, ind: int, first: bool) -> None:
        b = self.b
        assert isinstance(f.node, UnionNode)
        sel = f"s{fi}"
        if first:
            table = {t: i for i, m in enumerate(f.node.members) for t in m.python_types()}
            b.line(ind, "if v is None:")
            b.line(ind + 1, f"{sel} = -1" if f.presence else "_bad()")
            b.line(ind, "else:")
            b.line(ind + 1, f"{sel} = {b.ref(table, 'SEL')}.get(v.__class__, -2)")
            b.line(ind + 1, f"if {sel} == -2:")
            b.line(ind + 2, f"{sel} = _pick({b.ref(f.node, 'U')}, v)")
        node = f.node.members[member]
        b.line(ind, f"if {sel} == {member}:")
        self._tagged(node, number, "v", ind + 1)

    def _repeated(self, node: RepeatedNode, number: int, ind: int) -> None:
        b, elem, code = self.b, node.elem, node.buffer_code
        if code is not None:
            # Numbers may come as a buffer of their item format (an array, a numpy array...);
            # a numpy array has no truth value, so the type is asked first. A set's numbers are
            # taken as a list, to be sorted when ``det`` asks.
            b.line(ind, "if v.__class__ not in _SEQ:")
            assert isinstance(elem, ScalarNode)
            if node.write_packed and elem.kind.width and node.container not in (set, frozenset):
                b.line(ind + 1, f"b = _buf_le({code!r}, {elem.proto!r}, v)")
                b.line(ind + 1, "if b:")
                b.line(ind + 2, f"out += {tag_bytes(number, WT_LEN)!r}")
                b.line(ind + 2, "_w_uv(out, len(b))")
                b.line(ind + 2, "out += b")
                b.line(ind + 1, "v = ()")
            else:
                b.line(ind + 1, f"v = _buf_list({code!r}, {elem.proto!r}, v)")
        b.line(ind, "if v:")
        b.line(ind + 1, "if v.__class__ not in _SEQ:")
        b.line(ind + 2, "_bad()")
        if node.container in (set, frozenset):
            # Scalars sort by value. Other elements (messages, nested containers, JSON values)
            # have no total order in Python, so they sort by their own encoding: equal sets
            # then give equal bytes whatever their iteration order.
            b.line(ind + 1, "if det:")
            if _totally_ordered(elem):
                b.line(ind + 2, "v = _sorted(v)")
            else:
                b.line(ind + 2, f"v = _sorted(v, key=lambda x: {self._key_function(elem)}(x, budget))")
        if node.write_packed:
            b.line(ind + 1, f"out += {tag_bytes(number, WT_LEN)!r}")
            if isinstance(elem, ScalarNode) and elem.kind.width:
                b.line(ind + 1, f"_w_uv(out, len(v) * {elem.kind.width})")
                b.line(ind + 1, f"out += _pack_arr({_wire.ARRAY_CODES[elem.proto]!r}, v)")
            elif isinstance(elem, EnumNode) or (isinstance(elem, ScalarNode) and elem.kind != Kind.BOOL):
                kind = elem.kind.proto
                if isinstance(elem, EnumNode) and elem.closed:
                    b.line(ind + 1, f"if not _members_all({b.ref(elem.by_number, 'E')}, v):")
                    b.line(ind + 2, "_bad()")
                b.line(ind + 1, f"b = _pack_varints({kind!r}, v if v.__class__ is list else list(v))")
                b.line(ind + 1, "_w_uv(out, len(b))")
                b.line(ind + 1, "out += b")
            else:
                b.line(ind + 1, "q = len(out)")
                b.line(ind + 1, "out.append(0)")
                b.line(ind + 1, "for x in v:")
                self.payload(elem, "x", ind + 2)
                self._patch("q", ind + 1)
        else:
            b.line(ind + 1, "for x in v:")
            self._tagged(elem, number, "x", ind + 2)
        b.line(ind, "elif v.__class__ not in _SEQ:")
        b.line(ind + 1, "_bad()")

    def _key_function(self, elem: Node) -> str:
        b = self.b
        name = b.fresh("element_bytes")
        saved, b.lines = b.lines, []
        b.line(0, f"def {name}(x, budget):")
        b.line(1, "det = True")
        b.line(1, "out = bytearray()")
        self.payload(elem, "x", 1)
        b.line(1, "return bytes(out)")
        b.line(0, "")
        self.functions.extend(b.lines)
        b.lines = saved
        return name

    def _map(self, node: MapNode, number: int, ind: int) -> None:
        b = self.b
        b.line(ind, "if v:")
        b.line(ind + 1, "if not isinstance(v, dict):")
        b.line(ind + 2, "_bad()")
        # A snapshot of the entries (sorted, or as they are), taken with no Python code running:
        # another thread changing the dict between two entries would stop a live iteration.
        b.line(ind + 1, "for mk, x in (_sorted_items(v) if det else list(v.items())):")
        b.line(ind + 2, f"out += {tag_bytes(number, WT_LEN)!r}")
        b.line(ind + 2, "q = len(out)")
        b.line(ind + 2, "out.append(0)")
        # Map entries always carry both key and value, as protobuf's own writers do.
        b.line(ind + 2, f"out += {tag_bytes(1, node.key.wire_type)!r}")
        self.payload(node.key, "mk", ind + 2)
        b.line(ind + 2, f"out += {tag_bytes(2, node.value.wire_type)!r}")
        self.payload(node.value, "x", ind + 2)
        self._patch("q", ind + 2)
        b.line(ind, "elif not isinstance(v, dict):")
        b.line(ind + 1, "_bad()")

    # -- one value, without its tag -------------------------------------------------------

    def payload(self, node: Node, var: str, ind: int) -> None:
        b = self.b
        if isinstance(node, EnumNode) or (isinstance(node, ScalarNode) and node.kind <= Kind.UINT64):
            # an enum's number is written as an int32 is
            proto = "int32" if isinstance(node, EnumNode) else node.proto
            if isinstance(node, EnumNode) and node.closed:
                b.line(ind, f"if {var} not in {b.ref(node.by_number, 'E')}:")  # a number it has not
                b.line(ind + 1, "_bad()")
            b.line(ind, f"if 0 <= {var} < 128:")
            b.line(ind + 1, f"out.append({var})")
            b.line(ind, f"elif 0 < {var} < 16384:")
            b.line(ind + 1, f"out += _SV[{var}]")
            b.line(ind, "else:")
            b.line(ind + 1, f"_w_{proto}(out, {var})")
        elif isinstance(node, ScalarNode) and node.kind in (Kind.SINT32, Kind.SINT64):
            b.line(ind, f"_w_{node.proto}(out, {var})")
        elif isinstance(node, ScalarNode) and node.kind == Kind.BOOL:
            b.line(ind, f"_w_bool(out, {var})")
        elif isinstance(node, ScalarNode) and node.kind in _FIXED:
            b.line(ind, f"out += {_FIXED[node.kind][0]}({var})")
        elif isinstance(node, ScalarNode) and node.kind == Kind.STRING:
            b.line(ind, f"b = {var}.encode({rt.text_codec(node)})")
            b.line(ind, "n = len(b)")
            b.line(ind, "if n < 128:")
            b.line(ind + 1, "out.append(n)")
            b.line(ind, "else:")
            b.line(ind + 1, "_w_uv(out, n)")
            b.line(ind, "out += b")
        elif isinstance(node, ScalarNode):
            b.line(ind, f"_w_bytes(out, {var})")
        elif isinstance(node, ConvertedNode):
            b.line(ind, f"w = {b.ref(node.to_wire, 'W')}({var})")
            self.payload(node.base, "w", ind)
        elif isinstance(node, MessageNode):
            cls = b.ref(node.cls, "C")
            b.line(ind, f"if {var}.__class__ is not {cls}:")
            b.line(ind + 1, "_bad()")
            if node.delimited:  # the body alone: its end-group tag, not a length, closes it
                b.line(ind, f"{self._dep(node.cls, 'enc')}({var}, out, budget - 1, det)")
            else:
                self._nested(self._dep(node.cls, "enc"), var, ind)
        elif isinstance(node, WellKnownNode):
            types = b.ref(node.types, "T")
            b.line(ind, f"if {var}.__class__ not in {types} and not isinstance({var}, {types}):")
            b.line(ind + 1, "_bad()")
            self._nested(b.ref(node.encode, "wkt"), var, ind)
        elif isinstance(node, WrapperNode):
            if id(node) not in self.wrappers:
                self.wrappers[id(node)] = self._function(b.fresh("wrap"), "v", [node.inner], node.inner.order, False)
            self._nested(self.wrappers[id(node)], var, ind)
        else:
            raise AssertionError(f"no payload for {node!r}")

    def _nested(self, fn: str, var: str, ind: int) -> None:
        b = self.b
        b.line(ind, "p = len(out)")
        b.line(ind, "out.append(0)")
        b.line(ind, f"{fn}({var}, out, budget - 1, det)")
        self._patch("p", ind)

    def _patch(self, at: str, ind: int) -> None:
        b = self.b
        b.line(ind, f"n = len(out) - {at} - 1")
        b.line(ind, "if n < 128:")
        b.line(ind + 1, f"out[{at}] = n")
        b.line(ind, "else:")
        b.line(ind + 1, f"_patch(out, {at})")

    def _dep(self, cls: type, kind: str) -> str:
        name = f"_{kind}_{self.b.ref(cls, 'C')}"
        if not any(d[0] == name for d in self.deps):
            self.deps.append((name, cls, kind))
        return name


def _totally_ordered(node: Node) -> bool:
    if isinstance(node, WellKnownNode):
        return node.ordered
    return isinstance(node, (ScalarNode, EnumNode, ConvertedNode))
