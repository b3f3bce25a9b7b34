"""The errors generated JSON readers raise, each made off the hot path by one small function."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._errors import DecodeError
from ._read_values import kind_of


def not_object(value: object, what: str) -> DecodeError:
    return DecodeError(f"{what} needs a JSON object, got {kind_of(value)}")


def too_deep() -> DecodeError:
    return DecodeError("the JSON nests messages too deeply")


def twice(json_name: str, proto_name: str) -> DecodeError:
    err = DecodeError(f"the field is given twice, as {json_name!r} and as {proto_name!r}")
    err._push(f".{json_name}")
    return err


def two_members(group: str) -> DecodeError:
    return DecodeError(f"more than one member of the oneof {group!r} is set")


def not_array(value: object) -> DecodeError:
    return DecodeError(f"a repeated field needs an array, got {kind_of(value)}")


def not_map(value: object) -> DecodeError:
    return DecodeError(f"a map field needs an object, got {kind_of(value)}")


def null_element() -> DecodeError:
    return DecodeError("null is not an element of a repeated field or a map value")


BASE_ERRORS: dict[str, Callable[..., Any]] = {
    "_not_object": not_object,
    "_too_deep": too_deep,
    "_twice": twice,
    "_two_members": two_members,
    "_not_array": not_array,
    "_not_map": not_map,
    "_null_element": null_element,
}
