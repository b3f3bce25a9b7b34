"""The bridge to the compiled engine: which engine runs, and each class's compiled Program.

The compiled engine (``ddl._speedups``) runs every class when it is built; without it, classes
run on the generated Python code. Either way the results are the same: the compiled engine
hands anything unusual, every error included, back to the Python engine (see ``_speedups.Bail``).
"""

from __future__ import annotations

import os
import threading
from functools import partial
from types import ModuleType
from typing import Any

from ._codegen import codec_for


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
    """Whether the Python entry points (``_api.encode`` and the rest, the public API of a build
    without the compiled engine) run the compiled engine; the tests turn it off to run them on
    the Python engine."""

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
    if speedups is None:
        codec_for(cls).program = False
        return

    # Programs are published on their codecs only once every one of them is complete: another
    # thread finds codec.program without taking the lock, and must never run a Program whose
    # ops are not filled in yet. A recursive schema finds its own Program in ``building``.
    building: dict[type, Any] = {}

    def nested(child: type) -> Any:
        program = codec_for(child).program
        if program is not None:
            return program
        if child not in building:
            assert speedups is not None
            codec = codec_for(child)
            speedups.build(codec.plan, nested, partial(building.__setitem__, child), codec.wrappers)
        return building[child]

    nested(cls)
    speedups.seal(list(building.values()))
    for child, program in building.items():
        codec_for(child).program = program
    building.clear()  # ``nested`` refers to itself: the cycle must not hold the classes until a collection
