"""Hypothesis strategies for ddl messages, for users' own property tests (needs ``ddl[testing]``).

``instances(User)`` draws valid ``User`` instances: every value encodes, and decodes back equal.
The strategy is built by walking the class's plan, the same one both engines execute, so it
covers exactly the values a field can hold. Example::

    from hypothesis import given
    import ddl
    from ddl.testing import instances

    class User(ddl.Message):
        id: int
        name: str = ""

    @given(instances(User))
    def test_round_trip(user: User) -> None:
        assert ddl.decode(ddl.encode(user), User) == user
"""

from __future__ import annotations

import array
import enum
import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, TypeVar

from ._version import DISTRIBUTION

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - exercised in a subprocess by the tests
    raise ImportError(f"ddl.testing needs hypothesis; install it with: pip install '{DISTRIBUTION}[testing]'") from exc

from ._message import Message
from ._nanotime import DatetimeNs, TimedeltaNs
from ._schema import (
    ConvertedNode,
    EnumNode,
    FieldPlan,
    MapNode,
    MessageNode,
    Node,
    RepeatedNode,
    ScalarNode,
    UnionNode,
    WellKnownNode,
    WrapperNode,
    is_message_class,
    plan_for,
)

__all__ = ["instances"]

M = TypeVar("M", bound=Message)
Strategy = st.SearchStrategy[Any]

#: The most elements a drawn list, set or map holds: enough to find ordering and merging bugs.
MAX_SIZE = 4

# --- values for the leaves ------------------------------------------------------------------------

INT_RANGES: dict[str, tuple[int, int]] = {
    "int32": (-(1 << 31), (1 << 31) - 1),
    "int64": (-(1 << 63), (1 << 63) - 1),
    "uint32": (0, (1 << 32) - 1),
    "uint64": (0, (1 << 64) - 1),
    "sint32": (-(1 << 31), (1 << 31) - 1),
    "sint64": (-(1 << 63), (1 << 63) - 1),
    "fixed32": (0, (1 << 32) - 1),
    "fixed64": (0, (1 << 64) - 1),
    "sfixed32": (-(1 << 31), (1 << 31) - 1),
    "sfixed64": (-(1 << 63), (1 << 63) - 1),
}


def ints(lo: int, hi: int) -> st.SearchStrategy[int]:
    """Integers in ``lo..hi``, with the range's edges and the varint length steps mixed in."""
    edges = sorted({v for v in (lo, hi, 0, 1, -1, 127, 128, lo + 1, hi - 1) if lo <= v <= hi})
    return st.one_of(st.sampled_from(edges), st.integers(max(lo, -300), min(hi, 300)), st.integers(lo, hi))


ZONES = [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8)), timezone(timedelta(hours=14))]
# google.protobuf.Timestamp holds 0001-01-01T00:00:00Z..9999-12-31T23:59:59.999999999Z.
_TS_MIN = datetime(1, 1, 1, tzinfo=UTC)
_TS_MAX = datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)
# google.protobuf.Duration holds +-315,576,000,000 seconds (and up to 999,999,999 nanoseconds more).
DURATION_MAX = timedelta(seconds=315_576_000_000)


def _aware(naive: datetime, tz: timezone) -> datetime:
    dt = naive.replace(tzinfo=tz)
    # Near the ends of the range a local time can fall outside it in UTC; the UTC reading cannot.
    return dt if _TS_MIN <= dt <= _TS_MAX else naive.replace(tzinfo=UTC)


def datetimes() -> st.SearchStrategy[datetime]:
    """Aware datetimes over the whole Timestamp range, in several zones, some with nanoseconds."""
    plain = st.one_of(st.sampled_from([_TS_MIN, _TS_MAX]), st.builds(_aware, st.datetimes(), st.sampled_from(ZONES)))
    return st.one_of(plain, st.builds(DatetimeNs.from_datetime, plain, st.integers(1, 999)))


def timedeltas() -> st.SearchStrategy[timedelta]:
    """Timedeltas over the whole Duration range, some with nanoseconds (``ddl.TimedeltaNs``)."""
    plain = st.one_of(
        st.sampled_from([-DURATION_MAX, DURATION_MAX]), st.timedeltas(min_value=-DURATION_MAX, max_value=DURATION_MAX)
    )
    return st.one_of(plain, st.builds(TimedeltaNs.from_timedelta, plain, st.integers(1, 999)))


#: What a JSON value holds besides lists and objects; also what an ``Any`` set element can be.
JSON_LEAVES: Strategy = st.one_of(st.none(), st.booleans(), st.floats(allow_nan=False), st.text(max_size=4))


def json_values() -> Strategy:
    """What ``typing.Any`` holds. Numbers are floats, since Value decodes every number as one."""
    return st.recursive(
        JSON_LEAVES,
        lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=3), inner, max_size=3)),
        max_leaves=6,
    )


def json_objects() -> st.SearchStrategy[dict[str, Any]]:
    """What ``dict[str, Any]`` (google.protobuf.Struct) holds."""
    return st.dictionaries(st.text(max_size=3), json_values(), max_size=3)


# NaN never equals itself, so a message holding one would not decode back equal.
SCALARS: dict[str, Callable[[], Strategy]] = {
    **{proto: functools.partial(ints, lo, hi) for proto, (lo, hi) in INT_RANGES.items()},
    "double": lambda: st.floats(allow_nan=False),
    "float": lambda: st.floats(width=32, allow_nan=False),
    "bool": st.booleans,
    "string": lambda: st.text(max_size=8),
    "bytes": lambda: st.binary(max_size=8),
}
WELL_KNOWN: dict[str, Callable[[], Strategy]] = {
    "timestamp": datetimes,
    "duration": timedeltas,
    "date": st.dates,
    "value": json_values,
    "struct": json_objects,
}
CONVERTED: dict[str, Callable[[], Strategy]] = {
    "decimal": lambda: st.decimals(allow_nan=False),
    "uuid": st.uuids,
}

# --- the walk over a plan -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Where:
    """Where a node's values go. ``depth`` is how many more times a recursive class may nest."""

    depth: int
    path: str
    member: bool = False  # directly a oneof member: members are told apart by exact type
    in_set: bool = False  # a set element (or part of one): values must be hashable


class _Builder:
    """Strategies for the classes reachable from one root, one per (class, budget left)."""

    def __init__(self, root: type, unknown_enums: bool) -> None:
        self.unknown_enums = unknown_enums
        self.reach: dict[type, set[type]] = {}
        self._edges(root)
        self.cyclic = {cls for cls in self.reach if any(cls in self._closure(n) for n in self.reach[cls])}
        self._cache: dict[tuple[type, int], Strategy] = {}
        self._building: set[tuple[type, int]] = set()

    def _edges(self, root: type) -> None:
        # Planning every reachable class now makes a schema error surface here, not mid-test.
        todo = [root]
        while todo:
            cls = todo.pop()
            if cls in self.reach:
                continue
            self.reach[cls] = {c for f in plan_for(cls).fields for c in _classes_in(f.node)}
            todo.extend(self.reach[cls])

    def _closure(self, cls: type) -> set[type]:
        seen: set[type] = set()
        todo = [cls]
        while todo:
            c = todo.pop()
            if c not in seen:
                seen.add(c)
                todo.extend(self.reach[c])
        return seen

    def recursive(self, node: Node) -> bool:
        """Whether values of ``node`` may hold a message that leads back to itself."""
        return any(self._closure(c) & self.cyclic for c in _classes_in(node))

    def message(self, cls: type, depth: int) -> Strategy:
        key = (cls, depth)
        if key in self._cache:
            return self._cache[key]
        if key in self._building:  # only a oneof whose every member recurses gets here
            return st.deferred(lambda: self._cache[key])
        self._building.add(key)
        plan = plan_for(cls)
        fields = {
            f.name: self.field(f, _Where(depth, f"{cls.__qualname__}.{f.name}")) for f in plan.fields if f.oneof is None
        }
        # A oneof group holds one member at most: each draws none, or one member's name and value.
        groups = [self.group(cls, members, depth) for members in plan.oneofs.values()]
        drawn = st.tuples(st.fixed_dictionaries(fields), *groups)
        self._cache[key] = drawn.map(lambda parts: cls(**{k: v for part in parts for k, v in part.items()}))
        return self._cache[key]

    def group(self, cls: type, members: list[FieldPlan], depth: int) -> Strategy:
        """The keyword arguments of one oneof group: {} (no member set) or one member's value."""
        options: list[Strategy] = [st.just({})]
        for f in members:
            if depth == 0 and self.recursive(f.node):
                continue
            value = self.node(f.node, _Where(depth, f"{cls.__qualname__}.{f.name}"))
            options.append(st.fixed_dictionaries({f.name: value}))
        return st.one_of(*options)

    def field(self, f: FieldPlan, where: _Where) -> Strategy:
        values = self.node(f.node, where)
        # A oneof's own None comes from the oneof; a required field is never None.
        if f.presence and not f.required and not isinstance(f.node, UnionNode):
            if where.depth == 0 and self.recursive(f.node):
                return st.none()
            return st.one_of(st.none(), values)
        return values

    def node(self, node: Node, where: _Where) -> Strategy:
        for kind, handler in NODE_HANDLERS:
            if isinstance(node, kind):
                return handler(self, node, where)
        raise TypeError(f"{where.path}: ddl.testing has no strategy for plan node {type(node).__name__}")


def _children(node: Node) -> list[Node]:
    if isinstance(node, RepeatedNode):
        return [node.elem]
    if isinstance(node, MapNode):
        return [node.value]
    if isinstance(node, UnionNode):
        return list(node.members)
    if isinstance(node, WrapperNode):
        return [node.inner.node]
    return []


def _classes_in(node: Node) -> list[type]:
    if isinstance(node, MessageNode):
        return [node.cls]
    return [cls for child in _children(node) for cls in _classes_in(child)]


def _scalar(b: _Builder, node: ScalarNode, where: _Where) -> Strategy:
    return SCALARS[node.proto]()


def _enum(b: _Builder, node: EnumNode, where: _Where) -> Strategy:
    known: list[enum.IntEnum] = list(node.cls)
    # An open enum field keeps a number it does not know as a plain int. A oneof member cannot:
    # ddl picks the member by exact type, and such an int would pick an int member instead.
    # A closed enum has no other numbers (ddl.ClosedEnum).
    if where.member or not b.unknown_enums or node.closed:
        if not known:
            raise TypeError(f"{where.path}: {node.cls.__qualname__} has no members to draw")
        return st.sampled_from(known)
    lo, hi = INT_RANGES["int32"]
    unknown = ints(lo, hi).filter(lambda v: v not in node.cls._value2member_map_)
    return st.one_of(st.sampled_from(known), unknown) if known else unknown


def _message(b: _Builder, node: MessageNode, where: _Where) -> Strategy:
    cls = node.cls
    depth = max(where.depth - 1, 0) if cls in b.cyclic else where.depth
    values = b.message(cls, depth)
    return values.filter(_hashable) if where.in_set else values


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _repeated(b: _Builder, node: RepeatedNode, where: _Where) -> Strategy:
    make: Callable[..., Any] = node.container
    if node.vector:
        make = functools.partial(array.array, node.buffer_code)
    if where.depth == 0 and b.recursive(node.elem):
        return st.just(make())
    inner = replace(where, member=False, in_set=where.in_set or make in (set, frozenset))
    return st.lists(b.node(node.elem, inner), max_size=MAX_SIZE).map(make)


def _map(b: _Builder, node: MapNode, where: _Where) -> Strategy:
    if where.depth == 0 and b.recursive(node.value):
        return st.just({})
    inner = replace(where, member=False)
    return st.dictionaries(b.node(node.key, inner), b.node(node.value, inner), max_size=MAX_SIZE)


def _union(b: _Builder, node: UnionNode, where: _Where) -> Strategy:
    members = node.members
    if where.depth == 0:  # once the budget is spent, a member that cannot recurse ends the chain
        members = [m for m in members if not b.recursive(m)] or ([] if node.has_none else members)
    inner = replace(where, member=len(node.members) > 1)
    options = [b.node(m, inner) for m in members]
    return st.one_of(*options, st.none()) if node.has_none else st.one_of(*options)


def _wrapper(b: _Builder, node: WrapperNode, where: _Where) -> Strategy:
    # The wrapper message exists only on the wire: the value is that of its one field.
    return b.field(node.inner, replace(where, member=False))


def _converted(b: _Builder, node: ConvertedNode, where: _Where) -> Strategy:
    return _named(CONVERTED, node.name, where)()


def _well_known(b: _Builder, node: WellKnownNode, where: _Where) -> Strategy:
    if node.name == "value" and where.in_set:
        return JSON_LEAVES  # lists and dicts are not hashable
    return _named(WELL_KNOWN, node.name, where)()


def _named(table: dict[str, Callable[[], Strategy]], name: str, where: _Where) -> Callable[[], Strategy]:
    if name not in table:
        raise TypeError(f"{where.path}: ddl.testing has no strategy for the {name!r} type")
    return table[name]


# Checked in order with isinstance, so a subclass of a node kind is caught by its own entry first.
NODE_HANDLERS: list[tuple[type[Node], Callable[[_Builder, Any, _Where], Strategy]]] = [
    (ScalarNode, _scalar),
    (EnumNode, _enum),
    (MessageNode, _message),
    (RepeatedNode, _repeated),
    (MapNode, _map),
    (UnionNode, _union),
    (WrapperNode, _wrapper),
    (ConvertedNode, _converted),
    (WellKnownNode, _well_known),
]


def instances(cls: type[M], *, max_depth: int = 2, unknown_enums: bool = True) -> st.SearchStrategy[M]:
    """A hypothesis strategy of valid ``cls`` instances: each encodes and decodes back equal.

    It draws every field from the whole range of its type: integers to the limits of their
    protobuf kind, floats (no NaN, which never equals itself), text, enums and, where the
    field keeps them, enum numbers the enum does not name (as plain ints; ``unknown_enums=False``
    leaves them out), nested and recursive messages, containers, maps, absent ``X | None``
    fields, every oneof member (one member at most of a ``ddl.field(oneof=...)`` group), aware
    datetimes with nanoseconds (``ddl.DatetimeNs``) and the other well-known types. A recursive
    class nests at most ``max_depth`` times below the root.

    Example::

        from hypothesis import given
        from ddl.testing import instances

        @given(instances(User))
        def test_round_trip(user: User) -> None:
            assert ddl.decode(ddl.encode(user), User) == user

    Raises TypeError for anything but a ddl message class, and SchemaError for a class whose
    annotations do not resolve.
    """
    if not is_message_class(cls):
        raise TypeError(f"instances() takes a ddl.Message subclass, not {cls!r}")
    if max_depth < 0:
        raise ValueError(f"max_depth must be 0 or more, not {max_depth}")
    strategy: st.SearchStrategy[M] = _Builder(cls, unknown_enums).message(cls, max_depth)
    return strategy
