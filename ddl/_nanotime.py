"""``DatetimeNs`` and ``TimedeltaNs``: datetime and timedelta that keep protobuf's nanoseconds.

Python's datetime and timedelta stop at microseconds, while Timestamp and Duration carry
nanoseconds. Decoding returns these subclasses only when the sub-microsecond part is not zero,
so nothing on the wire is lost and ordinary values stay ordinary.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, ClassVar, Self, SupportsIndex


def extra_nanos(x: object) -> int:
    return x._ns if isinstance(x, _Nanos) else 0


def _compare(name: str) -> Callable[[Any, Any], Any]:
    """An ordering method that breaks the base type's ties on the extra nanoseconds, so that
    ``<`` and ``==`` agree for values a nanosecond apart."""
    op = getattr(operator, name.strip("_"))

    def method(self: Any, other: Any) -> Any:
        if not isinstance(other, self._base):
            return NotImplemented
        if self._base.__eq__(self, other) is True:
            return op(self._ns, extra_nanos(other))
        return getattr(self._base, name)(self, other)

    method.__name__ = name
    return method


class _Nanos:
    """What DatetimeNs and TimedeltaNs share: the ``nanosecond`` slot and nanosecond-aware
    equality, hashing, ordering and pickling. A value with ``nanosecond == 0`` equals and
    hashes like the plain base value; otherwise it equals no plain value.
    """

    __slots__ = ()
    _ns: int
    _base: ClassVar[Any]

    def __new__(cls, *args: Any, nanosecond: int = 0, **kwargs: Any) -> Self:
        if not isinstance(nanosecond, int) or isinstance(nanosecond, bool):
            raise TypeError(f"nanosecond must be an int, got {type(nanosecond).__name__}")
        if not 0 <= nanosecond <= 999:
            raise ValueError(f"nanosecond must be in 0..999, got {nanosecond}")
        self: Self = cls._base.__new__(cls, *args, **kwargs)
        object.__setattr__(self, "_ns", nanosecond)  # the slot lives on the concrete subclass
        return self

    @property
    def nanosecond(self) -> int:
        """Nanoseconds below the microsecond, 0..999, added to the base value."""
        return self._ns

    def _plain(self) -> Any:  # pragma: no cover - each subclass names its own
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        same: bool = self._base.__eq__(self, other)
        return same if same is not True else self._ns == extra_nanos(other)

    def __ne__(self, other: object) -> bool:
        same = self.__eq__(other)
        return same if same is NotImplemented else not same

    def __hash__(self) -> int:
        h: int = self._base.__hash__(self)
        return h if not self._ns else hash((h, self._ns))

    __lt__, __le__, __gt__, __ge__ = map(_compare, ("__lt__", "__le__", "__gt__", "__ge__"))

    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple[Any, ...]:
        # The base's own reduce would rebuild through __new__ and drop the nanoseconds.
        return (_rebuild, (type(self), self._plain(), self._ns))


class DatetimeNs(_Nanos, datetime):
    """A datetime that also carries the nanoseconds below its microsecond, so a Timestamp
    written by another language survives a round trip through ddl unchanged.

    ``replace()`` and ``astimezone()`` keep the nanoseconds; other arithmetic works at
    microsecond precision, as datetime does.

    Example::

        >>> t = DatetimeNs(2024, 5, 1, 12, 0, 0, 123456, timezone.utc, nanosecond=789)
        >>> t.nanosecond, t.isoformat()
        (789, '2024-05-01T12:00:00.123456789+00:00')
        >>> DatetimeNs.from_datetime(datetime(2024, 5, 1, tzinfo=timezone.utc), 5).nanosecond
        5
    """

    __slots__ = ("_ns",)
    _base = datetime

    @classmethod
    def from_datetime(cls, dt: datetime, nanosecond: int = 0) -> DatetimeNs:
        """``dt`` (fields, tzinfo and fold) plus ``nanosecond`` below its microsecond."""
        return cls(dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, dt.microsecond,
                   dt.tzinfo, fold=dt.fold, nanosecond=nanosecond)  # fmt: skip

    def to_datetime(self) -> datetime:
        """The plain datetime, dropping the sub-microsecond part."""
        return datetime(self.year, self.month, self.day, self.hour, self.minute, self.second,
                        self.microsecond, self.tzinfo, fold=self.fold)  # fmt: skip

    _plain = to_datetime

    def replace(self, *args: Any, nanosecond: int | None = None, **kwargs: Any) -> DatetimeNs:
        ns = self._ns if nanosecond is None else nanosecond
        return self.from_datetime(datetime.replace(self, *args, **kwargs), ns)

    def astimezone(self, tz: Any = None) -> DatetimeNs:
        return self.from_datetime(datetime.astimezone(self, tz), self._ns)

    def isoformat(self, sep: str = "T", timespec: str = "auto") -> str:
        if timespec == "nanoseconds" or (timespec == "auto" and self._ns):
            text = datetime.isoformat(self, sep, "microseconds")
            return f"{text[:26]}{self._ns:03d}{text[26:]}"  # after "YYYY-MM-DDTHH:MM:SS.ffffff"
        return datetime.isoformat(self, sep, timespec)

    def __repr__(self) -> str:
        return f"{datetime.__repr__(self)[:-1]}, nanosecond={self._ns})"


class TimedeltaNs(_Nanos, timedelta):
    """A timedelta that also carries nanoseconds below its microsecond.

    Sign convention: like timedelta's own ``microseconds``, ``nanosecond`` is always 0..999
    and is *added*, so -1ns is ``TimedeltaNs(microseconds=-1, nanosecond=999)``.
    ``total_nanoseconds()`` gives the exact signed total.

    Example::

        >>> d = TimedeltaNs.from_nanoseconds(-1)
        >>> d.microseconds, d.nanosecond, d.total_nanoseconds()
        (999999, 999, -1)
    """

    __slots__ = ("_ns",)
    _base = timedelta

    @classmethod
    def from_timedelta(cls, td: timedelta, nanosecond: int = 0) -> TimedeltaNs:
        """``td`` plus ``nanosecond`` (0..999)."""
        return cls(td.days, td.seconds, td.microseconds, nanosecond=nanosecond)

    @classmethod
    def from_nanoseconds(cls, total: int) -> TimedeltaNs:
        """The duration of ``total`` nanoseconds, of either sign."""
        micros, ns = divmod(total, 1000)
        return cls(microseconds=micros, nanosecond=ns)

    def total_nanoseconds(self) -> int:
        return total_ns(self)

    def to_timedelta(self) -> timedelta:
        """The plain timedelta, dropping the nanoseconds (so rounding toward -inf)."""
        return timedelta(self.days, self.seconds, self.microseconds)

    _plain = to_timedelta

    def __repr__(self) -> str:
        head, _, inner = timedelta.__repr__(self)[:-1].partition("(")
        return f"{head}({'' if inner == '0' else inner + ', '}nanosecond={self._ns})"


def _rebuild(cls: Any, plain: datetime | timedelta, ns: int) -> Any:
    if isinstance(plain, datetime):
        return cls.from_datetime(plain, ns)
    return cls.from_timedelta(plain, ns)


def total_ns(td: timedelta) -> int:
    return ((td.days * 86_400 + td.seconds) * 1_000_000 + td.microseconds) * 1000 + extra_nanos(td)
