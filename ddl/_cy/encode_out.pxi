# The encoder's output: a buffer written backwards, from its end towards its start, as upb
# writes (encode.pxi says why), on the C stack first, grown on the heap, or in the block of the
# bytes object it becomes (a message of a steady size); and the buffers of long packed runs,
# held rather than copied until the result is made.

from cpython.mem cimport PyMem_Free, PyMem_Malloc

cdef extern from "ddl_wire.h":
    unsigned char* ddl_varint_before(unsigned char* p, uint64_t v) nogil

cdef extern from "ddl_cpython.h":
    Py_ssize_t DDL_BYTES_HEAD
    unsigned char* ddl_bytes_block(Py_ssize_t n)
    object ddl_bytes_from_block(unsigned char* block, Py_ssize_t n)
    void PyObject_Free(void* p)

cdef extern from "ddl_objects.h":
    # capi.pxi's ddl_bytes_of, its new reference taken as an object
    object ddl_bytes_owned "ddl_bytes_of"(const unsigned char* s, Py_ssize_t n)


cdef enum:
    # The C stack buffer a message is first written into. Messages up to this size (a 1,024
    # float vector is 4 KB) take no allocation but their result's; _encode_bytes is entered once
    # per top-level call (nested messages write into the same buffer), so this is all it holds.
    ENCODE_STACK = 16384
    # A packed run of fixed-width items given as a buffer of at least this many bytes is not
    # copied into the encoder's buffer: its place there is left unwritten, its view is held, and
    # its bytes are copied from the buffer into the result (_result), once rather than twice.
    # Copying a shorter run twice costs less than holding its view.
    HOLD_MIN = 512
    # At most this many views are held at once; a run met beyond them is copied at once.
    HOLD_MAX = 8

cdef struct Out:
    unsigned char* base     # the allocation
    unsigned char* pos      # the first byte written so far
    unsigned char* end      # one past the last byte of the allocation
    bint heap               # whether ``base`` came from PyMem_Malloc
    bint block              # whether ``base`` is a bytes object's block (ddl_bytes_block)
    int nheld               # how many views ``held`` holds, the last one nearest ``pos``
    Py_buffer held[HOLD_MAX]            # buffers whose bytes are not in the buffer yet
    Py_ssize_t held_at[HOLD_MAX]        # where each one's bytes go: their start, back from ``end``


cdef int _grow(Out* o, Py_ssize_t need) except -1:
    cdef Py_ssize_t used = o.end - o.pos
    cdef Py_ssize_t cap = 2 * (o.end - o.base)
    if cap < used + need + 256:
        cap = used + need + 256
    cdef unsigned char* base = <unsigned char*>PyMem_Malloc(cap)
    if base == NULL:
        raise MemoryError()
    ddl_copy(base + cap - used, o.pos, used)
    if o.heap:
        PyMem_Free(o.base)
    if o.block:
        PyObject_Free(o.base)  # the message outgrew the size it was expected to have
        o.block = False
    o.base = base
    o.end = base + cap
    o.pos = o.end - used
    o.heap = True
    return 0


cdef inline int _room(Out* o, Py_ssize_t need) except -1:
    if o.pos - o.base < need:
        _grow(o, need)
    return 0


# The hot paths write a field's pieces through a local pointer, ``o.pos`` read once and stored
# once: each store through ``o.pos`` may change ``o.pos`` itself, as far as the C compiler knows
# (bytes alias everything), so writing piece by piece through it reloads it after every store,
# a chain of store-to-load waits in every field of every message.

cdef inline unsigned char* _varint_at(unsigned char* p, uint64_t v) noexcept:
    """``v`` as a varint that ends at ``p``; returns where it starts. Bytes below its start,
    down to p - 8, may be overwritten, in the free space (every caller has made room for them):
    lengths and values vary, and a loop of a byte a step mispredicts its exit on them."""
    return ddl_varint_before(p, v)


cdef inline unsigned char* _tag_at(unsigned char* p, uint64_t word, int n) noexcept:
    """A tag kept right-aligned in a word, ending at ``p``: one 8-byte store, whose spare low
    bytes land in the free space below (every caller has made room for them). Returns where
    the tag starts."""
    memcpy(p - 8, &word, 8)
    return p - n


cdef inline void _varint_back(Out* o, uint64_t v) noexcept:
    o.pos = _varint_at(o.pos, v)


cdef inline void _tag_back(Out* o, uint64_t word, int n) noexcept:
    o.pos = _tag_at(o.pos, word, n)


cdef inline Py_ssize_t _written(Out* o) noexcept:
    return o.end - o.pos


cdef void _settle(Out* o) noexcept:
    """Copy each held buffer's bytes into their place and release its view. Called before any
    Python code can run (a loud field), which could change the items a held view exports, or
    find its exporter locked (an array cannot be resized while exported)."""
    cdef int k
    for k in range(o.nheld):
        ddl_copy(o.end - o.held_at[k], <const unsigned char*>o.held[k].buf, o.held[k].len)
        PyBuffer_Release(&o.held[k])
    o.nheld = 0


cdef void _release(Out* o) noexcept:
    """Release the views still held (the result is made, or the encode bailed)."""
    cdef int k
    for k in range(o.nheld):
        PyBuffer_Release(&o.held[k])
    o.nheld = 0


cdef object _result(Out* o):
    """The bytes written, as a bytes object. Each held buffer's bytes are copied from the
    buffer into their place in it: the only copy they get. A message written into the block
    of a bytes object (``o.block``) that it fills is made that object, with no copy at all."""
    cdef Py_ssize_t size = o.end - o.pos
    cdef unsigned char* src = o.pos
    cdef unsigned char* hole
    cdef char* r
    cdef int k
    if o.block and o.pos == o.base + DDL_BYTES_HEAD:
        # written into its bytes object's block, which it fills: the object is made around it
        _settle(o)
        o.block = False
        return ddl_bytes_from_block(o.base, size)
    if o.nheld == 0:
        return ddl_bytes_owned(o.pos, size)
    result = PyBytes_FromStringAndSize(NULL, size)
    r = PyBytes_AS_STRING(result)
    for k in range(o.nheld - 1, -1, -1):  # from the start of the message
        hole = o.end - o.held_at[k]
        ddl_copy(<unsigned char*>r + (src - o.pos), src, hole - src)  # tags, lengths, short fields
        ddl_copy(<unsigned char*>r + (hole - o.pos), <const unsigned char*>o.held[k].buf, o.held[k].len)
        src = hole + o.held[k].len
    ddl_copy(<unsigned char*>r + (src - o.pos), src, o.end - src)
    return result
