"""The pages the ``tracker`` plugin adds to Datasette: diff of a version, Atom feed, stylesheet.

Each handler serves only tracker databases (404 for any other), checks that the actor may view the
database, and reads through Datasette's read-only connections. :data:`ROUTES` is what the plugin's
``register_routes`` hook returns.
"""

from __future__ import annotations

from urllib.parse import unquote, urlencode

from datasette.utils import tilde_decode
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup

from ..errors import UnknownVersion
from ..history import History
from ..models import DiffResult, Version
from ..render.blame import BLAME_CSS, render_word_blame_fragment
from ..render.html import LAYOUTS, render_html_fragment, stats_line, version_label
from . import feed as feed
from .cells import CSS
from .databases import tracker_databases
from .urls import database_path, diff_path, feed_path, query_path, words_path


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


async def _read(db, read):
    """Run ``read(history)`` on one of Datasette's read-only connections to ``db``."""
    return await db.execute_fn(lambda conn: read(History(conn)))


def _version_diff(
    history: History, name: str, ref: str
) -> tuple[DiffResult, list[Version]] | str | None:
    """The diff of one version of the document named exactly ``name`` (as ``tracker diff DOC
    --until REF`` computes it) and the document's versions; the document's present name if it
    was renamed since; None if there is no such document or version."""
    document = history.store.document(name)
    if document is None:
        return history.store.renamed_to(name)
    try:
        result = history.diff(name, until=ref)
    except UnknownVersion:
        return None
    return result, history.store.versions(document.id)


def _meta(version: Version | None) -> dict | None:
    return (
        None
        if version is None
        else {"version": version.version, "captured_at": version.captured_at}
    )


async def diff_page(datasette, request) -> Response:
    """``/-/tracker/diff/<database>/<doc...>/<version>``: one version against the one before."""
    db = _tracker_database(datasette, request.url_vars["database"])
    await _check_view(datasette, request, db.name)
    doc, version = unquote(request.url_vars["doc"]), request.url_vars["version"]
    found = await _read(db, lambda history: _version_diff(history, doc, version))
    if isinstance(found, str):  # renamed since: the page lives under the present name
        query = f"?{request.query_string}" if request.query_string else ""
        path = datasette.urls.path(diff_path(db.name, found, version))
        return Response.redirect(path + query)
    if found is None:
        raise NotFound(f"{doc}: no such document or version in {db.name}")
    result, versions = found
    numbers = [v.version for v in versions]
    position = numbers.index(result.new.version)
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
        return datasette.urls.path(diff_path(db.name, doc, number))

    name = db.name
    context_vars = {
        "database": name,
        "doc": doc,
        "version": result.new.version,
        "deleted": result.new.deleted,
        "note": result.new.note,
        "old_label": version_label(_meta(result.old)),
        "new_label": version_label(_meta(result.new)),
        "stats": stats_line(result.changes),
        "fragment": Markup(fragment),
        "previous_url": diff_url(numbers[position - 1] if position else None),
        "next_url": diff_url(numbers[position + 1] if position + 1 < len(numbers) else None),
        "latest_url": diff_url(numbers[-1]) if position + 1 < len(numbers) else None,
        "history_url": datasette.urls.path(query_path(name, "document_history", document=doc)),
        "changes_url": datasette.urls.path(
            f"/{database_path(name)}/changes?"
            + urlencode({"document": doc, "version": result.new.version})
        ),
        "feed_url": datasette.urls.path(feed_path(name, doc)),
        "words_url": datasette.urls.path(words_path(name, doc, result.new.version)),
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
    found = await _read(db, lambda history: history.version_by_row(version_id))
    if found is None:
        raise NotFound(f"no version with id {version_id} in {db.name}")
    return Response.redirect(datasette.urls.path(diff_path(db.name, found.doc, found.version)))


async def atom_feed(datasette, request) -> Response:
    """``/-/tracker/<database>/changes.atom``: the latest recorded versions, newest first."""
    segment = request.url_vars.get("database")
    if segment is None:
        names = tracker_databases(datasette)
        if not names:
            raise NotFound("no tracker database attached")
        segment = database_path(names[0])
    db = _tracker_database(datasette, segment)
    await _check_view(datasette, request, db.name)
    doc = request.args.get("doc") or None
    try:
        limit = min(feed.FEED_MAX, max(1, int(request.args.get("limit", feed.FEED_DEFAULT))))
    except ValueError:
        limit = feed.FEED_DEFAULT
    substantive = request.args.get("substantive") in ("1", "on", "true")
    entries = await _read(
        db,
        lambda history: history.recent(doc, limit, feed.FEED_CHANGES + 1, substantive=substantive),
    )
    if doc:
        site = query_path(db.name, "document_history", document=doc)
    else:
        site = f"/{database_path(db.name)}/changes"
    body = feed.atom_feed(
        entries,
        title=f"{doc or db.name}: recorded changes",
        feed_id=datasette.absolute_url(request, datasette.urls.path(feed_path(db.name, doc))),
        feed_url=request.url,
        site_url=datasette.absolute_url(request, datasette.urls.path(site)),
        diff_url=lambda d, v: datasette.absolute_url(
            request, datasette.urls.path(diff_path(db.name, d, v))
        ),
    )
    return Response(body, content_type="application/atom+xml; charset=utf-8")


def _word_blame(history: History, name: str, ref: str):
    """The word blame of a version of the document named exactly ``name``; its present name if
    it was renamed since; None if there is no such document or version."""
    if history.store.document(name) is None:
        return history.store.renamed_to(name)
    try:
        return history.word_blame(name, ref)
    except UnknownVersion:
        return None


async def words_page(datasette, request) -> Response:
    """``/-/tracker/words/<database>/<doc...>/<version>``: every word of a version shaded by the
    age of the version that wrote it, with that version and its date on hover."""
    db = _tracker_database(datasette, request.url_vars["database"])
    await _check_view(datasette, request, db.name)
    doc, version = unquote(request.url_vars["doc"]), request.url_vars["version"]
    found = await _read(db, lambda history: _word_blame(history, doc, version))
    if isinstance(found, str):
        return Response.redirect(datasette.urls.path(words_path(db.name, found, version)))
    if found is None:
        raise NotFound(f"{doc}: no such document or version in {db.name}")
    html = await datasette.render_template(
        "tracker_words.html",
        {
            "database": db.name,
            "doc": doc,
            "version": found.version.version,
            "captured_at": found.version.captured_at,
            "fragment": Markup(render_word_blame_fragment(found)),
            "css": Markup(BLAME_CSS),
            "diff_url": datasette.urls.path(diff_path(db.name, doc, found.version.version)),
        },
        request=request,
    )
    return Response.html(html)


async def stylesheet(datasette, request) -> Response:
    """``/-/tracker/tracker.css``: the diff styles used by cells and the diff page."""
    return Response(
        CSS,
        content_type="text/css; charset=utf-8",
        headers={"cache-control": "max-age=86400"},
    )


#: URL patterns (relative to base_url) and their handlers.
ROUTES = [
    (r"^/-/tracker/tracker\.css$", stylesheet),
    (r"^/-/tracker/diff/(?P<database>[^/]+)/(?P<doc>.+)/(?P<version>v?\d+|latest)$", diff_page),
    (r"^/-/tracker/version/(?P<database>[^/]+)/(?P<id>\d+)$", version_redirect),
    (r"^/-/tracker/words/(?P<database>[^/]+)/(?P<doc>.+)/(?P<version>v?\d+|latest)$", words_page),
    (r"^/-/tracker/changes\.atom$", atom_feed),
    (r"^/-/tracker/(?P<database>[^/]+)/changes\.atom$", atom_feed),
]
