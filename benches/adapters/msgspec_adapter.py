"""msgspec's MessagePack with typed Structs: its fastest form.

Not protobuf wire, so its bytes are not compared with ddl's. The Structs use
``array_like=True`` (a struct is a msgpack array, not a map with field names), msgspec's
fastest and most compact layout; everything else is msgspec's default (including ``gc=True``).

JSON is ``msgspec.json.encode`` and ``msgspec.json.Decoder(type).decode`` on a second set of the
same Structs without ``array_like`` (``Json*``): a struct is a JSON object of field names, as in
protobuf's JSON mapping. msgspec's JSON is its own: int64 are numbers (not strings), enums are
ints (not names), field names stay snake_case, and every field is written, even at its default.

The ``chat``, ``features``, ``otlp``, ``vector`` and ``events`` Structs (``otlp``'s hand-written, with the
fields the workload sets) are made by ``msgspec.defstruct`` in both forms at once. ``events``'
times are msgspec's native ``datetime`` (a MessagePack timestamp extension; RFC 3339 in JSON) and
``timedelta`` (an ISO 8601 duration string, ``"PT0.353S"``, in both) fields. msgspec has no float32:
an embedding is float64 on its wire. A oneof (``FeatureValue``, ``AnyValue``) is a Struct of
optional fields, ``None`` unless set; its JSON form leaves the unset ones out (``omit_defaults``),
so its text holds the member set, as protobuf's JSON does.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import GenericAlias
from typing import Any

import msgspec

from benches.adapters import OTLP_CLASSES, Case, make_builder, make_readers, which_set
from benches.adapters._enums import Role, Severity, Status

WIRE = "msgpack"
JSON = "msgspec"


def library_name() -> str:
    return "msgspec"


def version() -> str:
    return str(msgspec.__version__)


class Small(msgspec.Struct, array_like=True):
    id: int = 0
    name: str = ""
    score: float = 0.0
    active: bool = False
    count: int = 0
    status: Status = Status.STATUS_UNSPECIFIED


class Item(msgspec.Struct, array_like=True):
    id: int = 0
    sku: str = ""
    qty: int = 0
    price: float = 0.0
    in_stock: bool = False


class Medium(msgspec.Struct, array_like=True):
    id: int = 0
    title: str = ""
    items: list[Item] = []
    tags: list[str] = []
    attrs: dict[str, str] = {}
    total: float = 0.0
    status: Status = Status.STATUS_UNSPECIFIED


class Batch(msgspec.Struct, array_like=True):
    records: list[Medium] = []


class Ints(msgspec.Struct, array_like=True):
    values: list[int] = []


class Doubles(msgspec.Struct, array_like=True):
    values: list[float] = []


class Node(msgspec.Struct, array_like=True):
    value: int = 0
    name: str = ""
    children: list[Node] = []


class Text(msgspec.Struct, array_like=True):
    title: str = ""
    author: str = ""
    body: str = ""
    comments: list[str] = []


class JsonSmall(msgspec.Struct):
    id: int = 0
    name: str = ""
    score: float = 0.0
    active: bool = False
    count: int = 0
    status: Status = Status.STATUS_UNSPECIFIED


class JsonItem(msgspec.Struct):
    id: int = 0
    sku: str = ""
    qty: int = 0
    price: float = 0.0
    in_stock: bool = False


class JsonMedium(msgspec.Struct):
    id: int = 0
    title: str = ""
    items: list[JsonItem] = []
    tags: list[str] = []
    attrs: dict[str, str] = {}
    total: float = 0.0
    status: Status = Status.STATUS_UNSPECIFIED


class JsonBatch(msgspec.Struct):
    records: list[JsonMedium] = []


class JsonInts(msgspec.Struct):
    values: list[int] = []


class JsonDoubles(msgspec.Struct):
    values: list[float] = []


class JsonNode(msgspec.Struct):
    value: int = 0
    name: str = ""
    children: list[JsonNode] = []


class JsonText(msgspec.Struct):
    title: str = ""
    author: str = ""
    body: str = ""
    comments: list[str] = []


def _traffic_classes(array_like: bool) -> dict[str, Any]:
    """The Structs of ``chat``, ``features``, ``otlp``, ``vector`` and ``events``, as ``array_like`` ones or
    JSON objects."""

    def struct(name: str, fields: list[tuple[str, Any, Any]], oneof: bool = False) -> Any:
        return msgspec.defstruct(
            name, fields, array_like=array_like, omit_defaults=oneof and not array_like, module=__name__
        )

    def list_of(item: Any) -> Any:
        return GenericAlias(list, (item,))  # list[item] of a class made here, which mypy cannot see

    def dict_of(value: Any) -> Any:
        return GenericAlias(dict, (str, value))

    no: Any = msgspec.field(default_factory=list)
    empty: Any = msgspec.field(default_factory=dict)
    out: dict[str, Any] = {}
    tool_call = struct("ToolCall", [("id", str, ""), ("name", str, ""), ("arguments", str, "")])
    message = struct(
        "ChatMessage",
        [
            ("role", Role, Role.ROLE_UNSPECIFIED),
            ("content", str, ""),
            ("embedding", list[float], no),
            ("tool_calls", list_of(tool_call), no),
            ("tool_call_id", str, ""),
            ("metadata", dict[str, str], empty),
        ],
    )
    out["ToolCall"], out["ChatMessage"] = tool_call, message
    out["Chat"] = struct(
        "Chat",
        [
            ("id", str, ""),
            ("model", str, ""),
            ("created", int, 0),
            ("messages", list_of(message), no),
            ("metadata", dict[str, str], empty),
        ],
    )
    double_list = struct("DoubleList", [("values", list[float], no)])
    members = [("int64_value", int), ("double_value", float), ("float_value", float), ("bool_value", bool)]
    members += [("string_value", str), ("double_list_value", double_list)]
    value = struct("FeatureValue", [(n, t | None, None) for n, t in members], oneof=True)
    row = struct(
        "FeatureRow", [("entity_key", str, ""), ("event_timestamp", int, 0), ("features", dict_of(value), empty)]
    )
    out["DoubleList"], out["FeatureValue"], out["FeatureRow"] = double_list, value, row
    out["Embedding"] = struct("Embedding", [("id", str, ""), ("model", str, ""), ("embedding", list[float], no)])
    members = [("string_value", str), ("bool_value", bool), ("int_value", int), ("double_value", float)]
    any_value = struct("AnyValue", [(n, t | None, None) for n, t in members], oneof=True)
    kv = struct("KeyValue", [("key", str, ""), ("value", any_value | None, None)])
    kvs = list_of(kv)
    event = struct("Event", [("time_unix_nano", int, 0), ("name", str, ""), ("attributes", kvs, no)])
    status = struct("Status", [("code", int, 0), ("message", str, "")])
    span = struct(
        "Span",
        [
            ("trace_id", bytes, b""),
            ("span_id", bytes, b""),
            ("parent_span_id", bytes, b""),
            ("flags", int, 0),
            ("name", str, ""),
            ("kind", int, 0),
            ("start_time_unix_nano", int, 0),
            ("end_time_unix_nano", int, 0),
            ("attributes", kvs, no),
            ("events", list_of(event), no),
            ("status", status | None, None),
        ],
    )
    scope = struct("InstrumentationScope", [("name", str, ""), ("version", str, "")])
    resource = struct("Resource", [("attributes", kvs, no)])
    scope_spans = struct(
        "ScopeSpans",
        [("scope", scope | None, None), ("spans", list_of(span), no), ("schema_url", str, "")],
    )
    resource_spans = struct(
        "ResourceSpans",
        [("resource", resource | None, None), ("scope_spans", list_of(scope_spans), no), ("schema_url", str, "")],
    )
    request = struct("ExportTraceServiceRequest", [("resource_spans", list_of(resource_spans), no)])
    otlp = [any_value, kv, scope, resource, status, event, span, scope_spans, resource_spans, request]
    out.update(zip(OTLP_CLASSES, otlp, strict=True))
    out["Event"] = event = struct(
        "Event",
        [
            ("id", str, ""),
            ("type", str, ""),
            ("source", str, ""),
            ("time", datetime, datetime(1970, 1, 1, tzinfo=UTC)),
            ("latency", timedelta, timedelta(0)),
            ("severity", Severity, Severity.SEVERITY_UNSPECIFIED),
            ("subject", str, ""),
            ("sequence", int, 0),
            ("attributes", dict[str, str], empty),
            ("expires_at", datetime | None, None),
        ],
    )
    out["EventBatch"] = struct("EventBatch", [("events", list_of(event), no)])
    return out


CLASSES: dict[str, Any] = {
    "Small": Small,
    "Item": Item,
    "Medium": Medium,
    "Batch": Batch,
    "Ints": Ints,
    "Doubles": Doubles,
    "Node": Node,
    "Text": Text,
}
JSON_CLASSES: dict[str, Any] = {
    "Small": JsonSmall,
    "Item": JsonItem,
    "Medium": JsonMedium,
    "Batch": JsonBatch,
    "Ints": JsonInts,
    "Doubles": JsonDoubles,
    "Node": JsonNode,
    "Text": JsonText,
}
CLASSES |= {"Role": Role, "Severity": Severity, **_traffic_classes(array_like=True)}
JSON_CLASSES |= {"Role": Role, "Severity": Severity, **_traffic_classes(array_like=False)}


def _which(obj: Any, group: str) -> tuple[str, Any]:
    return which_set(obj, obj.__struct_fields__)


_build = make_builder(CLASSES, Status)
_build_json = make_builder(JSON_CLASSES, Status)
_readers = make_readers(which=_which)
_encode = msgspec.msgpack.Encoder().encode
_encode_json = msgspec.json.Encoder().encode


def make(workload: str, logical: Any) -> Case:
    obj = _build(workload, logical)
    decoder = msgspec.msgpack.Decoder(type(obj))
    json_obj = _build_json(workload, logical)
    json_decoder = msgspec.json.Decoder(type(json_obj))
    return Case(
        obj=obj,
        encode=_encode,
        decode=decoder.decode,
        read=_readers[workload],
        to_json=_encode_json,
        from_json=json_decoder.decode,
        json_obj=json_obj,
    )
