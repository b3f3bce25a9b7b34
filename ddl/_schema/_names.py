"""The names a field has outside Python: its .proto name (one per oneof member) and its JSON name.

The plan records them (``FieldPlan.proto_names``, ``FieldPlan.json_names``) so that every
executor and ``ddl proto`` agree. A field's .proto name is its Python name; a union's members are
``<field>_<type>`` (``payment_card``), unless ``ddl.field(names=...)`` gives them. A JSON name is
protobuf's lowerCamelCase of the .proto name (``order_id`` -> ``orderId``), unless
``ddl.field(json_name=...)`` gives it, as a .proto's ``[json_name = "..."]`` does.

An enum's values have names too (``EnumNode.value_numbers``, ``EnumNode.value_names``): each
member's name as written, except where ``ddl gen`` had to add a trailing underscore to a .proto
value Python or ``enum`` keeps for itself (``class_`` is ``class``, ``_x__`` is ``_x_``), and, for
an open enum without a 0 member, ``<ENUM>_UNSPECIFIED`` for 0 (the value ``ddl proto`` adds, as
proto3 needs one). So ``ddl gen`` then ``ddl proto`` gives back a .proto's value names, and proto3
JSON writes the names the .proto has.

Example::

    assert json_name_of("order_id") == "orderId"
    assert snake("OrderStatus") == "order_status"
    assert enum_value_name("None_") == "None"
"""

from __future__ import annotations

import enum
import keyword
import re
from collections.abc import Collection


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


def enum_value_name(member: str, members: Collection[str] = ()) -> str:
    """An enum member's .proto name: as written, less the trailing underscore that ``ddl gen``
    adds to a keyword (``None_``), ``mro`` (``mro_``) or a sunder name (``_x__``), which Python
    or ``enum`` would not take as a member's name. Only those exact shapes lose it, and only
    when no other member of ``members`` has the shorter name already."""
    base = member[:-1]
    if member.endswith("_") and (keyword.iskeyword(base) or base == "mro" or _is_sunder(base)) and base not in members:
        return base
    return member


def _is_sunder(name: str) -> bool:
    """``_x_``: a name ``enum`` keeps for itself (one underscore each side, as ``enum`` decides)."""
    return len(name) > 2 and name[0] == name[-1] == "_" and name[1] != "_" and name[-2] != "_"


def enum_value_numbers(cls: type[enum.IntEnum], closed: bool) -> dict[str, int]:
    """Every .proto value name of an enum and its number, aliases included, in the order the
    .proto lists them: the members as declared, except that an open enum's 0 comes first (as
    proto3 needs), ``<ENUM>_UNSPECIFIED`` when it has no 0 member (``_2`` appended if a member
    has that name). A closed enum keeps its order: its first value is what absent reads as."""
    named = {enum_value_name(name, cls.__members__): int(member) for name, member in cls.__members__.items()}
    if closed or 0 in named.values():
        return named if closed else dict(sorted(named.items(), key=lambda item: item[1] != 0))
    zero = base = upper_snake(cls.__name__) + "_UNSPECIFIED"
    suffix = 2
    while zero in named:  # a member has the name already (for another number)
        zero, suffix = f"{base}_{suffix}", suffix + 1
    return {zero: 0, **named}


def package_for(module: str) -> str:
    """The default package of a module's classes: its dotted name, made of valid identifiers.

    Example::

        assert package_for("shop.models") == "shop.models"
        assert package_for("__main__") == "main"
    """
    parts = []
    for part in module.split("."):
        word = "".join(c if c.isascii() and (c.isalnum() or c == "_") else "_" for c in part).strip("_")
        if word:
            parts.append("p" + word if word[0].isdigit() else word)
    return ".".join(parts)
