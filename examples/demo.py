"""A first meeting with ddl: schemas as classes, bytes that Google's protobuf runtime reads."""

from __future__ import annotations

import importlib
import sys
import tempfile
from datetime import UTC, datetime
from decimal import Decimal
from enum import IntEnum
from pathlib import Path

import ddl


class Status(IntEnum):
    UNKNOWN = 0
    ACTIVE = 1


class Item(ddl.Message):
    sku: str = ""
    qty: ddl.int32 = 0
    price: Decimal = Decimal(0)


class Order(ddl.Message):
    id: int
    customer: str = ""
    status: Status = Status.UNKNOWN
    items: list[Item] = []
    tags: dict[str, str] = {}
    note: str | None = None
    created: datetime | None = None


# The same schema as a .proto file, for protoc and for `ddl gen`.
ORDER_PROTO = Path(__file__).with_name("order.proto")


def section(title: str) -> None:
    print(f"\n== {title} ==")


def google_runtime_module() -> object:
    """Compile the .proto twin with the protoc from grpcio-tools and import its _pb2 module."""
    import grpc_tools
    from grpc_tools import protoc

    folder = Path(tempfile.mkdtemp(prefix="ddl-demo-"))
    include = Path(grpc_tools.__file__).parent / "_proto"
    protoc.main(["protoc", f"-I{ORDER_PROTO.parent}", f"-I{include}", f"--python_out={folder}", str(ORDER_PROTO)])
    sys.path.insert(0, str(folder))
    return importlib.import_module("order_pb2")


def generated_classes(data: bytes) -> None:
    """``ddl gen`` writes typed classes from the .proto; they read the bytes of the classes above."""
    from ddl._cli import main as ddl_command

    out = Path(tempfile.mkdtemp(prefix="ddl-gen-demo-"))
    section(f"ddl gen -I examples -o {out} examples/order.proto")
    ddl_command(["gen", "-I", str(ORDER_PROTO.parent), "-o", str(out), str(ORDER_PROTO)])
    source = (out / "order_ddl.py").read_text()
    print(source[source.index("class Item") : source.index("class Order")].rstrip())
    sys.path.insert(0, str(out))
    order_ddl = importlib.import_module("order_ddl")
    generated = ddl.decode(data, order_ddl.Order)
    print(f"\nthe generated Order reads the same bytes: id={generated.id} items={[i.sku for i in generated.items]}")
    print("and writes them too:", ddl.encode(generated) == data)
    generated.payment = "visa-4242"  # the oneof: card (a str) or voucher (an int)
    print("a oneof is a union:", repr(ddl.decode(ddl.encode(generated), order_ddl.Order).payment))


def main() -> None:
    order = Order(
        id=42,
        customer="Zoë",
        status=Status.ACTIVE,
        items=[Item(sku="tea", qty=2, price=Decimal("3.50")), Item(sku="mug", qty=1, price=Decimal("9.99"))],
        tags={"channel": "web"},
        note="",
        created=datetime(2026, 11, 24, 9, 30, tzinfo=UTC),
    )
    section("a ddl message")
    print(order)

    data = ddl.encode(order)
    section(f"encoded: {len(data)} bytes")
    print(data.hex(" "))

    section("decoded again")
    back = ddl.decode(data, Order)
    print("equal to the original:", back == order)

    section("Google's protobuf runtime reads the same bytes")
    order_pb2 = google_runtime_module()
    parsed = order_pb2.Order()  # type: ignore[attr-defined]
    parsed.ParseFromString(data)
    print(f"id={parsed.id} customer={parsed.customer!r} items={[i.sku for i in parsed.items]}")
    print(f"note present={parsed.HasField('note')} created={parsed.created.ToDatetime().isoformat()}")
    print("and ddl reads what protobuf writes:", ddl.decode(parsed.SerializeToString(), Order) == order)

    generated_classes(data)

    section("what errors look like")
    bad = bytearray(data)
    bad[data.index(b"tea")] = 0xFF
    try:
        ddl.decode(bytes(bad), Order)
    except ddl.DecodeError as exc:
        print(f"DecodeError: {exc}")
        print(f"  .path={exc.path!r} .offset={exc.offset}")
    try:
        ddl.encode(Order(id=1, items=[Item(qty=2**40)]))
    except ddl.EncodeError as exc:
        print(f"EncodeError: {exc}")
    try:

        class Bad(ddl.Message):
            value: complex = 0j

    except ddl.SchemaError as exc:
        print(f"SchemaError: {exc}")


if __name__ == "__main__":
    main()
