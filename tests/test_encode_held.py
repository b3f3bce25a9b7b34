"""A long packed run given as a buffer (a ``ddl.Vector``'s array, a numpy array, a memoryview) is
copied once by the compiled encoder: it holds the buffer's view, leaves the run's place in its own
buffer unwritten, and copies the run from the buffer straight into the result. Wherever the run
is (alone, between other fields, nested, more runs than it holds at once) and whatever the sizes
around it (lengths of 127/128 and 16383/16384 bytes, the encoder's stack buffer), the bytes are
the reference engine's, and every view is released when the call ends, or before any Python
code runs mid-encode."""

from __future__ import annotations

import datetime as dt
from array import array
from typing import Any

import pytest

import ddl
from ddl._api import encode_with
from ddl._compiled import program_of, speedups

pytestmark = pytest.mark.skipif(speedups is None, reason="the compiled engine is not built")


def compiled(msg: ddl.Message) -> bytes:
    # called directly: a hand-back to the reference engine (Bail) would fail here
    assert speedups is not None
    data: bytes = speedups.encode_program(program_of(type(msg)), msg, 100)
    return data


class Doc(ddl.Message):
    id: str = ""
    embedding: ddl.Vector[ddl.float32] = array("f")
    model: str = ""


class Wide(ddl.Message):
    values: ddl.Vector[float] = array("d")
    ids: ddl.Vector[ddl.fixed64] = array("Q")
    note: str = ""


class Row(ddl.Message):
    name: str = ""
    vector: ddl.Vector[ddl.float32] = array("f")


class Table(ddl.Message):
    rows: list[Row] = ddl.field(default_factory=list)
    tail: ddl.Vector[ddl.float32] = array("f")


def floats(n: int) -> array[float]:
    return array("f", [i * 0.25 - 3.0 for i in range(n)])


def resizable(*vectors: array[Any]) -> bool:
    """Whether no view of these arrays is held (an array cannot be resized while it exports one:
    BufferError)."""
    for v in vectors:
        v.frombytes(bytes(v.itemsize))
        del v[-1]
    return True


def run_bytes() -> list[int]:
    """Runs, in bytes, where what surrounds them changes: a length of one, two or three varint
    bytes (127/128 and 16383/16384, as 4-byte items reach them), the shortest run held, and
    runs about as long as the stack buffer."""
    if speedups is None:
        return []
    held, stack = speedups.HELD_RUN_BYTES, speedups.ENCODE_STACK_BYTES
    edges = {0, 4, 124, 128, 132, held - 4, held, held + 4, 16380, 16384, 16388, stack - 16, stack, stack + 16}
    return sorted(edges)


@pytest.mark.parametrize("size", run_bytes())
@pytest.mark.parametrize("id_length", [0, 1, 5])
def test_a_vector_between_fields_is_the_reference_engine_s_bytes(size: int, id_length: int) -> None:
    msg = Doc(id="d" * id_length, embedding=floats(size // 4), model="e5")
    assert compiled(msg) == encode_with(False, msg)
    assert resizable(msg.embedding)
    alone = Doc(embedding=msg.embedding)
    assert compiled(alone) == encode_with(False, alone)


@pytest.mark.parametrize("excess", [-1, 0, 1])
def test_a_message_of_the_stack_buffer_s_size_or_a_byte_more_or_less(excess: int) -> None:
    assert speedups is not None
    stack = speedups.ENCODE_STACK_BYTES
    embedding = floats((stack - 64) // 4)
    bare = len(encode_with(False, Doc(embedding=embedding)))
    msg = Doc(id="d" * (stack + excess - bare - 2), embedding=embedding)  # the id's tag and length: 2 bytes
    data = compiled(msg)
    assert len(data) == stack + excess
    assert data == encode_with(False, msg)


def test_runs_of_8_byte_items_and_a_short_run_beside_a_held_one() -> None:
    assert speedups is not None
    long = speedups.HELD_RUN_BYTES // 8 + 3
    for values, ids in [(long, long), (long, 2), (2, long), (0, long)]:
        msg = Wide(values=array("d", [x / 3 for x in range(values)]), ids=array("Q", range(ids)), note="n")
        assert compiled(msg) == encode_with(False, msg)
        assert resizable(msg.values, msg.ids)


def test_more_held_runs_than_are_held_at_once_nested_and_past_the_stack_buffer() -> None:
    assert speedups is not None
    n = 2 * speedups.HELD_RUNS + 1
    long = speedups.HELD_RUN_BYTES // 4
    rows = [Row(name=f"row{i}", vector=floats(4 * long * (i % 3) + i)) for i in range(n)]  # empty, short, long
    table = Table(rows=rows, tail=floats(long + 1))
    expected = encode_with(False, table)
    assert len(expected) > speedups.ENCODE_STACK_BYTES  # the buffer grows while views are held
    assert compiled(table) == expected
    assert compiled(table) == expected  # now from a buffer the size of the last message
    small = Table(rows=rows[:2], tail=floats(long))
    assert compiled(small) == encode_with(False, small)
    assert resizable(table.tail, *(row.vector for row in rows))


def test_a_memoryview_is_held_as_an_array_is() -> None:
    assert speedups is not None
    source = floats(speedups.HELD_RUN_BYTES)
    view = memoryview(source)
    msg = Doc(id="v", embedding=view, model="m")  # type: ignore[arg-type]
    assert compiled(msg) == encode_with(False, Doc(id="v", embedding=source, model="m"))
    view.release()  # refused while a view of it is held
    assert resizable(source)


def test_a_bail_after_a_held_run_releases_it() -> None:
    assert speedups is not None
    embedding = floats(speedups.HELD_RUN_BYTES)
    msg = Doc(id=7, embedding=embedding)  # type: ignore[arg-type]  # id is written after the vector
    with pytest.raises(speedups.Bail):
        compiled(msg)
    assert resizable(embedding)
    with pytest.raises(ddl.EncodeError, match="id"):
        ddl.encode(msg)
    assert resizable(embedding)


class Stamped(ddl.Message):
    at: dt.datetime | None = None
    embedding: ddl.Vector[ddl.float32] = array("f")


class Resizing(dt.tzinfo):
    """A zone whose utcoffset, Python code that runs while the Timestamp is written (after the
    vector, as the encoder writes backwards), resizes the vector and back."""

    def __init__(self, vector: array[float]) -> None:
        self.vector = vector

    def utcoffset(self, when: dt.datetime | None) -> dt.timedelta:
        assert resizable(self.vector)  # BufferError if its view were still held
        return dt.timedelta(hours=1)

    def dst(self, when: dt.datetime | None) -> dt.timedelta:
        return dt.timedelta(0)

    def tzname(self, when: dt.datetime | None) -> str:
        return "resizing"


def test_python_code_run_mid_encode_finds_the_held_run_released() -> None:
    assert speedups is not None
    embedding = floats(speedups.HELD_RUN_BYTES)
    msg = Stamped(at=dt.datetime(2024, 6, 1, 12, tzinfo=Resizing(embedding)), embedding=embedding)
    assert compiled(msg) == encode_with(False, msg)
