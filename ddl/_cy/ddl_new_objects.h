/* ddl_new_objects.h: new ints, floats and ASCII strs, laid out by hand where ddl_cpython.h's
   DDL_KNOWN_LAYOUT says the layout is known, and made by CPython's constructors elsewhere. */

#ifndef DDL_NEW_OBJECTS_H
#define DDL_NEW_OBJECTS_H

#include <Python.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "ddl_cpython.h"

/* New ints, floats and ASCII strs, made as CPython's constructors make them less their calls:
   a decode of 10,000 numbers or strings makes thousands. PyLong_FromLongLong counts the
   digits in a loop and goes through _PyLong_New's checks, PyFloat_FromDouble finds the
   interpreter's free list, PyUnicode_New picks a layout, and each calls _PyObject_Init and
   _Py_NewReference. Making and freeing one of the ints workload's ints took 12.4 ns through
   PyLong_FromLongLong and 7.7 ns so; a float 7.1 and 5.5 (Intel Xeon, 3.11; benches/README.md,
   2026-12-03 (5)). The header is started by ddl_object_start (ddl_gc.h). A build counting
   references (Py_REF_DEBUG) and any unknown layout take the public constructors. */
#if defined(DDL_KNOWN_LAYOUT) && !defined(Py_REF_DEBUG) && !defined(Py_TRACE_REFS)
#define DDL_NEW_OBJECTS 1
#endif

#if defined(DDL_NEW_OBJECTS)
/* A block of `size` bytes holding a new object of the static type t, its first reference
   taken; the caller fills the rest. NULL with MemoryError set. */
static inline PyObject* ddl_object_block(size_t size, PyTypeObject* t) {
    PyObject* o = (PyObject*)PyObject_Malloc(size);
    if (o == NULL) return PyErr_NoMemory();
    return ddl_object_start(o, t);
}
#endif

/* A new str of n ASCII characters, its characters not written yet: the caller copies them to
   PyUnicode_DATA before anything else sees it. Laid out as PyUnicode_New(n, 127) lays it out:
   compact, one byte a character, the hash not computed, a NUL after the last; for n = 0, the
   empty str CPython shares. */
static inline PyObject* ddl_ascii_new(Py_ssize_t n) {
#if defined(DDL_NEW_OBJECTS)
    PyASCIIObject* o;
    if (n == 0) return PyUnicode_New(0, 127);
    o = (PyASCIIObject*)ddl_object_block(sizeof(PyASCIIObject) + (size_t)n + 1, &PyUnicode_Type);
    if (o == NULL) return NULL;
    o->length = n;
    o->hash = -1;
    memset(&o->state, 0, sizeof(o->state));  /* not interned nor static: the flags set below aside */
    o->state.kind = PyUnicode_1BYTE_KIND;
    o->state.compact = 1;
    o->state.ascii = 1;
#if PY_VERSION_HEX < 0x030C0000
    o->state.ready = 1;
    o->wstr = NULL;
#endif
    ((char*)(o + 1))[n] = '\0';
    return (PyObject*)o;
#else
    return PyUnicode_New(n, 127);
#endif
}

/* A new float of d (NULL with an error set). */
static inline PyObject* ddl_float_new(double d) {
#if defined(DDL_NEW_OBJECTS)
    PyObject* o = ddl_object_block(sizeof(PyFloatObject), &PyFloat_Type);
    if (o != NULL) ((PyFloatObject*)o)->ob_fval = d;
    return o;
#else
    return PyFloat_FromDouble(d);
#endif
}

/* A new int of magnitude m and sign `negative`, which is not one of the small ints CPython
   keeps one object of (-5 to 256: the caller takes those from PyLong_FromLongLong). Its
   30-bit digits, least significant first, as _PyLong_New sizes the block: one, two or three. */
static inline PyObject* ddl_long_new(uint64_t m, int negative) {
#if defined(DDL_NEW_OBJECTS) && PyLong_SHIFT == 30
    size_t n = 1 + (m >= ((uint64_t)1 << 30)) + (m >= ((uint64_t)1 << 60));
#if PY_VERSION_HEX >= 0x030C0000
    const size_t head = offsetof(PyLongObject, long_value.ob_digit);
#else
    const size_t head = offsetof(PyLongObject, ob_digit);
#endif
    PyLongObject* o = (PyLongObject*)ddl_object_block(head + n * sizeof(digit), &PyLong_Type);
    digit* d;
    if (o == NULL) return NULL;
#if PY_VERSION_HEX >= 0x030C0000
    /* the digit count above the sign (2: negative, 0: positive), as _PyLong_SetSignAndDigitCount */
    o->long_value.lv_tag = ((uintptr_t)n << _PyLong_NON_SIZE_BITS) | (negative ? 2 : 0);
    d = o->long_value.ob_digit;
#else
    Py_SET_SIZE(o, negative ? -(Py_ssize_t)n : (Py_ssize_t)n);  /* 3.11: the sign is ob_size's */
    d = o->ob_digit;
#endif
    d[0] = (digit)(m & PyLong_MASK);
    if (n > 1) {
        d[1] = (digit)((m >> 30) & PyLong_MASK);
        if (n > 2) d[2] = (digit)(m >> 60);
    }
    return (PyObject*)o;
#else
    return negative ? PyLong_FromLongLong((long long)(0 - m)) : PyLong_FromUnsignedLongLong(m);
#endif
}

#endif
