"""Decoded ddl messages shown to a person (``ddl decode --type``), as indented text or as JSON.

Both forms read the Python values that ``ddl.decode`` returns, so they show exactly what a
program would see: every field, zero values included.
"""

from __future__ import annotations

import base64
import enum
import json
import math
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from .._message import Message
from .._nanotime import total_ns
from ._raw import raw_lines


def message_lines(msg: Message) -> Iterator[str]:
    """``msg`` as indented text: one field per line, nested messages indented, list items by
    index, map entries by key, enums by name, datetimes in ISO 8601, bytes as Python literals,
    and the unknown fields it kept, as ``protoc --decode_raw`` shows them.

    Example::

        >>> print("\\n".join(message_lines(User(id=1, name="Ada", tags=["x"]))))
        User {
          id: 1
          name: 'Ada'
          tags: [
            [0]: 'x'
          ]
        }
    """
    return _lines("", msg, 0)


def _lines(label: str, value: object, depth: int) -> Iterator[str]:
    pad = "  " * depth
    if isinstance(value, Message):
        yield f"{pad}{label}{type(value).__qualname__} {{"
        for f in _fields(value):
            yield from _lines(f"{f}: ", getattr(value, f), depth + 1)
        unknown: bytes | None = getattr(value, "_ddl_unknown", None)
        if unknown:
            yield f"{pad}  unknown fields {{"
            yield from raw_lines(unknown, indent=depth + 2)
            yield f"{pad}  }}"
        yield f"{pad}}}"
    elif isinstance(value, (list, tuple)):
        yield from _container(pad, label, "[]", [(f"[{i}]: ", item) for i, item in enumerate(value)], depth)
    elif isinstance(value, (set, frozenset)):
        yield from _container(pad, label, "{}", [("", item) for item in sorted(value, key=repr)], depth)
    elif isinstance(value, dict):
        yield from _container(pad, label, "{}", [(f"{_scalar(k)}: ", v) for k, v in value.items()], depth)
    else:
        yield f"{pad}{label}{_scalar(value)}"


def _container(pad: str, label: str, brackets: str, items: list[tuple[str, object]], depth: int) -> Iterator[str]:
    if not items:
        yield f"{pad}{label}{brackets}"
        return
    yield f"{pad}{label}{brackets[0]}"
    for item_label, item in items:
        yield from _lines(item_label, item, depth + 1)
    yield f"{pad}{brackets[1]}"


def _fields(msg: Message) -> list[str]:
    return [f.name for f in type(msg).__ddl__.spec.fields]


def _scalar(value: object) -> str:
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return _duration(value)
    if isinstance(value, (Decimal, UUID)):
        return str(value)
    return repr(value)


def _iso(value: datetime) -> str:
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _duration(value: timedelta) -> str:
    """protobuf's JSON form of a Duration: seconds, with 3, 6 or 9 decimals when needed."""
    ns = total_ns(value)
    sign = "-" if ns < 0 else ""
    seconds, nanos = divmod(abs(ns), 1_000_000_000)
    if nanos == 0:
        return f"{sign}{seconds}s"
    digits = 3 if nanos % 1_000_000 == 0 else 6 if nanos % 1000 == 0 else 9
    return f"{sign}{seconds}.{nanos // 10 ** (9 - digits):0{digits}d}s"


def message_json(msg: Message) -> dict[str, Any]:
    """``msg`` as JSON-ready values, in the spirit of protobuf's JSON mapping: enums by name,
    bytes in base64, timestamps in RFC 3339, durations as ``"1.5s"``, NaN and infinities as
    strings. Unknown fields are left out.

    Example::

        >>> json.dumps(message_json(User(id=1, name="Ada")))
        '{"id": 1, "name": "Ada", "tags": []}'
    """
    return {name: _json(getattr(msg, name)) for name in _fields(msg)}


def _json(value: object) -> Any:
    if isinstance(value, Message):
        return message_json(value)
    if isinstance(value, enum.Enum):
        return value.name
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, (list, tuple)):
        return [_json(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_json(item) for item in value), key=lambda item: json.dumps(item, sort_keys=True))
    if isinstance(value, dict):
        return {_json_key(k): _json(v) for k, v in value.items()}
    return _scalar(value)


def _json_key(key: object) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)
