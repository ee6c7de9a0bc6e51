"""A document's page: its versions on a timeline, filtered by date, any two of them compared.

``/-/tracker/doc/<database>/<doc...>?since=2026-01-01&until=2026-02-01`` shows the versions of
the window (bare dates, UTC, both ends included) as an SVG timeline, one mark per version sized
by how much it changed, and as a list with Wikipedia-style "from" and "to" radio buttons that
lead to the diff of the two chosen versions. It also links the diff across the whole window:
the document as it was before the window against its last version in it.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import unquote, urlencode

from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup

from ... import refs
from ...errors import UnknownDocument
from ...models import VersionSummary
from ...render.words import counts_words, plural
from ...times import parse_time, to_iso
from ..charts import timeline
from ..urls import (
    compare_path,
    database_path,
    diff_path,
    document_path,
    feed_path,
    query_path,
)
from . import common
from .common import date_arg, int_arg, open_page, page, read, time_html

#: Versions listed per page.
PAGE_SIZE = 100


def _window(versions: list[VersionSummary], since: str | None, until: str | None):
    """The versions of the window, and the version current just before it (None if none)."""
    inside = [
        v
        for v in versions
        if (since is None or v.captured_at >= since) and (until is None or v.captured_at <= until)
    ]
    if since is None:
        return inside, None
    # the text just before the window, as `tracker diff --since` takes it: latest in time
    return inside, refs.resolve_start(since, versions)


async def document_page(datasette, request) -> Response:
    """The document page (see the module docstring)."""
    db = await open_page(datasette, request)
    typed = unquote(request.url_vars["doc"])

    def gather(history):
        try:
            document = history.document(typed)
        except UnknownDocument:
            return None
        return document, history.store.version_summaries(document.id)

    found = await read(db, gather)
    if found is None:
        raise NotFound(f"{typed}: no such document in {db.name}")
    document, versions = found
    name, doc = db.name, document.name
    if doc != typed:  # an old name, a file name or a prefix: the page lives under the full name
        query = f"?{request.query_string}" if request.query_string else ""
        return Response.redirect(datasette.urls.path(document_path(name, doc)) + query)

    since_typed, since = date_arg(request, "since", end_of_day=False)
    until_typed, until = date_arg(request, "until", end_of_day=True)
    problems = [
        f"{typed_value!r} is not a date (use 2026-01-31)"
        for typed_value, bound in ((since_typed, since), (until_typed, until))
        if typed_value and bound is None
    ]
    inside, before = _window(versions, since, until)
    filtered = since is not None or until is not None

    def url(path: str) -> str:
        return datasette.urls.path(path)

    def href(first: VersionSummary, last: VersionSummary) -> str:
        if first is last:
            return url(diff_path(name, doc, last.version))
        return url(diff_path(name, doc, f"{max(1, first.version - 1)}..{last.version}"))

    chart = None
    if inside:
        start = since or inside[0].captured_at
        end = until or inside[-1].captured_at
        if end <= start:  # one moment: a day around it
            end = to_iso(parse_time(start) + timedelta(days=1))
        chart = Markup(timeline(inside, start, end, href))

    across = None
    if filtered and inside:
        last = inside[-1]
        first = before or inside[0]
        if first is not last:
            across = {
                "url": url(diff_path(name, doc, f"{first.version}..{last.version}")),
                "from": first.version,
                "to": last.version,
                "before": before is not None,
                "changed": sum(v.changed for v in inside if v.version > first.version),
            }

    listed = list(reversed(inside))
    pages = max(1, -(-len(listed) // PAGE_SIZE))
    number = int_arg(request, "page", 1, 1, pages)
    shown = listed[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
    newest = listed[0].version if listed else None
    chosen_from = before.version if before else (listed[1].version if len(listed) > 1 else None)
    rows = [
        {
            "version": v.version,
            "url": url(diff_path(name, doc, v.version)),
            "when": time_html(v.captured_at),
            "what": counts_words(v),
            "changed": v.changed,
            "minor": v.minor,
            "deleted": v.deleted,
            "note": v.note,
            "is_from": v.version == chosen_from,
            "is_to": v.version == newest,
        }
        for v in shown
    ]

    def here(**args: object) -> str:
        return url(document_path(name, doc, **args))

    now = common.clock()
    years = sorted({v.captured_at[:4] for v in versions}, reverse=True)
    month_ago = to_iso(parse_time(now) - timedelta(days=30))[:10]
    quick = [{"label": "last 30 days", "url": here(since=month_ago)}]
    quick += [{"label": y, "url": here(since=f"{y}-01-01", until=f"{y}-12-31")} for y in years]

    def page_url(n: int) -> str | None:
        if not 1 <= n <= pages or n == number:
            return None
        return here(since=since_typed, until=until_typed, page=n if n > 1 else None)

    context = {
        "database": name,
        "doc": doc,
        "deleted": bool(versions and versions[-1].deleted),
        "count": len(versions),
        "count_words": plural(len(versions), "version"),
        "first": time_html(versions[0].captured_at) if versions else None,
        "last": time_html(versions[-1].captured_at) if versions else None,
        "since": since_typed,
        "until": until_typed,
        "filtered": filtered,
        "problems": problems,
        "inside": len(inside),
        "inside_words": plural(len(inside), "version"),
        "changed": sum(v.changed for v in inside),
        "timeline": chart,
        "across": across,
        "rows": rows,
        "page": number,
        "pages": pages,
        "previous_page_url": page_url(number - 1),
        "next_page_url": page_url(number + 1),
        "quick": quick,
        "clear_url": here(),
        "document_url": here(),
        "compare_url": url(compare_path(name, doc)),
        "latest_url": url(diff_path(name, doc, "latest")) if versions else None,
        "feed_url": url(feed_path(name, doc)),
        "history_url": url(query_path(name, "document_history", document=doc)),
        "changes_url": url(f"/{database_path(name)}/changes?" + urlencode({"document": doc})),
    }
    return await page(datasette, request, "tracker_document.html", context)
