"""What a user's search text means to FTS5, and the SQL functions the web registers for it.

User text is quoted into a valid FTS5 query (:func:`fts_query`): words and "phrases" match
literally, ``word*`` is a prefix, and FTS operators are plain words. Shared by ``tracker
search`` and the Datasette plugin's SQL functions.
"""

from __future__ import annotations

import re

from ..errors import TrackerError
from ..text.snippets import MARKS, mark_snippet, snippet_parts
from ..text.terms import query_terms


def fts_query(query: str) -> str:
    """Quote a user query for FTS5: every word or "phrase" literal; a trailing ``*`` is a prefix."""
    terms = []
    for text, prefix in query_terms(query):
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


def one_line_snippet(parts: list[str], marks: tuple[str, str]) -> str:
    """A snippet on one line, each hit in ``marks`` (see
    :func:`~tracker.text.snippets.mark_snippet`: text never passes for a mark)."""
    return mark_snippet([re.sub(r"\r?\n", " ", part) for part in parts], marks)


def sql_snippet(marked: object, other: object) -> object:
    """The web's snippet column as an SQL function: the same paragraph's ``snippet()`` with
    :data:`~tracker.text.snippets.MARKS` and with ``OTHER_MARKS`` in, the snippet out with STX
    and ETX around each hit and nowhere else (the text's own shown as U+2402, U+2403)."""
    if not isinstance(marked, str) or not isinstance(other, str):
        return marked
    return mark_snippet(snippet_parts(marked, other), MARKS)
