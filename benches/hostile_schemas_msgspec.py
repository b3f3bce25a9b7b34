"""msgspec's Structs for the hostile-memory benchmark: hostile.proto's messages as array-like Structs."""

from __future__ import annotations

import msgspec


class Empty(msgspec.Struct, array_like=True):
    pass


class Inner(msgspec.Struct, array_like=True):
    a: int = 0
    b: str = ""


class Wide(msgspec.Struct, array_like=True):
    id: int = 0
    name: str = ""
    score: float = 0.0
    active: bool = False
    blob: bytes = b""
    nums: list[int] = []
    tags: list[str] = []
    attrs: dict[str, int] = {}
    inner: Inner = msgspec.field(default_factory=Inner)
    other: Inner = msgspec.field(default_factory=Inner)
    count: int = 0


class FrozenInner(msgspec.Struct, array_like=True, frozen=True):
    a: int = 0
    b: str = ""


class Frozen(msgspec.Struct, array_like=True, frozen=True):
    id: int = 0
    name: str = ""
    score: float = 0.0
    active: bool = False
    blob: bytes = b""
    nums: tuple[int, ...] = ()
    tags: tuple[str, ...] = ()
    inner: FrozenInner = msgspec.field(default_factory=FrozenInner)
    other: FrozenInner = msgspec.field(default_factory=FrozenInner)
    count: int = 0


class Known(msgspec.Struct, array_like=True):
    a: int = 0


class Node(msgspec.Struct, array_like=True):
    children: list[Node] = []


class Empties(msgspec.Struct, array_like=True):
    items: list[Empty] = []


class Wides(msgspec.Struct, array_like=True):
    items: list[Wide] = []


class Frozens(msgspec.Struct, array_like=True, frozen=True):
    items: tuple[Frozen, ...] = ()


class Knowns(msgspec.Struct, array_like=True):
    items: list[Known] = []


class Packed(msgspec.Struct, array_like=True):
    values: list[int] = []


class EmptyMap(msgspec.Struct, array_like=True):
    entries: dict[int, Inner] = {}
