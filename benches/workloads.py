"""The shared logical data of every benchmark, built deterministically from a seeded RNG.

Every workload is plain Python values (dicts, lists, str, int, float) whose keys are the field
names of ``bench.proto``. Each adapter turns them into its own objects, and its ``read`` turns a
decoded object back into exactly this shape, so a round trip can be compared with ``==``.

Enums are plain ints, maps are dicts, and floats are exact doubles (so ``==`` is exact).
Timestamps are timezone-aware UTC ``datetime``s and durations ``timedelta``s (``events``), an
absent optional one ``None``.
"""

from __future__ import annotations

import argparse
import array
import datetime as dt
import json
import random
import uuid
from collections.abc import Sequence
from typing import Any

#: workload name -> the message of bench.proto it is an instance of
MESSAGES: dict[str, str] = {
    "small": "Small",
    "medium": "Medium",
    "batch": "Batch",
    "ints": "Ints",
    "doubles": "Doubles",
    "tree": "Node",
    "text": "Text",
    "chat": "Chat",
    "otlp": "opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest",
    "features": "FeatureRow",
    "vector": "Embedding",
    "events": "EventBatch",
}
WORKLOADS: tuple[str, ...] = tuple(MESSAGES)
#: the binary operations, timed for every library
OPS: tuple[str, ...] = ("encode", "decode+read", "decode")
#: the JSON operations, timed for the libraries that have JSON (each reads the text it writes)
JSON_OPS: tuple[str, ...] = ("json encode", "json decode+read")
ALL_OPS: tuple[str, ...] = OPS + JSON_OPS

SEED = 20240601
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1

_WORDS_ASCII = [
    "alpha", "beta", "gamma", "delta", "widget", "gadget", "sprocket", "north", "south", "ledger", "invoice", "order",
]  # fmt: skip
_WORDS_ACCENTED = [
    "café", "naïve", "déjà", "crème", "brûlée", "façade", "jalapeño", "Ångström", "Zürich", "São", "Paulo", "Kraków",
    "smörgåsbord",
]  # fmt: skip
_WORDS_CJK = [
    "東京", "日本語", "数据", "序列化", "北京", "서울", "한국어", "프로토콜", "漢字", "かな",
    "カタカナ", "中文", "信息", "消息",
]  # fmt: skip
_EMOJI = ["😀", "🚀", "🎉", "🐍", "✨", "🌍", "👍🏽", "🇯🇵", "👨‍👩‍👧", "🔥", "☕", "📦"]


def _rng(name: str) -> random.Random:
    return random.Random(f"{SEED}:{name}")


def _word(rng: random.Random) -> str:
    return rng.choice(_WORDS_ASCII)


def _varied_int(rng: random.Random) -> int:
    """An int64 that is small, large or negative, with a varint length from 1 to 10 bytes."""
    kind = rng.random()
    if kind < 0.5:
        return rng.randrange(0, 128)
    if kind < 0.7:
        return rng.randrange(128, 2**21)
    if kind < 0.85:
        return rng.randrange(2**32, INT64_MAX)
    if kind < 0.95:
        return -rng.randrange(1, 2**20)
    return rng.choice([INT64_MIN, INT64_MAX, -1])


def _double(rng: random.Random) -> float:
    # random() * 2**k is an exact double; mix magnitudes and signs
    return rng.choice([1.0, -1.0]) * rng.random() * 2.0 ** rng.randrange(-10, 40)


def small(rng: random.Random | None = None) -> dict[str, Any]:
    rng = rng or _rng("small")
    return {
        "id": rng.randrange(2**40, 2**50),
        "name": f"{_word(rng)}-{rng.randrange(10**6)}",
        "score": _double(rng),
        "active": True,
        "count": rng.randrange(INT32_MIN, INT32_MAX),
        "status": rng.randrange(1, 4),
    }


def _item(rng: random.Random) -> dict[str, Any]:
    return {
        "id": rng.randrange(1, 2**33),
        "sku": f"SKU-{rng.randrange(10**8):08d}",
        "qty": rng.randrange(0, 500),
        "price": round(rng.uniform(0.5, 900.0), 2),  # round() gives a double; compared exactly
        "in_stock": rng.random() < 0.8,
    }


def medium(rng: random.Random | None = None, n_items: int = 10) -> dict[str, Any]:
    rng = rng or _rng("medium")
    items = [_item(rng) for _ in range(n_items)]
    return {
        "id": rng.randrange(1, 2**48),
        "title": " ".join(_word(rng) for _ in range(4)),
        "items": items,
        "tags": [_word(rng) for _ in range(5)],
        "attrs": {f"key{i}": f"{_word(rng)}:{rng.randrange(10**6)}" for i in range(5)},
        "total": sum(i["price"] for i in items),
        "status": rng.randrange(0, 4),
    }


def batch(n: int = 100) -> dict[str, Any]:
    rng = _rng("batch")
    return {"records": [medium(rng) for _ in range(n)]}


def ints(n: int = 10_000) -> dict[str, Any]:
    rng = _rng("ints")
    return {"values": [_varied_int(rng) for _ in range(n)]}


def doubles(n: int = 10_000) -> dict[str, Any]:
    rng = _rng("doubles")
    return {"values": [_double(rng) for _ in range(n)]}


def tree(depth: int = 40, side: int = 5, bush: int = 6) -> dict[str, Any]:
    """A spine ``depth`` levels deep; each spine node also has up to ``side`` bushy subtrees.

    A bushy subtree is up to ``bush`` levels deep with 1-3 children per node, and never reaches
    below the spine's last level. The defaults give 42 levels of nesting and about 3,100 nodes.
    """
    rng = _rng("tree")
    counter = iter(range(1, 10**9))

    def leafy(levels: int) -> dict[str, Any]:
        n = next(counter)
        kids = [leafy(levels - 1) for _ in range(rng.randrange(1, 4))] if levels > 0 else []
        return {"value": n * 7919 - 2**20, "name": f"n{n}", "children": kids}

    def spine(level: int) -> dict[str, Any]:
        n = next(counter)
        room = depth - level - 1
        kids = [leafy(min(room, rng.randrange(0, bush + 1))) for _ in range(rng.randrange(0, side + 1))]
        if level < depth:
            kids.insert(rng.randrange(len(kids) + 1), spine(level + 1))
        return {"value": n, "name": f"spine-{level}", "children": kids}

    return spine(0)


def text(n_comments: int = 12) -> dict[str, Any]:
    rng = _rng("text")
    pools = [_WORDS_CJK, _WORDS_ACCENTED, _EMOJI, _WORDS_ASCII]

    def sentence(n_words: int) -> str:
        return " ".join(rng.choice(rng.choice(pools)) for _ in range(n_words))

    return {
        "title": f"{sentence(6)} — 标题 🎯",
        "author": "José Müller-Łukasiewicz 李小龍",
        "body": "\n".join(sentence(40) for _ in range(8)),
        "comments": [sentence(rng.randrange(10, 30)) for _ in range(n_comments)],
    }


def _float32(x: float) -> float:
    """``x`` rounded to the nearest float32, as a double (so a float32 field gives it back exactly)."""
    return array.array("f", [x])[0]


def _prose(rng: random.Random, n_chars: int) -> str:
    """Sentences of ASCII words with the odd accented one, about ``n_chars`` long."""
    out: list[str] = []
    size = 0
    while size < n_chars:
        n = rng.randrange(6, 18)
        words = [rng.choice(_WORDS_ACCENTED) if rng.random() < 0.05 else _word(rng) for _ in range(n)]
        sentence = " ".join(words).capitalize() + rng.choice([". ", ". ", "? ", "! ", ":\n"])
        out.append(sentence)
        size += len(sentence)
    return "".join(out).rstrip()


_TOOLS = ["search_orders", "get_weather", "run_sql", "lookup_customer", "create_ticket"]
_EMBEDDING_SIZES = (256, 384, 512, 768, 1024)


def chat(n_turns: int = 6) -> dict[str, Any]:
    """An LLM chat log: a system prompt, then ``n_turns`` rounds of user, assistant and tool turns.

    The defaults give 19 messages. User and assistant messages carry a float32 embedding of 256 to
    1,024 values; some assistant turns call a tool (JSON arguments), answered by a tool message.
    """
    rng = _rng("chat")

    def message(role: int, content: str, **extra: Any) -> dict[str, Any]:
        return {
            "role": role,
            "content": content,
            "embedding": [],
            "tool_calls": [],
            "tool_call_id": "",
            "metadata": {},
            **extra,
        }

    def embedding() -> list[float]:
        return [_float32(rng.gauss(0.0, 0.05)) for _ in range(rng.choice(_EMBEDDING_SIZES))]

    messages = [message(1, _prose(rng, 600), metadata={"prompt_version": "v17", "locale": "en-US"})]
    for turn in range(n_turns):
        messages.append(
            message(2, _prose(rng, rng.randrange(40, 400)), embedding=embedding(), metadata={"client": "web"})
        )
        if turn % 2 == 0:
            call_id = f"call_{rng.getrandbits(64):016x}"
            arguments = {"query": _prose(rng, 30), "limit": rng.randrange(1, 50), "exact": rng.random() < 0.5}
            call = {"id": call_id, "name": rng.choice(_TOOLS), "arguments": json.dumps(arguments)}
            messages.append(message(3, "", tool_calls=[call], metadata={"finish_reason": "tool_calls"}))
            rows = [{"id": rng.randrange(10**6), "sku": f"SKU-{rng.randrange(10**8):08d}"} for _ in range(5)]
            messages.append(message(4, json.dumps({"rows": rows}), tool_call_id=call_id))
        usage = {"prompt_tokens": str(rng.randrange(100, 8000)), "completion_tokens": str(rng.randrange(10, 900))}
        messages.append(
            message(
                3,
                _prose(rng, rng.randrange(200, 2000)),
                embedding=embedding(),
                metadata={"finish_reason": "stop", "latency_ms": str(rng.randrange(200, 9000)), **usage},
            )
        )
    return {
        "id": f"conv-{rng.getrandbits(96):024x}",
        "model": "gpt-4o-2024-08-06",
        "created": 1_717_200_000 + rng.randrange(10**7),
        "messages": messages,
        "metadata": {"user_id": f"u{rng.randrange(10**9)}", "workspace": "acme", "channel": "support"},
    }


def _any_value(rng: random.Random, kind: str) -> dict[str, Any]:
    """An OTLP ``AnyValue``: one member of its oneof, keyed by the member's name."""
    if kind == "string":
        return {"string_value": f"{_word(rng)}-{rng.randrange(10**6)}"}
    if kind == "int":
        return {"int_value": _varied_int(rng)}
    if kind == "double":
        return {"double_value": _double(rng)}
    return {"bool_value": rng.random() < 0.5}


# span attributes as instrumentations write them: (key, kind of value)
_SPAN_ATTRIBUTES = [
    ("http.request.method", "string"), ("url.full", "string"), ("url.path", "string"),
    ("http.response.status_code", "int"), ("server.address", "string"), ("server.port", "int"),
    ("network.protocol.version", "string"), ("user_agent.original", "string"), ("db.system", "string"),
    ("db.query.duration", "double"), ("messaging.batch.message_count", "int"), ("cache.hit", "bool"),
    ("retry.count", "int"), ("app.feature_flag.enabled", "bool"), ("app.cart.total", "double"),
]  # fmt: skip


def otlp(n_spans: int = 50) -> dict[str, Any]:
    """An OTLP ``ExportTraceServiceRequest``: one resource, one scope, ``n_spans`` spans of one trace.

    Each span has 12 attributes (string, int, double and bool values), up to 3 events and a
    status; ids are bytes (16 for a trace, 8 for a span), times fixed64 nanoseconds. Field names
    are those of opentelemetry-proto's schema.
    """
    rng = _rng("otlp")
    trace_id = rng.randbytes(16)
    root = rng.randbytes(8)
    start = 1_717_200_000_000_000_000 + rng.randrange(10**15)

    def attributes(n: int) -> list[dict[str, Any]]:
        return [{"key": key, "value": _any_value(rng, kind)} for key, kind in rng.sample(_SPAN_ATTRIBUTES, n)]

    spans = []
    for i in range(n_spans):
        span_id = root if i == 0 else rng.randbytes(8)
        t0 = start + rng.randrange(10**9)
        events = [
            {"time_unix_nano": t0 + rng.randrange(10**6), "name": rng.choice(["exception", "retry", "cache.miss"]),
             "attributes": attributes(2)}
            for _ in range(rng.randrange(0, 4))
        ]  # fmt: skip
        error = rng.random() < 0.1
        spans.append({
            "trace_id": trace_id,
            "span_id": span_id,
            "parent_span_id": b"" if i == 0 else root,
            "flags": 0x101,  # sampled, and the parent's remoteness is known
            "name": f"{rng.choice(['GET', 'POST'])} /api/{_word(rng)}/{{id}}",
            "kind": rng.choice([1, 2, 3]),
            "start_time_unix_nano": t0,
            "end_time_unix_nano": t0 + rng.randrange(10**4, 10**9),
            "attributes": attributes(12),
            "events": events,
            "status": {"code": 2 if error else 1, "message": "upstream timed out" if error else ""},
        })  # fmt: skip
    resource = [
        {"key": "service.name", "value": {"string_value": "checkout"}},
        {"key": "service.version", "value": {"string_value": "2.14.1"}},
        {"key": "deployment.environment.name", "value": {"string_value": "production"}},
        {"key": "host.name", "value": {"string_value": f"ip-10-0-{rng.randrange(256)}-{rng.randrange(256)}"}},
        {"key": "process.pid", "value": {"int_value": rng.randrange(1, 2**22)}},
        {"key": "telemetry.sdk.language", "value": {"string_value": "python"}},
    ]
    scope = {"name": "opentelemetry.instrumentation.flask", "version": "0.48b0"}
    schema = "https://opentelemetry.io/schemas/1.26.0"
    return {
        "resource_spans": [
            {
                "resource": {"attributes": resource},
                "scope_spans": [{"scope": scope, "spans": spans, "schema_url": schema}],
                "schema_url": schema,
            }
        ]
    }


def _feature_value(rng: random.Random, kind: str) -> dict[str, Any]:
    """A ``FeatureValue``: one member of its oneof, keyed by the member's name."""
    if kind == "int64":
        return {"int64_value": _varied_int(rng)}
    if kind == "double":
        return {"double_value": _double(rng)}
    if kind == "float":
        return {"float_value": _float32(rng.uniform(-1.0, 1.0))}
    if kind == "bool":
        return {"bool_value": rng.random() < 0.5}
    if kind == "string":
        return {"string_value": rng.choice(["US", "DE", "JP", "BR", "premium", "basic", "ios", "android", _word(rng)])}
    return {"double_list_value": {"values": [_double(rng) for _ in range(rng.randrange(8, 33))]}}


# kinds of the features of a row, as a feature view mixes them
_FEATURE_KINDS = ["int64"] * 30 + ["double"] * 30 + ["float"] * 15 + ["bool"] * 10 + ["string"] * 10 + ["list"] * 5
_FEATURE_VIEWS = ["user_profile", "user_txn_7d", "user_txn_30d", "device", "session"]


def features() -> dict[str, Any]:
    """One entity's row of an online feature store: 100 named features of mixed types.

    Shaped as Feast serves a row: a map from ``view__feature`` names to a value whose oneof holds
    an int64, double, float32, bool, string or list of doubles.
    """
    rng = _rng("features")
    row = {
        f"{rng.choice(_FEATURE_VIEWS)}__{_word(rng)}_{i}": _feature_value(rng, kind)
        for i, kind in enumerate(_FEATURE_KINDS)
    }
    return {
        "entity_key": f"user:{rng.randrange(10**9)}",
        "event_timestamp": 1_717_200_000 + rng.randrange(10**7),
        "features": row,
    }


def vector(n: int = 1024) -> dict[str, Any]:
    """One stored embedding, as a retrieval service writes or returns it: an id, the model that
    made it, and ``n`` float32 values (1,024: issue 15's vector)."""
    rng = _rng("vector")
    return {
        "id": f"doc-{rng.getrandbits(64):016x}",
        "model": "e5-large-v2",
        "embedding": [_float32(rng.gauss(0.0, 0.05)) for _ in range(n)],
    }


# CloudEvents types (reverse-DNS, as the spec suggests) and the collection their subject names
_EVENT_TYPES = [
    ("com.shop.order.created", "orders"), ("com.shop.order.paid", "orders"), ("com.shop.order.shipped", "orders"),
    ("com.shop.order.cancelled", "orders"), ("com.shop.payment.authorized", "payments"),
    ("com.shop.payment.captured", "payments"), ("com.shop.payment.refunded", "payments"),
    ("com.shop.cart.updated", "carts"), ("com.shop.user.signed_in", "users"), ("com.shop.user.updated", "users"),
    ("com.shop.inventory.reserved", "skus"), ("com.shop.audit.permission_changed", "roles"),
]  # fmt: skip
_EVENT_REGIONS = ["eu-west-1", "us-east-1", "ap-northeast-1"]
_EVENT_SOURCES = [f"/{service}/{region}" for service in ("checkout", "payments") for region in _EVENT_REGIONS]
# severity -> weight: mostly INFO, as an activity stream is
_SEVERITIES = [1] * 15 + [2] * 70 + [3] * 10 + [4] * 5
_HTTP = [("GET", "200"), ("POST", "201"), ("POST", "200"), ("PUT", "200"), ("DELETE", "204"), ("POST", "409")]


def _event_time(rng: random.Random, start: dt.datetime) -> dt.datetime:
    """A moment in the hour after ``start``: whole milliseconds about half the time (as JavaScript
    producers write them), whole seconds now and then, microseconds otherwise."""
    us = rng.randrange(3600 * 10**6)
    kind = rng.random()
    if kind < 0.05:
        us -= us % 10**6
    elif kind < 0.5:
        us -= us % 1000
    return start + dt.timedelta(microseconds=us)


def _latency(rng: random.Random) -> dt.timedelta:
    """0.2 ms to 3 s, log-uniform: whole milliseconds or microseconds, now and then whole seconds."""
    kind = rng.random()
    if kind < 0.05:
        return dt.timedelta(seconds=rng.randrange(1, 4))
    us = int(200 * 15_000 ** rng.random())
    if kind < 0.45:
        us = max(1000, us - us % 1000)
    return dt.timedelta(microseconds=us)


def events(n: int = 200) -> dict[str, Any]:
    """A batch of ``n`` audit/activity events within one hour, as a CloudEvents-style event bus or an
    audit log carries them: a UUID, a type (12) and source (6), the time, the latency of the
    operation, a severity, a subject, an increasing sequence number, 2 to 6 attributes, and on
    about 30% of them the time the record expires (a retention or a TTL)."""
    rng = _rng("events")
    start = dt.datetime(2024, 6, 1, 14, 0, tzinfo=dt.UTC)
    times = sorted(_event_time(rng, start) for _ in range(n))
    sequence = 1_717_250_000_000 + rng.randrange(10**6)
    out = []
    for i, time in enumerate(times):
        kind, collection = rng.choice(_EVENT_TYPES)
        source = rng.choice(_EVENT_SOURCES)
        method, status = rng.choice(_HTTP)
        extra = {
            "http.method": method,
            "http.status": status,
            "trace_id": f"{rng.getrandbits(128):032x}",
            "actor": f"user:{rng.randrange(10**7)}",
        }
        keys = rng.sample(sorted(extra), rng.randrange(0, 5))
        attributes = {"region": source.rsplit("/", 1)[1], "tenant": f"t-{rng.randrange(1, 400):04d}"}
        attributes.update((k, extra[k]) for k in sorted(keys))
        expires_at = None
        if rng.random() < 0.3:
            expires_at = time + rng.choice([dt.timedelta(minutes=15), dt.timedelta(days=30), dt.timedelta(days=90)])
        out.append({
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "type": kind,
            "source": source,
            "time": time,
            "latency": _latency(rng),
            "severity": rng.choice(_SEVERITIES),
            "subject": f"{collection}/{rng.randrange(10**9, 10**10)}",
            "sequence": sequence + i,
            "attributes": attributes,
            "expires_at": expires_at,
        })  # fmt: skip
    return {"events": out}


def build(name: str, *, reduced: bool = False) -> Any:
    """The logical value of workload ``name``; ``reduced`` gives a smaller variant for quick tests."""
    if name == "small":
        return small()
    if name == "medium":
        return medium()
    if name == "batch":
        return batch(10 if reduced else 100)
    if name == "ints":
        return ints(500 if reduced else 10_000)
    if name == "doubles":
        return doubles(500 if reduced else 10_000)
    if name == "tree":
        return tree(depth=40, side=1, bush=2) if reduced else tree()
    if name == "text":
        return text(3 if reduced else 12)
    if name == "chat":
        return chat(2 if reduced else 6)
    if name == "otlp":
        return otlp(5 if reduced else 50)
    if name == "features":
        return features()
    if name == "vector":
        return vector(64 if reduced else 1024)
    if name == "events":
        return events(20 if reduced else 200)
    raise KeyError(f"unknown workload {name!r}; choose from {', '.join(WORKLOADS)}")


def build_all(*, reduced: bool = False) -> dict[str, Any]:
    return {name: build(name, reduced=reduced) for name in WORKLOADS}


def count_nodes(node: dict[str, Any]) -> int:
    return 1 + sum(count_nodes(c) for c in node["children"])


def max_depth(node: dict[str, Any]) -> int:
    return 1 + max((max_depth(c) for c in node["children"]), default=0)


def script_parser(
    doc: str, choices: Sequence[str] | None = WORKLOADS, *, quick: bool = False
) -> argparse.ArgumentParser:
    """The command line of a measuring script in benches/ (``ceiling.py``, ``memory_floor.py``, ...):
    its module docstring ``doc`` as its help and, unless ``choices`` is None, the workloads to
    measure, all of ``choices`` when none is named. With ``quick``, the script times as the
    benchmark's workers do and takes ``--quick`` for ``ddl bench --quick``'s shorter samples."""
    summary, _, details = doc.partition("\n")
    p = argparse.ArgumentParser(
        description=summary, epilog=details.strip(), formatter_class=argparse.RawDescriptionHelpFormatter
    )
    if choices is None:
        return p
    known = tuple(choices)

    def workload(name: str) -> str:
        if name not in known:
            raise argparse.ArgumentTypeError(f"unknown workload {name!r}; choose from {', '.join(known)}")
        return name

    p.add_argument("workloads", nargs="*", type=workload, metavar="WORKLOAD", help=", ".join(known))
    if quick:
        p.add_argument("--quick", action="store_true", help="fewer and shorter samples (ddl bench --quick's)")
    return p
