"""A union's members take field numbers in the order its annotation spells them.

``typing`` caches unions under an equality that ignores order, so a union of typing forms
(``ddl.int32`` is ``Annotated[int, ...]``) can come back in the order another class spelled it
first. Each test here declares both orders, one after the other, in this one module.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any, Optional, Union  # noqa: F401 - annotation strings below name them

import pytest

import ddl
from tests.wire import read_field


def wire_numbers(message: ddl.Message, depth: int) -> list[int]:
    """The number of the last field at each of ``depth`` levels of nested messages."""
    data = ddl.encode(message)
    numbers = []
    for _ in range(depth):
        number, payload = 0, b""
        while data:
            number, _, payload, data = read_field(data)
        numbers.append(number)
        data = payload
    return numbers


def message_class(annotation: object) -> type[ddl.Message]:
    """A class declared in this module whose one field ``u`` has the annotation, as given."""
    namespace = {"__annotations__": {"u": annotation}, "__module__": __name__, "__qualname__": "M", "u": None}
    cls: type[ddl.Message] = type(ddl.Message)("M", (ddl.Message,), namespace)
    return cls


class StrFirst(ddl.Message):
    u: str | ddl.int32 | None = None


class Int32First(ddl.Message):
    u: ddl.int32 | str | None = None


def test_two_classes_in_one_module_keep_their_own_member_order() -> None:
    assert wire_numbers(StrFirst(u="a"), 1) == [1]
    assert wire_numbers(StrFirst(u=7), 1) == [2]
    assert wire_numbers(Int32First(u=7), 1) == [1]
    assert wire_numbers(Int32First(u="a"), 1) == [2]


def test_decoding_reads_each_member_under_its_own_number() -> None:
    assert ddl.decode(b"\x08\x07", Int32First) == Int32First(u=7)
    assert ddl.decode(b"\x0a\x01a", StrFirst) == StrFirst(u="a")


Wrap = Callable[[Any], Any]

# An annotation with two slots for the members, how a member's value sits in the field, and how
# many nested messages deep the member's own number is on the wire.
SPELLINGS: list[tuple[str, Wrap, int]] = [
    ("{} | {} | None", lambda v: v, 1),
    ("{} | {} | bool", lambda v: v, 1),
    ("None | {} | {}", lambda v: v, 1),
    ("typing.Union[{}, {}, None]", lambda v: v, 1),
    ("Union[{}, {}, None]", lambda v: v, 1),
    ("Optional[Union[{}, {}]]", lambda v: v, 1),
    ("Optional[{} | {}]", lambda v: v, 1),
    ("Union[{} | {}, None]", lambda v: v, 1),
    ("list[{} | {}]", lambda v: [v], 2),
    ("list[{} | {} | None]", lambda v: [v], 2),
    ("list[{} | {}] | None", lambda v: [v], 3),
    ("Optional[list[Union[{}, {}]]]", lambda v: [v], 3),
    ("dict[str, {} | {} | None]", lambda v: {"": v}, 3),
]

# Pairs of members, each a typing form or a class, with a value only that member holds.
MEMBERS: list[tuple[tuple[str, Any], tuple[str, Any]]] = [
    (("str", "a"), ("ddl.int32", 7)),
    (("ddl.int32", 7), ("ddl.float32", 0.5)),
    (("ddl.sint64", -3), ("bytes", b"b")),
]


@pytest.mark.parametrize(("spelling", "wrap", "depth"), SPELLINGS, ids=[s for s, _, _ in SPELLINGS])
@pytest.mark.parametrize(("first", "second"), MEMBERS, ids=[f"{a}-{b}" for (a, _), (b, _) in MEMBERS])
def test_members_take_numbers_in_the_order_each_annotation_names_them(
    spelling: str, wrap: Wrap, depth: int, first: tuple[str, Any], second: tuple[str, Any]
) -> None:
    for one, other in [(first, second), (second, first)]:
        cls = message_class(spelling.format(one[0], other[0]))
        assert wire_numbers(cls(u=wrap(one[1])), depth)[-1] == 1, cls.__annotations__["u"]
        assert wire_numbers(cls(u=wrap(other[1])), depth)[-1] == 2, cls.__annotations__["u"]


@pytest.mark.parametrize(
    ("annotation", "value"),
    [("ddl.int32 | None", 7), ("None | ddl.int32", 7), ("Optional[ddl.float32]", 0.5)],
)
def test_an_optional_typing_form_is_one_field_with_presence(annotation: str, value: Any) -> None:
    cls = message_class(annotation)
    assert cls.__ddl__.spec is not None
    assert [f.numbers for f in cls.__ddl__.spec.fields] == [(1,)]
    assert ddl.decode(ddl.encode(cls(u=value)), cls) == cls(u=value)
    assert ddl.encode(cls(u=None)) == b""


@pytest.mark.parametrize(
    ("annotation", "message"),
    [
        ("ddl.int32 | Missing", "cannot resolve"),
        ("ddl.int32 |", "cannot evaluate"),
        ("int | ddl.int32", "ambiguous"),
    ],
)
def test_unusable_union_annotations_still_raise_schema_error(annotation: str, message: str) -> None:
    with pytest.raises(ddl.SchemaError, match=message):
        ddl.encode(message_class(annotation)(u=None))


def test_the_bit_or_of_values_inside_an_annotation_is_left_alone() -> None:
    cls = message_class("typing.Annotated[ddl.int32 | None, 1 | 2]")
    assert ddl.decode(ddl.encode(cls(u=7)), cls) == cls(u=7)


def test_an_evaluated_flat_typing_union_keeps_its_order() -> None:
    # What README advises where annotations are evaluated when the class body runs.
    str_first = message_class(typing.Union[str, ddl.int32, None])  # noqa: UP007 - the spelling advised
    int32_first = message_class(typing.Union[ddl.int32, str, None])  # noqa: UP007
    assert wire_numbers(str_first(u="a"), 1) == wire_numbers(int32_first(u=7), 1) == [1]
    assert wire_numbers(str_first(u=7), 1) == wire_numbers(int32_first(u="a"), 1) == [2]


def test_a_union_inside_a_typing_generic_other_than_union_keeps_its_order() -> None:
    for one, other in [("str", "ddl.int32"), ("ddl.int32", "str")]:
        cls = message_class(f"typing.List[{one} | {other} | None]")
        assert wire_numbers(cls(u=["a" if one == "str" else 7]), 2)[-1] == 1
