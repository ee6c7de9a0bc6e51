"""Where words appear, and since when: ``/-/tracker/<database>/search?q=...``.

The answer of :func:`tracker.corpus.search.search_page`, as ``tracker search`` prints it, read as
a page: the hits grouped by document, each with its snippet, the versions that held it, when it
first appeared and whether the latest version still has it, with links to the document, to the
diff where it appeared and to the paragraph's history. ``versions=all`` searches every version
ever recorded (``--all-versions``), ``doc=`` only documents whose name matches (``--doc``),
``limit=`` shows that many hits (``--limit``; the page links to more). ``.../search.json`` gives
the same answer as JSON. A query with nothing to search for is a message (status 400).
"""

from __future__ import annotations

from dataclasses import dataclass

from datasette.utils.asgi import Response
from markupsafe import Markup

from ...corpus.search import SearchResult, search_page
from ...errors import TrackerError
from ...render.words import plural
from ...text.snippets import MARKS
from ..cells import snippet_html
from ..urls import diff_path, document_path, query_path, search_path, trace_path
from .common import int_arg, open_page, page, read, time_html

#: Hits shown at first (as ``tracker search``), how many more each "more" link adds, and the
#: most a page shows: 100, so that every page stays under 500 ms on 200,000 versions (the
#: library took 245 ms for 100 hits of the commonest prefix there, 577 ms for 150); past them,
#: a document filter narrows the search, and `tracker search --limit 0` gives every hit.
LIMIT, MORE, MAX_LIMIT = 50, 50, 100


@dataclass(frozen=True)
class Asked:
    """A search as the URL asks it."""

    q: str
    all_versions: bool
    doc: str | None
    limit: int

    def params(self, **changed: object) -> dict:
        """The URL arguments of this search (``changed``: some of them otherwise)."""
        params = {
            "q": self.q,
            "versions": "all" if self.all_versions else None,
            "doc": self.doc,
            "limit": self.limit if self.limit != LIMIT else None,
        }
        return params | changed


@dataclass(frozen=True)
class Answer:
    """What a search found (``result``), or why it could not search (``error``); and whether the
    document filter names any document (as the search itself found it)."""

    result: SearchResult | None = None
    error: str | None = None
    documents_match: bool = True


def _asked(request) -> Asked:
    doc = (request.args.get("doc") or "").strip()
    return Asked(
        q=request.args.get("q") or "",
        all_versions=request.args.get("versions") == "all",
        doc=doc or None,
        limit=int_arg(request, "limit", LIMIT, 1, MAX_LIMIT),
    )


def _search(history, asked: Asked) -> Answer:
    """The library's search, as ``tracker search`` runs it, with the details the page links."""
    try:
        result = search_page(
            history,
            asked.q,
            all_versions=asked.all_versions,
            doc=asked.doc,
            marks=MARKS,
            limit=asked.limit,
            details=True,
        )
    except TrackerError as error:
        return Answer(error=str(error))
    return Answer(result, documents_match=result.documents_match)


async def search_view(datasette, request) -> Response:
    """The search page, or its JSON (see the module docstring)."""
    db = await open_page(datasette, request)
    asked = _asked(request)
    as_json = request.url_vars.get("format") == "json"
    answer = Answer()
    if asked.q.strip():
        answer = await read(db, lambda history: _search(history, asked))
    elif as_json:
        answer = Answer(error="no words to search for: give them as ?q=")
    if as_json:
        return _json(datasette, db.name, asked, answer)
    context = _context(datasette, db.name, asked, answer)
    return await page(
        datasette, request, "tracker_search.html", context, status=400 if answer.error else 200
    )


def _json(datasette, name: str, asked: Asked, answer: Answer) -> Response:
    """The answer as JSON: the library's hits (snippets marked with U+0002 and U+0003), counts,
    and the URL of the next hits."""
    if answer.error is not None:
        return Response.json({"ok": False, "error": answer.error, "status": 400}, status=400)
    result = answer.result
    more = _more_limit(asked, result)
    more_url = search_path(name, json=True, **asked.params(limit=more)) if more else None
    return Response.json(
        {
            "ok": True,
            "database": name,
            "q": asked.q,
            "versions": "all" if asked.all_versions else "latest",
            "doc": asked.doc,
            "limit": asked.limit,
            "total": result.total,
            "at_least": result.at_least,
            "documents": result.documents,
            "hits": result.hits,
            "next_url": datasette.urls.path(more_url) if more_url else None,
        }
    )


def _more_limit(asked: Asked, result: SearchResult) -> int | None:
    """The limit of the link to more hits, if there are more and the page may show them."""
    if len(result.hits) >= result.total or asked.limit >= MAX_LIMIT:
        return None
    return min(MAX_LIMIT, asked.limit + MORE)


def _hit(url, name: str, hit: dict, number: int, all_versions: bool) -> dict:
    """One hit, as the template shows it."""
    doc, first = hit["doc"], hit["first"]
    anchor = f"#p{first['paragraph']}" if first.get("paragraph") else ""
    if all_versions:  # its history from where it appeared (None: not found there)
        trace_at = (first["paragraph"], first["version"]) if first.get("paragraph") else None
    else:  # from its place in the latest version
        trace_at = (hit["paragraph"], hit["version"])
    removed = hit.get("removed")
    return {
        "number": number,
        "snippet": Markup(snippet_html(hit["snippet"])),
        "ranges": hit["ranges"],
        "count": plural(len(hit["versions"]), "version"),
        "first_version": first["version"],
        "first_url": url(diff_path(name, doc, first["version"])) + anchor,
        "first_at": time_html(first["at"], with_time=False),
        "latest": None
        if all_versions
        else {
            "version": hit["version"],
            "paragraph": hit["paragraph"],
            "url": url(diff_path(name, doc, hit["version"])) + f"#p{hit['paragraph']}",
        },
        "removed": {
            "version": removed["version"],
            "url": url(diff_path(name, doc, removed["version"])),
            "at": time_html(removed["at"], with_time=False),
        }
        if removed
        else None,
        "trace_url": url(trace_path(name, doc, *trace_at)) if trace_at else None,
        "provenance_url": url(query_path(name, "provenance", paragraph=hit["paragraph_id"])),
    }


def _groups(url, name: str, asked: Asked, result: SearchResult) -> list[dict]:
    """The hits by document (the library gives them in document order); the last group may go
    on past the page (``more``)."""
    groups: list[dict] = []
    for number, hit in enumerate(result.hits, start=1):
        if not groups or groups[-1]["doc"] != hit["doc"]:
            groups.append(
                {"doc": hit["doc"], "url": url(document_path(name, hit["doc"])), "hits": []}
            )
        groups[-1]["hits"].append(_hit(url, name, hit, number, asked.all_versions))
    for group in groups:
        group["count"] = plural(len(group["hits"]), "paragraph")
        group["more"] = False
    if groups and len(result.hits) < result.total:
        groups[-1]["more"] = True
    return groups


def _summary(result: SearchResult) -> str:
    """``114 paragraphs in 23 documents`` (``at least`` when counting stopped)."""
    floor = "at least " if result.at_least else ""
    return (
        f"{floor}{plural(result.total, 'paragraph')} in "
        f"{floor}{plural(result.documents, 'document')}"
    )


def _context(datasette, name: str, asked: Asked, answer: Answer) -> dict:
    def url(path: str) -> str:
        return datasette.urls.path(path)

    def here(**changed: object) -> str:
        return url(search_path(name, **asked.params(**changed)))

    result = answer.result
    more = _more_limit(asked, result) if result else None
    return {
        "database": name,
        "q": asked.q,
        # in quotes, unless the words bring their own (a "phrase")
        "quoted": asked.q
        if '"' in asked.q
        else f"\N{LEFT DOUBLE QUOTATION MARK}{asked.q}\N{RIGHT DOUBLE QUOTATION MARK}",
        "all_versions": asked.all_versions,
        "doc": asked.doc or "",
        "limit": asked.limit,
        "max_limit": MAX_LIMIT,
        "error": answer.error,
        "documents_match": answer.documents_match,
        "result": result,
        "summary": _summary(result) if result and result.total else None,
        "shown": len(result.hits) if result else 0,
        "groups": _groups(url, name, asked, result) if result else [],
        "search_url": url(search_path(name)),
        "more_url": here(limit=more) + f"#hit-{asked.limit + 1}" if more else None,
        "more_count": min(more, result.total) - asked.limit if more and result else 0,
        "every_version_url": here(versions="all", limit=None),
        "latest_url": here(versions=None, limit=None),
        "every_document_url": here(doc=None, limit=None),
        "json_url": url(search_path(name, json=True, **asked.params())),
        "sql_url": url(query_path(name, "search", q=asked.q)),
    }
