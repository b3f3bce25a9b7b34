"""``ddl.which_oneof`` and ``ddl.oneof_item``: which member of a oneof group a message holds."""

from __future__ import annotations

from typing import Any

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
    for name in _group_members(msg, group, "which_oneof"):
        if getattr(msg, name) is not None:
            return name
    return None


def oneof_item(msg: object, group: str) -> tuple[str, Any] | None:
    """The member of oneof group ``group`` that ``msg`` holds, as a ``(name, value)`` pair (as a
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
    for name in _group_members(msg, group, "oneof_item"):
        value = getattr(msg, name)
        if value is not None:
            return name, value
    return None


def _group_members(msg: object, group: str, caller: str) -> tuple[str, ...]:
    """The member names of ``msg``'s oneof group ``group``; ``caller`` names the public function
    in the TypeError for ``msg`` that is not a message."""
    cls = type(msg)
    if binding_of(cls) is None:
        raise TypeError(f"{caller}() takes a ddl message, not {cls.__name__}")
    groups = member_names(cls)
    names = groups.get(group)
    if names is None:
        known = ", ".join(map(repr, groups)) or "none"
        raise ValueError(f"{cls.__qualname__} has no oneof group {group!r} (its groups: {known})")
    return names


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


# The Python functions stay reachable, for the tests to run both engines in the same run.
python_which_oneof = which_oneof
python_oneof_item = oneof_item

if speedups is not None:
    # The compiled twins read the members' slots in place, and leave any unusual call (not a
    # message, a group the class lacks, a deleted member) to the functions above.
    # They are plain C functions with their own names and docstrings (the Python functions'):
    # the module is the one thing to give them, for pickle and help().
    speedups.install_which_oneof(which_oneof, oneof_item, member_names)
    speedups.which_oneof.__module__ = speedups.oneof_item.__module__ = __name__
    which_oneof, oneof_item = speedups.which_oneof, speedups.oneof_item
