# A singular message field that occurs more than once merges its occurrences: protobuf gives
# the value that the concatenation of their bodies parses to, each body a whole sequence of
# fields on its own. The decoder meets a later occurrence only once it has made the first
# one's value; rather than merge values (whose lists and dicts are settled, or shared when
# empty), it stops there (Rejoin), and the entry points read the data once more, rewritten
# (_rejoined): at every depth, each such field's occurrences joined into its first, their
# bodies one after the other. The rewrite passes over each body a few times at its own depth
# (finding the fields given twice, joining them, and any rewritten body below), so a field
# repeated at every level of a deep nesting, or 100,000 times, costs linear work; merging each
# later value into the first would decode the first occurrence again at every level.
#
# The fields joined are singular, length-prefixed and outside oneofs and unions, at every depth:
# those of message classes, well-known types (Timestamp, Value...) and conventions' wrappers
# (K_HELPER). A Timestamp or a Date that is invalid alone, in one occurrence of the message
# holding it, is not settled there: the reference engine keeps it among that message's unknown
# fields and takes it back into the merge of the next occurrence (take_kept), as joined bodies
# do. Any other field given twice in the rewritten data (a oneof member, a map entry's value, a
# group) bails there, as before, and so does data that the rewrite would not change.

cdef enum:
    # _given_twice's counts: a joinable field met once, twice or more, and one whose first
    # occurrence the rewrite has written (joined with the others, which it then leaves out).
    ONCE = 1
    TWICE = 2
    JOINED = 3
    # The rewrite of data of n bytes may make at most REJOIN_ROOM * n + REJOIN_SLACK bytes in
    # all (its joined bodies and rewritten ones, at every depth); hostile nesting that would
    # make more goes to the reference engine, whose merge makes no copies.
    REJOIN_ROOM = 8
    REJOIN_SLACK = 65536


from cpython.bytearray cimport PyByteArray_AS_STRING, PyByteArray_GET_SIZE, PyByteArray_Resize


class Rejoin(Bail):
    """A message field occurred again: the data is read again, its occurrences joined."""


cdef inline bint _joinable(Op* op) noexcept:
    """Whether the rewrite joins the occurrences of ``op``'s field (see above)."""
    if op.repeated or op.group != 0 or op.member >= 0 or op.etaglen != 0:
        return False
    return op.kind == K_MESSAGE or op.kind == K_HELPER


cdef int _occurred_again(Op* op) except -1:
    """A message-like field read before occurs again: Rejoin when the rewrite joins it, else
    bail (the reference engine merges it)."""
    if _joinable(op):
        raise Rejoin()
    bail()


cdef inline int _op_index(ProgC* p, uint64_t tag) except? -2147483648:
    """The index of the op that reads ``tag`` in ``p``, or a negative number (ProgC.fast says
    which: any negative int but INT_MIN, the error value) for a field it does not read as
    itself."""
    if tag < 256:
        return p.fast[tag]
    found = (<dict>p.slow).get(tag)
    return -1 if found is None else <int>found


cdef object _decode_rejoined(ProgC* p, bytes data, int budget):
    """The message in ``data``, whose decode met a field given again (Rejoin), read from the
    rewritten data. Bails as the decoder does, and when the rewrite changes nothing."""
    budget = min(budget, C_DEPTH_LIMIT)
    cdef Py_ssize_t room = REJOIN_ROOM * PyBytes_GET_SIZE(data) + REJOIN_SLACK
    out = _rewritten(p, <const unsigned char*>PyBytes_AS_STRING(data), 0, PyBytes_GET_SIZE(data), budget, &room)
    if out is None:
        bail()  # the field given again is one the rewrite leaves (in a map entry's value)
    return _decode_bytes(p, bytes(<bytearray>out), budget)


# The rewrite copies bytes into bytearrays of its own, through C: a Python object for each
# piece (a memoryview slice) would be one more object for the GC to count per occurrence, and
# 200,000 of them started collections that cost more than the rest of the rewrite.

cdef object _rewritten(ProgC* p, const unsigned char* buf, Py_ssize_t start, Py_ssize_t end, int budget,
                       Py_ssize_t* room):
    """The body of a ``p`` message lying in ``buf`` between ``start`` and ``end``, with each
    joinable field's occurrences joined into its first and the body of each message field
    rewritten alike, as a bytearray; None when that changes nothing."""
    cdef Py_ssize_t pos = start, field, prefix, body, n, kept = start
    cdef uint64_t tag
    cdef int index, state
    cdef Op* op
    cdef unsigned char length[10]
    if budget < 0:
        bail()
    if not _may_join(p):
        return None  # nothing to join here or below: the decode reads this body as it is
    twice = _given_twice(p, buf, start, end, budget)
    out = None
    while pos < end:
        field = pos
        tag = _tag(buf, &pos, end)
        index = _op_index(p, tag)
        if index < 0 or tag & 7 != 2:
            _skip(buf, &pos, end, tag, budget)
            continue
        op = &p.ops[index]
        state = 0 if twice is None else (<bytearray>twice)[index]
        if op.kind != K_MESSAGE and state < TWICE:
            _skip(buf, &pos, end, tag, budget)  # a value with no message of a class in it
            continue
        prefix = pos
        n = _length(buf, &pos, end)
        body = pos
        pos += n
        if state == JOINED:
            value = None  # a later occurrence, joined into the first: left out
        elif state == TWICE:
            (<bytearray>twice)[index] = JOINED
            value = _joined(op, buf, tag, field, end, budget, room)
        else:
            value = _rewritten(op.sub, buf, body, pos, budget - 1, room)
            if value is None:
                continue  # this field stays as it is, in the run of fields copied whole
        if out is None:
            out = bytearray()
        _put(out, buf + kept, field - kept)
        if value is not None:
            _put(out, buf + field, prefix - field)  # the tag as it came
            n = PyByteArray_GET_SIZE(value)
            _put(out, length, _varint_into(length, n))
            _put(out, <const unsigned char*>PyByteArray_AS_STRING(value), n)
        kept = pos
    if out is None:
        return None
    _put(out, buf + kept, end - kept)
    _spend(room, PyByteArray_GET_SIZE(out))
    return out


cdef bint _may_join(ProgC* p) noexcept:
    """Whether a body of ``p``'s class may have fields to join, in itself or in the messages it
    holds: it has fields of message classes, or joinable ones of its own."""
    cdef Py_ssize_t k
    for k in range(p.nops):
        if p.ops[k].kind == K_MESSAGE or _joinable(&p.ops[k]):
            return True
    return False


cdef object _given_twice(ProgC* p, const unsigned char* buf, Py_ssize_t start, Py_ssize_t end, int budget):
    """For each op of ``p``, by index, whether the body between ``start`` and ``end`` gives its
    field once or more (ONCE, TWICE), counting joinable fields only; None when none occurs
    twice. Bails on a body that is no whole sequence of fields."""
    cdef Py_ssize_t pos = start
    cdef uint64_t tag
    cdef int index
    counts = None
    while pos < end:
        tag = _tag(buf, &pos, end)
        index = _op_index(p, tag)
        _skip(buf, &pos, end, tag, budget)
        if index >= 0 and tag & 7 == 2 and _joinable(&p.ops[index]):
            if counts is None:
                counts = bytearray(p.nops)
            if (<bytearray>counts)[index] < TWICE:
                (<bytearray>counts)[index] += 1
    if counts is None or TWICE not in <bytearray>counts:
        return None
    return counts


cdef object _joined(Op* op, const unsigned char* buf, uint64_t tag, Py_ssize_t start, Py_ssize_t end, int budget,
                    Py_ssize_t* room):
    """The bodies of every occurrence of ``op``'s field (``tag``) from ``start`` to ``end``, one
    after the other (a bytearray), rewritten as one body of its class if it is a message's.
    Each body must be a whole sequence of fields on its own, as each occurrence parses alone:
    one that ends inside a field, which the next would complete, bails (the reference engine
    reports it)."""
    cdef Py_ssize_t pos = start, n, body
    cdef uint64_t found
    joined = bytearray()
    while pos < end:
        found = _tag(buf, &pos, end)
        if found != tag:
            _skip(buf, &pos, end, found, budget)
            continue
        n = _length(buf, &pos, end)
        body = pos
        pos += n
        _fields_end(buf, body, pos, budget)
        _put(joined, buf + body, n)
    _spend(room, PyByteArray_GET_SIZE(joined))
    if op.kind != K_MESSAGE:
        return joined  # a well-known type's body, which its reader takes as it is
    rewritten = _rewritten(op.sub, <const unsigned char*>PyByteArray_AS_STRING(joined), 0,
                           PyByteArray_GET_SIZE(joined), budget - 1, room)
    return joined if rewritten is None else rewritten


cdef int _fields_end(const unsigned char* buf, Py_ssize_t pos, Py_ssize_t end, int budget) except -1:
    """Pass the fields between ``pos`` and ``end``, bailing unless the last one ends at ``end``."""
    cdef uint64_t tag
    while pos < end:
        tag = _tag(buf, &pos, end)
        _skip(buf, &pos, end, tag, budget)
    if pos != end:
        bail()
    return 0


cdef inline int _put(bytearray out, const unsigned char* src, Py_ssize_t n) except -1:
    """Append ``n`` bytes at ``src`` to ``out`` (which grows ahead, as bytearrays do)."""
    cdef Py_ssize_t at = PyByteArray_GET_SIZE(out)
    if n > 0:
        PyByteArray_Resize(out, at + n)
        memcpy(PyByteArray_AS_STRING(out) + at, src, n)
    return 0


cdef inline int _spend(Py_ssize_t* room, Py_ssize_t n) except -1:
    """Take ``n`` bytes made by the rewrite from its ``room``: bail past it."""
    room[0] -= n
    if room[0] < 0:
        bail()
    return 0
