"""How a search's text splits into terms: one reading for ``tracker search`` (FTS5) and for
``trace --search`` (a paragraph of one version), so a query copied between them finds the same."""

from __future__ import annotations

import re

#: A "quoted phrase" (its closing quote may be missing) or a word.
_TERM = re.compile(r'"([^"]*)"?|(\S+)')


def query_terms(query: str) -> list[tuple[str, bool]]:
    """Each term of ``query`` as (text, whether it is a prefix): a "quoted phrase" whole, and a
    word ending in ``*`` a prefix, the stars dropped. Terms may be empty (``""``, ``*``)."""
    terms = []
    for phrase, word in _TERM.findall(query):
        prefix = not phrase and word.endswith("*")
        terms.append((phrase or (word.rstrip("*") if prefix else word), prefix))
    return terms
