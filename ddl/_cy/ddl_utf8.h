/* ddl_utf8.h: str to UTF-8 and back, the two conversions every string field makes. Encoding
   reads the bytes a str already holds; decoding scans the bytes once to size the str at its
   final width, then transcodes and checks them as strictly as CPython's decoder does. */

#ifndef DDL_UTF8_H
#define DDL_UTF8_H

#include <Python.h>

#include "ddl_compat.h"
#include "ddl_cpython.h"
#include "ddl_new_objects.h"
#include "ddl_wire.h"

#if defined(DDL_SSE2)
#include <emmintrin.h>
#endif

/* The UTF-8 bytes of a str, with their length in *n (NULL with an exception set on error,
   such as a lone surrogate): read in place for compact ASCII strings, the common case, or
   from the cache a str keeps once it was asked for them. */
static inline const char* ddl_utf8(PyObject* s, Py_ssize_t* n) {
    const char* cached;
    if (PyUnicode_IS_COMPACT_ASCII(s)) {
        *n = PyUnicode_GET_LENGTH(s);
        return (const char*)PyUnicode_1BYTE_DATA(s);
    }
    if ((cached = ddl_cached_utf8(s, n)) != NULL) return cached;
    return PyUnicode_AsUTF8AndSize(s, n);
}

/* A new reference to the str of the n bytes at s, which the caller knows are ASCII (a JSON
   string's scan notes it): one copy, no check (NULL with MemoryError). */
static inline PyObject* ddl_ascii_str(const unsigned char* s, Py_ssize_t n) {
    PyObject* r = ddl_ascii_new(n);
    if (r != NULL) ddl_copy((unsigned char*)PyUnicode_DATA(r), s, n);
    return r;
}

/* Decode UTF-8 into a string of kind T, checking it as strictly as CPython does. The lead
   byte picks the path first, so that text mixing scripts costs one well-predicted branch
   per character; ASCII runs go 8 bytes at a time. The first i bytes, ASCII as the caller
   found, are copied unchecked. Leaves j < n, or k != count, when the bytes are not valid.
   A macro, not a function, so that each width gets its own loop. */
#define DDL_TRANSCODE(T) do { \
    T* out = (T*)data; \
    for (j = 0; j < i; j++) out[j] = s[j]; \
    for (k = i; j < n && k < count;) { \
        c = s[j]; \
        if (c < 0x80) { \
            if (j + 8 <= n && k + 8 <= count && DDL_ASCII8(s + j)) { \
                for (int b = 0; b < 8; b++) out[k + b] = s[j + b]; \
                k += 8; j += 8; \
            } else { \
                out[k++] = c; j++; \
            } \
            continue; \
        } \
        if (c < 0xE0) { \
            if (c < 0xC2 || j + 1 >= n || (s[j + 1] & 0xC0) != 0x80) break; \
            cp = ((Py_UCS4)(c & 0x1F) << 6) | (s[j + 1] & 0x3F); \
            j += 2; \
        } else if (c < 0xF0) { \
            if (j + 2 >= n || (s[j + 1] & 0xC0) != 0x80 || (s[j + 2] & 0xC0) != 0x80) break; \
            cp = ((Py_UCS4)(c & 0x0F) << 12) | ((Py_UCS4)(s[j + 1] & 0x3F) << 6) | (s[j + 2] & 0x3F); \
            if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)) break; \
            j += 3; \
        } else { \
            if (c >= 0xF5 || j + 3 >= n || (s[j + 1] & 0xC0) != 0x80 || (s[j + 2] & 0xC0) != 0x80 \
                    || (s[j + 3] & 0xC0) != 0x80) break; \
            cp = ((Py_UCS4)(c & 0x07) << 18) | ((Py_UCS4)(s[j + 1] & 0x3F) << 12) \
                 | ((Py_UCS4)(s[j + 2] & 0x3F) << 6) | (s[j + 3] & 0x3F); \
            if (cp < 0x10000 || cp > 0x10FFFF) break; \
            j += 4; \
        } \
        out[k++] = (T)cp; \
    } \
} while (0)

/* The characters in s[i:n] (the bytes that are not continuation bytes), with the largest
   byte in *lead, which fixes the string's width. SSE2 (every x86-64) does 16 bytes a step;
   the byte loop does the rest, or all of it elsewhere. */
static inline Py_ssize_t ddl_utf8_scan(const unsigned char* s, Py_ssize_t i, Py_ssize_t n,
                                       unsigned char* lead) {
    Py_ssize_t bytes = n - i, continuations = 0;
    unsigned char c, top = 0;
#if defined(DDL_SSE2)
    const __m128i below_lead = _mm_set1_epi8((char)0xC0);
    __m128i widest = _mm_setzero_si128();
    while (i + 16 <= n) {
        /* Per-lane counters hold up to 255 steps before they are summed. */
        __m128i lanes = _mm_setzero_si128();
        Py_ssize_t stop = n - i > 16 * 255 ? i + 16 * 255 : n;
        for (; i + 16 <= stop; i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i*)(s + i));
            /* signed: 0x80..0xBF are the bytes below (char)0xC0 */
            lanes = _mm_sub_epi8(lanes, _mm_cmplt_epi8(v, below_lead));
            widest = _mm_max_epu8(widest, v);
        }
        __m128i sums = _mm_sad_epu8(lanes, _mm_setzero_si128());
        continuations += _mm_cvtsi128_si32(sums) + _mm_extract_epi16(sums, 4);
    }
    unsigned char maxima[16];
    _mm_storeu_si128((__m128i*)maxima, widest);
    for (int b = 0; b < 16; b++) if (maxima[b] > top) top = maxima[b];
#endif
    for (; i < n; i++) {
        c = s[i];
        continuations += (c & 0xC0) == 0x80;
        if (c > top) top = c;
    }
    *lead = top;
    return bytes - continuations;
}

/* A new reference to the str of the UTF-8 in s[:n], or NULL with no exception set when the
   bytes are not strict UTF-8 (the caller then lets CPython's decoder raise the error), or
   NULL with MemoryError. A first pass counts the characters and finds the largest byte, so
   the string is allocated once at its final width (CPython's decoder widens and copies as it
   meets wider characters); the second pass decodes and checks. */
static PyObject* ddl_decode_utf8(const unsigned char* s, Py_ssize_t n) {
    Py_ssize_t i = 0, j, k = 0, count;
    Py_UCS4 cp, widest;
    unsigned char c, lead;
    while (i + 8 <= n && DDL_ASCII8(s + i)) i += 8;
    while (i < n && s[i] < 0x80) i++;
    if (i == n) return ddl_ascii_str(s, n);
    count = i + ddl_utf8_scan(s, i, n, &lead);
    /* Valid UTF-8 only: a 4-byte sequence is above U+FFFF, a 3-byte one or a 2-byte one led
       by 0xC4 or more is above U+FF, and 0xC2 or 0xC3 lead U+0080..U+00FF. */
    widest = lead >= 0xF0 ? 0x10FFFF : lead >= 0xC4 ? 0xFFFF : 0xFF;
    PyObject* r = PyUnicode_New(count, widest);
    if (r == NULL) return NULL;
    void* data = PyUnicode_DATA(r);
    switch (PyUnicode_KIND(r)) {
        case PyUnicode_1BYTE_KIND: DDL_TRANSCODE(Py_UCS1); break;
        case PyUnicode_2BYTE_KIND: DDL_TRANSCODE(Py_UCS2); break;
        default: DDL_TRANSCODE(Py_UCS4); break;
    }
    if (j != n || k != count) {
        Py_DECREF(r);
        return NULL;
    }
    return r;
}

#endif /* DDL_UTF8_H */
