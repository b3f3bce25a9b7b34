"""``ddl gen`` from what protoc wrote before, when the .proto sources are gone: a descriptor set
(``--descriptor-set``) or the ``DESCRIPTOR`` of ``_pb2`` modules (``--from-module``); and the
whole of googleapis-common-protos in one run. test_gen_otel.py takes a real-world package of
``_pb2`` modules, OpenTelemetry's, through ``--from-module``.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from google.type import date_pb2
from grpc_tools import protoc

from ddl._cli import main
from ddl._proto._gen import GenError, generate, generate_from_modules, generate_from_set
from ddl._proto._protoc import wkt_include
from tests.conftest import Engine
from tests.test_gen import CORPUS, PROTOS, mypy_strict, ruff_check

GOOGLEAPIS = Path(date_pb2.__file__).parent.parent.parent


def _tree(folder: Path) -> dict[str, str]:
    """Every generated module under ``folder``, by path, with its text."""
    return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*_ddl.py"))}


def _protoc(*args: str) -> None:
    assert protoc.main(["protoc", f"-I{wkt_include()}", *args]) == 0


# --- From _pb2 modules: which files, and the errors ---------------------------------------------


@pytest.fixture
def pb2_tree(tmp_path: Path) -> Iterator[Path]:
    """``gsrc/app.proto`` importing ``gsrc/lib.proto``, a well-known type and descriptor.proto,
    compiled by protoc into ``_pb2`` modules in ``tmp_path/pb`` (on sys.path meanwhile)."""
    (tmp_path / "protos/gsrc").mkdir(parents=True)
    (tmp_path / "protos/gsrc/lib.proto").write_text(
        'syntax = "proto3";\npackage gsrc;\nmessage Money { int64 units = 1; }\n'
    )
    (tmp_path / "protos/gsrc/app.proto").write_text(
        'syntax = "proto3";\npackage gsrc;\nimport "gsrc/lib.proto";\nimport "google/protobuf/timestamp.proto";\n'
        'import "google/protobuf/descriptor.proto";\n// An order.\nmessage Order {\n  Money total = 1;\n'
        "  google.protobuf.Timestamp at = 2;\n  google.protobuf.FileDescriptorProto schema = 3;\n}\n"
    )
    (tmp_path / "pb").mkdir()
    _protoc(f"-I{tmp_path / 'protos'}", f"--python_out={tmp_path / 'pb'}", "gsrc/app.proto", "gsrc/lib.proto")
    sys.path.insert(0, str(tmp_path / "pb"))
    try:
        yield tmp_path
    finally:
        sys.path.remove(str(tmp_path / "pb"))
        for name in [n for n in sys.modules if n == "gsrc" or n.startswith("gsrc.")]:
            del sys.modules[name]


def test_from_module_skips_protobufs_own_imports_and_equals_the_set_protoc_writes_without_comments(
    pb2_tree: Path,
) -> None:
    result = generate_from_modules(["gsrc.app_pb2"], pb2_tree / "out")
    assert [p.relative_to(pb2_tree / "out").as_posix() for p in result.paths] == [
        "gsrc/app_ddl.py", "gsrc/lib_ddl.py"
    ]  # fmt: skip
    assert result.notes == []  # the imported timestamp.proto and descriptor.proto need no note
    # _pb2 modules carry their descriptors without source info: no comments, so no docstrings.
    _protoc(
        f"-I{pb2_tree / 'protos'}", f"--descriptor_set_out={pb2_tree / 'set.pb'}", "--include_imports", "gsrc/app.proto"
    )
    generate_from_set(pb2_tree / "set.pb", ["gsrc/app.proto", "gsrc/lib.proto"], pb2_tree / "from-set")
    assert _tree(pb2_tree / "out") == _tree(pb2_tree / "from-set")
    assert "An order." not in (pb2_tree / "out/gsrc/app_ddl.py").read_text()


def test_from_module_names_a_module_that_cannot_be_imported(tmp_path: Path) -> None:
    with pytest.raises(GenError, match=r"^no_such_pkg\.order_pb2: cannot import it: ModuleNotFoundError: "):
        generate_from_modules(["no_such_pkg.order_pb2"], tmp_path)
    (tmp_path / "raises_pb2.py").write_text('raise RuntimeError("protobuf runtime too old")\n')
    sys.path.insert(0, str(tmp_path))
    try:
        with pytest.raises(GenError, match=r"^raises_pb2: cannot import it: RuntimeError: protobuf runtime too old$"):
            generate_from_modules(["raises_pb2"], tmp_path / "out")
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("raises_pb2", None)
    assert not (tmp_path / "out").exists()


def test_from_module_names_a_module_without_a_file_descriptor(tmp_path: Path) -> None:
    with pytest.raises(GenError, match=r"^json: has no DESCRIPTOR holding a protobuf FileDescriptor"):
        generate_from_modules(["json"], tmp_path)
    # A message's descriptor is not a file's.
    with pytest.raises(GenError, match=r"^google\.protobuf\.timestamp_pb2\.Timestamp: "):
        generate_from_modules(["google.protobuf.timestamp_pb2.Timestamp"], tmp_path)


def test_from_module_of_a_well_known_types_module_skips_it_with_a_note(tmp_path: Path) -> None:
    result = generate_from_modules(["google.protobuf.timestamp_pb2"], tmp_path)
    assert result.paths == [] and not any(tmp_path.iterdir())
    assert result.notes == [
        "google/protobuf/timestamp.proto: note: skipped: its well-known types map to ddl's own forms (ddl.wkt)"
    ]


# --- From a descriptor set ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus of test_gen.py as protoc writes it with --descriptor_set_out, imports and comments included."""
    path = tmp_path_factory.mktemp("set") / "corpus.pb"
    names = [p.relative_to(PROTOS).as_posix() for p in CORPUS]
    _protoc(f"-I{PROTOS}", f"--descriptor_set_out={path}", "--include_imports", "--include_source_info", *names)
    return path


def test_a_descriptor_set_gives_the_modules_the_proto_sources_give(corpus_set: Path, tmp_path: Path) -> None:
    from_sources = generate(CORPUS, [PROTOS], tmp_path / "sources")
    names = [p.relative_to(PROTOS).as_posix() for p in CORPUS]
    from_set = generate_from_set(corpus_set, names, tmp_path / "set")
    assert _tree(tmp_path / "set") == _tree(tmp_path / "sources") != {}
    assert from_set.notes == from_sources.notes


def test_a_descriptor_set_without_names_generates_every_file_it_holds(corpus_set: Path, tmp_path: Path) -> None:
    result = generate_from_set(corpus_set, out=tmp_path)
    assert sorted(_tree(tmp_path)) == sorted(
        p.relative_to(PROTOS).as_posix().replace(".proto", "_ddl.py") for p in CORPUS
    )
    # The imported files of protobuf's own tree follow generate's rules: skipped, with a note.
    assert "google/protobuf/timestamp.proto: note: skipped: its well-known types map to ddl's own forms (ddl.wkt)" in (
        result.notes
    )


def test_a_descriptor_set_missing_an_import_is_one_error_naming_it(tmp_path: Path) -> None:
    _protoc(f"-I{PROTOS}", f"--descriptor_set_out={tmp_path / 'bare.pb'}", "ddltest/shared/reexport.proto")
    with pytest.raises(GenError) as failed:
        generate_from_set(tmp_path / "bare.pb", out=tmp_path / "out")
    assert str(failed.value) == (
        f"ddltest/shared/reexport.proto: imports ddltest/shared/common.proto, which the descriptor set "
        f"{tmp_path / 'bare.pb'} does not hold (protoc writes imports with --include_imports)"
    )
    assert not (tmp_path / "out").exists()


def test_a_descriptor_set_names_what_it_cannot_read(corpus_set: Path, tmp_path: Path) -> None:
    with pytest.raises(GenError, match=r"^shop/order\.proto: not in the descriptor set .*corpus\.pb"):
        generate_from_set(corpus_set, ["shop/order.proto"], tmp_path)
    with pytest.raises(GenError, match=r"^.*missing\.pb: cannot read the descriptor set: No such file or directory$"):
        generate_from_set(tmp_path / "missing.pb", out=tmp_path)
    (tmp_path / "order.proto").write_text('syntax = "proto3";\nmessage Order {}\n')  # the source, not a set
    with pytest.raises(GenError, match=r"^.*order\.proto: (not a serialized FileDescriptorSet|holds no named file)"):
        generate_from_set(tmp_path / "order.proto", out=tmp_path / "out")


# --- The command line ---------------------------------------------------------------------------


def test_cli_generates_from_a_descriptor_set(
    corpus_set: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["gen", "--descriptor-set", str(corpus_set), "-o", str(tmp_path), "ddltest/shared/common.proto"]) == 0
    assert capsys.readouterr().out.split() == [str(tmp_path / "ddltest/shared/common_ddl.py")]


def test_cli_imports_modules_from_the_current_folder_as_python_m_does(
    pb2_tree: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sys.path.remove(str(pb2_tree / "pb"))  # only the current folder finds them
    try:
        monkeypatch.chdir(pb2_tree / "pb")
        assert main(["gen", "--from-module", "gsrc.app_pb2", "--from-module", "gsrc.lib_pb2", "-o", "../out"]) == 0
        assert str(pb2_tree / "pb") not in sys.path  # searched while importing, then taken off again
    finally:
        sys.path.insert(0, str(pb2_tree / "pb"))
    assert capsys.readouterr().out.split() == ["../out/gsrc/app_ddl.py", "../out/gsrc/lib_ddl.py"]


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--from-module", "a_pb2", "a.proto"], "--from-module takes no FILE.proto"),
        (["--descriptor-set", "s.pb", "-I", "protos"], "-I/--proto-path finds .proto sources"),
        (["--from-module", "a_pb2", "-I", "protos"], "-I/--proto-path finds .proto sources"),
        ([], "the following arguments are required: FILE.proto (or --descriptor-set, --from-module)"),
    ],
)
def test_cli_rejects_inputs_that_do_not_go_together_with_exit_code_2(
    args: list[str], error: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["gen", "-o", str(tmp_path / "out"), *args]) == 2
    assert capsys.readouterr().err.startswith(f"ddl gen: {error}")
    assert not (tmp_path / "out").exists()


def test_cli_takes_a_descriptor_set_or_modules_not_both(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["gen", "-o", "out", "--descriptor-set", "s.pb", "--from-module", "a_pb2"])
    assert exited.value.code == 2
    assert "argument --from-module: not allowed with argument --descriptor-set" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--from-module", "no_such_pkg.order_pb2"], "ddl gen: no_such_pkg.order_pb2: cannot import it: "),
        (["--from-module", "json"], "ddl gen: json: has no DESCRIPTOR"),
        (["--descriptor-set", "missing.pb"], "ddl gen: missing.pb: cannot read the descriptor set"),
    ],
)
def test_cli_reports_an_input_it_cannot_read_with_exit_code_1(
    args: list[str], error: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["gen", "-o", str(tmp_path / "out"), *args]) == 1
    assert capsys.readouterr().err.startswith(error)


def test_cli_help_shows_both_sources_and_what_becomes_of_groups(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["gen", "--help"])
    text = capsys.readouterr().out
    assert "ddl gen --descriptor-set shop.pb -o gen shop/order.proto" in text
    assert "ddl gen --from-module opentelemetry.proto.collector.trace.v1.trace_service_pb2 -o gen" in text
    assert "each proto2 group a\nnested class in a delimited field" in text


# --- googleapis-common-protos in one run ----------------------------------------------------------


@pytest.fixture(scope="module")
def googleapis(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("googleapis")
    files = sorted((GOOGLEAPIS / "google").rglob("*.proto"))
    result = generate(files, [GOOGLEAPIS], out)
    stubs = [p.relative_to(out).as_posix() for p in result.paths if p.name.endswith("_ddl_grpc.py")]
    # The two files that declare services (long-running operations' and cloud location's).
    assert stubs == ["google/cloud/location/locations_ddl_grpc.py", "google/longrunning/operations_proto_ddl_grpc.py"]
    assert len(result.paths) - len(stubs) == len(files) > 50
    return out


def test_every_file_of_googleapis_common_protos_passes_ruff_and_mypy_strict(googleapis: Path) -> None:
    ruff = ruff_check(googleapis)
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr
    mypy = mypy_strict(googleapis, "google")
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr


def test_googleapis_long_unions_and_unicode_comments_keep_their_meaning(googleapis: Path, engine: Engine) -> None:
    source = (googleapis / "google/api/distribution_ddl.py").read_text(encoding="utf-8")
    assert "        options: (\n            Distribution.BucketOptions.Linear\n" in source  # wrapped, a member a line
    assert "ij = \\u2212ji = k" in (googleapis / "google/type/quaternion_ddl.py").read_text(encoding="utf-8")
    sys.path.insert(0, str(googleapis))
    try:
        options = importlib.import_module("google.api.distribution_ddl").Distribution.BucketOptions
        explicit = options(options=options.Explicit(bounds=[1.0]))
        assert engine.encode(explicit) == b"\x1a\x0a\x0a\x08" + b"\x00" * 6 + b"\xf0\x3f"  # field 3: explicit_buckets
        quaternion = importlib.import_module("google.type.quaternion_ddl").Quaternion
        assert "ij = \u2212ji = k" in (inspect.getdoc(quaternion) or "")  # the comment's minus signs, as written
    finally:
        sys.path.remove(str(googleapis))
        sys.modules.pop("google.api.distribution_ddl", None)
        sys.modules.pop("google.type.quaternion_ddl", None)
