"""The OpenTelemetry trace schema for the ``otlp`` workload, from opentelemetry-proto's own ``_pb2`` modules.

protobuf's adapters use those modules as they are. ddl's classes are generated from them at run
time by ``ddl gen --from-module`` (never committed), into ``benches/_generated/ddl-otlp-<key>/``
as the package ``_ddlbench_otlp``, where ``<key>`` hashes opentelemetry-proto's version and the
source of ddl's generator, so a stale output is never reused. Both give the classes of
``adapters.OTLP_CLASSES``, by name.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import importlib.metadata
import io
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from benches.adapters import OTLP_CLASSES, _protoc

MODULE = "opentelemetry.proto.collector.trace.v1.trace_service_pb2"
PACKAGE = "_ddlbench_otlp"
_lock = threading.Lock()


#: the .proto file of each package of OTLP_CLASSES, under opentelemetry/proto/<package>/
_FILES = {"common.v1": "common", "resource.v1": "resource", "trace.v1": "trace", "collector.trace.v1": "trace_service"}


def _classes(suffix: str, prefix: str = "") -> dict[str, Any]:
    """The classes of OTLP_CLASSES in the modules ``<prefix>opentelemetry.proto.<package>.<file><suffix>``."""
    out = {}
    for name in OTLP_CLASSES:
        parts = name.split(".")
        n_package = next(i for i, part in enumerate(parts) if part[0].isupper())
        package = ".".join(parts[:n_package])
        obj = importlib.import_module(f"{prefix}opentelemetry.proto.{package}.{_FILES[package]}{suffix}")
        for attr in parts[n_package:]:
            obj = getattr(obj, attr)
        out[name] = obj
    return out


def protobuf_classes() -> dict[str, Any]:
    """opentelemetry-proto's own message classes (``ImportError`` without the package)."""
    return _classes("_pb2")


def _generator_key() -> str:
    import ddl

    digest = hashlib.sha256(importlib.metadata.version("opentelemetry-proto").encode())
    for path in sorted((Path(ddl.__file__).parent / "_proto").rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _generate() -> Path:
    """The folder holding the package ``_ddlbench_otlp``, generated unless it is already there."""
    from ddl._cli import main

    out = _protoc._cache_root() / f"ddl-otlp-{_generator_key()}"
    if out.exists():
        return out
    tmp = Path(tempfile.mkdtemp(prefix=".ddl-otlp-", dir=out.parent))
    try:
        argv = ["gen", "--python-package", PACKAGE, "--from-module", MODULE, "-o", str(tmp)]
        report = io.StringIO()
        with contextlib.redirect_stdout(report), contextlib.redirect_stderr(report):
            code = main(argv)
        if code != 0:
            raise RuntimeError(f"ddl gen failed on {MODULE}: {report.getvalue()[-500:]}")
        try:
            os.rename(tmp, out)  # atomic; another process may have won the race
        except OSError:
            if not out.exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def ddl_classes() -> dict[str, Any]:
    """ddl classes generated from opentelemetry-proto (``ImportError`` without the package)."""
    importlib.import_module(MODULE)  # without the package, ImportError even if a folder was generated before
    with _lock:
        folder = str(_generate())
        if folder not in sys.path:
            sys.path.insert(0, folder)
    return _classes("_ddl", prefix=f"{PACKAGE}.")
