"""Where things are in a Datasette serving tracker databases: paths of diffs, feeds and queries.

Every path is relative to Datasette's ``base_url`` (pass it through ``datasette.urls.path``).
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from datasette.utils import tilde_encode


def database_path(database: str) -> str:
    """The URL segment of a database name (Datasette's tilde encoding)."""
    return tilde_encode(database)


def diff_path(database: str, doc: str, version: int | str) -> str:
    """Path (without base_url) of the rendered diff of one version of a document."""
    return f"/-/tracker/diff/{database_path(database)}/{quote(doc, safe='/')}/{version}"


def words_path(database: str, doc: str, version: int | str) -> str:
    """Path (without base_url) of the word blame of one version of a document."""
    return f"/-/tracker/words/{database_path(database)}/{quote(doc, safe='/')}/{version}"


def feed_path(database: str, doc: str | None = None) -> str:
    """Path (without base_url) of the Atom feed of a database, or of one of its documents."""
    path = f"/-/tracker/{database_path(database)}/changes.atom"
    return f"{path}?{urlencode({'doc': doc})}" if doc else path


def query_path(database: str, query: str, **params: object) -> str:
    """Path (without base_url) of a canned query with its parameters filled in."""
    path = f"/{database_path(database)}/{query}"
    return f"{path}?{urlencode(params)}" if params else path
