"""The HTML the plugin adds to Datasette pages: the stylesheet, diff cells and search snippets.

Document text is always escaped here; only the markup around it is trusted.
"""

from __future__ import annotations

from importlib.resources import files

from ..render.html import DIFF_CSS, escape_html
from ..render.trim import trimmed_inline_html, trimmed_text_html, trimmed_whole_html
from ..text.inline import inline_diff
from ..text.snippets import MARKS

#: Seconds one table cell's word diff may take (a page shows up to 100 of them); past it the
#: highlights are coarser. The version's own diff page uses the full diff.
CELL_DIFF_TIMEOUT = 0.05

#: Markers of a search hit inside a ``snippet`` column (turned into ``<mark>`` when rendered);
#: the ``search`` query shows the text's own as U+2402 and U+2403 (see tracker.text.snippets).
MARK_START, MARK_END = MARKS

#: Styles added to the pages of tracker databases: the diff styles, then the plugin's own
#: (``static/tracker.css``: cells, pages, folds, dark mode, small screens).
CSS = DIFF_CSS + (files(__package__) / "static" / "tracker.css").read_text(encoding="utf-8")


def change_html(op: str, old_text: str | None, new_text: str | None) -> str:
    """One stored paragraph change as escaped HTML with ``<del>``/``<ins>`` (a table cell).

    The word-level diff of an edited paragraph is computed here, when it is shown: the store
    keeps only which paragraphs changed. Long unchanged stretches are folded (the change reads
    as the sentences it touched).
    """
    if op == "insert":
        body = trimmed_whole_html(new_text or "", "ins")
    elif op == "delete":
        body = trimmed_whole_html(old_text or "", "del")
    elif old_text is not None and new_text is not None and old_text != new_text:
        body = trimmed_inline_html(inline_diff(old_text, new_text, timeout=CELL_DIFF_TIMEOUT))
    else:
        body = trimmed_text_html(new_text if new_text is not None else old_text or "")
    note = '<span class="note">moved</span>' if op == "move" else ""
    return (
        f'<div class="tracker-diff"><div class="para op-{escape_html(op)}">'
        f'<div class="text">{note}{body}</div></div></div>'
    )


def snippet_html(snippet: str) -> str:
    """A search snippet as escaped HTML, its hit markers turned into ``<mark>``."""
    return (
        escape_html(snippet)
        .replace(MARK_START, '<mark class="tracker-hit">')
        .replace(MARK_END, "</mark>")
    )


def old_text_html(text: str) -> str:
    """The old text of a change, folded (the diff beside it already shows what it was)."""
    return (
        f'<details class="tracker-old"><summary>{len(text):,} characters</summary>'
        f"<div>{escape_html(text)}</div></details>"
    )
