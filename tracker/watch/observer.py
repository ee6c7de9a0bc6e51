"""watchdog observers for the :class:`~tracker.watch.watcher.Watcher`: start one, check it, stop it.

This module holds everything that depends on watchdog's internals, and knows nothing of
SQLite or of the CLI.

* On Linux the native observer is our own subclass of watchdog's inotify observer, whose reader
  (``InotifyFD``) notices the kernel queue overflowing (``IN_Q_OVERFLOW``) and says so through
  ``on_overflow``: watchdog 7 rebuilds its watches itself but does not tell event handlers.
  With another watchdog layout, or on another platform, the stock ``Observer`` is used.
* :func:`observer_healthy` tells whether the observer thread, its emitters and the inotify
  reader thread are alive (an emitter stops when the watched folder itself is deleted; a reader
  thread dies on an unexpected ``OSError``).
* The observer's threads only forward raw events to a sink (:class:`QueueHandler`); filtering
  happens on the watcher's worker thread.
"""

from __future__ import annotations

import inspect
import logging
import os
import time
import warnings
from collections.abc import Callable
from typing import Any

from watchdog.events import (
    DirAttribEvent,
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

__all__ = [
    "QueueHandler",
    "observer_healthy",
    "path_identity",
    "reports_closes",
    "shutdown_observer",
    "start_observer",
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
# fewer events). A folder's attributes changing can make what it holds readable again (chmod).
EVENT_FILTER: list[type[FileSystemEvent]] = [
    DirAttribEvent,
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


class QueueHandler(FileSystemEventHandler):
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


def start_observer(
    root: str,
    handler: FileSystemEventHandler,
    *,
    poll: bool,
    poll_interval: float,
    on_overflow: Callable[[], None],
) -> BaseObserver:
    """Create, schedule and start a fresh observer of ``root``; clean it up if starting fails.

    ``poll``: watchdog's PollingObserver, checking every ``poll_interval`` seconds, instead of
    the native observer. ``on_overflow`` is called (on an observer thread) when the kernel
    dropped events.
    """
    if poll:
        observer: BaseObserver = PollingObserver(timeout=poll_interval)
    elif _NATIVE_OBSERVER is not None:
        observer = _NATIVE_OBSERVER(on_overflow)
    else:
        observer = Observer()
    try:
        observer.schedule(handler, root, recursive=True, event_filter=EVENT_FILTER)
        observer.start()
    except BaseException:
        shutdown_observer(observer)
        raise
    return observer


def path_identity(path: str | os.PathLike) -> tuple[int, int] | None:
    """The device and inode of what is at ``path`` (None if nothing): which folder an observer
    of that path watches, for inotify follows a folder moved away, and an unmounted file system
    leaves another folder (or nothing) at its mount point; which database file is open."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_dev, info.st_ino)


def reports_closes(observer: BaseObserver) -> bool:
    """Tell whether the observer reports a file opened for writing being closed (inotify does;
    polling and the other platforms' observers do not)."""
    return hasattr(observer, "inotify_reader") or hasattr(observer, "_inotify_fd")


def observer_healthy(observer: BaseObserver) -> bool:
    """Tell whether the observer thread, its emitters and its inotify reader are all running."""
    if not observer.is_alive():
        return False
    emitters = list(observer.emitters)
    if not emitters or not all(emitter.is_alive() for emitter in emitters):
        return False
    reader = getattr(observer, "inotify_reader", None)
    return reader is None or reader.is_alive()


def shutdown_observer(observer: BaseObserver, drain: float = 0.0) -> None:
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
