"""Generating ``__init__`` for a message class, as dataclasses and attrs do."""

from __future__ import annotations

from typing import Any

from .._schema import ClassSpec
from .._types import MISSING
from ._source import Builder, compile_source


def make_init(cls: type, spec: ClassSpec) -> Any:
    b = Builder()
    b.globs["_MISSING"] = MISSING
    b.globs["_setattr"] = object.__setattr__
    params, body = ["_self"], []
    keyword_only = spec.kw_only
    if keyword_only and spec.fields:
        params.append("*")
    for f in spec.fields:
        if f.factory is not None:
            params.append(f"{f.name}={b.ref(MISSING, 'M')}")
            value = f"{b.ref(f.factory, 'factory')}() if {f.name} is _MISSING else {f.name}"
        elif f.default is not MISSING:
            params.append(f"{f.name}={b.ref(f.default, 'default')}")
            value = f.name
        else:
            params.append(f.name)
            value = f.name
        body.append(_assign(spec.frozen, f.name, value))
    body.append(_assign(spec.frozen, "_ddl_unknown", "None"))
    b.line(0, f"def __init__({', '.join(params)}):")
    for line in body:
        b.line(1, line)
    compile_source("init", f"{cls.__module__}.{cls.__qualname__}", b.source(), b.globs)
    init = b.globs["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


def _assign(frozen: bool, name: str, value: str) -> str:
    # A frozen class forbids setattr, so its constructor goes around __setattr__.
    return f"_setattr(_self, {name!r}, {value})" if frozen else f"_self.{name} = {value}"
