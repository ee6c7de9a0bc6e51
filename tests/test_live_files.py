"""``tracker watch`` as real programs change files: odd names, locked folders, slow writers.

A :class:`WatchSession` with a real observer on a real folder, recording into a real SQLite file;
the helpers and the ``start`` fixture are test_live's.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_live import history, start, write, write_old

from tracker import Tracker

__all__ = ["start"]  # a fixture: imported to be used here

#: Real observers, timed on the wall clock: run with the full suite.
pytestmark = pytest.mark.slow

NOT_UTF8 = os.fsdecode(b"bad\xff.txt")


def test_live_names_that_cannot_be_documents_are_skipped_like_in_the_catch_up(
    folder: Path, db: Path, start
) -> None:
    write_old(folder / "a.txt", "tracked\n")
    write_old(folder / "b.txt", "to be renamed\n")
    _, events = start()
    # each in a batch of its own: a failing batch is retried with a full scan, which tells all
    for name in (" a.txt", "back\\slash.txt", NOT_UTF8):
        write(folder / name, "another file\n")  # " a.txt" would be stored as a.txt
        event = events.wait_for(lambda e, name=name: e.kind == "skipped" and e.doc == name)
        assert event.reason.startswith("cannot be tracked: ")
    (folder / "b.txt").rename(folder / "new\nline.txt")
    events.wait_for(lambda e: e.kind == "skipped" and e.doc == "new\nline.txt")
    events.version("b.txt", kind="deleted")
    write(folder / "fine.txt", "fine\n")
    events.version("fine.txt")
    assert [e.reason for e in events.drain() if e.kind == "error"] == []
    assert history(db, "a.txt") == ["tracked\n"]
    assert history(db, "b.txt") == ["to be renamed\n", None]
    with Tracker(db) as tracker:
        assert [d.name for d in tracker.documents()] == ["a.txt", "b.txt", "fine.txt"]
