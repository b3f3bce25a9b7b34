"""``uuid.UUID`` fields in the compiled engine: read and made through the UUID's slots.

``UUID.bytes`` and ``UUID(bytes=...)`` are Python code (about 0.1 and 0.9 µs a call); the compiled
engine reads a UUID's ``int`` slot and makes one with its two slots set, as ``UUID.__init__``
sets them. So its bytes, values and errors are the Python engine's, with no Python code run.
"""

from __future__ import annotations

import pickle
import uuid
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ddl
from ddl import _compiled
from tests.conftest import no_collection, python_calls_of
from tests.test_json_compiled_read import engine_on

pytestmark = pytest.mark.skipif(_compiled.speedups is None, reason="the compiled engine is not built")


class Keyed(ddl.Message):
    id: uuid.UUID | None = None
    owner: uuid.UUID = uuid.UUID(int=0)
    ids: list[uuid.UUID] = ddl.field(default_factory=list)
    by_name: dict[str, uuid.UUID] = ddl.field(default_factory=dict)


def outcome(call: Any, *args: Any, compiled: bool) -> tuple[str, Any]:
    with engine_on(compiled):
        try:
            return "value", call(*args)
        except Exception as e:  # noqa: BLE001 - every error must be the same on both engines
            return type(e).__name__, str(e)


UUIDS = st.one_of(st.uuids(), st.sampled_from([uuid.UUID(int=0), uuid.UUID(int=2**128 - 1), uuid.UUID(int=2**64)]))


@settings(max_examples=200, deadline=None)
@given(id=st.none() | UUIDS, owner=UUIDS, ids=st.lists(UUIDS, max_size=3),
       by_name=st.dictionaries(st.text(max_size=3), UUIDS, max_size=2))  # fmt: skip
def test_uuids_are_written_and_read_as_the_python_engine_does_with_no_python_code(**values: Any) -> None:
    msg = Keyed(**values)
    data = outcome(ddl.encode, msg, compiled=False)
    assert outcome(ddl.encode, msg, compiled=True) == data
    python = outcome(ddl.decode, data[1], Keyed, compiled=False)[1]
    read = outcome(ddl.decode, data[1], Keyed, compiled=True)[1]
    with no_collection():
        assert python_calls_of(ddl.encode, msg) == 0
        assert python_calls_of(ddl.decode, data[1], Keyed) == 0
    assert read == python == msg
    for made, reference in zip([read.owner, *read.ids], [python.owner, *python.ids], strict=True):
        assert type(made) is uuid.UUID
        assert made.is_safe is reference.is_safe is uuid.SafeUUID.unknown
        assert hash(made) == hash(reference)
        assert str(made) == str(reference)
        assert pickle.loads(pickle.dumps(made)) == reference


class Tagged(uuid.UUID):
    pass


def odd_uuid(number: object) -> uuid.UUID:
    u = uuid.UUID(int=1)
    object.__setattr__(u, "int", number)  # past UUID's own checks
    return u


@pytest.mark.parametrize(
    "value",
    [
        Tagged(int=5), odd_uuid(-1), odd_uuid(2**128), odd_uuid(True), odd_uuid("x"), odd_uuid(2**127 + 0.5),
        "12345678-1234-5678-1234-567812345678", None,
    ],
)  # fmt: skip
def test_other_values_are_written_or_refused_as_the_python_engine_does(value: Any) -> None:
    msg = Keyed(owner=value, ids=[uuid.UUID(int=3), value])
    assert outcome(ddl.encode, msg, compiled=True) == outcome(ddl.encode, msg, compiled=False)


@pytest.mark.parametrize("length", [0, 1, 15, 16, 17, 32])
def test_bytes_of_any_length_read_as_the_python_engine_reads_them(length: int) -> None:
    data = ddl.encode(Keyed()) + b"\x12" + bytes([length]) + bytes(range(length))  # owner, number 2
    compiled = outcome(ddl.decode, data, Keyed, compiled=True)
    assert compiled == outcome(ddl.decode, data, Keyed, compiled=False)
    assert (compiled[0] == "value") is (length in (0, 16))  # a UUID is 16 bytes; none is the nil UUID
