"""Recording a history: each new version's paragraphs, layout and changes, in one transaction.

:class:`Writes` is half of :class:`tracker.history.History`. A version is diffed against the one
before it once, when it is recorded, and what changed is stored with it (``paragraph_changes``),
so that no read has to re-align old versions.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from .. import refs
from ..errors import TrackerError
from ..store import Store
from ..times import normalize_time

if TYPE_CHECKING:  # the diff engine is imported by the first write, not by every opening
    from ..models import Document, Version
    from ..text.diff import Change
    from .prepare import Prepared

#: How many documents' latest paragraph lists a history keeps in memory, so that recording the
#: next version (an import, a watcher) neither reads them back nor hashes the unchanged ones...
RECENT_PARAGRAPH_LISTS = 256
#: ... and how many characters of text they may hold in all (large documents are kept fewer).
RECENT_PARAGRAPH_CHARS = 32_000_000

#: ``ready(mode, previous, paragraphs)``: a version already prepared elsewhere (a bulk import's
#: workers) in split ``mode`` against exactly the ``previous`` version, whose ``paragraphs`` are
#: given (both None for a first version); or None to prepare it here.
Ready = Callable[[str, "Version | None", "list[str] | None"], "Prepared | None"]


#: The change counts a version row keeps.
COUNT_KEYS = ("added", "removed", "modified", "moved")


def checked_name(doc: str) -> str:
    """A document name as stored, or TrackerError: the one rule for names (refs.name_problem)."""
    name = refs.normalize_name(doc)
    problem = refs.name_problem(name)
    if problem is not None:
        raise TrackerError(f"cannot track {name!r}: {problem}")
    return name


class Writes:
    """The write side of a history: record versions and deletions, rename documents."""

    store: Store

    def __init__(self) -> None:
        # (document id, version, sha256) -> paragraph texts. The sha256 is in the key so that a
        # number reused after a rolled-back transaction never matches: equal bytes, equal texts.
        self._recent: OrderedDict[tuple[int, int, str | None], list[str]] = OrderedDict()
        self._recent_chars = 0
        # document id -> (the store's rollback count then, the latest version written here): the
        # next version of a document is prepared against it without reading it back, as long as
        # no transaction failed since (its rows may be gone) and the document's latest is it
        self._written: OrderedDict[int, tuple[int, Version]] = OrderedDict()

    def record(
        self,
        doc: str,
        text: str | None,
        at: str | datetime | None = None,
        *,
        note: str | None = None,
        split: str = "auto",
        root: str | None = None,
        sha256: str | None = None,
        ready: Ready | None = None,
    ) -> Version | None:
        """Record ``text`` as the next version of ``doc`` (None records a deletion).

        Returns the new version, or None when nothing changed. ``root`` is the folder a scanned
        file was read from; ``sha256`` its checksum if already known; ``ready`` is asked for a
        version prepared elsewhere before preparing it here (see :data:`Ready`).
        """
        name = refs.normalize_name(doc)
        with self.store.transaction():
            return self._record(
                name,
                text,
                normalize_time(at),
                note=note,
                split=split,
                root=root,
                sha256=sha256,
                ready=ready,
            )

    def delete(self, doc: str, at: str | datetime | None = None) -> Version | None:
        """Record that a document was deleted (its history is kept)."""
        return self.record(self.store_name(doc), None, at)

    def rename(self, old: str, new: str, at: str | datetime | None = None) -> None:
        """Give a document a new name, keeping its history; the rename itself is recorded."""
        document = self.document(old)  # type: ignore[attr-defined]
        new = checked_name(new)
        if self.store.document(new) is not None:
            raise TrackerError(f"cannot rename {document.name} to {new}: that name is tracked")
        with self.store.transaction():
            self.store.rename_document(
                document.id, document.name, new, document.latest_version or 0, normalize_time(at)
            )

    def record_file(
        self,
        name: str,
        text: str,
        *,
        root: str,
        sha256: str,
        size: int,
        mtime_ns: int,
        read_ns: int,
        split: str = "auto",
        at: str | datetime | None = None,
    ) -> Version | None:
        """Record a scanned file's text and remember its size and mtime (to skip it next time).

        ``read_ns`` is when it was read: a re-scan trusts size and mtime only for files not
        modified within the racy window before that moment.
        """
        with self.store.transaction():
            version = self._record(
                refs.normalize_name(name),
                text,
                normalize_time(at),
                split=split,
                root=root,
                sha256=sha256,
            )
            document_id = version.document_id if version else self.store.document_id(name)
            self.store.set_file_state(document_id, root, size, mtime_ns, read_ns)
        return version

    def store_name(self, doc: str) -> str:
        """The stored name of the document a user-typed name resolves to."""
        return self.document(doc).name  # type: ignore[attr-defined]

    def _record(
        self,
        name: str,
        text: str | None,
        at: str,
        *,
        note: str | None = None,
        split: str = "auto",
        root: str | None = None,
        sha256: str | None = None,
        ready: Ready | None = None,
    ) -> Version | None:
        from ..text.encoding import sha256_text

        document = self.store.document(name)
        if text is None:
            if document is None or document.deleted:
                return None
            return self._store_deletion(document, at, note)
        if sha256 is None:
            try:
                sha256 = sha256_text(text)
            except UnicodeEncodeError:
                raise TrackerError(
                    f"cannot record {name!r}: its text is not valid Unicode (a lone surrogate)"
                ) from None
        if document is not None and not document.deleted and document.latest_sha256 == sha256:
            return None
        from .prepare import prepare, split_mode  # here: a file read again but unchanged needs none

        if document is None:
            checked_name(name)  # names already tracked are kept, whatever rule they predate
            try:
                mode = split_mode(text, split)
            except ValueError as error:
                raise TrackerError(str(error)) from None
            previous, old_texts = None, None
        else:
            mode = document.split_mode
            # a re-added file is compared with its text from before the deletion
            previous = self._latest_written(document) or self.store.latest(
                document.id, text_only=True
            )
            old_texts = self._recent_paragraphs(previous) if previous is not None else None
        prepared = ready(mode, previous, old_texts) if ready is not None else None
        if prepared is None:
            patterns = self.patterns_for(name)
            prepared = prepare(text, mode, old_texts, sha256=sha256, patterns=patterns)
        return self.store_prepared(
            name,
            prepared,
            at,
            note=note,
            mode=mode,
            root=root,
            document=document,
            previous=previous,
        )

    def store_prepared(
        self,
        name: str,
        prepared: Prepared,
        at: str,
        *,
        note: str | None = None,
        mode: str = "blank",
        root: str | None = None,
        document: Document | None = None,
        previous: Version | None = None,
    ) -> Version:
        """Store a version prepared from its text (:func:`~.prepare.prepare`) as the next
        version of ``name``, inside the current transaction.

        ``previous`` is the version it was prepared against (its paragraph ids give the changed
        paragraphs' ids); ``mode`` the split mode of a new document.
        """
        if document is None:
            document_id = self.store.create_document(name, mode, root, at)
            number = 1
        else:
            document_id, number = document.id, (document.latest_version or 0) + 1
            if root is None and document.file_checked_ns is not None:
                # a text that did not come from its file (an import): the file, unchanged on
                # disk, is no longer the latest version, so the next scan must read it
                self.store.forget_file_check(document_id)
        from ..store.codec import decode_runs, stored_lineages

        old_ids: list[int] = []
        known: dict[str, int] | None = None
        if previous is not None:  # its paragraphs are stored: neither hashed nor looked up again
            old_ids = previous.paragraph_ids
            known = dict(zip(self._recent_paragraphs(previous), old_ids))
        ids = self.store.intern_paragraphs(prepared.paragraphs, known)
        old_lineages = decode_runs(previous.lineages) if previous is not None else []
        lineages = self.assign_lineages(document_id, number, prepared, ids, old_lineages)
        rows = change_rows(prepared.changes, ids, old_ids, lineages, old_lineages)
        stored = stored_lineages(
            lineages, old_lineages, previous.lineages_from if previous is not None else None
        )
        version_id = self.store.insert_version(
            document_id,
            number,
            captured_at=at,
            path=name,
            sha256=prepared.sha256,
            size=prepared.size,
            paragraph_ids=ids,
            layout=prepared.layout,
            deleted=False,
            counts=prepared.counts,
            note=note,
            lineages=stored,
            substantive=prepared.counts.get("substantive"),
        )
        self.store.insert_changes([(version_id, *row) for row in rows])
        # the spans follow the version just before, which is a deletion when it came back
        before = old_ids if document is not None and not document.deleted else []
        self.store.update_spans(document_id, number, before, ids)
        self._remember((document_id, number, prepared.sha256), prepared.paragraphs)
        if document is not None and document.deleted:  # read back: it says what it restored
            latest = self.store.latest(document_id)
            assert latest is not None
            return latest
        from ..models import Version

        # the row just written, as a read would give it (reading it back cost 1/20 of the import)
        counts = prepared.counts
        written = Version(
            doc=document.name if document is not None else name,
            document_id=document_id,
            version=number,
            captured_at=at,
            sha256=prepared.sha256,
            bytes=prepared.size,
            paragraphs=len(ids),
            deleted=False,
            added=counts.get("added"),
            removed=counts.get("removed"),
            modified=counts.get("modified"),
            moved=counts.get("moved"),
            note=note,
            path=name,
            paragraph_ids=ids,
            layout=prepared.layout,
            lineages=previous.lineages if stored.isdigit() and previous else stored,
            substantive=counts.get("substantive"),
            lineages_from=int(stored) if stored.isdigit() else number,
        )
        self._written[document_id] = (self.store.rollbacks, written)
        self._written.move_to_end(document_id)
        if len(self._written) > RECENT_PARAGRAPH_LISTS:
            self._written.popitem(last=False)
        return written

    def _latest_written(self, document: Document) -> Version | None:
        """The latest version of a live document if this history wrote it and it still stands."""
        kept = self._written.get(document.id)
        if kept is None or document.deleted:
            return None
        rollbacks, version = kept
        if (
            rollbacks != self.store.rollbacks
            or version.version != document.latest_version
            or version.sha256 != document.latest_sha256
        ):
            return None
        return version

    def assign_lineages(
        self,
        document_id: int,
        number: int,
        prepared: Prepared,
        ids: list[int],
        old_lineages: list[int],
    ) -> list[int]:
        """The lineage of each paragraph of a new version.

        A paragraph that continues an old one (unchanged, modified, moved) keeps its lineage. A
        new one whose text is that of a paragraph deleted earlier from the document continues
        the deleted paragraph's lineage (it was put back); any other starts a lineage, a piece
        split off an old paragraph included (the largest piece keeps the old lineage).
        """
        lineages = [None if i is None else old_lineages[i] for i in prepared.continues]
        split = {c.new for c in prepared.changes if c.op == "insert" and c.split_from is not None}
        alive = {lineage for lineage in lineages if lineage is not None}
        starting: list[int] = []  # the paragraphs that start a lineage, in order
        for j, lineage in enumerate(lineages):
            if lineage is not None:
                continue
            revived = None
            # not only after a version with paragraphs: one emptied in between is put back too
            if number > 1 and j not in split:
                revived = self.store.deleted_lineage(document_id, ids[j])
            if revived is None or revived in alive:
                starting.append(j)
                continue
            lineages[j] = revived
            alive.add(revived)
        # new ids are never alive: allocated together, in the paragraphs' order
        fresh = self.store.new_lineages(document_id, number, len(starting))
        for j, lineage in zip(starting, fresh):
            lineages[j] = lineage
        return lineages  # type: ignore[return-value]

    def _store_deletion(self, document: Document, at: str, note: str | None) -> Version:
        """Record that a tracked, present document is gone (a version without text)."""
        previous = self.store.latest(document.id)
        assert previous is not None
        counts = {"added": 0, "removed": previous.paragraphs, "modified": 0, "moved": 0}
        number = (document.latest_version or 0) + 1
        self.store.insert_version(
            document.id,
            number,
            captured_at=at,
            path=document.name,
            sha256=None,
            size=0,
            paragraph_ids=[],
            layout="{}",
            deleted=True,
            counts=counts,
            note=note,
            substantive=previous.paragraphs,
        )
        self.store.update_spans(document.id, number, previous.paragraph_ids, [])
        self.store.forget_file_check(document.id)
        latest = self.store.latest(document.id)
        assert latest is not None
        return latest

    def _recent_paragraphs(self, version: Version) -> list[str]:
        """The paragraph texts of a version, from memory when it was recorded or read lately."""
        key = (version.document_id, version.version, version.sha256)
        texts = self._recent.get(key)
        if texts is None:
            texts = self.store.paragraph_texts(version.paragraph_ids)
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


def change_rows(
    changes: list[Change],
    ids: list[int],
    old_ids: list[int],
    lineages: list[int],
    old_lineages: list[int],
) -> list[tuple]:
    """The ``paragraph_changes`` rows of a version, without the version's row id: op, indexes,
    paragraph ids, the lineage of the paragraph changed, split_from, merged_into, class."""
    return [
        (
            change.op,
            change.old,
            change.new,
            None if change.old is None else old_ids[change.old],
            None if change.new is None else ids[change.new],
            lineages[change.new] if change.new is not None else old_lineages[change.old],
            change.split_from,
            change.merged_into,
            change.kind,
        )
        for change in changes
    ]
