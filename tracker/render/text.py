"""Render paragraph diffs for a terminal: plain text or ANSI colours, and text safe to print.

Pure functions from :class:`tracker.text.diff.Change` lists (or texts) to strings; no I/O.
Paragraph numbers shown to people are 1-based. Document text never reaches the terminal raw:
control characters are escaped (:func:`.words.terminal_safe`, :func:`.words.one_line`). The
other renderings are beside this module: :mod:`.json`, :mod:`.markdown`, :mod:`.unified` and
:mod:`.html`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..text.diff import Change, Skipped, with_context
from .words import skipped_text, terminal_safe

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
    return f"@@ {skipped_text(item)} @@"


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
