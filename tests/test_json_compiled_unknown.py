"""Unknown fields and the compiled JSON writer.

A message read from a newer schema's bytes keeps the fields it does not know, and JSON has no
form for them: ``ddl.to_json`` drops them, as protobuf does. The compiled writer drops them
itself, unless they may hold what JSON does write: an extension made for the class (or a base
class), or a value of one of its fields that its Python type cannot hold (an error). Those
messages go to the Python path, which finds both.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

import ddl
from ddl import _compiled
from tests.json_paths import assert_same_on_both_paths, written_in_c, written_in_c_as_python
from tests.wire import length_delimited as ld
from tests.wire import varint_field

pytestmark = pytest.mark.skipif(_compiled.speedups is None, reason="the compiled engine is not built")


class LineV2(ddl.Message):
    sku: str = ""
    qty: ddl.int32 = 0
    warehouse: str = ""  # new in v2


class OrderV2(ddl.Message):
    id: int = 0
    lines: list[LineV2] = ddl.field(default_factory=list)
    channel: str = ""  # new in v2


class Line(ddl.Message):
    sku: str = ""
    qty: ddl.int32 = 0


class Order(ddl.Message):
    id: int = 0
    lines: list[Line] = ddl.field(default_factory=list)


NEWER = OrderV2(id=7, lines=[LineV2(sku="a", qty=1, warehouse="w1"), LineV2(sku="b", warehouse="w2")], channel="web")
KNOWN = Order(id=7, lines=[Line(sku="a", qty=1), Line(sku="b")])


@pytest.mark.parametrize(
    "options", [{}, {"preserving_proto_field_name": True, "always_print_fields_with_no_presence": True}]
)
def test_a_message_of_a_newer_schema_is_written_in_c_without_its_unknown_fields(options: dict[str, Any]) -> None:
    older = ddl.decode(ddl.encode(NEWER), Order)
    assert older._ddl_unknown is not None and older.lines[0]._ddl_unknown is not None  # type: ignore[attr-defined]
    assert written_in_c_as_python(older, **options) == ddl.to_json(KNOWN, **options)


class Boxed(ddl.Message):
    label: str = ""


class Crated(Boxed):
    slots: ddl.int32 = 0


def test_an_extension_made_after_the_class_ran_sends_its_messages_with_unknown_fields_to_python() -> None:
    data = ddl.encode(Crated(label="x", slots=2)) + varint_field(100, 5)
    for cls in (Boxed, Crated):  # both Programs built before the extension exists
        assert written_in_c(ddl.decode(data, cls)) is not None
    weight = ddl.Extension("unknown_test.weight", Boxed, 100, ddl.int32)
    for cls, expected in ((Boxed, '{"label": "x", "[unknown_test.weight]": 5}'),
                          (Crated, '{"label": "x", "slots": 2, "[unknown_test.weight]": 5}')):  # fmt: skip
        msg = ddl.decode(data, cls)
        assert weight.get(msg) == 5
        assert written_in_c(msg) is None
        assert assert_same_on_both_paths(msg) == ("text", expected)
        assert written_in_c(cls(label="y")) == '{"label": "y"}'  # without unknown fields, still in C


class Later(ddl.Message):
    label: str = ""


def test_a_class_first_run_after_its_extension_was_made_knows_of_it() -> None:
    later = ddl.Extension("unknown_test.later", Later, 50, str)  # kept: a class holds its extensions weakly
    msg = ddl.decode(ddl.encode(Later(label="x")) + ld(50, b"hi"), Later)  # the first use: its Program is built now
    assert later.get(msg) == "hi"
    assert written_in_c(msg) is None
    assert assert_same_on_both_paths(msg) == ("text", '{"label": "x", "[unknown_test.later]": "hi"}')


class Stamped(ddl.Message):
    at: datetime | None = None


def test_a_value_its_python_type_cannot_hold_is_left_to_the_python_paths_error() -> None:
    year_10000 = ld(1, varint_field(1, 253_402_300_800))  # a Timestamp past datetime's range
    msg = ddl.decode(year_10000, Stamped)
    assert msg.at is None and msg._ddl_unknown == year_10000  # type: ignore[attr-defined]
    assert written_in_c(msg) is None
    kind, message = assert_same_on_both_paths(msg)
    assert kind == "EncodeError" and "has no JSON form" in message
