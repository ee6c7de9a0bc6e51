"""The pages that answer "what changed?": home, document, diff of any two versions, a paragraph's
history; the table defaults, the canned queries' titles and pages, the feed's stylesheet."""

from __future__ import annotations

import json
import re
import sqlite3
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
import pytest_asyncio
from datasette.app import Datasette
from support import ATOM, build_db, served

from tracker import Tracker
from tracker.web.metadata import SETTINGS, instance_metadata
from tracker.web.pages import common

NOW = "2024-03-20T12:00:00.000Z"


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr(common, "clock", lambda: NOW)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return build_db(tmp_path / "tracker.db")


@pytest_asyncio.fixture
async def ds(db_path: Path):
    """Datasette as `tracker serve` builds it."""
    async with served(
        Datasette([str(db_path)], metadata=instance_metadata(["tracker"]), settings=SETTINGS)
    ) as datasette:
        yield datasette


async def get(ds: Datasette, path: str, status: int = 200):
    response = await ds.client.get(path)
    assert response.status_code == status, (path, response.status_code, response.text[:3000])
    return response


class Page(HTMLParser):
    """The elements of a page: tags with attributes, text by element id, and the rows of tables."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def all(self, tag: str, **attrs: str) -> list[dict]:
        return [
            a
            for t, a in self.tags
            if t == tag and all(a.get(k.rstrip("_")) == v for k, v in attrs.items())
        ]

    def links(self) -> list[str]:
        return [a["href"] for a in self.all("a") if "href" in a]


# --------------------------------------------------------------------------- home


@pytest.mark.asyncio
async def test_home_lists_documents_and_latest_changes(ds):
    page = (await get(ds, "/-/tracker/tracker")).text
    parsed = Page(page)
    assert "What changed in tracker" in page
    # from the first version recorded to the last one (20 Mar, today here, is the sparklines' end)
    assert "3 documents, 7 versions, from 1 Jan 2024 to 1 Mar 2024." in "".join(parsed.text)
    rows = re.findall(r'<tr><td class="name"><a href="([^"]+)">([^<]+)</a>', page)
    assert [name for _, name in rows] == ["notes/plan.txt", "hostile.txt", "old.txt"]
    assert rows[0][0] == "/-/tracker/doc/tracker/notes/plan.txt"
    assert len(parsed.all("svg", class_="tracker-spark")) == 3
    assert 'title="1 version">1</span>' in page  # plan.txt: one paragraph removed in 30 days
    assert "deleted</span>" in page  # old.txt
    search = parsed.all("form", class_="tracker-search")[0]
    assert search["action"] == "/-/tracker/tracker/search"  # the search page, not the SQL
    latest = re.findall(r'<li><span class="when">.*?</li>', page, re.S)
    assert len(latest) == 7 and "notes/plan.txt" in latest[0] and "19 days ago" in latest[0]
    assert "/-/tracker/diff/tracker/notes/plan.txt/3" in latest[0]
    assert (await get(ds, "/-/tracker/")).text == page
    assert (await get(ds, "/")).text == page  # only tracker databases: the home is the front page
    assert (await get(ds, "/.json")).json()["tracker"]["name"] == "tracker"  # JSON as before


@pytest.mark.asyncio
async def test_front_page_stays_datasettes_beside_other_databases(db_path, tmp_path):
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table t (x)").connection.close()
    async with served(Datasette([str(db_path), str(other)])) as datasette:
        front = (await get(datasette, "/")).text
        assert "other" in front and "What changed in" not in front
        assert 'href="/-/tracker/"' in front  # the menu leads to the tracker home
        assert "What changed in tracker" in (await get(datasette, "/-/tracker/")).text
        await get(datasette, "/-/tracker/other", status=404)


@pytest.mark.asyncio
async def test_database_page_leads_to_the_home_and_hides_raw_tables(ds):
    page = (await get(ds, "/tracker")).text
    assert '<a href="/-/tracker/tracker">What changed</a>' in page
    visible = page.split("hidden table")[0]
    assert 'href="/tracker/changes"' in visible
    assert 'href="/tracker/paragraph_changes"' not in visible


# --------------------------------------------------------------------------- document


@pytest.mark.asyncio
async def test_document_page_lists_versions_on_a_timeline(ds):
    page = (await get(ds, "/-/tracker/doc/tracker/notes/plan.txt")).text
    parsed = Page(page)
    assert "3 versions" in page
    assert len(parsed.all("circle")) == 3
    marks = [a["href"] for a in parsed.all("a") if a.get("href", "").startswith("/-/tracker/diff")]
    assert "/-/tracker/diff/tracker/notes/plan.txt/1" in marks
    # a group of links for a screen reader, each named (an "img" would hide them)
    chart = parsed.all("svg", class_="tracker-timeline")[0]
    assert chart["role"] == "group"
    assert chart["aria-label"] == "3 versions from 1 Jan 2024 to 1 Mar 2024"
    svg = re.search(r'<svg class="tracker-timeline".*?</svg>', page, re.S).group(0)
    names = [a.get("aria-label", "") for a in Page(svg).all("a")]
    assert len(names) == 3 and names[0].startswith("v1, 1 Jan 2024")
    assert all(n.startswith("v") for n in names)
    form = parsed.all("form", class_="compare-versions")[0]
    assert form["action"] == "/-/tracker/compare/tracker/notes/plan.txt"
    radios = parsed.all("input", type="radio")
    assert [(r["name"], r["value"]) for r in radios if "checked" in r] == [
        ("to", "3"),
        ("from", "2"),
    ]
    assert parsed.all("input", type="date", name="since")
    assert "1 paragraph removed" in page and "created, 3 paragraphs" in page


@pytest.mark.parametrize(
    "times,ticks",
    [
        (
            ["1000-01-01T00:00:00Z", "2024-01-01T00:00:00Z"],
            ["1200", "1400", "1600", "1800", "2000"],
        ),
        (["0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z"], ["1000", "2000", "9000"]),
    ],
)
@pytest.mark.asyncio
async def test_a_timeline_over_centuries_has_an_axis(tmp_path, times, ticks):
    """Versions a thousand years apart (imported ones can be): the page is drawn, its axis
    labelled every few centuries."""
    with Tracker(tmp_path / "old.db") as tracker:
        for k, at in enumerate(times):
            tracker.record("charter.txt", f"Text {k}.\n", at=at)
    app = Datasette(
        [str(tmp_path / "old.db")], metadata=instance_metadata(["old"]), settings=SETTINGS
    )
    async with served(app) as datasette:
        page = (await get(datasette, "/-/tracker/doc/old/charter.txt")).text
    chart = re.search(r'<svg class="tracker-timeline".*?</svg>', page, re.S).group(0)
    labels = re.findall(r"<text [^>]*>([^<]*)</text>", chart)
    assert set(ticks) <= set(labels) and len(labels) <= 10, labels


@pytest.mark.asyncio
async def test_document_page_filters_by_date_and_diffs_across_the_window(ds):
    page = await get(ds, "/-/tracker/doc/tracker/notes/plan.txt?since=2024-02-01&until=2024-03-01")
    parsed = Page(page.text)
    versions = [a["value"] for a in parsed.all("input", type="radio", name="to")]
    assert versions == ["3", "2"]
    assert len(parsed.all("circle")) == 2
    # what changed in February: the document before it (v1) against its last version in it
    assert 'href="/-/tracker/diff/tracker/notes/plan.txt/1..3"' in page.text
    assert 'value="2024-02-01"' in page.text
    january = (await get(ds, "/-/tracker/doc/tracker/notes/plan.txt?until=2024-01-31")).text
    assert [a["value"] for a in Page(january).all("input", name="to")] == ["1"]
    nothing = (await get(ds, "/-/tracker/doc/tracker/notes/plan.txt?since=2025-01-01")).text
    assert "No version in these dates" in nothing
    wrong = (await get(ds, "/-/tracker/doc/tracker/notes/plan.txt?since=yesterday")).text
    assert "'yesterday' is not a date (use 2026-01-31)" in "".join(Page(wrong).text)


@pytest.mark.asyncio
async def test_a_window_is_diffed_from_the_text_current_before_it_when_times_go_back(tmp_path):
    """v2 was recorded after v1 but dated before it: just before 2024, the text was v1's (the
    latest in time), so the window from 2024 is diffed from v1, as `tracker diff --since` does."""
    path = tmp_path / "back.db"
    with Tracker(path) as tracker:
        for text, at in (("A.\n", "2023-06-01"), ("B.\n", "2023-01-01"), ("C.\n", "2024-02-01")):
            tracker.record("doc.txt", text, at=at)
        assert tracker.diff("doc.txt", since="2024-01-01").old.version == 1
    app = Datasette([str(path)], metadata=instance_metadata(["back"]), settings=SETTINGS)
    async with served(app) as datasette:
        page = (await get(datasette, "/-/tracker/doc/back/doc.txt?since=2024-01-01")).text
    assert 'href="/-/tracker/diff/back/doc.txt/1..3"' in page


@pytest.mark.asyncio
async def test_document_page_by_any_name_redirects_to_the_full_one(ds):
    response = await get(ds, "/-/tracker/doc/tracker/plan?since=2024-02-01", status=302)
    assert response.headers["location"] == (
        "/-/tracker/doc/tracker/notes/plan.txt?since=2024-02-01"
    )
    await get(ds, "/-/tracker/doc/tracker/nothing-like-it", status=404)


# --------------------------------------------------------------------------- diff


@pytest.mark.asyncio
async def test_compare_leads_to_the_diff_of_two_versions(ds):
    base = "/-/tracker/compare/tracker/notes/plan.txt"
    for query, target in (
        ("?from=1&to=3", "1..3"),
        ("?from=3&to=1", "1..3"),
        ("?from=2&to=2", "2"),
        ("?to=v3", "3"),
    ):
        response = await get(ds, base + query, status=302)
        assert response.headers["location"] == f"/-/tracker/diff/tracker/notes/plan.txt/{target}"
    await get(ds, base + "?from=x", status=404)


@pytest.mark.asyncio
async def test_diff_of_any_two_versions(ds):
    page = (await get(ds, "/-/tracker/diff/tracker/notes/plan.txt/1..3")).text
    assert "<del>apples</del><ins>pears</ins>" in page
    assert "<del>Closing words.</del>" in page  # in version 1, gone by version 3
    assert "version 1" in page and "version 3" in page
    assert 'href="/-/tracker/doc/tracker/notes/plan.txt?since=2024-01-01&amp;until=2024-03-01"' in (
        page
    )
    parsed = Page(page)
    assert [a["value"] for a in parsed.all("input", type="number")] == ["1", "3"]
    reverse = (await get(ds, "/-/tracker/diff/tracker/notes/plan.txt/3..1")).text
    assert "<del>pears</del><ins>apples</ins>" in reverse


@pytest.mark.asyncio
async def test_diff_page_navigator_minimap_anchors_and_history_links(ds):
    page = (await get(ds, "/-/tracker/diff/tracker/notes/plan.txt/2")).text
    parsed = Page(page)
    changes = [a for _, a in parsed.tags if "data-change" in a]
    assert [c["id"] for c in changes] == ["p2", "p4"]
    assert 'data-count="2"' in page and "2 changes" in page
    minimap = re.search(r'<nav class="tracker-minimap".*?</nav>', page, re.S).group(0)
    assert re.findall(r'href="#(p\d+)"', minimap) == ["p2", "p4"]
    # its links come after the diff's: tabbing reaches the text before a link per change
    assert page.index('<div id="diff"') < page.index('<nav class="tracker-minimap"')
    assert 'id="next-change" href="#p2"' in page
    history = [a["href"] for a in parsed.all("a", class_="history")]
    assert "/-/tracker/trace/tracker/notes/plan.txt?paragraph=2&at=2" in history
    # each says which paragraph, for a screen reader's list of links
    names = [a["aria-label"] for a in parsed.all("a", class_="history")]
    assert len(set(names)) == len(names) and "history of paragraph 2" in names
    # the script's URL changes with it, so that a browser never runs a day-old copy
    from tracker.web.assets import VERSIONS

    assert parsed.all("script", src=f"/-/tracker/tracker.js?v={VERSIONS['tracker.js']}")
    legend = re.search(r'<ul class="tracker-legend".*?</ul>', page, re.S).group(0)
    assert "added" in legend and "removed" in legend and "moved" in legend


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "path",
    [
        "/-/tracker/tracker",
        "/-/tracker/doc/tracker/notes/plan.txt",
        "/-/tracker/diff/tracker/notes/plan.txt/2",
        "/-/tracker/words/tracker/notes/plan.txt/2",
        "/-/tracker/trace/tracker/notes/plan.txt?paragraph=2&at=3",
        "/-/tracker/tracker/search?q=plan",
    ],
)
async def test_every_page_has_one_main_landmark_a_skip_link_leads_to(ds, path):
    parsed = Page((await get(ds, path)).text)
    assert parsed.links()[0] == "#main"  # the first stop for Tab, before the site's header
    assert [a.get("id") for a in parsed.all("div", role="main")] == ["main"]
    assert len(parsed.all("h1")) == 1


@pytest.mark.asyncio
async def test_search_hits_links_are_described_by_their_snippet(ds):
    """A screen reader's list of links would hold "its history" and "provenance" once per
    hit; each is described by its hit's snippet, so that one can be told from another."""
    page = (await get(ds, "/-/tracker/tracker/search?q=north")).text
    links = re.findall(
        r'<a href="[^"]*" aria-describedby="([^"]+)">(its history|provenance)<', page
    )
    assert {name for _, name in links} == {"its history", "provenance"}
    for target, _ in links:
        snippet = re.search(rf'<p class="snippet" id="{target}">(.*?)</p>', page, re.S)
        assert snippet and "north" in re.sub("<[^>]+>", "", snippet.group(1))


@pytest.mark.asyncio
async def test_moved_paragraph_links_to_where_it_was(db_path):
    with Tracker(db_path) as tracker:
        tracker.record(
            "notes/plan.txt",
            "A new paragraph about irrigation.\n\nIntro paragraph.\n\n"
            "We grow pears in the north field.\n",
            at="2024-03-02T10:00:00Z",
        )
    async with served(Datasette([str(db_path)])) as datasette:
        page = (await get(datasette, "/-/tracker/diff/tracker/notes/plan.txt/4")).text
    ids = [a["id"] for _, a in Page(page).tags if "id" in a]
    assert 'moved from <a href="#o3">paragraph 3</a>' in page
    assert 'moved to <a href="#p1">paragraph 1</a>' in page
    assert "o3" in ids and "p1" in ids


# --------------------------------------------------------------------------- trace


@pytest.mark.asyncio
async def test_trace_page_tells_a_paragraphs_life(ds):
    page = (await get(ds, "/-/tracker/trace/tracker/notes/plan.txt?paragraph=2&at=3")).text
    assert "The history of paragraph 2" in page
    events = re.findall(r'<li class="event op-(\w+)">', page)
    assert events == ["created", "modified"]
    assert "<del>apples</del><ins>pears</ins>" in page
    assert 'href="/-/tracker/diff/tracker/notes/plan.txt/2#p2"' in page
    await get(ds, "/-/tracker/trace/tracker/notes/plan.txt?paragraph=99", status=404)
    await get(ds, "/-/tracker/trace/tracker/nothing.txt?paragraph=1", status=404)


@pytest.mark.asyncio
async def test_trace_page_says_when_an_edit_was_minor(ds, db_path: Path, run):
    """An edit that only reflowed a paragraph reads as such, not as a bare "modified" whose
    marks are struck-out blanks; a real edit stays "modified"; the CLI's JSON gives both."""
    text = "A paragraph that is\nwrapped here.\n\nAnother one.\n"
    with Tracker(db_path) as tracker:
        tracker.record("wrap.txt", text, at="2024-05-01T00:00:00Z")
        tracker.record("wrap.txt", text.replace("is\n", "is "), at="2024-05-02T00:00:00Z")
        tracker.record("wrap.txt", text.replace("is\n", "was "), at="2024-05-03T00:00:00Z")
    page = (await get(ds, "/-/tracker/trace/tracker/wrap.txt?paragraph=1")).text
    said = re.findall(r"<strong>(\w+)</strong>([^,]*),", page)
    assert said == [
        ("created", ""),
        ("modified", " (only spacing or line breaks changed)"),
        ("modified", ""),
    ]
    events = json.loads(run("trace", "wrap.txt", "1", "--json", db=db_path).stdout)
    assert [e["class"] for e in events] == [None, "whitespace", "substantive"]


# --------------------------------------------------------------------------- tables


def header(page: str) -> list[str]:
    head = page.split("<thead>", 1)[1].split("</thead>")[0]
    return re.findall(r'<th[^>]* class="col-([\w-]+)"', head)


@pytest.mark.asyncio
async def test_tables_show_the_columns_people_read_first(ds):
    changes = (await get(ds, "/tracker/changes")).text
    columns = header(changes)
    assert columns[:6] == ["document", "version", "captured_at", "op", "class", "new_text"]
    assert "id" not in columns and "lineage" not in columns and "old_text" in columns
    assert '<details class="tracker-old">' in changes  # the old text, folded
    versions = header((await get(ds, "/tracker/versions")).text)
    assert versions[:5] == ["id", "document_id", "version", "captured_at", "added"]
    assert not {"sha256", "paragraph_ids", "layout", "lineages"} & set(versions)
    documents = header((await get(ds, "/tracker/documents")).text)
    assert documents[:3] == ["id", "name", "created_at"] and "file_mtime_ns" not in documents
    everything = header((await get(ds, "/tracker/versions?_all=1")).text)
    assert "sha256" in everything and "paragraph_ids" in everything
    chosen = header((await get(ds, "/tracker/versions?_col=sha256")).text)
    assert chosen == ["id", "sha256"]
    data = (await get(ds, "/tracker/versions.json?_shape=objects")).json()["rows"][0]
    assert "sha256" in data and "layout" in data  # JSON keeps every column
    faceted = header((await get(ds, "/tracker/changes?op=modify")).text)
    assert faceted[:6] == columns[:6]


@pytest.mark.asyncio
async def test_dates_read_as_dates_with_the_exact_time_on_hover(ds):
    page = (await get(ds, "/tracker/changes")).text
    assert (
        '<time datetime="2024-03-01T10:00:00.000Z" title="1 March 2024, 10:00:00 UTC">'
        "1 Mar 2024 10:00</time>"
    ) in page


# --------------------------------------------------------------------------- canned queries


@pytest.mark.asyncio
async def test_canned_queries_have_titles_and_parameters(ds):
    for name, title, params in (
        ("changes_in_range", "Changes in a date range", ["since", "until", "document", "page"]),
        ("document_history", "Document history", ["document", "since", "until", "page"]),
        ("versions_in_range", "Versions in a date range", ["since", "until", "document", "page"]),
        ("search", "Search every version", ["q"]),
    ):
        page = (await get(ds, f"/tracker/{name}")).text
        assert f"<title>{title}: tracker</title>" in page
        assert re.findall(r'<input type="text" id="qp\d+" name="(\w+)"', page) == params


@pytest.mark.asyncio
async def test_range_queries_take_a_document(ds):
    rows = (
        await get(
            ds, "/tracker/changes_in_range.json?_shape=objects&since=&until=&document=plan.txt"
        )
    ).json()["rows"]
    assert {r["document"] for r in rows} == {"notes/plan.txt"} and len(rows) == 6
    history = (
        await get(
            ds,
            "/tracker/document_history.json?_shape=objects&document=plan.txt"
            "&since=2024-02-01&until=2024-02-28",
        )
    ).json()["rows"]
    assert [r["version"] for r in history] == [2]


@pytest.mark.asyncio
async def test_canned_queries_page_through_long_results(tmp_path):
    path = tmp_path / "long.db"
    with Tracker(path) as tracker:
        for n in range(1, 131):
            text = "\n\n".join(
                f"Paragraph {k} at step {n}." if k == n % 3 else f"Same {k}." for k in range(3)
            )
            tracker.record("long.txt", text, at=f"2024-01-01T00:{n // 60:02d}:{n % 60:02d}Z")
    async with served(Datasette([str(path)])) as datasette:
        first = (await get(datasette, "/long/versions_in_range?since=&until=&document=")).text
        assert first.count('<td class="col-version">') == 100
        assert 'href="/long/versions_in_range?since=&amp;until=&amp;document=&amp;page=2"' in first
        assert 'rel="prev"' not in first
        second = await get(datasette, "/long/versions_in_range?since=&until=&document=&page=2")
        assert second.text.count('<td class="col-version">') == 30
        assert 'rel="next"' not in second.text and 'rel="prev"' in second.text
        data = await get(datasette, "/long/changes_in_range.json?_shape=objects&page=1")
        assert len(data.json()["rows"]) == 100


# --------------------------------------------------------------------------- feed and files


@pytest.mark.asyncio
async def test_feed_has_a_stylesheet_for_browsers(ds):
    response = await get(ds, "/-/tracker/tracker/changes.atom")
    assert re.match(
        rb'<\?xml version=.1.0. encoding=.utf-8.\?>\n<\?xml-stylesheet type="text/css" '
        rb'href="/-/tracker/feed.css\?v=\w+"\?>',
        response.content,
    )
    feed = ET.fromstring(response.content)
    assert feed.find(f"{ATOM}title") is not None and len(feed.findall(f"{ATOM}entry")) == 7
    xhtml = "{http://www.w3.org/1999/xhtml}"
    links = feed.findall(f"{ATOM}entry/{xhtml}div/{xhtml}a")
    assert links[0].get("href") == "http://localhost/-/tracker/diff/tracker/notes/plan.txt/3"
    css = await get(ds, "/-/tracker/feed.css")
    assert css.headers["content-type"].startswith("text/css") and "entry" in css.text
    script = await get(ds, "/-/tracker/tracker.js")
    assert script.headers["content-type"].startswith("text/javascript")


@pytest.mark.asyncio
async def test_the_feed_is_atom_for_readers_and_styled_xml_for_browsers(ds):
    reader = await get(ds, "/-/tracker/tracker/changes.atom")  # no Accept, as many readers
    assert reader.headers["content-type"] == "application/atom+xml; charset=utf-8"
    asked = await ds.client.get(
        "/-/tracker/tracker/changes.atom", headers={"Accept": "application/atom+xml"}
    )
    assert asked.headers["content-type"] == "application/atom+xml; charset=utf-8"
    # what Chromium sends when a link is opened: as atom+xml it shows the bare source
    browser = await ds.client.get(
        "/-/tracker/tracker/changes.atom",
        headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
    )
    assert browser.headers["content-type"] == "application/xml; charset=utf-8"
    entries = [ET.fromstring(r.content).findall(f"{ATOM}entry") for r in (reader, browser)]
    assert len(entries[0]) == len(entries[1]) > 0
    assert "Accept" in reader.headers["vary"]


# --------------------------------------------------------------------------- hostile text

HOSTILE_NAMES = [
    'odd "quoted" & <b>bold</b>.txt',
    "javascript:alert(1).txt",
    "x' onmouseover='alert(1)'.txt",
]
HOSTILE_TEXT = (
    "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n"
    '<a href="javascript:alert(1)">click</a> & "quotes" \'single\' <b onclick="alert(1)">\n'
)


def assert_inert(page: str, known_scripts: int = 0) -> None:
    """No element or attribute of the page comes from document text."""
    parsed = Page(page)
    for tag, attrs in parsed.tags:
        assert tag not in ("img", "b", "iframe", "object"), (tag, attrs)
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, attrs)
            if name in ("href", "src", "action", "formaction", "xlink:href"):
                assert not (value or "").strip().lower().startswith("javascript:"), (tag, attrs)
    for tag, attrs in parsed.tags:
        if tag == "script":
            assert attrs.get("src", "").startswith("/-/") or not attrs, attrs
    assert "<script>alert" not in page and "alert(1)</script>" not in page


@pytest.mark.asyncio
async def test_hostile_names_and_text_stay_inert_on_every_page(tmp_path):
    path = tmp_path / "hostile.db"
    with Tracker(path) as tracker:
        for k, name in enumerate(HOSTILE_NAMES):
            tracker.record(name, f"Plain start {k}.\n", at=f"2024-01-0{k + 1}T00:00:00Z")
            tracker.record(
                name,
                f"Plain start {k}, changed.\n\n{HOSTILE_TEXT}",
                at=f"2024-02-0{k + 1}T00:00:00Z",
            )
    async with served(
        Datasette([str(path)], metadata=instance_metadata(["hostile"]), settings=SETTINGS)
    ) as datasette:
        pages = ["/", "/-/tracker/hostile", "/hostile/changes", "/hostile/versions"]
        for name in HOSTILE_NAMES:
            doc = quote(name, safe="/")
            pages += [
                f"/-/tracker/doc/hostile/{doc}",
                f"/-/tracker/doc/hostile/{doc}?since=2024-01-15",
                f"/-/tracker/diff/hostile/{doc}/2",
                f"/-/tracker/diff/hostile/{doc}/1..2?layout=side-by-side&full=1",
                f"/-/tracker/trace/hostile/{doc}?paragraph=2",
                f"/-/tracker/words/hostile/{doc}/2",
                f"/hostile/document_history?document={quote(name)}",
                f"/hostile/changes_in_range?document={quote(name)}",
            ]
        for path_ in pages:
            page = (await get(datasette, path_)).text
            assert_inert(page)
        home = (await get(datasette, "/-/tracker/hostile")).text
        assert "odd &#34;quoted&#34; &amp; &lt;b&gt;bold&lt;/b&gt;.txt" in home or (
            "odd &quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt;.txt" in home
        )
        feed = (await get(datasette, "/-/tracker/hostile/changes.atom")).content
        ET.fromstring(feed)  # well-formed
        assert b"<script>" not in feed


# --------------------------------------------------------------------------- change classes


@pytest.mark.asyncio
async def test_minor_changes_fold_and_can_be_ignored(tmp_path):
    path = tmp_path / "classes.db"
    with Tracker(path) as tracker:
        tracker.record(
            "prices.txt",
            "Intro.\n\nThe price is 10 dollars.\n\nSome  spacing   here.\n\nA real sentence.\n",
            at="2024-01-01T00:00:00Z",
        )
        tracker.record(
            "prices.txt",
            "Intro.\n\nThe price is 12 dollars.\n\nSome spacing here.\n\nA different sentence.\n",
            at="2024-01-02T00:00:00Z",
        )
    async with served(Datasette([str(path)])) as datasette:
        page = (await get(datasette, "/-/tracker/diff/classes/prices.txt/2")).text
        # spacing alone is folded to a line, as tracker diff shows it; a changed number is
        # shown, greyed, saying what kind of change it is
        folded = re.findall(r'<details class="minor class-(\w+)" id="(p\d)"', page)
        assert folded == [("whitespace", "p3")]
        assert "paragraph 3: only spacing or line breaks changed</summary>" in page
        assert (
            '<div class="para op-modify minor class-numbers" id="p2" data-change="1"'
            ' data-class="numbers">'
        ) in page
        assert '<span class="note class">only numbers changed</span>' in page
        assert 'id="p4" data-change="3" data-class="substantive"' in page
        assert "hide 2 minor changes" in page
        assert '<a href="?minor=hide" id="toggle-minor">' in page
        hidden = (await get(datasette, "/-/tracker/diff/classes/prices.txt/2?minor=hide")).text
        assert '<div id="diff" class="hide-minor">' in hidden
        ignored = await get(datasette, "/-/tracker/diff/classes/prices.txt/2?ignore=numbers")
        assert "1 change ignored (numbers), shown as unchanged" in ignored.text
        assert 'data-class="numbers"' not in ignored.text
        assert 'name="ignore" value="numbers" checked' in ignored.text
        both = (await get(datasette, "/-/tracker/diff/classes/prices.txt/2?ignore=minor")).text
        assert "2 changes ignored (case, moved, numbers, punctuation, volatile, whitespace)" in both
        assert "1 paragraph modified; 3 unchanged" in both
        wrong = (await get(datasette, "/-/tracker/diff/classes/prices.txt/2?ignore=bogus")).text
        assert "is not a change class" in wrong
        # volatile changes are the user's patterns': offered once a pattern applies (or asked)
        assert 'value="volatile"' not in page
        assert 'name="ignore" value="volatile" checked> your ignore patterns' in both
    with Tracker(path) as tracker:
        tracker.add_ignore(r"\d+ dollars", doc="*.txt")
    async with served(Datasette([str(path)])) as datasette:
        page = (await get(datasette, "/-/tracker/diff/classes/prices.txt/2")).text
        assert 'name="ignore" value="volatile"> your ignore patterns' in page


@pytest.mark.asyncio
async def test_home_pages_through_many_documents(ds, monkeypatch):
    from tracker.web.pages import home

    monkeypatch.setattr(home, "PAGE_SIZE", 2)
    first = (await get(ds, "/-/tracker/tracker")).text
    assert first.count('<td class="name">') == 2 and "page 1 of 2" in first
    assert 'href="/-/tracker/tracker?page=2" rel="next"' in first
    second = (await get(ds, "/-/tracker/tracker?page=2")).text
    assert second.count('<td class="name">') == 1 and "old.txt" in second
    assert 'href="/-/tracker/tracker" rel="prev"' in second
    assert "page 2 of 2" in (await get(ds, "/-/tracker/tracker?page=9")).text


@pytest.mark.asyncio
async def test_search_and_provenance_read_versions_from_the_changes(tmp_path):
    """Which versions hold a paragraph, from where it came in and went out: right with a
    paragraph twice in one version, and after a deletion and a restore."""
    path = tmp_path / "twice.db"
    with Tracker(path) as tracker:
        tracker.record(
            "a.txt", "Twice here.\n\nMiddle.\n\nTwice here.\n", at="2024-01-01T00:00:00Z"
        )
        tracker.record("a.txt", "Twice here.\n\nMiddle, edited.\n", at="2024-01-02T00:00:00Z")
        tracker.record("a.txt", "Gone.\n", at="2024-01-03T00:00:00Z")
        tracker.record("a.txt", "Twice here.\n\nBack.\n", at="2024-01-04T00:00:00Z")
        tracker.record("b.txt", "Twice here.\n", at="2024-01-05T00:00:00Z")
        tracker.record("b.txt", None, at="2024-01-06T00:00:00Z")
    async with served(Datasette([str(path)])) as datasette:
        hits = (await get(datasette, "/twice/search.json?_shape=objects&q=twice")).json()["rows"]
        found = {h["document"]: (h["versions"], h["version_count"], h["in_latest"]) for h in hits}
        assert found == {"a.txt": ("v1-v2, v4", 3, 1), "b.txt": ("v1", 1, 0)}
        pid = hits[0]["paragraph_id"]
        rows = (
            await get(datasette, f"/twice/provenance.json?_shape=objects&paragraph={pid}")
        ).json()["rows"]
        assert [(r["document"], r["version"], r["paragraph_number"]) for r in rows] == [
            ("a.txt", 1, 1),
            ("a.txt", 1, 3),
            ("a.txt", 2, 1),
            ("a.txt", 4, 1),
            ("b.txt", 1, 1),
        ]
        assert [r["event"] for r in rows if r["document"] == "a.txt"] == [
            "appeared",
            "kept",
            "kept",
            "appeared again",
        ]
        by_text = (
            await get(datasette, "/twice/provenance.json?_shape=objects&paragraph=Twice+here.")
        ).json()["rows"]
        assert by_text == rows


@pytest.mark.asyncio
async def test_changes_shows_facets_when_filtered_or_asked(ds):
    plain = (await get(ds, "/tracker/changes")).text
    assert 'id="facet-op"' not in plain
    assert '<a href="?_facet_size=30">show them</a>' in plain
    asked = (await get(ds, "/tracker/changes?_facet_size=30")).text
    filtered = (await get(ds, "/tracker/changes?document=notes/plan.txt")).text
    for page in (asked, filtered):
        assert 'id="facet-op"' in page and 'id="facet-document"' in page
    data = (await get(ds, "/tracker/changes.json")).json()
    assert {"document", "op", "captured_at"} <= set(data["facet_results"])  # JSON as before
    assert data["filtered_table_rows_count"] > 0


@pytest.mark.asyncio
async def test_a_large_changes_view_is_not_counted_in_html_or_json(ds, monkeypatch):
    """Past COUNT_CHANGES_UP_TO stored changes, counting the view costs a second per load: the
    page and its JSON leave the count out (the JSON keeps every column and its facets)."""
    from tracker.web import columns

    counted = (await get(ds, "/tracker/changes.json")).json()
    assert counted["filtered_table_rows_count"] > 1
    monkeypatch.setattr(columns, "COUNT_CHANGES_UP_TO", 1)
    ds.__dict__.pop("_tracker_columns", None)
    data = (await get(ds, "/tracker/changes.json")).json()
    assert data["filtered_table_rows_count"] is None
    assert data["columns"] == counted["columns"] and data["rows"] == counted["rows"]
    assert {"document", "op"} <= set(data["facet_results"])
    page = (await get(ds, "/tracker/changes")).text
    assert f"{counted['filtered_table_rows_count']} rows" not in page
    monkeypatch.setattr(columns, "COUNT_CHANGES_UP_TO", 100_000)
    ds.__dict__.pop("_tracker_columns", None)
    page = (await get(ds, "/tracker/changes")).text
    assert f"{counted['filtered_table_rows_count']} rows" in page


@pytest.mark.asyncio
async def test_a_url_no_route_matches_is_a_404_page_not_a_500(ds):
    for path in ("/a/b/c/d", "/-/tracker/diff/tracker/notes/plan.txt/abc"):
        response = await get(ds, path, status=404)
        assert "<title>Error 404</title>" in response.text


def test_error_pages_work_when_the_plugin_is_imported_before_datasette(tmp_path: Path) -> None:
    # a fresh interpreter, the plugin first: Datasette must still register its own error hook
    import subprocess
    import sys

    script = (
        "import asyncio, sys\n"
        "import tracker.web.plugin\n"
        "from datasette.app import Datasette\n"
        "async def main():\n"
        "    ds = Datasette([sys.argv[1]])\n"
        "    await ds.invoke_startup()\n"
        "    print((await ds.client.get('/a/b/c/d')).status_code)\n"
        "asyncio.run(main())\n"
    )
    db = build_db(tmp_path / "t.db")
    done = subprocess.run(
        [sys.executable, "-c", script, str(db)], capture_output=True, text=True, timeout=120
    )
    assert done.stdout.strip() == "404", done.stderr[-2000:]
