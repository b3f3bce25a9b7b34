"""``ddl.which_oneof``: which member of a oneof group a message holds."""

from __future__ import annotations

from ._binding import binding_of
from ._schema import plan_for


def which_oneof(msg: object, group: str) -> str | None:
    """The name of the member of oneof group ``group`` that ``msg`` holds, or None.

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
    cls = type(msg)
    binding = binding_of(cls)
    if binding is None:
        raise TypeError(f"which_oneof() takes a ddl message, not {cls.__name__}")
    groups = binding.oneof_members
    if groups is None:
        # Made once per class: the names alone, so a call is a dict lookup and a few slot reads.
        groups = {name: tuple(f.name for f in members) for name, members in plan_for(cls).oneofs.items()}
        binding.oneof_members = groups
    names = groups.get(group)
    if names is None:
        known = ", ".join(map(repr, groups)) or "none"
        raise ValueError(f"{cls.__qualname__} has no oneof group {group!r} (its groups: {known})")
    for name in names:
        if getattr(msg, name) is not None:
            return name
    return None
