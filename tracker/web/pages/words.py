"""Who wrote each word: ``/-/tracker/words/<database>/<doc...>/<version>``.

Every word of a version shaded by the age of the version that first wrote it, each run of words
led by a label naming that version, and a legend of the versions with their colours, dates and
diff pages (:meth:`tracker.history.History.word_blame`, as ``tracker blame --words``).
"""

from __future__ import annotations

from urllib.parse import unquote

from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup

from ...errors import UnknownVersion
from ...render.blame import BLAME_CSS, render_word_blame_fragment
from ..urls import diff_path, document_path, words_path
from .common import open_page, page, read, time_html


def _word_blame(history, name: str, ref: str):
    """The word blame of a version of the document named exactly ``name``; its present name if
    it was renamed since; None if there is no such document or version."""
    if history.store.document(name) is None:
        return history.store.renamed_to(name)
    try:
        return history.word_blame(name, ref)
    except UnknownVersion:
        return None


async def words_page(datasette, request) -> Response:
    """The word blame page (see the module docstring)."""
    db = await open_page(datasette, request)
    doc, version = unquote(request.url_vars["doc"]), request.url_vars["version"]
    found = await read(db, lambda history: _word_blame(history, doc, version))
    if isinstance(found, str):
        return Response.redirect(datasette.urls.path(words_path(db.name, found, version)))
    if found is None:
        raise NotFound(f"{doc}: no such document or version in {db.name}")
    context = {
        "database": db.name,
        "doc": doc,
        "version": found.version.version,
        "captured_at": time_html(found.version.captured_at),
        "fragment": Markup(
            render_word_blame_fragment(
                found, lambda v: datasette.urls.path(diff_path(db.name, doc, v))
            )
        ),
        "css": Markup(BLAME_CSS),
        "diff_url": datasette.urls.path(diff_path(db.name, doc, found.version.version)),
        "document_url": datasette.urls.path(document_path(db.name, doc)),
    }
    return await page(datasette, request, "tracker_words.html", context)
