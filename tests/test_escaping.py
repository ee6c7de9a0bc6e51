"""Hostile document text and hostile document names, through every page and output that shows them.

Each page is parsed with :mod:`html.parser`; the test fails if any element or attribute came from
a document (a ``script`` element running ``alert``, an ``img`` or ``svg`` element, an ``on*``
attribute, a ``javascript:`` link), and checks that the hostile strings are there as text, so
that a page that stopped showing them does not pass for a safe one.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
import pytest_asyncio
from datasette.app import Datasette
from support import served

from tracker import Tracker
from tracker.text.diff import diff_paragraphs

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
LINK = '<a href="javascript:alert(1)">click</a>'
BREAKOUT = "\"'><svg onload=alert(1)>"  # out of a quoted attribute, into an element
CDATA = "]]><script>alert(1)</script><![CDATA["  # out of a CDATA section, in a feed
ATOM = "{http://www.w3.org/2005/Atom}"

#: Names a document may have (main refuses ``..`` and control characters, not these).
NAME = "<script>alert(1)</script> & \"q\" 'a'.txt"  # a "/" inside: a folder, as far as paths go
URL_NAME = "javascript:alert(1)"
IMG_NAME = "<img src=x onerror=alert(1)>.md"

TITLE = f"Title {SCRIPT}"
MOVED = f"Moving paragraph {IMG} goes down."
MOVED_EDITED_OLD = f"Edited move paragraph with {LINK} several words in it here."
MOVED_EDITED_NEW = f"Edited move paragraph with {LINK} many words in it here."
MODIFIED_OLD = f"Modify me {BREAKOUT} please alpha beta gamma delta."
MODIFIED_NEW = f"Modify me {BREAKOUT} please alpha BETA gamma delta {SCRIPT}."
DELETED = f"Delete me {CDATA} entirely."
INSERTED = f"Inserted {IMG} {SCRIPT} {LINK}"
ANCHORS = ["Anchor one stays.", "Anchor two stays.", "Anchor three stays."]

V1 = [TITLE, MOVED, MOVED_EDITED_OLD, MODIFIED_OLD, DELETED, *ANCHORS]
V2 = [TITLE, MODIFIED_NEW, *ANCHORS, MOVED, MOVED_EDITED_NEW, INSERTED]

#: Every paragraph text of the hostile document's two versions.
ALL_TEXTS = sorted(set(V1) | set(V2))


def build(path: Path) -> Path:
    """A history with hostile names and text: every operation of the changes table, a
    deleted paragraph and a deleted document, hostile notes."""
    with Tracker(path) as tracker:
        tracker.record(NAME, "\n\n".join(V1) + "\n", at="2024-01-01T00:00:00Z", note=IMG)
        tracker.record(NAME, "\n\n".join(V2) + "\n", at="2024-02-01T00:00:00Z", note=BREAKOUT)
        tracker.record(URL_NAME, f"{LINK}\n\n{CDATA}\n", at="2024-01-02T00:00:00Z")
        tracker.record(URL_NAME, f"{CDATA}\n", at="2024-01-03T00:00:00Z")
        tracker.delete(URL_NAME, at="2024-03-01T00:00:00Z")
        tracker.record(IMG_NAME, f"{BREAKOUT}\n", at="2024-01-03T00:00:00Z")
    return path


def test_the_history_has_every_operation():
    """The hostile document's second version has each kind of change, so every cell is seen."""
    changes = diff_paragraphs(V1, V2)
    kinds = {(c.op, c.edited) for c in changes}
    assert {
        ("equal", False),
        ("insert", False),
        ("delete", False),
        ("modify", True),
        ("move", False),
        ("move", True),
    } <= kinds


# --------------------------------------------------------------------------- the checker


class _Page(HTMLParser):
    """Every element with its attributes, the text of scripts, and the text a reader sees."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data
        else:
            self.text.append(data)


def _furniture(tag: str, attrs: list) -> bool:
    """An SVG the pages draw themselves: Datasette's menu icon, the plugin's charts (an element
    injected with an ``on*`` attribute is reported for that all the same)."""
    found = dict(attrs)
    return tag == "svg" and (
        found.get("aria-labelledby") == "nav-menu-svg-title"
        or found.get("class") in ("tracker-spark", "tracker-timeline")
    )


def injected(html: str) -> list[str]:
    """What in ``html`` came from document text as markup (empty when nothing did)."""
    page = _Page()
    page.feed(html)
    page.close()
    found = []
    for tag, attrs in page.elements:
        if tag in ("img", "svg", "iframe", "object", "embed") and not _furniture(tag, attrs):
            found.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                found.append(f"{name} attribute on <{tag}>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                found.append(f"{name}={value!r} on <{tag}>")
        if tag == "script" and "alert" in (dict(attrs).get("src") or ""):
            found.append("script src")
    found += [f"script running {s.strip()[:40]!r}" for s in page.scripts if "alert" in s]
    return found


def shown_text(html: str) -> str:
    """The text of ``html`` as a reader sees it (entities decoded, tags dropped)."""
    page = _Page()
    page.feed(html)
    page.close()
    return "".join(page.text)


def assert_safe(html: str, *shown: str) -> None:
    """Nothing in ``html`` came from document text, and each of ``shown`` is there as text."""
    assert injected(html) == []
    text = shown_text(html)
    for expected in shown:
        assert expected in text, f"{expected!r} not shown as text"


def test_the_checker_sees_what_it_must():
    """The checker itself: each kind of injection is found; escaped text is not."""
    for raw in (SCRIPT, IMG, LINK, BREAKOUT, f'<p title="{BREAKOUT}">x</p>', CDATA):
        assert injected(f"<div>{raw}</div>"), raw
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;"
    assert injected(f'<div title="&quot;&#x27;&gt;">{escaped}</div>') == []
    assert shown_text(f"<div>{escaped}</div>") == f"{SCRIPT} {IMG}"
    assert injected('<script src="/-/static/app.js"></script><script>var a = 1;</script>') == []


# --------------------------------------------------------------------------- Datasette pages


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return build(tmp_path / "tracker.db")


@pytest_asyncio.fixture
async def ds(db_path: Path):
    async with served(Datasette([str(db_path)])) as datasette:
        yield datasette


async def page(ds: Datasette, path: str) -> str:
    response = await ds.client.get(path)
    assert response.status_code == 200, (path, response.status_code, response.text[:1000])
    return response.text


async def rows(ds: Datasette, path: str) -> list[dict]:
    separator = "&" if "?" in path else "?"
    response = await ds.client.get(f"{path}{separator}_shape=objects&_size=max")
    assert response.status_code == 200, (path, response.text[:1000])
    return response.json()["rows"]


def diff_url(name: str, version: int, query: str = "") -> str:
    return f"/-/tracker/diff/tracker/{quote(name, safe='/')}/{version}{query}"


@pytest.mark.asyncio
async def test_documents_table(ds):
    html = await page(ds, "/tracker/documents")
    assert_safe(html, NAME, URL_NAME, IMG_NAME)
    # the name links to the document's page, its label the name as text
    links = [a for a in _links(html) if a[1] == NAME]
    assert links == [("/-/tracker/doc/tracker/" + quote(NAME, safe="/"), NAME)]


@pytest.mark.asyncio
async def test_versions_table(ds):
    html = await page(ds, "/tracker/versions?_size=max")
    assert_safe(html, NAME, URL_NAME, IMG, BREAKOUT)  # names (labels) and notes


@pytest.mark.asyncio
async def test_changes_table_every_operation(ds):
    found = await rows(ds, f"/tracker/changes.json?document={quote(NAME, safe='')}&version=2")
    ops = sorted((r["op"], r["old_text"] == r["new_text"]) for r in found)
    assert ops == [
        ("delete", False),
        ("insert", False),
        ("modify", False),
        ("move", False),  # moved and edited
        ("move", True),  # moved, unedited: the cell shows the text as it is
    ]
    html = await page(ds, f"/tracker/changes?document={quote(NAME, safe='')}&version=2")
    assert_safe(html, NAME, MOVED, DELETED, INSERTED, SCRIPT, BREAKOUT, LINK)
    cells = _cells(html, "col-new_text")
    assert len(cells) == 5
    for cell in cells:  # each operation's cell on its own: its text is there, nothing runs
        assert injected(cell) == []
    texts = sorted(shown_text(cell) for cell in cells)
    assert texts == sorted(  # a changed word shows as the old one then the new one
        [
            DELETED,
            INSERTED,
            f"Modify me {BREAKOUT} please alpha betaBETA gamma delta {SCRIPT}.",
            f"moved{MOVED}",
            f"movedEdited move paragraph with {LINK} severalmany words in it here.",
        ]
    )


@pytest.mark.asyncio
async def test_changes_table_of_a_deleted_paragraph(ds):
    html = await page(ds, f"/tracker/changes?document={quote(URL_NAME, safe='')}&op=delete")
    assert_safe(html, URL_NAME, LINK)
    (cell,) = _cells(html, "col-new_text")
    assert shown_text(cell) == LINK and "<del>" in cell
    assert [href for href, text in _links(html) if text == URL_NAME] == [
        "/-/tracker/doc/tracker/" + quote(URL_NAME, safe="/")
    ]


@pytest.mark.asyncio
async def test_paragraphs_table(ds):
    html = await page(ds, "/tracker/paragraphs?_size=max")
    assert_safe(html, *ALL_TEXTS, LINK, CDATA, BREAKOUT)


@pytest.mark.asyncio
@pytest.mark.parametrize("layout", ["inline", "side-by-side"])
@pytest.mark.parametrize("full", ["", "&full=1"])
async def test_diff_page(ds, layout, full):
    html = await page(ds, diff_url(NAME, 2, f"?layout={layout}{full}"))
    assert_safe(html, f"Changes to {NAME}", MOVED, DELETED, INSERTED, SCRIPT, BREAKOUT, LINK)
    if full:
        assert_safe(html, TITLE, *ANCHORS)  # the unchanged paragraphs, every one
    else:
        assert_safe(html, TITLE)  # the unchanged one before the first change, as context
    assert f"Note: {BREAKOUT}" in shown_text(html)


@pytest.mark.asyncio
async def test_diff_page_of_a_first_version_and_of_a_deletion(ds):
    html = await page(ds, diff_url(NAME, 1))
    assert_safe(html, *V1, f"Note: {IMG}")
    html = await page(ds, diff_url(URL_NAME, 3, "?layout=side-by-side"))
    assert_safe(html, f"Changes to {URL_NAME}", CDATA, "records the deletion")
    html = await page(ds, diff_url(URL_NAME, 2))
    assert_safe(html, f"Changes to {URL_NAME}", LINK, CDATA)
    html = await page(ds, diff_url(IMG_NAME, 1))
    assert_safe(html, f"Changes to {IMG_NAME}", BREAKOUT)


@pytest.mark.asyncio
async def test_search_results(ds):
    html = await page(ds, "/tracker/search?q=alert")
    assert_safe(html, NAME, URL_NAME, IMG_NAME, SCRIPT, "onerror=alert(1)>")
    marks = re.findall(r'<mark class="tracker-hit">([^<]*)</mark>', html)
    assert marks and set(marks) == {"alert"}
    html = await page(ds, "/tracker/search?q=" + quote('"javascript"'))
    assert_safe(html, 'href="javascript:alert(1)"')


@pytest.mark.asyncio
async def test_search_page(ds):
    """The plugin's search page: hostile names and text, of the latest versions and of every
    one (a deleted document, removed paragraphs), and a hostile query, all shown as text."""
    search = "/-/tracker/tracker/search?q="
    html = await page(ds, search + "alert")
    assert_safe(html, NAME, IMG_NAME, SCRIPT, "onerror=alert(1)>")
    marks = re.findall(r'<mark class="tracker-hit">([^<]*)</mark>', html)
    assert marks and set(marks) == {"alert"}
    html = await page(ds, search + "alert&versions=all")
    assert_safe(html, NAME, URL_NAME, IMG_NAME, CDATA, LINK)
    assert "removed in" in shown_text(html)
    html = await page(ds, search + quote(BREAKOUT + " alert") + "&doc=" + quote(BREAKOUT))
    assert_safe(html, f"No document is named {BREAKOUT}.")
    html = await page(ds, search + quote(SCRIPT))
    assert_safe(html, f"hold “{SCRIPT}” in their latest versions", SCRIPT)


@pytest.mark.asyncio
async def test_provenance(ds):
    for text in (MOVED, DELETED, MODIFIED_NEW):
        html = await page(ds, "/tracker/provenance?paragraph=" + quote(text, safe=""))
        assert_safe(html, NAME, text)


@pytest.mark.asyncio
async def test_document_history(ds):
    html = await page(ds, "/tracker/document_history?document=" + quote(NAME, safe=""))
    assert_safe(html, NAME, IMG, BREAKOUT)
    hrefs = {href for href, label in _links(html) if label in ("1", "2")}
    assert hrefs == {diff_url(NAME, 1), diff_url(NAME, 2)}
    html = await page(ds, "/tracker/document_history?document=" + quote(URL_NAME, safe=""))
    assert_safe(html, URL_NAME)


@pytest.mark.asyncio
async def test_changes_in_range(ds):
    html = await page(ds, "/tracker/changes_in_range?since=2024-01-01&until=2024-12-31")
    assert_safe(html, NAME, URL_NAME, MOVED, DELETED, INSERTED, LINK, CDATA)


@pytest.mark.asyncio
async def test_atom_feed(ds):
    response = await ds.client.get("/-/tracker/tracker/changes.atom")
    assert response.status_code == 200
    feed = ET.fromstring(response.content)  # well-formed XML, whatever the text held
    entries = {e.find(f"{ATOM}title").text: e for e in feed.findall(f"{ATOM}entry")}
    v2_title = f"{NAME} v2: 1 paragraph added, 1 removed, 1 modified, 2 moved (4 substantive)"
    assert set(entries) == {
        v2_title,
        f"{NAME} v1: created, 8 paragraphs",
        f"{URL_NAME} v3: deleted",
        f"{URL_NAME} v2: 1 paragraph removed",
        f"{URL_NAME} v1: created, 2 paragraphs",
        f"{IMG_NAME} v1: created, 1 paragraph",
    }
    for title, entry in entries.items():
        href = entry.find(f"{ATOM}link").get("href")
        assert href.startswith("http://localhost/-/tracker/diff/tracker/"), href
        content = entry.find(f"{ATOM}content")
        assert content.get("type") == "html"
        assert injected(content.text) == [], title
    v2 = entries[v2_title]
    assert v2.find(f"{ATOM}summary").text == (
        f"1 paragraph added, 1 removed, 1 modified, 2 moved (4 substantive) ({BREAKOUT})"
    )
    assert_safe(v2.find(f"{ATOM}content").text, MOVED, DELETED, INSERTED, CDATA)
    removed = entries[f"{URL_NAME} v2: 1 paragraph removed"].find(f"{ATOM}content").text
    assert_safe(removed, LINK)
    one = await ds.client.get("/-/tracker/tracker/changes.atom?doc=" + quote(NAME, safe=""))
    feed = ET.fromstring(one.content)
    assert feed.find(f"{ATOM}title").text == f"{NAME}: recorded changes"


def _links(html: str) -> list[tuple[str, str]]:
    """Every ``<a href>`` of a page with its text, as a reader would follow and read it."""

    class Links(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.found: list[list[str]] = []
            self.open: list[str] | None = None

        def handle_starttag(self, tag, attrs):
            if tag == "a" and dict(attrs).get("href") is not None:
                self.open = [dict(attrs)["href"], ""]
                self.found.append(self.open)

        def handle_endtag(self, tag):
            if tag == "a":
                self.open = None

        def handle_data(self, data):
            if self.open is not None:
                self.open[1] += data

    parser = Links()
    parser.feed(html)
    return [(href, text) for href, text in parser.found]


def _cells(html: str, css_class: str) -> list[str]:
    """The inner HTML of each ``<td class="... css_class ...">`` of a Datasette table page."""
    return re.findall(rf'<td class="[^"]*\b{css_class}\b[^"]*">(.*?)</td>', html, re.S)


# --------------------------------------------------------------------------- the CLI


@pytest.mark.parametrize(
    "options",
    [
        [],
        ["--layout", "side-by-side"],
        ["--full"],
        ["--full", "--layout", "side-by-side"],
        ["--until", "v1"],
    ],
)
def test_cli_html(run, db_path, options):
    result = run("diff", NAME, *options, "--format", "html", db=db_path)
    assert result.exit_code == 0, result.output
    assert_safe(result.stdout, f"Changes to {NAME}", SCRIPT, LINK, BREAKOUT)


def test_cli_html_of_a_deletion(run, db_path):
    result = run("diff", URL_NAME, "--since", "v1", "--format", "html", db=db_path)
    assert result.exit_code == 0, result.output
    assert_safe(result.stdout, f"Changes to {URL_NAME}", LINK, CDATA)


#: Markdown that would become markup when rendered: an unescaped ``<``, ``[`` or ``&``.
_MARKDOWN_SYNTAX = re.compile(r"(?<!\\)[<\[&]")


@pytest.mark.parametrize("options", [[], ["--full"], ["--until", "v1"]])
def test_cli_markdown(run, db_path, options):
    result = run("diff", NAME, *options, "--format", "markdown", db=db_path)
    assert result.exit_code == 0, result.output
    assert _MARKDOWN_SYNTAX.findall(result.stdout) == []
    assert "\\<script\\>alert(1)\\</script\\> \\& " in result.stdout  # the name, escaped
    assert "\\<img src=x onerror=alert(1)\\>" in result.stdout
