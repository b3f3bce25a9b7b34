"""The best decode+read ratio to protobuf-upb that any eager decoder into Python objects can reach.

decode+read decodes bytes into objects, reads every field back into plain Python values, and
frees the objects when the next round replaces them. Reading and freeing cost the same whatever
decoder made the objects, so ``upb decode+read ÷ (ddl read + free)`` bounds the ratio a decoder
taking no time at all would get. The issue's 2.5× target needs this ceiling to be well above 2.5×.
With ``--json`` the same bound is taken for JSON: protobuf's ``json_format.Parse`` (upb) and the
read, over the same read and free of ddl's objects (which are the same objects whatever text
they came from), against issue 13's 20× goal.

Run it as ``python benches/ceiling.py`` from a checkout; each round is measured warm, in the
same process, as the timing workers do.

Example::

    python benches/ceiling.py small medium
    python benches/ceiling.py --json tree otlp
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__" and not __package__:  # run as a script: make `benches` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import gc
import os
import time
from collections.abc import Callable, Sequence
from typing import Any

os.environ.setdefault("PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION", "upb")

from benches import workloads
from benches.adapters import ddl_adapter, protobuf_adapter


def _best(run: Callable[[], float], rounds: int) -> float:
    return min(run() for _ in range(rounds))


def read_and_free_us(case: Any, data: bytes, repeat: int) -> float:
    """The best time of reading one decoded object and dropping it, in µs."""

    def once() -> float:
        total = 0.0
        for _ in range(repeat):
            obj = case.decode(data)
            start = time.perf_counter()
            case.read(obj)
            del obj
            total += time.perf_counter() - start
        return total / repeat * 1e6

    return _best(once, 5)


def decode_and_read_us(decode: Callable[[Any], Any], read: Callable[[Any], Any], data: Any, repeat: int) -> float:
    def once() -> float:
        start = time.perf_counter()
        for _ in range(repeat):
            read(decode(data))
        return (time.perf_counter() - start) / repeat * 1e6

    return _best(once, 5)


def main(args: Sequence[str]) -> None:
    json = "--json" in args
    names = [a for a in args if a != "--json"]
    what = "json_format Parse+read" if json else "decode+read"
    print(f"| workload | ddl read+free µs | upb {what} µs | ceiling |")
    print("|---|---:|---:|---:|")
    for name in names or workloads.WORKLOADS:
        logical = workloads.build(name)
        ours, upb = ddl_adapter.make(name, logical), protobuf_adapter.make(name, logical)
        repeat = 2000 if name in ("small", "medium", "text") else 20
        if json:
            repeat = max(1, repeat // 10)
        gc.collect()
        floor = read_and_free_us(ours, ours.encode(ours.obj), repeat)
        if json:
            assert upb.from_json is not None and upb.to_json is not None
            theirs = decode_and_read_us(upb.from_json, upb.read, upb.to_json(upb.obj), repeat)
        else:
            theirs = decode_and_read_us(upb.decode, upb.read, upb.encode(upb.obj), repeat)
        print(f"| {name} | {floor:,.2f} | {theirs:,.2f} | {theirs / floor:.2f}x |")


if __name__ == "__main__":
    main(sys.argv[1:])
