"""The memory benchmark: peak RSS growth of decoding one big Batch, in a fresh process per library.

The runner writes the payload (``memory_payload``); ``memory_worker`` decodes it in the worker.
"""

from __future__ import annotations

import gc
import math
import resource
import sys
import time
from pathlib import Path

from benches import workloads
from benches.processes import emit, load_in_worker
from benches.settings import Settings


def memory_payload(settings: Settings, folder: Path) -> tuple[Path, int]:
    """A Batch of ~``settings.memory_mb`` MB: ddl's bytes of ``batch`` repeated (repeated fields
    concatenate on the wire, so k copies decode as one Batch of k * 100 records)."""
    from benches.adapters import ddl_adapter

    case = ddl_adapter.make("batch", workloads.build("batch"))
    one = case.encode(case.obj)
    copies = max(1, math.ceil(settings.memory_mb * 1e6 / len(one)))
    path = folder / "batch-payload.bin"
    path.write_bytes(one * copies)
    return path, copies * len(case.obj.records)


def memory_worker(name: str, payload: Path, records: int) -> int:
    """Peak RSS growth of decoding ``payload`` (a Batch) in this fresh process, in MB."""
    loaded = load_in_worker(name)
    if loaded is None:
        return 0
    _, module = loaded
    warm = module.make("batch", workloads.batch(2))  # compile/import everything first
    warm.read(warm.decode(warm.encode(warm.obj)))
    decode = warm.decode
    data = payload.read_bytes()
    del warm
    gc.collect()
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    obj = decode(data)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    got = len(obj.records)
    if got != records:
        emit("wrong", workload="memory", error=f"decoded {got} records, expected {records}")
        return 0
    # ru_maxrss is in KiB on Linux (bytes on macOS)
    unit = 1 if sys.platform == "darwin" else 1024
    emit(
        "memory",
        peak_rss_delta_mb=(peak - base) * unit / 1e6,
        baseline_rss_mb=base * unit / 1e6,
        decode_s=seconds,
        payload_mb=len(data) / 1e6,
        records=got,
    )
    return 0
