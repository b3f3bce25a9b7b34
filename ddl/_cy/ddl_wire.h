/* ddl_wire.h: the byte-level pieces of protobuf's wire format that the loops share: 8-byte
   word loads, varint sizes, reads and writes, and short copies. Plain C on bytes: this header
   needs nothing from Python, so tests/test_compiled_api.py compiles it alone with a C compiler
   and checks it against Python's own arithmetic. */

#ifndef DDL_WIRE_H
#define DDL_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ddl_compat.h"

/* The 8 bytes at p as a word in host order, at any alignment (memcpy compiles to one load).
   The varint and ASCII tests below read it as little-endian: the compiled engine refuses to
   import on a big-endian host (see the end of ddl/_speedups.pyx). */
static inline uint64_t ddl_load8(const unsigned char* p) {
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

/* Whether a[:n] and b[:n] hold the same bytes, for n >= 8: compared a word at a time, the last
   word overlapping the one before, without a call (names and keys are a few words long, where
   memcmp's call and size dispatch cost more than the compare). */
static inline int ddl_same_words(const unsigned char* a, const unsigned char* b, ptrdiff_t n) {
    uint64_t diff = ddl_load8(a + n - 8) ^ ddl_load8(b + n - 8);
    for (ptrdiff_t i = 0; i + 8 < n; i += 8) diff |= ddl_load8(a + i) ^ ddl_load8(b + i);
    return diff == 0;
}

/* Whether the 8 bytes at p are all ASCII: no byte has its top bit set. */
#define DDL_ASCII8(p) ((ddl_load8(p) & 0x8080808080808080ULL) == 0)

/* Whether s[:n] is all ASCII, for n >= 8: a word at a time, the last word overlapping the one
   before (the decoder asks it of strings short enough to share, a few words long). */
static inline int ddl_ascii_words(const unsigned char* s, ptrdiff_t n) {
    uint64_t bits = ddl_load8(s + n - 8);
    for (ptrdiff_t i = 0; i + 8 < n; i += 8) bits |= ddl_load8(s + i);
    return (bits & 0x8080808080808080ULL) == 0;
}

/* The bytes of a varint holding v: 1 to 10, that is ceil(significant bits / 7), computed
   without a loop or a division ((bits * 9 + 64) / 64 equals it for bits 1 to 64). */
static inline int ddl_vsize(uint64_t v) {
    return (int)(((64 - DDL_CLZ64(v | 1)) * 9 + 64) / 64);
}

/* Write v as a varint at p, which has room for ddl_vsize(v) bytes. */
static inline void ddl_put_varint(unsigned char* p, uint64_t v) {
    while (v >= 0x80) { *p++ = (unsigned char)(v | 0x80); v >>= 7; }
    *p = (unsigned char)v;
}

/* Write v as a varint that ends at p, for a writer that goes backwards, and return where it
   starts (p - ddl_vsize(v)). Bytes below that start, down to p - 8, may be overwritten with
   junk, as the free space a backwards writer has not reached: the caller keeps 10 bytes of
   room below p. One and two bytes are stored as they are. Longer varints are not written byte
   by byte, whose loop mispredicts its exit in a run of varied lengths: shift-and-mask steps
   spread v's bits over bytes of 7 bits, shifted to end at p with the continuation bits set
   below the last byte, in one store (32 bits for 3 or 4 bytes, which is fewer instructions,
   64 bits up to 8 bytes); v >= 2**56 (9 or 10 bytes) adds its top 8 bits as bytes 8 and 9. */
static inline unsigned char* ddl_varint_before(unsigned char* p, uint64_t v) {
    int n;
    uint64_t x;
    if (v < 0x80) {
        p[-1] = (unsigned char)v;
        return p - 1;
    }
    if (v < 0x4000) {
        p[-2] = (unsigned char)(v | 0x80);
        p[-1] = (unsigned char)(v >> 7);
        return p - 2;
    }
    n = ddl_vsize(v);
    if (n <= 4) {  /* 3 or 4 bytes: the same, in 32 bits */
        uint32_t w = (uint32_t)v;
        w = (w & 0x00003FFFU) | ((w & 0x0FFFC000U) << 2);
        w = (w & 0x007F007FU) | ((w & 0x3F803F80U) << 1);
        w = (w << (32 - 8 * n)) | 0x00808080U;
        memcpy(p - 4, &w, 4);
        return p - n;
    }
    x = v & 0x00FFFFFFFFFFFFFFULL;
    x = (x & 0x000000000FFFFFFFULL) | ((x & 0x00FFFFFFF0000000ULL) << 4);
    x = (x & 0x00003FFF00003FFFULL) | ((x & 0x0FFFC0000FFFC000ULL) << 2);
    x = (x & 0x007F007F007F007FULL) | ((x & 0x3F803F803F803F80ULL) << 1);
    if (n <= 8) {
        /* the top n bytes are the varint's; the bytes below it are junk anyway */
        x = (x << (64 - 8 * n)) | 0x0080808080808080ULL;
        memcpy(p - 8, &x, 8);
    } else {
        x |= 0x8080808080808080ULL;
        memcpy(p - n, &x, 8);
        if (n == 10) {  /* v >= 2**63: byte 8 continues, and byte 9 is the top bit */
            p[-2] = (unsigned char)((v >> 56) | 0x80);
            p[-1] = 1;
        } else {
            p[-1] = (unsigned char)(v >> 56);
        }
    }
    return p - n;
}

/* A varint of at most 10 bytes at p, which has at least 10 bytes: its value, and its
   length in *len (0 when it runs on past 10 bytes). Bytes past the 64th bit are dropped, as
   protobuf does. One 8-byte load finds where it ends, and three shift-and-mask steps squeeze
   out the continuation bits, so no branch depends on a length below 9 bytes. */
static inline uint64_t ddl_varint10(const unsigned char* p, int* len) {
    uint64_t w = ddl_load8(p), x, stops;
    stops = ~w & 0x8080808080808080ULL;
    /* the bytes up to the first without a continuation bit, or all eight */
    x = stops ? w & (stops ^ (stops - 1)) : w;
    x = (x & 0x007F007F007F007FULL) | ((x & 0x7F007F007F007F00ULL) >> 1);
    x = (x & 0x00003FFF00003FFFULL) | ((x & 0x3FFF00003FFF0000ULL) >> 2);
    x = (x & 0x000000000FFFFFFFULL) | ((x & 0x0FFFFFFF00000000ULL) >> 4);
    if (stops) { *len = (DDL_CTZ64(stops) >> 3) + 1; return x; }
    if (p[8] < 0x80) { *len = 9; return x | ((uint64_t)p[8] << 56); }
    if (p[9] < 0x80) { *len = 10; return x | ((uint64_t)(p[8] & 0x7F) << 56) | ((uint64_t)p[9] << 63); }
    *len = 0;
    return 0;
}

/* Copies of more bytes than this may stall in memcpy (ddl_copy_apart). */
#define DDL_APART_MIN 2048

/* Whether ddl_copy_apart copies backward where memcpy may stall: on CPUs of AMD's design that
   report ERMS only, as ddl_copy_init finds at import (tests set it either way, through
   ddl._speedups.aliased_copies_backward, to check both paths on any machine). */
static int ddl_copy_backward_aliased = 0;

/* Decide, once, where ddl_copy_apart copies backward (see there). */
static inline void ddl_copy_init(void) { ddl_copy_backward_aliased = ddl_x86_amd_rep_movsb(); }

/* Copy n bytes from s to d, which do not overlap, as memcpy does, except where memcpy stalls
   on AMD's CPUs: with d 1 to 31 bytes past s modulo 4 KB, each load of a forward copy has the
   page offset of a store just before it, and the CPU holds the load back as if it read what the
   store wrote ("4K aliasing"). glibc 2.36 copies 2,113 to 8,192 bytes with `rep movsb` (past
   that it checks for the aliasing itself), which on an AMD EPYC (family 25 model 17, a Zen 4)
   took 1,146 to 1,760 ns for 4 KB with d 1 to 15 bytes past s, and 98 to 172 with 16 to 31,
   instead of 41 to 55. Placements like that are not rare: a decoded vector's array is often
   allocated right after its input, and a 1,024-float vector's items then lie 10 bytes past
   their place in the input modulo 4 KB, which made its decode 4 times as slow in some
   processes. There such a copy runs from the end backward, 32 bytes a step, where no load
   follows a store with its page offset (79 ns for 4 KB). An Intel Xeon (family 6 model 167,
   AVX-512 and fast short `rep movsb`) does not stall: memcpy took 15 to 35 ns for 4 KB wherever
   d lay against s, the backward loop 48 to 67, and a vector's encode whose output landed in
   the window took 111 ns backward and 77 through memcpy. Nor does an AMD EPYC without ERMS
   (family 23 model 1, a Zen 1), whose glibc copies with AVX2 moves instead of `rep movsb`:
   170 to 200 ns for 4 KB wherever d lay, the backward loop 180 to 310. */
static inline void ddl_copy_apart(unsigned char* d, const unsigned char* s, size_t n) {
#if defined(__x86_64__) || defined(_M_X64)
    if (ddl_copy_backward_aliased && n > DDL_APART_MIN && n <= 8192 &&
        ((((uintptr_t)d - (uintptr_t)s) & 4095) - 1) < 31) {
        uint64_t a, b, c, e;
        while (n >= 32) {
            n -= 32;
            memcpy(&a, s + n, 8); memcpy(&b, s + n + 8, 8); memcpy(&c, s + n + 16, 8); memcpy(&e, s + n + 24, 8);
            memcpy(d + n, &a, 8); memcpy(d + n + 8, &b, 8); memcpy(d + n + 16, &c, 8); memcpy(d + n + 24, &e, 8);
        }
        memcpy(d, s, n);
        return;
    }
#endif
    memcpy(d, s, n);
}

/* Copy n bytes from s to d (which do not overlap): memcpy for the short strings that dominate
   messages, and the pieces between held runs, as at most four overlapping loads and stores
   instead of a call into libc. */
static inline void ddl_copy(unsigned char* d, const unsigned char* s, ptrdiff_t n) {
    if (n > 32) { ddl_copy_apart(d, s, (size_t)n); return; }
    if (n > 16) {
        uint64_t a, b, c, e;
        memcpy(&a, s, 8); memcpy(&b, s + 8, 8); memcpy(&c, s + n - 16, 8); memcpy(&e, s + n - 8, 8);
        memcpy(d, &a, 8); memcpy(d + 8, &b, 8); memcpy(d + n - 16, &c, 8); memcpy(d + n - 8, &e, 8);
        return;
    }
    if (n >= 8) {
        uint64_t a, b;
        memcpy(&a, s, 8); memcpy(&b, s + n - 8, 8);
        memcpy(d, &a, 8); memcpy(d + n - 8, &b, 8);
    } else if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, s, 4); memcpy(&b, s + n - 4, 4);
        memcpy(d, &a, 4); memcpy(d + n - 4, &b, 4);
    } else if (n > 0) {
        d[0] = s[0]; d[n / 2] = s[n / 2]; d[n - 1] = s[n - 1];
    }
}

#endif /* DDL_WIRE_H */
