"""The imports of one generated module: standard modules, ddl, and other generated modules.

Example::

    imports = Imports("shop.order_ddl", taken={"Order"})
    imports.alias("shop.common_ddl")      # "common_ddl", imported as `from shop import common_ddl`
    print("\\n".join(imports.lines()))
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ._names import module_alias
from ._wrap import LINE_LENGTH


class Imports:
    """Collects what a module's code refers to, and writes the import lines for it."""

    def __init__(self, module: str, taken: set[str]) -> None:
        self.module = module
        self._taken = set(taken)
        self._std: set[str] = set()
        self._modules: dict[str, str] = {}
        self._tops: dict[str, str] = {}
        self._public: list[tuple[str, list[str]]] = []

    def need(self, *modules: str) -> None:
        """Note that the code uses ``collections.abc``, ``datetime``, ``enum``, ``typing``, ``ddl``,
        ``ddl.grpc``, ``ddl.wkt``, ``grpc`` or ``grpc.aio``."""
        self._std.update(modules)

    def alias(self, module: str) -> str:
        """The name another generated module is imported as (a clash gets a longer name)."""
        if module not in self._modules:
            alias = module_alias(module, self._taken)
            self._taken.add(alias)
            self._modules[module] = alias
        return self._modules[module]

    def top_alias(self, name: str) -> str:
        """A module-level second name for a top-level class that a nested class's name hides."""
        if name not in self._tops:
            alias = f"_{name}_"
            while alias in self._taken:
                alias = f"_{alias}"
            self._taken.add(alias)
            self._tops[name] = alias
        return self._tops[name]

    def top_aliases(self, names: set[str]) -> list[str]:
        """``_Name_ = Name`` lines for the aliases of ``names``, once those classes exist."""
        return [f"{alias} = {name}" for name, alias in self._tops.items() if name in names]

    def public(self, module: str, names: list[str]) -> None:
        """Re-export ``names`` from ``module`` (``import public``)."""
        self._public.append((module, names))

    def lines(self) -> list[str]:
        """The import block, sorted as isort sorts it when the generated tree is first-party code.

        ddl's own modules (``ddl.protobuf.descriptor`` and the like) join ``import ddl``'s section.
        """
        std = [f"import {m}" for m in ("collections.abc", "datetime", "enum", "typing") if m in self._std]
        out = ["from __future__ import annotations", "", *std, *([""] if std else [])]
        # grpc is a third party, as ddl is: one section, sorted by name.
        ours = [f"import {m}" for m in ("ddl", "ddl.grpc", "ddl.wkt", "grpc", "grpc.aio") if m in self._std]
        ours += self._froms(lambda module: module.startswith("ddl."))
        out += ours + ([""] if ours else [])
        others = self._froms(lambda module: not module.startswith("ddl."))
        return out + others if others else out[:-1]

    def _froms(self, keep: Callable[[str], bool]) -> list[str]:
        """The lines importing the generated modules that ``keep`` takes, and their public names."""
        plain: list[str] = []
        froms: dict[tuple[str, str], list[str]] = {}
        for module, alias in self._modules.items():
            if not keep(module):
                continue
            package, _, last = module.rpartition(".")
            rename = "" if alias == last else f" as {alias}"
            if package:
                froms.setdefault((package, rename), []).append(f"{last}{rename}")
            else:
                plain.append(f"import {last}{rename}")
        for module, names in self._public:
            if keep(module):
                froms.setdefault((module, ""), []).extend(names)
        lines = sorted(plain, key=str.lower)
        for (module, rename), names in sorted(froms.items(), key=lambda item: (item[0][0].lower(), item[0][1])):
            if rename:
                lines += [f"from {module} import {name}" for name in sorted(names)]
            else:
                lines += _from_line(module, sorted(set(names), key=member_key))
        return lines


def _from_line(module: str, names: list[str]) -> list[str]:
    """``from module import names``; past the line length, one name a line in parentheses, as isort wraps it."""
    line = f"from {module} import {', '.join(names)}"
    if len(line) <= LINE_LENGTH:
        return [line]
    return [f"from {module} import (", *(f"    {name}," for name in names), ")"]


def member_key(name: str) -> tuple[int, str]:
    """isort's order for imported names and ``__all__``: CONSTANTS, then Classes, then the rest."""
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return kind, name.lower()


def all_key(name: str) -> tuple[int, list[tuple[int, int, int] | tuple[int, str]]]:
    """ruff's order for ``__all__`` (RUF022): member_key's kinds, each in natural order of the exact
    name (``V2`` before ``V10``, ``V02`` before ``V2``, ``HTTPServer`` before ``Http``)."""
    runs = re.findall(r"\d+|\D+", name)
    return member_key(name)[0], [(0, int(run), -len(run)) if run.isdigit() else (1, run) for run in runs]
