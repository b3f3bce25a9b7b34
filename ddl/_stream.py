"""Length-delimited message streams: each record is a varint length, then that many bytes of message.

This is the framing of protobuf's ``writeDelimitedTo``/``parseDelimitedFrom`` (Java),
``SerializeDelimitedToOstream``/``ParseDelimitedFromZeroCopyStream`` (C++) and
``google.protobuf.proto.serialize_length_prefixed``/``parse_length_prefixed`` (Python), byte for
byte. This module holds the blocking functions and what the asyncio ones (``_astream``) share.

The reader reads exactly the bytes of the records it yields, never ahead, so a stream can carry
other data after them. It asks the stream for at most ``max(64 KiB, bytes already received)``
at a time: a length prefix that claims more than the stream holds costs at most twice what was
really sent, never the claimed size.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Protocol, TypeVar

from . import _compiled
from ._api import Buffer, Decoder, PythonDecoder, encode, python_encode
from ._errors import DecodeError
from ._limits import DEFAULT_MAX_DEPTH
from ._message import Message
from ._wire import SMALL_VARINTS, uvarint_bytes

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


class Readable(Protocol):
    """A blocking binary stream: ``read(n)`` gives up to ``n`` bytes, ``b""`` at the end."""

    def read(self, size: int, /) -> bytes | bytearray | None: ...


class Writable(Protocol):
    """A blocking binary stream: ``write(data)`` gives the count of bytes written (or None)."""

    def write(self, data: bytes, /) -> int | None: ...


# --- writing ---------------------------------------------------------------------------------------


def encode_delimited(msg: Message, *, deterministic: bool = False, max_depth: int = DEFAULT_MAX_DEPTH) -> bytes:
    """One record of a delimited stream: the varint length of ``ddl.encode(msg)``, then those bytes.

    The options are ``ddl.encode``'s. Records joined one after another make a stream that
    ``ddl.read_delimited`` (or protobuf's ``parseDelimitedFrom``) reads back.

    Example::

        data = b"".join(ddl.encode_delimited(u) for u in users)
        assert list(ddl.read_delimited(data, User)) == users
    """
    entry = encode if _compiled.state.compiled else python_encode
    body = entry(msg, deterministic=deterministic, max_depth=max_depth)
    n = len(body)
    return (SMALL_VARINTS[n] if n < len(SMALL_VARINTS) else uvarint_bytes(n)) + body


def write_delimited(
    stream: Writable, msg: Message, *, deterministic: bool = False, max_depth: int = DEFAULT_MAX_DEPTH
) -> int:
    """Write ``msg`` to a binary stream as one length-delimited record; return the bytes written.

    The bytes are those of protobuf's ``writeDelimitedTo`` (and of ``encode_delimited``). A raw
    stream that writes part of the data is called again with the rest; the options are
    ``ddl.encode``'s.

    Example::

        with open("users.bin", "wb") as f:
            for user in users:
                ddl.write_delimited(f, user)
    """
    data = encode_delimited(msg, deterministic=deterministic, max_depth=max_depth)
    _write_all(stream, data)
    return len(data)


def _write_all(stream: Writable, data: bytes) -> None:
    rest = data
    while True:
        written = stream.write(rest)
        if written is None:
            if isinstance(stream, io.RawIOBase):  # a non-blocking raw stream that would block
                raise BlockingIOError(f"the stream took none of {len(rest)} bytes: write to a blocking stream")
            return  # a writer that returns nothing (a file-like of one's own) took it all
        if written >= len(rest):
            return
        if written <= 0:
            raise OSError(f"the stream wrote {written} of {len(rest)} bytes")
        rest = rest[written:]


# --- reading ---------------------------------------------------------------------------------------


def read_delimited(
    source: Readable | Buffer,
    cls: type[M],
    *,
    max_size: int = DEFAULT_MAX_SIZE,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> Iterator[M]:
    """Iterate over the length-delimited records of a binary stream (or of bytes), as ``cls``.

    Reads what protobuf's ``writeDelimitedTo`` writes: a varint length, then the message, until
    the stream ends between two records. The stream is read exactly, never ahead: stop early
    and the next byte is the one after the last record yielded. ``next(it, None)`` reads one
    record, as ``parseDelimitedFrom`` does.

    Every complete record is yielded before any error. Then ``ddl.DecodeError`` reports a
    stream that ends inside a record, a length prefix over 10 bytes, or a length above
    ``max_size`` (64 MiB unless given; nothing of that size is allocated first), with the byte
    ``offset`` where the record starts. An invalid message keeps its field ``path``, and its
    ``offset`` becomes the byte's in the stream. Offsets count from where the reader started.
    ``max_depth`` is ``ddl.decode``'s.

    Example::

        with open("users.bin", "rb") as f:
            for user in ddl.read_delimited(f, User):
                print(user.name)
    """
    decode = decoder_for(cls, max_depth)
    check_max_size(max_size)
    read = _read_function(source)
    return _records(read, decode, max_size)


def _records(read: Callable[[int], object], decode: Callable[[Buffer], M], max_size: int) -> Iterator[M]:
    # The common case inline (a one-byte prefix, a body that arrives in one read); the rest, and
    # every error, in the helpers below.
    index = start = 0
    while True:
        head = read(1)
        if type(head) is not bytes:
            head = _chunk(head)
        if not head:
            return  # the end, between two records
        size = head[0]
        body_start = start + 1
        if size >= 0x80:
            size, body_start = _long_prefix(read, size, index, start)
        if size > max_size:
            raise too_large(index, start, size, max_size)
        body = read(min(size, FIRST_READ)) if size else b""
        if type(body) is not bytes or len(body) != size:
            body = _rest_of_body(read, body, size, index, start)
        try:
            msg = decode(body)
        except DecodeError as err:
            in_record(err, index, start, body_start)
            raise
        yield msg
        index += 1
        start = body_start + size


def _long_prefix(read: Callable[[int], object], first: int, index: int, start: int) -> tuple[int, int]:
    """The length whose prefix starts with ``first`` (a byte with its continuation bit set), and
    where its body starts."""
    size, shift = first & 0x7F, 7
    while True:
        byte = _chunk(read(1))
        if not byte:
            raise truncated_prefix(index, start)
        size |= (byte[0] & 0x7F) << shift
        shift += 7
        if byte[0] < 0x80:
            return size, start + shift // 7
        if shift == 7 * MAX_PREFIX_BYTES:
            raise prefix_too_long(index, start)


def _rest_of_body(read: Callable[[int], object], first: object, size: int, index: int, start: int) -> bytes:
    """A body of ``size`` bytes whose first read gave ``first``: the reads that follow, in
    requests that grow with what has arrived (see ``next_read``)."""
    parts = [_chunk(first)]
    got = len(parts[0])
    while got < size and parts[-1]:
        parts.append(_chunk(read(next_read(size, got))))
        got += len(parts[-1])
    if got < size:
        raise truncated_body(index, start, size, got)
    return b"".join(parts)


def _read_function(source: Readable | Buffer) -> Callable[[int], object]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return io.BytesIO(source).read  # shares bytes; copies a bytearray, so later changes stay out
    if isinstance(source, io.TextIOBase):
        raise TypeError("ddl reads delimited records from a binary stream: open the file with 'rb'")
    read: Callable[[int], object] | None = getattr(source, "read", None)
    if not callable(read):
        raise TypeError(f"expected a binary stream with read(n), or bytes, got {type(source).__qualname__}")
    return read


def _chunk(data: object) -> bytes | bytearray:
    if isinstance(data, (bytes, bytearray)):
        return data
    if data is None:
        raise BlockingIOError("the stream has no data now: read delimited records from a blocking stream")
    raise TypeError(f"the stream's read() returned {type(data).__qualname__}, not bytes: open it in binary mode")


# --- shared with the asyncio functions (_astream) ------------------------------------------------------


def decoder_for(cls: type[M], max_depth: int) -> Callable[[Buffer], M]:
    """The decode of the engine that ``ddl.decode`` runs now; a bad ``cls`` or ``max_depth``
    raises here, when the reader is made, rather than at the first record."""
    if _compiled.state.compiled:
        return Decoder(cls, max_depth=max_depth).decode
    return PythonDecoder(cls, max_depth=max_depth).decode


def check_max_size(max_size: object) -> None:
    if not isinstance(max_size, int) or isinstance(max_size, bool):
        raise TypeError(f"max_size must be an int, got {type(max_size).__qualname__}")
    if max_size < 0:
        raise ValueError(f"max_size must not be negative, got {max_size}")


def next_read(size: int, got: int) -> int:
    """How much to ask for next, of a body of ``size`` bytes of which ``got`` have arrived: what
    is missing, but never more than has arrived already (or ``FIRST_READ``)."""
    return min(size - got, max(FIRST_READ, got))


def truncated_prefix(index: int, start: int) -> DecodeError:
    return DecodeError(f"record {index}: the stream ends inside its length prefix", start)


def prefix_too_long(index: int, start: int) -> DecodeError:
    return DecodeError(f"record {index}: its length prefix is longer than {MAX_PREFIX_BYTES} bytes", start)


def too_large(index: int, start: int, size: int, max_size: int) -> DecodeError:
    return DecodeError(f"record {index}: its length prefix says {size} bytes, more than max_size={max_size}", start)


def truncated_body(index: int, start: int, size: int, got: int) -> DecodeError:
    return DecodeError(f"record {index}: the stream ends after {got} of its {size} bytes", start)


def in_record(err: DecodeError, index: int, start: int, body_start: int) -> None:
    """Count the offset of ``err``, raised decoding a record's body, in the stream, and name the
    record in a note; its path stays the field's."""
    err.offset = start if err.offset is None else body_start + err.offset
    err.add_note(f"in record {index} of the stream, which starts at byte {start}")
