"""Paragraphs as sentences, counted but not tokenized, and the ends two texts share.

A sentence ends after ``.``, ``!`` or ``?`` followed by whitespace, and before a line that starts
with a punctuation mark (a list bullet, say). Sentences are matched whole by their text with
whitespace normalized, so a changed paragraph is cut into sentences and its tokens only counted
(from its character classes, at C speed): most of a changed paragraph is whole sentences found
again, and those are never tokenized.
"""

from __future__ import annotations

import re
from itertools import accumulate
from operator import itemgetter

from .runs import Runs, char_classes, count_range, slice_runs

#: Where a sentence ends: after . ! or ? and whitespace; before a line that starts with a mark.
_BOUNDARY = re.compile(r"[.!?\n](?:(?<=[.!?])\s+(?=\S)|(?<=\n)\s*(?=[^\w\s]))")
_G0, _G1 = itemgetter(0), itemgetter(1)


class Sentences:
    """A region of a changed paragraph, as sentences, counted but not tokenized.

    The region ``text[lo:hi]`` starts and ends at sentence boundaries. Its sentence k is
    ``text[starts[k]:ends[k]]`` (the whitespace after it included): it holds ``ntok[k]`` tokens
    from the paragraph's token ``tstart[k]`` on, ``nword[k]`` of them words, the last one
    whitespace if ``trail[k]``; ``keys[k]`` is its text with whitespace normalized. ``lead`` is 1
    when the region starts the paragraph and the paragraph starts with whitespace (a token
    before the first sentence). ``k`` is the class string of the whole text (see
    :func:`~tracker.text.provenance.runs.char_classes`).
    """

    __slots__ = (
        "text", "k", "lo", "hi", "lead", "starts", "ends", "keys", "ntok", "nword", "trail",
        "tstart",
    )  # fmt: skip

    def __init__(self, text: str, k: str | None = None, lo: int = 0, hi: int | None = None):
        self.text = text
        self.k = k = char_classes(text) if k is None else k
        hi = len(text) if hi is None else hi
        self.lo, self.hi = lo, hi
        first = lo
        self.lead = 0
        if lo == 0:
            first = len(text) - len(text.lstrip())
            self.lead = 1 if first else 0
            base = self.lead
        else:
            base = count_range(k, 0, lo)[0]
        cuts = [m.end() for m in _BOUNDARY.finditer(text, first, hi)]
        if not cuts:  # one sentence (or none)
            if first < hi:
                tokens, words = count_range(k, first, hi)
                self.starts, self.ends = [first], [hi]
                self.keys = [" ".join(text[first:hi].split())]
                self.ntok, self.nword = [tokens], [words]
                self.trail = [1 if k[hi - 1] == "s" else 0]
                self.tstart = [base, base + tokens]
            else:
                self.starts, self.ends, self.keys = [], [], []
                self.ntok, self.nword, self.trail, self.tstart = [], [], [], [base]
            return
        starts = [first, *cuts]
        ends = cuts
        ends.append(hi)
        self.starts, self.ends = starts, ends
        self.keys = [" ".join(text[a:b].split()) for a, b in zip(starts, ends)]
        counts = [count_range(k, a, b) for a, b in zip(starts, ends)]
        self.ntok = list(map(_G0, counts))
        self.nword = list(map(_G1, counts))
        self.trail = [1 if k[b - 1] == "s" else 0 for b in ends]
        self.tstart = list(accumulate(self.ntok, initial=base))

    def core(self, runs: Runs, k: int, ends: list[int] | None = None) -> Runs:
        """Runs of sentence k's tokens without the whitespace after it (``ends``: see
        :func:`~tracker.text.provenance.runs.slice_runs`)."""
        start = self.tstart[k]
        return slice_runs(runs, start, start + self.ntok[k] - self.trail[k], ends)


def trim(a: str, b: str, kb: str, runs: Runs) -> tuple[Sentences, Sentences, Runs, Runs]:
    """Keep only the middle of an edited paragraph for sentence and token analysis.

    ``a`` is the old text (whose runs are ``runs``), ``b`` the new one (``kb`` its class
    string). Whole sentences at the head and tail that the two texts share are carried over as
    they are: their runs are the old paragraph's, sliced by token count. (A boundary depends
    only on the characters around it, so one inside the shared text is a boundary in both
    texts.) Returns the old and new texts' middles and the runs of the shared head and tail.
    """
    ka = char_classes(a)
    p = common_prefix(a, b)
    s = common_suffix(a, b, min(len(a), len(b)) - p)
    head = 0
    for m in _BOUNDARY.finditer(b, 0, p):
        head = m.end()
    tail_b = len(b)
    for m in _BOUNDARY.finditer(b, len(b) - s):
        tail_b = m.end()
        break
    tail_a = tail_b - len(b) + len(a)
    old_middle = Sentences(a, ka, head, tail_a)
    new_middle = Sentences(b, kb, head, tail_b)
    head_runs = slice_runs(runs, 0, new_middle.tstart[0]) if head else []
    total = sum(n for n, _ in runs)
    tail_runs = slice_runs(runs, total - count_range(kb, tail_b, len(b))[0], total)
    return old_middle, new_middle, head_runs, tail_runs


def common_prefix(a: str, b: str) -> int:
    """Length of the common prefix of two strings (binary search over C-speed comparisons)."""
    lo, hi = 0, min(len(a), len(b))
    start = 0
    mid = hi
    while lo < mid:
        if a[start:mid] == b[start:mid]:
            lo = start = mid
        else:
            hi = mid
        mid = (hi - lo) // 2 + lo
    return mid


def common_suffix(a: str, b: str, limit: int) -> int:
    """Length of the common suffix of two strings, at most ``limit``."""
    lo, hi = 0, min(len(a), len(b), limit)
    end = 0
    mid = hi
    while lo < mid:
        if a[len(a) - mid : len(a) - end] == b[len(b) - mid : len(b) - end]:
            lo = end = mid
        else:
            hi = mid
        mid = (hi - lo) // 2 + lo
    return mid


def shared_ends(x: str, kx: str, y: str, most_head: int, most_tail: int) -> tuple[int, int]:
    """Characters at the start and at the end of ``x`` that ``y`` shares, each cut at a token
    boundary of both texts (``kx`` is x's class string): the head ends after whitespace, the
    tail starts with a word or a mark. At most ``most_head`` and ``most_tail`` characters."""
    p = min(common_prefix(x, y), most_head)
    head = 0
    if p > 0:
        ws = kx.rfind("s", 0, p)  # the last whitespace before the first difference
        if ws + 1 < p:
            head = ws + 1  # 0 when there is none
        else:  # that whitespace reaches the difference: take the boundary before the word
            word = max(kx.rfind("w", 0, ws), kx.rfind("p", 0, ws))
            head = kx.rfind("s", 0, word) + 1 if word > 0 else 0
    s = min(common_suffix(x, y, min(len(x), len(y)) - head), most_tail)
    tail = 0
    if s > 0:
        ws = kx.find("s", len(x) - s)  # the first whitespace inside the shared end
        if ws >= 0:
            after = [at for at in (kx.find("w", ws), kx.find("p", ws)) if at >= 0]
            if after:
                tail = len(x) - min(after)
    return head, tail
