"""``ddl check``: the breaking changes between two versions of a schema, for CI.

Example::

    ddl check old/shop.proto protos/shop.proto -I protos
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .._errors import SchemaError
from .._proto._breaking import check, to_json
from .._proto._layout import RenderError
from .._proto._load import LoadError
from .._proto._protoc import ProtocError
from .._proto._rules import RULES
from ._options import add_proto_path

EXAMPLES = """\
examples:
  ddl check old/shop.proto shop.proto                # two versions of a .proto file
  ddl check shop.proto shop.models                   # a .proto against the ddl classes of a module
  git show main:shop/models.py > /tmp/models.py
  ddl check /tmp/models.py shop/models.py            # ddl classes before and after a change
  ddl check old.proto new.proto --format json        # for tools

Each finding is one line that names the message, the field (and its number) and the rule:
  shop.Order.qty (field 3): type changed from int32 to sint32 [FIELD_SAME_ENCODING]
Warnings start with "warning:": safe on the wire, they do not fail the check.

rules:
{rules}

Exit status: 0 when nothing breaks, 1 when something does, 2 when a side cannot be read
(protoc's own message names the file and line).
"""


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "check",
        help="report the breaking changes between two versions of a schema",
        description="Report each change from OLD to NEW that breaks old readers or old writers: a field\n"
        "number reused with an incompatible type, a field removed without reserving its number,\n"
        "a changed encoding (int32 to sint32), a field moved into or out of a oneof, a changed enum\n"
        "zero value, a changed map key type, and more. Messages and enums match by name (relative\n"
        "to the package), fields and enum values by number. A field whose type has another name on\n"
        "each side (renamed, or imported from another package on one side and declared on the other,\n"
        "as ddl proto writes every class into one package) compares the two types field by field;\n"
        "their differences are reported once, at the type's own fields.",
        epilog=EXAMPLES.format(rules="\n".join(f"  {rule:<31}{text}" for rule, text in RULES.items())),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    side = (
        "a .proto file, or ddl classes: MODULE[:CLASS] (imported as python -m would, from the current "
        "directory first) or a .py file"
    )
    parser.add_argument("old", metavar="OLD", help=f"the old version: {side}")
    parser.add_argument("new", metavar="NEW", help="the new version, in the same forms")
    add_proto_path(
        parser,
        "a folder that .proto imports are found in, as for protoc (repeatable; default: the current "
        "folder, or the file's own folder when it lies outside)",
    )
    parser.add_argument("--package", help="the package of ddl classes (default: their module's name)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="text lines (default) or JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        findings = check(args.old, args.new, args.includes, args.package)
    except (ProtocError, LoadError, RenderError, SchemaError) as exc:
        print(f"ddl check: {exc}", file=sys.stderr)
        return 2
    breaking = sum(f.breaking for f in findings)
    if args.format == "json":
        print(to_json(findings))
    else:
        for finding in findings:
            print(finding.line())
        warnings = len(findings) - breaking
        summary = f"{breaking} breaking change{'s' * (breaking != 1)}, {warnings} warning{'s' * (warnings != 1)}"
        print(f"ddl check: {summary}", file=sys.stderr)
    return 1 if breaking else 0
