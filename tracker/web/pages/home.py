"""The tracker home page: every document at a glance, the latest changes, a search box.

``/-/tracker/<database>`` (and ``/-/tracker/`` for the only tracker database) lists each
document with its versions, first and last change, its changes in the last 30 days and an
activity sparkline, beside the latest versions recorded across the corpus. Datasette's own front
page ``/`` shows it too when every database served is a tracker database (``tracker serve``, or
``datasette tracker.db``); otherwise ``/`` stays Datasette's list of databases.
"""

from __future__ import annotations

from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup

from ...history.overview import RECENT_DAYS
from ...render.words import counts_words, human_time, plural
from ..charts import sparkline
from ..databases import tracker_databases
from ..urls import (
    database_path,
    diff_path,
    document_path,
    feed_path,
    home_path,
    query_path,
    search_path,
)
from . import common
from .common import check_view, int_arg, page, read, time_html, tracker_database

#: Documents listed per page of the home page, and latest versions shown beside them.
PAGE_SIZE, LATEST = 100, 15


def _only_trackers(datasette) -> list[str]:
    """The tracker databases, if every database served from a file is one (else empty)."""
    names = tracker_databases(datasette)
    files = [n for n, db in datasette.databases.items() if db.path and not db.is_memory]
    return names if names and set(files) <= set(names) else []


async def index_page(datasette, request, send) -> Response:
    """``/``: the tracker home when only tracker databases are served, else Datasette's own."""
    names = _only_trackers(datasette)
    if names and not request.url_vars.get("format"):
        return await _home(datasette, request, names)
    from datasette.views.index import IndexView

    return await IndexView.as_view(datasette)(request, send)


async def home_page(datasette, request) -> Response:
    """``/-/tracker/`` and ``/-/tracker/<database>``."""
    segment = request.url_vars.get("database")
    if segment is not None:
        return await _home(datasette, request, [tracker_database(datasette, segment).name])
    names = tracker_databases(datasette)
    if not names:
        raise NotFound("no tracker database is attached")
    return await _home(datasette, request, names)


async def _home(datasette, request, names: list[str]) -> Response:
    if len(names) > 1:  # several: a list to choose from
        for name in names:
            await check_view(datasette, request, name)
        databases = [{"name": name, "url": datasette.urls.path(home_path(name))} for name in names]
        return await page(datasette, request, "tracker_home.html", {"databases": databases})
    name = names[0]
    await check_view(datasette, request, name)
    db = datasette.get_database(name)
    now = common.clock()

    asked = int_arg(request, "page", 1, 1, 10**6)

    def gather(history):
        number = asked
        documents, total, axis = history.overview(
            now, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE
        )
        if not documents and total:  # past the last page: the last page
            number = -(-total // PAGE_SIZE)
            documents, total, axis = history.overview(
                now, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE
            )
        recent = history.recent(None, LATEST, 0)
        counts = history.store.count_versions(), history.store.time_span()
        return documents, total, axis, number, recent, counts

    shown, total, axis, number, recent, (versions, (first, last)) = await read(db, gather)
    pages = max(1, -(-total // PAGE_SIZE))

    def url(path: str) -> str:
        return datasette.urls.path(path)

    span = recorded = ""
    if axis:  # the sparklines' axis runs to today
        span = f"{human_time(axis[0], with_time=False)} to {human_time(axis[1], with_time=False)}"
    if first and last:  # what was recorded: first to last version
        recorded = f"{human_time(first, with_time=False)} to {human_time(last, with_time=False)}"
    rows = [
        {
            "name": d.name,
            "url": url(document_path(name, d.name)),
            "versions": d.versions,
            "first": time_html(d.first_change, with_time=False),
            "last": time_html(d.last_change, relative=True),
            "recent": d.recent_changes,
            "recent_versions": d.recent_versions,
            "deleted": d.deleted,
            "spark": Markup(
                sparkline(
                    d.buckets,
                    f"{d.name}: {plural(d.versions, 'version')} from {span}, "
                    + ", ".join(str(n) for n in d.buckets),
                )
            ),
        }
        for d in shown
    ]
    latest = [
        {
            "doc": version.doc,
            "doc_url": url(document_path(name, version.doc)),
            "version": version.version,
            "diff_url": url(diff_path(name, version.doc, version.version)),
            "when": time_html(version.captured_at, relative=True),
            "what": counts_words(version),
            "deleted": version.deleted,
        }
        for version, _ in recent
    ]

    def page_url(n: int) -> str | None:
        if not 1 <= n <= pages or n == number:
            return None
        return request.path + (f"?page={n}" if n > 1 else "")

    context = {
        "database": name,
        "documents": rows,
        "document_count": total,
        "version_count": versions,
        "span": span,
        "recorded": recorded,
        "recent_days": RECENT_DAYS,
        "latest": latest,
        "page": number,
        "pages": pages,
        "previous_page_url": page_url(number - 1),
        "next_page_url": page_url(number + 1),
        "search_url": url(search_path(name)),
        "changes_url": url(f"/{database_path(name)}/changes"),
        "versions_url": url(f"/{database_path(name)}/versions"),
        "range_url": url(query_path(name, "changes_in_range")),
        "database_url": url(f"/{database_path(name)}"),
        "feed_url": url(feed_path(name)),
    }
    return await page(datasette, request, "tracker_home.html", context)
