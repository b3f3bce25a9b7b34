"""The ``reserved`` class keyword: numbers and names no field may take, checked at class creation.

How reservations reach .proto text and ``ddl check`` is tested in test_proto_render.py and
test_check.py, against protoc.
"""

from __future__ import annotations

from typing import Any

import pytest

import ddl
from tests.conftest import Engine


def numbers(cls: type[ddl.Message]) -> dict[str, tuple[int, ...]]:
    spec = cls.__ddl__.spec
    assert spec is not None
    return {f.name: f.numbers for f in spec.fields}


def test_automatic_numbers_skip_reserved_numbers_and_ranges() -> None:
    class Order(ddl.Message, reserved=(2, range(4, 7))):
        a: int = 0
        b: int = 0
        c: int = 0
        d: int = 0

    assert numbers(Order) == {"a": (1,), "b": (3,), "c": (7,), "d": (8,)}


def test_a_union_takes_the_first_consecutive_numbers_clear_of_every_reservation() -> None:
    class Event(ddl.Message, reserved=(3, 6)):
        a: int = 0
        b: int = 0
        u: int | str | bytes | None = None

    assert numbers(Event) == {"a": (1,), "b": (2,), "u": (7, 8, 9)}


def test_numbering_continues_after_the_largest_number_so_far_not_below_it() -> None:
    class Order(ddl.Message, reserved=(range(1, 5),)):
        a: int = ddl.field(number=10, default=0)
        b: int = 0

    assert numbers(Order) == {"a": (10,), "b": (11,)}


@pytest.mark.parametrize(
    ("reserved", "message"),
    [
        ((8,), r"Order\.note: field number 8 is reserved"),
        ((range(5, 10),), r"Order\.note: field number 8 is reserved"),
        (("note",), r"Order\.note: field name 'note' is reserved"),
    ],
)
def test_a_field_with_a_reserved_number_or_name_is_a_schema_error(reserved: Any, message: str) -> None:
    with pytest.raises(ddl.SchemaError, match=message):

        class Order(ddl.Message, reserved=reserved):
            note: str = ddl.field(number=8, default="")


def test_each_number_of_a_union_is_checked_against_reservations() -> None:
    with pytest.raises(ddl.SchemaError, match=r"Order\.u: field number 6 is reserved"):

        class Order(ddl.Message, reserved=6):
            u: int | str = ddl.field(number=5, default=0)


@pytest.mark.parametrize(
    ("reserved", "message"),
    [
        ((0,), r"Bad: reserved number 0 is outside 1\.\.536870911"),
        ((2**29,), r"Bad: reserved number 536870912 is outside"),
        ((range(3),), r"Bad: reserved number 0 is outside"),
        ((range(5, 5),), r"Bad: reserved range range\(5, 5\) must be non-empty with step 1"),
        ((range(1, 9, 2),), r"Bad: reserved range range\(1, 9, 2\) must be non-empty with step 1"),
        (("old-note",), r"Bad: reserved name 'old-note' is not a field name"),
        ((2.5,), r"Bad: reserved takes field numbers, ranges and field names, not 2\.5"),
        ((True,), r"Bad: reserved takes field numbers, ranges and field names, not True"),
        (None, r"Bad: reserved takes field numbers, ranges and field names, not None"),
    ],
)
def test_a_reservation_that_is_not_a_valid_number_range_or_name_is_a_schema_error(reserved: Any, message: str) -> None:
    with pytest.raises(ddl.SchemaError, match=message):

        class Bad(ddl.Message, reserved=reserved):
            pass


def test_a_lone_number_range_or_name_stands_for_a_tuple_of_one() -> None:
    class ByNumber(ddl.Message, reserved=1):
        a: int = 0

    class ByRange(ddl.Message, reserved=range(1, 3)):
        a: int = 0

    class ByName(ddl.Message, reserved="note"):
        a: int = 0

    assert numbers(ByNumber) == {"a": (2,)} and numbers(ByRange) == {"a": (3,)}
    assert ByName.__ddl__.spec is not None and ByName.__ddl__.spec.reserved.names == ("note",)


def test_overlapping_reservations_are_merged_into_ascending_ranges() -> None:
    class Order(ddl.Message, reserved=(range(20, 30), 8, range(25, 35), 9, 35, "a", "a")):
        pass

    assert Order.__ddl__.spec is not None
    assert Order.__ddl__.spec.reserved.numbers == (range(8, 10), range(20, 36))
    assert Order.__ddl__.spec.reserved.names == ("a",)


class Base(ddl.Message, reserved=(3, "legacy")):
    a: int = 0
    b: int = 0


def test_a_subclass_keeps_its_bases_reservations_and_adds_its_own() -> None:
    class Child(Base, reserved=5):
        c: int = 0
        d: int = 0

    assert numbers(Child) == {"a": (1,), "b": (2,), "c": (4,), "d": (6,)}
    with pytest.raises(ddl.SchemaError, match=r"Grandchild\.legacy: field name 'legacy' is reserved"):

        class Grandchild(Child):
            legacy: int = 0


def test_a_subclass_cannot_reserve_a_number_its_base_class_still_uses() -> None:
    with pytest.raises(ddl.SchemaError, match=r"Child\.b: field number 2 is reserved"):

        class Child(Base, reserved=2):
            pass


def test_reservations_leave_encoding_unchanged_and_old_data_of_a_reserved_number_is_kept_as_unknown(
    engine: Engine,
) -> None:
    class Before(ddl.Message):
        id: int = 0
        note: str = ""

    class After(ddl.Message, reserved=(2, "note")):
        id: int = 0
        total: int = 0

    old = engine.encode(Before(id=7, note="gift"))
    value = engine.decode(old, After)
    assert (value.id, value.total) == (7, 0)
    assert engine.encode(value) == old  # the old field travels on as an unknown field


def test_every_number_may_be_reserved_as_protoc_allows_reserved_1_to_max() -> None:
    class Retired(ddl.Message, reserved=range(1, 2**29)):
        pass

    assert Retired.__ddl__.spec.reserved.numbers == (range(1, 2**29),)
