"""Datasette metadata of tracker databases: titles, table descriptions, canned queries, settings.

Used by the ``tracker`` Datasette plugin (:mod:`tracker.web.plugin`) and by ``tracker serve``.
The table descriptions are in :mod:`tracker.web.tables`, the canned queries in
:mod:`tracker.web.queries` (their SQL in ``tracker/web/sql/*.sql``).
"""

from __future__ import annotations

from collections.abc import Iterable

from ..render.html import escape_html
from .queries import QUERIES
from .tables import ORDERED, TABLES
from .urls import database_path, feed_path, home_path, search_path

#: Datasette settings of `tracker serve`: the useful facets are configured per table, and the
#: column-by-column facet suggestions would cost most of a `changes` page load (140 of 190 ms on
#: the replayed PEP history). A facet gets 100 ms (Datasette's default is 200): on a history of
#: 200,000 versions the three of `changes` or `versions` take 0.2 to 0.6 s each, and a page that
#: waits for them all is no longer quick; past the limit Datasette says which facets it left out.
SETTINGS: dict[str, object] = {"suggest_facets": False, "facet_time_limit_ms": 100}


def database_metadata(database: str, base_url: str = "/") -> dict:
    """Datasette metadata (tables, canned queries, links) for one tracker database."""
    base = base_url.rstrip("/")
    feed = base + feed_path(database)
    changes = f"{base}/{database_path(database)}/changes"
    search = base + search_path(database)
    home = base + home_path(database)
    tables = {name: dict(meta) for name, meta in TABLES.items()}
    for name in ORDERED:
        tables[name]["description_html"] = (
            f"{escape_html(tables[name]['description'])} Internal columns are left out: "
            '<a href="?_all=1">show every column</a>.'
        )
    tables["changes"]["description_html"] += (
        ' Facets by document, operation, class and date: <a href="?_facet_size=30">show them</a>'
        " (on every filtered page they are shown)."
        f' Subscribe to the <a href="{escape_html(feed)}">Atom feed</a>.'
    )
    return {
        "title": f"{database}: document history",
        "description_html": (
            "Paragraph-by-paragraph history of a folder of text documents, recorded by "
            "<code>tracker</code>. "
            f'<strong><a href="{escape_html(home)}">What changed</a></strong>: every document, '
            "its versions and their diffs. Or browse the "
            f'<a href="{escape_html(changes)}">changes</a> view, '
            f'<a href="{escape_html(search)}">search</a> the latest versions or every one, or'
            f' subscribe to the <a href="{escape_html(feed)}">Atom feed</a> of recorded versions.'
        ),
        "tables": tables,
        "queries": {name: dict(query) for name, query in QUERIES.items()},
    }


def instance_metadata(databases: Iterable[str], base_url: str = "/") -> dict:
    """Full Datasette metadata for an instance serving these tracker databases."""
    return {
        "title": "Tracker",
        "description": "Document history recorded by tracker: browse versions, read diffs, "
        "search every version of every paragraph.",
        "description_html": (
            "Document history recorded by tracker. "
            f'<strong><a href="{escape_html(base_url.rstrip("/") + home_path())}">'
            "What changed</a></strong>: every document, its versions and their diffs."
        ),
        "databases": {name: database_metadata(name, base_url) for name in databases},
    }
