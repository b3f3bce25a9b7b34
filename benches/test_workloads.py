"""The same workloads and operations under pytest-benchmark, for the libraries that run in-process.

    .venv/bin/python -m pytest benches/                       # everything (a few minutes)
    .venv/bin/python -m pytest benches/ -k "ddl and batch"    # a slice
    .venv/bin/python -m pytest benches/ --benchmark-group-by=group --benchmark-sort=mean

Protobuf runs in this process's implementation only (upb by default); ``ddl bench`` runs every
library in its own process and also covers protobuf's pure-Python implementation. Every case is
checked for the right answer before it is timed. Not part of CI.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from benches import workloads
from benches.adapters import Case, check, library, load

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
    case = module.make(workload, logical)
    ddl_case = None
    if module.WIRE == "protobuf" and lib.module != "ddl_adapter":
        from benches.adapters import ddl_adapter

        ddl_case = ddl_adapter.make(workload, logical)
    return case, check(name, workload, case, logical, ddl_case)


@pytest.mark.parametrize("op", workloads.OPS)
@pytest.mark.parametrize("workload", workloads.WORKLOADS)
@pytest.mark.parametrize("lib", IN_PROCESS)
def test_bench(benchmark: Any, lib: str, workload: str, op: str) -> None:
    case, data = _checked(lib, workload)
    benchmark.group = f"{workload} {op}"
    if op == "encode":
        benchmark(case.encode, case.obj)
    elif op == "decode":
        benchmark(case.decode, data)
    else:
        decode, read = case.decode, case.read
        benchmark(lambda: read(decode(data)))
