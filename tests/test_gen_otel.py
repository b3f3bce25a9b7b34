"""``ddl gen --from-module`` on a real-world package of ``_pb2`` modules: OpenTelemetry's collector
protocol (opentelemetry-proto, of the dev extra; the tests skip without it). Its generated
modules pass mypy and ruff, and read and write the bytes Google's runtime writes.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ddl._proto._gen import Generated, generate_from_modules
from tests.conftest import FIXTURE_SAFE, Engine
from tests.pb_fill import fill
from tests.test_gen import mypy_strict, ruff_check

common_pb2 = pytest.importorskip("opentelemetry.proto.common.v1.common_pb2", reason="needs opentelemetry-proto")
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2  # noqa: E402
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2  # noqa: E402
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2  # noqa: E402
from opentelemetry.proto.logs.v1 import logs_pb2  # noqa: E402
from opentelemetry.proto.metrics.v1 import metrics_pb2  # noqa: E402
from opentelemetry.proto.resource.v1 import resource_pb2  # noqa: E402
from opentelemetry.proto.trace.v1 import trace_pb2  # noqa: E402

COLLECTOR = [f"opentelemetry.proto.collector.{s}.v1.{s}_service_pb2" for s in ("trace", "metrics", "logs")]
OTEL = "opentelemetry/proto"


@pytest.fixture(scope="module")
def otel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Generated, dict[str, ModuleType]]]:
    """The collector's three services generated from their _pb2 modules, and the ddl modules imported.

    The output folders get ``__init__.py`` files (``init_files``), so that with ``out`` first on
    sys.path its ``opentelemetry`` package comes before the installed one, whose
    ``opentelemetry.proto`` is a regular package that would hide namespace folders. The installed
    modules are put back afterwards; the _pb2 classes above stay usable meanwhile.
    """
    out = tmp_path_factory.mktemp("otel")
    result = generate_from_modules(COLLECTOR, out, init_files=True)
    installed = {name: sys.modules.pop(name) for name in list(sys.modules) if name.partition(".")[0] == "opentelemetry"}
    sys.path.insert(0, str(out))
    try:
        names = [n.removesuffix("_pb2") + "_ddl" for n in COLLECTOR] + [
            f"opentelemetry.proto.{kind}.v1.{kind}_ddl" for kind in ("common", "resource", "trace", "metrics", "logs")
        ]
        yield (
            out,
            result,
            {name.rsplit(".", 1)[-1].removesuffix("_ddl"): importlib.import_module(name) for name in names},
        )
    finally:
        sys.path.remove(str(out))
        for name in [n for n in sys.modules if n.partition(".")[0] == "opentelemetry"]:
            del sys.modules[name]
        sys.modules.update(installed)


def test_from_module_generates_the_modules_files_and_every_file_they_import(
    otel: tuple[Path, Generated, dict[str, ModuleType]],
) -> None:
    out, result, _ = otel
    assert [p.relative_to(out).as_posix() for p in result.paths] == [
        f"{OTEL}/collector/trace/v1/trace_service_ddl.py",
        f"{OTEL}/collector/trace/v1/trace_service_ddl_grpc.py",  # the collector's service
        f"{OTEL}/collector/metrics/v1/metrics_service_ddl.py",
        f"{OTEL}/collector/metrics/v1/metrics_service_ddl_grpc.py",  # the collector's service
        f"{OTEL}/collector/logs/v1/logs_service_ddl.py",
        f"{OTEL}/collector/logs/v1/logs_service_ddl_grpc.py",  # the collector's service
        f"{OTEL}/common/v1/common_ddl.py",  # then the files they import, each after its own imports
        f"{OTEL}/resource/v1/resource_ddl.py",
        f"{OTEL}/trace/v1/trace_ddl.py",
        f"{OTEL}/metrics/v1/metrics_ddl.py",
        f"{OTEL}/logs/v1/logs_ddl.py",
    ]
    assert result.notes == []


def test_otel_modules_pass_mypy_strict_and_ruff_with_this_projects_rules(
    otel: tuple[Path, Generated, dict[str, ModuleType]],
) -> None:
    out = otel[0]
    mypy = mypy_strict(out, "opentelemetry")
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr
    ruff = ruff_check(out)
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr


def _attributes() -> list[Any]:
    """One attribute of each AnyValue kind, arrays and key-value lists nesting others."""
    value = common_pb2.AnyValue
    nested = common_pb2.KeyValueList(values=[common_pb2.KeyValue(key="inner", value=value(int_value=-1))])
    kinds = {
        "string": value(string_value="GET /orders"),
        "bool": value(bool_value=False),  # set to its zero, which is not an unset member
        "int": value(int_value=-(2**63)),
        "double": value(double_value=0.25),
        "array": value(array_value=common_pb2.ArrayValue(values=[value(string_value="a"), value(bool_value=True)])),
        "kvlist": value(kvlist_value=nested),
        "bytes": value(bytes_value=b"\x00\xff"),
        "empty": value(),  # no member set
    }
    return [common_pb2.KeyValue(key=key, value=v) for key, v in kinds.items()]


def _trace_request() -> trace_service_pb2.ExportTraceServiceRequest:
    span = trace_pb2.Span(
        trace_id=bytes(range(16)), span_id=b"\x01" * 8, parent_span_id=b"\x02" * 8, trace_state="k=v",
        name="checkout", kind=trace_pb2.Span.SPAN_KIND_SERVER, flags=0x301,
        start_time_unix_nano=1_700_000_000_000_000_000, end_time_unix_nano=2**64 - 1,
        attributes=_attributes(), dropped_attributes_count=3,
        events=[trace_pb2.Span.Event(time_unix_nano=5, name="retry", attributes=_attributes()[:2])],
        links=[trace_pb2.Span.Link(trace_id=b"\x03" * 16, span_id=b"\x04" * 8, attributes=_attributes()[5:], flags=1)],
        status=trace_pb2.Status(code=trace_pb2.Status.STATUS_CODE_ERROR, message="timeout"),
    )  # fmt: skip
    scope = common_pb2.InstrumentationScope(name="shop", version="1.2", attributes=_attributes()[:1])
    resource = resource_pb2.Resource(attributes=_attributes(), dropped_attributes_count=1)
    spans = trace_pb2.ResourceSpans(
        resource=resource,
        scope_spans=[trace_pb2.ScopeSpans(scope=scope, spans=[span, trace_pb2.Span(name="empty")], schema_url="s")],
        schema_url="https://opentelemetry.io/schemas/1.21.0",
    )
    return trace_service_pb2.ExportTraceServiceRequest(resource_spans=[spans, trace_pb2.ResourceSpans()])


def test_a_trace_export_filled_by_protobuf_reads_and_writes_back_the_same_bytes(
    otel: tuple[Path, Generated, dict[str, ModuleType]], engine: Engine
) -> None:
    original = _trace_request()
    wire = original.SerializeToString(deterministic=True)
    value = engine.decode(wire, otel[2]["trace_service"].ExportTraceServiceRequest)
    span = value.resource_spans[0].scope_spans[0].spans[0]
    assert (span.name, span.end_time_unix_nano, span.links[0].flags) == ("checkout", 2**64 - 1, 1)
    values = {kv.key: kv.value for kv in span.attributes}
    assert (values["bool"].bool_value, values["int"].int_value, values["bytes"].bytes_value) == (
        False,
        -(2**63),
        b"\0\xff",
    )
    assert values["kvlist"].kvlist_value.values[0].value.int_value == -1
    again = engine.encode(value)
    assert again == wire
    assert trace_service_pb2.ExportTraceServiceRequest.FromString(again) == original


# The messages below a collector request whose every field pb_fill reaches within its depth.
FILLED = [
    ("trace", trace_pb2.Span), ("metrics", metrics_pb2.Metric), ("logs", logs_pb2.LogRecord),
    ("common", common_pb2.AnyValue), ("resource", resource_pb2.Resource),
    ("metrics_service", metrics_service_pb2.ExportMetricsServiceResponse),
    ("logs_service", logs_service_pb2.ExportLogsServiceResponse),
]  # fmt: skip


@pytest.mark.parametrize(("module", "pb_cls"), FILLED, ids=[c.DESCRIPTOR.name for _, c in FILLED])
@FIXTURE_SAFE
@given(data=st.data())
def test_otel_messages_filled_at_random_read_and_write_back_the_same_bytes(
    otel: tuple[Path, Generated, dict[str, ModuleType]], engine: Engine, module: str, pb_cls: Any, data: st.DataObject
) -> None:
    original = fill(pb_cls(), data)
    wire = original.SerializeToString(deterministic=True)
    again = engine.encode(engine.decode(wire, getattr(otel[2][module], pb_cls.DESCRIPTOR.name)))
    assert again == wire
    assert pb_cls.FromString(again) == original
