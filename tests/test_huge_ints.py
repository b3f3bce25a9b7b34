"""An int too long for Python to print (more than ``sys.get_int_max_str_digits()`` digits, 4,300
unless lowered), or a string of that many digits, wherever a value goes: each entry point gives
its value, or a ``DecodeError`` / ``EncodeError`` naming the place, never the bare ValueError
that printing or parsing such an int raises (``repr(10**5000)`` is one).
"""

from __future__ import annotations

import contextlib
import enum
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ddl
from ddl._errors import shown
from ddl._pyengine._source import slot_setter
from tests.conftest import FIXTURE_SAFE, Engine, examples
from tests.strategies import schemas

HUGE = 10**5000
DIGITS = "1" * 5000


class Shade(enum.IntEnum):
    NONE = 0
    DARK = 1


class Kinds(ddl.Message):
    i32: ddl.int32 = 0
    i64: int = 0
    u64: ddl.uint64 = 0
    f64: float = 0.0
    f32: ddl.float32 = 0.0
    flag: bool = False
    shade: Shade = Shade.NONE
    by_id: dict[int, str] = {}
    ids: list[int] = []
    seen: set[int] = set()
    wait: timedelta | None = None
    anything: Any = None


def test_a_huge_int_is_shown_by_its_size_and_others_as_repr() -> None:
    assert shown(HUGE) == "an int of 16610 bits"
    assert shown(-HUGE) == "a negative int of 16610 bits"
    assert shown(2**1024) == "an int of 1025 bits"
    assert shown(2**1024 - 1) == repr(2**1024 - 1)
    assert shown("x") == "'x'"
    assert shown(range(HUGE, HUGE + 1)) == "a range too long to print"


def test_a_huge_field_number_or_reserved_number_is_a_schema_error() -> None:
    with pytest.raises(ddl.SchemaError, match="field number an int of 16610 bits is outside"):

        class Numbered(ddl.Message):
            x: int = ddl.field(number=HUGE)

    with pytest.raises(ddl.SchemaError, match="reserved number an int of 16610 bits is outside"):

        class Reserving(ddl.Message, reserved=(HUGE,)):
            x: int = 0


# --- reading -------------------------------------------------------------------------------------

TEXTS = {
    "a quoted int32": ({"i32": DIGITS}, "$.i32"),
    "a quoted negative int64": ({"i64": "-" + DIGITS}, "$.i64"),
    "a quoted uint64 with a plus": ({"u64": "+" + DIGITS}, "$.u64"),
    "leading zeros before it": ({"i64": "000" + DIGITS}, "$.i64"),
    "a map key": ({"byId": {DIGITS: "x"}}, "$.byId"),
    "a list element": ({"ids": [1, DIGITS]}, "$.ids[1]"),
    "a set element": ({"seen": [DIGITS]}, "$.seen[0]"),
    "a Duration's seconds": ({"wait": DIGITS + "s"}, "$.wait"),
    "an enum's number in a string": ({"shade": DIGITS}, "$.shade"),
}


@pytest.mark.parametrize("case", list(TEXTS))
def test_a_number_of_thousands_of_digits_in_json_text_is_a_decode_error(engine: Engine, case: str) -> None:
    value, path = TEXTS[case]
    with pytest.raises(ddl.DecodeError) as caught:
        engine.from_json(json.dumps(value), Kinds)
    assert caught.value.path.startswith(path), caught.value.path


VALUES = {
    "int32": ({"i32": HUGE}, "$.i32"),
    "int64": ({"i64": -HUGE}, "$.i64"),
    "uint64": ({"u64": HUGE}, "$.u64"),
    "double": ({"f64": HUGE}, "$.f64"),
    "float": ({"f32": -HUGE}, "$.f32"),
    "bool": ({"flag": HUGE}, "$.flag"),
    "enum": ({"shade": HUGE}, "$.shade"),
    "map key": ({"byId": {HUGE: "x"}}, "$.byId"),
    "list element": ({"ids": [1, HUGE]}, "$.ids[1]"),
    "google.protobuf.Value": ({"anything": HUGE}, "$.anything"),
    "inside a Value": ({"anything": {"a": [HUGE]}}, "$.anything"),
    "a quoted int64": ({"i64": DIGITS}, "$.i64"),
}


@pytest.mark.parametrize("case", list(VALUES))
def test_a_huge_int_among_plain_values_is_a_decode_error(engine: Engine, case: str) -> None:
    obj, path = VALUES[case]
    with pytest.raises(ddl.DecodeError) as caught:
        ddl.from_dict(obj, Kinds)
    assert caught.value.path.startswith(path), caught.value.path


def test_a_number_of_thousands_of_digits_that_fits_is_read_as_its_value(engine: Engine) -> None:
    # Leading zeros are not digits that count: the value fits.
    assert engine.from_json(json.dumps({"i64": "0" * 5000 + "7"}), Kinds).i64 == 7
    assert ddl.from_dict({"u64": "0" * 5000}, Kinds).u64 == 0


# --- writing -------------------------------------------------------------------------------------

MESSAGES = {
    "int32": (Kinds(i32=HUGE), "$.i32"),
    "int64": (Kinds(i64=-HUGE), "$.i64"),
    "uint64": (Kinds(u64=HUGE), "$.u64"),
    "double": (Kinds(f64=HUGE), "$.f64"),
    "float": (Kinds(f32=HUGE), "$.f32"),
    "map key": (Kinds(by_id={HUGE: "x"}), "$.by_id"),
    "list element": (Kinds(ids=[1, HUGE]), "$.ids"),
    "set element": (Kinds(seen={1, -HUGE}), "$.seen"),
    "google.protobuf.Value": (Kinds(anything=HUGE), "$.anything"),
    "inside a Value": (Kinds(anything={"a": [HUGE]}), "$.anything"),
}


@pytest.mark.parametrize("write", ["encode", "to_json", "to_dict"])
@pytest.mark.parametrize("case", list(MESSAGES))
def test_a_huge_int_in_a_field_is_an_encode_error(engine: Engine, case: str, write: str) -> None:
    msg, path = MESSAGES[case]
    calls: dict[str, Callable[[Any], object]] = {
        "encode": engine.encode,
        "to_json": engine.to_json,
        "to_dict": ddl.to_dict,
    }
    with pytest.raises(ddl.EncodeError) as caught:
        calls[write](msg)
    # JSON's errors name the field by its JSON name, the binary encoder's by its .proto name.
    json_path = re.sub(r"_([a-z])", lambda m: m.group(1).upper(), path)
    assert caught.value.path.startswith((path, json_path)), caught.value.path


HUGE_VALUES = [HUGE, -HUGE, [1, HUGE], {HUGE: 1}, {"k": HUGE}, {HUGE}, (HUGE,), frozenset([-HUGE])]


@settings(FIXTURE_SAFE, max_examples=examples(60))
@given(schema=schemas(proto2=True), data=st.data())
def test_a_huge_int_in_any_field_of_any_schema_is_written_or_refused_with_an_encode_error(
    engine: Engine, schema: Any, data: st.DataObject
) -> None:
    msg = data.draw(schema.values())
    fields = schema.fields_of(type(msg))
    if fields:
        name = data.draw(st.sampled_from(fields)).name
        slot_setter(type(msg), name)(msg, data.draw(st.sampled_from(HUGE_VALUES)))  # past a frozen class
    for write in (engine.encode, engine.to_json, ddl.to_dict, lambda m: ddl.to_json(m, indent=2)):
        with contextlib.suppress(ddl.EncodeError):  # any other error fails the test
            write(msg)


def marked(value: Any) -> Any:
    """``value`` with each huge int replaced by a mark, which json.dumps can write."""
    if isinstance(value, dict):
        return {k: marked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [marked(v) for v in value]
    if type(value) is int and abs(value) == HUGE:
        return "<huge>" if value > 0 else "<-huge>"
    return value


READ_VALUES = [HUGE, -HUGE, [HUGE], {"k": HUGE}, {DIGITS: 1}, DIGITS, "-" + DIGITS, DIGITS + "s", [DIGITS]]


@settings(FIXTURE_SAFE, max_examples=examples(60))
@given(schema=schemas(proto2=True), data=st.data())
def test_a_huge_number_in_any_field_of_any_schema_is_read_or_refused_with_a_decode_error(
    engine: Engine, schema: Any, data: st.DataObject
) -> None:
    msg = data.draw(schema.values())
    try:
        obj = engine.to_json(msg, preserving_proto_field_name=True)
    except ddl.EncodeError:
        return
    fields = schema.fields_of(type(msg))
    if not fields:
        return
    plain = json.loads(obj)
    plain[data.draw(st.sampled_from(fields)).name] = data.draw(st.sampled_from(READ_VALUES))
    with contextlib.suppress(ddl.DecodeError):  # any other error fails the test
        ddl.from_dict(plain, type(msg))
    # The same as text, each huge int written out in 5,000 digits (json.dumps refuses to).
    text = json.dumps(marked(plain)).replace('"<huge>"', DIGITS).replace('"<-huge>"', "-" + DIGITS)
    with contextlib.suppress(ddl.DecodeError):
        engine.from_json(text, type(msg))
