"""The ``reserved`` class keyword: field numbers and names that no field of the class may take.

Reserving the number and name of a removed field keeps a later field from reusing them, which
would make old data read as the new field; ``ddl proto`` writes them as .proto ``reserved``
lines, so ``ddl check`` sees them too.

Example::

    reserved = Reserved.of("Order", (8, range(20, 30), "legacy_note"))
    assert reserved.has_number(25) and "legacy_note" in reserved.names
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .._errors import SchemaError, shown
from .._wire import MAX_FIELD_NUMBER as MAX_NUMBER

# protobuf's own numbers: no field may take them (a class may still reserve them, as protoc allows).
PROTOBUF_RESERVED = range(19000, 20000)

ReservedItem = int | range | str
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")  # what a .proto field name can be


@dataclass(frozen=True)
class Reserved:
    """A class's reserved numbers, as ascending disjoint ranges, and names, in the order given."""

    numbers: tuple[range, ...] = ()
    names: tuple[str, ...] = ()

    @classmethod
    def of(cls, qualname: str, value: ReservedItem | Iterable[ReservedItem]) -> Reserved:
        """Check the keyword's value; a lone int, range or name stands for a tuple of one.

        Without that, a lone name would reserve each of its letters.
        """
        items = (value,) if isinstance(value, (int, range, str)) or not isinstance(value, Iterable) else tuple(value)
        numbers: list[range] = []
        names: list[str] = []
        for item in items:
            if isinstance(item, str):
                if not _NAME.match(item):
                    raise SchemaError(f"{qualname}: reserved name {item!r} is not a field name")
                names.append(item)
            elif isinstance(item, range) or (isinstance(item, int) and not isinstance(item, bool)):
                numbers.append(_checked_range(qualname, item))
            else:
                raise SchemaError(f"{qualname}: reserved takes field numbers, ranges and field names, not {item!r}")
        return cls(_merged(numbers), tuple(dict.fromkeys(names)))

    def __or__(self, other: Reserved) -> Reserved:
        """Both reservations: a subclass keeps those of its bases."""
        return Reserved(_merged([*self.numbers, *other.numbers]), tuple(dict.fromkeys(self.names + other.names)))

    def has_number(self, number: int) -> bool:
        return any(number in r for r in self.numbers)


def _checked_range(qualname: str, item: int | range) -> range:
    numbers = range(item, item + 1) if isinstance(item, int) else item
    if numbers.step != 1 or not numbers:
        raise SchemaError(f"{qualname}: reserved range {shown(item)} must be non-empty with step 1")
    first, last = numbers[0], numbers[-1]
    if first < 1 or last > MAX_NUMBER:
        bad = first if first < 1 else last
        raise SchemaError(f"{qualname}: reserved number {shown(bad)} is outside 1..{MAX_NUMBER}")
    return numbers


def _merged(ranges: list[range]) -> tuple[range, ...]:
    """Overlapping or adjacent ranges joined: protoc rejects overlapping reserved ranges."""
    merged: list[range] = []
    for r in sorted(ranges, key=lambda r: r.start):
        if merged and r.start <= merged[-1].stop:
            merged[-1] = range(merged[-1].start, max(merged[-1].stop, r.stop))
        else:
            merged.append(r)
    return tuple(merged)
