# Timestamp and Duration in C, for the values they commonly hold: an exact datetime in UTC, an
# exact timedelta, whole microseconds. Anything else (another tzinfo, DatetimeNs, nanoseconds,
# unknown fields in the body) goes to the Python helpers in ddl/_wkt_codecs.py, as do all errors.
# And uuid.UUID, read and made through its slots, and Decimal through the C decimal module.

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


# uuid.UUID through its slots, as UUID(bytes=...) and UUID.bytes (both Python code) make and read
# it, where this Python's UUID is laid out so: on anything else, the Python functions run.

import uuid as _uuid_module

cdef object _UUID = _uuid_module.UUID
cdef object _OBJECT_NEW = object.__new__
cdef object _SAFE_UNKNOWN = _uuid_module.SafeUUID.unknown
cdef object _TWO_128 = 1 << 128
cdef object _ZERO_INT = 0


cdef Py_ssize_t _uuid_slot(str name):
    """Where a uuid.UUID keeps ``name`` (a __slots__ member), or -1."""
    try:
        return _slot_offset(_UUID, name)
    except TypeError:
        return -1


cdef Py_ssize_t _UUID_INT = _uuid_slot("int")
cdef Py_ssize_t _UUID_SAFE = _uuid_slot("is_safe")
# A UUID is its two slots (and its weak references), made by object.__new__.
cdef bint _UUID_SLOTS = (_UUID_INT >= 0 and _UUID_SAFE >= 0 and _UUID.__new__ is object.__new__
                         and tuple(getattr(_UUID, "__slots__", ())) == ("int", "is_safe", "__weakref__"))


cdef bint _uuid_bytes(PyObject* v, unsigned char* out) except -1:
    """Whether ``v`` is an exact uuid.UUID holding an int of 128 bits, whose 16 bytes (RFC 4122
    order, as ``UUID.bytes``) are then in ``out``. Runs no Python code: an exact int's
    comparisons and shift are C."""
    cdef PyObject* number
    cdef uint64_t high, low
    cdef int k
    if Py_TYPE(v) != <PyTypeObject*>_UUID or not _UUID_SLOTS:
        return False
    number = ddl_slot(v, _UUID_INT)
    if number == NULL or Py_TYPE(number) != &PyLong_Type or not 0 <= <object>number < _TWO_128:
        return False
    low = PyLong_AsUnsignedLongLongMask(<object>number)
    high = PyLong_AsUnsignedLongLong(<object>number >> 64)
    for k in range(8):
        out[k] = <unsigned char>(high >> (56 - 8 * k))
        out[8 + k] = <unsigned char>(low >> (56 - 8 * k))
    return True


cdef object _uuid_from(const unsigned char* b, Py_ssize_t n):
    """The uuid.UUID of the 16 bytes at ``b``, or the nil UUID for none (``n`` 0), as
    ``uuid_from_wire`` makes it: its int, and ``SafeUUID.unknown``."""
    made = _OBJECT_NEW(_UUID)  # its slots empty until set here, as UUID.__init__ sets them
    if n:
        ddl_set_slot(<PyObject*>made, _UUID_INT, ddl_long_from_be128(b))  # the new int's reference
    else:
        Py_INCREF_ptr(<PyObject*>_ZERO_INT)
        ddl_set_slot(<PyObject*>made, _UUID_INT, <PyObject*>_ZERO_INT)
    Py_INCREF_ptr(<PyObject*>_SAFE_UNKNOWN)
    ddl_set_slot(<PyObject*>made, _UUID_SAFE, <PyObject*>_SAFE_UNKNOWN)
    return made


# decimal.Decimal, written by its str() and read by its constructor: C code of the C decimal
# module (when Decimal is its), as decimal_to_wire and decimal_from_wire call them.

import contextvars as _contextvars
import decimal as _decimal_module

from cpython.object cimport PyObject_Str

cdef extern from "Python.h":
    int PyContextVar_Get(object var, PyObject* default_value, PyObject** value) except -1
    bint PyUnicode_IS_ASCII(object s)
    Py_ssize_t PyUnicode_GET_LENGTH(object s)
    void* PyUnicode_DATA(object s)

cdef object _DECIMAL = _decimal_module.Decimal


cdef object _decimal_context_var():
    """The ContextVar that holds each thread's decimal context when ``Decimal`` is the C decimal
    module's (CPython names it "decimal_context"), or None (Decimals then go to the Python
    functions)."""
    if type(_DECIMAL.__str__) is not type(object.__str__):  # not a slot of a C type
        return None
    _decimal_module.getcontext()  # so that this thread's context holds the variable, to find it
    for var in _contextvars.copy_context():
        if var.name == "decimal_context":
            return var
    return None


cdef object _DECIMAL_CONTEXT = _decimal_context_var()


cdef object _decimal_text(PyObject* v):
    """``str(v)`` of an exact Decimal, ASCII, or None. str() is the C decimal module's own code,
    which runs no Python code once the thread has its decimal context; making one allocates an
    object the GC tracks, which could start a collection, so a thread without one yet gets None
    (as does a subclass, or the Python decimal module)."""
    cdef PyObject* context = NULL
    if Py_TYPE(v) != <PyTypeObject*>_DECIMAL or _DECIMAL_CONTEXT is None:
        return None
    PyContextVar_Get(_DECIMAL_CONTEXT, NULL, &context)
    if context == NULL:
        return None
    Py_DECREF_ptr(context)  # the context var holds it too
    text = PyObject_Str(<object>v)
    return text if PyUnicode_IS_ASCII(text) else None


cdef bint _decimal_ready(object text) except -1:
    """Whether ``decimal_from_wire`` would hand ``text`` to Decimal() as it is: not empty (the
    empty string is Decimal(0)), and ASCII of the characters a decimal number is written in
    (digits, signs, point, letters: no space or underscore, which it refuses)."""
    cdef Py_ssize_t k, n = PyUnicode_GET_LENGTH(text)
    cdef const unsigned char* s
    cdef unsigned char c
    if n == 0 or not PyUnicode_IS_ASCII(text):
        return False
    s = <const unsigned char*>PyUnicode_DATA(text)
    for k in range(n):
        c = s[k]
        if not (b'0' <= c <= b'9' or b'a' <= (c | 0x20) <= b'z' or c == b'.' or c == b'+' or c == b'-'):
            return False
    return True


cdef object _from_wire(Op* op, object wire):
    """The value of a converted ``op`` (a Decimal, a UUID) from its wire value, a str or bytes: a
    UUID of 16 bytes or none made here, a Decimal by the C constructor, the rest (and every
    error) by the op's Python function."""
    cdef Py_ssize_t n
    if op.native == NATIVE_UUID and _UUID_SLOTS and type(wire) is bytes:
        n = PyBytes_GET_SIZE_ptr(<PyObject*>wire)
        if n == 16 or n == 0:
            return _uuid_from(<const unsigned char*>PyBytes_AS_STRING_ptr(<PyObject*>wire), n)
    elif op.native == NATIVE_DECIMAL and _DECIMAL_CONTEXT is not None and type(wire) is str and _decimal_ready(wire):
        try:
            return _DECIMAL(wire)
        except _decimal_module.InvalidOperation:
            pass  # the Python function's ValueError
    return (<object>op.fn_decode)(wire)
