"""ddl, with the engine ddl picks by default (``ddl``), or under ``DDL_PURE_PYTHON=1`` (``ddl-python``).

The classes match bench.proto field for field: numbers follow declaration order from 1. JSON is
``ddl.to_json`` (one line) and ``ddl.from_json``, protobuf's JSON mapping.
"""

from __future__ import annotations

import os
from enum import IntEnum
from typing import Any

import ddl
from benches.adapters import Case, make_builder, make_readers

WIRE = "protobuf"
JSON = "proto3"


def library_name() -> str:
    return "ddl-python" if os.environ.get("DDL_PURE_PYTHON") == "1" else "ddl"


def version() -> str:
    return ddl.__version__


class Status(IntEnum):
    STATUS_UNSPECIFIED = 0
    STATUS_ACTIVE = 1
    STATUS_SUSPENDED = 2
    STATUS_DELETED = 3


class Small(ddl.Message):
    id: int = 0
    name: str = ""
    score: float = 0.0
    active: bool = False
    count: ddl.int32 = 0
    status: Status = Status.STATUS_UNSPECIFIED


class Item(ddl.Message):
    id: int = 0
    sku: str = ""
    qty: ddl.int32 = 0
    price: float = 0.0
    in_stock: bool = False


class Medium(ddl.Message):
    id: int = 0
    title: str = ""
    items: list[Item] = []
    tags: list[str] = []
    attrs: dict[str, str] = {}
    total: float = 0.0
    status: Status = Status.STATUS_UNSPECIFIED


class Batch(ddl.Message):
    records: list[Medium] = []


class Ints(ddl.Message):
    values: list[int] = []


class Doubles(ddl.Message):
    values: list[float] = []


class Node(ddl.Message):
    value: int = 0
    name: str = ""
    children: list[Node] = []


class Text(ddl.Message):
    title: str = ""
    author: str = ""
    body: str = ""
    comments: list[str] = []


CLASSES: dict[str, type[ddl.Message]] = {
    "Small": Small,
    "Item": Item,
    "Medium": Medium,
    "Batch": Batch,
    "Ints": Ints,
    "Doubles": Doubles,
    "Node": Node,
    "Text": Text,
}
_build = make_builder(CLASSES, Status)
_readers = make_readers()
_encode = ddl.Encoder().encode


def make(workload: str, logical: Any) -> Case:
    obj = _build(workload, logical)
    cls = type(obj)

    def from_json(text: str | bytes) -> Any:
        return ddl.from_json(text, cls)

    return Case(
        obj=obj,
        encode=_encode,
        decode=ddl.Decoder(cls).decode,
        read=_readers[workload],
        to_json=ddl.to_json,
        from_json=from_json,
    )
