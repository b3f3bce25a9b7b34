/* Numbers as buffers: a repeated number field written from, or read into, one block of memory
   (an array.array, a numpy array, a memoryview) rather than one Python object per element. */
#ifndef DDL_VECTOR_H
#define DDL_VECTOR_H

#include <Python.h>

#include "ddl_layout.h"
#include "ddl_wire.h"

/* Whether exporting v's buffer runs C code only, so that no Python code can run while the encode
   loops hold borrowed pointers: a memoryview (which re-exports the view it holds), an array.array
   (array_type, a heap type since 3.12), or an instance of a static type (defined in C, as numpy's
   ndarray). A class defined in Python may export its buffer through __buffer__ (3.12+). */
static inline int ddl_c_buffer(PyObject* v, PyTypeObject* array_type) {
    PyTypeObject* t = Py_TYPE(v);
    if (t == &PyMemoryView_Type || t == array_type) return 1;  /* both export, without a call */
    return PyObject_CheckBuffer(v) && !PyType_HasFeature(t, Py_TPFLAGS_HEAPTYPE);
}

/* Export v's buffer into *view, one-dimensional and C-contiguous with its format: 1, or 0 when
   v refuses (a strided numpy array, a released memoryview), its error cleared, since the
   caller then leaves the value to the reference engine, which names what is wrong. v passed
   ddl_c_buffer, so no Python code runs. Called without Python's wrapper of try and except. */
static inline int ddl_get_view(PyObject* v, Py_buffer* view) {
    if (PyObject_GetBuffer(v, view, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) == 0) return 1;
    PyErr_Clear();
    return 0;
}

/* An array.array's struct is private to Modules/arraymodule.c; its first fields after the
   header (the items, the room in items, then the descriptor, whose first byte is the typecode)
   are laid out alike from 3.3 to 3.13, and encode_packed.pxi checks them at import against an
   array's own buffer_info(). A free-threaded build guards them with a lock of its own. */
#if defined(DDL_KNOWN_LAYOUT)
#define DDL_ARRAY_LAYOUT 1
typedef struct { PyObject_VAR_HEAD char* items; Py_ssize_t room; const char* descr; } ddl_array_head;
#endif

/* The items of v, an array.array (of exactly array_type) of typecode `code` and items of `size`
   bytes, read from the array's own struct without exporting its buffer: their address, and
   their length in bytes in *n; NULL when v has another typecode or this build does not know the
   layout (the caller then exports the buffer). The items move when the array grows: the caller
   copies them before any Python code can run. */
static inline const char* ddl_array_items(PyObject* v, char code, Py_ssize_t size, Py_ssize_t* n) {
#if defined(DDL_ARRAY_LAYOUT)
    const ddl_array_head* a = (const ddl_array_head*)v;
    if (a->descr == NULL || a->descr[0] != code) return NULL;
    *n = Py_SIZE(v) * size;
    return a->items;
#else
    (void)v; (void)code; (void)size; (void)n;
    return NULL;
#endif
}

/* Fill v, a new empty array.array (of exactly array_type, no buffer exported, layout as
   ddl_array_items reads it), with the n bytes at s, items of `size` bytes: 1 when done, 0 when
   this build does not know the layout (the caller then appends through frombytes), -1 with
   MemoryError set. The block is taken as array_resize takes it (PyMem_Malloc, which the array's
   dealloc frees with PyMem_Free) and filled by ddl_copy_apart, where frombytes would copy with
   memcpy, which stalls when the block lands just past the input (ddl_wire.h). */
static inline int ddl_array_fill(PyObject* v, const unsigned char* s, Py_ssize_t n, Py_ssize_t size) {
#if defined(DDL_ARRAY_LAYOUT)
    ddl_array_head* a = (ddl_array_head*)v;
    char* items;
    if (a->items != NULL || Py_SIZE(v) != 0) return 0;
    items = (char*)PyMem_Malloc((size_t)n);
    if (items == NULL) { PyErr_NoMemory(); return -1; }
    ddl_copy_apart((unsigned char*)items, s, (size_t)n);
    a->items = items;
    a->room = n / size;
    Py_SET_SIZE(v, n / size);
    return 1;
#else
    (void)v; (void)s; (void)n; (void)size;
    return 0;
#endif
}

/* Whether a buffer holds the items of the array typecode `code` ('f', 'd', 'i', 'I', 'q' or 'Q')
   of `size` bytes each, in one dimension: its format is the typecode or C long of the same size
   ('l' for 'i' and 'q', 'L' for 'I' and 'Q'), in native byte order (no prefix, '@', '=' or '<':
   the compiled engine runs on little-endian hosts only). The rules of ddl/_pyengine/_runtime.py's
   buffer check, which explains any buffer refused here. */
static inline int ddl_buffer_holds(const Py_buffer* view, char code, Py_ssize_t size) {
    const char* f = view->format;
    if (view->ndim != 1 || view->itemsize != size || f == NULL) return 0;
    if (*f == '@' || *f == '=' || *f == '<') f++;
    if (f[0] == '\0' || f[1] != '\0') return 0;
    if (f[0] == code) return 1;
    if (code == 'i' || code == 'q') return f[0] == 'l';
    if (code == 'I' || code == 'Q') return f[0] == 'L';
    return 0;
}

#endif /* DDL_VECTOR_H */
