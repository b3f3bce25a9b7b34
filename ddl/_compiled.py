"""The bridge to the compiled engine: which engine runs, and each class's compiled Program.

The compiled engine (``ddl._speedups``) runs a class only when every field of the class, and
of every class it nests, has a shape the engine compiles. Other classes run on the generated
Python code. Either way the results are the same: the compiled engine hands anything unusual,
every error included, back to the Python engine (see ``_speedups.Bail``).
"""

from __future__ import annotations

import os
import threading
from types import ModuleType
from typing import Any

from ._codegen import codec_for
from ._schema import MapNode, MessageNode, RepeatedNode, UnionNode, WrapperNode


def _load() -> ModuleType | None:
    if os.environ.get("DDL_PURE_PYTHON") == "1":
        return None
    try:
        from . import _speedups  # type: ignore[attr-defined]
    except ImportError:
        return None
    module: ModuleType = _speedups
    return module


speedups = _load()
_lock = threading.RLock()


class _State:
    """Whether the public API runs the compiled engine (tests switch it per call)."""

    compiled = speedups is not None


state = _State()


def engine() -> str:
    """The engine that ``ddl.encode`` and ``ddl.decode`` run: ``"cython"`` or ``"python"``.

    The compiled engine is the default whenever it was built; ``DDL_PURE_PYTHON=1`` turns it off.

    Example::

        print(ddl.engine())
    """
    return "cython" if state.compiled else "python"


def program_of(cls: type) -> Any:
    """The compiled Program of a message class, or None when the class runs on Python code."""
    codec = codec_for(cls)
    if codec.program is None:
        with _lock:
            if codec.program is None:
                _build(cls)
    if "__ddl_program__" not in cls.__dict__:
        # Where the compiled entry points look first (see _speedups._program_for).
        type.__setattr__(cls, "__ddl_program__", codec.program)
    return codec.program or None


def _build(cls: type) -> None:
    if speedups is None or not _compilable(cls, set()):
        codec_for(cls).program = False
        return

    def register(program: Any, cls: type = cls) -> None:
        codec_for(cls).program = program

    def nested(child: type) -> Any:
        child_codec = codec_for(child)
        if child_codec.program is None:
            assert speedups is not None
            speedups.build(child_codec.plan, nested, lambda p: setattr(child_codec, "program", p))
        return child_codec.program

    speedups.build(codec_for(cls).plan, nested, register)


def _compilable(cls: type, visiting: set[type]) -> bool:
    """Whether this class and every class it nests have only shapes the engine compiles: all but
    the wrapper messages of the nested-container conventions."""
    codec = codec_for(cls)
    if codec.program is not None:
        return codec.program is not False
    if cls in visiting:
        return True
    visiting.add(cls)
    for f in codec.plan.fields:
        node = f.node
        if isinstance(node, RepeatedNode):
            nodes = [node.elem]
        elif isinstance(node, MapNode):
            nodes = [node.value]
        elif isinstance(node, UnionNode):
            nodes = list(node.members)
        else:
            nodes = [node]
        for node in nodes:
            if isinstance(node, WrapperNode):
                return False
            if isinstance(node, MessageNode) and not _compilable(node.cls, visiting):
                return False
    return True
