"""What protoc's source info says about a declaration: its comments and its place in the file.

A declaration is named by its path in the descriptor: ``(4, 0, 2, 1)`` is the second field of
the first message (4 = FileDescriptorProto.message_type, 2 = DescriptorProto.field).

Example::

    source = Source(file_descriptor)
    print(source.where((4, 0, 2, 1)), source.comment((4, 0)))
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from google.protobuf.descriptor_pb2 import FileDescriptorProto

# Field numbers of the descriptor messages, as used in source-info paths.
FILE_MESSAGE, FILE_ENUM, FILE_SERVICE, FILE_EXTENSION = 4, 5, 6, 7
MESSAGE_FIELD, MESSAGE_NESTED, MESSAGE_ENUM, MESSAGE_EXTENSION, MESSAGE_ONEOF = 2, 3, 4, 6, 8
ENUM_VALUE = 2

Path = tuple[int, ...]


class GenError(Exception):
    """A .proto construct that ddl cannot express; the message starts with ``file:line:col``."""


class Source:
    """Comments and positions of one file's declarations."""

    def __init__(self, fd: FileDescriptorProto) -> None:
        self.name = fd.name
        self._spans: dict[Path, tuple[int, int]] = {}
        self._comments: dict[Path, str] = {}
        for loc in fd.source_code_info.location:
            path = tuple(loc.path)
            self._spans.setdefault(path, (loc.span[0] + 1, loc.span[1] + 1))
            text = "\n\n".join(_clean(c) for c in (loc.leading_comments, loc.trailing_comments) if c.strip())
            if text and path not in self._comments:
                self._comments[path] = text

    def where(self, path: Path) -> str:
        """``file:line:col`` of a declaration, as protoc writes positions (just ``file`` if unknown)."""
        span = self._spans.get(path)
        return f"{self.name}:{span[0]}:{span[1]}" if span else self.name

    def comment(self, path: Path) -> str:
        """The declaration's leading and trailing comments, without comment markers."""
        return self._comments.get(path, "")


def _clean(comment: str) -> str:
    lines = comment.strip("\n").split("\n")
    indent = min((len(line) - len(line.lstrip()) for line in lines if line.strip()), default=0)
    return "\n".join(line[indent:].rstrip() for line in lines).strip()


def docstring(text: str, indent: str) -> str:
    """``text`` as a triple-quoted docstring literal; ``inspect.cleandoc`` of its value is ``text``.

    Backslashes, quotes and control characters are escaped, so no comment can end the literal
    early or change what it says. So is every character outside ASCII that is not a letter, mark
    or digit (U+2212, the minus sign, is written ``\\u2212``): symbols, punctuation and spaces that
    look like ASCII ones are what ruff's RUF002 rejects in a docstring, and the value stays the
    comment's exact text, where a replacement or a ``noqa`` would change it or hide it. Letters
    of any script stay as written, so comments in other languages stay readable.
    """
    quotes = '""' in text or text.endswith('"')  # otherwise no quote can close the literal
    body = "".join(_escape(ch, quotes) for ch in text.expandtabs(4))
    lines = body.split("\n")
    if len(lines) == 1:
        return f'{indent}"""{body}"""'
    inner = "\n".join(indent + line if line else "" for line in lines[1:])
    return f'{indent}"""{lines[0]}\n{inner}\n{indent}"""'


def _escape(ch: str, quotes: bool) -> str:
    code = ord(ch)
    if ch == "\\" or (ch == '"' and quotes):
        return "\\" + ch
    if ch == "\n" or 32 <= code < 127 or (code > 127 and unicodedata.category(ch)[0] in "LMN"):
        return ch
    if code < 256:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
