"""The gRPC benchmark (benches/grpc_bench.py) runs end to end: servers and clients of both
libraries on loopback, with rates and serialization costs in its table."""

from __future__ import annotations

from benches.grpc_bench import LIBS, format_grpc, run_all


def test_each_library_serves_and_calls_and_the_table_compares_them() -> None:
    results = run_all(seconds=0.05)
    assert sorted(results) == sorted(LIBS)
    for figures in results.values():
        assert figures["unary_calls_per_s"] > 0 and figures["stream_messages_per_s"] > 0
        assert 0 < figures["stream_serialization_us"] < figures["unary_serialization_us"]
    table = format_grpc(results, markdown=True).splitlines()
    assert table[0].startswith("| gRPC on loopback | ddl | protobuf (upb) |")
    assert table[2].startswith("| unary Echo of medium | ") and table[3].startswith("| Feed: a stream of 1000 small | ")
