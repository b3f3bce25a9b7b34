/* ddl_compat.h: what ddl's C needs from the compiler, behind macros that every compiler
   accepts. Builtins and SIMD are used where the compiler is known to have them (gcc and clang,
   MSVC), and portable C is used everywhere else. Defining DDL_NO_BUILTINS forces that portable
   C even where the compiler has the builtins, so that the tests can check the fallback on any
   machine. Plain C: this header needs nothing from Python. */

#ifndef DDL_COMPAT_H
#define DDL_COMPAT_H

#include <stdint.h>

#if defined(_MSC_VER) && !defined(DDL_NO_BUILTINS)
#include <intrin.h>
#endif
#if !defined(DDL_NO_BUILTINS) && (defined(__GNUC__) || defined(__clang__)) && \
    (defined(__x86_64__) || defined(__i386__))
#include <cpuid.h>
#endif

/* DDL_NOINLINE: keep a function out of line. Used for the rare path of a hot helper, so that
   the helper itself stays small enough to inline into every loop that calls it. */
#if defined(__GNUC__) || defined(__clang__)
#define DDL_NOINLINE __attribute__((noinline))
#elif defined(_MSC_VER)
#define DDL_NOINLINE __declspec(noinline)
#else
#define DDL_NOINLINE
#endif

/* DDL_SSE2: defined when SSE2 may be used. Every x86-64 compiler targets it by default; gcc
   and clang say so with __SSE2__, MSVC with _M_X64 (or /arch:SSE2 on 32-bit x86). */
#if !defined(DDL_NO_BUILTINS) && \
    (defined(__SSE2__) || defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2))
#define DDL_SSE2 1
#endif

/* DDL_KEEP_LOOP: put before a loop of a small fixed count that should stay a loop. gcc unrolls
   such a loop whole before its loop vectorizer runs, and then leaves it scalar (gcc 12, checked
   on the JSON writer's escape scan); kept a loop, it is vectorized. */
#if defined(__clang__)
#define DDL_KEEP_LOOP _Pragma("clang loop unroll(disable)")
#elif defined(__GNUC__)
#define DDL_KEEP_LOOP _Pragma("GCC unroll 1")
#else
#define DDL_KEEP_LOOP
#endif

/* DDL_LIKELY(c): c, with the hint that it is usually true, so that the compiler lays out the
   path it guards as the straight line and the rare one out of the way. Only c where the
   compiler has no such hint. */
#if !defined(DDL_NO_BUILTINS) && (defined(__GNUC__) || defined(__clang__))
#define DDL_LIKELY(c) __builtin_expect(!!(c), 1)
#else
#define DDL_LIKELY(c) (c)
#endif

/* DDL_PREFETCH(p): ask for the cache line at p ahead of its use, for reading. A hint only, and
   harmless on any address (a bad one is not followed): nothing where the compiler has none. */
#if !defined(DDL_NO_BUILTINS) && (defined(__GNUC__) || defined(__clang__))
#define DDL_PREFETCH(p) __builtin_prefetch((const void*)(p), 0, 3)
#elif !defined(DDL_NO_BUILTINS) && defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
#define DDL_PREFETCH(p) _mm_prefetch((const char*)(p), _MM_HINT_T0)
#else
#define DDL_PREFETCH(p) ((void)(p))
#endif

/* DDL_ALIGNED_CODE: start a function on a 64-byte boundary (a cache line, and the block the
   CPU fetches and decodes code in). For a function holding a hot loop, kept out of line, so
   that the loop's speed does not depend on where the code before it happens to end: a change
   anywhere in the module moved gcc's layout of the packed-int loop by a few bytes and its
   speed by 40%. Nothing where the compiler has no such attribute. */
#if defined(__GNUC__) || defined(__clang__)
#define DDL_ALIGNED_CODE __attribute__((aligned(64)))
#else
#define DDL_ALIGNED_CODE
#endif

/* DDL_CLZ64(x), DDL_CTZ64(x): the number of leading (most significant) and trailing zero
   bits of the 64-bit x, as an int. Undefined for x == 0, like __builtin_clzll: the callers
   (varint sizes and ends, in ddl_wire.h) never pass 0. MSVC's _BitScan*64 exist on 64-bit
   targets only; 32-bit MSVC takes the portable path. */
#if !defined(DDL_NO_BUILTINS) && (defined(__GNUC__) || defined(__clang__))
#define DDL_CLZ64(x) __builtin_clzll((unsigned long long)(x))
#define DDL_CTZ64(x) __builtin_ctzll((unsigned long long)(x))
#elif !defined(DDL_NO_BUILTINS) && defined(_MSC_VER) && (defined(_M_X64) || defined(_M_ARM64))
/* MSVC's intrinsics give the index of the highest or lowest set bit, from which the counts
   follow. */
static inline int ddl_clz64_msvc(uint64_t x) {
    unsigned long top;
    _BitScanReverse64(&top, x);
    return 63 - (int)top;
}
static inline int ddl_ctz64_msvc(uint64_t x) {
    unsigned long bottom;
    _BitScanForward64(&bottom, x);
    return (int)bottom;
}
#define DDL_CLZ64(x) ddl_clz64_msvc(x)
#define DDL_CTZ64(x) ddl_ctz64_msvc(x)
#else
/* The portable counts, for other compilers: a binary search in six steps (they return 63 and
   0 for 0, but no caller may rely on that). */
static inline int ddl_clz64_portable(uint64_t x) {
    int n = 0;
    if ((x >> 32) == 0) { n += 32; x <<= 32; }
    if ((x >> 48) == 0) { n += 16; x <<= 16; }
    if ((x >> 56) == 0) { n += 8; x <<= 8; }
    if ((x >> 60) == 0) { n += 4; x <<= 4; }
    if ((x >> 62) == 0) { n += 2; x <<= 2; }
    if ((x >> 63) == 0) { n += 1; }
    return n;
}

static inline int ddl_ctz64_portable(uint64_t x) {
    int n = 0;
    if ((x & 0xFFFFFFFFULL) == 0) { n += 32; x >>= 32; }
    if ((x & 0xFFFFULL) == 0) { n += 16; x >>= 16; }
    if ((x & 0xFFULL) == 0) { n += 8; x >>= 8; }
    if ((x & 0xFULL) == 0) { n += 4; x >>= 4; }
    if ((x & 0x3ULL) == 0) { n += 2; x >>= 2; }
    if ((x & 0x1ULL) == 0) { n += 1; }
    return n;
}
#define DDL_CLZ64(x) ddl_clz64_portable(x)
#define DDL_CTZ64(x) ddl_ctz64_portable(x)
#endif

/* DDL_UMUL128(a, b, hi): the full 128-bit product of the 64-bit a and b, as its low 64 bits (the
   result) and its high 64 bits (stored at the uint64_t* hi). gcc and clang have __uint128_t on
   64-bit targets, MSVC has _umul128 on x64 and __umulh on ARM64; elsewhere the product is
   built from four 32-bit ones. Used by the shortest-digits and reading code of ddl_dtoa.h. */
#if !defined(DDL_NO_BUILTINS) && defined(__SIZEOF_INT128__)
static inline uint64_t ddl_umul128_int128(uint64_t a, uint64_t b, uint64_t* hi) {
    __uint128_t p = (__uint128_t)a * b;
    *hi = (uint64_t)(p >> 64);
    return (uint64_t)p;
}
#define DDL_UMUL128(a, b, hi) ddl_umul128_int128(a, b, hi)
#elif !defined(DDL_NO_BUILTINS) && defined(_MSC_VER) && defined(_M_X64)
#define DDL_UMUL128(a, b, hi) _umul128(a, b, hi)
#elif !defined(DDL_NO_BUILTINS) && defined(_MSC_VER) && defined(_M_ARM64)
static inline uint64_t ddl_umul128_arm64(uint64_t a, uint64_t b, uint64_t* hi) {
    *hi = __umulh(a, b);
    return a * b;
}
#define DDL_UMUL128(a, b, hi) ddl_umul128_arm64(a, b, hi)
#else
/* Schoolbook multiplication in 32-bit halves: each partial product fits 64 bits, and so does
   the middle sum (three values below 2**32 each, at most 3 * (2**32 - 1) < 2**64). */
static inline uint64_t ddl_umul128_portable(uint64_t a, uint64_t b, uint64_t* hi) {
    uint64_t a_lo = a & 0xFFFFFFFFULL, a_hi = a >> 32, b_lo = b & 0xFFFFFFFFULL, b_hi = b >> 32;
    uint64_t ll = a_lo * b_lo, lh = a_lo * b_hi, hl = a_hi * b_lo, hh = a_hi * b_hi;
    uint64_t mid = (ll >> 32) + (lh & 0xFFFFFFFFULL) + (hl & 0xFFFFFFFFULL);
    *hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
    return (mid << 32) | (ll & 0xFFFFFFFFULL);
}
#define DDL_UMUL128(a, b, hi) ddl_umul128_portable(a, b, hi)
#endif

/* ddl_x86_amd_rep_movsb(): whether the CPU is an x86 of AMD's design (AMD's own, or Hygon's,
   which are Zen cores) that reports ERMS, the flag that has glibc copy a few KB with `rep movsb`
   (CPUID leaf 0's vendor string: "AuthenticAMD" or "HygonGenuine"; leaf 7, EBX bit 9). A Zen 1
   (family 23 model 1) reports no ERMS, and its glibc copies with vector moves, which do not
   stall where `rep movsb` does (ddl_copy_apart in ddl_wire.h). 0 on any other CPU, and where the
   compiler offers no CPUID intrinsic. */
static inline int ddl_x86_amd_rep_movsb(void) {
    unsigned int top = 0, b = 0, c = 0, d = 0, leaf7[4] = {0, 0, 0, 0};  /* eax, ebx, ecx, edx */
#if !defined(DDL_NO_BUILTINS) && (defined(__GNUC__) || defined(__clang__)) && \
    (defined(__x86_64__) || defined(__i386__))
    if (!__get_cpuid(0, &top, &b, &c, &d)) return 0;
    if (top >= 7) __cpuid_count(7, 0, leaf7[0], leaf7[1], leaf7[2], leaf7[3]);
#elif !defined(DDL_NO_BUILTINS) && defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
    int info[4];
    __cpuid(info, 0);
    top = (unsigned int)info[0]; b = (unsigned int)info[1]; c = (unsigned int)info[2]; d = (unsigned int)info[3];
    if (top >= 7) {
        __cpuidex(info, 7, 0);
        leaf7[1] = (unsigned int)info[1];
    }
#endif
    (void)top;
    /* the vendor string is ebx, edx, ecx: four little-endian characters each */
    int amd = (b == 0x68747541u && d == 0x69746e65u && c == 0x444d4163u) ||  /* "Auth" "enti" "cAMD" */
              (b == 0x6f677948u && d == 0x6e65476eu && c == 0x656e6975u);    /* "Hygo" "nGen" "uine" */
    return amd && (leaf7[1] >> 9 & 1u);
}

#endif /* DDL_COMPAT_H */
