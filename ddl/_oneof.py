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
    if binding_of(cls) is None:
        raise TypeError(f"which_oneof() takes a ddl message, not {cls.__name__}")
    members = plan_for(cls).oneofs.get(group)
    if members is None:
        groups = ", ".join(map(repr, plan_for(cls).oneofs)) or "none"
        raise ValueError(f"{cls.__qualname__} has no oneof group {group!r} (its groups: {groups})")
    for f in members:
        if getattr(msg, f.name, None) is not None:
            return f.name
    return None
