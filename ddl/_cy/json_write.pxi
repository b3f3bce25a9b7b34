# The compiled JSON writer: ddl.to_json's one-line text written straight from a message into one
# growing buffer (strs that are not ASCII join it only when the result is made, at its final
# width: ddl_json_out.h), with no dict in between and no json module, for the options that change code
# (see Variant in ddl/_json/_write_source.py). It follows the Python path (the generated writers
# of _write_source.py, then json.JSONEncoder(ensure_ascii=False)) rule for rule (ddl's own types,
# a datetime or a Decimal, in json_natives.pxi), and takes its happy path only: anything else (a
# ddl.wkt class but the wrappers, a subclass, a set, a value out of range, deep nesting, a lone
# surrogate in a text with a name that is not ASCII) bails, and the Python path writes the whole
# message, or raises its error.
#
# No Python code runs while a message is written: values are accepted by exact type only, the
# only dict looked into (an enum's names) has exact int keys, and nothing GC-tracked is made
# until the text is done. So the slots, list items and dict entries are read through borrowed
# pointers, and the strs noted for the result are borrowed until it is made; an error or a bail
# only unwinds, and never reads one again.

cdef extern from "ddl_json_write.h":
    ctypedef struct JOut "ddl_jout":
        char* base
        char* pos
        void* anys
        int compact  # separators as json.dumps's (",", ":"): each one's first 2 - compact bytes
    int ddl_jout_init(JOut* o, char* stack, Py_ssize_t size, Py_ssize_t hint) except -1
    void ddl_jout_free(JOut* o) noexcept
    int ddl_jout_room(JOut* o, Py_ssize_t need) except -1
    PyObject* ddl_json_text(JOut* o) except? NULL
    int ddl_json_str(JOut* o, PyObject* s) except -1
    char* ddl_json_i64(char* p, int64_t v) noexcept
    char* ddl_json_u64(char* p, uint64_t v) noexcept
    char* ddl_json_int_text(char* p, int64_t x, bint quoted) noexcept
    int ddl_json_double(JOut* o, double d) except -1
    Py_ssize_t ddl_json_float_run(JOut* o, PyObject** items, Py_ssize_t i, Py_ssize_t n) except -1
    Py_ssize_t ddl_json_int_run(JOut* o, PyObject** items, Py_ssize_t i, Py_ssize_t n,
                                int64_t lo, int64_t hi, bint quoted) except -1
    int ddl_json_float32(JOut* o, double d) except -1

cdef extern from "ddl_base64.h":
    size_t ddl_base64_size(size_t n) noexcept
    size_t ddl_base64(char* out, const unsigned char* s, size_t n) noexcept

cdef enum:
    # The options, as bits (Variant.key's).
    J_PROTO_NAMES = 1
    J_ALWAYS = 2
    J_INTEGERS = 4
    # The text's layout, which no Variant has: separators (",", ":") instead of (", ", ": ").
    J_COMPACT = 8
    # Past this many nested messages the Python path writes the message (or finds it too deep
    # for its stack): up to here it never does, from any ordinary caller's depth.
    J_DEPTH_LIMIT = 100

import json as _json
from sys import intern as _intern


# int's own methods: an enum class that overrides none of them makes the Python path's name
# lookup, zero test and int() run no Python code, so the C path can do the same.
_INT_METHODS = ("__bool__", "__hash__", "__eq__", "__ne__", "__int__", "__index__", "__lt__", "__le__", "__gt__", "__ge__")


def _json_text(str value):
    """``value`` as the JSON encoder writes a str, in UTF-8 (a lone surrogate kept as bytes the
    final decode refuses, so such text bails)."""
    return _json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


cdef int _json_enum(Program p, Op* op, object node) except -1:
    """Each number's name as JSON text (Op.jenum, Op.jenum_table) and as a str (Op.dict_names), kept
    by ``p``; left NULL when the Python path must write the enum."""
    from ._json._write_values import enum_names
    names = enum_names(node)
    if None in names.values() or any(getattr(node.cls, m) is not getattr(int, m) for m in _INT_METHODS):
        return 0
    op.jenum = _own(p, {int(number): _json_text(name) for number, name in names.items()})
    op.jenum_table = _own(p, _enum_table(<dict>op.jenum))
    op.dict_names = _own(p, (None, None, {int(number): _intern(name) for number, name in names.items()}))
    return 0


cdef int _json_keys(Program p, Op* op, str json_name, str proto_name) except -1:
    """A field's keys: as the JSON text the writer copies, and as the strs of to_dict (with an
    enum's names, once _json_enum has set them)."""
    op.jkey = _own(p, _json_text(json_name) + b": ")
    op.jpkey = _own(p, _json_text(proto_name) + b": ")
    names = (<tuple>op.dict_names)[2] if op.dict_names != NULL else None
    op.dict_names = _own(p, (_intern(json_name), _intern(proto_name), names))
    return 0


def mark_extended(Program program):
    """Note that an extension (ddl.Extension) was made for ``program``'s class or a base of it
    (ddl._compiled.extended calls it): from then on the JSON writer leaves its messages with
    unknown fields to the Python path, which finds the extensions among them."""
    program.c.jextended = True


cdef int _json_fill(Program p, object plan) except -1:
    """Each op's key texts, and the order in which JSON writes the ops (plan.fields)."""
    from ._extensions import declared_for
    from ._json._write_wkt import SPECIAL, kept_tags
    cdef Op* op
    cdef Py_ssize_t k = 0
    from . import wkt
    p.c.jspecial = plan.cls in SPECIAL
    p.c.jany = plan.cls is wkt.Any
    if p.c.jany and [f.name for _, f, _ in plan.order] != ["type_url", "value"]:
        raise AssertionError(f"ddl.wkt.Any's ops are {plan.order}")
    p.c.jkept = bool(kept_tags(plan.fields))
    p.c.jextended = declared_for(plan.cls)
    p.c.jorder = <int*>PyMem_Calloc(max(1, p.c.nops), sizeof(int))
    if p.c.jorder == NULL:
        raise MemoryError()
    index = {(f.name, member): i for i, (number, f, member) in enumerate(plan.order)}
    for f in plan.fields:
        members = len(f.node.members) if isinstance(f.node, UnionNode) else 0
        for member in (range(members) if members else (-1,)):
            i = index[f.name, member]
            op = &p.c.ops[i]
            _json_keys(p, op, f.json_names[max(member, 0)], f.proto_names[max(member, 0)])
            op.jmembers = members
            p.c.jorder[k] = i
            k += 1
    if k != p.c.nops:
        raise AssertionError(f"{plan.cls.__qualname__}: {k} JSON fields for {p.c.nops} ops")
    return 0


# -- writing -----------------------------------------------------------------------------------

cdef inline int _jput(JOut* o, const char* s, Py_ssize_t n) except -1:
    ddl_jout_room(o, n)
    memcpy(o.pos, s, n)
    o.pos += n
    return 0


cdef inline int _jsep(JOut* o, const char* s) except -1:
    """The separator ``s`` (", " or ": "), or its first byte alone in a compact text: two bytes
    written, so that the copy is one store whatever the layout, and the space left to be
    written over."""
    ddl_jout_room(o, 2)
    memcpy(o.pos, s, 2)
    o.pos += 2 - o.compact
    return 0


cdef inline int _jkey(Op* op, JOut* o, int flags, bint* first) except -1:
    """The separator before a field (none before the first), and its key (which ends in ": ",
    or ":" in a compact text)."""
    cdef PyObject* key = op.jpkey if flags & J_PROTO_NAMES else op.jkey
    cdef Py_ssize_t n = PyBytes_GET_SIZE_ptr(key)
    cdef int cut = (flags & J_COMPACT) != 0  # as o.compact, from the register flags is in
    ddl_jout_room(o, n + 2)
    if not first[0]:
        memcpy(o.pos, b", ", 2)
        o.pos += 2 - cut
    first[0] = False
    ddl_copy(<unsigned char*>o.pos, <const unsigned char*>PyBytes_AS_STRING_ptr(key), n)  # short: no call
    o.pos += n - cut
    return 0


cdef inline double _jnumber(PyObject* v) except? -1.0:
    """A float field's value as a double: a float, or an int (as float() converts it)."""
    if Py_TYPE(v) == &PyFloat_Type:
        return PyFloat_AS_DOUBLE_ptr(v)
    if Py_TYPE(v) != &PyLong_Type:
        bail()
    return PyLong_AsDouble_ptr(v)  # OverflowError for an int beyond doubles: the Python path says so


cdef inline bint _jint_range(int kind, int64_t* lo, int64_t* hi) noexcept:
    """The values of integer ``kind`` within int64, [lo, hi], and whether JSON writes them in
    quotes (proto3 does for the 64-bit kinds)."""
    if kind == K_INT32 or kind == K_SINT32 or kind == K_SFIXED32:
        lo[0], hi[0] = -0x80000000, 0x7FFFFFFF
        return False
    if kind == K_UINT32 or kind == K_FIXED32:
        lo[0], hi[0] = 0, 0xFFFFFFFF
        return False
    lo[0] = 0 if kind == K_UINT64 or kind == K_FIXED64 else INT64_MIN
    hi[0] = INT64_MAX
    return True


cdef inline bint _jint_kind(int kind) noexcept:
    """Whether ``kind`` is one of the integer kinds (_jint's)."""
    return kind < K_STRING and kind != K_BOOL and kind != K_ENUM and kind != K_FLOAT and kind != K_DOUBLE


cdef int _jint_field(Op* op, int64_t i, JOut* o, int flags, bint* first) except -1:
    """An integer field's key and value ``i``, as _jint writes it: the value was read once, for
    the zero test and the digits."""
    cdef int64_t lo, hi
    cdef bint quoted = _jint_range(op.kind, &lo, &hi)
    if i < lo or i > hi:
        bail()
    _jkey(op, o, flags, first)
    ddl_jout_room(o, 24)
    o.pos = ddl_json_int_text(o.pos, i, quoted)
    return 0


cdef int _jint(int kind, PyObject* v, JOut* o, bint quoted) except -1:
    """An integer of ``kind`` (an exact int in its range): a number, or in quotes for the 64-bit
    kinds and map keys."""
    cdef int64_t i = 0, lo, hi
    cdef uint64_t u = 0
    if Py_TYPE(v) != &PyLong_Type:
        bail()  # a bool, an IntEnum, another int subclass: the Python path converts it
    ddl_jout_room(o, 24)
    if _jint_range(kind, &lo, &hi):
        quoted = True
    if kind == K_UINT64 or kind == K_FIXED64:
        if ddl_as_uint64(v, &u):
            bail()
    else:
        if ddl_as_int64(v, &i) or i < lo or i > hi:
            bail()
    if quoted:
        o.pos[0] = b'"'
        o.pos += 1
    o.pos = ddl_json_u64(o.pos, u) if u else ddl_json_i64(o.pos, i)
    if quoted:
        o.pos[0] = b'"'
        o.pos += 1
    return 0


cdef int _jenum(Op* op, PyObject* v, JOut* o, int flags) except -1:
    """An enum value: a member of the enum, or a plain int (not for a closed enum)."""
    cdef int64_t i = 0
    cdef PyObject* text
    cdef bint member = Py_TYPE(v) == <PyTypeObject*>op.enum_cls
    if op.jenum == NULL or not (member or (Py_TYPE(v) == &PyLong_Type and not op.closed_enum)):
        bail()
    if ddl_as_int64(v, &i) or i < -0x80000000 or i > 0x7FFFFFFF:
        bail()
    if not flags & J_INTEGERS:
        if <uint64_t>i < <uint64_t>Py_SIZE_ptr(op.jenum_table):
            text = PyTuple_GET_ITEM_ptr(op.jenum_table, i)
            if text != ddl_none:
                return _jput(o, PyBytes_AS_STRING_ptr(text), PyBytes_GET_SIZE_ptr(text))
        # The names are keyed by exact ints: a member is looked up by its number, never by
        # itself (its class's __hash__ might be Python code).
        key = <object>v if not member else i
        text = PyDict_GetItem_ptr(op.jenum, <PyObject*>key)
        if text != NULL:
            return _jput(o, PyBytes_AS_STRING_ptr(text), PyBytes_GET_SIZE_ptr(text))
        if member:
            bail()  # a member the names lack: the Python path's lookup fails
    ddl_jout_room(o, 24)
    o.pos = ddl_json_i64(o.pos, i)
    return 0


cdef int _jscalar(Op* op, PyObject* v, JOut* o, int flags) except -1:
    cdef int kind = op.kind
    cdef Py_ssize_t n
    if kind == K_STRING:
        if Py_TYPE(v) != &PyUnicode_Type:
            bail()  # a str subclass
        ddl_json_str(o, v)
    elif kind == K_BOOL:
        if v == ddl_true:
            _jput(o, b"true", 4)
        elif v == ddl_false:
            _jput(o, b"false", 5)
        else:
            bail()
    elif kind == K_ENUM:
        _jenum(op, v, o, flags)
    elif kind == K_DOUBLE:
        ddl_json_double(o, _jnumber(v))
    elif kind == K_FLOAT:
        if ddl_json_float32(o, _jnumber(v)):
            bail()  # beyond a float's range
    elif kind == K_BYTES:
        if Py_TYPE(v) != &PyBytes_Type:
            bail()
        n = PyBytes_GET_SIZE_ptr(v)
        ddl_jout_room(o, <Py_ssize_t>ddl_base64_size(<size_t>n) + 2)
        o.pos[0] = b'"'
        o.pos += 1 + ddl_base64(o.pos + 1, <const unsigned char*>PyBytes_AS_STRING_ptr(v), <size_t>n)
        o.pos[0] = b'"'
        o.pos += 1
    else:
        _jint(kind, v, o, False)
    return 0


cdef inline int _jvalue(Op* op, PyObject* v, JOut* o, int depth, int flags) except -1:
    """One value of ``op`` (a field's, an element's, a map value)."""
    if op.kind <= K_BYTES:
        return _jscalar(op, v, o, flags)
    if op.kind == K_MESSAGE and not op.native:
        return _jmessage(op.sub, v, o, depth - 1, flags)
    return _jnative_form(op, v, o, depth, flags)  # json_natives.pxi


cdef bint _jzero(Op* op, PyObject* v) except -1:
    """Whether a field without presence holds proto3's zero, which is left out (the Python path
    still checks its type: anything but the exact types bails)."""
    cdef int kind = op.kind
    cdef PyTypeObject* t = Py_TYPE(v)
    cdef double d
    cdef int64_t i
    if kind == K_BOOL:
        if v != ddl_true and v != ddl_false:
            bail()
        return v == ddl_false
    if kind == K_FLOAT or kind == K_DOUBLE:
        if t == &PyFloat_Type:
            d = PyFloat_AS_DOUBLE_ptr(v)
            return d == 0.0 and not signbit(d)  # -0.0 is written
        if t != &PyLong_Type:
            bail()
        return ddl_as_int64(v, &i) == 0 and i == 0  # float(0) is +0.0
    if kind == K_STRING:
        if t != &PyUnicode_Type:
            bail()
        return len(<str>v) == 0
    if kind == K_BYTES:
        if t != &PyBytes_Type:
            bail()
        return PyBytes_GET_SIZE_ptr(v) == 0
    if kind == K_ENUM and (op.jenum == NULL or (t != &PyLong_Type and t != <PyTypeObject*>op.enum_cls)):
        bail()
    if kind != K_ENUM and t != &PyLong_Type:
        bail()
    return ddl_as_int64(v, &i) == 0 and i == 0


cdef int _jarray(Op* op, PyObject* v, JOut* o, int flags, bint* first) except -1:
    """A ``ddl.Vector``'s ``array.array`` (or one given to a list field), read from its buffer
    while the view is held: the numbers the Python path writes for its items."""
    cdef Py_buffer view
    cdef Py_ssize_t k, n
    cdef int width = 8 if op.vcode == b'q' or op.vcode == b'Q' or op.vcode == b'd' else 4
    cdef const unsigned char* p
    cdef bint quoted = op.vcode == b'q' or op.vcode == b'Q'  # 64-bit integers are strings
    PyObject_GetBuffer(<object>v, &view, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS)  # array's: C code only
    try:
        if op.vcode == 0 or not ddl_buffer_holds(&view, op.vcode, width):
            bail()  # another typecode: the Python path's to judge
        n = view.len // width
        if n == 0:
            if flags & J_ALWAYS:
                _jkey(op, o, flags, first)
                _jput(o, b"[]", 2)
            return 0
        _jkey(op, o, flags, first)
        _jput(o, b"[", 1)
        p = <const unsigned char*>view.buf
        for k in range(n):
            if k:
                _jsep(o, b", ")
            if op.vcode == b'f':
                if ddl_json_float32(o, (<const float*>p)[k]):
                    bail()
            elif op.vcode == b'd':
                ddl_json_double(o, (<const double*>p)[k])
            else:
                ddl_jout_room(o, 24)
                if quoted:
                    o.pos[0] = b'"'
                    o.pos += 1
                if op.vcode == b'i':
                    o.pos = ddl_json_i64(o.pos, (<const int32_t*>p)[k])
                elif op.vcode == b'I':
                    o.pos = ddl_json_i64(o.pos, (<const uint32_t*>p)[k])
                elif op.vcode == b'q':
                    o.pos = ddl_json_i64(o.pos, (<const int64_t*>p)[k])
                else:
                    o.pos = ddl_json_u64(o.pos, (<const uint64_t*>p)[k])
                if quoted:
                    o.pos[0] = b'"'
                    o.pos += 1
        return _jput(o, b"]", 1)
    finally:
        PyBuffer_Release(&view)


cdef int _jrepeated(Op* op, PyObject* v, JOut* o, int depth, int flags, bint* first) except -1:
    cdef Py_ssize_t k, n
    cdef int64_t lo, hi
    cdef bint quoted
    cdef PyObject** items
    if Py_TYPE(v) == <PyTypeObject*>_ARRAY:
        return _jarray(op, v, o, flags, first)
    if Py_TYPE(v) != &PyList_Type and Py_TYPE(v) != &PyTuple_Type:
        bail()  # a set's order, or an error: the Python path's
    n = Py_SIZE_ptr(v)
    if n == 0:
        if flags & J_ALWAYS:
            _jkey(op, o, flags, first)
            _jput(o, b"[]", 2)
        return 0
    _jkey(op, o, flags, first)
    _jput(o, b"[", 1)
    items = PySequence_Fast_ITEMS_ptr(v)
    if _jint_kind(op.kind):
        quoted = _jint_range(op.kind, &lo, &hi)  # long runs of integers: no dispatch per element
        k = ddl_json_int_run(o, items, 0, n, lo, hi, quoted)
        while k < n:  # a value out of the run's range, or anything the Python path judges
            if k:
                _jsep(o, b", ")
            _jint(op.kind, items[k], o, False)
            k = ddl_json_int_run(o, items, k + 1, n, lo, hi, quoted)
        return _jput(o, b"]", 1)
    if op.kind == K_DOUBLE:  # long runs of numbers: no dispatch per element
        k = ddl_json_float_run(o, items, 0, n)
        while k < n:  # an int among the floats, or anything the Python path judges
            if k:
                _jsep(o, b", ")
            ddl_json_double(o, _jnumber(items[k]))
            k = ddl_json_float_run(o, items, k + 1, n)
        return _jput(o, b"]", 1)
    for k in range(n):
        if k:
            _jsep(o, b", ")
        _jvalue(op, items[k], o, depth, flags)
    return _jput(o, b"]", 1)


cdef int _jmapkey(Op* op, PyObject* k, JOut* o) except -1:
    """A map key as the Python path writes it: a str as itself, a bool as "true" or "false",
    an integer as its decimal digits, always a JSON string."""
    if op.kind == K_STRING:
        if Py_TYPE(k) != &PyUnicode_Type:
            bail()
        ddl_json_str(o, k)
    elif op.kind == K_BOOL:
        if k == ddl_true:
            _jput(o, b'"true"', 6)
        elif k == ddl_false:
            _jput(o, b'"false"', 7)
        else:
            bail()
    elif op.kind < K_STRING and op.kind != K_ENUM and op.kind != K_FLOAT and op.kind != K_DOUBLE:
        _jint(op.kind, k, o, True)
    else:
        bail()
    return 0


cdef int _jmap(Op* op, PyObject* v, JOut* o, int depth, int flags, bint* first) except -1:
    """A map as a JSON object, its entries in the dict's order."""
    cdef Py_ssize_t at = 0
    cdef PyObject* k
    cdef PyObject* x
    cdef bint none = True
    if Py_TYPE(v) != &PyDict_Type:
        bail()
    if PyDict_GET_SIZE_ptr(v) == 0:
        if flags & J_ALWAYS:
            _jkey(op, o, flags, first)
            _jput(o, b"{}", 2)
        return 0
    _jkey(op, o, flags, first)
    _jput(o, b"{", 1)
    while PyDict_Next_ptr(v, &at, &k, &x):
        if not none:
            _jsep(o, b", ")
        none = False
        _jmapkey(op.key, k, o)
        _jsep(o, b": ")
        _jvalue(op.value, x, o, depth, flags)
    return _jput(o, b"}", 1)


cdef int _junion(ProgC* p, Py_ssize_t at, PyObject* v, JOut* o, int depth, int flags, bint* first) except -1:
    """A union (a oneof of types), whose members are the ops at ``jorder[at:]``: the member is
    picked by the value's exact type, the last member taking it, as the Python path's table
    does; anything else (a subclass, a value no member takes) bails."""
    cdef Op* op = &p.ops[p.jorder[at]]
    cdef int m
    if v == ddl_none:
        return 0 if op.presence else bail()
    for m in range(op.jmembers - 1, -1, -1):
        op = &p.ops[p.jorder[at + m]]
        if ddl_tuple_has(op.select, <PyObject*>Py_TYPE(v)):
            _jkey(op, o, flags, first)
            return _jvalue(op, v, o, depth, flags)
    return bail()


cdef inline int _jfield(Op* op, PyObject* v, JOut* o, int depth, int flags, bint* first) except -1:
    """One field (not a union) under its key, or nothing when it is absent or left out."""
    cdef int64_t i
    if op.repeated:
        return _jrepeated(op, v, o, depth, flags, first)
    if op.kind == K_MAP:
        return _jmap(op, v, o, depth, flags, first)
    if _jint_kind(op.kind) and Py_TYPE(v) == &PyLong_Type and ddl_as_int64(v, &i) == 0:
        if i == 0 and not op.presence and not flags & J_ALWAYS:
            return 0  # proto3's zero, left out
        return _jint_field(op, i, o, flags, first)
    if op.presence:
        if v == ddl_none:
            return bail() if op.required else 0  # a proto2 required field: the Python path's error
    elif op.kind <= K_BYTES and not flags & J_ALWAYS and _jzero(op, v):
        return 0
    elif op.skip == SKIP_NONE and v == ddl_none:
        return 0  # an Any of None: absent in binary, and so never written (even with J_ALWAYS)
    elif op.skip == SKIP_EMPTY_DICT and Py_TYPE(v) == &PyDict_Type and PyDict_GET_SIZE_ptr(v) == 0:
        return 0  # an empty Struct, likewise
    _jkey(op, o, flags, first)
    return _jvalue(op, v, o, depth, flags)


cdef int _jmessage(ProgC* p, PyObject* obj, JOut* o, int depth, int flags) except -1:
    """A message as a JSON object: its fields in declaration order."""
    cdef Py_ssize_t at = 0
    cdef Op* op
    cdef PyObject* v
    cdef uint64_t groups_set = 0  # as in _encode
    cdef bint first = True
    if depth < 0 or Py_TYPE(obj) != p.cls or p.jspecial:
        bail()
    if ddl_slot(obj, p.unknown_offset) != ddl_none and (p.jkept or p.jextended):
        # Unknown fields have no JSON form and are dropped, unless they hold a value of a field
        # that its Python type cannot hold (an error) or an extension, which JSON writes: the
        # Python path knows both.
        bail()
    _jput(o, b"{", 1)
    while at < p.nops:
        op = &p.ops[p.jorder[at]]
        v = ddl_slot(obj, op.offset)
        if v == ddl_none and op.presence and not op.required:
            at += op.jmembers if op.jmembers else 1  # absent: nothing is written
            continue
        if v == NULL:
            bail()
        if op.group and v != ddl_none:
            if groups_set & op.group:
                bail()  # two members of a oneof group set: the Python path reports it
            groups_set |= op.group
        if op.jmembers:
            _junion(p, at, v, o, depth, flags, &first)
            at += op.jmembers
        else:
            _jfield(op, v, o, depth, flags, &first)
            at += 1
    return _jput(o, b"}", 1)


cdef inline int _jflag(object option, int bit) noexcept:
    """``bit`` for True, 0 for False, -1 for anything else (the Python path's to judge)."""
    return bit if option is True else 0 if option is False else -1


def to_json(msg, proto_names, always_print, integers, registry=None, compact=False):
    """``ddl.to_json(msg)``'s one-line text for these options (exact bools) and registry (a dict
    or None), with the separators (",", ":") when ``compact``, or None when the Python path must
    write it (any bail, any class this engine does not run)."""
    return _to_json(msg, proto_names, always_print, integers, registry, compact)


cdef object _to_json(object msg, object proto_names, object always_print, object integers, object registry,
                     bint compact=False):
    """to_json, called by ddl.to_json's entry point without a lookup of the name."""
    cdef int a = _jflag(proto_names, J_PROTO_NAMES), b = _jflag(always_print, J_ALWAYS)
    cdef int c = _jflag(integers, J_INTEGERS)
    if a < 0 or b < 0 or c < 0:
        return None
    try:
        program = _program_for(type(msg))
        if program is None:
            return None
        return _json_text_of(&(<Program>program).c, msg, a | b | c | (J_COMPACT if compact else 0), registry,
                             J_DEPTH_LIMIT)  # json_any.pxi
    except Exception:
        return None
