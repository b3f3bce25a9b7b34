"""Length-delimited streams: ``ddl.write_delimited``, ``ddl.read_delimited`` and their asyncio twins.

protobuf's own length-prefixed helpers (``google.protobuf.proto.serialize_length_prefixed`` and
``parse_length_prefixed``, the framing of ``writeDelimitedTo``/``parseDelimitedFrom``) are the
oracle: the same bytes out, and each side reads the other's streams, whole or cut anywhere. The
asyncio tests talk over a real loopback connection.
"""

from __future__ import annotations

import asyncio
import io
import tracemalloc
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from google.protobuf import message as pb_message
from google.protobuf import proto
from hypothesis import given
from hypothesis import strategies as st

import ddl
from ddl.testing import instances
from tests.conftest import FIXTURE_SAFE, Engine
from tests.protoc import compile_proto

PROTO = """
syntax = "proto3";
package ddl_stream;

message Entry {
  int64 id = 1;
  string name = 2;
  bytes blob = 3;
  repeated sint32 deltas = 4;
  Entry child = 5;
  optional double score = 6;
}
"""


class Entry(ddl.Message):
    id: int = 0
    name: str = ""
    blob: bytes = b""
    deltas: list[ddl.sint32] = []
    child: Entry | None = None
    score: float | None = None


@cache
def twin() -> Any:
    module: ModuleType = compile_proto("ddl_stream_test", PROTO)
    return module.Entry


def to_pb(engine: Engine, entry: Entry) -> Any:
    return twin().FromString(engine.encode(entry))


def pb_stream(pb_entries: list[Any]) -> bytes:
    out = io.BytesIO()
    for m in pb_entries:
        proto.serialize_length_prefixed(m, out)
    return out.getvalue()


def pb_read_all(data: bytes) -> list[Any]:
    """protobuf's reading of a stream: records until a clean end (an exception otherwise)."""
    stream, records = io.BytesIO(data), []
    while (m := proto.parse_length_prefixed(twin(), stream)) is not None:
        records.append(m)
    return records


def ddl_stream(entries: list[Entry]) -> bytes:
    out = io.BytesIO()
    written = [ddl.write_delimited(out, e) for e in entries]
    assert sum(written) == out.tell()
    return out.getvalue()


def read_until_error(records: Any) -> tuple[list[Any], ddl.DecodeError | None]:
    """Every record an iterator yields, then the DecodeError it ends with (None at a clean end)."""
    got = []
    try:
        got.extend(records)
    except ddl.DecodeError as err:
        return got, err
    return got, None


def read_until_error_async(data: bytes, **options: Any) -> tuple[list[Any], ddl.DecodeError | None]:
    """``read_until_error`` of ``ddl.read_delimited_async`` over an asyncio.StreamReader given ``data``."""

    async def main() -> tuple[list[Any], ddl.DecodeError | None]:
        reader = asyncio.StreamReader()
        reader.feed_data(data)
        reader.feed_eof()
        got = []
        try:
            async for record in ddl.read_delimited_async(reader, Entry, **options):
                got.append(record)
        except ddl.DecodeError as err:
            return got, err
        return got, None

    return asyncio.run(main())


SAMPLE = [
    Entry(id=1, name="one"),
    Entry(),  # an empty body: the record is one 0 byte
    Entry(id=-3, blob=b"\xfe" * 200, deltas=[-1, 2, -3], child=Entry(name="kid", score=-0.0)),
    Entry(id=2**40, score=2.5),
]


class Trickle(io.RawIOBase):
    """A raw (unbuffered) stream that gives 1 to 3 bytes per read, as a pipe or socket may."""

    def __init__(self, data: bytes) -> None:
        self.data, self.pos, self.calls = data, 0, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        self.calls += 1
        n = min(len(buffer), 1 + self.calls % 3, len(self.data) - self.pos)
        buffer[:n] = self.data[self.pos : self.pos + n]
        self.pos += n
        return n


class Recording(io.BytesIO):
    """A stream that notes the size of every read asked of it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.asked: list[int] = []

    def read(self, size: int | None = -1, /) -> bytes:
        self.asked.append(-1 if size is None else size)
        return super().read(size)


# --- against protobuf -----------------------------------------------------------------------------


@FIXTURE_SAFE
@given(entries=st.lists(instances(Entry, max_depth=3), max_size=6))
def test_streams_are_protobufs_byte_for_byte_both_ways(engine: Engine, entries: list[Entry]) -> None:
    pb_entries = [to_pb(engine, e) for e in entries]
    written = ddl_stream(entries)
    assert written == pb_stream(pb_entries)
    assert b"".join(ddl.encode_delimited(e) for e in entries) == written
    assert pb_read_all(written) == pb_entries
    assert list(ddl.read_delimited(io.BytesIO(pb_stream(pb_entries)), Entry)) == entries


@pytest.mark.parametrize("blob_size", [125, 126, 16380, 16381, 3 << 20])
def test_bodies_at_length_prefix_boundaries(engine: Engine, blob_size: int) -> None:
    # Bodies of 127 and 128, 16383 and 16384 bytes (one tag, the blob's length, the blob), and
    # one of 3 MiB, read in several growing requests.
    entry = Entry(blob=bytes(range(256)) * (blob_size // 256) + b"\x07" * (blob_size % 256))
    body = engine.encode(entry)
    record = pb_stream([to_pb(engine, entry)])
    assert ddl.encode_delimited(entry) == record
    assert record.endswith(body) and pb_read_all(ddl_stream([entry])) == [to_pb(engine, entry)]
    assert list(ddl.read_delimited(record, Entry)) == [entry]
    if blob_size < 1 << 20:
        assert list(ddl.read_delimited(Trickle(record * 2), Entry)) == [entry, entry]
    else:
        stream = Recording(record)
        assert list(ddl.read_delimited(stream, Entry)) == [entry]
        # 4 prefix bytes, requests that double from 64 KiB up to what is missing, then the end.
        assert stream.asked == [1, 1, 1, 1, 64 << 10, *(64 << 10 << i for i in range(5)), len(body) - (2 << 20), 1]


def test_truncated_at_every_offset(engine: Engine) -> None:
    data = ddl_stream(SAMPLE)
    ends = [len(ddl_stream(SAMPLE[: i + 1])) for i in range(len(SAMPLE))]
    for cut in range(len(data)):
        complete = sum(end <= cut for end in ends)
        sources = (data[:cut], io.BytesIO(data[:cut]), Trickle(data[:cut]))
        for records, err in [
            *(read_until_error(ddl.read_delimited(s, Entry)) for s in sources),
            read_until_error_async(data[:cut]),
        ]:
            assert records == SAMPLE[:complete]
            if cut in (0, *ends):
                assert err is None
            else:
                assert err is not None
                assert (err.offset, err.path) == (([0, *ends])[complete], "$")
                assert f"record {complete}:" in err.message
        stream = io.BytesIO(data[:cut])
        pb_records = []
        if cut in (0, *ends):
            pb_records = pb_read_all(data[:cut])
        else:
            with pytest.raises((ValueError, pb_message.DecodeError)):
                while (m := proto.parse_length_prefixed(twin(), stream)) is not None:
                    pb_records.append(m)
        assert pb_records == [to_pb(engine, e) for e in SAMPLE[:complete]]


def test_ten_byte_length_prefix_is_read_and_eleven_are_an_error(engine: Engine) -> None:
    head = ddl.encode_delimited(SAMPLE[0])
    padded_zero = b"\x80" * 9 + b"\x00"  # 0, spelled in the longest varint there is
    assert list(ddl.read_delimited(head + padded_zero, Entry)) == [SAMPLE[0], Entry()]
    assert pb_read_all(head + padded_zero) == [to_pb(engine, SAMPLE[0]), twin()()]
    assert read_until_error_async(head + padded_zero) == ([SAMPLE[0], Entry()], None)
    too_long = head + b"\x80" * 10 + b"\x00"
    for records, err in (read_until_error(ddl.read_delimited(too_long, Entry)), read_until_error_async(too_long)):
        assert records == [SAMPLE[0]]
        assert err is not None and err.offset == len(head) and "longer than 10 bytes" in err.message


# --- limits -----------------------------------------------------------------------------------------


def test_a_length_over_max_size_is_refused_before_its_body_is_read(engine: Engine) -> None:
    small, big = ddl.encode_delimited(SAMPLE[0]), ddl.encode_delimited(Entry(blob=b"x" * 98))
    assert len(big) == 101  # a 1-byte prefix, then 100 bytes
    assert list(ddl.read_delimited(small + big, Entry, max_size=100))[1].blob == b"x" * 98
    stream = Recording(small + big)
    records, err = read_until_error(ddl.read_delimited(stream, Entry, max_size=99))
    assert records == [SAMPLE[0]]
    assert err is not None and err.offset == len(small)
    assert "says 100 bytes, more than max_size=99" in err.message
    assert stream.tell() == len(small) + 1  # the prefix, and nothing of the body


def test_a_huge_claimed_length_allocates_only_what_arrives(tmp_path: Path) -> None:
    path = tmp_path / "liar.bin"
    claimed = (1 << 40) - 1
    path.write_bytes(ddl.encode_delimited(SAMPLE[0]) + bytes(proto_varint(claimed)) + b"0123456789")
    tracemalloc.start()
    try:
        with path.open("rb") as f:
            records, err = read_until_error(ddl.read_delimited(f, Entry, max_size=1 << 40))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert records == [SAMPLE[0]]
    assert err is not None and f"ends after 10 of its {claimed} bytes" in err.message
    assert peak < 1 << 20


def test_the_default_max_size_is_64_mib() -> None:
    at_limit = Recording(bytes(proto_varint(64 << 20)) + b"x")
    _, err = read_until_error(ddl.read_delimited(at_limit, Entry))
    assert err is not None and "ends after 1 of its" in err.message
    assert max(at_limit.asked) <= 64 << 10  # asked in bounded chunks, never for the claim
    _, err = read_until_error(ddl.read_delimited(bytes(proto_varint((64 << 20) + 1)), Entry))
    assert err is not None and "more than max_size=67108864" in err.message


def test_max_depth_applies_to_each_record(engine: Engine) -> None:
    deep = Entry(child=Entry(child=Entry(child=Entry(id=4))))
    data = ddl.encode_delimited(deep)
    assert list(ddl.read_delimited(data, Entry)) == [deep]
    for _, err in (
        read_until_error(ddl.read_delimited(data, Entry, max_depth=2)),
        read_until_error_async(data, max_depth=2),
    ):
        assert err is not None and "max_depth" in err.message


def proto_varint(n: int) -> bytearray:
    out = bytearray()
    while n > 0x7F:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return out


# --- errors inside a record, and the stream around it ------------------------------------------


def test_an_invalid_body_keeps_its_path_and_gets_its_offset_in_the_stream(engine: Engine) -> None:
    body = b"\x08\x07" + b"\x2a\x04" + b"\x12\x02\xff\xfe"  # id=7, child={name: invalid UTF-8}
    with pytest.raises(ddl.DecodeError) as alone:
        engine.decode(body, Entry)
    assert alone.value.path == "$.child.name" and alone.value.offset is not None
    head = ddl.encode_delimited(SAMPLE[2])
    data = head + bytes([len(body)]) + body
    for records, err in (read_until_error(ddl.read_delimited(io.BytesIO(data), Entry)), read_until_error_async(data)):
        assert records == [SAMPLE[2]]
        assert err is not None and err.path == "$.child.name"
        assert err.offset == len(head) + 1 + alone.value.offset
        assert err.__notes__ == [f"in record 1 of the stream, which starts at byte {len(head)}"]


def test_the_stream_is_read_exactly_never_ahead(engine: Engine) -> None:
    data = ddl_stream(SAMPLE) + b"trailer"
    stream = io.BytesIO(data)
    records = ddl.read_delimited(stream, Entry)
    assert next(records) == SAMPLE[0]
    assert stream.tell() == len(ddl.encode_delimited(SAMPLE[0]))
    assert proto.parse_length_prefixed(twin(), stream) == to_pb(engine, SAMPLE[1])
    assert next(ddl.read_delimited(stream, Entry)) == SAMPLE[2]  # offsets count from here
    assert stream.read() == ddl.encode_delimited(SAMPLE[3]) + b"trailer"


def test_short_writes_are_continued(engine: Engine) -> None:
    class Narrow(io.RawIOBase):
        """A raw stream that takes at most 7 bytes per write."""

        def __init__(self) -> None:
            self.out = bytearray()

        def writable(self) -> bool:
            return True

        def write(self, data: Any) -> int:
            self.out += bytes(data[:7])
            return min(len(data), 7)

    sink = Narrow()
    assert [ddl.write_delimited(sink, e) for e in SAMPLE] == [len(ddl.encode_delimited(e)) for e in SAMPLE]
    assert bytes(sink.out) == ddl_stream(SAMPLE)


def test_arguments_are_checked_when_the_reader_is_made() -> None:
    with pytest.raises(TypeError, match=r"a ddl\.Message subclass"):
        ddl.read_delimited(b"", int)  # type: ignore[type-var]
    with pytest.raises(TypeError, match="max_size must be an int"):
        ddl.read_delimited(b"", Entry, max_size="1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="must not be negative"):
        ddl.read_delimited(b"", Entry, max_size=-1)
    with pytest.raises(TypeError, match="open the file with 'rb'"):
        ddl.read_delimited(io.StringIO("x"), Entry)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="a binary stream with read"):
        ddl.read_delimited(42, Entry)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="expected an instance of a ddl"):
        ddl.write_delimited(io.BytesIO(), Entry)  # type: ignore[arg-type]

    async def main() -> None:
        with pytest.raises(TypeError, match=r"a ddl\.Message subclass"):
            ddl.read_delimited_async(asyncio.StreamReader(), int)  # type: ignore[type-var]
        with pytest.raises(TypeError, match=r"expected an asyncio\.StreamReader"):
            ddl.read_delimited_async(b"", Entry)  # type: ignore[arg-type]

    asyncio.run(main())


def test_streams_that_give_no_bytes() -> None:
    class Text:
        def read(self, size: int) -> str:
            return "\n"

    class WouldBlock(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> None:
            return None

    with pytest.raises(TypeError, match="returned str, not bytes"):
        next(ddl.read_delimited(Text(), Entry))  # type: ignore[arg-type]
    with pytest.raises(BlockingIOError):
        next(ddl.read_delimited(WouldBlock(), Entry))


def test_a_bytearray_is_read_as_it_was_when_the_reader_was_made() -> None:
    data = bytearray(ddl_stream(SAMPLE))
    records = ddl.read_delimited(data, Entry)
    data[:] = b"\xff" * len(data)
    assert list(records) == SAMPLE


# --- asyncio, over a real loopback connection --------------------------------------------------------


@asynccontextmanager
async def connection(
    serve: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]],
) -> AsyncIterator[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    """A client connection to a loopback server that runs ``serve`` on its end, then closes it."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await serve(reader, writer)
        finally:
            writer.close()

    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            yield reader, writer
        finally:
            writer.close()
            await writer.wait_closed()


def test_asyncio_echo_over_loopback(engine: Engine) -> None:
    entries = [*SAMPLE, Entry(blob=b"\x01" * (3 << 20), name="large"), *SAMPLE]

    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        async for entry in ddl.read_delimited_async(reader, Entry):
            await ddl.write_delimited_async(writer, Entry(id=entry.id + 1, blob=entry.blob))

    async def main() -> list[Entry]:
        async with connection(echo) as (reader, writer):
            sizes = [await ddl.write_delimited_async(writer, e) for e in entries]
            assert sizes == [len(ddl.encode_delimited(e)) for e in entries]
            writer.write_eof()
            return [e async for e in ddl.read_delimited_async(reader, Entry)]

    assert asyncio.run(main()) == [Entry(id=e.id + 1, blob=e.blob) for e in entries]


def test_asyncio_against_protobuf_both_ways(engine: Engine) -> None:
    pb_bytes = pb_stream([to_pb(engine, e) for e in SAMPLE])
    received = bytearray()

    async def exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(pb_bytes)
        await writer.drain()
        received.extend(await reader.read())  # everything the client writes, to its end

    async def main() -> list[Entry]:
        async with connection(exchange) as (reader, writer):
            for e in SAMPLE:
                await ddl.write_delimited_async(writer, e)
            writer.write_eof()
            return [e async for e in ddl.read_delimited_async(reader, Entry)]

    assert asyncio.run(main()) == SAMPLE
    assert pb_read_all(bytes(received)) == [to_pb(engine, e) for e in SAMPLE]


def test_asyncio_connection_closed_inside_a_record(engine: Engine) -> None:
    data = ddl_stream(SAMPLE)
    third = len(ddl_stream(SAMPLE[:2]))

    async def cut(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(data[: third + 3])
        await writer.drain()

    async def main() -> tuple[list[Entry], ddl.DecodeError | None]:
        got: list[Entry] = []
        async with connection(cut) as (reader, _):
            try:
                async for e in ddl.read_delimited_async(reader, Entry):
                    got.append(e)
            except ddl.DecodeError as err:
                return got, err
        return got, None

    records, err = asyncio.run(main())
    assert records == SAMPLE[:2]
    assert err is not None and err.offset == third and "record 2:" in err.message


def test_asyncio_refuses_an_oversized_length_without_waiting_for_its_body() -> None:
    async def claim(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(ddl.encode_delimited(SAMPLE[0]) + bytes(proto_varint((1 << 20) + 1)))
        await writer.drain()
        await reader.read()  # holds the connection open: the body never comes

    async def main() -> tuple[list[Entry], ddl.DecodeError]:
        got: list[Entry] = []
        async with connection(claim) as (reader, writer):
            with pytest.raises(ddl.DecodeError) as info:
                async with asyncio.timeout(10):
                    async for e in ddl.read_delimited_async(reader, Entry, max_size=1 << 20):
                        got.append(e)
            writer.write_eof()
        return got, info.value

    records, err = asyncio.run(main())
    assert records == [SAMPLE[0]]
    assert err.offset == len(ddl.encode_delimited(SAMPLE[0]))
    assert f"says {(1 << 20) + 1} bytes, more than max_size={1 << 20}" in err.message
