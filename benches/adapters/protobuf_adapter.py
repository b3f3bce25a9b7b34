"""Google's protobuf runtime, in whichever implementation this process loaded.

The runner starts it with ``PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION=upb`` (``protobuf-upb``, the
default) or ``=python`` (``protobuf-python``); the label comes from
``google.protobuf.internal.api_implementation.Type()``, so it is never a guess.

JSON is ``json_format``, which is Python over either implementation's messages:
``MessageToJson(msg, indent=None, ensure_ascii=False)`` writes one line of UTF-8, the text
``ddl.to_json`` writes (its default, ``indent=2``, would write a line per field, and
``ensure_ascii=True`` would escape every non-ASCII character); ``Parse(text, cls())`` reads it.

``otlp`` uses opentelemetry-proto's own ``_pb2`` classes; without that package it is not run.
"""

from __future__ import annotations

from typing import Any

import google.protobuf
from google.protobuf import json_format
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
CLASSES: dict[str, Any] = {name: getattr(pb2, name) for name in _NAMES}
UNSUPPORTED: dict[str, str] = {}
try:
    CLASSES.update(_otlp.protobuf_classes())
except ImportError:
    UNSUPPORTED["otlp"] = "opentelemetry-proto is not installed"


def _which(msg: Any, group: str) -> tuple[str, Any]:
    member = msg.WhichOneof(group)
    return member, getattr(msg, member)


_build = make_builder(CLASSES, int)
_readers = make_readers(which=_which)


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
