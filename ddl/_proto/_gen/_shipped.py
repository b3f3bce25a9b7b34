"""The classes ddl ships for protobuf's own .proto files: the package ``ddl.protobuf``.

They are ``ddl gen``'s output for the files of ``SHIPPED`` (descriptor.proto, compiler/plugin.proto,
api.proto...), as protoc finds them in grpcio-tools, committed to the source tree. Regenerate them
with ``make protobuf-classes`` after grpcio-tools brings new versions of those files, or after
``ddl gen`` changes what it writes; a test checks that doing so changes nothing.

Example::

    write_shipped(Path("."))   # ddl/protobuf/descriptor.py, ddl/protobuf/plugin.py, ...
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

from .._protoc import descriptor_set, wkt_include
from ._index import Index
from ._names import SHIPPED, module_path
from ._render import render
from ._source import GenError


def write_shipped(root: Path) -> list[Path]:
    """Write the modules of ``ddl.protobuf`` under ``root`` (the folder holding ``ddl/``).

    Raises ``GenError`` if ``ddl gen`` cannot express a file, or skips a part of one: the shipped
    classes must be whole. Returns the modules written; ``ddl/protobuf/_origin.py`` also records
    the grpcio-tools version whose .proto files they come from (another version may differ).
    """
    index = Index(descriptor_set(sorted(SHIPPED), [wkt_include()]))
    paths = []
    for name in sorted(SHIPPED):
        text, notes = render(index, name)
        if notes:
            raise GenError("\n".join(notes))
        path = root / module_path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    origin = root / "ddl/protobuf/_origin.py"
    origin.write_text(
        '"""The grpcio-tools whose .proto files ddl.protobuf was generated from (by make protobuf-classes)."""\n\n'
        f'GRPCIO_TOOLS = "{version("grpcio-tools")}"\n',
        encoding="utf-8",
    )
    return paths
