"""JSON as plain Python values: ``ddl.to_dict`` / ``ddl.from_dict`` against their peers.

A framework that wants dicts (a web framework's request and response bodies, a document
store's driver) calls these rather than the text functions. Each library makes its own form of
the value and reads it back: ddl's canonical proto3 JSON values; protobuf's
``json_format.MessageToDict`` / ``ParseDict`` (upb), the same mapping; msgspec's
``to_builtins`` / ``convert`` with its typed Structs (named fields, int64 as numbers, enums as
ints). *dict decode+read* reads every field of the message made from the value, as the
benchmark's decode+read does. Each library's value must read back to the workload's values
before it is timed, and both are timed as the benchmark's workers time (with the JSON columns'
settings: warm, in one process, the GC on, medians), the libraries' samples of each taken in
turns (``benches.lockstep.measure_together``). (N.NNx) is the peer's time divided by ddl's.

Run it as ``python benches/dicts.py [--quick] [WORKLOAD ...]`` from a checkout (``--quick``: the
samples of ``ddl bench --quick``, fewer and shorter).

Example::

    python benches/dicts.py medium otlp
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__" and not __package__:  # run as a script: make `benches` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import os
from collections.abc import Callable, Sequence
from typing import Any

os.environ.setdefault("PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION", "upb")

import importlib

from google.protobuf import json_format

import ddl
from benches import workloads
from benches.adapters import ddl_adapter, protobuf_adapter
from benches.adapters.check import plain
from benches.lockstep import measure_together
from benches.settings import Settings, chosen
from benches.side_table import print_table, timed_loop

# A library's pair: (the value of a message, the message of a value) given the message's case.
Pair = tuple[Callable[[Any], Any], Callable[[Any], Any]]
Library = tuple[Callable[[str, Any], Any], Callable[[Any], Pair]]


def _ddl(obj: Any) -> Pair:
    cls = type(obj)
    return ddl.to_dict, lambda value: ddl.from_dict(value, cls)


def _protobuf(obj: Any) -> Pair:
    cls = type(obj)
    return json_format.MessageToDict, lambda value: json_format.ParseDict(value, cls())


def _msgspec() -> Library | None:
    """msgspec's pair and adapter, or None where msgspec is not installed (an installed wheel's
    test environment has only ddl's own test dependencies): its column is left out."""
    try:
        msgspec = importlib.import_module("msgspec")
        adapter = importlib.import_module("benches.adapters.msgspec_adapter")
    except ImportError:
        return None

    def pair(obj: Any) -> Pair:
        cls = type(obj)
        return msgspec.to_builtins, lambda value: msgspec.convert(value, cls)

    return adapter.make, pair


LIBRARIES: dict[str, Library] = {"ddl": (ddl_adapter.make, _ddl), "protobuf-upb": (protobuf_adapter.make, _protobuf)}
if (_found := _msgspec()) is not None:
    LIBRARIES["msgspec"] = _found


def _timers(
    name: str, library: str, case: Any, pair: Callable[[Any], Pair], logical: Any
) -> tuple[Callable[[int], float], Callable[[int], float]]:
    """One library's timers of making the value of ``case``'s message and of reading it back,
    once the value reads back to the workload's values."""
    obj = case.json_input
    to_value, from_value = pair(obj)
    value = to_value(obj)
    read = case.read
    if plain(read(from_value(value))) != logical:
        raise AssertionError(f"{library} {name}: the value does not read back to the workload")
    return timed_loop(to_value, obj), timed_loop(lambda: read(from_value(value)))


def timings(name: str, settings: Settings) -> dict[str, tuple[float, float]]:
    """Each library's median µs to make the value and to read it back, on workload ``name``,
    the libraries' samples of each taken in turns."""
    logical = workloads.build(name)
    timers = {
        library: _timers(name, library, make(name, logical), pair, logical)
        for library, (make, pair) in LIBRARIES.items()
    }
    write, read = (measure_together({library: both[k] for library, both in timers.items()}, settings) for k in (0, 1))
    return {library: (write[library]["median_us"], read[library]["median_us"]) for library in timers}


def main(args: Sequence[str]) -> None:
    opts = workloads.script_parser(__doc__ or "", quick=True).parse_args(args)
    settings = chosen(opts.quick).for_json()
    names = opts.workloads or workloads.WORKLOADS
    print_table(("dict encode", "dict decode+read"), {name: timings(name, settings) for name in names})


if __name__ == "__main__":
    main(sys.argv[1:])
