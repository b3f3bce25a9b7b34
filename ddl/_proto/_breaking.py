"""Breaking changes between two versions of a schema, each a .proto file or ddl classes.

Both sides become FileDescriptorSets, through protoc: a .proto directly, ddl classes through the
.proto that ``ddl proto`` writes for them, so both are compared in one model. Messages and enums
match by name, fields and enum values by number. A field whose message or enum type has a new
name is compared with the old type field by field, so renaming a type (or a wrapper message,
whose name follows its field's) is no breaking change in itself. So is a type that one side
imports from another package and the other declares itself, as ``ddl proto`` writes every class
into one package: the two are compared field by field, each pair once (recursive types too), and
their differences are reported at the type's own fields.

Example::

    findings = check("old/shop.proto", "new/shop.proto", includes=["protos"])
    print("\\n".join(f.line() for f in findings))
"""

from __future__ import annotations

import json
import math
import tempfile
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from ._model import Enum, Field, Message, Schema
from ._protoc import ProtocError, descriptor_set
from ._render import include_paths, render_targets
from ._rules import WARNINGS, scalar_change

_Add = Callable[[str, str], None]  # records a finding on the field being compared: (rule, detail)


@dataclass(frozen=True)
class Finding:
    """One change: the rule it breaks, where (message or enum, field or value, number), and how."""

    rule: str
    message: str
    field: str | None
    number: int | None
    detail: str
    breaking: bool

    def line(self) -> str:
        """One short line: ``shop.Order.qty (field 3): type changed from int32 to sint32 [FIELD_SAME_ENCODING]``."""
        where = self.message + (f".{self.field}" if self.field else "")
        if self.number is not None:
            where += f" ({'value' if self.rule.startswith('ENUM_') else 'field'} {self.number})"
        return f"{'' if self.breaking else 'warning: '}{where}: {self.detail} [{self.rule}]"


def check(old: str, new: str, includes: Sequence[str] = (), package: str | None = None) -> list[Finding]:
    """The findings between two versions: .proto files, or ddl classes (``MODULE[:CLASS]``, a .py file).

    ``includes`` are protoc's ``-I`` folders for .proto sides; ``package`` names the package of
    ddl classes (default: their module's name).

    Example::

        for finding in check("shop.proto", "shop.models"):
            print(finding.line())
    """
    old_schema, old_is_proto = load(old, includes, package)
    new_schema, new_is_proto = load(new, includes, package)
    findings = compare(old_schema, new_schema)
    if old_is_proto and new_is_proto and old_schema.packages[:1] != new_schema.packages[:1]:
        old_pkg, new_pkg = old_schema.packages[0], new_schema.packages[0]
        detail = f"package changed from {old_pkg or '(none)'} to {new_pkg or '(none)'}"
        findings.insert(0, Finding("PACKAGE_CHANGED", new_pkg, None, None, detail, False))
    return findings


def load(target: str, includes: Sequence[str] = (), package: str | None = None) -> tuple[Schema, bool]:
    """One side as a Schema, and whether it was a .proto file."""
    if target.endswith(".proto"):
        path = Path(target)
        if not path.is_file():
            raise ProtocError(f"{target}: no such file")
        folders = list(includes) or ["."]
        if not any(path.resolve().is_relative_to(Path(f).resolve()) for f in folders):
            # A file outside every folder (an old version saved to /tmp) is found from its own
            # folder, first, so that a file of the same name in the folders does not shadow it.
            folders.insert(0, str(path.parent))
        files = descriptor_set([path], [*folders, *map(str, include_paths()[1:])], source_info=False)
        # Only the types the file itself declares are compared; its imports come first in the set.
        return Schema.of(files.file, [files.file[-1].name]), True
    text = render_targets([target], package)
    with tempfile.TemporaryDirectory(prefix="ddl-check-") as tmp:
        (Path(tmp) / "ddl_classes.proto").write_text(text)
        files = descriptor_set(
            [Path(tmp) / "ddl_classes.proto"], [tmp, *map(str, include_paths()[1:])], source_info=False
        )
    return Schema.of(files.file, ["ddl_classes.proto"]), False


def _wrapper_like(f: Field, owner: str) -> bool:
    """A type nested in the field's own message: how ddl names a wrapper, after its field."""
    return f.type_name.rpartition(".")[0] == owner


def _well_known(t: Message | Enum) -> bool:
    """Google's well-known types mean what their names say (JSON writes a Timestamp as a date and
    a Duration as seconds), so one is never the same as another type of the same fields."""
    return t.full.startswith("google.protobuf.")


def _default(schema: Schema, f: Field) -> object:
    """What a singular field reads as while absent: its ``[default = ...]``, else its type's zero
    (a closed enum's first value); None for messages, repeated fields and maps."""
    if f.repeated or f.map or f.kind in ("message", "group"):
        return None
    if f.kind == "enum":
        enum = schema.enum(f.type_name)
        return enum.numbers[f.default] if f.default is not None else next(iter(enum.values), 0)
    if f.kind in ("string", "bytes"):  # protoc wrote both as text, bytes with C escapes
        return f.default or ""
    if f.kind == "bool":
        return f.default == "true"
    if f.kind in ("float", "double"):
        value = float(f.default or 0)
        return "nan" if math.isnan(value) else value  # every nan is the same default
    return int(f.default or 0)


def _shown(schema: Schema, f: Field) -> str:
    """A field's default as the .proto says it, or what the field reads as without one."""
    if f.default is not None:
        return f.default
    value = _default(schema, f)
    if f.kind == "enum":
        names = schema.enum(f.type_name).values.get(int(str(value)), [])
        value = names[0] if names else value
    return f"(none: {value!r})" if isinstance(value, str) and f.kind != "enum" else f"(none: {value})"


def to_json(findings: Sequence[Finding]) -> str:
    return json.dumps([asdict(f) for f in findings], indent=2)


def compare(old: Schema, new: Schema) -> list[Finding]:
    """Every finding between two schemas, in the order of the old one's declarations."""
    return _Comparison(old, new).run()


class _Comparison:
    def __init__(self, old: Schema, new: Schema) -> None:
        self.old, self.new = old, new
        self.findings: list[Finding] = []
        self.message_pairs: deque[tuple[str, str]] = deque()
        self.enum_pairs: deque[tuple[str, str]] = deque()
        self.seen: set[tuple[str, str, str]] = set()
        # Types of old fields already reported as removed or changed: their removal is that change.
        self.reported: set[str] = set()

    def run(self) -> list[Finding]:
        for name, message in self.old.messages.items():
            if name in self.new.messages and not message.map_entry:  # entries go with their map field
                self._pair("message", name, name)
        for name in self.old.enums:
            if name in self.new.enums:
                self._pair("enum", name, name)
        while self.message_pairs or self.enum_pairs:
            if self.message_pairs:
                o, n = self.message_pairs.popleft()
                self._message(self.old.message(o), self.new.message(n))
            else:
                o, n = self.enum_pairs.popleft()
                self._enum(self.old.enum(o), self.new.enum(n))
        matched = {(kind, o) for kind, o, _ in self.seen}
        for name, message in self.old.messages.items():
            if ("message", name) not in matched and not message.map_entry and not self._covered(name):
                self._add("MESSAGE_REMOVED", message.full, None, None, "message removed")
        for name, enum in self.old.enums.items():
            if ("enum", name) not in matched and not self._covered(name):
                self._add("ENUM_REMOVED", enum.full, None, None, "enum removed")
        return self.findings

    def _covered(self, name: str) -> bool:
        """Whether a removed type's removal is reported already: with its outer message, or at
        the field that used it (a wrapper message goes with its field)."""
        outer = name.rpartition(".")[0]
        return name in self.reported or (bool(outer) and outer in self.old.messages and outer not in self.new.messages)

    def _pair(self, kind: str, old: str, new: str) -> None:
        if (kind, old, new) in self.seen:
            return
        self.seen.add((kind, old, new))
        (self.message_pairs if kind == "message" else self.enum_pairs).append((old, new))

    def _add(self, rule: str, where: str, name: str | None, number: int | None, detail: str) -> None:
        self.findings.append(Finding(rule, where, name, number, detail, rule not in WARNINGS))

    # --- messages and fields ---------------------------------------------------------------

    def _message(self, old: Message, new: Message) -> None:
        for number, of in old.fields.items():
            nf = new.fields.get(number)
            if nf is None:
                self.reported |= {of.type_name, of.map[1].type_name if of.map else ""}
                if not new.reserves(number):
                    detail = f"removed without reserving its number (reserved {number};)"
                    self._add("FIELD_REMOVED", new.full, of.name, number, detail)
                continue
            self._field(old, new, of, nf)
        for number, nf in new.fields.items():
            if number not in old.fields and old.reserves(number):
                self._add(
                    "FIELD_NUMBER_WAS_RESERVED", new.full, nf.name, number, "takes a number the old version reserved"
                )

    def _field(self, old: Message, new: Message, of: Field, nf: Field) -> None:
        def add(rule: str, detail: str) -> None:
            self._add(rule, new.full, nf.name, nf.number, detail)

        before = len(self.findings)
        if of.name == nf.name:
            changed = f"changed from {of.spelled()} to {nf.spelled()}"
        else:
            changed = f"changed from {of.spelled()} {of.name} to {nf.spelled()} {nf.name}"
        if of.required != nf.required:
            add("FIELD_SAME_LABEL", "became required" if nf.required else "is no longer required")
        if bool(of.map) != bool(nf.map) or of.repeated != nf.repeated:
            if of.repeated and nf.repeated:  # a map and a repeated message of the same shape
                self._compare_types(of, nf, add, changed)
            else:
                add("FIELD_SAME_CARDINALITY", changed)
        elif of.map and nf.map:
            if of.map[0].kind != nf.map[0].kind:
                add("MAP_SAME_KEY_TYPE", f"map key {changed}")
            else:
                self._compare_types(of.map[1], nf.map[1], add, f"map value {changed}")
        else:
            self._compare_types(of, nf, add, f"type {changed}", old.name, new.name)
        self._oneof(old, new, of, nf, add)
        if not any(f.breaking for f in self.findings[before:]) and _default(self.old, of) != _default(self.new, nf):
            add("FIELD_SAME_DEFAULT", f"default changed from {_shown(self.old, of)} to {_shown(self.new, nf)}")
        if any(f.breaking for f in self.findings[before:]):
            self.reported |= {of.type_name, of.map[1].type_name if of.map else ""}
        else:  # a number reused for something incompatible says so already; the rest is worth a warning
            if of.presence != nf.presence and not nf.repeated and nf.oneof is None and of.oneof is None:
                add("FIELD_SAME_PRESENCE", f"presence {changed}")
            if of.name != nf.name:
                add("FIELD_RENAMED", f"renamed from {of.name} to {nf.name}")
            if of.json_name != nf.json_name:
                add("FIELD_SAME_JSON_NAME", f"JSON name changed from {of.json_name} to {nf.json_name}")

    def _compare_types(
        self, of: Field, nf: Field, add: _Add, changed: str, owner_old: str = "", owner_new: str = ""
    ) -> None:
        if of.kind == nf.kind and of.kind in ("message", "group", "enum"):
            if of.type_name != nf.type_name:
                kind = "enum" if of.kind == "enum" else "message"
                if kind == "enum":
                    old_type: Message | Enum = self.old.enum(of.type_name)
                    new_type: Message | Enum = self.new.enum(nf.type_name)
                else:
                    old_type, new_type = self.old.message(of.type_name), self.new.message(nf.type_name)
                if _well_known(old_type) or _well_known(new_type):
                    add("FIELD_SAME_TYPE", f"{changed}, another {kind} type")
                    return
                self._pair(kind, of.type_name, nf.type_name)
                # A name that differs only in its package is the same type, moved or imported.
                wrapper = of.name != nf.name and _wrapper_like(of, owner_old) and _wrapper_like(nf, owner_new)
                if old_type.name != new_type.name and not wrapper:
                    add("FIELD_TYPE_RENAMED", f"type renamed from {of.type_name} to {nf.type_name}")
            return
        rule = scalar_change(of.kind, nf.kind)
        if rule is not None:
            add(rule, changed)

    def _oneof(self, old: Message, new: Message, of: Field, nf: Field, add: _Add) -> None:
        """Fields sharing a oneof on one side only: the side with the oneof keeps one of them."""
        for number, og in old.fields.items():
            ng = new.fields.get(number)
            if ng is None or number == of.number:
                continue
            apart_before = of.oneof is None or of.oneof != og.oneof
            apart_now = nf.oneof is None or nf.oneof != ng.oneof
            if apart_before and not apart_now:
                add("FIELD_SAME_ONEOF", f"moved into oneof {nf.oneof}, with {ng.name}")
                return
            if apart_now and not apart_before:
                add("FIELD_SAME_ONEOF", f"moved out of oneof {of.oneof}, apart from {ng.name}")
                return

    # --- enums -------------------------------------------------------------------------------

    def _enum(self, old: Enum, new: Enum) -> None:
        def add(rule: str, name: str, number: int, detail: str) -> None:
            self._add(rule, new.full, name, number, detail)

        if old.closed != new.closed:
            kinds = ("open", "closed") if new.closed else ("closed", "open")
            self._add("ENUM_SAME_TYPE", new.full, None, None, "changed from {} to {}".format(*kinds))

        old_zero, new_zero = old.values.get(0, []), new.values.get(0, [])
        if old_zero and not set(old_zero) & set(new_zero):
            moved = [n for n in old_zero if new.numbers.get(n, 0) != 0]
            moved += [n for n in new_zero if old.numbers.get(n, 0) != 0]
            if moved or not new_zero:
                detail = f"zero value changed from {old_zero[0]} to {new_zero[0] if new_zero else '(none)'}"
                add("ENUM_ZERO_VALUE_CHANGED", old_zero[0], 0, detail)
            else:
                add("ENUM_VALUE_RENAMED", new_zero[0], 0, f"renamed from {old_zero[0]} to {new_zero[0]}")
        for number, names in old.values.items():
            if number == 0:
                continue
            now = new.values.get(number)
            moved_to = [(n, new.numbers[n]) for n in names if new.numbers.get(n, number) != number]
            if now is None and not moved_to:
                if not new.reserves(number):
                    add("ENUM_VALUE_REMOVED", names[0], number, "removed without reserving its number")
            elif moved_to and not set(names) & set(now or []):
                name, to = moved_to[0]
                add("ENUM_VALUE_SAME_NUMBER", name, number, f"number changed from {number} to {to}")
            elif now is not None and not set(names) & set(now):
                add("ENUM_VALUE_RENAMED", now[0], number, f"renamed from {names[0]} to {now[0]}")
        for number, names in new.values.items():
            if number not in old.values and old.reserves(number):
                add("ENUM_VALUE_NUMBER_WAS_RESERVED", names[0], number, "takes a number the old version reserved")
