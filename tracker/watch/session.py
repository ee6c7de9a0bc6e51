"""Live tracking: a :class:`~.watcher.Watcher` whose worker thread records every change.

:class:`WatchSession` glues the watcher to the database and knows nothing of click. It is the
life cycle (start, stop, signals, retries); the pieces it holds together live in their modules:

* :mod:`tracker.watch.recorder`: the worker thread's side, recording each batch into the database
  (full scans, renames, files still being written) and telling :class:`WatchEvent` objects.
* :mod:`tracker.watch.hooks`: ``--exec``, run on one more thread, ``tracker-exec``, fed by a bounded
  queue, so a slow or failing command never holds up recording.
* :mod:`tracker.watch.lock`: one watcher per database.

Threads
    The watcher's single worker thread owns the database: the :class:`~.recorder.Recorder`
    opens its own :class:`~tracker.history.History` lazily (SQLite connections are bound to the
    thread that made them), records each debounced batch and closes the connection when the
    watcher stops. The first batch is always a full catch-up scan, so whatever changed while no
    watcher ran is recorded before live changes.

One watcher per database
    :class:`WatchLock` holds an exclusive, non-blocking ``flock`` on ``<db>.watch.lock`` for the
    session's lifetime; a second session on the same database is refused with
    :class:`WatcherRunning`. The kernel drops the lock when the process dies, even on ``kill -9``.

Crash safety
    Every document's version is committed on its own (the history guarantees it), and
    each start begins with a catch-up scan, so a watcher killed at any moment loses nothing that
    was committed and the next start records what it missed. A batch that fails (a locked
    database, a vanished folder) is reported and retried with a full scan, with a back-off.

Stopping
    The first signal (or :meth:`WatchSession.stop`) records what is pending, saying so with a
    ``stopping`` event before the first document it then records; a second one
    (:meth:`WatchSession.abort`) stops at once: the batch being recorded stops before its next
    document (each document is committed whole or not at all), nothing more is recorded or
    run, and an ``interrupted`` event says what was left for the next start to catch up.
"""

from __future__ import annotations

import logging
import os
import select
import signal
import socket
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import TracebackType

from ..errors import ReadOnlyDatabase, TrackerError
from ..history import History
from ..scan.files import DEFAULT_MAX_BYTES
from .batch import Batch
from .events import WatchEvent
from .hooks import CommandRunner
from .lock import WatchLock
from .recorder import DatabaseGone, Recorder
from .watcher import Watcher

__all__ = ["WatchSession"]

logger = logging.getLogger(__name__)

#: Longest wait before retrying a batch that failed (a locked database, a vanished folder).
MAX_RETRY_DELAY = 30.0


class WatchSession:
    """Record every change under ``root`` into the database at ``db_path`` until stopped.

    ``on_event`` gets a :class:`WatchEvent` for each version, deletion, rename, skipped file,
    warning and error; it is called on the watcher's worker thread (``started`` on the thread
    that calls :meth:`start`, ``--exec`` warnings on the exec thread), one call at a time.
    ``include``/``exclude``/``debounce``/``poll`` go to :class:`Watcher`; ``split`` and
    ``max_bytes`` to its folder snapshots. ``exec_command``: a shell command run after each
    version and deletion (see :func:`~.hooks.exec_env`), with the JSON diff on its stdin.
    ``only_substantive``: versions whose changes are all minor are recorded but neither told
    nor run for.
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
        only_substantive: bool = False,
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
        self._stopping = threading.Event()
        self._aborted = False  # a plain flag: set from a signal handler, which takes no lock
        #: True once stop() returned after being told to stop at once (abort())
        self.interrupted = False
        self._recorder = Recorder(
            self.root,
            self.db_path,
            self._watcher,
            self._emit,
            self._stopping,
            lambda: self._aborted,
            include=self.include,
            exclude=self.exclude,
            split=split,
            max_bytes=max_bytes,
            runner=self._runner,
            only_substantive=only_substantive,
        )
        self._state = threading.Lock()  # guards _started, _stopped, _retry
        self._started = False
        self._stopped = False
        self._retry: threading.Timer | None = None
        self._retry_delay = 0.0
        self._last_error = ""  # told already: the same error at the next retry is not told again
        self._stop_requested = False
        self._wake_w: socket.socket | None = None  # set while run() waits
        #: why the session cannot go on (its database file deleted): run() stops and raises it
        self.failure: TrackerError | None = None

    # -- life cycle --------------------------------------------------------------------------

    def start(self) -> None:
        """Check the database, take its lock, say ``started``, start watching."""
        with self._state:
            if self._started:
                raise RuntimeError("a WatchSession can only be started once")
            self._started = True
        if not self.root.is_dir():
            raise TrackerError(f"{self.root}: no such folder")
        self._recorder.prepare()
        with History(self.db_path) as history:  # fail early, on this thread, if unusable
            if history.store.read_only:  # it would fail on every change, forever
                raise ReadOnlyDatabase(
                    f"database {self.db_path} is read-only: it can be read but not recorded into"
                )
            tracked = sum(1 for doc in history.documents() if not doc.deleted)
        if self._lock is not None and not self._lock.acquire():
            self._warn(f"{self._lock.problem}: a second watcher would not be refused")
        try:
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
        if self._aborted:
            self.interrupted = True
            left = {"left": len(self._recorder.left), "rescan": int(self._recorder.scan_given_up)}
            self._emit(WatchEvent("interrupted", counts=left))

    def abort(self) -> None:
        """Make a stop (under way or to come) stop at once, leaving the rest to the next start.

        Safe in a signal handler: it only sets flags, taking no lock.
        """
        self._aborted = True
        if self._runner is not None:
            self._runner.cut_short()

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

        Returns the signal number (0 after request_stop); raises :attr:`failure` if the session
        stopped because it could not go on. Must run on the main thread. The
        handlers only note the signal; the main thread sleeps in ``select`` on a wake-up socket
        (no polling loop), so a signal during start-up or the catch-up is answered as soon as
        the current batch of files is recorded. A second signal, while it stops, calls
        :meth:`abort` (:attr:`interrupted` then tells it stopped at once).
        """
        received: list[int] = []

        def note(signum: int, frame: object) -> None:
            received.append(signum)
            if len(received) > 1 or self._stopped:
                self.abort()

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
        if self.failure is not None:
            raise self.failure
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

    def _close(self) -> None:
        """Watcher on_stop: close the worker's connection on the worker thread."""
        self._recorder.close()

    def _on_batch(self, batch: Batch) -> None:
        """Record one batch; on failure report it and retry with a full scan later."""
        try:
            self._recorder.record(batch)
        except DatabaseGone as error:  # what it records would go nowhere: no retry, stop
            self.failure = error
            self.request_stop()
        except Exception as error:
            self._failed(error)
        else:
            self._retry_delay = 0.0
            self._last_error = ""

    def _failed(self, error: BaseException) -> None:
        """Report a failed batch (once while it fails the same way) and schedule a full re-scan
        with an exponential back-off."""
        self._retry_delay = min(max(self._retry_delay * 2, 0.5), MAX_RETRY_DELAY)
        if str(error) != self._last_error:
            self._last_error = str(error)
            reason = f"{error} (retrying in {self._retry_delay:g} s)"
            self._emit(WatchEvent("error", reason=reason))
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
