"""Tests for `tracker watch` as a real subprocess: output, signals, kill -9, a second watcher."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from test_hostile import obey_file_permissions

from tracker import Tracker

TIMEOUT = 10.0  # upper bound for an outcome; tests normally finish far sooner
LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d  (?P<rest>.*)$")

#: Real observers and processes, timed on the wall clock: run with the full suite.
pytestmark = pytest.mark.slow


class WatchProcess:
    """`python -m tracker watch` with its stdout and stderr lines readable with timeouts."""

    def __init__(
        self, folder: Path, db: Path, *args: str, preexec_fn: Callable[[], None] | None = None
    ) -> None:
        command = [sys.executable, "-m", "tracker", "watch", str(folder), "--db", str(db)]
        if "--debounce" not in args:
            command += ["--debounce", "0.05"]
        env = {k: v for k, v in os.environ.items() if k != "TRACKER_DB"}
        self.proc = subprocess.Popen(
            [*command, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=folder.parent,
            preexec_fn=preexec_fn,
        )
        self.pid = self.proc.pid
        self.out: queue.Queue[str | None] = queue.Queue()
        self.err: queue.Queue[str | None] = queue.Queue()
        self.out_lines: list[str] = []
        self.err_lines: list[str] = []
        self._readers = [
            threading.Thread(target=self._pump, args=(self.proc.stdout, self.out), daemon=True),
            threading.Thread(target=self._pump, args=(self.proc.stderr, self.err), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _pump(stream, sink: queue.Queue) -> None:
        for line in stream:
            sink.put(line.rstrip("\n"))
        sink.put(None)

    def wait_line(
        self, predicate: Callable[[str], bool], stream: str = "out", timeout: float = TIMEOUT
    ) -> str:
        """The next line of stdout (or stderr) that matches, failing after timeout."""
        source, seen = (self.out, self.out_lines) if stream == "out" else (self.err, self.err_lines)
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no matching line; {stream}: {seen}")
            try:
                line = source.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                source.put(None)
                raise AssertionError(f"{stream} closed; {seen}; stderr: {self.err_lines}")
            seen.append(line)
            if predicate(line):
                return line

    def caught_up(self) -> str:
        return self.wait_line(lambda line: line.startswith("caught up:"), "err")

    def finish(self, signum: int | None = signal.SIGINT) -> int:
        """Send a signal (None: just wait), wait for the exit, collect the rest of the output."""
        if signum is not None:
            self.proc.send_signal(signum)
        try:
            code = self.proc.wait(timeout=TIMEOUT)
        finally:
            self.proc.kill()
            self.proc.wait()
            for reader in self._readers:
                reader.join(TIMEOUT)
            self.proc.stdout.close()
            self.proc.stderr.close()
        for source, seen in ((self.out, self.out_lines), (self.err, self.err_lines)):
            while (line := source.get_nowait() if not source.empty() else None) is not None:
                seen.append(line)
        return code


@pytest.fixture
def spawn(folder: Path, db: Path) -> Iterator[Callable[..., WatchProcess]]:
    """Start watcher processes; any still running after the test is killed."""
    processes: list[WatchProcess] = []

    def make(*args: str, preexec_fn: Callable[[], None] | None = None) -> WatchProcess:
        process = WatchProcess(folder, db, *args, preexec_fn=preexec_fn)
        processes.append(process)
        return process

    yield make
    for process in processes:
        if process.proc.returncode is None:
            process.finish(signal.SIGKILL)


def write_old(path: Path, text: str) -> None:
    """Write a file dated a minute ago, as if changed while no watcher ran."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    past = time.time() - 60
    os.utime(path, (past, past))


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("pragma integrity_check").fetchone()[0]
    finally:
        conn.close()


def latest_texts(db: Path) -> dict[str, str | None]:
    with Tracker(db, create=False) as tracker:
        return {d.name: None if d.deleted else tracker.text(d.name) for d in tracker.documents()}


def test_lines_for_versions_renames_and_deletions_then_sigint_exits_0(
    folder: Path, db: Path, spawn
) -> None:
    write_old(folder / "a.txt", "hello\n")
    watcher = spawn()
    start = watcher.wait_line(lambda line: line.startswith("watching"), "err")
    assert start == f"watching {folder} into {db} (0 documents tracked); Ctrl-C to stop"
    first = watcher.wait_line(lambda line: "a.txt" in line)
    assert LINE.match(first).group("rest") == "a.txt  v1  new, 1 paragraph"
    assert watcher.caught_up() == (
        "caught up: 1 new version, 0 deleted, 0 renamed, 0 unchanged, 0 skipped;"
        " watching for changes"
    )
    (folder / "a.txt").write_text("hello\n\nworld\n")
    assert LINE.match(watcher.wait_line(lambda line: "v2" in line)).group("rest") == (
        "a.txt  v2  +1 -0 ~0"
    )
    os.rename(folder / "a.txt", folder / "b.txt")
    renamed = watcher.wait_line(lambda line: "renamed" in line)
    assert LINE.match(renamed).group("rest") == "b.txt  renamed from a.txt"
    (folder / "b.txt").unlink()
    deleted = watcher.wait_line(lambda line: "deleted" in line)
    assert LINE.match(deleted).group("rest") == "b.txt  v3  deleted"
    assert watcher.finish(signal.SIGINT) == 0
    assert not any("Traceback" in line for line in watcher.err_lines)
    assert not Path(f"{db}.watch.lock").exists()
    assert integrity(db) == "ok"


def test_a_hostile_file_name_is_one_escaped_warning_line(folder: Path, db: Path, spawn) -> None:
    watcher = spawn()
    watcher.caught_up()
    (folder / "new\nline\x1b[31m.txt").write_text("x\n")
    warning = watcher.wait_line(lambda line: line.startswith("warning: "), "err")
    assert warning == (
        "warning: new\\x0aline\\x1b[31m.txt: cannot be tracked:"
        " NUL and other control characters are not allowed"
    )
    (folder / "fine.txt").write_text("fine\n")
    watcher.wait_line(lambda line: "fine.txt" in line)
    assert watcher.finish(signal.SIGINT) == 0
    assert not any("\x1b" in line for line in watcher.err_lines)


def test_a_folder_it_cannot_enter_is_a_warning_and_recorded_once_it_can(
    folder: Path, db: Path, spawn
) -> None:
    sub = folder / "sub"
    write_old(sub / "s.txt", "one\n")
    watcher = spawn(preexec_fn=obey_file_permissions)  # as root too
    watcher.caught_up()
    try:
        (sub / "s.txt").write_text("two\n")
        sub.chmod(0)  # before the change is read: it is in a folder the watcher cannot enter
        line = watcher.wait_line(lambda line: "sub" in line, "err")
        assert line == "warning: sub/: cannot list folder (Permission denied)"
        if os.geteuid() == 0:  # root may write there: the change is named, and cannot be read
            (sub / "s.txt").write_text("three\n")
            line = watcher.wait_line(lambda line: "sub" in line, "err")
            assert line == "warning: sub/s.txt: cannot read (Permission denied), skipped"
    finally:
        sub.chmod(0o755)  # and what it holds is read again
    watcher.wait_line(lambda line: "sub/s.txt  v2" in line)
    assert watcher.finish(signal.SIGINT) == 0
    assert [line for line in watcher.err_lines if "retrying" in line or "Errno" in line] == []
    assert latest_texts(db) == {"sub/s.txt": (sub / "s.txt").read_text()}


def test_json_lines(folder: Path, db: Path, spawn) -> None:
    watcher = spawn("--json")
    watcher.caught_up()
    (folder / "a.txt").write_text("one\n")
    (folder / "bin.txt").write_bytes(b"\x00\x01")
    events = {}
    while len(events) < 2:
        event = json.loads(watcher.wait_line(lambda line: True))
        events[event["event"]] = event
    version, skipped = events["version"], events["skipped"]
    assert {k: version[k] for k in ("doc", "version", "added", "removed", "modified")} == {
        "doc": "a.txt",
        "version": 1,
        "added": 1,
        "removed": 0,
        "modified": 0,
    }
    assert version["captured_at"].endswith("Z") and version["moved"] == 0
    assert skipped["doc"] == "bin.txt" and "binary" in skipped["reason"]
    os.rename(folder / "a.txt", folder / "c.txt")
    renamed = json.loads(watcher.wait_line(lambda line: "renamed" in line))
    assert (renamed["doc"], renamed["from"]) == ("c.txt", "a.txt")
    (folder / "c.txt").unlink()
    deleted = json.loads(watcher.wait_line(lambda line: "deleted" in line))
    assert (deleted["event"], deleted["doc"], deleted["version"]) == ("deleted", "c.txt", 2)
    assert watcher.finish(signal.SIGTERM) == 0
    for line in watcher.out_lines:
        json.loads(line)


def test_quiet_prints_nothing_but_records(folder: Path, db: Path, spawn) -> None:
    write_old(folder / "a.txt", "quiet\n")
    Tracker(db).close()  # so that this process never reads a database being created
    watcher = spawn("--quiet")
    deadline = time.monotonic() + TIMEOUT
    while "a.txt" not in latest_texts(db):  # nothing printed to wait on: poll the database
        assert time.monotonic() < deadline, watcher.err_lines
        time.sleep(0.02)
    assert watcher.finish(signal.SIGINT) == 0
    assert watcher.out_lines == [] and watcher.err_lines == []


def test_second_watcher_is_refused(folder: Path, db: Path, spawn) -> None:
    first = spawn()
    first.caught_up()
    second = spawn()
    assert second.finish(None) == 1
    assert second.err_lines == [
        f"Error: another tracker watch (pid {first.pid}) is already recording into {db}"
    ]
    (folder / "a.txt").write_text("still recording\n")
    first.wait_line(lambda line: "a.txt  v1" in line)
    assert first.finish(signal.SIGINT) == 0


def test_the_database_deleted_while_watching_stops_it_with_an_error(
    folder: Path, db: Path, spawn
) -> None:
    watcher = spawn()
    watcher.caught_up()
    (folder / "a.txt").write_text("one\n")
    watcher.wait_line(lambda line: "a.txt  v1" in line)
    for path in db.parent.glob(f"{db.name}*"):  # rm tracker.db*: what it records would be lost
        path.unlink()
    second = spawn()  # into a new database (and a new lock file)
    second.caught_up()
    (folder / "a.txt").write_text("two\n")
    second.wait_line(lambda line: "a.txt  v2" in line)
    assert watcher.finish(None) == 1  # by itself
    assert watcher.err_lines[2:] == [
        f"Error: database {db} was deleted or replaced while watching: stopped"
    ]
    assert [line for line in watcher.out_lines if "a.txt" in line and "v1" not in line] == []
    assert Path(f"{db}.watch.lock").exists()  # the first one's lock was gone: it took no other
    third = spawn()
    assert third.finish(None) == 1
    assert second.finish(signal.SIGINT) == 0


def test_kill_9_mid_burst_then_restart_records_every_final_content(
    folder: Path, db: Path, spawn
) -> None:
    names = [f"doc{i}.txt" for i in range(6)]
    watcher = spawn()
    watcher.caught_up()
    killed = False
    deadline = time.monotonic() + TIMEOUT
    round_ = 0
    while not killed or round_ < 40:
        assert time.monotonic() < deadline, "the watcher never recorded anything"
        for name in names:
            (folder / name).write_text(f"{name} round {round_}\n\n" + "filler line\n" * round_)
        round_ += 1
        if not killed and not watcher.out.empty():  # it is recording: kill it mid-burst
            watcher.proc.kill()
            killed = True
            stop_at = round_ + 20  # keep writing after the kill
        if killed and round_ >= stop_at:
            break
    final = {name: f"{name} final\n\nlast words of {name}\n" for name in names}
    for name, text in final.items():
        (folder / name).write_text(text)
    watcher.finish(None)
    assert Path(f"{db}.watch.lock").exists()  # left behind by kill -9, and harmless

    restarted = spawn()
    pending = set(names)  # the catch-up records each final text; a line is printed after commit
    while pending:
        line = restarted.wait_line(lambda line: True)
        pending.discard(LINE.match(line).group("rest").split("  ")[0])
    assert latest_texts(db) == final
    assert restarted.finish(signal.SIGINT) == 0
    assert latest_texts(db) == final
    assert integrity(db) == "ok"


def test_ctrl_c_during_the_catch_up_exits_cleanly(folder: Path, db: Path, spawn) -> None:
    for i in range(600):
        write_old(folder / f"f{i:04}.txt", f"file {i}\n\nwith two paragraphs\n")
    watcher = spawn()
    watcher.wait_line(lambda line: True)  # the catch-up is recording
    assert watcher.finish(signal.SIGINT) == 0
    assert not any("Traceback" in line for line in watcher.err_lines)
    assert integrity(db) == "ok"
    again = spawn()
    again.caught_up()
    assert again.finish(signal.SIGINT) == 0
    assert len(latest_texts(db)) == 600


def test_the_catch_up_line_writes_every_count_alike(folder: Path, db: Path, spawn) -> None:
    for i in range(1000):
        write_old(folder / f"f{i:04}.txt", f"file {i}\n")
    first = spawn()
    assert first.caught_up().startswith("caught up: 1,000 new versions, 0 deleted,")
    assert first.finish(signal.SIGINT) == 0
    again = spawn()
    assert again.caught_up().startswith("caught up: 0 new versions, 0 deleted, 0 renamed, 1,000 ")
    assert again.finish(signal.SIGINT) == 0


def test_readers_work_while_it_writes(folder: Path, db: Path, spawn) -> None:
    watcher = spawn()
    watcher.caught_up()
    readers = []
    for i in range(20):
        (folder / f"r{i % 4}.txt").write_text(f"round {i}\n")
        if i % 5 == 0:
            readers.append(
                subprocess.Popen(
                    [sys.executable, "-m", "tracker", "docs", "--json", "--db", str(db)],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
    watcher.wait_line(lambda line: "r3.txt" in line)
    for reader in readers:
        out, err = reader.communicate(timeout=TIMEOUT)
        assert reader.returncode == 0, err
        json.loads(out)
    log = subprocess.run(
        [sys.executable, "-m", "tracker", "log", "r3.txt", "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert log.returncode == 0 and log.stdout.startswith("v1"), log.stderr
    assert watcher.finish(signal.SIGINT) == 0


def test_exec_output_goes_to_stderr_and_json_stays_clean(folder: Path, db: Path, spawn) -> None:
    watcher = spawn("--json", "--exec", 'echo "exec saw $TRACKER_DOC v$TRACKER_VERSION"')
    watcher.caught_up()
    (folder / "a.txt").write_text("one\n")
    watcher.wait_line(lambda line: '"a.txt"' in line)
    watcher.wait_line(lambda line: line == "exec saw a.txt v1", "err")
    assert watcher.finish(signal.SIGINT) == 0
    assert [json.loads(line)["event"] for line in watcher.out_lines] == ["version"]


def test_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tracker", "watch", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        cwd=tmp_path,
    )
    assert result.returncode == 2 and "does not exist" in result.stderr
