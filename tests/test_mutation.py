"""Python code that runs in the middle of an encode: a value's ``__str__``, a tzinfo's
``utcoffset``, a metaclass's ``__hash__``, another thread. It may empty, extend or replace what is
being written. An engine then gives the reference engine's answer or an ``EncodeError``: never a
crash, and never bytes made from values the message did not hold (freed memory).

Each scenario first "sprays" the heap after its change, so that memory the change freed is
reused by values the message never held: an engine that read freed memory writes them, and the
check of what the bytes decode to fails. Under ``PYTHONMALLOC=debug`` it crashes instead, which
``test_scenarios_under_the_debug_allocator`` runs in a child process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import types
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import ddl
import ddl._api
from tests.conftest import ENGINES, Engine

# Values a spray makes; none of them is ever put in a message.
SPRAYED = Decimal(-7777)
_junk: list[object] = []


def spray() -> None:
    """Fill the heap's free lists with objects of the sizes that were just freed: keys like
    ``k12``, Decimals, messages. Under the debug allocator freed memory is left as it is, so that
    reading it crashes."""
    _junk.clear()
    if os.environ.get("PYTHONMALLOC") == "debug":
        return
    for k in range(300):
        _junk.append(f"Z{k % 100:02d}")
        _junk.append(SPRAYED + k)
        _junk.append(Inner(d=SPRAYED))
        _junk.append(Stamped(note="sprayed"))
        _junk.append(Leafy(label="sprayed"))
        _junk.append([None] * (k % 70))


class Hook(Decimal):
    """A Decimal that runs an action (once) when ddl turns it into its wire string."""

    action: Callable[[], None] | None = None

    def __str__(self) -> str:
        action, Hook.action = Hook.action, None
        if action is not None:
            action()
            spray()
        return super().__str__()


class Inner(ddl.Message):
    d: Decimal = Decimal(0)


class Outer(ddl.Message):
    items: list[Inner] = []
    amounts: dict[str, Decimal] = {}
    prices: set[Decimal] = set()
    rows: list[list[Decimal]] = []
    by_key: dict[int, Inner] = {}


class Shifty(int):
    """An int key that, once ``collapse`` is set, equals every other Shifty: a dict rebuilt
    from such keys holds fewer entries than the one it came from."""

    collapse = False

    def __eq__(self, other: object) -> bool:
        return Shifty.collapse or int(self) == other

    def __hash__(self) -> int:
        return 0


class Meddler(tzinfo):
    """A tzinfo whose ``utcoffset`` runs an action (once)."""

    action: Callable[[], None] | None = None

    def utcoffset(self, dt: datetime | None) -> timedelta:
        action, Meddler.action = Meddler.action, None
        if action is not None:
            action()
            spray()
        return timedelta(hours=1)

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MEDDLED = datetime(2020, 4, 30, 23, tzinfo=UTC)  # 2020-05-01T00:00 at Meddler's +01:00


class Stamped(ddl.Message):
    # Fields are written from the highest number down: ``note`` is read after ``at``.
    note: str = ""
    at: datetime = datetime(1970, 1, 1, tzinfo=UTC)


class Holder(ddl.Message):
    sub: Stamped = Stamped()
    subs: list[Stamped] = []


class HashingMeta(type(ddl.Message)):  # type: ignore[misc]
    """A message metaclass whose ``__hash__`` runs an action (once)."""

    action: Callable[[], None] | None = None

    def __hash__(cls) -> int:
        action, HashingMeta.action = HashingMeta.action, None
        if action is not None:
            action()
            spray()
        return id(cls) >> 4


class Leafy(ddl.Message, metaclass=HashingMeta):
    label: str = ""
    amount: Decimal = Decimal(0)


class Other(ddl.Message):
    n: int = 0


class Choice(ddl.Message):
    pick: Leafy | Other | None = None


@dataclass
class Scenario:
    """A message, and whether bytes written for it are sound, given what they decode to and
    the message as it stands once the call has returned. A list's elements may come from
    before or after the change (Python's own iteration sees some of each); a dict's entries are
    written from a snapshot, as they were when it was taken (the reference engine takes one
    when the compiled one bails, so what the dict held then, or holds now); a set that changed
    size gives the bytes of what it holds now, since Python's iteration refuses to go on."""

    msg: ddl.Message
    sound: Callable[[Any, Any], bool]
    deterministic: bool = False


def list_cleared() -> Scenario:
    outer = Outer(items=[Inner(d=Decimal(i)) for i in range(8)])
    outer.items[3] = Inner(d=Hook(3))
    Hook.action = outer.items.clear
    return Scenario(outer, lambda m, _: {i.d for i in m.items} <= {Decimal(i) for i in range(8)})


def list_extended() -> Scenario:
    outer = Outer(items=[Inner(d=Decimal(i)) for i in range(8)])
    outer.items[5] = Inner(d=Hook(5))
    Hook.action = lambda: outer.items.extend(Inner(d=Decimal(100 + i)) for i in range(50))
    allowed = {Decimal(i) for i in range(8)} | {Decimal(100 + i) for i in range(50)}
    return Scenario(outer, lambda m, _: {i.d for i in m.items} <= allowed)


def dict_cleared() -> Scenario:
    outer = Outer(amounts={f"k{i}": Decimal(i) for i in range(40)})
    outer.amounts["hook"] = Hook(5)
    Hook.action = outer.amounts.clear
    original = {(f"k{i}", Decimal(i)) for i in range(40)} | {("hook", Decimal(5))}
    return Scenario(outer, lambda m, _: set(m.amounts.items()) in (original, set()))


def dict_cleared_deterministic() -> Scenario:
    """Sorted entries are a snapshot, in both engines: they are written as they were."""
    scenario = dict_cleared()
    original = {(f"k{i}", Decimal(i)) for i in range(40)} | {("hook", Decimal(5))}
    return Scenario(scenario.msg, lambda m, _: set(m.amounts.items()) <= original, deterministic=True)


def map_values_cleared() -> Scenario:
    outer = Outer(by_key={i: Inner(d=Decimal(i)) for i in range(40)})
    outer.by_key[20] = Inner(d=Hook(20))
    Hook.action = outer.by_key.clear
    original = {i: Inner(d=Decimal(i)) for i in range(40)}
    return Scenario(outer, lambda m, _: m.by_key in (original, {}))


def map_keys_collapse() -> Scenario:
    keys = [Shifty(i) for i in range(40)]
    outer = Outer(by_key={k: Inner(d=Decimal(int(k))) for k in keys})
    Shifty.collapse = True
    return Scenario(outer, lambda m, _: all(v.d == Decimal(k) for k, v in m.by_key.items()), deterministic=True)


def set_cleared() -> Scenario:
    outer = Outer(prices={Decimal(i) for i in range(30)} | {Hook(77)})
    Hook.action = outer.prices.clear
    return Scenario(outer, lambda m, now: m.prices == now.prices)


def wrapper_rows_cleared() -> Scenario:
    outer = Outer(rows=[[Decimal(i), Decimal(i + 1)] for i in range(10)])
    outer.rows[4] = [Decimal(4), Hook(5)]
    Hook.action = outer.rows.clear
    allowed = {(Decimal(i), Decimal(i + 1)) for i in range(10)}
    return Scenario(outer, lambda m, _: {tuple(r) for r in m.rows} <= allowed)


def slot_replaced() -> Scenario:
    holder = Holder(sub=Stamped(at=datetime(2020, 5, 1, tzinfo=Meddler()), note="old"))
    fresh = Stamped(note="new")

    def replace() -> None:
        holder.sub = fresh

    Meddler.action = replace
    allowed = {("old", MEDDLED), ("new", EPOCH)}
    return Scenario(holder, lambda m, _: (m.sub.note, m.sub.at) in allowed)


def element_slot_replaced() -> Scenario:
    holder = Holder(subs=[Stamped(note=f"n{i}") for i in range(6)])
    holder.subs[2] = Stamped(at=datetime(2020, 5, 1, tzinfo=Meddler()), note="n2")

    def replace() -> None:
        holder.subs[2] = Stamped(note="new")
        holder.subs[4] = Stamped(note="new")

    Meddler.action = replace
    allowed = {(f"n{i}", EPOCH) for i in range(6)} | {("n2", MEDDLED), ("new", EPOCH)}
    return Scenario(holder, lambda m, _: {(s.note, s.at) for s in m.subs} <= allowed)


def oneof_member_replaced() -> Scenario:
    choice = Choice(pick=Leafy(label="before", amount=Decimal(1)))

    def replace() -> None:
        choice.pick = Other(n=2)

    HashingMeta.action = replace
    return Scenario(choice, lambda m, _: m.pick == Other(n=2) or m.pick.label == "before")


SCENARIOS: dict[str, Callable[[], Scenario]] = {
    f.__name__: f
    for f in [
        list_cleared,
        list_extended,
        dict_cleared,
        dict_cleared_deterministic,
        map_values_cleared,
        map_keys_collapse,
        set_cleared,
        wrapper_rows_cleared,
        slot_replaced,
        element_slot_replaced,
        oneof_member_replaced,
    ]
}


def run(engine: Engine, name: str) -> None:
    """Encode the scenario's message once, while its change happens; check what came out."""
    try:
        scenario = SCENARIOS[name]()
        try:
            data = engine.encode(scenario.msg, scenario.deterministic)
        except ddl.EncodeError:
            return  # what Python's own iteration reports for a container that changed size
        decoded = ddl.decode(data, type(scenario.msg))
        assert scenario.sound(decoded, scenario.msg), f"{name} on {engine.name}: {decoded}"
    finally:
        Hook.action = Meddler.action = HashingMeta.action = None
        Shifty.collapse = False
        _junk.clear()


@pytest.mark.parametrize("name", SCENARIOS)
def test_python_code_that_changes_the_message_mid_encode(engine: Engine, name: str) -> None:
    run(engine, name)


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenarios_under_the_debug_allocator(name: str) -> None:
    """The debug allocator fills freed memory, so that reading it crashes at once."""
    root = Path(__file__).resolve().parent.parent
    code = (
        "import sys\n"
        "from tests.test_mutation import run\n"
        "from tests.conftest import ENGINES\n"
        "for engine in ENGINES:\n"
        "    with engine.running():\n"
        "        run(engine, sys.argv[1])\n"
        "print('ok', len(ENGINES))\n"
    )
    env = {**os.environ, "PYTHONMALLOC": "debug", "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-c", code, name], cwd=root, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["ok", str(len(ENGINES))]


def test_a_binding_holding_anything_else_is_never_run(engine: Engine) -> None:
    """The compiled engine finds a class's Program on its Binding (``cls.__ddl__``); anything
    else stored there, by mistake or malice, is not run as one."""

    class Loose(ddl.Message):
        n: int = 0
        text: str = ""

    class Other(ddl.Message):
        n: int = 0

    msg = Loose(n=5, text="x")
    expected = engine.encode(msg)
    Loose.__ddl__.program = 12345
    ddl.encode(Other())  # the engine remembers the last class it ran: make it another
    assert ddl.encode(msg) == expected
    assert ddl.Encoder().encode(msg) == expected
    assert ddl.decode(expected, Loose) == msg
    assert ddl.Decoder(Loose).decode(expected) == msg
    ddl.encode(Other())
    type.__setattr__(Loose, "__ddl__", 12345)  # no Binding at all: not a message class any more
    with pytest.raises(TypeError, match=r"ddl\.Message"):
        ddl.encode(msg)
    with pytest.raises(TypeError, match=r"ddl\.Message"):
        ddl.decode(expected, Loose)


def test_threads_that_change_shared_messages_while_others_encode_and_decode() -> None:
    """No hostile code at all: encoding runs Python helpers (Decimal to string), where the
    interpreter may switch to a thread that empties and refills the same containers."""
    outer = Outer(items=[Inner(d=Decimal(i)) for i in range(20)], amounts={f"k{i}": Decimal(i) for i in range(20)})
    universe = {Decimal(i) for i in range(20)}
    data = ddl.encode(outer)
    stop = time.monotonic() + 1.5
    problems: list[str] = []

    def mutate() -> None:
        while time.monotonic() < stop:
            outer.items.clear()
            outer.items.extend(Inner(d=Decimal(i)) for i in range(20))
            outer.amounts.clear()
            outer.amounts.update((f"k{i}", Decimal(i)) for i in range(20))

    def encode() -> None:
        while time.monotonic() < stop:
            try:
                got = ddl.decode(ddl.encode(outer), Outer)
            except ddl.EncodeError:
                continue
            if not {i.d for i in got.items} <= universe or not set(got.amounts.values()) <= universe:
                problems.append(repr(got))

    def decode() -> None:
        while time.monotonic() < stop:
            if ddl.decode(data, Outer) != Outer(
                items=[Inner(d=Decimal(i)) for i in range(20)], amounts={f"k{i}": Decimal(i) for i in range(20)}
            ):
                problems.append("decode")

    def recording(work: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                work()
            except BaseException as exc:  # noqa: BLE001 - any escape is what this test looks for
                problems.append(repr(exc))

        return run

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=recording(t)) for t in (mutate, mutate, encode, encode, decode)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert problems == []


def test_threads_that_compile_a_class_at_once() -> None:
    """A class is compiled on its first use; threads that use it at the same moment must
    wait for its Program to be complete, never run one that is being filled in."""
    problems: list[str] = []
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for round in range(40):
            module = types.ModuleType(f"tests._fresh_{round}")
            sys.modules[module.__name__] = module
            namespace = module.__dict__
            namespace.update(ddl=ddl, Decimal=Decimal)
            exec(  # noqa: S102 - fresh classes each round: nothing compiled yet
                "class Leaf(ddl.Message):\n    a: int = 0\n    b: str = ''\n    c: Decimal = Decimal(0)\n"
                "class Node(ddl.Message):\n    leaves: list[Leaf] = []\n    kids: list['Node'] = []\n"
                "    names: dict[str, Leaf] = {}\n    pick: Leaf | int | None = None\n",
                namespace,
            )
            node = namespace["Node"](leaves=[namespace["Leaf"](a=round, b="x")], pick=round)
            expected = ddl._api.encode_with(False, node)
            start = threading.Barrier(4)

            def use(node: ddl.Message, expected: bytes, start: threading.Barrier) -> None:
                start.wait()
                try:
                    if ddl.encode(node) != expected or ddl.decode(expected, type(node)) != node:
                        problems.append(f"{node} came out wrong")
                except BaseException as exc:  # noqa: BLE001 - any escape is what this test looks for
                    problems.append(repr(exc))

            threads = [threading.Thread(target=use, args=(node, expected, start)) for _ in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            del sys.modules[module.__name__]
    finally:
        sys.setswitchinterval(interval)
    assert problems == []
