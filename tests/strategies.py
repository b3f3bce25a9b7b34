"""Hypothesis strategies that build random ddl message classes, and random values for them.

A schema is a handful of message classes created at run time in a real module (so names in
string annotations resolve, including forward and recursive references), plus the IntEnums
they use. Every field's type is described by a ``Desc`` that knows its annotation, how to draw
a value, and which Python types its values have (so oneof members are kept distinct).

Fields may also be ``ddl.field(oneof=...)`` groups (members ``X | None``, of one type or several;
a value sets at most one) and message fields written as groups (``ddl.field(delimited=True)``).

Recursion: a reference to a message class that may lead back to itself (the class itself, or
one created later) is only allowed where an empty value exists (inside a list, a map, an
``X | None`` or a union with another way out). Values carry a depth budget: once it is spent,
such references get the empty value, so every drawn value is finite and shallow.
"""

from __future__ import annotations

import enum
import functools
import itertools
import math
import operator
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from hypothesis import strategies as st

import ddl
from ddl import testing
from ddl.testing import datetimes, ints, json_objects, json_values, timedeltas
from tests import mapping

MODULE_NAME = "tests._ddl_generated_schemas"
MODULE = types.ModuleType(MODULE_NAME)
sys.modules[MODULE_NAME] = MODULE
# What string annotations may name, besides the generated classes and enums themselves.
MODULE.__dict__.update(ddl=ddl, Any=Any, datetime=datetime, timedelta=timedelta, date=date, Decimal=Decimal, UUID=UUID)

_names = itertools.count()


def unique_name(prefix: str) -> str:
    return f"{prefix}{next(_names)}"


def offset_into(data: st.DataObject, text: str) -> int:
    """An offset into ``text``, drawn as a share of its length rather than from ``range(len(text))``.

    A schema drawn again (as Hypothesis does to replay an example) gets new names from the
    counter above, and enum names are in the JSON written for its values: ``GenEnum99`` then
    ``GenEnum100`` makes the same value's text one character longer, and a draw bounded by the
    length would differ between the two (``FlakyStrategyDefinition``).
    """
    return data.draw(st.integers(0, 1024)) * len(text) // 1024


# --- value strategies for the leaves: ddl.testing's, keyed by annotation -------------------------

INT_RANGES: dict[str, tuple[int, int]] = {
    "int": testing.INT_RANGES["int64"],
    **{f"ddl.{proto}": bounds for proto, bounds in testing.INT_RANGES.items()},
}


# --- type descriptions ----------------------------------------------------------------------


class Desc:
    """One field type: its annotation text, its values, and facts the generator needs."""

    ann: str
    tokens: frozenset[str]  # the Python types of its values, as names, to keep unions unambiguous
    finite: bool = True  # a value exists without following a possibly recursive reference
    numbers: int = 1  # field numbers it takes (a oneof takes one per member)
    has_set: bool = False

    def values(self, schema: Schema, depth: int) -> st.SearchStrategy[Any]:
        raise NotImplementedError


@dataclass(eq=False)
class Leaf(Desc):
    ann: str
    tokens: frozenset[str]
    make: Callable[[], st.SearchStrategy[Any]]
    orderable: bool = True  # hashable and totally ordered, so it may sit in a set

    def values(self, schema: Schema, depth: int) -> st.SearchStrategy[Any]:
        return self.make()


def _leaf(ann: str, token: str, make: Callable[[], st.SearchStrategy[Any]], orderable: bool = True) -> Leaf:
    return Leaf(ann, frozenset([token]), make, orderable)


INT_LEAVES = [_leaf(ann, "int", lambda lo=lo, hi=hi: ints(lo, hi)) for ann, (lo, hi) in INT_RANGES.items()]
FLOAT_LEAVES = [
    _leaf("float", "float", lambda: st.floats(allow_nan=False)),
    _leaf("ddl.float64", "float", lambda: st.floats(allow_nan=False)),
    _leaf("ddl.float32", "float", lambda: st.floats(width=32, allow_nan=False)),
]
OTHER_SCALAR_LEAVES = [
    _leaf("bool", "bool", st.booleans),
    _leaf("str", "str", lambda: st.text(max_size=6)),
    _leaf("bytes", "bytes", lambda: st.binary(max_size=6)),
]
WKT_LEAVES = [
    _leaf("datetime", "datetime", datetimes),
    _leaf("timedelta", "timedelta", timedeltas),
    _leaf("date", "date", st.dates),
    _leaf("Decimal", "Decimal", lambda: st.decimals(allow_nan=False)),
    _leaf("UUID", "UUID", st.uuids),
]
SCALAR_LEAVES = INT_LEAVES + FLOAT_LEAVES + OTHER_SCALAR_LEAVES
SET_ELEMENT_LEAVES = SCALAR_LEAVES + WKT_LEAVES
ANY_LEAF = _leaf("Any", "any", json_values, orderable=False)
STRUCT_LEAF = _leaf("dict[str, Any]", "dict", json_objects, orderable=False)
MAP_KEY_LEAVES = [*INT_LEAVES, _leaf("bool", "bool", st.booleans), _leaf("str", "str", lambda: st.text(max_size=4))]


@dataclass(eq=False)
class EnumDesc(Desc):
    cls: type[enum.IntEnum]

    def __post_init__(self) -> None:
        self.ann = self.cls.__name__
        self.tokens = frozenset([f"enum:{self.ann}"])

    def values(self, schema: Schema, depth: int) -> st.SearchStrategy[Any]:
        return st.sampled_from(list(self.cls))


@dataclass(eq=False)
class MsgRef(Desc):
    """A nested message, by class name. ``finite`` is False when it may lead back to its owner."""

    name: str
    finite: bool

    def __post_init__(self) -> None:
        self.ann = self.name
        self.tokens = frozenset([f"msg:{self.name}"])

    def values(self, schema: Schema, depth: int) -> st.SearchStrategy[Any]:
        assert self.finite or depth > 0, "a recursive reference is only followed while depth remains"
        return schema.message_values(self.name, depth - 1)


_CONTAINERS = {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}


@dataclass(eq=False)
class Repeated(Desc):
    container: str
    elem: Desc

    def __post_init__(self) -> None:
        inner = f"{self.elem.ann}, ..." if self.container == "tuple" else self.elem.ann
        self.ann = f"{self.container}[{inner}]"
        self.tokens = frozenset(["seq"])
        self.has_set = self.container in ("set", "frozenset") or self.elem.has_set

    def values(self, schema: Schema, depth: int) -> st.SearchStrategy[Any]:
        make = _CONTAINERS[self.container]
        if not self.elem.finite and depth <= 0:
            return st.just(make())
        return st.lists(self.elem.values(schema, depth), max_size=3).map(make)


@dataclass(eq=False)
class MapDesc(Desc):
    key: Leaf
    value: Desc

    def __post_init__(self) -> None:
        self.ann = f"dict[{self.key.ann}, {self.value.ann}]"
        self.tokens = frozenset(["dict"])
        self.has_set = self.value.has_set

    def values(self, schema: Schema, depth: int) -> st.SearchStrategy[Any]:
        if not self.value.finite and depth <= 0:
            return st.just({})
        return st.dictionaries(self.key.values(schema, depth), self.value.values(schema, depth), max_size=3)


@dataclass(eq=False)
class Opt(Desc):
    inner: Desc

    def __post_init__(self) -> None:
        self.ann = f"{self.inner.ann} | None"
        self.tokens = self.inner.tokens | {"none"}
        self.has_set = self.inner.has_set

    def values(self, schema: Schema, depth: int) -> st.SearchStrategy[Any]:
        if not self.inner.finite and depth <= 0:
            return st.none()
        return st.one_of(st.none(), self.inner.values(schema, depth))


@dataclass(eq=False)
class OneOf(Desc):
    """A oneof of members with distinct exact Python types, with or without None."""

    members: list[Desc]
    has_none: bool

    def __post_init__(self) -> None:
        self.ann = " | ".join([m.ann for m in self.members] + (["None"] if self.has_none else []))
        self.tokens = frozenset().union(*(m.tokens for m in self.members))
        self.finite = self.has_none or any(m.finite for m in self.members)
        self.numbers = len(self.members)
        self.has_set = any(m.has_set for m in self.members)

    def values(self, schema: Schema, depth: int) -> st.SearchStrategy[Any]:
        options = [m.values(schema, depth) for m in self.members if m.finite or depth > 0]
        if self.has_none:
            options.append(st.none())
        return st.one_of(options)


# --- schemas --------------------------------------------------------------------------------


@dataclass(eq=False)
class FieldDef:
    name: str
    desc: Desc
    has_default: bool  # a oneof group's member has None, which the class does not spell out
    default: Any = None
    oneof: str | None = None
    delimited: bool = False
    required: bool = False  # proto2's label (``ddl.field(required=True)``)
    loose_text: bool = False  # ``ddl.field(verify_utf8=False)``

    @property
    def options(self) -> dict[str, Any]:
        """The ``ddl.field`` arguments besides number and default."""
        options: dict[str, Any] = {}
        if self.oneof is not None:
            options["oneof"] = self.oneof
        if self.delimited:
            options["delimited"] = True
        if self.required:
            options["required"] = True
        if self.loose_text:
            options["verify_utf8"] = False
        return options


@dataclass(eq=False)
class Schema:
    """Message classes made together (they may refer to one another) and their fields."""

    names: list[str]
    classes: dict[str, type] = field(default_factory=dict)
    fields: dict[str, list[FieldDef]] = field(default_factory=dict)
    enums: list[type[enum.IntEnum]] = field(default_factory=list)
    _cache: dict[tuple[str, int], st.SearchStrategy[Any]] = field(default_factory=dict)

    @property
    def root(self) -> type:
        return self.classes[self.names[-1]]

    @property
    def has_set(self) -> bool:
        return any(f.desc.has_set for defs in self.fields.values() for f in defs)

    def fields_of(self, cls: type) -> list[FieldDef]:
        return self.fields[cls.__name__]

    def message_values(self, name: str, depth: int) -> st.SearchStrategy[Any]:
        key = (name, max(depth, -1))
        if key not in self._cache:
            cls = self.classes[name]
            defs = self.fields[name]
            required = {f.name: f.desc.values(self, depth) for f in defs if not f.has_default}
            optional = {f.name: f.desc.values(self, depth) for f in defs if f.has_default and f.oneof is None}
            # A oneof group: no member set, or one (which may still be None, an unset member).
            groups = [
                st.one_of(st.just({}), *(f.desc.values(self, depth).map(lambda v, n=f.name: {n: v}) for f in members))
                for members in _groups(defs).values()
            ]
            parts = st.tuples(st.fixed_dictionaries(required, optional=optional), *groups)
            self._cache[key] = parts.map(lambda dicts: cls(**functools.reduce(operator.or_, dicts)))
        return self._cache[key]

    def values(self, depth: int = 2) -> st.SearchStrategy[Any]:
        return self.message_values(self.names[-1], depth)


def _groups(defs: list[FieldDef]) -> dict[str, list[FieldDef]]:
    found: dict[str, list[FieldDef]] = {}
    for f in defs:
        if f.oneof is not None:
            found.setdefault(f.oneof, []).append(f)
    return found


@dataclass
class _Gen:
    """State while one schema is drawn: which classes exist and which are still to come."""

    names: list[str]
    index: int  # the class being made; names[:index] exist and can be nested without recursion
    enums: list[type[enum.IntEnum]]
    allow_sets: bool
    proto2: bool = False  # closed enums, required fields and unchecked strings may be drawn


def _make_enum(draw: st.DrawFn, proto2: bool = False) -> type[enum.IntEnum]:
    values = draw(
        st.lists(
            st.sampled_from([0, 1, 2, 7, 127, 128, 300, -1, -5, 2**31 - 1, -(2**31)]),
            min_size=1,
            max_size=4,
            unique=True,
        )
    )
    name = unique_name("GenEnum")
    # protoc puts enum values beside their enum, so the enum's name in each member's keeps two
    # enums of a schema from clashing in `ddl proto`'s output.
    members = {f"{name.upper()}_M{i}_{abs(v)}": v for i, v in enumerate(values)}
    if proto2 and draw(st.booleans()):
        # A closed enum; 0 first, as protoc wants of one that is a map's value.
        members = {f"{name.upper()}_ZERO": 0, **{k: v for k, v in members.items() if v != 0}}
        make_closed: Any = ddl.ClosedEnum  # Enum's functional API, which type checkers do not model
        closed: type[enum.IntEnum] = make_closed(name, members)
        closed.__module__ = MODULE_NAME
        setattr(MODULE, name, closed)
        return closed
    cls = enum.IntEnum(name, members)  # type: ignore[misc]
    cls.__module__ = MODULE_NAME
    setattr(MODULE, name, cls)
    return cls


def _message_ref(draw: st.DrawFn, g: _Gen, recursive_ok: bool) -> Desc | None:
    earlier = g.names[: g.index]
    anywhere = g.names if recursive_ok else earlier
    if not anywhere:
        return None
    name = draw(st.sampled_from(anywhere))
    return MsgRef(name, finite=name in earlier)


def _leaf_type(draw: st.DrawFn, g: _Gen, recursive_ok: bool, allow_any: bool) -> Desc:
    kind = draw(st.sampled_from(["int", "float", "other", "wkt", "enum", "msg", "msg", "any", "struct"]))
    if kind == "enum":
        if not g.enums or draw(st.booleans()):
            g.enums.append(_make_enum(draw, g.proto2))
        return EnumDesc(draw(st.sampled_from(g.enums)))
    if kind == "msg":
        ref = _message_ref(draw, g, recursive_ok)
        if ref is not None:
            return ref
        kind = "other"
    if kind == "any" and allow_any:
        return ANY_LEAF
    if kind == "struct":
        return STRUCT_LEAF
    pool = {"int": INT_LEAVES, "float": FLOAT_LEAVES, "wkt": WKT_LEAVES}.get(kind, OTHER_SCALAR_LEAVES)
    return draw(st.sampled_from(pool))


def _set_element(draw: st.DrawFn, g: _Gen) -> Desc:
    if draw(st.integers(0, 4)) == 0:
        if not g.enums:
            g.enums.append(_make_enum(draw, g.proto2))
        return EnumDesc(draw(st.sampled_from(g.enums)))
    return draw(st.sampled_from(SET_ELEMENT_LEAVES))


def type_desc(draw: st.DrawFn, g: _Gen, level: int, recursive_ok: bool, *, in_union: bool = False) -> Desc:
    """A field, element or map-value type; ``level`` bounds how deep containers nest."""
    kinds = ["leaf"] * 4
    if level > 0:
        kinds += ["list", "tuple", "map", "optional"]
        if g.allow_sets:
            kinds.append("set")
        if not in_union:
            kinds.append("union")
    kind = draw(st.sampled_from(kinds))
    if kind == "leaf":
        return _leaf_type(draw, g, recursive_ok, allow_any=not in_union)
    if kind in ("list", "tuple"):
        return Repeated(kind, type_desc(draw, g, level - 1, True))
    if kind == "set":
        return Repeated(draw(st.sampled_from(["set", "frozenset"])), _set_element(draw, g))
    if kind == "map":
        key = draw(st.sampled_from(MAP_KEY_LEAVES))
        return MapDesc(key, type_desc(draw, g, level - 1, True))
    if kind == "optional":
        inner = type_desc(draw, g, level - 1, True, in_union=True)
        if isinstance(inner, (Opt, OneOf)):
            return inner
        return Opt(inner)
    has_none = draw(st.booleans())
    members: list[Desc] = []
    seen: set[str] = set()
    for _ in range(draw(st.integers(2, 3))):
        member = type_desc(draw, g, level - 1, recursive_ok or has_none, in_union=True)
        if isinstance(member, (Opt, OneOf)) or member.tokens & seen:
            continue
        members.append(member)
        seen |= member.tokens
    if not members:
        return _leaf_type(draw, g, recursive_ok, allow_any=False)
    if len(members) == 1:
        return Opt(members[0]) if has_none else members[0]
    union = OneOf(members, has_none)
    return union if union.finite or recursive_ok else OneOf(members, True)


def _closed(desc: Desc) -> bool:
    return isinstance(desc, EnumDesc) and issubclass(desc.cls, ddl.ClosedEnum)


_REQUIRABLE = {leaf.ann for leaf in [*INT_LEAVES, *FLOAT_LEAVES, *OTHER_SCALAR_LEAVES]}


def _requirable(desc: Desc) -> bool:
    """Whether ``required=True`` applies and suits random values: one scalar or enum (not an
    ``Any``, whose None is a value, nor a message, which may lead back to its own class)."""
    return isinstance(desc, EnumDesc) or (isinstance(desc, Leaf) and desc.ann in _REQUIRABLE)


def _holds_text(desc: Desc) -> bool:
    """Whether a field's own values hold ``str`` (``verify_utf8=False`` applies to those)."""
    if isinstance(desc, Opt):
        desc = desc.inner
    if isinstance(desc, Repeated) and desc.container in ("list", "tuple"):
        desc = desc.elem
    if isinstance(desc, MapDesc):
        # dict[str, Any] is a google.protobuf.Struct, whose keys are no string field
        return desc.ann != STRUCT_LEAF.ann and (desc.key.ann == "str" or _holds_text(desc.value))
    return isinstance(desc, Leaf) and desc.ann == "str"


def _delimitable(desc: Desc) -> bool:
    """Whether ``ddl.field(delimited=True)`` applies: a message field, M | None or a list (tuple) of M."""
    if isinstance(desc, Opt):
        desc = desc.inner
    elif isinstance(desc, Repeated) and desc.container in ("list", "tuple"):
        desc = desc.elem
    return isinstance(desc, MsgRef)


def _group_members(draw: st.DrawFn, g: _Gen) -> list[Desc]:
    """The types of a oneof group's members: one optional value each, often all of one type."""
    members: list[Desc] = []
    for _ in range(draw(st.integers(1, 3))):
        if members and draw(st.booleans()):
            members.append(members[0])
            continue
        inner = type_desc(draw, g, 1, True, in_union=True)  # never a union: a member is one type
        members.append(inner if isinstance(inner, Opt) else Opt(inner))
    return members


_NUMBERS = st.one_of(st.integers(1, 40), st.sampled_from([16, 2047, 2048, 18999, 20000, 65535, (1 << 29) - 1]))


@st.composite
def schemas(
    draw: st.DrawFn, *, max_classes: int = 3, allow_sets: bool = True, max_fields: int = 5, proto2: bool = False
) -> Schema:
    """A few message classes; the last is the root. Later ones nest earlier ones, and any may
    refer to itself or to a later one through a list, a map or an optional field. With
    ``proto2``, enums may be closed (``ddl.ClosedEnum``), and fields required or unchecked as
    UTF-8 (``ddl.field(required=True)``, ``verify_utf8=False``)."""
    count = draw(st.integers(1, max_classes))
    names = [unique_name("Gen") for _ in range(count)]
    schema = Schema(names)
    g = _Gen(names, 0, schema.enums, allow_sets, proto2)
    for index, name in enumerate(names):
        g.index = index
        descs = [type_desc(draw, g, 2, False) for _ in range(draw(st.integers(0, max_fields)))]
        defs = []
        for i, desc in enumerate(descs):
            required = proto2 and _requirable(desc) and draw(st.integers(0, 3)) == 0
            if _closed(desc) and not required:
                desc = Opt(desc)  # a closed enum field has presence
            has_default = draw(st.booleans())
            default = draw(desc.values(schema, 0)) if has_default else None
            loose = proto2 and _holds_text(desc) and draw(st.booleans())
            defs.append(FieldDef(f"f{i}", desc, has_default, default, required=required, loose_text=loose))
        for group in range(draw(st.sampled_from([0, 0, 1, 2]))):
            for desc in _group_members(draw, g):
                defs.append(FieldDef(f"f{len(defs)}", desc, True, oneof=f"g{group}"))
        for f in defs:
            f.delimited = _delimitable(f.desc) and draw(st.booleans())
        if defs and draw(st.booleans()):  # group members among the other fields, not only after them
            defs = draw(st.permutations(defs))
        kw_only = draw(st.booleans())
        if not kw_only:  # positional parameters without defaults must come first
            defs.sort(key=lambda f: f.has_default)
        explicit = draw(st.booleans())
        total = sum(f.desc.numbers for f in defs)
        numbers = iter(draw(st.lists(_NUMBERS, min_size=total, max_size=total, unique=True))) if explicit else None
        schema.fields[name] = defs
        schema.classes[name] = make_class(
            name,
            {f.name: f.desc.ann for f in defs},
            {f.name: f.default for f in defs if f.has_default and f.oneof is None},
            {f.name: _take(numbers, f.desc.numbers) for f in defs} if numbers is not None else {},
            frozen=draw(st.booleans()),
            kw_only=kw_only,
            options={f.name: f.options for f in defs},
        )
    return schema


def _take(numbers: Any, count: int) -> int | tuple[int, ...]:
    taken = tuple(next(numbers) for _ in range(count))
    return taken[0] if count == 1 else taken


def make_class(
    name: str,
    annotations: dict[str, str],
    defaults: dict[str, Any],
    numbers: dict[str, int | tuple[int, ...]],
    *,
    frozen: bool = False,
    kw_only: bool = True,
    options: dict[str, dict[str, Any]] | None = None,
) -> type:
    """A message class built at run time in the shared module, as a class statement would.

    ``options`` holds further ``ddl.field`` arguments by field name (oneof, delimited)."""
    ns: dict[str, Any] = {"__annotations__": dict(annotations), "__module__": MODULE_NAME, "__qualname__": name}
    for fname in annotations:
        arguments = dict((options or {}).get(fname, {}))
        if fname in numbers:
            arguments["number"] = numbers[fname]
        if arguments and fname in defaults:
            arguments["default"] = defaults[fname]
        if arguments:
            ns[fname] = ddl.field(**arguments)
        elif fname in defaults:
            ns[fname] = defaults[fname]
    cls = type(ddl.Message)(name, (ddl.Message,), ns, frozen=frozen, kw_only=kw_only)
    setattr(MODULE, name, cls)
    return cls


def field_numbers(cls: type) -> dict[str, tuple[int, ...]]:
    return {f.name: f.numbers for f in cls.__ddl__.spec.fields}


@st.composite
def schema_and_value(
    draw: st.DrawFn, *, allow_sets: bool = True, depth: int = 2, proto2: bool = True
) -> tuple[Schema, Any]:
    schema = draw(schemas(allow_sets=allow_sets, proto2=proto2))
    return schema, draw(schema.values(depth))


# --- comparing values exactly -----------------------------------------------------------------


def assert_same(expected: Any, actual: Any, path: str = "$", *, decoded: bool = True) -> None:
    """Equality that also checks exact types, float signs and Decimal digits, with a path.

    ``==`` alone would let set for frozenset, 1 for 1.0, -0.0 for 0.0 and Decimal("1.0") for
    Decimal("1") through. Datetimes compare as instants, since ddl decodes them to UTC; with
    ``decoded=False`` (``actual`` is not decoded, a copy say) they also keep their time zone.
    """
    if isinstance(expected, ddl.Message):
        assert type(actual) is type(expected), f"{path}: {type(actual).__name__} != {type(expected).__name__}"
        for f in type(expected).__ddl__.spec.fields:
            assert_same(getattr(expected, f.name), getattr(actual, f.name), f"{path}.{f.name}", decoded=decoded)
        return
    assert type(actual) is type(expected), f"{path}: {actual!r} ({type(actual).__name__}) != {expected!r}"
    if isinstance(expected, datetime):
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"
        if decoded:
            assert actual.utcoffset() == timedelta(0), f"{path}: {actual!r} is not in UTC"
        else:
            assert actual.utcoffset() == expected.utcoffset(), f"{path}: {actual!r} is in another zone"
    elif isinstance(expected, float):
        same_sign = math.copysign(1, actual) == math.copysign(1, expected)
        assert actual == expected and same_sign, f"{path}: {actual!r} != {expected!r}"
    elif isinstance(expected, Decimal):
        assert str(actual) == str(expected), f"{path}: {actual!r} != {expected!r}"
    elif isinstance(expected, (list, tuple)):
        assert len(actual) == len(expected), f"{path}: {actual!r} != {expected!r}"
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            assert_same(e, a, f"{path}[{i}]", decoded=decoded)
    elif isinstance(expected, dict):
        assert actual.keys() == expected.keys(), f"{path}: keys {list(actual)} != {list(expected)}"
        actual_keys = {k: k for k in actual}
        for k, e in expected.items():
            assert_same(k, actual_keys[k], f"{path} key {k!r}", decoded=decoded)
            assert_same(e, actual[k], f"{path}[{k!r}]", decoded=decoded)
    elif isinstance(expected, (set, frozenset)):
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"
        actual_elems = {x: x for x in actual}
        for x in expected:
            assert_same(x, actual_elems[x], f"{path} element {x!r}", decoded=decoded)
    else:
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"


# --- raw wire data --------------------------------------------------------------------------


def all_numbers(schema: Schema) -> list[int]:
    """Every field number the schema's classes use, plus the low numbers that wrappers, map
    entries and well-known types use inside their bodies."""
    found = {1, 2, 3, 4, 5, 6}
    for cls in schema.classes.values():
        for numbers in field_numbers(cls).values():
            found.update(numbers)
    return sorted(found)


# --- values of any annotation, from the documented mapping -------------------------------------
# An oracle of its own: the differential tests draw values here, from tests/mapping.py's reading
# of an annotation, rather than from ddl.testing, which reads ddl's compiled plan.

_DUR_MAX = 315_576_000_000  # google.protobuf.Duration's limit, in seconds
_NS = 10**9
_ANNOTATION_DEPTH = 3
utf8_texts = st.text(st.characters(codec="utf-8"), max_size=12)
_json_trees = st.recursive(
    st.none() | st.booleans() | st.floats() | utf8_texts,
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(utf8_texts, kids, max_size=3),
    max_leaves=8,
)
_utc_datetimes = st.datetimes(
    min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59, 999_999), timezones=st.just(UTC)
)


def _durations(merge: bool) -> st.SearchStrategy[timedelta]:
    # Merging two Durations takes seconds and nanos from either, so merged ones keep one sign.
    low = 0 if merge else -(_DUR_MAX * _NS + _NS - 1)
    high = _DUR_MAX * _NS + _NS - 1
    plain = st.timedeltas(min_value=timedelta(microseconds=low // 1000 + 1), max_value=timedelta(seconds=_DUR_MAX))
    return plain | st.integers(low, high).map(ddl.TimedeltaNs.from_nanoseconds)


def annotation_values(
    tp: Any, depth: int = 0, in_union: bool = False, implicit: bool = False, merge: bool = False
) -> Any:
    """Values of a ddl annotation, canonical: each decodes back to an equal value."""
    k = mapping.kind(tp)
    rec = functools.partial(annotation_values, depth=depth, merge=merge)
    if k[0] == "scalar":
        proto = k[1]
        if proto in mapping.INT_RANGES:
            return st.integers(*mapping.INT_RANGES[proto])
        return {
            "double": st.floats(), "float": st.floats(width=32), "bool": st.booleans(),
            "string": utf8_texts, "bytes": st.binary(max_size=12),
        }[proto]  # fmt: skip
    if k[0] == "enum":
        known = st.sampled_from(list(k[1]))
        if in_union:  # an unknown number is a plain int, which would pick an int member instead
            return known
        unknown = st.integers(-(2**31), 2**31 - 1).filter(lambda n: n not in k[1]._value2member_map_)
        return known | unknown
    if k[0] == "message":
        if depth >= _ANNOTATION_DEPTH:
            return st.nothing()
        fields = {
            name: annotation_values(ftp, depth + 1, implicit=mapping.kind(ftp)[0] != "union", merge=merge)
            for name, ftp in mapping.hints(k[1]).items()
        }
        return st.builds(k[1], **fields)
    if k[0] == "timestamp":
        return _utc_datetimes | st.builds(ddl.DatetimeNs.from_datetime, _utc_datetimes, st.integers(1, 999))
    if k[0] == "duration":
        return _durations(merge)
    if k[0] == "date":
        # Merged Dates take year, month and day from either: keep every combination valid.
        return st.dates(max_value=date(9999, 12, 28)).filter(lambda d: d.day <= 28) if merge else st.dates()
    if k[0] == "value":
        return _json_trees
    if k[0] == "struct":
        return st.dictionaries(utf8_texts, _json_trees, max_size=3)
    if k[0] == "decimal":
        decimals = st.decimals(allow_nan=True, allow_infinity=True)
        # Decimal(0) in an implicit field is checked by test_decimal_zero_field_is_written_as_0_like_protobuf.
        return decimals.filter(lambda d: str(d) != "0") if implicit else decimals
    if k[0] == "uuid":
        # The nil UUID in an implicit field is checked by test_nil_uuid_field_is_written_like_protobuf.
        return st.uuids().filter(lambda u: u.int != 0) if implicit else st.uuids()
    if k[0] == "union":
        members, has_none = k[1], k[2]
        options = [rec(m, in_union=len(members) > 1) for m in members]
        return st.one_of(*([st.none()] if has_none else []), *(o for o in options if not o.is_empty))
    if k[0] == "repeated":
        container, elem = k[1], rec(k[2])
        if elem.is_empty:  # a message nested too deep: no elements
            return st.just(container())
        if container is set:
            return st.sets(elem, max_size=3)
        if container is frozenset:
            return st.frozensets(elem, max_size=3)
        return st.lists(elem, max_size=3).map(container)
    if k[0] == "map":
        values = rec(k[2])
        return st.just({}) if values.is_empty else st.dictionaries(rec(k[1]), values, max_size=3)
    raise AssertionError(tp)


def message_of(cls: type, merge: bool = False) -> Any:
    return annotation_values(cls, merge=merge)


def stable_repr(value: Any) -> str:
    """``repr`` with the elements of sets sorted, and messages' unknown fields shown.

    repr tells apart what == does not (1 from True or Color.RED, -0.0 from 0.0, set from
    frozenset) and shows NaN as itself, which == never equals. But a set's order follows its
    elements' hashes, and a NaN's hash is its identity: two equal-looking sets holding NaN can
    list their elements in different orders, so sets are compared as sorted element reprs."""
    if isinstance(value, (set, frozenset)):
        return f"{type(value).__name__}({sorted(map(stable_repr, value))})"
    if isinstance(value, (list, tuple)):
        return f"{type(value).__name__}({[stable_repr(x) for x in value]})"
    if isinstance(value, dict):
        return f"dict({[(stable_repr(k), stable_repr(v)) for k, v in value.items()]})"
    if isinstance(value, ddl.Message):
        fields = [f"{f.name}={stable_repr(getattr(value, f.name))}" for f in type(value).__ddl__.spec.fields]
        return f"{type(value).__qualname__}({', '.join(fields)}; unknown={value._ddl_unknown!r})"
    return repr(value)
