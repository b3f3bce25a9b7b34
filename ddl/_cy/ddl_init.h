/* ddl_init.h: what a message class's generated __init__ calls to store its fields, in one C
   call: a "filler". Assignments `self.x = x` would each go through the class's C __setattr__
   (ddl_message_setattro), which CPython's interpreter cannot specialize as it does plain slot
   stores, and a frozen class's would go through object.__setattr__; the filler writes every
   slot at its offset instead. It stays the constructor of ddl/_pyengine/_init.py: argument
   parsing, defaults and factories remain Python's. */

#ifndef DDL_INIT_H
#define DDL_INIT_H

#include <Python.h>

#include "ddl_objects.h"

/* A filler: the class whose slots it writes, their names and their offsets (one each, in the
   order __init__ passes the values). A GC object: the class's __init__ refers to it, and it to
   the class. */
typedef struct {
    PyObject_VAR_HEAD
    vectorcallfunc vectorcall;
    PyTypeObject* cls;   /* strong */
    PyObject* names;     /* strong: a tuple of str, one per slot */
    int frozen;          /* the class forbids assignment: always store past __setattr__ */
    Py_ssize_t offsets[1];
} ddl_filler;

static PyTypeObject ddl_filler_type;  /* defined below, readied on first use */

/* A call filler(self, v0, ..., vn-1): store each value in its slot of self. When self's class
   has a __setattr__ of its own (a user's subclass that is not frozen), every value goes through
   it instead, as `self.x = x` would. A message the decoder left untracked, given a value that
   can hold references here (a second __init__ call), is tracked again. None, or NULL with an
   exception. */
static PyObject* ddl_filler_call(PyObject* callable, PyObject* const* args, size_t nargsf, PyObject* kwnames) {
    ddl_filler* f = (ddl_filler*)callable;
    Py_ssize_t i, n = Py_SIZE(f), nargs = PyVectorcall_NARGS(nargsf);
    PyObject* self;
    int untracked, track = 0;
    if ((kwnames != NULL && PyTuple_GET_SIZE(kwnames) != 0) || nargs != n + 1) {
        PyErr_Format(PyExc_TypeError, "ddl: a filler takes the instance and %zd values", n);
        return NULL;
    }
    self = args[0];
    if (f->cls == NULL || !PyObject_TypeCheck(self, f->cls)) {  /* NULL: cleared by the GC */
        PyErr_Format(PyExc_TypeError, "ddl: a filler got a %s, not an instance of its class", Py_TYPE(self)->tp_name);
        return NULL;
    }
    if (!f->frozen && Py_TYPE(self)->tp_setattro != ddl_message_setattro) {
        for (i = 0; i < n; i++)
            if (PyObject_SetAttr(self, PyTuple_GET_ITEM(f->names, i), args[i + 1]) < 0) return NULL;
        Py_RETURN_NONE;
    }
    /* A new instance is tracked: only a second call on one the decoder left untracked needs
       its values looked at. */
    untracked = PyType_IS_GC(Py_TYPE(self)) && !PyObject_GC_IsTracked(self);
    for (i = 0; i < n; i++) {
        /* ddl_set_slot releases an old value (on a second call) after its store: code that the
           release runs sees a whole object. args, self and f are the caller's references. */
        Py_INCREF(args[i + 1]);
        ddl_set_slot(self, f->offsets[i], args[i + 1]);
        track |= untracked && ddl_may_cycle(args[i + 1]);
    }
    if (track && !PyObject_GC_IsTracked(self)) PyObject_GC_Track(self);
    Py_RETURN_NONE;
}

/* Visit the filler's references, for the GC. */
static int ddl_filler_traverse(PyObject* o, visitproc visit, void* arg) {
    ddl_filler* f = (ddl_filler*)o;
    Py_VISIT(f->cls);
    Py_VISIT(f->names);
    return 0;
}

/* Drop the filler's references (the GC breaking a cycle through it). */
static int ddl_filler_clear(PyObject* o) {
    ddl_filler* f = (ddl_filler*)o;
    Py_CLEAR(f->cls);
    Py_CLEAR(f->names);
    return 0;
}

/* Free a filler. */
static void ddl_filler_dealloc(PyObject* o) {
    PyObject_GC_UnTrack(o);
    ddl_filler_clear(o);
    PyObject_GC_Del(o);
}

static PyTypeObject ddl_filler_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "ddl._speedups.filler",
    .tp_basicsize = (Py_ssize_t)offsetof(ddl_filler, offsets),
    .tp_itemsize = (Py_ssize_t)sizeof(Py_ssize_t),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_vectorcall_offset = (Py_ssize_t)offsetof(ddl_filler, vectorcall),
    .tp_call = PyVectorcall_Call,
    .tp_traverse = ddl_filler_traverse,
    .tp_clear = ddl_filler_clear,
    .tp_dealloc = ddl_filler_dealloc,
};

/* The filler of class cls for the slots `names` (a tuple of str) at `offsets`, which the
   caller has read from cls's member descriptors (so every instance of cls has them): a new
   reference, or NULL with an exception. */
static PyObject* ddl_filler_new(PyTypeObject* cls, PyObject* names, int frozen, const Py_ssize_t* offsets) {
    Py_ssize_t i, n = PyTuple_GET_SIZE(names);
    ddl_filler* f;
    if (!(ddl_filler_type.tp_flags & Py_TPFLAGS_READY) && PyType_Ready(&ddl_filler_type) < 0) return NULL;
    f = PyObject_GC_NewVar(ddl_filler, &ddl_filler_type, n);
    if (f == NULL) return NULL;
    f->vectorcall = ddl_filler_call;
    Py_INCREF(cls);
    f->cls = cls;
    Py_INCREF(names);
    f->names = names;
    f->frozen = frozen;
    for (i = 0; i < n; i++) f->offsets[i] = offsets[i];
    PyObject_GC_Track((PyObject*)f);
    return (PyObject*)f;
}

#endif /* DDL_INIT_H */
