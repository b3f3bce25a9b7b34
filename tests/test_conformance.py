"""The conformance testee (``conformance/``): it speaks the runner's protocol with ddl classes.

protobuf's ``conformance_test_runner`` is not needed here: the testee is run as the runner runs
it, with hand-made requests on stdin. The classes it uses are committed under
``conformance/generated``; that ``ddl gen`` still writes exactly them is checked when the suite's
.proto files are at hand (in the folder ``../shared/tools/conformance-runner`` builds).
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Engine
from tests.protoc import load_file

CONFORMANCE = Path(__file__).resolve().parent.parent / "conformance"
GENERATED = CONFORMANCE / "generated"
RUNNER_DIR = Path(os.environ.get("CONFORMANCE_DIR", "/tmp/ddl-conformance"))
PROTO3 = "protobuf_test_messages.proto3.TestAllTypesProto3"
PROTO2 = "protobuf_test_messages.proto2.TestAllTypesProto2"


envelope = load_file(GENERATED / "conformance_ddl.py", "_conformance_test")
proto3 = load_file(GENERATED / "google/protobuf/test_messages_proto3_ddl.py", "_conformance_test")
proto2_classes = load_file(GENERATED / "google/protobuf/test_messages_proto2_ddl.py", "_conformance_test")
PROTO2_PAYLOAD = b"\x08\x01" + b"\xcb\x0c" + b"\xd0\x0c\x05" + b"\xcc\x0c"


def run_testee(engine: Engine, requests: list[bytes]) -> tuple[list[Any], str]:
    """The testee's responses to serialized ``requests``, sent as the runner sends them, and its stderr.

    The testee runs on ``engine``, chosen as users choose it: by ``DDL_PURE_PYTHON``.
    """
    env = {k: v for k, v in os.environ.items() if k != "DDL_PURE_PYTHON"}
    if engine.name == "python":
        env["DDL_PURE_PYTHON"] = "1"
    stdin = b"".join(struct.pack("<I", len(data)) + data for data in requests)
    done = subprocess.run(
        [sys.executable, str(CONFORMANCE / "testee.py")], input=stdin, env=env, capture_output=True, check=True
    )
    responses, out = [], done.stdout
    while out:
        (size,) = struct.unpack("<I", out[:4])
        responses.append(engine.decode(out[4 : 4 + size], envelope.ConformanceResponse))
        out = out[4 + size :]
    return responses, done.stderr.decode()


def request(payload: bytes, message_type: str = PROTO3, output: str = "PROTOBUF") -> Any:
    """A request for binary input, as the runner writes it."""
    return envelope.ConformanceRequest(
        protobuf_payload=payload, message_type=message_type, requested_output_format=envelope.WireFormat[output]
    )


def test_the_testee_answers_each_kind_of_request_on_the_engine_the_environment_selects(engine: Engine) -> None:
    # optional_int32 = 150, optional_string = "hi", optional_nested_message { a: 1 }, and field
    # 999 (unknown to the class), which must come back unchanged.
    payload = b"\x08\x96\x01" + b"\x72\x02hi" + b"\x92\x01\x02\x08\x01" + b"\xb8\x3e\x07"
    requests = [
        request(payload),
        request(b"\x72\x05hi"),  # a string cut short
        envelope.ConformanceRequest(
            json_payload='{"optionalInt32": 1}', message_type=PROTO3, requested_output_format=envelope.WireFormat.JSON
        ),
        request(payload, output="TEXT_FORMAT"),
        envelope.ConformanceRequest(
            text_payload="optional_int32: 150 optional_string: 'hi'",
            message_type=PROTO3,
            requested_output_format=envelope.WireFormat.PROTOBUF,
        ),
        envelope.ConformanceRequest(
            jspb_payload="[]", message_type=PROTO3, requested_output_format=envelope.WireFormat.PROTOBUF
        ),
        request(b"", message_type="conformance.FailureSet"),
        request(b"", message_type="no.such.Message"),
        # optional_int32 = 1, and the group data (201) holding group_int32 (202) = 5
        request(PROTO2_PAYLOAD, message_type=PROTO2),
    ]
    responses, stderr = run_testee(engine, [engine.encode(r) for r in requests])
    assert f"ddl conformance testee: {engine.name} engine" in stderr
    round_trip, cut, json, text, from_text, jspb, failure_set, unknown, proto2 = responses
    assert round_trip == envelope.ConformanceResponse(protobuf_payload=payload)
    assert engine.decode(payload, proto3.TestAllTypesProto3).optional_string == "hi"
    assert cut.parse_error is not None and cut.protobuf_payload is None
    assert json == envelope.ConformanceResponse(json_payload='{"optionalInt32": 1}')
    # the text format leaves the unknown field 999 out
    printed = 'optional_int32: 150\noptional_string: "hi"\noptional_nested_message {\n  a: 1\n}\n'
    assert text == envelope.ConformanceResponse(text_payload=printed)
    assert from_text == envelope.ConformanceResponse(protobuf_payload=b"\x08\x96\x01" + b"\x72\x02hi")
    assert jspb.skipped is not None
    assert failure_set == envelope.ConformanceResponse(protobuf_payload=b"")
    assert unknown.runtime_error == "unknown message type 'no.such.Message'"
    assert proto2 == envelope.ConformanceResponse(protobuf_payload=PROTO2_PAYLOAD)
    assert engine.decode(PROTO2_PAYLOAD, proto2_classes.TestAllTypesProto2).data.group_int32 == 5


def test_the_testee_reads_and_writes_proto3_json(engine: Engine) -> None:
    json_output = envelope.WireFormat.JSON
    requests = [
        envelope.ConformanceRequest(
            json_payload='{"optionalInt32": 1, "optionalString": "hi"}', message_type=PROTO3,
            requested_output_format=envelope.WireFormat.PROTOBUF,
        ),
        request(b"\x08\x96\x01", output="JSON"),
        envelope.ConformanceRequest(
            json_payload='{"noSuchField": 1}', message_type=PROTO3, requested_output_format=json_output
        ),
        envelope.ConformanceRequest(
            json_payload='{"noSuchField": 1}', message_type=PROTO3, requested_output_format=json_output,
            test_category=envelope.TestCategory.JSON_IGNORE_UNKNOWN_PARSING_TEST,
        ),
    ]  # fmt: skip
    (binary, json_text, unknown, ignored), _ = run_testee(engine, [engine.encode(r) for r in requests])
    assert binary == envelope.ConformanceResponse(protobuf_payload=b"\x08\x01\x72\x02hi")
    assert json_text == envelope.ConformanceResponse(json_payload='{"optionalInt32": 150}')
    assert unknown.parse_error is not None and "noSuchField" in unknown.parse_error
    assert ignored == envelope.ConformanceResponse(json_payload="{}")


def test_a_request_that_is_not_a_conformance_request_is_a_runtime_error(engine: Engine) -> None:
    (response,), _ = run_testee(engine, [b"\x0a\x05ab"])  # protobuf_payload cut short
    assert response.runtime_error is not None and response.runtime_error.startswith("DecodeError: ")


@pytest.mark.skipif(
    not (RUNNER_DIR / "src/conformance.proto").exists(),
    reason=f"the suite's .proto files are not in {RUNNER_DIR} (run ../shared/tools/conformance-runner)",
)
def test_the_committed_classes_are_what_ddl_gen_writes_today(tmp_path: Path) -> None:
    run = load_file(CONFORMANCE / "run.py", "_conformance_test")
    run.generate_classes(RUNNER_DIR / "src", tmp_path)
    fresh = {p.relative_to(tmp_path): p.read_text() for p in tmp_path.rglob("*.py")}
    committed = {p.relative_to(GENERATED): p.read_text() for p in GENERATED.rglob("*.py")}
    assert sorted(fresh) == sorted(committed)
    assert fresh == committed
