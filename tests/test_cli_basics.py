"""The first things a user types: `ddl --version`, bare `ddl`, one spelling of each option, and a
one-line error naming what to install when the .proto tools are missing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import ddl
from ddl._cli import main

PROTO = 'syntax = "proto3";\npackage shop;\nmessage Order { int32 id = 1; }\n'


def run_cli(*args: str, block: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``ddl ARGS`` in a new interpreter; ``block`` makes that module (and its submodules) unimportable."""
    code = "import sys\nfrom ddl._cli import main\nsys.exit(main(sys.argv[1:]))\n"
    if block is not None:
        code = f"import sys\nsys.modules[{block!r}] = None\n" + code
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, cwd=cwd, check=False
    )


def test_version_is_the_package_version_and_names_the_engine(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"ddl {ddl.__version__} ({ddl.engine()} engine)\n"


def test_bare_ddl_prints_the_help_with_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    out = capsys.readouterr().out
    assert out.startswith("usage: ddl")
    for command in ("gen", "proto", "check", "decode", "bench"):
        assert f"\n    {command} " in out


@pytest.mark.parametrize("spelling", ["-I", "--proto-path", "--proto_path"])
@pytest.mark.parametrize("command", ["gen", "check"])
def test_every_proto_path_spelling_works_in_gen_and_check(tmp_path: Path, command: str, spelling: str) -> None:
    (tmp_path / "protos/shop").mkdir(parents=True)
    (tmp_path / "protos/shop/order.proto").write_text(PROTO)
    if command == "gen":
        args = ["gen", spelling, "protos", "--output", "out", "protos/shop/order.proto"]
    else:
        args = ["check", "protos/shop/order.proto", "protos/shop/order.proto", spelling, "protos"]
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    if command == "gen":
        assert (tmp_path / "out/shop/order_ddl.py").is_file()


def test_only_the_dashed_spellings_are_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("gen", "check", "proto"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        out = capsys.readouterr().out
        assert "--proto_path" not in out and "--out " not in out
        assert "--proto-path" in out or "--output" in out


@pytest.mark.parametrize("spelling", ["-o", "--output", "--out"])
def test_gen_writes_where_any_output_spelling_says(tmp_path: Path, spelling: str) -> None:
    (tmp_path / "order.proto").write_text(PROTO)
    result = run_cli("gen", spelling, "gen", "order.proto", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "gen/order_ddl.py").is_file()


def test_gen_without_an_output_folder_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gen", str(tmp_path / "order.proto")]) == 2
    assert capsys.readouterr().err == "ddl gen: the following arguments are required: -o/--output\n"


@pytest.mark.parametrize(
    ("block", "needs"),
    [("google.type", "googleapis-common-protos"), ("grpc_tools", "the proto extra")],
)
def test_check_without_the_proto_tools_says_what_to_install_in_one_line(tmp_path: Path, block: str, needs: str) -> None:
    (tmp_path / "order.proto").write_text(PROTO)
    result = run_cli("check", "order.proto", "order.proto", block=block, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("ddl check: "), result.stderr
    assert needs in result.stderr
    assert "pip install 'ddl-proto[proto]'" in result.stderr
