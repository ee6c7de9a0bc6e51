"""The compact encodings kept in the database: a paragraph's content address, a version's layout."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence


def paragraph_hash(text: str) -> str:
    """Content address of a paragraph: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def encode_layout(separators: Sequence[str]) -> str:
    """Store separators compactly: the common gap once, only the exceptions by position."""
    layout: dict[str, object] = {}
    lead, inner, tail = separators[0], separators[1:-1], separators[-1]
    if lead:
        layout["lead"] = lead
    if len(separators) > 1 and tail:
        layout["tail"] = tail
    if inner:
        common = Counter(inner).most_common(1)[0][0]
        layout["sep"] = common
        gaps = {str(i): s for i, s in enumerate(inner, start=1) if s != common}
        if gaps:
            layout["gaps"] = gaps
    return json.dumps(layout, ensure_ascii=False, separators=(",", ":"))


def decode_layout(layout: str, count: int) -> list[str]:
    """The inverse of :func:`encode_layout` for a version with ``count`` paragraphs."""
    data = json.loads(layout)
    separators = [data.get("lead", "")]
    gaps = data.get("gaps", {})
    common = data.get("sep", "")
    separators.extend(gaps.get(str(i), common) for i in range(1, count))
    if count:
        separators.append(data.get("tail", ""))
    return separators


def encode_runs(ids: Sequence[int]) -> str:
    """A list of ids as JSON runs: ``[[101, 3], 117, [104, 13]]`` for 101-103, 117, 104-116.

    A version's lineage ids are mostly consecutive (paragraphs keep their order), so a version
    of a hundred paragraphs usually takes a few runs.
    """
    runs: list[int | list[int]] = []
    start = count = 0
    for value in ids:
        if count and value == start + count:
            count += 1
            continue
        if count:
            runs.append([start, count] if count > 1 else start)
        start, count = value, 1
    if count:
        runs.append([start, count] if count > 1 else start)
    return json.dumps(runs, separators=(",", ":"))


def decode_runs(text: str | None) -> list[int]:
    """The inverse of :func:`encode_runs`."""
    ids: list[int] = []
    for run in json.loads(text or "[]"):
        if isinstance(run, list):
            ids.extend(range(run[0], run[0] + run[1]))
        else:
            ids.append(run)
    return ids
