"""``make conformance``: regenerate the testee's classes, run protobuf's suite on each engine, count.

Usage: ``python conformance/run.py DIR``, where DIR is the folder that
``../shared/tools/conformance-runner`` prints (the runner binary and the .proto files).

The runner's own summary counts every test together; with ``--verbose`` it names each test it
runs, so the counts are also split here by level (Required, Recommended), message (Proto3, Proto2)
and format (binary, JSON, text format). There is no failure list: every test must pass. Each
engine's full log and the runner's ``failing_tests.txt`` (one test name per line) go to
``build/conformance/ENGINE/``.

Example::

    DIR=$(bash ../shared/tools/conformance-runner) && .venv/bin/python conformance/run.py "$DIR"
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GENERATED = HERE / "generated"
# The .proto files the testee's classes come from, inside the runner's src/ folder.
PROTOS = [
    "conformance.proto",
    "google/protobuf/test_messages_proto3.proto",
    "google/protobuf/test_messages_proto2.proto",
]
# Each engine (as ddl.engine() names it, which the testee reports) and the environment that selects it.
ENGINES = [("cython", {}), ("python", {"DDL_PURE_PYTHON": "1"})]
# The rows of the report: the binary tests by level and message, then the other formats.
ROWS = [f"{level} {proto} binary" for proto in ("Proto3", "Proto2") for level in ("Required", "Recommended")]
ROWS += ["JSON", "text format"]

sys.path.insert(0, str(ROOT))

from ddl._proto._gen import GenFailures, generate  # noqa: E402 - the checkout's ddl, put on the path above


def generate_classes(src: Path, out: Path) -> list[str]:
    """``ddl gen`` of the suite's files into ``out`` (emptied first); returns its notes and failures."""
    shutil.rmtree(out, ignore_errors=True)
    try:
        return generate([src / p for p in PROTOS], [src], out).notes
    except GenFailures as exc:
        return exc.generated.notes + [f"error: {e}" for e in exc.errors]


def row_of(test: str) -> str:
    """The report row of a test name, such as Required.Proto3.ProtobufInput.X.ProtobufOutput."""
    if "TextFormat" in test:
        return "text format"
    if ".JsonInput." in test or test.endswith(".JsonOutput"):
        return "JSON"
    level, proto = test.split(".")[:2]
    return f"{level} {proto} binary"


def run_engine(runner: Path, name: str, env: dict[str, str]) -> tuple[bool, str]:
    """Run the suite on one engine; returns whether the runner passed, and the report to print."""
    out = ROOT / "build" / "conformance" / name
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    argv = [str(runner), "--enforce_recommended", "--verbose", "--output_dir", str(out), str(HERE / "testee-program")]
    done = subprocess.run(
        argv, env={**os.environ, "PYTHON": sys.executable, **env}, capture_output=True, text=True, check=False
    )
    log = done.stdout + done.stderr
    (out / "runner.log").write_text(log)
    if f"ddl conformance testee: {name} engine" not in log:
        return False, f"the testee did not run on the {name} engine (is it built?); see {out / 'runner.log'}"
    tests = [t for t in re.findall(r"^conformance test: name=([^,]*),", log, re.MULTILINE) if t != "FindFailures"]
    skipped = set(re.findall(r"^SKIPPED, test=(\S+) ", log, re.MULTILINE))
    failing = out / "failing_tests.txt"
    failed = set(failing.read_text().split()) if failing.exists() else set()
    counts: Counter[tuple[str, str]] = Counter()
    for test in tests:
        state = "failed" if test in failed else "skipped" if test in skipped else "passed"
        counts[row_of(test), state] += 1
    selected = "".join(f" ({k}={v})" for k, v in env.items())
    lines = [f"== {name} engine{selected} ==", *re.findall(r"^CONFORMANCE SUITE .*$", log, re.MULTILINE)]
    if len(lines) == 2:
        lines.append("(the runner skips its text-format suite once the first suite has failed)")
    lines.append(f"{'':30}{'passed':>8}{'failed':>8}{'skipped':>8}")
    for row in ROWS:
        states = ("passed", "failed", "skipped")
        lines.append(f"{row:30}" + "".join(f"{counts[row, what]:8}" for what in states))
    if failed:
        lines.append(f"failed ({failing}):")
        lines += [f"  {t}" for t in sorted(failed)]
    return done.returncode == 0, "\n".join(lines)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    folder = Path(argv[0])
    for note in generate_classes(folder / "src", GENERATED):
        print(f"ddl gen: {note}")
    ok = True
    for name, env in ENGINES:
        passed, report = run_engine(folder / "runner", name, env)
        ok &= passed
        print(f"\n{report}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
