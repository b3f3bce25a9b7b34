"""The two engines agree: same bytes, same values, same errors; the compiled one is safe to run
from many threads and leaks nothing."""

from __future__ import annotations

import gc
import threading
import tracemalloc
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from enum import IntEnum
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ddl
from ddl._api import decode_with, encode_with
from ddl._compiled import program_of, speedups
from ddl._schema import plan_for
from tests.strategies import Schema, schema_and_value, stable_repr
from tests.wire import mutations, varint

pytestmark = pytest.mark.skipif(speedups is None, reason="the compiled engine is not built")


class Mood(IntEnum):
    CALM = 0
    GLAD = 1
    SAD = -2


class Leaf(ddl.Message, frozen=True):
    label: str = ""
    weight: ddl.float32 = 0.0


class Everything(ddl.Message):
    late: int = ddl.field(number=40, default=0)
    i64: int = 0
    i32: ddl.int32 = 0
    u32: ddl.uint32 = 0
    u64: ddl.uint64 = 0
    s32: ddl.sint32 = 0
    s64: ddl.sint64 = 0
    f32: ddl.fixed32 = 0
    f64: ddl.fixed64 = 0
    sf32: ddl.sfixed32 = 0
    sf64: ddl.sfixed64 = 0
    flt: ddl.float32 = 0.0
    dbl: float = 0.0
    flag: bool = False
    text: str = ""
    blob: bytes = b""
    mood: Mood = Mood.CALM
    maybe: int | None = None
    leaf: Leaf | None = None
    must: Leaf = ddl.field(default_factory=Leaf)
    ints: list[int] = []
    sints: tuple[ddl.sint32, ...] = ()
    doubles: list[float] = []
    flags: list[bool] = []
    moods: list[Mood] = []
    texts: list[str] = []
    leaves: list[Leaf] = []
    labels: dict[str, int] = {}
    by_id: dict[ddl.sint64, Leaf] = {}
    switches: dict[bool, Mood] = {}
    children: list[Everything] = []


class Variety(ddl.Message):
    """The shapes beyond plain scalars and messages that the compiled engine also runs, the
    nested-container wrapper messages among them."""

    choice: int | str | Leaf | None = None
    picked: Mood | int = 0
    when: datetime | None = None
    always: datetime = datetime(1970, 1, 1, tzinfo=UTC)
    span: timedelta = timedelta(0)
    day: date | None = None
    loose: Any = None
    doc: dict[str, Any] = {}
    price: Decimal = Decimal(0)
    key: UUID | None = None
    unique: set[int] = set()
    names: frozenset[str] = frozenset()
    stamps: list[datetime] = []
    prices: dict[str, Decimal] = {}
    grid: list[list[int]] = []
    gaps: list[int | None] = []
    mixed: list[int | str] = []
    chosen: list[str] | None = None
    groups: dict[str, list[str]] = {}
    nested: list[Variety] = []


def i(bits: int, signed: bool = True) -> st.SearchStrategy[int]:
    return st.integers(-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else st.integers(0, 2**bits - 1)


leaves = st.builds(Leaf, label=st.text(max_size=5), weight=st.floats(width=32, allow_nan=False))
flat = st.fixed_dictionaries(
    {},
    optional={
        "late": i(64),
        "i64": i(64),
        "i32": i(32),
        "u32": i(32, False),
        "u64": i(64, False),
        "s32": i(32),
        "s64": i(64),
        "f32": i(32, False),
        "f64": i(64, False),
        "sf32": i(32),
        "sf64": i(64),
        "flt": st.floats(width=32, allow_nan=False),
        "dbl": st.floats(allow_nan=False),
        "flag": st.booleans(),
        "text": st.text(max_size=20),
        "blob": st.binary(max_size=20),
        "mood": st.sampled_from(Mood),
        "maybe": st.none() | i(64),
        "leaf": st.none() | leaves,
        "must": leaves,
        "ints": st.lists(i(64), max_size=5),
        "sints": st.lists(i(32), max_size=5).map(tuple),
        "doubles": st.lists(st.floats(allow_nan=False), max_size=5),
        "flags": st.lists(st.booleans(), max_size=5),
        "moods": st.lists(st.sampled_from(Mood) | st.integers(-5, 5), max_size=5),
        "texts": st.lists(st.text(max_size=5), max_size=5),
        "leaves": st.lists(leaves, max_size=3),
        "labels": st.dictionaries(st.text(max_size=4), i(64), max_size=3),
        "by_id": st.dictionaries(i(64), leaves, max_size=3),
        "switches": st.dictionaries(st.booleans(), st.sampled_from(Mood), max_size=2),
    },
)
everything = st.recursive(
    flat.map(lambda kw: Everything(**kw)),
    lambda inner: st.builds(lambda kw, kids: Everything(**kw, children=kids), flat, st.lists(inner, max_size=3)),
    max_leaves=6,
)


utc_times = st.datetimes(timezones=st.just(UTC), min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30))
# Times the C paths leave to the Python helpers: another offset, and nanosecond precision.
odd_times = st.builds(
    lambda t, minutes, ns: (
        ddl.DatetimeNs.from_datetime(t, ns) if ns else t.astimezone(timezone(timedelta(minutes=minutes)))
    ),
    utc_times.filter(lambda t: t.year > 1 and t.year < 9999),
    st.integers(-600, 600),
    st.integers(0, 999),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=5,
)
variety_fields = st.fixed_dictionaries(
    {},
    optional={
        "choice": st.none() | i(64) | st.text(max_size=5) | leaves,
        "picked": st.sampled_from(Mood) | i(32),
        "when": st.none() | utc_times | odd_times,
        "always": utc_times,
        "span": st.timedeltas(min_value=timedelta(days=-3_652_400), max_value=timedelta(days=3_652_400)),
        "day": st.none() | st.dates(),
        "loose": json_values,
        "doc": st.dictionaries(st.text(max_size=3), json_values, max_size=3),
        "price": st.decimals(allow_nan=False, allow_infinity=False),
        "key": st.none() | st.uuids(),
        "unique": st.sets(i(64), max_size=4),
        "names": st.frozensets(st.text(max_size=3), max_size=3),
        "stamps": st.lists(utc_times, max_size=3),
        "prices": st.dictionaries(st.text(max_size=3), st.decimals(allow_nan=False, allow_infinity=False), max_size=3),
        "grid": st.lists(st.lists(i(64), max_size=3), max_size=3),
        "gaps": st.lists(st.none() | i(64), max_size=3),
        "mixed": st.lists(i(64) | st.text(max_size=3), max_size=3),
        "chosen": st.none() | st.lists(st.text(max_size=3), max_size=3),
        "groups": st.dictionaries(st.text(max_size=3), st.lists(st.text(max_size=3), max_size=2), max_size=2),
    },
)
varieties = st.recursive(
    variety_fields.map(lambda kw: Variety(**kw)),
    lambda inner: st.builds(lambda kw, kids: Variety(**kw, nested=kids), variety_fields, st.lists(inner, max_size=2)),
    max_leaves=4,
)


def outcome(fn: Any, *args: Any) -> tuple[str, Any]:
    """What a call gives: its value, or its error's type, path and offset."""
    try:
        return ("value", fn(*args))
    except (ddl.DecodeError, ddl.EncodeError) as exc:
        return (type(exc).__name__, (exc.path, getattr(exc, "offset", None), str(exc)))


def assert_compiled_gives(reference: tuple[str, Any], run: Callable[[], Any]) -> None:
    """``run`` calls the compiled engine itself (``speedups.decode_program`` or
    ``encode_program``), which hands nothing back to the reference engine: it gives the value of
    ``reference`` (an ``outcome`` of the reference engine), or raises what the entry points hand
    over for the reference engine to decide (Bail, a helper's error). Never a SystemError, a C
    function failing without setting its exception, which the entry points would hide."""
    try:
        value = run()
    except SystemError:
        raise
    except Exception:  # noqa: BLE001 - the entry points' verdict is the reference engine's, compared apart
        return
    assert stable_repr(("value", value)) == stable_repr(reference)


def assert_decodes_alike(data: bytes, cls: type) -> None:
    """Both engines' entry points decode ``data`` to the same value or error, and the compiled
    engine's own answer is that value (or a hand-back: see ``assert_compiled_gives``). Values are
    compared by repr: a damaged float may decode to NaN, which == never equals."""
    reference = outcome(decode_with, False, data, cls)
    assert stable_repr(outcome(decode_with, True, data, cls)) == stable_repr(reference)
    program = own_program(cls)
    if program is not None:
        assert_compiled_gives(reference, lambda: speedups.decode_program(program, data, 100))  # type: ignore[union-attr]


def own_program(cls: type) -> Any:
    """The compiled engine's program for ``cls``, or None where it has none, or where the entry
    points check what the program leaves to them (proto2's required fields, after the rest)."""
    return None if plan_for(cls).reaches_required else program_of(cls)


def test_the_compiled_engine_runs_the_classes_it_compiles() -> None:
    assert program_of(Everything) is not None
    assert ddl.engine() == "cython"


@given(everything)
def test_the_compiled_engine_handles_valid_values_itself(value: Everything) -> None:
    # Called directly: a hand-back to the reference engine (Bail) would fail this test, so a
    # silent fallback cannot hide in the compiled engine's happy path.
    assert speedups is not None
    program = program_of(Everything)
    data = speedups.encode_program(program, value, 100)
    assert data == encode_with(False, value)
    assert speedups.decode_program(program, data, 100) == value
    assert speedups.encode_program(program, value, 100, True) == encode_with(False, value, True)


@given(varieties)
def test_the_compiled_engine_runs_oneofs_well_known_types_conversions_and_sets_itself(value: Variety) -> None:
    assert speedups is not None
    program = program_of(Variety)
    assert program is not None
    data = speedups.encode_program(program, value, 100)
    assert data == encode_with(False, value)
    assert speedups.decode_program(program, data, 100) == decode_with(False, data, Variety) == value


@given(varieties, st.data())
def test_both_engines_agree_on_oneofs_well_known_types_conversions_and_sets(
    value: Variety, data: st.DataObject
) -> None:
    for det in (False, True):
        assert encode_with(True, value, det) == encode_with(False, value, det)
    assert_decodes_alike(data.draw(mutations(encode_with(False, value))), Variety)


@given(everything, st.data())
def test_both_engines_give_the_same_bytes_values_and_errors(value: Everything, data: st.DataObject) -> None:
    compiled, reference = encode_with(True, value), encode_with(False, value)
    assert compiled == reference
    assert decode_with(True, compiled, Everything) == decode_with(False, reference, Everything) == value
    assert_decodes_alike(data.draw(mutations(compiled)), Everything)


@given(schema_and_value(), st.data())
def test_both_engines_agree_on_random_schemas_and_damaged_bytes(sv: tuple[Schema, Any], data: st.DataObject) -> None:
    schema, value = sv
    compiled = outcome(encode_with, True, value, True)
    assert compiled == outcome(encode_with, False, value, True)
    program = own_program(schema.root)
    if program is not None:
        assert_compiled_gives(compiled, lambda: speedups.encode_program(program, value, 100, True))  # type: ignore[union-attr]
    assert_decodes_alike(data.draw(mutations(compiled[1])), schema.root)


@pytest.mark.parametrize(
    "bad",
    [
        {"i32": 2**40},
        {"u32": -1},
        {"text": b"bytes"},
        {"leaf": Everything()},
        {"ints": [1, "2"]},
        {"flt": 1e40},
        {"mood": 2**31},
        {"must": None},
        {"flags": [1]},
    ],
)
def test_both_engines_reject_a_bad_value_with_the_same_error(bad: dict[str, Any]) -> None:
    value = Everything(**bad)
    assert outcome(encode_with, True, value) == outcome(encode_with, False, value)
    assert outcome(encode_with, True, value)[0] == "EncodeError"


class Plain(ddl.Message):
    label: str = ""


class Tagged(ddl.Message, frozen=True):
    mood: Mood = Mood.CALM
    names: list[str] = []


class Holder(ddl.Message, frozen=True):
    leaf: Leaf | None = None


class Logged(ddl.Message):
    """A class with a __setattr__ of its own, which ddl cannot see into."""

    label: str = ""

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)


class Watched(Plain):
    """A subclass whose own __setattr__ sees every store, the constructor's included."""

    note: str = ""

    def __setattr__(self, name: str, value: Any) -> None:
        STORES.append(name)
        super().__setattr__(name, value)


STORES: list[str] = []


def decoded(value: ddl.Message) -> Any:
    assert speedups is not None
    return speedups.decode_program(program_of(type(value)), encode_with(False, value), 100)


def test_the_compiled_engine_leaves_messages_of_plain_values_to_no_gc_tracking() -> None:
    # Collections then skip them. A message that holds a container or a message stays
    # tracked, and so does one whose class has a __setattr__ of its own, so that any cycle
    # through it is collected.
    assert not gc.is_tracked(decoded(Leaf("x", 1.5))) and not gc.is_tracked(decoded(Plain("x")))
    assert gc.is_tracked(decoded(Tagged(Mood.SAD, ["a"]))) and gc.is_tracked(decoded(Tagged(Mood.SAD)))
    assert gc.is_tracked(decoded(Holder(Leaf("x")))) and not gc.is_tracked(decoded(Holder()))
    assert gc.is_tracked(decoded(Logged("x")))
    assert decoded(Leaf("x", 1.5)) == Leaf("x", 1.5) and hash(decoded(Leaf("x"))) == hash(Leaf("x"))


def test_a_value_that_can_hold_references_tracks_a_decoded_message_again() -> None:
    plain = decoded(Plain("x"))
    plain.label = "y"
    assert not gc.is_tracked(plain)  # a str holds no reference
    plain.label = Box(None)  # type: ignore[assignment]
    assert gc.is_tracked(plain)
    again = decoded(Plain("x"))
    again.__init__(label=[again])  # type: ignore[misc, arg-type]
    assert gc.is_tracked(again)


class Box:
    def __init__(self, held: object) -> None:
        self.held = held


def test_a_cycle_through_a_decoded_message_is_collected() -> None:
    plain = decode_with(True, encode_with(False, Plain("x")), Plain)
    box = Box(plain)
    plain.label = box  # type: ignore[assignment]
    ref = weakref.ref(box)
    del plain, box
    gc.collect()
    assert ref() is None


def object_setattr_passes_c_setattrs() -> bool:
    """Whether this CPython lets object.__setattr__ go around a class's C __setattr__ (its
    "hackcheck"), tried on threading.local, whose __setattr__ is C code: refused, it is a
    TypeError; let through, object's own then finds no slot for the name."""
    try:
        object.__setattr__(threading.local(), "name", 1)
    except TypeError:
        return False
    except AttributeError:
        return True
    return True


def test_assignments_keep_python_s_rules_with_the_c_setattr() -> None:
    STORES.clear()
    watched = Watched("x")
    assert STORES == ["label", "note", "_ddl_unknown"]  # the constructor stored through it
    watched.label = "y"
    assert STORES[3:] == ["label"] and watched.label == "y"
    del watched.label
    with pytest.raises(AttributeError):
        watched.label  # noqa: B018
    with pytest.raises(AttributeError):
        Plain().other = 1  # type: ignore[attr-defined]
    # object.__setattr__ past a C __setattr__ is what CPython makes of it, as on any class with
    # one (threading.local's): refused up to some 3.12 release (3.12.1 still refuses it), let
    # through in 3.13, where it stores the value in the slot.
    plain = Plain()
    if object_setattr_passes_c_setattrs():
        object.__setattr__(plain, "label", "z")
        assert plain.label == "z"
    else:
        with pytest.raises(TypeError, match="can't apply this __setattr__"):
            object.__setattr__(plain, "label", "z")
    # A frozen class has no C __setattr__: the frozen dataclass idiom works on every version.
    leaf = Leaf("x")
    object.__setattr__(leaf, "label", "z")
    assert leaf.label == "z"


class Sparse(IntEnum):
    ZERO = 0
    TWO = 2
    LAST = 255
    BEYOND = 256
    FAR = 300
    NEG = -4


class Level(ddl.ClosedEnum):
    LOW = 1
    HIGH = 3


class Graded(ddl.Message):
    sparse: Sparse = Sparse.ZERO
    level: Level | None = None


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "cython"])
@pytest.mark.parametrize("number", [0, 1, 2, 3, 4, 254, 255, 256, 257, 300, -4, -1, 2**31 - 1, -(2**31)])
def test_an_enum_number_decodes_as_its_member_or_stays_a_number(compiled: bool, number: int) -> None:
    # The compiled engine finds the members of numbers 0 to 255 in a table, the others in a
    # dict: an open enum's unknown number stays an int, a closed enum's goes to the unknown
    # fields, and both write back the bytes they were read from.
    data = b"\x08" + varint(number) + b"\x10" + varint(number)
    msg = decode_with(compiled, data, Graded)
    members = {int(m): m for m in Sparse}
    if number in members:
        assert msg.sparse is members[number]
    else:
        assert type(msg.sparse) is int and msg.sparse == number
    assert msg.level is (Level(number) if number in (1, 3) else None)
    assert encode_with(compiled, msg) == (data if number else b"\x10\x00")  # proto3 leaves out a zero


def test_a_constructor_given_another_class_s_instance_refuses_it() -> None:
    # The filler writes slots at Plain's offsets: only instances of Plain have them.
    with pytest.raises(TypeError, match="not an instance of its class"):
        Plain.__init__(Leaf("x"), "y")  # type: ignore[arg-type]


class Numbers(ddl.Message):
    value: int = 0
    values: list[int] = []
    tail: str = ""


_VARINTS = [
    b"\x00",
    b"\x7f",
    b"\x80\x01",
    b"\x80\x00",
    b"\xff\xff\xff\xff\x0f",
    b"\xff" * 7 + b"\x7f",
    b"\x80" * 8 + b"\x01",
    b"\xff" * 9 + b"\x01",
    b"\xff" * 9 + b"\x7f",
    b"\x80" * 9 + b"\x00",
    b"\xff" * 10 + b"\x01",
    b"\xff" * 12,
    b"\xff" * 9,
]


@pytest.mark.parametrize("raw", _VARINTS)
@pytest.mark.parametrize("tail", [b"", b"\x1a\x0c" + b"twelve bytes", b"\x1a\x00"])
def test_both_engines_read_every_varint_length_alike_near_the_end_of_the_buffer_or_far_from_it(
    raw: bytes, tail: bytes
) -> None:
    # Ten bytes or more left take the word-at-a-time path; fewer, the byte-by-byte one.
    as_field = b"\x08" + raw + tail
    in_a_string = b"\x12" + varint(len(raw)) + raw + tail
    twice_in_a_string = b"\x12" + varint(2 * len(raw)) + raw + raw
    for message in (as_field, in_a_string, twice_in_a_string):
        assert repr(outcome(decode_with, True, message, Numbers)) == repr(outcome(decode_with, False, message, Numbers))


@given(st.lists(st.integers(-(2**63), 2**63 - 1)), st.text(max_size=12))
def test_the_compiled_engine_reads_back_any_int64_whatever_follows_it(values: list[int], tail: str) -> None:
    assert speedups is not None
    for value in values or [0]:
        message = Numbers(value=value, values=values, tail=tail)
        assert speedups.decode_program(program_of(Numbers), encode_with(False, message), 100) == message


def test_encoding_and_decoding_from_many_threads_gives_the_same_results() -> None:
    values = [Everything(i64=n, text=str(n) * n, children=[Everything(ints=list(range(n)))]) for n in range(50)]
    expected = [encode_with(False, v) for v in values]

    def work(n: int) -> bool:
        data = encode_with(True, values[n % 50])
        return data == expected[n % 50] and decode_with(True, data, Everything) == values[n % 50]

    with ThreadPoolExecutor(8) as pool:
        assert all(pool.map(work, range(2000)))


def test_ten_thousand_calls_on_every_type_family_and_on_failures_do_not_grow_memory() -> None:
    good = Everything(
        i64=-5,
        u64=2**64 - 1,
        s64=-(2**63),
        dbl=1.5,
        text="héllo",
        blob=b"\x00",
        mood=Mood.SAD,
        maybe=0,
        leaf=Leaf("x", 1.5),
        ints=[1, -1],
        sints=(-3, 3),
        doubles=[0.5],
        flags=[True],
        moods=[Mood.GLAD, 7],
        texts=["a"],
        leaves=[Leaf()],
        labels={"a": 1},
        by_id={-7: Leaf("l")},
        switches={True: Mood.SAD},
        children=[Everything(text="kid")],
    )
    data = encode_with(True, good)
    bad_value = Everything(ints=[1, "x"])
    various = Variety(
        choice=Leaf("c"),
        picked=Mood.SAD,
        when=datetime(2020, 1, 2, tzinfo=UTC),
        span=timedelta(seconds=-3),
        day=date(2024, 2, 29),
        loose=[1.5, {"a": None}],
        doc={"k": "v"},
        price=Decimal("1.10"),
        key=UUID(int=7),
        unique={1, 2},
        names=frozenset({"x"}),
        stamps=[datetime(2000, 1, 1, tzinfo=UTC)],
        prices={"p": Decimal("2")},
        grid=[[1], []],
        gaps=[None, 2],
        mixed=[1, "a"],
        chosen=["c"],
        groups={"g": ["x"]},
        nested=[Variety(choice=3)],
    )

    various_data = encode_with(True, various)
    # Failures at many points of a message of every family: each leaves the C loops at another place.
    cuts = range(1, len(various_data), max(1, len(various_data) // 12))
    bad_variety = Variety(nested=[Variety(groups={"g": ["x", 1]})])  # type: ignore[list-item]

    def round_of_calls() -> None:
        for _ in range(10_000):
            decode_with(True, encode_with(True, good), Everything)
            decode_with(True, encode_with(True, various), Variety)
        for _ in range(1_000):
            with pytest.raises(ddl.DecodeError):
                decode_with(True, data[:-1], Everything)
            with pytest.raises(ddl.EncodeError):
                encode_with(True, bad_value)
            for cut in cuts:
                outcome(decode_with, True, various_data[:cut], Variety)
            with pytest.raises(ddl.EncodeError):
                encode_with(True, bad_variety)

    round_of_calls()  # warm every cache first
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        round_of_calls()
        gc.collect()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    growth = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    assert growth < 64 * 1024, f"memory grew by {growth} bytes over 12 000 calls"


@pytest.mark.parametrize("compiled", [True, False])
def test_a_large_decode_pauses_the_gc_and_restores_it(compiled: bool) -> None:
    value = Everything(texts=["x" * 100] * 400)
    data = encode_with(False, value)
    assert len(data) > 16384
    assert gc.isenabled()
    assert decode_with(compiled, data, Everything) == value
    assert gc.isenabled()
    gc.disable()
    try:
        decode_with(compiled, data, Everything)
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(ddl.DecodeError):
        decode_with(compiled, data[:-1], Everything)
    assert gc.isenabled()


def test_public_functions_take_the_documented_arguments_on_the_compiled_engine() -> None:
    value = Everything(labels={"b": 2, "a": 1}, children=[Everything(i64=3)])
    data = ddl.encode(value, deterministic=True, max_depth=5)
    assert data == encode_with(False, value, True, 5)
    for buf in (data, bytearray(data), memoryview(data)):
        assert ddl.decode(buf, Everything, max_depth=5) == value
    with pytest.raises(ddl.EncodeError, match="max_depth"):
        ddl.encode(value, max_depth=0)
    with pytest.raises(ddl.DecodeError):
        ddl.decode(data, Everything, max_depth=0)
    with pytest.raises(TypeError, match="Message subclass"):
        ddl.encode(object())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="bytes"):
        ddl.decode("text", Everything)  # type: ignore[arg-type]


class Texts(ddl.Message):
    text: str = ""
    texts: list[str] = []


@given(st.text(), st.lists(st.text(alphabet=st.characters(max_codepoint=0x2FF)), max_size=3))
def test_the_compiled_engine_decodes_any_text_to_the_string_python_makes(text: str, texts: list[str]) -> None:
    assert speedups is not None
    data = encode_with(False, Texts(text, texts))
    decoded = speedups.decode_program(program_of(Texts), data, 100)
    # Equal strings of different internal widths compare unequal in CPython: this also checks
    # that each string is made at the narrowest width, as CPython's own decoder makes it.
    assert decoded.text == text and hash(decoded.text) == hash(text) and decoded.texts == texts


_PIECES = ["a", "word ", "é", "ÿ", "Ā", "€", "中文", "😀", "\U0010ffff"]


@pytest.mark.parametrize("piece", ["é", "€", "😀", "a€"])
@pytest.mark.parametrize("size", [5, 16, 17, 4079, 4080, 4081, 9000])
def test_the_compiled_engine_decodes_long_text_past_every_scanning_step(piece: str, size: int) -> None:
    # Lengths around the scan's 16-byte steps and the 4080 bytes after which it sums its lanes;
    # the widest byte it finds sets the string's width, so a miss would cut characters short.
    text = (piece * size)[: max(1, size // len(piece.encode()))]
    assert speedups is not None
    decoded = speedups.decode_program(program_of(Texts), encode_with(False, Texts(text)), 100)
    assert decoded.text == text and hash(decoded.text) == hash(text)


@given(st.lists(st.tuples(st.sampled_from(_PIECES), st.integers(1, 1500)), max_size=4), st.data())
def test_both_engines_agree_on_long_text_and_on_any_byte_of_it_damaged(runs: list[tuple[str, int]], data: Any) -> None:
    text = "".join(piece * times for piece, times in runs)
    assert decode_with(True, encode_with(False, Texts(text)), Texts) == Texts(text)
    raw = bytearray(text.encode())
    if raw:
        at = data.draw(st.integers(0, len(raw) - 1))
        raw[at] = data.draw(st.integers(0, 255))
    body = bytes(raw)
    message = b"\x0a" + varint(len(body)) + body
    assert repr(outcome(decode_with, True, message, Texts)) == repr(outcome(decode_with, False, message, Texts))


@given(st.binary(max_size=24))
def test_both_engines_reject_or_accept_the_same_bytes_in_a_string_field(raw: bytes) -> None:
    data = b"\x0a" + bytes([len(raw)]) + raw
    assert repr(outcome(decode_with, True, data, Texts)) == repr(outcome(decode_with, False, data, Texts))


@pytest.mark.parametrize(
    "raw",
    [
        b"\xc0\x80",
        b"\xc1\xbf",
        b"\xe0\x80\x80",
        b"\xe0\x9f\xbf",
        b"\xed\xa0\x80",
        b"\xed\xbf\xbf",
        b"\xf0\x80\x80\x80",
        b"\xf0\x8f\xbf\xbf",
        b"\xf4\x90\x80\x80",
        b"\xf5\x80\x80\x80",
        b"\xff",
        b"caf\xc3",
        b"\xe2\x82",
        b"\xf0\x9f\x98",
        b"\x80abc",
        b"ok \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xbf",
        "Zoë €uro 😀 ok".encode() + b"\xc3\x28",
        "ÿ".encode(),
        "Āb".encode(),
        "\U0010ffff".encode(),
    ],
)
def test_both_engines_agree_on_the_edges_of_utf8(raw: bytes) -> None:
    data = b"\x0a" + bytes([len(raw)]) + raw
    expected = outcome(decode_with, False, data, Texts)
    assert repr(outcome(decode_with, True, data, Texts)) == repr(expected)
    try:
        text = raw.decode()
    except UnicodeDecodeError:
        assert expected[0] == "DecodeError"
    else:
        assert expected == ("value", Texts(text))
