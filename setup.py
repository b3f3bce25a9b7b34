"""Builds the compiled engine, ddl._speedups, when Cython and a C compiler are available.

Without them, or with DDL_PURE_PYTHON=1 at build time, ddl installs and runs on its pure-Python
engine alone. A compile that fails leaves the marker ddl/_speedups.failed where the engine would
be, so that ``import ddl`` warns (see ddl/_compiled.py); DDL_REQUIRE_COMPILED=1 makes it an error
instead, for CI and wheel builds. DDL_SANITIZE=address (or any list for -fsanitize=, such as
fuzzer-no-link,address with CC=clang) builds it instrumented for `make asan` and `make fuzz`.
DDL_PGO=1 builds it guided by a profile, with gcc: built once counting, run over the benchmark
suite's workloads (benches/pgo_train.py), and built again from the counts (the Makefile's builds
and wheels do). Everything else about the package is declared in pyproject.toml.
"""

import glob
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

REQUIRED = os.environ.get("DDL_REQUIRE_COMPILED") == "1"
PROFILED = os.environ.get("DDL_PGO") == "1" and not os.environ.get("DDL_SANITIZE")


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
            if PROFILED and self._gcc():
                self._build_profiled(ext)
            else:
                if PROFILED:
                    self.warn("ddl: a build guided by a profile takes gcc; building without a profile")
                super().build_extension(ext)
        except Exception as exc:  # noqa: BLE001
            self._failed(exc)

    def _gcc(self) -> bool:
        """Whether the compiler is gcc, whose flags the profiled build uses (clang, Apple's
        ``gcc`` among them, and MSVC take others)."""
        if self.compiler.compiler_type != "unix":
            return False
        try:
            version = subprocess.run([self.compiler.compiler_so[0], "--version"], capture_output=True, text=True)
        except OSError:
            return False
        return "Free Software Foundation" in version.stdout

    def _build_profiled(self, ext: Extension) -> None:
        """Builds ``ext`` counting its branches and calls, runs the training, and builds it again
        from the counts. Functions the training never ran are optimized as without a profile
        (-fprofile-partial-training), not for size. A training that fails leaves the first
        build's flags off and the build without a profile, with a warning."""
        counts = Path(self.build_temp).resolve() / "pgo"
        shutil.rmtree(counts, ignore_errors=True)  # counts of older sources would not match
        compile_args, link_args = list(ext.extra_compile_args), list(ext.extra_link_args)
        self.force = True  # the second build replaces the first, however recent
        ext.extra_compile_args = [*compile_args, f"-fprofile-generate={counts}", "-fprofile-update=single"]
        ext.extra_link_args = [*link_args, f"-fprofile-generate={counts}"]
        super().build_extension(ext)
        ext.extra_compile_args, ext.extra_link_args = compile_args, link_args
        try:
            self._train(ext)
            if not any(counts.rglob("*.gcda")):  # the run imported some other build
                raise OSError(f"the training left no counts in {counts}")
        except (OSError, subprocess.CalledProcessError) as exc:
            if REQUIRED:
                raise
            self.warn(f"ddl: the profile's training failed ({exc}); building without a profile")
        else:
            ext.extra_compile_args = [
                *compile_args,
                f"-fprofile-use={counts}",
                "-fprofile-partial-training",
                "-Wno-missing-profile",
                *LIBC_COPIES,
            ]
        super().build_extension(ext)
        ext.extra_compile_args = compile_args

    def _train(self, ext: Extension) -> None:
        """Runs benches/pgo_train.py over the module just built, in a copy of the package made
        for it: the build writes the module under build/ (an in-place build copies it into the
        source tree only once every extension is built), so the source tree's package would
        import an older one."""
        built = Path(self.get_ext_fullpath(ext.name)).resolve()
        source_root = Path(__file__).resolve().parent
        with tempfile.TemporaryDirectory() as tmp:
            package = Path(tmp) / "ddl"
            skip = shutil.ignore_patterns("*.so", "*.pyd", "_speedups.failed", "__pycache__")
            shutil.copytree(source_root / "ddl", package, ignore=skip)
            shutil.copy2(built, package / built.name)
            # Run from the copy, which comes first on sys.path; benches/ from the source tree.
            env = dict(os.environ, PYTHONPATH=os.pathsep.join([tmp, str(source_root)]))
            subprocess.run([sys.executable, "-m", "benches.pgo_train"], cwd=tmp, env=env, check=True)

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


# With a profile, gcc expands a copy of unknown length that ran often in place, as `rep movsq`
# with 8-byte moves around it, whatever length it is given; on x86-64 that instruction takes
# about 30 ns to start (AMD EPYC, Zen 3: 30.8 ns to copy 36 bytes, where libc's memcpy takes
# 3.1), and decoding 1,000 UUID strings took 31 µs instead of 26.5. The profiled build leaves
# copies of unknown length to libc.
LIBC_COPIES = (
    ["-mmemcpy-strategy=libcall:-1:noalign", "-mmemset-strategy=libcall:-1:noalign"]
    if platform.machine().lower() in ("x86_64", "amd64")
    else []
)


# Each function starts a cache line, so that a function's hot loop keeps its place among the
# lines whatever code comes before it. At gcc's default (16 bytes) a change elsewhere in the
# module moved the UTF-8 decoder 96 bytes, its loop over a text's characters came to span three
# lines instead of two, and text's decode took 7% longer with not one instruction of it changed
# (benches/README.md, 2026-12-03 (6)). The module grows by 1.3%. gcc and clang; MSVC has no
# such option.
ALIGN_FUNCTIONS = [] if sys.platform == "win32" else ["-falign-functions=64"]


# Calls into CPython and between ddl's own C files go straight to their targets. By default a
# shared library's calls to functions it could have interposed (its own exported ones, as
# ddl_gc.c's) pass through a PLT stub each, and calls into libpython through one too: the stubs
# took 4.7% of decoding and freeing a tree (perf, benches/README.md, 2026-12-03 (8)). Hidden
# visibility leaves only the module's init function exported (Python's PyMODINIT_FUNC marks
# it), so ddl's own calls are direct; -fno-plt calls libpython through its GOT entry. ELF only.
DIRECT_CALLS = ["-fvisibility=hidden", "-fno-plt"] if sys.platform.startswith("linux") else []


def extensions() -> list[Extension]:
    if os.environ.get("DDL_PURE_PYTHON") == "1":
        return []
    try:
        from Cython.Build import cythonize
    except ImportError:
        if REQUIRED:
            raise
        return []
    compile_args, link_args = ["-O3", *ALIGN_FUNCTIONS, *DIRECT_CALLS, *ALWAYS_INLINE], []
    sanitize = os.environ.get("DDL_SANITIZE")
    if sanitize:
        # -O1 and frame pointers keep the sanitizer's stack traces readable and its checks exact.
        # -g1: line tables, which is what the traces' file:line needs; full debug information
        # took clang's build for `make fuzz` from 99 s to 124.
        compile_args = [f"-fsanitize={sanitize}", "-O1", "-g1", "-fno-omit-frame-pointer", *ALWAYS_INLINE]
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
