"""Full-text search over paragraphs: of the latest versions, or of every version ever recorded.

User text is quoted into a valid FTS5 query (:func:`fts_query`): words and "phrases" match
literally, ``word*`` is a prefix, and FTS operators are plain words.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

from ..errors import TrackerError
from ..history import History
from ..models import Version
from ..refs import name_matches
from ..text.snippets import MARKS, mark_snippet, snippet_parts

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


def latest_versions(history: History) -> list[Version]:
    """The latest version of every document that is not deleted."""
    latest: dict[int, Version] = {}
    for version in history.store.all_versions():
        known = latest.get(version.document_id)
        if known is None or version.version > known.version:
            latest[version.document_id] = version
    return [v for v in latest.values() if not v.deleted]


def _hits(history: History, query: str, marks: tuple[str, str]) -> dict[int, tuple[str, str]]:
    """Paragraph ids matching the query, with their text and a snippet marking the match (see
    :func:`~tracker.text.snippets.mark_snippet`: text never passes for a mark)."""
    rows = history.store.search_paragraphs(fts_query(query))
    return {
        pid: (text, mark_snippet([re.sub(r"\r?\n", " ", part) for part in parts], marks))
        for pid, text, parts in rows
    }


def sql_snippet(marked: object, other: object) -> object:
    """The web's snippet column as an SQL function: the same paragraph's ``snippet()`` with
    :data:`~tracker.text.snippets.MARKS` and with ``OTHER_MARKS`` in, the snippet out with STX
    and ETX around each hit and nowhere else (the text's own shown as U+2402, U+2403)."""
    if not isinstance(marked, str) or not isinstance(other, str):
        return marked
    return mark_snippet(snippet_parts(marked, other), MARKS)


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
    history: History,
    query: str,
    *,
    all_versions: bool = False,
    doc: str | None = None,
    marks: tuple[str, str] = ("**", "**"),
) -> list[dict]:
    """Full-text search over paragraphs of the latest versions, or over every version."""
    hits = _hits(history, query, marks)
    if not hits:
        return []
    if not all_versions:
        found = []
        for version in sorted(latest_versions(history), key=lambda v: v.doc):
            if not name_matches(version.doc, doc):
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
    for version in history.store.all_versions():
        if name_matches(version.doc, doc):
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
