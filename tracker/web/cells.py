"""The HTML the plugin adds to Datasette pages: the stylesheet, diff cells and search snippets.

Document text is always escaped here; only the markup around it is trusted.
"""

from __future__ import annotations

from ..render.html import DIFF_CSS, escape_html, render_inline_html
from ..text.inline import inline_diff
from ..text.snippets import MARKS

#: Seconds one table cell's word diff may take (a page shows up to 100 of them); past it the
#: highlights are coarser. The version's own diff page uses the full diff.
CELL_DIFF_TIMEOUT = 0.05

#: Markers of a search hit inside a ``snippet`` column (turned into ``<mark>`` when rendered);
#: the ``search`` query shows the text's own as U+2402 and U+2403 (see tracker.text.snippets).
MARK_START, MARK_END = MARKS

#: Styles added to the pages of tracker databases: the diff styles, their use inside table cells,
#: compact column descriptions, and an automatic layout for the side-by-side table (with a fixed
#: layout, a diff that opens with a skipped run would get four equal columns from its first row).
CSS = (
    DIFF_CSS
    + """\
td .tracker-diff{line-height:1.4;min-width:16em}
td .tracker-diff .note{font-size:.8em}
td .tracker-diff .text{display:block}
.tracker-cell-op-insert{background:#e6ffec}
.tracker-cell-op-delete{background:#ffebe9}
mark.tracker-hit{background:#fff8c5;padding:0 .1em}
.tracker-nav{display:flex;flex-wrap:wrap;gap:.4em 1.2em;margin:.6em 0 1em;padding:0;list-style:none}
.tracker-nav .disabled{color:#8c959f}
.tracker-meta{color:#424a53;margin:.2em 0}
dl.column-descriptions{display:grid;grid-template-columns:repeat(2,max-content minmax(0,1fr));
  gap:.1em .8em;font-size:.85em;margin:.5em 0 1em}
dl.column-descriptions dt{margin:0}
dl.column-descriptions dd{margin:0;padding-left:0;line-height:inherit;color:#57606a}
@media (max-width:800px){dl.column-descriptions{grid-template-columns:max-content minmax(0,1fr)}}
.tracker-diff table.sbs{table-layout:auto}
.tracker-diff table.sbs td{white-space:pre-wrap;overflow-wrap:anywhere}
.tracker-diff table.sbs td.num{width:3em;white-space:nowrap}
"""
)


def change_html(op: str, old_text: str | None, new_text: str | None) -> str:
    """One stored paragraph change as escaped HTML with ``<del>``/``<ins>`` (a table cell).

    The word-level diff of an edited paragraph is computed here, when it is shown: the store
    keeps only which paragraphs changed.
    """
    if op == "insert":
        body = f"<ins>{escape_html(new_text or '')}</ins>"
    elif op == "delete":
        body = f"<del>{escape_html(old_text or '')}</del>"
    elif old_text is not None and new_text is not None and old_text != new_text:
        body = render_inline_html(inline_diff(old_text, new_text, timeout=CELL_DIFF_TIMEOUT))
    else:
        body = escape_html(new_text if new_text is not None else old_text or "")
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
