import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracker import Tracker
from tracker.cli import all_commands, cli

SEEDS = Path(__file__).parent.parent / "seeds"
SEED_NAME = "000_fad7172ebc47f805.txt"


@pytest.fixture
def env(tmp_path):
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    return {"db": str(tmp_path / "t.db"), "folder": folder, "tmp": tmp_path}


def test_snapshot_log_show_docs(run, env):
    result = run("snapshot", env["folder"], db=env["db"])
    assert result.exit_code == 0, result.output
    assert f"{SEED_NAME}  v1  new, 16 paragraphs" in result.stdout
    assert "1 new version, 0 unchanged, 0 skipped" in result.stderr

    again = run("snapshot", env["folder"], db=env["db"])
    assert "0 new versions, 1 unchanged" in again.stderr

    seed = env["folder"] / SEED_NAME
    seed.write_bytes(seed.read_bytes() + b"\nA new closing line.")
    run("snapshot", env["folder"], db=env["db"])

    log = run("log", "000", db=env["db"])
    lines = log.stdout.splitlines()
    assert lines[0].startswith("v1  ") and "5,265 bytes  16 paragraphs" in lines[0]
    assert lines[1].startswith("v2  ") and "17 paragraphs  +1 -0 ~0" in lines[1]

    entries = json.loads(run("log", "000", "--json", db=env["db"]).stdout)
    assert [e["version"] for e in entries] == [1, 2]
    assert {"version", "captured_at", "sha256", "bytes", "paragraphs", "deleted"} <= set(entries[0])
    assert entries[0]["deleted"] is False

    shown = run("show", "000", "--at", "v1", db=env["db"])
    assert shown.stdout_bytes == (SEEDS / SEED_NAME).read_bytes()  # byte for byte, no newline
    assert run("show", "000", db=env["db"]).stdout_bytes == seed.read_bytes()

    docs = json.loads(run("docs", "--json", db=env["db"]).stdout)
    assert docs == [
        {
            "name": SEED_NAME,
            "versions": 2,
            "latest_version": 2,
            "last_change": entries[1]["captured_at"],
            "state": "present",
            "deleted": False,
            "split_mode": "line",
            "created_at": entries[0]["captured_at"],
        }
    ]


def test_deletion_shows_in_log(run, env):
    run("snapshot", env["folder"], db=env["db"])
    (env["folder"] / SEED_NAME).unlink()
    result = run("snapshot", env["folder"], db=env["db"])
    assert f"{SEED_NAME}  v2  deleted" in result.stdout
    entries = json.loads(run("log", "000", "--json", db=env["db"]).stdout)
    assert entries[1]["deleted"] is True
    assert "deleted" in run("docs", db=env["db"]).stdout


@pytest.mark.parametrize(
    "args,message",
    [
        (["log", "zzz"], "Error: no document matches 'zzz'; `tracker docs` lists them"),
        (
            ["show", "000", "--at", "v7"],
            f"Error: no version v7 of {SEED_NAME}: {SEED_NAME} has v1..v1",
        ),
    ],
)
def test_read_errors(run, env, args, message):
    run("snapshot", env["folder"], db=env["db"])
    result = run(*args, db=env["db"])
    assert result.exit_code == 1
    assert result.stderr.startswith(message)
    assert "Traceback" not in result.output


VERSION_FORMS = "use v3, 3, first, latest, latest~2 or an ISO date"
TIME_FORMS = "use an ISO date (2026-11-24) or date-time (2026-11-24T18:02:11Z)"


@pytest.mark.parametrize(
    "args,message",
    [
        (["show", "000", "--at", "soon"], f"'--at': cannot read version 'soon': {VERSION_FORMS}"),
        (["show", "000", "--at", "2026-13-45"], "'--at': cannot read version '2026-13-45'"),
        (["restore", "000", "--at", "vv1"], "'--at': cannot read version 'vv1'"),
        (["blame", "000", "--at", "latest~x"], "'--at': cannot read version 'latest~x'"),
        (["trace", "000", "1", "--at", "v1.5"], "'--at': cannot read version 'v1.5'"),
        (["diff", "000", "--since", "yesterday"], "'--since': cannot read version 'yesterday'"),
        (["diff", "000", "--until", "nope"], "'--until': cannot read version 'nope'"),
        (["diff", "000", "v1..vv2"], "'[RANGE]': cannot read version 'vv2'"),
        (["diff", "000", "first"[::-1]], "'[RANGE]': cannot read version 'tsrif'"),
        (
            ["timeline", "--since", "last week"],
            f"'--since': cannot read time 'last week': {TIME_FORMS}",
        ),
        (["timeline", "--until", "2024-02-30"], "'--until': cannot read time '2024-02-30'"),
        (["checkout", "-", "--at", "now"], "'--at': cannot read time 'now'"),
    ],
)
def test_malformed_versions_and_times_are_usage_errors(run, env, args, message):
    """A value that cannot be a version or a time is a usage error (2), told before anything is
    opened; a well-formed one that names no version is an error of the history (1, above)."""
    run("snapshot", env["folder"], db=env["db"])
    result = run(*args, db=env["db"])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Usage: ")
    assert result.stderr.splitlines()[-1].startswith("Error: Invalid value for " + message)
    assert "Traceback" not in result.output


def test_ambiguous_prefix(run, env):
    (env["folder"] / "001_second.txt").write_text("x\n")
    run("snapshot", env["folder"], db=env["db"])
    result = run("log", "00", db=env["db"])
    assert result.exit_code == 1
    assert result.stderr == (f"Error: '00' matches 2 documents: {SEED_NAME}, 001_second.txt\n")


def test_read_command_without_database(run, tmp_path):
    db = tmp_path / "missing.db"
    result = run("log", "000", db=str(db))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: no database at {db}: record documents first")
    assert not db.exists()


def test_corrupt_database(run, tmp_path):
    db = tmp_path / "bad.db"
    db.write_bytes(b"garbage" * 1000)
    result = run("docs", db=str(db))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {db} is not a tracker database (file is not a database)\n"
    assert db.read_bytes() == b"garbage" * 1000


def test_a_damaged_tracker_database_is_called_damaged_not_foreign(run, tmp_path):
    db = tmp_path / "t.db"
    with Tracker(db) as tracker:
        for n in range(30):
            tracker.record(f"d{n}.txt", f"Paragraph {n}.\n\nAnother one.\n", at="2024-01-01")
    with sqlite3.connect(db) as conn:  # everything in the main file, no WAL beside it
        conn.execute("pragma journal_mode = delete")
    data = bytearray(db.read_bytes())
    data[4096 * 3 : 4096 * 4] = b"\xaa" * 4096  # one page of the tables overwritten
    db.write_bytes(bytes(data))
    result = run("docs", db=str(db))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: database {db} is damaged (database disk image is malformed):"
        " run `tracker fsck` to see where\n"
    )


def test_bad_files_are_skipped_with_warnings(run, env):
    folder = env["folder"]
    (folder / "binary.txt").write_bytes(b"abc\x00def")
    (folder / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "big.txt").write_bytes(b"x" * 20000)
    outside = env["tmp"] / "outside.txt"
    outside.write_text("secret\n")
    (folder / "link.txt").symlink_to(outside)
    locked = folder / "locked.txt"
    locked.write_text("locked\n")
    locked.chmod(0)
    try:
        result = run("snapshot", folder, "--max-bytes", "10000", db=env["db"])
    finally:
        locked.chmod(0o644)
    assert result.exit_code == 0
    err = result.stderr
    assert "warning: binary.txt: binary file (contains NUL bytes), skipped" in err
    assert "warning: latin1.txt: not valid UTF-8 (byte 3), skipped" in err
    assert "warning: big.txt: 20,000 bytes is over the 10,000-byte limit, skipped" in err
    assert "warning: link.txt: symlink pointing outside the folder, not followed" in err
    if os.geteuid() != 0:  # root reads anything
        assert "warning: locked.txt: permission denied, skipped" in err
    recorded = {line.split()[0] for line in result.stdout.splitlines()}
    assert {SEED_NAME, "empty.txt"} <= recorded  # the rest of the folder is recorded
    assert "binary.txt" not in recorded and "link.txt" not in recorded
    assert run("show", "empty", db=env["db"]).stdout_bytes == b""


def test_explicit_bad_file_fails(run, env):
    (env["folder"] / "binary.bin").write_bytes(b"\x00\x01")
    result = run("snapshot", env["folder"] / "binary.bin", db=env["db"])
    assert result.exit_code == 1
    assert "binary file (contains NUL bytes)" in result.stderr


def test_missing_path(run, env):
    result = run("snapshot", env["tmp"] / "nowhere", db=env["db"])
    assert result.exit_code == 1
    assert result.stderr == f"Error: {env['tmp'] / 'nowhere'}: no such file or folder\n"


def test_json_snapshot(run, env):
    result = run("snapshot", env["folder"], "--json", db=env["db"])
    data = json.loads(result.stdout)
    assert data["recorded"][0]["doc"] == SEED_NAME
    assert data["recorded"][0]["version"] == 1
    assert data["skipped"] == [] and data["renamed"] == []


def test_tracker_db_environment_variable(env):
    result = CliRunner().invoke(
        cli, ["snapshot", str(env["folder"])], env={"TRACKER_DB": env["db"]}
    )
    assert result.exit_code == 0
    assert Path(env["db"]).exists()


def test_default_database_location(run, env, monkeypatch):
    monkeypatch.chdir(env["tmp"])
    monkeypatch.delenv("TRACKER_DB", raising=False)
    result = run("snapshot", env["folder"])
    assert result.exit_code == 0
    assert (env["tmp"] / "snapshots" / "tracker.db").is_file()  # parent folder created


def test_python_dash_m_and_help(run, tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "tracker", "--help"], capture_output=True, text=True, check=True
    )
    assert "snapshot" in out.stdout and "Example:" in out.stdout
    for command in all_commands():
        help_text = run(command, "--help").stdout
        assert "Example:" in help_text, command


#: What a re-scan that finds no change must not import: the web front end, the watcher, the
#: cluster, fuzzy matching, the diff engine, hashing, the schema tools and the record classes,
#: whose dataclasses are slow to build. Start-up time counts: a re-scan of 10,000 files is
#: measured against `git status` (bench/bench_snapshot.py).
NOT_ON_RESCAN = (
    "datasette",
    "dask",
    "distributed",
    "rapidfuzz",
    "diff_match_patch",
    "watchdog",
    "sqlite_utils",
    "hashlib",
    "tracker.models",
    "tracker.text.diff",
    "tracker.text.paragraphs",
    "tracker.text.classes",
    "tracker.history.prepare",
    "tracker.history.trace",
    "tracker.render.text",
    "tracker.corpus.importing",
    "tracker.watch",
    "tracker.web",
    # the other commands' modules: a command's module loads when it runs
    "tracker.cli.authorship",
    "tracker.cli.classes",
    "tracker.cli.corpus",
    "tracker.cli.diffs",
    "tracker.cli.serving",
    "tracker.cli.transfer",
    "tracker.cli.watching",
)

RESCAN_IN_A_FRESH_PROCESS = """
import json, sys
from tracker import Tracker
from tracker.cli import cli
try:
    cli(["snapshot", sys.argv[1], "--db", sys.argv[2]], prog_name="tracker")
except SystemExit as exit:
    assert not exit.code, exit.code
print(json.dumps(sorted(sys.modules)))
"""


def test_a_rescan_that_finds_no_change_imports_none_of_the_heavy_modules(run, env):
    """A folder snapshotted before, re-scanned in a new process with nothing changed: the
    library is opened, the folder walked and compared, and nothing else is loaded."""
    past = os.stat(env["folder"]).st_mtime - 60  # outside the racy window: trusted, not read
    for path in env["folder"].iterdir():
        os.utime(path, (past, past))
    assert run("snapshot", env["folder"], db=env["db"]).exit_code == 0
    out = subprocess.run(
        [sys.executable, "-c", RESCAN_IN_A_FRESH_PROCESS, str(env["folder"]), env["db"]],
        capture_output=True,
        text=True,
        check=True,
    )
    count = len(list(env["folder"].iterdir()))
    assert f"0 new versions, {count} unchanged, 0 skipped" in out.stderr
    loaded = json.loads(out.stdout)
    assert "tracker.scan.folder" in loaded  # the check looks at the process that did the work
    heavy = [m for m in loaded if any(m == h or m.startswith(h + ".") for h in NOT_ON_RESCAN)]
    assert heavy == []


def test_locked_database_is_one_line_error_and_keeps_data(run, env, monkeypatch):
    import sqlite3

    import tracker.store.base as store

    run("snapshot", env["folder"], db=env["db"])
    before = run("log", "000", "--json", db=env["db"]).stdout
    seed = env["folder"] / SEED_NAME
    seed.write_bytes(seed.read_bytes() + b"\nmore")
    holder = sqlite3.connect(env["db"], isolation_level=None)
    holder.execute("begin exclusive")
    monkeypatch.setattr(store, "BUSY_TIMEOUT_MS", 300)
    try:
        result = run("snapshot", env["folder"], db=env["db"])
    finally:
        holder.execute("rollback")
        holder.close()
    assert result.exit_code == 1
    assert result.stderr.strip().endswith("is locked by another process (waited 0.3 s)")
    assert result.stderr.startswith("Error: database ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert run("log", "000", "--json", db=env["db"]).stdout == before  # nothing lost
    assert "v2" in run("snapshot", env["folder"], db=env["db"]).stdout  # and it recovers


def test_file_deleted_between_listing_and_reading(env):
    from tracker import Tracker

    folder = env["folder"]
    (folder / "brief.txt").write_text("here for a moment\n")

    def accept(name: str) -> bool:
        # called after the file was listed and before it is read: delete it right then
        if name == "brief.txt":
            (folder / "brief.txt").unlink(missing_ok=True)
        return True

    with Tracker(env["db"]) as tracker:
        result = tracker.snapshot(folder, only=["brief.txt", SEED_NAME], accept=accept)
        assert [v.doc for v in result.recorded] == [SEED_NAME]
        assert "brief.txt" not in {d.name for d in tracker.documents()}


def test_foreign_sqlite_file_is_refused_and_left_untouched(run, tmp_path):
    import sqlite3

    db = tmp_path / "app.db"
    conn = sqlite3.connect(db)
    conn.execute("create table users (id, name)")
    conn.commit()
    conn.close()
    before = db.read_bytes()
    for args in (["docs"], ["snapshot", str(SEEDS)]):
        result = run(*args, db=str(db))
        assert result.exit_code == 1
        assert result.stderr == (
            f"Error: {db} is an SQLite database but not a tracker database; it was left untouched\n"
        )
    assert db.read_bytes() == before


def test_empty_file_is_not_turned_into_a_database_by_a_read(run, tmp_path):
    db = tmp_path / "empty.db"
    db.write_bytes(b"")
    result = run("docs", db=str(db))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {db} holds no tracker data yet")
    assert db.read_bytes() == b""


@pytest.mark.parametrize(
    "damage,message",
    [
        (
            "update paragraphs set text = 'tampered' where id = 3",
            "does not match its recorded sha256",
        ),
        ("delete from paragraphs where id = 3", "paragraph 3 is missing"),
        ("update versions set paragraph_ids = '[1,2,' where version = 1", "is not a JSON list"),
        ("update versions set layout = 'nonsense' where version = 1", "cannot be rebuilt"),
    ],
)
def test_damaged_database_is_an_error_not_wrong_bytes(run, env, damage, message):
    import sqlite3

    run("snapshot", env["folder"], db=env["db"])
    conn = sqlite3.connect(env["db"])
    conn.execute(damage)
    conn.commit()
    conn.close()
    result = run("show", "000", db=env["db"])
    assert result.exit_code == 1
    assert result.stdout_bytes == b""
    assert message in result.stderr and "tracker fsck" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_fsck_lists_a_damaged_paragraph_list_instead_of_failing(run, env):
    import sqlite3

    run("snapshot", env["folder"], db=env["db"])
    conn = sqlite3.connect(env["db"])
    conn.execute("update versions set paragraph_ids = '[1,2,' where version = 1")
    conn.commit()
    conn.close()
    result = run("fsck", db=env["db"])
    assert result.exit_code == 1
    assert f"{SEED_NAME} v1: its paragraph list is not a JSON array" in result.output


def test_document_named_by_its_path_on_disk(run, env, monkeypatch):
    sub = env["folder"] / "deep"
    sub.mkdir()
    (sub / "nested.md").write_text("nested\n")
    run("snapshot", env["folder"], db=env["db"])
    absolute = run("log", sub / "nested.md", db=env["db"])
    assert absolute.exit_code == 0 and absolute.stdout.startswith("v1  ")
    monkeypatch.chdir(env["tmp"])
    relative = run("show", "seeds/deep/nested.md", db=env["db"])  # relative to the shell's folder
    assert relative.stdout == "nested\n"
    monkeypatch.chdir(sub)
    assert run("show", "nested.md", db=env["db"]).stdout == "nested\n"  # also the file name
    missing = run("log", env["tmp"] / "elsewhere" / "nested.md", db=env["db"])
    assert missing.exit_code == 1 and "no document matches" in missing.stderr


def test_same_name_from_another_folder_is_warned(run, env):
    other = env["tmp"] / "other"
    other.mkdir()
    (other / SEED_NAME).write_text("a different file with the same name\n")
    run("snapshot", env["folder"], db=env["db"])
    result = run("snapshot", other, db=env["db"])
    assert f"warning: {SEED_NAME}: tracked from {env['folder'].resolve()}, now recorded from" in (
        result.stderr
    )
    assert f"{SEED_NAME}  v2" in result.stdout


def test_directory_as_database(run, tmp_path):
    result = run("docs", db=str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {tmp_path} is a directory, not a tracker database\n"
