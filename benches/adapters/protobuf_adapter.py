"""Google's protobuf runtime, in whichever implementation this process loaded.

The runner starts it with ``PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION=upb`` (``protobuf-upb``, the
default) or ``=python`` (``protobuf-python``); the label comes from
``google.protobuf.internal.api_implementation.Type()``, so it is never a guess.

JSON is ``json_format``, which is Python over either implementation's messages:
``MessageToJson(msg, indent=None, ensure_ascii=False)`` writes one line of UTF-8, the text
``ddl.to_json`` writes (its default, ``indent=2``, would write a line per field, and
``ensure_ascii=True`` would escape every non-ASCII character); ``Parse(text, cls())`` reads it.

``otlp`` uses opentelemetry-proto's own ``_pb2`` classes; without that package it is not run.
``events``' Timestamps and Durations are built with ``FromDatetime`` / ``FromTimedelta`` and read
by hand from ``.seconds`` / ``.nanos`` (the official conversions' values, faster: see below); an
absent ``expires_at`` is told by ``HasField``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import google.protobuf
from google.protobuf import duration_pb2, json_format, timestamp_pb2
from google.protobuf.internal import api_implementation

from benches.adapters import Case, _otlp, _protoc, make_builder, make_readers

WIRE = "protobuf"
JSON = "proto3"
pb2 = _protoc.load("google")


def implementation() -> str:
    return str(api_implementation.Type())


def library_name() -> str:
    return f"protobuf-{implementation()}"


def version() -> str:
    return str(google.protobuf.__version__)


_NAMES: tuple[str, ...] = ("Small", "Item", "Medium", "Batch", "Ints", "Doubles", "Node", "Text")
_NAMES += ("ToolCall", "ChatMessage", "Chat", "DoubleList", "FeatureValue", "FeatureRow", "Embedding")
_NAMES += ("Event", "EventBatch")
CLASSES: dict[str, Any] = {name: getattr(pb2, name) for name in _NAMES}
UNSUPPORTED: dict[str, str] = {}
try:
    CLASSES.update(_otlp.protobuf_classes())
except ImportError:
    UNSUPPORTED["otlp"] = "opentelemetry-proto is not installed"


def _which(msg: Any, group: str) -> tuple[str, Any]:
    member = msg.WhichOneof(group)
    return member, getattr(msg, member)


def _timestamp(value: datetime) -> Any:
    ts = timestamp_pb2.Timestamp()
    ts.FromDatetime(value)
    return ts


def _duration(value: timedelta) -> Any:
    d = duration_pb2.Duration()
    d.FromTimedelta(value)
    return d


# events' read turns each Timestamp and Duration into a datetime and a timedelta by hand from
# .seconds and .nanos: the values of the official ts.ToDatetime(tzinfo=UTC) and d.ToTimedelta()
# for every valid Timestamp and Duration (nanos truncated toward zero), and faster, so upb shows
# at its best. Timed on upb (protobuf 7.36.2, Python 3.11): a Timestamp 1,230 -> 530 ns (the
# official call also checks the range, rounds through a helper and calls astimezone), a Duration
# 800 -> 370 ns, the 200 events' decode+read 1,150 -> 860 us; protobuf-python the same per value.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _to_datetime(ts: Any) -> datetime:
    """``ts.ToDatetime(tzinfo=UTC)``'s value (a valid Timestamp's nanos are 0 to 999,999,999)."""
    return _EPOCH + timedelta(0, ts.seconds, ts.nanos // 1000)


def _to_timedelta(d: Any) -> timedelta:
    """``d.ToTimedelta()``'s value (a negative Duration's nanos are negative, and truncated toward zero)."""
    nanos = d.nanos
    return timedelta(0, d.seconds, nanos // 1000 if nanos >= 0 else -(-nanos // 1000))


_build = make_builder(CLASSES, int, timestamp=_timestamp, duration=_duration)
_readers = make_readers(which=_which, timestamp=_to_datetime, duration=_to_timedelta, has_field=True)


def _to_json(msg: Any) -> str:
    return json_format.MessageToJson(msg, indent=None, ensure_ascii=False)


def make(workload: str, logical: Any) -> Case:
    obj = _build(workload, logical)
    cls = type(obj)

    def from_json(text: str | bytes) -> Any:
        return json_format.Parse(text, cls())

    return Case(
        obj=obj,
        encode=cls.SerializeToString,
        decode=cls.FromString,
        read=_readers[workload],
        to_json=_to_json,
        from_json=from_json,
    )
