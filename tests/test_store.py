import hashlib
import json
import os
import sqlite3
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker import Tracker
from tracker.errors import NoDatabase, NotADatabase, TrackerError, UnknownVersion
from tracker.store.codec import decode_layout, encode_layout


@pytest.fixture
def tracker(tmp_path):
    with Tracker(tmp_path / "t.db") as t:
        yield t


def test_record_and_rebuild(tracker):
    v1 = tracker.record("a.txt", "one\n\ntwo\n")
    assert v1.version == 1 and v1.paragraphs == 2 and v1.bytes == 9
    assert v1.sha256 == hashlib.sha256(b"one\n\ntwo\n").hexdigest()
    assert tracker.record("a.txt", "one\n\ntwo\n") is None  # unchanged: no version
    v2 = tracker.record("a.txt", "one\n\ntwo\n\nthree")
    assert v2.version == 2
    assert tracker.text("a.txt", "v1") == "one\n\ntwo\n"
    assert tracker.text("a", "latest") == "one\n\ntwo\n\nthree"
    assert [v.version for v in tracker.versions("a")] == [1, 2]


def test_paragraphs_are_stored_once(tracker):
    tracker.record("a.txt", "shared paragraph\n\nonly in a\n")
    tracker.record("b.txt", "shared paragraph\n\nonly in b\n")
    tracker.record("a.txt", "shared paragraph\n\nonly in a, edited\n")
    texts = [row[0] for row in tracker.store.conn.execute("select text from paragraphs")]
    assert sorted(texts) == sorted(
        ["shared paragraph", "only in a", "only in b", "only in a, edited"]
    )
    # one row per version, not per paragraph occurrence
    assert tracker.store.conn.execute("select count(*) from versions").fetchone()[0] == 3


def test_schema_is_readable(tracker):
    tracker.record("a.txt", "x\n\ny\n", at="2026-01-02T03:04:05+01:00")
    db = tracker.store.db
    assert {"documents", "versions", "paragraphs", "renames"} <= set(db.table_names())
    row = next(db["versions"].rows)
    assert row["captured_at"] == "2026-01-02T02:04:05.000Z"
    assert json.loads(row["paragraph_ids"]) and row["deleted"] == 0
    assert db.journal_mode == "wal"


def test_deletion_and_return_continue_history(tracker):
    tracker.record("a.txt", "first\n")
    deleted = tracker.delete("a.txt")
    assert deleted.deleted and deleted.version == 2 and deleted.removed == 1
    assert tracker.documents()[0].deleted
    assert tracker.delete("a.txt") is None  # already deleted
    back = tracker.record("a.txt", "first\n")  # same text as before the deletion
    assert back.version == 3 and not back.deleted
    assert back.added == 0 and back.removed == 0  # compared with the text before deletion
    with pytest.raises(UnknownVersion, match="records its deletion"):
        tracker.text("a.txt", "v2")


def test_rename_keeps_history(tracker):
    tracker.record("old.txt", "text\n")
    tracker.rename("old", "new.txt")
    assert [d.name for d in tracker.documents()] == ["new.txt"]
    assert tracker.text("new.txt", "v1") == "text\n"
    assert tracker.renames("new")[0]["from"] == "old.txt"


def test_split_mode_is_kept_from_first_version(tracker):
    tracker.record("a.txt", "line one\nline two\n", split="line")
    v2 = tracker.record("a.txt", "line one\nline two\nline three\n")
    assert v2.paragraphs == 3
    assert tracker.documents()[0].split_mode == "line"


def test_layout_roundtrip():
    for seps in (["", "\n\n", "\n\n", "\n"], ["\ufeff", "\n", "\n\n\n", "\n", ""], [""], ["x"]):
        assert decode_layout(encode_layout(seps), len(seps) - 1) == seps


def test_missing_database_is_not_created(tmp_path):
    with pytest.raises(NoDatabase, match="tracker snapshot"):
        Tracker(tmp_path / "nope.db", create=False)
    assert not (tmp_path / "nope.db").exists()


def test_corrupt_database(tmp_path):
    path = tmp_path / "bad.db"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(NotADatabase, match="is not a tracker database"):
        Tracker(path)
    assert path.read_bytes() == b"this is not sqlite at all" * 100  # untouched


def test_bad_time(tracker):
    with pytest.raises(TrackerError, match="not an ISO 8601 time"):
        tracker.record("a", "x", at="last tuesday")


def test_locked_database_is_a_clear_error(tmp_path, monkeypatch):
    import tracker.store.base as store

    path = tmp_path / "t.db"
    Tracker(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("begin exclusive")
    monkeypatch.setattr(store, "BUSY_TIMEOUT_MS", 200)
    try:
        with Tracker(path) as tracker:
            with pytest.raises(TrackerError, match="is locked by another process"):
                tracker.record("a.txt", "x")
    finally:
        other.execute("rollback")
        other.close()
    with Tracker(path) as tracker:
        assert tracker.record("a.txt", "x").version == 1


# Any unicode, CRLF/LF mixes, BOM, with and without a final newline.
PIECES = st.sampled_from(
    ["\n", "\r\n", "\n\n", "\r\n\r\n", " ", "\t", "\ufeff", "\f", "word", "é", "€", "😀", "a b"]
)
TEXTS = st.one_of(
    st.lists(PIECES, max_size=40).map("".join),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(TEXTS, min_size=1, max_size=6), st.sampled_from(["auto", "blank", "line"]))
def test_every_version_rebuilds_byte_for_byte(tmp_path_factory, texts, split):
    path = tmp_path_factory.mktemp("prop") / "t.db"
    with Tracker(path) as tracker:
        expected = []
        for text in texts:
            version = tracker.record("doc.txt", text, split=split)
            if version is not None:
                expected.append(text)
            else:
                assert expected and expected[-1] == text  # only unchanged text is skipped
        versions = tracker.versions("doc.txt")
        assert len(versions) == len(expected)
        for version, text in zip(versions, expected):
            rebuilt = tracker.rebuild(version)
            assert rebuilt.encode("utf-8") == text.encode("utf-8")
            assert hashlib.sha256(rebuilt.encode()).hexdigest() == version.sha256


def test_snapshot_folder(tmp_path):
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("alpha\n")
    (folder / "sub" / "b.md").write_text("beta\n")
    (folder / ".git").mkdir()
    (folder / ".git" / "config").write_text("hidden\n")
    (folder / ".hidden.txt").write_text("hidden\n")
    (folder / "c.txt~").write_text("backup\n")
    with Tracker(tmp_path / "t.db") as tracker:
        result = tracker.snapshot(folder)
        assert sorted(v.doc for v in result.recorded) == ["a.txt", "sub/b.md"]
        # the same folder named differently is the same document set
        os.chdir(tmp_path)
        assert tracker.snapshot("./docs/").recorded == []
        assert tracker.snapshot(str(folder.resolve())).recorded == []
        assert tracker.snapshot(folder).unchanged == 2


def test_rescan_notices_same_size_same_second_edit(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    target = folder / "a.txt"
    target.write_text("aaaa\n")
    with Tracker(tmp_path / "t.db") as tracker:
        tracker.snapshot(folder)
        stat = target.stat()
        target.write_text("bbbb\n")  # same size
        os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and same mtime
        result = tracker.snapshot(folder)
        # read within the racy window, so size+mtime are not trusted
        assert [v.version for v in result.recorded] == [2]


def test_rescan_skips_unchanged_old_files(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    target = folder / "a.txt"
    target.write_text("aaaa\n")
    old = time.time_ns() - 10_000_000_000
    os.utime(target, ns=(old, old))
    with Tracker(tmp_path / "t.db") as tracker:
        tracker.snapshot(folder)
        target.write_text("bbbb\n")
        os.utime(target, ns=(old, old))  # an edit that hides itself: same size and mtime
        assert tracker.snapshot(folder).unchanged == 1  # skipped without reading


def test_rescan_of_trusted_files_still_finds_the_file_gone_and_the_one_renamed(tmp_path):
    """Files read outside the racy window are taken as unchanged without reading the documents'
    states; the re-scan must still see that one file is gone and another moved (size and mtime
    kept, under a new name), and take the rest as unchanged."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (folder / name).write_text(f"the text of {name}\n")
    old = time.time_ns() - 10_000_000_000
    for path in folder.iterdir():
        os.utime(path, ns=(old, old))
    with Tracker(tmp_path / "t.db") as tracker:
        assert len(tracker.snapshot(folder).recorded) == 3
        again = tracker.snapshot(folder)
        assert (again.recorded, again.unchanged) == ([], 3)
        (folder / "a.txt").unlink()
        (folder / "b.txt").rename(folder / "d.txt")
        result = tracker.snapshot(folder)
        assert [(v.doc, v.deleted) for v in result.recorded] == [("a.txt", True)]
        assert result.renamed == [("b.txt", "d.txt")]
        assert result.unchanged == 2
        assert [d.name for d in tracker.documents() if not d.deleted] == ["c.txt", "d.txt"]


def test_snapshot_records_deletion_and_rename(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("alpha\n")
    (folder / "b.txt").write_text("beta\n")
    with Tracker(tmp_path / "t.db") as tracker:
        tracker.snapshot(folder)
        (folder / "a.txt").unlink()
        (folder / "b.txt").rename(folder / "c.txt")
        result = tracker.snapshot(folder)
        assert result.renamed == [("b.txt", "c.txt")]
        assert [(v.doc, v.deleted) for v in result.recorded] == [("a.txt", True)]
        assert tracker.text("c.txt", "v1") == "beta\n"
        (folder / "a.txt").write_text("alpha again\n")
        result = tracker.snapshot(folder)
        assert [(v.doc, v.version) for v in result.recorded] == [("a.txt", 3)]


def test_snapshot_of_another_folder_does_not_delete(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    (one / "a.txt").write_text("a\n")
    (two / "b.txt").write_text("b\n")
    with Tracker(tmp_path / "t.db") as tracker:
        tracker.snapshot(one)
        result = tracker.snapshot(two)
        assert [(v.doc, v.deleted) for v in result.recorded] == [("b.txt", False)]


def test_changes_are_recorded_per_paragraph(tracker):
    tracker.record("a.txt", "Intro.\n\nThe cat sat on the mat.\n\nMoved para.\n\nGone para.\n")
    v2 = tracker.record(
        "a.txt", "Moved para.\n\nIntro.\n\nThe dog sat on the mat.\n\nBrand new para.\n"
    )
    assert (v2.added, v2.removed, v2.modified, v2.moved) == (1, 1, 1, 1)
    rows = {row["op"]: row for row in tracker.store.db.query("select * from changes order by id")}
    assert set(rows) == {"insert", "delete", "modify", "move"}
    modify = rows["modify"]
    assert modify["document"] == "a.txt" and modify["version"] == 2
    assert (modify["old_text"], modify["new_text"]) == (
        "The cat sat on the mat.",
        "The dog sat on the mat.",
    )
    assert "inline" not in modify  # word diffs are computed when shown, not stored
    assert rows["delete"]["old_text"] == "Gone para." and rows["delete"]["new_index"] is None
    assert rows["insert"]["new_text"] == "Brand new para."


@pytest.mark.slow
def test_processes_racing_to_create_a_database(tmp_path):
    """Several processes opening a brand-new database at once: one creates it, all record."""
    import subprocess
    import sys

    path = tmp_path / "race.db"
    # the start line: every process blocks reading a pipe; closing it wakes them all at once
    go_read, go_write = os.pipe()
    script = (
        "import os, sys\n"
        "from tracker import Tracker\n"
        "print('ready', flush=True)\n"
        "os.read(int(sys.argv[2]), 1)\n"
        "with Tracker(sys.argv[1]) as t:\n"
        "    t.record(f'doc{os.getpid()}.txt', 'x')\n"
    )
    try:
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", script, str(path), str(go_read)],
                pass_fds=(go_read,),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for _ in range(4)
        ]
        for proc in procs:  # all imported and waiting: the race is on the database only
            assert proc.stdout.readline() == b"ready\n", proc.stderr.read().decode()
    finally:
        os.close(go_read)
        os.close(go_write)
    errors = [p.communicate(timeout=60)[1].decode() for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], errors
    with Tracker(path) as tracker:
        assert len(tracker.documents()) == 4
        names = [r[0] for r in tracker.store.conn.execute("select name from _sqlite_migrations")]
        assert len(names) == len(set(names))  # every migration ran exactly once


def test_filtered_snapshot_does_not_delete_rejected_documents(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "notes.txt").write_text("notes\n")
    (folder / "script.py").write_text("print(1)\n")
    with Tracker(tmp_path / "t.db") as tracker:
        tracker.snapshot(folder)  # no filter: both tracked
        result = tracker.snapshot(folder, accept=lambda name: name.endswith(".txt"))
        assert result.recorded == []
        assert not any(doc.deleted for doc in tracker.documents())
        (folder / "script.py").unlink()
        assert [v.doc for v in tracker.snapshot(folder).recorded] == ["script.py"]


def test_unlistable_subfolder_is_not_taken_as_deleted(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root can list any folder, so the folder cannot be made unreadable")
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "a.txt").write_text("a\n")
    with Tracker(tmp_path / "t.db") as tracker:
        tracker.snapshot(folder)
        (folder / "sub").chmod(0)
        try:
            result = tracker.snapshot(folder)
        finally:
            (folder / "sub").chmod(0o755)
        assert result.recorded == []
        assert any("cannot list folder" in reason for _, reason in result.skipped)


@pytest.mark.parametrize(
    "limit,value,batches,recorded",
    [
        ("SNAPSHOT_BATCH", 2, 2, ["0.txt", "1.txt", "2.txt", "3.txt"]),  # two files each
        ("SNAPSHOT_BATCH_SECONDS", 0, 3, ["0.txt", "1.txt", "2.txt"]),  # out of time: one each
    ],
)
def test_cancel_stops_between_batches_and_keeps_what_was_committed(
    tmp_path, monkeypatch, limit, value, batches, recorded
):
    """A batch ends at its file count or its time, whichever first; cancel is asked between."""
    import tracker.scan.folder as folder_module
    from tracker.scan.folder import SnapshotCancelled

    monkeypatch.setattr(folder_module, limit, value)
    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(5):
        (folder / f"{i}.txt").write_text(f"doc {i}\n")
    calls = []

    def cancel() -> bool:
        calls.append(1)
        return len(calls) > batches  # let that many batches through

    with Tracker(tmp_path / "t.db") as tracker:
        with pytest.raises(SnapshotCancelled, match=f"stopped after {len(recorded)} of 5 files"):
            tracker.snapshot(folder, cancel=cancel)
        assert [d.name for d in tracker.documents()] == recorded
        assert len(tracker.snapshot(folder).recorded) == 5 - len(recorded)  # the rest next run


def test_old_name_still_finds_a_renamed_document(tracker):
    tracker.record("drafts/b.md", "text\n")
    tracker.rename("drafts/b.md", "final/b.md")
    assert tracker.document("drafts/b.md").name == "final/b.md"
    assert tracker.text("drafts/b.md") == "text\n"


def test_subfolder_that_cannot_be_listed_is_not_taken_as_deleted_even_as_root(tmp_path):
    """The same rule as above, made to fail for root too: the sub-folder vanishes between the
    listing of its parent and its own listing, so the scan cannot list it."""
    import shutil

    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("a\n")
    (folder / "sub" / "b.txt").write_text("b\n")
    with Tracker(tmp_path / "t.db") as tracker:
        tracker.snapshot(folder)

        def accept(name: str) -> bool:
            if name == "a.txt":  # the root's files are taken before its sub-folders are listed
                shutil.rmtree(folder / "sub", ignore_errors=True)
            return True

        result = tracker.snapshot(folder, accept=accept)
        assert any("cannot list folder" in reason for _, reason in result.skipped)
        assert result.recorded == []  # sub/b.txt is not recorded as deleted on this evidence
        assert [v.doc for v in tracker.snapshot(folder).recorded] == ["sub/b.txt"]  # next scan


def test_a_database_from_before_m004_upgrades_in_place(tmp_path):
    """A database whose paragraph_changes still store word diffs keeps its history on upgrade."""
    import sqlite_utils
    from sqlite_utils import Migrations

    from tracker.store import schema
    from tracker.store.codec import paragraph_hash
    from tracker.text.paragraphs import split

    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    migrations = Migrations(schema.MIGRATION_SET)
    for function in schema.MIGRATIONS[:3]:  # the schema as the first release created it
        migrations()(function)
    migrations.apply(db)
    texts = ["Intro.\n\nThe cat sat.\n", "Intro.\n\nThe dog sat.\n"]
    db["documents"].insert({"id": 1, "name": "a.txt", "split_mode": "blank"})
    ids = {"Intro.": 1, "The cat sat.": 2, "The dog sat.": 3}
    db["paragraphs"].insert_all(
        {"id": i, "hash": paragraph_hash(t), "text": t} for t, i in ids.items()
    )
    for number, text in enumerate(texts, start=1):
        parts = split(text, "blank")
        db["versions"].insert(
            {
                "id": number,
                "document_id": 1,
                "version": number,
                "captured_at": f"2026-01-0{number}T00:00:00Z",
                "path": "a.txt",
                "sha256": hashlib.sha256(text.encode()).hexdigest(),
                "bytes": len(text),
                "paragraphs": 2,
                "deleted": 0,
                "paragraph_ids": json.dumps([ids[p] for p in parts.paragraphs]),
                "layout": encode_layout(parts.separators),
            }
        )
    db["paragraph_changes"].insert(
        {
            "version_id": 2,
            "op": "modify",
            "old_index": 1,
            "new_index": 1,
            "old_paragraph_id": 2,
            "new_paragraph_id": 3,
            "inline": '[["=",4],["-","cat"],["+","dog"],["=",5]]',
        }
    )
    db.close()

    with Tracker(path) as tracker:
        columns = [r[1] for r in tracker.store.conn.execute("pragma table_info(paragraph_changes)")]
        assert "inline" not in columns and "new_paragraph_id" in columns
        rows = list(
            tracker.store.conn.execute(
                "select op, old_text, new_text, lineage from changes order by version, id"
            )
        )
        # the upgrade computed what is recorded today: the first version's paragraphs are
        # inserts that start lineages, and the edit continues the lineage of "The cat sat."
        assert [row[:3] for row in rows] == [
            ("insert", None, "Intro."),
            ("insert", None, "The cat sat."),
            ("modify", "The cat sat.", "The dog sat."),
        ]
        assert rows[2][3] == rows[1][3] != rows[0][3]
        assert [tracker.text("a.txt", n) for n in (1, 2)] == texts
        changes = [c for c in tracker.diff("a.txt", since=1).changes if c.op == "modify"]
        assert ("-", "cat") in changes[0].inline and ("+", "dog") in changes[0].inline
        assert tracker.record("a.txt", texts[0]).version == 3  # and it keeps recording


def fts_rowids(tracker, word: str) -> list[int]:
    return [
        row[0]
        for row in tracker.store.conn.execute(
            "select rowid from paragraphs_fts where paragraphs_fts match ? order by rowid", [word]
        )
    ]


def test_full_text_index_follows_committed_paragraphs_only(tracker):
    """New paragraphs are indexed once, at commit; a rolled-back savepoint leaves no entry."""
    tracker.record("a.txt", "alpha one\n\nshared words\n")
    with tracker.store.transaction():
        tracker.record("b.txt", "beta two\n\nshared words\n")
        with pytest.raises(RuntimeError):
            with tracker.store.transaction():  # a savepoint, as for each file of a snapshot
                tracker.record("c.txt", "gamma three\n")
                raise RuntimeError("this document fails")
        tracker.record("d.txt", "delta four\n")
    ids = dict(tracker.store.conn.execute("select text, id from paragraphs"))
    assert "gamma three" not in ids
    assert fts_rowids(tracker, "alpha") == [ids["alpha one"]]
    assert fts_rowids(tracker, "beta") == [ids["beta two"]]
    assert fts_rowids(tracker, "delta") == [ids["delta four"]]
    assert fts_rowids(tracker, "shared") == [ids["shared words"]]  # stored and indexed once
    assert fts_rowids(tracker, "gamma") == []
    tracker.store.conn.execute(
        "insert into paragraphs_fts(paragraphs_fts, rank) values ('integrity-check', 1)"
    )
    triggers = {r[0] for r in tracker.store.conn.execute("select name from sqlite_master")}
    assert "paragraphs_ai" not in triggers  # m005: no per-row trigger any more


def test_failed_transaction_indexes_nothing(tracker):
    tracker.record("a.txt", "kept paragraph\n")
    with pytest.raises(RuntimeError):
        with tracker.store.transaction():
            tracker.record("b.txt", "lost paragraph\n")
            raise RuntimeError("boom")
    assert fts_rowids(tracker, "lost") == [] and len(fts_rowids(tracker, "kept")) == 1
    tracker.store.conn.execute(
        "insert into paragraphs_fts(paragraphs_fts, rank) values ('integrity-check', 1)"
    )


def test_a_rolled_back_version_number_reused_is_not_mistaken_for_the_old_one(tracker):
    """The in-memory paragraph lists are keyed by sha256 too: v2 after a rollback is new text."""
    tracker.record("a.txt", "one\n\ntwo\n")
    with pytest.raises(RuntimeError):
        with tracker.store.transaction():
            tracker.record("a.txt", "one\n\nrolled back\n")
            raise RuntimeError("boom")
    tracker.record("a.txt", "one\n\ntwo\n\nthree\n")
    v3 = tracker.record("a.txt", "one\n\ntwo\n\nthree\n\nfour\n")
    assert (v3.version, v3.added, v3.removed, v3.modified) == (3, 1, 0, 0)
    texts = [row[0] for row in tracker.store.conn.execute("select text from paragraphs")]
    assert "rolled back" not in texts
    assert tracker.text("a.txt", 2) == "one\n\ntwo\n\nthree\n"
    assert [p for p in tracker.paragraphs(tracker.version("a.txt", 3))] == [
        "one",
        "two",
        "three",
        "four",
    ]


@pytest.mark.parametrize("from_an_older_tracker", [False, True])
def test_a_file_back_with_its_old_size_and_mtime_is_recorded_again(tmp_path, from_an_older_tracker):
    """Moved away (recorded as deleted) and back unchanged, mtime and all: the re-scan must not
    take it as unchanged. A deletion forgets when the file was read; a database whose deletion
    an older tracker recorded (keeping that time) gets it forgotten on upgrade (m009)."""
    import shutil

    folder = tmp_path / "docs"
    folder.mkdir()
    doc = folder / "a.txt"
    doc.write_text("kept text\n")
    old = time.time() - 60
    os.utime(doc, (old, old))  # well outside the racy window
    path = tmp_path / "t.db"
    with Tracker(path) as tracker:
        assert [v.version for v in tracker.snapshot(folder).recorded] == [1]
        shutil.move(doc, tmp_path / "a.txt")
        assert [v.deleted for v in tracker.snapshot(folder).recorded] == [True]
    if from_an_older_tracker:
        conn = sqlite3.connect(path)
        with conn:
            conn.execute("update documents set file_checked_ns = ?", [time.time_ns()])
            conn.execute("drop table paragraph_spans")
            conn.execute("drop index idx_renames_renamed_at")
            conn.execute("delete from _sqlite_migrations where name = 'm009_reads_by_index'")
        conn.close()
    shutil.move(tmp_path / "a.txt", doc)
    with Tracker(path) as tracker:
        again = tracker.snapshot(folder).recorded
        assert [(v.version, v.deleted) for v in again] == [(3, False)]
        assert tracker.text("a.txt") == "kept text\n"


def test_the_full_text_index_gathers_new_terms_in_a_larger_buffer(tmp_path):
    """New databases, and older ones on upgrade (m011), set FTS5's buffer; search still works."""
    from tracker.store.schema import FTS_BUFFER_BYTES

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("Alpha paragraph.\n\nBeta paragraph.\n")
    path = tmp_path / "t.db"
    with Tracker(path) as tracker:
        tracker.snapshot(folder)
    conn = sqlite3.connect(path)
    setting = "select v from paragraphs_fts_config where k = 'hashsize'"
    assert conn.execute(setting).fetchall() == [(FTS_BUFFER_BYTES,)]
    with conn:  # as a tracker before m011 left it
        conn.execute("delete from paragraphs_fts_config where k = 'hashsize'")
        conn.execute("delete from _sqlite_migrations where name = 'm011_larger_index_buffer'")
    conn.close()
    (folder / "a.txt").write_text("Alpha paragraph.\n\nGamma paragraph.\n")
    with Tracker(path) as tracker:
        tracker.snapshot(folder)
        found = tracker.store.conn.execute(
            "select count(*) from paragraphs_fts where paragraphs_fts match 'gamma OR beta'"
        ).fetchone()
        assert found == (2,)
    conn = sqlite3.connect(path)
    assert conn.execute(setting).fetchall() == [(FTS_BUFFER_BYTES,)]
    conn.close()


def _every_field(version):
    """All of a version's fields, those left out of == included (ids, layout, lineages)."""
    from dataclasses import asdict

    return asdict(version)


def test_a_recorded_version_is_what_reading_it_back_gives(tracker):
    # record() builds the version it returns from what it wrote; a read must agree on every field
    steps = [
        ("a.txt", "one\n\ntwo\n", None),  # a first version
        ("a.txt", "one\n\ntwo, edited\n", "a note"),  # edited in place: lineage list repeated
        ("a.txt", "one\n\ntwo, edited again\n", None),  # repeated again (points further back)
        ("a.txt", "zero\n\none\n\ntwo, edited again\n", None),  # a new lineage
        ("a.txt", "", None),  # no paragraphs at all
        ("b.txt", "shared\n\ntext\n", None),
        ("a.txt", None, None),  # deleted ...
        ("a.txt", "zero\n\none\n\ntwo, edited again\n", None),  # ... and restored as v4
        ("a.txt", None, None),
        ("a.txt", "brand new\n", None),  # re-created
        ("a.txt", "brand new\n\nand more\n", None),
    ]
    for name, text, note in steps:
        written = tracker.record(name, text, note=note)
        assert written is not None
        read = tracker.store.latest(written.document_id)
        assert _every_field(written) == _every_field(read), (name, text)
    tracker.rename("b.txt", "c.txt")
    written = tracker.record("c.txt", "shared\n\ntext, edited\n")
    assert written.doc == "c.txt"
    assert _every_field(written) == _every_field(tracker.store.latest(written.document_id))


def test_a_version_rolled_back_and_written_again_elsewhere_is_read_again(tmp_path):
    # The writer remembers the version it wrote last so as not to read it back before the next
    # one; after a rollback that memory may describe rows that are gone. Here another
    # connection writes the same text as the same version number, with other paragraph ids.
    path = tmp_path / "t.db"
    with Tracker(path) as ours, Tracker(path) as theirs:
        ours.record("a.txt", "one\n\ntwo\n")
        with pytest.raises(RuntimeError):
            with ours.store.transaction():
                ours.record("a.txt", "one\n\ntwo\n\nthree\n")
                raise RuntimeError("interrupted")
        theirs.record("b.txt", "other\n\nparagraphs\n\nfirst\n")  # takes the ids "three" had
        theirs.record("a.txt", "one\n\ntwo\n\nthree\n")
        ours.record("a.txt", "one\n\ntwo\n\nthree, edited\n")
        v2, v3 = ours.versions("a")[1:]
        old_ids = [
            row[0]
            for row in ours.store.conn.execute(
                "select old_paragraph_id from paragraph_changes c join versions v"
                " on v.id = c.version_id where v.document_id = ? and v.version = 3"
                " and old_paragraph_id is not null",
                [v3.document_id],
            )
        ]
        assert old_ids and set(old_ids) <= set(v2.paragraph_ids)
        assert ours.fsck().problems == []
        assert ours.text("a", "v3") == "one\n\ntwo\n\nthree, edited\n"


def _fts_consistent(tracker) -> None:
    """The full-text index finds each stored paragraph by each of its words, exactly once."""
    conn = tracker.store.conn
    # with rank 1 FTS5 also checks the index against the paragraphs table (extra or missing rows)
    conn.execute("insert into paragraphs_fts (paragraphs_fts, rank) values ('integrity-check', 1)")
    for pid, text in conn.execute("select id, text from paragraphs").fetchall():
        for word in text.split():
            hits = [
                row[0]
                for row in conn.execute(
                    "select rowid from paragraphs_fts where paragraphs_fts match ?", [word]
                )
            ]
            assert hits.count(pid) == 1, (text, word, hits)
            assert len(hits) == len(set(hits)), (word, hits)


def test_paragraphs_indexed_mid_transaction_are_indexed_once(tracker):
    # a long import indexes each batch's paragraphs as it goes (Store.index_new_paragraphs)
    with tracker.store.transaction():
        tracker.record("a.txt", "alpha words\n\nbeta words\n")
        tracker.store.index_new_paragraphs()
        with pytest.raises(TrackerError):  # a record that fails is rolled back to its savepoint
            with tracker.store.transaction():
                tracker.record("b.txt", "gamma words\n")
                tracker.store.index_new_paragraphs()  # inside a savepoint: left to later
                raise TrackerError("this one fails")
        tracker.record("c.txt", "delta words\n\nalpha words\n")
        tracker.store.index_new_paragraphs()
        tracker.record("d.txt", "epsilon words\n")
    _fts_consistent(tracker)
    found = {hit["doc"] for hit in tracker.search("alpha")} | {
        hit["doc"] for hit in tracker.search("epsilon")
    }
    assert found == {"a.txt", "c.txt", "d.txt"}
    assert tracker.search("gamma") == []
