"""The timing worker: in its own process, check one library's answers, then time every operation.

For each workload: calibrate a loop count, take timed samples, and stream the per-call median
(and minimum) of ``encode``, ``decode+read`` and ``decode`` back to the runner; then, for a
library with JSON, of ``json encode`` and ``json decode+read`` (fewer samples: ``Settings.for_json``).
"""

from __future__ import annotations

import gc
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

from benches import workloads
from benches.adapters import Case
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


def measure(timed: Callable[[int], float], settings: Settings) -> dict[str, Any]:
    """Calibrate a loop count so a sample takes ~``settings.target`` s; return the per-call median.

    The garbage collector stays enabled (as in real programs); it runs a full collection before
    each sample, outside the timed region.
    """
    gc.collect()
    once = timed(1)  # also a warm-up
    loops = 1
    if once < settings.target:
        loops = max(1, int(settings.target / max(once, 1e-7)))
        loops = min(loops, 1_000_000)
        t = timed(loops)
        loops = max(1, round(loops * settings.target / max(t, 1e-9)))
    per_sample = max(once * loops, settings.target)
    n = max(settings.min_samples, min(settings.samples, int(settings.budget / per_sample)))
    times = []
    for _ in range(n):
        gc.collect()
        times.append(timed(loops) / loops)
    return {
        "median_us": statistics.median(times) * 1e6,
        "min_us": min(times) * 1e6,
        "samples": n,
        "loops": loops,
    }


def _skip(workload: str, ops: Sequence[str], why: str) -> None:
    for op in ops:
        emit("progress", label=f"{workload} {op} ({why})")


def worker(name: str, settings: Settings, names: Sequence[str]) -> int:
    """Check, then time, one library on the workloads ``names``, streaming JSON lines to stdout.

    The binary and the JSON operations are checked apart: a wrong answer in one leaves the other timed.
    """
    loaded = load_in_worker(name)
    if loaded is None:
        return 0
    lib, module = loaded
    emit("info", version=module.version(), python=platform.python_version(), json=module.JSON)
    wire_peer, json_peer = peers_of(module)
    json_settings = settings.for_json()
    for workload in names:
        if workload in unsupported(module):
            emit("unsupported", workload=workload, reason=unsupported(module)[workload])
            _skip(workload, workloads.ALL_OPS, "not supported")
            continue
        logical = workloads.build(workload)
        try:
            case = module.make(workload, logical)
            ddl_case = wire_peer.make(workload, logical) if wire_peer is not None else None
            data = check(lib.name, workload, case, logical, ddl_case)
        except Exception as e:  # noqa: BLE001 - a wrong answer (CheckError) or a crash: never time it
            emit("wrong", workload=workload, error=f"{type(e).__name__}: {e}"[:500])
            _skip(workload, workloads.ALL_OPS, "skipped")
            continue
        emit("size", workload=workload, bytes=len(data))
        timers = _timers(case, data)
        for op in workloads.OPS:
            emit("result", workload=workload, op=op, **measure(timers[op], settings))
            emit("progress", label=f"{workload} {op}")
        if module.JSON is None:
            _skip(workload, workloads.JSON_OPS, "no JSON")
            continue
        try:
            json_case = json_peer.make(workload, logical) if json_peer is not None else None
            text = check_json(lib.name, workload, case, logical, json_case)
        except Exception as e:  # noqa: BLE001 - as above, for the JSON operations alone
            emit("wrong", workload=workload, error=f"JSON: {type(e).__name__}: {e}"[:500], json=True)
            _skip(workload, workloads.JSON_OPS, "skipped")
            continue
        emit("size", workload=workload, bytes=len(text.encode() if isinstance(text, str) else text), json=True)
        timers = _json_timers(case, text)
        for op in workloads.JSON_OPS:
            emit("result", workload=workload, op=op, **measure(timers[op], json_settings))
            emit("progress", label=f"{workload} {op}")
    emit("done")
    return 0
