"""Shared fixtures. Every test that encodes or decodes takes ``engine`` and runs once per engine."""

from __future__ import annotations

import gc
import itertools
import os
import sys
import sysconfig
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.control import current_build_context, currently_in_test_context

import ddl
from ddl import _api, _compiled, _json

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.register_profile("dev", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# The suite's repeat runs in CI (CPython 3.13, the debug allocator, the installed wheel) look for
# what differs by interpreter, allocator or packaging, not for new examples: `make test` draws the
# full 60 on 3.11.
settings.register_profile("smoke", parent=settings.get_profile("ci"), max_examples=12)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)


def examples(count: int) -> int:
    """A test's own number of hypothesis examples, which it draws in ``make test``; the smoke
    profile's where that is fewer, since the repeat runs look for what differs by interpreter,
    allocator or packaging. A test that must reach something in its ``count`` (ddl.testing's
    reach tests) gives the number as it is.

    Example: ``@settings(max_examples=examples(300), deadline=None)``.
    """
    return min(count, settings.get_profile("smoke").max_examples) if PROFILE == "smoke" else count


@dataclass(frozen=True)
class Engine:
    """One engine, seen through the entry points users call.

    ``encode``, ``decode``, ``to_json`` and ``from_json`` take the public functions' arguments.
    Their calls alternate between the functions (``ddl.encode``, ``ddl.decode``, ``ddl.to_json``,
    ``ddl.from_json``) and the classes (``ddl.Encoder``, ``ddl.Decoder``), the functions first: every test (and every
    hypothesis example, which a replay then runs through the same entry points) runs the
    functions, and one that calls twice runs both.
    The ``python`` engine runs the entry points that a build without the compiled engine offers,
    on the Python engine (see ``running``); ``cython`` runs the compiled build's own.
    """

    name: str
    functions: tuple[Callable[..., bytes], Callable[..., Any], Callable[..., str], Callable[..., Any]]
    classes: tuple[type[ddl.Encoder], type[ddl.Decoder[Any]]]
    compiled: bool
    _calls: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def fresh(self) -> Engine:
        """This engine with its calls counted from the first again (the fixture's, per test)."""
        return Engine(self.name, self.functions, self.classes, self.compiled)

    def _through_function(self, operation: str) -> bool:
        example = current_build_context() if currently_in_test_context() else None
        if self._calls.get("example", None) is not example:
            self._calls.clear()
            self._calls["example"] = example
        calls: Iterator[int] = self._calls.setdefault(operation, itertools.count())
        return next(calls) % 2 == 0

    def encode(self, msg: Any, deterministic: bool = False, **options: Any) -> bytes:
        if deterministic:
            options["deterministic"] = True
        if self._through_function("encode"):
            return self.functions[0](msg, **options)
        return self.classes[0](**options).encode(msg)

    def decode(self, data: Any, cls: Any, **options: Any) -> Any:
        if self._through_function("decode"):
            return self.functions[1](data, cls, **options)
        return self.classes[1](cls, **options).decode(data)

    def to_json(self, msg: Any, **options: Any) -> str:
        if self._through_function("to_json"):
            return self.functions[2](msg, **options)
        return self.classes[0]().to_json(msg, **options)

    def from_json(self, text: str | bytes, cls: Any, **options: Any) -> Any:
        if self._through_function("from_json"):
            return self.functions[3](text, cls, **options)
        return self.classes[1](cls).from_json(text, **options)

    @contextmanager
    def running(self) -> Iterator[Engine]:
        """While the block runs, the Python entry points run this engine (the compiled build's
        own entry points always run the compiled one)."""
        before = _compiled.state.compiled
        _compiled.state.compiled = self.compiled
        try:
            yield self
        finally:
            _compiled.state.compiled = before


def python_calls_of(call: Any, *args: Any) -> int:
    """How many Python functions ``call(*args)`` runs (``call``'s own frame included when it is
    Python code): a count of work that does not jitter, and none for a call C code answers."""
    count = 0

    def profile(frame: object, event: str, arg: object) -> None:
        nonlocal count
        count += event == "call"

    sys.setprofile(profile)
    try:
        call(*args)
    finally:
        sys.setprofile(None)
    return count


@contextmanager
def no_collection() -> Iterator[None]:
    """No garbage collection starts in the block: one could run gc.callbacks (hypothesis keeps
    one), Python code that ``python_calls_of`` would count as the engine's."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


# Hypothesis tests that take the engine fixture: nothing in it needs setting up again between examples.
FIXTURE_SAFE = settings(suppress_health_check=[*settings().suppress_health_check, HealthCheck.function_scoped_fixture])

# Whether the compiled engine puts what it decodes in the GC's oldest generation, uncounted
# (ddl/_cy/ddl_gc.c): with the GIL on CPython 3.11 to 3.13.
TENURES = (
    _compiled.speedups is not None and sys.version_info < (3, 14) and not sysconfig.get_config_var("Py_GIL_DISABLED")
)

ENGINES = [
    Engine(
        "python",
        (_api.python_encode, _api.python_decode, _json.python_to_json, _json.python_from_json),
        (_api.PythonEncoder, _api.PythonDecoder),
        False,
    )
]
if _compiled.speedups is not None:
    ENGINES.append(
        Engine("cython", (ddl.encode, ddl.decode, ddl.to_json, ddl.from_json), (ddl.Encoder, ddl.Decoder), True)
    )
# DDL_TEST_ENGINES=cython: the compiled engine alone, for the repeat runs that look for what differs
# in its C code by interpreter, allocator or packaging (the compiled runs of the Makefile's
# test-wheel, on 3.12 where there is one, and test-py313); the Python engine's tests run on 3.11
# and in test-py313's pure-Python run.
if chosen := os.environ.get("DDL_TEST_ENGINES"):
    names = chosen.split(",")
    if unknown := set(names) - {"python", "cython"}:
        raise pytest.UsageError(f"DDL_TEST_ENGINES: no engine named {sorted(unknown)}")
    ENGINES = [engine for engine in ENGINES if engine.name in names]


@pytest.fixture(params=ENGINES, ids=lambda e: e.name)
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    with request.param.fresh().running() as engine:
        yield engine


@pytest.fixture
def gc_restored() -> Iterator[None]:
    """The collector's thresholds and its enabled state, as they were before the test."""
    thresholds, enabled = gc.get_threshold(), gc.isenabled()
    yield
    gc.set_threshold(*thresholds)
    gc.enable() if enabled else gc.disable()
