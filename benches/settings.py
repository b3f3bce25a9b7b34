"""How long the benchmark times each call, and how big the memory payload is: full or ``--quick``."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Settings:
    """How long to time. A sample is one timed loop of ``loops`` calls, ``target`` seconds long.

    The JSON operations take ``json_samples`` (at least ``json_min_samples``) samples of
    ``json_target`` seconds instead: they run for six libraries on every workload, and protobuf's
    ``json_format`` takes milliseconds a call on the larger ones (tens in ``--quick``'s budget),
    so samples as long and many as the binary ones' would add minutes to the run.
    """

    target: float
    samples: int
    min_samples: int
    memory_mb: float
    json_target: float
    json_samples: int
    json_min_samples: int

    @property
    def budget(self) -> float:
        """At most this many seconds of samples per measurement (slow calls take fewer samples)."""
        return self.target * self.samples * 1.5

    def for_json(self) -> Settings:
        """These settings with the JSON operations' sample length and count."""
        return replace(self, target=self.json_target, samples=self.json_samples, min_samples=self.json_min_samples)


FULL = Settings(
    target=0.050,
    samples=42,
    min_samples=6,
    memory_mb=50.0,
    json_target=0.050,
    json_samples=21,
    json_min_samples=3,
)
QUICK = Settings(
    target=0.015, samples=7, min_samples=3, memory_mb=5.0, json_target=0.003, json_samples=3, json_min_samples=1
)


def chosen(quick: bool) -> Settings:
    """``QUICK`` when ``quick`` (``--quick`` on the command line), else ``FULL``."""
    return QUICK if quick else FULL
