"""The benchmark suite gives right answers: every adapter's correctness check, in-process.

Small variants of the workloads keep this fast; protobuf runs in this process's implementation
(upb by default). A library is skipped only when it cannot be imported. Nothing here times
anything (the machine is shared): the runner test only checks the shape of its output.
"""

from __future__ import annotations

import array
import dataclasses
import datetime as dt
import importlib
import io
import itertools
import json
import marshal
import runpy
import statistics
import struct
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import ddl._cli  # noqa: E402
from benches import workloads  # noqa: E402
from benches.adapters import LIBRARIES, Case, Unsupported, library, load  # noqa: E402
from benches.adapters.check import (  # noqa: E402
    CheckError,
    check,
    check_json,
    check_library,
    first_difference,
    peers_of,
    plain,
    unsupported,
)

# adapter module -> the module whose absence means "not installed"
ADAPTERS = {
    "ddl_adapter": "ddl",
    "protobuf_adapter": "google.protobuf",
    "protobuf_py_adapter": "protobuf_ext",
    "msgspec_adapter": "msgspec",
    "pure_protobuf_adapter": "pure_protobuf",
}
# adapter module -> the JSON it writes: protobuf's mapping ("proto3"), its own, or none
JSON_KINDS = {
    "ddl_adapter": "proto3",
    "protobuf_adapter": "proto3",
    "protobuf_py_adapter": "proto3",
    "msgspec_adapter": "msgspec",
    "pure_protobuf_adapter": None,
}
# Whether opentelemetry-proto is installed (a dev dependency; the installed wheel's tests lack
# it): ddl's and protobuf's otlp classes come from it.
try:
    import opentelemetry.proto  # noqa: F401
except ImportError:
    OTEL = False
else:
    OTEL = True
# adapter module -> the workloads it does not run (no classes for opentelemetry-proto's schema)
UNSUPPORTED = {"protobuf_py_adapter": {"otlp"}, "pure_protobuf_adapter": {"otlp"}} | (
    {} if OTEL else {"ddl_adapter": {"otlp"}, "protobuf_adapter": {"otlp"}}
)
# (adapter module, workload) where the library reads ddl's JSON wrongly: protobuf-py keeps a
# float (float32) field read from JSON as the double it parsed, not rounded to float32, so
# "-0.039235834" (the shortest text of that float32, which json_format writes too) reads back
# as a value no float32 holds
JSON_WRONG = {("protobuf_py_adapter", w) for w in ("chat", "features", "vector")}
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
    runs = {w: v for w, v in REDUCED.items() if (module_name, w) not in JSON_WRONG}
    cases = check_library(module, runs)  # raises CheckError on a wrong answer
    assert set(cases) == set(runs) - UNSUPPORTED.get(module_name, set())
    assert module.library_name()
    assert module.version()


@pytest.mark.parametrize("module_name", list(ADAPTERS))
def test_adapter_refuses_only_the_workloads_it_declares(module_name: str) -> None:
    module = _adapter(module_name)
    assert set(unsupported(module)) == UNSUPPORTED.get(module_name, set())
    for workload in unsupported(module):
        with pytest.raises(Unsupported):
            module.make(workload, REDUCED[workload])


@pytest.mark.parametrize(("module_name", "workload"), sorted(JSON_WRONG))
def test_a_wrong_json_reading_is_caught(module_name: str, workload: str) -> None:
    """The suite reports these (their JSON is not timed), while their binary answers are right."""
    module = _adapter(module_name)
    logical = REDUCED[workload]
    _, json_peer = peers_of(module)
    case = module.make(workload, logical)
    assert json_peer is not None
    check(module.library_name(), workload, case, logical, json_peer.make(workload, logical))
    with pytest.raises(CheckError, match=r"reading ddl's JSON: \$\..*(embedding|float_value)"):
        check_json(module.library_name(), workload, case, logical, json_peer.make(workload, logical))


@pytest.mark.parametrize("module_name", [m for m in ADAPTERS if m != "msgspec_adapter"])
def test_protobuf_wire_peers_read_ddl_bytes(module_name: str) -> None:
    module = _adapter(module_name)
    assert module.WIRE == "protobuf"
    from benches.adapters import ddl_adapter

    for workload in ("small", "medium", "tree", "chat", "features", "vector", "events"):
        logical = REDUCED[workload]
        mine = ddl_adapter.make(workload, logical)
        theirs = module.make(workload, logical)
        assert plain(theirs.read(theirs.decode(mine.encode(mine.obj)))) == logical
        assert plain(mine.read(mine.decode(theirs.encode(theirs.obj)))) == logical


@pytest.mark.parametrize("module_name", list(ADAPTERS))
def test_adapter_declares_its_json(module_name: str) -> None:
    module = _adapter(module_name)
    kind = JSON_KINDS[module_name]
    assert kind == module.JSON
    case = module.make("small", REDUCED["small"])
    has_json = module.JSON is not None
    assert (case.to_json is not None, case.from_json is not None) == (has_json, has_json)


@pytest.mark.parametrize(
    ("module_name", "workload"),
    [
        (m, w)
        for m, kind in JSON_KINDS.items()
        if kind
        for w in workloads.WORKLOADS
        if w not in UNSUPPORTED.get(m, set())
    ],
)
def test_json_adapter_reads_back_its_own_json(module_name: str, workload: str) -> None:
    """Each library reads the JSON it wrote to the logical value: what ``json decode+read`` times."""
    module = _adapter(module_name)
    logical = REDUCED[workload]
    case = module.make(workload, logical)
    assert case.to_json is not None and case.from_json is not None
    text = case.to_json(case.json_input)
    assert isinstance(text, str | bytes)
    assert plain(case.read(case.from_json(text))) == logical


@pytest.mark.parametrize("module_name", ["protobuf_adapter", "protobuf_py_adapter"])
def test_proto3_json_peers_read_ddl_json(module_name: str) -> None:
    module = _adapter(module_name)
    from benches.adapters import ddl_adapter

    for workload in ("small", "medium", "ints", "tree", "text", "events"):
        logical = REDUCED[workload]
        mine, theirs = ddl_adapter.make(workload, logical), module.make(workload, logical)
        assert mine.to_json and mine.from_json and theirs.to_json and theirs.from_json
        assert theirs.read(theirs.from_json(mine.to_json(mine.obj))) == logical
        assert mine.read(mine.from_json(theirs.to_json(theirs.obj))) == logical


def test_ddl_writes_the_text_of_json_format_one_line() -> None:
    """The protobuf adapter's MessageToJson(indent=None, ensure_ascii=False) writes ddl's text,
    byte for byte (without maps, whose order may differ): both JSON columns do the same work."""
    module = _adapter("protobuf_adapter")
    from benches.adapters import ddl_adapter

    for workload in ("small", "ints", "doubles", "tree", "text"):
        logical = REDUCED[workload]
        mine, theirs = ddl_adapter.make(workload, logical), module.make(workload, logical)
        assert mine.to_json and theirs.to_json
        assert mine.to_json(mine.obj) == theirs.to_json(theirs.obj), workload
    # events' attributes are a map, whose order may differ: the same JSON values, Timestamps as
    # RFC 3339 with 0, 3 or 6 fraction digits and Durations as "0.353s" in both
    mine, theirs = ddl_adapter.make("events", REDUCED["events"]), module.make("events", REDUCED["events"])
    assert mine.to_json and theirs.to_json
    assert json.loads(mine.to_json(mine.obj)) == json.loads(theirs.to_json(theirs.obj))
    if not OTEL:
        return
    # otlp's Span declares flags (16) after parent_span_id (4): ddl writes members in declaration
    # order, json_format in field-number order, so only the order differs
    mine, theirs = ddl_adapter.make("otlp", REDUCED["otlp"]), module.make("otlp", REDUCED["otlp"])
    assert mine.to_json and theirs.to_json
    assert json.loads(mine.to_json(mine.obj)) == json.loads(theirs.to_json(theirs.obj))


def test_msgspec_json_is_objects_of_field_names() -> None:
    """msgspec's JSON Structs are not array_like (its msgpack ones are): names, as in proto3 JSON."""
    module = _adapter("msgspec_adapter")
    case = module.make("small", REDUCED["small"])
    assert case.to_json is not None
    assert json.loads(case.to_json(case.json_input)) == REDUCED["small"]


def test_ddl_classes_write_protobufs_bytes() -> None:
    """Without maps, ddl writes exactly the bytes of SerializeToString: the schemas match (otlp's
    ddl classes are generated from opentelemetry-proto's, which SerializeToString runs)."""
    module = _adapter("protobuf_adapter")
    from benches.adapters import ddl_adapter

    for workload in ("small", "ints", "doubles", "tree", "text", "vector", *(("otlp",) if OTEL else ())):
        logical = REDUCED[workload]
        mine, theirs = ddl_adapter.make(workload, logical), module.make(workload, logical)
        assert mine.encode(mine.obj) == theirs.encode(theirs.obj), workload
    # events has a map: deterministic encodings sort its keys on both sides
    logical = REDUCED["events"]
    mine, theirs = ddl_adapter.make("events", logical), module.make("events", logical)
    assert ddl.encode(mine.obj, deterministic=True) == theirs.obj.SerializeToString(deterministic=True)


def test_full_size_workloads_are_deterministic_and_in_range() -> None:
    first, second = workloads.build_all(), workloads.build_all()

    def as_text(value: Any) -> str:  # bytes (otlp's ids), datetime and timedelta (events' times)
        return value.hex() if isinstance(value, bytes) else repr(value)

    assert first == second and json.dumps(first, default=as_text) == json.dumps(second, default=as_text)
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


def test_production_shaped_workloads_have_their_shapes() -> None:
    chat, otlp, features = (workloads.build(w) for w in ("chat", "otlp", "features"))
    messages = chat["messages"]
    assert 15 <= len(messages) <= 25 and {m["role"] for m in messages} == {1, 2, 3, 4}
    sizes = {len(m["embedding"]) for m in messages} - {0}
    assert sizes and min(sizes) >= 256 and max(sizes) <= 1024
    embedding = next(m["embedding"] for m in messages if m["embedding"])
    assert all(struct.unpack("f", struct.pack("f", x))[0] == x for x in embedding)  # float32 values
    calls = [c for m in messages for c in m["tool_calls"]]
    assert calls and all(json.loads(c["arguments"]) for c in calls)
    assert {c["id"] for c in calls} == {m["tool_call_id"] for m in messages if m["role"] == 4}
    (resource_spans,) = otlp["resource_spans"]
    spans = resource_spans["scope_spans"][0]["spans"]
    assert len(spans) == 50 and all(len(s["attributes"]) == 12 for s in spans)
    kinds = {next(iter(a["value"])) for s in spans for a in s["attributes"]}
    assert kinds == {"string_value", "int_value", "double_value", "bool_value"}
    assert all(len(s["trace_id"]) == 16 and len(s["span_id"]) == 8 for s in spans)
    assert any(s["events"] for s in spans)
    row = features["features"]
    assert len(row) == 100
    assert {next(iter(v)) for v in row.values()} == {
        "int64_value", "double_value", "float_value", "bool_value", "string_value", "double_list_value"
    }  # fmt: skip


def test_the_events_workload_holds_timestamps_and_durations_of_every_precision() -> None:
    events = workloads.build("events")["events"]
    assert len(events) == 200 and len(workloads.build("events", reduced=True)["events"]) == 20
    times = [e["time"] for e in events]
    assert all(type(t) is dt.datetime and t.tzinfo is dt.UTC for t in times)
    assert times == sorted(times) and times[-1] - times[0] < dt.timedelta(hours=1)

    def precision(us: int) -> str:
        return "s" if us == 0 else "ms" if us % 1000 == 0 else "us"

    kinds = [precision(t.microsecond) for t in times]
    assert 70 <= kinds.count("ms") <= 130 and 70 <= kinds.count("us") <= 130 and 2 <= kinds.count("s") <= 20
    latencies = [e["latency"] for e in events]
    assert all(type(d) is dt.timedelta for d in latencies)
    assert dt.timedelta(microseconds=200) <= min(latencies) and max(latencies) <= dt.timedelta(seconds=3)
    assert {precision(d.microseconds) for d in latencies} == {"s", "ms", "us"}
    expiring = [e["expires_at"] for e in events if e["expires_at"] is not None]
    assert 40 <= len(expiring) <= 80 and all(type(t) is dt.datetime and t.tzinfo is dt.UTC for t in expiring)
    assert {2, 6} <= {len(e["attributes"]) for e in events} <= set(range(2, 7))
    assert len({e["type"] for e in events}) == 12 and len({e["source"] for e in events}) == 6
    assert {e["severity"] for e in events} == {1, 2, 3, 4}
    sequences = [e["sequence"] for e in events]
    assert sequences == sorted(set(sequences)) and sequences[0] > 10**12
    assert all(len(e["id"]) == 36 and e["subject"].count("/") == 1 for e in events)


def test_the_vector_workload_is_one_float32_embedding() -> None:
    vector = workloads.build("vector")
    assert set(vector) == {"id", "model", "embedding"} and vector["id"] and vector["model"]
    embedding = vector["embedding"]
    assert len(embedding) == 1024 and len(set(embedding)) > 1000
    assert all(struct.unpack("f", struct.pack("f", x))[0] == x for x in embedding)  # float32 values


def test_ddl_reads_the_vector_as_its_array() -> None:
    """The vector workload's decode+read times ddl's decode into ddl.Vector's array (issue 15's
    target); the other libraries read their repeated field into a list."""
    from benches.adapters import ddl_adapter

    logical = REDUCED["vector"]
    case = ddl_adapter.make("vector", logical)
    embedding = case.read(case.decode(case.encode(case.obj)))["embedding"]
    assert type(embedding) is array.array and embedding.typecode == "f"
    assert plain({"v": [embedding]}) == {"v": [logical["embedding"]]}


def test_check_rejects_a_wrong_answer() -> None:
    logical = REDUCED["medium"]
    broken = Case(obj=None, encode=lambda o: b"", decode=lambda b: None, read=lambda o: {**logical, "total": 1.5})
    with pytest.raises(CheckError, match=r"\$\.total: got 1\.5"):
        check("broken", "medium", broken, logical)

    def to_bytearray(o: Any) -> Any:  # what a wrong adapter could return, which check refuses
        return bytearray()

    not_bytes = Case(obj=None, encode=to_bytearray, decode=lambda b: None, read=lambda o: logical)
    with pytest.raises(CheckError, match="not bytes"):
        check("broken", "medium", not_bytes, logical)


def test_check_json_rejects_a_wrong_answer() -> None:
    logical = REDUCED["medium"]

    def case(read: Any, to_json: Any = lambda o: "{}") -> Case:
        return Case(obj=None, encode=bytes, decode=bytes, read=read, to_json=to_json, from_json=json.loads)

    assert check_json("fine", "medium", case(lambda o: logical), logical) == "{}"
    with pytest.raises(CheckError, match=r"read\(from_json\(to_json\(obj\)\)\): \$\.total: got 1\.5"):
        check_json("broken", "medium", case(lambda o: {**logical, "total": 1.5}), logical)
    with pytest.raises(CheckError, match="not str or bytes"):
        check_json("broken", "medium", case(lambda o: logical, to_json=lambda o: {}), logical)
    with pytest.raises(CheckError, match="has no JSON"):
        check_json("none", "medium", Case(obj=None, encode=bytes, decode=bytes, read=dict), logical)
    ddl_like = case(lambda o: logical if o == {} else {**logical, "id": -1})
    with pytest.raises(CheckError, match="ddl reading broken's JSON"):
        check_json("broken", "medium", case(lambda o: logical, to_json=lambda o: "[]"), logical, ddl_like)


def _report(results: dict[str, Any], libraries: dict[str, Any]) -> dict[str, Any]:
    """A results file as the runner writes it, for the table's formatting alone."""
    from benches.report import ratios

    ok = [name for name, info in libraries.items() if info["status"] == "ok"]
    return {
        "machine": {"cpu": "CPU", "cores": 2, "python": "3.11", "date": "today"},
        "settings": {"quick": True},
        "workloads": ["small"],
        "libraries": libraries,
        "results": results,
        "ratios": ratios(results, ok),
        "payload_bytes": {},
        "json_payload_bytes": {"small": 145},
        "memory": None,
        "problems": [],
    }


def test_the_json_table_has_the_libraries_with_json_and_their_ratios() -> None:
    from benches.report import format_table

    def t(us: float, ratio: float | None = None) -> dict[str, float]:
        return {"median_us": us} if ratio is None else {"median_us": us, "ratio": ratio}

    results = {
        "small": {
            "encode": {"ddl": t(1.0), "msgspec": t(1.0, 1.1), "pure-protobuf": t(9.0, 8.5)},
            "json encode": {"ddl": t(2.0), "msgspec": t(0.5, 0.25)},
        }
    }
    libraries = {
        "ddl": {"status": "ok", "json": "proto3"},
        "protobuf-upb": {"status": "ok", "json": "proto3", "json_wrong": {"small": "JSON: CheckError"}},
        "msgspec": {"status": "ok", "json": "msgspec"},
        "pure-protobuf": {"status": "ok", "json": None},
    }
    lines = format_table(_report(results, libraries), markdown=True).splitlines()
    binary_header, json_header = (line for line in lines if line.startswith("| workload |"))
    assert "pure-protobuf" in binary_header and "pure-protobuf" not in json_header
    assert "| small | encode | 1.00 | — | 1.00 (1.10x) | 9.00 (8.50x) |" in lines  # the paired ratios
    assert "| small | json encode | 2.00 | wrong | 0.50 (0.25x) |" in lines
    assert "| small | json decode+read | — | wrong | — |" in lines
    assert "JSON sizes (ddl's text, UTF-8): small 145 B" in lines


@pytest.mark.parametrize(
    ("name", "info", "status"),
    [
        ("protobuf-py", {"status": "ok", "json_wrong": {"features": "JSON: CheckError"}}, 0),
        ("msgspec", {"status": "failed", "reason": "ImportError"}, 0),
        ("ddl", {"status": "ok", "wrong": {"small": "CheckError"}}, 1),
        ("ddl-python", {"status": "ok", "json_wrong": {"small": "JSON: CheckError"}}, 1),
        ("ddl", {"status": "failed", "reason": "a crash"}, 1),
    ],
)
def test_only_ddl_failing_or_answering_wrongly_fails_the_run(name: str, info: dict[str, Any], status: int) -> None:
    from benches.run import exit_status

    libraries = {"ddl": {"status": "ok"}, "ddl-python": {"status": "ok"}, "protobuf-upb": {"status": "ok"}, name: info}
    assert exit_status(_report({}, libraries)) == status


def test_a_workload_a_library_does_not_run_reads_n_a() -> None:
    from benches.report import format_table

    results = {"small": {"encode": {"ddl": {"median_us": 1.0}}}}
    libraries = {
        "ddl": {"status": "ok", "json": "proto3"},
        "pure-protobuf": {"status": "ok", "json": None, "unsupported": {"small": "no classes"}},
    }
    lines = format_table(_report(results, libraries), markdown=True).splitlines()
    assert "| small | encode | 1.00 | n/a |" in lines


def test_no_json_table_without_json_results() -> None:
    from benches.report import format_table

    results = {"small": {"encode": {"ddl": {"median_us": 1.0}}}}
    text = format_table(_report(results, {"ddl": {"status": "ok", "json": "proto3"}}), markdown=False)
    assert "json encode" not in text and "JSON:" not in text


def test_the_memory_lines_name_each_librarys_wire_and_a_transient_peak() -> None:
    from benches.report import format_table

    report = _report({"small": {"encode": {"ddl": {"median_us": 1.0}}}}, {"ddl": {"status": "ok", "json": "proto3"}})
    report["memory"] = {
        "payload_mb": 50.1,
        "records": 90_700,
        "results": {
            "ddl": {"peak_rss_delta_mb": 280.0, "retained_mb": 280.0, "payload_mb": 50.1, "decode_s": 0.4},
            "msgspec": {"peak_rss_delta_mb": 320.0, "retained_mb": 320.0, "payload_mb": 46.0, "decode_s": 0.9},
            "protobuf-python": {"peak_rss_delta_mb": 900.0, "retained_mb": 600.0, "payload_mb": 50.1, "decode_s": 9.0},
        },
    }
    lines = format_table(report, markdown=True).splitlines()
    assert "- ddl: 280.0 MB, decode took 0.40 s" in lines
    assert "- msgspec: 320.0 MB (1.14x), from 46.0 MB of its own wire, decode took 0.90 s" in lines
    assert "- protobuf-python: 900.0 MB (3.21x), 600.0 MB still held after, decode took 9.00 s" in lines


def test_the_memory_payloads_hold_the_same_records_on_each_wire(tmp_path: Path) -> None:
    pytest.importorskip("msgspec")
    from benches.adapters import ddl_adapter, msgspec_adapter
    from benches.memory import memory_payloads, wire_of
    from benches.settings import QUICK

    settings = dataclasses.replace(QUICK, memory_mb=0.2)
    paths, records = memory_payloads(settings, tmp_path, {wire_of("ddl"), wire_of("msgspec")})
    assert records == 400  # four copies of the 100 records of ~55 KB
    logical = workloads.build("batch")
    ours, theirs = ddl_adapter.make("batch", logical), msgspec_adapter.make("batch", logical)
    expected = {"records": logical["records"] * 4}
    assert ours.read(ours.decode(paths["protobuf"].read_bytes())) == expected
    assert theirs.read(theirs.decode(paths["msgpack"].read_bytes())) == expected


def test_first_difference_names_the_path() -> None:
    assert first_difference({"a": [1, 2]}, {"a": [1, 2]}) is None
    assert first_difference({"a": [1, 3]}, {"a": [1, 2]}) == "$.a[1]: got 3, expected 2"
    assert first_difference({"a": [1]}, {"a": [1, 2]}) == "$.a: 1 elements, expected 2"
    assert first_difference({}, {"a": 1}) == "$.a: missing"
    assert first_difference({"b": 1}, {}) == "$.b: unexpected 1"
    assert first_difference({"x": 1.0}, {"x": 1}) == "$.x: got float 1.0, expected int 1"


def test_library_registry() -> None:
    assert library("protobuf-upb").env == {"PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION": "upb"}
    memory = {lib.name for lib in LIBRARIES if lib.memory}
    assert memory == {"ddl", "protobuf-upb", "protobuf-python", "protobuf-py", "msgspec"}
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
    assert "| small | json encode |" in printed and "| small | json decode+read |" in printed
    report = json.loads(out.read_text())
    assert report["libraries"]["ddl"]["status"] == "ok"
    assert report["libraries"]["ddl"]["json"] == "proto3"
    assert set(report["results"]["small"]) == set(workloads.ALL_OPS)
    assert report["results"]["small"]["decode"]["ddl"]["median_us"] > 0
    assert report["results"]["small"]["json decode+read"]["ddl"]["median_us"] > 0
    assert report["machine"]["cores"] and report["machine"]["python"]
    assert report["payload_bytes"]["small"] > 0
    assert report["json_payload_bytes"]["small"] > report["payload_bytes"]["small"]
    assert report["grpc"]["ddl"]["unary_calls_per_s"] > 0  # the gRPC table needs protobuf-upb too
    assert "gRPC on loopback" not in printed


@pytest.mark.parametrize(
    "counts",
    [
        {"ddl": 3, "protobuf-upb": 3},
        {"ddl": 42, "protobuf-upb": 42, "msgspec": 42},
        {"ddl": 42, "protobuf-python": 6, "ddl-python": 13},
        {"ddl": 1},
        {"ddl": 5, "slow": 1},
    ],
)
def test_the_libraries_take_their_samples_in_turns(counts: dict[str, int]) -> None:
    from benches.lockstep import schedule

    order = schedule(counts)
    assert {name: order.count(name) for name in counts} == counts
    turns = max(counts.values())
    full = [name for name, n in counts.items() if n == turns]
    # The libraries with every turn's sample alternate: between two samples of one, each of the
    # others takes at most two (the first place moves by one each turn).
    for name in full:
        at = [i for i, x in enumerate(order) if x == name]
        for a, b in itertools.pairwise(at):
            between = order[a + 1 : b]
            assert all(between.count(other) <= 2 for other in full if other != name), (name, between)
    # One with fewer samples spreads them evenly over the turns (counted in samples of a library
    # with one every turn, taken before each of its own: ±1 for its place in the turn).
    for name, n in counts.items():
        if n < turns:
            turn_of = [order[: i + 1].count(full[0]) for i, x in enumerate(order) if x == name]
            assert turn_of[0] <= turns // n + 1
            gaps = [b - a for a, b in itertools.pairwise(turn_of)]
            assert not gaps or max(gaps) - min(gaps) <= 2


def _timer(first: float, per_call: float) -> Any:
    """A stand-in for a workload's timer (``loops`` calls in seconds) whose first call is cold."""
    calls = []

    def timed(loops: int) -> float:
        calls.append(loops)
        return first if len(calls) == 1 else loops * per_call

    return timed


@pytest.mark.parametrize(
    ("first", "per_call", "loops", "samples"),
    [
        (20e-6, 0.1e-6, 500_000, 42),  # a fast call, its first one 200 times slower: every sample
        (1.0, 0.001, 50, 42),  # a cold first call longer than a whole sample
        (1.0, 0.1, 1, 31),  # a slow call: as many samples as the budget (3.15 s) holds
        (1.0, 1.0, 1, 6),  # a very slow one: the fewest samples
    ],
)
def test_a_cold_first_call_does_not_cut_the_samples(first: float, per_call: float, loops: int, samples: int) -> None:
    from benches.settings import FULL
    from benches.worker import calibrate

    assert calibrate(_timer(first, per_call), FULL) == (loops, samples)


def test_a_ratio_pairs_each_sample_with_ddls_nearest_in_the_schedule() -> None:
    """Each peer sample is divided by ddl's sample nearest it in the order taken (the earlier
    of two as near); the ratio is the median of the quotients, with their quartiles."""
    from benches.lockstep import paired

    taken = {
        "ddl": [(0, 1.0), (3, 2.0), (6, 4.0)],
        "upb": [(1, 3.0), (4, 4.0), (5, 16.0)],  # over 1.0, 2.0 and 4.0
        "slow": [(2, 10.0)],  # nearer 3 than 0: over 2.0
    }
    found = paired(taken, "ddl")
    assert set(found) == {"upb", "slow"}
    assert found["upb"] == {"ratio": 3.0, "ratio_q1": 2.0, "ratio_q3": 4.0}
    assert found["slow"] == {"ratio": 5.0, "ratio_q1": 5.0, "ratio_q3": 5.0}
    assert paired({"ddl": [(0, 1.0), (2, 2.0)], "upb": [(1, 8.0)]}, "ddl")["upb"]["ratio"] == 8.0  # a tie: the earlier


def test_a_burst_over_some_turns_moves_the_medians_quotient_but_not_the_paired_ratio() -> None:
    """The machine slowing by 1.8x for part of an operation's turns slows both samples of each
    pair; it can land on more than half of one library's samples and fewer of another's, and
    then the quotient of their medians is off by the burst, the paired ratio not at all."""
    from benches.lockstep import paired, schedule

    counts = {"ddl": 42, "upb": 42, "slow": 9}  # slow's samples skip turns, as the budget has it
    per_call = {"ddl": 1.0, "upb": 2.0, "slow": 30.0}
    taken: dict[str, list[tuple[int, float]]] = {name: [] for name in counts}
    for at, name in enumerate(schedule(counts)):
        taken[name].append((at, per_call[name] * (1.8 if 20 <= at < 64 else 1.0)))
    medians = {name: statistics.median(us for _, us in samples) for name, samples in taken.items()}
    assert medians["slow"] / medians["ddl"] == pytest.approx(1.8 * 30.0)
    found = paired(taken, "ddl")
    assert {name: r["ratio"] for name, r in found.items()} == {"upb": 2.0, "slow": 30.0}


def test_calls_timed_together_in_one_process_take_their_samples_in_turns() -> None:
    """``measure_together`` (ceiling.py, copies.py, dicts.py): every timer calibrates first, then
    the samples alternate as between workers, each timer its own count and loop."""
    from benches.lockstep import measure_together, schedule
    from benches.settings import FULL
    from benches.worker import calibrate

    calls: list[tuple[str, int]] = []

    def timer(name: str, per_call: float) -> Any:
        def timed(loops: int) -> float:
            calls.append((name, loops))
            return loops * per_call

        return timed

    per_call = {"fast": 1e-6, "slow": 0.2, "mid": 1e-3}
    plans = {name: calibrate(timer(name, t), FULL) for name, t in per_call.items()}
    calls.clear()
    found = measure_together({name: timer(name, t) for name, t in per_call.items()}, FULL)
    sampled = calls[len(calls) - sum(n for _, n in plans.values()) :]
    calibrating = [name for name, _ in calls[: -len(sampled)]]
    assert [name for name, _ in itertools.groupby(calibrating)] == list(per_call)  # each in one go, first
    assert [name for name, _ in sampled] == schedule({name: n for name, (_, n) in plans.items()})
    assert all(loops == plans[name][0] for name, loops in sampled)
    for name, t in per_call.items():
        assert found[name] == {
            "median_us": t * 1e6,
            "min_us": t * 1e6,
            "samples": plans[name][1],
            "loops": plans[name][0],
        }
    assert found["slow"]["samples"] < found["fast"]["samples"]


def test_samples_follow_one_another_over_a_frozen_harness_heap() -> None:
    """No collection is forced between samples (one falls in the sample whose calls start it);
    while an operation is sampled, the objects alive when it was calibrated are frozen out of
    the collector's reach, and ``measure_together`` gives them back when it ends."""
    import gc

    from benches.lockstep import measure_together
    from benches.settings import QUICK
    from benches.worker import sample

    collections: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    frozen: list[int] = []

    def timed(loops: int) -> float:
        frozen.append(gc.get_freeze_count())
        return loops * 1e-3

    assert gc.get_freeze_count() == 0
    gc.callbacks.append(count)
    try:
        sample(timed, 10)
    finally:
        gc.callbacks.remove(count)
    assert collections == []
    frozen.clear()
    measure_together({"a": timed, "b": timed}, QUICK)
    assert frozen and min(frozen) > 0
    assert gc.get_freeze_count() == 0


def test_a_run_of_two_libraries_times_both_on_every_operation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Both workers stay up through the run; shapes only, never timings."""
    from benches import run
    from benches.settings import QUICK

    out = tmp_path / "results.json"
    argv = ["--quick", "--libs", "ddl,ddl-python", "--workloads", "small,ints", "--no-memory", "--no-grpc"]
    assert run.main([*argv, "--json", str(out), "--chart", ""]) == 0
    capsys.readouterr()
    report = json.loads(out.read_text())
    assert report["problems"] == []
    for workload in ("small", "ints"):
        for op in workloads.ALL_OPS:
            for name in ("ddl", "ddl-python"):
                result = report["results"][workload][op][name]
                assert result["min_us"] <= result["median_us"]
                lowest = QUICK.json_min_samples if op in workloads.JSON_OPS else QUICK.min_samples
                assert lowest <= result["samples"] <= QUICK.samples and result["loops"] >= 1
            peer = report["results"][workload][op]["ddl-python"]
            assert "ratio" not in report["results"][workload][op]["ddl"]
            assert peer["ratio_q1"] <= peer["ratio"] <= peer["ratio_q3"]
            assert report["ratios"][workload][op] == {"ddl-python": peer["ratio"]}
    assert report["libraries"]["ddl-python"]["version"] == report["libraries"]["ddl"]["version"]


def test_timing_workers_hold_malloc_steady_and_memory_workers_do_not(monkeypatch: pytest.MonkeyPatch) -> None:
    """A timing worker keeps glibc from giving memory back at every free near the heap's top; the
    memory benchmarks measure the process as a user runs it."""
    from benches import processes

    envs: list[dict[str, str]] = []

    class Started:
        stdin = stdout = None

        def __init__(self, argv: list[str], **kwargs: Any) -> None:
            envs.append(kwargs["env"])

        def wait(self, timeout: float | None = None) -> int:
            return 0

    for key in processes.STEADY_MALLOC:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setattr(subprocess, "Popen", Started)
    monkeypatch.setattr(processes, "_events", lambda proc: iter(()))
    processes.Worker(library("protobuf-upb"), ["--worker", "protobuf-upb"]).close()
    assert list(processes.stream_worker(library("protobuf-upb"), ["--memory-worker", "protobuf-upb"])) == []
    timing, memory = envs
    assert memory["PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION"] == "upb" and "MALLOC_TOP_PAD_" not in memory
    assert timing == memory | processes.STEADY_MALLOC


def test_a_worker_that_dies_marks_its_library_failed_and_says_why() -> None:
    from benches.lockstep import _ask
    from benches.processes import Worker
    from benches.progress import Progress

    report: dict[str, Any] = {"libraries": {"ddl": {"status": "ok"}}, "problems": []}
    stream = io.StringIO()
    progress = Progress(1, stream=stream)
    worker = Worker(library("ddl"), ["--worker", "ddl", "--no-such-option"])
    try:
        assert _ask(worker, None, "info", report, progress) is None
    finally:
        worker.close()
    assert report["libraries"]["ddl"]["status"] == "failed"
    assert "worker exited with 2" in report["libraries"]["ddl"]["reason"]
    assert "--no-such-option" in report["libraries"]["ddl"]["reason"]
    assert report["problems"] == [f"ddl failed: {report['libraries']['ddl']['reason']}"]
    assert report["problems"][0] in stream.getvalue()


@pytest.mark.parametrize(("args", "columns"), [(["--quick", "small"], 8), (["--quick", "--json", "small"], 8)])
def test_the_ceiling_script_prints_a_row_per_workload_with_a_ratio(
    capsys: pytest.CaptureFixture[str], args: list[str], columns: int
) -> None:
    """Shapes only: the numbers are timings, which tests never judge."""
    from benches import ceiling

    ceiling.main(args)
    rows = capsys.readouterr().out.splitlines()
    assert rows[0].startswith("| workload | ddl read+free µs")
    assert rows[2].startswith("| small |") and rows[2].endswith("x |")
    assert all(row.count("|") == columns + 1 for row in rows)


def test_the_marshal_yardstick_loads_one_object_for_each_object_a_decode_makes() -> None:
    """A message is the list of its fields' values in declaration order, an enum member its int."""
    from benches import ceiling
    from benches.adapters import ddl_adapter

    case = ddl_adapter.make("medium", workloads.build("medium"))
    medium = case.decode(case.encode(case.obj))
    plain = marshal.loads(marshal.dumps(ceiling._plain(medium)))
    item = medium.items[0]
    assert plain[:2] == [medium.id, medium.title] and plain[3:5] == [medium.tags, medium.attrs]
    assert plain[2][0] == [item.id, item.sku, item.qty, item.price, item.in_stock]
    assert len(plain[2]) == len(medium.items) and plain[6] == int(medium.status) and type(plain[6]) is int


def test_the_marshal_yardstick_has_no_figure_for_values_marshal_cannot_write() -> None:
    from benches import ceiling
    from benches.adapters import ddl_adapter
    from benches.settings import QUICK

    case = ddl_adapter.make("events", workloads.build("events"))  # datetimes and timedeltas
    assert ceiling._marshal_blob(case, case.encode(case.obj)) is None
    assert ceiling._row("events", False, QUICK).endswith(" — | — |")


@pytest.mark.parametrize(
    ("script", "ops"), [("dicts", ["dict encode", "dict decode+read"]), ("copies", ["deepcopy", "copy"])]
)
def test_the_side_scripts_print_a_row_per_workload_and_op_with_each_peers_ratio(
    script: str, ops: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Shapes only, as above; each library's value must first read back to the workload."""
    module = importlib.import_module(f"benches.{script}")
    module.main(["--quick", "small"])
    rows = capsys.readouterr().out.splitlines()
    peers = "".join(f" {peer} µs (×ddl) |" for peer in module.LIBRARIES if peer != "ddl")
    assert rows[0] == "| workload | op | ddl µs |" + peers
    has_msgspec = find_spec("msgspec") is not None
    assert "protobuf-upb" in module.LIBRARIES and ("msgspec" in module.LIBRARIES) == has_msgspec
    assert [row.split(" | ")[:2] for row in rows[2:]] == [["| small", op] for op in ops]
    assert all(row.endswith("x) |") for row in rows[2:])


@pytest.mark.parametrize("script", ["ceiling", "encode_ceiling", "memory_floor", "dicts", "copies"])
def test_the_measuring_scripts_answer_help_with_their_docstring(
    script: str, capsys: pytest.CaptureFixture[str]
) -> None:
    module = importlib.import_module(f"benches.{script}")
    with pytest.raises(SystemExit) as exc:
        module.main(["--help"])
    assert exc.value.code == 0
    assert (module.__doc__ or "?").splitlines()[0] in capsys.readouterr().out


@pytest.mark.parametrize(("script", "workload"), [("ceiling", "nope"), ("encode_ceiling", "tree")])
def test_a_workload_a_measuring_script_lacks_is_a_usage_error_naming_the_choices(
    script: str, workload: str, capsys: pytest.CaptureFixture[str]
) -> None:
    module = importlib.import_module(f"benches.{script}")
    with pytest.raises(SystemExit) as exc:
        module.main([workload])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert f"unknown workload {workload!r}" in err and "doubles" in err


def test_the_memory_floor_counts_each_object_once_at_its_allocated_size() -> None:
    from benches import memory_floor
    from benches.adapters import ddl_adapter

    shared, number = "x" * 40, 2.5
    held = [shared, shared, number]
    assert memory_floor.allocated(number) == 32  # a 24-byte float in pymalloc's 32-byte class
    assert memory_floor.footprint(held) == sum(map(memory_floor.allocated, (held, shared, number)))
    assert memory_floor.footprint(ddl_adapter.Node) == 0  # classes (and what they hold) are not the payload's
