"""The benchmark suite gives right answers: every adapter's correctness check, in-process.

Small variants of the workloads keep this fast; protobuf runs in this process's implementation
(upb by default). A library is skipped only when it cannot be imported. Nothing here times
anything (the machine is shared): the runner test only checks the shape of its output.
"""

from __future__ import annotations

import importlib
import json
import runpy
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import ddl._cli  # noqa: E402
from benches import workloads  # noqa: E402
from benches.adapters import (  # noqa: E402
    LIBRARIES,
    Case,
    CheckError,
    check,
    check_library,
    first_difference,
    library,
    load,
)

# adapter module -> the module whose absence means "not installed"
ADAPTERS = {
    "ddl_adapter": "ddl",
    "protobuf_adapter": "google.protobuf",
    "protobuf_py_adapter": "protobuf_ext",
    "msgspec_adapter": "msgspec",
    "pure_protobuf_adapter": "pure_protobuf",
}
REDUCED = workloads.build_all(reduced=True)


@pytest.fixture(autouse=True)
def benches_beside_the_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    """`ddl bench` runs the benches beside these tests: when ddl is an installed wheel (make
    test-wheel), its own folder has none."""
    monkeypatch.setattr(ddl._cli, "benches_dir", lambda: ROOT / "benches")


def _adapter(module_name: str) -> Any:
    pytest.importorskip(ADAPTERS[module_name])
    if module_name == "protobuf_py_adapter":
        pytest.importorskip("protobuf")
    return importlib.import_module(f"benches.adapters.{module_name}")


@pytest.mark.parametrize("module_name", list(ADAPTERS))
def test_adapter_gives_the_logical_value_back(module_name: str) -> None:
    module = _adapter(module_name)
    cases = check_library(module, REDUCED)  # raises CheckError on a wrong answer
    assert set(cases) == set(workloads.WORKLOADS)
    assert module.library_name()
    assert module.version()


@pytest.mark.parametrize("module_name", [m for m in ADAPTERS if m != "msgspec_adapter"])
def test_protobuf_wire_peers_read_ddl_bytes(module_name: str) -> None:
    module = _adapter(module_name)
    assert module.WIRE == "protobuf"
    from benches.adapters import ddl_adapter

    for workload in ("small", "medium", "tree"):
        logical = REDUCED[workload]
        mine = ddl_adapter.make(workload, logical)
        theirs = module.make(workload, logical)
        assert theirs.read(theirs.decode(mine.encode(mine.obj))) == logical
        assert mine.read(mine.decode(theirs.encode(theirs.obj))) == logical


def test_ddl_classes_write_protobufs_bytes() -> None:
    """Without maps, ddl writes exactly the bytes of SerializeToString: the schemas match."""
    module = _adapter("protobuf_adapter")
    from benches.adapters import ddl_adapter

    for workload in ("small", "ints", "doubles", "tree", "text"):
        logical = REDUCED[workload]
        mine, theirs = ddl_adapter.make(workload, logical), module.make(workload, logical)
        assert mine.encode(mine.obj) == theirs.encode(theirs.obj), workload


def test_full_size_workloads_are_deterministic_and_in_range() -> None:
    first, second = workloads.build_all(), workloads.build_all()
    assert json.dumps(first) == json.dumps(second)
    tree = first["tree"]
    assert 2000 <= workloads.count_nodes(tree) <= 5000
    assert 35 <= workloads.max_depth(tree) < 100
    assert len(first["ints"]["values"]) == len(first["doubles"]["values"]) == 10_000
    assert any(v < 0 for v in first["ints"]["values"]) and any(v >= 2**32 for v in first["ints"]["values"])
    assert len(first["batch"]["records"]) == 100 and len(first["medium"]["items"]) == 10
    assert len(first["small"]) == 6
    text = first["text"]
    assert any(ord(ch) > 0xFFFF for ch in text["body"])  # emoji
    assert 2000 < len(json.dumps(text, ensure_ascii=False).encode()) < 20000


def test_check_rejects_a_wrong_answer() -> None:
    logical = REDUCED["medium"]
    broken = Case(obj=None, encode=lambda o: b"", decode=lambda b: None, read=lambda o: {**logical, "total": 1.5})
    with pytest.raises(CheckError, match=r"\$\.total: got 1\.5"):
        check("broken", "medium", broken, logical)
    not_bytes = Case(obj=None, encode=lambda o: bytearray(), decode=lambda b: None, read=lambda o: logical)
    with pytest.raises(CheckError, match="not bytes"):
        check("broken", "medium", not_bytes, logical)


def test_first_difference_names_the_path() -> None:
    assert first_difference({"a": [1, 2]}, {"a": [1, 2]}) is None
    assert first_difference({"a": [1, 3]}, {"a": [1, 2]}) == "$.a[1]: got 3, expected 2"
    assert first_difference({"a": [1]}, {"a": [1, 2]}) == "$.a: 1 elements, expected 2"
    assert first_difference({}, {"a": 1}) == "$.a: missing"
    assert first_difference({"b": 1}, {}) == "$.b: unexpected 1"
    assert first_difference({"x": 1.0}, {"x": 1}) == "$.x: got float 1.0, expected int 1"


def test_library_registry() -> None:
    assert library("protobuf-upb").env == {"PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION": "upb"}
    assert {lib.name for lib in LIBRARIES if lib.memory} == {"ddl", "protobuf-upb"}
    with pytest.raises(KeyError):
        library("nope")
    assert load(library("ddl")).library_name() in ("ddl", "ddl-python")


def test_cli_help_shows_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        ddl._cli.main(["--help"])
    assert exc.value.code == 0
    assert "ddl bench --quick" in capsys.readouterr().out


def test_cli_bench_help_is_the_runners(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        ddl._cli.main(["bench", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "usage: ddl bench" in out and "--markdown" in out


def test_python_dash_m_ddl(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", ["ddl", "--help"])
    with pytest.raises(SystemExit) as exc:
        runpy.run_module("ddl", run_name="__main__")
    assert exc.value.code == 0
    assert "bench" in capsys.readouterr().out


def test_cli_bench_without_a_checkout(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(ddl._cli, "benches_dir", lambda: tmp_path / "benches")
    assert ddl._cli.main(["bench", "--quick"]) == 2
    assert "no benchmark suite" in capsys.readouterr().err


def test_cli_bench_runs_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One tiny run through the real runner and a worker process; checks shapes, never timings."""
    out = tmp_path / "results.json"
    argv = ["bench", "--quick", "--libs", "ddl", "--workloads", "small", "--no-memory"]
    code = ddl._cli.main([*argv, "--json", str(out), "--chart", "", "--markdown"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "| small | encode |" in printed
    report = json.loads(out.read_text())
    assert report["libraries"]["ddl"]["status"] == "ok"
    assert set(report["results"]["small"]) == set(workloads.OPS)
    assert report["results"]["small"]["decode"]["ddl"]["median_us"] > 0
    assert report["machine"]["cores"] and report["machine"]["python"]
    assert report["payload_bytes"]["small"] > 0


def test_the_ceiling_script_prints_a_row_per_workload_with_a_ratio(capsys: pytest.CaptureFixture[str]) -> None:
    """Shapes only: the numbers are timings, which tests never judge."""
    from benches import ceiling

    ceiling.main(["small"])
    rows = capsys.readouterr().out.splitlines()
    assert rows[0].startswith("| workload | ddl read+free µs")
    assert rows[2].startswith("| small |") and rows[2].endswith("x |")
