/* ddl_cpython.h: every place where ddl's C reads or writes CPython's objects past the public
   functions: int digits, a str's cached UTF-8, a list's spare room, a type's slots and its
   dealloc. Each helper checks the CPython versions it was written for (DDL_KNOWN_LAYOUT) and
   elsewhere takes the public, slower route, or declines, so a new CPython or a free-threaded
   build costs speed, never correctness. Nothing else in ddl/_cy reads a CPython struct field
   but ddl_new_objects.h (new ints, floats and strs), which is held to the same rule. */

#ifndef DDL_CPYTHON_H
#define DDL_CPYTHON_H

#include <Python.h>
#include <stdint.h>
#include "ddl_compat.h"
#include "ddl_gc.h"
#include "ddl_layout.h"
#if PY_VERSION_HEX < 0x030C0000
#include <structmember.h>  /* PyMemberDef, which 3.12 moved into Python.h */
#endif

#if defined(DDL_KNOWN_LAYOUT)
/* The int64 of an int of two or three 30-bit digits d (least significant first) and its sign:
   1 with it in *out, or 0 when it is not an int64 (or digits are 15 bits in this build). The
   readers below take one digit themselves, in the way each version keeps it. */
static inline int ddl_long_digits(const digit* d, size_t ndigits, int negative, int64_t* out) {
    uint64_t u;
    if (PyLong_SHIFT != 30 || ndigits > 3) return 0;
    u = ((uint64_t)d[1] << 30) | d[0];
    if (ndigits == 3) {
        if (d[2] > 8) return 0;  /* 2**63 or more */
        u |= (uint64_t)d[2] << 60;
    }
    if (u > (uint64_t)INT64_MAX + (uint64_t)negative) return 0;
    *out = negative ? (int64_t)(0 - u) : (int64_t)u;
    return 1;
}
#endif

/* An int (or int subclass: the digits are laid out alike) that fits in a machine word, read
   from its digits: 1 with the value in *out, or 0 when it is larger or its digits are not laid
   out as this build knows (the caller then asks PyLong_AsLongLongAndOverflow, several times
   slower). */
static inline int ddl_small_long(PyObject* v, int64_t* out) {
#if defined(DDL_KNOWN_LAYOUT) && PY_VERSION_HEX >= 0x030C0000
    /* 3.12 and 3.13 keep the digit count and the sign (0 positive, 1 zero, 2 negative) in
       lv_tag, and a digit for zero too. One digit (below 2**30 in magnitude), the commonest,
       takes one test and a multiplication, as CPython's own arithmetic reads it; two or three
       digits of 30 bits (ids, timestamps, hashes) are read here too, where 3.12's public
       compact test covers one digit only and sent them through the call on every field. The
       hint keeps the one-digit path the straight line: without it gcc moved it out of the
       loop of a packed run (ints encode 24 -> 28 us on 3.13). */
    uintptr_t tag = ((PyLongObject*)v)->long_value.lv_tag;
    const digit* d = ((PyLongObject*)v)->long_value.ob_digit;
    int negative = (tag & 3) == 2;
    uintptr_t ndigits = tag >> 3;
    if (DDL_LIKELY(tag < (2 << 3))) {  /* one digit or none: as _PyLong_CompactValue */
        *out = (int64_t)(1 - (Py_ssize_t)(tag & 3)) * (int64_t)d[0];
        return 1;
    }
    return ddl_long_digits(d, (size_t)ndigits, negative, out);
#elif PY_VERSION_HEX >= 0x030C0000
    /* a layout this build does not know: 3.12 made the one-digit test unstable API */
    if (PyUnstable_Long_IsCompact((PyLongObject*)v)) {
        *out = (int64_t)PyUnstable_Long_CompactValue((PyLongObject*)v);
        return 1;
    }
    return 0;
#elif defined(DDL_KNOWN_LAYOUT)
    /* 3.11: the sign is the sign of ob_size, and |ob_size| digits of PyLong_SHIFT bits follow. */
    Py_ssize_t size = Py_SIZE(v);
    const digit* d = ((PyLongObject*)v)->ob_digit;
    switch (size) {
        case 0: *out = 0; return 1;
        case 1: *out = (int64_t)d[0]; return 1;
        case -1: *out = -(int64_t)d[0]; return 1;
        case 2: *out = (int64_t)(((uint64_t)d[1] << PyLong_SHIFT) | d[0]); return 1;
        case -2: *out = -(int64_t)(((uint64_t)d[1] << PyLong_SHIFT) | d[0]); return 1;
    }
    if ((size == 3 || size == -3) && PyLong_SHIFT == 30 && d[2] <= 8) {
        uint64_t u = ((uint64_t)d[2] << 60) | ((uint64_t)d[1] << 30) | d[0];
        if (size == 3 && u <= (uint64_t)INT64_MAX) { *out = (int64_t)u; return 1; }
        if (size == -3 && u <= (uint64_t)INT64_MAX + 1) { *out = (int64_t)(0 - u); return 1; }
    }
    return 0;
#else
    (void)v; (void)out;
    return 0;
#endif
}

/* An exact int (not a subclass) whose value is an int64, read from its digits for the loops
   that convert runs of ints (packed fields): 1 with the value in *out, or 0 when it is not an
   int64 or its digits are not laid out as this build knows (the caller then takes the public
   route, as for any other value). On 3.12 and 3.13 that is ddl_small_long. On 3.11, ints of
   one digit, the commonest, take one test and a multiplication as CPython's medium_value does
   (3.11 keeps the sign in ob_size and at least one digit, 0 for zero), and two or three digits
   of 30 bits are read too. Where the layout is not known, PyLong_AsLongLongAndOverflow
   answers. */
static inline int ddl_exact_int64(PyObject* v, int64_t* out) {
#if defined(DDL_KNOWN_LAYOUT) && PY_VERSION_HEX >= 0x030C0000
    return ddl_small_long(v, out);
#elif defined(DDL_KNOWN_LAYOUT)
    Py_ssize_t size = Py_SIZE(v);
    const digit* d = ((PyLongObject*)v)->ob_digit;
    int negative = size < 0;
    size_t ndigits = negative ? (size_t)0 - (size_t)size : (size_t)size;
    if ((size_t)size + 1 < 3) {  /* -1, 0 or 1 digits: as CPython's medium_value */
        *out = (int64_t)size * (int64_t)d[0];
        return 1;
    }
    return ddl_long_digits(d, (size_t)ndigits, negative, out);
#else
    /* elsewhere, the public route (an exact int runs no Python code here) */
    int overflow = 0;
    long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
    if (overflow || (x == -1 && PyErr_Occurred())) { PyErr_Clear(); return 0; }
    *out = (int64_t)x;
    return 1;
#endif
}

/* The UTF-8 that a non-ASCII str keeps once it was asked for it, read in place: its bytes
   with the length in *n, or NULL when it has none (or this build does not know the field).
   PyUnicode_AsUTF8AndSize would return the same bytes, through a call and its checks. */
static inline const char* ddl_cached_utf8(PyObject* s, Py_ssize_t* n) {
#if defined(DDL_KNOWN_LAYOUT)
    if (PyUnicode_IS_COMPACT(s) && ((PyCompactUnicodeObject*)s)->utf8 != NULL) {
        *n = ((PyCompactUnicodeObject*)s)->utf8_length;
        return ((PyCompactUnicodeObject*)s)->utf8;
    }
#endif
    (void)s; (void)n;
    return NULL;
}

/* A new list holding first (a new reference, which the list takes) with room for `room`
   more items, so that as many PyList_Append calls after it never regrow it: the decoder
   counts a field's run of elements on the wire before it makes the list. Made by ddl_gc_list,
   untracked until the reader places it (ddl_gc_tenure_after). */
static inline PyObject* ddl_list_with_room(PyObject* first, Py_ssize_t room) {
    PyObject* list = ddl_gc_list(1 + room);
    if (list == NULL) { Py_DECREF(first); return NULL; }
#if defined(DDL_KNOWN_LAYOUT)
    PyList_SET_ITEM(list, 0, first);
    Py_SET_SIZE(list, 1);  /* the other slots are room, filled by the appends that follow */
    return list;
#else
    if (PyList_Append(list, first) < 0) { Py_DECREF(first); Py_DECREF(list); return NULL; }
    Py_DECREF(first);
    return list;
#endif
}

/* Append value (a reference the list gains) to list: written at its size while it has room,
   which ddl_list_with_room gave it for the run counted on the wire, and PyList_Append's
   call otherwise. -1 with MemoryError. */
static inline int ddl_list_push(PyObject* list, PyObject* value) {
#if defined(DDL_KNOWN_LAYOUT)
    PyListObject* l = (PyListObject*)list;
    Py_ssize_t n = Py_SIZE(l);
    if (n < l->allocated) {
        Py_INCREF(value);
        l->ob_item[n] = value;
        Py_SET_SIZE(l, n + 1);
        return 0;
    }
#endif
    return PyList_Append(list, value);
}

/* A new list of the n references at items, which it takes: made by ddl_gc_list at its size
   (PyList_New where the layout is not known), untracked until the reader places it
   (ddl_gc_tenure_after). NULL with MemoryError, the references then still the caller's. */
static inline PyObject* ddl_list_of(PyObject* const* items, Py_ssize_t n) {
#if defined(DDL_KNOWN_LAYOUT)
    PyObject* list = ddl_gc_list(n);
#else
    PyObject* list = PyList_New(n);
#endif
    if (list == NULL) return NULL;
    if (n) memcpy(PySequence_Fast_ITEMS(list), items, (size_t)n * sizeof(PyObject*));
    Py_SET_SIZE(list, n);
    return list;
}

/* A new tuple of the n references at items, which it takes. NULL with MemoryError, the
   references then still the caller's. */
static inline PyObject* ddl_tuple_of(PyObject* const* items, Py_ssize_t n) {
    PyObject* tuple = PyTuple_New(n);
    if (tuple != NULL && n) memcpy(PySequence_Fast_ITEMS(tuple), items, (size_t)n * sizeof(PyObject*));
    return tuple;
}

/* A new empty dict with room for n items, so that filling it never resizes it: the decoder
   counts a map's run of entries on the wire before it makes the dict. _PyDict_NewPresized is
   exported by 3.11 to 3.13 but private (its table is the general kind, which any key takes);
   elsewhere the dict is made empty and grows as usual. */
static inline PyObject* ddl_dict_presized(Py_ssize_t n) {
#if defined(DDL_KNOWN_LAYOUT)
    return _PyDict_NewPresized(n);
#else
    (void)n;
    return PyDict_New();
#endif
}

/* Give back a list's spare room. A list built by appending keeps up to an eighth more room
   than it holds, and four slots for one item; the decoder calls this once a message is
   complete (it sizes a run of elements in a row exactly, so this matters when a field's
   elements are interleaved with other fields). Where the list's storage is not known to be a
   PyMem block, the room stays: nothing is lost but memory. */
static inline void ddl_list_fit(PyObject* list) {
#if defined(DDL_KNOWN_LAYOUT)
    PyListObject* l = (PyListObject*)list;
    if (l->allocated > Py_SIZE(l) && Py_SIZE(l) > 0) {
        PyObject** items = PyMem_Realloc(l->ob_item, Py_SIZE(l) * sizeof(PyObject*));
        if (items != NULL) {  /* else the list keeps its room */
            l->ob_item = items;
            l->allocated = Py_SIZE(l);
        }
    }
#else
    (void)list;
#endif
}

/* Lower the length of the str s to n in place, its allocation kept: 1, or 0 when this build
   does not know the layout (the caller then resizes it). s must be compact ASCII, new and
   ours alone (its hash not yet computed, as PyUnicode_Resize would also require), and n no
   more than its length. The end is written, as every str has one. */
static inline int ddl_ascii_shorten(PyObject* s, Py_ssize_t n) {
#if defined(DDL_KNOWN_LAYOUT)
    ((PyASCIIObject*)s)->length = n;
    ((char*)PyUnicode_DATA(s))[n] = '\0';
    return 1;
#else
    (void)s; (void)n;
    return 0;
#endif
}

/* A new int of the 16 bytes at b, big end first, unsigned (a UUID's). 3.13 made a public call
   of it, PyLong_FromUnsignedNativeBytes; before, _PyLong_FromByteArray is CPython's own. */
static inline PyObject* ddl_long_from_be128(const unsigned char* b) {
#if PY_VERSION_HEX >= 0x030D0000
    return PyLong_FromUnsignedNativeBytes(b, 16, Py_ASNATIVEBYTES_BIG_ENDIAN);
#else
    return _PyLong_FromByteArray(b, 16, 0, 0);
#endif
}

/* An encode whose size is known ahead (a class's messages of a steady size) writes its message
   backwards straight into the block that becomes its bytes object, and makes the object's
   header last: until then the header's room is free space, where the writer may scribble as
   it does below every field. DDL_BYTES_HEAD is where the bytes start in the block. */
#define DDL_BYTES_HEAD ((Py_ssize_t)offsetof(PyBytesObject, ob_sval))

/* A block for a bytes object of n bytes, from the allocator bytes objects come from; NULL when
   this build does not know the layout or memory is short (no error set: the caller then
   writes into a buffer of its own and copies it into PyBytes_FromStringAndSize). */
static inline unsigned char* ddl_bytes_block(Py_ssize_t n) {
#if defined(DDL_KNOWN_LAYOUT)
    return (unsigned char*)PyObject_Malloc((size_t)(DDL_BYTES_HEAD + n + 1));
#else
    (void)n;
    return NULL;
#endif
}

/* The bytes object of the n bytes at block + DDL_BYTES_HEAD (block from ddl_bytes_block(n)),
   its header made as PyBytes_FromStringAndSize makes it: type, reference, size, the hash not
   computed yet, and the NUL after the last byte. */
static inline PyObject* ddl_bytes_from_block(unsigned char* block, Py_ssize_t n) {
    PyBytesObject* b = (PyBytesObject*)block;
    PyObject_InitVar((PyVarObject*)b, &PyBytes_Type, n);
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"  /* ob_shash, deprecated in 3.11 */
#endif
    b->ob_shash = -1;
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic pop
#endif
    b->ob_sval[n] = '\0';
    return (PyObject*)b;
}

/* The fixed offset (a timedelta, borrowed) of a datetime.timezone, read from the object: the
   datetime module keeps its struct private (the object header, then the offset, then the
   name, in every version from 3.7 to 3.13); NULL elsewhere. wkt_times.pxi checks the layout
   against tz.utcoffset(None) at import before it reads any. */
static inline PyObject* ddl_timezone_offset(PyObject* tz) {
#if defined(DDL_KNOWN_LAYOUT)
    return ((PyObject**)((char*)tz + sizeof(PyObject)))[0];
#else
    (void)tz;
    return NULL;
#endif
}

/* Method descriptors of a C type (such as zoneinfo.ZoneInfo.utcoffset when the _zoneinfo
   module provides the class) called straight through their C function, with no bound method
   and no lookup. ddl_meth1_ok tells whether descr is one whose function takes one positional
   argument in a form ddl_call_meth1 knows: METH_O (3.11's _zoneinfo), or Argument Clinic's
   METH_METHOD | METH_FASTCALL | METH_KEYWORDS for a method that needs its defining class (3.12
   on); a Python function (zoneinfo's pure-Python fallback) is not.
   _zoneinfo's utcoffset, given an exact datetime, finds the offset in the zone's tables and
   returns a new reference to the timedelta the zone keeps for it: it runs no Python code and
   allocates nothing (get_local_timestamp calls back into Python only for a datetime subclass;
   the clinic's argument unpacking takes one positional argument as it is), in every version
   from 3.9 to 3.13. wkt_times.pxi calls it on exact datetimes alone. */
#define DDL_METH_FORMS (METH_O | METH_NOARGS | METH_VARARGS | METH_KEYWORDS | METH_FASTCALL | METH_METHOD)

static inline int ddl_meth1_ok(PyObject* descr) {
#if defined(DDL_KNOWN_LAYOUT)
    if (descr == NULL || Py_TYPE(descr) != &PyMethodDescr_Type) return 0;
    int flags = ((PyMethodDescrObject*)descr)->d_method->ml_flags & DDL_METH_FORMS;
    return flags == METH_O || flags == (METH_METHOD | METH_FASTCALL | METH_KEYWORDS);
#else
    (void)descr;
    return 0;
#endif
}

/* Call a descriptor that ddl_meth1_ok accepted on self (an instance of its class) with arg. */
static inline PyObject* ddl_call_meth1(PyObject* descr, PyObject* self, PyObject* arg) {
#if defined(DDL_KNOWN_LAYOUT)
    PyMethodDescrObject* d = (PyMethodDescrObject*)descr;
    if ((d->d_method->ml_flags & DDL_METH_FORMS) == METH_O) return d->d_method->ml_meth(self, arg);
    PyCMethod call = (PyCMethod)(void (*)(void))d->d_method->ml_meth;
    return call(self, d->d_common.d_type, &arg, 1, NULL);
#else
    (void)descr; (void)self; (void)arg;
    return NULL;
#endif
}

/* Where a __slots__ member descriptor (type(descr).__name__ == "member_descriptor") keeps
   its value in instances: a byte offset from the object's start. CPython publishes no
   function for it; the field has been the same since slots exist. */
static inline Py_ssize_t ddl_member_offset(PyObject* descr) {
    return ((PyMemberDescrObject*)descr)->d_member->offset;
}

/* What a class's own __dict__ holds under name (borrowed; NULL if nothing), without walking
   the MRO as attribute lookup does. Static builtin types of 3.12+ keep no tp_dict here, and
   answer NULL, which the caller treats as "not a message class". */
static inline PyObject* ddl_class_attr(PyObject* cls, PyObject* name) {
    if (!PyType_Check(cls)) return NULL;
    PyObject* dict = ((PyTypeObject*)cls)->tp_dict;
    return dict == NULL ? NULL : PyDict_GetItem(dict, name);
}

/* A new instance of t with every slot NULL, as object.__new__ makes it but without running
   __new__ or __init__ (the readers fill the slots themselves), and not tracked by the GC: the
   binary and JSON readers track it once its slots are filled, and only when one of them can
   hold references (ddl_may_cycle), so that most messages are never linked into the GC's lists
   and unlinked again. Until then it is the reader's alone, and an untracked object only keeps what it
   holds alive, so a collection meanwhile frees nothing it holds. ddl_gc_new is
   PyType_GenericAlloc less the tracking and the count of allocations; a class whose
   tp_alloc is another function goes through it and is untracked after (ddl_gc_tenure tracks it
   again). */
static inline PyObject* ddl_alloc_untracked(PyTypeObject* t) {
    PyObject* o;
    if (t->tp_alloc != PyType_GenericAlloc || t->tp_itemsize != 0 || !PyType_IS_GC(t)) {
        o = t->tp_alloc(t, 0);
        if (o != NULL && PyObject_IS_GC(o)) PyObject_GC_UnTrack(o);
        return o;
    }
    return ddl_gc_new(t);
}

/* Whether something besides the `held` references the caller knows of may point at o: its
   reference count says so with the GIL. A deep copy asks it of each container and message it
   meets, and looks one up in its memo only then: an object referenced once in a tree can
   appear nowhere else in it. A free-threaded build's count is not exact while other threads
   run, so there every object may be shared (the memo is always asked). */
static inline int ddl_maybe_shared(PyObject* o, Py_ssize_t held) {
#if defined(Py_GIL_DISABLED)
    (void)o; (void)held;
    return 1;
#else
    return Py_REFCNT(o) > held;
#endif
}

/* A new reference to a slot wrapper of type t, named `name` ("__setattr__" or
   "__delattr__"), that calls func: the kind of descriptor CPython gives a C type for its
   tp_setattro. Once both names are assigned on t (CPython fills tp_setattro from the pair),
   CPython puts func itself in tp_setattro, so an assignment calls no Python code, and
   super().__setattr__ in a subclass finds and calls func. It borrows the calling convention
   (struct wrapperbase) of object's own wrapper of that name, whose layout is
   PyWrapperDescrObject's in every version ddl builds for. NULL with an exception on error. */
static PyObject* ddl_setattr_wrapper(PyTypeObject* t, const char* name, setattrofunc func) {
    PyObject* model = PyObject_GetAttrString((PyObject*)&PyBaseObject_Type, name);
    PyObject* wrapper = NULL;
    if (model == NULL) return NULL;
    if (Py_IS_TYPE(model, &PyWrapperDescr_Type))
        wrapper = PyDescr_NewWrapper(t, ((PyWrapperDescrObject*)model)->d_base, (void*)func);
    else
        PyErr_Format(PyExc_TypeError, "ddl: object.%s is not a slot wrapper", name);
    Py_DECREF(model);
    return wrapper;
}

/* Freeing a message. CPython's subtype_dealloc walks the class's bases twice, reads each
   one's member table to find its slots, and untracks, tracks and untracks the object
   again; a message class (slots only, on object, no __del__, no weakrefs, no __dict__) has
   nothing but object pointers after its header, so clearing them is all there is to do.
   Installed only by ddl_adopt_dealloc, which checks that layout first. */
static void ddl_message_dealloc(PyObject* self);

/* The size of the instances ddl_message_dealloc clears for type t: for a subclass that
   CPython frees first, that of the adopted class above it (subtype_dealloc has cleared the
   subclass's own slots and its __dict__ or weakrefs already). */
static Py_ssize_t ddl_message_size(PyTypeObject* t) {
    while (t->tp_dealloc != ddl_message_dealloc) t = t->tp_base;
    return t->tp_basicsize;
}

/* Whether str v, held once, is freed by unicode_dealloc with nothing but its block: compact
   ASCII (its characters in the block, its UTF-8 the same bytes), not interned (the table
   would keep a dangling entry), and on 3.11 no wide-char copy made since. */
static inline int ddl_plain_ascii(PyObject* v) {
    return PyUnicode_IS_COMPACT_ASCII(v) && !PyUnicode_CHECK_INTERNED(v)
#if PY_VERSION_HEX < 0x030C0000
        && ((PyASCIIObject*)v)->wstr == NULL
#endif
        ;
}

/* Give up a reference a message held to v, which its slot no longer holds. What nothing else
   holds is freed here as its class's dealloc would free it, less the calls: a list (a
   repeated field's, as decoded; a decoded tree holds one at each node) untracked, its items
   released, its room and itself freed, as list_dealloc does less its trashcan, its call to
   untrack and its free list; an int, or a str as ddl_plain_ascii says, its block freed, all
   that object_dealloc (3.12's and 3.13's long_dealloc, whose small ints are immortal, never
   held once) and unicode_dealloc then do. Only while nothing else hears of a death
   (ddl_lifetimes_unheard); otherwise, and for anything else, it is Py_DECREF.
   Nothing can reach the list meanwhile: its one reference is gone and the GC no longer
   walks it. */
static inline void ddl_release(PyObject* v) {
#if defined(DDL_KNOWN_LAYOUT) && defined(DDL_UNHEARD_LIFETIMES)
    if (Py_REFCNT(v) == 1 && ddl_lifetimes_unheard()) {
        PyTypeObject* t = Py_TYPE(v);
        if (t == &PyList_Type) {
            PyListObject* l = (PyListObject*)v;
            Py_ssize_t i = Py_SIZE(l);
            if (ddl_gc_is_tracked(v)) ddl_gc_untrack(v);
            while (--i >= 0) Py_XDECREF(l->ob_item[i]);
            if (l->ob_item != NULL) PyMem_Free(l->ob_item);  /* an empty list's is, at a leaf */
            ddl_gc_del(v);
            return;
        }
        if (t == &PyLong_Type || (t == &PyUnicode_Type && ddl_plain_ascii(v))) {
            PyObject_Free(v);
            return;
        }
    }
#endif
    Py_DECREF(v);
}

/* ddl_message_dealloc's work: the object is untracked. */
static void ddl_message_free(PyObject* self, PyTypeObject* type) {
    PyObject** slot;
    PyObject** stop;
    if (type->tp_finalize != NULL) {  /* a __del__ given to the class after it was adopted */
        PyObject_GC_Track(self);
        if (PyObject_CallFinalizerFromDealloc(self) < 0) return;  /* resurrected */
        PyObject_GC_UnTrack(self);
    }
    slot = (PyObject**)((char*)self + sizeof(PyObject));
    stop = (PyObject**)((char*)self + ddl_message_size(type));
    for (; slot < stop; slot++) {
        PyObject* v = *slot;
        if (v == NULL) continue;
        *slot = NULL;
        ddl_release(v);
    }
    /* an adopted class's own instance, which ddl_adopt_dealloc found freed by PyObject_GC_Del
       with nothing but the GC's words before it (a subclass's may carry a __dict__ there) */
    if (type->tp_dealloc == ddl_message_dealloc) ddl_gc_del(self);
    else type->tp_free(self);
    Py_DECREF(type);
}

/* How many ddl_message_dealloc calls are running, nested in one another: freeing a message
   frees what it holds, recursively. The first DDL_FREE_SHALLOW levels recurse on the C stack as
   they are; deeper ones go through CPython's trashcan, which turns a chain of any depth into a
   loop. The trashcan costs four calls a message, most of freeing a small one, and decoded
   messages nest at most C_DEPTH_LIMIT deep. Every change is made holding the GIL; a freeing
   that runs Python code (a finalizer of a value) can let another thread free messages
   meanwhile, which only adds to the count, so it never undercounts a thread's own depth. */
static int ddl_free_depth = 0;
#define DDL_FREE_SHALLOW 64

static void ddl_message_dealloc(PyObject* self) {
    PyTypeObject* type = Py_TYPE(self);
    if (ddl_gc_is_tracked(self)) ddl_gc_untrack(self);
    if (ddl_free_depth < DDL_FREE_SHALLOW) {
        ddl_free_depth++;
        ddl_message_free(self, type);
        ddl_free_depth--;
        return;
    }
    Py_TRASHCAN_BEGIN(self, ddl_message_dealloc)
    ddl_message_free(self, type);
    Py_TRASHCAN_END
}

/* The GC's walk over a message's references, for the classes ddl_message_dealloc frees (the
   same layout): its class, and then every slot, in one pass over the pointers. CPython's
   subtype_traverse finds the same references through each base's member table, once per
   instance and collection, and the decoded graphs of large messages are walked by many. */
static int ddl_message_traverse(PyObject* self, visitproc visit, void* arg) {
    PyObject** slot = (PyObject**)((char*)self + sizeof(PyObject));
    PyObject** stop = (PyObject**)((char*)self + ddl_message_size(Py_TYPE(self)));
    Py_VISIT(Py_TYPE(self));  /* an instance holds a reference to its heap type */
    for (; slot < stop; slot++) Py_VISIT(*slot);
    return 0;
}

/* Give t ddl_message_dealloc and ddl_message_traverse when its instances are laid out as
   those functions expect: CPython's dealloc and traverse for classes (those the plain class
   ``plain`` has), only slots on object in every base, and no finalizer. 1 when it did. Elsewhere (a free-threaded build's
   object header, a newer CPython) CPython's dealloc stays, and 0 is the answer. */
static int ddl_adopt_dealloc(PyTypeObject* t, PyTypeObject* plain) {
#if defined(DDL_KNOWN_LAYOUT)
    PyTypeObject* b;
    if (t->tp_dealloc != plain->tp_dealloc || t->tp_finalize != NULL || t->tp_del != NULL
            || t->tp_free != PyObject_GC_Del || !PyType_IS_GC(t)) return 0;
    for (b = t; b->tp_flags & Py_TPFLAGS_HEAPTYPE; b = b->tp_base) {
        if (b->tp_itemsize != 0 || b->tp_dictoffset != 0 || b->tp_weaklistoffset != 0
#ifdef Py_TPFLAGS_MANAGED_DICT
                || (b->tp_flags & Py_TPFLAGS_MANAGED_DICT)
#endif
                || (b->tp_basicsize - (Py_ssize_t)sizeof(PyObject)) % (Py_ssize_t)sizeof(PyObject*) != 0)
            return 0;
    }
    if (b != &PyBaseObject_Type || t->tp_traverse != plain->tp_traverse) return 0;
    t->tp_dealloc = ddl_message_dealloc;
    t->tp_traverse = ddl_message_traverse;
    return 1;
#else
    (void)t; (void)plain;
    return 0;
#endif
}

/* Whether ddl_message_dealloc frees instances of t (ddl._speedups.frees, which the tests of
   freeing ask). */
static inline int ddl_dealloc_adopted(PyTypeObject* t) {
    return t->tp_dealloc == ddl_message_dealloc;
}

#endif /* DDL_CPYTHON_H */
