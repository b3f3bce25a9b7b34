"""The public entry points: ``encode``, ``decode``, ``Encoder`` and ``Decoder``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar

from . import _compiled, _gcpause
from ._binding import Binding, binding_of
from ._errors import DecodeError, EncodeError
from ._limits import DEFAULT_MAX_DEPTH, GC_PAUSE_BYTES
from ._message import Message
from ._proto2 import check_required
from ._pyengine import Codec, codec_for

if TYPE_CHECKING:
    from ._json._options import Registry

M = TypeVar("M", bound=Message)
_speedups: Any = _compiled.speedups

Buffer = bytes | bytearray | memoryview


def _as_bytes(data: Buffer) -> bytes:
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    raise TypeError(f"ddl decodes bytes, bytearray or memoryview, not {type(data).__name__}")


def _codec(cls: type) -> Codec:
    """The codec of a message class; a clear TypeError for anything else (decode, Decoder)."""
    binding = binding_of(cls)
    if binding is None:
        raise TypeError(f"expected a ddl.Message subclass, got {_describe(cls)}")
    return binding.codec or codec_for(cls)


def _message_codec(msg: object) -> Codec:
    """The codec of a message's class; a clear TypeError for anything else (encode, Encoder)."""
    binding = binding_of(type(msg))
    if binding is None:
        raise TypeError(f"expected an instance of a ddl.Message subclass, got {_describe(msg, expected_instance=True)}")
    return binding.codec or codec_for(type(msg))


def _describe(obj: object, *, expected_instance: bool = False) -> str:
    """What was passed where a message class (or, with ``instance``, a message) was expected."""
    if obj is Message or type(obj) is Message:
        return "ddl.Message itself" if obj is Message else "an instance of ddl.Message itself"
    if isinstance(obj, type) and issubclass(obj, Message):
        return f"the class {obj.__qualname__} itself (encode an instance: {obj.__qualname__}(...))"
    if isinstance(obj, Message) and not expected_instance:
        name = type(obj).__qualname__
        return f"a {name} instance (pass the class itself: {name})"
    if isinstance(obj, type):
        return f"the class {obj.__qualname__}"
    return f"an object of type {type(obj).__qualname__}"


def _check_max_depth(max_depth: object) -> None:
    # The compiled entry points take max_depth as a C int; the Python ones check it alike.
    if not isinstance(max_depth, int):
        raise TypeError(f"max_depth must be an int, got {type(max_depth).__qualname__}")
    if not -(2**31) <= max_depth < 2**31:
        raise OverflowError(f"max_depth={max_depth} does not fit in a C int")


def _program_of_class(cls: type) -> Any:
    """``_compiled.program_of`` for the compiled entry points, which first check ``cls`` here:
    ``ddl.decode(data, user)`` (an instance) raises the same TypeError on both engines."""
    _codec(cls)
    return _compiled.program_of(cls)


def encode(msg: Message, *, deterministic: bool = False, max_depth: int = DEFAULT_MAX_DEPTH) -> bytes:
    """Encode a message to protobuf bytes.

    ``deterministic=True`` also sorts map keys (and set elements), so equal messages give equal
    bytes. Nesting deeper than ``max_depth`` (a cycle, say) raises ``EncodeError``.

    Example::

        data = ddl.encode(User(id=1, name="Ada"))
    """
    _check_max_depth(max_depth)
    return encode_with(_compiled.state.compiled, msg, deterministic, max_depth)


def encode_with(compiled: bool, msg: Message, deterministic: bool = False, max_depth: int = DEFAULT_MAX_DEPTH) -> bytes:
    """``encode`` on a chosen engine (the test suite runs every test on both)."""
    binding = getattr(type(msg), "__ddl__", None)
    codec = binding.codec if type(binding) is Binding else None
    if codec is None:
        codec = _message_codec(msg)
    if compiled:
        program = _compiled.program_of(type(msg))
        if program is not None:
            try:
                data: bytes = _speedups.encode_program(program, msg, max_depth, deterministic)
                return data
            except Exception:  # noqa: BLE001, S110 - the reference engine gives the verdict below
                pass
    out = bytearray()
    try:
        codec.encode(msg, out, max_depth, deterministic)
    except RecursionError:
        raise EncodeError(f"nesting is too deep for Python's stack; max_depth={max_depth} is too high") from None
    return bytes(out)


def decode(data: Buffer, cls: type[M], *, max_depth: int = DEFAULT_MAX_DEPTH) -> M:
    """Decode protobuf bytes into an instance of ``cls``.

    Fields absent from the data take their zero value; unknown fields are kept and written back
    by ``encode``. Invalid data raises ``DecodeError`` with the field path and the byte offset.

    Example::

        user = ddl.decode(data, User)
    """
    _check_max_depth(max_depth)
    return decode_with(_compiled.state.compiled, data, cls, max_depth)


def decode_with(compiled: bool, data: Buffer, cls: type[M], max_depth: int = DEFAULT_MAX_DEPTH) -> M:
    """``decode`` on a chosen engine (the test suite runs every test on both)."""
    buf = data if data.__class__ is bytes else _as_bytes(data)
    # An instance has its class's Binding too: only a class may pass without the check.
    binding = getattr(cls, "__ddl__", None) if isinstance(cls, type) else None
    codec = (binding.codec if type(binding) is Binding else None) or _codec(cls)
    if compiled:
        program = _compiled.program_of(cls)
        if program is not None:
            try:
                value: M = _speedups.decode_program(program, buf, max_depth)
            except Exception:  # noqa: BLE001, S110 - the reference engine gives the verdict below
                pass
            else:
                if codec.plan.reaches_required:
                    check_required(value, len(buf))
                return value
    paused = len(buf) > GC_PAUSE_BYTES
    if paused:
        _gcpause.pause()  # see _gcpause: collections over freshly decoded objects find nothing
    try:
        result: M = codec.decode(buf, 0, len(buf), max_depth)
    except RecursionError:
        raise DecodeError(f"nesting is too deep for Python's stack; max_depth={max_depth} is too high") from None
    finally:
        if paused:
            _gcpause.resume()
    if codec.plan.reaches_required:
        check_required(result, len(buf))
    return result


class Encoder:
    """A reusable encoder with fixed options.

    Example::

        enc = ddl.Encoder(deterministic=True)
        data = enc.encode(user)
    """

    __slots__ = ("deterministic", "max_depth")

    def __init__(self, *, deterministic: bool = False, max_depth: int = DEFAULT_MAX_DEPTH) -> None:
        _check_max_depth(max_depth)
        self.deterministic = bool(deterministic)  # as the compiled Encoder stores it
        self.max_depth = max_depth

    def encode(self, msg: Message, /) -> bytes:
        """Encode ``msg`` with this encoder's options (see ``ddl.encode``).

        Example::

            data = ddl.Encoder(deterministic=True).encode(user)
        """
        return encode_with(_compiled.state.compiled, msg, self.deterministic, self.max_depth)

    def to_json(
        self,
        msg: Message,
        *,
        indent: int | None = None,
        separators: tuple[str, str] | None = None,
        sort_keys: bool = False,
        ensure_ascii: bool = False,
        preserving_proto_field_name: bool = False,
        always_print_fields_with_no_presence: bool = False,
        use_integers_for_enums: bool = False,
        registry: Registry | None = None,
    ) -> str:
        """The canonical proto3 JSON of ``msg``: what ``ddl.to_json(msg, ...)`` returns or raises,
        beside this encoder's ``encode`` (``deterministic`` and ``max_depth`` are the binary
        encoder's; JSON nests as deep as ``ddl.to_json`` writes).

        Example::

            enc = ddl.Encoder()
            text = enc.to_json(user)   # '{"id": "7", "displayName": "Ada"}'
        """
        from ._json import to_json  # ddl._json imports this module: the name is found at the call

        return to_json(
            msg,
            indent=indent,
            separators=separators,
            sort_keys=sort_keys,
            ensure_ascii=ensure_ascii,
            preserving_proto_field_name=preserving_proto_field_name,
            always_print_fields_with_no_presence=always_print_fields_with_no_presence,
            use_integers_for_enums=use_integers_for_enums,
            registry=registry,
        )


class Decoder(Generic[M]):
    """A decoder for one message class, compiled when it is created.

    Example::

        dec = ddl.Decoder(User)
        user = dec.decode(data)
    """

    __slots__ = ("max_depth", "type")

    def __init__(self, type: type[M], *, max_depth: int = DEFAULT_MAX_DEPTH) -> None:
        _codec(type)
        _check_max_depth(max_depth)
        self.type = type
        self.max_depth = max_depth

    def decode(self, data: Buffer, /) -> M:
        """Decode ``data`` into an instance of this decoder's class (see ``ddl.decode``).

        Example::

            user = ddl.Decoder(User).decode(data)
        """
        return decode_with(_compiled.state.compiled, data, self.type, self.max_depth)

    def from_json(
        self, data: str | bytes, *, ignore_unknown_fields: bool = False, registry: Registry | None = None
    ) -> M:
        """The message of this decoder's class in the proto3 JSON text ``data``: what
        ``ddl.from_json(data, cls, ...)`` returns or raises, without naming the class at each call
        (``max_depth`` is the binary decoder's; JSON nests as deep as ``ddl.from_json`` reads).

        Example::

            dec = ddl.Decoder(User)
            user = dec.from_json('{"id": "7", "displayName": "Ada"}')
        """
        from ._json import from_json  # ddl._json imports this module: the name is found at the call

        return from_json(data, self.type, ignore_unknown_fields=ignore_unknown_fields, registry=registry)


# The Python entry points stay reachable: a build without the compiled engine runs them, and
# the tests run them too, on the Python engine (with _compiled.state.compiled off).
python_encode, python_decode = encode, decode
PythonEncoder, PythonDecoder = Encoder, Decoder


def _present_as(compiled: Any, python: Any) -> Any:
    """``compiled`` under the module, name, docstring and annotations of ``python``: one source
    for both engines, so that help(), inspect.signature and pickle see the same function."""
    for attr in ("__module__", "__name__", "__qualname__", "__doc__", "__annotations__"):
        setattr(compiled, attr, getattr(python, attr))
    return compiled


if _speedups is not None:
    # The compiled engine's entry points take over the public functions, with the same
    # signatures (checked against these by tests/test_compiled_api.py); they fall back to
    # encode_with and decode_with on the Python engine for anything they do not take themselves.
    _speedups.install(encode_with, decode_with, _program_of_class, _codec, _check_max_depth, check_required)
    # ddl.encode and ddl.decode are plain C functions (see ddl/_speedups.pyx), which carry their
    # own names and docstrings; the module is the one thing to give them, for pickle and help().
    _speedups.encode.__module__ = _speedups.decode.__module__ = encode.__module__
    encode, decode = _speedups.encode, _speedups.decode
    _present_as(vars(_speedups.Encoder)["to_json"], Encoder.to_json)
    _present_as(vars(_speedups.Decoder)["from_json"], Decoder.from_json)
    if not TYPE_CHECKING:
        # The same classes in C: a method call reaches the engine without a Python frame.
        Encoder = _speedups.Encoder
        Decoder = _speedups.Decoder
