"""JSON-like Python values to and from google.protobuf.Value and Struct, built with Google's own
runtime: the oracle side of the Any and dict[str, Any] tests."""

from __future__ import annotations

from typing import Any

from google.protobuf import struct_pb2


def value_to_pb(v: Any) -> struct_pb2.Value:
    m = struct_pb2.Value()
    if v is None:
        m.null_value = struct_pb2.NULL_VALUE
    elif isinstance(v, bool):
        m.bool_value = v
    elif isinstance(v, (int, float)):
        m.number_value = v
    elif isinstance(v, str):
        m.string_value = v
    elif isinstance(v, (list, tuple)):
        m.list_value.SetInParent()
        for item in v:
            m.list_value.values.add().CopyFrom(value_to_pb(item))
    else:
        m.struct_value.CopyFrom(struct_to_pb(v))
    return m


def struct_to_pb(d: dict[str, Any]) -> struct_pb2.Struct:
    m = struct_pb2.Struct()
    for key, item in d.items():
        m.fields[key].CopyFrom(value_to_pb(item))
    return m


def value_from_pb(m: struct_pb2.Value) -> Any:
    kind = m.WhichOneof("kind")
    if kind == "struct_value":
        return {k: value_from_pb(v) for k, v in m.struct_value.fields.items()}
    if kind == "list_value":
        return [value_from_pb(v) for v in m.list_value.values]
    return None if kind in (None, "null_value") else getattr(m, kind)
