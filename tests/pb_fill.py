"""Random values for any protoc-generated message, drawn by hypothesis from its descriptor.

The ``ddl gen`` differential tests fill Google's own message objects with these, so the values
cover every field of every corpus schema without a converter per schema.
"""

from __future__ import annotations

from typing import Any

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from hypothesis import strategies as st

F = FieldDescriptor
_INT_RANGES = {
    F.TYPE_INT32: 32, F.TYPE_SINT32: 32, F.TYPE_SFIXED32: 32,
    F.TYPE_INT64: 64, F.TYPE_SINT64: 64, F.TYPE_SFIXED64: 64,
}  # fmt: skip
_UINT_RANGES = {F.TYPE_UINT32: 32, F.TYPE_FIXED32: 32, F.TYPE_UINT64: 64, F.TYPE_FIXED64: 64}
TS_MIN, TS_MAX = -62_135_596_800, 253_402_300_799
DUR_MAX = 315_576_000_000
MAX_DEPTH = 3

JSON = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)


def scalar(field: FieldDescriptor) -> st.SearchStrategy[Any]:
    """Any value protobuf accepts for a scalar or enum field (no NaN: NaN never equals itself)."""
    t = field.type
    if t in _INT_RANGES:
        bits = _INT_RANGES[t]
        return st.integers(-(1 << (bits - 1)), (1 << (bits - 1)) - 1) | st.just(0)
    if t in _UINT_RANGES:
        return st.integers(0, (1 << _UINT_RANGES[t]) - 1) | st.just(0)
    if t == F.TYPE_DOUBLE:
        return st.floats(allow_nan=False) | st.just(-0.0)
    if t == F.TYPE_FLOAT:
        return st.floats(width=32, allow_nan=False) | st.just(-0.0)
    if t == F.TYPE_BOOL:
        return st.booleans()
    if t == F.TYPE_STRING:
        return st.text(max_size=8)
    if t == F.TYPE_BYTES:
        return st.binary(max_size=8)
    if t == F.TYPE_ENUM:
        assert field.enum_type is not None
        return st.sampled_from([v.number for v in field.enum_type.values])
    raise AssertionError(f"not a scalar: {field.full_name}")


def fill(msg: Message, data: st.DataObject, depth: int = 0) -> Message:
    """Set a random subset of ``msg``'s fields, and every required one, to random values."""
    descriptor = msg.DESCRIPTOR
    special = _WELL_KNOWN.get(descriptor.full_name)
    if special is not None:
        special(msg, data)
        return msg
    for field in descriptor.fields:
        deep = field.message_type is not None and depth >= MAX_DEPTH
        if not field.is_required and (deep or not data.draw(st.booleans())):
            continue
        if _is_map(field):
            _fill_map(msg, field, data, depth)
        elif field.is_repeated:
            _fill_repeated(msg, field, data, depth)
        elif field.message_type is not None:
            sub = getattr(msg, field.name)
            sub.SetInParent()
            fill(sub, data, depth + 1)
        else:
            setattr(msg, field.name, data.draw(scalar(field)))
    return msg


def _is_map(field: FieldDescriptor) -> bool:
    return field.message_type is not None and field.message_type.GetOptions().map_entry


def _fill_repeated(msg: Message, field: FieldDescriptor, data: st.DataObject, depth: int) -> None:
    target = getattr(msg, field.name)
    for _ in range(data.draw(st.integers(0, 3))):
        if field.message_type is not None:
            _fill_element(target.add(), data, depth)
        else:
            target.append(data.draw(scalar(field)))


def _fill_map(msg: Message, field: FieldDescriptor, data: st.DataObject, depth: int) -> None:
    assert field.message_type is not None
    key_field, value_field = field.message_type.fields
    target = getattr(msg, field.name)
    for key in data.draw(st.lists(scalar(key_field), max_size=3, unique=True)):
        if value_field.message_type is not None:
            target[key].SetInParent()
            _fill_element(target[key], data, depth)
        else:
            target[key] = data.draw(scalar(value_field))


def _fill_element(msg: Message, data: st.DataObject, depth: int) -> None:
    # A Value that is an element is a JSON value: ddl's typing.Any has no "unset kind".
    if msg.DESCRIPTOR.full_name == "google.protobuf.Value":
        set_value(msg, data.draw(JSON))
    else:
        fill(msg, data, depth + 1)


def _timestamp(msg: Any, data: st.DataObject) -> None:
    msg.seconds = data.draw(st.integers(TS_MIN, TS_MAX))
    msg.nanos = data.draw(st.integers(0, 999_999_999))


def _duration(msg: Any, data: st.DataObject) -> None:
    seconds = data.draw(st.integers(-DUR_MAX, DUR_MAX))
    nanos = data.draw(st.integers(0, 999_999_999))
    negative = seconds < 0 or (seconds == 0 and data.draw(st.booleans()))
    msg.seconds, msg.nanos = seconds, -nanos if negative else nanos


def set_value(msg: Any, value: Any) -> None:
    """Set a google.protobuf.Value from a JSON-like Python value."""
    if value is None:
        msg.null_value = 0
    elif isinstance(value, bool):
        msg.bool_value = value
    elif isinstance(value, float):
        msg.number_value = value
    elif isinstance(value, str):
        msg.string_value = value
    elif isinstance(value, list):
        msg.list_value.SetInParent()
        for item in value:
            set_value(msg.list_value.values.add(), item)
    else:
        msg.struct_value.SetInParent()
        for key, item in value.items():
            set_value(msg.struct_value.fields[key], item)


def _struct(msg: Any, data: st.DataObject) -> None:
    for key, item in data.draw(st.dictionaries(st.text(max_size=4), JSON, max_size=3)).items():
        set_value(msg.fields[key], item)


def _list_value(msg: Any, data: st.DataObject) -> None:
    for item in data.draw(st.lists(JSON, max_size=3)):
        set_value(msg.values.add(), item)


def _value(msg: Any, data: st.DataObject) -> None:
    # Where a Value stands alone its kind may be unset, which differs from null_value.
    if data.draw(st.booleans()):
        set_value(msg, data.draw(JSON))


def _any(msg: Any, data: st.DataObject) -> None:
    msg.type_url = data.draw(st.text(max_size=8))
    msg.value = data.draw(st.binary(max_size=8))


def _field_mask(msg: Any, data: st.DataObject) -> None:
    msg.paths.extend(data.draw(st.lists(st.text(max_size=6), max_size=3)))


def _wrapper(msg: Any, data: st.DataObject) -> None:
    msg.value = data.draw(scalar(msg.DESCRIPTOR.fields_by_name["value"]))


_WELL_KNOWN = {
    "google.protobuf.Timestamp": _timestamp,
    "google.protobuf.Duration": _duration,
    "google.protobuf.Struct": _struct,
    "google.protobuf.ListValue": _list_value,
    "google.protobuf.Value": _value,
    "google.protobuf.Any": _any,
    "google.protobuf.FieldMask": _field_mask,
    "google.protobuf.Empty": lambda msg, data: None,
    **{
        f"google.protobuf.{name}Value": _wrapper
        for name in ("Double", "Float", "Int64", "UInt64", "Int32", "UInt32", "Bool", "String", "Bytes")
    },
}
