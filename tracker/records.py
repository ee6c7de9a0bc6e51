"""What the store hands out: documents and versions as plain records, and times in ISO 8601 UTC."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from .errors import TrackerError


def now_iso() -> str:
    """The current time as ISO 8601 UTC, to the millisecond (``2026-11-24T18:02:11.123Z``)."""
    return to_iso(datetime.now(timezone.utc))


def to_iso(moment: datetime) -> str:
    """Format a datetime as ISO 8601 UTC; naive datetimes are taken to be UTC already."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    moment = moment.astimezone(timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_time(value: str) -> datetime:
    """Parse an ISO 8601 date or date-time (``Z`` or offset; naive means UTC)."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def normalize_time(value: str | datetime | None) -> str:
    """Turn a user-given time (or None for now) into the stored ISO 8601 UTC form."""
    if value is None:
        return now_iso()
    if isinstance(value, datetime):
        return to_iso(value)
    try:
        return to_iso(parse_time(value))
    except ValueError:
        raise TrackerError(f"not an ISO 8601 time: {value!r}") from None


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
