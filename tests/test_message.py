"""Message classes behave like dataclasses: construction, equality, copies, pickles, frozen."""

from __future__ import annotations

import copy
import dataclasses
import importlib
import linecache
import pickle
import traceback
from enum import IntEnum
from typing import Any

import pytest

import ddl
from ddl._api import PythonDecoder, PythonEncoder
from tests.conftest import Engine


class Color(IntEnum):
    RED = 0
    GREEN = 1


class Item(ddl.Message):
    sku: str = ""
    qty: ddl.int32 = 0


class Order(ddl.Message):
    id: int
    note: str = ""
    items: list[Item] = []
    labels: dict[str, int] = {}
    color: Color = Color.RED
    gift: bool | None = None


class Point(ddl.Message, frozen=True):
    x: ddl.sint32 = 0
    y: ddl.sint32 = 0


class Settings(ddl.Message, kw_only=True):
    verbose: bool
    level: int = ddl.field(number=5, default=1)
    paths: list[str] = ddl.field(default_factory=lambda: ["/"])


class Base(ddl.Message):
    a: int = 0
    b: str = ""


class Child(Base):
    c: float = 0.0


def test_fields_without_default_are_required_constructor_arguments() -> None:
    with pytest.raises(TypeError, match="id"):
        Order()  # type: ignore[call-arg]
    assert Order(7).id == 7


def test_empty_literal_defaults_are_copied_per_instance() -> None:
    first, second = Order(1), Order(2)
    first.items.append(Item(sku="x"))
    first.labels["k"] = 1
    assert second.items == [] and second.labels == {}


def test_default_factory_runs_per_instance() -> None:
    one, two = Settings(verbose=True), Settings(verbose=False)
    one.paths.append("/tmp")
    assert two.paths == ["/"]


def test_kw_only_class_rejects_positional_arguments() -> None:
    with pytest.raises(TypeError):
        Settings(True)  # type: ignore[misc]
    assert Settings(verbose=True).level == 1


def test_equality_compares_class_and_every_field() -> None:
    assert Order(1, note="a") == Order(1, note="a")
    assert Order(1, note="a") != Order(1, note="b")
    assert Item(sku="a") != Order(1)
    assert Base(a=1) != Child(a=1)


def test_repr_shows_every_field() -> None:
    assert repr(Item(sku="a", qty=2)) == "Item(sku='a', qty=2)"


def test_match_args_allow_positional_patterns() -> None:
    match Order(3, "hello"):
        case Order(ident, note):
            assert (ident, note) == (3, "hello")
        case _:
            pytest.fail("pattern did not match")
    assert Settings.__match_args__ == ()


def test_frozen_message_is_immutable_and_hashable() -> None:
    p = Point(x=1, y=2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.x = 5  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del p.x  # type: ignore[misc]
    assert hash(p) == hash(Point(x=1, y=2))
    assert {p, Point(x=1, y=2)} == {p}


def test_mutable_message_is_unhashable() -> None:
    with pytest.raises(TypeError):
        hash(Item())


def test_frozen_message_decodes(engine: Engine) -> None:
    p = Point(x=-3, y=4)
    assert engine.decode(engine.encode(p), Point) == p


def test_copy_is_shallow_and_deepcopy_is_deep() -> None:
    order = Order(1, items=[Item(sku="a")])
    shallow, deep = copy.copy(order), copy.deepcopy(order)
    assert shallow == order == deep
    assert shallow.items is order.items
    assert deep.items is not order.items and deep.items[0] is not order.items[0]


def test_pickle_round_trips_through_ddl_bytes() -> None:
    order = Order(1, note="n", items=[Item(sku="a", qty=2)], labels={"x": 1}, gift=False)
    payload = pickle.dumps(order)
    assert ddl.encode(order) in payload
    assert pickle.loads(payload) == order


def test_subclass_numbers_continue_after_base_class() -> None:
    numbers = {f.name: f.numbers for f in Child.__ddl__.spec.fields}
    assert numbers == {"a": (1,), "b": (2,), "c": (3,)}


def test_subclass_reads_what_base_wrote_and_keeps_the_rest(engine: Engine) -> None:
    data = engine.encode(Child(a=1, b="x", c=2.5))
    base = engine.decode(data, Base)
    assert (base.a, base.b) == (1, "x")
    assert engine.encode(base) == data


def test_unknown_fields_survive_copy_and_pickle(engine: Engine) -> None:
    base = engine.decode(engine.encode(Child(a=1, c=2.5)), Base)
    for clone in (copy.copy(base), copy.deepcopy(base), pickle.loads(pickle.dumps(base))):
        assert engine.decode(engine.encode(clone), Child) == Child(a=1, c=2.5)


@pytest.mark.parametrize(
    ("encoder", "decoder"), [(ddl.Encoder, ddl.Decoder), (PythonEncoder, PythonDecoder)], ids=["public", "python"]
)
def test_encoder_and_decoder_objects_match_the_functions(engine: Engine, encoder: Any, decoder: Any) -> None:
    order = Order(5, labels={"b": 2, "a": 1})
    enc = encoder(deterministic=True, max_depth=7)
    assert (enc.deterministic, enc.max_depth) == (True, 7)
    data = enc.encode(order)
    assert data == engine.encode(order, deterministic=True)
    dec = decoder[Order](Order, max_depth=1)
    assert (dec.type, dec.max_depth) == (Order, 1)
    assert dec.decode(data) == decoder(Order).decode(bytearray(data)) == order
    with pytest.raises(ddl.EncodeError, match="max_depth"):
        encoder(max_depth=0).encode(Order(1, items=[Item()]))
    with pytest.raises(TypeError, match="Message subclass"):
        decoder(int)


def test_decode_accepts_bytes_bytearray_and_memoryview(engine: Engine) -> None:
    data = engine.encode(Order(9, note="hi"))
    for buf in (data, bytearray(data), memoryview(data)):
        assert engine.decode(buf, Order) == Order(9, note="hi")


def test_decode_rejects_text_and_non_message_types(engine: Engine) -> None:
    with pytest.raises(TypeError, match="bytes"):
        engine.decode("text", Order)
    with pytest.raises(TypeError, match="Message subclass"):
        engine.decode(b"", int)
    with pytest.raises(TypeError, match="Message subclass"):
        ddl.Decoder(ddl.Message)


def test_encode_rejects_objects_that_are_not_messages(engine: Engine) -> None:
    with pytest.raises(TypeError, match="Message subclass"):
        engine.encode({"id": 1})


def test_deterministic_encoding_sorts_map_keys(engine: Engine) -> None:
    forward = Order(1, labels={"a": 1, "b": 2})
    backward = Order(1, labels={"b": 2, "a": 1})
    assert engine.encode(forward, deterministic=True) == engine.encode(backward, deterministic=True)
    assert engine.encode(forward) != engine.encode(backward)


def test_generated_source_is_printable_and_shows_in_tracebacks() -> None:
    source = ddl.generated_source(Order)
    assert "def encode(obj, out, budget, det):" in source
    assert "def decode(buf, pos, end, budget):" in source
    order = Order(1)
    order.note = 5  # type: ignore[assignment]
    with pytest.raises(ddl.EncodeError) as info:
        ddl.encode(order)
    frames = traceback.extract_tb(info.value.__traceback__)
    generated = [f for f in frames if f.filename.startswith("<ddl generated encode")]
    assert generated and generated[0].line
    assert linecache.getline(generated[0].filename, generated[0].lineno).strip() == generated[0].line


def test_typing_examples_run() -> None:
    module = importlib.import_module("tests.typing_api")
    assert module.ddl.decode(module.data, module.User) == module.user
