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
    Symbols are content, not punctuation: currency signs, maths, arrows and emoji.
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
letters, and comparing the letters alone tells so. The character tables come from the running
Python's Unicode database, built once on first use.
"""

from __future__ import annotations

import array
import functools
import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .diff import Change

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

# --------------------------------------------------------------------------- character tables

#: Layout whitespace: what re-wrapping and re-indenting change. The non-breaking and sized spaces
#: (U+00A0, U+2000-U+200A, U+202F, U+205F, U+3000) are typography, folded with punctuation.
_LAYOUT_WS = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\u1680\u2028\u2029"

#: Scripts written without spaces between words (Han, kana, Thai, Lao, Tibetan, Myanmar, Khmer,
#: Yi, Tangut...): a space or line break next to one of their characters separates no words.
#: Hangul is not here: Korean puts spaces between words.
_NO_SPACE_RANGES = (
    (0x0E00, 0x0FFF),  # Thai, Lao, Tibetan
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x1950, 0x19FF),  # Tai Le, New Tai Lue, Khmer symbols
    (0x1A20, 0x1AAF),  # Tai Tham
    (0x2E80, 0x2FDF),  # CJK radicals, Kangxi radicals
    (0x3000, 0x312F),  # CJK symbols, Hiragana, Katakana, Bopomofo
    (0x3190, 0x31FF),  # Kanbun, Bopomofo extended, CJK strokes, Katakana extension
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0xA4CF),  # CJK unified ideographs, Yi
    (0xA9E0, 0xA9FF),  # Myanmar extended B
    (0xAA60, 0xAADF),  # Myanmar extended A, Tai Viet
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF66, 0xFF9F),  # half-width Katakana
    (0x16FE0, 0x18AFF),  # ideographic symbols, Tangut
    (0x1B000, 0x1B2FF),  # Kana supplement and extensions, Nushu
    (0x20000, 0x3FFFF),  # CJK extensions B and later (planes 2 and 3)
)

#: Invisible or purely presentational characters dropped with punctuation, besides format
#: characters (category Cf): the combining grapheme joiner, Arabic tatweel, variation selectors.
_TYPOGRAPHIC_EXTRA = "\u034f\u0640" + "".join(
    map(chr, [*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)])
)

#: What a dash or minus sign right before a digit becomes: kept as a sign, not a break.
_MINUS = "\u2212"
#: Dashes and minus signs that make a sign when they stand right before a digit (after NFKC, so
#: full-width and small forms are already plain hyphen-minus).
_DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
#: A dash that is a minus sign if a digit follows it: not one that follows a digit, as in the
#: range ``5-7`` or ``5 - 7`` (two lookbehinds, as each must have a fixed width).
_SIGN_BEFORE = f"[{_DASHES}](?<!\\d[{_DASHES}])(?<!\\d [{_DASHES}])"
#: Such a dash and a space just before this point.
_SIGN_SPACE = f"(?<=[{_DASHES}] )(?<!\\d[{_DASHES}] )(?<!\\d [{_DASHES}] )"
#: What joins the digits of one number besides spaces, once punctuation is gone (NFKC turns a
#: vulgar fraction like ½ into 1⁄2, with a fraction slash).
_NUMBER_JOINERS = f" \u2044+{_MINUS}"


def _ranges(chars: str) -> list[tuple[int, int]]:
    """The inclusive code point ranges of these characters (in code point order)."""
    ranges: list[list[int]] = []
    for c in map(ord, chars):
        if ranges and ranges[-1][1] == c - 1:
            ranges[-1][1] = c
        else:
            ranges.append([c, c])
    return [(lo, hi) for lo, hi in ranges]


def _class(ranges: Iterable[tuple[int, int]]) -> str:
    """A regular expression for one character in these inclusive code point ranges.

    ``re`` makes a bitmap of the characters of the Basic Multilingual Plane, checked in one step,
    but keeps the others as a list of ranges tried one by one: they go in a second class, tried
    only for a character outside that plane.
    """
    parts: tuple[list[str], list[str]] = ([], [])
    for lo, hi in ranges:
        for first, last in ((lo, min(hi, 0xFFFF)), (max(lo, 0x10000), hi)):
            if first <= last:
                a, b = (re.escape(chr(c)) for c in (first, last))
                parts[first > 0xFFFF].append(a if first == last else f"{a}-{b}")
    bmp, astral = map("".join, parts)
    if not astral:
        return f"[{bmp}]"
    # the test in front is one comparison, and compiles fast (not so, the complement of the BMP)
    return f"(?:[{bmp}]|(?=[\\U00010000-\\U0010ffff])[{astral}])" if bmp else f"[{astral}]"


@dataclass(frozen=True)
class _Tables:
    """Translation tables and regular expressions, built once from this Python's Unicode data."""

    layout: dict[int, str]  # layout whitespace -> space
    spacing: dict[int, str | None]  # any whitespace -> space; invisible -> deleted
    punctuation: dict[int, str]  # punctuation -> space
    ascii_layout: bytes  # the same three for ASCII text, for bytes.translate
    ascii_spacing: bytes
    ascii_punctuation: bytes
    letters: dict[int, None]  # deleting these leaves what no minor class may change
    ascii_letters: bytes  # the ASCII ones, for bytes.translate
    loose_space: re.Pattern[str]  # a space that does not stand between two word characters
    loose_layout: re.Pattern[str]  # the same, but for one between a minus sign and its digits
    no_space: re.Pattern[str]  # a character of a script without spaces, and spaces around it
    spaces: re.Pattern[str]  # a run of spaces
    sign: re.Pattern[str]  # a dash used as a minus sign
    number: re.Pattern[str]  # a number, with the separators inside it and a space after
    signed: re.Pattern[str]  # a number's sign and the space before it, once it is a placeholder


def _ascii_table(table: dict[int, str] | dict[int, str | None]) -> bytes:
    """A bytes.translate table doing what ``table`` does to ASCII characters (no deletions).

    It leaves bytes 128-255 alone, so it may be used on the UTF-8 encoding of any text.
    """
    assert all(table.get(c, "") is not None for c in range(128))
    return bytes([*(ord(table.get(c) or chr(c)) for c in range(128)), *range(128, 256)])


@functools.cache
def _tables() -> _Tables:
    """Build the tables from this Python's Unicode data (some 40 ms, once, on first use)."""
    # Letters and numerals are what ``re`` calls \w, less the underscore: no need to list them.
    # The rest of the first two planes, and plane 14 (format characters, variation selectors),
    # is sorted by general category; planes 2 and 3 hold Han ideographs, the others nothing or
    # private characters.
    codes = array.array("I", [*range(0x20000), *range(0xE0000, 0xE1000)])
    everything = codes.tobytes().decode("utf-32-le", "surrogatepass")
    rest = re.sub(r"[^\W_]+", "", everything)
    categories = list(map(unicodedata.category, rest))

    def having(*wanted: str) -> str:
        return "".join(itertools.compress(rest, map(set(wanted).__contains__, categories)))

    marks = "".join(c for c in having("Mn", "Mc", "Me") if c not in _TYPOGRAPHIC_EXTRA)
    punctuation = having("Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po")
    invisible = having("Cf") + _TYPOGRAPHIC_EXTRA
    digits = "".join(re.findall(r"\d", everything))
    whitespace = [c for c in range(0x3001) if chr(c).isspace()]

    layout = dict.fromkeys(map(ord, _LAYOUT_WS), " ")
    spacing: dict[int, str | None] = dict.fromkeys(whitespace, " ")
    spacing.update(dict.fromkeys(map(ord, invisible)))
    punct = dict.fromkeys(map(ord, punctuation), " ")
    letters = dict.fromkeys(
        [*whitespace, *map(ord, punctuation + invisible + digits + _NUMBER_JOINERS)]
    )
    # A space separates two words when it stands between two word characters (letters, digits,
    # marks) of scripts written with spaces between words. Those without get a pass of their own
    # (no_space): ``re`` takes a while to compile a class of all the Han ideographs, and this way
    # it appears once, not twice.
    mark = _class(_ranges(marks))
    not_word_before = f"(?<![^\\W_] )(?<!{mark} )"
    not_word_after = f"(?![^\\W_])(?!{mark})"
    return _Tables(
        layout=layout,
        spacing=spacing,
        punctuation=punct,
        ascii_layout=_ascii_table(layout),
        ascii_spacing=_ascii_table(spacing),
        ascii_punctuation=_ascii_table(punct),
        letters=letters,
        ascii_letters=bytes(c for c in range(128) if c in letters),
        loose_space=re.compile(f" (?:{not_word_before}|{not_word_after})"),
        loose_layout=re.compile(f" (?!{_SIGN_SPACE}\\d)(?:{not_word_before}|{not_word_after})"),
        no_space=re.compile(f" ?({_class(_NO_SPACE_RANGES)}) ?"),
        spaces=re.compile(" {2,}"),
        sign=re.compile(f"{_SIGN_BEFORE}(?=\\d)"),
        number=re.compile(f"\\d(?:[{_NUMBER_JOINERS}]*\\d)* ?"),
        signed=re.compile(f" ?[+{_MINUS}]+#| #"),
    )


# --------------------------------------------------------------------------- normalisations


def _spaces(t: _Tables, text: str) -> str:
    """Collapse layout whitespace; keep a space only where it separates two words.

    Or where it separates a dash from a digit: ``-5`` is a negative number, ``- 5`` a dash (a
    bullet, say) and a number.
    """
    if text.isascii():  # the same result, faster
        text = text.encode().translate(t.ascii_layout).decode()
    else:
        text = text.translate(t.layout)
    text = t.loose_layout.sub("", t.spaces.sub(" ", text))
    return text if text.isascii() else t.no_space.sub(r"\1", text)


def _words(t: _Tables, text: str) -> str:
    """Collapse runs of spaces; keep a space only where it separates two words."""
    text = t.loose_space.sub("", t.spaces.sub(" ", text))
    return text if text.isascii() else t.no_space.sub(r"\1", text)


def _typography(t: _Tables, text: str) -> str:
    """Fold typography and punctuation away, keeping a space where they separated two words.

    A dash right before a digit is a minus sign: it becomes U+2212 and stays, with its number.
    """
    if text.isascii():  # the same result, faster (ASCII text is already NFKC)
        text = t.spaces.sub(" ", text.encode().translate(t.ascii_spacing).decode())
        text = t.sign.sub(_MINUS, text).encode().translate(t.ascii_punctuation).decode()
    else:
        text = t.spaces.sub(" ", unicodedata.normalize("NFKC", text).translate(t.spacing))
        text = t.sign.sub(_MINUS, text).translate(t.punctuation)
    return _words(t, text)


def _numbers(t: _Tables, text: str) -> str:
    """Replace every number, with its sign and the spaces around it, by one placeholder."""
    return t.signed.sub("#", t.number.sub("#", text))


_ASCII_LOWER = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"abcdefghijklmnopqrstuvwxyz")
_ASCII_WHITESPACE = bytes(c for c in range(128) if chr(c).isspace())


def _letters(t: _Tables, text: str) -> str:
    """What no minor class changes: letters, marks and symbols, in order, case folded.

    Cheap, and a necessary condition: two texts that differ here are a substantive edit.
    """
    if text.isascii():  # the same result, several times faster
        return text.encode().translate(_ASCII_LOWER, t.ascii_letters).decode()
    return unicodedata.normalize("NFKC", text).translate(t.letters).casefold()


def _no_whitespace(text: str) -> str:
    """The text without any whitespace (cheap)."""
    if text.isascii():  # the same result, several times faster
        return text.encode().translate(None, _ASCII_WHITESPACE).decode()
    return "".join(text.split())


def _strip(patterns: Sequence[re.Pattern[str]], text: str) -> str:
    """Remove whatever the patterns match, one pattern after the other."""
    for p in patterns:
        text = p.sub("", text)
    return text


def _compiled(patterns: Sequence[re.Pattern[str] | str]) -> list[re.Pattern[str]]:
    """The patterns, compiled (``re`` caches the compiling of a string)."""
    return [p if isinstance(p, re.Pattern) else re.compile(p) for p in patterns]


def _same_spacing(t: _Tables, old: str, new: str) -> bool:
    """Whether two texts differ only in layout whitespace (cheap test first)."""
    return _no_whitespace(old) == _no_whitespace(new) and _spaces(t, old) == _spaces(t, new)


# --------------------------------------------------------------------------- public API


def classify(old_text: str, new_text: str, patterns: Sequence[re.Pattern[str] | str] = ()) -> str:
    """Class of an edit: the most significant kind of difference between two different texts.

    Returns one of :data:`EDIT_CLASSES` (never ``moved``). Identical texts are not an edit and
    raise :class:`ValueError`. ``volatile`` needs at least one pattern.
    """
    if old_text == new_text:
        raise ValueError("identical texts have no change class")
    t = _tables()
    # Test by test, from the least significant class up: the first under which the two texts
    # are equal is the class. Whitespace and volatile see the raw texts (the user's patterns are
    # written against them); the others are one chain, each step folding more than the one
    # before, so the last one decides whether the edit is substantive at all. Most edits are,
    # and a cheap comparison of the letters tells most of them right away.
    if _same_spacing(t, old_text, new_text):
        return "whitespace"
    pats = _compiled(patterns)
    if pats:
        old_s, new_s = _strip(pats, old_text), _strip(pats, new_text)
        if (old_s, new_s) != (old_text, new_text) and _same_spacing(t, old_s, new_s):
            return "volatile"
        old_text, new_text = old_s, new_s
    if _letters(t, old_text) != _letters(t, new_text):
        return SUBSTANTIVE
    old_p, new_p = _typography(t, old_text), _typography(t, new_text)
    old_c, new_c = old_p.casefold(), new_p.casefold()
    if _numbers(t, old_c) != _numbers(t, new_c):
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
