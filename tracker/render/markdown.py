"""Render a paragraph diff as Markdown, for an issue or a pull request.

Document text is escaped so that it never turns into Markdown syntax; removed words are struck
through (``~~``) and added ones bold (``**``). Paragraph numbers are 1-based.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from ..text.diff import Change, Skipped, with_context
from .html import stats_line, version_label
from .words import skipped_text, terminal_safe

_MD_SPECIAL = re.compile(r"([\\`*_~\[\]<>|&#])")
_MD_LINE_START = re.compile(r"(?m)^([ \t]*)([-+=>]|\d+[.)])")


def _md_escape(text: str) -> str:
    """Escape Markdown syntax in document text; line breaks become hard breaks, and other
    control characters are written out (``\\x1b``), as on a terminal: Markdown is printed too."""
    text = _MD_SPECIAL.sub(r"\\\1", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    return terminal_safe(text).replace("\n", "\\\n")


def _md_mark(text: str, marker: str) -> str:
    """Wrap text in ``~~`` or ``**`` with the whitespace outside the markers (so they work)."""
    core = text.strip()
    if not core:
        return "" if marker == "~~" else _md_escape(text)  # whitespace alone cannot be marked
    start = text.index(core[0])
    lead, trail = text[:start], text[start + len(core) :]
    return f"{_md_escape(lead)}{marker}{_md_escape(core)}{marker}{_md_escape(trail)}"


def _md_inline(inline: Iterable[Sequence[str]]) -> str:
    out = []
    for op, part in inline:
        if op == "=":
            out.append(_md_escape(part))
        else:
            out.append(_md_mark(part, "~~" if op == "-" else "**"))
    return "".join(out)


def _md_block(c: Change) -> str:
    """One change as a Markdown paragraph with a bold label."""
    n = (c.new or 0) + 1
    if c.op == "delete":
        how = "removed" if c.merged_into is None else f"merged into \u00b6 {c.merged_into + 1}"
        return f"**old \u00b6 {(c.old or 0) + 1}, {how}:** {_md_mark(c.text, '~~')}"
    if c.op == "insert":
        how = "added" if c.split_from is None else f"split from \u00b6 {c.split_from + 1}"
        return f"**\u00b6 {n}, {how}:** {_md_mark(c.text, '**')}"
    body = _md_inline(c.inline) if c.inline is not None else _md_escape(c.text)
    if c.op == "modify":
        return f"**\u00b6 {n}, modified:** {body}"
    if c.op == "move":
        edited = " and edited" if c.edited else ""
        return f"**\u00b6 {n}, moved from \u00b6 {(c.old or 0) + 1}{edited}:** {body}"
    return f"\u00b6 {n}: {body}"


def render_markdown(
    doc: str,
    from_meta: Mapping[str, object] | None,
    to_meta: Mapping[str, object] | None,
    changes: Sequence[Change],
    *,
    context: int = 1,
    full: bool = False,
    hidden: int = 0,
) -> str:
    """Render the diff as Markdown for an issue or a PR: heading, stats, marked-up paragraphs."""
    versions = f"{version_label(from_meta)} \u2192 {version_label(to_meta)}"
    blocks = [
        f"### Changes to {_md_escape(doc)}: {_md_escape(versions)}",
        f"**{stats_line(changes, hidden)}**",
    ]
    for item in with_context(changes, context, full):
        if isinstance(item, Skipped):
            blocks.append(f"*... {skipped_text(item)} ...*")
        else:
            blocks.append(_md_block(item))
    return "\n\n".join(blocks) + "\n"
