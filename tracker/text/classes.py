"""Classify what kind of change an edited paragraph went through, to tell noise from real edits.

Most edits between two versions of a document change words. Many do not: a paragraph re-wrapped,
straight quotes made curly, a heading's case changed, a date or a price bumped, a tracking token in
a link regenerated. A user reviewing changes wants to see the first kind and usually not the
second, so every changed paragraph gets one class (:data:`CLASSES`), and ``--ignore`` can hide the
minor ones. Pure functions, no I/O; fast enough to run at record time on every modified paragraph.

The rules, each "only X differs" meaning the two texts become equal once X is normalised away:

``whitespace``
    Layout whitespace (spaces, tabs, line breaks) only: re-wrapping, re-indenting, trailing
    spaces. Runs are collapsed to one space, and a space is dropped unless it stands between two
    word characters (letters, digits, combining marks) of scripts written with spaces between
    words, so ``"Hello , world"`` and ``"Hello, world"`` differ only in whitespace, and so do two
    re-wraps of Chinese, Japanese or Thai (no spaces between words: a line break there separates
    nothing). A space between two words is kept: ``"foobar"`` -> ``"foo bar"`` splits a word and
    is ``substantive``. Non-breaking and other typographic spaces are not layout: they go with
    ``punctuation``.
``volatile``
    Only text matched by one of the user's patterns (removed from the raw texts first).
``punctuation``
    Punctuation and typography: every Unicode punctuation mark (quotes straight or curly, dashes,
    ellipses, full-width and Arabic punctuation) counts only as a break between words, so marks
    may be swapped, added or removed but not to join or split words (``"e-mail"`` -> ``"email"``
    is ``substantive``, ``"well known"`` -> ``"well-known"`` is ``punctuation``). Compatibility
    forms are folded (NFKC: non-breaking and other typographic spaces, full-width letters and
    digits, ligatures, ``…``), and invisible format characters are dropped (soft hyphens,
    zero-width spaces and joiners, direction marks, variation selectors, the Arabic tatweel).
    Symbols are content, not punctuation: currency signs, maths, arrows and emoji. A line made
    only of one mark repeated (``========``, ``~~~~``, ``==== =====``: the under- and overlines
    of reStructuredText and Markdown headings, the borders of simple tables) is markup whatever
    the mark, so adding, removing or changing one is ``punctuation``, as ``-----`` always was.
``case``
    Letter case (:meth:`str.casefold`, so ``"Straße"`` and ``"STRASSE"`` are a case change).
``numbers``
    Digits: every number (digits of any script, with its sign and the separators inside it, as in
    ``1,000.50``, ``2024-01-31`` or ``-5``) becomes one placeholder. Changing a number is
    ``numbers``; adding or removing one, or turning it into words (``"version 3"`` ->
    ``"version three"``), is ``substantive``; so is ``"3rd"`` -> ``"4th"`` (letters changed). A
    minus sign is part of its number, so a sign flip is ``numbers``, not ``punctuation``; spaces
    next to a number do not count either (``"A1"`` -> ``"A 1"`` is ``numbers``).
``substantive``
    Anything else. Every edit that adds, removes or changes a letter (combining marks included)
    is substantive, outside the user's pattern matches.

When several kinds of difference are present, the paragraph takes the most significant one
(:data:`CLASSES`). Inserted and deleted paragraphs are always ``substantive``; a paragraph moved
without an edit is ``moved``, a moved and edited one takes the class of its edit.

Speed: the tests are string normalisations and comparisons (``str.translate``, a few regular
expressions, NFKC, casefold), never a diff, cheapest and most decisive first: most edits change
letters, and comparing the letters alone tells so. The normalisations and their character
tables, built once on first use from the running Python's Unicode database, are in
:mod:`tracker.text.normalise`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .diff import Change
from .normalise import letters, numbers, same_spacing, tables, typography

#: Every class, from least to most significant; a paragraph with several kinds of difference takes
#: the most significant. Why this order: whitespace carries nothing (the reader sees the same text).
#: A volatile difference is text the user has declared meaningless, so it sits just above: only a
#: tracking token and a re-wrap changed is ``volatile``, and ignoring whitespace alone never hides a
#: token change the user did not ask to hide. It sits below the built-in classes so that ignoring
#: volatile text never hides a changed price or date that came along with a new token. Then what a
#: reader notices more and more: punctuation and typography, letter case, and numbers (a changed
#: figure may be the news). ``moved`` never combines with another class (an edited move takes the
#: class of its edit), so its rank only orders listings: relocating a paragraph is more visible than
#: any cosmetic edit, less than changed words.
CLASSES: tuple[str, ...] = (
    "whitespace",
    "volatile",
    "punctuation",
    "case",
    "numbers",
    "moved",
    "substantive",
)

#: The classes ``--ignore minor`` hides: all but ``substantive``.
MINOR: tuple[str, ...] = CLASSES[:-1]

#: The classes :func:`classify` can return (it classes an edit; ``moved`` is not one).
EDIT_CLASSES: tuple[str, ...] = tuple(c for c in CLASSES if c != "moved")

#: The class of every change that is not minor.
SUBSTANTIVE = "substantive"


#: A line of one mark (not a letter, digit or space) repeated at least three times, in one or
#: more runs: a heading's under- or overline, a simple table's border. ``=`` and ``~`` are maths
#: symbols to Unicode, and symbols are content, but on a line of their own they are markup.
_ADORNMENT = re.compile(r"^[ \t]*([^\w\s])\1{2,}(?:[ \t]+\1{3,})*[ \t]*$", re.MULTILINE)


def _strip(patterns: Sequence[re.Pattern[str]], text: str) -> str:
    """Remove whatever the patterns match, one pattern after the other."""
    for p in patterns:
        text = p.sub("", text)
    return text


def _compiled(patterns: Sequence[re.Pattern[str] | str]) -> list[re.Pattern[str]]:
    """The patterns, compiled (``re`` caches the compiling of a string)."""
    return [p if isinstance(p, re.Pattern) else re.compile(p) for p in patterns]


# --------------------------------------------------------------------------- public API


def classify(old_text: str, new_text: str, patterns: Sequence[re.Pattern[str] | str] = ()) -> str:
    """Class of an edit: the most significant kind of difference between two different texts.

    Returns one of :data:`EDIT_CLASSES` (never ``moved``). Identical texts are not an edit and
    raise :class:`ValueError`. ``volatile`` needs at least one pattern.
    """
    if old_text == new_text:
        raise ValueError("identical texts have no change class")
    t = tables()
    # Test by test, from the least significant class up: the first under which the two texts
    # are equal is the class. Whitespace and volatile see the raw texts (the user's patterns are
    # written against them); the others are one chain, each step folding more than the one
    # before, so the last one decides whether the edit is substantive at all. Most edits are,
    # and a cheap comparison of the letters tells most of them right away.
    if same_spacing(t, old_text, new_text):
        return "whitespace"
    pats = _compiled(patterns)
    if pats:
        old_s, new_s = _strip(pats, old_text), _strip(pats, new_text)
        if (old_s, new_s) != (old_text, new_text) and same_spacing(t, old_s, new_s):
            return "volatile"
        old_text, new_text = old_s, new_s
    if letters(t, old_text) != letters(t, new_text):
        # symbols count as letters here; unless the difference was in heading underlines or
        # table borders (rare: look for them only now), the edit is substantive
        if not (_ADORNMENT.search(old_text) or _ADORNMENT.search(new_text)):
            return SUBSTANTIVE
        old_text, new_text = _ADORNMENT.sub("", old_text), _ADORNMENT.sub("", new_text)
        if letters(t, old_text) != letters(t, new_text):
            return SUBSTANTIVE
    old_p, new_p = typography(t, old_text), typography(t, new_text)
    old_c, new_c = old_p.casefold(), new_p.casefold()
    if numbers(t, old_c) != numbers(t, new_c):
        return SUBSTANTIVE
    if old_p == new_p:
        return "punctuation"
    if old_c == new_c:
        return "case"
    return "numbers"


def change_class(change: Change, patterns: Sequence[re.Pattern[str] | str] = ()) -> str | None:
    """Class of one diff entry: None if equal, ``moved`` if moved unedited, else its edit's."""
    if change.op == "equal":
        return None
    if change.op in ("insert", "delete"):
        return SUBSTANTIVE
    if change.op == "move" and not change.edited:
        return "moved"
    assert change.old_text is not None and change.new_text is not None
    return classify(change.old_text, change.new_text, patterns)


def parse_ignore(text: str) -> frozenset[str]:
    """Parse a comma-separated list of minor classes (or ``minor`` for all of them)."""
    out: set[str] = set()
    for item in text.split(","):
        name = item.strip().lower()
        if not name:
            continue
        if name == "minor":
            out.update(MINOR)
        elif name in MINOR:
            out.add(name)
        else:
            why = "cannot be ignored" if name == SUBSTANTIVE else "is not a change class"
            raise ValueError(
                f"{item.strip()!r} {why}; use a comma-separated list of {', '.join(MINOR)}, "
                "or minor for all of them"
            )
    return frozenset(out)


def compile_patterns(patterns: Iterable[str]) -> list[re.Pattern[str]]:
    """Compile the user's ignore patterns, with a one-line ValueError for a bad one."""
    out = []
    for p in patterns:
        if not p:
            raise ValueError("empty ignore pattern")
        try:
            out.append(re.compile(p))
        except re.error as e:
            raise ValueError(f"bad ignore pattern {p!r}: {e.msg} at position {e.pos}") from None
        except (OverflowError, RecursionError):  # a{99999999999}, or brackets thousands deep
            raise ValueError(f"bad ignore pattern {p!r}: too large to compile") from None
    return out


@dataclass(frozen=True)
class HiddenChange(Change):
    """A change hidden by :func:`filter_changes`: shown as ``op``; what it was and its class."""

    hidden_op: str = ""  # the op the change had: "modify" or "move"
    hidden_class: str = ""  # the class that was ignored


def filter_changes(
    changes: Iterable[Change],
    ignore: frozenset[str],
    patterns: Sequence[re.Pattern[str] | str] = (),
) -> tuple[list[Change], int]:
    """Hide the changes of the ignored classes; return all entries and how many were hidden.

    A hidden change stays in the list, so every old and every new paragraph still appears exactly
    once: a modify or a move becomes an ``equal`` :class:`HiddenChange` (texts and indexes kept,
    no inline diff). A moved paragraph whose edit is ignored but moves are not stays a move,
    without its edit. Inserts, deletes and substantive edits are never hidden (``substantive``
    cannot be ignored). The count includes those moves that lost their edit.
    """
    unknown = ignore - set(MINOR)
    if unknown:
        raise ValueError(f"cannot ignore {', '.join(sorted(unknown))}; only {', '.join(MINOR)}")
    edits = bool(ignore - {"moved"})  # whether any edit class is ignored (else skip classifying)
    pats = _compiled(patterns)
    out: list[Change] = []
    hidden = 0
    for c in changes:
        if c.op not in ("modify", "move") or (c.edited and not edits):
            out.append(c)
            continue
        cls = change_class(c, pats)
        if cls not in ignore:
            out.append(c)
            continue
        assert cls is not None
        op = "move" if c.edited and c.op == "move" and "moved" not in ignore else "equal"
        out.append(
            HiddenChange(
                op,
                c.old,
                c.new,
                c.old_text,
                c.new_text,
                None,
                kind=cls,
                hidden_op=c.op,
                hidden_class=cls,
            )
        )
        hidden += 1
    return out, hidden
