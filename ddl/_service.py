"""Services declared in Python: ``ddl.Service`` and the plan of a service's methods.

A direct subclass of ``ddl.Service`` declares a gRPC service: each public method is an RPC, its
one parameter the request and its return annotation the response. ``Iterator[M]`` (or
``AsyncIterator[M]``) on either side makes that side a stream. A subclass of the declaration
implements it. ``ddl.grpc`` serves an implementation and connects clients that are typed by
the declaration itself; ``ddl proto`` writes the declaration as a ``service`` block. Nothing
here needs grpcio.

Example::

    class Greeter(ddl.Service, package="hello"):
        def SayHello(self, request: HelloRequest) -> HelloReply:
            raise NotImplementedError
"""

from __future__ import annotations

import collections.abc
import contextlib
import inspect
import typing
from dataclasses import dataclass
from typing import Any, ClassVar, get_args, get_origin

from ._errors import SchemaError
from ._schema import is_message_class
from ._schema._names import package_for

_SYNC_STREAMS = (collections.abc.Iterator, collections.abc.Iterable)
_ASYNC_STREAMS = (collections.abc.AsyncIterator, collections.abc.AsyncIterable)


@dataclass(frozen=True)
class MethodPlan:
    """One RPC: its name, message classes and which sides stream."""

    name: str
    request: type
    response: type
    client_streaming: bool
    server_streaming: bool
    doc: str

    @property
    def kind(self) -> str:
        """grpcio's name for the method's shape: ``unary_unary``, ``unary_stream``, ``stream_unary``
        or ``stream_stream``."""
        return f"{'stream' if self.client_streaming else 'unary'}_{'stream' if self.server_streaming else 'unary'}"


@dataclass(frozen=True)
class ServicePlan:
    """A declared service: its full name (``package.Name``), methods in declaration order, and
    whether its methods are coroutines (served by ``grpc.aio``)."""

    cls: type
    package: str
    name: str
    methods: tuple[MethodPlan, ...]
    is_async: bool
    doc: str

    @property
    def full_name(self) -> str:
        return f"{self.package}.{self.name}" if self.package else self.name


class Service:
    """The base of a gRPC service declared in Python, without a .proto.

    A direct subclass declares the service; ``package=`` sets its proto package (by default the
    module's dotted name, as ``ddl proto`` picks one), so ``hello.Greeter`` is the name clients
    call. Each public method is an RPC taking one request message: annotate the parameter and
    the return with message classes, or ``Iterator[M]`` for a stream. A service whose methods
    are ``async def`` (or stream ``AsyncIterator[M]``) is served by ``grpc.aio``; declare a
    method that streams its responses there as a plain ``def`` returning ``AsyncIterator[M]``, so
    that its async generator overrides type-check. Subclass the declaration to implement it;
    ``ddl.grpc.add_servicer`` serves the implementation (a method left alone answers
    UNIMPLEMENTED), ``ddl.grpc.connect`` makes a client whose methods the declaration types,
    and ``ddl.grpc.context()`` is the current call's context inside a method.

    Example::

        class Greeter(ddl.Service, package="hello"):
            def SayHello(self, request: HelloRequest) -> HelloReply:
                raise NotImplementedError

        class Friendly(Greeter):
            def SayHello(self, request: HelloRequest) -> HelloReply:
                return HelloReply(message=f"Hello, {request.name}")
    """

    __ddl_service__: ClassVar[ServicePlan | None] = None
    __ddl_package__: ClassVar[str | None] = None

    def __init_subclass__(cls, *, package: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if Service not in cls.__bases__:
            if package is not None:
                raise SchemaError(f"{cls.__qualname__}: package= belongs on the service's declaration")
            return
        cls.__ddl_package__ = package
        cls.__ddl_service__ = None
        with contextlib.suppress(NameError):  # a message class defined after the service: planned on first use
            cls.__ddl_service__ = _plan(cls)


def declaration_of(cls: type) -> type[Service]:
    """The class that declares the service ``cls`` declares or implements."""
    for klass in cls.__mro__:
        if Service in klass.__bases__:
            return klass
    raise TypeError(f"{cls.__qualname__} is no ddl.Service subclass")


def service_plan(cls: type) -> ServicePlan:
    """The plan of the service that ``cls`` (a declaration or an implementation) declares or
    implements, made when the declaration is created or on first use.

    Example::

        assert [m.name for m in service_plan(Greeter).methods] == ["SayHello"]
    """
    declaration = declaration_of(cls)
    plan = declaration.__dict__.get("__ddl_service__")
    if plan is None:
        plan = _plan(declaration)
        declaration.__ddl_service__ = plan
    return plan


def is_service_declaration(obj: object) -> bool:
    return isinstance(obj, type) and issubclass(obj, Service) and Service in obj.__bases__


def _plan(cls: type[Service]) -> ServicePlan:
    methods = []
    asyncs: dict[str, bool] = {}
    for name, fn in cls.__dict__.items():
        if name.startswith("_") or not inspect.isfunction(fn):
            continue
        method, is_async = _method(cls, name, fn)
        methods.append(method)
        asyncs[name] = is_async
    if len(set(asyncs.values())) > 1:
        sync = [name for name, is_async in asyncs.items() if not is_async]
        raise SchemaError(
            f"{cls.__qualname__}: methods {sorted(set(asyncs) - set(sync))} are async and {sync} are not; "
            "a service is served by grpc or by grpc.aio, so its methods are all one or all the other"
        )
    package = cls.__ddl_package__ if cls.__ddl_package__ is not None else package_for(cls.__module__)
    doc = inspect.cleandoc(cls.__doc__) if cls.__doc__ else ""
    return ServicePlan(cls, package, cls.__name__, tuple(methods), any(asyncs.values()), doc)


def _method(cls: type, name: str, fn: Any) -> tuple[MethodPlan, bool]:
    where = f"{cls.__qualname__}.{name}"
    hints = typing.get_type_hints(fn)
    params = list(inspect.signature(fn).parameters.values())[1:]
    if len(params) != 1 or params[0].kind not in (params[0].POSITIONAL_ONLY, params[0].POSITIONAL_OR_KEYWORD):
        raise SchemaError(f"{where}: an RPC takes one request parameter after self, got {len(params)}")
    request_hint = hints.get(params[0].name)
    response_hint = hints.get("return")
    if request_hint is None or response_hint is None:
        raise SchemaError(f"{where}: annotate the request parameter and the return with message classes")
    request, client_streaming, request_async = _side(where, "the request", request_hint)
    response, server_streaming, response_async = _side(where, "the response", response_hint)
    is_async = inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn) or request_async or response_async
    if is_async and (
        (client_streaming and not request_async)
        or (server_streaming and not response_async)
        or (inspect.iscoroutinefunction(fn) and server_streaming)
    ):
        raise SchemaError(
            f"{where}: an async RPC streams AsyncIterator[M]; one whose responses stream is a plain def returning "
            "AsyncIterator[M] (its implementations are async generators)"
        )
    doc = inspect.cleandoc(fn.__doc__) if fn.__doc__ else ""
    return MethodPlan(name, request, response, client_streaming, server_streaming, doc), is_async


def _side(where: str, role: str, hint: Any) -> tuple[type, bool, bool]:
    """The message class of one side, whether it streams, and whether the stream is async."""
    origin = get_origin(hint)
    if origin in _SYNC_STREAMS or origin in _ASYNC_STREAMS:
        args = get_args(hint)
        if len(args) == 1 and is_message_class(args[0]):
            return args[0], True, origin in _ASYNC_STREAMS
    elif is_message_class(hint):
        return hint, False, False
    raise SchemaError(
        f"{where}: {role} is {_name(hint)}; an RPC sends a ddl.Message class, or Iterator[M] / AsyncIterator[M] "
        "for a stream of them"
    )


def _name(hint: Any) -> str:
    return hint.__qualname__ if isinstance(hint, type) else repr(hint)
