/* ddl_base64.h: standard base64 with padding (RFC 4648, section 4), the JSON form of a bytes
   field, as binascii.b2a_base64 writes it without its newline. Plain C: it needs nothing from
   Python. */

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

#endif /* DDL_BASE64_H */
