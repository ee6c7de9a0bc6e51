"""What every page of the plugin does first: find the database, check access, read, render.

Pages serve only tracker databases (404 for any other), check that the actor may view the
database, and read through Datasette's read-only connections with one library call each.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from datasette.utils import tilde_decode
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup

from ...errors import TrackerError
from ...history import History
from ...render.html import escape_html
from ...render.words import exact_time, human_time, time_ago
from ...times import now_iso, parse_bound
from ..databases import tracker_databases

T = TypeVar("T")

#: The clock of the pages ("the last 30 days", "3 days ago"); tests replace it.
clock: Callable[[], str] = now_iso


def tracker_database(datasette, segment: str):
    """The tracker database named by a URL segment, or a 404."""
    try:
        db = datasette.get_database(route=tilde_decode(segment))
    except KeyError:
        raise NotFound(f"no database {segment}") from None
    if db.name not in tracker_databases(datasette):
        raise NotFound(f"{db.name} is not a tracker database")
    return db


async def check_view(datasette, request, database: str) -> None:
    """Refuse (403) an actor who may not view the database."""
    await datasette.ensure_permissions(
        request.actor, [("view-database", database), "view-instance"]
    )


async def open_page(datasette, request):
    """The tracker database of the request's ``database`` segment, once access is checked."""
    db = tracker_database(datasette, request.url_vars["database"])
    await check_view(datasette, request, db.name)
    return db


async def read(db, read: Callable[[History], T]) -> T:
    """Run ``read(history)`` on one of Datasette's read-only connections to ``db``."""
    return await db.execute_fn(lambda conn: read(History(conn)))


async def page(datasette, request, template: str, context: dict, status: int = 200) -> Response:
    """A page of the plugin, rendered with Datasette's base template around it."""
    html = await datasette.render_template(template, context, request=request)
    return Response.html(html, status=status)


def time_html(iso: str | None, *, relative: bool = False, with_time: bool = True) -> Markup:
    """A stored time as a ``<time>`` element: the date in words (or how long ago), the exact
    time on hover."""
    if not iso:
        return Markup("-")
    shown = time_ago(iso, clock()) if relative else human_time(iso, with_time=with_time)
    return Markup(
        f'<time datetime="{escape_html(iso)}" title="{escape_html(exact_time(iso))}">'
        f"{escape_html(shown)}</time>"
    )


def date_arg(request, name: str, *, end_of_day: bool) -> tuple[str, str | None]:
    """A date argument as typed (``""`` if absent) and as a stored bound (None if absent or
    not a date)."""
    typed = (request.args.get(name) or "").strip()
    try:
        return typed, parse_bound(typed, end_of_day=end_of_day)
    except TrackerError:
        return typed, None


def int_arg(request, name: str, default: int, low: int, high: int) -> int:
    """An integer argument kept within [low, high]; the default when absent or not a number."""
    try:
        value = int(request.args.get(name, default))
    except (TypeError, ValueError):
        return default
    return min(high, max(low, value))
