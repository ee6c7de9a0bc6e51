"""Full-text search over paragraphs: of the latest versions, or of every version ever recorded.

User text is quoted into a valid FTS5 query (:func:`fts_query`): words and "phrases" match
literally, ``word*`` is a prefix, and FTS operators are plain words.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import TrackerError
from ..history import History
from ..models import Version
from .timeline import name_matches

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


def _clean(snippet: str) -> str:
    """A snippet on one line."""
    return re.sub(r"\r?\n", " ", snippet)


def _ranges(numbers: Sequence[int]) -> str:
    """``[2, 3, 4, 5, 7]`` as ``v2-v5, v7``."""
    spans: list[list[int]] = []
    for number in numbers:
        if spans and number == spans[-1][1] + 1:
            spans[-1][1] = number
        else:
            spans.append([number, number])
    return ", ".join(f"v{a}" if a == b else f"v{a}-v{b}" for a, b in spans)


@dataclass(frozen=True)
class SearchResult:
    """One page of search hits (the first ``limit``), and how many there are in all."""

    hits: list[dict]
    total: int


def search_page(
    history: History,
    query: str,
    *,
    all_versions: bool = False,
    doc: str | None = None,
    marks: tuple[str, str] = ("**", "**"),
    limit: int | None = None,
) -> SearchResult:
    """Full-text search over paragraphs of the latest versions, or over every version: the
    first ``limit`` hits (None or 0: all) and their total.

    Latest versions: one hit per paragraph of a latest version that matches, by document name
    and paragraph position. Every version: one hit per matching paragraph and document, with the
    versions that held it, by document name, then first version, then position in it. Either
    way only the versions holding a match are read, and only the page's texts and snippets.
    """
    fts = fts_query(query)
    if all_versions:
        return _every_version(history, fts, doc, marks, limit or None)
    return _latest(history, fts, doc, marks, limit or None)


def search(
    history: History,
    query: str,
    *,
    all_versions: bool = False,
    doc: str | None = None,
    marks: tuple[str, str] = ("**", "**"),
) -> list[dict]:
    """Full-text search over paragraphs of the latest versions, or over every version: every
    hit (see :func:`search_page`)."""
    return search_page(history, query, all_versions=all_versions, doc=doc, marks=marks).hits


def _latest(
    history: History, fts: str, doc: str | None, marks: tuple[str, str], limit: int | None
) -> SearchResult:
    """Hits in the latest versions of the documents (see :func:`search_page`)."""
    store = history.store
    wanted: dict[int, set[int]] = defaultdict(set)
    names: dict[int, str] = {}
    for document_id, name, pid in store.latest_matches(fts):
        if name_matches(name, doc):
            wanted[document_id].add(pid)
            names[document_id] = name
    latest = store.latest_of(list(wanted))
    found: list[tuple[Version, int, int]] = []
    for document_id in sorted(wanted, key=names.__getitem__):
        version = latest[document_id]
        pids = wanted[document_id]
        found += [
            (version, index, pid)
            for index, pid in enumerate(version.paragraph_ids, start=1)
            if pid in pids
        ]
    page = found[:limit] if limit else found
    texts = store.snippets(fts, marks, sorted({pid for _, _, pid in page}))
    hits = [
        {
            "doc": version.doc,
            "version": version.version,
            "captured_at": version.captured_at,
            "paragraph": index,
            "snippet": _clean(texts[pid][1]),
        }
        for version, index, pid in page
    ]
    return SearchResult(hits, len(found))


def _every_version(
    history: History, fts: str, doc: str | None, marks: tuple[str, str], limit: int | None
) -> SearchResult:
    """Hits in every version of the documents (see :func:`search_page`)."""
    store = history.store
    runs: dict[tuple[int, int], list[tuple[int, int | None]]] = defaultdict(list)
    names: dict[int, str] = {}
    for document_id, name, pid, first, until in store.span_matches(fts):
        if name_matches(name, doc):
            runs[(document_id, pid)].append((first, until))
            names[document_id] = name
    for spans in runs.values():
        spans.sort()
    # by document name and first version; the position in that version decides among equals,
    # looked up for the page only (and for the hits tied with its last one)
    keys = sorted(runs, key=lambda key: (names[key[0]], runs[key][0][0]))
    if limit and len(keys) > limit:
        last = keys[limit - 1]
        cut = (names[last[0]], runs[last][0][0])
        page = [key for key in keys if (names[key[0]], runs[key][0][0]) <= cut]
    else:
        page = keys
    firsts = store.versions_at(
        [(document_id, runs[document_id, pid][0][0]) for document_id, pid in page]
    )

    def order(key: tuple[int, int]) -> tuple[str, int, int]:
        first = runs[key][0][0]
        ids = firsts[key[0], first].paragraph_ids
        return names[key[0]], first, ids.index(key[1]) if key[1] in ids else len(ids)

    page = sorted(page, key=order)[:limit]
    ends = [(key[0], runs[key][-1][1]) for key in page]
    removed = store.versions_at([(document_id, until) for document_id, until in ends if until])
    latest = store.latest_numbers(sorted({document_id for document_id, until in ends if not until}))
    texts = store.snippets(fts, marks, sorted({pid for _, pid in page}))
    hits = []
    for (document_id, pid), (_, until) in zip(page, ends):
        spans = runs[document_id, pid]
        numbers = [
            number
            for first, end in spans
            for number in range(first, end if end is not None else latest[document_id] + 1)
        ]
        first = firsts[document_id, spans[0][0]]
        gone = removed[document_id, until] if until is not None else None
        hits.append(
            {
                "doc": names[document_id],
                "versions": numbers,
                "ranges": _ranges(numbers),
                "first": {"version": first.version, "at": first.captured_at},
                "removed": {"version": gone.version, "at": gone.captured_at} if gone else None,
                "snippet": _clean(texts[pid][1]),
                "text": texts[pid][0],
            }
        )
    return SearchResult(hits, len(keys))
