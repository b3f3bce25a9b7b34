"""Generating ``__init__`` for a message class, as dataclasses and attrs do."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._schema import ClassSpec
from .._types import MISSING
from ._source import Builder, compile_source, slot_setter


def make_init(cls: type, spec: ClassSpec, slot_filler: Callable[..., Any] | None = None) -> Any:
    """The ``__init__`` of a message class: Python parses the arguments, applies defaults and
    runs factories; the values are then stored by one call of the compiled engine's filler
    (``slot_filler``, see ddl_init.h) when it is built, else one assignment each."""
    b = Builder()
    b.globs["_MISSING"] = MISSING
    params, values = ["_self"], []
    keyword_only = spec.kw_only
    if keyword_only and spec.fields:
        params.append("*")
    for f in spec.fields:
        if f.factory is not None:
            params.append(f"{f.name}={b.ref(MISSING, 'M')}")
            values.append(f"{b.ref(f.factory, 'factory')}() if {f.name} is _MISSING else {f.name}")
        elif f.default is not MISSING:
            params.append(f"{f.name}={b.ref(f.default, 'default')}")
            values.append(f.name)
        else:
            params.append(f.name)
            values.append(f.name)
    names = [f.name for f in spec.fields] + ["_ddl_unknown"]
    values.append("None")
    b.line(0, f"def __init__({', '.join(params)}):")
    if slot_filler is not None:
        fill = b.ref(slot_filler(cls, tuple(names), spec.frozen), "fill")
        b.line(1, f"{fill}(_self, {', '.join(values)})")
    else:
        for name, value in zip(names, values, strict=True):
            b.line(1, _assign(b, cls, spec.frozen, name, value))
    compile_source("init", f"{cls.__module__}.{cls.__qualname__}", b.source(), b.globs)
    init = b.globs["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


def _assign(b: Builder, cls: type, frozen: bool, name: str, value: str) -> str:
    # A frozen class forbids setattr, so its constructor stores through the slot itself.
    return f"{b.ref(slot_setter(cls, name), 'set')}(_self, {value})" if frozen else f"_self.{name} = {value}"
