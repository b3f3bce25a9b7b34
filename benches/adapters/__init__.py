"""One adapter per library, and the code they share to build and read the workloads' objects
(the correctness check every benchmark passes before it is timed is in ``check.py``).

An adapter module exposes:

- ``library_name() -> str``: the label of the library *as this process runs it* (for example
  ``protobuf-upb`` or ``protobuf-python``, read from the implementation actually loaded);
- ``version() -> str``;
- ``WIRE``: ``"protobuf"`` for protobuf-wire libraries (their bytes are checked against ddl's),
  anything else for the others (msgspec is ``"msgpack"``);
- ``JSON``: ``"proto3"`` for libraries writing protobuf's JSON mapping (their text is checked
  against ddl's), another name for their own JSON (msgspec is ``"msgspec"``), ``None`` without JSON;
- ``make(workload, logical) -> Case``: the library's own object for the logical value (built
  here, outside any timed region) and its ``encode`` / ``decode`` / ``read`` functions, and
  ``to_json`` / ``from_json`` when it has JSON;
- optionally ``UNSUPPORTED``: workload -> why the library does not run it (``make`` raises
  ``Unsupported`` for those; they are reported, not timed).

``read(obj)`` turns an object back into the logical value, reading *every* field into plain
Python values, so that a lazy decoder cannot win by skipping work: ``decode+read`` is
``read(decode(data))``, and ``json decode+read`` is ``read(from_json(text))``, where ``text`` is
what the library's own ``to_json`` wrote (the libraries' JSON texts differ: see benches/README.md).

Importing an adapter raises ``ImportError`` when its library is not installed.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import ModuleType
from typing import Any

from benches.workloads import MESSAGES


@dataclass(frozen=True)
class Library:
    """One column of the results: an adapter module run in a process with ``env`` set."""

    name: str
    module: str
    env: Mapping[str, str] = field(default_factory=dict)
    #: environment variables removed from the process (so a default really is the default)
    unset: tuple[str, ...] = ()
    #: the memory benchmark (peak RSS of decoding a big batch) runs for these
    memory: bool = False
    note: str = ""


LIBRARIES: tuple[Library, ...] = (
    Library("ddl", "ddl_adapter", unset=("DDL_PURE_PYTHON",), memory=True, note="default engine"),
    Library("ddl-python", "ddl_adapter", env={"DDL_PURE_PYTHON": "1"}, note="pure-Python engine"),
    Library("protobuf-upb", "protobuf_adapter", env={"PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION": "upb"}, memory=True),
    Library(
        "protobuf-python", "protobuf_adapter", env={"PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION": "python"}, memory=True
    ),
    Library("protobuf-py", "protobuf_py_adapter", memory=True, note="Buf's protobuf-py"),
    Library("msgspec", "msgspec_adapter", memory=True, note="msgpack, array_like Structs; not protobuf wire"),
    Library("pure-protobuf", "pure_protobuf_adapter"),
)
BASELINE = "ddl"


def library(name: str) -> Library:
    for lib in LIBRARIES:
        if lib.name == name:
            return lib
    raise KeyError(f"unknown library {name!r}; choose from {', '.join(lib.name for lib in LIBRARIES)}")


def load(lib: Library) -> ModuleType:
    """Import the adapter module of ``lib`` (``ImportError`` if its library is not installed)."""
    return importlib.import_module(f"benches.adapters.{lib.module}")


@dataclass(frozen=True)
class Case:
    """One library's object for one workload, and the functions the benchmarks time.

    ``to_json`` and ``from_json`` are ``None`` for a library without JSON; ``from_json`` takes
    whatever ``to_json`` returns (``str`` or ``bytes``). ``to_json`` writes ``json_obj`` when the
    library's JSON needs other objects than its binary format (msgspec's), else ``obj``.
    """

    obj: Any
    encode: Callable[[Any], bytes]
    decode: Callable[[bytes], Any]
    read: Callable[[Any], Any]
    to_json: Callable[[Any], str | bytes] | None = None
    from_json: Callable[[str | bytes], Any] | None = None
    json_obj: Any = None

    @property
    def json_input(self) -> Any:
        """The object ``to_json`` is timed on."""
        return self.obj if self.json_obj is None else self.json_obj


# ---------------------------------------------------------------------------------------------
# Building objects and reading them back: the same code shape for every library.


class Unsupported(Exception):
    """The library cannot run this workload (its schema is out of the adapter's reach); it is not timed."""


#: the classes the ``otlp`` workload needs, named by their protobuf names under ``opentelemetry.proto``
OTLP_CLASSES: tuple[str, ...] = (
    "common.v1.AnyValue",
    "common.v1.KeyValue",
    "common.v1.InstrumentationScope",
    "resource.v1.Resource",
    "trace.v1.Status",
    "trace.v1.Span.Event",
    "trace.v1.Span",
    "trace.v1.ScopeSpans",
    "trace.v1.ResourceSpans",
    "collector.trace.v1.ExportTraceServiceRequest",
)
#: the workloads each set of classes serves, besides bench.proto's first seven
_EXTRA_CLASSES: dict[str, tuple[str, ...]] = {
    "chat": ("Chat", "ChatMessage", "ToolCall"),
    "features": ("FeatureRow", "FeatureValue", "DoubleList"),
    "otlp": OTLP_CLASSES,
    "vector": ("Embedding",),
    "events": ("EventBatch", "Event"),
}


def _same(value: Any) -> Any:
    return value


def keyword_oneof(cls: Callable[..., Any], group: str, member: str, value: Any) -> Any:
    """A message of ``cls`` whose oneof ``group`` holds ``member`` = ``value``, made as ``cls(member=value)``."""
    return cls(**{member: value})


def make_builder(
    classes: Mapping[str, Callable[..., Any]],
    enum: Callable[[int], Any],
    map_of: Callable[[dict[str, str]], Any] = dict,
    *,
    message_map_of: Callable[[dict[str, Any]], Any] = dict,
    oneof: Callable[[Callable[..., Any], str, str, Any], Any] = keyword_oneof,
    vector: Callable[[list[float]], Any] = list,
    timestamp: Callable[[datetime], Any] = _same,
    duration: Callable[[timedelta], Any] = _same,
) -> Callable[[str, Any], Any]:
    """A function ``(workload, logical) -> object`` built with keyword constructors.

    ``classes`` maps the message names of bench.proto (and ``OTLP_CLASSES``) to the library's
    classes, and may hold ``Role`` and ``Severity``; ``enum`` turns an int into the library's ``Status``;
    ``map_of`` turns a dict of strings into the library's map value, ``message_map_of`` a dict of
    ``FeatureValue``s; ``oneof`` makes a message with one member of a oneof set; ``vector`` holds
    a float32 embedding (``chat``'s and ``vector``'s) as the library's users would (ddl: an
    ``array('f')`` for ``ddl.Vector``); ``timestamp`` and ``duration`` turn a ``datetime`` and a
    ``timedelta`` into the library's Timestamp and Duration (left as they are by default: ddl's
    and msgspec's fields hold them). A workload whose classes are missing raises ``Unsupported``.
    """
    Small, Item, Medium, Batch = classes["Small"], classes["Item"], classes["Medium"], classes["Batch"]
    Ints, Doubles, Node, Text = classes["Ints"], classes["Doubles"], classes["Node"], classes["Text"]
    role = classes.get("Role", int)
    severity = classes.get("Severity", int)

    def small(d: dict[str, Any]) -> Any:
        return Small(**{**d, "status": enum(d["status"])})

    def medium(d: dict[str, Any]) -> Any:
        return Medium(
            id=d["id"],
            title=d["title"],
            items=[Item(**i) for i in d["items"]],
            tags=list(d["tags"]),
            attrs=map_of(d["attrs"]),
            total=d["total"],
            status=enum(d["status"]),
        )

    def node(d: dict[str, Any]) -> Any:
        return Node(value=d["value"], name=d["name"], children=[node(c) for c in d["children"]])

    builders: dict[str, Callable[[Any], Any]] = {
        "small": small,
        "medium": medium,
        "batch": lambda d: Batch(records=[medium(m) for m in d["records"]]),
        "ints": lambda d: Ints(values=list(d["values"])),
        "doubles": lambda d: Doubles(values=list(d["values"])),
        "tree": node,
        "text": lambda d: Text(title=d["title"], author=d["author"], body=d["body"], comments=list(d["comments"])),
    }

    def chat(d: dict[str, Any]) -> Any:
        Chat, ChatMessage, ToolCall = (classes[n] for n in _EXTRA_CLASSES["chat"])
        messages = [
            ChatMessage(
                role=role(m["role"]),
                content=m["content"],
                embedding=vector(m["embedding"]),
                tool_calls=[ToolCall(**t) for t in m["tool_calls"]],
                tool_call_id=m["tool_call_id"],
                metadata=map_of(m["metadata"]),
            )
            for m in d["messages"]
        ]
        return Chat(
            id=d["id"], model=d["model"], created=d["created"], messages=messages, metadata=map_of(d["metadata"])
        )

    def features(d: dict[str, Any]) -> Any:
        FeatureRow, FeatureValue, DoubleList = (classes[n] for n in _EXTRA_CLASSES["features"])

        def value(v: dict[str, Any]) -> Any:
            ((member, x),) = v.items()
            return oneof(
                FeatureValue, "value", member, DoubleList(values=list(x["values"])) if isinstance(x, dict) else x
            )

        row = {name: value(v) for name, v in d["features"].items()}
        return FeatureRow(
            entity_key=d["entity_key"], event_timestamp=d["event_timestamp"], features=message_map_of(row)
        )

    def otlp(d: dict[str, Any]) -> Any:
        AnyValue, KeyValue, Scope, Resource, SpanStatus, Event, Span, ScopeSpans, ResourceSpans, Request = (
            classes[n] for n in OTLP_CLASSES
        )

        def attributes(kvs: list[dict[str, Any]]) -> list[Any]:
            return [
                KeyValue(key=kv["key"], value=oneof(AnyValue, "value", *next(iter(kv["value"].items())))) for kv in kvs
            ]

        def span(s: dict[str, Any]) -> Any:
            return Span(
                **{k: s[k] for k in ("trace_id", "span_id", "parent_span_id", "flags", "name", "kind")},
                start_time_unix_nano=s["start_time_unix_nano"],
                end_time_unix_nano=s["end_time_unix_nano"],
                attributes=attributes(s["attributes"]),
                events=[
                    Event(time_unix_nano=e["time_unix_nano"], name=e["name"], attributes=attributes(e["attributes"]))
                    for e in s["events"]
                ],
                status=SpanStatus(**s["status"]),
            )

        def scope_spans(ss: dict[str, Any]) -> Any:
            return ScopeSpans(
                scope=Scope(**ss["scope"]), spans=[span(s) for s in ss["spans"]], schema_url=ss["schema_url"]
            )

        def resource_spans(rs: dict[str, Any]) -> Any:
            return ResourceSpans(
                resource=Resource(attributes=attributes(rs["resource"]["attributes"])),
                scope_spans=[scope_spans(ss) for ss in rs["scope_spans"]],
                schema_url=rs["schema_url"],
            )

        return Request(resource_spans=[resource_spans(rs) for rs in d["resource_spans"]])

    def embedding(d: dict[str, Any]) -> Any:
        (Embedding,) = (classes[n] for n in _EXTRA_CLASSES["vector"])
        return Embedding(id=d["id"], model=d["model"], embedding=vector(d["embedding"]))

    def events(d: dict[str, Any]) -> Any:
        EventBatch, Event = (classes[n] for n in _EXTRA_CLASSES["events"])

        def event(e: dict[str, Any]) -> Any:
            expires_at = e["expires_at"]
            return Event(
                **{k: e[k] for k in ("id", "type", "source")},
                time=timestamp(e["time"]),
                latency=duration(e["latency"]),
                severity=severity(e["severity"]),
                subject=e["subject"],
                sequence=e["sequence"],
                attributes=map_of(e["attributes"]),
                expires_at=None if expires_at is None else timestamp(expires_at),
            )

        return EventBatch(events=[event(e) for e in d["events"]])

    extra = {"chat": chat, "features": features, "otlp": otlp, "vector": embedding, "events": events}
    for workload, fn in extra.items():
        if all(n in classes for n in _EXTRA_CLASSES[workload]):
            builders[workload] = fn

    def build(workload: str, logical: Any) -> Any:
        if workload not in builders:
            raise Unsupported(f"no classes for {workload}")
        return builders[workload](logical)

    return build


def make_readers(
    map_reader: Callable[[Any], dict[str, Any]] = dict,
    which: Callable[[Any, str], tuple[str, Any]] | None = None,
    vector_reader: Callable[[Any], Any] = list,
    *,
    timestamp: Callable[[Any], datetime] | None = None,
    duration: Callable[[Any], timedelta] | None = None,
    has_field: bool = False,
) -> dict[str, Callable[[Any], Any]]:
    """``read`` functions per workload: attribute access into fresh dicts, lists and scalars.

    ``map_reader`` turns the library's map value into a dict; ``which(obj, group)`` gives the
    member of oneof ``group`` that is set and its value (without it, the workloads with a oneof
    have no reader). ``vector_reader`` gives the ``vector`` workload's embedding as the library
    gives it to its users: a list, as every repeated field is read (``chat``'s embeddings too),
    unless the library decodes it into a buffer, which is itself a plain value (ddl's
    ``ddl.Vector``, an ``array('f')``: issue 15 times decoding into that form against upb's
    decode and read). ``plain`` turns such a buffer into a list to compare it.

    ``timestamp`` and ``duration`` turn the library's Timestamp and Duration messages into a
    ``datetime`` (UTC) and a ``timedelta``, each adapter with the fastest right conversion it has;
    without them, the fields already hold those values (ddl, msgspec) and ``events``' read takes
    them as they are. With ``has_field``, the library gives an absent optional message field as an
    empty message and tells whether it is set by ``msg.HasField(name)`` (Google's protobuf);
    without it, an absent one is ``None``.
    """

    def small(o: Any) -> dict[str, Any]:
        return {
            "id": o.id,
            "name": o.name,
            "score": o.score,
            "active": o.active,
            "count": o.count,
            "status": int(o.status),
        }

    def item(o: Any) -> dict[str, Any]:
        return {"id": o.id, "sku": o.sku, "qty": o.qty, "price": o.price, "in_stock": o.in_stock}

    def medium(o: Any) -> dict[str, Any]:
        return {
            "id": o.id,
            "title": o.title,
            "items": [item(i) for i in o.items],
            "tags": list(o.tags),
            "attrs": map_reader(o.attrs),
            "total": o.total,
            "status": int(o.status),
        }

    def batch(o: Any) -> dict[str, Any]:
        return {"records": [medium(m) for m in o.records]}

    def values(o: Any) -> dict[str, Any]:
        return {"values": list(o.values)}

    def node(o: Any) -> dict[str, Any]:
        return {"value": o.value, "name": o.name, "children": [node(c) for c in o.children]}

    def text(o: Any) -> dict[str, Any]:
        return {"title": o.title, "author": o.author, "body": o.body, "comments": list(o.comments)}

    def tool_call(o: Any) -> dict[str, Any]:
        return {"id": o.id, "name": o.name, "arguments": o.arguments}

    def chat_message(o: Any) -> dict[str, Any]:
        return {
            "role": int(o.role),
            "content": o.content,
            "embedding": list(o.embedding),
            "tool_calls": [tool_call(t) for t in o.tool_calls],
            "tool_call_id": o.tool_call_id,
            "metadata": map_reader(o.metadata),
        }

    def chat(o: Any) -> dict[str, Any]:
        return {
            "id": o.id,
            "model": o.model,
            "created": o.created,
            "messages": [chat_message(m) for m in o.messages],
            "metadata": map_reader(o.metadata),
        }

    def embedding(o: Any) -> dict[str, Any]:
        return {"id": o.id, "model": o.model, "embedding": vector_reader(o.embedding)}

    def events(o: Any) -> dict[str, Any]:
        return {"events": [event(e) for e in o.events]}

    readers: dict[str, Callable[[Any], Any]] = {
        "small": small,
        "medium": medium,
        "batch": batch,
        "ints": values,
        "doubles": values,
        "tree": node,
        "text": text,
        "chat": chat,
        "vector": embedding,
        "events": events,
    }
    event = _event_reader(map_reader, timestamp, duration, has_field)
    if which is not None:
        readers.update(_oneof_readers(map_reader, which))
    return readers


def _event_reader(
    map_reader: Callable[[Any], dict[str, Any]],
    timestamp: Callable[[Any], datetime] | None,
    duration: Callable[[Any], timedelta] | None,
    has_field: bool,
) -> Callable[[Any], dict[str, Any]]:
    """The reader of one ``events`` Event: its times as they are, or through the library's conversions."""
    if timestamp is None or duration is None:

        def native(o: Any) -> dict[str, Any]:
            return {
                "id": o.id,
                "type": o.type,
                "source": o.source,
                "time": o.time,
                "latency": o.latency,
                "severity": int(o.severity),
                "subject": o.subject,
                "sequence": o.sequence,
                "attributes": map_reader(o.attributes),
                "expires_at": o.expires_at,
            }

        return native

    to_datetime, to_timedelta = timestamp, duration

    # A second reader rather than identity conversions in the first: a call per time would
    # cost the libraries that hold datetimes (ddl, msgspec) what their readers need not pay.
    def converted(o: Any) -> dict[str, Any]:
        expires_at = o.expires_at
        if expires_at is not None and has_field and not o.HasField("expires_at"):
            expires_at = None  # Google's protobuf gives an absent message field as an empty one
        return {
            "id": o.id,
            "type": o.type,
            "source": o.source,
            "time": to_datetime(o.time),
            "latency": to_timedelta(o.latency),
            "severity": int(o.severity),
            "subject": o.subject,
            "sequence": o.sequence,
            "attributes": map_reader(o.attributes),
            "expires_at": None if expires_at is None else to_datetime(expires_at),
        }

    return converted


def _oneof_readers(
    map_reader: Callable[[Any], dict[str, Any]], which: Callable[[Any, str], tuple[str, Any]]
) -> dict[str, Callable[[Any], Any]]:
    """The readers of the workloads with a oneof: ``features`` and ``otlp``."""

    def feature(o: Any) -> dict[str, Any]:
        member, value = which(o, "value")
        return {member: {"values": list(value.values)} if member == "double_list_value" else value}

    def features(o: Any) -> dict[str, Any]:
        row = {name: feature(v) for name, v in map_reader(o.features).items()}
        return {"entity_key": o.entity_key, "event_timestamp": o.event_timestamp, "features": row}

    def attributes(kvs: Any) -> list[dict[str, Any]]:
        return [{"key": kv.key, "value": dict((which(kv.value, "value"),))} for kv in kvs]

    def event(o: Any) -> dict[str, Any]:
        return {"time_unix_nano": o.time_unix_nano, "name": o.name, "attributes": attributes(o.attributes)}

    def span(o: Any) -> dict[str, Any]:
        return {
            "trace_id": o.trace_id,
            "span_id": o.span_id,
            "parent_span_id": o.parent_span_id,
            "flags": o.flags,
            "name": o.name,
            "kind": int(o.kind),
            "start_time_unix_nano": o.start_time_unix_nano,
            "end_time_unix_nano": o.end_time_unix_nano,
            "attributes": attributes(o.attributes),
            "events": [event(e) for e in o.events],
            "status": {"code": int(o.status.code), "message": o.status.message},
        }

    def scope_spans(o: Any) -> dict[str, Any]:
        scope = {"name": o.scope.name, "version": o.scope.version}
        return {"scope": scope, "spans": [span(s) for s in o.spans], "schema_url": o.schema_url}

    def resource_spans(o: Any) -> dict[str, Any]:
        return {
            "resource": {"attributes": attributes(o.resource.attributes)},
            "scope_spans": [scope_spans(ss) for ss in o.scope_spans],
            "schema_url": o.schema_url,
        }

    def otlp(o: Any) -> dict[str, Any]:
        return {"resource_spans": [resource_spans(rs) for rs in o.resource_spans]}

    return {"features": features, "otlp": otlp}


def which_set(obj: Any, members: tuple[str, ...]) -> tuple[str, Any]:
    """The first of ``members`` whose value is not None, and its value: a oneof held as optional fields."""
    for member in members:
        value = getattr(obj, member)
        if value is not None:
            return member, value
    raise ValueError(f"no member of the oneof is set in {type(obj).__name__}")


def message_name(workload: str) -> str:
    return MESSAGES[workload]
