"""Per-class generated code that refers to other classes' code, compiled on first use and
published only once everything it refers to is linked.

The Python engine's codecs and the JSON executor's readers and writers are each made for one
class, and call the functions made for the classes its fields hold, recursive schemas included.
Compiling one class compiles what it calls; each result is registered (``building``) before its
own dependencies are compiled, so a class that refers back finds it. Nothing is published (put
on a Binding, where other threads read it without the lock) until the outermost compilation is
done: a thread never runs a function whose dependencies are still unbound.

Example::

    linker: Linker[type, Codec] = Linker(publish=lambda cls, codec: setattr(cls.__ddl__, "codec", codec))
    codec = linker.get(cls, published=lambda: cls.__ddl__.codec, compile=lambda: compile_codec(cls))
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Linker(Generic[K, V]):
    """Compiles values by key under one lock and publishes them all at once (see the module)."""

    def __init__(self, publish: Callable[[K, V], None], lock: threading.RLock | None = None) -> None:
        self.lock = lock or threading.RLock()
        #: Compiled but not yet linked: ``compile`` functions add their value here first.
        self.building: dict[K, V] = {}
        self._publish = publish

    def get(self, key: K, published: Callable[[], V | None], compile: Callable[[], V]) -> V:
        """The published value of ``key``, or one being linked, or ``compile()``'s."""
        found = published()
        if found is not None:
            return found
        with self.lock:
            found = published()
            if found is None:
                found = self.building.get(key)
            if found is not None:
                return found
            outermost = not self.building
            try:
                value = compile()
            except BaseException:
                if outermost:
                    self.building.clear()
                raise
            if outermost:
                for built_key, built in self.building.items():
                    self._publish(built_key, built)
                self.building.clear()
            return value
