"""The ``tracker`` Datasette plugin: diff rendering in cells, a diff page per version, an Atom feed.

Registered under the ``datasette`` entry point, so plain ``datasette snapshots/tracker.db`` loads it
too. It decorates only databases that have the tracker tables, reads through Datasette's read-only
connections, and escapes every piece of document text it puts in a page or a feed.

This module holds the hook implementations; the pages are in :mod:`tracker.web.routes`, the
metadata in :mod:`tracker.web.metadata`, the cell HTML in :mod:`tracker.web.cells`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from datasette import hookimpl
from markupsafe import Markup

from ..corpus.search import sql_fts_query, sql_snippet
from ..render.html import escape_html
from .cells import CSS, MARK_START, change_html, snippet_html
from .databases import tracker_databases
from .metadata import database_metadata, instance_metadata
from .routes import ROUTES
from .urls import database_path, diff_path, query_path

TEMPLATES = Path(__file__).parent / "templates"
_CSS_VERSION = hashlib.sha256(CSS.encode()).hexdigest()[:8]
_MISSING = object()
_RENDERED_COLUMNS = frozenset(
    {"new_text", "version", "document", "name", "paragraph_ids", "snippet", "paragraph_id"}
)


def _field(row, name: str):
    try:
        return row[name]
    except (KeyError, IndexError, TypeError):
        return _MISSING


def _link(datasette, path: str, label: object, title: str | None = None) -> Markup:
    attrs = f' title="{escape_html(title)}"' if title else ""
    return Markup(
        f'<a href="{escape_html(datasette.urls.path(path))}"{attrs}>{escape_html(label)}</a>'
    )


@hookimpl
def startup(datasette) -> None:
    """Find the tracker databases once, before the first request."""
    tracker_databases(datasette)


@hookimpl
def prepare_connection(conn, database, datasette) -> None:
    """``tracker_fts_query(text)``: any user text as a valid FTS5 query (used by ``search``).

    The same quoting as ``tracker search``: words and "phrases" match literally, ``word*`` is a
    prefix, FTS operators and stray quotes are plain text; nothing to search for matches nothing.
    ``tracker_snippet(a, b)``: the snippet of the ``search`` query, marks that no document text
    can fake (see :func:`tracker.corpus.search.sql_snippet`).
    """
    conn.create_function("tracker_fts_query", 1, sql_fts_query, deterministic=True)
    conn.create_function("tracker_snippet", 2, sql_snippet, deterministic=True)


@hookimpl
def get_metadata(datasette, key, database, table) -> dict:
    """Descriptions, facets and canned queries for every tracker database (local metadata wins)."""
    names = tracker_databases(datasette)
    if not names:
        return {}
    base_url = datasette.setting("base_url")
    cache = datasette.__dict__.setdefault("_tracker_metadata", {})
    cache_key = (tuple(names), base_url)
    if cache_key not in cache:
        files = [n for n, db in datasette.databases.items() if db.path and not db.is_memory]
        if set(files) <= set(names):
            cache[cache_key] = instance_metadata(names, base_url)
        else:
            databases = {name: database_metadata(name, base_url) for name in names}
            cache[cache_key] = {"databases": databases}
    # Datasette merges sources in place: hand it a copy so the cached one stays clean.
    return _copy(cache[cache_key])


def _copy(value):
    """A copy of nested dicts and lists (their leaves are immutable); cheaper than deepcopy."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


@hookimpl
def prepare_jinja2_environment(env, datasette) -> None:
    """Make the plugin's page template findable (after --template-dir, so it can be overridden)."""
    from jinja2 import ChoiceLoader, FileSystemLoader

    env.loader = ChoiceLoader([env.loader, FileSystemLoader(str(TEMPLATES))])


@hookimpl
def extra_css_urls(template, database, table, columns, view_name, request, datasette) -> list:
    """The diff styles, on the pages of tracker databases."""
    if database is None or database not in tracker_databases(datasette):
        return []
    return [datasette.urls.path(f"/-/tracker/tracker.css?v={_CSS_VERSION}")]


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    """Render changes as inline diffs, link versions to their diff page; leave the rest alone."""
    return cell_markup(row, value, column, table, database, datasette)


def cell_markup(row, value, column, table, database, datasette) -> Markup | None:
    """The :func:`render_cell` hook's work, in a plain function: mutation testing (mutmut)
    leaves decorated functions alone, and this one escapes document text."""
    if column not in _RENDERED_COLUMNS or table not in (None, "changes", "versions", "documents"):
        return None
    if database not in tracker_databases(datasette):
        return None
    if column == "new_text" and table in (None, "changes"):
        # the new text is shown as the change itself: removed words struck out, added ones marked
        op, old_text = _field(row, "op"), _field(row, "old_text")
        texts_ok = all(t is None or isinstance(t, str) for t in (old_text, value))
        if op not in ("insert", "delete", "modify", "move") or not texts_ok:
            return None
        return Markup(change_html(op, old_text, value))
    if column == "version" and isinstance(value, int):
        if table == "versions":
            version_id = _field(row, "id")
            if isinstance(version_id, int):
                path = f"/-/tracker/version/{database_path(database)}/{version_id}"
                return _link(datasette, path, value, f"diff of version {value}")
            return None
        doc = _field(row, "document")
        if isinstance(doc, str):
            return _link(datasette, diff_path(database, doc, value), value, "diff")
        return None
    if (column == "document" and table in (None, "changes")) or (
        column == "name" and table == "documents"
    ):
        if isinstance(value, str):
            path = query_path(database, "document_history", document=value)
            return _link(datasette, path, value, "history")
        return None
    if table == "versions" and column == "paragraph_ids" and isinstance(value, str):
        ids = value.strip("[]").split(",") if value.strip("[]") else []
        if len(ids) <= 8:
            return None
        return Markup(f"{escape_html(', '.join(ids[:8]))}, … ({len(ids)} in all)")
    if table is None and column == "snippet" and isinstance(value, str):
        return Markup(snippet_html(value)) if MARK_START in value else None
    if table is None and column == "paragraph_id" and isinstance(value, int):
        path = query_path(database, "provenance", paragraph=value)
        return _link(datasette, path, value, "provenance")
    return None


@hookimpl
def register_routes(datasette) -> list:
    """The diff page, the version-id redirect, the Atom feeds and the stylesheet."""
    return list(ROUTES)
