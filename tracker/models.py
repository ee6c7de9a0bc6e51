"""What the store hands out: documents and versions as plain records, and times in ISO 8601 UTC."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Document:
    """A tracked document, named by its path relative to the folder it was snapshotted from."""

    id: int
    name: str
    split_mode: str
    root: str | None
    created_at: str
    versions: int = 0
    latest_version: int | None = None
    last_change: str | None = None
    deleted: bool = False
    latest_sha256: str | None = None
    file_size: int | None = None
    file_mtime_ns: int | None = None
    file_checked_ns: int | None = None

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "versions": self.versions,
            "latest_version": self.latest_version,
            "last_change": self.last_change,
            "state": "deleted" if self.deleted else "present",
            "deleted": self.deleted,
            "split_mode": self.split_mode,
            "created_at": self.created_at,
        }


@dataclass(frozen=True)
class Version:
    """One recorded version of a document (a deletion is a version with ``deleted`` set)."""

    doc: str
    document_id: int
    version: int
    captured_at: str
    sha256: str | None
    bytes: int
    paragraphs: int
    deleted: bool
    added: int | None = None
    removed: int | None = None
    modified: int | None = None
    moved: int | None = None
    note: str | None = None
    path: str | None = None
    paragraph_ids: list[int] = field(default_factory=list, repr=False, compare=False)
    layout: str = field(default="{}", repr=False, compare=False)

    def as_dict(self) -> dict:
        return {
            "doc": self.doc,
            "version": self.version,
            "captured_at": self.captured_at,
            "sha256": self.sha256,
            "bytes": self.bytes,
            "paragraphs": self.paragraphs,
            "deleted": self.deleted,
            "added": self.added,
            "removed": self.removed,
            "modified": self.modified,
            "moved": self.moved,
            "path": self.path,
            "note": self.note,
        }
