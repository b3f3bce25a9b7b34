"""The least work of encoding a list of Python numbers, beside what ddl and protobuf-upb take.

An encoder given a list of Python ints or floats must at least read every item of the list, check
its type and read its C value; protobuf-upb, given its own message, copies numbers it already
holds as C values, so its time on ``doubles`` (one copy of a C array) is out of reach of any
encoder of Python objects. The bound measured here is the cheapest C routine of Python itself
that reads every item of the list and its C value, and nothing of the wire format:

- ``array.array(code, values)`` reads each item into a C array of int64 ('q') or doubles ('d');
- ``sum(values, 0.0)`` reads each item's C value (a float's double, an int's C long through
  ``PyLong_AsLongAndOverflow``) and adds it to a C double.

Both do more than the least work (an argument parse per item, a chain of additions), so they
bound it from above: an encoder at ``ddl ÷ bound`` of 1.0 or less reads, checks and writes the
numbers in no more time than Python's own C takes to read them.

Beside them, ddl's encode of the same numbers given as an ``array.array`` (a ``ddl.Vector``'s
input: one copy of a C array, as upb's) is what the encode costs without reading Python
objects: ``ddl - ddl(array)`` is the cost of reading the list's items, which no encoder of
Python objects can leave out, and ``ddl(array)`` beside upb shows the rest is not slower.

Run it as ``python benches/encode_ceiling.py`` from a checkout; each time is the best of several
warm rounds, in the same process, as the timing workers measure.

Example::

    python benches/encode_ceiling.py ints doubles
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__" and not __package__:  # run as a script: make `benches` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import array
import gc
import os
import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

os.environ.setdefault("PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION", "upb")

from benches import workloads
from benches.adapters import ddl_adapter, protobuf_adapter

# the workloads that are one list of numbers, and the array typecode of their items
NUMBERS = {"ints": "q", "doubles": "d"}


def best_us(run: Callable[[], object], rounds: int = 15) -> float:
    """The best time of one call of ``run``, in µs, over rounds of about 10 ms each (so that a
    burst of other work on the machine spoils a few rounds, not the result)."""
    start = time.perf_counter()
    run()
    repeat = max(1, int(0.01 / max(time.perf_counter() - start, 1e-7)))

    def once() -> float:
        start = time.perf_counter()
        for _ in range(repeat):
            run()
        return (time.perf_counter() - start) / repeat * 1e6

    return min(once() for _ in range(rounds))


def readers(values: list[Any], code: str) -> dict[str, Callable[[], object]]:
    """Python's own C routines that read every item of ``values`` and its C value."""
    return {
        f"array.array({code!r}, values)": lambda: array.array(code, values),
        "sum(values, 0.0)": lambda: sum(values, 0.0),
    }


def bound_us(values: list[Any], code: str) -> tuple[str, float]:
    """The cheapest of ``readers``: its name and time in µs."""
    times = {name: best_us(read) for name, read in readers(values, code).items()}
    name = min(times, key=times.__getitem__)
    return name, times[name]


def main(args: Sequence[str]) -> None:
    names = workloads.script_parser(__doc__ or "", choices=tuple(NUMBERS)).parse_args(args).workloads
    print("| workload | ddl encode µs | ddl, as an array µs | upb encode µs | bound µs (routine) | ddl ÷ bound |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in names or NUMBERS:
        logical = workloads.build(name)
        ours, upb = ddl_adapter.make(name, logical), protobuf_adapter.make(name, logical)
        code = NUMBERS[name]
        as_array = type(ours.obj)(values=array.array(code, logical["values"]))
        gc.collect()
        ddl_us = best_us(partial(ours.encode, ours.obj))
        array_us = best_us(partial(ours.encode, as_array))
        upb_us = best_us(partial(upb.encode, upb.obj))
        routine, floor = bound_us(logical["values"], code)
        print(
            f"| {name} | {ddl_us:,.2f} | {array_us:,.2f} | {upb_us:,.2f} | {floor:,.2f} ({routine}) "
            f"| {ddl_us / floor:.2f} |"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
