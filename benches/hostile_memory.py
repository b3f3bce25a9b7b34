"""The hostile-memory benchmark: peak memory of decoding small inputs that make many objects.

Each case is a few MB of input built to make as many Python objects per byte as it can (a
million empty sub-messages, ten million packed varints, ...). Every (library, case) pair runs
in a fresh process, which reports the growth of its peak RSS across one ``decode`` (so C arenas
count as well as Python objects); the decoded object is kept alive until then. On Linux the
peak (``VmHWM``) is reset just before the decode and compared with the RSS then, so memory the
process freed earlier (imports, schema compilation) cannot hide part of the growth, as it does
for ``ru_maxrss``; elsewhere ``ru_maxrss`` growth is the fallback.
The libraries: ddl (compiled engine), ddl-python, protobuf-upb (schemas from hostile.proto) and
msgspec, which reads MessagePack of the same structure (array-like Structs, where an absent
field is a short array and an unknown field an extra element).

Run only this benchmark with ``python -m benches.hostile_memory [--quick]``; ``ddl bench``
runs it after the memory benchmark (``--no-memory`` skips both).
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__" and not __package__:  # run as a script: make `benches` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import gc
import resource
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from benches.adapters import library
from benches.processes import emit, load_in_worker, stream_worker

PROTO = Path(__file__).resolve().with_name("hostile.proto")
LIBS = ("ddl", "ddl-python", "protobuf-upb", "msgspec")
DEPTH = 60  # levels per chain in the "deep" case, under every library's nesting limit


def _varint(n: int) -> bytes:
    out = bytearray()
    while n >= 0x80:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _field(body: bytes) -> bytes:
    """Field 1, length-delimited."""
    return b"\x0a" + _varint(len(body)) + body


def _packed_values(n: int) -> list[int]:
    """n values of two varint bytes each (128..16383), cycling."""
    return [128 + i % (16384 - 128) for i in range(n)]


def _chain(depth: int) -> bytes:
    body = b""
    for _ in range(depth - 1):
        body = _field(body)
    return body


def _msgpack_chain(depth: int) -> bytes:
    """A Node of ``depth`` levels as msgpack: [[children]] down to []."""
    return b"\x91\x91" * (depth - 1) + b"\x91\x90"


def _msgpack_array(n: int) -> bytes:
    return b"\xdd" + n.to_bytes(4, "big")


@dataclass(frozen=True)
class Case:
    what: str
    #: full-size count of items (elements, nodes, entries)
    count: int
    message: str  # the outer message of hostile.proto (and the ddl and msgspec classes)
    protobuf: Callable[[int], bytes]
    msgpack: Callable[[int], bytes]
    #: the item count of a decoded object
    size: Callable[[Any], int]


def _count_nodes(node: Any) -> int:
    total, stack = 0, [node]
    while stack:
        n = stack.pop()
        total += 1
        stack.extend(n.children)
    return total - 1  # the root is not an item


CASES: dict[str, Case] = {
    "empty": Case(
        "repeated empty sub-messages (2 bytes each)",
        1_000_000,
        "Empties",
        lambda n: b"\x0a\x00" * n,
        lambda n: b"\x91" + _msgpack_array(n) + b"\x90" * n,
        lambda o: len(o.items),
    ),
    "wide": Case(
        "repeated sub-messages of 11 fields (2 lists, a map, 2 messages), all absent",
        1_000_000,
        "Wides",
        lambda n: b"\x0a\x00" * n,
        lambda n: b"\x91" + _msgpack_array(n) + b"\x90" * n,
        lambda o: len(o.items),
    ),
    "frozen": Case(
        "the same as wide for a frozen class holding tuples and frozen messages, without the map",
        1_000_000,
        "Frozens",
        lambda n: b"\x0a\x00" * n,
        lambda n: b"\x91" + _msgpack_array(n) + b"\x90" * n,
        lambda o: len(o.items),
    ),
    "packed": Case(
        "packed int64, 2-byte varints (128..16383)",
        10_000_000,
        "Packed",
        lambda n: _packed_protobuf(n),
        lambda n: _packed_msgpack(n),
        lambda o: len(o.values),
    ),
    "deep": Case(
        f"chains of {DEPTH} nested messages (repeated Node children)",
        1_000_020,
        "Node",
        lambda n: _field(_chain(DEPTH)) * (n // DEPTH),
        lambda n: b"\x91" + _msgpack_array(n // DEPTH) + _msgpack_chain(DEPTH) * (n // DEPTH),
        _count_nodes,
    ),
    "map": Case(
        "map<int32, Inner> entries with a key and no value",
        1_000_000,
        "EmptyMap",
        lambda n: b"".join(_field(b"\x08" + _varint(k)) for k in range(n)),
        lambda n: _map_msgpack(n),
        lambda o: len(o.entries),
    ),
    "unknown": Case(
        "repeated sub-messages holding one unknown varint field (4 bytes each)",
        1_000_000,
        "Knowns",
        lambda n: b"\x0a\x02\x10\x01" * n,
        lambda n: b"\x91" + _msgpack_array(n) + b"\x92\x00\x01" * n,
        lambda o: len(o.items),
    ),
}


def _packed_protobuf(n: int) -> bytes:
    cycle = b"".join(_varint(v) for v in range(128, 16384))  # the values of _packed_values
    whole, rest = divmod(n, 16384 - 128)
    return _field(cycle * whole + cycle[: 2 * rest])


def _packed_msgpack(n: int) -> bytes:
    import msgspec

    return msgspec.msgpack.encode([_packed_values(n)])


def _map_msgpack(n: int) -> bytes:
    import msgspec

    return msgspec.msgpack.encode([{k: msgspec.Raw(b"\x90") for k in range(n)}])


# ---------------------------------------------------------------------------------------------
# The decoders; each library's schemas are imported only in its own worker process.


def _decoder(lib: str, message: str) -> Callable[[bytes], Any]:
    if lib.startswith("ddl"):
        import ddl
        from benches import hostile_schemas

        return ddl.Decoder(getattr(hostile_schemas, message)).decode
    if lib == "msgspec":
        import msgspec

        from benches import hostile_schemas_msgspec

        return msgspec.msgpack.Decoder(getattr(hostile_schemas_msgspec, message)).decode
    from benches.adapters import _protoc

    return getattr(_protoc.load("google", PROTO), message).FromString  # type: ignore[no-any-return]


def _status_kb(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def _reset_peak() -> int:
    """The current RSS in bytes, with the peak reset to it (Linux); else the peak so far."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return _status_kb("VmRSS") * 1024
    except (OSError, KeyError):
        return _peak()


def _peak() -> int:
    """The peak RSS in bytes (since the last reset)."""
    try:
        return _status_kb("VmHWM") * 1024
    except (OSError, KeyError):
        unit = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: KiB on Linux, bytes on macOS
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * unit


def hostile_worker(name: str, case_name: str, payload: Path) -> int:
    """Peak RSS growth of decoding ``payload`` (case ``case_name``) in this fresh process."""
    if load_in_worker(name) is None:
        return 0
    case = CASES[case_name]
    decode = _decoder(name, case.message)
    small = case.msgpack(DEPTH) if name == "msgspec" else case.protobuf(DEPTH)
    decode(small)  # compile and import everything first
    data = payload.read_bytes()
    gc.collect()
    base = _reset_peak()
    t0 = time.perf_counter()
    obj = decode(data)
    seconds = time.perf_counter() - t0
    peak = _peak()
    emit("hostile", peak_mb=(peak - base) / 1e6, decode_s=seconds, payload_mb=len(data) / 1e6, items=case.size(obj))
    return 0


# ---------------------------------------------------------------------------------------------
# The runner.


def run_cases(libs: list[str], cases: list[str], quick: bool) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(case, library, result) for every pair, each in a fresh process; a result holds
    ``peak_mb``, ``payload_mb``, ``per_mb``, ``decode_s`` and ``items``, or ``error``."""
    with tempfile.TemporaryDirectory(prefix="ddl-hostile-") as tmp:
        for case_name in cases:
            case = CASES[case_name]
            n = case.count // 10 if quick else case.count
            files = {}
            for wire, make in (("protobuf", case.protobuf), ("msgpack", case.msgpack)):
                files[wire] = Path(tmp) / f"{case_name}.{wire}"
                files[wire].write_bytes(make(n))
            for lib_name in libs:
                path = files["msgpack" if lib_name == "msgspec" else "protobuf"]
                args = ["--hostile-worker", lib_name, "--case", case_name, "--payload", str(path)]
                result: dict[str, Any] = {}
                for ev in stream_worker(library(lib_name), args):
                    if ev["event"] == "hostile":
                        result = {k: v for k, v in ev.items() if k != "event"}
                        result["per_mb"] = result["peak_mb"] / result["payload_mb"]
                    elif ev["event"] in ("skip", "error"):
                        result = {"error": ev["reason"]}
                yield case_name, lib_name, result


def format_hostile(results: dict[str, dict[str, dict[str, Any]]], libs: list[str], markdown: bool) -> str:
    """The table: one row per case, peak MB and MB per MB of input for every library."""
    header = ["case", "items"] + [f"{lib} MB (per MB in)" for lib in libs]
    rows = []
    for case_name, by_lib in results.items():
        items = next((r["items"] for r in by_lib.values() if "items" in r), 0)
        row = [case_name, f"{items:,}"]
        for lib in libs:
            r = by_lib.get(lib, {})
            row.append(f"{r['peak_mb']:,.0f} ({r['per_mb']:.1f})" if "peak_mb" in r else "—")
        rows.append(row)
    intro = "Peak RSS growth of one decode (fresh process each); (N.N) = MB per MB of that library's input."
    if markdown:
        lines = [intro, "", "| " + " | ".join(header) + " |", "|" + "|".join(["---"] * 2 + ["---:"] * len(libs)) + "|"]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
    else:
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

        def cells(row: list[str]) -> str:
            padded = (c.rjust(w) if i > 1 else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))
            return "  ".join(padded)

        lines = [intro, cells(header), *(cells(r) for r in rows)]
    sizes = {c: {lib: r.get("payload_mb") for lib, r in by.items()} for c, by in results.items()}
    lines.append("")
    lines.append(
        "Inputs (MB, protobuf / msgpack): "
        + ", ".join(
            f"{c} {s.get('ddl') or s.get('protobuf-upb') or 0:.1f} / {s.get('msgspec') or 0:.1f}"
            for c, s in sizes.items()
        )
    )
    errors = [f"{lib} {c}: {r['error']}" for c, by in results.items() for lib, r in by.items() if "error" in r]
    lines += ["Notes:", *errors] if errors else []
    for c in results:
        lines.append(f"  {c}: {CASES[c].what}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benches.hostile_memory", description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="a tenth of each input")
    p.add_argument("--libs", default=",".join(LIBS), metavar="A,B", help="libraries (default: %(default)s)")
    p.add_argument("--cases", default=",".join(CASES), metavar="A,B", help="cases (default: %(default)s)")
    p.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = p.parse_args(argv)
    libs, cases = args.libs.split(","), args.cases.split(",")
    for c in cases:
        if c not in CASES:
            raise SystemExit(f"unknown case {c!r}; choose from {', '.join(CASES)}")
    results: dict[str, dict[str, dict[str, Any]]] = {}
    for case_name, lib_name, result in run_cases(libs, cases, args.quick):
        results.setdefault(case_name, {})[lib_name] = result
        print(f"{case_name} {lib_name}: {result}", file=sys.stderr)
    print(format_hostile(results, libs, args.markdown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
