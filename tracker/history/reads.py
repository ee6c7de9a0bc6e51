"""Reading a history back: documents by any name, versions by any reference, exact texts, diffs.

:class:`Reads` is half of :class:`tracker.history.History`; every answer the CLI and the web both
give (a version's text, a diff) comes from one method here; blame, trace and word blame are in
:mod:`.origins`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .. import refs
from ..errors import DamagedDatabase, UnknownDocument
from ..store import Store

if TYPE_CHECKING:  # each read imports what it needs: opening a history must stay quick
    from ..models import DiffResult, Document, Version


class Reads:
    """The read side of a history: everything here only reads the store."""

    store: Store

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
        from ..store.codec import rebuild_text
        from ..text.encoding import sha256_text

        if version.deleted:
            return ""
        texts = self.paragraphs(version)
        try:
            text = rebuild_text(texts, version.layout)
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
        document = self.document(doc)
        versions = self.store.versions(document.id)
        version = refs.resolve_version(at, versions, document.name)
        if version.deleted:
            raise refs.deletion_has_no_text(version, versions, document.name)
        return self.rebuild(version)

    def diff(
        self,
        doc: str,
        since: str | int | None = None,
        until: str | int | None = None,
        *,
        granularity: str = "word",
        ignore_whitespace: bool = False,
        ignore: Iterable[str] = (),
    ) -> DiffResult:
        """Diff two versions; ``since`` defaults to the version before ``until`` (the latest), and
        as a date or date-time is the text just before it (:func:`tracker.refs.resolve_start`).

        "The version before" skips back over a deletion: a document that came back is compared
        with its text from before the deletion, as its stored counts are. Every change carries
        its class (``Change.kind``); the changes of the classes in ``ignore`` become unchanged
        paragraphs, counted in ``DiffResult.hidden``.
        """
        document = self.document(doc)
        versions = self.store.versions(document.id)
        new = refs.resolve_version(
            until if until is not None else "latest", versions, document.name
        )
        if since is None:
            old = previous_version(versions, new)
        else:
            old = refs.resolve_start(since, versions, document.name)
        from ..models import DiffResult
        from ..text.diff import diff_paragraphs  # here: most commands never diff

        old_paragraphs = self.paragraphs(old) if old is not None and not old.deleted else []
        new_paragraphs = self.paragraphs(new) if not new.deleted else []
        from ..text.classes import change_class, filter_changes

        patterns = self.patterns_for(document.name)  # type: ignore[attr-defined]
        changes = [
            change if change.op == "equal" else change.classed(change_class(change, patterns))
            for change in diff_paragraphs(
                old_paragraphs,
                new_paragraphs,
                granularity=granularity,
                ignore_whitespace=ignore_whitespace,
            )
        ]
        hidden = 0
        if ignore:
            changes, hidden = filter_changes(changes, frozenset(ignore), patterns)
        return DiffResult(
            doc=document.name,
            old=old,
            new=new,
            changes=changes,
            old_text=self.rebuild(old) if old is not None else "",
            new_text=self.rebuild(new),
            hidden=hidden,
        )

    def recent(
        self,
        doc: str | None = None,
        limit: int = 50,
        changes: int = 12,
        *,
        substantive: bool = False,
    ) -> list[tuple[Version, list[tuple[str, str | None, str | None]]]]:
        """The latest recorded versions, newest first (of one document or all; only those with
        a substantive change if asked), each with its first ``changes`` stored paragraph changes
        (op, old text, new text): the Atom feed."""
        return [
            (version, self.store.stored_changes(row_id, changes))
            for row_id, version in self.store.recent_versions(doc, limit, substantive)
        ]

    def version_by_row(self, row_id: int) -> Version | None:
        """The version stored in row ``row_id`` of the ``versions`` table (the web links rows)."""
        return self.store.version_by_id(row_id)

    def renames(self, doc: str) -> list[dict]:
        """The renames of a document, oldest first: ``{"version", "from", "to", "renamed_at"}``."""
        return [rename.as_dict() for rename in self.store.renames(self.document(doc).id)]


def previous_version(versions: list[Version], new: Version) -> Version | None:
    """The version a version is compared with by default: the one before it, skipping back past
    a deletion to the text before it (a deletion itself is compared with the version before)."""
    earlier = versions[: versions.index(new)]
    if new.deleted:
        return earlier[-1] if earlier else None
    texts = [v for v in earlier if not v.deleted]
    return texts[-1] if texts else None
