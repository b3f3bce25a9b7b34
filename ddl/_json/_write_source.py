"""Generating the JSON writer of one message class, for one combination of options, from its plan.

The generated ``write(obj, opt)`` builds the message's JSON object field by field: names, zero
rules and conversions are decided here, once, so it runs no dispatch per field. Values of each
node family become one Python expression (``_EXPRESSIONS``, a registry of small handlers), with
the common exact types converted inline and everything else handed to the converters of
``_write_values``, which also decide every error. On any failure, ``_write_errors.failure``
finds the field (and the element) at fault and names it by its JSON name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .._errors import EncodeError
from .._pyengine import _runtime as rt
from .._pyengine._source import Builder
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
from . import _write_errors as errors
from . import _write_values as jv
from ._extensions import write_extensions
from ._write_wkt import SPECIAL, kept_tags, kept_value


@dataclass(frozen=True)
class Variant:
    """The options that change a writer's code; the registry is read when an Any is written."""

    proto_names: bool
    always_print: bool
    integers: bool

    @property
    def key(self) -> int:
        return self.proto_names | self.always_print << 1 | self.integers << 2


BASE_GLOBALS: dict[str, Any] = {
    "_EncodeError": EncodeError, "_SEQ": rt.SEQUENCE_TYPES, "_BYTES": (bytes, bytearray, memoryview),
    "_pick": rt.pick_member, "_oneofs": rt.check_oneofs, "_signbit": rt.signbit, "_INF": float("inf"),
    "_fail": errors.failure, "_seq": errors.not_a_sequence, "_map": errors.not_a_map, "_msg": errors.wrong_message,
    "_required": errors.required_is_none,
    "_is_buf": rt.is_buffer, "_buf_list": rt.buffer_list, "_extensions": write_extensions, "_kept": kept_value,
}  # fmt: skip
_WELL_KNOWN: dict[str, Callable[[Any], Any]] = {
    "timestamp": jv.timestamp, "duration": jv.duration, "date": jv.calendar_date, "value": jv.json_value,
    "struct": jv.json_object,
}  # fmt: skip


class WriterSource:
    """Source text of one class's ``write`` function, and one function per wrapper node."""

    def __init__(self, b: Builder, deps: list[tuple[str, type]], variant: Variant) -> None:
        self.b = b
        self.deps = deps
        self.variant = variant
        self.functions: list[str] = []
        self.wrappers: dict[int, str] = {}
        b.globs.update(BASE_GLOBALS)

    def message(self, plan: MessagePlan) -> str:
        """The source of ``write(obj, opt)`` and the functions it calls."""
        self._function("write", plan.fields, named=True, oneofs=plan.oneofs)
        return "\n".join(self.functions) + "\n"

    def _function(
        self, name: str, fields: list[FieldPlan], named: bool, oneofs: dict[str, list[FieldPlan]] | None = None
    ) -> str:
        b = self.b
        saved, b.lines = b.lines, []
        arg = "obj" if named else "v"
        b.line(0, f"def {name}({arg}, opt):")
        b.line(1, "d = {}")
        b.line(1, "fi = 0")
        if oneofs:
            groups = b.ref(tuple((g, tuple(f.name for f in members)) for g, members in oneofs.items()), "GROUPS")
            b.line(1, f"_oneofs(obj, {groups})")
        b.line(1, "try:")
        if not fields:
            b.line(2, "pass")
        kept = kept_tags(fields) if named else {}
        if kept:
            b.line(2, "if obj._ddl_unknown is not None:")
            b.line(3, f"k = _kept(obj._ddl_unknown, {b.ref(kept, 'KEPT')})")
            b.line(3, "if k is not None:")
            b.line(4, "fi = k[0]")
            b.line(4, "raise _EncodeError(k[1])")
        for fi, f in enumerate(fields):
            b.line(2, f"fi = {fi}")
            if named:
                b.line(2, f"v = obj.{f.name}")
            self._field(f, 2)
        b.line(1, "except RecursionError:")
        b.line(2, "raise _EncodeError('nesting is too deep for the Python stack') from None")
        b.line(1, "except Exception as e:")
        locators = b.ref(tuple(self._locator(f) for f in fields), "LOC")
        b.line(2, f"raise _fail(e, {locators}, fi, {arg}, {named}, opt) from None")
        if named:  # extensions live among the unknown fields, after every field
            b.line(1, "if obj._ddl_unknown is not None:")
            b.line(2, "_extensions(obj, d, opt)")
        b.line(1, "return d")
        b.line(0, "")
        self.functions.extend(b.lines)
        b.lines = saved
        return name

    def _name(self, f: FieldPlan, member: int = 0) -> str:
        return (f.proto_names if self.variant.proto_names else f.json_names)[member]

    # -- fields ---------------------------------------------------------------------------

    def _field(self, f: FieldPlan, ind: int) -> None:
        b, node, key = self.b, f.node, repr(self._name(f))
        if isinstance(node, UnionNode):
            self._union(f, node, ind)
        elif isinstance(node, RepeatedNode):
            if node.buffer_code is not None:
                # A buffer of numbers (an array, a numpy array) is written as their list.
                assert isinstance(node.elem, ScalarNode)
                b.line(ind, "if v.__class__ not in _SEQ and _is_buf(v):")
                b.line(ind + 1, f"v = _buf_list({node.buffer_code!r}, {node.elem.proto!r}, v)")
            b.line(ind, "if v:")
            b.line(ind + 1, "if v.__class__ not in _SEQ:")
            b.line(ind + 2, "_seq(v)")
            b.line(ind + 1, f"d[{key}] = [{self.expr(node.elem, 'x')} for x in v]")
            b.line(ind, "elif v.__class__ not in _SEQ:")
            b.line(ind + 1, "_seq(v)")
            if self.variant.always_print:
                b.line(ind, "else:")
                b.line(ind + 1, f"d[{key}] = []")
        elif isinstance(node, MapNode):
            b.line(ind, "if v:")
            b.line(ind + 1, "if not isinstance(v, dict):")
            b.line(ind + 2, "_map(v)")
            # A snapshot of the entries, taken with no Python code running: another thread
            # changing the dict between two entries would stop a live iteration.
            b.line(ind + 1, f"d[{key}] = {{{self.key_expr(node.key, 'mk')}: {self.expr(node.value, 'x')} "
                            "for mk, x in list(v.items())}")  # fmt: skip
            b.line(ind, "elif not isinstance(v, dict):")
            b.line(ind + 1, "_map(v)")
            if self.variant.always_print:
                b.line(ind, "else:")
                b.line(ind + 1, f"d[{key}] = {{}}")
        elif f.presence:
            b.line(ind, "if v is not None:")
            b.line(ind + 1, f"d[{key}] = {self.expr(node, 'v')}")
            if f.required:
                b.line(ind, "else:")
                b.line(ind + 1, "_required()")
        else:
            self._implicit(node, key, ind)

    def _implicit(self, node: Node, key: str, ind: int) -> None:
        """A field without presence: its zero is left out (unless ``always_print``), as protobuf
        leaves out what the binary engines do not write; the type is checked all the same."""
        b, value = self.b, self.expr(node, "v")
        if isinstance(node, (ScalarNode, EnumNode)) and self.variant.always_print:
            b.line(ind, f"d[{key}] = {value}")
        elif isinstance(node, ScalarNode) and node.kind == Kind.BOOL:
            b.line(ind, "if v is True:")
            b.line(ind + 1, f"d[{key}] = True")
            b.line(ind, "elif v is not False:")
            b.line(ind + 1, f"{self.converter(node)}(v)")
        elif isinstance(node, ScalarNode) and node.kind.floating:
            b.line(ind, "if v:")
            b.line(ind + 1, f"d[{key}] = {value}")
            # -0.0 is not proto3's zero: the binary engines write it, so it is written here too.
            b.line(ind, "elif v.__class__ is not float or _signbit(v):")
            b.line(ind + 1, f"x = {self.converter(node)}(v)")
            b.line(ind + 1, "if x.__class__ is float and _signbit(x):")
            b.line(ind + 2, f"d[{key}] = x")
        elif isinstance(node, (ScalarNode, EnumNode)):
            zero_class = {Kind.STRING: "str", Kind.BYTES: "bytes"}.get(node.kind, "int")
            b.line(ind, "if v:")
            b.line(ind + 1, f"d[{key}] = {value}")
            b.line(ind, f"elif v.__class__ is not {zero_class}:")
            b.line(ind + 1, f"{self.converter(node)}(v)")
        elif isinstance(node, WellKnownNode) and node.omitted:
            # None (an Any) and {} (a Struct) are what the binary engines leave out, so the
            # field is absent for protobuf too, and it has presence there: never printed.
            b.line(ind, "if v is not None:" if node.omitted == "none" else "if v or not isinstance(v, dict):")
            b.line(ind + 1, f"d[{key}] = {value}")
        else:
            # Messages, times, dates, Decimals and UUIDs are always written by the binary
            # engines, even when zero, so protobuf sees them present.
            b.line(ind, f"d[{key}] = {value}")

    def _union(self, f: FieldPlan, node: UnionNode, ind: int) -> None:
        """A oneof: the member is picked by the value's exact type, as the binary engines pick it."""
        b = self.b
        table = {t: i for i, m in enumerate(node.members) for t in m.python_types()}
        b.line(ind, "if v is None:")
        b.line(ind + 1, "pass" if f.presence else "_required()")
        b.line(ind, "else:")
        b.line(ind + 1, f"s = {b.ref(table, 'SEL')}.get(v.__class__, -2)")
        b.line(ind + 1, "if s == -2:")
        b.line(ind + 2, f"s = _pick({b.ref(node, 'U')}, v)")
        for i, member in enumerate(node.members):
            b.line(ind + 1, f"{'if' if i == 0 else 'elif'} s == {i}:")
            b.line(ind + 2, f"d[{self._name(f, i)!r}] = {self.expr(member, 'v')}")

    def _locator(self, f: FieldPlan) -> errors.Locator:
        """What the error path needs to find an element at fault: the field, and for a container
        field the function writing one element (and one map key)."""
        node, globs = f.node, self.b.globs
        if isinstance(node, RepeatedNode):
            return errors.Locator(f, globs, self._element_function(node.elem), None)
        if isinstance(node, MapNode):
            return errors.Locator(f, globs, self._element_function(node.value), self.key_converter(node.key))
        return errors.Locator(f, globs, None, None)

    def _element_function(self, node: Node) -> str:
        """The name of a generated ``element(x, opt)`` writing one element, for error paths."""
        b = self.b
        name = b.fresh("element")
        saved, b.lines = b.lines, []
        b.line(0, f"def {name}(x, opt):")
        b.line(1, f"return {self.expr(node, 'x')}")
        b.line(0, "")
        self.functions.extend(b.lines)
        b.lines = saved
        return name

    # -- one value as an expression ---------------------------------------------------------

    def expr(self, node: Node, var: str) -> str:
        """A Python expression giving the JSON value of ``var``, a simple name holding a value of ``node``."""
        for family, handler in _EXPRESSIONS:
            if isinstance(node, family):
                return handler(self, node, var)
        raise AssertionError(f"no JSON writer for {node!r}")

    def converter(self, node: ScalarNode | EnumNode | ConvertedNode) -> str:
        """The global name of the full converter of a scalar, enum or converted node."""
        if isinstance(node, EnumNode):
            return self.b.ref(jv.enum_converter(node, self.variant.integers), "E")
        if isinstance(node, ConvertedNode):
            to_wire, base = node.to_wire, jv.SCALARS[node.base.kind]
            return self.b.ref(lambda x: base(to_wire(x)), "CV")
        return self.b.ref(jv.SCALARS[node.kind], f"K_{node.kind.proto}_")

    def key_converter(self, node: ScalarNode) -> Callable[[Any], str]:
        """A map key's JSON object key: the key's own text, ``true``/``false`` for bools."""
        if node.kind == Kind.BOOL:
            return lambda k: "true" if jv.boolean(k) else "false"
        convert = jv.SCALARS[node.kind]
        return lambda k: str(convert(k))

    def key_expr(self, node: ScalarNode, var: str) -> str:
        if node.kind == Kind.STRING:
            return f"({var} if {var}.__class__ is str else {self.b.ref(self.key_converter(node), 'MK')}({var}))"
        return f"{self.b.ref(self.key_converter(node), 'MK')}({var})"

    def dep(self, cls: type) -> str:
        """The global name of the writer of message class ``cls`` (linked once compiled)."""
        name = f"_write_{self.b.ref(cls, 'C')}"
        if not any(d[0] == name for d in self.deps):
            self.deps.append((name, cls))
        return name


def _scalar(src: WriterSource, node: ScalarNode, var: str) -> str:
    kind, convert = node.kind, src.converter(node)
    if kind.integral:
        lo, hi = jv.int_range(kind)
        text = f"str({var})" if kind in jv.QUOTED else var
        return f"({text} if {var}.__class__ is int and {lo} <= {var} < {hi} else {convert}({var}))"
    if kind == Kind.BOOL:
        return f"({var} if {var} is True or {var} is False else {convert}({var}))"
    if kind == Kind.DOUBLE:
        return f"({var} if {var}.__class__ is float and -_INF < {var} < _INF else {convert}({var}))"
    if kind == Kind.STRING:
        return f"({var} if {var}.__class__ is str else {convert}({var}))"
    return f"{convert}({var})"  # float32 is always rounded; bytes always encoded


def _enum(src: WriterSource, node: EnumNode, var: str) -> str:
    convert = src.converter(node)
    if src.variant.integers:
        return f"{convert}({var})"
    names = src.b.ref(jv.enum_names(node), "N")
    return f"({names}[{var}] if {var}.__class__ is {src.b.ref(node.cls, 'EC')} else {convert}({var}))"


def _converted(src: WriterSource, node: ConvertedNode, var: str) -> str:
    return f"{src.converter(node)}({var})"


def _message(src: WriterSource, node: MessageNode, var: str) -> str:
    cls = src.b.ref(node.cls, "C")
    special = SPECIAL.get(node.cls)
    write = src.b.ref(special, "SP") if special is not None else src.dep(node.cls)
    return f"({write}({var}, opt) if {var}.__class__ is {cls} else _msg({var}, {cls}))"


def _well_known(src: WriterSource, node: WellKnownNode, var: str) -> str:
    return f"{src.b.ref(_WELL_KNOWN[node.name], 'WK')}({var})"


def _wrapper(src: WriterSource, node: WrapperNode, var: str) -> str:
    name = src.wrappers.get(id(node))
    if name is None:
        name = src.wrappers[id(node)] = src.b.fresh("wrap")
        src._function(name, [node.inner], named=False)
    return f"{name}({var}, opt)"


# One handler per node family, tried in order: each writes the expression of one value.
_EXPRESSIONS: list[tuple[type, Callable[[WriterSource, Any, str], str]]] = [
    (ScalarNode, _scalar),
    (EnumNode, _enum),
    (ConvertedNode, _converted),
    (MessageNode, _message),
    (WellKnownNode, _well_known),
    (WrapperNode, _wrapper),
]
