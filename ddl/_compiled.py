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

from ._binding import Binding
from ._codegen import codec_for


def _load() -> ModuleType | None:
    if os.environ.get("DDL_PURE_PYTHON") == "1":
        return None
    try:
        from . import _speedups
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
    """The compiled Program of a message class, or None when the class runs on Python code.
    Decided on first use, and kept on the class's Binding (``__ddl__``)."""
    binding: Binding = cls.__dict__["__ddl__"]
    if binding.runs_on == "undecided":
        codec_for(cls)  # the Python engine first: a Program calls its wrapper functions
        with _lock:
            if binding.runs_on == "undecided":
                _build(cls)
    return binding.program


def _build(cls: type) -> None:
    if speedups is None:
        cls.__dict__["__ddl__"].runs_on = "python"
        return

    # Programs are published on their bindings only once every one of them is complete: the
    # compiled entry points read binding.program without taking the lock, and must never run a
    # Program whose ops are not filled in yet. A recursive schema finds its own in ``building``.
    building: dict[type, Any] = {}

    def nested(child: type) -> Any:
        binding: Binding = child.__dict__["__ddl__"]
        if binding.runs_on == "compiled":
            return binding.program
        if child not in building:
            assert speedups is not None
            codec = codec_for(child)
            speedups.build(codec.plan, nested, partial(building.__setitem__, child), codec.wrappers)
        return building[child]

    nested(cls)
    speedups.seal(list(building.values()))
    for child, program in building.items():
        binding = child.__dict__["__ddl__"]
        binding.program = program
        binding.runs_on = "compiled"
    building.clear()  # ``nested`` refers to itself: the cycle must not hold the classes until a collection
