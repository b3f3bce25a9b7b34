/* ddl_shared_str.h: short strings decoded once and shared while they keep coming. Map keys,
   tags and enum-like values ("USD", "active", "key0") repeat record after record, and each
   copy is a str of its own: 64 bytes for up to 15 ASCII characters. A direct-mapped table
   keeps the last string decoded for each hash of its bytes; a string whose bytes equal its
   entry's is that entry's object again. The table holds at most DDL_SHARED_STRS strings of
   up to DDL_SHARED_STR_MAX bytes (about 40 KB, beside its own 16 KB) for the process's life,
   as the shared ints do. ASCII strings of up to DDL_SHARED_ASCII_MAX bytes (map keys such as
   feature names, attribute keys and values: 17 to 64 bytes, repeated message after message)
   are shared too, by both readers, in a second table that compares them with the strs' own
   characters. A field whose strings do not repeat (ids, names) stops looking them up for a
   while (ddl_str_field). Every access runs under the GIL: a free-threaded build has no table. */

#ifndef DDL_SHARED_STR_H
#define DDL_SHARED_STR_H

#include <Python.h>
#include <stdint.h>
#include <string.h>

#include "ddl_compat.h"
#include "ddl_utf8.h"
#include "ddl_wire.h"

#if defined(Py_GIL_DISABLED)

/* Threads would race on an entry (its words from one string, its object from another), so
   every string is decoded anew. */
static inline PyObject* ddl_str(const unsigned char* s, Py_ssize_t n) {
    return ddl_decode_utf8(s, n);
}

/* The same for ASCII bytes. */
static inline PyObject* ddl_str_ascii(const unsigned char* s, Py_ssize_t n) {
    return ddl_ascii_str(s, n);
}

/* The same for the binary decoder's strings. */
static inline PyObject* ddl_str_keyed(const unsigned char* s, Py_ssize_t n) {
    return ddl_decode_utf8(s, n);
}

/* The same for a field's strings; the field's record (see below) stays as it is. */
static inline PyObject* ddl_str_field(const unsigned char* s, Py_ssize_t n, int32_t* owed) {
    (void)owed;
    return ddl_decode_utf8(s, n);
}

#else

/* Longer strings are rarely repeated values (names, ids, text), and two words hold these. */
#define DDL_SHARED_STR_MAX 16
/* Entries, a power of two: 2^DDL_SHARED_STR_BITS. */
#define DDL_SHARED_STR_BITS 9
#define DDL_SHARED_STRS (1 << DDL_SHARED_STR_BITS)

/* One entry: the string's bytes as two words (see ddl_str_words), its length in bytes, and
   the table's reference to it (NULL while the entry is empty). */
typedef struct {
    uint64_t head, tail;
    Py_ssize_t n;
    PyObject* str;
} ddl_shared_str;

static ddl_shared_str ddl_shared_strs[DDL_SHARED_STRS];

/* The n bytes at s (1 <= n <= DDL_SHARED_STR_MAX) as two words that, with n, tell them apart
   from any other string: the first and last 8 bytes (overlapping below 16), the first and
   last 4 below 8, the first, middle and last byte below 4. Reads only s[0:n]. */
static inline void ddl_str_words(const unsigned char* s, Py_ssize_t n, uint64_t* head, uint64_t* tail) {
    uint32_t a, b;
    if (n >= 8) {
        *head = ddl_load8(s);
        *tail = ddl_load8(s + n - 8);
    } else if (n >= 4) {
        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        *head = a;
        *tail = b;
    } else {
        *head = (uint64_t)s[0] | ((uint64_t)s[n / 2] << 8) | ((uint64_t)s[n - 1] << 16);
        *tail = 0;
    }
}

/* The slow path of ddl_str, out of line: a new reference to the str of s[:n], which also
   replaces the entry's string. NULL as ddl_decode_utf8 gives it (invalid bytes are never
   kept). The old string is released after the store; freeing a str runs no Python code. */
static DDL_NOINLINE PyObject* ddl_str_miss(ddl_shared_str* e, const unsigned char* s, Py_ssize_t n,
                                           uint64_t head, uint64_t tail, int ascii) {
    PyObject* r = ascii ? ddl_ascii_str(s, n) : ddl_decode_utf8(s, n);
    if (r == NULL) return NULL;
    PyObject* old = e->str;
    Py_INCREF(r);
    e->head = head;
    e->tail = tail;
    e->n = n;
    e->str = r;
    Py_XDECREF(old);
    return r;
}

/* The hash of a string's words and length, its entry's index in a table of 2^bits entries
   (Fibonacci hashing: the top bits of the product depend on every bit of the words). */
static inline uint64_t ddl_str_slot(uint64_t head, uint64_t tail, Py_ssize_t n, int bits) {
    return ((head ^ (tail << 7 | tail >> 57) ^ (uint64_t)n) * 0x9E3779B97F4A7C15ULL) >> (64 - bits);
}

/* The shared short str of s[:n] (1 <= n <= DDL_SHARED_STR_MAX), made by ddl_str_miss on a
   miss: decoded from UTF-8, or copied when ``ascii`` says the bytes are ASCII. *seen tells
   whether the table had it. */
static inline PyObject* ddl_str_short(const unsigned char* s, Py_ssize_t n, int ascii, int* seen) {
    uint64_t head, tail;
    ddl_shared_str* e;
    ddl_str_words(s, n, &head, &tail);
    e = &ddl_shared_strs[ddl_str_slot(head, tail, n, DDL_SHARED_STR_BITS)];
    *seen = e->str != NULL && e->n == n && e->head == head && e->tail == tail;
    if (*seen) {
        Py_INCREF(e->str);
        return e->str;
    }
    return ddl_str_miss(e, s, n, head, tail, ascii);
}

/* A new reference to the str of the UTF-8 in s[:n], or NULL as ddl_decode_utf8 gives it: the
   shared one when s[:n] is short and its entry holds the same bytes. */
static inline PyObject* ddl_str(const unsigned char* s, Py_ssize_t n) {
    int seen;
    if (n == 0 || n > DDL_SHARED_STR_MAX) return ddl_decode_utf8(s, n);
    return ddl_str_short(s, n, 0, &seen);
}

/* ASCII strings longer than DDL_SHARED_STR_MAX are shared up to this many bytes... */
#define DDL_SHARED_ASCII_MAX 64
/* ...in a table of 2^DDL_SHARED_ASCII_BITS sets of two entries (two strings whose words land
   in one set, such as two map keys of a record, both stay), each the table's reference to a
   str or NULL: at most 512 strings, about 58 KB. A str's characters are its bytes, so they
   are what a string is compared with. */
#define DDL_SHARED_ASCII_BITS 8
static PyObject* ddl_shared_ascii[2 << DDL_SHARED_ASCII_BITS];

/* Whether the shared str (or NULL) is the ASCII in s[:n] (n >= 8). */
static inline int ddl_shared_ascii_is(PyObject* str, const unsigned char* s, Py_ssize_t n) {
    return str != NULL && PyUnicode_GET_LENGTH(str) == n &&
           ddl_same_words((const unsigned char*)PyUnicode_DATA(str), s, n);
}

/* The slow path of ddl_str_ascii, out of line: a new str of the ASCII s[:n], which becomes the
   set's first entry; its first moves to second, and the second is released (after the
   stores). */
static DDL_NOINLINE PyObject* ddl_str_ascii_miss(PyObject** set, const unsigned char* s, Py_ssize_t n) {
    PyObject* r = ddl_ascii_str(s, n);
    if (r == NULL) return NULL;
    PyObject* old = set[1];
    Py_INCREF(r);
    set[1] = set[0];
    set[0] = r;
    Py_XDECREF(old);
    return r;
}

/* The shared str of the ASCII s[:n] (DDL_SHARED_STR_MAX < n <= DDL_SHARED_ASCII_MAX), keyed
   by the first and last 8 bytes and the length, made by ddl_str_ascii_miss on a miss. *seen
   tells whether the table had it. */
static inline PyObject* ddl_str_ascii_long(const unsigned char* s, Py_ssize_t n, int* seen) {
    PyObject** set = &ddl_shared_ascii[2 * ddl_str_slot(ddl_load8(s), ddl_load8(s + n - 8), n, DDL_SHARED_ASCII_BITS)];
    *seen = 1;
    if (ddl_shared_ascii_is(set[0], s, n)) {
        Py_INCREF(set[0]);
        return set[0];
    }
    if (ddl_shared_ascii_is(set[1], s, n)) {
        Py_INCREF(set[1]);
        return set[1];
    }
    *seen = 0;
    return ddl_str_ascii_miss(set, s, n);
}

/* A new reference to the str of s[:n], bytes the caller knows are ASCII (NULL with
   MemoryError): the shared one when there is one, as ddl_str shares them, up to
   DDL_SHARED_ASCII_MAX bytes. */
static inline PyObject* ddl_str_ascii(const unsigned char* s, Py_ssize_t n) {
    int seen;
    if (n == 0 || n > DDL_SHARED_ASCII_MAX) return ddl_ascii_str(s, n);
    if (n <= DDL_SHARED_STR_MAX) return ddl_str_short(s, n, 1, &seen);
    return ddl_str_ascii_long(s, n, &seen);
}

/* A new reference to the str of the UTF-8 in s[:n], or NULL as ddl_decode_utf8 gives it: the
   shared one where the tables keep such strings, *seen telling whether they had it (as
   ddl_str_short and ddl_str_ascii_long tell it), and decoded anew, *seen -1, where they do
   not. */
static inline PyObject* ddl_str_shared(const unsigned char* s, Py_ssize_t n, int* seen) {
    if (n > 0 && n <= DDL_SHARED_STR_MAX) return ddl_str_short(s, n, 0, seen);
    if (n > DDL_SHARED_STR_MAX && n <= DDL_SHARED_ASCII_MAX && ddl_ascii_words(s, n))
        return ddl_str_ascii_long(s, n, seen);
    *seen = -1;
    return ddl_decode_utf8(s, n);
}

/* A new reference to the str of the UTF-8 in s[:n] for the binary decoder, or NULL as
   ddl_decode_utf8 gives it: shared as ddl_str shares short strings, and as ddl_str_ascii
   shares ASCII ones of up to DDL_SHARED_ASCII_MAX bytes (map keys, attribute keys and names
   run longer than 16 bytes; a shared one also keeps its hash, computed once). */
static inline PyObject* ddl_str_keyed(const unsigned char* s, Py_ssize_t n) {
    int seen;
    return ddl_str_shared(s, n, &seen);
}

/* A field's record of its strings in the tables, kept in its op from 0: the lookups that
   missed not yet paid back by ones that hit, each hit paying DDL_SHARE_HIT of them. A field
   whose values do not repeat (ids, names, a counter as text) owes DDL_SHARE_OWED after about
   that many strings, and its next DDL_SHARE_REST strings are decoded without a lookup: one
   that misses costs a cache miss or two, in the table and in the str it compares with, and
   its string then takes the place of one that was repeating. The record keeps counting
   through the rest, then the field looks again, for DDL_SHARE_RETRY strings unless they hit.
   A field that hits once in five lookups or more keeps sharing. */
#define DDL_SHARE_OWED 32
#define DDL_SHARE_HIT 4
#define DDL_SHARE_REST 1024
#define DDL_SHARE_RETRY 8

/* A new reference to the str of the UTF-8 in s[:n] for the binary decoder's field whose record
   is *owed (NULL as ddl_decode_utf8 gives it): shared as ddl_str_keyed shares strings while
   the field's strings hit, decoded anew while it rests. Only strings the tables could keep
   count in the record. */
static inline PyObject* ddl_str_field(const unsigned char* s, Py_ssize_t n, int32_t* owed) {
    PyObject* r;
    int seen;
    if (n == 0 || n > DDL_SHARED_ASCII_MAX) return ddl_decode_utf8(s, n);
    if (*owed >= DDL_SHARE_OWED) {
        if (++*owed == DDL_SHARE_OWED + DDL_SHARE_REST) *owed = DDL_SHARE_OWED - DDL_SHARE_RETRY;
        return ddl_decode_utf8(s, n);
    }
    r = ddl_str_shared(s, n, &seen);
    if (seen >= 0) *owed = seen ? (*owed > DDL_SHARE_HIT ? *owed - DDL_SHARE_HIT : 0) : *owed + 1;
    return r;
}

#endif /* Py_GIL_DISABLED */

#endif /* DDL_SHARED_STR_H */
