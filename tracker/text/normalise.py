"""Character tables and normalisations: the text foldings the change classes compare texts under.

Each normalisation folds away one kind of difference (see :mod:`tracker.text.classes` for the
classes and their rules): :func:`same_spacing` layout whitespace, :func:`typography` punctuation
and typography (keeping a space where a mark separated two words, and a dash before a digit as a
minus sign), :func:`numbers` every number, and :func:`letters` everything a minor class may
change, leaving the letters, marks and symbols. They are string translations and a few regular
expressions, with an ASCII fast path each; the tables come from the running Python's Unicode
database, built once on first use (:func:`tables`, some 40 ms).
"""

from __future__ import annotations

import array
import functools
import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

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
class Tables:
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
def tables() -> Tables:
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
    return Tables(
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


def _spaces(t: Tables, text: str) -> str:
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


def _words(t: Tables, text: str) -> str:
    """Collapse runs of spaces; keep a space only where it separates two words."""
    text = t.loose_space.sub("", t.spaces.sub(" ", text))
    return text if text.isascii() else t.no_space.sub(r"\1", text)


def typography(t: Tables, text: str) -> str:
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


def numbers(t: Tables, text: str) -> str:
    """Replace every number, with its sign and the spaces around it, by one placeholder."""
    return t.signed.sub("#", t.number.sub("#", text))


_ASCII_LOWER = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"abcdefghijklmnopqrstuvwxyz")
_ASCII_WHITESPACE = bytes(c for c in range(128) if chr(c).isspace())


def letters(t: Tables, text: str) -> str:
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


def same_spacing(t: Tables, old: str, new: str) -> bool:
    """Whether two texts differ only in layout whitespace (cheap test first)."""
    return _no_whitespace(old) == _no_whitespace(new) and _spaces(t, old) == _spaces(t, new)
