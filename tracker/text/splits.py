"""Step 5 of the paragraph diff: paragraphs split in pieces and merged from parts.

Runs after :func:`tracker.text.align.align`, on what it left unpaired in its gaps; the rules are
in the :mod:`tracker.text.diff` docstring, the thresholds below.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from . import similarity
from .align import MODIFY, MOVE_EDITED, Gaps, Matches
from .similarity import Similarity, common_words

#: A new paragraph is a piece of a split old one (and, the other way round, an old paragraph part
#: of a merged new one) only if at least this share of its words are words of the whole, in
#: order, that the other pieces do not already account for. An unrelated paragraph next to an
#: edited one shares only common words with the whole, seldom a quarter of its own in order; one
#: that only repeats what the edited paragraph still says accounts for nothing new.
SPLIT_PIECE_SHARE = 0.75

#: The pieces together must account for at least this share of the whole's words, in order: a
#: split or a merge keeps most of the text, with light edits at most; less is a rewrite.
SPLIT_COVERAGE = 0.8


def _grow_pieces(
    whole: list[str], anchor: int, free: set[int], words: Callable[[int], list[str]]
) -> list[int]:
    """The run of paragraphs around ``anchor`` (itself, then free neighbours) that ``whole`` was
    cut into, in order; just ``[anchor]`` if the run is not a split (or merge) of ``whole``."""
    run = [anchor]
    covered = common_words(words(anchor), whole)
    for step in (1, -1):  # neighbours after the anchor, then before it
        k = anchor + step
        while k in free:
            piece = words(k)
            if SPLIT_PIECE_SHARE * len(piece) > len(whole) - covered:
                break  # not enough of the whole is left for this piece to be made of it
            grown = run + [k] if step == 1 else [k] + run
            joined = [w for p in grown for w in words(p)]
            now = common_words(joined, whole)
            if not piece or now - covered < SPLIT_PIECE_SHARE * len(piece):
                break
            run, covered = grown, now
            k += step
    if len(run) < 2 or covered < SPLIT_COVERAGE * len(whole):
        return [anchor]
    return run


def _best_anchor(
    whole: list[str], candidates: Iterable[int], free: set[int], words: Callable[[int], list[str]]
) -> int | None:
    """Among free candidates, the one with most words of ``whole`` that is mostly made of them.

    Only candidates under half the size of ``whole`` are tried: a bigger one made of its words
    would be similar enough to have been paired with it (at least MODIFY_SIMILARITY).
    """
    best, best_common = None, 0
    for k in candidates:
        piece = words(k) if k in free else ()
        if not piece or 2 * len(piece) >= len(whole):
            continue
        common = common_words(piece, whole)
        if common > best_common and common >= SPLIT_PIECE_SHARE * len(piece):
            best, best_common = k, common
    return best


def _band(items: range, position: int, size: int, gap_pairs: int) -> range:
    """The items of a gap to try against the one at ``position`` of ``size``: all of them if the
    gap is small, else those near its proportional place (as the banded pairing does)."""
    if gap_pairs <= similarity.FULL_GAP_PAIRS:  # read at call time: tests shrink the limits
        return items
    center = items.start + (position * len(items)) // max(size, 1)
    return range(
        max(items.start, center - similarity.MAX_PAIRING_CANDIDATES),
        min(items.stop, center + similarity.MAX_PAIRING_CANDIDATES + 1),
    )


def _keeps_order(pairs: list[tuple[int, int]], i: int, j: int) -> bool:
    """Whether pairing old i with new j crosses none of these (old, new) pairs."""
    return all((i2 < i) == (j2 < j) for i2, j2 in pairs)


def splits_and_merges(
    matches: Matches, gaps: Gaps, sim: Similarity
) -> tuple[dict[int, int], dict[int, int]]:
    """Find paragraphs split in pieces and merged from parts: {new piece: old}, {old part: new}.

    A piece is an insert next to the new paragraph that its old one is paired with (modify or
    edited move), or, when the old one was left unpaired, next to the insert of its gap that
    holds most of its words, which then becomes its ``modify`` (or edited ``move``, if that pair
    would cross another in the gap). Merges are the same with old and new swapped. ``matches``
    gains those new pairs.
    """
    split_from: dict[int, int] = {}
    merged_into: dict[int, int] = {}
    if not gaps:
        return split_from, merged_into
    used_old = {i for i, _ in matches.values()}
    free_new = {j for _, news in gaps for j in news if j not in matches}
    free_old = {i for olds, _ in gaps for i in olds if i not in used_old}
    if not free_new and not free_old:
        return split_from, merged_into

    def new_words(j: int) -> list[str]:
        return sim.new_words(j).words

    def old_words(i: int) -> list[str]:
        return sim.old_words(i).words

    def split(i: int, anchor: int) -> bool:
        if anchor + 1 not in free_new and anchor - 1 not in free_new:
            return False  # no free neighbour to be a piece: nothing to compare
        run = _grow_pieces(old_words(i), anchor, free_new, new_words)
        for j in run:
            if j != anchor:
                split_from[j] = i
                free_new.discard(j)
        return len(run) > 1

    def merge(j: int, anchor: int) -> bool:
        if anchor + 1 not in free_old and anchor - 1 not in free_old:
            return False
        run = _grow_pieces(new_words(j), anchor, free_old, old_words)
        for i in run:
            if i != anchor:
                merged_into[i] = j
                free_old.discard(i)
        return len(run) > 1

    # paragraphs already paired with an edit: pieces and parts beside them
    for j, (i, kind) in sorted(matches.items()):
        if kind in (MODIFY, MOVE_EDITED):
            if free_new and sim.old_words(i).size:
                split(i, j)
            if free_old and sim.new_words(j).size:
                merge(j, i)

    def pair(i: int, j: int, in_place: list[tuple[int, int]]) -> None:
        # a modify if it keeps the order of the gap's other in-place pairs, else an edited move
        if _keeps_order(in_place, i, j):
            matches[j] = (i, MODIFY)
            in_place.append((i, j))
        else:
            matches[j] = (i, MOVE_EDITED)

    # unpaired paragraphs cut into (or made of) pieces too unlike any one of them to be paired
    for olds, news in gaps:
        pairs = len(olds) * len(news)
        in_place = [(matches[j][0], j) for j in news if j in matches and matches[j][1] == MODIFY]
        for i in olds:
            if i in free_old and free_new and old_words(i):
                near = _band(news, i - olds.start, len(olds), pairs)
                anchor = _best_anchor(old_words(i), near, free_new, new_words)
                if anchor is not None:
                    free_new.discard(anchor)
                    if split(i, anchor):
                        pair(i, anchor, in_place)
                        free_old.discard(i)
                    else:
                        free_new.add(anchor)
        for j in news:
            if j in free_new and free_old and new_words(j):
                near = _band(olds, j - news.start, len(news), pairs)
                anchor = _best_anchor(new_words(j), near, free_old, old_words)
                if anchor is not None:
                    free_old.discard(anchor)
                    if merge(j, anchor):
                        pair(anchor, j, in_place)
                        free_new.discard(j)
                    else:
                        free_old.add(anchor)
    return split_from, merged_into
