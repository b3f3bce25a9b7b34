"""The gRPC benchmark (benches/grpc_bench.py) runs end to end: servers and clients of both
libraries on loopback, up together, with rates, ddl's paired ratio and serialization costs in
its table."""

from __future__ import annotations

from pathlib import Path

import pytest

from benches.grpc_bench import LIBS, _Peer, format_grpc, run_all


def test_each_library_serves_and_calls_and_the_table_compares_them() -> None:
    results = run_all(seconds=0.05)
    assert sorted(results) == sorted(LIBS)
    for figures in results.values():
        assert figures["unary_calls_per_s"] > 0 and figures["stream_messages_per_s"] > 0
        assert 0 < figures["stream_serialization_us"] < figures["unary_serialization_us"]
    assert results["ddl"]["unary_ratio"] > 0 and results["ddl"]["stream_ratio"] > 0
    assert "unary_ratio" not in results["protobuf"]
    table = format_grpc(results, markdown=True).splitlines()
    assert table[0].startswith("| gRPC on loopback | ddl | protobuf (upb) |")
    assert table[2].startswith("| unary Echo of medium | ") and table[3].startswith("| Feed: a stream of 1000 small | ")
    for row, op in zip(table[2:], ("unary", "stream"), strict=True):
        assert row.split(" | ")[3] == f"{results['ddl'][f'{op}_ratio']:.2f}x"  # the paired ratio


def test_a_client_that_dies_is_a_runtime_error_carrying_its_output(tmp_path: Path) -> None:
    """A client that fails (here, on a command it does not know) is reported with what it
    printed, and its server and client processes end."""
    peer = _Peer("ddl", tmp_path)
    try:
        with pytest.raises(RuntimeError, match=r"the gRPC benchmark client of ddl failed:\n(?s:.*)KeyError: 'bogus'"):
            peer.ask("bogus")
    finally:
        peer.close()
    assert peer.server.returncode == 0 and peer.client is not None and peer.client.returncode != 0
