"""Where a JSON text holds an integer longer than Python converts, for the error that names it.

``json.loads`` turns each integer literal into an ``int``, and CPython refuses one of more than
``sys.get_int_max_str_digits()`` digits (4,300 unless changed) with a ValueError that says
neither where it is nor which field holds it. No field can hold such a number (the widest
integer is 64 bits, and a double's largest finite value has 309 digits), so the text is
rejected either way; this module only finds the place, after the fact, for ``parse_text``.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from .._errors import DecodeError


class _Digits(str):
    """An integer literal too long to convert, kept as its text where ``json.loads`` puts it."""


def _int_or_digits(literal: str) -> int | _Digits:
    try:
        return int(literal)
    except ValueError:
        return _Digits(literal)


# A JSON string (skipped whole, so digits inside one are not taken for a number) or a number.
_STRING_OR_NUMBER = re.compile(r'"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?')


def _first_long(value: Any) -> tuple[list[str], _Digits] | None:
    """The path segments of the first too-long integer in ``value``, in the text's order, and it."""
    stack: list[tuple[Any, list[str]]] = [(value, [])]
    while stack:
        item, segments = stack.pop()
        if isinstance(item, _Digits):
            return segments, item
        if type(item) is dict:
            # the text's own keys: a member where it may be a field's name, as ddl's paths
            # name fields, and a map's key in brackets otherwise (which dict is which is the
            # schema's to say, and the schema is not read here)
            members = [(f".{key}" if key.isidentifier() else f"[{key!r}]", v) for key, v in item.items()]
            stack.extend((v, [*segments, k]) for k, v in reversed(members))
        elif type(item) is list:
            stack.extend((v, [*segments, f"[{i}]"]) for i, v in reversed(list(enumerate(item))))
    return None


def long_number_error(text: str, hooks: dict[str, Any]) -> DecodeError | None:
    """The error for the first integer of ``text`` longer than Python converts: its path and
    its offset in ``text`` (characters), or None when ``text`` has none or fails in another way
    too (the ValueError that ``json.loads`` raised with ``hooks`` is then the caller's to give).

    Example::

        err = long_number_error('{"id": ' + "9" * 5000 + "}", {})
        assert err is not None and err.path == "$.id" and err.offset == 7
    """
    try:
        value = json.loads(text, parse_int=_int_or_digits, **hooks)
    except Exception:  # noqa: BLE001 - past the long integer, the text fails otherwise (a key
        # given twice, a syntax error): the caller's error stands, without a place
        return None
    found = _first_long(value)
    if found is None:
        return None
    segments, literal = found
    offset = next((m.start() for m in _STRING_OR_NUMBER.finditer(text) if m.group() == literal), None)
    count = len(literal.lstrip("-"))
    err = DecodeError(
        f"a number of {count} digits, more than any field holds (Python converts integers of at most "
        f"{sys.get_int_max_str_digits()} digits)",
        offset,
    )
    for segment in reversed(segments):
        err._push(segment)
    return err
