"""The enums of bench.proto as Python ``IntEnum``s, for the adapters whose libraries take those
(ddl, msgspec, pure-protobuf): one definition, the .proto's names and numbers."""

from __future__ import annotations

from enum import IntEnum


class Status(IntEnum):
    STATUS_UNSPECIFIED = 0
    STATUS_ACTIVE = 1
    STATUS_SUSPENDED = 2
    STATUS_DELETED = 3


class Role(IntEnum):
    ROLE_UNSPECIFIED = 0
    ROLE_SYSTEM = 1
    ROLE_USER = 2
    ROLE_ASSISTANT = 3
    ROLE_TOOL = 4


class Severity(IntEnum):
    SEVERITY_UNSPECIFIED = 0
    SEVERITY_DEBUG = 1
    SEVERITY_INFO = 2
    SEVERITY_WARN = 3
    SEVERITY_ERROR = 4
