"""``ignore_unknown_fields`` on the compiled JSON reader.

Read with ``ignore_unknown_fields=True`` (what a service sets to take the JSON of a newer
schema), a key that no field takes is passed with its value. The compiled reader passes such
keys itself: the value is read through as a ``typing.Any`` value would be, so the text must be
valid JSON all through, as the Python reader (``json.loads`` first) requires. What it leaves to
the Python reader: an extension's key (``[full.name]``), a key that is not ASCII or holds an
escape, the same unknown key twice, and anything its reading of values bails on. Both engines
give the same value or error on every text.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ddl
from ddl import _compiled
from tests.conftest import examples
from tests.strategies import offset_into, schemas
from tests.test_json_compiled_read import Kinds, assert_engines_agree
from tests.test_json_compiled_unknown import Line, Order
from tests.test_json_read_differential import assert_same

pytestmark = pytest.mark.skipif(_compiled.speedups is None, reason="the compiled engine is not built")


def read_in_c(text: str | bytes, cls: type) -> Any:
    """The compiled reader alone, ignoring unknown fields: the message, or None where it leaves
    the text to Python."""
    assert _compiled.speedups is not None
    return _compiled.speedups.json_read(text, cls, True)


NEWER = (
    '{"id": "7", "channel": "web", "lines": [{"sku": "a", "warehouse": {"zone": [1, 2.5, null, true]}, "qty": 2},'
    ' {"sku": "b", "tags": ["x", "y"], "rush": false}], "audit": {"by": "ada", "at": "2026-11-30T00:00:00Z"},'
    ' "": 0, "v": -1.5e-3}'
)


def test_the_json_of_a_newer_schema_is_read_in_c_without_its_unknown_keys() -> None:
    expected = Order(id=7, lines=[Line(sku="a", qty=2), Line(sku="b")])
    for text in (NEWER, NEWER.encode()):
        read = read_in_c(text, Order)
        assert read == expected
        assert_same(expected, ddl.from_json(text, Order, ignore_unknown_fields=True))
        assert ddl.Decoder(Order).from_json(text, ignore_unknown_fields=True) == expected
    assert_engines_agree(NEWER, Order, ignore_unknown_fields=True)
    assert_engines_agree(NEWER, Order)  # without the option: an error on both
    assert _compiled.speedups is not None and _compiled.speedups.json_read(NEWER, Order) is None


@pytest.mark.parametrize(
    "text",
    [
        '{"extra": 1, "extra": 2}', '{"extra": 1, "i32": 2, "extra": 3}', '{"[ext.name]": 1}', '{"é": 1}',
        '{"\\u0065xtra": 1}', '{"extra": NaN}', '{"extra": Infinity}', '{"extra": 1e400}', '{"extra": -}',
        '{"extra": 123456789012345678901234567890}', '{"extra": [1, 2,]}', '{"extra": {"a": 1, "a": 2}}',
        '{"extra": "\\ud800"}', '{"extra": "\\x"}', '{"extra": tru}', '{"extra" 1}', '{"extra": }', '{"extra"}',
        '{"extra": ' + "[" * 99 + "]" * 99 + "}", '{"extra": ' + "[" * 200 + "]" * 200 + "}",
        '{"extra": ' + "[" * 2000 + "]" * 2000 + "}", '{"extra": [' + "1, " * 1000 + "1]}",
        "{" + ", ".join(f'"k{i}": {i}' for i in range(16)) + "}",
        "{" + ", ".join(f'"k{i}": {i}' for i in range(17)) + "}",
        '{"leaf": {"n": 1, "x": {"y": [1]}}, "leaves": [{"z": null}, {"n": 2, "z": "q"}]}', '{"@type": "x.Y"}',
        '{"shade": "NOT_A_SHADE", "extra": 1}', '{"extra": "tab\there"}', '{"extra": "\\u0000"}',
    ],
)  # fmt: skip
def test_each_unknown_key_and_value_reads_alike_on_both_engines(text: str) -> None:
    assert_engines_agree(text, Kinds, ignore_unknown_fields=True)
    assert_engines_agree(text.encode(), Kinds, ignore_unknown_fields=True)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False, allow_infinity=False) | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)
UNKNOWN_KEYS = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=10).map(lambda k: f"zz_{k}")


@settings(max_examples=examples(150), deadline=None)
@given(schema=schemas(proto2=True), data=st.data())
def test_random_schemas_json_with_unknown_keys_reads_alike(schema: Any, data: st.DataObject) -> None:
    value = data.draw(schema.values())
    try:
        obj = json.loads(ddl.to_json(value))
    except ddl.EncodeError:
        return  # no JSON form (a NaN in a Value): nothing to read
    if not isinstance(obj, dict):
        return  # a class with a JSON form of its own
    extra = data.draw(st.dictionaries(UNKNOWN_KEYS, JSON_VALUES, max_size=4))
    items = list(obj.items())
    for key, extra_value in extra.items():
        items.insert(data.draw(st.integers(0, len(items))), (key, extra_value))
    text = "{" + ", ".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in items) + "}"
    kind = assert_engines_agree(text, schema.root, ignore_unknown_fields=True)[0]
    assert kind == "value"
    cut = offset_into(data, text)
    assert_engines_agree(text[:cut], schema.root, ignore_unknown_fields=True)
