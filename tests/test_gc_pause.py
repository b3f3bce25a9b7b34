"""Large decodes pause the cyclic GC (see ddl/_gcpause.py). The pause is shared by every thread
and both engines: it lasts while any decode is in flight, and leaves the user's own
``gc.disable()``, ``gc.enable()`` and thresholds as the user set them."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator

import pytest

import ddl
from ddl import _gcpause
from tests.conftest import Engine


class Row(ddl.Message):
    name: str = ""
    n: int = 0


class Rows(ddl.Message):
    rows: list[Row] = []


BIG = ddl.encode(Rows(rows=[Row(name=f"row {i}", n=i) for i in range(300_000)]))


@pytest.fixture(autouse=True)
def collector() -> Iterator[None]:
    """Each test starts and ends with the collector enabled at its usual thresholds."""
    thresholds, enabled = gc.get_threshold(), gc.isenabled()
    yield
    gc.set_threshold(*thresholds)
    gc.enable() if enabled else gc.disable()


def paused() -> bool:
    return gc.get_threshold()[0] == 0


def test_a_large_decode_pauses_collection_and_restores_it(engine: Engine) -> None:
    seen: list[bool] = []
    gc.callbacks.append(lambda phase, info: seen.append(True))
    try:
        thresholds = gc.get_threshold()
        assert len(engine.decode(BIG, Rows).rows) == 300_000
        assert gc.get_threshold() == thresholds and gc.isenabled()
    finally:
        gc.callbacks.pop()
    assert seen == []  # 900,000 new objects, and not one collection


class Series(ddl.Message):
    name: str = ""
    values: list[float] = []
    counts: list[int] = []


def test_a_large_message_of_numbers_starts_no_collection(engine: Engine) -> None:
    # Numbers and strings are not objects the collector counts: the compiled engine decodes a
    # message of scalars and runs of scalars without a pause, and no collection runs.
    series = Series(name="load", values=[i / 7 for i in range(200_000)], counts=list(range(200_000)))
    seen: list[bool] = []
    gc.callbacks.append(lambda phase, info: seen.append(True))
    try:
        assert engine.decode(ddl.encode(series), Series) == series
    finally:
        gc.callbacks.pop()
    assert seen == []


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
