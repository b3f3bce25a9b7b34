"""Shared fixtures. Every test that encodes or decodes takes ``engine`` and runs once per engine."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from ddl._api import decode_with, encode_with
from ddl._compiled import speedups

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.register_profile("dev", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@dataclass(frozen=True)
class Engine:
    """One executor of the compiled plan, seen through the same calls the public API offers."""

    name: str
    encode: Callable[..., bytes]
    decode: Callable[..., Any]


ENGINES = [Engine("python", partial(encode_with, False), partial(decode_with, False))]
if speedups is not None:
    ENGINES.append(Engine("cython", partial(encode_with, True), partial(decode_with, True)))


@pytest.fixture(params=ENGINES, ids=lambda e: e.name)
def engine(request: pytest.FixtureRequest) -> Engine:
    engine: Engine = request.param
    return engine
