"""Errors of the JSON writer: what generated code raises, and the path of the value at fault.

Generated writers keep no path while they run. When a field fails, ``failure`` finds it again
from the field's index, and for a container runs its elements one at a time to find the one at
fault; paths use JSON names (``$.lineItems[3].sku``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

from .._errors import EncodeError, shown
from .._pyengine import _runtime as rt
from .._schema import FieldPlan, UnionNode
from .._schema._names import json_name_of


@dataclass(frozen=True)
class Locator:
    """A field as an error path needs it: its JSON names and, for a list or a map, the generated
    function writing one element (found in ``globs`` by ``element``) and the key converter."""

    field: FieldPlan
    globs: dict[str, Any]
    element: str | None
    key: Callable[[Any], str] | None


def failure(exc: Exception, locators: tuple[Locator, ...], fi: int, holder: Any, named: bool, opt: Any) -> EncodeError:
    """The EncodeError for ``exc``, raised while field ``fi`` of ``holder`` (a message, or a
    wrapper's value when not ``named``) was written, with the field and element in its path.

    An EncodeError from a nested writer knows the value it was writing (``_json_holder``), so
    the element at fault is found by identity; only a failed conversion of a scalar element is
    found by writing the elements again, which recurses no deeper.
    """
    loc = locators[fi]
    f = loc.field
    value = getattr(holder, f.name, rt.UNSET) if named else holder
    where = "." + _name(f, value)
    if value is rt.UNSET:
        err = EncodeError(f"{f.name} has no value: it was deleted (del)")
    elif isinstance(exc, EncodeError):
        err = exc
        if loc.element is not None:
            where += _locate(value, getattr(exc, "_json_holder", None))
    else:
        found = _element_failure(loc, value, opt) if loc.element is not None else None
        if found is not None:
            where += found[0]
            err = found[1]
        else:
            err = EncodeError(_message(exc))
    err._push(where)
    err._json_holder = holder  # type: ignore[attr-defined]
    return err


def _locate(value: Any, elem: Any) -> str:
    """The index or key of ``elem`` in the container ``value``, or "" when it is not there."""
    if elem is None:
        return ""
    if isinstance(value, dict):
        items = list(value.items())
        return next((f"[{shown(k)}]" for k, v in items if v is elem), "")
    if type(value) in rt.SEQUENCE_TYPES:
        ordered = type(value) in (list, tuple)
        return next((f"[{i}]" if ordered else f"[{shown(v)}]" for i, v in enumerate(list(value)) if v is elem), "")
    return ""


def _name(f: FieldPlan, value: Any) -> str:
    if isinstance(f.node, UnionNode) and value is not None:
        member = rt.pick_member(f.node, value, raising=False)
        return f.json_names[member] if member >= 0 else json_name_of(f.name)
    return f.json_names[0]


def _element_failure(loc: Locator, value: Any, opt: Any) -> tuple[str, EncodeError] | None:
    """The first element of a container that fails to be written (its path segment and error),
    looking at a snapshot of the container."""
    element = loc.globs[loc.element] if loc.element else None
    assert element is not None
    if loc.key is None and type(value) in rt.SEQUENCE_TYPES:
        for i, item in enumerate(list(value)):
            err = _error_of(element, item, opt)
            if err is not None:
                return (f"[{i}]" if type(value) in (list, tuple) else f"[{shown(item)}]", err)
    if loc.key is not None and isinstance(value, dict):
        for key, item in list(value.items()):
            err = _error_of(lambda k, _: loc.key(k), key, opt)  # type: ignore[misc]
            if err is not None:
                return f"[{shown(key)}]", EncodeError("map key: " + err.message)
            err = _error_of(element, item, opt)
            if err is not None:
                return f"[{shown(key)}]", err
    return None


def _error_of(write: Callable[[Any, Any], Any], value: Any, opt: Any) -> EncodeError | None:
    try:
        write(value, opt)
    except EncodeError as e:
        return e
    except RecursionError:
        return EncodeError("nesting is too deep for the Python stack")
    except Exception as e:  # noqa: BLE001 - any failure of a conversion is the element's fault
        return EncodeError(_message(e))
    return None


def _message(exc: Exception) -> str:
    return str(exc) or type(exc).__name__


def not_a_sequence(value: Any) -> NoReturn:
    raise TypeError(f"expected a list, tuple, set or frozenset, got {type(value).__name__}")


def not_a_map(value: Any) -> NoReturn:
    raise TypeError(f"expected a dict, got {type(value).__name__}")


def wrong_message(value: Any, cls: type) -> NoReturn:
    raise TypeError(f"expected {cls.__qualname__}, got {type(value).__name__}")


def required_is_none() -> NoReturn:
    raise ValueError("a required field (proto2's required) is None")
