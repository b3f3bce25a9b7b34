/* ddl_objects.h: the Python objects the loops make and read, through public API only (the
   reads of CPython internals they build on are in ddl_cpython.h): shared small ints, ints as
   machine words, the slots of message instances, and the GC tests of the decoder. Pointers
   are borrowed unless a comment says "new reference". */

#ifndef DDL_OBJECTS_H
#define DDL_OBJECTS_H

#include <Python.h>
#include <stdint.h>

#include "ddl_compat.h"
#include "ddl_cpython.h"
#include "ddl_new_objects.h"
#include "ddl_wire.h"

/* A new reference to the bytes object of the n bytes at s (NULL with an exception). A long one
   is made empty and filled by ddl_copy_apart, where PyBytes_FromStringAndSize's memcpy could
   stall (ddl_wire.h); a short one is made by CPython, which shares those of one byte. */
static inline PyObject* ddl_bytes_of(const unsigned char* s, Py_ssize_t n) {
    PyObject* r;
    if (n <= DDL_APART_MIN) return PyBytes_FromStringAndSize((const char*)s, n);
    r = PyBytes_FromStringAndSize(NULL, n);
    if (r != NULL) ddl_copy_apart((unsigned char*)PyBytes_AS_STRING(r), s, (size_t)n);
    return r;
}

/* Ints of one- and two-byte varints are made once and shared, as CPython shares those up to
   256: a packed run of them then costs a list pointer per value, not a 32-byte int object too.
   Filled on first use, so the table holds at most 16,384 ints (512 KB). */
#define DDL_SHARED_INTS 16384
static PyObject* ddl_shared_ints[DDL_SHARED_INTS];

/* The slow path of ddl_int, out of line: a new reference to a new int, which is also kept in
   the table when it is small enough. CPython's small ints (-5 to 256) come from
   PyLong_FromLongLong, which shares them; the others are laid out by ddl_long_new. */
static DDL_NOINLINE PyObject* ddl_int_new(long long v) {
    PyObject* r;
    if (v >= -5 && v <= 256)
        r = PyLong_FromLongLong(v);
    else
        r = ddl_long_new(v < 0 ? 0 - (uint64_t)v : (uint64_t)v, v < 0);
    if (r != NULL && (unsigned long long)v < DDL_SHARED_INTS) {
        Py_INCREF(r);
        ddl_shared_ints[v] = r;  /* the table's reference, never released */
    }
    return r;
}

/* A new reference to the int v (NULL on error). Small enough to inline in every reader
   without pushing the varint reader out of line. */
static inline PyObject* ddl_int(long long v) {
    if ((unsigned long long)v < DDL_SHARED_INTS && ddl_shared_ints[v] != NULL) {
        Py_INCREF(ddl_shared_ints[v]);
        return ddl_shared_ints[v];
    }
    return ddl_int_new(v);
}

/* A new reference to the int v, for unsigned fields. */
static inline PyObject* ddl_uint(unsigned long long v) {
    return v < DDL_SHARED_INTS ? ddl_int((long long)v) : ddl_long_new(v, 0);
}

/* The singletons as constants that Cython can compare pointers with. */
static PyObject* const ddl_none = Py_None;
static PyObject* const ddl_true = Py_True;
static PyObject* const ddl_false = Py_False;

/* An int (or int subclass) as int64: 0 when it fits, 1 when it does not (or on any error,
   which is cleared: the reference engine will report it). */
static inline int ddl_as_int64(PyObject* v, int64_t* out) {
    if (ddl_small_long(v, out)) return 0;
    int overflow = 0;
    long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
    if (overflow || (x == -1 && PyErr_Occurred())) { PyErr_Clear(); return 1; }
    *out = (int64_t)x;
    return 0;
}

/* An int as uint64: 0 when it is in [0, 2**64), 1 otherwise (errors cleared, as above). */
static inline int ddl_as_uint64(PyObject* v, uint64_t* out) {
    int64_t i;
    if (ddl_as_int64(v, &i) == 0) {
        if (i < 0) return 1;
        *out = (uint64_t)i;
        return 0;
    }
    unsigned long long x = PyLong_AsUnsignedLongLong(v);
    if (x == (unsigned long long)-1 && PyErr_Occurred()) { PyErr_Clear(); return 1; }
    *out = (uint64_t)x;
    return 0;
}

/* Whether v can hold references, and so be part of a cycle: CPython's test (a GC type),
   less the tuples the GC has already found to hold none. */
static inline int ddl_may_cycle(PyObject* v) {
    return PyType_IS_GC(Py_TYPE(v)) && (!PyTuple_CheckExact(v) || PyObject_GC_IsTracked(v));
}

/* The tp_setattro of every message class that takes assignments (installed through
   ddl_setattr_wrapper by ddl.Message's metaclass). The assignment runs as object's does; then
   an instance the decoder left untracked (ddl_untrackable) is tracked again when the new value
   can hold references, so that a cycle made through it later is still collected. msgspec's
   Structs do the same. A deletion never needs it. */
static int ddl_message_setattro(PyObject* self, PyObject* name, PyObject* value) {
    if (PyObject_GenericSetAttr(self, name, value) < 0) return -1;
    if (value != NULL && PyType_IS_GC(Py_TYPE(self)) && !PyObject_GC_IsTracked(self) && ddl_may_cycle(value))
        PyObject_GC_Track(self);
    return 0;
}

/* Whether the decoder may leave instances of t untracked by the GC when none of their
   values can hold references, so that collections skip them: when no assignment can bring a
   reference in unseen, because the class is frozen or every assignment runs
   ddl_message_setattro. A class with a __dict__, or whose own __setattr__ runs Python code,
   stays tracked: a cycle through an untracked object would never be collected. (A member
   descriptor's __set__, or object.__setattr__ on a frozen class, can still go around both:
   that is a leak of the cycle made so, never a crash.) */
static inline int ddl_untrackable(PyTypeObject* t, int frozen) {
    return PyType_IS_GC(t) && t->tp_dictoffset == 0
        && (frozen || t->tp_setattro == ddl_message_setattro);
}

/* Whether the tuple t holds x itself: identity only, so no __eq__ or __hash__ runs. */
static inline int ddl_tuple_has(PyObject* t, PyObject* x) {
    Py_ssize_t i, n = PyTuple_GET_SIZE(t);
    for (i = 0; i < n; i++) if (PyTuple_GET_ITEM(t, i) == x) return 1;
    return 0;
}

/* The slot at offset (from ddl_member_offset) in obj: a borrowed pointer, NULL when unset. */
static inline PyObject* ddl_slot(PyObject* obj, Py_ssize_t offset) {
    return *(PyObject**)((char*)obj + offset);
}

/* Store a new reference in a slot, releasing what it held (after the store, so that code
   the release runs never sees the old value). */
static inline void ddl_set_slot(PyObject* obj, Py_ssize_t offset, PyObject* value) {
    PyObject** slot = (PyObject**)((char*)obj + offset);
    PyObject* old = *slot;
    *slot = value;
    Py_XDECREF(old);
}

/* Store a new reference in a slot that holds nothing yet (NULL): a new instance's. */
static inline void ddl_init_slot(PyObject* obj, Py_ssize_t offset, PyObject* value) {
    *(PyObject**)((char*)obj + offset) = value;
}

#endif /* DDL_OBJECTS_H */
