"""Compiling generated source the way attrs does: real filenames in linecache, objects via globals."""

from __future__ import annotations

import itertools
import linecache
from typing import Any

_SOURCES: dict[str, str] = {}
_counter = itertools.count()


def compile_source(kind: str, qualname: str, source: str, globs: dict[str, Any]) -> str:
    """Execute ``source`` in ``globs`` and register it so tracebacks show the generated lines.

    Returns the pseudo-filename, such as ``<ddl generated encode pkg.User>``.
    """
    filename = f"<ddl generated {kind} {qualname}>"
    if filename in _SOURCES and _SOURCES[filename] != source:
        # Two classes with one qualified name (redefined in a test, say) keep both sources.
        filename = f"<ddl generated {kind} {qualname} #{next(_counter)}>"
    code = compile(source, filename, "exec")
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    _SOURCES[filename] = source
    exec(code, globs)  # noqa: S102 - this is the code generator
    return filename


def source_of(filename: str) -> str:
    return _SOURCES[filename]


class Builder:
    """Accumulates lines of generated source, with fresh names for the objects it refers to."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.globs: dict[str, Any] = {}
        self._names = itertools.count()
        self._by_id: dict[int, str] = {}

    def line(self, indent: int, text: str) -> None:
        self.lines.append("    " * indent + text)

    def ref(self, obj: object, hint: str) -> str:
        """The global name under which generated code sees ``obj`` (one name per object)."""
        key = id(obj)
        if key not in self._by_id:
            name = f"_{hint}{next(self._names)}"
            self.globs[name] = obj
            self._by_id[key] = name
        return self._by_id[key]

    def fresh(self, hint: str) -> str:
        return f"{hint}{next(self._names)}"

    def source(self) -> str:
        return "\n".join(self.lines) + "\n"


def slot_setter(cls: type, name: str) -> Any:
    """The ``__set__`` of the slot ``name`` of message class ``cls``: it stores a value past any
    ``__setattr__`` (a frozen class's, which refuses, and ddl's C one, which refuses
    ``object.__setattr__``), as decoders and frozen constructors must."""
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass.__dict__[name].__set__
    raise AssertionError(f"{cls.__qualname__} has no slot {name}")
