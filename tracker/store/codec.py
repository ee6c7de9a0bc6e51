"""The compact encodings kept in the database: a paragraph's content address, a version's layout."""

from __future__ import annotations

import functools
import hashlib
import json
from collections import Counter
from collections.abc import Sequence

from ..errors import DamagedDatabase
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


@functools.lru_cache(maxsize=256)
def _plain_layout(layout: str) -> tuple[bytes, bytes, bytes] | None:
    """The lead, common gap and tail of a layout without exceptions, as UTF-8; else None.
    Cached: most versions of a corpus share a handful of layouts."""
    data = json.loads(layout)
    if isinstance(data, dict) and "gaps" not in data:
        parts = data.get("lead", ""), data.get("sep", ""), data.get("tail", "")
        if all(type(part) is str for part in parts):
            lead, common, tail = (part.encode("utf-8") for part in parts)
            return lead, common, tail
    return None


def rebuild_bytes(paragraphs: Sequence[bytes], layout: str) -> bytes:
    """:func:`rebuild_text` of UTF-8 paragraphs, as UTF-8 bytes: a checksum of the text needs no
    round trip through ``str`` (whose encoding is slow for text that is not all ASCII)."""
    plain = _plain_layout(layout)
    if plain is not None:
        lead, common, tail = plain
        return lead + common.join(paragraphs) + tail if paragraphs else lead
    separators = [part.encode("utf-8") for part in decode_layout(layout, len(paragraphs))]
    out = [separators[0]]
    for paragraph, separator in zip(paragraphs, separators[1:]):
        out += (paragraph, separator)
    return b"".join(out)


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


def decode_runs(text: str | bytes | None) -> list[int]:
    """The inverse of :func:`encode_runs`; a list damaged by hand is a one-line error."""
    ids: list[int] = []
    try:
        for run in json.loads(text or "[]"):
            if isinstance(run, list):
                ids.extend(range(run[0], run[0] + run[1]))
            elif isinstance(run, int):
                ids.append(run)
            else:
                raise TypeError(run)
    except (ValueError, TypeError, IndexError):
        raise DamagedDatabase(
            "damaged database: a lineage list is not readable; run `tracker fsck`"
        ) from None
    return ids


def stored_lineages(
    lineages: list[int], previous: list[int] | None, previous_from: int | None
) -> str:
    """What a version's row stores for its lineage list: the runs, or, when the list is the same
    as the previous version's, the number of the version whose row holds it (a bare integer).

    Most versions only edit paragraphs in place (58% of python-peps'), so their lists repeat;
    the mark keeps the lineage lists at under half their size. Readers resolve it in SQL
    (:data:`~.versions.VERSION_COLUMNS`), so a version's ``lineages`` is always the list.
    """
    if previous_from is not None and lineages and lineages == previous:
        return str(previous_from)
    return encode_runs(lineages)
