/* ddl_gc.c: ddl_gc_tenure and ddl_gc_new (see ddl_gc.h). A file of its own because it reads
   the collector's state, which only CPython's internal headers declare, and they need
   Py_BUILD_CORE_MODULE, which must not change how the rest of the engine is compiled. The
   layout used here (the interpreter's gc state, its generations' lists and counts, the words
   before an object) is the one of 3.11 to 3.13 with the GIL; anywhere else the public calls
   stand in. */

#include <patchlevel.h>
#include <pyconfig.h>

#if PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030E0000 && !defined(Py_GIL_DISABLED)
#define DDL_GC_GENERATIONS 1
#define Py_BUILD_CORE_MODULE 1
#endif

#include <Python.h>
#include <stddef.h>
#include <string.h>
#include "ddl_gc.h"

/* ddl_gc_new through the public calls: PyObject_GC_New, which links the object in and counts
   it, and a memset of its slots. */
static PyObject* ddl_gc_new_public(PyTypeObject* t) {
    PyObject* o = PyObject_GC_New(PyObject, t);
    if (o != NULL) memset((char*)o + sizeof(PyObject), 0, (size_t)t->tp_basicsize - sizeof(PyObject));
    return o;
}

#ifdef DDL_GC_GENERATIONS
#include "internal/pycore_gc.h"
#include "internal/pycore_interp.h"
#include "internal/pycore_object.h"
#include "internal/pycore_pystate.h"

/* o, of a class the GC knows and not tracked (the caller untracks it first, so that at is read
   once o is out of its list), linked right after at, in at's list: between at and what followed
   it, the flags of both left as they are. */
static void ddl_gc_link_after(PyObject* o, PyGC_Head* at) {
    /* the inline read of the current thread's interpreter, where PyInterpreterState_Get is a
       call with its own checks: this runs once for every container a decode makes */
    struct _gc_runtime_state* gc = &_PyInterpreterState_GET()->gc;
    PyGC_Head* g = _Py_AS_GC(o);
    PyGC_Head* next = _PyGCHead_NEXT(at);
    _PyGCHead_SET_NEXT(at, g);
    _PyGCHead_SET_PREV(g, at);
    _PyGCHead_SET_NEXT(g, next);
    _PyGCHead_SET_PREV(next, g);
    /* its allocation was counted towards the next young collection, which it no longer joins */
    if (gc->generations[0].count > 0) gc->generations[0].count--;
}

void ddl_gc_tenure(PyObject* o) {
    PyGC_Head* head = &_PyInterpreterState_GET()->gc.generations[NUM_GENERATIONS - 1].head;
    if (!PyType_IS_GC(Py_TYPE(o))) return;  /* a class the GC does not know */
    if (_PyObject_GC_IS_TRACKED(o)) _PyObject_GC_UNTRACK(o);
    /* last in the oldest generation's list, as _PyObject_GC_TRACK links in the youngest */
    ddl_gc_link_after(o, (PyGC_Head*)head->_gc_prev);
}

void ddl_gc_tenure_after(PyObject* o, PyObject* owner) {
    if (owner == NULL || !_PyObject_GC_IS_TRACKED(owner)) {
        ddl_gc_tenure(o);
        return;
    }
    if (!PyType_IS_GC(Py_TYPE(o))) return;
    if (_PyObject_GC_IS_TRACKED(o)) _PyObject_GC_UNTRACK(o);
    ddl_gc_link_after(o, _Py_AS_GC(owner));
}

/* ddl_gc_is_tracked (ddl_gc.h) reads the first of these two words without the internal headers */
_Static_assert(sizeof(PyGC_Head) == 2 * sizeof(uintptr_t) && offsetof(PyGC_Head, _gc_next) == 0,
               "PyGC_Head is two words, _gc_next first");

PyObject* ddl_gc_new(PyTypeObject* t) {
    size_t size = (size_t)t->tp_basicsize;
    char* block;
    PyObject* o;
    if (_PyType_PreHeaderSize(t) != sizeof(PyGC_Head) || t->tp_itemsize != 0) return ddl_gc_new_public(t);
    block = PyObject_Malloc(sizeof(PyGC_Head) + size);
    if (block == NULL) return PyErr_NoMemory();
    /* the GC's two words zero (not tracked), and the slots NULL */
    memset(block, 0, sizeof(PyGC_Head) + size);
    o = (PyObject*)(block + sizeof(PyGC_Head));
    /* the type and the first reference, as every allocator of CPython sets them (a heap type
       gains a reference; a reference tracer, on 3.13, is told) */
    return PyObject_Init(o, t);
}

#else

void ddl_gc_tenure(PyObject* o) {
    if (PyType_IS_GC(Py_TYPE(o)) && !PyObject_GC_IsTracked(o)) PyObject_GC_Track(o);
}

void ddl_gc_tenure_after(PyObject* o, PyObject* owner) {
    (void)owner;
    ddl_gc_tenure(o);
}

PyObject* ddl_gc_new(PyTypeObject* t) {
    return ddl_gc_new_public(t);
}

#endif
