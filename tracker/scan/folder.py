"""Snapshot folders and files: decide what changed, what was renamed and what was deleted."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import TrackerError, UnreadableFile
from ..history import History
from ..refs import file_name_problem
from ..store import Store
from ..store.documents import FileState
from .files import (
    DEFAULT_MAX_BYTES,
    Entry,
    FileText,
    is_ignored,
    read_text,
    scan,
    symlink_problem,
)

if TYPE_CHECKING:
    from ..models import Version

#: A file whose mtime is this close to the moment it was read may change again within the same
#: timestamp tick, so a re-scan reads it again instead of trusting size and mtime (racy-git rule).
RACY_WINDOW_NS = 2_000_000_000

#: A folder snapshot records its files in transactions of at most this many files...
SNAPSHOT_BATCH = 2048
#: ... or of about this many seconds, whichever comes first: other writers (a watcher) wait for
#: the write lock no longer than that, and a cancel request is answered within it.
SNAPSHOT_BATCH_SECONDS = 1.0


@dataclass
class SnapshotResult:
    """What one snapshot run did: new versions (deletions included), renames and skipped files."""

    recorded: list[Version] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "warnings": self.warnings,
            "recorded": [version.as_dict() for version in self.recorded],
            "renamed": [{"from": old, "to": new} for old, new in self.renamed],
            "skipped": [{"path": path, "reason": reason} for path, reason in self.skipped],
            "unchanged": self.unchanged,
        }


def unchanged(entry: Entry, state: FileState | None, root_key: str) -> bool:
    """Whether a file can be taken as unchanged without reading it: same folder, size and
    mtime as when last read, and that mtime older than the racy window before the read (a
    deleted document's file has no time it was read: a file back under its name is read)."""
    return (
        state is not None
        and state.root == root_key
        and state.size == entry.size
        and state.mtime_ns == entry.mtime_ns
        and state.checked_ns is not None
        and entry.mtime_ns < state.checked_ns - RACY_WINDOW_NS
    )


def own_names(store: Store, root: Path) -> frozenset[str]:
    """The names under ``root`` of the database and its companions: never documents, whatever
    the filters say (a snapshot of the folder holding the database, ``--include '*'``)."""
    names = set()
    for top in {os.path.abspath(root), os.path.realpath(root)}:
        for path in store.own_files():
            relative = os.path.relpath(path, top)
            if relative != os.pardir and not relative.startswith(os.pardir + os.sep):
                names.add(relative.replace(os.sep, "/"))
    return frozenset(names)


class SnapshotCancelled(Exception):
    """``cancel()`` (or ``abort()``) said stop: what was committed stays, the rest is not looked at.

    ``left``: the names of the changed files and deletions not recorded (those it knew of).
    """

    def __init__(self, message: str, left: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.left = tuple(left)


class FolderSnapshot:
    """One snapshot run over some paths, with the options it was given."""

    def __init__(
        self,
        history: History,
        *,
        split: str = "auto",
        max_bytes: int = DEFAULT_MAX_BYTES,
        accept: Callable[[str], bool] | None = None,
        at=None,
        cancel: Callable[[], bool] | None = None,
        abort: Callable[[], bool] | None = None,
    ):
        self.history = history
        self.store = history.store
        self.split = split
        self.max_bytes = max_bytes
        self.accept = accept
        self.at = at
        self.cancel = cancel
        #: asked before each document: stop at once, keeping the documents recorded so far
        self.abort = abort
        self.result = SnapshotResult()
        #: name -> the folder it was first found in by this run: one name in two folders given
        #: together would make one history of two files, flipping between them on every run
        self._found_in: dict[str, str] = {}
        #: names given to look at that could not be looked up (a folder that cannot be entered):
        #: left alone, never taken for deleted
        self._unreadable: set[str] = set()

    def run(
        self, path: str | os.PathLike | Iterable[str | os.PathLike], only: Iterable[str] | None
    ) -> SnapshotResult:
        """Snapshot each path: a folder recursively (or only some names in it), or one file."""
        paths = [path] if isinstance(path, (str, os.PathLike)) else list(path)
        for one in paths:  # all of them before any: a typo in the last records nothing
            if not self._exists(Path(one)) and not self._tracked_file(Path(one)):
                raise TrackerError(f"{one}: no such file or folder")
        for one in self._outermost(paths):
            target = Path(one)
            if target.is_dir():
                self.folder(target, only)
            else:
                self.file(target)
        return self.result

    def _outermost(self, paths: list[str | os.PathLike]) -> list[str | os.PathLike]:
        """The paths not inside another folder given (``docs docs/sub``, ``docs/*``): a file
        there would be two documents, named from each folder (``sub/a.txt`` and ``a.txt``)."""
        real = [os.path.realpath(one) for one in paths]
        folders = {where: one for one, where in zip(paths, real) if os.path.isdir(where)}
        kept: list[str | os.PathLike] = []
        seen: set[str] = set()
        for one, where in zip(paths, real):
            outer = next((f for f in folders if where.startswith(f.rstrip(os.sep) + os.sep)), None)
            if outer is not None:
                self.result.warnings.append(
                    f"{one}: inside {folders[outer]}, also given: recorded from there only"
                    " (documents are named relative to the folder given)"
                )
            elif where not in seen:  # the same path twice is one
                seen.add(where)
                kept.append(one)
        return kept

    @staticmethod
    def _exists(target: Path) -> bool:
        return target.exists() or target.is_symlink()

    def _tracked_file(self, target: Path) -> bool:
        """Whether a file given by path was last read there, as a document named by its file
        name (a file gone since is recorded as deleted, as in a folder)."""
        state = self.store.file_state(target.name)
        return state is not None and state.root == str(target.resolve().parent)

    def file(self, target: Path) -> None:
        """A single file given by path: named by its file name, relative to its folder."""
        if not self._exists(target):  # tracked there: checked by run()
            version = self.history.record(target.name, None, self.at)
            if version is not None:
                self.result.recorded.append(version)
            return
        own = self.store.own_files()
        if os.path.abspath(target) in own or os.path.realpath(target) in own:
            self.result.skipped.append((str(target), "the tracker database's own file, skipped"))
            return
        if target.is_symlink():
            self.result.skipped.append((str(target), "symlink, not followed"))
            return
        problem = file_name_problem(target.name)
        if problem is not None and self.store.document(target.name) is None:
            self.result.skipped.append((str(target), f"cannot be tracked: {problem}"))
            return
        try:
            content = read_text(target, max_bytes=self.max_bytes, label=str(target))
        except UnreadableFile as error:
            self.result.skipped.append((str(target), str(error)))
            return
        except FileNotFoundError:
            self.result.skipped.append((str(target), "deleted while being read"))
            return
        self._store(target.name, str(target.resolve().parent), content)

    def folder(self, root: Path, only: Iterable[str] | None) -> None:
        """A folder: record changed files, then renames and deletions of its documents.

        A file whose size and mtime are those read last time (outside the racy window) is not
        read again: when no file changed and none is gone, a re-scan is a walk, a few queries
        (SQLite compares the sizes and mtimes) and no write.
        """
        root_key = str(root.resolve())
        own = own_names(self.store, root)
        wanted = self.accept or (lambda name: not is_ignored(name))

        def accept(name: str) -> bool:
            return name not in own and wanted(name)

        if only is None:
            trusted = self.store.unchanged_files(root_key, RACY_WINDOW_NS)
            unlisted: list[str] = []

            def skip(name: str, reason: str) -> None:
                if reason.startswith("cannot list folder"):
                    if name == str(root):  # never take an unreadable folder for an empty one
                        raise TrackerError(f"{root}: {reason}")
                    unlisted.append(name)
                self._skip(name, reason)

            # without a filter of its own, the walk judges names by its quicker default rule
            entries = sorted(e for e in scan(root, self.accept, skip) if e.name not in own)
            suspects = [e for e in entries if (e.name, e.size, e.mtime_ns) not in trusted]
            # The states of the suspects are enough, unless a document of the folder was not
            # found (every trusted file is one of its documents): then all are read, to find it.
            known = self.store.file_states_of([entry.name for entry in suspects])
            found = len(entries) - len(suspects)
            found += sum(state.root == root_key for state in known.values())
            if found != self.store.count_files(root_key):
                known = self.store.file_states()

            def in_scope(name: str) -> bool:
                """Left alone, not recorded as deleted: documents the filter now rejects, and
                those in a sub-folder that could not be listed."""
                return accept(name) and not name.startswith(tuple(unlisted))

        else:
            scope = sorted(set(only) - own)  # names as found on disk: never cleaned up
            known = {name: state for name in scope if (state := self.store.file_state(name))}
            entries = [entry for entry in map(lambda name: self._entry(root, name), scope) if entry]
            suspects = entries

            def in_scope(name: str) -> bool:
                """Only the names given are looked at, and those that could be."""
                return name in known and name not in self._unreadable

        present = {entry.name for entry in entries}
        for name in present:
            self._found_in.setdefault(name, root_key)
        missing = {
            name: state.id
            for name, state in known.items()
            if name not in present and state.root == root_key and in_scope(name)
        }
        latest = self.store.latest_states(list(missing.values())) if missing else {}
        # name -> latest sha256 of the documents whose file is gone (not deleted already)
        gone = {
            name: latest[document_id][1]
            for name, document_id in sorted(missing.items())
            if document_id in latest and not latest[document_id][0]
        }
        renamed_from = {sha256: name for name, sha256 in gone.items()}
        changed = [
            (entry, known.get(entry.name))
            for entry in suspects
            if not unchanged(entry, known.get(entry.name), root_key)
        ]
        done = len(entries) - len(changed)
        self.result.unchanged += done
        start = 0
        aborted = False
        while start < len(changed) and not aborted:
            if self.cancel is not None and self.cancel():
                left = [entry.name for entry, _ in changed[start:]] + sorted(gone)
                raise SnapshotCancelled(
                    f"stopped after {done + start} of {len(entries)} files", left
                )
            # Several documents per transaction (each one still all-or-nothing, in a savepoint):
            # commits, checkpoints and full-text index flushes would otherwise dominate a large
            # first snapshot.
            deadline = time.monotonic() + SNAPSHOT_BATCH_SECONDS
            with self.store.transaction():
                for entry, state in changed[start : start + SNAPSHOT_BATCH]:
                    if self.abort is not None and self.abort():
                        aborted = True  # what this transaction recorded so far is committed
                        break
                    self._entry_changed(entry, state, root_key, gone, renamed_from)
                    start += 1
                    if time.monotonic() > deadline:
                        break
        deletions = sorted(gone)
        deleted = 0
        while deleted < len(deletions) and not aborted:
            if self.abort is not None and self.abort():
                aborted = True
                break
            version = self.history.record(deletions[deleted], None, self.at)
            deleted += 1
            if version is not None:
                self.result.recorded.append(version)
        if aborted:
            left = [entry.name for entry, _ in changed[start:]] + deletions[deleted:]
            raise SnapshotCancelled(
                f"stopped at once after {done + start} of {len(entries)} files", left
            )

    def _skip(self, name: str, reason: str) -> None:
        self.result.skipped.append((name, reason))

    def _entry(self, root: Path, name: str) -> Entry | None:
        full = root / name
        try:
            info = full.lstat()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as error:  # in a folder that cannot be entered: said, and left alone
            if self.accept is None or self.accept(name):
                self._unreadable.add(name)
                self._skip(name, f"cannot read ({error.strerror}), skipped")
            return None
        if self.accept is not None and not self.accept(name):
            return None
        if full.is_symlink():
            problem = symlink_problem(full, root.resolve())
            if problem is not None:
                self._skip(name, problem)
            return None
        if not full.is_file():
            return None
        return Entry(name, str(full), info.st_size, info.st_mtime_ns)

    def _entry_changed(
        self,
        entry: Entry,
        doc: FileState | None,
        root_key: str,
        gone: dict[str, str | None],
        renamed_from: dict[str | None, str],
    ) -> None:
        """Record a file that may have changed (its size, mtime or folder differ)."""
        first = self._found_in.get(entry.name, root_key)
        if first != root_key:
            self.result.skipped.append(
                (
                    entry.name,
                    f"also in {first}, given first: skipped (documents are named relative to"
                    " the folder given, so the two files would be one history)",
                )
            )
            return
        if doc is not None and doc.root and doc.root != root_key:
            # documents are named relative to their folder, so the same name from two folders
            # is one history: say so rather than mix two files silently
            self.result.warnings.append(
                f"{entry.name}: tracked from {doc.root}, now recorded from {root_key} into the"
                " same history (documents are named relative to the folder given)"
            )
        problem = file_name_problem(entry.name) if doc is None else None
        if problem is not None:  # e.g. a newline in the file name: it could not be exported
            self.result.skipped.append((entry.name, f"cannot be tracked: {problem}"))
            return
        try:
            content = read_text(entry.path, max_bytes=self.max_bytes, label=entry.name)
        except UnreadableFile as error:
            self.result.skipped.append((entry.name, str(error)))
            return
        except FileNotFoundError:  # vanished since the listing: a later scan records it
            return
        if doc is None and content.sha256 in renamed_from:
            origin = renamed_from.pop(content.sha256)
            del gone[origin]
            self.history.rename(origin, entry.name, self.at)
            self.result.renamed.append((origin, entry.name))
        self._store(entry.name, root_key, content)

    def _store(self, name: str, root_key: str, content: FileText) -> None:
        version = self.history.record_file(
            name,
            content.text,
            root=root_key,
            sha256=content.sha256,
            size=content.size,
            mtime_ns=content.mtime_ns,
            read_ns=content.read_ns,
            split=self.split,
            at=self.at,
        )
        if version is None:
            self.result.unchanged += 1
        else:
            self.result.recorded.append(version)
