"""The best decode+read ratio to protobuf-upb that any eager decoder into Python objects can reach.

decode+read decodes bytes into objects, reads every field back into plain Python values, and
frees the objects when the next round replaces them. Reading and freeing cost the same whatever
decoder made the objects, so ``upb decode+read ÷ (ddl read + free)`` bounds the ratio a decoder
taking no time at all would get. The issue's 2.5× target needs this ceiling to be well above 2.5×.
With ``--json`` the same bound is taken for JSON: protobuf's ``json_format.Parse`` (upb) and the
read, over the same read and free of ddl's objects (which are the same objects whatever text
they came from), against issue 13's 20× goal; and a second one, a JSON reader as fast as ddl's
binary decoder (which makes the same objects from bytes that take less work to scan). Each row
also gives ddl's own ratio, measured in the same run.

A decoder cannot take no time: it makes every object the read then reads. The binary rows add
the ratio of a decoder that makes them as fast as CPython's own loader of object graphs:
``marshal.loads`` of the same values (each message a list of its fields' values, enum members
as ints), which parses next to nothing and makes and frees the same lists, dicts, strings and
numbers (and shares a string written twice, so it makes fewer). It divides upb's decode+read by
that load and free plus ddl's read alone. It is a yardstick, not a bound: marshal's lists join
the GC's youngest generation, which ddl's decoder spares its objects, so ddl can beat it. A
workload holding values marshal cannot write (times) has no such column.

Run it as ``python benches/ceiling.py`` from a checkout. Every figure is timed as the
benchmark's workers time decode+read (the full run's settings, or with ``--quick`` those of
``ddl bench --quick``): warm, in one process, the GC on over a frozen heap (``worker.settle``),
the median of samples that each span many calls and follow one another with no collection
between them, so the collections the calls start are counted where they fall. A row's figures
take their samples in turns (``benches.lockstep.measure_together``), so a burst of the shared
machine's other work slows them alike and leaves the ratios.

Example::

    python benches/ceiling.py small medium
    python benches/ceiling.py --json tree otlp
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__" and not __package__:  # run as a script: make `benches` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import enum
import marshal
import os
import time
from collections.abc import Callable, Sequence
from typing import Any

os.environ.setdefault("PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION", "upb")

from benches import workloads
from benches.adapters import Case, ddl_adapter, protobuf_adapter
from benches.lockstep import measure_together
from benches.settings import Settings, chosen
from ddl import Message
from ddl._schema import plan_for


def _reading(
    decode: Callable[[Any], Any], read: Callable[[Any], Any], data: Any, *, free: bool
) -> Callable[[int], float]:
    """A timer of ``loops`` rounds of reading a fresh decode, and of dropping it when ``free``
    (the decode untimed; otherwise the next round's decode drops it, untimed too)."""

    def timed(loops: int) -> float:
        total = 0.0
        for _ in range(loops):
            obj = decode(data)
            start = time.perf_counter()
            read(obj)
            if free:
                del obj
            total += time.perf_counter() - start
        return total

    return timed


def _plain(value: Any) -> Any:
    """``value`` as marshal can write it, one object for each object a decode makes: a message as
    the list of its fields' values, an enum member as its int, containers alike."""
    if isinstance(value, Message):
        return [_plain(getattr(value, f.name)) for f in plan_for(type(value)).fields]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _loads(blob: bytes) -> Callable[[int], float]:
    """A timer of ``loops`` rounds of ``marshal.loads(blob)``, each result freed by the next."""

    def timed(loops: int) -> float:
        start = time.perf_counter()
        for _ in range(loops):
            marshal.loads(blob)
        return time.perf_counter() - start

    return timed


def _marshal_blob(ours: Case, binary: bytes) -> bytes | None:
    """marshal's bytes of the values ``binary`` decodes to, or None for values marshal cannot
    write (a datetime)."""
    try:
        return marshal.dumps(_plain(ours.decode(binary)))
    except ValueError:
        return None


def _decode_and_read(decode: Callable[[Any], Any], read: Callable[[Any], Any], data: Any) -> Callable[[int], float]:
    def timed(loops: int) -> float:
        start = time.perf_counter()
        for _ in range(loops):
            read(decode(data))
        return time.perf_counter() - start

    return timed


def main(args: Sequence[str]) -> None:
    parser = workloads.script_parser(__doc__ or "", quick=True)
    parser.add_argument("--json", action="store_true", help="bound JSON reading (json_format.Parse) instead")
    opts = parser.parse_args(args)
    json, names = opts.json, opts.workloads
    what = "json_format Parse+read" if json else "decode+read"
    settings = chosen(opts.quick).for_json() if json else chosen(opts.quick)
    if json:
        extra = " ddl binary decode+read µs | bound (as ddl's binary) |"
    else:
        extra = " marshal load+free µs | as fast as marshal |"
    own = "from_json+read" if json else "decode+read"
    print(f"| workload | ddl read+free µs | ddl {own} µs | upb {what} µs | ddl ×upb | ceiling |{extra}")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name in names or workloads.WORKLOADS:
        print(_row(name, json, settings))


def _row(name: str, json: bool, settings: Settings) -> str:
    """One workload's row: every figure of it timed together (``measure_together``)."""
    logical = workloads.build(name)
    ours, upb = ddl_adapter.make(name, logical), protobuf_adapter.make(name, logical)
    # The workers drop the workload's plain values before they time (worker._load returns), and
    # the timed objects then fill the holes those values leave in the allocator's pools, which
    # slows ddl's decode, read and free of tree (benches/README.md, "Session of 2026-12-04"):
    # the bound is taken over the same heap as the figures it bounds.
    del logical
    binary = ours.encode(ours.obj)
    timers = {"floor": _reading(ours.decode, ours.read, binary, free=True)}
    if json:
        assert upb.from_json is not None and upb.to_json is not None
        assert ours.from_json is not None and ours.to_json is not None
        timers["upb"] = _decode_and_read(upb.from_json, upb.read, upb.to_json(upb.obj))
        timers["ddl"] = _decode_and_read(ours.from_json, ours.read, ours.to_json(ours.obj))
        # A JSON reader makes the objects the binary decoder makes, from a longer text that
        # needs more work to scan: one as fast as ddl's binary decoder is the bound here.
        timers["as binary"] = _decode_and_read(ours.decode, ours.read, binary)
    else:
        timers["upb"] = _decode_and_read(upb.decode, upb.read, upb.encode(upb.obj))
        timers["ddl"] = _decode_and_read(ours.decode, ours.read, binary)
        blob = _marshal_blob(ours, binary)
        if blob is not None:
            timers["marshal"] = _loads(blob)
            timers["read"] = _reading(ours.decode, ours.read, binary, free=False)
    us = {what: found["median_us"] for what, found in measure_together(timers, settings).items()}
    floor, theirs, ddl = us["floor"], us["upb"], us["ddl"]
    row = f"| {name} | {floor:,.2f} | {ddl:,.2f} | {theirs:,.2f} | {theirs / ddl:.2f}x | {theirs / floor:.2f}x |"
    if json:
        return row + f" {us['as binary']:,.2f} | {theirs / us['as binary']:.2f}x |"
    if "marshal" not in us:
        return row + " — | — |"
    return row + f" {us['marshal']:,.2f} | {theirs / (us['marshal'] + us['read']):.2f}x |"


if __name__ == "__main__":
    main(sys.argv[1:])
