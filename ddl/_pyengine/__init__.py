"""The pure-Python engine: a plan becomes specialized encode and decode functions.

Each class is compiled once, on first use, and the result is cached on the class. The cache
entry is stored before the classes it refers to are compiled, so recursive schemas link up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._binding import Binding
from .._linker import Linker
from .._schema import ClassSpec, MessagePlan, plan_for
from ._decode import DecoderSource
from ._encode import EncoderSource
from ._init import make_init
from ._source import Builder, compile_source, source_of

__all__ = ["Codec", "codec_for", "generated_source", "make_init"]


class Codec:
    """One class's compiled plan and the functions both top-level calls use."""

    __slots__ = ("decode", "encode", "filenames", "group", "grouper", "merge", "merger", "plan", "wrappers")

    plan: MessagePlan
    encode: Callable[[Any, bytearray, int, bool], None]
    decode: Callable[[bytes, int, int, int], Any]
    # Merges the later occurrences of a field of this class into the first one's value:
    # merge(base, buf, ranges, budget), the bodies lying between ranges[2i] and ranges[2i + 1].
    # Few classes ever need it, so ``merge`` has ``merger`` generate the real function on first use.
    merge: Callable[[Any, bytes, list[int], int], Any]
    merger: _OnFirstUse
    # Decodes a group of this class (a field declared ``ddl.field(delimited=True)``):
    # group(buf, pos, end, budget, etag) -> (value, position after the end-group tag ``etag``).
    # Generated on first use too, by ``grouper``.
    group: Callable[[bytes, int, int, int, int], tuple[Any, int]]
    grouper: _OnFirstUse
    filenames: tuple[str, ...]
    # The generated encode and decode functions of each wrapper message of the nested-container
    # conventions, by id of its WrapperNode: the compiled engine calls them for those values.
    wrappers: dict[int, tuple[Callable[..., None], Callable[..., Any]]]


def _publish(cls: type, codec: Codec) -> None:
    cls.__dict__["__ddl__"].codec = codec


# Codecs are published on their classes all at once, when the outermost compilation is done,
# so another thread never runs a half-linked encoder (see ddl._linker).
_linker: Linker[type, Codec] = Linker(_publish)
_lock = _linker.lock


def codec_for(cls: type) -> Codec:
    """The Python engine's codec of a message class, compiling it (and what it refers to) on
    first use. It is published on the class's Binding (``__ddl__.codec``) once linked."""
    binding: Binding = cls.__dict__["__ddl__"]
    codec = binding.codec
    if codec is not None:
        return codec
    return _linker.get(cls, lambda: binding.codec, lambda: _compile(cls))


def _compile(cls: type) -> Codec:
    spec: ClassSpec = cls.__dict__["__ddl__"].spec
    codec = Codec()
    codec.plan = plan_for(cls)
    qualname = f"{cls.__module__}.{cls.__qualname__}"
    deps: list[tuple[str, type, str]] = []

    enc, dec = Builder(), Builder()
    enc_source, dec_source = EncoderSource(enc, deps), DecoderSource(dec, deps)
    enc_file = compile_source("encode", qualname, enc_source.message(codec.plan), enc.globs)
    dec_file = compile_source("decode", qualname, dec_source.message(codec.plan), dec.globs)
    codec.encode, codec.decode = enc.globs["encode"], dec.globs["decode"]
    m = codec.merger = _OnFirstUse(cls, codec, DecoderSource.merger, "merge")
    g = codec.grouper = _OnFirstUse(cls, codec, DecoderSource.group, "decode_group")
    # What generated code calls. The parameters are spelled out rather than passed as *args:
    # the group decoder runs once per group read, and packing arguments would slow each one.
    codec.merge = lambda base, buf, ranges, budget: (m.function or m.compile())(base, buf, ranges, budget)
    codec.group = lambda buf, pos, end, budget, etag: (g.function or g.compile())(buf, pos, end, budget, etag)
    codec.wrappers = {
        key: (enc.globs[name], dec.globs[dec_source.wrappers[key]]) for key, name in enc_source.wrappers.items()
    }
    codec.filenames = (enc_file, dec_file)

    # Registered before linking: a class that refers back to this one finds its functions.
    _linker.building[cls] = codec
    for name, dep, kind in deps:
        target = enc.globs if kind == "enc" else dec.globs
        target[name] = _linked(codec_for(dep), kind)
    assert spec.plan is codec.plan
    return codec


def _linked(codec: Codec, kind: str) -> Callable[..., Any]:
    """The function of ``codec`` that generated code calls as a dependency of this ``kind``."""
    functions: dict[str, Callable[..., Any]] = {
        "enc": codec.encode,
        "dec": codec.decode,
        "mrg": codec.merge,
        "grp": codec.group,
    }
    return functions[kind]


class _OnFirstUse:
    """A generated decode function few classes ever need (``merge``, ``decode_group``): written,
    compiled and linked by ``compile()`` on first use, then kept in ``function``.

    ``write`` is the DecoderSource method that writes its source, defining ``name``.
    """

    __slots__ = ("cls", "codec", "function", "name", "write")

    def __init__(self, cls: type, codec: Codec, write: Callable[[DecoderSource, MessagePlan], str], name: str) -> None:
        self.cls, self.codec, self.write, self.name = cls, codec, write, name
        self.function: Callable[..., Any] | None = None

    def compile(self) -> Callable[..., Any]:
        """The real function, generated now unless it was already."""
        with _lock:
            if self.function is None:
                deps: list[tuple[str, type, str]] = []
                b = Builder()
                source = self.write(DecoderSource(b, deps), self.codec.plan)
                filename = compile_source(self.name, f"{self.cls.__module__}.{self.cls.__qualname__}", source, b.globs)
                for name, dep, kind in deps:
                    b.globs[name] = _linked(codec_for(dep), kind)
                self.codec.filenames += (filename,)
                # Published only now, linked: other threads read ``function`` without the lock,
                # and would otherwise run code whose dependencies are still unbound names.
                self.function = b.globs[self.name]
            return self.function


def generated_source(cls: type) -> str:
    """The generated encode, decode and merge source of a message class, for reading and
    debugging.

    Example::

        print(ddl.generated_source(User))
    """
    codec = codec_for(cls)
    codec.merger.compile()
    return "\n".join(source_of(name) for name in codec.filenames)
