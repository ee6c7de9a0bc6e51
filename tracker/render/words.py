"""How numbers, counts and times read in text: one helper each, shared by the CLI and the web."""

from __future__ import annotations

import re

from ..models import Version

# C0/C1 control characters other than tab and newline: shown escaped so that document text can
# never drive the terminal (ANSI escape sequences, carriage returns rewriting a line, ...)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    """Make document text safe to print: CRLF to LF, other control characters escaped."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text.replace("\r\n", "\n"))


def plural(count: int, word: str, words: str | None = None) -> str:
    """``1 version``, ``2 versions``, ``1,000 versions`` (``words``: an irregular plural)."""
    return f"{count:,} {word if count == 1 else (words or word + 's')}"


def short_time(iso: str | None) -> str:
    """``2026-11-24T18:02:11.123Z`` as ``2026-11-24 18:02:11`` (UTC); ``-`` for none."""
    if not iso:
        return "-"
    return iso.replace("T", " ")[:19]


def counts_text(version: Version) -> str:
    """What a version changed, in a few characters: ``+1 -0 ~2 moved 1``, ``deleted``, or
    ``new, 16 paragraphs`` for a first version."""
    if version.deleted:
        return "deleted"
    if version.version == 1 and not version.removed:
        return f"new, {plural(version.paragraphs, 'paragraph')}"
    text = f"+{version.added or 0} -{version.removed or 0} ~{version.modified or 0}"
    if version.moved:
        text += f" moved {version.moved}"
    return text
