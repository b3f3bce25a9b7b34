# A class's plan as C structs: one Op per (field, number), sorted by number, and a table from
# wire tags to ops. Programs own the Python objects their ops point at (``keep``).

from cpython.mem cimport PyMem_Calloc, PyMem_Free
from array import array as _ARRAY

cdef object _FROMBYTES = _ARRAY.frombytes

cdef enum Kind:
    # The plan's scalar kinds (ddl._schema.Kind) with the same values, checked at import
    # (_check_kinds): the loops test a wire type by range, so varints end with K_ENUM, 4-byte
    # kinds with K_FLOAT and 8-byte kinds with K_DOUBLE. Then the kinds of the C ops alone.
    K_INT64 = 0, K_INT32 = 1, K_UINT32 = 2, K_UINT64 = 3, K_SINT32 = 4, K_SINT64 = 5, K_BOOL = 6,
    K_ENUM = 7,
    K_FIXED32 = 8, K_SFIXED32 = 9, K_FLOAT = 10,
    K_FIXED64 = 11, K_SFIXED64 = 12, K_DOUBLE = 13,
    K_STRING = 14, K_BYTES = 15,
    K_MESSAGE, K_MAP,
    K_CONVERTED,   # a Python value written as a string or bytes through two conversions
    K_HELPER       # a message-like value (Timestamp, Value, a convention's wrapper) written by Python

cdef enum Fill:
    FILL_VALUE, FILL_LIST, FILL_TUPLE, FILL_SET, FILL_FROZENSET, FILL_DICT, FILL_MESSAGE, FILL_CALL,
    FILL_WRAPPER,   # the helper's decode of an empty body
    FILL_ARRAY      # an array.array of Op.vcode (a ddl.Vector)

cdef enum Native:
    # A value of ddl's own types that the C loops convert themselves (Op.native), from its plan
    # node: all of these in JSON; in binary too, but for the ddl.wkt classes (plain messages
    # there). The other values of K_HELPER and K_CONVERTED go through their Python functions.
    NATIVE_NONE, NATIVE_TIMESTAMP, NATIVE_DURATION, NATIVE_DATE, NATIVE_UUID, NATIVE_DECIMAL,
    NATIVE_VALUE,       # typing.Any (google.protobuf.Value): the JSON value itself
    NATIVE_STRUCT,      # dict[str, Any] (google.protobuf.Struct): a JSON object
    NATIVE_WRAPPER,     # a K_MESSAGE of ddl.wkt.Int32Value...: in JSON, its one field's value
    NATIVE_FIELD_MASK,  # a K_MESSAGE of ddl.wkt.FieldMask: in JSON, its paths as one string
    NATIVE_VALUE_MESSAGE,  # a K_MESSAGE of ddl.wkt.Value: in JSON, the value it holds
    NATIVE_LIST_VALUE,  # a K_MESSAGE of ddl.wkt.ListValue: in JSON, its array
    NATIVE_ANY          # a K_MESSAGE of ddl.wkt.Any: in JSON, the message it packs (json_any.pxi)

cdef enum Skip:
    # When a field without presence is left out on encode (proto3's implicit zero).
    SKIP_NEVER, SKIP_ZERO, SKIP_NONE, SKIP_EMPTY_DICT


def _check_kinds():
    """Fail the import if this build's Kind values are not the plan's."""
    ours = {
        "INT64": K_INT64, "INT32": K_INT32, "UINT32": K_UINT32, "UINT64": K_UINT64, "SINT32": K_SINT32,
        "SINT64": K_SINT64, "BOOL": K_BOOL, "ENUM": K_ENUM, "FIXED32": K_FIXED32, "SFIXED32": K_SFIXED32,
        "FLOAT": K_FLOAT, "FIXED64": K_FIXED64, "SFIXED64": K_SFIXED64, "DOUBLE": K_DOUBLE,
        "STRING": K_STRING, "BYTES": K_BYTES,
    }
    if ours != {k.name: int(k) for k in PlanKind} or K_MESSAGE <= K_BYTES:
        raise ImportError("ddl._speedups was built for another ddl._schema.Kind; rebuild it")


_check_kinds()


cdef enum Enc:
    # The encode loop's case for an op (Op.enc), from its plan: which of a field's facts decide
    # how its slot is written, so that the loop tests one of them, not several in turn.
    ENC_IMPLICIT,   # a scalar without presence: its zero is left out (Op.implicit)
    ENC_OPTIONAL,   # one value, or None for absent (X | None, a oneof group's member): Op.presence
    ENC_MEMBER,     # a member of a union (Op.member): the member whose types hold the value writes it
    ENC_REPEATED,
    ENC_MAP,
    ENC_SINGULAR    # one value, whose None is an error or an omitted well-known value (Op.skip)


cdef struct Op:
    # What the encode loop reads of every op comes first, in one cache line: a message's ops
    # are visited one after the other, and most of them are absent (a oneof's other members).
    Py_ssize_t offset       # of the slot in the instance
    int enc                 # Enc
    int kind
    uint64_t group          # a oneof group member: its group's bit (0 outside groups, see build)
    bint quiet              # writing a value runs no Python code (see seal); 0 until proven
    int taglen
    uint64_t tagword        # the tag's bytes at the high end of a word (see _tag_back)
    ProgC* sub              # K_MESSAGE
    PyObject* zero          # FILL_VALUE: the absent value (an implicit field's zero, left out on encode)
    int base                # K_CONVERTED: K_STRING or K_BYTES
    int number
    uint32_t wiretag        # (number << 3) | wire type
    bint presence           # None means absent (X | None, or a oneof with None)
    bint repeated
    bint packed             # elements may come in packed runs
    bint write_packed       # and are written so (not ddl.field(packed=False))
    int container           # FILL_LIST, FILL_TUPLE, FILL_SET, FILL_FROZENSET, FILL_ARRAY for repeated ops
    PyObject* vcodes        # repeated numbers: their array typecode as a str, for array.array(), or NULL
    int skip                # Skip, for singular fields
    bint implicit           # a singular scalar field without presence: skip == SKIP_ZERO
    int member              # the oneof member index, -1 outside oneofs
    int native              # Native: a value of ddl's own types the C loops convert themselves
    bint closed_enum        # a ddl.ClosedEnum, or a oneof enum member beside an int member: unknown
                            # numbers join the unknown fields on decode (decode.pxi's _closed_miss,
                            # or bail), and any value but a member bails on encode
    bint required           # ddl.field(required=True): None bails on encode
    uint64_t ptagword       # the tag of a packed run, as tagword
    int ptaglen
    char vcode              # and as a char: the typecode of their buffers (RepeatedNode.buffer_code)
    uint64_t etagword       # K_MESSAGE written as a group (delimited): the end-group tag
    int etaglen             # 0 for a length-prefixed message
    int fill                # how the slot is filled when the field is absent
    bint zero_cycles        # FILL_VALUE: the zero can hold references (ddl_may_cycle), so an
                            # instance holding it stays tracked by the GC
    bint atomic             # a value read from the wire holds no reference to track: a number, a
                            # string, bytes or an enum member (a class constant)
    ProgC* fill_sub         # FILL_MESSAGE: an empty instance of this class
    PyObject* enum_map      # int -> member
    PyObject* enum_table    # K_ENUM: the members of numbers 0 to n - 1 (None for a number with
                            # none) as a tuple, n <= ENUM_TABLE_MAX: read without a dict lookup
    PyObject* enum_cls      # K_ENUM: the enum class
    PyObject* select        # oneof: the exact types this member writes (a tuple)
    PyObject* union_types   # oneof: the exact types any member writes (a tuple)
    PyObject* types         # K_HELPER / K_CONVERTED: the accepted types
    PyObject* fn_encode     # K_HELPER: encode(value, out, budget, det); K_CONVERTED: to_wire
    PyObject* fn_decode     # K_HELPER: decode(buf, pos, end, budget); K_CONVERTED: from_wire
    PyObject* fn_zero       # FILL_CALL
    Op* key                 # K_MAP
    Op* value
    Op* inner               # K_HELPER of a WrapperNode (list[list[float]], list[int | None],
                            # dict[str, int | str]...): the ops of its one field, one per wire
                            # number (see _fill_inner); NULL otherwise
    int ninner              # how many: 1, or a union's members
    int32_t str_owed        # K_STRING: how its strings fare in the shared tables (ddl_str_field)
    # JSON (json_write.pxi): the text ddl.to_json writes, made once
    PyObject* jkey          # the field's key and separator, '"jsonName": ', as UTF-8 bytes
    PyObject* jpkey         # the same with the .proto name (preserving_proto_field_name)
    PyObject* jenum         # K_ENUM: {number (an exact int): its name as JSON text (bytes)}, or NULL
                            # when the enum's JSON form is left to Python (NullValue, odd classes)
    PyObject* jenum_table   # and the names of numbers 0 to n - 1 as a tuple, as enum_table
    int jmembers            # a oneof member: the number of members of its union
    # JSON read (json_read.pxi)
    const char* jname       # the JSON name of the field (of this member, in a oneof), UTF-8
    Py_ssize_t jname_len
    const char* pname       # and its .proto name, which JSON readers accept too
    Py_ssize_t pname_len
    PyObject* jenum_names   # K_ENUM: every name a JSON value may have, as UTF-8 bytes (a tuple)
    PyObject* jenum_values  # and what each name reads as (a tuple, in the same order)
    bint jnull              # JSON null is a value of this node (a NullValue), not its absence
    # ddl.to_dict (json_dict.pxi): (the field's JSON name, its .proto name, and for an enum whose
    # jenum is set {number (an exact int): its name}, else None), made once. One pointer: a
    # larger Op made gcc compile the encode loop into more instructions (callgrind: +12% on otlp).
    PyObject* dict_names


cdef struct Absent:
    # What the decoder's pass over a message's fields after its bytes reads of each op, 16 bytes
    # where an Op spans six cache lines: most of an OTLP AnyValue's or a oneof's members are
    # absent, and the pass meets every one of them (decode.pxi's _decode).
    int offset              # Op.offset
    bint atomic             # Op.atomic: a value read needs nothing more
    PyObject* zero          # Op.zero when an absent field takes it as it is and it holds no
                            # reference (FILL_VALUE, not zero_cycles); NULL: _fill_absent decides


# At most this many slots are asked for ahead (ProgC.ahead): the first few of a message's fields
# that hold objects of their own, which is all of them in most messages.
cdef enum:
    AHEAD_MAX = 6


cdef struct CopySlot:
    # A slot that copy.copy and copy.deepcopy of an instance carry over (copy.pxi): each field's
    # once (a union's members share one), then the unknown fields'.
    Py_ssize_t offset
    ProgC* sub              # the class of the messages the field holds (a message field, a list
                            # of them, a map's values) when one op reads the slot; NULL otherwise


cdef struct ProgC:
    PyTypeObject* cls
    Op* ops
    Absent* absent          # one per op, in the same order
    Py_ssize_t nops
    Absent* prefill         # the slots a new instance is made with None in, and
    Py_ssize_t nprefill     # how many (decode.pxi's _decode_tables)
    int* post               # the ops the pass after a message's bytes visits: the others'
    Py_ssize_t npost
    Py_ssize_t ahead[AHEAD_MAX]  # the slots whose values encoding reads on nearly every call (see
    int nahead                   # _ahead): the encoder asks for their objects first
    Op* entries             # map keys and values
    Py_ssize_t unknown_offset
    CopySlot* copy_slots    # the slots a copy carries over (copy.pxi's _copy_tables)
    Py_ssize_t ncopy
    bint untrack            # instances holding no value that can reference others leave the GC
    bint tracked_first      # every instance holds a list, set or dict (a repeated or map field
                            # outside oneofs), so the GC tracks each: the readers link one in
                            # as soon as it is made, before what it holds (decode.pxi's _decode)
    bint quiet              # writing an instance runs no Python code (see seal); 0 until proven
    Py_ssize_t size_hint    # the size of the last encoding: the next one's first buffer
    bint size_steady        # the last two encodings had that size: the next one is written
                            # straight into its bytes object (encode.pxi's _encode_bytes)
    short fast[256]         # tag -> op index, -1 for unknown, -2 - index for a closed enum's field
                            # outside oneofs; larger tags go through ``slow``
    PyObject* slow
    int share               # an empty instance is shared (immutable all the way down): 1, 0, -1 unknown
    bint check_required     # plan.reaches_required: a decoded instance is checked by ddl._proto2
    PyObject* empty         # that instance, made on first use
    bint flat               # every field is a scalar or a run of scalars: an instance makes at most
                            # one object per field that the GC counts (a list), so a large one
                            # is decoded without pausing the GC (numbers never start a collection)
    # JSON (json_write.pxi)
    int* jorder             # the op indices in the order JSON writes fields (plan.fields), a
                            # union's members in a row, in member order
    bint jspecial           # the class has a JSON form of its own (ddl.wkt's, see _json/_write_wkt.py)
    bint jany               # the class is ddl.wkt.Any, whose ops 0 and 1 are type_url and value
                            # (json_any.pxi)
    bint jkept              # its unknown fields may hold a value of one of its fields (kept_tags), which
                            # JSON cannot write: the Python path raises the error
    bint jextended          # an extension was made for the class or a base (ddl._compiled.extended):
                            # its unknown fields may hold one, which JSON writes
    Py_ssize_t jsize_hint   # the length of the last JSON text: the next one's first buffer
    # JSON read (json_read.pxi)
    bint json_bail          # the compiled JSON reader always bails: the class has a hand-written
                            # JSON reader, two fields share a JSON key, or an absent field is filled
                            # by one (see _jr_plan)


class _Plain:
    """A class with CPython's own dealloc for classes, to recognise it."""
    __slots__ = ("x",)


cdef class Program:
    """A message class's plan in the form the C loops run."""

    cdef ProgC c
    cdef list keep

    def __dealloc__(self):
        Py_XDECREF_ptr(self.c.empty)
        PyMem_Free(self.c.ops)
        PyMem_Free(self.c.absent)
        PyMem_Free(self.c.prefill)
        PyMem_Free(self.c.post)
        PyMem_Free(self.c.entries)
        PyMem_Free(self.c.jorder)
        PyMem_Free(self.c.copy_slots)


cdef Py_ssize_t _slot_offset(object cls, str name) except -1:
    """Where the slot ``name`` lives in instances of ``cls``: message classes use __slots__,
    so each field is a pointer at a fixed offset, read and written without attribute lookup."""
    for klass in cls.__mro__:
        descr = klass.__dict__.get(name)
        if descr is not None:
            if type(descr).__name__ != "member_descriptor":
                raise TypeError(f"{cls.__qualname__}.{name} is not a slot")
            return ddl_member_offset(<PyObject*>descr)
    raise TypeError(f"{cls.__qualname__} has no slot {name}")


cdef int _tag_bytes(uint64_t* word, uint64_t tag) noexcept:
    """Encode ``tag`` as a varint into the high bytes of ``word``; return its length."""
    cdef unsigned char out[8]
    cdef int n = 0
    while tag >= 0x80:
        out[n] = <unsigned char>((tag & 0x7F) | 0x80)
        tag >>= 7
        n += 1
    out[n] = <unsigned char>tag
    n += 1
    word[0] = 0
    memcpy((<unsigned char*>word) + 8 - n, out, n)
    return n


cdef PyObject* _own(Program p, object value):
    """A borrowed pointer to ``value``, kept alive by the Program."""
    p.keep.append(value)
    return <PyObject*>value


def build(plan, program_of, register, wrappers):
    """The Program for a plan. It is passed to ``register`` before the Programs of nested
    classes are asked for (``program_of``), so recursive schemas find it. ``wrappers`` holds the
    generated functions of the class's wrapper messages (``Codec.wrappers``)."""
    cdef Program p = Program.__new__(Program)
    cdef Op* op
    cdef Py_ssize_t i, n_entries = 0
    register(p)
    p.keep = [plan.cls]
    p.c.cls = <PyTypeObject*>plan.cls
    p.c.unknown_offset = _slot_offset(plan.cls, "_ddl_unknown")
    p.c.untrack = ddl_untrackable(<PyTypeObject*>plan.cls, plan.frozen)
    p.c.tracked_first = not p.c.untrack  # and below, a field that always holds a container
    # Decided at first use, once every nested Program is built. Only a frozen class's empty
    # instance can be shared: any other takes assignments.
    p.c.share = -1 if plan.frozen and p.c.untrack else 0
    p.c.check_required = plan.reaches_required
    p.c.flat = True  # until a field says otherwise
    ddl_adopt_dealloc(<PyTypeObject*>plan.cls, <PyTypeObject*>_Plain)
    p.c.slow = _own(p, {})
    for i in range(256):
        p.c.fast[i] = -1
    # One bit per oneof group (ddl.field(oneof=...)): the loops bail when a group meets a second
    # member. Past 64 groups bits are shared, which can only bail more often, never wrongly.
    group_bits = {name: 1 << (k % 64) for k, name in enumerate(plan.oneofs)}
    entries = plan.order  # one op per wire number (a oneof has one per member), ascending
    p.c.nops = len(entries)
    p.c.ops = <Op*>PyMem_Calloc(max(1, len(entries)), sizeof(Op))
    p.c.absent = <Absent*>PyMem_Calloc(max(1, len(entries)), sizeof(Absent))
    p.c.entries = <Op*>PyMem_Calloc(max(1, 2 * sum(isinstance(f.node, MapNode) for f in plan.fields)), sizeof(Op))
    if p.c.ops == NULL or p.c.absent == NULL or p.c.entries == NULL:
        raise MemoryError()
    for i, (number, f, member) in enumerate(entries):
        op = &p.c.ops[i]
        op.offset = _slot_offset(plan.cls, f.name)
        _fill_field(p, op, f, number, member, &p.c.entries[n_entries], program_of, wrappers)
        op.group = group_bits.get(f.oneof, 0)
        if op.kind == K_MAP:
            n_entries += 2
        p.c.flat &= op.kind <= K_BYTES
        if not op.group and op.member < 0 and (op.kind == K_MAP or (
                op.repeated and op.container in (FILL_LIST, FILL_SET, FILL_FROZENSET))):
            p.c.tracked_first = True
        tags = [op.wiretag, (number << 3) | 2] if op.packed else [op.wiretag]
        # A closed enum's field outside oneofs is found as -2 - i: the decoder's path for
        # unknown fields looks at its number first (decode.pxi), leaving the others' path as is.
        code = -2 - i if op.closed_enum and op.member < 0 and not op.group else i
        for t in tags:
            if t < 256:
                p.c.fast[t] = code
            else:
                (<dict>p.c.slow)[t] = code
        if _ahead(op) and p.c.nahead < AHEAD_MAX:
            p.c.ahead[p.c.nahead] = op.offset
            p.c.nahead += 1
        p.c.absent[i].offset = op.offset
        p.c.absent[i].atomic = op.atomic
        if op.fill == FILL_VALUE and not op.zero_cycles:
            p.c.absent[i].zero = op.zero
    _decode_tables(&p.c)
    _copy_tables(&p.c)
    _json_fill(p, plan)
    _jr_plan(p, plan)
    return p


cdef bint _ahead(Op* op) noexcept:
    """Whether encoding reads the object in ``op``'s slot nearly every time: a list or a dict, or a
    number, string or bytes without presence (a zero is mostly the op's own, but a set value is an
    object of its own). A oneof's member or an optional value is mostly None, and a bool or an
    enum member is one of a few shared objects, already at hand."""
    if op.enc == ENC_REPEATED or op.enc == ENC_MAP:
        return True
    return op.enc == ENC_IMPLICIT and op.kind != K_BOOL and op.kind != K_ENUM and op.kind <= K_BYTES


# The largest table of an enum's members by number (Op.enum_table): status codes, kinds and
# roles are numbered from 0 up, and a larger or sparse enum keeps to its dict.
cdef enum:
    ENUM_TABLE_MAX = 256


cdef tuple _enum_table(dict by_number):
    """What ``by_number`` holds for the numbers 0 up to its largest one below ENUM_TABLE_MAX,
    None for a number it lacks."""
    cdef int n = 1 + max([k for k in by_number if 0 <= k < ENUM_TABLE_MAX], default=-1)
    return tuple([by_number.get(k) for k in range(n)])


cdef int _fill_field(Program p, Op* op, object f, uint64_t number, int member, Op* kv, object program_of,
                     dict wrappers) except -1:
    """One op of field ``f`` (a FieldPlan): the field's own, or its member ``member``'s in a
    union (-1 outside unions), with the wire tag of ``number``; a map's key and value ops are
    ``kv[0]`` and ``kv[1]``. The op's slot offset and oneof group are the caller's."""
    node = f.node
    op.member = member
    op.presence = f.presence
    op.required = f.required
    if isinstance(node, RepeatedNode):
        _fill_repeated(p, op, node, number, program_of, wrappers)
    elif isinstance(node, MapNode):
        op.kind = K_MAP
        op.key = kv
        op.value = kv + 1
        _fill_op(p, op.key, node.key, 1, program_of, wrappers)
        _fill_op(p, op.value, node.value, 2, program_of, wrappers)
        op.fill = FILL_DICT
        op.enc = ENC_MAP
        op.wiretag = (number << 3) | 2
        op.taglen = _tag_bytes(&op.tagword, op.wiretag)
    elif isinstance(node, UnionNode):
        chosen = node.members[member]
        _fill_op(p, op, chosen, number, program_of, wrappers)
        # Tuples scanned by identity (members hold distinct types): a lookup by hash could
        # run a metaclass's __hash__.
        op.select = _own(p, tuple(chosen.python_types()))
        op.union_types = _own(p, tuple(t for m in node.members for t in m.python_types()))
        if isinstance(chosen, EnumNode) and any(int in m.python_types() for m in node.members):
            op.closed_enum = True
        op.skip = SKIP_NEVER
        op.enc = ENC_MEMBER
        if f.presence:
            op.fill = FILL_VALUE
            op.zero = <PyObject*>None
        elif member != 0:
            _fill_zero(p, op, node.members[0], program_of, wrappers)
    else:
        _fill_op(p, op, node, number, program_of, wrappers)
        if f.presence:
            op.skip = SKIP_NEVER
            op.fill = FILL_VALUE
            op.zero = <PyObject*>None
        op.implicit = op.skip == SKIP_ZERO
        if op.implicit:
            op.enc = ENC_IMPLICIT
        elif f.presence and not f.required:
            op.enc = ENC_OPTIONAL
        else:
            op.enc = ENC_SINGULAR
    op.atomic = not op.repeated and op.kind <= K_BYTES
    op.zero_cycles = op.fill == FILL_VALUE and op.kind != K_ENUM and ddl_may_cycle(op.zero)
    _jr_names(p, op, f, max(member, 0))
    return 0


cdef int _fill_inner(Program p, Op* op, object f, object program_of, dict wrappers) except -1:
    """The ops of a wrapper message's one field ``f`` (a list, a map, an optional value or a
    union of ``list[list[T]]``, ``list[dict[K, V]]``, ``list[T | None]``, ``dict[K, A | B]``...):
    one per wire number, then a map's key and value, in a block the Program keeps (zeroed, never
    resized) as it keeps its own ops. Their slot is offset 0: the executors read and fill a
    local pointer as a message's slot."""
    cdef Py_ssize_t k, n = len(f.numbers)
    cdef Op* inner
    union = isinstance(f.node, UnionNode)
    block = bytearray((n + 2) * sizeof(Op))
    p.keep.append(block)
    inner = <Op*><char*>block
    for k in range(n):
        _fill_field(p, &inner[k], f, f.numbers[k], k if union else -1, &inner[n], program_of, wrappers)
        _json_keys(p, &inner[k], f.json_names[k], f.proto_names[k])
    op.inner = inner
    op.ninner = n
    return 0


cdef int _fill_repeated(Program p, Op* op, object node, uint64_t number, object program_of, dict wrappers) except -1:
    """A repeated field of ``node`` (a RepeatedNode): its elements' op, and how they are held."""
    _fill_op(p, op, node.elem, number, program_of, wrappers)
    op.repeated = True
    op.container = {
        list: FILL_LIST, tuple: FILL_TUPLE, set: FILL_SET, frozenset: FILL_FROZENSET, _ARRAY: FILL_ARRAY,
    }[node.container]
    if node.buffer_code is not None:
        op.vcodes = _own(p, node.buffer_code)
        op.vcode = ord(node.buffer_code)
    op.fill = op.container
    op.packed = node.packed
    op.write_packed = node.write_packed
    op.ptaglen = _tag_bytes(&op.ptagword, (number << 3) | 2)
    op.enc = ENC_REPEATED
    return 0


cdef int _fill_op(Program p, Op* op, object node, uint64_t number, object program_of, dict wrappers) except -1:
    """The kind, wire tag and absent value of one value of ``node``."""
    if isinstance(node, MessageNode):
        op.kind = K_MESSAGE
        op.sub = _program(p, node.cls, program_of)
        from . import wkt
        from ._json._read_wkt import WRAPPERS  # (the ddl.wkt wrappers: a bare value in JSON)
        if node.cls in WRAPPERS:
            op.native = NATIVE_WRAPPER
        elif node.cls is wkt.FieldMask:
            op.native = NATIVE_FIELD_MASK
        elif node.cls is wkt.Value:
            op.native = NATIVE_VALUE_MESSAGE
        elif node.cls is wkt.ListValue:
            op.native = NATIVE_LIST_VALUE
        elif node.cls is wkt.Any:
            op.native = NATIVE_ANY
        else:
            op.native = NATIVE_NONE
        op.skip = SKIP_NEVER
        if node.delimited:
            op.etaglen = _tag_bytes(&op.etagword, (number << 3) | 4)
    elif isinstance(node, EnumNode):
        op.kind = K_ENUM
        op.enum_map = _own(p, node.by_number)
        op.enum_table = _own(p, _enum_table(node.by_number))
        op.enum_cls = _own(p, node.cls)
        op.closed_enum = node.closed
        op.skip = SKIP_ZERO
        _json_enum(p, op, node)
        _jr_enum_names(p, op, node)
    elif isinstance(node, ScalarNode):
        op.kind = node.kind
        op.skip = SKIP_ZERO
    elif isinstance(node, ConvertedNode):
        op.kind = K_CONVERTED
        op.base = node.base.kind
        op.types = _own(p, tuple(node.types))
        op.fn_encode = _own(p, node.to_wire)
        op.fn_decode = _own(p, node.from_wire)
        op.skip = SKIP_NEVER
        op.native = {"uuid": NATIVE_UUID, "decimal": NATIVE_DECIMAL}.get(node.name, NATIVE_NONE)
    elif isinstance(node, WrapperNode):
        op.kind = K_HELPER
        op.types = _own(p, (object,))  # the wrapper's own function checks the value
        encode, decode = wrappers[id(node)]
        op.fn_encode = _own(p, encode)
        op.fn_decode = _own(p, decode)
        op.skip = SKIP_NEVER
        _fill_inner(p, op, node.inner, program_of, wrappers)
    elif isinstance(node, WellKnownNode):
        op.kind = K_HELPER
        op.types = _own(p, tuple(node.types))
        op.fn_encode = _own(p, node.encode)
        op.fn_decode = _own(p, node.decode)
        op.native = {
            "timestamp": NATIVE_TIMESTAMP, "duration": NATIVE_DURATION, "date": NATIVE_DATE, "value": NATIVE_VALUE, "struct": NATIVE_STRUCT,
        }.get(node.name, NATIVE_NONE)  # fmt: skip
        op.skip = {"none": SKIP_NONE, "empty": SKIP_EMPTY_DICT}.get(node.omitted, SKIP_NEVER)
    else:
        raise TypeError(f"the compiled engine does not run {type(node).__name__}")
    op.wiretag = (number << 3) | node.wire_type
    op.taglen = _tag_bytes(&op.tagword, op.wiretag)
    _fill_zero(p, op, node, program_of, wrappers)
    from ._json._read_source import takes_null
    op.jnull = takes_null(node)
    return 0


def seal(programs):
    """Find which of ``programs`` (just built) are quiet: writing an instance runs no Python
    code, so the encode loops may walk its lists and slots through borrowed pointers. A value
    is loud if it is converted or written by a helper, a map (sorting keys compares them), a set
    (copying one iterates it), or a message that is not quiet. Recursive schemas settle by
    fixed point: every program starts quiet and turns loud until nothing changes."""
    cdef Program p
    cdef Py_ssize_t k
    cdef bint changed = True
    for p in programs:
        p.c.quiet = True
    while changed:
        changed = False
        for p in programs:
            if p.c.quiet and not all(_quiet(&p.c.ops[k]) for k in range(p.c.nops)):
                p.c.quiet = False
                changed = True
    for p in programs:
        for k in range(p.c.nops):
            _seal_op(&p.c.ops[k])
            if p.c.ops[k].kind == K_MAP:
                _seal_op(p.c.ops[k].key)
                _seal_op(p.c.ops[k].value)


cdef void _seal_op(Op* op) noexcept:
    op.quiet = _quiet(op)


cdef bint _quiet(Op* op) noexcept:
    if op.kind == K_MESSAGE:
        return op.sub.quiet
    if op.kind > K_MESSAGE:
        return False
    return not (op.repeated and (op.container == FILL_SET or op.container == FILL_FROZENSET))


cdef ProgC* _program(Program p, object cls, object program_of) except NULL:
    sub = program_of(cls)
    p.keep.append(sub)
    return &(<Program>sub).c


cdef int _fill_zero(Program p, Op* op, object node, object program_of, dict wrappers) except -1:
    """How a slot of ``node`` is filled when its field is absent from the wire."""
    if isinstance(node, MessageNode):
        op.fill = FILL_MESSAGE
        op.fill_sub = _program(p, node.cls, program_of)
    elif isinstance(node, EnumNode):
        op.fill = FILL_VALUE
        op.zero = _own(p, node.zero)
    elif isinstance(node, ScalarNode):
        op.fill = FILL_VALUE
        op.zero = _own(p, node.zero)
    elif isinstance(node, ConvertedNode):
        op.fill = FILL_VALUE
        op.zero = _own(p, node.zero())
    elif isinstance(node, WellKnownNode) and node.name == "value":
        op.fill = FILL_VALUE  # None, what zero_value() gives, without the call
        op.zero = <PyObject*>None
    elif isinstance(node, WellKnownNode) and node.name == "struct":
        op.fill = FILL_DICT  # a new {} each time, as zero_struct() gives it
    elif isinstance(node, WellKnownNode):
        op.fill = FILL_CALL
        op.fn_zero = _own(p, node.zero)
    elif isinstance(node, WrapperNode):
        op.fill = FILL_WRAPPER
        op.fn_zero = _own(p, wrappers[id(node)][1])
    return 0
