"""Turning annotations (objects, strings, forward references) into Python types.

A class is checked when it is created, before the names it refers to may exist (a recursive
``list["Node"]``, or a class defined further down the module). At that point unknown names
resolve to placeholder classes, which are enough to check the shape of every annotation and to
number the fields. The full resolution happens on first use, when every name is defined.
"""

from __future__ import annotations

import ast
import builtins
import functools
import operator
from collections.abc import Iterator, Mapping
from types import CodeType
from typing import Any, ForwardRef, Optional, Union, get_origin

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
        if key in _HELPERS:  # called by the compiled annotation, never a placeholder
            return _HELPERS[key]
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
            return eval(_compile(tp), dict(self.globalns), self.localns)  # noqa: S307 - annotations are code
        except NameError as exc:
            raise self.error(f"cannot resolve {tp!r}: {exc}") from None
        except Exception as exc:  # noqa: BLE001 - an annotation is code: whatever it raises is a SchemaError
            raise self.error(f"cannot evaluate annotation {tp!r}: {exc}") from None


# A union's members take field numbers in the order they are written, but typing caches
# Union[...] under an equality that ignores order: with a typing form among the members
# (ddl.int32 is an Annotated alias), ``A | B | None`` or ``Optional[A | B]`` can return the union
# some other annotation built first as ``B | A | None``. So an annotation string is compiled
# with each ``|`` chain and each Union[...] or Optional[...] going through the helpers below,
# which rebuild the union from the members as written. The function beneath typing's cache
# builds it afresh; where there is none, a flat key is at least compared in order.
_UNION: Any = Union
_uncached_union = getattr(getattr(type(_UNION), "__getitem__", None), "__wrapped__", None)


def _union(members: tuple[Any, ...]) -> Any:
    return _UNION[members] if _uncached_union is None else _uncached_union(_UNION, members)


def _or(*operands: Any) -> Any:
    # The operator runs first, so its errors and its meaning for values other than types stay.
    result = functools.reduce(operator.or_, operands)
    return _union(operands) if get_origin(result) is Union else result


def _subscript(form: Any, key: Any) -> Any:
    result = form[key]  # for its errors: Optional takes a single type
    if form is Union:
        return _union(key if isinstance(key, tuple) else (key,))
    if form is Optional:
        return _union((key, None))
    # typing.List[...], Annotated[...] and the like are cached the same way: an equal key with a
    # union inside in another order would hand back that other order.
    uncached = _uncached_subscript(form)
    return result if uncached is None else uncached(form, key)


def _uncached_subscript(form: Any) -> Any:
    wrapped = getattr(getattr(type(form), "__getitem__", None), "__wrapped__", None)
    if wrapped is None and isinstance(form, type):
        wrapped = getattr(getattr(form.__dict__.get("__class_getitem__"), "__func__", None), "__wrapped__", None)
    return wrapped


_HELPERS = {"__ddl_or__": _or, "__ddl_subscript__": _subscript}


class _WrittenOrder(ast.NodeTransformer):
    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        if not isinstance(node.op, ast.BitOr):
            return self.generic_visit(node)
        operands: list[ast.expr] = []
        chain: ast.expr = node
        while isinstance(chain, ast.BinOp) and isinstance(chain.op, ast.BitOr):
            operands.append(chain.right)
            chain = chain.left
        operands.append(chain)
        return _call("__ddl_or__", [self.visit(o) for o in reversed(operands)], node)

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        self.generic_visit(node)
        return _call("__ddl_subscript__", [node.value, node.slice], node)


def _call(helper: str, args: list[ast.expr], at: ast.expr) -> ast.Call:
    return ast.copy_location(ast.Call(ast.Name(helper, ast.Load()), args, []), at)


@functools.lru_cache(maxsize=1024)
def _compile(source: str) -> CodeType:
    # eval() skips leading blanks in a string, and compile() does not.
    tree = ast.parse(source.lstrip(" \t"), "<string>", "eval")
    return compile(ast.fix_missing_locations(_WrittenOrder().visit(tree)), "<string>", "eval")
