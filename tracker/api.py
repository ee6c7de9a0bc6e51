"""`Tracker`: the library API that every command wraps (record, snapshot, read back, diff)."""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from . import refs
from .errors import DamagedDatabase, TrackerError, UnknownDocument, UnknownVersion
from .models import Document, Version
from .scan.files import DEFAULT_MAX_BYTES, FileText
from .scan.folder import FolderSnapshot, SnapshotResult
from .store.base import Store
from .store.codec import decode_layout, encode_layout
from .text import paragraphs as para
from .text.diff import Change, blame_paragraphs, diff_paragraphs, stats
from .text.encoding import sha256_text
from .times import normalize_time


@dataclass
class DiffResult:
    """Two versions of a document and the paragraph changes between them."""

    doc: str
    old: Version | None  # None: compared with nothing (the first version)
    new: Version
    changes: list[Change]
    old_text: str
    new_text: str

    @property
    def layout_only(self) -> bool:
        """True when every paragraph is unchanged but the bytes differ (line endings, BOM...)."""
        return self.old_text != self.new_text and all(c.op == "equal" for c in self.changes)


@dataclass(frozen=True)
class BlameLine:
    """A paragraph of a version and the version in which it took its present text."""

    index: int
    text: str
    origin: Version

    def as_dict(self) -> dict:
        return {
            "paragraph": self.index,
            "version": self.origin.version,
            "captured_at": self.origin.captured_at,
            "note": self.origin.note,
            "text": self.text,
        }


#: How many documents' latest paragraph lists a Tracker keeps in memory, so that recording the
#: next version (an import, a watcher) neither reads them back nor hashes the unchanged ones...
RECENT_PARAGRAPH_LISTS = 256
#: ... and how many characters of text they may hold in all (large documents are kept fewer).
RECENT_PARAGRAPH_CHARS = 32_000_000


class Tracker:
    """A corpus of documents and their versions, kept in one SQLite database."""

    def __init__(self, db_path: str | os.PathLike, *, create: bool = True):
        self.store = Store(db_path, create=create)
        # (document id, version, sha256) -> paragraph texts. The sha256 is in the key so that a
        # number reused after a rolled-back transaction never matches: equal bytes, equal texts.
        self._recent: OrderedDict[tuple[int, int, str | None], list[str]] = OrderedDict()
        self._recent_chars = 0
        self.db_path = self.store.path

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Tracker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading ---------------------------------------------------------------------------

    def documents(self) -> list[Document]:
        """Every tracked document with its version count, last change and state."""
        return self.store.documents()

    def document(self, name: str) -> Document:
        """Resolve a user-typed name (path, file name, stem or unique prefix) to one document.

        A path to the file itself (absolute, or relative to the current folder) works too, and
        so does a name the document had before it was renamed.
        """
        try:
            resolved = refs.resolve_document(name, self.store.document_names())
        except UnknownDocument:
            resolved = self._by_file_path(name) or self.store.renamed_to(refs.normalize_name(name))
            if resolved is None:
                raise
        document = self.store.document(resolved)
        assert document is not None
        return document

    def _by_file_path(self, name: str) -> str | None:
        """The document whose file is at ``name`` on disk (it may have been deleted since)."""
        target = os.path.abspath(name)
        for document in self.store.documents():
            if document.root and os.path.join(document.root, document.name) == target:
                return document.name
        return None

    def versions(self, doc: str) -> list[Version]:
        """The versions of a document, oldest first."""
        return self.store.versions(self.document(doc).id)

    def version(self, doc: str, ref: str | int = "latest") -> Version:
        """One version of a document, by any version reference (v3, latest~1, a date...)."""
        document = self.document(doc)
        return refs.resolve_version(ref, self.store.versions(document.id), document.name)

    def paragraphs(self, version: Version) -> list[str]:
        """The paragraph texts of a version, in order."""
        return self.store.paragraph_texts(version.paragraph_ids)

    def rebuild(self, version: Version, *, verify: bool = True) -> str:
        """The exact text of a version, rebuilt from its paragraphs and layout.

        With ``verify`` (the default) the result is checked against the version's recorded
        SHA-256, so damaged storage is an error rather than silently wrong bytes.
        """
        if version.deleted:
            return ""
        texts = self.paragraphs(version)
        try:
            text = para.join(texts, decode_layout(version.layout, len(texts)))
        except (ValueError, TypeError, AttributeError) as error:
            raise DamagedDatabase(
                f"{version.doc} v{version.version} cannot be rebuilt ({error});"
                " the database is damaged: run `tracker fsck`"
            ) from None
        if verify and sha256_text(text) != version.sha256:
            raise DamagedDatabase(
                f"{version.doc} v{version.version} does not match its recorded sha256;"
                " the database is damaged: run `tracker fsck`"
            )
        return text

    def text(self, doc: str, at: str | int = "latest") -> str:
        """The exact text of a version; a deleted version is an error."""
        version = self.version(doc, at)
        if version.deleted:
            raise UnknownVersion(
                f"{version.doc} v{version.version} records its deletion"
                f" ({version.captured_at}); it has no text"
            )
        return self.rebuild(version)

    def diff(
        self,
        doc: str,
        since: str | int | None = None,
        until: str | int | None = None,
        *,
        granularity: str = "word",
        ignore_whitespace: bool = False,
    ) -> DiffResult:
        """Diff two versions; ``since`` defaults to the version before ``until`` (the latest)."""
        document = self.document(doc)
        versions = self.store.versions(document.id)
        new = refs.resolve_version(
            until if until is not None else "latest", versions, document.name
        )
        if since is None:
            # the version before; for a file that came back, the text before its deletion
            # (as in the counts `log` shows)
            earlier = versions[: versions.index(new)]
            texts = [v for v in earlier if not v.deleted]
            old = (texts[-1] if texts else None) if not new.deleted else (earlier or [None])[-1]
        else:
            old = refs.resolve_version(since, versions, document.name)
        old_paragraphs = self.paragraphs(old) if old is not None and not old.deleted else []
        new_paragraphs = self.paragraphs(new) if not new.deleted else []
        changes = diff_paragraphs(
            old_paragraphs,
            new_paragraphs,
            granularity=granularity,
            ignore_whitespace=ignore_whitespace,
        )
        return DiffResult(
            doc=document.name,
            old=old,
            new=new,
            changes=changes,
            old_text=self.rebuild(old) if old is not None else "",
            new_text=self.rebuild(new),
        )

    def blame(self, doc: str, at: str | int = "latest") -> list[BlameLine]:
        """Each paragraph of a version with the version where it took its present text."""
        document = self.document(doc)
        versions = self.store.versions(document.id)
        target = refs.resolve_version(at, versions, document.name)
        if target.deleted:
            raise UnknownVersion(f"{document.name} v{target.version} records its deletion")
        history = [v for v in versions if not v.deleted and v.version <= target.version]
        texts = [self.paragraphs(v) for v in history]
        origins = blame_paragraphs(texts)
        return [
            BlameLine(index, text, history[origin])
            for index, (text, origin) in enumerate(zip(texts[-1], origins))
        ]

    def renames(self, doc: str) -> list[dict]:
        """The renames of a document, oldest first."""
        return self.store.renames(self.document(doc).id)

    # -- writing ---------------------------------------------------------------------------

    def record(
        self,
        doc: str,
        text: str | None,
        at: str | datetime | None = None,
        *,
        note: str | None = None,
        split: str = "auto",
    ) -> Version | None:
        """Record ``text`` as the next version of ``doc`` (None records a deletion).

        Returns the new version, or None when nothing changed.
        """
        name = refs.normalize_name(doc)
        if not name:
            raise TrackerError("a document needs a name")
        with self.store.transaction():
            return self._record(name, text, normalize_time(at), note=note, split=split)

    def delete(self, doc: str, at: str | datetime | None = None) -> Version | None:
        """Record that a document was deleted (its history is kept)."""
        return self.record(self.document(doc).name, None, at)

    def rename(self, old: str, new: str, at: str | datetime | None = None) -> None:
        """Give a document a new name, keeping its history; the rename itself is recorded."""
        document = self.document(old)
        new = refs.normalize_name(new)
        if self.store.document(new) is not None:
            raise TrackerError(f"cannot rename {document.name} to {new}: that name is tracked")
        with self.store.transaction():
            self.store.rename_document(
                document.id, document.name, new, document.latest_version or 0, normalize_time(at)
            )

    def _record(
        self,
        name: str,
        text: str | None,
        at: str,
        *,
        note: str | None = None,
        split: str = "auto",
        root: str | None = None,
        path: str | None = None,
        sha256: str | None = None,
    ) -> Version | None:
        document = self.store.document(name)
        if text is None:
            if document is None or document.deleted:
                return None
            previous = self.store.latest(document.id)
            counts = {"added": 0, "removed": previous.paragraphs, "modified": 0, "moved": 0}
            self.store.insert_version(
                document.id,
                document.latest_version + 1,
                captured_at=at,
                path=path or name,
                sha256=None,
                size=0,
                paragraph_ids=[],
                layout="{}",
                deleted=True,
                counts=counts,
                note=note,
            )
            return self.store.latest(document.id)
        sha256 = sha256 or sha256_text(text)
        if document is not None and not document.deleted and document.latest_sha256 == sha256:
            return None
        if document is None:
            if split not in para.SPLIT_MODES:
                raise TrackerError(f"unknown split mode {split!r}")
            mode = para.choose_mode(text) if split == "auto" else split
            document_id = self.store.create_document(name, mode, root, at)
            number, previous = 1, None
        else:
            mode, document_id = document.split_mode, document.id
            number = document.latest_version + 1
            # a re-added file is compared with its text from before the deletion
            previous = self.store.latest(document_id, text_only=True)
        parts = para.split(text, mode)
        changes: list[Change] = []
        if previous is None:
            ids = self.store.intern_paragraphs(parts.paragraphs)
            counts = {"added": len(ids), "removed": 0, "modified": 0, "moved": 0}
        else:
            old_texts = self._recent_paragraphs(previous)
            known = dict(zip(old_texts, previous.paragraph_ids))
            ids = self.store.intern_paragraphs(parts.paragraphs, known)
            changes = diff_paragraphs(old_texts, parts.paragraphs, inline=False)
            counts = stats(changes)
        version_id = self.store.insert_version(
            document_id,
            number,
            captured_at=at,
            path=path or name,
            sha256=sha256,
            size=len(text.encode("utf-8")),
            paragraph_ids=ids,
            layout=encode_layout(parts.separators),
            deleted=False,
            counts=counts,
            note=note,
        )
        if changes:
            old_ids = previous.paragraph_ids
            self.store.insert_changes(
                [
                    (
                        version_id,
                        change.op,
                        change.old,
                        change.new,
                        None if change.old is None else old_ids[change.old],
                        None if change.new is None else ids[change.new],
                    )
                    for change in changes
                    if change.op != "equal"
                ]
            )
        self._remember((document_id, number, sha256), parts.paragraphs)
        return self.store.latest(document_id)

    def _recent_paragraphs(self, version: Version) -> list[str]:
        """The paragraph texts of a version, from memory when it was recorded or read lately."""
        key = (version.document_id, version.version, version.sha256)
        texts = self._recent.get(key)
        if texts is None:
            texts = self.paragraphs(version)
            self._remember(key, texts)
        else:
            self._recent.move_to_end(key)
        return texts

    def _remember(self, key: tuple[int, int, str | None], texts: list[str]) -> None:
        """Keep a version's paragraph list for the next record, within the count and size caps."""
        size = sum(map(len, texts))
        if size > RECENT_PARAGRAPH_CHARS or key in self._recent:
            return
        self._recent[key] = texts
        self._recent_chars += size
        while (
            len(self._recent) > RECENT_PARAGRAPH_LISTS
            or self._recent_chars > RECENT_PARAGRAPH_CHARS
        ):
            _, dropped = self._recent.popitem(last=False)
            self._recent_chars -= sum(map(len, dropped))

    # -- snapshots of folders ----------------------------------------------------------------

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

        ``only`` limits a folder snapshot to some relative paths (the watcher's hints); files that
        vanished among them are recorded as deleted. ``cancel`` is asked between batches of files
        and stops the run by raising SnapshotCancelled (what was committed stays).
        """
        folder = FolderSnapshot(
            self, split=split, max_bytes=max_bytes, accept=accept, at=at, cancel=cancel
        )
        return folder.run(path, only)

    def record_file(
        self, name: str, root: str | None, content: FileText, *, split: str = "auto", at=None
    ) -> Version | None:
        """Record a file's content read by the scanner and remember its size and mtime."""
        with self.store.transaction():
            version = self._record(
                name,
                content.text,
                normalize_time(at),
                split=split,
                root=root,
                sha256=content.sha256,
            )
            document_id = version.document_id if version else self.store.document_id(name)
            self.store.set_file_state(
                document_id, root, content.size, content.mtime_ns, content.read_ns
            )
        return version
