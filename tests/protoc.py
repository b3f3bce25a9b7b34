"""Compile .proto text with the protoc inside grpcio-tools and import the generated _pb2 module.

The differential tests use Google's own runtime as the oracle, never a mock.
"""

from __future__ import annotations

import atexit
import importlib
import shutil
import sys
import tempfile
import textwrap
from pathlib import Path
from types import ModuleType

import grpc_tools
from grpc_tools import protoc


def scratch_dir(prefix: str) -> Path:
    """A new folder under the system's temporary one for protoc's output, removed when the
    process exits (every run of the suite, and each of its workers, makes its own)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


_OUT = scratch_dir("ddl-protoc-")
_WKT_INCLUDE = str(Path(grpc_tools.__file__).parent / "_proto")
_cache: dict[str, ModuleType] = {}


def compile_proto(name: str, source: str) -> ModuleType:
    """Compile ``source`` as ``<name>.proto`` and return its ``<name>_pb2`` module (cached)."""
    key = f"{name}\0{source}"
    if key in _cache:
        return _cache[key]
    folder = _OUT / f"p{len(_cache)}"
    folder.mkdir()
    (folder / f"{name}.proto").write_text(textwrap.dedent(source))
    args = ["protoc", f"-I{folder}", f"-I{_WKT_INCLUDE}", f"--python_out={folder}", f"{folder / name}.proto"]
    if protoc.main(args) != 0:
        raise RuntimeError(f"protoc failed on {name}.proto")
    sys.path.insert(0, str(folder))
    try:
        sys.modules.pop(f"{name}_pb2", None)
        module = importlib.import_module(f"{name}_pb2")
    finally:
        sys.path.remove(str(folder))
    _cache[key] = module
    return module


def load_file(path: Path, prefix: str) -> ModuleType:
    """Import a module from its file, as ``<prefix>_<stem>``: a generated module under
    google/protobuf/ cannot be imported by name, since protobuf's own package hides it."""
    spec = importlib.util.spec_from_file_location(f"{prefix}_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # where ddl finds the names the annotations use
    spec.loader.exec_module(module)
    return module
