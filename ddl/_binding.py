"""What ddl keeps on each message class, in one object: ``cls.__ddl__``, a ``Binding``.

Every engine finds a class's state here and nowhere else:

- ``spec``: the fields as declared, collected and numbered by the metaclass at class creation;
  ``spec.plan`` is the plan, built from it on first use (``ddl._schema.plan_for``).
- ``values``: a function giving the field values in order (``__eq__``, ``__hash__``).
- ``codec``: the Python engine's generated functions (``ddl._pyengine.Codec``), set on first use
  once the class and every class it refers to are compiled and linked.
- ``json_write`` and ``json_read``: the JSON executor's generated functions (``ddl._json``),
  each made on first use of its direction.
- ``oneof_members``: each oneof group's member names in declaration order, for
  ``ddl.which_oneof`` and ``ddl.oneof_item``, made on the first call of either; ``oneof_slots``,
  the same names with their slot offsets, for the compiled engine's twins of both.
- ``runs_on`` and ``program``: which engine runs the class, decided on first use. ``"undecided"``
  until then; ``"compiled"`` with its ``Program`` in ``program``; ``"python"`` (``program`` is
  None) when the compiled engine is not built. ``program`` is published only complete, after
  ``runs_on``'s other fields: the compiled entry points read it without a lock.

``ddl.Message`` itself has ``__ddl__ = None``: it is the root, not a message class.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from ._pyengine import Codec
    from ._schema import ClassSpec

RunsOn = Literal["undecided", "compiled", "python"]


class Binding:
    """A message class's state, shared by the engines (see the module docstring).

    Example::

        binding = User.__ddl__
        print([f.name for f in binding.spec.fields], binding.runs_on)
    """

    __slots__ = (
        "cls", "codec", "json_read", "json_write", "oneof_members", "oneof_slots", "program", "runs_on",
        "slot_setters", "spec", "values",
    )  # fmt: skip

    def __init__(self, cls: type, spec: ClassSpec, values: Callable[[Any], tuple[Any, ...]]) -> None:
        self.cls = cls
        self.spec = spec
        self.values = values
        self.codec: Codec | None = None
        self.runs_on: RunsOn = "undecided"
        self.program: Any = None
        self.json_write: Any = None
        self.json_read: Any = None
        self.oneof_members: dict[str, tuple[str, ...]] | None = None
        self.oneof_slots: dict[str, Any] | None = None
        self.slot_setters: tuple[tuple[str, Callable[[Any, Any], None]], ...] | None = None

    def __repr__(self) -> str:
        return f"<ddl binding of {self.cls.__qualname__}: {self.runs_on}>"


def binding_of(cls: object) -> Binding | None:
    """The class's own Binding, or None when ``cls`` is not a ddl message class."""
    binding = getattr(cls, "__ddl__", None) if isinstance(cls, type) else None
    return binding if type(binding) is Binding and binding.cls is cls else None
