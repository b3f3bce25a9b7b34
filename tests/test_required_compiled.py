"""proto2's required fields on the compiled engine (ddl/_cy/required.pxi).

After a compiled read, binary or JSON, the compiled engine walks what it read for missing
required fields itself, and hands the message to ddl._proto2's walk only when one is missing
(whose error names it) or when it cannot tell (a wrapper message holding such messages). Both
engines must give the same value or the same error on every input; a complete message is then
checked without running Python code.

The inputs are written from a twin schema without the requirement (``Loose*``: the same fields,
numbers and JSON names, each required field optional), so that any of them may be missing.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ddl
from ddl import _compiled
from ddl.testing import instances
from tests.conftest import no_collection, python_calls_of
from tests.json_paths import engine_on

pytestmark = pytest.mark.skipif(_compiled.speedups is None, reason="the compiled engine is not built")


class Part(ddl.Message):
    id: ddl.int32 = ddl.field(required=True)
    note: str = ""


class Holder(ddl.Message):
    name: str = ddl.field(required=True)
    part: Part | None = None
    parts: list[Part] = ddl.field(default_factory=list)
    fixed: tuple[Part, ...] = ()
    by_key: dict[str, Part] = ddl.field(default_factory=dict)
    either: Part | str | None = None
    grouped: Part | None = ddl.field(default=None, oneof="pick")
    other: str | None = ddl.field(default=None, oneof="pick")
    child: Holder | None = None
    rows: list[list[Part]] = ddl.field(default_factory=list)  # wrapper messages: left to ddl._proto2
    shelves: dict[str, list[Part]] = ddl.field(default_factory=dict)  # and as map values


class LoosePart(ddl.Message):
    id: ddl.int32 | None = None
    note: str = ""


class LooseHolder(ddl.Message):
    name: str | None = None
    part: LoosePart | None = None
    parts: list[LoosePart] = ddl.field(default_factory=list)
    fixed: tuple[LoosePart, ...] = ()
    by_key: dict[str, LoosePart] = ddl.field(default_factory=dict)
    either: LoosePart | str | None = None
    grouped: LoosePart | None = ddl.field(default=None, oneof="pick")
    other: str | None = ddl.field(default=None, oneof="pick")
    child: LooseHolder | None = None
    rows: list[list[LoosePart]] = ddl.field(default_factory=list)
    shelves: dict[str, list[LoosePart]] = ddl.field(default_factory=dict)


def json_of(loose: LooseHolder) -> str:
    """The JSON of ``loose`` as a ``Holder`` would be written: a union's member is named after its
    class (eitherPart), and an escaped quote inside a string never precedes or ends the key."""
    return ddl.to_json(loose).replace('"eitherLoosePart"', '"eitherPart"')


def outcome(read: Any, data: Any, compiled: bool) -> Any:
    """What ``read(data, Holder)`` gives on one engine: the value, or the error's text and path."""
    with engine_on(compiled):
        try:
            return ("value", read(data, Holder))
        except ddl.DecodeError as e:
            return ("error", str(e), e.path, e.offset)


def in_wrappers(loose: LooseHolder) -> bool:
    """Whether a message of ``loose``'s tree sits in a wrapper message (``rows``, ``shelves``)."""
    holders: list[LooseHolder | None] = [loose]
    while holders:
        h = holders.pop()
        if h is not None:
            if h.rows or h.shelves:  # a wrapper message each, even of an empty list
                return True
            holders.append(h.child)
    return False


@given(loose=instances(LooseHolder, max_depth=3))
def test_both_engines_find_the_same_missing_required_field_or_none(loose: LooseHolder) -> None:
    for read, data in ((ddl.decode, ddl.encode(loose)), (ddl.from_json, json_of(loose))):
        python, compiled = outcome(read, data, False), outcome(read, data, True)
        assert python == compiled
        if compiled[0] == "value" and not in_wrappers(loose):
            with no_collection():
                assert python_calls_of(read, data, Holder) == 0  # checked in C


PART = {"id": 1}


@pytest.mark.parametrize(
    ("given_", "path"),
    [
        ({}, "$.name"),
        ({"part": {}}, "$.part.id"),
        ({"parts": [PART, {"note": "x"}]}, "$.parts[1].id"),
        ({"fixed": [{}]}, "$.fixed[0].id"),
        ({"byKey": {"a": PART, "b": {}}}, "$.by_key['b'].id"),
        ({"eitherLoosePart": {}}, "$.either.id"),
        ({"grouped": {}}, "$.grouped.id"),
        ({"child": {"name": "c", "child": {"name": "d", "parts": [{}]}}}, "$.child.child.parts[0].id"),
        ({"rows": [{"values": [PART, {}]}]}, "$.rows[0][1].id"),
        ({"shelves": {"s": {"values": [{}]}}}, "$.shelves['s'][0].id"),
    ],
)
def test_each_place_a_required_field_can_be_missing_is_an_error_naming_it(given_: dict[str, Any], path: str) -> None:
    loose = ddl.from_dict({"name": "n", **given_} if path != "$.name" else given_, LooseHolder)
    for read, data in ((ddl.from_json, json_of(loose)), (ddl.decode, ddl.encode(loose))):
        kind, message, where, _ = outcome(read, data, True)
        assert (kind, where) == ("error", path)
        assert message.startswith(f"the required field {path.rsplit('.', 1)[1]!r} is missing")
        assert outcome(read, data, False) == outcome(read, data, True)


@given(st.integers(min_value=1, max_value=98))
def test_a_deep_chain_of_complete_messages_is_checked_in_c(depth: int) -> None:
    # up to the default max_depth (100) of both readers, with the list of the deepest
    loose = LooseHolder(name="leaf", parts=[LoosePart(id=1)])
    for _ in range(depth):
        loose = LooseHolder(name="n", child=loose)
    for read, data in ((ddl.decode, ddl.encode(loose)), (ddl.from_json, json_of(loose))):
        assert outcome(read, data, True) == outcome(read, data, False)
        with no_collection():
            assert python_calls_of(read, data, Holder) == 0
