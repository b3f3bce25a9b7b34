"""Wrong arguments to the public entry points are TypeErrors that say what to pass instead, the
same on both engines: a message where its class belongs, a class where a message belongs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest

import ddl
from ddl import _api
from tests.conftest import Engine


class User(ddl.Message):
    id: int = 0
    name: str = ""


@dataclass(frozen=True)
class Entry:
    """The public calls of one engine: ddl's own names are the compiled ones whenever it is built."""

    name: str
    encode: Any
    decode: Any
    encoder: Any
    decoder: Any


ENTRIES = [
    Entry("public", ddl.encode, ddl.decode, ddl.Encoder, ddl.Decoder),
    Entry("python", _api.python_encode, _api.python_decode, _api.PythonEncoder, _api.PythonDecoder),
]

INSTANCE_FOR_CLASS = "expected a ddl.Message subclass, got a User instance (pass the class itself: User)"
CLASS_FOR_INSTANCE = (
    "expected an instance of a ddl.Message subclass, got the class User itself (encode an instance: User(...))"
)


@pytest.fixture(params=ENTRIES, ids=lambda e: e.name)
def entry(request: pytest.FixtureRequest) -> Entry:
    chosen: Entry = request.param
    return chosen


def test_decode_takes_the_class(engine: Engine, entry: Entry) -> None:
    data = engine.encode(User(id=7))
    assert engine.decode(data, User) == entry.decode(data, User) == User(id=7)
    assert entry.decode(b"", User) == User()


def test_decode_given_an_instance_names_the_class_to_pass(engine: Engine, entry: Entry) -> None:
    for decode in (engine.decode, entry.decode, lambda data, cls: entry.decoder(cls).decode(data)):
        with pytest.raises(TypeError, match=re.escape(INSTANCE_FOR_CLASS)):
            decode(b"", User(id=1))


def test_encode_given_the_class_says_to_encode_an_instance(engine: Engine, entry: Entry) -> None:
    for encode in (engine.encode, entry.encode, entry.encoder().encode):
        with pytest.raises(TypeError, match=re.escape(CLASS_FOR_INSTANCE)):
            encode(User)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (42, "an object of type int"),
        ({"id": 1}, "an object of type dict"),
        (ddl.Message(), "an instance of ddl.Message itself"),
    ],
)
def test_encode_of_anything_but_a_message_names_what_it_got(
    engine: Engine, entry: Entry, value: Any, shown: str
) -> None:
    expected = f"^expected an instance of a ddl\\.Message subclass, got {re.escape(shown)}$"
    for encode in (engine.encode, entry.encode, entry.encoder().encode):
        with pytest.raises(TypeError, match=expected):
            encode(value)


@pytest.mark.parametrize(
    ("value", "shown"), [(int, "the class int"), (ddl.Message, "ddl.Message itself"), ("User", "an object of type str")]
)
def test_decode_of_anything_but_a_message_class_names_what_it_got(
    engine: Engine, entry: Entry, value: Any, shown: str
) -> None:
    message = f"^expected a ddl.Message subclass, got {re.escape(shown)}$"
    for decode in (engine.decode, entry.decode):
        with pytest.raises(TypeError, match=message):
            decode(b"", value)
    with pytest.raises(TypeError, match=message):
        entry.decoder(value)


def test_encoder_and_decoder_options_are_keywords(entry: Entry) -> None:
    with pytest.raises(TypeError, match="positional"):
        entry.encoder(True)
    with pytest.raises(TypeError, match="positional"):
        entry.decoder(User, 5)
    with pytest.raises(TypeError, match="positional"):
        entry.decoder()


@pytest.mark.parametrize(("bad", "shown"), [("9", "str"), (None, "NoneType"), (2.5, "float")])
def test_a_max_depth_that_is_not_an_int_is_the_same_type_error_on_both_engines(
    entry: Entry, bad: object, shown: str
) -> None:
    # A float is refused, never truncated to a C int.
    for call in (
        lambda: entry.encoder(max_depth=bad),
        lambda: entry.decoder(User, max_depth=bad),
        lambda: entry.encode(User(), max_depth=bad),
        lambda: entry.decode(b"", User, max_depth=bad),
    ):
        with pytest.raises(TypeError, match=rf"^max_depth must be an int, got {shown}$"):
            call()


def test_a_max_depth_beyond_a_c_int_is_the_same_overflow_error_on_both_engines(entry: Entry) -> None:
    for call in (
        lambda: entry.encode(User(), max_depth=2**40),
        lambda: entry.decoder(User, max_depth=-(2**31) - 1),
    ):
        with pytest.raises(OverflowError, match=r"^max_depth=-?\d+ does not fit in a C int$"):
            call()
    assert entry.encoder(max_depth=2**31 - 1).max_depth == 2**31 - 1


def test_encoder_stores_deterministic_as_a_bool(entry: Entry) -> None:
    assert entry.encoder(deterministic="yes").deterministic is True
    assert entry.encoder(deterministic=0).deterministic is False
