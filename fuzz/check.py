"""What one fuzz input checks: both engines against each other, and against upb where a _pb2 exists.

An input picks a target class by its first byte and a mode by its second. In decode mode the
rest is the wire data itself, so libFuzzer's mutations reach the decoders' byte handling
directly; in JSON mode the rest is JSON text, read by both JSON readers; in encode mode the
rest drives Hypothesis, which draws a value of the class from it.
Every check raises AssertionError on a disagreement; nothing else may escape. The targets are
the differential corpus (whose .proto twins protoc compiles) and random schemas drawn from
tests/strategies.py with fixed seeds, so a saved input means the same thing on every run.
"""

from __future__ import annotations

import contextlib
import copy
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from google.protobuf.message import DecodeError as PbDecodeError
from hypothesis import HealthCheck, given, settings

import ddl
from ddl._api import decode_with, encode_with
from tests import corpus as c
from tests import test_differential as diff
from tests.json_paths import engine_on
from tests.strategies import Schema, schemas, stable_repr

# Random schemas made once per process from these seeds; more would slow the start more than
# they widen what the fuzzer sees (each input picks one schema).
SCHEMA_SEEDS = range(24)

# The corpus classes whose decoders check nothing beyond what protobuf's wire format does: upb
# must accept exactly the bytes they accept. Timestamps, dates, decimals, UUIDs and JSON values
# carry range and format checks that upb, which sees plain messages and strings, does not make.
UPB_ALIKE = {
    c.Scalars, c.Renumbered, c.Optionals, c.Nested, c.Tree, c.Repeated, c.Collections, c.Wrappers, c.Small,
    c.IntOrColor,
}  # fmt: skip

FUZZ_SETTINGS = settings(database=None, deadline=None, suppress_health_check=list(HealthCheck))


@dataclass
class Target:
    cls: type
    values: Any  # a Hypothesis strategy of the class's values
    pb: Any  # the _pb2 class of its .proto twin, or None
    upb_alike: bool = False  # upb accepts exactly the bytes ddl accepts
    encode_check: Callable[[bytes], None] | None = None


def outcome(fn: Callable[..., Any], *args: Any, **options: Any) -> tuple[str, Any]:
    """What a call gives: its value, or its error's type, path, offset and message."""
    try:
        return ("value", fn(*args, **options))
    except (ddl.DecodeError, ddl.EncodeError) as exc:
        return (type(exc).__name__, (exc.path, getattr(exc, "offset", None), str(exc)))


def same_outcome(compiled: tuple[str, Any], reference: tuple[str, Any]) -> None:
    """Both outcomes are the same, value for value: see ``stable_repr``."""
    assert stable_repr(compiled) == stable_repr(reference), f"compiled {compiled!r} != reference {reference!r}"


def check_decode(target: Target, data: bytes) -> None:
    """Both engines give the same value or the same error, a value's deep copy on each equals
    it, and its text format is the same on each (or the same EncodeError; nothing else) and
    reads back alike; upb accepts exactly what they accept."""
    compiled = outcome(decode_with, True, data, target.cls)
    reference = outcome(decode_with, False, data, target.cls)
    same_outcome(compiled, reference)
    if compiled[0] == "value":
        same_outcome(both(copy.deepcopy, compiled[1]), compiled)
        text = both(ddl.to_text, compiled[1])
        if text[0] == "value":  # what ddl prints, it reads back
            assert both(ddl.from_text, text[1], target.cls)[0] == "value", text[1]
    if target.upb_alike:
        try:
            target.pb.FromString(data)
            upb = "value"
        except PbDecodeError:
            upb = "DecodeError"
        assert upb == reference[0], f"upb: {upb}, ddl: {reference!r}"


def check_encode(target: Target, value: Any) -> None:
    """Both engines write the same bytes (or raise the same error), read them back alike, and
    upb parses what they write."""
    for deterministic in (False, True):
        compiled = outcome(encode_with, True, value, deterministic)
        reference = outcome(encode_with, False, value, deterministic)
        assert compiled == reference, f"compiled {compiled!r} != reference {reference!r}"
        if reference[0] != "value":
            continue
        data = reference[1]
        same_outcome(outcome(decode_with, True, data, target.cls), outcome(decode_with, False, data, target.cls))
        if target.pb is not None:
            target.pb.FromString(data)


def both(fn: Callable[..., Any], *args: Any, **options: Any) -> tuple[str, Any]:
    """``fn``'s outcome on the compiled engine, checked to be the Python path's."""
    with engine_on(True):
        compiled = outcome(fn, *args, **options)
    with engine_on(False):
        reference = outcome(fn, *args, **options)
    same_outcome(compiled, reference)
    return reference


def check_json(target: Target, text: bytes, ignore_unknown_fields: bool) -> None:
    """Both JSON readers give the same value or the same error for ``text``, and so do the
    readers of the dict ``json.loads`` makes of it; a value read is written alike by both
    writers, as text (compact too, which is the text's value laid out without spaces) and as a
    dict, and that dict is read back alike."""
    read = both(ddl.from_json, text, target.cls, ignore_unknown_fields=ignore_unknown_fields)
    if read[0] == "value":
        written = both(ddl.to_json, read[1])
        assert written[0] == "value", f"a value read from JSON cannot be written: {written!r}"
        both(ddl.to_json, read[1], indent=2, use_integers_for_enums=True, preserving_proto_field_name=True)
        compact = both(ddl.to_json, read[1], separators=(",", ":"))
        # the compiled writer's own compact text: the default text's value, laid out without spaces
        relaid = json.dumps(json.loads(written[1]), separators=(",", ":"), ensure_ascii=False)
        assert compact == ("value", relaid), f"compact text {compact!r} != {relaid!r}"
        as_dict = both(ddl.to_dict, read[1], always_print_fields_with_no_presence=True)
        assert as_dict[0] == "value", f"a value read from JSON has no dict: {as_dict!r}"
        both(ddl.from_dict, as_dict[1], target.cls)
    try:
        loaded = json.loads(text)
    except (ValueError, RecursionError):  # no JSON (or too deep for the json module): no dict
        return
    both(ddl.from_dict, loaded, target.cls, ignore_unknown_fields=ignore_unknown_fields)


def _drawn(strategy: Any, seeds: range, size: int) -> list[tuple[bytes, Any]]:
    """What ``strategy`` draws from ``size`` fixed random bytes per seed: (bytes, value) pairs."""
    found: list[Any] = []

    @FUZZ_SETTINGS
    @given(strategy)
    def keep(value: Any) -> None:
        found.append(value)

    pairs = []
    for seed in seeds:
        drawn = random.Random(seed).randbytes(size)
        before = len(found)
        keep.hypothesis.fuzz_one_input(drawn)  # type: ignore[attr-defined]
        if len(found) > before:
            pairs.append((drawn, found[-1]))
    return pairs


def _random_schemas() -> list[Schema]:
    return [schema for _, schema in _drawn(schemas(), SCHEMA_SEEDS, 8192)]


def _encode_checker(target: Target) -> Callable[[bytes], None]:
    @FUZZ_SETTINGS
    @given(target.values)
    def encode_one(value: Any) -> None:
        check_encode(target, value)

    check: Callable[[bytes], None] = encode_one.hypothesis.fuzz_one_input  # type: ignore[attr-defined]
    return check


def _targets() -> list[Target]:
    targets = [Target(cls, diff.message_of(cls), diff.twin(cls), cls in UPB_ALIKE) for cls in diff.CORPUS]
    targets += [Target(s.root, s.values(), None) for s in _random_schemas()]
    for target in targets:
        target.encode_check = _encode_checker(target)
    return targets


TARGETS = _targets()


# The second byte of an input: its low two bits pick the mode (an odd byte is encode mode, as it
# was before JSON mode came, so that saved inputs keep their meaning); in JSON mode, bit 2 sets
# ignore_unknown_fields.
DECODE, ENCODE, JSON = 0, 1, 2
IGNORING = 4


def seed_inputs(per_target: int = 4) -> list[bytes]:
    """Inputs to start a corpus from: for each target, encodings of a few of its values in
    decode mode, their JSON text in JSON mode, and the bytes that drew them in encode mode."""
    seeds = []
    for index, target in enumerate(TARGETS):
        for drawn, value in _drawn(target.values, range(per_target), 256):
            seeds.append(bytes([index, ENCODE]) + drawn)
            # A value that cannot be written still serves as an encode-mode seed (above).
            with contextlib.suppress(ddl.EncodeError):
                seeds.append(bytes([index, DECODE]) + encode_with(False, value))
            with contextlib.suppress(ddl.EncodeError):
                seeds.append(bytes([index, JSON]) + ddl.to_json(value).encode())
    return seeds


def one_input(data: bytes) -> None:
    """Check one fuzz input; raises on any disagreement between the engines or with upb."""
    if len(data) < 2:
        return
    target = TARGETS[data[0] % len(TARGETS)]
    if data[1] & 1:
        assert target.encode_check is not None
        target.encode_check(data[2:])
    elif data[1] & 3 == JSON:
        check_json(target, data[2:], bool(data[1] & IGNORING))
    else:
        check_decode(target, data[2:])
