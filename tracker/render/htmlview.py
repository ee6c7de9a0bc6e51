"""A paragraph diff as a page to read and move around in: anchors, links, folds, a change list.

:func:`render_diff_view` is the body of the web diff page. Compared with the plain fragment of
:mod:`tracker.render.html` it gives every paragraph an anchor (``#p12`` in the new version,
``#o12`` for a paragraph of the old version that is no longer there), marks the old place of a
moved paragraph, turns "moved from", "split from" and "merged into" into links, folds runs of
unchanged paragraphs into ``<details>`` that open in place, trims long paragraphs to the changed
sentences (:mod:`tracker.render.trim`), and returns where the changes are, for a navigator.
Everything from the document is escaped; it all works without JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..text.classes import MINOR
from ..text.diff import Change
from .html import LAYOUTS, escape_html, gutter, title_attr
from .trim import trimmed_inline_html, trimmed_text_html

#: A run of unchanged paragraphs is folded into the page (to open in place) up to this many
#: characters; a longer one links to the whole document instead.
FOLD_LIMIT = 200_000

#: What each kind of change is called, in titles and in the legend.
OP_WORDS = {
    "equal": "unchanged",
    "insert": "added",
    "delete": "removed",
    "modify": "modified",
    "move": "moved",
    "away": "moved away",
}

#: How a minor change reads, folded (by its class).
CLASS_WORDS = {
    "whitespace": "only spacing or line breaks changed",
    "volatile": "only text matching an ignore pattern changed",
    "punctuation": "only punctuation or typography changed",
    "case": "only letter case changed",
    "numbers": "only numbers changed",
    "moved": "moved, not edited",
}

#: Minor changes folded to one line, as ``tracker diff`` shows whitespace-only and move-only
#: paragraphs (text the user declared volatile too); the other minor ones (punctuation, case,
#: numbers: a changed figure may be the news) are shown, greyed, with their class.
FOLDED = frozenset({"whitespace", "moved", "volatile"})

#: ``href(side, index)``: a link for paragraph ``index`` (0-based) of the "old" or "new" version.
ParagraphHref = Callable[[str, int], "str | None"]


@dataclass(frozen=True)
class Mark:
    """Where one change is: its anchor, its kind, and its place in the document (0 to 1)."""

    anchor: str
    op: str
    place: float
    minor: bool = False


@dataclass
class DiffView:
    """The rendered body and the changes in it, in document order."""

    html: str
    marks: list[Mark] = field(default_factory=list)


def _n(index: int | None) -> str:
    return "" if index is None else str(index + 1)


def _anchor(change: Change) -> str:
    """The id of a change's element: its new place, or its old one if it has none."""
    if change.op in ("delete", "away"):
        return f"o{_n(change.old)}"
    return f"p{_n(change.new)}"


def _with_away_marks(changes: Sequence[Change]) -> list[Change]:
    """The changes with an ``away`` entry at the old place of each moved paragraph (after the
    entry for the old paragraph before it), so "moved from" has somewhere to point."""
    moves = sorted((c for c in changes if c.op == "move"), key=lambda c: c.old or 0)
    if not moves:
        return list(changes)
    moved_old = {c.old for c in moves}
    holder = {c.old: k for k, c in enumerate(changes) if c.op != "move" and c.old is not None}
    after: dict[int, list[Change]] = {}
    for move in moves:
        previous = (move.old or 0) - 1
        while previous in moved_old:  # a moved neighbour's mark is placed by the same rule
            previous -= 1
        key = holder.get(previous, -1) if previous >= 0 else -1
        away = Change("away", move.old, move.new, move.old_text, None, None)
        after.setdefault(key, []).append(away)
    out = list(after.get(-1, []))
    for k, change in enumerate(changes):
        out.append(change)
        out.extend(after.get(k, []))
    return out


class _Renderer:
    def __init__(
        self,
        changes: Sequence[Change],
        layout: str,
        href: ParagraphHref | None,
        full_href: str | None,
        classify: Callable[[Change], str | None],
    ) -> None:
        self.items = _with_away_marks(changes)
        self.layout = layout
        self.href = href
        self.full_href = full_href
        self.classify = classify
        # where each old paragraph can be seen: its new place, or its own entry if it left
        self.old_anchor: dict[int, str] = {}
        for c in self.items:
            if c.old is not None and c.op != "move":
                own = c.op in ("delete", "away")
                self.old_anchor[c.old] = _anchor(c) if own else f"p{_n(c.new)}"
        self.shown: set[str] = set()
        self.marks: list[Mark] = []

    # -- pieces --------------------------------------------------------------------------

    def link(self, anchor: str, label: str) -> str:
        return f'<a href="#{anchor}">{escape_html(label)}</a>'

    def note(self, c: Change) -> str:
        """The line above a moved, split-off, merged or moved-away paragraph."""
        if c.op == "move":
            target = f"o{_n(c.old)}"
            edited = " and edited" if c.edited else ""
            text = f"moved from {self.link(target, f'paragraph {_n(c.old)}')}{edited}"
        elif c.op == "away":
            text = f"moved to {self.link(f'p{_n(c.new)}', f'paragraph {_n(c.new)}')}"
        elif c.op == "insert" and c.split_from is not None:
            target = self.old_anchor.get(c.split_from, f"o{_n(c.split_from)}")
            label = f"paragraph {_n(c.split_from)}"
            if target.startswith("p") and target[1:] != _n(c.split_from):
                label += f" (now {target[1:]})"  # the old paragraph lives on elsewhere
            text = f"split from {self.link(target, label)}"
        elif c.op == "delete" and c.merged_into is not None:
            target = f"p{_n(c.merged_into)}"
            text = f"merged into {self.link(target, f'paragraph {_n(c.merged_into)}')}"
        else:
            return ""
        return f'<span class="note">{text}</span>'

    def history_link(self, c: Change) -> str:
        if self.href is None or c.op == "away":
            return ""
        side, index = ("old", c.old) if c.op == "delete" else ("new", c.new)
        url = self.href(side, index) if index is not None else None
        if not url:
            return ""
        # a name of its own: a screen reader's list of links is not a hundred "history"
        which = f"{'old ' if side == 'old' else ''}paragraph {_n(index)}"
        return (
            f'<a class="history" href="{escape_html(url)}" '
            f'aria-label="history of {which}" title="history of this paragraph">history</a>'
        )

    def body(self, c: Change, side: str | None = None) -> str:
        """The text of a change (one side of it, for side by side)."""
        if c.op == "away":
            return ""
        if c.op == "delete":
            return "" if side == "new" else f"<del>{escape_html(c.old_text)}</del>"
        if c.op == "insert":
            return "" if side == "old" else f"<ins>{escape_html(c.new_text)}</ins>"
        if c.inline is not None:
            keep = {"old": "-", "new": "+"}.get(side or "", None)
            parts = [(op, t) for op, t in c.inline if keep is None or op in ("=", keep)]
            return trimmed_inline_html(parts)
        if c.op == "move" and side == "old":
            return ""
        return trimmed_text_html(c.text)

    # -- items ---------------------------------------------------------------------------

    def place(self, c: Change, position: float) -> tuple[str, str | None]:
        """A change's element attributes (its anchor; for a change, its navigator mark and
        class), noting both; and its class."""
        anchor = _anchor(c)
        self.shown.add(anchor)
        attrs = f' id="{anchor}"'
        kind = None
        if c.op not in ("equal", "away"):
            kind = self.classify(c)
            self.marks.append(Mark(anchor, c.op, position, kind in MINOR))
            attrs += f' data-change="{len(self.marks)}"'
            if kind:
                attrs += f' data-class="{escape_html(kind)}"'
        return attrs, kind

    @staticmethod
    def numbered(c: Change) -> tuple[str, str]:
        """A change's paragraph number (in the old version for one removed) and its title."""
        if c.op in ("delete", "away"):
            number = _n(c.old)
            return number, f"paragraph {number} of the old version, {OP_WORDS[c.op]}"
        number = _n(c.new)
        return number, f"paragraph {number}, {OP_WORDS[c.op]}"

    def item(self, c: Change, position: float) -> str:
        classes = [f"para op-{c.op}"]
        attrs, kind = self.place(c, position)
        number, title = self.numbered(c)
        note, history = self.note(c), self.history_link(c)
        if kind in FOLDED:
            # nothing to read: folded to one line saying what kind it is, to open in place
            words = CLASS_WORDS.get(kind or "", kind)
            return (
                f'<details class="minor class-{escape_html(kind)}"{attrs}><summary>'
                f"paragraph {number}: {escape_html(words)}</summary>"
                + self.block(c, classes + ["minor"], "", number, title, note, history)
                + "</details>"
            )
        if kind in MINOR:  # shown, greyed, and saying what kind of change it is
            classes += ["minor", f"class-{escape_html(kind)}"]
            words = escape_html(CLASS_WORDS.get(kind or "", kind))
            note = f'<span class="note class">{words}</span>' + note
        return self.block(c, classes, attrs, number, title, note, history)

    def block(
        self,
        c: Change,
        classes: list[str],
        attrs: str,
        number: str,
        title: str,
        note: str,
        history: str,
    ) -> str:
        """One paragraph's element, inline or as a side-by-side row."""
        link = f'<a class="num" href="#{_anchor(c)}" title="{escape_html(title)}">'
        if self.layout == "inline":
            # two columns of numbers, old and new; the change's own number links to it
            (old, old_title), (new, new_title) = gutter(c, OP_WORDS[c.op])
            cells = [
                (f'<a class="num{cls}" href="#{_anchor(c)}"' if own else f'<span class="num{cls}"')
                + f"{title_attr(text_title)}>{text}"
                + ("</a>" if own else "</span>")
                for cls, text, text_title, own in (
                    (" old", old, old_title, not new),
                    ("", new, new_title, bool(new)),
                )
            ]
            return (
                f'<div class="{" ".join(classes)}"{attrs}>{"".join(cells)}'
                f'<div class="text">{note}{self.body(c)}</div>{history}</div>'
            )
        old_note, new_note = (note, "") if c.op in ("delete", "away") else ("", note)
        return (
            f'<div class="row {" ".join(classes)}"{attrs}>'
            f'<span class="num">{_n(c.old)}</span>'
            f'<div class="text old">{old_note}{self.body(c, "old")}</div>'
            f"{link}{'' if c.op == 'away' else _n(c.new)}</a>"
            f'<div class="text new">{new_note}{self.body(c, "new")}{history}</div></div>'
        )

    def run(self, run: list[tuple[Change, float]]) -> str:
        """A run of unchanged paragraphs, folded."""
        first, last = run[0][0].new, run[-1][0].new
        words = (
            f"paragraph {_n(first)} unchanged"
            if first == last
            else f"paragraphs {_n(first)}–{_n(last)} unchanged"
        )
        size = sum(len(c.text) for c, _ in run)
        if size > FOLD_LIMIT:
            more = ""
            if self.full_href:
                more = f' (<a href="{escape_html(self.full_href)}#p{_n(first)}">show them</a>)'
            return f'<div class="skip">{words}{more}</div>'
        inside = "\n".join(self.item(c, place) for c, place in run)
        return f'<details class="skip"><summary>{words}</summary>{inside}</details>'

    @staticmethod
    def replacements(placed: list[tuple[Change, float]], k: int, keep: set[int]) -> tuple[int, int]:
        """From ``k`` on, a run of plain deletes right before a run of plain inserts: its number
        of deletes, and how many of them get an added paragraph to stand opposite, side by side
        (the last ones, next to the inserts). Split pieces and merged parts keep rows of their
        own, beside the paragraph they name."""

        def plain(j: int, op: str) -> bool:
            c = placed[j][0] if j < len(placed) and j in keep else None
            return c is not None and c.op == op and c.split_from is None and c.merged_into is None

        deletes = 0
        while plain(k + deletes, "delete"):
            deletes += 1
        inserts = 0
        while inserts < deletes and plain(k + deletes + inserts, "insert"):
            inserts += 1
        return deletes, inserts

    def pair(self, removed: tuple[Change, float], added: tuple[Change, float]) -> str:
        """A removed paragraph and the added one after it, on one row: each keeps its own
        anchor, mark and history link."""
        cells = []
        for (c, position), side in ((removed, "old"), (added, "new")):
            attrs, _ = self.place(c, position)
            cells.append(
                f'<div class="text {side} op-{c.op}"{attrs}>'
                f"{self.note(c)}{self.body(c, side)}{self.history_link(c)}</div>"
            )
        (old_number, old_title), (new_number, new_title) = (
            self.numbered(c) for c, _ in (removed, added)
        )
        return (
            f'<div class="row para pair"><span class="num" title="{escape_html(old_title)}">'
            f"{old_number}</span>{cells[0]}"
            f'<a class="num" href="#{_anchor(added[0])}" title="{escape_html(new_title)}">'
            f"{new_number}</a>{cells[1]}</div>"
        )

    def render(self, context: int, full: bool) -> DiffView:
        total = max(1, len(self.items))
        placed = [(c, k / total) for k, c in enumerate(self.items)]
        changed = [k for k, (c, _) in enumerate(placed) if c.op != "equal"]
        keep = set(range(len(placed))) if full else set()
        for k in changed:
            keep.update(range(max(0, k - context), min(len(placed), k + context + 1)))
        parts: list[str] = []
        k = 0
        while k < len(placed):
            if k in keep:
                deletes, pairs = (0, 0)
                if self.layout != "inline":
                    deletes, pairs = self.replacements(placed, k, keep)
                if pairs:  # removed paragraphs beyond the added ones first, on rows of their own
                    parts += [self.item(*placed[k + j]) for j in range(deletes - pairs)]
                    first = k + deletes - pairs
                    parts += [
                        self.pair(placed[first + j], placed[k + deletes + j]) for j in range(pairs)
                    ]
                    k += deletes + pairs
                    continue
                parts.append(self.item(*placed[k]))
                k += 1
                continue
            end = k
            while end < len(placed) and end not in keep:
                end += 1
            parts.append(self.run(placed[k:end]))
            k = end
        container = "sbs" if self.layout == "side-by-side" else "inline"
        html = (
            f'<div class="tracker-diff tracker-view {container}" data-layout="{self.layout}">\n'
            + "\n".join(parts)
            + "\n</div>"
        )
        return DiffView(html, self.marks)


def render_diff_view(
    changes: Sequence[Change],
    *,
    context: int = 1,
    full: bool = False,
    layout: str = "inline",
    href: ParagraphHref | None = None,
    full_href: str | None = None,
    classify: Callable[[Change], str | None] | None = None,
) -> DiffView:
    """Render a diff for reading in a browser (see the module's docstring).

    ``href(side, index)`` links each paragraph to its history (None: no links); ``full_href`` is
    the page with every paragraph, for runs too long to fold in; ``classify(change)`` gives a
    change's class (:mod:`tracker.text.classes`): a minor one is marked minor (for the
    navigator and the "hide" toggle) and says what kind it is; those in :data:`FOLDED` are
    folded to that one line (``<details class="minor">``).
    """
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; use one of {LAYOUTS}")
    renderer = _Renderer(changes, layout, href, full_href, classify or (lambda change: None))
    return renderer.render(max(0, context), full)
