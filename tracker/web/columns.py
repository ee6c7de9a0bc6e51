"""Which columns the ``documents``, ``versions`` and ``changes`` pages show first, and which not.

Datasette shows every column in table order, which puts the highlighted change of ``changes``
past the right edge of a laptop screen and the counts of ``versions`` behind SHA-256 sums and
paragraph lists. The plugin's ASGI wrapper gives a plain HTML visit of those pages the column
order below (Datasette's own ``_col`` arguments): the columns people read first, the internal
ones left out; a plain visit of all of ``changes`` leaves out its facets (``_nofacet``, linked
from its description), and on a large history its row count too (``_nocount``).
``?_all=1`` (linked from each table's description), or any ``_col``/``_nocol`` of your own,
shows the table as Datasette would; JSON and CSV always have every column (and JSON its facets),
but the JSON of ``changes`` too leaves out the row count on a large history.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode

from datasette.utils import tilde_decode

from ..history import History
from .databases import tracker_databases

#: The columns read first, in order (primary keys are always shown first by Datasette).
FIRST: dict[str, list[str]] = {
    "changes": ["document", "version", "captured_at", "op", "class", "new_text"],
    "versions": [
        "document_id",
        "version",
        "captured_at",
        "added",
        "removed",
        "modified",
        "moved",
        "substantive",
        "paragraphs",
        "bytes",
        "deleted",
        "note",
    ],
    "documents": ["name", "created_at", "split_mode", "file_size"],
}

#: Internal columns, left out by default (ids, hashes, encodings).
HIDDEN: dict[str, set[str]] = {
    "changes": {"id", "lineage", "split_from", "merged_into"},
    "versions": {"sha256", "paragraph_ids", "layout", "lineages"},
    "documents": {"file_mtime_ns", "file_checked_ns"},
}

#: Past this many stored changes, the ``changes`` page leaves out its row count: counting the rows
#: of the view takes a second on 430,000 changes (200,000 versions), every time the page loads.
COUNT_CHANGES_UP_TO = 100_000

_PAGE = re.compile(r"^/([^/]+)/(changes|versions|documents)(\.json)?$")
_OWN_CHOICE = ("_col", "_nocol", "_all", "_format", "_shape")


async def default_columns(datasette, path: str, query: str) -> str | None:
    """The query string to use instead of ``query`` for a visit of ``path`` (relative to
    base_url; an HTML page, or the JSON of ``changes``), or None to leave the request alone."""
    match = _PAGE.match(path)
    if not match:
        return None
    args = parse_qsl(query, keep_blank_values=True)
    try:
        db = datasette.get_database(route=tilde_decode(match.group(1)))
    except KeyError:
        return None
    table, as_json = match.group(2), match.group(3) is not None
    if db.name not in tracker_databases(datasette):
        return None
    if as_json:  # the API keeps every column and its facets; only the huge count is left out
        choice = await _count_choice(datasette, db, table, args)
        return urlencode(choice + args) if choice else None
    if any(key in _OWN_CHOICE for key, _ in args):
        return None
    cache = datasette.__dict__.setdefault("_tracker_columns", {})
    key = (db.name, table)
    if key not in cache:
        columns = await db.table_columns(table)
        keys = await db.primary_keys(table) if table != "changes" else []
        first = [c for c in FIRST[table] if c in columns]
        rest = [c for c in columns if c not in first and c not in HIDDEN[table]]
        cache[key] = [c for c in first + rest if c not in keys]
    chosen = [("_col", column) for column in cache[key]]
    filtered = any(not key.startswith("_") or "__" in key for key, _ in args)
    if table == "changes" and not filtered and not any(k.startswith("_facet") for k, _ in args):
        # each facet of changes (document, operation, class, date) groups every changed
        # paragraph: 40 to 90 ms apiece on the PEP history, most of a second on 200,000
        # versions. A plain visit of the whole view leaves them out (its description links
        # them); filtered rows (a document, a version...) or asked-for facets get them.
        chosen.append(("_nofacet", "1"))
    chosen += await _count_choice(datasette, db, table, args)
    return urlencode(chosen + args)


async def _count_choice(datasette, db, table: str, args: list) -> list[tuple[str, str]]:
    """``_nocount`` for the ``changes`` view of a database holding more than
    :data:`COUNT_CHANGES_UP_TO` changes (unless the request says), else nothing."""
    if table != "changes" or any(key == "_nocount" for key, _ in args):
        return []
    cache = datasette.__dict__.setdefault("_tracker_columns", {})
    if ("size", db.name) not in cache:
        cache[("size", db.name)] = await db.execute_fn(
            lambda conn: History(conn).store.change_rows()
        )
    return [("_nocount", "1")] if cache[("size", db.name)] > COUNT_CHANGES_UP_TO else []


def asgi_wrapper(datasette):
    """An ASGI wrapper applying :func:`default_columns` before Datasette routes the request."""

    def wrap(app):
        async def wrapped(scope, receive, send):
            if scope.get("type") == "http" and scope.get("method") in ("GET", "HEAD"):
                path = scope.get("path", "")
                base_url = datasette.setting("base_url")
                if base_url != "/" and path.startswith(base_url):
                    path = "/" + path[len(base_url) :]
                query = scope.get("query_string", b"").decode("latin-1")
                new = await default_columns(datasette, path, query)
                if new is not None:
                    scope = dict(scope, query_string=new.encode("latin-1"))
            await app(scope, receive, send)

        return wrapped

    return wrap
