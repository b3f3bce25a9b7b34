# The values of the JSON text, for the compiled reader (json_read.pxi): the text being read
# (JText) and how it is scanned, and strings, bytes, numbers and enum names, each read as the
# Python reader reads it (ddl/_json/_read_values.py); anything else bails.

cdef extern from "ddl_json_read.h":
    Py_ssize_t ddl_json_ws(const unsigned char* s, Py_ssize_t i, Py_ssize_t n) nogil
    enum:
        DDL_JSON_ESCAPES
        DDL_JSON_NONASCII
    Py_ssize_t ddl_json_string_end(const unsigned char* s, Py_ssize_t i, Py_ssize_t n, int* flags) nogil
    Py_ssize_t ddl_json_unescape(const unsigned char* s, Py_ssize_t n, unsigned char* out) nogil
    Py_ssize_t ddl_json_read_double(const unsigned char* s, Py_ssize_t i, Py_ssize_t n, int* integral, int* decided,
                                    double* out) nogil
    Py_ssize_t ddl_json_read_integer(const unsigned char* s, Py_ssize_t i, Py_ssize_t n, int* negative,
                                     uint64_t* magnitude) nogil

cdef extern from "ddl_base64.h":
    Py_ssize_t ddl_base64_decode(const unsigned char* s, Py_ssize_t n, unsigned char* out) nogil

cdef extern from "Python.h":
    double PyOS_string_to_double(const char* s, char** endptr, PyObject* overflow_exception) except? -1.0

from cpython.mem cimport PyMem_Free, PyMem_Malloc
from libc.math cimport fabs, ldexp

# The least double that float32 rounds to infinity, 0x1.ffffffp+127 (see _read_values).
cdef double FLOAT32_OVERFLOW = ldexp(33554431.0, 103)

cdef enum:
    # Unescaped strings and decoded bytes up to this size use a buffer on the C stack.
    JSON_STACK_BUFFER = 256


cdef struct JText:
    const unsigned char* s   # the UTF-8 text, with a NUL byte at s[end] (str and bytes have one)
    Py_ssize_t pos
    Py_ssize_t end
    # The elements of the arrays being read (new references), an inner array's above its
    # outer one's: each becomes its list or tuple at its final size when the array closes.
    PyObject** items
    Py_ssize_t nitems
    Py_ssize_t room
    bint ignore              # ignore_unknown_fields: a key no field takes is passed with its value
    PyObject* registry       # the call's registry (a dict, borrowed from the caller), or NULL
    Py_ssize_t any_at        # where the object of the Any being read opens: its "@type" key is
                             # passed once (json_any.pxi), then -1


cdef inline unsigned char _jr_next(JText* t) except 0:
    """The next byte after whitespace (t.pos moves to it), never 0: the end of the text, or a
    NUL byte (invalid outside strings), bails. The loops below use 0 for "no more", and 0 is
    this function's error value, so no call asks whether an exception is set."""
    t.pos = ddl_json_ws(t.s, t.pos, t.end)
    if t.pos >= t.end or t.s[t.pos] == 0:
        bail()
    return t.s[t.pos]


cdef inline int _jr_literal(JText* t, const char* word, Py_ssize_t n) except -1:
    if t.end - t.pos < n or memcmp(t.s + t.pos, word, n) != 0:
        bail()
    t.pos += n
    return 0


cdef inline Py_ssize_t _jr_body(JText* t, Py_ssize_t* n, int* flags) except -1:
    """At a string's opening quote: where its body starts, with its length in ``n`` and what
    it holds in ``flags`` (DDL_JSON_ESCAPES, DDL_JSON_NONASCII); t.pos moves past the closing
    quote."""
    cdef Py_ssize_t start = t.pos + 1
    cdef Py_ssize_t close = ddl_json_string_end(t.s, start, t.end, flags)
    if close < 0:
        bail()
    n[0] = close - start
    t.pos = close + 1
    return start


cdef inline Py_ssize_t _jr_plain(JText* t, Py_ssize_t* n) except -1:
    """A string's body that holds no escape (keys, names, numbers, base64): the rest bails."""
    cdef int flags
    cdef Py_ssize_t start = _jr_body(t, n, &flags)
    if flags & DDL_JSON_ESCAPES:
        bail()
    return start


cdef object _jr_str(JText* t):
    """A string value: the body's UTF-8, checked, with its escapes resolved. A lone surrogate
    escape bails (the Python reader refuses it). A short body without escapes is shared as the
    binary decoder shares it (ddl_str: map keys and enum-like values repeat, and a shared str
    keeps its hash); an ASCII one, which the scan noted, is copied into its str without a
    check, and shared up to 64 bytes (ddl_str_ascii: names and keys run longer in JSON)."""
    cdef Py_ssize_t n, m
    cdef int flags
    cdef Py_ssize_t start = _jr_body(t, &n, &flags)
    cdef PyObject* text
    cdef unsigned char small[JSON_STACK_BUFFER]
    cdef unsigned char* buf
    if not flags & DDL_JSON_ESCAPES:
        if flags & DDL_JSON_NONASCII:
            text = ddl_str(t.s + start, n)
        else:
            text = ddl_str_ascii(t.s + start, n)
    else:
        if n <= JSON_STACK_BUFFER:
            buf = &small[0]
        else:
            buf = <unsigned char*>PyMem_Malloc(n)
        if buf == NULL:
            raise MemoryError()
        m = ddl_json_unescape(t.s + start, n, buf)
        text = ddl_decode_utf8(buf, m) if m >= 0 else NULL
        if buf != &small[0]:
            PyMem_Free(buf)
    if text == NULL:
        bail()  # not UTF-8, a bad escape, or out of memory: the Python path says which
    return _owned(text)


cdef object _jr_bytes(JText* t):
    """A bytes value: base64 in either alphabet, padded or not (``_read_values.to_bytes``)."""
    cdef Py_ssize_t n, m
    cdef Py_ssize_t start = _jr_plain(t, &n)
    cdef unsigned char small[JSON_STACK_BUFFER]
    cdef unsigned char* buf = &small[0]
    if n > JSON_STACK_BUFFER:
        buf = <unsigned char*>PyMem_Malloc(n)
    if buf == NULL:
        raise MemoryError()
    try:
        m = ddl_base64_decode(t.s + start, n, buf)
        if m < 0:
            bail()
        return PyBytes_FromStringAndSize(<const char*>buf, m)
    finally:
        if buf != &small[0]:
            PyMem_Free(buf)


cdef int _jr_int_parts(JText* t, unsigned char c, int* negative, uint64_t* m) except -1:
    """An integer's sign and magnitude: a plain integer as a number token, or as a whole
    string's body (``_read_values.to_int`` reads these as ``int(text)``). Any other form (a
    fraction, an exponent, which it reads through Decimal, or more in the string) bails."""
    cdef Py_ssize_t start = t.pos + (c == b'"')
    cdef Py_ssize_t stop = ddl_json_read_integer(t.s, start, t.end, negative, m)
    if stop < 0:
        bail()
    if c == b'"':
        if t.s[stop] != b'"':
            bail()
        stop += 1
    t.pos = stop
    return 0


cdef inline bint _jr_unsigned(int kind) noexcept:
    return kind == K_UINT64 or kind == K_FIXED64 or kind == K_UINT32 or kind == K_FIXED32


cdef int _jr_int_bits(int kind, int negative, uint64_t* m) except -1:
    """The int of ``kind`` with sign ``negative`` and magnitude ``m[0]``, put in ``m[0]`` as a
    64-bit word (two's complement for a signed kind); a value outside the kind's range bails,
    as ``to_int`` refuses it."""
    if _jr_unsigned(kind):
        if negative and m[0] != 0:
            bail()
        if (kind == K_UINT32 or kind == K_FIXED32) and m[0] > 0xFFFFFFFF:
            bail()
        return 0
    if kind == K_INT64 or kind == K_SINT64 or kind == K_SFIXED64:
        if m[0] > (<uint64_t>1 << 63) - (0 if negative else 1):
            bail()
    elif m[0] > (<uint64_t>1 << 31) - (0 if negative else 1):
        bail()  # int32, sint32, sfixed32 and enum numbers
    if negative:
        m[0] = 0 - m[0]
    return 0


cdef object _jr_int(JText* t, int kind, unsigned char c):
    """An integer field's value, a map key's or an enum's number (see _jr_int_parts), as the
    int ``to_int`` makes of it."""
    cdef int negative
    cdef uint64_t m = 0
    _jr_int_parts(t, c, &negative, &m)
    _jr_int_bits(kind, negative, &m)
    if _jr_unsigned(kind):
        return _owned(ddl_uint(m))
    return _owned(ddl_int(<int64_t>m))


# The doubles of Python's float("nan") and float("inf"), as the Python reader gives them.
cdef double _NAN = float("nan")
cdef double _INFINITY = float("inf")


cdef double _jr_nonfinite(JText* t) except? -1.0:
    """One of the strings protobuf writes for a float or double that is not finite: "NaN",
    "Infinity" or "-Infinity" (``_read_values.to_float``'s table). Any other string, such as a
    number in quotes, which the Python reader also takes, bails."""
    cdef Py_ssize_t n
    cdef Py_ssize_t start = _jr_plain(t, &n)
    if n == 3 and memcmp(t.s + start, b"NaN", 3) == 0:
        return _NAN
    if n == 8 and memcmp(t.s + start, b"Infinity", 8) == 0:
        return _INFINITY
    if n == 9 and memcmp(t.s + start, b"-Infinity", 9) == 0:
        return -_INFINITY
    bail()


cdef double _jr_double(JText* t, unsigned char c, bint single) except? -1.0:
    """A float or double from a number token, as ``_read_values.to_float`` gives it: the json
    module's float (CPython's correctly rounded conversion, the one called here), or for an
    integer token ``float(int)``, which is the same but for "-0" (0.0). ddl_json_read_double
    reads most tokens as it scans them; those it cannot decide (over 19 significant digits, a
    subnormal or infinite result, near a halfway point) are read by CPython's own strtod.
    A string is "NaN", "Infinity" or "-Infinity" (_jr_nonfinite); a float32 out of range bails,
    and so do non-finite numbers; a float32 is rounded to single precision."""
    cdef Py_ssize_t start = t.pos
    if c == b'"':
        return _jr_nonfinite(t)
    cdef int integral, decided
    cdef char* stop
    cdef double d = 0.0
    cdef Py_ssize_t end = ddl_json_read_double(t.s, start, t.end, &integral, &decided, &d)
    if end < 0:
        bail()
    if not decided:
        d = PyOS_string_to_double(<const char*>t.s + start, &stop, NULL)
        if stop != <const char*>t.s + end or not isfinite(d):
            bail()
    t.pos = end
    if integral and d == 0:
        d = 0.0
    if single:
        if fabs(d) >= FLOAT32_OVERFLOW:
            bail()  # it rounds to infinity: the Python path's error
        d = <double>(<float>d)
    return d


cdef object _jr_enum(Op* op, JText* t, unsigned char c):
    """An enum's value: one of its names (``_read_values.enum_names``) or an int32 number
    token; an unknown name, or a number a closed enum lacks, bails (``to_enum``)."""
    cdef Py_ssize_t start, n, i
    cdef PyObject* name
    cdef PyObject* member
    if c == b'"':
        start = _jr_plain(t, &n)
        for i in range(Py_SIZE_ptr(op.jenum_names)):
            name = PyTuple_GET_ITEM_ptr(op.jenum_names, i)
            if PyBytes_GET_SIZE_ptr(name) == n and memcmp(PyBytes_AS_STRING_ptr(name), t.s + start, n) == 0:
                return <object>PyTuple_GET_ITEM_ptr(op.jenum_values, i)
        bail()
    number = _jr_int(t, K_ENUM, c)
    member = PyDict_GetItem_ptr(op.enum_map, <PyObject*>number)
    if member == NULL:
        if op.closed_enum:
            bail()
        return number
    return <object>member
