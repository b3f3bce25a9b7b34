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

Run it as ``python benches/ceiling.py`` from a checkout. Both sides are timed as the benchmark's
workers time decode+read (``benches.worker.measure``, the full run's settings, or with
``--quick`` those of ``ddl bench --quick``): warm, in one process, the GC on, the median of
samples that each span many calls. A full collection comes
every few calls of a large workload, and the objects a decoder leaves cost the collections that
pass over them; a sample that spans many calls counts that share, as the benchmark does.

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
from benches.settings import Settings, chosen
from benches.worker import measure
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


def _made_as_marshal(ours: Case, binary: bytes, upb_us: float, settings: Settings) -> str:
    """The columns of the marshal yardstick: marshal's load and free of the same values, and
    upb's decode+read over that plus ddl's read alone."""
    try:
        blob = marshal.dumps(_plain(ours.decode(binary)))
    except ValueError:  # a value marshal cannot write (a datetime)
        return " — | — |"
    made = measure(_loads(blob), settings)["median_us"]
    read = measure(_reading(ours.decode, ours.read, binary, free=False), settings)["median_us"]
    return f" {made:,.2f} | {upb_us / (made + read):.2f}x |"


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
        logical = workloads.build(name)
        ours, upb = ddl_adapter.make(name, logical), protobuf_adapter.make(name, logical)
        binary = ours.encode(ours.obj)
        floor = measure(_reading(ours.decode, ours.read, binary, free=True), settings)["median_us"]
        if json:
            assert upb.from_json is not None and upb.to_json is not None
            assert ours.from_json is not None and ours.to_json is not None
            timed = _decode_and_read(upb.from_json, upb.read, upb.to_json(upb.obj))
            mine = _decode_and_read(ours.from_json, ours.read, ours.to_json(ours.obj))
        else:
            timed = _decode_and_read(upb.decode, upb.read, upb.encode(upb.obj))
            mine = _decode_and_read(ours.decode, ours.read, binary)
        theirs = measure(timed, settings)["median_us"]
        ddl = measure(mine, settings)["median_us"]
        row = f"| {name} | {floor:,.2f} | {ddl:,.2f} | {theirs:,.2f} | {theirs / ddl:.2f}x | {theirs / floor:.2f}x |"
        if json:
            # A JSON reader makes the objects the binary decoder makes, from a longer text that
            # needs more work to scan: one as fast as ddl's binary decoder is the bound here.
            as_binary = measure(_decode_and_read(ours.decode, ours.read, binary), settings)["median_us"]
            row += f" {as_binary:,.2f} | {theirs / as_binary:.2f}x |"
        else:
            row += _made_as_marshal(ours, binary, theirs, settings)
        print(row)


if __name__ == "__main__":
    main(sys.argv[1:])
