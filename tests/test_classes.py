"""Tests for change classes (tracker.text.classes): hand-checked examples and properties."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from tracker.text.classes import (
    CLASSES,
    EDIT_CLASSES,
    MINOR,
    HiddenChange,
    change_class,
    classify,
    compile_patterns,
    filter_changes,
    parse_ignore,
)
from tracker.text.diff import Change, diff_paragraphs
from tracker.text.normalise import _class, _ranges, tables


@pytest.fixture(autouse=True)
def fresh_tables() -> None:
    """Each test builds the character tables itself (some 40 ms), whatever was built before."""
    tables.cache_clear()


TOKEN = r"[?&]h=[A-Za-z0-9_-]+"  # a tracking token in a link, as a user would write it

# Every expected class below was worked out by hand from the rules in the module docstring.
CASES = [
    # --- whitespace: re-wrapping, re-indenting, spaces that separate no words
    (
        "The quick brown fox jumps over\nthe lazy dog.",
        "The quick brown fox\njumps over the lazy dog.",
        "whitespace",
        "rewrap",
    ),
    (
        "    - first item\n      goes on here",
        "- first item\n  goes on here",
        "whitespace",
        "reindent",
    ),
    ("Line one  \r\nline two\t", "Line one\nline two", "whitespace", "trailing-and-crlf"),
    ("Bonjour , le monde !", "Bonjour, le monde!", "whitespace", "french-spacing"),
    ("Price: $ 5 , paid", "Price:$5, paid", "whitespace", "around-symbols"),
    ("東京都は日本の\n首都です。", "東京都は\n日本の首都です。", "whitespace", "cjk-rewrap"),
    (
        "東京 都は日本の首都です。",
        "東京都は日本の首都です。",
        "whitespace",
        "cjk-space-separates-nothing",
    ),
    ("使用 Python 编程", "使用Python编程", "whitespace", "cjk-latin-spacing"),
    ("ภาษาไทย\nเป็นภาษา", "ภาษาไทยเป็นภาษา", "whitespace", "thai-rewrap"),
    ("שלום\nעולם, מה שלומך?", "שלום עולם, מה שלומך?", "whitespace", "hebrew-rewrap"),
    ("مرحبا   بالعالم\nالعربي", "مرحبا بالعالم العربي", "whitespace", "arabic-rewrap"),
    ("Ünïcödé   wörds\n\tstay", "Ünïcödé wörds stay", "whitespace", "latin-accents"),
    ("Launch day 🚀\nis here", "Launch day 🚀 is here", "whitespace", "emoji-rewrap"),
    ("🎉 Party time", "🎉Party time", "whitespace", "emoji-space"),
    ("हिन्दी   भाषा", "हिन्दी\nभाषा", "whitespace", "devanagari-marks"),
    # --- volatile: only the tracking token (which the patterns match) changed
    (
        "Read the report at https://example.org/r?h=abc123.",
        "Read the report at https://example.org/r?h=Zx9_q-1.",
        "volatile",
        "token",
    ),
    (
        "See https://example.org/r?id=7&h=abc now",
        "See https://example.org/r?id=7 now",
        "volatile",
        "token-removed",
    ),
    (
        "اقرأ التقرير https://example.org/r?h=abc",
        "اقرأ التقرير https://example.org/r?h=xyz",
        "volatile",
        "token-arabic",
    ),
    (
        "📎 https://x.org/a?h=k1 — 東京",
        "📎 https://x.org/a?h=k2 — 東京",
        "volatile",
        "token-emoji-cjk",
    ),
    # --- punctuation and typography
    (
        '"Hello," she said -- it\'s late...',
        "“Hello,” she said — it’s late…",
        "punctuation",
        "smart-quotes-dashes-ellipsis",
    ),
    ("Prix : 5 €", "Prix\u00a0: 5\u00a0€", "punctuation", "no-break-spaces"),
    ("well known", "well-known", "punctuation", "hyphenation"),
    ("We met; it rained", "We met, it rained!", "punctuation", "marks-swapped-and-added"),
    ("こんにちは、世界！", "こんにちは,世界!", "punctuation", "full-width-punctuation"),
    ("ＡＢＣ ｆｏｏ", "ABC foo", "punctuation", "full-width-letters"),
    ("مرحبا، عالم؟", "مرحبا, عالم?", "punctuation", "arabic-punctuation"),
    ("בית־ספר", "בית-ספר", "punctuation", "hebrew-maqaf"),
    ("שלום \u200fעולם", "שלום עולם", "punctuation", "right-to-left-mark"),
    ("¿Qué pasa?", "Qué pasa?", "punctuation", "spanish-question"),
    ("hyphen\u00adation", "hyphenation", "punctuation", "soft-hyphen"),
    ("I ❤️ NY", "I ❤ NY", "punctuation", "emoji-variation-selector"),
    ("ﬁnance", "finance", "punctuation", "ligature"),
    ("«Привет» — сказал он", '"Привет" - сказал он', "punctuation", "cyrillic-quotes"),
    ("Abstract", "Abstract\n========", "punctuation", "rst-underline-of-maths-signs-added"),
    ("Abstract", "Abstract\n--------", "punctuation", "rst-underline-of-dashes-added"),
    ("Usage\n~~~~~", "Usage\n^^^^^", "punctuation", "rst-underline-changed"),
    ("=====\nTitle\n=====", "Title", "punctuation", "rst-overline-removed"),
    (
        "=== ===\nab  cd\n=== ===",
        "==== ====\nab   cd\n==== ====",
        "punctuation",
        "table-border-widened",
    ),
    # --- case
    ("Chapter One: The Beginning", "CHAPTER ONE: THE BEGINNING", "case", "upper"),
    ("Die Straße", "DIE STRASSE", "case", "german-sharp-s"),
    ("Ελλάδα και Κύπρος", "ελλάδα και κύπρος", "case", "greek"),
    ("Привет, Мир", "привет, мир", "case", "cyrillic"),
    ("🎉 happy new year", "🎉 Happy New Year", "case", "emoji"),
    ("hello world", "Hello, World!", "case", "case-and-punctuation"),
    ("שלום עולם and Hello", "שלום עולם and hello", "case", "hebrew-beside-latin"),
    # --- numbers
    (
        "Released on 2023-01-05 for $5.99.",
        "Released on 2024-02-06 for $6.49.",
        "numbers",
        "date-price",
    ),
    ("Python 3.11 is required", "Python 3.12 is required", "numbers", "version"),
    ("There are 12 open\nissues", "There are 13 open issues", "numbers", "count-and-rewrap"),
    ("1,000 visitors", "1000 visitors", "numbers", "thousands-separator"),
    ("Today -5 °C", "Today 5 °C", "numbers", "sign-flip"),
    ("Today -5 °C", "Today - 5 °C", "numbers", "sign-becomes-dash"),
    ("Today −5 °C", "Today -5 °C", "punctuation", "minus-sign-typography"),
    ("- 3 apples", "3 apples", "punctuation", "bullet-is-not-a-sign"),
    ("pages 5 - 7", "pages 5–7", "punctuation", "range-dash-is-not-a-sign"),
    ("x - y", "x-y", "whitespace", "dash-between-words"),
    ("x² + y²", "x³ + y³", "numbers", "superscripts"),
    ("السعر ١٢٣ ريال", "السعر ١٢٥ ريال", "numbers", "arabic-indic-digits"),
    ("السعر 123 ريال", "السعر ١٢٣ ريال", "numbers", "digit-script"),
    ("בשנת 2023", "בשנת 2024", "numbers", "hebrew"),
    ("第3章", "第4章", "numbers", "cjk"),
    ("2024年1月", "2025年12月", "numbers", "cjk-date"),
    ("🔥 3 new offers", "🔥 4 new offers", "numbers", "emoji"),
    ("v1.2.3", "v1.10.0", "numbers", "version-glued-to-letter"),
    # --- substantive: letters added, removed or changed; words split or joined; symbols
    ("version 3", "version three", "substantive", "digits-to-words"),
    ("The meeting is on Monday", "The meeting is on Tuesday", "substantive", "word-replaced"),
    ("Released in March", "Released in March 2024", "substantive", "number-added"),
    ("Released in March 2024", "Released in March", "substantive", "number-removed"),
    ("foobar", "foo bar", "substantive", "word-split"),
    ("can not", "cannot", "substantive", "words-joined"),
    ("e-mail", "email", "substantive", "hyphen-joins-words"),
    ("its", "it's", "substantive", "apostrophe-splits-word"),
    ("3rd place", "4th place", "substantive", "ordinal-suffix-letters"),
    ("resume", "résumé", "substantive", "accents-added"),
    ("كتاب", "كِتَاب", "substantive", "arabic-vowel-marks"),
    ("שלום עולם", "שלום לכולם", "substantive", "hebrew-word"),
    ("東京都", "京都府", "substantive", "cjk"),
    ("Great 👍", "Great 👎", "substantive", "emoji"),
    ("Total: 5 €", "Total: 5 $", "substantive", "currency"),
    ("a b", "a + b", "substantive", "symbol-added"),
    ("a b", "a b\n+++ c", "substantive", "symbols-beside-a-word-are-not-a-border"),
    ("Sum\n===", "Sum\n=== ≠", "substantive", "a-line-of-two-symbols-is-not-a-border"),
    ("naïve", "naive", "substantive", "diaeresis-dropped"),
]


@pytest.mark.parametrize("old,new,expected", [pytest.param(o, n, e, id=i) for o, n, e, i in CASES])
def test_hand_checked_examples(old: str, new: str, expected: str) -> None:
    assert classify(old, new, [TOKEN]) == expected
    assert classify(new, old, [TOKEN]) == expected  # the class of an edit and of its undoing


# digits + re-wrap -> numbers; token + re-wrap -> volatile; case + punctuation -> case ...
PRECEDENCE = [
    ("Version 2\nships today", "Version 3 ships\ntoday", "numbers"),
    ("Go to x.org/?h=a1\nnow", "Go to x.org/?h=b2 now", "volatile"),
    ("hello, world", "Hello World!", "case"),
    ("Paid $5 at x.org/?h=a1", "Paid $6 at x.org/?h=b2", "numbers"),  # volatile is below numbers
    ("Paid at x.org/?h=a1, ok", "Paid at x.org/?h=b2; ok", "punctuation"),
    ("Paid 5, ok", "Paid 6; ok", "numbers"),
    ("hello  world", "Hello\nworld", "case"),
    ('"hello" world 5\nx.org/?h=a', "“Hello” World 6 x.org/?h=b", "numbers"),
    ('"hello" world 5', "“Hello” World 6 again", "substantive"),
]


@pytest.mark.parametrize("old,new,expected", PRECEDENCE)
def test_most_significant_class_wins(old: str, new: str, expected: str) -> None:
    assert classify(old, new, [TOKEN]) == expected


def test_significance_order_and_minor() -> None:
    assert CLASSES == (
        "whitespace", "volatile", "punctuation", "case", "numbers", "moved", "substantive"
    )  # fmt: skip
    assert MINOR == CLASSES[:-1]
    assert "moved" not in EDIT_CLASSES and "substantive" in EDIT_CLASSES


def test_identical_texts_raise() -> None:
    with pytest.raises(ValueError, match="identical"):
        classify("Same text.", "Same text.")


def test_volatile_needs_a_pattern_and_takes_compiled_ones() -> None:
    old, new = "Link x.org/?h=abc here", "Link x.org/?h=xyz here"
    assert classify(old, new) == "substantive"  # without the pattern the token is just letters
    assert classify(old, new, [TOKEN]) == "volatile"
    assert classify(old, new, [re.compile(TOKEN)]) == "volatile"
    # several patterns, each removed: a date stamp and the token
    stamp = r"Last updated: \d{4}-\d\d-\d\d\.?"
    assert classify(
        "Last updated: 2024-01-05. Link x.org/?h=abc", "Last updated: 2024-03-09. Link x.org/?h=z",
        [stamp, TOKEN],
    ) == "volatile"  # fmt: skip
    # a pattern that matches letters hides them: that is what the user asked for
    assert classify("Draft by Alice", "Draft by Bob", [r"by \w+"]) == "volatile"


def test_patterns_see_the_raw_text() -> None:
    # the pattern spans a line break of the old text; after removal only a re-wrap remains
    pattern = r"Session:\s+\w+"
    assert classify("Hi Session:\nabc\nthere", "Hi Session: xyz there", [pattern]) == "volatile"


# --------------------------------------------------------------------------- change_class


def test_change_class_for_every_op() -> None:
    # exact alignment anchors the intro, the two middle paragraphs and the closing words; the
    # rest falls into two gaps, so the moved paragraphs are found in the other gap
    old = [
        "Intro paragraph stays the same.",
        "A paragraph that will move to the end, unchanged.",
        "Meeting on Monday at 10:00 in room 4.",
        "A paragraph about to be deleted entirely.",
        "Another paragraph that moves and is re-wrapped on the way.",
        "Middle one, untouched.",
        "Middle two, untouched as well.",
        "Closing words of the document.",
    ]
    new = [
        "Intro paragraph stays the same.",
        "Meeting on Monday at 11:30 in room 4.",
        "Middle one, untouched.",
        "Middle two, untouched as well.",
        "Closing words of the document.",
        "A brand new paragraph nobody has seen.",
        "A paragraph that will move to the end, unchanged.",
        "Another paragraph that moves\nand is re-wrapped on the way.",
    ]
    changes = diff_paragraphs(old, new)
    assert [(c.op, c.old, c.new, change_class(c)) for c in changes] == [
        ("equal", 0, 0, None),
        ("modify", 2, 1, "numbers"),
        ("delete", 3, None, "substantive"),
        ("equal", 5, 2, None),
        ("equal", 6, 3, None),
        ("equal", 7, 4, None),
        ("insert", None, 5, "substantive"),
        ("move", 1, 6, "moved"),
        ("move", 4, 7, "whitespace"),  # an edited move is classed by its edit
    ]


def test_change_class_of_an_edited_move_with_a_real_edit() -> None:
    c = Change("move", 3, 0, "The cat sat on the mat.", "The dog sat on the mat.", None, True)
    assert change_class(c) == "substantive"
    assert change_class(Change("move", 3, 0, "Same.", "Same.", None)) == "moved"


# --------------------------------------------------------------------------- option parsing


@pytest.mark.parametrize(
    "text,expected",
    [
        ("whitespace", {"whitespace"}),
        ("whitespace,punctuation", {"whitespace", "punctuation"}),
        (" Case , NUMBERS ", {"case", "numbers"}),
        ("minor", set(MINOR)),
        ("minor,whitespace", set(MINOR)),
        ("moved,volatile", {"moved", "volatile"}),
        ("", set()),
        ("case,,", {"case"}),
    ],
)
def test_parse_ignore(text: str, expected: set[str]) -> None:
    assert parse_ignore(text) == frozenset(expected)


def test_parse_ignore_names_the_unknown_class_and_lists_the_valid_ones() -> None:
    with pytest.raises(ValueError) as info:
        parse_ignore("whitespace,typos")
    message = str(info.value)
    assert "'typos'" in message and "\n" not in message
    for name in (*MINOR, "minor"):
        assert name in message


def test_parse_ignore_refuses_substantive() -> None:
    with pytest.raises(ValueError, match="'substantive' cannot be ignored"):
        parse_ignore("minor,substantive")


def test_compile_patterns() -> None:
    compiled = compile_patterns([TOKEN, r"\bsid=\d+"])
    assert [p.pattern for p in compiled] == [TOKEN, r"\bsid=\d+"]
    assert compile_patterns([]) == []


@pytest.mark.parametrize("bad", ["[?&]h=(", "*oops", "a{2,1}", "(?P<x>a)(?P<x>b)"])
def test_compile_patterns_bad_regex_is_one_line(bad: str) -> None:
    with pytest.raises(ValueError) as info:
        compile_patterns(["fine", bad])
    message = str(info.value)
    assert message.startswith(f"bad ignore pattern {bad!r}: ")
    assert "position" in message and "\n" not in message


def test_compile_patterns_refuses_an_empty_one() -> None:
    with pytest.raises(ValueError, match="empty ignore pattern"):
        compile_patterns([""])


def test_error_messages_in_full() -> None:
    # the messages a user reads, word for word
    with pytest.raises(ValueError, match="^identical texts have no change class$"):
        classify("Same text.", "Same text.")
    with pytest.raises(ValueError, match="^empty ignore pattern$"):
        compile_patterns([""])
    with pytest.raises(ValueError) as info:
        parse_ignore("whitespace,typos")
    assert str(info.value) == (
        "'typos' is not a change class; use a comma-separated list of whitespace, volatile, "
        "punctuation, case, numbers, moved, or minor for all of them"
    )
    with pytest.raises(ValueError) as info:
        filter_changes([], frozenset({"typos", "substantive"}))
    assert str(info.value) == (
        "cannot ignore substantive, typos; only whitespace, volatile, punctuation, case, "
        "numbers, moved"
    )


def test_parse_ignore_skips_empty_items() -> None:
    assert parse_ignore("punctuation,,case,") == {"punctuation", "case"}


def test_change_class_and_filter_changes_use_the_patterns() -> None:
    # only the tracking token changed: volatile with the pattern (and hidden when volatile is
    # ignored, as an equal entry of that kind); without it, letters changed: substantive
    old, new = "See x.org/r?h=abc now", "See x.org/r?h=xyz now"
    edit = Change("modify", 0, 0, old, new, None, edited=True)
    assert change_class(edit, [TOKEN]) == "volatile"
    assert change_class(edit) == "substantive"
    (hidden,), count = filter_changes([edit], frozenset({"volatile"}), [TOKEN])
    assert count == 1 and isinstance(hidden, HiddenChange)
    assert (hidden.op, hidden.kind, hidden.hidden_op, hidden.hidden_class) == (
        "equal", "volatile", "modify", "volatile"
    )  # fmt: skip
    assert filter_changes([edit], frozenset({"volatile"})) == ([edit], 0)


def test_character_ranges_and_classes() -> None:
    assert _ranges("abdf") == [(0x61, 0x62), (0x64, 0x64), (0x66, 0x66)]

    def matches(ranges: list[tuple[int, int]], char: str) -> bool:
        return re.fullmatch(_class(ranges), char) is not None

    # single characters and ranges, in the Basic Multilingual Plane and beyond it
    ranges = [(0x41, 0x41), (0x43, 0x44), (0xFFFF, 0x10001)]
    assert [c for c in "ABCDEX" if matches(ranges, c)] == ["A", "C", "D"]
    assert all(matches(ranges, c) for c in ("\uffff", "\U00010000", "\U00010001"))
    assert not matches(ranges, "\U00010002")
    # only characters beyond it
    assert matches([(0x10000, 0x10001)], "\U00010000")
    assert not matches([(0x10000, 0x10001)], "A")


# --------------------------------------------------------------------------- filter_changes


def test_filter_changes_keeps_every_paragraph_and_marks_the_hidden() -> None:
    old = [
        "The annual report of the society",
        "Body text, version 1 of the draft.",
        "Words that move to the end of the text.",
        "A paragraph to drop.",
        "Tail here, unchanged.",
    ]
    new = [
        "The Annual Report of the Society",
        "Body text, version 2 of the draft.",
        "Tail here, unchanged.",
        "Words that  move to\nthe end of the text.",
        "Added at the end.",
    ]
    changes = diff_paragraphs(old, new)
    assert [(c.op, c.old, c.new) for c in changes] == [
        ("modify", 0, 0),
        ("modify", 1, 1),
        ("equal", 4, 2),
        ("move", 2, 3),
        ("delete", 3, None),
        ("insert", None, 4),
    ]
    shown, hidden = filter_changes(changes, frozenset({"case", "whitespace"}))
    assert [(c.op, c.old, c.new) for c in shown] == [
        ("equal", 0, 0),  # case: hidden
        ("modify", 1, 1),  # numbers: shown
        ("equal", 4, 2),
        ("move", 2, 3),  # a re-wrapped move: still a move, without its edit
        ("delete", 3, None),
        ("insert", None, 4),
    ]
    assert hidden == 2
    title, moved = shown[0], shown[3]
    assert isinstance(title, HiddenChange) and title.hidden_op == "modify"
    assert title.hidden_class == "case" and title.text == new[0] and title.old_text == old[0]
    assert not title.edited and title.inline is None
    assert isinstance(moved, HiddenChange) and moved.hidden_class == "whitespace"
    assert not moved.edited and moved.inline is None and change_class(moved) == "moved"
    assert shown[1] is changes[1] and shown[4] is changes[4] and shown[5] is changes[5]

    # ignoring moves too, the re-wrapped move is hidden entirely
    shown, hidden = filter_changes(changes, frozenset({"whitespace", "moved"}))
    assert [(c.op, c.old, c.new) for c in shown][3] == ("equal", 2, 3)
    assert hidden == 1

    assert filter_changes(changes, frozenset()) == (changes, 0)


def test_filter_changes_refuses_substantive_and_unknown() -> None:
    with pytest.raises(ValueError, match="substantive"):
        filter_changes([], frozenset({"substantive"}))
    with pytest.raises(ValueError, match="typos"):
        filter_changes([], frozenset({"typos"}))


# --------------------------------------------------------------------------- properties
#
# Texts are built from tokens of several kinds, separated by whitespace: words of scripts
# written with spaces (letters, digits and marks at both ends), runs of a script without spaces,
# punctuation, emoji and numbers. A separator between two words must stay non-empty (removing it
# would join them); next to anything else it may vanish.

WORDS = [
    "alpha", "Budget", "report", "naïve", "Straße", "façade", "Ægir", "déjà", "λόγος", "Ελλάδα",
    "Привет", "мир", "שלום", "עולם", "مرحبا", "كتاب", "हिन्दी", "नमस्ते", "Ísland", "ĳssel",
]  # fmt: skip
NO_SPACE = ["東京", "日本語", "ひらがな", "カタカナ", "中文", "ภาษาไทย"]
PUNCT = [
    ",", ".", ";", ":", "!", "?", "—", "–", "-", "…", "...", '"', "“", "”", "‘", "’", "«", "»",
    "(", ")", "、", "。", "，", "！", "،", "؟", "¿", "¡", "*", "/", "#", "&", "_",
]  # fmt: skip
EMOJI = ["🎉", "👍🏽", "🚀", "❤️", "👨‍👩‍👧", "€", "$", "©", "→"]
NUMBERS = ["42", "3.14", "2024-01-31", "1,000", "١٢٣", "३७", "12:30", "0"]
LAYOUT = [" ", "  ", "\n", "\t", " \n  ", "\r\n", "\n\n"]
DIGITS = ["0123456789", "٠١٢٣٤٥٦٧٨٩", "०१२३४५६७८९", "۰۱۲۳۴۵۶۷۸۹"]

ALL_KINDS = {"word": WORDS, "nospace": NO_SPACE, "punct": PUNCT, "emoji": EMOJI, "num": NUMBERS}
SPACED = ("word", "num")  # tokens whose both ends are word characters of spaced scripts


@st.composite
def documents(draw, kinds=tuple(ALL_KINDS)) -> list[tuple[str, str]]:
    """A list of (kind, token); the text is made by :func:`render` with separators."""
    n = draw(st.integers(1, 12))
    doc = [
        (kind, draw(st.sampled_from(ALL_KINDS[kind])))
        for kind in draw(st.lists(st.sampled_from(kinds), min_size=n, max_size=n))
    ]
    # a dash right before a number is its minus sign, and the space between them then matters
    return [
        ("punct", ",")
        if tok in ("-", "–", "—") and k + 1 < len(doc) and doc[k + 1][0] == "num"
        else (kind, tok)
        for k, (kind, tok) in enumerate(doc)
    ]


def needs_space(doc: list[tuple[str, str]], k: int) -> bool:
    """Whether the separator before token k must stay non-empty (it separates two words)."""
    return 0 < k < len(doc) and doc[k - 1][0] in SPACED and doc[k][0] in SPACED


def render(doc: list[tuple[str, str]], seps: list[str]) -> str:
    """Join tokens with separators: seps[k] goes before token k, seps[-1] after the last."""
    return "".join(s + tok for s, (_, tok) in zip(seps, doc)) + seps[len(doc)]


@st.composite
def separators(draw, doc: list[tuple[str, str]]) -> list[str]:
    """Layout whitespace between tokens, empty only where no two words meet."""
    out = []
    for k in range(len(doc) + 1):
        choices = LAYOUT if needs_space(doc, k) else ["", *LAYOUT]
        out.append(draw(st.sampled_from(choices)))
    return out


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_whitespace_edits_are_whitespace(data) -> None:
    doc = data.draw(documents())
    a = render(doc, data.draw(separators(doc)))
    b = render(doc, data.draw(separators(doc)))
    assume(a != b)
    assert classify(a, b) == "whitespace"
    assert classify(a, b, [TOKEN]) == "whitespace"


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_case_edits_are_case(data) -> None:
    doc = [("word", data.draw(st.sampled_from(WORDS))), *data.draw(documents())]
    seps = data.draw(separators(doc))
    edits = [str.upper, str.lower, str.title, str.swapcase, str.capitalize]
    changed = [
        (kind, data.draw(st.sampled_from(edits))(tok) if kind == "word" else tok)
        for kind, tok in doc
    ]
    a, b = render(doc, seps), render(changed, seps)
    assume(a != b)
    assert fold(a) == fold(b)  # what a case edit is
    assert classify(a, b) == "case"
    # with a re-wrap on top, still case
    assert classify(a, render(changed, data.draw(separators(doc)))) == "case"


INVISIBLE = ["\u00ad", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060", "\ufe0f"]
TYPOGRAPHIC_SPACES = ["\u00a0", "\u202f", "\u2009", "\u3000", "\u2003"]
FULL_WIDTH = {c: chr(ord(c) - 0x21 + 0xFF01) for c in map(chr, range(0x21, 0x7F))}


@st.composite
def punctuation_edit(draw, doc: list[tuple[str, str]], seps: list[str]):
    """Swap, add or remove punctuation, typographic spaces and invisible characters."""
    doc, seps = list(doc), list(seps)
    for _ in range(draw(st.integers(1, 4))):
        what = draw(st.sampled_from(["swap", "add", "remove", "space", "invisible", "wide"]))
        k = draw(st.integers(0, len(doc) - 1))
        kind, tok = doc[k]
        if what == "swap" and kind == "punct":
            doc[k] = (kind, draw(st.sampled_from(PUNCT)))
        elif what == "add":
            doc.insert(k, ("punct", draw(st.sampled_from(PUNCT))))
            seps.insert(k, draw(st.sampled_from(["", " "])))
        elif what == "remove" and kind == "punct" and len(doc) > 1:
            del doc[k]
            merged = seps[k] + seps.pop(k + 1)
            seps[k] = merged or (" " if needs_space(doc, k) else "")
        elif what == "space":
            j = draw(st.integers(0, len(seps) - 1))
            seps[j] = draw(st.sampled_from(TYPOGRAPHIC_SPACES))
        elif what == "invisible":
            i = draw(st.integers(0, len(tok)))
            doc[k] = (kind, tok[:i] + draw(st.sampled_from(INVISIBLE)) + tok[i:])
        elif what == "wide" and kind == "word" and tok.isascii():
            doc[k] = (kind, "".join(FULL_WIDTH.get(c, c) for c in tok))
    return doc, seps


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_punctuation_edits_are_punctuation(data) -> None:
    # numbers are left out: a dash put right before a digit makes a sign, which is numbers
    doc = data.draw(documents(kinds=("word", "nospace", "punct", "emoji")))
    seps = data.draw(separators(doc))
    edited, edited_seps = data.draw(punctuation_edit(doc, seps))
    a, b = render(doc, seps), render(edited, edited_seps)
    assume(re.sub(r"[ \t\r\n]", "", a) != re.sub(r"[ \t\r\n]", "", b))  # not only re-spaced
    assert classify(a, b) == "punctuation"


@st.composite
def digit_edit(draw, tok: str) -> str:
    """Rewrite the digit runs of a number with other digits, of any script."""

    def rewrite(m: re.Match[str]) -> str:
        digits = draw(st.sampled_from(DIGITS))
        return "".join(draw(st.lists(st.sampled_from(digits), min_size=1, max_size=5)))

    return re.sub(r"\d+", rewrite, tok)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_digit_edits_are_numbers(data) -> None:
    doc = [*data.draw(documents()), ("num", data.draw(st.sampled_from(NUMBERS)))]
    seps = data.draw(separators(doc))
    edited = [(kind, data.draw(digit_edit(tok)) if kind == "num" else tok) for kind, tok in doc]
    a, b = render(doc, seps), render(edited, seps)
    assume(unicodedata.normalize("NFKC", a) != unicodedata.normalize("NFKC", b))
    assert classify(a, b) == "numbers"
    # on top of a re-wrap, a case change and a token change: still numbers
    rewrapped = render([(k, t.upper()) for k, t in edited], data.draw(separators(doc)))
    assert classify(a + " x.org/?h=a", rewrapped + " x.org/?h=b", [TOKEN]) == "numbers"


LETTERS = st.characters(categories=("Lu", "Ll", "Lo"), max_codepoint=0x2FFFF)


@st.composite
def minor_edits(draw, doc: list[tuple[str, str]], seps: list[str]) -> str:
    """The text, with any mix of minor edits: re-spacing, punctuation, case, digits."""
    if draw(st.booleans()):
        doc, seps = draw(punctuation_edit(doc, seps))
    out = []
    for kind, tok in doc:
        if kind == "word" and draw(st.booleans()):
            tok = tok.upper()
        elif kind == "num":
            tok = draw(digit_edit(tok))
        out.append((kind, tok))
    fresh = draw(separators(out))
    return render(out, [s if s.strip() or not f else f for s, f in zip(seps, fresh)])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_adding_or_removing_a_word_is_substantive(data) -> None:
    doc = data.draw(documents())
    seps = data.draw(separators(doc))
    word = data.draw(st.one_of(st.sampled_from(WORDS + NO_SPACE), st.text(LETTERS, min_size=1)))
    k = data.draw(st.integers(0, len(doc)))
    bigger = doc[:k] + [("word", word)] + doc[k:]
    bigger_seps = seps[:k] + [" "] + seps[k:]
    bigger_seps[k + 1] = bigger_seps[k + 1] or " "
    a = render(doc, seps)
    b = data.draw(minor_edits(bigger, bigger_seps))  # and any minor edits besides
    event(f"word kind: {'ascii' if word.isascii() else 'non-ascii'}")
    assert classify(a, b) == "substantive"
    assert classify(b, a) == "substantive"
    assert classify(a + " x.org/?h=a", b + " x.org/?h=b", [TOKEN]) == "substantive"


INVISIBLE_LETTERS = {"\u0640"}  # the Arabic tatweel stretches a word: typography, not a letter
POOL = "".join(WORDS + NO_SPACE + PUNCT + EMOJI + NUMBERS + INVISIBLE) + " \n\t\u00a0ABCxyz"


def letters(text: str) -> list[str]:
    """The letters and marks of a text (compatibility forms folded, case folded), in order."""
    return [
        c
        for c in fold(text)
        if unicodedata.category(c)[0] in "LM"
        and c not in INVISIBLE_LETTERS
        and c not in INVISIBLE
        and c != "\u034f"
    ]


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_random_edits_that_change_letters_are_substantive(data) -> None:
    doc = data.draw(documents())
    a = render(doc, data.draw(separators(doc)))
    b = a
    for _ in range(data.draw(st.integers(1, 4))):  # character edits anywhere
        i = data.draw(st.integers(0, len(b)))
        j = data.draw(st.integers(i, min(len(b), i + 3)))
        b = b[:i] + data.draw(st.text(st.sampled_from(POOL), max_size=3)) + b[j:]
    assume(a != b)
    cls = classify(a, b)
    event(cls)
    if letters(a) != letters(b):
        assert cls == "substantive"
    if cls == "whitespace":
        assert "".join(a.split()) == "".join(b.split())


# --------------------------------------------------------------------------- filter property


MINOR_EDITS = [
    lambda t: " ".join(t.split()),  # re-spaced
    lambda t: t.replace(" ", "\n", 1),  # re-wrapped
    str.upper,
    str.swapcase,
    lambda t: t + "!",
    lambda t: t.replace(",", ";"),
    lambda t: re.sub(r"\d", "7", t),
    lambda t: re.sub(r"\?h=\w+", "?h=fresh", t),
]


@st.composite
def minor_edit(draw, text: str) -> str:
    """One or two edits of minor classes."""
    for edit in draw(st.lists(st.sampled_from(MINOR_EDITS), min_size=1, max_size=2)):
        text = edit(text)
    return text


@st.composite
def document_versions(draw) -> tuple[list[str], list[str]]:
    """An old document and a new one made from it by every kind of paragraph change."""
    old = []
    for k in range(draw(st.integers(1, 8))):
        doc = draw(documents())
        text = render(doc, draw(separators(doc))).strip()
        if draw(st.booleans()):
            text += f" Link: https://x.org/doc?h=t{k}, page {k}."
        old.append(text or f"Paragraph {k}.")
    new = []
    for k, text in enumerate(old):
        what = draw(st.sampled_from(["keep", "minor", "word", "delete", "insert", "move"]))
        if what == "keep":
            new.append(text)
        elif what == "minor":
            new.append(draw(minor_edit(text)))
        elif what == "word":
            new.append(f"{text} extra words")
        elif what == "insert":
            new += [f"Brand new paragraph number {k}.", text]
        elif what == "move":
            moved = draw(minor_edit(text)) if draw(st.booleans()) else text
            new.insert(draw(st.integers(0, len(new))), moved)
    return old, new


def untracked(text: str | None) -> str:
    """The text without its tracking tokens."""
    return re.sub(TOKEN, "", text or "")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document_versions(), st.sets(st.sampled_from(MINOR)), st.booleans())
def test_ignoring_minor_never_hides_real_changes(versions, ignore, everything) -> None:
    old, new = versions
    ignore = frozenset(MINOR) if everything else frozenset(ignore)
    changes = diff_paragraphs(old, new)
    shown, hidden = filter_changes(changes, ignore, [TOKEN])

    assert len(shown) == len(changes)
    assert hidden == sum(isinstance(c, HiddenChange) for c in shown)
    # every old and every new paragraph appears exactly once, as before
    assert sorted(c.old for c in shown if c.old is not None) == list(range(len(old)))
    assert sorted(c.new for c in shown if c.new is not None) == list(range(len(new)))
    for before, after in zip(changes, shown):
        assert (before.old, before.new) == (after.old, after.new)
        cls = change_class(before, [TOKEN])
        event(f"{before.op}: {cls}")
        if before.op in ("insert", "delete") or (
            before.edited
            and letters(untracked(before.old_text)) != letters(untracked(before.new_text))
        ):
            assert after is before  # whatever the classes say: letters changed
        if cls is None or cls not in ignore:
            assert after is before  # inserts, deletes, substantive edits: always shown
        else:
            assert isinstance(after, HiddenChange) and after.hidden_class == cls
            assert after.op in ("equal", "move") and after.inline is None and not after.edited
            assert after.op == "equal" or (before.edited and "moved" not in ignore)
