# Decoding allocates the instance first and writes each value straight into its slot. A slot
# still NULL at the end of the message is a field that was absent: it gets its zero value then.

cdef enum:
    # The unknown groups nested in one another that _skip_group passes; deeper ones bail.
    GROUP_STACK = 64

cdef inline uint64_t _varint(const unsigned char* buf, Py_ssize_t* pos, Py_ssize_t end) except? 0xFFFFFFFFFFFFFFFF:
    cdef uint64_t result = 0
    cdef int shift = 0, n
    cdef unsigned char c
    cdef Py_ssize_t i = pos[0]
    if i < end and buf[i] < 0x80:
        pos[0] = i + 1
        return buf[i]
    if end - i >= 10:
        result = ddl_varint10(buf + i, &n)
        if n == 0:
            bail()
        pos[0] = i + n
        return result
    while True:  # near the end of the buffer: byte by byte, never reading past it
        if i >= end or shift > 63:
            bail()
        c = buf[i]
        i += 1
        result |= (<uint64_t>(c & 0x7F)) << shift
        if c < 0x80:
            pos[0] = i
            return result
        shift += 7


cdef inline uint64_t _tag(const unsigned char* buf, Py_ssize_t* pos, Py_ssize_t end) except? 0xFFFFFFFFFFFFFFFF:
    """A tag or a length prefix: protobuf's parsers take at most 5 bytes for these (a value may
    take 10), however small the number."""
    cdef Py_ssize_t start = pos[0]
    if start < end and buf[start] < 0x80:
        pos[0] = start + 1
        return buf[start]
    cdef uint64_t result = _varint(buf, pos, end)
    if pos[0] - start > 5:
        bail()
    return result


cdef inline Py_ssize_t _length(const unsigned char* buf, Py_ssize_t* pos, Py_ssize_t end) except -1:
    """A length prefix, checked against the bytes left before anything is allocated."""
    cdef uint64_t n = _tag(buf, pos, end)
    if n > <uint64_t>(end - pos[0]):
        bail()
    return <Py_ssize_t>n


cdef PyObject* _read(Op* op, int kind, const unsigned char* buf, Py_ssize_t* pos, Py_ssize_t end) except NULL:
    """A new reference to one scalar of ``kind`` at ``pos`` (after its tag)."""
    cdef uint64_t u
    cdef uint32_t u32
    cdef double d
    cdef float f
    cdef Py_ssize_t n, start
    cdef PyObject* number
    cdef PyObject* member
    cdef PyObject* text
    if kind <= K_ENUM:
        u = _varint(buf, pos, end)
        if kind == K_INT64:
            return ddl_int(<int64_t>u)
        if kind == K_UINT64:
            return ddl_uint(u)
        if kind == K_INT32:
            return ddl_int(<int32_t><uint32_t>u)
        if kind == K_UINT32:
            return ddl_int(<uint32_t>u)
        if kind == K_SINT32:
            u32 = <uint32_t>u
            return ddl_int(<int32_t>((u32 >> 1) ^ (-(<int32_t>(u32 & 1)))))
        if kind == K_SINT64:
            return ddl_int(<int64_t>((u >> 1) ^ (-(<int64_t>(u & 1)))))
        if kind == K_BOOL:
            member = ddl_true if u != 0 else ddl_false
            Py_INCREF_ptr(member)
            return member
        if <uint32_t>u < <uint64_t>Py_SIZE_ptr(op.enum_table):
            member = PyTuple_GET_ITEM_ptr(op.enum_table, <uint32_t>u)
            if member != ddl_none:
                Py_INCREF_ptr(member)
                return member
        number = ddl_int(<int32_t><uint32_t>u)
        member = PyDict_GetItem_ptr(op.enum_map, number)
        if member == NULL:
            if op.closed_enum:
                Py_DECREF_ptr(number)
                bail()  # kept with the unknown fields: the reference engine does that
            return number
        Py_DECREF_ptr(number)
        Py_INCREF_ptr(member)
        return member
    if kind <= K_FLOAT:
        if end - pos[0] < 4:
            bail()
        memcpy(&u32, buf + pos[0], 4)
        pos[0] += 4
        if kind == K_FIXED32:
            return ddl_int(u32)
        if kind == K_SFIXED32:
            return ddl_int(<int32_t>u32)
        memcpy(&f, &u32, 4)
        return ddl_float_new(<double>f)
    if kind <= K_DOUBLE:
        if end - pos[0] < 8:
            bail()
        memcpy(&u, buf + pos[0], 8)
        pos[0] += 8
        if kind == K_FIXED64:
            return ddl_uint(u)
        if kind == K_SFIXED64:
            return ddl_int(<int64_t>u)
        memcpy(&d, &u, 8)
        return ddl_float_new(d)
    n = _length(buf, pos, end)
    start = pos[0]
    pos[0] += n
    if kind == K_STRING:
        text = ddl_str_field(buf + start, n, &op.str_owed)  # one that came before is shared
        if text == NULL:
            return PyUnicode_DecodeUTF8_ptr(<const char*>buf + start, n, NULL)  # raises the error
        return text
    return ddl_bytes_of(buf + start, n)


cdef PyObject* _closed_member(Op* op, uint64_t u) except? NULL:
    """The member of ``op``'s closed enum numbered ``u`` (borrowed: the enum's table holds it),
    looked up as _read does, or NULL when the enum has not that number."""
    cdef PyObject* member
    if <uint32_t>u < <uint64_t>Py_SIZE_ptr(op.enum_table):
        member = PyTuple_GET_ITEM_ptr(op.enum_table, <uint32_t>u)
        if member != ddl_none:
            return member
    number = <object>ddl_int(<int32_t><uint32_t>u)
    Py_DECREF_ptr(<PyObject*>number)  # ``number`` holds the reference
    return PyDict_GetItem_ptr(op.enum_map, <PyObject*>number)  # exact int keys: no Python code


cdef bint _closed_miss(Op* op, uint64_t tag, const unsigned char* buf, Py_ssize_t pos, Py_ssize_t end) except -1:
    """Whether the field at ``pos`` (its tag read) of a closed enum outside oneofs (program.pxi
    marks their tags) is a varint of a number the enum has not: such a field joins the unknown
    fields and leaves the field as it was, as the reference engine and protobuf keep it."""
    return (tag & 7) == 0 and _closed_member(op, _varint(buf, &pos, end)) == NULL


cdef object _closed_run(PyObject* obj, Op* op, uint64_t tag, const unsigned char* buf, Py_ssize_t* pos,
                        Py_ssize_t end, object unknown):
    """A packed run of a closed enum (its tag read): each member appended to the list in ``op``'s
    slot, and each number the enum has not kept among the unknown fields as a varint field of its
    own (the run's field number, the value re-encoded), as the reference engine's closed_run
    does. The unknown fields (``unknown``, a bytearray made on first use, or None) are returned."""
    cdef Py_ssize_t stop = _length(buf, pos, end) + pos[0]
    cdef unsigned char field[20]
    cdef uint64_t u
    cdef PyObject* member
    cdef int n
    while pos[0] < stop:
        u = _varint(buf, pos, stop)
        member = _closed_member(op, u)
        if member != NULL:
            Py_INCREF_ptr(member)
            _append(obj, op, member, buf, pos[0], end)
            continue
        n = _varint_into(field, tag & ~(<uint64_t>7))
        n += _varint_into(field + n, u)
        if unknown is None:
            unknown = bytearray()
        unknown += (<char*>field)[:n]
    return unknown


cdef inline int _varint_into(unsigned char* out, uint64_t u) noexcept:
    """Write ``u`` as a varint at ``out`` (room for 10 bytes): its length."""
    cdef int n = 0
    while u >= 0x80:
        out[n] = <unsigned char>(u | 0x80)
        u >>= 7
        n += 1
    out[n] = <unsigned char>u
    return n + 1


cdef PyObject* _message(Op* op, const unsigned char* buf, Py_ssize_t* pos, Py_ssize_t end, int budget,
                        object data) except NULL:
    """A new reference to a message-like value of ``op`` at ``pos``: length-delimited, or a group
    (its start-group tag read), whose body runs to its end-group tag."""
    cdef Py_ssize_t start = pos[0], n
    if op.etaglen:
        # The body runs to the end-group tag, found first (_skip_group, iteratively; past 64
        # nested groups it bails), so that the message is decoded over its exact range.
        n = _skip_group(buf, pos, end, op.wiretag >> 3, budget) - start
        value = _decode(op.sub, buf, start, start + n, budget - 1, data)
        Py_INCREF_ptr(<PyObject*>value)
        return <PyObject*>value
    n = _length(buf, pos, end)
    start = pos[0]
    pos[0] += n
    cdef PyObject* fast
    if op.kind == K_MESSAGE:
        value = _decode(op.sub, buf, start, start + n, budget - 1, data)
    elif (op.native == NATIVE_TIMESTAMP or op.native == NATIVE_DURATION or op.native == NATIVE_DATE) and budget >= 1:
        fast = _time_value(op.native, buf, start, start + n)
        if fast != NULL:
            return fast
        value = (<object>op.fn_decode)(data, start, start + n, budget - 1)
    elif op.inner != NULL and budget >= 1:
        return _wrapped(op, buf, start, start + n, budget - 1, data)
    elif (op.native == NATIVE_VALUE or op.native == NATIVE_STRUCT) and budget >= 1:
        fast = _json_like_value(op.native, buf, start, start + n, budget - 1)
        if fast != NULL:
            return fast
        value = (<object>op.fn_decode)(data, start, start + n, budget - 1)
    else:
        value = (<object>op.fn_decode)(data, start, start + n, budget - 1)
    Py_INCREF_ptr(<PyObject*>value)
    return <PyObject*>value


cdef PyObject* _one(Op* op, const unsigned char* buf, Py_ssize_t* pos, Py_ssize_t end, int budget,
                    object data) except NULL:
    """A new reference to one value of ``op`` (a field's, an element's, or a map entry's)."""
    cdef PyObject* raw
    if op.kind <= K_BYTES:
        return _read(op, op.kind, buf, pos, end)
    if op.kind == K_CONVERTED:
        raw = _read(op, op.base, buf, pos, end)
        wire = <object>raw
        Py_DECREF_ptr(raw)
        value = _from_wire(op, wire)
        Py_INCREF_ptr(<PyObject*>value)
        return <PyObject*>value
    return _message(op, buf, pos, end, budget, data)


# Immutable, so one serves every absent frozenset field (CPython makes a new 216-byte one each
# time), as ``()`` does for tuples.
cdef object _EMPTY_FROZENSET = frozenset()


cdef PyObject* _absent(Op* op, const unsigned char* buf, int budget, object data) except NULL:
    """A new reference to the value of a field that was not on the wire."""
    if op.fill == FILL_VALUE:
        Py_INCREF_ptr(op.zero)
        return op.zero
    if op.fill == FILL_LIST:
        return PyList_New_ptr(0)
    if op.fill == FILL_DICT:
        return PyDict_New_ptr()
    if op.fill == FILL_MESSAGE:
        value = _decode(op.fill_sub, buf, 0, 0, budget - 1, data)
    elif op.fill == FILL_CALL:
        value = (<object>op.fn_zero)()
    elif op.fill == FILL_WRAPPER:
        value = (<object>op.fn_zero)(b"", 0, 0, budget - 1)
    elif op.fill == FILL_TUPLE:
        value = ()
    elif op.fill == FILL_SET:
        value = set()
    elif op.fill == FILL_ARRAY:
        value = _ARRAY(<object>op.vcodes)
    else:
        value = _EMPTY_FROZENSET
    Py_INCREF_ptr(<PyObject*>value)
    return <PyObject*>value


cdef inline int _fill_absent(PyObject* raw, Op* op, const unsigned char* buf, int budget, object data) except -1:
    """Fill the slot of a field that was not read (both readers call it): 1 when the value put
    there may hold references (ddl_may_cycle), so that the instance stays tracked by the GC.
    Most absent fields take a shared zero or None, and a repeated field an empty list, without
    a call."""
    cdef PyObject* value
    if op.fill == FILL_VALUE:
        Py_INCREF_ptr(op.zero)
        ddl_set_slot(raw, op.offset, op.zero)
        return op.zero_cycles
    if op.fill == FILL_LIST:
        value = ddl_gc_list(0)  # born untracked, so the tenure only links it
        ddl_gc_tenure(value)
        ddl_set_slot(raw, op.offset, value)
        return 1
    value = _absent(op, buf, budget, data)
    ddl_set_slot(raw, op.offset, value)
    return ddl_may_cycle(value)


cdef inline int _fill_absent_at(PyObject* raw, ProgC* p, Py_ssize_t k, const unsigned char* buf, int budget,
                                object data) except -1:
    """_fill_absent for the op of index ``k`` of ``p``: a shared zero that holds no reference is
    taken from the class's compact table (ProgC.absent) without reading the Op."""
    cdef Absent* absent = &p.absent[k]
    if absent.zero != NULL:
        Py_INCREF_ptr(absent.zero)
        ddl_set_slot(raw, absent.offset, absent.zero)
        return 0
    return _fill_absent(raw, &p.ops[k], buf, budget, data)


cdef int _skip(const unsigned char* buf, Py_ssize_t* pos, Py_ssize_t end, uint64_t tag, int budget) except -1:
    """Pass the value of a field the class does not know (its tag read), a group's included."""
    cdef int wt = tag & 7
    if tag >> 3 == 0 or tag >> 3 > 0x1FFFFFFF:
        bail()
    if wt == 0:
        _varint(buf, pos, end)
    elif wt == 1 or wt == 5:
        if end - pos[0] < (8 if wt == 1 else 4):
            bail()
        pos[0] += 8 if wt == 1 else 4
    elif wt == 2:
        pos[0] += _length(buf, pos, end)
    elif wt == 3:
        _skip_group(buf, pos, end, tag >> 3, budget)
    else:
        bail()  # an end-group tag without its start, or no wire type: the reference engine's error
    return 0


cdef Py_ssize_t _skip_group(const unsigned char* buf, Py_ssize_t* pos, Py_ssize_t end, uint64_t number,
                            int budget) except -1:
    """Pass a group of field ``number`` (its start-group tag read) up to and past its end-group
    tag, the groups nested in it included, as the reference engine (ddl._wire._skip_group)
    passes it: without recursion, the open groups' numbers on a stack. Where that end-group tag
    begins (the end of the body). What it would refuse (an end-group tag of another group,
    nesting as deep as ``budget``, a group left open) bails, and so does what it takes that this
    loop does not try to (a field number 0 inside the group, nesting deeper than GROUP_STACK)."""
    cdef uint64_t open_groups[GROUP_STACK]
    cdef int depth = 1
    cdef uint64_t tag
    cdef Py_ssize_t closing = pos[0]
    open_groups[0] = number
    while depth:
        if pos[0] >= end:
            bail()
        closing = pos[0]
        tag = _tag(buf, pos, end)
        if tag & 7 == 4:
            if tag >> 3 != open_groups[depth - 1]:
                bail()
            depth -= 1
        elif tag & 7 == 3:
            if tag >> 3 == 0 or tag >> 3 > 0x1FFFFFFF or depth >= budget or depth == GROUP_STACK:
                bail()
            open_groups[depth] = tag >> 3
            depth += 1
        else:
            _skip(buf, pos, end, tag, budget)
    return closing


cdef object _last_unknown = None


cdef bytes _unknown_bytes(bytearray fields):
    """A message's unknown fields as bytes. Short ones equal to the last message's share its
    object: the records of a newer schema often carry the same new fields, and a copy each would
    cost 48 bytes or more per record."""
    global _last_unknown
    cdef Py_ssize_t n = len(fields)
    cdef const char* have = fields
    last = _last_unknown
    if last is not None and len(<bytes>last) == n and memcmp(<const char*><bytes>last, have, n) == 0:
        return <bytes>last
    value = bytes(fields)
    if n <= 64:  # a long one is rarely repeated, and would stay alive after its message
        _last_unknown = value
    return value


cdef bint _shares_empty(ProgC* p):
    """Whether an empty instance of ``p``'s class can be shared: the class is frozen, without a
    ``__dict__``, and every zero value it would hold is immutable (scalars, enums, None, ``()``,
    ``frozenset()``, and empty instances that can be shared in turn)."""
    cdef Op* op
    cdef Py_ssize_t k
    if p.share < 0:
        p.share = 0  # until decided, as a cycle back to this class would be
        for k in range(p.nops):
            op = &p.ops[k]
            if op.fill == FILL_MESSAGE and not _shares_empty(op.fill_sub):
                return False
            if op.fill != FILL_MESSAGE and op.fill != FILL_VALUE and op.fill != FILL_TUPLE and op.fill != FILL_FROZENSET:
                return False
        p.share = 1
    return p.share


cdef int _decode_tables(ProgC* p) except -1:
    """The decoder's tables of a Program whose ops are made: ``prefill``, the slots a new
    instance starts with None in, and ``post``, the ops the pass after the bytes still visits.
    A slot is prefilled when every op reading it (a union's members share one) is a number,
    enum, string or bytes whose absence is None: reading the field replaces the None, and
    nothing asks whether it was read, where a message's slot is asked (a second occurrence
    merges) and a list's (elements append). Those are a oneof's members and optional values,
    mostly absent (an OTLP AnyValue holds one of seven, a feature store's value one of six):
    made with their None, they cost the pass nothing. A field with a zero of its own (0, "")
    is mostly given, and prefilling it too cost more than the pass (otlp's decode 2% slower
    in time, with 3% fewer instructions: two updates of a shared zero's count per field)."""
    cdef Py_ssize_t k
    cdef Absent* a
    prefilled = {}  # offset -> whether every op reading that slot can start with None
    for k in range(p.nops):
        a = &p.absent[k]
        prefilled[a.offset] = prefilled.get(a.offset, True) and a.zero == ddl_none and a.atomic
    p.prefill = <Absent*>PyMem_Calloc(max(1, p.nops), sizeof(Absent))
    p.post = <int*>PyMem_Calloc(max(1, p.nops), sizeof(int))
    if p.prefill == NULL or p.post == NULL:
        raise MemoryError()
    taken = set()
    for k in range(p.nops):
        a = &p.absent[k]
        if not prefilled[a.offset]:
            p.post[p.npost] = k
            p.npost += 1
        elif a.offset not in taken:  # once for a slot that several ops read
            taken.add(a.offset)
            p.prefill[p.nprefill] = a[0]
            p.nprefill += 1
    return 0


cdef inline void _prefill(PyObject* raw, ProgC* p) noexcept:
    """Put None in the prefilled slots of a new instance of ``p``'s class (_decode_tables)."""
    cdef Absent* a
    cdef Py_ssize_t j
    for j in range(p.nprefill):
        a = &p.prefill[j]
        Py_INCREF_ptr(a.zero)
        ddl_init_slot(raw, a.offset, a.zero)


cdef object _decode(ProgC* p, const unsigned char* buf, Py_ssize_t pos, Py_ssize_t end, int budget, object data):
    cdef Op* op
    cdef Absent* absent
    cdef uint64_t tag
    cdef Py_ssize_t start, j, k
    cdef int index
    cdef PyObject* raw
    cdef PyObject* slot
    cdef PyObject* item
    cdef bint cyclic = not p.untrack
    cdef uint64_t groups_read = 0  # the oneof groups a member was read of (Op.group bits)
    if budget < 0:
        bail()
    # An empty body of a frozen class makes one instance, shared by every absent field and empty
    # element of that class: a million of them cost a pointer each, not 48 bytes or more each.
    cdef bint share = pos == end and p.share != 0 and _shares_empty(p)
    if share and p.empty != NULL:
        return <object>p.empty
    raw = ddl_alloc_untracked(p.cls)  # tracked at the end, if a value it holds can cycle
    if raw == NULL:
        raise MemoryError()
    obj = <object>raw
    Py_DECREF_ptr(raw)  # ``obj`` holds the reference from here on, released if anything fails
    _prefill(raw, p)
    if p.tracked_first:
        # Linked before the messages it holds, which are linked as they are made, and before
        # its lists and dicts (_settled): a collection walks a decoded graph from each object
        # to what it holds, and meets each object once. Linked after them, as an instance
        # filled first would be, each object the walk meets before its holder is moved out of
        # the generation's list and back again (benches/README.md, 2026-12-02 (6)). Its NULL
        # slots are nothing to a collection meanwhile.
        ddl_gc_tenure(raw)
    unknown = None
    while pos < end:
        start = pos
        tag = _tag(buf, &pos, end)
        if tag < 256:
            index = p.fast[tag]
        else:
            found = (<dict>p.slow).get(tag)
            index = -1 if found is None else found
        if index < 0:
            # A field the class does not know (-1), or one of a closed enum outside oneofs
            # (-2 - its op: program.pxi), whose number the enum may not have.
            if index == -1 or _closed_miss(&p.ops[-2 - index], tag, buf, pos, end):
                _skip(buf, &pos, end, tag, budget)
                if unknown is None:
                    unknown = bytearray()
                unknown += data[start:pos]
                continue
            index = -2 - index
            if tag & 7 == 2:
                unknown = _closed_run(raw, &p.ops[index], tag, buf, &pos, end, unknown)
                continue
        op = &p.ops[index]
        if op.group:
            if groups_read & op.group:
                bail()  # a group's member again: the reference engine keeps the last, clearing others
            groups_read |= op.group
        if op.repeated:
            _occurrence(raw, op, tag, buf, &pos, end, budget, data)
        elif op.kind <= K_BYTES:
            ddl_set_slot(raw, op.offset, _read(op, op.kind, buf, &pos, end))
        elif op.kind == K_MAP:
            _map_entry(raw, op, buf, &pos, end, budget, data)
        elif op.kind == K_CONVERTED:
            ddl_set_slot(raw, op.offset, _one(op, buf, &pos, end, budget, data))
        else:
            if ddl_slot(raw, op.offset) != NULL:
                _occurred_again(op)  # an occurrence to merge (decode_rejoin.pxi)
            ddl_set_slot(raw, op.offset, _message(op, buf, &pos, end, budget, data))
    for j in range(p.npost):
        k = p.post[j]
        absent = &p.absent[k]
        slot = ddl_slot(raw, absent.offset)
        if slot == NULL:
            if _fill_absent_at(raw, p, k, buf, budget, data):
                cyclic = True
            continue
        if absent.atomic:
            continue
        op = &p.ops[k]
        if op.repeated:
            slot = _settled(raw, op, slot, raw)
        elif op.kind == K_MAP:
            ddl_gc_tenure_held(slot, raw)
        if not cyclic:
            cyclic = ddl_may_cycle(slot)
    if unknown is not None:
        unknown = _unknown_bytes(unknown)
    Py_INCREF_ptr(<PyObject*>unknown)
    ddl_set_slot(raw, p.unknown_offset, <PyObject*>unknown)
    if cyclic and not ddl_gc_is_tracked(raw):
        ddl_gc_tenure(raw)
    if share:
        Py_INCREF_ptr(raw)
        p.empty = raw
    return obj


cdef object _decode_bytes(ProgC* p, bytes data, int budget):
    cdef bint paused = PyBytes_GET_SIZE(data) > GC_PAUSE_BYTES and not p.flat
    if paused:
        _gc_pause()
    try:
        return _decode(p, <const unsigned char*>PyBytes_AS_STRING(data), 0, PyBytes_GET_SIZE(data),
                       min(budget, C_DEPTH_LIMIT), data)
    finally:
        if paused:
            _gc_resume()
