# ddl.to_json with an indent: the compiled writer's one-line text laid out as the Python path's
# json.dumps(value, indent=...) lays it out (ddl_json_indent.h), so that an indent costs a pass
# over the text rather than the json module's Python encoder.

cdef extern from "ddl_json_indent.h":
    Py_ssize_t ddl_json_indent(const char* s, Py_ssize_t n, const char* ind, Py_ssize_t ilen, char* out) nogil

cdef extern from "ddl_utf8.h":
    PyObject* ddl_decode_utf8_new "ddl_decode_utf8"(const unsigned char* s, Py_ssize_t n) except NULL


cdef object _json_indented(str text, object indent):
    """``text`` (the writer's one-line JSON) with ``indent`` as json.dumps takes it: an int (that
    many spaces, none for 0 or less) or a str. None for another indent (a bool, a float), which
    the Python path takes or refuses."""
    cdef Py_ssize_t n, ilen, size
    cdef const char* s
    cdef const char* ind
    if type(indent) is int:
        indent = " " * indent  # as json's encoder makes it
    elif type(indent) is not str:
        return None
    s = ddl_utf8(<PyObject*>text, &n)
    ind = ddl_utf8(<PyObject*>indent, &ilen)
    size = ddl_json_indent(s, n, ind, ilen, NULL)
    if size < 0:
        raise MemoryError()
    if PyUnicode_IS_ASCII(text) and PyUnicode_IS_ASCII(indent):  # its UTF-8 is its str's data
        out = PyUnicode_New(size, 127)
        ddl_json_indent(s, n, ind, ilen, <char*>PyUnicode_DATA(out))
        return out
    laid = PyBytes_FromStringAndSize(NULL, size)
    ddl_json_indent(s, n, ind, ilen, PyBytes_AS_STRING(laid))
    return _owned(ddl_decode_utf8_new(<const unsigned char*>PyBytes_AS_STRING(laid), size))
