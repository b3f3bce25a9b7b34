"""The timing worker: in its own process, check one library's answers, then time what the runner asks.

The runner (``lockstep.py``) keeps one worker per library alive and sends each a command at a
time, one JSON line on stdin: ``load`` a workload (check the library's answers on it, and say
which operations it can time), ``calibrate`` an operation (a loop count, and how many samples
the budget allows), and take one ``sample`` of it. The worker answers with events on stdout
(``processes.emit``). So the runner decides the order of every sample, and it alternates the
libraries' samples of one operation.
"""

from __future__ import annotations

import gc
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

from benches import workloads
from benches.adapters import Case, Library
from benches.adapters.check import check, check_json, peers_of, unsupported
from benches.processes import emit, load_in_worker
from benches.settings import Settings


def _time_encode(encode: Callable[[Any], bytes | str], obj: Any, loops: int) -> float:
    it = range(loops)
    t0 = time.perf_counter()
    for _ in it:
        encode(obj)
    return time.perf_counter() - t0


def _time_decode(decode: Callable[[Any], Any], data: bytes | str, loops: int) -> float:
    it = range(loops)
    t0 = time.perf_counter()
    for _ in it:
        decode(data)
    return time.perf_counter() - t0


def _time_decode_read(decode: Callable[[Any], Any], read: Callable[[Any], Any], data: bytes | str, loops: int) -> float:
    it = range(loops)
    t0 = time.perf_counter()
    for _ in it:
        read(decode(data))
    return time.perf_counter() - t0


def _timers(case: Case, data: bytes) -> dict[str, Callable[[int], float]]:
    """For each op, a function timing ``loops`` calls of it."""
    encode, decode, read, obj = case.encode, case.decode, case.read, case.obj
    return {
        "encode": lambda loops: _time_encode(encode, obj, loops),
        "decode+read": lambda loops: _time_decode_read(decode, read, data, loops),
        "decode": lambda loops: _time_decode(decode, data, loops),
    }


def _json_timers(case: Case, text: str | bytes) -> dict[str, Callable[[int], float]]:
    """For each JSON op, a function timing ``loops`` calls of it (the library reads its own text)."""
    assert case.to_json is not None and case.from_json is not None
    to_json, from_json, read, obj = case.to_json, case.from_json, case.read, case.json_input
    return {
        "json encode": lambda loops: _time_encode(to_json, obj, loops),
        "json decode+read": lambda loops: _time_decode_read(from_json, read, text, loops),
    }


def calibrate(timed: Callable[[int], float], settings: Settings) -> tuple[int, int]:
    """A loop count that makes a sample last about ``settings.target`` seconds, and the number of
    samples to take (fewer for slow calls, within ``settings.budget``).

    The garbage collector stays enabled (as in real programs); the heap is ``settle``d first.
    """
    settle()
    timed(1)  # a warm-up: a first call fills caches and can take many times a warm one
    once = timed(1)
    if once >= settings.target:
        loops, per_sample = 1, once
    else:
        tried = min(max(1, int(settings.target / max(once, 1e-7))), 1_000_000)
        t = max(timed(tried), 1e-9)
        loops = max(1, round(tried * settings.target / t))  # a sample of about the target
        per_sample = max(loops * t / tried, settings.target)
    return loops, max(settings.min_samples, min(settings.samples, int(settings.budget / per_sample)))


def settle() -> None:
    """Collect, then move every object alive now out of the collector's reach (``gc.freeze``),
    until the next ``settle``.

    What is alive when an operation is calibrated is the harness's: imported modules, the
    workload's data, the library's input to the encode rows (6,254 tracked objects for ddl's
    tree, one C object for upb's). Every full collection passes over whatever is tracked, so
    without the freeze a library's decode figures would carry the cost of walking objects
    held for the other rows and of modules only its process imports; with it, collections
    pass over what the timed calls make and keep, as in a server that freezes its startup heap.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def sample(timed: Callable[[int], float], loops: int) -> float:
    """One sample: the time of a call, in seconds, over ``loops`` calls.

    Samples follow one another with no collection between them: the collector runs when the
    calls' own allocations start it, and full collections (every few calls of a large
    workload) fall into samples as they come. A collection forced before each sample would
    restart the collector's counts, so a sample shorter than the span between two full
    collections would leave them out (on tree, most samples did).
    """
    return timed(loops) / loops


def figures(samples_us: list[float], loops: int) -> dict[str, Any]:
    """What the report keeps of one operation's samples (µs a call): median, minimum and counts."""
    return {
        "median_us": statistics.median(samples_us),
        "min_us": min(samples_us),
        "samples": len(samples_us),
        "loops": loops,
    }


def _load(
    lib: Library, module: ModuleType, peers: tuple[ModuleType | None, ModuleType | None], workload: str
) -> dict[str, Callable[[int], float]]:
    """Check ``module``'s answers on ``workload`` and give its timers, one per operation it can
    time (none when it does not run the workload or answers wrongly; the binary and the JSON
    operations are checked apart, so a wrong answer in one leaves the other timed)."""
    if workload in unsupported(module):
        emit("unsupported", workload=workload, reason=unsupported(module)[workload])
        return {}
    wire_peer, json_peer = peers
    logical = workloads.build(workload)
    try:
        case = module.make(workload, logical)
        ddl_case = wire_peer.make(workload, logical) if wire_peer is not None else None
        data = check(lib.name, workload, case, logical, ddl_case)
    except Exception as e:  # noqa: BLE001 - a wrong answer (CheckError) or a crash: never time it
        emit("wrong", workload=workload, error=f"{type(e).__name__}: {e}"[:500])
        return {}
    emit("size", workload=workload, bytes=len(data))
    timers = _timers(case, data)
    if module.JSON is None:
        return timers
    try:
        json_case = json_peer.make(workload, logical) if json_peer is not None else None
        text = check_json(lib.name, workload, case, logical, json_case)
    except Exception as e:  # noqa: BLE001 - as above, for the JSON operations alone
        emit("wrong", workload=workload, error=f"JSON: {type(e).__name__}: {e}"[:500], json=True)
        return timers
    emit("size", workload=workload, bytes=len(text.encode() if isinstance(text, str) else text), json=True)
    return timers | _json_timers(case, text)


def worker(name: str, settings: Settings, commands: Iterable[str] | None = None) -> int:
    """Serve the runner's ``commands`` (JSON lines; standard input by default) for library
    ``name`` until they end.

    It says first which version runs (``info``), or that the library cannot run here (``skip``,
    and nothing more). Each command then gets its answer: ``ready`` (the operations the loaded
    workload can time), ``calibrated`` (loops and samples) or ``sample`` (µs a call).
    """
    loaded = load_in_worker(name)
    if loaded is None:
        return 0
    lib, module = loaded
    emit("info", version=module.version(), python=platform.python_version(), json=module.JSON)
    peers = peers_of(module)
    timers: dict[str, Callable[[int], float]] = {}
    for line in sys.stdin if commands is None else commands:
        command = json.loads(line)
        op = command.get("op", "")
        if command["do"] == "load":
            timers = _load(lib, module, peers, command["workload"])
            emit("ready", ops=list(timers))
        elif command["do"] == "calibrate":
            loops, n = calibrate(timers[op], settings.for_json() if op in workloads.JSON_OPS else settings)
            emit("calibrated", loops=loops, samples=n)
        else:
            emit("sample", us=sample(timers[op], command["loops"]) * 1e6)
    return 0
