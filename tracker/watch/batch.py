"""What may have changed in a watched folder: :class:`Batch`, and folding raw events into one.

Pure bookkeeping on the watcher's worker thread: no threads, no I/O, nothing of SQLite or of
the CLI. Events are hints, not facts: a batch names paths that *may* have changed, and the
consumer re-reads them (a path that no longer exists was deleted or moved away).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field

from watchdog.events import (
    EVENT_TYPE_ATTRIB,
    EVENT_TYPE_CLOSED,
    EVENT_TYPE_CREATED,
    EVENT_TYPE_DELETED,
    EVENT_TYPE_MODIFIED,
    EVENT_TYPE_MOVED,
    FileSystemEvent,
)

from ..scan.filters import is_watched, is_watched_dir

__all__ = ["Batch", "EventFolder"]


@dataclass
class Batch:
    """What may have changed in the watched folder since the previous batch (hints, not facts).

    ``paths``: POSIX paths relative to the root that may have been modified, created or deleted,
    including both ends of a move. ``moves``: ``(src, dest)`` renames inside the root, in order,
    when both ends are watched (a folder move gives the folder pair, then one pair per file in
    it). A move from an ignored name onto a watched one (an atomic save) only puts the
    destination in ``paths``. ``rescan``: events may have been missed (overflow, restart, a
    folder created, deleted or moved), or a folder's permissions changed (a chmod can make
    what it holds readable again), so the consumer should compare the whole folder.
    ``writing``: files held back because a program still has them open for writing (see
    :mod:`tracker.watch.writers`); a full scan leaves them alone too, they come in a later batch.
    """

    paths: set[str] = field(default_factory=set)
    moves: list[tuple[str, str]] = field(default_factory=list)
    rescan: bool = False
    writing: frozenset[str] = frozenset()

    def is_empty(self) -> bool:
        """Tell whether the batch carries nothing worth delivering."""
        return not (self.paths or self.moves or self.rescan)


class EventFolder:
    """Fold raw watchdog events about ``root`` into a :class:`Batch`, keeping the watched ones.

    ``include``/``exclude``: globs, see :func:`~tracker.scan.filters.is_watched`. With
    ``track_writes`` (the observer reports closes: inotify) it also keeps :attr:`writing`.
    """

    def __init__(self, root: str, include: Sequence[str] = (), exclude: Sequence[str] = ()):
        self.watch_at(root)
        self.include = tuple(include)
        self.exclude = tuple(exclude)
        self.track_writes = False
        #: watched files created or written and not closed since: True once written to, False
        #: if only created (or moved in: inotify cannot tell the two apart)
        self.writing: dict[str, bool] = {}

    def watch_at(self, root: str) -> None:
        """Take event paths as relative to ``root`` from now on: the path the observer watches
        (the folder a symlinked root points to)."""
        self._root = root
        self._prefix = root if root.endswith(os.sep) else root + os.sep

    def relative(self, path: bytes | str) -> str | None:
        """Map an absolute event path to a POSIX path relative to the root ("" for the root)."""
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if path == self._root:
            return ""
        if not path.startswith(self._prefix):
            return None
        rel = path[len(self._prefix) :]
        return rel.replace(os.sep, "/") if os.sep != "/" else rel

    def apply(self, batch: Batch, event: FileSystemEvent) -> bool:
        """Fold one raw event into the pending batch; True if it added anything."""
        kind = event.event_type
        src = self.relative(event.src_path)
        if kind == EVENT_TYPE_MOVED:
            dest = self.relative(getattr(event, "dest_path", "") or "")
            return self._apply_move(batch, src, dest, event.is_directory)
        if event.is_directory:
            if kind == EVENT_TYPE_DELETED and src and self.writing:
                self._forget_writing(src)
            if kind not in (EVENT_TYPE_CREATED, EVENT_TYPE_DELETED, EVENT_TYPE_ATTRIB):
                return False
            if src == "":  # the root itself was deleted, re-created or made readable again
                batch.rescan = True
                return True
            if src is None or not is_watched_dir(src, self.exclude):
                return False
            if kind != EVENT_TYPE_ATTRIB:
                batch.paths.add(src)
            batch.rescan = True  # a folder created, deleted, or its permissions changed
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
        if self.track_writes:
            if kind == EVENT_TYPE_CREATED:
                self.writing.setdefault(src, False)
            elif kind == EVENT_TYPE_MODIFIED:
                self.writing[src] = True
            elif kind in (EVENT_TYPE_CLOSED, EVENT_TYPE_DELETED):
                self.writing.pop(src, None)
        return True

    def _forget_writing(self, folder: str) -> None:
        """Forget the files under a folder moved or deleted (a full scan looks at them)."""
        prefix = folder + "/"
        for path in [path for path in self.writing if path.startswith(prefix)]:
            del self.writing[path]

    def _apply_move(self, batch: Batch, src: str | None, dest: str | None, is_dir: bool) -> bool:
        """Fold a move: each watched end goes in paths, a pair with both ends watched in moves."""
        if is_dir:
            ends = [p if p and is_watched_dir(p, self.exclude) else None for p in (src, dest)]
        else:
            ends = [
                p if p and is_watched(p, self.include, self.exclude) else None for p in (src, dest)
            ]
        watched_src, watched_dest = ends
        if self.writing and src:
            if is_dir:
                self._forget_writing(src)
            elif (state := self.writing.pop(src, None)) is not None and watched_dest:
                self.writing[watched_dest] = state  # still open, under its new name
        batch.paths.update(p for p in ends if p)
        if watched_src and watched_dest:
            batch.moves.append((watched_src, watched_dest))
        if is_dir and (watched_src or watched_dest):
            batch.rescan = True
        return bool(watched_src or watched_dest)
