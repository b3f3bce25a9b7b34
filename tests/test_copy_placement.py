"""Long copies between two blocks of memory (a decoded vector's array or bytes from the input, a
vector's array into the encoded bytes) take another path in the compiled engine where the
destination lies 1 to 31 bytes past the source modulo 4 KB, since memcpy's `rep movsb` can
stall there on AMD's CPUs (ddl_copy_apart in ddl/_cy/ddl_wire.h). Whatever the placement, the bytes and values
are the reference engine's, on both paths: each test runs with that path taken and not taken,
whatever this machine's CPU. Each test keeps the blocks on one side alive, so that each lands
somewhere new, while the other side reuses one block, and checks that some copy did land in
that window, so that it tests the other path and not only memcpy.

Addresses are read the CPython way: a bytes object's data at ``id(b) + 32``, an array's items
at ``buffer_info()[0]``."""

from __future__ import annotations

import platform
import random
import sys
from array import array
from collections.abc import Iterator
from typing import TypeVar

import pytest

import ddl
from ddl._api import decode_with, encode_with
from ddl._compiled import program_of, speedups

pytestmark = [
    pytest.mark.skipif(speedups is None, reason="the compiled engine is not built"),
    pytest.mark.skipif(sys.implementation.name != "cpython", reason="reads addresses as CPython lays them out"),
]

BYTES_DATA = 32  # offsetof(PyBytesObject, ob_sval) on 64-bit CPython 3.11 to 3.13
PAGE = 4096
M = TypeVar("M", bound=ddl.Message)
PLACES = 2048  # inputs (or outputs) kept alive at once: about 15 land in the window


@pytest.fixture(params=[False, True], ids=["memcpy", "backward"])
def both_paths(request: pytest.FixtureRequest) -> Iterator[None]:
    """The test once with copies in the window made by memcpy, once by the backward loop."""
    assert speedups is not None
    before = speedups.aliased_copies_backward(request.param)
    yield
    speedups.aliased_copies_backward(before)


def cpu_info(key: str) -> str | None:
    """The value of ``key`` in the first CPU's entry of Linux's /proc/cpuinfo, or None."""
    try:
        with open("/proc/cpuinfo") as f:
            found = (line.split(":", 1)[1].strip() for line in f if line.split(":", 1)[0].strip() == key)
            return next(found, None)
    except OSError:
        return None


@pytest.mark.skipif(platform.machine() != "x86_64" or cpu_info("vendor_id") is None, reason="reads Linux's x86-64 CPU")
def test_copies_in_the_window_run_backward_on_cpus_of_amd_design_with_rep_movsb_only() -> None:
    assert speedups is not None
    amd = cpu_info("vendor_id") in ("AuthenticAMD", "HygonGenuine")
    erms = "erms" in (cpu_info("flags") or "").split()
    assert speedups.aliased_copies_backward() == (amd and erms)


class Blob(ddl.Message):
    pad: str = ""
    data: bytes = b""


class Embedding(ddl.Message):
    pad: str = ""
    values: ddl.Vector[ddl.float32] = array("f")


def in_window(dst: int, src: int) -> bool:
    """Whether dst lies 1 to 31 bytes past src modulo 4 KB: where the other path is taken."""
    return 1 <= (dst - src) % PAGE <= 31


def decoded_each(cls: type[M], inputs: list[bytes], size: int) -> Iterator[tuple[M, int]]:
    """Each input decoded by the compiled engine (called directly: a hand-back to the reference
    engine would hide the compiled copy), with the address of the input's last ``size`` bytes,
    the field the decoder copies."""
    assert speedups is not None
    for data in inputs:
        value = speedups.decode_program(program_of(cls), data, 100)
        assert isinstance(value, cls)
        yield value, id(data) + BYTES_DATA + len(data) - size


@pytest.mark.usefixtures("both_paths")
@pytest.mark.parametrize("size", [2049, 4096, 6000, 8192, 8193])
def test_a_bytes_field_decodes_to_its_bytes_wherever_it_lands(size: int) -> None:
    blob = random.Random(size).randbytes(size)
    inputs = [encode_with(False, Blob(pad="p" * pad, data=blob)) for pad in range(PLACES)]
    hits = 0
    for msg, src in decoded_each(Blob, inputs, size):
        assert msg.data == blob
        hits += in_window(id(msg.data) + BYTES_DATA, src)
    assert hits > 0


@pytest.mark.usefixtures("both_paths")
@pytest.mark.parametrize("count", [513, 1024, 1500, 2048, 2049])
def test_a_vector_decodes_to_its_floats_wherever_its_array_lands(count: int) -> None:
    values = array("f", [float(k) - count / 2 for k in range(count)])
    size = count * 4
    inputs = [encode_with(False, Embedding(pad="p" * pad, values=values)) for pad in range(PLACES)]
    hits = 0
    for msg, src in decoded_each(Embedding, inputs, size):
        assert msg.values == values
        assert msg.values.typecode == "f"
        hits += in_window(msg.values.buffer_info()[0], src)
    assert hits > 0


def test_a_decoded_vector_grows_as_any_array_does() -> None:
    # the array filled by the decoder without frombytes is an ordinary array afterwards
    values = array("f", range(1024))
    msg = decode_with(True, ddl.encode(Embedding(values=values)), Embedding)
    msg.values.extend(range(10))
    msg.values.frombytes(array("f", [1.5]).tobytes())
    assert msg.values == array("f", [*range(1024), *range(10), 1.5])
    del msg.values[:1000]
    assert len(msg.values) == 35


@pytest.mark.usefixtures("both_paths")
@pytest.mark.parametrize("count", [1024, 2048])
def test_a_vector_encodes_to_its_bytes_wherever_the_output_lands(count: int) -> None:
    values = array("f", [k / 7 for k in range(count)])
    size = count * 4
    outputs = []
    hits = 0
    assert speedups is not None
    # a pad of every length up to a page: the output's end then takes every offset in a page even
    # where the allocator puts blocks of one size at one offset in theirs (AddressSanitizer's)
    for pad in range(PAGE):
        msg = Embedding(pad="p" * pad, values=values)
        data = speedups.encode_program(program_of(Embedding), msg, 100)
        assert data == encode_with(False, msg)
        hits += in_window(id(data) + BYTES_DATA + len(data) - size, values.buffer_info()[0])
        outputs.append(data)
    assert hits > 0
