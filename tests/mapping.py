"""ddl's documented type mapping, read from annotations alone: what each annotation means on
the wire. The differential tests convert values to and from protobuf with it, and
``tests.strategies.annotation_values`` draws values with it; neither uses ddl's internals."""

from __future__ import annotations

import enum
import functools
import typing
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin
from uuid import UUID

import ddl

ALIASES: list[tuple[object, str]] = [
    (ddl.int32, "int32"), (ddl.int64, "int64"), (ddl.uint32, "uint32"), (ddl.uint64, "uint64"),
    (ddl.sint32, "sint32"), (ddl.sint64, "sint64"), (ddl.fixed32, "fixed32"), (ddl.fixed64, "fixed64"),
    (ddl.sfixed32, "sfixed32"), (ddl.sfixed64, "sfixed64"), (ddl.float32, "float"), (ddl.float64, "double"),
]  # fmt: skip
BUILTINS = {int: "int64", float: "double", bool: "bool", str: "string", bytes: "bytes"}
INT_RANGES = {
    "int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1),
    "uint32": (0, 2**32 - 1), "uint64": (0, 2**64 - 1),
    "sint32": (-(2**31), 2**31 - 1), "sint64": (-(2**63), 2**63 - 1),
    "fixed32": (0, 2**32 - 1), "fixed64": (0, 2**64 - 1),
    "sfixed32": (-(2**31), 2**31 - 1), "sfixed64": (-(2**63), 2**63 - 1),
}  # fmt: skip
SEQUENCES = (list, tuple, set, frozenset)


@functools.cache
def hints(cls: type) -> dict[str, Any]:
    all_hints = typing.get_type_hints(cls, include_extras=True)
    return {name: all_hints[name] for name in cls.__match_args__}


def is_message(tp: object) -> bool:
    return isinstance(tp, type) and issubclass(tp, ddl.Message)


def kind(tp: Any) -> tuple[Any, ...]:
    """What an annotation means under ddl's documented mapping."""
    for alias, proto in ALIASES:
        if tp == alias:
            return ("scalar", proto)
    if tp in BUILTINS:
        return ("scalar", BUILTINS[tp])
    if isinstance(tp, type) and issubclass(tp, enum.IntEnum):
        return ("enum", tp)
    if is_message(tp):
        return ("message", tp)
    if tp is datetime:
        return ("timestamp",)
    if tp is timedelta:
        return ("duration",)
    if tp is date:
        return ("date",)
    if tp is Decimal:
        return ("decimal",)
    if tp is UUID:
        return ("uuid",)
    if tp is Any:
        return ("value",)
    origin, args = get_origin(tp), get_args(tp)
    if origin is Annotated:
        return kind(args[0])
    if origin is Union or isinstance(tp, UnionType):
        members = [a for a in args if a is not type(None)]
        return ("union", members, len(members) < len(args))
    if origin in SEQUENCES:
        return ("repeated", origin, args[0])
    if origin is dict:
        if args[1] is Any:
            return ("struct",)
        return ("map", args[0], args[1])
    raise AssertionError(f"not in the mapping: {tp!r}")


def singular(tp: Any) -> bool:
    return kind(tp)[0] not in ("union", "repeated", "map")


def wrapper_field(tp: Any) -> str:
    """The field name inside the wrapper message of a shape protobuf cannot nest."""
    return {"union": "value", "repeated": "values", "map": "entries"}[kind(tp)[0]]


def python_types(tp: Any) -> tuple[type, ...]:
    k = kind(tp)
    if k[0] == "scalar":
        proto = k[1]
        if proto in ("float", "double"):
            return (float,)
        return {"bool": (bool,), "string": (str,), "bytes": (bytes,)}.get(proto, (int,))
    if k[0] in ("enum", "message"):
        return (k[1],)
    return {
        "timestamp": (datetime, ddl.DatetimeNs), "duration": (timedelta, ddl.TimedeltaNs), "date": (date,),
        "decimal": (Decimal,), "uuid": (UUID,), "repeated": SEQUENCES, "map": (dict,), "struct": (dict,),
    }[k[0]]  # fmt: skip
