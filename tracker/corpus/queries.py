"""Questions about the whole corpus: its timeline, full-text search, stats and shared paragraphs.

Everything here reads the database only, through the Tracker and read-only SQL. Writing versions
out is in ``checkout``; checking the database is in ``fsck``.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from ..api import Tracker
from ..errors import TrackerError
from ..models import Version
from ..times import parse_bound

#: Paragraphs shorter than this are ignored when looking for text shared between documents.
MIN_SHARED_CHARS = 40


# -- times and globs ---------------------------------------------------------------------------


def _matches(name: str, pattern: str | None) -> bool:
    """Whether a document's full name, or its file name alone, matches an fnmatch pattern."""
    if pattern is None:
        return True
    return fnmatch.fnmatchcase(name, pattern) or fnmatch.fnmatchcase(
        posixpath.basename(name), pattern
    )


# -- timeline ----------------------------------------------------------------------------------


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
    tracker: Tracker,
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
        for v in tracker.store.all_versions(low, high)
        if _matches(v.doc, doc)
    ]
    rows = tracker.store.conn.execute(
        "select r.renamed_at, r.to_name, r.from_name from renames r"
        " where (? is null or r.renamed_at >= ?) and (? is null or r.renamed_at <= ?)",
        [low, low, high, high],
    ).fetchall()
    events += [Event(at, new, renamed_from=old) for at, new, old in rows if _matches(new, doc)]
    events.sort(key=lambda e: (e.at, e.version is not None), reverse=True)
    return events[:limit] if limit else events


# -- search ------------------------------------------------------------------------------------

_PHRASE = re.compile(r'"([^"]*)"?|(\S+)')


def fts_query(query: str) -> str:
    """Quote a user query for FTS5: every word or "phrase" literal; a trailing ``*`` is a prefix."""
    terms = []
    for phrase, word in _PHRASE.findall(query):
        text = phrase if phrase else word
        prefix = text.endswith("*") and not phrase
        text = text.rstrip("*") if prefix else text
        if not re.search(r"\w", text):
            continue
        terms.append('"' + text.replace('"', '""') + '"' + ("*" if prefix else ""))
    if not terms:
        raise TrackerError(f"nothing to search for in {query!r}")
    return " ".join(terms)


#: An FTS5 query that is valid and matches nothing (an empty phrase).
MATCH_NOTHING = '""'


def sql_fts_query(query: object) -> str:
    """:func:`fts_query` as an SQL function: any value in, a valid FTS5 query out.

    Text with nothing to search for (empty, only quotes or operators) gives :data:`MATCH_NOTHING`
    instead of an error, so a query like ``match tracker_fts_query(:q)`` never fails on user input.
    """
    if query is None:
        return MATCH_NOTHING
    try:
        return fts_query(query if isinstance(query, str) else str(query))
    except TrackerError:
        return MATCH_NOTHING


def _latest_versions(tracker: Tracker) -> list[Version]:
    """The latest version of every document that is not deleted."""
    latest: dict[int, Version] = {}
    for version in tracker.store.all_versions():
        known = latest.get(version.document_id)
        if known is None or version.version > known.version:
            latest[version.document_id] = version
    return [v for v in latest.values() if not v.deleted]


def _hits(tracker: Tracker, query: str, marks: tuple[str, str]) -> dict[int, tuple[str, str]]:
    """Paragraph ids matching the query, with their text and a snippet marking the match."""
    try:
        rows = tracker.store.conn.execute(
            "select f.rowid, p.text, snippet(paragraphs_fts, 0, ?, ?, '…', 24)"
            " from paragraphs_fts f join paragraphs p on p.id = f.rowid"
            " where paragraphs_fts match ?",
            [marks[0], marks[1], fts_query(query)],
        ).fetchall()
    except sqlite3.OperationalError as error:
        raise TrackerError(f"cannot search for {query!r}: {error}") from None
    return {pid: (text, re.sub(r"\r?\n", " ", snip)) for pid, text, snip in rows}


def _ranges(numbers: Sequence[int]) -> str:
    """``[2, 3, 4, 5, 7]`` as ``v2-v5, v7``."""
    spans: list[list[int]] = []
    for number in numbers:
        if spans and number == spans[-1][1] + 1:
            spans[-1][1] = number
        else:
            spans.append([number, number])
    return ", ".join(f"v{a}" if a == b else f"v{a}-v{b}" for a, b in spans)


def search(
    tracker: Tracker,
    query: str,
    *,
    all_versions: bool = False,
    doc: str | None = None,
    marks: tuple[str, str] = ("**", "**"),
) -> list[dict]:
    """Full-text search over paragraphs of the latest versions, or over every version."""
    hits = _hits(tracker, query, marks)
    if not hits:
        return []
    if not all_versions:
        found = []
        for version in sorted(_latest_versions(tracker), key=lambda v: v.doc):
            if not _matches(version.doc, doc):
                continue
            for index, pid in enumerate(version.paragraph_ids, start=1):
                if pid in hits:
                    found.append(
                        {
                            "doc": version.doc,
                            "version": version.version,
                            "captured_at": version.captured_at,
                            "paragraph": index,
                            "snippet": hits[pid][1],
                        }
                    )
        return found
    by_doc: dict[int, list[Version]] = defaultdict(list)
    for version in tracker.store.all_versions():
        if _matches(version.doc, doc):
            by_doc[version.document_id].append(version)
    found = []
    for versions in by_doc.values():
        versions.sort(key=lambda v: v.version)
        holding: dict[int, list[Version]] = defaultdict(list)
        for version in versions:
            for pid in set(version.paragraph_ids) & hits.keys():
                holding[pid].append(version)
        for pid, containing in holding.items():
            last = containing[-1]
            after = [v for v in versions if v.version > last.version]
            found.append(
                {
                    "doc": versions[-1].doc,
                    "versions": [v.version for v in containing],
                    "ranges": _ranges([v.version for v in containing]),
                    "first": {"version": containing[0].version, "at": containing[0].captured_at},
                    "removed": (
                        {"version": after[0].version, "at": after[0].captured_at} if after else None
                    ),
                    "snippet": hits[pid][1],
                    "text": hits[pid][0],
                }
            )
    found.sort(key=lambda hit: (hit["doc"], hit["versions"][0]))
    return found


# -- stats -------------------------------------------------------------------------------------


def _changed(version: Version) -> int:
    return sum(getattr(version, key) or 0 for key in ("added", "removed", "modified", "moved"))


def _edit_chains(tracker: Tracker, versions: dict[int, list[Version]]) -> list[dict]:
    """Paragraphs followed through their edits, with how many times each was edited.

    Uses the diff engine's stored pairs (``paragraph_changes``: modify and edited move) when the
    database has them; otherwise pairs replaced paragraphs by position from the paragraph ids.
    """
    pairs: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    stored = "paragraph_changes" in tracker.store.db.table_names()
    if stored:
        rows = tracker.store.conn.execute(
            "select v.document_id, v.version, c.old_paragraph_id, c.new_paragraph_id"
            " from paragraph_changes c join versions v on v.id = c.version_id"
            " where c.op = 'modify' or (c.op = 'move' and c.old_paragraph_id != c.new_paragraph_id)"
        )
        for document_id, number, old, new in rows:
            pairs[(document_id, number)].append((old, new))
    chains = []
    for document_id, history in versions.items():
        lineage: dict[int, dict] = {}
        previous: list[int] | None = None
        for version in history:
            if version.deleted:
                continue
            edits = pairs.get((document_id, version.version), [])
            if not stored and previous is not None:
                edits = _positional_pairs(previous, version.paragraph_ids)
            for old, new in edits:
                chain = lineage.pop(old, None) or {"edits": 0, "first": version.version}
                chain.update(edits=chain["edits"] + 1, last=version.version, pid=new)
                lineage[new] = chain
            for pid in version.paragraph_ids:
                lineage.setdefault(pid, {"edits": 0, "first": version.version, "pid": pid})
            previous = version.paragraph_ids
        for chain in lineage.values():
            if chain["edits"]:
                chains.append({"doc": history[-1].doc, **chain})
    return chains


def _positional_pairs(old: list[int], new: list[int]) -> list[tuple[int, int]]:
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    pairs = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "replace":
            pairs.extend(zip(old[i1:i2], new[j1:j2]))
    return pairs


def stats(
    tracker: Tracker,
    doc: str | None = None,
    *,
    top: int = 10,
    min_chars: int = MIN_SHARED_CHARS,
) -> dict:
    """Versions, churn per month, most-edited paragraphs, largest edits and shared paragraphs."""
    only = tracker.document(doc).id if doc else None
    every = tracker.store.all_versions()
    chosen = [v for v in every if only is None or v.document_id == only]
    history: dict[int, list[Version]] = defaultdict(list)
    for version in sorted(chosen, key=lambda v: (v.document_id, v.version)):
        history[version.document_id].append(version)
    churn: dict[str, Counter] = defaultdict(Counter)
    for version in chosen:
        month = churn[version.captured_at[:7]]
        month["versions"] += 1
        month["changed"] += _changed(version)
        for key in ("added", "removed", "modified", "moved"):
            month[key] += getattr(version, key) or 0
    deleted = {(v.document_id, v.version) for v in chosen if v.deleted}
    edits = [  # neither first versions nor re-additions after a deletion are edits
        v
        for v in chosen
        if not v.deleted
        and v.version > 1
        and _changed(v)
        and (v.document_id, v.version - 1) not in deleted
    ]
    edits.sort(key=lambda v: (-_changed(v), v.captured_at))
    chains = sorted(_edit_chains(tracker, history), key=lambda c: (-c["edits"], c["doc"]))[:top]
    texts = dict(
        zip(
            [c["pid"] for c in chains],
            tracker.store.paragraph_texts([c["pid"] for c in chains]),
        )
    )
    return {
        "documents": len(history),
        "versions": len(chosen),
        "deletions": len(deleted),
        "first": min((v.captured_at for v in chosen), default=None),
        "last": max((v.captured_at for v in chosen), default=None),
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
            for v in edits[:top]
        ],
        "shared": shared_paragraphs(tracker, only=only, top=top, min_chars=min_chars),
    }


def shared_paragraphs(
    tracker: Tracker,
    *,
    only: int | None = None,
    top: int = 10,
    min_chars: int = MIN_SHARED_CHARS,
) -> list[dict]:
    """Paragraphs present in the latest versions of several documents (boilerplate, copies)."""
    holders: dict[int, set[str]] = defaultdict(set)
    mine: set[int] | None = None
    for version in _latest_versions(tracker):
        for pid in set(version.paragraph_ids):
            holders[pid].add(version.doc)
        if version.document_id == only:
            mine = set(version.paragraph_ids)
    if only is not None:
        holders = {pid: docs for pid, docs in holders.items() if pid in (mine or set())}
    shared = [pid for pid, docs in holders.items() if len(docs) >= 2]
    texts = dict(zip(shared, tracker.store.paragraph_texts(shared)))
    rows = [
        {"documents": sorted(holders[pid]), "count": len(holders[pid]), "text": texts[pid]}
        for pid in shared
        if len(texts[pid].strip()) >= min_chars
    ]
    rows.sort(key=lambda row: (-row["count"], -len(row["text"]), row["text"]))
    return rows[:top] if top else rows
