"""The search page, ``/-/tracker/<db>/search``: where words appear and since when, grouped by
document, as ``tracker search`` answers; its switches (every version, a document filter, a
limit), its messages (no hits, nothing to search for) and its JSON."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import pytest_asyncio
from datasette.app import Datasette
from support import IMG, SCRIPT, served
from test_web_pages import Page, get

from tracker import Tracker
from tracker.corpus.search import search_page
from tracker.text.snippets import MARKS
from tracker.web.metadata import SETTINGS, instance_metadata

SEARCH = "/-/tracker/tracker/search"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Apples in three documents (one of them hostile), one deleted, some taken out again."""
    path = tmp_path / "tracker.db"
    with Tracker(path) as tracker:
        tracker.record(
            "fruit/a.txt",
            "Apples grow here.\n\nNothing else.\n\nOld apples, gone soon.\n",
            at="2024-01-01T00:00:00Z",
        )
        tracker.record(
            "fruit/a.txt",
            "Apples grow here.\n\nNothing else.\n\nGreen apples too.\n",
            at="2024-02-01T00:00:00Z",
        )
        tracker.record(
            "fruit/a.txt", "Apples grow here.\n\nGreen apples too.\n", at="2024-03-01T00:00:00Z"
        )
        tracker.record("b.txt", "No fruit at all.\n", at="2024-01-05T00:00:00Z")
        tracker.record("b.txt", "No fruit at all.\n\nAn apples tree.\n", at="2024-02-05T00:00:00Z")
        tracker.record("gone.txt", "Gone apples.\n", at="2024-01-10T00:00:00Z")
        tracker.record("gone.txt", None, at="2024-01-11T00:00:00Z")
        tracker.record(f"{SCRIPT}.txt", f"{SCRIPT} apples {IMG}\n", at="2024-01-12T00:00:00Z")
    return path


@pytest_asyncio.fixture
async def ds(db_path: Path):
    async with served(
        Datasette([str(db_path)], metadata=instance_metadata(["tracker"]), settings=SETTINGS)
    ) as datasette:
        yield datasette


def groups(html: str) -> list[tuple[str, list[str]]]:
    """(document, [snippet text of each hit]) of each group of the page, in order."""
    found = []
    for section in re.findall(r'<section class="tracker-hit-group">(.*?)</section>', html, re.S):
        name = re.search(r"<h2><a [^>]*>([^<]*)</a>", section).group(1)
        snippets = re.findall(r'<p class="snippet"[^>]*>(.*?)</p>', section, re.S)
        found.append((name, [re.sub(r"<[^>]+>", "", s) for s in snippets]))
    return found


def words(html: str) -> str:
    """The text of some HTML as a reader sees it: tags gone, spaces collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", html))).strip()


def assert_escaped(html: str) -> None:
    """The hostile document's text and name are there, as text only."""
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.asyncio
async def test_hits_of_the_latest_versions_grouped_by_document(ds, db_path):
    html = (await get(ds, f"{SEARCH}?q=apples")).text
    text = words(html)
    assert (
        "4 paragraphs in 3 documents" in text and "hold “apples” in their latest versions" in text
    )
    assert groups(html) == [
        (
            "&lt;script&gt;alert(1)&lt;/script&gt;.txt",
            [f"{SCRIPT} apples {IMG}".replace("<", "&lt;").replace(">", "&gt;")],
        ),
        ("b.txt", ["An apples tree."]),
        ("fruit/a.txt", ["Apples grow here.", "Green apples too."]),
    ]
    assert '<mark class="tracker-hit">apples</mark>' in html  # the hits are marked
    assert_escaped(html)
    # "Green apples too.": paragraph 2 of v3, held since v2 (where it was paragraph 3)
    item = re.search(r'<li class="tracker-hit-item" id="hit-4">.*?</li>', html, re.S).group(0)
    where = words(item)
    assert "paragraph 2 of v3, the latest" in where
    assert "in v2-v3" in where and "since v2, 1 Feb 2024" in where
    links = Page(item).links()
    assert "/-/tracker/diff/tracker/fruit/a.txt/3#p2" in links  # the latest version, there
    assert "/-/tracker/diff/tracker/fruit/a.txt/2#p3" in links  # where it appeared
    trace = next(link for link in links if link.startswith("/-/tracker/trace/"))
    assert trace == "/-/tracker/trace/tracker/fruit/a.txt?paragraph=2&at=3"
    with Tracker(db_path) as tracker:
        _, _, events = tracker.trace("fruit/a.txt", 2, "3")
        assert [e.text for e in events][0] == "Green apples too."
        pid = tracker.store.query("select id from paragraphs where text = 'Green apples too.'")
    assert f"/tracker/provenance?paragraph={pid[0][0]}" in links
    # the group's heading leads to the document's page
    assert 'href="/-/tracker/doc/tracker/fruit/a.txt"' in html


@pytest.mark.asyncio
async def test_every_version_shows_what_was_removed_and_when(ds):
    html = (await get(ds, f"{SEARCH}?q=apples&versions=all")).text
    text = words(html)
    assert "6 paragraphs in 4 documents" in text and "held “apples” in some version" in text
    assert [name for name, _ in groups(html)][1:] == ["b.txt", "fruit/a.txt", "gone.txt"]
    assert groups(html)[2][1] == [
        "Apples grow here.",
        "Old apples, gone soon.",
        "Green apples too.",
    ]
    old = re.search(r'<li[^>]*>\s*<p class="snippet"[^>]*>Old.*?</li>', html, re.S).group(0)
    old_text = words(old)
    assert "in v1" in old_text and "removed in v2, 1 Feb 2024" in old_text
    assert "/-/tracker/diff/tracker/fruit/a.txt/2" in Page(old).links()
    assert "/-/tracker/trace/tracker/fruit/a.txt?paragraph=3&at=1" in Page(old).links()
    kept = re.search(r'<li[^>]*>\s*<p class="snippet"[^>]*>Green.*?</li>', html, re.S).group(0)
    assert "still in the latest version" in words(kept)
    gone = re.search(r'<li[^>]*>\s*<p class="snippet"[^>]*>Gone.*?</li>', html, re.S).group(0)
    assert "removed in v2, 11 Jan 2024" in words(gone)
    radio = Page(html).all("input", type="radio", value="all")[0]
    assert "checked" in radio and "checked" not in Page(html).all("input", value="latest")[0]


@pytest.mark.asyncio
async def test_document_filter(ds):
    html = (await get(ds, f"{SEARCH}?q=apples&doc=fruit/*")).text
    assert [name for name, _ in groups(html)] == ["fruit/a.txt"]
    assert Page(html).all("input", name="doc")[0]["value"] == "fruit/*"
    assert "2 paragraphs in 1 document " in words(html)
    by_file_name = (await get(ds, f"{SEARCH}?q=apples&doc=a.txt")).text
    assert groups(by_file_name) == groups(html)
    by_folder = (await get(ds, f"{SEARCH}?q=apples&doc=fruit")).text  # as a path in git
    assert groups(by_folder) == groups(html)
    nothing = (await get(ds, f"{SEARCH}?q=apples&doc=nothing*")).text
    assert "No document is named nothing*." in nothing and not groups(nothing)
    none_here = (await get(ds, f"{SEARCH}?q=gone&doc=fruit/*")).text
    assert "No paragraph of the latest versions of documents named fruit/* holds “gone”." in (
        words(none_here)
    )
    links = Page(none_here).links()
    assert f"{SEARCH}?q=gone&versions=all&doc=fruit%2F%2A" in links
    assert f"{SEARCH}?q=gone" in links  # every document


@pytest.mark.asyncio
async def test_no_hits_and_nothing_to_search_for(ds):
    none = (await get(ds, f"{SEARCH}?q=zebra")).text
    assert "No paragraph of the latest versions holds “zebra”." in words(none)
    # a phrase brings its own quotes: not wrapped in more
    green, red = quote('"green apples"'), quote('"red zebra"')
    phrase = words((await get(ds, f"{SEARCH}?q={green}")).text)
    assert '1 paragraph in 1 document holds "green apples" in its latest version.' in phrase
    nowhere = words((await get(ds, f"{SEARCH}?q={red}&versions=all")).text)
    assert 'No paragraph of any version holds "red zebra".' in nowhere, nowhere
    assert f"{SEARCH}?q=zebra&versions=all" in Page(none).links()
    bare = (await get(ds, SEARCH)).text
    assert "Type some words" in bare and not groups(bare)
    assert Page(bare).all("input", name="q")[0]["value"] == ""
    for query in ['" "', "***", "(", " - "]:
        response = await get(ds, f"{SEARCH}?q={quote(query)}", status=400)
        assert "Nothing to search for in" in response.text
        assert Page(response.text).all("input", name="q")[0]["value"] == query  # to fix it
        json = await get(ds, f"{SEARCH}.json?q={quote(query)}", status=400)
        assert json.json()["error"].startswith("nothing to search for")
    # query syntax is text, not an error; the query is shown escaped
    for query in ['"unbalanced', "NEAR(", "a:b", "apples OR", SCRIPT]:
        response = await get(ds, f"{SEARCH}?q={quote(query)}")
        assert "<script>alert" not in response.text
    hostile = (await get(ds, f"{SEARCH}?q={quote(SCRIPT)}")).text
    assert Page(hostile).all("input", name="q")[0]["value"] == SCRIPT
    assert "&lt;script&gt;alert(1)&lt;/script&gt;: search tracker</title>" in hostile


@pytest.mark.asyncio
async def test_the_link_to_more_says_how_many_more_it_shows(tmp_path: Path):
    """Near the most a page shows (100), "more" adds fewer than 50: the link says how many."""
    path = tmp_path / "tracker.db"
    with Tracker(path) as tracker:
        text = "\n\n".join(f"Apples number {k}." for k in range(200)) + "\n"
        tracker.record("many.txt", text, at="2024-01-01T00:00:00Z")
    async with served(
        Datasette([str(path)], metadata=instance_metadata(["tracker"]), settings=SETTINGS)
    ) as datasette:
        html = (await get(datasette, f"{SEARCH}?q=apples&limit=75")).text
    more = Page(html).all("a", rel="next")[0]
    assert more["href"] == f"{SEARCH}?q=apples&limit=100#hit-76"
    assert "Show 25 more" in words(html) and "75 of 200 shown" in words(html)


@pytest.mark.asyncio
async def test_a_limit_and_a_link_to_more(ds):
    html = (await get(ds, f"{SEARCH}?q=apples&versions=all&limit=2")).text
    assert sum(len(hits) for _, hits in groups(html)) == 2
    assert "1 paragraph so far" in words(html)  # b.txt may go on
    more = Page(html).all("a", rel="next")[0]["href"]
    assert more == f"{SEARCH}?q=apples&versions=all&limit=52#hit-3"
    rest = (await get(ds, more.split("#")[0])).text
    assert sum(len(hits) for _, hits in groups(rest)) == 6 and not Page(rest).all("a", rel="next")
    assert 'id="hit-3"' in rest
    for limit, kept in (("0", 1), ("-3", 1), ("x", 50), ("99999999", 100)):  # within 1..100
        assert (await get(ds, f"{SEARCH}?q=apples&limit={limit}")).status_code == 200
        assert (await get(ds, f"{SEARCH}.json?q=apples&limit={limit}")).json()["limit"] == kept


@pytest.mark.asyncio
async def test_json_is_the_librarys_answer(ds, db_path):
    page = (await get(ds, f"{SEARCH}?q=apples&versions=all&doc=fruit/*")).text
    url = next(link for link in Page(page).links() if "search.json" in link)
    assert urlsplit(url).path == f"{SEARCH}.json"
    assert parse_qs(urlsplit(url).query) == {
        "q": ["apples"],
        "versions": ["all"],
        "doc": ["fruit/*"],
    }
    data = (await get(ds, url)).json()
    with Tracker(db_path) as tracker:
        want = search_page(
            tracker, "apples", all_versions=True, doc="fruit/*", marks=MARKS, limit=50, details=True
        )
    assert data["hits"] == want.hits
    assert (data["total"], data["documents"], data["at_least"]) == (3, 1, False)
    assert (data["q"], data["versions"], data["doc"], data["next_url"]) == (
        "apples",
        "all",
        "fruit/*",
        None,
    )
    assert data["hits"][0]["snippet"] == "\x02Apples\x03 grow here."
    short = (await get(ds, f"{SEARCH}.json?q=apples&limit=1")).json()
    assert len(short["hits"]) == 1 and short["total"] == 4
    assert short["next_url"] == f"{SEARCH}.json?q=apples&limit=51"


@pytest.mark.asyncio
async def test_search_forms_lead_to_the_page_and_the_query_stays(ds):
    home = Page((await get(ds, "/-/tracker/tracker")).text)
    assert home.all("form", class_="tracker-search")[0]["action"] == SEARCH
    database = (await get(ds, "/tracker")).text
    assert f'href="{SEARCH}"' in database  # the database's description
    assert 'href="/tracker/search"' in database  # the canned query, under queries
    assert (await get(ds, "/tracker/search.json?q=apples&_shape=objects")).json()["rows"]
    await get(ds, "/-/tracker/nothing/search?q=apples", status=404)


@pytest.mark.asyncio
async def test_an_actor_who_may_not_view_the_database_gets_nothing(db_path):
    metadata = instance_metadata(["tracker"])
    metadata["databases"]["tracker"]["allow"] = {"id": "root"}
    async with served(Datasette([str(db_path)], metadata=metadata, settings=SETTINGS)) as datasette:
        for path in (f"{SEARCH}?q=apples", f"{SEARCH}.json?q=apples", f"{SEARCH}?q=%22"):
            response = await datasette.client.get(path)
            assert response.status_code == 403 and "Green apples" not in response.text
        cookies = {"ds_actor": datasette.sign({"a": {"id": "root"}}, "actor")}
        response = await datasette.client.get(f"{SEARCH}?q=apples", cookies=cookies)
        assert response.status_code == 200 and "Green" in response.text


@pytest.mark.parametrize(
    ("doc", "names_a_document"), [("nothing*", False), ("fruit/*", True), ("b.txt", True)]
)
def test_a_search_without_hits_resolves_its_document_filter_once(
    db_path: Path, doc: str, names_a_document: bool
):
    """The search's own reading of the filter says whether it names a document: the page's
    "No document is named ..." needs no second pass over every document name."""
    import sqlite3

    from tracker.history import History
    from tracker.web.pages.search import Asked, _search

    conn = sqlite3.connect(db_path)
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        history = History(conn)
        asked = Asked(q="zebra", all_versions=False, doc=doc, limit=50)
        for all_versions in (False, True):
            statements.clear()
            result = search_page(history, "zebra", all_versions=all_versions, doc=doc, limit=50)
            assert result.total == 0 and result.documents_match is names_a_document
            assert statements.count("select id, name from documents") == 1, statements
            statements.clear()
            answer = _search(history, Asked(**{**asked.__dict__, "all_versions": all_versions}))
            assert answer.result.total == 0 and answer.documents_match is names_a_document
            assert statements.count("select id, name from documents") == 1, statements
    finally:
        conn.close()
