from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.paragraphs import choose_mode, join, split

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
