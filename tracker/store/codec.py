"""The compact encodings kept in the database: a paragraph's content address, a version's layout."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence

from ..text.paragraphs import join


def paragraph_hash(text: str) -> str:
    """Content address of a paragraph: the first 16 hex digits of its SHA-256."""
    return paragraph_hash_of_bytes(text.encode("utf-8", "surrogatepass"))


def paragraph_hash_of_bytes(data: bytes) -> str:
    """:func:`paragraph_hash` of a text given as its UTF-8 bytes (as stored)."""
    return hashlib.sha256(data).hexdigest()[:16]


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


def rebuild_text(texts: Sequence[str], layout: str) -> str:
    """The exact text of a version from its paragraph texts, in order, and its layout.

    The same as joining the texts with :func:`decode_layout`'s separators, without building
    them one by one when every gap is the common one (most versions).
    """
    data = json.loads(layout)
    if isinstance(data, dict) and "gaps" not in data:
        parts = data.get("lead", ""), data.get("sep", ""), data.get("tail", "")
        if all(type(part) is str for part in parts):
            lead, common, tail = parts
            return lead + common.join(texts) + tail if texts else lead
    return join(list(texts), decode_layout(layout, len(texts)))
