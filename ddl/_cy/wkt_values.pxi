# google.protobuf.Value and Struct (``typing.Any`` and ``dict[str, Any]``) in binary, in C, for
# the values they commonly hold: the exact JSON types, written as _encode_value and
# _encode_struct in ddl/_wkt_codecs.py write them, and the bodies protobuf writes, read as
# _decode_value and _decode_struct read them. Anything else goes to those Python functions,
# which decide the bytes, the value or the error: a subclass, an int past 2**53, a lone
# surrogate, sorted keys (deterministic), a Value with two kinds set, an unknown field, invalid
# UTF-8. Writing runs no Python code: the dicts and lists are read through borrowed pointers.

cdef enum:
    # Entries of a dict gathered on the C stack before they are written (backwards); more go
    # to the heap.
    VALUES_STACK_ENTRIES = 32

# The largest int a double holds exactly, with all below it: a Value's int must be within it
# (here and in the JSON writer).
cdef int64_t FLOAT_EXACT = 1 << 53


cdef inline void _byte_back(Out* o, unsigned char b) noexcept:
    o.pos -= 1
    o.pos[0] = b


cdef bint _text_back(PyObject* s, Out* o) except -1:
    """A str's UTF-8 and its length, backwards, as a string field's (``_scalar``); False for
    another type, or a str UTF-8 cannot hold (a lone surrogate: the Python function's error),
    with nothing written. Its callers read no borrowed pointer after a False: making that
    error may have run a collection."""
    if Py_TYPE(s) != &PyUnicode_Type:
        return False
    try:
        _scalar(NULL, K_STRING, s, o, False)
    except UnicodeError:
        return False
    return True


cdef bint _value_back(PyObject* v, Out* o, int budget) except -1:
    """A Value's body for ``v``, backwards; False for what _encode_value is to write (its
    caller drops what was written)."""
    cdef PyTypeObject* t = Py_TYPE(v)
    cdef int64_t i = 0
    cdef double d
    cdef Py_ssize_t mark, item, k
    cdef PyObject** items
    if budget < 1:
        return False
    _room(o, 16)
    if v == ddl_none:
        o.pos -= 2
        o.pos[0] = 0x08  # null_value 0: a set member of a oneof is written even when zero
        o.pos[1] = 0
        return True
    if v == ddl_true or v == ddl_false:
        o.pos -= 2
        o.pos[0] = 0x20
        o.pos[1] = v == ddl_true
        return True
    if t == &PyFloat_Type or t == &PyLong_Type:
        if t == &PyFloat_Type:
            d = PyFloat_AS_DOUBLE_ptr(v)
        elif ddl_as_int64(v, &i) != 0 or i > FLOAT_EXACT or i < -FLOAT_EXACT:
            return False
        else:
            d = <double>i
        o.pos -= 8
        memcpy(o.pos, &d, 8)
        _byte_back(o, 0x11)
        return True
    if t == &PyUnicode_Type:
        if not _text_back(v, o):
            return False
        _byte_back(o, 0x1A)
        return True
    mark = _written(o)
    if t == &PyDict_Type:
        if not _struct_back(v, o, budget - 1):
            return False
        _room(o, 16)
        _varint_back(o, <uint64_t>(_written(o) - mark))
        _byte_back(o, 0x2A)
        return True
    if t != &PyList_Type and t != &PyTuple_Type:
        return False
    if budget < 2:
        return False
    items = PySequence_Fast_ITEMS_ptr(v)
    for k in range(Py_SIZE_ptr(v) - 1, -1, -1):  # ListValue: repeated Value values = 1
        item = _written(o)
        if not _value_back(items[k], o, budget - 2):
            return False
        _room(o, 16)
        _varint_back(o, <uint64_t>(_written(o) - item))
        _byte_back(o, 0x0A)
    _room(o, 16)
    _varint_back(o, <uint64_t>(_written(o) - mark))
    _byte_back(o, 0x32)
    return True


cdef bint _struct_back(PyObject* v, Out* o, int budget) except -1:
    """A Struct's body for the dict ``v``, its entries in the dict's order (each with its key
    and its value, as protobuf writes them), backwards; False for what _encode_struct is to
    write."""
    cdef PyObject* stack[2 * VALUES_STACK_ENTRIES]
    cdef PyObject** entries = stack
    cdef Py_ssize_t n = PyDict_GET_SIZE_ptr(v), at = 0, k = 0, entry, value
    cdef PyObject* key
    cdef PyObject* x
    cdef bint done = True
    if budget < 1:
        return False
    if n > VALUES_STACK_ENTRIES:
        entries = <PyObject**>PyMem_Malloc(2 * n * sizeof(PyObject*))
        if entries == NULL:
            raise MemoryError()
    try:
        while PyDict_Next_ptr(v, &at, &key, &x):  # a dict cannot be read backwards: gathered first
            entries[k] = key
            entries[k + 1] = x
            k += 2
        while k and done:
            k -= 2
            entry = _written(o)
            value = _written(o)
            done = _value_back(entries[k + 1], o, budget - 1)
            if done:
                _room(o, 16)
                _varint_back(o, <uint64_t>(_written(o) - value))
                _byte_back(o, 0x12)
                done = _text_back(entries[k], o)
            if done:
                _room(o, 16)
                _byte_back(o, 0x0A)
                _varint_back(o, <uint64_t>(_written(o) - entry))
                _byte_back(o, 0x0A)
        return done
    finally:
        if entries != stack:
            PyMem_Free(entries)


cdef bint _json_like_back(int native, PyObject* v, Out* o, int budget, bint det) except -1:
    """A Value's or Struct's body for ``v`` (``native``), backwards; False, with nothing left
    written, for what the Python functions are to write (sorted keys among them)."""
    cdef Py_ssize_t mark = _written(o)
    cdef bint done
    if det:
        return False
    if native == NATIVE_VALUE:
        done = _value_back(v, o, budget)
    else:
        done = Py_TYPE(v) == &PyDict_Type and _struct_back(v, o, budget)
    if not done:
        o.pos = o.end - mark
    return done


cdef object _value_of(const unsigned char* buf, Py_ssize_t pos, Py_ssize_t end, int budget):
    """The Value body buf[pos:end] as _decode_value reads it, for one kind set at most and no
    unknown field; None is ``_UNREAD`` for the rest (the Python function's to read)."""
    cdef uint64_t tag, raw
    cdef Py_ssize_t n
    cdef double d
    cdef PyObject* text
    if budget < 1:
        return _UNREAD
    if pos == end:
        return None  # no kind set
    tag = _tag(buf, &pos, end)
    if tag == 0x11:
        if end - pos < 8:
            return _UNREAD
        memcpy(&d, buf + pos, 8)
        pos += 8
        value = d
    elif tag == 0x08 or tag == 0x20:
        raw = _varint(buf, &pos, end)
        value = None if tag == 0x08 else raw != 0
    elif tag == 0x1A or tag == 0x2A or tag == 0x32:
        n = _length(buf, &pos, end)
        if tag == 0x1A:
            text = ddl_str_keyed(buf + pos, n)
            if text == NULL:
                return _UNREAD  # not UTF-8: the Python function's error
            value = _owned(text)
        elif tag == 0x2A:
            value = _struct_of(buf, pos, pos + n, budget - 1)
        else:
            value = _list_of(buf, pos, pos + n, budget - 1)
        pos += n
    else:
        return _UNREAD
    return value if pos == end else _UNREAD  # another field after it: merged by Python


cdef object _list_of(const unsigned char* buf, Py_ssize_t pos, Py_ssize_t end, int budget):
    """A ListValue body as a list, as _decode_list reads it, or ``_UNREAD``."""
    cdef Py_ssize_t n
    cdef list items = []
    if budget < 1:
        return _UNREAD
    while pos < end:
        if _tag(buf, &pos, end) != 0x0A:
            return _UNREAD
        n = _length(buf, &pos, end)
        item = _value_of(buf, pos, pos + n, budget - 1)
        if item is _UNREAD:
            return _UNREAD
        items.append(item)
        pos += n
    ddl_gc_tenure_tracked(<PyObject*>items)
    return items


cdef object _struct_of(const unsigned char* buf, Py_ssize_t pos, Py_ssize_t end, int budget):
    """A Struct body as a dict, as _decode_struct reads it (a key given again replaces its
    value), for entries of one key and one value at most, or ``_UNREAD``."""
    cdef Py_ssize_t n, entry_end
    cdef uint64_t tag
    cdef dict fields = {}
    cdef PyObject* text
    if budget < 1:
        return _UNREAD
    while pos < end:
        if _tag(buf, &pos, end) != 0x0A:
            return _UNREAD
        n = _length(buf, &pos, end)
        entry_end = pos + n
        key = ""
        value = None
        while pos < entry_end:
            tag = _tag(buf, &pos, entry_end)
            if tag != 0x0A and tag != 0x12:
                return _UNREAD
            n = _length(buf, &pos, entry_end)
            if tag == 0x0A:
                text = ddl_str_keyed(buf + pos, n)
                if text == NULL:
                    return _UNREAD
                key = _owned(text)
            elif value is not None:
                return _UNREAD  # a second value merges into the first: Python's
            else:
                value = _value_of(buf, pos, pos + n, budget - 1)
                if value is _UNREAD:
                    return _UNREAD
            pos += n
        fields[key] = value
    ddl_gc_tenure_tracked(<PyObject*>fields)
    return fields


# What the readers above give for a body they leave to the Python functions.
cdef object _UNREAD = object()


cdef PyObject* _json_like_value(int native, const unsigned char* buf, Py_ssize_t pos, Py_ssize_t end,
                                int budget) except? NULL:
    """A new reference to the Value or Struct (``native``) in the body buf[pos:end], or NULL (no
    error) to leave it to the Python function."""
    value = _value_of(buf, pos, end, budget) if native == NATIVE_VALUE else _struct_of(buf, pos, end, budget)
    if value is _UNREAD:
        return NULL
    Py_INCREF_ptr(<PyObject*>value)
    return <PyObject*>value
