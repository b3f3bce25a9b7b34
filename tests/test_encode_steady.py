"""Once two messages of a class in a row had one size, the compiled encoder writes the next one
straight into the bytes object it returns, sized as they were, and makes the object around it.
Whatever comes next (the same size, a larger message that outgrows it, a smaller one, a run of
an array held on the way, Python code run mid-encode, a bail), the bytes are the reference
engine's, and the object is a sound bytes object: its length, its hash, its slices."""

from __future__ import annotations

import datetime as dt
from array import array

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


def sound(data: bytes, expected: bytes) -> bool:
    """``data`` is ``expected`` as a bytes object of its own: equal, of its length, hashed as a
    fresh copy is (a hash left unset would be a stale number), and sliced and joined alike."""
    copy = bytes(bytearray(expected))
    return (
        type(data) is bytes
        and data == copy
        and len(data) == len(copy)
        and hash(data) == hash(copy)
        and data[1:] + data[:1] == copy[1:] + copy[:1]
    )


class Point(ddl.Message):
    name: str = ""
    x: float = 0.0
    tags: list[int] = ddl.field(default_factory=list)


class Node(ddl.Message):
    value: int = 0
    children: list[Node] = ddl.field(default_factory=list)


class Doc(ddl.Message):
    id: str = ""
    embedding: ddl.Vector[ddl.float32] = array("f")
    at: dt.datetime | None = None


def tree(depth: int) -> Node:
    return Node(value=-depth, children=[tree(depth - 1), tree(depth - 1)] if depth else [])


@pytest.mark.parametrize(
    "msg",
    [
        Point(name="p", x=1.5, tags=[1, 300, -1]),  # a few bytes
        Point(name="q" * 20_000, tags=list(range(-50, 5000))),  # past the stack buffer
        tree(9),  # nested lengths all the way
        Doc(id="d", embedding=array("f", range(1024))),  # a held run
    ],
    ids=["small", "large", "tree", "vector"],
)
def test_a_steady_size_is_written_into_its_bytes_object(msg: ddl.Message) -> None:
    expected = encode_with(False, msg)
    for _ in range(4):  # the third and fourth go straight into their bytes objects
        assert sound(compiled(msg), expected)


def test_after_a_steady_size_a_larger_and_a_smaller_message_are_the_reference_engine_s() -> None:
    for size in [100, 20_000]:
        steady = Point(name="s" * size, x=2.0)
        for _ in range(3):
            compiled(steady)
        for name in ["s" * (size + 1), "s" * (size + 9), "s" * (size * 3), "s" * (size - 1), ""]:
            msg = Point(name=name, x=2.0, tags=[7])
            assert sound(compiled(msg), encode_with(False, msg))
            for _ in range(3):
                compiled(steady)


def test_a_message_larger_by_a_few_bytes_outgrows_the_object_in_its_header_s_room() -> None:
    steady = Point(name="s" * 64)
    for _ in range(3):
        compiled(steady)
    for extra in range(1, 40):  # a field's bytes may land where the object header is made
        msg = Point(name="s" * 64, tags=[1] * extra)
        assert sound(compiled(msg), encode_with(False, msg))
        for _ in range(3):
            compiled(steady)


class Resizing(dt.tzinfo):
    """A zone whose utcoffset, Python code run while the Timestamp is written (after the vector,
    as the encoder writes backwards), resizes the vector and back."""

    def __init__(self, vector: array[float]) -> None:
        self.vector = vector

    def utcoffset(self, when: dt.datetime | None) -> dt.timedelta:
        self.vector.frombytes(bytes(self.vector.itemsize))  # BufferError if a view were held
        del self.vector[-1]
        return dt.timedelta(hours=1)

    def dst(self, when: dt.datetime | None) -> dt.timedelta:
        return dt.timedelta(0)

    def tzname(self, when: dt.datetime | None) -> str:
        return "resizing"


def test_python_code_run_mid_encode_and_a_bail_on_a_steady_size() -> None:
    assert speedups is not None
    embedding = array("f", range(1024))
    msg = Doc(id="d", embedding=embedding, at=dt.datetime(2024, 6, 1, 12, tzinfo=Resizing(embedding)))
    expected = encode_with(False, msg)
    for _ in range(4):
        assert sound(compiled(msg), expected)
    wrong = Doc(id=7, embedding=embedding)  # type: ignore[arg-type]  # id is written after the vector
    with pytest.raises(speedups.Bail):
        compiled(wrong)
    embedding.append(1.0)  # no view is left held
    assert sound(compiled(msg), encode_with(False, msg))
