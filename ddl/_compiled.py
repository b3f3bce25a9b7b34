"""The bridge to the compiled engine: which engine runs, and each class's compiled Program.

The compiled engine (``ddl._speedups``) runs every class when it is built; without it, classes
run on the generated Python code. Either way the results are the same: the compiled engine
hands anything unusual, every error included, back to the Python engine (see ``_speedups.Bail``).

A compiled engine that was expected but cannot be imported is reported once, at import, by a
``CompiledEngineWarning``: expected means that the build tried and failed (it leaves the marker
``_speedups.failed``, see setup.py), or that a built module does not load. A pure-Python install
(``DDL_PURE_PYTHON=1`` at build or run time) is silent. ``DDL_REQUIRE_COMPILED=1`` at import
makes a missing engine an ``ImportError``.
"""

from __future__ import annotations

import importlib
import os
import threading
import warnings
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

from ._binding import Binding
from ._pyengine import codec_for


class CompiledEngineWarning(RuntimeWarning):
    """The compiled engine was expected but cannot be loaded; ddl runs on its pure-Python engine.

    The results are the same, only slower. Set ``DDL_PURE_PYTHON=1`` to choose the pure-Python
    engine and silence it, or ``DDL_REQUIRE_COMPILED=1`` to make it an ``ImportError``.

    Example::

        warnings.simplefilter("error", ddl.CompiledEngineWarning)  # before the first ``import ddl``
    """


FAILED_BUILD = Path(__file__).with_name("_speedups.failed")


def _load() -> ModuleType | None:
    if os.environ.get("DDL_PURE_PYTHON") == "1":
        return None
    required = os.environ.get("DDL_REQUIRE_COMPILED") == "1"
    try:
        # Not ``from . import _speedups``: that turns "no such module" into a plain ImportError.
        module = importlib.import_module(f"{__package__}._speedups")
    except ImportError as exc:
        absent = isinstance(exc, ModuleNotFoundError) and exc.name == f"{__package__}._speedups"
        failed_build = FAILED_BUILD.exists()
        if absent and not failed_build and not required:
            return None  # installed without it, by choice or for want of Cython
        if absent:
            reason = f"its build failed: {FAILED_BUILD.read_text().strip()}" if failed_build else "it was not built"
        else:
            reason = f"it does not load: {type(exc).__name__}: {exc}"
        if required:
            raise ImportError(f"ddl: DDL_REQUIRE_COMPILED=1, but the compiled engine is missing ({reason})") from exc
        warnings.warn(
            f"ddl: the compiled engine is missing ({reason}); ddl runs on its pure-Python engine, with the "
            "same results, more slowly. Reinstall with a C compiler (DDL_REQUIRE_COMPILED=1 makes a failed "
            "build an error), or set DDL_PURE_PYTHON=1 to choose the pure-Python engine.",
            CompiledEngineWarning,
            stacklevel=2,
        )
        return None
    return module


speedups = _load()
_lock = threading.RLock()


class _State:
    """Whether the Python entry points (``_api.encode`` and the rest, the public API of a build
    without the compiled engine) run the compiled engine; the tests turn it off to run them on
    the Python engine. The compiled JSON entry points keep their own copy, which a change here
    sets, so that they read no attribute at each call."""

    def __init__(self) -> None:
        self._compiled = speedups is not None

    @property
    def compiled(self) -> bool:
        return self._compiled

    @compiled.setter
    def compiled(self, on: bool) -> None:
        self._compiled = on
        if speedups is not None:
            speedups.use_compiled_entries(on)


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


def extended(cls: type) -> None:
    """Tell the Programs of ``cls`` and of its subclasses that an extension was made for
    ``cls`` (ddl._extensions declares it first): their JSON writer no longer drops unknown
    fields. Under the lock of the builds, so that a Program built meanwhile is marked here once
    published, or saw the extension when it was built (``declared_for``)."""
    if speedups is None:
        return
    with _lock:
        classes = [cls]
        while classes:
            klass = classes.pop()
            binding = klass.__dict__.get("__ddl__")
            if isinstance(binding, Binding) and binding.runs_on == "compiled":
                speedups.mark_extended(binding.program)
            classes.extend(klass.__subclasses__())


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
