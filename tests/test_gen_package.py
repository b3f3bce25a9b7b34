"""``ddl gen --python-package``: every module inside one Python package, and protobuf's own tree.

A module generated at ``google/protobuf/x_ddl.py`` can never be imported by name: protobuf's
installed package owns ``google.protobuf``. Inside a package of the user's choosing
(``pkg.google.protobuf.x_ddl``) it can, so files of protobuf's own tree that import each other
generate and link. The same holds beside any installed package that owns a proto's folder.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ddl._cli import main
from ddl._proto._gen import GenError, GenFailures, generate
from tests.conftest import Engine
from tests.test_gen import mypy_strict, ruff_check

IMPORTED = """
syntax = "proto3";
package ddl_pkg.imported;
message Inner { string name = 1; repeated int32 ids = 2; }
"""

IMPORTING = """
syntax = "proto3";
package ddl_pkg.importing;
import "google/protobuf/ddl_pkg_imported.proto";
message Outer { ddl_pkg.imported.Inner inner = 1; int64 count = 2; }
"""


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """Two files under google/protobuf/, one importing the other, as in protobuf's own tree."""
    folder = tmp_path / "protos/google/protobuf"
    folder.mkdir(parents=True)
    (folder / "ddl_pkg_imported.proto").write_text(IMPORTED)
    (folder / "ddl_pkg_importing.proto").write_text(IMPORTING)
    return tmp_path


@pytest.fixture
def on_path(tree: Path) -> Iterator[Path]:
    """The output folder, first on sys.path while the test runs."""
    out = tree / "out"
    sys.path.insert(0, str(out))
    try:
        yield out
    finally:
        sys.path.remove(str(out))
        for name in [m for m in sys.modules if m == "genpkg" or m.startswith("genpkg.")]:
            del sys.modules[name]


def test_without_a_package_a_reference_across_files_under_google_protobuf_fails_naming_the_option(tree: Path) -> None:
    files = [
        tree / "protos/google/protobuf/ddl_pkg_imported.proto",
        tree / "protos/google/protobuf/ddl_pkg_importing.proto",
    ]
    with pytest.raises(GenFailures) as info:
        generate(files, [tree / "protos"], tree / "out")
    assert "would be hidden by protobuf's package google.protobuf (generate with --python-package PKG" in str(
        info.value
    )


def test_inside_a_package_files_under_google_protobuf_import_each_other_and_read_protobufs_bytes(
    tree: Path, on_path: Path, engine: Engine
) -> None:
    files = [
        tree / "protos/google/protobuf/ddl_pkg_imported.proto",
        tree / "protos/google/protobuf/ddl_pkg_importing.proto",
    ]
    result = generate(files, [tree / "protos"], on_path, package="genpkg")
    assert [p.relative_to(on_path).as_posix() for p in result.paths] == [
        "genpkg/google/protobuf/ddl_pkg_imported_ddl.py",
        "genpkg/google/protobuf/ddl_pkg_importing_ddl.py",
    ]
    assert not any("hidden" in note for note in result.notes)
    source = result.paths[1].read_text()
    assert "from genpkg.google.protobuf import ddl_pkg_imported_ddl" in source
    outer_cls = importlib.import_module("genpkg.google.protobuf.ddl_pkg_importing_ddl").Outer
    inner_cls = importlib.import_module("genpkg.google.protobuf.ddl_pkg_imported_ddl").Inner
    value = outer_cls(inner=inner_cls(name="n", ids=[1, 2]), count=3)
    assert engine.decode(engine.encode(value), outer_cls) == value
    mypy = mypy_strict(on_path, "genpkg")
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr
    done = ruff_check(on_path)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("package", ["1pkg", "my-app", "a..b", "class"])
def test_a_package_that_is_no_python_name_is_an_error(tree: Path, package: str) -> None:
    with pytest.raises(GenError, match=f"--python-package '{package}' is not a Python package name"):
        generate(
            [tree / "protos/google/protobuf/ddl_pkg_imported.proto"], [tree / "protos"], tree / "out", package=package
        )


def test_the_cli_option_writes_into_the_package(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proto = str(tree / "protos/google/protobuf/ddl_pkg_imported.proto")
    out = tree / "out"
    assert main(["gen", "--python-package", "a.b", "-I", str(tree / "protos"), "-o", str(out), proto]) == 0
    assert capsys.readouterr().out.split() == [str(out / "a/b/google/protobuf/ddl_pkg_imported_ddl.py")]
    assert main(["gen", "--python-package", "a-b", "-I", str(tree / "protos"), "-o", str(out), proto]) == 1
    assert "--python-package 'a-b' is not a Python package name" in capsys.readouterr().err


# --- protobuf's own source tree ---------------------------------------------------------------

# protobuf 3.21.12's sources, which ../shared/tools/conformance-runner unpacks for `make conformance`
# (CI runs that step before the suite).
SOURCE_TREE = Path(os.environ.get("CONFORMANCE_DIR", "/tmp/ddl-conformance")) / "protobuf-3.21.12/src"


def test_every_file_of_protobufs_own_source_tree_that_protoc_accepts_generates_in_one_run(tmp_path: Path) -> None:
    if not SOURCE_TREE.is_dir():
        pytest.skip(f"protobuf's sources are not unpacked at {SOURCE_TREE} (make conformance unpacks them)")
    from grpc_tools import protoc

    files = sorted(p.relative_to(SOURCE_TREE).as_posix() for p in (SOURCE_TREE / "google").rglob("*.proto"))
    # The Ruby tests import by a folder of their own, and a few 3.21 files use options that
    # today's protoc refuses (unverified_lazy on extensions): protoc's verdict, file by file.
    accepted = [
        f for f in files
        if "compiler/ruby/" not in f
        and protoc.main(["protoc", f"-I{SOURCE_TREE}", "-o/dev/null", str(SOURCE_TREE / f)]) == 0
    ]  # fmt: skip
    assert len(accepted) > 50
    out = tmp_path / "out"
    with pytest.raises(GenFailures) as failed:
        generate([SOURCE_TREE / f for f in accepted], [SOURCE_TREE], out, package="pbtree")
    # The one file protobuf's own runtime refuses, as its Python code could not load it either:
    assert failed.value.errors == [
        "google/protobuf/util/internal/testdata/books.proto: protobuf's runtime refuses its descriptors "
        "(Couldn't build proto file into descriptor pool: duplicate json_name (valStr1))"
    ]
    assert len(failed.value.generated.paths) > 35
    mypy = mypy_strict(out, "pbtree")
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr
    # ruff's default rules (the project's own add a 120-column limit, which protobuf's test
    # files, with their enormous names, exceed)
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache", "--select", "E4,E7,E9,F", "."],
        cwd=out, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr
