"""The correctness check every benchmark passes before it is timed: each library's ``read`` of
its own bytes (and JSON) gives the workload's logical value, and the protobuf-wire peers read
ddl's bytes, and ddl theirs, to the same value."""

from __future__ import annotations

from array import array
from collections.abc import Mapping
from types import ModuleType
from typing import Any

from benches.adapters import Case


class CheckError(AssertionError):
    """A library gave a wrong answer; the benchmark of that workload must not be timed."""


def first_difference(got: Any, want: Any, path: str = "$") -> str | None:
    """Where ``got`` and ``want`` first differ (``None`` if equal), for a readable failure."""
    if isinstance(want, dict) and isinstance(got, dict):
        for key in sorted(set(want) | set(got), key=str):
            if key not in got:
                return f"{path}.{key}: missing"
            if key not in want:
                return f"{path}.{key}: unexpected {got[key]!r:.80}"
            diff = first_difference(got[key], want[key], f"{path}.{key}")
            if diff:
                return diff
        return None
    if isinstance(want, list) and isinstance(got, list):
        for i, (g, w) in enumerate(zip(got, want, strict=False)):  # the lengths are compared after
            diff = first_difference(g, w, f"{path}[{i}]")
            if diff:
                return diff
        if len(got) != len(want):
            return f"{path}: {len(got)} elements, expected {len(want)}"
        return None
    if type(got) is not type(want) and not (isinstance(want, int) and isinstance(got, int)):
        return f"{path}: got {type(got).__name__} {got!r:.80}, expected {type(want).__name__} {want!r:.80}"
    if got != want:
        return f"{path}: got {got!r:.80}, expected {want!r:.80}"
    return None


def plain(value: Any) -> Any:
    """A read value in the logical shape: every ``array.array`` in it (a ``vector`` reader may
    give the library's buffer) as the list of its items, so that it compares with ``==``."""
    if isinstance(value, array):
        return value.tolist()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def _expect(label: str, got: Any, want: Any) -> None:
    got = plain(got)
    if got != want:
        raise CheckError(f"{label}: {first_difference(got, want) or 'values differ'}")


def check(name: str, workload: str, case: Case, logical: Any, ddl_case: Case | None = None) -> bytes:
    """Check that ``case`` gives the right answer on ``workload``; return its encoded bytes.

    Always: ``read(decode(encode(obj))) == logical``. With ``ddl_case`` (for the protobuf-wire
    peers): ddl's bytes parse with this library to the logical value, and this library's bytes
    parse with ddl to the logical value. Raises ``CheckError`` otherwise.
    """
    data = case.encode(case.obj)
    if not isinstance(data, bytes):
        raise CheckError(f"{name} {workload}: encode returned {type(data).__name__}, not bytes")
    _expect(f"{name} {workload}: read(decode(encode(obj)))", case.read(case.decode(data)), logical)
    if ddl_case is not None:
        ddl_bytes = ddl_case.encode(ddl_case.obj)
        _expect(f"{name} {workload}: {name} decoding ddl's bytes", case.read(case.decode(ddl_bytes)), logical)
        _expect(f"{name} {workload}: ddl decoding {name}'s bytes", ddl_case.read(ddl_case.decode(data)), logical)
    return data


def check_json(name: str, workload: str, case: Case, logical: Any, ddl_case: Case | None = None) -> str | bytes:
    """Check that ``case``'s JSON gives the right answer on ``workload``; return its JSON text.

    Always: ``read(from_json(to_json(obj))) == logical``. With ``ddl_case`` (for the peers writing
    protobuf's JSON mapping): ddl's text parses with this library to the logical value, and this
    library's text with ddl. Raises ``CheckError`` otherwise.
    """
    if case.to_json is None or case.from_json is None:
        raise CheckError(f"{name} {workload}: the case has no JSON")
    text = case.to_json(case.json_input)
    if not isinstance(text, str | bytes):
        raise CheckError(f"{name} {workload}: to_json returned {type(text).__name__}, not str or bytes")
    _expect(f"{name} {workload}: read(from_json(to_json(obj)))", case.read(case.from_json(text)), logical)
    if ddl_case is not None and ddl_case.to_json is not None and ddl_case.from_json is not None:
        ddl_text = ddl_case.to_json(ddl_case.json_input)
        _expect(f"{name} {workload}: {name} reading ddl's JSON", case.read(case.from_json(ddl_text)), logical)
        _expect(f"{name} {workload}: ddl reading {name}'s JSON", ddl_case.read(ddl_case.from_json(text)), logical)
    return text


def peers_of(module: ModuleType) -> tuple[ModuleType | None, ModuleType | None]:
    """The ddl adapter to cross-check ``module``'s bytes, and its JSON, against (``None``: not compared).

    Bytes are compared for protobuf-wire libraries, JSON for libraries writing protobuf's JSON
    mapping; ddl is never compared with itself.
    """
    if module.__name__.endswith("ddl_adapter"):
        return None, None
    from benches.adapters import ddl_adapter

    wire = ddl_adapter if module.WIRE == "protobuf" else None
    json = ddl_adapter if module.JSON == "proto3" else None
    return wire, json


def unsupported(module: ModuleType) -> Mapping[str, str]:
    """The workloads ``module`` does not run, and why."""
    found: Mapping[str, str] = getattr(module, "UNSUPPORTED", {})
    return found


def check_library(module: ModuleType, workloads: Mapping[str, Any]) -> dict[str, Case]:
    """Build and check every workload for one adapter module (its JSON too, if it has JSON),
    except those it does not run; return the checked cases."""
    wire_peer, json_peer = peers_of(module)
    name = module.library_name()
    cases: dict[str, Case] = {}
    for workload, logical in workloads.items():
        if workload in unsupported(module):
            continue
        case = module.make(workload, logical)
        ddl_case = wire_peer.make(workload, logical) if wire_peer is not None else None
        check(name, workload, case, logical, ddl_case)
        if module.JSON is not None:
            json_case = json_peer.make(workload, logical) if json_peer is not None else None
            check_json(name, workload, case, logical, json_case)
        cases[workload] = case
    return cases
