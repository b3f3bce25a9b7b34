# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The compiled engine: each class's plan runs as a program of field operations in C loops.

It takes the happy path only. Whenever it meets something it does not handle, or anything
wrong (a bad type, a number out of range, a truncated field, a repeated occurrence to merge),
it raises ``Bail``, and the caller runs the same call on the pure-Python engine, the reference.
So both engines give the same bytes, the same values and the same errors, by construction.
Classes whose plans use shapes this engine does not compile yet keep the Python codec.
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from cpython.float cimport PyFloat_AS_DOUBLE, PyFloat_AsDouble, PyFloat_Check
from cpython.long cimport PyLong_AsLongLong, PyLong_AsUnsignedLongLong, PyLong_Check
from cpython.mem cimport PyMem_Free, PyMem_Malloc, PyMem_Realloc
from libc.math cimport isfinite, signbit
from libc.stdint cimport int32_t, int64_t, uint32_t, uint64_t
from libc.string cimport memcpy, memmove

cdef extern from "Python.h":
    ctypedef struct PyObject
    ctypedef struct PyMemberDef:
        Py_ssize_t offset
    ctypedef struct PyMemberDescrObject:
        PyMemberDef* d_member
    ctypedef struct PyTypeObject:
        PyObject* (*tp_alloc)(PyTypeObject*, Py_ssize_t) except NULL
    const char* PyUnicode_AsUTF8AndSize(object unicode, Py_ssize_t* size) except NULL
    object PyUnicode_DecodeUTF8(const char* s, Py_ssize_t size, const char* errors)
    void Py_INCREF(object o)
    void Py_XDECREF(PyObject* o)
    int PyGC_Disable()
    int PyGC_Enable()
    PyObject** PySequence_Fast_ITEMS(object o)

cdef extern from "float.h":
    double FLT_MAX

from ._schema import EnumNode, MapNode, MessageNode, RepeatedNode


class Bail(Exception):
    """The compiled engine leaves this call to the reference engine."""


# The C loops recurse once per nesting level. Past this depth they bail, whatever max_depth
# allows, so that a deep or cyclic object graph can never exhaust the C stack; the reference
# engine then applies max_depth itself.
cdef enum:
    C_DEPTH_LIMIT = 1000
    # A decoded message graph is a fresh tree: no cycles, no garbage. Above this size the cyclic
    # GC is paused while decoding, since its passes over millions of new objects find nothing
    # and cost twice the decode itself (measured on a 50 MB batch: 1.9 s against 0.66 s).
    GC_PAUSE_BYTES = 16384


cdef enum Kind:
    K_INT64, K_INT32, K_UINT32, K_UINT64, K_SINT32, K_SINT64, K_BOOL, K_ENUM,
    K_FIXED32, K_SFIXED32, K_FLOAT,
    K_FIXED64, K_SFIXED64, K_DOUBLE,
    K_STRING, K_BYTES, K_MESSAGE, K_MAP

_KINDS = {
    "int64": K_INT64, "int32": K_INT32, "uint32": K_UINT32, "uint64": K_UINT64,
    "sint32": K_SINT32, "sint64": K_SINT64, "bool": K_BOOL,
    "fixed32": K_FIXED32, "sfixed32": K_SFIXED32, "float": K_FLOAT,
    "fixed64": K_FIXED64, "sfixed64": K_SFIXED64, "double": K_DOUBLE,
    "string": K_STRING, "bytes": K_BYTES,
}

cdef inline int wire_type(int kind):
    if kind <= K_ENUM:
        return 0
    if kind <= K_FLOAT:
        return 5
    if kind <= K_DOUBLE:
        return 1
    return 2


cdef class FieldOp:
    """One field: what to read from the object, and how it goes on the wire."""

    cdef object name
    cdef Py_ssize_t offset
    cdef int kind
    cdef bint presence, repeated, packed, as_tuple
    cdef unsigned char tag[5]
    cdef int taglen
    cdef unsigned char ptag[5]
    cdef int ptaglen
    cdef Program sub
    cdef object enum_map
    cdef FieldOp key, value
    cdef object zero


cdef class Program:
    """A message class's plan in the form the C loops run."""

    cdef object cls
    cdef list ops
    cdef object zeros
    cdef Py_ssize_t unknown_offset
    cdef int fast[256]
    cdef dict slow


cdef Py_ssize_t _slot_offset(object cls, str name) except -1:
    """Where the slot ``name`` lives in instances of ``cls``: message classes use __slots__,
    so each field is a pointer at a fixed offset, read and written without attribute lookup."""
    for klass in cls.__mro__:
        descr = klass.__dict__.get(name)
        if descr is not None:
            if type(descr).__name__ != "member_descriptor":
                raise TypeError(f"{cls.__qualname__}.{name} is not a slot")
            return (<PyMemberDescrObject*><PyObject*>descr).d_member.offset
    raise TypeError(f"{cls.__qualname__} has no slot {name}")


cdef inline object _get_slot(object obj, Py_ssize_t offset):
    cdef PyObject* value = (<PyObject**>((<char*><PyObject*>obj) + offset))[0]
    if value == NULL:
        raise Bail()  # an unset slot (deleted attribute): let the reference engine say so
    return <object>value


cdef inline void _set_slot(object obj, Py_ssize_t offset, object value):
    cdef PyObject** slot = <PyObject**>((<char*><PyObject*>obj) + offset)
    cdef PyObject* old = slot[0]
    Py_INCREF(value)
    slot[0] = <PyObject*>value
    Py_XDECREF(old)


cdef int _tag_bytes(unsigned char* out, uint64_t tag):
    cdef int n = 0
    while tag >= 0x80:
        out[n] = <unsigned char>((tag & 0x7F) | 0x80)
        tag >>= 7
        n += 1
    out[n] = <unsigned char>tag
    return n + 1


def build(plan, program_of, register):
    """The Program for a plan. It is passed to ``register`` before the Programs of nested
    classes are asked for (``program_of``), so recursive schemas find it."""
    cdef Program p = Program.__new__(Program)
    cdef FieldOp op
    cdef int i
    register(p)
    p.cls = plan.cls
    p.unknown_offset = _slot_offset(plan.cls, "_ddl_unknown")
    p.ops = []
    p.slow = {}
    for i in range(256):
        p.fast[i] = -1
    zeros = []
    # Fields are written in ascending number order, whatever order they were declared in.
    for f in sorted(plan.fields, key=lambda f: f.numbers[0]):
        node = f.node
        repeated = isinstance(node, RepeatedNode)
        number = f.numbers[0]
        op = _op(f.name, node.elem if repeated else node, number, program_of)
        op.offset = _slot_offset(plan.cls, f.name)
        op.presence = f.presence
        op.repeated = repeated
        op.as_tuple = repeated and node.container is tuple
        op.packed = repeated and wire_type(op.kind) != 2
        op.ptaglen = _tag_bytes(op.ptag, (number << 3) | 2)
        index = len(p.ops)
        p.ops.append(op)
        for t in {(number << 3) | wire_type(op.kind), (number << 3) | 2} if op.packed else {(number << 3) | wire_type(op.kind)}:
            if t < 256:
                p.fast[t] = index
            else:
                p.slow[t] = index
        zeros.append(None if (op.repeated or op.presence) else op.zero)
    p.zeros = tuple(zeros)
    return p


cdef FieldOp _op(object name, object node, uint64_t number, object program_of):
    """The operation for one value of ``node`` under field ``number`` (a field, or a map
    entry's key or value). ``zero`` is the value when absent; None for messages and maps,
    which are made at the end."""
    cdef FieldOp op = FieldOp.__new__(FieldOp)
    op.name = name
    op.presence = op.repeated = op.packed = op.as_tuple = False
    op.sub = op.enum_map = op.key = op.value = op.zero = None
    if isinstance(node, MessageNode):
        op.kind = K_MESSAGE
        op.sub = program_of(node.cls)
    elif isinstance(node, MapNode):
        op.kind = K_MAP
        op.key = _op(None, node.key, 1, program_of)
        op.value = _op(None, node.value, 2, program_of)
    elif isinstance(node, EnumNode):
        op.kind = K_ENUM
        op.enum_map = {int(m): m for m in node.cls}
        op.zero = op.enum_map.get(0, 0)
    else:
        op.kind = _KINDS[node.proto]
        op.zero = {K_BOOL: False, K_FLOAT: 0.0, K_DOUBLE: 0.0, K_STRING: "", K_BYTES: b""}.get(op.kind, 0)
    op.taglen = _tag_bytes(op.tag, (number << 3) | wire_type(op.kind))
    return op


# -- encoding ------------------------------------------------------------------------------------

cdef struct Buf:
    unsigned char* data
    Py_ssize_t len
    Py_ssize_t cap


cdef int _grow(Buf* b, Py_ssize_t need) except -1:
    cdef Py_ssize_t cap = b.cap * 2
    if cap < b.len + need:
        cap = b.len + need + 64
    cdef unsigned char* data = <unsigned char*>PyMem_Realloc(b.data, cap)
    if data == NULL:
        raise MemoryError()
    b.data = data
    b.cap = cap
    return 0


cdef inline int _put(Buf* b, const unsigned char* s, Py_ssize_t n) except -1:
    if b.len + n > b.cap:
        _grow(b, n)
    memcpy(b.data + b.len, s, n)
    b.len += n
    return 0


cdef inline int _put_varint(Buf* b, uint64_t v) except -1:
    if b.len + 10 > b.cap:
        _grow(b, 10)
    while v >= 0x80:
        b.data[b.len] = <unsigned char>((v & 0x7F) | 0x80)
        b.len += 1
        v >>= 7
    b.data[b.len] = <unsigned char>v
    b.len += 1
    return 0


cdef inline int _put_fixed(Buf* b, uint64_t v, int size) except -1:
    cdef int i
    if b.len + size > b.cap:
        _grow(b, size)
    for i in range(size):
        b.data[b.len + i] = <unsigned char>(v >> (8 * i))
    b.len += size
    return 0


cdef int _patch_length(Buf* b, Py_ssize_t at) except -1:
    """Fill the one-byte length placeholder at ``at``, widening it for bodies of 128+ bytes."""
    cdef Py_ssize_t n = b.len - at - 1
    cdef int width = 1
    cdef uint64_t rest = <uint64_t>n
    if n < 0x80:
        b.data[at] = <unsigned char>n
        return 0
    while rest >= 0x80:
        rest >>= 7
        width += 1
    if b.len + width > b.cap:
        _grow(b, width)
    memmove(b.data + at + width, b.data + at + 1, n)
    rest = <uint64_t>n
    while rest >= 0x80:
        b.data[at] = <unsigned char>((rest & 0x7F) | 0x80)
        rest >>= 7
        at += 1
    b.data[at] = <unsigned char>rest
    b.len += width - 1
    return 0


cdef inline int64_t _int_in(object v, int64_t lo, int64_t hi) except? -1:
    if not PyLong_Check(v):
        raise Bail()
    cdef int64_t i = PyLong_AsLongLong(v)
    if i < lo or i > hi:
        raise Bail()
    return i


cdef int _value(FieldOp op, object v, Buf* b, int budget, int mode, bint det) except -1:
    """Write one value. ``mode`` 0: payload only (a packed element); 1: tag and payload;
    2: tag and payload unless the value is proto3's zero (a field without presence)."""
    cdef int64_t i
    cdef uint64_t u
    cdef uint32_t u32
    cdef double d
    cdef float f
    cdef const char* s
    cdef Py_ssize_t n, at
    cdef int kind = op.kind
    if kind <= K_ENUM:
        if kind == K_BOOL:
            if v is True:
                u = 1
            elif v is False:
                u = 0
            else:
                raise Bail()
        elif kind == K_UINT64:
            if not PyLong_Check(v):
                raise Bail()
            u = PyLong_AsUnsignedLongLong(v)
        elif kind == K_INT64:
            u = <uint64_t>_int_in(v, -0x8000000000000000, 0x7FFFFFFFFFFFFFFF)
        elif kind == K_INT32 or kind == K_ENUM:
            u = <uint64_t>_int_in(v, -0x80000000, 0x7FFFFFFF)
        elif kind == K_UINT32:
            u = <uint64_t>_int_in(v, 0, 0xFFFFFFFF)
        elif kind == K_SINT32:
            i = _int_in(v, -0x80000000, 0x7FFFFFFF)
            u = (<uint64_t>i << 1) ^ <uint64_t>(i >> 63)
        else:
            i = _int_in(v, -0x8000000000000000, 0x7FFFFFFFFFFFFFFF)
            u = (<uint64_t>i << 1) ^ <uint64_t>(i >> 63)
        if mode == 2 and u == 0:
            return 0
        if mode:
            _put(b, op.tag, op.taglen)
        _put_varint(b, u)
    elif kind == K_FLOAT or kind == K_DOUBLE:
        if not (PyFloat_Check(v) or PyLong_Check(v)):
            raise Bail()
        d = PyFloat_AsDouble(v)
        if mode == 2 and d == 0.0 and not signbit(d):
            return 0
        if mode:
            _put(b, op.tag, op.taglen)
        if kind == K_DOUBLE:
            memcpy(&u, &d, 8)
            _put_fixed(b, u, 8)
        else:
            if isfinite(d) and (d > FLT_MAX or d < -FLT_MAX):
                raise Bail()
            f = <float>d
            memcpy(&u32, &f, 4)
            _put_fixed(b, u32, 4)
    elif kind <= K_SFIXED64:
        if kind == K_FIXED32:
            u = <uint64_t>_int_in(v, 0, 0xFFFFFFFF)
        elif kind == K_SFIXED32:
            u = <uint64_t>_int_in(v, -0x80000000, 0x7FFFFFFF)
        elif kind == K_SFIXED64:
            u = <uint64_t>_int_in(v, -0x8000000000000000, 0x7FFFFFFFFFFFFFFF)
        else:
            if not PyLong_Check(v):
                raise Bail()
            u = PyLong_AsUnsignedLongLong(v)
        if mode == 2 and u == 0:
            return 0
        if mode:
            _put(b, op.tag, op.taglen)
        _put_fixed(b, u, 4 if kind <= K_FLOAT else 8)
    elif kind == K_STRING:
        if type(v) is not str:
            raise Bail()
        s = PyUnicode_AsUTF8AndSize(v, &n)
        if mode == 2 and n == 0:
            return 0
        _put(b, op.tag, op.taglen)
        _put_varint(b, <uint64_t>n)
        _put(b, <const unsigned char*>s, n)
    elif kind == K_BYTES:
        if type(v) is not bytes:
            raise Bail()
        n = PyBytes_GET_SIZE(v)
        if mode == 2 and n == 0:
            return 0
        _put(b, op.tag, op.taglen)
        _put_varint(b, <uint64_t>n)
        _put(b, <const unsigned char*>PyBytes_AS_STRING(v), n)
    else:
        _put(b, op.tag, op.taglen)
        _put_varint(b, 0)
        at = b.len - 1
        _encode(op.sub, v, b, budget - 1, det)
        _patch_length(b, at)
    return 0


cdef int _encode_map(FieldOp op, object v, Buf* b, int budget, bint det) except -1:
    """Map entries always carry both key and value, as protobuf's own writers do."""
    cdef Py_ssize_t at
    if type(v) is not dict:
        raise Bail()
    for key, value in (sorted(v.items(), key=_first) if det else v.items()):
        _put(b, op.tag, op.taglen)
        _put_varint(b, 0)
        at = b.len - 1
        _value(op.key, key, b, budget, 1, det)
        _value(op.value, value, b, budget, 1, det)
        _patch_length(b, at)
    return 0


def _first(item):
    return item[0]


cdef int _encode_packed(FieldOp op, object v, Buf* b, int budget, bint det) except -1:
    """A packed run. Doubles and int64s, the common cases, get loops of their own; any element
    that is not an exact float or int goes the general way, one value at a time."""
    cdef Py_ssize_t k, n = len(v)
    cdef double d
    cdef int64_t i
    cdef PyObject** items = PySequence_Fast_ITEMS(v)  # v is an exact list or tuple
    _put(b, op.ptag, op.ptaglen)
    if op.kind == K_DOUBLE:
        _put_varint(b, <uint64_t>n * 8)
        if b.len + n * 8 > b.cap:
            _grow(b, n * 8)
        for k in range(n):
            item = <object>items[k]
            if type(item) is float:
                d = PyFloat_AS_DOUBLE(item)
                memcpy(b.data + b.len, &d, 8)  # the host is little-endian (checked at import)
                b.len += 8
            else:
                _value(op, item, b, budget, 0, det)
        return 0
    _put_varint(b, 0)
    cdef Py_ssize_t at = b.len - 1
    if op.kind == K_INT64:
        for k in range(n):
            item = <object>items[k]
            if type(item) is int:
                i = PyLong_AsLongLong(item)
                _put_varint(b, <uint64_t>i)
            else:
                _value(op, item, b, budget, 0, det)
    else:
        for k in range(n):
            _value(op, <object>items[k], b, budget, 0, det)
    _patch_length(b, at)
    return 0


cdef int _encode(Program p, object obj, Buf* b, int budget, bint det) except -1:
    cdef FieldOp op
    cdef Py_ssize_t at, k, n
    cdef PyObject** items
    if budget < 0 or type(obj) is not p.cls:
        raise Bail()
    for op in p.ops:
        v = _get_slot(obj, op.offset)
        if op.kind == K_MAP:
            _encode_map(op, v, b, budget, det)
        elif op.repeated:
            if type(v) is list or type(v) is tuple:
                n = len(v)
            else:
                raise Bail()
            if n == 0:
                continue
            if op.packed:
                _encode_packed(op, v, b, budget, det)
            else:
                items = PySequence_Fast_ITEMS(v)
                for k in range(n):
                    _value(op, <object>items[k], b, budget, 1, det)
        elif v is None:
            if not op.presence:
                raise Bail()
        else:
            _value(op, v, b, budget, 1 if (op.presence or op.kind == K_MESSAGE) else 2, det)
    unknown = _get_slot(obj, p.unknown_offset)
    if unknown is not None:
        if type(unknown) is not bytes:
            raise Bail()
        _put(b, <const unsigned char*>PyBytes_AS_STRING(unknown), PyBytes_GET_SIZE(unknown))
    return 0


def encode(Program p, object obj, int budget, bint det=False):
    """The bytes of ``obj``; raises Bail for anything the reference engine must decide."""
    cdef Buf b
    b.len = 0
    b.cap = 128
    b.data = <unsigned char*>PyMem_Malloc(b.cap)
    if b.data == NULL:
        raise MemoryError()
    try:
        _encode(p, obj, &b, min(budget, C_DEPTH_LIMIT), det)
        return PyBytes_FromStringAndSize(<const char*>b.data, b.len)
    finally:
        PyMem_Free(b.data)


# -- decoding ------------------------------------------------------------------------------------

cdef inline uint64_t _varint(const unsigned char* buf, Py_ssize_t* pos, Py_ssize_t end) except? 0xFFFFFFFFFFFFFFFF:
    cdef uint64_t result = 0
    cdef int shift = 0
    cdef unsigned char c
    while True:
        if pos[0] >= end or shift > 63:
            raise Bail()
        c = buf[pos[0]]
        pos[0] += 1
        result |= (<uint64_t>(c & 0x7F)) << shift
        if c < 0x80:
            return result
        shift += 7


cdef inline uint64_t _fixed(const unsigned char* buf, Py_ssize_t* pos, Py_ssize_t end, int size) except? 0xFFFFFFFFFFFFFFFF:
    cdef uint64_t v = 0
    cdef int i
    if end - pos[0] < size:
        raise Bail()
    for i in range(size):
        v |= (<uint64_t>buf[pos[0] + i]) << (8 * i)
    pos[0] += size
    return v


cdef object _read(FieldOp op, const unsigned char* buf, Py_ssize_t* pos, Py_ssize_t end, int budget, object data):
    """Read one value of ``op``'s kind at ``pos`` (after its tag)."""
    cdef uint64_t u
    cdef uint32_t u32
    cdef double d
    cdef float f
    cdef Py_ssize_t n, start
    cdef int kind = op.kind
    if kind <= K_ENUM:
        u = _varint(buf, pos, end)
        if kind == K_INT64:
            return <int64_t>u
        if kind == K_UINT64:
            return u
        if kind == K_INT32:
            return <int32_t><uint32_t>u
        if kind == K_UINT32:
            return <uint32_t>u
        if kind == K_SINT32:
            u32 = <uint32_t>u
            return <int32_t>((u32 >> 1) ^ (-(<int32_t>(u32 & 1))))
        if kind == K_SINT64:
            return <int64_t>((u >> 1) ^ (-(<int64_t>(u & 1))))
        if kind == K_BOOL:
            return u != 0
        number = <int32_t><uint32_t>u
        return op.enum_map.get(number, number)
    if kind <= K_FLOAT:
        u = _fixed(buf, pos, end, 4)
        if kind == K_FIXED32:
            return <uint32_t>u
        if kind == K_SFIXED32:
            return <int32_t><uint32_t>u
        u32 = <uint32_t>u
        memcpy(&f, &u32, 4)
        return <double>f
    if kind <= K_DOUBLE:
        u = _fixed(buf, pos, end, 8)
        if kind == K_FIXED64:
            return u
        if kind == K_SFIXED64:
            return <int64_t>u
        memcpy(&d, &u, 8)
        return d
    n = <Py_ssize_t>_varint(buf, pos, end)
    if n < 0 or n > end - pos[0]:
        raise Bail()
    start = pos[0]
    pos[0] += n
    if kind == K_STRING:
        return PyUnicode_DecodeUTF8(<const char*>buf + start, n, NULL)
    if kind == K_BYTES:
        return PyBytes_FromStringAndSize(<const char*>buf + start, n)
    return _decode(op.sub, buf, start, start + n, budget - 1, data)


cdef object _skip(const unsigned char* buf, Py_ssize_t* pos, Py_ssize_t end, uint64_t tag):
    cdef int wt = tag & 7
    cdef Py_ssize_t n
    if tag >> 3 == 0 or tag >> 3 > 0x1FFFFFFF:
        raise Bail()
    if wt == 0:
        _varint(buf, pos, end)
    elif wt == 1 or wt == 5:
        n = 8 if wt == 1 else 4
        if end - pos[0] < n:
            raise Bail()
        pos[0] += n
    elif wt == 2:
        n = <Py_ssize_t>_varint(buf, pos, end)
        if n < 0 or n > end - pos[0]:
            raise Bail()
        pos[0] += n
    else:
        raise Bail()


cdef int _map_entry(FieldOp op, const unsigned char* buf, Py_ssize_t* pos, Py_ssize_t end, int budget,
                    object data, list values, Py_ssize_t index) except -1:
    """One map entry; fields other than the key and the value are skipped, as protobuf does."""
    cdef Py_ssize_t stop = <Py_ssize_t>_varint(buf, pos, end)
    cdef uint64_t tag
    cdef uint64_t key_tag = (1 << 3) | wire_type(op.key.kind)
    cdef uint64_t value_tag = (2 << 3) | wire_type(op.value.kind)
    cdef bint seen_value = False
    if stop < 0 or stop > end - pos[0]:
        raise Bail()
    stop += pos[0]
    key = op.key.zero
    value = op.value.zero
    while pos[0] < stop:
        tag = _varint(buf, pos, stop)
        if tag == key_tag:
            key = _read(op.key, buf, pos, stop, budget, data)
        elif tag == value_tag:
            if seen_value and op.value.kind == K_MESSAGE:
                raise Bail()  # an occurrence to merge
            value = _read(op.value, buf, pos, stop, budget, data)
            seen_value = True
        else:
            _skip(buf, pos, stop, tag)
    if value is None:
        value = _decode(op.value.sub, buf, 0, 0, budget - 1, data)
    entries = values[index]
    if entries is None:
        entries = values[index] = {}
    entries[key] = value
    return 0


cdef object _decode(Program p, const unsigned char* buf, Py_ssize_t pos, Py_ssize_t end, int budget, object data):
    cdef FieldOp op
    cdef uint64_t tag
    cdef Py_ssize_t start, stop, index
    cdef list values
    if budget < 0:
        raise Bail()
    values = list(p.zeros)
    unknown = None
    while pos < end:
        start = pos
        tag = _varint(buf, &pos, end)
        if tag < 256:
            index = p.fast[tag]
        else:
            index = p.slow.get(tag, -1)
        if index < 0:
            _skip(buf, &pos, end, tag)
            if unknown is None:
                unknown = bytearray()
            unknown += data[start:pos]
            continue
        op = <FieldOp>p.ops[index]
        if op.kind == K_MAP:
            _map_entry(op, buf, &pos, end, budget, data, values, index)
            continue
        if op.packed and (tag & 7) == 2:
            stop = <Py_ssize_t>_varint(buf, &pos, end)
            if stop < 0 or stop > end - pos:
                raise Bail()
            stop += pos
            items = values[index]
            if items is None:
                items = values[index] = []
            while pos < stop:
                items.append(_read(op, buf, &pos, stop, budget, data))
            continue
        value = _read(op, buf, &pos, end, budget, data)
        if op.repeated:
            items = values[index]
            if items is None:
                values[index] = [value]
            else:
                items.append(value)
        elif op.kind == K_MESSAGE and values[index] is not None:
            raise Bail()  # a repeated occurrence to merge: the reference engine does it
        else:
            values[index] = value
    obj = <object>(<PyTypeObject*>p.cls).tp_alloc(<PyTypeObject*>p.cls, 0)
    Py_XDECREF(<PyObject*>obj)  # tp_alloc's reference; <object> took one of its own
    for index in range(len(p.ops)):
        op = <FieldOp>p.ops[index]
        value = values[index]
        if op.repeated:
            if value is None:
                value = () if op.as_tuple else []
            elif op.as_tuple:
                value = tuple(value)
        elif value is None and op.kind == K_MESSAGE and not op.presence:
            value = _decode(op.sub, buf, 0, 0, budget - 1, data)
        elif value is None and op.kind == K_MAP:
            value = {}
        _set_slot(obj, op.offset, value)
    _set_slot(obj, p.unknown_offset, None if unknown is None else bytes(unknown))
    return obj



def decode(Program p, bytes data, int budget):
    """The message in ``data``; raises Bail for anything the reference engine must decide."""
    cdef int limit = min(budget, C_DEPTH_LIMIT)
    cdef bint paused = PyBytes_GET_SIZE(data) > GC_PAUSE_BYTES and PyGC_Disable()
    try:
        return _decode(p, <const unsigned char*>PyBytes_AS_STRING(data), 0, PyBytes_GET_SIZE(data), limit, data)
    finally:
        if paused:
            PyGC_Enable()


# -- entry points --------------------------------------------------------------------------------
# ddl.encode and ddl.decode themselves, when this engine is built: a call goes to C at once,
# and only a class it does not compile, or a bail, goes to the reference functions.

cdef object _reference_encode = None
cdef object _reference_decode = None
cdef object _program_of = None


def install(reference_encode, reference_decode, program_of):
    global _reference_encode, _reference_decode, _program_of
    _reference_encode = reference_encode
    _reference_decode = reference_decode
    _program_of = program_of


cdef inline object _program(object cls):
    codec = getattr(cls, "__ddl_codec__", None)
    if codec is None:
        return None
    program = codec.program
    if program is None:
        program = _program_of(cls)
    return program if program else None


def encode_entry(msg, *, bint deterministic=False, int max_depth=100):
    program = _program(type(msg))
    if program is not None:
        try:
            return encode(<Program>program, msg, max_depth, deterministic)
        except Exception:
            pass
    return _reference_encode(False, msg, deterministic, max_depth)


def decode_entry(data, cls, *, int max_depth=100):
    if type(data) is not bytes and isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if type(data) is bytes:
        program = _program(cls)
        if program is not None:
            try:
                return decode(<Program>program, data, max_depth)
            except Exception:
                pass
    return _reference_decode(False, data, cls, max_depth)


import sys as _sys

if _sys.byteorder != "little":
    raise ImportError("ddl's compiled engine assumes a little-endian host; the pure-Python engine runs instead")
