"""Writing a message as its proto3 JSON value (plain Python values).

Each class gets a generated ``write(obj, opt)`` per combination of the options that change
code (``_write_source``), made on first use and kept on its Binding (``json_write``, a dict by
``Variant.key``). As the Python engine does, the writers of a schema are all compiled before any
is published, so recursive schemas link up and another thread never runs a half-linked one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._binding import Binding
from .._errors import EncodeError
from .._linker import Linker
from .._message import Message
from .._pyengine._source import Builder, compile_source
from .._schema import plan_for
from ._options import WriteOptions
from ._write_source import Variant, WriterSource
from ._write_wkt import SPECIAL

Writer = Callable[[Any, WriteOptions], dict[str, Any]]

_VARIANTS = {v.key: v for v in (Variant(bool(k & 1), bool(k & 2), bool(k & 4)) for k in range(8))}


def _publish(built: tuple[type, int], write: Writer) -> None:
    cls, key = built
    binding: Binding = cls.__dict__["__ddl__"]
    # A new dict each time: readers take the dict without the lock.
    binding.json_write = {**(binding.json_write or {}), key: write}


# Writers, by (class, options key), are published all at once when the outermost one is linked.
_linker: Linker[tuple[type, int], Writer] = Linker(_publish)


def write_dict(msg: Any, options: WriteOptions) -> dict[str, Any]:
    """The JSON object of ``msg`` (for ddl.wkt's wrappers, Value, ListValue and FieldMask, the
    special JSON value protobuf gives them, which is no object)."""
    binding = msg.__class__.__dict__.get("__ddl__") if isinstance(msg, Message) else None
    if binding is None:
        raise EncodeError(f"expected a ddl.Message, got {type(msg).__name__}")
    writers = binding.json_write
    if writers is not None:  # the class's writers exist, so it is no special form
        key = (
            options.preserving_proto_field_name
            | options.always_print_fields_with_no_presence << 1
            | options.use_integers_for_enums << 2
        )
        write = writers.get(key)
        if write is not None:
            written: dict[str, Any] = write(msg, options)
            return written
    return write_value(msg, options)  # type: ignore[no-any-return]


def write_value(msg: Any, options: WriteOptions) -> Any:
    """The JSON value of the message ``msg``."""
    cls = type(msg)
    special = SPECIAL.get(cls)
    if special is not None:
        try:
            return special(msg, options)
        except EncodeError:
            raise
        except (TypeError, ValueError) as e:
            raise EncodeError(str(e)) from None
    key = (
        options.preserving_proto_field_name
        | options.always_print_fields_with_no_presence << 1
        | options.use_integers_for_enums << 2
    )
    binding: Binding = cls.__dict__["__ddl__"]
    writers = binding.json_write
    write = writers.get(key) if writers is not None else None
    if write is None:
        write = writer_for(cls, key)
    return write(msg, options)


def writer_for(cls: type, key: int) -> Writer:
    """The JSON writer of ``cls`` for the options ``key``, compiled (with every writer it
    refers to) on first use, and published once linked (see ddl._linker)."""
    binding: Binding = cls.__dict__["__ddl__"]
    return _linker.get((cls, key), lambda: (binding.json_write or {}).get(key), lambda: _compile(cls, key))


def _compile(cls: type, key: int) -> Writer:
    plan = plan_for(cls)
    deps: list[tuple[str, type]] = []
    b = Builder()
    source = WriterSource(b, deps, _VARIANTS[key]).message(plan)
    compile_source(f"json write {key}", f"{cls.__module__}.{cls.__qualname__}", source, b.globs)
    write: Writer = b.globs["write"]
    # Registered before linking: a class that refers back to this one finds its writer.
    _linker.building[(cls, key)] = write
    for name, dep in deps:
        b.globs[name] = writer_for(dep, key)
    return write
