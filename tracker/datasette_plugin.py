"""The ``tracker`` Datasette plugin: diff rendering in cells, a diff page per version, an Atom feed.

Registered under the ``datasette`` entry point, so plain ``datasette snapshots/tracker.db`` loads it
too. It decorates only databases that have the tracker tables, reads through Datasette's read-only
connections, and escapes every piece of document text it puts in a page or a feed.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from urllib.parse import unquote, urlencode

from datasette import hookimpl
from datasette.utils import tilde_decode
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup, escape

from . import datasette_metadata as meta
from .render_html import LAYOUTS, render_html_fragment, stats_line, version_label

TEMPLATES = Path(__file__).parent / "templates"
_CSS_VERSION = hashlib.sha256(meta.CSS.encode()).hexdigest()[:8]
_MISSING = object()
_RENDERED_COLUMNS = frozenset(
    {"inline", "version", "document", "name", "paragraph_ids", "snippet", "paragraph_id"}
)


def tracker_databases(datasette) -> list[str]:
    """Names of the attached databases that have the tracker tables (checked once each)."""
    attached = tuple(datasette.databases)
    cached = datasette.__dict__.get("_tracker_databases")
    if cached is not None and cached[0] == attached:
        return cached[1]
    known: dict[str, bool] = cached[2] if cached else {}
    for name in attached:
        if name not in known:
            known[name] = _has_tracker_tables(datasette.databases[name])
    names = [name for name in attached if known[name]]
    datasette.__dict__["_tracker_databases"] = (attached, names, known)
    return names


def _has_tracker_tables(db) -> bool:
    if db.is_memory or not db.path:
        return False
    try:
        conn = sqlite3.connect(Path(db.path).resolve().as_uri() + "?mode=ro", uri=True)
        try:
            names = [r[0] for r in conn.execute("select name from sqlite_master")]
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return meta.is_tracker_schema(names)


def _field(row, name: str):
    try:
        return row[name]
    except (KeyError, IndexError, TypeError):
        return _MISSING


def _link(datasette, path: str, label: object, title: str | None = None) -> Markup:
    attrs = f' title="{escape(title)}"' if title else ""
    return Markup(f'<a href="{escape(datasette.urls.path(path))}"{attrs}>{escape(label)}</a>')


@hookimpl
def startup(datasette) -> None:
    """Find the tracker databases once, before the first request."""
    tracker_databases(datasette)


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
            cache[cache_key] = meta.instance_metadata(names, base_url)
        else:
            databases = {name: meta.database_metadata(name, base_url) for name in names}
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
    """Render inline diffs, link versions to their diff page; everything else is left alone."""
    if column not in _RENDERED_COLUMNS or table not in (None, "changes", "versions", "documents"):
        return None
    if database not in tracker_databases(datasette):
        return None
    if column == "inline" and table in (None, "changes"):
        op, old_text, new_text = (_field(row, name) for name in ("op", "old_text", "new_text"))
        if _MISSING in (op, old_text, new_text) or not isinstance(op, str):
            return None
        try:
            return Markup(meta.change_html(op, old_text, new_text, value))
        except (ValueError, TypeError):  # not a stored inline diff: show it as it is
            return None
    if column == "version" and isinstance(value, int):
        if table == "versions":
            version_id = _field(row, "id")
            if isinstance(version_id, int):
                path = f"/-/tracker/version/{meta.database_path(database)}/{version_id}"
                return _link(datasette, path, value, f"diff of version {value}")
            return None
        doc = _field(row, "document")
        if isinstance(doc, str):
            return _link(datasette, meta.diff_path(database, doc, value), value, "diff")
        return None
    if (column == "document" and table in (None, "changes")) or (
        column == "name" and table == "documents"
    ):
        if isinstance(value, str):
            path = meta.query_path(database, "document_history", document=value)
            return _link(datasette, path, value, "history")
        return None
    if table == "versions" and column == "paragraph_ids" and isinstance(value, str):
        ids = value.strip("[]").split(",") if value.strip("[]") else []
        if len(ids) <= 8:
            return None
        return Markup(f"{escape(', '.join(ids[:8]))}, … ({len(ids)} in all)")
    if table is None and column == "snippet" and isinstance(value, str):
        return Markup(meta.snippet_html(value)) if meta.MARK_START in value else None
    if table is None and column == "paragraph_id" and isinstance(value, int):
        path = meta.query_path(database, "provenance", paragraph=value)
        return _link(datasette, path, value, "provenance")
    return None


def _tracker_database(datasette, segment: str):
    """The tracker database named by a URL segment, or a 404."""
    try:
        db = datasette.get_database(route=tilde_decode(segment))
    except KeyError:
        raise NotFound(f"no database {segment}") from None
    if db.name not in tracker_databases(datasette):
        raise NotFound(f"{db.name} is not a tracker database")
    return db


async def _check_view(datasette, request, database: str) -> None:
    await datasette.ensure_permissions(
        request.actor, [("view-database", database), "view-instance"]
    )


async def diff_page(datasette, request) -> Response:
    """``/-/tracker/diff/<database>/<doc...>/<version>``: one version against the one before."""
    db = _tracker_database(datasette, request.url_vars["database"])
    await _check_view(datasette, request, db.name)
    doc, version = unquote(request.url_vars["doc"]), request.url_vars["version"]
    result = await db.execute_fn(lambda conn: meta.load_version_diff(conn, doc, version))
    if result is None:
        moved = await db.execute_fn(lambda conn: meta.renamed_to(conn, doc))
        if moved:
            query = f"?{request.query_string}" if request.query_string else ""
            path = datasette.urls.path(meta.diff_path(db.name, moved, version))
            return Response.redirect(path + query)
        raise NotFound(f"{doc}: no such document or version in {db.name}")
    layout = request.args.get("layout", "inline")
    layout = layout if layout in LAYOUTS else "inline"
    full = request.args.get("full") in ("1", "on", "true")
    try:
        context = min(50, max(0, int(request.args.get("context", "1"))))
    except ValueError:
        context = 1
    fragment = render_html_fragment(result.changes, context=context, full=full, layout=layout)

    def here(**changes: object) -> str:
        args = {"layout": layout, "full": "1" if full else "", "context": str(context)}
        args.update({key: str(value) for key, value in changes.items()})
        kept = {k: v for k, v in args.items() if v and (k, v) not in _DEFAULT_ARGS}
        return "?" + urlencode(kept)

    def diff_url(number: int | None) -> str | None:
        if number is None:
            return None
        return datasette.urls.path(meta.diff_path(db.name, doc, number))

    name = db.name
    context_vars = {
        "database": name,
        "doc": doc,
        "version": result.new.version,
        "deleted": result.new.deleted,
        "note": result.new.note,
        "old_label": version_label(result.old.meta() if result.old else None),
        "new_label": version_label(result.new.meta()),
        "stats": stats_line(result.changes),
        "fragment": Markup(fragment),
        "previous_url": diff_url(result.previous),
        "next_url": diff_url(result.next),
        "latest_url": diff_url(result.latest) if result.latest != result.new.version else None,
        "history_url": datasette.urls.path(meta.query_path(name, "document_history", document=doc)),
        "changes_url": datasette.urls.path(
            f"/{meta.database_path(name)}/changes?"
            + urlencode({"document": doc, "version": result.new.version})
        ),
        "feed_url": datasette.urls.path(meta.feed_path(name, doc)),
        "layout": layout,
        "full": full,
        "toggle_full_url": here(full="" if full else "1"),
        "toggle_layout_url": here(layout="side-by-side" if layout == "inline" else "inline"),
    }
    html = await datasette.render_template("tracker_diff.html", context_vars, request=request)
    return Response.html(html)


_DEFAULT_ARGS = {("layout", "inline"), ("context", "1")}


async def version_redirect(datasette, request) -> Response:
    """``/-/tracker/version/<database>/<id>``: a ``versions`` row id to its diff page."""
    db = _tracker_database(datasette, request.url_vars["database"])
    await _check_view(datasette, request, db.name)
    version_id = int(request.url_vars["id"])
    found = await db.execute_fn(lambda conn: meta.version_location(conn, version_id))
    if found is None:
        raise NotFound(f"no version with id {version_id} in {db.name}")
    return Response.redirect(datasette.urls.path(meta.diff_path(db.name, *found)))


async def atom_feed(datasette, request) -> Response:
    """``/-/tracker/<database>/changes.atom``: the latest recorded versions, newest first."""
    segment = request.url_vars.get("database")
    if segment is None:
        names = tracker_databases(datasette)
        if not names:
            raise NotFound("no tracker database attached")
        segment = meta.database_path(names[0])
    db = _tracker_database(datasette, segment)
    await _check_view(datasette, request, db.name)
    doc = request.args.get("doc") or None
    try:
        limit = min(meta.FEED_MAX, max(1, int(request.args.get("limit", meta.FEED_DEFAULT))))
    except ValueError:
        limit = meta.FEED_DEFAULT
    entries = await db.execute_fn(lambda conn: meta.feed_rows(conn, doc, limit))
    if doc:
        site = meta.query_path(db.name, "document_history", document=doc)
    else:
        site = f"/{meta.database_path(db.name)}/changes"
    body = meta.atom_feed(
        entries,
        title=f"{doc or db.name}: recorded changes",
        feed_id=datasette.absolute_url(request, datasette.urls.path(meta.feed_path(db.name, doc))),
        feed_url=request.url,
        site_url=datasette.absolute_url(request, datasette.urls.path(site)),
        diff_url=lambda d, v: datasette.absolute_url(
            request, datasette.urls.path(meta.diff_path(db.name, d, v))
        ),
    )
    return Response(body, content_type="application/atom+xml; charset=utf-8")


async def stylesheet(datasette, request) -> Response:
    """``/-/tracker/tracker.css``: the diff styles used by cells and the diff page."""
    return Response(
        meta.CSS,
        content_type="text/css; charset=utf-8",
        headers={"cache-control": "max-age=86400"},
    )


@hookimpl
def register_routes(datasette) -> list:
    """The diff page, the version-id redirect, the Atom feeds and the stylesheet."""
    return [
        (r"^/-/tracker/tracker\.css$", stylesheet),
        (r"^/-/tracker/diff/(?P<database>[^/]+)/(?P<doc>.+)/(?P<version>v?\d+|latest)$", diff_page),
        (r"^/-/tracker/version/(?P<database>[^/]+)/(?P<id>\d+)$", version_redirect),
        (r"^/-/tracker/changes\.atom$", atom_feed),
        (r"^/-/tracker/(?P<database>[^/]+)/changes\.atom$", atom_feed),
    ]
