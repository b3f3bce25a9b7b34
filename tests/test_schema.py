"""Class creation: field numbering, forward references, and SchemaError for every misuse."""

from __future__ import annotations

import enum
import gc
import threading
from typing import Any

import pytest

import ddl
from tests import future_schemas as fs
from tests.conftest import Engine


def numbers(cls: type[ddl.Message]) -> dict[str, tuple[int, ...]]:
    spec = cls.__ddl__.spec
    assert spec is not None
    return {f.name: f.numbers for f in spec.fields}


def test_fields_are_numbered_in_declaration_order_after_the_largest_so_far() -> None:
    class M(ddl.Message):
        a: int = 0
        b: int = ddl.field(number=10, default=0)
        c: int = 0
        d: int = ddl.field(number=3, default=0)
        e: int = 0

    assert numbers(M) == {"a": (1,), "b": (10,), "c": (11,), "d": (3,), "e": (12,)}


def test_a_union_takes_consecutive_numbers_or_the_tuple_given() -> None:
    class M(ddl.Message):
        u: int | str | bytes | None = ddl.field(number=20, default=None)
        v: int | str = ddl.field(number=(40, 30), default=0)
        w: float = 0.0

    assert numbers(M) == {"u": (20, 21, 22), "v": (40, 30), "w": (41,)}


def test_automatic_numbers_skip_the_reserved_range() -> None:
    class M(ddl.Message):
        a: int = ddl.field(number=18999, default=0)
        b: int = 0

    assert numbers(M)["b"] == (20000,)


@pytest.mark.parametrize(
    ("number", "message"),
    [(0, "outside"), (-1, "outside"), (2**29, "outside"), (19000, "reserves"), (19999, "reserves"), ("1", "must be")],
)
def test_invalid_field_numbers_are_rejected_at_class_creation(number: Any, message: str) -> None:
    with pytest.raises(ddl.SchemaError, match=message):

        class M(ddl.Message):
            a: int = ddl.field(number=number, default=0)


def test_duplicate_field_numbers_are_rejected() -> None:
    with pytest.raises(ddl.SchemaError, match="already taken by 'a'"):

        class M(ddl.Message):
            a: int = ddl.field(number=4, default=0)
            b: int = ddl.field(number=4, default=0)


def test_union_number_tuple_must_match_the_members() -> None:
    with pytest.raises(ddl.SchemaError, match="2 field numbers given for a union of 3"):

        class M(ddl.Message):
            u: int | str | bytes = ddl.field(number=(1, 2), default=0)


def test_unsupported_annotation_names_class_field_and_type() -> None:
    with pytest.raises(ddl.SchemaError, match=r"Bad\.z: ddl cannot map complex"):

        class Bad(ddl.Message):
            z: complex = 0j


@pytest.mark.parametrize(
    ("annotation", "message"),
    [
        (int | ddl.int32, "ambiguous"),
        (list[int] | tuple[str, ...], "ambiguous"),
        (dict[float, int], "map key"),
        (dict[bytes, int], "map key"),
        (tuple[int, str], "tuple"),
        (list, "element type"),
        (dict, "key and value"),
        (Any | None, "Any alone"),
        (ddl.float32 | None, None),
        ("Missing", "cannot resolve"),
    ],
)
def test_annotations_protobuf_cannot_express_raise_schema_error(annotation: Any, message: str | None) -> None:
    namespace = {"__annotations__": {"f": annotation}, "__module__": __name__, "__qualname__": "M"}
    if message is None:
        type(ddl.Message)("M", (ddl.Message,), namespace)
        return
    with pytest.raises(ddl.SchemaError, match=message):
        cls = type(ddl.Message)("M", (ddl.Message,), namespace)
        ddl.encode(cls(f=None))


def test_plain_enum_needs_int_enum() -> None:
    class Shade(enum.Enum):
        DARK = "dark"

    with pytest.raises(ddl.SchemaError, match="use IntEnum"):

        class M(ddl.Message):
            s: Shade = Shade.DARK


def test_alias_on_the_wrong_base_type_is_rejected() -> None:
    from typing import Annotated

    from ddl._types import Scalar

    with pytest.raises(ddl.SchemaError, match="int32 annotates int"):

        class M(ddl.Message):
            x: Annotated[float, Scalar("int32")] = 0.0


def test_required_field_after_default_is_rejected_unless_kw_only() -> None:
    with pytest.raises(ddl.SchemaError, match="kw_only"):

        class M(ddl.Message):
            a: int = 0
            b: int

    class K(ddl.Message, kw_only=True):
        a: int = 0
        b: int

    assert K(b=2).b == 2


def test_redefining_a_base_field_is_rejected() -> None:
    class Base(ddl.Message):
        a: int = 0

    with pytest.raises(ddl.SchemaError, match="redefines"):

        class Sub(Base):
            a: int = 1


def test_field_takes_default_or_default_factory_not_both() -> None:
    with pytest.raises(TypeError, match="not both"):
        ddl.field(default=1, default_factory=int)


def test_class_vars_and_other_annotations_are_not_fields() -> None:
    from typing import ClassVar

    class M(ddl.Message):
        registry: ClassVar[dict[str, int]] = {}
        a: int = 0

    assert list(numbers(M)) == ["a"]
    assert M.registry == {}


def test_forward_references_and_postponed_annotations_resolve_on_first_use(engine: Engine) -> None:
    tree = fs.Tree(label="root", children=[fs.Tree(label="kid")], parent_hint=fs.Leaf(weight=1.5, owner=fs.Tree()))
    assert engine.decode(engine.encode(tree), fs.Tree) == tree
    outer = fs.Outer(inner=fs.Outer.Inner(n=1), inners=[fs.Outer.Inner(n=2)])
    assert engine.decode(engine.encode(outer), fs.Outer) == outer


def test_self_reference_in_a_function_scope_class(engine: Engine) -> None:
    class Node(ddl.Message):
        value: int = 0
        next: Node | None = None

    chain = Node(1, Node(2, Node(3)))
    assert engine.decode(engine.encode(chain), Node) == chain


def test_union_defined_after_the_class_is_reported_clearly() -> None:
    namespace = {"__annotations__": {"f": "LaterUnion"}, "__module__": __name__, "__qualname__": "M"}
    cls = type(ddl.Message)("M", (ddl.Message,), namespace)
    globals()["LaterUnion"] = int | str
    try:
        with pytest.raises(ddl.SchemaError, match="define it before the class"):
            ddl.encode(cls(f=1))
    finally:
        del globals()["LaterUnion"]


def test_message_fields_that_require_each_other_forever_are_rejected() -> None:
    class Egg(ddl.Message):
        chicken: Chicken

    class Chicken(ddl.Message):
        egg: Egg

    with pytest.raises(ddl.SchemaError, match=r"(Egg\.chicken|Chicken\.egg) -> .*optional"):
        ddl.encode(Egg(Chicken(None)))  # type: ignore[arg-type]
    with pytest.raises(ddl.SchemaError, match="optional"):
        ddl.Decoder(Egg)


def test_concurrent_first_use_sees_only_fully_linked_codecs(engine: Engine) -> None:
    from concurrent.futures import ThreadPoolExecutor

    class Ping(ddl.Message):
        pong: Pong | None = None
        n: int = 0

    class Pong(ddl.Message):
        ping: Ping | None = None
        n: int = 0

    value = Ping(pong=Pong(ping=Ping(n=3), n=2), n=1)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: engine.decode(engine.encode(value), Ping), range(64)))
    assert all(r == value for r in results)


class PackedInner(ddl.Message):
    x: int = 0


@pytest.mark.parametrize("annotation", [list[str], int, list[PackedInner], dict[int, int]], ids=str)
def test_packed_false_on_a_field_that_cannot_be_packed_is_a_schema_error(annotation: object) -> None:
    namespace = {
        "__annotations__": {"f": annotation},
        "f": ddl.field(packed=False, default=None),
        "__qualname__": "Bad",
    }
    bad = type(ddl.Message)("Bad", (ddl.Message,), namespace)
    with pytest.raises(ddl.SchemaError, match=r"Bad\.f: packed=False applies only to repeated numbers"):
        ddl.encode(bad())


def test_a_local_class_first_used_on_another_thread_finds_names_in_its_running_function() -> None:
    def define_then_encode_on_a_thread() -> bytes:
        class Outer(ddl.Message):
            inner: Inner | None = None  # a local class defined below

        class Inner(ddl.Message):
            x: int = 0

        out: list[bytes] = []
        worker = threading.Thread(target=lambda: out.append(ddl.encode(Outer(inner=Inner(x=1)))))
        worker.start()
        worker.join()
        return out[0]

    assert define_then_encode_on_a_thread() == b"\x0a\x02\x08\x01"
    assert gc.isenabled()
