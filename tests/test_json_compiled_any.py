"""``google.protobuf.Any`` (``ddl.wkt.Any``) in the compiled JSON writer and reader.

An Any's JSON is the message it packs with an ``"@type"`` key beside that message's keys, the
class found in the call's registry by the full name its type URL ends with. The compiled engine
writes and reads the messages of registry classes itself (json_any.pxi), the gRPC error model's
``Status`` with its ``details`` among them, and leaves the rest to the Python path: a well-known
type inside, a type the registry lacks, bytes that are no such message, odd texts. Whatever it
takes or leaves, both engines give the same text, value or error.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from functools import partial
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ddl
from ddl import _compiled, wkt
from tests.conftest import FIXTURE_SAFE, examples, no_collection, python_calls_of
from tests.json_paths import OPTIONS, assert_same_on_both_paths
from tests.test_json_compiled_read import assert_engines_agree

pytestmark = pytest.mark.skipif(_compiled.speedups is None, reason="the compiled engine is not built")


class ErrorInfo(ddl.Message):
    reason: str = ""
    domain: str = ""
    metadata: dict[str, str] = ddl.field(default_factory=dict)


class Status(ddl.Message):
    code: ddl.int32 = 0
    message: str = ""
    details: list[wkt.Any] = ddl.field(default_factory=list)


class Envelope(ddl.Message):
    payload: wkt.Any | None = None
    by_name: dict[str, wkt.Any] = ddl.field(default_factory=dict)
    choice: wkt.Any | str | None = None
    ticket: uuid.UUID | None = None


REGISTRY: dict[str, Any] = {"test.ErrorInfo": ErrorInfo, "test.Status": Status, "test.Envelope": Envelope}


def packed(msg: ddl.Message, name: str) -> wkt.Any:
    return wkt.Any(type_url=f"type.googleapis.com/{name}", value=ddl.encode(msg))


INFO = ErrorInfo(reason="RATE_LIMITED", domain="api.example.com", metadata={"limit": "100", "window": "60s"})
STATUS = Status(code=8, message="quota exceeded", details=[packed(INFO, "test.ErrorInfo"), wkt.Any()])
NESTED = Envelope(
    payload=packed(Envelope(payload=packed(INFO, "test.ErrorInfo"), ticket=uuid.UUID(int=7)), "test.Envelope"),
    by_name={"é": packed(ErrorInfo(reason="naïve ☃ 🎉"), "test.ErrorInfo"), "empty": wkt.Any()},
    choice=packed(STATUS, "test.Status"),
)


def in_c(call: Any, *args: Any, **options: Any) -> bool:
    """Whether ``call`` runs no Python code at all: the compiled engine did the whole call."""
    with no_collection():
        return python_calls_of(partial(call, *args, **options)) == 0


@pytest.mark.parametrize("msg", [STATUS, NESTED, packed(INFO, "test.ErrorInfo")], ids=["status", "nested", "bare"])
def test_a_message_holding_anys_of_registry_classes_is_written_and_read_in_c(msg: ddl.Message) -> None:
    kind, text = assert_same_on_both_paths(msg, registry=REGISTRY)
    assert kind == "text"
    assert in_c(ddl.to_json, msg, registry=REGISTRY)
    assert assert_engines_agree(text, type(msg), registry=REGISTRY) == ("value", msg)
    assert in_c(ddl.from_json, text, type(msg), registry=REGISTRY)
    assert ddl.Decoder(type(msg)).from_json(text, registry=REGISTRY) == msg
    assert ddl.Encoder().to_json(msg, registry=REGISTRY) == text


def test_the_status_text_is_protobufs() -> None:
    assert ddl.to_json(STATUS, registry=REGISTRY) == (
        '{"code": 8, "message": "quota exceeded", "details": [{"@type": "type.googleapis.com/test.ErrorInfo", '
        '"reason": "RATE_LIMITED", "domain": "api.example.com", "metadata": {"limit": "100", "window": "60s"}}, {}]}'
    )


@settings(FIXTURE_SAFE, max_examples=examples(40))
@given(
    options=OPTIONS,
    reason=st.text(),
    metadata=st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
    code=st.integers(-(2**31), 2**31 - 1),
    where=st.sampled_from(["payload", "by_name", "choice"]),
)
def test_any_value_and_options_give_the_same_text_and_message_on_both_engines(
    options: dict[str, bool], reason: str, metadata: dict[str, str], code: int, where: str
) -> None:
    inner = packed(Status(code=code, details=[packed(ErrorInfo(reason=reason, metadata=metadata), "test.ErrorInfo")]),
                   "test.Status")  # fmt: skip
    value: Any = {"k": inner} if where == "by_name" else inner
    msg = Envelope(**{where: value})
    kind, text = assert_same_on_both_paths(msg, registry=REGISTRY, **options)
    if kind == "text":
        assert assert_engines_agree(text, Envelope, registry=REGISTRY) == ("value", msg)


URL = "type.googleapis.com/"
WELL_KNOWN = [
    wkt.Any(type_url=URL + "google.protobuf.Duration", value=b"\x08\x01"),
    packed(wkt.Int64Value(value=5), "google.protobuf.Int64Value"),
    packed(wkt.Empty(), "google.protobuf.Empty"),
    packed(wkt.FieldMask(paths=["a.b_c"]), "google.protobuf.FieldMask"),
    packed(wkt.Value(kind="x"), "google.protobuf.Value"),
]


def _leftover_anys() -> Iterator[tuple[str, wkt.Any, Mapping[str, Any] | None]]:
    """Anys the compiled writer leaves to the Python path, each with the registry of the call."""
    for any_value in WELL_KNOWN:
        yield any_value.type_url.rpartition(".")[2], any_value, REGISTRY
    yield "unknown type", packed(INFO, "test.Missing"), REGISTRY
    yield "no registry", packed(INFO, "test.ErrorInfo"), None
    yield "not a message", wkt.Any(type_url=URL + "test.ErrorInfo", value=b"\xff\xff"), REGISTRY
    yield "no slash", wkt.Any(type_url="test.ErrorInfo", value=ddl.encode(INFO)), REGISTRY
    yield "only a url", wkt.Any(type_url=URL + "test.ErrorInfo"), REGISTRY
    yield "only bytes", wkt.Any(value=b"\x08\x01"), REGISTRY
    yield "a wrapper registered", packed(wkt.Int64Value(value=5), "my.Count"), {"my.Count": wkt.Int64Value}
    yield "not a class", packed(INFO, "test.ErrorInfo"), {"test.ErrorInfo": 5}
    yield "a mapping", packed(INFO, "test.ErrorInfo"), _Registry(REGISTRY)


class _Registry(Mapping[str, Any]):
    def __init__(self, items: dict[str, Any]) -> None:
        self.items_ = items

    def __getitem__(self, key: str) -> Any:
        return self.items_[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.items_)

    def __len__(self) -> int:
        return len(self.items_)


@pytest.mark.parametrize(("any_value", "registry"), [case[1:] for case in _leftover_anys()],
                         ids=[case[0] for case in _leftover_anys()])  # fmt: skip
def test_what_the_compiled_writer_leaves_to_python_gives_the_same_text_or_error(
    any_value: wkt.Any, registry: Mapping[str, Any] | None
) -> None:
    for msg in (Status(code=1, details=[packed(INFO, "test.ErrorInfo"), any_value]), Envelope(payload=any_value)):
        kind, text = assert_same_on_both_paths(msg, registry=registry)
        if kind == "text":
            assert_engines_agree(text, type(msg), registry=registry)


def test_a_timestamp_inside_an_any_is_written_beside_messages_the_compiled_writer_writes() -> None:
    stamp = wkt.Any(type_url=URL + "google.protobuf.Timestamp", value=b"\x08\x80\xc2\xaf\xf0\x05")
    msg = Status(details=[packed(INFO, "test.ErrorInfo"), stamp])
    assert assert_same_on_both_paths(msg, registry=REGISTRY) == ("text", ddl.to_json(msg, registry=REGISTRY))
    assert '{"@type": "type.googleapis.com/google.protobuf.Timestamp", "value": "2020-01-01T00:00:00Z"}' in (
        ddl.to_json(msg, registry=REGISTRY)
    )


INFO_JSON = '"reason": "x", "domain": "d"'
READ_TEXTS = {
    "type last": '{"details": [{' + INFO_JSON + ', "@type": "type.googleapis.com/test.ErrorInfo"}]}',
    "type twice": '{"details": [{"@type": "' + URL + 'test.ErrorInfo", "@type": "' + URL + 'test.ErrorInfo"}]}',
    "type twice apart": '{"details": [{"@type": "' + URL + 'test.ErrorInfo", ' + INFO_JSON + ', "@type": "x/y"}]}',
    "no type": '{"details": [{' + INFO_JSON + "}]}",
    "type a number": '{"details": [{"@type": 5}]}',
    "type escaped": '{"details": [{"@type": "type.googleapis.com\\/test.ErrorInfo"}]}',
    "type without slash": '{"details": [{"@type": "test.ErrorInfo"}]}',
    "unknown type": '{"details": [{"@type": "' + URL + 'test.Nope", ' + INFO_JSON + "}]}",
    "unknown key": '{"details": [{"@type": "' + URL + 'test.ErrorInfo", "color": 1}]}',
    "type elsewhere": '{"@type": "' + URL + 'test.Status", "details": []}',
    "an array": '{"details": [[]]}',
    "null": '{"details": [null]}',
    "empty": '{"details": [{}, {  }]}',
    "well-known": '{"details": [{"@type": "' + URL + 'google.protobuf.Duration", "value": "1.5s"}]}',
    "nested": f'{{"details": [{{"@type": "{URL}test.Status", "details": [{{"@type": "{URL}test.ErrorInfo",'
    ' "reason": "deep"}], "code": 3}]}',
    "nested type last": f'{{"details": [{{"details": [{{"reason": "deep", "@type": "{URL}test.ErrorInfo"}}],'
    f' "@type": "{URL}test.Status"}}]}}',
}


@pytest.mark.parametrize("text", list(READ_TEXTS.values()), ids=list(READ_TEXTS))
@pytest.mark.parametrize("ignore", [False, True])
def test_any_text_reads_the_same_on_both_engines(text: str, ignore: bool) -> None:
    assert_engines_agree(text, Status, registry=REGISTRY, ignore_unknown_fields=ignore)
    assert_engines_agree(text, Status, registry=None, ignore_unknown_fields=ignore)


def test_an_any_whose_type_comes_last_is_still_read_in_c() -> None:
    text = READ_TEXTS["nested type last"]
    assert in_c(ddl.from_json, text, Status, registry=REGISTRY)
    inner = Status(code=0, details=[packed(ErrorInfo(reason="deep"), "test.ErrorInfo")])
    assert ddl.from_json(text, Status, registry=REGISTRY) == Status(details=[packed(inner, "test.Status")])


def test_every_cut_of_a_text_with_anys_fails_alike_on_both_engines() -> None:
    text = ddl.to_json(NESTED, registry=REGISTRY)
    for end in range(len(text)):
        assert_engines_agree(text[:end], Envelope, registry=REGISTRY)


def test_anys_nested_past_the_depth_limit_give_the_same_outcome() -> None:
    msg: ddl.Message = INFO
    name = "test.ErrorInfo"
    for _ in range(60):
        msg, name = Envelope(payload=packed(msg, name)), "test.Envelope"
    kind, text = assert_same_on_both_paths(msg, registry=REGISTRY)
    if kind == "text":
        assert_engines_agree(text, Envelope, registry=REGISTRY)


class _Meddler:
    """A registry key equal to a type's name, whose comparison empties the message being written."""

    def __init__(self, victim: Status) -> None:
        self.victim = victim

    def __hash__(self) -> int:
        return hash("test.ErrorInfo")

    def __eq__(self, other: object) -> bool:
        self.victim.details.clear()
        return other == "test.ErrorInfo"


def test_a_registry_that_changes_the_message_while_it_is_written_gives_the_text_of_what_is_left() -> None:
    victim = Status(code=2, details=[packed(INFO, "test.ErrorInfo"), packed(INFO, "test.ErrorInfo")])
    registry: dict[Any, Any] = {_Meddler(victim): ErrorInfo}
    assert ddl.to_json(victim, registry=registry) == '{"code": 2}'
    assert victim.details == []
