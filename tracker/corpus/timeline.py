"""The timeline: every recorded change across all documents, newest first."""

from __future__ import annotations

from dataclasses import dataclass

from ..history import History
from ..models import Version
from ..refs import name_matches
from ..times import parse_bound


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
    substantive: bool = False,
) -> list[Event]:
    """Every recorded change (versions and renames), newest first, within a window and a glob."""
    low = parse_bound(since, end_of_day=False)
    high = parse_bound(until, end_of_day=True)
    events = [
        Event(v.captured_at, v.doc, version=v)
        for v in history.store.all_versions(low, high)
        if name_matches(v.doc, doc) and not (substantive and v.substantive == 0 and not v.deleted)
    ]
    rows = history.store.renames_between(low, high)
    events += [Event(at, new, renamed_from=old) for at, new, old in rows if name_matches(new, doc)]
    events.sort(key=lambda e: (e.at, e.version is not None), reverse=True)
    return events[:limit] if limit else events
