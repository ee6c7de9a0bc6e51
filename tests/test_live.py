"""Tests for tracker.live: a WatchSession with a real observer recording into SQLite."""

from __future__ import annotations

import json
import os
import queue
import shlex
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import tracker.scan.folder as scan_folder
from tracker import Tracker
from tracker.errors import TrackerError
from tracker.watch import lock as watchlock
from tracker.watch.events import WatchEvent
from tracker.watch.hooks import CommandRunner
from tracker.watch.lock import WatcherRunning, WatchLock
from tracker.watch.session import WatchSession

TIMEOUT = 5.0  # upper bound for an outcome; tests normally finish far sooner
DEBOUNCE = 0.05

#: Real observers and processes, timed on the wall clock: run with the full suite.
pytestmark = pytest.mark.slow


class Events:
    """on_event callback handing events to the test thread through a queue."""

    def __init__(self) -> None:
        self.queue: queue.Queue[WatchEvent] = queue.Queue()
        self.seen: list[WatchEvent] = []

    def __call__(self, event: WatchEvent) -> None:
        self.queue.put(event)

    def wait_for(
        self, predicate: Callable[[WatchEvent], bool], timeout: float = TIMEOUT
    ) -> WatchEvent:
        """The first event, seen or coming, that matches; fail after timeout."""
        for event in self.seen:
            if predicate(event):
                return event
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"timed out; events so far: {self.describe()}")
            try:
                event = self.queue.get(timeout=remaining)
            except queue.Empty:
                continue
            self.seen.append(event)
            if predicate(event):
                return event

    def version(self, doc: str, content: str | None = None, kind: str = "version") -> WatchEvent:
        """Wait for a version (or deletion) of doc, with that exact content if given."""

        def match(event: WatchEvent) -> bool:
            if event.kind != kind or event.doc != doc:
                return False
            if content is None:
                return True
            return event.version.sha256 == _sha(content)

        return self.wait_for(match)

    def drain(self) -> list[WatchEvent]:
        """Take what has already been delivered (after the session stopped)."""
        while True:
            try:
                self.seen.append(self.queue.get_nowait())
            except queue.Empty:
                return self.seen

    def kinds(self, doc: str) -> list[str]:
        return [e.kind for e in self.drain() if e.doc == doc]

    def describe(self) -> list[tuple[str, str]]:
        return [(e.kind, e.doc) for e in self.seen]


def _sha(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def write_old(path: Path, text: str) -> None:
    """Write a file as if long ago (files written a moment ago wait a debounce to settle)."""
    write(path, text)
    past = time.time() - 60
    os.utime(path, (past, past))


@pytest.fixture
def start(folder: Path, db: Path) -> Iterator[Callable[..., tuple[WatchSession, Events]]]:
    """Start sessions (waiting for their catch-up) and stop them all after the test."""
    sessions: list[WatchSession] = []

    def make(**kwargs: Any) -> tuple[WatchSession, Events]:
        events = Events()
        kwargs.setdefault("debounce", DEBOUNCE)
        session = WatchSession(kwargs.pop("folder", folder), kwargs.pop("db", db), events, **kwargs)
        sessions.append(session)
        session.start()
        events.wait_for(lambda e: e.kind == "caught_up")
        return session, events

    yield make
    for session in sessions:
        session.stop()


def history(db: Path, doc: str) -> list[str | None]:
    """Each version's text (None for a deletion), read with a separate connection."""
    with Tracker(db) as tracker:
        return [None if v.deleted else tracker.rebuild(v) for v in tracker.versions(doc)]


# start-up and catch-up


def test_catch_up_records_existing_files_before_live_changes(folder: Path, db: Path, start) -> None:
    write_old(folder / "a.txt", "one\n")
    write_old(folder / "sub" / "b.md", "two\n")
    write_old(folder / "photo.jpg", "not text by name\n")
    session, events = start()
    kinds = [(e.kind, e.doc) for e in events.seen]
    assert kinds[0] == ("started", "")
    assert events.seen[0].counts == {"documents": 0}
    assert set(kinds[1:-1]) == {("version", "a.txt"), ("version", "sub/b.md")}
    assert events.seen[-1].counts["recorded"] == 2
    write(folder / "a.txt", "one\n\nmore\n")
    event = events.version("a.txt", "one\n\nmore\n")
    assert event.version.version == 2
    assert (event.version.added, event.version.removed) == (1, 0)


def test_catch_up_records_what_changed_while_stopped(folder: Path, db: Path, start) -> None:
    write_old(folder / "keep.txt", "same\n")
    write_old(folder / "edit.txt", "before\n")
    write_old(folder / "gone.txt", "bye\n")
    write_old(folder / "old-name.txt", "moving content\n")
    session, _ = start()
    session.stop()
    write(folder / "edit.txt", "after\n")
    (folder / "gone.txt").unlink()
    os.rename(folder / "old-name.txt", folder / "new-name.txt")
    _, events = start()
    assert events.seen[-1].counts["deleted"] == events.seen[-1].counts["renamed"] == 1
    assert ("renamed", "new-name.txt") in events.describe()
    events.version("edit.txt", "after\n")  # maybe just after the catch-up: written < debounce ago
    assert history(db, "edit.txt") == ["before\n", "after\n"]
    assert history(db, "gone.txt") == ["bye\n", None]
    assert history(db, "new-name.txt") == ["moving content\n"]
    with Tracker(db) as tracker:
        assert [r["from"] for r in tracker.renames("new-name.txt")] == ["old-name.txt"]


def test_catch_up_leaves_documents_outside_the_filters_alone(folder: Path, db: Path, start) -> None:
    write_old(folder / "script.py", "print(1)\n")
    write_old(folder / "notes.txt", "notes\n")
    with Tracker(db) as tracker:
        tracker.snapshot(folder)  # no suffix filter: script.py is tracked too
    _, events = start()
    assert events.seen[-1].counts["deleted"] == 0
    assert history(db, "script.py") == ["print(1)\n"]


# editors' ways of saving


def test_in_place_edit(folder: Path, db: Path, start) -> None:
    write_old(folder / "a.txt", "v1\n")
    _, events = start()
    with open(folder / "a.txt", "a", encoding="utf-8") as handle:
        handle.write("\nappended\n")
    events.version("a.txt", "v1\n\nappended\n")
    assert history(db, "a.txt") == ["v1\n", "v1\n\nappended\n"]


def test_burst_of_writes_gives_one_version_of_the_final_content(
    folder: Path, db: Path, start
) -> None:
    write_old(folder / "a.txt", "start\n")
    _, events = start(debounce=0.3)  # wide enough that the burst surely fits in it
    for i in range(50):
        write(folder / "a.txt", f"draft {i}\n")
    events.version("a.txt", "draft 49\n")
    assert history(db, "a.txt") == ["start\n", "draft 49\n"]


def test_burst_longer_than_the_quiet_period_gives_one_version(
    folder: Path, db: Path, start
) -> None:
    """Writes every 60 ms for a second with a 100 ms debounce: one version, the final text."""
    write_old(folder / "a.txt", "start\n")
    _, events = start(debounce=0.1, max_delay=60.0)
    began = time.monotonic()
    for i in range(17):  # the writer's own pace, not a wait for anything
        time.sleep(max(0.0, began + 0.06 * i - time.monotonic()))
        write(folder / "a.txt", f"draft {i}\n")
    events.version("a.txt", "draft 16\n")
    assert history(db, "a.txt") == ["start\n", "draft 16\n"]


def test_a_file_written_again_as_its_batch_is_cut_waits_for_the_next(
    folder: Path, db: Path, start
) -> None:
    """A writer that starts over (truncates, writes a first chunk) just as the quiet period
    ends: the recorder sees the file was modified within the debounce, puts it back, and
    records it once the writer is done, never half-written."""
    write_old(folder / "a.txt", "start\n")
    session, events = start(debounce=0.1, max_delay=60.0)
    recorder = session._recorder
    record = recorder.record
    cut: list[set[str]] = []

    def record_while_written(batch):  # on the worker thread, as the batch is recorded
        if not cut and "a.txt" in batch.paths:
            cut.append(set(batch.paths))
            write(folder / "a.txt", "the first ha")  # a chunk, right as the batch is cut
            record(batch)
            write(folder / "a.txt", "the first half and the second half\n")  # the rest
            return
        record(batch)

    recorder.record = record_while_written
    write(folder / "a.txt", "draft\n")
    events.version("a.txt", "the first half and the second half\n")
    assert cut == [{"a.txt"}]
    assert history(db, "a.txt") == ["start\n", "the first half and the second half\n"]


@pytest.mark.parametrize("temp", [".a.txt.swp", "a.txt.tmp", ".goutputstream-X1", "a.txt~"])
def test_atomic_save_via_temp_and_replace(folder: Path, db: Path, start, temp: str) -> None:
    write_old(folder / "a.txt", "old\n")
    _, events = start(debounce=0.2)
    write(folder / temp, "new\n")
    os.replace(folder / temp, folder / "a.txt")
    events.version("a.txt", "new\n")
    assert history(db, "a.txt") == ["old\n", "new\n"]
    assert all(e.kind != "renamed" and e.doc != temp for e in events.drain())


def test_vim_style_save(folder: Path, db: Path, start) -> None:
    """vim: probe 4913, rename to a~ backup, write a new file, remove the backup: one version."""
    write_old(folder / "a.txt", "old\n")
    _, events = start(debounce=0.2)  # the whole save fits in one quiet period
    write(folder / "4913", "")
    (folder / "4913").unlink()
    os.rename(folder / "a.txt", folder / "a.txt~")
    write(folder / "a.txt", "new\n")
    (folder / "a.txt~").unlink()
    events.version("a.txt", "new\n")
    assert history(db, "a.txt") == ["old\n", "new\n"]


def test_delete_and_recreate_keeps_one_history(folder: Path, db: Path, start) -> None:
    """Delete + re-create within the debounce window is one new version, not a deletion.

    Were the two split over two batches, a deletion would be recorded in between and the
    re-created file would continue the same document's history (v3 after v2 deleted).
    """
    write_old(folder / "a.txt", "old\n")
    _, events = start(debounce=0.2)
    (folder / "a.txt").unlink()
    write(folder / "a.txt", "new\n")
    events.version("a.txt", "new\n")
    assert history(db, "a.txt") == ["old\n", "new\n"]


# renames, deletions, folders


def test_rename_keeps_history_under_the_new_name(folder: Path, db: Path, start) -> None:
    write_old(folder / "a.txt", "first\n")
    _, events = start()
    write(folder / "a.txt", "second\n")
    events.version("a.txt", "second\n")
    os.rename(folder / "a.txt", folder / "b.txt")
    renamed = events.wait_for(lambda e: e.kind == "renamed")
    assert (renamed.old_name, renamed.doc) == ("a.txt", "b.txt")
    assert renamed.as_dict()["from"] == "a.txt"
    write(folder / "b.txt", "third\n")
    events.version("b.txt", "third\n")
    assert history(db, "b.txt") == ["first\n", "second\n", "third\n"]
    assert "deleted" not in events.kinds("a.txt")
    with Tracker(db) as tracker:
        assert [d.name for d in tracker.documents()] == ["b.txt"]


def test_move_into_a_subfolder_keeps_history(folder: Path, db: Path, start) -> None:
    write_old(folder / "a.txt", "content\n")
    (folder / "archive").mkdir()
    _, events = start()
    os.rename(folder / "a.txt", folder / "archive" / "a.txt")
    events.wait_for(lambda e: e.kind == "renamed" and e.doc == "archive/a.txt")
    assert history(db, "archive/a.txt") == ["content\n"]


def test_rename_of_a_folder_keeps_histories(folder: Path, db: Path, start) -> None:
    write_old(folder / "drafts" / "a.txt", "a\n")
    write_old(folder / "drafts" / "b.txt", "b\n")
    _, events = start()
    os.rename(folder / "drafts", folder / "final")
    events.wait_for(lambda e: e.kind == "renamed" and e.doc == "final/a.txt")
    events.wait_for(lambda e: e.kind == "renamed" and e.doc == "final/b.txt")
    with Tracker(db) as tracker:
        assert sorted(d.name for d in tracker.documents()) == ["final/a.txt", "final/b.txt"]


def test_delete_is_recorded(folder: Path, db: Path, start) -> None:
    write_old(folder / "a.txt", "bye\n")
    _, events = start()
    (folder / "a.txt").unlink()
    event = events.version("a.txt", kind="deleted")
    assert event.version.deleted and event.version.version == 2
    assert event.as_dict()["event"] == "deleted"
    assert history(db, "a.txt") == ["bye\n", None]


@pytest.mark.filterwarnings("ignore:Callback with id:RuntimeWarning")
def test_new_subfolder_with_files_is_picked_up(folder: Path, db: Path, start) -> None:
    _, events = start()
    (folder / "new" / "deeper").mkdir(parents=True)
    write(folder / "new" / "deeper" / "a.txt", "a\n")
    write(folder / "new" / "b.md", "b\n")
    events.version("new/deeper/a.txt", "a\n")
    events.version("new/b.md", "b\n")


def test_editor_and_temp_files_are_ignored(folder: Path, db: Path, start) -> None:
    _, events = start()
    for name in [".a.txt.swp", "a.txt~", "4913", "x.tmp", ".hidden.txt", "#a.txt#", "photo.jpg"]:
        write(folder / name, "noise\n")
    write(folder / ".git" / "config", "noise\n")
    write(folder / "zz-sentinel.txt", "signal\n")  # recorded after (or with) the noise
    events.version("zz-sentinel.txt")
    with Tracker(db) as tracker:
        assert [d.name for d in tracker.documents()] == ["zz-sentinel.txt"]
    assert {e.doc for e in events.drain() if e.kind not in ("started", "caught_up")} == {
        "zz-sentinel.txt"
    }


def test_include_and_exclude(folder: Path, db: Path, start) -> None:
    _, events = start(include=["*.py", "*.txt"], exclude=["drafts"])
    write(folder / "drafts" / "a.txt", "draft\n")
    write(folder / "notes.md", "not included\n")
    write(folder / "tool.py", "print()\n")
    events.version("tool.py")
    write(folder / "zz.txt", "sentinel\n")
    events.version("zz.txt")
    with Tracker(db) as tracker:
        assert [d.name for d in tracker.documents()] == ["tool.py", "zz.txt"]


def test_binary_file_is_skipped_with_a_reason(folder: Path, db: Path, start) -> None:
    _, events = start()
    (folder / "data.txt").write_bytes(b"\x00\x01binary")
    event = events.wait_for(lambda e: e.kind == "skipped")
    assert event.doc == "data.txt" and "binary" in event.reason
    assert event.as_dict() == {"event": "skipped", "doc": "data.txt", "reason": event.reason}


def test_a_symlink_loop_is_told_once_and_everything_else_recorded(
    folder: Path, db: Path, start
) -> None:
    write_old(folder / "a.txt", "kept\n")
    (folder / "loop1.txt").symlink_to("loop2.txt")
    (folder / "loop2.txt").symlink_to("loop1.txt")
    session, events = start()  # the catch-up used to fail, and be retried, forever
    assert [(e.doc, e.reason) for e in events.seen if e.kind == "skipped"] == [
        ("loop1.txt", "symlink loop, not followed"),
        ("loop2.txt", "symlink loop, not followed"),
    ]
    assert history(db, "a.txt") == ["kept\n"]
    write(folder / "sub" / "b.txt", "new folder, so a full scan\n")
    events.wait_for(lambda e: e.kind == "rescanned")
    events.version("sub/b.txt")
    write(folder / "a.txt", "edited\n")
    events.version("a.txt", "edited\n")
    (folder / "loop3.txt").symlink_to("loop3.txt")  # one made while watching is told too
    events.wait_for(lambda e: e.kind == "skipped" and e.doc == "loop3.txt")
    session.stop()
    told = [(e.kind, e.doc) for e in events.drain() if e.kind in ("skipped", "error")]
    assert told == [("skipped", "loop1.txt"), ("skipped", "loop2.txt"), ("skipped", "loop3.txt")]
    with Tracker(db) as tracker:
        assert [d.name for d in tracker.documents()] == ["a.txt", "sub/b.txt"]


def test_the_database_and_its_companions_in_the_watched_folder_are_never_documents(
    folder: Path, start
) -> None:
    db = folder / "t.db"
    write_old(folder / "a.txt", "one\n")
    write_old(folder / "t.db-journal", "not a journal\n")
    session, events = start(db=db, include=["*"])  # a glob that matches them all
    assert Path(f"{db}.watch.lock").exists() and Path(f"{db}-wal").exists()
    for n in range(3):  # each version recorded writes to t.db-wal: no loop, no document
        write(folder / "a.txt", f"edit {n}\n")
        events.version("a.txt", f"edit {n}\n")
    write(folder / "zz.txt", "sentinel\n")
    events.version("zz.txt")
    session._watcher.request_rescan()  # a full scan sees them all, and leaves them out too
    events.wait_for(lambda e: e.kind == "rescanned")
    session.stop()
    assert {e.doc for e in events.drain() if e.doc} == {"a.txt", "zz.txt"}
    with Tracker(db) as tracker:
        assert [d.name for d in tracker.documents()] == ["a.txt", "zz.txt"]


def test_a_file_name_with_a_newline_is_skipped_with_a_reason(folder: Path, db: Path, start) -> None:
    write_old(folder / "old\nname.txt", "there before\n")
    _, events = start()
    assert [(e.doc, e.reason) for e in events.seen if e.kind == "skipped"] == [
        ("old\nname.txt", "cannot be tracked: NUL and other control characters are not allowed")
    ]
    write(folder / "new\nline.txt", "x\n")
    event = events.wait_for(lambda e: e.kind == "skipped" and e.doc == "new\nline.txt")
    assert event.reason == "cannot be tracked: NUL and other control characters are not allowed"
    write(folder / "fine.txt", "fine\n")
    events.version("fine.txt")
    with Tracker(db) as tracker:
        assert [d.name for d in tracker.documents()] == ["fine.txt"]


def test_polling_observer(folder: Path, db: Path, start) -> None:
    write_old(folder / "a.txt", "one\n")
    _, events = start(poll=True, poll_interval=0.05)
    write(folder / "a.txt", "two, longer\n")
    events.version("a.txt", "two, longer\n")
    os.rename(folder / "a.txt", folder / "b.txt")
    events.wait_for(lambda e: e.kind == "renamed" and e.doc == "b.txt")
    assert history(db, "b.txt") == ["one\n", "two, longer\n"]


def test_rescan_compares_the_whole_folder(folder: Path, db: Path, start) -> None:
    session, events = start(exclude=["later"])
    write(folder / "later" / "a.txt", "unseen by the watcher\n")
    write(folder / "zz.txt", "sentinel\n")
    events.version("zz.txt")
    assert "later/a.txt" not in [e.doc for e in events.seen]
    session._watcher.request_rescan()  # as after an inotify overflow
    done = events.wait_for(lambda e: e.kind == "rescanned")
    assert done.counts["recorded"] == 0  # excluded files stay out of rescans too


def test_folder_gone_is_an_error_not_a_mass_deletion(folder: Path, db: Path, start) -> None:
    write_old(folder / "a.txt", "one\n")
    write_old(folder / "sub" / "b.txt", "two\n")
    _, events = start()
    (folder / "a.txt").rename(folder.parent / "a.txt")
    (folder / "sub" / "b.txt").rename(folder.parent / "b.txt")
    (folder / "sub").rmdir()
    folder.rmdir()
    events.wait_for(lambda e: e.kind == "error" and "gone" in e.reason)
    with Tracker(db) as tracker:
        assert all(not d.deleted for d in tracker.documents())


# life cycle, locking, concurrency


def test_stop_records_pending_changes(folder: Path, db: Path, start) -> None:
    session, events = start(debounce=30)  # nothing would be delivered before stop()
    write(folder / "a.txt", "pending\n")
    deadline = time.monotonic() + TIMEOUT
    while session._watcher.events_received == 0:  # no event to wait on: poll the counter
        assert time.monotonic() < deadline, "the watcher never heard of the write"
        time.sleep(0.005)
    session.stop()
    assert history(db, "a.txt") == ["pending\n"]
    assert not Path(str(db) + ".watch.lock").exists()


def test_stop_during_a_long_catch_up_then_restart_records_everything(
    folder: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scan_folder, "SNAPSHOT_BATCH", 10)
    for i in range(200):
        write_old(folder / f"f{i:03}.txt", f"file {i}\n")
    events = Events()
    session = WatchSession(folder, db, events, debounce=0)
    session.start()
    events.wait_for(lambda e: e.kind == "version")  # the catch-up is under way
    session.stop()
    assert "caught_up" not in [e.kind for e in events.drain()]  # it was given up
    events = Events()
    with WatchSession(folder, db, events, debounce=0):
        done = events.wait_for(lambda e: e.kind == "caught_up")
    with Tracker(db) as tracker:
        assert len(tracker.documents()) == 200
        assert tracker.store.conn.execute("pragma integrity_check").fetchone() == ("ok",)
    assert done.counts["recorded"] + done.counts["unchanged"] == 200


def test_second_session_on_the_same_database_is_refused(folder: Path, db: Path, start) -> None:
    first, _ = start()
    second = WatchSession(folder, db, Events(), debounce=DEBOUNCE)
    with pytest.raises(WatcherRunning, match=f"pid {os.getpid()}.*{db}"):
        second.start()
    second.stop()
    first.stop()
    start()  # the lock is free again


def test_lock_file_left_by_a_dead_process_does_not_block(db: Path, folder: Path) -> None:
    Path(str(db) + ".watch.lock").write_text("999999 /elsewhere\n")
    lock = WatchLock(db, folder)
    lock.acquire()
    assert Path(str(db) + ".watch.lock").read_text() == f"{os.getpid()} {folder}\n"
    lock.release()
    lock.release()
    assert not Path(str(db) + ".watch.lock").exists()


def test_without_file_locks_it_warns_and_goes_on(
    folder: Path, db: Path, start, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(watchlock, "fcntl", None)
    _, events = start()
    warning = events.wait_for(lambda e: e.kind == "warning")
    assert "not available" in warning.reason and "not be refused" in warning.reason
    write(folder / "a.txt", "still works\n")
    events.version("a.txt", "still works\n")


def test_readers_work_while_it_writes(folder: Path, db: Path, start) -> None:
    _, events = start()
    with Tracker(db, create=False) as reader:
        for i in range(30):
            write(folder / f"doc{i % 5}.txt", f"round {i}\n")
            reader.documents()
            for document in reader.documents():
                reader.text(document.name)
        for j in range(25, 30):
            events.version(f"doc{j % 5}.txt", f"round {j}\n")
        assert {d.name for d in reader.documents()} == {f"doc{k}.txt" for k in range(5)}


def test_a_failing_batch_is_retried(folder: Path, db: Path, start, monkeypatch) -> None:
    """A batch that fails (here: another process holds the database locked) is reported, then
    retried with a full scan once the database is free again."""
    import sqlite3

    import tracker.store.base as store

    monkeypatch.setattr(store, "BUSY_TIMEOUT_MS", 100)
    _, events = start()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("begin exclusive")
    try:
        write(folder / "a.txt", "eventually\n")
        error = events.wait_for(lambda e: e.kind == "error")
        assert "locked" in error.reason and "retrying" in error.reason
    finally:
        holder.execute("rollback")
        holder.close()
    events.version("a.txt", "eventually\n")


def test_missing_folder_is_an_error(tmp_path: Path, db: Path) -> None:
    session = WatchSession(tmp_path / "nope", db, Events())
    with pytest.raises(TrackerError, match="no such folder"):
        session.start()
    session.stop()


# --exec


def test_exec_gets_environment_and_json_diff(folder: Path, db: Path, start, tmp_path: Path) -> None:
    out = tmp_path / "exec"
    out.mkdir()
    command = (
        f"env | grep ^TRACKER_ | sort > {shlex.quote(str(out))}/env.$TRACKER_VERSION;"
        f" cat > {shlex.quote(str(out))}/diff.$TRACKER_VERSION"
    )
    write_old(folder / "a.txt", "one\n\ntwo\n")
    session, events = start(exec_command=command)
    write(folder / "a.txt", "one\n\ntwo, edited\n\nthree\n")
    events.version("a.txt", "one\n\ntwo, edited\n\nthree\n")
    session.stop()  # lets the queued commands finish
    env = dict(line.split("=", 1) for line in (out / "env.2").read_text().splitlines())
    assert env["TRACKER_EVENT"] == "version"
    assert env["TRACKER_DOC"] == "a.txt"
    assert env["TRACKER_VERSION"] == "2"
    assert (env["TRACKER_ADDED"], env["TRACKER_REMOVED"], env["TRACKER_MODIFIED"]) == (
        "1",
        "0",
        "1",
    )
    assert env["TRACKER_MOVED"] == "0"
    assert env["TRACKER_DB"] == str(db.resolve())
    assert env["TRACKER_FILE"] == str(folder / "a.txt")
    diff = json.loads((out / "diff.2").read_text())
    assert diff["doc"] == "a.txt"
    assert (diff["from"]["version"], diff["to"]["version"]) == (1, 2)
    assert diff["stats"]["added"] == 1
    assert (out / "env.1").exists()  # the catch-up's first version ran it too


def test_failing_exec_is_a_warning_and_watching_goes_on(folder: Path, db: Path, start) -> None:
    _, events = start(exec_command="exit 3")
    write(folder / "a.txt", "one\n")
    events.version("a.txt")
    warning = events.wait_for(lambda e: e.kind == "warning")
    assert "status 3" in warning.reason and "a.txt v1" in warning.reason
    write(folder / "a.txt", "two\n")
    events.version("a.txt", "two\n")


def test_slow_exec_never_holds_up_recording(folder: Path, db: Path, start) -> None:
    session, events = start(exec_command="sleep 30", exec_timeout=0.5)
    write(folder / "a.txt", "one\n")
    events.version("a.txt", "one\n")
    write(folder / "a.txt", "two\n")
    events.version(
        "a.txt",
        "two\n",
    )  # while the first command still sleeps
    killed = events.wait_for(lambda e: e.kind == "warning")
    assert killed.reason == "--exec took over 0.5 s for a.txt v1; killed it"
    session.stop()  # the second command is killed at its timeout too: nothing is left running
    warnings = [e.reason for e in events.drain() if e.kind == "warning"]
    assert warnings[0] == "--exec took over 0.5 s for a.txt v1; killed it"
    assert warnings[1] in (  # killed at its own timeout, or by the stop's grace if that is first
        "--exec took over 0.5 s for a.txt v2; killed it",
        "--exec still running for a.txt v2 at stop; killed it",
    )
    assert len(warnings) == 2


def test_a_command_running_at_stop_gets_the_grace_period_not_its_timeout() -> None:
    """stop() lets a running command finish within the shutdown grace, then kills it; it does
    not wait for the command's own (much longer) timeout."""
    warnings: list[str] = []
    runner = CommandRunner("sleep 30", warnings.append, timeout=60, shutdown_grace=0.5)
    runner.start()
    assert runner.submit({}, b"", "a v1")
    time.sleep(0.3)  # it has started
    started = time.monotonic()
    runner.stop()
    assert time.monotonic() - started < 20  # the grace, not the 30 s sleep nor the 60 s timeout
    assert warnings == ["--exec still running for a v1 at stop; killed it"]
    quick: list[str] = []
    runner = CommandRunner("cat > /dev/null; exit 4", quick.append, shutdown_grace=5)
    runner.start()
    assert runner.submit({}, b"x" * 1_000_000, "b v1")  # its input is sent whole, once
    runner.stop()
    assert quick == ["--exec exited with status 4 for b v1"]


def test_exec_queue_overflow_drops_with_one_warning_then_a_count() -> None:
    warnings: list[str] = []
    runner = CommandRunner("true", warnings.append, max_queue=2)
    assert runner.submit({}, b"", "a v1") and runner.submit({}, b"", "a v2")
    assert not runner.submit({}, b"", "a v3")
    assert not runner.submit({}, b"", "a v4")
    assert len(warnings) == 1 and "a v3" in warnings[0]
    runner.start()
    runner.stop()  # runs the two queued commands, then reports the drops
    assert warnings[1:] == ["--exec: did not run for 2 versions (queue full)"]


def test_exec_runs_on_its_own_thread_and_stops(folder: Path, db: Path, start) -> None:
    session, _ = start(exec_command="true")
    assert any(t.name == "tracker-exec" for t in threading.enumerate())
    session.stop()
    assert not any(t.name == "tracker-exec" for t in threading.enumerate())
