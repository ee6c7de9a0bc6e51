"""The diff page: one version against the one before (``.../DOC/17``) or any two (``3..17``).

``/-/tracker/diff/<database>/<doc...>/<versions>`` shows the paragraph diff to read and move
around in (:func:`tracker.render.htmlview.render_diff_view`): anchors, a change navigator and a
minimap, folded unchanged runs, trimmed long paragraphs, links to each paragraph's history.
``/-/tracker/compare/<database>/<doc...>?from=3&to=17`` is where compare forms lead.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlencode

from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup

from ...errors import UnknownVersion
from ...history import History
from ...models import DiffResult, VersionSummary
from ...render.html import LAYOUTS
from ...render.htmlview import OP_WORDS, render_diff_view
from ...render.words import comeback_words, stats_words
from ...text.classes import parse_ignore
from ...text.diff import stats
from ..assets import asset_path
from ..urls import (
    compare_path,
    database_path,
    diff_path,
    document_path,
    feed_path,
    trace_path,
    words_path,
)
from .common import int_arg, open_page, page, read, time_html

#: A version reference in a diff URL, and a range of two.
VERSION = r"v?\d+|latest"
VERSIONS = rf"(?:{VERSION})(?:\.\.(?:{VERSION}))?"

#: The classes the page's form offers to ignore, and how it names them (``volatile`` only for a
#: document that ignore patterns apply to: the command line adds them, `tracker ignore add`).
IGNORE_WORDS = {
    "whitespace": "spacing",
    "punctuation": "punctuation",
    "case": "letter case",
    "numbers": "numbers",
    "moved": "moves",
    "volatile": "your ignore patterns",
}

#: Most marks the minimap draws (changes closer than this share one).
MINIMAP_SLOTS = 400


@dataclass
class Found:
    result: DiffResult
    versions: list[VersionSummary]
    ranged: bool
    patterns: bool  # whether ignore patterns apply to the document


def _find(history: History, name: str, spec: str, ignore: frozenset[str]) -> Found | str | None:
    """The diff named by a URL (``17``, ``v17``, ``latest`` or ``3..17``) of the document named
    exactly ``name``, the changes of the ``ignore`` classes shown as unchanged, with its
    versions; its present name if it was renamed since; None if there is no such document or
    version."""
    document = history.store.document(name)
    if document is None:
        return history.store.renamed_to(name)
    since, _, until = spec.rpartition("..")
    try:
        result = history.diff(name, since=since or None, until=until, ignore=ignore)
    except UnknownVersion:
        return None
    summaries = history.store.version_summaries(document.id)
    return Found(result, summaries, bool(since), bool(history.patterns_for(name)))


def _ignored(request) -> tuple[frozenset[str], str | None]:
    """The classes ``?ignore=`` names (repeated, or comma-separated as ``tracker diff --ignore``
    takes them, ``minor`` for all), and what is wrong with the list (None when nothing)."""
    typed = ",".join(v for v in request.args.getlist("ignore") if v.strip())
    try:
        return parse_ignore(typed), None
    except ValueError as error:
        return frozenset(), str(error)


def _minimap(marks) -> list[dict]:
    """The minimap's marks: place (percent from the top), kind, anchor and label; changes too
    close to tell apart share the first one's mark."""
    out: list[dict] = []
    last_slot = -1
    for mark in marks:
        slot = int(mark.place * MINIMAP_SLOTS)
        if slot == last_slot:
            continue
        last_slot = slot
        label = f"{OP_WORDS[mark.op]}: paragraph {mark.anchor[1:]}"
        out.append(
            {
                "top": f"{mark.place * 100:.2f}",
                "op": mark.op,
                "minor": mark.minor,
                "anchor": mark.anchor,
                "label": label,
            }
        )
    return out


async def diff_page(datasette, request) -> Response:
    """The diff page (see the module docstring)."""
    db = await open_page(datasette, request)
    doc, spec = unquote(request.url_vars["doc"]), request.url_vars["version"]
    ignore, ignore_problem = _ignored(request)
    found = await read(db, lambda history: _find(history, doc, spec, ignore))
    if isinstance(found, str):  # renamed since: the page lives under the present name
        query = f"?{request.query_string}" if request.query_string else ""
        return Response.redirect(datasette.urls.path(diff_path(db.name, found, spec)) + query)
    if found is None:
        raise NotFound(f"{doc}: no such document or version in {db.name}")
    result, versions = found.result, found.versions
    layout = request.args.get("layout", "inline")
    layout = layout if layout in LAYOUTS else "inline"
    full = request.args.get("full") in ("1", "on", "true")
    context = int_arg(request, "context", 1, 0, 50)
    hide_minor = request.args.get("minor") == "hide"
    name = db.name
    old, new = result.old, result.new

    def here(**changes: object) -> str:
        args = {
            "layout": layout,
            "full": "1" if full else "",
            "context": str(context),
            "minor": "hide" if hide_minor else "",
            "ignore": ",".join(sorted(ignore)),
        }
        args.update({key: str(value) for key, value in changes.items()})
        kept = {k: v for k, v in args.items() if v and (k, v) not in _DEFAULT_ARGS}
        return "?" + urlencode(kept) if kept else request.path

    def href(side: str, index: int) -> str | None:
        version = new if side == "new" else old
        if version is None or version.deleted:
            return None
        return datasette.urls.path(trace_path(name, doc, index + 1, version.version))

    def url(path: str) -> str:
        return datasette.urls.path(path)

    changes, hidden = result.changes, result.hidden
    view = render_diff_view(
        changes,
        context=context,
        full=full,
        layout=layout,
        href=href,
        full_href=here(full="1"),
        classify=lambda change: change.kind,
    )
    numbers = [v.version for v in versions]
    position = numbers.index(new.version)
    single = not found.ranged

    def diff_url(number: int | None) -> str | None:
        return None if number is None else url(diff_path(name, doc, number))

    counts = stats(changes)
    minor_count = sum(1 for mark in view.marks if mark.minor)
    context_vars = {
        "database": name,
        "doc": doc,
        "old": old,
        "new": new,
        "old_time": time_html(old.captured_at) if old else None,
        "old_back": comeback_words(old.restored, old.recreated) if old else None,
        "new_back": comeback_words(new.restored, new.recreated),
        "old_url": diff_url(old.version) if old else None,
        "new_time": time_html(new.captured_at),
        "ranged": found.ranged,
        "stats": stats_words(counts),
        "changes": len(view.marks),
        "minor_count": minor_count,
        "hide_minor": hide_minor,
        "classes": [
            {"name": kind, "words": words, "checked": kind in ignore}
            for kind, words in IGNORE_WORDS.items()
            if kind != "volatile" or found.patterns or kind in ignore
        ],
        "ignore": ignore,
        "ignore_problem": ignore_problem,
        "hidden": hidden,
        "keep_args": [
            (key, value)
            for key, value in (("layout", layout), ("context", str(context)))
            if (key, value) not in _DEFAULT_ARGS
        ]
        + ([("full", "1")] if full else []),
        "fragment": Markup(view.html),
        "minimap": _minimap(view.marks),
        "previous_url": diff_url(numbers[position - 1] if single and position else None),
        "next_url": diff_url(
            numbers[position + 1] if single and position + 1 < len(numbers) else None
        ),
        "latest_url": diff_url(numbers[-1]) if position + 1 < len(numbers) else None,
        "document_url": url(document_path(name, doc)),
        "between_url": url(
            document_path(
                name,
                doc,
                since=old.captured_at[:10] if old else None,
                until=new.captured_at[:10],
            )
        )
        if found.ranged
        else None,
        "changes_url": url(
            f"/{database_path(name)}/changes?"
            + urlencode({"document": doc, "version": new.version})
        )
        if single
        else None,
        "feed_url": url(feed_path(name, doc)),
        "words_url": None if new.deleted else url(words_path(name, doc, new.version)),
        "compare_url": url(compare_path(name, doc)),
        "script_url": url(asset_path("tracker.js")),
        "first_version": numbers[0],
        "last_version": numbers[-1],
        "layout": layout,
        "full": full,
        "toggle_full_url": here(full="" if full else "1"),
        "toggle_layout_url": here(layout="side-by-side" if layout == "inline" else "inline"),
        "toggle_minor_url": here(minor="" if hide_minor else "hide"),
    }
    return await page(datasette, request, "tracker_diff.html", context_vars)


_DEFAULT_ARGS = {("layout", "inline"), ("context", "1")}


async def compare(datasette, request) -> Response:
    """``/-/tracker/compare/<database>/<doc...>?from=3&to=17``: to the diff of 3..17 (the
    older one first); one of them alone: that version against the one before."""
    db = await open_page(datasette, request)
    doc = unquote(request.url_vars["doc"])
    numbers = []
    for key in ("from", "to"):
        value = (request.args.get(key) or "").strip().lstrip("v")
        if value:
            if not value.isdigit():
                raise NotFound(f"not a version number: {value}")
            numbers.append(int(value))
    if not numbers:
        return Response.redirect(datasette.urls.path(document_path(db.name, doc)))
    low, high = min(numbers), max(numbers)
    spec = f"{low}..{high}" if low != high else str(high)
    return Response.redirect(datasette.urls.path(diff_path(db.name, doc, spec)))
