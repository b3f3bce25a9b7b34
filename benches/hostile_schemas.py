"""ddl's classes for the hostile-memory benchmark (hostile_memory.py), field for field as in hostile.proto."""

from __future__ import annotations

import ddl


class Empty(ddl.Message):
    pass


class Inner(ddl.Message):
    a: int = 0
    b: str = ""


class Wide(ddl.Message):
    id: int = 0
    name: str = ""
    score: float = 0.0
    active: bool = False
    blob: bytes = b""
    nums: list[int] = []
    tags: list[str] = []
    attrs: dict[str, int] = {}
    inner: Inner = ddl.field(default_factory=Inner)
    other: Inner = ddl.field(default_factory=Inner)
    count: ddl.int32 = 0


class FrozenInner(ddl.Message, frozen=True):
    a: int = 0
    b: str = ""


class Frozen(ddl.Message, frozen=True):
    id: int = 0
    name: str = ""
    score: float = 0.0
    active: bool = False
    blob: bytes = b""
    nums: tuple[int, ...] = ()
    tags: tuple[str, ...] = ()
    inner: FrozenInner = ddl.field(default_factory=FrozenInner)
    other: FrozenInner = ddl.field(default_factory=FrozenInner)
    count: ddl.int32 = 0


class Known(ddl.Message):
    a: int = 0


class Node(ddl.Message):
    children: list[Node] = []


class Empties(ddl.Message):
    items: list[Empty] = []


class Wides(ddl.Message):
    items: list[Wide] = []


class Frozens(ddl.Message, frozen=True):
    items: tuple[Frozen, ...] = ()


class Knowns(ddl.Message):
    items: list[Known] = []


class Packed(ddl.Message):
    values: list[int] = []


class EmptyMap(ddl.Message):
    entries: dict[ddl.int32, Inner] = {}
