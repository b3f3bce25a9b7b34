"""Worker processes: starting one per library, in that library's environment, and the events they stream.

A worker is ``run.py`` started again with ``--worker`` or ``--memory-worker``. It reports on stdout
as JSON lines marked with ``MARK``; any other output (a library printing something) is ignored.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


def _child_env(lib: Library) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in lib.unset}
    env.update(lib.env)
    env.setdefault("PYTHONHASHSEED", "0")
    return env


def stream_worker(lib: Library, args: list[str]) -> Iterator[dict[str, Any]]:
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
