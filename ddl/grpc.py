"""gRPC with ddl messages: the pieces that ``ddl gen``'s ``*_ddl_grpc.py`` modules are made of.

grpcio itself carries the calls; ddl gives it serializers and deserializers made of its own
encoder and decoder, and builds the method handlers that a servicer registers. A generated
module needs nothing else, and code that declares its handlers by hand can use the same pieces.
It needs the ``grpcio`` package (``pip install 'ddl-proto[grpc]'``).

Example::

    channel = grpc.insecure_channel("localhost:50051")
    say_hello = channel.unary_unary(
        "/helloworld.Greeter/SayHello",
        request_serializer=ddl.grpc.serializer(HelloRequest),
        response_deserializer=ddl.grpc.deserializer(HelloReply),
    )
    reply = say_hello(HelloRequest(name="Ada"))
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, NoReturn, TypeVar

try:
    import grpc
    import grpc.aio
except ImportError as exc:  # pragma: no cover - the test environment has grpcio
    raise ImportError("ddl.grpc needs grpcio: pip install 'ddl-proto[grpc]'") from exc

from ._api import Decoder, encode
from ._errors import EncodeError
from ._message import Message
from ._service import MethodPlan, Service, declaration_of, service_plan

if TYPE_CHECKING:
    from .protobuf.descriptor import FileDescriptorSet

__all__ = [
    "UNIMPLEMENTED_DETAILS",
    "add_reflection",
    "add_service",
    "add_servicer",
    "connect",
    "context",
    "descriptor_set",
    "deserializer",
    "serializer",
    "stream_stream_handler",
    "stream_unary_handler",
    "unary_stream_handler",
    "unary_unary_handler",
    "unimplemented",
    "unimplemented_async",
    "unimplemented_stream",
]

M = TypeVar("M", bound=Message)
S = TypeVar("S", bound=Service)
Req = TypeVar("Req", bound=Message)
Resp = TypeVar("Resp", bound=Message)

#: The status details of a method a servicer does not override, as grpcio-tools' servicers give them.
UNIMPLEMENTED_DETAILS = "Method not implemented!"


def serializer(cls: type[M]) -> Callable[[M], bytes]:
    """grpcio's serializer for messages of ``cls``: ``ddl.encode``, after checking that the
    message is one (grpcio would otherwise send any message's bytes under the method's type).

    Example::

        data = ddl.grpc.serializer(HelloRequest)(HelloRequest(name="Ada"))
    """

    def serialize(msg: M) -> bytes:
        if msg.__class__ is not cls and not isinstance(msg, cls):
            raise EncodeError(f"expected a {cls.__qualname__}, got {type(msg).__qualname__}")
        return encode(msg)

    serialize.__qualname__ = f"serializer({cls.__qualname__})"
    return serialize


def deserializer(cls: type[M]) -> Callable[[bytes], M]:
    """grpcio's deserializer for messages of ``cls``: a ``ddl.Decoder``'s ``decode``. Bytes that
    are no ``cls`` raise ``ddl.DecodeError``, which grpcio reports as status INTERNAL.

    Example::

        request = ddl.grpc.deserializer(HelloRequest)(data)
    """
    return Decoder(cls).decode


# The four kinds of method handler, by whether requests and responses stream. The behavior is a
# servicer's bound method; grpcio calls it with the request (or the request iterator) and the
# context, and runs it on a thread pool (grpc.server) or the event loop when it is a coroutine
# function or an async generator (grpc.aio.server).


def unary_unary_handler(
    behavior: Callable[..., Any], request: type[Req], response: type[Resp]
) -> grpc.RpcMethodHandler[Req, Resp]:
    """The handler of a method with one request and one response.

    Example::

        handler = ddl.grpc.unary_unary_handler(servicer.SayHello, HelloRequest, HelloReply)
    """
    return _handler(grpc.unary_unary_rpc_method_handler, behavior, request, response)


def unary_stream_handler(
    behavior: Callable[..., Any], request: type[Req], response: type[Resp]
) -> grpc.RpcMethodHandler[Req, Resp]:
    """The handler of a method with one request and a stream of responses (the behavior yields them).

    Example::

        handler = ddl.grpc.unary_stream_handler(servicer.ListFeatures, Rectangle, Feature)
    """
    return _handler(grpc.unary_stream_rpc_method_handler, behavior, request, response)


def stream_unary_handler(
    behavior: Callable[..., Any], request: type[Req], response: type[Resp]
) -> grpc.RpcMethodHandler[Req, Resp]:
    """The handler of a method with a stream of requests (the behavior's first argument iterates
    them) and one response.

    Example::

        handler = ddl.grpc.stream_unary_handler(servicer.RecordRoute, Point, RouteSummary)
    """
    return _handler(grpc.stream_unary_rpc_method_handler, behavior, request, response)


def stream_stream_handler(
    behavior: Callable[..., Any], request: type[Req], response: type[Resp]
) -> grpc.RpcMethodHandler[Req, Resp]:
    """The handler of a method with streams both ways.

    Example::

        handler = ddl.grpc.stream_stream_handler(servicer.RouteChat, RouteNote, RouteNote)
    """
    return _handler(grpc.stream_stream_rpc_method_handler, behavior, request, response)


def _handler(
    factory: Callable[
        [Callable[..., Any], Callable[[bytes], Req], Callable[[Resp], bytes]], grpc.RpcMethodHandler[Req, Resp]
    ],
    behavior: Callable[..., Any],
    request: type[Req],
    response: type[Resp],
) -> grpc.RpcMethodHandler[Req, Resp]:
    """The handler that grpcio's ``factory`` (one of its four ``*_rpc_method_handler``) makes of
    ``behavior``, with ddl's deserializer of ``request`` and serializer of ``response``."""
    return factory(behavior, deserializer(request), serializer(response))


def add_service(
    server: grpc.Server | grpc.aio.Server, service: str, handlers: Mapping[str, grpc.RpcMethodHandler[Any, Any]]
) -> None:
    """Serve the methods ``handlers`` (by method name) as the service ``service`` (its full
    name, ``helloworld.Greeter``) on ``server``, a ``grpc.server`` or a ``grpc.aio.server``.

    The methods are registered both ways grpcio offers: by name, which lets grpcio route a call
    without asking each generic handler in turn, and as a generic handler, which every version
    of grpcio understands.

    Example::

        ddl.grpc.add_service(server, "helloworld.Greeter", {"SayHello": handler})
    """
    table = dict(handlers)
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(service, table),))
    server.add_registered_method_handlers(service, table)


def unimplemented(context: grpc.ServicerContext) -> NoReturn:
    """End a call to a method the servicer does not implement with status UNIMPLEMENTED, as
    grpcio-tools' generated servicers do.

    Example::

        def SayHello(self, request: HelloRequest, context: grpc.ServicerContext) -> HelloReply:
            ddl.grpc.unimplemented(context)
    """
    context.set_code(grpc.StatusCode.UNIMPLEMENTED)
    context.set_details(UNIMPLEMENTED_DETAILS)
    raise NotImplementedError(UNIMPLEMENTED_DETAILS)


async def unimplemented_async(context: grpc.aio.ServicerContext[Any, Any]) -> NoReturn:
    """``unimplemented`` for a ``grpc.aio`` servicer: the call ends with status UNIMPLEMENTED.

    Example::

        async def SayHello(self, request: HelloRequest, context: Context) -> HelloReply:
            await ddl.grpc.unimplemented_async(context)
    """
    await context.abort(grpc.StatusCode.UNIMPLEMENTED, UNIMPLEMENTED_DETAILS)


def unimplemented_stream(context: grpc.aio.ServicerContext[Any, Resp]) -> AsyncIterator[Resp]:
    """``unimplemented_async`` for a ``grpc.aio`` method that streams its responses: an async
    iterator that ends the call with status UNIMPLEMENTED when first asked for a response.

    Example::

        async def ListFeatures(self, request: Rectangle, context: Context) -> AsyncIterator[Feature]:
            async for response in ddl.grpc.unimplemented_stream(context):
                yield response
    """
    return _Unimplemented(context)


class _Unimplemented(Generic[Resp]):
    def __init__(self, context: grpc.aio.ServicerContext[Any, Resp]) -> None:
        self.context = context

    def __aiter__(self) -> _Unimplemented[Resp]:
        return self

    async def __anext__(self) -> Resp:
        await unimplemented_async(self.context)


# --- Services declared in Python (ddl.Service) -----------------------------------------------------

# The context of the call a servicer's method is serving. grpc.server runs each call on a thread of
# its pool and grpc.aio.server in a task of its own: a context variable is the call's either way.
_CONTEXT: contextvars.ContextVar[Any] = contextvars.ContextVar("ddl.grpc.context")


def context() -> Any:
    """The context of the call being served, inside a method of a ``ddl.Service`` implementation:
    a ``grpc.ServicerContext``, or a ``grpc.aio.ServicerContext`` for an async service. It sets
    status codes and reads metadata, as the context argument of grpcio's servicers does.

    Example::

        def SayHello(self, request: HelloRequest) -> HelloReply:
            if not request.name:
                ddl.grpc.context().abort(grpc.StatusCode.INVALID_ARGUMENT, "name is empty")
            return HelloReply(message=f"Hello, {request.name}")
    """
    try:
        return _CONTEXT.get()
    except LookupError:
        raise RuntimeError("ddl.grpc.context() is only set while a ddl.Service method serves a call") from None


def add_servicer(servicer: Service, server: grpc.Server | grpc.aio.Server) -> None:
    """Serve ``servicer``, an instance of a ``ddl.Service`` implementation, on ``server`` (a
    ``grpc.server`` for a service of plain methods, a ``grpc.aio.server`` for an async one). A
    method the implementation does not override answers UNIMPLEMENTED.

    Example::

        server = grpc.server(concurrent.futures.ThreadPoolExecutor())
        ddl.grpc.add_servicer(Friendly(), server)
    """
    plan = service_plan(type(servicer))
    declared = declaration_of(type(servicer)).__dict__
    handlers = {}
    for m in plan.methods:
        own = getattr(type(servicer), m.name) is not declared[m.name]
        behavior = _serving(m, getattr(servicer, m.name), plan.is_async) if own else _unimplemented(m, plan.is_async)
        handlers[m.name] = _HANDLERS[m.kind](behavior, m.request, m.response)
    add_service(server, plan.full_name, handlers)


def connect(
    service: type[S],
    channel: grpc.Channel | grpc.aio.Channel,
    *,
    timeout: float | None = None,
    metadata: Sequence[tuple[str, str | bytes]] | None = None,
) -> S:
    """A client of the declared ``service`` over ``channel``: an instance whose methods make the
    calls, so the declaration types them (``client.SayHello(request)`` is a ``HelloReply``; for an
    async service, awaited, and streams are async iterators). ``timeout`` and ``metadata`` apply
    to every call; grpcio's own multi-callables (``with_call``, futures) are one ``channel.unary_unary``
    with ``serializer``/``deserializer`` away.

    Example::

        greeter = ddl.grpc.connect(Greeter, grpc.insecure_channel("localhost:50051"))
        reply = greeter.SayHello(HelloRequest(name="Ada"))
    """
    plan = service_plan(service)
    client = object.__new__(declaration_of(service))
    options = {"timeout": timeout, "metadata": metadata}
    for m in plan.methods:
        make = getattr(channel, m.kind)
        call = make(
            f"/{plan.full_name}/{m.name}",
            request_serializer=serializer(m.request),
            response_deserializer=deserializer(m.response),
        )
        # An instance attribute: it hides the declared method, which the class still holds.
        client.__dict__[m.name] = functools.partial(call, **options)
    return client  # type: ignore[return-value]


_HANDLERS: dict[str, Callable[..., grpc.RpcMethodHandler[Any, Any]]] = {
    "unary_unary": unary_unary_handler,
    "unary_stream": unary_stream_handler,
    "stream_unary": stream_unary_handler,
    "stream_stream": stream_stream_handler,
}


def _serving(m: MethodPlan, method: Callable[..., Any], is_async: bool) -> Callable[..., Any]:
    """grpcio's behavior for a servicer's method: the call's context set, then the method. It
    keeps the kind of callable grpc.aio tells apart (coroutine function, async generator function,
    plain function) and, for a stream of responses, sets the context where the stream runs."""
    if not is_async:
        if m.server_streaming:

            def stream(request: Any, ctx: Any) -> Iterator[Any]:
                _CONTEXT.set(ctx)
                yield from method(request)

            return stream

        def call(request: Any, ctx: Any) -> Any:
            _CONTEXT.set(ctx)
            return method(request)

        return call
    if m.server_streaming:

        async def stream_async(request: Any, ctx: Any) -> AsyncIterator[Any]:
            _CONTEXT.set(ctx)
            async for response in method(request):
                yield response

        return stream_async

    async def call_async(request: Any, ctx: Any) -> Any:
        _CONTEXT.set(ctx)
        return await method(request)

    return call_async


def _unimplemented(m: MethodPlan, is_async: bool) -> Callable[..., Any]:
    """The behavior of a method the servicer leaves alone."""
    if not is_async:
        return lambda request, ctx: unimplemented(ctx)
    if m.server_streaming:

        async def answer_stream(request: Any, ctx: Any) -> AsyncIterator[Any]:
            async for response in unimplemented_stream(ctx):
                yield response

        return answer_stream

    async def answer(request: Any, ctx: Any) -> Any:
        await unimplemented_async(ctx)

    return answer


def add_reflection(server: grpc.Server | grpc.aio.Server, *services: type) -> None:
    """Offer gRPC server reflection on ``server`` for ``services``, so that tools such as grpcurl
    and grpcio-reflection's client can list them and fetch their descriptors. Each is a
    ``ddl.Service`` declaration, whose descriptors are ``ddl proto``'s text of it compiled by protoc
    (that needs ``pip install 'ddl-proto[proto]'``), or a servicer class of a ``*_ddl_grpc.py``
    module of ``ddl gen``, which carries its service's name and descriptors. It needs
    grpcio-reflection (``pip install 'ddl-proto[grpc]'``).

    Example::

        ddl.grpc.add_servicer(Friendly(), server)
        ddl.grpc.add_reflection(server, Greeter, route_ddl_grpc.RouteGuideServicer)
    """
    from google.protobuf import descriptor_pb2, descriptor_pool
    from grpc_reflection.v1alpha import reflection

    pool = descriptor_pool.DescriptorPool()
    added: set[str] = set()

    def add(data: bytes) -> None:
        file = descriptor_pb2.FileDescriptorProto.FromString(data)
        if file.name not in added:  # two services may share a file, or the files they import
            added.add(file.name)
            pool.Add(file)

    declared = [service for service in services if issubclass(service, Service)]
    names = [service_plan(service).full_name for service in declared]
    if declared:
        for file in descriptor_set([], declared).file:
            add(encode(file))
    for generated in services:
        if generated not in declared:
            if not isinstance(getattr(generated, "SERVICE_NAME", None), str):
                raise TypeError(f"{generated.__qualname__} is neither a ddl.Service nor a servicer of ddl gen")
            names.append(generated.SERVICE_NAME)  # type: ignore[attr-defined]
            for data in generated.DESCRIPTORS:  # type: ignore[attr-defined]
                add(data)
    reflection.enable_server_reflection([*names, reflection.SERVICE_NAME], server, pool)


def descriptor_set(classes: Sequence[type] = (), services: Sequence[type[Service]] = ()) -> FileDescriptorSet:
    """The descriptors of message classes and declared services, as ``ddl.protobuf.descriptor``
    messages: the .proto that ``ddl proto`` writes for them, compiled by protoc with every file it
    imports (imports first). Each package of a service gets a file ``<package path>/ddl.proto``;
    the classes go in the first one. It needs protoc (``pip install 'ddl-proto[proto]'``).

    Example::

        files = ddl.grpc.descriptor_set(services=[Greeter]).file
        print(files[-1].service[0].name)   # Greeter
    """
    from ._proto._descriptor import descriptor_set as compiled

    return compiled(classes, services)
