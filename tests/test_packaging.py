"""What a user installs: the distribution's name and extras, the version's one source, and a
compiled engine that is never silently missing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

import ddl
from ddl._version import DISTRIBUTION

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path(ddl.__file__).resolve().parent
PYPROJECT = ROOT / "pyproject.toml"
needs_checkout = pytest.mark.skipif(not PYPROJECT.is_file(), reason="needs the source tree (pyproject.toml, setup.py)")


def project() -> dict[str, object]:
    table: dict[str, object] = tomllib.loads(PYPROJECT.read_text())["project"]
    return table


@needs_checkout
def test_the_distribution_is_published_under_the_name_ddl_tells_users() -> None:
    assert project()["name"] == DISTRIBUTION == "ddl-proto"


def test_every_install_hint_in_the_package_names_the_distribution() -> None:
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "pip install 'ddl[" not in text and 'pip install "ddl[' not in text, path


@needs_checkout
def test_the_version_has_one_source() -> None:
    config = tomllib.loads(PYPROJECT.read_text())
    assert "version" in config["project"]["dynamic"]
    assert config["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "ddl._version.__version__"}
    assert ddl.__version__ == "0.1.0"


@needs_checkout
def test_the_proto_extra_installs_everything_the_proto_commands_import() -> None:
    extras = project()["optional-dependencies"]
    assert isinstance(extras, dict)
    names = {requirement.split(">")[0] for requirement in extras["proto"]}
    assert names == {"protobuf", "grpcio-tools", "googleapis-common-protos"}
    # dev: every other extra, and the _pb2 package that test_gen_otel.py generates from
    assert extras["dev"] == [f"{DISTRIBUTION}[test,bench,lint]", "opentelemetry-proto>=1.20"]


# --- the compiled engine: a warning when it was expected and is missing ------------------------


def copy_package(tmp_path: Path, *, marker: str | None = None, broken_module: bool = False) -> Path:
    """A copy of the installed ddl package without its compiled engine, importable from the result."""
    ignore = shutil.ignore_patterns("*.so", "*.pyd", "__pycache__", "*.failed")
    shutil.copytree(PACKAGE, tmp_path / "ddl", ignore=ignore)
    if marker is not None:
        (tmp_path / "ddl/_speedups.failed").write_text(marker)
    if broken_module:
        (tmp_path / f"ddl/_speedups{sysconfig.get_config_var('EXT_SUFFIX')}").write_bytes(b"not a shared library")
    return tmp_path


def import_ddl(root: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``import ddl`` from ``root`` in a new interpreter that shows every warning; prints the engine.

    Without site-packages (-S): an editable install of another checkout there would lend its own
    compiled engine to the copy (setuptools' finder maps ``ddl._speedups`` to its file).
    """
    clean = {k: v for k, v in os.environ.items() if k not in ("DDL_PURE_PYTHON", "DDL_REQUIRE_COMPILED")}
    return subprocess.run(
        [sys.executable, "-S", "-W", "always", "-c", "import ddl; print(ddl.__file__); print(ddl.engine())"],
        cwd=root, env={**clean, "PYTHONPATH": str(root), **env}, capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_a_package_installed_without_the_engine_imports_silently(tmp_path: Path) -> None:
    result = import_ddl(copy_package(tmp_path))
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert result.stdout.splitlines() == [str(tmp_path / "ddl/__init__.py"), "python"]


def test_a_failed_build_warns_once_at_import_with_its_cause(tmp_path: Path) -> None:
    result = import_ddl(copy_package(tmp_path, marker="CompileError: command 'gcc' failed\n"))
    assert result.returncode == 0
    assert result.stderr.count("CompiledEngineWarning") == 1, result.stderr
    assert "its build failed: CompileError: command 'gcc' failed" in result.stderr
    assert "DDL_PURE_PYTHON=1" in result.stderr and "DDL_REQUIRE_COMPILED=1" in result.stderr
    assert result.stdout.splitlines()[-1] == "python"


def test_a_module_that_does_not_load_warns(tmp_path: Path) -> None:
    result = import_ddl(copy_package(tmp_path, broken_module=True))
    assert "CompiledEngineWarning: ddl: the compiled engine is missing (it does not load: ImportError" in result.stderr
    assert result.stdout.splitlines()[-1] == "python"


def test_choosing_the_pure_python_engine_silences_the_warning(tmp_path: Path) -> None:
    result = import_ddl(copy_package(tmp_path, marker="CompileError\n", broken_module=True), DDL_PURE_PYTHON="1")
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert result.stdout.splitlines()[-1] == "python"


@pytest.mark.parametrize("marker", [None, "CompileError: command 'gcc' failed\n"])
def test_requiring_the_compiled_engine_makes_its_absence_an_import_error(tmp_path: Path, marker: str | None) -> None:
    result = import_ddl(copy_package(tmp_path, marker=marker), DDL_REQUIRE_COMPILED="1")
    assert result.returncode == 1
    cause = "its build failed: CompileError" if marker else "it was not built"
    assert f"ImportError: ddl: DDL_REQUIRE_COMPILED=1, but the compiled engine is missing ({cause}" in result.stderr


@needs_checkout
@pytest.mark.parametrize("required", [False, True])
def test_a_compile_that_fails_leaves_a_marker_or_with_require_fails_the_build(tmp_path: Path, required: bool) -> None:
    pytest.importorskip("Cython")
    for name in ("setup.py", "pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, tmp_path / name)
    # The generated C is copied too (with its time), so that only the C compiler runs, and fails.
    shutil.copytree(ROOT / "ddl", tmp_path / "ddl", ignore=shutil.ignore_patterns("*.so", "__pycache__", "*.failed"))
    env = {k: v for k, v in os.environ.items() if k != "DDL_PURE_PYTHON"}  # which would skip the build
    env.update(CC="false", DDL_REQUIRE_COMPILED="1" if required else "0")
    build = subprocess.run(
        [sys.executable, "setup.py", "-q", "build_ext", "--inplace"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    marker = tmp_path / "ddl/_speedups.failed"
    if required:
        assert build.returncode != 0
        assert not marker.exists()
    else:
        assert build.returncode == 0, build.stderr
        assert "ddl: the compiled engine was not built" in build.stderr
        assert marker.read_text().startswith("CompileError: ")
        assert "its build failed: CompileError" in import_ddl(tmp_path).stderr


def test_a_run_of_the_installed_package_imports_it_from_site_packages() -> None:
    """tests/installed.py (make dist, cibuildwheel) sets DDL_TEST_INSTALLED=1 for the suite it runs."""
    if os.environ.get("DDL_TEST_INSTALLED") != "1":
        pytest.skip("the suite runs from a checkout; make dist runs it against the installed wheel")
    installed = {Path(sysconfig.get_paths()[key]).resolve() for key in ("purelib", "platlib")}
    assert PACKAGE.parent in installed, ddl.__file__
    assert not (ROOT / "ddl").exists()
    assert ddl.engine() == "cython"
