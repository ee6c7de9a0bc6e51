"""Edits inside sentences and text moved between paragraphs: tokens matched in changed paragraphs.

What whole sentences did not account for is matched token by token, among the changed
paragraphs only: first a token diff (longest common subsequence) of each new span with its
paired old one (an edit inside a sentence); then runs of at least :data:`MIN_MOVE_WORDS` words
still left are looked up among the tokens left in all changed old paragraphs, in any order (text
moved between paragraphs, a split or a merge that cut a sentence); then each new span is diffed
again with every old paragraph it took sentences or runs from, which finds the odd word such an
edit leaves. Old tokens matched here are *consumed*: each old word continues in at most one
place.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import compress
from operator import not_

from .tokens import Spans, extend

#: Text that left one changed paragraph and turned up in another in the same version (a split or a
#: merge through a sentence, a clause moved) is recognised from this many words in a row.
MIN_MOVE_WORDS = 2

#: A pair of words found at more places than this among the changed old paragraphs does not seed
#: a moved run (runs are still extended over it from a rarer neighbour).
_MAX_SEEDS = 8

_FLIP = bytes([1, 0]) + bytes(254)  # bytearray.translate table: taken flags to "not taken"


def _common_blocks(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int, int]]:
    """The equal blocks ``(i, j, size)`` of a minimal token diff of ``a`` and ``b`` (a longest
    common subsequence, computed by rapidfuzz in C++; imported here, on first use, so that
    reading runs never pays for it)."""
    from rapidfuzz.distance import Indel

    return [block for block in Indel.opcodes(a, b).as_matching_blocks() if block[2]]


def diff_leftovers(spans: Spans, pairs: Iterable[tuple[int, int]]) -> None:
    """Edits inside sentences: diff the tokens left in new paragraph j and old paragraph i.

    Run for each paired paragraph, then again for each old paragraph a new one took
    sentences or runs from (a split or merge through a sentence leaves a word or two behind).
    """
    for j, i in pairs:
        p, op = spans.new.get(j), spans.old.get(i)
        if p is None or op is None:
            continue
        new_left = list(compress(range(len(p.origins)), map(not_, p.origins)))
        if not new_left:
            continue
        taken = op.taken
        old_left = list(compress(range(len(taken)), taken.translate(_FLIP)))
        if not old_left:
            continue
        a = list(map(op.ctoks.__getitem__, old_left))
        b = list(map(p.ctoks.__getitem__, new_left))
        origins, old_origins = p.origins, op.origins
        for x, y, n in _common_blocks(a, b):
            for d in range(n):
                oc = old_left[x + d]
                origins[new_left[y + d]] = old_origins[oc]
                taken[oc] = 1


def match_moves(spans: Spans, pair: dict[int, int], sources: dict[int, set[int]]) -> None:
    """Runs of words that left one changed old paragraph for another new one.

    Seeds are pairs of neighbouring words (punctuation between them skipped) left on both
    sides; each seed is extended both ways over equal tokens. A new paragraph's source other
    than its ``pair`` is added to its ``sources``.
    """
    wanted: dict[int, list[tuple[int, int, tuple[str, str]]]] = {}
    pairs: set[tuple[str, str]] = set()
    for j, p in spans.new.items():
        words = p.isword
        at = [c for c in compress(range(len(p.origins)), map(not_, p.origins)) if words[c]]
        seeds = list(zip(map(words.__getitem__, at), map(words.__getitem__, at[1:])))
        if seeds:
            wanted[j] = list(zip(at, at[1:], seeds))
            pairs.update(seeds)
    if not pairs:
        return
    index: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for i, op in spans.old.items():
        words = op.isword
        at = [c for c in compress(range(len(op.taken)), op.taken.translate(_FLIP)) if words[c]]
        seeds = list(zip(map(words.__getitem__, at), map(words.__getitem__, at[1:])))
        for c, seed in compress(zip(at, seeds), map(pairs.__contains__, seeds)):
            index.setdefault(seed, []).append((i, c))
    if not index:
        return
    for j, found in wanted.items():
        p = spans.new[j]
        origins = p.origins
        for c, d, seed in found:
            if origins[c] or origins[d]:
                continue  # taken by a run found from an earlier word
            seeds = index.get(seed)
            if not seeds or len(seeds) > _MAX_SEEDS:
                continue
            best = None
            for i, oc in seeds:
                op = spans.old[i]
                if op.taken[oc]:
                    continue
                start, end, ostart = extend(p, c, op, oc, consumed=False)
                n = p.word_count(start, end)
                if n >= MIN_MOVE_WORDS and (best is None or n > best[0]):
                    best = (n, start, end, i, ostart)
            if best is None:
                continue
            _, start, end, i, ostart = best
            op = spans.old[i]
            origins[start:end] = op.origins[ostart : ostart + end - start]
            op.taken[ostart : ostart + end - start] = b"\x01" * (end - start)
            if i != pair.get(j):
                sources.setdefault(j, set()).add(i)
