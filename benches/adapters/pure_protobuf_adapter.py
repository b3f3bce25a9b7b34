"""pure-protobuf: dataclass messages with ``Annotated[..., Field(n)]`` hints.

pure-protobuf has no ``map``, so ``attrs`` is the wire-identical ``repeated AttrsEntry`` (key = 1,
value = 2), and its read turns the entries into a dict. Its ``float`` is a 32-bit float, so
doubles are ``annotations.double``; recursion uses ``Self``. It has no JSON. A oneof is its
``OneOf`` group of optional fields; ``features`` is the repeated ``FeaturesEntry``. ``otlp`` is not
run (its classes would be hand-written here, with no generator for pure-protobuf). ``events``'
Timestamp and Duration are messages of seconds and nanos declared here (pure-protobuf's own are
broken, see below), built and read from ``datetime`` and ``timedelta`` by hand.
"""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, ClassVar, Self

from pure_protobuf.annotations import Field, double
from pure_protobuf.message import BaseMessage
from pure_protobuf.one_of import OneOf

from benches.adapters import Case, make_builder, make_readers, which_set
from benches.adapters._enums import Role, Severity, Status

WIRE = "protobuf"
JSON = None


def library_name() -> str:
    return "pure-protobuf"


def version() -> str:
    return importlib.metadata.version("pure-protobuf")


@dataclass
class Small(BaseMessage):
    id: Annotated[int, Field(1)] = 0
    name: Annotated[str, Field(2)] = ""
    score: Annotated[double, Field(3)] = double(0.0)  # noqa: RUF009 - a NewType: the call is the float itself
    active: Annotated[bool, Field(4)] = False
    count: Annotated[int, Field(5)] = 0
    status: Annotated[Status, Field(6)] = Status.STATUS_UNSPECIFIED


@dataclass
class Item(BaseMessage):
    id: Annotated[int, Field(1)] = 0
    sku: Annotated[str, Field(2)] = ""
    qty: Annotated[int, Field(3)] = 0
    price: Annotated[double, Field(4)] = double(0.0)  # noqa: RUF009 - a NewType: the call is the float itself
    in_stock: Annotated[bool, Field(5)] = False


@dataclass
class AttrsEntry(BaseMessage):
    key: Annotated[str, Field(1)] = ""
    value: Annotated[str, Field(2)] = ""


@dataclass
class Medium(BaseMessage):
    id: Annotated[int, Field(1)] = 0
    title: Annotated[str, Field(2)] = ""
    items: Annotated[list[Item], Field(3)] = field(default_factory=list)
    tags: Annotated[list[str], Field(4)] = field(default_factory=list)
    attrs: Annotated[list[AttrsEntry], Field(5)] = field(default_factory=list)
    total: Annotated[double, Field(6)] = double(0.0)  # noqa: RUF009 - a NewType: the call is the float itself
    status: Annotated[Status, Field(7)] = Status.STATUS_UNSPECIFIED


@dataclass
class Batch(BaseMessage):
    records: Annotated[list[Medium], Field(1)] = field(default_factory=list)


@dataclass
class Ints(BaseMessage):
    values: Annotated[list[int], Field(1)] = field(default_factory=list)


@dataclass
class Doubles(BaseMessage):
    values: Annotated[list[double], Field(1)] = field(default_factory=list)


@dataclass
class Node(BaseMessage):
    value: Annotated[int, Field(1)] = 0
    name: Annotated[str, Field(2)] = ""
    children: Annotated[list[Self], Field(3)] = field(default_factory=list)


@dataclass
class Text(BaseMessage):
    title: Annotated[str, Field(1)] = ""
    author: Annotated[str, Field(2)] = ""
    body: Annotated[str, Field(3)] = ""
    comments: Annotated[list[str], Field(4)] = field(default_factory=list)


@dataclass
class ToolCall(BaseMessage):
    id: Annotated[str, Field(1)] = ""
    name: Annotated[str, Field(2)] = ""
    arguments: Annotated[str, Field(3)] = ""


@dataclass
class ChatMessage(BaseMessage):
    role: Annotated[Role, Field(1)] = Role.ROLE_UNSPECIFIED
    content: Annotated[str, Field(2)] = ""
    embedding: Annotated[list[float], Field(3)] = field(default_factory=list)
    tool_calls: Annotated[list[ToolCall], Field(4)] = field(default_factory=list)
    tool_call_id: Annotated[str, Field(5)] = ""
    metadata: Annotated[list[AttrsEntry], Field(6)] = field(default_factory=list)


@dataclass
class Chat(BaseMessage):
    id: Annotated[str, Field(1)] = ""
    model: Annotated[str, Field(2)] = ""
    created: Annotated[int, Field(3)] = 0
    messages: Annotated[list[ChatMessage], Field(4)] = field(default_factory=list)
    metadata: Annotated[list[AttrsEntry], Field(5)] = field(default_factory=list)


@dataclass
class Embedding(BaseMessage):
    id: Annotated[str, Field(1)] = ""
    model: Annotated[str, Field(2)] = ""
    embedding: Annotated[list[float], Field(3)] = field(default_factory=list)  # float: pure-protobuf's float32


@dataclass
class DoubleList(BaseMessage):
    values: Annotated[list[double], Field(1)] = field(default_factory=list)


@dataclass
class FeatureValue(BaseMessage):
    value: ClassVar[OneOf[Any]] = OneOf()
    int64_value: Annotated[int | None, Field(1, one_of=value)] = None
    double_value: Annotated[double | None, Field(2, one_of=value)] = None
    float_value: Annotated[float | None, Field(3, one_of=value)] = None
    bool_value: Annotated[bool | None, Field(4, one_of=value)] = None
    string_value: Annotated[str | None, Field(5, one_of=value)] = None
    double_list_value: Annotated[DoubleList | None, Field(6, one_of=value)] = None


@dataclass
class FeaturesEntry(BaseMessage):
    key: Annotated[str, Field(1)] = ""
    value: Annotated[FeatureValue | None, Field(2)] = None


@dataclass
class FeatureRow(BaseMessage):
    entity_key: Annotated[str, Field(1)] = ""
    event_timestamp: Annotated[int, Field(2)] = 0
    features: Annotated[list[FeaturesEntry], Field(3)] = field(default_factory=list)


# google.protobuf.Timestamp and Duration, declared here: pure-protobuf 3.1.5's own
# (pure_protobuf.well_known) cannot be made, as their fields are declared on a base class
# (_TimeSpan) that BaseMessage.__init_subclass__ does not read: Timestamp(seconds=1) and
# Timestamp.from_datetime(...) raise KeyError('seconds'). These are wire-identical, as AttrsEntry is a map's entry.
@dataclass
class Timestamp(BaseMessage):
    seconds: Annotated[int, Field(1)] = 0
    nanos: Annotated[int, Field(2)] = 0


@dataclass
class Duration(BaseMessage):
    seconds: Annotated[int, Field(1)] = 0
    nanos: Annotated[int, Field(2)] = 0


@dataclass
class Event(BaseMessage):
    id: Annotated[str, Field(1)] = ""
    type: Annotated[str, Field(2)] = ""
    source: Annotated[str, Field(3)] = ""
    time: Annotated[Timestamp | None, Field(4)] = None
    latency: Annotated[Duration | None, Field(5)] = None
    severity: Annotated[Severity, Field(6)] = Severity.SEVERITY_UNSPECIFIED
    subject: Annotated[str, Field(7)] = ""
    sequence: Annotated[int, Field(8)] = 0
    attributes: Annotated[list[AttrsEntry], Field(9)] = field(default_factory=list)
    expires_at: Annotated[Timestamp | None, Field(10)] = None


@dataclass
class EventBatch(BaseMessage):
    events: Annotated[list[Event], Field(1)] = field(default_factory=list)


CLASSES = {
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
UNSUPPORTED = {"otlp": "no pure-protobuf classes for opentelemetry-proto"}
_MEMBERS = ("int64_value", "double_value", "float_value", "bool_value", "string_value", "double_list_value")


def _entries(d: dict[str, str]) -> list[AttrsEntry]:
    return [AttrsEntry(key=k, value=v) for k, v in d.items()]


def _feature_entries(d: dict[str, Any]) -> list[FeaturesEntry]:
    return [FeaturesEntry(key=k, value=v) for k, v in d.items()]


def _map(entries: list[Any]) -> dict[str, Any]:
    return {e.key: e.value for e in entries}


def _which(msg: Any, group: str) -> tuple[str, Any]:
    return which_set(msg, _MEMBERS)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _timestamp(value: datetime) -> Timestamp:
    us = (value - _EPOCH) // timedelta(microseconds=1)
    return Timestamp(seconds=us // 10**6, nanos=us % 10**6 * 1000)


def _duration(value: timedelta) -> Duration:
    us = value // timedelta(microseconds=1)
    seconds = abs(us) // 10**6 * (1 if us >= 0 else -1)
    return Duration(seconds=seconds, nanos=(us - seconds * 10**6) * 1000)


def _to_datetime(ts: Timestamp) -> datetime:
    """As protobuf's adapter reads one (pure-protobuf's own ``into_datetime`` goes through a float of seconds)."""
    return _EPOCH + timedelta(0, ts.seconds, ts.nanos // 1000)


def _to_timedelta(d: Duration) -> timedelta:
    nanos = d.nanos
    return timedelta(0, d.seconds, nanos // 1000 if nanos >= 0 else -(-nanos // 1000))


_build = make_builder(
    CLASSES, Status, _entries, message_map_of=_feature_entries, timestamp=_timestamp, duration=_duration
)
_readers = make_readers(_map, which=_which, timestamp=_to_datetime, duration=_to_timedelta)


def make(workload: str, logical: Any) -> Case:
    obj = _build(workload, logical)
    cls = type(obj)
    return Case(obj=obj, encode=cls.dumps, decode=cls.loads, read=_readers[workload])
