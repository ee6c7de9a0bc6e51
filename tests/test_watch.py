"""Tests for tracker.watch: real watchdog observers on a temporary folder."""

from __future__ import annotations

import logging
import os
import queue
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tracker.scan.filters import is_watched, is_watched_dir
from tracker.watch.batch import Batch
from tracker.watch.watcher import Watcher

TIMEOUT = 5.0  # generous upper bound for an outcome; tests normally finish far sooner
DEBOUNCE = 0.05

#: Real observers and processes, timed on the wall clock: run with the full suite.
pytestmark = pytest.mark.slow


class Collector:
    """on_batch callback that hands batches to the test thread through a queue."""

    def __init__(self, reader: Callable[[Batch], Any] | None = None) -> None:
        self.queue: queue.Queue[tuple[Batch, Any, int]] = queue.Queue()
        self.batches: list[Batch] = []
        self.extras: list[Any] = []
        self.thread_ids: set[int] = set()
        self._reader = reader

    def __call__(self, batch: Batch) -> None:
        extra = self._reader(batch) if self._reader else None
        self.queue.put((batch, extra, threading.get_ident()))

    def take(self, timeout: float) -> bool:
        try:
            batch, extra, ident = self.queue.get(timeout=timeout)
        except queue.Empty:
            return False
        self.batches.append(batch)
        self.extras.append(extra)
        self.thread_ids.add(ident)
        return True

    def wait_for(self, predicate: Callable[[Collector], bool], timeout: float = TIMEOUT) -> None:
        """Take batches until predicate holds, failing after timeout."""
        deadline = time.monotonic() + timeout
        while not predicate(self):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"timed out; batches so far: {self.batches}")
            self.take(remaining)

    def drain(self) -> None:
        """Take the batches already delivered (call after the watcher stopped)."""
        while self.take(0):
            pass

    @property
    def paths(self) -> set[str]:
        return set().union(*(b.paths for b in self.batches))

    @property
    def moves(self) -> list[tuple[str, str]]:
        return [m for b in self.batches for m in b.moves]

    @property
    def rescan(self) -> bool:
        return any(b.rescan for b in self.batches)


def wait_until(condition: Callable[[], bool], timeout: float = TIMEOUT) -> None:
    """Poll a condition that has no event to wait on, failing after timeout."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.005)


def has_path(path: str) -> Callable[[Collector], bool]:
    return lambda c: path in c.paths


@pytest.fixture
def make_watcher(folder: Path) -> Iterator[Callable[..., tuple[Watcher, Collector]]]:
    """Start watchers on the test's folder (or another) and stop them all after the test."""
    watchers: list[Watcher] = []

    def make(
        where: Path | None = None, collector: Collector | None = None, **kwargs: Any
    ) -> tuple[Watcher, Collector]:
        collector = collector or Collector()
        kwargs.setdefault("debounce", DEBOUNCE)
        watcher = Watcher(where or folder, collector, **kwargs)
        watchers.append(watcher)
        watcher.start()
        return watcher, collector

    yield make
    for watcher in watchers:
        watcher.stop()


# filtering


@pytest.mark.parametrize(
    ("relpath", "include", "exclude", "expected"),
    [
        ("notes.txt", (), (), True),
        ("a/b/c.md", (), (), True),
        ("README", (), (), True),
        ("Chapter.MD", (), (), True),
        ("data.csv", (), (), True),
        ("subs.srt", (), (), True),
        ("page.html", (), (), True),
        ("./notes.txt", (), (), True),
        ("photo.jpg", (), (), False),
        ("archive.tar.gz", (), (), False),
        ("script.py", (), (), False),
        ("", (), (), False),
        (".", (), (), False),
        # editor, temp and hidden files
        (".notes.txt.swp", (), (), False),
        (".notes.txt.swx", (), (), False),
        (".notes.txt.swo", (), (), False),
        ("notes.txt~", (), (), False),
        (".#notes.txt", (), (), False),
        ("#notes.txt#", (), (), False),
        ("4913", (), (), False),
        ("sub/4913", (), (), False),
        ("x.tmp", (), (), False),
        ("x.TMP", (), (), False),
        ("film.srt.part", (), (), False),
        ("report.txt.crdownload", (), (), False),
        (".hidden.txt", (), (), False),
        (".git/config", (), (), False),
        ("docs/.cache/page.md", (), (), False),
        ("../outside.txt", (), (), False),
        ("~$report.txt", (), (), False),
        # include replaces the suffix filter, matching the path or the name
        ("script.py", ("*.py",), (), True),
        ("src/deep/script.py", ("*.py",), (), True),
        ("notes.txt", ("*.py",), (), False),
        ("src/a.py", ("src/*",), (), True),
        ("lib/a.py", ("src/*",), (), False),
        ("Makefile", ("Makefile",), (), True),
        ("sub/Makefile", ("Makefile",), (), True),
        (".x.py.swp", ("*",), (), False),  # ignored names stay ignored
        (".hidden/a.py", ("*.py",), (), False),
        # exclude removes matches: path, name, parent folder
        ("drafts/a.txt", (), ("drafts",), False),
        ("drafts/deep/a.txt", (), ("drafts",), False),
        ("book/drafts/a.txt", (), ("drafts",), False),
        ("book/a.txt", (), ("drafts",), True),
        ("a.log", (), ("*.log",), False),
        ("logs/a.log", (), ("*.log",), False),
        ("b.txt", (), ("*.log",), True),
        ("src/a.py", ("*.py",), ("src/*",), False),
    ],
)
def test_is_watched(relpath: str, include: tuple, exclude: tuple, expected: bool) -> None:
    assert is_watched(relpath, include, exclude) is expected


def test_is_watched_dir() -> None:
    assert is_watched_dir("")
    assert is_watched_dir("docs/book")
    assert not is_watched_dir(".git")
    assert not is_watched_dir("docs/.obsidian")
    assert not is_watched_dir("docs/drafts", ("drafts",))


@pytest.mark.parametrize(
    ("name", "watched"),
    [
        # the documented text suffixes, in any case, and no suffix at all
        *[(f"doc{suffix}", True) for suffix in (".txt", ".md", ".rst", ".html", ".json")],
        *[(f"doc{suffix}", True) for suffix in (".csv", ".srt", ".vtt", ".TXT", ".Md")],
        ("NOTES", True),
        ("doc.docx", False),
        # vim's write test, whatever the folder; the clutter editors and browsers leave, even
        # when an --include glob would take it
        ("4913", False),
        ("sub/4913", False),
        ("49130", True),
        ("doc.txt~", False),
        ("doc.txt.tmp", False),
        ("doc.txt.part", False),
        ("doc.txt.crdownload", False),
        ("#doc.txt#", False),
        ("#doc.txt", True),
    ],
)
def test_documented_defaults_decide_what_is_watched(name: str, watched: bool) -> None:
    assert is_watched(name) is watched
    if name != "doc.docx":  # an include glob takes any name, but never the clutter
        assert is_watched(name, ("*",)) is watched


def test_ignored_names_shortcut_agrees_with_the_patterns() -> None:
    """The start/end shortcut of is_ignored_name says what fnmatch of the patterns says."""
    import fnmatch
    import random

    from tracker.scan.filters import IGNORED_NAMES, IGNORED_PATTERNS, is_ignored_name

    rng = random.Random(7)
    names = [
        "".join(rng.choice("aZ.#~$_-xSWPtmp~") for _ in range(rng.randint(1, 9)))
        for _ in range(20_000)
    ]
    names += ["#", "##", "a.SWP", "~$doc.docx", "notes.TXT~", "x.Kate-Swp", "Thumbs.db", "doc.md"]
    for name in names:
        lower = name.lower()
        expected = lower in IGNORED_NAMES or any(
            fnmatch.fnmatchcase(lower, p) for p in IGNORED_PATTERNS
        )
        assert is_ignored_name(name) == expected, name


# events


def test_in_place_edit(folder: Path, make_watcher) -> None:
    doc = folder / "a.txt"
    doc.write_text("one\n")
    _, collector = make_watcher()
    with doc.open("a") as f:
        f.write("two\n")
    collector.wait_for(has_path("a.txt"))
    assert collector.paths == {"a.txt"}
    assert collector.moves == []
    assert not collector.rescan
    assert collector.thread_ids and threading.get_ident() not in collector.thread_ids


def test_burst_of_writes_gives_few_batches_with_final_content(folder: Path, make_watcher) -> None:
    doc = folder / "a.txt"
    doc.write_text("start\n")
    final = "".join(f"line {i}\n" for i in range(50))
    watcher, collector = make_watcher(debounce=0.2, collector=Collector(lambda b: doc.read_text()))
    for i in range(1, 51):
        doc.write_text("".join(f"line {j}\n" for j in range(i)))
    collector.wait_for(lambda c: final in c.extras)
    watcher.stop()
    collector.drain()
    assert 1 <= len(collector.batches) <= 5
    assert collector.extras[-1] == final
    assert collector.paths == {"a.txt"}


class TimedFolder:
    """Stands in for a watcher's EventFolder: notes when each relevant event joined the pending
    batch (on the worker thread, the one that delivers batches, so the order is exact)."""

    def __init__(self, folder: Any) -> None:
        self._folder = folder
        self.times: list[float] = []

    def apply(self, pending: Batch, event: Any) -> bool:
        changed = self._folder.apply(pending, event)
        if changed:
            self.times.append(time.monotonic())
        return changed


def test_a_burst_longer_than_the_quiet_period_is_held_until_it_ends(
    folder: Path, make_watcher
) -> None:
    """Writes every 60 ms for a second with a 100 ms debounce: every new write restarts the
    quiet period, so no batch is cut while they go on, and the last one has the final text."""
    doc = folder / "a.txt"
    doc.write_text("start\n")
    debounce = 0.1
    delivered = Collector(lambda batch: (time.monotonic(), doc.read_text()))
    watcher, collector = make_watcher(debounce=debounce, max_delay=60.0, collector=delivered)
    timed = TimedFolder(watcher._folder)
    watcher._folder = timed  # read by the worker at each event; none has come yet
    began = time.monotonic()
    for i in range(17):  # the writer's own pace, not a wait for anything
        time.sleep(max(0.0, began + 0.06 * i - time.monotonic()))
        doc.write_text(f"draft {i}\n")
    ended = time.monotonic()
    collector.wait_for(lambda c: bool(c.extras) and c.extras[-1][0] > ended)
    assert collector.extras[-1][1] == "draft 16\n"
    assert timed.times, "no event reached the watcher"
    for at, _ in collector.extras:
        quiet = at - max(t for t in timed.times if t <= at)
        assert quiet >= debounce, f"a batch cut {quiet * 1000:.0f} ms after an event"
    # more than one batch only where the events themselves paused for a whole quiet period
    pauses = sum(1 for a, b in zip(timed.times, timed.times[1:]) if b - a >= debounce)
    assert len(collector.batches) <= 1 + pauses


@pytest.mark.parametrize("temp_name", [".x.tmp", "x.txt.tmp", ".x.txt.swp"])
def test_atomic_save_reports_target_not_temp(folder: Path, make_watcher, temp_name: str) -> None:
    target = folder / "x.txt"
    target.write_text("old\n")
    _, collector = make_watcher()
    temp = folder / temp_name
    temp.write_text("new\n")
    os.replace(temp, target)
    collector.wait_for(has_path("x.txt"))
    assert collector.paths == {"x.txt"}
    assert collector.moves == []
    assert target.read_text() == "new\n"


def test_a_file_open_for_writing_waits_for_its_close(folder: Path, make_watcher) -> None:
    _, collector = make_watcher()
    with open(folder / "a.txt", "w", encoding="utf-8") as handle:
        handle.write("half")
        handle.flush()
        (folder / "b.txt").write_text("b\n")  # written after: its batch has a.txt's write too
        collector.wait_for(has_path("b.txt"))
        assert "a.txt" not in collector.paths
        assert collector.batches[-1].writing == {"a.txt"}
        handle.write(" and the rest\n")
    collector.wait_for(has_path("a.txt"))
    assert collector.batches[-1].writing == set()


def test_delete_and_recreate(folder: Path, make_watcher) -> None:
    doc = folder / "a.txt"
    doc.write_text("old\n")
    _, collector = make_watcher()
    doc.unlink()
    doc.write_text("new\n")
    collector.wait_for(has_path("a.txt"))
    assert collector.paths == {"a.txt"}


def test_vim_style_save(folder: Path, make_watcher) -> None:
    """vim (backupcopy=no): write test file 4913, rename to a backup, write anew, drop backup."""
    doc = folder / "a.txt"
    doc.write_text("old\n")
    watcher, collector = make_watcher()
    probe = folder / "4913"
    probe.write_text("")
    probe.unlink()
    backup = folder / "a.txt~"
    os.rename(doc, backup)
    doc.write_text("new\n")
    backup.unlink()
    collector.wait_for(has_path("a.txt"))
    watcher.stop()
    collector.drain()
    assert collector.paths == {"a.txt"}
    assert collector.moves == []


def test_rename_gives_move(folder: Path, make_watcher) -> None:
    (folder / "a.txt").write_text("text\n")
    _, collector = make_watcher()
    os.rename(folder / "a.txt", folder / "b.txt")
    collector.wait_for(lambda c: ("a.txt", "b.txt") in c.moves)
    assert {"a.txt", "b.txt"} <= collector.paths


def test_rename_to_ignored_name_is_a_deletion(folder: Path, make_watcher) -> None:
    (folder / "a.txt").write_text("text\n")
    watcher, collector = make_watcher()
    os.rename(folder / "a.txt", folder / "a.txt~")
    collector.wait_for(has_path("a.txt"))
    watcher.stop()
    collector.drain()
    assert collector.paths == {"a.txt"}
    assert collector.moves == []


def test_delete(folder: Path, make_watcher) -> None:
    (folder / "a.txt").write_text("text\n")
    _, collector = make_watcher()
    (folder / "a.txt").unlink()
    collector.wait_for(has_path("a.txt"))
    assert not (folder / "a.txt").exists()


def test_new_subfolder_with_files(folder: Path, make_watcher) -> None:
    _, collector = make_watcher()
    sub = folder / "sub"
    sub.mkdir()
    (sub / "a.txt").write_text("a\n")
    (sub / "b.md").write_text("b\n")
    collector.wait_for(lambda c: c.rescan or {"sub/a.txt", "sub/b.md"} <= c.paths)
    if collector.rescan:
        assert "sub" in collector.paths


def test_folder_moved_in_sets_rescan(tmp_path: Path, folder: Path, make_watcher) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "old.txt").write_text("written before the move\n")
    _, collector = make_watcher()
    os.rename(outside, folder / "moved")
    collector.wait_for(lambda c: c.rescan)
    assert "moved" in collector.paths


def test_folder_rename_inside_root_gives_moves(folder: Path, make_watcher) -> None:
    (folder / "d").mkdir()
    (folder / "d" / "f.md").write_text("f\n")
    _, collector = make_watcher()
    os.rename(folder / "d", folder / "e")
    collector.wait_for(lambda c: ("d", "e") in c.moves)
    assert collector.rescan
    assert {"d", "e"} <= collector.paths


def test_folder_deleted_sets_rescan(folder: Path, make_watcher) -> None:
    (folder / "d").mkdir()
    (folder / "d" / "f.md").write_text("f\n")
    _, collector = make_watcher()
    shutil.rmtree(folder / "d")
    collector.wait_for(lambda c: c.rescan and "d" in c.paths)


def test_folder_permissions_changed_sets_rescan(folder: Path, make_watcher) -> None:
    (folder / "d").mkdir()
    (folder / ".hidden").mkdir()
    watcher, collector = make_watcher()
    (folder / ".hidden").chmod(0o700)  # an ignored folder: nothing
    (folder / "z.txt").write_text("sentinel\n")
    collector.wait_for(has_path("z.txt"))
    assert not collector.rescan
    (folder / "d").chmod(0o700)  # what it holds may have become readable: look again
    collector.wait_for(lambda c: c.rescan)
    assert "d" not in collector.paths  # not a path: the folder itself is no document


def test_ignored_editor_files_produce_no_paths(folder: Path, make_watcher) -> None:
    watcher, collector = make_watcher()
    for name in (".a.swp", "a.txt~", "4913", "x.tmp", ".hidden.txt", "image.png"):
        (folder / name).write_text("noise\n")
    (folder / ".git").mkdir()
    (folder / ".git" / "HEAD").write_text("ref\n")
    (folder / "real.txt").write_text("real\n")
    collector.wait_for(has_path("real.txt"))
    watcher.stop()
    collector.drain()
    assert collector.paths == {"real.txt"}
    assert not collector.rescan


def test_include_and_exclude(folder: Path, make_watcher) -> None:
    (folder / "drafts").mkdir()
    watcher, collector = make_watcher(include=["*.py", "*.txt"], exclude=["drafts"])
    (folder / "drafts" / "a.txt").write_text("x\n")
    (folder / "notes.md").write_text("x\n")
    (folder / "tool.py").write_text("x\n")
    collector.wait_for(has_path("tool.py"))
    watcher.stop()
    collector.drain()
    assert collector.paths == {"tool.py"}


# delivery, shutdown and errors


def test_continuous_writes_are_not_held_back_forever(folder: Path, make_watcher) -> None:
    doc = folder / "a.txt"
    _, collector = make_watcher(debounce=0.2, max_delay=0.3)
    deadline = time.monotonic() + 3.0
    writes = 0
    while not collector.take(0):
        assert time.monotonic() < deadline, "no batch while the file kept changing"
        doc.write_text(f"version {writes}\n")
        writes += 1
        time.sleep(0.02)  # pace the writer: faster than the 0.2 s debounce
    assert "a.txt" in collector.batches[0].paths


def test_stop_flushes_pending_batch(folder: Path, make_watcher) -> None:
    watcher, collector = make_watcher(debounce=3600.0)  # only stop() can deliver it
    (folder / "a.txt").write_text("text\n")
    wait_until(lambda: watcher.events_received > 0)
    stopping = threading.Thread(target=watcher.stop, name="test-stop")
    stopping.start()
    stopping.join(TIMEOUT)  # a stop() that waited for the quiet period would take an hour
    assert not stopping.is_alive(), "stop() is waiting for the quiet period"
    collector.drain()
    assert collector.paths == {"a.txt"}


def test_stop_is_idempotent_and_join_reports_it(folder: Path) -> None:
    collector = Collector()
    watcher = Watcher(folder, collector, debounce=DEBOUNCE)
    assert watcher.join(0) is False
    watcher.start()
    assert watcher.join(0.01) is False
    with pytest.raises(RuntimeError):
        watcher.start()
    watcher.stop()
    watcher.stop()
    assert watcher.join(0) is True


def test_stop_before_start(folder: Path) -> None:
    watcher = Watcher(folder, Collector())
    watcher.stop()
    with pytest.raises(RuntimeError):
        watcher.start()


def test_stop_from_on_batch(folder: Path) -> None:
    holder: list[Watcher] = []
    delivered = threading.Event()

    def on_batch(batch: Batch) -> None:
        holder[0].stop()
        delivered.set()

    watcher = Watcher(folder, on_batch, debounce=DEBOUNCE)
    holder.append(watcher)
    with watcher:
        (folder / "a.txt").write_text("x\n")
        assert delivered.wait(TIMEOUT)
        assert watcher.join(TIMEOUT)


def test_missing_folder_raises_and_leaves_no_threads(tmp_path: Path) -> None:
    watcher = Watcher(tmp_path / "missing", Collector())
    with pytest.raises(FileNotFoundError):
        watcher.start()
    watcher.stop()


def test_context_manager(folder: Path) -> None:
    collector = Collector()
    with Watcher(folder, collector, debounce=DEBOUNCE):
        (folder / "a.txt").write_text("x\n")
        collector.wait_for(has_path("a.txt"))


def test_polling_observer_sees_edit(folder: Path, make_watcher) -> None:
    doc = folder / "a.txt"
    doc.write_text("one\n")
    _, collector = make_watcher(poll=True, poll_interval=0.05)
    doc.write_text("one\ntwo, longer\n")
    collector.wait_for(has_path("a.txt"))
    os.rename(doc, folder / "b.txt")
    # usually a move, but a snapshot taken mid-rename sees a deletion and a creation instead
    collector.wait_for(has_path("b.txt"))


def test_on_batch_raising_does_not_kill_worker(folder: Path, make_watcher) -> None:
    errors: queue.Queue[BaseException] = queue.Queue()
    calls: list[Batch] = []
    collector = Collector()

    def on_batch(batch: Batch) -> None:
        calls.append(batch)
        if len(calls) == 1:
            raise RuntimeError("consumer failed")
        collector(batch)

    watcher = Watcher(folder, on_batch, debounce=DEBOUNCE, on_error=errors.put)
    try:
        watcher.start()
        (folder / "a.txt").write_text("x\n")
        error = errors.get(timeout=TIMEOUT)
        assert isinstance(error, RuntimeError)
        (folder / "b.txt").write_text("y\n")
        collector.wait_for(has_path("b.txt"))
    finally:
        watcher.stop()


def test_on_batch_raising_without_on_error_is_logged(
    folder: Path, make_watcher, caplog: pytest.LogCaptureFixture
) -> None:
    failed = threading.Event()

    def on_batch(batch: Batch) -> None:
        failed.set()
        raise RuntimeError("consumer failed")

    watcher, _ = make_watcher(collector=on_batch)
    (folder / "a.txt").write_text("x\n")
    assert failed.wait(TIMEOUT)
    watcher.stop()
    assert "consumer failed" in caplog.text


def test_request_rescan(make_watcher) -> None:
    watcher, collector = make_watcher()
    watcher.request_rescan()
    collector.wait_for(lambda c: c.rescan)


# observer failures


def test_dead_observer_is_restarted_with_rescan(folder: Path, make_watcher) -> None:
    watcher, collector = make_watcher()
    watcher.health_interval = 0.05
    dead = watcher._supervisor.observer
    assert dead is not None
    dead.stop()  # what an observer crash looks like from outside: its threads are gone
    dead.join(TIMEOUT)
    collector.wait_for(lambda c: c.rescan)
    assert watcher._supervisor.observer is not None and watcher._supervisor.observer is not dead
    (folder / "after.txt").write_text("x\n")
    collector.wait_for(has_path("after.txt"))


def test_inotify_overflow_gives_rescan(folder: Path, make_watcher) -> None:
    watcher, collector = make_watcher()
    reader = getattr(watcher._supervisor.observer, "inotify_reader", None)
    if reader is None:
        pytest.skip("native observer is not inotify")
    from watchdog.observers.inotify_c import InotifyConstants, InotifyEvent

    reader.handle_event(InotifyEvent(-1, InotifyConstants.IN_Q_OVERFLOW, 0, b""))
    collector.wait_for(lambda c: c.rescan)
    (folder / "after.txt").write_text("x\n")
    collector.wait_for(has_path("after.txt"))


def test_root_deleted_and_recreated_recovers(folder: Path, make_watcher) -> None:
    errors: queue.Queue[BaseException] = queue.Queue()
    watcher, collector = make_watcher(on_error=errors.put)
    watcher.health_interval = 0.05
    folder.rmdir()
    collector.wait_for(lambda c: c.rescan)
    folder.mkdir()
    collector.batches.clear()
    collector.wait_for(lambda c: c.rescan)  # the restart asks for a rescan
    (folder / "back.txt").write_text("x\n")
    collector.wait_for(has_path("back.txt"))


def _watching_a_folder_gone(
    folder: Path, make_watcher, caplog: pytest.LogCaptureFixture
) -> tuple[Any, Any, Callable[[str], Callable[[], bool]]]:
    """A watcher checking its folder's health every 20 ms, its folder removed and the removal
    logged; also a test of what has been logged, for wait_until."""
    caplog.set_level(logging.INFO, logger="tracker.watch")
    watcher, collector = make_watcher(on_error=lambda exc: None)
    watcher.health_interval = 0.02

    def logged(words: str) -> Callable[[], bool]:
        return lambda: any(words in r.getMessage() for r in caplog.records)

    folder.rmdir()
    wait_until(logged("is gone"))
    return watcher, collector, logged


def test_a_folder_gone_for_a_while_is_logged_once_gone_and_once_back(
    folder: Path, make_watcher, caplog: pytest.LogCaptureFixture
) -> None:
    """Every health check while the folder is gone tries to watch it again: that is logged
    when it goes and when it is back, not at each try."""
    watcher, collector, logged = _watching_a_folder_gone(folder, make_watcher, caplog)
    time.sleep(0.5)  # some 25 checks with the folder gone
    folder.mkdir()
    wait_until(logged("is back"))  # watched again
    (folder / "back.txt").write_text("x\n")
    collector.wait_for(has_path("back.txt"))
    watcher.stop()
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert said == [
        f"watched folder {folder} is gone; waiting for it",
        f"watched folder {folder} is back; watching it again",
    ]


def test_a_folder_back_while_the_observer_starts_is_watched_at_once(
    folder: Path, make_watcher, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The folder can come back between the watcher noting what is at its path and the
    observer's start (a busy machine widens that gap): the observer watches the folder that is
    there, and is not restarted once more, losing what was written in the meantime."""
    from tracker.watch import supervisor as supervisor_module

    real_start = supervisor_module.start_observer

    def slow_start(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.05)  # a start slowed as on a busy machine: the real observer all the same
        return real_start(*args, **kwargs)

    monkeypatch.setattr(supervisor_module, "start_observer", slow_start)
    watcher, collector, logged = _watching_a_folder_gone(folder, make_watcher, caplog)
    time.sleep(0.2)  # a failing start or two
    folder.mkdir()
    wait_until(logged("is back"))
    (folder / "back.txt").write_text("x\n")
    collector.wait_for(has_path("back.txt"))
    time.sleep(0.1)  # some more health checks
    watcher.stop()
    assert not any("restarting" in r.getMessage() for r in caplog.records)
