"""Builds the compiled engine, ddl._speedups, when Cython and a C compiler are available.

Without them, or with DDL_PURE_PYTHON=1 at build time, ddl installs and runs on its pure-Python
engine alone. A compile that fails leaves the marker ddl/_speedups.failed where the engine would
be, so that ``import ddl`` warns (see ddl/_compiled.py); DDL_REQUIRE_COMPILED=1 makes it an error
instead, for CI and wheel builds. DDL_SANITIZE=address (or any list for -fsanitize=, such as
fuzzer-no-link,address with CC=clang) builds it instrumented for `make asan` and `make fuzz`.
Everything else about the package is declared in pyproject.toml.
"""

import glob
import os
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

REQUIRED = os.environ.get("DDL_REQUIRE_COMPILED") == "1"


class OptionalBuildExt(build_ext):
    """A failed compile is a warning and a marker, not an error: the pure-Python engine is the fallback."""

    def run(self) -> None:
        # Where the module goes: the source tree for --inplace and editable installs, build/lib
        # (and so the wheel) otherwise. Found before the build, which clears ``inplace`` meanwhile.
        self.marker = Path(self.get_ext_fullpath("ddl._speedups")).parent / "_speedups.failed"
        self.marker.unlink(missing_ok=True)  # from an earlier build that failed
        try:
            super().run()
        except Exception as exc:  # noqa: BLE001 - any build failure means "no compiled engine"
            self._failed(exc)

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)
        except Exception as exc:  # noqa: BLE001
            self._failed(exc)

    def _failed(self, exc: Exception) -> None:
        if REQUIRED:
            raise exc
        self.warn(f"ddl: the compiled engine was not built ({exc}); ddl runs on its pure-Python engine")
        if not self.marker.exists():  # the first failure is the cause; later ones follow from it
            self.marker.parent.mkdir(parents=True, exist_ok=True)
            self.marker.write_text(f"{type(exc).__name__}: {exc}\n")


# gcc and clang: Cython's ``inline`` hint becomes a requirement. Without it gcc stops inlining
# the per-element helpers into the recursive encode loop as that loop grows (measured with
# callgrind: medium encode +18%, tree +8%). MSVC has no such attribute and keeps the hint.
ALWAYS_INLINE = [] if sys.platform == "win32" else ["-DCYTHON_INLINE=inline __attribute__((always_inline))"]


def extensions() -> list[Extension]:
    if os.environ.get("DDL_PURE_PYTHON") == "1":
        return []
    try:
        from Cython.Build import cythonize
    except ImportError:
        if REQUIRED:
            raise
        return []
    compile_args, link_args = ["-O3", *ALWAYS_INLINE], []
    sanitize = os.environ.get("DDL_SANITIZE")
    if sanitize:
        # -O1 and frame pointers keep the sanitizer's stack traces readable and its checks exact.
        compile_args = [f"-fsanitize={sanitize}", "-O1", "-g", "-fno-omit-frame-pointer", *ALWAYS_INLINE]
        link_args = [f"-fsanitize={sanitize}"]
    # The C helpers are headers in ddl/_cy, listed as depends so that editing one rebuilds, and
    # one C file, ddl_gc.c, which reads CPython's internal headers apart from the rest.
    ext = Extension(
        "ddl._speedups",
        ["ddl/_speedups.pyx", "ddl/_cy/ddl_gc.c"],
        include_dirs=["ddl/_cy"],
        depends=sorted(glob.glob("ddl/_cy/*.h")),
        extra_compile_args=compile_args,
        extra_link_args=link_args,
    )
    directives = {"language_level": 3, "boundscheck": False, "wraparound": False, "cdivision": True}
    return cythonize([ext], compiler_directives=directives, quiet=True)


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
