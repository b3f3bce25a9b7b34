# The compiled JSON reader: proto3 JSON text straight into message instances, driven by the
# Program (no json.loads, no dict in between). It takes the happy path only, as the binary
# decoder does: whatever is unusual or wrong (an unknown key, a key with escapes, a field given
# twice, a number that needs Decimal, a ddl.wkt Any, Value or ListValue, a null where null is a
# value, invalid JSON...) bails, and ddl.from_json runs the Python reader on the whole text, which
# decides the result and every error. What it reads it reads as the Python reader does
# (ddl/_json/_read_source.py and _read_values.py): each conversion names the rule it follows.
# Here are the arrays, maps and messages; strings, numbers and enum names are read in
# json_read_values.pxi, ddl's own types (a datetime, a Decimal...) in json_natives.pxi.
#
# Safety: the text is the buffer of the caller's str (its UTF-8 form) or bytes, immutable and
# kept alive by the caller; every object made is owned until it is stored, and a slot is read
# only to be tested at once.

cdef extern from "ddl_json_read.h":
    bint ddl_json_same(const unsigned char* a, const unsigned char* b, Py_ssize_t n) nogil
    int ddl_json_lowest(uint64_t word) nogil

from cpython.mem cimport PyMem_Realloc
from libc.string cimport memset

cdef enum:
    # Messages with more fields than this bail: each one read is marked in a bitmap on the C stack.
    JSON_MAX_OPS = 512
    JSON_SEEN_WORDS = 8
    # With ignore_unknown_fields, an object with more unknown keys than this bails (each one is
    # compared with those before it: a key given twice is an error even when it is ignored).
    JSON_MAX_IGNORED = 16


cdef object _jr_one(Op* op, JText* t, unsigned char c, int budget):
    """One value of ``op`` (a field's, an element's or a map value), not null, at t.pos (``c``
    is its first byte)."""
    cdef int kind = op.kind
    if kind == K_STRING:
        if c != b'"':
            bail()
        return _jr_str(t)
    if kind == K_MESSAGE and not op.native:
        if c != b'{':
            bail()
        return _jr_message(op.sub, t, budget - 1)
    if kind == K_DOUBLE or kind == K_FLOAT:
        return _owned(ddl_float_new(_jr_double(t, c, kind == K_FLOAT)))
    if kind == K_BOOL:
        if c == b't':
            _jr_literal(t, b"true", 4)
            return True
        if c == b'f':
            _jr_literal(t, b"false", 5)
            return False
        bail()
    if kind == K_ENUM:
        return _jr_enum(op, t, c)
    if kind <= K_SFIXED64:
        return _jr_int(t, kind, c)
    if kind == K_BYTES:
        if c != b'"':
            bail()
        return _jr_bytes(t)
    return _jr_native_form(op, t, c, budget)  # json_natives.pxi


cdef inline int _jr_after(JText* t, unsigned char close) except -1:
    """After a value inside an object or array: the first byte of the next one after a comma,
    or 0 at ``close``, which is passed (an int, so that 0 is no error value)."""
    cdef unsigned char c = _jr_next(t)
    t.pos += 1
    if c == close:
        return 0
    if c != b',':
        bail()
    return _jr_next(t)


cdef object _jr_vector(Op* op, JText* t):
    """A ddl.Vector: the numbers read into a C buffer at the array's item width, then copied
    into the array.array at once, as ``array(code, numbers)`` stores them. A float32 is rounded
    to single precision by _jr_double already; an integer is read and checked against its
    kind's range as _jr_int reads it, then stored in 4 or 8 bytes (its typecode's, 'i' 'I' or
    'q' 'Q'), which hold every value of the kind. A null element bails, and so does a string
    one of a float or double vector other than "NaN" and the infinities (_jr_double)."""
    cdef int kind = op.kind
    cdef bint floating = kind == K_FLOAT or kind == K_DOUBLE
    cdef Py_ssize_t width = 4 if op.vcode == b'f' or op.vcode == b'i' or op.vcode == b'I' else 8
    cdef Py_ssize_t size = 0, room = JSON_STACK_BUFFER * 8
    cdef unsigned char small[JSON_STACK_BUFFER * 8]
    cdef unsigned char* buf = &small[0]
    cdef unsigned char* grown
    cdef double d
    cdef float f
    cdef uint64_t word
    cdef uint32_t half
    cdef int negative
    cdef unsigned char c
    t.pos += 1
    arr = _ARRAY(<object>op.vcodes)
    try:
        c = _jr_next(t)
        if c == b']':
            t.pos += 1
            c = 0
        while c:
            if size == room:  # room is a multiple of 8, so an item never straddles it
                grown = <unsigned char*>PyMem_Malloc(2 * room)
                if grown == NULL:
                    raise MemoryError()
                memcpy(grown, buf, size)
                if buf != &small[0]:
                    PyMem_Free(buf)
                buf = grown
                room *= 2
            if floating:
                d = _jr_double(t, c, kind == K_FLOAT)
                if width == 4:
                    f = <float>d
                    memcpy(buf + size, &f, 4)
                else:
                    memcpy(buf + size, &d, 8)
            else:
                _jr_int_parts(t, c, &negative, &word)
                _jr_int_bits(kind, negative, &word)
                if width == 4:
                    half = <uint32_t>word  # the low half: an int32 in two's complement, or a uint32
                    memcpy(buf + size, &half, 4)
                else:
                    memcpy(buf + size, &word, 8)
            size += width
            c = _jr_after(t, b']')
        if size:
            # A view of the buffer for the moment frombytes copies it.
            _FROMBYTES(arr, PyMemoryView_FromMemory(<char*>buf, size, PyBUF_READ))
    finally:
        if buf != &small[0]:
            PyMem_Free(buf)
    return arr


cdef int _jr_push(JText* t, object item) except -1:
    """Keep ``item`` (a new reference to it) on t.items, which starts at 64 and doubles."""
    cdef PyObject** grown
    cdef Py_ssize_t room = 2 * t.room if t.room else 64
    if t.nitems == t.room:
        grown = <PyObject**>PyMem_Realloc(t.items, room * sizeof(PyObject*))
        if grown == NULL:
            raise MemoryError()
        t.items = grown
        t.room = room
    Py_INCREF_ptr(<PyObject*>item)
    t.items[t.nitems] = <PyObject*>item
    t.nitems += 1
    return 0


cdef object _jr_array(Op* op, JText* t, int budget, PyObject* owner):
    """A repeated field's array, in the field's container. A null element bails, but where null
    is a value (a google.protobuf.Value's, Op.jnull). The elements
    wait on t.items, so that a list or tuple is made once at its size (no list grown element by
    element, no list copied into a tuple); should the read fail, _json_read_text releases them.
    A list is linked in the GC's list right after ``owner``, the message that will hold it (NULL
    for none: ddl_gc_tenure_after)."""
    if op.container == FILL_ARRAY:
        return _jr_vector(op, t)
    cdef Py_ssize_t base = t.nitems, n
    cdef PyObject* made
    t.pos += 1
    cdef unsigned char c = _jr_next(t)
    if c == b']':
        t.pos += 1
        c = 0
    while c:
        if c == b'n' and not op.jnull:
            bail()
        _jr_push(t, _jr_one(op, t, c, budget))
        c = _jr_after(t, b']')
    n = t.nitems - base
    # the references move from t.items into the new tuple's or list's items
    if op.container == FILL_TUPLE:
        made = ddl_tuple_of(t.items + base, n)
    else:
        made = ddl_list_of(t.items + base, n)
    t.nitems = base
    items = _owned(made)
    if op.container == FILL_LIST:
        ddl_gc_tenure_after(made, owner)
    if op.container == FILL_LIST or op.container == FILL_TUPLE:
        return items
    if op.container == FILL_SET:
        return set(items)
    return frozenset(items)


cdef object _jr_key(Op* op, JText* t):
    """A map key, from its JSON string as the Python reader converts it: a string as is, a bool
    from "true" or "false" (``key_bool``), an integer from its plain digits (``to_int``)."""
    cdef Py_ssize_t start, n
    if op.kind == K_STRING:
        return _jr_str(t)
    if op.kind == K_BOOL:
        start = _jr_plain(t, &n)
        if n == 4 and memcmp(t.s + start, b"true", 4) == 0:
            return True
        if n == 5 and memcmp(t.s + start, b"false", 5) == 0:
            return False
        bail()
    return _jr_int(t, op.kind, b'"')


cdef dict _jr_map(Op* op, JText* t, int budget, PyObject* owner):
    """A map field's object, linked as _jr_array links a list. A null value bails (but where null
    is a value, as in _jr_array), and so does a key that converts to one given
    before (the same text is invalid JSON; "-0" beside "0" the Python reader keeps)."""
    t.pos += 1
    cdef dict entries = {}
    cdef Py_ssize_t size
    cdef unsigned char c = _jr_next(t)
    if c == b'}':
        t.pos += 1
        return entries
    while c:
        if c != b'"':
            bail()
        key = _jr_key(op.key, t)
        if _jr_next(t) != b':':
            bail()
        t.pos += 1
        c = _jr_next(t)
        if c == b'n' and not op.value.jnull:
            bail()
        value = _jr_one(op.value, t, c, budget)
        size = PyDict_GET_SIZE_ptr(<PyObject*>entries)  # len() would call PyDict_Size
        entries[key] = value
        if PyDict_GET_SIZE_ptr(<PyObject*>entries) == size:
            bail()
        c = _jr_after(t, b'}')
    ddl_gc_tenure_held(<PyObject*>entries, owner)
    return entries


cdef inline bint _jr_named(Op* op, const unsigned char* key, Py_ssize_t n) noexcept:
    return ((op.jname_len == n and ddl_json_same(<const unsigned char*>op.jname, key, n))
            or (op.pname_len == n and ddl_json_same(<const unsigned char*>op.pname, key, n)))


cdef inline Py_ssize_t _jr_find(ProgC* p, const unsigned char* key, Py_ssize_t n, Py_ssize_t expected) noexcept:
    """The op read under ``key``, or -1. Keys mostly come in field order, absent fields left
    out, so the search starts at the op after the last one read and wraps around."""
    cdef Py_ssize_t k
    for k in range(expected, p.nops):
        if _jr_named(&p.ops[k], key, n):
            return k
    for k in range(min(expected, p.nops)):
        if _jr_named(&p.ops[k], key, n):
            return k
    return -1


cdef int _jr_ignored(JText* t, Py_ssize_t start, Py_ssize_t n, Py_ssize_t* ignored, int* nignored,
                     int budget) except -1:
    """Pass the value of the unknown key s[start:start + n] (its closing quote read) when the
    text is read with ignore_unknown_fields, as the Python reader passes it; bail otherwise. The
    value is read as a ``typing.Any`` value is (_jr_native), so that the text is valid JSON all
    through, and dropped. Bails too on what the Python reader must see: an extension's key
    (``[full.name]``, which it reads), a key that is not ASCII (its UTF-8 unchecked here), the
    same key twice (an error), or more than JSON_MAX_IGNORED unknown keys in one object."""
    cdef Py_ssize_t i
    cdef const unsigned char* key = t.s + start
    if not t.ignore or nignored[0] == JSON_MAX_IGNORED or (n and key[0] == b'['):
        bail()
    for i in range(n):
        if key[i] >= 0x80:
            bail()
    for i in range(nignored[0]):
        if ignored[2 * i + 1] == n and memcmp(t.s + ignored[2 * i], key, n) == 0:
            bail()
    ignored[2 * nignored[0]] = start
    ignored[2 * nignored[0] + 1] = n
    nignored[0] += 1
    if _jr_next(t) != b':':
        bail()
    t.pos += 1
    _jr_native(t, _jr_next(t), budget - 1)
    return 0


cdef inline int _jr_field(PyObject* raw, Op* op, JText* t, unsigned char c, int budget,
                          PyObject* owner) except -1:
    """Read a field's value (not null) into its slot: 1 when the value may hold references
    (ddl_may_cycle), so that the instance stays tracked by the GC, else 0. Only a container or
    a message can; scalars and enum members never do, and are not looked at again. ``owner``
    is ``raw`` when it is a message, NULL when it is a wrapper's holder (a local's address): a
    list or dict read goes right after it in the GC's list (ProgC.tracked_first)."""
    if op.repeated:
        if c != b'[':
            bail()
        value = _jr_array(op, t, budget, owner)
    elif op.kind == K_MAP:
        if c != b'{':
            bail()
        value = _jr_map(op, t, budget, owner)
    else:
        value = _jr_one(op, t, c, budget)
    if op.member >= 0 and ddl_slot(raw, op.offset) != NULL:
        bail()  # a second member of the oneof
    Py_INCREF_ptr(<PyObject*>value)
    ddl_set_slot(raw, op.offset, <PyObject*>value)
    return 0 if op.atomic else ddl_may_cycle(<PyObject*>value)


cdef inline int _jr_absent(PyObject* raw, ProgC* p, const uint64_t* seen, bint cyclic, int budget) except -1:
    """Fill the slots of the fields the text left out (the ops whose bit is not in ``seen``) as
    the binary decoder fills them (_fill_absent_at): 1 when the instance must stay tracked by the
    GC (``cyclic`` already, or an absent value that may hold references), else 0. Only those
    ops are visited, a word of the bitmap at a time; a union's slot that one member filled is
    passed."""
    cdef Py_ssize_t w, k, words = (p.nops + 63) >> 6
    cdef uint64_t unseen
    cdef Op* op
    for w in range(words):
        unseen = ~seen[w]
        if w == words - 1 and p.nops & 63:
            unseen &= (<uint64_t>1 << (p.nops & 63)) - 1  # no bits beyond the last op
        while unseen:
            k = (w << 6) | ddl_json_lowest(unseen)
            unseen &= unseen - 1
            op = &p.ops[k]
            if op.member >= 0 and ddl_slot(raw, op.offset) != NULL:
                continue  # another member of its union was read, or filled the slot already
            if _fill_absent_at(raw, p, k, NULL, budget, None):
                cyclic = True
    return cyclic


cdef object _jr_message(ProgC* p, JText* t, int budget):
    """The message at t.pos (an opening brace). Absent fields are filled as the binary decoder
    fills them; null is absence (a field whose null is a value bails)."""
    cdef uint64_t seen[JSON_SEEN_WORDS]
    cdef uint64_t nulls[JSON_SEEN_WORDS]  # the fields given as null (absent, but seen once)
    cdef bint nulled = False
    cdef Py_ssize_t w
    cdef uint64_t groups_read = 0
    cdef Py_ssize_t index, start, n, expected = 0
    cdef unsigned char c
    cdef Op* op
    cdef bint cyclic = not p.untrack
    cdef Py_ssize_t ignored[2 * JSON_MAX_IGNORED]  # the unknown keys passed: (start, length) each
    cdef int nignored = 0
    cdef Py_ssize_t opened = t.pos
    if budget < 0 or p.json_bail or p.nops > JSON_MAX_OPS:
        bail()
    seen[0] = 0  # the words of the message's ops: one for most messages, without a call
    if p.nops > 64:
        memset(&seen[1], 0, ((p.nops - 1) >> 6) * sizeof(uint64_t))
    cdef PyObject* raw = ddl_alloc_untracked(p.cls)  # tracked at the end, as the binary decoder's
    if raw == NULL:
        raise MemoryError()
    obj = <object>raw
    Py_DECREF_ptr(raw)  # ``obj`` holds the reference from here on, released if anything fails
    if p.tracked_first:
        ddl_gc_tenure(raw)  # before what it holds, as the binary decoder links it (decode.pxi)
    t.pos += 1
    c = _jr_next(t)
    if c == b'}':
        t.pos += 1
        c = 0
    while c:
        if c != b'"':
            bail()
        # Keys mostly come in field order under their JSON names: the expected one is matched
        # in the text, with its closing quote, before any scan (_jr_plan makes a class whose
        # names need escapes bail, so a quote there is where the key ends).
        index = -1
        if expected < p.nops:
            op = &p.ops[expected]
            n = op.jname_len
            if (t.end - t.pos > n + 1 and t.s[t.pos + 1 + n] == b'"'
                    and ddl_json_same(t.s + t.pos + 1, <const unsigned char*>op.jname, n)):
                index = expected
                t.pos += n + 2
        if index < 0:
            start = _jr_plain(t, &n)
            index = _jr_find(p, t.s + start, n, expected)
            if index < 0:
                if not _jr_any_key(t, opened, start, n):  # an Any's "@type", or else
                    _jr_ignored(t, start, n, ignored, &nignored, budget)  # an unknown key (or bails)
                c = _jr_after(t, b'}')
                continue
        if seen[index >> 6] & (<uint64_t>1 << (index & 63)):
            bail()  # a field again (in either spelling)
        seen[index >> 6] |= <uint64_t>1 << (index & 63)
        expected = index + 1
        op = &p.ops[index]
        if _jr_next(t) != b':':
            bail()
        t.pos += 1
        c = _jr_next(t)
        if c == b'n' and not (op.jnull and op.native == NATIVE_VALUE_MESSAGE and op.member < 0 and not op.group):
            if op.jnull:
                bail()  # null as a value of a union member or of typing.Any: the Python reader's
            _jr_literal(t, b"null", 4)
            if not nulled:  # the first null: its bitmap is cleared only now, as nulls are rare
                memset(nulls, 0, sizeof(nulls))
                nulled = True
            nulls[index >> 6] |= <uint64_t>1 << (index & 63)
        else:
            if op.group:
                if groups_read & op.group:
                    bail()  # a second member of a ddl.field(oneof=...) group
                groups_read |= op.group
            if _jr_field(raw, op, t, c, budget, raw):
                cyclic = True
        c = _jr_after(t, b'}')
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


cdef inline void _jtext_start(JText* t, const unsigned char* s, Py_ssize_t n, bint ignore, object registry) noexcept:
    """Start reading the JSON text s[:n] (NUL at s[n]) with these options (``registry``: a dict
    or None); _jtext_end releases what the reading holds, whatever happened."""
    t.ignore = ignore
    t.registry = NULL if registry is None else <PyObject*>registry
    t.any_at = -1
    t.s = s
    t.pos = 0
    t.end = n
    t.items = NULL
    t.nitems = 0
    t.room = 0


cdef inline void _jtext_end(JText* t) noexcept:
    while t.nitems:  # the elements of arrays a failure left open
        t.nitems -= 1
        Py_DECREF_ptr(t.items[t.nitems])
    PyMem_Free(t.items)


cdef object _json_read_text(ProgC* p, const unsigned char* s, Py_ssize_t n, bint ignore, object registry):
    """The message of ``p``'s class in the JSON text s[:n] (``registry``: a dict or None)."""
    cdef JText t
    _jtext_start(&t, s, n, ignore, registry)
    try:
        if _jr_next(&t) != b'{':
            bail()
        if p.jany:
            obj = _jr_any(p, &t, min(DEFAULT_MAX_DEPTH, C_DEPTH_LIMIT))  # an Any as the whole text
        else:
            obj = _jr_message(p, &t, min(DEFAULT_MAX_DEPTH, C_DEPTH_LIMIT))
        if ddl_json_ws(s, t.pos, n) != n:
            bail()
        return obj
    finally:
        _jtext_end(&t)


cdef object _json_read(ProgC* p, object data, bint ignore, object registry):
    """The message of ``p``'s class in the JSON text ``data``, a str or bytes (None for any
    other type). A large text pauses the cyclic GC as a large binary decode does (see
    ddl/_gcpause.py): a fresh tree of objects holds no garbage to find. The pause begins before
    the text's buffer is taken, since it runs Python code."""
    cdef Py_ssize_t n
    cdef const char* text
    if type(data) is str:
        n = len(<str>data)  # characters: a lower bound of the UTF-8's bytes
    elif type(data) is bytes:
        n = PyBytes_GET_SIZE(data)
    else:
        return None
    cdef bint paused = n > GC_PAUSE_BYTES
    if paused:
        _gc_pause()
    try:
        if type(data) is str:
            text = ddl_utf8(<PyObject*>data, &n)
        else:
            text = PyBytes_AS_STRING(data)
        return _json_read_text(p, <const unsigned char*>text, n, ignore, registry)
    finally:
        if paused:
            _gc_resume()


# -- JSON read ------------------------------------------------------------------------------------
# What the reader above needs of the plan (program.pxi's build calls these), taken from where the
# Python JSON reader (ddl/_json/_read_source.py) takes it, so that both read the same keys and names.

cdef int _jr_names(Program p, Op* op, object f, Py_ssize_t index) except -1:
    """The two keys an op is read under: its JSON name and its .proto name."""
    jname = _own(p, f.json_names[index].encode())
    pname = _own(p, f.proto_names[index].encode())
    op.jname = PyBytes_AS_STRING_ptr(jname)
    op.jname_len = PyBytes_GET_SIZE_ptr(jname)
    op.pname = PyBytes_AS_STRING_ptr(pname)
    op.pname_len = PyBytes_GET_SIZE_ptr(pname)
    return 0


cdef int _jr_enum_names(Program p, Op* op, object node) except -1:
    """An enum's JSON names and values, those of the Python reader (``enum_names``)."""
    from ._json._read_values import enum_names
    names = enum_names(node)
    op.jenum_names = _own(p, tuple(name.encode() for name in names))
    op.jenum_values = _own(p, tuple(names.values()))
    return 0


cdef int _jr_plan(Program p, object plan) except -1:
    """Whether the JSON reader of the class must always bail (ProgC.json_bail): the Python
    reader of the class is hand-written (a wrapper, Value, Any...); a key names two fields (the
    Python reader gives the value to both); an absent message field is of such a class but Any
    (the Python reader reads ``{}`` with its hand-written reader, which may refuse it); or a JSON
    name (``ddl.field(json_name=...)``) holds a quote, a backslash or a control character,
    which a key only holds escaped (the reader matches the expected name against the text
    before it scans the key, see _jr_message)."""
    from ._json._read_wkt import special
    cdef Py_ssize_t i
    cdef Op* op
    keys = {}
    from . import wkt
    bail_always = special(plan.cls) is not None
    for i in range(p.c.nops):
        op = &p.c.ops[i]
        for key in (op.jname[:op.jname_len], op.pname[:op.pname_len]):
            bail_always |= keys.setdefault(key, i) != i
        bail_always |= any(byte < 0x20 or byte == 0x22 or byte == 0x5C for byte in op.jname[:op.jname_len])
        if (op.fill == FILL_MESSAGE and special(<object><PyObject*>op.fill_sub.cls) is not None
                and <object><PyObject*>op.fill_sub.cls is not wkt.Any):  # ``{}``: the empty Any filled
            bail_always = True
    p.c.json_bail = bail_always
    return 0
