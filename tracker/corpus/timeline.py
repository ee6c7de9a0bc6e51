"""The timeline: every recorded change across all documents, newest first."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from ..history import History
from ..models import Version
from ..refs import name_matches
from ..times import parse_bound


def matching_documents(history: History, pattern: str | None) -> list[int] | None:
    """The ids of the documents whose name matches a pattern (None: no pattern, all of them)."""
    named = matching_names(history, pattern)
    return None if named is None else sorted(named)


def matching_names(history: History, pattern: str | None) -> dict[int, str] | None:
    """The names of the documents whose name matches a pattern, by id (None: no pattern, all
    of them): for a caller that needs the names too, in the same one read."""
    if pattern is None:
        return None
    names = history.store.names_by_id()
    return {id_: name for id_, name in names.items() if name_matches(name, pattern)}


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


def _newest_first(versions: Iterable[Event], renames: Iterable[Event]) -> Iterator[Event]:
    """Merge two newest-first event streams; at equal times, versions before renames."""
    versions, renames = iter(versions), iter(renames)
    version, rename = next(versions, None), next(renames, None)
    while version is not None or rename is not None:
        if rename is None or (version is not None and version.at >= rename.at):
            yield version
            version = next(versions, None)
        else:
            yield rename
            rename = next(renames, None)


def iter_timeline(
    history: History,
    *,
    since: str | None = None,
    until: str | None = None,
    doc: str | None = None,
    limit: int | None = None,
    substantive: bool = False,
) -> Iterator[Event]:
    """Every recorded change (versions and renames), newest first, within a window and a glob,
    read as it is iterated (memory stays flat however many there are).

    At equal times, versions come before renames, each in the order recorded. With ``limit``,
    only the newest that many versions and renames are read. With ``substantive``, versions
    whose every change is minor are left out (deletions, and versions that brought their
    document back, are never minor).
    """
    low = parse_bound(since, end_of_day=False)
    high = parse_bound(until, end_of_day=True)
    store = history.store
    limit = limit or None
    versions = (
        Event(v.captured_at, v.doc, version=v)
        for v in store.versions_newest_first(
            low, high, matching_documents(history, doc), limit, substantive=substantive
        )
    )
    renames = (
        Event(at, new, renamed_from=old)
        for at, new, old in store.renames_newest_first(low, high)
        if name_matches(new, doc)
    )
    return islice(_newest_first(versions, renames), limit)


def timeline(
    history: History,
    *,
    since: str | None = None,
    until: str | None = None,
    doc: str | None = None,
    limit: int | None = None,
    substantive: bool = False,
) -> list[Event]:
    """Every recorded change (versions and renames), newest first: :func:`iter_timeline`, as
    a list."""
    return list(
        iter_timeline(
            history, since=since, until=until, doc=doc, limit=limit, substantive=substantive
        )
    )
