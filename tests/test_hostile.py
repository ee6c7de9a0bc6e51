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


