"""``ddl proto``."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser("proto", help="(in progress)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    print("ddl proto: not built yet", file=sys.stderr)
    return 2
