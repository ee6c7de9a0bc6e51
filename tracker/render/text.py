"""Render paragraph diffs for people and programs: text (optionally ANSI), JSON, Markdown, unified.

Pure functions from :class:`tracker.text.diff.Change` lists (or texts) to strings or dicts; no I/O.
Paragraph numbers shown to people are 1-based; JSON keeps the engine's 0-based indexes. The HTML
renderers live in :mod:`tracker.render.html` and are re-exported here.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence

from ..text.diff import Change, Skipped, stats, with_context
from .html import (
    DIFF_CSS,
    render_html,
    render_html_fragment,
    render_inline_html,
    stats_line,
    version_label,
)

__all__ = [
    "DIFF_CSS",
    "diff_json",
    "render_html",
    "render_html_fragment",
    "render_inline_html",
    "render_markdown",
    "render_text",
    "render_unified",
]

# ANSI SGR sequences used when color=True
_RESET = "\x1b[0m"
_STYLES = {
    "insert": "\x1b[32m",  # green
    "delete": "\x1b[31m",  # red
    "modify": "\x1b[33m",  # yellow (label only)
    "move": "\x1b[36m",  # cyan (label only)
    "skip": "\x1b[36m",
    "-": "\x1b[31;9m",  # red, struck through
    "+": "\x1b[32;4m",  # green, underlined
    "-space": "\x1b[41m",  # red background: a deleted run of whitespace
    "+space": "\x1b[42m",  # green background: an inserted run of whitespace
}
_MARKS = {"equal": " ", "insert": "+", "delete": "-", "modify": "~", "move": ">"}

# C0/C1 control characters other than tab and newline: shown escaped so that document text can
# never drive the terminal (ANSI escape sequences, carriage returns rewriting a line, ...)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    """Make document text safe to print: CRLF to LF, other control characters escaped."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text.replace("\r\n", "\n"))


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _escaped(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a file name that is not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def one_line(text: str) -> str:
    """A message safe to print as one line: every control character escaped, newlines too, and
    the undecodable bytes of a file name (a file name may hold any of them)."""
    return _UNPRINTABLE.sub(lambda m: _escaped(m.group()), text)


def _paint(text: str, style: str, color: bool) -> str:
    """Wrap each line of ``text`` in an ANSI style (so prefixes added later stay uncoloured)."""
    if not color or not style:
        return text
    return "\n".join(f"{style}{line}{_RESET}" if line else "" for line in text.split("\n"))


def render_inline_text(inline: Iterable[Sequence[str]], color: bool = False) -> str:
    """An inline diff as text: ``[-old-]{+new+}`` markers, or ANSI highlights when color=True."""
    out = []
    for op, part in inline:
        part = terminal_safe(part)
        if op == "=":
            out.append(part)
        elif color:
            out.append(_paint(part, _STYLES[op + "space" if part.isspace() else op], True))
        else:
            out.append(f"[-{part}-]" if op == "-" else f"{{+{part}+}}")
    return "".join(out)


def _skip_line(item: Skipped) -> str:
    if item.count == 1:
        return f"@@ paragraph {item.first + 1} unchanged @@"
    return f"@@ paragraphs {item.first + 1}-{item.last + 1} unchanged @@"


#: Shown text of a paragraph summed up in one short line (moved without an edit), in characters.
SHORT_LINE = 60


def _clip(text: str, width: int = SHORT_LINE) -> str:
    """Document text on one short line, control characters escaped."""
    line = terminal_safe(" ".join(text.split()))
    return line if len(line) <= width else line[: width - 1] + "…"


def _text_block(c: Change, color: bool, full: bool = True) -> str:
    """One change as labelled text lines; continuation lines repeat the change's marker.

    Unless ``full``, a paragraph that only changed whitespace, or only moved, is one short line.
    """
    mark = _MARKS[c.op]
    number = c.old if c.op == "delete" else c.new
    label = f"{mark} [{(number or 0) + 1}] "
    style = _STYLES.get(c.op, "")
    if c.op == "move":
        label += f"moved from paragraph {(c.old or 0) + 1}{', edited' if c.edited else ''}: "
    elif c.split_from is not None:
        label += f"split from paragraph {c.split_from + 1}: "
    elif c.merged_into is not None:
        label += f"merged into paragraph {c.merged_into + 1}: "
    if not full and c.kind == "whitespace":
        body = "whitespace only"
    elif not full and c.kind == "moved":
        body = _clip(c.text)
    elif c.inline is not None:
        body = render_inline_text(c.inline, color)
    elif c.op in ("insert", "delete"):
        body = _paint(terminal_safe(c.text), style, color)
    else:
        body = terminal_safe(c.text)
    indent = mark + " " * (len(label) - 1)
    if color and style:
        label, indent = _paint(label, style, True), _paint(mark, style, True) + indent[1:]
    lines = body.split("\n")
    return "\n".join([label + lines[0]] + [indent + line for line in lines[1:]])


def render_text(
    changes: Sequence[Change], *, context: int = 1, full: bool = False, color: bool = False
) -> str:
    """Render a diff for a terminal: changed paragraphs, some context, markers for skipped runs.

    Lines are joined with newlines, without a final one. Labels: ``+ [n]`` added, ``- [n]`` removed
    (old numbering), ``~ [n]`` modified, ``> [n] moved from paragraph m``, ``+ [n] split from
    paragraph m`` (m in the old numbering), ``- [n] merged into paragraph m`` (m in the new
    numbering); numbers are 1-based.
    """
    lines = []
    for item in with_context(changes, context, full):
        if isinstance(item, Skipped):
            lines.append(_paint(_skip_line(item), _STYLES["skip"], color))
        else:
            lines.append(_text_block(item, color, full))
    return "\n".join(lines)


def _meta(meta: Mapping[str, object] | None) -> dict[str, object] | None:
    """Keep only the version fields that belong in the JSON output."""
    if meta is None:
        return None
    return {key: meta.get(key) for key in ("version", "captured_at", "sha256")}


def _json_paragraph(c: Change) -> dict[str, object]:
    """One change in the JSON shape: text for whole paragraphs, old/new text when edited.

    ``split_from`` (an insert cut from that old paragraph) and ``merged_into`` (a delete whose
    text went into that new paragraph) are present only on the changes they apply to.
    """
    edited = c.edited
    out: dict[str, object] = {
        "op": c.op,
        "old": c.old,
        "new": c.new,
        "text": None if c.op == "modify" else c.text,
        "old_text": c.old_text if edited else None,
        "new_text": c.new_text if edited else None,
        "inline": [[op, part] for op, part in c.inline] if c.inline is not None else None,
    }
    if c.op != "equal":
        out["class"] = c.kind
    if c.split_from is not None:
        out["split_from"] = c.split_from
    if c.merged_into is not None:
        out["merged_into"] = c.merged_into
    return out


def diff_json(
    doc: str,
    from_meta: Mapping[str, object] | None,
    to_meta: Mapping[str, object] | None,
    changes: Sequence[Change],
    hidden: int = 0,
) -> dict[str, object]:
    """The diff as a JSON-ready dict (doc, from, to, stats, hidden, paragraphs); indexes are
    0-based. ``hidden``: how many changes ``--ignore`` turned into unchanged paragraphs."""
    return {
        "doc": doc,
        "from": _meta(from_meta),
        "to": _meta(to_meta),
        "stats": stats(changes),
        "hidden": hidden,
        "paragraphs": [_json_paragraph(c) for c in changes],
    }


# ---------------------------------------------------------------------------- Markdown

_MD_SPECIAL = re.compile(r"([\\`*_~\[\]<>|&#])")
_MD_LINE_START = re.compile(r"(?m)^([ \t]*)([-+=>]|\d+[.)])")


def _md_escape(text: str) -> str:
    """Escape Markdown syntax in document text; line breaks become hard breaks."""
    text = _MD_SPECIAL.sub(r"\\\1", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    return text.replace("\n", "\\\n")


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
            blocks.append(f"*... {_skip_line(item).strip('@ ')} ...*")
        else:
            blocks.append(_md_block(item))
    return "\n\n".join(blocks) + "\n"


# ---------------------------------------------------------------------------- unified diff

_LINE = re.compile(r"[^\n]*\n|[^\n]+")


def render_unified(
    old_text: str, new_text: str, from_label: str, to_label: str, context: int = 3
) -> str:
    """A unified diff of the two texts' lines that GNU ``patch`` applies to old to give new.

    Lines keep their own endings (CRLF stays CRLF); a last line without a newline is followed by
    ``\\ No newline at end of file``. Identical texts give an empty string.
    """
    a, b = _LINE.findall(old_text), _LINE.findall(new_text)
    from_label = " ".join(from_label.splitlines()) or "a"
    to_label = " ".join(to_label.splitlines()) or "b"
    out = []
    for line in difflib.unified_diff(a, b, from_label, to_label, n=max(0, context), lineterm="\n"):
        out.append(line)
        if not line.endswith("\n"):
            out.append("\n\\ No newline at end of file\n")
    return "".join(out)
