# uuid.UUID through its slots, as UUID(bytes=...) and UUID.bytes (both Python code) make and read
# it, where this Python's UUID is laid out so: on anything else, the Python functions run.

import uuid as _uuid_module

cdef object _UUID = _uuid_module.UUID
cdef object _OBJECT_NEW = object.__new__
cdef object _SAFE_UNKNOWN = _uuid_module.SafeUUID.unknown
cdef object _TWO_128 = 1 << 128
cdef object _ZERO_INT = 0


cdef Py_ssize_t _uuid_slot(str name):
    """Where a uuid.UUID keeps ``name`` (a __slots__ member), or -1."""
    try:
        return _slot_offset(_UUID, name)
    except TypeError:
        return -1


cdef Py_ssize_t _UUID_INT = _uuid_slot("int")
cdef Py_ssize_t _UUID_SAFE = _uuid_slot("is_safe")
# A UUID is its two slots (and its weak references), made by object.__new__.
cdef bint _UUID_SLOTS = (_UUID_INT >= 0 and _UUID_SAFE >= 0 and _UUID.__new__ is object.__new__
                         and tuple(getattr(_UUID, "__slots__", ())) == ("int", "is_safe", "__weakref__"))


cdef bint _uuid_bytes(PyObject* v, unsigned char* out) except -1:
    """Whether ``v`` is an exact uuid.UUID holding an int of 128 bits, whose 16 bytes (RFC 4122
    order, as ``UUID.bytes``) are then in ``out``. Runs no Python code: an exact int's
    comparisons and shift are C."""
    cdef PyObject* number
    cdef uint64_t high, low
    cdef int k
    if Py_TYPE(v) != <PyTypeObject*>_UUID or not _UUID_SLOTS:
        return False
    number = ddl_slot(v, _UUID_INT)
    if number == NULL or Py_TYPE(number) != &PyLong_Type or not 0 <= <object>number < _TWO_128:
        return False
    low = PyLong_AsUnsignedLongLongMask(<object>number)
    high = PyLong_AsUnsignedLongLong(<object>number >> 64)
    for k in range(8):
        out[k] = <unsigned char>(high >> (56 - 8 * k))
        out[8 + k] = <unsigned char>(low >> (56 - 8 * k))
    return True


cdef object _uuid_from(const unsigned char* b, Py_ssize_t n):
    """The uuid.UUID of the 16 bytes at ``b``, or the nil UUID for none (``n`` 0), as
    ``uuid_from_wire`` makes it: its int, and ``SafeUUID.unknown``."""
    made = _OBJECT_NEW(_UUID)  # its slots empty until set here, as UUID.__init__ sets them
    if n:
        ddl_set_slot(<PyObject*>made, _UUID_INT, ddl_long_from_be128(b))  # the new int's reference
    else:
        Py_INCREF_ptr(<PyObject*>_ZERO_INT)
        ddl_set_slot(<PyObject*>made, _UUID_INT, <PyObject*>_ZERO_INT)
    Py_INCREF_ptr(<PyObject*>_SAFE_UNKNOWN)
    ddl_set_slot(<PyObject*>made, _UUID_SAFE, <PyObject*>_SAFE_UNKNOWN)
    return made


# decimal.Decimal, written by its str() and read by its constructor: C code of the C decimal
# module (when Decimal is its), as decimal_to_wire and decimal_from_wire call them.

import contextvars as _contextvars
import decimal as _decimal_module

from cpython.object cimport PyObject_Str

cdef extern from "Python.h":
    int PyContextVar_Get(object var, PyObject* default_value, PyObject** value) except -1
    bint PyUnicode_IS_ASCII(object s)
    Py_ssize_t PyUnicode_GET_LENGTH(object s)
    void* PyUnicode_DATA(object s)

cdef object _DECIMAL = _decimal_module.Decimal


cdef object _decimal_context_var():
    """The ContextVar that holds each thread's decimal context when ``Decimal`` is the C decimal
    module's (CPython names it "decimal_context"), or None (Decimals then go to the Python
    functions)."""
    if type(_DECIMAL.__str__) is not type(object.__str__):  # not a slot of a C type
        return None
    _decimal_module.getcontext()  # so that this thread's context holds the variable, to find it
    for var in _contextvars.copy_context():
        if var.name == "decimal_context":
            return var
    return None


cdef object _DECIMAL_CONTEXT = _decimal_context_var()


cdef object _decimal_text(PyObject* v):
    """``str(v)`` of an exact Decimal, ASCII, or None. str() is the C decimal module's own code,
    which runs no Python code once the thread has its decimal context; making one allocates an
    object the GC tracks, which could start a collection, so a thread without one yet gets None
    (as does a subclass, or the Python decimal module)."""
    cdef PyObject* context = NULL
    if Py_TYPE(v) != <PyTypeObject*>_DECIMAL or _DECIMAL_CONTEXT is None:
        return None
    PyContextVar_Get(_DECIMAL_CONTEXT, NULL, &context)
    if context == NULL:
        return None
    Py_DECREF_ptr(context)  # the context var holds it too
    text = PyObject_Str(<object>v)
    return text if PyUnicode_IS_ASCII(text) else None


cdef bint _decimal_ready(object text) except -1:
    """Whether ``decimal_from_wire`` would hand ``text`` to Decimal() as it is: not empty (the
    empty string is Decimal(0)), and ASCII of the characters a decimal number is written in
    (digits, signs, point, letters: no space or underscore, which it refuses)."""
    cdef Py_ssize_t k, n = PyUnicode_GET_LENGTH(text)
    cdef const unsigned char* s
    cdef unsigned char c
    if n == 0 or not PyUnicode_IS_ASCII(text):
        return False
    s = <const unsigned char*>PyUnicode_DATA(text)
    for k in range(n):
        c = s[k]
        if not (b'0' <= c <= b'9' or b'a' <= (c | 0x20) <= b'z' or c == b'.' or c == b'+' or c == b'-'):
            return False
    return True


cdef object _from_wire(Op* op, object wire):
    """The value of a converted ``op`` (a Decimal, a UUID) from its wire value, a str or bytes: a
    UUID of 16 bytes or none made here, a Decimal by the C constructor, the rest (and every
    error) by the op's Python function."""
    cdef Py_ssize_t n
    if op.native == NATIVE_UUID and _UUID_SLOTS and type(wire) is bytes:
        n = PyBytes_GET_SIZE_ptr(<PyObject*>wire)
        if n == 16 or n == 0:
            return _uuid_from(<const unsigned char*>PyBytes_AS_STRING_ptr(<PyObject*>wire), n)
    elif op.native == NATIVE_DECIMAL and _DECIMAL_CONTEXT is not None and type(wire) is str and _decimal_ready(wire):
        try:
            return _DECIMAL(wire)
        except _decimal_module.InvalidOperation:
            pass  # the Python function's ValueError
    return (<object>op.fn_decode)(wire)
