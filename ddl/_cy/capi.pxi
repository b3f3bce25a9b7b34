# The C API as the hot loops use it: borrowed PyObject* everywhere, so that reading a slot or a
# list item costs no reference-count traffic, plus a few inline helpers in C.

from libc.stdint cimport int32_t, int64_t, uint32_t, uint64_t
from libc.math cimport isfinite, signbit
from libc.string cimport memcmp, memcpy
from cpython.bytes cimport PyBytes_FromStringAndSize

cdef extern from "float.h":
    double FLT_MAX

cdef extern from "Python.h":
    ctypedef struct PyObject
    ctypedef struct PyTypeObject:
        PyObject* (*tp_alloc)(PyTypeObject*, Py_ssize_t)
        void (*tp_dealloc)(PyObject*)
    ctypedef struct PyMemberDef:
        Py_ssize_t offset
    ctypedef struct PyMemberDescrObject:
        PyMemberDef* d_member

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
    PyObject* PyFloat_FromDouble_ptr "PyFloat_FromDouble"(double v) except NULL
    PyObject* PyLong_FromLongLong_ptr "PyLong_FromLongLong"(long long v) except NULL
    PyObject* PyLong_FromUnsignedLongLong_ptr "PyLong_FromUnsignedLongLong"(unsigned long long v) except NULL
    const char* PyUnicode_AsUTF8AndSize_ptr "PyUnicode_AsUTF8AndSize"(PyObject* o, Py_ssize_t* size) except NULL
    PyObject* PyUnicode_DecodeUTF8_ptr "PyUnicode_DecodeUTF8"(const char* s, Py_ssize_t n, const char* errors) except NULL
    PyObject* PyBytes_FromStringAndSize_ptr "PyBytes_FromStringAndSize"(const char* s, Py_ssize_t n) except NULL
    char* PyBytes_AS_STRING_ptr "PyBytes_AS_STRING"(PyObject* o)
    Py_ssize_t PyBytes_GET_SIZE_ptr "PyBytes_GET_SIZE"(PyObject* o)
    Py_ssize_t Py_SIZE_ptr "Py_SIZE"(PyObject* o)
    void Py_SET_SIZE_ptr "Py_SET_SIZE"(PyObject* o, Py_ssize_t n)
    PyObject** PySequence_Fast_ITEMS_ptr "PySequence_Fast_ITEMS"(PyObject* o)
    PyObject* PyList_GET_ITEM_ptr "PyList_GET_ITEM"(PyObject* lst, Py_ssize_t i)
    PyObject* PyTuple_GET_ITEM_ptr "PyTuple_GET_ITEM"(PyObject* t, Py_ssize_t i)
    PyObject* PyList_New_ptr "PyList_New"(Py_ssize_t n) except NULL
    int PyList_Append_ptr "PyList_Append"(PyObject* lst, PyObject* item) except -1
    PyObject* PyList_AsTuple_ptr "PyList_AsTuple"(PyObject* lst) except NULL
    PyObject* PyDict_New_ptr "PyDict_New"() except NULL
    int PyDict_SetItem_ptr "PyDict_SetItem"(PyObject* d, PyObject* k, PyObject* v) except -1
    PyObject* PyDict_GetItem_ptr "PyDict_GetItem"(PyObject* d, PyObject* k)
    int PyDict_Next_ptr "PyDict_Next"(PyObject* d, Py_ssize_t* pos, PyObject** k, PyObject** v)
    Py_ssize_t PyDict_GET_SIZE_ptr "PyDict_GET_SIZE"(PyObject* d)
    PyObject* PySet_New_ptr "PySet_New"(PyObject* iterable) except NULL
    PyObject* PyFrozenSet_New_ptr "PyFrozenSet_New"(PyObject* iterable) except NULL
    int PyObject_IsInstance_ptr "PyObject_IsInstance"(PyObject* o, PyObject* cls) except -1

cdef extern from *:
    """
    #include <stdint.h>
    #if defined(__SSE2__)
    #include <emmintrin.h>
    #endif

    static inline uint64_t ddl_load8(const unsigned char* p) { uint64_t w; memcpy(&w, p, 8); return w; }

    /* Ints of one- and two-byte varints are made once and shared, as CPython shares those up to
       256: a packed run of them then costs a list pointer per value, not a 32-byte int object too.
       Filled on first use, so the table holds at most 16,384 ints (512 KB). */
    #define DDL_SHARED_INTS 16384
    #if defined(__GNUC__)
    #define DDL_NOINLINE __attribute__((noinline))
    #else
    #define DDL_NOINLINE
    #endif
    static PyObject* ddl_shared_ints[DDL_SHARED_INTS];

    static PyObject* DDL_NOINLINE ddl_int_new(long long v) {
        PyObject* r = PyLong_FromLongLong(v);
        if (r != NULL && (unsigned long long)v < DDL_SHARED_INTS) {
            Py_INCREF(r);
            ddl_shared_ints[v] = r;  /* the table's reference, never released */
        }
        return r;
    }

    /* Small enough to inline in every reader without pushing the varint reader out of line. */
    static inline PyObject* ddl_int(long long v) {
        if ((unsigned long long)v < DDL_SHARED_INTS && ddl_shared_ints[v] != NULL) {
            Py_INCREF(ddl_shared_ints[v]);
            return ddl_shared_ints[v];
        }
        return ddl_int_new(v);
    }

    static inline PyObject* ddl_uint(unsigned long long v) {
        return v < DDL_SHARED_INTS ? ddl_int((long long)v) : PyLong_FromUnsignedLongLong(v);
    }

    /* A list built by appending keeps up to an eighth more room than it holds, and four slots
       for one item; the decoder gives that back once the message is complete (it sizes a run
       of elements in a row exactly, so this happens when a field's elements are interleaved
       with other fields). */
    static inline void ddl_list_fit(PyObject* list) {
        PyListObject* l = (PyListObject*)list;
        if (l->allocated > Py_SIZE(l) && Py_SIZE(l) > 0) {
            PyObject** items = PyMem_Realloc(l->ob_item, Py_SIZE(l) * sizeof(PyObject*));
            if (items != NULL) {  /* else the list keeps its room: nothing is lost */
                l->ob_item = items;
                l->allocated = Py_SIZE(l);
            }
        }
    }

    static PyObject* const ddl_none = Py_None;
    static PyObject* const ddl_true = Py_True;
    static PyObject* const ddl_false = Py_False;

    /* The bytes of a varint holding v: 1 to 10. */
    static inline int ddl_vsize(uint64_t v) {
        return (int)(((64 - __builtin_clzll(v | 1)) * 9 + 64) / 64);
    }

    static inline void ddl_put_varint(unsigned char* p, uint64_t v) {
        while (v >= 0x80) { *p++ = (unsigned char)(v | 0x80); v >>= 7; }
        *p = (unsigned char)v;
    }

    /* A varint of at most 10 bytes at p, which has at least 10 bytes: its value, and its
       length in *len (0 when it runs on past 10 bytes). Bytes past the 64th bit are dropped, as
       protobuf does. One 8-byte load (the host is little-endian, checked at import) finds where
       it ends, and three shift-and-mask steps squeeze out the continuation bits, so no branch
       depends on a length below 9 bytes. */
    static inline uint64_t ddl_varint10(const unsigned char* p, int* len) {
        uint64_t w = ddl_load8(p), x, stops;
        stops = ~w & 0x8080808080808080ULL;
        /* the bytes up to the first without a continuation bit, or all eight */
        x = stops ? w & (stops ^ (stops - 1)) : w;
        x = (x & 0x007F007F007F007FULL) | ((x & 0x7F007F007F007F00ULL) >> 1);
        x = (x & 0x00003FFF00003FFFULL) | ((x & 0x3FFF00003FFF0000ULL) >> 2);
        x = (x & 0x000000000FFFFFFFULL) | ((x & 0x0FFFFFFF00000000ULL) >> 4);
        if (stops) { *len = (__builtin_ctzll(stops) >> 3) + 1; return x; }
        if (p[8] < 0x80) { *len = 9; return x | ((uint64_t)p[8] << 56); }
        if (p[9] < 0x80) { *len = 10; return x | ((uint64_t)(p[8] & 0x7F) << 56) | ((uint64_t)p[9] << 63); }
        *len = 0;
        return 0;
    }

    /* The CPython internals the hot loops read, each behind one helper that checks the version
       it was written for; elsewhere the helper takes the public, slower route. */
    #if PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030E0000 && !defined(Py_GIL_DISABLED)
    #define DDL_KNOWN_LAYOUT 1  /* 3.11 to 3.13, with the GIL: the object layouts read below */
    #endif

    /* An int (or int subclass) that fits in a machine word, read from its digits: 1 with the
       value in *out, or 0 when it is larger or its digits are not laid out as this build knows. */
    static inline int ddl_small_long(PyObject* v, int64_t* out) {
    #if PY_VERSION_HEX >= 0x030C0000
        /* 3.12 made small ints "compact" and published the test as unstable API. */
        if (PyUnstable_Long_IsCompact((PyLongObject*)v)) { *out = (int64_t)PyUnstable_Long_CompactValue((PyLongObject*)v); return 1; }
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

    /* The UTF-8 that a non-ASCII str keeps once it was asked for it, read in place: its bytes
       with the length in *n, or NULL when it has none (or this build does not know the field). */
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

    /* An int (or int subclass) as int64: 0 when it fits, 1 when it does not (or on any error,
       which is cleared: the reference engine will report it). Small ints are read from their
       digits directly, which is several times faster than PyLong_AsLongLong. */
    static inline int ddl_as_int64(PyObject* v, int64_t* out) {
        if (ddl_small_long(v, out)) return 0;
        int overflow = 0;
        long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
        if (overflow || (x == -1 && PyErr_Occurred())) { PyErr_Clear(); return 1; }
        *out = (int64_t)x;
        return 0;
    }

    /* An int as uint64: 0 when it is in [0, 2**64), 1 otherwise. */
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

    /* The UTF-8 bytes of a str: read in place for compact ASCII strings, the common case. */
    static inline const char* ddl_utf8(PyObject* s, Py_ssize_t* n) {
        const char* cached;
        if (PyUnicode_IS_COMPACT_ASCII(s)) {
            *n = PyUnicode_GET_LENGTH(s);
            return (const char*)PyUnicode_1BYTE_DATA(s);
        }
        if ((cached = ddl_cached_utf8(s, n)) != NULL) return cached;
        return PyUnicode_AsUTF8AndSize(s, n);
    }

    /* memcpy for the short strings that dominate messages, without a call into libc. */
    static inline void ddl_copy(unsigned char* d, const unsigned char* s, Py_ssize_t n) {
        if (n > 16) { memcpy(d, s, n); return; }
        if (n >= 8) {
            uint64_t a, b;
            memcpy(&a, s, 8); memcpy(&b, s + n - 8, 8);
            memcpy(d, &a, 8); memcpy(d + n - 8, &b, 8);
        } else if (n >= 4) {
            uint32_t a, b;
            memcpy(&a, s, 4); memcpy(&b, s + n - 4, 4);
            memcpy(d, &a, 4); memcpy(d + n - 4, &b, 4);
        } else if (n > 0) {
            d[0] = s[0]; d[n / 2] = s[n / 2]; d[n - 1] = s[n - 1];
        }
    }

    #define DDL_ASCII8(p) ((ddl_load8(p) & 0x8080808080808080ULL) == 0)

    /* Decode UTF-8 into a string of kind T, checking it as strictly as CPython does. The lead
       byte picks the path first, so that text mixing scripts costs one well-predicted branch
       per character; ASCII runs go 8 bytes at a time. The first i bytes, ASCII as the caller
       found, are copied unchecked. Leaves j < n, or k != count, when the bytes are not valid. */
    #define DDL_TRANSCODE(T) do { \
        T* out = (T*)data; \
        for (j = 0; j < i; j++) out[j] = s[j]; \
        for (k = i; j < n && k < count;) { \
            c = s[j]; \
            if (c < 0x80) { \
                if (j + 8 <= n && k + 8 <= count && DDL_ASCII8(s + j)) { \
                    for (int b = 0; b < 8; b++) out[k + b] = s[j + b]; \
                    k += 8; j += 8; \
                } else { \
                    out[k++] = c; j++; \
                } \
                continue; \
            } \
            if (c < 0xE0) { \
                if (c < 0xC2 || j + 1 >= n || (s[j + 1] & 0xC0) != 0x80) break; \
                cp = ((Py_UCS4)(c & 0x1F) << 6) | (s[j + 1] & 0x3F); \
                j += 2; \
            } else if (c < 0xF0) { \
                if (j + 2 >= n || (s[j + 1] & 0xC0) != 0x80 || (s[j + 2] & 0xC0) != 0x80) break; \
                cp = ((Py_UCS4)(c & 0x0F) << 12) | ((Py_UCS4)(s[j + 1] & 0x3F) << 6) | (s[j + 2] & 0x3F); \
                if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)) break; \
                j += 3; \
            } else { \
                if (c >= 0xF5 || j + 3 >= n || (s[j + 1] & 0xC0) != 0x80 || (s[j + 2] & 0xC0) != 0x80 \
                        || (s[j + 3] & 0xC0) != 0x80) break; \
                cp = ((Py_UCS4)(c & 0x07) << 18) | ((Py_UCS4)(s[j + 1] & 0x3F) << 12) \
                     | ((Py_UCS4)(s[j + 2] & 0x3F) << 6) | (s[j + 3] & 0x3F); \
                if (cp < 0x10000 || cp > 0x10FFFF) break; \
                j += 4; \
            } \
            out[k++] = (T)cp; \
        } \
    } while (0)

    /* The characters in s[i:n] (the bytes that are not continuation bytes) and the largest
       byte, which fixes the string's width. SSE2 (every x86-64) does 16 bytes a step. */
    static inline Py_ssize_t ddl_utf8_scan(const unsigned char* s, Py_ssize_t i, Py_ssize_t n,
                                           unsigned char* lead) {
        Py_ssize_t bytes = n - i, continuations = 0;
        unsigned char c, top = 0;
    #if defined(__SSE2__)
        const __m128i below_lead = _mm_set1_epi8((char)0xC0);
        __m128i widest = _mm_setzero_si128();
        while (i + 16 <= n) {
            /* Per-lane counters hold up to 255 steps before they are summed. */
            __m128i lanes = _mm_setzero_si128();
            Py_ssize_t stop = n - i > 16 * 255 ? i + 16 * 255 : n;
            for (; i + 16 <= stop; i += 16) {
                __m128i v = _mm_loadu_si128((const __m128i*)(s + i));
                /* signed: 0x80..0xBF are the bytes below (char)0xC0 */
                lanes = _mm_sub_epi8(lanes, _mm_cmplt_epi8(v, below_lead));
                widest = _mm_max_epu8(widest, v);
            }
            __m128i sums = _mm_sad_epu8(lanes, _mm_setzero_si128());
            continuations += _mm_cvtsi128_si32(sums) + _mm_extract_epi16(sums, 4);
        }
        unsigned char maxima[16];
        _mm_storeu_si128((__m128i*)maxima, widest);
        for (int b = 0; b < 16; b++) if (maxima[b] > top) top = maxima[b];
    #endif
        for (; i < n; i++) {
            c = s[i];
            continuations += (c & 0xC0) == 0x80;
            if (c > top) top = c;
        }
        *lead = top;
        return bytes - continuations;
    }

    /* A str from UTF-8, or NULL with no exception set when the bytes are not strict UTF-8
       (the caller then lets CPython's decoder raise the error). A first pass counts the
       characters and finds the largest byte, which fixes the string's width, so the string is
       allocated once at its final width (CPython's decoder widens and copies as it meets wider
       characters); the second pass decodes and checks. */
    static PyObject* ddl_decode_utf8(const unsigned char* s, Py_ssize_t n) {
        Py_ssize_t i = 0, j, k = 0, count;
        Py_UCS4 cp, widest;
        unsigned char c, lead;
        while (i + 8 <= n && DDL_ASCII8(s + i)) i += 8;
        while (i < n && s[i] < 0x80) i++;
        if (i == n) {
            PyObject* r = PyUnicode_New(n, 127);
            if (r != NULL) ddl_copy((unsigned char*)PyUnicode_DATA(r), s, n);
            return r;
        }
        count = i + ddl_utf8_scan(s, i, n, &lead);
        /* Valid UTF-8 only: a 4-byte sequence is above U+FFFF, a 3-byte one or a 2-byte one led
           by 0xC4 or more is above U+FF, and 0xC2 or 0xC3 lead U+0080..U+00FF. */
        widest = lead >= 0xF0 ? 0x10FFFF : lead >= 0xC4 ? 0xFFFF : 0xFF;
        PyObject* r = PyUnicode_New(count, widest);
        if (r == NULL) return NULL;
        void* data = PyUnicode_DATA(r);
        switch (PyUnicode_KIND(r)) {
            case PyUnicode_1BYTE_KIND: DDL_TRANSCODE(Py_UCS1); break;
            case PyUnicode_2BYTE_KIND: DDL_TRANSCODE(Py_UCS2); break;
            default: DDL_TRANSCODE(Py_UCS4); break;
        }
        if (j != n || k != count) {
            Py_DECREF(r);
            return NULL;
        }
        return r;
    }

    /* Whether v can hold references, and so be part of a cycle: CPython's test (a GC type),
       less the tuples the GC has already found to hold none. */
    static inline int ddl_may_cycle(PyObject* v) {
        return PyType_IS_GC(Py_TYPE(v)) && (!PyTuple_CheckExact(v) || PyObject_GC_IsTracked(v));
    }

    /* Whether the decoder may leave instances of t untracked by the GC when none of their
       values can hold references, so that collections skip them (msgspec does this for its
       Structs). Only frozen classes: an assignment to any other could bring a reference in,
       and a cycle through an untracked object is never collected. */
    static inline int ddl_untrackable(PyTypeObject* t, int frozen) {
        return frozen && PyType_IS_GC(t) && t->tp_dictoffset == 0;
    }

    /* Freeing a message. CPython's subtype_dealloc walks the class's bases twice, reads each
       one's member table to find its slots, and untracks, tracks and untracks the object
       again; a message class (slots only, on object, no __del__, no weakrefs, no __dict__) has
       nothing but object pointers after its header, so clearing them is all there is to do. */
    static void ddl_message_dealloc(PyObject* self);

    static Py_ssize_t ddl_message_size(PyTypeObject* t) {
        /* For a subclass that CPython frees first, the size of the adopted class above it:
           subtype_dealloc has cleared the subclass's own slots and its __dict__ or weakrefs. */
        while (t->tp_dealloc != ddl_message_dealloc) t = t->tp_base;
        return t->tp_basicsize;
    }

    static void ddl_message_dealloc(PyObject* self) {
        PyTypeObject* type = Py_TYPE(self);
        PyObject_GC_UnTrack(self);
        Py_TRASHCAN_BEGIN(self, ddl_message_dealloc)
        if (type->tp_finalize != NULL) {  /* a __del__ given to the class after it was adopted */
            PyObject_GC_Track(self);
            if (PyObject_CallFinalizerFromDealloc(self) < 0) goto done;  /* resurrected */
            PyObject_GC_UnTrack(self);
        }
        {
            PyObject** slot = (PyObject**)((char*)self + sizeof(PyObject));
            PyObject** stop = (PyObject**)((char*)self + ddl_message_size(type));
            for (; slot < stop; slot++) Py_CLEAR(*slot);
        }
        type->tp_free(self);
        Py_DECREF(type);
      done:;
        Py_TRASHCAN_END
    }

    /* Give t ddl_message_dealloc when its instances are laid out as that function expects:
       CPython's dealloc for classes (the one the plain class ``plain`` has), only slots on
       object in every base, and no finalizer. */
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
        if (b != &PyBaseObject_Type) return 0;
        t->tp_dealloc = ddl_message_dealloc;
        return 1;
    #else
        /* Elsewhere (a free-threaded build's object header, a newer CPython) CPython's stays. */
        (void)t; (void)plain;
        return 0;
    #endif
    }

    /* What a class's own __dict__ holds under name (borrowed; NULL if nothing). */
    static inline PyObject* ddl_class_attr(PyObject* cls, PyObject* name) {
        if (!PyType_Check(cls)) return NULL;
        PyObject* dict = ((PyTypeObject*)cls)->tp_dict;
        return dict == NULL ? NULL : PyDict_GetItem(dict, name);
    }

    /* Whether the tuple t holds x itself: identity only, so no __eq__ or __hash__ runs. */
    static inline int ddl_tuple_has(PyObject* t, PyObject* x) {
        Py_ssize_t i, n = PyTuple_GET_SIZE(t);
        for (i = 0; i < n; i++) if (PyTuple_GET_ITEM(t, i) == x) return 1;
        return 0;
    }

    /* The slot at offset in obj: a borrowed pointer, NULL when unset. */
    static inline PyObject* ddl_slot(PyObject* obj, Py_ssize_t offset) {
        return *(PyObject**)((char*)obj + offset);
    }

    /* Store a new reference in a slot, releasing what it held. */
    static inline void ddl_set_slot(PyObject* obj, Py_ssize_t offset, PyObject* value) {
        PyObject** slot = (PyObject**)((char*)obj + offset);
        PyObject* old = *slot;
        *slot = value;
        Py_XDECREF(old);
    }
    """
    PyObject* ddl_int(long long v) except NULL
    PyObject* ddl_uint(unsigned long long v) except NULL
    void ddl_list_fit(PyObject* list)
    PyObject* ddl_none
    PyObject* ddl_true
    PyObject* ddl_false
    int ddl_vsize(uint64_t v) nogil
    uint64_t ddl_varint10(const unsigned char* p, int* len) nogil
    void ddl_put_varint(unsigned char* p, uint64_t v) nogil
    int ddl_as_int64(PyObject* v, int64_t* out)
    int ddl_as_uint64(PyObject* v, uint64_t* out)
    const char* ddl_utf8(PyObject* s, Py_ssize_t* n) except NULL
    PyObject* ddl_class_attr(PyObject* cls, PyObject* name)
    bint ddl_may_cycle(PyObject* v)
    bint ddl_untrackable(PyTypeObject* t, int frozen)
    bint ddl_adopt_dealloc(PyTypeObject* t, PyTypeObject* plain)
    void ddl_message_dealloc(PyObject* self)
    void PyObject_GC_UnTrack_ptr "PyObject_GC_UnTrack"(PyObject* o)
    PyObject* ddl_decode_utf8(const unsigned char* s, Py_ssize_t n)
    void ddl_copy(unsigned char* d, const unsigned char* s, Py_ssize_t n) nogil
    bint ddl_tuple_has(PyObject* t, PyObject* x)
    PyObject* ddl_slot(PyObject* obj, Py_ssize_t offset)
    void ddl_set_slot(PyObject* obj, Py_ssize_t offset, PyObject* value)


class Bail(Exception):
    """The compiled engine leaves this call to the reference engine."""


cdef int bail() except -1:
    raise Bail()
