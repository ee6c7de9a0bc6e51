"""Bounded word-level similarity between paragraphs, for pairing rewrites and finding moves.

Like MediaWiki's wikidiff2, the search stays roughly linear on a large rewrite: small gaps compare
every pair, large gaps only a band around the diagonal; move candidates come from an index of rare
words; a length bound rules out many pairs before the real ratio is computed, and that ratio is an
exact longest common subsequence of word lists, by rapidfuzz in compiled code (diff-match-patch,
in pure Python, is kept for the word diffs people read).
"""

from __future__ import annotations

import functools
import heapq
from collections.abc import Sequence
from typing import TypeVar

from .inline import WORD

#: Two paragraphs in the same gap with at least this word-level similarity (2 x words in common,
#: in order, / words in both; punctuation and whitespace ignored) are one rewritten paragraph
#: (``modify``) rather than a delete and an insert.
MODIFY_SIMILARITY = 0.5

#: A paragraph that changed place must be at least this similar to count as the same paragraph
#: moved and edited; moving is a stronger claim than editing in place, so the bar is higher.
MOVE_SIMILARITY = 0.7

#: In a gap with more than :data:`FULL_GAP_PAIRS` candidate pairs, each old paragraph is compared
#: only with the new paragraphs within this distance of its proportional position in the gap.
MAX_PAIRING_CANDIDATES = 8

#: Gaps (and move searches) with at most this many old x new pairs are searched exhaustively.
FULL_GAP_PAIRS = 4096

#: At most this many old paragraphs (those sharing the most rare words) are compared with each
#: leftover new paragraph when looking for edited moves in a large search.
MAX_MOVE_CANDIDATES = 4

#: Number of a new paragraph's rarest words used to look up its move candidates.
MOVE_INDEX_WORDS = 8

#: Words found in more leftover old paragraphs than this are too common to point at candidates.
MAX_MOVE_POSTINGS = 64

#: Characters of paragraph text whose words are kept between calls (about 11 bytes of memory
#: each, with their words): when a history is recorded, the new paragraphs of one diff are the
#: old ones of the next, and splitting long paragraphs into words is the largest cost of
#: scoring them. A budget of characters, not a number of paragraphs: a document that is one
#: paragraph of a megabyte (a data file without blank lines) would otherwise keep gigabytes.
WORDS_CACHE_CHARS = 2_000_000

#: Texts at least this long are split into words sentence by sentence (see :func:`_tokens`).
LONG_TEXT = 600

#: Characters of sentences whose words are kept between calls (see :data:`WORDS_CACHE_CHARS`).
SENTENCES_CACHE_CHARS = 2_000_000


_V = TypeVar("_V")


class _Words:
    """Word tokens of one paragraph, in order, and its text without whitespace if it has none."""

    __slots__ = ("words", "size", "bare", "_distinct", "_folded")

    def __init__(self, text: str) -> None:
        words = _tokens(text)
        self.words = words
        self.size = len(words)
        # text without whitespace, to compare paragraphs that have no words ("* * *", "---")
        self.bare = "" if words else "".join(text.split())
        self._distinct: dict[str, None] | None = None
        self._folded: str | None = None

    @property
    def distinct(self) -> dict[str, None]:
        """The distinct words, in order of first use (a dict, for its keys)."""
        if self._distinct is None:
            self._distinct = dict.fromkeys(self.words)
        return self._distinct

    @property
    def folded(self) -> str:
        """The words case-folded, one space between: equal for paragraphs that differ only in
        case (and in what lies between words)."""
        if self._folded is None:
            self._folded = " ".join(self.words).casefold()
        return self._folded


class _Memo(dict):
    """A cache of values by text that forgets everything once the texts it holds pass
    ``budget`` characters: bounded memory for an occasional cold start, and plain dict lookups
    on the hot path. A text longer than an eighth of the budget is not kept at all."""

    def __init__(self, budget: int) -> None:
        super().__init__()
        self.budget = budget
        self.chars = 0

    def keep(self, text: str, value: _V) -> _V:
        """Remember ``value`` for ``text`` if it fits; return it."""
        cost = len(text) + 64  # a short text still costs its entry
        if cost <= self.budget // 8:
            if self.chars + cost > self.budget:
                self.clear()
            self[text] = value
            self.chars += cost
        return value

    def clear(self) -> None:
        super().clear()
        self.chars = 0


_words_memo = _Memo(WORDS_CACHE_CHARS)
_sentences_memo = _Memo(SENTENCES_CACHE_CHARS)


def _words_of(text: str) -> _Words:
    """The words of a paragraph, through :data:`_words_memo`."""
    words = _words_memo.get(text)
    if words is None:
        words = _words_memo.keep(text, _Words(text))
    return words


def _tokens(text: str) -> list[str]:
    """WORD.findall(text), sentence by sentence through a cache for long texts: a paragraph
    edited in one place has the same sentences as before but one. Exact, since ". " holds no
    word characters, so no word runs across it."""
    if len(text) < LONG_TEXT:
        return WORD.findall(text)
    memo = _sentences_memo
    words: list[str] = []
    for sentence in text.split(". "):
        found = memo.get(sentence)
        if found is None:
            found = memo.keep(sentence, WORD.findall(sentence))
        words += found
    return words


class Similarity:
    """Cached, bounded word-level similarity between old and new paragraphs."""

    def __init__(self, old: Sequence[str], new: Sequence[str]) -> None:
        self.old, self.new = old, new
        self._old_words: dict[int, _Words] = {}
        self._new_words: dict[int, _Words] = {}

    def old_words(self, i: int) -> _Words:
        """Word data of old paragraph i (computed on first use)."""
        w = self._old_words.get(i)
        if w is None:
            w = self._old_words[i] = _words_of(self.old[i])
        return w

    def new_words(self, j: int) -> _Words:
        """Word data of new paragraph j (computed on first use)."""
        w = self._new_words.get(j)
        if w is None:
            w = self._new_words[j] = _words_of(self.new[j])
        return w

    def score(self, i: int, j: int, threshold: float) -> float:
        """Similarity of old[i] and new[j] in [0, 1], or 0.0 if it is surely below threshold.

        The score is 2 * (words in common, in order) / (words in both), counting words only (so
        that punctuation does not make short paragraphs look alike): the longest common
        subsequence of the two word lists, computed exactly by rapidfuzz's bit-parallel LCS. A
        length bound comes first, and the LCS gives up early below what the threshold needs.
        Paragraphs whose words differ only in case score 1.0: a heading recased is still the
        same heading, whose edit is then classed ``case``.
        """
        a, b = self.old_words(i), self.new_words(j)
        la, lb = a.size, b.size
        total = la + lb
        if total == 0:
            return 1.0 if a.bare == b.bare else 0.0
        if 2 * min(la, lb) < threshold * total:  # length bound: ratio <= 2*min/(la+lb)
            return 0.0
        # fewest words in common that can reach the threshold, one less against float rounding
        cutoff = max(0, int(threshold * total / 2) - 1)
        ratio = 2 * _lcs()(a.words, b.words, score_cutoff=cutoff) / total
        if ratio < threshold and la == lb and a.folded == b.folded:
            return 1.0  # the same words but for their case ("TERMS OF USE" -> "Terms of Use")
        return ratio


def common_words(a: Sequence[str], b: Sequence[str]) -> int:
    """How many words a and b have in common, in order (their longest common subsequence)."""
    return _lcs()(a, b)


@functools.cache
def _lcs():
    """rapidfuzz's LCS length, imported on first use: every command imports this module, and
    rapidfuzz takes tens of milliseconds to load, which only diffing needs."""
    from rapidfuzz.distance import LCSseq

    return LCSseq.similarity


def _best_chain(cands: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """Pick the order-preserving subset of (i, j, score) pairs with the largest total score."""
    if not cands:
        return []
    js = sorted({j for _, j, _ in cands})
    rank = {j: r + 1 for r, j in enumerate(js)}
    size = len(js)
    tree: list[tuple[float, int]] = [(0.0, -1)] * (size + 1)  # Fenwick tree of prefix maxima
    prev = [-1] * len(cands)
    value = [0.0] * len(cands)
    order = sorted(range(len(cands)), key=lambda k: (cands[k][0], -cands[k][1]))
    for k in order:
        _, j, s = cands[k]
        r = rank[j] - 1  # best chain ending at a strictly smaller j
        best = (0.0, -1)
        while r > 0:
            if tree[r] > best:
                best = tree[r]
            r -= r & -r
        value[k] = best[0] + s
        prev[k] = best[1]
        r = rank[j]
        item = (value[k], k)
        while r <= size:
            if item > tree[r]:
                tree[r] = item
            r += r & -r
    k = max(range(len(cands)), key=lambda k: (value[k], -k))
    chain = []
    while k != -1:
        chain.append(cands[k])
        k = prev[k]
    chain.reverse()
    return chain


def pair_gap(sim: Similarity, olds: list[int], news: list[int]) -> list[tuple[int, int, float]]:
    """Pair similar old and new paragraphs of one gap, in order (bounded search)."""
    m, n = len(olds), len(news)
    if not m or not n:
        return []
    cands = []
    if m * n <= FULL_GAP_PAIRS:
        for i in olds:
            for j in news:
                s = sim.score(i, j, MODIFY_SIMILARITY)
                if s >= MODIFY_SIMILARITY:
                    cands.append((i, j, s))
    else:
        k = MAX_PAIRING_CANDIDATES
        for r, i in enumerate(olds):
            center = (r * n) // m  # where old paragraph r would sit if the gap were stretched
            for j in news[max(0, center - k) : center + k + 1]:
                s = sim.score(i, j, MODIFY_SIMILARITY)
                if s >= MODIFY_SIMILARITY:
                    cands.append((i, j, s))
    return _best_chain(cands)


def move_candidates(sim: Similarity, olds: list[int], news: list[int]) -> list[tuple[int, int]]:
    """(old, new) pairs worth scoring as moves: all of them if few, else via a rare-word index."""
    if len(olds) * len(news) <= FULL_GAP_PAIRS:
        return [(i, j) for j in news for i in olds]
    index: dict[str, list[int]] = {}
    for i in olds:
        for w in sim.old_words(i).distinct:
            index.setdefault(w, []).append(i)
    pairs = []
    for j in news:
        usable = [
            w for w in sim.new_words(j).distinct if len(index.get(w, ())) <= MAX_MOVE_POSTINGS
        ]
        usable = [w for w in usable if w in index]
        usable.sort(key=lambda w: len(index[w]))
        hits: dict[int, int] = {}
        for w in usable[:MOVE_INDEX_WORDS]:
            for i in index[w]:
                hits[i] = hits.get(i, 0) + 1
        best = heapq.nsmallest(MAX_MOVE_CANDIDATES, hits.items(), key=lambda kv: (-kv[1], kv[0]))
        pairs.extend((i, j) for i, _ in best)
    return pairs


# --------------------------------------------------------------------------- alignment
