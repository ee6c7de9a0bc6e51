"""Importing history from git and JSONL, re-import idempotence, and export -> import round trips."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import Repo, eventful_history, write_history

from tracker import Tracker


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """docs/a.md and notes.txt; a.md edited, renamed to b.md and edited, notes.txt deleted."""
    repo = Repo(tmp_path / "repo")
    repo.write("docs/a.md", "# A\n\nfirst paragraph\n\nsecond paragraph\n")
    repo.write("notes.txt", "some notes\r\nwith CRLF\r\n")
    repo.write("image.md", b"\x89PNG\x00\x00binary")
    repo.commit("Add a and notes")
    repo.write("docs/a.md", "# A\n\nfirst paragraph, edited\n\nsecond paragraph\n")
    repo.commit("Edit a")
    repo.git("mv", "docs/a.md", "docs/b.md")
    repo.commit("Rename a to b")
    repo.write("docs/b.md", "# A\n\nfirst paragraph, edited\n\nsecond paragraph\n\nthird")
    repo.commit("Extend b")
    (repo.path / "notes.txt").unlink()
    repo.commit("Drop notes")
    return repo


def versions(db: Path, doc: str) -> list:
    with Tracker(db, create=False) as tracker:
        return tracker.versions(doc)


def test_import_git_records_commits_renames_and_deletions(run, repo: Repo, tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    result = run("import-git", repo.path, "--db", db)
    assert result.exit_code == 0, result.output
    assert result.stdout == "5 commits, 5 new versions, 0 unchanged, 1 renamed, 1 skipped\n"
    assert "warning: image.md at " in result.stderr and "binary file" in result.stderr
    history = versions(db, "docs/b.md")
    assert [v.version for v in history] == [1, 2, 3]
    assert [v.captured_at for v in history] == [
        "2024-03-01T10:00:00.000Z",
        "2024-03-02T10:00:00.000Z",
        "2024-03-04T10:00:00.000Z",
    ]
    assert history[0].note.endswith(" Add a and notes")
    assert history[0].note.split()[0] == repo.git("rev-list", "--max-parents=0", "HEAD")
    with Tracker(db, create=False) as tracker:
        assert tracker.text("docs/b.md", "v1").startswith("# A\n\nfirst paragraph\n")
        assert tracker.text("docs/b.md") == (repo.path / "docs/b.md").read_text()
        assert tracker.renames("docs/b.md") == [
            {
                "version": 2,
                "from": "docs/a.md",
                "to": "docs/b.md",
                "renamed_at": "2024-03-03T10:00:00.000Z",
            }
        ]
        notes = tracker.versions("notes.txt")
        assert tracker.text("notes.txt", "v1") == "some notes\r\nwith CRLF\r\n"
    assert [(v.version, v.deleted) for v in notes] == [(1, False), (2, True)]
    assert notes[1].note.endswith(" Drop notes")


def test_import_git_is_incremental_and_idempotent(run, repo: Repo, tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    assert run("import-git", repo.path, "--db", db).exit_code == 0
    again = run("import-git", repo.path, "--db", db)
    assert again.stdout == "0 commits, 0 new versions, 0 unchanged\n"
    repo.write("docs/b.md", "# B\n")
    repo.commit("Retitle")
    more = run("import-git", repo.path, "--db", db, "--json")
    assert json.loads(more.stdout) == {
        "recorded": 1,
        "unchanged": 0,
        "renamed": [],
        "skipped": [],
        "commits": 1,
    }
    assert [v.version for v in versions(db, "docs/b.md")] == [1, 2, 3, 4]


def test_import_git_path_globs(run, repo: Repo, tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    result = run("import-git", repo.path, "--path", "docs/*", "--db", db, "--json")
    assert json.loads(result.stdout)["recorded"] == 3
    with Tracker(db, create=False) as tracker:
        assert [d.name for d in tracker.documents()] == ["docs/b.md"]


def test_import_git_follows_first_parent_only(run, tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("a.txt", "one\n")
    repo.commit("one")
    repo.git("checkout", "-q", "-b", "side")
    repo.write("a.txt", "two\n")
    repo.commit("side two")
    repo.write("a.txt", "three\n")
    repo.commit("side three")
    repo.git("checkout", "-q", "main")
    repo.write("other.txt", "x\n")
    repo.commit("main work")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge side", "side")
    db = tmp_path / "t.db"
    assert run("import-git", repo.path, "--db", db).exit_code == 0
    history = versions(db, "a.txt")
    assert [v.note.split(" ", 1)[1] for v in history] == ["one", "Merge side"]


def test_import_git_errors(run, repo: Repo, tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    result = run("import-git", repo.path, "--branch", "nope", "--db", db)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {repo.path}: no branch 'nope' (its branches: main; pass --branch)\n"
    )
    missing = run("import-git", tmp_path / "absent", "--db", db)
    assert missing.exit_code == 1
    assert missing.stderr == f"Error: {tmp_path / 'absent'}: no such folder\n"


def test_import_git_refuses_rewritten_history(run, repo: Repo, tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    run("import-git", repo.path, "--db", db)
    last = repo.git("rev-parse", "HEAD")
    repo.git("reset", "-q", "--hard", "HEAD~1")
    repo.write("x.txt", "x\n")
    repo.commit("diverge")
    result = run("import-git", repo.path, "--db", db)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {repo.path}: the last commit imported from main ({last[:10]}) is no longer"
        " on its first-parent line (history rewritten, or moved to a merge of it); import it"
        " into a new database\n"
    )


# -- JSONL ---------------------------------------------------------------------------------------


def write_jsonl(path: Path, records: list, *, compress: bool = False) -> Path:
    lines = "".join(
        (item if isinstance(item, str) else json.dumps(item)) + "\n" for item in records
    )
    data = lines.encode("utf-8")
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


RECORDS = [
    {"doc": "a.txt", "text": "alpha\n\nbeta\n", "at": "2023-01-01T00:00:00Z", "note": "start"},
    {"doc": "b.txt", "text": "only b", "at": "2023-01-02T00:00:00+01:00"},
    {"doc": "a.txt", "text": "alpha\n\nbeta, changed\n", "at": "2023-01-03"},
    {"doc": "b.txt", "text": None, "deleted": True, "at": "2023-01-04T00:00:00Z"},
    {"doc": "a.txt", "text": "alpha\n\nbeta\n", "at": "2023-01-05T00:00:00Z"},
]


def test_import_jsonl_keeps_times_and_is_idempotent(run, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "h.jsonl", RECORDS)
    db = tmp_path / "t.db"
    first = run("import", source, "--db", db)
    assert first.exit_code == 0, first.output
    assert first.stdout == "5 new versions, 0 unchanged\n"
    again = run("import", source, "--db", db)
    assert again.stdout == "0 new versions, 5 unchanged\n"
    history = versions(db, "a.txt")
    assert [v.captured_at for v in history] == [
        "2023-01-01T00:00:00.000Z",
        "2023-01-03T00:00:00.000Z",
        "2023-01-05T00:00:00.000Z",
    ]
    assert history[0].note == "start"
    b = versions(db, "b.txt")
    assert b[0].captured_at == "2023-01-01T23:00:00.000Z"
    assert [v.deleted for v in b] == [False, True]


def test_import_jsonl_appended_records_only(run, tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    run("import", write_jsonl(tmp_path / "h.jsonl", RECORDS[:3]), "--db", db)
    result = run("import", write_jsonl(tmp_path / "h.jsonl", RECORDS), "--db", db)
    assert result.stdout == "2 new versions, 3 unchanged\n"


def test_a_version_repeated_later_in_the_same_file_adds_nothing(run, tmp_path: Path) -> None:
    # a.txt at t1, then at t2, then t1's record again: its text is not the latest, so only the
    # import's memory of what it recorded keeps it from becoming a third version
    records = [
        {"doc": "a.txt", "text": "One.\n", "at": "2023-01-01T00:00:00Z"},
        {"doc": "a.txt", "text": "Two.\n", "at": "2023-01-02T00:00:00Z"},
        {"doc": "a.txt", "text": "One.\n", "at": "2023-01-01T00:00:00Z"},
        {"doc": "a.txt", "text": "Three.\n", "at": "2023-01-01T00:00:00Z"},
    ]
    db = tmp_path / "t.db"
    result = run("import", write_jsonl(tmp_path / "h.jsonl", records), "--db", db)
    assert result.stdout == "3 new versions, 1 unchanged\n"
    assert [v.version for v in versions(db, "a.txt")] == [1, 2, 3]


def test_reimport_adds_nothing_for_records_that_changed_nothing_the_first_time(
    run, tmp_path: Path
) -> None:
    """A record whose text was already the latest adds no version; imported again, after later
    versions, it still adds none (its text is what the database held at that time), also under
    a name that a rename freed and a new document took since."""
    records = [
        {"doc": "a.txt", "text": "One.\n", "at": "2024-01-01T00:00:00Z"},
        {"doc": "a.txt", "text": "One.\n", "at": "2024-01-02T00:00:00Z"},  # unchanged
        {"doc": "b.txt", "text": "Bee.\n", "at": "2024-01-02T12:00:00Z"},
        {"doc": "b.txt", "text": "Bee.\n", "at": "2024-01-03T00:00:00Z"},  # unchanged
        {"doc": "c.txt", "renamed_from": "b.txt", "at": "2024-01-04T00:00:00Z"},
        {"doc": "b.txt", "text": "A new bee.\n", "at": "2024-01-05T00:00:00Z"},
        {"doc": "a.txt", "text": "Two.\n", "at": "2024-01-06T00:00:00Z"},
        {"doc": "a.txt", "text": None, "at": "2024-01-07T00:00:00Z"},
        {"doc": "a.txt", "text": None, "at": "2024-01-08T00:00:00Z"},  # deleted already
    ]
    db = tmp_path / "t.db"
    source = write_jsonl(tmp_path / "h.jsonl", records)
    first = run("import", source, "--db", db)
    assert first.stdout == "5 new versions, 3 unchanged, 1 renamed\n"
    again = run("import", source, "--db", db)
    assert again.stdout == "0 new versions, 8 unchanged\n", again.stderr  # and the rename
    assert [v.version for v in versions(db, "a.txt")] == [1, 2, 3]
    assert [v.version for v in versions(db, "b.txt")] == [1]


def test_a_past_record_with_a_text_not_held_then_is_still_recorded(run, tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    run(
        "import",
        write_jsonl(
            tmp_path / "h.jsonl",
            [
                {"doc": "a.txt", "text": "One.\n", "at": "2024-01-01T00:00:00Z"},
                {"doc": "a.txt", "text": "Three.\n", "at": "2024-01-03T00:00:00Z"},
            ],
        ),
        "--db",
        db,
    )
    late = [
        {"doc": "a.txt", "text": "One.\n", "at": "2024-01-02T00:00:00Z"},  # held then: nothing
        {"doc": "a.txt", "text": "Two.\n", "at": "2024-01-02T00:00:00Z"},  # not held: a version
    ]
    result = run("import", write_jsonl(tmp_path / "late.jsonl", late), "--db", db)
    assert result.stdout == "1 new version, 1 unchanged\n"
    assert [v.captured_at[:10] for v in versions(db, "a.txt")] == [
        "2024-01-01",
        "2024-01-03",
        "2024-01-02",
    ]
    # the versions are no longer in time order: "Two." is the text in effect on the 2nd
    later = [{"doc": "a.txt", "text": "Two.\n", "at": "2024-01-02T12:00:00Z"}]
    result = run("import", write_jsonl(tmp_path / "later.jsonl", later), "--db", db)
    assert result.stdout == "0 new versions, 1 unchanged\n"


def test_seen_tells_the_version_in_effect_at_a_time() -> None:
    from tracker.corpus.seen import Seen

    seen = Seen()
    for at, sha in [("2024-01-03", "c"), ("2024-01-01", "a"), ("2024-01-02", "b")]:
        seen.add_stored("x.txt", f"{at}T00:00:00.000Z", sha)
    seen.add_stored("x.txt", "2024-01-02T00:00:00.000Z", "b2")  # same time: the later one
    seen.add_stored("gone.txt", "2024-01-05T00:00:00.000Z", None)
    seen.ready()
    assert not seen.stored_then("x.txt", "2023-12-31T00:00:00.000Z", "a")  # before the first
    assert seen.stored_then("x.txt", "2024-01-01T12:00:00.000Z", "a")
    assert seen.stored_then("x.txt", "2024-01-02T00:00:00+01:00", "a")  # 23:00 on the 1st
    assert seen.stored_then("x.txt", "2024-01-02T00:00:00.000Z", "b2")
    assert not seen.stored_then("x.txt", "2024-01-02T06:00:00.000Z", "b")
    assert seen.stored_then("x.txt", "2030-01-01T00:00:00.000Z", "c")
    assert seen.stored_then("gone.txt", "2024-01-06T00:00:00.000Z", None)
    assert not seen.stored_then("gone.txt", "2024-01-06T00:00:00.000Z", "c")
    assert not seen.stored_then("other.txt", "2030-01-01T00:00:00.000Z", "c")


def test_seen_knows_each_version_by_its_place() -> None:
    from tracker.corpus.seen import Seen

    def at(day: int) -> str:
        return f"2024-01-0{day}T00:00:00.000Z"

    stored = [(1, "a"), (1, "b"), (1, "a"), (2, None), (3, "c")]  # a revert, then a deletion
    seen = Seen()
    for day, sha in stored:
        seen.add_stored("x.txt", at(day), sha)
    seen.ready()
    # the same records again: each is the version stored at its place, the revert included
    assert [seen.already("x.txt", at(day), sha) for day, sha in stored] == [True] * 5
    # a fourth version at day 1 is new, as is another text at a stored place
    fresh = Seen()
    fresh.add_stored("x.txt", at(1), "a")
    fresh.ready()
    assert fresh.already("x.txt", at(1), "a")
    assert not fresh.already("x.txt", at(1), "b")  # the 2nd version at day 1: none stored
    # without times, records are matched with the stored versions in order
    untimed = Seen()
    for day, sha in stored:
        untimed.add_stored("x.txt", at(day), sha)
    untimed.ready()
    now = "2030-01-01T00:00:00.000Z"
    assert untimed.already("x.txt", now, "a", timed=False)
    assert untimed.already("x.txt", now, "b", timed=False)
    assert not untimed.already("x.txt", now, "z", timed=False)


def test_seen_skips_a_repeated_line_but_not_a_revert() -> None:
    from tracker.corpus.seen import Seen

    seen = Seen().ready()
    one, two = "2024-01-01T00:00:00.000Z", "2024-01-02T00:00:00.000Z"
    assert not seen.already("x.txt", one, "a")
    seen.add("x.txt", one, "a")
    assert not seen.already("x.txt", one, "b")
    seen.add("x.txt", one, "b")
    assert not seen.already("x.txt", one, "a")  # back to "a" at the same time: a revert
    seen.add("x.txt", one, "a")
    assert not seen.already("x.txt", two, "c")
    seen.add("x.txt", two, "c")
    assert seen.already("x.txt", one, "b")  # a line repeated, further back in time
    assert not seen.already("x.txt", one, "z") and not seen.already("y.txt", one, "a")


def test_import_corpus_records_gzipped(run, tmp_path: Path) -> None:
    corpus_records = [
        {
            "doc": "peps/pep-0001.rst",
            "version": 1,
            "committed_at": "2000-07-13T06:33:08+00:00",
            "commit": "41021a4bf9c3d410c7082cb514d8805e1eea2c8d",
            "path": "pep-0001.txt",
            "text": "PEP: 1\n\nTitle: Purpose\n",
        },
        {
            "doc": "peps/pep-0001.rst",
            "version": 2,
            "committed_at": "2001-01-01T10:00:00+02:00",
            "commit": "be3c33389e2cc8e83b76676eb06d8a403493c169",
            "path": "peps/pep-0001.rst",
            "renamed_from": "pep-0001.txt",
            "source_encoding": "cp1252",
            "text": "PEP: 1\n\nTitle: Purpose and Guidelines\n",
        },
        {
            "doc": "peps/pep-0001.rst",
            "version": 3,
            "committed_at": "2002-01-01T00:00:00+00:00",
            "commit": "f25a70097b89ac460d4c9b6bf75e585768b608b2",
            "path": "peps/pep-0001.rst",
            "deleted": True,
            "text": None,
        },
    ]
    source = write_jsonl(tmp_path / "history.jsonl.gz", corpus_records, compress=True)
    db = tmp_path / "t.db"
    assert run("import", source, "--db", db).stdout == "3 new versions, 0 unchanged\n"
    history = versions(db, "peps/pep-0001.rst")
    assert [v.note for v in history] == [
        "41021a4bf9 pep-0001.txt",
        "be3c33389e peps/pep-0001.rst (renamed from pep-0001.txt)",
        "f25a70097b peps/pep-0001.rst",
    ]
    assert [v.captured_at for v in history] == [
        "2000-07-13T06:33:08.000Z",
        "2001-01-01T08:00:00.000Z",
        "2002-01-01T00:00:00.000Z",
    ]
    assert history[-1].deleted


def test_import_jsonl_reports_every_malformed_line_and_imports_nothing(run, tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "bad.jsonl",
        [
            RECORDS[0],
            "{not json",
            "",
            ["a", "list"],
            {"text": "no doc"},
            {"doc": "x", "text": 3},
            {"doc": "x", "text": "t", "at": "yesterday"},
            {"doc": "x", "text": "t", "deleted": True},
            {"doc": "x"},
            {"doc": "x", "text": "fine", "note": 5},
            RECORDS[1],
        ],
    )
    db = tmp_path / "t.db"
    result = run("import", source, "--db", db)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "line 2: not valid JSON (Expecting property name enclosed in double quotes, column 2)",
        "line 4: expected a JSON object, got an array",
        'line 5: "doc" must be a non-empty string',
        'line 6: "text" must be a string or null',
        "line 7: \"at\" is not an ISO 8601 time: 'yesterday'",
        'line 8: "deleted" is true but "text" is not null',
        'line 9: missing "text" (a string, or null for a deletion)',
        'line 10: "note" must be a string',
        f"Error: {source}: 8 malformed records, nothing imported",
    ]
    with Tracker(db) as tracker:
        assert tracker.documents() == []


def test_import_missing_file(run, tmp_path: Path) -> None:
    result = run("import", tmp_path / "nope.jsonl", "--db", tmp_path / "t.db")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {tmp_path / 'nope.jsonl'}: no such file\n"


# -- export --------------------------------------------------------------------------------------


def all_versions(db: Path) -> list[tuple]:
    with Tracker(db, create=False) as tracker:
        return [
            (v.doc, v.version, v.captured_at, v.deleted, v.note, v.sha256)
            + (None if v.deleted else tracker.rebuild(v),)
            for document in tracker.documents()
            for v in tracker.versions(document.name)
        ]


@pytest.mark.parametrize("fmt, name", [("jsonl", "out.jsonl"), ("json", "out.json.gz")])
def test_export_import_round_trip(run, repo: Repo, tmp_path: Path, fmt: str, name: str) -> None:
    db = tmp_path / "t.db"
    run("import-git", repo.path, "--db", db)
    run("import", write_jsonl(tmp_path / "h.jsonl", RECORDS), "--db", db)
    exported = tmp_path / name
    result = run("export", "--format", fmt, "-o", exported, "--db", db)
    assert result.exit_code == 0, result.output
    assert result.stderr == f"10 versions and 1 rename written to {exported}\n"
    copy = tmp_path / "copy.db"
    imported = run("import", exported, "--db", copy)
    assert imported.exit_code == 0, imported.output
    assert all_versions(copy) == all_versions(db)
    assert run("import", exported, "--db", copy).stdout == "0 new versions, 10 unchanged\n"


@pytest.mark.parametrize("per_read", [1, 3])
def test_export_reads_versions_a_few_at_a_time_and_writes_the_same(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, per_read: int
) -> None:
    """Each document's versions are read in small batches and merged by time: whatever the
    batch, the records (renames between versions included) and their order are the same."""
    from tracker.corpus import export

    db = tmp_path / "t.db"
    run("import", write_history(tmp_path / "h.jsonl", eventful_history()), "--db", db)
    whole = run("export", "--db", db).stdout
    monkeypatch.setattr(export, "VERSIONS_PER_READ", per_read)
    assert run("export", "--db", db).stdout == whole
    records = [json.loads(line) for line in whole.splitlines()]
    # 127 records: the revert at one time in eventful_history is a version too
    assert sum("renamed_from" in r for r in records) == 2 and len(records) == 127


def test_export_to_stdout_in_time_order(run, tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    run("import", write_jsonl(tmp_path / "h.jsonl", RECORDS), "--db", db)
    result = run("export", "--db", db)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["doc"], r["at"]) for r in lines] == [
        ("a.txt", "2023-01-01T00:00:00.000Z"),
        ("b.txt", "2023-01-01T23:00:00.000Z"),
        ("a.txt", "2023-01-03T00:00:00.000Z"),
        ("b.txt", "2023-01-04T00:00:00.000Z"),
        ("a.txt", "2023-01-05T00:00:00.000Z"),
    ]
    assert lines[0] == {
        "doc": "a.txt",
        "text": "alpha\n\nbeta\n",
        "at": "2023-01-01T00:00:00.000Z",
        "deleted": False,
        "note": "start",
    }
    assert lines[3]["text"] is None and lines[3]["deleted"] is True


def test_export_keeps_each_documents_order_when_times_go_backwards(run, tmp_path: Path) -> None:
    records = [
        {"doc": "a", "text": "1", "at": "2023-01-05T00:00:00Z"},
        {"doc": "a", "text": "2", "at": "2023-01-01T00:00:00Z"},
        {"doc": "b", "text": "x", "at": "2023-01-03T00:00:00Z"},
    ]
    db = tmp_path / "t.db"
    run("import", write_jsonl(tmp_path / "h.jsonl", records), "--db", db)
    exported = tmp_path / "out.jsonl"
    run("export", "-o", exported, "--db", db)
    copy = tmp_path / "copy.db"
    run("import", exported, "--db", copy)
    assert all_versions(copy) == all_versions(db)


def test_import_json_array_reports_records(run, tmp_path: Path) -> None:
    source = tmp_path / "h.json"
    source.write_text(json.dumps([RECORDS[0], {"doc": ""}]))
    result = run("import", source, "--db", tmp_path / "t.db")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        'record 2: "doc" must be a non-empty string',
        f"Error: {source}: 1 malformed record, nothing imported",
    ]


def test_import_rejects_lone_surrogates(run, tmp_path: Path) -> None:
    source = tmp_path / "h.jsonl"
    source.write_text('{"doc": "x", "text": "bad \\ud800 text"}\n')
    result = run("import", source, "--db", tmp_path / "t.db")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        'line 1: "text" is not valid Unicode (it has a lone surrogate)'
    )


# -- pipes, BOM, renames, unsafe names, unknown deletions (QA fixes) -----------------------------

TRACKER = Path(sys.executable).parent / "tracker"


def shell(command: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run a bash command line with the venv's `tracker` first on PATH."""
    env = {**os.environ, "PATH": f"{TRACKER.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run(
        ["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    "command",
    [
        "tracker export --db h.db | tracker import /dev/stdin --db p.db",
        "tracker export --db h.db | tracker import - --db p.db",
        "tracker import <(tracker export --db h.db) --db p.db",
        "tracker export --db h.db | gzip | tracker import - --db p.db",
    ],
)
@pytest.mark.slow
def test_import_from_a_pipe_reads_it_once(run, tmp_path: Path, command: str) -> None:
    run("import", write_jsonl(tmp_path / "h.jsonl", RECORDS), "--db", tmp_path / "h.db")
    done = shell(command, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "5 new versions, 0 unchanged\n"
    assert all_versions(tmp_path / "p.db") == all_versions(tmp_path / "h.db")


@pytest.mark.slow
def test_import_from_a_pipe_reports_malformed_lines(tmp_path: Path) -> None:
    done = shell(
        'printf \'%s\\n\' \'{"doc": "a", "text": "x"}\' \'{oops\' | tracker import - --db p.db',
        tmp_path,
    )
    assert done.returncode == 1
    assert done.stderr.splitlines()[0].startswith("line 2: not valid JSON")
    with Tracker(tmp_path / "p.db") as tracker:
        assert tracker.documents() == []


@pytest.mark.parametrize("compress", [False, True])
def test_import_accepts_a_utf8_bom(run, tmp_path: Path, compress: bool) -> None:
    data = "\ufeff" + "".join(json.dumps(record) + "\n" for record in RECORDS)
    raw = data.encode("utf-8")
    source = tmp_path / "bom.jsonl"
    source.write_bytes(gzip.compress(raw) if compress else raw)
    result = run("import", source, "--db", tmp_path / "t.db")
    assert result.exit_code == 0, result.output
    assert result.stdout == "5 new versions, 0 unchanged\n"
    array = tmp_path / "bom.json"
    array.write_bytes("\ufeff".encode() + json.dumps(RECORDS).encode())
    again = run("import", array, "--db", tmp_path / "t2.db")
    assert again.exit_code == 0, again.output
    assert again.stdout == "5 new versions, 0 unchanged\n"


def test_import_deletion_of_an_unknown_document_is_skipped(run, tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "h.jsonl",
        [
            RECORDS[0],
            {"doc": "ghost.txt", "text": None, "at": "2023-01-02T00:00:00Z"},
            {"doc": "ghost2.txt", "deleted": True},
        ],
    )
    result = run("import", source, "--db", tmp_path / "t.db")
    assert result.exit_code == 0, result.output
    assert result.stdout == "1 new version, 0 unchanged, 2 skipped\n"
    assert result.stderr.splitlines() == [
        "warning: line 2: deletion of unknown document ghost.txt ignored",
        "warning: line 3: deletion of unknown document ghost2.txt ignored",
    ]
    with Tracker(tmp_path / "t.db") as tracker:
        assert [d.name for d in tracker.documents()] == ["a.txt"]
    as_json = run("import", source, "--db", tmp_path / "t.db", "--json")
    assert json.loads(as_json.stdout)["skipped"] == [
        {"path": "ghost.txt", "reason": "line 2: deletion of unknown document ghost.txt ignored"},
        {"path": "ghost2.txt", "reason": "line 3: deletion of unknown document ghost2.txt ignored"},
    ]


@pytest.mark.parametrize(
    "name",
    [
        "../evil.txt",
        "/etc/x",
        "..",
        ".",
        "trail/",
        "a//b.txt",
        "a/./b",
        "C:/x.txt",
        "nul\u0000.txt",
        "tab\there.txt",
        "new\nline",
        "del\u007f",
        "a/../b",
    ],
)
def test_import_rejects_names_that_cannot_be_written_out(run, tmp_path: Path, name: str) -> None:
    source = write_jsonl(tmp_path / "h.jsonl", [RECORDS[0], {"doc": name, "text": "x"}])
    result = run("import", source, "--db", tmp_path / "t.db")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f'line 2: "doc" {name!r} cannot be written out as a file: ')
    assert lines[-1] == f"Error: {source}: 1 malformed record, nothing imported"
    with Tracker(tmp_path / "t.db") as tracker:
        assert tracker.documents() == []


def test_import_git_skips_paths_that_cannot_be_written_out(run, tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("good.txt", "good\n")
    repo.write("bad\tname.txt", "bad\n")
    repo.commit("Add files")
    db = tmp_path / "t.db"
    result = run("import-git", repo.path, "--db", db)
    assert result.exit_code == 0, result.output
    assert result.stdout == "1 commit, 1 new version, 0 unchanged, 1 skipped\n"
    assert result.stderr.startswith("warning: 'bad\\tname.txt' at ")
    assert "cannot be written out as a file" in result.stderr
    with Tracker(db, create=False) as tracker:
        assert [d.name for d in tracker.documents()] == ["good.txt"]


def test_export_import_round_trip_keeps_renames(run, repo: Repo, tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    run("import-git", repo.path, "--db", db)
    with Tracker(db) as tracker:  # a rename with no version after it, and a name reused
        tracker.rename("docs/b.md", "docs/c.md", at="2024-04-01T00:00:00Z")
        tracker.record("docs/b.md", "a new b\n", at="2024-04-02T00:00:00Z")
    exported = run("export", "--db", db)
    lines = [json.loads(line) for line in exported.stdout.splitlines()]
    renames = [line for line in lines if "text" not in line]
    assert renames == [
        {"doc": "docs/b.md", "renamed_from": "docs/a.md", "at": "2024-03-03T10:00:00.000Z"},
        {"doc": "docs/c.md", "renamed_from": "docs/b.md", "at": "2024-04-01T00:00:00.000Z"},
    ]
    assert [line["doc"] for line in lines if "edited" in (line.get("text") or "")] == [
        "docs/a.md",
        "docs/b.md",
    ]
    (tmp_path / "h.jsonl").write_text(exported.stdout)
    copy = tmp_path / "copy.db"
    imported = run("import", tmp_path / "h.jsonl", "--db", copy)
    assert imported.exit_code == 0, imported.output
    assert imported.stdout == "6 new versions, 0 unchanged, 2 renamed\n"
    assert all_versions(copy) == all_versions(db)
    with Tracker(db, create=False) as old, Tracker(copy, create=False) as new:
        assert new.renames("docs/c.md") == old.renames("docs/c.md")
    log = run("log", "docs/c.md", "--db", copy)
    assert "    2024-03-03 10:00:00  renamed docs/a.md -> docs/b.md\n" in log.stdout
    assert "    2024-04-01 00:00:00  renamed docs/b.md -> docs/c.md\n" in log.stdout
    before = tmp_path / "before"
    assert run("checkout", before, "--at", "2024-03-02", "--db", copy).exit_code == 0
    assert sorted(p.name for p in (before / "docs").iterdir()) == ["a.md"]
    assert (before / "docs" / "a.md").read_text() == (
        "# A\n\nfirst paragraph, edited\n\nsecond paragraph\n"
    )
    between = tmp_path / "between"
    run("checkout", between, "--at", "2024-03-31", "--db", copy)
    assert sorted(p.name for p in (between / "docs").iterdir()) == ["b.md"]
    after = tmp_path / "after"
    run("checkout", after, "--db", copy)
    assert sorted(p.name for p in (after / "docs").iterdir()) == ["b.md", "c.md"]
    assert (after / "docs" / "b.md").read_text() == "a new b\n"
    again = run("import", tmp_path / "h.jsonl", "--db", copy)
    assert again.stdout == "0 new versions, 6 unchanged\n"
    assert all_versions(copy) == all_versions(db)


def test_import_version_record_with_renamed_from_renames_a_tracked_document(
    run,
    tmp_path: Path,
) -> None:
    source = write_jsonl(
        tmp_path / "h.jsonl",
        [
            {"doc": "old.txt", "text": "one\n", "at": "2024-01-01T00:00:00Z"},
            {
                "doc": "new.txt",
                "text": "two\n",
                "at": "2024-02-01T00:00:00Z",
                "renamed_from": "old.txt",
            },
        ],
    )
    db = tmp_path / "t.db"
    result = run("import", source, "--db", db)
    assert result.stdout == "2 new versions, 0 unchanged, 1 renamed\n"
    with Tracker(db, create=False) as tracker:
        assert [d.name for d in tracker.documents()] == ["new.txt"]
        assert [v.version for v in tracker.versions("new.txt")] == [1, 2]
        assert tracker.renames("new.txt") == [
            {
                "version": 1,
                "from": "old.txt",
                "to": "new.txt",
                "renamed_at": "2024-02-01T00:00:00.000Z",
            }
        ]


def test_import_rename_records_that_cannot_apply_are_skipped(run, tmp_path: Path) -> None:
    records = [
        {"doc": "a.txt", "text": "a\n", "at": "2024-01-01T00:00:00Z"},
        {"doc": "b.txt", "text": "b\n", "at": "2024-01-01T00:00:00Z"},
        {"doc": "b.txt", "renamed_from": "a.txt", "at": "2024-01-02T00:00:00Z"},
        {"doc": "z.txt", "renamed_from": "ghost.txt", "at": "2024-01-02T00:00:00Z"},
    ]
    bad = write_jsonl(tmp_path / "bad.jsonl", [*records, {"doc": "s", "renamed_from": "s"}])
    malformed = run("import", bad, "--db", tmp_path / "t.db")
    assert malformed.exit_code == 1
    assert malformed.stderr.splitlines()[0] == 'line 5: "renamed_from" is the same as "doc"'
    result = run("import", write_jsonl(tmp_path / "h.jsonl", records), "--db", tmp_path / "t.db")
    assert result.exit_code == 0, result.output
    assert result.stdout == "2 new versions, 0 unchanged, 2 skipped\n"
    assert result.stderr.splitlines() == [
        "warning: line 3: cannot rename a.txt to b.txt: b.txt is tracked",
        "warning: line 4: rename of unknown document ghost.txt ignored",
    ]


def test_a_small_file_is_checked_and_kept_a_large_one_is_read_again(tmp_path: Path) -> None:
    """The check keeps the records of a file whose texts fit in ``keep`` bytes, in file order;
    past that it keeps none (the import reads the file again); a malformed file keeps none."""
    from tracker.corpus.records import Checked, check_file, handed_over, read_records

    source = write_history(tmp_path / "h.jsonl", eventful_history(rounds=6))
    streamed = list(read_records(source))
    checked = check_file(source, keep=10**9)
    assert checked.count == len(streamed) and checked.records == streamed
    assert list(handed_over(checked.records)) == streamed and checked.records == []
    assert check_file(source, keep=2_000) == Checked(len(streamed), None)  # over 2,000 bytes
    assert check_file(source) == Checked(len(streamed), None)  # keep nothing: the default


@pytest.mark.parametrize("keep", [0, 10**9])
def test_an_import_read_once_or_twice_makes_the_same_database(tmp_path: Path, keep: int) -> None:
    import sqlite3

    from tracker.corpus.jsonl import import_jsonl

    def stored(db: Path) -> list[tuple]:
        conn = sqlite3.connect(db)
        rows = conn.execute(
            "select d.name, v.version, v.captured_at, v.sha256, v.deleted from versions v"
            " join documents d on d.id = v.document_id order by v.id"
        ).fetchall()
        conn.close()
        return rows

    source = write_history(tmp_path / "h.jsonl", eventful_history())
    with Tracker(tmp_path / "streamed.db") as tracker:
        streamed = import_jsonl(tracker, source, keep=0)
    with Tracker(tmp_path / "t.db") as tracker:
        result = import_jsonl(tracker, source, keep=keep)
    assert result == streamed and result.recorded > 50 and result.skipped
    assert stored(tmp_path / "t.db") == stored(tmp_path / "streamed.db")


def test_a_revert_at_the_same_time_is_imported_and_survives_a_round_trip(
    run, tmp_path: Path
) -> None:
    # two commits in one second, the second a revert: three versions, the last one "A" again
    records = [{"doc": "s.txt", "text": text, "at": "2024-01-01"} for text in ("A\n", "B\n", "A\n")]
    source = write_history(tmp_path / "h.jsonl", records)
    db, copy = tmp_path / "t.db", tmp_path / "copy.db"
    assert run("import", source, "--db", db).stdout == "3 new versions, 0 unchanged\n"
    assert run("show", "s.txt", "--db", db).stdout == "A\n"
    assert run("import", source, "--db", db).stdout == "0 new versions, 3 unchanged\n"
    exported = tmp_path / "e.jsonl"
    exported.write_text(run("export", "--db", db).stdout)
    run("import", exported, "--db", copy)
    assert run("export", "--db", copy).stdout == exported.read_text()
    assert run("show", "s.txt", "--db", copy).stdout == "A\n"


def test_reimporting_records_without_times_adds_nothing(run, tmp_path: Path) -> None:
    records = [{"doc": "n.txt", "text": "one\n"}, {"doc": "n.txt", "text": "two\n"}]
    source = write_history(tmp_path / "h.jsonl", records)
    db = tmp_path / "t.db"
    assert run("import", source, "--db", db).stdout == "2 new versions, 0 unchanged\n"
    for _ in range(2):
        assert run("import", source, "--db", db).stdout == "0 new versions, 2 unchanged\n"
    assert run("show", "n.txt", "--db", db).stdout == "two\n"


def test_export_writes_through_a_symlink_and_into_a_pipe_without_replacing_them(
    run, tmp_path: Path
) -> None:
    import threading

    db = tmp_path / "t.db"
    run("import", write_history(tmp_path / "h.jsonl", eventful_history(rounds=3)), "--db", db)
    expected = run("export", "--db", db).stdout.encode()
    real, link = tmp_path / "real.jsonl", tmp_path / "link.jsonl"
    real.write_text("old\n")
    link.symlink_to(real.name)
    assert run("export", "-o", link, "--db", db).exit_code == 0
    assert link.is_symlink() and real.read_bytes() == expected
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = run("export", "-o", fifo, "--db", db)
    reader.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert got == [expected] and fifo.is_fifo()  # streamed, and still a pipe
    assert not list(tmp_path.glob("*.partial"))
