"""A document that comes back after its deletion: every description of that version says so.

"restored as v1" when its text is the very text of an earlier version (the latest such is
named), "re-created" with its changes against the text before the deletion otherwise; the same in
the CLI (snapshot, log, timeline, diff headers, their JSON), through both imports, and on the web
(home page, document page, diff page, feed). Nothing stored changes: the counts are as recorded.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path

import pytest
import pytest_asyncio
from datasette.app import Datasette
from support import ATOM, Repo, served

from tracker import Tracker
from tracker.web.metadata import SETTINGS, instance_metadata
from tracker.web.pages import common

# --------------------------------------------------------------------------- the CLI


def _snap(run, folder: Path, db: Path, text: str | None) -> str:
    """Write x.txt (None: delete it), snapshot the folder, and return what snapshot printed."""
    target = folder / "x.txt"
    if text is None:
        target.unlink()
    else:
        target.write_text(text, encoding="utf-8")
    result = run("snapshot", folder, db=db)
    assert result.exit_code == 0, result.output
    return result.stdout


def _lines(run, *args, db: Path) -> list[str]:
    result = run(*args, db=db)
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def _json(run, *args, db: Path):
    result = run(*args, db=db)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_document_re_created_with_other_text_says_so_in_every_cli_answer(run, folder, db):
    _snap(run, folder, db, "A\n\nB\n")
    assert _snap(run, folder, db, None) == "x.txt  v2  deleted\n"
    assert _snap(run, folder, db, "A\n\nB2\n") == "x.txt  v3  re-created +1 -1 ~0\n"

    log = _lines(run, "log", "x.txt", db=db)
    assert [line.split("  ")[-1] for line in log] == [
        "new, 2 paragraphs",
        "deleted",
        "re-created +1 -1 ~0",  # B2 against B, the text before the deletion: as stored
    ]
    timeline = _lines(run, "timeline", db=db)
    assert timeline[0].endswith("  x.txt  v3  re-created +1 -1 ~0")
    assert timeline[1].endswith("  x.txt  v2  deleted")

    # the default diff skips back over the deletion; either way the new side says it came back
    stamp = r"\(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"
    header = _lines(run, "diff", "x.txt", db=db)[0]
    assert re.fullmatch(rf"x\.txt v1 {stamp}\) -> x\.txt v3 {stamp}, re-created\)", header)
    header = _lines(run, "diff", "x.txt", "--since", "v2", db=db)[0]
    assert re.fullmatch(rf"x\.txt v2 {stamp}, deleted\) -> x\.txt v3 {stamp}, re-created\)", header)
    stat = _lines(run, "diff", "x.txt", "--stat", db=db)[0]
    assert stat.endswith(" -> v3 (re-created): +1 -1 ~0 moved 0, 1 unchanged")
    markdown = _lines(run, "diff", "x.txt", "--format", "markdown", db=db)[0]
    assert re.search(r"→ version 3 \(\S+, re-created\)$", markdown)
    html = run("diff", "x.txt", "--format", "html", db=db).stdout
    assert re.search(r'<p class="versions">version 1 \(\S+\) → version 3 \(\S+, re-created\)', html)

    versions = _json(run, "log", "x.txt", "--json", db=db)
    assert [(v["restored"], v["recreated"]) for v in versions] == [
        (None, False),
        (None, False),
        (None, True),
    ]
    counts = {key: versions[2][key] for key in ("added", "removed", "modified", "substantive")}
    assert counts == {"added": 1, "removed": 1, "modified": 0, "substantive": 2}
    events = _json(run, "timeline", "--json", db=db)
    assert events[0]["kind"] == "version" and events[0]["version"] == 3
    assert events[0]["recreated"] is True and events[0]["restored"] is None
    data = _json(run, "diff", "x.txt", "--format", "json", db=db)
    assert "restored" not in data["from"] and "recreated" not in data["from"]
    assert (data["to"]["restored"], data["to"]["recreated"]) == (None, True)


def test_the_very_text_of_an_earlier_version_is_restored_as_that_version(run, folder, db):
    _snap(run, folder, db, "A\n\nB\n")
    _snap(run, folder, db, "A\n\nB\n\nC\n")
    _snap(run, folder, db, None)
    # the text of v1, not of v2 (the last before the deletion)
    assert _snap(run, folder, db, "A\n\nB\n") == "x.txt  v4  restored as v1\n"
    _snap(run, folder, db, None)
    # the same text again: named after the latest version that had it
    assert _snap(run, folder, db, "A\n\nB\n") == "x.txt  v6  restored as v4\n"

    log = _lines(run, "log", "x.txt", db=db)
    assert [line.split("  ")[-1] for line in log] == [
        "new, 2 paragraphs",
        "+1 -0 ~0",
        "deleted",
        "restored as v1",
        "deleted",
        "restored as v4",
    ]
    timeline = _lines(run, "timeline", "--limit", "3", db=db)
    assert [line.split("  ", 1)[1] for line in timeline] == [
        "x.txt  v6  restored as v4",
        "x.txt  v5  deleted",
        "x.txt  v4  restored as v1",
    ]
    header = _lines(run, "diff", "x.txt", db=db)[0]
    assert re.fullmatch(
        r"x\.txt v4 \([^,]+, restored as v1\) -> x\.txt v6 \([^,]+, restored as v4\)", header
    )
    stat = _lines(run, "diff", "x.txt", "v2..v4", "--stat", db=db)[0]
    assert stat.endswith(" -> v4 (restored as v1): +0 -1 ~0 moved 0, 2 unchanged")

    versions = _json(run, "log", "x.txt", "--json", db=db)
    assert [(v["restored"], v["recreated"]) for v in versions] == [
        (None, False),
        (None, False),
        (None, False),
        (1, False),
        (None, False),
        (4, False),
    ]
    # the counts stay those recorded: v4 against v2, v6 against v4
    assert [(v["added"], v["removed"], v["modified"]) for v in versions[3::2]] == [
        (0, 1, 0),
        (0, 0, 0),
    ]
    data = _json(run, "diff", "x.txt", "--format", "json", db=db)
    assert (data["from"]["restored"], data["from"]["recreated"]) == (1, False)
    assert (data["to"]["restored"], data["to"]["recreated"]) == (4, False)
    assert _json(run, "timeline", "--json", "--limit", "1", db=db)[0]["restored"] == 4


def test_a_version_that_brought_its_document_back_is_never_minor(run, folder, db):
    """Put back word for word, it changed nothing against the text before the deletion (its
    stored substantive count is 0), but it is no minor edit: --substantive keeps it, as it keeps
    the deletion; an edit of spacing alone is still left out."""
    _snap(run, folder, db, "A\n\nB\n")
    _snap(run, folder, db, None)
    _snap(run, folder, db, "A\n\nB\n")
    _snap(run, folder, db, "A\n\nB \n")  # a space more: minor
    versions = _json(run, "log", "x.txt", "--json", db=db)
    assert [(v["substantive"], v["restored"]) for v in versions] == [
        (2, None),
        (2, None),
        (0, 1),
        (0, None),
    ]
    kept = _lines(run, "log", "x.txt", "--substantive", db=db)
    assert [line.split("  ")[0] + "  " + line.split("  ")[-1] for line in kept] == [
        "v1  new, 2 paragraphs",
        "v2  deleted",
        "v3  restored as v1",
    ]
    timeline = _lines(run, "timeline", "--substantive", db=db)
    assert [line.split("  ", 1)[1] for line in timeline] == [
        "x.txt  v3  restored as v1",
        "x.txt  v2  deleted",
        "x.txt  v1  new, 2 paragraphs",
    ]
    events = _json(run, "timeline", "--substantive", "--json", "--doc", "x.txt", db=db)
    assert [event["version"] for event in events] == [3, 2, 1]


def _trace_history(run, folder: Path, db: Path) -> None:
    """x.txt: B edited, the file deleted, re-created with B edited again, deleted, and put back
    with the very text of v2 (through `tracker snapshot`, as a user would)."""
    one, two = "Alpha is the first.\n\n", "Bravo is the second"
    for text in (f"{one}{two}.\n", f"{one}{two} one.\n", None, f"{one}{two} two.\n", None):
        _snap(run, folder, db, text)
    _snap(run, folder, db, f"{one}{two} one.\n")
    assert [line.split("  ")[-1] for line in _lines(run, "log", "x.txt", db=db)][2:] == [
        "deleted",
        "re-created +0 -0 ~1",
        "deleted",
        "restored as v2",
    ]


def test_a_trace_says_where_the_document_came_back(run, folder, db):
    """A paragraph does not live on unseen through the deletion of its whole document: the
    trace names each version that brought the document back, in the words of the log."""
    _trace_history(run, folder, db)
    unchanged = [line[3:] for line in _lines(run, "trace", "x.txt", "1", db=db)]
    assert [line.split("  ", 1)[1] for line in unchanged[1:]] == [
        "[1] created: Alpha is the first.",
        "document re-created after its deletion",
        "document restored as v2 after its deletion",
    ]
    assert [line[:2] for line in _lines(run, "trace", "x.txt", "2", db=db)[1:]] == [
        "v1",
        "v2",
        "v4",  # the document came back, then the paragraph's edit of v4
        "v4",
        "v6",
        "v6",
    ]
    edited = _lines(run, "trace", "x.txt", "2", db=db)
    assert edited[3].endswith("  document re-created after its deletion")
    assert edited[4].endswith("  [2] modified: Bravo is the second [-one-]{+two+}.")
    assert edited[5].endswith("  document restored as v2 after its deletion")
    assert edited[6].endswith("  [2] modified: Bravo is the second [-two-]{+one+}.")

    events = _json(run, "trace", "x.txt", "2", "--json", db=db)
    assert [(e["version"], e["op"]) for e in events] == [
        (1, "created"),
        (2, "modified"),
        (4, "modified"),
        (6, "modified"),
    ]
    backs = [
        [(b["version"], b["restored"], b["recreated"]) for b in e["document_back_after"]]
        for e in events
    ]
    assert backs == [[], [(4, None, True)], [(6, 2, False)], []]
    assert set(events[0]) >= {"version", "captured_at", "op", "index", "text", "inline"}


@pytest.mark.asyncio
async def test_the_trace_page_says_where_the_document_came_back(run, folder, db):
    _trace_history(run, folder, db)
    async with served(
        Datasette([str(db)], metadata=instance_metadata(["tracker"]), settings=SETTINGS)
    ) as datasette:
        page = await _page(datasette, "/-/tracker/trace/tracker/x.txt?paragraph=2")
    items = [_text(li) for li in re.findall(r'<li class="event[^"]*">.*?</li>', page, re.S)]
    assert [re.sub(r" · .*? · ", " ", item).split(" , paragraph")[0] for item in items] == [
        "v1 created",
        "v2 modified",
        "v4 document re-created after its deletion",
        "v4 modified",
        "v6 document restored as v2 after its deletion",
        "v6 modified",
    ]
    assert 'href="/-/tracker/diff/tracker/x.txt/6"' in page


def _records(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_an_imported_history_says_so_and_exports_as_it_came(run, tmp_path, db):
    records = [
        {"doc": "a.txt", "text": "One.\n\nTwo.\n", "at": "2024-01-01T00:00:00.000Z"},
        {"doc": "b.txt", "text": "Alpha.\n", "at": "2024-01-01T00:00:00.000Z"},
        {"doc": "a.txt", "text": None, "at": "2024-01-02T00:00:00.000Z"},
        {"doc": "b.txt", "text": None, "deleted": True, "at": "2024-01-02T00:00:00.000Z"},
        {"doc": "a.txt", "text": "One.\n\nTwo.\n", "at": "2024-01-03T00:00:00.000Z"},
        {"doc": "b.txt", "text": "Alpha.\n\nBeta.\n", "at": "2024-01-03T00:00:00.000Z"},
    ]
    imported = run("import", _records(tmp_path / "history.jsonl", records), db=db)
    assert imported.exit_code == 0, imported.output
    assert _lines(run, "log", "a.txt", db=db)[-1].endswith("  restored as v1")
    assert _lines(run, "log", "b.txt", db=db)[-1].endswith("  re-created +1 -0 ~0")
    timeline = _lines(run, "timeline", "--since", "2024-01-03", db=db)
    assert timeline == [  # equal times: in the order recorded
        "2024-01-03 00:00:00  a.txt  v3  restored as v1",
        "2024-01-03 00:00:00  b.txt  v3  re-created +1 -0 ~0",
    ]
    # what is stored is what was imported: the export gives the same records back
    exported = run("export", db=db)
    assert exported.exit_code == 0, exported.output
    back = [json.loads(line) for line in exported.stdout.splitlines()]
    assert sorted((r["doc"], r["at"], r["text"]) for r in back) == sorted(
        (r["doc"], r["at"], r["text"]) for r in records
    )
    fsck = run("fsck", db=db)
    assert fsck.exit_code == 0, fsck.output


def test_import_git_of_a_file_removed_and_added_back_says_so(run, tmp_path, db):
    repo = Repo(tmp_path / "repo")
    repo.write("a.md", "Hello.\n\nWorld.\n")
    repo.commit("Add a")
    (repo.path / "a.md").unlink()
    repo.commit("Remove a")
    repo.write("a.md", "Hello.\n\nWorld.\n")
    repo.commit("Bring a back")
    (repo.path / "a.md").unlink()
    repo.commit("Remove a again")
    repo.write("a.md", "Hello.\n\nWide world.\n")
    repo.commit("Write a anew")
    imported = run("import-git", repo.path, db=db)
    assert imported.exit_code == 0, imported.output
    log = _lines(run, "log", "a.md", db=db)
    assert [re.sub(r"  [0-9a-f]{40} .*$", "", line).split("  ")[-1] for line in log] == [
        "new, 2 paragraphs",
        "deleted",
        "restored as v1",
        "deleted",
        "re-created +1 -1 ~0",  # "World." removed, "Wide world." added
    ]


# --------------------------------------------------------------------------- the web

NOW = "2024-01-10T12:00:00.000Z"


@pytest.fixture
def fixed_clock(monkeypatch):
    monkeypatch.setattr(common, "clock", lambda: NOW)


@pytest_asyncio.fixture
async def ds(tmp_path: Path, fixed_clock):
    """Datasette as `tracker serve` builds it, on a history where notes.txt is restored as v1
    (then edited) and draft.txt re-created with a paragraph more."""
    path = tmp_path / "tracker.db"
    with Tracker(path) as tracker:
        tracker.record("notes.txt", "Keep this.\n\nAnd this.\n", at="2024-01-01T10:00:00Z")
        tracker.record("draft.txt", "One.\n\nTwo.\n", at="2024-01-01T11:00:00Z")
        tracker.record("notes.txt", None, at="2024-01-02T10:00:00Z")
        tracker.record("draft.txt", None, at="2024-01-02T11:00:00Z")
        tracker.record("notes.txt", "Keep this.\n\nAnd this.\n", at="2024-01-03T10:00:00Z")
        tracker.record("draft.txt", "One.\n\nTwo.\n\nThree.\n", at="2024-01-03T11:00:00Z")
        tracker.record("notes.txt", "Keep this.\n\nAnd this, too.\n", at="2024-01-04T10:00:00Z")
    async with served(
        Datasette([str(path)], metadata=instance_metadata(["tracker"]), settings=SETTINGS)
    ) as datasette:
        yield datasette


async def _page(ds: Datasette, path: str) -> str:
    response = await ds.client.get(path)
    assert response.status_code == 200, (path, response.status_code, response.text[:2000])
    return response.text


def _text(html: str) -> str:
    """The words of some HTML, its tags left out, its entities read and its spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.mark.asyncio
async def test_the_home_page_says_which_documents_came_back(ds):
    page = await _page(ds, "/-/tracker/tracker")
    latest = [_text(li) for li in re.findall(r'<li><span class="when">.*?</li>', page, re.S)]
    assert [re.sub(r"^.*? ago ", "", line) for line in latest] == [
        "notes.txt v4 1 paragraph modified",
        "draft.txt v3 re-created with 1 paragraph added",
        "notes.txt v3 restored as v1",
        "draft.txt v2 deleted",
        "notes.txt v2 deleted",
        "draft.txt v1 created, 2 paragraphs",
        "notes.txt v1 created, 2 paragraphs",
    ]


@pytest.mark.asyncio
async def test_the_document_page_says_it_in_its_list_and_on_its_timeline(ds):
    page = await _page(ds, "/-/tracker/doc/tracker/notes.txt")
    what = re.findall(r'<td class="what">(.*?)</td>', page)
    assert what == ["1 paragraph modified", "restored as v1", "deleted", "created, 2 paragraphs"]
    titles = re.findall(r"<title>(.*?)</title>", page)
    assert "v3, 3 Jan 2024 10:00: restored as v1" in titles
    draft = await _page(ds, "/-/tracker/doc/tracker/draft.txt")
    what = re.findall(r'<td class="what">(.*?)</td>', draft)
    assert what[0] == "re-created with 1 paragraph added"


@pytest.mark.asyncio
async def test_the_diff_page_says_the_version_brought_the_document_back(ds):
    def versions(page: str) -> str:
        return _text(re.search(r'<p class="tracker-meta versions">(.*?)</p>', page, re.S)[1])

    notes = versions(await _page(ds, "/-/tracker/diff/tracker/notes.txt/3"))
    assert notes.startswith("version 1 (")
    assert notes.endswith(
        "→ version 3 ( 3 Jan 2024 10:00 ), which brought the document back after its deletion:"
        " restored as v1"
    )
    draft = versions(await _page(ds, "/-/tracker/diff/tracker/draft.txt/2..3"))
    assert draft.endswith(", which brought the document back after its deletion: re-created")
    later = versions(await _page(ds, "/-/tracker/diff/tracker/notes.txt/4"))
    assert later.startswith("version 3 ( 3 Jan 2024 10:00 , restored as v1) → version 4 (")
    assert later.endswith(" 4 Jan 2024 10:00 )")


@pytest.mark.asyncio
async def test_the_feed_says_it_in_titles_and_summaries(ds):
    response = await ds.client.get("/-/tracker/tracker/changes.atom")
    assert response.status_code == 200
    entries = ET.fromstring(response.content).findall(f"{ATOM}entry")
    titles = [entry.find(f"{ATOM}title").text for entry in entries]
    assert titles[:3] == [
        "notes.txt v4: 1 paragraph modified",
        "draft.txt v3: re-created with 1 paragraph added",
        "notes.txt v3: restored as v1",
    ]
    assert entries[2].find(f"{ATOM}summary").text == "restored as v1"
    assert "<p>restored as v1</p>" in entries[2].find(f"{ATOM}content").text


@pytest.mark.asyncio
async def test_on_the_web_a_version_that_came_back_is_not_minor(ds):
    """notes.txt v3 changed nothing against v1 (substantive 0): the feed of substantive changes
    keeps it, and the document page neither greys its row nor its mark."""
    response = await ds.client.get("/-/tracker/tracker/changes.atom?substantive=1&doc=notes.txt")
    assert response.status_code == 200
    entries = ET.fromstring(response.content).findall(f"{ATOM}entry")
    titles = [entry.find(f"{ATOM}title").text for entry in entries]
    assert "notes.txt v3: restored as v1" in titles
    page = await _page(ds, "/-/tracker/doc/tracker/notes.txt")
    rows = re.findall(
        r'<tr class="([^"]*)">(?:(?!</tr>).)*?<td class="what">(.*?)</td>', page, re.S
    )
    assert [(css.strip(), what) for css, what in rows] == [
        ("", "1 paragraph modified"),
        ("", "restored as v1"),
        ("deleted", "deleted"),
        ("", "created, 2 paragraphs"),
    ]
    marks = re.findall(r'<circle class="(\w+)"[^>]*><title>(v\d+)', page)
    assert marks == [("change", "v1"), ("deleted", "v2"), ("change", "v3"), ("change", "v4")]
