"""Services declared in Python (``ddl.Service``): served with grpcio, called through
``ddl.grpc.connect``, and written by ``ddl proto`` as a .proto that protoc compiles into a client
that calls the Python-declared server.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import re
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
import grpc.aio
import pytest
from grpc_tools import protoc

import ddl
import ddl.grpc
import ddl.protobuf.descriptor
from ddl._proto._protoc import wkt_include
from ddl._proto._render import render_targets
from ddl._service import service_plan
from tests.test_gen import mypy_strict


class Point(ddl.Message):
    latitude: ddl.int32 = 0
    longitude: ddl.int32 = 0


class Area(ddl.Message):
    corners: list[Point] = []
    name: str = ""


class Tally(ddl.Message):
    count: int = 0
    names: list[str] = []


class Atlas(ddl.Service, package="atlas.v1"):
    """Places on a map."""

    def Locate(self, request: Point) -> Area:
        """The area around a point."""
        raise NotImplementedError

    def Walk(self, request: Area) -> Iterator[Point]:
        raise NotImplementedError

    def Count(self, request: Iterator[Point]) -> Tally:
        raise NotImplementedError

    def Echo(self, request: Iterator[Area]) -> Iterator[Area]:
        raise NotImplementedError

    def Forget(self, request: ddl.wkt.Empty) -> ddl.wkt.Empty:
        raise NotImplementedError


class MapAtlas(Atlas):
    def Locate(self, request: Point) -> Area:
        context = ddl.grpc.context()
        if request.latitude < 0:
            context.abort(grpc.StatusCode.OUT_OF_RANGE, f"latitude {request.latitude} is south of the map")
        trace = dict(context.invocation_metadata()).get("x-trace", "")
        return Area(corners=[request, Point(request.latitude + 1, request.longitude + 1)], name=trace)

    def Walk(self, request: Area) -> Iterator[Point]:
        yield from reversed(request.corners)

    def Count(self, request: Iterator[Point]) -> Tally:
        points = list(request)
        return Tally(count=len(points), names=[f"{p.latitude}:{p.longitude}" for p in points])

    def Echo(self, request: Iterator[Area]) -> Iterator[Area]:
        for area in request:
            yield Area(corners=area.corners, name=area.name.upper())


class AsyncAtlas(ddl.Service, package="atlas.v1"):
    async def Locate(self, request: Point) -> Area:
        raise NotImplementedError

    def Walk(self, request: Area) -> AsyncIterator[Point]:
        raise NotImplementedError

    async def Count(self, request: AsyncIterator[Point]) -> Tally:
        raise NotImplementedError


class AsyncMapAtlas(AsyncAtlas):
    async def Locate(self, request: Point) -> Area:
        context = ddl.grpc.context()
        if request.latitude < 0:
            await context.abort(grpc.StatusCode.OUT_OF_RANGE, "south of the map")
        return Area(corners=[request], name="async")

    async def Walk(self, request: Area) -> AsyncIterator[Point]:
        for corner in request.corners:
            yield corner

    async def Count(self, request: AsyncIterator[Point]) -> Tally:
        return Tally(count=len([p async for p in request]))


def serve(servicer: ddl.Service) -> tuple[grpc.Server, str]:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    ddl.grpc.add_servicer(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    return server, f"127.0.0.1:{port}"


@pytest.fixture
def atlas() -> Iterator[Atlas]:
    server, address = serve(MapAtlas())
    try:
        with grpc.insecure_channel(address) as channel:
            yield ddl.grpc.connect(Atlas, channel, metadata=[("x-trace", "t-1")])
    finally:
        server.stop(None)


# --- The plan -------------------------------------------------------------------------------------


def test_the_declaration_is_the_plan_of_its_methods_in_order() -> None:
    plan = service_plan(MapAtlas)  # an implementation finds its declaration's plan
    assert plan.full_name == "atlas.v1.Atlas" and not plan.is_async and plan.doc == "Places on a map."
    shapes = [(m.name, m.request, m.response, m.kind) for m in plan.methods]
    assert shapes == [
        ("Locate", Point, Area, "unary_unary"),
        ("Walk", Area, Point, "unary_stream"),
        ("Count", Point, Tally, "stream_unary"),
        ("Echo", Area, Area, "stream_stream"),
        ("Forget", ddl.wkt.Empty, ddl.wkt.Empty, "unary_unary"),
    ]
    assert service_plan(AsyncAtlas).is_async


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("def Get(self, request: Point, extra: Point) -> Area: ...", "takes one request parameter after self, got 2"),
        ("def Get(self, request: int) -> Area: ...", "Bad.Get: the request is int; an RPC sends a ddl.Message"),
        ("def Get(self, request: Point) -> list[Area]: ...", "Bad.Get: the response is list[tests."),
        ("def Get(self, request: Point): ...", "annotate the request parameter and the return"),
        ("async def Get(self, request: Point) -> AsyncIterator[Area]: ...", "is a plain def returning AsyncIterator"),
        ("async def Get(self, request: Iterator[Point]) -> Area: ...", "an async RPC streams AsyncIterator[M]"),
        (
            "def Get(self, request: Point) -> Area: ...\n    async def Put(self, request: Point) -> Area: ...",
            "methods ['Put'] are async and ['Get'] are not",
        ),
    ],
)
def test_a_method_ddl_cannot_serve_is_a_schema_error_naming_it(body: str, message: str) -> None:
    namespace: dict[str, Any] = {**globals()}
    with pytest.raises(ddl.SchemaError, match=re.escape(message)):
        exec(f"class Bad(ddl.Service):\n    {body}\n", namespace)  # noqa: S102 - the test's own class text


def test_package_belongs_on_the_declaration() -> None:
    with pytest.raises(ddl.SchemaError, match="package= belongs on the service's declaration"):

        class Wrong(Atlas, package="elsewhere"):
            pass


def test_the_package_defaults_to_the_module_name() -> None:
    class Plain(ddl.Service):
        def Get(self, request: Point) -> Point:
            raise NotImplementedError

    assert service_plan(Plain).full_name == "tests.test_grpc_service.Plain"


# --- Serving and calling ---------------------------------------------------------------------------


def test_every_kind_of_method_through_a_client_the_declaration_types(atlas: Atlas) -> None:
    here = Point(3, 4)
    assert atlas.Locate(here) == Area(corners=[here, Point(4, 5)], name="t-1")  # the client's metadata
    assert list(atlas.Walk(Area(corners=[Point(1), Point(2)]))) == [Point(2), Point(1)]
    assert atlas.Count(iter([Point(1, 2), Point(3, 4)])) == Tally(count=2, names=["1:2", "3:4"])
    assert list(atlas.Echo(iter([Area(name="a"), Area(name="b")]))) == [Area(name="A"), Area(name="B")]


def test_context_sets_the_status_and_a_method_left_alone_is_unimplemented(atlas: Atlas) -> None:
    with pytest.raises(grpc.RpcError) as south:
        atlas.Locate(Point(-1))
    assert south.value.code() == grpc.StatusCode.OUT_OF_RANGE
    assert south.value.details() == "latitude -1 is south of the map"
    with pytest.raises(grpc.RpcError) as forgotten:
        atlas.Forget(ddl.wkt.Empty())
    assert forgotten.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_context_outside_a_call_is_an_error() -> None:
    with pytest.raises(RuntimeError, match=r"only set while a ddl\.Service method serves a call"):
        ddl.grpc.context()


def test_an_async_service_on_grpc_aio() -> None:
    async def run() -> None:
        server = grpc.aio.server()
        ddl.grpc.add_servicer(AsyncMapAtlas(), server)
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        try:
            async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
                atlas = ddl.grpc.connect(AsyncAtlas, channel, timeout=5)
                assert await atlas.Locate(Point(1)) == Area(corners=[Point(1)], name="async")
                assert [p async for p in atlas.Walk(Area(corners=[Point(1), Point(2)]))] == [Point(1), Point(2)]
                assert await atlas.Count(iter([Point(), Point()])) == Tally(count=2)
                with pytest.raises(grpc.aio.AioRpcError) as south:
                    await atlas.Locate(Point(-5))
                assert south.value.code() == grpc.StatusCode.OUT_OF_RANGE
                unserved = ddl.grpc.connect(AsyncAtlas, channel)
                server_of_nothing = grpc.aio.server()
                ddl.grpc.add_servicer(AsyncAtlas(), server_of_nothing)
                bare_port = server_of_nothing.add_insecure_port("127.0.0.1:0")
                await server_of_nothing.start()
                try:
                    async with grpc.aio.insecure_channel(f"127.0.0.1:{bare_port}") as bare:
                        unserved = ddl.grpc.connect(AsyncAtlas, bare)
                        with pytest.raises(grpc.aio.AioRpcError) as unary:
                            await unserved.Locate(Point())
                        with pytest.raises(grpc.aio.AioRpcError) as stream:
                            [p async for p in unserved.Walk(Area())]
                finally:
                    await server_of_nothing.stop(None)
                assert unary.value.code() == stream.value.code() == grpc.StatusCode.UNIMPLEMENTED
        finally:
            await server.stop(None)

    asyncio.run(run())


# --- ddl proto, and protoc's client against the Python-declared server -----------------------------


def test_ddl_proto_writes_the_service_block() -> None:
    text = render_targets(["tests.test_grpc_service"], package="atlas.v1")
    block = text[text.index("// Places on a map.") :]
    assert block.splitlines() == [
        "// Places on a map.",
        "service Atlas {",
        "  // The area around a point.",
        "  rpc Locate(Point) returns (Area);",
        "  rpc Walk(Area) returns (stream Point);",
        "  rpc Count(stream Point) returns (Tally);",
        "  rpc Echo(stream Area) returns (stream Area);",
        "  rpc Forget(google.protobuf.Empty) returns (google.protobuf.Empty);",
        "}",
        "",
        "service AsyncAtlas {",
        "  rpc Locate(Point) returns (Area);",
        "  rpc Walk(Area) returns (stream Point);",
        "  rpc Count(stream Point) returns (Tally);",
        "}",
    ]
    assert 'import "google/protobuf/empty.proto";' in text


def test_ddl_proto_refuses_a_service_of_another_package() -> None:
    with pytest.raises(ddl._proto._render.RenderError, match=r"is in package 'atlas\.v1', not the file's 'other'"):
        render_targets(["tests.test_grpc_service:Atlas"], package="other")


def test_protocs_client_from_the_written_proto_calls_the_python_declared_server(tmp_path: Path) -> None:
    (tmp_path / "atlas.proto").write_text(render_targets(["tests.test_grpc_service:Atlas"], package="atlas.v1"))
    out = [f"--python_out={tmp_path}", f"--grpc_python_out={tmp_path}"]
    assert protoc.main(["protoc", f"-I{tmp_path}", f"-I{wkt_include()}", *out, str(tmp_path / "atlas.proto")]) == 0
    sys.path.insert(0, str(tmp_path))
    try:
        pb = importlib.import_module("atlas_pb2")
        pb_grpc = importlib.import_module("atlas_pb2_grpc")
        server, address = serve(MapAtlas())
        try:
            with grpc.insecure_channel(address) as channel:
                stub = pb_grpc.AtlasStub(channel)
                area = stub.Locate(pb.Point(latitude=3, longitude=4), metadata=[("x-trace", "pb")])
                corners = [pb.Point(latitude=3, longitude=4), pb.Point(latitude=4, longitude=5)]
                assert area == pb.Area(corners=corners, name="pb")
                walked = list(stub.Walk(pb.Area(corners=[pb.Point(latitude=1), pb.Point(latitude=2)])))
                assert walked == [pb.Point(latitude=2), pb.Point(latitude=1)]
                assert stub.Count(iter([pb.Point(latitude=1, longitude=2)])) == pb.Tally(count=1, names=["1:2"])
                assert [a.name for a in stub.Echo(iter([pb.Area(name="x")]))] == ["X"]
        finally:
            server.stop(None)
    finally:
        sys.path.remove(str(tmp_path))
        for name in ("atlas_pb2", "atlas_pb2_grpc"):
            sys.modules.pop(name, None)


# --- Reflection -----------------------------------------------------------------------------------


def test_a_reflection_client_lists_the_services_and_describes_their_messages() -> None:
    from google.protobuf.descriptor_pool import DescriptorPool
    from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

    server, address = serve(MapAtlas())
    ddl.grpc.add_reflection(server, Atlas)
    try:
        with grpc.insecure_channel(address) as channel:
            database = ProtoReflectionDescriptorDatabase(channel)
            assert sorted(database.get_services()) == ["atlas.v1.Atlas", "grpc.reflection.v1alpha.ServerReflection"]
            pool = DescriptorPool(database)
            service = pool.FindServiceByName("atlas.v1.Atlas")
            methods = {m.name: (m.input_type.full_name, m.output_type.full_name) for m in service.methods}
            assert methods == {
                "Locate": ("atlas.v1.Point", "atlas.v1.Area"),
                "Walk": ("atlas.v1.Area", "atlas.v1.Point"),
                "Count": ("atlas.v1.Point", "atlas.v1.Tally"),
                "Echo": ("atlas.v1.Area", "atlas.v1.Area"),
                "Forget": ("google.protobuf.Empty", "google.protobuf.Empty"),
            }
            walk = service.methods_by_name["Walk"]
            assert walk.server_streaming and not walk.client_streaming
            area = pool.FindMessageTypeByName("atlas.v1.Area")
            assert [(f.name, f.number) for f in area.fields] == [("corners", 1), ("name", 2)]
    finally:
        server.stop(None)


def test_descriptor_set_gives_ddls_own_descriptor_classes() -> None:
    files = ddl.grpc.descriptor_set([Tally], [Atlas]).file
    assert [f.name for f in files] == ["google/protobuf/empty.proto", "atlas/v1/ddl.proto"]
    ours = files[-1]
    assert isinstance(ours, ddl.protobuf.descriptor.FileDescriptorProto) and ours.package == "atlas.v1"
    assert [m.name for m in ours.message_type] == ["Tally", "Point", "Area"]
    assert [s.name for s in ours.service] == ["Atlas"]


# --- The example ----------------------------------------------------------------------------------

EXAMPLE = Path(__file__).parent.parent / "examples/chat_service.py"


def test_the_example_server_answers_the_example_client() -> None:
    with socket.socket() as probe:  # a free port, for the server's command line
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ)  # the ddl this test imports, installed or on PYTHONPATH
    server = subprocess.Popen(
        [sys.executable, str(EXAMPLE), "serve", "--port", str(port)], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert server.stdout is not None
        assert server.stdout.readline() == f"chat.v1.Chat serving on port {port}\n"
        done = subprocess.run(
            [sys.executable, str(EXAMPLE), "call", "--port", str(port)], capture_output=True, text=True, env=env,
            timeout=60, check=False,
        )  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "Post: Summary(messages=1, words=3)"
    assert lines[1:4] == [f"History: message {i} of lobby" for i in range(3)]
    assert lines[4] == "Upload: Summary(messages=2, words=3)"
    assert lines[5] == "Converse: Message(author='echo', text='PING', embedding=[0.5, 0.25])"
    assert lines[6] == "Post of an empty message: INVALID_ARGUMENT an empty message"


def test_ddl_proto_of_the_example_file_compiles(tmp_path: Path) -> None:
    text = render_targets([str(EXAMPLE)], package="chat.v1")
    assert "  rpc Converse(stream Message) returns (stream Message);" in text
    (tmp_path / "chat.proto").write_text(text)
    assert protoc.main(["protoc", f"-I{tmp_path}", f"--python_out={tmp_path}", str(tmp_path / "chat.proto")]) == 0


# --- Types ----------------------------------------------------------------------------------------

TYPED = """
from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import grpc

import ddl
import ddl.grpc


class Ask(ddl.Message):
    text: str = ""


class Answer(ddl.Message):
    text: str = ""


class Oracle(ddl.Service, package="oracle"):
    def Consult(self, request: Ask) -> Answer:
        raise NotImplementedError

    def Stream(self, request: Ask) -> Iterator[Answer]:
        raise NotImplementedError


class Delphi(Oracle):
    def Consult(self, request: Ask) -> Answer:
        ddl.grpc.context().set_code(grpc.StatusCode.OK)
        return Answer(text=request.text)


def ask(channel: grpc.Channel) -> list[str]:
    server = grpc.server(ThreadPoolExecutor())
    ddl.grpc.add_servicer(Delphi(), server)
    oracle = ddl.grpc.connect(Oracle, channel, timeout=1.0)
    answer: Answer = oracle.Consult(Ask(text="?"))
    return [answer.text] + [a.text for a in oracle.Stream(Ask())]
"""


def test_a_client_and_a_servicer_pass_mypy_strict(tmp_path: Path) -> None:
    (tmp_path / "oracle.py").write_text(TYPED)
    mypy = mypy_strict(tmp_path, "oracle.py")
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr
    (tmp_path / "oracle.py").write_text(TYPED.replace("oracle.Consult(Ask(text=", "oracle.Consult(Answer(text="))
    mypy = mypy_strict(tmp_path, "oracle.py")
    assert mypy.returncode == 1 and 'incompatible type "Answer"; expected "Ask"' in mypy.stdout
