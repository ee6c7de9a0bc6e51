"""Steps 1 to 4 of the paragraph diff: align two paragraph lists, find moves, pair rewrites.

:func:`align` maps new paragraphs to old ones (equal, moved, modified, moved and edited) and
leaves the rest as inserts and deletes; the gaps between its anchors are where
:mod:`tracker.text.splits` then looks for splits and merges. The rules of each step are in the
:mod:`tracker.text.diff` docstring.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from .similarity import (
    MODIFY_SIMILARITY,
    MOVE_SIMILARITY,
    Similarity,
    move_candidates,
    pair_gap,
)

#: The kinds of match between an old and a new paragraph, in :data:`Matches`.
EQUAL, MODIFY, MOVE, MOVE_EDITED = "equal", "modify", "move", "move-edited"

#: A paragraph of fewer words than this whose exact text left one gap and arrived in another is
#: called moved only if neither place offers a rewrite for it: short texts (dates, list items,
#: headings) turn up elsewhere by coincidence, as when every date of a schedule moves one day on
#: and each entry now shows its neighbour's old date. Longer texts are called moved at once, so
#: that a paragraph which only changed place is never taken for a neighbour's rewrite. (git's
#: ``--color-moved`` likewise ignores moved blocks of under 20 alphanumeric characters.)
SHORT_PARAGRAPH_WORDS = 8


def _key(text: str, ignore_whitespace: bool) -> str:
    return " ".join(text.split()) if ignore_whitespace else text


def _longest_match(
    a: Sequence[str],
    alo: int,
    ahi: int,
    blo: int,
    bhi: int,
    b2j: dict[str, list[int]],
    unique_before: list[int],
    diagonal: bool,
    swayed: list[bool],
) -> tuple[int, int, int]:
    """The longest common run of a[alo:ahi] and b[blo:bhi], as (i, j, size).

    As difflib's ``find_longest_match``, but ties between runs of the same size go to the run
    with more paragraphs found once in each version, then (if ``diagonal``) to the run nearest
    the diagonal of the region: in a list whose entries kept their places while their dates
    shifted by one entry, the entries anchor the alignment, not the dates. Equal runs on all
    counts: the first one. ``swayed[0]`` is set when the diagonal decided a tie.
    """
    la, lb = ahi - alo, bhi - blo

    def tie_rank(i0: int, j0: int, k: int) -> tuple[int, int]:
        unique = unique_before[i0 + k] - unique_before[i0]
        return unique, -abs((i0 - alo) * lb - (j0 - blo) * la) if diagonal else 0

    besti, bestj, bestsize = alo, blo, 0
    best_tie: tuple[int, int] | None = None  # tie_rank of the best run, computed on a first tie
    j2len: dict[int, int] = {}
    for i in range(alo, ahi):
        get = j2len.get
        newj2len: dict[int, int] = {}
        for j in b2j.get(a[i], ()):
            if j < blo:
                continue
            if j >= bhi:
                break
            k = newj2len[j] = get(j - 1, 0) + 1
            if k > bestsize:
                besti, bestj, bestsize, best_tie = i - k + 1, j - k + 1, k, None
            elif k == bestsize:
                if best_tie is None:
                    best_tie = tie_rank(besti, bestj, k)
                tie = tie_rank(i - k + 1, j - k + 1, k)
                if tie > best_tie:
                    if tie[0] == best_tie[0]:
                        swayed[0] = True
                    besti, bestj, best_tie = i - k + 1, j - k + 1, tie
        j2len = newj2len
    return besti, bestj, bestsize


def _matching_blocks(
    a: Sequence[str], b: Sequence[str], unique: set[str]
) -> list[tuple[int, int, int]]:
    """Runs (i, j, size) common to a and b, in order: difflib's recursive longest-run matching.

    Ties go to runs near the diagonal; but a greedy choice can cost matches further on (of two
    sections that swapped places, the shorter one kept in place leaves the longer one moved), so
    if the diagonal decided any tie, the matching without it is tried too, and the one matching
    more paragraphs is kept (the diagonal one when both match as many).
    """
    blocks, swayed = _greedy_blocks(a, b, unique, diagonal=True)
    if swayed:
        plain, _ = _greedy_blocks(a, b, unique, diagonal=False)
        if sum(k for _, _, k in plain) > sum(k for _, _, k in blocks):
            return plain
    return blocks


def _greedy_blocks(
    a: Sequence[str], b: Sequence[str], unique: set[str], diagonal: bool
) -> tuple[list[tuple[int, int, int]], bool]:
    """The runs of one recursive longest-run matching; also whether the diagonal swayed it."""
    b2j: dict[str, list[int]] = {}
    for j, key in enumerate(b):
        b2j.setdefault(key, []).append(j)
    unique_before = [0]
    for key in a:
        unique_before.append(unique_before[-1] + (key in unique))
    blocks = []
    swayed = [False]
    queue = [(0, len(a), 0, len(b))]
    while queue:
        alo, ahi, blo, bhi = queue.pop()
        i, j, k = _longest_match(a, alo, ahi, blo, bhi, b2j, unique_before, diagonal, swayed)
        if k:
            blocks.append((i, j, k))
            if alo < i and blo < j:
                queue.append((alo, i, blo, j))
            if i + k < ahi and j + k < bhi:
                queue.append((i + k, ahi, j + k, bhi))
    blocks.sort()
    return blocks, swayed[0]


Matches = dict[int, tuple[int, str]]  # {new index: (old index, kind of match)}
Gaps = list[tuple[range, range]]  # unmatched (old, new) index ranges between anchors


def align(
    old: Sequence[str], new: Sequence[str], ignore_whitespace: bool
) -> tuple[Matches, Gaps, Similarity]:
    """Match new paragraphs to old ones; the rest are ins/del. Also the gaps and the scorer."""
    # a paragraph's key is its text (whitespace runs made one space if they are ignored): the
    # matching below only hashes keys and compares them, and a string keeps its hash
    if ignore_whitespace:
        old_keys: Sequence[str] = [_key(p, True) for p in old]
        new_keys: Sequence[str] = [_key(p, True) for p in new]
    else:
        old_keys, new_keys = old, new
    matches: Matches = {}
    gaps: Gaps = []
    sim = Similarity(old, new)
    # common head and tail first: cheap, and it keeps the matcher's work to the changed middle
    head = 0
    limit = min(len(old_keys), len(new_keys))
    while head < limit and old_keys[head] == new_keys[head]:
        head += 1
    tail = 0
    while tail < limit - head and old_keys[-1 - tail] == new_keys[-1 - tail]:
        tail += 1
    for d in range(head):
        matches[d] = (d, EQUAL)
    for d in range(1, tail + 1):
        matches[len(new_keys) - d] = (len(old_keys) - d, EQUAL)
    if head + tail == len(old_keys) == len(new_keys):
        return matches, gaps, sim
    # texts found exactly once in each version: the only ones that can anchor or move for sure
    old_count = Counter(old_keys)
    new_count = Counter(new_keys)
    unique = {key for key, n in old_count.items() if n == 1 and new_count.get(key) == 1}
    mid_old = old_keys[head : len(old_keys) - tail]
    mid_new = new_keys[head : len(new_keys) - tail]
    i = j = 0
    for bi, bj, size in _matching_blocks(mid_old, mid_new, unique) + [
        (len(mid_old), len(mid_new), 0)
    ]:
        if i < bi or j < bj:
            gaps.append((range(i + head, bi + head), range(j + head, bj + head)))
        for d in range(size):
            matches[bj + d + head] = (bi + d + head, EQUAL)
        i, j = bi + size, bj + size
    if not gaps:
        return matches, gaps, sim

    # unedited moves: a text found once in each version that left one gap and arrived in another
    # (one gap never has the same text on both sides). A text found more than once is not moved:
    # which copy went where cannot be told.
    gap_of_old: dict[int, int] = {}
    gap_of_new: dict[int, int] = {}
    for g, (olds, news) in enumerate(gaps):
        gap_of_old.update(dict.fromkeys(olds, g))
        gap_of_new.update(dict.fromkeys(news, g))
    where = {old_keys[i]: i for i in gap_of_old if old_keys[i] in unique}
    moved_old: set[int] = set()
    short_twins: list[tuple[int, int]] = []  # short texts: moved only if nothing pairs in place
    for j in sorted(gap_of_new):
        i = where.get(new_keys[j], -1)
        if i < 0:
            continue
        if sim.old_words(i).size >= SHORT_PARAGRAPH_WORDS:
            matches[j] = (i, MOVE)
            moved_old.add(i)
        else:
            short_twins.append((i, j))

    # rewritten paragraphs: similar pairs inside each gap, kept in order
    gap_pairs: list[list[tuple[int, int]]] = []  # per gap: in-place pairs, sorted by old index
    for olds, news in gaps:
        chain = pair_gap(
            sim, [i for i in olds if i not in moved_old], [j for j in news if j not in matches]
        )
        gap_pairs.append([(i, j) for i, j, _ in chain])
        for i, j, _ in chain:
            matches[j] = (i, MODIFY)
    used_old = {i for i, _ in matches.values()}
    for i, j in short_twins:
        if i not in used_old and j not in matches:
            matches[j] = (i, MOVE)
            used_old.add(i)

    left_old = [i for i in sorted(gap_of_old) if i not in used_old]
    left_new = [j for j in sorted(gap_of_new) if j not in matches]
    if not left_old or not left_new:
        return matches, gaps, sim

    # edited moves (and in-place pairs the banded gap search could not see); two copies of one
    # text are not an edited move either (see above)
    scored = []
    for i, j in move_candidates(sim, left_old, left_new):
        if old_keys[i] == new_keys[j]:
            continue
        same_gap = gap_of_old[i] == gap_of_new[j]
        threshold = MODIFY_SIMILARITY if same_gap else MOVE_SIMILARITY
        s = sim.score(i, j, threshold)
        if s >= threshold:
            scored.append((-s, i, j))
    scored.sort()
    taken_old: set[int] = set()
    for neg, i, j in scored:
        if i in taken_old or j in matches:
            continue
        g = gap_of_old[i]
        if g == gap_of_new[j]:
            pairs = gap_pairs[g]
            pos = _bisect_old(pairs, i)
            before_ok = pos == 0 or pairs[pos - 1][1] < j
            after_ok = pos == len(pairs) or pairs[pos][1] > j
            if before_ok and after_ok:
                pairs.insert(pos, (i, j))
                matches[j] = (i, MODIFY)
                taken_old.add(i)
                continue
        if -neg >= MOVE_SIMILARITY:
            matches[j] = (i, MOVE_EDITED)
            taken_old.add(i)
    return matches, gaps, sim


def _bisect_old(pairs: list[tuple[int, int]], i: int) -> int:
    """Position of the first pair whose old index is greater than ``i``."""
    lo, hi = 0, len(pairs)
    while lo < hi:
        mid = (lo + hi) // 2
        if pairs[mid][0] < i:
            lo = mid + 1
        else:
            hi = mid
    return lo
