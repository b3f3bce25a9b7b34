"""Extensions in JSON, as protobuf's ``json_format`` has them: ``"[full.name]": value``.

A ``ddl.Extension`` keeps its value among the message's unknown fields, in its binary form. The
writer decodes each known extension found there into the extension's holder (a message of one
field, ``value``) and writes the holder's value under ``[name]``, after the message's fields, by
number. The reader takes each ``[name]`` key that no field claims, reads its value as the
holder's, and keeps the holder's bytes as the unknown fields, as decoding the binary form would.
Only the extensions alive for the class (``ddl._extensions.extensions_of``) are known.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, TypeVar

from .. import _compiled
from .._api import decode_with, encode_with
from .._errors import DecodeError, EncodeError
from .._extensions import Extension, extensions_of
from ._options import WriteOptions

_E = TypeVar("_E", EncodeError, DecodeError)


def write_extensions(msg: Any, out: dict[str, Any], options: WriteOptions) -> None:
    """Add to ``out`` the ``"[name]"`` key of each known extension set in ``msg``'s unknown fields.
    Bytes that are no value of the extension are an ``EncodeError``, as they cannot be written."""
    from ._write import write_value

    for ext in extensions_of(type(msg)):
        try:
            data = ext._occurrences(msg)
            if not data:
                continue
            holder = decode_with(_compiled.state.compiled, data, ext._holder)
        except DecodeError as exc:
            error = EncodeError(f"its bytes are no value of the extension: {exc.message}")
            raise _located(ext, exc, error, msg) from None
        value = holder.value  # type: ignore[attr-defined]
        if value is None or (ext.repeated and not value):  # an empty packed run: protobuf lists nothing
            continue
        try:
            out[f"[{ext.name}]"] = write_value(holder, options)["value"]
        except EncodeError as exc:
            raise _located(ext, exc, EncodeError(exc.message), msg) from None


def leftover(
    obj: dict[str, Any], known: Collection[str], ignore: bool, what: str, cls: type | None, reg: Any, budget: int
) -> bytes | None:
    """The keys of ``obj`` that name no field of ``what`` (the message class ``cls``, or None for a
    wrapper): the binary form of its extensions among them, or None. Any other key is an error
    unless ``ignore`` (``ignore_unknown_fields``)."""
    by_name = {f"[{ext.name}]": ext for ext in extensions_of(cls)} if cls is not None else {}
    found: list[tuple[int, bytes]] = []
    for key, value in obj.items():
        if key in known:
            continue
        ext = by_name.get(key)
        if ext is not None:
            found.append((ext.number, _read_extension(ext, value, ignore, reg, budget)))
        elif not ignore:
            err = DecodeError(f"{what} has no field named {key!r}")
            err._push(f".{key}")
            raise err
    found.sort(key=lambda item: item[0])  # as protobuf writes extensions: by number
    return b"".join(data for _, data in found) or None


def _read_extension(ext: Extension[Any, Any], value: Any, ignore: bool, reg: Any, budget: int) -> bytes:
    """The binary form of the JSON ``value`` of ``ext`` (null, as for a field, is absence)."""
    from ._read import reader_for

    try:
        holder = reader_for(ext._holder)({"value": value}, ignore, reg, budget)
        return encode_with(_compiled.state.compiled, holder)
    except (DecodeError, EncodeError) as exc:
        raise _located(ext, exc, DecodeError(exc.message), None) from None


def _located(ext: Extension[Any, Any], cause: EncodeError | DecodeError, error: _E, msg: Any) -> _E:
    """``error`` with ``cause``'s path under ``.[name]`` (the holder's ``.value`` replaced), and
    for the writer's errors, ``msg`` as the value being written (see ``_write_errors``)."""
    ext._located(cause, error)
    if msg is not None:
        error._json_holder = msg  # type: ignore[attr-defined]
    return error
