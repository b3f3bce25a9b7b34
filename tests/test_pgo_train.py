"""benches/pgo_train.py, the run a profile-guided build learns from (setup.py, DDL_PGO=1)."""

from __future__ import annotations

import pytest

from benches import pgo_train, workloads
from benches.adapters import ddl_adapter


def test_the_training_runs_every_workload_ddls_adapter_builds_through_each_operation() -> None:
    calls = pgo_train.train(seconds=0.0)
    assert set(calls) == set(workloads.WORKLOADS) - set(ddl_adapter.UNSUPPORTED)
    # five operations (encode, decode, decode+read and JSON's two), each called at least 3 times
    assert all(n >= 5 * 3 for n in calls.values()), calls


def test_the_training_is_a_command_that_says_what_it_ran(capsys: pytest.CaptureFixture[str]) -> None:
    assert pgo_train.main(["--seconds", "0"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("pgo training:") and "tree" in out
