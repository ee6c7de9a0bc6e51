"""How numbers, counts and times read in text: one helper each, shared by the CLI and the web."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..times import parse_time

if TYPE_CHECKING:  # annotations only: the commands that print counts need no diff engine
    from ..models import Version
    from ..text.diff import Skipped

# C0/C1 control characters other than tab and newline: shown escaped so that document text can
# never drive the terminal (ANSI escape sequences, carriage returns rewriting a line, ...)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    """Make document text safe to print: CRLF to LF, other control characters escaped."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text.replace("\r\n", "\n"))


def line_safe(text: str) -> str:
    """:func:`terminal_safe`, on one line: a line break shown as ``\\n`` (a note in a list)."""
    return terminal_safe(text).replace("\n", "\\n")


#: A hit of a search snippet between the marks of ``text.snippets.MARKS``.
_HIT = re.compile("(\x02[^\x03]*\x03)")


def bold_hits(snippet: str) -> str:
    """A search snippet with its hits between ``text.snippets.MARKS`` (the text's own STX and
    ETX shown as U+2402, U+2403), safe to print on a terminal, the hits in bold."""
    return "".join(
        f"\x1b[1m{terminal_safe(part[1:-1])}\x1b[22m"
        if _HIT.fullmatch(part)
        else terminal_safe(part)
        for part in _HIT.split(snippet)
    )


# what one_line escapes: also newlines, tabs and lone surrogates (undecodable file names)
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _escaped(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a file name that is not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def one_line(text: str) -> str:
    """A message safe to print as one line: every control character escaped, newlines too, and
    the undecodable bytes of a file name (a file name may hold any of them)."""
    return _UNPRINTABLE.sub(lambda m: _escaped(m.group()), text)


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


def comeback_words(restored: int | None, recreated: bool) -> str | None:
    """What a version that brought its document back after a deletion was (its ``restored`` and
    ``recreated``): ``restored as v3`` when its text is the very text of v3, ``re-created`` when
    no earlier version had it; None for any other version. Every description of a version, in
    the CLI and on the web, says it in these words."""
    if restored is not None:
        return f"restored as v{restored}"
    return "re-created" if recreated else None


def document_back_words(version: Version) -> str:
    """How a trace names a version that brought the whole document back, between two events
    of a paragraph: ``document restored as v3 after its deletion`` (or ``re-created``)."""
    back = comeback_words(version.restored, version.recreated) or "back"
    return f"document {back} after its deletion"


def counts_text(version: Version) -> str:
    """What a version changed, in a few characters: ``+1 -0 ~2 moved 1``, ``deleted``,
    ``new, 16 paragraphs`` for a first version, ``restored as v3`` or ``re-created +1 -0 ~2``
    for one that brought its document back (its counts against its text before the deletion);
    then ``(1 substantive)`` when only some of its changes are substantive, or ``minor`` when
    none is (whitespace, punctuation, a move...)."""
    if version.deleted:
        return "deleted"
    back = comeback_words(version.restored, version.recreated)
    if back and version.restored is not None:
        return back
    if version.version == 1 and not version.removed:
        return f"new, {plural(version.paragraphs, 'paragraph')}"
    text = f"+{version.added or 0} -{version.removed or 0} ~{version.modified or 0}"
    if back:
        text = f"{back} {text}"
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


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _parts(iso: str) -> tuple[int, int, int, str, str] | None:
    """(year, month, day, HH:MM, HH:MM:SS) of a stored ISO time, or None if it is not one."""
    if len(iso) < 16 or iso[4] != "-" or iso[7] != "-" or iso[10] not in "T ":
        return None
    try:
        year, month, day = int(iso[:4]), int(iso[5:7]), int(iso[8:10])
    except ValueError:
        return None
    if not 1 <= month <= 12:
        return None
    return year, month, day, iso[11:16], iso[11:19]


def human_time(iso: str | None, *, with_time: bool = True) -> str:
    """``2026-08-06T10:28:56.000Z`` as ``6 Aug 2026 10:28`` (UTC; ``with_time=False``: the date
    alone); anything that is not a stored time comes back as it is, ``-`` for none."""
    if not iso:
        return "-"
    parts = _parts(iso)
    if parts is None:
        return iso
    year, month, day, minutes, _ = parts
    date = f"{day} {_MONTHS[month - 1]} {year}"
    return f"{date} {minutes}" if with_time else date


def exact_time(iso: str | None) -> str:
    """``2026-08-06T10:28:56.000Z`` as ``6 August 2026, 10:28:56 UTC`` (for a tooltip)."""
    if not iso:
        return ""
    parts = _parts(iso)
    if parts is None:
        return iso
    year, month, day, _, seconds = parts
    return f"{day} {_MONTH_NAMES[month - 1]} {year}, {seconds} UTC"


def time_ago(iso: str | None, now: str) -> str:
    """How long before ``now`` (both stored ISO times) a moment was: ``just now``, ``5 minutes
    ago``, ``3 days ago``; past a month, the date itself (``6 Aug 2026``)."""
    if not iso:
        return "-"
    try:
        seconds = (parse_time(now) - parse_time(iso)).total_seconds()
    except ValueError:
        return iso
    if seconds < 0 or seconds >= 31 * 86400:
        return human_time(iso, with_time=False)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            return f"{plural(int(seconds // size), unit)} ago"
    return "just now"


def counts_words(version) -> str:
    """What a version changed, in words: ``2 paragraphs modified, 1 moved``, ``deleted``,
    ``created, 16 paragraphs``, ``no paragraph changed``, ``restored as v3`` or ``re-created
    with 1 paragraph added`` (any record with the count fields and ``restored``, ``recreated``);
    then ``(1 substantive)`` when only some of its changes are substantive, or ``(minor changes
    only)`` when none is."""
    if version.deleted:
        return "deleted"
    restored = getattr(version, "restored", None)
    back = comeback_words(restored, getattr(version, "recreated", False))
    if back and restored is not None:
        return back
    if version.version == 1 and not version.removed:
        return f"created, {plural(version.paragraphs or 0, 'paragraph')}"
    return f"{back} with {_changes_words(version)}" if back else _changes_words(version)


def _changes_words(version) -> str:
    """:func:`counts_words` of a version that did not create, delete or restore its document."""
    parts = [
        (version.added, "added"),
        (version.removed, "removed"),
        (version.modified, "modified"),
        (version.moved, "moved"),
    ]
    said = [(n, word) for n, word in parts if n]
    if not said:
        return "no paragraph changed"
    first, rest = said[0], said[1:]
    text = ", ".join(
        [f"{plural(first[0], 'paragraph')} {first[1]}"] + [f"{n:,} {word}" for n, word in rest]
    )
    changed = sum(n for n, _ in said)
    substantive = getattr(version, "substantive", None)
    if substantive == 0:
        text += " (minor changes only)"
    elif substantive is not None and substantive < changed:
        text += f" ({substantive:,} substantive)"
    return text


def stats_words(counts: dict[str, int]) -> str:
    """A diff's counts (as :func:`tracker.text.diff.stats` gives them) in words: ``1 paragraph
    added, 2 modified; 140 unchanged``, ``no paragraph changed; 12 unchanged``."""
    said = [(counts.get(name, 0), name) for name in ("added", "removed", "modified", "moved")]
    said = [(n, name) for n, name in said if n]
    unchanged = counts.get("unchanged", 0)
    if not said:
        text = "no paragraph changed"
    else:
        first, rest = said[0], said[1:]
        text = ", ".join(
            [f"{plural(first[0], 'paragraph')} {first[1]}"] + [f"{n:,} {w}" for n, w in rest]
        )
    return f"{text}; {unchanged:,} unchanged" if unchanged else text
