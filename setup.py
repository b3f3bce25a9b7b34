"""Builds the compiled engine, ddl._speedups, when Cython and a C compiler are available.

Without them, or with DDL_PURE_PYTHON=1 at build time, ddl installs and runs on its pure-Python
engine alone. DDL_SANITIZE=address (or any list for -fsanitize=, such as fuzzer-no-link,address
with CC=clang) builds it instrumented for `make asan` and `make fuzz`. Everything else about the
package is declared in pyproject.toml.
"""

import glob
import os
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


class OptionalBuildExt(build_ext):
    """A failed compile is a warning, not an error: the pure-Python engine is the fallback."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # noqa: BLE001 - any build failure means "no compiled engine"
            self.warn(f"ddl: the compiled engine was not built ({exc}); ddl runs on its pure-Python engine")

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)
        except Exception as exc:  # noqa: BLE001
            self.warn(f"ddl: {ext.name} was not built ({exc}); ddl runs on its pure-Python engine")


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
        return []
    compile_args, link_args = ["-O3", *ALWAYS_INLINE], []
    sanitize = os.environ.get("DDL_SANITIZE")
    if sanitize:
        # -O1 and frame pointers keep the sanitizer's stack traces readable and its checks exact.
        compile_args = [f"-fsanitize={sanitize}", "-O1", "-g", "-fno-omit-frame-pointer", *ALWAYS_INLINE]
        link_args = [f"-fsanitize={sanitize}"]
    # The C helpers are headers in ddl/_cy; listed as depends, so that editing one rebuilds.
    ext = Extension(
        "ddl._speedups",
        ["ddl/_speedups.pyx"],
        include_dirs=["ddl/_cy"],
        depends=sorted(glob.glob("ddl/_cy/*.h")),
        extra_compile_args=compile_args,
        extra_link_args=link_args,
    )
    directives = {"language_level": 3, "boundscheck": False, "wraparound": False, "cdivision": True}
    return cythonize([ext], compiler_directives=directives, quiet=True)


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
