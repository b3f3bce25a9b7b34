"""What the side scripts that time one kind of call against the peers share (``dicts.py``,
``copies.py``): the loop they time, and their table of each peer's time and ratio to ddl's."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any


def timed_loop(call: Callable[..., Any], *args: Any) -> Callable[[int], float]:
    """A timer of ``loops`` calls of ``call(*args)``, for ``benches.lockstep.measure_together``."""

    def timed(loops: int) -> float:
        start = time.perf_counter()
        for _ in range(loops):
            call(*args)
        return time.perf_counter() - start

    return timed


def print_table(ops: Sequence[str], rows: Mapping[str, Mapping[str, Sequence[float]]]) -> None:
    """A markdown table of ``rows`` (workload -> library -> µs per op, ddl's first): one row
    per workload and op, each peer's µs and (its time ÷ ddl's)."""
    libraries = [library for found in rows.values() for library in found]
    peers = list(dict.fromkeys(library for library in libraries if library != "ddl"))
    print("| workload | op | ddl µs | " + " | ".join(f"{p} µs (×ddl)" for p in peers) + " |")
    print("|---|---|---:|" + "---:|" * len(peers))
    for name, found in rows.items():
        for k, op in enumerate(ops):
            ours = found["ddl"][k]
            cells = " | ".join(f"{found[p][k]:,.2f} ({found[p][k] / ours:.2f}x)" for p in peers)
            print(f"| {name} | {op} | {ours:,.2f} | {cells} |")
