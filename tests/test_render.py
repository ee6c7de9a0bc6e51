"""Tests for the diff renderers (tracker.render, tracker.render_html)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.render.html import (
    DIFF_CSS,
    render_html,
    render_html_fragment,
    render_inline_html,
)
from tracker.render.json import diff_json
from tracker.render.markdown import render_markdown
from tracker.render.text import render_text
from tracker.render.unified import render_unified
from tracker.text.diff import Change, diff_paragraphs

PATCH = "/usr/bin/patch"
ANSI = re.compile(r"\x1b\[[0-9;]*m")

OLD = [
    "Moved paragraph text.",  # 0 -> moved to the end
    "Intro para here.",
    "Alpha beta gamma delta.",  # modified
    "Keep one.",
    "Keep two.",
    "Keep three.",
    "Keep four.",
    "Gone paragraph, removed.",  # deleted
    "Last one.",
]
NEW = [
    "Intro para here.",
    "Alpha beta GAMMA delta.",
    "Keep one.",
    "Keep two.",
    "Keep three.",
    "Keep four.",
    "Brand new\nsecond line.",  # inserted
    "Last one.",
    "Moved paragraph text.",
]


@pytest.fixture
def changes() -> list[Change]:
    return diff_paragraphs(OLD, NEW)


def test_fixture_diff_is_what_the_renderers_expect(changes: list[Change]) -> None:
    assert [(c.op, c.old, c.new) for c in changes] == [
        ("equal", 1, 0),
        ("modify", 2, 1),
        ("equal", 3, 2),
        ("equal", 4, 3),
        ("equal", 5, 4),
        ("equal", 6, 5),
        ("delete", 7, None),
        ("insert", None, 6),
        ("equal", 8, 7),
        ("move", 0, 8),
    ]


# --------------------------------------------------------------------------- text


def test_render_text_plain(changes: list[Change]) -> None:
    out = render_text(changes)
    assert "\x1b" not in out
    assert out.split("\n") == [
        "  [1] Intro para here.",
        "~ [2] Alpha beta [-gamma-]{+GAMMA+} delta.",
        "  [3] Keep one.",
        "@@ paragraphs 4-5 unchanged @@",
        "  [6] Keep four.",
        "- [8] Gone paragraph, removed.",
        "+ [7] Brand new",
        "+     second line.",
        "  [8] Last one.",
        "> [9] moved from paragraph 1: Moved paragraph text.",
    ]


def test_render_text_context_and_full(changes: list[Change]) -> None:
    none = render_text(changes, context=0).split("\n")
    assert none[0] == "@@ paragraph 1 unchanged @@"
    assert "@@ paragraphs 3-6 unchanged @@" in none
    assert not any(line.startswith("  [") for line in none)
    wide = render_text(changes, context=2)
    assert "@@" not in wide  # the run of four unchanged paragraphs is fully shown
    full = render_text(changes, full=True)
    assert "@@" not in full and "  [4] Keep two." in full and "  [5] Keep three." in full


def test_render_text_color(changes: list[Change]) -> None:
    out = render_text(changes, color=True)
    assert "\x1b[31;9mgamma\x1b[0m" in out  # red struck-through deletion
    assert "\x1b[32;4mGAMMA\x1b[0m" in out  # green underlined insertion
    assert "[-" not in out and "{+" not in out
    plain = ANSI.sub("", out)
    assert "~ [2] Alpha beta gammaGAMMA delta." in plain
    assert "+ [7] Brand new\n+     second line." in plain


def test_render_text_neutralises_control_characters() -> None:
    changes = diff_paragraphs([], ["evil \x1b[2J\x1b]0;title\x07 text\r\nnext"])
    for color in (False, True):
        out = render_text(changes, color=color)
        assert "\x1b[2J" not in out and "\x07" not in out and "\r" not in out
        assert "\\x1b[2J" in out
    assert "\x1b" not in render_text(changes)


def test_render_text_edited_move_and_no_changes() -> None:
    old = ["Intro stays.", "The moving paragraph has several words in it.", "Middle one.",
           "Middle two.", "End stays."]  # fmt: skip
    new = ["Intro stays.", "Middle one.", "Middle two.",
           "The moving paragraph has many words in it.", "End stays."]  # fmt: skip
    out = render_text(diff_paragraphs(old, new), context=0)
    assert (
        "> [4] moved from paragraph 2, edited: The moving paragraph has [-several-]{+many+} words"
        " in it." in out
    )
    same = diff_paragraphs(["A.", "B."], ["A.", "B."])
    assert render_text(same) == "@@ paragraphs 1-2 unchanged @@"
    assert render_text(same, full=True) == "  [1] A.\n  [2] B."
    assert render_text([]) == ""


# --------------------------------------------------------------------------- JSON


def test_diff_json_shape(changes: list[Change]) -> None:
    from_meta = {"version": 1, "captured_at": "2024-05-01T10:00:00Z", "sha256": "aa", "id": 7}
    to_meta = {"version": 2, "captured_at": "2024-05-02T10:00:00Z", "sha256": "bb", "size": 9}
    data = diff_json("notes.txt", from_meta, to_meta, changes)
    assert list(data) == ["doc", "from", "to", "stats", "hidden", "paragraphs"]
    assert data["hidden"] == 0
    assert data["doc"] == "notes.txt"
    assert data["from"] == {"version": 1, "captured_at": "2024-05-01T10:00:00Z", "sha256": "aa"}
    assert data["to"] == {"version": 2, "captured_at": "2024-05-02T10:00:00Z", "sha256": "bb"}
    assert data["stats"] == {
        "added": 1, "removed": 1, "modified": 1, "moved": 1, "unchanged": 6, "split": 0, "merged": 0
    }  # fmt: skip
    keys = ["op", "old", "new", "text", "old_text", "new_text", "inline"]
    # "class" on every non-equal paragraph (None here: the changes were never classified)
    assert all(
        list(p) == keys + (["class"] if p["op"] != "equal" else []) for p in data["paragraphs"]
    )
    by_op = {p["op"]: p for p in data["paragraphs"]}
    assert by_op["modify"] == {
        "op": "modify",
        "old": 2,
        "new": 1,
        "text": None,
        "old_text": "Alpha beta gamma delta.",
        "new_text": "Alpha beta GAMMA delta.",
        "inline": [["=", "Alpha beta "], ["-", "gamma"], ["+", "GAMMA"], ["=", " delta."]],
        "class": None,
    }
    assert by_op["delete"] == {"op": "delete", "old": 7, "new": None,
                               "text": "Gone paragraph, removed.", "old_text": None,
                               "new_text": None, "inline": None, "class": None}  # fmt: skip
    assert by_op["insert"]["text"] == "Brand new\nsecond line." and by_op["insert"]["old"] is None
    assert by_op["move"] == {"op": "move", "old": 0, "new": 8, "text": "Moved paragraph text.",
                             "old_text": None, "new_text": None, "inline": None,
                             "class": None}  # fmt: skip
    assert data["paragraphs"][0] == {"op": "equal", "old": 1, "new": 0,
                                     "text": "Intro para here.", "old_text": None,
                                     "new_text": None, "inline": None}  # fmt: skip
    assert json.loads(json.dumps(data)) == data


def test_diff_json_from_nothing_and_edited_move() -> None:
    data = diff_json("d", None, {"version": 1}, diff_paragraphs([], ["Hello."]))
    assert data["from"] is None
    assert data["to"] == {"version": 1, "captured_at": None, "sha256": None}
    assert data["paragraphs"] == [{"op": "insert", "old": None, "new": 0, "text": "Hello.",
                                   "old_text": None, "new_text": None, "inline": None,
                                   "class": None}]  # fmt: skip
    old = ["Intro stays.", "The moving paragraph has several words in it.", "Middle one.",
           "Middle two.", "End stays."]  # fmt: skip
    new = ["Intro stays.", "Middle one.", "Middle two.",
           "The moving paragraph has many words in it.", "End stays."]  # fmt: skip
    (moved,) = [p for p in diff_json("d", None, None, diff_paragraphs(old, new))["paragraphs"]
                if p["op"] == "move"]  # fmt: skip
    assert moved["text"] == new[3]
    assert moved["old_text"] == old[1] and moved["new_text"] == new[3]
    assert ["-", "several"] in moved["inline"] and ["+", "many"] in moved["inline"]


# --------------------------------------------------------------------------- HTML

EVIL_SCRIPT = "<script>alert(1)</script>"
EVIL_IMG = "<img src=x onerror=alert(1)>"


def evil_changes() -> list[Change]:
    old = [f"Start {EVIL_SCRIPT} here.", "Quote \"double\" and 'single' & amp.",
           f"Bye {EVIL_IMG} now.", "Moved one away.", "Keep A.", "Keep B."]  # fmt: skip
    new = [f"Start {EVIL_IMG} here.", "Quote \"double\" and 'single' & amp.", "Keep A.",
           f"Fresh {EVIL_SCRIPT} insert.", "Keep B.", "Moved one away."]  # fmt: skip
    return diff_paragraphs(old, new)


def assert_safe(page: str) -> None:
    assert "<script" not in page.lower()
    assert "<img" not in page.lower()
    assert "onerror=alert(1)>" not in page
    assert "http://" not in page and "https://" not in page
    assert "<link" not in page and "@import" not in page and "url(" not in page


@pytest.mark.parametrize("layout", ["inline", "side-by-side"])
def test_render_html_escapes_document_text(layout: str) -> None:
    changes = evil_changes()
    assert {c.op for c in changes} >= {"modify", "insert", "move", "equal"}
    page = render_html(EVIL_SCRIPT, {"version": EVIL_IMG}, {"version": 2}, changes,
                       full=True, layout=layout)  # fmt: skip
    assert_safe(page)
    assert page.startswith("<!DOCTYPE html>")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&quot;double&quot;" in page and "&#x27;single&#x27;" in page and "&amp; amp" in page
    assert "<del>" in page and "<ins>" in page
    assert DIFF_CSS in page


@pytest.mark.parametrize("layout", ["inline", "side-by-side"])
def test_render_html_fragment(layout: str, changes: list[Change]) -> None:
    fragment = render_html_fragment(changes, layout=layout)
    assert fragment.startswith('<div class="tracker-diff"') and fragment.endswith("</div>")
    assert "<html" not in fragment and "<style" not in fragment
    assert "<del>gamma</del>" in fragment and "<ins>GAMMA</ins>" in fragment
    assert "paragraphs 4-5 unchanged" in fragment
    assert "moved from paragraph 1" in fragment
    assert "Keep two." not in fragment
    assert "Keep two." in render_html_fragment(changes, layout=layout, full=True)
    assert_safe(render_html_fragment(evil_changes(), layout=layout, full=True))


def test_render_html_rejects_unknown_layout(changes: list[Change]) -> None:
    with pytest.raises(ValueError, match="layout"):
        render_html_fragment(changes, layout="columns")


def test_render_inline_html() -> None:
    inline = [["=", "a <b> "], ["-", "old & 'x'"], ["+", '"new"']]
    assert render_inline_html(inline) == (
        "a &lt;b&gt; <del>old &amp; &#x27;x&#x27;</del><ins>&quot;new&quot;</ins>"
    )
    assert render_inline_html(None) == ""
    assert render_inline_html([("+", EVIL_SCRIPT)]) == (
        "<ins>&lt;script&gt;alert(1)&lt;/script&gt;</ins>"
    )


# --------------------------------------------------------------------------- splits and merges

WHOLE_1 = "We collect your name and email address when you sign up."
WHOLE_2 = "We use them to send you the newsletter every month."


@pytest.fixture
def split_merge() -> list[Change]:
    """Old paragraph 2 split in two (new 2 and 3); old paragraphs 4 and 5 merged into new 5."""
    old = ["Title.", f"{WHOLE_1} {WHOLE_2}", "Middle.", "Part one of the merge is here.",
           "And part two of the merge follows it.", "End."]  # fmt: skip
    merged = "Part one of the merge is here. And part two of the merge follows it."
    new = ["Title.", WHOLE_1, WHOLE_2, "Middle.", merged, "End."]
    changes = diff_paragraphs(old, new)
    assert [(c.op, c.old, c.new, c.split_from, c.merged_into) for c in changes] == [
        ("equal", 0, 0, None, None),
        ("modify", 1, 1, None, None),
        ("insert", None, 2, 1, None),
        ("equal", 2, 3, None, None),
        ("delete", 3, None, None, 4),
        ("modify", 4, 4, None, None),
        ("equal", 5, 5, None, None),
    ]
    return changes


def test_render_text_split_and_merge(split_merge: list[Change]) -> None:
    lines = render_text(split_merge, context=0).split("\n")
    assert f"+ [3] split from paragraph 2: {WHOLE_2}" in lines
    assert "- [4] merged into paragraph 5: Part one of the merge is here." in lines


def test_diff_json_split_and_merge(split_merge: list[Change]) -> None:
    data = diff_json("d", None, None, split_merge)
    assert (data["stats"]["split"], data["stats"]["merged"]) == (1, 1)
    assert (data["stats"]["added"], data["stats"]["removed"]) == (1, 1)
    by_key = {(p["op"], p["old"], p["new"]): p for p in data["paragraphs"]}
    assert by_key[("insert", None, 2)]["split_from"] == 1
    assert by_key[("delete", 3, None)]["merged_into"] == 4
    keys = ["op", "old", "new", "text", "old_text", "new_text", "inline"]
    assert list(by_key[("insert", None, 2)]) == keys + ["class", "split_from"]
    assert list(by_key[("delete", 3, None)]) == keys + ["class", "merged_into"]
    others = [p for k, p in by_key.items() if k not in {("insert", None, 2), ("delete", 3, None)}]
    assert all(list(p) == keys + (["class"] if p["op"] != "equal" else []) for p in others)
    json.dumps(data)


@pytest.mark.parametrize("layout", ["inline", "side-by-side"])
def test_render_html_split_and_merge(split_merge: list[Change], layout: str) -> None:
    fragment = render_html_fragment(split_merge, layout=layout)
    assert '<span class="note">split from paragraph 2</span>' in fragment
    assert '<span class="note">merged into paragraph 5</span>' in fragment
    page = render_html("d", None, {"version": 2}, split_merge, layout=layout)
    assert "1 added (1 split off), 1 removed (1 merged), 2 modified" in page


def test_render_markdown_split_and_merge(split_merge: list[Change]) -> None:
    blocks = render_markdown("d", None, {"version": 2}, split_merge).split("\n\n")
    assert blocks[1] == (
        "**1 added (1 split off), 1 removed (1 merged), 2 modified, 0 moved, 3 unchanged**"
    )
    assert f"**\u00b6 3, split from \u00b6 2:** **{WHOLE_2}**" in blocks
    assert "**old \u00b6 4, merged into \u00b6 5:** ~~Part one of the merge is here.~~" in blocks


# --------------------------------------------------------------------------- Markdown


def test_render_markdown(changes: list[Change]) -> None:
    md = render_markdown("notes.txt", {"version": 1, "captured_at": "2024-05-01"},
                         {"version": 2}, changes)  # fmt: skip
    blocks = md.rstrip("\n").split("\n\n")
    assert blocks[0] == "### Changes to notes.txt: version 1 (2024-05-01) \u2192 version 2"
    assert blocks[1] == "**1 added, 1 removed, 1 modified, 1 moved, 6 unchanged**"
    assert "**\u00b6 2, modified:** Alpha beta ~~gamma~~**GAMMA** delta." in blocks
    assert "**old \u00b6 8, removed:** ~~Gone paragraph, removed.~~" in blocks
    assert "**\u00b6 7, added:** **Brand new\\\nsecond line.**" in blocks
    assert "**\u00b6 9, moved from \u00b6 1:** Moved paragraph text." in blocks
    assert "*... paragraphs 4-5 unchanged ...*" in blocks
    assert "\u00b6 3: Keep one." in blocks


def test_render_markdown_escapes_document_text() -> None:
    old = ["Plain *stars* and _under_ here.", "Stay."]
    new = ["Plain *stars* and _under_ there ~~x~~ <b>bold</b> [link](u) | pipe.", "Stay."]
    md = render_markdown("a_b*c", None, {"version": 1}, diff_paragraphs(old, new), context=0)
    assert md.startswith("### Changes to a\\_b\\*c: nothing \u2192 version 1\n")
    assert "\\*stars\\*" in md and "\\_under\\_" in md
    assert "\\~\\~x\\~\\~" in md and "\\<b\\>bold\\</b\\>" in md and "\\[link\\](u)" in md
    assert "\\| pipe" in md
    # block syntax at the start of a continuation line is neutralised too
    md = render_markdown("d", None, None, diff_paragraphs([], ["line\n# not a heading\n- no"]))
    assert "\\\n\\# not a heading\\\n\\- no" in md


def test_render_markdown_whitespace_stays_outside_markers() -> None:
    md = render_markdown("d", None, None, diff_paragraphs(["a b c d e"], ["a b X d e"]))
    assert "a b ~~c~~**X** d e" in md


# --------------------------------------------------------------------------- unified diff

needs_patch = pytest.mark.skipif(
    shutil.which(PATCH) is None and shutil.which("patch") is None,
    reason="GNU patch is not installed, so unified diffs cannot be applied",
)


def apply_patch(tmp: Path, old: str, diff: str) -> str:
    """Apply ``diff`` to ``old`` with the real patch program; return the patched text."""
    exe = PATCH if Path(PATCH).exists() else shutil.which("patch")
    (tmp / "old.txt").write_bytes(old.encode())
    (tmp / "change.diff").write_bytes(diff.encode())
    out = tmp / "out.txt"
    if out.exists():
        out.unlink()
    result = subprocess.run(
        [exe, "--silent", "--force", "-o", str(out), "old.txt", "change.diff"],
        capture_output=True,
        cwd=tmp,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out.read_bytes().decode()


UNIFIED_CASES = [
    pytest.param("a\nb\nc\n", "a\nB\nc\n", id="one-line"),
    pytest.param("a\nb\nc", "a\nb\nc\n", id="add-final-newline"),
    pytest.param("a\nb\nc\n", "a\nb\nc", id="remove-final-newline"),
    pytest.param("a\nb", "a\nc", id="no-final-newline-both"),
    pytest.param("a\r\nb\r\nc\r\n", "a\r\nB\r\nc\r\n", id="crlf"),
    pytest.param("a\r\nb\r\n", "a\nb\r\n", id="crlf-to-lf"),
    pytest.param("a\r\nb\r\nc", "a\r\nb\r\nd", id="crlf-no-final-newline"),
    pytest.param("", "new\n", id="from-empty"),
    pytest.param("old\n", "", id="to-empty"),
    pytest.param(30 * "x\n" + "mid\n" + 30 * "y\n", 30 * "x\n" + "MID\n" + 29 * "y\n", id="long"),
    pytest.param("one\u2028two\x0bthree\n", "one\u2028TWO\x0bthree\n", id="only-newline-splits"),
]


@needs_patch
@pytest.mark.parametrize(("old", "new"), UNIFIED_CASES)
def test_render_unified_applies_with_patch(tmp_path: Path, old: str, new: str) -> None:
    diff = render_unified(old, new, "a/doc.txt", "b/doc.txt")
    assert diff.startswith("--- a/doc.txt\n+++ b/doc.txt\n@@ ")
    assert apply_patch(tmp_path, old, diff) == new


def test_render_unified_format() -> None:
    assert render_unified("same\n", "same\n", "a", "b") == ""
    assert render_unified("a\nb", "a\nc", "old", "new") == (
        "--- old\n+++ new\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n"
        "+c\n\\ No newline at end of file\n"
    )
    assert render_unified("a\r\nb\r\n", "a\r\nc\r\n", "x", "y", context=0) == (
        "--- x\n+++ y\n@@ -2 +2 @@\n-b\r\n+c\r\n"
    )


lines = st.lists(st.sampled_from(["a\n", "b\n", "c\r\n", "d", "\n", "\r\n", "e f\n", "g\r"]),
                 max_size=12).map("".join)  # fmt: skip


@needs_patch
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines, lines, st.integers(0, 3))
def test_render_unified_property(tmp_path: Path, old: str, new: str, context: int) -> None:
    diff = render_unified(old, new, "old", "new", context=context)
    if old == new:
        assert diff == ""
    else:
        assert apply_patch(tmp_path, old, diff) == new


def test_render_html_page_as_a_whole() -> None:
    changes = diff_paragraphs(["a"], ["b"])
    page = render_html("d<.txt", None, {"version": 2, "captured_at": "T"}, changes)
    assert page == (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Changes to d&lt;.txt</title>\n<style>\n{DIFF_CSS}</style>\n</head>\n"
        '<body>\n<main class="tracker-diff-page">\n'
        "<h1>Changes to d&lt;.txt</h1>\n"
        '<p class="versions">nothing \u2192 version 2 (T)</p>\n'
        '<p class="stats">1 added, 1 removed, 0 modified, 0 moved, 0 unchanged</p>\n'
        '<div class="tracker-diff" data-layout="inline">\n'
        '<div class="para op-delete"><span class="num old"'
        ' title="paragraph 1 of the old version, removed">1</span><span class="num"></span>'
        '<div class="text"><del>a</del></div></div>\n'
        '<div class="para op-insert"><span class="num old"></span>'
        '<span class="num" title="paragraph 1, added">1</span>'
        '<div class="text"><ins>b</ins></div></div>\n'
        "</div>\n</main>\n</body>\n</html>\n"
    )
    labelled = render_html("d", {"version": 1}, {"version": 2, "captured_at": ""}, changes)
    assert '<p class="versions">version 1 \u2192 version 2</p>' in labelled


# --------------------------------------------------------------------------- hand-made changes
# Built by hand rather than by the engine, so that these pin the renderers alone.

HAND = [
    Change("delete", 0, None, "Gone first.", None, None),
    Change("insert", None, 0, None, "New\n\nfirst", None),
    Change("equal", 1, 1, "Same.", "Same.", None),
    Change("modify", 2, 2, "a b", "a  b", [("=", "a "), ("+", " "), ("=", "b")], True),
    Change("modify", 3, 3, "x  y", "x y", [("=", "x "), ("-", " "), ("=", "y")], True),
    Change("move", 5, 4, "Far.", "Far!", [("=", "Far"), ("-", "."), ("+", "!")], True),
    Change("move", 6, 5, "Moved.", "Moved.", None),
]


def test_render_text_colours_each_part() -> None:
    assert render_text(HAND, color=True, full=True).split("\n") == [
        "\x1b[31m- [1] \x1b[0m\x1b[31mGone first.\x1b[0m",  # label and text red
        "\x1b[32m+ [1] \x1b[0m\x1b[32mNew\x1b[0m",  # green
        "\x1b[32m+\x1b[0m     ",  # a blank line keeps its marker, and no colour of its own
        "\x1b[32m+\x1b[0m     \x1b[32mfirst\x1b[0m",
        "  [2] Same.",
        "\x1b[33m~ [3] \x1b[0ma \x1b[42m \x1b[0mb",  # added whitespace: a green background
        "\x1b[33m~ [4] \x1b[0mx \x1b[41m \x1b[0my",  # removed whitespace: a red one
        "\x1b[36m> [5] moved from paragraph 6, edited: \x1b[0m"
        "Far\x1b[31;9m.\x1b[0m\x1b[32;4m!\x1b[0m",
        "\x1b[36m> [6] moved from paragraph 7: \x1b[0mMoved.",  # only the label is coloured
    ]
    skipped = render_text(HAND[2:3], color=True)
    assert skipped == "\x1b[36m@@ paragraph 2 unchanged @@\x1b[0m"


def test_render_text_plain_hand_made() -> None:
    assert render_text(HAND, context=0).split("\n") == [
        "- [1] Gone first.",
        "+ [1] New",
        "+     ",
        "+     first",
        "@@ paragraph 2 unchanged @@",
        "~ [3] a {+ +}b",
        "~ [4] x [- -]y",
        "> [5] moved from paragraph 6, edited: Far[-.-]{+!+}",
        "> [6] moved from paragraph 7: Moved.",
    ]


def test_render_markdown_hand_made() -> None:
    assert render_markdown("d", None, None, HAND, full=True).split("\n\n") == [
        "### Changes to d: nothing \u2192 nothing",
        "**1 added, 1 removed, 2 modified, 2 moved, 1 unchanged**",
        "**old \u00b6 1, removed:** ~~Gone first.~~",
        "**\u00b6 1, added:** **New\\\n\\\nfirst**",
        "\u00b6 2: Same.",
        "**\u00b6 3, modified:** a  b",  # added whitespace cannot be marked: shown as it is
        "**\u00b6 4, modified:** x y",  # removed whitespace: left out
        "**\u00b6 5, moved from \u00b6 6 and edited:** Far~~.~~**!**",
        "**\u00b6 6, moved from \u00b6 7:** Moved.\n",
    ]
    md = render_markdown("d", None, None, HAND[2:3])
    assert md.split("\n\n")[2] == "*... paragraph 2 unchanged ...*\n"


def test_render_markdown_line_ends_and_marked_runs() -> None:
    changes = [
        Change("insert", None, 0, None, "a\r\nb\rc", None),
        Change("modify", 0, 1, "ac", "a b b c", [("=", "a"), ("+", " b b "), ("=", "c")], True),
        Change("modify", 1, 2, "a x x c", "ac", [("=", "a"), ("-", " x x "), ("=", "c")], True),
    ]
    blocks = render_markdown("d", None, None, changes).rstrip("\n").split("\n\n")
    assert blocks[2:] == [
        "**\u00b6 1, added:** **a\\\nb\\\nc**",  # CRLF and a lone CR are both line breaks
        "**\u00b6 2, modified:** a **b b** c",  # the spaces outside the markers, both ends
        "**\u00b6 3, modified:** a ~~x x~~ c",
    ]


def test_terminal_safe() -> None:
    from tracker.render.text import terminal_safe

    assert terminal_safe("a\r\nb\rc\x1b[2J\x7f\x9b\td\ne") == "a\nb\\x0dc\\x1b[2J\\x7f\\x9b\td\ne"


def test_render_unified_labels_and_default_context() -> None:
    assert render_unified("x\n", "y\n", "", "two\nlines") == (
        "--- a\n+++ two lines\n@@ -1 +1 @@\n-x\n+y\n"
    )
    assert render_unified("x\n", "y\n", "one\r\nlabel", "") == (
        "--- one label\n+++ b\n@@ -1 +1 @@\n-x\n+y\n"
    )
    old = "".join(f"{i}\n" for i in range(1, 10))
    hunk = render_unified(old, old.replace("5\n", "five\n"), "a", "b").split("\n")[2]
    assert hunk == "@@ -2,7 +2,7 @@"  # three lines of context on each side


def test_render_html_fragment_hand_made_inline() -> None:
    assert render_html_fragment(HAND, full=True).split("\n") == [
        '<div class="tracker-diff" data-layout="inline">',
        # two columns of numbers: in the old version, and in the new
        '<div class="para op-delete"><span class="num old" title="paragraph 1 of the old'
        ' version, removed">1</span><span class="num"></span>'
        '<div class="text"><del>Gone first.</del></div></div>',
        '<div class="para op-insert"><span class="num old"></span>'
        '<span class="num" title="paragraph 1, added">1</span><div class="text"><ins>New',
        "",
        "first</ins></div></div>",
        '<div class="para op-equal"><span class="num old" title="paragraph 2 of the old version">'
        '2</span><span class="num" title="paragraph 2, unchanged">2</span>'
        '<div class="text">Same.</div></div>',
        '<div class="para op-modify"><span class="num old" title="paragraph 3 of the old version">'
        '3</span><span class="num" title="paragraph 3, modified">3</span>'
        '<div class="text">a <ins> </ins>b</div></div>',
        '<div class="para op-modify"><span class="num old" title="paragraph 4 of the old version">'
        '4</span><span class="num" title="paragraph 4, modified">4</span>'
        '<div class="text">x <del> </del>y</div></div>',
        '<div class="para op-move"><span class="num old" title="paragraph 6 of the old version">'
        '6</span><span class="num" title="paragraph 5, moved">5</span>'
        '<div class="text"><span class="note">moved from paragraph 6 and edited</span>'
        "Far<del>.</del><ins>!</ins></div></div>",
        '<div class="para op-move"><span class="num old" title="paragraph 7 of the old version">'
        '7</span><span class="num" title="paragraph 6, moved">6</span>'
        '<div class="text"><span class="note">moved from paragraph 7</span>Moved.</div></div>',
        "</div>",
    ]


def test_render_html_fragment_hand_made_side_by_side() -> None:
    rows = render_html_fragment(HAND, full=True, layout="side-by-side").split("\n")
    assert rows[1] == (
        '<table class="sbs"><colgroup><col class="num"><col class="text"><col class="num">'
        '<col class="text"></colgroup>'
    )
    assert rows[2:] == [
        '<tr class="op-delete"><td class="num">1</td><td class="text old"><del>Gone first.</del>'
        '</td><td class="num"></td><td class="text new"></td></tr>',
        '<tr class="op-insert"><td class="num"></td><td class="text old"></td>'
        '<td class="num">1</td><td class="text new"><ins>New',
        "",
        "first</ins></td></tr>",
        '<tr class="op-equal"><td class="num">2</td><td class="text old">Same.</td>'
        '<td class="num">2</td><td class="text new">Same.</td></tr>',
        '<tr class="op-modify"><td class="num">3</td><td class="text old">a b</td>'
        '<td class="num">3</td><td class="text new">a <ins> </ins>b</td></tr>',
        '<tr class="op-modify"><td class="num">4</td><td class="text old">x <del> </del>y</td>'
        '<td class="num">4</td><td class="text new">x y</td></tr>',
        '<tr class="op-move"><td class="num">6</td><td class="text old">Far<del>.</del></td>'
        '<td class="num">5</td><td class="text new"><span class="note">moved from paragraph 6'
        " and edited</span>Far<ins>!</ins></td></tr>",
        '<tr class="op-move"><td class="num">7</td><td class="text old">Moved.</td>'
        '<td class="num">6</td><td class="text new"><span class="note">moved from paragraph 7'
        "</span>Moved.</td></tr>",
        "</table>",
        "</div>",
    ]


#: One insertion, then four unchanged paragraphs: the context and skips around a change.
AFTER_INSERT = [Change("insert", None, 0, None, "x", None)] + [
    Change("equal", i, i + 1, f"p{i}", f"p{i}", None) for i in range(4)
]


def test_render_html_context_and_skips() -> None:
    default = render_html_fragment(AFTER_INSERT)  # inline, one paragraph of context
    assert default.split("\n")[1:] == [
        '<div class="para op-insert"><span class="num old"></span>'
        '<span class="num" title="paragraph 1, added">1</span>'
        '<div class="text"><ins>x</ins></div></div>',
        '<div class="para op-equal"><span class="num old" title="paragraph 1 of the old version">'
        '1</span><span class="num" title="paragraph 2, unchanged">2</span>'
        '<div class="text">p0</div></div>',
        '<div class="skip">... paragraphs 3-5 unchanged ...</div>',
        "</div>",
    ]
    one = render_html_fragment(AFTER_INSERT[:3], layout="side-by-side")
    assert '<tr class="skip"><td colspan="4">... paragraph 3 unchanged ...</td></tr>' in one
    assert '<div class="skip">... paragraph 3 unchanged ...</div>' in render_html_fragment(
        AFTER_INSERT[:3]
    )
    page = render_html("d", None, None, AFTER_INSERT)  # the page: the same defaults
    assert default in page and "p1" not in page
    assert "p1" in render_html("d", None, None, AFTER_INSERT, full=True)
    assert "p0" not in render_html("d", None, None, AFTER_INSERT, context=0)
    assert "<td colspan" in render_html("d", None, None, AFTER_INSERT, layout="side-by-side")


def test_render_markdown_full_and_context() -> None:
    assert render_markdown("d", None, None, AFTER_INSERT).split("\n\n")[2:] == [
        "**\u00b6 1, added:** **x**",
        "\u00b6 2: p0",
        "*... paragraphs 3-5 unchanged ...*\n",
    ]
    full = render_markdown("d", None, None, AFTER_INSERT, full=True).split("\n\n")[2:]
    assert full == ["**\u00b6 1, added:** **x**"] + [f"\u00b6 {n}: p{n - 2}" for n in (2, 3, 4)] + [
        "\u00b6 5: p3\n"
    ]
    none = render_markdown("d", None, None, AFTER_INSERT, context=0).split("\n\n")[2:]
    assert none == ["**\u00b6 1, added:** **x**", "*... paragraphs 2-5 unchanged ...*\n"]


def test_escape_html() -> None:
    from tracker.render.html import escape_html

    assert escape_html(None) == ""
    assert escape_html("<a href=\"x\">'&'</a>") == (
        "&lt;a href=&quot;x&quot;&gt;&#x27;&amp;&#x27;&lt;/a&gt;"
    )
    assert escape_html(3) == "3"
