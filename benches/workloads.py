"""The shared logical data of every benchmark, built deterministically from a seeded RNG.

Every workload is plain Python values (dicts, lists, str, int, float) whose keys are the field
names of ``bench.proto``. Each adapter turns them into its own objects, and its ``read`` turns a
decoded object back into exactly this shape, so a round trip can be compared with ``==``.

Enums are plain ints, maps are dicts, and floats are exact doubles (so ``==`` is exact).
"""

from __future__ import annotations

import random
from typing import Any

#: workload name -> the message of bench.proto it is an instance of
MESSAGES: dict[str, str] = {
    "small": "Small",
    "medium": "Medium",
    "batch": "Batch",
    "ints": "Ints",
    "doubles": "Doubles",
    "tree": "Node",
    "text": "Text",
}
WORKLOADS: tuple[str, ...] = tuple(MESSAGES)
#: the binary operations, timed for every library
OPS: tuple[str, ...] = ("encode", "decode+read", "decode")
#: the JSON operations, timed for the libraries that have JSON (each reads the text it writes)
JSON_OPS: tuple[str, ...] = ("json encode", "json decode+read")
ALL_OPS: tuple[str, ...] = OPS + JSON_OPS

SEED = 20240601
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1

_WORDS_ASCII = [
    "alpha", "beta", "gamma", "delta", "widget", "gadget", "sprocket", "north", "south", "ledger", "invoice", "order",
]  # fmt: skip
_WORDS_ACCENTED = [
    "café", "naïve", "déjà", "crème", "brûlée", "façade", "jalapeño", "Ångström", "Zürich", "São", "Paulo", "Kraków",
    "smörgåsbord",
]  # fmt: skip
_WORDS_CJK = [
    "東京", "日本語", "数据", "序列化", "北京", "서울", "한국어", "프로토콜", "漢字", "かな",
    "カタカナ", "中文", "信息", "消息",
]  # fmt: skip
_EMOJI = ["😀", "🚀", "🎉", "🐍", "✨", "🌍", "👍🏽", "🇯🇵", "👨‍👩‍👧", "🔥", "☕", "📦"]


def _rng(name: str) -> random.Random:
    return random.Random(f"{SEED}:{name}")


def _word(rng: random.Random) -> str:
    return rng.choice(_WORDS_ASCII)


def _varied_int(rng: random.Random) -> int:
    """An int64 that is small, large or negative, with a varint length from 1 to 10 bytes."""
    kind = rng.random()
    if kind < 0.5:
        return rng.randrange(0, 128)
    if kind < 0.7:
        return rng.randrange(128, 2**21)
    if kind < 0.85:
        return rng.randrange(2**32, INT64_MAX)
    if kind < 0.95:
        return -rng.randrange(1, 2**20)
    return rng.choice([INT64_MIN, INT64_MAX, -1])


def _double(rng: random.Random) -> float:
    # random() * 2**k is an exact double; mix magnitudes and signs
    return rng.choice([1.0, -1.0]) * rng.random() * 2.0 ** rng.randrange(-10, 40)


def small(rng: random.Random | None = None) -> dict[str, Any]:
    rng = rng or _rng("small")
    return {
        "id": rng.randrange(2**40, 2**50),
        "name": f"{_word(rng)}-{rng.randrange(10**6)}",
        "score": _double(rng),
        "active": True,
        "count": rng.randrange(INT32_MIN, INT32_MAX),
        "status": rng.randrange(1, 4),
    }


def _item(rng: random.Random) -> dict[str, Any]:
    return {
        "id": rng.randrange(1, 2**33),
        "sku": f"SKU-{rng.randrange(10**8):08d}",
        "qty": rng.randrange(0, 500),
        "price": round(rng.uniform(0.5, 900.0), 2),  # round() gives a double; compared exactly
        "in_stock": rng.random() < 0.8,
    }


def medium(rng: random.Random | None = None, n_items: int = 10) -> dict[str, Any]:
    rng = rng or _rng("medium")
    items = [_item(rng) for _ in range(n_items)]
    return {
        "id": rng.randrange(1, 2**48),
        "title": " ".join(_word(rng) for _ in range(4)),
        "items": items,
        "tags": [_word(rng) for _ in range(5)],
        "attrs": {f"key{i}": f"{_word(rng)}:{rng.randrange(10**6)}" for i in range(5)},
        "total": sum(i["price"] for i in items),
        "status": rng.randrange(0, 4),
    }


def batch(n: int = 100) -> dict[str, Any]:
    rng = _rng("batch")
    return {"records": [medium(rng) for _ in range(n)]}


def ints(n: int = 10_000) -> dict[str, Any]:
    rng = _rng("ints")
    return {"values": [_varied_int(rng) for _ in range(n)]}


def doubles(n: int = 10_000) -> dict[str, Any]:
    rng = _rng("doubles")
    return {"values": [_double(rng) for _ in range(n)]}


def tree(depth: int = 40, side: int = 5, bush: int = 6) -> dict[str, Any]:
    """A spine ``depth`` levels deep; each spine node also has up to ``side`` bushy subtrees.

    A bushy subtree is up to ``bush`` levels deep with 1-3 children per node, and never reaches
    below the spine's last level. The defaults give 42 levels of nesting and about 3,100 nodes.
    """
    rng = _rng("tree")
    counter = iter(range(1, 10**9))

    def leafy(levels: int) -> dict[str, Any]:
        n = next(counter)
        kids = [leafy(levels - 1) for _ in range(rng.randrange(1, 4))] if levels > 0 else []
        return {"value": n * 7919 - 2**20, "name": f"n{n}", "children": kids}

    def spine(level: int) -> dict[str, Any]:
        n = next(counter)
        room = depth - level - 1
        kids = [leafy(min(room, rng.randrange(0, bush + 1))) for _ in range(rng.randrange(0, side + 1))]
        if level < depth:
            kids.insert(rng.randrange(len(kids) + 1), spine(level + 1))
        return {"value": n, "name": f"spine-{level}", "children": kids}

    return spine(0)


def text(n_comments: int = 12) -> dict[str, Any]:
    rng = _rng("text")
    pools = [_WORDS_CJK, _WORDS_ACCENTED, _EMOJI, _WORDS_ASCII]

    def sentence(n_words: int) -> str:
        return " ".join(rng.choice(rng.choice(pools)) for _ in range(n_words))

    return {
        "title": f"{sentence(6)} — 标题 🎯",
        "author": "José Müller-Łukasiewicz 李小龍",
        "body": "\n".join(sentence(40) for _ in range(8)),
        "comments": [sentence(rng.randrange(10, 30)) for _ in range(n_comments)],
    }


def build(name: str, *, reduced: bool = False) -> Any:
    """The logical value of workload ``name``; ``reduced`` gives a smaller variant for quick tests."""
    if name == "small":
        return small()
    if name == "medium":
        return medium()
    if name == "batch":
        return batch(10 if reduced else 100)
    if name == "ints":
        return ints(500 if reduced else 10_000)
    if name == "doubles":
        return doubles(500 if reduced else 10_000)
    if name == "tree":
        return tree(depth=40, side=1, bush=2) if reduced else tree()
    if name == "text":
        return text(3 if reduced else 12)
    raise KeyError(f"unknown workload {name!r}; choose from {', '.join(WORKLOADS)}")


def build_all(*, reduced: bool = False) -> dict[str, Any]:
    return {name: build(name, reduced=reduced) for name in WORKLOADS}


def count_nodes(node: dict[str, Any]) -> int:
    return 1 + sum(count_nodes(c) for c in node["children"])


def max_depth(node: dict[str, Any]) -> int:
    return 1 + max((max_depth(c) for c in node["children"]), default=0)
