"""``ddl.Message``: dataclass-like classes whose fields are a protobuf schema."""

from __future__ import annotations

import copy as _copy
import dataclasses
import operator
import sys
from collections.abc import Callable, Iterable
from types import CodeType
from typing import Any, ClassVar, Self, dataclass_transform

from ._binding import Binding, binding_of
from ._compiled import speedups
from ._limits import DEFAULT_MAX_DEPTH
from ._pyengine import codec_for, make_init
from ._pyengine._source import slot_setter
from ._schema import collect
from ._schema._reserved import ReservedItem
from ._types import FieldInfo, field


@dataclass_transform(field_specifiers=(field, FieldInfo))
class MessageMeta(type):
    """Collects and numbers the fields of each message class, and gives it slots and __init__."""

    def __new__(
        mcls,
        name: str,
        bases: tuple[type, ...],
        namespace: dict[str, Any],
        *,
        frozen: bool | None = None,
        kw_only: bool = False,
        reserved: ReservedItem | Iterable[ReservedItem] = (),
        **kwargs: Any,
    ) -> MessageMeta:
        if "__ddl__" in namespace:  # ddl.Message itself, the root
            return super().__new__(mcls, name, bases, namespace, **kwargs)
        if frozen is None:
            frozen = any(binding.spec.frozen for binding in map(binding_of, bases) if binding is not None)
        scope, scope_code = _defining_scope()
        spec = collect(namespace.get("__qualname__", name), bases, namespace, frozen, kw_only, scope, reserved)
        spec.scope_code = scope_code
        own = [f.name for f in spec.fields if f.owner is spec]
        namespace["__slots__"] = tuple(own)
        namespace["__match_args__"] = () if kw_only else tuple(f.name for f in spec.fields)
        cls = super().__new__(mcls, name, bases, namespace, **kwargs)
        spec.cls = cls
        type.__setattr__(cls, "__ddl__", Binding(cls, spec, _values_getter([f.name for f in spec.fields])))
        cls.__init__ = make_init(cls, spec, None if speedups is None else speedups.slot_filler)  # type: ignore[misc]
        if frozen:
            cls.__setattr__ = _frozen_setattr  # type: ignore[assignment]
            cls.__delattr__ = _frozen_delattr  # type: ignore[assignment]
            cls.__hash__ = _hash  # type: ignore[assignment]
        else:
            if speedups is not None and _takes_object_setattr(cls):
                # The compiled decoder leaves a message of plain values untracked by the GC;
                # this C __setattr__ tracks it again when a value that can hold references comes
                # in (see ddl_message_setattro). Subclasses inherit it; a __setattr__ or
                # __delattr__ of the user's own, here or in a base, is kept, and its instances
                # stay tracked.
                setter, deleter = speedups.setattr_wrappers(cls)
                cls.__setattr__ = setter  # type: ignore[method-assign]
                cls.__delattr__ = deleter  # type: ignore[method-assign]
            cls.__hash__ = None  # type: ignore[assignment]
        return cls

    def __init__(cls, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(name, bases, namespace)


def _takes_object_setattr(cls: type) -> bool:
    """Whether instances of ``cls`` are assigned by object's own ``__setattr__`` and ``__delattr__``."""
    return all(getattr(cls, name) is getattr(object, name) for name in ("__setattr__", "__delattr__"))


def _defining_scope() -> tuple[dict[str, Any], CodeType | None]:
    """The locals and code of the function whose body defines the class (none at module level).

    The code object lets first use find the same function on the stack and see the locals it
    has by then, such as a second class that the first refers to.
    """
    frame = sys._getframe(2)
    if frame.f_locals is frame.f_globals:
        return {}, None
    return dict(frame.f_locals), frame.f_code


def _values_getter(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    if not names:
        return lambda obj: ()
    if len(names) == 1:
        getter = operator.attrgetter(names[0])
        return lambda obj: (getter(obj),)
    return operator.attrgetter(*names)


def _frozen_setattr(self: Message, name: str, value: Any) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r} of frozen {type(self).__name__}")


def _frozen_delattr(self: Message, name: str) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r} of frozen {type(self).__name__}")


def _hash(self: Message) -> int:
    return hash((type(self), type(self).__ddl__.values(self)))


def _restore(cls: type[Message], data: bytes) -> Message:
    codec = codec_for(cls)
    result: Message = codec.decode(data, 0, len(data), DEFAULT_MAX_DEPTH)
    return result


class Message(metaclass=MessageMeta):
    """The base class of every ddl schema: annotate fields, and the class is a protobuf message.

    Example::

        class User(ddl.Message):
            id: int
            name: str = ""
            tags: list[str] = []

        data = ddl.encode(User(id=1, name="Ada"))
        assert ddl.decode(data, User) == User(id=1, name="Ada")

    Class keywords: ``frozen=True`` (immutable and hashable), ``kw_only=True`` (keyword-only
    arguments), and ``reserved``: field numbers (ints, and ``range``s, half-open as in Python) and
    field names that no field may take, such as those of removed fields. Subclasses keep them,
    and ``ddl proto`` writes them as ``reserved`` lines::

        class Order(ddl.Message, reserved=(8, range(20, 30), "legacy_note")):
            id: int                  # 1
            note: str = ""           # 2; number=8 or a field named legacy_note is a SchemaError
    """

    # Each message class's state for the engines (see ddl._binding); None on this root class.
    __ddl__: ClassVar[Binding] = None  # type: ignore[assignment]
    # Unknown fields' raw bytes, or None. Not annotated: an annotation would make it a field.
    __slots__ = ("_ddl_unknown",)

    def __init_subclass__(
        cls,
        *,
        frozen: bool = False,
        kw_only: bool = False,
        reserved: ReservedItem | Iterable[ReservedItem] = (),
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        values = type(self).__ddl__.values
        return values(self) == values(other)

    def __repr__(self) -> str:
        fields = type(self).__ddl__.spec.fields
        inner = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields)
        return f"{type(self).__qualname__}({inner})"

    def __copy__(self) -> Message:
        clone = object.__new__(type(self))
        for name, store in _slot_setters(type(self)):
            store(clone, getattr(self, name))
        return clone

    def __deepcopy__(self, memo: dict[int, Any]) -> Message:
        clone = object.__new__(type(self))
        memo[id(self)] = clone
        for name, store in _slot_setters(type(self)):
            value = getattr(self, name)
            # copy.deepcopy gives these back as they are (and notes none in the memo): asking
            # it would cost more than the rest of the copy of a message of scalars.
            store(clone, value if type(value) in _KEPT else _copy.deepcopy(value, memo))
        return clone

    def __replace__(self, /, **changes: Any) -> Self:
        """A new message of the same class with ``changes`` to its fields: what Python 3.13's
        ``copy.replace(msg, **changes)`` gives, as for a dataclass. The other fields keep their
        values (the same objects, as ``copy.copy`` keeps them), and the unknown fields are kept
        too. A name that is not a field is a ``TypeError``; a frozen message is replaced so.

        Example::

            renamed = user.__replace__(name="Grace")  # copy.replace(user, name="Grace") on 3.13
            assert (renamed.id, renamed.name) == (user.id, "Grace")
        """
        cls = type(self)
        values = {f.name: getattr(self, f.name) for f in cls.__ddl__.spec.fields}
        strangers = [name for name in changes if name not in values]
        if strangers:
            raise TypeError(f"{cls.__qualname__} has no field {strangers[0]!r} to replace")
        # Through __init__, which tracks the new message for the GC as any constructed one.
        clone = cls(**(values | changes))
        slot_setter(cls, "_ddl_unknown")(clone, self._ddl_unknown)  # type: ignore[attr-defined]
        return clone

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickles carry ddl's own bytes, so they survive schema evolution like any message.
        from ._api import encode

        return (_restore, (type(self), encode(self)))


# The values a deep copy shares, as copy.deepcopy itself does (its atomic types).
_KEPT = frozenset({str, int, float, bool, bytes, type(None)})


def _slot_setters(cls: type[Message]) -> tuple[tuple[str, Callable[[Any, Any], None]], ...]:
    """Each field's slot name and the ``__set__`` that stores it (``slot_setter``), then the
    unknown fields': what the Python engine's copies carry over, found once per class."""
    binding: Binding = cls.__ddl__
    found = binding.slot_setters
    if found is None:
        names = [f.name for f in binding.spec.fields] + ["_ddl_unknown"]
        found = binding.slot_setters = tuple((name, slot_setter(cls, name)) for name in names)
    return found


# The Python engine's copies stay reachable under these names once the compiled ones replace them.
python_copy, python_deepcopy = Message.__copy__, Message.__deepcopy__

if speedups is not None:
    # copy.copy and copy.deepcopy of a message run in C on the compiled engine, which hands
    # what it does not copy (a deleted field, a value of a type it does not know, nesting past
    # its depth) to the methods above, and runs only those while the tests turn it off.
    speedups.install_copies(python_copy, python_deepcopy)
    Message.__copy__ = speedups.message_copy  # type: ignore[method-assign]
    Message.__deepcopy__ = speedups.message_deepcopy  # type: ignore[method-assign]
