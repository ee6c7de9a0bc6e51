"""Keep a watchdog observer alive on the folder at a path, for the :class:`~.watcher.Watcher`.

:class:`ObserverSupervisor` owns the observer: it starts it, checks at each of the watcher's
health checks that it still watches the folder at the root's path, and replaces it when not.
Starting, checking and stopping one observer is :mod:`tracker.watch.observer`'s; this module is
the policy around it (when to restart, what to log, how long to back off), and knows nothing of
batches, SQLite or the CLI.

A dead observer
    :meth:`ObserverSupervisor.check` tells whether the observer thread, its emitters and the
    inotify reader thread are alive (an emitter stops when the watched folder itself is deleted;
    a reader thread dies on an unexpected ``OSError``), and that the folder at the root's path is
    still the one watched (inotify follows a folder moved away; an unmount leaves another folder,
    or none, at the path). If not, while it is not closed, it stops what is left of the observer
    and starts a fresh one, and tells the watcher to ask for a ``rescan=True`` batch. If the
    restart fails the first failure also asks for one (the consumer finds the folder gone); a
    folder gone is looked for at every check (logged once when it goes and once when it is
    back), any other failure (the inotify watch limit) goes to ``on_error`` and is retried with
    an exponential back-off capped at :attr:`ObserverSupervisor.max_backoff` seconds.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

from watchdog.events import FileSystemEventHandler
from watchdog.observers.api import BaseObserver

from .observer import (
    observer_healthy,
    path_identity,
    reports_closes,
    shutdown_observer,
    start_observer,
)

__all__ = ["ObserverSupervisor"]

logger = logging.getLogger(__name__)


class ObserverSupervisor:
    """Start an observer of ``root`` sending its events to ``handler``, and keep it alive.

    ``poll``/``poll_interval``: see :func:`~.observer.start_observer`. ``on_overflow`` is called
    (on an observer thread) when the kernel dropped events; ``on_error`` with a failed restart's
    exception. :meth:`close` stops it for good; :meth:`check` is for the watcher's worker thread.
    """

    #: Longest wait between attempts to restart a dead observer.
    max_backoff: float = 30.0

    def __init__(
        self,
        root: str,
        handler: FileSystemEventHandler,
        *,
        poll: bool,
        poll_interval: float,
        on_overflow: Callable[[], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        self._root = root
        self._handler = handler
        self._poll = poll
        self._poll_interval = poll_interval
        self._on_overflow = on_overflow
        self._on_error = on_error
        self._lock = threading.RLock()  # guards observer and _closed
        self.observer: BaseObserver | None = None
        self._closed = False
        self._root_id: tuple[int, int] | None = None  # the folder the observer watches
        #: the path the observer watches, and its events' paths start with: the root, or the
        #: folder it links to (inotify would watch the link itself, and hear nothing)
        self.watched = root
        # worker-thread state of the health checks
        self._restart_at = 0.0  # when to try again after a failed restart
        self._backoff: float | None = None  # None: the health interval
        self._restart_failing = False
        self._root_gone = False  # the folder was logged gone, and not yet back

    @property
    def reports_closes(self) -> bool:
        """Tell whether the observer reports a file opened for writing being closed (inotify)."""
        return self.observer is not None and reports_closes(self.observer)

    def start(self) -> None:
        """Start the first observer; raise OSError if the folder cannot be watched."""
        with self._lock:
            self.observer = self._start_observer()

    def close(self, drain: float = 0.0) -> None:
        """Stop the observer for good, first letting it dispatch queued events for ``drain`` s."""
        with self._lock:
            self._closed = True
            observer, self.observer = self.observer, None
            if observer is not None:
                shutdown_observer(observer, drain=drain)

    def check(self, now: float, interval: float) -> bool:
        """Check the observer (every ``interval`` s) and restart it if it is dead or watches the
        wrong folder; True if events may have been missed (the watcher then asks for a rescan)."""
        if now < self._restart_at or self._healthy():
            return False
        # a folder gone is the consumer's to tell (its rescan finds it gone), and is looked for
        # at every check: watched again as soon as it is back
        gone = not os.path.isdir(self._root)
        if gone and not self._root_gone:  # logged once, not at every check
            logger.info("watched folder %s is gone; waiting for it", self._root)
            self._root_gone = True
        elif not self._root_gone:
            logger.info("file system observer for %s stopped; restarting it", self._root)
        restarted = self._restart(report=not (self._restart_failing or gone))
        if restarted and self._root_gone:
            logger.info("watched folder %s is back; watching it again", self._root)
            self._root_gone = False
        missed = restarted or not self._restart_failing
        self._restart_failing = not restarted
        if restarted or gone:
            self._backoff = interval
        else:
            backoff = interval if self._backoff is None else self._backoff
            self._restart_at = now + backoff
            self._backoff = min(backoff * 2, self.max_backoff)
        return missed

    def _start_observer(self) -> BaseObserver:
        """Create, schedule and start a fresh observer, noting which folder it watches."""
        self._root_id = path_identity(self._root)  # before: a change after it is noticed
        self.watched = os.path.realpath(self._root)
        observer = start_observer(
            self.watched,
            self._handler,
            poll=self._poll,
            poll_interval=self._poll_interval,
            on_overflow=self._on_overflow,
        )
        if self._root_id is None:  # the folder came back while it started: it watches that one
            self._root_id = path_identity(self._root)
        return observer

    def _healthy(self) -> bool:
        """Tell whether the observer is healthy and still watches the folder at the root's path
        (inotify follows the folder: moved away, or unmounted, it hears nothing of the path), or
        it is closed and it does not matter."""
        with self._lock:
            if self._closed:
                return True
            if self.observer is None or not observer_healthy(self.observer):
                return False
        return path_identity(self._root) == self._root_id

    def _restart(self, report: bool) -> bool:
        """Replace a dead observer by a fresh one; True on success."""
        with self._lock:
            if self._closed:
                return False  # close() owns the shutdown; the watcher is stopping
            old, self.observer = self.observer, None
            if old is not None:
                shutdown_observer(old)
            try:
                self.observer = self._start_observer()
            except Exception as exc:
                if report:
                    self._on_error(exc)
                else:
                    logger.debug("restarting the observer failed again: %s", exc)
                return False
            return True
