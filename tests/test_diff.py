"""Tests for the paragraph diff engine (tracker.diff): hand-checked cases and properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tracker.text.inline as inline_module
import tracker.text.similarity as engine  # the bounded-search limits live here
from tracker.text.diff import (
    STATS,
    Change,
    Skipped,
    blame_paragraphs,
    diff_paragraphs,
    stats,
    unchanged,
    with_context,
)
from tracker.text.inline import (
    _CODE_LIMIT,
    _absorb_islands,
    _code,
    _is_tiny,
    _normalize,
    inline_diff,
)
from tracker.text.similarity import (
    LONG_TEXT,
    MODIFY_SIMILARITY,
    MOVE_SIMILARITY,
    Similarity,
    _best_chain,
    _Memo,
    _sentences_memo,
    _tokens,
    _words_memo,
    move_candidates,
    pair_gap,
)
from tracker.text.splits import _band


@pytest.fixture(autouse=True)
def fresh_words_cache() -> None:
    """Each test splits its paragraphs into words itself, whatever an earlier one left cached
    (and makes its own diff-match-patch instances)."""
    _words_memo.clear()
    _sentences_memo.clear()
    inline_module._dmps.clear()


def shape(changes: list[Change]) -> list[tuple[str, int | None, int | None]]:
    return [(c.op, c.old, c.new) for c in changes]


# Every expected result below was worked out by hand from the algorithm's rules (exact alignment,
# then pairing similar paragraphs inside a gap, then moves), not copied from the code's output.
CASES = [
    pytest.param(["Alpha one.", "Beta two."], ["Alpha one.", "Beta two."],
                 [("equal", 0, 0), ("equal", 1, 1)], id="identical"),
    pytest.param(["Alpha one.", "Gamma three."], ["Alpha one.", "Beta two.", "Gamma three."],
                 [("equal", 0, 0), ("insert", None, 1), ("equal", 1, 2)], id="insert"),
    pytest.param(["Alpha one.", "Beta two.", "Gamma three."], ["Alpha one.", "Gamma three."],
                 [("equal", 0, 0), ("delete", 1, None), ("equal", 2, 1)], id="delete"),
    pytest.param(["Alpha one.", "Beta two."], ["Zero first.", "Alpha one.", "Beta two."],
                 [("insert", None, 0), ("equal", 0, 1), ("equal", 1, 2)], id="insert-at-start"),
    pytest.param(["Zero first.", "Alpha one.", "Beta two."], ["Alpha one.", "Beta two."],
                 [("delete", 0, None), ("equal", 1, 0), ("equal", 2, 1)], id="delete-at-start"),
    pytest.param(["The quick brown fox jumps.", "End."], ["The quick red fox jumps.", "End."],
                 [("modify", 0, 0), ("equal", 1, 1)], id="modify"),
    pytest.param(["Apples are red.", "End."], ["Zebras run fast today!", "End."],
                 [("delete", 0, None), ("insert", None, 0), ("equal", 1, 1)],
                 id="unrelated-replacement-is-delete-and-insert"),
    pytest.param(
        ["P1 alpha", "P2 beta", "P3 gamma", "P4 delta"],
        ["P2 beta", "P3 gamma", "P4 delta", "P1 alpha"],
        [("equal", 1, 0), ("equal", 2, 1), ("equal", 3, 2), ("move", 0, 3)],
        id="move-unedited",
    ),
    pytest.param(
        ["Intro stays here.", "The moving paragraph has several words in it.", "Middle one.",
         "Middle two.", "End stays here."],
        ["Intro stays here.", "Middle one.", "Middle two.",
         "The moving paragraph has many words in it.", "End stays here."],
        [("equal", 0, 0), ("equal", 2, 1), ("equal", 3, 2), ("move", 1, 3), ("equal", 4, 4)],
        id="move-edited",
    ),
    pytest.param(
        ["Title here", "First paragraph stays.", "Second paragraph will be edited slightly today.",
         "Third goes away entirely now.", "Fourth stays too."],
        ["Title here", "First paragraph stays.",
         "Second paragraph will be edited slightly tomorrow.", "Fourth stays too.",
         "A brand new closing paragraph."],
        [("equal", 0, 0), ("equal", 1, 1), ("modify", 2, 2), ("delete", 3, None),
         ("equal", 4, 3), ("insert", None, 4)],
        id="several-at-once",
    ),
    pytest.param(
        # the deleted paragraph followed the moved one, so it is reported right after the move
        ["Moving M here.", "Deleted D here.", "X stays.", "Y stays.", "Z stays."],
        ["X stays.", "Y stays.", "Z stays.", "Moving M here."],
        [("equal", 2, 0), ("equal", 3, 1), ("equal", 4, 2), ("move", 0, 3), ("delete", 1, None)],
        id="delete-follows-its-old-neighbour",
    ),
    pytest.param(
        # the exact move wins over pairing "Moved para." with the neighbour sharing "para"; two
        # short paragraphs with one word in common are not a rewrite of each other
        ["Intro.", "The cat sat on the mat.", "Moved para.", "Gone para."],
        ["Moved para.", "Intro.", "The dog sat on the mat.", "Brand new para."],
        [("move", 2, 0), ("delete", 3, None), ("equal", 0, 1), ("modify", 1, 2),
         ("insert", None, 3)],
        id="exact-move-beats-similar-neighbour",
    ),
    pytest.param(
        ["Intro here.", "* * *", "End here."], ["Intro here.", "---", "End here."],
        [("equal", 0, 0), ("delete", 1, None), ("insert", None, 1), ("equal", 2, 2)],
        id="different-wordless-paragraphs-are-not-similar",
    ),
    pytest.param(
        ["Intro here.", "* * *", "End here."], ["Intro here.", "***", "End here."],
        [("equal", 0, 0), ("modify", 1, 1), ("equal", 2, 2)],
        id="wordless-paragraph-respaced-is-modify",
    ),
    pytest.param(
        ["Sep", "A text", "Sep", "B text", "Sep"], ["Sep", "A text", "Sep", "B text"],
        [("equal", 0, 0), ("equal", 1, 1), ("equal", 2, 2), ("equal", 3, 3), ("delete", 4, None)],
        id="repeated-paragraph-deleted-at-end",
    ),
    pytest.param([], [], [], id="both-empty"),
    pytest.param([], ["One.", "Two."], [("insert", None, 0), ("insert", None, 1)], id="old-empty"),
    pytest.param(["One.", "Two."], [], [("delete", 0, None), ("delete", 1, None)],
                 id="new-empty"),
    pytest.param(
        ["Apples are red.", "Bananas are yellow.", "Cherries are dark."],
        ["Quantum flux rises.", "Orbital decay looms.", "Stellar winds blow."],
        [("delete", 0, None), ("delete", 1, None), ("delete", 2, None),
         ("insert", None, 0), ("insert", None, 1), ("insert", None, 2)],
        id="whole-rewrite-unrelated",
    ),
    pytest.param(
        ["The first paragraph talks about apples.", "The second one is about pears.",
         "A third describes the orchard in spring."],
        ["The first paragraph talks about oranges.", "The second one is about plums.",
         "A third describes the orchard in autumn."],
        [("modify", 0, 0), ("modify", 1, 1), ("modify", 2, 2)],
        id="whole-rewrite-every-paragraph-edited",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "expected"), CASES)
def test_diff_cases(old: list[str], new: list[str], expected: list[tuple]) -> None:
    changes = diff_paragraphs(old, new)
    assert shape(changes) == expected
    for c in changes:
        assert c.old_text == (old[c.old] if c.old is not None else None)
        assert c.new_text == (new[c.new] if c.new is not None else None)


# --------------------------------------------------------------------------- thresholds, by example
# Similarity is 2 x (words in common, in order) / (words in both). Each case states its score,
# counted by hand, and sits on one side of MODIFY_SIMILARITY (0.5) or MOVE_SIMILARITY (0.7).
TEN = "one two three four five six seven eight nine ten"
TWELVE = "one two three four five six seven eight nine ten eleven twelve"
THRESHOLD_CASES = [
    pytest.param(
        # 2 of 4 words and 2 of 4 kept in order: 2*2/8 = 0.5, exactly the bar: a rewrite
        ["Start here.", "alpha beta gamma delta", "End here."],
        ["Start here.", "alpha beta epsilon zeta", "End here."],
        [("equal", 0, 0), ("modify", 1, 1), ("equal", 2, 2)],
        id="modify-at-threshold",
    ),
    pytest.param(
        # a one-word paragraph that gained two words: 2*1/4 = 0.5, and the length bound
        # (2 x shorter / both = 0.5) sits exactly on the bar too: a rewrite
        ["Start here.", "alpha", "End here."],
        ["Start here.", "alpha beta gamma", "End here."],
        [("equal", 0, 0), ("modify", 1, 1), ("equal", 2, 2)],
        id="modify-at-threshold-by-length",
    ),
    pytest.param(
        # old A B, new A' B' with A~A' 0.5 and B~B' 0.5 (both exactly at the bar) while A~B' is
        # 0.571: two rewrites in place (total 1.0) beat one slightly better crossing pair
        ["Start here.", "alpha beta gamma delta", "alpha beta x y z", "End here."],
        ["Start here.", "alpha beta epsilon zeta", "alpha beta red", "End here."],
        [("equal", 0, 0), ("modify", 1, 1), ("modify", 2, 2), ("equal", 3, 3)],
        id="two-rewrites-at-threshold-beat-one-better-pair",
    ),
    pytest.param(
        # 2*2/7 = 0.571: a rewrite
        ["Start here.", "alpha beta gamma delta", "End here."],
        ["Start here.", "alpha beta omega", "End here."],
        [("equal", 0, 0), ("modify", 1, 1), ("equal", 2, 2)],
        id="modify-just-above-threshold",
    ),
    pytest.param(
        # 2*2/9 = 0.444: not the same paragraph any more
        ["Start here.", "alpha beta gamma delta", "End here."],
        ["Start here.", "alpha beta epsilon zeta eta", "End here."],
        [("equal", 0, 0), ("delete", 1, None), ("insert", None, 1), ("equal", 2, 2)],
        id="modify-just-below-threshold",
    ),
    pytest.param(
        # 7 of 10 words kept, in order: 2*7/20 = 0.7, exactly the move bar: an edited move
        ["Intro stays.", TEN, "Middle one stays.", "Middle two stays.", "Outro stays."],
        ["Intro stays.", "Middle one stays.", "Middle two stays.",
         "one two three four five six seven eighty ninety hundred", "Outro stays."],
        [("equal", 0, 0), ("equal", 2, 1), ("equal", 3, 2), ("move", 1, 3), ("equal", 4, 4)],
        id="move-at-threshold",
    ),
    pytest.param(
        # 8 of 12 and 11 words: 2*8/23 = 0.696, below the move bar (though far above the modify
        # bar): the paragraph went away and another one came
        ["Intro stays.", TWELVE, "Middle one stays.", "Middle two stays.", "Outro stays."],
        ["Intro stays.", "Middle one stays.", "Middle two stays.",
         "one two three four five six seven eight alpha beta gamma", "Outro stays."],
        [("equal", 0, 0), ("delete", 1, None), ("equal", 2, 1), ("equal", 3, 2),
         ("insert", None, 3), ("equal", 4, 4)],
        id="move-just-below-threshold",
    ),
    pytest.param(
        # in one gap, old A B and new B' A': A~A' 0.6 and B~B' 0.909 cross, so only one can be
        # kept in place (the better, B); A' is then a move candidate, and 0.6 < 0.7 is not enough
        ["Top stays.", "Red green blue yellow purple.", "Cats dogs birds fish mice.",
         "Bottom stays."],
        ["Top stays.", "Cats dogs birds fish mice rats.", "Red green blue black white.",
         "Bottom stays."],
        [("equal", 0, 0), ("delete", 1, None), ("modify", 2, 1), ("insert", None, 2),
         ("equal", 3, 3)],
        id="crossing-pair-below-move-bar-is-not-paired",
    ),
    pytest.param(
        # the same with A~A' 0.8: the crossing pair is a move (edited), never a crossing modify
        ["Top stays.", "Red green blue yellow purple.", "Cats dogs birds fish mice.",
         "Bottom stays."],
        ["Top stays.", "Cats dogs birds fish mice rats.", "Red green blue yellow white.",
         "Bottom stays."],
        [("equal", 0, 0), ("modify", 2, 1), ("move", 1, 2), ("equal", 3, 3)],
        id="crossing-pair-above-move-bar-is-a-move",
    ),
    pytest.param(
        # a heading recased has no word in common with what it was, yet is the same heading
        ["PRIVACY POLICY", "We collect data.", "Title"],
        ["Privacy Policy", "We collect data.", "title"],
        [("modify", 0, 0), ("equal", 1, 1), ("modify", 2, 2)],
        id="recased-paragraphs-are-modified",
    ),
    pytest.param(
        # ... also when it moved: the same words but for their case clear the move bar
        ["Runtime effects", "One two three four five.", "Six seven eight nine ten."],
        ["One two three four five.", "Six seven eight nine ten.", "Runtime Effects"],
        [("equal", 1, 0), ("equal", 2, 1), ("move", 0, 2)],
        id="recased-and-moved-is-a-move",
    ),
    pytest.param(
        # a different word of the same length is not a case change; nor are wordless lines
        ["Title", "|---|---|", "end"],
        ["Tilde", "|:--|:--|", "end"],
        [("delete", 0, None), ("delete", 1, None), ("insert", None, 0), ("insert", None, 1),
         ("equal", 2, 2)],
        id="same-length-other-words-are-not-paired",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "expected"), THRESHOLD_CASES)
def test_threshold_cases(old: list[str], new: list[str], expected: list[tuple]) -> None:
    assert shape(diff_paragraphs(old, new)) == expected


# --------------------------------------------------------------------------- real-world cases


def day(n: int) -> str:
    """The date n days after Nov 30, 2019, written "Dec 1, 2019"."""
    import datetime

    d = datetime.date(2019, 11, 30) + datetime.timedelta(days=n)
    return f"{d:%b} {d.day}, {d.year}"


SECTION_2 = "The second section talks about pears and how to grow them."
SECTION_3 = "The third section explains the harvest in the autumn months."
REAL_CASES = [
    pytest.param(
        # a schedule whose every date moved one day later: each entry stays where it is and each
        # date changes in place ("Dec 1" -> "Dec 2" keeps 2 of 3 words: 0.67); "Nov 30" ->
        # "Dec 1" keeps only "2019" (0.33), so that one is removed and added. No date "moved"
        # to another entry just because the next entry used to have that date.
        ["Schedule", day(0), "Beta 1", day(1), "Beta 2", day(2), "Release candidate", day(3),
         "Final release"],
        ["Schedule", day(1), "Beta 1", day(2), "Beta 2", day(3), "Release candidate", day(4),
         "Final release"],
        [("equal", 0, 0), ("delete", 1, None), ("insert", None, 1), ("equal", 2, 2),
         ("modify", 3, 3), ("equal", 4, 4), ("modify", 5, 5), ("equal", 6, 6), ("modify", 7, 7),
         ("equal", 8, 8)],
        id="dates-interleaved-each-one-day-later",
    ),
    pytest.param(
        # a listing (entry, then its date) where a new date was put at the top of the dates and
        # each entry now shows the date of the entry above it: the entries are unchanged and the
        # dates change in place; the aligner must anchor on the entries (which kept their place),
        # not on the dates (which all shifted by one entry)
        ["Posts", "Entry one", day(3), "Entry two", day(2), "Entry three", day(1), "Entry four",
         day(0)],
        ["Posts", "Entry one", day(4), "Entry two", day(3), "Entry three", day(2), "Entry four",
         day(1)],
        [("equal", 0, 0), ("equal", 1, 1), ("modify", 2, 2), ("equal", 3, 3), ("modify", 4, 4),
         ("equal", 5, 5), ("modify", 6, 6), ("equal", 7, 7), ("delete", 8, None),
         ("insert", None, 8)],
        id="dates-interleaved-one-inserted-at-the-top",
    ),
    pytest.param(
        # a bare list of dates, every one a day later: the dates both versions share are
        # unchanged, the first one went and a new last one came (the shortest true story)
        [day(k) for k in range(6)],
        [day(k + 1) for k in range(6)],
        [("delete", 0, None)] + [("equal", k + 1, k) for k in range(5)] + [("insert", None, 5)],
        id="dates-list-each-one-day-later",
    ),
    pytest.param(
        # a date inserted at the top of a bare list of dates is one insert
        ["Dates", day(2), day(1), day(0)],
        ["Dates", day(3), day(2), day(1), day(0)],
        [("equal", 0, 0), ("insert", None, 1), ("equal", 1, 2), ("equal", 2, 3), ("equal", 3, 4)],
        id="dates-list-one-inserted-at-the-top",
    ),
    pytest.param(
        # a section (with its separator) removed in the middle and another added at the end: the
        # separator "* * *" occurs twice in both versions, so it anchors nothing and is never
        # "moved"; section 3 keeps its place in the story
        ["The first section is about apples.", "* * *", SECTION_2, "* * *", SECTION_3],
        ["The first section is about apples.", "* * *", SECTION_3, "* * *",
         "A fourth section about plums was added."],
        [("equal", 0, 0), ("equal", 1, 1), ("delete", 2, None), ("delete", 3, None),
         ("equal", 4, 2), ("insert", None, 3), ("insert", None, 4)],
        id="repeated-separator-is-not-moved",
    ),
    pytest.param(
        # "Sep" occurs twice in both versions and one copy now stands after "A text" instead of
        # before it: which copy went where cannot be told, so it is a removal and an addition
        # (the common tail "Sep", "Tail" is matched first, so the second copy stays put)
        ["Head", "Sep", "A text", "Sep", "Tail"],
        ["Head", "A text", "Sep", "Sep", "Tail"],
        [("equal", 0, 0), ("delete", 1, None), ("equal", 2, 1), ("insert", None, 2),
         ("equal", 3, 3), ("equal", 4, 4)],
        id="repeated-short-line-is-not-moved",
    ),
    pytest.param(
        # four new paragraphs on top, then section D (two paragraphs) moved up above sections P
        # and A, P edited. Keeping P's heading and A (3 paragraphs) in place and moving D (2) is
        # the longest alignment, though D sits nearer the diagonal: the greedy anchor on D would
        # leave P and A (3) "moved" instead
        ["Head", "P heading", "P text is about pears and plums.", "A heading about apples",
         "A text says that apples grow on trees in many orchards.",
         "D heading on the definitions used in this whole document",
         "D text defines a user as anyone who signs up for an account here.", "Tail"],
        ["Head", "New one.", "New two.", "New three.", "New four.",
         "D heading on the definitions used in this whole document",
         "D text defines a user as anyone who signs up for an account here.", "New five.",
         "P heading", "P text is about pears and peaches.", "A heading about apples",
         "A text says that apples grow on trees in many orchards.", "Tail"],
        [("equal", 0, 0), ("insert", None, 1), ("insert", None, 2), ("insert", None, 3),
         ("insert", None, 4), ("move", 5, 5), ("move", 6, 6), ("insert", None, 7),
         ("equal", 1, 8), ("modify", 2, 9), ("equal", 3, 10), ("equal", 4, 11),
         ("equal", 7, 12)],
        id="swapped-sections-keep-the-most-in-place",
    ),
    pytest.param(
        # every paragraph re-indented: the words are all the same, so each is modified in place
        ["Title", "First paragraph\nwith two lines.", "Second paragraph here.", "Title"],
        ["  Title", "  First paragraph\n  with two lines.", "  Second paragraph here.",
         "  Title"],
        [("modify", 0, 0), ("modify", 1, 1), ("modify", 2, 2), ("modify", 3, 3)],
        id="reindented-document",
    ),
    pytest.param(
        # a paragraph moved to the end and edited on the way (11 of 12 words kept: 0.96), while
        # the paragraph after its old place was rewritten in place
        ["Intro stays.", "We keep your data for thirty days and then we delete it for good.",
         "Cookies help us remember you.", "Contact us by mail."],
        ["Intro stays.", "Cookies help us to remember who you are.", "Contact us by mail.",
         "We keep your data for sixty days and then we delete it for good."],
        [("equal", 0, 0), ("modify", 2, 1), ("equal", 3, 2), ("move", 1, 3)],
        id="moved-and-edited-beside-an-edit",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "expected"), REAL_CASES)
def test_real_world_cases(old: list[str], new: list[str], expected: list[tuple]) -> None:
    assert shape(diff_paragraphs(old, new)) == expected


CAT = "The cat sat on the mat today"  # 7 words: a short paragraph
DOG = "The dog sat on the mat today"  # 2*6/14 = 0.86 like CAT
SEVEN, SEVEN_EDITED = "one two three four five six seven", "one two three four five six nine"
EIGHT, EIGHT_EDITED = f"{SEVEN} eight", f"{SEVEN} nine"
NINE = EIGHT_EDITED
S6 = "one two three four five six ten eleven"
ALIGN_CASES = [
    pytest.param(
        # the common tail is matched first: the old B is the last new one
        ["B"], ["C", "B", "B"],
        [("insert", None, 0), ("insert", None, 1), ("equal", 0, 2)],
        id="common-tail-first",
    ),
    pytest.param(
        # the common tail (CAT) is matched, the rest of the new version is empty: all deleted
        ["B", "Sep", CAT, CAT], [CAT],
        [("delete", 0, None), ("delete", 1, None), ("delete", 2, None), ("equal", 3, 0)],
        id="common-tail-and-nothing-else",
    ),
    pytest.param(
        # two paragraphs swapped, equal on all counts: the first run found (D) stays, the short
        # CAT is moved, as nothing pairs with it in place
        ["D", CAT], [CAT, "D"],
        [("move", 1, 0), ("equal", 0, 1)],
        id="swap-keeps-the-first",
    ),
    pytest.param(
        # B anchors (found once in each); after it "X y z", found twice in the new version, is
        # still matched to its copy there, in order
        ["B", "X y z", CAT], ["X y z", "B", "Long paragraph here", "X y z"],
        [("insert", None, 0), ("equal", 0, 1), ("insert", None, 2), ("equal", 1, 3),
         ("delete", 2, None)],
        id="repeated-text-matched-after-an-anchor",
    ),
    pytest.param(
        # DOG twice in the old version, once in the new: the copy nearer the diagonal (old 2 at
        # new 2) is the one kept; old 0 is rewritten into the first CAT (0.86), A removed, the
        # second CAT added, and the last two removed
        [DOG, "A", DOG, "X y z", "Long paragraph here"], [CAT, CAT, DOG],
        [("modify", 0, 0), ("delete", 1, None), ("insert", None, 1), ("equal", 2, 2),
         ("delete", 3, None), ("delete", 4, None)],
        id="repeated-text-nearest-the-diagonal",
    ),
    pytest.param(
        # a long paragraph moved and also copied: found twice in the new version, which copy is
        # the moved one cannot be told, so it is removed and the two copies added
        ["Head", TEN, "Mid", "Tail"], ["Head", "Mid", TEN, TEN, "Tail"],
        [("equal", 0, 0), ("delete", 1, None), ("equal", 2, 1), ("insert", None, 2),
         ("insert", None, 3), ("equal", 3, 4)],
        id="moved-and-copied-is-not-a-move",
    ),
    pytest.param(
        # EIGHT moved from before Mid to after it, and a rewrite of it (7 of 8 words) put in its
        # old place: 8 words is not short, so it is moved at once and the rewrite is new
        ["Intro", EIGHT, "Mid", "End"], ["Intro", EIGHT_EDITED, "Mid", EIGHT, "End"],
        [("equal", 0, 0), ("insert", None, 1), ("equal", 2, 2), ("move", 1, 3), ("equal", 3, 4)],
        id="eight-words-moved-at-once",
    ),
    pytest.param(
        # the same with 7 words (6 kept in the rewrite): short, so the rewrite in place wins and
        # the copy after Mid is new
        ["Intro", SEVEN, "Mid", "End"], ["Intro", SEVEN_EDITED, "Mid", SEVEN, "End"],
        [("equal", 0, 0), ("modify", 1, 1), ("equal", 2, 2), ("insert", None, 3), ("equal", 3, 4)],
        id="seven-words-rewritten-in-place",
    ),
    pytest.param(
        # DOG (short) moved to the top, L kept its place (nearest the diagonal), B too; DOG is
        # taken by its move, so CAT (0.86 like it) at the end is new, not a second move of it
        ["Long paragraph with many words", DOG, "B"],
        [DOG, "Long paragraph with many words", "B", CAT],
        [("move", 1, 0), ("equal", 0, 1), ("equal", 2, 2), ("insert", None, 3)],
        id="short-move-is-taken",
    ),
    pytest.param(
        # EIGHT once in the old version, twice in the new: no move (which copy?); NINE (7 of its
        # 8 words like EIGHT: 0.875) is its edited move to the top, the first pair scored
        ["Long paragraph with many words", EIGHT, NINE],
        [EIGHT, "A", EIGHT, "Long paragraph with many words"],
        [("move", 2, 0), ("insert", None, 1), ("insert", None, 2), ("equal", 0, 3),
         ("delete", 1, None)],
        id="copies-skipped-then-an-edited-move",
    ),
    pytest.param(
        # CAT has two new paragraphs as like it (DOG, 0.86) after S6 (an anchor): it is the
        # edited move of the first, and the second is new
        [CAT, S6, "Long paragraph with many words"], [S6, DOG, DOG],
        [("equal", 1, 0), ("delete", 2, None), ("move", 0, 1), ("insert", None, 2)],
        id="one-old-paragraph-moves-once",
    ),
    pytest.param(
        # NINE twice, both moved and edited: to EIGHT (0.875), then, that one taken, to S6
        # (2*6/16 = 0.75)
        [NINE, NINE, "Long paragraph here"], ["Long paragraph here", EIGHT, S6, CAT],
        [("equal", 2, 0), ("move", 0, 1), ("move", 1, 2), ("insert", None, 3)],
        id="edited-moves-best-first",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "expected"), ALIGN_CASES)
def test_align_cases(old: list[str], new: list[str], expected: list[tuple]) -> None:
    assert shape(diff_paragraphs(old, new)) == expected


def test_pair_gap_searches_every_pair_up_to_the_limit_then_a_band() -> None:
    # old A B, new Z A' B' (the pairs of "two-rewrites-at-threshold-beat-one-better-pair"):
    # A~A' 0.5, A~B' 0.57, B~A' 0.44, B~B' 0.5
    a, b = "alpha beta gamma delta", "alpha beta x y z"
    a2, b2 = "alpha beta epsilon zeta", "alpha beta red"
    sim = Similarity([a, b], ["Zero one.", a2, b2])
    both = [(0, 1, 0.5), (1, 2, 0.5)]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(engine, "MAX_PAIRING_CANDIDATES", 0)
        mp.setattr(engine, "FULL_GAP_PAIRS", 6)  # 2 x 3 pairs: every one is scored
        assert pair_gap(sim, [0, 1], [0, 1, 2]) == both
        # one fewer: old r is compared with new r*3//2 only, Z with A and A' with B: no pair
        mp.setattr(engine, "FULL_GAP_PAIRS", 5)
        assert pair_gap(sim, [0, 1], [0, 1, 2]) == []
        # one more on each side: A with Z and A', B with all three
        mp.setattr(engine, "MAX_PAIRING_CANDIDATES", 1)
        assert pair_gap(sim, [0, 1], [0, 1, 2]) == both
        # without Z, the band of width 0 is the diagonal: A with A', B with B'
        sim = Similarity([a, b], [a2, b2])
        mp.setattr(engine, "MAX_PAIRING_CANDIDATES", 0)
        mp.setattr(engine, "FULL_GAP_PAIRS", 1)
        assert pair_gap(sim, [0, 1], [0, 1]) == [(0, 0, 0.5), (1, 1, 0.5)]


def test_move_search_pairs_in_place_what_the_band_missed() -> None:
    # with the exhaustive search cut to nothing and a band of width 0, old A is compared with Z
    # only and X with the next; the move search finds A's rewrite in its gap at 0.6 (6/10: in
    # place, the modify bar 0.5 is enough, not the move bar 0.7)
    a, a2 = "red green blue black white", "red green blue pink grey"
    other = "red green blue x y z"  # 2*3/11 = 0.55 like A
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(engine, "FULL_GAP_PAIRS", 1)
        mp.setattr(engine, "MAX_PAIRING_CANDIDATES", 0)
        one = diff_paragraphs(["Intro", a, "Nothing alike.", "End"], ["Intro", "Z", a2, "End"])
        two = diff_paragraphs(
            ["Intro", a, "Nothing alike.", "End"], ["Intro", "Z", other, a2, "End"]
        )
    assert shape(one) == [
        ("equal", 0, 0), ("insert", None, 1), ("modify", 1, 2), ("delete", 2, None),
        ("equal", 3, 3),
    ]  # fmt: skip
    # with another new paragraph like A before its rewrite: A is taken by the better one
    assert shape(two) == [
        ("equal", 0, 0), ("insert", None, 1), ("insert", None, 2), ("modify", 1, 3),
        ("delete", 2, None), ("equal", 3, 4),
    ]  # fmt: skip


def test_reindented_document_is_unchanged_when_ignoring_whitespace() -> None:
    old = [f"Paragraph {k} has\nsome words." for k in range(100)]
    new = ["    " + p.replace("\n", "\n    ") for p in old]
    assert shape(diff_paragraphs(old, new, ignore_whitespace=True)) == [
        ("equal", k, k) for k in range(100)
    ]
    # without the option, one gap of 100 x 100 (banded search): all modified in place
    changes = diff_paragraphs(old, new)
    assert shape(changes) == [("modify", k, k) for k in range(100)]
    assert changes[0].inline == [
        ("+", "    "), ("=", "Paragraph 0 has"), ("-", "\n"), ("+", "\n    "), ("=", "some words.")
    ]  # fmt: skip


def test_long_gap_pairs_what_the_band_misses() -> None:
    # one gap of 80 old x 110 new paragraphs: 30 new ones on top, then the 80 old ones each with
    # one word of six changed (0.83). The band compares old r with new ~1.375 r +- 8, which
    # misses the true partner r + 30 for r < 59; the move search must still pair those in place.
    def para(k: int, last: str) -> str:
        return " ".join(f"{w}{k}" for w in ("alpha", "bravo", "charlie", "delta", "echo", last))

    old = [para(k, "foxtrot") for k in range(80)]
    new = [f"Brand new q{m}a q{m}b q{m}c q{m}d." for m in range(30)]
    new += [para(k, "golf") for k in range(80)]
    assert shape(diff_paragraphs(old, new)) == [("insert", None, m) for m in range(30)] + [
        ("modify", k, k + 30) for k in range(80)
    ]


def test_modify_carries_word_inline() -> None:
    (change, _) = diff_paragraphs(
        ["The quick brown fox jumps.", "End."], ["The quick red fox jumps.", "End."]
    )
    assert change.op == "modify" and change.edited
    assert change.inline == [
        ("=", "The quick "),
        ("-", "brown"),
        ("+", "red"),
        ("=", " fox jumps."),
    ]
    assert change.text == "The quick red fox jumps."


def test_without_inline_an_edit_has_no_word_diff() -> None:
    (change, same) = diff_paragraphs(
        ["The quick brown fox jumps.", "End."], ["The quick red fox jumps.", "End."], inline=False
    )
    assert (change.op, change.edited, change.inline) == ("modify", True, None)
    assert same.op == "equal"


def test_moved_edited_carries_inline_and_unedited_does_not() -> None:
    old = ["Intro stays here.", "The moving paragraph has several words in it.", "Middle one.",
           "Middle two.", "End stays here."]  # fmt: skip
    new = ["Intro stays here.", "Middle one.", "Middle two.",
           "The moving paragraph has many words in it.", "End stays here."]  # fmt: skip
    moved = [c for c in diff_paragraphs(old, new) if c.op == "move"]
    assert len(moved) == 1 and moved[0].edited
    assert moved[0].inline == [
        ("=", "The moving paragraph has "),
        ("-", "several"),
        ("+", "many"),
        ("=", " words in it."),
    ]
    assert moved[0].text == new[3]
    plain = diff_paragraphs(["A one", "B two", "C three"], ["B two", "C three", "A one"])
    assert [(c.op, c.edited, c.inline, c.text) for c in plain if c.op == "move"] == [
        ("move", False, None, "A one")
    ]


def test_repeated_identical_paragraphs_insert() -> None:
    old = ["Sep", "A text", "Sep", "B text", "Sep"]
    new = ["Sep", "A text", "Sep", "New text here", "Sep", "B text", "Sep"]
    changes = diff_paragraphs(old, new)
    # all five old paragraphs survive; which "Sep" counts as the new one is a tie
    assert stats(changes) == {
        "added": 2, "removed": 0, "modified": 0, "moved": 0, "unchanged": 5, "split": 0, "merged": 0
    }  # fmt: skip
    assert sorted(c.text for c in changes if c.op == "insert") == ["New text here", "Sep"]


def test_whitespace_only_change() -> None:
    old, new = ["Hello world.", "B para."], ["Hello   world. ", "B para."]
    (change, same) = diff_paragraphs(old, new)
    assert (change.op, change.old, change.new) == ("modify", 0, 0)
    assert change.inline == [("=", "Hello"), ("-", " "), ("+", "   "), ("=", "world."), ("+", " ")]
    assert same.op == "equal"

    changes = diff_paragraphs(old, new, ignore_whitespace=True)
    assert shape(changes) == [("equal", 0, 0), ("equal", 1, 1)]
    assert changes[0].text == "Hello   world. "  # the new text
    assert changes[0].inline is None and not changes[0].edited


def test_ignore_whitespace_move_is_unedited() -> None:
    old = ["Moved  para here.", "Stay one.", "Stay two."]
    new = ["Stay one.", "Stay two.", "Moved para here."]
    changes = diff_paragraphs(old, new, ignore_whitespace=True)
    assert shape(changes) == [("equal", 1, 0), ("equal", 2, 1), ("move", 0, 2)]
    assert changes[2].inline is None and changes[2].text == "Moved para here."


def test_char_vs_word_granularity() -> None:
    old, new = ["The colour of the sky is grey."], ["The color of the sky is gray."]
    (word,) = diff_paragraphs(old, new)
    assert word.op == "modify"
    assert word.inline == [
        ("=", "The "),
        ("-", "colour"),
        ("+", "color"),
        ("=", " of the sky is "),
        ("-", "grey"),
        ("+", "gray"),
        ("=", "."),
    ]
    (char,) = diff_paragraphs(old, new, granularity="char")
    assert char.inline == [
        ("=", "The colo"),
        ("-", "u"),
        ("=", "r of the sky is gr"),
        ("-", "e"),
        ("+", "a"),
        ("=", "y."),
    ]


def test_inline_diff_word_merges_whitespace_islands() -> None:
    # "the cat" -> "a dog": the single space between the two changed words joins the change
    assert inline_diff("the cat sat on the mat", "a dog sat on a rug") == [
        ("-", "the cat"),
        ("+", "a dog"),
        ("=", " sat on "),
        ("-", "the mat"),
        ("+", "a rug"),
    ]
    assert inline_diff("Hello world.", "Hello, world!") == [
        ("=", "Hello"),
        ("+", ","),
        ("=", " world"),
        ("-", "."),
        ("+", "!"),
    ]
    assert inline_diff("same", "same") == [("=", "same")]
    assert inline_diff("", "new words") == [("+", "new words")]
    assert inline_diff("old words", "") == [("-", "old words")]
    assert inline_diff("", "") == []


def test_unknown_granularity_is_rejected() -> None:
    with pytest.raises(ValueError, match="granularity"):
        diff_paragraphs(["a"], ["b"], granularity="line")
    with pytest.raises(ValueError, match="granularity"):
        inline_diff("a", "b", granularity="sentence")


def test_thresholds_are_ordered() -> None:
    assert 0 < MODIFY_SIMILARITY < MOVE_SIMILARITY <= 1


def test_stats_counts_each_kind() -> None:
    changes = diff_paragraphs(
        ["Title here", "First paragraph stays.", "Second paragraph will be edited slightly today.",
         "Third goes away entirely now.", "Fourth stays too.", "Moved along to the end."],
        ["Title here", "First paragraph stays.",
         "Second paragraph will be edited slightly tomorrow.", "Fourth stays too.",
         "A brand new closing paragraph.", "Moved along to the end."],
    )  # fmt: skip
    # "Moved along" keeps its place after the new paragraph: it is equal, not moved
    assert stats(changes) == {
        "added": 1, "removed": 1, "modified": 1, "moved": 0, "unchanged": 4, "split": 0, "merged": 0
    }  # fmt: skip
    assert stats([]) == dict.fromkeys(STATS, 0)
    assert list(STATS) == ["added", "removed", "modified", "moved", "unchanged", "split", "merged"]


def test_large_gap_still_pairs_edits() -> None:
    # 150 paragraphs all edited: the gap is too big to compare every pair, the band finds them
    old = [f"Paragraph number {k} talks about subject {k * 7} in detail." for k in range(150)]
    new = [f"Paragraph number {k} talks about topic {k * 7} in detail." for k in range(150)]
    changes = diff_paragraphs(old, new)
    assert shape(changes) == [("modify", k, k) for k in range(150)]


# --------------------------------------------------------------------------- splits and merges

S1 = "We collect your name and email address when you sign up."  # 11 words
S2 = "We use them to send you the newsletter every month."  # 10 words
S3 = "You can unsubscribe at any time from the settings page."  # 10 words
S4 = "Deleted accounts are erased within thirty days."  # 7 words
OTHER = "Our office is closed on public holidays in spring and summer."


def split_shape(changes: list[Change]) -> list[tuple]:
    return [(c.op, c.old, c.new, c.split_from, c.merged_into) for c in changes]


SPLIT_CASES = [
    pytest.param(
        # 21 words cut in two: the bigger piece (S1, 2*11/32 = 0.69) is the modify, S2 (every one
        # of its words from the old paragraph, in order, and none in S1) is the split-off piece
        ["Intro.", f"{S1} {S2}", "End."],
        ["Intro.", S1, S2, "End."],
        [("equal", 0, 0, None, None), ("modify", 1, 1, None, None),
         ("insert", None, 2, 1, None), ("equal", 2, 3, None, None)],
        id="split-in-two",
    ),
    pytest.param(
        ["Intro.", f"{S1} {S2} {S3}", "End."],
        ["Intro.", S1, S2, S3, "End."],
        [("equal", 0, 0, None, None), ("modify", 1, 1, None, None),
         ("insert", None, 2, 1, None), ("insert", None, 3, 1, None), ("equal", 2, 4, None, None)],
        id="split-in-three",
    ),
    pytest.param(
        # four pieces: even the biggest (S1) is too unlike the whole to be paired (2*11/50 =
        # 0.44), yet together they are all of it: S1 becomes the modify, the others pieces
        ["Intro.", f"{S1} {S2} {S3} {S4}", "End."],
        ["Intro.", S1, S2, S3, S4, "End."],
        [("equal", 0, 0, None, None), ("modify", 1, 1, None, None),
         ("insert", None, 2, 1, None), ("insert", None, 3, 1, None),
         ("insert", None, 4, 1, None), ("equal", 2, 5, None, None)],
        id="split-in-four-none-paired-alone",
    ),
    pytest.param(
        # the smaller piece first: the modify is still the bigger one, the piece before it
        ["Intro.", f"{S4} {S1}", "End."],
        ["Intro.", S4, S1, "End."],
        [("equal", 0, 0, None, None), ("insert", None, 1, 1, None), ("modify", 1, 2, None, None),
         ("equal", 2, 3, None, None)],
        id="split-bigger-piece-second",
    ),
    pytest.param(
        # split with light edits: S2 lost "every" and gained "each"; still 9 of its 10 words
        ["Intro.", f"{S1} {S2}", "End."],
        ["Intro.", S1, S2.replace("every", "each"), "End."],
        [("equal", 0, 0, None, None), ("modify", 1, 1, None, None),
         ("insert", None, 2, 1, None), ("equal", 2, 3, None, None)],
        id="split-with-an-edit",
    ),
    pytest.param(
        # cut in four and moved below the next paragraph (itself edited in place): the biggest
        # piece is an edited move, since a modify would cross the other paragraph's
        ["Intro.", f"{S1} {S2} {S3} {S4}", OTHER, "End."],
        ["Intro.", OTHER.replace("summer", "autumn"), S1, S2, S3, S4, "End."],
        [("equal", 0, 0, None, None), ("modify", 2, 1, None, None), ("move", 1, 2, None, None),
         ("insert", None, 3, 1, None), ("insert", None, 4, 1, None),
         ("insert", None, 5, 1, None), ("equal", 3, 6, None, None)],
        id="split-in-four-and-moved",
    ),
    pytest.param(
        ["Intro.", S1, S2, "End."],
        ["Intro.", f"{S1} {S2}", "End."],
        [("equal", 0, 0, None, None), ("modify", 1, 1, None, None),
         ("delete", 2, None, None, 1), ("equal", 3, 2, None, None)],
        id="merge-of-two",
    ),
    pytest.param(
        ["Intro.", S1, S2, S3, "End."],
        ["Intro.", f"{S1} {S2} {S3}", "End."],
        [("equal", 0, 0, None, None), ("modify", 1, 1, None, None),
         ("delete", 2, None, None, 1), ("delete", 3, None, None, 1), ("equal", 4, 2, None, None)],
        id="merge-of-three",
    ),
    pytest.param(
        # the smaller part first: it is the one merged into the bigger part's new paragraph
        ["Intro.", S4, S1, "End."],
        ["Intro.", f"{S4} {S1}", "End."],
        [("equal", 0, 0, None, None), ("delete", 1, None, None, 1), ("modify", 2, 1, None, None),
         ("equal", 3, 2, None, None)],
        id="merge-smaller-part-first",
    ),
    pytest.param(
        # an unrelated new paragraph next to an edited one is not a piece of it
        ["Intro.", f"{S1} {S2}", "End."],
        ["Intro.", f"{S1} {S2.replace('every month', 'each week')}", OTHER, "End."],
        [("equal", 0, 0, None, None), ("modify", 1, 1, None, None),
         ("insert", None, 2, None, None), ("equal", 2, 3, None, None)],
        id="unrelated-insert-beside-an-edit-is-not-a-split",
    ),
    pytest.param(
        # a new paragraph repeating what the edited one still says adds none of the old text
        ["Intro.", f"{S1} {S2}", "End."],
        ["Intro.", f"{S1} {S2.replace('every month', 'each week')}", S1, "End."],
        [("equal", 0, 0, None, None), ("modify", 1, 1, None, None),
         ("insert", None, 2, None, None), ("equal", 2, 3, None, None)],
        id="repeating-insert-beside-an-edit-is-not-a-split",
    ),
    pytest.param(
        # the second half was dropped and an unrelated paragraph added: not a split either
        ["Intro.", f"{S1} {S2}", "End."],
        ["Intro.", S1, OTHER, "End."],
        [("equal", 0, 0, None, None), ("modify", 1, 1, None, None),
         ("insert", None, 2, None, None), ("equal", 2, 3, None, None)],
        id="half-dropped-and-unrelated-added-is-not-a-split",
    ),
    pytest.param(
        # an unrelated paragraph removed next to an edited one was not merged into it
        ["Intro.", f"{S1} {S2}", OTHER, "End."],
        ["Intro.", f"{S1} {S2.replace('every month', 'each week')}", "End."],
        [("equal", 0, 0, None, None), ("modify", 1, 1, None, None),
         ("delete", 2, None, None, None), ("equal", 3, 2, None, None)],
        id="unrelated-delete-beside-an-edit-is-not-a-merge",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "expected"), SPLIT_CASES)
def test_split_and_merge_cases(old: list[str], new: list[str], expected: list[tuple]) -> None:
    changes = diff_paragraphs(old, new)
    assert split_shape(changes) == expected
    n = stats(changes)
    assert n["split"] == sum(1 for c in changes if c.split_from is not None) <= n["added"]
    assert n["merged"] == sum(1 for c in changes if c.merged_into is not None) <= n["removed"]


def test_split_stats_and_inline() -> None:
    changes = diff_paragraphs(["Intro.", f"{S1} {S2}", "End."], ["Intro.", S1, S2, "End."])
    assert stats(changes) == {
        "added": 1, "removed": 0, "modified": 1, "moved": 0, "unchanged": 2, "split": 1, "merged": 0
    }  # fmt: skip
    # the modify shows what left the paragraph; the piece is shown whole, where it went
    assert changes[1].inline == [("=", S1), ("-", f" {S2}")]
    assert changes[2].text == S2 and changes[2].inline is None


def test_split_into_one_word_pieces_pairs_the_first_of_equal_anchors() -> None:
    # four words cut into four one-word paragraphs: each keeps 1 of 4 + 1 words (2*1/5 = 0.4, not
    # a rewrite), and each holds as many of the whole's words as any other (one): the first one
    # is the modify, the three after it are its pieces (and the same merged back)
    whole = ["Intro.", "alpha beta gamma delta", "End."]
    pieces = ["Intro.", "alpha", "beta", "gamma", "delta", "End."]
    assert split_shape(diff_paragraphs(whole, pieces)) == [
        ("equal", 0, 0, None, None), ("modify", 1, 1, None, None), ("insert", None, 2, 1, None),
        ("insert", None, 3, 1, None), ("insert", None, 4, 1, None), ("equal", 2, 5, None, None),
    ]  # fmt: skip
    assert split_shape(diff_paragraphs(pieces, whole)) == [
        ("equal", 0, 0, None, None), ("modify", 1, 1, None, None), ("delete", 2, None, None, 1),
        ("delete", 3, None, None, 1), ("delete", 4, None, None, 1), ("equal", 5, 2, None, None),
    ]  # fmt: skip


def test_split_anchor_needs_three_quarters_of_its_words_from_the_whole() -> None:
    # "alpha extra" has 1 of its 2 words from the whole (under 3/4): the split is grown from
    # "beta" instead, and "alpha extra" is no piece of it either (its 2 words need 1.5 of the
    # whole's that the others leave, and they leave 1): "beta" is the modify, "gamma", "delta"
    # and "epsilon" its pieces (4 of 5 words, 0.8), "alpha extra" an insert of its own
    old = ["Intro.", "alpha beta gamma delta epsilon", "End."]
    new = ["Intro.", "alpha extra", "beta", "gamma", "delta", "epsilon", "End."]
    assert split_shape(diff_paragraphs(old, new)) == [
        ("equal", 0, 0, None, None), ("insert", None, 1, None, None), ("modify", 1, 2, None, None),
        ("insert", None, 3, 1, None), ("insert", None, 4, 1, None), ("insert", None, 5, 1, None),
        ("equal", 2, 6, None, None),
    ]  # fmt: skip


def test_a_paired_paragraph_is_no_piece_of_a_split() -> None:
    # "alpha beta!" is the rewrite of "alpha beta" (same words); it also holds 2 of the 5 words
    # of the unpaired paragraph, more than any free one, but it is taken: the split is looked for
    # from "gamma", and "gamma delta epsilon" (3 of 5) is too little of it
    old = ["Intro.", "alpha beta", "alpha beta gamma delta epsilon", "End."]
    new = ["Intro.", "alpha beta!", "gamma", "delta", "epsilon", "End."]
    assert split_shape(diff_paragraphs(old, new)) == [
        ("equal", 0, 0, None, None), ("modify", 1, 1, None, None), ("delete", 2, None, None, None),
        ("insert", None, 2, None, None), ("insert", None, 3, None, None),
        ("insert", None, 4, None, None), ("equal", 3, 5, None, None),
    ]  # fmt: skip


def test_split_anchor_with_exactly_three_quarters_of_its_words() -> None:
    # twelve words cut in four; the first piece changed one word of four (3 of 4 from the whole,
    # exactly the share needed) and holds as many of the whole's words as each other piece (3):
    # it is the modify. No piece is a rewrite on its own (2*3/16 and 2*3/15 are under 0.5).
    old = ["Intro.", TWELVE, "End."]
    new = ["Intro.", "one two three extra", "four five six", "seven eight nine",
           "ten eleven twelve", "End."]  # fmt: skip
    assert split_shape(diff_paragraphs(old, new)) == [
        ("equal", 0, 0, None, None), ("modify", 1, 1, None, None), ("insert", None, 2, 1, None),
        ("insert", None, 3, 1, None), ("insert", None, 4, 1, None), ("equal", 2, 5, None, None),
    ]  # fmt: skip


def test_split_anchor_between_a_third_and_half_of_the_whole() -> None:
    # twelve words in four pieces; the first has 4 of its 5 words from the whole (2*4/17 = 0.47,
    # no rewrite alone), more than any other piece, and is under half the whole: the modify
    old = ["Intro.", TWELVE, "End."]
    new = ["Intro.", "one two three four extra", "five six seven", "eight nine ten",
           "eleven twelve", "End."]  # fmt: skip
    assert split_shape(diff_paragraphs(old, new)) == [
        ("equal", 0, 0, None, None), ("modify", 1, 1, None, None), ("insert", None, 2, 1, None),
        ("insert", None, 3, 1, None), ("insert", None, 4, 1, None), ("equal", 2, 5, None, None),
    ]  # fmt: skip


def test_split_anchor_is_under_half_the_whole() -> None:
    # "Cats, dogs, birds!" rewrites "Cats dogs birds." in place (1.0), so the eight-word
    # paragraph before it, cut in two halves after it, is left unpaired (2*4/12 = 0.67 with
    # either half: not enough to cross the rewrite as a move). A half is not under half of it:
    # no anchor, no split; a removal and two additions.
    eight = "one two three four five six seven eight"
    old = ["Intro.", eight, "Cats dogs birds.", "End."]
    new = ["Intro.", "Cats, dogs, birds!", "one two three four", "five six seven eight", "End."]
    assert split_shape(diff_paragraphs(old, new)) == [
        ("equal", 0, 0, None, None), ("delete", 1, None, None, None), ("modify", 2, 1, None, None),
        ("insert", None, 2, None, None), ("insert", None, 3, None, None),
        ("equal", 3, 4, None, None),
    ]  # fmt: skip


TWENTY = " ".join(f"word{k}" for k in range(1, 21))
FIRST_SIXTEEN = " ".join(f"word{k}" for k in range(1, 17))


@pytest.mark.parametrize(
    ("beside", "piece"),
    [
        ("other words here now", False),  # none of the whole's words
        ("word17 other words here", False),  # 1 of its 4 words from the whole: under 3/4
        ("word17 word18 word19 other", True),  # 3 of 4: exactly the share needed
    ],
)
def test_piece_beside_an_edit_needs_three_quarters_of_its_words(beside: str, piece: bool) -> None:
    # the rewrite keeps 16 of 20 words (0.89), exactly the coverage a split needs: whether the
    # paragraph after it is a piece depends only on how much of it comes from the rest
    changes = diff_paragraphs(["Intro.", TWENTY, "End."], ["Intro.", FIRST_SIXTEEN, beside, "End."])
    assert split_shape(changes) == [
        ("equal", 0, 0, None, None), ("modify", 1, 1, None, None),
        ("insert", None, 2, 1 if piece else None, None), ("equal", 2, 3, None, None),
    ]  # fmt: skip


def test_piece_holding_all_the_rest_at_exactly_three_quarters() -> None:
    # seven words; the rewrite keeps four (2*4/11 = 0.73), the piece after it has 3 of its 4 words
    # from the whole, exactly the share needed and all that is left of it: a split
    old = ["Intro.", "one two three four five six seven", "End."]
    new = ["Intro.", "one two three four", "five six seven extra", "End."]
    assert split_shape(diff_paragraphs(old, new)) == [
        ("equal", 0, 0, None, None), ("modify", 1, 1, None, None), ("insert", None, 2, 1, None),
        ("equal", 2, 3, None, None),
    ]  # fmt: skip


def test_two_unpaired_paragraphs_split_in_one_gap() -> None:
    # two paragraphs cut into one-word pieces. The first is grown from "alpha"; the second
    # shares "alpha" too, but it is taken: it grows from "red", and "red green blue black" is 4
    # of its 5 words (0.8). Both pieces keep their order: two modifies.
    old = ["Intro.", "alpha beta gamma delta", "alpha red green blue black", "End."]
    new = ["Intro.", "alpha", "beta", "gamma", "delta", "red", "green", "blue", "black", "End."]
    assert split_shape(diff_paragraphs(old, new)) == [
        ("equal", 0, 0, None, None), ("modify", 1, 1, None, None),
        ("insert", None, 2, 1, None), ("insert", None, 3, 1, None), ("insert", None, 4, 1, None),
        ("modify", 2, 5, None, None),
        ("insert", None, 6, 2, None), ("insert", None, 7, 2, None), ("insert", None, 8, 2, None),
        ("equal", 3, 9, None, None),
    ]  # fmt: skip
    # and merged back
    assert split_shape(diff_paragraphs(new, old)) == [
        ("equal", 0, 0, None, None), ("modify", 1, 1, None, None),
        ("delete", 2, None, None, 1), ("delete", 3, None, None, 1), ("delete", 4, None, None, 1),
        ("modify", 5, 2, None, None),
        ("delete", 6, None, None, 2), ("delete", 7, None, None, 2), ("delete", 8, None, None, 2),
        ("equal", 9, 3, None, None),
    ]  # fmt: skip


def test_a_failed_anchor_stays_free_for_the_next_split() -> None:
    # the first paragraph's best piece is "red" (1 word, from it), but its words run out after
    # "green" (2 of 6); "red" is then the anchor of the second one, all four pieces of it
    old = ["Intro.", "red green one two three four", "red green blue black", "End."]
    new = ["Intro.", "red", "green", "blue", "black", "End."]
    assert split_shape(diff_paragraphs(old, new)) == [
        ("equal", 0, 0, None, None), ("delete", 1, None, None, None), ("modify", 2, 1, None, None),
        ("insert", None, 2, 2, None), ("insert", None, 3, 2, None), ("insert", None, 4, 2, None),
        ("equal", 3, 5, None, None),
    ]  # fmt: skip
    assert split_shape(diff_paragraphs(new, old)) == [
        ("equal", 0, 0, None, None), ("insert", None, 1, None, None), ("modify", 1, 2, None, None),
        ("delete", 2, None, None, 2), ("delete", 3, None, None, 2), ("delete", 4, None, None, 2),
        ("equal", 5, 3, None, None),
    ]  # fmt: skip


def test_a_piece_belongs_to_one_split_only() -> None:
    # "p1 p2 p3 p4" is the end of the first paragraph and the start of the second, both edited
    # in place (8 of 12 words kept, 0.8): it is a piece of the first, which comes first
    x8 = " ".join(f"x{k}" for k in range(1, 9))
    y8 = " ".join(f"y{k}" for k in range(1, 9))
    p4 = "p1 p2 p3 p4"
    old = ["Intro.", f"{x8} {p4}", f"{p4} {y8}", "End."]
    new = ["Intro.", x8, p4, y8, "End."]
    assert split_shape(diff_paragraphs(old, new)) == [
        ("equal", 0, 0, None, None), ("modify", 1, 1, None, None), ("insert", None, 2, 1, None),
        ("modify", 2, 3, None, None), ("equal", 3, 4, None, None),
    ]  # fmt: skip
    assert split_shape(diff_paragraphs(new, old)) == [
        ("equal", 0, 0, None, None), ("modify", 1, 1, None, None), ("delete", 2, None, None, 1),
        ("modify", 3, 2, None, None), ("equal", 4, 3, None, None),
    ]  # fmt: skip


def test_pieces_of_a_paragraph_kept_whole_are_not_a_split() -> None:
    # the paragraph is still there (its full stop added), so the four words that follow are
    # additions, not pieces of it; and the other way round, removals
    old = ["Intro.", "alpha beta gamma delta", "End."]
    new = ["Intro.", "alpha beta gamma delta!", "alpha", "beta", "gamma", "delta", "End."]
    assert split_shape(diff_paragraphs(old, new)) == [
        ("equal", 0, 0, None, None), ("modify", 1, 1, None, None),
        ("insert", None, 2, None, None), ("insert", None, 3, None, None),
        ("insert", None, 4, None, None), ("insert", None, 5, None, None),
        ("equal", 2, 6, None, None),
    ]  # fmt: skip
    assert split_shape(diff_paragraphs(new, old)) == [
        ("equal", 0, 0, None, None), ("modify", 1, 1, None, None),
        ("delete", 2, None, None, None), ("delete", 3, None, None, None),
        ("delete", 4, None, None, None), ("delete", 5, None, None, None),
        ("equal", 6, 2, None, None),
    ]  # fmt: skip


def test_a_paragraph_split_is_not_also_a_part_of_a_merge() -> None:
    # "alpha beta gamma delta" is cut into its four words; the 13-word paragraph after them
    # repeats it and the three 3-word paragraphs that followed it (each too unlike it to pair:
    # 2*4/17, 2*3/16). It is taken by its split, so only those three are left to make the long
    # one, 9 of its 13 words (under 0.8): no merge, the long one is new.
    v1, v2, v3 = "v1 v2 v3", "u1 u2 u3", "t1 t2 t3"
    old = ["Intro.", "alpha beta gamma delta", v1, v2, v3, "End."]
    new = ["Intro.", "alpha", "beta", "gamma", "delta",
           f"alpha beta gamma delta {v1} {v2} {v3}", "End."]  # fmt: skip
    assert split_shape(diff_paragraphs(old, new)) == [
        ("equal", 0, 0, None, None), ("modify", 1, 1, None, None),
        ("delete", 2, None, None, None), ("delete", 3, None, None, None),
        ("delete", 4, None, None, None),
        ("insert", None, 2, 1, None), ("insert", None, 3, 1, None), ("insert", None, 4, 1, None),
        ("insert", None, 5, None, None), ("equal", 5, 6, None, None),
    ]  # fmt: skip


def test_split_in_two_across_a_rewrite_is_an_edited_move() -> None:
    # ten words cut in two pieces placed after the next paragraph's rewrite: neither piece is
    # alike enough to cross that rewrite as a move (2*4/14 = 0.57, 2*5/15 = 0.67), but the
    # smaller is under half the whole and together they hold 9 of its 10 words: the smaller is
    # its edited move (a modify would cross the rewrite), the other a piece
    old = ["Intro.", TEN, "Cats dogs birds.", "End."]
    new = ["Intro.", "Cats, dogs, birds!", "one two three four", "five six seven eight nine",
           "End."]  # fmt: skip
    changes = diff_paragraphs(old, new)
    assert split_shape(changes) == [
        ("equal", 0, 0, None, None), ("modify", 2, 1, None, None), ("move", 1, 2, None, None),
        ("insert", None, 3, 1, None), ("equal", 3, 4, None, None),
    ]  # fmt: skip
    assert changes[2].edited
    # and merged back
    changes = diff_paragraphs(new, old)
    assert split_shape(changes) == [
        ("equal", 0, 0, None, None), ("move", 2, 1, None, None), ("delete", 3, None, None, 1),
        ("modify", 1, 2, None, None), ("equal", 4, 3, None, None),
    ]  # fmt: skip
    assert changes[1].edited


def test_split_pieces_found_in_the_band_of_a_large_gap() -> None:
    # with the exhaustive search cut to nothing, the pieces are looked for near the paragraph's
    # place in its gap: the first new paragraphs of it, where they are
    whole = ["Intro.", "alpha beta gamma delta", "End."]
    pieces = ["Intro.", "alpha", "beta", "gamma", "delta", "End."]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(engine, "FULL_GAP_PAIRS", 1)
        mp.setattr(engine, "MAX_PAIRING_CANDIDATES", 1)
        split = diff_paragraphs(whole, pieces)
        merge = diff_paragraphs(pieces, whole)
    assert split_shape(split) == [
        ("equal", 0, 0, None, None), ("modify", 1, 1, None, None), ("insert", None, 2, 1, None),
        ("insert", None, 3, 1, None), ("insert", None, 4, 1, None), ("equal", 2, 5, None, None),
    ]  # fmt: skip
    assert split_shape(merge) == [
        ("equal", 0, 0, None, None), ("modify", 1, 1, None, None), ("delete", 2, None, None, 1),
        ("delete", 3, None, None, 1), ("delete", 4, None, None, 1), ("equal", 5, 2, None, None),
    ]  # fmt: skip


def test_band_of_a_large_gap() -> None:
    # 10 new paragraphs (10-19), the old one at position 3 of 5: its place is 10 + 3*10//5 = 16,
    # and with 2 candidates either side the band is 14-18. A gap at the limit is searched whole.
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(engine, "FULL_GAP_PAIRS", 50)
        mp.setattr(engine, "MAX_PAIRING_CANDIDATES", 2)
        assert _band(range(10, 20), 3, 5, 50) == range(10, 20)
        assert _band(range(10, 20), 3, 5, 51) == range(14, 19)
        assert _band(range(10, 20), 0, 5, 51) == range(10, 13)  # cut at the gap's start
        assert _band(range(10, 20), 4, 5, 51) == range(16, 20)  # and at its end


def test_move_candidates_all_pairs_up_to_the_limit() -> None:
    sim = Similarity(["a b", "c d", "e f", "g h"], ["a b", "c d"])
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(engine, "FULL_GAP_PAIRS", 4)  # 2 x 2 pairs: every one
        assert move_candidates(sim, [0, 1], [0, 1]) == [(0, 0), (1, 0), (0, 1), (1, 1)]
        mp.setattr(engine, "FULL_GAP_PAIRS", 3)  # 2 x 2 is more: the rare-word index
        mp.setattr(engine, "MAX_MOVE_CANDIDATES", 1)
        assert move_candidates(sim, [0, 1], [0, 1]) == [(0, 0), (1, 1)]
        # 4 x 2 = 8 pairs is more than 3 (though 4 / 2 is not)
        assert move_candidates(sim, [0, 1, 2, 3], [0, 1]) == [(0, 0), (1, 1)]


def test_move_candidates_from_the_rarest_words() -> None:
    old = ["plum", "fig pear", "pear kiwi", "apple"]
    # the index: plum -> 0, fig -> 1, pear -> 1 2, kiwi -> 2, apple -> 3
    sim = Similarity(old, ["plum pear fig", "pear plum", "fig plum"])
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(engine, "FULL_GAP_PAIRS", 1)
        mp.setattr(engine, "MAX_MOVE_POSTINGS", 2)  # pear, in two old paragraphs, still counts
        mp.setattr(engine, "MOVE_INDEX_WORDS", 3)
        mp.setattr(engine, "MAX_MOVE_CANDIDATES", 2)
        # plum, fig and pear hit old 0 once, old 1 twice, old 2 once: old 1, then the first of
        # the tied ones, old 0
        assert move_candidates(sim, [0, 1, 2, 3], [0]) == [(1, 0), (0, 0)]
        # fig (old 1) is looked up before plum (old 0), one hit each: the lower index first
        assert move_candidates(sim, [0, 1, 2, 3], [2]) == [(0, 2), (1, 2)]
        mp.setattr(engine, "MOVE_INDEX_WORDS", 1)
        # one word only: the rarest, plum (one paragraph), not pear (two)
        assert move_candidates(sim, [0, 1, 2, 3], [1]) == [(0, 1)]
        mp.setattr(engine, "MAX_MOVE_POSTINGS", 1)  # now pear is too common to count
        mp.setattr(engine, "MOVE_INDEX_WORDS", 3)
        assert move_candidates(sim, [0, 1, 2, 3], [0]) == [(0, 0), (1, 0)]


def test_best_chain_keeps_order_and_the_largest_total() -> None:
    # (old, new, score): old 0 with new 0 (0.9) then old 1 with new 3 (0.9) is the best chain,
    # 1.8; old 0 with new 1 or 2 (0.5) before it would give only 1.4
    cands = [(0, 0, 0.9), (0, 1, 0.5), (0, 2, 0.5), (1, 3, 0.9)]
    assert _best_chain(cands) == [(0, 0, 0.9), (1, 3, 0.9)]
    # the same with five new paragraphs: old 0 with new 2 (0.9) still leads to old 1 with new 4
    cands = [(0, 0, 0.5), (0, 1, 0.5), (0, 2, 0.9), (0, 3, 0.5), (1, 4, 0.9)]
    assert _best_chain(cands) == [(0, 2, 0.9), (1, 4, 0.9)]
    # two pairs with one new paragraph are not a chain; of equal ones the first is kept
    assert _best_chain([(0, 5, 0.6), (1, 5, 0.6)]) == [(0, 5, 0.6)]
    # a crossing pair: the better one alone
    assert _best_chain([(0, 1, 0.6), (1, 0, 0.8)]) == [(1, 0, 0.8)]
    assert _best_chain([]) == []


def test_similarity_score() -> None:
    sim = Similarity(["* * *", "alpha", "alpha beta"], ["***", "alpha beta gamma delta", "---"])
    # two paragraphs without words: alike if the same but for whitespace
    assert sim.score(0, 0, MODIFY_SIMILARITY) == 1.0
    assert sim.score(0, 2, MODIFY_SIMILARITY) == 0.0
    # 1 word and 4, 1 in common: 2*1/5 = 0.4, below 0.5 by length alone (2*1 < 0.5*5): 0.0
    assert sim.score(1, 1, 0.5) == 0.0
    assert sim.score(1, 1, 0.4) == 0.4
    # 2 and 4 words, both in common: 2*2/6
    assert sim.score(2, 1, 0.5) == pytest.approx(2 / 3)
    # ten words each: 0.5 needs 5 in common; counting gives up below 4 (one less, against
    # rounding), so 3 in common scores 0.0 and 4 their real 2*4/20
    sim = Similarity([TEN], ["one two three a b c d e f g", "one two three four a b c d e f"])
    assert sim.score(0, 0, 0.5) == 0.0
    assert sim.score(0, 1, 0.5) == 0.4


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(st.sampled_from("ab é_1.  ,\n"), max_size=80), min_size=1, max_size=30).map(
        ". ".join
    )
)
def test_words_of_long_texts_come_sentence_by_sentence_exactly(text: str) -> None:
    # the sentence cache must give WORD.findall's words, whatever sits around each ". "
    # (every text goes sentence by sentence here, however short)
    limit = engine.LONG_TEXT
    engine.LONG_TEXT = 0
    try:
        assert _tokens(text) == inline_module.WORD.findall(text)
        assert _tokens(text + " x") == inline_module.WORD.findall(text + " x")  # now cached
    finally:
        engine.LONG_TEXT = limit


def test_words_of_an_edited_long_paragraph_reuse_its_unchanged_sentences() -> None:
    sentences = [f"Sentence {n} says what it says about clause {n}" for n in range(40)]
    before = ". ".join(sentences) + "."
    after = before.replace("clause 17", "clause 71")
    assert len(before) >= LONG_TEXT
    _tokens(before)
    held = _sentences_memo.chars
    assert _tokens(after) == inline_module.WORD.findall(after)
    # only the one new sentence was split and kept: the 39 others came from the cache
    new_sentence = "Sentence 17 says what it says about clause 71"
    assert new_sentence in after
    assert _sentences_memo.chars - held == len(new_sentence) + 64


def test_the_word_caches_hold_a_budget_of_characters_not_huge_texts() -> None:
    memo = _Memo(budget=800)
    assert memo.keep("a" * 36, 1) == 1 and memo.chars == 100  # 36 characters + 64 per entry
    assert memo.keep("b" * 37, 2) == 2 and "b" * 37 not in memo  # over an eighth of the budget
    for n in range(7):
        memo.keep(f"{n:036d}", n)
    assert len(memo) == 8 and memo.chars == 800  # full to the character
    memo.keep("c" * 36, 3)
    assert dict(memo) == {"c" * 36: 3} and memo.chars == 100  # over the budget: starts again
    # a paragraph of megabytes (a data file without blank lines) is scored, not kept
    rows = "\n".join(f"{n},{n * 7},{n % 13} item" for n in range(100_000))
    sim = Similarity([rows], [rows.replace("500,3500", "500,3501")])
    assert sim.score(0, 0, MODIFY_SIMILARITY) > 0.99
    assert len(_words_memo) == 0 and _sentences_memo.chars == 0


def test_token_codes_skip_the_surrogates_and_wrap() -> None:
    assert _code(1) == "\x01"
    assert _code(0xD7FF) == "\ud7ff"
    assert _code(0xD800) == "\ue000"  # the 2048 surrogates are skipped
    assert _code(_CODE_LIMIT) == "\U0010ffff"
    assert _code(_CODE_LIMIT + 1) == "\x01"


def test_normalize_merges_and_orders_parts() -> None:
    # empty parts dropped, neighbouring unchanged parts joined, each run of changes as one "-"
    # then one "+"
    parts = [("=", "a"), ("+", ""), ("=", "b"), ("-", "c"), ("+", "d"), ("-", "e")]
    assert _normalize(parts) == [("=", "ab"), ("-", "ce"), ("+", "d")]


def test_absorb_islands_measures_the_change_after_the_island() -> None:
    # a space between "-the +a" and a lone "+dog": joins both changes
    assert _absorb_islands([("-", "the"), ("+", "a"), ("=", " "), ("+", "dog")]) == [
        ("-", "the "),
        ("+", "a dog"),
    ]
    # a one-word island (3 characters) joins changes of at least 6 on both sides; the change
    # after it is as big as its larger side (the "+", 6), not its "-" (2)
    parts = [("-", "aaaaaa"), ("+", "bbbbbb"), ("=", " a "), ("-", "cc"), ("+", "dddddd")]
    assert _absorb_islands(parts) == [("-", "aaaaaa a cc"), ("+", "bbbbbb a dddddd")]
    # the unchanged text after a change is not part of its size: "-cc" is 2, the island stays
    parts = [("-", "aaaaaa"), ("+", "bbbbbb"), ("=", " a "), ("-", "cc"), ("=", " long tail")]
    assert _absorb_islands(parts) == parts


def test_absorb_islands_only_between_changes() -> None:
    # a leading island has no change before it
    assert _absorb_islands([("=", " "), ("-", "a"), ("+", "b")]) == [
        ("=", " "),
        ("-", "a"),
        ("+", "b"),
    ]
    # between two removals (nothing added): the space is removed and added back
    assert _absorb_islands([("-", "the"), ("=", " "), ("-", "cat")]) == [
        ("-", "the cat"),
        ("+", " "),
    ]
    # after an island that stays, the next change is measured afresh: "-aaaaa" is 5, under
    # the 6 that the 3 characters of " x " need
    parts = [("=", "Start "), ("-", "aaaaa"), ("=", " x "), ("-", "bbbbbb")]
    assert _absorb_islands(parts) == parts
    # a change is as big as its larger side, not both together: 3, the island stays
    parts = [("-", "aaa"), ("+", "bbb"), ("=", " x "), ("-", "cccccc"), ("+", "dddddd")]
    assert _absorb_islands(parts) == parts


@pytest.mark.parametrize("side", ["-", "+"])
def test_absorb_islands_counts_what_it_absorbed(side: str) -> None:
    # "aaaaaa" (6), the space absorbed (1), "cc" (2): 9 on one side, 3 on the other, so the
    # island " xx " (4 characters) joins it and the 8 after it
    other = "+" if side == "-" else "-"
    parts = [(side, "aaaaaa"), (other, "b"), ("=", " "), (side, "cc"), (other, "d"),
             ("=", " xx "), (side, "eeeeeeee"), (other, "ffffffff")]  # fmt: skip
    big, small = "aaaaaa cc xx eeeeeeee", "b d xx ffffffff"
    expected = [("-", big), ("+", small)] if side == "-" else [("-", small), ("+", big)]
    assert _absorb_islands(parts) == expected


def test_absorb_islands_until_nothing_changes() -> None:
    # " x " cannot join "-c +d" (1), but once the space after them is absorbed the change
    # after " x " is 8, and a second pass joins it too
    parts = [("-", "aaaaaa"), ("+", "bbbbbb"), ("=", " x "), ("-", "c"), ("+", "d"),
             ("=", " "), ("-", "eeeeee"), ("+", "ffffff")]  # fmt: skip
    assert _absorb_islands(parts) == [("-", "aaaaaa x c eeeeee"), ("+", "bbbbbb x d ffffff")]


def test_tiny_islands() -> None:
    # whitespace alone always joins the changes around it
    assert _is_tiny("  ", 1, 1)
    # punctuation without words: up to three characters
    assert _is_tiny(",", 5, 5) and _is_tiny("...", 5, 5)
    assert not _is_tiny("....", 5, 5)
    # one word: if the island (with its spaces) is at most half the smaller change
    assert _is_tiny(" a ", 6, 8) and _is_tiny(" a ", 8, 6)
    assert not _is_tiny(" a ", 5, 8)
    # two words never
    assert not _is_tiny(" a b ", 100, 100)


def test_char_diff_of_a_long_multi_line_paragraph_shows_each_changed_line() -> None:
    # 14 lines, lines 1, 7 and 13 replaced: three replacements, each where its line is
    # fmt: off
    old = ["dog ran", "the end", "one two three", "x", "dog ran", "hello world", "the end",
           "x", "x", "a b", "hello world", "one two three", "one two three", "one two three"]
    new = ["one two three", "the end", "one two three", "x", "dog ran", "hello world", "x",
           "x", "x", "a b", "hello world", "one two three", "the end", "one two three"]
    # fmt: on
    a, b = "\n".join(old), "\n".join(new)
    assert len(a) > 100 and len(b) > 100  # where diff-match-patch could diff line by line
    assert inline_diff(a, b, "char") == [
        ("-", "dog ran"), ("+", "one two three"),
        ("=", "\nthe end\none two three\nx\ndog ran\nhello world\n"),
        ("-", "the end"), ("+", "x"),
        ("=", "\nx\nx\na b\nhello world\none two three\n"),
        ("-", "one two three"), ("+", "the end"),
        ("=", "\none two three"),
    ]  # fmt: skip


# --------------------------------------------------------------------------- with_context


def test_with_context_skips_long_unchanged_runs() -> None:
    old = [f"Same {k}" for k in range(10)]
    new = list(old)
    new[5] = "Changed five entirely different"
    changes = diff_paragraphs(old, new)
    items = with_context(changes, context=1)
    assert items[0] == Skipped(0, 3)
    assert [(c.op, c.new) for c in items[1:4]] == [("equal", 4), ("delete", None), ("insert", 5)]
    assert items[4].new == 6 and items[5] == Skipped(7, 9)
    assert with_context(changes, full=True) == changes
    no_context = with_context(changes, context=0)
    assert no_context[0] == Skipped(0, 4) and no_context[-1] == Skipped(6, 9)


def equal(k: int) -> Change:
    return Change("equal", k, k, f"Same {k}", f"Same {k}", None)


def test_with_context_shows_one_paragraph_by_default_even_after_a_first_change() -> None:
    # a paragraph inserted at the top, then four unchanged ones (new 1-4): the one right after
    # the change is context, the three after it are skipped
    top = Change("insert", None, 0, None, "New top.", None)
    changes = [top] + [Change("equal", k, k + 1, f"Same {k}", f"Same {k}", None) for k in range(4)]
    assert with_context(changes) == [top, changes[1], Skipped(2, 4)]


def test_with_context_keeps_a_run_no_longer_than_its_context() -> None:
    # two unchanged paragraphs between two changes, one of context on each side: both shown,
    # nothing skipped; one more and the middle one is skipped
    first = Change("modify", 0, 0, "Old a.", "New a.", [("-", "Old"), ("+", "New"), ("=", " a.")])
    for run in (2, 3):
        last = Change("delete", run + 1, None, "Gone.", None, None)
        changes = [first] + [equal(k) for k in range(1, run + 1)] + [last]
        expected = changes if run == 2 else [first, equal(1), Skipped(2, 2), equal(3), last]
        assert with_context(changes, context=1) == expected


# --------------------------------------------------------------------------- blame


def test_blame_moved_keeps_origin_edited_takes_new_version() -> None:
    v0 = ["Alpha paragraph one.", "Beta paragraph two.", "Gamma paragraph three."]
    v1 = ["Alpha paragraph one.", "Beta paragraph two, edited.", "Gamma paragraph three.",
          "Delta new in v1."]  # fmt: skip
    v2 = ["Gamma paragraph three.", "Alpha paragraph one.", "Beta paragraph two, edited.",
          "Delta new in v1."]  # fmt: skip
    v3 = ["Alpha paragraph one.", "Beta paragraph two, edited.", "Delta new in v1.",
          "Gamma paragraph three, revised."]  # fmt: skip
    assert blame_paragraphs([v0]) == [0, 0, 0]
    assert blame_paragraphs([v0, v1]) == [0, 1, 0, 1]
    assert blame_paragraphs([v0, v1, v2]) == [0, 0, 1, 1]  # Gamma moved unedited: still v0
    assert blame_paragraphs([v0, v1, v2, v3]) == [0, 1, 1, 3]  # Gamma moved and edited: v3


def test_blame_edge_cases() -> None:
    assert blame_paragraphs([]) == []
    assert blame_paragraphs([[], ["New."]]) == [1]
    # deleted in v1 and written again in v2: it took its present text in v2
    assert blame_paragraphs([["A one.", "B two."], ["A one."], ["A one.", "B two."]]) == [0, 2]
    assert blame_paragraphs([["A one."], ["A one."], ["A one."]]) == [0]


# --------------------------------------------------------------------------- properties

WORDS = ["a", "b", "cc", "dd", "e,", "f.", "go"]
word_paragraph = st.lists(st.sampled_from(WORDS), min_size=0, max_size=6).map(" ".join)
spaced = st.tuples(word_paragraph, st.sampled_from(["", " ", "  "])).map(lambda t: t[0] + t[1])
paragraph = st.one_of(spaced, st.sampled_from(["", "x", "Sep", "a b cc dd"]))


@st.composite
def versions(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    """An old paragraph list and a new one made from it by edits, so matches really occur."""
    old = draw(st.lists(paragraph, max_size=30))
    new = list(old)
    for _ in range(draw(st.integers(0, 8))):
        action = draw(
            st.sampled_from(["insert", "delete", "edit", "move", "dup", "split", "merge"])
        )
        if action == "insert" or not new:
            new.insert(draw(st.integers(0, len(new))), draw(paragraph))
        elif action == "delete":
            new.pop(draw(st.integers(0, len(new) - 1)))
        elif action == "edit":
            k = draw(st.integers(0, len(new) - 1))
            new[k] = new[k] + " " + draw(st.sampled_from(WORDS))
        elif action == "move":
            item = new.pop(draw(st.integers(0, len(new) - 1)))
            new.insert(draw(st.integers(0, len(new))), item)
        elif action == "split":
            k = draw(st.integers(0, len(new) - 1))
            words = new[k].split(" ")
            cut = draw(st.integers(0, len(words)))
            new[k : k + 1] = [" ".join(words[:cut]), " ".join(words[cut:])]
        elif action == "merge" and len(new) > 1:
            k = draw(st.integers(0, len(new) - 2))
            new[k : k + 2] = [new[k] + " " + new[k + 1]]
        else:
            new.insert(draw(st.integers(0, len(new))), new[draw(st.integers(0, len(new) - 1))])
    return old, new


pairs = st.one_of(
    versions(), st.tuples(st.lists(paragraph, max_size=30), st.lists(paragraph, max_size=30))
)
options = st.fixed_dictionaries(
    {"granularity": st.sampled_from(["word", "char"]), "ignore_whitespace": st.booleans()}
)


def check_invariants(old: list[str], new: list[str], changes: list[Change], ignore: bool) -> None:
    # (1) the entries with a new index rebuild the new list exactly
    placed = sorted((c for c in changes if c.new is not None), key=lambda c: c.new)
    assert [c.new for c in placed] == list(range(len(new)))
    assert [c.text for c in placed] == list(new)
    assert all(c.new_text == new[c.new] for c in placed)
    # (2) every old index appears exactly once, with its text
    olds = sorted(c.old for c in changes if c.old is not None)
    assert olds == list(range(len(old)))
    assert all(c.old_text == old[c.old] for c in changes if c.old is not None)
    # (4) a split piece is an insert whose old paragraph is still paired (modify or move) with
    # another new one; a merged part is a delete whose new paragraph is paired with another old one
    by_old = {c.old: c for c in changes if c.old is not None}
    by_new = {c.new: c for c in changes if c.new is not None}
    for c in changes:
        if c.split_from is not None:
            assert c.op == "insert" and by_old[c.split_from].op in ("modify", "move")
        if c.merged_into is not None:
            assert c.op == "delete" and by_new[c.merged_into].op in ("modify", "move")
    for c in changes:
        assert c.op in ("equal", "insert", "delete", "modify", "move")
        assert (c.old is None) == (c.op == "insert")
        assert (c.new is None) == (c.op == "delete")
        if c.op == "equal":
            if ignore:
                assert " ".join(c.old_text.split()) == " ".join(c.new_text.split())
            else:
                assert c.old_text == c.new_text
        # (3) inline parts rebuild both texts, and are normalised
        if c.edited:
            assert c.inline is not None
            assert "".join(s for op, s in c.inline if op in "=-") == c.old_text
            assert "".join(s for op, s in c.inline if op in "=+") == c.new_text
            assert all(s for _, s in c.inline)
            assert all(a[0] != b[0] for a, b in zip(c.inline, c.inline[1:]))
        else:
            assert c.inline is None
    # order: walk the new document; a deletion follows the entry holding the old paragraph before
    assert [c.new for c in changes if c.new is not None] == list(range(len(new)))
    for pos, c in enumerate(changes):
        if c.op == "delete":
            assert (pos == 0) if c.old == 0 else changes[pos - 1].old == c.old - 1


@settings(max_examples=300, deadline=None)
@given(pairs, options)
def test_diff_properties(pair: tuple[list[str], list[str]], opts: dict) -> None:
    old, new = pair
    changes = diff_paragraphs(old, new, **opts)
    check_invariants(old, new, changes, opts["ignore_whitespace"])
    n = stats(changes)
    assert n["added"] + n["modified"] + n["moved"] + n["unchanged"] == len(new)
    assert n["removed"] + n["modified"] + n["moved"] + n["unchanged"] == len(old)
    assert n["split"] <= n["added"] and n["merged"] <= n["removed"]


@settings(max_examples=300, deadline=None)
@given(pairs, st.booleans())
def test_a_diff_without_its_equal_paragraphs_finds_them_again(
    pair: tuple[list[str], list[str]], ignore_whitespace: bool
) -> None:
    # a recording asks for the changes only; the unchanged pairs must still follow from them
    old, new = pair
    full = diff_paragraphs(old, new, inline=False, ignore_whitespace=ignore_whitespace)
    found = diff_paragraphs(
        old, new, inline=False, ignore_whitespace=ignore_whitespace, equal=False
    )
    assert found == [c for c in full if c.op != "equal"]
    same = [(c.old, c.new) for c in full if c.op == "equal"]
    assert unchanged(found, len(old), len(new)) == same


@settings(max_examples=200, deadline=None)
@given(st.integers(2, 40), st.data())
def test_any_cut_of_a_paragraph_is_a_split_and_joining_back_a_merge(n: int, data) -> None:
    words = [f"w{k}" for k in range(n)]
    cut = data.draw(st.integers(1, n - 1))
    whole = ["Head line here", " ".join(words), "Tail line here"]
    cut_up = ["Head line here", " ".join(words[:cut]), " ".join(words[cut:]), "Tail line here"]
    changes = diff_paragraphs(whole, cut_up)
    (modify,) = [c for c in changes if c.op == "modify"]
    (piece,) = [c for c in changes if c.op == "insert"]
    assert modify.old == 1 and piece.split_from == 1
    assert len(modify.new_text.split()) >= len(piece.text.split())  # the bigger piece is modified
    changes = diff_paragraphs(cut_up, whole)
    (modify,) = [c for c in changes if c.op == "modify"]
    (part,) = [c for c in changes if c.op == "delete"]
    assert modify.new == 1 and part.merged_into == 1
    assert len(modify.old_text.split()) >= len(part.old_text.split())


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab ,.\nxé", max_size=40), st.text(alphabet="ab ,.\nxé", max_size=40),
       st.sampled_from(["word", "char"]))  # fmt: skip
def test_inline_diff_rebuilds_both_texts(a: str, b: str, granularity: str) -> None:
    parts = inline_diff(a, b, granularity)
    assert "".join(s for op, s in parts if op in "=-") == a
    assert "".join(s for op, s in parts if op in "=+") == b
    assert all(s for _, s in parts) and all(op in "=-+" for op, _ in parts)


@settings(max_examples=100, deadline=None)
@given(versions())
def test_blame_properties(pair: tuple[list[str], list[str]]) -> None:
    old, new = pair
    origins = blame_paragraphs([old, new])
    assert len(origins) == len(new)
    by_new = {c.new: c for c in diff_paragraphs(old, new) if c.new is not None}
    for j, origin in enumerate(origins):
        unchanged = by_new[j].op == "equal" or (by_new[j].op == "move" and not by_new[j].edited)
        assert origin == (0 if unchanged else 1)


@settings(max_examples=200, deadline=None)
@given(pairs, options, st.sampled_from([0, 2, 8]))
def test_bounded_search_paths_keep_invariants(pair: tuple[list[str], list[str]], opts: dict,
                                              band: int) -> None:  # fmt: skip
    # shrink the exhaustive-search limit so small inputs take the banded gap search and the
    # rare-word move index, which otherwise only run on large documents
    old, new = pair
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(engine, "FULL_GAP_PAIRS", 1)
        mp.setattr(engine, "MAX_PAIRING_CANDIDATES", band)
        changes = diff_paragraphs(old, new, **opts)
    check_invariants(old, new, changes, opts["ignore_whitespace"])


def test_inline_diff_with_a_tiny_timeout_is_coarser_but_still_exact():
    """The Datasette cells diff with a short timeout: the parts must still rebuild both texts."""
    import random

    from tracker.text.inline import inline_diff

    rng = random.Random(7)
    words = [f"{rng.choice(['alpha', 'beta', 'gamma'])}{rng.randint(0, 40)}" for _ in range(5000)]
    old, new = " ".join(words), " ".join(rng.sample(words, len(words)))
    parts = inline_diff(old, new, timeout=0.001)
    assert "".join(s for op, s in parts if op != "+") == old
    assert "".join(s for op, s in parts if op != "-") == new


def test_classed_keeps_every_other_field():
    # Change.classed copies the fields by hand: one added to Change later must be copied too
    from dataclasses import asdict, fields, replace

    from tracker.text.diff import Change

    values = {"op": "modify", "inline": [("=", "x")], "edited": True, "kind": "formatting"}
    for number, f in enumerate(fields(Change)):
        values.setdefault(f.name, f"text {number}" if "text" in f.name else number + 1)
    change = Change(**values)
    assert asdict(change.classed("substantive")) == asdict(replace(change, kind="substantive"))
