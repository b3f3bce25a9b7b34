"""``uuid.UUID`` and ``decimal.Decimal`` fields in the compiled engine's binary paths.

``UUID.bytes`` and ``UUID(bytes=...)`` are Python code (about 0.1 and 0.9 µs a call); the compiled
engine reads a UUID's ``int`` slot and makes one with its two slots set, as ``UUID.__init__``
sets them. A Decimal is written by its ``str()`` and read by its constructor, the C decimal
module's code, without ``decimal_to_wire`` and ``decimal_from_wire`` around them. So the bytes,
values and errors are the Python engine's, with no Python code run.
"""

from __future__ import annotations

import decimal
import pickle
import threading
import uuid
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ddl
from ddl import _compiled
from tests.conftest import examples, no_collection, python_calls_of
from tests.json_paths import engine_on
from tests.strategies import assert_same

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


def round_trip(msg: Any) -> tuple[Any, Any]:
    """``msg`` through both engines: the same bytes from each, and no Python code run by the
    compiled one either way; what each engine decodes, the Python one's first."""
    data = outcome(ddl.encode, msg, compiled=False)
    assert outcome(ddl.encode, msg, compiled=True) == data
    with no_collection():
        assert python_calls_of(ddl.encode, msg) == 0
        assert python_calls_of(ddl.decode, data[1], type(msg)) == 0
    return (outcome(ddl.decode, data[1], type(msg), compiled=False)[1],
            outcome(ddl.decode, data[1], type(msg), compiled=True)[1])  # fmt: skip


def assert_decodes_alike(data: bytes, cls: type) -> None:
    """Both engines decode ``data`` into the same value (exact types), or fail with the same error."""
    compiled = outcome(ddl.decode, data, cls, compiled=True)
    python = outcome(ddl.decode, data, cls, compiled=False)
    assert compiled[0] == python[0], (compiled, python)
    if python[0] == "value":
        assert_same(python[1], compiled[1])
    else:
        assert compiled == python


def assert_encodes_alike(msg: Any) -> None:
    """Both engines encode ``msg`` to the same bytes, or fail with the same error; and decode
    those bytes alike."""
    written = outcome(ddl.encode, msg, compiled=True)
    assert written == outcome(ddl.encode, msg, compiled=False)
    if written[0] == "value":
        assert_decodes_alike(written[1], type(msg))


UUIDS = st.one_of(st.uuids(), st.sampled_from([uuid.UUID(int=0), uuid.UUID(int=2**128 - 1), uuid.UUID(int=2**64)]))


@settings(max_examples=examples(200), deadline=None)
@given(id=st.none() | UUIDS, owner=UUIDS, ids=st.lists(UUIDS, max_size=3),
       by_name=st.dictionaries(st.text(max_size=3), UUIDS, max_size=2))  # fmt: skip
def test_uuids_are_written_and_read_as_the_python_engine_does_with_no_python_code(**values: Any) -> None:
    msg = Keyed(**values)
    python, read = round_trip(msg)
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


class Priced(ddl.Message):
    price: Decimal | None = None
    total: Decimal = Decimal(0)
    prices: list[Decimal] = ddl.field(default_factory=list)


@settings(max_examples=examples(200), deadline=None)
@given(price=st.none() | st.decimals(), total=st.decimals(), prices=st.lists(st.decimals(), max_size=3))
def test_decimals_are_written_and_read_as_the_python_engine_does_with_no_python_code(**values: Any) -> None:
    msg = Priced(**values)
    python, read = round_trip(msg)
    assert [str(d) for d in [read.total, *read.prices]] == [str(d) for d in [python.total, *python.prices]]
    assert str(read.price) == str(python.price) == str(msg.price)  # exact: "1.10" stays 1.10


@pytest.mark.parametrize(
    "text",
    [
        "1.10", "-0", "0E-7", "1e999999999", "NaN", "-sNaN12", "Infinity", "-inf", "", " 1", "1 ", "1_0", "abc",
        "\u0661\u0662", "1.2.3", "+.5", "1e", "nan123456789012345678901234567890", "\u00a01",
    ],
)  # fmt: skip
def test_decimal_texts_read_as_the_python_engine_reads_them(text: str) -> None:
    data = ddl.encode(Priced(total=Decimal(1))) + b"\x1a" + bytes([len(text.encode())]) + text.encode()  # prices
    compiled = outcome(ddl.decode, data, Priced, compiled=True)
    assert repr(compiled) == repr(outcome(ddl.decode, data, Priced, compiled=False))  # (NaN is not NaN)


def test_a_decimal_is_written_in_a_thread_without_a_decimal_context_as_in_any_other() -> None:
    # str() there would make the thread's context, which could start a collection: the Python
    # function writes it, and makes the context; the next message is written in C.
    msg = Priced(price=Decimal("1.10"))
    expected = ddl.encode(msg)
    written: list[bytes] = []
    thread = threading.Thread(target=lambda: written.extend([ddl.encode(msg), ddl.encode(msg)]))
    thread.start()
    thread.join()
    assert written == [expected, expected]


def test_a_decimal_is_written_with_its_threads_context() -> None:
    # str() of a Decimal follows the context's capitals; so does decimal_to_wire.
    msg = Priced(price=Decimal("1E+3"))
    found: list[tuple[str, Any]] = []

    def run() -> None:
        decimal.setcontext(decimal.Context(capitals=0))
        found.extend([outcome(ddl.encode, msg, compiled=True), outcome(ddl.encode, msg, compiled=False)])

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert found[0] == found[1]
    assert b"1e+3" in found[0][1]
