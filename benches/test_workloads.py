"""The same workloads and operations under pytest-benchmark, for the libraries that run in-process.

    .venv/bin/python -m pytest benches/                       # everything (a few minutes)
    .venv/bin/python -m pytest benches/ -k "ddl and batch"    # a slice
    .venv/bin/python -m pytest benches/ --benchmark-group-by=group --benchmark-sort=mean

Protobuf runs in this process's implementation only (upb by default); ``ddl bench`` runs every
library in its own process and also covers protobuf's pure-Python implementation. Every case is
checked for the right answer before it is timed (its JSON too, for a JSON operation). Not part of CI.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from benches import workloads
from benches.adapters import Case, Unsupported, library, load
from benches.adapters.check import CheckError, check, check_json, peers_of

IN_PROCESS = ("ddl", "protobuf-upb", "protobuf-py", "msgspec", "pure-protobuf")


@cache
def _logical(workload: str) -> Any:
    return workloads.build(workload)


@cache
def _checked(name: str, workload: str) -> tuple[Case, bytes]:
    lib = library(name)
    try:
        module = load(lib)
    except ImportError as e:
        pytest.skip(f"{name} is not installed: {e}")
    if module.library_name() != name:
        pytest.skip(f"this process runs {module.library_name()}, not {name}")
    logical = _logical(workload)
    try:
        case = module.make(workload, logical)
    except Unsupported as e:
        pytest.skip(f"{name} does not run {workload}: {e}")  # n/a in ddl bench's table
    wire_peer, _ = peers_of(module)
    ddl_case = wire_peer.make(workload, logical) if wire_peer is not None else None
    return case, _right(name, lambda: check(name, workload, case, logical, ddl_case))


def _right(name: str, checked: Any) -> Any:
    """What ``checked()`` gives; a peer's wrong answer skips its case, as ddl bench leaves it
    untimed (``wrong`` in its table), and ddl's own fails it."""
    try:
        return checked()
    except CheckError as e:
        if name == "ddl":
            raise
        pytest.skip(f"{name} answers wrongly: {e}")


@cache
def _checked_json(name: str, workload: str) -> tuple[Case, str | bytes]:
    case, _ = _checked(name, workload)
    module = load(library(name))
    if module.JSON is None:
        pytest.skip(f"{name} has no JSON")
    _, json_peer = peers_of(module)
    logical = _logical(workload)
    ddl_case = json_peer.make(workload, logical) if json_peer is not None else None
    return case, _right(name, lambda: check_json(name, workload, case, logical, ddl_case))


@pytest.mark.parametrize("op", workloads.ALL_OPS)
@pytest.mark.parametrize("workload", workloads.WORKLOADS)
@pytest.mark.parametrize("lib", IN_PROCESS)
def test_bench(benchmark: Any, lib: str, workload: str, op: str) -> None:
    benchmark.group = f"{workload} {op}"
    if op in workloads.JSON_OPS:
        case, text = _checked_json(lib, workload)
        to_json, from_json, read = case.to_json, case.from_json, case.read
        assert to_json is not None and from_json is not None
        if op == "json encode":
            benchmark(to_json, case.json_input)
        else:
            benchmark(lambda: read(from_json(text)))
        return
    case, data = _checked(lib, workload)
    if op == "encode":
        benchmark(case.encode, case.obj)
    elif op == "decode":
        benchmark(case.decode, data)
    else:
        decode, read = case.decode, case.read
        benchmark(lambda: read(decode(data)))
