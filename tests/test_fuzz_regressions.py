"""Every input saved in tests/fuzz_regressions/ (by `make fuzz`, or by hand) still checks out:
both engines give the same bytes, values and errors, and upb agrees where it should."""

from __future__ import annotations

from pathlib import Path

import pytest

import ddl
from ddl._compiled import speedups
from fuzz.check import DECODE, JSON, TARGETS, both, one_input, same_outcome, seed_inputs

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


def test_json_mode_starts_from_text_that_every_target_reads_alike_on_both_engines() -> None:
    # The JSON-mode seeds are ddl's own text of the values the decode-mode seeds encode: read,
    # they are values, so that the fuzzer starts from text that goes past the first error into
    # each reader.
    seeds = seed_inputs(per_target=1)
    json_seeds = [s for s in seeds if s[1] == JSON]
    assert {s[0] for s in json_seeds} == {s[0] for s in seeds if s[1] == DECODE}
    assert len(json_seeds) > len(TARGETS) // 2
    for seed in json_seeds:
        read = both(ddl.from_json, seed[2:], TARGETS[seed[0]].cls)
        assert read[0] == "value", (TARGETS[seed[0]].cls, seed[2:], read)
