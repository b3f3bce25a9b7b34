# The compiled ddl.from_dict: a message from its proto3 JSON value held as plain Python values.
# The Python path reads such a value by the rules its text reader applies to json.loads's values
# (ddl/_json/_read.py), and the compiled text reader (json_read.pxi) follows that reader rule for
# rule. So this file walks the dicts and lists itself, taking a value of the usual exact type as
# it is (a str, a finite float, an int in its kind's range, a bool, a dict for a message, a list
# for a repeated field); any other value of a field (an enum's name, base64, a number in a
# string, a datetime's text, a well-known type...) is written as the JSON text that json.loads
# reads back as that value (_jplain: exact JSON types only) and read by the text reader, value
# by value. What the walk leaves (an unknown key, an Any at the top, a null where null is a
# value) is the whole value's JSON text read by the text reader, and what that leaves (a tuple,
# a subclass, a NaN, a key that is no str) is the Python path's, which decides every error.
#
# Python code can run while a message is made (a field's default_factory, a Decimal's
# conversion, a finalizer during an allocation) and change the value being read: every value
# is held (Cython's objects) while it is read, a list's length is read again at each item, and
# PyDict_Next reads a dict's current entries at each step.

cdef extern from "ddl_json_write.h":
    int ddl_json_str_utf8(JOut* o, PyObject* s, int quotes) except -1

cdef extern from "Python.h":
    int PyUnicode_KIND(object s)

from libc.stdint cimport uint16_t

cdef struct DictRead:
    bint ignore              # ignore_unknown_fields
    PyObject* registry       # the Any registry (a dict), or NULL; borrowed from the call


cdef enum:
    # Values nested deeper than this are read by the Python path (or found too deep by it).
    PLAIN_DEPTH_LIMIT = 256


cdef int _jplain(PyObject* v, JOut* o, int depth) except -1:
    """A JSON value held as plain Python values, as UTF-8 JSON text that json.loads reads back as
    the same value: an exact dict with str keys, list, str, int (within 64 bits), finite float,
    bool or None. Anything else (a tuple, a subclass, a NaN, a lone surrogate, deep nesting)
    bails. Runs no Python code and makes nothing the GC tracks: the value is read through
    borrowed pointers."""
    cdef PyTypeObject* t = Py_TYPE(v)
    cdef int64_t i = 0
    cdef uint64_t u = 0
    cdef double d
    cdef Py_ssize_t at = 0, k
    cdef PyObject* key
    cdef PyObject* x
    cdef bint first = True
    if t == &PyUnicode_Type:
        return bail() if ddl_json_str_utf8(o, v, 1) else 0  # 1: a lone surrogate, which UTF-8 lacks
    if v == ddl_none:
        return _jput(o, b"null", 4)
    if v == ddl_true:
        return _jput(o, b"true", 4)
    if v == ddl_false:
        return _jput(o, b"false", 5)
    if t == &PyLong_Type:
        ddl_jout_room(o, 24)
        if ddl_as_int64(v, &i) == 0:
            o.pos = ddl_json_i64(o.pos, i)
        elif ddl_as_uint64(v, &u) == 0:
            o.pos = ddl_json_u64(o.pos, u)
        else:
            bail()
        return 0
    if t == &PyFloat_Type:
        d = PyFloat_AS_DOUBLE_ptr(v)
        if not isfinite(d):
            bail()
        return ddl_json_double(o, d)
    if depth <= 0:
        bail()
    if t == &PyList_Type:
        _jput(o, b"[", 1)
        for k in range(Py_SIZE_ptr(v)):
            if k:
                _jput(o, b", ", 2)
            _jplain(PySequence_Fast_ITEMS_ptr(v)[k], o, depth - 1)
        return _jput(o, b"]", 1)
    if t != &PyDict_Type:
        bail()
    _jput(o, b"{", 1)
    while PyDict_Next_ptr(v, &at, &key, &x):
        if Py_TYPE(key) != &PyUnicode_Type:
            bail()
        if not first:
            _jput(o, b", ", 2)
        first = False
        _jplain(key, o, depth)
        _jput(o, b": ", 2)
        _jplain(x, o, depth - 1)
    return _jput(o, b"}", 1)


cdef Py_ssize_t _jplain_text(PyObject* v, JOut* o) except -1:
    """``v`` as JSON text (_jplain) in ``o``, with the NUL the text reader needs past its end:
    the text's length."""
    _jplain(v, o, PLAIN_DEPTH_LIMIT)
    ddl_jout_room(o, 1)
    o.pos[0] = 0  # the reader's end mark, past the text
    return o.pos - o.base


cdef enum:
    # _dr_text's what: one value, a repeated field's array, a map key.
    DR_ONE = 0
    DR_ARRAY = 1
    DR_KEY = 2


cdef object _dr_text(Op* op, object v, int budget, DictRead* r, int what):
    """``v`` read as a value of ``op`` by the text reader, from the JSON text json.loads reads
    back as ``v`` (bails where there is none)."""
    cdef char stack[256]
    cdef JOut o
    cdef JText t
    cdef unsigned char c
    cdef Py_ssize_t n
    ddl_jout_init(&o, stack, sizeof(stack), 0)
    try:
        n = _jplain_text(<PyObject*>v, &o)
        _jtext_start(&t, <const unsigned char*>o.base, n, r.ignore, None if r.registry == NULL else <object>r.registry)
        try:
            c = _jr_next(&t)
            if what == DR_ARRAY:
                if c != b'[':
                    bail()
                value = _jr_array(op, &t, budget, NULL)
            elif what == DR_KEY:
                value = _jr_key(op, &t)
            else:
                value = _jr_one(op, &t, c, budget)
            if ddl_json_ws(t.s, t.pos, t.end) != t.end:
                bail()
            return value
        finally:
            _jtext_end(&t)
    finally:
        ddl_jout_free(&o)


cdef bint _dr_unicode(object s) except -1:
    """Whether the str ``s`` is Unicode text, as the text reader requires of a string (its UTF-8
    is checked): no lone surrogate. A str of one-byte characters holds none."""
    cdef Py_ssize_t i, n
    cdef int kind = PyUnicode_KIND(s)
    cdef const uint16_t* u2
    cdef const uint32_t* u4
    if kind == 1:
        return True
    n = PyUnicode_GET_LENGTH(s)
    if kind == 2:
        u2 = <const uint16_t*>PyUnicode_DATA(s)
        for i in range(n):
            if 0xD800 <= u2[i] <= 0xDFFF:
                return False
        return True
    u4 = <const uint32_t*>PyUnicode_DATA(s)
    for i in range(n):
        if 0xD800 <= u4[i] <= 0xDFFF:
            return False
    return True


cdef bint _dr_digits(const char* s, Py_ssize_t n, int64_t* out) noexcept:
    """Whether s[:n] is an integer in plain digits as JSON writes one (``-?(0|[1-9][0-9]*)``) of
    at most 18 digits, in *out: the 64-bit kinds' usual string, which the Python reader's
    ``to_int`` reads as ``int()`` does. Anything else (a fraction, an exponent, more digits) is
    left to the text reader's rules."""
    cdef char zero = b'0', nine = b'9', minus = b'-'
    cdef bint negative = n > 0 and s[0] == minus
    cdef Py_ssize_t i = negative
    cdef int64_t x = 0
    if n - i < 1 or n - i > 18 or (n - i > 1 and s[i] == zero):
        return False
    while i < n:
        if s[i] < zero or s[i] > nine:
            return False
        x = 10 * x + (s[i] - zero)
        i += 1
    out[0] = -x if negative else x
    return True


cdef object _dr_one(Op* op, object v, int budget, DictRead* r):
    """One value of ``op`` (a field's, an element's or a map value): as it is when it has the
    type the Python reader takes inline (_read_source's converters), else through its text."""
    cdef int kind = op.kind
    cdef double d
    cdef int64_t i = 0, lo, hi
    cdef uint64_t u
    if kind == K_STRING:
        if type(v) is str and _dr_unicode(v):
            return v
    elif kind == K_MESSAGE and not op.native:
        if type(v) is dict:
            return _dr_message(op.sub, v, budget - 1, r)
    elif kind == K_DOUBLE or kind == K_FLOAT:
        if type(v) is float:
            d = PyFloat_AS_DOUBLE_ptr(<PyObject*>v)
            if kind == K_DOUBLE and isfinite(d):
                return v
            if kind == K_FLOAT and isfinite(d) and fabs(d) < FLOAT32_OVERFLOW:
                return PyFloat_FromDouble(<double><float>d)  # rounded to float32, as protobuf keeps it
    elif kind == K_BOOL:
        if v is True or v is False:
            return v
    elif _jint_kind(kind):
        _jint_range(kind, &lo, &hi)
        if type(v) is int:
            if kind == K_UINT64 or kind == K_FIXED64:
                if ddl_as_uint64(<PyObject*>v, &u) == 0:
                    return v
            elif ddl_as_int64(<PyObject*>v, &i) == 0 and lo <= i <= hi:
                return v
        elif (type(v) is str and PyUnicode_IS_ASCII(v)
                and _dr_digits(<const char*>PyUnicode_DATA(v), PyUnicode_GET_LENGTH(v), &i) and lo <= i <= hi):
            return PyLong_FromLongLong(i)
    return _dr_text(op, v, budget, r, DR_ONE)


cdef object _dr_vector(Op* op, object v, int budget, DictRead* r):
    """A ddl.Vector of floats or doubles from a list of exact finite floats (within a float's
    range for a float32 one), stored at the array's item width and copied into it at once, as
    _jr_vector does; any other value is read from its text by _jr_vector. No Python code runs
    while the items are read, so they are read in place."""
    cdef Py_ssize_t k, n
    cdef bint single = op.vcode == b'f'
    cdef double d
    cdef char* buf
    if type(v) is not list or not (op.kind == K_FLOAT or op.kind == K_DOUBLE):
        return _dr_text(op, v, budget, r, DR_ARRAY)
    n = Py_SIZE_ptr(<PyObject*>v)
    buf = <char*>PyMem_Malloc(max(n, 1) * (4 if single else 8))
    if buf == NULL:
        raise MemoryError()
    try:
        for k in range(n):
            item = PySequence_Fast_ITEMS_ptr(<PyObject*>v)[k]
            if Py_TYPE(item) != &PyFloat_Type:
                return _dr_text(op, v, budget, r, DR_ARRAY)
            d = PyFloat_AS_DOUBLE_ptr(item)
            if not isfinite(d) or (single and fabs(d) >= FLOAT32_OVERFLOW):
                return _dr_text(op, v, budget, r, DR_ARRAY)
            if single:
                (<float*>buf)[k] = <float>d
            else:
                (<double*>buf)[k] = d
        arr = _ARRAY(<object>op.vcodes)
        if n:
            _FROMBYTES(arr, PyMemoryView_FromMemory(buf, n * (4 if single else 8), PyBUF_READ))
        return arr
    finally:
        PyMem_Free(buf)


cdef object _dr_array(Op* op, object v, int budget, DictRead* r, PyObject* owner):
    """A repeated field's list, in the field's container (as _jr_array makes and links it)."""
    cdef Py_ssize_t k = 0
    cdef list items
    if op.container == FILL_ARRAY:
        return _dr_vector(op, v, budget, r)
    if type(v) is not list:
        bail()
    items = []
    while k < Py_SIZE_ptr(<PyObject*>v):
        item = <object>PySequence_Fast_ITEMS_ptr(<PyObject*>v)[k]
        if item is None and not op.jnull:
            bail()
        items.append(_dr_one(op, item, budget, r))
        k += 1
    if op.container == FILL_LIST:
        ddl_gc_tenure_after(<PyObject*>items, owner)
        return items
    if op.container == FILL_TUPLE:
        return tuple(items)
    if op.container == FILL_SET:
        return set(items)
    return frozenset(items)


cdef dict _dr_map(Op* op, object v, int budget, DictRead* r, PyObject* owner):
    """A map field's dict (as _jr_map makes and links it): a key converted to one given before
    bails."""
    cdef Py_ssize_t at = 0, size
    cdef PyObject* k
    cdef PyObject* x
    cdef dict entries = {}
    if type(v) is not dict:
        bail()
    while PyDict_Next_ptr(<PyObject*>v, &at, &k, &x):
        name = <object>k
        value = <object>x
        if type(name) is not str:
            bail()
        if op.key.kind == K_STRING:
            if not _dr_unicode(name):
                bail()
            key = name
        else:
            key = _dr_text(op.key, name, budget, r, DR_KEY)
        if value is None and not op.value.jnull:
            bail()
        value = _dr_one(op.value, value, budget, r)
        size = PyDict_GET_SIZE_ptr(<PyObject*>entries)
        entries[key] = value
        if PyDict_GET_SIZE_ptr(<PyObject*>entries) == size:
            bail()
    ddl_gc_tenure_held(<PyObject*>entries, owner)
    return entries


cdef inline int _dr_field(PyObject* raw, Op* op, object v, int budget, DictRead* r) except -1:
    """Read a field's value (not None) into its slot, as _jr_field does: 1 when the value may
    hold references, so that the instance stays tracked by the GC, else 0."""
    if op.repeated:
        value = _dr_array(op, v, budget, r, raw)
    elif op.kind == K_MAP:
        value = _dr_map(op, v, budget, r, raw)
    else:
        value = _dr_one(op, v, budget, r)
    if op.member >= 0 and ddl_slot(raw, op.offset) != NULL:
        bail()  # a second member of the oneof
    Py_INCREF_ptr(<PyObject*>value)
    ddl_set_slot(raw, op.offset, <PyObject*>value)
    return 0 if op.atomic else ddl_may_cycle(<PyObject*>value)


cdef object _dr_message(ProgC* p, object d, int budget, DictRead* r):
    """The message of the dict ``d``, as _jr_message reads its object: a key in either spelling,
    null as absence, absent fields filled as the binary decoder fills them. A key of no field (an
    unknown key, an extension's, an Any's "@type") bails: the text reader's."""
    cdef uint64_t seen[JSON_SEEN_WORDS]
    cdef uint64_t nulls[JSON_SEEN_WORDS]
    cdef bint nulled = False
    cdef bint cyclic = not p.untrack
    cdef uint64_t groups_read = 0
    cdef Py_ssize_t at = 0, index, w, expected = 0
    cdef PyObject* k
    cdef PyObject* x
    cdef Op* op
    if type(d) is not dict or budget < 0 or p.json_bail or p.jany or p.nops > JSON_MAX_OPS:
        bail()
    memset(seen, 0, sizeof(seen))
    cdef PyObject* raw = ddl_alloc_untracked(p.cls)  # tracked at the end, as the text reader's
    if raw == NULL:
        raise MemoryError()
    obj = <object>raw
    Py_DECREF_ptr(raw)  # ``obj`` holds the reference from here on, released if anything fails
    if p.tracked_first:
        ddl_gc_tenure(raw)  # before what it holds, as the binary decoder links it (decode.pxi)
    while PyDict_Next_ptr(<PyObject*>d, &at, &k, &x):
        key = <object>k
        value = <object>x
        if type(key) is not str or not PyUnicode_IS_ASCII(key):
            bail()
        index = _jr_find(p, <const unsigned char*>PyUnicode_DATA(key), PyUnicode_GET_LENGTH(key), expected)
        if index < 0 or seen[index >> 6] & (<uint64_t>1 << (index & 63)):
            bail()  # a key of no field, or a field again (in the other spelling)
        seen[index >> 6] |= <uint64_t>1 << (index & 63)
        expected = index + 1
        op = &p.ops[index]
        if value is None and not (op.jnull and op.native == NATIVE_VALUE_MESSAGE and op.member < 0 and not op.group):
            if op.jnull:
                bail()  # null as a value of a union member or of typing.Any: the Python reader's
            if not nulled:
                memset(nulls, 0, sizeof(nulls))
                nulled = True
            nulls[index >> 6] |= <uint64_t>1 << (index & 63)
            continue
        if op.group:
            if groups_read & op.group:
                bail()  # a second member of a ddl.field(oneof=...) group
            groups_read |= op.group
        if _dr_field(raw, op, value, budget, r):
            cyclic = True
    if nulled:  # a field given as null is absent: filled with the others
        for w in range((p.nops + 63) >> 6):
            seen[w] &= ~nulls[w]
    if _jr_absent(raw, p, seen, cyclic, budget):
        cyclic = True
    Py_INCREF_ptr(ddl_none)
    ddl_set_slot(raw, p.unknown_offset, ddl_none)
    if cyclic and not ddl_gc_is_tracked(raw):
        ddl_gc_tenure(raw)
    return obj


def from_dict(obj, cls, bint ignore_unknown_fields=False, registry=None):
    """``ddl.from_dict(obj, cls)``'s message, or None when the Python path must read it (see the
    top of this file)."""
    return _from_dict(obj, cls, ignore_unknown_fields, registry)


cdef object _from_dict(object obj, object cls, bint ignore_unknown_fields, object registry):
    """from_dict, called by ddl.from_dict's entry point without a lookup of the name."""
    cdef DictRead r
    cdef ProgC* p
    if type(obj) is not dict:
        return None
    try:
        program = _program_for(cls)
        if program is None:
            return None
        p = &(<Program>program).c
        if type(registry) is not dict:
            registry = None  # another mapping is the Python reader's to look into: an Any bails
        r.ignore = ignore_unknown_fields
        r.registry = NULL if registry is None else <PyObject*>registry
        try:
            msg = _dr_message(p, obj, min(DEFAULT_MAX_DEPTH, C_DEPTH_LIMIT), &r)
        except Bail:
            msg = _from_text(p, obj, ignore_unknown_fields, registry)
        return _json_complete(p, msg)
    except Exception:
        return None


cdef object _from_text(ProgC* p, object obj, bint ignore_unknown_fields, object registry):
    """The message of ``obj``'s JSON text, read by the text reader: for a value the walk leaves."""
    cdef char stack[2048]
    cdef JOut o
    cdef Py_ssize_t n
    cdef bint paused
    ddl_jout_init(&o, stack, sizeof(stack), p.jsize_hint)
    try:
        n = _jplain_text(<PyObject*>obj, &o)
        paused = n > GC_PAUSE_BYTES  # as _json_read pauses for a text this long
        if paused:
            _gc_pause()
        try:
            return _json_read_text(p, <const unsigned char*>o.base, n, ignore_unknown_fields, registry)
        finally:
            if paused:
                _gc_resume()
    finally:
        ddl_jout_free(&o)
