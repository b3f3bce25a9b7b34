"""Generating one class's JSON reader (and its wrappers' readers) from its plan.

A reader is ``read(obj, ign, reg, budget)``: ``obj`` the JSON value (a dict for a message),
``ign`` the ``ignore_unknown_fields`` option, ``reg`` the Any registry, ``budget`` the nesting
left. Each field is looked up by its JSON name, then by its .proto name, so the loop is over
the plan's fields and nothing is dispatched per key at run time; keys left over are extensions
(``"[pkg.ext]"``, see ``_extensions``) or unknown fields. Each node family writes its own
conversion (``_CONVERTERS``): the usual JSON form is checked inline, every other form goes
through ``_read_values``. Errors get their path on the way out, from the ``except`` around each
field, element and map entry.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable
from typing import Any

from .. import wkt
from .._errors import DecodeError, shown
from .._pyengine._source import Builder, slot_setter
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
from . import _read_values as rv
from ._extensions import leftover
from ._read_errors import BASE_ERRORS

_MISS = object()

BASE_GLOBALS: dict[str, Any] = {
    "_DecodeError": DecodeError,
    "_shown": shown,
    "_MISS": _MISS,
    "_SKIP": rv.SKIP,
    "_new": object.__new__,
    "_fin": math.isfinite,
    "_to_int": rv.to_int,
    "_to_float": rv.to_float,
    "_to_bool": rv.to_bool,
    "_key_bool": rv.key_bool,
    "_to_str": rv.to_str,
    "_to_bytes": rv.to_bytes,
    "_to_enum": rv.to_enum,
    "_to_timestamp": rv.to_timestamp,
    "_to_duration": rv.to_duration,
    "_to_date": rv.to_date,
    "_to_native": rv.to_native,
    "_to_struct": rv.to_struct,
    "_to_decimal": rv.to_decimal,
    "_to_uuid": rv.to_uuid,
    "_tuple": tuple,
    "_set": set,
    "_frozenset": frozenset,
    "_array": array,
    "_list": list,
    "_dict": dict,
    "_leftover": leftover,
    **BASE_ERRORS,
}

_EMPTY_CONTAINERS: dict[type, str] = {list: "[]", tuple: "()", set: "_set()", frozenset: "_frozenset()"}
_CONTAINER_OF: dict[type, str] = {list: "", tuple: "_tuple", set: "_set", frozenset: "_frozenset"}
_INT_RANGES = {
    Kind.INT32: (-(1 << 31), (1 << 31) - 1),
    Kind.SINT32: (-(1 << 31), (1 << 31) - 1),
    Kind.SFIXED32: (-(1 << 31), (1 << 31) - 1),
    Kind.UINT32: (0, (1 << 32) - 1),
    Kind.FIXED32: (0, (1 << 32) - 1),
    Kind.INT64: (-(1 << 63), (1 << 63) - 1),
    Kind.SINT64: (-(1 << 63), (1 << 63) - 1),
    Kind.SFIXED64: (-(1 << 63), (1 << 63) - 1),
    Kind.UINT64: (0, (1 << 64) - 1),
    Kind.FIXED64: (0, (1 << 64) - 1),
}


def takes_null(node: Node) -> bool:
    """Whether JSON null is a value of ``node`` rather than its absence: a google.protobuf.Value
    (the null value) and the NullValue enum, as protobuf reads them."""
    if isinstance(node, MessageNode):
        return node.cls is wkt.Value
    if isinstance(node, WellKnownNode):
        return node.name == "value"
    return isinstance(node, EnumNode) and node.cls is wkt.NullValue


class ReaderSource:
    """Source text for one class's ``read`` function plus one function per wrapper node.
    ``deps`` collects (global name, class) for the readers of the message classes it calls."""

    def __init__(self, b: Builder, deps: list[tuple[str, type]]) -> None:
        self.b = b
        self.deps = deps
        self.functions: list[str] = []
        self._dep_names: dict[type, str] = {}
        self.b.globs.update(BASE_GLOBALS)

    def message(self, plan: MessagePlan) -> str:
        self._function("read", plan.fields, plan)
        return "\n".join(self.functions) + "\n"

    # -- functions ------------------------------------------------------------------------------

    def _function(self, name: str, fields: list[FieldPlan], plan: MessagePlan | None) -> None:
        """A message's reader (``plan`` given) or a wrapper's (which returns its one field's value)."""
        b = self.b
        saved, b.lines = b.lines, []
        title = plan.cls.__qualname__ if plan is not None else "a wrapper"
        known = b.ref(frozenset(n for f in fields for n in (*f.json_names, *f.proto_names)), "KNOWN")
        b.line(0, f"def {name}(obj, ign, reg, budget):")
        b.line(1, "if type(obj) is not _dict:")
        b.line(2, f"raise _not_object(obj, {title!r})")
        b.line(1, "if budget < 0:")
        b.line(2, "raise _too_deep()")
        b.line(1, "n = len(obj)")
        local = {id(f): f"f{i}" for i, f in enumerate(fields)}
        for f in fields:
            self._field(f, local[id(f)])
        # Keys no field took: extensions (a message's unknown fields, ``u``), or errors.
        cls = b.ref(plan.cls, "C") if plan is not None else "None"
        b.line(1, f"u = _leftover(obj, {known}, ign, {title!r}, {cls}, reg, budget) if n else None")
        if plan is not None:
            for group, members in plan.oneofs.items():
                taken = " + ".join(f"({local[id(f)]} is not None)" for f in members)
                b.line(1, f"if {taken} > 1:")
                b.line(2, f"raise _two_members({group!r})")
            self._build(plan, local)
        else:
            b.line(1, f"return {local[id(fields[0])]}")
        self.functions.append(b.source())
        b.lines = saved

    def _build(self, plan: MessagePlan, local: dict[int, str]) -> None:
        b = self.b
        b.line(1, f"obj = _new({b.ref(plan.cls, 'C')})")
        for f in plan.fields:
            if plan.frozen:
                b.line(1, f"{b.ref(slot_setter(plan.cls, f.name), 'set')}(obj, {local[id(f)]})")
            else:
                b.line(1, f"obj.{f.name} = {local[id(f)]}")
        if plan.frozen:
            b.line(1, f"{b.ref(slot_setter(plan.cls, '_ddl_unknown'), 'set')}(obj, u)")
        else:
            b.line(1, "obj._ddl_unknown = u")
        b.line(1, "return obj")

    # -- fields ---------------------------------------------------------------------------------

    def _field(self, f: FieldPlan, var: str) -> None:
        b, node = self.b, f.node
        if isinstance(node, UnionNode):
            self._union(f, node, var)
            return
        zero, late = self._initial(f)
        b.line(1, f"{var} = {'_MISS' if late else zero}")
        self._fetch(f.json_names[0], f.proto_names[0], 1)
        b.line(1, "if v is not _MISS:")
        b.line(2, "n -= 1")
        ind = 2
        if not takes_null(node):
            b.line(2, "if v is not None:")
            ind = 3
        self._guarded(node, var, f.json_names[0], ind)
        if late:
            b.line(1, f"if {var} is _MISS:")
            b.line(2, f"{var} = {zero}")

    def _union(self, f: FieldPlan, node: UnionNode, var: str) -> None:
        """A union: one key per member, at most one of them not null."""
        b = self.b
        zero, late = (None, False) if node.has_none else self._zero_of(node.members[0])
        b.line(1, f"{var} = {'None' if node.has_none else ('_MISS' if late else zero)}")
        b.line(1, f"k{var} = 0")
        for i, member in enumerate(node.members):
            self._fetch(f.json_names[i], f.proto_names[i], 1)
            b.line(1, "if v is not _MISS:")
            b.line(2, "n -= 1")
            b.line(2, "if v is not None:")
            b.line(3, f"k{var} += 1")
            self._guarded(member, var, f.json_names[i], 3)
        b.line(1, f"if k{var} > 1:")
        b.line(2, f"raise _two_members({f.name!r})")
        if late:
            b.line(1, f"if {var} is _MISS:")
            b.line(2, f"{var} = {zero}")

    def _fetch(self, json_name: str, proto_name: str, ind: int) -> None:
        """``v``: the value under either spelling of the name, or _MISS; both is an error."""
        b = self.b
        b.line(ind, f"v = obj.get({json_name!r}, _MISS)")
        if proto_name != json_name:
            b.line(ind, "if v is _MISS:")
            b.line(ind + 1, f"v = obj.get({proto_name!r}, _MISS)")
            b.line(ind, f"elif {proto_name!r} in obj:")
            b.line(ind + 1, f"raise _twice({json_name!r}, {proto_name!r})")

    def _guarded(self, node: Node, var: str, segment: str, ind: int) -> None:
        """Convert ``v`` into ``var``, the error path taking ``.segment``."""
        b = self.b
        b.line(ind, "try:")
        out = b.fresh("x")
        self.convert(node, "v", out, ind + 1)
        b.line(ind, "except _DecodeError as e:")
        b.line(ind + 1, f"e._push({'.' + segment!r})")
        b.line(ind + 1, "raise")
        if isinstance(node, EnumNode):
            b.line(ind, f"if {out} is not _SKIP:")
            b.line(ind + 1, f"{var} = {out}")
        else:
            b.line(ind, f"{var} = {out}")

    def _initial(self, f: FieldPlan) -> tuple[str, bool]:
        """A field's value while absent, and whether it is made only when the field is absent."""
        node = f.node
        if f.presence:
            return "None", False
        if isinstance(node, RepeatedNode):
            if node.vector:
                return f"_array({node.buffer_code!r})", False
            return _EMPTY_CONTAINERS[node.container], False
        if isinstance(node, MapNode):
            return "{}", False
        return self._zero_of(node)

    def _zero_of(self, node: Node) -> tuple[str, bool]:
        b = self.b
        if isinstance(node, ScalarNode):
            return repr(node.zero), False
        if isinstance(node, EnumNode):
            return b.ref(node.zero, "Z"), False
        if isinstance(node, ConvertedNode):
            return b.ref(node.zero(), "Z"), False
        if isinstance(node, WellKnownNode):
            return f"{b.ref(node.zero, 'zero')}()", True
        return f"{self._reader_of(node)}({{}}, ign, reg, budget - 1)", True

    # -- conversions: JSON value ``src`` to the Python value in ``dst`` ---------------------------

    def convert(self, node: Node, src: str, dst: str, ind: int) -> None:
        for family, write in _CONVERTERS:
            if isinstance(node, family):
                write(self, node, src, dst, ind)
                return
        raise AssertionError(f"no JSON reader for {node!r}")

    def _scalar(self, node: ScalarNode, src: str, dst: str, ind: int) -> None:
        b, kind = self.b, node.kind
        if kind in _INT_RANGES:
            lo, hi = _INT_RANGES[kind]
            b.line(ind, f"if type({src}) is int and {lo} <= {src} <= {hi}:")
            b.line(ind + 1, f"{dst} = {src}")
            b.line(ind, "else:")
            b.line(ind + 1, f"{dst} = _to_int({src}, {lo}, {hi}, {kind.proto!r})")
        elif kind == Kind.DOUBLE:
            b.line(ind, f"{dst} = {src} if type({src}) is float and _fin({src}) else _to_float({src}, False)")
        elif kind == Kind.FLOAT:
            b.line(ind, f"{dst} = _to_float({src}, True)")
        elif kind == Kind.BOOL:
            b.line(ind, f"{dst} = {src} if {src} is True or {src} is False else _to_bool({src})")
        elif kind == Kind.STRING:
            check = f"type({src}) is str and {src}.isascii()" if node.verify_utf8 else f"type({src}) is str"
            b.line(ind, f"{dst} = {src} if {check} else _to_str({src})")
        else:
            b.line(ind, f"{dst} = _to_bytes({src})")

    def _enum(self, node: EnumNode, src: str, dst: str, ind: int) -> None:
        b = self.b
        names = b.ref(rv.enum_names(node), "NAMES")
        b.line(ind, f"{dst} = {names}.get({src}, _MISS) if type({src}) is str else _MISS")
        b.line(ind, f"if {dst} is _MISS:")
        if node.cls is wkt.NullValue:
            b.line(ind + 1, f"{dst} = {b.ref(wkt.NullValue.NULL_VALUE, 'NULL')} if {src} is None else "
                   f"_to_enum({src}, {b.ref(node, 'E')}, {names}, ign)")  # fmt: skip
        else:
            b.line(ind + 1, f"{dst} = _to_enum({src}, {b.ref(node, 'E')}, {names}, ign)")

    def _converted(self, node: ConvertedNode, src: str, dst: str, ind: int) -> None:
        self.b.line(ind, f"{dst} = {'_to_decimal' if node.name == 'decimal' else '_to_uuid'}({src})")

    def _well_known(self, node: WellKnownNode, src: str, dst: str, ind: int) -> None:
        call = {
            "timestamp": "_to_timestamp({})",
            "duration": "_to_duration({})",
            "date": "_to_date({}, ign)",
            "value": "_to_native({}, budget - 1)",
            "struct": "_to_struct({}, budget - 1)",
        }[node.name]
        self.b.line(ind, f"{dst} = {call.format(src)}")

    def _nested(self, node: MessageNode | WrapperNode, src: str, dst: str, ind: int) -> None:
        self.b.line(ind, f"{dst} = {self._reader_of(node)}({src}, ign, reg, budget - 1)")

    def _repeated(self, node: RepeatedNode, src: str, dst: str, ind: int) -> None:
        b, elem = self.b, node.elem
        acc, item, out = b.fresh("acc"), b.fresh("y"), b.fresh("z")
        b.line(ind, f"if type({src}) is not _list:")
        b.line(ind + 1, f"raise _not_array({src})")
        b.line(ind, f"{acc} = []")
        b.line(ind, "try:")
        b.line(ind + 1, f"for {item} in {src}:")
        if not takes_null(elem):
            b.line(ind + 2, f"if {item} is None:")
            b.line(ind + 3, "raise _null_element()")
        self.convert(elem, item, out, ind + 2)
        if isinstance(elem, EnumNode):  # a dropped unknown name: later elements shift left
            b.line(ind + 2, f"if {out} is not _SKIP:")
            b.line(ind + 3, f"{acc}.append({out})")
        else:
            b.line(ind + 2, f"{acc}.append({out})")
        b.line(ind, "except _DecodeError as e:")
        b.line(ind + 1, f"e._push('[%d]' % len({acc}))")
        b.line(ind + 1, "raise")
        if node.vector:
            b.line(ind, f"{dst} = _array({node.buffer_code!r}, {acc})")
        else:
            b.line(ind, f"{dst} = {_CONTAINER_OF[node.container]}({acc})")

    def _map(self, node: MapNode, src: str, dst: str, ind: int) -> None:
        b = self.b
        key, item, k_out, v_out = b.fresh("k"), b.fresh("y"), b.fresh("kx"), b.fresh("z")
        b.line(ind, f"if type({src}) is not _dict:")
        b.line(ind + 1, f"raise _not_map({src})")
        b.line(ind, f"{dst} = {{}}")
        b.line(ind, f"for {key}, {item} in {src}.items():")
        b.line(ind + 1, "try:")
        kind = node.key.kind
        if kind == Kind.BOOL:
            b.line(ind + 2, f"{k_out} = _key_bool({key})")
        elif kind == Kind.STRING:
            self._scalar(node.key, key, k_out, ind + 2)
        else:
            lo, hi = _INT_RANGES[kind]
            b.line(ind + 2, f"{k_out} = _to_int({key}, {lo}, {hi}, {kind.proto!r})")
        if not takes_null(node.value):
            b.line(ind + 2, f"if {item} is None:")
            b.line(ind + 3, "raise _null_element()")
        self.convert(node.value, item, v_out, ind + 2)
        b.line(ind + 1, "except _DecodeError as e:")
        b.line(ind + 2, f"e._push('[%s]' % _shown({key}))")
        b.line(ind + 2, "raise")
        if isinstance(node.value, EnumNode):
            b.line(ind + 1, f"if {v_out} is not _SKIP:")
            b.line(ind + 2, f"{dst}[{k_out}] = {v_out}")
        else:
            b.line(ind + 1, f"{dst}[{k_out}] = {v_out}")

    def _reader_of(self, node: Node) -> str:
        """The global name of the reader of a nested message (linked later) or a wrapper (written now)."""
        if isinstance(node, MessageNode):
            if node.cls not in self._dep_names:
                name = self._dep_names[node.cls] = self.b.fresh("_read_")
                self.deps.append((name, node.cls))
            return self._dep_names[node.cls]
        assert isinstance(node, WrapperNode)
        name = self.b.fresh("_wrapper")
        self._function(name, [node.inner], None)
        return name


_CONVERTERS: list[tuple[type, Callable[..., None]]] = [
    (ScalarNode, ReaderSource._scalar),
    (EnumNode, ReaderSource._enum),
    (ConvertedNode, ReaderSource._converted),
    (WellKnownNode, ReaderSource._well_known),
    (MessageNode, ReaderSource._nested),
    (WrapperNode, ReaderSource._nested),
    (RepeatedNode, ReaderSource._repeated),
    (MapNode, ReaderSource._map),
]
