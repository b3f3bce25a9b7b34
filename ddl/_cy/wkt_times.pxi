# google.protobuf.Timestamp and Duration in C, for both forms: their binary bodies (encode.pxi,
# decode.pxi) and their JSON texts (json_natives.pxi); and google.type.Date's binary body.
# Taken here: an exact datetime in UTC, at a fixed offset (datetime.timezone) or in a
# zoneinfo.ZoneInfo, an exact timedelta, and ddl's DatetimeNs and TimedeltaNs, whose nanoseconds
# below the microsecond are their one slot; in binary, a datetime in any other zone too, at the
# offset its utcoffset() gives. Made here: a datetime in UTC, a timedelta, and those two.
# Anything else (another subclass, an odd slot, unknown fields in a body) goes to the Python
# helpers in ddl/_wkt_codecs.py and ddl/_json, as do all errors.

from cpython.exc cimport PyErr_Clear
from cpython.datetime cimport (
    PyDateTime_CheckExact, PyDateTime_DATE_GET_HOUR, PyDateTime_DATE_GET_MICROSECOND, PyDateTime_DATE_GET_MINUTE,
    PyDateTime_DATE_GET_SECOND, PyDateTime_DELTA_GET_DAYS, PyDateTime_DELTA_GET_MICROSECONDS,
    PyDateTime_DELTA_GET_SECONDS, PyDateTime_GET_DAY, PyDateTime_GET_MONTH, PyDateTime_GET_YEAR, PyDate_CheckExact,
    PyDateTimeAPI, PyDelta_CheckExact, date_new, datetime_tzinfo, get_utc, import_datetime,
)

from datetime import timedelta as _timedelta, timezone as _timezone
from zoneinfo import ZoneInfo as _ZoneInfo

from ._nanotime import DatetimeNs as _DatetimeNs, TimedeltaNs as _TimedeltaNs

import_datetime()

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

cdef extern from "ddl_json_time.h":
    # Whether a year, month and day make a date of datetime.date's range.
    bint ddl_json_valid_date(int64_t year, int64_t month, int64_t day) nogil

# Where a DatetimeNs and a TimedeltaNs keep their nanoseconds: ddl's own classes, each the base's
# object and the slot that _Nanos.__new__ sets after the base's __new__, as _with_nanos does.
cdef Py_ssize_t _DATETIME_NS_SLOT = _slot_offset(_DatetimeNs, "_ns")
cdef Py_ssize_t _TIMEDELTA_NS_SLOT = _slot_offset(_TimedeltaNs, "_ns")



cdef bint _timezone_layout():
    """Whether ddl_timezone_offset reads a datetime.timezone's offset in this interpreter: a
    probe's offset where it looks, and the object no larger than a header and two pointers (on
    a 64-bit build; others take the Python path)."""
    probe = _timezone(_timedelta(hours=-5, minutes=-30), "probe")
    expected = probe.utcoffset(None)
    offset = ddl_timezone_offset(<PyObject*>probe)
    return (offset != NULL and offset == <PyObject*>expected and _timezone.__basicsize__ == 32
            and _UTC.utcoffset(None) == _timedelta(0))


cdef bint _TIMEZONE_OFFSETS = _timezone_layout()

# zoneinfo.ZoneInfo's utcoffset, which _zone_offset calls through its C function (see
# ddl_meth1_ok) without running Python code; not where the class is zoneinfo's pure-Python one.
cdef object _ZONE_UTCOFFSET = _ZoneInfo.__dict__.get("utcoffset")
cdef bint _ZONE_OFFSETS = ddl_meth1_ok(<PyObject*>_ZONE_UTCOFFSET)

# The one-byte tags of the two fields, right-aligned for _tag_back.
cdef uint64_t _SECONDS_TAG = (<uint64_t>0x08) << 56
cdef uint64_t _NANOS_TAG = (<uint64_t>0x10) << 56
cdef uint64_t _DAY_TAG = (<uint64_t>0x18) << 56  # google.type.Date's third field


# -- reading values --------------------------------------------------------------------------------

cdef int _time_nanos(int native, PyObject* v, int64_t* offset, bint may_call) except -2:
    """The nanoseconds below the microsecond of a Timestamp or Duration value the C writers take:
    0 for an exact datetime or timedelta, the slot (0 to 999) of a DatetimeNs or TimedeltaNs; -1
    for any other value, left to the Python path. A datetime's offset from UTC, in seconds, is
    in ``offset``: it is taken in UTC, or at the whole seconds of a datetime.timezone, whose
    instant is in Timestamp's range. Runs no Python code, unless ``may_call``: then a datetime in
    a zone of rules is taken at the offset its ``utcoffset()`` gives (_called_offset)."""
    cdef PyTypeObject* t = Py_TYPE(v)
    cdef Py_ssize_t slot
    cdef PyObject* ns
    cdef int64_t n = 0
    offset[0] = 0
    if native == NATIVE_TIMESTAMP:
        if t == <PyTypeObject*>_DatetimeNs:
            slot = _DATETIME_NS_SLOT
        elif PyDateTime_CheckExact(<object>v):
            slot = 0
        else:
            return -1
        tz = datetime_tzinfo(<object>v)
        if not (_utc_offset(<PyObject*>tz, offset) or (slot == 0 and _zone_offset(<PyObject*>tz, v, offset))
                or (may_call and tz is not None and _called_offset(v, offset))):
            return -1
        if offset[0] and not TS_MIN <= _epoch_seconds(v) - offset[0] <= TS_MAX:
            return -1  # the Python path's error
    elif t == <PyTypeObject*>_TimedeltaNs:
        slot = _TIMEDELTA_NS_SLOT
    elif PyDelta_CheckExact(<object>v):
        slot = 0
    else:
        return -1
    if slot == 0:
        return 0
    ns = ddl_slot(v, slot)
    if ns == NULL or Py_TYPE(ns) != &PyLong_Type or ddl_as_int64(ns, &n) != 0 or n < 0 or n > 999:
        return -1  # not set by _Nanos.__new__: the Python helper's error
    return <int>n


cdef bint _utc_offset(PyObject* tz, int64_t* offset) noexcept:
    """Whether ``tz`` is UTC or a datetime.timezone of whole seconds, whose offset is then in
    ``offset``."""
    cdef PyObject* delta
    if tz == <PyObject*>_UTC:
        return True
    if Py_TYPE(tz) != <PyTypeObject*>_timezone or not _TIMEZONE_OFFSETS:
        return False
    delta = ddl_timezone_offset(tz)
    if delta == NULL or not PyDelta_CheckExact(<object>delta) or PyDateTime_DELTA_GET_MICROSECONDS(<object>delta):
        return False
    offset[0] = PyDateTime_DELTA_GET_DAYS(<object>delta) * 86400 + PyDateTime_DELTA_GET_SECONDS(<object>delta)
    return True


cdef bint _zone_offset(PyObject* tz, PyObject* v, int64_t* offset) noexcept:
    """Whether ``tz`` is a zoneinfo.ZoneInfo that puts the exact datetime ``v`` at an offset of
    whole seconds, which is then in ``offset``: read through its C utcoffset (see ddl_meth1_ok),
    which runs no Python code, so the JSON writer takes it too."""
    cdef PyObject* delta
    cdef bint whole
    if not _ZONE_OFFSETS or Py_TYPE(tz) != <PyTypeObject*>_ZoneInfo:
        return False
    delta = ddl_call_meth1(<PyObject*>_ZONE_UTCOFFSET, tz, v)
    if delta == NULL:  # no failure is known for an exact datetime: left to the Python path
        PyErr_Clear()
        return False
    whole = PyDelta_CheckExact(<object>delta) and not PyDateTime_DELTA_GET_MICROSECONDS(<object>delta)
    if whole:
        offset[0] = PyDateTime_DELTA_GET_DAYS(<object>delta) * 86400 + PyDateTime_DELTA_GET_SECONDS(<object>delta)
    Py_DECREF_ptr(delta)  # the zone keeps it: nothing is freed
    return whole


cdef int _called_offset(PyObject* v, int64_t* offset) except -1:
    """1 when a datetime in a zone of rules (a ``zoneinfo.ZoneInfo``, a tzinfo of the user's) is
    at an offset of whole seconds by its ``utcoffset()``, which is then in ``offset``; else 0.
    That runs Python code: only the binary encoder asks, for a value its caller owns (a helper's
    op is loud, see seal). An error the call raises is the Python path's to raise again, with its
    path; a KeyboardInterrupt or SystemExit goes on as it is."""
    try:
        delta = (<object>v).utcoffset()
    except Exception:
        return False
    if not PyDelta_CheckExact(delta) or PyDateTime_DELTA_GET_MICROSECONDS(delta):
        return False
    offset[0] = PyDateTime_DELTA_GET_DAYS(delta) * 86400 + PyDateTime_DELTA_GET_SECONDS(delta)
    return True


cdef int64_t _epoch_seconds(PyObject* v) noexcept:
    """The seconds since the epoch of a datetime's fields, as if in UTC."""
    return (ddl_days_from_civil(PyDateTime_GET_YEAR(<object>v), PyDateTime_GET_MONTH(<object>v),
                                PyDateTime_GET_DAY(<object>v)) * 86400
            + PyDateTime_DATE_GET_HOUR(<object>v) * 3600 + PyDateTime_DATE_GET_MINUTE(<object>v) * 60
            + PyDateTime_DATE_GET_SECOND(<object>v))


cdef int _duration_parts(PyObject* v, int ns, uint64_t* seconds, uint32_t* nanos) noexcept:
    """A timedelta within Duration's range, plus ``ns`` nanoseconds (added, as TimedeltaNs adds
    them), as its sign (the result: 1 if negative), whole seconds and nanoseconds; -1 beyond the
    range, which the Python path reports or (in binary, where a timedelta's whole range is
    valid) writes."""
    cdef int64_t days = PyDateTime_DELTA_GET_DAYS(<object>v)
    cdef int64_t micros
    cdef uint64_t magnitude
    cdef int64_t below
    if days > DUR_MAX_DAYS or days < -DUR_MAX_DAYS - 1:  # (a negative timedelta's days round down)
        return -1  # past the range (checked below), and past what int64 microseconds would hold
    micros = (days * 86400 + PyDateTime_DELTA_GET_SECONDS(<object>v)) * 1000000 + PyDateTime_DELTA_GET_MICROSECONDS(<object>v)
    if micros >= 0:
        seconds[0] = <uint64_t>micros // 1000000
        nanos[0] = <uint32_t>(<uint64_t>micros % 1000000) * 1000 + ns
    else:
        # micros * 1000 + ns < 0, whose magnitude is -micros * 1000 - ns (which need not fit an int64).
        magnitude = <uint64_t>(-micros)
        seconds[0] = magnitude // 1000000
        below = <int64_t>(magnitude % 1000000) * 1000 - ns
        if below < 0:  # (then seconds > 0: a magnitude below a second leaves at least 1000 - 999)
            below += 1000000000
            seconds[0] -= 1
        nanos[0] = <uint32_t>below
    if seconds[0] > <uint64_t>DUR_MAX:
        return -1
    return micros < 0


# -- making values ---------------------------------------------------------------------------------

cdef object _with_nanos(object made, Py_ssize_t slot, int64_t ns):
    """``made``, a DatetimeNs or TimedeltaNs of its base's fields, with its nanoseconds set."""
    cdef object value = ns  # (an int object: Cython would keep an untyped local a C integer)
    Py_INCREF_ptr(<PyObject*>value)
    ddl_set_slot(<PyObject*>made, slot, <PyObject*>value)
    return made


cdef void _utc_fields(int64_t seconds, int* f) noexcept:
    """The date and time in UTC of ``seconds`` since the epoch, in ``f``: year, month, day,
    hour, minute, second."""
    cdef int64_t days = ddl_floor_div(seconds, 86400)
    cdef int64_t rest = seconds - days * 86400
    ddl_civil_from_days(days, &f[0], &f[1], &f[2])
    f[3] = <int>(rest // 3600)
    f[4] = <int>((rest // 60) % 60)
    f[5] = <int>(rest % 60)


cdef object _timestamp_value(int64_t seconds, int64_t nanos):
    """The aware datetime in UTC of ``seconds`` since the epoch (in Timestamp's range) and
    ``nanos`` (0 to 999,999,999), as the Python helpers make it: a DatetimeNs when it has
    nanoseconds below the microsecond."""
    cdef int f[6]
    cdef int64_t ns = nanos % 1000
    cdef PyTypeObject* cls = <PyTypeObject*>_DatetimeNs if ns else PyDateTimeAPI.DateTimeType
    _utc_fields(seconds, f)
    made = PyDateTimeAPI.DateTime_FromDateAndTime(f[0], f[1], f[2], f[3], f[4], f[5], <int>(nanos // 1000), _UTC,
                                                  cls)  # as datetime.__new__(cls, ...)
    return _with_nanos(made, _DATETIME_NS_SLOT, ns) if ns else made


cdef object _duration_value(bint negative, int64_t seconds, int64_t nanos):
    """The timedelta of a Duration of ``seconds`` (within Duration's range) and ``nanos`` (0 to
    999,999,999), negative or not, as the Python helpers make it: ``divmod(total, 1000)`` gives
    its microseconds (days carry the sign, as ``timedelta(microseconds=...)`` normalizes them)
    and a TimedeltaNs's nanoseconds, 0 to 999, added."""
    cdef int64_t micros = seconds * 1000000 + nanos // 1000
    cdef int64_t ns = nanos % 1000
    cdef int64_t days, rest
    if negative:
        micros = -micros
        if ns:
            micros -= 1
            ns = 1000 - ns
    cdef PyTypeObject* cls = <PyTypeObject*>_TimedeltaNs if ns else PyDateTimeAPI.DeltaType
    days = ddl_floor_div(micros, 86400000000)
    rest = micros - days * 86400000000
    made = PyDateTimeAPI.Delta_FromDelta(<int>days, <int>(rest // 1000000), <int>(rest % 1000000), 1,
                                         cls)  # as timedelta.__new__(cls, ...)
    return _with_nanos(made, _TIMEDELTA_NS_SLOT, ns) if ns else made


# -- binary bodies ---------------------------------------------------------------------------------

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


cdef bint _time_body(int native, PyObject* v, Out* o) except -1:
    """Write the body of a Timestamp, Duration or Date value in C; False leaves it to the
    helper."""
    cdef int64_t offset
    if native == NATIVE_DATE:
        return _date_body(v, o)
    cdef int ns = _time_nanos(native, v, &offset, True)  # the binary encoder's: its op is loud
    cdef uint64_t seconds = 0
    cdef uint32_t nanos = 0
    cdef int negative
    if ns < 0:
        return False
    if native == NATIVE_TIMESTAMP:
        _seconds_nanos_back(o, _epoch_seconds(v) - offset, <int64_t>PyDateTime_DATE_GET_MICROSECOND(<object>v) * 1000 + ns)
        return True
    negative = _duration_parts(v, ns, &seconds, &nanos)
    if negative < 0:
        return False
    if negative:  # both parts carry the sign, as protobuf requires
        _seconds_nanos_back(o, -<int64_t>seconds, -<int64_t>nanos)
    else:
        _seconds_nanos_back(o, <int64_t>seconds, nanos)
    return True


cdef PyObject* _time_value(int native, const unsigned char* buf, Py_ssize_t pos, Py_ssize_t end) except? NULL:
    """A new reference to the datetime, timedelta or date in a body, or NULL (no error) to
    leave it to the helper. Malformed bodies bail: the reference engine reports them."""
    cdef int64_t seconds = 0, nanos = 0
    cdef uint64_t tag
    if native == NATIVE_DATE:
        return _date_value(buf, pos, end)
    while pos < end:
        tag = _tag(buf, &pos, end)
        if tag == 0x08:
            seconds = <int64_t>_varint(buf, &pos, end)
        elif tag == 0x10:
            nanos = <int32_t><uint32_t>_varint(buf, &pos, end)
        else:
            return NULL
    if native == NATIVE_TIMESTAMP:
        if seconds < TS_MIN or seconds > TS_MAX or nanos < 0 or nanos > 999999999:
            bail()
        value = _timestamp_value(seconds, nanos)
    else:
        if seconds < -DUR_MAX or seconds > DUR_MAX or nanos < -999999999 or nanos > 999999999:
            bail()
        if (seconds < 0 and nanos > 0) or (nanos < 0 and seconds > 0):
            bail()
        if seconds < 0 or nanos < 0:
            value = _duration_value(True, -seconds, -nanos)
        else:
            value = _duration_value(False, seconds, nanos)
    Py_INCREF_ptr(<PyObject*>value)
    return <PyObject*>value


# -- google.type.Date --------------------------------------------------------------------------------

cdef bint _date_body(PyObject* v, Out* o) except -1:
    """Write an exact date as a google.type.Date body, its three parts always, as
    ``_wkt_codecs.encode_date`` writes them (a datetime or a subclass is left to it)."""
    if not PyDate_CheckExact(<object>v):
        return False
    _room(o, 24)
    _varint_back(o, <uint64_t>PyDateTime_GET_DAY(<object>v))
    _tag_back(o, _DAY_TAG, 1)
    _varint_back(o, <uint64_t>PyDateTime_GET_MONTH(<object>v))
    _tag_back(o, _NANOS_TAG, 1)  # field 2, a varint: the month
    _varint_back(o, <uint64_t>PyDateTime_GET_YEAR(<object>v))
    _tag_back(o, _SECONDS_TAG, 1)  # field 1, a varint: the year
    return True


cdef PyObject* _date_value(const unsigned char* buf, Py_ssize_t pos, Py_ssize_t end) except? NULL:
    """A new reference to the date in a google.type.Date body, its parts read as int32 (the last
    of each wins), or NULL (no error) for a body holding any other field. A date that is not a
    full, valid one (a part 0 or out of range) bails: the reference engine reports it."""
    cdef int64_t parts[3]
    cdef uint64_t tag
    parts[0] = parts[1] = parts[2] = 0
    while pos < end:
        tag = _tag(buf, &pos, end)
        if tag != 0x08 and tag != 0x10 and tag != 0x18:
            return NULL
        parts[(tag >> 3) - 1] = <int32_t><uint32_t>_varint(buf, &pos, end)
    if not ddl_json_valid_date(parts[0], parts[1], parts[2]):
        bail()
    value = date_new(<int>parts[0], <int>parts[1], <int>parts[2])
    Py_INCREF_ptr(<PyObject*>value)
    return <PyObject*>value
