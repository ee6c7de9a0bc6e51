"""Paragraph diff engine: align two paragraph lists, pair rewritten paragraphs, find moves.

Pure functions over lists of paragraph strings (no I/O). The steps, in order:

1. **Alignment.** Paragraphs are mapped to integer ids by (optionally whitespace-normalised) text
   and aligned after trimming the common head and tail, by difflib's recursive longest-run
   matching (no junk heuristic); runs of the same length are told apart by how many of their
   paragraphs occur exactly once in each version, then by nearness to the diagonal, so that list
   entries which kept their place anchor the alignment rather than dates or separators that
   shifted. Aligned pairs are ``equal`` and act as anchors; between consecutive anchors lie
   *gaps* of unmatched old and new paragraphs, and no text occurs on both sides of one gap.
2. **Unedited moves.** An unmatched old paragraph whose exact text turns up unmatched in another
   gap is a ``move`` if that text occurs exactly once in each version (which copy of a repeated
   text went where cannot be told). This runs before pairing so that a paragraph which only
   changed place is never taken for the rewrite of a neighbour that happens to share a few
   words; but a short text (under :data:`~.align.SHORT_PARAGRAPH_WORDS` words) is moved only if
   neither its old nor its new place pairs it with a rewrite in step 3.
3. **Pairing.** Inside each gap, old and new paragraphs similar enough
   (:data:`~.similarity.MODIFY_SIMILARITY`) are paired in order (a maximum-weight
   order-preserving matching), giving ``modify``.
4. **Edited moves.** Among what is left anywhere in the document, a pair at least
   :data:`~.similarity.MOVE_SIMILARITY` alike is an edited ``move`` (or a ``modify`` if it sits
   in one gap, in order with that gap's pairs: the banded search of a large gap can miss it).
   The rest are ``delete`` and ``insert``.
5. **Splits and merges.** Inserts next to a paragraph paired with an edit that are made of the
   rest of its old text are pieces of a split (``Change.split_from``); deletes next to one that
   went into its new text are parts of a merge (``Change.merged_into``). An old paragraph cut
   into pieces too small to be paired with any one of them is paired with the piece holding most
   of its words (and the same for merges); see :data:`~.splits.SPLIT_PIECE_SHARE`,
   :data:`~.splits.SPLIT_COVERAGE`.

Steps 1 to 4 are in :mod:`tracker.text.align`, step 5 in :mod:`tracker.text.splits`; this module
turns their matches into :class:`Change` entries, and counts, blames and trims them.

Like MediaWiki's wikidiff2, the similarity search is bounded so a large rewrite stays roughly
linear: small gaps compare every pair, large gaps only a band around the diagonal; move candidates
come from an index of rare words, a few per paragraph; and a cheap length bound rules out many
pairs before the real ratio (an exact word-level LCS) is computed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .align import EQUAL, MODIFY, MOVE, align
from .inline import GRANULARITIES, inline_diff
from .splits import splits_and_merges

#: The keys of :func:`stats`, in order.
STATS = ("added", "removed", "modified", "moved", "unchanged", "split", "merged")


@dataclass(frozen=True)
class Change:
    """One entry of a paragraph diff: what happened to one old and/or one new paragraph."""

    op: str  # "equal" | "insert" | "delete" | "modify" | "move"
    old: int | None  # 0-based index in the old list (None for insert)
    new: int | None  # 0-based index in the new list (None for delete)
    old_text: str | None  # None for insert
    new_text: str | None  # None for delete
    inline: list[tuple[str, str]] | None  # for modify and edited move, else None
    edited: bool = False  # modify, or a move whose text changed on the way
    split_from: int | None = None  # insert: old index of the paragraph it was split from
    merged_into: int | None = None  # delete: new index of the paragraph it was merged into
    kind: str | None = None  # its class (text.classes.CLASSES), once classified; None for equal

    @property
    def text(self) -> str:
        """The paragraph's text: the new text when there is one (equal, insert, move, modify)."""
        if self.new_text is not None:
            return self.new_text
        return self.old_text if self.old_text is not None else ""

    def classed(self, kind: str | None) -> Change:
        """This change with its class set: ``dataclasses.replace`` at a third of the cost (an
        import classifies every change it stores)."""
        return Change(
            self.op,
            self.old,
            self.new,
            self.old_text,
            self.new_text,
            self.inline,
            self.edited,
            self.split_from,
            self.merged_into,
            kind,
        )


@dataclass(frozen=True)
class Skipped:
    """A run of unchanged paragraphs left out of a rendering (0-based new indexes, inclusive)."""

    first: int
    last: int

    @property
    def count(self) -> int:
        """How many paragraphs were skipped."""
        return self.last - self.first + 1


def diff_paragraphs(
    old: Sequence[str],
    new: Sequence[str],
    *,
    granularity: str = "word",
    ignore_whitespace: bool = False,
    inline: bool = True,
    equal: bool = True,
) -> list[Change]:
    """Diff two paragraph lists into changes, in new-document order, deletions where they were.

    ``inline=False`` leaves out the word-level diffs of edited paragraphs (``Change.inline`` is
    then None; ``Change.edited`` still tells): the store records which paragraphs changed, and
    the words are diffed again only when somebody looks. ``equal=False`` leaves out the
    unchanged paragraphs, most of a typical diff, which a recording does not store: they are
    the ones no change names, paired in order (:func:`unchanged`).
    """
    if granularity not in GRANULARITIES:
        raise ValueError(f"unknown granularity {granularity!r}; use one of {GRANULARITIES}")
    matches, gaps, sim = align(old, new, ignore_whitespace)
    split_from, merged_into = splits_and_merges(matches, gaps, sim)
    old_used = [False] * len(old)
    for i, _ in matches.values():
        old_used[i] = True
    out: list[Change] = []

    def deletions_after(k: int) -> None:
        # deleted paragraphs that followed old paragraph k (k = -1: the start of the document)
        i = k + 1
        while i < len(old) and not old_used[i]:
            out.append(
                Change("delete", i, None, old[i], None, None, merged_into=merged_into.get(i))
            )
            i += 1

    deletions_after(-1)
    for j, text in enumerate(new):
        match = matches.get(j)
        if match is None:
            out.append(Change("insert", None, j, None, text, None, split_from=split_from.get(j)))
            continue
        i, kind = match
        if kind == EQUAL:
            if equal:
                out.append(Change("equal", i, j, old[i], text, None))
        elif kind == MOVE:
            out.append(Change("move", i, j, old[i], text, None))
        else:
            op = "modify" if kind == MODIFY else "move"
            words = inline_diff(old[i], text, granularity) if inline else None
            out.append(Change(op, i, j, old[i], text, words, edited=True))
        deletions_after(i)
    return out


def unchanged(changes: Sequence[Change], old_count: int, new_count: int) -> list[tuple[int, int]]:
    """The (old, new) index pairs of the unchanged paragraphs of a diff made with
    ``equal=False`` between ``old_count`` and ``new_count`` paragraphs: the paragraphs that no
    change names, paired in order (unchanged paragraphs never cross: only moves do)."""
    named_old = {c.old for c in changes if c.old is not None}
    named_new = {c.new for c in changes if c.new is not None}
    return list(
        zip(
            (i for i in range(old_count) if i not in named_old),
            (j for j in range(new_count) if j not in named_new),
        )
    )


def stats(changes: Iterable[Change]) -> dict[str, int]:
    """Count changes: added, removed, modified, moved, unchanged, and split and merged.

    Each change counts once in the first five (``added + modified + moved + unchanged`` is the
    number of new paragraphs, ``removed + modified + moved + unchanged`` that of old ones);
    ``split`` counts the added paragraphs that are pieces of a split one (``split <= added``),
    ``merged`` the removed ones that went into a merged one (``merged <= removed``).
    """
    names = {
        "insert": "added",
        "delete": "removed",
        "modify": "modified",
        "move": "moved",
        "equal": "unchanged",
    }
    counts = dict.fromkeys(STATS, 0)
    for c in changes:
        counts[names[c.op]] += 1
        if c.split_from is not None:
            counts["split"] += 1
        if c.merged_into is not None:
            counts["merged"] += 1
    return counts


def blame_paragraphs(versions: Sequence[Sequence[str]]) -> list[int]:
    """For each paragraph of the last version, the index of the version that gave it its text."""
    if not versions:
        return []
    origin = [0] * len(versions[0])
    for k in range(1, len(versions)):
        matches = align(versions[k - 1], versions[k], False)[0]
        current = []
        for j in range(len(versions[k])):
            match = matches.get(j)
            if match is not None and match[1] in (EQUAL, MOVE):
                current.append(origin[match[0]])
            else:
                current.append(k)
        origin = current
    return origin


def with_context(
    changes: Sequence[Change], context: int = 1, full: bool = False
) -> list[Change | Skipped]:
    """Keep changed paragraphs and ``context`` unchanged ones around each; mark skipped runs."""
    if full:
        return list(changes)
    context = max(0, context)
    out: list[Change | Skipped] = []
    k, n = 0, len(changes)
    while k < n:
        if changes[k].op != "equal":
            out.append(changes[k])
            k += 1
            continue
        end = k
        while end < n and changes[end].op == "equal":
            end += 1
        run = changes[k:end]
        head = context if k > 0 else 0  # shown after the change before the run
        tail = context if end < n else 0  # shown before the change after the run
        if head + tail >= len(run):
            out.extend(run)
        else:
            out.extend(run[:head])
            first, last = run[head].new, run[len(run) - tail - 1].new
            assert first is not None and last is not None
            out.append(Skipped(first, last))
            out.extend(run[len(run) - tail :])
        k = end
    return out
