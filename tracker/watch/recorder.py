"""The database side of ``tracker watch``: record each batch of the watcher, tell what happened.

A :class:`Recorder` lives on the watcher's single worker thread and knows nothing of click.

Threads
    It opens its own :class:`Tracker` lazily (SQLite connections are bound to the thread that
    made them) and :meth:`Recorder.close` closes it when the watcher stops, on the same thread.

Batches
    A full batch (the first one, then ``rescan`` batches: inotify overflow, folder created, moved
    or deleted, observer restarted, a failed batch retried) compares the whole folder with one
    folder snapshot (:class:`~tracker.scan.folder.FolderSnapshot`), which also records a new file
    whose content is a vanished document's as its rename; any other batch re-reads only the
    paths it names. Moves whose source is a tracked document and whose destination is not are
    applied first with :meth:`Tracker.rename`, so a renamed or moved file keeps its history. A
    full scan tells its versions after each batch of files it committed, and stops between two
    batches when the session is stopping (:class:`~tracker.scan.folder.SnapshotCancelled`).
    Once the session is stopping, the first document about to be recorded tells ``stopping``
    (what is pending is being recorded). Told to stop at once (``aborting``: a second Ctrl-C),
    any batch stops before its next document, keeping those committed, and counts what it left
    in :attr:`Recorder.left`.

Half-written files
    A batch is cut after a quiet period, so a file modified less than ``debounce`` ago has been
    written again since: it is put back for a later batch (:mod:`.settling`) rather than read
    mid-write; a file saved again and again without pause is still recorded about every
    ``max_delay``. A file still open for writing is held back by the watcher until it is closed
    (:mod:`tracker.watch.writers`), and full scans leave it alone meanwhile.
    :func:`~tracker.scan.files.read_text` also re-reads until size and mtime hold still. A
    vim-style save (delete, re-create) inside one quiet period gives one version; split over two
    batches it gives a deletion, then a version continuing the same history.
"""

from __future__ import annotations

import os
import stat
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import TrackerError
from ..history import History
from ..models import Version
from ..refs import file_name_problem
from ..scan.files import DEFAULT_MAX_BYTES
from ..scan.filters import is_watched
from ..scan.folder import FolderSnapshot, SnapshotCancelled, SnapshotResult, own_names
from ..times import now_iso
from .batch import Batch
from .events import WatchEvent
from .hooks import CommandRunner, exec_env, exec_stdin
from .observer import path_identity
from .settling import Settling
from .watcher import Watcher

__all__ = ["DatabaseGone", "Recorder"]


class DatabaseGone(TrackerError):
    """The database file was deleted or replaced while open: what is recorded would be lost."""


@dataclass
class _Told:
    """How much of a snapshot result has been told already (a full scan tells it batch by batch)."""

    renamed: int = 0
    recorded: int = 0
    skipped: int = 0


class Recorder:
    """Record the watcher's batches under ``root`` into the database at ``db_path``.

    ``emit`` gets each :class:`WatchEvent`; ``runner`` (if any) a job per version and deletion.
    ``stopping`` is set when the session stops: a full scan then gives up between two batches of
    files, and nothing is put back for later any more. ``aborting`` says stop at once: before
    each document, and no batch is recorded any more.
    """

    def __init__(
        self,
        root: Path,
        db_path: Path,
        watcher: Watcher,
        emit: Callable[[WatchEvent], None],
        stopping: threading.Event,
        aborting: Callable[[], bool] = lambda: False,
        *,
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
        split: str = "auto",
        max_bytes: int = DEFAULT_MAX_BYTES,
        runner: CommandRunner | None = None,
        only_substantive: bool = False,
    ) -> None:
        self.root = root
        self.db_path = db_path
        self.include = tuple(include)
        self.exclude = tuple(exclude)
        self.split = split
        self.max_bytes = max_bytes
        self.caught_up = False  # False: the next batch compares the whole folder
        self._watcher = watcher
        self._emit = emit
        self._stopping = stopping
        self._aborting = aborting
        #: paths left unlooked at by a stop at once, and whether a comparison of the whole
        #: folder was given up (by any stop): for the next start to catch up
        self.left: set[str] = set()
        self.scan_given_up = False
        self._said_stopping = False
        self._runner = runner
        self.only_substantive = only_substantive
        self._root_key = ""
        self._root_device: int | None = None  # the file system the folder is on
        self._history: History | None = None  # only touched on the worker thread
        self._database: tuple[int, int] | None = None  # the database file it has open
        self._settle = Settling(root, watcher, stopping)  # files written too recently to read
        self._held: list[WatchEvent] | None = None  # events of the live batch being recorded
        self._skips_told: set[str] = set()  # paths skipped, and told so, since last looked at

    def prepare(self) -> None:
        """Note the folder's resolved path, the root its documents are recorded under."""
        self._root_key = str(self.root.resolve())
        self._root_device = self.root.stat().st_dev

    def close(self) -> None:
        """Watcher on_stop: close the worker's connection on the worker thread."""
        history, self._history = self._history, None
        if history is not None:
            history.close()

    def record(self, batch: Batch) -> None:
        """Record one batch; if it fails, raise, and the next batch compares the whole folder.

        The events of a live batch are told once all its files are read, so that whoever
        reacts to one (a test, an --exec script writing back) cannot race with its reads.
        """
        full = batch.rescan or not self.caught_up
        if self._aborting():  # stopping at once: left for the next start's catch-up
            self.left.update(batch.paths)
            self.scan_given_up = self.scan_given_up or full
            return
        self._held = None if full else []
        try:
            history = self._open()
            if path_identity(self.db_path) != self._database:
                raise DatabaseGone(
                    f"database {self.db_path} was deleted or replaced while watching: stopped"
                )
            self._apply_moves(history, batch.moves)
            if full:
                try:
                    self._full_scan(history, batch.writing)
                    self.caught_up = True
                except SnapshotCancelled:  # stopping: at least record what the events named
                    self.scan_given_up = True
                    if batch.paths:
                        self._scan_paths(history, batch.paths)
            elif batch.paths:
                self._scan_paths(history, batch.paths)
        except SnapshotCancelled as stopped:  # at once: the batch's documents recorded stay
            self.caught_up = False
            self.left.update(stopped.left)
        except BaseException:
            self.caught_up = False
            raise
        finally:
            self._release_held()

    # -- recording ---------------------------------------------------------------------------

    def _open(self) -> History:
        """The worker's own connection to the history, opened on first use."""
        if self._history is None:
            self._history = History(self.db_path)
            self._database = path_identity(self.db_path)
        return self._history

    def _accept(self, relname: str) -> bool:
        """Tell whether a relative path is a document this session tracks."""
        return is_watched(relname, self.include, self.exclude)

    def _apply_moves(self, history: History, moves: Iterable[tuple[str, str]]) -> None:
        """Rename tracked documents that moved onto untracked names, keeping their history.

        The names are the files' own, never cleaned up (`` a.txt`` is not ``a.txt``). A move onto
        a tracked name, or onto one that cannot be a document (a newline, not UTF-8), is left to
        the snapshot of both paths: a deletion, and a change or a skipped file. So is a safe
        save's move aside (JetBrains' ``README___jb_old___``): the file at the old name changed.
        """
        for old, new in moves:
            document = history.store.document(old)
            if document is None or document.deleted or document.root != self._root_key:
                continue
            if file_name_problem(new) is not None or history.store.document(new) is not None:
                continue
            if os.path.lexists(self.root / old) and not os.path.lexists(self.root / new):
                continue  # a safe save: moved aside, another file put in its place, then deleted
            at = now_iso()
            history.rename(old, new, at=at)
            self._tell(WatchEvent("renamed", doc=new, old_name=old, at=at))

    def _scan_paths(self, history: History, paths: Iterable[str]) -> None:
        """Record the named paths that are settled: changed, created, or gone (deleted).

        The database's own files (in a watched folder, with ``--include '*'``) change with every
        version recorded: they are dropped here, before anything waits for them to settle.
        """
        own = own_names(history.store, self.root)
        only = self._settle.ready(path for path in paths if path not in own)
        if not only:
            return
        snapshot = FolderSnapshot(
            history,
            split=self.split,
            max_bytes=self.max_bytes,
            accept=self._accept,
            abort=self._next_document,
        )
        try:
            result = snapshot.run(self.root, only)
        except SnapshotCancelled:  # stopped at once: what it recorded is committed, tell it
            self._report(history, snapshot.result, _Told())
            raise
        self._report(history, result, _Told())
        self._forget_skips(only, result)

    def _full_scan(self, history: History, writing: frozenset[str] = frozenset()) -> None:
        """Compare the whole folder with the database; raise SnapshotCancelled if stopping.

        Documents that the filters reject, those in a sub-folder that cannot be listed, the
        files written too recently to read and those still open for writing (``writing``: they
        come in a later batch) are left alone (never recorded as deleted).
        """
        self._check_root()
        accept, busy = self._scan_filter(writing)
        told = _Told()
        snapshot: FolderSnapshot

        def between_batches() -> bool:
            """Tell what the batches so far committed, then whether to give up the scan."""
            self._report(history, snapshot.result, told)
            return self._stopping.is_set()

        snapshot = FolderSnapshot(
            history,
            split=self.split,
            max_bytes=self.max_bytes,
            accept=accept,
            cancel=between_batches,
            abort=self._next_document,
        )
        try:
            snapshot.folder(self.root, None)  # not run(): a root turned into a file is no document
        except SnapshotCancelled:
            self._report(history, snapshot.result, told)  # all committed: it stops between batches
            raise
        except TrackerError:
            if not self.root.is_dir():  # went away during the scan
                raise self._gone() from None
            raise
        finally:
            self._watcher.recheck(busy)
        result = snapshot.result
        self._report(history, result, told)
        # only what it looked at: a file held back (open for writing, or busy) was not read, and
        # skipped again once read is no news (a warning per state, not per scan)
        held = writing.union(busy)
        self._forget_skips([path for path in self._skips_told if path not in held], result)
        deleted = sum(1 for version in result.recorded if version.deleted)
        totals = {
            "recorded": len(result.recorded) - deleted,
            "deleted": deleted,
            "renamed": len(result.renamed),
            "unchanged": result.unchanged,
            "skipped": len(result.skipped),
        }
        self._tell(WatchEvent("rescanned" if self.caught_up else "caught_up", counts=totals))

    def _next_document(self) -> bool:
        """Asked before each document: True to stop at once; tells ``stopping`` once, when the
        session stops with documents still to record (not when nothing is pending)."""
        if self._aborting():
            return True
        if self._stopping.is_set() and not self._said_stopping:
            self._said_stopping = True
            self._emit(WatchEvent("stopping"))  # now, not held with the batch's events
        return False

    def _gone(self) -> TrackerError:
        return TrackerError(f"{self.root} is gone; waiting for it to come back")

    def _check_root(self) -> None:
        """Raise if the folder is gone, deleted or unmounted: never record everything as deleted.

        Unmounted, a folder's path holds the empty mount point, on another file system; another
        file system there with files in it was mounted (again): that is the folder now.
        """
        try:
            info = os.stat(self.root)
        except OSError:
            raise self._gone() from None
        if not stat.S_ISDIR(info.st_mode):
            raise self._gone()
        if info.st_dev != self._root_device:
            try:
                with os.scandir(self.root) as listing:
                    empty = next(listing, None) is None
            except OSError:
                empty = False  # the scan says why it cannot list it
            if empty:
                raise TrackerError(
                    f"{self.root} is empty and on another file system than it was (unmounted?);"
                    " waiting for it to come back"
                )
            self._root_device = info.st_dev

    def _scan_filter(self, writing: frozenset[str]) -> tuple[Callable[[str], bool], list[str]]:
        """The accept filter of a full scan, and the list of files it put back for later.

        Besides the include/exclude filters, it leaves out the files still open for writing and
        those written too recently to read (see :class:`.settling.Settling`), and gives up the
        scan while
        listing if the session is stopping.
        """
        settling = self._settle.active()
        now_ns, now = time.time_ns(), time.monotonic()
        verdicts: dict[str, bool] = {}  # asked twice for a file: while listing, then for deletions
        busy: list[str] = []

        def accept(relname: str) -> bool:
            if self._stopping.is_set():
                raise SnapshotCancelled("the watch session is stopping")
            if not self._accept(relname) or relname in writing:
                return False
            if not settling:
                return True
            if relname not in verdicts:
                verdicts[relname] = self._settle.busy(relname, now_ns, now)
                if verdicts[relname]:
                    busy.append(relname)
            return not verdicts[relname]

        return accept, busy

    # -- telling -----------------------------------------------------------------------------

    def _report(self, history: History, result: SnapshotResult, told: _Told) -> None:
        """Emit one event per rename, version, deletion and skipped file not yet told."""
        at = now_iso()
        for old, new in result.renamed[told.renamed :]:
            self._tell(WatchEvent("renamed", doc=new, old_name=old, at=at))
        for version in result.recorded[told.recorded :]:
            kind = "deleted" if version.deleted else "version"
            if self.only_substantive and version.minor:
                continue  # recorded, but neither told nor run for (--only substantive)
            self._tell(WatchEvent(kind, doc=version.doc, version=version, at=version.captured_at))
            if self._runner is not None:
                self._queue_exec(history, kind, version)
        for path, reason in result.skipped[told.skipped :]:
            if path in self._skips_told:
                continue  # said already: not at every change of a file that stays unreadable
            self._skips_told.add(path)
            self._tell(WatchEvent("skipped", doc=path, reason=reason))
        told.renamed = len(result.renamed)
        told.recorded = len(result.recorded)
        told.skipped = len(result.skipped)

    def _forget_skips(self, paths: Iterable[str], result: SnapshotResult) -> None:
        """Of the paths a snapshot looked at, forget those it did not skip (recorded, unchanged,
        gone, or a folder listed again): skipping one of them again is news."""
        skipped = {path for path, _ in result.skipped}
        self._skips_told.difference_update(set(paths) - skipped)

    def _queue_exec(self, history: History, kind: str, version: Version) -> None:
        """Hand one version to the exec thread with its environment and JSON diff."""
        assert self._runner is not None
        self._runner.submit(
            exec_env(kind, version, self.db_path, self.root),
            exec_stdin(history, version),
            f"{version.doc} v{version.version}",
        )

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
