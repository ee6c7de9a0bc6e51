"""Render two texts as a unified diff of their lines, for ``patch`` and other line tools.

The texts' lines are compared as they are, line endings included: unlike the other renderings,
this is not a paragraph diff.
"""

from __future__ import annotations

import difflib
import re

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
