"""The compiled engine as users and other compilers meet it.

Its C helpers (ddl/_cy/*.h) give the same counts, varint sizes and bytes as Python's own integer
arithmetic, on the builtins path and on the portable path that compilers without the builtins
take; its entry points carry the names, docstrings and signatures of the reference ones, so
``help(ddl.encode)`` reads the same on either engine; and ddl/_speedups.pyi matches the module.
"""

from __future__ import annotations

import inspect
import os
import pickle
import pydoc
import random
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest

import ddl
from ddl import _api, _json, _oneof
from ddl._compiled import speedups

ROOT = Path(__file__).resolve().parent.parent
HEADERS = ROOT / "ddl" / "_cy"
MASK64 = (1 << 64) - 1

compiled_only = pytest.mark.skipif(speedups is None, reason="the compiled engine is not built")


# -- the C helpers, compiled alone -------------------------------------------------------------

# Reads one 64-bit hex number a line and prints what ddl_wire.h makes of it: leading and trailing
# zero counts, the varint's size, its bytes, the value and length ddl_varint10 reads back, and
# what ddl_varint_before wrote backwards to end at byte 24 of a buffer: where it starts, its
# bytes, and the 8 bytes after its end, which it must leave as they were.
# The first line names what DDL_CLZ64 expands to, so that a test of the fallback knows it ran it.
WIRE_PROBE = r"""
#include <stdio.h>
#include <inttypes.h>
#include "ddl_wire.h"

#define TEXT(x) #x
#define EXPANDED(x) TEXT(x)

int main(void) {
    uint64_t x;
    printf("%s\n", EXPANDED(DDL_CLZ64(x)));
    while (scanf("%" SCNx64, &x) == 1) {
        unsigned char buf[16] = {0};
        int size = ddl_vsize(x), len = -1;
        ddl_put_varint(buf, x);
        uint64_t back = ddl_varint10(buf, &len);
        printf("%d %d %d ", DDL_CLZ64(x), DDL_CTZ64(x), size);
        for (int i = 0; i < size; i++) printf("%02x", buf[i]);
        printf(" %" PRIx64 " %d ", back, len);
        unsigned char out[32];
        memset(out, 0xEE, sizeof out);
        unsigned char* start = ddl_varint_before(out + 24, x);
        printf("%d ", (int)(start - out));
        for (unsigned char* p = start; p < out + 24; p++) printf("%02x", *p);
        printf(" ");
        for (int i = 24; i < 32; i++) printf("%02x", out[i]);
        printf("\n");
    }
    return 0;
}
"""


def _compiler() -> str | None:
    configured = (sysconfig.get_config_var("CC") or "cc").split()[0]
    return shutil.which(os.environ.get("CC", configured)) or shutil.which("cc")


def build_probe(tmp_path: Path, header: str, source: str, defines: list[str]) -> Path:
    """A program compiled from ``source`` against the C headers beside the tests (``header``
    among them), with warnings as errors; the test is skipped without a compiler or headers."""
    cc = _compiler()
    if cc is None:
        pytest.skip("no C compiler")
    if not (HEADERS / header).exists():
        pytest.skip("no C headers beside the tests: an installed wheel carries no C sources")
    path, program = tmp_path / "probe.c", tmp_path / "probe"
    path.write_text(source)
    flags = ["-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", f"-I{HEADERS}", *defines]
    subprocess.run([cc, *flags, str(path), "-o", str(program)], check=True)
    return program


def _varint(x: int) -> bytes:
    out = bytearray()
    while x >= 0x80:
        out.append((x & 0x7F) | 0x80)
        x >>= 7
    out.append(x)
    return bytes(out)


def _probe_inputs() -> list[int]:
    """For every bit position: the bit alone, with every lower bit set, and with every higher
    bit set; then random words of every length, so every count and varint size is met."""
    values = []
    for bit in range(64):
        values += [1 << bit, (2 << bit) - 1, (MASK64 << bit) & MASK64]
    rng = random.Random(11)
    values += [rng.getrandbits(64) >> rng.randrange(64) | 1 << rng.randrange(64) for _ in range(500)]
    return values


@pytest.mark.parametrize("defines", [[], ["-DDDL_NO_BUILTINS"]], ids=["builtins", "portable"])
def test_bit_counts_and_varints_of_every_bit_position(tmp_path: Path, defines: list[str]) -> None:
    program = build_probe(tmp_path, "ddl_wire.h", WIRE_PROBE, defines)
    values = _probe_inputs()
    result = subprocess.run(
        [str(program)], input="".join(f"{x:x}\n" for x in values), capture_output=True, text=True, check=True
    )
    expansion, *lines = result.stdout.splitlines()
    if defines:
        assert "ddl_clz64_portable" in expansion
    assert len(lines) == len(values)
    for x, line in zip(values, lines, strict=True):
        clz, ctz, size, written, back, length, start, before, after = line.split()
        expected_size = max(1, -(-x.bit_length() // 7))
        assert int(clz) == 64 - x.bit_length(), hex(x)
        assert int(ctz) == (x & -x).bit_length() - 1, hex(x)
        assert int(size) == expected_size, hex(x)
        assert bytes.fromhex(written) == _varint(x), hex(x)
        assert (int(back, 16), int(length)) == (x, expected_size), hex(x)
        assert (int(start), bytes.fromhex(before)) == (24 - expected_size, _varint(x)), hex(x)
        assert after == "ee" * 8, hex(x)


# -- the entry points ----------------------------------------------------------------------------

FUNCTIONS = [
    ("encode", _api.python_encode),
    ("decode", _api.python_decode),
    ("to_json", _json.python_to_json),
    ("from_json", _json.python_from_json),
    ("to_dict", _json.python_to_dict),
    ("from_dict", _json.python_from_dict),
    ("which_oneof", _oneof.python_which_oneof),
    ("oneof_item", _oneof.python_oneof_item),
]
# The functions and methods called once per message, which the compiled engine defines as plain
# C ones (ddl/_speedups.pyx says why); the methods take their argument by position only, on both
# engines.
PLAIN_C_FUNCTIONS = {"encode", "decode", "which_oneof", "oneof_item"}
PLAIN_C_METHODS = {"encode", "decode"}


class Point(ddl.Message):
    x: int = 0


METHODS = [
    (ddl.Encoder, _api.PythonEncoder, "encode"),
    (ddl.Encoder, _api.PythonEncoder, "to_json"),
    (ddl.Decoder, _api.PythonDecoder, "decode"),
    (ddl.Decoder, _api.PythonDecoder, "from_json"),
]


@compiled_only
@pytest.mark.parametrize(("name", "reference"), FUNCTIONS, ids=[name for name, _ in FUNCTIONS])
def test_compiled_functions_read_as_the_reference_ones(name: str, reference: Any) -> None:
    function = getattr(ddl, name)
    assert function is not reference  # the compiled entry point took over
    assert (function.__name__, function.__qualname__) == (name, name)
    assert reference.__doc__ and "Example::" in reference.__doc__
    assert function.__doc__ and inspect.cleandoc(function.__doc__) == inspect.cleandoc(reference.__doc__)
    ours, theirs = inspect.signature(function), inspect.signature(reference)
    if name in PLAIN_C_FUNCTIONS:
        # a function of C, its signature from its docstring's first line, without annotations
        assert type(function).__name__ == "builtin_function_or_method"
        assert function.__module__ == reference.__module__
        assert [(p.name, p.kind, p.default) for p in ours.parameters.values()] == [
            (p.name, p.kind, p.default) for p in theirs.parameters.values()
        ]
    else:
        assert function.__doc__ == reference.__doc__
        assert ours == theirs
    assert pickle.loads(pickle.dumps(function)) is function
    first_line = reference.__doc__.splitlines()[0]
    assert first_line in pydoc.render_doc(function)


@compiled_only
@pytest.mark.parametrize(("compiled", "reference", "method"), METHODS, ids=[m for _, _, m in METHODS])
def test_compiled_classes_read_as_the_reference_ones(compiled: type, reference: type, method: str) -> None:
    assert compiled is not reference
    assert compiled.__name__ == reference.__name__
    # Compared as inspect.cleandoc gives them: CPython 3.13 strips the indentation of the docstrings
    # it compiles, which Cython's class docstrings keep.
    assert reference.__doc__ and compiled.__doc__
    assert inspect.cleandoc(compiled.__doc__) == inspect.cleandoc(reference.__doc__)
    # The compiled class's signature comes from its docstring's first line, without annotations.
    ours, theirs = inspect.signature(compiled), inspect.signature(reference)
    assert [(p.name, p.kind, p.default) for p in ours.parameters.values()] == [
        (p.name, p.kind, p.default) for p in theirs.parameters.values()
    ]
    ours_method, theirs_method = getattr(compiled, method), getattr(reference, method)
    assert ours_method.__qualname__ == theirs_method.__qualname__
    assert theirs_method.__doc__ and ours_method.__doc__
    assert inspect.cleandoc(ours_method.__doc__) == inspect.cleandoc(theirs_method.__doc__)
    ours, theirs = inspect.signature(ours_method), inspect.signature(theirs_method)
    if method in PLAIN_C_METHODS:
        # a method of C, its signature from its docstring's first line, without annotations
        assert type(ours_method).__name__ == "method_descriptor"
        assert [(p.name, p.kind, p.default) for p in ours.parameters.values()] == [
            (p.name, p.kind, p.default) for p in theirs.parameters.values()
        ]
    else:
        assert ours == theirs


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "python"])
def test_encode_and_decode_methods_take_their_argument_by_position_only(compiled: bool) -> None:
    encoder, decoder = (ddl.Encoder, ddl.Decoder) if compiled else (_api.PythonEncoder, _api.PythonDecoder)
    if compiled and speedups is None:
        pytest.skip("the compiled engine is not built")
    msg = Point(x=3)
    data = encoder().encode(msg)
    assert decoder(Point).decode(data) == msg
    with pytest.raises(TypeError):
        encoder().encode(msg=msg)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        decoder(Point).decode(data=data)  # type: ignore[call-arg]


@compiled_only
def test_the_stub_matches_the_compiled_module() -> None:
    pytest.importorskip("mypy.stubtest")
    # Cython's own additions (pickling hooks, __test__) are not part of the stub.
    result = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "--ignore-missing-stub", "--ignore-disjoint-bases", "ddl._speedups"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
