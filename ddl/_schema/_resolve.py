"""Turning annotations (objects, strings, forward references) into Python types.

A class is checked when it is created, before the names it refers to may exist (a recursive
``list["Node"]``, or a class defined further down the module). At that point unknown names
resolve to placeholder classes, which are enough to check the shape of every annotation and to
number the fields. The full resolution happens on first use, when every name is defined.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Mapping
from typing import Any, ForwardRef

from .._errors import SchemaError


class _PendingMeta(type):
    def __getattr__(cls, name: str) -> type:
        # "Outer.Inner" while Outer is undefined: keep walking with placeholders.
        return pending_type(f"{cls.__name__}.{name}")


class PendingRef(metaclass=_PendingMeta):
    """Stands for a name that is not defined yet when the class is created."""


_PENDING: dict[str, type] = {}


def pending_type(name: str) -> type:
    if name not in _PENDING:
        _PENDING[name] = _PendingMeta(name, (PendingRef,), {})
    return _PENDING[name]


def is_pending(tp: object) -> bool:
    return isinstance(tp, type) and issubclass(tp, PendingRef)


class Namespace(Mapping[str, Any]):
    """The locals an annotation string is evaluated in: the class body, then the class itself.

    With ``pending=True`` a name found nowhere becomes a placeholder instead of a NameError.
    """

    def __init__(self, local: Mapping[str, Any], globalns: Mapping[str, Any], pending: bool) -> None:
        self._local = local
        self._globalns = globalns
        self._pending = pending

    def __getitem__(self, key: str) -> Any:
        if key in self._local:
            return self._local[key]
        if self._pending and key not in self._globalns and not hasattr(builtins, key):
            return pending_type(key)
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._local)

    def __len__(self) -> int:
        return len(self._local)


class Context:
    """Where an annotation comes from, for name resolution and for error messages."""

    def __init__(self, owner: str, field: str, globalns: Mapping[str, Any], localns: Namespace) -> None:
        self.owner = owner
        self.field = field
        self.globalns = globalns
        self.localns = localns

    def error(self, what: str) -> SchemaError:
        return SchemaError(f"{self.owner}.{self.field}: {what}")

    def evaluate(self, tp: object) -> object:
        """Evaluate a string or ForwardRef annotation; other objects pass through."""
        if isinstance(tp, ForwardRef):
            tp = tp.__forward_arg__
        if not isinstance(tp, str):
            return tp
        try:
            return eval(tp, dict(self.globalns), self.localns)  # noqa: S307 - annotations are code
        except NameError as exc:
            raise self.error(f"cannot resolve {tp!r}: {exc}") from None
        except Exception as exc:
            raise self.error(f"cannot evaluate annotation {tp!r}: {exc}") from None
