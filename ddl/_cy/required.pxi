# proto2's required fields after a compiled read (binary or JSON) of a class whose plan reaches
# them (ProgC.check_required). ddl._proto2.check_required walks the decoded graph field by field
# in Python, which cost a proto2 message more than its whole decode; here the same walk runs over
# the ops, and the Python one runs only when it says no: a required field is missing (the Python
# walk then raises its error, with the field's path), or the walk cannot tell (a wrapper message
# that holds such messages, a container of another type, nesting beyond the budget).
#
# Safety: the graph was just made by the reader and no Python code has seen it yet; the walk
# calls none (no hash, no comparison), so the borrowed slots, items and values it reads stay put.


cdef bint _reaches_required(Op* op) noexcept:
    """Whether a value of ``op`` may hold a message whose class has required fields."""
    cdef Py_ssize_t k
    if op.kind == K_MESSAGE:
        return op.sub != NULL and op.sub.check_required
    if op.kind == K_MAP:
        return _reaches_required(op.value)
    for k in range(op.ninner if op.inner != NULL else 0):
        if _reaches_required(&op.inner[k]):
            return True
    return False


cdef bint _items_complete(ProgC* sub, PyObject* items, int budget) noexcept:
    """Whether every message in ``items`` (a list or tuple of ``sub``'s instances) is complete."""
    cdef Py_ssize_t i
    if Py_TYPE(items) == <PyTypeObject*>list:
        for i in range(Py_SIZE_ptr(items)):
            if not _complete(sub, PyList_GET_ITEM_ptr(items, i), budget):
                return False
        return True
    if Py_TYPE(items) == <PyTypeObject*>tuple:
        for i in range(Py_SIZE_ptr(items)):
            if not _complete(sub, PyTuple_GET_ITEM_ptr(items, i), budget):
                return False
        return True
    return False


cdef bint _complete(ProgC* p, PyObject* msg, int budget) noexcept:
    """Whether ``msg`` (an instance of ``p``'s class, just read) and every message it holds have
    their required fields, as ddl._proto2.check_required finds them: False when one lacks one or
    when this walk cannot tell."""
    cdef Py_ssize_t k, pos
    cdef Op* op
    cdef PyObject* value
    cdef PyObject* key
    cdef PyObject* item
    if budget < 0 or Py_TYPE(msg) != p.cls:
        return False
    for k in range(p.nops):
        op = &p.ops[k]
        value = ddl_slot(msg, op.offset)
        if value == NULL or (op.required and value == <PyObject*>None):
            return False
        if value == <PyObject*>None or not _reaches_required(op):
            continue
        if op.kind == K_MAP:
            if Py_TYPE(value) != <PyTypeObject*>dict:
                return False
            if op.value.kind != K_MESSAGE:
                if PyDict_GET_SIZE_ptr(value):
                    return False  # wrapper messages as values, which may hold such messages
                continue
            pos = 0
            while PyDict_Next_ptr(value, &pos, &key, &item):
                if not _complete(op.value.sub, item, budget - 1):
                    return False
        elif op.repeated and op.kind == K_MESSAGE:
            if not _items_complete(op.sub, value, budget - 1):
                return False
        elif op.repeated and (Py_TYPE(value) == <PyTypeObject*>list or Py_TYPE(value) == <PyTypeObject*>tuple):
            if Py_SIZE_ptr(value):
                return False  # wrapper messages that may hold such messages: the Python walk's
        elif op.kind != K_MESSAGE:
            return False  # a wrapper message, or a container of another type
        elif op.member < 0 or Py_TYPE(value) == op.sub.cls:  # a union's slot may hold another member
            if not _complete(op.sub, value, budget - 1):
                return False
    return True
