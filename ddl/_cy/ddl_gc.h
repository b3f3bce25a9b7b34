/* ddl_gc.h: how the readers make their objects and place them in the cyclic GC's generations
   (ddl_gc.c, the one file of ddl that reads CPython's internal headers). */

#ifndef DDL_GC_H
#define DDL_GC_H

#include <Python.h>
#include <stdint.h>
#include "ddl_layout.h"

#if defined(DDL_KNOWN_LAYOUT)
/* Where the collector keeps what the functions below change, and on 3.13 where the runtime
   keeps its reference tracer, found once by ddl_gc_init (at the module's import) in the one
   interpreter the module serves: Cython's module refuses to load into a second, so none of
   them moves while the module lives. */
typedef struct {
    uintptr_t* oldest;  /* the oldest generation's list head, two words laid out as an object's */
    int* young_count;   /* the youngest generation's count of allocations since it was collected */
#if PY_VERSION_HEX >= 0x030D0000
    PyRefTracer* ref_tracer;  /* the function told of each object's birth and death, NULL while
                                 none is set (tracemalloc.start() sets one) */
#endif
} ddl_gc_where;
extern ddl_gc_where ddl_gc_state;
#endif

#if defined(DDL_KNOWN_LAYOUT) && !defined(Py_REF_DEBUG) && !defined(Py_TRACE_REFS)
/* Builds where the readers may start and end objects themselves (ddl_lifetimes_unheard). */
#define DDL_UNHEARD_LIFETIMES 1
#endif

/* Whether nothing but the memory allocator hears of an object's birth or death now, so that
   the readers may start and end objects without CPython's calls: always on 3.11 and 3.12
   (tracemalloc traced the block in PyObject_Malloc, from the same frame, which is all its
   _PyTraceMalloc_NewReference would record again), and on 3.13 while its reference tracer is
   unset; never in other builds. Asked for each object as it is started or ended. A tracer
   is set only by Python code or a call of PyRefTracer_SetTracer (a finalizer run while a
   freed list's items are released can be such code): it then hears of the objects started
   and ended after that, as it never heard of the ones made before it was set. */
static inline int ddl_lifetimes_unheard(void) {
#if defined(DDL_UNHEARD_LIFETIMES) && PY_VERSION_HEX >= 0x030D0000
    return *ddl_gc_state.ref_tracer == NULL;
#elif defined(DDL_UNHEARD_LIFETIMES)
    return 1;
#else
    return 0;
#endif
}

/* Start a new object in o, a block from PyObject_Malloc: its type t and its first reference,
   as PyObject_Init sets them (a heap type gains a reference) less its call to
   _Py_NewReference, which every object a decode makes paid, when ddl_lifetimes_unheard says
   nothing else hears of it; otherwise PyObject_Init does it. */
static inline PyObject* ddl_object_start(PyObject* o, PyTypeObject* t) {
#if defined(DDL_UNHEARD_LIFETIMES)
    if (ddl_lifetimes_unheard()) {
        /* Py_SET_REFCNT would read the new block's garbage first on 3.12 (its immortality test) */
        o->ob_refcnt = 1;
        Py_SET_TYPE(o, t);
        if (t->tp_flags & Py_TPFLAGS_HEAPTYPE) Py_INCREF(t);
        return o;
    }
#endif
    return PyObject_Init(o, t);
}

/* A new instance of t, a class of fixed size whose instances the GC knows: every byte after
   its header zero (its slots NULL), its reference count 1, not tracked by the GC, and not
   counted towards the next young collection, which an object never tracked takes no part in
   (the readers track the few that can cycle through ddl_gc_tenure). It is what
   PyObject_GC_New and a memset of the slots make, without that call's linking in and
   counting, which every decoded message paid (benches/README.md, 2026-12-01 (4)). Where
   the collector's layout is not known, or t's instances carry more than the GC's two words
   before them (a managed __dict__ or weakrefs), it is those two calls. NULL with MemoryError
   when memory runs out. */
PyObject* ddl_gc_new(PyTypeObject* t);

/* A new empty list with room for `room` items, not tracked by the GC and not counted towards
   the next young collection, as ddl_gc_new makes a message: the readers fill it, then place it
   with ddl_gc_tenure_after. PyList_New(room), lowered to size 0, would link it in and count it,
   zero its room, and be unlinked again by the tenure; a decoded tree makes one for each node
   (its children, empty at a leaf). Where the collector's layout is not known it is
   PyList_New(0), which appends grow as usual. NULL with MemoryError when memory runs out. */
PyObject* ddl_gc_list(Py_ssize_t room);

/* Track o by the GC in its oldest generation, o being an object the caller has just made and
   filled: untracked (born so by ddl_gc_new or ddl_gc_list, or left so by its constructor), or
   tracked by its constructor in the youngest generation, which it then leaves, taken off that
   generation's count of allocations. A decoded graph is born without cycles, so young
   collections passing over it find nothing; in the oldest generation only full collections
   pass over it, and they still find any cycle made through it later. Nothing is done for an
   object whose type the GC does not know. Inline on CPython 3.11 to 3.13 with the GIL (a call
   for each message and list a reader makes, and the interpreter's lookup, cost 4.7% of
   decoding and freeing a tree); elsewhere it is PyObject_GC_Track (when o is not tracked yet).
     void ddl_gc_tenure(PyObject* o);

   ddl_gc_tenure, but o is linked right after owner in owner's generation (the oldest, where
   the readers put what they make) rather than last, when owner is tracked: a container then
   comes after the message holding it and before the messages it holds, which the reader made
   and linked before it. Otherwise (owner NULL or untracked) it is ddl_gc_tenure.
     void ddl_gc_tenure_after(PyObject* o, PyObject* owner);

   PyObject_GC_Del for o, untracked, whose class puts nothing but the GC's two words before its
   instances (a list; a message of a class ddl_message_dealloc frees): on 3.11 to 3.13 with the
   GIL the youngest generation's count taken down as that call does, and the block freed, less
   the call and its reading of the class and the interpreter.
     void ddl_gc_del(PyObject* o); */

#if defined(DDL_KNOWN_LAYOUT)
/* Whether the GC tracks o (an object whose type the GC knows), without a call: CPython 3.11 to
   3.13 with the GIL put two words before such an object (PyGC_Head), the first of which is 0
   while it is not tracked (pycore_gc.h's _PyObject_GC_IS_TRACKED; ddl_gc.c checks that layout
   when it is compiled). Freeing a message asks it of every instance, most of them untracked. */
static inline int ddl_gc_is_tracked(PyObject* o) {
    return ((const uintptr_t*)o)[-2] != 0;
}

/* Stop tracking o (tracked, of a class the GC knows) without a call, as pycore_object.h's
   _PyObject_GC_UNTRACK does: its two words are unlinked from their generation's list (the
   second word's two low bits are flags, of which only "finalized" stays), and the first made
   0. Freeing a decoded graph untracks every message and list in it. ddl_gc.c checks the
   flags' values when it is compiled. */
static inline void ddl_gc_untrack(PyObject* o) {
    uintptr_t* g = (uintptr_t*)o - 2;
    uintptr_t* next = (uintptr_t*)g[0];
    uintptr_t* prev = (uintptr_t*)(g[1] & ~(uintptr_t)3);
    prev[0] = (uintptr_t)next;
    next[1] = (next[1] & (uintptr_t)3) | (uintptr_t)prev;
    g[0] = 0;
    g[1] &= (uintptr_t)1;
}

/* o, of a class the GC knows and not tracked, linked right after at (an object's two words or
   a generation's head), between at and what followed it, the flags of o and of that next
   object left as they are (pycore_gc.h's _PyGCHead_SET_NEXT and _PyGCHead_SET_PREV). */
static inline void ddl_gc_link_after(PyObject* o, uintptr_t* at) {
    uintptr_t* g = (uintptr_t*)o - 2;
    uintptr_t* next = (uintptr_t*)at[0];
    at[0] = (uintptr_t)g;
    g[1] = (g[1] & (uintptr_t)3) | (uintptr_t)at;
    g[0] = (uintptr_t)next;
    next[1] = (next[1] & (uintptr_t)3) | (uintptr_t)g;
}

/* o, of a class the GC knows, made not tracked if it was: out of the youngest generation its
   constructor linked it in, and off that generation's count of allocations, which its
   allocation added to and which it no longer joins. An object born untracked (ddl_gc_new,
   ddl_gc_list) was never counted, so nothing is taken off for it. */
static inline void ddl_gc_leave_young(PyObject* o) {
    if (ddl_gc_is_tracked(o)) {
        ddl_gc_untrack(o);
        if (*ddl_gc_state.young_count > 0) --*ddl_gc_state.young_count;
    }
}

/* ddl_gc_tenure's and ddl_gc_tenure_after's work: o linked right after `after` (two words in
   the oldest generation), or last in that generation when after is NULL. */
static inline void ddl_gc_place(PyObject* o, uintptr_t* after) {
    if (!PyType_IS_GC(Py_TYPE(o))) return;  /* a class the GC does not know */
    ddl_gc_leave_young(o);
    /* the last one read once o is out of its list, as _PyObject_GC_TRACK links an object last
       in the youngest */
    ddl_gc_link_after(o, after != NULL ? after : (uintptr_t*)ddl_gc_state.oldest[1]);
}

static inline void ddl_gc_tenure(PyObject* o) {
    ddl_gc_place(o, NULL);
}

static inline void ddl_gc_tenure_after(PyObject* o, PyObject* owner) {
    ddl_gc_place(o, owner != NULL && ddl_gc_is_tracked(owner) ? (uintptr_t*)owner - 2 : NULL);
}

static inline void ddl_gc_del(PyObject* o) {
    if (*ddl_gc_state.young_count > 0) --*ddl_gc_state.young_count;
    PyObject_Free((uintptr_t*)o - 2);  /* the GC's two words are the block's start */
}
#else
/* The public calls elsewhere (and ddl_gc_tenure's and ddl_gc_tenure_after's in ddl_gc.c). */
static inline int ddl_gc_is_tracked(PyObject* o) {
    return PyObject_GC_IsTracked(o);
}

static inline void ddl_gc_untrack(PyObject* o) {
    PyObject_GC_UnTrack(o);
}

void ddl_gc_tenure(PyObject* o);
void ddl_gc_tenure_after(PyObject* o, PyObject* owner);

static inline void ddl_gc_del(PyObject* o) {
    PyObject_GC_Del(o);
}
#endif

/* Find where the collector keeps its state (ddl_gc_state), once, before any reader makes an
   object; nothing to find where the public calls stand in. */
void ddl_gc_init(void);

/* ddl_gc_tenure for a container the caller has just made and filled, when the GC tracks it: a
   dict that CPython left untracked (it holds nothing that can cycle) stays so. */
static inline void ddl_gc_tenure_tracked(PyObject* o) {
    if (ddl_gc_is_tracked(o)) ddl_gc_tenure(o);
}

/* ddl_gc_tenure_after for a container the caller has just made and filled and placed in
   owner, when the GC tracks it (as ddl_gc_tenure_tracked): the readers move a message's list
   or dict so, made after the messages it holds, to just after that message. */
static inline void ddl_gc_tenure_held(PyObject* o, PyObject* owner) {
    if (ddl_gc_is_tracked(o)) ddl_gc_tenure_after(o, owner);
}

#endif
