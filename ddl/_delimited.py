"""Reading length-delimited records without doing the IO: what the blocking reader (``_stream``)
and the asyncio one (``_astream``) share, so that each of them is only a loop of reads.

A parser (``record_parser``) says how many bytes it needs next, is sent what a read of them
gave, and gives each message as its record completes. It asks for one byte at a time while it
reads a length prefix, so the stream is read exactly, never ahead, and for a body in requests of
at most ``max(64 KiB, bytes of it already received)``: a length prefix that claims more than the
stream holds costs at most twice what was really sent, never the claimed size. A generator keeps
the state in its locals, which costs a record little more than the reads themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import TypeVar

from . import _compiled
from ._api import Buffer, Decoder, PythonDecoder
from ._errors import DecodeError
from ._message import Message

M = TypeVar("M", bound=Message)

#: The default largest record a reader accepts. 64 MiB was the default limit of protobuf's own
#: parsers in C++, Java and C# until 2017-2018: far beyond most records, yet small enough that a
#: peer cannot make a reader hold gigabytes. protobuf's hard limit, 2 GiB - 1, is the most a
#: message can be; pass ``max_size`` up to it for larger records.
DEFAULT_MAX_SIZE = 64 << 20

#: The longest varint there is (64 bits in 7-bit groups). protobuf's readers take a length
#: prefix of up to 10 bytes too, though a valid length needs at most 5.
MAX_PREFIX_BYTES = 10

#: The most a reader asks of a stream for a body before any of it has arrived; later requests
#: grow with what was received, so a large record takes few calls.
FIRST_READ = 64 << 10


#: A reader's parser: it yields how many bytes to read next with the message that the last bytes
#: completed (or None), and is sent what the read gave (``b""`` at the end of the stream).
Parser = Generator[tuple[int, M | None], bytes | bytearray, None]


def record_parser(cls: type[M], max_size: int, max_depth: int) -> Parser[M]:
    """The parser of one stream's records, as ``cls``, for a reader that does the IO.

    The reader starts with ``need, msg = next(parser)``, then reads ``need`` bytes and sends
    what the read gave, ``need, msg = parser.send(data)``, yielding each ``msg`` that is not
    None, until ``need`` is 0: the stream ended between two records. Reading exactly ``need``
    bytes reads the stream exactly, never ahead. A stream that ends inside a record, a length
    prefix over 10 bytes, a length above ``max_size`` (raised before any of the body is asked
    for) and an invalid message raise ``ddl.DecodeError`` from ``send``, with the offset in the
    stream, counted from the parser's first byte.

    A bad ``cls``, ``max_size`` or ``max_depth`` raises here, so a reader refuses them before
    its first read.
    """
    # The decode of the engine that ddl.decode runs now.
    if _compiled.state.compiled:
        decode: Callable[[Buffer], M] = Decoder(cls, max_depth=max_depth).decode
    else:
        decode = PythonDecoder(cls, max_depth=max_depth).decode
    _check_max_size(max_size)
    return _parse(decode, max_size)


def _check_max_size(max_size: object) -> None:
    # Typed object: callers without a type checker pass anything.
    if not isinstance(max_size, int) or isinstance(max_size, bool):
        raise TypeError(f"max_size must be an int, got {type(max_size).__qualname__}")
    if max_size < 0:
        raise ValueError(f"max_size must not be negative, got {max_size}")


def _parse(decode: Callable[[Buffer], M], max_size: int) -> Parser[M]:
    # The common case straight through (a one-byte prefix, a body that arrives in one read); the
    # rest, and every error, in the helpers below. The generator's locals are the reader's state.
    index = start = 0  # the record being read: its number and the offset of its first byte
    data = yield 1, None
    while data:
        size = data[0]
        body_start = start + 1
        if size >= 0x80:
            size, body_start = yield from _long_prefix(size, index, start)
        if size > max_size:
            raise DecodeError(
                f"record {index}: its length prefix says {size} bytes, more than max_size={max_size}", start
            )
        body = (yield min(size, FIRST_READ), None) if size else b""
        if type(body) is not bytes or len(body) != size:
            body = yield from _rest_of_body(body, size, index, start)
        try:
            msg = decode(body)
        except DecodeError as err:
            # The offset counts in the stream, and a note names the record; the path stays the field's.
            err.offset = start if err.offset is None else body_start + err.offset
            err.add_note(f"in record {index} of the stream, which starts at byte {start}")
            raise
        index += 1
        start = body_start + size
        data = yield 1, msg
    yield 0, None  # the end, between two records


def _long_prefix(first: int, index: int, start: int) -> Generator[tuple[int, None], bytes | bytearray, tuple[int, int]]:
    """The length whose prefix starts with ``first`` (a byte with its continuation bit set), and
    where its body starts."""
    size, shift = first & 0x7F, 7
    while True:
        byte = yield 1, None
        if not byte:
            raise DecodeError(f"record {index}: the stream ends inside its length prefix", start)
        size |= (byte[0] & 0x7F) << shift
        shift += 7
        if byte[0] < 0x80:
            return size, start + shift // 7
        if shift == 7 * MAX_PREFIX_BYTES:
            raise DecodeError(f"record {index}: its length prefix is longer than {MAX_PREFIX_BYTES} bytes", start)


def _rest_of_body(
    first: bytes | bytearray, size: int, index: int, start: int
) -> Generator[tuple[int, None], bytes | bytearray, bytes]:
    """A body of ``size`` bytes whose first read gave ``first``: the reads that follow, in
    requests of what is missing, but never more than has arrived already (or ``FIRST_READ``)."""
    parts = [first]
    got = len(first)
    while got < size and parts[-1]:
        parts.append((yield min(size - got, max(FIRST_READ, got)), None))
        got += len(parts[-1])
    if got < size:
        raise DecodeError(f"record {index}: the stream ends after {got} of its {size} bytes", start)
    return b"".join(parts)
