"""Which changes of a field's type break readers, and why: the wire-level rules of ``ddl check``.

A reader decodes a value written with another type by that type's rules. A change is safe when
every value the old type holds reads back unchanged as the new type; when the new type merely
holds more (int32 to int64), old readers truncate only the values old writers could never send,
and that is a warning.

Example::

    assert scalar_change("int32", "sint32") == "FIELD_SAME_ENCODING"
"""

from __future__ import annotations

# The rules, each with what it guards. Breaking ones make ddl check exit 1.
RULES: dict[str, str] = {
    "FIELD_REMOVED": "a field removed without reserving its number, which a later field may reuse",
    "FIELD_NUMBER_WAS_RESERVED": "a field takes a number the old version reserved",
    "FIELD_SAME_WIRE_TYPE": "a field's wire type changes: each side skips what the other writes",
    "FIELD_SAME_ENCODING": "same wire type, different encoding: int32 and sint32, fixed32 and float",
    "FIELD_SAME_RANGE": "the new type reads some old values as other numbers: int64 to int32",
    "FIELD_WIDENED": "(warning) the new type holds more values, which old readers truncate",
    "FIELD_SAME_TYPE": "same wire type, another kind of value: string and bytes, bytes and a message",
    "FIELD_SAME_CARDINALITY": "repeated, map and singular fields are not interchangeable",
    "FIELD_SAME_ONEOF": "fields that one side keeps apart, the other side keeps only one of",
    "FIELD_SAME_LABEL": "a proto2 field becomes required, or stops being required",
    "FIELD_SAME_DEFAULT": "the value an absent field reads as changes: its [default = ...]",
    "MAP_SAME_KEY_TYPE": "a map's key type changes",
    "FIELD_SAME_PRESENCE": "(warning) a field gains or loses explicit presence: absent and zero swap",
    "FIELD_RENAMED": "(warning) a new name for the same number and type: code changes",
    "FIELD_SAME_JSON_NAME": "(warning) the field's JSON name changes (renamed, or [json_name]): old JSON misses it",
    "FIELD_TYPE_RENAMED": "(warning) the message or enum type has a new name (compared field by field)",
    "MESSAGE_REMOVED": "a message is removed",
    "ENUM_REMOVED": "an enum is removed",
    "ENUM_SAME_TYPE": "an enum turns open or closed: an unknown value read is kept, or set aside",
    "ENUM_ZERO_VALUE_CHANGED": "the zero value, which absent fields read as, means another value",
    "ENUM_VALUE_REMOVED": "an enum value is removed without reserving its number",
    "ENUM_VALUE_SAME_NUMBER": "an enum value keeps its name but takes another number",
    "ENUM_VALUE_NUMBER_WAS_RESERVED": "an enum value takes a number the old version reserved",
    "ENUM_VALUE_RENAMED": "(warning) a new name for the same number: JSON and code change",
    "PACKAGE_CHANGED": "(warning) the package changes: full names change, the wire does not",
}
WARNINGS = frozenset(rule for rule, text in RULES.items() if text.startswith("(warning)"))

_VARINT, _I64, _LEN, _I32 = 0, 1, 2, 5
WIRE_TYPES: dict[str, int] = {
    "int32": _VARINT, "int64": _VARINT, "uint32": _VARINT, "uint64": _VARINT, "bool": _VARINT,
    "enum": _VARINT, "sint32": _VARINT, "sint64": _VARINT,
    "fixed32": _I32, "sfixed32": _I32, "float": _I32,
    "fixed64": _I64, "sfixed64": _I64, "double": _I64,
    "string": _LEN, "bytes": _LEN, "message": _LEN, "group": 3,
}  # fmt: skip

# Integer types sharing an encoding, with the values each holds. An enum is an int32 on the wire.
_ENCODINGS: dict[str, str] = {
    "int32": "varint", "int64": "varint", "uint32": "varint", "uint64": "varint", "bool": "varint",
    "enum": "varint", "sint32": "zigzag", "sint64": "zigzag",
    "fixed32": "fixed32", "sfixed32": "fixed32", "fixed64": "fixed64", "sfixed64": "fixed64",
}  # fmt: skip
_RANGES: dict[str, range] = {
    "bool": range(2),
    "int32": range(-(1 << 31), 1 << 31), "sint32": range(-(1 << 31), 1 << 31), "sfixed32": range(-(1 << 31), 1 << 31),
    "enum": range(-(1 << 31), 1 << 31),
    "int64": range(-(1 << 63), 1 << 63), "sint64": range(-(1 << 63), 1 << 63), "sfixed64": range(-(1 << 63), 1 << 63),
    "uint32": range(1 << 32), "fixed32": range(1 << 32),
    "uint64": range(1 << 64), "fixed64": range(1 << 64),
}  # fmt: skip


def scalar_change(old: str, new: str) -> str | None:
    """The rule that changing a value's type from ``old`` to ``new`` breaks, or None when none does.

    Types are .proto scalar names, or ``enum``, ``message`` and ``group``.

    Example::

        assert scalar_change("int32", "int64") == "FIELD_WIDENED"
        assert scalar_change("enum", "int32") is None
    """
    if old == new:
        return None
    if WIRE_TYPES[old] != WIRE_TYPES[new]:
        return "FIELD_SAME_WIRE_TYPE"
    if old not in _ENCODINGS or new not in _ENCODINGS:
        if {old, new} <= {"float", "fixed32", "sfixed32"} or {old, new} <= {"double", "fixed64", "sfixed64"}:
            return "FIELD_SAME_ENCODING"  # the same bits mean another number
        return "FIELD_SAME_TYPE"
    if _ENCODINGS[old] != _ENCODINGS[new]:
        return "FIELD_SAME_ENCODING"
    old_range, new_range = _RANGES[old], _RANGES[new]
    if old_range == new_range:
        return None
    if old_range.start >= new_range.start and old_range.stop <= new_range.stop:
        return "FIELD_WIDENED"
    return "FIELD_SAME_RANGE"
