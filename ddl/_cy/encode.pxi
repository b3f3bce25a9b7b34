# Encoding writes backwards, from the end of the buffer towards its start, as upb does: a
# nested message is written before its length, which is then known, so no body is ever moved.
# Fields, repeated elements and map entries are visited in reverse, so the bytes come out in
# the same order as the reference engine's. The buffer they are written into is encode_out.pxi's.

from libc.stdint cimport INT64_MAX, INT64_MIN

cdef extern from "ddl_cpython.h":
    bint ddl_exact_int64(PyObject* v, int64_t* out)

cdef extern from "ddl_compat.h":
    void DDL_PREFETCH(const void* p) nogil


cdef int _scalar(Op* op, int kind, PyObject* v, Out* o, bint skip_zero) except -1:
    """One scalar payload, and its tag unless ``op`` is NULL (a packed element). Returns 1 when
    a zero was skipped. Anything the reference engine would reject bails."""
    cdef int64_t i = 0
    cdef uint64_t u = 0
    cdef uint32_t u32
    cdef double d = 0.0
    cdef float f
    cdef const char* s
    cdef Py_ssize_t n
    _room(o, 24)
    if kind <= K_ENUM:
        if kind == K_BOOL:
            if v == ddl_true:
                u = 1
            elif v == ddl_false:
                u = 0
            else:
                bail()
        else:
            if not PyLong_Check_ptr(v):
                bail()
            if kind == K_UINT64:
                if ddl_as_uint64(v, &u):
                    bail()
            else:
                if ddl_as_int64(v, &i):
                    bail()
                if kind == K_INT64:
                    u = <uint64_t>i
                elif kind == K_INT32 or kind == K_ENUM:
                    if i < -0x80000000 or i > 0x7FFFFFFF:
                        bail()
                    u = <uint64_t>i
                elif kind == K_UINT32:
                    if i < 0 or i > 0xFFFFFFFF:
                        bail()
                    u = <uint64_t>i
                elif kind == K_SINT32:
                    if i < -0x80000000 or i > 0x7FFFFFFF:
                        bail()
                    u = (<uint64_t>i << 1) ^ <uint64_t>(i >> 63)
                else:
                    u = (<uint64_t>i << 1) ^ <uint64_t>(i >> 63)
        if skip_zero and u == 0:
            return 1
        _varint_back(o, u)
    elif kind == K_FLOAT or kind == K_DOUBLE:
        if Py_TYPE(v) == &PyFloat_Type:
            d = PyFloat_AS_DOUBLE_ptr(v)
        elif PyLong_Check_ptr(v):
            d = PyLong_AsDouble_ptr(v)
        else:
            bail()
        if skip_zero and d == 0.0 and not signbit(d):
            return 1
        if kind == K_DOUBLE:
            o.pos -= 8
            memcpy(o.pos, &d, 8)  # the host is little-endian (checked at import)
        else:
            if isfinite(d) and (d > FLT_MAX or d < -FLT_MAX):
                bail()
            f = <float>d
            o.pos -= 4
            memcpy(o.pos, &f, 4)
    elif kind <= K_SFIXED64:
        if not PyLong_Check_ptr(v):
            bail()
        if kind == K_FIXED64:
            if ddl_as_uint64(v, &u):
                bail()
        else:
            if ddl_as_int64(v, &i):
                bail()
            if kind == K_FIXED32 and (i < 0 or i > 0xFFFFFFFF):
                bail()
            if kind == K_SFIXED32 and (i < -0x80000000 or i > 0x7FFFFFFF):
                bail()
            u = <uint64_t>i
        if skip_zero and u == 0:
            return 1
        if kind <= K_FLOAT:
            u32 = <uint32_t>u
            o.pos -= 4
            memcpy(o.pos, &u32, 4)
        else:
            o.pos -= 8
            memcpy(o.pos, &u, 8)
    elif kind == K_STRING:
        if Py_TYPE(v) != &PyUnicode_Type:
            bail()
        s = ddl_utf8(v, &n)
        if skip_zero and n == 0:
            return 1
        _room(o, n + 24)
        o.pos -= n
        ddl_copy(o.pos, <const unsigned char*>s, n)
        _varint_back(o, <uint64_t>n)
    else:  # K_BYTES
        if Py_TYPE(v) != &PyBytes_Type:
            bail()
        n = PyBytes_GET_SIZE_ptr(v)
        if skip_zero and n == 0:
            return 1
        _room(o, n + 24)
        o.pos -= n
        ddl_copy(o.pos, <const unsigned char*>PyBytes_AS_STRING_ptr(v), n)
        _varint_back(o, <uint64_t>n)
    if op != NULL:
        _tag_back(o, op.tagword, op.taglen)
    return 0


cdef int _value(Op* op, PyObject* v, Out* o, int budget, bint det, bint skip_zero) except -1:
    """One value of ``op`` with its tag; ``skip_zero`` leaves out proto3's implicit zero."""
    cdef Py_ssize_t mark
    cdef unsigned char raw[16]
    cdef int kind = op.kind
    if kind <= K_BYTES:
        if op.closed_enum and Py_TYPE(v) != <PyTypeObject*>op.enum_cls:
            bail()  # an int may be a number the enum has not: the reference engine checks it
        _scalar(op, kind, v, o, skip_zero)
    elif kind == K_MESSAGE and op.etaglen:
        # A group: written backwards, its end-group tag, the body, its start-group tag.
        _room(o, 24)
        _tag_back(o, op.etagword, op.etaglen)
        _encode(op.sub, v, o, budget - 1, det)
        _room(o, 24)
        _tag_back(o, op.tagword, op.taglen)
    elif kind == K_MESSAGE:
        _submessage(op, v, o, budget, det)
    elif kind == K_CONVERTED and op.native == NATIVE_UUID and _uuid_bytes(v, raw):
        _room(o, 40)
        o.pos -= 16
        memcpy(o.pos, raw, 16)
        _varint_back(o, 16)
        _tag_back(o, op.tagword, op.taglen)
    elif kind == K_CONVERTED and op.native == NATIVE_DECIMAL and (text := _decimal_text(v)) is not None:
        _scalar(op, K_STRING, <PyObject*>text, o, False)
    elif kind == K_CONVERTED:
        wire = (<object>op.fn_encode)(<object>v)
        if op.base == K_STRING:
            if type(wire) is not str:
                bail()
        elif type(wire) is not bytes:
            bail()
        _scalar(op, op.base, <PyObject*>wire, o, False)
    else:  # K_HELPER
        if op.inner != NULL and budget >= 1:
            # A wrapper message (a nested container, an optional, a union): its one field's
            # value is the value itself.
            mark = _written(o)
            _wrapper_body(op, v, o, budget - 1, det)
            _room(o, 24)
            _varint_back(o, <uint64_t>(_written(o) - mark))
            _tag_back(o, op.tagword, op.taglen)
            return 0
        if (op.native == NATIVE_TIMESTAMP or op.native == NATIVE_DURATION or op.native == NATIVE_DATE) and budget >= 1:
            mark = _written(o)
            if _time_body(op.native, v, o):
                _room(o, 24)
                _varint_back(o, <uint64_t>(_written(o) - mark))
                _tag_back(o, op.tagword, op.taglen)
                return 0
        if (op.native == NATIVE_VALUE or op.native == NATIVE_STRUCT) and budget >= 1:
            mark = _written(o)
            if _json_like_back(op.native, v, o, budget - 1, det):
                _room(o, 24)
                _varint_back(o, <uint64_t>(_written(o) - mark))
                _tag_back(o, op.tagword, op.taglen)
                return 0
        if not PyObject_IsInstance_ptr(v, op.types):
            bail()
        body = bytearray()
        (<object>op.fn_encode)(<object>v, body, budget - 1, det)
        _room(o, len(body) + 24)
        o.pos -= len(body)
        memcpy(o.pos, <const char*>body, len(body))
        _varint_back(o, <uint64_t>len(body))
        _tag_back(o, op.tagword, op.taglen)
    return 0


cdef int _wrapper_body(Op* op, PyObject* v, Out* o, int budget, bint det) except -1:
    """The body of a wrapper message (``op.inner``), whose one field holds ``v``: written as a
    message's field is, and a union's value by the member its exact type picks (the last one,
    as the Python engine's table picks). None is absence where the field has presence; anything
    else bails."""
    cdef Op* inner = op.inner
    cdef int m
    if inner.enc != ENC_MEMBER:
        return _field(inner, v, o, budget, det)
    if v == ddl_none:
        return 0 if inner.presence else bail()
    for m in range(op.ninner - 1, -1, -1):
        if ddl_tuple_has(inner[m].select, <PyObject*>Py_TYPE(v)):
            return _value(&inner[m], v, o, budget, det, False)
    return bail()


cdef inline int _submessage(Op* op, PyObject* v, Out* o, int budget, bint det) except -1:
    """A length-prefixed message with its tag: the body first, then its length, now known."""
    cdef Py_ssize_t mark = _written(o)
    cdef unsigned char* p
    _encode(op.sub, v, o, budget - 1, det)
    _room(o, 24)
    p = o.pos
    o.pos = _tag_at(_varint_at(p, <uint64_t>((o.end - p) - mark)), op.tagword, op.taglen)
    return 0


cdef inline int _element(Op* op, PyObject* v, Out* o, int budget, bint det) except -1:
    """One value with its tag, always written (a repeated element, a map key or value); the
    commonest kinds without a call."""
    if op.kind == K_MESSAGE and not op.etaglen:
        return _submessage(op, v, o, budget, det)
    if _quick_scalar(op, v, o, False):
        return 0
    return _value(op, v, o, budget, det, False)


cdef int _map(Op* op, PyObject* v, Out* o, int budget, bint det) except -1:
    """Map entries always carry both key and value, as protobuf's own writers do."""
    cdef Py_ssize_t k, n, mark, at = 0
    cdef PyObject* small[64]
    cdef PyObject** pairs = small
    cdef PyObject* entry
    cdef unsigned char* p
    cdef bint owned = False
    if Py_TYPE(v) != &PyDict_Type:
        bail()
    n = PyDict_GET_SIZE_ptr(v)
    if n == 0:
        return 0
    if det:
        # Sorting compares keys, which may run Python code (an int subclass's __lt__): the
        # sorted list owns its entries, and its length is the count, whatever the dict does.
        # Like the reference engine, this snapshot is what is written even if the dict changes.
        ordered = sorted((<dict>v).items(), key=_first)
        n = len(ordered)
    if n > 32:
        pairs = <PyObject**>PyMem_Malloc(2 * n * sizeof(PyObject*))
        if pairs == NULL:
            raise MemoryError()
    if det:
        for k in range(n):
            entry = PyList_GET_ITEM_ptr(<PyObject*>ordered, k)
            pairs[2 * k] = PyTuple_GET_ITEM_ptr(entry, 0)
            pairs[2 * k + 1] = PyTuple_GET_ITEM_ptr(entry, 1)
    else:
        # No Python code runs while PyDict_Next walks the dict. When writing an entry can run
        # some (a converted value, a helper, a loud message), it may empty the dict: the
        # pointers are then owned until the last entry is written.
        k = 0
        while k < n and PyDict_Next_ptr(v, &at, &pairs[2 * k], &pairs[2 * k + 1]):
            k += 1
        n = k
        owned = not (op.key.quiet and op.value.quiet)
        if owned:
            for k in range(2 * n):
                Py_INCREF_ptr(pairs[k])
    try:
        for k in range(n - 1, -1, -1):
            mark = _written(o)
            _element(op.value, pairs[2 * k + 1], o, budget, det)
            _element(op.key, pairs[2 * k], o, budget, det)
            _room(o, 24)
            p = o.pos
            o.pos = _tag_at(_varint_at(p, <uint64_t>((o.end - p) - mark)), op.tagword, op.taglen)
    finally:
        if owned:
            for k in range(2 * n):
                Py_DECREF_ptr(pairs[k])
        if pairs != small:
            PyMem_Free(pairs)
    return _unchanged(v, n) if owned else 0


cdef int _unchanged(PyObject* container, Py_ssize_t n) except -1:
    """Bail if Python code run while writing a dict's or a set's snapshot changed its size: the
    reference engine then writes what it holds now (or reports the change, as Python's own
    iteration does), rather than bytes of entries it no longer has."""
    if len(<object>container) != n:
        bail()
    return 0


def _first(item):
    return item[0]


cdef inline int _repeated(Op* op, PyObject* v, Out* o, int budget, bint det) except -1:
    cdef Py_ssize_t k, n
    cdef PyObject** items
    cdef PyTypeObject* t = Py_TYPE(v)
    if det and (op.container == FILL_SET or op.container == FILL_FROZENSET):
        bail()  # sorting set elements is the reference engine's business
    if t == &PyList_Type or t == &PyTuple_Type:
        if Py_SIZE_ptr(v) == 0:
            return 0
        seq = <object>v
    elif op.container == FILL_SET or op.container == FILL_FROZENSET:
        if not isinstance(<object>v, (set, frozenset)):
            bail()
        if not <object>v:
            return 0
        seq = list(<object>v)  # a snapshot: the set may change while its elements are written
    elif op.vcode and op.write_packed:
        return _packed_buffer(op, v, o)
    else:
        bail()
    if op.write_packed:
        return _packed(op, <PyObject*>seq, o)
    n = Py_SIZE_ptr(<PyObject*>seq)
    if t == &PyList_Type and not op.quiet:
        return _loud_list(op, v, n, o, budget, det)
    # Quiet values run no Python code, and a tuple, or the snapshot of a set, owns its items:
    # they are read through borrowed pointers.
    items = PySequence_Fast_ITEMS_ptr(<PyObject*>seq)
    for k in range(n - 1, -1, -1):
        if k:
            DDL_PREFETCH(items[k - 1])
        _element(op, items[k], o, budget, det)
    return _unchanged(v, n) if <PyObject*>seq != v and not op.quiet else 0


cdef int _loud_list(Op* op, PyObject* v, Py_ssize_t n, Out* o, int budget, bint det) except -1:
    """A list whose elements can run Python code as they are written (a converted value's
    __str__, a tzinfo, another thread), which may change the list: each element is read afresh
    and owned while it is written, and a list that changed size goes to the reference engine."""
    cdef Py_ssize_t k
    cdef object item
    for k in range(n - 1, -1, -1):
        if Py_SIZE_ptr(v) != n:
            bail()
        item = <object>PyList_GET_ITEM_ptr(v, k)
        _element(op, <PyObject*>item, o, budget, det)
    return 0


cdef inline bint _int_fits(int kind, int64_t i) noexcept:
    """Whether an int64 is in the range of an integer kind (not bool or enum)."""
    if kind == K_INT32 or kind == K_SINT32 or kind == K_SFIXED32:
        return -0x80000000 <= i <= 0x7FFFFFFF
    if kind == K_UINT32 or kind == K_FIXED32:
        return 0 <= i <= 0xFFFFFFFF
    if kind == K_UINT64 or kind == K_FIXED64:
        return i >= 0  # larger ones are not int64s: _scalar writes them
    return True


cdef inline int _quick_scalar(Op* op, PyObject* v, Out* o, bint skip_zero) except -1:
    """``_scalar`` for the commonest values, inline: a str, bytes, a float of double or float, a
    bool, and an int (not a subclass) of an integer kind within its range. Returns 1 when the
    value was written (or was a zero skipped), 0 when it is left to ``_value``, which writes it
    or bails on anything else."""
    cdef int64_t i
    cdef uint64_t u
    cdef uint32_t u32
    cdef double d
    cdef float f
    cdef const char* s
    cdef Py_ssize_t n
    cdef unsigned char* p
    cdef int kind = op.kind
    cdef PyTypeObject* t = Py_TYPE(v)
    if kind == K_STRING and t == &PyUnicode_Type:
        s = ddl_utf8(v, &n)
        if n or not skip_zero:
            _room(o, n + 24)
            p = o.pos - n
            ddl_copy(p, <const unsigned char*>s, n)
            o.pos = _tag_at(_varint_at(p, <uint64_t>n), op.tagword, op.taglen)
        return 1
    if kind == K_BYTES and t == &PyBytes_Type:
        n = PyBytes_GET_SIZE_ptr(v)
        if n or not skip_zero:
            _room(o, n + 24)
            p = o.pos - n
            ddl_copy(p, <const unsigned char*>PyBytes_AS_STRING_ptr(v), n)
            o.pos = _tag_at(_varint_at(p, <uint64_t>n), op.tagword, op.taglen)
        return 1
    if (t == &PyLong_Type and kind <= K_SFIXED64 and kind != K_BOOL and kind != K_ENUM and kind != K_FLOAT
            and ddl_as_int64(v, &i) == 0 and _int_fits(kind, i)):
        if i == 0 and skip_zero:
            return 1
        _room(o, 24)
        if kind <= K_SINT64:
            u = <uint64_t>i
            if kind == K_SINT32 or kind == K_SINT64:
                u = (u << 1) ^ <uint64_t>(i >> 63)
            p = _varint_at(o.pos, u)
        elif kind <= K_SFIXED32:
            u32 = <uint32_t>i
            p = o.pos - 4
            memcpy(p, &u32, 4)
        else:
            p = o.pos - 8
            memcpy(p, &i, 8)
        o.pos = _tag_at(p, op.tagword, op.taglen)
        return 1
    if (kind == K_DOUBLE or kind == K_FLOAT) and t == &PyFloat_Type:
        d = PyFloat_AS_DOUBLE_ptr(v)
        if skip_zero and d == 0.0 and not signbit(d):
            return 1
        _room(o, 24)
        if kind == K_DOUBLE:
            p = o.pos - 8
            memcpy(p, &d, 8)  # the host is little-endian (checked at import)
        else:
            if isfinite(d) and (d > FLT_MAX or d < -FLT_MAX):
                bail()
            f = <float>d
            p = o.pos - 4
            memcpy(p, &f, 4)
        o.pos = _tag_at(p, op.tagword, op.taglen)
        return 1
    if kind == K_BOOL and (v == ddl_true or v == ddl_false):
        if v == ddl_true or not skip_zero:
            _room(o, 24)
            p = o.pos - 1
            p[0] = v == ddl_true
            o.pos = _tag_at(p, op.tagword, op.taglen)
        return 1
    return 0


cdef inline int _implicit(Op* op, PyObject* v, Out* o) except -1:
    """A scalar field without presence, left out when it is proto3's zero."""
    if v == op.zero:
        return 0  # the zero itself, as defaults hold it: the commonest value of such fields
    if not _quick_scalar(op, v, o, True):
        _scalar(op, op.kind, v, o, True)
    return 0


cdef inline int _field(Op* op, PyObject* v, Out* o, int budget, bint det) except -1:
    """One field's value (a slot's content), with its tags, or nothing when it is absent."""
    cdef int enc = op.enc
    if enc == ENC_IMPLICIT:
        return _implicit(op, v, o)
    if enc == ENC_OPTIONAL:
        if v == ddl_none:
            return 0
        return _element(op, v, o, budget, det)
    if enc == ENC_REPEATED:
        return _repeated(op, v, o, budget, det)
    if enc == ENC_MAP:
        return _map(op, v, o, budget, det)
    if enc == ENC_MEMBER:
        if v == ddl_none:
            if not op.presence:
                bail()
        elif ddl_tuple_has(op.select, <PyObject*>Py_TYPE(v)):
            _value(op, v, o, budget, det, False)
        elif not ddl_tuple_has(op.union_types, <PyObject*>Py_TYPE(v)):
            bail()  # a subclass, or a value no member takes: the reference engine picks
        return 0
    if v == ddl_none:
        if op.required or (not op.presence and op.skip != SKIP_NONE):
            bail()
        return 0
    if op.skip == SKIP_EMPTY_DICT and not op.presence and Py_TYPE(v) == &PyDict_Type and PyDict_GET_SIZE_ptr(v) == 0:
        return 0
    return _value(op, v, o, budget, det, False)


cdef int _held_field(Op* op, PyObject* v, Out* o, int budget, bint det) except -1:
    """``_field`` for a value whose writing can run Python code, which may assign the slot and
    so free the value: it is owned until written."""
    cdef object held = <object>v
    return _field(op, <PyObject*>held, o, budget, det)


cdef int _encode(ProgC* p, PyObject* obj, Out* o, int budget, bint det) except -1:
    cdef Py_ssize_t k, n
    cdef Op* op
    cdef PyObject* v
    cdef PyObject* unknown
    cdef uint64_t groups_set = 0  # the oneof groups a member was found set of (Op.group bits)
    if budget < 0 or Py_TYPE(obj) != p.cls:
        bail()
    unknown = ddl_slot(obj, p.unknown_offset)
    if unknown == NULL:
        bail()
    if unknown != ddl_none:
        if Py_TYPE(unknown) != &PyBytes_Type:
            bail()
        n = PyBytes_GET_SIZE_ptr(unknown)
        _room(o, n)
        o.pos -= n
        ddl_copy(o.pos, <const unsigned char*>PyBytes_AS_STRING_ptr(unknown), n)
    # The instance's line is at hand (its type was just read); the objects its slots point to
    # are each a miss of their own, asked for together rather than one after the other.
    for k in range(p.nahead):
        DDL_PREFETCH(ddl_slot(obj, p.ahead[k]))
    for k in range(p.nops - 1, -1, -1):
        op = &p.ops[k]
        v = ddl_slot(obj, op.offset)
        if v == ddl_none and op.enc == ENC_OPTIONAL:
            continue  # absent: the commonest case, as a oneof group's other members are
        if v == NULL:
            bail()  # an unset slot (a deleted attribute): the reference engine says so
        if op.group and v != ddl_none:
            if groups_set & op.group:
                bail()  # two members of a oneof group set: the reference engine reports it
            groups_set |= op.group
        if op.quiet:
            _field(op, v, o, budget, det)
        else:
            if o.nheld:
                _settle(o)
            _held_field(op, v, o, budget, det)
    return 0


cdef object _encode_bytes(ProgC* p, object obj, int budget, bint det):
    cdef unsigned char stack[ENCODE_STACK]
    cdef Out o
    cdef Py_ssize_t hint = p.size_hint
    cdef Py_ssize_t size
    o.heap = False
    o.block = False
    if p.size_steady and hint:  # (an empty message is the empty bytes, which Python shares)
        # The last two messages of the class had the same size: this one is written into the
        # block of a bytes object of that size, and is that object when it has it too (the
        # vector, numbers and trees of a fixed shape), with no copy at all.
        o.base = ddl_bytes_block(hint)
        o.block = o.base != NULL
    if o.block:
        o.end = o.base + DDL_BYTES_HEAD + hint
    elif hint > ENCODE_STACK:
        # Messages of a class tend to have similar sizes: starting at the last one's size saves
        # the copies of growing the buffer step by step.
        o.base = <unsigned char*>PyMem_Malloc(hint + hint // 8)
        if o.base == NULL:
            raise MemoryError()
        o.end = o.base + hint + hint // 8
        o.heap = True
    else:
        o.base = stack
        o.end = stack + ENCODE_STACK
    o.pos = o.end
    o.nheld = 0
    try:
        _encode(p, <PyObject*>obj, &o, min(budget, C_DEPTH_LIMIT), det)
        size = o.end - o.pos
        p.size_steady = size == hint
        p.size_hint = size
        return _result(&o)
    finally:
        _release(&o)
        if o.heap:
            PyMem_Free(o.base)
        if o.block:
            PyObject_Free(o.base)
