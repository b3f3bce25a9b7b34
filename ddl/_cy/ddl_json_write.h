/* ddl_json_write.h: the pieces of text the compiled JSON writer (json_write.pxi) makes, each
   exactly as ddl.to_json's Python path has json.JSONEncoder(ensure_ascii=False) write it:
   strings with the json module's escapes, integers in decimal, doubles as float.__repr__, and
   float fields at the shortest text of their 32-bit value. All of it writes into one growing
   buffer, which becomes the returned str once. Nothing here runs Python code. */

#ifndef DDL_JSON_WRITE_H
#define DDL_JSON_WRITE_H

#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "ddl_compat.h"
#include "ddl_dtoa.h"

/* The text written so far. It starts in the caller's stack buffer and moves to the heap when
   it outgrows it. */
typedef struct {
    char* base;  /* the allocation */
    char* pos;   /* where the next byte goes */
    char* end;   /* one past the last byte of the allocation */
    int heap;    /* whether base came from PyMem_Malloc (and is the caller's to free) */
} ddl_jout;

/* The slow path of ddl_jout_room, out of line: move the text to an allocation with room for
   need more bytes, at least twice the old one, so appending stays linear. 0, or -1 with
   MemoryError set. */
static DDL_NOINLINE int ddl_jout_grow(ddl_jout* o, Py_ssize_t need) {
    Py_ssize_t used = o->pos - o->base, cap = 2 * (o->end - o->base);
    char* base;
    if (need > PY_SSIZE_T_MAX / 4 - used) {
        PyErr_NoMemory();
        return -1;
    }
    if (cap < used + need + 256) cap = used + need + 256;
    base = (char*)PyMem_Malloc((size_t)cap);
    if (base == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    memcpy(base, o->base, (size_t)used);
    if (o->heap) PyMem_Free(o->base);
    o->base = base;
    o->pos = base + used;
    o->end = base + cap;
    o->heap = 1;
    return 0;
}

/* Make sure need more bytes fit: 0, or -1 with MemoryError set. */
static inline int ddl_jout_room(ddl_jout* o, Py_ssize_t need) {
    return o->end - o->pos >= need ? 0 : ddl_jout_grow(o, need);
}

/* What follows the backslash of each ASCII character a JSON string escapes, as the json
   module's encoder does: the short escapes, 'u' for the other controls (\u00XX, lowercase hex),
   0 for the characters written as themselves (DEL and everything above included). */
static const char ddl_json_escape[128] = {
    'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'b', 't', 'n', 'u', 'f', 'r', 'u', 'u',
    'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u',
    0, 0, '"', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '\\', 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* Whether any of the 8 bytes of w is below 0x20, a '"', a '\\' or above 0x7F: the bytes the
   plain copy of ddl_json_str cannot take. The classic word tricks (a byte below n, a zero byte)
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

/* Write the str s as a JSON string, with its quotes, in UTF-8: 0; 1 when s holds a lone
   surrogate, which has no UTF-8 form (the caller bails: the Python path writes it as it is);
   -1 with MemoryError set. Room for the longest escape of every character (6 bytes) is made
   first; runs of 8 plain characters of a one-byte str are copied a word at a time. */
static int ddl_json_str(ddl_jout* o, PyObject* s) {
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
    *p++ = '"';
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
    *p++ = '"';
    o->pos = p;
    return 0;
}

/* Write v in decimal at p, which has room for 20 bytes; return the new end. */
static inline char* ddl_json_u64(char* p, uint64_t v) {
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) *p++ = tmp[--n];
    return p;
}

/* Write v in decimal at p, which has room for 20 bytes; return the new end. */
static inline char* ddl_json_i64(char* p, int64_t v) {
    if (v < 0) {
        *p++ = '-';
        return ddl_json_u64(p, 0 - (uint64_t)v);
    }
    return ddl_json_u64(p, (uint64_t)v);
}

/* 2**50: below it, a double times a power of ten is within 1/4 of the integer it stands for,
   and integers are exact. */
#define DDL_P2_50 1125899906842624.0

/* How many fraction digits ddl_json_short_repr tries before it leaves d to ddl_d2s: values with
   a few decimals (prices, rounded measurements, integers) are its gain, and each try costs a
   division, which makes it slower than ddl_d2s beyond about four tries (measured). */
#define DDL_SHORT_REPR_TRIES 4

/* Write float.__repr__(d) for the doubles 1e-4 <= |d| < 2**50 with at most
   DDL_SHORT_REPR_TRIES - 1 fraction digits, at p (room for 24 bytes), and return the new end;
   or return NULL, writing nothing, for the others. repr writes the fewest significant digits
   that read back as d, in positional notation in this range. They are found as the first k for
   which m = round(|d| * 10**k) gives m / 10**k == |d|: both operands are exact, so the division
   rounds m * 10**-k exactly as reading the text back would, and when some m' * 10**-k reads
   back as d (m' < 2**50), the product is within 1/4 of m' and rounds to it. Fewer digits at a
   larger k cannot read back as d too: such text lies within half an ulp of d, and that is less
   than 10**-k / 4 apart from m * 10**-k. */
static char* ddl_json_short_repr(char* p, double d) {
    double a = fabs(d), m = 0.0;
    char digits[20];
    int k, n = 0, j;
    uint64_t mi;
    if (!(a >= 1e-4 && a < DDL_P2_50)) return NULL;
    for (k = 0; k < DDL_SHORT_REPR_TRIES; k++) {
        double x = a * ddl_exact_pow10[k];
        if (x >= DDL_P2_50) return NULL;
        m = nearbyint(x);
        if (m / ddl_exact_pow10[k] == a) break;
    }
    if (k == DDL_SHORT_REPR_TRIES) return NULL;
    for (mi = (uint64_t)m; mi; mi /= 10) digits[n++] = (char)('0' + mi % 10);  /* backwards */
    if (d < 0) *p++ = '-';
    if (n <= k) {  /* 0.000ddd */
        *p++ = '0';
        *p++ = '.';
        for (j = n; j < k; j++) *p++ = '0';
        while (n) *p++ = digits[--n];
        return p;
    }
    for (j = n; j > k; j--) *p++ = digits[j - 1];  /* the integral part */
    *p++ = '.';
    if (k == 0) *p++ = '0';
    for (; j > 0; j--) *p++ = digits[j - 1];
    return p;
}

/* Write the finite d as float.__repr__ does: 0, or -1 with MemoryError set. The doubles with
   few decimals go through ddl_json_short_repr, the others through ddl_d2s (ddl_dtoa.h). */
static int ddl_json_repr(ddl_jout* o, double d) {
    char* end;
    if (ddl_jout_room(o, 24) < 0) return -1;
    end = ddl_json_short_repr(o->pos, d);
    o->pos = end != NULL ? end : ddl_d2s(o->pos, d);
    return 0;
}

/* Write NaN or an infinity as protobuf's strings ("NaN", "Infinity", "-Infinity"), and return
   1; or return 0 for a finite d, writing nothing. -1 with MemoryError set. */
static int ddl_json_special(ddl_jout* o, double d) {
    const char* text;
    size_t n;
    if (isfinite(d)) return 0;
    text = d != d ? "\"NaN\"" : d > 0 ? "\"Infinity\"" : "\"-Infinity\"";
    n = strlen(text);
    if (ddl_jout_room(o, (Py_ssize_t)n) < 0) return -1;
    memcpy(o->pos, text, n);
    o->pos += n;
    return 1;
}

/* A double field's value: 0, or -1 with an exception set. */
static int ddl_json_double(ddl_jout* o, double d) {
    int r = ddl_json_special(o, d);
    return r ? (r < 0 ? -1 : 0) : ddl_json_repr(o, d);
}

/* A float field's value: the 32-bit float d rounds to, at the fewest digits (6 to 9) whose
   double reads back as that float, as the Python path's float32 converter finds them (its
   "%.{digits}g" is PyOS_double_to_string's 'g', correctly rounded, ties to even), then written
   as repr writes that double. 0; 1 when d is finite but beyond the range of a float (the Python
   path refuses it: the caller bails); -1 with an exception set. For 1e-4 <= |float| < 1e6 the
   rounding is done here: a float (24 bits) times 10**s (s <= 12, 5**12 < 2**28) is exact in a
   double, so rounding it to an integer (nearbyint, ties to even) is the correct rounding. */
static int ddl_json_float32(ddl_jout* o, double d) {
    float single;
    double a, shortest;
    char* s;
    int digits, e, r = ddl_json_special(o, d);
    if (r) return r < 0 ? -1 : 0;
    single = (float)d;
    if (isinf(single)) return 1;
    a = fabs((double)single);
    if (a >= 1e-4 && a < 1e6) {
        for (digits = 6; digits < 10; digits++) {
            for (e = 0; a * ddl_exact_pow10[e] < ddl_exact_pow10[digits - 1]; e++) {}
            shortest = nearbyint(a * ddl_exact_pow10[e]) / ddl_exact_pow10[e];
            if (single < 0) shortest = -shortest;
            if ((float)shortest == single) return ddl_json_repr(o, shortest);
        }
    }
    for (digits = 6; digits < 10; digits++) {
        s = PyOS_double_to_string((double)single, 'g', digits, 0, NULL);
        if (s == NULL) return -1;
        shortest = PyOS_string_to_double(s, NULL, NULL);
        PyMem_Free(s);
        if (shortest == -1.0 && PyErr_Occurred()) return -1;
        if (isinf((float)shortest)) return 1;
        if ((float)shortest == single) return ddl_json_repr(o, shortest);
    }
    return ddl_json_repr(o, (double)single);
}

#endif /* DDL_JSON_WRITE_H */
