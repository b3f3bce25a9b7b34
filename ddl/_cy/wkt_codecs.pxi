# Timestamp and Duration in C, for the values they commonly hold: an exact datetime in UTC, an
# exact timedelta, whole microseconds. Anything else (another tzinfo, DatetimeNs, nanoseconds,
# unknown fields in the body) goes to the Python helpers in ddl/_wkt_codecs.py, as do all errors.

from cpython.datetime cimport (
    PyDateTime_CheckExact, PyDateTime_DATE_GET_HOUR, PyDateTime_DATE_GET_MICROSECOND, PyDateTime_DATE_GET_MINUTE,
    PyDateTime_DATE_GET_SECOND, PyDateTime_DELTA_GET_DAYS, PyDateTime_DELTA_GET_MICROSECONDS,
    PyDateTime_DELTA_GET_SECONDS, PyDateTime_GET_DAY, PyDateTime_GET_MONTH, PyDateTime_GET_YEAR, PyDate_CheckExact,
    PyDelta_CheckExact, date_new, datetime_new, datetime_tzinfo, get_utc, import_datetime, timedelta_new,
)

import_datetime()

cdef enum WellKnown:
    WKT_OTHER, WKT_TIMESTAMP, WKT_DURATION

cdef enum:
    DUR_MAX_DAYS = 3652500   # DUR_MAX in days

cdef object _UTC = get_utc()

cdef extern from "ddl_time.h":
    # Timestamp's range (0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z) and Duration's: 10,000
    # years, protobuf's JSON range, and the C paths' own: a longer Duration (which protobuf's
    # binary form and a timedelta hold) goes to the Python helpers, whose int arithmetic cannot
    # overflow.
    const int64_t TS_MIN "DDL_TS_MIN_SECONDS"
    const int64_t TS_MAX "DDL_TS_MAX_SECONDS"
    const int64_t DUR_MAX "DDL_DUR_MAX_SECONDS"
    int64_t ddl_days_from_civil(int64_t y, int m, int d)
    void ddl_civil_from_days(int64_t z, int* y, int* m, int* d)
    int64_t ddl_floor_div(int64_t a, int64_t b)

# The one-byte tags of the two fields, right-aligned for _tag_back.
cdef uint64_t _SECONDS_TAG = (<uint64_t>0x08) << 56
cdef uint64_t _NANOS_TAG = (<uint64_t>0x10) << 56


cdef int _seconds_nanos_back(Out* o, int64_t seconds, int64_t nanos) except -1:
    """A Timestamp or Duration body, proto3 style: zero fields are left out."""
    _room(o, 40)
    if nanos:
        _varint_back(o, <uint64_t>nanos)
        _tag_back(o, _NANOS_TAG, 1)
    if seconds:
        _varint_back(o, <uint64_t>seconds)
        _tag_back(o, _SECONDS_TAG, 1)
    return 0


cdef bint _time_body(int wkt, PyObject* v, Out* o) except -1:
    """Write the body of a Timestamp or Duration value in C; False leaves it to the helper."""
    cdef int64_t seconds, total
    cdef int64_t days
    if wkt == WKT_TIMESTAMP:
        if not PyDateTime_CheckExact(<object>v) or datetime_tzinfo(<object>v) is not _UTC:
            return False
        seconds = (ddl_days_from_civil(PyDateTime_GET_YEAR(<object>v), PyDateTime_GET_MONTH(<object>v),
                                       PyDateTime_GET_DAY(<object>v)) * 86400
                   + PyDateTime_DATE_GET_HOUR(<object>v) * 3600 + PyDateTime_DATE_GET_MINUTE(<object>v) * 60
                   + PyDateTime_DATE_GET_SECOND(<object>v))
        _seconds_nanos_back(o, seconds, <int64_t>PyDateTime_DATE_GET_MICROSECOND(<object>v) * 1000)
        return True
    if not PyDelta_CheckExact(<object>v):
        return False
    days = PyDateTime_DELTA_GET_DAYS(<object>v)
    if days > DUR_MAX_DAYS or days < -DUR_MAX_DAYS:
        return False
    total = (days * 86400 + PyDateTime_DELTA_GET_SECONDS(<object>v)) * 1000000 + PyDateTime_DELTA_GET_MICROSECONDS(<object>v)
    seconds = (-total if total < 0 else total) // 1000000
    if seconds > DUR_MAX:
        return False
    # Both parts carry the sign, as protobuf requires.
    if total < 0:
        _seconds_nanos_back(o, -seconds, -(((-total) % 1000000) * 1000))
    else:
        _seconds_nanos_back(o, seconds, (total % 1000000) * 1000)
    return True


cdef PyObject* _time_value(int wkt, const unsigned char* buf, Py_ssize_t pos, Py_ssize_t end) except? NULL:
    """A new reference to the datetime or timedelta in a body, or NULL (no error) to leave it to
    the helper. Malformed bodies bail: the reference engine reports them."""
    cdef int64_t seconds = 0, nanos = 0
    cdef uint64_t tag
    while pos < end:
        tag = _tag(buf, &pos, end)
        if tag == 0x08:
            seconds = <int64_t>_varint(buf, &pos, end)
        elif tag == 0x10:
            nanos = <int32_t><uint32_t>_varint(buf, &pos, end)
        else:
            return NULL
    if nanos % 1000:
        return NULL  # sub-microsecond: DatetimeNs / TimedeltaNs
    if wkt == WKT_TIMESTAMP:
        if seconds < TS_MIN or seconds > TS_MAX or nanos < 0 or nanos > 999999999:
            bail()
        value = _utc_datetime(seconds, <int>(nanos // 1000))
    else:
        if seconds < -DUR_MAX or seconds > DUR_MAX or nanos < -999999999 or nanos > 999999999:
            bail()
        if (seconds < 0 and nanos > 0) or (nanos < 0 and seconds > 0):
            bail()
        value = _timedelta_of(seconds * 1000000 + nanos // 1000)
    Py_INCREF_ptr(<PyObject*>value)
    return <PyObject*>value


cdef object _utc_datetime(int64_t seconds, int micros):
    """The aware datetime in UTC of ``seconds`` since the epoch (in Timestamp's range) and
    ``micros`` (0 to 999,999), as the Python helpers make it from the epoch."""
    cdef int64_t days = ddl_floor_div(seconds, 86400)
    cdef int64_t rest = seconds - days * 86400
    cdef int y, m, d
    ddl_civil_from_days(days, &y, &m, &d)
    return datetime_new(y, m, d, <int>(rest // 3600), <int>((rest // 60) % 60), <int>(rest % 60), micros, _UTC)


cdef object _timedelta_of(int64_t micros):
    """The timedelta of ``micros`` microseconds (within Duration's range), normalized as
    ``timedelta(microseconds=micros)`` normalizes it: days carry the sign."""
    cdef int64_t days = ddl_floor_div(micros, 86400000000)
    cdef int64_t rest = micros - days * 86400000000
    return timedelta_new(<int>days, <int>(rest // 1000000), <int>(rest % 1000000))
