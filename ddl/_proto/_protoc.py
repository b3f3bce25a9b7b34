"""Run the real protobuf compiler (the protoc inside grpcio-tools) and read what it writes.

ddl never parses .proto text itself: protoc does, and hands back a FileDescriptorSet.

Example::

    files = descriptor_set(["shop/order.proto"], includes=["protos"])
    print([f.name for f in files.file])
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .._version import DISTRIBUTION

if TYPE_CHECKING:
    from google.protobuf.descriptor_pb2 import FileDescriptorSet

INSTALL_EXTRA = f"pip install '{DISTRIBUTION}[proto]'"
INSTALL_HINT = f"it needs grpcio-tools and protobuf: {INSTALL_EXTRA}"


class ProtocError(Exception):
    """protoc rejected the input; the message is protoc's own, naming the file and line."""


def wkt_include() -> Path:
    """The folder holding google/protobuf/*.proto, shipped inside grpcio-tools."""
    # By name: grpcio-tools has no type information, and a user's mypy follows this module from
    # ddl.grpc (its reflection), so a plain import would be an error in their strict check.
    grpc_tools = importlib.import_module("grpc_tools")
    return Path(str(grpc_tools.__file__)).resolve().parent / "_proto"


def _require() -> None:
    try:
        import google.protobuf.descriptor_pb2  # noqa: F401

        importlib.import_module("grpc_tools")
    except ImportError as exc:  # pragma: no cover - the dev extra installs both
        raise ProtocError(f"{INSTALL_HINT} ({exc})") from exc


def descriptor_set(
    files: Sequence[str | Path], includes: Sequence[str | Path] = (), *, source_info: bool = True
) -> FileDescriptorSet:
    """Compile ``files`` with protoc and return every file they need, imports first.

    ``includes`` are protoc's ``-I`` folders (protoc's default, the current folder, when empty). The
    well-known types are always found, as with a stock protoc install.
    """
    _require()
    from google.protobuf.descriptor_pb2 import FileDescriptorSet

    paths = [str(i) for i in includes] or ["."]
    with tempfile.TemporaryDirectory(prefix="ddl-protoc-") as tmp:
        out = Path(tmp) / "set.pb"
        argv = [sys.executable, "-m", "grpc_tools.protoc", f"--descriptor_set_out={out}", "--include_imports"]
        if source_info:
            argv.append("--include_source_info")
        argv += [f"-I{p}" for p in paths] + [f"-I{wkt_include()}"] + [str(f) for f in files]
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise ProtocError(done.stderr.strip() or done.stdout.strip() or "protoc failed")
        result = FileDescriptorSet()
        result.ParseFromString(out.read_bytes())
    return result
