"""Stopping `tracker watch`: a first Ctrl-C records what is pending, a second stops at once."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import test_cli_watch
from test_cli_watch import TIMEOUT, integrity, latest_texts

from tracker import Tracker
from tracker.scan.folder import FolderSnapshot, SnapshotCancelled
from tracker.watch.events import WatchEvent
from tracker.watch.session import WatchSession

spawn = test_cli_watch.spawn  # the fixture starting `tracker watch` processes

#: A burst big enough to take seconds to record (as `cp -r` of a folder of documents).
BURST = 3000


def make_burst(where: Path, count: int = BURST) -> dict[str, str]:
    """Write a folder of documents outside the watched one, to copy in at once; their texts."""
    where.mkdir()
    texts = {}
    for i in range(count):
        text = f"document {i}\n\n" + f"paragraph of document {i} with a few words\n\n" * 20
        (where / f"d{i:04}.txt").write_text(text)
        texts[f"d{i:04}.txt"] = text
    return texts


def wait_for_documents(db: Path) -> None:
    """Wait until the database holds a document (readers do not wait for the watcher)."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        assert time.monotonic() < deadline, "nothing was recorded"
        try:
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            try:
                if conn.execute("select count(*) from documents").fetchone()[0]:
                    return
            finally:
                conn.close()
        except sqlite3.OperationalError:  # not created yet
            pass
        time.sleep(0.005)


def fsck(db: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tracker", "fsck", "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("second", "catch_up"), [(signal.SIGINT, "watch"), (signal.SIGTERM, "snapshot")]
)
def test_a_second_signal_stops_a_big_burst_at_once_and_the_next_start_catches_up(
    tmp_path: Path, folder: Path, db: Path, spawn, second: int, catch_up: str
) -> None:
    texts = {f"burst/{name}": text for name, text in make_burst(tmp_path / "src").items()}
    watcher = spawn()
    watcher.caught_up()
    shutil.copytree(tmp_path / "src", folder / "burst")  # cp -r
    wait_for_documents(db)  # it is recording (its lines come once a live batch is all read)
    os.kill(watcher.pid, signal.SIGINT)
    stopping = watcher.wait_line(lambda line: line.startswith("stopping"), "err")
    assert stopping == "stopping: recording what is pending (Ctrl-C again to stop at once)"
    os.kill(watcher.pid, second)
    assert watcher.finish(None) == 130
    assert not any("Traceback" in line for line in watcher.err_lines)
    last = watcher.err_lines[-1]
    assert last.startswith(
        "stopped at once; left for the next tracker watch or snapshot to catch up:"
    )
    assert not Path(f"{db}.watch.lock").exists()
    recorded = latest_texts(db)
    assert 0 < len(recorded) < BURST  # stopped midway, not after recording the whole burst
    assert all(recorded[name] == texts[name] for name in recorded)  # each version whole
    assert integrity(db) == "ok"
    checked = fsck(db)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    if catch_up == "watch":
        again = spawn()
        assert again.caught_up().startswith(f"caught up: {BURST - len(recorded):,} new versions,")
        assert again.finish(signal.SIGINT) == 0
    else:
        done = subprocess.run(
            [sys.executable, "-m", "tracker", "snapshot", str(folder), "--db", str(db)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
    assert latest_texts(db) == texts
    assert fsck(db).returncode == 0


@pytest.mark.slow
def test_a_first_ctrl_c_with_nothing_pending_says_nothing_and_exits_0(
    folder: Path, db: Path, spawn
) -> None:
    watcher = spawn()
    watcher.caught_up()
    (folder / "a.txt").write_text("one\n")
    watcher.wait_line(lambda line: "a.txt  v1" in line)
    time.sleep(1.0)  # whatever else its events named is looked at: nothing is pending
    assert watcher.finish(signal.SIGINT) == 0
    assert [line for line in watcher.err_lines if line.startswith("stop")] == []


@pytest.mark.slow
def test_a_second_ctrl_c_cuts_a_running_exec_short(folder: Path, db: Path, spawn) -> None:
    watcher = spawn("--exec", "sleep 30")
    watcher.caught_up()
    (folder / "a.txt").write_text("one\n")
    watcher.wait_line(lambda line: "a.txt  v1" in line)
    os.kill(watcher.pid, signal.SIGINT)  # stopping: the command gets a grace period of 5 s
    time.sleep(0.3)
    os.kill(watcher.pid, signal.SIGINT)
    sent = time.monotonic()
    assert watcher.finish(None) == 130
    assert time.monotonic() - sent < 4.0  # not after the 5 s grace a first Ctrl-C gives it
    assert watcher.err_lines[-2:] == [
        "warning: --exec still running for a.txt v1 at stop; killed it",
        "stopped at once; nothing was left unrecorded",
    ]
    assert latest_texts(db) == {"a.txt": "one\n"}


def wait_for(events: list[WatchEvent], kind: str) -> WatchEvent:
    """The first event of that kind a session told, waiting for it."""
    deadline = time.monotonic() + TIMEOUT
    while not (found := [event for event in events if event.kind == kind]):
        assert time.monotonic() < deadline, events
        time.sleep(0.01)
    return found[0]


def test_a_session_told_to_stop_at_once_records_nothing_pending(folder: Path, db: Path) -> None:
    events: list[WatchEvent] = []
    session = WatchSession(folder, db, events.append, debounce=30)  # nothing delivered by then
    session.start()
    wait_for(events, "caught_up")
    for i in range(20):
        (folder / f"f{i:02}.txt").write_text(f"file {i}\n")
    deadline = time.monotonic() + TIMEOUT
    while session._watcher.events_received < 60:  # created, written, closed: poll the counter
        assert time.monotonic() < deadline, "the watcher never heard of the writes"
        time.sleep(0.005)
    time.sleep(0.2)  # and the folder's own events, if any
    session.abort()
    session.stop()
    assert session.interrupted
    assert events[-1] == WatchEvent("interrupted", counts={"left": 20, "rescan": 0})
    assert "stopping" not in [event.kind for event in events]
    assert latest_texts(db) == {}
    events.clear()
    with WatchSession(folder, db, events.append, debounce=0):  # the next start catches up
        assert wait_for(events, "caught_up").counts["recorded"] == 20
    assert len(latest_texts(db)) == 20


def test_abort_stops_a_snapshot_before_its_next_document_keeping_those_recorded(
    tmp_path: Path, folder: Path
) -> None:
    for i in range(6):
        (folder / f"{i}.txt").write_text(f"doc {i}\n\nsecond paragraph\n")
    with Tracker(tmp_path / "t.db") as tracker:
        tracker.snapshot(folder)
        (folder / "4.txt").unlink()
        (folder / "5.txt").unlink()
        for i in range(4):
            (folder / f"{i}.txt").write_text(f"doc {i} again\n")
        asked = []

        def abort() -> bool:
            asked.append(1)
            return len(asked) > 2  # two documents, then stop

        snapshot = FolderSnapshot(tracker, abort=abort)
        with pytest.raises(SnapshotCancelled, match="stopped at once after 2 of 4 files") as info:
            snapshot.folder(folder, None)
        assert info.value.left == ("2.txt", "3.txt", "4.txt", "5.txt")
        assert [version.doc for version in snapshot.result.recorded] == ["0.txt", "1.txt"]
        texts = {doc.name: tracker.text(doc.name) for doc in tracker.documents()}
        assert texts["0.txt"] == "doc 0 again\n" and texts["2.txt"] == "doc 2\n\nsecond paragraph\n"
        assert tracker.store.conn.execute("pragma integrity_check").fetchone() == ("ok",)
        result = tracker.snapshot(folder)  # the next run records the rest
        assert sorted(version.doc for version in result.recorded) == [
            "2.txt",
            "3.txt",
            "4.txt",
            "5.txt",
        ]
