# google.protobuf.Any (ddl.wkt.Any) in the compiled JSON writer and reader. Its JSON is the
# message it packs, found by the full name its type URL ends with, with an "@type" key beside that
# message's own keys: ``{"@type": "type.googleapis.com/rpc.ErrorInfo", "reason": "..."}``. The
# Python path (_write_wkt._any, _read_wkt.read_any) is the reference: the packed message's class
# comes from the call's registry, and a well-known type inside (``{"@type": ..., "value": ...}``)
# or anything wrong is left to it.
#
# Writing an Any means decoding its bytes, which makes GC-tracked objects and may run Python code
# (a class's first Program, a registry key's __eq__), while the writer holds borrowed pointers and
# runs none (json_write.pxi). So a message holding an Any is walked twice. The first walk notes
# each Any it meets (a strong reference, in a C array that no collection sees) and writes nothing
# for it. Then, no pointer held, each one's text is made: the packed message decoded and written
# by this writer (its own Anys resolved the same way), or the Python path's text of that one Any.
# The second walk writes each text where its Any is, and bails if it meets another Any than the
# one noted (the graph changed meanwhile). A message without an Any is walked once.
#
# Reading an Any: its "@type" (mostly its first key) gives the class; the object is then read
# again from its brace as a message of that class, which passes the "@type" key once (JText.any_at),
# and the message is encoded into the Any's bytes. The reader holds only its own references, so
# it may call Python code (the registry's lookup, a Program's build, the encoder).


cdef extern from "Python.h":
    Py_ssize_t PyUnicode_FindChar(object s, Py_UCS4 ch, Py_ssize_t start, Py_ssize_t end, int direction) except -2
    object PyUnicode_Substring(object s, Py_ssize_t start, Py_ssize_t end)
    int PySet_Contains(object s, object key) except -1
    PyObject* PyDict_GetItemWithError(object d, object key) except? NULL


ctypedef struct JAnys:
    PyObject** met        # the Anys the first walk met, in order, each a strong reference
    int* depths           # the nesting depth left at each, for its packed message
    Py_ssize_t nmet
    Py_ssize_t cap
    PyObject* texts       # the second walk's: a list of the texts of met[:nmet]; NULL in the first
    Py_ssize_t next       # the index in met of the next Any the second walk meets


# Set by install_json: the Python path's text of one Any (ddl/_json's _any_text), and the full
# names an Any writes and reads with forms of their own, whatever the registry says
# (_write_wkt.ANY_OWN_FORMS), which are left to the Python path.
cdef object _python_any_text = None
cdef frozenset _ANY_OWN_FORMS = frozenset()


cdef object _any_class(str url, object registry):
    """The class ``registry`` (a dict, or None) gives for the full name a type URL ends with, or
    None: for a URL without a '/' or ending with one, a name with a form of its own
    (_ANY_OWN_FORMS), or a name the registry lacks, which the Python path judges. A lookup
    may run a key's ``__eq__``: the callers hold no borrowed pointer."""
    cdef Py_ssize_t n = len(url)
    cdef Py_ssize_t slash = PyUnicode_FindChar(url, 0x2F, 0, n, -1)
    cdef PyObject* found
    if registry is None or slash < 0 or slash == n - 1:
        return None
    name = PyUnicode_Substring(url, slash + 1, n)
    if PySet_Contains(_ANY_OWN_FORMS, name):
        return None
    found = PyDict_GetItemWithError(registry, name)
    return None if found == NULL else <object>found


# -- writing ---------------------------------------------------------------------------------------

cdef int _jany_note(JAnys* a, PyObject* v, int depth) except -1:
    """Keep ``v`` (an Any met in the first walk) and its depth: PyMem only, so no collection runs."""
    cdef Py_ssize_t cap
    cdef void* grown
    if a.nmet == a.cap:
        cap = 2 * a.cap if a.cap else 8
        grown = PyMem_Realloc(a.met, cap * sizeof(PyObject*))
        if grown == NULL:
            raise MemoryError()
        a.met = <PyObject**>grown
        grown = PyMem_Realloc(a.depths, cap * sizeof(int))
        if grown == NULL:
            raise MemoryError()
        a.depths = <int*>grown
        a.cap = cap
    Py_INCREF_ptr(v)
    a.met[a.nmet] = v
    a.depths[a.nmet] = depth
    a.nmet += 1
    return 0


cdef void _jany_free(JAnys* a) noexcept:
    """Drop the Anys noted (after the walks: no borrowed pointer is left to them)."""
    cdef Py_ssize_t i
    for i in range(a.nmet):
        Py_DECREF_ptr(a.met[i])
    PyMem_Free(a.met)
    PyMem_Free(a.depths)
    a.met = NULL
    a.depths = NULL
    a.nmet = a.cap = 0


cdef int _jany(ProgC* p, PyObject* v, JOut* o, int depth) except -1:
    """An Any (``p`` is ddl.wkt.Any's Program): ``{}`` when empty, as the Python path writes it;
    otherwise noted in the first walk, its text written in the second. An Any of a subclass, with
    unknown fields, or with values of other types bails."""
    cdef JAnys* a = <JAnys*>o.anys
    cdef PyObject* url
    cdef PyObject* data
    cdef PyObject* text
    cdef const char* utf8
    cdef Py_ssize_t n
    if not p.jany or depth < 0 or a == NULL or Py_TYPE(v) != p.cls or ddl_slot(v, p.unknown_offset) != ddl_none:
        bail()
    if o.compact:
        bail()  # an Any's text is spliced in with the one-line separators: the Python path lays out a compact one
    url = ddl_slot(v, p.ops[0].offset)
    data = ddl_slot(v, p.ops[1].offset)
    if url == NULL or data == NULL or Py_TYPE(url) != &PyUnicode_Type or Py_TYPE(data) != &PyBytes_Type:
        bail()
    if len(<str>url) == 0 and PyBytes_GET_SIZE_ptr(data) == 0:
        return _jput(o, b"{}", 2)
    if a.texts == NULL:
        return _jany_note(a, v, depth)
    if a.next >= a.nmet or a.met[a.next] != v:
        bail()
    text = PyList_GET_ITEM_ptr(a.texts, a.next)
    a.next += 1
    utf8 = PyUnicode_AsUTF8AndSize_ptr(text, &n)  # the text's own str: no Python code
    return _jput(o, utf8, n)


cdef str _jany_text(object any, int depth, int flags, object registry):
    """The text of one Any noted by the first walk (Python code may run here), or Bail: the Python
    path then writes the whole message, and raises its error with the field's path."""
    url, data = any.type_url, any.value
    if type(url) is not str or type(data) is not bytes:
        bail()
    cls = _any_class(url, registry)
    program = _program_for(cls) if cls is not None else None
    if program is None or (<Program>program).c.jspecial:
        # A well-known type, a class the registry lacks (an error), one run by the Python engine
        # or with a form of its own: the Python path's text of this Any alone, or its error.
        try:
            return _python_any_text(any, flags & J_PROTO_NAMES != 0, flags & J_ALWAYS != 0,
                                    flags & J_INTEGERS != 0, registry)
        except Exception:
            bail()
    try:
        packed = _decode_any(data, cls, program, DEFAULT_MAX_DEPTH)
    except Exception:
        bail()  # bytes that are not a message of the class: the Python path's error names the field
    return _json_text_of(&(<Program>program).c, packed, flags, registry, depth - 1, url)


cdef Py_ssize_t _jwalk(ProgC* p, object msg, JOut* o, int depth, int flags, object url) except -1:
    """Write ``msg``; with a ``url``, as an Any's message: after ``{"@type": <url>,``. The offset
    of the message's own opening brace."""
    cdef Py_ssize_t brace
    if url is not None:
        _jput(o, b'{"@type": ', 10)
        ddl_json_str(o, <PyObject*>url)
        _jput(o, b",", 1)
    brace = o.pos - o.base
    if p.jany:
        _jany(p, <PyObject*>msg, o, depth)  # an Any as the whole text
    else:
        _jmessage(p, <PyObject*>msg, o, depth, flags)
    return brace


cdef str _json_text_of(ProgC* p, object msg, int flags, object registry, int depth, object url=None):
    """The JSON text of ``msg`` (of ``p``'s class), or Bail; ``depth`` is the nesting left. With
    a ``url`` (a str), the text of the Any of that type URL that packs ``msg``: its "@type" and
    then ``msg``'s keys, in one object."""
    cdef char stack[2048]
    cdef JOut o
    cdef JAnys anys
    cdef PyObject* text
    cdef Py_ssize_t i, brace
    memset(&anys, 0, sizeof(anys))
    # Messages of a class tend to have texts of similar lengths (as in _encode_bytes).
    ddl_jout_init(&o, stack, sizeof(stack), p.jsize_hint)
    o.compact = flags & J_COMPACT != 0
    try:
        o.anys = &anys
        brace = _jwalk(p, msg, &o, depth, flags, url)
        if anys.nmet:
            ddl_jout_free(&o)  # the first walk's text, without the Anys
            texts = [_jany_text(<object>anys.met[i], anys.depths[i], flags, registry) for i in range(anys.nmet)]
            anys.texts = <PyObject*>texts
            ddl_jout_init(&o, stack, sizeof(stack), p.jsize_hint)
            o.anys = &anys
            brace = _jwalk(p, msg, &o, depth, flags, url)
            if anys.next != anys.nmet:
                bail()
        p.jsize_hint = o.pos - o.base
        if url is not None:
            if o.pos - o.base == brace + 2:  # ``{}``: the "@type" alone, without the comma
                o.pos = o.base + brace - 1
                _jput(&o, b"}", 1)
            else:
                o.base[brace] = b" "  # the message's keys follow the comma after "@type"
        text = ddl_json_text(&o)
        if text == NULL:
            bail()  # not UTF-8: a name with a lone surrogate, or one with a str that has one
        result = <str>text
        Py_DECREF_ptr(text)
        return result
    finally:
        ddl_jout_free(&o)
        _jany_free(&anys)


# -- reading ---------------------------------------------------------------------------------------

cdef object _jr_any_type(JText* t, int budget):
    """The "@type" of the object at t.pos (its brace), found among its keys (the values before it
    read and dropped), or None for ``{}``; t.pos ends past the "@type" value."""
    cdef Py_ssize_t start, n
    t.pos += 1
    cdef unsigned char c = _jr_next(t)
    if c == b'}':
        t.pos += 1
        return None
    while True:
        if c != b'"':
            bail()
        start = _jr_plain(t, &n)
        if _jr_next(t) != b':':
            bail()
        t.pos += 1
        c = _jr_next(t)
        if n == 5 and memcmp(t.s + start, b"@type", 5) == 0:
            if c != b'"':
                bail()
            return _jr_str(t)
        _jr_native(t, c, budget - 1)
        c = _jr_after(t, b'}')
        if not c:
            bail()  # no "@type": the Python reader's error


cdef int _jr_any_key(JText* t, Py_ssize_t opened, Py_ssize_t start, Py_ssize_t n) except -1:
    """Pass the key s[start:start + n], which no field takes, when it is the "@type" of the Any
    whose object opened at ``opened`` (its value a string, already read by _jr_any_type): 1 if so,
    0 for another key. A second "@type" in that object, or one in another object, bails."""
    if n != 5 or memcmp(t.s + start, b"@type", 5) != 0:
        return 0
    if opened != t.any_at:
        bail()
    t.any_at = -1
    if _jr_next(t) != b':':
        bail()
    t.pos += 1
    if _jr_next(t) != b'"':
        bail()
    _jr_plain(t, &n)  # read once already, as a str
    return 1


cdef object _jr_any(ProgC* p, JText* t, int budget):
    """The Any at t.pos (``p`` is ddl.wkt.Any's Program): its message read by the class the
    registry gives for its type's full name, and encoded. Anything else (no registry, a type it
    lacks, a well-known type, a class with a form of its own or with required fields, a message
    the encoder refuses) bails."""
    cdef Py_ssize_t opened = t.pos, saved = t.any_at
    if budget < 0:
        bail()
    url = _jr_any_type(t, budget)
    if url is None:
        return _jr_any_made(p, "", b"")
    cls = _any_class(url, None if t.registry == NULL else <object>t.registry)
    program = _program_for(cls) if cls is not None else None
    if program is None or (<Program>program).c.json_bail or (<Program>program).c.check_required:
        bail()
    t.pos = opened
    t.any_at = opened
    packed = _jr_message(&(<Program>program).c, t, budget - 1)
    if t.any_at != -1:
        bail()
    t.any_at = saved
    try:
        data = _encode_any(packed, False, DEFAULT_MAX_DEPTH)
    except Exception:
        bail()
    return _jr_any_made(p, url, data)


cdef object _jr_any_made(ProgC* p, str url, bytes data):
    """A new Any of ``url`` and ``data``, with no unknown fields (untracked: it holds no
    container)."""
    cdef PyObject* raw = ddl_alloc_untracked(p.cls)
    if raw == NULL:
        raise MemoryError()
    obj = <object>raw
    Py_DECREF_ptr(raw)
    Py_INCREF_ptr(<PyObject*>url)
    ddl_set_slot(raw, p.ops[0].offset, <PyObject*>url)
    Py_INCREF_ptr(<PyObject*>data)
    ddl_set_slot(raw, p.ops[1].offset, <PyObject*>data)
    Py_INCREF_ptr(ddl_none)
    ddl_set_slot(raw, p.unknown_offset, ddl_none)
    return obj
