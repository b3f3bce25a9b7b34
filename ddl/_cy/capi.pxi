# The C API as the hot loops use it: borrowed PyObject* everywhere, so that reading a slot or a
# list item costs no reference-count traffic, plus the inline helpers of ddl/_cy/*.h.

from libc.stdint cimport int32_t, int64_t, uint32_t, uint64_t
from libc.math cimport isfinite, signbit
from libc.string cimport memcmp, memcpy
from cpython.bytes cimport PyBytes_FromStringAndSize
from cpython.buffer cimport PyBUF_C_CONTIGUOUS, PyBUF_FORMAT, PyBUF_READ, PyBuffer_Release, PyObject_GetBuffer
from cpython.memoryview cimport PyMemoryView_FromMemory

cdef extern from "float.h":
    double FLT_MAX

cdef extern from "Python.h":
    ctypedef struct PyObject
    # Opaque here: its fields are read in ddl_cpython.h only.
    ctypedef struct PyTypeObject:
        pass

    PyTypeObject PyFloat_Type
    PyTypeObject PyUnicode_Type
    PyTypeObject PyBytes_Type
    PyTypeObject PyList_Type
    PyTypeObject PyTuple_Type
    PyTypeObject PyDict_Type
    PyTypeObject PyLong_Type

    PyTypeObject* Py_TYPE(PyObject* o)
    void Py_INCREF_ptr "Py_INCREF"(PyObject* o)
    void Py_DECREF_ptr "Py_DECREF"(PyObject* o)
    void Py_XDECREF_ptr "Py_XDECREF"(PyObject* o)
    bint PyLong_Check_ptr "PyLong_Check"(PyObject* o)
    double PyFloat_AS_DOUBLE_ptr "PyFloat_AS_DOUBLE"(PyObject* o)
    double PyLong_AsDouble_ptr "PyLong_AsDouble"(PyObject* o) except? -1.0
    const char* PyUnicode_AsUTF8AndSize_ptr "PyUnicode_AsUTF8AndSize"(PyObject* o, Py_ssize_t* size) except NULL
    PyObject* PyUnicode_DecodeUTF8_ptr "PyUnicode_DecodeUTF8"(const char* s, Py_ssize_t n, const char* errors) except NULL
    PyObject* PyBytes_FromStringAndSize_ptr "PyBytes_FromStringAndSize"(const char* s, Py_ssize_t n) except NULL
    char* PyBytes_AS_STRING_ptr "PyBytes_AS_STRING"(PyObject* o)
    Py_ssize_t PyBytes_GET_SIZE_ptr "PyBytes_GET_SIZE"(PyObject* o)
    Py_ssize_t Py_SIZE_ptr "Py_SIZE"(PyObject* o)
    PyObject** PySequence_Fast_ITEMS_ptr "PySequence_Fast_ITEMS"(PyObject* o)
    PyObject* PyList_GET_ITEM_ptr "PyList_GET_ITEM"(PyObject* lst, Py_ssize_t i)
    PyObject* PyTuple_GET_ITEM_ptr "PyTuple_GET_ITEM"(PyObject* t, Py_ssize_t i)
    PyObject* PyList_New_ptr "PyList_New"(Py_ssize_t n) except NULL
    PyObject* PyList_AsTuple_ptr "PyList_AsTuple"(PyObject* lst) except NULL
    PyObject* PyDict_New_ptr "PyDict_New"() except NULL
    int PyDict_SetItem_ptr "PyDict_SetItem"(PyObject* d, PyObject* k, PyObject* v) except -1
    PyObject* PyDict_GetItem_ptr "PyDict_GetItem"(PyObject* d, PyObject* k)
    int PyDict_Next_ptr "PyDict_Next"(PyObject* d, Py_ssize_t* pos, PyObject** k, PyObject** v)
    Py_ssize_t PyDict_GET_SIZE_ptr "PyDict_GET_SIZE"(PyObject* d)
    PyObject* PySet_New_ptr "PySet_New"(PyObject* iterable) except NULL
    PyObject* PyFrozenSet_New_ptr "PyFrozenSet_New"(PyObject* iterable) except NULL
    int PyObject_IsInstance_ptr "PyObject_IsInstance"(PyObject* o, PyObject* cls) except -1

# The C lives in headers beside this file, one concern each (setup.py puts ddl/_cy on the
# include path): ddl_compat.h (compiler portability), ddl_wire.h (varints and bytes),
# ddl_cpython.h (every read of CPython internals, by version), ddl_new_objects.h (ints, floats
# and strs made without CPython's constructors), ddl_objects.h, ddl_utf8.h,
# ddl_shared_str.h (short strings decoded once), ddl_vector.h (numbers as buffers), ddl_init.h
# (the constructors' slot filler).

cdef extern from "ddl_wire.h":
    uint64_t ddl_varint10(const unsigned char* p, int* len) nogil
    void ddl_copy(unsigned char* d, const unsigned char* s, Py_ssize_t n) nogil
    void ddl_copy_init()
    int ddl_copy_backward_aliased

ddl_copy_init()  # before any copy

cdef extern from "ddl_cpython.h":
    void ddl_list_fit(PyObject* list)
    PyObject* ddl_dict_presized(Py_ssize_t n) except NULL
    PyObject* ddl_list_with_room(PyObject* first, Py_ssize_t room) except NULL
    int ddl_list_push(PyObject* items, PyObject* value) except -1
    PyObject* ddl_list_of(PyObject** items, Py_ssize_t n) except NULL
    PyObject* ddl_tuple_of(PyObject** items, Py_ssize_t n) except NULL
    Py_ssize_t ddl_member_offset(PyObject* descr)
    PyObject* ddl_timezone_offset(PyObject* tz)
    bint ddl_meth1_ok(PyObject* descr)
    PyObject* ddl_call_meth1(PyObject* descr, PyObject* self, PyObject* arg)
    PyObject* ddl_class_attr(PyObject* cls, PyObject* name)
    PyObject* ddl_alloc_untracked(PyTypeObject* t)
    bint ddl_maybe_shared(PyObject* o, Py_ssize_t held)
    object ddl_setattr_wrapper(PyTypeObject* t, const char* name, void* func)
    bint ddl_adopt_dealloc(PyTypeObject* t, PyTypeObject* plain)
    bint ddl_dealloc_adopted(PyTypeObject* t)

cdef extern from "ddl_new_objects.h":
    PyObject* ddl_float_new(double d) except NULL

cdef extern from "ddl_gc.h":
    void ddl_gc_init()
    bint ddl_lifetimes_unheard()
    void ddl_gc_tenure(PyObject* o)
    void ddl_gc_tenure_after(PyObject* o, PyObject* owner)
    void ddl_gc_tenure_tracked(PyObject* o)
    bint ddl_gc_is_tracked(PyObject* o)
    void ddl_gc_tenure_held(PyObject* o, PyObject* owner)
    PyObject* ddl_gc_list(Py_ssize_t room) except NULL

ddl_gc_init()  # before any reader makes an object

cdef extern from "ddl_objects.h":
    PyObject* ddl_int(long long v) except NULL
    PyObject* ddl_bytes_of(const unsigned char* s, Py_ssize_t n) except NULL
    PyObject* ddl_uint(unsigned long long v) except NULL
    PyObject* ddl_none
    PyObject* ddl_true
    PyObject* ddl_false
    int ddl_as_int64(PyObject* v, int64_t* out)
    int ddl_as_uint64(PyObject* v, uint64_t* out)
    bint ddl_may_cycle(PyObject* v)
    int ddl_message_setattro(PyObject* self, PyObject* name, PyObject* value)
    bint ddl_untrackable(PyTypeObject* t, int frozen)
    bint ddl_tuple_has(PyObject* t, PyObject* x)
    PyObject* ddl_slot(PyObject* obj, Py_ssize_t offset)
    void ddl_set_slot(PyObject* obj, Py_ssize_t offset, PyObject* value)
    void ddl_init_slot(PyObject* obj, Py_ssize_t offset, PyObject* value)
    PyObject* ddl_long_from_be128(const unsigned char* b) except NULL

cdef extern from "ddl_init.h":
    object ddl_filler_new(PyTypeObject* cls, object names, int frozen, const Py_ssize_t* offsets)

cdef extern from "ddl_vector.h":
    bint ddl_c_buffer(PyObject* v, PyTypeObject* array_type)
    bint ddl_buffer_holds(const Py_buffer* view, char code, Py_ssize_t size)

cdef extern from "ddl_utf8.h":
    const char* ddl_utf8(PyObject* s, Py_ssize_t* n) except NULL
    PyObject* ddl_decode_utf8(const unsigned char* s, Py_ssize_t n)

cdef extern from "ddl_shared_str.h":
    PyObject* ddl_str(const unsigned char* s, Py_ssize_t n)
    PyObject* ddl_str_ascii(const unsigned char* s, Py_ssize_t n)
    PyObject* ddl_str_keyed(const unsigned char* s, Py_ssize_t n)
    PyObject* ddl_str_field(const unsigned char* s, Py_ssize_t n, int32_t* owed)

class Bail(Exception):
    """The compiled engine leaves this call to the reference engine."""


cdef int bail() except -1:
    raise Bail()


cdef inline object _owned(PyObject* made):
    """``made``, a new reference, as an object (which then holds that reference)."""
    value = <object>made
    Py_DECREF_ptr(made)
    return value
