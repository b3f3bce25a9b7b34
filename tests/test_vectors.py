"""Numbers without a Python object each: ``ddl.Vector`` fields decode into an ``array.array``, and
every repeated number field encodes from a buffer of its item format (an array, a numpy array,
a memoryview) as it does from a list, with the same bytes and errors on both engines."""

from __future__ import annotations

import ctypes
import enum
import math
import sys
from array import array
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ddl
import ddl.testing
from ddl._api import decode_with, encode_with
from ddl._compiled import program_of, speedups
from ddl._proto._render import render
from tests.conftest import Engine
from tests.protoc import compile_proto

PROTO = """
syntax = "proto3";
message Numbers {
  repeated float f32 = 1;
  repeated double f64 = 2;
  repeated fixed32 u32 = 3;
  repeated sfixed32 s32 = 4;
  repeated fixed64 u64 = 5;
  repeated sfixed64 s64 = 6;
  repeated int32 i32 = 7;
  repeated sint64 z64 = 8;
  repeated uint64 v64 = 9;
}
"""


class Vectors(ddl.Message, kw_only=True):
    f32: ddl.Vector[ddl.float32] = array("f")
    f64: ddl.Vector[float] = array("d")
    u32: ddl.Vector[ddl.fixed32] = array("I")
    s32: ddl.Vector[ddl.sfixed32] = array("i")
    u64: ddl.Vector[ddl.fixed64] = array("Q")
    s64: ddl.Vector[ddl.sfixed64] = array("q")
    i32: ddl.Vector[ddl.int32] = array("i")
    z64: ddl.Vector[ddl.sint64] = array("q")
    v64: ddl.Vector[ddl.uint64] = array("Q")


class Lists(ddl.Message, kw_only=True):
    f32: list[ddl.float32] = ddl.field(default_factory=list)
    f64: list[float] = ddl.field(default_factory=list)
    u32: list[ddl.fixed32] = ddl.field(default_factory=list)
    s32: list[ddl.sfixed32] = ddl.field(default_factory=list)
    u64: list[ddl.fixed64] = ddl.field(default_factory=list)
    s64: list[ddl.sfixed64] = ddl.field(default_factory=list)
    i32: list[ddl.int32] = ddl.field(default_factory=list)
    z64: list[ddl.sint64] = ddl.field(default_factory=list)
    v64: list[ddl.uint64] = ddl.field(default_factory=list)


CODES = {"f32": "f", "f64": "d", "u32": "I", "s32": "i", "u64": "Q", "s64": "q", "i32": "i", "z64": "q", "v64": "Q"}
SAMPLE: dict[str, list[Any]] = {
    "f32": [0.5, -1.25, 3.0e38, -0.0], "f64": [math.pi, -2.5e300, 0.0], "u32": [0, 1, 2**32 - 1],
    "s32": [-(2**31), -1, 2**31 - 1], "u64": [2**64 - 1, 7], "s64": [-(2**63), 2**63 - 1],
    "i32": [-1, 300, 2**31 - 1], "z64": [-(2**63), 1, -2], "v64": [2**64 - 1, 0, 150],
}  # fmt: skip


def pb_numbers() -> Any:
    return compile_proto("ddl_vectors", PROTO).Numbers


def arrays(values: dict[str, list[Any]]) -> dict[str, array[Any]]:
    return {name: array(CODES[name], items) for name, items in values.items()}


def test_every_kind_encodes_from_arrays_as_the_list_form_and_protobuf_do(engine: Engine) -> None:
    expected = pb_numbers()(**SAMPLE).SerializeToString()
    assert engine.encode(Vectors(**arrays(SAMPLE))) == expected
    assert engine.encode(Vectors(**SAMPLE)) == expected  # a Vector field also takes lists
    assert engine.encode(Lists(**arrays(SAMPLE))) == expected  # a list field also takes arrays
    assert engine.encode(Lists(**SAMPLE)) == expected


def test_every_kind_decodes_into_an_array_of_its_typecode(engine: Engine) -> None:
    decoded = engine.decode(pb_numbers()(**SAMPLE).SerializeToString(), Vectors)
    for name, code in CODES.items():
        value = getattr(decoded, name)
        assert type(value) is array and value.typecode == code
        assert value == array(code, SAMPLE[name]), name
    assert decoded == Vectors(**arrays(SAMPLE))


def test_an_array_default_is_copied_for_each_instance() -> None:
    first, second = Vectors(), Vectors()
    first.f32.append(1.0)
    assert second.f32 == array("f") and Shapes().loose is not Shapes().loose


def test_an_absent_vector_is_an_empty_array_of_its_typecode(engine: Engine) -> None:
    decoded = engine.decode(b"", Vectors)
    for name, code in CODES.items():
        assert getattr(decoded, name) == array(code)
        assert getattr(decoded, name).typecode == code
    first, second = engine.decode(b"", Vectors), engine.decode(b"", Vectors)
    assert first.f32 is not second.f32  # arrays are mutable: never shared


def test_empty_buffers_write_nothing(engine: Engine) -> None:
    assert engine.encode(Lists(f32=array("f"), u64=memoryview(b"").cast("Q"))) == b""
    assert engine.encode(Vectors(**arrays({name: [] for name in CODES}))) == b""


def tag(number: int, wire_type: int) -> bytes:
    return bytes([number << 3 | wire_type])


def test_unpacked_elements_and_split_runs_append_to_one_array(engine: Engine) -> None:
    run = pb_numbers()(f32=[1.0, 2.0], s64=[-3]).SerializeToString()
    unpacked_f32 = tag(1, 5) + array("f", [4.5]).tobytes()
    unpacked_s64 = tag(6, 1) + array("q", [-9]).tobytes()
    unpacked_z64 = tag(8, 0) + b"\x03"  # sint64 -2
    data = run + unpacked_f32 + unpacked_s64 + unpacked_z64 + run + unpacked_z64
    decoded = engine.decode(data, Vectors)
    assert decoded.f32 == array("f", [1.0, 2.0, 4.5, 1.0, 2.0])
    assert decoded.s64 == array("q", [-3, -9, -3])
    assert decoded.z64 == array("q", [-2, -2])
    assert engine.decode(data, Lists).f32 == list(decoded.f32)


@pytest.mark.parametrize(
    "data",
    [
        tag(1, 2) + b"\x03abc",  # a packed float run of 3 bytes
        tag(1, 2) + b"\x08abcd",  # a run longer than the data
        tag(1, 5) + b"ab",  # an element cut short
        tag(6, 1) + b"abcdefg",
    ],
)
def test_a_malformed_run_is_the_same_decode_error_as_for_a_list(engine: Engine, data: bytes) -> None:
    with pytest.raises(ddl.DecodeError) as vector_error:
        engine.decode(data, Vectors)
    with pytest.raises(ddl.DecodeError) as list_error:
        engine.decode(data, Lists)
    assert str(vector_error.value) == str(list_error.value)


def test_a_memoryview_of_an_array_is_written_whatever_its_strides(engine: Engine) -> None:
    items = array("d", [float(i) for i in range(10)])
    every_other = memoryview(items)[::2]
    assert not every_other.c_contiguous
    assert engine.encode(Lists(f64=every_other)) == engine.encode(Lists(f64=items.tolist()[::2]))
    assert engine.encode(Vectors(f64=memoryview(items))) == engine.encode(Lists(f64=items.tolist()))


def test_a_buffer_of_c_long_items_is_written_where_long_has_the_kind_s_size(engine: Engine) -> None:
    longs = array("l", [-5, 7])
    if longs.itemsize == 8:
        assert engine.encode(Lists(s64=longs)) == engine.encode(Lists(s64=[-5, 7]))
    else:
        assert engine.encode(Lists(s32=longs)) == engine.encode(Lists(s32=[-5, 7]))


def test_varint_kinds_take_buffers_of_their_integer_type(engine: Engine) -> None:
    assert engine.encode(Lists(i32=array("i", [-1, 2]), v64=array("Q", [2**64 - 1]))) == engine.encode(
        Lists(i32=[-1, 2], v64=[2**64 - 1])
    )


@pytest.mark.parametrize(
    ("field", "value", "given", "wanted"),
    [
        ("f32", array("d", [1.0]), "'d'", "'f'"),
        ("f64", array("f", [1.0]), "'f'", "'d'"),
        ("u32", array("i", [1]), "'i'", "'I'"),
        ("s64", array("Q", [1]), "'Q'", "'q'"),
        ("s32", array("q", [1]), "'q'", "'i'"),
        ("f32", b"\x00\x00\x80?", "'B'", "'f'"),
        ("i32", array("h", [1]), "'h'", "'i'"),
        ("f32", memoryview(array("f", [1.0]).tobytes()).cast("c"), "'c'", "'f'"),
    ],
)
def test_a_buffer_of_another_item_format_is_an_encode_error_naming_both(
    engine: Engine, field: str, value: object, given: str, wanted: str
) -> None:
    with pytest.raises(ddl.EncodeError) as error:
        engine.encode(Lists(**{field: value}))
    message = str(error.value)
    assert f"a buffer of {given} items" in message and f"takes {wanted} items" in message
    assert message.endswith(f"at $.{field}")
    with pytest.raises(ddl.EncodeError) as vector_error:
        engine.encode(Vectors(**{field: value}))
    assert str(vector_error.value) == message


def test_a_buffer_of_several_dimensions_is_an_encode_error(engine: Engine) -> None:
    square = memoryview(array("f", [1.0, 2.0, 3.0, 4.0]).tobytes()).cast("f", (2, 2))
    with pytest.raises(ddl.EncodeError, match=r"a buffer of 2 dimensions cannot be written as repeated float"):
        engine.encode(Vectors(f32=square))


def test_a_value_that_is_neither_a_sequence_nor_a_buffer_is_an_encode_error(engine: Engine) -> None:
    expected = r"expected a list, tuple, set, frozenset or a buffer of 'f' items, got dict"
    with pytest.raises(ddl.EncodeError, match=expected):
        engine.encode(Vectors(f32={1.0: 2.0}))  # type: ignore[arg-type]


def test_a_bool_list_takes_no_buffer(engine: Engine) -> None:
    class Flags(ddl.Message):
        flags: list[bool] = ddl.field(default_factory=list)

    with pytest.raises(ddl.EncodeError, match=r"expected a list, tuple, set or frozenset, got array"):
        engine.encode(Flags(array("b", [1])))  # type: ignore[arg-type]


def foreign_order() -> str:
    return ">" if sys.byteorder == "little" else "<"


def test_a_buffer_in_the_other_byte_order_is_an_encode_error(engine: Engine) -> None:
    # ctypes' arrays of the other byte order export their items with the order stated
    other = ctypes.c_float.__ctype_be__ if sys.byteorder == "little" else ctypes.c_float.__ctype_le__
    items = (other * 2)(1.0, 2.0)
    assert memoryview(items).format == foreign_order() + "f"
    with pytest.raises(ddl.EncodeError, match=rf"a buffer of '{foreign_order()}f' items"):
        engine.encode(Lists(f32=items))


def test_a_buffer_in_the_host_order_stated_explicitly_is_written(engine: Engine) -> None:
    items = (ctypes.c_double * 2)(1.0, 2.0)
    assert memoryview(items).format in ("<d", ">d")
    assert engine.encode(Lists(f64=items)) == engine.encode(Lists(f64=[1.0, 2.0]))


def test_numpy_arrays_are_written_when_their_dtype_is_the_kind_s() -> None:
    numpy = pytest.importorskip("numpy")
    values = numpy.arange(6, dtype=numpy.float32)
    expected = encode_with(False, Lists(f32=values.tolist()))
    for compiled in (False, True):
        assert encode_with(compiled, Lists(f32=values)) == expected
        assert encode_with(compiled, Vectors(f32=values)) == expected
        with pytest.raises(ddl.EncodeError, match=r"'>f' items"):
            encode_with(compiled, Lists(f32=values.astype(">f4")))
        with pytest.raises(ddl.EncodeError, match=r"'d' items"):
            encode_with(compiled, Lists(f32=values.astype(numpy.float64)))
        assert encode_with(compiled, Lists(f32=values[::2])) == encode_with(False, Lists(f32=values[::2].tolist()))
    decoded = decode_with(True, expected, Vectors).f32
    assert numpy.frombuffer(decoded, dtype=numpy.float32).tolist() == values.tolist()


@pytest.mark.skipif(speedups is None, reason="the compiled engine is not built")
def test_the_compiled_engine_writes_and_reads_buffers_itself() -> None:
    # Called directly: a hand-back to the reference engine (Bail) would fail this test.
    assert speedups is not None
    program = program_of(Vectors)
    data = speedups.encode_program(program, Vectors(**arrays(SAMPLE)), 100)
    assert data == encode_with(False, Vectors(**arrays(SAMPLE)))
    assert speedups.decode_program(program, data, 100) == Vectors(**arrays(SAMPLE))
    views = {name: memoryview(value) for name, value in arrays(SAMPLE).items()}
    assert speedups.encode_program(program_of(Lists), Lists(**views), 100) == data
    assert speedups.encode_program(program, Vectors(), 100) == b""


class Color(enum.IntEnum):
    RED = 0


class Point(ddl.Message):
    x: int = 0


@pytest.mark.parametrize(
    ("annotation", "named"),
    [("ddl.Vector[str]", "str"), ("ddl.Vector[bool]", "bool"), ("ddl.Vector[Point]", "Point"),
     ("ddl.Vector[Color]", "Color"), ("ddl.Vector[bytes]", "bytes")],
)  # fmt: skip
def test_a_vector_of_what_no_array_holds_is_a_schema_error(annotation: str, named: str) -> None:
    namespace: dict[str, Any] = {"__annotations__": {"values": annotation}, "__module__": __name__}
    with pytest.raises(ddl.SchemaError, match=rf"Holder\.values: Vector holds numbers .*not {named}; use list"):
        type(ddl.Message)("Holder", (ddl.Message,), namespace)


def test_vector_is_an_annotation_not_a_value() -> None:
    with pytest.raises(TypeError, match=r"make the value with array\.array"):
        ddl.Vector()


def test_json_writes_and_reads_a_vector_as_the_list_form(engine: Engine) -> None:
    text = ddl.to_json(Vectors(**arrays(SAMPLE)))
    assert text == ddl.to_json(Lists(**SAMPLE))
    assert ddl.from_json(text, Vectors) == Vectors(**arrays(SAMPLE))
    assert ddl.to_json(Lists(f32=array("f", [0.5]))) == ddl.to_json(Lists(f32=[0.5]))
    assert ddl.from_dict({}, Vectors).f32 == array("f")


def test_ddl_proto_writes_a_vector_as_a_packed_repeated_field() -> None:
    text = render([Vectors], "ddl_vectors_render")
    assert "repeated float f32 = 1;" in text and "repeated sint64 z64 = 8;" in text
    assert "packed" not in text


def test_a_vector_compares_and_prints_as_its_array() -> None:
    one, same = Vectors(f32=array("f", [1.5])), Vectors(f32=array("f", [1.5]))
    assert one == same and one != Vectors(f32=array("f", [2.5]))
    assert "f32=array('f', [1.5])" in repr(one)


@given(ddl.testing.instances(Vectors))
def test_both_engines_agree_on_vectors_and_their_list_twins(value: Vectors) -> None:
    data = encode_with(False, value)
    twin = Lists(**{name: getattr(value, name).tolist() for name in CODES})
    assert encode_with(True, value) == data == encode_with(False, twin)
    assert decode_with(True, data, Vectors) == decode_with(False, data, Vectors) == value
    for name, code in CODES.items():
        assert getattr(value, name).typecode == code


@given(st.lists(st.floats(width=32, allow_nan=False), max_size=40), st.integers(1, 3))
def test_a_strided_view_of_floats_encodes_as_its_list(values: list[float], step: int) -> None:
    view = memoryview(array("f", values))[::step]
    expected = encode_with(False, Lists(f32=values[::step]))
    assert encode_with(True, Lists(f32=view)) == encode_with(False, Lists(f32=view)) == expected


class Shapes(ddl.Message, kw_only=True):
    maybe: ddl.Vector[float] | None = None
    rows: list[ddl.Vector[ddl.int32]] = ddl.field(default_factory=list)
    named: dict[str, ddl.Vector[ddl.float32]] = ddl.field(default_factory=dict)
    loose: ddl.Vector[ddl.fixed32] = ddl.field(default=array("I"), packed=False)


class ShapeLists(ddl.Message, kw_only=True):
    maybe: list[float] | None = None
    rows: list[list[ddl.int32]] = ddl.field(default_factory=list)
    named: dict[str, list[ddl.float32]] = ddl.field(default_factory=dict)
    loose: list[ddl.fixed32] = ddl.field(default_factory=list, packed=False)


def test_vectors_nest_as_lists_do(engine: Engine) -> None:
    value = Shapes(
        maybe=array("d", [1.5]), rows=[array("i", [1, -2]), array("i")], named={"k": array("f", [2.0])},
        loose=array("I", [5, 6]),
    )  # fmt: skip
    twin = ShapeLists(maybe=[1.5], rows=[[1, -2], []], named={"k": [2.0]}, loose=[5, 6])
    data = engine.encode(value)
    assert data == engine.encode(twin)
    assert engine.decode(data, Shapes) == value


def test_a_set_given_a_buffer_is_written_sorted_when_deterministic(engine: Engine) -> None:
    class Bag(ddl.Message):
        values: frozenset[ddl.float32] = frozenset()

    given_buffer = engine.encode(Bag(array("f", [3.0, 1.0, 2.0])), deterministic=True)  # type: ignore[arg-type]
    assert given_buffer == engine.encode(Bag(frozenset([2.0, 3.0, 1.0])), deterministic=True)
