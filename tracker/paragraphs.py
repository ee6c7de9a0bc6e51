"""Split text into paragraphs and the exact separators between them, and join them back.

A text is held as ``lead + p[0] + seps[0] + p[1] + ... + p[n-1] + tail``, so that joining the parts
gives the original string back character for character (line endings, blank lines, BOM, trailing
newline or none). Paragraph texts never start or end with a line break.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SPLIT_MODES = ("auto", "blank", "line")

#: ``auto`` picks ``line`` when the median non-blank line is at least this long: text written one
#: paragraph per line (like a pasted article) rather than hard-wrapped at ~72-80 columns.
LINE_MODE_MIN_MEDIAN = 100

_LINE = re.compile(r"[^\n]*\n|[^\n]+")


@dataclass(frozen=True)
class Split:
    """A text cut into paragraphs and separators; ``join()`` rebuilds it exactly."""

    paragraphs: list[str]
    separators: list[str]  # len(paragraphs) + 1: the lead, the gaps between, the tail

    def join(self) -> str:
        return join(self.paragraphs, self.separators)


def _is_blank(line: str) -> bool:
    return not line.strip()


def _content(line: str) -> tuple[str, str]:
    """Split a line into its content and its line ending (``\\n``, ``\\r\\n`` or none)."""
    if line.endswith("\r\n"):
        return line[:-2], "\r\n"
    if line.endswith("\n"):
        return line[:-1], "\n"
    return line, ""


def choose_mode(text: str) -> str:
    """Decide between ``blank`` and ``line`` splitting for a document's first version."""
    lengths = sorted(len(line) for line in text.splitlines() if line.strip())
    if not lengths:
        return "blank"
    median = lengths[len(lengths) // 2]
    return "line" if median >= LINE_MODE_MIN_MEDIAN else "blank"


def split(text: str, mode: str = "auto") -> Split:
    """Cut ``text`` into paragraphs: blocks between blank lines, or non-blank lines (``line``)."""
    if mode == "auto":
        mode = choose_mode(text)
    if mode not in ("blank", "line"):
        raise ValueError(f"unknown split mode {mode!r}")
    lead = ""
    if text.startswith("\ufeff"):
        lead, text = "\ufeff", text[1:]
    paragraphs: list[str] = []
    separators: list[str] = []
    gap = lead  # separator text collected since the last paragraph
    current: list[str] = []  # lines of the paragraph being built (blank mode)

    def close() -> None:
        nonlocal gap
        body = "".join(current)
        content, ending = _content(body)
        separators.append(gap)
        paragraphs.append(content)
        gap = ending
        current.clear()

    for line in _LINE.findall(text):
        if _is_blank(line):
            if current:
                close()
            gap += line
        elif mode == "line":
            current.append(line)
            close()
        else:
            current.append(line)
    if current:
        close()
    separators.append(gap)
    return Split(paragraphs, separators)


def join(paragraphs: list[str], separators: list[str]) -> str:
    """Rebuild the text from its paragraphs and separators (the inverse of :func:`split`)."""
    if len(separators) != len(paragraphs) + 1:
        raise ValueError("need exactly one more separator than paragraphs")
    out = [separators[0]]
    for paragraph, sep in zip(paragraphs, separators[1:]):
        out.append(paragraph)
        out.append(sep)
    return "".join(out)
