"""Schemas written with postponed annotations and forward references across the module."""

from __future__ import annotations

import ddl


class Tree(ddl.Message):
    label: str = ""
    children: list[Tree] = []
    parent_hint: Leaf | None = None


class Leaf(ddl.Message):
    weight: float = 0.0
    owner: Tree | None = None


class Outer(ddl.Message):
    class Inner(ddl.Message):
        n: int = 0

    inner: Inner | None = None
    inners: list[Outer.Inner] = []
