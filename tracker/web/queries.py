"""The canned queries of a tracker database: their titles and descriptions, their SQL in files.

The SQL of each query lives in ``tracker/web/sql/<name>.sql`` (package data, read once with
:mod:`importlib.resources`), so it can be read, edited and run in ``sqlite3`` as it is. Two of them
repeat the same ``case`` that names a version's event (created, edited, deleted, restored).
"""

from __future__ import annotations

from importlib.resources import files

#: Title and description of each canned query, in the order Datasette lists them.
_QUERIES: dict[str, tuple[str, str]] = {
    "document_history": (
        "Document history",
        "Every version of one document, newest first, with its change counts, 100 a page. "
        "Type the full name (e.g. docs/guide.txt) or just its last part (guide.txt); since and "
        "until (UTC, inclusive; a bare date covers its whole day) narrow it to some dates. "
        "Each version number links to its rendered diff.",
    ),
    "changes_in_range": (
        "Changes in a date range",
        "Every changed paragraph between two dates (UTC, inclusive; a bare date covers its "
        "whole day; leave one empty for no bound), of every document or of one (its full name "
        "or its last part), newest first, 100 a page, each change shown as a word diff.",
    ),
    "versions_in_range": (
        "Versions in a date range",
        "One row per recorded version between two dates (UTC, inclusive; leave one empty for "
        "no bound), of every document or of one, newest first, 100 a page; each version links "
        "to its diff.",
    ),
    "search": (
        "Search every version",
        "Full-text search of every paragraph ever recorded, in any version of any "
        'document (words are matched whole, all of them; "quoted words" match a phrase, '
        "word* a prefix; AND, OR, NOT, NEAR, quotes and brackets are plain text; the best 100 "
        "paragraphs, or, for words found in more than 10,000, the best 100 of the 10,000 "
        "newest). Shows which versions contain each paragraph, when it first appeared and "
        "whether the latest version still has it; the paragraph id leads to its provenance. "
        "In the snippet column, each match is enclosed in the control characters U+0002 and "
        "U+0003 (\\u0002 and \\u0003 in JSON), which the page shows highlighted; the "
        "document's own U+0002 and U+0003, if any, are shown there as U+2402 and U+2403.",
    ),
    "provenance": (
        "Paragraph provenance",
        "When a paragraph first appeared and every version that contains it. "
        "Give its id (from the search or the paragraphs table), its hash, or its exact text. "
        "'appeared' marks the versions where it came in (with how: insert, modify, move), "
        "'kept' those that carried it over from the version before.",
    ),
    "trace": (
        "Paragraph history",
        "The life of one paragraph: every version in which it was created, changed, moved, split, "
        "merged, deleted or put back. Give the document's full name, the paragraph's number "
        "(1-based, as the diffs number them) and a version (empty: the latest). A paragraph "
        "keeps its identity (its lineage) through edits and moves.",
    ),
    "documents_overview": (
        "Documents overview",
        "Every document with its number of versions, first and last change, "
        "total paragraph changes and present state, most recently changed first, 100 a page.",
    ),
}


def query_sql(name: str) -> str:
    """The SQL of a canned query, from ``tracker/web/sql/<name>.sql`` (without its last newline)."""
    return (files(__package__) / "sql" / f"{name}.sql").read_text(encoding="utf-8").rstrip("\n")


#: The parameters of each query, in the order its form shows them (Datasette would otherwise
#: take them from the SQL).
PARAMS: dict[str, list[str]] = {
    "document_history": ["document", "since", "until", "page"],
    "changes_in_range": ["since", "until", "document", "page"],
    "versions_in_range": ["since", "until", "document", "page"],
    "search": ["q"],
    "provenance": ["paragraph"],
    "trace": ["document", "paragraph", "version"],
    "documents_overview": ["page"],
}

#: Queries that return one page of :data:`PAGE_SIZE` rows, chosen by their ``page`` parameter.
PAGED = frozenset(name for name, params in PARAMS.items() if "page" in params)
PAGE_SIZE = 100

#: Datasette canned queries (``title``, ``description``, ``sql``, ``params``, ``hide_sql``).
QUERIES: dict[str, dict] = {
    name: {
        "title": title,
        "description": description,
        "sql": query_sql(name),
        "params": PARAMS[name],
        "hide_sql": True,
    }
    for name, (title, description) in _QUERIES.items()
}
