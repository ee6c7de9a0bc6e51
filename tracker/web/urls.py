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
    """Path (without base_url) of the rendered diff of one version of a document (against the
    one before), or of a range of versions (``"3..17"``)."""
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


def _doc(doc: str) -> str:
    return quote(doc, safe="/")


def home_path(database: str | None = None) -> str:
    """Path of the tracker home page (of one database, or of the only one)."""
    return "/-/tracker/" if database is None else f"/-/tracker/{database_path(database)}"


def document_path(database: str, doc: str, **params: object) -> str:
    """Path of a document's page: its versions on a timeline, to filter and compare."""
    path = f"/-/tracker/doc/{database_path(database)}/{_doc(doc)}"
    kept = {key: value for key, value in params.items() if value not in (None, "")}
    return f"{path}?{urlencode(kept)}" if kept else path


def compare_path(database: str, doc: str) -> str:
    """Path the compare form is sent to (``?from=3&to=17`` leads to the diff of 3..17)."""
    return f"/-/tracker/compare/{database_path(database)}/{_doc(doc)}"


def trace_path(database: str, doc: str, paragraph: int, at: int | str) -> str:
    """Path of the history of paragraph ``paragraph`` (1-based) of version ``at`` of a doc."""
    query = urlencode({"paragraph": paragraph, "at": at})
    return f"/-/tracker/trace/{database_path(database)}/{_doc(doc)}?{query}"


def search_path(database: str, *, json: bool = False, **params: object) -> str:
    """Path of the search page of a database (``json``: its JSON), with its arguments (``q``,
    ``versions``, ``doc``, ``limit``; empty ones left out)."""
    path = f"/-/tracker/{database_path(database)}/search" + (".json" if json else "")
    kept = {key: value for key, value in params.items() if value not in (None, "")}
    return f"{path}?{urlencode(kept)}" if kept else path


def asset_path(name: str) -> str:
    """Path of one of the plugin's static files (stylesheets, script)."""
    return f"/-/tracker/{name}"
