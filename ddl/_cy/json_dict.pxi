# The compiled ddl.to_dict: a message's proto3 JSON value as plain Python values (dicts, lists,
# strs, ints, floats, bools), made straight from the message with no text in between. It follows
# the Python path (the generated writers of ddl/_json/_write_source.py) rule for rule, as the
# compiled JSON writer does, and shares that writer's tests of what it takes (the zero of a field
# without presence, the ranges of integers, the order of fields): whatever the writer bails on,
# this bails on, and the Python path makes the whole value or raises its error.
#
# Unlike the writer it makes objects as it goes, and an allocation can start a garbage
# collection, whose finalizers run Python code that can change the message being read. So it
# holds a reference to every value while it reads it (Cython's objects), and reads a list's
# length and a message's slots again at each step. That also lets it call the Python path for
# the values it leaves to it one by one: a google.protobuf.Value's JSON value, and the
# well-known messages whose JSON is no object of their fields (FieldMask, Value, ListValue, Any).

cdef extern from "ddl_json_write.h":
    int ddl_float32_value(double d, double* out) except -1

cdef extern from "Python.h":
    object PyUnicode_New(Py_ssize_t size, Py_UCS4 maxchar)

from cpython.float cimport PyFloat_FromDouble
from cpython.long cimport PyLong_FromLong, PyLong_FromLongLong, PyLong_FromUnsignedLong

# The Python path's conversions this file calls (install_json): the JSON value of one
# well-known message given the options, and typing.Any's and dict[str, Any]'s.
cdef object _python_message_value = None
cdef object _python_json_value = None
cdef object _python_json_object = None

cdef struct DictOptions:
    int flags                # J_PROTO_NAMES | J_ALWAYS | J_INTEGERS
    PyObject* registry       # the caller's (borrowed for the call), for an Any's packed message


cdef inline object _dascii(const char* s, Py_ssize_t n):
    """The ASCII text s[:n] as a str, copied into it (no decoder: digits, base64, times)."""
    text = PyUnicode_New(n, 127)
    memcpy(PyUnicode_DATA(text), s, n)
    return text


cdef inline object _dkey(Op* op, int flags):
    """A field's key: its JSON name, or its .proto name."""
    return <object>PyTuple_GET_ITEM_ptr(op.dict_names, 1 if flags & J_PROTO_NAMES else 0)


cdef object _dint(int kind, object v, bint key):
    """An integer of ``kind`` (an exact int in its range): itself, or its decimal str for the
    64-bit kinds and for map keys."""
    cdef int64_t i = 0, lo, hi
    cdef uint64_t u = 0
    cdef char digits[24]
    cdef char* end
    if type(v) is not int:
        bail()  # a bool, an IntEnum, another int subclass: the Python path converts it
    if _jint_range(kind, &lo, &hi):
        key = True
    if kind == K_UINT64 or kind == K_FIXED64:
        if ddl_as_uint64(<PyObject*>v, &u):
            bail()
    elif ddl_as_int64(<PyObject*>v, &i) or i < lo or i > hi:
        bail()
    if not key:
        return v
    end = ddl_json_u64(digits, u) if u else ddl_json_i64(digits, i)
    return _dascii(digits, end - digits)


cdef object _dnonfinite(double d):
    """NaN or an infinity as protobuf's strings."""
    return "NaN" if d != d else "Infinity" if d > 0 else "-Infinity"


cdef object _dfloat(object v, bint single):
    """A double or float field's value: a float (for a float field, the double of the fewest
    digits that read back as the 32-bit float it rounds to), or NaN's and the infinities'
    strings. An int is converted as float() converts it."""
    cdef double d, shortest
    if type(v) is float:
        d = PyFloat_AS_DOUBLE_ptr(<PyObject*>v)
    elif type(v) is int:
        d = PyLong_AsDouble_ptr(<PyObject*>v)  # OverflowError beyond doubles: the Python path says so
    else:
        bail()
    if not isfinite(d):
        return _dnonfinite(d)
    if single:
        if ddl_float32_value(d, &shortest):
            bail()  # beyond a float's range
        return PyFloat_FromDouble(shortest)
    return v if type(v) is float else PyFloat_FromDouble(d)


cdef object _dbase64(const unsigned char* s, Py_ssize_t n):
    """Bytes as standard base64 with padding, a str."""
    text = PyUnicode_New(<Py_ssize_t>ddl_base64_size(<size_t>n), 127)
    ddl_base64(<char*>PyUnicode_DATA(text), s, <size_t>n)
    return text


cdef object _denum(Op* op, object v, int flags):
    """An enum value: its name (its number with use_integers_for_enums, or for a number the enum
    lacks); a member of the enum or a plain int (not for a closed enum)."""
    cdef int64_t i = 0
    cdef bint member = type(v) is <object>op.enum_cls
    if op.jenum == NULL or not (member or (type(v) is int and not op.closed_enum)):
        bail()
    if ddl_as_int64(<PyObject*>v, &i) or i < -0x80000000 or i > 0x7FFFFFFF:
        bail()
    if not flags & J_INTEGERS:
        # Looked up by its number, never by the member (its class's __hash__ might be Python code).
        name = (<dict>PyTuple_GET_ITEM_ptr(op.dict_names, 2)).get(i)
        if name is not None:
            return name
        if member:
            bail()  # a member the names lack: the Python path's lookup fails
    return v if not member else PyLong_FromLongLong(i)


cdef object _dscalar(Op* op, object v, int flags):
    """A scalar or enum value."""
    cdef int kind = op.kind
    if kind == K_STRING:
        if type(v) is not str:
            bail()  # a str subclass
        return v
    if kind == K_BOOL:
        if v is not True and v is not False:
            bail()
        return v
    if kind == K_ENUM:
        return _denum(op, v, flags)
    if kind == K_DOUBLE or kind == K_FLOAT:
        return _dfloat(v, kind == K_FLOAT)
    if kind == K_BYTES:
        if type(v) is not bytes:
            bail()
        return _dbase64(<const unsigned char*>PyBytes_AS_STRING(v), PyBytes_GET_SIZE(v))
    return _dint(kind, v, False)


cdef object _dvalue(Op* op, object v, int depth, DictOptions* d):
    """One value of ``op`` (a field's, an element's, a map value)."""
    if op.kind <= K_BYTES:
        return _dscalar(op, v, d.flags)
    if op.kind == K_MESSAGE and not op.native:
        return _dmessage(op.sub, v, depth - 1, d)
    return _dnative(op, v, depth, d)


cdef object _dquoted(int native, object v):
    """A Timestamp, Duration or UUID as the str the JSON writer writes in quotes: ASCII with
    nothing escaped."""
    cdef char stack[64]
    cdef JOut o
    ddl_jout_init(&o, stack, sizeof(stack), 0)
    try:
        if native == NATIVE_UUID:
            _juuid(<PyObject*>v, &o)
        else:
            _jtime(native, <PyObject*>v, &o)
        return _dascii(o.base + 1, o.pos - o.base - 2)
    finally:
        ddl_jout_free(&o)


cdef object _dnative(Op* op, object v, int depth, DictOptions* d):
    """A value of one of ddl's own types (Op.native, Op.inner), as json_natives.pxi's
    _jnative_form writes it."""
    cdef int native = op.native
    cdef ProgC* p = op.sub
    cdef PyObject* raw
    if native == NATIVE_WRAPPER:
        if type(v) is not <object>p.cls or ddl_slot(<PyObject*>v, p.unknown_offset) != ddl_none:
            bail()
        raw = ddl_slot(<PyObject*>v, p.ops[0].offset)
        if raw == NULL:
            bail()
        return _dscalar(&p.ops[0], <object>raw, d.flags)
    if native == NATIVE_TIMESTAMP or native == NATIVE_DURATION or native == NATIVE_UUID:
        return _dquoted(native, v)
    if native == NATIVE_DECIMAL:
        text = _decimal_text(<PyObject*>v)
        if text is None:
            bail()
        return text
    if native == NATIVE_DATE:
        if not PyDate_CheckExact(v):
            bail()  # a datetime, a subclass, an error: the Python path's
        return {"year": PyDateTime_GET_YEAR(v), "month": PyDateTime_GET_MONTH(v), "day": PyDateTime_GET_DAY(v)}
    if native == NATIVE_VALUE:
        return _python_json_value(v)  # its errors bail: the Python path raises them with the path
    if native == NATIVE_STRUCT:
        if type(v) is not dict:
            bail()
        return _python_json_object(v)
    if native == NATIVE_FIELD_MASK or native == NATIVE_VALUE_MESSAGE or native == NATIVE_LIST_VALUE or \
            native == NATIVE_ANY:
        if type(v) is not <object>p.cls:
            bail()
        return _python_message_value(v, bool(d.flags & J_PROTO_NAMES), bool(d.flags & J_ALWAYS),
                                     bool(d.flags & J_INTEGERS), <object>d.registry)
    if op.inner != NULL:
        return _dwrapped(op, v, depth, d)
    bail()  # another well-known type: the Python path's


cdef dict _dwrapped(Op* op, object v, int depth, DictOptions* d):
    """The value of a wrapper message (``list[list[float]]``'s inner lists, ``list[int | None]``'s
    items...) as that message's object, as json_wkt.pxi's _jwrapped writes it."""
    cdef Op* inner = op.inner
    cdef int m
    if depth <= 0:
        bail()
    out = {}
    if inner.enc != ENC_MEMBER:
        _dfield(inner, v, out, depth - 1, d)
    elif v is not None:
        for m in range(op.ninner - 1, -1, -1):
            if ddl_tuple_has(inner[m].select, <PyObject*>Py_TYPE(<PyObject*>v)):
                out[_dkey(&inner[m], d.flags)] = _dvalue(&inner[m], v, depth - 1, d)
                break
        else:
            bail()  # a subclass, or a value no member takes: the Python path's error
    elif not inner.presence:
        bail()
    return out


cdef list _darray(Op* op, object v):
    """A ``ddl.Vector``'s ``array.array`` (or one given to a list field): the numbers the
    Python path gives for its items, read from its buffer while the view is held (an array
    cannot be resized meanwhile)."""
    cdef Py_buffer view
    cdef Py_ssize_t k, n
    cdef char code = op.vcode
    cdef int width = 8 if code == b'q' or code == b'Q' or code == b'd' else 4
    cdef const char* p
    cdef double shortest
    cdef char digits[24]
    cdef char* end
    cdef list out
    PyObject_GetBuffer(v, &view, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS)  # array's: C code only
    try:
        if code == 0 or not ddl_buffer_holds(&view, code, width):
            bail()  # another typecode: the Python path's to judge
        n = view.len // width
        p = <const char*>view.buf
        out = []
        for k in range(n):
            if code == b'f':
                if not isfinite((<const float*>p)[k]):
                    item = _dnonfinite((<const float*>p)[k])
                else:
                    ddl_float32_value((<const float*>p)[k], &shortest)
                    item = PyFloat_FromDouble(shortest)
            elif code == b'd':
                item = PyFloat_FromDouble((<const double*>p)[k]) if isfinite((<const double*>p)[k]) \
                    else _dnonfinite((<const double*>p)[k])
            elif code == b'i':
                item = PyLong_FromLong((<const int32_t*>p)[k])
            elif code == b'I':
                item = PyLong_FromUnsignedLong((<const uint32_t*>p)[k])
            else:  # 64-bit integers are strings
                end = ddl_json_i64(digits, (<const int64_t*>p)[k]) if code == b'q' \
                    else ddl_json_u64(digits, (<const uint64_t*>p)[k])
                item = _dascii(digits, end - digits)
            out.append(item)
        return out
    finally:
        PyBuffer_Release(&view)


cdef object _drepeated(Op* op, object v, int depth, DictOptions* d):
    """A repeated field's list, or None when it is empty and left out. The list's length is
    read again at each item: Python code run meanwhile may change it."""
    cdef Py_ssize_t k = 0
    cdef list out
    if type(v) is _ARRAY:
        out = _darray(op, v)
    elif type(v) is list or type(v) is tuple:
        out = []
        while k < Py_SIZE_ptr(<PyObject*>v):
            item = <object>PySequence_Fast_ITEMS_ptr(<PyObject*>v)[k]
            out.append(_dvalue(op, item, depth, d))
            k += 1
    else:
        bail()  # a set's order, or an error: the Python path's
    return out if out or d.flags & J_ALWAYS else None


cdef object _dmapkey(Op* op, object k):
    """A map key as the Python path gives it: a str as itself, a bool as "true" or "false", an
    integer as its decimal digits."""
    if op.kind == K_STRING:
        if type(k) is not str:
            bail()
        return k
    if op.kind == K_BOOL:
        if k is True:
            return "true"
        if k is False:
            return "false"
        bail()
    if _jint_kind(op.kind):
        return _dint(op.kind, k, True)
    bail()


cdef object _dmap(Op* op, object v, int depth, DictOptions* d):
    """A map as a dict in the order of its entries, or None when it is empty and left out."""
    cdef Py_ssize_t at = 0
    cdef PyObject* k
    cdef PyObject* x
    cdef dict out = {}
    if type(v) is not dict:
        bail()
    # PyDict_Next reads the dict's current entries at each step, whatever Python code changed.
    while PyDict_Next_ptr(<PyObject*>v, &at, &k, &x):
        key = <object>k
        value = <object>x
        out[_dmapkey(op.key, key)] = _dvalue(op.value, value, depth, d)
    return out if out or d.flags & J_ALWAYS else None


cdef int _dunion(ProgC* p, Py_ssize_t at, object v, dict out, int depth, DictOptions* d) except -1:
    """A union (a oneof of types) whose members are the ops at ``jorder[at:]``, as _junion picks
    the member."""
    cdef Op* op = &p.ops[p.jorder[at]]
    cdef int m
    if v is None:
        return 0 if op.presence else bail()
    for m in range(op.jmembers - 1, -1, -1):
        op = &p.ops[p.jorder[at + m]]
        if ddl_tuple_has(op.select, <PyObject*>Py_TYPE(<PyObject*>v)):
            out[_dkey(op, d.flags)] = _dvalue(op, v, depth, d)
            return 0
    return bail()


cdef int _dfield(Op* op, object v, dict out, int depth, DictOptions* d) except -1:
    """One field (not a union) under its key, or nothing when it is absent or left out (as
    _jfield decides)."""
    if op.repeated or op.kind == K_MAP:
        value = _drepeated(op, v, depth, d) if op.repeated else _dmap(op, v, depth, d)
        if value is not None:
            out[_dkey(op, d.flags)] = value
        return 0
    if op.presence:
        if v is None:
            return bail() if op.required else 0  # a proto2 required field: the Python path's error
    elif op.kind <= K_BYTES and not d.flags & J_ALWAYS and _jzero(op, <PyObject*>v):
        return 0
    elif (op.skip == SKIP_NONE and v is None) or (op.skip == SKIP_EMPTY_DICT and type(v) is dict and not v):
        return 0  # an Any of None, an empty Struct: absent in binary, so never written
    out[_dkey(op, d.flags)] = _dvalue(op, v, depth, d)
    return 0


cdef dict _dmessage(ProgC* p, object obj, int depth, DictOptions* d):
    """A message as a dict of its fields in declaration order."""
    cdef Py_ssize_t at = 0
    cdef Op* op
    cdef PyObject* raw
    cdef uint64_t groups_set = 0  # as in _jmessage
    if depth < 0 or Py_TYPE(<PyObject*>obj) != p.cls or p.jspecial:
        bail()
    if ddl_slot(<PyObject*>obj, p.unknown_offset) != ddl_none and (p.jkept or p.jextended):
        bail()  # unknown fields JSON writes or refuses: the Python path's (see _jmessage)
    out = {}
    while at < p.nops:
        op = &p.ops[p.jorder[at]]
        raw = ddl_slot(<PyObject*>obj, op.offset)
        if raw == NULL:
            bail()
        v = <object>raw
        if op.group and v is not None:
            if groups_set & op.group:
                bail()  # two members of a oneof group set: the Python path reports it
            groups_set |= op.group
        if op.jmembers:
            _dunion(p, at, v, out, depth, d)
            at += op.jmembers
        else:
            _dfield(op, v, out, depth, d)
            at += 1
    return out


def to_dict(msg, proto_names, always_print, integers, registry=None):
    """``ddl.to_dict(msg)`` for these options (exact bools), or None when the Python path must
    make it (any bail, any error, any class this engine does not run, a well-known type at the
    top, whose JSON is no object)."""
    return _to_dict(msg, proto_names, always_print, integers, registry)


cdef object _to_dict(object msg, object proto_names, object always_print, object integers, object registry):
    """to_dict, called by ddl.to_dict's entry point without a lookup of the name."""
    cdef int a = _jflag(proto_names, J_PROTO_NAMES), b = _jflag(always_print, J_ALWAYS)
    cdef int c = _jflag(integers, J_INTEGERS)
    cdef DictOptions d
    if a < 0 or b < 0 or c < 0:
        return None
    d.flags = a | b | c
    d.registry = <PyObject*>registry
    try:
        program = _program_for(type(msg))
        if program is None:
            return None
        return _dmessage(&(<Program>program).c, msg, J_DEPTH_LIMIT, &d)
    except Exception:
        return None
