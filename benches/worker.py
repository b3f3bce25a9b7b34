"""The timing worker: in its own process, check one library's answers, then time every operation.

For each workload: calibrate a loop count, take timed samples, and stream the per-call median
(and minimum) of ``encode``, ``decode+read`` and ``decode`` back to the runner.
"""

from __future__ import annotations

import gc
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

from benches import workloads
from benches.adapters import Case, check
from benches.processes import emit, load_in_worker
from benches.settings import Settings


def _time_encode(encode: Callable[[Any], bytes], obj: Any, loops: int) -> float:
    it = range(loops)
    t0 = time.perf_counter()
    for _ in it:
        encode(obj)
    return time.perf_counter() - t0


def _time_decode(decode: Callable[[bytes], Any], data: bytes, loops: int) -> float:
    it = range(loops)
    t0 = time.perf_counter()
    for _ in it:
        decode(data)
    return time.perf_counter() - t0


def _time_decode_read(decode: Callable[[bytes], Any], read: Callable[[Any], Any], data: bytes, loops: int) -> float:
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


def worker(name: str, settings: Settings, names: Sequence[str]) -> int:
    """Check, then time, one library on the workloads ``names``, streaming JSON lines to stdout."""
    loaded = load_in_worker(name)
    if loaded is None:
        return 0
    lib, module = loaded
    emit("info", version=module.version(), python=platform.python_version())
    ddl_adapter = None
    if module.WIRE == "protobuf" and lib.module != "ddl_adapter":
        from benches.adapters import ddl_adapter
    for workload in names:
        logical = workloads.build(workload)
        try:
            case = module.make(workload, logical)
            ddl_case = ddl_adapter.make(workload, logical) if ddl_adapter is not None else None
            data = check(lib.name, workload, case, logical, ddl_case)
        except Exception as e:  # noqa: BLE001 - a wrong answer (CheckError) or a crash: never time it
            emit("wrong", workload=workload, error=f"{type(e).__name__}: {e}"[:500])
            for op in workloads.OPS:
                emit("progress", label=f"{workload} {op} (skipped)")
            continue
        emit("size", workload=workload, bytes=len(data))
        timers = _timers(case, data)
        for op in workloads.OPS:
            emit("result", workload=workload, op=op, **measure(timers[op], settings))
            emit("progress", label=f"{workload} {op}")
    emit("done")
    return 0
