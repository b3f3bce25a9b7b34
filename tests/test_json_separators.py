"""``ddl.to_json(msg, separators=...)``: the text laid out with ``json.dumps``'s separators, the
most compact ``(",", ":")`` written by the compiled writer itself. Whatever the value and the
separators, both paths give the same text, which is ``json.dumps`` of the default text's value
with those separators.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ddl
from tests.conftest import FIXTURE_SAFE, Engine, examples
from tests.json_paths import OPTIONS, Odd, assert_same_on_both_paths, compiled, holding_anything
from tests.strategies import schemas
from tests.test_json_compiled_any import REGISTRY, STATUS, in_c
from tests.test_json_compiled_indent import TRICKY
from tests.test_json_compiled_write import ORDER, Item, Order
from tests.test_json_write import Containers, Natives

COMPACT = (",", ":")


def relaid(msg: Any, separators: Any, indent: Any = None, **options: Any) -> str:
    """The default text of ``msg`` laid out again by json.dumps with ``separators``."""
    value = json.loads(ddl.to_json(msg, **options))
    return json.dumps(value, indent=indent, separators=separators, ensure_ascii=False)


def assert_compact(msg: Any, **options: Any) -> str:
    """The compact text of ``msg``: the same on both paths, and the default text's value as
    json.dumps writes it with no spaces."""
    kind, text = assert_same_on_both_paths(msg, separators=COMPACT, **options)
    assert kind == "text"
    assert text == relaid(msg, COMPACT, **options)
    return str(text)


@settings(FIXTURE_SAFE, max_examples=examples(60))
@given(schema=schemas(proto2=True), data=st.data())
def test_a_random_schema_and_value_give_the_compact_text_on_both_paths(
    engine: Engine, schema: Any, data: st.DataObject
) -> None:
    msg, options = data.draw(schema.values()), data.draw(OPTIONS)
    kind, text = assert_same_on_both_paths(msg, separators=COMPACT, **options)
    if kind == "text":
        assert text == relaid(msg, COMPACT, **options)
        assert engine.from_json(text, type(msg)) == engine.from_json(ddl.to_json(msg), type(msg))


@settings(FIXTURE_SAFE, max_examples=examples(40))
@given(schema=schemas(proto2=True), data=st.data())
def test_a_field_holding_anything_gives_the_same_compact_text_or_error_on_both_paths(
    engine: Engine, schema: Any, data: st.DataObject
) -> None:
    assert_same_on_both_paths(holding_anything(schema, data), separators=COMPACT)


@settings(max_examples=examples(200))
@given(
    st.lists(st.sampled_from(TRICKY), max_size=4),
    st.dictionaries(st.sampled_from(TRICKY), st.sampled_from(TRICKY), max_size=4),
)
def test_separators_inside_strings_are_kept(texts: list[str], attrs: dict[str, str]) -> None:
    msg = Order(title="".join(texts), tags=tuple(texts), attrs=attrs, items=[Item(sku=t) for t in texts])
    assert ddl.from_json(assert_compact(msg), Order) == msg


@pytest.mark.parametrize(
    "msg",
    [
        Containers(points=[], by_id={1: "a", 2: "b"}, flags={True: 7}, grid=[[1, 2], [], [3]], holes=[None, 3]),
        Containers(mixed=[1, "a, b: c"], groups={"a": [], "b": [1, 2]}, maybe=[4, 5]),
        Natives(
            when=datetime(2024, 2, 29, 12, 30, tzinfo=UTC),
            span=timedelta(seconds=-1.5),
            day=date(2024, 2, 29),
            anything={"a": [1, 2.5, None, True], "b": {"c": "d"}},
            meta={"k": [{}], "": "x"},
            price=Decimal("1.50"),
        ),
        Order(items=[Item(), Item()], best=Item()),
        ORDER,
    ],
    ids=["maps-lists", "unions-groups", "natives", "empty-objects", "order"],
)
def test_every_array_object_and_native_form_is_compact(msg: ddl.Message) -> None:
    text = assert_compact(msg)
    assert ddl.from_json(text, type(msg)) == ddl.from_json(ddl.to_json(msg), type(msg))


@compiled
def test_a_compact_text_is_written_in_c() -> None:
    assert_compact(ORDER)  # also compiles the classes, which runs Python once
    assert in_c(ddl.to_json, ORDER, separators=COMPACT)
    assert in_c(ddl.Encoder().to_json, ORDER, separators=COMPACT)
    assert ddl.Encoder().to_json(ORDER, separators=COMPACT) == ddl.to_json(ORDER, separators=COMPACT)


def test_a_message_holding_an_any_is_compact_too() -> None:
    text = assert_compact(STATUS, registry=REGISTRY)
    assert '"@type":"type.googleapis.com/' in text


@pytest.mark.parametrize(
    ("separators", "indent"),
    [
        ((", ", ": "), None),  # json.dumps's one-line default, given
        ((";", "="), None),
        ((", ", ":"), None),
        ((",", ": "), None),
        ([",", ":"], None),  # a list: json.dumps takes any pair
        (",:", None),  # even a str of two characters
        ((Odd(","), Odd(":")), None),
        (COMPACT, 2),
        ((",", ": "), "\t"),
    ],
)
def test_other_separators_and_indents_are_laid_out_as_json_dumps_does(separators: Any, indent: Any) -> None:
    kind, text = assert_same_on_both_paths(ORDER, separators=separators, indent=indent)
    assert (kind, text) == ("text", relaid(ORDER, separators, indent))


class Always(str):
    """A separator that claims to equal any str, but is written as itself."""

    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = str.__hash__


def test_separators_that_only_compare_equal_are_written_as_themselves() -> None:
    separators = (Always(" | "), Always(" = "))
    kind, text = assert_same_on_both_paths(ORDER, separators=separators)
    assert (kind, text) == ("text", relaid(ORDER, separators))
    assert " = " in text


@pytest.mark.parametrize("separators", [(",",), (",", ":", ";"), "abc", 5])
def test_separators_json_dumps_refuses_are_its_error(separators: Any) -> None:
    with pytest.raises((TypeError, ValueError)) as refused:
        json.dumps({"a": 1}, separators=separators)
    assert assert_same_on_both_paths(ORDER, separators=separators)[0] == type(refused.value).__name__
