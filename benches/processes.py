"""Worker processes: starting one per library, in that library's environment, and the events they stream.

A worker is ``run.py`` started again with ``--worker``, ``--memory-worker`` or
``--hostile-worker``. It reports on stdout as JSON lines marked with ``MARK``; any other output (a
library printing something) is ignored. A memory worker runs on its own to the end
(``stream_worker``); a timing worker stays up and answers commands (``Worker``).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from benches.adapters import Library, library, load

RUN_PY = Path(__file__).resolve().with_name("run.py")
MARK = "@ddlbench "


def emit(event: str, **fields: Any) -> None:
    """In a worker: send one event to the runner."""
    print(MARK + json.dumps({"event": event, **fields}), flush=True)


def load_in_worker(name: str) -> tuple[Library, Any] | None:
    """The library and its adapter module in this worker process, or None (with a "skip" event)
    when it is not installed or the process runs another engine than the one asked for."""
    lib = library(name)
    try:
        module = load(lib)
    except ImportError as e:
        emit("skip", reason=f"not installed ({e})")
        return None
    actual = module.library_name()
    if actual != lib.name:
        emit("skip", reason=f"this process runs {actual}, not {lib.name}")
        return None
    return lib, module


# glibc's malloc gives memory back to the system when the top of its heap holds more than 128 KB
# free, and takes it again on the next allocation: whether a call that allocates and frees a
# buffer of a few KB (a 4 KB vector's bytes or array) pays a system call and a page fault each
# time depends on what the process allocated before, not on the call. In the same runs, ddl's
# vector decode took 2.7 to 3.6 µs or 0.75 to 1.2, and its encode 0.2 or 1.9 (benches/README.md,
# "Session of 2026-12-02 (5)"). Every timing worker keeps 1 MB of slack at the top and gives
# memory back only past 16 MB, so no library draws that lottery.
STEADY_MALLOC = {"MALLOC_TOP_PAD_": str(1 << 20), "MALLOC_TRIM_THRESHOLD_": str(16 << 20)}


def _child_env(lib: Library, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in lib.unset}
    env.update(lib.env)
    env.update(extra or {})
    env.setdefault("PYTHONHASHSEED", "0")
    return env


def _start(lib: Library, args: list[str], errors: IO[str], *, commands: bool = False) -> subprocess.Popen[str]:
    """``run.py args`` in ``lib``'s environment, its stderr to ``errors`` (and, for a timing
    worker taking ``commands``, its stdin a pipe and malloc held steady)."""
    return subprocess.Popen(
        [sys.executable, str(RUN_PY), *args],
        stdin=subprocess.PIPE if commands else None,
        stdout=subprocess.PIPE,
        stderr=errors,
        env=_child_env(lib, STEADY_MALLOC if commands else None),
        text=True,
        bufsize=1,
    )


def _events(proc: subprocess.Popen[str]) -> Iterator[dict[str, Any]]:
    """The worker's events, as it prints them, until its output ends."""
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith(MARK):
            yield json.loads(line[len(MARK) :])


def _crashed(code: int, errors: IO[str]) -> dict[str, Any]:
    """The ``error`` event for a worker that exited with ``code``: the last lines it wrote to stderr."""
    errors.seek(0)
    tail = errors.read().strip().splitlines()[-6:]
    return {"event": "error", "reason": f"worker exited with {code}: " + " | ".join(tail)}


def stream_worker(lib: Library, args: list[str]) -> Iterator[dict[str, Any]]:
    """Run a worker process and yield its events; a crash becomes an ``error`` event."""
    with tempfile.TemporaryFile(mode="w+") as errors:
        proc = _start(lib, args, errors)
        try:
            yield from _events(proc)
            code = proc.wait()
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        if code != 0:
            yield _crashed(code, errors)


class Worker:
    """A timing worker that stays up: ``ask`` sends it a command and returns the events it
    answers with. The events of a worker that stops answering end with an ``error`` when it
    crashed, and with its last word when it exited cleanly (a ``skip``: its library is not here)."""

    def __init__(self, lib: Library, args: list[str]) -> None:
        self.lib = lib
        self._errors = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - open while the worker runs; close() closes it
        self._proc = _start(lib, args, self._errors, commands=True)
        self._stream = _events(self._proc)

    def ask(self, command: dict[str, Any] | None, answers: tuple[str, ...]) -> list[dict[str, Any]]:
        """Send ``command`` (none: just listen) and read events up to the first of ``answers``,
        which ends the list; a worker that ended first ends it with an ``error`` (or with nothing,
        if it exited with 0)."""
        if command is not None:
            assert self._proc.stdin is not None
            try:
                self._proc.stdin.write(json.dumps(command) + "\n")
                self._proc.stdin.flush()
            except BrokenPipeError:
                pass  # it died: its output says how, below
        events = []
        for event in self._stream:
            events.append(event)
            if event["event"] in answers:
                return events
        code = self._proc.wait()
        if code != 0:
            events.append(_crashed(code, self._errors))
        return events

    def close(self) -> None:
        """End the worker (its commands end) and wait for it; kill it if it does not exit."""
        if self._proc.stdin is not None and not self._proc.stdin.closed:
            with contextlib.suppress(BrokenPipeError):  # it died: nothing left to tell it
                self._proc.stdin.close()
        try:
            self._proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        self._errors.close()
