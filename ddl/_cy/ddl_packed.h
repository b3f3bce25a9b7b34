/* ddl_packed.h: the encoder's loop over a packed run of ints (list[int] of an integer varint
   kind), in C so that it is one function of its own, out of line and aligned (DDL_ALIGNED_CODE):
   its speed then does not depend on the code the rest of the module puts before it. The loop
   writes backwards, as the encoder does, and stops at the first item it does not take (a bool,
   an int subclass, an IntEnum, an int out of the kind's range, not an int), which the caller
   writes through the general path (or bails on) before it calls the loop again. */

#ifndef DDL_PACKED_H
#define DDL_PACKED_H

#include <Python.h>
#include <stdint.h>
#include "ddl_compat.h"
#include "ddl_cpython.h"
#include "ddl_wire.h"

/* The varints of items[*k], items[*k - 1] ... items[0], written backwards to end at p, zigzag
   encoded when zigzag is set, while each item is an exact int whose value lies in lo..hi:
   returns where the written bytes start, with *k at the item it stopped at (-1 once all are
   written). The caller keeps 10 bytes of room below p for each item, and holds the items (an
   exact int runs no Python code here). */
static inline unsigned char* ddl_int_run_body(PyObject** items, Py_ssize_t* k, unsigned char* p, int64_t lo,
                                              int64_t hi, int zigzag) {
    Py_ssize_t i = *k;
    int64_t v;
    uint64_t u;
    for (; i >= 0; i--) {
        PyObject* item = items[i];
        /* a run's ints are objects of their own, wherever they were made: their digits are asked
           for a few items ahead (10,000 of them: 76 -> 60 us) */
        if (i >= 8) DDL_PREFETCH(items[i - 8]);
        if (!(Py_TYPE(item) == &PyLong_Type && ddl_exact_int64(item, &v) && lo <= v && v <= hi)) break;
        u = (uint64_t)v;
        if (zigzag) u = (u << 1) ^ (uint64_t)(v >> 63);
        p = ddl_varint_before(p, u);
    }
    *k = i;
    return p;
}

/* ddl_int_run_body for int32, int64, uint32 and uint64 (the kind's range in lo..hi). */
static DDL_NOINLINE DDL_ALIGNED_CODE unsigned char* ddl_int_run(PyObject** items, Py_ssize_t* k, unsigned char* p,
                                                                int64_t lo, int64_t hi) {
    return ddl_int_run_body(items, k, p, lo, hi, 0);
}

/* ddl_int_run_body for sint32 and sint64, zigzag encoded. */
static DDL_NOINLINE DDL_ALIGNED_CODE unsigned char* ddl_sint_run(PyObject** items, Py_ssize_t* k, unsigned char* p,
                                                                 int64_t lo, int64_t hi) {
    return ddl_int_run_body(items, k, p, lo, hi, 1);
}

#endif /* DDL_PACKED_H */
