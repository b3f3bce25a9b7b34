"""gRPC with ``ddl gen``'s stubs: real grpcio servers on loopback, ddl on one side and protoc's
own generated code (``_pb2``/``_pb2_grpc``) on the other, both ways, sync and ``grpc.aio``.

``tests/protos/ddlrpc/route.proto`` declares one method of each kind. The servicer logic below
is written once over a module of message classes: ddl's and protobuf's take the same keyword
arguments, so the same behavior serves on either side and each client checks the other's server.
"""

from __future__ import annotations

import asyncio
import importlib
import itertools
import sys
import time
from collections.abc import AsyncIterator, Iterator
from concurrent import futures
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import grpc
import grpc.aio
import pytest
from google.protobuf import empty_pb2
from grpc_tools import protoc

import ddl
import ddl.grpc
from ddl._proto._gen import generate
from ddl._proto._protoc import wkt_include
from tests.test_gen import mypy_strict

PROTOS = Path(__file__).parent / "protos"
ROUTE = PROTOS / "ddlrpc/route.proto"
LIMIT = 4 * 1024 * 1024  # grpcio's default largest message a channel receives
SLOW, MISSING, BIG = 999, 404, 4  # latitudes the servicers treat specially
NAME_AND_POINT = 2 + len(f"f{BIG},") + 10 + 2 + 4  # the bytes of a big reply's other fields, at most


@dataclass
class Side:
    """One implementation of route.proto: its message classes, stubs and servicer bases."""

    name: str
    msgs: ModuleType
    grpc: ModuleType
    stub: Any
    async_stub: Any
    servicer: Any
    async_servicer: Any


@pytest.fixture(scope="module")
def sides(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Side]]:
    out, pb = tmp_path_factory.mktemp("ddl-grpc"), tmp_path_factory.mktemp("pb-grpc")
    generate([ROUTE], [PROTOS], out)
    args = ["protoc", f"-I{PROTOS}", f"-I{wkt_include()}", f"--python_out={pb}", f"--grpc_python_out={pb}", str(ROUTE)]
    assert protoc.main(args) == 0
    sys.path[:0] = [str(out), str(pb)]
    try:
        ours = importlib.import_module("ddlrpc.route_ddl_grpc")
        theirs = importlib.import_module("ddlrpc.route_pb2_grpc")
        yield {
            "ddl": Side(
                "ddl", importlib.import_module("ddlrpc.route_ddl"), ours, ours.RouteGuideStub,
                ours.RouteGuideAsyncStub, ours.RouteGuideServicer, ours.RouteGuideAsyncServicer,
            ),
            "protobuf": Side(
                "protobuf", importlib.import_module("ddlrpc.route_pb2"), theirs, theirs.RouteGuideStub,
                theirs.RouteGuideStub, theirs.RouteGuideServicer, theirs.RouteGuideServicer,
            ),
        }  # fmt: skip
    finally:
        sys.path.remove(str(out))
        sys.path.remove(str(pb))
        for name in [m for m in sys.modules if m.startswith("ddlrpc")]:
            del sys.modules[name]


# --- The behavior, once over either side's messages -----------------------------------------------


def feature(m: ModuleType, point: Any) -> Any:
    blob = b"x" * point.longitude if point.latitude == BIG else b""
    return m.Feature(name=f"f{point.latitude},{point.longitude}", location=point, blob=blob)


def get_feature(m: ModuleType, point: Any, context: Any) -> Any:
    if point.latitude == MISSING:
        context.abort(grpc.StatusCode.NOT_FOUND, f"no feature at {point.latitude}")
    if point.latitude == SLOW:
        time.sleep(2)
    echo = dict(context.invocation_metadata()).get("x-trace", "")
    context.set_trailing_metadata([("x-echo", echo)])
    return feature(m, point)


def features(m: ModuleType, rect: Any) -> Iterator[Any]:
    for lat in range(rect.lo.latitude, rect.hi.latitude):
        yield feature(m, m.Point(latitude=lat, longitude=rect.lo.longitude))


def summary(m: ModuleType, points: list[Any]) -> Any:
    distance = sum(abs(a.latitude - b.latitude) + abs(a.longitude - b.longitude) for a, b in itertools.pairwise(points))
    return m.RouteSummary(point_count=len(points), feature_count=len(points) // 2, distance=distance)


def answer(m: ModuleType, note: Any) -> Any:
    return m.RouteNote(location=note.location, message=note.message.upper())


def sync_servicer(side: Side) -> Any:
    m = side.msgs

    class Servicer(side.servicer):  # type: ignore[name-defined,misc]
        def GetFeature(self, request: Any, context: Any) -> Any:
            return get_feature(m, request, context)

        def ListFeatures(self, request: Any, context: Any) -> Iterator[Any]:
            yield from features(m, request)

        def RecordRoute(self, request_iterator: Iterator[Any], context: Any) -> Any:
            return summary(m, list(request_iterator))

        def RouteChat(self, request_iterator: Iterator[Any], context: Any) -> Iterator[Any]:
            for note in request_iterator:
                yield answer(m, note)

    return Servicer()


def async_servicer(side: Side) -> Any:
    m = side.msgs

    class Servicer(side.async_servicer):  # type: ignore[name-defined,misc]
        async def GetFeature(self, request: Any, context: Any) -> Any:
            if request.latitude == MISSING:
                await context.abort(grpc.StatusCode.NOT_FOUND, f"no feature at {request.latitude}")
            if request.latitude == SLOW:
                await asyncio.sleep(2)
            echo = dict(context.invocation_metadata()).get("x-trace", "")
            context.set_trailing_metadata([("x-echo", echo)])
            return feature(m, request)

        async def ListFeatures(self, request: Any, context: Any) -> AsyncIterator[Any]:
            for reply in features(m, request):
                yield reply

        async def RecordRoute(self, request_iterator: AsyncIterator[Any], context: Any) -> Any:
            return summary(m, [p async for p in request_iterator])

        async def RouteChat(self, request_iterator: AsyncIterator[Any], context: Any) -> AsyncIterator[Any]:
            async for note in request_iterator:
                yield answer(m, note)

    return Servicer()


@contextmanager
def serving(side: Side) -> Iterator[grpc.Channel]:
    """A grpc.server with ``side``'s servicer on a loopback port, and a channel to it."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    side.grpc.add_RouteGuideServicer_to_server(sync_servicer(side), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield channel
    finally:
        server.stop(None)


@asynccontextmanager
async def serving_async(side: Side) -> AsyncIterator[grpc.aio.Channel]:
    server = grpc.aio.server()
    side.grpc.add_RouteGuideServicer_to_server(async_servicer(side), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield channel
    finally:
        await server.stop(None)


PAIRS = [("ddl", "protobuf"), ("protobuf", "ddl"), ("ddl", "ddl")]  # (server, client)


def route(m: ModuleType) -> list[Any]:
    return [m.Point(latitude=i, longitude=-3 * i) for i in range(5)]


def notes(m: ModuleType) -> list[Any]:
    return [m.RouteNote(location=m.Point(latitude=i), message=f"note {i}") for i in range(3)]


# --- Every kind of method, both ways ---------------------------------------------------------------


@pytest.mark.parametrize(("server", "client"), PAIRS)
def test_every_kind_of_method_gives_the_same_values_on_either_side(
    sides: dict[str, Side], server: str, client: str
) -> None:
    c = sides[client].msgs
    with serving(sides[server]) as channel:
        stub = sides[client].stub(channel)
        point = c.Point(latitude=7, longitude=-8)
        assert stub.GetFeature(point) == feature(c, point)
        rect = c.Rectangle(lo=c.Point(latitude=2, longitude=5), hi=c.Point(latitude=6))
        assert list(stub.ListFeatures(rect)) == list(features(c, rect))
        assert stub.RecordRoute(iter(route(c))) == summary(c, route(c))
        assert list(stub.RouteChat(iter(notes(c)))) == [answer(c, n) for n in notes(c)]


@pytest.mark.parametrize(("server", "client"), PAIRS)
def test_every_kind_of_method_over_grpc_aio(sides: dict[str, Side], server: str, client: str) -> None:
    c = sides[client].msgs

    async def run() -> None:
        async with serving_async(sides[server]) as channel:
            stub = sides[client].async_stub(channel)
            point = c.Point(latitude=7, longitude=-8)
            assert await stub.GetFeature(point) == feature(c, point)
            rect = c.Rectangle(lo=c.Point(latitude=2, longitude=5), hi=c.Point(latitude=6))
            assert [f async for f in stub.ListFeatures(rect)] == list(features(c, rect))
            assert await stub.RecordRoute(iter(route(c))) == summary(c, route(c))
            assert [n async for n in stub.RouteChat(iter(notes(c)))] == [answer(c, n) for n in notes(c)]

    asyncio.run(run())


# --- Status, metadata, deadlines, cancellation, size limits ----------------------------------------


@pytest.mark.parametrize(("server", "client"), PAIRS)
def test_status_codes_details_and_metadata_cross_over(sides: dict[str, Side], server: str, client: str) -> None:
    c = sides[client].msgs
    with serving(sides[server]) as channel:
        stub = sides[client].stub(channel)
        with pytest.raises(grpc.RpcError) as missing:
            stub.GetFeature(c.Point(latitude=MISSING))
        assert missing.value.code() == grpc.StatusCode.NOT_FOUND
        assert missing.value.details() == f"no feature at {MISSING}"
        reply, call = stub.GetFeature.with_call(c.Point(latitude=1), metadata=[("x-trace", "abc-123")])
        assert reply == feature(c, c.Point(latitude=1))
        assert ("x-echo", "abc-123") in list(call.trailing_metadata())


@pytest.mark.parametrize("client", ["ddl", "protobuf"])
def test_a_method_the_servicer_leaves_alone_is_unimplemented(sides: dict[str, Side], client: str) -> None:
    empty = empty_pb2.Empty() if client == "protobuf" else ddl.wkt.Empty()
    with serving(sides["ddl"]) as channel, pytest.raises(grpc.RpcError) as error:
        sides[client].stub(channel).Reset(empty)
    assert error.value.code() == grpc.StatusCode.UNIMPLEMENTED
    assert error.value.details() == ddl.grpc.UNIMPLEMENTED_DETAILS


@pytest.mark.parametrize("method", ["Reset", "ListFeatures"])
def test_a_method_an_async_servicer_leaves_alone_is_unimplemented(sides: dict[str, Side], method: str) -> None:
    d = sides["ddl"]

    async def run() -> grpc.aio.AioRpcError:
        server = grpc.aio.server()
        d.grpc.add_RouteGuideServicer_to_server(d.async_servicer(), server)  # the base class itself
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        try:
            async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
                stub = d.async_stub(channel)
                with pytest.raises(grpc.aio.AioRpcError) as error:
                    if method == "Reset":
                        await stub.Reset(ddl.wkt.Empty())
                    else:
                        [f async for f in stub.ListFeatures(d.msgs.Rectangle())]
                return error.value
        finally:
            await server.stop(None)

    error = asyncio.run(run())
    assert error.code() == grpc.StatusCode.UNIMPLEMENTED
    assert error.details() == ddl.grpc.UNIMPLEMENTED_DETAILS


@pytest.mark.parametrize(("server", "client"), PAIRS)
def test_deadlines_and_cancellation(sides: dict[str, Side], server: str, client: str) -> None:
    c = sides[client].msgs
    with serving(sides[server]) as channel:
        stub = sides[client].stub(channel)
        with pytest.raises(grpc.RpcError) as late:
            stub.GetFeature(c.Point(latitude=SLOW), timeout=0.2)
        assert late.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        stream = stub.ListFeatures(c.Rectangle(lo=c.Point(latitude=0), hi=c.Point(latitude=100_000)))
        assert next(stream) == feature(c, c.Point(latitude=0))
        stream.cancel()
        with pytest.raises(grpc.RpcError) as cancelled:
            list(stream)
        assert cancelled.value.code() == grpc.StatusCode.CANCELLED


@pytest.mark.parametrize(("server", "client"), PAIRS)
def test_messages_up_to_the_default_limit_pass_and_larger_ones_are_refused(
    sides: dict[str, Side], server: str, client: str
) -> None:
    c = sides[client].msgs
    fits = c.Point(latitude=BIG, longitude=LIMIT - 8 - NAME_AND_POINT)
    too_big = c.Point(latitude=BIG, longitude=LIMIT + 1)
    with serving(sides[server]) as channel:
        stub = sides[client].stub(channel)
        reply = stub.GetFeature(fits)
        assert reply == feature(c, fits)
        assert len(ddl.encode(reply) if client == "ddl" else reply.SerializeToString()) <= LIMIT
        with pytest.raises(grpc.RpcError) as refused:
            stub.GetFeature(too_big)
        assert refused.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED


@pytest.mark.parametrize(("server", "client"), PAIRS)
def test_status_metadata_deadlines_cancellation_and_limits_over_grpc_aio(
    sides: dict[str, Side], server: str, client: str
) -> None:
    c = sides[client].msgs

    async def run() -> None:
        async with serving_async(sides[server]) as channel:
            stub = sides[client].async_stub(channel)
            with pytest.raises(grpc.aio.AioRpcError) as missing:
                await stub.GetFeature(c.Point(latitude=MISSING))
            assert missing.value.code() == grpc.StatusCode.NOT_FOUND
            assert missing.value.details() == f"no feature at {MISSING}"
            call = stub.GetFeature(c.Point(latitude=1), metadata=(("x-trace", "aio-7"),))
            assert await call == feature(c, c.Point(latitude=1))
            assert ("x-echo", "aio-7") in list(await call.trailing_metadata())
            with pytest.raises(grpc.aio.AioRpcError) as late:
                await stub.GetFeature(c.Point(latitude=SLOW), timeout=0.2)
            assert late.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
            stream = stub.ListFeatures(c.Rectangle(lo=c.Point(latitude=0), hi=c.Point(latitude=100_000)))
            assert await stream.read() == feature(c, c.Point(latitude=0))
            assert stream.cancel()
            with pytest.raises(asyncio.CancelledError):
                await stream.read()
            assert await stream.code() == grpc.StatusCode.CANCELLED
            fits = c.Point(latitude=BIG, longitude=LIMIT - 8 - NAME_AND_POINT)
            assert await stub.GetFeature(fits) == feature(c, fits)
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await stub.GetFeature(c.Point(latitude=BIG, longitude=LIMIT + 1))
            assert refused.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED

    asyncio.run(run())


def test_a_stub_refuses_a_message_of_another_class(sides: dict[str, Side]) -> None:
    d = sides["ddl"].msgs
    with serving(sides["ddl"]) as channel, pytest.raises(grpc.RpcError) as error:
        sides["ddl"].stub(channel).GetFeature(d.Rectangle())
    assert error.value.code() == grpc.StatusCode.INTERNAL  # grpcio's report of a serializer's error
    with pytest.raises(ddl.EncodeError, match="expected a Point, got Rectangle"):
        ddl.grpc.serializer(d.Point)(d.Rectangle())


# --- Reflection -----------------------------------------------------------------------------------


def test_a_servicer_of_ddl_gen_offers_reflection_of_its_file_and_imports(sides: dict[str, Side]) -> None:
    from google.protobuf.descriptor_pool import DescriptorPool
    from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

    ours = sides["ddl"]
    assert ours.servicer.SERVICE_NAME == ours.async_servicer.SERVICE_NAME == "ddlrpc.RouteGuide"
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    ours.grpc.add_RouteGuideServicer_to_server(sync_servicer(ours), server)
    ddl.grpc.add_reflection(server, ours.servicer)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            database = ProtoReflectionDescriptorDatabase(channel)
            assert sorted(database.get_services()) == ["ddlrpc.RouteGuide", "grpc.reflection.v1alpha.ServerReflection"]
            pool = DescriptorPool(database)
            service = pool.FindServiceByName("ddlrpc.RouteGuide")
            assert [(m.name, m.input_type.full_name) for m in service.methods][-1] == ("Reset", "google.protobuf.Empty")
            theirs = sides["protobuf"].msgs.DESCRIPTOR.services_by_name["RouteGuide"]
            assert [m.name for m in service.methods] == [m.name for m in theirs.methods]
            fields = pool.FindMessageTypeByName("ddlrpc.Feature").fields
            assert [(f.name, f.number) for f in fields] == [("name", 1), ("location", 2), ("blob", 3)]
    finally:
        server.stop(None)
    with pytest.raises(TypeError, match=r"neither a ddl\.Service nor a servicer of ddl gen"):
        ddl.grpc.add_reflection(grpc.server(futures.ThreadPoolExecutor(max_workers=1)), ours.msgs.Point)


# --- Types ----------------------------------------------------------------------------------------

TYPED_PROGRAM = """
from __future__ import annotations

import collections.abc

import grpc
import grpc.aio

from ddlrpc import route_ddl
from ddlrpc.route_ddl_grpc import (
    RouteGuideAsyncServicer,
    RouteGuideAsyncStub,
    RouteGuideServicer,
    RouteGuideStub,
    add_RouteGuideServicer_to_server,
)


class Guide(RouteGuideServicer):
    def GetFeature(self, request: route_ddl.Point, context: grpc.ServicerContext) -> route_ddl.Feature:
        return route_ddl.Feature(name="here", location=request)

    def ListFeatures(
        self, request: route_ddl.Rectangle, context: grpc.ServicerContext
    ) -> collections.abc.Iterator[route_ddl.Feature]:
        yield route_ddl.Feature(location=request.lo)


class AsyncGuide(RouteGuideAsyncServicer):
    async def RouteChat(
        self,
        request_iterator: collections.abc.AsyncIterator[route_ddl.RouteNote],
        context: grpc.aio.ServicerContext[route_ddl.RouteNote, route_ddl.RouteNote],
    ) -> collections.abc.AsyncIterator[route_ddl.RouteNote]:
        async for note in request_iterator:
            yield note


def call(server: grpc.Server, channel: grpc.Channel) -> str:
    add_RouteGuideServicer_to_server(Guide(), server)
    reply: route_ddl.Feature = RouteGuideStub(channel).GetFeature(route_ddl.Point(latitude=1))
    return reply.name


async def call_async(channel: grpc.aio.Channel) -> list[str]:
    add_RouteGuideServicer_to_server(AsyncGuide(), grpc.aio.server())
    stub = RouteGuideAsyncStub(channel)
    summary = await stub.RecordRoute(iter([route_ddl.Point(latitude=1)]))
    return [str(summary.point_count)] + [f.name async for f in stub.ListFeatures(route_ddl.Rectangle())]
"""


def test_a_program_using_the_stubs_passes_mypy_strict(tmp_path: Path) -> None:
    generate([ROUTE], [PROTOS], tmp_path)
    (tmp_path / "program.py").write_text(TYPED_PROGRAM)
    mypy = mypy_strict(tmp_path, "ddlrpc", "program.py")
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr
    wrong = TYPED_PROGRAM.replace("GetFeature(route_ddl.Point(latitude=1))", "GetFeature(route_ddl.Rectangle())")
    (tmp_path / "program.py").write_text(wrong)
    mypy = mypy_strict(tmp_path, "program.py")
    assert mypy.returncode == 1 and 'has incompatible type "Rectangle"; expected "Point"' in mypy.stdout
