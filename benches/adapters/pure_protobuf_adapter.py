"""pure-protobuf: dataclass messages with ``Annotated[..., Field(n)]`` hints.

pure-protobuf has no ``map``, so ``attrs`` is the wire-identical ``repeated AttrsEntry`` (key = 1,
value = 2), and its read turns the entries into a dict. Its ``float`` is a 32-bit float, so
doubles are ``annotations.double``; recursion uses ``Self``. It has no JSON.
"""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Annotated, Any, Self

from pure_protobuf.annotations import Field, double
from pure_protobuf.message import BaseMessage

from benches.adapters import Case, make_builder, make_readers

WIRE = "protobuf"
JSON = None


def library_name() -> str:
    return "pure-protobuf"


def version() -> str:
    return importlib.metadata.version("pure-protobuf")


class Status(IntEnum):
    STATUS_UNSPECIFIED = 0
    STATUS_ACTIVE = 1
    STATUS_SUSPENDED = 2
    STATUS_DELETED = 3


@dataclass
class Small(BaseMessage):
    id: Annotated[int, Field(1)] = 0
    name: Annotated[str, Field(2)] = ""
    score: Annotated[double, Field(3)] = double(0.0)  # noqa: RUF009 - a NewType: the call is the float itself
    active: Annotated[bool, Field(4)] = False
    count: Annotated[int, Field(5)] = 0
    status: Annotated[Status, Field(6)] = Status.STATUS_UNSPECIFIED


@dataclass
class Item(BaseMessage):
    id: Annotated[int, Field(1)] = 0
    sku: Annotated[str, Field(2)] = ""
    qty: Annotated[int, Field(3)] = 0
    price: Annotated[double, Field(4)] = double(0.0)  # noqa: RUF009 - a NewType: the call is the float itself
    in_stock: Annotated[bool, Field(5)] = False


@dataclass
class AttrsEntry(BaseMessage):
    key: Annotated[str, Field(1)] = ""
    value: Annotated[str, Field(2)] = ""


@dataclass
class Medium(BaseMessage):
    id: Annotated[int, Field(1)] = 0
    title: Annotated[str, Field(2)] = ""
    items: Annotated[list[Item], Field(3)] = field(default_factory=list)
    tags: Annotated[list[str], Field(4)] = field(default_factory=list)
    attrs: Annotated[list[AttrsEntry], Field(5)] = field(default_factory=list)
    total: Annotated[double, Field(6)] = double(0.0)  # noqa: RUF009 - a NewType: the call is the float itself
    status: Annotated[Status, Field(7)] = Status.STATUS_UNSPECIFIED


@dataclass
class Batch(BaseMessage):
    records: Annotated[list[Medium], Field(1)] = field(default_factory=list)


@dataclass
class Ints(BaseMessage):
    values: Annotated[list[int], Field(1)] = field(default_factory=list)


@dataclass
class Doubles(BaseMessage):
    values: Annotated[list[double], Field(1)] = field(default_factory=list)


@dataclass
class Node(BaseMessage):
    value: Annotated[int, Field(1)] = 0
    name: Annotated[str, Field(2)] = ""
    children: Annotated[list[Self], Field(3)] = field(default_factory=list)


@dataclass
class Text(BaseMessage):
    title: Annotated[str, Field(1)] = ""
    author: Annotated[str, Field(2)] = ""
    body: Annotated[str, Field(3)] = ""
    comments: Annotated[list[str], Field(4)] = field(default_factory=list)


CLASSES = {
    "Small": Small,
    "Item": Item,
    "Medium": Medium,
    "Batch": Batch,
    "Ints": Ints,
    "Doubles": Doubles,
    "Node": Node,
    "Text": Text,
}


def _entries(d: dict[str, str]) -> list[AttrsEntry]:
    return [AttrsEntry(key=k, value=v) for k, v in d.items()]


def _map(entries: list[AttrsEntry]) -> dict[str, str]:
    return {e.key: e.value for e in entries}


_build = make_builder(CLASSES, Status, _entries)
_readers = make_readers(_map)


def make(workload: str, logical: Any) -> Case:
    obj = _build(workload, logical)
    cls = type(obj)
    return Case(obj=obj, encode=cls.dumps, decode=cls.loads, read=_readers[workload])
