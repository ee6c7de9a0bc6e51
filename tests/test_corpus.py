"""Corpus questions and files: timeline, search, stats, checkout/restore and fsck, via the CLI."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from tracker import Tracker
from tracker.errors import TrackerError

SHARED = "This boilerplate paragraph is shared by two documents, long enough to count."
CRLF = "\ufeffline one\r\n\r\nline two, café"  # BOM, CRLF, no final newline, non-ASCII


@pytest.fixture
def corpus_db(tmp_path: Path) -> Path:
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


# -- timeline ------------------------------------------------------------------------------------


def test_timeline_newest_first_with_counts(run, corpus_db: Path) -> None:
    result = run("timeline", "--db", corpus_db)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "2024-04-01 00:00:00  guide.md  v4  +1 -1 ~0",  # shared text out, a new line in
        "2024-03-02 10:00:00  moved/other.md  renamed from other.md",
        "2024-03-01 10:00:00  old.txt  v2  deleted",
        "2024-02-03 10:00:00  guide.md  v3  +0 -1 ~1",  # walrus out, "Intro" edited
        "2024-02-01 10:00:00  guide.md  v2  +1 -0 ~0",  # the walrus paragraph in
        "2024-01-05 10:00:00  crlf.txt  v1  new, 2 paragraphs",
        "2024-01-03 10:00:00  old.txt  v1  new, 1 paragraph",
        "2024-01-02 10:00:00  moved/other.md  v1  new, 2 paragraphs",
        "2024-01-01 10:00:00  guide.md  v1  new, 2 paragraphs",
    ]


def test_timeline_filters(run, corpus_db: Path) -> None:
    window = run("timeline", "--since", "2024-01-03", "--until", "2024-02-01", "--db", corpus_db)
    assert [line.split("  ")[1:3] for line in window.stdout.splitlines()] == [
        ["guide.md", "v2"],
        ["crlf.txt", "v1"],
        ["old.txt", "v1"],
    ]
    docs = run("timeline", "--doc", "*.md", "--limit", "2", "--db", corpus_db, "--json")
    data = json.loads(docs.stdout)
    assert [(e["kind"], e["doc"]) for e in data] == [
        ("version", "guide.md"),
        ("rename", "moved/other.md"),
    ]
    assert data[0]["version"] == 4 and data[1]["from"] == "other.md"


def test_timeline_rejects_bad_dates(run, corpus_db: Path) -> None:
    result = run("timeline", "--since", "last week", "--db", corpus_db)
    assert result.exit_code == 2  # a usage error: the value cannot be a time
    assert result.stderr.endswith(
        "Error: Invalid value for '--since': cannot read time 'last week': use an ISO date"
        " (2026-11-24) or date-time (2026-11-24T18:02:11Z)\n"
    )


# -- search --------------------------------------------------------------------------------------


def test_search_latest_versions(run, corpus_db: Path) -> None:
    result = run("search", "walrus", "--db", corpus_db)
    assert result.stdout == "guide.md  v4  paragraph 2: The **walrus** is back.\n"
    shared = run("search", "boilerplate", "--db", corpus_db, "--json")
    assert [(h["doc"], h["version"], h["paragraph"]) for h in json.loads(shared.stdout)] == [
        ("moved/other.md", 1, 2)
    ]


def test_search_all_versions_tells_when_text_appeared_and_went(run, corpus_db: Path) -> None:
    result = run("search", "walrus operator", "--all-versions", "--db", corpus_db)
    assert result.stdout == (
        "guide.md  v2  first v2 2024-02-01, removed v3 2024-02-03:"
        " The **walrus** **operator**: foo-bar.\n"
    )
    data = json.loads(
        run("search", "boilerplate", "--all-versions", "--db", corpus_db, "--json").stdout
    )
    assert [(h["doc"], h["ranges"], h["removed"]) for h in data] == [
        ("guide.md", "v1-v3", {"version": 4, "at": "2024-04-01T00:00:00.000Z"}),
        ("moved/other.md", "v1", None),
    ]
    only = run("search", "boilerplate", "--all-versions", "--doc", "moved/*", "--db", corpus_db)
    assert only.stdout.startswith("moved/other.md  v1  first v1 2024-01-02, still present: ")


@pytest.mark.parametrize("query", ["foo-bar", '"unbalanced', "OR", "NEAR(", "walrus*", "a:b"])
def test_search_never_crashes_on_query_syntax(run, corpus_db: Path, query: str) -> None:
    result = run("search", query, "--all-versions", "--db", corpus_db)
    assert result.exit_code == 0, result.output


def test_search_without_matches_and_empty_query(run, corpus_db: Path) -> None:
    none = run("search", "zebra", "--db", corpus_db)
    assert none.exit_code == 0
    assert none.stderr == (
        "no paragraph of the latest versions holds 'zebra'"
        " (--all-versions searches the earlier ones too)\n"
    )
    filtered = run("search", "zebra", "--doc", "guide.md", "--db", corpus_db)
    assert (filtered.exit_code, filtered.stdout) == (0, "")
    assert filtered.stderr == (
        "no paragraph of the latest versions of documents matching 'guide.md' holds 'zebra'"
        " (--all-versions searches the earlier ones too)\n"
    )
    every = run("search", "zebra", "--all-versions", "--doc", "guide.md", "--db", corpus_db)
    assert every.stderr == (
        "no paragraph of any version of documents matching 'guide.md' holds 'zebra'\n"
    )
    for every_version in ([], ["--all-versions"]):  # a filter naming no document says so
        unnamed = run("search", "zebra", "--doc", "nothing*", *every_version, "--db", corpus_db)
        assert (unnamed.exit_code, unnamed.stdout) == (0, "")
        assert unnamed.stderr == (
            "no document matches --doc 'nothing*'; `tracker docs` lists them\n"
        )
    empty = run("search", '" "', "--db", corpus_db)
    assert empty.exit_code == 1
    assert empty.stderr == "Error: nothing to search for in '\" \"'\n"


# -- stats ---------------------------------------------------------------------------------------


def test_stats_corpus(run, corpus_db: Path) -> None:
    data = json.loads(run("stats", "--db", corpus_db, "--json").stdout)
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
    text = run("stats", "--db", corpus_db)
    assert text.exit_code == 0
    assert text.stdout.startswith("4 documents, 8 versions (1 deletion), 2024-01-01 .. 2024-04-01")


def test_stats_shared_paragraphs(run, tmp_path: Path) -> None:
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


def test_stats_unknown_document(run, corpus_db: Path) -> None:
    result = run("stats", "nothing-like-it", "--db", corpus_db)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no document matches 'nothing-like-it'")


# -- checkout and restore ------------------------------------------------------------------------


def files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_checkout_at_dates_is_byte_exact(run, corpus_db: Path, tmp_path: Path) -> None:
    early = tmp_path / "early"
    result = run("checkout", early, "--at", "2024-01-05", "--db", corpus_db)
    assert result.exit_code == 0, result.output
    assert result.stderr == f"4 documents written to {early}\n"
    assert files(early) == {
        "crlf.txt": CRLF.encode("utf-8"),
        "guide.md": f"Intro\n\n{SHARED}\n".encode(),
        "old.txt": b"soon gone\n",
        "other.md": f"Other\n\n{SHARED}\n".encode(),
    }
    late = tmp_path / "late"
    run("checkout", late, "--at", "2024-03-02T10:00:00Z", "--db", corpus_db)
    assert sorted(files(late)) == ["crlf.txt", "guide.md", "moved/other.md"]
    assert files(late)["guide.md"] == f"Intro, edited\n\n{SHARED}\n".encode()
    before = tmp_path / "before"
    result = run("checkout", before, "--at", "2023-12-31", "--db", corpus_db)
    assert result.exit_code == 0, result.output
    # the corpus then held no document: an empty folder, and a summary that says why
    assert result.stderr == f"0 documents written to {before} (no document existed by 2023-12-31)\n"
    assert before.is_dir() and files(before) == {}


def test_checkout_refuses_a_folder_that_is_not_empty(run, corpus_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "mine.txt").write_text("keep")
    result = run("checkout", target, "--db", corpus_db)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {target} is not empty (use --force to write into it)\n"
    assert run("checkout", target, "--force", "--db", corpus_db).exit_code == 0
    assert (target / "mine.txt").read_text() == "keep"


def smuggle(corpus_db: Path, name: str, text: str = "evil\n") -> None:
    """Store a document under a name tracker refuses today, as a database written by an older
    tracker (or edited by hand) may hold: checkout must still never write it."""
    with Tracker(corpus_db) as tracker:
        tracker.record("placeholder.txt", text, at="2024-01-01")
    with sqlite3.connect(corpus_db) as conn:
        conn.execute("update documents set name = ? where name = 'placeholder.txt'", [name])


@pytest.mark.parametrize("name", ["../evil.txt", "/abs/evil.txt", "a/../../evil.txt"])
def test_recording_an_unsafe_name_is_refused(tmp_path: Path, name: str) -> None:
    with Tracker(tmp_path / "t.db") as tracker, pytest.raises(TrackerError) as error:
        tracker.record(name, "evil\n", at="2024-01-01")
    assert str(error.value) == f"cannot track {name!r}: absolute paths and '..' are not allowed"


@pytest.mark.parametrize("name", ["../evil.txt", "/abs/evil.txt", "a/../../evil.txt"])
def test_checkout_never_writes_outside_the_folder(run, tmp_path: Path, name: str) -> None:
    path = tmp_path / "t.db"
    with Tracker(path) as tracker:
        tracker.record("fine.txt", "fine\n", at="2024-01-01")
    smuggle(path, name)
    target = tmp_path / "deep" / "out"
    result = run("checkout", target, "--db", path)
    assert result.exit_code == 1
    assert result.stderr == (
        f"warning: refusing to write {name!r}: absolute paths and '..' are not allowed\n"
        f"1 document written to {target}\n"
        "Error: 1 document not written (see above)\n"
    )
    assert files(target) == {"fine.txt": b"fine\n"}  # the safe documents are still written
    assert not (tmp_path / "deep" / "evil.txt").exists()


def test_checkout_skips_every_unsafe_name_and_writes_the_rest(run, tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    unsafe = ["trail/", "ctl\x1b.txt", "a//b.txt", "..", "/etc/x"]
    with Tracker(path) as tracker:
        tracker.record("fine.txt", "fine\n", at="2024-01-01")
        tracker.record("sub/ok.txt", "ok\n", at="2024-01-01")
    for name in unsafe:
        smuggle(path, name)
    target = tmp_path / "out"
    result = run("checkout", target, "--db", path, "--json")
    assert result.exit_code == 1
    assert [entry["name"] for entry in json.loads(result.stdout)] == ["fine.txt", "sub/ok.txt"]
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == len(unsafe)
    assert all(line.startswith("warning: refusing to write ") for line in warnings)
    assert "\x1b" not in result.stderr  # names are shown escaped
    assert result.stderr.endswith("Error: 5 documents not written (see above)\n")
    assert files(target) == {"fine.txt": b"fine\n", "sub/ok.txt": b"ok\n"}


def test_checkout_at_a_date_takes_the_latest_time_not_the_highest_version(
    run,
    tmp_path: Path,
) -> None:
    source = tmp_path / "h.jsonl"
    records = [  # file order is history order; the second commit's time went backwards
        {"doc": "o.txt", "text": "february\n", "at": "2024-02-01T00:00:00Z"},
        {"doc": "o.txt", "text": "january\n", "at": "2024-01-01T00:00:00Z"},
        {"doc": "tie.txt", "text": "first\n", "at": "2024-01-01T00:00:00Z"},
        {"doc": "tie.txt", "text": "second\n", "at": "2024-01-01T00:00:00Z"},
    ]
    source.write_text("".join(json.dumps(record) + "\n" for record in records))
    corpus_db = tmp_path / "t.db"
    assert run("import", source, "--db", corpus_db).exit_code == 0
    expected = {
        "2023-12-31": {},
        "2024-01-15": {"o.txt": b"january\n", "tie.txt": b"second\n"},
        "2024-02-15": {"o.txt": b"february\n", "tie.txt": b"second\n"},
    }
    for when, wanted in expected.items():
        target = tmp_path / when
        assert run("checkout", target, "--at", when, "--db", corpus_db).exit_code == 0
        assert files(target) == wanted, when
    now = tmp_path / "now"  # without --at: the latest version, as `show` gives it
    assert run("checkout", now, "--db", corpus_db).exit_code == 0
    assert files(now) == {"o.txt": b"january\n", "tie.txt": b"second\n"}


def test_checkout_force_lists_files_it_did_not_write_and_deletes_nothing(
    run, corpus_db: Path, tmp_path: Path
) -> None:
    target = tmp_path / "out"
    assert run("checkout", target, "--at", "2024-03-02T10:00:00Z", "--db", corpus_db).exit_code == 0
    (target / "notes").mkdir()
    (target / "notes" / "mine.txt").write_text("keep")
    result = run("checkout", target, "--at", "2024-01-05", "--force", "--db", corpus_db)
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "warning: moved/other.md: not part of this checkout, left alone\n"
        "warning: notes/mine.txt: not part of this checkout, left alone\n"
        f"4 documents written to {target}; 2 other files already there left alone"
        " (not deleted)\n"
    )
    assert sorted(files(target)) == [
        "crlf.txt",
        "guide.md",
        "moved/other.md",
        "notes/mine.txt",
        "old.txt",
        "other.md",
    ]
    assert (target / "notes" / "mine.txt").read_text() == "keep"
    again = run("checkout", target, "--at", "2024-01-05", "--force", "--db", corpus_db)
    assert "moved/other.md" in again.stderr and "crlf.txt" not in again.stderr
    assert "left alone" in run("checkout", "--help").stdout


def test_checkout_does_not_follow_a_symlink_out_of_the_folder(
    run, corpus_db: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    target = tmp_path / "out"
    target.mkdir()
    (target / "moved").symlink_to(outside)
    result = run("checkout", target, "--force", "--db", corpus_db)
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"Error: refusing to write 'moved/other.md': it resolves outside {target}\n"
    )
    assert list(outside.iterdir()) == []


def test_restore_writes_one_version(run, corpus_db: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("restore", "crlf", "--db", corpus_db)
    assert result.exit_code == 0, result.output
    assert result.stderr == f"crlf.txt v1 written to {tmp_path / 'crlf.txt'}\n"
    assert (tmp_path / "crlf.txt").read_bytes() == CRLF.encode("utf-8")
    again = run("restore", "crlf", "--db", corpus_db)
    assert again.exit_code == 1
    assert again.stderr == f"Error: {tmp_path / 'crlf.txt'} exists (use --force to overwrite it)\n"
    old = run("restore", "guide", "--at", "v1", "--to", "g1.md", "--db", corpus_db)
    assert old.exit_code == 0
    assert (tmp_path / "g1.md").read_bytes() == f"Intro\n\n{SHARED}\n".encode()
    forced = run(
        "restore", "guide", "--at", "2024-02-01", "--to", "g1.md", "--force", "--db", corpus_db
    )
    assert forced.exit_code == 0
    assert b"walrus operator" in (tmp_path / "g1.md").read_bytes()
    (tmp_path / "dir").mkdir()
    run("restore", "moved/other.md", "--to", "dir", "--db", corpus_db)
    assert (tmp_path / "dir" / "other.md").read_bytes() == f"Other\n\n{SHARED}\n".encode()
    (tmp_path / "moved").mkdir()
    run("restore", "other", "--db", corpus_db)
    assert (tmp_path / "moved" / "other.md").exists()


@pytest.mark.parametrize("to", ["newdir/", "deep/er/dir/", "existing"])
def test_restore_into_a_folder(run, corpus_db: Path, tmp_path: Path, monkeypatch, to: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "existing").mkdir()
    result = run("restore", "moved/other.md", "--to", to, "--db", corpus_db)
    assert result.exit_code == 0, result.output
    folder = tmp_path / to.rstrip("/")
    assert folder.is_dir()
    assert files(folder) == {"other.md": f"Other\n\n{SHARED}\n".encode()}
    assert result.stderr == f"moved/other.md v1 written to {folder / 'other.md'}\n"
    again = run("restore", "moved/other.md", "--to", to, "--db", corpus_db)
    assert again.exit_code == 1 and "exists (use --force" in again.stderr
    (tmp_path / "plain").write_text("a file")
    blocked = run("restore", "moved/other.md", "--to", "plain/", "--db", corpus_db)
    assert blocked.exit_code == 1
    assert (tmp_path / "plain").read_text() == "a file"


def test_restore_refuses_deletions_and_unsafe_names(
    run, corpus_db: Path, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    deleted = run("restore", "old.txt", "--db", corpus_db)
    assert deleted.exit_code == 1
    assert deleted.stderr == (
        "Error: old.txt v2 records its deletion (2024-03-01T10:00:00.000Z); it has no text;"
        " its last text is v1 (--at v1)\n"
    )
    smuggle(corpus_db, "../escape.txt", "x\n")
    unsafe = run("restore", "../escape.txt", "--db", corpus_db)
    assert unsafe.exit_code == 1
    assert unsafe.stderr == (
        "Error: refusing to write '../escape.txt': absolute paths and '..' are not allowed\n"
    )
    assert not (tmp_path.parent / "escape.txt").exists()


# -- fsck ----------------------------------------------------------------------------------------


def test_fsck_clean(run, corpus_db: Path) -> None:
    result = run("fsck", "--db", corpus_db)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("8 versions (0.0 MB) and ")
    assert result.stdout.endswith(": no problems\n")
    report = json.loads(run("fsck", "--db", corpus_db, "--json").stdout)
    assert report["ok"] is True and report["versions"] == 8 and report["problems"] == []


def test_fsck_detects_a_corrupted_paragraph(run, corpus_db: Path) -> None:
    conn = sqlite3.connect(corpus_db)
    (pid,) = conn.execute(
        "select id from paragraphs where text like 'The walrus operator%'"
    ).fetchone()
    conn.execute(
        "update paragraphs set text = 'The walrus operator: tampered.' where id = ?", [pid]
    )
    conn.commit()
    conn.close()
    result = run("fsck", "--db", corpus_db)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].endswith(": 1 problem")  # the paragraph, once; not again for its version
    assert lines[1:] == [
        f"paragraph {pid}: its text does not match its hash (used by 1 version: guide.md v2)"
    ]


def test_fsck_detects_a_missing_paragraph(run, corpus_db: Path) -> None:
    conn = sqlite3.connect(corpus_db)
    conn.execute(
        "update versions set paragraph_ids = '[999999]', paragraphs = 1"
        " where version = 1 and document_id = (select id from documents where name = 'old.txt')"
    )
    conn.commit()
    conn.close()
    result = run("fsck", "--db", corpus_db, "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["problems"] == [
        "old.txt v1: refers to missing paragraphs 999999"
    ]


def test_fsck_without_database(run, tmp_path: Path) -> None:
    result = run("fsck", "--db", tmp_path / "none.db")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: no database at {tmp_path / 'none.db'}")
    assert not os.path.exists(tmp_path / "none.db")


def test_fsck_detects_a_search_index_out_of_step(run, corpus_db: Path) -> None:
    conn = sqlite3.connect(corpus_db)
    conn.execute("drop trigger paragraphs_au")
    conn.execute("update paragraphs set text = 'Other' where text = 'Intro'")
    conn.commit()
    conn.close()
    result = run("fsck", "--db", corpus_db, "--json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert problems[0].startswith("search index: does not match the paragraphs (")


# -- QA fixes: control characters, --doc by file name, empty timeline, --limit 0, plurals ---------

ESCAPE = "\x1b]0;pwned\x07"  # sets the terminal's title if printed raw


def test_text_output_shows_control_characters_escaped(run, tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    with Tracker(path) as tracker:  # a name tracker refuses today, from an older database
        tracker.record("evil.md", f"Title\n\nHostile {ESCAPE} words\n", at="2024-01-01")
        tracker.store.conn.execute("update documents set name = ?", [f"evil{ESCAPE}.md"])
        tracker.store.conn.commit()
        tracker.record(f"evil{ESCAPE}.md", f"Title\n\nHostile {ESCAPE} text\n", at="2024-02-01")
        tracker.record("copy.md", f"Copy\n\nHostile {ESCAPE} text\n", at="2024-02-02")
    shown = "\\x1b]0;pwned\\x07"
    for args in (
        ["search", "hostile"],
        ["search", "hostile", "--all-versions"],
        ["timeline"],
        ["stats", "--min-chars", "0"],
    ):
        result = run(*args, "--db", path)
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.output and "\x07" not in result.output, args
        assert shown in result.stdout, args
    search = run("search", "hostile", "--db", path).stdout
    assert f"evil{shown}.md  v2  paragraph 2: **Hostile** {shown} text" in search
    stats = run("stats", "--min-chars", "0", "--db", path).stdout
    assert f"evil{shown}.md v1-v2: Hostile {shown} text" in stats
    assert f"docs (copy.md, evil{shown}.md): Hostile {shown} text" in stats
    # JSON keeps the text as it is (JSON escapes it)
    hits = json.loads(run("search", "hostile", "--db", path, "--json").stdout)
    assert hits[0]["doc"] == "copy.md" and ESCAPE in hits[0]["snippet"]
    events = json.loads(run("timeline", "--db", path, "--json").stdout)
    assert events[-1]["doc"] == f"evil{ESCAPE}.md"


def test_doc_glob_matches_the_full_name_or_the_file_name(run, corpus_db: Path) -> None:
    by_file_name = run("timeline", "--doc", "other.md", "--db", corpus_db)
    assert [line.split("  ")[1:3] for line in by_file_name.stdout.splitlines()] == [
        ["moved/other.md", "renamed from other.md"],
        ["moved/other.md", "v1"],
    ]
    assert (
        run("timeline", "--doc", "moved/other.md", "--db", corpus_db).stdout == by_file_name.stdout
    )
    assert run("timeline", "--doc", "moved/*", "--db", corpus_db).stdout == by_file_name.stdout
    assert run("timeline", "--doc", "oth*.md", "--db", corpus_db).stdout == by_file_name.stdout
    assert run("timeline", "--doc", "ther.md", "--db", corpus_db).stdout == ""
    search = run("search", "boilerplate", "--doc", "other.md", "--db", corpus_db)
    assert search.stdout.startswith("moved/other.md  v1  paragraph 2: ")
    assert len(search.stdout.splitlines()) == 1
    every = run("search", "boilerplate", "--all-versions", "--doc", "other.md", "--db", corpus_db)
    assert every.stdout.startswith("moved/other.md  v1  first v1 2024-01-02, still present: ")
    for command in ("timeline", "search"):
        assert "file name" in run(command, "--help").stdout


def test_timeline_says_when_nothing_matches(run, corpus_db: Path) -> None:
    later = run("timeline", "--since", "2030-01-01", "--db", corpus_db)
    assert (later.exit_code, later.stdout) == (0, "")
    assert later.stderr == "no changes recorded in that range\n"
    glob = run("timeline", "--doc", "nothing*", "--db", corpus_db)
    assert (glob.exit_code, glob.stdout) == (0, "")
    assert glob.stderr == "no document matches --doc 'nothing*'; `tracker docs` lists them\n"
    window = ["--doc", "*.md", "--since", "2030-01-01"]  # documents, but no change then
    quiet = run("timeline", *window, "--db", corpus_db)
    assert quiet.stderr == "no changes recorded for documents matching '*.md' in that range\n"
    assert (
        json.loads(run("timeline", "--since", "2030-01-01", "--db", corpus_db, "--json").stdout)
        == []
    )


def test_limit_zero_means_no_limit(run, corpus_db: Path) -> None:
    everything = run("timeline", "--db", corpus_db).stdout
    unlimited = run("timeline", "--limit", "0", "--db", corpus_db)
    assert unlimited.exit_code == 0, unlimited.output
    assert unlimited.stdout == everything and len(everything.splitlines()) == 9
    assert len(run("timeline", "--limit", "2", "--db", corpus_db).stdout.splitlines()) == 2
    assert run("timeline", "--limit", "-1", "--db", corpus_db).exit_code == 2
    for command in ("timeline", "search"):
        assert "(0: all)" in run(command, "--help").stdout


def test_corpus_text_output_uses_singulars(run, tmp_path: Path) -> None:
    one = tmp_path / "one.db"
    with Tracker(one) as tracker:
        tracker.record("a.md", "Only paragraph.\n", at="2024-01-01T00:00:00Z")
    assert run("timeline", "--db", one).stdout == (
        "2024-01-01 00:00:00  a.md  v1  new, 1 paragraph\n"
    )
    assert run("stats", "--db", one).stdout.startswith(
        "1 document, 1 version (0 deletions), 2024-01-01 .. 2024-01-01\n"
    )
    assert run("fsck", "--db", one).stdout.startswith("1 version (0.0 MB) and 1 paragraph checked")
    two = tmp_path / "two.db"
    with Tracker(two) as tracker:
        tracker.record("a.md", "Title\n\nFirst text.\n", at="2024-01-01T00:00:00Z")
        tracker.record("a.md", "Title\n\nSecond text.\n", at="2024-02-01T00:00:00Z")
        tracker.record("a.md", None, at="2024-03-01T00:00:00Z")
    stats = run("stats", "--db", two).stdout
    assert stats.startswith("1 document, 3 versions (1 deletion), ")
    assert "  2024-01      1 version        2 changed  #" in stats
    assert "     1 edit   a.md v1-v2: Second text.\n" in stats
    assert "     1 paragraph   a.md v2  2024-02-01 00:00:00  +0 -0 ~1 moved 0\n" in stats
    for word in ("documents", "versions", "deletions", "edits", "paragraphs"):
        assert f" 1 {word}" not in stats


def test_checkout_refuses_a_name_that_is_another_ones_folder_before_writing(run, tmp_path):
    db, out = tmp_path / "t.db", tmp_path / "out"
    with Tracker(db) as tracker:  # import accepts both; no file system holds both
        for name in ("x", "x/y.txt", "z.txt"):
            tracker.record(name, f"{name}\n", at="2024-01-01T00:00:00Z")
    result = run("checkout", out, "--db", db)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "warning: refusing to write 'x': 'x/y.txt' needs a folder of that name",
        f"2 documents written to {out}",
        "Error: 1 document not written (see above)",
    ]
    assert files(out) == {"x/y.txt": b"x/y.txt\n", "z.txt": b"z.txt\n"}
