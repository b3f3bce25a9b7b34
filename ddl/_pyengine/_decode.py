"""Generating the decoder of one message class (and of its wrappers) from its plan.

Each field lives in a local while the loop runs; the object is built once at the end, without
calling ``__init__``. Tags are compared whole (number and wire type together), so a field that
arrives with an unexpected wire type falls through to the unknown-field path, as in protobuf.
"""

from __future__ import annotations

from .. import _wire
from .._schema import (
    ConvertedNode,
    EnumNode,
    FieldPlan,
    Kind,
    MapNode,
    MessageNode,
    MessagePlan,
    Node,
    RepeatedNode,
    ScalarNode,
    UnionNode,
    WellKnownNode,
    WrapperNode,
)
from .._wire import WT_EGROUP, WT_LEN, WT_VARINT
from . import _runtime as rt
from ._decode_merge import MergeLines, checked_late, message_like, wire_tag
from ._decode_wire import BASE_GLOBALS, FIXED, read_length, read_tag, read_varint
from ._source import Builder, slot_setter


class DecoderSource(MergeLines):
    """Source text for one class's decode function plus one function per wrapper node."""

    def __init__(self, b: Builder, deps: list[tuple[str, type, str]]) -> None:
        self.b = b
        self.deps = deps
        self.functions: list[str] = []
        self.wrappers: dict[int, str] = {}
        self.mergers: dict[int, str] = {}
        self.b.globs.update(BASE_GLOBALS)

    def message(self, plan: MessagePlan) -> str:
        """The source of ``decode(buf, pos, end, budget)`` and the wrapper functions it calls."""
        self._function("decode", plan.fields, plan.order, plan, merge=False)
        return "\n".join(self.functions) + "\n"

    def merger(self, plan: MessagePlan) -> str:
        """The source of ``merge(base, buf, ranges, budget)`` and the wrapper functions it calls."""
        self._function("merge", plan.fields, plan.order, plan, merge=True)
        return "\n".join(self.functions) + "\n"

    def group(self, plan: MessagePlan) -> str:
        """The source of ``decode_group(buf, pos, end, budget, etag)``, which reads a group's
        body up to its end-group tag ``etag`` and returns the value and the position after it."""
        self._function("decode_group", plan.fields, plan.order, plan, merge=False, group=True)
        return "\n".join(self.functions) + "\n"

    def _function(
        self, name: str, fields: list[FieldPlan], order: list[tuple[int, FieldPlan, int]], plan: MessagePlan | None,
        merge: bool, group: bool = False,
    ) -> str:  # fmt: skip
        """``decode`` reads one body into a new value. ``merge`` reads the later occurrences of a
        field, the bodies between ``ranges[2i]`` and ``ranges[2i + 1]``, into ``base``, the value
        of the first, and returns the merged value: each body is parsed on its own, as upb
        parses them, and each byte once however the occurrences nest. ``group`` reads a body
        that its end-group tag ``etag`` closes, rather than ``end``, which it must come before."""
        b = self.b
        saved, b.lines = b.lines, []
        local = {id(f): f"f{i}" for i, f in enumerate(fields)}
        by_number = b.ref({n: f for f in fields for n in f.numbers}, "BYNUM")
        acc = "{" + ", ".join(f"{f.name!r}: {local[id(f)]}" for f in fields if isinstance(f.node, RepeatedNode)) + "}"
        named = plan is not None
        deferred = [f for f in fields if _deferred(f)]

        if merge:
            b.line(0, f"def {name}(base, buf, ranges, budget):")
            b.line(1, "pos = ranges[0]")
        else:
            b.line(0, f"def {name}(buf, pos, end, budget{', etag' if group else ''}):")
        b.line(1, "if budget < 0:")
        b.line(2, "raise _depth(pos)")
        for f in fields:
            b.line(1, f"{local[id(f)]} = {self._merged(f, named) if merge else self._initial(f)}")
        for f in deferred:
            var = local[id(f)]
            if isinstance(f.node, UnionNode):
                # Occurrences of the member ``k`` merge into its value; another member's replace it.
                selected = f"_member_of({b.ref(f.node, 'U')}, {var})" if merge else "-1"
                b.line(1, f"r{var} = []")
                b.line(1, f"k{var} = {selected}")
            else:
                b.line(1, f"r{var} = None if {var} is None else []" if merge else f"r{var} = None")
        if named and merge:
            b.line(1, "unk = base._ddl_unknown")
            b.line(1, "if unk is not None:")
            b.line(2, "unk = bytearray(unk)")
            for f in deferred:
                self._take_kept(f, local[id(f)])
        elif named:
            b.line(1, "unk = None")
        b.line(1, "tag = 0")
        b.line(1, "start = pos")
        b.line(1, "try:")
        d = 1 if merge else 0
        if merge:
            b.line(2, "for ri in range(0, len(ranges), 2):")
            b.line(3, "pos = ranges[ri]")
            b.line(3, "end = ranges[ri + 1]")
        b.line(2 + d, "while pos < end:")
        b.line(3 + d, "start = pos")
        read_tag(self.b, "tag", "pos", 3 + d)
        # Reading a member of a oneof group clears the others (the last member on the wire wins);
        # a cleared message-like member forgets its occurrences, so a later one starts afresh.
        clears = {
            id(f): [c for g in plan.oneofs[f.oneof] if g is not f for c in _cleared(g, local[id(g)])]
            for f in fields if plan is not None and f.oneof is not None
        }  # fmt: skip
        keyword = "if"
        for number, f, member in order:
            self._case(f, number, member, local[id(f)], keyword, 3 + d, named, clears.get(id(f), []))
            keyword = "elif"
        if group:
            b.line(3 + d, f"{keyword} tag == etag:")
            b.line(4 + d, "break")
            b.line(3 + d, "elif tag & 7 == 4:")  # upb rejects an end-group tag of another number
            b.line(4 + d, "e = _mismatch(tag, etag, start)")
            b.line(4 + d, "tag = 0")  # the error is the group's, not the field's of that number
            b.line(4 + d, "raise e")
            keyword = "elif"
        b.line(3 + d, "else:" if keyword == "elif" else "if True:")
        b.line(4 + d, "pos = _skip(buf, pos, end, tag, budget)")
        if named:
            b.line(4 + d, "if unk is None:")
            b.line(5 + d, "unk = bytearray()")
            b.line(4 + d, "unk += buf[start:pos]")
        if group:
            b.line(2, "else:")  # no end-group tag before ``end``, unless the last field overran it
            b.line(3, "if pos == end:")
            b.line(4, "tag = 0")
            b.line(4, "raise _unclosed(etag, pos)")
        b.line(2 + d, "if pos > end:" if group else "if pos != end:")
        b.line(3 + d, "raise _DecodeError('the last field runs past the end of its message', start)")
        for f in deferred:
            self._merge_deferred(f, local[id(f)], 2, named)
        b.line(1, "except _DecodeError as e:")
        b.line(2, f"_dpush(e, {by_number}, {named}, tag, {acc})")
        b.line(2, "raise")
        b.line(1, "except RecursionError:")
        # Turned into a DecodeError here, at the deepest frame that can, so that it carries
        # the offset and, as it passes the frames above, the path.
        b.line(2, "raise _DecodeError('nesting is too deep for the Python stack', start) from None")
        b.line(1, "except Exception as e:")
        b.line(2, f"raise _dfail(e, {by_number}, {named}, tag, start, {acc}) from None")
        for f in fields:
            self._finish(f, local[id(f)], 1, named)
        if plan is None:
            b.line(1, f"return {local[id(fields[0])]}")
        else:
            self._build(plan, local, "obj, pos" if group else "obj")
        b.line(0, "")
        self.functions.extend(b.lines)
        b.lines = saved
        return name

    def _build(self, plan: MessagePlan, local: dict[int, str], result: str) -> None:
        b = self.b
        b.line(1, f"obj = _new({b.ref(plan.cls, 'C')})")
        for f in plan.fields:
            if plan.frozen:
                b.line(1, f"{b.ref(slot_setter(plan.cls, f.name), 'set')}(obj, {local[id(f)]})")
            else:
                b.line(1, f"obj.{f.name} = {local[id(f)]}")
        unknown = "None if unk is None else bytes(unk)"
        if plan.frozen:
            b.line(1, f"{b.ref(slot_setter(plan.cls, '_ddl_unknown'), 'set')}(obj, {unknown})")
        else:
            b.line(1, f"obj._ddl_unknown = {unknown}")
        b.line(1, f"return {result}")

    # -- initial and final values -----------------------------------------------------------

    def _initial(self, f: FieldPlan) -> str:
        node = f.node
        if isinstance(node, RepeatedNode):
            return "[]"
        if isinstance(node, MapNode):
            return "{}"
        if f.presence or isinstance(node, UnionNode) or not _has_literal_zero(node):
            return "None"
        return self._zero(node)

    def _finish(self, f: FieldPlan, var: str, ind: int, named: bool) -> None:
        b, node = self.b, f.node
        if isinstance(node, RepeatedNode) and node.container is tuple:
            b.line(ind, f"{var} = _tuple({var})")
        elif isinstance(node, RepeatedNode) and node.vector:
            b.line(ind, f"{var} = _array({node.buffer_code!r}, {var})")
        elif isinstance(node, RepeatedNode):
            if node.container is not list:
                field = b.ref(f, "F")
                b.line(ind, f"{var} = _to_set(_{node.container.__name__}, {var}, {field}, {named}, start)")
        elif isinstance(node, UnionNode) and not f.presence:
            b.line(ind, f"if {var} is None:")
            b.line(ind + 1, f"{var} = {self._zero(node.members[0])}")
        elif (
            not f.presence and not isinstance(node, (RepeatedNode, MapNode, UnionNode)) and not _has_literal_zero(node)
        ):
            b.line(ind, f"if {var} is None:")
            b.line(ind + 1, f"{var} = {self._zero(node)}")

    def _zero(self, node: Node) -> str:
        """An expression for the value a field takes when it is absent from the wire."""
        b = self.b
        if isinstance(node, ScalarNode):
            return repr(node.zero)
        if isinstance(node, EnumNode):
            return b.ref(node.zero, "Z")
        if isinstance(node, ConvertedNode):
            return b.ref(node.zero(), "Z")
        if isinstance(node, WellKnownNode):
            return f"{b.ref(node.zero, 'zero')}()"
        return f"{self._decoder_of(node)}(_EMPTY, 0, 0, budget - 1)"

    # -- the cases of the tag switch --------------------------------------------------------

    def _case(
        self, f: FieldPlan, number: int, member: int, var: str, keyword: str, ind: int, named: bool, clears: list[str]
    ) -> None:
        b, node = self.b, f.node
        if isinstance(node, RepeatedNode):
            elem = node.elem
            b.line(ind, f"{keyword} tag == {wire_tag(number, elem.wire_type)}:")
            if _delimited(elem):
                decoder, etag = self._group_decoder_of(elem), wire_tag(number, WT_EGROUP)
                b.line(ind + 1, f"x, pos = {decoder}(buf, pos, end, budget - 1, {etag})")
            elif _closed(elem) or checked_late(elem):
                self._read_kept(elem, f"{var}.append(x)", ind + 1, named)
            else:
                self.read(elem, "x", ind + 1, "pos", "end")
            if not (_closed(elem) or checked_late(elem)):
                b.line(ind + 1, f"{var}.append(x)")
            if node.packed:
                b.line(ind, f"elif tag == {wire_tag(number, WT_LEN)}:")
                self._packed(elem, var, ind + 1, number, named)
        elif isinstance(node, MapNode):
            b.line(ind, f"{keyword} tag == {wire_tag(number, WT_LEN)}:")
            self._map_entry(node, var, ind + 1, named)
        elif isinstance(node, UnionNode):
            chosen = node.members[member]
            b.line(ind, f"{keyword} tag == {wire_tag(number, chosen.wire_type)}:")
            if message_like(chosen):
                self._defer(chosen, var, f"r{var}", ind + 1, f"k{var}", member)
            elif isinstance(chosen, EnumNode):
                self._enum_member(node, chosen, var, ind + 1, named)
            else:
                self.read(chosen, var, ind + 1, "pos", "end")
                if _deferred(f):
                    b.line(ind + 1, f"k{var} = -1")
        else:
            b.line(ind, f"{keyword} tag == {wire_tag(number, node.wire_type)}:")
            for name in clears:
                b.line(ind + 1, f"{name} = None")
            if _delimited(node):
                self._defer_group(node, number, var, f"r{var}", ind + 1)
            elif message_like(node):
                self._defer(node, var, f"r{var}", ind + 1)
            elif _closed(node):
                # A number the enum has not leaves the field as it was.
                self._read_kept(node, f"{var} = x", ind + 1, named)
            else:
                self.read(node, var, ind + 1, "pos", "end")

    def _read_kept(self, node: Node, store: str, ind: int, named: bool) -> None:
        """Read a value into ``x`` and run ``store`` if its Python type holds it; otherwise the
        field joins the unknown fields (see ``_unknown_number``): a number a closed enum has not,
        or a Timestamp, Duration or Date that its type cannot hold (read as ``Unchecked``)."""
        b = self.b
        if _closed(node):
            self.read(node, "x", ind, "pos", "end")
            self._unknown_number("x is None", ind, named)
        else:
            read_length(self.b, "pos", "end", ind)
            b.line(ind, f"x = {self._first_of(node)}(buf, pos, q, budget - 1)")
            b.line(ind, "pos = q")
            self._unknown_number("x.__class__ is _Unchecked", ind, named, "x.error")
        b.line(ind, "else:")
        b.line(ind + 1, store)

    def _unknown_number(self, test: str, ind: int, named: bool, error: str = "_closed_miss(v, start)") -> None:
        """Open ``if test``: a closed enum's value was a number the enum has not (read as None),
        or another value cannot be held: the field, from ``start`` to ``pos``, joins the unknown
        fields, as protobuf keeps it. A wrapper of ddl's own (``list[list[E]]``) has no unknown
        fields: there it is the ``error`` raised."""
        b = self.b
        b.line(ind, f"if {test}:")
        if named:
            b.line(ind + 1, "if unk is None:")
            b.line(ind + 2, "unk = bytearray()")
            b.line(ind + 1, "unk += buf[start:pos]")
        else:
            b.line(ind + 1, f"raise {error}")

    def _enum_member(self, union: UnionNode, node: EnumNode, var: str, ind: int, named: bool) -> None:
        """An enum oneof member. A number the enum does not know decodes as a plain int, as in
        any enum field, unless the enum is closed or the oneof also has an int member (then the
        int could not be told apart on encode): the occurrence stays among the unknown fields
        (protobuf's rule for closed enums) and goes back on the wire unchanged. A wrapper of
        ddl's own (an element of ``list[E | str]``) has no unknown fields: a closed enum's
        unknown number is an error there, as for a closed enum's element of ``list[list[E]]``."""
        b = self.b
        members = b.ref(node.by_number, "E")
        read_varint(self.b, ScalarNode("int32"), "v", ind, "pos")
        if node.closed or (named and any(int in m.python_types() for m in union.members)):
            b.line(ind, f"e = {members}.get(v)")
            self._unknown_number("e is None", ind, named)
            b.line(ind, "else:")
            b.line(ind + 1, f"{var} = e")
            if any(message_like(m) for m in union.members):
                b.line(ind + 1, f"k{var} = -1")
            return
        b.line(ind, f"{var} = {members}.get(v, v)")
        if any(message_like(m) for m in union.members):
            b.line(ind, f"k{var} = -1")

    def _packed(self, elem: Node, var: str, ind: int, number: int, named: bool) -> None:
        """A packed run: fixed widths through ``array``, varints in one helper call."""
        b = self.b
        read_length(self.b, "pos", "end", ind)
        assert isinstance(elem, (ScalarNode, EnumNode))
        if isinstance(elem, EnumNode) and elem.closed:
            # Numbers the enum has not join the unknown fields, each as a one-value field.
            members = b.ref(elem.by_number, "E")
            tag = _wire.uvarint_bytes(wire_tag(number, WT_VARINT))
            values = "_unpack_raw(buf, pos, q)"
            if named:
                b.line(ind, f"unk = _closed_run({members}, {values}, {var}, unk, {tag!r})")
            else:
                b.line(ind, f"_closed_run({members}, {values}, {var}, None, None, start)")
            b.line(ind, "pos = q")
            return
        if isinstance(elem, ScalarNode) and elem.kind.width:
            values = f"_unpack_arr({_wire.ARRAY_CODES[elem.proto]!r}, buf, pos, q)"
        elif isinstance(elem, ScalarNode):
            values = f"_unpack_varints({elem.proto!r}, buf, pos, q)"
        else:
            members = b.ref(elem.by_number, "E")
            values = f"[{members}.get(x, x) for x in _unpack_varints('enum', buf, pos, q)]"
        b.line(ind, f"{var} += {values}")
        b.line(ind, "pos = q")

    def _map_entry(self, node: MapNode, var: str, ind: int, named: bool) -> None:
        b = self.b
        deferred = message_like(node.value)
        read_length(self.b, "pos", "end", ind)
        b.line(ind, "me = q")
        b.line(ind, f"mk = {self._zero(node.key)}")
        b.line(ind, f"mv = {'None' if deferred else self._zero(node.value)}")
        if deferred:
            b.line(ind, "mr = None")
        b.line(ind, "mu = False")
        b.line(ind, "while pos < me:")
        read_tag(self.b, "t", "pos", ind + 1)
        b.line(ind + 1, f"if t == {wire_tag(1, node.key.wire_type)}:")
        self.read(node.key, "mk", ind + 2, "pos", "me")
        b.line(ind + 1, f"elif t == {wire_tag(2, node.value.wire_type)}:")
        if deferred:
            read_length(self.b, "pos", "me", ind + 2)
            b.line(ind + 2, "if mr is None:")
            b.line(ind + 3, f"mv = {self._first_of(node.value)}(buf, pos, q, budget - 1)")
            b.line(ind + 3, "mr = []")
            b.line(ind + 2, "else:")
            b.line(ind + 3, "mr += (pos, q)")
            b.line(ind + 2, "pos = q")
        else:
            self.read(node.value, "mv", ind + 2, "pos", "me")
        b.line(ind + 1, "else:")
        b.line(ind + 2, "pos = _skip(buf, pos, me, t, budget)")
        b.line(ind + 2, "mu = True")
        b.line(ind, "if pos != me:")
        b.line(ind + 1, "raise _DecodeError('a map entry runs past its length', pos)")
        if deferred:
            b.line(ind, "if mr is None:")
            b.line(ind + 1, f"mv = {self._zero(node.value)}")
            b.line(ind, "else:")
            self._merge_into(node.value, "mv", "mr", "", None, ind + 1, ["mu = True"] if named else None)
        if named:
            # An entry holding another field (another number, or the key or value with another
            # wire type) is kept whole among the unknown fields, as upb keeps it.
            b.line(ind, "if mu:")
            b.line(ind + 1, "if unk is None:")
            b.line(ind + 2, "unk = bytearray()")
            b.line(ind + 1, "unk += buf[start:pos]")
            ind += 1
            b.line(ind - 1, "else:")
        if _closed(node.value):
            # An entry whose value the closed enum has not is kept whole, as protobuf keeps it.
            self._unknown_number("mv is None", ind, named)
            b.line(ind, "else:")
            b.line(ind + 1, f"{var}[mk] = mv")
        else:
            b.line(ind, f"{var}[mk] = mv")

    # -- one value, after its tag -----------------------------------------------------------

    def read(self, node: Node, var: str, ind: int, pos: str, end: str) -> None:
        b = self.b
        if isinstance(node, (ScalarNode, EnumNode)) and node.wire_type == WT_VARINT:
            read_varint(self.b, node, var, ind, pos)
        elif isinstance(node, ScalarNode) and node.kind.width:
            b.line(ind, f"{var} = {FIXED[node.kind][0]}(buf, {pos})[0]")
            b.line(ind, f"{pos} += {node.kind.width}")
        else:
            read_length(self.b, pos, end, ind)
            b.line(ind, f"{var} = {self._len_value(node, pos)}")
            b.line(ind, f"{pos} = q")

    def _len_value(self, node: Node, pos: str) -> str:
        b = self.b
        if isinstance(node, ScalarNode):
            if node.kind == Kind.STRING:
                # Bytes that are not UTF-8, where allowed, become lone surrogates and go back as they came.
                return f"buf[{pos}:q].decode({rt.text_codec(node)})"
            return f"buf[{pos}:q]"
        if isinstance(node, ConvertedNode):
            raw = f"buf[{pos}:q].decode()" if node.base.kind == Kind.STRING else f"buf[{pos}:q]"
            return f"{b.ref(node.from_wire, 'CV')}({raw})"
        return f"{self._decoder_of(node)}(buf, {pos}, q, budget - 1)"

    def _decoder_of(self, node: Node) -> str:
        """The function that decodes one body of a message-like node: (buf, pos, end, budget)."""
        b = self.b
        if isinstance(node, MessageNode):
            return self._dep(node.cls, "dec")
        if isinstance(node, WellKnownNode):
            return b.ref(node.decode, "wkt")
        if isinstance(node, WrapperNode):
            key = id(node)
            if key not in self.wrappers:
                self.wrappers[key] = self._function(b.fresh("wrap"), [node.inner], node.inner.order, None, False)
            return self.wrappers[key]
        raise AssertionError(f"no decoder for {node!r}")

    def _group_decoder_of(self, node: Node) -> str:
        """The function that decodes one group of a delimited message node: (buf, pos, end,
        budget, etag) -> (value, position after the end-group tag)."""
        assert isinstance(node, MessageNode) and node.delimited
        return self._dep(node.cls, "grp")

    def _first_of(self, node: Node) -> str:
        """The decoder of an occurrence that later ones may merge into."""
        if isinstance(node, WellKnownNode):
            return self.b.ref(node.first, "wkt")
        return self._decoder_of(node)

    def _merger_of(self, node: Node) -> str:
        """The function that merges more bodies into a value: (base, buf, ranges, budget)."""
        b = self.b
        if isinstance(node, MessageNode):
            return self._dep(node.cls, "mrg")
        if isinstance(node, WellKnownNode):
            return b.ref(node.merge, "wkt")
        if isinstance(node, WrapperNode):
            key = id(node)
            if key not in self.mergers:
                self.mergers[key] = self._function(b.fresh("merge_wrap"), [node.inner], node.inner.order, None, True)
            return self.mergers[key]
        raise AssertionError(f"no merger for {node!r}")

    def _dep(self, cls: type, kind: str) -> str:
        name = f"_{kind}_{self.b.ref(cls, 'C')}"
        if not any(d[0] == name for d in self.deps):
            self.deps.append((name, cls, kind))
        return name


def _delimited(node: Node) -> bool:
    """A message written as a group (``ddl.field(delimited=True)``)."""
    return isinstance(node, MessageNode) and node.delimited


def _closed(node: Node) -> bool:
    """A ``ddl.ClosedEnum``: numbers it has not are kept as unknown fields, not read as ints."""
    return isinstance(node, EnumNode) and node.closed


def _deferred(f: FieldPlan) -> bool:
    """Whether a field's occurrences are collected as byte ranges and decoded after the loop."""
    if isinstance(f.node, UnionNode):
        return any(message_like(m) for m in f.node.members)
    return message_like(f.node)


def _cleared(f: FieldPlan, var: str) -> list[str]:
    """The locals that forget a oneof group member read so far: its value, and the byte ranges
    of its later occurrences if it is message-like."""
    return [var, f"r{var}"] if _deferred(f) else [var]


def _has_literal_zero(node: Node) -> bool:
    return isinstance(node, (ScalarNode, EnumNode, ConvertedNode))
