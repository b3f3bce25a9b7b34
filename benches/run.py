"""The benchmark runner: every library in its own process, two tables (binary and JSON), a JSON file and a chart.

Run it as ``ddl bench [--quick]`` (or ``python benches/run.py``). For each library the runner
starts a worker process (``--worker NAME``) with that library's environment (protobuf's
implementation is chosen by an environment variable before import), which builds its objects,
checks its answers and times ``encode``, ``decode+read`` and ``decode`` on every workload (and
``json encode`` and ``json decode+read`` if it has JSON) as the runner asks: the workers stay up
together, and the samples of one operation alternate between the libraries (``lockstep.py``
says why). Then the memory benchmark decodes one big batch payload in a fresh process per
library, and the hostile-memory benchmark (``hostile_memory.py``) decodes inputs built to make
many objects per byte, in a fresh process per library and case.

This module parses the options and runs the phases; the rest lives beside it: ``lockstep.py``
(the order of the samples), ``worker.py`` (the timing worker), ``memory.py`` (the memory
benchmark), ``processes.py`` (starting workers and reading their events), ``settings.py`` (full
and quick), ``progress.py`` (the progress bar) and ``report.py`` (tables and chart).
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__" and not __package__:  # run as a script: make `benches` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import json
import tempfile
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from benches import workloads
from benches.adapters import BASELINE, LIBRARIES, library
from benches.grpc_bench import format_grpc, run_all
from benches.hostile_memory import CASES, LIBS, format_hostile, hostile_worker, run_cases
from benches.lockstep import time_all
from benches.memory import memory_payloads, memory_worker, wire_of
from benches.processes import STEADY_MALLOC, stream_worker
from benches.progress import Progress
from benches.report import format_memory, format_table, machine_info, ratios, write_chart
from benches.settings import chosen
from benches.worker import worker


def run(args: argparse.Namespace) -> int:
    settings = chosen(args.quick)
    try:
        libs = [library(n) for n in args.libs.split(",")] if args.libs else list(LIBRARIES)
    except KeyError as e:
        raise SystemExit(f"ddl bench: {e.args[0]}") from None
    names = args.workloads.split(",") if args.workloads else list(workloads.WORKLOADS)
    for n in names:
        if n not in workloads.WORKLOADS:
            raise SystemExit(f"ddl bench: unknown workload {n!r}; choose from {', '.join(workloads.WORKLOADS)}")
    memory_libs = [lib for lib in libs if lib.memory] if args.memory else []
    if args.memory_only:
        names, libs, args.grpc = [], [], False  # no timing, hostile-memory or gRPC runs
    memory_weight = 4 if args.quick else 15
    hostile_libs = [n for n in LIBS if any(lib.name == n for lib in libs)] if args.memory else []
    hostile_runs = len(hostile_libs) * len(CASES)
    grpc_libs = {"ddl": "ddl", "protobuf-upb": "protobuf"}
    grpc_runs = [grpc_libs[lib.name] for lib in libs if lib.name in grpc_libs] if args.grpc else []
    progress = Progress(
        len(libs) * len(names) * len(workloads.ALL_OPS)
        + memory_weight * len(memory_libs)
        + memory_weight * hostile_runs
        + memory_weight * len(grpc_runs)
    )
    report: dict[str, Any] = {
        "machine": machine_info(),
        "settings": {
            **asdict(settings),
            "quick": args.quick,
            "gc": "enabled; before each operation, a collection and gc.freeze(); no collection between samples",
            "malloc": STEADY_MALLOC,
        },
        "workloads": names,
        "libraries": {},
        "results": {},
        "ratios": {},
        "payload_bytes": {},
        "json_payload_bytes": {},
        "memory": None,
        "hostile_memory": None,
        "grpc": None,
        "problems": [],
    }
    for lib in libs:
        report["libraries"][lib.name] = {"status": "ok", "note": lib.note, "env": dict(lib.env)}
    if names:
        time_all(libs, ["--quick"] if args.quick else [], report, progress)
    if memory_libs:
        with tempfile.TemporaryDirectory(prefix="ddl-bench-") as tmp:
            progress.label = "memory: writing the payload"
            progress.draw()
            payloads, records = memory_payloads(settings, Path(tmp), {wire_of(lib.name) for lib in memory_libs})
            mem: dict[str, Any] = {
                "payload_mb": payloads["protobuf"].stat().st_size / 1e6,
                "records": records,
                "quick": args.quick,
                "what": "peak RSS (VmHWM, reset before the decode) growth of one decode, fresh process per library",
                "results": {},
            }
            report["memory"] = mem
            for lib in memory_libs:
                progress.label = f"memory: {lib.name} decoding {mem['payload_mb']:.0f} MB"
                progress.draw()
                payload = payloads.get(wire_of(lib.name))
                if payload is None:
                    report["problems"].append(f"memory {lib.name}: not installed")
                    progress.advance(memory_weight)
                    continue
                cmd = ["--memory-worker", lib.name, "--payload", str(payload), "--records", str(records)]
                for ev in stream_worker(lib, cmd):
                    if ev["event"] == "memory":
                        mem["results"][lib.name] = {k: v for k, v in ev.items() if k != "event"}
                    elif ev["event"] in ("skip", "error", "wrong"):
                        msg = f"memory {lib.name}: {ev.get('reason') or ev.get('error')}"
                        report["problems"].append(msg)
                        progress.note(msg)
                progress.advance(memory_weight)
    if hostile_runs:
        hostile: dict[str, Any] = {
            "what": "peak RSS (ru_maxrss) growth of one decode, fresh process per library and case",
            "quick": args.quick,
            "results": {},
        }
        report["hostile_memory"] = hostile
        progress.label = "hostile memory: writing the inputs"
        progress.draw()
        for case_name, lib_name, result in run_cases(hostile_libs, list(CASES), args.quick):
            hostile["results"].setdefault(case_name, {})[lib_name] = result
            if "error" in result:
                report["problems"].append(f"hostile memory {lib_name} {case_name}: {result['error']}")
            progress.advance(memory_weight, f"hostile memory: {lib_name} {case_name}")
    if grpc_runs:
        progress.label = f"gRPC: {' and '.join(grpc_runs)} servers and clients on loopback, in turns"
        progress.draw()
        try:
            report["grpc"] = run_all(0.3 if args.quick else 3.0, grpc_runs)
        except RuntimeError as e:
            report["problems"].append(f"gRPC: {e}")
            progress.note(f"gRPC: {e}")
        progress.advance(memory_weight * len(grpc_runs))
    progress.close()
    if args.memory_only:
        print(format_memory(report, args.markdown))
        for problem in report["problems"]:
            print(f"note: {problem}")
        return 0
    ok = [n for n, i in report["libraries"].items() if i["status"] == "ok"]
    report["ratios"] = ratios(report["results"], ok)
    if BASELINE not in ok:
        report["problems"].append(f"{BASELINE} did not run, so there are no ratios")

    print(format_table(report, args.markdown))
    if report["hostile_memory"]:
        print()
        print(format_hostile(report["hostile_memory"]["results"], hostile_libs, args.markdown))
    if report["grpc"] and len(report["grpc"]) == len(grpc_libs):
        print()
        print(format_grpc(report["grpc"], args.markdown))
    json_path = Path(args.json)
    json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    wrote = [str(json_path)]
    if args.chart and write_chart(report, Path(args.chart)):
        wrote.append(str(args.chart))
    print(f"wrote {', '.join(wrote)}", file=sys.stderr)
    return exit_status(report)


def exit_status(report: dict[str, Any]) -> int:
    """1 when one of ddl's own engines failed or answered wrongly, else 0.

    A peer's failure or wrong answer is the peer's bug, not the run's: it is marked ``wrong`` in the
    tables and listed among the problems, and the run still succeeds, so a peer's bug cannot make
    ``ddl bench`` fail in a script.
    """
    ours = {lib.name for lib in LIBRARIES if lib.module == "ddl_adapter"}
    return int(
        any(
            info["status"] == "failed" or info.get("wrong") or info.get("json_wrong")
            for name, info in report["libraries"].items()
            if name in ours
        )
    )


def parser(prog: str | None = None) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=prog,
        description="Benchmark ddl against other Python serialization libraries (each in its own process).",
        epilog=(
            "examples:\n"
            "  ddl bench --quick                  # under a minute\n"
            "  ddl bench --markdown > table.md    # full run (about 20 min), tables as Markdown\n"
            "  ddl bench --libs ddl,protobuf-upb --workloads small,batch\n"
            f"libraries: {', '.join(lib.name for lib in LIBRARIES)}\n"
            f"workloads: {', '.join(workloads.WORKLOADS)}"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--quick", action="store_true", help="fewer, shorter samples and a 5 MB memory payload")
    p.add_argument("--json", default="bench-results.json", metavar="PATH", help="results file (%(default)s)")
    p.add_argument("--chart", default="bench-results.png", metavar="PATH", help="ratio chart, PNG (%(default)s)")
    p.add_argument("--markdown", action="store_true", help="print the tables as Markdown (for the README)")
    p.add_argument("--libs", metavar="A,B", help="libraries to run (default: all)")
    p.add_argument("--workloads", metavar="A,B", help="workloads to run (default: all)")
    p.add_argument(
        "--no-memory", dest="memory", action="store_false", help="skip the memory and hostile-memory benchmarks"
    )
    p.add_argument(
        "--memory-only", action="store_true", help="run only the memory benchmark (the big Batch), and print its lines"
    )
    p.add_argument(
        "--no-grpc", dest="grpc", action="store_false", help="skip the gRPC benchmark (ddl, protobuf-upb on loopback)"
    )
    p.add_argument("--worker", metavar="LIB", help=argparse.SUPPRESS)
    p.add_argument("--memory-worker", metavar="LIB", help=argparse.SUPPRESS)
    p.add_argument("--payload", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--records", type=int, help=argparse.SUPPRESS)
    p.add_argument("--hostile-worker", metavar="LIB", help=argparse.SUPPRESS)
    p.add_argument("--case", help=argparse.SUPPRESS)
    return p


def main(argv: Sequence[str] | None = None, prog: str | None = None) -> int:
    args = parser(prog).parse_args(argv)
    if args.worker:
        return worker(args.worker, chosen(args.quick))
    if args.memory_worker:
        return memory_worker(args.memory_worker, args.payload, args.records)
    if args.hostile_worker:
        return hostile_worker(args.hostile_worker, args.case, args.payload)
    try:
        return run(args)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
