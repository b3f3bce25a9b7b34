"""Length-delimited message streams over asyncio: ``asyncio.StreamReader`` and ``StreamWriter``.

The same records, limits and errors as the blocking functions of ``_stream``: both readers
read through ``_delimited.record_parser``, and the writer writes ``encode_delimited``'s bytes;
only the reads and writes are awaited.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Protocol

from ._delimited import DEFAULT_MAX_SIZE, M, Parser, record_parser
from ._limits import DEFAULT_MAX_DEPTH
from ._message import Message
from ._stream import encode_delimited


class AsyncReadable(Protocol):
    """What an asyncio reader offers: ``await read(n)`` gives up to ``n`` bytes, ``b""`` at the end."""

    def read(self, n: int, /) -> Awaitable[bytes]: ...


class AsyncWritable(Protocol):
    """What an asyncio writer offers: ``write(data)`` buffers, ``await drain()`` waits for room."""

    def write(self, data: bytes, /) -> object: ...

    def drain(self) -> Awaitable[None]: ...


async def write_delimited_async(
    writer: AsyncWritable, msg: Message, *, deterministic: bool = False, max_depth: int = DEFAULT_MAX_DEPTH
) -> int:
    """Write ``msg`` as one length-delimited record and await ``writer.drain()``; return the bytes written.

    ``writer`` is an ``asyncio.StreamWriter`` (or anything with ``write(data)`` and an awaitable
    ``drain()``). The bytes and options are ``ddl.write_delimited``'s.

    Example::

        reader, writer = await asyncio.open_connection(host, port)
        for user in users:
            await ddl.write_delimited_async(writer, user)
    """
    data = encode_delimited(msg, deterministic=deterministic, max_depth=max_depth)
    writer.write(data)
    await writer.drain()
    return len(data)


def read_delimited_async(
    reader: AsyncReadable,
    cls: type[M],
    *,
    max_size: int = DEFAULT_MAX_SIZE,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> AsyncIterator[M]:
    """Iterate over the length-delimited records of an ``asyncio.StreamReader``, as ``cls``.

    ``ddl.read_delimited`` over asyncio: the same records, limits (``max_size``, 64 MiB unless
    given) and ``ddl.DecodeError``s, each raised after every complete record before it was
    yielded. The reader is read exactly, never ahead. Cancelled inside a record, it is left
    inside that record.

    Example::

        reader, writer = await asyncio.open_connection(host, port)
        async for user in ddl.read_delimited_async(reader, User):
            print(user.name)
    """
    parser = record_parser(cls, max_size, max_depth)
    if not callable(getattr(reader, "read", None)):
        raise TypeError(f"expected an asyncio.StreamReader, got {type(reader).__qualname__}")
    return _records(reader.read, parser)


async def _records(read: Callable[[int], Awaitable[object]], parser: Parser[M]) -> AsyncIterator[M]:
    need, msg = next(parser)
    while need:
        data = await read(need)
        need, msg = parser.send(data if type(data) is bytes else _chunk(data))
        if msg is not None:
            yield msg


def _chunk(data: object) -> bytes | bytearray:
    if isinstance(data, (bytes, bytearray)):
        return data
    raise TypeError(f"the reader's read() gave {type(data).__qualname__}, not bytes")
