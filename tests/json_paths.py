"""What ``ddl.to_json`` gives on each path: the compiled writer's own text (json_write.pxi), or
the Python path's, which decides every text it leaves and every error. The tests of the compiled
JSON writer and readers compare the two through these helpers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest
from hypothesis import strategies as st

import ddl
from ddl import _compiled
from ddl._pyengine._source import slot_setter
from tests.test_json_write import Color, Profile, Tree

compiled = pytest.mark.skipif(_compiled.speedups is None, reason="the compiled engine is not built")

OPTIONS = st.fixed_dictionaries(
    {
        "preserving_proto_field_name": st.booleans(),
        "always_print_fields_with_no_presence": st.booleans(),
        "use_integers_for_enums": st.booleans(),
    }
)


@contextmanager
def engine_on(compiled: bool) -> Iterator[None]:
    """The public JSON functions run on the compiled engine (which leaves what it does not take
    to the Python path, which then decides the value or the error), or on the Python path only."""
    before = _compiled.state.compiled
    _compiled.state.compiled = compiled
    try:
        yield
    finally:
        _compiled.state.compiled = before


def python_path() -> AbstractContextManager[None]:
    return engine_on(False)


def outcome(write: Callable[[], str]) -> tuple[str, Any]:
    """What a call gives: its text, or its error's type and message."""
    try:
        return "text", write()
    except Exception as e:  # noqa: BLE001 - every error must be the same on both paths
        return type(e).__name__, str(e)


def assert_same_on_both_paths(msg: Any, **options: Any) -> tuple[str, Any]:
    """``ddl.to_json(msg)`` as the compiled engine runs it is what the Python path gives."""
    ours = outcome(lambda: ddl.to_json(msg, **options))
    with python_path():
        reference = outcome(lambda: ddl.to_json(msg, **options))
    assert ours == reference
    return ours


def written_in_c(msg: Any, **options: Any) -> str | None:
    """The compiled writer's own text, None when it leaves the message to the Python path."""
    assert _compiled.speedups is not None
    return _compiled.speedups.to_json(  # type: ignore[no-any-return]
        msg,
        options.get("preserving_proto_field_name", False),
        options.get("always_print_fields_with_no_presence", False),
        options.get("use_integers_for_enums", False),
    )


def written_in_c_as_python(msg: Any, **options: Any) -> str:
    """The text the compiled writer writes of ``msg`` itself, which is the Python path's."""
    text = written_in_c(msg, **options)
    assert text is not None
    assert assert_same_on_both_paths(msg, **options) == ("text", text)
    return text


class Odd(str):
    pass


class Count(int):
    pass


# Values of the wrong type, out of range, or of a subclass, for any field: the compiled writer
# must leave each to the Python path (which writes it, converted, or refuses it), never decide.
ODD_VALUES: list[Any] = [
    None, True, False, 0, -1, 1.5, -0.0, float("nan"), float("inf"), 1e300, 2**31, 2**32, 2**63, 2**64, -(2**63) - 1,
    "", "x", "\ud800", "\x00\x1f\"\\", b"", b"\xff", bytearray(b"a"), [], [1], ("a",), {1, 2}, frozenset(), {},
    {"k": 1}, {1: "v"}, {True: 0}, Color.GREEN, Odd("s"), Count(3), Profile(), Tree("t"),
]  # fmt: skip


def holding_anything(schema: Any, data: st.DataObject) -> Any:
    """A message of ``schema`` with one of ODD_VALUES in a field drawn at random (when it has one)."""
    msg = data.draw(schema.values())
    fields = schema.fields_of(type(msg))
    if fields:
        name = data.draw(st.sampled_from(fields)).name
        slot_setter(type(msg), name)(msg, data.draw(st.sampled_from(ODD_VALUES)))  # past a frozen class
    return msg
