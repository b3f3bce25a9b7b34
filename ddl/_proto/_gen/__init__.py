"""``ddl gen``: typed ddl modules from .proto files, through the descriptors protoc writes, or
from descriptors protoc wrote before (a descriptor set file, or ``_pb2`` modules).

Example::

    result = generate(["protos/shop/order.proto"], includes=["protos"], out="gen")
    print(result.paths)     # [PosixPath('gen/shop/order_ddl.py')]
    print(result.notes)     # what was skipped, each with file:line:col
    generate_from_set("shop.pb", ["shop/order.proto"], out="gen")             # the same module
    generate_from_modules(["shop.order_pb2"], out="gen")                       # the same again
"""

from __future__ import annotations

import keyword
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .._protoc import ProtocError, descriptor_set
from ._descriptors import check_imports, module_set, read_set
from ._grpc import grpc_module_name, render_services
from ._index import Index
from ._names import SHIPPED, is_hidden, module_name, module_path
from ._render import render
from ._shipped import write_shipped
from ._source import GenError
from ._wkt_forms import maps_whole_file

__all__ = [
    "GenError",
    "GenFailures",
    "Generated",
    "ProtocError",
    "generate",
    "generate_from_modules",
    "generate_from_set",
    "write_shipped",
]


@dataclass
class Generated:
    """What ``generate`` wrote, and its notes on what it skipped."""

    paths: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class GenFailures(GenError):
    """Some files could not be generated; the others were written, as ``generated`` lists.

    The message holds one line per failed file, each starting with ``file:line:col``.
    """

    def __init__(self, errors: list[str], generated: Generated) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors
        self.generated = generated


def generate(
    files: Sequence[str | Path],
    includes: Sequence[str | Path] = (),
    out: str | Path = ".",
    *,
    init_files: bool = False,
    package: str = "",
) -> Generated:
    """Write ``OUT/<proto path without .proto>_ddl.py`` for each of ``files``, and beside it
    ``..._ddl_grpc.py`` for a file that declares services (grpcio stubs and servicers, see
    ``ddl.grpc``).

    ``includes`` are protoc's ``-I`` folders; the well-known types are found without one. Only the
    files named are generated, as protoc does: generate the files they import too. A file that
    declares only well-known types (``google/protobuf/timestamp.proto``...) is skipped with a
    note, as its types map to ddl's own forms; so is every other file of protobuf's own tree
    (``descriptor.proto``, ``compiler/plugin.proto``...), whose classes ddl ships in
    ``ddl.protobuf``, where fields of their types find them. ``init_files`` adds an
    ``__init__.py`` to each folder created under ``out``; without it the folders are namespace
    packages. ``package`` puts every module in that Python package (``OUT/pkg/shop/order_ddl.py``,
    imported as ``pkg.shop.order_ddl``): files under ``google/protobuf/`` that ddl does not ship,
    or whose folder an installed package already owns, then import by name.

    Raises ``ProtocError`` for what protoc rejects, when nothing is written. A file that ddl
    cannot express does not stop the others: they are written, then ``GenFailures`` (a
    ``GenError``) names every file that failed and carries what was written.

    Example::

        generate(["protos/shop/order.proto", "protos/shop/common.proto"], ["protos"], "gen")
        # gen/shop/order_ddl.py and gen/shop/common_ddl.py; then, with gen on sys.path:
        # from shop.order_ddl import Order
    """
    index = Index(descriptor_set(files, includes), _checked_package(package))
    return _write(index, _requested(files, includes, index), Path(out), init_files)


def generate_from_set(
    path: str | Path, names: Sequence[str] = (), out: str | Path = ".", *, init_files: bool = False, package: str = ""
) -> Generated:
    """As ``generate``, from the FileDescriptorSet serialized in the file at ``path`` (what
    ``protoc --descriptor_set_out=FILE --include_imports`` writes) instead of .proto sources.

    ``names`` are proto paths inside the set (``shop/order.proto``); without them every file of
    the set is generated (protobuf's own files are skipped with a note, as by ``generate``). The
    files they import must be in the set: ``GenError`` names one that is missing, as it does a
    name the set lacks or a file that is no descriptor set. Comments become docstrings only if
    protoc wrote them (``--include_source_info``).

    Example::

        # protoc -Iprotos --descriptor_set_out=shop.pb --include_imports --include_source_info shop/order.proto
        generate_from_set("shop.pb", ["shop/order.proto"], "gen")   # gen/shop/order_ddl.py
    """
    index = Index(read_set(path), _checked_package(package))
    missing = [name for name in names if name not in index.files]
    if missing:
        raise GenError(f"{missing[0]}: not in the descriptor set {path} (name files by their path inside it)")
    wanted = list(dict.fromkeys(names)) or list(index.files)
    check_imports(index.files, wanted, f"the descriptor set {path}")
    return _write(index, wanted, Path(out), init_files)


def generate_from_modules(
    modules: Sequence[str], out: str | Path = ".", *, init_files: bool = False, package: str = ""
) -> Generated:
    """As ``generate``, from the ``DESCRIPTOR`` of protoc's ``_pb2`` modules, imported by name.

    The modules' own files are generated (or skipped with a note, as by ``generate``), and so is
    every file they import, directly or not, except protobuf's own, whose types ddl maps to its
    own forms or ships in ``ddl.protobuf``: ``out`` then holds every module the named ones import.
    ``GenError`` names a module that cannot be imported or carries no ``DESCRIPTOR``.

    Example::

        generate_from_modules(["opentelemetry.proto.collector.trace.v1.trace_service_pb2"], "gen")
        # gen/opentelemetry/proto/collector/trace/v1/trace_service_ddl.py, and the trace,
        # resource and common modules it imports
    """
    files, named = module_set(modules)
    index = Index(files, _checked_package(package))
    imported = [name for name in index.files if name not in named and _skipped(index, name) is None]
    return _write(index, named + imported, Path(out), init_files)


def _skipped(index: Index, name: str) -> str | None:
    """The note of a file whose types need no module of the output, or None."""
    if maps_whole_file([t.full_name for t in index.types.values() if t.file == name and t.parent is None]):
        return f"{name}: note: skipped: its well-known types map to ddl's own forms (ddl.wkt)"
    if name in SHIPPED:
        return f"{name}: note: skipped: ddl ships its classes as module {SHIPPED[name]}"
    return None


def _write(index: Index, names: list[str], out: Path, init_files: bool) -> Generated:
    result = Generated()
    errors: list[str] = []
    for name in names:
        skipped = _skipped(index, name)
        if skipped is not None:
            result.notes.append(skipped)
            continue
        if name in index.refused:
            errors.append(f"{name}: protobuf's runtime refuses its descriptors ({index.refused[name]})")
            continue
        try:
            text, notes = render(index, name)
        except GenError as exc:
            errors.append(str(exc))
            continue
        if is_hidden(name, index.package):
            notes.append(f"{name}: note: module {module_name(name)} is hidden by protobuf's package google.protobuf")
        path = out / module_path(name, index.package)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        result.paths.append(path)
        if index.files[name].service:
            try:
                services = render_services(index, name, module_name(name, index.package))
            except GenError as exc:
                errors.append(str(exc))
                continue
            grpc_path = path.with_name(grpc_module_name(path.stem) + ".py")
            grpc_path.write_text(services, encoding="utf-8")
            result.paths.append(grpc_path)
        result.notes += notes
        if init_files:
            _add_init_files(out, path.parent)
    if errors:
        raise GenFailures(errors, result)
    return result


def _checked_package(package: str) -> str:
    """``package`` if it is a dotted Python name (or empty), else a GenError."""
    if package and not all(part.isidentifier() and not keyword.iskeyword(part) for part in package.split(".")):
        raise GenError(f"--python-package {package!r} is not a Python package name (such as gen or my_app.protos)")
    return package


def _requested(files: Sequence[str | Path], includes: Sequence[str | Path], index: Index) -> list[str]:
    """The names protoc gave the files on the command line: their paths inside an include folder."""
    roots = [Path(i).resolve() for i in includes] or [Path.cwd()]
    names = []
    for file in files:
        resolved = Path(file).resolve()
        candidates = [resolved.relative_to(r).as_posix() for r in roots if resolved.is_relative_to(r)]
        candidates.append(Path(file).as_posix())
        name = next((c for c in candidates if c in index.files), None)
        if name is None:
            raise GenError(f"{file}: not found among the files protoc compiled (is it under an -I folder?)")
        if name not in names:
            names.append(name)
    return names


def _add_init_files(out: Path, folder: Path) -> None:
    while folder != out and out in folder.parents:
        (folder / "__init__.py").touch()
        folder = folder.parent
