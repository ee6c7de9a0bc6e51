"""The history of one paragraph: every version that created, changed, moved, split, merged,
deleted or put it back, each with its words diff and a link to that version's diff.

``/-/tracker/trace/<database>/<doc...>?paragraph=12&at=17`` (paragraph 12 as numbered in version
17; without ``at``, the latest) reads :meth:`tracker.history.History.trace`, as ``tracker trace``
does.
"""

from __future__ import annotations

from urllib.parse import unquote

from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup

from ...errors import TrackerError
from ...render.html import escape_html
from ...render.htmlview import CLASS_WORDS
from ...render.trim import trimmed_inline_html, trimmed_text_html
from ...render.words import document_back_words, plural
from ..urls import diff_path, document_path
from .common import int_arg, open_page, page, read, time_html

#: How each event reads.
EVENT_WORDS = {
    "created": "created",
    "split": "split off",
    "restored": "put back",
    "modified": "modified",
    "moved": "moved",
    "deleted": "deleted",
    "merged": "merged",
}


def _relations(event) -> str:
    """The other paragraphs an event names, in words."""
    parts = []
    if event.op == "moved" and event.old_index is not None:
        parts.append(f"moved from paragraph {event.old_index}")
    if event.split_from is not None:
        parts.append(f"split from paragraph {event.split_from}")
    if event.merged_from:
        parts.append("took in paragraphs " + ", ".join(map(str, event.merged_from)))
    if event.split_into:
        parts.append("split, leaving paragraphs " + ", ".join(map(str, event.split_into)))
    if event.merged_into is not None:
        parts.append(f"merged into paragraph {event.merged_into}")
    return "; ".join(parts)


async def trace_page(datasette, request) -> Response:
    """The trace page (see the module docstring)."""
    db = await open_page(datasette, request)
    doc = unquote(request.url_vars["doc"])
    paragraph = int_arg(request, "paragraph", 1, 1, 10**9)
    at = (request.args.get("at") or "latest").strip() or "latest"

    def gather(history):
        try:
            return history.trace(doc, paragraph, at)
        except TrackerError as error:
            return str(error)

    found = await read(db, gather)
    if isinstance(found, str):
        raise NotFound(found)
    version, index, events = found
    name, doc = db.name, version.doc

    def url(path: str) -> str:
        return datasette.urls.path(path)

    rows = []
    for event in events:
        gone = event.op in ("deleted", "merged")
        anchor = f"#o{event.index}" if gone else f"#p{event.index}"
        if event.inline is not None:
            body = trimmed_inline_html(event.inline)
        elif gone:
            body = f"<del>{escape_html(event.text)}</del>"
        else:
            body = trimmed_text_html(event.text)
        rows.append(
            {
                "version": event.version,
                "url": url(diff_path(name, doc, event.version)) + anchor,
                "when": time_html(event.captured_at),
                "op": event.op,
                "words": EVENT_WORDS.get(event.op, event.op),
                # a minor edit says so: its marks alone (a struck-out blank) say little
                "minor": None
                if event.change_class == "moved"
                else CLASS_WORDS.get(event.change_class or ""),
                "position": event.index,
                "relations": _relations(event),
                "body": Markup(body),
                "backs": [
                    {
                        "version": back.version,
                        "url": url(diff_path(name, doc, back.version)),
                        "when": time_html(back.captured_at),
                        "words": document_back_words(back),
                    }
                    for back in event.document_back_after
                ],
            }
        )
    context = {
        "database": name,
        "doc": doc,
        "paragraph": index + 1,
        "version": version.version,
        "document_url": url(document_path(name, doc)),
        "diff_url": url(diff_path(name, doc, version.version)) + f"#p{index + 1}",
        "events": rows,
        "event_words": plural(len(rows), "event"),
    }
    return await page(datasette, request, "tracker_trace.html", context)
