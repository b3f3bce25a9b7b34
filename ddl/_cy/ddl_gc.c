/* ddl_gc.c: ddl_gc_init, ddl_gc_new and ddl_gc_list (see ddl_gc.h). A file of its own because
   it reads the collector's state, which only CPython's internal headers declare, and they need
   Py_BUILD_CORE_MODULE, which must not change how the rest of the engine is compiled. The
   layout used here (the interpreter's gc state, its generations' lists and counts, the words
   before an object) is the one of 3.11 to 3.13 with the GIL; anywhere else the public calls
   stand in. */

#include "ddl_layout.h"

#if defined(DDL_KNOWN_LAYOUT)
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

ddl_gc_where ddl_gc_state;

void ddl_gc_init(void) {
    /* the inline read of the current thread's interpreter, where PyInterpreterState_Get is a
       call with its own checks */
    struct _gc_runtime_state* gc = &_PyInterpreterState_GET()->gc;
    ddl_gc_state.oldest = (uintptr_t*)&gc->generations[NUM_GENERATIONS - 1].head;
    ddl_gc_state.young_count = &gc->generations[0].count;
#if PY_VERSION_HEX >= 0x030D0000
    ddl_gc_state.ref_tracer = &_PyRuntime.ref_tracer.tracer_func;
#endif
}

/* ddl_gc_is_tracked (ddl_gc.h) reads the first of these two words without the internal headers */
_Static_assert(sizeof(PyGC_Head) == 2 * sizeof(uintptr_t) && offsetof(PyGC_Head, _gc_next) == 0,
               "PyGC_Head is two words, _gc_next first");
/* ddl_gc_untrack (ddl_gc.h) keeps the flags of those two low bits so */
_Static_assert(_PyGC_PREV_MASK == ~(uintptr_t)3 && _PyGC_PREV_MASK_FINALIZED == 1,
               "_gc_prev's flags are its two low bits, finalized the lowest");
/* ddl_gc_where points at a generation's head as at an object's two words, and at its count */
_Static_assert(offsetof(struct gc_generation, head) == 0 && sizeof(((struct gc_generation*)0)->count) == sizeof(int),
               "a generation starts with its list's head and counts in an int");

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
    return ddl_object_start(o, t);
}

PyObject* ddl_gc_list(Py_ssize_t room) {
    PyObject** items = NULL;
    char* block;
    PyListObject* list;
    if (room > 0) {
        /* PyMem_Malloc refuses a size past PY_SSIZE_T_MAX itself, but room * 8 could wrap */
        if ((size_t)room > (size_t)PY_SSIZE_T_MAX / sizeof(PyObject*)) return PyErr_NoMemory();
        /* not zeroed: a list reads no slot past its size, and the caller fills up to the room */
        items = PyMem_Malloc((size_t)room * sizeof(PyObject*));
        if (items == NULL) return PyErr_NoMemory();
    }
    block = PyObject_Malloc(sizeof(PyGC_Head) + sizeof(PyListObject));
    if (block == NULL) {
        PyMem_Free(items);
        return PyErr_NoMemory();
    }
    memset(block, 0, sizeof(PyGC_Head));  /* not tracked */
    list = (PyListObject*)(block + sizeof(PyGC_Head));
    list->ob_item = items;
    list->allocated = room;
    Py_SET_SIZE(list, 0);
    return ddl_object_start((PyObject*)list, &PyList_Type);
}

#else

/* Where neither the collector's layout nor the list's is known (the two are known together): a
   list made for nothing, which appends grow as usual. */
PyObject* ddl_gc_list(Py_ssize_t room) {
    (void)room;
    return PyList_New(0);
}

void ddl_gc_init(void) {}

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
