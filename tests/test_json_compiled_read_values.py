"""The values the compiled JSON reader reads itself (ddl/_cy/json_read_values.pxi and the scans of
ddl_json_read.h), against the Python reader: strings wherever an escape or a wide character
falls, numbers of every spelling (and the strings protobuf writes for NaN and the infinities),
vectors of floats and ints read into their arrays, and the scans of strings, keys, numbers and
base64 compiled alone from the header.
"""

from __future__ import annotations

import base64
import json
import random
import re
import subprocess
import sysconfig
from array import array
from pathlib import Path

import pytest

import ddl
from ddl import _compiled
from ddl._json._read_values import to_bytes
from tests.test_compiled_api import build_probe
from tests.test_json_compiled_read import Kinds, Leaf, assert_engines_agree, read_in_c, read_in_c_as_python
from tests.test_json_numbers import FIXED_TEXTS, bits, random_number_texts

pytestmark = pytest.mark.skipif(_compiled.speedups is None, reason="the compiled engine is not built")


# Strings: the C scan tests 16 bytes a step for a quote, a backslash, a control character and
# a byte above ASCII, then finishes byte by byte; ASCII bodies are copied, short ones shared.
SPECIALS = ['\\"', "\\\\", "\\n", "\\u00e9", "é", "😀", "\x01", "\x7f"]


@pytest.mark.parametrize("special", SPECIALS)
def test_a_string_reads_alike_wherever_its_escape_or_wide_character_falls(special: str) -> None:
    for size in range(34):
        for at in range(size + 1):
            body = "a" * at + special + "b" * (size - at)
            for pad in ("", " " * 7):  # moves the body across the 16-byte steps
                text = '{"text":' + pad + '"' + body + '"}'
                result = assert_engines_agree(text, Kinds)
                if special != "\x01":  # a raw control character is invalid JSON
                    assert result[1].text == json.loads('"' + body + '"')
                    assert read_in_c(text, Kinds) is not None


def test_plain_strings_of_every_length_read_in_c_as_their_text() -> None:
    for size in range(70):
        for body in ("x" * size, "é" * size, "ab" * (size // 2) + "\u4e2d" * (size % 3)):
            text = '{"text": "' + body + '", "names": ["' + body + '", "' + body + '"]}'
            msg = read_in_c(text, Kinds)
            assert msg is not None
            assert msg.text == body and msg.names == {body}
            assert_engines_agree(text, Kinds)


def test_ascii_strings_alike_at_both_ends_read_as_their_own_text() -> None:
    """Short strings and ASCII ones of up to 64 bytes are shared from one read to the next,
    found by their length and their first and last bytes: strings that differ only between
    those, as values or as map keys, each read as themselves."""
    for size in range(3, 70):
        bodies = ["<" * (size // 2 - 1) + middle + ">" * (size - size // 2) for middle in "abc"]
        tags = bodies + bodies[::-1]
        text = json.dumps({"leaf": {"tags": tags}, "byName": {body: {"n": n} for n, body in enumerate(bodies)}})
        for _ in range(2):
            msg = read_in_c(text, Kinds)
            assert msg is not None
            assert msg.leaf.tags == tags
            assert msg.by_name == {body: Leaf(n=n) for n, body in enumerate(bodies)}


def test_an_unclosed_string_at_any_length_reads_alike() -> None:
    for size in range(40):
        assert_engines_agree('{"text": "' + "a" * size, Kinds)
        assert_engines_agree('{"text": "' + "a" * size + "\\", Kinds)


class Vectors(ddl.Message):
    f32: ddl.Vector[ddl.float32] = array("f")
    f64: ddl.Vector[float] = array("d")


@pytest.mark.parametrize("size", [0, 1, 255, 256, 257, 511, 512, 513, 1500])
def test_a_vector_of_floats_reads_in_c_into_its_array_at_every_size(size: int) -> None:
    values = [(-1) ** i * i / 7 for i in range(size)]
    text = json.dumps({"f32": values, "f64": values})
    msg = read_in_c(text, Vectors)
    assert msg is not None
    assert msg.f32 == array("f", values) and msg.f64 == array("d", values)
    assert_engines_agree(text, Vectors)


@pytest.mark.parametrize(
    "elements",
    ["", "1", "-0", "-0.0", "1e-50", "3.4028235e38", "3.4028234663852886e38", "1e39", "1e400", "16777217",
     "0.1, 0.2", "1,", ", 1", "1 2", "null", '"1.5"', "true", "[1]", "1.", "-"],
)  # fmt: skip
def test_each_vector_element_spelling_reads_alike(elements: str) -> None:
    for field in ("f32", "f64"):
        assert_engines_agree('{"' + field + '": [' + elements + "]}", Vectors)


# Integer vectors: each kind's range, and the typecode whose items hold it.
INT_KINDS = {
    "i32": (ddl.int32, "i", -(2**31), 2**31 - 1),
    "s32": (ddl.sint32, "i", -(2**31), 2**31 - 1),
    "sf32": (ddl.sfixed32, "i", -(2**31), 2**31 - 1),
    "u32": (ddl.uint32, "I", 0, 2**32 - 1),
    "f32": (ddl.fixed32, "I", 0, 2**32 - 1),
    "i64": (int, "q", -(2**63), 2**63 - 1),
    "s64": (ddl.sint64, "q", -(2**63), 2**63 - 1),
    "sf64": (ddl.sfixed64, "q", -(2**63), 2**63 - 1),
    "u64": (ddl.uint64, "Q", 0, 2**64 - 1),
    "f64": (ddl.fixed64, "Q", 0, 2**64 - 1),
}
IntVectors = type(
    "IntVectors",
    (ddl.Message,),
    {
        "__annotations__": {name: ddl.Vector[kind] for name, (kind, _, _, _) in INT_KINDS.items()},  # type: ignore[valid-type]
        **{name: array(code) for name, (_, code, _, _) in INT_KINDS.items()},
    },
)


def int_edges(lo: int, hi: int) -> list[int]:
    """The ends of lo..hi, its values nearest zero, and the 32-bit ends within it."""
    return sorted(v for v in {lo, lo + 1, -(2**31), -1, 0, 1, 2**31 - 1, 2**32 - 1, hi - 1, hi} if lo <= v <= hi)


@pytest.mark.parametrize("name", INT_KINDS)
def test_an_int_vector_reads_in_c_at_each_edge_of_its_kind_quoted_or_not(name: str) -> None:
    _, code, lo, hi = INT_KINDS[name]
    values = int_edges(lo, hi)
    for elements in (", ".join(map(str, values)), ", ".join(f'"{v}"' for v in values)):
        text = '{"' + name + '": [' + elements + "]}"
        msg = read_in_c(text, IntVectors)
        assert msg is not None
        assert getattr(msg, name) == array(code, values)
        assert_engines_agree(text, IntVectors)


@pytest.mark.parametrize("size", [0, 1, 255, 256, 257, 511, 512, 513, 1500])
def test_an_int_vector_reads_in_c_into_its_array_at_every_size(size: int) -> None:
    values = {name: [(-1 if lo and i % 2 else 1) * (i * 7919**3 % hi) for i in range(size)]
              for name, (_, _, lo, hi) in INT_KINDS.items()}  # fmt: skip
    text = json.dumps(values)
    msg = read_in_c(text, IntVectors)
    assert msg is not None
    for name, (_, code, _, _) in INT_KINDS.items():
        assert getattr(msg, name) == array(code, values[name])
    assert_engines_agree(text, IntVectors)


@pytest.mark.parametrize("name", INT_KINDS)
def test_an_int_vector_element_out_of_range_or_not_a_plain_integer_bails_to_the_python_error(name: str) -> None:
    _, _, lo, hi = INT_KINDS[name]
    bad = [str(lo - 1), str(hi + 1), f'"{lo - 1}"', f'"{hi + 1}"', str(2**64), "1.5", "1.0", "1e3", '"1e3"',
           '" 1"', '"1 "', '""', '"-"', "null", "true", '"abc"', "[1]", "{}", "01", "-", "1,", ", 1"]  # fmt: skip
    for element in bad:
        for elements in (element, "1, " + element, element + ", 2"):
            text = '{"' + name + '": [' + elements + "]}"
            assert read_in_c(text, IntVectors) is None, text
            assert_engines_agree(text, IntVectors)


SCAN_PROBE = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ddl_json_read.h"

static size_t unhex(const char* h, unsigned char* out) {
    size_t n = 0;
    unsigned v;
    while (h[0] && h[0] != ' ' && h[0] != '\n' && sscanf(h, "%2x", &v) == 1) {
        out[n++] = (unsigned char)v;
        h += 2;
    }
    return n;
}

int main(void) {
    static char line[4096];
    static unsigned char a[2048], b[2048];
    (void)ddl_json_unescape;  /* the headers' other functions, unused here */
    (void)ddl_base64;
    while (fgets(line, sizeof line, stdin)) {
        if (line[0] == 's') {  /* "s HEX": where the string body ends, and its flags */
            size_t n = unhex(line + 2, a);
            unsigned char* body = malloc(n + 1);  /* exactly the body, and a NUL as str has */
            int flags = -1;
            memcpy(body, a, n);
            body[n] = 0;
            Py_ssize_t end = ddl_json_string_end(body, 0, (Py_ssize_t)n, &flags);
            printf("%d %d\n", (int)end, end < 0 ? 0 : flags);
            free(body);
        } else if (line[0] == 'd') {  /* "d HEX": a number token read as a double */
            size_t n = unhex(line + 2, a);
            int integral = -1, decided = -1;
            double d = 0.0;
            uint64_t bits;
            Py_ssize_t end = ddl_json_read_double(a, 0, (Py_ssize_t)n, &integral, &decided, &d);
            memcpy(&bits, &d, 8);
            if (end < 0) puts("-1");
            else printf("%d %d %d %016llx\n", (int)end, integral, decided, decided ? (unsigned long long)bits : 0ULL);
        } else if (line[0] == 'i') {  /* "i HEX": a plain integer */
            size_t n = unhex(line + 2, a);
            int negative = -1;
            uint64_t m = 0;
            Py_ssize_t end = ddl_json_read_integer(a, 0, (Py_ssize_t)n, &negative, &m);
            if (end < 0) puts("-1");
            else printf("%d %d %llu\n", (int)end, negative, (unsigned long long)m);
        } else if (line[0] == 'b') {  /* "b HEX": base64 decoded (ddl_base64.h, included by the header) */
            size_t n = unhex(line + 2, a);
            unsigned char* text = malloc(n + 1);  /* exactly the text: a read past it is caught */
            memcpy(text, a, n);
            ptrdiff_t m = ddl_base64_decode(text, (ptrdiff_t)n, b);
            if (m < 0) puts("-1");
            for (ptrdiff_t k = 0; k < m; k++) printf("%02x", b[k]);
            if (m >= 0) puts("");
            free(text);
        } else {  /* "k HEX HEX": whether two keys of one length are the same */
            char* second = strchr(line + 2, ' ');
            size_t n = unhex(line + 2, a);
            unhex(second + 1, b);
            printf("%d\n", ddl_json_same(a, b, (Py_ssize_t)n));
        }
    }
    return 0;
}
"""


def number_read(text: str) -> str:
    """What ddl_json_read_double gives for a text that starts with a number token: its end,
    whether it is an integer, and its double when decided ("-1" when no token is there)."""
    m = re.match(r"-?(0|[1-9][0-9]*)", text)
    if m is None:
        return "-1"
    end = m.end()
    for leaders, part in ((".", r"\.[0-9]+"), ("eE", r"[eE][+-]?[0-9]+")):
        if text[end : end + 1] and text[end] in leaders:  # the part begins: then it must be whole
            m = re.compile(part).match(text, end)
            if m is None:
                return "-1"
            end = m.end()
    token = text[:end]
    return f"{end} {int(token.lstrip('-').isdigit())} ? {bits(float(token)):016x}"


def number_texts() -> list[str]:
    """Number tokens of every shape, some cut short or followed by more text; and significant
    digits of every count, after leading zeros of every count, where eight are read at once."""
    rng = random.Random(3)
    texts = random_number_texts(6000, seed=43) + FIXED_TEXTS
    for size in range(1, 26):
        digits = "".join(rng.choice("0123456789") for _ in range(size - 1)) + "7"
        for zeros in range(10):
            zeroed = "0" * zeros
            texts += ["0." + zeroed + digits, digits + "." + zeroed + digits, "-" + digits + "e-" + str(zeros)]
    texts += ["-", "1.", "1.e5", "1e", "1e+", ".5", "01", "-01.5", "1.5e", "x", "", "0x10", "12345678.9abc", "1" * 30]
    # the suffixes also hold the bytes around the digits, below '0', above '9' and above ASCII,
    # which the test of eight bytes at once for digits tells apart
    suffixes = (",", "]", " ", "}", "99999999,", "e7", ".", "/", ":", "é9", "\x7f1", "\x001")
    return texts + [text + suffix for text in texts[::7] for suffix in suffixes]


def integer_read(text: str) -> str:
    """What ddl_json_read_integer gives for a text: the plain integer's end, sign and
    magnitude, or "-1" (none, one that goes on as a fraction or exponent, or 2**64 or more)."""
    m = re.match(r"(-?)(0|[1-9][0-9]*)", text)
    if m is None or text[m.end() : m.end() + 1] in (".", "e", "E") or int(m[2]) >= 2**64:
        return "-1"
    return f"{m.end()} {int(bool(m[1]))} {int(m[2])}"


def integer_texts() -> list[str]:
    texts = [str(2**64 + k) for k in range(-3, 3)] + [str(10**k + j) for k in range(25) for j in (-1, 0, 1)]
    rng = random.Random(8)
    texts += [str(rng.getrandbits(rng.randrange(1, 70))) for _ in range(2000)]
    texts += ["-" + t for t in texts[::3]] + ["-0", "00", "-", "", "+1", "0.5", "1e3", "12E", "7."]
    return texts + [
        t + suffix for t in texts[::5] for suffix in (",", '"', " ", "x", ".5", "e1", "/", ":", "é9", "\x001")
    ]


def base64_texts() -> list[bytes]:
    """Base64 as ddl writes it and as other writers do (URL-safe, unpadded, mixed), of every
    length around the groups of four, and the same broken: a character of neither alphabet,
    "=" inside, too much padding, a length that leaves one character over."""
    rng = random.Random(9)
    texts = []
    for size in range(40):
        raw = rng.randbytes(size)
        padded, urlsafe = base64.b64encode(raw), base64.urlsafe_b64encode(raw)
        texts += [padded, padded.rstrip(b"="), urlsafe, urlsafe.rstrip(b"=")]
        half = size // 2
        texts += [padded + b"=", padded.rstrip(b"=") + b"A", b"=" + padded, padded[:half] + b"=" + padded[half:]]
        texts += [padded[:at] + bytes([bad]) + padded[at + 1 :] for at in range(len(padded)) for bad in b"*.\x80 "]
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_=="
    return texts + [bytes(rng.choices(alphabet, k=rng.randrange(30))) for _ in range(3000)]


def base64_read(text: bytes) -> str:
    """What ddl_base64_decode gives for ``text``: the bytes ddl's Python reader reads from it, in
    hex, or "-1" where that reader refuses it."""
    try:
        return to_bytes(text.decode("latin-1")).hex()
    except ValueError:
        return "-1"


def string_end(body: bytes) -> tuple[int, int]:
    """What ddl_json_string_end gives for ``body``: the closing quote's index and the flags
    (1: an escape, 2: a byte above ASCII outside escapes), or (-1, 0)."""
    flags = i = 0
    while i < len(body):
        c = body[i]
        if c == ord('"'):
            return i, flags
        if c < 0x20:
            return -1, 0
        if c == ord("\\"):
            flags |= 1
            i += 1
        elif c >= 0x80:
            flags |= 2
        i += 1
    return -1, 0


@pytest.mark.parametrize("defines", [[], ["-DDDL_NO_BUILTINS"]], ids=["builtins", "portable"])
def test_the_scans_of_strings_keys_and_numbers_in_the_header_alone(tmp_path: Path, defines: list[str]) -> None:
    python = ["-I" + sysconfig.get_paths()["include"], "-D_POSIX_C_SOURCE=200809L"]  # Python.h's needs
    program = build_probe(tmp_path, "ddl_json_read.h", SCAN_PROBE, [*python, *defines])
    bodies = []
    for special in (b'"', b"\\", b'\\"', b"\x01", b"\x1f", b"\x7f", b"\x80", b"\xff", b"\xc3\xa9"):
        for size in range(48):
            bodies += [b"a" * at + special + b"b" * (size - at) + b'"' for at in range(size + 1)]
            bodies.append(b"a" * size + special)  # nothing closes it
    rng = random.Random(5)
    alphabet = b'aaaaaaaa"\\\x01\x1f \x7f\x80\xc3\xff'
    bodies += [bytes(rng.choices(alphabet, k=rng.randrange(100))) for _ in range(3000)]
    keys = [(b"k" * size, b"k" * at + b"j" + b"k" * (size - at - 1)) for size in range(1, 40) for at in range(size)]
    keys += [(b"k" * size, b"k" * size) for size in range(40)]
    numbers, integers = number_texts(), integer_texts()
    texts = base64_texts()
    lines = [f"s {body.hex()}" for body in bodies] + [f"k {a.hex()}X {b.hex()}X" for a, b in keys]
    lines += [f"b {text.hex()}" for text in texts]
    lines += [f"i {text.encode().hex()}" for text in integers] + [f"d {text.encode().hex()}" for text in numbers]
    result = subprocess.run([str(program)], input="\n".join(lines) + "\n", capture_output=True, text=True, check=True)
    out = result.stdout.splitlines()
    assert out[: len(bodies)] == ["{} {}".format(*string_end(body)) for body in bodies]
    out = out[len(bodies) :]
    assert out[: len(keys)] == [str(int(a == b)) for a, b in keys]
    out = out[len(keys) :]
    assert out[: len(texts)] == [base64_read(text) for text in texts]
    out = out[len(texts) :]
    assert out[: len(integers)] == [integer_read(text) for text in integers]
    decided = 0
    for text, line in zip(numbers, out[len(integers) :], strict=True):
        expected = number_read(text)
        if line == "-1" or expected == "-1":
            assert line == expected, text
            continue
        end, integral, was_decided, value = line.split()
        if was_decided == "0":  # left to strtod: a correctly rounded read of what this cannot decide
            value = expected.split()[3]
        decided += was_decided == "1"
        assert f"{end} {integral} ? {value}" == expected, text
    assert decided > 0.6 * len(numbers)


# NaN and the infinities: JSON has no number for them, and protobuf writes them as strings.
NONFINITE = ['"NaN"', '"Infinity"', '"-Infinity"']


@pytest.mark.parametrize("token", NONFINITE)
def test_the_strings_of_nan_and_the_infinities_read_in_c_as_the_python_path_reads_them(token: str) -> None:
    for text, cls in [
        ('{"f64": ' + token + ', "f32": ' + token + "}", Kinds),
        ('{"byBig": {"1": ' + token + ', "2": 1.5}}', Kinds),
        ('{"f32": [1.5, ' + token + '], "f64": [' + token + "]}", Vectors),
    ]:
        msg = read_in_c_as_python(text, cls)
        assert "nan" in repr(msg) or "inf" in repr(msg)


@pytest.mark.parametrize(
    "token", ['"nan"', '"Inf"', '"+Infinity"', '"-NaN"', '"NaN "', '"Na\\u004e"', '"1.5"', '"-0"', '""', '"Infinit"']
)
def test_other_strings_for_a_float_read_alike(token: str) -> None:
    for key in ("f64", "f32"):
        assert_engines_agree('{"' + key + '": ' + token + "}", Kinds)
        assert_engines_agree('{"' + key + '": [' + token + "]}", Vectors)
