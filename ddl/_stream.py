"""Length-delimited message streams: each record is a varint length, then that many bytes of message.

This is the framing of protobuf's ``writeDelimitedTo``/``parseDelimitedFrom`` (Java),
``SerializeDelimitedToOstream``/``ParseDelimitedFromZeroCopyStream`` (C++) and
``google.protobuf.proto.serialize_length_prefixed``/``parse_length_prefixed`` (Python), byte for
byte. This module holds the blocking functions, and ``encode_delimited``, which the asyncio ones
(``_astream``) write with too; both readers read through ``_delimited.record_parser``.

The reader reads exactly the bytes of the records it yields, never ahead, so a stream can carry
other data after them.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Protocol

from . import _compiled
from ._api import Buffer, encode, python_encode
from ._delimited import DEFAULT_MAX_SIZE, M, Parser, record_parser
from ._limits import DEFAULT_MAX_DEPTH
from ._message import Message
from ._wire import SMALL_VARINTS, uvarint_bytes


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
    parser = record_parser(cls, max_size, max_depth)
    read = _read_function(source)
    return _records(read, parser)


def _records(read: Callable[[int], object], parser: Parser[M]) -> Iterator[M]:
    need, msg = next(parser)
    while need:
        data = read(need)
        need, msg = parser.send(data if type(data) is bytes else _chunk(data))
        if msg is not None:
            yield msg


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
