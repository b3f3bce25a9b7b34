# The containers the decoder fills (decode.pxi calls in here): a repeated field's occurrences
# (one element, or a packed run) appended to the list in its slot and settled into the field's
# container at the end, a ddl.Vector's runs copied into its array.array, a map's entries put in
# its dict, and the value of a wrapper message (a nested container, an optional value, a union's
# member) read from its body as a message's field.

cdef Py_ssize_t _run(Op* op, const unsigned char* buf, Py_ssize_t pos, Py_ssize_t end) noexcept:
    """How many more elements of ``op`` follow at ``pos``, each right after the last and led by
    the same tag bytes: only tags and lengths are read, and anything malformed ends the count
    (the decoder meets it there)."""
    cdef const unsigned char* tag = (<const unsigned char*>&op.tagword) + 8 - op.taglen
    cdef int wt = op.wiretag & 7
    cdef Py_ssize_t count = 0
    cdef uint64_t n
    cdef int shift, k
    if op.taglen == 1 and wt == 2:
        # The usual run: one-byte tags and bodies under 128 bytes (a span's attributes, a map of
        # short entries), two bytes read for each; the loop below takes over at any other.
        while end - pos > 2 and buf[pos] == tag[0] and buf[pos + 1] < 0x80 and buf[pos + 1] <= end - pos - 2:
            pos += 2 + buf[pos + 1]
            count += 1
    while end - pos > op.taglen:
        k = 0  # the tag's bytes (one or two, mostly) compared here: memcmp's call costs more
        while k < op.taglen and buf[pos + k] == tag[k]:
            k += 1
        if k < op.taglen:
            break
        pos += op.taglen
        if wt == 1 or wt == 5:
            pos += 8 if wt == 1 else 4
            if pos > end:
                break
        else:
            n = 0
            shift = 0
            while pos < end and buf[pos] >= 0x80 and shift < 63:
                n |= (<uint64_t>(buf[pos] & 0x7F)) << shift
                pos += 1
                shift += 7
            if pos >= end or buf[pos] >= 0x80:
                break
            n |= (<uint64_t>buf[pos]) << shift
            pos += 1
            if wt == 2:
                if n > <uint64_t>(end - pos):
                    break
                pos += <Py_ssize_t>n
        count += 1
    return count


cdef int _append(PyObject* obj, Op* op, PyObject* value, const unsigned char* buf, Py_ssize_t pos,
                 Py_ssize_t end) except -1:
    """Append a new reference to the list in ``op``'s slot. The list is made on first use with
    room for the run of elements that follows on the wire, so it is never grown or over-sized."""
    cdef PyObject* items = ddl_slot(obj, op.offset)
    cdef Py_ssize_t room
    try:
        if items == NULL:
            room = _run(op, buf, pos, end)
            Py_INCREF_ptr(value)
            ddl_set_slot(obj, op.offset, ddl_list_with_room(value, room))
        else:
            ddl_list_push(items, value)
    finally:
        Py_DECREF_ptr(value)
    return 0


cdef int _packed_run(PyObject* obj, Op* op, const unsigned char* buf, Py_ssize_t* pos, Py_ssize_t end) except -1:
    """A packed run, read into a list of the right size: its count is known before any value is
    made (fixed widths divide the length; a varint ends at each byte below 0x80)."""
    cdef Py_ssize_t stop = _length(buf, pos, end) + pos[0]
    cdef Py_ssize_t k, count = 0
    cdef int kind = op.kind
    cdef PyObject* items
    cdef PyObject** slots
    cdef PyObject* existing
    cdef double d
    cdef uint64_t u
    if kind <= K_ENUM:
        for k in range(pos[0], stop):
            count += buf[k] < 0x80
    else:
        width = 4 if kind <= K_FLOAT else 8
        if (stop - pos[0]) % width:
            bail()
        count = (stop - pos[0]) // width
    items = PyList_New_ptr(count)
    try:
        slots = PySequence_Fast_ITEMS_ptr(items)
        if kind == K_DOUBLE:
            for k in range(count):
                memcpy(&d, buf + pos[0] + 8 * k, 8)
                slots[k] = ddl_float_new(d)
            pos[0] = stop
        elif kind == K_INT64:
            for k in range(count):
                u = _varint(buf, pos, stop)
                slots[k] = ddl_int(<int64_t>u)
        else:
            for k in range(count):
                slots[k] = _read(op, kind, buf, pos, stop)
        if pos[0] != stop:
            bail()
        existing = ddl_slot(obj, op.offset)
        if existing == NULL:
            Py_INCREF_ptr(items)
            ddl_set_slot(obj, op.offset, items)
        else:
            (<list>existing).extend(<list>items)
    finally:
        Py_DECREF_ptr(items)
    return 0


cdef inline int _occurrence(PyObject* obj, Op* op, uint64_t tag, const unsigned char* buf, Py_ssize_t* pos,
                            Py_ssize_t end, int budget, object data) except -1:
    """One occurrence of a repeated field (an element after its tag, or a packed run), added to
    the list in its slot (made on first use)."""
    cdef PyObject* item
    if op.container == FILL_ARRAY and op.kind > K_ENUM:
        return _vector_run(obj, op, buf, pos, end, tag != op.wiretag)
    if tag != op.wiretag:
        return _packed_run(obj, op, buf, pos, end)
    if op.kind <= K_BYTES:
        item = _read(op, op.kind, buf, pos, end)
    else:
        item = _one(op, buf, pos, end, budget, data)
    return _append(obj, op, item, buf, pos[0], end)


cdef inline PyObject* _settled(PyObject* obj, Op* op, PyObject* slot, PyObject* owner) except NULL:
    """A repeated field's slot once all its occurrences are read: the list fitted and placed in
    the GC's oldest generation (right after ``owner``, the message holding it, when the GC
    tracks it: ddl_gc_tenure_after), or made the field's container (a tuple, a set, an array of
    varints); the slot's value (borrowed)."""
    if op.container == FILL_LIST:
        ddl_list_fit(slot)
        ddl_gc_tenure_after(slot, owner)
        return slot
    if Py_TYPE(slot) != &PyList_Type:
        return slot  # an array of fixed-width numbers, already made
    if op.container == FILL_TUPLE:
        ddl_set_slot(obj, op.offset, PyList_AsTuple_ptr(slot))
    elif op.container == FILL_SET:
        ddl_set_slot(obj, op.offset, PySet_New_ptr(slot))
    elif op.container == FILL_ARRAY:  # varints, read as a list
        value = _ARRAY(<object>op.vcodes, <object>slot)
        Py_INCREF_ptr(<PyObject*>value)
        ddl_set_slot(obj, op.offset, <PyObject*>value)
    else:
        ddl_set_slot(obj, op.offset, PyFrozenSet_New_ptr(slot))
    return ddl_slot(obj, op.offset)


cdef PyObject* _wrapped(Op* op, const unsigned char* buf, Py_ssize_t pos, Py_ssize_t end, int budget,
                        object data) except NULL:
    """A new reference to the value in the body of a wrapper message (``op.inner``: an inner
    list of ``list[list[float]]``, a map, an optional value, a union's member): its one field,
    read as a message's field is into its slot. The slot is a local here (the inner ops' offset
    is 0, so the local's address stands for the object). Any other field, or a field given
    again (a scalar's last value wins, messages merge: the reference engine's), bails."""
    cdef PyObject* held = NULL
    cdef PyObject* made
    cdef PyObject* holder = <PyObject*>&held
    cdef uint64_t tag
    cdef Op* inner
    cdef int m
    try:
        while pos < end:
            tag = _tag(buf, &pos, end)
            inner = NULL
            for m in range(op.ninner):
                if tag == op.inner[m].wiretag or (op.inner[m].packed and tag == (op.inner[m].wiretag & ~7) | 2):
                    inner = &op.inner[m]
            if inner == NULL:
                bail()  # another field (unknown to the wrapper): the reference engine's
            if inner.repeated:
                _occurrence(holder, inner, tag, buf, &pos, end, budget, data)
            elif inner.kind == K_MAP:
                _map_entry(holder, inner, buf, &pos, end, budget, data)
            elif held != NULL:
                bail()
            else:
                held = _one(inner, buf, &pos, end, budget, data)
        inner = op.inner
        if held == NULL:
            _fill_absent(holder, inner, buf, budget, data)
        elif inner.repeated:
            _settled(holder, inner, held, NULL)
        elif inner.kind == K_MAP:
            ddl_gc_tenure_tracked(held)
        made = held
        held = NULL
        return made
    finally:
        Py_XDECREF_ptr(held)


cdef int _vector_run(PyObject* obj, Op* op, const unsigned char* buf, Py_ssize_t* pos, Py_ssize_t end,
                     bint packed) except -1:
    """Fixed-width numbers of a ddl.Vector appended to its array.array (made on first use) with
    one copy of their bytes: a packed run's body, or one element after its own tag. The wire's
    little-endian items are the host's (checked at import)."""
    cdef Py_ssize_t n, width = 4 if op.kind <= K_FLOAT else 8
    cdef PyObject* items
    if packed:
        n = _length(buf, pos, end)
        if n % width:
            bail()
    else:
        n = width
        if end - pos[0] < n:
            bail()
    items = ddl_slot(obj, op.offset)
    if items == NULL:
        arr = _ARRAY(<object>op.vcodes)
        Py_INCREF_ptr(<PyObject*>arr)
        ddl_set_slot(obj, op.offset, <PyObject*>arr)
        # The first run fills the new array itself, away from memcpy's stall (ddl_array_fill).
        if _ARRAY_ITEMS and ddl_array_fill(<PyObject*>arr, buf + pos[0], n, width):
            pos[0] += n
            return 0
    else:
        arr = <object>items
    # A view of the input for the moment frombytes copies it; the input outlives the call.
    _FROMBYTES(arr, PyMemoryView_FromMemory(<char*>buf + pos[0], n, PyBUF_READ))
    pos[0] += n
    return 0


cdef enum:
    # The most entries a map's dict is made with room for (about 36 KB); a larger one grows.
    _MAP_PRESIZE_MAX = 1024


cdef inline int _map_entry(PyObject* obj, Op* op, const unsigned char* buf, Py_ssize_t* pos, Py_ssize_t end, int budget,
                           object data) except -1:
    """One map entry. An entry holding any other field (another number, or the key or value
    with another wire type) bails: the reference engine keeps such an entry whole among the
    unknown fields, as upb does."""
    cdef Py_ssize_t stop = _length(buf, pos, end) + pos[0]
    cdef uint64_t tag
    cdef PyObject* key = NULL
    cdef PyObject* value = NULL
    cdef PyObject* entries
    try:
        while pos[0] < stop:
            tag = _tag(buf, pos, stop)
            if tag == op.key.wiretag:
                Py_XDECREF_ptr(key)
                key = NULL
                key = _one(op.key, buf, pos, stop, budget, data)
            elif tag == op.value.wiretag:
                if value != NULL and op.value.kind >= K_MESSAGE:
                    bail()  # an occurrence to merge: the reference engine does it
                Py_XDECREF_ptr(value)
                value = NULL
                value = _one(op.value, buf, pos, stop, budget, data)
            else:
                bail()
        if key == NULL:
            key = _absent(op.key, buf, budget, data)
        if value == NULL:
            value = _absent(op.value, buf, budget, data)
        entries = ddl_slot(obj, op.offset)
        if entries == NULL:
            # Sized for the run of entries that follows, up to a bound: entries that repeat a key
            # would otherwise buy a large table for a few items.
            entries = ddl_dict_presized(1 + min(_run(op, buf, stop, end), _MAP_PRESIZE_MAX))
            ddl_set_slot(obj, op.offset, entries)
        PyDict_SetItem_ptr(entries, key, value)
    finally:
        Py_XDECREF_ptr(key)
        Py_XDECREF_ptr(value)
    return 0
