"""Doubles and floats in JSON text, on both engines: ``ddl.to_json`` writes a double field as
``repr`` writes it and a float field as its shortest 32-bit text, and ``ddl.from_json`` reads a
number as ``float(text)`` does, to the bit. The compiled engine does both in C
(ddl/_cy/ddl_dtoa.h: Schubfach's shortest digits, Clinger's fast path and Eisel-Lemire, with
CPython's strtod for what they cannot decide); the header is also compiled alone, with the
compiler's 128-bit multiply and with the portable one, and its table of powers of ten is the
output of the script that generates it.
"""

from __future__ import annotations

import decimal
import importlib.util
import math
import random
import re
import struct
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import ddl
from ddl import _compiled
from tests.conftest import FIXTURE_SAFE, Engine, examples
from tests.test_compiled_api import HEADERS, build_probe


class Floats(ddl.Message):
    d: float = 0.0
    ds: list[float] = []
    fs: list[ddl.float32] = []
    ints: list[int] = []


def bits(x: float) -> int:
    return int.from_bytes(struct.pack("<d", x), "little")


def from_bits(b: int) -> float:
    return float(struct.unpack("<d", b.to_bytes(8, "little"))[0])


def random_doubles(n: int, seed: int) -> list[float]:
    """n finite doubles of uniformly random bit patterns: every exponent and sign alike."""
    rng = random.Random(seed)
    values: list[float] = []
    while len(values) < n:
        x = from_bits(rng.getrandbits(64))
        if math.isfinite(x):
            values.append(x)
    return values


def neighbours(x: float, n: int = 8) -> list[float]:
    """x and the n doubles on either side of it."""
    out, below, above = [x], x, x
    for _ in range(n):
        below, above = math.nextafter(below, -math.inf), math.nextafter(above, math.inf)
        out += [below, above]
    return [v for v in out if math.isfinite(v)]


def edge_doubles() -> list[float]:
    """The doubles where a shortest-digits writer goes wrong if it goes wrong anywhere: the
    subnormals (the first thousand, and around the largest), every power of two (the only
    doubles whose rounding interval is lopsided), the powers of ten, the switches between
    positional and exponent notation (1e-4, 1e16), 2**53, the extremes, and short decimals."""
    values = [math.ldexp(c, -1074) for c in range(1, 1000)]
    values += neighbours(2.2250738585072014e-308) + neighbours(math.ldexp(1.0, -1022) - math.ldexp(1.0, -1074))
    values += [math.ldexp(1.0, q) for q in range(-1074, 1024)]
    values += [float(f"1e{e}") for e in range(-330, 309)] + [float(f"9.999999999999999e{e}") for e in range(-320, 308)]
    for x in (1e16, 1e-4, 1e15, 1e-5, 2.0**53, 2.0**50, 1.7976931348623157e308, 5e-324, 0.1, 1 / 3):
        values += neighbours(x)
    values += [i / 1000 for i in range(3000)] + [float(i) for i in range(2000)] + [0.0]
    values += every_digit_count_at_every_place()
    return values + [-x for x in values]


def every_digit_count_at_every_place() -> list[float]:
    """Doubles of 1 to 17 significant digits (as repr writes them) with the leading digit at
    every power of ten from 10**-8 to 10**19: the point of positional notation at every place
    and after every digit, integral values with zeros before ".0", and the two switches to
    exponent notation, each side of them."""
    rng = random.Random(43)
    values = []
    for x in range(-8, 20):
        for n in range(1, 18):
            for _ in range(3):
                v = rng.uniform(1.0, 10.0) * 10.0**x
                values += [v, float(f"{v:.{n - 1}e}")]
    return values


def expected_json(**fields: list[float] | float) -> str:
    """ddl.to_json's text of Floats(**fields), each double written by repr."""
    parts = []
    for name, value in fields.items():
        text = f"[{', '.join(map(repr, value))}]" if isinstance(value, list) else repr(value)
        parts.append(f'"{name}": {text}')
    return "{" + ", ".join(parts) + "}"


def written_in_c(msg: Any) -> str | None:
    """The compiled writer's own text (None when it leaves the message to the Python path)."""
    assert _compiled.speedups is not None
    return _compiled.speedups.to_json(msg, False, False, False)  # type: ignore[no-any-return]


def assert_written_as(engine: Engine, msg: Floats, text: str) -> None:
    assert ddl.to_json(msg) == text
    if engine.compiled:
        assert written_in_c(msg) == text  # the C wrote it, no bail


# --- writing ----------------------------------------------------------------------------------


def test_edge_doubles_are_written_as_repr_writes_them(engine: Engine) -> None:
    values = edge_doubles()
    assert_written_as(engine, Floats(ds=values), expected_json(ds=values))


def test_random_bit_patterns_are_written_as_repr_writes_them(engine: Engine) -> None:
    values = random_doubles(200_000, seed=13)
    assert_written_as(engine, Floats(ds=values), expected_json(ds=values))


def test_doubles_of_every_magnitude_are_written_as_repr_writes_them(engine: Engine) -> None:
    rng = random.Random(17)
    values = [rng.random() * 10 ** rng.randint(-20, 20) for _ in range(20_000)]
    values += [round(rng.uniform(0, 1000), rng.randint(0, 6)) for _ in range(20_000)]
    assert_written_as(engine, Floats(ds=values), expected_json(ds=values))


@settings(FIXTURE_SAFE, max_examples=examples(300))
@given(st.floats(allow_nan=False, allow_infinity=False), st.lists(st.floats(allow_nan=False, allow_infinity=False)))
@example(-0.0, [0.0, -0.0])
def test_any_double_is_written_as_repr_writes_it(engine: Engine, d: float, ds: list[float]) -> None:
    msg = Floats(d=d, ds=ds)
    fields: dict[str, Any] = {"d": d} if bits(d) else {}  # -0.0 is not proto3's zero: it is written
    assert_written_as(engine, msg, expected_json(**fields, ds=ds) if ds else expected_json(**fields))


def float32_text(single: float) -> str:
    """The text of a float field holding single, by its definition: the double of the fewest
    significant digits (6 to 9, correctly rounded) that reads back as that float, as repr."""
    for digits in range(6, 10):
        shortest = float(f"{single:.{digits}g}")
        if struct.unpack("<f", struct.pack("<f", shortest))[0] == single:
            return repr(shortest)
    raise AssertionError(single)


def test_float_fields_are_written_at_their_shortest_32_bit_text(engine: Engine) -> None:
    rng = random.Random(19)
    singles = [struct.unpack("<f", struct.pack("<I", rng.getrandbits(32)))[0] for _ in range(50_000)]
    singles = [x for x in singles if math.isfinite(x)]
    singles += [struct.unpack("<f", struct.pack("<I", b))[0] for b in (1, 2, 0x007FFFFF, 0x00800000, 0x7F7FFFFF)]
    singles += [
        float(struct.unpack("<f", struct.pack("<f", x))[0]) for x in (0.1, 1e-4, 9.999e-5, 1e6, 999999.94, 1e-40)
    ]
    msg = Floats(fs=singles)
    assert_written_as(engine, msg, '{"fs": [' + ", ".join(float32_text(x) for x in singles) + "]}")


# --- reading ----------------------------------------------------------------------------------


def random_number_texts(n: int, seed: int) -> list[str]:
    """JSON number tokens of every shape: short decimals, 17 and 20-plus significant digits,
    integers of up to 70 bits, huge and tiny exponents, and texts at or just off the halfway
    points between two doubles (where a reader that is not correctly rounded goes wrong)."""
    rng = random.Random(seed)

    def digits(k: int) -> str:
        return str(rng.randint(1, 9)) + "".join(rng.choice("0123456789") for _ in range(k - 1))

    texts = []
    for i in range(n):
        kind = i % 6
        if kind == 0:
            t = digits(rng.randint(1, 25))
            text = f"{t[0]}.{t[1:] or '0'}e{rng.randint(-350, 330)}"
        elif kind == 1:
            t = digits(rng.choice([1, 3, 8, 15, 16, 17, 18, 19, 20, 25]))
            cut = rng.randint(0, len(t))
            text = (t[:cut] or "0") + "." + (t[cut:] or "0")
        elif kind == 2:
            text = str(rng.getrandbits(rng.randint(1, 70)))
        elif kind == 3:
            text = repr(rng.random() * 10 ** rng.randint(-20, 20)).replace("e+", "E")
        else:
            x = from_bits(rng.getrandbits(63))
            above = math.nextafter(x, math.inf)
            if x == 0 or not math.isfinite(above):
                continue
            with decimal.localcontext() as context:
                context.prec = 1200  # enough for every double's exact digits, and so their mean's
                half = (Decimal(x) + Decimal(above)) / 2
            # the halfway point exactly, or rounded to a few digits (just off it, either side)
            text = f"{half:e}" if kind == 4 else f"{half:.{rng.choice([16, 17, 18, 19, 20, 25])}e}"
        texts.append("-" + text if rng.random() < 0.3 else text)
    return texts


FIXED_TEXTS = [
    "9007199254740993", "9007199254740992", "9007199254740995", "-0", "0", "0.0", "-0.0", "0e-999", "1e22", "1e23",
    "1e-22", "1e-23", "2.2250738585072011e-308", "2.2250738585072014e-308", "4.9e-324", "2e-324", "3e-324",
    "1.7976931348623157e308", "1.7976931348623158e308", "7e-10", "0.1", "17976931348623157e292", "1" + "0" * 30,
    "1." + "0" * 30, "0." + "0" * 30 + "1", "123456789012345678901234567890e-10", "9.999999999999999e22",
    "4503599627370496.5", "4503599627370497.5", "2.5", "1E5", "1e+5", "1.5E-5",
]  # fmt: skip


def number_value(text: str) -> float:
    """What a double field reads from a number token: float(text), or float(int) for an integer
    token (where "-0" is 0.0)."""
    return float(int(text)) if re.fullmatch(r"-?\d+", text) else float(text)


def read_in_c(text: str) -> Any:
    assert _compiled.speedups is not None
    return _compiled.speedups.json_read(text, Floats)


def assert_read_as_float_reads(engine: Engine, texts: list[str]) -> None:
    text = '{"ds": [' + ", ".join(texts) + "]}"
    expected = [bits(number_value(t)) for t in texts]
    assert [bits(x) for x in ddl.from_json(text, Floats).ds] == expected
    if engine.compiled:
        assert [bits(x) for x in read_in_c(text).ds] == expected  # the C read it, no bail


def test_number_tokens_are_read_as_float_reads_them(engine: Engine) -> None:
    texts = [t for t in random_number_texts(30_000, seed=23) + FIXED_TEXTS if math.isfinite(float(t))]
    assert_read_as_float_reads(engine, texts)


def test_doubles_read_back_to_the_same_bits(engine: Engine) -> None:
    values = random_doubles(50_000, seed=29) + edge_doubles()
    back = ddl.from_json(ddl.to_json(Floats(ds=values)), Floats).ds
    assert [bits(x) for x in back] == [bits(x) for x in values]


@settings(FIXTURE_SAFE, max_examples=examples(200))
@given(st.lists(st.from_regex(r"-?(0|[1-9][0-9]{0,24})(\.[0-9]{1,25})?([eE][+-]?[0-9]{1,3})?", fullmatch=True)))
def test_any_number_token_is_read_as_float_reads_it(engine: Engine, texts: list[str]) -> None:
    assert_read_as_float_reads(engine, [t for t in texts if math.isfinite(float(t))])


# Digits are read up to eight at once where eight bytes of text remain, one at a time nearer
# its end: each run of 1 to 20 digits, cut anywhere into an integer part and a fraction, at
# each distance from the end.
DIGITS = "98765432101234567890"
RUNS = [(DIGITS[:cut] or "0") + ("." + DIGITS[cut:k] if cut < k else "") for k in range(1, 21) for cut in range(k + 1)]


@pytest.mark.parametrize("pad", range(10))
def test_runs_of_digits_are_read_at_every_distance_from_the_end_of_the_text(engine: Engine, pad: int) -> None:
    for token in RUNS:
        text = '{"ds": [' + token + "]" + " " * pad + "}"
        assert bits(ddl.from_json(text, Floats).ds[0]) == bits(number_value(token)), text
        if engine.compiled:
            assert bits(read_in_c(text).ds[0]) == bits(number_value(token)), text
    for token in {t.partition(".")[0] for t in RUNS}:
        for form in (token, f'"{token}"', f"-{token}"):
            text = '{"ints": [' + form + "]" + " " * pad + "}"
            want = int(form.strip('"'))
            if -(2**63) <= want < 2**63:
                assert ddl.from_json(text, Floats).ints == [want], text
                if engine.compiled:
                    assert read_in_c(text).ints == [want], text


def test_float_fields_read_the_nearest_32_bit_float(engine: Engine) -> None:
    texts = [t for t in random_number_texts(6_000, seed=31) + FIXED_TEXTS if abs(float(t)) < 3.4e38]
    singles = ddl.from_json('{"fs": [' + ", ".join(texts) + "]}", Floats).fs
    assert [bits(x) for x in singles] == [
        bits(struct.unpack("<f", struct.pack("<f", number_value(t)))[0]) for t in texts
    ]


# --- the header alone ---------------------------------------------------------------------------


def test_the_committed_power_table_is_the_generators_output() -> None:
    script = HEADERS / "gen_pow10.py"
    if not script.exists():
        pytest.skip("no C sources beside the tests: an installed wheel carries none")
    spec = importlib.util.spec_from_file_location("gen_pow10", script)
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    assert (HEADERS / "ddl_pow10.h").read_text() == generator.render()


# Reads "w <hex bits>" lines (prints ddl_d2s's text of that double) and "r <token>" lines
# (prints ddl_s2d's double as hex bits, or "?" when it leaves the token to strtod). The first
# line names what DDL_UMUL128 expands to, so that a test of the fallback knows it ran it.
DTOA_PROBE = r"""
#include <stdio.h>
#include <inttypes.h>
#include "ddl_dtoa.h"

#define TEXT(x) #x
#define EXPANDED(x) TEXT(x)

int main(void) {
    char line[1024];
    printf("%s\n", EXPANDED(DDL_UMUL128(a, b, hi)));
    while (fgets(line, sizeof line, stdin)) {
        size_t n = strcspn(line, "\n");
        uint64_t b;
        double d;
        char out[DDL_D2S_ROOM];
        if (line[0] == 'w') {
            sscanf(line + 2, "%" SCNx64, &b);
            memcpy(&d, &b, 8);
            *ddl_d2s(out, d) = 0;
            puts(out);
        } else if (ddl_s2d((const unsigned char*)line + 2, (ptrdiff_t)n - 2, &d)) {
            memcpy(&b, &d, 8);
            printf("%016" PRIx64 "\n", b);
        } else {
            puts("?");
        }
    }
    return 0;
}
"""


@pytest.mark.parametrize("defines", [[], ["-DDDL_NO_BUILTINS"]], ids=["builtins", "portable"])
def test_the_header_alone_writes_and_reads_as_cpython(tmp_path: Path, defines: list[str]) -> None:
    program = build_probe(tmp_path, "ddl_dtoa.h", DTOA_PROBE, defines)
    doubles = edge_doubles() + random_doubles(20_000, seed=37)
    texts = [t for t in random_number_texts(20_000, seed=41) + FIXED_TEXTS if len(t) < 1000]
    lines = [f"w {bits(x):x}" for x in doubles] + [f"r {t}" for t in texts]
    result = subprocess.run([str(program)], input="\n".join(lines) + "\n", capture_output=True, text=True, check=True)
    expansion, *out = result.stdout.splitlines()
    if defines:
        assert "ddl_umul128_portable" in expansion
    assert out[: len(doubles)] == [repr(x) for x in doubles]
    read = out[len(doubles) :]
    decided = [(t, r) for t, r in zip(texts, read, strict=True) if r != "?"]
    assert [r for _, r in decided] == [f"{bits(float(t)):016x}" for t, _ in decided]
    # strtod is the exception: what it reads is mostly long, tiny, huge, or a halfway point
    assert len(decided) > 0.6 * len(texts)
