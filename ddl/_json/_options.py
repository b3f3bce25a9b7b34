"""The options of the JSON mapping, as protobuf's ``json_format`` names them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WriteOptions:
    """The options of ``to_dict``/``to_json``."""

    preserving_proto_field_name: bool = False
    always_print_fields_with_no_presence: bool = False
    use_integers_for_enums: bool = False


@dataclass(frozen=True)
class ReadOptions:
    """The options of ``from_dict``/``from_json``."""

    ignore_unknown_fields: bool = False
