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
   words; but a short text (under :data:`SHORT_PARAGRAPH_WORDS` words) is moved only if neither
   its old nor its new place pairs it with a rewrite in step 3.
3. **Pairing.** Inside each gap, old and new paragraphs similar enough (:data:`MODIFY_SIMILARITY`)
   are paired in order (a maximum-weight order-preserving matching), giving ``modify``.
4. **Edited moves.** Among what is left anywhere in the document, a pair at least
   :data:`MOVE_SIMILARITY` alike is an edited ``move`` (or a ``modify`` if it sits in one gap, in
   order with that gap's pairs: the banded search of a large gap can miss it). The rest are
   ``delete`` and ``insert``.
5. **Splits and merges.** Inserts next to a paragraph paired with an edit that are made of the
   rest of its old text are pieces of a split (``Change.split_from``); deletes next to one that
   went into its new text are parts of a merge (``Change.merged_into``). An old paragraph cut
   into pieces too small to be paired with any one of them is paired with the piece holding most
   of its words (and the same for merges); see :data:`SPLIT_PIECE_SHARE`, :data:`SPLIT_COVERAGE`.

Like MediaWiki's wikidiff2, the similarity search is bounded so a large rewrite stays roughly
linear: small gaps compare every pair, large gaps only a band around the diagonal; move candidates
come from an index of rare words, a few per paragraph; and a cheap length bound rules out many
pairs before the real ratio (an exact word-level LCS) is computed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from . import similarity
from .inline import GRANULARITIES, inline_diff
from .similarity import (
    MODIFY_SIMILARITY,
    MOVE_SIMILARITY,
    Similarity,
    common_words,
    move_candidates,
    pair_gap,
)

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


@dataclass(frozen=True)
class Skipped:
    """A run of unchanged paragraphs left out of a rendering (0-based new indexes, inclusive)."""

    first: int
    last: int

    @property
    def count(self) -> int:
        """How many paragraphs were skipped."""
        return self.last - self.first + 1


# --------------------------------------------------------------------------- alignment
# kinds of match between an old and a new paragraph
_EQUAL, _MODIFY, _MOVE, _MOVE_EDITED = "equal", "modify", "move", "move-edited"

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
    a: Sequence[int],
    alo: int,
    ahi: int,
    blo: int,
    bhi: int,
    b2j: dict[int, list[int]],
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
    a: Sequence[int], b: Sequence[int], unique: set[int]
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
    a: Sequence[int], b: Sequence[int], unique: set[int], diagonal: bool
) -> tuple[list[tuple[int, int, int]], bool]:
    """The runs of one recursive longest-run matching; also whether the diagonal swayed it."""
    b2j: dict[int, list[int]] = {}
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


_Matches = dict[int, tuple[int, str]]  # {new index: (old index, kind of match)}
_Gaps = list[tuple[range, range]]  # unmatched (old, new) index ranges between anchors


def _align(
    old: Sequence[str], new: Sequence[str], ignore_whitespace: bool
) -> tuple[_Matches, _Gaps, Similarity]:
    """Match new paragraphs to old ones; the rest are ins/del. Also the gaps and the scorer."""
    ids: dict[str, int] = {}
    old_keys = [ids.setdefault(_key(p, ignore_whitespace), len(ids)) for p in old]
    new_keys = [ids.setdefault(_key(p, ignore_whitespace), len(ids)) for p in new]
    matches: _Matches = {}
    gaps: _Gaps = []
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
        matches[d] = (d, _EQUAL)
    for d in range(1, tail + 1):
        matches[len(new_keys) - d] = (len(old_keys) - d, _EQUAL)
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
            matches[bj + d + head] = (bi + d + head, _EQUAL)
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
            matches[j] = (i, _MOVE)
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
            matches[j] = (i, _MODIFY)
    used_old = {i for i, _ in matches.values()}
    for i, j in short_twins:
        if i not in used_old and j not in matches:
            matches[j] = (i, _MOVE)
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
                matches[j] = (i, _MODIFY)
                taken_old.add(i)
                continue
        if -neg >= MOVE_SIMILARITY:
            matches[j] = (i, _MOVE_EDITED)
            taken_old.add(i)
    return matches, gaps, sim


# --------------------------------------------------------------------------- splits and merges

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


def _splits_and_merges(
    matches: _Matches, gaps: _Gaps, sim: Similarity
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
        run = _grow_pieces(old_words(i), anchor, free_new, new_words)
        for j in run:
            if j != anchor:
                split_from[j] = i
                free_new.discard(j)
        return len(run) > 1

    def merge(j: int, anchor: int) -> bool:
        run = _grow_pieces(new_words(j), anchor, free_old, old_words)
        for i in run:
            if i != anchor:
                merged_into[i] = j
                free_old.discard(i)
        return len(run) > 1

    # paragraphs already paired with an edit: pieces and parts beside them
    for j, (i, kind) in sorted(matches.items()):
        if kind in (_MODIFY, _MOVE_EDITED):
            if free_new and old_words(i):
                split(i, j)
            if free_old and new_words(j):
                merge(j, i)

    def pair(i: int, j: int, in_place: list[tuple[int, int]]) -> None:
        # a modify if it keeps the order of the gap's other in-place pairs, else an edited move
        if _keeps_order(in_place, i, j):
            matches[j] = (i, _MODIFY)
            in_place.append((i, j))
        else:
            matches[j] = (i, _MOVE_EDITED)

    # unpaired paragraphs cut into (or made of) pieces too unlike any one of them to be paired
    for olds, news in gaps:
        pairs = len(olds) * len(news)
        in_place = [(matches[j][0], j) for j in news if j in matches and matches[j][1] == _MODIFY]
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


# --------------------------------------------------------------------------- public API


def diff_paragraphs(
    old: Sequence[str],
    new: Sequence[str],
    *,
    granularity: str = "word",
    ignore_whitespace: bool = False,
    inline: bool = True,
) -> list[Change]:
    """Diff two paragraph lists into changes, in new-document order, deletions where they were.

    ``inline=False`` leaves out the word-level diffs of edited paragraphs (``Change.inline`` is
    then None; ``Change.edited`` still tells): the store records which paragraphs changed, and
    the words are diffed again only when somebody looks.
    """
    if granularity not in GRANULARITIES:
        raise ValueError(f"unknown granularity {granularity!r}; use one of {GRANULARITIES}")
    matches, gaps, sim = _align(old, new, ignore_whitespace)
    split_from, merged_into = _splits_and_merges(matches, gaps, sim)
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
        if kind == _EQUAL:
            out.append(Change("equal", i, j, old[i], text, None))
        elif kind == _MOVE:
            out.append(Change("move", i, j, old[i], text, None))
        else:
            op = "modify" if kind == _MODIFY else "move"
            words = inline_diff(old[i], text, granularity) if inline else None
            out.append(Change(op, i, j, old[i], text, words, edited=True))
        deletions_after(i)
    return out


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
        matches = _align(versions[k - 1], versions[k], False)[0]
        current = []
        for j in range(len(versions[k])):
            match = matches.get(j)
            if match is not None and match[1] in (_EQUAL, _MOVE):
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
