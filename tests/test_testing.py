"""ddl.testing.instances: every drawn instance is valid (it round-trips on both engines, and
protobuf reads ddl's bytes as the same value), and the draws reach every corner of each type."""

from __future__ import annotations

import contextlib
import enum
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from google.protobuf import any_pb2, empty_pb2, field_mask_pb2, struct_pb2, wrappers_pb2
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

import ddl
import ddl.wkt as w
from ddl._schema import _registry
from ddl._schema._nodes import Node
from ddl.testing import instances
from tests import corpus as c
from tests.conftest import FIXTURE_SAFE, Engine
from tests.corpus import CORPUS
from tests.strategies import schemas
from tests.test_differential import assert_same, from_pb, twin


class Frozen(ddl.Message, frozen=True):
    name: str = ""
    at: datetime = c.EPOCH


class Families(ddl.Message):
    """What the corpus leaves out: sets of every hashable kind, enums in every position."""

    frozen: set[Frozen] = set()
    any_set: frozenset[Any] = frozenset()
    days: set[date] = set()
    amounts: frozenset[Decimal] = frozenset()
    ids: set[UUID] = set()
    times: set[datetime] = set()
    spans: frozenset[timedelta] = frozenset()
    rows: set[tuple[ddl.sint32, ...]] = set()
    groups: frozenset[frozenset[str]] = frozenset()
    colors: dict[str, c.Color] = {}
    color_or_text: c.Color | str = c.Color.RED
    sparse: list[c.Color | None] = []
    maybe_colors: list[c.Color] | None = None
    table: dict[int, dict[str, list[c.Color]]] = {}
    value: w.Value | None = None
    count: w.Int32Value | None = None
    when_or_span: datetime | timedelta | None = None
    mixed: tuple[ddl.float32 | bytes | date, ...] = ()


class Ping(ddl.Message):
    pong: Pong | None = None
    pongs: list[Pong] = []


class Pong(ddl.Message):
    """Mutual recursion through a required field, and a oneof whose message member recurses."""

    ping: Ping = ddl.field(default_factory=Ping)
    choice: Ping | int = 0


# The well-known-type classes next to Google's own generated classes for them.
WKT_PEERS: dict[type, Any] = {
    w.Value: struct_pb2.Value, w.ListValue: struct_pb2.ListValue, w.Any: any_pb2.Any,
    w.FieldMask: field_mask_pb2.FieldMask, w.Empty: empty_pb2.Empty,
    w.DoubleValue: wrappers_pb2.DoubleValue, w.FloatValue: wrappers_pb2.FloatValue,
    w.Int64Value: wrappers_pb2.Int64Value, w.UInt64Value: wrappers_pb2.UInt64Value,
    w.Int32Value: wrappers_pb2.Int32Value, w.UInt32Value: wrappers_pb2.UInt32Value,
    w.BoolValue: wrappers_pb2.BoolValue, w.StringValue: wrappers_pb2.StringValue,
    w.BytesValue: wrappers_pb2.BytesValue,
}  # fmt: skip
CLASSES = [*CORPUS, *WKT_PEERS, Families, Frozen, Ping, Pong]


def ids(cls: type) -> str:
    return cls.__name__


@pytest.mark.parametrize("cls", CLASSES, ids=ids)
@FIXTURE_SAFE
@given(data=st.data())
def test_every_instance_decodes_back_equal_and_protobuf_reads_it(
    engine: Engine, cls: type, data: st.DataObject
) -> None:
    value = data.draw(instances(cls))
    assert type(value) is cls
    wire = engine.encode(value)
    assert_same(engine.decode(wire, cls), value)
    peer = WKT_PEERS.get(cls) or (twin(cls) if cls in CORPUS else None)
    if peer is not None:
        assert_same(from_pb(peer.FromString(wire), cls), value)


@FIXTURE_SAFE
@given(data=st.data())
def test_instances_of_generated_schemas_decode_back_equal(engine: Engine, data: st.DataObject) -> None:
    root = data.draw(schemas()).root
    value = data.draw(instances(root))
    assert_same(engine.decode(engine.encode(value), root), value)


# --- The draws reach every corner ------------------------------------------------------------------


def assert_reaches(cls: type, features: dict[str, Any], examples: int = 400, **options: Any) -> None:
    """Each named condition holds for at least one of ``examples`` drawn instances; the draws stop
    once every condition has held."""
    missing = set(features)

    def all_reached(value: Any) -> bool:
        missing.difference_update([name for name in missing if features[name](value)])
        return not missing

    # derandomized: a rare edge (2**64 - 1) is reached or not the same way on every run
    draws = settings(max_examples=examples, database=None, phases=[Phase.generate], deadline=None, derandomize=True)
    with contextlib.suppress(NoSuchExample):
        find(instances(cls, **options), all_reached, settings=draws)
    assert not missing, f"{cls.__name__}: no instance had {sorted(missing)}"


def test_reaches_nanosecond_times_zones_and_range_edges() -> None:
    assert_reaches(c.Times, {
        "datetime with nanoseconds": lambda t: isinstance(t.when, ddl.DatetimeNs) and t.when.nanosecond != 0,
        "timedelta with nanoseconds": lambda t: isinstance(t.span, ddl.TimedeltaNs) and t.span.nanosecond != 0,
        "datetime not in UTC": lambda t: t.when.utcoffset() != timedelta(0),
        "earliest Timestamp": lambda t: t.when == datetime(1, 1, 1, tzinfo=UTC),
        "shortest Duration": lambda t: t.span == timedelta(seconds=-315_576_000_000),
    })  # fmt: skip
    assert_reaches(
        c.Scalars, {"largest uint64": lambda s: s.u64 == 2**64 - 1, "smallest sfixed32": lambda s: s.sf32 == -(2**31)}
    )


def test_reaches_unknown_enum_numbers_where_the_field_keeps_them() -> None:
    assert_reaches(c.Scalars, {"field": lambda s: type(s.color) is int})
    assert_reaches(c.Repeated, {"list": lambda r: any(type(x) is int for x in r.color)})
    assert_reaches(c.Maps, {"map value": lambda m: any(type(x) is int for x in m.s64_color.values())})
    assert_reaches(Families, {"optional element": lambda f: any(type(x) is int for x in f.sparse)})


@given(instances(Families))
def test_a_oneof_enum_member_is_always_a_member_it_names(value: Families) -> None:
    # An unknown number would be a plain int, which no member of `Color | str` takes.
    assert type(value.color_or_text) in (c.Color, str)


@given(instances(c.Repeated, unknown_enums=False))
def test_unknown_enums_false_draws_named_members_only(value: c.Repeated) -> None:
    assert all(type(x) is c.Color for x in value.color)


def test_reaches_absent_and_present_optionals() -> None:
    names = ("i64", "f64", "flag", "text", "blob", "color", "point")
    assert_reaches(c.Optionals, {
        **{f"{name} absent": lambda o, name=name: getattr(o, name) is None for name in names},
        **{f"{name} present": lambda o, name=name: getattr(o, name) is not None for name in names},
    })  # fmt: skip
    assert_reaches(
        c.Wrappers, {"absent list": lambda v: v.maybe_list is None, "None element": lambda v: None in v.sparse}
    )


@pytest.mark.parametrize(
    ("cls", "name", "types"),
    [
        (c.Shape, "kind", (int, str, c.Point, c.Color, type(None))),
        (c.Shape, "flag_or_blob", (bool, bytes)),
        (c.Shape, "when", (datetime, float, type(None))),
        (c.Wrappers, "choice", (list, str, type(None))),
        (w.Value, "kind", (w.NullValue, float, str, bool, dict, w.ListValue, type(None))),
        (Families, "when_or_span", (datetime, timedelta, type(None))),
    ],
    ids=lambda x: getattr(x, "__name__", None) if isinstance(x, type) else None,
)
def test_reaches_each_oneof_member_and_absence(cls: type, name: str, types: tuple[type, ...]) -> None:
    assert_reaches(cls, {tp.__name__: lambda v, tp=tp: type(getattr(v, name)) is tp for tp in types})


def tree_depth(tree: c.Tree) -> int:
    below = [*tree.children, *([tree.left] if tree.left is not None else [])]
    return 1 + max(map(tree_depth, below), default=0)


@pytest.mark.parametrize("max_depth", [0, 1, 3])
def test_recursion_reaches_max_depth_and_stops_there(max_depth: int) -> None:
    assert_reaches(c.Tree, {"deepest": lambda t: tree_depth(t) == max_depth + 1}, max_depth=max_depth)

    @given(instances(c.Tree, max_depth=max_depth))
    def bounded(tree: c.Tree) -> None:
        assert tree_depth(tree) <= max_depth + 1

    bounded()


def test_mutual_recursion_through_a_required_field_and_a_oneof_ends() -> None:
    assert_reaches(Pong, {"nested": lambda p: isinstance(p.choice, Ping) and p.choice.pong is not None})
    assert_reaches(Ping, {"nested": lambda p: p.pong is not None and p.pong.ping.pong is not None}, max_depth=3)


# --- Errors ----------------------------------------------------------------------------------------


@dataclass
class Plain:
    x: int = 0


@pytest.mark.parametrize("odd", [int, Plain, ddl.Message, c.Point(), "Point"], ids=repr)
def test_anything_but_a_message_class_is_a_type_error(odd: Any) -> None:
    with pytest.raises(TypeError, match=r"instances\(\) takes a ddl\.Message subclass"):
        instances(odd)


def test_a_class_whose_names_do_not_resolve_fails_when_the_strategy_is_made() -> None:
    class Dangling(ddl.Message):
        other: Missing | None = None  # type: ignore[name-defined]  # noqa: F821

    with pytest.raises(ddl.SchemaError, match="Missing"):
        instances(Dangling)


def test_a_plan_node_it_does_not_know_is_a_type_error_naming_the_field(monkeypatch: pytest.MonkeyPatch) -> None:
    class Odd(Node):
        def python_types(self) -> tuple[type, ...]:
            return (complex,)

    def odd_handler(tp: Any, ctx: Any) -> Node | None:
        return Odd() if tp is complex else None

    monkeypatch.setattr(_registry, "HANDLERS", [("odd", odd_handler), *_registry.HANDLERS])

    class WithOdd(ddl.Message):
        z: list[complex] = []

    with pytest.raises(TypeError, match=r"WithOdd\.z: ddl\.testing has no strategy for plan node Odd"):
        instances(WithOdd)


def test_a_negative_depth_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="max_depth"):
        instances(c.Tree, max_depth=-1)


class Empty(enum.IntEnum):
    pass


def test_an_enum_without_members_in_a_oneof_is_a_type_error() -> None:
    class Choice(ddl.Message):
        pick: Empty | str = ""

    with pytest.raises(TypeError, match=r"Choice\.pick: Empty has no members"):
        instances(Choice)


# --- hypothesis stays optional ---------------------------------------------------------------------


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)


def test_import_ddl_does_not_import_hypothesis() -> None:
    result = run_python("import sys, ddl, ddl.wkt; print('hypothesis' in sys.modules)")
    assert result.stdout.strip() == "False", result.stderr


def test_import_ddl_testing_without_hypothesis_says_what_to_install() -> None:
    result = run_python("import sys; sys.modules['hypothesis'] = None; import ddl.testing")
    assert result.returncode != 0
    assert "ImportError: ddl.testing needs hypothesis" in result.stderr
    assert "pip install 'ddl-proto[testing]'" in result.stderr
