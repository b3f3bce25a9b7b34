"""Decoded ints, floats, ASCII strs and lists are the objects Python itself makes for those values:
the compiled engine builds them without CPython's constructors (ddl/_cy/ddl_new_objects.h:
ddl_long_new, ddl_float_new, ddl_ascii_new; ddl/_cy/ddl_gc.c: ddl_gc_list), so each is checked
for its value, its size in memory (the digit count, length or items it was given), its hash, its
use, its reference count and tracemalloc's trace: ints at every boundary where the number of
30-bit digits changes and where CPython's shared small ints end, strs at each length where the
decoder's paths change, lists empty, short and long, in one run on the wire or interleaved."""

from __future__ import annotations

import gc
import math
import pickle
import struct
import sys
import tracemalloc
from typing import Any

import pytest

import ddl
import ddl.testing
from ddl._compiled import speedups
from tests.conftest import Engine

# each integer kind (plain int is int64) and its range, as protobuf defines it
RANGES: dict[Any, tuple[int, int]] = {
    int if name == "int64" else getattr(ddl, name): bounds for name, bounds in ddl.testing.INT_RANGES.items()
}

# where CPython's shared small ints end (-5 and 256), ddl's table of shared ints ends (16,383),
# and an int takes a second or third 30-bit digit; each with its neighbours and its negation
EDGES = [0, 1, 5, 6, 127, 128, 255, 256, 257, 16383, 16384, 2**30 - 1, 2**30, 2**31 - 1, 2**31, 2**32 - 1]
EDGES += [2**60 - 1, 2**60, 2**63 - 1, 2**63, 2**64 - 1]
BOUNDARIES = sorted({sign * v for v in EDGES for sign in (1, -1)})


def holder(kind: Any) -> type[ddl.Message]:
    """A class with one field of ``kind`` and a packed list of it."""
    namespace = {
        "__annotations__": {"one": kind, "many": list[kind]},
        "one": kind(),
        "many": ddl.field(default_factory=list),
    }
    return type("Holder", (ddl.Message,), namespace)


def same_int(got: object, want: int) -> None:
    """``got`` is an int equal to ``want`` in every way Python can tell."""
    assert type(got) is int
    assert got == want
    assert sys.getsizeof(got) == sys.getsizeof(int(str(want)))  # as many digits as Python gives it
    assert hash(got) == hash(want)
    assert str(got) == str(want) and got.bit_length() == want.bit_length()
    assert got - want == 0 and -got == -want and got * 3 == want * 3
    assert pickle.loads(pickle.dumps(got)) == want


@pytest.mark.parametrize("kind", list(RANGES), ids=lambda k: k.__name__)
def test_every_integer_kind_decodes_each_digit_boundary_to_the_int_python_makes(engine: Engine, kind: Any) -> None:
    low, high = RANGES[kind]
    values = [v for v in BOUNDARIES if low <= v <= high]
    cls = holder(kind)
    for v in values:
        got = engine.decode(engine.encode(cls(one=kind(v), many=[kind(v)])), cls)
        same_int(got.one, v)
        same_int(got.many[0], v)
    many = engine.decode(engine.encode(cls(many=[kind(v) for v in values])), cls).many
    for got, want in zip(many, values, strict=True):
        same_int(got, want)


FLOATS = [0.0, -0.0, 1.0, -2.5, 5e-324, -5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, math.inf, -math.inf]
# float32's smallest subnormal and normal, and its largest finite value, as doubles
FLOAT32S = [0.0, -0.0, 1.0, -2.5, 2.0**-149, 2.0**-126, (2 - 2.0**-23) * 2.0**127, math.inf, -math.inf]


@pytest.mark.parametrize(("kind", "values"), [(float, FLOATS), (ddl.float32, FLOAT32S)], ids=["double", "float"])
def test_floats_decode_bit_for_bit(engine: Engine, kind: Any, values: list[float]) -> None:
    cls = holder(kind)
    got = engine.decode(engine.encode(cls(one=values[1], many=[*values, math.nan])), cls)
    assert struct.pack("<d", got.one) == struct.pack("<d", values[1])  # the sign of -0.0 kept
    for x, want in zip(got.many[:-1], values, strict=True):
        assert type(x) is float and sys.getsizeof(x) == sys.getsizeof(want)
        assert struct.pack("<d", x) == struct.pack("<d", want) and hash(x) == hash(want)
    assert math.isnan(got.many[-1])
    read = engine.from_json(engine.to_json(got), cls)  # JSON's reader makes its floats alike
    for x, want in zip([read.one, *read.many[:-1]], [values[1], *values], strict=True):
        assert type(x) is float and struct.pack("<d", x) == struct.pack("<d", want)


# empty, short enough for the shared-string tables (16 and 64 bytes), past them, and long
ASCII_LENGTHS = [0, 1, 7, 8, 15, 16, 17, 63, 64, 65, 200, 5000]


def test_ascii_strings_decode_to_the_str_python_makes(engine: Engine) -> None:
    cls = holder(str)
    texts = ["".join(chr(33 + (k * 7 + n) % 94) for k in range(n)) for n in ASCII_LENGTHS]
    got = engine.decode(engine.encode(cls(one=texts[-1], many=texts)), cls)
    for x, want in zip([got.one, *got.many], [texts[-1], *texts], strict=True):
        made = want.encode().decode()  # the str CPython's own decoder makes
        assert type(x) is str and x == want and x.isascii()
        assert sys.getsizeof(x) == sys.getsizeof(made) and hash(x) == hash(made)
        assert x.encode() == want.encode() and {made: 1}[x] == 1 and x + "!" == want + "!"
    assert got.many[0] is ""  # noqa: F632 (the empty str CPython shares)


def test_a_decoded_number_is_held_by_its_list_alone(engine: Engine) -> None:
    cls = holder(int)
    ints = engine.decode(engine.encode(cls(many=[2**40 + 7, -(2**62), 70_000])), cls).many
    # the list's reference and getrefcount's own: none left over, none missing
    assert [sys.getrefcount(ints[k]) for k in range(3)] == [2, 2, 2]
    doubles = holder(float)
    floats = engine.decode(engine.encode(doubles(many=[0.5, -1e300])), doubles).many
    assert [sys.getrefcount(floats[k]) for k in range(2)] == [2, 2]
    texts = holder(str)
    strs = engine.decode(engine.encode(texts(many=["x" * 70, "y" * 300])), texts).many  # too long to share
    assert [sys.getrefcount(strs[k]) for k in range(2)] == [2, 2]


@pytest.mark.skipif(speedups is None, reason="the compiled engine is not built")
def test_tracemalloc_traces_each_object_the_compiled_engine_makes_to_the_call_that_made_it() -> None:
    # (Python's own floats may come from its free list, made before tracing began, untraced.)
    cls, doubles, texts = holder(int), holder(float), holder(str)
    ints = ddl.encode(cls(many=[2**33 + 1, -(2**61) - 3, 99_999]))
    floats = ddl.encode(doubles(many=[0.25, 1e-300]))
    strs = ddl.encode(texts(many=["z" * 80]))
    tracemalloc.start(1)
    try:
        made = ddl.decode(ints, cls).many + ddl.decode(floats, doubles).many + ddl.decode(strs, texts).many
        traces = [tracemalloc.get_object_traceback(x) for x in made]
        line = sys._getframe().f_lineno - 2
    finally:
        tracemalloc.stop()
    where = [None if trace is None else (trace[0].filename, trace[0].lineno) for trace in traces]
    assert where == [(__file__, line)] * 6


@pytest.mark.skipif(speedups is None, reason="the compiled engine is not built")
def test_the_compiled_engine_tells_a_reference_tracer_of_every_object_while_one_is_set() -> None:
    # 3.13's tracemalloc sets CPython's reference tracer, which must then hear of each object
    # the engine starts and ends; without one (and on 3.11 and 3.12, which have none) the
    # engine starts and ends them itself, in the builds whose layouts it knows
    assert speedups is not None
    quiet = speedups.lifetimes_unheard()
    tracemalloc.start(1)
    try:
        traced = speedups.lifetimes_unheard()
        cls = holder(int)
        value = ddl.decode(ddl.encode(cls(many=[2**40, -(2**50), 1_000])), cls)
        del value
    finally:
        tracemalloc.stop()
    assert traced == (quiet and sys.version_info < (3, 13))
    assert speedups.lifetimes_unheard() == quiet


class Item(ddl.Message):
    name: str = ""


class Lists(ddl.Message):
    items: list[Item] = []
    names: list[str] = []


def lists(n: int) -> Lists:
    return Lists(items=[Item(name=f"i{k}") for k in range(n)], names=[f"n{k}" for k in range(n)])


def interleaved(want: Lists) -> bytes:
    """``want``'s bytes with its two fields' elements taking turns, so that no run is longer than one."""
    pairs = zip(want.items, want.names, strict=True)
    return b"".join(ddl.encode(Lists(items=[item], names=[name])) for item, name in pairs)


LIST_LENGTHS = [0, 1, 2, 5, 100]


@pytest.mark.parametrize("n", LIST_LENGTHS)
def test_a_decoded_repeated_field_is_a_list_like_any_other(engine: Engine, n: int) -> None:
    want = lists(n)
    for data in (engine.encode(want), interleaved(want)):
        got = engine.decode(data, Lists)
        assert got == want
        # each held by its message alone (getrefcount's own reference aside)
        assert [sys.getrefcount(got.items), sys.getrefcount(got.names)] == [2, 2]
        for made in (got.items, got.names):
            assert type(made) is list and len(made) == n and gc.is_tracked(made)
        got.items.append(Item(name="x"))
        got.items.extend([Item(), Item(name="y")])
        got.names.insert(0, "first")
        got.names.sort(reverse=True)
        assert got.items == [*want.items, Item(name="x"), Item(), Item(name="y")]
        assert got.names == sorted(["first", *want.names], reverse=True)
        del got.items[: n + 1]
        assert got.items == [Item(), Item(name="y")]


@pytest.mark.skipif(speedups is None, reason="the compiled engine is not built")
@pytest.mark.parametrize("n", LIST_LENGTHS)
def test_the_compiled_engine_makes_a_list_with_room_for_its_items_alone(n: int) -> None:
    want = lists(n)
    # the binary reader, its elements in one run and interleaved, and the JSON reader
    readers: list[tuple[Any, Any]] = [
        (ddl.decode, ddl.encode(want)),
        (ddl.decode, interleaved(want)),
        (ddl.from_json, ddl.to_json(want)),
    ]
    for read, data in readers:
        tracemalloc.start(1)
        try:
            got = read(data, Lists)
            traces = [tracemalloc.get_object_traceback(made) for made in (got.items, got.names)]
            line = sys._getframe().f_lineno - 2
        finally:
            tracemalloc.stop()
        for made in (got.items, got.names):
            assert sys.getsizeof(made) == sys.getsizeof(made[:])  # a slice has room for its items alone
        where = [None if trace is None else (trace[0].filename, trace[0].lineno) for trace in traces]
        assert where == [(__file__, line)] * 2
