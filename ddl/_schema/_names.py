"""The names a field has outside Python: its .proto name (one per oneof member) and its JSON name.

The plan records them (``FieldPlan.proto_names``, ``FieldPlan.json_names``) so that every
executor and ``ddl proto`` agree. A field's .proto name is its Python name; a union's members are
``<field>_<type>`` (``payment_card``), unless ``ddl.field(names=...)`` gives them. A JSON name is
protobuf's lowerCamelCase of the .proto name (``order_id`` -> ``orderId``), unless
``ddl.field(json_name=...)`` gives it, as a .proto's ``[json_name = "..."]`` does.

Example::

    assert json_name_of("order_id") == "orderId"
    assert snake("OrderStatus") == "order_status"
"""

from __future__ import annotations

import re


def upper_snake(name: str) -> str:
    """``OrderStatus`` -> ``ORDER_STATUS``, the usual prefix of an enum's values."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).upper()


def snake(name: str) -> str:
    """``OrderStatus`` -> ``order_status``."""
    return upper_snake(name).lower()


def json_name_of(name: str) -> str:
    """protoc's default JSON name: each underscore dropped and the letter after it capitalized."""
    out: list[str] = []
    upper_next = False
    for char in name:
        if char == "_":
            upper_next = True
        elif upper_next:
            out.append(char.upper())
            upper_next = False
        else:
            out.append(char)
    return "".join(out)
