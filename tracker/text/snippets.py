"""Search snippets whose highlights are exact, whatever characters the document text holds.

SQLite's ``snippet()`` encloses each hit in the marker strings it is given, in the middle of the
document's own text: a paragraph that itself holds the markers would fake a hit. So a snippet is
asked for twice, with two different pairs of one-character markers (:data:`MARKS` and
:data:`OTHER_MARKS`): both are the same text with markers at the same places, so the characters
where the two differ are the markers, and every other character is the document's.
"""

from __future__ import annotations

import unicodedata

#: The markers of the first snippet (and of the web's ``snippet`` column): STX and ETX.
MARKS = ("\x02", "\x03")
#: The markers of the second snippet, only compared with the first.
OTHER_MARKS = ("\x04", "\x05")


def snippet_parts(marked: str, other: str) -> list[str]:
    """Cut a snippet into ``[text, hit, text, hit, ..., text]`` (even indexes are plain text).

    ``marked`` and ``other`` are the same snippet, marked with :data:`MARKS` and with
    :data:`OTHER_MARKS`. Should they not line up (they always do), it is all plain text.
    """
    if len(marked) != len(other):
        return [marked]
    parts: list[str] = []
    current: list[str] = []
    for mine, theirs in zip(marked, other):
        if mine == theirs or mine not in MARKS:
            current.append(mine)
        elif (mine == MARKS[0]) == (len(parts) % 2 == 0):  # a start outside a hit, or an end in one
            parts.append("".join(current))
            current = []
    parts.append("".join(current))
    if len(parts) % 2 == 0:  # a hit left open: close it
        parts.append("")
    return parts


def _picture(char: str) -> str:
    """The visible stand-in of a control character (U+2400 Control Pictures; U+FFFD for C1)."""
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)
    return "\u2421" if code == 0x7F else "\ufffd"


def mark_snippet(parts: list[str], marks: tuple[str, str]) -> str:
    """A snippet as one string, each hit enclosed in ``marks``.

    Where a mark holds control characters (say STX and ETX), the same characters in the text are
    shown as their Control Pictures (U+2402, U+2403), so that only the marks are marks.
    """
    controls = {char for char in marks[0] + marks[1] if unicodedata.category(char) == "Cc"}

    def shown(text: str) -> str:
        if not controls or not any(char in controls for char in text):
            return text
        return "".join(_picture(char) if char in controls else char for char in text)

    return "".join(
        marks[0] + shown(part) + marks[1] if index % 2 else shown(part)
        for index, part in enumerate(parts)
    )
