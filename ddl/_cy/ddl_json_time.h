/* ddl_json_time.h: google.protobuf.Timestamp and Duration, and google.type.Date, as proto3 JSON
   text, both ways, for the compiled JSON writer and reader (json_write.pxi, json_read.pxi).
   They write exactly what ddl.to_json's Python path writes (ddl/_json/_write_values.py:
   timestamp, duration, calendar_date) and read the texts its reader reads
   (ddl/_json/_read_values.py: to_timestamp, to_duration, to_date; the parsers below follow
   their regular expressions byte for byte). A text they do not take, valid or not, is left to
   that Python path, which decides the value or the error. Numbers are written by the JSON
   writer's own ddl_json_u64. */

#ifndef DDL_JSON_TIME_H
#define DDL_JSON_TIME_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ddl_dtoa.h"
#include "ddl_json_write.h"
#include "ddl_time.h"

/* The n decimal digits of v (v < 10**n) at p, zero-padded; returns the end. */
static inline char* ddl_json_fixed_digits(char* p, uint64_t v, int n) {
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + n;
}

/* The fraction protobuf writes for nanos (0 to 999,999,999): nothing for 0, else a point and
   3, 6 or 9 digits, as few as hold it; returns the end. The digits of milliseconds and
   microseconds, the common ones, come from one SWAR conversion each (ddl_dtoa.h), stored whole
   with the point and then trimmed to their width. */
static inline char* ddl_json_fraction(char* p, uint32_t nanos) {
    if (nanos == 0) return p;
    if (nanos % 1000000 == 0) {
        /* ".mmm" : the point over the 4-digit word's leading zero */
        ddl_store4(p, (ddl_4_digits(nanos / 1000000) & 0xFFFFFF00U) | '.');
        return p + 4;
    }
    *p++ = '.';
    if (nanos % 1000 == 0) {
        ddl_store8(p, ddl_8_digits(nanos / 1000) >> 16);  /* the last 6 of 8 digits */
        return p + 6;
    }
    return ddl_json_fixed_digits(p, nanos, 9);
}

/* The most a quoted Timestamp or Duration text takes, for the room to reserve before writing. */
#define DDL_JSON_TIME_MAX 40

/* A UTC time (year 1 to 9999, the other parts in their ranges, nanos below 10**9) as a quoted
   RFC 3339 text, "2024-05-01T12:00:00.250Z", at p; returns the end. The digits come from two
   SWAR conversions (ddl_dtoa.h), "YYYY" and "MMDDHHMM", and "00SS" from a third; the separators
   go in between the pairs of the second word as it is split into two stores. Leaves up to 8
   bytes past the end written (the caller's room covers them). */
static inline char* ddl_json_timestamp(char* p, int year, int month, int day, int hour, int minute, int second,
                                       uint32_t nanos) {
    uint64_t w = ddl_8_digits((uint32_t)(month * 1000000 + day * 10000 + hour * 100 + minute));
    uint64_t s = ddl_4_digits((uint32_t)second) >> 16;  /* "SS" */
    p[0] = '"';
    ddl_store4(p + 1, ddl_4_digits((uint32_t)year));
    p[5] = '-';
    /* "MM-DDTHH": the first three pairs of w with '-' and 'T' between them */
    ddl_store8(p + 6, (w & 0xFFFFU) | ((uint64_t)'-' << 16) | ((w & 0xFFFF0000U) << 8) | ((uint64_t)'T' << 40)
                          | ((w & UINT64_C(0xFFFF00000000)) << 16));
    /* ":MM:SS", the last pair of w and the seconds */
    ddl_store8(p + 14, (uint64_t)':' | ((w >> 48) << 8) | ((uint64_t)':' << 24) | (s << 32));
    p = ddl_json_fraction(p + 20, nanos);
    *p++ = 'Z';
    *p++ = '"';
    return p;
}

/* A Duration of seconds and nanos (both magnitudes, seconds up to DDL_DUR_MAX_SECONDS, nanos
   below 10**9) with a sign, as its quoted text, "-1.500s", at p; returns the end. */
static inline char* ddl_json_duration(char* p, int negative, uint64_t seconds, uint32_t nanos) {
    *p++ = '"';
    if (negative) *p++ = '-';
    p = ddl_json_u64(p, seconds);
    p = ddl_json_fraction(p, nanos);
    *p++ = 's';
    *p++ = '"';
    return p;
}

/* The most ddl_json_date writes. */
#define DDL_JSON_DATE_MAX 64

/* A date (year 1 to 9999) as google.type.Date's object, written as json.dumps writes the dict
   of calendar_date: {"year": 2024, "month": 2, "day": 29}, or with compact 1 its separators'
   (",", ":"): {"year":2024,"month":2,"day":29}; returns the end. A compact text's spaces are
   taken out as it is written: the next bytes go over a space that ends a piece, and the key
   after a ", " moves one byte back over its space. */
static inline char* ddl_json_date(char* p, int year, int month, int day, int compact) {
    memcpy(p, "{\"year\": ", 9);
    p = ddl_json_u64(p + 9 - compact, (uint32_t)year);
    memcpy(p, ", \"month\": ", 11);
    if (compact) memmove(p + 1, p + 2, 8);  /* ,"month": */
    p = ddl_json_u64(p + 11 - 2 * compact, (uint32_t)month);
    memcpy(p, ", \"day\": ", 9);
    if (compact) memmove(p + 1, p + 2, 6);  /* ,"day": */
    p = ddl_json_u64(p + 9 - 2 * compact, (uint32_t)day);
    *p++ = '}';
    return p;
}

/* The number of the n ASCII digits at s (n >= 1), or -1 if one is not a digit. */
static inline int64_t ddl_json_digits_value(const unsigned char* s, int n) {
    int64_t v = 0;
    for (int i = 0; i < n; i++) {
        unsigned d = (unsigned)s[i] - '0';
        if (d > 9) return -1;
        v = v * 10 + d;
    }
    return v;
}

/* The nanoseconds of the 1 to 9 fraction digits at s, zero-padded on the right as the Python
   reader pads them; -1 if one is not a digit. */
static inline int64_t ddl_json_nanos(const unsigned char* s, int n) {
    int64_t v = ddl_json_digits_value(s, n);
    for (int i = n; i < 9 && v >= 0; i++) v *= 10;
    return v;
}

/* Where the fraction ".d{1,9}" that may start at s[i] ends (i itself when there is none), its
   nanoseconds in *nanos; -1 for a point with no digit after it. The digits run on to the first
   byte that is not one, and more than 9 of them is the caller's mismatch at the next byte. */
static inline ptrdiff_t ddl_json_fraction_end(const unsigned char* s, ptrdiff_t i, ptrdiff_t n, int64_t* nanos) {
    *nanos = 0;
    if (i >= n || s[i] != '.') return i;
    ptrdiff_t start = ++i;
    while (i < n && i - start < 9 && (unsigned)s[i] - '0' <= 9) i++;
    if (i == start) return -1;
    *nanos = ddl_json_nanos(s + start, (int)(i - start));
    return i;
}

/* Whether year-month-day is a date of the proleptic Gregorian calendar, year 1 to 9999. */
static inline int ddl_json_valid_date(int64_t year, int64_t month, int64_t day) {
    static const unsigned char days[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (year < 1 || month < 1 || month > 12 || day < 1 || day > days[month - 1]) return 0;
    return month != 2 || day < 29 || (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0));
}

/* The RFC 3339 text s[0:n] (a string's body, "1972-01-01T10:00:20.021Z" or with an offset such
   as "+01:00") as seconds since the epoch in UTC and nanos: 0, or -1 when the Python reader is
   to judge it (any other shape, an invalid date, time or offset, or a time outside
   Timestamp's range, each of which it reports). */
static inline int ddl_json_read_timestamp(const unsigned char* s, ptrdiff_t n, int64_t* seconds, int64_t* nanos) {
    if (n < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':') return -1;
    int64_t year = ddl_json_digits_value(s, 4), month = ddl_json_digits_value(s + 5, 2);
    int64_t day = ddl_json_digits_value(s + 8, 2), hour = ddl_json_digits_value(s + 11, 2);
    int64_t minute = ddl_json_digits_value(s + 14, 2), second = ddl_json_digits_value(s + 17, 2);
    if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return -1;
    if (!ddl_json_valid_date(year, month, day) || hour > 23 || minute > 59 || second > 59) return -1;
    ptrdiff_t i = ddl_json_fraction_end(s, 19, n, nanos);
    if (i < 0 || i >= n) return -1;
    int64_t offset = 0;
    if (s[i] == 'Z') {
        i += 1;
    } else if ((s[i] == '+' || s[i] == '-') && i + 6 == n && s[i + 3] == ':') {
        int64_t oh = ddl_json_digits_value(s + i + 1, 2), om = ddl_json_digits_value(s + i + 4, 2);
        if (oh < 0 || om < 0 || oh > 23 || om > 59) return -1;
        offset = (oh * 3600 + om * 60) * (s[i] == '+' ? 1 : -1);
        i += 6;
    } else {
        return -1;
    }
    if (i != n) return -1;
    *seconds = ddl_days_from_civil(year, (int)month, (int)day) * 86400 + hour * 3600 + minute * 60 + second - offset;
    return *seconds < DDL_TS_MIN_SECONDS || *seconds > DDL_TS_MAX_SECONDS ? -1 : 0;
}

/* The Duration text s[0:n] (a string's body, "-1.5s", "0.000000001s") as its sign (*negative),
   whole seconds and nanos: 0, or -1 when the Python reader is to judge it (any other shape, or
   seconds beyond DDL_DUR_MAX_SECONDS, which it reports). */
static inline int ddl_json_read_duration(const unsigned char* s, ptrdiff_t n, int* negative, int64_t* seconds,
                                         int64_t* nanos) {
    ptrdiff_t i, start;
    int64_t whole = 0;
    *negative = n > 0 && s[0] == '-';
    i = start = *negative;
    while (i < n && (unsigned)s[i] - '0' <= 9) {
        whole = whole * 10 + (s[i] - '0');
        if (whole > DDL_DUR_MAX_SECONDS) return -1;  /* before it can overflow */
        i++;
    }
    if (i == start) return -1;
    i = ddl_json_fraction_end(s, i, n, nanos);
    if (i < 0 || i + 1 != n || s[i] != 's') return -1;
    *seconds = whole;
    return 0;
}

#endif /* DDL_JSON_TIME_H */
