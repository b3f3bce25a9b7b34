"""gRPC on loopback: ddl's generated stubs against protoc's, each library in its own processes.

For each library a server process serves ``benches/rpc.proto``'s ``Bench`` service (code made
at run time: ``ddl gen`` for ddl, protoc's ``_pb2``/``_pb2_grpc`` for protobuf with upb), and a
client process times two things on one channel: unary ``Echo`` calls of the medium workload,
one after the other (calls per second), and ``Feed`` streams of 1,000 small messages (messages
per second). The client also times, in its own process, what serialization costs per call
(encode and decode of the request and of the response, which the two ends do between them) and
per streamed message, so the report says how much of the time is the library's and how much is
grpcio's.

    python -m benches.grpc_bench            # the table, both libraries
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__" and not __package__:  # run as a script: make `benches` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import importlib
import json
import os
import shutil
import subprocess
import tempfile
import time
import timeit
from collections.abc import Iterator
from concurrent import futures
from types import ModuleType
from typing import Any

from benches import workloads

BENCHES = Path(__file__).resolve().parent
LIBS = ("ddl", "protobuf")
STREAM = 1000  # messages a Feed call streams


def generate(lib: str, out: Path) -> None:
    """The library's code for bench.proto and rpc.proto, in ``out/ddlbench/``."""
    src = out / "src" / "ddlbench"
    src.mkdir(parents=True)
    for name in ("bench.proto", "rpc.proto"):
        shutil.copyfile(BENCHES / name, src / name)
    files = [src / "bench.proto", src / "rpc.proto"]
    if lib == "ddl":
        from ddl._proto._gen import generate as ddl_gen

        ddl_gen(files, [out / "src"], out)
    else:
        from grpc_tools import protoc

        from benches.adapters._protoc import well_known_include

        args = [
            "protoc", f"-I{out / 'src'}", well_known_include(), f"--python_out={out}", f"--grpc_python_out={out}",
            *map(str, files),
        ]  # fmt: skip
        if protoc.main(args) != 0:
            raise RuntimeError("protoc failed on rpc.proto")


class Side:
    """One library's messages, stub and servicer base, imported from generated code."""

    def __init__(self, lib: str, folder: Path) -> None:
        sys.path.insert(0, str(folder))
        self.lib = lib
        suffix = "ddl" if lib == "ddl" else "pb2"
        self.msgs: ModuleType = importlib.import_module(f"ddlbench.bench_{suffix}")
        self.rpc: ModuleType = importlib.import_module(f"ddlbench.rpc_{suffix}_grpc")

    def build(self, name: str) -> Any:
        """The message of the workload ``name`` (``medium`` or ``small``)."""
        data = workloads.build(name)
        cls = getattr(self.msgs, name.capitalize())
        if self.lib == "ddl":
            import ddl

            return ddl.from_dict(data, cls)
        from google.protobuf import json_format

        return json_format.ParseDict(data, cls())

    def codec(self, msg: Any) -> tuple[Any, Any]:
        """The library's own encode and decode of ``msg``'s class, as its stubs call them."""
        if self.lib == "ddl":
            import ddl

            return ddl.encode, ddl.Decoder(type(msg)).decode
        return type(msg).SerializeToString, type(msg).FromString


def serve(lib: str, folder: Path) -> None:
    import grpc

    side = Side(lib, folder)

    class Servicer(side.rpc.BenchServicer):  # type: ignore[name-defined,misc]
        def Echo(self, request: Any, context: Any) -> Any:
            return request

        def Feed(self, request: Any, context: Any) -> Iterator[Any]:
            for _ in range(request.count):
                yield request

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    side.rpc.add_BenchServicer_to_server(Servicer(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)
    sys.stdin.read()  # until the runner closes it
    server.stop(None)


def best_rate(run: Any, count: int, seconds: float) -> float:
    """The best rate (``count`` per run of ``run``) over samples of about ``seconds`` in all."""
    run()  # warm: connections, first compilations
    rates: list[float] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(rates) < 3:
        start = time.perf_counter()
        run()
        rates.append(count / (time.perf_counter() - start))
    return max(rates)


def per_call(fn: Any) -> float:
    """Microseconds per call of ``fn``, the best of a few timeit repeats."""
    n = 2000
    return min(timeit.repeat(fn, number=n, repeat=5)) / n * 1e6


def client(lib: str, folder: Path, port: int, seconds: float) -> dict[str, float]:
    import grpc

    side = Side(lib, folder)
    medium, small = side.build("medium"), side.build("small")
    small.count = STREAM
    encode, decode = side.codec(medium)
    encode_small, decode_small = side.codec(small)
    medium_bytes, small_bytes = encode(medium), encode_small(small)
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = side.rpc.BenchStub(channel)
        assert stub.Echo(medium) == medium
        assert sum(1 for _ in stub.Feed(small)) == STREAM
        calls = 200
        unary = best_rate(lambda: [stub.Echo(medium) for _ in range(calls)], calls, seconds)
        stream = best_rate(lambda: sum(1 for _ in stub.Feed(small)), STREAM, seconds)
    return {
        "unary_calls_per_s": unary,
        "stream_messages_per_s": stream,
        # Each end encodes one message and decodes the other: two of each per echo.
        "unary_serialization_us": 2 * (per_call(lambda: encode(medium)) + per_call(lambda: decode(medium_bytes))),
        "stream_serialization_us": per_call(lambda: encode_small(small)) + per_call(lambda: decode_small(small_bytes)),
    }


def measure(lib: str, seconds: float) -> dict[str, float]:
    """Start a server for ``lib``, time it from a client process, stop it."""
    env = {**os.environ, "PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION": "upb"}
    with tempfile.TemporaryDirectory(prefix=f"ddl-grpc-bench-{lib}-") as tmp:
        generate(lib, Path(tmp))
        me = [sys.executable, "-m", "benches.grpc_bench"]
        cwd = str(BENCHES.parent)
        server = subprocess.Popen(
            [*me, "--serve", lib, "--folder", tmp], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            cwd=cwd, env=env,
        )  # fmt: skip
        try:
            assert server.stdout is not None
            port = int(server.stdout.readline())
            done = subprocess.run(
                [*me, "--client", lib, "--folder", tmp, "--port", str(port), "--seconds", str(seconds)],
                capture_output=True, text=True, cwd=cwd, env=env, check=False,
            )  # fmt: skip
        finally:
            assert server.stdin is not None
            server.stdin.close()
            server.wait(timeout=60)
        if done.returncode != 0:
            raise RuntimeError(f"the gRPC benchmark client of {lib} failed:\n{done.stderr}")
        result: dict[str, float] = json.loads(done.stdout.splitlines()[-1])
        return result


def run_all(seconds: float) -> dict[str, dict[str, float]]:
    """Every library's figures, measured one library at a time."""
    return {lib: measure(lib, seconds) for lib in LIBS}


def format_grpc(results: dict[str, dict[str, float]], markdown: bool = False) -> str:
    """The gRPC table: rates, ddl's ratio to protobuf's, and serialization's share of the time."""
    rows = []
    for key, label, unit in (
        ("unary", "unary Echo of medium", "calls/s"),
        ("stream", f"Feed: a stream of {STREAM} small", "messages/s"),
    ):
        rate = {lib: results[lib][f"{key}_calls_per_s" if key == "unary" else f"{key}_messages_per_s"] for lib in LIBS}
        share = {lib: results[lib][f"{key}_serialization_us"] * rate[lib] / 1e4 for lib in LIBS}
        rows.append(
            [
                label,
                f"{rate['ddl']:,.0f} {unit}",
                f"{rate['protobuf']:,.0f} {unit}",
                f"{rate['ddl'] / rate['protobuf']:.2f}x",
                f"{share['ddl']:.1f}% / {share['protobuf']:.1f}%",
            ]
        )
    head = ["gRPC on loopback", "ddl", "protobuf (upb)", "ddl ÷ protobuf", "serialization share (ddl / protobuf)"]
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in [head, *rows])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--serve", choices=LIBS)
    parser.add_argument("--client", choices=LIBS)
    parser.add_argument("--folder", type=Path)
    parser.add_argument("--port", type=int)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve, args.folder)
    elif args.client:
        print(json.dumps(client(args.client, args.folder, args.port, args.seconds)))
    else:
        print(format_grpc(run_all(args.seconds), args.markdown))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
