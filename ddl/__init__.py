"""ddl: typed Python classes that read and write protobuf's binary format.

Example::

    import ddl

    class User(ddl.Message):
        id: int
        name: str = ""

    data = ddl.encode(User(id=1, name="Ada"))
    assert ddl.decode(data, User).name == "Ada"
"""

from ._api import Decoder, Encoder, decode, encode
from ._astream import read_delimited_async, write_delimited_async
from ._compiled import CompiledEngineWarning, engine
from ._errors import DecodeError, EncodeError, SchemaError
from ._extensions import Extension
from ._json import from_dict, from_json, to_dict, to_json
from ._message import Message
from ._nanotime import DatetimeNs, TimedeltaNs
from ._oneof import oneof_item, which_oneof
from ._proto2 import proto_default
from ._pyengine import generated_source
from ._service import Service
from ._stream import encode_delimited, read_delimited, write_delimited
from ._text import to_text
from ._text_read import from_text
from ._types import (
    ClosedEnum,
    Vector,
    field,
    fixed32,
    fixed64,
    float32,
    float64,
    int32,
    int64,
    sfixed32,
    sfixed64,
    sint32,
    sint64,
    uint32,
    uint64,
)
from ._version import __version__ as __version__

__all__ = [
    "ClosedEnum",
    "CompiledEngineWarning",
    "DatetimeNs",
    "DecodeError",
    "Decoder",
    "EncodeError",
    "Encoder",
    "Extension",
    "Message",
    "SchemaError",
    "Service",
    "TimedeltaNs",
    "Vector",
    "decode",
    "encode",
    "encode_delimited",
    "engine",
    "field",
    "fixed32",
    "fixed64",
    "float32",
    "float64",
    "from_dict",
    "from_json",
    "from_text",
    "generated_source",
    "int32",
    "int64",
    "oneof_item",
    "proto_default",
    "read_delimited",
    "read_delimited_async",
    "sfixed32",
    "sfixed64",
    "sint32",
    "sint64",
    "to_dict",
    "to_json",
    "to_text",
    "uint32",
    "uint64",
    "which_oneof",
    "write_delimited",
    "write_delimited_async",
]
