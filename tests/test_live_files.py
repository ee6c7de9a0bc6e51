"""``tracker watch`` as real programs change files: odd names, locked folders, slow writers.

A :class:`WatchSession` with a real observer on a real folder, recording into a real SQLite file;
the helpers and the ``start`` fixture are test_live's.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from test_live import DEBOUNCE, Events, history, start, write, write_old

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


def test_a_safe_save_moving_the_file_aside_keeps_its_history(folder: Path, db: Path, start) -> None:
    """JetBrains' safe save: the new text in a temporary file, the file moved aside, the new one
    moved in, the moved-aside copy deleted. With no suffix both side names are watched; the move
    aside is no rename, or README's history would end up under a deleted name."""
    write_old(folder / "README", "first\n")
    _, events = start(debounce=0.2)  # the whole save fits in one quiet period
    write(folder / "README___jb_tmp___", "second\n")
    os.rename(folder / "README", folder / "README___jb_old___")
    os.rename(folder / "README___jb_tmp___", folder / "README")
    (folder / "README___jb_old___").unlink()
    events.version("README", "second\n")
    assert history(db, "README") == ["first\n", "second\n"]
    assert [e.kind for e in events.drain() if e.kind in ("renamed", "deleted")] == []
    with Tracker(db) as tracker:
        assert [d.name for d in tracker.documents()] == ["README"]


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


def test_a_skipped_file_held_back_through_a_full_scan_is_told_once(
    folder: Path, db: Path, start
) -> None:
    """A full scan leaves alone a file still open for writing or written a moment ago: it says
    nothing of it, so it is no news when the file is skipped again for the same reason."""
    session, events = start()
    data = folder / "data.log"
    data.write_bytes(b"\x00binary\n")
    next_event(events, lambda e: e.kind == "skipped" and e.doc == "data.log")
    for n in range(2):
        with data.open("ab") as handle:  # held back while open for writing
            handle.write(b"\x00more %d\n" % n)
            handle.flush()
            time.sleep(3 * DEBOUNCE)
            (folder / f"sub{n}").mkdir()  # a folder created: the whole folder is compared
            next_event(events, lambda e: e.kind == "rescanned")
        write(folder / f"z{n}.txt", "sentinel\n")  # closed: data.log is read, skipped again
        events.version(f"z{n}.txt")
    data.write_bytes(b"\x00busy\n")
    (folder / "sub").mkdir()  # at once: data.log was written less than a debounce ago
    next_event(events, lambda e: e.kind == "rescanned")
    write(folder / "z.txt", "sentinel\n")
    events.version("z.txt")
    time.sleep(3 * DEBOUNCE)
    session.stop()
    skipped = [e.doc for e in events.drain() if e.kind == "skipped"]
    assert skipped == ["data.log"]


# files still open for writing: recorded once closed


def test_a_file_written_bit_by_bit_through_one_handle_is_one_version(
    folder: Path, db: Path, start
) -> None:
    write_old(folder / "log.txt", "start\n")
    session, events = start()
    with open(folder / "log.txt", "a", encoding="utf-8") as handle:  # `(...; sleep 1) >> log.txt`
        for n in range(4):
            handle.write(f"line {n}\n")
            handle.flush()
            time.sleep(3 * DEBOUNCE)  # the writer pauses for longer than the quiet period
    final = "start\n" + "".join(f"line {n}\n" for n in range(4))
    events.version("log.txt", final)
    session.stop()
    assert history(db, "log.txt") == ["start\n", final]


def test_a_new_file_filled_slowly_is_not_first_recorded_empty(
    folder: Path, db: Path, start
) -> None:
    write_old(folder / "old.txt", "old result\n")
    session, events = start()
    new = open(folder / "new.txt", "w", encoding="utf-8")  # `slow_command > new.txt`
    old = open(folder / "old.txt", "w", encoding="utf-8")  # truncated: empty for a while
    try:
        old.write("half of the new ")
        old.flush()
        write(folder / "sub" / "a.txt", "a new folder: the whole folder is compared\n")
        events.wait_for(lambda e: e.kind == "rescanned")
        events.version("sub/a.txt")
        time.sleep(3 * DEBOUNCE)
    finally:
        new.write("result\n")
        new.close()
        old.write("result\n")
        old.close()
    events.version("new.txt", "result\n")
    events.version("old.txt", "half of the new result\n")
    session.stop()
    assert history(db, "new.txt") == ["result\n"]
    assert history(db, "old.txt") == ["old result\n", "half of the new result\n"]


def test_a_file_open_for_writing_too_long_is_recorded_all_the_same(
    folder: Path, db: Path, start
) -> None:
    session, events = start()
    session._watcher.max_open_delay = 0.3  # rather than 30 s: a log that is never closed
    with open(folder / "app.log", "w", encoding="utf-8") as handle:
        handle.write("started\n")
        handle.flush()
        events.version("app.log", "started\n")  # while it is still open
    moved = folder.parent / "moved.txt"
    moved.write_text("moved in\n")
    session._watcher.max_open_delay = 60.0
    moved.rename(folder / "moved.txt")  # created here, never opened here: not waited for
    events.version("moved.txt", "moved in\n")


# the watched folder itself moved away, replaced or unmounted


def test_the_watched_folder_moved_away_is_gone_then_its_replacement_is_watched(
    folder: Path, db: Path, start
) -> None:
    write_old(folder / "a.txt", "one\n")
    _, events = start()
    folder.rename(folder.parent / "old")  # inotify follows the folder, not its path
    events.wait_for(lambda e: e.kind == "error" and "gone" in e.reason)
    assert history(db, "a.txt") == ["one\n"]
    folder.mkdir()
    write(folder / "b.txt", "in the new folder\n")
    events.version("b.txt", "in the new folder\n")
    events.version("a.txt", kind="deleted")  # not in the folder at that path any more
    write(folder.parent / "old" / "a.txt", "changed where it went\n")
    write(folder / "c.txt", "sentinel\n")
    events.version("c.txt")
    assert history(db, "a.txt") == ["one\n", None]
    errors = [e.reason for e in events.drain() if e.kind == "error"]
    assert len(errors) == 1  # said once, not at every retry
    assert errors[0].startswith(f"{folder} is gone; waiting for it to come back")


def test_an_unmounted_folder_is_gone_not_emptied_then_watched_again(
    tmp_path: Path, db: Path, start
) -> None:
    mount = tmp_path / "mnt"
    mount.mkdir()
    tmpfs = ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)]
    if subprocess.run(tmpfs, capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        write_old(mount / "a.txt", "one\n")
        _, events = start(folder=mount)
        subprocess.run(["umount", str(mount)], check=True)
        event = events.wait_for(lambda e: e.kind == "error")
        assert "unmounted" in event.reason
        assert history(db, "a.txt") == ["one\n"]  # an empty mount point: nothing deleted
        subprocess.run(tmpfs, check=True)
        write(mount / "a.txt", "two\n")
        events.version("a.txt", "two\n")
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)
    assert history(db, "a.txt") == ["one\n", "two\n"]


def test_a_watched_folder_given_as_a_symlink_is_watched_and_so_is_a_new_target(
    tmp_path: Path, db: Path, start
) -> None:
    """``tracker watch ~/notes``, a symlink to the real folder: its catch-up reads through the
    link, and so must the live changes; pointed at another folder, the link's new target is the
    one watched."""
    for name in ("one", "two"):
        write_old(tmp_path / name / "a.txt", f"in {name}\n")
    link = tmp_path / "notes"
    link.symlink_to(tmp_path / "one", target_is_directory=True)
    _, events = start(folder=link)
    write(tmp_path / "one" / "a.txt", "edited in one\n")
    events.version("a.txt", "edited in one\n")
    replacement = tmp_path / "link.new"
    replacement.symlink_to(tmp_path / "two", target_is_directory=True)
    replacement.replace(link)
    events.version("a.txt", "in two\n")  # the new target differs: compared, as after a move
    write(tmp_path / "two" / "a.txt", "edited in two\n")
    events.version("a.txt", "edited in two\n")
    assert history(db, "a.txt") == ["in one\n", "edited in one\n", "in two\n", "edited in two\n"]
