"""Corpus questions and files: timeline, search, stats, checkout/restore and fsck, via the CLI."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracker.api import Tracker
from tracker.cli import cli
from tracker.cli.common import format_counts

SHARED = "This boilerplate paragraph is shared by two documents, long enough to count."
CRLF = "\ufeffline one\r\n\r\nline two, café"  # BOM, CRLF, no final newline, non-ASCII


def run(*args: object) -> object:
    """Invoke the real CLI; return click's result."""
    return CliRunner().invoke(cli, [str(arg) for arg in args], catch_exceptions=False)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A small corpus: edits, a phrase added then removed, a deletion, a rename, shared text."""
    path = tmp_path / "t.db"
    with Tracker(path) as tracker:
        tracker.record("guide.md", f"Intro\n\n{SHARED}\n", at="2024-01-01T10:00:00Z")
        tracker.record("other.md", f"Other\n\n{SHARED}\n", at="2024-01-02T10:00:00Z")
        tracker.record("old.txt", "soon gone\n", at="2024-01-03T10:00:00Z")
        tracker.record("crlf.txt", CRLF, at="2024-01-05T10:00:00Z")
        tracker.record(
            "guide.md",
            f"Intro\n\nThe walrus operator: foo-bar.\n\n{SHARED}\n",
            at="2024-02-01T10:00:00Z",
        )
        tracker.record("guide.md", f"Intro, edited\n\n{SHARED}\n", at="2024-02-03T10:00:00Z")
        tracker.record("old.txt", None, at="2024-03-01T10:00:00Z")
        tracker.rename("other.md", "moved/other.md", at="2024-03-02T10:00:00Z")
        tracker.record("guide.md", "Intro, edited\n\nThe walrus is back.\n", at="2024-04-01")
    return path


def counts(db: Path, doc: str, number: int) -> str:
    with Tracker(db, create=False) as tracker:
        return format_counts(tracker.version(doc, number))


# -- timeline ------------------------------------------------------------------------------------


def test_timeline_newest_first_with_counts(db: Path) -> None:
    result = run("timeline", "--db", db)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"2024-04-01 00:00:00  guide.md  v4  {counts(db, 'guide.md', 4)}",
        "2024-03-02 10:00:00  moved/other.md  renamed from other.md",
        "2024-03-01 10:00:00  old.txt  v2  deleted",
        f"2024-02-03 10:00:00  guide.md  v3  {counts(db, 'guide.md', 3)}",
        f"2024-02-01 10:00:00  guide.md  v2  {counts(db, 'guide.md', 2)}",
        "2024-01-05 10:00:00  crlf.txt  v1  new, 2 paragraphs",
        "2024-01-03 10:00:00  old.txt  v1  new, 1 paragraphs",
        "2024-01-02 10:00:00  moved/other.md  v1  new, 2 paragraphs",
        "2024-01-01 10:00:00  guide.md  v1  new, 2 paragraphs",
    ]


def test_timeline_filters(db: Path) -> None:
    window = run("timeline", "--since", "2024-01-03", "--until", "2024-02-01", "--db", db)
    assert [line.split("  ")[1:3] for line in window.stdout.splitlines()] == [
        ["guide.md", "v2"],
        ["crlf.txt", "v1"],
        ["old.txt", "v1"],
    ]
    docs = run("timeline", "--doc", "*.md", "--limit", "2", "--db", db, "--json")
    data = json.loads(docs.stdout)
    assert [(e["kind"], e["doc"]) for e in data] == [
        ("version", "guide.md"),
        ("rename", "moved/other.md"),
    ]
    assert data[0]["version"] == 4 and data[1]["from"] == "other.md"


def test_timeline_rejects_bad_dates(db: Path) -> None:
    result = run("timeline", "--since", "last week", "--db", db)
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: cannot read time 'last week': use an ISO date (2026-11-24) or date-time"
        " (2026-11-24T18:02:11Z)\n"
    )


# -- search --------------------------------------------------------------------------------------


def test_search_latest_versions(db: Path) -> None:
    result = run("search", "walrus", "--db", db)
    assert result.stdout == "guide.md  v4  paragraph 2: The **walrus** is back.\n"
    shared = run("search", "boilerplate", "--db", db, "--json")
    assert [(h["doc"], h["version"], h["paragraph"]) for h in json.loads(shared.stdout)] == [
        ("moved/other.md", 1, 2)
    ]


def test_search_all_versions_tells_when_text_appeared_and_went(db: Path) -> None:
    result = run("search", "walrus operator", "--all-versions", "--db", db)
    assert result.stdout == (
        "guide.md  v2  first v2 2024-02-01, removed v3 2024-02-03:"
        " The **walrus** **operator**: foo-bar.\n"
    )
    data = json.loads(run("search", "boilerplate", "--all-versions", "--db", db, "--json").stdout)
    assert [(h["doc"], h["ranges"], h["removed"]) for h in data] == [
        ("guide.md", "v1-v3", {"version": 4, "at": "2024-04-01T00:00:00.000Z"}),
        ("moved/other.md", "v1", None),
    ]
    only = run("search", "boilerplate", "--all-versions", "--doc", "moved/*", "--db", db)
    assert only.stdout.startswith("moved/other.md  v1  first v1 2024-01-02, still present: ")


@pytest.mark.parametrize("query", ["foo-bar", '"unbalanced', "OR", "NEAR(", "walrus*", "a:b"])
def test_search_never_crashes_on_query_syntax(db: Path, query: str) -> None:
    result = run("search", query, "--all-versions", "--db", db)
    assert result.exit_code == 0, result.output


def test_search_without_matches_and_empty_query(db: Path) -> None:
    none = run("search", "zebra", "--db", db)
    assert none.exit_code == 0
    assert none.stderr == "no paragraph matches 'zebra'\n"
    empty = run("search", '" "', "--db", db)
    assert empty.exit_code == 1
    assert empty.stderr == "Error: nothing to search for in '\" \"'\n"


# -- stats ---------------------------------------------------------------------------------------


def test_stats_corpus(db: Path) -> None:
    data = json.loads(run("stats", "--db", db, "--json").stdout)
    assert (data["documents"], data["versions"], data["deletions"]) == (4, 8, 1)
    assert [(m["month"], m["versions"]) for m in data["churn"]] == [
        ("2024-01", 4),
        ("2024-02", 2),
        ("2024-03", 1),
        ("2024-04", 1),
    ]
    assert {(e["doc"], e["version"]) for e in data["largest_edits"]} == {
        ("guide.md", 2),
        ("guide.md", 3),
        ("guide.md", 4),
    }
    assert data["shared"] == []  # guide.md dropped the shared paragraph in v4
    assert data["most_edited"][0]["doc"] == "guide.md"
    assert data["most_edited"][0]["text"] == "Intro, edited"
    text = run("stats", "--db", db)
    assert text.exit_code == 0
    assert text.stdout.startswith("4 documents, 8 versions (1 deletions), 2024-01-01 .. 2024-04-01")


def test_stats_shared_paragraphs(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    with Tracker(path) as tracker:
        tracker.record("a.md", f"A\n\n{SHARED}\n\nshort\n", at="2024-01-01")
        tracker.record("b.md", f"B\n\n{SHARED}\n\nshort\n", at="2024-01-02")
        tracker.record("c.md", "C\n\nshort\n", at="2024-01-03")
    data = json.loads(run("stats", "--db", path, "--json").stdout)
    assert data["shared"] == [{"documents": ["a.md", "b.md"], "count": 2, "text": SHARED}]
    noisy = json.loads(run("stats", "--min-chars", "0", "--db", path, "--json").stdout)
    assert noisy["shared"][0] == {
        "documents": ["a.md", "b.md", "c.md"],
        "count": 3,
        "text": "short",
    }
    one = json.loads(run("stats", "c.md", "--db", path, "--json").stdout)
    assert one["documents"] == 1 and one["shared"] == []


def test_stats_unknown_document(db: Path) -> None:
    result = run("stats", "nothing-like-it", "--db", db)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no document matches 'nothing-like-it'")


# -- checkout and restore ------------------------------------------------------------------------


def files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_checkout_at_dates_is_byte_exact(db: Path, tmp_path: Path) -> None:
    early = tmp_path / "early"
    result = run("checkout", early, "--at", "2024-01-05", "--db", db)
    assert result.exit_code == 0, result.output
    assert result.stderr == f"4 documents written to {early}\n"
    assert files(early) == {
        "crlf.txt": CRLF.encode("utf-8"),
        "guide.md": f"Intro\n\n{SHARED}\n".encode(),
        "old.txt": b"soon gone\n",
        "other.md": f"Other\n\n{SHARED}\n".encode(),
    }
    late = tmp_path / "late"
    run("checkout", late, "--at", "2024-03-02T10:00:00Z", "--db", db)
    assert sorted(files(late)) == ["crlf.txt", "guide.md", "moved/other.md"]
    assert files(late)["guide.md"] == f"Intro, edited\n\n{SHARED}\n".encode()
    before = tmp_path / "before"
    run("checkout", before, "--at", "2023-12-31", "--db", db)
    assert files(before) == {}


def test_checkout_refuses_a_folder_that_is_not_empty(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "mine.txt").write_text("keep")
    result = run("checkout", target, "--db", db)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {target} is not empty (use --force to write into it)\n"
    assert run("checkout", target, "--force", "--db", db).exit_code == 0
    assert (target / "mine.txt").read_text() == "keep"


@pytest.mark.parametrize("name", ["../evil.txt", "/abs/evil.txt", "a/../../evil.txt"])
def test_checkout_never_writes_outside_the_folder(tmp_path: Path, name: str) -> None:
    path = tmp_path / "t.db"
    with Tracker(path) as tracker:
        tracker.record("fine.txt", "fine\n", at="2024-01-01")
        tracker.record(name, "evil\n", at="2024-01-01")
    target = tmp_path / "deep" / "out"
    result = run("checkout", target, "--db", path)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: refusing to write {name!r}: absolute paths and '..' are not allowed\n"
    )
    assert not target.exists()
    assert not (tmp_path / "deep" / "evil.txt").exists()


def test_checkout_does_not_follow_a_symlink_out_of_the_folder(db: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    target = tmp_path / "out"
    target.mkdir()
    (target / "moved").symlink_to(outside)
    result = run("checkout", target, "--force", "--db", db)
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"Error: refusing to write 'moved/other.md': it resolves outside {target}\n"
    )
    assert list(outside.iterdir()) == []


def test_restore_writes_one_version(db: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("restore", "crlf", "--db", db)
    assert result.exit_code == 0, result.output
    assert result.stderr == f"crlf.txt v1 written to {tmp_path / 'crlf.txt'}\n"
    assert (tmp_path / "crlf.txt").read_bytes() == CRLF.encode("utf-8")
    again = run("restore", "crlf", "--db", db)
    assert again.exit_code == 1
    assert again.stderr == f"Error: {tmp_path / 'crlf.txt'} exists (use --force to overwrite it)\n"
    old = run("restore", "guide", "--at", "v1", "--to", "g1.md", "--db", db)
    assert old.exit_code == 0
    assert (tmp_path / "g1.md").read_bytes() == f"Intro\n\n{SHARED}\n".encode()
    forced = run("restore", "guide", "--at", "2024-02-01", "--to", "g1.md", "--force", "--db", db)
    assert forced.exit_code == 0
    assert b"walrus operator" in (tmp_path / "g1.md").read_bytes()
    (tmp_path / "dir").mkdir()
    run("restore", "moved/other.md", "--to", "dir", "--db", db)
    assert (tmp_path / "dir" / "other.md").read_bytes() == f"Other\n\n{SHARED}\n".encode()
    (tmp_path / "moved").mkdir()
    run("restore", "other", "--db", db)
    assert (tmp_path / "moved" / "other.md").exists()


def test_restore_refuses_deletions_and_unsafe_names(db: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    deleted = run("restore", "old.txt", "--db", db)
    assert deleted.exit_code == 1
    assert deleted.stderr == (
        "Error: old.txt v2 records its deletion (2024-03-01T10:00:00.000Z); it has no text\n"
    )
    with Tracker(db) as tracker:
        tracker.record("../escape.txt", "x\n", at="2024-05-01")
    unsafe = run("restore", "../escape.txt", "--db", db)
    assert unsafe.exit_code == 1
    assert unsafe.stderr == (
        "Error: refusing to write '../escape.txt': absolute paths and '..' are not allowed\n"
    )
    assert not (tmp_path.parent / "escape.txt").exists()


# -- fsck ----------------------------------------------------------------------------------------


def test_fsck_clean(db: Path) -> None:
    result = run("fsck", "--db", db)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("8 versions (0.0 MB) and ")
    assert result.stdout.endswith(": no problems\n")
    report = json.loads(run("fsck", "--db", db, "--json").stdout)
    assert report["ok"] is True and report["versions"] == 8 and report["problems"] == []


def test_fsck_detects_a_corrupted_paragraph(db: Path) -> None:
    conn = sqlite3.connect(db)
    (pid,) = conn.execute(
        "select id from paragraphs where text like 'The walrus operator%'"
    ).fetchone()
    conn.execute(
        "update paragraphs set text = 'The walrus operator: tampered.' where id = ?", [pid]
    )
    conn.commit()
    conn.close()
    result = run("fsck", "--db", db)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].endswith(": 2 problems")
    assert lines[1].startswith("guide.md v2: rebuilt text does not match its sha256 (recorded ")
    assert lines[2] == f"paragraph {pid}: text does not match its hash (in guide.md v2)"


def test_fsck_detects_a_missing_paragraph(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute(
        "update versions set paragraph_ids = '[999999]', paragraphs = 1"
        " where version = 1 and document_id = (select id from documents where name = 'old.txt')"
    )
    conn.commit()
    conn.close()
    result = run("fsck", "--db", db, "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["problems"] == [
        "old.txt v1: refers to missing paragraphs 999999"
    ]


def test_fsck_without_database(tmp_path: Path) -> None:
    result = run("fsck", "--db", tmp_path / "none.db")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: no database at {tmp_path / 'none.db'}")
    assert not os.path.exists(tmp_path / "none.db")


def test_fsck_detects_a_search_index_out_of_step(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute("drop trigger paragraphs_au")
    conn.execute("update paragraphs set text = 'Other' where text = 'Intro'")
    conn.commit()
    conn.close()
    result = run("fsck", "--db", db, "--json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert problems[0].startswith("search index: does not match the paragraphs (")
