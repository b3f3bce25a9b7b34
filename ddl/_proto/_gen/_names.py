"""Where a .proto file's ddl module goes, and what Python calls each of its types and fields.

The file path decides the module, as with protoc's ``_pb2`` modules (the proto package does
not): ``google/type/date.proto`` becomes module ``google.type.date_ddl`` in
``google/type/date_ddl.py``. protobuf's own files without a native form are the exception: ddl
ships their classes in ``ddl.protobuf`` (``SHIPPED``), and references to their types import them
from there. Names that Python cannot take as written get a trailing underscore.

Example::

    assert module_name("shop/order-v1.proto") == "shop.order_v1_ddl"
    assert py_name("class") == "class_"
"""

from __future__ import annotations

import builtins
import keyword
from pathlib import PurePosixPath

# What a generated module imports or annotates with: a type, field or oneof named like one of
# these would hide it from the lines after it.
SHADOWING = frozenset({"ddl", "typing", "datetime", "enum", "int", "float", "str", "bytes", "bool", "list", "dict"})
_BUILTINS = frozenset(dir(builtins))


# The files of protobuf's google/protobuf/ tree whose types have no form of ddl's own (see
# _wkt_forms.py for those that do), and the module of ddl.protobuf that holds their classes.
# ``ddl.protobuf`` is generated from them by ``write_shipped`` (``make protobuf-classes``).
SHIPPED = {
    "google/protobuf/api.proto": "ddl.protobuf.api",
    "google/protobuf/compiler/plugin.proto": "ddl.protobuf.plugin",
    "google/protobuf/cpp_features.proto": "ddl.protobuf.cpp_features",
    "google/protobuf/descriptor.proto": "ddl.protobuf.descriptor",
    "google/protobuf/go_features.proto": "ddl.protobuf.go_features",
    "google/protobuf/java_features.proto": "ddl.protobuf.java_features",
    "google/protobuf/source_context.proto": "ddl.protobuf.source_context",
    "google/protobuf/type.proto": "ddl.protobuf.type",
}


def module_name(proto: str, package: str = "") -> str:
    """The module a .proto file's ddl code lives in (dashes become underscores, as protoc does),
    inside the Python ``package`` if one is given (``ddl gen --python-package``)."""
    if proto in SHIPPED:
        return SHIPPED[proto]
    stem = proto.removesuffix(".proto")
    return (f"{package}." if package else "") + stem.replace("-", "_").replace("/", ".") + "_ddl"


def module_path(proto: str, package: str = "") -> PurePosixPath:
    """The generated file, relative to the output folder."""
    return PurePosixPath(*module_name(proto, package).split(".")).with_suffix(".py")


def is_hidden(proto: str, package: str = "") -> bool:
    """Whether a file's module would sit in package ``google.protobuf``, where protobuf's own
    package hides it from imports by name (a file of protobuf's tree that ddl does not ship,
    generated without a ``package`` of its own)."""
    return not package and proto.startswith("google/protobuf/") and proto not in SHIPPED


def py_name(name: str) -> str:
    """A proto type, field or oneof name as a Python identifier. A name with two leading
    underscores would be mangled in a class body (``__x`` becomes ``_Cls__x``): its leading
    underscores move to its end (``x__``), which Python leaves alone."""
    if name.startswith("__") and not name.endswith("__"):
        bare = name.lstrip("_")
        name = bare + "_" * (len(name) - len(bare))
    if keyword.iskeyword(name) or name in SHADOWING:
        return name + "_"
    return name


def enum_member_name(name: str) -> str:
    """An enum value's name: as written, unless Python or ``enum`` keeps it for itself."""
    sunder = len(name) > 2 and name[0] == name[-1] == "_" and name[1] != "_" and name[-2] != "_"
    return name + "_" if keyword.iskeyword(name) or name == "mro" or sunder else name


def module_alias(module: str, taken: set[str]) -> str:
    """A short name under which to import ``module``: its last part, lengthened on a clash or
    when it is a builtin's name (``ddl.protobuf.type`` is imported as ``protobuf_type``)."""
    parts = module.split(".")
    for size in range(1, len(parts) + 1):
        alias = "_".join(parts[-size:])
        if alias not in taken and alias not in SHADOWING and not keyword.iskeyword(alias) and alias not in _BUILTINS:
            return alias
    return "_".join(parts) + "_"
