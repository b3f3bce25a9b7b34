"""Type hints to plans: the part of ddl that both engines share."""

from ._nodes import (
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
from ._plan import ClassSpec, FieldSpec, MessagePlan, build_plan, collect, plan_for
from ._registry import HANDLERS, is_message_class

__all__ = [
    "HANDLERS",
    "ClassSpec",
    "ConvertedNode",
    "EnumNode",
    "FieldPlan",
    "FieldSpec",
    "Kind",
    "MapNode",
    "MessageNode",
    "MessagePlan",
    "Node",
    "RepeatedNode",
    "ScalarNode",
    "UnionNode",
    "WellKnownNode",
    "WrapperNode",
    "build_plan",
    "collect",
    "is_message_class",
    "plan_for",
]
