"""How numbers, counts and times read in text: one helper each, shared by the CLI and the web."""

from __future__ import annotations

from ..models import Version
from ..text.diff import Skipped


def plural(count: int, word: str, words: str | None = None) -> str:
    """``1 version``, ``2 versions``, ``1,000 versions`` (``words``: an irregular plural)."""
    return f"{count:,} {word if count == 1 else (words or word + 's')}"


def skipped_text(item: Skipped) -> str:
    """Words for a run of skipped unchanged paragraphs: ``paragraphs 3-7 unchanged`` (1-based)."""
    if item.count == 1:
        return f"paragraph {item.first + 1} unchanged"
    return f"paragraphs {item.first + 1}-{item.last + 1} unchanged"


def short_time(iso: str | None) -> str:
    """``2026-11-24T18:02:11.123Z`` as ``2026-11-24 18:02:11`` (UTC); ``-`` for none."""
    if not iso:
        return "-"
    return iso.replace("T", " ")[:19]


def counts_text(version: Version) -> str:
    """What a version changed, in a few characters: ``+1 -0 ~2 moved 1``, ``deleted``, or
    ``new, 16 paragraphs`` for a first version; then ``(1 substantive)`` when only some of its
    changes are substantive, or ``minor`` when none is (whitespace, punctuation, a move...)."""
    if version.deleted:
        return "deleted"
    if version.version == 1 and not version.removed:
        return f"new, {plural(version.paragraphs, 'paragraph')}"
    text = f"+{version.added or 0} -{version.removed or 0} ~{version.modified or 0}"
    if version.moved:
        text += f" moved {version.moved}"
    changed = (version.added or 0) + (version.removed or 0)
    changed += (version.modified or 0) + (version.moved or 0)
    if version.substantive is not None and changed:
        if version.substantive == 0:
            text += " minor"
        elif version.substantive < changed:
            text += f" ({version.substantive} substantive)"
    return text
