"""Timing the libraries in lockstep: one worker per library, all up at once, their samples alternated.

The machine is shared, and its speed moves from one minute to the next (by up to 1.8x on the
2-core machine of 2026-12-02): a library timed alone during a burst of other work carries the
burst in its figures and in every ratio to it. So the runner keeps every library's worker up
and times one operation of one workload at a time, taking the libraries' samples in turn
(``schedule``): each sample of ddl lies between samples of its peers taken within a second of it,
a burst slows every library's samples of that operation alike, and the ratios hold. Only one
worker runs at a time; the others wait for their next command. The scripts that compare calls
within one process (``ceiling.py``, ``copies.py``, ``dicts.py``) alternate theirs the same way
(``measure_together``).

The runner's ratio to ddl is taken sample by sample (``paired``): each of a peer's samples
over ddl's sample taken next to it, the median of those quotients. A burst slows both samples
of a pair, where it could land on more than half of one library's samples and fewer of
another's and move the quotient of their medians (in three runs of five workloads on
2026-12-03, the paired ratios varied from run to run about half as much). The scripts print
quotients of medians: their figures combine several timings (``ceiling.py``'s bounds).
"""

from __future__ import annotations

import gc
import statistics
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from benches import workloads
from benches.adapters import BASELINE, Library
from benches.processes import Worker
from benches.progress import Progress
from benches.settings import Settings
from benches.worker import calibrate, figures, sample


def schedule(counts: Mapping[str, int]) -> list[str]:
    """The order of the samples: each library (in ``counts``' order) ``counts[name]`` times.

    The libraries take turns, one sample each a turn, the first of the turn moving one place
    every turn; a library with fewer samples than the most (a slow one, whose samples the budget
    limits) skips turns evenly, so its samples spread over the whole operation's time too.
    """
    names = list(counts)
    turns = max(counts.values(), default=0)
    order = []
    for turn in range(turns):
        first = turn % len(names)
        for name in names[first:] + names[:first]:
            n = counts[name]
            if (turn + 1) * n // turns > turn * n // turns:  # the turns where n/turns passes an integer
                order.append(name)
    return order


def measure_together(timers: Mapping[str, Callable[[int], float]], settings: Settings) -> dict[str, dict[str, Any]]:
    """Each of ``timers``' figures (``worker.figures``, µs a call), timed in this process: each
    calibrates, then their samples are taken in turns, in ``schedule``'s order.

    Example: ``measure_together({"ddl": ours, "upb": theirs}, FULL)["ddl"]["median_us"]``.
    """
    try:
        plan = {name: calibrate(timed, settings) for name, timed in timers.items()}
        times: dict[str, list[float]] = {name: [] for name in timers}
        for name in schedule({name: count for name, (_, count) in plan.items()}):
            times[name].append(sample(timers[name], plan[name][0]) * 1e6)
    finally:
        gc.unfreeze()  # calibrate froze the caller's objects; they are the collector's again
    return {name: figures(us, plan[name][0]) for name, us in times.items()}


def time_all(libs: Sequence[Library], args: list[str], report: dict[str, Any], progress: Progress) -> None:
    """Time every operation of every workload in ``report["workloads"]`` on each of ``libs``,
    into ``report``: ``results`` (median, minimum, sample and loop counts a library and operation),
    and in ``libraries`` each one's version, JSON mapping, unsupported workloads, wrong answers and
    failures (a failure is one of ``report["problems"]`` too)."""
    workers = {lib.name: Worker(lib, ["--worker", lib.name, *args]) for lib in libs}
    try:
        live = [name for name in workers if _started(workers[name], report, progress)]
        for workload in report["workloads"]:
            ready = {}
            for name in list(live):
                answer = _ask(workers[name], {"do": "load", "workload": workload}, "ready", report, progress)
                if answer is None:
                    live.remove(name)
                else:
                    ready[name] = answer["ops"]
            for op in workloads.ALL_OPS:
                progress.label = f"{workload} {op}"
                progress.draw()
                timing = [name for name in live if op in ready.get(name, ())]
                results = _time_op(workers, timing, op, report, progress)
                if results:
                    report["results"].setdefault(workload, {})[op] = results
                live = [name for name in live if report["libraries"][name]["status"] == "ok"]
                progress.advance(len(libs))
    finally:
        for w in workers.values():
            w.close()


def _time_op(
    workers: Mapping[str, Worker], names: list[str], op: str, report: dict[str, Any], progress: Progress
) -> dict[str, dict[str, Any]]:
    """One operation on the libraries ``names``: each calibrates, then the samples alternate."""
    loops, counts = {}, {}
    for name in names:
        answer = _ask(workers[name], {"do": "calibrate", "op": op}, "calibrated", report, progress)
        if answer is not None:
            loops[name], counts[name] = answer["loops"], answer["samples"]
    taken: dict[str, list[tuple[int, float]]] = {name: [] for name in counts}
    for at, name in enumerate(schedule(counts)):
        if name not in taken:
            continue  # it failed on an earlier sample
        answer = _ask(workers[name], {"do": "sample", "op": op, "loops": loops[name]}, "sample", report, progress)
        if answer is None:
            del taken[name]
        else:
            taken[name].append((at, answer["us"]))
    found = {name: figures([us for _, us in samples], loops[name]) for name, samples in taken.items()}
    if BASELINE in taken:
        for name, ratio in paired(taken, BASELINE).items():
            found[name].update(ratio)
    return found


def paired(taken: Mapping[str, Sequence[tuple[int, float]]], base: str) -> dict[str, dict[str, float]]:
    """Each library's ratio to ``base``, from ``taken``'s samples (place in the schedule, µs),
    in the order taken: every sample of the library over the sample of ``base`` nearest it in
    the schedule (the earlier of two as near), and of those quotients the median (``ratio``)
    and the quartiles (``ratio_q1``, ``ratio_q3``: half the pairs lie between them).

    Example: ``paired({"ddl": [(0, 2.0), (3, 4.0)], "upb": [(1, 5.0), (2, 9.0)]}, "ddl")``
    pairs 5.0 with 2.0 and 9.0 with 4.0: ``{"upb": {"ratio": 2.375, ...}}``.
    """
    ours = taken[base]
    out = {}
    for name, samples in taken.items():
        if name == base or not samples or not ours:
            continue
        quotients, j = [], 0
        for at, us in samples:
            while j + 1 < len(ours) and abs(ours[j + 1][0] - at) < abs(ours[j][0] - at):
                j += 1
            quotients.append(us / ours[j][1])
        q1, _, q3 = statistics.quantiles(quotients, n=4) if len(quotients) > 1 else quotients * 3
        out[name] = {"ratio": statistics.median(quotients), "ratio_q1": q1, "ratio_q3": q3}
    return out


def _started(worker: Worker, report: dict[str, Any], progress: Progress) -> bool:
    """Whether ``worker``'s library runs here (its version noted in ``report``)."""
    return _ask(worker, None, "info", report, progress) is not None


def _ask(
    worker: Worker, command: dict[str, Any] | None, answer: str, report: dict[str, Any], progress: Progress
) -> dict[str, Any] | None:
    """``worker``'s answer to ``command``, the events before it noted in ``report``; None when
    the library is skipped or failed (and then marked so)."""
    name = worker.lib.name
    info = report["libraries"][name]
    for ev in worker.ask(command, (answer, "skip")):
        kind = ev["event"]
        if kind == answer:
            if kind == "info":
                info["version"], info["json"] = ev["version"], ev["json"]
            return ev
        if kind == "size":
            key = "json_payload_bytes" if ev.get("json") else "payload_bytes"
            if name == BASELINE:
                report[key][ev["workload"]] = ev["bytes"]
            info.setdefault(key, {})[ev["workload"]] = ev["bytes"]
        elif kind == "unsupported":
            info.setdefault("unsupported", {})[ev["workload"]] = ev["reason"]
        elif kind == "wrong":
            info.setdefault("json_wrong" if ev.get("json") else "wrong", {})[ev["workload"]] = ev["error"]
            wrong = f"{name} FAILED the correctness check on {ev['workload']} (not timed): {ev['error']}"
            _problem(report, progress, wrong)
        elif kind in ("skip", "error"):
            info["status"] = "skipped" if kind == "skip" else "failed"
            info["reason"] = ev["reason"]
            _problem(report, progress, f"{name} {info['status']}: {ev['reason']}")
    if info["status"] == "ok":  # it exited without a word: count it as failed
        info["status"], info["reason"] = "failed", "the worker exited before answering"
        _problem(report, progress, f"{name} failed: {info['reason']}")
    return None


def _problem(report: dict[str, Any], progress: Progress, message: str) -> None:
    report["problems"].append(message)
    progress.note(message)
