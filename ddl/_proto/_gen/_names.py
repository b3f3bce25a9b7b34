"""Where a .proto file's ddl module goes, and what Python calls each of its types and fields.

The file path decides the module, as with protoc's ``_pb2`` modules (the proto package does
not): ``google/type/date.proto`` becomes module ``google.type.date_ddl`` in
``google/type/date_ddl.py``. Names that Python cannot take as written get a trailing underscore.

Example::

    assert module_name("shop/order-v1.proto") == "shop.order_v1_ddl"
    assert py_name("class") == "class_"
"""

from __future__ import annotations

import keyword
from pathlib import PurePosixPath

# What a generated module imports or annotates with: a type, field or oneof named like one of
# these would hide it from the lines after it.
SHADOWING = frozenset({"ddl", "typing", "datetime", "enum", "int", "float", "str", "bytes", "bool", "list", "dict"})


def module_name(proto: str) -> str:
    """The module a .proto file's ddl code lives in (dashes become underscores, as protoc does)."""
    stem = proto.removesuffix(".proto")
    return stem.replace("-", "_").replace("/", ".") + "_ddl"


def module_path(proto: str) -> PurePosixPath:
    """The generated file, relative to the output folder."""
    return PurePosixPath(*module_name(proto).split(".")).with_suffix(".py")


def py_name(name: str) -> str:
    """A proto type, field or oneof name as a Python identifier."""
    if keyword.iskeyword(name) or name in SHADOWING:
        return name + "_"
    return name


def enum_member_name(name: str) -> str:
    """An enum value's name: as written, unless Python or ``enum`` keeps it for itself."""
    sunder = len(name) > 2 and name[0] == name[-1] == "_" and name[1] != "_" and name[-2] != "_"
    return name + "_" if keyword.iskeyword(name) or name == "mro" or sunder else name


def module_alias(module: str, taken: set[str]) -> str:
    """A short name under which to import ``module``: its last part, lengthened on a clash."""
    parts = module.split(".")
    for size in range(1, len(parts) + 1):
        alias = "_".join(parts[-size:])
        if alias not in taken and alias not in SHADOWING and not keyword.iskeyword(alias):
            return alias
    return "_".join(parts) + "_"
