/* ddl_dtoa.h: doubles to decimal text and back, giving exactly what CPython gives, without the
   allocations and big-integer arithmetic of its dtoa.c on the common paths.

   ddl_d2s writes float.__repr__(d): the shortest digits that read back as d, found by the
   Schubfach method (Raffaello Giulietti, "The Schubfach way to render doubles", 2020), then laid
   out as repr lays them out. ddl_s2d reads a JSON number token as float(text) does, by Clinger's
   fast path or the Eisel-Lemire method (Daniel Lemire, "Number Parsing at a Gigabyte per
   Second", 2021), and says so when neither can decide, for the caller to ask CPython's strtod.
   Both work with ddl_pow10.h, the 128-bit powers of ten that gen_pow10.py writes. Plain C:
   nothing here needs Python. */

#ifndef DDL_DTOA_H
#define DDL_DTOA_H

#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ddl_compat.h"
#include "ddl_pow10.h"

/* floor(x / 2**s) for any sign of x: >> of a negative number is implementation-defined in C. */
static inline int ddl_floor_shift(int64_t x, int s) {
    return (int)(x >= 0 ? x >> s : -((-x + ((int64_t)1 << s) - 1) >> s));
}

/* floor(log10(2**q)), floor(log10(3/4 * 2**q)) and floor(log2(10**e)), for |q| < 1100 and
   DDL_POW10_MIN <= e <= DDL_POW10_MAX (gen_pow10.py checks the constants over those ranges). */
static inline int ddl_flog10_pow2(int q) { return ddl_floor_shift((int64_t)q * 315653, 20); }
static inline int ddl_flog10_three_quarters_pow2(int q) {
    return ddl_floor_shift((int64_t)q * 315653 - 131237, 20);
}
static inline int ddl_flog2_pow10(int e) { return ddl_floor_shift((int64_t)e * 1741647, 19); }

/* How far the product of a table entry g (of 10**e) and a multiplier is from the product with
   10**e itself, in ddl_rop's terms. EXACT: the entry is exact (0 <= e <= 55). NEAR: the entry
   is rounded up, and the true scaled product is either an integer or at least 5**-27 away from
   every integer (-27 <= e < 0, where it is a whole number over 5**-e), so an error below one
   unit of the low 64 bits tells the two apart. FAR: the true product is never an integer. */
enum { DDL_ROP_EXACT, DDL_ROP_NEAR, DDL_ROP_FAR };

static inline int ddl_rop_exactness(int e) {
    return e >= 0 && e <= 55 ? DDL_ROP_EXACT : e >= -27 && e < 0 ? DDL_ROP_NEAR : DDL_ROP_FAR;
}

/* x = cp * 10**e * 2**(127 - floor(log2(10**e))) / 2**128 (cp < 2**63), computed with the
   table entry g of 10**e and rounded to odd: floor(x), with its lowest bit set when x is not
   an integer. Rounding to odd keeps every comparison of x with an even integer exact, and its
   floor divided by 4 exact, which is all the Schubfach method asks of it. The 192-bit product
   g * cp is formed from two 128-bit ones; x's fractional part is read from its low 128 bits as
   `exactness` (a DDL_ROP_*) allows: all of them, the high 64 of them, or known to be nonzero. */
static inline uint64_t ddl_rop(const uint64_t g[2], uint64_t cp, int exactness) {
    uint64_t a1, b1;
    uint64_t a0 = DDL_UMUL128(cp, g[1], &a1);
    uint64_t b0 = DDL_UMUL128(cp, g[0], &b1);
    uint64_t mid = b0 + a1;
    uint64_t floor = b1 + (mid < b0);
    uint64_t fraction = exactness == DDL_ROP_EXACT ? (mid | a0) : exactness == DDL_ROP_NEAR ? mid : 1;
    return floor | (fraction != 0);
}

/* A positive decimal, digits * 10**exp10. */
typedef struct {
    uint64_t digits;
    int exp10;
} ddl_decimal;

/* The decimal that repr gives the double c * 2**q (0 < c < 2**53, -1074 <= q <= 971, as a
   double's bits give them): of the decimals that read back as that double (those within its
   rounding interval, whose ends are included when c is even, as round-half-even reads them),
   the ones with the fewest significant digits, and of those the closest to it (the even one
   on a tie). digits may end in zeros. The names follow the paper: v is the double, the units
   are 10**k, and vb, vbl, vbr are 4 * v, 4 * its interval's left and right ends in those units,
   rounded to odd; the interval is at least one unit wide, so one of s = floor(v) or s + 1 is in
   it, and a multiple of 10 units in it has one digit fewer. */
static inline ddl_decimal ddl_shortest(uint64_t c, int q) {
    ddl_decimal r;
    const uint64_t* g;
    uint64_t cb = c << 2, cbl, cbr = cb + 2, vb, vbl, vbr, s, t, sp10, tp10;
    int k, h, exactness, upin, wpin;
    uint64_t out = c & 1;  /* an odd c excludes the interval's ends */
    if (c != (UINT64_C(1) << 52) || q == -1074) {
        cbl = cb - 2;
        k = ddl_flog10_pow2(q);
    } else {  /* a power of two: the gap below is half the gap above */
        cbl = cb - 1;
        k = ddl_flog10_three_quarters_pow2(q);
    }
    g = ddl_pow10[-k - DDL_POW10_MIN];
    h = q + ddl_flog2_pow10(-k) + 1;  /* 1 to 7, so cbr << h < 2**63 */
    exactness = ddl_rop_exactness(-k);
    vb = ddl_rop(g, cb << h, exactness);
    vbl = ddl_rop(g, cbl << h, exactness);
    vbr = ddl_rop(g, cbr << h, exactness);
    s = vb >> 2;
    sp10 = s / 10 * 10;
    tp10 = sp10 + 10;
    upin = vbl + out <= sp10 << 2;
    wpin = (tp10 << 2) + out <= vbr;
    r.exp10 = k;
    if (upin != wpin) {  /* the interval is under 10 units wide: at most one of them is in it */
        r.digits = upin ? sp10 : tp10;
        return r;
    }
    t = s + 1;
    upin = vbl + out <= s << 2;
    wpin = (t << 2) + out <= vbr;
    if (upin != wpin) {
        r.digits = upin ? s : t;
        return r;
    }
    /* both: the closer, compared as vb against 4s + 2 */
    r.digits = vb < 4 * s + 2 || (vb == 4 * s + 2 && (s & 1) == 0) ? s : t;
    return r;
}

/* The 8 decimal digits of v < 10**8 (with leading zeros) as the 8 bytes of a word, the first
   digit in the lowest byte, so that storing the word on a little-endian host writes them in
   order (the compiled engine runs on little-endian hosts only; see ddl_wire.h). The digits are
   split in the lanes of one word, halves of 4 digits in 32-bit lanes, then pairs in 16-bit ones,
   then single digits in bytes, each split a multiplication by a rounded-up reciprocal: n * 10486
   >> 20 is n / 100 for n < 10**4, and n * 103 >> 10 is n / 10 for n < 100 (the error stays below
   the distance to the next multiple), and no lane's product reaches the next lane. Stored from a
   register, the digits are never read back from memory: 2-byte stores read back as one wider
   load cannot be forwarded, and stalled the earlier table-of-pairs writer (measured). */
static inline uint64_t ddl_8_digits(uint32_t v) {
    uint64_t w = (uint64_t)(v / 10000) | ((uint64_t)(v % 10000) << 32);
    uint64_t hundreds = ((w * 10486) >> 20) & UINT64_C(0x0000007F0000007F);
    uint64_t tens;
    w = hundreds | ((w - hundreds * 100) << 16);
    tens = ((w * 103) >> 10) & UINT64_C(0x000F000F000F000F);
    w = tens | ((w - tens * 10) << 8);
    return w | UINT64_C(0x3030303030303030);
}

/* Store the word w at p, at any alignment. */
static inline void ddl_store8(char* p, uint64_t w) { memcpy(p, &w, 8); }

/* The four decimal digits of v < 10**4 as ddl_8_digits makes eight, in the bytes of a 32-bit
   word: the first split (into halves) is not needed, so small numbers take half the chain of
   multiplications. v * 10486 < 2**32 for v < 10**4, and no lane's product reaches the next. */
static inline uint32_t ddl_4_digits(uint32_t v) {
    uint32_t hundreds = (v * 10486) >> 20;
    uint32_t w = hundreds | ((v - hundreds * 100) << 16);
    uint32_t tens = ((w * 103) >> 10) & 0x000F000FU;
    w = tens | ((w - tens * 10) << 8);
    return w | 0x30303030U;
}

/* Store the 32-bit word w at p, at any alignment. */
static inline void ddl_store4(char* p, uint32_t w) { memcpy(p, &w, 4); }

/* The word that holds the bytes k to k + 7 of the 16 bytes lo, hi (lo first), for 0 <= k < 8:
   hi's low bytes move in above lo's high ones. The two shifts of hi keep every shift count below
   64, so that k = 0 needs no branch. */
static inline uint64_t ddl_bytes_from(uint64_t lo, uint64_t hi, int k) {
    return (lo >> (8 * k)) | ((hi << 1) << (63 - 8 * k));
}

/* 10**0 to 10**19, the powers of ten in 64 bits. */
static const uint64_t ddl_u64_pow10[20] = {
    UINT64_C(1), UINT64_C(10), UINT64_C(100), UINT64_C(1000), UINT64_C(10000), UINT64_C(100000),
    UINT64_C(1000000), UINT64_C(10000000), UINT64_C(100000000), UINT64_C(1000000000),
    UINT64_C(10000000000), UINT64_C(100000000000), UINT64_C(1000000000000),
    UINT64_C(10000000000000), UINT64_C(100000000000000), UINT64_C(1000000000000000),
    UINT64_C(10000000000000000), UINT64_C(100000000000000000), UINT64_C(1000000000000000000),
    UINT64_C(10000000000000000000),
};

/* The number of decimal digits of v > 0: from its bit length (1233 / 4096 is just above
   log10(2)), one too few at most, which one comparison corrects. */
static inline int ddl_digit_count(uint64_t v) {
    int n = ((64 - DDL_CLZ64(v)) * 1233) >> 12;
    return n + (v >= ddl_u64_pow10[n]);
}

/* The room ddl_d2s needs at p: its longest text is 24 bytes ("-2.2250738585072014e-308"), and
   it stores its digits as whole words past the text's end (up to 34 bytes past p). */
#define DDL_D2S_ROOM 48

/* Write float.__repr__(d) for the finite d at p, which has room for DDL_D2S_ROOM bytes, and
   return the new end (bytes past it may have been written too). repr writes the shortest
   decimal that reads back as d (ddl_shortest), positionally when its leading digit is at
   10**-4 to 10**15 (integral values end in ".0"), otherwise as digits with a point after the
   first one (none for a single digit), "e", the exponent's sign and at least two exponent
   digits.
   The digits are made as 17 of them, the shortest ones scaled up by a power of ten: the leading
   one, then two words of 8 (ddl_8_digits), so that the digits past the significant ones are
   zeros. The layouts are then fixed-size stores, with no branch on the digit count: an integral
   value's zeros before ".0" are those padding digits, and the point of "dd.ddd" is stored over
   the digits, the ones after it stored again one byte later. The significant digits are counted
   from the words' trailing zeros. */
static inline char* ddl_d2s(char* p, double d) {
    uint64_t bits, c, v, rest, lo, hi, values;
    int biased, n, x, point, zeros;
    char lead;
    ddl_decimal r;
    memcpy(&bits, &d, 8);
    *p = '-';  /* kept for a negative d: a branch on the sign would be mispredicted half the time */
    p += bits >> 63;
    biased = (int)((bits >> 52) & 0x7FF);
    c = bits & ((UINT64_C(1) << 52) - 1);
    if (biased == 0 && c == 0) {
        memcpy(p, "0.0", 3);
        return p + 3;
    }
    r = biased ? ddl_shortest(c | (UINT64_C(1) << 52), biased - 1075) : ddl_shortest(c, -1074);
    n = ddl_digit_count(r.digits);  /* at most 17: r.digits < 10 * 2**53 */
    x = r.exp10 + n - 1;            /* the leading digit's power of ten */
    v = r.digits * ddl_u64_pow10[17 - n];
    lead = (char)('0' + v / UINT64_C(10000000000000000));
    rest = v % UINT64_C(10000000000000000);
    lo = ddl_8_digits((uint32_t)(rest / 100000000));
    hi = ddl_8_digits((uint32_t)(rest % 100000000));
    /* the significant digits: 17 less the trailing zeros, the last digit being hi's top byte */
    values = hi ^ UINT64_C(0x3030303030303030);
    if (values) {
        zeros = DDL_CLZ64(values) / 8;
    } else {
        values = lo ^ UINT64_C(0x3030303030303030);
        zeros = values ? 8 + DDL_CLZ64(values) / 8 : 16;
    }
    n = 17 - zeros;
    if (x >= -4 && x < 16) {
        if (x < 0) {  /* 0.000ddd */
            memcpy(p, "0.000000", 8);
            p += 1 - x;
            *p = lead;
            ddl_store8(p + 1, lo);
            ddl_store8(p + 9, hi);
            return p + n;
        }
        /* ddd.ddd, or ddd000.0: the digits up to the point, the point, and the digits after it
           again one byte later; those are zeros when the value is integral, of which one is
           kept */
        *p = lead;
        ddl_store8(p + 1, lo);
        ddl_store8(p + 9, hi);
        p[x + 1] = '.';
        if (x >= 8) {
            lo = hi;
            hi = 0;
        }
        point = x & 7;
        ddl_store8(p + x + 2, ddl_bytes_from(lo, hi, point));
        ddl_store8(p + x + 10, hi >> (8 * point));
        return p + (n > x + 1 ? n + 1 : x + 3);
    }
    *p = lead;
    p[1] = '.';
    ddl_store8(p + 2, lo);
    ddl_store8(p + 10, hi);
    p += n > 1 ? n + 1 : 1;
    *p++ = 'e';
    *p++ = x < 0 ? '-' : '+';
    if (x < 0) x = -x;
    if (x >= 100) {
        *p++ = (char)('0' + x / 100);
        x %= 100;
    }
    p[0] = (char)('0' + x / 10);
    p[1] = (char)('0' + x % 10);
    return p + 2;
}

/* x rounded to an integer, ties to even, for 0 <= x < 2**52: the sum with 2**52 has no bits
   below the units, so the addition rounds x there (in the default rounding mode, which CPython
   keeps) and the subtraction is exact. Two additions, where nearbyint is a library call on
   targets without SSE4.1. With excess precision (FLT_EVAL_METHOD other than 0, as on x87) the
   sum would not be rounded to a double, so nearbyint it is there. */
static inline double ddl_round_small(double x) {
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
    volatile double big = 4503599627370496.0;  /* volatile: no compiler may fold the pair away */
    return (x + big) - big;
#else
    return nearbyint(x);
#endif
}

/* The powers of ten that doubles hold exactly. */
static const double ddl_exact_pow10[23] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* The double nearest to w * 10**q (w > 0), ties to even, by the Eisel-Lemire method: 1 with it
   in *out, or 0 when this cannot decide (a subnormal or infinite result, q beyond the table, or
   a product too close to a rounding boundary for the table's error) and the caller must use a
   correctly rounded strtod. w is normalized to 64 bits and multiplied by the table entry of
   10**q, which gives the top bits of w * 10**q exactly up to an error below 2**64 in the low
   bits of the 192-bit product (none for 0 <= q <= 55, where the entry is exact), and that error
   is an excess, as the entry is rounded up. So the rounding read from the product is the true
   one unless the bits below the 53 are within it above one half, where the true value may be
   below, at or above the half (that case is left to strtod). Just above zero there is no doubt:
   if the excess hides a borrow, the true value lies just below the same 53 bits and rounds up
   to them, as the product rounds down to them. */
static inline int ddl_eisel_lemire(uint64_t w, int q, double* out) {
    const uint64_t* g;
    uint64_t hi, mid, lo, b0, b1, a1, mantissa, bits, rest_high;
    int lz, sh, biased, exact;
    if (q < DDL_POW10_MIN || q > DDL_POW10_MAX) return 0;
    g = ddl_pow10[q - DDL_POW10_MIN];
    exact = q >= 0 && q <= 55;
    lz = DDL_CLZ64(w);
    w <<= lz;
    lo = DDL_UMUL128(w, g[1], &a1);
    b0 = DDL_UMUL128(w, g[0], &b1);
    mid = b0 + a1;
    hi = b1 + (mid < b0);
    /* w * 10**q = P * 2**(f - 127 - lz), P the 192-bit product, f = floor(log2(10**q)); P's
       top bit is bit 191 or 190, and the 53 bits below it are the double's significand. */
    sh = (int)(hi >> 63) ? 11 : 10;
    mantissa = hi >> sh;
    rest_high = hi & ((UINT64_C(1) << sh) - 1);  /* with mid and lo: the bits below the 53 */
    if (!exact && rest_high == (UINT64_C(1) << (sh - 1)) && mid == 0) return 0;
    if (rest_high > (UINT64_C(1) << (sh - 1)) ||
        (rest_high == (UINT64_C(1) << (sh - 1)) && (mid | lo) != 0) ||
        (rest_high == (UINT64_C(1) << (sh - 1)) && (mid | lo) == 0 && (mantissa & 1))) {
        mantissa++;
        if (mantissa >> 53) {
            mantissa >>= 1;
            sh++;
        }
    }
    /* the value is mantissa * 2**(sh + 1 + f - lz), mantissa in [2**52, 2**53) */
    biased = sh + 1 + ddl_flog2_pow10(q) - lz + 1075;
    if (biased <= 0 || biased >= 2047) return 0;
    bits = ((uint64_t)biased << 52) | (mantissa & ((UINT64_C(1) << 52) - 1));
    memcpy(out, &bits, 8);
    return 1;
}

/* The double nearest (-1)**negative * w * 10**q, for w of up to 19 digits and any q: 1 with it
   in *out, or 0 when ddl_eisel_lemire cannot decide it (the caller then uses a correctly
   rounded strtod). Clinger's fast path takes w < 2**53 and |q| <= 22 (both exact doubles, so
   one correctly rounded multiply or divide), ddl_eisel_lemire the rest. The fast path needs
   doubles evaluated in double precision (FLT_EVAL_METHOD 0: SSE2, not the x87's extended
   registers). */
static inline int ddl_s2d_decimal(uint64_t w, int q, int negative, double* out) {
    double d;
    if (w == 0) {
        d = 0.0;
    } else
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
    if (w <= (UINT64_C(1) << 53) && q >= -22 && q <= 22) {
        d = (double)w;
        d = q < 0 ? d / ddl_exact_pow10[-q] : d * ddl_exact_pow10[q];
    } else
#endif
    if (!ddl_eisel_lemire(w, q, &d)) {
        return 0;
    }
    *out = negative ? -d : d;
    return 1;
}

/* Read the JSON number token s[:n] (-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, already
   checked by the caller) as float(text) does: 1 with the double in *out, or 0 when this cannot
   decide it and the caller must use a correctly rounded strtod (PyOS_string_to_double): more
   than 19 significant digits that are not all zeros, and whatever ddl_eisel_lemire leaves.
   Up to 19 significant digits are read exactly into w; w * 10**q is then rounded once, by
   ddl_s2d_decimal. */
static inline int ddl_s2d(const unsigned char* s, ptrdiff_t n, double* out) {
    const unsigned char* end = s + n;
    uint64_t w = 0;
    int negative = 0, digits = 0, q = 0, exponent = 0, exponent_negative = 0;
    if (s < end && *s == '-') {
        negative = 1;
        s++;
    }
    for (; s < end && *s >= '0' && *s <= '9'; s++) {
        if (digits < 19) {
            w = 10 * w + (uint64_t)(*s - '0');
            digits += w != 0;
        } else if (*s != '0') {
            return 0;
        } else {
            q++;  /* a zero beyond the 19 digits kept */
        }
    }
    if (s < end && *s == '.') {
        for (s++; s < end && *s >= '0' && *s <= '9'; s++) {
            if (digits < 19) {
                w = 10 * w + (uint64_t)(*s - '0');
                digits += w != 0;
                q--;
            } else if (*s != '0') {
                return 0;
            }
        }
    }
    if (s < end) {  /* the exponent; beyond 100000 it only says zero or infinity */
        s++;
        if (*s == '+' || *s == '-') exponent_negative = *s++ == '-';
        for (; s < end; s++) {
            if (exponent < 100000) exponent = 10 * exponent + (*s - '0');
        }
        q += exponent_negative ? -exponent : exponent;
    }
    return ddl_s2d_decimal(w, q, negative, out);
}

#endif /* DDL_DTOA_H */
