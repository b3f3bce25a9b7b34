"""Reading a message from its proto3 JSON: the text through the ``json`` module (``parse_text``),
then the value through the class's generated reader (``read_dict``).

Each class gets ``read(obj, ign, reg, budget)`` on first use (``_read_source`` writes it from
the plan), published on its Binding as ``json_read`` once it and every reader it calls are
compiled and linked, as the Python engine publishes its codecs. The ``ddl.wkt`` classes with a
special JSON form have hand-written readers instead (``_read_wkt``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

from .._binding import Binding, binding_of
from .._errors import DecodeError
from .._limits import DEFAULT_MAX_DEPTH
from .._linker import Linker
from .._message import Message
from .._proto2 import check_required
from .._pyengine._source import Builder, compile_source
from .._schema import plan_for
from ._long_numbers import long_number_error
from ._options import ReadOptions
from ._read_source import ReaderSource
from ._read_values import has_surrogate
from ._read_wkt import special

M = TypeVar("M", bound=Message)
Reader = Callable[[Any, bool, Any, int], Any]

# A \u escape of a UTF-16 surrogate, which may be a lone one: only then are the strings walked.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _publish(cls: type, read: Reader) -> None:
    cls.__dict__["__ddl__"].json_read = read


# Readers are published all at once, when the outermost one is linked (see ddl._linker).
_linker: Linker[type, Reader] = Linker(_publish)


class _Duplicate(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Duplicate(key)
            seen.add(key)
    return obj


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON (protobuf writes the string {'-Infinity' if name[0] == '-' else name!r})")


_HOOKS: dict[str, Any] = {"object_pairs_hook": _no_duplicates, "parse_constant": _no_constant}


def parse_text(data: str | bytes) -> Any:
    """The JSON value of ``data`` (UTF-8 if bytes), as plain Python values. Invalid JSON, a key
    given twice in one object, a bare NaN or Infinity, and a ``\\ud800`` escape that pairs with
    nothing are ``DecodeError`` with the offset (in bytes for bytes, characters for text), as is
    an integer too long for Python to convert, with its path too.

    Example::

        assert parse_text(b'{"id": "7"}') == {"id": "7"}
    """
    if isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise DecodeError(f"the JSON is not UTF-8: {e.reason}", e.start) from None
    elif isinstance(data, str):
        raw, text = None, data
    else:
        raise TypeError(f"JSON text is str or bytes, not {type(data).__name__}")
    try:
        value = json.loads(text, **_HOOKS)
    except json.JSONDecodeError as e:
        raise DecodeError(f"invalid JSON: {e.msg}", _offset(raw, text, e.pos)) from None
    except _Duplicate as e:
        raise DecodeError(f"invalid JSON: the key {e.key!r} is given twice in one object") from None
    except ValueError as e:
        long = long_number_error(text, _HOOKS)
        if long is None:
            raise DecodeError(f"invalid JSON: {e}") from None
        if long.offset is not None:
            long.offset = _offset(raw, text, long.offset)
        raise long from None
    except RecursionError:
        raise DecodeError("invalid JSON: nested too deeply") from None
    if _SURROGATE_ESCAPE.search(text) and has_surrogate(_escaped_text(value)):
        raise DecodeError("invalid JSON: a \\u escape is an unpaired surrogate, which is not Unicode text")
    return value


def _escaped_text(value: Any) -> str:
    """Every string and key in ``value``, joined: where a lone surrogate would show."""
    parts: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if type(item) is str:
            parts.append(item)
        elif type(item) is dict:
            parts.extend(item)
            stack.extend(item.values())
        elif type(item) is list:
            stack.extend(item)
    return "".join(parts)


def _offset(raw: bytes | None, text: str, pos: int) -> int:
    return pos if raw is None else len(text[:pos].encode("utf-8"))


def read_dict(obj: Any, cls: type[M], options: ReadOptions) -> M:
    """The message of class ``cls`` that ``obj`` (a JSON value as plain Python values) holds.

    Example::

        user = read_dict({"id": "7"}, User, ReadOptions())
    """
    if binding_of(cls) is None:
        raise TypeError(f"expected a ddl.Message subclass, got {cls!r}")
    read = reader_for(cls)
    try:
        msg: M = read(obj, options.ignore_unknown_fields, options.registry, DEFAULT_MAX_DEPTH)
    except RecursionError:
        raise DecodeError("the JSON nests values too deeply") from None
    if plan_for(cls).reaches_required:
        try:
            check_required(msg, 0)
        except DecodeError as e:
            e.offset = None
            raise
    return msg


def reader_for(cls: type) -> Reader:
    """The JSON reader of a message class, compiled (with what it calls) on first use and
    published on its Binding (``__ddl__.json_read``) once linked (see ddl._linker)."""
    binding: Binding = cls.__dict__["__ddl__"]
    read: Reader | None = binding.json_read
    if read is not None:
        return read
    return _linker.get(cls, lambda: binding.json_read, lambda: _compile(cls))


def _compile(cls: type) -> Reader:
    found = special(cls)
    if found is not None:
        _linker.building[cls] = found
        return found
    plan = plan_for(cls)
    deps: list[tuple[str, type]] = []
    b = Builder()
    source = ReaderSource(b, deps).message(plan)
    compile_source("json_read", f"{cls.__module__}.{cls.__qualname__}", source, b.globs)
    read: Reader = b.globs["read"]
    _linker.building[cls] = read  # registered before linking: a class that refers back finds it
    for name, dep in deps:
        b.globs[name] = reader_for(dep)
    return read
