"""How long the benchmark times each call, and how big the memory payload is: full or ``--quick``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    """How long to time. A sample is one timed loop of ``loops`` calls, ``target`` seconds long."""

    target: float
    samples: int
    min_samples: int
    memory_mb: float

    @property
    def budget(self) -> float:
        """At most this many seconds of samples per measurement (slow calls take fewer samples)."""
        return self.target * self.samples * 1.5


FULL = Settings(target=0.050, samples=41, min_samples=5, memory_mb=50.0)
QUICK = Settings(target=0.015, samples=7, min_samples=3, memory_mb=5.0)
