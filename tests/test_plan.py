"""The plan's scalar kinds: the facts every engine reads from the plan, checked against protobuf."""

from __future__ import annotations

import enum

import pytest
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.internal import type_checkers, wire_format

import ddl
from ddl._compiled import speedups
from ddl._schema import Kind, ScalarNode, plan_for


@pytest.mark.parametrize("kind", list(Kind), ids=lambda k: k.name)
def test_each_kind_has_protobufs_wire_type_and_packability(kind: Kind) -> None:
    proto_type = getattr(FieldDescriptor, f"TYPE_{kind.name}")
    assert kind.wire_type == type_checkers.FIELD_TYPE_TO_WIRE_TYPE[proto_type]
    assert (kind.wire_type != 2) == wire_format.IsTypePackable(proto_type)


def test_kinds_are_grouped_by_wire_type_in_the_order_the_compiled_loops_test() -> None:
    # The C loops test a kind's wire type by range: varints up to ENUM, then 4-byte kinds up
    # to FLOAT, 8-byte kinds up to DOUBLE, then lengths.
    wire_types = [k.wire_type for k in sorted(Kind)]
    assert wire_types == sorted(wire_types, key=[0, 5, 1, 2].index)
    assert max(k for k in Kind if k.wire_type == 0) == Kind.ENUM
    assert max(k for k in Kind if k.wire_type == 5) == Kind.FLOAT
    assert max(k for k in Kind if k.wire_type == 1) == Kind.DOUBLE


def test_a_scalar_node_carries_its_kind_wire_type_and_zero() -> None:
    class Sample(ddl.Message):
        a: ddl.sfixed32 = 0
        b: float = 0.0
        c: str = ""

    nodes = {f.name: f.node for f in plan_for(Sample).fields}
    assert all(isinstance(n, ScalarNode) for n in nodes.values())
    assert [(n.kind, n.wire_type, n.zero) for n in nodes.values()] == [  # type: ignore[attr-defined]
        (Kind.SFIXED32, 5, 0), (Kind.DOUBLE, 1, 0.0), (Kind.STRING, 2, "")
    ]


@pytest.mark.skipif(speedups is None, reason="the compiled engine is not built")
def test_the_compiled_engine_refuses_a_plan_whose_kinds_differ(monkeypatch: pytest.MonkeyPatch) -> None:
    assert speedups is not None
    speedups._check_kinds()  # this build agrees with the plan
    shifted = enum.IntEnum("Kind", [(k.name, (k + 1) % len(Kind)) for k in Kind])  # type: ignore[misc]
    monkeypatch.setattr(speedups, "PlanKind", shifted)
    with pytest.raises(ImportError, match="rebuild"):
        speedups._check_kinds()
