"""The results: machine description, ratios to ddl, the tables (plain or Markdown) and the chart.

The binary operations make one table, every library a column; the JSON operations a second,
with only the libraries that have JSON.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benches import workloads
from benches.adapters import BASELINE


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


def _fmt_us(us: float) -> str:
    if us < 10:
        return f"{us:.2f}"
    if us < 1000:
        return f"{us:.1f}"
    return f"{us:,.0f}"


def _fmt_ratio(r: float) -> str:
    return f"{r:.2f}x" if r < 10 else f"{r:.1f}x"


def ratios(results: dict[str, Any], libs: Sequence[str]) -> dict[str, dict[str, dict[str, float]]]:
    """Each peer's ratio to ddl per workload and op (>1: ddl is faster): the median of its samples'
    times over ddl's taken next to them (``lockstep.paired``), which need not be the quotient of
    the two medians."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for workload, ops in results.items():
        for op, by_lib in ops.items():
            for lib in libs:
                if lib != BASELINE and "ratio" in by_lib.get(lib, {}):
                    out.setdefault(workload, {}).setdefault(op, {})[lib] = by_lib[lib]["ratio"]
    return out


def table_rows(report: dict[str, Any], json: bool = False) -> tuple[list[str], list[list[str]]]:
    """The header and rows of the binary table, or with ``json`` of the JSON table."""
    ops, wrong = (workloads.JSON_OPS, "json_wrong") if json else (workloads.OPS, "wrong")
    libs = [
        name for name, info in report["libraries"].items() if info["status"] == "ok" and (not json or info.get("json"))
    ]
    header = ["workload", "op"] + [f"{lib} µs" if lib == BASELINE else f"{lib} µs (×ddl)" for lib in libs]
    rows = []
    for workload in report["workloads"]:
        for op in ops:
            by_lib = report["results"].get(workload, {}).get(op, {})
            row = [workload, op]
            for lib in libs:
                if lib not in by_lib:
                    info = report["libraries"][lib]
                    row.append(
                        "wrong"
                        if workload in info.get(wrong, {})
                        else "n/a"
                        if workload in info.get("unsupported", {})
                        else "—"
                    )
                    continue
                cell = _fmt_us(by_lib[lib]["median_us"])
                r = report["ratios"].get(workload, {}).get(op, {}).get(lib)
                if r is not None:
                    cell += f" ({_fmt_ratio(r)})"
                row.append(cell)
            rows.append(row)
    return header, rows


def _grid(header: list[str], rows: list[list[str]], markdown: bool) -> list[str]:
    """A table's lines: Markdown, or plain columns padded to width."""
    if markdown:
        lines = ["| " + " | ".join(header) + " |"]
        lines.append("|" + "|".join(["---", "---"] + ["---:"] * (len(header) - 2)) + "|")
        return lines + ["| " + " | ".join(r) + " |" for r in rows]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    fmt = [str.ljust, str.ljust] + [str.rjust] * (len(header) - 2)

    def line(cells: list[str]) -> str:
        return "  ".join(f(c, w) for f, c, w in zip(fmt, cells, widths, strict=True)).rstrip()

    return [line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


JSON_INTRO = (
    "JSON: each library writes its own text and reads it back (json decode+read reads every field, as above).\n"
    "ddl, protobuf-* (json_format, indent=None) and protobuf-py write protobuf's JSON mapping; msgspec writes\n"
    "its own JSON of typed Structs (int64 as numbers, enums as ints, every field), so its text differs."
)


def format_table(report: dict[str, Any], markdown: bool) -> str:
    m, s = report["machine"], report["settings"]
    mode = "quick" if s["quick"] else "full"
    intro = (
        f"ddl bench ({mode}) on {m['cpu']}, {m['cores']} cores, Python {m['python']}, {m['date']}\n"
        "Median time per call in µs; (N.NNx) = peer time / ddl time, so >1 means ddl is faster: the median\n"
        "of each peer sample's time over ddl's sample taken next to it, not the quotient of the medians."
    )
    br = "  \n" if markdown else "\n"
    lines = [intro.replace("\n", br)]
    if markdown:
        lines.append("")
    lines += _grid(*table_rows(report), markdown)
    sizes = report["payload_bytes"]
    if sizes:
        lines.append("")
        lines.append("Payload sizes (ddl's protobuf bytes): " + ", ".join(f"{w} {n:,} B" for w, n in sizes.items()))
    header, rows = table_rows(report, json=True)
    if any(op in by_op for by_op in report["results"].values() for op in workloads.JSON_OPS):
        lines.append("")
        lines.append(JSON_INTRO.replace("\n", br))
        if markdown:
            lines.append("")
        lines += _grid(header, rows, markdown)
        json_sizes = report.get("json_payload_bytes")
        if json_sizes:
            lines.append("")
            lines.append("JSON sizes (ddl's text, UTF-8): " + ", ".join(f"{w} {n:,} B" for w, n in json_sizes.items()))
    memory = format_memory(report, markdown)
    if memory:
        lines += ["", memory]
    if report["problems"]:
        lines.append("")
        lines.append("Notes:")
        lines += [("- " if markdown else "  ") + p for p in report["problems"]]
    return "\n".join(lines)


def format_memory(report: dict[str, Any], markdown: bool) -> str:
    """The memory benchmark's lines (empty when it did not run): each library's peak, its ratio
    to ddl's, and its own payload or a transient peak when they differ."""
    mem = report.get("memory")
    if not mem or not mem.get("results"):
        return ""
    lines: list[str] = []
    qualifier = f" (quick mode: {mem['payload_mb']:.0f} MB, not 50 MB)" if report["settings"]["quick"] else ""
    lines.append(
        f"Memory: peak RSS growth while decoding a {mem['payload_mb']:.1f} MB Batch of "
        f"{mem['records']:,} records, each library in a fresh process{qualifier}:"
    )
    base = mem["results"].get(BASELINE, {}).get("peak_rss_delta_mb")
    for lib, r in mem["results"].items():
        extra = ""
        if base and lib != BASELINE:
            extra = f" ({_fmt_ratio(r['peak_rss_delta_mb'] / base)})"
        own = r.get("payload_mb")
        if own and abs(own - mem["payload_mb"]) >= 0.05:
            extra += f", from {own:.1f} MB of its own wire"
        kept = r.get("retained_mb")
        if kept is not None and kept < 0.95 * r["peak_rss_delta_mb"]:  # a transient peak
            extra += f", {kept:,.1f} MB still held after"
        bullet = "- " if markdown else "  "
        lines.append(f"{bullet}{lib}: {r['peak_rss_delta_mb']:,.1f} MB{extra}, decode took {r['decode_s']:.2f} s")
    return "\n".join(lines)


def write_chart(report: dict[str, Any], path: Path) -> bool:
    """A PNG of the ratios (one panel per op, JSON ops included, one bar per peer and workload, log scale)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    peers = [n for n, i in report["libraries"].items() if i["status"] == "ok" and n != BASELINE]
    names = list(report["workloads"])
    ops = [op for op in workloads.ALL_OPS if any(op in by_op for by_op in report["ratios"].values())]
    if not ops:
        return False
    fig, axes = plt.subplots(1, len(ops), figsize=(5 * len(ops), 6.5), sharey=True, sharex=True, squeeze=False)
    axes = axes[0]
    height = 0.8 / max(len(peers), 1)
    for ax, op in zip(axes, ops, strict=True):
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
