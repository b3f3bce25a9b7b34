/* ddl_json_read.h: the lexical pieces of proto3 JSON text that the compiled JSON reader
   (json_read.pxi) scans in C: whitespace, keys, string bodies and their escapes, and number
   tokens (read as doubles or plain integers in the pass that scans them); base64 is read by
   ddl_base64.h. Each one recognises exactly what Python's json module and ddl's JSON readers
   accept, or reports failure (a negative result) so that the caller bails to the Python path,
   which then decides the error. Nothing here touches Python objects. */

#ifndef DDL_JSON_READ_H
#define DDL_JSON_READ_H

#include <Python.h>
#include <stdint.h>
#include <string.h>

#include "ddl_base64.h"
#include "ddl_compat.h"
#include "ddl_dtoa.h"
#include "ddl_wire.h"

#if defined(DDL_SSE2)
#include <emmintrin.h>
#endif

/* The index of the first byte at or after i in s[:n] that is not JSON whitespace (the json
   module's four: space, tab, LF and CR). */
static inline Py_ssize_t ddl_json_ws(const unsigned char* s, Py_ssize_t i, Py_ssize_t n) {
    while (i < n && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')) i++;
    return i;
}

/* Whether the n bytes at a and b are the same: a key against a field's name. Names are short,
   so they are compared as words, overlapping (or halves of one), without a call; only a[0:n]
   and b[0:n] are read. */
static inline int ddl_json_same(const unsigned char* a, const unsigned char* b, Py_ssize_t n) {
    uint64_t x, y, u, v;
    uint32_t h, i, j, k;
    if (n > 16) return ddl_same_words(a, b, n);
    if (n >= 8) {
        memcpy(&x, a, 8); memcpy(&y, a + n - 8, 8);
        memcpy(&u, b, 8); memcpy(&v, b + n - 8, 8);
        return ((x ^ u) | (y ^ v)) == 0;
    }
    if (n >= 4) {
        memcpy(&h, a, 4); memcpy(&i, a + n - 4, 4);
        memcpy(&j, b, 4); memcpy(&k, b + n - 4, 4);
        return ((h ^ j) | (i ^ k)) == 0;
    }
    return n == 0 || (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1]);
}

/* The index of the lowest set bit of word (never 0): the next absent field in the reader's
   bitmap of the fields not read. */
static inline int ddl_json_lowest(uint64_t word) {
    return DDL_CTZ64(word);
}

/* What ddl_json_string_end found in a string's body, as bits of *flags. */
#define DDL_JSON_ESCAPES 1  /* a backslash: the body needs ddl_json_unescape */
#define DDL_JSON_NONASCII 2 /* a byte of 0x80 or more outside escapes: the text is not all ASCII */

/* The index of the closing quote of the string whose body starts at s[i], or -1 when the
   string is not closed or holds a raw control character (the json module refuses both).
   *flags gets DDL_JSON_ESCAPES and DDL_JSON_NONASCII for what the body holds, so that a plain
   ASCII body, the common case, is made a str with one copy. An escape's next byte is skipped,
   so an escaped quote does not end the string (ddl_json_unescape checks the escapes). With
   SSE2, 16 bytes are tested a step for the three bytes that stop the scan (quote, backslash,
   control) and for non-ASCII ones; the byte loop does the rest, or all of it elsewhere. */
static inline Py_ssize_t ddl_json_string_end(const unsigned char* s, Py_ssize_t i, Py_ssize_t n, int* flags) {
    unsigned char c;
    int f = 0;
#if defined(DDL_SSE2)
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), control = _mm_set1_epi8(0x1F);
    while (i + 16 <= n) {
        __m128i v = _mm_loadu_si128((const __m128i*)(s + i));
        int high = _mm_movemask_epi8(v); /* the bytes of 0x80 or more */
        /* a byte is a control character when the unsigned max of it and 0x1F is 0x1F */
        __m128i stop = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                    _mm_cmpeq_epi8(_mm_max_epu8(v, control), control));
        int stops = _mm_movemask_epi8(stop);
        if (stops == 0) {
            if (high) f |= DDL_JSON_NONASCII;
            i += 16;
            continue;
        }
        int at = DDL_CTZ64((uint64_t)stops);
        if (high & ((1 << at) - 1)) f |= DDL_JSON_NONASCII;
        i += at;
        c = s[i];
        if (c == '"') {
            *flags = f;
            return i;
        }
        if (c < 0x20) break;
        f |= DDL_JSON_ESCAPES;
        i += 2;
    }
#endif
    while (i < n) {
        c = s[i];
        if (c == '"') {
            *flags = f;
            return i;
        }
        if (c < 0x20) break;
        if (c == '\\') {
            f |= DDL_JSON_ESCAPES;
            i++;
        } else if (c >= 0x80) {
            f |= DDL_JSON_NONASCII;
        }
        i++;
    }
    *flags = f;
    return -1;
}

/* The value of four hex digits at s (s[:4] readable), or -1 if one is not a hex digit. */
static inline int32_t ddl_json_hex4(const unsigned char* s) {
    int32_t v = 0;
    for (int k = 0; k < 4; k++) {
        unsigned char c = s[k];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= c - '0';
        else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
        else return -1;
    }
    return v;
}

/* Write the string body s[:n] (between the quotes) with its escapes resolved into out, as
   UTF-8, and return the length written; out needs n bytes (no escape is shorter than what it
   writes). -1 for an escape the json module refuses, and for a \u escape of a surrogate that
   is not a high one followed by a low one: ddl refuses a lone surrogate, and leaves that error
   to the Python path. The other bytes are copied as they are: the caller checks the UTF-8. */
static Py_ssize_t ddl_json_unescape(const unsigned char* s, Py_ssize_t n, unsigned char* out) {
    Py_ssize_t i = 0, o = 0;
    int32_t cp, low;
    while (i < n) {
        unsigned char c;
        /* the run up to the next backslash, copied at once */
        const unsigned char* next = (const unsigned char*)memchr(s + i, '\\', (size_t)(n - i));
        Py_ssize_t run = next == NULL ? n - i : next - (s + i);
        memcpy(out + o, s + i, (size_t)run);
        o += run;
        i += run;
        if (i == n) break;
        if (i + 1 >= n) return -1;
        c = s[i + 1];
        i += 2;
        switch (c) {
            case '"': out[o++] = '"'; continue;
            case '\\': out[o++] = '\\'; continue;
            case '/': out[o++] = '/'; continue;
            case 'b': out[o++] = '\b'; continue;
            case 'f': out[o++] = '\f'; continue;
            case 'n': out[o++] = '\n'; continue;
            case 'r': out[o++] = '\r'; continue;
            case 't': out[o++] = '\t'; continue;
            case 'u': break;
            default: return -1;
        }
        if (n - i < 4 || (cp = ddl_json_hex4(s + i)) < 0) return -1;
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDFFF) {
            if (cp >= 0xDC00 || n - i < 6 || s[i] != '\\' || s[i + 1] != 'u') return -1;
            low = ddl_json_hex4(s + i + 2);
            if (low < 0xDC00 || low > 0xDFFF) return -1;
            i += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        if (cp < 0x80) {
            out[o++] = (unsigned char)cp;
        } else if (cp < 0x800) {
            out[o++] = (unsigned char)(0xC0 | (cp >> 6));
            out[o++] = (unsigned char)(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out[o++] = (unsigned char)(0xE0 | (cp >> 12));
            out[o++] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
            out[o++] = (unsigned char)(0x80 | (cp & 0x3F));
        } else {
            out[o++] = (unsigned char)(0xF0 | (cp >> 18));
            out[o++] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
            out[o++] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
            out[o++] = (unsigned char)(0x80 | (cp & 0x3F));
        }
    }
    return o;
}

/* How many decimal digits the 8 bytes at p begin with (0 to 8), and in *value the number
   those digits make. The first byte is the lowest of the word (ddl_load8). A byte is '0' to
   '9' when its high nibble is 3 and adding 6 leaves it 3; a carry or borrow between bytes only
   runs towards later bytes, past the first byte that is no digit, so the leading digits are
   never disturbed. They are moved to the top of the word, with zeros below them that read as
   leading zeros, and the eight lanes are joined in three steps, each joining neighbouring
   lanes (8 digits, 4 two-digit numbers, 2 four-digit ones, then one); no lane overflows. */
static inline int ddl_json_digit_run(const unsigned char* p, uint64_t* value) {
    uint64_t v = ddl_load8(p);
    uint64_t other = ((v & 0xF0F0F0F0F0F0F0F0ULL) | (((v + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL) >> 4))
                     ^ 0x3333333333333333ULL;  /* a nonzero byte for each byte that is no digit */
    int k = other ? (int)(DDL_CTZ64(other) >> 3) : 8;
    if (k == 0) return 0;
    v = (v - 0x3030303030303030ULL) << (8 * (8 - k));
    v = (v * 10 + (v >> 8)) & 0x00FF00FF00FF00FFULL;
    v = (v * 100 + (v >> 16)) & 0x0000FFFF0000FFFFULL;
    *value = (v * 10000 + (v >> 32)) & 0xFFFFFFFFULL;
    return k;
}

/* The head of the JSON number at s[i]: its sign in *negative; then, unless its integer part is
   0 (*zero is set: no digit may follow, so the caller reads none), its leading digits, up to 8
   at a time (ddl_json_digit_run), in *w and their count in *digits, at most 16, so that 19
   digits still fit. Returns the index after them (after the 0), or -1 when no number starts
   at s[i]. The rest of the integer part is the caller's: a double and an integer treat a
   20th digit apart. */
static inline Py_ssize_t ddl_json_number_head(const unsigned char* s, Py_ssize_t i, Py_ssize_t n, int* negative,
                                              int* zero, uint64_t* w, int* digits) {
    uint64_t eight;
    *negative = 0;
    *zero = 0;
    *w = 0;
    *digits = 0;
    if (i < n && s[i] == '-') {
        *negative = 1;
        i++;
    }
    if (i >= n || (unsigned)s[i] - '0' > 9) return -1;
    if (s[i] == '0') {
        *zero = 1;
        return i + 1;
    }
    while (n - i >= 8) {
        int k = ddl_json_digit_run(s + i, &eight);
        if (k == 0 || *digits + k > 16) break;
        *w = *w * ddl_u64_pow10[k] + eight;
        *digits += k;
        i += k;
        if (k < 8) break;  /* the digits end here */
    }
    return i;
}

/* The JSON number token at s[i] (RFC 8259's grammar, which the json module follows:
   -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?) read as a double in the pass that scans it,
   as ddl_s2d reads it: its end, or -1 when no token starts there or a fraction or exponent is
   cut short. *integral is set to 1 for a token without fraction or exponent (the json module
   makes an int of those), else 0. What follows the token is for the caller to check. *decided is 1 with the double in *out, or 0
   when the caller must ask a correctly rounded strtod (over 19 significant digits that are not
   all zeros, or what ddl_s2d_decimal leaves). From the first significant digit on, eight digits
   that still fit the 19 are taken up to eight at once (ddl_json_digit_run). */
static inline Py_ssize_t ddl_json_read_double(const unsigned char* s, Py_ssize_t i, Py_ssize_t n, int* integral,
                                              int* decided, double* out) {
    uint64_t w, eight;
    int negative, zero, digits, q = 0, exponent = 0, exponent_negative = 0, dropped = 0;
    unsigned d;
    *integral = 1;
    *decided = 0;
    i = ddl_json_number_head(s, i, n, &negative, &zero, &w, &digits);
    if (i < 0) return -1;
    if (!zero) {
        for (; i < n && (d = (unsigned)s[i] - '0') <= 9; i++) {
            if (digits < 19) {
                w = 10 * w + d;
                digits++;
            } else if (d != 0) {
                dropped = 1;
            } else {
                q++;  /* a zero beyond the 19 digits kept */
            }
        }
    }
    if (i < n && s[i] == '.') {
        *integral = 0;
        i++;
        if (i >= n || (unsigned)s[i] - '0' > 9) return -1;
        /* up to the first significant digit, when the integer part is 0 (none is kept yet) */
        for (; w == 0 && i < n && (d = (unsigned)s[i] - '0') <= 9; i++) {
            w = d;
            digits = d != 0;
            q--;
        }
        while (w != 0 && n - i >= 8) {
            int k = ddl_json_digit_run(s + i, &eight);
            if (k == 0 || digits + k > 19) break;
            w = w * ddl_u64_pow10[k] + eight;
            digits += k;
            q -= k;
            i += k;
            if (k < 8) break;  /* the digits end here */
        }
        for (; i < n && (d = (unsigned)s[i] - '0') <= 9; i++) {
            if (digits < 19) {
                w = 10 * w + d;
                digits++;
                q--;
            } else if (d != 0) {
                dropped = 1;
            }
        }
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        *integral = 0;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) exponent_negative = s[i++] == '-';
        if (i >= n || (unsigned)s[i] - '0' > 9) return -1;
        /* beyond 100000 the exponent only says zero or infinity */
        for (; i < n && (d = (unsigned)s[i] - '0') <= 9; i++) {
            if (exponent < 100000) exponent = 10 * exponent + (int)d;
        }
        q += exponent_negative ? -exponent : exponent;
    }
    *decided = !dropped && ddl_s2d_decimal(w, q, negative, out);
    return i;
}

/* The plain integer at s[i], -?(0|[1-9][0-9]*), read in the pass that scans it, as its sign
   (*negative) and magnitude: its end, or -1 when none starts there, when it goes on as a
   fraction or an exponent (ddl reads those through Decimal), or when the magnitude is 2**64
   or more. Digits are taken up to eight at once (ddl_json_number_head); up to 19 cannot
   overflow. What follows is for the caller to check. */
static inline Py_ssize_t ddl_json_read_integer(const unsigned char* s, Py_ssize_t i, Py_ssize_t n, int* negative,
                                               uint64_t* magnitude) {
    uint64_t m;
    int zero, digits;
    unsigned d;
    i = ddl_json_number_head(s, i, n, negative, &zero, &m, &digits);
    if (i < 0) return -1;
    if (!zero) {
        for (; i < n && (d = (unsigned)s[i] - '0') <= 9; i++) {
            if (++digits > 19 && m > (UINT64_MAX - d) / 10) return -1;
            m = m * 10 + d;
        }
    }
    if (i < n && (s[i] == '.' || s[i] == 'e' || s[i] == 'E')) return -1;
    *magnitude = m;
    return i;
}

#endif /* DDL_JSON_READ_H */
