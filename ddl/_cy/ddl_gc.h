/* ddl_gc.h: where the readers put the objects they make in the cyclic GC's generations
   (ddl_gc.c, the one file of ddl that reads CPython's internal headers). */

#ifndef DDL_GC_H
#define DDL_GC_H

#include <Python.h>

/* Track o by the GC in its oldest generation, o being an object the caller has just made and
   filled (untracked, or tracked by its constructor in the youngest generation, which it then
   leaves), and take it off the youngest generation's count of allocations. A decoded graph is
   born without cycles, so young collections passing over it find nothing; in the oldest
   generation only full collections pass over it, and they still find any cycle made through it
   later. Nothing is done for an object whose type the GC does not know. Elsewhere than CPython
   3.11 to 3.13 with the GIL it is PyObject_GC_Track (when o is not tracked yet). */
void ddl_gc_tenure(PyObject* o);

/* ddl_gc_tenure for a container the caller has just made and filled, when the GC tracks it: a
   dict that CPython left untracked (it holds nothing that can cycle) stays so. */
static inline void ddl_gc_tenure_tracked(PyObject* o) {
    if (PyObject_GC_IsTracked(o)) ddl_gc_tenure(o);
}

#endif
