"""HTML renderings of a paragraph diff: a self-contained page, an embeddable fragment, inline parts.

Every piece of document text goes through :func:`html.escape` (``quote=True``); the output has no
scripts and no external assets (all styling is the inline :data:`DIFF_CSS`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape

from ..text.diff import Change, Skipped, stats, with_context
from .words import comeback_words, plural, skipped_text

LAYOUTS = ("inline", "side-by-side")

#: Styles for the diff body; scoped under ``.tracker-diff`` so the fragment can be embedded.
DIFF_CSS = """\
.tracker-diff{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;line-height:1.5;
  color:#1f2328}
.tracker-diff .para{display:flex;gap:.75em;margin:.35em 0;padding:.3em .6em;
  border-left:4px solid transparent;border-radius:3px}
.tracker-diff .num{flex:none;min-width:2.2em;text-align:right;color:#656d76;
  font-variant-numeric:tabular-nums;user-select:none}
.tracker-diff .para>.num.old{margin-right:-.35em}
.tracker-diff .text{white-space:pre-wrap;overflow-wrap:anywhere;min-width:0}
.tracker-diff .note{display:block;font-size:.85em;color:#656d76;font-style:italic}
.tracker-diff .op-equal{color:#424a53}
.tracker-diff .op-insert{background:#e6ffec;border-left-color:#2da44e}
.tracker-diff .op-delete{background:#ffebe9;border-left-color:#cf222e}
.tracker-diff .op-modify{background:#fff8c5;border-left-color:#d4a72c}
.tracker-diff .op-move{background:#ddf4ff;border-left-color:#0969da}
.tracker-diff del{background:#ffcecb;color:#82071e;text-decoration:line-through}
.tracker-diff ins{background:#abf2bc;color:#044f1e;text-decoration:none}
.tracker-diff .op-insert>.text>ins,.tracker-diff .op-delete>.text>del{background:none}
.tracker-diff .skip{margin:.6em 0;color:#656d76;font-style:italic;text-align:center}
.tracker-diff table.sbs{width:100%;border-collapse:collapse;table-layout:fixed}
.tracker-diff table.sbs td{vertical-align:top;padding:.3em .6em;border-bottom:1px solid #eaeef2}
.tracker-diff table.sbs col.num{width:3.5em}
.tracker-diff table.sbs col.text{width:calc(50% - 3.5em)}
.tracker-diff table.sbs tr.skip td{text-align:center}
.tracker-diff-page{max-width:72em;margin:2em auto;padding:0 1em;font-family:system-ui,sans-serif}
.tracker-diff-page .stats{color:#424a53}
@media (forced-colors:active){
  /* high contrast drops the backgrounds: added words are underlined, removed ones struck out,
     and only changed paragraphs keep an edge */
  .tracker-diff ins{text-decoration:underline}
  .tracker-diff .op-equal{border-left-color:Canvas}
}
"""

_OP_LABELS = {
    "equal": "unchanged",
    "insert": "added",
    "delete": "removed",
    "modify": "modified",
    "move": "moved",
}


def escape_html(text: object) -> str:
    """HTML-escape text (quotes included) for an element or an attribute; None is empty.

    The one escaper of the package: everything from a document (text, names, notes) that goes
    into a page, a table cell or a feed goes through it.
    """
    return escape("" if text is None else str(text), quote=True)


_esc = escape_html


def render_inline_html(inline: Iterable[Sequence[str]] | None) -> str:
    """Render one inline diff ([op, text] pairs) as escaped HTML with <del>/<ins> highlights."""
    out = []
    for op, text in inline or ():
        if op == "-":
            out.append(f"<del>{_esc(text)}</del>")
        elif op == "+":
            out.append(f"<ins>{_esc(text)}</ins>")
        else:
            out.append(_esc(text))
    return "".join(out)


def _side(inline: Iterable[Sequence[str]], keep: str) -> str:
    """One side of an inline diff as HTML: "=" parts plus the "-" (old) or "+" (new) parts."""
    return render_inline_html([(op, text) for op, text in inline if op in ("=", keep)])


def version_label(meta: Mapping[str, object] | None) -> str:
    """Human label for a version's metadata, e.g. "version 3 (2024-05-01T10:00:00Z)", or
    "version 5 (2024-05-03T10:00:00Z, restored as v3)" for one that brought its document back
    ("..., deleted" for one that records its deletion)."""
    if meta is None:
        return "nothing"
    label = f"version {meta.get('version')}"
    restored = meta.get("restored")
    back = (
        "deleted"
        if meta.get("deleted") is True
        else comeback_words(
            restored if isinstance(restored, int) else None, meta.get("recreated") is True
        )
    )
    said = [str(part) for part in (meta.get("captured_at"), back) if part]
    if said:
        label += f" ({', '.join(said)})"
    return label


def stats_line(changes: Iterable[Change], hidden: int = 0) -> str:
    """One-line summary of a diff, e.g. "2 added (1 split off), 1 removed, 0 modified, 0 moved,
    9 unchanged"; how many added paragraphs were split off and removed ones merged is said only
    when there are some."""
    counts = stats(changes)
    notes = {"added": ("split", "split off"), "removed": ("merged", "merged")}
    parts = []
    for name in ("added", "removed", "modified", "moved", "unchanged"):
        part = f"{counts[name]} {name}"
        key, words = notes.get(name, ("", ""))
        if key and counts[key]:
            part += f" ({counts[key]} {words})"
        parts.append(part)
    line = ", ".join(parts)
    if hidden:
        line += f"; {plural(hidden, 'minor change')} hidden"
    return line


def _num(n: int | None) -> str:
    return "" if n is None else str(n + 1)


def title_attr(title: str) -> str:
    """`` title="..."`` (escaped), or nothing for no title."""
    return f' title="{_esc(title)}"' if title else ""


def gutter(c: Change, words: str) -> tuple[tuple[str, str], tuple[str, str]]:
    """A change's two numbers for the inline layout's gutter, each with its title: its place in
    the old version ("" for one added) and in the new ("" for one removed, or for the place a
    moved paragraph left). ``words`` says what happened to it ("removed"). Two columns, so that
    a removed paragraph's old number never reads as a number of the new version."""
    gone = c.op in ("delete", "away")
    old = "" if c.op == "insert" else _num(c.old)
    new = "" if gone else _num(c.new)
    old_title = f"paragraph {old} of the old version" + (f", {words}" if gone else "")
    new_title = f"paragraph {new}, {words}"
    return (old, old_title if old else ""), (new, new_title if new else "")


def _note(c: Change) -> str:
    """The note above a moved, split-off or merged paragraph ("" for other changes)."""
    if c.op == "move":
        text = f"moved from paragraph {_num(c.old)}{' and edited' if c.edited else ''}"
    elif c.split_from is not None:
        text = f"split from paragraph {_num(c.split_from)}"
    elif c.merged_into is not None:
        text = f"merged into paragraph {_num(c.merged_into)}"
    else:
        return ""
    return f'<span class="note">{text}</span>'


def _short(text: str, width: int = 60) -> str:
    """A paragraph on one short line."""
    line = " ".join((text or "").split())
    return line if len(line) <= width else line[: width - 1] + "…"


def _inline_item(c: Change, full: bool = True) -> str:
    """One change as a block of the inline layout; unless ``full``, a paragraph that only changed
    whitespace, or only moved, is one short line."""
    note = _note(c)
    if c.op == "delete":
        body = f"<del>{_esc(c.old_text)}</del>"
    else:
        if c.op == "insert":
            body = f"<ins>{_esc(c.new_text)}</ins>"
        elif not full and c.kind == "whitespace":
            body = '<span class="note">whitespace only</span>'
        elif not full and c.kind == "moved":
            body = f'<span class="short">{_esc(_short(c.text))}</span>'
        elif c.inline is not None:
            body = render_inline_html(c.inline)
        else:
            body = _esc(c.text)
    minor = " minor" if c.kind not in (None, "substantive") else ""
    (old, old_title), (new, new_title) = gutter(c, _OP_LABELS[c.op])
    return (
        f'<div class="para op-{c.op}{minor}">'
        f'<span class="num old"{title_attr(old_title)}>{old}</span>'
        f'<span class="num"{title_attr(new_title)}>{new}</span>'
        f'<div class="text">{note}{body}</div></div>'
    )


def _sbs_row(c: Change) -> str:
    """One change as a row of the side-by-side table (old on the left, new on the right)."""
    old_html = new_html = ""
    note = _note(c)
    if c.op == "delete":
        old_html = f"<del>{_esc(c.old_text)}</del>"
    elif c.op == "insert":
        new_html = f"<ins>{_esc(c.new_text)}</ins>"
    elif c.inline is not None:
        old_html, new_html = _side(c.inline, "-"), _side(c.inline, "+")
    else:
        old_html, new_html = _esc(c.old_text), _esc(c.new_text)
    # the note goes with the side that has the paragraph: the old one for a merged part
    old_note, new_note = (note, "") if c.op == "delete" else ("", note)
    return (
        f'<tr class="op-{c.op}"><td class="num">{_num(c.old)}</td>'
        f'<td class="text old">{old_note}{old_html}</td><td class="num">{_num(c.new)}</td>'
        f'<td class="text new">{new_note}{new_html}</td></tr>'
    )


def render_html_fragment(
    changes: Sequence[Change], *, context: int = 1, full: bool = False, layout: str = "inline"
) -> str:
    """Render the diff body only (a ``<div class="tracker-diff">``), for embedding in a page."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; use one of {LAYOUTS}")
    items = with_context(changes, context, full)
    parts = [f'<div class="tracker-diff" data-layout="{layout}">']
    if layout == "inline":
        for item in items:
            if isinstance(item, Skipped):
                parts.append(f'<div class="skip">... {skipped_text(item)} ...</div>')
            else:
                parts.append(_inline_item(item, full))
    else:
        # column widths from a colgroup: with table-layout:fixed the first row decides them, and
        # that row may be a full-width "unchanged" row, which would make all four columns equal
        parts.append(
            '<table class="sbs"><colgroup><col class="num"><col class="text">'
            '<col class="num"><col class="text"></colgroup>'
        )
        for item in items:
            if isinstance(item, Skipped):
                parts.append(
                    f'<tr class="skip"><td colspan="4">... {skipped_text(item)} ...</td></tr>'
                )
            else:
                parts.append(_sbs_row(item))
        parts.append("</table>")
    parts.append("</div>")
    return "\n".join(parts)


def render_html(
    doc: str,
    from_meta: Mapping[str, object] | None,
    to_meta: Mapping[str, object] | None,
    changes: Sequence[Change],
    *,
    context: int = 1,
    full: bool = False,
    layout: str = "inline",
    hidden: int = 0,
) -> str:
    """Render the diff as one self-contained HTML page (inline CSS, no scripts, no assets)."""
    fragment = render_html_fragment(changes, context=context, full=full, layout=layout)
    title = f"Changes to {doc}"
    versions = f"{version_label(from_meta)} \u2192 {version_label(to_meta)}"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_esc(title)}</title>\n<style>\n{DIFF_CSS}</style>\n</head>\n"
        '<body>\n<main class="tracker-diff-page">\n'
        f"<h1>{_esc(title)}</h1>\n"
        f'<p class="versions">{_esc(versions)}</p>\n'
        f'<p class="stats">{_esc(stats_line(changes, hidden))}</p>\n'
        f"{fragment}\n</main>\n</body>\n</html>\n"
    )
