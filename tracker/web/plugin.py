"""The ``tracker`` Datasette plugin: diff rendering in cells, a diff page per version, an Atom feed.

Registered under the ``datasette`` entry point, so plain ``datasette snapshots/tracker.db`` loads it
too. It decorates only databases that have the tracker tables, reads through Datasette's read-only
connections, and escapes every piece of document text it puts in a page or a feed.

This module holds the hook implementations; the pages are in :mod:`tracker.web.routes`, the
metadata in :mod:`tracker.web.metadata`, the cell HTML in :mod:`tracker.web.cells`.
"""

from __future__ import annotations

import re
from pathlib import Path

from datasette import hookimpl
from markupsafe import Markup

from ..corpus.query import sql_fts_query, sql_snippet
from ..render.html import escape_html
from ..store.codec import paragraph_hash
from ..times import sql_bound
from . import columns
from .assets import asset_path
from .cells import MARK_START, change_html, old_text_html, snippet_html
from .databases import tracker_databases
from .metadata import database_metadata, instance_metadata
from .pages.common import time_html
from .querypages import page_number, page_url, query_loader
from .routes import ROUTES
from .urls import database_path, diff_path, document_path, home_path, query_path

TEMPLATES = Path(__file__).parent / "templates"
_MISSING = object()
#: Columns holding a stored time, shown as a date in words with the exact time on hover.
_DATE_COLUMNS = frozenset(
    {"captured_at", "created_at", "first_seen", "last_change", "renamed_at", "imported_at"}
)
_RENDERED_COLUMNS = _DATE_COLUMNS | {
    "new_text",
    "old_text",
    "version",
    "document",
    "name",
    "paragraph_ids",
    "snippet",
    "paragraph_id",
}
_RENDERED_TABLES = (None, "changes", "versions", "documents", "renames")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


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
    """Find the tracker databases once, before the first request; and quiet Datasette's error
    handler (see :func:`_quiet_error_handler`)."""
    tracker_databases(datasette)
    _quiet_error_handler()


def _quiet_error_handler() -> None:
    """Datasette's own error handler prints every error through ``rich`` when it is importable,
    locals and all; for a URL no route matches it does so outside an ``except`` block, which rich
    refuses, so the visitor got a bare 500 instead of the 404 page. Without rich it renders the
    page and logs real errors with ``traceback.print_exc``. Done at startup, not on import: this
    module may be imported before Datasette has registered its own hooks, and importing that
    one early would register it without them."""
    import datasette.handle_exception

    datasette.handle_exception.rich = None


@hookimpl
def prepare_connection(conn, database, datasette) -> None:
    """``tracker_fts_query(text)``: any user text as a valid FTS5 query (used by ``search``);
    ``tracker_paragraph_hash(text)``: a paragraph's content address (used by ``provenance``).

    The same quoting as ``tracker search``: words and "phrases" match literally, ``word*`` is a
    prefix, FTS operators and stray quotes are plain text; nothing to search for matches nothing.
    ``tracker_snippet(a, b)``: the snippet of the ``search`` query, marks that no document text
    can fake (see :func:`tracker.corpus.query.sql_snippet`). ``tracker_time_bound(text, end)``:
    a date or date-time typed as one end of a range, read as the command line reads it.
    """
    conn.create_function("tracker_fts_query", 1, sql_fts_query, deterministic=True)
    conn.create_function("tracker_snippet", 2, sql_snippet, deterministic=True)
    conn.create_function("tracker_paragraph_hash", 1, _paragraph_hash, deterministic=True)
    conn.create_function("tracker_time_bound", 2, sql_bound, deterministic=True)


def _paragraph_hash(text: object) -> str | None:
    return paragraph_hash(text) if isinstance(text, str) else None


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
    """Make the plugin's templates findable (after --template-dir, so they can be overridden),
    the canned queries' page templates too, and give them the ``tracker_route`` filter (a
    database name as a URL segment)."""
    from jinja2 import ChoiceLoader, FileSystemLoader

    # also just before Datasette's own (its loader's last path): our _close_open_menus.html
    # replaces Datasette's, which closed every open <details> at any click outside it, the
    # folds of the text too; --template-dir still comes first
    first = (getattr(env.loader, "loaders", None) or [None])[0]
    paths = getattr(first, "searchpath", None)
    if isinstance(paths, list) and paths and str(TEMPLATES) not in paths:
        paths.insert(len(paths) - 1, str(TEMPLATES))
    env.loader = ChoiceLoader([env.loader, FileSystemLoader(str(TEMPLATES)), query_loader()])
    env.filters["tracker_route"] = database_path


@hookimpl
def extra_template_vars(template, database, request) -> dict:
    """Paging of the canned queries that return a page of rows (see :mod:`.querypages`)."""
    return {"tracker_page": page_number, "tracker_page_url": page_url}


@hookimpl
def asgi_wrapper(datasette):
    """The column order of the documents, versions and changes pages (see :mod:`.columns`)."""
    return columns.asgi_wrapper(datasette)


@hookimpl
def extra_css_urls(template, database, table, columns, view_name, request, datasette) -> list:
    """The plugin's styles, on the pages of tracker databases and on its own pages."""
    if template.startswith("tracker_") or database in tracker_databases(datasette):
        return [datasette.urls.path(asset_path("tracker.css"))]
    return []


@hookimpl
def menu_links(datasette, actor) -> list:
    """ "What changed" in Datasette's menu, leading to the tracker home page."""
    if not tracker_databases(datasette):
        return []
    return [{"href": datasette.urls.path(home_path()), "label": "What changed"}]


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    """Changes as inline diffs (the old text folded beside them), dates in words, versions
    linked to their diff, documents to their page; the rest left alone."""
    return cell_markup(row, value, column, table, database, datasette)


def cell_markup(row, value, column, table, database, datasette) -> Markup | None:
    """The :func:`render_cell` hook's work, in a plain function: mutation testing (mutmut)
    leaves decorated functions alone, and this one escapes document text."""
    if column not in _RENDERED_COLUMNS or table not in _RENDERED_TABLES:
        return None
    if database not in tracker_databases(datasette):
        return None
    if column in _DATE_COLUMNS:
        return time_html(value) if isinstance(value, str) and _ISO.match(value) else None
    if column in ("new_text", "old_text") and table in (None, "changes"):
        # the new text is shown as the change itself: removed words struck out, added ones marked
        op = _field(row, "op")
        old_text = value if column == "old_text" else _field(row, "old_text")
        new_text = value if column == "new_text" else _field(row, "new_text")
        texts_ok = all(t is None or isinstance(t, str) for t in (old_text, new_text))
        if op not in ("insert", "delete", "modify", "move") or not texts_ok:
            return None
        if column == "old_text":  # folded, where the change is shown beside it
            return Markup(old_text_html(value)) if value else None
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
            path = document_path(database, value)
            return _link(datasette, path, value, "its versions")
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
