"""`search --all-versions --since/--until` and `stats --since/--until`, via the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracker import Tracker
from tracker.corpus import search as search_module
from tracker.corpus.query import fts_query
from tracker.errors import TrackerError

YEAR_2019 = ("--since", "2019-01-01", "--until", "2019-12-31")


@pytest.fixture
def dated_db(tmp_path: Path) -> Path:
    """'arbitration' held in 2019 by a.md and b.md, before it by c.md, after it by d.md; e.md's
    times go backwards: its v2 (2021) holds it, and its v3 (2019 again) holds it in another
    paragraph."""
    path = tmp_path / "t.db"
    with Tracker(path) as tracker:
        tracker.record("c.md", "Old arbitration.\n", at="2018-01-01")
        tracker.record("c.md", "Gone.\n", at="2018-02-01")
        tracker.record("a.md", "Intro\n\nThe arbitration clause.\n", at="2018-06-01")
        tracker.record("a.md", "Intro\n\nThe arbitration clause.\n\nMore.\n", at="2019-03-01")
        tracker.record("a.md", "Intro\n\nMore.\n", at="2020-02-01")
        tracker.record("b.md", "Arbitration in b.\n", at="2019-05-01")
        tracker.record("b.md", "Nothing.\n", at="2019-08-01")
        tracker.record("d.md", "Later arbitration.\n", at="2021-01-01")
        tracker.record("e.md", "E one.\n", at="2019-02-01")
        tracker.record("e.md", "E arbitration.\n", at="2021-01-01")
        tracker.record("e.md", "E three arbitration.\n", at="2019-09-01")
    return path


IN_2019 = [
    "a.md  v1-v2  first v1 2018-06-01, removed v3 2020-02-01: The **arbitration** clause.",
    "b.md  v1  first v1 2019-05-01, removed v2 2019-08-01: **Arbitration** in b.",
    "e.md  v3  first v3 2019-09-01, still present: E three **arbitration**.",
]


def test_search_all_versions_in_a_date_range(run, dated_db: Path) -> None:
    result = run("search", "arbitration", "--all-versions", *YEAR_2019, db=dated_db)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == IN_2019
    assert result.stderr == ""
    page = run("search", "arbitration", "--all-versions", *YEAR_2019, "--limit", "1", db=dated_db)
    assert page.stdout.splitlines() == IN_2019[:1]
    assert page.stderr == "... 2 more (use --limit 0)\n"
    data = json.loads(
        run("search", "arbitration", "--all-versions", *YEAR_2019, "--json", db=dated_db).stdout
    )
    assert [(hit["doc"], hit["ranges"]) for hit in data] == [
        ("a.md", "v1-v2"),
        ("b.md", "v1"),
        ("e.md", "v3"),
    ]


def test_search_with_one_end_of_the_range(run, dated_db: Path) -> None:
    since = run("search", "arbitration", "--all-versions", "--since", "2020-01-01", db=dated_db)
    assert [line.split("  ")[:2] for line in since.stdout.splitlines()] == [
        ["d.md", "v1"],
        ["e.md", "v2"],  # recorded in 2021, whatever its neighbours' times
    ]
    until = run("search", "arbitration", "--all-versions", "--until", "2018-06-01", db=dated_db)
    assert [line.split("  ")[:2] for line in until.stdout.splitlines()] == [
        ["a.md", "v1-v2"],
        ["c.md", "v1"],
    ]
    moment = run(
        "search", "arbitration", "--all-versions", "--until", "2018-05-31T23:59Z", db=dated_db
    )
    assert [line.split("  ")[:2] for line in moment.stdout.splitlines()] == [["c.md", "v1"]]


def test_search_in_a_range_reads_the_page_document_by_document_alike(
    run, dated_db: Path, monkeypatch
) -> None:
    """With many hits a page is looked for document by document (from the paragraph lists),
    not from SQL's list: both find the same hits in a range."""
    monkeypatch.setattr(search_module, "HITS_PER_DOCUMENT_READ", 1)
    for limit in ("1", "2", "3"):
        result = run(
            "search", "arbitration", "--all-versions", *YEAR_2019, "--limit", limit, db=dated_db
        )
        assert result.stdout.splitlines() == IN_2019[: int(limit)]
    until = run(
        "search", "arbitration", "--all-versions", "--until", "2018-06-01", "--limit", "1",
        db=dated_db,
    )  # fmt: skip
    assert until.stdout.startswith("a.md  v1-v2  first v1 2018-06-01")


def test_search_range_refusals_and_empty_answers(run, dated_db: Path) -> None:
    latest = run("search", "arbitration", "--since", "2019-01-01", db=dated_db)
    assert latest.exit_code == 2
    assert latest.stderr.endswith(
        "Error: --since/--until pick versions by when they were recorded: add --all-versions\n"
    )
    unreadable = run(
        "search", "arbitration", "--all-versions", "--since", "2020-01-01", "--until", "2019",
        db=dated_db,
    )  # fmt: skip
    assert unreadable.exit_code == 2
    assert "cannot read time '2019'" in unreadable.stderr
    reversed_ = run(
        "search", "arbitration", "--all-versions", "--since", "2020-01-01",
        "--until", "2019-01-01", db=dated_db,
    )  # fmt: skip
    assert reversed_.exit_code == 2
    assert reversed_.stderr.endswith(
        "Error: Invalid value for '--until': '2019-01-01' is before --since '2020-01-01'\n"
    )
    nothing = run("search", "arbitration", "--all-versions", "--since", "2030-01-01", db=dated_db)
    assert (nothing.exit_code, nothing.stdout) == (0, "")
    assert nothing.stderr == (
        "no paragraph of any version recorded in that range holds 'arbitration'\n"
    )


def test_library_search_refuses_a_range_without_every_version(dated_db: Path) -> None:
    with Tracker(dated_db) as tracker:
        with pytest.raises(TrackerError, match="add --all-versions"):
            tracker.search("arbitration", since="2019-01-01")
        with pytest.raises(TrackerError, match="is before"):
            tracker.search("arbitration", all_versions=True, since="2020-01-01", until="2019-01-01")
        hits = tracker.search("arbitration", all_versions=True, until="2018-01-31")
    assert [hit["doc"] for hit in hits] == ["c.md"]


def test_range_reads_versions_by_time_and_probes_by_document(dated_db: Path) -> None:
    """The window is read through the index on captured_at, once, and from the index alone
    (it holds the document and version number too); each matching span then probes it by
    document (no scan of the versions per span)."""
    from tracker.store.window import IN_WINDOW, window_versions

    cte, before = window_versions(("2019-01-01T00:00:00.000Z", "2019-12-31T23:59:59.999Z"))
    sql = (
        f"{cte}select count(*) from paragraphs_fts f join paragraph_spans s"
        f" on s.paragraph_id = f.rowid where paragraphs_fts match ? and {IN_WINDOW}"
    )
    with Tracker(dated_db) as tracker:
        conn = tracker.store.conn
        conn.execute("analyze")
        plan = [row[3] for row in conn.execute(f"explain query plan {sql}", [*before, "x"])]
        assert conn.execute(sql, [*before, fts_query("arbitration")]).fetchone()[0] == 3
    steps = "\n".join(plan)
    by_time = "SEARCH versions USING COVERING INDEX idx_versions_captured_at_document_id_version"
    assert f"{by_time} (captured_at>? AND captured_at<?)" in steps
    assert "SEARCH w USING AUTOMATIC COVERING INDEX (document_id=?)" in steps
    assert "SCAN versions" not in steps and "SCAN w" not in steps


# -- stats ---------------------------------------------------------------------------------------


@pytest.fixture
def edited_db(tmp_path: Path) -> Path:
    """a.md edited twice in 2019; b.md deleted in 2018 and back (rewritten) in 2019, then
    edited; versions before and after 2019 too."""
    path = tmp_path / "t.db"
    with Tracker(path) as tracker:
        tracker.record("b.md", "B\n\nText.\n", at="2018-11-01")
        tracker.record("a.md", "A\n\nOne.\n", at="2018-12-01")
        tracker.record("b.md", None, at="2018-12-15")
        tracker.record("a.md", "A\n\nOne, edited.\n", at="2019-01-10")
        tracker.record("b.md", "B\n\nText back, rewritten.\n", at="2019-01-20")
        tracker.record("a.md", "A\n\nOne, edited again.\n\nTwo.\n", at="2019-02-10")
        tracker.record("b.md", "B\n\nText back, rewritten twice.\n", at="2019-03-01")
        tracker.record("a.md", "A\n\nThree.\n", at="2020-01-05")
    return path


def test_stats_counts_the_versions_recorded_in_a_range(run, edited_db: Path) -> None:
    result = run("stats", *YEAR_2019, "--json", db=edited_db)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["documents"], data["versions"], data["deletions"]) == (2, 4, 0)
    assert (data["first"], data["last"]) == ("2019-01-10T00:00:00.000Z", "2019-03-01T00:00:00.000Z")
    assert [(m["month"], m["versions"]) for m in data["churn"]] == [
        ("2019-01", 2),
        ("2019-02", 1),
        ("2019-03", 1),
    ]
    # b.md v3 brought the document back after a deletion recorded before the range: no edit
    assert [(e["doc"], e["version"]) for e in data["largest_edits"]] == [
        ("a.md", 3),
        ("a.md", 2),
        ("b.md", 4),
    ]
    assert [(c["doc"], c["edits"], c["versions"], c["text"]) for c in data["most_edited"]] == [
        ("a.md", 2, "v2-v3", "One, edited again."),
        ("b.md", 2, "v3-v4", "Text back, rewritten twice."),  # as without a range
    ]
    one = json.loads(run("stats", "b.md", "--until", "2018-12-31", "--json", db=edited_db).stdout)
    assert (one["versions"], one["deletions"], one["largest_edits"]) == (2, 1, [])
    text = run("stats", *YEAR_2019, db=edited_db)
    assert text.stdout.startswith("2 documents, 4 versions (0 deletions), 2019-01-10 .. 2019-03-01")


def test_stats_range_refusals_and_empty_range(run, edited_db: Path) -> None:
    reversed_ = run("stats", "--since", "2020-01-01", "--until", "2019-01-01", db=edited_db)
    assert reversed_.exit_code == 2
    assert reversed_.stderr.endswith(
        "Error: Invalid value for '--until': '2019-01-01' is before --since '2020-01-01'\n"
    )
    unreadable = run("stats", "--since", "yesterday", db=edited_db)
    assert unreadable.exit_code == 2
    assert "cannot read time 'yesterday'" in unreadable.stderr
    empty = run("stats", "--since", "2030-01-01", db=edited_db)
    assert empty.exit_code == 0
    assert empty.stderr == "no version recorded in that range\n"
    assert empty.stdout.startswith("0 documents, 0 versions (0 deletions)")
    with Tracker(edited_db) as tracker, pytest.raises(TrackerError, match="is before"):
        tracker.stats(since="2020-01-01", until="2019-12-31")


def test_search_in_a_range_holding_every_version_skips_the_test(dated_db: Path) -> None:
    """A range that holds every version (from the day of the first) answers as no range does,
    without testing each span against it."""
    with Tracker(dated_db) as tracker:
        statements: list[str] = []
        tracker.store.conn.set_trace_callback(statements.append)
        everything = tracker.search("arbitration", all_versions=True, since="2018-01-01")
        assert everything == tracker.search("arbitration", all_versions=True)
        assert not any("with bounds" in sql for sql in statements)
        tracker.search("arbitration", all_versions=True, since="2018-01-02")
        assert any("with bounds" in sql for sql in statements)
