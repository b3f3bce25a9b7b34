# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The compiled engine: each class's plan runs as a program of field operations in C loops.

It takes the happy path only. Whenever it meets something it does not handle, or anything
wrong (a bad type, a number out of range, a truncated field, a repeated occurrence to merge
that ``_cy/decode_rejoin.pxi`` does not join), it raises ``Bail``, and the caller runs the same
call on the pure-Python engine, the reference.
So both engines give the same bytes, the same values and the same errors, by construction.
Values that Python helpers write (the bodies of well-known types, the wrapper messages of the
nested-container conventions, Decimal and UUID conversions) are the only calls back to Python.

The parts: ``_cy/capi.pxi`` (the C API with borrowed pointers, and the C helpers of
``_cy/*.h``), ``_cy/program.pxi`` (plans as C structs), ``_cy/encode.pxi`` and ``_cy/decode.pxi``
(the loops; ``_cy/decode_rejoin.pxi``, a message field given twice), ``_cy/wkt_times.pxi``
(Timestamp and Duration), ``_cy/converted.pxi`` (UUID and Decimal), ``_cy/wkt_values.pxi``
(Value and Struct), ``_cy/json_write.pxi`` (the text of ``ddl.to_json``, whose Python path is
``ddl._json``), ``_cy/json_read.pxi`` (JSON text to messages, for ``ddl.from_json``),
``_cy/json_any.pxi`` (google.protobuf.Any in both), ``_cy/json_dict.pxi`` (``ddl.to_dict``),
``_cy/json_dict_read.pxi`` (``ddl.from_dict``), ``_cy/json_indent.pxi`` (an indented text); the
entry points are below, and ``_speedups.pyi`` gives their types.
"""

cimport cython
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_GET_SIZE
from cpython.long cimport (
    PyLong_AsLongAndOverflow, PyLong_AsUnsignedLongLong, PyLong_AsUnsignedLongLongMask, PyLong_CheckExact,
)

from ._schema import (
    ConvertedNode, EnumNode, MapNode, MessageNode, RepeatedNode, ScalarNode, UnionNode, WellKnownNode, WrapperNode,
)
from ._schema import Kind as PlanKind
from ._binding import Binding
from ._limits import DEFAULT_MAX_DEPTH

# The C loops recurse once per nesting level. Past this depth they bail, whatever max_depth
# allows, so that a deep or cyclic object graph can never exhaust the C stack; the reference
# engine then applies max_depth itself.
cdef enum:
    C_DEPTH_LIMIT = 1000

# Large decodes pause the cyclic GC, as the reference engine does, through the same shared
# count (see ddl/_gcpause.py).
from ._gcpause import GC_PAUSE_BYTES as _GC_PAUSE_BYTES, pause as _gc_pause, resume as _gc_resume
cdef Py_ssize_t GC_PAUSE_BYTES = _GC_PAUSE_BYTES

include "_cy/capi.pxi"
include "_cy/program.pxi"
include "_cy/encode_out.pxi"
include "_cy/encode.pxi"
include "_cy/encode_packed.pxi"
include "_cy/wkt_times.pxi"
include "_cy/converted.pxi"
include "_cy/wkt_values.pxi"
include "_cy/decode.pxi"
include "_cy/decode_containers.pxi"
include "_cy/json_write.pxi"
include "_cy/json_read_values.pxi"
include "_cy/json_read.pxi"
include "_cy/json_natives.pxi"
include "_cy/json_wkt.pxi"
include "_cy/json_any.pxi"
include "_cy/json_dict.pxi"
include "_cy/json_dict_read.pxi"
include "_cy/json_indent.pxi"
include "_cy/required.pxi"
# A rare path, last: included beside the decode loops, it moved where gcc put the packed-int
# encode loop, and a run of ints took 40% longer (benches/README.md, 2026-12-01 (7)).
include "_cy/decode_rejoin.pxi"
# copy.copy and copy.deepcopy of messages: after the loops, for the same reason.
include "_cy/copy.pxi"


# The encoder's buffer sizes (encode.pxi), for the tests that write around them.
ENCODE_STACK_BYTES = ENCODE_STACK
HELD_RUN_BYTES = HOLD_MIN
HELD_RUNS = HOLD_MAX


def encode_program(Program p, object obj, int budget, bint det=False):
    """The bytes of ``obj``; raises Bail for anything the reference engine must decide."""
    return _encode_bytes(&p.c, obj, budget, det)


def decode_program(Program p, bytes data, int budget):
    """The message in ``data``; raises Bail for anything the reference engine must decide."""
    try:
        return _decode_bytes(&p.c, data, budget)
    except Rejoin:
        return _decode_rejoined(&p.c, data, budget)


def frees(cls):
    """Whether this engine's own dealloc frees instances of the class ``cls`` (see
    ddl_message_dealloc)."""
    return isinstance(cls, type) and ddl_dealloc_adopted(<PyTypeObject*><PyObject*>cls)


def lifetimes_unheard():
    """Whether this engine now starts and ends the objects it makes without telling CPython's
    reference tracer (see ddl_lifetimes_unheard): never while one is set."""
    return ddl_lifetimes_unheard()


def aliased_copies_backward(on=None):
    """Whether a long copy whose destination lies 1 to 31 bytes past its source modulo 4 KB runs
    backward (see ddl_copy_apart): true on CPUs of AMD's design that report ERMS, where memcpy's
    `rep movsb` stalls there. Given a bool, set it (the tests check both paths on any machine);
    the setting before is returned."""
    global ddl_copy_backward_aliased
    cdef bint before = ddl_copy_backward_aliased
    if on is not None:
        ddl_copy_backward_aliased = bool(on)
    return before


def setattr_wrappers(cls):
    """The ``__setattr__`` and ``__delattr__`` that ddl.Message's metaclass gives each class
    taking assignments: slot wrappers of ddl_message_setattro, which tracks a message the
    decoder left untracked again when a value that can hold references comes in."""
    if not isinstance(cls, type):
        raise TypeError("setattr_wrappers takes a class")
    t = <PyTypeObject*><PyObject*>cls
    return (ddl_setattr_wrapper(t, "__setattr__", <void*>ddl_message_setattro),
            ddl_setattr_wrapper(t, "__delattr__", <void*>ddl_message_setattro))


def slot_filler(cls, tuple names, bint frozen):
    """What the generated ``__init__`` of message class ``cls`` calls to store its fields: one
    C call, ``filler(self, *values)``, writing the slots ``names`` in that order (see
    ddl_init.h)."""
    cdef Py_ssize_t n = len(names), i
    cdef Py_ssize_t* offsets = <Py_ssize_t*>PyMem_Malloc(max(n, 1) * sizeof(Py_ssize_t))
    if offsets == NULL:
        raise MemoryError()
    try:
        for i in range(n):
            offsets[i] = _slot_offset(cls, names[i])
        return ddl_filler_new(<PyTypeObject*><PyObject*>cls, names, frozen, offsets)
    finally:
        PyMem_Free(offsets)


# -- entry points --------------------------------------------------------------------------------
# ddl.encode, ddl.decode, ddl.Encoder and ddl.Decoder themselves, when this engine is built: a
# call goes to C at once, and only a class it does not compile, or a bail, goes to the
# reference functions. Their docstrings come from those of ddl/_api.py: the functions and
# methods take them (and their names and annotations) at import, in ddl/_api.py; the classes,
# whose docstrings cannot be set, repeat them, and the tests check that they are the same.

cdef object _reference_encode = None
cdef object _reference_decode = None
cdef object _program_of = None
cdef object _check_class = None
cdef object _check_depth = None
cdef object _check_required = None


def install(reference_encode, reference_decode, program_of, check_class, check_depth, check_required):
    global _reference_encode, _reference_decode, _program_of, _check_class, _check_depth, _check_required
    _check_depth = check_depth
    _check_required = check_required
    _reference_encode = reference_encode
    _reference_decode = reference_decode
    _program_of = program_of
    _check_class = check_class


cdef object _BINDING_ATTR = "__ddl__"
# Where a Binding keeps its Program: read in place, as the loops read message slots.
cdef Py_ssize_t _PROGRAM_OFFSET = _slot_offset(Binding, "program")


# The Program used last: calls in a row for one class skip even the dict lookup below. Only
# code holding the GIL reads or replaces it.
cdef Program _last = None


cdef inline object _program_for(object cls):
    """The Program of ``cls``, or None when it runs on the Python engine. It is read from the
    Binding in the class's own __dict__ (see ddl._binding), found without walking the MRO."""
    global _last
    if _last is not None and <PyObject*>_last.c.cls == <PyObject*>cls:
        return _last
    cdef PyObject* binding = ddl_class_attr(<PyObject*>cls, <PyObject*>_BINDING_ATTR)
    if binding == NULL or Py_TYPE(binding) != <PyTypeObject*>Binding:
        return None  # not a message class: the reference engine says so
    cdef PyObject* found = ddl_slot(binding, _PROGRAM_OFFSET)
    if found == NULL or Py_TYPE(found) != <PyTypeObject*>Program:
        # Not decided yet, the class runs on Python code, or something else was put there:
        # only a Program this engine built is ever run, and program_of decides the rest.
        program = _program_of(cls)
        return program if type(program) is Program else None
    _last = <Program>found
    return _last


cdef inline object _encode_any(object msg, bint det, int max_depth):
    program = _program_for(type(msg))
    if program is not None:
        try:
            return _encode_bytes(&(<Program>program).c, msg, max_depth, det)
        except Exception:
            pass
    return _reference_encode(False, msg, det, max_depth)


cdef inline object _decode_any(object data, object cls, object program, int max_depth):
    if type(data) is not bytes and isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if type(data) is bytes and program is not None:
        try:
            value = _decode_bytes(&(<Program>program).c, data, max_depth)
        except Rejoin:
            value = _rejoined_or_none(&(<Program>program).c, data, max_depth)
        except Exception:
            value = None
        if value is not None:
            # proto2's required fields, once all is read (see required.pxi)
            if (<Program>program).c.check_required and not _complete(&(<Program>program).c, <PyObject*>value, C_DEPTH_LIMIT):
                _check_required(value, len(<bytes>data))
            return value
    return _reference_decode(False, data, cls, max_depth)


cdef object _rejoined_or_none(ProgC* p, bytes data, int max_depth):
    """_decode_rejoined's message, or None where it bails (the reference engine decides)."""
    try:
        return _decode_rejoined(p, data, max_depth)
    except Exception:
        return None


cdef inline int _depth(object max_depth) except? -1:
    """``max_depth`` as a C int. Anything but an int in C int range goes to the Python engine's
    check, so both engines raise the same TypeError or OverflowError (a float is never truncated)."""
    cdef int overflow = 0
    cdef long v
    if PyLong_CheckExact(max_depth):
        v = PyLong_AsLongAndOverflow(max_depth, &overflow)
        if not overflow and -2147483648 <= v <= 2147483647:
            return <int>v
    _check_depth(max_depth)
    return <int>max_depth  # an int subclass (a bool, an IntEnum) within range


# ddl.encode and ddl.decode, called once per message, are plain C functions (no binding), which
# the interpreter calls straight: 10 ns a call less than through a Cython function object. Their
# docstrings open with the signature (for inspect.signature and help) and repeat the Python
# engine's, which tests/test_compiled_api.py compares; ddl._api gives them their module.
@cython.binding(False)
def encode(msg, *, bint deterministic=False, object max_depth=DEFAULT_MAX_DEPTH):
    """encode(msg, *, deterministic=False, max_depth=100)
--

Encode a message to protobuf bytes.

    ``deterministic=True`` also sorts map keys (and set elements), so equal messages give equal
    bytes. Nesting deeper than ``max_depth`` (a cycle, say) raises ``EncodeError``.

    Example::

        data = ddl.encode(User(id=1, name="Ada"))
    """
    return _encode_any(msg, deterministic, _depth(max_depth))


@cython.binding(False)
def decode(data, cls, *, object max_depth=DEFAULT_MAX_DEPTH):
    """decode(data, cls, *, max_depth=100)
--

Decode protobuf bytes into an instance of ``cls``.

    Fields absent from the data take their zero value; unknown fields are kept and written back
    by ``encode``. Invalid data raises ``DecodeError`` with the field path and the byte offset.

    Example::

        user = ddl.decode(data, User)
    """
    return _decode_any(data, cls, _program_for(cls), _depth(max_depth))


def json_read(data, cls, bint ignore_unknown_fields=False, registry=None):
    """The message of class ``cls`` in the JSON text ``data`` (a str or bytes), or None for
    anything the Python reader must decide (ddl.from_json then runs it on the whole call)."""
    return _json_read_any(data, cls, ignore_unknown_fields, registry)


cdef object _json_read_any(object data, object cls, bint ignore, object registry):
    """json_read, called by ddl.from_json's entry point without a lookup of the name."""
    try:
        program = _program_for(cls)
    except Exception:
        return None
    return _json_read_program(data, program, ignore, registry)


cdef object _json_read_program(object data, object program, bint ignore, object registry):
    """_json_read_any with the class's Program found already (None: the Python reader's). A
    registry that is not a dict is the Python reader's to look into: an Any bails without it."""
    if program is None:
        return None
    try:
        msg = _json_read(&(<Program>program).c, data, ignore, registry if type(registry) is dict else None)
        return _json_complete(&(<Program>program).c, msg)
    except Exception:
        return None


cdef object _json_complete(ProgC* p, object msg):
    """``msg`` (None or a message the compiled reader read), checked for proto2's required
    fields once all is read: a message that lacks one raises, and is read again by the Python
    reader, whose error (with no byte offset) is the verdict."""
    if msg is not None and p.check_required and not _complete(p, <PyObject*>msg, C_DEPTH_LIMIT):
        _check_required(msg, 0)
    return msg


cdef object _python_to_json = None
cdef object _python_from_json = None
cdef object _python_to_dict = None
cdef object _python_from_dict = None
# Whether the entry points called straight into C (the JSON functions, and copy.copy and
# copy.deepcopy of a message: copy.pxi) run this engine (ddl._compiled.state.compiled, which
# sets it): a C variable, read at each call without a lookup.
cdef bint _entries_compiled = True


def install_json(python_to_json, python_from_json, python_any_text, any_own_forms, python_to_dict, python_from_dict,
                 python_message_value, python_json_value, python_json_object):
    """Give the JSON entry points the Python paths they leave the other calls to (ddl/_json's
    ``_write_text``, ``_read_text``, ``to_dict`` and ``from_dict``), json_any.pxi the Python
    path's text of one Any (``_any_text``) and the type names it leaves to it, and json_dict.pxi
    the Python path's values it leaves to it: a well-known message's (``_message_value``),
    typing.Any's and dict[str, Any]'s (``json_value``, ``json_object``)."""
    global _python_to_json, _python_from_json, _python_any_text, _ANY_OWN_FORMS, _python_to_dict, _python_from_dict
    global _python_message_value, _python_json_value, _python_json_object
    _python_to_json = python_to_json
    _python_from_json = python_from_json
    _python_any_text = python_any_text
    _ANY_OWN_FORMS = frozenset(any_own_forms)
    _python_to_dict = python_to_dict
    _python_from_dict = python_from_dict
    _python_message_value = python_message_value
    _python_json_value = python_json_value
    _python_json_object = python_json_object


def use_compiled_entries(bint on):
    """Make the JSON and copy entry points run this engine, or only the Python paths (the tests'
    switch, through ddl._compiled.state)."""
    global _entries_compiled
    _entries_compiled = on


def to_json_entry(msg, *, indent=None, separators=None, sort_keys=False, ensure_ascii=False,
                  preserving_proto_field_name=False, always_print_fields_with_no_presence=False,
                  use_integers_for_enums=False, registry=None):
    return _to_json_any(msg, indent, separators, sort_keys, ensure_ascii, preserving_proto_field_name,
                        always_print_fields_with_no_presence, use_integers_for_enums, registry)


cdef int _separated(object indent, object separators) except? -2:
    """How the compiled writer lays out a text with these ``separators``: 0 as json.dumps's
    default (", ", ": " on one line, or laid out with the indent), 1 compact (",", ":" on one
    line), -1 for any other (the Python path's json.dumps takes or refuses them). Only a tuple
    of two exact strs is compared: a subclass of str could compare equal and be written as
    something else."""
    if separators is None:
        return 0
    if indent is not None or type(separators) is not tuple or len(<tuple>separators) != 2:
        return -1
    item, key = <tuple>separators
    if type(item) is not str or type(key) is not str:
        return -1
    if item == ", " and key == ": ":
        return 0
    return 1 if item == "," and key == ":" else -1


cdef object _to_json_any(object msg, object indent, object separators, object sort_keys, object ensure_ascii,
                         object preserving_proto_field_name, object always_print_fields_with_no_presence,
                         object use_integers_for_enums, object registry):
    """ddl.to_json's work, for its entry point and ddl.Encoder's: the compiled writer's text (laid
    out with an int or str indent, or compact), or the Python path's for what the writer leaves
    to it (another indent or separators, sorted keys, escaped text, a registry that is not a
    dict, any bail)."""
    cdef int compact = _separated(indent, separators)
    if (registry is None or type(registry) is dict) and _entries_compiled and not sort_keys and not ensure_ascii \
            and compact >= 0:
        text = _to_json(msg, preserving_proto_field_name, always_print_fields_with_no_presence, use_integers_for_enums,
                        registry, compact)
        if text is not None and indent is not None:
            try:
                text = _json_indented(text, indent)
            except Exception:
                text = None  # a lone surrogate, which has no UTF-8 to lay out: the Python path's
        if text is not None:
            return text
    return _python_to_json(msg, indent, separators, sort_keys, ensure_ascii, preserving_proto_field_name,
                           always_print_fields_with_no_presence, use_integers_for_enums, registry)


def to_dict_entry(msg, *, preserving_proto_field_name=False, always_print_fields_with_no_presence=False,
                  use_integers_for_enums=False, registry=None):
    if _entries_compiled:
        value = _to_dict(msg, preserving_proto_field_name, always_print_fields_with_no_presence, use_integers_for_enums,
                         registry)
        if value is not None:
            return value
    return _python_to_dict(msg, preserving_proto_field_name=preserving_proto_field_name,
                           always_print_fields_with_no_presence=always_print_fields_with_no_presence,
                           use_integers_for_enums=use_integers_for_enums, registry=registry)


def from_dict_entry(obj, cls, *, ignore_unknown_fields=False, registry=None):
    if _entries_compiled:
        msg = _from_dict(obj, cls, ignore_unknown_fields, registry)
        if msg is not None:
            return msg
    return _python_from_dict(obj, cls, ignore_unknown_fields=ignore_unknown_fields, registry=registry)


def from_json_entry(data, cls, *, ignore_unknown_fields=False, registry=None):
    if _entries_compiled:
        msg = _json_read_any(data, cls, ignore_unknown_fields, registry)  # its truth, as the Python reader tests it
        if msg is not None:
            return msg
    return _python_from_json(data, cls, ignore_unknown_fields, registry)


# A class docstring that opens with its call signature and a "--" line gives the class a
# __text_signature__, so that inspect.signature and help() show its parameters, as for the
# Python class; __doc__ is the text after it.
cdef class Encoder:
    """Encoder(*, deterministic=False, max_depth=100)
--

A reusable encoder with fixed options.

    Example::

        enc = ddl.Encoder(deterministic=True)
        data = enc.encode(user)
    """

    cdef readonly bint deterministic
    cdef readonly int max_depth

    def __init__(self, *, bint deterministic=False, object max_depth=DEFAULT_MAX_DEPTH):
        self.deterministic = deterministic
        self.max_depth = _depth(max_depth)

    # The two calls a service makes per message are plain C methods taking one argument
    # (METH_O), which the interpreter calls straight, where a Cython function object (binding)
    # and its keyword parsing cost 12 ns a call; their docstrings, like the classes', open with
    # the signature and repeat the Python engine's (tests/test_compiled_api.py compares them).
    @cython.binding(False)
    @cython.always_allow_keywords(False)
    def encode(self, msg):
        """encode($self, msg, /)
--

Encode ``msg`` with this encoder's options (see ``ddl.encode``).

        Example::

            data = ddl.Encoder(deterministic=True).encode(user)
        """
        return _encode_any(msg, self.deterministic, self.max_depth)

    def to_json(self, msg, *, indent=None, separators=None, sort_keys=False, ensure_ascii=False,
                preserving_proto_field_name=False, always_print_fields_with_no_presence=False,
                use_integers_for_enums=False, registry=None):
        return _to_json_any(msg, indent, separators, sort_keys, ensure_ascii, preserving_proto_field_name,
                            always_print_fields_with_no_presence, use_integers_for_enums, registry)


cdef class Decoder:
    """Decoder(type, *, max_depth=100)
--

A decoder for one message class, compiled when it is created.

    Example::

        dec = ddl.Decoder(User)
        user = dec.decode(data)
    """

    cdef readonly object type
    cdef readonly int max_depth
    cdef object program

    def __init__(self, type, *, object max_depth=DEFAULT_MAX_DEPTH):
        _check_class(type)
        self.type = type
        self.max_depth = _depth(max_depth)
        self.program = _program_for(type)

    @cython.binding(False)
    @cython.always_allow_keywords(False)
    def decode(self, data):
        """decode($self, data, /)
--

Decode ``data`` into an instance of this decoder's class (see ``ddl.decode``).

        Example::

            user = ddl.Decoder(User).decode(data)
        """
        return _decode_any(data, self.type, self.program, self.max_depth)

    def from_json(self, data, *, ignore_unknown_fields=False, registry=None):
        if _entries_compiled:
            msg = _json_read_program(data, self.program, ignore_unknown_fields, registry)
            if msg is not None:
                return msg
        return _python_from_json(data, self.type, ignore_unknown_fields, registry)

    def __class_getitem__(cls, item):
        import types
        return types.GenericAlias(cls, item)


# -- ddl.which_oneof and ddl.oneof_item --------------------------------------------------------
# Read once per message of a oneof (an OTLP attribute, a feature value), so their cost is a share
# of any read of such data. The slots of a group's members are read in place; each class's member
# names and slot offsets are made once, kept on its Binding.

cdef object _which_reference = None
cdef object _item_reference = None
cdef object _member_names = None
cdef Py_ssize_t _ONEOF_OFFSET = _slot_offset(Binding, "oneof_slots")
cdef Py_ssize_t _BINDING_CLS_OFFSET = _slot_offset(Binding, "cls")


def install_which_oneof(which_reference, item_reference, member_names):
    """Give ``which_oneof`` and ``oneof_item`` the Python functions they leave the unusual calls
    to, and the one that lists each oneof group's member names of a class (all three
    ddl/_oneof.py's)."""
    global _which_reference, _item_reference, _member_names
    _which_reference = which_reference
    _item_reference = item_reference
    _member_names = member_names


cdef class _Group:
    """A oneof group's member names and their slot offsets, in declaration order."""

    cdef tuple names
    cdef Py_ssize_t* offsets

    def __dealloc__(self):
        PyMem_Free(self.offsets)


cdef dict _oneof_slots(object cls):
    """Each oneof group of ``cls`` (a message class) as a _Group."""
    cdef _Group g
    cdef Py_ssize_t i
    slots = {}
    for group, names in _member_names(cls).items():
        g = _Group.__new__(_Group)
        g.names = tuple(names)
        g.offsets = <Py_ssize_t*>PyMem_Malloc(max(1, len(g.names)) * sizeof(Py_ssize_t))
        if g.offsets == NULL:
            raise MemoryError()
        for i in range(len(g.names)):
            g.offsets[i] = _slot_offset(cls, g.names[i])
        slots[group] = g
    return slots


# The last class and group name asked, and that group's _Group, as one tuple: a loop reading one
# group of one class (a list of oneof messages) then finds it by two pointer comparisons, where
# the class's binding and its groups' dict are two dict lookups. The tuple holds the class, so its
# address cannot be reused by another class meanwhile, and it is replaced whole, so that freeing
# the one before (which can run Python code, and so another call) never leaves a class beside
# another class's offsets.
cdef tuple _which_last = (None, None, None)


cdef _Group _group_of(object msg, object group):
    """The _Group of ``msg``'s oneof group ``group``, or None for a call to leave to the Python
    functions: ``msg`` not a message, ``group`` not a str or not one of its class's groups."""
    global _which_last
    cdef object cls = type(msg)
    cdef tuple last = _which_last
    cdef PyObject* found
    cdef _Group g
    if (<PyObject*>cls == PyTuple_GET_ITEM_ptr(<PyObject*>last, 0)
            and <PyObject*>group == PyTuple_GET_ITEM_ptr(<PyObject*>last, 1)):
        return <_Group>PyTuple_GET_ITEM_ptr(<PyObject*>last, 2)
    found = ddl_class_attr(<PyObject*>cls, <PyObject*>_BINDING_ATTR)
    if found == NULL or Py_TYPE(found) != <PyTypeObject*>Binding or type(group) is not str:
        return None  # not a message, or a group name to refuse
    binding = <object>found  # owned: building the slots below runs Python code
    if ddl_slot(found, _BINDING_CLS_OFFSET) != <PyObject*>cls:
        return None  # another class's Binding: its offsets are not ours
    found = ddl_slot(found, _ONEOF_OFFSET)
    if found == NULL or Py_TYPE(found) != <PyTypeObject*>dict:
        slots = _oneof_slots(cls)
        binding.oneof_slots = slots
    else:
        slots = <object>found
    # Exact str keys: the lookup compares strings and runs no Python code.
    found = PyDict_GetItem_ptr(<PyObject*>slots, <PyObject*>group)
    if found == NULL or Py_TYPE(found) != <PyTypeObject*>_Group:
        return None  # no such group: the Python function's error names the groups
    g = <_Group>found
    _which_last = (cls, group, g)
    return g


cdef enum:
    _NONE_SET = -1  # _member_set's answers that are no member's index
    _DELETED = -2


cdef inline Py_ssize_t _member_set(object msg, _Group g):
    """The index of the first member of ``g`` that ``msg`` holds (not None), _NONE_SET when it
    holds none, _DELETED when a member's slot is empty (deleted with del). Runs no Python code."""
    cdef PyObject* value
    cdef Py_ssize_t i
    for i in range(len(g.names)):
        value = ddl_slot(<PyObject*>msg, g.offsets[i])
        if value == NULL:
            return _DELETED
        if value != <PyObject*>None:
            return i
    return _NONE_SET


# Both are plain C functions, as ddl.encode and ddl.decode are (see there): called once per
# oneof message read, the Cython function object's 10 ns a call is a share of the read.
@cython.binding(False)
def which_oneof(msg, group):
    """which_oneof(msg, group)
--

The name of the member of oneof group ``group`` that ``msg`` holds, or None.

    A member is set when it is not None. Should several be set (which ``ddl.encode`` refuses),
    the first declared is named. A ``group`` the class does not have is a ``ValueError``, and
    ``msg`` that is not a ddl message a ``TypeError``.

    Example::

        class Customer(ddl.Message):
            name: str | None = ddl.field(oneof="id", default=None)
            uuid: str | None = ddl.field(oneof="id", default=None)

        assert ddl.which_oneof(Customer(uuid="9f3c"), "id") == "uuid"
        assert ddl.which_oneof(Customer(), "id") is None
    """
    cdef _Group g = _group_of(msg, group)
    cdef Py_ssize_t i
    if g is None:
        return _which_reference(msg, group)
    i = _member_set(msg, g)
    if i == _DELETED:
        return _which_reference(msg, group)  # a member deleted with del: its error
    return None if i == _NONE_SET else g.names[i]


@cython.binding(False)
def oneof_item(msg, group):
    """oneof_item(msg, group)
--

The member of oneof group ``group`` that ``msg`` holds, as a ``(name, value)`` pair (as a
    dict's items are), or None when no member is set.

    One call where ``which_oneof`` and ``getattr`` would be two, and a pair that ``match``
    takes apart. The member is the one ``which_oneof`` names, and it raises as ``which_oneof``
    does.

    Example::

        class Customer(ddl.Message):
            name: str | None = ddl.field(oneof="id", default=None)
            number: int | None = ddl.field(oneof="id", default=None)

        match ddl.oneof_item(Customer(number=7), "id"):
            case ("name", name):
                key = name
            case ("number", number):
                key = f"#{number}"
            case None:
                key = "anonymous"
        assert key == "#7"
    """
    cdef _Group g = _group_of(msg, group)
    cdef Py_ssize_t i
    if g is None:
        return _item_reference(msg, group)
    i = _member_set(msg, g)
    if i == _DELETED:
        return _item_reference(msg, group)  # a member deleted with del: its error
    if i == _NONE_SET:
        return None
    # Owned before the pair is made: making it may collect, and a finalizer could reassign the
    # slot meanwhile.
    member = <object>ddl_slot(<PyObject*>msg, g.offsets[i])
    return (g.names[i], member)


import sys as _sys

if _sys.byteorder != "little":
    raise ImportError("ddl's compiled engine assumes a little-endian host; the pure-Python engine runs instead")