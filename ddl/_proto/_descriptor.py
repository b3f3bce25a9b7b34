"""The descriptors of ddl classes and services: what ``ddl proto`` writes, compiled by protoc.

protoc is the one compiler of .proto text to descriptors, so the bridge is the .proto text
itself: the file ``ddl proto`` would write for the classes, compiled with every file it imports.
Services need a file of their own package each (a client calls ``package.Service``).

Example::

    files = descriptor_set([Order], [Shop]).file
    print([f.name for f in files])   # ['google/protobuf/empty.proto', 'shop/ddl.proto']
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from .. import decode
from .._schema._names import package_for
from .._service import service_plan
from ..protobuf.descriptor import FileDescriptorSet
from ._protoc import descriptor_set as compile_files
from ._render import include_paths, render


def descriptor_set(classes: Sequence[type], services: Sequence[type] = ()) -> FileDescriptorSet:
    """The descriptors of ``classes`` (``ddl.Message`` classes and enums) and of the services
    ``services`` (``ddl.Service`` declarations), with the files they import, imports first.

    The classes go in the file of the first service's package (or of the first class's module);
    each other package of a service gets a file of its own, named ``<package path>/ddl.proto``.
    """
    packages: dict[str, list[type]] = {}
    for service in services:
        packages.setdefault(service_plan(service).package, []).append(service)
    if not packages:
        packages[package_for(classes[0].__module__) if classes else ""] = []
    first = next(iter(packages))
    with tempfile.TemporaryDirectory(prefix="ddl-descriptors-") as tmp:
        names = []
        for package, declared in packages.items():
            name = f"{package.replace('.', '/')}/ddl.proto" if package else "ddl.proto"
            path = Path(tmp) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render(classes if package == first else [], package, "ddl", declared))
            names.append(name)
        compiled = compile_files([Path(tmp) / n for n in names], [tmp, *include_paths()], source_info=False)
    found: FileDescriptorSet = decode(compiled.SerializeToString(), FileDescriptorSet)
    return found
