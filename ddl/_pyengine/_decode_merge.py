"""The lines of generated decoders that merge the occurrences of a message-like field.

protobuf merges every occurrence of a singular message field into the first: a later
Timestamp's seconds replace the first's, a message's repeated fields append. The decoder reads
the first occurrence at once and only notes where the later ones lie (``_defer``); after its
loop it merges them into the first value in one pass (``_merge_deferred``), so each byte is read
once however often, and however deep, a field repeats. A value that its Python type cannot hold
once merged (a Timestamp of year 10000) is kept among the unknown fields (``_kept``), and taken
back into the merge of a later occurrence of the message holding it (``_take_kept``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from .._schema import FieldPlan, MessageNode, Node, RepeatedNode, UnionNode, WellKnownNode, WrapperNode
from .._wire import WT_EGROUP
from ._decode_wire import read_length
from ._source import Builder


def wire_tag(number: int, wire_type: int) -> int:
    return (number << 3) | wire_type


def message_like(node: Node) -> bool:
    return isinstance(node, (MessageNode, WellKnownNode, WrapperNode))


def checked_late(node: Node) -> bool:
    """Whether a first occurrence of ``node`` may decode to an ``Unchecked`` holder."""
    return isinstance(node, WellKnownNode) and node.checked_late


class MergeLines(ABC):
    """The merging half of ``DecoderSource``, which gives the functions these lines call (see
    its methods of these names)."""

    b: Builder

    @abstractmethod
    def _first_of(self, node: Node) -> str: ...

    @abstractmethod
    def _group_decoder_of(self, node: Node) -> str: ...

    @abstractmethod
    def _merger_of(self, node: Node) -> str: ...

    @abstractmethod
    def _initial(self, f: FieldPlan) -> str: ...

    def _merge_deferred(self, f: FieldPlan, var: str, ind: int, named: bool) -> None:
        """Merge the later occurrences of a message-like field into the first (see ``_defer``)."""
        if isinstance(f.node, UnionNode):
            for i, member in enumerate(f.node.members):
                if message_like(member):
                    tag = wire_tag(f.numbers[i], member.wire_type)
                    kept = [*self._kept(f, var, tag), f"k{var} = -1"]
                    self._merge_into(member, var, f"r{var}", f"k{var} == {i} and ", tag, ind, kept if named else None)
            return
        tag = wire_tag(f.numbers[0], f.node.wire_type)
        self._merge_into(f.node, var, f"r{var}", "", tag, ind, self._kept(f, var, tag) if named else None)

    def _take_kept(self, f: FieldPlan, var: str) -> None:
        """Before a merge: take a value that the first occurrences left among the unknown fields
        (``_kept``) back into ``var``, the field's value, as its first occurrence, so that the
        later ones merge into it as protobuf merges them (and ``_merge_into`` checks it again)."""
        b = self.b
        members = f.node.members if isinstance(f.node, UnionNode) else [f.node]
        for i, member in enumerate(members):
            if checked_late(member):
                assert isinstance(member, WellKnownNode)
                tag = wire_tag(f.numbers[i], member.wire_type)
                b.line(1, f"if {var} is None and unk is not None:")
                b.line(2, f"{var}, unk = _take_kept(unk, {tag}, {b.ref(member.first, 'wkt')}, budget - 1)")
                b.line(2, f"if {var} is not None:")
                b.line(3, f"k{var} = {i}" if isinstance(f.node, UnionNode) else f"r{var} = []")

    def _kept(self, f: FieldPlan, var: str, tag: int) -> list[str]:
        """The lines that keep a field's value its type cannot hold among the unknown fields,
        under the key ``tag``, and leave the field as if absent."""
        return [f"unk = _keep({var}, unk, {tag})", f"{var} = {self._initial(f)}"]

    def _merge_into(
        self, node: Node, var: str, ranges: str, when: str, tag: int | None, ind: int, kept: list[str] | None
    ) -> None:
        """After the loop: merge the later occurrences into ``var``. A merged value that its
        Python type cannot hold (see ``_wkt_codecs.Unchecked``) runs the lines ``kept``, which
        keep it among the unknown fields, or raises its error where there are none."""
        b = self.b
        b.line(ind, f"if {when}{ranges}:")
        if tag is not None:
            b.line(ind + 1, f"tag = {tag}")  # names the field in an error of a later body
        b.line(ind + 1, f"{var} = {self._merger_of(node)}({var}, buf, {ranges}, budget - 1)")
        if checked_late(node):
            b.line(ind, f"if {when}{var}.__class__ is _Unchecked:")
            if kept is None:
                if tag is not None:
                    b.line(ind + 1, f"tag = {tag}")
                b.line(ind + 1, f"raise {var}.error")
            for line in kept or ():
                b.line(ind + 1, line)

    def _merged(self, f: FieldPlan, named: bool) -> str:
        """A field's value in ``base``, as the state that later occurrences update. ``base`` is a
        value this decode made and drops, so its lists and dicts are extended in place."""
        value = f"base.{f.name}" if named else "base"
        if isinstance(f.node, RepeatedNode) and f.node.container is not list:
            return f"_list({value})"
        return value

    def _defer(self, node: Node, var: str, ranges: str, ind: int, selector: str | None = None, member: int = 0) -> None:
        """Decode a message-like value, or remember where it lies if it occurred before.

        protobuf merges repeated occurrences of a singular message field. The first occurrence
        is decoded at once (so errors come in wire order); the ranges of any later ones are
        merged into it after the loop, in one pass over all of them, so hostile input (the same
        field 100 000 times, or at every level of a deep nesting) stays linear. ``selector``
        names the oneof member whose occurrences these are.
        """
        b = self.b
        read_length(self.b, "pos", "end", ind)
        if selector is None:
            b.line(ind, f"if {ranges} is None:")
        else:
            b.line(ind, f"if {selector} != {member}:")
            b.line(ind + 1, f"{selector} = {member}")
        b.line(ind + 1, f"{var} = {self._first_of(node)}(buf, pos, q, budget - 1)")
        b.line(ind + 1, f"{ranges} = []")
        b.line(ind, "else:")
        b.line(ind + 1, f"{ranges} += (pos, q)")
        b.line(ind, "pos = q")

    def _defer_group(self, node: Node, number: int, var: str, ranges: str, ind: int) -> None:
        """``_defer`` for a group: the first occurrence is decoded up to its end-group tag; a later
        one is only scanned for that tag, and its body merged after the loop."""
        b = self.b
        b.line(ind, f"if {ranges} is None:")
        decoder = self._group_decoder_of(node)
        b.line(ind + 1, f"{var}, pos = {decoder}(buf, pos, end, budget - 1, {wire_tag(number, WT_EGROUP)})")
        b.line(ind + 1, f"{ranges} = []")
        b.line(ind, "else:")
        b.line(ind + 1, f"q, g = _group_end(buf, pos, end, {number}, budget)")
        b.line(ind + 1, f"{ranges} += (pos, q)")
        b.line(ind + 1, "pos = g")
