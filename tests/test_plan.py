"""The plan's scalar kinds: the facts every engine reads from the plan, checked against protobuf."""

from __future__ import annotations

import enum
import re
from typing import Any

import pytest
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.internal import type_checkers, wire_format

import ddl
from ddl._compiled import speedups
from ddl._schema import Kind, ScalarNode, plan_for
from tests.protoc import compile_proto


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
        (Kind.SFIXED32, 5, 0),
        (Kind.DOUBLE, 1, 0.0),
        (Kind.STRING, 2, ""),
    ]


@pytest.mark.skipif(speedups is None, reason="the compiled engine is not built")
def test_the_compiled_engine_refuses_a_plan_whose_kinds_differ(monkeypatch: pytest.MonkeyPatch) -> None:
    assert speedups is not None
    speedups._check_kinds()  # this build agrees with the plan
    shifted = enum.IntEnum("Kind", [(k.name, (k + 1) % len(Kind)) for k in Kind])  # type: ignore[misc]
    monkeypatch.setattr(speedups, "PlanKind", shifted)
    with pytest.raises(ImportError, match="rebuild"):
        speedups._check_kinds()


# --- names outside Python ---------------------------------------------------------------------


class Card(ddl.Message):
    number: str = ""


class Named(ddl.Message):
    order_id: int = 0
    pay: Card | str | None = ddl.field(number=(2, 3), default=None)
    class_: str = ddl.field(number=4, default="", proto_name="class")
    total: int = ddl.field(number=5, default=0, json_name="sum")
    pick: Card | int | None = ddl.field(number=(6, 7), default=None, proto_name=("card", "count"))
    field__name_: int = 0


@pytest.mark.parametrize(
    ("field", "proto_names", "json_names"),
    [
        ("order_id", ("order_id",), ("orderId",)),
        ("pay", ("pay_card", "pay_string"), ("payCard", "payString")),
        ("class_", ("class",), ("class",)),
        ("total", ("total",), ("sum",)),
        ("pick", ("card", "count"), ("card", "count")),
        ("field__name_", ("field__name_",), ("fieldName",)),
    ],
)
def test_the_plan_names_each_field_in_a_proto_and_in_json_as_protoc_would(
    field: str, proto_names: tuple[str, ...], json_names: tuple[str, ...]
) -> None:
    [plan] = [f for f in plan_for(Named).fields if f.name == field]
    assert (plan.proto_names, plan.json_names) == (proto_names, json_names)
    if field in ("order_id", "field__name_"):  # protoc's own default JSON name agrees
        source = f'syntax = "proto3"; package ddl_plan_{field}; message M {{ int64 {field} = 1; }}'
        assert compile_proto(f"ddl_plan_{field}", source).M.DESCRIPTOR.fields[0].json_name == json_names[0]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"proto_name": ("a", "b")}, "proto_name must be a name, not ('a', 'b')"),
        ({"proto_name": "not-an-ident"}, "proto_name 'not-an-ident' is not a .proto identifier"),
        ({"json_name": 3}, "json_name must be a name, not 3"),
    ],
)
def test_names_given_must_fit_the_field(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ddl.SchemaError, match=f"Bad.x: {re.escape(message)}"):
        namespace = {"__annotations__": {"x": "int"}, "x": ddl.field(default=0, **options), "__module__": __name__}
        type("Bad", (ddl.Message,), namespace)
    with pytest.raises(ddl.SchemaError, match="must be a tuple of 2 names, one per union member"):
        union = ddl.field(default=None, json_name="one")
        type("Bad", (ddl.Message,), {"__annotations__": {"x": "int | str | None"}, "x": union, "__module__": __name__})
