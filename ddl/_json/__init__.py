"""The proto3 JSON mapping: a third executor of the plan, beside the binary engines.

``to_dict`` and ``from_dict`` turn a message into the plain Python values of its canonical JSON
(what ``json.loads`` of it gives) and back; ``to_json`` and ``from_json`` add the text, through
the ``json`` module. ``registry`` maps full proto type names to the ddl classes a
``google.protobuf.Any`` may hold. Names, enums, 64-bit integers as strings, bytes as base64, the well-known
types' special forms and ddl's native types follow protobuf's ``json_format`` field for field.
Each class gets generated functions, one per direction, made on first use (``_write.py``,
``_read.py``) and kept on its Binding.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, overload

from .. import wkt
from .._api import _present_as
from .._compiled import speedups, state
from .._message import Message
from ._options import ReadOptions, Registry, WriteOptions
from ._read import parse_text, read_dict
from ._write import write_dict, write_value
from ._write_values import json_object, json_value
from ._write_wkt import ANY_OWN_FORMS

M = TypeVar("M", bound=Message)

__all__ = ["from_dict", "from_json", "to_dict", "to_json"]


# The well-known types whose JSON is no object: the wrappers, ListValue, FieldMask and Value. They
# are Messages too, so each overlaps the last overload with another return type: on purpose.
@overload
def to_dict(  # type: ignore[overload-overlap]
    msg: wkt.Int32Value | wkt.UInt32Value,
    *,
    preserving_proto_field_name: bool = ...,
    always_print_fields_with_no_presence: bool = ...,
    use_integers_for_enums: bool = ...,
    registry: Registry | None = ...,
) -> int: ...


@overload
def to_dict(  # type: ignore[overload-overlap]
    msg: wkt.Int64Value | wkt.UInt64Value | wkt.StringValue | wkt.BytesValue | wkt.FieldMask,
    *,
    preserving_proto_field_name: bool = ...,
    always_print_fields_with_no_presence: bool = ...,
    use_integers_for_enums: bool = ...,
    registry: Registry | None = ...,
) -> str: ...


@overload
def to_dict(  # type: ignore[overload-overlap]
    msg: wkt.DoubleValue | wkt.FloatValue,
    *,
    preserving_proto_field_name: bool = ...,
    always_print_fields_with_no_presence: bool = ...,
    use_integers_for_enums: bool = ...,
    registry: Registry | None = ...,
) -> float | str: ...


@overload
def to_dict(  # type: ignore[overload-overlap]
    msg: wkt.BoolValue,
    *,
    preserving_proto_field_name: bool = ...,
    always_print_fields_with_no_presence: bool = ...,
    use_integers_for_enums: bool = ...,
    registry: Registry | None = ...,
) -> bool: ...


@overload
def to_dict(  # type: ignore[overload-overlap]
    msg: wkt.ListValue,
    *,
    preserving_proto_field_name: bool = ...,
    always_print_fields_with_no_presence: bool = ...,
    use_integers_for_enums: bool = ...,
    registry: Registry | None = ...,
) -> list[Any]: ...


@overload
def to_dict(
    msg: wkt.Value,
    *,
    preserving_proto_field_name: bool = ...,
    always_print_fields_with_no_presence: bool = ...,
    use_integers_for_enums: bool = ...,
    registry: Registry | None = ...,
) -> Any: ...


@overload
def to_dict(
    msg: Message,
    *,
    preserving_proto_field_name: bool = ...,
    always_print_fields_with_no_presence: bool = ...,
    use_integers_for_enums: bool = ...,
    registry: Registry | None = ...,
) -> dict[str, Any]: ...


def to_dict(
    msg: Message,
    *,
    preserving_proto_field_name: bool = False,
    always_print_fields_with_no_presence: bool = False,
    use_integers_for_enums: bool = False,
    registry: Registry | None = None,
) -> Any:
    """The canonical proto3 JSON of ``msg`` as plain Python values: what ``json.loads`` of
    ``ddl.to_json(msg)`` gives. A message's JSON is an object (a dict), but for the well-known
    types protobuf gives another form: a wrapper (``ddl.wkt.Int64Value``...) is its bare value,
    a ``ListValue`` a list, a ``FieldMask`` a string, a ``Value`` any JSON value; type checkers
    see each (a message typed only as ``ddl.Message`` is taken to be an object).

    Example::

        assert ddl.to_dict(User(id=7, display_name="Ada")) == {"id": "7", "displayName": "Ada"}
    """
    options = _write_options(
        preserving_proto_field_name, always_print_fields_with_no_presence, use_integers_for_enums, registry
    )
    return write_dict(msg, options)


def to_json(
    msg: Message,
    *,
    indent: int | None = None,
    separators: tuple[str, str] | None = None,
    sort_keys: bool = False,
    ensure_ascii: bool = False,
    preserving_proto_field_name: bool = False,
    always_print_fields_with_no_presence: bool = False,
    use_integers_for_enums: bool = False,
    registry: Registry | None = None,
) -> str:
    """The canonical proto3 JSON of ``msg``, as protobuf's ``json_format.MessageToJson`` writes it.
    ``indent``, ``separators``, ``sort_keys`` and ``ensure_ascii`` lay the text out as
    ``json.dumps`` does (None for one line; ``separators=(",", ":")`` for the most compact text,
    with no space after a comma or a colon; ``sort_keys`` orders every object's keys, maps' too,
    so that equal messages give one text; ``ensure_ascii`` escapes every other character as
    ``\\uXXXX``).

    Example::

        text = ddl.to_json(User(id=7, display_name="Ada"))   # '{"id": "7", "displayName": "Ada"}'
        ddl.to_json(User(id=7, display_name="Ada"), separators=(",", ":"))  # '{"id":"7","displayName":"Ada"}'
        ddl.to_json(User(id=7, display_name="Ada"), sort_keys=True)  # '{"displayName": "Ada", "id": "7"}'
    """
    compact = _compact(separators)
    if (
        _compiled_to_json is not None
        and indent is None
        and (separators is None or compact)
        and not sort_keys
        and not ensure_ascii
        and state.compiled
        and (registry is None or registry.__class__ is dict)
    ):
        # The compiled engine writes the text itself, or returns None for the Python path below.
        text = _compiled_to_json(
            msg, preserving_proto_field_name, always_print_fields_with_no_presence, use_integers_for_enums, registry,
            compact,
        )  # fmt: skip
        if text is not None:
            return text
    return _write_text(
        msg, indent, separators, sort_keys, ensure_ascii, preserving_proto_field_name,
        always_print_fields_with_no_presence, use_integers_for_enums, registry,
    )  # fmt: skip


def _compact(separators: object) -> bool:
    """Whether ``separators`` are exactly the strs ``(",", ":")`` (a subclass of str could compare
    equal to them and be written otherwise by json.dumps)."""
    return (
        type(separators) is tuple
        and len(separators) == 2
        and type(separators[0]) is str
        and type(separators[1]) is str
        and separators == _COMPACT_SEPARATORS
    )


def _write_text(
    msg: Message, indent: int | None, separators: tuple[str, str] | None, sort_keys: bool, ensure_ascii: bool,
    preserving_proto_field_name: bool, always_print_fields_with_no_presence: bool, use_integers_for_enums: bool,
    registry: Registry | None,
) -> str:  # fmt: skip
    """``to_json`` on the Python path: the json module's text of ``to_dict``'s value (which the
    compiled engine makes when it can, for a layout or a message the compiled writer left)."""
    value = to_dict(
        msg,
        preserving_proto_field_name=preserving_proto_field_name,
        always_print_fields_with_no_presence=always_print_fields_with_no_presence,
        use_integers_for_enums=use_integers_for_enums,
        registry=registry,
    )
    if indent is None and not sort_keys and not ensure_ascii:
        if separators is None:
            return _ONE_LINE.encode(value)
        if _compact(separators):
            return _COMPACT.encode(value)
    return json.dumps(
        value, indent=indent, separators=separators, sort_keys=sort_keys, ensure_ascii=ensure_ascii, allow_nan=False
    )


def from_dict(obj: Any, cls: type[M], *, ignore_unknown_fields: bool = False, registry: Registry | None = None) -> M:
    """The message of class ``cls`` that the JSON value ``obj`` (plain Python values) holds.

    Example::

        user = ddl.from_dict({"id": "7", "displayName": "Ada"}, User)
    """
    return read_dict(obj, cls, _read_options(ignore_unknown_fields, registry))


def from_json(
    data: str | bytes, cls: type[M], *, ignore_unknown_fields: bool = False, registry: Registry | None = None
) -> M:
    """The message of class ``cls`` in the proto3 JSON text ``data``, as protobuf's
    ``json_format.Parse`` reads it. Invalid JSON, or JSON that is no ``cls``, raises
    ``ddl.DecodeError`` with the path of the value at fault.

    Example::

        user = ddl.from_json('{"id": "7", "displayName": "Ada"}', User)
    """
    if _compiled_read is not None and state.compiled:
        # The compiled reader, on the happy path only: None leaves the call to the Python one.
        msg: M | None = _compiled_read(data, cls, ignore_unknown_fields, registry)
        if msg is not None:
            return msg
    return _read_text(data, cls, ignore_unknown_fields, registry)


def _any_text(
    msg: Message, preserving_proto_field_name: bool, always_print_fields_with_no_presence: bool,
    use_integers_for_enums: bool, registry: Registry | None,
) -> str:  # fmt: skip
    """The one-line text of the ``ddl.wkt.Any`` ``msg`` alone, as the Python path writes it
    inside any message: the compiled writer's, for an Any whose packed message it does not
    write itself (a well-known type, a class without a Program)."""
    options = _write_options(
        preserving_proto_field_name, always_print_fields_with_no_presence, use_integers_for_enums, registry
    )
    return _ONE_LINE.encode(write_dict(msg, options))


def _message_value(
    msg: Message, preserving_proto_field_name: bool, always_print_fields_with_no_presence: bool,
    use_integers_for_enums: bool, registry: Registry | None,
) -> Any:  # fmt: skip
    """The JSON value of the message ``msg`` alone, as the Python path gives it inside any
    message: the compiled ``to_dict``'s, for a well-known type whose form it leaves to this
    module (FieldMask, Value, ListValue, Any)."""
    options = _write_options(
        preserving_proto_field_name, always_print_fields_with_no_presence, use_integers_for_enums, registry
    )
    return write_value(msg, options)


def _read_text(data: str | bytes, cls: type[M], ignore_unknown_fields: bool, registry: Registry | None) -> M:
    """``from_json`` on the Python path."""
    return read_dict(parse_text(data), cls, _read_options(ignore_unknown_fields, registry))


# The options of most calls, made once; and the encoder of one-line text, which json.dumps would
# otherwise make again on each call with these arguments.
_WRITE_DEFAULTS = WriteOptions()
_READ_DEFAULTS = ReadOptions()
_ONE_LINE = json.JSONEncoder(ensure_ascii=False, allow_nan=False)
# The separators of the most compact text, and its encoder.
_COMPACT_SEPARATORS = (",", ":")
_COMPACT = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=_COMPACT_SEPARATORS)
# The compiled writer of to_json's one-line text (a registry matters to an Any only, which it
# leaves to this module), when the compiled engine is built.
_compiled_to_json: Callable[[Message, bool, bool, bool, Registry | None, bool], str | None] | None = (
    speedups.to_json if speedups is not None else None
)
# The compiled engine's JSON reader (ddl/_cy/json_read.pxi), when it is built.
_compiled_read = None if speedups is None else speedups.json_read


def _write_options(
    preserving_proto_field_name: bool, always_print_fields_with_no_presence: bool, use_integers_for_enums: bool,
    registry: Registry | None,
) -> WriteOptions:  # fmt: skip
    if not (preserving_proto_field_name or always_print_fields_with_no_presence or use_integers_for_enums or registry):
        return _WRITE_DEFAULTS
    return WriteOptions(
        preserving_proto_field_name, always_print_fields_with_no_presence, use_integers_for_enums, registry or {}
    )


def _read_options(ignore_unknown_fields: bool, registry: Registry | None) -> ReadOptions:
    if not (ignore_unknown_fields or registry):
        return _READ_DEFAULTS
    return ReadOptions(ignore_unknown_fields, registry or {})


# The Python entry points stay reachable, for the tests to run both in the same run.
python_to_json, python_from_json = to_json, from_json
python_to_dict, python_from_dict = to_dict, from_dict

if speedups is not None and not TYPE_CHECKING:
    # The compiled twins take the calls they can without a Python frame, and leave the others
    # (an indent json.dumps takes but as an int or str, a registry that is no dict, the compiled
    # engine switched off, any bail) to the Python paths.
    speedups.install_json(
        _write_text, _read_text, _any_text, ANY_OWN_FORMS, python_to_dict, python_from_dict, _message_value,
        json_value, json_object,
    )  # fmt: skip
    to_json = _present_as(speedups.to_json_entry, to_json)
    from_json = _present_as(speedups.from_json_entry, from_json)
    to_dict = _present_as(speedups.to_dict_entry, to_dict)
    from_dict = _present_as(speedups.from_dict_entry, from_dict)
