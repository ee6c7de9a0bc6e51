"""The Datasette side: plugin hooks, metadata, canned queries, diff pages, feed, `tracker serve`."""

from __future__ import annotations

import json
import re
import socket
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote

import pytest
import pytest_asyncio
from click.testing import CliRunner
from datasette.app import Datasette
from support import (
    ATOM,
    ESCAPED_SCRIPT,
    PLAIN,
    build_db,
    fetch,
    free_port,
    random_history,
    served,
    start_server,
    stop_server,
)

from tracker import Tracker
from tracker.cli import cli
from tracker.corpus.search import search_page
from tracker.web.metadata import SETTINGS, instance_metadata


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return build_db(tmp_path / "tracker.db")


@pytest_asyncio.fixture(params=["serve-metadata", "plugin-only"])
async def ds(request, db_path: Path):
    """Datasette as `tracker serve` builds it, and as plain `datasette tracker.db` does."""
    if request.param == "serve-metadata":
        datasette = Datasette(
            [str(db_path)], metadata=instance_metadata(["tracker"]), settings=SETTINGS
        )
    else:
        datasette = Datasette([str(db_path)])
    async with served(datasette):
        yield datasette


async def get(ds: Datasette, path: str, status: int = 200):
    response = await ds.client.get(path)
    assert response.status_code == status, (path, response.status_code, response.text[:2000])
    return response


async def rows(ds: Datasette, path: str) -> list[dict]:
    separator = "&" if "?" in path else "?"
    return (await get(ds, f"{path}{separator}_shape=objects")).json()["rows"]


def assert_escaped(html: str) -> None:
    """Hostile document text only ever appears escaped."""
    assert "<script>alert" not in html
    assert "<img src=x" not in html and "onerror=alert(1)>" not in html


def sql_count(db_path: Path, sql: str, params=()) -> int:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, params).fetchone()[0]
    finally:
        conn.close()


# --------------------------------------------------------------------------- plugin and pages


@pytest.mark.asyncio
async def test_plugin_is_listed(ds):
    plugins = (await get(ds, "/-/plugins.json")).json()
    tracker = [p for p in plugins if p["name"] == "tracker"]
    assert tracker, plugins
    assert {"render_cell", "register_routes", "get_metadata"} <= set(tracker[0]["hooks"])


@pytest.mark.asyncio
async def test_every_table_and_view_page_answers(ds):
    for path, shows in {
        "/": 'href="/tracker"',
        "/tracker": "document history",  # the database page lists its canned queries
        "/tracker/documents": ">notes/plan.txt</a>",
        "/tracker/versions": "7 rows",
        "/tracker/paragraphs": "We grow apples in the north field.",
        "/tracker/paragraph_changes": "Raw storage of the changes view",
        "/tracker/renames": "0 rows",
        "/tracker/changes": "<del>apples</del><ins>pears</ins>",
        "/-/tracker/tracker.css": ".tracker-diff del{",
        "/-/metadata.json": '"document_history"',
    }.items():
        assert shows in (await get(ds, path)).text, path
    database = (await get(ds, "/tracker")).text
    assert "document history" in database and "changes.atom" in database
    assert "_sqlite_migrations" not in database.split("hidden")[0]


@pytest.mark.asyncio
async def test_tables_have_descriptions_and_facets(ds):
    page = (await get(ds, "/tracker/changes")).text
    assert "One row per changed paragraph" in page
    data = (await get(ds, "/tracker/changes.json")).json()
    assert {"document", "op", "captured_at"} <= set(data["facet_results"])
    ops = {item["value"] for item in data["facet_results"]["op"]["results"]}
    assert ops == {"insert", "delete", "modify"}
    versions = (await get(ds, "/tracker/versions.json")).json()
    assert "document_id" in versions["facet_results"]
    labels = {r["label"] for r in versions["facet_results"]["document_id"]["results"]}
    assert labels == {"notes/plan.txt", "hostile.txt", "old.txt"}  # label_column: name


@pytest.mark.asyncio
async def test_changes_rows_and_inline_html(ds, db_path):
    changes = await rows(ds, "/tracker/changes.json?_size=max")
    assert len(changes) == sql_count(db_path, "select count(*) from paragraph_changes")
    assert changes[0]["captured_at"] >= changes[-1]["captured_at"]  # newest first
    modify = [c for c in changes if c["document"] == "notes/plan.txt" and c["version"] == 2]
    assert {c["op"] for c in modify} == {"modify", "insert"}
    page = (await get(ds, "/tracker/changes")).text
    assert "<del>apples</del><ins>pears</ins>" in page
    assert "<ins>A new paragraph about irrigation.</ins>" in page
    assert "<del>Closing words.</del>" in page
    assert f"{PLAIN}<ins>, and {ESCAPED_SCRIPT} here</ins>." in page
    assert "<ins>&lt;img src=x onerror=alert(1)&gt;</ins>" in page
    assert_escaped(page)
    link = f'href="/-/tracker/diff/tracker/{quote("notes/plan.txt", safe="/")}/2"'
    assert link in page
    assert 'href="/-/tracker/doc/tracker/notes/plan.txt"' in page  # the document's page


@pytest.mark.asyncio
async def test_versions_link_to_their_diff(ds):
    page = (await get(ds, "/tracker/versions")).text
    assert "/-/tracker/version/tracker/" in page
    versions = await rows(ds, "/tracker/versions.json?_sort=id")
    hostile_v2 = [v for v in versions if v["document_id"] == 2 and v["version"] == 2][0]
    response = await get(ds, f"/-/tracker/version/tracker/{hostile_v2['id']}", status=302)
    assert response.headers["location"] == "/-/tracker/diff/tracker/hostile.txt/2"
    await get(ds, "/-/tracker/version/tracker/999", status=404)


@pytest.mark.asyncio
async def test_diff_page(ds):
    page = (await get(ds, "/-/tracker/diff/tracker/notes/plan.txt/2")).text
    assert 'Changes to <a href="/-/tracker/doc/tracker/notes/plan.txt">notes/plan.txt</a>' in page
    assert "<del>apples</del><ins>pears</ins>" in page
    assert "1 paragraph added, 1 modified; 2 unchanged" in page
    assert 'href="/-/tracker/diff/tracker/notes/plan.txt/1" rel="prev"' in page
    assert 'href="/-/tracker/diff/tracker/notes/plan.txt/3" rel="next"' in page
    assert "tracker.css" in page and 'class="crumbs"' in page  # Datasette-styled
    assert (await get(ds, "/-/tracker/diff/tracker/notes/plan.txt/v2")).text == page
    first = (await get(ds, "/-/tracker/diff/tracker/notes/plan.txt/1")).text
    assert "compared with nothing" in first and "3 paragraphs added" in first
    latest = (await get(ds, "/-/tracker/diff/tracker/notes/plan.txt/latest")).text
    assert "<del>Closing words.</del>" in latest
    side = (await get(ds, "/-/tracker/diff/tracker/notes/plan.txt/2?layout=side-by-side")).text
    assert 'data-layout="side-by-side"' in side
    full = (await get(ds, "/-/tracker/diff/tracker/notes/plan.txt/3?full=1")).text
    assert "Intro paragraph." in full and '<details class="skip"' not in full
    folded = (await get(ds, "/-/tracker/diff/tracker/notes/plan.txt/3?context=0")).text
    assert '<details class="skip"><summary>paragraphs 1–2 unchanged</summary>' in folded
    assert "Intro paragraph." in folded  # folded, not left out
    deleted = (await get(ds, "/-/tracker/diff/tracker/old.txt/2")).text
    assert "<del>Short lived.</del>" in deleted and "records the deletion" in deleted
    for missing in ("notes/plan.txt/9", "nope.txt/1", "notes/plan.txt/0", "notes/plan.txt/1..9"):
        await get(ds, f"/-/tracker/diff/tracker/{missing}", status=404)
    await get(ds, "/-/tracker/diff/other/notes/plan.txt/1", status=404)


@pytest.mark.asyncio
async def test_diff_page_escapes_hostile_text(ds):
    page = (await get(ds, "/-/tracker/diff/tracker/hostile.txt/2")).text
    assert f"{PLAIN}<ins>, and {ESCAPED_SCRIPT} here</ins>." in page
    assert "<ins>&lt;img src=x onerror=alert(1)&gt;</ins>" in page
    assert_escaped(page)


def highlights(html: str) -> list[str]:
    """Every highlighted piece of a diff, in order."""
    return re.findall(r"<(?:del|ins)>.*?</(?:del|ins)>", html, re.S)


@pytest.mark.asyncio
async def test_diff_page_shows_what_the_cli_html_shows(ds, db_path):
    for version in ("1", "2", "3"):
        result = CliRunner().invoke(
            cli,
            [
                "diff",
                "notes/plan.txt",
                "--until",
                version,
                "--format",
                "html",
                "--db",
                str(db_path),
            ],
        )
        assert result.exit_code == 0, result.output
        fragment = result.output.split('<div class="tracker-diff"', 1)[1].split("</main>")[0]
        page = (await get(ds, f"/-/tracker/diff/tracker/notes/plan.txt/{version}?full=1")).text
        body = page.split('<div id="diff"', 1)[1]
        assert highlights(body) == highlights(fragment)
        texts = re.findall(
            r'<div class="text">(?:<span class="note">.*?</span>)?(.*?)</div>', fragment
        )
        for text in texts:
            assert text in body


@pytest.mark.asyncio
async def test_renamed_document_links_redirect(db_path):
    with Tracker(db_path) as tracker:
        tracker.rename("notes/plan.txt", "notes/roadmap.txt", at="2024-04-01T00:00:00Z")
    async with served(Datasette([str(db_path)])) as ds:
        response = await get(ds, "/-/tracker/diff/tracker/notes/plan.txt/2?full=1", status=302)
        assert response.headers["location"] == "/-/tracker/diff/tracker/notes/roadmap.txt/2?full=1"


# --------------------------------------------------------------------------- canned queries


@pytest.mark.asyncio
async def test_canned_queries_are_listed(ds):
    data = (await get(ds, "/tracker.json")).json()
    names = {query["name"] for query in data["queries"]}
    assert {
        "document_history",
        "changes_in_range",
        "versions_in_range",
        "search",
        "provenance",
        "documents_overview",
    } <= names
    for name in names:
        await get(ds, f"/tracker/{name}")  # the empty form renders


@pytest.mark.asyncio
async def test_document_history(ds):
    history = await rows(ds, "/tracker/document_history.json?document=plan.txt")
    assert [r["version"] for r in history] == [3, 2, 1]
    assert [r["event"] for r in history] == ["edited", "edited", "created"]
    assert history[1]["changed_paragraphs"] == 2 and history[1]["added"] == 1
    assert history[0]["removed"] == 1
    assert await rows(ds, "/tracker/document_history.json?document=notes/plan.txt") == history
    old = await rows(ds, "/tracker/document_history.json?document=old.txt")
    assert [r["event"] for r in old] == ["deleted", "created"]
    assert await rows(ds, "/tracker/document_history.json?document=lan.txt") == []
    page = (await get(ds, "/tracker/document_history?document=plan.txt")).text
    assert 'href="/-/tracker/diff/tracker/notes/plan.txt/2"' in page


@pytest.mark.asyncio
async def test_changes_and_versions_in_a_date_range(ds):
    february = await rows(ds, "/tracker/changes_in_range.json?since=2024-02-01&until=2024-02-29")
    assert {(r["document"], r["version"]) for r in february} == {
        ("notes/plan.txt", 2),
        ("hostile.txt", 2),
    }
    page = (await get(ds, "/tracker/changes_in_range?since=2024-02-01&until=2024-02-29")).text
    assert "<del>apples</del><ins>pears</ins>" in page
    assert_escaped(page)
    one_day = await rows(ds, "/tracker/changes_in_range.json?since=2024-02-01&until=2024-02-01")
    assert {r["document"] for r in one_day} == {"notes/plan.txt"}  # a bare date: the whole day
    everything = await rows(ds, "/tracker/versions_in_range.json?since=&until=")
    assert len(everything) == 7
    january = await rows(ds, "/tracker/versions_in_range.json?since=2024-01-01&until=2024-01-31")
    assert [(r["document"], r["version"]) for r in january] == [
        ("old.txt", 2),
        ("old.txt", 1),
        ("hostile.txt", 1),
        ("notes/plan.txt", 1),
    ]


@pytest.mark.parametrize(
    "since,until,versions",
    [
        ("2024-02-01T10:00:00Z", "", [3, 2]),  # plan v2 is at 2024-02-01T10:00:00.000Z
        ("2024-02-01 10:00:00", "", [3, 2]),
        ("2024-02-01 10:00:01", "", [3]),
        ("2024-02-01T15:30+05:30", "", [3, 2]),
        ("2024-02-01T02:00:00.001-08:00", "", [3]),
        ("", "2024-02-01 10:00:00", [2, 1]),
        ("", "2024-02-01T10:00", [2, 1]),
        ("", "2024-02-01T09:59:59Z", [1]),
        ("", "2024-02-01T05:29:59+05:30", [1]),
        ("", "2024-02-01T02:00:00-08:00", [2, 1]),
        ("soon", "", []),
    ],
)
@pytest.mark.asyncio
async def test_date_range_queries_read_bounds_as_the_command_line_does(ds, since, until, versions):
    """A space for the T, a Z, an offset: the time is read, not compared as text; an upper end
    runs to the end of the second or minute it names; what cannot be read matches nothing."""
    args = f"document=notes/plan.txt&since={quote(since)}&until={quote(until)}"
    for query in ("versions_in_range", "document_history"):
        found = await rows(ds, f"/tracker/{query}.json?{args}")
        assert [r["version"] for r in found] == versions, query
    changes = await rows(ds, f"/tracker/changes_in_range.json?{args}")
    assert sorted({r["version"] for r in changes}, reverse=True) == versions


@pytest.mark.asyncio
async def test_search_finds_text_of_old_versions(ds):
    hits = await rows(ds, "/tracker/search.json?q=apples")
    assert len(hits) == 1
    assert hits[0]["document"] == "notes/plan.txt"
    assert hits[0]["versions"] == "v1" and hits[0]["in_latest"] == 0
    assert hits[0]["first_seen"] == "2024-01-01T10:00:00.000Z"
    pears = await rows(ds, "/tracker/search.json?q=pears")
    assert pears[0]["versions"] == "v2-v3" and pears[0]["in_latest"] == 1
    page = (await get(ds, "/tracker/search?q=apples")).text
    assert '<mark class="tracker-hit">apples</mark>' in page
    assert f'href="/tracker/provenance?paragraph={hits[0]["paragraph_id"]}"' in page
    # user input is a parameter, and FTS syntax in it is escaped, not an error
    assert await rows(ds, '/tracker/search.json?q=" OR drop table') == []
    hostile = (await get(ds, "/tracker/search?q=script")).text
    assert '&lt;<mark class="tracker-hit">script</mark>&gt;alert(1)' in hostile
    assert_escaped(hostile)
    table = await rows(ds, "/tracker/paragraphs.json?_search=apples")
    assert [r["text"] for r in table] == ["We grow apples in the north field."]


@pytest.mark.asyncio
@pytest.mark.parametrize("seed", range(6))
async def test_search_page_says_what_the_cli_says_of_every_version(tmp_path, seed):
    """The search page's versions, first appearance and presence in the latest version are
    those of `tracker search --all-versions`, on histories where paragraphs recur, repeat,
    move between documents, and documents are deleted, come back and are renamed."""
    db = tmp_path / "h.db"
    random_history(db, seed)
    async with served(
        Datasette([str(db)], metadata=instance_metadata(["h"]), settings=SETTINGS)
    ) as datasette:
        with Tracker(db) as tracker:
            for query in ["apple", "berry cherry", "da*"]:
                want = {
                    (hit["doc"], hit["text"]): (
                        hit["ranges"],
                        len(hit["versions"]),
                        hit["first"]["at"],
                        int(hit["removed"] is None),
                    )
                    for hit in search_page(tracker, query, all_versions=True).hits
                }
                assert 0 < len(want) < 100  # the page shows the first 100
                found = await rows(datasette, f"/h/search.json?q={quote(query)}")
                texts = dict(
                    tracker.store.query(
                        "select id, text from paragraphs where id in"
                        " (select value from json_each(?))",
                        [json.dumps([row["paragraph_id"] for row in found])],
                    )
                )
                got = {
                    (row["document"], texts[row["paragraph_id"]]): (
                        row["versions"],
                        row["version_count"],
                        row["first_seen"],
                        row["in_latest"],
                    )
                    for row in found
                }
                assert got == want


@pytest.mark.asyncio
@pytest.mark.parametrize("others", [10_000, 9_999])
async def test_search_page_ranks_a_word_found_everywhere_among_its_newest_paragraphs(
    tmp_path, others
):
    """Past 10,000 matching paragraphs, the page shows the best 100 of the 10,000 newest: the
    best match of all, recorded first, is then left out; with one paragraph fewer, it leads."""
    db = tmp_path / "t.db"
    filler = [f"apple number {n} in a long line of words about orchards" for n in range(others)]
    with Tracker(db) as tracker:
        tracker.record("best.txt", "apple apple apple\n", at="2024-01-01T00:00:00Z")
        tracker.record("many.txt", "\n\n".join(filler) + "\n", at="2024-01-02T00:00:00Z")
    async with served(
        Datasette([str(db)], metadata=instance_metadata(["t"]), settings=SETTINGS)
    ) as datasette:
        found = await rows(datasette, "/t/search.json?q=apple")
    assert len(found) == 100
    if others + 1 > 10_000:
        assert "best.txt" not in {row["document"] for row in found}
    else:
        assert found[0]["document"] == "best.txt"


@pytest.mark.asyncio
async def test_search_sees_versions_recorded_while_serving(ds, db_path):
    assert await rows(ds, "/tracker/search.json?q=bananas") == []
    with Tracker(db_path) as tracker:
        tracker.record("notes/plan.txt", "Now bananas.\n", at="2024-05-01T00:00:00Z")
    hits = await rows(ds, "/tracker/search.json?q=bananas")
    assert [(h["document"], h["versions"]) for h in hits] == [("notes/plan.txt", "v4")]


@pytest.mark.asyncio
async def test_provenance(ds):
    hit = (await rows(ds, "/tracker/search.json?q=irrigation"))[0]
    by_id = await rows(ds, f"/tracker/provenance.json?paragraph={hit['paragraph_id']}")
    assert [(r["version"], r["event"]) for r in by_id] == [(2, "appeared"), (3, "kept")]
    assert by_id[0]["how"] == "insert" and by_id[0]["paragraph_number"] == 4
    assert by_id[1]["paragraph_number"] == 3
    assert by_id[0]["text"] == "A new paragraph about irrigation." and by_id[1]["text"] == ""
    by_text = await rows(
        ds, "/tracker/provenance.json?paragraph=" + quote("A new paragraph about irrigation.")
    )
    assert by_text == by_id
    pears = await rows(
        ds, "/tracker/provenance.json?paragraph=" + quote("We grow pears in the north field.")
    )
    assert pears[0]["how"] == "modify"  # it came in as an edit of the apples paragraph
    assert await rows(ds, "/tracker/provenance.json?paragraph=nothing+like+this") == []


@pytest.mark.asyncio
async def test_trace_query_follows_a_lineage_through_versions_that_store_a_mark(tmp_path):
    """The `trace` canned query finds the paragraph's lineage in its version's list, also when
    that version only edited paragraphs and its row names an earlier version's list."""
    db = tmp_path / "t.db"
    with Tracker(db) as tracker:
        tracker.record("a.txt", "Alpha one.\n\nBeta two.\n", at="2024-01-01T00:00:00Z")
        tracker.record("a.txt", "Alpha one.\n\nBeta three.\n", at="2024-01-02T00:00:00Z")
        tracker.record("a.txt", "Alpha four.\n\nBeta three.\n", at="2024-01-03T00:00:00Z")
    assert sql_count(db, "select count(*) from versions where lineages = '1'") == 2
    async with served(Datasette([str(db)])) as datasette:
        life = await rows(datasette, "/t/trace.json?document=a.txt&paragraph=2&version=")
        assert [(r["version"], r["op"], r["text"]) for r in life] == [
            (1, "insert", "Beta two."),
            (2, "modify", "Beta three."),
        ]
        first = await rows(datasette, "/t/trace.json?document=a.txt&paragraph=1&version=2")
        assert [(r["version"], r["op"]) for r in first] == [(1, "insert"), (3, "modify")]


@pytest.mark.asyncio
async def test_documents_overview(ds):
    overview = {r["document"]: r for r in await rows(ds, "/tracker/documents_overview.json")}
    assert overview["notes/plan.txt"]["versions"] == 3
    assert overview["old.txt"]["state"] == "deleted"
    assert overview["hostile.txt"]["state"] == "present"


# --------------------------------------------------------------------------- Atom feed


@pytest.mark.asyncio
async def test_atom_feed(ds):
    response = await get(ds, "/-/tracker/tracker/changes.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 7
    updated = [e.find(f"{ATOM}updated").text for e in entries]
    assert updated == sorted(updated, reverse=True)
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert titles[0] == "notes/plan.txt v3: 1 paragraph removed"
    assert entries[0].find(f"{ATOM}link").get("href") == (
        "http://localhost/-/tracker/diff/tracker/notes/plan.txt/3"
    )
    hostile = [e for e in entries if e.find(f"{ATOM}title").text.startswith("hostile.txt v2")][0]
    content = hostile.find(f"{ATOM}content")
    assert content.get("type") == "html"
    assert ESCAPED_SCRIPT in content.text  # escaped inside the HTML
    assert "<script" not in content.text and "<img" not in content.text
    assert "<ins>" in content.text
    one = ET.fromstring((await get(ds, "/-/tracker/changes.atom?doc=old.txt&limit=1")).content)
    assert [e.find(f"{ATOM}title").text for e in one.findall(f"{ATOM}entry")] == [
        "old.txt v2: deleted"
    ]
    await get(ds, "/-/tracker/nope/changes.atom", status=404)


# --------------------------------------------------------------------------- other databases


@pytest.mark.asyncio
async def test_other_databases_are_left_alone(db_path, tmp_path):
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute(
        "create table changes (id integer primary key, op text, inline text,"
        " old_text text, new_text text, document text, version integer)"
    )
    conn.execute("insert into changes values (1, 'modify', '<b>x</b>', 'a', 'b', 'd', 1)")
    conn.commit()
    conn.close()
    async with served(Datasette([str(db_path), str(other)])) as ds:
        page = (await get(ds, "/other/changes")).text
        assert "&lt;b&gt;x&lt;/b&gt;" in page and "/-/tracker/diff" not in page
        assert "tracker.css" not in page
        assert (await get(ds, "/other.json")).json()["queries"] == []
        await get(ds, "/-/tracker/diff/other/d/1", status=404)
        assert "tracker.css" in (await get(ds, "/tracker/changes")).text


# --------------------------------------------------------------------------- tracker serve


def test_serve_refuses_a_missing_database(tmp_path):
    result = CliRunner().invoke(cli, ["serve", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: no database at ")
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "none.db").exists()


@pytest.mark.slow
def test_serve_is_read_only_while_a_writer_records(db_path):
    process, base = start_server(db_path)
    try:
        status, body = fetch(base + "/-/plugins.json")
        assert status == 200 and "tracker" in {p["name"] for p in json.loads(body)}
        status, body = fetch(base + "/-/databases.json")
        database = json.loads(body)[0]
        assert database["name"] == "tracker" and database["is_mutable"] is True
        assert json.loads(fetch(base + "/-/settings.json")[1])["suggest_facets"] is False
        status, body = fetch(base + "/tracker/changes")
        assert status == 200 and b"<del>apples</del><ins>pears</ins>" in body
        # a writer records while the server runs: the new version shows up
        with Tracker(db_path) as tracker:
            tracker.record("notes/plan.txt", "Served and still written.\n")
        status, body = fetch(
            base + "/tracker/document_history.json?document=plan.txt&_shape=objects"
        )
        assert status == 200
        assert json.loads(body)["rows"][0]["version"] == 4
        status, body = fetch(base + "/-/tracker/diff/tracker/notes/plan.txt/4")
        assert status == 200 and b"<ins>Served and still written.</ins>" in body
        # read-only: Datasette refuses writes through SQL
        status, body = fetch(base + "/tracker.json?sql=" + quote("delete from documents"))
        assert status == 400
    finally:
        stop_server(process)
    assert sql_count(db_path, "select count(*) from versions") == 8


# --------------------------------------------------------------------------- QA fixes


#: Text that FTS5 would read as syntax, and the documents it finds quoted as plain words (all
#: of them in one paragraph): "apples" is in notes/plan.txt, "and" in hostile.txt, no paragraph
#: has "near", "or", "not", "text" or "b" beside the others.
SEARCH_INPUTS = [
    ('"', []),
    ('""', []),
    ('" "', []),
    ("NEAR(", []),
    ("NEAR(apples pears", []),
    ("AND", ["hostile.txt"]),
    ("apples AND", []),
    ("OR OR", []),
    ("NOT apples", []),
    ("(apples", ["notes/plan.txt"]),
    ("apples)", ["notes/plan.txt"]),
    ("((", []),
    ("*", []),
    ("**", []),
    ("-foo", []),
    ("-", []),
    ("^apples", ["notes/plan.txt"]),
    ("a:b", []),
    ("text:apples", []),
    ("{apples}", ["notes/plan.txt"]),
    ("'", []),
    ("\\", []),
    ("\u00e9\u00e8", []),
    ("   ", []),
    ("%", []),
]


@pytest.mark.asyncio
@pytest.mark.parametrize("query,documents", SEARCH_INPUTS)
async def test_search_query_accepts_any_text(ds, query, documents):
    """Any q gives a page and JSON with zero or more rows, never an FTS syntax error."""
    found = await rows(ds, "/tracker/search.json?q=" + quote(query, safe=""))
    assert [hit["document"] for hit in found] == documents
    page = (await get(ds, "/tracker/search?q=" + quote(query, safe=""))).text
    assert "Search every version" in page and "error" not in page.lower()


@pytest.mark.asyncio
async def test_search_query_quotes_like_the_cli(ds):
    for query in ('"apples', "-apples", "appl*", "(apples)", "apples)", '"north field"'):
        hits = await rows(ds, "/tracker/search.json?q=" + quote(query, safe=""))
        assert {h["document"] for h in hits} == {"notes/plan.txt"}, query
    assert await rows(ds, "/tracker/search.json?q=" + quote('"field north"')) == []
    # the function is there for any SQL on the database too
    data = (
        await get(ds, "/tracker.json?sql=" + quote("""select tracker_fts_query('" OR')"""))
    ).json()
    assert data["rows"] == [['" OR"']]  # an unclosed quote runs to the end, as in the CLI
    data = (await get(ds, "/tracker.json?sql=" + quote("select tracker_fts_query('\"')"))).json()
    assert data["rows"] == [['""']]


@pytest.mark.asyncio
async def test_search_snippet_markers_are_documented(ds):
    hits = await rows(ds, "/tracker/search.json?q=apples")
    assert hits[0]["snippet"] == "We grow \x02apples\x03 in the north field."
    queries = {q["name"]: q for q in (await get(ds, "/tracker.json")).json()["queries"]}
    description = queries["search"]["description"]
    assert "U+0002" in description and "U+0003" in description


@pytest.mark.asyncio
async def test_text_holding_the_snippet_marks_cannot_fake_a_highlight(tmp_path: Path):
    db = tmp_path / "tracker.db"
    with Tracker(db) as tracker:
        tracker.record(
            "fake.txt",
            "Look \x02here\x03 and \x02there: a real needle, then \x03 stray marks.\n",
            at="2024-01-01",
        )
    async with served(Datasette([str(db)])) as datasette:
        hits = await rows(datasette, "/tracker/search.json?q=needle")
        assert [hit["snippet"] for hit in hits] == [
            "Look \u2402here\u2403 and \u2402there: a real \x02needle\x03, then \u2403 stray marks."
        ]
        page = (await get(datasette, "/tracker/search?q=needle")).text
        assert page.count("<mark") == 1
        assert '<mark class="tracker-hit">needle</mark>' in page
    with Tracker(db) as tracker:  # the stored text itself is never altered
        assert tracker.text("fake.txt").count("\x02") == 2


@pytest.mark.asyncio
async def test_a_re_added_document_has_the_same_counts_everywhere(tmp_path: Path):
    """Deleted, then re-added: the diff page, `tracker diff --format json` and the versions row
    all compare the new text with the text from before the deletion."""
    db = tmp_path / "tracker.db"
    with Tracker(db) as tracker:
        tracker.record("back.txt", "one\n\ntwo\n\nthree\n\nfour\n", at="2024-01-01")
        tracker.record("back.txt", None, at="2024-01-02")
        tracker.record("back.txt", "one\n\ntwo, edited\n\nfour\n\nfive\n", at="2024-01-03")
        row = tracker.versions("back.txt")[-1]
    counts = {"added": row.added, "removed": row.removed, "modified": row.modified}
    assert counts == {"added": 1, "removed": 1, "modified": 1}
    result = CliRunner().invoke(cli, ["diff", "back.txt", "--format", "json", "--db", str(db)])
    stats = json.loads(result.output)["stats"]
    assert {key: stats[key] for key in counts} == counts
    async with served(Datasette([str(db)])) as datasette:
        page = (await get(datasette, "/-/tracker/diff/tracker/back.txt/3")).text
        versions = await rows(datasette, "/tracker/versions.json?version=3")
    added, removed, modified = stats["added"], stats["removed"], stats["modified"]
    line = f"{added} paragraph added, {removed} removed, {modified} modified"
    assert line in page  # the diff page says its counts in words
    assert {key: versions[0][key] for key in counts} == counts


def test_serve_refuses_a_port_in_use(db_path):
    with socket.socket() as holder:  # a server of someone else, as uvicorn would open it
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--port", str(port), "--db", str(db_path)])
    assert result.exit_code == 1, result.output
    assert result.output == f"Error: cannot listen on 127.0.0.1:{port}: Address already in use\n"


def test_serve_refuses_a_port_bound_without_listening(db_path):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        port = holder.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--port", str(port), "--db", str(db_path)])
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"Error: cannot listen on 127.0.0.1:{port}: ")
    assert len(result.output.splitlines()) == 1


@pytest.mark.parametrize("host", ["no-such-host.invalid", "192.0.2.1"])
def test_serve_refuses_a_host_it_cannot_listen_on(db_path, host):
    result = CliRunner().invoke(
        cli, ["serve", "--host", host, "--port", str(free_port()), "--db", str(db_path)]
    )
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"Error: cannot listen on {host}:")
    assert len(result.output.splitlines()) == 1
