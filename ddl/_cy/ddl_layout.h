/* ddl_layout.h: the CPython builds whose private layouts ddl's C reads (object headers, int
   digits, the GC's generations, a list's storage, an array.array's struct): 3.11 to 3.13 with
   the GIL. A free-threaded build has another object header and list storage; 3.14 and later
   are untried. Each reader checks DDL_KNOWN_LAYOUT and elsewhere takes the public route.

   It reads only patchlevel.h and pyconfig.h, so that ddl_gc.c can ask before Python.h, whose
   compilation it changes (Py_BUILD_CORE_MODULE) in the builds it knows. */

#ifndef DDL_LAYOUT_H
#define DDL_LAYOUT_H

#include <patchlevel.h>
#include <pyconfig.h>

#if PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030E0000 && !defined(Py_GIL_DISABLED)
#define DDL_KNOWN_LAYOUT 1
#endif

#endif /* DDL_LAYOUT_H */
