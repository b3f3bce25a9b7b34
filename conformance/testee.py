"""ddl as a testee of protobuf's conformance suite, speaking its protocol with ddl classes.

The runner (protobuf's ``conformance_test_runner``) writes to stdin, for each test, a 4-byte
little-endian length and a serialized ``conformance.ConformanceRequest``, and reads back a length
and a ``ConformanceResponse``. Both envelopes are decoded and encoded here by classes that
``ddl gen`` wrote from ``conformance.proto``: ddl reads its own test protocol. A binary request is
answered by decoding its payload into the ddl class of ``message_type`` and encoding that again.
A JSON request is answered through ``ddl.from_json``/``ddl.to_json``, with the suite's messages
as the registry of ``Any``; a text format one through ``ddl.from_text``/``ddl.to_text``. JSPB
(JavaScript's format) is skipped. ``DDL_PURE_PYTHON=1`` selects the
pure-Python engine.

Example (what ``make conformance`` runs, once per engine)::

    "$DIR/runner" --enforce_recommended conformance/testee-program
"""

from __future__ import annotations

import importlib.util
import struct
import sys
from pathlib import Path
from types import ModuleType
from typing import BinaryIO

HERE = Path(__file__).resolve().parent
GENERATED = HERE / "generated"
# The ddl of the checkout this file is in, whatever ddl the interpreter has installed.
sys.path[:0] = [str(HERE.parent), str(GENERATED)]

from conformance_ddl import (  # noqa: E402 - from GENERATED, put on the path above
    ConformanceRequest,
    ConformanceResponse,
    FailureSet,
    TestCategory,
    WireFormat,
)

import ddl  # noqa: E402 - the checkout's ddl, put on the path above

# The messages the suite sends: full name -> (generated module, class name).
MESSAGES = {
    "protobuf_test_messages.proto3.TestAllTypesProto3": (
        "google/protobuf/test_messages_proto3_ddl.py",
        "TestAllTypesProto3",
    ),
    "protobuf_test_messages.proto2.TestAllTypesProto2": (
        "google/protobuf/test_messages_proto2_ddl.py",
        "TestAllTypesProto2",
    ),
}
# Why a message whose module `ddl gen` could not write is skipped (conformance/README.md).
NOT_GENERATED = "ddl gen cannot generate this message's file yet (see conformance/README.md)"


def _load(relative: str) -> ModuleType:
    # By file path: a module under google/protobuf/ is hidden by protobuf's own package when that
    # is installed, so it cannot be imported by name.
    path = GENERATED / relative
    name = "ddl_conformance_" + path.stem
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def message_classes() -> dict[str, type[ddl.Message]]:
    """The ddl class of each suite message whose module was generated, by full proto name."""
    classes = {}
    for full_name, (relative, cls) in MESSAGES.items():
        if (GENERATED / relative).exists():
            classes[full_name] = getattr(_load(relative), cls)
    return classes


CLASSES = message_classes()


def respond(request: ConformanceRequest) -> ConformanceResponse:
    """The answer to one request: a round trip through the ddl class, or why there is none."""
    if request.message_type == "conformance.FailureSet":
        # The runner first asks which tests the testee expects to fail: none.
        return ConformanceResponse(protobuf_payload=ddl.encode(FailureSet()))
    json_in = request.json_payload is not None
    text_in = request.text_payload is not None
    if request.protobuf_payload is None and not json_in and not text_in:
        return ConformanceResponse(skipped="ddl answers binary, JSON and text format input; JSPB is not for Python")
    json_out = request.requested_output_format == WireFormat.JSON
    text_out = request.requested_output_format == WireFormat.TEXT_FORMAT
    if request.requested_output_format != WireFormat.PROTOBUF and not json_out and not text_out:
        return ConformanceResponse(skipped="ddl answers binary, JSON and text format output; JSPB is not for Python")
    cls = CLASSES.get(request.message_type)
    if cls is None:
        if request.message_type in MESSAGES:
            return ConformanceResponse(skipped=f"{request.message_type}: {NOT_GENERATED}")
        return ConformanceResponse(runtime_error=f"unknown message type {request.message_type!r}")
    try:
        if json_in:
            ignore = request.test_category == TestCategory.JSON_IGNORE_UNKNOWN_PARSING_TEST
            message = ddl.from_json(request.json_payload or "", cls, ignore_unknown_fields=ignore, registry=CLASSES)
        elif text_in:
            message = ddl.from_text(request.text_payload or "", cls, registry=CLASSES)
        else:
            message = ddl.decode(request.protobuf_payload or b"", cls)
    except ddl.DecodeError as exc:
        return ConformanceResponse(parse_error=str(exc))
    try:
        if json_out:
            return ConformanceResponse(json_payload=ddl.to_json(message, registry=CLASSES))
        if text_out:
            text = ddl.to_text(message, print_unknown_fields=request.print_unknown_fields, registry=CLASSES)
            return ConformanceResponse(text_payload=text)
        return ConformanceResponse(protobuf_payload=ddl.encode(message))
    except ddl.EncodeError as exc:
        return ConformanceResponse(serialize_error=str(exc))


def answer(data: bytes) -> bytes:
    """A serialized response to a serialized request; any unexpected exception is a runtime_error."""
    try:
        response = respond(ddl.decode(data, ConformanceRequest))
    except Exception as exc:  # noqa: BLE001 - the suite counts it as a failure, with the reason
        response = ConformanceResponse(runtime_error=f"{type(exc).__name__}: {exc}")
    return ddl.encode(response)


def serve(stdin: BinaryIO, stdout: BinaryIO) -> int:
    """Answer requests until stdin ends; returns how many were answered."""
    count = 0
    while head := stdin.read(4):
        if len(head) != 4:
            raise EOFError("the runner closed stdin in the middle of a length")
        (size,) = struct.unpack("<I", head)
        data = stdin.read(size)
        if len(data) != size:
            raise EOFError(f"the runner closed stdin after {len(data)} of {size} bytes of a request")
        out = answer(data)
        stdout.write(struct.pack("<I", len(out)) + out)
        stdout.flush()
        count += 1
    return count


def main() -> int:
    print(f"ddl conformance testee: {ddl.engine()} engine, messages: {', '.join(sorted(CLASSES))}", file=sys.stderr)
    serve(sys.stdin.buffer, sys.stdout.buffer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
