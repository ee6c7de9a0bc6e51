"""Paragraph diff engine: align two paragraph lists, pair rewritten paragraphs, find moves.

Pure functions over lists of paragraph strings (no I/O). The steps, in order:

1. **Alignment.** Paragraphs are mapped to integer ids by (optionally whitespace-normalised) text
   and aligned with :class:`difflib.SequenceMatcher` (``autojunk=False``) after trimming the
   common head and tail. Aligned pairs are ``equal`` and act as anchors; between consecutive
   anchors lie *gaps* of unmatched old and new paragraphs, and no text occurs on both sides of
   one gap.
2. **Unedited moves.** An unmatched old paragraph whose exact text turns up unmatched in another
   gap is a ``move``. This runs before pairing so that a paragraph which only changed place is
   never taken for the rewrite of a neighbour that happens to share a few words.
3. **Pairing.** Inside each gap, old and new paragraphs similar enough (:data:`MODIFY_SIMILARITY`)
   are paired in order (a maximum-weight order-preserving matching), giving ``modify``.
4. **Edited moves.** Among what is left anywhere in the document, a pair at least
   :data:`MOVE_SIMILARITY` alike is an edited ``move`` (or a ``modify`` if it sits in one gap, in
   order with that gap's pairs: the banded search of a large gap can miss it). The rest are
   ``delete`` and ``insert``.

Like MediaWiki's wikidiff2, the similarity search is bounded so a large rewrite stays roughly
linear: small gaps compare every pair, large gaps only a band around the diagonal; move candidates
come from an index of rare words, a few per paragraph; and a cheap upper bound (length ratio, then
shared-word count) rules out most pairs before the real ratio is computed.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .inline import GRANULARITIES, inline_diff
from .similarity import (
    MODIFY_SIMILARITY,
    MOVE_SIMILARITY,
    Similarity,
    move_candidates,
    pair_gap,
)


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


# --------------------------------------------------------------------------- inline diff
# kinds of match between an old and a new paragraph
_EQUAL, _MODIFY, _MOVE, _MOVE_EDITED = "equal", "modify", "move", "move-edited"


def _key(text: str, ignore_whitespace: bool) -> str:
    return " ".join(text.split()) if ignore_whitespace else text


def _align(
    old: Sequence[str], new: Sequence[str], ignore_whitespace: bool
) -> dict[int, tuple[int, str]]:
    """Match new paragraphs to old ones: {new index: (old index, kind)}; the rest are ins/del."""
    ids: dict[str, int] = {}
    old_keys = [ids.setdefault(_key(p, ignore_whitespace), len(ids)) for p in old]
    new_keys = [ids.setdefault(_key(p, ignore_whitespace), len(ids)) for p in new]
    matches: dict[int, tuple[int, str]] = {}
    gaps: list[tuple[range, range]] = []
    # common head and tail first: cheap, and it keeps SequenceMatcher's work to the changed middle
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
    mid_old = old_keys[head : len(old_keys) - tail]
    mid_new = new_keys[head : len(new_keys) - tail]
    sm = difflib.SequenceMatcher(None, mid_old, mid_new, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        i1, i2, j1, j2 = i1 + head, i2 + head, j1 + head, j2 + head
        if tag == "equal":
            for d in range(i2 - i1):
                matches[j1 + d] = (i1 + d, _EQUAL)
        else:
            gaps.append((range(i1, i2), range(j1, j2)))
    if not gaps:
        return matches

    # unedited moves first: a paragraph whose exact text left one gap and arrived in another
    # (one gap never has the same text on both sides) must not be taken for a neighbour's rewrite
    gap_of_old: dict[int, int] = {}
    gap_of_new: dict[int, int] = {}
    for g, (olds, news) in enumerate(gaps):
        gap_of_old.update(dict.fromkeys(olds, g))
        gap_of_new.update(dict.fromkeys(news, g))
    by_key: dict[int, list[int]] = {}
    for i in sorted(gap_of_old, reverse=True):
        by_key.setdefault(old_keys[i], []).append(i)
    moved_old: set[int] = set()
    for j in sorted(gap_of_new):
        stack = by_key.get(new_keys[j])
        if stack:
            i = stack.pop()
            matches[j] = (i, _MOVE)
            moved_old.add(i)

    # rewritten paragraphs: similar pairs inside each gap, kept in order
    sim = Similarity(old, new)
    gap_pairs: list[list[tuple[int, int]]] = []  # per gap: in-place pairs, sorted by old index
    for olds, news in gaps:
        chain = pair_gap(
            sim, [i for i in olds if i not in moved_old], [j for j in news if j not in matches]
        )
        gap_pairs.append([(i, j) for i, j, _ in chain])
        for i, j, _ in chain:
            matches[j] = (i, _MODIFY)

    used_old = {i for i, _ in matches.values()}
    left_old = [i for i in sorted(gap_of_old) if i not in used_old]
    left_new = [j for j in sorted(gap_of_new) if j not in matches]
    if not left_old or not left_new:
        return matches

    # edited moves (and in-place pairs the banded gap search could not see)
    scored = []
    for i, j in move_candidates(sim, left_old, left_new):
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
    return matches


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
    matches = _align(old, new, ignore_whitespace)
    old_used = [False] * len(old)
    for i, _ in matches.values():
        old_used[i] = True
    out: list[Change] = []

    def deletions_after(k: int) -> None:
        # deleted paragraphs that followed old paragraph k (k = -1: the start of the document)
        i = k + 1
        while i < len(old) and not old_used[i]:
            out.append(Change("delete", i, None, old[i], None, None))
            i += 1

    deletions_after(-1)
    for j, text in enumerate(new):
        match = matches.get(j)
        if match is None:
            out.append(Change("insert", None, j, None, text, None))
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
    """Count changes by kind: added, removed, modified, moved, unchanged."""
    names = {
        "insert": "added",
        "delete": "removed",
        "modify": "modified",
        "move": "moved",
        "equal": "unchanged",
    }
    counts = dict.fromkeys(("added", "removed", "modified", "moved", "unchanged"), 0)
    for c in changes:
        counts[names[c.op]] += 1
    return counts


def blame_paragraphs(versions: Sequence[Sequence[str]]) -> list[int]:
    """For each paragraph of the last version, the index of the version that gave it its text."""
    if not versions:
        return []
    origin = [0] * len(versions[0])
    for k in range(1, len(versions)):
        matches = _align(versions[k - 1], versions[k], False)
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
