"""What the plugin puts in Datasette's table cells, cell by cell (hand-checked HTML).

:func:`tracker.web.plugin.cell_markup` is the render_cell hook's work; a stand-in for Datasette
gives it a base URL and says which databases are tracker databases.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tracker.web.cells import change_html, snippet_html
from tracker.web.plugin import cell_markup


class FakeDatasette:
    """Two databases, ``tracker`` (a tracker database) and ``other``; served under /base."""

    def __init__(self) -> None:
        self.databases = {"tracker": None, "other": None}
        self.__dict__["_tracker_databases"] = (
            ("tracker", "other"),
            ["tracker"],
            {"tracker": True, "other": False},
        )
        self.urls = SimpleNamespace(path=lambda path: "/base" + path)


def cell(value, column, table, row=None, database="tracker"):
    found = cell_markup(row or {}, value, column, table, database, FakeDatasette())
    return None if found is None else str(found)


def wrapped(op: str, inner: str) -> str:
    body = f'<div class="text">{inner}</div>'
    return f'<div class="tracker-diff"><div class="para op-{op}">{body}</div></div>'


@pytest.mark.parametrize("table", ["changes", None])  # the view, or a canned query's rows
def test_change_cells(table):
    assert cell("<b>", "new_text", table, {"op": "insert", "old_text": None}) == wrapped(
        "insert", "<ins>&lt;b&gt;</ins>"
    )
    assert cell(None, "new_text", table, {"op": "delete", "old_text": "x & y"}) == wrapped(
        "delete", "<del>x &amp; y</del>"
    )
    assert cell("a c", "new_text", table, {"op": "modify", "old_text": "a b"}) == wrapped(
        "modify", "a <del>b</del><ins>c</ins>"
    )
    assert cell("'q'", "new_text", table, {"op": "move", "old_text": "'q'"}) == wrapped(
        "move", '<span class="note">moved</span>&#x27;q&#x27;'
    )


@pytest.mark.parametrize(
    "value,column,table,row,database",
    [
        ("x", "new_text", "changes", {"op": "equal", "old_text": "x"}, "tracker"),  # no such op
        ("x", "new_text", "changes", {"old_text": "x"}, "tracker"),  # no op column
        (b"x", "new_text", "changes", {"op": "insert", "old_text": None}, "tracker"),
        ("x", "new_text", "changes", {"op": "modify", "old_text": 3}, "tracker"),
        ("x", "new_text", "changes", {"op": "insert"}, "other"),  # not a tracker database
        ("x", "new_text", "versions", {"op": "insert"}, "tracker"),
        ("x", "old_text", "changes", {"op": "insert"}, "tracker"),  # left to Datasette
        ("x", "name", "paragraphs", {}, "tracker"),  # a table the plugin leaves alone
        ("x", "name", "versions", {}, "tracker"),
        ("x", "document", "documents", {}, "tracker"),
        (None, "document", "changes", {}, "tracker"),
        (3, "version", "versions", {}, "tracker"),  # no row id to link
        (3, "version", "versions", {"id": "7"}, "tracker"),
        ("3", "version", "versions", {"id": 7}, "tracker"),
        (3, "version", "changes", {"document": None}, "tracker"),
        ("[1,2,3,4,5,6,7,8]", "paragraph_ids", "versions", {}, "tracker"),  # short: as it is
        ("[]", "paragraph_ids", "versions", {}, "tracker"),
        ("[1,2,3,4,5,6,7,8,9]", "paragraph_ids", "changes", {}, "tracker"),
        ("a \x02hit\x03", "snippet", "paragraphs", {}, "tracker"),  # only in query results
        ("no hit", "snippet", None, {}, "tracker"),
        (5, "paragraph_id", "changes", {}, "tracker"),
        ("5", "paragraph_id", None, {}, "tracker"),
    ],
)
def test_cells_left_to_datasette(value, column, table, row, database):
    assert cell(value, column, table, row, database) is None


def test_version_cells_link_to_diffs():
    assert cell(3, "version", "versions", {"id": 7}) == (
        '<a href="/base/-/tracker/version/tracker/7" title="diff of version 3">3</a>'
    )
    assert cell(3, "version", "changes", {"document": "a b&c.txt"}) == (
        '<a href="/base/-/tracker/diff/tracker/a%20b%26c.txt/3" title="diff">3</a>'
    )
    assert cell(2, "version", None, {"document": "d/e.txt"}) == (
        '<a href="/base/-/tracker/diff/tracker/d/e.txt/2" title="diff">2</a>'
    )


def test_name_cells_link_to_the_documents_page():
    expected = (
        '<a href="/base/-/tracker/doc/tracker/%3Cb%3E%20%26.txt" title="its versions">'
        "&lt;b&gt; &amp;.txt</a>"
    )
    assert cell("<b> &.txt", "document", "changes") == expected
    assert cell("<b> &.txt", "document", None) == expected
    assert cell("<b> &.txt", "name", "documents") == expected


def test_long_paragraph_id_lists_are_cut():
    assert cell("[1,2,3,4,5,6,7,8,9]", "paragraph_ids", "versions") == (
        "1, 2, 3, 4, 5, 6, 7, 8, \u2026 (9 in all)"
    )


def test_search_cells():
    assert cell("<i> \x02hit\x03 & \x02more\x03", "snippet", None) == (
        '&lt;i&gt; <mark class="tracker-hit">hit</mark> &amp; <mark class="tracker-hit">more</mark>'
    )
    assert cell(5, "paragraph_id", None) == (
        '<a href="/base/tracker/provenance?paragraph=5" title="provenance">5</a>'
    )


def test_change_html_of_texts_that_did_not_change():
    assert change_html("modify", "same <b>", "same <b>") == wrapped("modify", "same &lt;b&gt;")
    assert change_html("modify", None, "new") == wrapped("modify", "new")
    assert change_html("modify", "old", None) == wrapped("modify", "old")
    assert change_html("insert", None, None) == wrapped("insert", "<ins></ins>")
    assert change_html("delete", None, None) == wrapped("delete", "<del></del>")
    assert change_html('x"', None, "t") == wrapped("x&quot;", "t")  # even the op is escaped


def test_snippet_html():
    assert snippet_html("\x02<a>\x03") == '<mark class="tracker-hit">&lt;a&gt;</mark>'
    assert snippet_html("plain 'q'") == "plain &#x27;q&#x27;"


def test_whatever_goes_into_a_cell_is_escaped_even_what_no_document_wrote():
    """A base URL with a quote in it, paragraph ids that are no numbers (a tampered database):
    escaped like document text."""
    datasette = FakeDatasette()
    datasette.urls = SimpleNamespace(path=lambda path: '/"><b>' + path)
    link = str(cell_markup({}, "a.txt", "document", "changes", "tracker", datasette))
    assert link.startswith('<a href="/&quot;&gt;&lt;b&gt;/-/tracker/doc/tracker/a.txt"')
    ids = "[<b>,2,3,4,5,6,7,8,9]"
    assert cell(ids, "paragraph_ids", "versions") == (
        "&lt;b&gt;, 2, 3, 4, 5, 6, 7, 8, \u2026 (9 in all)"
    )


def test_a_rendered_column_in_another_table_is_left_alone():
    assert cell(3, "version", "paragraphs", {"document": "a.txt"}) is None
    assert cell("a \x02hit\x03", "snippet", "changes") is None  # snippets: query results only
    assert cell(5, "paragraph_id", "versions") is None


def test_a_cell_with_no_text_at_all():
    assert change_html("move", None, None) == wrapped("move", '<span class="note">moved</span>')


def test_old_text_folds_beside_its_change_and_dates_read_as_dates():
    row = {"op": "modify", "old_text": "a <b>", "new_text": "a c"}
    assert cell("a <b>", "old_text", "changes", row) == (
        '<details class="tracker-old"><summary>5 characters</summary>'
        "<div>a &lt;b&gt;</div></details>"
    )
    assert cell("2026-08-06T10:28:56.000Z", "captured_at", "versions") == (
        '<time datetime="2026-08-06T10:28:56.000Z" title="6 August 2026, 10:28:56 UTC">'
        "6 Aug 2026 10:28</time>"
    )
    assert cell("not a <date>", "captured_at", "changes") is None
