"""Corpus statistics: versions, churn per month, most-edited paragraphs, largest edits, and text
shared between documents.

The versions are read in one pass, document by document, so memory holds one document's history
at a time; `stats DOC` reads only that document's versions. Shared paragraphs come from the
paragraphs the latest versions hold (``paragraph_spans``).
"""

from __future__ import annotations

import heapq
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..history import History
from ..times import parse_window

if TYPE_CHECKING:
    from ..models import Version

#: Paragraphs shorter than this are ignored when looking for text shared between documents.
MIN_SHARED_CHARS = 40
CHANGE_KEYS = ("added", "removed", "modified", "moved")


def _changed(version: Version) -> int:
    return sum(getattr(version, key) or 0 for key in CHANGE_KEYS)


def _edit_chains(
    versions: list[Version], pairs: dict[int, list[tuple[int, int]]]
) -> Iterator[dict]:
    """One document's paragraphs followed through their edits (its stored rewrite pairs, by
    version number), with edit counts: the chains with at least one edit."""
    lineage: dict[int, dict] = {}
    for version in versions:
        if version.deleted:
            continue
        for old, new in pairs.get(version.version, []):
            chain = lineage.pop(old, None) or {"edits": 0, "first": version.version}
            chain.update(edits=chain["edits"] + 1, last=version.version, pid=new)
            lineage[new] = chain
        for pid in version.paragraph_ids:
            if pid not in lineage:  # not setdefault: that would build a dict for every one
                lineage[pid] = {"edits": 0, "first": version.version, "pid": pid}
    for chain in lineage.values():
        if chain["edits"]:
            yield {"doc": versions[-1].doc, **chain}


def _documents(
    history: History, only: int | None, since: str | None = None, until: str | None = None
) -> Iterator[tuple[list[tuple[int, Version]], dict[int, list[tuple[int, int]]]]]:
    """Each document's (row id, version) pairs in version order, and its rewrite pairs by
    version number: one document at a time, in document id order; only the versions recorded
    from ``since`` to ``until`` (stored times; None: open)."""
    store = history.store
    rewrites = itertools.groupby(store.edit_pairs(only, (since, until)), key=lambda row: row[0])
    pending = next(rewrites, None)
    for document_id, rows in itertools.groupby(
        store.versions_by_document(only, since, until), key=lambda row: row[1].document_id
    ):
        pairs: dict[int, list[tuple[int, int]]] = defaultdict(list)
        while pending is not None and pending[0] < document_id:
            pending = next(rewrites, None)
        if pending is not None and pending[0] == document_id:
            for _, number, old, new in pending[1]:
                pairs[number].append((old, new))
            pending = next(rewrites, None)
        yield list(rows), pairs


def stats(
    history: History,
    doc: str | None = None,
    *,
    top: int = 10,
    min_chars: int = MIN_SHARED_CHARS,
    since: str | None = None,
    until: str | None = None,
) -> dict:
    """Versions, churn per month, most-edited paragraphs, largest edits and shared paragraphs.

    ``since``/``until`` (dates or date-times, as ``log`` reads them): all but the shared
    paragraphs (those of the latest versions) count only the versions recorded in that range.
    """
    low, high = parse_window(since, until)
    only = history.document(doc).id if doc else None
    churn: dict[str, Counter] = defaultdict(Counter)
    documents = versions = deletions = 0
    first: str | None = None
    last: str | None = None
    edits: list[tuple[int, str, int, Version]] = []  # (-changed, time, row id): the largest
    chains: list[dict] = []  # the most edited
    for rows, pairs in _documents(history, only, low, high):
        documents += 1
        deletions += sum(1 for _, version in rows if version.deleted)
        candidates = []
        for row_id, version in rows:
            versions += 1
            at = version.captured_at
            first = at if first is None or at < first else first
            last = at if last is None or at > last else last
            changed = _changed(version)
            month = churn[at[:7]]
            month["versions"] += 1
            month["changed"] += changed
            for key in CHANGE_KEYS:
                month[key] += getattr(version, key) or 0
            # neither first versions nor re-additions after a deletion are edits (the version
            # before may be outside the range: came_back is read from the database)
            if not version.deleted and version.version > 1 and changed and not version.came_back:
                candidates.append((-changed, at, row_id, version))
        edits = heapq.nsmallest(top, [*edits, *candidates], key=_edit_key)
        found = _edit_chains([version for _, version in rows], pairs)
        chains = heapq.nsmallest(top, [*chains, *found], key=lambda c: (-c["edits"], c["doc"]))
    texts = dict(
        zip(
            [c["pid"] for c in chains],
            history.store.paragraph_texts([c["pid"] for c in chains]),
        )
    )
    return {
        "documents": documents,
        "versions": versions,
        "deletions": deletions,
        "first": first,
        "last": last,
        "churn": [{"month": month, **churn[month]} for month in sorted(churn)],
        "most_edited": [
            {
                "doc": c["doc"],
                "edits": c["edits"],
                "versions": f"v{c['first']}-v{c['last']}",
                "text": texts[c["pid"]],
            }
            for c in chains
        ],
        "largest_edits": [
            {
                "doc": v.doc,
                "version": v.version,
                "captured_at": v.captured_at,
                "changed": _changed(v),
                "added": v.added or 0,
                "removed": v.removed or 0,
                "modified": v.modified or 0,
                "moved": v.moved or 0,
                "note": v.note,
            }
            for *_, v in edits
        ],
        "shared": shared_paragraphs(history, only=only, top=top, min_chars=min_chars),
    }


def _edit_key(edit: tuple[int, str, int, Version]) -> tuple[int, str, int]:
    """Largest first; then oldest first, in the order recorded."""
    return edit[:3]


def shared_paragraphs(
    history: History,
    *,
    only: int | None = None,
    top: int = 10,
    min_chars: int = MIN_SHARED_CHARS,
) -> list[dict]:
    """Paragraphs present in the latest versions of several documents (boilerplate, copies)."""
    store = history.store
    if only is None:
        holders = store.shared_paragraph_holders()
    else:
        latest = store.latest(only)
        mine = [] if latest is None or latest.deleted else sorted(set(latest.paragraph_ids))
        holders = store.paragraph_holders(mine)
    shared = [pid for pid, docs in holders.items() if len(docs) >= 2]
    texts = dict(zip(shared, store.paragraph_texts(shared)))
    rows = [
        {"documents": sorted(holders[pid]), "count": len(holders[pid]), "text": texts[pid]}
        for pid in shared
        if len(texts[pid].strip()) >= min_chars
    ]
    rows.sort(key=lambda row: (-row["count"], -len(row["text"]), row["text"]))
    return rows[:top] if top else rows
