"""``ddl.Extension``: typed proto2 extensions, kept among a message's unknown fields.

An extension is a field of one message (its extendee) declared elsewhere, numbered in the
extendee's ``extensions`` range. The extendee's class does not know it, so ddl keeps its bytes
with the unknown fields (the ``_ddl_unknown`` slot), which ``encode`` writes back unchanged. An
``Extension`` reads and rewrites the occurrences of its own number there.

Each Extension owns a *holder*: a message class of one field, ``value``, with the extension's
number and annotation. Reading joins the occurrences of the number and decodes them as a holder,
so protobuf's rules for repeated occurrences (the last scalar wins, messages merge, repeated
fields concatenate) and every error are the engines' own; writing encodes a holder. There is no
third codec, only the scan that finds the occurrences.

Each Extension is also listed under its extendee when it is made (``extensions_of``), so that the
JSON mapping can read and write it as ``"[full.name]": value``, as protobuf's ``json_format`` does.
"""

from __future__ import annotations

import dataclasses
import threading
import typing
import weakref
from typing import Any, Generic, TypeVar, overload

from . import _compiled
from ._api import decode_with, encode_with
from ._binding import binding_of
from ._errors import DecodeError, EncodeError, SchemaError
from ._limits import DEFAULT_MAX_DEPTH
from ._message import Message, MessageMeta
from ._pyengine._source import slot_setter
from ._schema import MapNode, RepeatedNode, plan_for
from ._types import ClosedEnum, field
from ._wire import read_tag, skip_field

M = TypeVar("M", bound=Message)
T = TypeVar("T")
E = TypeVar("E")


class Extension(Generic[M, T]):
    """A proto2 extension: field ``number`` of the message class ``extendee``, declared elsewhere.

    ``annotation`` is the value's type, written as for a field: ``ddl.int32``, ``str``, an
    ``IntEnum``, a message class, ``list[...]`` for a repeated extension (``packed=False``
    writes its numbers one tagged element at a time, as proto2 does by default;
    ``delimited=True`` writes a message as a group; ``verify_utf8=False`` lets a string hold
    any bytes, as ``ddl.field(verify_utf8=False)`` does). ``name`` is the extension's full proto name.

    ``get`` decodes the value from the message's unknown fields: None when absent (an empty list
    for a repeated extension); several occurrences combine as in protobuf (the last scalar wins,
    messages merge, repeated values concatenate). The value is a copy: set it back to change
    it. ``set`` replaces every occurrence of the number with the new value's encoding, ``clear``
    removes them, ``has`` tells whether a value is there. A wrong value is an ``EncodeError``,
    bytes that are not one a ``DecodeError``, and a message of another class a ``TypeError``.
    Messages of frozen classes can be read, not changed (``dataclasses.FrozenInstanceError``).

    Type checkers take the value type from ``annotation``; pyright sees none in a bare scalar
    alias such as ``ddl.int32``, so annotate such a variable (``ddl.Extension[Item, int]``).
    The arguments stay readable as ``name``, ``extendee``, ``number`` and ``annotation``, and
    ``repeated`` tells a repeated extension.

    ``ddl gen`` writes one for each ``extend`` block's field: at module level, or for an
    ``extend`` nested in a message, as a class attribute of that message, as protobuf's
    Python code places them.

    In JSON (``ddl.to_json``, ``ddl.from_json``...) a set extension is the key ``"[name]"``, as
    protobuf writes it, for as long as the Extension object exists (kept at module level, it
    does); the last one made for a number of an extendee is the one JSON uses.

    Example::

        class Item(ddl.Message):      # message Item { ... extensions 100 to 199; }
            sku: str = ""

        # extend Item { optional int32 rank = 100; repeated string labels = 101; }
        rank: ddl.Extension[Item, int] = ddl.Extension("shop.rank", Item, 100, ddl.int32)
        labels = ddl.Extension("shop.labels", Item, 101, list[str])

        item = Item(sku="a-1")
        rank.set(item, 3)
        labels.set(item, ["new"])
        copy = ddl.decode(ddl.encode(item), Item)
        assert rank.get(copy) == 3 and labels.get(copy) == ["new"]
        rank.clear(copy)
        assert not rank.has(copy) and rank.get(copy) is None
    """

    __slots__ = ("__weakref__", "_holder", "annotation", "extendee", "name", "number", "repeated")

    @overload
    def __init__(
        self,
        name: str,
        extendee: type[M],
        number: int,
        annotation: type[T],
        *,
        packed: bool = True,
        delimited: bool = False,
        verify_utf8: bool = True,
    ) -> None: ...

    @overload
    def __init__(
        self,
        name: str,
        extendee: type[M],
        number: int,
        annotation: object,
        *,
        packed: bool = True,
        delimited: bool = False,
        verify_utf8: bool = True,
    ) -> None: ...

    def __init__(
        self,
        name: str,
        extendee: type[M],
        number: int,
        annotation: object,
        *,
        packed: bool = True,
        delimited: bool = False,
        verify_utf8: bool = True,
    ) -> None:
        if not isinstance(name, str) or not name:
            raise TypeError(f"an extension's name is its full proto name, such as 'pkg.rank', not {name!r}")
        if binding_of(extendee) is None:
            raise TypeError(f"extension {name}: the extendee must be a ddl.Message subclass, not {extendee!r}")
        taken = _field_numbered(extendee, number)
        if taken is not None:
            raise SchemaError(
                f"extension {name}: number {number} is field {taken!r} of {extendee.__qualname__}, not an extension"
            )
        self.name = name
        self.extendee = extendee
        self.number = number
        self.annotation = annotation
        self._holder, self.repeated = _holder_for(name, number, annotation, packed, delimited, verify_utf8)
        _declare(self)

    def __repr__(self) -> str:
        return f"<ddl.Extension {self.name}: field {self.number} of {self.extendee.__qualname__}>"

    @overload
    def get(self: Extension[M, list[E]], msg: M) -> list[E]: ...

    @overload
    def get(self, msg: M) -> T | None: ...

    def get(self, msg: M) -> Any:
        """The extension's value in ``msg``: None when absent, or for a repeated extension a
        list (empty when absent). A new object each time: change it, then ``set`` it back.

        Example::

            rank.get(item)      # 3, or None
        """
        data = self._occurrences(msg)
        if not data:
            return [] if self.repeated else None
        try:
            holder = decode_with(_compiled.state.compiled, data, self._holder)
        except DecodeError as exc:
            raise self._located(exc, DecodeError(exc.message)) from None
        return holder.value  # type: ignore[attr-defined]

    def has(self, msg: M) -> bool:
        """Whether ``msg`` holds a value of the extension (a non-empty one, if repeated).

        Example::

            if rank.has(item): ...
        """
        value = self.get(msg)
        return bool(value) if self.repeated else value is not None

    def set(self, msg: M, value: T) -> None:
        """Replace every occurrence of the extension in ``msg`` with ``value``.

        A value the annotation does not take raises ``EncodeError`` and leaves ``msg`` as it was.
        An empty list clears a repeated extension; to clear a singular one, call ``clear``.

        Example::

            rank.set(item, 3)
        """
        unknown = self._unknown(msg)
        _check_mutable(msg, self.name)
        if value is None:
            raise self._located(None, EncodeError("an extension's value cannot be None (clear() removes it)"))
        try:
            holder = self._holder(value=value)  # type: ignore[call-arg]  # its __init__ is generated
            data = encode_with(_compiled.state.compiled, holder)
        except EncodeError as exc:
            raise self._located(exc, EncodeError(exc.message)) from None
        _store(msg, _without(unknown, self.number) + data)

    def clear(self, msg: M) -> None:
        """Remove every occurrence of the extension from ``msg``.

        Example::

            rank.clear(item)
        """
        unknown = self._unknown(msg)
        _check_mutable(msg, self.name)
        _store(msg, _without(unknown, self.number))

    def _unknown(self, msg: object) -> bytes:
        """``msg``'s unknown fields, once ``msg`` is checked to be a message this extension extends."""
        cls = type(msg)
        if not issubclass(cls, self.extendee):
            raise TypeError(
                f"extension {self.name} extends {self.extendee.__qualname__}, "
                f"not {cls.__qualname__ if binding_of(cls) is not None else f'an object of type {cls.__qualname__}'}"
            )
        if cls is not self.extendee:
            taken = _field_numbered(cls, self.number)
            if taken is not None:
                raise TypeError(
                    f"extension {self.name}: {cls.__qualname__}, a subclass of {self.extendee.__qualname__}, "
                    f"uses number {self.number} for its field {taken!r}"
                )
        unknown: bytes | None = getattr(msg, "_ddl_unknown", None)
        return unknown or b""

    def _occurrences(self, msg: object) -> bytes:
        """The fields of ``msg``'s unknown fields that carry this extension's number, joined."""
        unknown = self._unknown(msg)
        return b"".join(unknown[start:end] for start, end in _spans(unknown, self.number)) if unknown else b""

    def _located(self, cause: EncodeError | DecodeError | None, error: EncodeError | DecodeError) -> Exception:
        """``error`` with ``cause``'s path inside the value, under the extension's own segment,
        ``[name]`` (as protobuf's text format writes an extension). A decode error loses its
        offset, which counted in the extension's occurrences, not in any bytes the caller has."""
        inner = list(cause._segments) if cause is not None else []
        if inner and inner[-1].startswith(".value"):  # the holder's field: the extension replaces it
            inner[-1] = inner[-1].removeprefix(".value")
        error._segments = [*filter(None, inner), f".[{self.name}]"]
        return error


# Each extendee's Extensions, in the order they were made, for the JSON mapping. Both sides are
# weak: an Extension that nothing keeps is gone from here, and so is the entry of a class gone.
_declared: weakref.WeakKeyDictionary[type, list[weakref.ref[Extension[Any, Any]]]] = weakref.WeakKeyDictionary()
_declaring = threading.Lock()


def _declare(ext: Extension[Any, Any]) -> None:
    with _declaring:
        refs = [r for r in _declared.get(ext.extendee, ()) if r() is not None]
        _declared[ext.extendee] = [*refs, weakref.ref(ext)]  # a new list: readers take it unlocked
    _compiled.extended(ext.extendee)  # the compiled JSON writer stops dropping its unknown fields


def declared_for(cls: type) -> bool:
    """Whether an extension was ever made for ``cls`` or a base class of it: its messages'
    unknown fields may hold one."""
    return any(base in _declared for base in cls.__mro__)


def extensions_of(cls: type) -> list[Extension[Any, Any]]:
    """The extensions a message of class ``cls`` takes, by number: those made for ``cls`` or for
    a base class of it (of several made for one number, the last one alive), less those whose
    number is a field of ``cls``.

    Example::

        assert extensions_of(Item) == [rank, labels]
    """
    found: dict[int, Extension[Any, Any]] = {}
    for base in reversed(cls.__mro__):
        for ref in _declared.get(base, ()):
            ext = ref()
            if ext is not None:
                found[ext.number] = ext
    return [found[n] for n in sorted(found) if found[n].extendee is cls or _field_numbered(cls, n) is None]


def _field_numbered(cls: type, number: int) -> str | None:
    """The name of ``cls``'s field that takes ``number``, if any."""
    spec = cls.__dict__["__ddl__"].spec
    return next((f.name for f in spec.fields if number in f.numbers), None)


def _holder_for(
    name: str, number: int, annotation: object, packed: bool, delimited: bool, verify_utf8: bool
) -> tuple[type[Message], bool]:
    """The holder class of an extension, and whether the extension is repeated.

    The annotation is first planned as written, which tells a repeated field (kept as is: absent
    reads as an empty list) from a singular one, which becomes ``X | None`` (absent reads as
    None, and a zero value is still written, as proto2 writes every field that is set).
    """
    singular = field(number=number, default=None, packed=packed, delimited=delimited, verify_utf8=verify_utf8)
    try:
        if isinstance(annotation, type) and issubclass(annotation, ClosedEnum):
            # One value; the probe below could not plan it, as a closed enum field needs presence.
            holder = _holder_class(name, typing.Optional[annotation], singular)  # noqa: UP045
            plan_for(holder)
            return holder, False
        info = field(number=number, packed=packed, delimited=delimited, verify_utf8=verify_utf8)
        probe = _holder_class(name, annotation, info)
        planned = plan_for(probe).fields[0]
    except SchemaError as exc:
        # Named as the holder's field; the user wrote an extension.
        raise SchemaError(f"extension {name}: {str(exc).removeprefix(_field_name(name) + ': ')}") from None
    node = planned.node
    if len(planned.numbers) != 1:
        raise SchemaError(f"extension {name}: an extension is one field, and a union of several types takes several")
    if isinstance(node, MapNode) or (isinstance(node, RepeatedNode) and node.container is not list):
        raise SchemaError(f"extension {name}: a repeated extension is a list (list[...]), not {annotation!r}")
    if isinstance(node, RepeatedNode):
        return probe, True
    # Any holds None itself (a null Value), so it takes no `| None`.
    optional = annotation if annotation is Any else typing.Optional[annotation]  # noqa: UP045
    return _holder_class(name, optional, singular), False


def _field_name(name: str) -> str:
    """How schema errors name the holder's field."""
    return f"Extension({name!r}).value"


def _holder_class(name: str, annotation: object, info: object) -> type[Message]:
    namespace = {
        "__module__": __name__,
        "__qualname__": _field_name(name).removesuffix(".value"),
        "__annotations__": {"value": annotation},
        "value": info,
    }
    holder: type[Message] = MessageMeta("Extension", (Message,), namespace, kw_only=True)  # type: ignore[assignment]
    return holder


def _spans(unknown: bytes, number: int) -> list[tuple[int, int]]:
    """Where each field numbered ``number`` starts (at its tag) and ends in ``unknown``, which
    holds whole fields (as decode keeps them)."""
    spans = []
    pos, end = 0, len(unknown)
    while pos < end:
        start = pos
        tag, pos = read_tag(unknown, pos)
        pos = skip_field(unknown, pos, end, tag, DEFAULT_MAX_DEPTH)
        if tag >> 3 == number:
            spans.append((start, pos))
    return spans


def _without(unknown: bytes, number: int) -> bytes:
    """``unknown`` without its fields numbered ``number``; the others keep their order and bytes."""
    kept, at = [], 0
    for start, end in _spans(unknown, number):
        kept.append(unknown[at:start])
        at = end
    kept.append(unknown[at:])
    return b"".join(kept)


def _check_mutable(msg: object, name: str) -> None:
    if type(msg).__dict__["__ddl__"].spec.frozen:
        raise dataclasses.FrozenInstanceError(f"cannot change extension {name} of frozen {type(msg).__qualname__}")


def _store(msg: object, unknown: bytes) -> None:
    # The slot, set around __setattr__ as decode sets it: an empty run of unknown fields is None.
    slot_setter(type(msg), "_ddl_unknown")(msg, unknown or None)
