"""Full-text search over paragraphs: of the latest versions, or of every version ever recorded.

User text is read as :mod:`.query` says (:func:`~.query.fts_query`): words and "phrases" match
literally, ``word*`` is a prefix, and FTS operators are plain words.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..errors import TrackerError
from ..history import History
from ..models import Version
from ..store.corpus import has_prefix
from ..store.window import Window
from ..times import parse_window
from .query import fts_query, one_line_snippet
from .timeline import matching_names

if TYPE_CHECKING:
    from ..store import Store


def _ranges(numbers: Sequence[int]) -> str:
    """``[2, 3, 4, 5, 7]`` as ``v2-v5, v7``."""
    spans: list[list[int]] = []
    for number in numbers:
        if spans and number == spans[-1][1] + 1:
            spans[-1][1] = number
        else:
            spans.append([number, number])
    return ", ".join(f"v{a}" if a == b else f"v{a}-v{b}" for a, b in spans)


#: Hits are counted up to this many; past it the total is a floor (``SearchResult.at_least``):
#: counting every hit of a word that most paragraphs hold costs what reading them all costs.
COUNT_UP_TO = 10_000
#: How a search picks its page, by cost (measured on a generated history of 200,000
#: versions): reading every hit in order costs 1.5-2 µs a hit; reading one document's
#: paragraph lists and probing the index with their paragraphs, 2-5 ms. So, with many hits,
#: the page is looked for document by document in name order, for as many documents as
#: reading every hit would cost, and only then by reading every hit.
HITS_PER_DOCUMENT_READ = 2500


@dataclass(frozen=True)
class SearchResult:
    """One page of search hits (the first ``limit``), how many there are in all and in how many
    documents: exactly, or at least that many when ``at_least`` (counting stopped at
    ``count_up_to``)."""

    hits: list[dict]
    total: int
    at_least: bool = False
    documents: int = 0
    #: Whether the document filter names any document (True without one): read from the one
    #: resolution of the filter the search made, so that "no hits" can say why.
    documents_match: bool = True


def search_page(
    history: History,
    query: str,
    *,
    all_versions: bool = False,
    doc: str | None = None,
    marks: tuple[str, str] = ("**", "**"),
    limit: int | None = None,
    count_up_to: int | None = COUNT_UP_TO,
    details: bool = False,
    since: str | None = None,
    until: str | None = None,
) -> SearchResult:
    """Full-text search over paragraphs of the latest versions, or over every version: the
    first ``limit`` hits (None or 0: all) and their total, counted up to ``count_up_to``
    (None: all of them).

    Latest versions: one hit per paragraph of a latest version that matches, by document name
    and paragraph position. Every version: one hit per matching paragraph and document, with the
    versions that held it, by document name, then first version, then position in it. Only the
    page's versions, texts and snippets are read.

    ``details`` (what the web page links to): each hit also has its ``paragraph_id``, and its
    position in the first version that held it (``first["paragraph"]``, 1-based); in the latest
    versions, also the ``versions`` that held it, their ``ranges`` and that ``first`` version.

    ``since``/``until`` (dates or date-times, as ``log`` reads them; every version only): only
    paragraphs a version recorded in that window held, each hit still with its whole history.
    """
    window = search_window(since, until, all_versions)
    fts = fts_query(query)
    named = matching_names(history, doc)  # the one read of the filter: the page reuses it
    up_to = count_up_to if limit else None
    if all_versions:
        result = _every_version(history, fts, named, marks, limit or None, up_to, details, window)
    else:
        result = _latest(history, fts, named, marks, limit or None, up_to, details)
    return result if named is None or named else replace(result, documents_match=False)


def search_window(since: str | None, until: str | None, all_versions: bool) -> Window | None:
    """The stored times of a search's window (None: none). Refused without ``all_versions``:
    the latest versions are one per document, whenever recorded, so a window would only hide
    some of them; and refused when it ends before it starts."""
    low, high = parse_window(since, until)
    if low is None and high is None:
        return None
    if not all_versions:
        raise TrackerError(
            "--since/--until pick versions by when they were recorded: add --all-versions"
            " to search every version recorded in that range"
        )
    return low, high


def search(
    history: History,
    query: str,
    *,
    all_versions: bool = False,
    doc: str | None = None,
    marks: tuple[str, str] = ("**", "**"),
    since: str | None = None,
    until: str | None = None,
) -> list[dict]:
    """Full-text search over paragraphs of the latest versions, or over every version: every
    hit (see :func:`search_page`)."""
    return search_page(
        history,
        query,
        all_versions=all_versions,
        doc=doc,
        marks=marks,
        since=since,
        until=until,
    ).hits


def _budget(total: int) -> int:
    """How many documents a page may be looked for in, one by one, when there are ``total``
    hits (see :data:`HITS_PER_DOCUMENT_READ`)."""
    return int(total / HITS_PER_DOCUMENT_READ)


def _in_name_order(
    store: Store, named: dict[int, str] | None, budget: int
) -> list[tuple[int, str]]:
    """(id, name) of the first ``budget`` documents (``named``; None: all) by name; none read
    when there is no budget (no hits, or too few to look for them document by document)."""
    if budget <= 0:
        return []
    names = store.names_by_id() if named is None else named
    return sorted(names.items(), key=lambda item: item[1])[:budget]


def _ids(named: dict[int, str] | None) -> list[int] | None:
    """The ids of the documents a filter named, in order (None: no filter)."""
    return None if named is None else sorted(named)


#: Paragraph id -> (text, snippet parts), as :meth:`~tracker.store.Store.snippets` gives them.
Texts = dict[int, tuple[str, list[str]]]


def _matching(store: Store, fts: str, ids: list[int], texts: Texts) -> Collection[int]:
    """Which of ``ids`` match: a few seeks of the index for words; for a prefix, whose every
    query merges all its words' lists again, the snippets query itself, which walks them once
    and whose snippets (kept in ``texts``) the page then does not read again."""
    if not has_prefix(fts):
        return store.matching_paragraphs(fts, ids)
    found = store.snippets(fts, ids)
    texts.update(found)
    return found.keys()


def _latest(
    history: History,
    fts: str,
    named: dict[int, str] | None,
    marks: tuple[str, str],
    limit: int | None,
    up_to: int | None,
    details: bool = False,
) -> SearchResult:
    """Hits in the latest versions of the documents (see :func:`search_page`)."""
    store, documents = history.store, _ids(named)
    total, holders, at_least = store.count_latest_matches(fts, documents, up_to)
    texts: Texts = {}
    page = None
    if limit:
        page = _latest_by_document(store, fts, named, limit, _budget(total), texts)
    if page is None:
        page = _latest_of_every_hit(store, fts, documents, limit)
    texts.update(store.snippets(fts, sorted({pid for _, _, pid in page} - texts.keys())))
    hits = [
        {
            "doc": version.doc,
            "version": version.version,
            "captured_at": version.captured_at,
            "paragraph": index,
            "snippet": one_line_snippet(texts[pid][1], marks),
        }
        for version, index, pid in page
    ]
    if details:
        _latest_details(store, page, hits)
    return SearchResult(hits, total, at_least, holders)


def _held(runs: list[tuple[int, int | None]], latest: int) -> list[int]:
    """The version numbers of runs of (first version, first version without; None: open, up
    to the ``latest`` version)."""
    return [
        number
        for first, end in runs
        for number in range(first, end if end is not None else latest + 1)
    ]


def _position(version: Version | None, pid: int) -> int | None:
    """Where a paragraph is in a version (1-based; its first place), None if not there."""
    ids = version.paragraph_ids if version is not None else []
    return ids.index(pid) + 1 if pid in ids else None


def _latest_details(store: Store, page: list[tuple[Version, int, int]], hits: list[dict]) -> None:
    """Add the details of :func:`search_page` to hits of the latest versions: the spans and
    first versions of the page's paragraphs only."""
    runs = store.spans_of([(version.document_id, pid) for version, _, pid in page])
    held = [
        _held(runs[version.document_id, pid], version.version) or [version.version]
        for version, _, pid in page
    ]
    firsts = store.versions_at(
        [(version.document_id, numbers[0]) for (version, _, _), numbers in zip(page, held)]
    )
    for (version, _, pid), numbers, hit in zip(page, held, hits):
        first = firsts.get((version.document_id, numbers[0]))
        hit["paragraph_id"] = pid
        hit["versions"] = numbers
        hit["ranges"] = _ranges(numbers)
        hit["first"] = {
            "version": numbers[0],
            "at": first.captured_at if first else None,
            "paragraph": _position(first, pid),
        }


def _latest_by_document(
    store: Store, fts: str, named: dict[int, str] | None, limit: int, budget: int, texts: Texts
) -> list[tuple[Version, int, int]] | None:
    """(latest version, position, paragraph id) of the first ``limit`` hits, from the latest
    versions of the documents in name order; None if the first ``budget`` do not hold them.
    ``texts`` gets the snippets the probes read (see :func:`_matching`)."""
    found: list[tuple[Version, int, int]] = []
    for document_id, _ in _in_name_order(store, named, budget):
        version = store.latest(document_id)
        if version is None or version.deleted:
            continue
        ids = version.paragraph_ids
        matching = _matching(store, fts, list(dict.fromkeys(ids)), texts)
        found += [(version, i, pid) for i, pid in enumerate(ids, start=1) if pid in matching]
        if len(found) >= limit:
            return found[:limit]
    return None


def _latest_of_every_hit(
    store: Store, fts: str, documents: list[int] | None, limit: int | None
) -> list[tuple[Version, int, int]]:
    """The same as :func:`_latest_by_document`, from SQL's list of every document with hits."""
    found: list[tuple[Version, int, int]] = []
    for document_id, _, ids in store.latest_matches(fts, documents):
        if limit and len(found) >= limit:
            break
        pids = set(ids)
        version = store.latest(document_id)
        found += [
            (version, index, pid)
            for index, pid in enumerate(version.paragraph_ids, start=1)
            if pid in pids
        ]
    return found[:limit]


def _every_version(
    history: History,
    fts: str,
    named: dict[int, str] | None,
    marks: tuple[str, str],
    limit: int | None,
    up_to: int | None,
    details: bool = False,
    window: Window | None = None,
) -> SearchResult:
    """Hits in every version of the documents (recorded in ``window``; see
    :func:`search_page`)."""
    store, documents = history.store, _ids(named)
    window = None if window is None or store.holds_every_version(window) else window
    total, holders, at_least = store.count_span_matches(fts, documents, up_to, window)
    texts: Texts = {}
    page = None
    if limit:
        page = _first_by_document(store, fts, named, limit, _budget(total), texts, window)
    if page is None:
        page, firsts = _first_of_every_hit(store, fts, documents, limit, window)
    else:
        firsts = store.versions_at([(document_id, first) for _, document_id, _, first in page])
    runs = store.spans_of([(document_id, pid) for _, document_id, pid, _ in page])
    ends = [runs[document_id, pid][-1][1] for _, document_id, pid, _ in page]
    removed = store.versions_at(
        [(row[1], until) for row, until in zip(page, ends) if until is not None]
    )
    latest = store.latest_numbers(
        sorted({row[1] for row, until in zip(page, ends) if until is None})
    )
    texts.update(store.snippets(fts, sorted({pid for _, _, pid, _ in page} - texts.keys())))
    hits = []
    for (name, document_id, pid, first_number), until in zip(page, ends):
        numbers = _held(runs[document_id, pid], latest.get(document_id, 0))
        first = firsts[document_id, first_number]
        gone = removed[document_id, until] if until is not None else None
        hit = {
            "doc": name,
            "versions": numbers,
            "ranges": _ranges(numbers),
            "first": {"version": first.version, "at": first.captured_at},
            "removed": {"version": gone.version, "at": gone.captured_at} if gone else None,
            "snippet": one_line_snippet(texts[pid][1], marks),
            "text": texts[pid][0],
        }
        if details:
            hit["paragraph_id"] = pid
            hit["first"]["paragraph"] = _position(first, pid)
        hits.append(hit)
    return SearchResult(hits, total, at_least, holders)


def _first_by_document(
    store: Store,
    fts: str,
    named: dict[int, str] | None,
    limit: int,
    budget: int,
    texts: Texts,
    window: Window | None = None,
) -> list[tuple[str, int, int, int]] | None:
    """(name, document id, paragraph id, first version) of the first ``limit`` hits, from the
    paragraph lists of the documents in name order: by document, then the first version that
    held the paragraph, then its position there (of those a version recorded in ``window``
    held). None if ``budget`` documents do not hold them. ``texts`` gets the snippets the
    probes read (see :func:`_matching`)."""
    page: list[tuple[str, int, int, int]] = []
    for document_id, name in _in_name_order(store, named, budget):
        first_seen: dict[int, tuple[int, int]] = {}
        inside = store.numbers_between(document_id, *window) if window else None
        held: set[int] = set()
        for number, ids in store.paragraph_lists(document_id):
            for index, pid in enumerate(ids):
                first_seen.setdefault(pid, (number, index))
            if inside is None or number in inside:
                held.update(ids)
        hits = _matching(store, fts, [pid for pid in first_seen if pid in held], texts)
        page += [
            (name, document_id, pid, first_seen[pid][0])
            for pid in sorted(hits, key=first_seen.__getitem__)
        ]
        if len(page) >= limit:
            return page[:limit]
    return None


def _first_of_every_hit(
    store: Store,
    fts: str,
    documents: list[int] | None,
    limit: int | None,
    window: Window | None = None,
) -> tuple[list[tuple[str, int, int, int]], dict[tuple[int, int], Version]]:
    """The first ``limit`` hits, as :func:`_first_by_document` orders them, from SQL's list of
    every hit (in ``window``) by document name and first version; and the first versions they
    name."""
    # the position in the first version decides among equals, so the page takes the hits tied
    # with its last one too, and sorts them by position
    page: list[tuple[str, int, int, int]] = []
    rows = store.span_matches(fts, documents, window)
    try:
        for row in rows:
            if limit and len(page) >= limit and row[0::3] != page[-1][0::3]:
                break
            page.append(row)
    finally:
        rows.close()
    firsts = store.versions_at([(document_id, first) for _, document_id, _, first in page])

    def position(row: tuple[str, int, int, int]) -> tuple[str, int, int]:
        name, document_id, pid, first = row
        ids = firsts[document_id, first].paragraph_ids
        return name, first, ids.index(pid) if pid in ids else len(ids)

    return sorted(page, key=position)[:limit], firsts
