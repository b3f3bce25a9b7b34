# Packed runs, the encoder's loops over lists of numbers: a list (or tuple) of ints or floats,
# and a buffer of the field's item format (array.array, numpy, memoryview: ddl.Vector), written
# backwards as the rest of encode.pxi writes, then the run's length and tag. An item the fast
# loops do not take (a bool, an int subclass, a value out of range, anything else) goes through
# encode.pxi's _scalar, which writes it or raises the reference engine's error.

cdef extern from "ddl_packed.h":
    unsigned char* ddl_int_run(PyObject** items, Py_ssize_t* k, unsigned char* p, int64_t lo, int64_t hi)
    unsigned char* ddl_sint_run(PyObject** items, Py_ssize_t* k, unsigned char* p, int64_t lo, int64_t hi)

cdef extern from "ddl_vector.h":
    bint ddl_get_view(PyObject* v, Py_buffer* view)
    const char* ddl_array_items(PyObject* v, char code, Py_ssize_t size, Py_ssize_t* n)
    int ddl_array_fill(PyObject* v, const unsigned char* s, Py_ssize_t n, Py_ssize_t size) except -1


cdef PyTypeObject* _ARRAY_TYPE = <PyTypeObject*>_ARRAY


cdef bint _array_layout():
    """Whether ddl_array_items reads an array.array's items in this interpreter: a probe's
    address and length where its buffer_info() puts them, and nothing for another typecode."""
    probe = _ARRAY("d", [1.0, 2.0, 3.0])
    cdef Py_ssize_t n = -1
    cdef Py_ssize_t other = -1
    cdef const char* items = ddl_array_items(<PyObject*>probe, b'd', 8, &n)
    address, count = probe.buffer_info()
    return (items != NULL and <size_t>items == <size_t>address and n == count * 8
            and ddl_array_items(<PyObject*>probe, b'f', 4, &other) == NULL)


cdef bint _ARRAY_ITEMS = _array_layout()

cdef int _packed(Op* op, PyObject* seq, Out* o) except -1:
    """A packed run: each element's payload, then the run's length and tag."""
    cdef Py_ssize_t k, n = Py_SIZE_ptr(seq)
    cdef PyObject** items = PySequence_Fast_ITEMS_ptr(seq)
    cdef PyObject* item
    cdef Py_ssize_t mark = _written(o)
    cdef int kind = op.kind
    cdef double d = 0.0
    cdef unsigned char* p
    if op.closed_enum:
        for k in range(n):
            if Py_TYPE(items[k]) != <PyTypeObject*>op.enum_cls:
                bail()  # as in _value
    if kind == K_DOUBLE:
        _room(o, n * 8 + 24)
        o.pos -= n * 8
        p = o.pos
        # the floats first, in a loop of nothing else (one loop that also tests for ints ran
        # from 1.5 to 4 times slower, as the C compiler laid it out); from the first other item
        # on, every kind of item
        k = 0
        while k < n and Py_TYPE(items[k]) == &PyFloat_Type:
            d = PyFloat_AS_DOUBLE_ptr(items[k])
            memcpy(p + 8 * k, &d, 8)  # the host is little-endian (checked at import)
            k += 1
        while k < n:
            item = items[k]
            if Py_TYPE(item) == &PyFloat_Type:
                d = PyFloat_AS_DOUBLE_ptr(item)
            elif PyLong_Check_ptr(item):
                d = PyLong_AsDouble_ptr(item)
            else:
                bail()
            memcpy(p + 8 * k, &d, 8)
            k += 1
    elif kind <= K_SINT64:  # the integer varint kinds, not bool or enum
        _int_run(kind, items, n, o)
    else:
        for k in range(n - 1, -1, -1):
            _scalar(NULL, kind, items[k], o, False)
    _room(o, 24)
    _varint_back(o, <uint64_t>(_written(o) - mark))
    _tag_back(o, op.ptagword, op.ptaglen)
    return 0


cdef inline int _int_run(int kind, PyObject** items, Py_ssize_t n, Out* o) except -1:
    """The payloads of a packed run of an integer varint kind (not bool or enum): ddl_int_run
    writes each exact int in the kind's range, and any other item (a bool, a subclass, an
    IntEnum, an int out of range, not an int) goes through _scalar, which writes it as the
    reference engine does or bails."""
    cdef Py_ssize_t k = n - 1
    cdef int64_t lo = INT64_MIN, hi = INT64_MAX
    cdef bint zigzag = kind == K_SINT32 or kind == K_SINT64
    if kind == K_INT32 or kind == K_SINT32:
        lo, hi = -0x80000000, 0x7FFFFFFF
    elif kind == K_UINT32:
        lo, hi = 0, 0xFFFFFFFF
    elif kind == K_UINT64:
        lo = 0  # larger ones are not int64s: _scalar writes them
    _room(o, n * 10 + 24)
    while True:
        if zigzag:
            o.pos = ddl_sint_run(items, &k, o.pos, lo, hi)
        else:
            o.pos = ddl_int_run(items, &k, o.pos, lo, hi)
        if k < 0:
            return 0
        _scalar(NULL, kind, items[k], o, False)
        k -= 1


cdef int _packed_buffer(Op* op, PyObject* v, Out* o) except -1:
    """A buffer of numbers (an array.array, a numpy array, a memoryview) as a packed run. Only a
    one-dimensional, C-contiguous buffer of the kind's item format, whose export runs no Python
    code (ddl_c_buffer), is read here, and only while its view is held; any other bails, and the
    reference engine writes it or names what is wrong. A long run of fixed-width items is left
    to _result, its view held in ``o`` until then (or until _settle), unless it is an
    array.array, which is copied at once where that saves no copy (_fixed_run)."""
    cdef Py_buffer own
    # the view is taken where ``o`` would hold it, so that holding it is no copy
    cdef Py_buffer* view = &o.held[o.nheld] if o.nheld < HOLD_MAX else &own
    cdef Py_ssize_t n, k, mark
    cdef bint kept = False
    cdef int width = 8 if op.vcode == b'q' or op.vcode == b'Q' or op.vcode == b'd' else 4
    cdef const char* items
    if op.kind > K_ENUM and Py_TYPE(v) == _ARRAY_TYPE and _ARRAY_ITEMS:
        # An array.array of the kind's typecode is copied now, from its own struct, where
        # holding its view would save no copy (the block of a steady size, or a short run):
        # the export and its release took 7% of the vector workload's encode (130 -> 121 ns).
        items = ddl_array_items(v, op.vcode, width, &n)
        if items != NULL and (o.block or n < HOLD_MIN):
            return _fixed_run(op, items, n, o)
    if not ddl_c_buffer(v, _ARRAY_TYPE) or not ddl_get_view(v, view):
        bail()
    try:
        if not ddl_buffer_holds(view, op.vcode, width):
            bail()
        n = view.len
        if n == 0:
            return 0
        mark = _written(o)
        if op.kind > K_ENUM:
            # Fixed widths: the items' bytes are the run, since the wire's little-endian items
            # are the host's (checked at import). A long run is held, its place left unwritten,
            # and copied into the result only (_result); a short one is copied here.
            _room(o, n + 24)
            o.pos -= n
            if n >= HOLD_MIN and view != &own:
                o.held_at[o.nheld] = _written(o)
                o.nheld += 1
                kept = True
            else:
                ddl_copy(o.pos, <const unsigned char*>view.buf, n)
        else:
            n = n // width
            _room(o, n * 10 + 24)
            for k in range(n - 1, -1, -1):
                _varint_back(o, _buffer_varint(op.kind, <const unsigned char*>view.buf + k * width, width))
        _varint_back(o, <uint64_t>(_written(o) - mark))
        _tag_back(o, op.ptagword, op.ptaglen)
    finally:
        if not kept:
            PyBuffer_Release(view)
    return 0


cdef int _fixed_run(Op* op, const char* items, Py_ssize_t n, Out* o) except -1:
    """The packed run of the ``n`` bytes of fixed-width items at ``items``, copied now."""
    if n == 0:
        return 0
    _room(o, n + 24)
    o.pos -= n
    ddl_copy(o.pos, <const unsigned char*>items, n)
    _varint_back(o, <uint64_t>n)
    _tag_back(o, op.ptagword, op.ptaglen)
    return 0


cdef inline uint64_t _buffer_varint(int kind, const unsigned char* p, int width) noexcept:
    """The varint of one buffer item of a varint kind: its format matched the kind's typecode,
    so every value is in range (int32 and sint32 'i', uint32 'I', the 64-bit kinds 'q' or 'Q')."""
    cdef int32_t i32
    cdef int64_t i64
    cdef uint32_t u32
    cdef uint64_t u64
    if kind == K_UINT32:
        memcpy(&u32, p, 4)
        return u32
    if kind == K_UINT64:
        memcpy(&u64, p, 8)
        return u64
    if width == 4:
        memcpy(&i32, p, 4)
        i64 = i32
    else:
        memcpy(&i64, p, 8)
    if kind == K_SINT32 or kind == K_SINT64:
        return (<uint64_t>i64 << 1) ^ <uint64_t>(i64 >> 63)
    return <uint64_t>i64
