"""Live tracking: a :class:`~tracker.watch.Watcher` whose worker thread records every change.

:class:`WatchSession` glues the watcher to the database and knows nothing of click.

Threads
    The watcher's single worker thread owns the database: it opens its own :class:`Tracker`
    lazily (SQLite connections are bound to the thread that made them), records each debounced
    batch and closes the connection when the watcher stops. The first batch is always a full
    catch-up scan, so whatever changed while no watcher ran is recorded before live changes.
    ``--exec`` commands run on one more thread, ``tracker-exec``, fed by a bounded queue, so a
    slow or failing command never holds up recording.

Batches
    A ``rescan`` batch (start-up, inotify overflow, folder created/moved/deleted, observer
    restarted) compares the whole folder; any other batch re-reads only the paths it names. Moves
    whose source is a tracked document and whose destination is not are applied first with
    :meth:`Tracker.rename`, so a renamed or moved file keeps its history.

Half-written files
    A batch is cut after a quiet period, so a named file modified less than ``debounce`` ago
    has been written again since: it is put back for a later batch (:meth:`Watcher.recheck`)
    rather than read mid-write; a file written without pause is still recorded about every
    ``max_delay``. :func:`~tracker.snapshot.read_text` also re-reads until size and mtime hold
    still. A vim-style save (delete, re-create) inside one quiet period gives one version; split
    over two batches it gives a deletion, then a version continuing the same history.

One watcher per database
    :class:`WatchLock` holds an exclusive, non-blocking ``flock`` on ``<db>.watch.lock`` for the
    session's lifetime; a second session on the same database is refused with
    :class:`WatcherRunning`. The kernel drops the lock when the process dies, even on ``kill -9``.

Crash safety
    Every document's version is committed on its own (the :class:`Tracker` guarantees it), and
    each start begins with a catch-up scan, so a watcher killed at any moment loses nothing that
    was committed and the next start records what it missed.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import queue
import select
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from . import refs
from .api import SnapshotResult, Tracker
from .errors import TrackerError, UnreadableFile
from .filters import is_watched
from .render import diff_json
from .snapshot import DEFAULT_MAX_BYTES, read_text, scan
from .store import Version, now_iso
from .watch import Batch, Watcher

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "CommandRunner",
    "WatchEvent",
    "WatchLock",
    "WatchSession",
    "WatcherRunning",
]

logger = logging.getLogger(__name__)

#: Files compared per :meth:`Tracker.snapshot` call during a full scan; between two calls a
#: stopping session gives up the scan, so Ctrl-C during a long catch-up is answered quickly.
SCAN_CHUNK = 2000

#: Longest wait before retrying a batch that failed (a locked database, a vanished folder).
MAX_RETRY_DELAY = 30.0


class WatcherRunning(TrackerError):
    """Another ``tracker watch`` is already recording into the same database."""


class _Cancelled(Exception):
    """A full scan was given up because the session is stopping."""


@dataclass(frozen=True)
class WatchEvent:
    """Something the session did or noticed, handed to the ``on_event`` callback.

    ``kind`` is one of ``started`` (``counts["documents"]``: documents tracked), ``version``,
    ``deleted`` (both with ``version``), ``renamed`` (``doc`` is the new name, ``old_name`` the
    former), ``skipped`` (``doc`` is the path, ``reason`` why), ``caught_up`` (the start-up
    scan finished; ``counts``), ``rescanned`` (a later full scan finished), ``warning`` and
    ``error`` (``reason``; a batch that failed is retried with a full scan).
    """

    kind: str
    doc: str = ""
    version: Version | None = None
    old_name: str | None = None
    reason: str | None = None
    at: str | None = None
    counts: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The event as one JSON object (the shape ``tracker watch --json`` prints)."""
        if self.version is not None:
            v = self.version
            return {
                "event": self.kind,
                "doc": v.doc,
                "version": v.version,
                "captured_at": v.captured_at,
                "added": v.added,
                "removed": v.removed,
                "modified": v.modified,
                "moved": v.moved,
                "paragraphs": v.paragraphs,
                "bytes": v.bytes,
                "sha256": v.sha256,
            }
        data: dict[str, Any] = {"event": self.kind}
        if self.doc:
            data["doc"] = self.doc
        if self.old_name is not None:
            data["from"] = self.old_name
        if self.at is not None:
            data["captured_at"] = self.at
        if self.reason is not None:
            data["reason"] = self.reason
        data.update(self.counts)
        return data


class WatchLock:
    """An exclusive ``flock`` on ``<db>.watch.lock`` so only one watcher records into a database.

    The file holds the owner's pid and folder, for the refusal message. It is removed on release;
    an acquirer checks that the file it locked is still the one at the path, so a release racing
    with an acquire never lets two owners in. A stale file left by ``kill -9`` is not locked and
    never blocks anyone.
    """

    def __init__(self, db_path: str | os.PathLike, root: str | os.PathLike) -> None:
        self.db_path = str(db_path)
        self.path = Path(self.db_path + ".watch.lock")
        self.root = str(root)
        self._fd: int | None = None
        self.problem = ""

    def acquire(self) -> bool:
        """Take the lock, or raise WatcherRunning naming the pid that holds it.

        Returns False, with the reason in :attr:`problem`, where locking is not possible (no
        ``fcntl`` on Windows, a file system without ``flock``): the caller goes on unprotected.
        """
        if self._fd is not None:
            return True
        if fcntl is None:
            self.problem = "file locks are not available on this platform"
            return False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            while True:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError as error:
                    holder = os.read(fd, 4096).decode("utf-8", "replace").split()
                    os.close(fd)
                    if error.errno not in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES):
                        self.problem = f"cannot lock {self.path} ({error.strerror})"
                        return False
                    pid = holder[0] if holder else "?"
                    raise WatcherRunning(
                        f"another tracker watch (pid {pid}) is already recording into"
                        f" {self.db_path}"
                    ) from None
                try:
                    current = os.stat(self.path)
                except FileNotFoundError:
                    current = None
                if current is None or not os.path.samestat(current, os.fstat(fd)):
                    os.close(fd)  # released and removed between our open and flock: again
                    continue
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()} {self.root}\n".encode())
                self._fd = fd
                return True
        except OSError as error:
            raise TrackerError(f"cannot create {self.path}: {error.strerror}") from None

    def release(self) -> None:
        """Remove the lock file and drop the lock (idempotent)."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            self.path.unlink()
        except OSError:
            pass
        os.close(fd)  # closing the last descriptor releases the flock


@dataclass
class _Job:
    env: dict[str, str]
    stdin: bytes
    label: str


class CommandRunner:
    """Run a shell command per recorded version on its own thread, never blocking the caller.

    Jobs wait in a queue of at most ``max_queue``; when it is full a job is dropped with a
    warning. A command running longer than ``timeout`` seconds is killed (its whole process
    group). Its stdout goes to our stderr so it cannot garble ``--json`` output. Failures are
    reported through ``on_warning`` and nothing else happens.
    """

    def __init__(
        self,
        command: str,
        on_warning: Callable[[str], None],
        *,
        timeout: float = 60.0,
        max_queue: int = 100,
        shutdown_grace: float = 5.0,
    ) -> None:
        self.command = command
        self.timeout = timeout
        self.shutdown_grace = shutdown_grace
        self._on_warning = on_warning
        self._queue: queue.Queue[_Job | None] = queue.Queue(maxsize=max_queue)
        self._thread: threading.Thread | None = None
        self._deadline: float | None = None  # set by stop(): finish by then or give up
        self._dropped = 0  # jobs refused since the queue was last empty
        self._count_lock = threading.Lock()

    def start(self) -> None:
        """Start the worker thread."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="tracker-exec", daemon=True)
            self._thread.start()

    def submit(self, env: dict[str, str], stdin: bytes, label: str) -> bool:
        """Queue one run; False if the queue is full (one warning per overflow, not per drop)."""
        try:
            self._queue.put_nowait(_Job(env, stdin, label))
            return True
        except queue.Full:
            with self._count_lock:
                self._dropped += 1
                first = self._dropped == 1
            if first:
                self._on_warning(
                    f"--exec: {self._queue.maxsize} commands already waiting; not running it"
                    f" for {label} nor for further versions until some are done"
                )
            return False

    def stop(self) -> None:
        """Let queued commands finish within shutdown_grace seconds, then join the thread."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._deadline = time.monotonic() + self.shutdown_grace
        while True:  # the sentinel must get in even if the queue is full
            try:
                self._queue.put(None, timeout=0.05)
                break
            except queue.Full:
                if not thread.is_alive():
                    break
        thread.join()

    def _run(self) -> None:
        """Worker loop: run jobs in order until the sentinel."""
        abandoned = 0  # jobs left when the shutdown grace ran out
        while True:
            job = self._queue.get()
            if job is None:
                break
            timeout = self.timeout
            if self._deadline is not None:
                timeout = min(timeout, self._deadline - time.monotonic())
                if timeout <= 0:
                    abandoned += 1
                    continue
            try:
                self._run_one(job, timeout)
            except Exception as error:  # never let one job end the thread
                self._on_warning(f"--exec failed for {job.label}: {error}")
            if self._queue.empty():
                self._report_dropped()
        self._report_dropped()
        if abandoned:
            self._on_warning(f"--exec: stopping; did not run for {abandoned} more versions")

    def _report_dropped(self) -> None:
        """Say how many runs were refused while the queue was full, once it has room again."""
        with self._count_lock:
            dropped, self._dropped = self._dropped, 0
        if dropped:
            self._on_warning(f"--exec: did not run for {dropped} versions (queue full)")

    def _run_one(self, job: _Job, timeout: float) -> None:
        """Run the command once with the job's environment and stdin."""
        process = subprocess.Popen(
            self.command,
            shell=True,
            stdin=subprocess.PIPE,
            stdout=2,
            env={**os.environ, **job.env},
            start_new_session=True,  # its own process group: killed as a whole, no Ctrl-C
        )
        try:
            process.communicate(job.stdin, timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except OSError:
                process.kill()
            process.communicate()
            self._on_warning(f"--exec took over {timeout:.0f} s for {job.label}; killed it")
            return
        if process.returncode:
            self._on_warning(f"--exec exited with status {process.returncode} for {job.label}")


class WatchSession:
    """Record every change under ``root`` into the database at ``db_path`` until stopped.

    ``on_event`` gets a :class:`WatchEvent` for each version, deletion, rename, skipped file,
    warning and error; it is called on the watcher's worker thread (``started`` on the thread
    that calls :meth:`start`, ``--exec`` warnings on the exec thread), one call at a time.
    ``include``/``exclude``/``debounce``/``poll`` go to :class:`Watcher`; ``split`` and
    ``max_bytes`` to :meth:`Tracker.snapshot`. ``exec_command``: a shell command run after each
    version and deletion (see :meth:`_exec_env`), with the JSON diff on its stdin.
    """

    def __init__(
        self,
        root: str | os.PathLike,
        db_path: str | os.PathLike,
        on_event: Callable[[WatchEvent], None],
        *,
        debounce: float = 0.1,
        max_delay: float | None = None,
        poll: bool = False,
        poll_interval: float = 1.0,
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
        split: str = "auto",
        max_bytes: int = DEFAULT_MAX_BYTES,
        exec_command: str | None = None,
        exec_timeout: float = 60.0,
        lock: bool = True,
    ) -> None:
        self.root = Path(os.path.abspath(root))
        self.db_path = Path(db_path)
        self.include = tuple(include)
        self.exclude = tuple(exclude)
        self.split = split
        self.max_bytes = max_bytes
        self._on_event = on_event
        self._emit_lock = threading.Lock()
        self._lock = WatchLock(self.db_path, self.root) if lock else None
        self._runner = (
            CommandRunner(exec_command, self._warn, timeout=exec_timeout) if exec_command else None
        )
        self._watcher = Watcher(
            self.root,
            self._on_batch,
            debounce=debounce,
            max_delay=max_delay,
            poll=poll,
            poll_interval=poll_interval,
            include=self.include,
            exclude=self.exclude,
            on_error=self._on_watcher_error,
            on_stop=self._close,
        )
        self._root_key = ""
        self._tracker: Tracker | None = None  # only touched on the worker thread
        self._caught_up = False
        self._busy_since: dict[str, float] = {}  # paths put back by _settled, since when
        self._held: list[WatchEvent] | None = None  # events of the live batch being recorded
        self._stopping = threading.Event()
        self._state = threading.Lock()  # guards _started, _stopped, _retry
        self._started = False
        self._stopped = False
        self._retry: threading.Timer | None = None
        self._retry_delay = 0.0
        self._stop_requested = False
        self._wake_w: socket.socket | None = None  # set while run() waits

    # -- life cycle --------------------------------------------------------------------------

    def start(self) -> None:
        """Take the database lock, check the database, say ``started``, start watching."""
        with self._state:
            if self._started:
                raise RuntimeError("a WatchSession can only be started once")
            self._started = True
        if not self.root.is_dir():
            raise TrackerError(f"{self.root}: no such folder")
        self._root_key = str(self.root.resolve())
        if self._lock is not None and not self._lock.acquire():
            self._warn(f"{self._lock.problem}: a second watcher would not be refused")
        try:
            with Tracker(self.db_path) as tracker:  # fail early, on this thread, if unusable
                tracked = sum(1 for doc in tracker.documents() if not doc.deleted)
            self._emit(WatchEvent("started", counts={"documents": tracked}))
            if self._runner is not None:
                self._runner.start()
            try:
                self._watcher.start()
            except OSError as error:
                raise TrackerError(f"cannot watch {self.root}: {error}") from None
            self._watcher.request_rescan(now=True)  # the catch-up, on the worker thread
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop watching, record what is pending, join every thread, release the lock."""
        with self._state:
            if self._stopped:
                return
            self._stopped = True
        self._stopping.set()
        try:
            self._watcher.stop()  # delivers the pending batch, then closes the database
            with self._state:
                retry, self._retry = self._retry, None
            if retry is not None:
                retry.cancel()
                retry.join()
            if self._runner is not None:
                self._runner.stop()
        finally:
            if self._lock is not None:
                self._lock.release()

    def request_stop(self) -> None:
        """Make :meth:`run` return (after stopping cleanly); callable from any thread."""
        with self._state:
            wake = self._wake_w
            self._stop_requested = True
        if wake is not None:
            try:
                wake.send(b"x")
            except OSError:
                pass

    def run(self, signals: Iterable[int] = (signal.SIGINT, signal.SIGTERM)) -> int:
        """Start, record until one of ``signals`` arrives or request_stop(), then stop cleanly.

        Returns the signal number (0 after request_stop). Must run on the main thread. The
        handlers only note the signal; the main thread sleeps in ``select`` on a wake-up socket
        (no polling loop), so a signal during start-up or the catch-up is answered as soon as
        the current chunk of files is recorded.
        """
        received: list[int] = []

        def note(signum: int, frame: object) -> None:
            received.append(signum)

        wake_r, wake_w = socket.socketpair()
        wake_r.setblocking(False)
        wake_w.setblocking(False)
        with self._state:
            self._wake_w = wake_w
        previous_wakeup = signal.set_wakeup_fd(wake_w.fileno(), warn_on_full_buffer=False)
        previous = {signum: signal.signal(signum, note) for signum in signals}
        try:
            self.start()
            while not received and not self._stop_requested:
                select.select([wake_r], [], [])
                try:
                    wake_r.recv(4096)
                except BlockingIOError:
                    pass
        finally:
            try:
                self.stop()
            finally:
                signal.set_wakeup_fd(previous_wakeup)
                for signum, handler in previous.items():
                    signal.signal(signum, handler)
                with self._state:
                    self._wake_w = None
                wake_r.close()
                wake_w.close()
        return received[0] if received else 0

    def __enter__(self) -> WatchSession:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- worker thread -----------------------------------------------------------------------

    def _open(self) -> Tracker:
        """The worker's own Tracker, opened on first use."""
        if self._tracker is None:
            self._tracker = Tracker(self.db_path)
        return self._tracker

    def _close(self) -> None:
        """Watcher on_stop: close the worker's connection on the worker thread."""
        tracker, self._tracker = self._tracker, None
        if tracker is not None:
            tracker.close()

    def _on_batch(self, batch: Batch) -> None:
        """Record one batch; on failure report it and retry with a full scan later.

        The events of a live batch are told once all its files are read, so that whoever
        reacts to one (a test, an --exec script writing back) cannot race with its reads.
        """
        full = batch.rescan or not self._caught_up
        self._held = None if full else []
        try:
            tracker = self._open()
            self._apply_moves(tracker, batch.moves)
            if full:
                try:
                    self._full_scan(tracker)
                    self._caught_up = True
                except _Cancelled:  # stopping: at least record what the events named
                    if batch.paths:
                        self._scan_paths(tracker, batch.paths)
            elif batch.paths:
                self._scan_paths(tracker, batch.paths)
        except Exception as error:
            self._release_held()
            self._failed(error)
        else:
            self._release_held()
            self._retry_delay = 0.0

    def _tell(self, event: WatchEvent) -> None:
        """Emit an event of the batch being recorded, or hold it until the batch is read."""
        if self._held is None:
            self._emit(event)
        else:
            self._held.append(event)

    def _release_held(self) -> None:
        """Emit the events held back during a live batch, in order."""
        held, self._held = self._held, None
        for event in held or ():
            self._emit(event)

    def _accept(self, relname: str) -> bool:
        """Tell whether a relative path is a document this session tracks."""
        return is_watched(relname, self.include, self.exclude)

    def _accept_or_cancel(self, relname: str) -> bool:
        """The accept filter for full scans, which also gives them up when stopping."""
        if self._stopping.is_set():
            raise _Cancelled
        return self._accept(relname)

    def _apply_moves(self, tracker: Tracker, moves: Iterable[tuple[str, str]]) -> None:
        """Rename tracked documents that moved onto untracked names, keeping their history."""
        for src, dest in moves:
            old, new = refs.normalize_name(src), refs.normalize_name(dest)
            document = tracker.store.document(old)
            if document is None or document.deleted or document.root != self._root_key:
                continue
            if tracker.store.document(new) is not None:
                continue  # onto a tracked name: the snapshot records a deletion and a change
            at = now_iso()
            tracker.rename(old, new, at=at)
            self._tell(WatchEvent("renamed", doc=new, old_name=old, at=at))

    def _settled(self, paths: Iterable[str]) -> list[str]:
        """The paths not written in the last ``debounce`` seconds; the others go to a later batch.

        A batch is cut after a quiet period, so a file modified less than that ago was written
        again since: reading it now could catch it half-written (truncated, not yet refilled).
        It is put back (:meth:`Watcher.recheck`), unless it has waited ``max_delay`` already (a
        file written continuously, or a clock skew) or the session is stopping.
        """
        quiet_ns = int(self._watcher.debounce * 1e9)
        if quiet_ns <= 0 or self._stopping.is_set():
            return sorted(paths)
        now_ns, now = time.time_ns(), time.monotonic()
        ready: list[str] = []
        busy: list[str] = []
        for path in sorted(paths):
            try:
                mtime_ns = os.lstat(self.root / path).st_mtime_ns
            except OSError:
                mtime_ns = 0  # gone: nothing to tear
            if now_ns - mtime_ns < quiet_ns:
                since = self._busy_since.setdefault(path, now)
                if now - since < self._watcher.max_delay:
                    busy.append(path)
                    continue
            self._busy_since.pop(path, None)
            ready.append(path)
        self._watcher.recheck(busy)
        return ready

    def _scan_paths(
        self, tracker: Tracker, paths: Iterable[str], totals: dict[str, int] | None = None
    ) -> None:
        """Record the named paths that are settled: changed, created, or gone (deleted)."""
        only = self._settled(paths)
        if not only:
            return
        result = tracker.snapshot(
            self.root, split=self.split, max_bytes=self.max_bytes, accept=self._accept, only=only
        )
        self._report(tracker, result, totals)

    def _full_scan(self, tracker: Tracker) -> None:
        """Compare the whole folder with the database, chunk by chunk; raise _Cancelled if stopping.

        Documents that the filters reject are left alone (never recorded as deleted), and a
        new file whose content equals a vanished document's is recorded as its rename.
        """
        totals = {"recorded": 0, "deleted": 0, "renamed": 0, "unchanged": 0, "skipped": 0}
        if not self.root.is_dir():  # unmounted or deleted: never record everything as deleted
            raise TrackerError(f"{self.root} is gone; waiting for it to come back")
        skipped: list[tuple[str, str]] = []
        names = [
            entry.name
            for entry in scan(
                self.root, self._accept_or_cancel, lambda name, why: skipped.append((name, why))
            )
        ]
        unlisted = tuple(name for name, why in skipped if why.startswith("cannot list folder"))
        for name, why in skipped:
            if name == str(self.root):
                raise TrackerError(f"{self.root}: {why}")
        for name, why in skipped:
            self._tell(WatchEvent("skipped", doc=name, reason=why))
        totals["skipped"] += len(skipped)
        known = {doc.name: doc for doc in tracker.documents()}
        present = set(names)
        vanished = [
            name
            for name, doc in known.items()
            if not doc.deleted
            and doc.root == self._root_key
            and name not in present
            and not name.startswith(unlisted)  # in a folder we could not read: not known gone
            and self._accept(name)
        ]
        fresh = [name for name in names if name not in known]
        if vanished and fresh:
            totals["renamed"] += self._match_renames(tracker, known, vanished, fresh)
        for start in range(0, len(names), SCAN_CHUNK):
            if self._stopping.is_set():
                raise _Cancelled
            self._scan_paths(tracker, names[start : start + SCAN_CHUNK], totals)
        if vanished:
            self._scan_paths(tracker, vanished, totals)
        self._tell(WatchEvent("rescanned" if self._caught_up else "caught_up", counts=totals))

    def _match_renames(
        self, tracker: Tracker, known: dict, vanished: list[str], fresh: list[str]
    ) -> int:
        """Rename vanished documents onto new files with the same content; return how many."""
        by_sha: dict[str, str] = {}
        for name in vanished:
            sha = known[name].latest_sha256
            if sha:
                by_sha.setdefault(sha, name)
        renamed = 0
        for name in fresh:
            if not by_sha:
                break
            if self._stopping.is_set():
                raise _Cancelled
            try:
                content = read_text(self.root / name, max_bytes=self.max_bytes, label=name)
            except (UnreadableFile, OSError):
                continue
            old = by_sha.pop(content.sha256, None)
            if old is None:
                continue
            at = now_iso()
            tracker.rename(old, name, at=at)
            vanished.remove(old)
            renamed += 1
            self._tell(WatchEvent("renamed", doc=name, old_name=old, at=at))
        return renamed

    def _report(
        self, tracker: Tracker, result: SnapshotResult, totals: dict[str, int] | None = None
    ) -> None:
        """Emit one event per rename, version, deletion and skipped file of a snapshot."""
        at = now_iso()
        for old, new in result.renamed:
            self._tell(WatchEvent("renamed", doc=new, old_name=old, at=at))
        for version in result.recorded:
            kind = "deleted" if version.deleted else "version"
            self._tell(WatchEvent(kind, doc=version.doc, version=version, at=version.captured_at))
            if self._runner is not None:
                self._queue_exec(tracker, kind, version)
        for path, reason in result.skipped:
            self._tell(WatchEvent("skipped", doc=path, reason=reason))
        if totals is not None:
            deleted = sum(1 for version in result.recorded if version.deleted)
            totals["recorded"] += len(result.recorded) - deleted
            totals["deleted"] += deleted
            totals["renamed"] += len(result.renamed)
            totals["unchanged"] += result.unchanged
            totals["skipped"] += len(result.skipped)

    def _queue_exec(self, tracker: Tracker, kind: str, version: Version) -> None:
        """Hand one version to the exec thread with its environment and JSON diff."""
        assert self._runner is not None
        try:
            diff = tracker.diff(version.doc, until=f"v{version.version}")
            data = diff_json(
                diff.doc,
                diff.old.as_dict() if diff.old is not None else None,
                diff.new.as_dict(),
                diff.changes,
            )
        except TrackerError as error:
            data = {"doc": version.doc, "error": str(error)}
        stdin = (json.dumps(data, ensure_ascii=False) + "\n").encode("utf-8")
        self._runner.submit(
            self._exec_env(kind, version), stdin, f"{version.doc} v{version.version}"
        )

    def _exec_env(self, kind: str, version: Version) -> dict[str, str]:
        """``TRACKER_*`` variables for an --exec command: what happened to which document."""
        return {
            "TRACKER_EVENT": kind,
            "TRACKER_DOC": version.doc,
            "TRACKER_VERSION": str(version.version),
            "TRACKER_CAPTURED_AT": version.captured_at,
            "TRACKER_ADDED": str(version.added or 0),
            "TRACKER_REMOVED": str(version.removed or 0),
            "TRACKER_MODIFIED": str(version.modified or 0),
            "TRACKER_MOVED": str(version.moved or 0),
            "TRACKER_DB": str(self.db_path.resolve()),
            "TRACKER_ROOT": str(self.root),
            "TRACKER_FILE": str(self.root / version.doc),
        }

    def _failed(self, error: BaseException) -> None:
        """Report a failed batch and schedule a full re-scan with an exponential back-off."""
        self._retry_delay = min(max(self._retry_delay * 2, 0.5), MAX_RETRY_DELAY)
        self._caught_up = False  # the next batch compares the whole folder
        self._emit(WatchEvent("error", reason=f"{error} (retrying in {self._retry_delay:g} s)"))
        with self._state:
            if self._stopped:
                return
            if self._retry is not None:
                self._retry.cancel()
            self._retry = threading.Timer(self._retry_delay, self._watcher.request_rescan)
            self._retry.name = "tracker-watch-retry"
            self._retry.daemon = True
            self._retry.start()

    def _on_watcher_error(self, error: BaseException) -> None:
        """Watcher on_error (observer restarts, surprising events): report it."""
        self._emit(WatchEvent("error", reason=f"file watcher: {error}"))

    def _warn(self, message: str) -> None:
        """Report a warning through on_event."""
        self._emit(WatchEvent("warning", reason=message))

    def _emit(self, event: WatchEvent) -> None:
        """Call on_event, one call at a time; a failing callback must not stop recording."""
        with self._emit_lock:
            try:
                self._on_event(event)
            except Exception:  # the callback's own problem: log it, keep recording
                logger.exception("on_event failed for %s", event.kind)
