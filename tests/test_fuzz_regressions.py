"""Every input saved in tests/fuzz_regressions/ (by `make fuzz`, or by hand) still checks out:
both engines give the same bytes, values and errors, and upb agrees where it should."""

from __future__ import annotations

from pathlib import Path

import pytest

from ddl._compiled import speedups
from fuzz.check import one_input

SAVED = sorted(p for p in (Path(__file__).parent / "fuzz_regressions").iterdir() if not p.name.startswith("."))

pytestmark = pytest.mark.skipif(speedups is None, reason="the compiled engine is not built")


@pytest.mark.parametrize("path", SAVED, ids=lambda p: p.name)
def test_a_saved_fuzz_input_gives_the_same_result_on_both_engines(path: Path) -> None:
    one_input(path.read_bytes())
