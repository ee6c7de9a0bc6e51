"""Long paragraphs trimmed to the sentences that changed, the rest folded away but kept.

A one-word edit in a 2,400-character paragraph should read as that sentence, not as the whole
paragraph. :func:`trimmed_inline_html` renders an inline diff ([op, text] pairs) as escaped HTML
in which every long unchanged stretch keeps only the end of the sentence before it and the start
of the sentence after it; the middle goes into a ``<details class="trim">`` whose summary says how
much is hidden, so it opens without JavaScript and find-in-page still reaches it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from .html import escape_html, render_inline_html

#: Paragraphs up to this many characters are shown whole.
TRIM_ABOVE = 600
#: A kept piece of unchanged text stops at a sentence boundary within this many characters (past
#: it, at a word boundary near the limit).
KEEP = 240
#: Hiding fewer characters than this is not worth a fold.
MIN_HIDDEN = 120

_SENTENCE_END = re.compile(r"[.!?…:;][\"'’”)\]]*\s+|\n\s*")


def _head(text: str) -> int:
    """Where the kept head of an unchanged stretch ends: the end of its first sentence."""
    match = _SENTENCE_END.search(text, 0, KEEP)
    if match:
        return match.end()
    cut = text.rfind(" ", 0, KEEP)
    return cut + 1 if cut > KEEP // 2 else KEEP


def _tail(text: str) -> int:
    """Where the kept tail of an unchanged stretch starts: the start of its last sentence."""
    start = max(0, len(text) - KEEP)
    ends = [m.end() for m in _SENTENCE_END.finditer(text, start) if m.end() < len(text)]
    if ends:
        return ends[-1]
    cut = text.find(" ", start)
    return cut + 1 if 0 <= cut < len(text) - KEEP // 2 else start


def fold_html(hidden: str) -> str:
    """A fold holding ``hidden`` text (escaped), closed, its summary telling its size."""
    return (
        f'<details class="trim"><summary title="show the unchanged text">'
        f"… {len(hidden):,} unchanged characters …</summary>"
        f'<span class="trimmed">{escape_html(hidden)}</span></details>'
    )


def trimmed_parts(parts: Sequence[Sequence[str]]) -> list[tuple[str, str]]:
    """The parts of an inline diff with each long unchanged stretch cut into head, fold, tail:
    ("=", head), ("fold", middle), ("=", tail). Short paragraphs come back unchanged."""
    if sum(len(text) for _, text in parts) <= TRIM_ABOVE:
        return [(op, text) for op, text in parts]
    out: list[tuple[str, str]] = []
    last = len(parts) - 1
    for k, (op, text) in enumerate(parts):
        if op != "=" or len(text) < KEEP + MIN_HIDDEN:
            out.append((op, text))
            continue
        # nothing changed before the first stretch, nor after the last one; a paragraph that
        # is one unchanged stretch keeps its first sentence
        head = 0 if k == 0 and last else _head(text)
        tail = len(text) if k == last else _tail(text)
        if tail - head < MIN_HIDDEN:
            out.append((op, text))
            continue
        out.extend(
            piece
            for piece in (("=", text[:head]), ("fold", text[head:tail]), ("=", text[tail:]))
            if piece[1]
        )
    return out


def trimmed_inline_html(parts: Iterable[Sequence[str]] | None) -> str:
    """An inline diff as escaped HTML with ``<del>``/``<ins>``, long unchanged text folded."""
    out = []
    for op, text in trimmed_parts(list(parts or ())):
        out.append(fold_html(text) if op == "fold" else render_inline_html([(op, text)]))
    return "".join(out)


def trimmed_text_html(text: str) -> str:
    """A long unchanged paragraph as escaped HTML: its first sentence, the rest folded."""
    return trimmed_inline_html([("=", text)]) if len(text) > TRIM_ABOVE else escape_html(text)


def trimmed_whole_html(text: str, tag: str) -> str:
    """A whole added (``ins``) or removed (``del``) paragraph: a long one shows its first
    sentence, the rest folded."""
    if len(text) <= TRIM_ABOVE:
        return f"<{tag}>{escape_html(text)}</{tag}>"
    cut = _head(text)
    return (
        f"<{tag}>{escape_html(text[:cut])}</{tag}>"
        f'<details class="trim"><summary title="show the rest">… {len(text) - cut:,} more'
        f" characters …</summary><{tag}>{escape_html(text[cut:])}</{tag}></details>"
    )
