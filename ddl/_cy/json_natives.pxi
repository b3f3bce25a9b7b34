# JSON of ddl's own types in the compiled writer and reader: json_write.pxi and json_read.pxi
# call in here for an op whose Op.native is set (or Op.inner: json_wkt.pxi). A UTC datetime, a
# timedelta (ddl's nanosecond subclasses too) and a date go as their text or object
# (ddl_json_time.h, wkt_times.pxi), a UUID and a Decimal through converted.pxi, typing.Any and
# dict[str, Any] as the JSON values they are. Each follows the Python path's rule for the values
# it takes (ddl/_json/_write_values.py, _read_values.py) and leaves every other value or text to
# it, as the writer and reader around it do: the writer runs no Python code (exact types only,
# read through borrowed pointers); the reader holds only its own references, and may call the
# functions the binary decoder calls.

cdef extern from "ddl_json_time.h":
    enum:
        DDL_JSON_TIME_MAX
        DDL_JSON_DATE_MAX
    char* ddl_json_timestamp(char* p, int year, int month, int day, int hour, int minute, int second,
                             uint32_t nanos) noexcept
    char* ddl_json_duration(char* p, bint negative, uint64_t seconds, uint32_t nanos) noexcept
    char* ddl_json_date(char* p, int year, int month, int day, int compact) noexcept
    int ddl_json_read_timestamp(const unsigned char* s, Py_ssize_t n, int64_t* seconds, int64_t* nanos) nogil
    int ddl_json_read_duration(const unsigned char* s, Py_ssize_t n, int* negative, int64_t* seconds,
                               int64_t* nanos) nogil


# -- writing ---------------------------------------------------------------------------------------

cdef int _jnative_form(Op* op, PyObject* v, JOut* o, int depth, int flags) except -1:
    """A value of ``op`` that is not a scalar or a plain message: one of ddl's own types
    (Op.native)."""
    if op.native == NATIVE_WRAPPER:
        return _jwrapper(op.sub, v, o, flags)
    if op.native == NATIVE_FIELD_MASK:
        return _jfield_mask(op.sub, v, o)
    if op.native == NATIVE_VALUE_MESSAGE:
        return _jvalue_message(op.sub, v, o, depth)
    if op.native == NATIVE_LIST_VALUE:
        return _jlist_value(op.sub, v, o, depth)
    if op.native == NATIVE_ANY:
        return _jany(op.sub, v, o, depth - 1)  # json_any.pxi
    if op.native == NATIVE_TIMESTAMP or op.native == NATIVE_DURATION:
        return _jtime(op.native, v, o)
    if op.native == NATIVE_DATE:
        if not PyDate_CheckExact(<object>v):
            bail()  # a datetime, a subclass, an error: the Python path's
        ddl_jout_room(o, DDL_JSON_DATE_MAX)
        o.pos = ddl_json_date(o.pos, PyDateTime_GET_YEAR(<object>v), PyDateTime_GET_MONTH(<object>v),
                              PyDateTime_GET_DAY(<object>v), o.compact)
        return 0
    if op.native == NATIVE_UUID:
        return _juuid(v, o)
    if op.native == NATIVE_DECIMAL:
        return _jdecimal(v, o)
    if op.native == NATIVE_VALUE:
        return _jnative(v, o, depth)
    if op.native == NATIVE_STRUCT:
        if Py_TYPE(v) != &PyDict_Type:
            bail()
        return _jobject(v, o, depth)
    if op.inner != NULL:
        return _jwrapped(op, v, o, depth, flags)
    return bail()  # another well-known type: the Python path's


cdef int _jnative(PyObject* v, JOut* o, int depth) except -1:
    """A ``typing.Any`` (google.protobuf.Value) as the Python path writes it (``json_value``,
    then the json module): exact JSON types only, a float finite, an int within 2**53 (a
    Value's double holds it exactly), a list or tuple as an array, a dict with str keys as an
    object. Anything else (a subclass, NaN, a big int, deep nesting) bails."""
    cdef PyTypeObject* t = Py_TYPE(v)
    cdef int64_t i = 0
    cdef double d
    cdef Py_ssize_t k
    cdef PyObject** items
    if t == &PyUnicode_Type:
        return ddl_json_str(o, v)
    if v == ddl_none:
        return _jput(o, b"null", 4)
    if v == ddl_true:
        return _jput(o, b"true", 4)
    if v == ddl_false:
        return _jput(o, b"false", 5)
    if t == &PyFloat_Type:
        d = PyFloat_AS_DOUBLE_ptr(v)
        if not isfinite(d):
            bail()
        return ddl_json_double(o, d)
    if t == &PyLong_Type:
        if ddl_as_int64(v, &i) != 0 or i > FLOAT_EXACT or i < -FLOAT_EXACT:
            bail()
        ddl_jout_room(o, 24)
        o.pos = ddl_json_i64(o.pos, i)
        return 0
    if depth <= 0:
        bail()
    if t == &PyDict_Type:
        return _jobject(v, o, depth - 1)
    if t != &PyList_Type and t != &PyTuple_Type:
        bail()
    _jput(o, b"[", 1)
    items = PySequence_Fast_ITEMS_ptr(v)
    for k in range(Py_SIZE_ptr(v)):
        if k:
            _jsep(o, b", ")
        _jnative(items[k], o, depth - 1)
    return _jput(o, b"]", 1)


cdef int _jobject(PyObject* v, JOut* o, int depth) except -1:
    """A dict of JSON values under str keys (a google.protobuf.Struct, or an object inside a
    Value) as a JSON object, in the dict's order (``json_object``)."""
    cdef Py_ssize_t at = 0
    cdef PyObject* k
    cdef PyObject* x
    cdef bint first = True
    _jput(o, b"{", 1)
    while PyDict_Next_ptr(v, &at, &k, &x):
        if Py_TYPE(k) != &PyUnicode_Type:
            bail()
        if not first:
            _jsep(o, b", ")
        first = False
        ddl_json_str(o, k)
        _jsep(o, b": ")
        _jnative(x, o, depth)
    return _jput(o, b"}", 1)


cdef int _jdecimal(PyObject* v, JOut* o) except -1:
    """An exact ``Decimal`` as ``decimal_to_wire`` writes it, its ``str()`` (``_decimal_text``);
    anything else bails."""
    cdef Py_ssize_t n
    text = _decimal_text(v)
    if text is None:
        bail()
    n = PyUnicode_GET_LENGTH(text)
    ddl_jout_room(o, n + 2)
    o.pos[0] = b'"'
    memcpy(o.pos + 1, PyUnicode_DATA(text), n)  # digits, sign, point, exponent: nothing to escape
    o.pos[n + 1] = b'"'
    o.pos += n + 2
    return 0


cdef int _juuid(PyObject* v, JOut* o) except -1:
    """An exact ``uuid.UUID`` as ``uuid_to_wire`` and a bytes field write it: its 16 bytes in
    base64 (``_uuid_bytes``); any other value bails."""
    cdef unsigned char raw[16]
    if not _uuid_bytes(v, raw):
        bail()
    ddl_jout_room(o, 26)
    o.pos[0] = b'"'
    o.pos += 1 + ddl_base64(o.pos + 1, raw, 16)
    o.pos[0] = b'"'
    o.pos += 1
    return 0


cdef int _jtime(int native, PyObject* v, JOut* o) except -1:
    """A Timestamp or Duration as the Python path writes it (``timestamp``, ``duration``): a
    datetime in UTC or at a fixed offset (written in UTC) or a timedelta within Duration's JSON
    range, exact or ddl's nanosecond subclass (``_time_nanos``); anything else bails (another
    tzinfo, an error)."""
    cdef int64_t offset
    cdef int ns = _time_nanos(native, v, &offset, False)  # the JSON writer runs no Python code
    cdef uint64_t seconds = 0
    cdef uint32_t nanos = 0
    cdef int negative
    cdef int f[6]
    if ns < 0:
        bail()
    ddl_jout_room(o, DDL_JSON_TIME_MAX)
    if native == NATIVE_TIMESTAMP:
        nanos = <uint32_t>PyDateTime_DATE_GET_MICROSECOND(<object>v) * 1000 + ns
        if offset == 0:
            o.pos = ddl_json_timestamp(
                o.pos, PyDateTime_GET_YEAR(<object>v), PyDateTime_GET_MONTH(<object>v), PyDateTime_GET_DAY(<object>v),
                PyDateTime_DATE_GET_HOUR(<object>v), PyDateTime_DATE_GET_MINUTE(<object>v),
                PyDateTime_DATE_GET_SECOND(<object>v), nanos)
            return 0
        _utc_fields(_epoch_seconds(v) - offset, f)  # an instant in Timestamp's range (_time_nanos)
        o.pos = ddl_json_timestamp(o.pos, f[0], f[1], f[2], f[3], f[4], f[5], nanos)
        return 0
    negative = _duration_parts(v, ns, &seconds, &nanos)
    if negative < 0:
        bail()  # the Python path's error
    o.pos = ddl_json_duration(o.pos, negative, seconds, nanos)
    return 0


# -- reading ---------------------------------------------------------------------------------------

cdef object _jr_native_form(Op* op, JText* t, unsigned char c, int budget):
    """A value of ``op`` that is not a scalar or a plain message (not null, its first byte
    ``c``): one of ddl's own types (Op.native)."""
    if op.native == NATIVE_WRAPPER:
        return _jr_wrapper(op.sub, t, c, budget)
    if c == b'"' and op.native == NATIVE_FIELD_MASK:
        return _jr_field_mask(op.sub, t)
    if op.native == NATIVE_VALUE_MESSAGE:
        return _jr_value_message(op.sub, t, c, budget)
    if c == b'[' and op.native == NATIVE_LIST_VALUE:
        return _jr_list_value(op.sub, t, budget)
    if c == b'{' and op.native == NATIVE_ANY:
        return _jr_any(op.sub, t, budget - 1)  # json_any.pxi
    if c == b'"' and (op.native == NATIVE_TIMESTAMP or op.native == NATIVE_DURATION):
        return _jr_time(op.native, t)
    if c == b'{' and op.native == NATIVE_DATE:
        return _jr_date(t)
    if op.native == NATIVE_VALUE:
        return _jr_native(t, c, budget - 1)
    if c == b'{' and op.native == NATIVE_STRUCT:
        return _jr_struct(t, budget - 1)
    if c == b'"' and op.kind == K_CONVERTED:
        return _jr_converted(op, _jr_str(t) if op.base == K_STRING else _jr_bytes(t))
    if c == b'{' and op.inner != NULL:
        return _jr_wrapped(op, t, budget)
    bail()  # other well-known types, and other wrapper messages: the Python reader's


cdef object _jr_native(JText* t, unsigned char c, int budget):
    """A google.protobuf.Value (``typing.Any``) as ``to_native`` reads it: a string, a number
    as a float (``_jr_double``: an integer's ``-0`` is ``0.0``), true, false, null, an array
    as a list, an object as a dict. What it refuses (a number beyond a double, a lone
    surrogate, nesting past ``budget``) bails, and so does a key given twice (json.loads
    keeps the last)."""
    if c == b'"':
        return _jr_str(t)
    if c == b'-' or b'0' <= c <= b'9':
        return _owned(ddl_float_new(_jr_double(t, c, False)))
    if c == b't':
        _jr_literal(t, b"true", 4)
        return True
    if c == b'f':
        _jr_literal(t, b"false", 5)
        return False
    if c == b'n':
        _jr_literal(t, b"null", 4)
        return None
    if budget < 0:
        bail()
    if c == b'{':
        return _jr_struct(t, budget)
    if c != b'[':
        bail()
    t.pos += 1
    cdef list items = []
    c = _jr_next(t)
    if c == b']':
        t.pos += 1
    else:
        while c:
            items.append(_jr_native(t, c, budget - 1))
            c = _jr_after(t, b']')
    ddl_gc_tenure_tracked(<PyObject*>items)
    return items


cdef dict _jr_struct(JText* t, int budget):
    """A google.protobuf.Struct (``dict[str, Any]``) from a JSON object, as ``to_struct``
    reads it: each value as ``_jr_native`` reads it."""
    cdef Py_ssize_t size
    cdef dict entries = {}
    if budget < 0:
        bail()
    t.pos += 1
    cdef unsigned char c = _jr_next(t)
    if c == b'}':
        t.pos += 1
        return entries
    while c:
        if c != b'"':
            bail()
        key = _jr_str(t)
        if _jr_next(t) != b':':
            bail()
        t.pos += 1
        value = _jr_native(t, _jr_next(t), budget - 1)
        size = PyDict_GET_SIZE_ptr(<PyObject*>entries)
        entries[key] = value
        if PyDict_GET_SIZE_ptr(<PyObject*>entries) == size:
            bail()
        c = _jr_after(t, b'}')
    ddl_gc_tenure_tracked(<PyObject*>entries)
    return entries


cdef object _jr_converted(Op* op, object wire):
    """A Decimal or UUID from its JSON string or the bytes of its base64, converted as the
    binary decoder converts its wire value (``to_decimal``, ``to_uuid``); an error bails, and
    the Python reader reports it."""
    try:
        return _from_wire(op, wire)
    except Exception:
        bail()


cdef object _jr_date(JText* t):
    """A google.type.Date object as ``to_date`` reads a full date: year, month and day, each
    once, as int32 numbers or numeric strings, making a valid date. Anything else (a part
    missing or given twice, another key, null, a partial or invalid date) bails."""
    cdef int64_t parts[3]
    cdef int seen = 0, k = 0, negative = 0
    cdef uint64_t m
    cdef Py_ssize_t start, n
    t.pos += 1
    cdef unsigned char c = _jr_next(t)
    if c == b'}':
        bail()
    while c:
        if c != b'"':
            bail()
        start = _jr_plain(t, &n)
        if n == 4 and memcmp(t.s + start, b"year", 4) == 0:
            k = 0
        elif n == 5 and memcmp(t.s + start, b"month", 5) == 0:
            k = 1
        elif n == 3 and memcmp(t.s + start, b"day", 3) == 0:
            k = 2
        else:
            bail()
        if seen & (1 << k) or _jr_next(t) != b':':
            bail()
        seen |= 1 << k
        t.pos += 1
        c = _jr_next(t)
        m = 0
        _jr_int_parts(t, c, &negative, &m)
        _jr_int_bits(K_INT32, negative, &m)
        parts[k] = <int64_t>m  # the int32's two's complement word
        c = _jr_after(t, b'}')
    if seen != 7 or not ddl_json_valid_date(parts[0], parts[1], parts[2]):
        bail()
    return date_new(<int>parts[0], <int>parts[1], <int>parts[2])


cdef object _jr_time(int native, JText* t):
    """A Timestamp's RFC 3339 text or a Duration's, read as the Python reader reads them
    (``to_timestamp``, ``to_duration``) into a datetime in UTC or a timedelta, or a DatetimeNs or
    TimedeltaNs for digits below the microsecond. Whatever the parsers leave, valid or not,
    bails."""
    cdef Py_ssize_t n
    cdef int64_t seconds = 0, nanos = 0
    cdef int negative = 0
    cdef Py_ssize_t start = _jr_plain(t, &n)
    if native == NATIVE_TIMESTAMP:
        if ddl_json_read_timestamp(t.s + start, n, &seconds, &nanos):
            bail()
        return _timestamp_value(seconds, nanos)
    if ddl_json_read_duration(t.s + start, n, &negative, &seconds, &nanos):
        bail()
    return _duration_value(negative, seconds, nanos)
