"""Reading a message from its proto3 JSON value (plain Python values). To be written."""

from __future__ import annotations

from typing import Any, TypeVar

from .._message import Message
from ._options import ReadOptions

M = TypeVar("M", bound=Message)


def parse_text(data: str | bytes) -> Any:
    """The JSON value of ``data``, as plain Python values."""
    raise NotImplementedError


def read_dict(obj: Any, cls: type[M], options: ReadOptions) -> M:
    """The message of class ``cls`` that ``obj`` holds."""
    raise NotImplementedError
