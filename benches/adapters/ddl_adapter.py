"""ddl, with the engine ddl picks by default (``ddl``), or under ``DDL_PURE_PYTHON=1`` (``ddl-python``).

The classes match bench.proto field for field: numbers follow declaration order from 1 (a oneof
group's members too). The ``otlp`` classes are generated from opentelemetry-proto at run time
(``_otlp.py``); without that package, ``otlp`` is not run. JSON is ``ddl.to_json`` (one line) and
``ddl.from_json``, protobuf's JSON mapping.
"""

from __future__ import annotations

import os
from array import array
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import ddl
from benches.adapters import Case, _otlp, make_builder, make_readers
from benches.adapters._enums import Role, Severity, Status

WIRE = "protobuf"
JSON = "proto3"


def library_name() -> str:
    return "ddl-python" if os.environ.get("DDL_PURE_PYTHON") == "1" else "ddl"


def version() -> str:
    return ddl.__version__


class Small(ddl.Message):
    id: int = 0
    name: str = ""
    score: float = 0.0
    active: bool = False
    count: ddl.int32 = 0
    status: Status = Status.STATUS_UNSPECIFIED


class Item(ddl.Message):
    id: int = 0
    sku: str = ""
    qty: ddl.int32 = 0
    price: float = 0.0
    in_stock: bool = False


class Medium(ddl.Message):
    id: int = 0
    title: str = ""
    items: list[Item] = []
    tags: list[str] = []
    attrs: dict[str, str] = {}
    total: float = 0.0
    status: Status = Status.STATUS_UNSPECIFIED


class Batch(ddl.Message):
    records: list[Medium] = []


class Ints(ddl.Message):
    values: list[int] = []


class Doubles(ddl.Message):
    values: list[float] = []


class Node(ddl.Message):
    value: int = 0
    name: str = ""
    children: list[Node] = []


class Text(ddl.Message):
    title: str = ""
    author: str = ""
    body: str = ""
    comments: list[str] = []


class ToolCall(ddl.Message):
    id: str = ""
    name: str = ""
    arguments: str = ""


class ChatMessage(ddl.Message):
    role: Role = Role.ROLE_UNSPECIFIED
    content: str = ""
    embedding: ddl.Vector[ddl.float32] = array("f")  # an embedding's usual form: one buffer, not 1,024 floats
    tool_calls: list[ToolCall] = []
    tool_call_id: str = ""
    metadata: dict[str, str] = {}


class Chat(ddl.Message):
    id: str = ""
    model: str = ""
    created: int = 0
    messages: list[ChatMessage] = []
    metadata: dict[str, str] = {}


class DoubleList(ddl.Message):
    values: list[float] = []


class FeatureValue(ddl.Message):
    # a oneof group, not a union: float and float32, int and bool, share Python types
    int64_value: int | None = ddl.field(default=None, oneof="value")
    double_value: float | None = ddl.field(default=None, oneof="value")
    float_value: ddl.float32 | None = ddl.field(default=None, oneof="value")
    bool_value: bool | None = ddl.field(default=None, oneof="value")
    string_value: str | None = ddl.field(default=None, oneof="value")
    double_list_value: DoubleList | None = ddl.field(default=None, oneof="value")


class FeatureRow(ddl.Message):
    entity_key: str = ""
    event_timestamp: int = 0
    features: dict[str, FeatureValue] = {}


class Embedding(ddl.Message):
    id: str = ""
    model: str = ""
    embedding: ddl.Vector[ddl.float32] = array("f")


class Event(ddl.Message):
    id: str = ""
    type: str = ""
    source: str = ""
    time: datetime = datetime(1970, 1, 1, tzinfo=UTC)  # google.protobuf.Timestamp; the epoch when absent
    latency: timedelta = timedelta(0)  # google.protobuf.Duration
    severity: Severity = Severity.SEVERITY_UNSPECIFIED
    subject: str = ""
    sequence: int = 0
    attributes: dict[str, str] = {}
    expires_at: datetime | None = None  # a Timestamp only when set


class EventBatch(ddl.Message):
    events: list[Event] = []


CLASSES: dict[str, Any] = {
    "Small": Small,
    "Item": Item,
    "Medium": Medium,
    "Batch": Batch,
    "Ints": Ints,
    "Doubles": Doubles,
    "Node": Node,
    "Text": Text,
    "Role": Role,
    "ToolCall": ToolCall,
    "ChatMessage": ChatMessage,
    "Chat": Chat,
    "DoubleList": DoubleList,
    "FeatureValue": FeatureValue,
    "FeatureRow": FeatureRow,
    "Embedding": Embedding,
    "Severity": Severity,
    "Event": Event,
    "EventBatch": EventBatch,
}
UNSUPPORTED: dict[str, str] = {}
try:
    CLASSES.update(_otlp.ddl_classes())
except ImportError:
    UNSUPPORTED["otlp"] = "opentelemetry-proto is not installed"


# ddl's own call for a oneof's member and value. It gives None for a group with no member set,
# which no workload has (the readers' unpacking of the pair would fail on it).
_which = cast(Callable[[Any, str], tuple[str, Any]], ddl.oneof_item)
_build = make_builder(CLASSES, Status, vector=lambda values: array("f", values))
_readers = make_readers(which=_which, vector_reader=lambda embedding: embedding)  # the array, as decoded
_encode = ddl.Encoder().encode


def make(workload: str, logical: Any) -> Case:
    obj = _build(workload, logical)
    decoder = ddl.Decoder(type(obj))  # a typed decoder of both forms, as msgspec's adapter uses its own
    return Case(
        obj=obj,
        encode=_encode,
        decode=decoder.decode,
        read=_readers[workload],
        to_json=ddl.to_json,
        from_json=decoder.from_json,
    )
