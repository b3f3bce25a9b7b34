/* ddl_time.h: calendar arithmetic for google.protobuf.Timestamp and Duration (ddl/_cy/wkt_times.pxi,
   ddl_json_time.h): days since the Unix epoch to a proleptic Gregorian date and back, exactly,
   for every year an int holds. Plain C: this header needs nothing from Python. */

#ifndef DDL_TIME_H
#define DDL_TIME_H

#include <stdint.h>

/* Timestamp's range, 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z, and Duration's, +-10,000
   years, in seconds, as protobuf's JSON mapping has them. */
#define DDL_TS_MIN_SECONDS (-62135596800LL)
#define DDL_TS_MAX_SECONDS 253402300799LL
#define DDL_DUR_MAX_SECONDS 315576000000LL

/* Days since 1970-01-01 of the proleptic Gregorian date y-m-d (m 1 to 12, d 1 to 31), by
   H. Hinnant's days_from_civil: whole 400-year eras, then the day within the era, counted
   from March so that the leap day falls last. */
static inline int64_t ddl_days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (unsigned)(m > 2 ? m - 3 : m + 9) + 2) / 5 + (unsigned)d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* The date of day z since 1970-01-01, the inverse of ddl_days_from_civil (Hinnant's
   civil_from_days), in *y, *m and *d. */
static inline void ddl_civil_from_days(int64_t z, int* y, int* m, int* d) {
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)((int64_t)yoe + era * 400 + (*m <= 2));
}

/* a // b rounded toward negative infinity, as Python's // does (C's / truncates toward 0):
   the day of a negative second count is the one before, not the one after. */
static inline int64_t ddl_floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

#endif /* DDL_TIME_H */
