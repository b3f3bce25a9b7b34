"""Copies of a received message: ``copy.deepcopy`` and ``copy.copy`` against their peers.

A service copies what it received before changing it (a request turned into a reply, a cached
message handed out). Each library copies the message its own decoder made from the workload's
bytes: ddl's copies run in C on the compiled engine (``ddl/_cy/copy.pxi``); protobuf (upb)
copies inside its arena (``__deepcopy__`` and ``__copy__`` are both a ``CopyFrom``, which makes
no Python object until a field is read); msgspec's Structs take ``copy.deepcopy``'s generic
path and their own shallow ``__copy__``. Each library's deep copy must read back to the
workload's values before it is timed, and both are timed as the benchmark's workers time
(with the JSON columns' settings: warm, in one process, the GC on, medians), the libraries'
samples of each copy taken in turns (``benches.lockstep.measure_together``). (N.NNx) is the
peer's time divided by ddl's.

Run it as ``python benches/copies.py [--quick] [WORKLOAD ...]`` from a checkout (``--quick``: the
samples of ``ddl bench --quick``, fewer and shorter).

Example::

    python benches/copies.py medium otlp
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__" and not __package__:  # run as a script: make `benches` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import contextlib
import copy
import importlib
import os
from collections.abc import Callable, Sequence
from typing import Any

os.environ.setdefault("PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION", "upb")

from benches import workloads
from benches.adapters import Case, ddl_adapter, protobuf_adapter
from benches.adapters.check import plain
from benches.lockstep import measure_together
from benches.settings import Settings, chosen
from benches.side_table import print_table, timed_loop

OPS = ("deepcopy", "copy")
COPIES: tuple[Callable[[Any], Any], ...] = (copy.deepcopy, copy.copy)
LIBRARIES: dict[str, Callable[[str, Any], Case]] = {"ddl": ddl_adapter.make, "protobuf-upb": protobuf_adapter.make}
with contextlib.suppress(ImportError):  # an installed wheel's tests have only ddl's own dependencies
    LIBRARIES["msgspec"] = importlib.import_module("benches.adapters.msgspec_adapter").make


def _received(name: str, library: str, case: Case, logical: Any) -> Any:
    """The message ``library``'s decoder makes of the workload, once its deep copy reads back to
    the workload's values."""
    received = case.decode(case.encode(case.obj))
    if plain(case.read(copy.deepcopy(received))) != logical:
        raise AssertionError(f"{library} {name}: the deep copy does not read back to the workload")
    return received


def timings(name: str, settings: Settings) -> dict[str, tuple[float, ...]]:
    """Each library's median µs for each of ``OPS`` on workload ``name``, the libraries' samples
    of each op taken in turns."""
    logical = workloads.build(name)
    received = {library: _received(name, library, make(name, logical), logical) for library, make in LIBRARIES.items()}
    found = [
        measure_together({library: timed_loop(how, message) for library, message in received.items()}, settings)
        for how in COPIES
    ]
    return {library: tuple(op[library]["median_us"] for op in found) for library in received}


def main(args: Sequence[str]) -> None:
    opts = workloads.script_parser(__doc__ or "", quick=True).parse_args(args)
    settings = chosen(opts.quick).for_json()
    print_table(OPS, {name: timings(name, settings) for name in opts.workloads or workloads.WORKLOADS})


if __name__ == "__main__":
    main(sys.argv[1:])
