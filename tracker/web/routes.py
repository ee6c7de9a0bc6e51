"""The URLs the ``tracker`` plugin adds to Datasette, and the small handlers that are not pages.

The pages themselves are in :mod:`tracker.web.pages` (home, document, diff, trace, words,
search). Here: the version-id redirect, the Atom feed, and the static files (stylesheets, the
diff page's script).
:data:`ROUTES` is what the plugin's ``register_routes`` hook returns.
"""

from __future__ import annotations

from datasette.utils.asgi import NotFound, Response

from . import feed as feed
from .assets import STATIC, asset_path
from .databases import tracker_databases
from .pages import diff, document, home, search, trace, words
from .pages.common import check_view, open_page, read, tracker_database
from .urls import database_path, diff_path, document_path, feed_path, home_path


async def version_redirect(datasette, request) -> Response:
    """``/-/tracker/version/<database>/<id>``: a ``versions`` row id to its diff page."""
    db = await open_page(datasette, request)
    version_id = int(request.url_vars["id"])
    found = await read(db, lambda history: history.version_by_row(version_id))
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
    db = tracker_database(datasette, segment)
    await check_view(datasette, request, db.name)
    doc = request.args.get("doc") or None
    try:
        limit = min(feed.FEED_MAX, max(1, int(request.args.get("limit", feed.FEED_DEFAULT))))
    except ValueError:
        limit = feed.FEED_DEFAULT
    substantive = request.args.get("substantive") in ("1", "on", "true")
    entries = await read(
        db,
        lambda history: history.recent(doc, limit, feed.FEED_CHANGES + 1, substantive=substantive),
    )
    site = document_path(db.name, doc) if doc else home_path(db.name)
    body = feed.atom_feed(
        entries,
        title=f"{doc or db.name}: recorded changes",
        feed_id=datasette.absolute_url(request, datasette.urls.path(feed_path(db.name, doc))),
        feed_url=request.url,
        site_url=datasette.absolute_url(request, datasette.urls.path(site)),
        diff_url=lambda d, v: datasette.absolute_url(
            request, datasette.urls.path(diff_path(db.name, d, v))
        ),
        stylesheet=datasette.urls.path(asset_path("feed.css")),
    )
    # a browser opening the link (it asks for HTML) gets the same feed as XML, which it styles
    # with feed.css; as application/atom+xml, Chromium shows the bare source. Readers ask for
    # Atom, or for anything, and get it.
    browser = "text/html" in request.headers.get("accept", "")
    kind = "application/xml" if browser else "application/atom+xml"
    return Response(body, content_type=f"{kind}; charset=utf-8", headers={"Vary": "Accept"})


async def static_file(datasette, request) -> Response:
    """``/-/tracker/<name>``: the stylesheets and the script (cached; their URLs change with
    them)."""
    kind, text = STATIC[request.url_vars["name"]]
    return Response(
        text,
        content_type=f"{kind}; charset=utf-8",
        headers={"cache-control": "max-age=86400"},
    )


_DOC = r"(?P<database>[^/]+)/(?P<doc>.+)"

#: URL patterns (relative to base_url) and their handlers.
ROUTES = [
    (r"^/-/tracker/(?P<name>tracker\.css|tracker\.js|feed\.css)$", static_file),
    (rf"^/-/tracker/diff/{_DOC}/(?P<version>{diff.VERSIONS})$", diff.diff_page),
    (rf"^/-/tracker/compare/{_DOC}$", diff.compare),
    (rf"^/-/tracker/doc/{_DOC}$", document.document_page),
    (rf"^/-/tracker/trace/{_DOC}$", trace.trace_page),
    (r"^/-/tracker/version/(?P<database>[^/]+)/(?P<id>\d+)$", version_redirect),
    (rf"^/-/tracker/words/{_DOC}/(?P<version>v?\d+|latest)$", words.words_page),
    (r"^/-/tracker/changes\.atom$", atom_feed),
    (r"^/-/tracker/(?P<database>[^/]+)/changes\.atom$", atom_feed),
    (r"^/-/tracker/(?P<database>[^/]+)/search(?:\.(?P<format>json))?$", search.search_view),
    (r"^/-/tracker/?$", home.home_page),
    (r"^/-/tracker/(?P<database>[^/]+)/?$", home.home_page),
    (r"^/(?:\.(?P<format>jsono?))?$", home.index_page),
]
