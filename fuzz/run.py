"""The libFuzzer entry point: ``make fuzz`` runs it under atheris against an instrumented build.

    python -m fuzz.run CORPUS_DIR [libFuzzer flags]

An empty corpus folder is first filled with seed inputs (fuzz.check.seed_inputs). Any
exception other than the expected ones is a finding: libFuzzer saves the input that raised it
under -artifact_prefix, which `make fuzz` points at tests/fuzz_regressions/.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable
from pathlib import Path

import atheris

# ddl's own Python code is instrumented too, so the coverage that guides the fuzzer includes
# the reference engine and the bail paths; the C extension is instrumented by clang.
with atheris.instrument_imports(include=["ddl"]):
    import ddl  # noqa: F401

from fuzz.check import one_input, seed_inputs


def saving(prefix: str | None) -> Callable[[bytes], None]:
    """``one_input``, saving an input that fails to ``PREFIXcrash-<sha1>`` before the failure
    goes on to libFuzzer. libFuzzer saves it too, but its handler can lose the race with its own
    timeout alarm after a long Python traceback (seen once: killed by SIGALRM, nothing saved)."""

    def run(data: bytes) -> None:
        try:
            one_input(data)
        except BaseException:
            if prefix is not None:
                Path(f"{prefix}crash-{hashlib.sha1(data).hexdigest()}").write_bytes(data)
            raise

    return run


def main() -> None:
    corpus = next((Path(a) for a in sys.argv[1:] if not a.startswith("-")), None)
    if corpus is not None and not any(corpus.iterdir()):
        for seed in seed_inputs():
            (corpus / hashlib.sha1(seed).hexdigest()).write_bytes(seed)
    prefix = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("-artifact_prefix=")), None)
    atheris.Setup(sys.argv, saving(prefix))
    atheris.Fuzz()


if __name__ == "__main__":
    main()
