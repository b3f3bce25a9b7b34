"""The Python form each well-known type takes in generated code.

Timestamp, Duration and Struct take ddl's native forms, which are lossless (a Timestamp or
Duration with nanoseconds decodes as ``ddl.DatetimeNs`` / ``ddl.TimedeltaNs``). Fields of
these types are ``X | None``, so an absent one stays absent. Everything else is a class from
``ddl.wkt``. Value is the exception that depends on the place: ``typing.Any`` cannot tell an
absent Value from a null one, which only matters where a Value can be absent, so repeated
elements and map values of non-string maps use ``typing.Any`` and other places ``ddl.wkt.Value``.

Example::

    assert form_of(".google.protobuf.Timestamp", Place.FIELD) == "datetime.datetime"
"""

from __future__ import annotations

import enum

_NATIVE = {
    ".google.protobuf.Timestamp": "datetime.datetime",
    ".google.protobuf.Duration": "datetime.timedelta",
    ".google.protobuf.Struct": "dict[str, typing.Any]",
}
_CLASSES = (
    "Any", "Empty", "FieldMask", "ListValue", "Value", "NullValue",
    "DoubleValue", "FloatValue", "Int64Value", "UInt64Value", "Int32Value", "UInt32Value",
    "BoolValue", "StringValue", "BytesValue",
)  # fmt: skip
_WKT = {**_NATIVE, **{f".google.protobuf.{name}": f"ddl.wkt.{name}" for name in _CLASSES}}
VALUE = ".google.protobuf.Value"


class Place(enum.Enum):
    """Where a value of the type stands."""

    FIELD = "a singular field, which may be absent"
    ELEMENT = "an element of a repeated field"
    MAP_VALUE = "the value of a map whose keys are not strings"
    STRING_MAP_VALUE = "the value of a map<string, ...>"
    MEMBER = "a oneof member"


def is_well_known(full_name: str) -> bool:
    return full_name in _WKT


def maps_whole_file(type_names: list[str]) -> bool:
    """Whether a file declaring these types (full names) holds only well-known types.

    Such a file (timestamp.proto, struct.proto, wrappers.proto...) needs no module: its types
    take the forms above. Any other file, wherever it lives, is generated.
    """
    return bool(type_names) and all(is_well_known(name) for name in type_names)


def form_of(full_name: str, place: Place) -> str:
    """The annotation for a well-known type in ``place`` (the caller adds ``| None``)."""
    if full_name == VALUE and place in (Place.ELEMENT, Place.MAP_VALUE):
        return "typing.Any"
    # dict[str, Any] as a map value would make the map a Struct; the class keeps it a map.
    return _WKT[full_name]


def imports_of(form: str) -> set[str]:
    """The modules a form's text uses."""
    return {module for module in ("datetime", "typing", "ddl", "ddl.wkt") if f"{module}." in form}
