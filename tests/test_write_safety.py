"""The commands that write, used as a careless user would: they never destroy the database,
and an error leaves nothing half done."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from support import Repo

from tracker import Tracker
from tracker.errors import TrackerError


def _db_with(path: Path, *names: str) -> Path:
    """A database at ``path`` holding one version of each named document (its text: its name)."""
    with Tracker(path) as tracker:
        for name in names:
            tracker.record(name, f"{name}\n", at="2024-01-01T00:00:00Z")
    return path


def _intact(db: Path, count: int) -> None:
    with Tracker(db) as tracker:
        assert len(tracker.documents()) == count
        assert not tracker.fsck().problems


def test_export_restore_and_checkout_never_write_over_the_database(run, tmp_path, monkeypatch):
    db = _db_with(tmp_path / "t.db", "t.db", "notes.txt")  # a document named like the database
    monkeypatch.chdir(tmp_path)
    for args in (
        ["export", "-o", db],
        ["export", "-o", "t.db-wal"],
        ["restore", "notes", "--to", db, "--force"],
        ["restore", "t.db", "--force"],  # into the current folder, under its name
    ):
        result = run(*args, db=db)
        assert result.exit_code == 1, args
        assert result.stderr.endswith("is part of the tracker database: choose another file\n")
        _intact(db, 2)
    result = run("checkout", tmp_path, "--force", db=db)
    assert result.exit_code == 1
    assert f"warning: refusing to write 't.db': {db} is part of the tracker database\n" in (
        result.stderr
    )
    assert "t.db: not part of this checkout" not in result.stderr  # said once
    assert (tmp_path / "notes.txt").read_text() == "notes.txt\n"
    _intact(db, 2)


def test_checkout_finds_a_folder_in_a_documents_place_before_writing_anything(run, tmp_path):
    db = _db_with(tmp_path / "t.db", "a.txt", "b.txt", "c/d.txt", "e.txt")
    out = tmp_path / "out"
    (out / "b.txt").mkdir(parents=True)  # left by something else
    (out / "c").write_text("a file where a folder should be\n")
    result = run("checkout", out, "--force", db=db)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"warning: refusing to write 'b.txt': {out / 'b.txt'} is a folder",
        f"warning: refusing to write 'c/d.txt': {out / 'c'} is a file, not a folder",
        "warning: c: not part of this checkout, left alone",
        f"2 documents written to {out}; 1 other file already there left alone (not deleted)",
        "Error: 2 documents not written (see above)",
    ]
    assert (out / "a.txt").read_text() == "a.txt\n"
    assert (out / "e.txt").read_text() == "e.txt\n"  # written after the blocked ones


def test_snapshot_with_a_missing_path_records_nothing_of_the_others(run, folder, db):
    (folder / "a.txt").write_text("first\n")
    assert run("snapshot", folder, db=db).exit_code == 0
    (folder / "a.txt").write_text("second\n")
    result = run("snapshot", folder, folder.parent / "typo", db=db)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {folder.parent / 'typo'}: no such file or folder\n"
    with Tracker(db) as tracker:
        assert [v.version for v in tracker.versions("a.txt")] == [1]


def test_adding_the_same_ignore_pattern_again_changes_nothing(run, tmp_path):
    db = _db_with(tmp_path / "t.db", "a.txt")
    first = run("ignore", "add", r"id=\d+", "--doc", "*.txt", db=db)
    assert first.stderr == "ignore pattern 1 added: id=\\d+\n"
    again = run("ignore", "add", r"id=\d+", "--doc", "*.txt", "--note", "twice", db=db)
    assert again.exit_code == 0
    assert again.stderr == "ignore pattern 1 already there: id=\\d+\n"
    other = run("ignore", "add", r"id=\d+", db=db)  # for every document: another pattern
    assert other.stderr == "ignore pattern 2 added: id=\\d+\n"
    with Tracker(db) as tracker:
        assert [(p.id, p.doc_glob, p.note) for p in tracker.ignore_patterns()] == [
            (1, "*.txt", None),
            (2, None, None),
        ]


def test_fsck_of_a_truncated_database_does_not_send_the_user_back_to_fsck(run, tmp_path):
    db = _db_with(tmp_path / "t.db", "a.txt", "b.txt")
    with open(db, "r+b") as file:  # cut off, as by a full disk or an interrupted copy
        file.truncate(db.stat().st_size // 2)
    for command in ("docs", "fsck"):
        result = run(command, db=db)
        assert result.exit_code == 1
        assert result.stderr.startswith(f"Error: database {db} is damaged (")
        assert result.stderr.count("\n") == 1
    assert "run `tracker fsck` to see where" in run("docs", db=db).stderr
    assert run("fsck", db=db).stderr.endswith(
        ": SQLite cannot read enough of it for any check; restore it from a backup\n"
    )


def test_import_refuses_names_that_would_lose_their_spaces_and_join_another_history(run, tmp_path):
    source = tmp_path / "history.jsonl"
    source.write_text(
        '{"doc": "a.txt", "text": "mine\\n", "at": "2024-01-01"}\n'
        '{"doc": "a.txt ", "text": "another file\\n", "at": "2024-01-02"}\n'
        '{"doc": "b.txt", "renamed_from": " a.txt", "at": "2024-01-03"}\n'
    )
    db = tmp_path / "t.db"
    result = run("import", source, db=db)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "line 2: \"doc\" 'a.txt ' has leading or trailing whitespace, which names do not keep"
        " (it would be stored as 'a.txt')",
        "line 3: \"renamed_from\" ' a.txt' has leading or trailing whitespace, which names do"
        " not keep (it would be stored as 'a.txt')",
        f"Error: {source}: 2 malformed records, nothing imported",
    ]
    with Tracker(db) as tracker:
        assert tracker.documents() == []


def test_an_ignore_pattern_broken_by_hand_is_a_one_line_error_naming_it(run, folder, db):
    (folder / "a.txt").write_text("first\n")
    assert run("snapshot", folder, db=db).exit_code == 0
    with sqlite3.connect(db) as conn:  # "run reclassify after editing the table by hand"
        conn.execute(
            "insert into ignore_patterns (pattern, created_at) values ('id=[0-9', '2024-01-01')"
        )
    conn.close()
    (folder / "a.txt").write_text("second\n")
    for args in (["reclassify"], ["snapshot", folder], ["diff", "a.txt"]):
        result = run(*args, db=db)
        assert (result.exit_code, result.stderr) == (
            1,
            "Error: stored ignore pattern 1: bad ignore pattern 'id=[0-9': unterminated"
            " character set at position 3 (`tracker ignore remove 1` removes it)\n",
        ), args
    assert run("ignore", "remove", "1", db=db).exit_code == 0
    assert run("snapshot", folder, db=db).stdout == "a.txt  v2  +1 -1 ~0\n"


def test_a_snapshot_after_an_import_changed_a_document_reads_its_file_again(
    run, folder, db, tmp_path
):
    (folder / "a.txt").write_text("the text on disk\n")
    os.utime(folder / "a.txt", (1_600_000_000, 1_600_000_000))  # well outside the racy window
    assert run("snapshot", folder, db=db).exit_code == 0
    source = tmp_path / "history.jsonl"
    source.write_text('{"doc": "a.txt", "text": "imported text\\n"}\n')
    assert run("import", source, db=db).exit_code == 0
    again = run("snapshot", folder, db=db)  # the file did not change, the latest version did
    assert again.stdout == "a.txt  v3  +1 -1 ~0\n"
    with Tracker(db) as tracker:
        assert tracker.text("a.txt") == "the text on disk\n"
    assert run("snapshot", folder, db=db).stdout == ""  # and then it is trusted again


def test_import_names_what_a_record_is_in_json_words(run, tmp_path):
    source = tmp_path / "history.jsonl"
    source.write_text('null\n5\n2.5\n"text"\n[]\nfalse\n')
    result = run("import", source, db=tmp_path / "t.db")
    assert result.exit_code == 1
    assert [line.split(": ", 1)[1] for line in result.stderr.splitlines()[:-1]] == [
        f"expected a JSON object, got {kind}"
        for kind in ("null", "a number", "a number", "a string", "an array", "false")
    ]


def test_counts_of_a_second_run_are_written_as_the_first_ones(run, tmp_path):
    source = tmp_path / "history.jsonl"
    source.write_text("".join(f'{{"doc": "d{n}.txt", "text": "{n}\\n"}}\n' for n in range(1001)))
    db = tmp_path / "t.db"
    assert run("import", source, db=db).stdout == "1,001 new versions, 0 unchanged\n"
    assert run("import", source, db=db).stdout == "0 new versions, 1,001 unchanged\n"


def test_fsck_finds_a_lost_version_and_damaged_lineages(run, tmp_path):
    db = tmp_path / "t.db"
    with Tracker(db) as tracker:
        for number, text in enumerate(["A\n\nB\n", "A\n\nB2\n", "A\n\nB3\n", "A\n\nB4\n"], 1):
            tracker.record("a.txt", text, at=f"2024-01-0{number}T00:00:00Z")
            tracker.record("b.txt", text + "\nC\n", at=f"2024-01-0{number}T00:00:00Z")
    assert run("fsck", db=db).exit_code == 0
    with sqlite3.connect(db) as conn:  # damage by hand, as a stray UPDATE or DELETE would
        conn.execute(
            "delete from versions where version = 2"
            " and document_id = (select id from documents where name = 'a.txt')"
        )
        conn.execute("update versions set lineages = '[[1, 2' where version = 3")
        conn.execute("update versions set lineages = '[[1, 5]]' where version = 4")
        conn.execute(  # not even UTF-8: read as bytes, never a failed read
            "update versions set lineages = cast(x'5bff5d' as text) where version = 1"
            " and document_id = (select id from documents where name = 'b.txt')"
        )
    conn.close()
    result = run("fsck", db=db)
    assert result.exit_code == 1
    problems = result.stdout.splitlines()[1:]
    assert problems == [  # what is wrong with the history as a whole, then version by version
        "a.txt: v2 missing from its history",
        "paragraph_changes: 2 rows belonging to versions that are gone",
        "a.txt v3: its lineage list is not readable",
        "a.txt v4: 5 lineages for 2 paragraphs",
        "b.txt v1: its lineage list is not readable",
        "b.txt v3: its lineage list is not readable",
        "b.txt v4: 5 lineages for 3 paragraphs",
    ]
    traced = run("trace", "a.txt", "2", "--at", "v3", db=db)
    assert (traced.exit_code, traced.stderr) == (
        1,
        "Error: damaged database: a lineage list is not readable; run `tracker fsck`\n",
    )


def test_a_folder_given_inside_another_is_not_a_second_set_of_documents(run, folder, db):
    (folder / "sub").mkdir()
    (folder / "sub" / "b.md").write_text("b\n")
    (folder / "a.txt").write_text("a\n")
    result = run("snapshot", folder, folder / "sub", folder / "sub" / "b.md", folder, db=db)
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"warning: {folder / sub}: inside {folder}, also given: recorded from there only"
        " (documents are named relative to the folder given)"
        for sub in ("sub", "sub/b.md")
    ] + ["2 new versions, 0 unchanged, 0 skipped"]
    with Tracker(db) as tracker:
        assert [d.name for d in tracker.documents()] == ["a.txt", "sub/b.md"]


def test_a_tracked_file_given_by_path_and_gone_is_recorded_as_deleted(run, folder, db):
    (folder / "notes.txt").write_text("notes\n")
    assert run("snapshot", folder / "notes.txt", db=db).exit_code == 0
    (folder / "notes.txt").unlink()
    gone = run("snapshot", folder / "notes.txt", db=db)
    assert (gone.exit_code, gone.stdout) == (0, "notes.txt  v2  deleted\n")
    again = run("snapshot", folder / "notes.txt", db=db)
    assert (again.exit_code, again.stdout) == (0, "")
    never = run("snapshot", folder / "other.txt", db=db)  # never tracked: a typo
    assert (never.exit_code, never.stderr) == (
        1,
        f"Error: {folder / 'other.txt'}: no such file or folder\n",
    )


def _files(folder: Path) -> dict[str, bytes | None]:
    """Everything under ``folder``: each file's bytes, each folder as None."""
    return {
        str(path.relative_to(folder)): None if path.is_dir() else path.read_bytes()
        for path in sorted(folder.rglob("*"))
    }


def test_a_refused_import_into_a_new_database_leaves_nothing_behind(run, tmp_path, monkeypatch):
    """No empty database, no -wal or -shm, no new snapshots/ folder: running it again once the
    file is fixed is a first import, as if the refused one had never run."""
    source = tmp_path / "history.jsonl"
    source.write_text('{"doc": "a.txt", "text": "a\\n"}\nnot json\n')
    repo = Repo(tmp_path / "repo")
    repo.write("a.md", "a\n")
    repo.commit("Add a")
    monkeypatch.chdir(tmp_path)
    before = _files(tmp_path)
    for args in (
        ["import", source],  # the default database, in a snapshots/ folder it makes
        ["import", source, "--db", "new.db"],
        ["import-git", repo.path, "--branch", "nope"],
        ["import-git", repo.path, "--branch", "nope", "--db", "new.db"],
        ["import-git", repo.path, "--path", "*.txt", "--db", "new.db"],  # matches nothing
    ):
        result = run(*args)
        assert result.exit_code == 1, args
        assert _files(tmp_path) == before, args


def test_a_new_database_another_process_recorded_into_is_not_removed(tmp_path):
    """The database did not exist when the import began, but something else (a watcher started
    meanwhile) recorded a document into it before the import failed: it is not the import's to
    remove. One that only got the tables is."""
    from tracker.cli.common import removed_if_refused

    kept, removed = tmp_path / "kept.db", tmp_path / "removed.db"
    with pytest.raises(TrackerError), removed_if_refused(str(kept)):
        with Tracker(kept) as other:  # what the other process records, committed
            other.record("notes.txt", "kept\n")
        raise TrackerError("line 2: not JSON")
    with Tracker(kept) as tracker:
        assert [d.name for d in tracker.documents()] == ["notes.txt"]
    with pytest.raises(TrackerError), removed_if_refused(str(removed)):
        Tracker(removed).close()  # the tables, and nothing in them
        raise TrackerError("line 2: not JSON")
    assert sorted(os.listdir(tmp_path)) == ["kept.db"]


def test_a_refused_import_leaves_an_existing_database_as_it_was(run, tmp_path):
    db = _db_with(tmp_path / "t.db", "a.txt")
    source = tmp_path / "history.jsonl"
    source.write_text('{"doc": "b.txt", "text": "b\\n"}\nnot json\n')
    repo = Repo(tmp_path / "repo")
    repo.write("a.md", "a\n")
    repo.commit("Add a")
    before = _files(tmp_path)
    for args in (
        ["import", source],
        ["import-git", repo.path, "--branch", "nope"],
        ["import-git", repo.path, "--path", "*.txt"],
    ):
        assert run(*args, db=db).exit_code == 1, args
        assert _files(tmp_path) == before, args
    _intact(db, 1)
