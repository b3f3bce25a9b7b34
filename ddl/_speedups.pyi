"""Types of ddl._speedups, the compiled engine (ddl/_speedups.pyx and ddl/_cy/*.pxi).

Only the names other modules use: the Program-level calls that ddl/_api.py and ddl/_compiled.py
make, and the entry points that become ``ddl.encode``, ``ddl.decode``, ``ddl.Encoder`` and
``ddl.Decoder`` when this engine is built.
"""

import builtins
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeAlias, TypeVar, final

from ._message import Message
from ._schema import MessagePlan

_M = TypeVar("_M", bound=Message)
_Buffer: TypeAlias = bytes | bytearray | memoryview

class Bail(Exception):
    """The compiled engine leaves this call to the reference engine."""

ENCODE_STACK_BYTES: int  # the stack buffer a message is first written into
HELD_RUN_BYTES: int  # the shortest buffer-given packed run copied straight into the result
HELD_RUNS: int  # how many such runs one encode holds at once

@final
class Program:
    """One message class's plan as C structs (opaque to Python)."""

def build(
    plan: MessagePlan,
    program_of: Callable[[type], Program],
    register: Callable[[Program], object],
    wrappers: dict[int, tuple[Callable[..., None], Callable[..., Any]]],
) -> Program: ...
def seal(programs: Iterable[Program]) -> None: ...
def mark_extended(program: Program) -> None: ...
def encode_program(p: Program, obj: Message, budget: int, det: bool = False) -> bytes: ...
def decode_program(p: Program, data: bytes, budget: int) -> Any: ...
def frees(cls: object) -> bool: ...
def lifetimes_unheard() -> bool: ...
def aliased_copies_backward(on: bool | None = None) -> bool: ...
def setattr_wrappers(cls: type) -> tuple[Any, Any]: ...
def slot_filler(cls: type, names: tuple[str, ...], frozen: bool) -> Callable[..., None]: ...
def install(
    reference_encode: Callable[[bool, Message, bool, int], bytes],
    reference_decode: Callable[[bool, _Buffer, type[Message], int], Message],
    program_of: Callable[[type], Any],
    check_class: Callable[[type], object],
    check_depth: Callable[[object], None],
    check_required: Callable[[object, int], None],
) -> None: ...
def json_read(
    data: object, cls: type[_M], ignore_unknown_fields: bool = False, registry: object = None
) -> _M | None: ...
def encode(msg: Message, *, deterministic: bool = False, max_depth: int = 100) -> bytes: ...
def decode(data: _Buffer, cls: type[_M], *, max_depth: int = 100) -> _M: ...
def to_json(
    msg: object,
    proto_names: object,
    always_print: object,
    integers: object,
    registry: object = None,
    compact: bool = False,
) -> str | None: ...
def to_dict(
    msg: object, proto_names: object, always_print: object, integers: object, registry: object = None
) -> dict[str, Any] | None: ...
def from_dict(
    obj: object, cls: type[_M], ignore_unknown_fields: bool = False, registry: object = None
) -> _M | None: ...
def install_which_oneof(
    which_reference: Callable[[object, str], str | None],
    item_reference: Callable[[object, str], tuple[str, Any] | None],
    member_names: Callable[[type], dict[str, tuple[str, ...]]],
) -> None: ...
def which_oneof(msg: object, group: str) -> str | None: ...
def oneof_item(msg: object, group: str) -> tuple[str, Any] | None: ...
def install_copies(
    python_copy: Callable[[Any], Any], python_deepcopy: Callable[[Any, dict[int, Any]], Any]
) -> None: ...
def message_copy(self: Any) -> Any: ...
def message_deepcopy(self: Any, memo: dict[int, Any]) -> Any: ...
def install_json(
    python_to_json: Callable[..., str],
    python_from_json: Callable[..., Any],
    python_any_text: Callable[..., str],
    any_own_forms: Iterable[str],
    python_to_dict: Callable[..., Any],
    python_from_dict: Callable[..., Any],
    python_message_value: Callable[..., Any],
    python_json_value: Callable[[Any], Any],
    python_json_object: Callable[[Any], dict[str, Any]],
) -> None: ...
def use_compiled_entries(on: bool) -> None: ...
def to_json_entry(
    msg: object,
    *,
    indent: int | None = None,
    separators: tuple[str, str] | None = None,
    sort_keys: bool = False,
    ensure_ascii: bool = False,
    preserving_proto_field_name: bool = False,
    always_print_fields_with_no_presence: bool = False,
    use_integers_for_enums: bool = False,
    registry: object = None,
) -> str: ...
def to_dict_entry(
    msg: object,
    *,
    preserving_proto_field_name: bool = False,
    always_print_fields_with_no_presence: bool = False,
    use_integers_for_enums: bool = False,
    registry: object = None,
) -> Any: ...
def from_dict_entry(
    obj: object, cls: type[_M], *, ignore_unknown_fields: bool = False, registry: object = None
) -> _M: ...
def from_json_entry(
    data: str | bytes, cls: type[_M], *, ignore_unknown_fields: bool = False, registry: object = None
) -> _M: ...

class Encoder:
    @property
    def deterministic(self) -> bool: ...
    @property
    def max_depth(self) -> int: ...
    def __init__(self, *, deterministic: bool = False, max_depth: int = 100) -> None: ...
    def encode(self, msg: Message, /) -> bytes: ...
    def to_json(
        self,
        msg: Message,
        *,
        indent: int | None = None,
        separators: tuple[str, str] | None = None,
        sort_keys: bool = False,
        ensure_ascii: bool = False,
        preserving_proto_field_name: bool = False,
        always_print_fields_with_no_presence: bool = False,
        use_integers_for_enums: bool = False,
        registry: object = None,
    ) -> str: ...

class Decoder(Generic[_M]):
    @property
    def type(self) -> builtins.type[_M]: ...
    @property
    def max_depth(self) -> int: ...
    def __init__(self, type: builtins.type[_M], *, max_depth: int = 100) -> None: ...
    def decode(self, data: _Buffer, /) -> _M: ...
    def from_json(self, data: str | bytes, *, ignore_unknown_fields: bool = False, registry: object = None) -> _M: ...
