"""The memory benchmark: peak RSS growth of decoding one big Batch, in a fresh process per library.

The runner writes the payload once per wire (``memory_payloads``): ddl's protobuf bytes, read by
every protobuf library, and msgspec's MessagePack of the same records. ``memory_worker``
decodes it in the worker, the way ``hostile_memory`` measures: on Linux the peak (``VmHWM``) is
reset just before the decode, so memory freed earlier (imports, warm-up) hides none of it.
"""

from __future__ import annotations

import gc
import math
import time
from pathlib import Path

from benches import workloads
from benches.hostile_memory import _peak, _reset_peak, _status_kb
from benches.processes import emit, load_in_worker
from benches.settings import Settings

#: the libraries that do not read protobuf's wire, and the wire they read instead
WIRES = {"msgspec": "msgpack"}


def wire_of(name: str) -> str:
    """The wire of library ``name``'s memory payload: ``"protobuf"`` or ``"msgpack"``."""
    return WIRES.get(name, "protobuf")


def memory_payloads(settings: Settings, folder: Path, wires: set[str]) -> tuple[dict[str, Path], int]:
    """A Batch of ~``settings.memory_mb`` MB of protobuf, and the same records for each other
    wire in ``wires`` whose library is installed; and the number of records. The protobuf one
    is ddl's bytes of ``batch`` repeated (repeated fields concatenate on the wire, so k copies
    decode as one Batch of k * 100 records); the MessagePack one is msgspec's Batch holding the
    same 100 records k times over."""
    from benches.adapters import ddl_adapter

    logical = workloads.build("batch")
    case = ddl_adapter.make("batch", logical)
    one = case.encode(case.obj)
    copies = max(1, math.ceil(settings.memory_mb * 1e6 / len(one)))
    paths = {"protobuf": folder / "batch-payload.protobuf"}
    paths["protobuf"].write_bytes(one * copies)
    if "msgpack" in wires:
        try:
            from benches.adapters import msgspec_adapter
        except ImportError:
            pass  # its worker reports it as not installed
        else:
            theirs = msgspec_adapter.make("batch", logical)
            paths["msgpack"] = folder / "batch-payload.msgpack"
            paths["msgpack"].write_bytes(theirs.encode(type(theirs.obj)(records=theirs.obj.records * copies)))
    return paths, copies * len(case.obj.records)


def memory_worker(name: str, payload: Path, records: int) -> int:
    """Peak RSS growth of decoding ``payload`` (a Batch) in this fresh process, in MB, and the
    growth still held once the decode returned (``retained_mb``: the peak less any transient)."""
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
    base = _reset_peak()
    t0 = time.perf_counter()
    obj = decode(data)
    seconds = time.perf_counter() - t0
    peak = _peak()
    try:
        retained: float | None = (_status_kb("VmRSS") * 1024 - base) / 1e6
    except (OSError, KeyError):
        retained = None  # no /proc: the peak alone
    got = len(obj.records)
    if got != records:
        emit("wrong", workload="memory", error=f"decoded {got} records, expected {records}")
        return 0
    emit(
        "memory",
        peak_rss_delta_mb=(peak - base) / 1e6,
        retained_mb=retained,
        baseline_rss_mb=base / 1e6,
        decode_s=seconds,
        payload_mb=len(data) / 1e6,
        records=got,
    )
    return 0
