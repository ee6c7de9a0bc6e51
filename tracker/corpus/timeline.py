"""The timeline: every recorded change across all documents, newest first."""

from __future__ import annotations

import fnmatch
import posixpath
from dataclasses import dataclass

from ..history import History
from ..models import Version
from ..times import parse_bound


def name_matches(name: str, pattern: str | None) -> bool:
    """Whether a document's full name, or its file name alone, matches an fnmatch pattern."""
    if pattern is None:
        return True
    return fnmatch.fnmatchcase(name, pattern) or fnmatch.fnmatchcase(
        posixpath.basename(name), pattern
    )


@dataclass(frozen=True)
class Event:
    """One line of the timeline: a recorded version, or a rename (``version`` None)."""

    at: str
    doc: str
    version: Version | None = None
    renamed_from: str | None = None

    def as_dict(self) -> dict:
        if self.version is None:
            return {"kind": "rename", "at": self.at, "doc": self.doc, "from": self.renamed_from}
        return {"kind": "version", **self.version.as_dict()}


def timeline(
    history: History,
    *,
    since: str | None = None,
    until: str | None = None,
    doc: str | None = None,
    limit: int | None = None,
) -> list[Event]:
    """Every recorded change (versions and renames), newest first, within a window and a glob."""
    low = parse_bound(since, end_of_day=False)
    high = parse_bound(until, end_of_day=True)
    events = [
        Event(v.captured_at, v.doc, version=v)
        for v in history.store.all_versions(low, high)
        if name_matches(v.doc, doc)
    ]
    rows = history.store.renames_between(low, high)
    events += [Event(at, new, renamed_from=old) for at, new, old in rows if name_matches(new, doc)]
    events.sort(key=lambda e: (e.at, e.version is not None), reverse=True)
    return events[:limit] if limit else events
