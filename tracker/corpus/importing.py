"""What every import shares: :class:`ImportResult`, the progress callback, and the targets an
import applies its records to (the database, or the planner of a parallel import)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Protocol

from ..history import History
from ..history.prepare import Prepared
from ..models import Version
from ..text.encoding import sha256_text

if TYPE_CHECKING:
    from .lanes import Hint

#: ``progress(done, total)``: called as an import advances (records or commits).
Progress = Callable[[int, int], None]


@dataclass
class ImportResult:
    """What an import did: versions recorded, records that changed nothing, renames, skips."""

    recorded: int = 0
    unchanged: int = 0
    renamed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    commits: int | None = None
    #: import-git: why nothing was imported when no file on the branch matched the globs.
    nothing_matched: str | None = None
    #: In a parallel import, the versions the writer prepared itself because no worker's result
    #: fitted (0 whenever the plan foresaw every decision); None in a serial one. Not in JSON.
    writer_prepared: int | None = None

    def as_dict(self) -> dict:
        data = {
            "recorded": self.recorded,
            "unchanged": self.unchanged,
            "renamed": [{"from": old, "to": new} for old, new in self.renamed],
            "skipped": [{"path": path, "reason": reason} for path, reason in self.skipped],
        }
        if self.commits is not None:
            data["commits"] = self.commits
        if self.nothing_matched is not None:
            data["nothing_matched"] = self.nothing_matched
        return data


class Recorded(Protocol):
    """What an import target returns for a recorded version: its checksum (None: a deletion)."""

    sha256: str | None


class Target(Protocol):
    """What an import applies its records to: the database, or a bulk import's planner.

    The importers walk their input once against each: the planner (:mod:`.lanes`) learns from
    the same walk which document every text belongs to, without reading or writing the database
    beyond what it held before the import.
    """

    def tracked(self, name: str) -> bool:
        """Whether a document (present or deleted) has this name."""
        ...

    def live(self, name: str) -> bool:
        """Whether a present (not deleted) document has this name."""
        ...

    def has_rename(self, old: str, new: str, at: str) -> bool:
        """Whether this rename was recorded before."""
        ...

    def rename(self, old: str, new: str, at: str) -> None:
        """Rename a tracked document, keeping its history."""
        ...

    def checksum(self, key: object, text: str) -> str:
        """The sha256 of the text of input position ``key``."""
        ...

    def record(
        self, name: str, text: str | None, at: str, *, note: str | None, split: str, key: object
    ) -> Recorded | None:
        """Record a version (None: a deletion) from input position ``key``; None if unchanged."""
        ...


class HistoryTarget:
    """The database as an import target. In a parallel import, ``hints`` holds the workers'
    results by input position (None in a serial one: every version is prepared here)."""

    def __init__(self, history: History):
        self.history = history
        self.store = history.store
        self.hints: dict[object, Hint] | None = None
        #: Texts the writer prepared itself in a parallel import, because no worker's result
        #: matched what the database held then; 0 whenever the planner foresaw every decision.
        self.prepared_here = 0

    def tracked(self, name: str) -> bool:
        return self.store.document(name) is not None

    def live(self, name: str) -> bool:
        document = self.store.document(name)
        return document is not None and not document.deleted

    def has_rename(self, old: str, new: str, at: str) -> bool:
        return self.store.has_rename(old, new, at)

    def rename(self, old: str, new: str, at: str) -> None:
        self.history.rename(old, new, at)

    def checksum(self, key: object, text: str) -> str:
        hint = self.hints.get(key) if self.hints is not None else None
        return hint.sha256 if hint is not None else sha256_text(text)

    def record(
        self, name: str, text: str | None, at: str, *, note: str | None, split: str, key: object
    ) -> Version | None:
        if self.hints is None or text is None:
            return self.history.record(name, text, at, note=note, split=split)
        hint = self.hints.get(key)

        def ready(
            mode: str, previous: Version | None, paragraphs: list[str] | None
        ) -> Prepared | None:
            prepared = hint.ready(mode, previous, paragraphs) if hint is not None else None
            if prepared is None:
                self.prepared_here += 1
                return None
            patterns = self.history.patterns_for(name)
            return reclassified(prepared, patterns) if patterns else prepared

        sha256 = hint.sha256 if hint is not None else None
        return self.history.record(
            name, text, at, note=note, split=split, sha256=sha256, ready=ready
        )


def reclassified(prepared: Prepared, patterns: list) -> Prepared:
    """A version a worker prepared without the document's ignore patterns, classified with them
    (workers do not know document names; the patterns apply by name)."""
    from ..text.classes import SUBSTANTIVE, change_class

    changes = [change.classed(change_class(change, patterns)) for change in prepared.changes]
    counts = {**prepared.counts, "substantive": sum(c.kind == SUBSTANTIVE for c in changes)}
    return replace(prepared, changes=changes, counts=counts)
