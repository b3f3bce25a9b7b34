"""``ddl.which_oneof``: which member of a oneof group a message holds."""

from __future__ import annotations

from ._api import _present_as
from ._binding import binding_of
from ._compiled import speedups
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
    groups = member_names(cls)
    names = groups.get(group)
    if names is None:
        known = ", ".join(map(repr, groups)) or "none"
        raise ValueError(f"{cls.__qualname__} has no oneof group {group!r} (its groups: {known})")
    for name in names:
        if getattr(msg, name) is not None:
            return name
    return None


def member_names(cls: type) -> dict[str, tuple[str, ...]]:
    """Each oneof group of the message class ``cls`` and its member names in declaration order,
    made once per class: a call of ``which_oneof`` is then a dict lookup and a few slot reads."""
    binding = binding_of(cls)
    assert binding is not None
    groups = binding.oneof_members
    if groups is None:
        groups = {name: tuple(f.name for f in members) for name, members in plan_for(cls).oneofs.items()}
        binding.oneof_members = groups
    return groups


# The Python function stays reachable, for the tests to run both in the same run.
python_which_oneof = which_oneof

if speedups is not None:
    # The compiled twin reads the members' slots in place, and leaves any unusual call (not a
    # message, a group the class lacks, a deleted member) to the function above.
    speedups.install_which_oneof(which_oneof, member_names)
    which_oneof = _present_as(speedups.which_oneof_entry, which_oneof)
