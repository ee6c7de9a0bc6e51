"""`Tracker`: the library API that every command and every web page call.

A :class:`Tracker` is a :class:`~tracker.history.History` (record versions, read them back, diff,
blame) plus the operations on whole folders and corpora, each of which lives in its own module:
snapshots in :mod:`tracker.scan`, imports, exports, checkouts, fsck and corpus queries in
:mod:`tracker.corpus`. The CLI and the Datasette plugin only wire these to their front ends.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING

from .history import History
from .history.ignore import IgnorePattern, checked_pattern
from .scan.files import DEFAULT_MAX_BYTES
from .scan.folder import FolderSnapshot, SnapshotResult

if TYPE_CHECKING:  # the corpus modules are imported when used, to keep start-up quick
    from .corpus.checkout import CheckoutResult
    from .corpus.export import Exported
    from .corpus.fsck import FsckReport
    from .corpus.importing import ImportResult, Progress
    from .corpus.search import SearchResult
    from .corpus.timeline import Event
    from .history.upgrade import Mapper
    from .models import Version

__all__ = ["Tracker"]


class Tracker(History):
    """A corpus of documents and their versions, kept in one SQLite database."""

    # -- folders ---------------------------------------------------------------------------

    def snapshot(
        self,
        path: str | os.PathLike | Iterable[str | os.PathLike],
        *,
        split: str = "auto",
        max_bytes: int = DEFAULT_MAX_BYTES,
        accept: Callable[[str], bool] | None = None,
        at: str | datetime | None = None,
        only: Iterable[str] | None = None,
        cancel: Callable[[], bool] | None = None,
    ) -> SnapshotResult:
        """Record every changed document under each path (folders recursively, or single files).

        ``only`` limits a folder snapshot to some relative POSIX paths, as found on disk (the
        watcher's hints); files that vanished among them are recorded as deleted. ``cancel`` is
        asked between batches of files and stops the run by raising SnapshotCancelled (what was
        committed stays).
        """
        folder = FolderSnapshot(
            self, split=split, max_bytes=max_bytes, accept=accept, at=at, cancel=cancel
        )
        return folder.run(path, only)

    # -- history in and out ------------------------------------------------------------------

    def import_jsonl(
        self,
        path: str | os.PathLike,
        *,
        split: str = "auto",
        progress: Progress | None = None,
        warn: Callable[[str], None] | None = None,
        workers: int | None = None,
        scheduler: str | None = None,
    ) -> ImportResult:
        """Import a JSONL history file (or a JSON array, gzipped or not): all of it or nothing.

        ``workers``, ``scheduler``: prepare the versions on a Dask cluster (a local one of that
        many processes, or the one at that scheduler), storing them here, in file order.
        """
        from .corpus.jsonl import import_jsonl

        if workers is None and scheduler is None:
            return import_jsonl(self, path, split=split, progress=progress, warn=warn)
        from .corpus.cluster import DaskPool

        with DaskPool(workers, scheduler) as pool:
            return import_jsonl(self, path, split=split, progress=progress, warn=warn, pool=pool)

    def import_git(
        self,
        repo: str | os.PathLike,
        *,
        branch: str = "main",
        paths: Iterable[str] = (),
        split: str = "auto",
        progress: Progress | None = None,
        warn: Callable[[str], None] | None = None,
        workers: int | None = None,
        scheduler: str | None = None,
    ) -> ImportResult:
        """Import the first-parent history of a git branch, one version per changing commit.

        ``workers``, ``scheduler``: as for :meth:`import_jsonl`.
        """
        from .corpus.gitimport import import_git

        options = dict(branch=branch, paths=list(paths), split=split, progress=progress, warn=warn)
        if workers is None and scheduler is None:
            return import_git(self, repo, **options)
        from .corpus.cluster import DaskPool

        with DaskPool(workers, scheduler) as pool:
            return import_git(self, repo, **options, pool=pool)

    def upgrade(
        self,
        *,
        progress: Progress | None = None,
        workers: int | None = None,
        scheduler: str | None = None,
    ) -> int:
        """Bring an older database up to what is recorded today (lineages, counts), as opening
        it does; return how many versions were replayed (0: it was up to date).

        ``workers``, ``scheduler``: diff the versions on a Dask cluster, as :meth:`import_jsonl`
        prepares them; the database is the same.
        """
        from .history.upgrade import fill_lineages

        needed = bool(self.store.unlineaged_documents())
        with _mapper(workers, scheduler, needed=needed) as mapper:
            return fill_lineages(self, progress, mapper=mapper)

    # -- classes -----------------------------------------------------------------------------

    def reclassify(
        self,
        *,
        progress: Progress | None = None,
        workers: int | None = None,
        scheduler: str | None = None,
    ) -> int:
        """Classify every stored edit again with the ignore patterns in force; return how many
        edits were looked at. ``workers``, ``scheduler``: classify on a Dask cluster, as
        :meth:`upgrade` diffs; the classes are the same."""
        with _mapper(workers, scheduler, needed=self._has_edits(None)) as mapper:
            return super().reclassify(progress=progress, mapper=mapper)

    def add_ignore(
        self,
        pattern: str,
        *,
        doc: str | None = None,
        note: str | None = None,
        progress: Progress | None = None,
        workers: int | None = None,
        scheduler: str | None = None,
    ) -> IgnorePattern:
        """Store an ignore pattern and re-classify the documents it applies to (on a Dask
        cluster with ``workers`` or ``scheduler``, as :meth:`reclassify`)."""
        checked_pattern(pattern)  # before a cluster is started for nothing
        same = self.same_pattern(pattern, doc)
        if same is not None:
            return same
        with _mapper(workers, scheduler, needed=self._has_edits(doc or None)) as mapper:
            return super().add_ignore(pattern, doc=doc, note=note, progress=progress, mapper=mapper)

    def remove_ignore(
        self,
        pattern_id: int,
        *,
        progress: Progress | None = None,
        workers: int | None = None,
        scheduler: str | None = None,
    ) -> IgnorePattern:
        """Delete an ignore pattern and re-classify the documents it applied to (on a Dask
        cluster with ``workers`` or ``scheduler``, as :meth:`reclassify`)."""
        found = [p for p in self.ignore_patterns() if p.id == pattern_id]
        needed = bool(found) and self._has_edits(found[0].doc_glob)  # else: the one-line error
        with _mapper(workers, scheduler, needed=needed) as mapper:
            return super().remove_ignore(pattern_id, progress=progress, mapper=mapper)

    def _has_edits(self, glob: str | None) -> bool:
        """Whether the documents a pattern for ``glob`` (None: all) applies to have stored edits
        to classify: if not, no cluster is started for them."""
        from .refs import name_matches

        documents = [d.id for d in self.store.documents() if name_matches(d.name, glob)]
        return bool(documents) and self.store.has_edited_changes(documents)

    def export(
        self,
        out: IO[bytes],
        fmt: str = "jsonl",
        *,
        left_out: Callable[[str, int], None] | None = None,
    ) -> Exported:
        """Write the whole history to a binary stream in the import format; return how many
        versions and renames it wrote.

        Records `tracker import` would refuse (names an older tracker accepted) are not written:
        ``left_out(problem, count)`` hears of them.
        """
        from .corpus.export import export

        return export(self, out, fmt, left_out=left_out)

    def export_to_file(
        self,
        path: str | os.PathLike,
        fmt: str = "jsonl",
        *,
        left_out: Callable[[str, int], None] | None = None,
    ) -> Exported:
        """Export into a file (gzipped when its name ends in ``.gz``), replacing it whole."""
        from .corpus.export import export_to_file

        return export_to_file(self, path, fmt, left_out=left_out)

    def checkout(
        self, directory: str | os.PathLike, at: str | None = None, *, force: bool = False
    ) -> CheckoutResult:
        """Write every document as it stood at ``at`` (default: now) into ``directory``."""
        from .corpus.checkout import checkout

        return checkout(self, directory, at, force=force)

    def restore(
        self,
        doc: str,
        at: str = "latest",
        to: str | os.PathLike | None = None,
        *,
        force: bool = False,
    ) -> tuple[Path, Version]:
        """Write one version of a document to a file; return where, and which version."""
        from .corpus.checkout import restore

        return restore(self, doc, at, to, force=force)

    def fsck(self, *, progress: Callable[[int, int], None] | None = None) -> FsckReport:
        """Rebuild every version and check it against its sha256; check paragraphs and SQLite."""
        from .corpus.fsck import fsck

        return fsck(self, progress=progress)

    # -- questions about the whole corpus ----------------------------------------------------

    def timeline(
        self,
        *,
        since: str | None = None,
        until: str | None = None,
        doc: str | None = None,
        limit: int | None = None,
        substantive: bool = False,
    ) -> list[Event]:
        """Every recorded change (versions and renames), newest first; ``substantive`` leaves
        out the versions whose changes are all minor."""
        from .corpus.timeline import timeline

        return timeline(
            self, since=since, until=until, doc=doc, limit=limit, substantive=substantive
        )

    def iter_timeline(
        self,
        *,
        since: str | None = None,
        until: str | None = None,
        doc: str | None = None,
        limit: int | None = None,
        substantive: bool = False,
    ) -> Iterator[Event]:
        """:meth:`timeline`, read as it is iterated (keep the tracker open meanwhile)."""
        from .corpus.timeline import iter_timeline

        return iter_timeline(
            self, since=since, until=until, doc=doc, limit=limit, substantive=substantive
        )

    def search(
        self,
        query: str,
        *,
        all_versions: bool = False,
        doc: str | None = None,
        marks: tuple[str, str] = ("**", "**"),
        since: str | None = None,
        until: str | None = None,
    ) -> list[dict]:
        """Full-text search over the paragraphs of the latest versions, or of every version
        (``since``/``until``: those recorded in that window)."""
        from .corpus.search import search

        return search(
            self,
            query,
            all_versions=all_versions,
            doc=doc,
            marks=marks,
            since=since,
            until=until,
        )

    def search_page(
        self,
        query: str,
        *,
        all_versions: bool = False,
        doc: str | None = None,
        marks: tuple[str, str] = ("**", "**"),
        limit: int | None = None,
        details: bool = False,
        since: str | None = None,
        until: str | None = None,
    ) -> SearchResult:
        """The first ``limit`` hits of a search (None or 0: all of them) and their total;
        ``details``: with what the web page links (see :func:`~.corpus.search.search_page`)."""
        from .corpus.search import search_page

        return search_page(
            self,
            query,
            all_versions=all_versions,
            doc=doc,
            marks=marks,
            limit=limit,
            details=details,
            since=since,
            until=until,
        )

    def stats(
        self,
        doc: str | None = None,
        *,
        top: int = 10,
        min_chars: int | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> dict:
        """Versions, churn per month, most-edited paragraphs, largest edits, shared paragraphs.

        ``min_chars``: shared paragraphs shorter than this are noise (default MIN_SHARED_CHARS).
        ``since``/``until``: count only the versions recorded in that range (not shared ones).
        """
        from .corpus.stats import MIN_SHARED_CHARS, stats

        chars = MIN_SHARED_CHARS if min_chars is None else min_chars
        return stats(self, doc, top=top, min_chars=chars, since=since, until=until)


@contextmanager
def _mapper(workers: int | None, scheduler: str | None, needed: bool = True) -> Iterator[Mapper]:
    """The built-in ``map``, or with ``workers`` or ``scheduler`` the ordered map of a Dask
    cluster (started, or connected to, here; stopped after); ``map`` too when there is nothing
    to do (not ``needed``), where a cluster would only cost its start."""
    if (workers is None and scheduler is None) or not needed:
        yield map
        return
    from .corpus.cluster import DaskPool

    with DaskPool(workers, scheduler) as pool:
        yield pool.imap
