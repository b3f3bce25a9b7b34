/* ddl_base64.h: base64 (RFC 4648), the JSON form of a bytes field. Written as standard base64
   with padding (section 4), as binascii.b2a_base64 writes it without its newline; read in
   either alphabet (the URL-safe one of section 5 too), padded or not, as ddl's Python reader
   reads it. Plain C: it needs nothing from Python. */

#ifndef DDL_BASE64_H
#define DDL_BASE64_H

#include <stddef.h>
#include <stdint.h>

static const char ddl_base64_digits[64] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The length of the base64 text of n bytes: 4 characters per 3 bytes, the last group padded. */
static inline size_t ddl_base64_size(size_t n) {
    return (n + 2) / 3 * 4;
}

/* Write the base64 text of s[:n] to out, which has room for ddl_base64_size(n) bytes; return
   the number written. Each 3 bytes become 4 digits of 6 bits; a last group of 1 or 2 bytes is
   padded with "=" to 4 characters. */
static size_t ddl_base64(char* out, const unsigned char* s, size_t n) {
    char* o = out;
    size_t i = 0;
    uint32_t w;
    for (; i + 3 <= n; i += 3) {
        w = ((uint32_t)s[i] << 16) | ((uint32_t)s[i + 1] << 8) | s[i + 2];
        o[0] = ddl_base64_digits[w >> 18];
        o[1] = ddl_base64_digits[(w >> 12) & 63];
        o[2] = ddl_base64_digits[(w >> 6) & 63];
        o[3] = ddl_base64_digits[w & 63];
        o += 4;
    }
    if (n - i == 1) {
        w = (uint32_t)s[i] << 16;
        o[0] = ddl_base64_digits[w >> 18];
        o[1] = ddl_base64_digits[(w >> 12) & 63];
        o[2] = '=';
        o[3] = '=';
        o += 4;
    } else if (n - i == 2) {
        w = ((uint32_t)s[i] << 16) | ((uint32_t)s[i + 1] << 8);
        o[0] = ddl_base64_digits[w >> 18];
        o[1] = ddl_base64_digits[(w >> 12) & 63];
        o[2] = ddl_base64_digits[(w >> 6) & 63];
        o[3] = '=';
        o += 4;
    }
    return (size_t)(o - out);
}

/* The 6-bit value of each byte as a base64 character of either alphabet (standard + and /,
   URL-safe - and _, which ddl accepts mixed), 255 for the bytes that are neither. */
static const uint8_t ddl_base64_values[256] = {
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,  62, 255,  62, 255,  63,
     52,  53,  54,  55,  56,  57,  58,  59,  60,  61, 255, 255, 255, 255, 255, 255,
    255,   0,   1,   2,   3,   4,   5,   6,   7,   8,   9,  10,  11,  12,  13,  14,
     15,  16,  17,  18,  19,  20,  21,  22,  23,  24,  25, 255, 255, 255, 255,  63,
    255,  26,  27,  28,  29,  30,  31,  32,  33,  34,  35,  36,  37,  38,  39,  40,
     41,  42,  43,  44,  45,  46,  47,  48,  49,  50,  51, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
};

/* Decode the base64 in s[:n] into out (n * 3 / 4 bytes suffice) and return the length
   written, or -1 for what ddl's Python reader refuses: a character outside both alphabets, a
   length that leaves one character over, padding ('=' at the end, at most two) on text whose
   length is not a multiple of four. Bits left over in the last character are dropped, as
   binascii does. Four characters become three bytes a step, their values looked up in
   ddl_base64_values and tested together (any 255 sets the high bit of their OR). */
static ptrdiff_t ddl_base64_decode(const unsigned char* s, ptrdiff_t n, unsigned char* out) {
    const uint8_t* v = ddl_base64_values;
    ptrdiff_t data = n, i = 0, o = 0;
    uint32_t w;
    while (data > 0 && n - data < 2 && s[data - 1] == '=') data--;
    if (data % 4 == 1 || (data != n && n % 4 != 0)) return -1;
    for (; i + 4 <= data; i += 4) {
        uint32_t a = v[s[i]], b = v[s[i + 1]], c = v[s[i + 2]], d = v[s[i + 3]];
        if ((a | b | c | d) & 0x80) return -1;
        w = a << 18 | b << 12 | c << 6 | d;
        out[o] = (unsigned char)(w >> 16);
        out[o + 1] = (unsigned char)(w >> 8);
        out[o + 2] = (unsigned char)w;
        o += 3;
    }
    if (data - i >= 2) {  /* 2 or 3 characters left: 1 or 2 bytes */
        uint32_t a = v[s[i]], b = v[s[i + 1]], c = data - i == 3 ? v[s[i + 2]] : 0;
        if ((a | b | c) & 0x80) return -1;
        w = a << 18 | b << 12 | c << 6;
        out[o++] = (unsigned char)(w >> 16);
        if (data - i == 3) out[o++] = (unsigned char)(w >> 8);
    }
    return o;
}

#endif /* DDL_BASE64_H */
