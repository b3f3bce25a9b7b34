"""The run a profile-guided build of ddl's compiled engine learns from (setup.py, ``DDL_PGO=1``).

gcc, given the counts of a run, lays the paths that run out one after the other and moves the
rest (errors, kinds no workload has) out of their way, where without them its guesses scatter
the decoder's hot paths over more code than the CPU's instruction cache holds: cachegrind
counted 7,400 instruction-cache misses per decode of ``events`` without a profile, 1,000 with one.
The run is every workload of the benchmark suite that ddl's adapter builds here (``otlp`` needs
opentelemetry-proto, absent from a build's isolated environment), through each operation the
suite times, for about ``--seconds`` each. It checks nothing: the suite does.

    python -m benches.pgo_train --seconds 0.05
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from benches import workloads
from benches.adapters import Case, Unsupported, ddl_adapter


def _repeat(op: Callable[[], Any], seconds: float) -> int:
    """Calls ``op`` for about ``seconds`` (at least three times); how many calls."""
    calls = 0
    end = time.perf_counter() + seconds
    while calls < 3 or time.perf_counter() < end:
        op()
        calls += 1
    return calls


def _ops(case: Case) -> dict[str, Callable[[], Any]]:
    """The operations the suite times, as calls of no argument."""
    data = case.encode(case.obj)
    ops: dict[str, Callable[[], Any]] = {
        "encode": lambda: case.encode(case.obj),
        "decode": lambda: case.decode(data),
        "decode+read": lambda: case.read(case.decode(data)),
    }
    if case.to_json is not None and case.from_json is not None:
        to_json, from_json = case.to_json, case.from_json
        text = to_json(case.json_input)
        ops["json encode"] = lambda: to_json(case.json_input)
        ops["json decode+read"] = lambda: case.read(from_json(text))
    return ops


def train(seconds: float) -> dict[str, int]:
    """Runs every workload ddl's adapter builds through each operation; calls per workload."""
    calls: dict[str, int] = {}
    for name in workloads.WORKLOADS:
        try:
            case = ddl_adapter.make(name, workloads.build(name))
        except Unsupported:
            continue
        calls[name] = sum(_repeat(op, seconds) for op in _ops(case).values())
    return calls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The run a profile-guided build of ddl learns from.")
    parser.add_argument("--seconds", type=float, default=0.05, help="how long each operation of each workload runs")
    args = parser.parse_args(argv)
    calls = train(args.seconds)
    print("pgo training:", ", ".join(f"{name} {n}" for name, n in calls.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
