"""The three exceptions ddl raises, the path bookkeeping they share, and how a message shows a value."""

from __future__ import annotations

# Python refuses to print an int of more than sys.get_int_max_str_digits() digits (4,300 unless
# lowered, to 640 at least): repr raises ValueError. A message or path naming a value that long
# names its size instead, so that making an error never raises another.
_SHOWN_BITS = 1024


def shown(value: object) -> str:
    """``repr(value)`` for an error message or path, or an int too long to print, by its size.

    Example::

        shown(10**400)  # 'an int of 1329 bits'
    """
    if isinstance(value, int) and value.bit_length() > _SHOWN_BITS:
        return f"{'a negative' if value < 0 else 'an'} int of {value.bit_length()} bits"
    try:
        return repr(value)
    except ValueError:  # a container or range holding such an int
        return f"a {type(value).__name__} too long to print"


class SchemaError(TypeError):
    """An annotation or field option that ddl cannot map, raised when the class is created.

    Example::

        class Bad(ddl.Message):
            x: complex      # SchemaError: Bad.x: ddl cannot map complex
    """


class _PathMixin(Exception):
    """Builds a JSON-path-like location as the error travels up through nested messages.

    Segments are appended innermost first, because each enclosing decoder adds its own
    segment on the way out. That keeps the hot path free of any path bookkeeping.
    """

    message: str
    _segments: list[str]

    def _push(self, segment: str) -> None:
        self._segments.append(segment)

    @property
    def path(self) -> str:
        """Where the error happened, such as ``$.items[3].sku``."""
        return "$" + "".join(reversed(self._segments))


class DecodeError(_PathMixin, ValueError):
    """Bytes that are not a valid encoding of the requested message.

    ``path`` names the field (``$.items[3].sku``) and ``offset`` the byte where decoding failed.

    Example::

        try:
            ddl.decode(b"\\x0a\\x05ab", User)
        except ddl.DecodeError as e:
            print(e.path, e.offset)
    """

    def __init__(self, message: str, offset: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
        self._segments = []

    def __str__(self) -> str:
        where = f" at {self.path}"
        if self.offset is not None:
            where += f" (byte offset {self.offset})"
        return self.message + where

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_decode_error, (self.message, self.offset, list(self._segments)))


class EncodeError(_PathMixin, TypeError, ValueError):
    """A value that cannot be encoded: a wrong type, an out-of-range number, a cycle.

    It is both a ``TypeError`` and a ``ValueError``, so either ``except`` catches it.

    Example::

        try:
            ddl.encode(User(id="seven"))
        except ddl.EncodeError as e:
            print(e.path)      # $.id
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self._segments = []

    def __str__(self) -> str:
        return f"{self.message} at {self.path}"

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_encode_error, (self.message, list(self._segments)))


def _rebuild_decode_error(message: str, offset: int | None, segments: list[str]) -> DecodeError:
    err = DecodeError(message, offset)
    err._segments = segments
    return err


def _rebuild_encode_error(message: str, segments: list[str]) -> EncodeError:
    err = EncodeError(message)
    err._segments = segments
    return err
