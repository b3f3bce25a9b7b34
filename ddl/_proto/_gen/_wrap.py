"""Lines of generated code kept within the width that ruff checks, so that the output passes the
line-length rule (E501) of a project that keeps ruff's common 120 columns.

Example::

    comment_lines("oneof: a = 1, b = 2", "    ")  # ['    # oneof: a = 1, b = 2']
"""

from __future__ import annotations

import textwrap

LINE_LENGTH = 120


def comment_lines(text: str, indent: str) -> list[str]:
    """``text`` as ``#`` comment lines, wrapped between words."""
    width = LINE_LENGTH - len(indent) - 2
    lines = textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [""]
    return [f"{indent}# {line}" for line in lines]


def bracketed(head: str, items: list[str], tail: str, indent: str, comment: str = "") -> list[str]:
    """``head`` + the items joined by commas + ``tail`` (+ ``comment``) on one line when it fits;
    otherwise the items fill indented lines between ``head`` (which ends with the opening bracket,
    and takes the comment) and ``tail`` (which starts with the closing one)."""
    line = head + ", ".join(items) + tail + comment
    if len(line) <= LINE_LENGTH:
        return [line]
    lines = [head + comment, ""]
    for item in items:
        if lines[-1] and len(lines[-1]) + len(item) + 2 <= LINE_LENGTH:
            lines[-1] += f" {item},"
        else:
            lines.append(f"{indent}    {item},")
    return [*(line for line in lines if line), indent + tail]


def union_lines(head: str, members: list[str], indent: str, comment: str = "") -> list[str]:
    """A union too long for one line, in parentheses, a member a line with a leading ``|`` after
    the first, as ruff's formatter wraps one: ``head`` takes the ``(`` and ``comment``, and the
    last line is the closing ``)``, for the caller to go on after."""
    inner = indent + "    "
    return [f"{head}({comment}", f"{inner}{members[0]}", *(f"{inner}| {m}" for m in members[1:]), f"{indent})"]


def union_members(text: str) -> list[str]:
    """The members of a union written with ``|``, outside brackets: ``a | b[c | d]`` is ``a`` and
    ``b[c | d]``; any other text is its only member."""
    members: list[str] = []
    depth = start = 0
    for i, ch in enumerate(text):
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        elif ch == "|" and depth == 0:
            members.append(text[start:i].strip())
            start = i + 1
    return [*members, text[start:].strip()]


def subscript(text: str) -> tuple[str, list[str]] | None:
    """``text`` as its head and items when it is one subscript: ``typing.Union[a[b, c], d]`` is
    ``typing.Union`` and ``a[b, c]``, ``d``; ``a[b] | c[d]`` is None."""
    head, bracket, rest = text.partition("[")
    if not bracket or not rest.endswith("]"):
        return None
    items: list[str] = []
    depth = start = 0
    for i, ch in enumerate(rest[:-1]):
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
            if depth < 0:
                return None  # the first bracket closes before the end
        elif ch == "," and depth == 0:
            items.append(rest[start:i].strip())
            start = i + 1
    return head, [*items, rest[start:-1].strip()]
