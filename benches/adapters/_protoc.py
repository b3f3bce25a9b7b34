"""Generate code from bench.proto (or hostile.proto) at run time (never committed) and import it.

protoc comes from grpcio-tools. The output goes to ``benches/_generated/<key>/`` (gitignored),
where ``<key>`` hashes the .proto and the generator versions, so a stale output is never reused.
The .proto is compiled as ``ddlbench/bench.proto`` so that its name in protobuf's default
descriptor pool cannot clash with another ``bench.proto``; its imports of the well-known types
(``google/protobuf/timestamp.proto``, ...) are found in grpcio-tools' copy of them.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path
from types import ModuleType

BENCHES = Path(__file__).resolve().parent.parent
PROTO = BENCHES / "bench.proto"
_lock = threading.Lock()
_modules: dict[tuple[str, Path], ModuleType] = {}


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "none"


def _plugin() -> str:
    """The protoc-gen-py executable: next to this Python, else on PATH."""
    beside = Path(sys.executable).parent / "protoc-gen-py"
    if beside.exists():
        return str(beside)
    found = shutil.which("protoc-gen-py")
    if found is None:
        raise ImportError("protoc-gen-py (pip install protoc-gen-py) is not installed")
    return found


def _cache_root() -> Path:
    root = BENCHES / "_generated"
    try:
        root.mkdir(exist_ok=True)
        probe = root / f".probe{os.getpid()}"
        probe.touch()
        probe.unlink()
    except OSError:  # a read-only checkout
        root = Path(tempfile.gettempdir()) / "ddl-bench-generated"
        root.mkdir(exist_ok=True)
    return root


def well_known_include() -> str:
    """protoc's ``-I`` of the well-known types' .proto files (bench.proto imports timestamp.proto
    and duration.proto): ``protoc.main``, unlike grpc_tools' command line, does not add it."""
    from grpc_tools import protoc

    return f"-I{Path(protoc.__file__).resolve().parent / '_proto'}"


def generate(kind: str, proto: Path = PROTO) -> Path:
    """protoc's output for ``kind`` (``"google"`` or ``"protobuf-py"``); the folder to import from."""
    try:
        from grpc_tools import protoc
    except ImportError as e:
        raise ImportError("grpcio-tools (for protoc) is not installed") from e
    source = proto.read_bytes()
    versions = f"{_version('grpcio-tools')}|{_version('protoc-gen-py')}|{kind}"
    key = hashlib.sha256(source + versions.encode()).hexdigest()[:16]
    out = _cache_root() / f"{kind}-{proto.stem}-{key}"
    if out.exists():
        return out
    tmp = Path(tempfile.mkdtemp(prefix=f".{kind}-", dir=out.parent))
    try:
        (tmp / "ddlbench").mkdir()
        shutil.copyfile(proto, tmp / "ddlbench" / proto.name)
        if kind == "google":
            flags = [f"--python_out={tmp}"]
        elif kind == "protobuf-py":
            flags = [f"--plugin=protoc-gen-py={_plugin()}", f"--py_out={tmp}"]
        else:
            raise ValueError(kind)
        args = ["protoc", f"-I{tmp}", well_known_include(), *flags, str(tmp / "ddlbench" / proto.name)]
        if protoc.main(args) != 0:
            raise RuntimeError(f"protoc failed on {proto} ({kind})")
        try:
            os.rename(tmp, out)  # atomic; another process may have won the race
        except OSError:
            if not out.exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def load(kind: str, proto: Path = PROTO) -> ModuleType:
    """Import the generated module for ``kind`` once per process."""
    with _lock:
        if (kind, proto) in _modules:
            return _modules[kind, proto]
        folder = generate(kind, proto) / "ddlbench"
        filename = f"{proto.stem}_pb2.py" if kind == "google" else f"{proto.stem}_pb.py"
        name = f"_ddlbench_{kind.replace('-', '_')}_{filename[:-3]}"
        spec = importlib.util.spec_from_file_location(name, folder / filename)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        _modules[kind, proto] = module
        return module
