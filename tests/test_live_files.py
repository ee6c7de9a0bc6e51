"""``tracker watch`` as real programs change files: odd names, locked folders, slow writers.

A :class:`WatchSession` with a real observer on a real folder, recording into a real SQLite file;
the helpers and the ``start`` fixture are test_live's.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from test_live import Events, history, start, write, write_old

from tracker import Tracker
from tracker.watch.events import WatchEvent

__all__ = ["start"]  # a fixture: imported to be used here

#: Real observers, timed on the wall clock: run with the full suite.
pytestmark = pytest.mark.slow

NOT_UTF8 = os.fsdecode(b"bad\xff.txt")


def next_event(events: Events, predicate: Callable[[WatchEvent], bool]) -> WatchEvent:
    """The first event matching that comes after those seen so far."""
    before = list(events.seen)
    return events.wait_for(lambda e: predicate(e) and not any(e is old for old in before))


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


def test_a_skipped_file_is_told_once_until_it_is_recorded_or_gone(
    folder: Path, db: Path, start
) -> None:
    session, events = start()
    data, blob = folder / "data.log", folder / "blob.txt"
    blob.write_bytes(b"\x00")
    for n in range(4):  # a program appending to a file that is not text: not a warning each time
        with data.open("ab") as handle:
            handle.write(b"\x00binary %d\n" % n)
        write(folder / f"z{n}.txt", "sentinel\n")
        events.version(f"z{n}.txt")
    write(data, "text now\n")
    events.version("data.log", "text now\n")
    data.write_bytes(b"\x00binary again\n")  # news again once it was recorded
    next_event(events, lambda e: e.kind == "skipped" and e.doc == "data.log")
    blob.unlink()
    write(folder / "z.txt", "sentinel\n")
    events.version("z.txt")
    blob.write_bytes(b"\x00")  # a new file of that name: news again
    next_event(events, lambda e: e.kind == "skipped" and e.doc == "blob.txt")
    session.stop()
    skipped = [(e.doc, e.reason) for e in events.drain() if e.kind == "skipped"]
    assert skipped == [
        ("blob.txt", "blob.txt: binary file (contains NUL bytes), skipped"),
        ("data.log", "data.log: binary file (contains NUL bytes), skipped"),
        ("data.log", "data.log: binary file (contains NUL bytes), skipped"),
        ("blob.txt", "blob.txt: binary file (contains NUL bytes), skipped"),
    ]
