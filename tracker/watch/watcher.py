"""Watch a folder for changes to text documents and hand them over in debounced batches.

This module knows nothing of SQLite or of the CLI: it turns file system events into
:class:`Batch` objects and calls a consumer with them. Folding raw events into a batch lives in
:mod:`tracker.watch.batch`; keeping a watchdog observer alive on the folder in
:mod:`tracker.watch.supervisor` (which starts, checks and stops them with
:mod:`tracker.watch.observer`).

Threads
    watchdog's observer threads (the dispatcher, one emitter, and for inotify the thread that
    reads the inotify file descriptor) only put raw events on a :class:`queue.Queue`. A single
    worker thread owned by :class:`Watcher` takes them off, filters them with
    ``is_watched`` (:mod:`tracker.scan.filters`), accumulates them, waits for a quiet period of
    ``debounce`` seconds (each relevant event restarts the timer, but a batch is never held back
    more than ``max_delay`` seconds after its first event, so a file written continuously is
    still recorded), then calls ``on_batch`` once. Files still open for writing wait for their
    close, or ``max_open_delay`` (:mod:`tracker.watch.writers`). ``on_batch``, ``on_error``
    and ``on_stop`` always run on that worker thread, so the consumer may open (and close) its
    SQLite connection there.

Events are hints, not facts
    A :class:`Batch` names paths that *may* have changed; the consumer re-reads them (a path that
    no longer exists was deleted or moved away). ``rescan=True`` means events may have been missed
    and the consumer should compare the whole folder.

Overflow and errors
    * inotify queue overflow (``IN_Q_OVERFLOW``): watchdog 7 rebuilds its watches itself but does
      not tell event handlers. On Linux the watcher uses its own subclass of watchdog's
      ``InotifyFD`` (:mod:`tracker.watch.observer`) that notices the overflow event and asks for a
      ``rescan=True`` batch.
    * A dead observer: the worker checks every :attr:`Watcher.health_interval` seconds that the
      observer is alive and still watches the folder at the root's path; if not, while the
      watcher is not stopping, it starts a fresh one and emits a ``rescan=True`` batch (see
      :mod:`tracker.watch.supervisor`: a folder gone, a restart failing, the back-off). A failed
      restart goes to ``on_error``.

Shutdown
    :meth:`Watcher.stop` lets the observer dispatch the events it has already queued (for at most
    0.5 s), stops and joins the observer threads, wakes the worker, which delivers what is pending
    through ``on_batch`` before it exits, and joins the worker. It is idempotent, and may be called
    from ``on_batch`` itself (it then does not join the worker, which is the calling thread).
    Changes still in the kernel queue at that moment are not reported: a consumer should scan the
    folder when it starts.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from watchdog.events import FileSystemEvent

from .batch import Batch, EventFolder
from .observer import QueueHandler
from .supervisor import ObserverSupervisor
from .writers import MAX_OPEN_WAIT, OpenFiles

__all__ = ["Watcher"]

logger = logging.getLogger(__name__)

_STOP = object()
_RESCAN = object()
_RESCAN_NOW = object()


@dataclass(frozen=True)
class _Recheck:
    """Paths a consumer put back for a later batch (see :meth:`Watcher.recheck`)."""

    paths: frozenset[str]


class Watcher:
    """Watch a folder recursively and call ``on_batch`` with debounced batches of changed paths.

    ``debounce``: quiet period in seconds before a batch is delivered. ``max_delay``: the longest
    a batch waits after its first event (default ``10 * debounce``). ``poll``: use watchdog's
    PollingObserver (network and mounted file systems), checking every ``poll_interval`` seconds,
    instead of the native observer (inotify on Linux). ``include``/``exclude``: globs, see
    ``tracker.scan.filters.is_watched``. ``on_error``: called on the worker thread with exceptions
    raised by ``on_batch`` or by an observer restart (default: log them). ``on_stop``: called
    once on the worker thread after the last batch, so a consumer can close thread-bound
    resources (an SQLite connection) there. See the module docstring for threads, overflow and
    shutdown.
    """

    #: Seconds between checks that the observer threads are still alive.
    health_interval: float = 0.5
    #: Longest a file still open for writing is held back (at least ``max_delay``).
    max_open_delay: float = MAX_OPEN_WAIT

    def __init__(
        self,
        root: Path,
        on_batch: Callable[[Batch], None],
        *,
        debounce: float = 0.1,
        max_delay: float | None = None,
        poll: bool = False,
        poll_interval: float = 1.0,
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
        on_error: Callable[[BaseException], None] | None = None,
        on_stop: Callable[[], None] | None = None,
    ) -> None:
        if debounce < 0:
            raise ValueError("debounce must not be negative")
        self.root = Path(root)
        self._root = os.path.abspath(os.fspath(root))
        self._on_batch = on_batch
        self._on_error = on_error
        self._on_stop = on_stop
        self.debounce = float(debounce)
        self.max_delay = float(max_delay) if max_delay is not None else 10 * self.debounce
        self.max_delay = max(self.max_delay, self.debounce)
        self.poll = poll
        self.poll_interval = float(poll_interval)
        self.include = tuple(include)
        self.exclude = tuple(exclude)

        self._queue: queue.Queue[Any] = queue.Queue()
        self._folder = EventFolder(self._root, self.include, self.exclude)
        self._open = OpenFiles(self._root, self._folder.writing)
        self._supervisor = ObserverSupervisor(
            self._root,
            QueueHandler(self._put),
            poll=poll,
            poll_interval=self.poll_interval,
            on_overflow=self.request_rescan,
            on_error=self._report,
        )
        self._lock = threading.RLock()  # guards _started, _stopping
        self._worker: threading.Thread | None = None
        self._started = False
        self._stopping = False
        self._events_received = 0

    # public API

    def start(self) -> None:
        """Start the observer and the worker; raise OSError if the folder cannot be watched."""
        with self._lock:
            if self._started or self._stopping:
                raise RuntimeError("a Watcher can only be started once")
            self._started = True
            if not os.path.isdir(self._root):
                self._stopping = True
                if os.path.exists(self._root):
                    raise NotADirectoryError(f"not a folder: {self._root}")
                raise FileNotFoundError(f"no such folder: {self._root}")
            try:
                self._supervisor.start()
            except BaseException:
                self._stopping = True
                self._supervisor.close()
                raise
            self._folder.track_writes = self._supervisor.reports_closes
            self._folder.watch_at(self._supervisor.watched)
            self._worker = threading.Thread(
                target=self._run, name=f"tracker-watch-worker {self._root}", daemon=True
            )
            self._worker.start()

    def stop(self) -> None:
        """Stop watching, deliver what is pending through on_batch and join every thread."""
        with self._lock:
            first_call = not self._stopping
            self._stopping = True
            if first_call:
                self._supervisor.close(drain=0.5)
                self._queue.put(_STOP)
        worker = self._worker
        if worker is not None and worker is not threading.current_thread():
            worker.join()

    def join(self, timeout: float | None = None) -> bool:
        """Wait until the watcher has stopped (by stop() from another thread); True if it has."""
        worker = self._worker
        if worker is None:
            return self._stopping
        if worker is not threading.current_thread():
            worker.join(timeout)
        return not worker.is_alive()

    def request_rescan(self, now: bool = False) -> None:
        """Ask for a batch with rescan=True (inotify overflow, SIGHUP); now=True skips the debounce.

        ``now=True`` suits a consumer's start-up catch-up, which should not wait for a quiet
        period.
        """
        self._queue.put(_RESCAN_NOW if now else _RESCAN)

    def recheck(self, paths: Iterable[str]) -> None:
        """Put paths in a later batch, as if they had just changed (a consumer found them busy)."""
        paths = frozenset(paths)
        if paths:
            self._queue.put(_Recheck(paths))

    @property
    def events_received(self) -> int:
        """Count raw file system events received so far, relevant or not (for diagnostics)."""
        return self._events_received

    def __enter__(self) -> Watcher:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # observer side

    def _put(self, event: FileSystemEvent) -> None:
        """Observer callback: count and enqueue one raw event."""
        self._events_received += 1
        self._queue.put(event)

    # worker side

    def _run(self) -> None:
        """Worker thread: run the loop, then call on_stop on this same thread."""
        try:
            self._loop()
        finally:
            if self._on_stop is not None:
                try:
                    self._on_stop()
                except Exception as exc:
                    self._report(exc)

    def _loop(self) -> None:
        """Worker loop: accumulate events, deliver debounced batches, keep the observer alive."""
        pending = Batch()
        first = last = 0.0  # monotonic times of the first and latest relevant event pending
        next_health = time.monotonic() + self.health_interval
        urgent = False  # deliver the pending batch without waiting for the quiet period
        while True:
            now = time.monotonic()
            wake = next_health
            if not pending.is_empty():
                wake = min(wake, last + self.debounce, first + self.max_delay)
            max_open = max(self.max_open_delay, self.max_delay)
            open_due = self._open.next_due(max_open)
            if open_due is not None:
                wake = min(wake, open_due)
            try:
                items = [self._queue.get(timeout=max(0.0, wake - now))]
            except queue.Empty:
                items = []
            for _ in range(10_000):  # take what else is already there, in order
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            stop = False
            for item in items:
                if item is _STOP:
                    stop = True
                    continue
                was_empty = pending.is_empty()
                if item is _RESCAN or item is _RESCAN_NOW:
                    pending.rescan = True
                    changed = True
                    urgent = urgent or item is _RESCAN_NOW
                elif isinstance(item, _Recheck):
                    pending.paths.update(item.paths)
                    changed = True
                else:
                    try:
                        changed = self._folder.apply(pending, item)
                    except Exception as exc:  # a surprising event must not kill the worker
                        self._report(exc)
                        pending.rescan = changed = True
                if changed:
                    last = time.monotonic()
                    if was_empty:
                        first = last
            if stop:
                pending.paths.update(self._open.release())  # what they hold now is recorded
                if not pending.is_empty():
                    self._deliver(pending)
                return
            now = time.monotonic()
            overdue = self._open.due(now, max_open)  # open for writing too long: recorded anyway
            if overdue:
                pending.paths.update(overdue)
                urgent = True
            due = min(last + self.debounce, first + self.max_delay)
            if not pending.is_empty() and (urgent or now >= due):
                self._open.hold(pending, now, max_open)  # files still open for writing wait
                if not pending.is_empty():
                    self._deliver(pending)
                pending = Batch()
                urgent = False
            if now >= next_health:
                next_health = now + self.health_interval
                if self._supervisor.check(now, self.health_interval):  # restarted, or failing
                    self._folder.watch_at(self._supervisor.watched)  # a symlink's new target
                    was_empty = pending.is_empty()
                    pending.rescan = True  # events may have been missed
                    last = time.monotonic()
                    if was_empty:
                        first = last

    def _deliver(self, batch: Batch) -> None:
        """Call on_batch, sending anything it raises to on_error instead of dying."""
        try:
            self._on_batch(batch)
        except Exception as exc:
            self._report(exc)

    def _report(self, exc: BaseException) -> None:
        """Hand an exception to on_error, or log it when there is none (or it fails too)."""
        if self._on_error is not None:
            try:
                self._on_error(exc)
                return
            except Exception:
                logger.exception("on_error raised while handling %r", exc)
        logger.error("error in the file watcher", exc_info=exc)
