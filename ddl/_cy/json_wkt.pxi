# JSON of the messages whose form is not an object of their fields (json_natives.pxi dispatches
# here on Op.native and Op.inner): ddl.wkt's wrappers as their one field's value, FieldMask as
# one string, Value and ListValue as the JSON value they hold, and ddl's own wrapper messages
# (``list[list[T]]``, ``list[T | None]``, ``dict[K, A | B]``...) as the object of their one field.
# Each follows the Python path's rule (ddl/_json/_write_wkt.py, _read_wkt.py, _write_values.py's
# ``_wrapper``) for the values it takes and leaves every other value or text to it.

# -- writing ---------------------------------------------------------------------------------------

cdef int _jwrapped(Op* op, PyObject* v, JOut* o, int depth, int flags) except -1:
    """The value of a wrapper message (``list[list[float]]``'s inner lists, ``list[int | None]``'s
    items, ``dict[str, int | str]``'s values) as that message's JSON object, the Python path's
    ``_wrapper``: its one field under its key, as a message writes it (``{}`` for an empty or
    absent one, unless always_print_fields_with_no_presence); a union's value under the key of
    the member its exact type picks."""
    cdef Op* inner = op.inner
    cdef bint first = True
    cdef int m
    if depth <= 0:
        bail()
    _jput(o, b"{", 1)
    if inner.enc != ENC_MEMBER:
        _jfield(inner, v, o, depth - 1, flags, &first)
    elif v != ddl_none:
        for m in range(op.ninner - 1, -1, -1):
            if ddl_tuple_has(inner[m].select, <PyObject*>Py_TYPE(v)):
                _jkey(&inner[m], o, flags, &first)
                _jvalue(&inner[m], v, o, depth - 1, flags)
                break
        else:
            bail()  # a subclass, or a value no member takes: the Python path's error
    elif not inner.presence:
        bail()
    return _jput(o, b"}", 1)


cdef int _jwrapper(ProgC* p, PyObject* v, JOut* o, int flags) except -1:
    """A wrapper (``ddl.wkt.Int32Value``...) as its one field's value, written as that scalar
    field's is (``_write_wkt._wrapper``: the same conversion); one of another class, or holding
    unknown fields, bails."""
    cdef PyObject* x
    if Py_TYPE(v) != p.cls or ddl_slot(v, p.unknown_offset) != ddl_none:
        bail()
    x = ddl_slot(v, p.ops[0].offset)
    if x == NULL:
        bail()
    return _jscalar(&p.ops[0], x, o, flags)


cdef int _jfield_mask(ProgC* p, PyObject* v, JOut* o) except -1:
    """A FieldMask as ``_write_wkt._field_mask`` writes it: its paths in lowerCamelCase, joined by
    commas, in one string. Only paths of ASCII characters that JSON writes as they are, and that
    read back to themselves (no capital, each '_' before a lowercase letter), are written here;
    any other path, a FieldMask of another class or holding unknown fields, bails."""
    cdef PyObject* paths
    cdef PyObject* path
    cdef PyObject** items
    cdef Py_ssize_t k, i, n
    cdef const unsigned char* s
    cdef unsigned char c
    cdef bint after_underscore
    if Py_TYPE(v) != p.cls or ddl_slot(v, p.unknown_offset) != ddl_none:
        bail()
    paths = ddl_slot(v, p.ops[0].offset)
    if paths == NULL or Py_TYPE(paths) != &PyList_Type:
        bail()
    _jput(o, b'"', 1)
    items = PySequence_Fast_ITEMS_ptr(paths)
    for k in range(Py_SIZE_ptr(paths)):
        path = items[k]
        if Py_TYPE(path) != &PyUnicode_Type or not PyUnicode_IS_ASCII(<object>path):
            bail()
        n = PyUnicode_GET_LENGTH(<object>path)
        s = <const unsigned char*>PyUnicode_DATA(<object>path)
        ddl_jout_room(o, n + 2)
        if k:
            o.pos[0] = b','
            o.pos += 1
        after_underscore = False
        for i in range(n):
            c = s[i]
            if c < 0x20 or c == b'"' or c == b'\\' or b'A' <= c <= b'Z':
                bail()  # an escape to write, or a capital that cannot read back: the Python path's
            if after_underscore:
                if not b'a' <= c <= b'z':
                    bail()
                o.pos[0] = c - 32  # its capital
                o.pos += 1
                after_underscore = False
            elif c == b'_':
                after_underscore = True
            else:
                o.pos[0] = c
                o.pos += 1
        if after_underscore:
            bail()
    return _jput(o, b'"', 1)


cdef int _jvalue_message(ProgC* p, PyObject* v, JOut* o, int depth) except -1:
    """A ``ddl.wkt.Value`` as the JSON value it holds (``_write_wkt._value``): null for no kind
    or the null value, a ListValue as its array, anything else as ``typing.Any`` is written
    (``_jnative``, which bails on a float that is not finite, as the Python path refuses it).
    One of another class, or holding unknown fields, bails."""
    cdef PyObject* kind
    cdef PyTypeObject* t
    cdef Py_ssize_t m
    if Py_TYPE(v) != p.cls or ddl_slot(v, p.unknown_offset) != ddl_none:
        bail()
    kind = ddl_slot(v, p.ops[0].offset)  # the one slot of the oneof ``kind``
    if kind == NULL:
        bail()
    if kind == ddl_none:
        return _jput(o, b"null", 4)
    t = Py_TYPE(kind)
    for m in range(p.nops):  # the members of a class, which the JSON types below are not
        if p.ops[m].kind == K_ENUM and t == <PyTypeObject*>p.ops[m].enum_cls:
            return _jput(o, b"null", 4)  # NullValue.NULL_VALUE
        if p.ops[m].kind == K_MESSAGE and t == p.ops[m].sub.cls:
            return _jlist_value(p.ops[m].sub, kind, o, depth - 1)
    return _jnative(kind, o, depth)


cdef int _jlist_value(ProgC* p, PyObject* v, JOut* o, int depth) except -1:
    """A ``ddl.wkt.ListValue`` as its array (``_write_wkt._list_value``)."""
    cdef PyObject* values
    if depth <= 0 or Py_TYPE(v) != p.cls or ddl_slot(v, p.unknown_offset) != ddl_none:
        bail()
    values = ddl_slot(v, p.ops[0].offset)
    if values == NULL or Py_TYPE(values) != &PyList_Type:
        bail()
    return _jnative(values, o, depth)


# -- reading ---------------------------------------------------------------------------------------

cdef object _jr_wrapped(Op* op, JText* t, int budget):
    """A wrapper message's value from its JSON object, as the Python reader of the wrapper reads
    it: ``{}`` (the field absent), or its one field (one member, in a union) under the field's
    JSON or .proto name, read into a local slot as a message's field is (_jr_field). Any other
    key, a key with escapes, null, or a second key bails."""
    cdef Py_ssize_t n, start
    cdef PyObject* held = NULL
    cdef PyObject* holder = <PyObject*>&held
    cdef Op* inner = NULL
    cdef int m
    if budget <= 0:
        bail()
    t.pos += 1
    cdef unsigned char c = _jr_next(t)
    try:
        if c == b'"':
            start = _jr_plain(t, &n)
            for m in range(op.ninner):
                if _jr_named(&op.inner[m], t.s + start, n):
                    inner = &op.inner[m]
            if inner == NULL or _jr_next(t) != b':':
                bail()
            t.pos += 1
            c = _jr_next(t)
            if c == b'n':
                bail()  # null: absence, which the Python reader tells from a null value
            _jr_field(holder, inner, t, c, budget - 1, NULL)
            c = _jr_next(t)
        if c != b'}':
            bail()
        t.pos += 1
        if held == NULL:
            _fill_absent(holder, op.inner, NULL, budget - 1, None)  # as decode fills it
        return <object>held
    finally:
        Py_XDECREF_ptr(held)


cdef object _jr_wrapper(ProgC* p, JText* t, unsigned char c, int budget):
    """A wrapper (``ddl.wkt.Int32Value``...) from its bare value, read as its scalar field's
    value is (``_read_wkt.scalar``: the same rules), and made as ``_read_wkt._made`` makes it."""
    return _jr_made(p, _jr_one(&p.ops[0], t, c, budget))


cdef object _jr_made(ProgC* p, object value):
    """A message of ``p``'s one field, ``value``, and no unknown fields, as ``_read_wkt._made``
    makes a wrapper or a FieldMask."""
    cdef PyObject* raw = ddl_alloc_untracked(p.cls)  # tracked below if it can hold a cycle, as in _jr_message
    if raw == NULL:
        raise MemoryError()
    made = _owned(raw)
    Py_INCREF_ptr(<PyObject*>value)
    ddl_set_slot(raw, p.ops[0].offset, <PyObject*>value)
    Py_INCREF_ptr(ddl_none)
    ddl_set_slot(raw, p.unknown_offset, ddl_none)
    if not p.untrack:
        ddl_gc_tenure(raw)
    return made


cdef object _jr_field_mask(ProgC* p, JText* t):
    """A FieldMask from its string, as ``_read_wkt.read_field_mask`` reads it: paths split at
    commas, each from lowerCamelCase to snake_case (a capital becomes '_' and its lowercase
    letter). A path holding '_' (an error) or a character beyond ASCII bails."""
    text = _jr_str(t)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text)
    cdef Py_ssize_t start = 0, k, i
    cdef const unsigned char* s
    cdef unsigned char c
    cdef list paths = []
    cdef bytearray snake
    if not PyUnicode_IS_ASCII(text):
        bail()
    s = <const unsigned char*>PyUnicode_DATA(text)
    k = 0
    while n and k <= n:
        if k == n or s[k] == b',':
            snake = bytearray()
            for i in range(start, k):
                c = s[i]
                if c == b'_':
                    bail()  # the Python reader's error
                if b'A' <= c <= b'Z':
                    snake.append(b'_')
                    snake.append(c + 32)
                else:
                    snake.append(c)
            paths.append(snake.decode("ascii"))
            start = k + 1
        k += 1
    ddl_gc_tenure_tracked(<PyObject*>paths)
    return _jr_made(p, paths)


cdef object _jr_value_message(ProgC* p, JText* t, unsigned char c, int budget):
    """A ``ddl.wkt.Value`` from any JSON value, as ``_read_wkt.read_value`` reads it: null is the
    null value (not absence), an array a ListValue, anything else what ``typing.Any`` reads."""
    cdef Py_ssize_t m
    if c == b'n':
        _jr_literal(t, b"null", 4)
        for m in range(p.nops):
            if p.ops[m].kind == K_ENUM:
                return _jr_made(p, <object>PyTuple_GET_ITEM_ptr(p.ops[m].enum_table, 0))
        bail()
    if c == b'[':
        for m in range(p.nops):
            if p.ops[m].kind == K_MESSAGE:
                return _jr_made(p, _jr_list_value(p.ops[m].sub, t, budget))
        bail()
    return _jr_made(p, _jr_native(t, c, budget - 1))


cdef object _jr_list_value(ProgC* p, JText* t, int budget):
    """A ``ddl.wkt.ListValue`` from its array (t.pos at ``[``), as ``read_list_value`` reads it."""
    return _jr_made(p, _jr_native(t, b'[', budget - 1))
