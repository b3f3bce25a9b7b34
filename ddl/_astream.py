"""Length-delimited message streams over asyncio: ``asyncio.StreamReader`` and ``StreamWriter``.

The same records, limits and errors as the blocking functions of ``_stream``, which this module
shares; only the reads and writes are awaited.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Protocol

from ._api import Buffer
from ._errors import DecodeError
from ._limits import DEFAULT_MAX_DEPTH
from ._message import Message
from ._stream import (
    DEFAULT_MAX_SIZE,
    FIRST_READ,
    MAX_PREFIX_BYTES,
    M,
    check_max_size,
    decoder_for,
    encode_delimited,
    in_record,
    next_read,
    prefix_too_long,
    too_large,
    truncated_body,
    truncated_prefix,
)


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
    decode = decoder_for(cls, max_depth)
    check_max_size(max_size)
    if not callable(getattr(reader, "read", None)):
        raise TypeError(f"expected an asyncio.StreamReader, got {type(reader).__qualname__}")
    return _records(reader.read, decode, max_size)


async def _records(
    read: Callable[[int], Awaitable[object]], decode: Callable[[Buffer], M], max_size: int
) -> AsyncIterator[M]:
    # _stream._records, line for line, with the reads awaited.
    index = start = 0
    while True:
        head = await read(1)
        if type(head) is not bytes:
            head = _chunk(head)
        if not head:
            return  # the end, between two records
        size = head[0]
        body_start = start + 1
        if size >= 0x80:
            size, body_start = await _long_prefix(read, size, index, start)
        if size > max_size:
            raise too_large(index, start, size, max_size)
        body = await read(min(size, FIRST_READ)) if size else b""
        if type(body) is not bytes or len(body) != size:
            body = await _rest_of_body(read, body, size, index, start)
        try:
            msg = decode(body)
        except DecodeError as err:
            in_record(err, index, start, body_start)
            raise
        yield msg
        index += 1
        start = body_start + size


async def _long_prefix(read: Callable[[int], Awaitable[object]], first: int, index: int, start: int) -> tuple[int, int]:
    size, shift = first & 0x7F, 7
    while True:
        byte = _chunk(await read(1))
        if not byte:
            raise truncated_prefix(index, start)
        size |= (byte[0] & 0x7F) << shift
        shift += 7
        if byte[0] < 0x80:
            return size, start + shift // 7
        if shift == 7 * MAX_PREFIX_BYTES:
            raise prefix_too_long(index, start)


async def _rest_of_body(
    read: Callable[[int], Awaitable[object]], first: object, size: int, index: int, start: int
) -> bytes:
    parts = [_chunk(first)]
    got = len(parts[0])
    while got < size and parts[-1]:
        parts.append(_chunk(await read(next_read(size, got))))
        got += len(parts[-1])
    if got < size:
        raise truncated_body(index, start, size, got)
    return b"".join(parts)


def _chunk(data: object) -> bytes | bytearray:
    if isinstance(data, (bytes, bytearray)):
        return data
    raise TypeError(f"the reader's read() gave {type(data).__qualname__}, not bytes")
