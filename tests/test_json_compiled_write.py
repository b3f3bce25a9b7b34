"""``ddl.to_json`` on the compiled engine: it writes the text itself (json_write.pxi), and gives
exactly the Python path's text, or leaves the call to it, which then decides the text or the
error. So every result, errors included, is the same on both engines, whatever the value.
"""

from __future__ import annotations

import enum
import gc
import json
import math
import threading
from array import array
from contextlib import nullcontext
from functools import partial
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ddl
from tests.conftest import FIXTURE_SAFE, Engine, examples
from tests.json_paths import (
    OPTIONS,
    Count,
    Odd,
    assert_same_on_both_paths,
    compiled,
    holding_anything,
    outcome,
    python_path,
    written_in_c,
)
from tests.strategies import schemas
from tests.test_engines import Sparse
from tests.test_json_write import Choices, Color, Containers, Known, Natives, Numbers, Presence, Profile, Tree

# --- the same text, or the same error -----------------------------------------------------------


@settings(FIXTURE_SAFE, max_examples=examples(60))
@given(schema=schemas(proto2=True), data=st.data())
def test_a_random_schema_and_value_give_the_same_text_on_both_paths(
    engine: Engine, schema: Any, data: st.DataObject
) -> None:
    msg = data.draw(schema.values())
    assert_same_on_both_paths(msg, **data.draw(OPTIONS))


@settings(FIXTURE_SAFE, max_examples=examples(80))
@given(schema=schemas(proto2=True), data=st.data())
def test_a_field_holding_anything_gives_the_same_text_or_error_on_both_paths(
    engine: Engine, schema: Any, data: st.DataObject
) -> None:
    assert_same_on_both_paths(holding_anything(schema, data), **data.draw(OPTIONS))


class Texts(ddl.Message):
    s: str = ""
    b: bytes = b""
    names: dict[str, str] = {}


@settings(max_examples=examples(200))
@given(st.text(), st.binary(), st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=4))
def test_strings_and_bytes_are_written_as_the_python_path_writes_them(s: str, b: bytes, names: dict[str, str]) -> None:
    assert_same_on_both_paths(Texts(s, b, names))


# Characters of each str width, and the ones JSON escapes.
WIDE_PIECES = ["a", " ", "\n", '"', "\\", "\x01", "\x1f", "\x7f", "é", "ÿ", "Ā", "中", "😀", "\t", "\udc80"]


@compiled
@settings(max_examples=examples(300))
@given(st.lists(st.lists(st.sampled_from(WIDE_PIECES), max_size=40).map("".join), min_size=1, max_size=40))
def test_strings_of_every_width_are_written_in_c_at_the_texts_own_width(texts: list[str]) -> None:
    # Up to 40 strings with up to 40 escapes each: more than the writer keeps in place for
    # either (16 strings, 128 escapes), so both of its ways of copying a str are taken.
    msg = Texts(s=texts[0], names={t: t for t in texts[1:]})
    text = written_in_c(msg)
    assert text is not None
    with python_path():
        # == compares the strs' widths first: the text is at the narrowest that holds it.
        assert text == ddl.to_json(msg)


# The characters JSON escapes, and characters beside them or with a byte equal to one of them
# ('"' is 0x22, '\\' is 0x5C), of every width: the writer's scan for escapes must find every
# escape, and whatever else it flags must still be written as itself.
ESCAPED = ["\x00", "\x1f", "\n", '"', "\\"]
NEAR_ESCAPED = [" ", "!", "#", "[", "]", "\x7f", "\u0122", "\u2122", "\u015c", "\u5c5c", "\u8000", "\uff02", "\uffff"]
NEAR_ESCAPED += ["\U00010022", "\U0001005c", "\U0001001f", "\U0010ffff"]


@compiled
@pytest.mark.parametrize("filler", ["é", "中", "😀"], ids=["1-byte", "2-byte", "4-byte"])
def test_escapes_are_found_at_every_place_of_a_str_of_every_width(filler: str) -> None:
    # 40 characters: two blocks of the writer's escape scan and a tail; each character at each place.
    for c in ESCAPED + NEAR_ESCAPED:
        for at in range(40):
            msg = Texts(s=filler * at + c + filler * (39 - at))
            text = written_in_c(msg)
            assert text is not None
            with python_path():
                assert text == ddl.to_json(msg), (c, at)


@compiled
def test_a_lone_surrogate_is_written_as_itself() -> None:
    msg = Texts(s="a\udc80b")
    assert written_in_c(msg) == '{"s": "a\udc80b"}'
    assert assert_same_on_both_paths(msg) == ("text", '{"s": "a\udc80b"}')


class Named(ddl.Message):
    title: str = ddl.field(default="", json_name="título")


@compiled
@pytest.mark.parametrize("title", ["plain", "中文 😀\n", "é", "long " * 2000, "长" * 3000])
def test_a_name_that_is_not_ascii_is_written_with_the_strs_around_it(title: str) -> None:
    # Twice: the second text starts in a buffer of the first one's size (the size hint).
    for _ in range(2):
        assert written_in_c(Named(title)) == json.dumps({"título": title}, ensure_ascii=False)
    assert_same_on_both_paths(Named(title))


@compiled
@pytest.mark.parametrize("size", [10, 3000, 100_000])
def test_texts_of_every_size_are_written_in_c(size: int) -> None:
    # Past the stack buffer, a text is written into the str it becomes (ddl_json_out.h).
    for s in ("a" * size, "ü" * size, "a" * size + "\n😀"):
        for _ in range(2):
            assert written_in_c(Texts(s=s)) == json.dumps({"s": s}, ensure_ascii=False)


@compiled
@pytest.mark.parametrize("shorter_by", [0, 1, 1000, 12_000, 50_000, 99_990])
def test_a_text_shorter_than_the_last_one_is_a_str_of_its_own_length(shorter_by: int) -> None:
    # The next text starts in a str with room for the last one's length and more; the result is
    # cut to its own length, in place or by a resize (ddl_jout_cut).
    long = "a" * 100_000
    written_in_c(Texts(s=long))
    s = long[: len(long) - shorter_by]
    text, expected = written_in_c(Texts(s=s)), json.dumps({"s": s})
    assert text == expected
    assert hash(text) == hash(expected)
    assert text + "!" == expected + "!"
    assert text.encode() == expected.encode()


@compiled
def test_a_lone_surrogate_beside_a_name_that_is_not_ascii_is_left_to_the_python_path() -> None:
    msg = Named("a\udc80b")
    assert written_in_c(msg) is None
    assert assert_same_on_both_paths(msg) == ("text", '{"título": "a\udc80b"}')


@settings(FIXTURE_SAFE, max_examples=examples(40))
@given(classes=st.sampled_from([Numbers, Choices, Presence, Containers, Natives, Known, Tree, Profile]), data=st.data())
def test_the_classes_of_the_json_suite_give_the_same_text_on_both_paths(
    engine: Engine, classes: type, data: st.DataObject
) -> None:
    from ddl.testing import instances

    assert_same_on_both_paths(data.draw(instances(classes)), **data.draw(OPTIONS))


# --- what the compiled writer takes itself ----------------------------------------------------


class Status(enum.IntEnum):
    UNKNOWN = 0
    ACTIVE = 1


class Item(ddl.Message):
    id: int = 0
    sku: str = ""
    qty: ddl.int32 = 0
    price: float = 0.0
    in_stock: bool = False


class Order(ddl.Message):
    id: ddl.uint64 = 0
    title: str = ""
    items: list[Item] = []
    tags: tuple[str, ...] = ()
    attrs: dict[str, str] = {}
    counts: dict[ddl.sint32, bool] = {}
    flags: dict[bool, bytes] = {}
    total: ddl.float32 = 0.0
    status: Status = Status.UNKNOWN
    note: str | None = None
    best: Item | None = None
    pay: int | str | None = None


ORDER = Order(
    id=2**64 - 1, title='naïve "quoted" \\ 漢字 🎯\n', items=[Item(1, "a", -3, 0.1, True), Item(sku="b")],
    tags=("x", ""), attrs={"k": "v", "": "\t"}, counts={-5: True, 7: False}, flags={True: b"\x00\xff", False: b""},
    total=0.1, status=Status.ACTIVE, note="", best=Item(), pay="cash",
)  # fmt: skip


ALL_OPTIONS = [
    {"preserving_proto_field_name": a, "always_print_fields_with_no_presence": b, "use_integers_for_enums": c}
    for a in (False, True) for b in (False, True) for c in (False, True)
]  # fmt: skip


@compiled
@pytest.mark.parametrize("options", ALL_OPTIONS)
def test_the_compiled_writer_writes_common_messages_itself(options: dict[str, Any]) -> None:
    for msg in (ORDER, Order(status=5, pay=7), Order()):  # type: ignore[arg-type]  # an enum number without a name; an int member
        text = written_in_c(msg, **options)
        assert text is not None
        with python_path():
            assert text == ddl.to_json(msg, **options)


class Graded(ddl.Message):
    one: Sparse = Sparse.ZERO
    many: list[Sparse] = []
    by_key: dict[str, Sparse] = {}


@compiled
@pytest.mark.parametrize("options", ALL_OPTIONS)
def test_enum_values_in_and_past_the_table_of_names_are_written_in_c(options: dict[str, Any]) -> None:
    # The names of numbers 0 to 255 are found in a table, the others in a dict; a number
    # without a name (in a gap, past the table, negative) is written as a number.
    values: list[Any] = [*Sparse, 1, 3, 254, 256, 257, 1000, -1, -4, 2**31 - 1, -(2**31)]
    for value in values:
        msg = Graded(one=value, many=[value, Sparse.TWO], by_key={"k": value})
        text = written_in_c(msg, **options)
        assert text is not None, value
        with python_path():
            assert text == ddl.to_json(msg, **options)


class Vectors(ddl.Message):
    f32: ddl.Vector[ddl.float32] = array("f")
    f64: ddl.Vector[float] = array("d")
    i32: ddl.Vector[ddl.int32] = array("i")
    u32: ddl.Vector[ddl.uint32] = array("I")
    i64: ddl.Vector[int] = array("q")
    u64: ddl.Vector[ddl.uint64] = array("Q")
    given: list[ddl.float32] = []  # a list field handed an array


@compiled
@pytest.mark.parametrize("options", ALL_OPTIONS)
def test_the_compiled_writer_writes_the_arrays_of_vectors_itself(options: dict[str, Any]) -> None:
    msg = Vectors(
        f32=array("f", [0.1, -2.5, 3.4028234663852886e38, 1e-40, float("inf")]),
        f64=array("d", [0.1, float("nan"), -0.0, 1e300]),
        i32=array("i", [-(2**31), 2**31 - 1]),
        u32=array("I", [2**32 - 1]),
        i64=array("q", [-(2**63), 7]),
        u64=array("Q", [2**64 - 1]),
        given=array("f", [1.5]),  # type: ignore[arg-type]  # a list field handed an array
    )
    for message in (msg, Vectors()):
        text = written_in_c(message, **options)
        assert text is not None
        with python_path():
            assert text == ddl.to_json(message, **options)
    assert json.loads(written_in_c(msg) or "")["i64"] == ["-9223372036854775808", "7"]


@compiled
def test_an_array_of_another_typecode_is_left_to_the_python_path() -> None:
    msg = Vectors(f32=array("d", [0.1]))
    assert written_in_c(msg) is None
    assert_same_on_both_paths(msg)


@compiled
def test_a_map_is_written_in_the_order_of_its_dict() -> None:
    msg = Order(attrs={"b": "1", "a": "2"})
    assert written_in_c(msg) == '{"attrs": {"b": "1", "a": "2"}}'


@compiled
@pytest.mark.parametrize(
    "msg",
    [
        Order(tags={"a"}),  # type: ignore[arg-type]  # a set: its order is the Python path's
        Order(title=Odd("x")),  # a str subclass
        Order(items=[Item(id=Count(1))]),  # an int subclass
        Order(status=Color.GREEN),  # type: ignore[arg-type]  # another enum
        Order(counts={2**31: True}),  # a key out of range
        Order(total=1e39),  # beyond a float
        Known(),  # a class with well-known types (None here, but any field may hold one)
    ],
)
def test_anything_unusual_is_left_to_the_python_path(msg: ddl.Message) -> None:
    if not isinstance(msg, Known):
        assert written_in_c(msg) is None
    assert_same_on_both_paths(msg)


def test_deep_nesting_is_left_to_the_python_path() -> None:
    tree = Tree("leaf")
    for _ in range(150):
        tree = Tree("n", [tree])
    kind, text = assert_same_on_both_paths(tree)
    assert kind == "text" and text.count("children") == 150


def test_options_that_are_not_bools_are_left_to_the_python_path() -> None:
    assert_same_on_both_paths(ORDER, preserving_proto_field_name=1)
    assert_same_on_both_paths(ORDER, indent=2)
    assert_same_on_both_paths(ORDER, registry={})


# --- Python code that runs meanwhile ----------------------------------------------------------


# The message that Meddling's truth test empties, when set.
VICTIM: list[Any] = []


class Meddling(enum.IntEnum):
    """An enum whose truth test (Python code) empties the message being written."""

    ZERO = 0
    ONE = 1

    def __bool__(self) -> bool:
        for victim in VICTIM:
            victim.items.clear()
            victim.attrs.clear()
        return int(self) != 0


class Meddled(ddl.Message):
    items: list[Item] = []
    attrs: dict[str, str] = {}
    mood: Meddling = Meddling.ZERO
    after: list[str] = []


def _meddled() -> Meddled:
    return Meddled([Item(i, "sku" * i) for i in range(50)], {f"k{i}": "v" * i for i in range(50)}, Meddling.ZERO,
                   ["z" * 30] * 20)  # fmt: skip


@pytest.mark.parametrize("options", [{}, {"use_integers_for_enums": True}])
def test_an_enum_that_runs_python_code_is_left_to_the_python_path(options: dict[str, Any]) -> None:
    results = []
    for path in (nullcontext(), python_path()):
        with path:
            msg = _meddled()
            VICTIM.append(msg)
            try:
                results.append(outcome(partial(ddl.to_json, msg, **options)))
            finally:
                VICTIM.clear()
    assert results[0] == results[1]


class Basket(ddl.Message):
    items: list[Item] = []
    attrs: dict[str, str] = {}


def _basket() -> Basket:
    return Basket([Item(i, "sku" * i) for i in range(50)], {f"k{i}": "v" * i for i in range(50)})


class Dying:
    """Clears a list when it is freed: a finalizer that a garbage collection could run."""

    def __init__(self, victim: list[Any]) -> None:
        self.victim = victim
        self.cycle = self

    def __del__(self) -> None:
        self.victim.clear()


@compiled
def test_a_finalizer_that_empties_a_list_never_runs_while_the_compiled_writer_reads_it() -> None:
    assert written_in_c(_basket()) is not None
    threshold = gc.get_threshold()
    gc.set_threshold(1)  # a collection at (almost) any allocation of a tracked object
    try:
        for _ in range(50):
            msg = _basket()
            Dying(msg.items)  # garbage in a cycle: only a collection frees it
            items = json.loads(ddl.to_json(msg)).get("items", [])
            assert len(items) in (0, 50)  # read before the collection, or after: never during
    finally:
        gc.set_threshold(*threshold)


def test_threads_that_change_a_message_while_others_write_it() -> None:
    msg = _basket()
    stop = threading.Event()

    def meddle() -> None:
        while not stop.is_set():
            msg.items.append(Item(sku="new"))
            msg.attrs["x"] = "y"
            del msg.items[: len(msg.items) // 2]
            msg.attrs.clear()

    thread = threading.Thread(target=meddle)
    thread.start()
    try:
        for _ in range(2000):
            written = json.loads(ddl.to_json(msg))
            assert all(set(item) <= {"id", "sku"} for item in written.get("items", []))
    finally:
        stop.set()
        thread.join()


def test_json_loads_of_the_text_is_to_dict() -> None:
    assert json.loads(ddl.to_json(ORDER)) == ddl.to_dict(ORDER)
    assert math.isclose(json.loads(ddl.to_json(Order(total=0.1)))["total"], 0.1, rel_tol=1e-7)
