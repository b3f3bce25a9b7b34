"""Descriptors that protoc already wrote, as ``ddl gen``'s input when the .proto sources are gone:
a serialized FileDescriptorSet (``protoc --descriptor_set_out``), or the ``DESCRIPTOR`` of
imported ``_pb2`` modules (``protoc --python_out``).

Example::

    files, named = module_set(["opentelemetry.proto.collector.trace.v1.trace_service_pb2"])
    print(named)   # ['opentelemetry/proto/collector/trace/v1/trace_service.proto']
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ._source import GenError

if TYPE_CHECKING:
    from google.protobuf.descriptor import FileDescriptor
    from google.protobuf.descriptor_pb2 import FileDescriptorProto, FileDescriptorSet


def read_set(path: str | Path) -> FileDescriptorSet:
    """The FileDescriptorSet serialized in the file at ``path``; ``GenError`` if it cannot be read
    or holds no file."""
    from google.protobuf.descriptor_pb2 import FileDescriptorSet
    from google.protobuf.message import DecodeError

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise GenError(f"{path}: cannot read the descriptor set: {exc.strerror}") from None
    files = FileDescriptorSet()
    try:
        files.ParseFromString(data)
    except DecodeError as exc:
        raise GenError(f"{path}: not a serialized FileDescriptorSet ({exc})") from None
    if not files.file or not all(f.name for f in files.file):
        raise GenError(f"{path}: holds no named file: not a FileDescriptorSet (protoc --descriptor_set_out writes one)")
    return files


def check_imports(files: dict[str, FileDescriptorProto], names: Iterable[str], where: str) -> None:
    """``GenError`` naming a file that ``names`` need, directly or not, and ``where`` lacks."""
    seen: set[str] = set()
    pending = list(names)
    while pending:
        name = pending.pop()
        seen.add(name)
        for dep in files[name].dependency:
            if dep not in files:
                raise GenError(
                    f"{name}: imports {dep}, which {where} does not hold (protoc writes imports with --include_imports)"
                )
            if dep not in seen:
                pending.append(dep)


def module_set(modules: Sequence[str]) -> tuple[FileDescriptorSet, list[str]]:
    """The files of ``modules`` (imported by name) and every file they import, imports first, as
    a FileDescriptorSet; and the names of the modules' own files.

    Each module must carry ``DESCRIPTOR``, the ``google.protobuf`` FileDescriptor of the .proto
    file it was generated from, as protoc's ``_pb2`` modules do. ``GenError`` names a module that
    cannot be imported or has none. The descriptors protoc puts in ``_pb2`` modules have no
    source info, so the generated classes have no docstrings from .proto comments.
    """
    from google.protobuf.descriptor import FileDescriptor
    from google.protobuf.descriptor_pb2 import FileDescriptorSet

    found: dict[str, FileDescriptorProto] = {}
    named: list[str] = []
    for name in modules:
        try:
            module = importlib.import_module(name)
        except Exception as exc:  # a module's own code can raise anything while it is imported
            raise GenError(f"{name}: cannot import it: {type(exc).__name__}: {exc}") from exc
        descriptor = getattr(module, "DESCRIPTOR", None)
        if not isinstance(descriptor, FileDescriptor):
            raise GenError(
                f"{name}: has no DESCRIPTOR holding a protobuf FileDescriptor "
                "(the _pb2 modules protoc writes with --python_out have one)"
            )
        _add(descriptor, found)
        if descriptor.name not in named:
            named.append(descriptor.name)
    files = FileDescriptorSet()
    files.file.extend(found.values())
    return files, named


def _add(descriptor: FileDescriptor, found: dict[str, FileDescriptorProto]) -> None:
    """Add a file after the files it imports (protobuf's pool holds no cycle)."""
    from google.protobuf.descriptor_pb2 import FileDescriptorProto

    if descriptor.name in found:
        return
    for dep in descriptor.dependencies:
        _add(dep, found)
    found[descriptor.name] = FileDescriptorProto.FromString(descriptor.serialized_pb)
