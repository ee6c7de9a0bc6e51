"""The records the library hands out: documents, versions, renames, diffs and blame lines.

Plain frozen dataclasses with an ``as_dict()`` for JSON; times are ISO 8601 UTC strings
(:mod:`tracker.times`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the diff engine is imported by the code that diffs, not by every command
    from .text.diff import Change


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
    #: The lineage of each paragraph (runs of ids, see store.codec.encode_runs); None in a
    #: database not yet upgraded.
    lineages: str | None = field(default=None, repr=False, compare=False)
    #: How many of its changes are substantive (None where not classified).
    substantive: int | None = None
    #: The version whose row stores that lineage list (itself, or an earlier version with the
    #: same list: see store.codec.stored_lineages).
    lineages_from: int | None = field(default=None, repr=False, compare=False)
    #: A version that brought its document back after a deletion: the earlier version whose
    #: very text it has (``restored``, the latest such), or ``recreated`` when none had it. Both
    #: are read, not stored; its counts compare it with its last text before the deletion.
    restored: int | None = None
    recreated: bool = False

    @property
    def came_back(self) -> bool:
        """Whether this version brought its document back after a deletion."""
        return self.restored is not None or self.recreated

    @property
    def minor(self) -> bool:
        """Whether the version changed nothing substantive (not known: not minor); a deletion,
        and a version that brought its document back, never are."""
        return not self.deleted and not self.came_back and self.substantive == 0

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
            "substantive": self.substantive,
            "path": self.path,
            "note": self.note,
            "restored": self.restored,
            "recreated": self.recreated,
        }


@dataclass(frozen=True)
class VersionSummary:
    """A version's date and counts without its paragraphs (a page listing many versions): enough
    to list, chart and link it, not to rebuild its text."""

    doc: str
    version: int
    captured_at: str
    deleted: bool
    bytes: int
    paragraphs: int
    added: int | None = None
    removed: int | None = None
    modified: int | None = None
    moved: int | None = None
    substantive: int | None = None
    note: str | None = None
    #: As :attr:`Version.restored` and :attr:`Version.recreated`.
    restored: int | None = None
    recreated: bool = False

    @property
    def came_back(self) -> bool:
        """Whether this version brought its document back after a deletion."""
        return self.restored is not None or self.recreated

    @property
    def changed(self) -> int:
        """How many paragraphs this version changed (added, removed, modified or moved)."""
        return sum(n or 0 for n in (self.added, self.removed, self.modified, self.moved))

    @property
    def minor(self) -> bool:
        """True when the version is classified and none of its changes is substantive (never
        for a version that brought its document back)."""
        return self.substantive == 0 and self.changed > 0 and not self.came_back


@dataclass(frozen=True)
class DocumentActivity:
    """One document in a corpus overview: its versions, first and last change, its changes in a
    recent window, and how many versions fell in each bucket of a time axis."""

    name: str
    versions: int
    first_change: str | None
    last_change: str | None
    deleted: bool
    recent_changes: int
    recent_versions: int
    buckets: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Rename:
    """A document renamed after its version ``version`` was recorded, keeping its history."""

    version: int
    old: str
    new: str
    at: str

    def as_dict(self) -> dict:
        return {"version": self.version, "from": self.old, "to": self.new, "renamed_at": self.at}


def name_at(
    renames: Sequence[Rename], version: int, current: str, moment: str | None = None
) -> str:
    """A document's name when its version ``version`` was current (renames rewound).

    A rename made after that version was recorded had not happened yet: the name is its old one.
    With ``moment`` (a checkout at a time), a rename made right after the version but before that
    moment has happened. ``renames`` are the document's, oldest first; ``current`` its name now.
    """
    name = current
    for rename in reversed(renames):
        if rename.version > version or (
            rename.version == version and (moment is None or rename.at > moment)
        ):
            name = rename.old
    return name


@dataclass
class DiffResult:
    """Two versions of a document and the paragraph changes between them."""

    doc: str
    old: Version | None  # None: compared with nothing (the first version)
    new: Version
    changes: list[Change]
    old_text: str
    new_text: str
    #: How many changes an ``ignore`` turned into unchanged paragraphs.
    hidden: int = 0

    @property
    def layout_only(self) -> bool:
        """True when every paragraph is unchanged but the bytes differ (line endings, BOM...)."""
        return (
            self.old_text != self.new_text
            and not self.hidden
            and all(c.op == "equal" for c in self.changes)
        )


@dataclass(frozen=True)
class BlameLine:
    """A paragraph of a version, the version in which it took its present text (``origin``),
    and the version in which its lineage began under any wording (``first``)."""

    index: int
    text: str
    origin: Version
    first: Version | None = None
    lineage: int | None = None

    def as_dict(self) -> dict:
        """The JSON of ``blame --json``: ``paragraph`` is 1-based, the number ``trace`` takes."""
        first = self.first or self.origin
        return {
            "paragraph": self.index + 1,
            "version": self.origin.version,
            "captured_at": self.origin.captured_at,
            "note": self.origin.note,
            "text": self.text,
            "lineage": self.lineage,
            "first_version": first.version,
            "first_captured_at": first.captured_at,
        }


@dataclass(frozen=True)
class TraceEvent:
    """One moment in the life of a paragraph (its lineage): a version in which it changed.

    ``op`` is created, split (it began as a piece of another paragraph), restored (put back
    after a deletion), modified, moved, deleted or merged (into another paragraph). ``index`` is
    its 1-based position in that version (in the version before, when it was deleted or merged),
    ``old_index`` its position in the version before when it was modified or moved;
    ``split_from``, ``merged_from``, ``split_into`` and ``merged_into`` name the other
    paragraphs by their 1-based positions (in the version before, or in this one for
    ``merged_into`` and ``split_into``). ``inline`` is the word diff of an edit, and
    ``change_class`` the class of an edit or a move (``substantive``, ``whitespace``, ...: see
    :mod:`tracker.text.classes`; None where it was not classified).
    ``document_back_after`` are the versions after this event, up to the next one (after the
    last: up to the latest version while the paragraph lives), that brought the whole document
    back after its deletion: without them a paragraph would seem to live on through it.
    """

    version: int
    captured_at: str
    op: str
    index: int
    text: str
    inline: list[tuple[str, str]] | None = None
    split_from: int | None = None
    merged_from: list[int] = field(default_factory=list)
    split_into: list[int] = field(default_factory=list)
    merged_into: int | None = None
    old_index: int | None = None
    document_back_after: list[Version] = field(default_factory=list)
    change_class: str | None = None

    def as_dict(self) -> dict:
        return {
            "version": self.version,
            "captured_at": self.captured_at,
            "op": self.op,
            "index": self.index,
            "old_index": self.old_index,
            "text": self.text,
            "inline": [list(part) for part in self.inline] if self.inline is not None else None,
            "split_from": self.split_from,
            "merged_from": self.merged_from,
            "split_into": self.split_into,
            "merged_into": self.merged_into,
            "class": self.change_class,
            "document_back_after": [
                {
                    "version": back.version,
                    "captured_at": back.captured_at,
                    "restored": back.restored,
                    "recreated": back.recreated,
                }
                for back in self.document_back_after
            ],
        }


@dataclass
class WordBlame:
    """A version with every token of every paragraph attributed to the version that introduced
    it: ``paragraphs[i]`` is a list of (token text, version) that joins into paragraph i."""

    doc: str
    version: Version
    paragraphs: list[list[tuple[str, int]]]
    versions: list[Version] = field(default_factory=list, repr=False)

    def as_dict(self) -> dict:
        return {
            "doc": self.doc,
            "version": self.version.version,
            "paragraphs": [
                {"index": index, "tokens": [[text, number] for text, number in tokens]}
                for index, tokens in enumerate(self.paragraphs)
            ],
        }
