"""Inputs that used to break tracker: symlink loops, the database inside the folder it tracks, file
names no file system should allow, names that escape a folder, damaged databases, read-only and
missing folders, text that fakes search highlights, import-git globs that match nothing.

Each gets a one-line error or the right result, and nothing stored is lost. The watch side of
the folder cases is in test_live.py, with the real observer; the web side of search highlights
and of a re-added document in test_datasette.py.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import Repo, fetch, start_server, stop_server, tracker_command

from tracker import Tracker
from tracker.errors import TrackerError


def names(db: Path) -> list[str]:
    with Tracker(db, create=False) as tracker:
        return [document.name for document in tracker.documents()]


def warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("warning: ")]


# -- 1. symlink loops ----------------------------------------------------------------------------


def test_snapshot_skips_a_symlink_loop_with_a_warning_and_records_the_rest(run, folder, db):
    (folder / "a.txt").write_text("kept\n")
    (folder / "sub").mkdir()
    (folder / "sub" / "b.txt").write_text("also kept\n")
    (folder / "loop1.txt").symlink_to("loop2.txt")
    (folder / "loop2.txt").symlink_to("loop1.txt")
    result = run("snapshot", folder, db=db)
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "warning: loop1.txt: symlink loop, not followed\n"
        "warning: loop2.txt: symlink loop, not followed\n"
        "2 new versions, 0 unchanged, 2 skipped\n"
    )
    assert names(db) == ["a.txt", "sub/b.txt"]
    again = run("snapshot", folder, db=db)  # and again: nothing recorded as deleted
    assert again.exit_code == 0 and again.stderr.endswith(
        "0 new versions, 2 unchanged, 2 skipped\n"
    )
    named = run("snapshot", folder / "loop1.txt", db=db)  # a loop named on the command line
    assert named.exit_code == 1
    assert named.stderr.startswith(f"warning: {folder / 'loop1.txt'}: symlink, not followed\n")


# -- 2. the database inside the folder it tracks -------------------------------------------------

COMPANIONS = ["t.db", "t.db-wal", "t.db-shm", "t.db-journal", "t.db.watch.lock"]


def test_snapshot_never_records_the_database_or_the_files_beside_it(run, folder):
    db = folder / "t.db"
    (folder / "a.txt").write_text("the only document\n")
    assert run("snapshot", folder, db=db).exit_code == 0
    # text, to be sure they are not just skipped as binary (SQLite may remove the journal)
    (folder / "t.db-journal").write_text("not a journal\n")
    (folder / "t.db.watch.lock").write_text("1234 /somewhere\n")
    (folder / "a.txt").write_text("the only document, edited\n")
    result = run("snapshot", folder, db=db)  # the -wal and -shm exist while it scans
    assert result.exit_code == 0, result.output
    assert result.stderr == "1 new version, 0 unchanged, 0 skipped\n"  # no binary-file warnings
    assert names(db) == ["a.txt"]
    # an accept-everything filter (what --include '*' gives the watcher) changes nothing
    with Tracker(db) as tracker:
        found = tracker.snapshot(folder, accept=lambda name: True)
    assert (found.recorded, found.skipped) == ([], [])
    assert names(db) == ["a.txt"]
    for companion in ("t.db", "t.db-wal", "t.db.watch.lock"):  # even named one by one
        named = run("snapshot", folder / companion, db=db)
        assert named.exit_code == 1
        assert f"{companion}: the tracker database's own file, skipped" in named.stderr
    assert names(db) == ["a.txt"]


def test_a_database_reached_through_a_symlinked_folder_is_still_its_own(run, folder, tmp_path):
    (folder / "a.txt").write_text("text\n")
    link = tmp_path / "link"
    link.symlink_to(folder)
    for _ in range(2):
        assert run("snapshot", folder, db=link / "t.db").exit_code == 0
    assert names(folder / "t.db") == ["a.txt"]


# -- 3. names no file should have: control characters, bytes that are not UTF-8 -------------------


def test_snapshot_skips_names_with_control_characters_in_one_escaped_line_each(run, folder, db):
    (folder / "good.txt").write_text("good\n")
    (folder / "new\nline.txt").write_text("x\n")
    (folder / "esc\x1b[31mred.txt").write_text("y\n")
    (folder / os.fsdecode(b"caf\xe9.txt")).write_text("latin-1 name\n")
    result = run("snapshot", folder, db=db)
    assert result.exit_code == 0, result.output
    assert sorted(warnings(result.stderr)) == [
        "warning: caf\\xe9.txt: cannot be tracked: it is not valid Unicode"
        " (a file name that is not UTF-8, or a lone surrogate)",
        "warning: esc\\x1b[31mred.txt: cannot be tracked:"
        " NUL and other control characters are not allowed",
        "warning: new\\x0aline.txt: cannot be tracked:"
        " NUL and other control characters are not allowed",
    ]
    assert "\x1b" not in result.stderr
    assert result.stderr.endswith("1 new version, 0 unchanged, 3 skipped\n")
    assert names(db) == ["good.txt"]
    single = run("snapshot", folder / "new\nline.txt", db=db)
    assert single.exit_code == 1
    assert single.stderr.splitlines()[0] == (
        f"warning: {folder}/new\\x0aline.txt: cannot be tracked:"
        " NUL and other control characters are not allowed"
    )
    assert names(db) == ["good.txt"]


def test_names_a_snapshot_would_store_changed_never_merge_two_files(run, folder, db):
    """ "a.txt " (a trailing space) used to be stored as "a.txt", and "b\\c.txt" as "b/c.txt":
    two files recorded as alternating versions of one document."""
    (folder / "a.txt").write_text("a\n")
    (folder / "a.txt ").write_text("a with a space\n")
    (folder / "b").mkdir()
    (folder / "b" / "c.txt").write_text("c\n")
    (folder / "b\\c.txt").write_text("backslash\n")
    for _ in range(2):
        result = run("snapshot", folder, db=db)
        assert result.exit_code == 0, result.output
        assert sorted(warnings(result.stderr)) == [
            "warning: a.txt : cannot be tracked: it would be stored as 'a.txt':"
            " leading or trailing spaces and backslashes are not kept in names",
            "warning: b\\c.txt: cannot be tracked: it would be stored as 'b/c.txt':"
            " leading or trailing spaces and backslashes are not kept in names",
        ]
    with Tracker(db) as tracker:
        assert [(d.name, d.versions) for d in tracker.documents()] == [("a.txt", 1), ("b/c.txt", 1)]
        assert tracker.text("a.txt") == "a\n" and tracker.text("b/c.txt") == "c\n"


def smuggle(db: Path, name: str, text: str = "old\n", at: str = "2024-01-01") -> None:
    """Store a document under a name tracker refuses today, as an older tracker could."""
    with Tracker(db) as tracker:
        tracker.record("placeholder.txt", text, at=at)
    with sqlite3.connect(db) as conn:
        conn.execute("update documents set name = ? where name = 'placeholder.txt'", [name])
    conn.close()


def test_export_of_an_older_database_leaves_out_what_import_would_refuse(run, tmp_path):
    db = tmp_path / "old.db"
    with Tracker(db) as tracker:
        tracker.record("fine.txt", "fine\n", at="2024-01-01")
        tracker.record("renamed.txt", "r\n", at="2024-01-01")
        tracker.rename("renamed.txt", "later.txt", at="2024-01-02")
        tracker.record("later.txt", "r2\n", at="2024-01-03")
    smuggle(db, "../evil.txt")
    smuggle(db, "new\nline.txt")
    with sqlite3.connect(db) as conn:  # renamed from a name refused today
        conn.execute("update renames set from_name = 'tab\there.txt'")
    conn.close()
    for args in ([], ["-o", tmp_path / "out.jsonl"]):
        result = run("export", *args, db=db)
        assert result.exit_code == 1
        assert warnings(result.stderr) == [
            "warning: 1 record not written: \"doc\" '../evil.txt' cannot be written out as a"
            " file: absolute paths and '..' are not allowed",
            "warning: 1 record not written: \"doc\" 'new\\nline.txt' cannot be written out as"
            " a file: NUL and other control characters are not allowed",
            "warning: 1 record not written: \"doc\" 'tab\\there.txt' cannot be written out as"
            " a file: NUL and other control characters are not allowed",
            "warning: 1 record not written: \"renamed_from\" 'tab\\there.txt' cannot be"
            " written out as a file: NUL and other control characters are not allowed",
        ]
        assert result.stderr.endswith(
            "Error: 4 records not written: `tracker import` would refuse them\n"
        )
    exported = tmp_path / "out.jsonl"
    assert (tmp_path / "out.jsonl").read_bytes() == run("export", db=db).stdout_bytes
    copy = tmp_path / "copy.db"
    imported = run("import", exported, db=copy)
    assert imported.exit_code == 0, imported.output
    assert imported.stderr == ""
    with Tracker(copy) as tracker:
        assert tracker.text("fine.txt") == "fine\n" and tracker.text("later.txt") == "r2\n"
    assert "exits 1" in run("export", "--help").stdout


# The documents a user can make: any name (most refused), any text (lone surrogates refused),
# deletions and renames, in any order. Whatever tracker accepted must export and import back.
NAME = st.text(alphabet=st.sampled_from(list("ab./\\ \n\t\x00\x02é") + ["\udce9"]), max_size=6)
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=(), max_codepoint=0x2FFF), max_size=40
) | st.sampled_from(["", "\r\n", "a\n\nb", "\ufeffx\r\n\r\ny", "\x02hit\x03", "\ud800"])
STEP = st.one_of(
    st.tuples(st.just("record"), NAME, TEXT),
    st.tuples(st.just("delete"), NAME, st.none()),
    st.tuples(st.just("rename"), NAME, NAME),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(STEP, max_size=8))
def test_any_history_tracker_accepts_exports_to_a_file_it_imports_back(tmp_path_factory, steps):
    folder = tmp_path_factory.mktemp("round")
    db, copy, out = folder / "t.db", folder / "copy.db", folder / "out.jsonl"
    with Tracker(db) as tracker:
        for day, (kind, name, other) in enumerate(steps, start=1):
            at = f"2024-01-{day:02d}"
            try:
                if kind == "record":
                    tracker.record(name, other, at=at)
                elif kind == "delete":
                    tracker.delete(name, at=at)
                else:
                    tracker.rename(name, other, at=at)
            except TrackerError:
                pass  # refused with a one-line reason: fine, as long as nothing else escapes
        refused: list[str] = []
        count = tracker.export_to_file(out, left_out=lambda problem, n: refused.append(problem))
        assert refused == []
        expected = [
            (v.doc, v.version, v.captured_at, v.deleted, v.sha256)
            for d in tracker.documents()
            for v in tracker.versions(d.name)
        ]
    with Tracker(copy) as other:
        other.import_jsonl(out)
        assert other.export_to_file(folder / "again.jsonl") == count
        assert [
            (v.doc, v.version, v.captured_at, v.deleted, v.sha256)
            for d in other.documents()
            for v in other.versions(d.name)
        ] == expected


def test_a_name_left_with_a_leading_space_by_its_dot_slash_is_cleaned(tmp_path):
    """``.\\ a`` typed as a name: the ``./`` taken off left " a", which import refuses (names do
    not keep leading or trailing whitespace), so the export had to leave it out."""
    with Tracker(tmp_path / "t.db") as tracker:
        tracker.record(".\\ a", "text\n", at="2024-01-01")
        refused: list[str] = []
        tracker.export_to_file(tmp_path / "out.jsonl", left_out=lambda p, n: refused.append(p))
        assert [d.name for d in tracker.documents()] == ["a"]
    assert refused == []
    with Tracker(tmp_path / "copy.db") as other:
        other.import_jsonl(tmp_path / "out.jsonl")
        assert [d.name for d in other.documents()] == ["a"]


# -- 4. one rule for names, wherever a document is created ---------------------------------------

NOT_UNICODE = "it is not valid Unicode (a file name that is not UTF-8, or a lone surrogate)"
UNSAFE = {
    "../evil.txt": "absolute paths and '..' are not allowed",
    "/abs/evil.txt": "absolute paths and '..' are not allowed",
    "a/../../evil.txt": "absolute paths and '..' are not allowed",
    "./../evil.txt": "absolute paths and '..' are not allowed",
    "new\nline.txt": "NUL and other control characters are not allowed",
    "nul\x00.txt": "NUL and other control characters are not allowed",
    "lone\udce9.txt": NOT_UNICODE,
}


@pytest.mark.parametrize("name", list(UNSAFE))
def test_record_and_rename_refuse_a_name_import_would_refuse(tmp_path, name):
    with Tracker(tmp_path / "t.db") as tracker:
        tracker.record("ok.txt", "ok\n", at="2024-01-01")
        with pytest.raises(TrackerError) as recorded:
            tracker.record(name, "evil\n", at="2024-01-02")
        with pytest.raises(TrackerError) as renamed:
            tracker.rename("ok.txt", name, at="2024-01-02")
        assert [d.name for d in tracker.documents()] == ["ok.txt"]
        assert tracker.renames("ok.txt") == []
    shown = repr(name.removeprefix("./"))
    assert str(recorded.value) == str(renamed.value) == f"cannot track {shown}: {UNSAFE[name]}"


@pytest.mark.parametrize("name", list(UNSAFE))
def test_import_refuses_the_same_names_up_front(run, tmp_path, name):
    source = tmp_path / "h.jsonl"
    records = [{"doc": "ok.txt", "text": "ok\n"}, {"doc": name, "text": "evil\n"}]
    source.write_text("".join(json.dumps(record) + "\n" for record in records))
    result = run("import", source, db=tmp_path / "t.db")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith('line 2: "doc" ')
    assert result.stderr.splitlines()[0].endswith(
        f"cannot be written out as a file: {UNSAFE[name]}"
    )
    assert not (tmp_path / "t.db").exists()  # nothing imported, not even ok.txt


def test_import_of_a_rename_record_to_an_unsafe_name_is_refused(run, tmp_path):
    source = tmp_path / "h.jsonl"
    records = [
        {"doc": "ok.txt", "text": "ok\n", "at": "2024-01-01"},
        {"doc": "../ok.txt", "renamed_from": "ok.txt", "at": "2024-01-02"},
    ]
    source.write_text("".join(json.dumps(record) + "\n" for record in records))
    result = run("import", source, db=tmp_path / "t.db")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "line 2: \"doc\" '../ok.txt' cannot be written out as a file:"
        " absolute paths and '..' are not allowed"
    )


@pytest.mark.parametrize("name", ["new\nline.txt", "tab\there.txt", "esc\x1b.txt"])
def test_snapshot_of_a_single_file_and_import_git_refuse_the_same_names(run, tmp_path, name):
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / name).write_text("evil\n")
    db = tmp_path / "t.db"
    result = run("snapshot", folder / name, db=db)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].endswith(
        ": cannot be tracked: NUL and other control characters are not allowed"
    )
    repo = Repo(tmp_path / "repo")
    repo.write("good.txt", "good\n")
    repo.write(name, "evil\n")
    repo.commit("Add files")
    imported = run("import-git", repo.path, db=db)
    assert imported.exit_code == 0, imported.output
    assert "cannot be written out as a file: NUL and other control characters are not allowed" in (
        imported.stderr
    )
    assert names(db) == ["good.txt"]


def test_import_git_skips_paths_that_are_not_utf8_instead_of_merging_them(run, tmp_path):
    """Two files whose names differ only in a byte that is not UTF-8 must not become one
    document under a replacement character: both are skipped with a warning, as a snapshot
    skips such a file."""
    repo = Repo(tmp_path / "repo")
    repo.write("good.txt", "good\n")
    for byte in (b"\xe9", b"\xe8"):
        (repo.path / os.fsdecode(b"caf" + byte + b".txt")).write_text("evil\n")
    repo.commit("Add files")
    db = tmp_path / "t.db"
    imported = run("import-git", repo.path, db=db)
    assert imported.exit_code == 0, imported.output
    warnings = [line for line in imported.stderr.splitlines() if "not valid Unicode" in line]
    assert len(warnings) == 2 and all("cannot be written out as a file" in w for w in warnings)
    assert sorted(w.split(" at ")[0] for w in warnings) == [
        "warning: 'caf\\xe8.txt'",
        "warning: 'caf\\xe9.txt'",
    ]
    assert names(db) == ["good.txt"]


# -- 5. fsck on damaged databases ----------------------------------------------------------------


@pytest.fixture
def damaged(tmp_path: Path) -> Path:
    """a.txt in 102 versions sharing its first paragraph; b.txt and c.txt in a few."""
    db = tmp_path / "t.db"
    with Tracker(db) as tracker:
        for n in range(102):
            tracker.record(
                "a.txt",
                f"Shared first paragraph.\n\nedit {n}\n",
                at=f"2024-01-01T00:{n // 60:02d}:{n % 60:02d}Z",
            )
        for n in range(5):
            tracker.record("b.txt", f"B title\n\nb edit {n}\n", at=f"2024-02-0{n + 1}")
        tracker.record("c.txt", "C one\n\nC two\n", at="2024-03-01")
    return db


def fsck(run, db: Path) -> tuple[int, list[str]]:
    result = run("fsck", "--json", db=db)
    assert result.stderr == ""
    report = json.loads(result.stdout)
    assert report["ok"] is (result.exit_code == 0)
    text = run("fsck", db=db)
    assert text.exit_code == result.exit_code
    assert text.stdout.splitlines()[1:] == [p.replace("\n", "\\x0a") for p in report["problems"]]
    return result.exit_code, report["problems"]


def execute(db: Path, sql: str, params=()) -> None:
    conn = sqlite3.connect(db)
    try:
        with conn:
            conn.execute(sql, params)
    finally:
        conn.close()


def version_id(db: Path, doc: str, number: int) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "select v.id from versions v join documents d on d.id = v.document_id"
            " where d.name = ? and v.version = ?",
            [doc, number],
        ).fetchone()[0]
    finally:
        conn.close()


def shared_paragraph(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "select id from paragraphs where text = 'Shared first paragraph.'"
        ).fetchone()[0]
    finally:
        conn.close()


@pytest.mark.parametrize(
    "damage",
    [
        "cast(x'ff41' as text)",  # text whose bytes are not UTF-8
        "x'ff41'",  # the same, stored as a blob
        "x'4142'",  # valid UTF-8, but a blob
    ],
)
def test_fsck_reports_a_paragraph_that_is_not_text_once_with_its_count(run, damaged, damage):
    pid = shared_paragraph(damaged)
    execute(damaged, f"update paragraphs set text = {damage} where id = ?", [pid])
    code, problems = fsck(run, damaged)
    assert code == 1
    assert len(problems) == 1
    assert problems[0].startswith(f"paragraph {pid}: its text ")
    assert problems[0].endswith(" (used by 102 versions: a.txt v1, a.txt v2, a.txt v3 ...)")


def test_fsck_lists_every_damaged_sha256_and_goes_on(run, damaged):
    for number, value in [(1, "'not hex'"), (2, "NULL"), (3, "12"), (4, "x'00ff'")]:
        execute(
            damaged,
            f"update versions set sha256 = {value} where id = ?",
            [version_id(damaged, "b.txt", number)],
        )
    execute(
        damaged,
        "update versions set sha256 = cast(x'ff' as text) where id = ?",
        [version_id(damaged, "b.txt", 5)],
    )
    code, problems = fsck(run, damaged)
    assert code == 1
    assert [p.split(": ")[0] for p in problems] == [f"b.txt v{n}" for n in range(1, 6)]
    assert all("rebuilt text does not match its sha256" in p for p in problems)
    assert "(recorded not hex, rebuilt " in problems[0]
    assert "(recorded None, rebuilt " in problems[1]
    assert "(recorded 12, rebuilt " in problems[2]
    assert "(recorded b'\\x00\\xff', rebuilt " in problems[3]
    assert "(recorded b'\\xff', rebuilt " in problems[4]


def test_fsck_reports_damaged_layouts_and_names(run, damaged):
    layouts = ["'not json'", "'[1, 2]'", "'{\"sep\": 5}'", "cast(x'ff' as text)"]
    for number, layout in enumerate(layouts, start=1):
        execute(
            damaged,
            f"update versions set layout = {layout} where id = ?",
            [version_id(damaged, "b.txt", number)],
        )
    execute(damaged, "update documents set name = cast(x'63ff' as text) where name = 'c.txt'")
    code, problems = fsck(run, damaged)
    assert code == 1
    assert problems[0] == "document 3: its name is not valid UTF-8 (c\\xff)"
    assert [p.split(": ")[0] for p in problems[1:]] == [f"b.txt v{n}" for n in range(1, 5)]
    assert problems[1].startswith("b.txt v1: its layout is damaged (")
    assert problems[2].startswith("b.txt v2: its layout is damaged (")
    assert problems[3].startswith("b.txt v3: cannot be rebuilt (")  # a separator that is no text
    assert problems[4].startswith("b.txt v4: its layout is damaged (")
    assert len(problems) == 5  # c.txt itself rebuilds fine under its damaged name


def test_a_lineage_mark_naming_a_version_without_a_list_is_reported(run, damaged):
    """b.txt's versions 2-5 only edit, so they store the mark "1" (v1 holds their lineages);
    a mark naming a version that does not exist is reported by fsck and by the reads."""
    execute(
        damaged,
        "update versions set lineages = '9' where id = ?",
        [version_id(damaged, "b.txt", 3)],
    )
    code, problems = fsck(run, damaged)
    assert code == 1
    assert problems == ["b.txt v3: its lineages are those of v9, which has none"]
    for command in (["blame", "b.txt", "--at", "v3"], ["trace", "b.txt", "2", "--at", "v3"]):
        result = run(*command, db=damaged)
        assert result.exit_code == 1 and result.stdout == ""
        assert result.stderr == (
            "Error: damaged database: b.txt v3 has the lineages of v9, which has none;"
            " run `tracker fsck`\n"
        )
    assert run("blame", "b.txt", db=damaged).exit_code == 0  # the others read as before


def test_fsck_reports_missing_and_foreign_paragraph_ids(run, damaged):
    conn = sqlite3.connect(damaged)
    (gone,) = conn.execute("select id from paragraphs where text = 'C two'").fetchone()
    conn.close()
    execute(
        damaged,
        "update versions set paragraph_ids = '[999999]' where id = ?",
        [version_id(damaged, "b.txt", 1)],
    )
    execute(
        damaged,
        "update versions set paragraph_ids = '[true, 1.5]' where id = ?",
        [version_id(damaged, "b.txt", 2)],
    )
    execute(
        damaged,
        "update versions set paragraph_ids = cast(x'ff' as text) where id = ?",
        [version_id(damaged, "b.txt", 3)],
    )
    execute(damaged, "delete from paragraphs where text = 'C two'")
    code, problems = fsck(run, damaged)
    assert code == 1
    assert sorted(problems) == sorted(
        [
            "b.txt v3: its paragraph list is not a JSON array",
            "b.txt v1: refers to missing paragraphs 999999",
            "b.txt v2: its paragraph list holds something other than ids",
            f"c.txt v1: refers to missing paragraphs {gone}",
            "paragraph_changes: 1 row belonging to paragraphs that are gone",
        ]
    )


# -- 6. read-only databases ----------------------------------------------------------------------

#: prctl(PR_CAPBSET_DROP, cap): take a capability out of the bounding set, so a program run
#: after it (exec) never has it. CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH and CAP_FOWNER are what
#: let root ignore file permissions.
PR_CAPBSET_DROP = 24
FILE_PERMISSION_CAPABILITIES = (1, 2, 3)


def obey_file_permissions() -> None:
    """preexec_fn: make the child obey file permissions, even when it runs as root."""
    if os.geteuid() != 0:
        return  # an ordinary user obeys them already
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in FILE_PERMISSION_CAPABILITIES:
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "cannot drop a capability")


def tracker_run(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The real `tracker`, in a process that cannot write what its permissions forbid."""
    return subprocess.run(
        [*tracker_command(), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        preexec_fn=obey_file_permissions,
        env={k: v for k, v in os.environ.items() if k != "TRACKER_DB"},
    )


def make_read_only(db: Path, folder_too: bool) -> None:
    db.chmod(0o444)
    if folder_too:
        db.parent.chmod(0o555)


def check_really_read_only(db: Path) -> None:
    """The child must see what a user of a read-only file sees, or the test proves nothing."""
    probe = (
        "import os, sys; db = sys.argv[1]\n"
        "try:\n    open(db, 'ab').close()\nexcept PermissionError:\n    sys.exit(0)\n"
        "sys.exit(3)"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", probe, str(db)], preexec_fn=obey_file_permissions, timeout=30
        )
    except subprocess.SubprocessError as error:
        pytest.skip(f"cannot run a process that obeys file permissions here: {error}")
    assert done.returncode == 0, "the child could still write the read-only file"


@pytest.fixture
def archived(tmp_path: Path):
    """A database with history, made read-only by the test (and writable again after it)."""
    folder = tmp_path / "archive"
    folder.mkdir()
    db = folder / "t.db"
    with Tracker(db) as tracker:
        tracker.record("notes.txt", "Alpha paragraph.\n\nBeta paragraph.\n", at="2024-01-01")
        tracker.record("notes.txt", "Alpha paragraph.\n\nGamma paragraph.\n", at="2024-02-01")
    yield db
    folder.chmod(0o755)
    db.chmod(0o644)


@pytest.mark.slow
@pytest.mark.parametrize("folder_too", [False, True], ids=["read-only-file", "read-only-folder"])
def test_every_read_command_works_on_a_read_only_database(archived, tmp_path, folder_too):
    """Read-only for real, as root too: ``chmod`` alone does not stop root (it ignores file
    permissions, and ``os.access`` says yes), ``chattr +i`` and read-only mounts need powers
    a test may not have. So the commands run in a child process that first gives up the three
    capabilities that let root bypass permissions (an ordinary user has none of them): what it
    may not write, it cannot, and the store's own ``writable()`` check sees that. The child is
    checked to really be unable to write the file before anything else."""
    make_read_only(archived, folder_too)
    check_really_read_only(archived)
    before = archived.read_bytes()
    expected = {
        ("log", "notes"): "v2",
        ("show", "notes"): "Gamma paragraph.",
        ("diff", "notes"): "Gamma",
        ("fsck",): "no problems",
        ("export",): "Beta paragraph.",
        ("search", "alpha"): "**Alpha**",
        ("timeline",): "notes.txt  v2",
        ("docs",): "notes.txt",
        ("blame", "notes", "--words", "--color", "never"): 'v2: "Gamma" v1: "paragraph."',
        ("trace", "notes", "2"): "modified: [-Beta-]{+Gamma+} paragraph.",
    }
    for args, wanted in expected.items():
        result = tracker_run(*args, "--db", archived)
        assert result.returncode == 0, (args, result.stderr)
        assert wanted in result.stdout, (args, result.stdout)
    out = tmp_path / "out.jsonl"
    assert tracker_run("export", "-o", out, "--db", archived).returncode == 0
    assert out.read_text().count("\n") == 2
    server, base = start_server(archived, preexec_fn=obey_file_permissions)
    try:
        assert fetch(f"{base}/t/versions.json")[0] == 200
        status, page = fetch(f"{base}/-/tracker/diff/t/notes.txt/2")
        assert status == 200 and b"Gamma" in page
        status, found = fetch(f"{base}/t/search.json?q=gamma&_shape=objects")
        assert status == 200 and json.loads(found)["rows"][0]["document"] == "notes.txt"
    finally:
        stop_server(server)
    assert archived.read_bytes() == before
    if folder_too:
        assert sorted(p.name for p in archived.parent.iterdir()) == ["t.db"]


@pytest.mark.slow
@pytest.mark.parametrize("folder_too", [False, True], ids=["read-only-file", "read-only-folder"])
def test_a_write_on_a_read_only_database_is_one_line_and_changes_nothing(
    archived, tmp_path, folder_too
):
    """As above, read-only for real in a child process (see the test of the read commands)."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "new.txt").write_text("new\n")
    source = tmp_path / "h.jsonl"
    source.write_text(json.dumps({"doc": "imported.txt", "text": "x\n"}) + "\n")
    repo = Repo(tmp_path / "repo")
    repo.write("r.txt", "from git\n")
    repo.commit("Add r")
    make_read_only(archived, folder_too)
    check_really_read_only(archived)
    before = archived.read_bytes()
    for args in (
        ("snapshot", docs),
        ("import", source),
        ("import-git", repo.path),
        ("watch", docs),
    ):
        result = tracker_run(*args, "--db", archived)
        assert result.returncode == 1, (args, result.stderr)
        assert result.stderr.startswith("Error: database "), (args, result.stderr)
        assert "is read-only" in result.stderr and len(result.stderr.splitlines()) == 1
    assert archived.read_bytes() == before
    assert not (archived.parent / "t.db.watch.lock").exists()


@pytest.mark.slow
def test_changes_left_in_the_wal_of_a_read_only_folder_are_an_error_not_a_stale_read(tmp_path):
    folder = tmp_path / "copy"
    folder.mkdir()
    live = tmp_path / "live.db"
    with Tracker(live) as tracker:
        tracker.record("a.txt", "first\n", at="2024-01-01")
        tracker.store.conn.execute("pragma wal_autocheckpoint = 0")
        tracker.record("a.txt", "second\n", at="2024-01-02")
        for suffix in ("", "-wal"):  # copied while open: the second version is in the -wal
            (folder / f"t.db{suffix}").write_bytes(Path(f"{live}{suffix}").read_bytes())
    db = folder / "t.db"
    make_read_only(db, folder_too=True)
    try:
        check_really_read_only(db)
        result = tracker_run("log", "a.txt", "--db", db)
    finally:
        folder.chmod(0o755)
    assert result.returncode == 1
    assert result.stderr == (
        f"Error: {db} cannot be read here: its latest changes are in t.db-wal, which SQLite"
        " cannot read without creating t.db-shm in a folder it may not write; copy the database"
        " and its -wal file to a writable folder\n"
    )


# -- 7. a --db in a folder that does not exist ---------------------------------------------------


@pytest.mark.slow
def test_no_writing_command_creates_a_missing_folder(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("a\n")
    source = tmp_path / "h.jsonl"
    source.write_text(json.dumps({"doc": "x.txt", "text": "x\n"}) + "\n")
    repo = Repo(tmp_path / "repo")
    repo.write("r.txt", "r\n")
    repo.commit("Add r")
    missing = tmp_path / "nonexistent" / "dir"
    for args in (
        ("snapshot", docs),
        ("import", source),
        ("import-git", repo.path),
        ("watch", docs),
    ):
        result = tracker_run(*args, "--db", missing / "x.db")
        assert result.returncode == 1, (args, result.stderr)
        assert result.stderr == (
            f"Error: cannot create {missing / 'x.db'}: folder {missing} does not exist"
            " (create it first, or choose another --db)\n"
        ), args
    assert not (tmp_path / "nonexistent").exists()
    blocked = tmp_path / "file"
    blocked.write_text("a file where the folder should be")
    result = tracker_run("snapshot", docs, "--db", blocked / "x.db")
    assert result.returncode == 1
    assert result.stderr.startswith(
        f"Error: cannot create {blocked / 'x.db'}: folder {blocked} is not a folder"
    )


def test_the_default_folder_is_created_in_a_fresh_directory_and_only_for_writes(
    run, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRACKER_DB", raising=False)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("a\n")
    read = run("log", "a.txt")
    assert read.exit_code == 1 and read.stderr.startswith("Error: no database at snapshots/")
    assert not (tmp_path / "snapshots").exists()
    assert run("snapshot", docs).exit_code == 0
    assert (tmp_path / "snapshots" / "tracker.db").is_file()
    assert run("log", "a.txt").exit_code == 0


def test_a_file_named_like_the_default_folder_is_a_one_line_error(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRACKER_DB", raising=False)
    (tmp_path / "snapshots").write_text("not a folder")
    docs = tmp_path / "docs"
    docs.mkdir()
    result = run("snapshot", docs)
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: cannot create snapshots/tracker.db: folder snapshots is not a folder"
        " (create it first, or choose another --db)\n"
    )
    assert (tmp_path / "snapshots").read_text() == "not a folder"


# -- 8. text that looks like search marks --------------------------------------------------------


def test_cli_search_marks_only_the_hits_whatever_the_text_holds(run, db):
    with Tracker(db) as tracker:
        tracker.record(
            "h.txt", "fake \x02gotcha\x03 marks and a real needle here\n", at="2024-01-01"
        )
    result = run("search", "needle", db=db)
    assert result.stdout == (
        "h.txt  v1  paragraph 1: fake \\x02gotcha\\x03 marks and a real **needle** here\n"
    )
    data = json.loads(run("search", "needle", "--json", db=db).stdout)
    assert data[0]["snippet"] == "fake \x02gotcha\x03 marks and a real **needle** here"
    with Tracker(db) as tracker:  # marks made of control characters: the text's own are shown
        hits = tracker.search("needle", marks=("\x02", "\x03"))
        assert hits[0]["snippet"] == "fake \u2402gotcha\u2403 marks and a real \x02needle\x03 here"
        assert tracker.text("h.txt").count("\x02") == 1  # the stored text is untouched


def test_cli_search_in_colour_bolds_only_the_hits_and_escapes_the_rest(run, db):
    with Tracker(db) as tracker:
        tracker.record(
            "h.txt",
            "fake \x02gotcha\x03 and \x1b[1mbold\x1b[22m text with a real needle here\n",
            at="2024-01-01",
        )
    for argv in (["needle"], ["needle", "--all-versions"]):
        line = run("search", *argv, "--color", "always", db=db).stdout
        assert line.endswith(
            ": fake \u2402gotcha\u2403 and \\x1b[1mbold\\x1b[22m text with a real"
            " \x1b[1mneedle\x1b[22m here\n"
        )
        assert line.count("\x1b") == 2  # the text's own escapes are shown, not sent
        plain = run("search", *argv, "--color", "never", db=db).stdout
        assert plain.endswith("a real **needle** here\n") and "\x1b" not in plain
    assert "\x1b" not in run("search", "needle", db=db).stdout  # auto: not a terminal


# -- 9. import-git globs that match nothing ------------------------------------------------------


def test_import_git_says_when_no_file_matches_and_exits_1(run, tmp_path):
    repo = Repo(tmp_path / "repo")
    repo.write("Policies/a.md", "a\n")
    repo.commit("Add a")
    repo.write("Policies/a.md", "a, edited\n")
    repo.commit("Edit a")
    db = tmp_path / "t.db"
    for _ in range(2):  # nothing is remembered, so a second run says it again
        result = run("import-git", repo.path, "--path", "policies/*.md", "--path", "*.rst", db=db)
        assert result.exit_code == 1
        assert result.stderr == (
            f"warning: no file in the history of branch 'main' of {repo.path} matches"
            " 'policies/*.md', '*.rst' (2 commits read): nothing imported\n"
        )
        assert result.stdout == "2 commits, 0 new versions, 0 unchanged\n"
    assert not db.exists()  # nor a new database left behind
    good = run("import-git", repo.path, "--path", "Policies/*.md", db=db)
    assert good.exit_code == 0 and good.stdout == "2 commits, 2 new versions, 0 unchanged\n"
    again = run("import-git", repo.path, "--path", "Policies/*.md", db=db)  # up to date: fine
    assert again.exit_code == 0 and again.stderr == ""
    assert "exits 1" in run("import-git", "--help").stdout


# -- a damaged file is only ever read ------------------------------------------------------------


def test_fsck_reads_only(run, damaged):
    pid = shared_paragraph(damaged)
    execute(damaged, "update paragraphs set text = cast(x'ff' as text) where id = ?", [pid])
    digest = hashlib.sha256(damaged.read_bytes()).hexdigest()
    assert fsck(run, damaged)[0] == 1
    assert hashlib.sha256(damaged.read_bytes()).hexdigest() == digest


# -- Ctrl-C while a commit is under way ----------------------------------------------------------

#: Runs the CLI with every SQLite connection sending this process SIGINT when it starts to run
#: COMMIT, as a Ctrl-C landing during the commit would (SQLite itself is not touched).
CTRL_C_AT_COMMIT = """
import os, signal, sqlite3, sys
connect = sqlite3.connect
def at_commit(sql):
    if sql.strip().lower() == "commit":
        os.kill(os.getpid(), signal.SIGINT)
def traced(*args, **kwargs):
    conn = connect(*args, **kwargs)
    conn.set_trace_callback(at_commit)
    return conn
sqlite3.connect = traced
from tracker.cli import cli
cli(sys.argv[1:], prog_name="tracker")
"""


def test_ctrl_c_during_the_commit_says_the_work_is_stored(run, folder, db):
    (folder / "a.txt").write_text("One.\n")
    run("snapshot", folder, "--db", db)
    (folder / "a.txt").write_text("One.\n\nTwo.\n")
    done = subprocess.run(
        [sys.executable, "-c", CTRL_C_AT_COMMIT, "snapshot", str(folder), "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 130
    assert done.stderr.strip() == (
        "Stopped by Ctrl-C, after the changes were committed: they are stored."
    )
    assert "Aborted" not in done.stderr
    with Tracker(db, create=False) as tracker:
        [document] = tracker.documents()
        assert tracker.text(document.name) == "One.\n\nTwo.\n"


# -- values past what Python or SQLite can hold, names too long, notes that drive a terminal ----


@pytest.fixture
def small_db(tmp_path):
    db = tmp_path / "t.db"
    with Tracker(db) as tracker:
        tracker.record("a.txt", "One.\n", at="2024-01-01T00:00:00Z")
        tracker.record("a.txt", "Two.\n", at="2024-01-02T00:00:00Z", note="esc \x1b]0;x\x07\nnext")
    return db


HUGE = "99999999999999999999"
LONG = "x" * 300


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["timeline", "--limit", HUGE], 2, f"{HUGE} is too large"),
        (["snapshot", ".", "--max-bytes", HUGE], 2, f"{HUGE} is too large"),
        (["ignore", "remove", HUGE], 2, f"{HUGE} is too large"),
        (["watch", ".", "--debounce", "nan"], 2, "nan is not a number of seconds"),
        (["watch", ".", "--debounce", "inf"], 2, "inf is not in the range"),
        (["show", "a.txt", "--at", "0001-01-01T00:00:00+01:00"], 2, "cannot read version"),
        (["timeline", "--until", "9999-12-31T23:00-05:00"], 2, "cannot read time"),
        (["ignore", "add", "a{99999999999}"], 1, "too large to compile"),
        (["ignore", "add", "(" * 2000 + "a" + ")" * 2000], 1, "too large to compile"),
        (["checkout", LONG], 1, "File name too long"),
        (["snapshot", LONG], 1, "File name too long"),
        (["restore", "a.txt", "--to", LONG], 1, "File name too long"),
    ],
    ids=lambda value: value if isinstance(value, int) else None,
)
def test_values_out_of_range_and_names_too_long_are_one_line_errors(
    run, small_db, tmp_path, monkeypatch, args, code, message
):
    monkeypatch.chdir(tmp_path)
    result = run(*args, "--db", small_db)
    assert result.exit_code == code, result.output
    last = result.stderr.splitlines()[-1]
    assert last.startswith("Error: ") and message in last
    if code == 1:  # a usage error (2) comes after click's usage lines; anything else, alone
        assert result.stderr.count("\n") == 1
    with Tracker(small_db, create=False) as tracker:  # and nothing stored is lost
        assert [v.version for v in tracker.versions("a.txt")] == [1, 2]


@pytest.mark.parametrize(
    "nested", ["[" * 100_000 + "]" * 100_000, '{"doc": ' + "[" * 100_000 + "]" * 100_000 + "}"]
)
def test_json_nested_too_deep_is_a_malformed_record(run, tmp_path, nested):
    source = tmp_path / "deep.jsonl"
    source.write_text(nested + "\n")
    result = run("import", source, "--db", tmp_path / "t.db")
    assert result.exit_code == 1
    assert "nested too deep" in result.stderr and "nothing imported" in result.stderr


def test_log_and_ignore_list_print_notes_escaped_on_one_line(run, small_db):
    lines = run("log", "a.txt", "--db", small_db).stdout.splitlines()
    assert len(lines) == 2 and lines[1].endswith("esc \\x1b]0;x\\x07\\nnext")
    run("ignore", "add", "x", "--note", "two\nlines \x1b[2J", "--db", small_db)
    assert run("ignore", "list", "--db", small_db).stdout == "1  x  two\\nlines \\x1b[2J\n"


def test_one_name_in_two_folders_given_together_is_recorded_from_the_first_only(run, tmp_path):
    first, second, db = tmp_path / "a", tmp_path / "b", tmp_path / "t.db"
    for folder, text in ((first, "One.\n"), (second, "Two.\n")):
        folder.mkdir()
        (folder / "same.txt").write_text(text)
    for _ in range(2):  # it used to record both files, one over the other, on every run
        result = run("snapshot", first, second, "--db", db)
        assert result.exit_code == 0, result.output
        assert f"warning: same.txt: also in {first}, given first: skipped" in result.stderr
    assert result.stderr.endswith("0 new versions, 1 unchanged, 1 skipped\n")
    with Tracker(db, create=False) as tracker:
        assert [v.version for v in tracker.versions("same.txt")] == [1]
        assert tracker.text("same.txt", "latest") == "One.\n"
