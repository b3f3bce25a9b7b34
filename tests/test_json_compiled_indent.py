"""``ddl.to_json(msg, indent=...)`` on the compiled engine: the compiled writer's one-line text laid
out as ``json.dumps`` lays out the value with that indent (ddl_json_indent.h). It gives exactly
the Python path's text, or leaves the call to it, whatever the value and the indent.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ddl
from tests.conftest import FIXTURE_SAFE, Engine, examples
from tests.json_paths import OPTIONS, assert_same_on_both_paths, compiled, holding_anything
from tests.strategies import schemas
from tests.test_json_compiled_any import in_c
from tests.test_json_compiled_write import ORDER, Item, Named, Order
from tests.test_json_write import Containers, Natives, Tree

INDENTS: list[Any] = [0, 1, 2, 4, -1, "", "\t", "ab", "é", "😀 "]

# Strings that hold what the layout looks for outside strings: brackets, braces, commas, colons,
# quotes and backslashes, escaped or not, and text that is not ASCII.
TRICKY = ["[]", "{}", ", ", ": ", '",', "\\", '\\"', '"[', "a,b", '{"k": [1, 2]}', "é, 中: 😀", "\n\t"]


@settings(FIXTURE_SAFE, max_examples=examples(60))
@given(schema=schemas(proto2=True), indent=st.sampled_from(INDENTS), data=st.data())
def test_a_random_schema_and_value_give_the_same_indented_text_on_both_paths(
    engine: Engine, schema: Any, indent: Any, data: st.DataObject
) -> None:
    assert_same_on_both_paths(data.draw(schema.values()), indent=indent, **data.draw(OPTIONS))


@settings(FIXTURE_SAFE, max_examples=examples(40))
@given(schema=schemas(proto2=True), indent=st.sampled_from(INDENTS), data=st.data())
def test_a_field_holding_anything_gives_the_same_indented_text_or_error_on_both_paths(
    engine: Engine, schema: Any, indent: Any, data: st.DataObject
) -> None:
    assert_same_on_both_paths(holding_anything(schema, data), indent=indent)


@settings(max_examples=examples(200))
@given(
    st.lists(st.sampled_from(TRICKY), max_size=4),
    st.dictionaries(st.sampled_from(TRICKY), st.sampled_from(TRICKY), max_size=4),
    st.sampled_from(INDENTS),
)
def test_strings_that_look_like_structure_are_copied_as_they_are(
    texts: list[str], attrs: dict[str, str], indent: Any
) -> None:
    msg = Order(title="".join(texts), tags=tuple(texts), attrs=attrs, items=[Item(sku=t) for t in texts])
    assert_same_on_both_paths(msg, indent=indent)


@pytest.mark.parametrize(
    "msg",
    [
        Containers(grid=[[], [1], []], holes=[None, 3], groups={"a": [], "b": [1, 2]}, maybe=[]),
        Natives(anything={"a": [], "b": {}, "c": [[{}]], "d": [{"e": None}]}, meta={"": {}}),
        Order(items=[Item(), Item()], best=Item()),  # objects that are empty
        Order(),  # one that is empty itself
    ],
)
@pytest.mark.parametrize("indent", INDENTS)
def test_empty_arrays_and_objects_stay_on_their_line(msg: ddl.Message, indent: Any) -> None:
    assert_same_on_both_paths(msg, indent=indent)


def test_deep_nesting_is_laid_out_at_every_level() -> None:
    tree = Tree("leaf")
    for _ in range(60):
        tree = Tree("n", [tree])
    kind, text = assert_same_on_both_paths(tree, indent=3)
    assert kind == "text" and "\n" + " " * 3 * 121 + '"label": "leaf"' in text


@compiled
@pytest.mark.parametrize("indent", [2, "\t", "é"])
def test_an_indented_text_is_written_in_c(indent: Any) -> None:
    assert_same_on_both_paths(ORDER, indent=indent)  # also compiles the classes, which runs Python once
    assert in_c(ddl.to_json, ORDER, indent=indent)
    assert in_c(ddl.Encoder().to_json, ORDER, indent=indent)


@pytest.mark.parametrize("indent", [True, 1.5, None, b"  "])
def test_other_indents_are_the_python_paths(indent: Any) -> None:
    assert_same_on_both_paths(ORDER, indent=indent)


def test_a_lone_surrogate_is_left_to_the_python_path() -> None:
    kind, text = assert_same_on_both_paths(Named("a\udc80b"), indent=2)
    assert (kind, text) == ("text", '{\n  "título": "a\udc80b"\n}')
    assert_same_on_both_paths(ORDER, indent="\udc80")


def test_the_python_entry_point_gives_the_same_text() -> None:
    from ddl._json import python_to_json

    for indent in INDENTS:
        assert partial(python_to_json, ORDER, indent=indent)() == ddl.to_json(ORDER, indent=indent)
