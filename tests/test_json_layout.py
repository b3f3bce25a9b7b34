"""``ddl.to_json``'s layout: ``sort_keys`` and ``ensure_ascii`` lay the text out as ``json.dumps``
lays out its value (as protobuf's ``MessageToJson`` takes them), with or without an indent, the
same on both engines; the value is the one-line text's.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import ddl
from tests.conftest import FIXTURE_SAFE, Engine, examples
from tests.json_paths import OPTIONS, assert_same_on_both_paths
from tests.strategies import schemas

LAYOUTS = st.fixed_dictionaries(
    {"sort_keys": st.booleans(), "ensure_ascii": st.booleans(), "indent": st.sampled_from([None, 0, 2, "\t"])}
)


@settings(FIXTURE_SAFE, max_examples=examples(80))
@given(schema=schemas(proto2=True), data=st.data())
def test_a_random_value_is_laid_out_as_json_dumps_lays_out_its_value(
    engine: Engine, schema: Any, data: st.DataObject
) -> None:
    msg = data.draw(schema.values())
    options, layout = data.draw(OPTIONS), data.draw(LAYOUTS)
    outcome = assert_same_on_both_paths(msg, **options, **layout)
    if outcome[0] == "text":
        value = json.loads(engine.to_json(msg, **options))
        assert outcome[1] == json.dumps(
            value,
            sort_keys=layout["sort_keys"] is True,
            ensure_ascii=layout["ensure_ascii"] is True,
            indent=layout["indent"],
        )


class Profile(ddl.Message):
    name: str = ""
    scores: dict[str, int] = {}
    labels: dict[int, str] = {}
    tags: list[str] = []


def test_sorted_keys_give_equal_messages_one_text_whatever_order_their_maps_were_filled_in(engine: Engine) -> None:
    first = Profile(name="Ada", scores={"b": 2, "a": 1}, labels={10: "x", 9: "y"}, tags=["z", "a"])
    second = Profile(name="Ada", scores={"a": 1, "b": 2}, labels={9: "y", 10: "x"}, tags=["z", "a"])
    assert first == second
    assert engine.to_json(first) != engine.to_json(second)
    text = engine.to_json(first, sort_keys=True)
    assert text == engine.to_json(second, sort_keys=True)
    # Keys as JSON has them, so "10" before "9"; a list keeps its order.
    assert (
        text == '{"labels": {"10": "x", "9": "y"}, "name": "Ada", "scores": {"a": "1", "b": "2"}, "tags": ["z", "a"]}'
    )


def test_ensure_ascii_escapes_every_other_character_as_json_dumps_does(engine: Engine) -> None:
    msg = Profile(name="Adà 中 😀", tags=["é", "\x7f"])
    text = engine.to_json(msg, ensure_ascii=True)
    assert text.isascii()
    assert '"Ad\\u00e0 \\u4e2d \\ud83d\\ude00"' in text
    assert json.loads(text) == json.loads(engine.to_json(msg))
    assert ddl.Encoder().to_json(msg, ensure_ascii=True, sort_keys=True) == engine.to_json(
        msg, sort_keys=True, ensure_ascii=True
    )
