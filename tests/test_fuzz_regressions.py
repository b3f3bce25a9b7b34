"""Every input saved in tests/fuzz_regressions/ (by `make fuzz`, or by hand) still checks out:
both engines give the same bytes, values and errors, and upb agrees where it should."""

from __future__ import annotations

from pathlib import Path

import pytest

from ddl._compiled import speedups
from fuzz.check import one_input, same_outcome

SAVED = sorted(p for p in (Path(__file__).parent / "fuzz_regressions").iterdir() if not p.name.startswith("."))

pytestmark = pytest.mark.skipif(speedups is None, reason="the compiled engine is not built")


@pytest.mark.parametrize("path", SAVED, ids=lambda p: p.name)
def test_a_saved_fuzz_input_gives_the_same_result_on_both_engines(path: Path) -> None:
    one_input(path.read_bytes())


def test_outcomes_compare_sets_holding_nan_by_their_elements_not_their_order() -> None:
    # A NaN hashes by identity, so equal-looking sets may list NaN in different places. The
    # sets are kept alive, so that each NaN has an address (and a hash) of its own.
    sets = [frozenset([2.5, -1.0, float("nan")]) for _ in range(1_000)]
    orders = {repr(s): s for s in sets}
    assert len(orders) > 1
    first, second = list(orders.values())[:2]
    same_outcome(("value", [first]), ("value", [second]))


@pytest.mark.parametrize(
    ("compiled", "reference"),
    [(1, True), (0.0, -0.0), (frozenset([1]), {1}), ((1,), [1]), ({1: 2}, {2: 1})],
    ids=["int-bool", "zero-sign", "set-kind", "sequence-kind", "dict"],
)
def test_outcomes_that_differ_in_kind_or_sign_are_told_apart(compiled: object, reference: object) -> None:
    with pytest.raises(AssertionError):
        same_outcome(("value", [compiled]), ("value", [reference]))
