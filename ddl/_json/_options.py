"""The options of the JSON mapping, as protobuf's ``json_format`` names them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: Full proto type names (``"shop.Order"``, without ``type.googleapis.com/``) to the ddl classes
#: that a ``google.protobuf.Any`` (``ddl.wkt.Any``) may hold, for its JSON form.
Registry = Mapping[str, Any]


@dataclass(frozen=True)
class WriteOptions:
    """The options of ``to_dict``/``to_json``."""

    preserving_proto_field_name: bool = False
    always_print_fields_with_no_presence: bool = False
    use_integers_for_enums: bool = False
    registry: Registry = field(default_factory=dict)


@dataclass(frozen=True)
class ReadOptions:
    """The options of ``from_dict``/``from_json``."""

    ignore_unknown_fields: bool = False
    registry: Registry = field(default_factory=dict)
