"""Writing a message as its proto3 JSON value (plain Python values). To be written."""

from __future__ import annotations

from typing import Any

from .._message import Message
from ._options import WriteOptions


def write_dict(msg: Message, options: WriteOptions) -> dict[str, Any]:
    """The JSON object of ``msg``."""
    raise NotImplementedError
