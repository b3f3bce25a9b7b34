"""msgspec's MessagePack with typed Structs: its fastest form.

Not protobuf wire, so its bytes are not compared with ddl's. The Structs use
``array_like=True`` (a struct is a msgpack array, not a map with field names), msgspec's
fastest and most compact layout; everything else is msgspec's default (including ``gc=True``).

JSON is ``msgspec.json.encode`` and ``msgspec.json.Decoder(type).decode`` on a second set of the
same Structs without ``array_like`` (``Json*``): a struct is a JSON object of field names, as in
protobuf's JSON mapping. msgspec's JSON is its own: int64 are numbers (not strings), enums are
ints (not names), field names stay snake_case, and every field is written, even at its default.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

import msgspec

from benches.adapters import Case, make_builder, make_readers

WIRE = "msgpack"
JSON = "msgspec"


def library_name() -> str:
    return "msgspec"


def version() -> str:
    return str(msgspec.__version__)


class Status(IntEnum):
    STATUS_UNSPECIFIED = 0
    STATUS_ACTIVE = 1
    STATUS_SUSPENDED = 2
    STATUS_DELETED = 3


class Small(msgspec.Struct, array_like=True):
    id: int = 0
    name: str = ""
    score: float = 0.0
    active: bool = False
    count: int = 0
    status: Status = Status.STATUS_UNSPECIFIED


class Item(msgspec.Struct, array_like=True):
    id: int = 0
    sku: str = ""
    qty: int = 0
    price: float = 0.0
    in_stock: bool = False


class Medium(msgspec.Struct, array_like=True):
    id: int = 0
    title: str = ""
    items: list[Item] = []
    tags: list[str] = []
    attrs: dict[str, str] = {}
    total: float = 0.0
    status: Status = Status.STATUS_UNSPECIFIED


class Batch(msgspec.Struct, array_like=True):
    records: list[Medium] = []


class Ints(msgspec.Struct, array_like=True):
    values: list[int] = []


class Doubles(msgspec.Struct, array_like=True):
    values: list[float] = []


class Node(msgspec.Struct, array_like=True):
    value: int = 0
    name: str = ""
    children: list[Node] = []


class Text(msgspec.Struct, array_like=True):
    title: str = ""
    author: str = ""
    body: str = ""
    comments: list[str] = []


class JsonSmall(msgspec.Struct):
    id: int = 0
    name: str = ""
    score: float = 0.0
    active: bool = False
    count: int = 0
    status: Status = Status.STATUS_UNSPECIFIED


class JsonItem(msgspec.Struct):
    id: int = 0
    sku: str = ""
    qty: int = 0
    price: float = 0.0
    in_stock: bool = False


class JsonMedium(msgspec.Struct):
    id: int = 0
    title: str = ""
    items: list[JsonItem] = []
    tags: list[str] = []
    attrs: dict[str, str] = {}
    total: float = 0.0
    status: Status = Status.STATUS_UNSPECIFIED


class JsonBatch(msgspec.Struct):
    records: list[JsonMedium] = []


class JsonInts(msgspec.Struct):
    values: list[int] = []


class JsonDoubles(msgspec.Struct):
    values: list[float] = []


class JsonNode(msgspec.Struct):
    value: int = 0
    name: str = ""
    children: list[JsonNode] = []


class JsonText(msgspec.Struct):
    title: str = ""
    author: str = ""
    body: str = ""
    comments: list[str] = []


CLASSES: dict[str, type[msgspec.Struct]] = {
    "Small": Small,
    "Item": Item,
    "Medium": Medium,
    "Batch": Batch,
    "Ints": Ints,
    "Doubles": Doubles,
    "Node": Node,
    "Text": Text,
}
JSON_CLASSES: dict[str, type[msgspec.Struct]] = {
    "Small": JsonSmall,
    "Item": JsonItem,
    "Medium": JsonMedium,
    "Batch": JsonBatch,
    "Ints": JsonInts,
    "Doubles": JsonDoubles,
    "Node": JsonNode,
    "Text": JsonText,
}
_build = make_builder(CLASSES, Status)
_build_json = make_builder(JSON_CLASSES, Status)
_readers = make_readers()
_encode = msgspec.msgpack.Encoder().encode
_encode_json = msgspec.json.Encoder().encode


def make(workload: str, logical: Any) -> Case:
    obj = _build(workload, logical)
    decoder = msgspec.msgpack.Decoder(type(obj))
    json_obj = _build_json(workload, logical)
    json_decoder = msgspec.json.Decoder(type(json_obj))
    return Case(
        obj=obj,
        encode=_encode,
        decode=decoder.decode,
        read=_readers[workload],
        to_json=_encode_json,
        from_json=json_decoder.decode,
        json_obj=json_obj,
    )
