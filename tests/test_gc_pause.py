"""Large decodes pause the cyclic GC (see ddl/_gcpause.py). The pause is shared by every thread
and both engines: it lasts while any decode is in flight, and leaves the user's own
``gc.disable()``, ``gc.enable()`` and thresholds as the user set them."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable

import pytest

import ddl
from ddl import _gcpause
from tests.conftest import TENURES, Engine


class Row(ddl.Message):
    name: str = ""
    n: int = 0


class Rows(ddl.Message):
    rows: list[Row] = []


pytestmark = pytest.mark.usefixtures("gc_restored")  # each test leaves the collector as it found it

BIG = ddl.encode(Rows(rows=[Row(name=f"row {i}", n=i) for i in range(300_000)]))


def paused() -> bool:
    return gc.get_threshold()[0] == 0


def collections_during(call: Callable[[], object]) -> list[int]:
    """The count of new objects at the start of each collection ``call`` starts, from counts of 0."""
    starts: list[int] = []
    gc.collect()
    gc.callbacks.append(lambda phase, info: starts.append(gc.get_count()[0]) if phase == "start" else None)
    try:
        call()
    finally:
        gc.callbacks.pop()
    return starts


def test_a_large_decode_pauses_collection_and_restores_it(engine: Engine) -> None:
    thresholds = gc.get_threshold()

    def decode() -> None:
        assert len(engine.decode(BIG, Rows).rows) == 300_000
        assert gc.get_threshold() == thresholds and gc.isenabled()

    starts = collections_during(decode)
    # 300,000 new instances, and no collection while they were made: the Python engine's are
    # counted, so one may start once the pause is over; the compiled engine's are not.
    assert all(count >= 300_000 for count in starts)
    if engine.compiled and TENURES:
        assert starts == []


class Series(ddl.Message):
    name: str = ""
    values: list[float] = []
    counts: list[int] = []


def test_a_large_message_of_numbers_starts_no_collection(engine: Engine) -> None:
    # Numbers and strings are not objects the collector counts: the compiled engine decodes a
    # message of scalars and runs of scalars without a pause, and no collection runs.
    series = Series(name="load", values=[i / 7 for i in range(200_000)], counts=list(range(200_000)))
    data = ddl.encode(series)
    assert collections_during(lambda: engine.decode(data, Series) == series) == []


def test_pauses_nest_across_calls() -> None:
    """A decode that ends while another is in flight leaves collection paused."""
    thresholds = gc.get_threshold()
    _gcpause.pause()  # another thread's decode, in flight
    ddl.decode(BIG, Rows)
    assert paused()
    _gcpause.resume()
    assert gc.get_threshold() == thresholds


def test_a_user_threshold_set_during_a_pause_is_kept() -> None:
    _gcpause.pause()
    gc.set_threshold(5000, 20, 20)
    _gcpause.resume()
    assert gc.get_threshold() == (5000, 20, 20)


def test_a_users_gc_disable_during_another_threads_decode_stays(engine: Engine) -> None:
    """The user disables the collector while a decode runs in another thread: once that decode
    ends, the collector is still disabled."""
    for _ in range(5):
        gc.enable()
        worker = threading.Thread(target=engine.decode, args=(BIG, Rows))
        worker.start()
        while worker.is_alive() and gc.isenabled() and not paused():
            time.sleep(0.0005)
        caught_in_flight = worker.is_alive()
        gc.disable()
        worker.join()
        assert not gc.isenabled()
        if caught_in_flight:
            return
    pytest.fail("no decode was caught in flight")
