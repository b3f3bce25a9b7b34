"""gRPC on loopback: ddl's generated stubs against protoc's, each library in its own processes.

For each library a server process serves ``benches/rpc.proto``'s ``Bench`` service (code made
at run time: ``ddl gen`` for ddl, protoc's ``_pb2``/``_pb2_grpc`` for protobuf with upb), and a
client process times two things on one channel: unary ``Echo`` calls of the medium workload,
one after the other (calls per second), and ``Feed`` streams of 1,000 small messages (messages
per second). The client also times, in its own process, what serialization costs per call
(encode and decode of the request and of the response, which the two ends do between them) and
per streamed message, so the report says how much of the time is the library's and how much is
grpcio's.

Both libraries' servers and clients stay up together, and their samples alternate (one each a
turn, as ``lockstep.py`` times the suite): a burst of other work on the shared machine slows
both libraries' samples alike. Each rate is the median of its samples; the ratio, sample by
sample (``lockstep.paired``). Timed one library after the other, the ratios read 0.69x to
1.37x in runs of one build where serialization is under 1.5% of either library's time.

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
import statistics
import subprocess
import tempfile
import time
import timeit
from collections.abc import Iterator, Sequence
from concurrent import futures
from types import ModuleType
from typing import Any

from benches import workloads
from benches.lockstep import paired

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


def sample_rate(run: Any, count: int) -> float:
    """One sample: ``count`` per second over one call of ``run``."""
    start = time.perf_counter()
    run()
    return count / (time.perf_counter() - start)


def per_call(fn: Any) -> float:
    """Microseconds per call of ``fn``, the best of a few timeit repeats."""
    n = 2000
    return min(timeit.repeat(fn, number=n, repeat=5)) / n * 1e6


def client(lib: str, folder: Path, port: int) -> None:
    """Answer the runner's commands, a line each on stdin, with a JSON line each on stdout:
    ``unary`` and ``stream`` take one sample of their rate (a first Echo and Feed, checked and
    not timed, warm the channel), ``costs`` gives the serialization costs; end of input ends
    the client."""
    import grpc

    side = Side(lib, folder)
    medium, small = side.build("medium"), side.build("small")
    small.count = STREAM
    encode, decode = side.codec(medium)
    encode_small, decode_small = side.codec(small)
    medium_bytes, small_bytes = encode(medium), encode_small(small)
    calls = 200
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = side.rpc.BenchStub(channel)
        assert stub.Echo(medium) == medium
        assert sum(1 for _ in stub.Feed(small)) == STREAM
        samplers = {
            "unary": lambda: sample_rate(lambda: [stub.Echo(medium) for _ in range(calls)], calls),
            "stream": lambda: sample_rate(lambda: sum(1 for _ in stub.Feed(small)), STREAM),
        }
        for line in sys.stdin:
            command = line.strip()
            if command == "costs":
                echo = per_call(lambda: encode(medium)) + per_call(lambda: decode(medium_bytes))
                answer = {
                    # Each end encodes one message and decodes the other: two of each per echo.
                    "unary_serialization_us": 2 * echo,
                    "stream_serialization_us": per_call(lambda: encode_small(small))
                    + per_call(lambda: decode_small(small_bytes)),
                }
            else:
                answer = {"rate": samplers[command]()}
            print(json.dumps(answer), flush=True)


class _Peer:
    """One library's server and client processes, up until ``close``."""

    def __init__(self, lib: str, folder: Path) -> None:
        me = [sys.executable, "-m", "benches.grpc_bench"]
        cwd = str(BENCHES.parent)
        env = {**os.environ, "PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION": "upb"}
        generate(lib, folder)
        self.lib = lib
        self.server = subprocess.Popen(
            [*me, "--serve", lib, "--folder", str(folder)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True, cwd=cwd, env=env,
        )  # fmt: skip
        self.client: subprocess.Popen[str] | None = None
        self.errors = folder / "client.stderr"  # a file: a pipe nobody reads could fill and stall it
        try:
            assert self.server.stdout is not None
            port = int(self.server.stdout.readline())
            with self.errors.open("w") as errors:
                self.client = subprocess.Popen(
                    [*me, "--client", lib, "--folder", str(folder), "--port", str(port)], stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE, stderr=errors, text=True, cwd=cwd, env=env,
                )  # fmt: skip
        except BaseException:
            self.close()
            raise

    def ask(self, command: str) -> dict[str, float]:
        """The client's answer to ``command``; RuntimeError with its output when it died."""
        assert self.client is not None and self.client.stdin is not None and self.client.stdout is not None
        try:
            self.client.stdin.write(command + "\n")
            self.client.stdin.flush()
            line = self.client.stdout.readline()
        except BrokenPipeError:
            line = ""
        if not line:
            self.client.wait(timeout=60)
            raise RuntimeError(f"the gRPC benchmark client of {self.lib} failed:\n{self.errors.read_text()}")
        answer: dict[str, float] = json.loads(line)
        return answer

    def close(self) -> None:
        for proc in (self.client, self.server):
            if proc is not None and proc.stdin is not None:
                proc.stdin.close()
        for proc in (self.client, self.server):
            if proc is not None:
                proc.wait(timeout=60)


def run_all(seconds: float, libs: Sequence[str] = LIBS) -> dict[str, dict[str, float]]:
    """Every library's figures, their samples taken in turns for about ``seconds`` per library
    and operation (3 turns at least): rates (medians), serialization costs, and in ddl's, its
    rate over protobuf's sample by sample (``unary_ratio``, ``stream_ratio``)."""
    with tempfile.TemporaryDirectory(prefix="ddl-grpc-bench-") as tmp:
        peers: list[_Peer] = []
        try:
            for lib in libs:
                peers.append(_Peer(lib, Path(tmp) / lib))
            results = {peer.lib: peer.ask("costs") for peer in peers}
            for op, key in (("unary", "unary_calls_per_s"), ("stream", "stream_messages_per_s")):
                taken: dict[str, list[tuple[int, float]]] = {peer.lib: [] for peer in peers}  # (place, s a call)
                deadline = time.perf_counter() + seconds * len(peers)
                turn = at = 0
                while turn < 3 or time.perf_counter() < deadline:
                    first = turn % len(peers)
                    for peer in peers[first:] + peers[:first]:
                        taken[peer.lib].append((at, 1 / peer.ask(op)["rate"]))
                        at += 1
                    turn += 1
                for lib, samples in taken.items():
                    results[lib][key] = statistics.median(1 / t for _, t in samples)
                if "ddl" in taken and "protobuf" in taken:
                    results["ddl"][f"{op}_ratio"] = paired(taken, "ddl")["protobuf"]["ratio"]
        finally:
            for peer in peers:
                peer.close()
    return results


def format_grpc(results: dict[str, dict[str, float]], markdown: bool = False) -> str:
    """The gRPC table: rates (medians), ddl's ratio to protobuf's (sample by sample), and
    serialization's share of the time."""
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
                f"{results['ddl'][f'{key}_ratio']:.2f}x",
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
        client(args.client, args.folder, args.port)
    else:
        print(format_grpc(run_all(args.seconds), args.markdown))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
