"""Watch a folder for changes to text documents and hand them over in debounced batches.

This module knows nothing of SQLite or of the CLI: it turns file system events into
:class:`Batch` objects and calls a consumer with them.

Threads
    watchdog's observer threads (the dispatcher, one emitter, and for inotify the thread that
    reads the inotify file descriptor) only put raw events on a :class:`queue.Queue`. A single
    worker thread owned by :class:`Watcher` takes them off, filters them with
    :func:`is_watched`, accumulates them, waits for a quiet period of ``debounce`` seconds (each
    relevant event restarts the timer, but a batch is never held back more than ``max_delay``
    seconds after its first event, so a file written continuously is still recorded), then calls
    ``on_batch`` once. ``on_batch``, ``on_error`` and ``on_stop`` always run on that worker
    thread, so the consumer may open (and close) its SQLite connection there.

Events are hints, not facts
    A :class:`Batch` names paths that *may* have changed; the consumer re-reads them (a path that
    no longer exists was deleted or moved away). ``rescan=True`` means events may have been missed
    and the consumer should compare the whole folder.

Overflow and errors
    * inotify queue overflow (``IN_Q_OVERFLOW``): watchdog 7 rebuilds its watches itself but does
      not tell event handlers. On Linux the watcher uses its own subclass of watchdog's
      ``InotifyFD`` that notices the overflow event and asks for a ``rescan=True`` batch.
    * A dead observer: the worker checks every :attr:`Watcher.health_interval` seconds that the
      observer thread, its emitters and the inotify reader thread are alive (an emitter stops when
      the watched folder itself is deleted; a reader thread dies on an unexpected ``OSError``).
      If one is dead while the watcher is not stopping, it stops what is left of the observer,
      starts a fresh one and emits a ``rescan=True`` batch. If the restart fails (the folder is
      gone, the inotify watch limit is reached) the first failure goes to ``on_error`` and it
      retries with an exponential back-off capped at 30 s.

Shutdown
    :meth:`Watcher.stop` lets the observer dispatch the events it has already queued (for at most
    0.5 s), stops and joins the observer threads, wakes the worker, which delivers what is pending
    through ``on_batch`` before it exits, and joins the worker. It is idempotent, and may be called
    from ``on_batch`` itself (it then does not join the worker, which is the calling thread).
    Changes still in the kernel queue at that moment are not reported: a consumer should scan the
    folder when it starts.
"""

from __future__ import annotations

import inspect
import logging
import os
import queue
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from watchdog.events import (
    EVENT_TYPE_ATTRIB,
    EVENT_TYPE_CLOSED,
    EVENT_TYPE_CREATED,
    EVENT_TYPE_DELETED,
    EVENT_TYPE_MODIFIED,
    EVENT_TYPE_MOVED,
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileAttribEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from .filters import (
    IGNORED_NAMES,
    IGNORED_PATTERNS,
    TEXT_SUFFIXES,
    has_text_suffix,
    is_ignored_name,
    is_watched,
    is_watched_dir,
)

__all__ = [
    "IGNORED_NAMES",
    "IGNORED_PATTERNS",
    "TEXT_SUFFIXES",
    "Batch",
    "Watcher",
    "has_text_suffix",
    "is_ignored_name",
    "is_watched",
    "is_watched_dir",
]

logger = logging.getLogger(__name__)

# watchdog 7 warns when a folder created inside a new folder gets its inotify watch twice (once
# from the parent's creation event, once from its own); harmless, and noise on a user's terminal.
warnings.filterwarnings(
    "ignore",
    message="Callback with id .* already exists",
    category=RuntimeWarning,
    module=r"watchdog\.observers\.inotify",
)

# Event classes worth hearing about: no open / close-without-write events, so that a consumer
# reading the files it is told about does not wake the watcher again (and the kernel queue holds
# fewer events).
_EVENT_FILTER: list[type[FileSystemEvent]] = [
    FileCreatedEvent,
    FileModifiedEvent,
    FileAttribEvent,
    FileClosedEvent,
    FileDeletedEvent,
    FileMovedEvent,
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
]


@dataclass
class Batch:
    """What may have changed in the watched folder since the previous batch (hints, not facts).

    ``paths``: POSIX paths relative to the root that may have been modified, created or deleted,
    including both ends of a move. ``moves``: ``(src, dest)`` renames inside the root, in order,
    when both ends are watched (a folder move gives the folder pair, then one pair per file in
    it). A move from an ignored name onto a watched one (an atomic save) only puts the
    destination in ``paths``. ``rescan``: events may have been missed (overflow, restart, a
    folder created, deleted or moved), so the consumer should compare the whole folder.
    """

    paths: set[str] = field(default_factory=set)
    moves: list[tuple[str, str]] = field(default_factory=list)
    rescan: bool = False

    def is_empty(self) -> bool:
        """Tell whether the batch carries nothing worth delivering."""
        return not (self.paths or self.moves or self.rescan)


_STOP = object()
_RESCAN = object()
_RESCAN_NOW = object()


@dataclass(frozen=True)
class _Recheck:
    """Paths a consumer put back for a later batch (see :meth:`Watcher.recheck`)."""

    paths: frozenset[str]


class _QueueHandler(FileSystemEventHandler):
    """Observer callback: put each raw event on the watcher's queue and do nothing else."""

    def __init__(self, sink: Callable[[Any], None]) -> None:
        self._sink = sink

    def dispatch(self, event: FileSystemEvent) -> None:
        """Forward the event; filtering happens on the worker thread."""
        self._sink(event)


def _native_observer_factory() -> Callable[[Callable[[], None]], BaseObserver] | None:
    """Build an inotify observer factory that reports queue overflows, if this watchdog allows."""
    try:
        from watchdog.observers.inotify import InotifyEmitter
        from watchdog.observers.inotify_c import InotifyEvent, InotifyFD
    except Exception:  # not Linux, or no inotify in libc
        return None
    if "inotify_fd" not in inspect.signature(InotifyEmitter.__init__).parameters or not hasattr(
        InotifyFD, "handle_event"
    ):
        return None  # another watchdog layout: fall back to the stock Observer

    class OverflowReportingInotifyFD(InotifyFD):
        """watchdog's inotify reader, also telling the watcher when the kernel queue overflowed."""

        def __init__(self, on_overflow: Callable[[], None]) -> None:
            super().__init__()
            self._on_overflow = on_overflow

        def handle_event(self, event: InotifyEvent) -> None:
            """Report an overflow, then let watchdog rebuild its watches as usual."""
            if event.is_queue_overflow:
                self._on_overflow()
            super().handle_event(event)

    class OverflowReportingInotifyObserver(BaseObserver):
        """InotifyObserver with its own overflow-reporting reader thread."""

        def __init__(self, on_overflow: Callable[[], None]) -> None:
            self.inotify_reader = OverflowReportingInotifyFD(on_overflow)
            self.inotify_reader.start()
            super().__init__(InotifyEmitter, inotify_fd=self.inotify_reader)

        def on_thread_stop(self) -> None:
            super().on_thread_stop()
            self.inotify_reader.stop()
            self.inotify_reader.join()

    return OverflowReportingInotifyObserver


_NATIVE_OBSERVER = _native_observer_factory()


def _observer_healthy(observer: BaseObserver) -> bool:
    """Tell whether the observer thread, its emitters and its inotify reader are all running."""
    if not observer.is_alive():
        return False
    emitters = list(observer.emitters)
    if not emitters or not all(emitter.is_alive() for emitter in emitters):
        return False
    reader = getattr(observer, "inotify_reader", None)
    return reader is None or reader.is_alive()


def _shutdown_observer(observer: BaseObserver, drain: float = 0.0) -> None:
    """Stop an observer and join its threads, first letting it dispatch queued events."""
    deadline = time.monotonic() + drain
    while observer.is_alive() and not observer.event_queue.empty():
        if time.monotonic() >= deadline:
            break
        time.sleep(0.005)
    try:
        observer.stop()  # also stops emitters and the inotify reader, started or not
    except Exception:
        logger.exception("error while stopping the file system observer")
    if observer.is_alive():
        observer.join()


class Watcher:
    """Watch a folder recursively and call ``on_batch`` with debounced batches of changed paths.

    ``debounce``: quiet period in seconds before a batch is delivered. ``max_delay``: the longest
    a batch waits after its first event (default ``10 * debounce``). ``poll``: use watchdog's
    PollingObserver (network and mounted file systems), checking every ``poll_interval`` seconds,
    instead of the native observer (inotify on Linux). ``include``/``exclude``: globs, see
    :func:`is_watched`. ``on_error``: called on the worker thread with exceptions raised by
    ``on_batch`` or by an observer restart (default: log them). ``on_stop``: called once on the
    worker thread after the last batch, so a consumer can close thread-bound resources (an
    SQLite connection) there. See the module docstring for threads, overflow and shutdown.
    """

    #: Seconds between checks that the observer threads are still alive.
    health_interval: float = 0.5
    #: Longest wait between attempts to restart a dead observer.
    max_restart_backoff: float = 30.0

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
        self._prefix = self._root if self._root.endswith(os.sep) else self._root + os.sep
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
        self._handler = _QueueHandler(self._put)
        self._lock = threading.RLock()  # guards _observer, _started, _stopping
        self._observer: BaseObserver | None = None
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
                self._observer = self._start_observer()
            except BaseException:
                self._stopping = True
                raise
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
                observer, self._observer = self._observer, None
                if observer is not None:
                    _shutdown_observer(observer, drain=0.5)
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

    def _start_observer(self) -> BaseObserver:
        """Create, schedule and start a fresh observer; clean it up if starting fails."""
        if self.poll:
            observer: BaseObserver = PollingObserver(timeout=self.poll_interval)
        elif _NATIVE_OBSERVER is not None:
            observer = _NATIVE_OBSERVER(self.request_rescan)
        else:
            observer = Observer()
        try:
            observer.schedule(self._handler, self._root, recursive=True, event_filter=_EVENT_FILTER)
            observer.start()
        except BaseException:
            _shutdown_observer(observer)
            raise
        return observer

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
        restart_at = 0.0  # when to try again after a failed restart
        backoff = self.health_interval
        restart_failing = False
        urgent = False  # deliver the pending batch without waiting for the quiet period
        while True:
            now = time.monotonic()
            wake = next_health
            if not pending.is_empty():
                wake = min(wake, last + self.debounce, first + self.max_delay)
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
                        changed = self._apply(pending, item)
                    except Exception as exc:  # a surprising event must not kill the worker
                        self._report(exc)
                        pending.rescan = changed = True
                if changed:
                    last = time.monotonic()
                    if was_empty:
                        first = last
            if stop:
                if not pending.is_empty():
                    self._deliver(pending)
                return
            now = time.monotonic()
            due = min(last + self.debounce, first + self.max_delay)
            if not pending.is_empty() and (urgent or now >= due):
                self._deliver(pending)
                pending = Batch()
                urgent = False
            if now >= next_health:
                next_health = now + self.health_interval
                if now >= restart_at and not self._check_observer():
                    if self._restart_observer(report=not restart_failing):
                        restart_failing = False
                        backoff = self.health_interval
                        was_empty = pending.is_empty()
                        pending.rescan = True
                        last = time.monotonic()
                        if was_empty:
                            first = last
                    else:
                        restart_failing = True
                        restart_at = now + backoff
                        backoff = min(backoff * 2, self.max_restart_backoff)

    def _check_observer(self) -> bool:
        """Tell whether the observer is healthy, or we are stopping and it does not matter."""
        with self._lock:
            if self._stopping:
                return True
            return self._observer is not None and _observer_healthy(self._observer)

    def _restart_observer(self, report: bool) -> bool:
        """Replace a dead observer by a fresh one; True on success."""
        with self._lock:
            if self._stopping:
                return False  # stop() owns the shutdown; the worker is about to see _STOP
            logger.warning("file system observer for %s died; restarting it", self._root)
            old, self._observer = self._observer, None
            if old is not None:
                _shutdown_observer(old)
            try:
                self._observer = self._start_observer()
            except Exception as exc:
                if report:
                    self._report(exc)
                else:
                    logger.debug("restarting the observer failed again: %s", exc)
                return False
            return True

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

    def _rel(self, path: bytes | str) -> str | None:
        """Map an absolute event path to a POSIX path relative to the root ("" for the root)."""
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if path == self._root:
            return ""
        if not path.startswith(self._prefix):
            return None
        rel = path[len(self._prefix) :]
        return rel.replace(os.sep, "/") if os.sep != "/" else rel

    def _apply(self, batch: Batch, event: FileSystemEvent) -> bool:
        """Fold one raw event into the pending batch; True if it added anything."""
        kind = event.event_type
        src = self._rel(event.src_path)
        if kind == EVENT_TYPE_MOVED:
            dest = self._rel(getattr(event, "dest_path", "") or "")
            return self._apply_move(batch, src, dest, event.is_directory)
        if event.is_directory:
            if kind not in (EVENT_TYPE_CREATED, EVENT_TYPE_DELETED):
                return False
            if src == "":  # the root itself was deleted (or re-created)
                batch.rescan = True
                return True
            if src is None or not is_watched_dir(src, self.exclude):
                return False
            batch.paths.add(src)
            batch.rescan = True
            return True
        if kind not in (
            EVENT_TYPE_CREATED,
            EVENT_TYPE_MODIFIED,
            EVENT_TYPE_CLOSED,
            EVENT_TYPE_DELETED,
            EVENT_TYPE_ATTRIB,
        ):
            return False
        if not src or not is_watched(src, self.include, self.exclude):
            return False
        batch.paths.add(src)
        return True

    def _apply_move(self, batch: Batch, src: str | None, dest: str | None, is_dir: bool) -> bool:
        """Fold a move: each watched end goes in paths, a pair with both ends watched in moves."""
        if is_dir:
            ends = [p if p and is_watched_dir(p, self.exclude) else None for p in (src, dest)]
        else:
            ends = [
                p if p and is_watched(p, self.include, self.exclude) else None for p in (src, dest)
            ]
        watched_src, watched_dest = ends
        batch.paths.update(p for p in ends if p)
        if watched_src and watched_dest:
            batch.moves.append((watched_src, watched_dest))
        if is_dir and (watched_src or watched_dest):
            batch.rescan = True
        return bool(watched_src or watched_dest)
