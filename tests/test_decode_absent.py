"""Fields absent from the wire, in the compiled engine: a oneof's other members, optional values
and a union's slot read None (or the field's zero), whichever member or value was given, as the
reference engine gives them. The compiled engine makes an instance with None already in the
slots of optional scalars, strings and bytes (``_decode_tables`` in ``ddl/_cy/decode.pxi``),
so a slot a message member shares must still read as unset until that member is met."""

from __future__ import annotations

from typing import Any

import pytest

import ddl
from ddl._api import decode_with, encode_with
from ddl._compiled import speedups
from tests.test_decode_rejoin import compiled
from tests.test_engines import assert_decodes_alike
from tests.wire import length_delimited as ld
from tests.wire import tag, varint

pytestmark = pytest.mark.skipif(speedups is None, reason="the compiled engine is not built")


class Inner(ddl.Message):
    n: int = 0
    notes: list[str] = []


class Holder(ddl.Message):
    label: str = ""
    num: int | None = ddl.field(default=None, oneof="value")
    ratio: float | None = ddl.field(default=None, oneof="value")
    word: str | None = ddl.field(default=None, oneof="value")
    inner: Inner | None = ddl.field(default=None, oneof="value")
    maybe: bytes | None = None
    picked: int | str | Inner | None = None  # a union: one slot for three members
    plain: int | str | None = None  # a union of scalars alone
    count: int = 0


VALUES: list[dict[str, Any]] = [
    {},
    {"num": 0},
    {"ratio": -1.5},
    {"word": ""},
    {"inner": Inner()},
    {"inner": Inner(n=3, notes=["a"])},
    {"maybe": b""},
    {"maybe": b"\x00", "word": "w"},
    {"picked": 7},
    {"picked": "seven"},
    {"picked": Inner(n=7)},
    {"plain": 0},
    {"plain": "x", "picked": Inner(), "num": 5, "label": "l", "count": 2},
]


@pytest.mark.parametrize("fields", VALUES, ids=repr)
def test_the_fields_not_given_read_as_absent_in_the_compiled_engine(fields: dict[str, Any]) -> None:
    value = Holder(**fields)
    data = encode_with(False, value)
    assert compiled(data, Holder) == decode_with(False, data, Holder) == value


def test_a_union_member_given_again_decodes_as_in_the_reference_engine() -> None:
    # picked is number 7, 8 or 9 (int, str, Inner): Inner twice merges, an int replaces it
    first, second = ld(9, tag(1, 0) + varint(1)), ld(9, ld(2, b"x"))
    for data in (first + second, first + second + tag(7, 0) + varint(4), tag(7, 0) + varint(4) + first):
        assert_decodes_alike(data, Holder)
