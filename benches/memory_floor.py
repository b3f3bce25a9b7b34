"""The least memory any eager decoder into ddl's Python objects takes for the memory benchmark.

The memory benchmark decodes a ~50 MB ``Batch`` and reads the peak RSS growth. A decoder that
returns Python objects of these classes makes, whatever it does, one instance per message, a
list per repeated field, a dict per map, and an object per int, float and string it cannot
share. This walks the objects that ``ddl.decode`` returns for the benchmark's records, adds up
their sizes as CPython allocates them (``sys.getsizeof``, GC header included, rounded up to
pymalloc's 16-byte classes), counts once what records share (small ints, the short strings ddl
shares, enum members), and divides by the records: the floor for that payload, beside the peaks
a benchmark run measured (its JSON, such as ``benches/results/latest.json``).

Run it as ``python benches/memory_floor.py [results.json]`` from a checkout.

Example::

    python benches/memory_floor.py benches/results/latest.json
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__" and not __package__:  # run as a script: make `benches` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import gc
import json
from collections.abc import Sequence
from typing import Any

from benches import workloads
from benches.adapters import ddl_adapter

#: copies of the workload's 100 records decoded at once, so that what records share is amortized
COPIES = 50


def allocated(obj: object) -> int:
    """The bytes CPython's allocator gives ``obj``: pymalloc's 16-byte classes up to 512 bytes."""
    return (sys.getsizeof(obj) + 15) // 16 * 16


def footprint(root: object) -> int:
    """The bytes of every object reachable from ``root``, each counted once (by identity),
    without the classes (and what only they reach) that instances refer to."""
    seen: set[int] = set()
    stack = [root]
    total = 0
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, type):
            continue
        seen.add(id(obj))
        total += allocated(obj)
        stack.extend(gc.get_referents(obj))
    return total


def floor_per_record() -> tuple[float, int]:
    """The bytes per record of the objects the memory benchmark's payload decodes to, and the
    number of records decoded to measure it."""
    case = ddl_adapter.make("batch", workloads.build("batch"))
    batch: Any = case.decode(case.encode(case.obj) * COPIES)
    records = len(batch.records)
    return (footprint(batch) - allocated(batch)) / records, records


def main(args: Sequence[str]) -> None:
    parser = workloads.script_parser(__doc__ or "", choices=None)
    parser.add_argument("results", nargs="?", type=Path, help="a run's JSON, to set its peaks beside the floor")
    results: Path | None = parser.parse_args(args).results
    per_record, records = floor_per_record()
    print(f"objects decoded from {records:,} records: {per_record:,.0f} bytes per record")
    if results is None:
        return
    memory = json.loads(results.read_text())["memory"]
    floor_mb = per_record * memory["records"] / 1e6
    print(f"floor for the benchmark's {memory['records']:,} records: {floor_mb:,.1f} MB")
    peaks = {name: row["peak_rss_delta_mb"] for name, row in memory["results"].items() if "peak_rss_delta_mb" in row}
    upb = peaks.get("protobuf-upb")
    for name, peak in peaks.items():
        against = f", {peak / upb:.2f}x upb" if upb else ""
        print(f"  {name}: peak {peak:,.1f} MB, {peak / floor_mb:.2f}x the floor{against}")
    if upb:
        print(f"the floor is {floor_mb / upb:.2f}x upb's peak")


if __name__ == "__main__":
    main(sys.argv[1:])
