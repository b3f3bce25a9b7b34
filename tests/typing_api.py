"""The public API as users write it, checked by ``mypy --strict`` (``make typecheck``) and by
pyright in strict mode (``make lint``, through basedpyright).

``assert_type`` lines fail the check when a type is inferred wrongly; ``type: ignore[code]``
lines fail it (as unused ignores) when either checker stops rejecting a misuse.
"""

from __future__ import annotations

import array
import asyncio
import datetime
import decimal
import io
import uuid
from collections.abc import Iterator
from enum import IntEnum
from typing import Any, assert_type

from hypothesis.strategies import SearchStrategy

import ddl
from ddl import wkt
from ddl.testing import instances


class Status(IntEnum):
    UNKNOWN = 0
    ACTIVE = 1


class User(ddl.Message):
    id: int
    name: str = ""
    age: ddl.int32 = 0
    ratio: ddl.float32 = 0.0
    status: Status = Status.UNKNOWN
    nickname: str | None = None
    tags: list[str] = []
    scores: dict[str, float] = {}
    choice: int | str | None = ddl.field(number=20, default=None)
    friends: list[User] = []
    created: datetime.datetime | None = None
    price: decimal.Decimal = decimal.Decimal(0)
    key: uuid.UUID | None = None
    extra: dict[str, Any] = {}


class Point(ddl.Message, frozen=True):
    x: ddl.sint64 = 0
    y: ddl.sint64 = 0


class Options(ddl.Message, kw_only=True):
    verbose: bool
    level: int = ddl.field(number=7, default=3)


class Order(ddl.Message, reserved=(8, range(20, 30), "legacy_note")):
    id: int = 0
    total: int = 0
    legacy_codes: list[ddl.int32] = ddl.field(default_factory=list, packed=False)


class Refund(Order, reserved=9):
    reason: str = ""


class Customer(ddl.Message):
    since: int = 0
    name: str | None = ddl.field(oneof="id", default=None)
    uuid: str | None = ddl.field(oneof="id", default=None)
    number: ddl.uint64 | None = ddl.field(oneof="id", default=None)


class Shade(ddl.ClosedEnum):
    DARK = 1
    LIGHT = 2


class Job(ddl.Message, kw_only=True):
    shade: Shade | None = ddl.field(number=1, default=None)
    sku: str = ddl.field(number=2, required=True)
    retries: ddl.int32 | None = ddl.field(number=3, default=None, proto_default=3)


class Embedding(ddl.Message):
    values: ddl.Vector[ddl.float32] = array.array("f")
    ids: ddl.Vector[ddl.fixed64] = array.array("Q")


user = User(1, name="Ada", tags=["x"])
embedding = Embedding(array.array("f", [0.5]))
assert_type(embedding.values, "array.array[float]")
assert_type(embedding.ids, "array.array[int]")
assert_type(user.id, int)
assert_type(user.age, int)
assert_type(user.ratio, float)
assert_type(user.nickname, str | None)
assert_type(user.choice, int | str | None)
assert_type(user.friends, list[User])
assert_type(user.scores, dict[str, float])

data = ddl.encode(user)
assert_type(data, bytes)
assert_type(ddl.encode(user, deterministic=True), bytes)
assert_type(ddl.decode(data, User), User)
assert_type(ddl.decode(bytearray(data), User, max_depth=10), User)
assert_type(ddl.decode(memoryview(data), User), User)
assert_type(ddl.from_json("{}", User), User)
assert_type(ddl.from_json(b"{}", User, ignore_unknown_fields=True), User)
assert_type(ddl.from_dict({}, User), User)

decoder = ddl.Decoder(User)
assert_type(decoder, ddl.Decoder[User])
assert_type(decoder.decode(data), User)
assert_type(decoder.from_json("{}"), User)
assert_type(decoder.from_json(b"{}", ignore_unknown_fields=True), User)
assert_type(ddl.Encoder(deterministic=True).encode(user), bytes)
assert_type(ddl.Encoder().to_json(user), str)
assert_type(ddl.Encoder().to_json(user, indent=2, use_integers_for_enums=True), str)
assert_type(ddl.Encoder().to_json(user, sort_keys=True, ensure_ascii=True), str)
assert_type(ddl.Encoder().to_json(user, separators=(",", ":")), str)
assert_type(ddl.to_dict(user), dict[str, Any])
# The well-known types whose JSON is no object are typed as what protobuf writes for them.
assert_type(ddl.to_dict(wkt.Int32Value(1)), int)
assert_type(ddl.to_dict(wkt.Int64Value(1), use_integers_for_enums=True), str)
assert_type(ddl.to_dict(wkt.FieldMask(paths=["a"])), str)
assert_type(ddl.to_dict(wkt.DoubleValue(1.5)), float | str)
assert_type(ddl.to_dict(wkt.BoolValue(True)), bool)
assert_type(ddl.to_dict(wkt.ListValue(values=[1])), list[Any])
assert_type(ddl.to_dict(wkt.Any()), dict[str, Any])
assert_type(ddl.to_json(user), str)
assert_type(ddl.to_json(user, indent=2, use_integers_for_enums=True), str)
assert_type(ddl.to_json(user, sort_keys=True, ensure_ascii=True), str)
assert_type(ddl.to_json(user, separators=(",", ":")), str)
assert_type(ddl.to_text(user), str)
assert_type(ddl.to_text(user, as_one_line=True, print_unknown_fields=True, registry={"pkg.User": User}), str)
assert_type(ddl.from_text("id: 1", User), User)
assert_type(ddl.from_text("id: 1", User, registry={"pkg.User": User}), User)

point = Point(x=1, y=2)
assert_type(hash(point), int)
assert_type(Options(verbose=True).level, int)

match user:
    case User(id, name):
        assert_type(id, int)
        assert_type(name, str)

try:
    ddl.decode(b"\x0a", User)
except ddl.DecodeError as exc:
    assert_type(exc.path, str)
    assert_type(exc.offset, int | None)
    assert isinstance(exc, ValueError)

customer = Customer(uuid="9f3c")
assert_type(customer.uuid, str | None)
assert_type(customer.number, int | None)
assert_type(ddl.which_oneof(customer, "id"), str | None)
assert_type(ddl.oneof_item(customer, "id"), tuple[str, Any] | None)
assert_type(customer.__replace__(number=7), Customer)

assert_type(Job(sku="a1").sku, str)
assert_type(Job(sku="a1").shade, Shade | None)
assert_type(ddl.proto_default(Job, "retries"), Any)

rank: ddl.Extension[Order, int] = ddl.Extension("shop.rank", Order, 100, ddl.int32)
labels = ddl.Extension("shop.labels", Order, 101, list[str])
assert_type(labels, ddl.Extension[Order, list[str]])
status_ext = ddl.Extension("shop.status", Order, 102, Status)
owner_ext = ddl.Extension("shop.owner", Order, 103, User, delimited=True)
codes_ext: ddl.Extension[Order, list[int]] = ddl.Extension("shop.codes", Order, 104, list[ddl.sint32], packed=False)
order = Order()
assert_type(rank.get(order), int | None)
assert_type(labels.get(order), list[str])
assert_type(status_ext.get(order), Status | None)
assert_type(owner_ext.get(order), User | None)
assert_type(codes_ext.get(order), list[int])
assert_type(rank.has(Refund()), bool)
rank.set(order, 3)
labels.set(order, ["a"])
rank.clear(order)

stream = io.BytesIO()
assert_type(ddl.write_delimited(stream, user), int)
assert_type(ddl.write_delimited(stream, point, deterministic=True), int)
assert_type(ddl.encode_delimited(user), bytes)
stream.seek(0)
assert_type(ddl.read_delimited(stream, User), Iterator[User])
assert_type(next(ddl.read_delimited(ddl.encode_delimited(point), Point, max_size=1 << 20)), Point)
assert_type(list(ddl.read_delimited(bytearray(), User, max_depth=10)), list[User])


async def delimited_over_asyncio(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    assert_type(await ddl.write_delimited_async(writer, user), int)
    async for record in ddl.read_delimited_async(reader, User, max_size=1 << 20):
        assert_type(record, User)


assert_type(instances(User), SearchStrategy[User])
assert_type(instances(Point, max_depth=1, unknown_enums=False), SearchStrategy[Point])


def misuses_mypy_rejects() -> None:
    """Never called: each line must stay an error for mypy."""
    User()  # type: ignore[call-arg]
    User(id="seven")  # type: ignore[arg-type]
    User(1, nickname=3)  # type: ignore[arg-type]
    User(1, unknown=True)  # type: ignore[call-arg]
    point.x = 5  # type: ignore[misc]
    Options(True)  # type: ignore[call-arg]
    ddl.decode(data, int)  # type: ignore[type-var]
    ddl.encode(42)  # type: ignore[arg-type]
    instances(int)  # type: ignore[type-var]
    Customer(name=5)  # type: ignore[arg-type]
    ddl.which_oneof(customer, 3)  # type: ignore[arg-type]
    Job()  # type: ignore[call-arg]
    Job(sku="a1", shade=3)  # type: ignore[arg-type]
    rank.get(user)  # type: ignore[arg-type]
    rank.set(order, "3")  # type: ignore[arg-type]
    labels.set(order, "a")  # type: ignore[arg-type]
    ddl.read_delimited(io.StringIO(), User)  # type: ignore[arg-type]
    ddl.read_delimited(stream, int)  # type: ignore[type-var]
    ddl.write_delimited(io.StringIO(), user)  # type: ignore[arg-type]
    ddl.write_delimited(stream, 42)  # type: ignore[arg-type]
    Embedding(["a"])  # type: ignore[arg-type]
