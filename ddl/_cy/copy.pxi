# copy.copy and copy.deepcopy of a message, in C: ddl.Message's __copy__ and __deepcopy__ on
# this engine, which hand what they do not copy to the Python engine's (ddl/_message.py).
#
# A deep copy makes a new instance of each message, list, dict and set it meets and shares
# every value that cannot change: numbers, strings, bytes, enum members, datetimes, Decimals,
# UUIDs, and tuples and frozensets of them, as copy.deepcopy shares ints and strs. Containers
# are copied from a snapshot (of a list's items, PyDict_Copy of a dict) that only this code
# holds, and every value is owned while it is copied, so Python code that runs meanwhile (a gc
# callback, a finalizer) may change the original without harm: the copy is of the values read.
# copy.deepcopy's memo keeps an object met twice (or a cycle) one object in the copy; here an
# object is looked up only when something else may reference it (ddl_maybe_shared), so a tree
# as decoded costs no lookups. Anything else (a deleted field, a value of another type,
# nesting past C_DEPTH_LIMIT) bails, before any of the copy is seen by Python code: the Python
# engine then copies the whole message as copy.deepcopy does.

import enum as _enum_module
from datetime import date as _date, datetime as _datetime, time as _time

cdef extern from "Python.h":
    PyTypeObject PyBool_Type
    PyTypeObject PySet_Type
    PyTypeObject PyFrozenSet_Type
    PyObject* PyDict_Copy_ptr "PyDict_Copy"(PyObject* d) except NULL
    PyObject* PyDict_GetItemWithError_ptr "PyDict_GetItemWithError"(PyObject* d, PyObject* k) except? NULL
    void PyList_SET_ITEM_ptr "PyList_SET_ITEM"(PyObject* lst, Py_ssize_t i, PyObject* item)
    PyObject* PyTuple_New_ptr "PyTuple_New"(Py_ssize_t n) except NULL
    void PyTuple_SET_ITEM_ptr "PyTuple_SET_ITEM"(PyObject* t, Py_ssize_t i, PyObject* item)
    PyObject* PyLong_FromVoidPtr_ptr "PyLong_FromVoidPtr"(void* p) except NULL
    bint PyType_IsSubtype_ptr "PyType_IsSubtype"(PyTypeObject* a, PyTypeObject* b)
    Py_ssize_t PyTuple_GET_SIZE_ptr "PyTuple_GET_SIZE"(PyObject* t)
    Py_ssize_t PyList_GET_SIZE_ptr "PyList_GET_SIZE"(PyObject* lst)


cdef object _ENUM_META = _enum_module.EnumMeta
# Classes whose instances cannot change, besides the builtin scalars: shared, not copied.
cdef tuple _IMMUTABLE = (_datetime, _date, _time, _timedelta, _DatetimeNs, _TimedeltaNs, _DECIMAL, _UUID)
# array.array's own copy (a ddl.Vector's values).
cdef object _ARRAY_COPY = _ARRAY.__copy__


cdef int _copy_tables(ProgC* p) except -1:
    """``p.copy_slots``: each field's slot once, in the order of the ops, then the unknown fields'."""
    cdef Py_ssize_t k
    cdef Op* op
    readers = {}  # offset -> the ops that read it
    for k in range(p.nops):
        readers.setdefault(p.ops[k].offset, []).append(k)
    p.copy_slots = <CopySlot*>PyMem_Calloc(len(readers) + 1, sizeof(CopySlot))
    if p.copy_slots == NULL:
        raise MemoryError()
    for offset, ops in readers.items():
        p.copy_slots[p.ncopy].offset = offset
        if len(ops) == 1:
            op = &p.ops[<Py_ssize_t>ops[0]]
            if op.kind == K_MESSAGE:
                p.copy_slots[p.ncopy].sub = op.sub
            elif op.kind == K_MAP and op.value.kind == K_MESSAGE:
                p.copy_slots[p.ncopy].sub = op.value.sub
        p.ncopy += 1
    p.copy_slots[p.ncopy].offset = p.unknown_offset
    p.ncopy += 1
    return 0


cdef inline bint _kept_scalar(PyObject* v) noexcept:
    """Whether ``v`` is a str, int, None, float, bool or bytes, which a copy shares."""
    cdef PyTypeObject* t = Py_TYPE(v)
    return (t == &PyUnicode_Type or t == &PyLong_Type or v == ddl_none or t == &PyFloat_Type
            or t == &PyBool_Type or t == &PyBytes_Type)


cdef inline bint _kept_other(PyTypeObject* t) noexcept:
    """Whether a copy shares a value of class ``t`` that is not a scalar: an enum member (which
    copy.deepcopy keeps too) or a value that cannot change (_IMMUTABLE)."""
    if PyType_IsSubtype_ptr(Py_TYPE(<PyObject*>t), <PyTypeObject*><PyObject*>_ENUM_META):
        return True
    return ddl_tuple_has(<PyObject*>_IMMUTABLE, <PyObject*>t)


cdef inline bint _kept(PyObject* v) noexcept:
    """Whether a copy shares ``v`` rather than copying it."""
    return _kept_scalar(v) or _kept_other(Py_TYPE(v))


cdef class _Copier:
    """One deep copy's state: the root and its copy (a cycle back to the root ends there), the
    caller's memo (read: what copy.deepcopy copied before this message), and what this copy met
    that may be met again, each original's id to its copy (``seen``). ``seen`` joins the memo
    only once the whole copy is made, so a bail leaves the memo as it was."""

    cdef PyObject* root
    cdef PyObject* root_copy
    cdef dict memo
    cdef dict seen
    cdef list originals

    cdef PyObject* found(self, PyObject* v) except? NULL:
        """The copy already made of ``v`` (borrowed), or NULL."""
        cdef PyObject* copy
        if v == self.root:
            return self.root_copy
        key = _owned(PyLong_FromVoidPtr_ptr(v))
        copy = PyDict_GetItemWithError_ptr(<PyObject*>self.memo, <PyObject*>key)
        if copy == NULL and self.seen is not None:
            copy = PyDict_GetItemWithError_ptr(<PyObject*>self.seen, <PyObject*>key)
        return copy

    cdef int remember(self, PyObject* v, PyObject* copy) except -1:
        if self.seen is None:
            self.seen = {}
            self.originals = []
        self.seen[_owned(PyLong_FromVoidPtr_ptr(v))] = <object>copy
        self.originals.append(<object>v)
        return 0

    cdef int commit(self) except -1:
        """Give the memo what this copy saw, and keep the originals alive as long as the memo,
        as copy.deepcopy does (an id must not be reused while the memo holds it)."""
        if self.seen is None:
            return 0
        self.memo.update(self.seen)
        alive = self.memo.get(id(self.memo))
        if type(alive) is list:
            (<list>alive).extend(self.originals)
        else:
            self.memo[id(self.memo)] = self.originals
        return 0


cdef PyObject* _copied(PyObject* v, ProgC* sub, _Copier c, int budget, Py_ssize_t held) except NULL:
    """A new reference to the deep copy of ``v``, which the caller owns and ``held`` references
    it knows of point at (its slot or container, its own). ``sub``: the class of the messages
    the field holds, which ``v`` (or a list's items, a dict's values) most likely is."""
    cdef PyTypeObject* t = Py_TYPE(v)
    cdef PyObject* copy
    cdef ProgC* p = NULL
    cdef bint shared
    if sub != NULL and t == sub.cls:
        p = sub
    elif _kept_scalar(v):
        Py_INCREF_ptr(v)
        return v
    elif t != &PyList_Type and t != &PyDict_Type and t != &PyTuple_Type and t != &PySet_Type \
            and t != &PyFrozenSet_Type and t != <PyTypeObject*><PyObject*>_ARRAY:
        if _kept_other(t):
            Py_INCREF_ptr(v)
            return v
        program = _program_for(<object>t)
        if program is None:
            bail()  # not a value this engine knows how to copy
        p = &(<Program>program).c
    if budget <= 0:
        bail()
    shared = ddl_maybe_shared(v, held)
    if shared:
        copy = c.found(v)
        if copy != NULL:
            Py_INCREF_ptr(copy)
            return copy
    if p != NULL:
        return _message_copied(p, v, c, budget, shared)
    if t == &PyList_Type:
        return _list_copied(v, sub, c, budget, shared)
    if t == &PyDict_Type:
        return _dict_copied(v, sub, c, budget, shared)
    if t == &PyTuple_Type:
        return _tuple_copied(v, sub, c, budget)
    if t == <PyTypeObject*><PyObject*>_ARRAY:
        values = _ARRAY_COPY(<object>v)
        copy = <PyObject*>values
        Py_INCREF_ptr(copy)
    else:
        copy = _set_copied(v)
    if shared:
        c.remember(v, copy)
    return copy


cdef PyObject* _message_copied(ProgC* p, PyObject* src, _Copier c, int budget, bint shared) except NULL:
    """A new reference to a deep copy of the message ``src`` of ``p``'s class, tracked by the GC
    as the decoder tracks what it makes (only when a value it holds can hold references)."""
    cdef PyObject* raw = ddl_alloc_untracked(p.cls)
    cdef PyObject* v
    cdef PyObject* value
    cdef CopySlot* s
    cdef Py_ssize_t j
    cdef bint cyclic = not p.untrack
    if raw == NULL:
        raise MemoryError()
    obj = _owned(raw)  # released, with what is filled in, if anything fails
    if p.tracked_first:
        ddl_gc_tenure(raw)  # before what it holds, as the binary decoder links it (decode.pxi)
    if src == c.root:
        c.root_copy = raw
    elif shared:
        c.remember(src, raw)
    for j in range(p.ncopy):
        s = &p.copy_slots[j]
        v = ddl_slot(src, s.offset)
        if v == NULL:
            bail()  # a deleted field: the Python engine's AttributeError
        if _kept_scalar(v):
            Py_INCREF_ptr(v)
            ddl_init_slot(raw, s.offset, v)
            continue
        held = <object>v  # owned while it is copied, whatever the original's slot then holds
        value = _copied(v, s.sub, c, budget - 1, 2)
        ddl_init_slot(raw, s.offset, value)
        if Py_TYPE(value) == &PyList_Type or Py_TYPE(value) == &PyDict_Type:
            ddl_gc_tenure_held(value, raw)  # a copy made after what it holds (ProgC.tracked_first)
        if not cyclic and value != v:  # a value kept as it is (an enum member) needs no tracking
            cyclic = ddl_may_cycle(value)
    if cyclic and not ddl_gc_is_tracked(raw):
        ddl_gc_tenure(raw)
    Py_INCREF_ptr(raw)
    return raw


cdef PyObject* _list_copied(PyObject* src, ProgC* sub, _Copier c, int budget, bint shared) except NULL:
    """A new reference to a deep copy of the list ``src``, made from a snapshot of its items
    that only this call holds: items that change meanwhile in ``src`` are not seen. The
    snapshot is taken once the new list is allocated (an allocation can collect, and the
    collection run Python code that changes ``src``; PyList_GetSlice reads ``src`` after it)."""
    cdef Py_ssize_t i, n = PyList_GET_SIZE_ptr(src)
    cdef PyObject* copy = PyList_New_ptr(n)
    cdef PyObject* item
    owner = _owned(copy)
    if PyList_GET_SIZE_ptr(src) != n:
        bail()  # changed while the copy was allocated
    for i in range(n):  # nothing here can run Python code
        item = PyList_GET_ITEM_ptr(src, i)
        Py_INCREF_ptr(item)
        PyList_SET_ITEM_ptr(copy, i, item)
    if shared:
        c.remember(src, copy)
    for i in range(n):
        item = PyList_GET_ITEM_ptr(copy, i)
        if _kept_scalar(item):
            continue
        held = <object>item  # the snapshot's reference and this one: the snapshot's is replaced below
        PyList_SET_ITEM_ptr(copy, i, _copied(item, sub, c, budget - 1, 3))
        Py_DECREF_ptr(item)  # the snapshot's reference, given up with its place
    ddl_gc_tenure(copy)
    Py_INCREF_ptr(copy)
    return copy


cdef PyObject* _dict_copied(PyObject* src, ProgC* sub, _Copier c, int budget, bint shared) except NULL:
    """A new reference to a deep copy of the dict ``src``, made from PyDict_Copy of it (which
    only this call holds), whose values are then replaced by their copies. Its keys must be
    kept as they are: a map's are numbers and strings."""
    cdef PyObject* copy
    cdef PyObject* key
    cdef PyObject* value
    cdef Py_ssize_t pos = 0
    while PyDict_Next_ptr(src, &pos, &key, &value):  # nothing here can run Python code
        if not _kept(key):
            bail()  # a key PyDict_Copy might have to hash or compare, running Python code
    copy = PyDict_Copy_ptr(src)
    owner = _owned(copy)
    if shared:
        c.remember(src, copy)
    pos = 0
    while PyDict_Next_ptr(copy, &pos, &key, &value):
        if _kept_scalar(value):
            continue
        held_key = <object>key
        held = <object>value  # with the dict's and the original's references: 3
        made = _owned(_copied(value, sub, c, budget - 1, 3))
        PyDict_SetItem_ptr(copy, key, <PyObject*>made)  # a value replaced: the keys stay as they are
    ddl_gc_tenure_tracked(copy)
    Py_INCREF_ptr(copy)
    return copy


cdef PyObject* _tuple_copied(PyObject* src, ProgC* sub, _Copier c, int budget) except NULL:
    """A new reference to a deep copy of the tuple ``src``: ``src`` itself when it holds only
    values kept as they are (as copy.deepcopy gives it back)."""
    cdef Py_ssize_t i, n = PyTuple_GET_SIZE_ptr(src)
    cdef PyObject* item
    for i in range(n):
        if not _kept(PyTuple_GET_ITEM_ptr(src, i)):
            break
    else:
        Py_INCREF_ptr(src)
        return src
    copy = _owned(PyTuple_New_ptr(n))
    for i in range(n):
        item = PyTuple_GET_ITEM_ptr(src, i)
        held = <object>item  # with the tuple's reference: 2, as the memo's test counts them
        PyTuple_SET_ITEM_ptr(<PyObject*>copy, i, _copied(item, sub, c, budget - 1, 2))
    Py_INCREF_ptr(<PyObject*>copy)
    return <PyObject*>copy


cdef PyObject* _set_copied(PyObject* src) except NULL:
    """A new reference to a copy of the set or frozenset ``src``, whose items must be kept as
    they are (a frozenset is then ``src`` itself)."""
    for item in <object>src:
        if not _kept(<PyObject*>item):
            bail()
    if Py_TYPE(src) == &PyFrozenSet_Type:
        Py_INCREF_ptr(src)
        return src
    return PySet_New_ptr(src)


cdef object _shallow(ProgC* p, PyObject* src):
    """A new instance of ``p``'s class holding the values ``src`` holds."""
    cdef PyObject* raw = ddl_alloc_untracked(p.cls)
    cdef PyObject* v
    cdef Py_ssize_t j
    cdef bint cyclic = not p.untrack
    if raw == NULL:
        raise MemoryError()
    obj = _owned(raw)
    for j in range(p.ncopy):
        v = ddl_slot(src, p.copy_slots[j].offset)
        if v == NULL:
            bail()
        Py_INCREF_ptr(v)
        ddl_init_slot(raw, p.copy_slots[j].offset, v)
        if not cyclic and not _kept(v):
            cyclic = ddl_may_cycle(v)
    if cyclic:
        ddl_gc_tenure(raw)
    return obj


cdef object _python_copy = None
cdef object _python_deepcopy = None


def install_copies(python_copy, python_deepcopy):
    """Give the copy entry points the Python engine's methods they leave the other calls to."""
    global _python_copy, _python_deepcopy
    _python_copy = python_copy
    _python_deepcopy = python_deepcopy


# ddl.Message's __copy__ and __deepcopy__ when this engine is built: Cython function objects,
# which bind as methods, so that copy.copy and copy.deepcopy call C at once.
def message_copy(self):
    """A new message of the same class holding the same values (its fields and unknown fields):
    what ``copy.copy(msg)`` gives."""
    if _entries_compiled:
        program = _program_for(type(self))
        if program is not None:
            try:
                return _shallow(&(<Program>program).c, <PyObject*>self)
            except Exception:
                pass  # a deleted field: the Python engine's AttributeError
    return _python_copy(self)


def message_deepcopy(self, memo):
    """A deep copy of the message, which shares with it only what cannot change: what
    ``copy.deepcopy(msg)`` gives, with its ``memo``."""
    cdef _Copier c
    if _entries_compiled and type(memo) is dict:
        program = _program_for(type(self))
        if program is not None:
            c = _Copier.__new__(_Copier)
            c.root = <PyObject*>self
            c.memo = memo
            try:
                copy = _owned(_message_copied(&(<Program>program).c, <PyObject*>self, c, C_DEPTH_LIMIT, False))
            except Exception:
                pass  # the Python engine decides (see the top of this file)
            else:
                c.commit()
                return copy
    return _python_deepcopy(self, memo)
