"""Files still open for writing: held back from the watcher's batches until they are closed.

A program that writes a file bit by bit through one handle (``(...; sleep 1) >> log.txt``,
``slow_command > out.txt``, a download) pauses for longer than the quiet period: without this,
each pause would make a version of a half-written file, and ``> out.txt`` an empty one first.
inotify tells when a file opened for writing is closed (``IN_CLOSE_WRITE``), so a file written
to since its last close is held back (:class:`OpenFiles`), and recorded once closed, or every
``max_wait`` seconds while it stays open (a log a program never closes).

The events are bookkept by :class:`~tracker.watch.batch.EventFolder` (``writing``); this module
decides, when a batch is due, which of its files wait. Observers that never report closes
(polling, other platforms) hold nothing back.
"""

from __future__ import annotations

import os

from .batch import Batch

__all__ = ["MAX_OPEN_WAIT", "OpenFiles"]

#: The longest a file open for writing is held back before what it holds is recorded anyway.
MAX_OPEN_WAIT = 30.0


class OpenFiles:
    """Which files of the batches wait for a program to close them, and since when.

    ``writing`` is the :class:`~tracker.watch.batch.EventFolder`'s: path -> True once written to
    since last closed, False if only created (or moved in: inotify cannot tell them apart, so a
    created file waits only while it is still empty). Everything runs on the watcher's worker.
    """

    def __init__(self, root: str, writing: dict[str, bool]) -> None:
        self._root = root
        self._writing = writing
        self._since: dict[str, float] = {}  # path -> when first held back (monotonic)

    def hold(self, batch: Batch, now: float, max_wait: float) -> None:
        """Take the files still open for writing out of ``batch.paths``, into ``batch.writing``.

        A file held back ``max_wait`` seconds already goes through, and waits afresh after that.
        """
        if not (self._writing or self._since):
            return
        for path in sorted(batch.paths):
            written = self._writing.get(path)
            if written is None:
                self._since.pop(path, None)
                continue
            since = self._since.setdefault(path, now)
            if now - since >= max_wait or not (written or self._empty(path)):
                del self._since[path]
                del self._writing[path]  # a write after this makes it wait again
                continue
            batch.paths.discard(path)
        for path in [path for path in self._since if path not in self._writing]:
            del self._since[path]  # closed, deleted or moved, and its event is in the batch
        batch.writing = frozenset(self._since)

    def due(self, now: float, max_wait: float) -> list[str]:
        """The files held back for ``max_wait`` seconds already."""
        return [path for path, since in self._since.items() if now - since >= max_wait]

    def next_due(self, max_wait: float) -> float | None:
        """When the first held-back file has waited long enough (monotonic), or None."""
        return min(self._since.values()) + max_wait if self._since else None

    def release(self) -> list[str]:
        """Stop holding anything back (the watcher is stopping): the files that were waiting."""
        held = list(self._since)
        self._since.clear()
        self._writing.clear()
        return held

    def _empty(self, path: str) -> bool:
        """Tell whether a file exists and is empty (created, nothing written to it yet)."""
        try:
            return os.stat(os.path.join(self._root, path)).st_size == 0
        except OSError:
            return False
