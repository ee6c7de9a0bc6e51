"""The diff as the web page renders it: anchors, folds, trimmed paragraphs, dates and counts."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from types import SimpleNamespace

from tracker.render.htmlview import render_diff_view
from tracker.render.trim import (
    TRIM_ABOVE,
    trimmed_inline_html,
    trimmed_parts,
    trimmed_text_html,
    trimmed_whole_html,
)
from tracker.render.words import counts_words, exact_time, human_time, stats_words, time_ago
from tracker.text.diff import Change, diff_paragraphs
from tracker.text.inline import inline_diff

OLD = [
    "Moved paragraph text.",
    "Intro para here.",
    "Alpha beta gamma delta.",
    "Keep one.",
    "Keep two.",
    "Keep three.",
    "Keep four.",
    "Gone paragraph, removed.",
    "Last one.",
]
NEW = [
    "Intro para here.",
    "Alpha beta GAMMA delta.",
    "Keep one.",
    "Keep two.",
    "Keep three.",
    "Keep four.",
    "Last one.",
    "Moved paragraph text.",
    "Added <script>alert(1)</script> & more",
]


class Elements(HTMLParser):
    """Every element and attribute of a piece of HTML."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def ids(self) -> list[str]:
        return [a["id"] for _, a in self.tags if "id" in a]

    def hrefs(self) -> list[str]:
        return [a["href"] for t, a in self.tags if t == "a" and "href" in a]


def long_text(sentences: int = 40) -> str:
    return " ".join(
        f"Sentence number {i} talks about a topic at some length, with words." for i in range(40)
    )[: sentences * 70]


def test_every_paragraph_has_an_anchor_and_every_link_lands_on_one():
    view = render_diff_view(diff_paragraphs(OLD, NEW), context=1)
    html = Elements(view.html)
    ids = html.ids()
    assert len(ids) == len(set(ids))
    # every new paragraph that is shown, the removed one, and the old place of the moved one
    assert {"p2", "p8", "p9", "o8", "o1"} <= set(ids)
    for href in html.hrefs():
        assert href.startswith("#") and href[1:] in ids, href
    assert '<a href="#o1">paragraph 1</a>' in view.html  # moved from: a link to its old place
    assert 'moved to <a href="#p8">paragraph 8</a>' in view.html


def test_changes_are_listed_in_order_for_the_navigator():
    view = render_diff_view(diff_paragraphs(OLD, NEW))
    assert [(m.anchor, m.op) for m in view.marks] == [
        ("p2", "modify"),
        ("o8", "delete"),
        ("p8", "move"),
        ("p9", "insert"),
    ]
    places = [m.place for m in view.marks]
    assert places == sorted(places) and 0 <= places[0] and places[-1] < 1
    assert view.html.count("data-change=") == 4


def test_unchanged_runs_fold_and_open_in_place():
    view = render_diff_view(diff_paragraphs(OLD, NEW), context=1)
    fold = re.search(
        r'<details class="skip"><summary>(.*?)</summary>(.*?)</details>', view.html, re.S
    )
    assert fold and fold.group(1) == "paragraphs 4–5 unchanged"
    assert 'id="p4"' in fold.group(2) and "Keep two." in fold.group(2)
    everything = render_diff_view(diff_paragraphs(OLD, NEW), full=True)
    assert '<details class="skip"' not in everything.html


def test_document_text_is_escaped_and_links_are_attributes_only():
    view = render_diff_view(
        diff_paragraphs(OLD, NEW), href=lambda side, i: f"/trace?{side}={i}&x=\"'<>"
    )
    assert "<script>" not in view.html
    assert "Added &lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in view.html
    tags = {tag for tag, _ in Elements(view.html).tags}
    assert tags <= {"div", "a", "span", "del", "ins", "details", "summary"}
    history = [a["href"] for t, a in Elements(view.html).tags if a.get("class") == "history"]
    assert "/trace?new=8&x=\"'<>" in history  # the attribute round-trips, escaped in the HTML


def test_side_by_side_has_the_same_anchors():
    inline = Elements(render_diff_view(diff_paragraphs(OLD, NEW)).html).ids()
    side = Elements(render_diff_view(diff_paragraphs(OLD, NEW), layout="side-by-side").html)
    assert side.ids() == inline


def test_side_by_side_sets_each_removed_paragraph_opposite_the_one_added_after_it():
    old = [
        "Top stays.",
        "Alpha beta gamma delta.",
        "Epsilon zeta eta theta.",
        "Iota kappa mu.",
        "Bottom stays.",
    ]
    new = ["Top stays.", "Completely new words here.", "Other fresh paragraph text.",
           "Bottom stays."]  # fmt: skip
    changes = diff_paragraphs(old, new)
    assert [c.op for c in changes] == ["equal"] + ["delete"] * 3 + ["insert"] * 2 + ["equal"]
    view = render_diff_view(changes, layout="side-by-side")
    rows = re.findall(r'<div class="row para ?([^"]*)".*?</div></div>', view.html)
    # the first removed one alone, then the last two beside the two added ones
    assert rows == ["op-equal", "op-delete", "pair", "pair", "op-equal"]
    pair = re.search(r'<div class="row para pair">.*?</div></div>', view.html).group(0)
    assert '<div class="text old op-delete" id="o3" data-change="2"><del>Epsilon' in pair
    assert '<div class="text new op-insert" id="p2" data-change="3"><ins>Completely' in pair
    # every change keeps its anchor and its place in the navigator, as inline
    inline = render_diff_view(changes)
    assert sorted(Elements(view.html).ids()) == sorted(Elements(inline.html).ids())
    assert sorted(m.anchor for m in view.marks) == sorted(m.anchor for m in inline.marks)


def test_split_and_merge_notes_link_to_the_other_paragraph():
    changes = [
        Change("modify", 0, 0, "A b. C d.", "A b.", inline_diff("A b. C d.", "A b.")),
        Change("insert", None, 1, None, "C d.", None, split_from=0),
        Change("delete", 1, None, "E f.", None, None, merged_into=0),
    ]
    html = render_diff_view(changes).html
    assert 'split from <a href="#p1">paragraph 1</a>' in html
    assert 'merged into <a href="#p1">paragraph 1</a>' in html


def test_a_one_word_change_in_a_long_paragraph_shows_its_sentence():
    old = long_text()
    new = old.replace("number 20 talks", "number 20 speaks")
    parts = trimmed_parts(inline_diff(old, new))
    kinds = [op for op, _ in parts]
    assert kinds == ["fold", "=", "-", "+", "=", "fold"]
    shown = "".join(text for op, text in parts if op != "fold")
    assert shown.startswith("Sentence number 20 ") and len(shown) < 200
    assert "".join(text for op, text in parts if op != "+") == old  # nothing lost
    html = trimmed_inline_html(inline_diff(old, new))
    assert html.count('<details class="trim">') == 2 and "<del>talks</del>" in html


def test_short_paragraphs_are_not_trimmed():
    text = "A short paragraph. With two sentences."
    assert trimmed_text_html(text) == text
    assert trimmed_parts([("=", "x" * TRIM_ABOVE)]) == [("=", "x" * TRIM_ABOVE)]
    assert trimmed_whole_html("<b>", "ins") == "<ins>&lt;b&gt;</ins>"
    whole = trimmed_whole_html(long_text(), "del")
    assert whole.startswith("<del>Sentence number 0 talks") and "more characters" in whole


def test_dates_and_counts_in_words():
    at = "2026-08-06T10:28:56.000Z"
    assert human_time(at) == "6 Aug 2026 10:28"
    assert human_time(at, with_time=False) == "6 Aug 2026"
    assert exact_time(at) == "6 August 2026, 10:28:56 UTC"
    assert human_time(None) == "-" and human_time("not a date") == "not a date"
    assert time_ago(at, "2026-08-06T10:29:30Z") == "just now"
    assert time_ago(at, "2026-08-06T12:30:00Z") == "2 hours ago"
    assert time_ago(at, "2026-08-09T10:00:00Z") == "2 days ago"
    assert time_ago(at, "2026-11-30T00:00:00Z") == "6 Aug 2026"
    version = SimpleNamespace(
        deleted=False, version=3, added=0, removed=1, modified=2, moved=0, paragraphs=9
    )
    assert counts_words(version) == "1 paragraph removed, 2 modified"
    first = SimpleNamespace(
        deleted=False, version=1, added=9, removed=0, modified=0, moved=0, paragraphs=9
    )
    assert counts_words(first) == "created, 9 paragraphs"
    assert stats_words({"added": 2, "modified": 1, "unchanged": 140}) == (
        "2 paragraphs added, 1 modified; 140 unchanged"
    )
    assert stats_words({"unchanged": 3}) == "no paragraph changed; 3 unchanged"


def test_split_from_says_where_the_old_paragraph_is_now():
    changes = [
        Change("insert", None, 0, None, "New first.", None),
        Change("modify", 0, 1, "A b. C d.", "A b.", inline_diff("A b. C d.", "A b.")),
        Change("insert", None, 2, None, "C d.", None, split_from=0),
    ]
    html = render_diff_view(changes).html
    assert 'split from <a href="#p2">paragraph 1 (now 2)</a>' in html
