"""The benchmark runner: every library in its own process, a table, a JSON file and a chart.

Run it as ``ddl bench [--quick]`` (or ``python benches/run.py``). For each library the runner
starts a worker process (``--worker NAME``) with that library's environment (protobuf's
implementation is chosen by an environment variable before import), which builds its objects,
checks its answers, times ``encode``, ``decode+read`` and ``decode`` on every workload, and
streams the results back as JSON lines. Then the memory benchmark decodes one big batch payload
in a fresh process per library.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__" and not __package__:  # run as a script: make `benches` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import datetime as dt
import gc
import json
import math
import os
import platform
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import IO, Any

from benches import workloads
from benches.adapters import BASELINE, LIBRARIES, Case, Library, check, library, load

RUN_PY = Path(__file__).resolve()
MARK = "@ddlbench "
MEMORY_LIBS = tuple(lib.name for lib in LIBRARIES if lib.memory)


@dataclass(frozen=True)
class Settings:
    """How long to time. A sample is one timed loop of ``loops`` calls, ``target`` seconds long."""

    target: float
    samples: int
    min_samples: int
    memory_mb: float

    @property
    def budget(self) -> float:
        """At most this many seconds of samples per measurement (slow calls take fewer samples)."""
        return self.target * self.samples * 1.5


FULL = Settings(target=0.050, samples=41, min_samples=5, memory_mb=50.0)
QUICK = Settings(target=0.015, samples=7, min_samples=3, memory_mb=5.0)


# ---------------------------------------------------------------------------------------------
# Timing (inside a worker).


def _time_encode(encode: Callable[[Any], bytes], obj: Any, loops: int) -> float:
    it = range(loops)
    t0 = time.perf_counter()
    for _ in it:
        encode(obj)
    return time.perf_counter() - t0


def _time_decode(decode: Callable[[bytes], Any], data: bytes, loops: int) -> float:
    it = range(loops)
    t0 = time.perf_counter()
    for _ in it:
        decode(data)
    return time.perf_counter() - t0


def _time_decode_read(decode: Callable[[bytes], Any], read: Callable[[Any], Any], data: bytes, loops: int) -> float:
    it = range(loops)
    t0 = time.perf_counter()
    for _ in it:
        read(decode(data))
    return time.perf_counter() - t0


def _timers(case: Case, data: bytes) -> dict[str, Callable[[int], float]]:
    """For each op, a function timing ``loops`` calls of it."""
    encode, decode, read, obj = case.encode, case.decode, case.read, case.obj
    return {
        "encode": lambda loops: _time_encode(encode, obj, loops),
        "decode+read": lambda loops: _time_decode_read(decode, read, data, loops),
        "decode": lambda loops: _time_decode(decode, data, loops),
    }


def measure(timed: Callable[[int], float], settings: Settings) -> dict[str, Any]:
    """Calibrate a loop count so a sample takes ~``settings.target`` s; return the per-call median.

    The garbage collector stays enabled (as in real programs); it runs a full collection before
    each sample, outside the timed region.
    """
    gc.collect()
    once = timed(1)  # also a warm-up
    loops = 1
    if once < settings.target:
        loops = max(1, int(settings.target / max(once, 1e-7)))
        loops = min(loops, 1_000_000)
        t = timed(loops)
        loops = max(1, round(loops * settings.target / max(t, 1e-9)))
    per_sample = max(once * loops, settings.target)
    n = max(settings.min_samples, min(settings.samples, int(settings.budget / per_sample)))
    times = []
    for _ in range(n):
        gc.collect()
        times.append(timed(loops) / loops)
    return {
        "median_us": statistics.median(times) * 1e6,
        "min_us": min(times) * 1e6,
        "samples": n,
        "loops": loops,
    }


def _emit(event: str, **fields: Any) -> None:
    print(MARK + json.dumps({"event": event, **fields}), flush=True)


def worker(name: str, settings: Settings, names: Sequence[str]) -> int:
    """Check, then time, one library on the workloads ``names``, streaming JSON lines to stdout."""
    lib = library(name)
    try:
        module = load(lib)
    except ImportError as e:
        _emit("skip", reason=f"not installed ({e})")
        return 0
    actual = module.library_name()
    if actual != lib.name:
        _emit("skip", reason=f"this process runs {actual}, not {lib.name}")
        return 0
    _emit("info", version=module.version(), python=platform.python_version())
    ddl_adapter = None
    if module.WIRE == "protobuf" and lib.module != "ddl_adapter":
        from benches.adapters import ddl_adapter
    for workload in names:
        logical = workloads.build(workload)
        try:
            case = module.make(workload, logical)
            ddl_case = ddl_adapter.make(workload, logical) if ddl_adapter is not None else None
            data = check(lib.name, workload, case, logical, ddl_case)
        except Exception as e:  # a wrong answer (CheckError) or a crash: never time it
            _emit("wrong", workload=workload, error=f"{type(e).__name__}: {e}"[:500])
            for op in workloads.OPS:
                _emit("progress", label=f"{workload} {op} (skipped)")
            continue
        _emit("size", workload=workload, bytes=len(data))
        timers = _timers(case, data)
        for op in workloads.OPS:
            _emit("result", workload=workload, op=op, **measure(timers[op], settings))
            _emit("progress", label=f"{workload} {op}")
    _emit("done")
    return 0


def memory_worker(name: str, payload: Path, records: int) -> int:
    """Peak RSS growth of decoding ``payload`` (a Batch) in this fresh process, in MB."""
    lib = library(name)
    try:
        module = load(lib)
    except ImportError as e:
        _emit("skip", reason=f"not installed ({e})")
        return 0
    if module.library_name() != lib.name:
        _emit("skip", reason=f"this process runs {module.library_name()}, not {lib.name}")
        return 0
    warm = module.make("batch", workloads.batch(2))  # compile/import everything first
    warm.read(warm.decode(warm.encode(warm.obj)))
    decode = warm.decode
    data = payload.read_bytes()
    del warm
    gc.collect()
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    obj = decode(data)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    got = len(obj.records)
    if got != records:
        _emit("wrong", workload="memory", error=f"decoded {got} records, expected {records}")
        return 0
    # ru_maxrss is in KiB on Linux (bytes on macOS)
    unit = 1 if sys.platform == "darwin" else 1024
    _emit(
        "memory",
        peak_rss_delta_mb=(peak - base) * unit / 1e6,
        baseline_rss_mb=base * unit / 1e6,
        decode_s=seconds,
        payload_mb=len(data) / 1e6,
        records=got,
    )
    return 0


# ---------------------------------------------------------------------------------------------
# The parent: processes, progress, table, JSON and chart.


class Progress:
    """A one-line progress bar on stderr (plain lines when stderr is not a terminal)."""

    def __init__(self, total: int, stream: IO[str] | None = None) -> None:
        self.total, self.done = max(total, 1), 0
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.start = time.monotonic()
        self.label = ""
        self._last_decile = -1

    def _line(self) -> str:
        frac = min(self.done / self.total, 1.0)
        width = 28
        fill = int(frac * width)
        elapsed = time.monotonic() - self.start
        eta = f" eta {elapsed / frac * (1 - frac):4.0f}s" if 0.02 < frac < 1 else ""
        bar = "#" * fill + "-" * (width - fill)
        return f"[{bar}] {frac:4.0%} {elapsed:4.0f}s{eta}  {self.label}"

    def draw(self) -> None:
        if self.tty:
            cols = shutil.get_terminal_size((100, 24)).columns
            self.stream.write("\r" + self._line()[: cols - 1] + "\x1b[K")
            self.stream.flush()
        else:
            decile = int(10 * self.done / self.total)
            if decile != self._last_decile:
                self._last_decile = decile
                print(self._line(), file=self.stream, flush=True)

    def advance(self, n: int = 1, label: str | None = None) -> None:
        self.done += n
        if label is not None:
            self.label = label
        self.draw()

    def note(self, message: str) -> None:
        if self.tty:
            self.stream.write("\r\x1b[K")
        print(message, file=self.stream, flush=True)
        self.draw()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def _child_env(lib: Library) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in lib.unset}
    env.update(lib.env)
    env.setdefault("PYTHONHASHSEED", "0")
    return env


def _stream_worker(lib: Library, args: list[str]) -> Iterator[dict[str, Any]]:
    """Run a worker process and yield its events; a crash becomes an ``error`` event."""
    with tempfile.TemporaryFile(mode="w+") as errors:
        proc = subprocess.Popen(
            [sys.executable, str(RUN_PY), *args],
            stdout=subprocess.PIPE,
            stderr=errors,
            env=_child_env(lib),
            text=True,
            bufsize=1,
        )
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                if line.startswith(MARK):
                    yield json.loads(line[len(MARK) :])
            code = proc.wait()
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        if code != 0:
            errors.seek(0)
            tail = errors.read().strip().splitlines()[-6:]
            yield {"event": "error", "reason": f"worker exited with {code}: " + " | ".join(tail)}


def machine_info() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def _memory_payload(settings: Settings, folder: Path) -> tuple[Path, int]:
    """A Batch of ~``settings.memory_mb`` MB: ddl's bytes of ``batch`` repeated (repeated fields
    concatenate on the wire, so k copies decode as one Batch of k * 100 records)."""
    from benches.adapters import ddl_adapter

    case = ddl_adapter.make("batch", workloads.build("batch"))
    one = case.encode(case.obj)
    copies = max(1, math.ceil(settings.memory_mb * 1e6 / len(one)))
    path = folder / "batch-payload.bin"
    path.write_bytes(one * copies)
    return path, copies * len(case.obj.records)


def _fmt_us(us: float) -> str:
    if us < 10:
        return f"{us:.2f}"
    if us < 1000:
        return f"{us:.1f}"
    return f"{us:,.0f}"


def _fmt_ratio(r: float) -> str:
    return f"{r:.2f}x" if r < 10 else f"{r:.1f}x"


def ratios(results: dict[str, Any], libs: Sequence[str]) -> dict[str, dict[str, dict[str, float]]]:
    """peer median / ddl median per workload and op (>1: ddl is faster)."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for workload, ops in results.items():
        for op, by_lib in ops.items():
            base = by_lib.get(BASELINE)
            if not base:
                continue
            for lib in libs:
                if lib != BASELINE and lib in by_lib:
                    r = by_lib[lib]["median_us"] / base["median_us"]
                    out.setdefault(workload, {}).setdefault(op, {})[lib] = r
    return out


def table_rows(report: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    libs = [name for name, info in report["libraries"].items() if info["status"] == "ok"]
    header = ["workload", "op"] + [f"{lib} µs" if lib == BASELINE else f"{lib} µs (×ddl)" for lib in libs]
    rows = []
    for workload in report["workloads"]:
        for op in workloads.OPS:
            by_lib = report["results"].get(workload, {}).get(op, {})
            row = [workload, op]
            for lib in libs:
                if lib not in by_lib:
                    row.append("wrong" if workload in report["libraries"][lib].get("wrong", {}) else "—")
                    continue
                cell = _fmt_us(by_lib[lib]["median_us"])
                r = report["ratios"].get(workload, {}).get(op, {}).get(lib)
                if r is not None:
                    cell += f" ({_fmt_ratio(r)})"
                row.append(cell)
            rows.append(row)
    return header, rows


def format_table(report: dict[str, Any], markdown: bool) -> str:
    header, rows = table_rows(report)
    m, s = report["machine"], report["settings"]
    mode = "quick" if s["quick"] else "full"
    lines: list[str] = []
    intro = (
        f"ddl bench ({mode}) on {m['cpu']}, {m['cores']} cores, Python {m['python']}, {m['date']}\n"
        "Median time per call in µs; (N.NNx) = peer time / ddl time, so >1 means ddl is faster."
    )
    if markdown:
        lines.append(intro.replace("\n", "  \n"))
        lines.append("")
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "|".join(["---", "---"] + ["---:"] * (len(header) - 2)) + "|")
        lines += ["| " + " | ".join(r) + " |" for r in rows]
    else:
        lines.append(intro)
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        fmt = [str.ljust, str.ljust] + [str.rjust] * (len(header) - 2)

        def line(cells: list[str]) -> str:
            return "  ".join(f(c, w) for f, c, w in zip(fmt, cells, widths)).rstrip()

        lines.append(line(header))
        lines.append("  ".join("-" * w for w in widths))
        lines += [line(r) for r in rows]
    sizes = report["payload_bytes"]
    if sizes:
        lines.append("")
        lines.append("Payload sizes (ddl's protobuf bytes): " + ", ".join(f"{w} {n:,} B" for w, n in sizes.items()))
    mem = report.get("memory")
    if mem and mem.get("results"):
        lines.append("")
        qualifier = f" (quick mode: {mem['payload_mb']:.0f} MB, not 50 MB)" if s["quick"] else ""
        lines.append(
            f"Memory: peak RSS growth while decoding a {mem['payload_mb']:.1f} MB Batch of "
            f"{mem['records']:,} records, each library in a fresh process{qualifier}:"
        )
        base = mem["results"].get(BASELINE, {}).get("peak_rss_delta_mb")
        for lib, r in mem["results"].items():
            extra = ""
            if base and lib != BASELINE:
                extra = f" ({_fmt_ratio(r['peak_rss_delta_mb'] / base)})"
            bullet = "- " if markdown else "  "
            lines.append(f"{bullet}{lib}: {r['peak_rss_delta_mb']:,.1f} MB{extra}, decode took {r['decode_s']:.2f} s")
    if report["problems"]:
        lines.append("")
        lines.append("Notes:")
        lines += [("- " if markdown else "  ") + p for p in report["problems"]]
    return "\n".join(lines)


def write_chart(report: dict[str, Any], path: Path) -> bool:
    """A PNG of the ratios (one panel per op, one bar per peer and workload, log scale)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    peers = [n for n, i in report["libraries"].items() if i["status"] == "ok" and n != BASELINE]
    names = list(report["workloads"])
    fig, axes = plt.subplots(1, len(workloads.OPS), figsize=(15, 6.5), sharey=True, sharex=True)
    height = 0.8 / max(len(peers), 1)
    for ax, op in zip(axes, workloads.OPS):
        for j, peer in enumerate(peers):
            ys, xs = [], []
            for i, w in enumerate(names):
                r = report["ratios"].get(w, {}).get(op, {}).get(peer)
                if r is not None:
                    ys.append(i - 0.4 + height * (j + 0.5))
                    xs.append(r)
            ax.barh(ys, xs, height=height, label=peer)
        ax.axvline(1.0, color="black", linewidth=1)
        ax.set_xscale("log")
        ax.set_title(op)
        ax.set_xlabel("peer time / ddl time (>1: ddl faster)")
        ax.grid(axis="x", which="both", alpha=0.3)
    axes[0].set_yticks(range(len(names)), names)
    axes[0].invert_yaxis()
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=max(len(peers), 1), frameon=False)
    mode = "quick" if report["settings"]["quick"] else "full"
    fig.suptitle(f"ddl bench ({mode}) — {report['machine']['cpu']}, Python {report['machine']['python']}")
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def run(args: argparse.Namespace) -> int:
    settings = QUICK if args.quick else FULL
    try:
        libs = [library(n) for n in args.libs.split(",")] if args.libs else [lib for lib in LIBRARIES if lib.default]
    except KeyError as e:
        raise SystemExit(f"ddl bench: {e.args[0]}") from None
    names = args.workloads.split(",") if args.workloads else list(workloads.WORKLOADS)
    for n in names:
        if n not in workloads.WORKLOADS:
            raise SystemExit(f"ddl bench: unknown workload {n!r}; choose from {', '.join(workloads.WORKLOADS)}")
    memory_libs = [lib for lib in libs if lib.memory] if args.memory else []
    memory_weight = 4 if args.quick else 15
    progress = Progress(len(libs) * len(names) * len(workloads.OPS) + memory_weight * len(memory_libs))
    report: dict[str, Any] = {
        "machine": machine_info(),
        "settings": {**asdict(settings), "quick": args.quick, "gc": "enabled; gc.collect() before each sample"},
        "workloads": names,
        "libraries": {},
        "results": {},
        "ratios": {},
        "payload_bytes": {},
        "memory": None,
        "problems": [],
    }
    worker_args = ["--workloads", ",".join(names)] + (["--quick"] if args.quick else [])
    for lib in libs:
        info: dict[str, Any] = {"status": "ok", "note": lib.note, "env": dict(lib.env)}
        report["libraries"][lib.name] = info
        progress.label = f"{lib.name}: starting"
        progress.draw()
        left = len(names) * len(workloads.OPS)
        for ev in _stream_worker(lib, ["--worker", lib.name, *worker_args]):
            kind = ev["event"]
            if kind == "progress":
                left -= 1
                progress.advance(1, f"{lib.name}: {ev['label']}")
            elif kind == "info":
                info["version"] = ev["version"]
            elif kind == "result":
                entry = {k: ev[k] for k in ("median_us", "min_us", "samples", "loops")}
                report["results"].setdefault(ev["workload"], {}).setdefault(ev["op"], {})[lib.name] = entry
            elif kind == "size":
                if lib.name == BASELINE:
                    report["payload_bytes"][ev["workload"]] = ev["bytes"]
                info.setdefault("payload_bytes", {})[ev["workload"]] = ev["bytes"]
            elif kind == "wrong":
                info.setdefault("wrong", {})[ev["workload"]] = ev["error"]
                msg = f"{lib.name} FAILED the correctness check on {ev['workload']} (not timed): {ev['error']}"
                report["problems"].append(msg)
                progress.note(msg)
            elif kind in ("skip", "error"):
                info["status"] = "skipped" if kind == "skip" else "failed"
                info["reason"] = ev["reason"]
                msg = f"{lib.name} {info['status']}: {ev['reason']}"
                report["problems"].append(msg)
                progress.note(msg)
        progress.advance(max(left, 0))
    if memory_libs:
        with tempfile.TemporaryDirectory(prefix="ddl-bench-") as tmp:
            progress.label = "memory: writing the payload"
            progress.draw()
            payload, records = _memory_payload(settings, Path(tmp))
            mem: dict[str, Any] = {
                "payload_mb": payload.stat().st_size / 1e6,
                "records": records,
                "quick": args.quick,
                "what": "peak RSS (ru_maxrss) after decode minus before, fresh process per library",
                "results": {},
            }
            report["memory"] = mem
            for lib in memory_libs:
                progress.label = f"memory: {lib.name} decoding {mem['payload_mb']:.0f} MB"
                progress.draw()
                cmd = ["--memory-worker", lib.name, "--payload", str(payload), "--records", str(records)]
                for ev in _stream_worker(lib, cmd):
                    if ev["event"] == "memory":
                        mem["results"][lib.name] = {k: v for k, v in ev.items() if k != "event"}
                    elif ev["event"] in ("skip", "error", "wrong"):
                        msg = f"memory {lib.name}: {ev.get('reason') or ev.get('error')}"
                        report["problems"].append(msg)
                        progress.note(msg)
                progress.advance(memory_weight)
    progress.close()
    ok = [n for n, i in report["libraries"].items() if i["status"] == "ok"]
    report["ratios"] = ratios(report["results"], ok)
    if BASELINE not in ok:
        report["problems"].append(f"{BASELINE} did not run, so there are no ratios")

    print(format_table(report, args.markdown))
    json_path = Path(args.json)
    json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    wrote = [str(json_path)]
    if args.chart and write_chart(report, Path(args.chart)):
        wrote.append(str(args.chart))
    print(f"wrote {', '.join(wrote)}", file=sys.stderr)
    failed = any(i["status"] == "failed" or i.get("wrong") for i in report["libraries"].values())
    return 1 if failed else 0


def parser(prog: str | None = None) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=prog,
        description="Benchmark ddl against other Python serialization libraries (each in its own process).",
        epilog=(
            "examples:\n"
            "  ddl bench --quick                  # under a minute\n"
            "  ddl bench --markdown > table.md    # full run (3-6 min), table as Markdown\n"
            "  ddl bench --libs ddl,protobuf-upb --workloads small,batch\n"
            f"libraries: {', '.join(lib.name for lib in LIBRARIES)}\n"
            f"workloads: {', '.join(workloads.WORKLOADS)}"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--quick", action="store_true", help="fewer, shorter samples and a 5 MB memory payload")
    p.add_argument("--json", default="bench-results.json", metavar="PATH", help="results file (%(default)s)")
    p.add_argument("--chart", default="bench-results.png", metavar="PATH", help="ratio chart, PNG (%(default)s)")
    p.add_argument("--markdown", action="store_true", help="print the table as Markdown (for the README)")
    p.add_argument("--libs", metavar="A,B", help="libraries to run (default: all but ddl-python)")
    p.add_argument("--workloads", metavar="A,B", help="workloads to run (default: all)")
    p.add_argument("--no-memory", dest="memory", action="store_false", help="skip the memory benchmark")
    p.add_argument("--worker", metavar="LIB", help=argparse.SUPPRESS)
    p.add_argument("--memory-worker", metavar="LIB", help=argparse.SUPPRESS)
    p.add_argument("--payload", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--records", type=int, help=argparse.SUPPRESS)
    return p


def main(argv: Sequence[str] | None = None, prog: str | None = None) -> int:
    args = parser(prog).parse_args(argv)
    if args.worker:
        names = args.workloads.split(",") if args.workloads else list(workloads.WORKLOADS)
        return worker(args.worker, QUICK if args.quick else FULL, names)
    if args.memory_worker:
        return memory_worker(args.memory_worker, args.payload, args.records)
    try:
        return run(args)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
