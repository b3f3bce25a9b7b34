"""A .proto's ``[default = ...]`` as the Python literal of ``ddl.field(proto_default=...)``.

protoc hands defaults over as text (``FieldDescriptorProto.default_value``): numbers in decimal,
``inf``, ``-inf`` and ``nan`` for floats, ``true``/``false``, a string's text as is, bytes with C
escapes, and an enum value's name. Bytes are read back through protobuf's own descriptor, which
undoes those escapes; the rest is read here.

Example::

    assert literal(TYPE_DOUBLE, "-inf", None) == 'float("-inf")'
    assert literal(TYPE_BOOL, "true", None) == "True"
"""

from __future__ import annotations

import math
import re

TYPE_DOUBLE, TYPE_FLOAT, TYPE_BOOL, TYPE_STRING, TYPE_BYTES, TYPE_ENUM = 1, 2, 8, 9, 12, 14
_NAMED = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
# ", name=" inside a literal would read as the next keyword argument where the generated
# ddl.field(...) call is wrapped over several lines (``_render._render_field``).
_KEYWORD_LIKE = re.compile(r", (?=\w+=)")


def literal(kind: int, text: str, resolved: object) -> str:
    """The Python expression of a scalar default: ``kind`` is the field's type number, ``text``
    protoc's ``default_value`` and ``resolved`` protobuf's own reading of it (used for bytes)."""
    if kind in (TYPE_DOUBLE, TYPE_FLOAT):
        return _float(float(text))
    if kind == TYPE_BOOL:
        return "True" if text == "true" else "False"
    if kind == TYPE_STRING:
        return _unmistakable('"' + "".join(_char(ch) for ch in text) + '"')
    if kind == TYPE_BYTES:
        assert isinstance(resolved, bytes)
        body = "".join(_char(chr(b)) if 32 <= b < 127 or chr(b) in _NAMED else f"\\x{b:02x}" for b in resolved)
        return _unmistakable(f'b"{body}"')
    assert kind != TYPE_ENUM, "enum defaults name a member of their class"
    return str(int(text))


def _unmistakable(source: str) -> str:
    """A string literal with the space of each ", name=" inside it written as an escape."""
    return _KEYWORD_LIKE.sub(lambda _: ",\\x20", source)


def _float(value: float) -> str:
    if math.isnan(value):
        return 'float("nan")'
    if math.isinf(value):
        return 'float("inf")' if value > 0 else 'float("-inf")'
    return repr(value)


def _char(ch: str) -> str:
    if ch in _NAMED:
        return _NAMED[ch]
    if ch.isprintable():
        return ch
    return repr(ch)[1:-1]  # \x00, \u2028...: Python's own escape
