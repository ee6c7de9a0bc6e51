from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.text.paragraphs import choose_mode, join, split

SEED = Path(__file__).parent.parent / "seeds" / "000_fad7172ebc47f805.txt"


def test_seed_is_one_paragraph_per_line():
    text = SEED.read_bytes().decode("utf-8")
    assert not text.endswith("\n")  # the seed has no trailing newline
    parts = split(text)
    assert choose_mode(text) == "line"
    assert len(parts.paragraphs) == 16
    assert parts.paragraphs[0] == "The end of the US-Russia detente?"
    assert parts.paragraphs[11] == "Thomas Fazi"
    assert parts.join() == text


@pytest.mark.parametrize(
    "text,mode,paragraphs,separators",
    [
        ("", "blank", [], [""]),
        ("\n\n", "blank", [], ["\n\n"]),
        ("one", "blank", ["one"], ["", ""]),
        ("a\nb\n\nc\n", "blank", ["a\nb", "c"], ["", "\n\n", "\n"]),
        ("a\nb\n\nc\n", "line", ["a", "b", "c"], ["", "\n", "\n\n", "\n"]),
        ("\n\na\n \n\t\nb", "blank", ["a", "b"], ["\n\n", "\n \n\t\n", ""]),
        ("a\r\nb\r\n\r\nc\r\n", "blank", ["a\r\nb", "c"], ["", "\r\n\r\n", "\r\n"]),
        ("a\r\nb\r\n", "line", ["a", "b"], ["", "\r\n", "\r\n"]),
        ("\ufeffTitle\n\nBody", "blank", ["Title", "Body"], ["\ufeff", "\n\n", ""]),
        ("x\n\f\ny", "blank", ["x", "y"], ["", "\n\f\n", ""]),
    ],
)
def test_split_cases(text, mode, paragraphs, separators):
    parts = split(text, mode)
    assert parts.paragraphs == paragraphs
    assert parts.separators == separators
    assert parts.join() == text


def test_auto_chooses_blank_for_hard_wrapped_text():
    wrapped = ("word " * 14 + "\n") * 3 + "\n" + ("word " * 14 + "\n") * 2
    assert choose_mode(wrapped) == "blank"
    assert len(split(wrapped).paragraphs) == 2


def test_join_rejects_mismatched_lengths():
    with pytest.raises(ValueError):
        join(["a"], ["", "", ""])


TEXTS = st.text(alphabet=st.sampled_from(list("ab \t\n\r\f\ufeffé€")), max_size=60) | st.text()


@given(TEXTS, st.sampled_from(["auto", "blank", "line"]))
def test_split_join_roundtrip(text, mode):
    parts = split(text, mode)
    assert parts.join() == text
    assert len(parts.separators) == len(parts.paragraphs) + 1
    for paragraph in parts.paragraphs:
        assert paragraph.strip()
        assert not paragraph.endswith("\n")


def reference_split(text: str, mode: str) -> tuple[list[str], list[str]]:
    """The splitting rule spelled out line by line (split() does it with one regular expression)."""
    lead = ""
    if text.startswith("\ufeff"):
        lead, text = "\ufeff", text[1:]
    lines = _lines(text)
    paragraphs, separators, gap, current = [], [], lead, []

    def close() -> None:
        nonlocal gap
        body = "".join(current)
        ending = "\r\n" if body.endswith("\r\n") else "\n" if body.endswith("\n") else ""
        separators.append(gap)
        paragraphs.append(body[: len(body) - len(ending)])
        gap = ending
        current.clear()

    for line in lines:
        if not line.strip():
            if current:
                close()
            gap += line
        else:
            current.append(line)
            if mode == "line":
                close()
    if current:
        close()
    separators.append(gap)
    return paragraphs, separators


def _lines(text: str) -> list[str]:
    """Lines cut at \\n only, each keeping its \\n (a \\r or \\u2028 does not end a line here)."""
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


WHITESPACE_HEAVY = st.text(
    alphabet=st.sampled_from(list("ab \t\n\r\f\v\x1c\x85\u00a0\u2028\u3000\ufeff.")), max_size=80
)


@given(WHITESPACE_HEAVY | st.text(), st.sampled_from(["blank", "line"]))
def test_split_follows_the_line_by_line_rule(text, mode):
    parts = split(text, mode)
    assert (parts.paragraphs, parts.separators) == reference_split(text, mode)


# -- each rule, on both sides of it (hand-checked) ------------------------------------------------


def lines_of(*lengths: int) -> str:
    """Non-blank lines of the given lengths, one blank line between them."""
    return "\n\n".join("x" * n for n in lengths) + "\n"


@pytest.mark.parametrize(
    "text,mode",
    [
        (lines_of(100), "line"),  # the median line is exactly LINE_MODE_MIN_MEDIAN long
        (lines_of(99), "blank"),  # one character short of it
        (lines_of(101), "line"),
        (lines_of(10, 100, 100), "line"),  # the median of three is the middle one
        (lines_of(10, 10, 100), "blank"),
        (lines_of(10, 100), "line"),  # of an even count, the upper middle one
        (lines_of(10, 10, 100, 100), "line"),
        (lines_of(10, 10, 10, 100), "blank"),
        (lines_of(100, 10, 10, 100, 100), "line"),  # sorted by length first, not taken in order
        (lines_of(100, 100, 10, 10, 10), "blank"),
        ("", "blank"),  # no non-blank line at all
        (" \n\t\n" + " " * 300 + "\n", "blank"),  # long whitespace-only lines do not count
        (" " * 98 + "ab\n", "line"),  # a line's length includes its leading whitespace
        ("x" * 99 + "\r\n", "blank"),  # and not its line ending
    ],
)
def test_choose_mode_on_both_sides_of_the_median_rule(text, mode):
    assert choose_mode(text) == mode


def test_auto_splits_as_the_chosen_mode():
    long_lines = ("y" * 100 + "\n") * 3
    assert split(long_lines).paragraphs == ["y" * 100] * 3  # line mode: one paragraph per line
    short_lines = ("y" * 99 + "\n") * 3
    assert split(short_lines).paragraphs == [("y" * 99 + "\n") * 2 + "y" * 99]  # one block


@pytest.mark.parametrize(
    "text,mode,paragraphs,separators",
    [
        # a line is blank when it holds only whitespace: a space, a tab, a form feed...
        ("a\n \nb", "blank", ["a", "b"], ["", "\n \n", ""]),
        ("a\n.\nb", "blank", ["a\n.\nb"], ["", ""]),  # ...but one visible character is text
        ("a\n\u00a0\nb", "blank", ["a", "b"], ["", "\n\u00a0\n", ""]),  # no-break space: blank
        # only \n ends a line: a lone \r or \u2028 stays inside the paragraph
        ("a\rb\n\nc", "blank", ["a\rb", "c"], ["", "\n\n", ""]),
        ("a\u2028b", "line", ["a\u2028b"], ["", ""]),
        ("a\r", "blank", ["a\r"], ["", ""]),  # a \r not followed by \n is text
        ("a\r\n", "blank", ["a"], ["", "\r\n"]),  # \r\n ends the line, in the separator
        # the BOM is part of the lead only at the very start
        ("\ufeff\n\na", "blank", ["a"], ["\ufeff\n\n", ""]),
        ("a\n\n\ufeffb", "blank", ["a", "\ufeffb"], ["", "\n\n", ""]),
        # leading and trailing spaces of a paragraph's lines are kept
        ("  a  \n\n b", "blank", ["  a  ", " b"], ["", "\n\n", ""]),
        # line mode: each non-blank line, blank lines in the separators
        ("a\nb", "line", ["a", "b"], ["", "\n", ""]),
        ("a\n\n\nb\n", "line", ["a", "b"], ["", "\n\n\n", "\n"]),
        ("\n a", "line", [" a"], ["\n", ""]),
    ],
)
def test_split_rules_both_sides(text, mode, paragraphs, separators):
    parts = split(text, mode)
    assert (parts.paragraphs, parts.separators) == (paragraphs, separators)
    assert parts.join() == text


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="unknown split mode 'words'"):
        split("a", "words")


def test_join_needs_one_more_separator_than_paragraphs():
    assert join(["a", "b"], ["<", "|", ">"]) == "<a|b>"
    assert join([], ["only"]) == "only"
    with pytest.raises(ValueError) as info:
        join(["a", "b"], ["", ""])
    assert str(info.value) == "need exactly one more separator than paragraphs"
