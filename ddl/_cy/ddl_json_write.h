/* ddl_json_write.h: the pieces of text the compiled JSON writer (json_write.pxi) makes, each
   exactly as ddl.to_json's Python path has json.JSONEncoder(ensure_ascii=False) write it:
   strings with the json module's escapes, integers in decimal, doubles as float.__repr__, and
   float fields at the shortest text of their 32-bit value. All of it writes into one ddl_jout
   (ddl_json_out.h), which becomes the returned str once. Nothing here runs Python code. */

#ifndef DDL_JSON_WRITE_H
#define DDL_JSON_WRITE_H

#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "ddl_compat.h"
#include "ddl_cpython.h"
#include "ddl_dtoa.h"
#include "ddl_json_out.h"

/* Whether any of the 8 bytes of w is below 0x20, a '"', a '\\' or above 0x7F: the bytes the
   plain copy of ddl_json_str_utf8 cannot take. The classic word tricks (a byte below n, a zero byte)
   are exact about whether any byte matches, which is all that is asked here. */
static inline int ddl_json_word_special(uint64_t w) {
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    uint64_t quote = w ^ (ones * '"'), backslash = w ^ (ones * '\\');
    return (((w - ones * 0x20) & ~w) | ((quote - ones) & ~quote) | ((backslash - ones) & ~backslash) | w)
           & highs ? 1 : 0;
}

/* Write one character below 0x80 at p, escaped if JSON needs it; return the new end. */
static inline char* ddl_json_ascii_char(char* p, unsigned char c) {
    static const char hex[] = "0123456789abcdef";
    char e = ddl_json_escape[c];
    if (!e) {
        *p++ = (char)c;
    } else if (e != 'u') {
        p[0] = '\\';
        p[1] = e;
        p += 2;
    } else {
        memcpy(p, "\\u00", 4);
        p[4] = hex[c >> 4];
        p[5] = hex[c & 15];
        p += 6;
    }
    return p;
}

/* The loop of ddl_json_str over the characters u[i:n] of a two- or four-byte str, in UTF-8
   (a macro, so that each width gets its own loop); returns 1 from it at a lone surrogate. */
#define DDL_JSON_WIDE(u) do { \
    for (; i < n; i++) { \
        c = u[i]; \
        if (c < 0x80) { \
            p = ddl_json_ascii_char(p, (unsigned char)c); \
        } else if (c < 0x800) { \
            p[0] = (char)(0xC0 | (c >> 6)); \
            p[1] = (char)(0x80 | (c & 0x3F)); \
            p += 2; \
        } else if (c < 0x10000) { \
            if (c >= 0xD800 && c <= 0xDFFF) return 1; \
            p[0] = (char)(0xE0 | (c >> 12)); \
            p[1] = (char)(0x80 | ((c >> 6) & 0x3F)); \
            p[2] = (char)(0x80 | (c & 0x3F)); \
            p += 3; \
        } else { \
            p[0] = (char)(0xF0 | (c >> 18)); \
            p[1] = (char)(0x80 | ((c >> 12) & 0x3F)); \
            p[2] = (char)(0x80 | ((c >> 6) & 0x3F)); \
            p[3] = (char)(0x80 | (c & 0x3F)); \
            p += 4; \
        } \
    } \
} while (0)

/* Write the str s as a JSON string in UTF-8, with its quotes if quotes is 1: 0; 1 when s holds a lone
   surrogate, which has no UTF-8 form (the caller bails: the Python path writes it as it is);
   -1 with MemoryError set. Room for the longest escape of every character (6 bytes) is made
   first; runs of 8 plain characters of a one-byte str are copied a word at a time. */
static int ddl_json_str_utf8(ddl_jout* o, PyObject* s, int quotes) {
    Py_ssize_t i = 0, n = PyUnicode_GET_LENGTH(s);
    int kind = PyUnicode_KIND(s);
    const void* data = PyUnicode_DATA(s);
    char* p;
    Py_UCS4 c;
    if (n > (PY_SSIZE_T_MAX / 4 - 2) / 6) {
        PyErr_NoMemory();
        return -1;
    }
    if (ddl_jout_room(o, 6 * n + 2) < 0) return -1;
    p = o->pos;
    if (quotes) *p++ = '"';
    if (kind == PyUnicode_1BYTE_KIND) {
        const Py_UCS1* b = (const Py_UCS1*)data;
        while (i < n) {
            uint64_t w;
            if (i + 8 <= n) {
                memcpy(&w, b + i, 8);
                if (!ddl_json_word_special(w)) {
                    memcpy(p, &w, 8);
                    p += 8;
                    i += 8;
                    continue;
                }
            }
            c = b[i++];
            if (c < 0x80) {
                p = ddl_json_ascii_char(p, (unsigned char)c);
            } else {
                p[0] = (char)(0xC0 | (c >> 6));
                p[1] = (char)(0x80 | (c & 0x3F));
                p += 2;
            }
        }
    } else if (kind == PyUnicode_2BYTE_KIND) {
        const Py_UCS2* u = (const Py_UCS2*)data;
        DDL_JSON_WIDE(u);
    } else {
        const Py_UCS4* u = (const Py_UCS4*)data;
        DDL_JSON_WIDE(u);
    }
    if (quotes) *p++ = '"';
    o->pos = p;
    return 0;
}

/* Write the str s as a JSON string, with its quotes: 0, or -1 with MemoryError set. An ASCII
   str is copied into the buffer; any other is a segment between its quotes (ddl_json_out.h). */
static int ddl_json_str(ddl_jout* o, PyObject* s) {
    if (PyUnicode_IS_ASCII(s)) return ddl_json_str_utf8(o, s, 1);
    if (ddl_jout_room(o, 2) < 0) return -1;
    *o->pos++ = '"';
    if (ddl_jout_segment(o, s) < 0) return -1;
    *o->pos++ = '"';
    return 0;
}

/* Write the characters of the str s as JSON writes them in a string, in UTF-8, without the
   quotes (the segment writer of ddl_jout_text): as ddl_json_str_utf8. */
static int ddl_json_str_body(ddl_jout* o, PyObject* s) {
    return ddl_json_str_utf8(o, s, 0);
}

/* The text of o as a new str (see ddl_jout_text), the segments written in UTF-8 when it must. */
static PyObject* ddl_json_text(ddl_jout* o) {
    return ddl_jout_text(o, ddl_json_str_body);
}

/* Write 0 < v < 10**8 in decimal at p, which has room for 8 bytes, and return the new end: its
   eight digits made at once (ddl_8_digits), the leading zeros shifted out of the word. */
static inline char* ddl_json_leading_digits(char* p, uint64_t v) {
    int n = ddl_digit_count(v);
    ddl_store8(p, ddl_8_digits((uint32_t)v) >> (8 * (8 - n)));
    return p + n;
}

/* Write v in decimal at p, which has room for 20 bytes; return the new end. The digits are made
   eight at a time (no division per digit) and stored as whole words; bytes after the text,
   within the 20, may be written too. */
static inline char* ddl_json_u64(char* p, uint64_t v) {
    uint64_t high, rest;
    int n;
    if (v < 10000) {  /* most counts, lengths and codes: half the work of eight digits */
        n = ddl_digit_count(v | 1);  /* as many digits as v (an odd v + 1 is never 10**k), 1 for 0 */
        ddl_store4(p, ddl_4_digits((uint32_t)v) >> (8 * (4 - n)));
        return p + n;
    }
    if (v < UINT64_C(100000000)) return ddl_json_leading_digits(p, v);
    if (v < UINT64_C(10000000000000000)) {
        high = v / UINT64_C(100000000);
        p = ddl_json_leading_digits(p, high);
        ddl_store8(p, ddl_8_digits((uint32_t)(v - high * UINT64_C(100000000))));
        return p + 8;
    }
    high = v / UINT64_C(10000000000000000);  /* 1 to 1844 */
    rest = v - high * UINT64_C(10000000000000000);
    p = ddl_json_leading_digits(p, high);
    ddl_store8(p, ddl_8_digits((uint32_t)(rest / UINT64_C(100000000))));
    ddl_store8(p + 8, ddl_8_digits((uint32_t)(rest % UINT64_C(100000000))));
    return p + 16;
}

/* Write v in decimal at p, which has room for 20 bytes; return the new end. */
static inline char* ddl_json_i64(char* p, int64_t v) {
    if (v < 0) {
        *p++ = '-';
        return ddl_json_u64(p, 0 - (uint64_t)v);
    }
    return ddl_json_u64(p, (uint64_t)v);
}

/* The room one element of ddl_json_int_run takes at most: the separator, the quotes, a sign
   and the 20 bytes ddl_json_u64 may store. */
#define DDL_JSON_INT_ROOM 25

/* Write x in decimal at p, in quotes when quoted (proto3 quotes the 64-bit kinds), where p has
   room for DDL_JSON_INT_ROOM - 2 bytes; return the new end. */
static inline char* ddl_json_int_text(char* p, int64_t x, int quoted) {
    *p = '"';  /* overwritten by the digits when not quoted */
    p = ddl_json_i64(p + quoted, x);
    *p = '"';
    return p + quoted;
}

/* Write the elements items[i:n] of a repeated integer field, each after ", " (or ",": compact) but the list's
   first, as the per-element writer does: plain ints (not a subclass) in [lo, hi], the field's
   range within int64, in quotes when quoted (proto3 quotes the 64-bit kinds). Returns the index
   of the first item left to that writer (any other object, or a value out of range or beyond
   int64), n at the end, or -1 with MemoryError set. Long runs of numbers are written without a
   dispatch per element. */
static Py_ssize_t ddl_json_int_run(ddl_jout* o, PyObject* const* items, Py_ssize_t i, Py_ssize_t n,
                                   int64_t lo, int64_t hi, int quoted) {
    for (; i < n; i++) {
        PyObject* v = items[i];
        int64_t x;
        char* p;
        if (Py_TYPE(v) != &PyLong_Type || !ddl_small_long(v, &x) || x < lo || x > hi) return i;
        if (ddl_jout_room(o, DDL_JSON_INT_ROOM) < 0) return -1;
        p = o->pos;
        if (i) {
            memcpy(p, ", ", 2);
            p += 2 - o->compact;
        }
        o->pos = ddl_json_int_text(p, x, quoted);
    }
    return n;
}

/* 2**50: below it, a double times a power of ten is within 1/4 of the integer it stands for,
   and integers are exact. */
#define DDL_P2_50 1125899906842624.0

/* How many fraction digits ddl_json_short_repr tries before it leaves d to ddl_d2s: values with
   a few decimals (prices, rounded measurements, integers) are its gain, and each try costs a
   division, which makes it slower than ddl_d2s beyond about four tries (measured). */
#define DDL_SHORT_REPR_TRIES 4

/* Write m * 10**-k (0 < m < 10**16, with no trailing zero when k > 0), negated when negative,
   in repr's positional notation at p (room for 24 bytes), and return the new end: the integral
   digits (or "0"), a point, then the k fraction digits (or "0" for an integral value). The 16
   digits of m, leading zeros included, are made as two words (ddl_8_digits) and copied from. */
static char* ddl_json_positional(char* p, int negative, uint64_t m, int k) {
    char digits[16];
    const char* first;
    int n = ddl_digit_count(m);
    uint64_t high = m / UINT64_C(100000000);
    ddl_store8(digits, ddl_8_digits((uint32_t)high));
    ddl_store8(digits + 8, ddl_8_digits((uint32_t)(m - high * UINT64_C(100000000))));
    first = digits + 16 - n;
    if (negative) *p++ = '-';
    if (n <= k) {  /* 0.000ddd */
        memcpy(p, "0.0000000000000000", (size_t)(2 + k - n));
        p += 2 + k - n;
        memcpy(p, first, (size_t)n);
        return p + n;
    }
    memcpy(p, first, (size_t)(n - k));  /* the integral part */
    p += n - k;
    *p++ = '.';
    if (k == 0) {
        *p++ = '0';
        return p;
    }
    memcpy(p, first + n - k, (size_t)k);
    return p + k;
}

/* Write float.__repr__(d) for the doubles 1e-4 <= |d| < 2**50 with at most
   DDL_SHORT_REPR_TRIES - 1 fraction digits, at p (room for 24 bytes), and return the new end;
   or return NULL, writing nothing, for the others. repr writes the fewest significant digits
   that read back as d, in positional notation in this range. They are found as the first k for
   which m = round(|d| * 10**k) gives m / 10**k == |d|: both operands are exact, so the division
   rounds m * 10**-k exactly as reading the text back would, and when some m' * 10**-k reads
   back as d (m' < 2**50), the product is within 1/4 of m' and rounds to it. Fewer digits at a
   larger k cannot read back as d too: such text lies within half an ulp of d, and that is less
   than 10**-k / 4 apart from m * 10**-k. The caller has turned away the doubles out of range
   and most of those with more decimals (ddl_json_short_repr). Out of line: the doubles it takes
   are worth a call, and the ones it turns away then cost none. */
static DDL_NOINLINE char* ddl_json_short_repr_digits(char* p, double d) {
    double a = fabs(d), m = 0.0, x;
    int k;
    for (k = 0; k < DDL_SHORT_REPR_TRIES; k++) {
        x = a * ddl_exact_pow10[k];
        if (x >= DDL_P2_50) return NULL;
        m = ddl_round_small(x);
        if (m / ddl_exact_pow10[k] == a) break;
    }
    if (k == DDL_SHORT_REPR_TRIES) return NULL;
    return ddl_json_positional(p, d < 0, (uint64_t)m, k);
}

/* ddl_json_short_repr_digits's text of d (the same contract), or NULL for the doubles it
   cannot take, most of which are turned away here with no division: if some k works, the last
   k works too (the same value with more zeros), so x = |d| * 10**k for it is within
   500 * ulp(|d|) + ulp(x) / 2 < 1.5 * ulp(x) <= x / 2**51 of an integer (ulp(x) >= 2**9 *
   ulp(|d|), as 10**3 >= 2**9; a rounded product is off by ulp(x) / 2 at most). Inline: in a
   list of doubles of many digits, this test is all the work it does. */
static inline char* ddl_json_short_repr(char* p, double d) {
    double a = fabs(d), x;
    if (!(a >= 1e-4 && a < DDL_P2_50)) return NULL;
    x = a * ddl_exact_pow10[DDL_SHORT_REPR_TRIES - 1];
    if (x < DDL_P2_50 && fabs(x - ddl_round_small(x)) > x / DDL_P2_50) return NULL;
    return ddl_json_short_repr_digits(p, d);
}

/* Write the finite d as float.__repr__ does: 0, or -1 with MemoryError set. The doubles with
   few decimals go through ddl_json_short_repr, the others through ddl_d2s (ddl_dtoa.h). */
static int ddl_json_repr(ddl_jout* o, double d) {
    char* end;
    if (ddl_jout_room(o, DDL_D2S_ROOM) < 0) return -1;
    end = ddl_json_short_repr(o->pos, d);
    o->pos = end != NULL ? end : ddl_d2s(o->pos, d);
    return 0;
}

/* The longest text ddl_json_nonfinite writes. */
#define DDL_JSON_NONFINITE_ROOM 11

/* Write the non-finite d (NaN or an infinity) at p, which has room for DDL_JSON_NONFINITE_ROOM
   bytes, as protobuf's strings ("NaN", "Infinity", "-Infinity"), and return the new end. */
static char* ddl_json_nonfinite(char* p, double d) {
    const char* text = d != d ? "\"NaN\"" : d > 0 ? "\"Infinity\"" : "\"-Infinity\"";
    size_t n = strlen(text);
    memcpy(p, text, n);
    return p + n;
}

/* Write NaN or an infinity as ddl_json_nonfinite does, and return 1; or return 0 for a finite
   d, writing nothing. -1 with MemoryError set. */
static int ddl_json_special(ddl_jout* o, double d) {
    if (isfinite(d)) return 0;
    if (ddl_jout_room(o, DDL_JSON_NONFINITE_ROOM) < 0) return -1;
    o->pos = ddl_json_nonfinite(o->pos, d);
    return 1;
}

/* A double field's value: 0, or -1 with an exception set. */
static int ddl_json_double(ddl_jout* o, double d) {
    int r = ddl_json_special(o, d);
    return r ? (r < 0 ? -1 : 0) : ddl_json_repr(o, d);
}

/* Write items[i:n] of a list of doubles while they are exact floats, each after ", " (",") unless it
   is the list's first (i == 0): the index of the first item that is not an exact float (n when
   there is none), or -1 with MemoryError set. The loop of long vectors of numbers, with one
   room check per item and no call per item but the digits'. */
static Py_ssize_t ddl_json_float_run(ddl_jout* o, PyObject* const* items, Py_ssize_t i, Py_ssize_t n) {
    for (; i < n; i++) {
        PyObject* v = items[i];
        double d;
        char* end;
        if (Py_TYPE(v) != &PyFloat_Type) return i;
        if (ddl_jout_room(o, 2 + DDL_D2S_ROOM) < 0) return -1;
        if (i) {
            memcpy(o->pos, ", ", 2);
            o->pos += 2 - o->compact;
        }
        d = PyFloat_AS_DOUBLE(v);
        if (!isfinite(d)) {
            o->pos = ddl_json_nonfinite(o->pos, d);  /* DDL_D2S_ROOM is room enough */
            continue;
        }
        end = ddl_json_short_repr(o->pos, d);
        o->pos = end != NULL ? end : ddl_d2s(o->pos, d);
    }
    return n;
}

/* The fewest digits (6 to 9) whose double reads back as the 32-bit float single, for
   1e-4 <= |single| < 1e6, as the Python path's float32 converter finds them (its "%.{digits}g"
   is PyOS_double_to_string's 'g', correctly rounded, ties to even): 1 with |single| ~ m * 10**-e
   (no trailing zero in m when e > 0), 0 for a float outside that range. The rounding is done
   here: a float (24 bits) times 10**s (s <= 12, 5**12 < 2**28) is exact in a double, so
   rounding it to an integer (ddl_round_small, ties to even) is the correct rounding. That
   double's repr is then those digits, written at once (ddl_json_positional): the division
   m / 10**e of exact operands gives the double nearest to them, so they read back as it, and no
   fewer digits can, as any other text of up to 10 significant digits lies at least 10**-10 of
   the value away, and the double's neighbours 2**-52 of it. */
static inline int ddl_float32_digits(float single, uint64_t* m, int* e) {
    double a = fabs((double)single), r;
    int digits, k;
    uint64_t mi;
    if (!(a >= 1e-4 && a < 1e6)) return 0;
    /* a * 10**k has 6 integral digits; each further digit is the next power of ten */
    for (k = 0; a * ddl_exact_pow10[k] < 1e5; k++) {}
    for (digits = 6; digits < 10; digits++, k++) {
        r = ddl_round_small(a * ddl_exact_pow10[k]);
        if ((float)(r / ddl_exact_pow10[k]) == (float)a) {
            for (mi = (uint64_t)r; k > 0 && mi % 10 == 0; k--) mi /= 10;
            *m = mi;
            *e = k;
            return 1;
        }
    }
    return 0;  /* not reached: 9 digits always read back */
}

/* The double whose repr is the shortest text of the 32-bit float single, for the floats
   ddl_float32_digits leaves, found through PyOS_double_to_string as the Python path finds it:
   0 with it in *out; 1 when those digits read as a float beyond the range of floats (the
   Python path refuses it); -1 with an exception set. */
static DDL_NOINLINE int ddl_float32_slow(float single, double* out) {
    double shortest;
    char* s;
    int digits;
    for (digits = 6; digits < 10; digits++) {
        s = PyOS_double_to_string((double)single, 'g', digits, 0, NULL);
        if (s == NULL) return -1;
        shortest = PyOS_string_to_double(s, NULL, NULL);
        PyMem_Free(s);
        if (shortest == -1.0 && PyErr_Occurred()) return -1;
        if (isinf((float)shortest)) return 1;
        if ((float)shortest == single) {
            *out = shortest;
            return 0;
        }
    }
    *out = (double)single;
    return 0;
}

/* A float field's value: the 32-bit float d rounds to, written as repr writes the double of its
   fewest digits (ddl_float32_digits, ddl_float32_slow). 0; 1 when d is finite but beyond the
   range of a float (the Python path refuses it: the caller bails); -1 with an exception set. */
static int ddl_json_float32(ddl_jout* o, double d) {
    float single;
    double shortest;
    uint64_t m;
    int e, r = ddl_json_special(o, d);
    if (r) return r < 0 ? -1 : 0;
    single = (float)d;
    if (isinf(single)) return 1;
    if (ddl_float32_digits(single, &m, &e)) {
        if (ddl_jout_room(o, 24) < 0) return -1;
        o->pos = ddl_json_positional(o->pos, single < 0, m, e);
        return 0;
    }
    r = ddl_float32_slow(single, &shortest);
    return r ? r : ddl_json_repr(o, shortest);
}

/* The finite d as the Python path's float32 converter gives it to ddl.to_dict: the double
   ddl_json_float32 writes, in *out. 0; 1 when d is beyond the range of a float; -1 with an
   exception set. */
static int ddl_float32_value(double d, double* out) {
    float single = (float)d;
    uint64_t m;
    int e;
    if (isinf(single)) return 1;
    if (ddl_float32_digits(single, &m, &e)) {
        *out = copysign((double)m / ddl_exact_pow10[e], (double)single);
        return 0;
    }
    return ddl_float32_slow(single, out);
}

#endif /* DDL_JSON_WRITE_H */
