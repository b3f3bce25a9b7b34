"""Find the ddl classes a command line names: ``MODULE``, ``MODULE:CLASS`` or a ``.py`` file.

Example::

    classes, module = load_classes("shop.models:Order")
    assert module == "shop.models"
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

from .._message import Message
from .._schema import is_message_class
from .._service import is_service_declaration


class LoadError(Exception):
    """The target cannot be imported or names no ddl class; the message says which and why."""


def load_classes(target: str, services: list[type] | None = None) -> tuple[list[type], str]:
    """The classes ``target`` names, and the name of the module they come from.

    ``MODULE`` means every ``ddl.Message`` subclass defined in that module, in definition order;
    ``MODULE:CLASS`` one class (``CLASS`` may be dotted, ``Outer.Inner``). ``MODULE`` is a dotted
    name imported as ``python -m`` would, with the current folder on ``sys.path``, or the path of
    a ``.py`` file. Given a ``services`` list, the ``ddl.Service`` declarations that ``target``
    names join it (every one ``MODULE`` defines, or ``MODULE:NAME`` naming one), from the same
    import as the classes.

    Example::

        classes, module = load_classes("shop/models.py")
    """
    module_part, _, class_part = target.partition(":")
    module = _import(module_part)
    if not class_part:
        classes = _defined_in(module)
        declared = [v for v in vars(module).values() if is_service_declaration(v) and v.__module__ == module.__name__]
        if services is not None:
            services += dict.fromkeys(declared)
        if not classes and not (declared and services is not None):
            raise LoadError(f"{module_part}: defines no ddl.Message class")
        return classes, module.__name__
    obj: object = module
    for part in class_part.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            raise LoadError(f"{target}: {module.__name__} has no {class_part}")
    if services is not None and is_service_declaration(obj):
        assert isinstance(obj, type)
        services.append(obj)
        return [], module.__name__
    if not is_message_class(obj):
        raise LoadError(f"{target}: {class_part} is not a ddl.Message class")
    assert isinstance(obj, type)
    return [obj], module.__name__


def load_class(target: str) -> type[Message]:
    """The one class ``MODULE:CLASS`` names (``MODULE`` as in ``load_classes``).

    Example::

        order = load_class("examples.demo:Order")
    """
    module_part, colon, class_part = target.partition(":")
    if not colon or not module_part or not class_part:
        raise LoadError(f"expected MODULE:CLASS, such as shop.models:Order, got {target!r}")
    cls: type[Message] = load_classes(target)[0][0]  # load_classes checked it is one
    return cls


def _import(name: str) -> ModuleType:
    if name.endswith(".py"):
        return _import_file(Path(name))
    cwd = os.getcwd()
    if cwd not in sys.path and "" not in sys.path:
        sys.path.insert(0, cwd)
    try:
        return importlib.import_module(name)
    except Exception as exc:  # a SchemaError at class creation too: report it, not a traceback
        raise LoadError(f"{name}: importing it failed: {type(exc).__name__}: {exc}") from exc


def _import_file(path: Path) -> ModuleType:
    """Import a file as the module named after it, replacing any module already loaded so.

    Two versions of one schema (old/models.py, new/models.py) are read one after the other, so
    each is loaded fresh; its classes resolve their names in their own module.
    """
    if not path.is_file():
        raise LoadError(f"{path}: no such file")
    name = path.stem
    loaded = sys.modules.get(name)
    if loaded is not None and not getattr(loaded, "__ddl_from_file__", False):
        raise LoadError(f"{path}: a module named {name} is imported already; give the file another name")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    module.__ddl_from_file__ = True  # type: ignore[attr-defined]
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise LoadError(f"{path}: importing it failed: {type(exc).__name__}: {exc}") from exc
    return module


def _defined_in(module: ModuleType) -> list[type]:
    seen: dict[int, type] = {}
    for value in vars(module).values():
        if is_message_class(value) and value.__module__ == module.__name__:
            seen.setdefault(id(value), value)
    return list(seen.values())
