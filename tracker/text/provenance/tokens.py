"""The sentences that were not found whole, tokenized: the token level of one attribution step.

In each changed new paragraph, the sentences from the first to the last not found whole become
one :class:`Span` of content tokens (words and punctuation marks; the whitespace after each is
kept aside), and so do those of each changed old paragraph, with their origins. The token diff,
the moved-runs search and the copy search then fill in the new spans' origins.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from itertools import accumulate
from operator import add, itemgetter
from typing import TYPE_CHECKING

from .runs import Runs, count_range, expand_runs, rle, slice_runs
from .sentences import shared_ends

if TYPE_CHECKING:
    from .matching import SentenceMatch

#: A content token (a word, or else a punctuation mark) and the whitespace after it.
_PIECE = re.compile(r"(?:(\w+)|([^\w\s]))(\s*)")
_G0, _G1, _G2 = itemgetter(0), itemgetter(1), itemgetter(2)


class Span:
    """Tokens of a span of sentences: content tokens, whitespace after each, their origins.

    ``origins[c]`` is 0 while content token c has no origin yet; ``taken`` marks the tokens of
    an old paragraph that a new one has already claimed; ``sentences`` are content ranges.
    """

    __slots__ = (
        "lead", "lead_chars", "ctoks", "isword", "ws", "sentences", "origins", "taken", "_wsum",
    )  # fmt: skip

    def __init__(self, text: str, cuts: list[int] | None = None, runs: Runs | None = None):
        lead = 0
        if cuts is None:  # a whole paragraph, as one sentence
            lead = len(text) - len(text.lstrip())
            cuts = [lead]
        pieces = _PIECE.findall(text, lead)
        self.lead = 1 if lead else 0
        self.lead_chars = lead
        self.isword = words = list(map(_G0, pieces))  # the word, or "" for a punctuation mark
        self.ctoks = ctoks = list(map(add, words, map(_G1, pieces)))
        self.ws = ws = list(map(_G2, pieces))
        n = len(pieces)
        if len(cuts) > 1:  # sentence starts: the pieces that start at the cuts
            at = list(accumulate(map(len, map(add, ctoks, ws)), initial=lead))
            firsts = [bisect_left(at, cut) for cut in cuts]
            self.sentences = list(zip(firsts, firsts[1:] + [n]))
        else:
            self.sentences = [(0, n)]
        if runs is None:
            self.origins = [0] * n
        else:
            count = self.lead + 2 * n - ws.count("")
            if len(runs) == 1:
                if runs[0][0] != count:
                    raise ValueError(f"runs cover {runs[0][0]} tokens, the text has {count}")
                self.origins = [runs[0][1]] * n
            else:
                full = expand_runs(runs, count)
                spaces_before = accumulate(map(bool, ws), initial=0)
                self.origins = [full[self.lead + c + s] for c, s in zip(range(n), spaces_before)]
        self.taken = bytearray(n)
        self._wsum: list[int] | None = None

    def set_sentence_runs(self, s: int, runs: Runs) -> None:
        """Give sentence s the origins of ``runs`` (over all its tokens)."""
        c0, c1 = self.sentences[s]
        ws = self.ws
        full = expand_runs(runs, (c1 - c0) + sum(map(bool, ws[c0:c1])))
        k = 0
        for c in range(c0, c1):
            self.origins[c] = full[k]
            k += 2 if ws[c] else 1

    def token_at(self, offset: int) -> int | None:
        """The content token that starts at character ``offset``, if one does."""
        at = list(accumulate(map(len, map(add, self.ctoks, self.ws)), initial=self.lead_chars))
        c = bisect_left(at, offset)
        return c if c < len(self.ctoks) and at[c] == offset else None

    def take_sentence(self, s: int) -> None:
        c0, c1 = self.sentences[s]
        self.taken[c0:c1] = b"\x01" * (c1 - c0)

    def word_count(self, a: int, b: int) -> int:
        """Words (not punctuation marks) among content tokens [a, b)."""
        if self._wsum is None:
            self._wsum = list(accumulate(map(bool, self.isword), initial=0))
        return self._wsum[b] - self._wsum[a]

    def runs(self, version: int) -> Runs:
        """Runs over all tokens; unknown origins become ``version``, whitespace follows words."""
        origins = self.origins
        if not origins:
            return [[1, version]] if self.lead else []
        runs = rle(origins, list(accumulate(map(bool, self.ws))), version)
        runs[0][0] += self.lead
        return runs


def extend(p: Span, c: int, op: Span, oc: int, consumed: bool) -> tuple[int, int, int]:
    """Grow the match of new token c with old token oc both ways over tokens without an origin
    (and, unless ``consumed``, old tokens not taken yet): ``(start, end, old start)``."""
    pt, po, ot, taken = p.ctoks, p.origins, op.ctoks, op.taken
    start, ostart = c, oc
    while (
        start > 0
        and ostart > 0
        and not po[start - 1]
        and (consumed or not taken[ostart - 1])
        and pt[start - 1] == ot[ostart - 1]
    ):
        start -= 1
        ostart -= 1
    end, oend = c + 1, oc + 1
    n, on = len(pt), len(ot)
    while (
        end < n
        and oend < on
        and not po[end]
        and (consumed or not taken[oend])
        and pt[end] == ot[oend]
    ):
        end += 1
        oend += 1
    return start, end, ostart


@dataclass
class Spans:
    """The spans of one step: ``new[j]`` that of new paragraph j, covering its sentences
    ``sentences[j]`` (first and last), less the tokens at its ends that it shares with its pair's
    span, whose runs are ``cut_runs[j]``; ``old[i]`` that of old paragraph i."""

    new: dict[int, Span] = field(default_factory=dict)
    old: dict[int, Span] = field(default_factory=dict)
    sentences: dict[int, tuple[int, int]] = field(default_factory=dict)
    cut_runs: dict[int, tuple[Runs, Runs]] = field(default_factory=dict)


def cut_spans(found: SentenceMatch) -> Spans:
    """Tokenize the sentences left: from the first to the last not found whole.

    Where a new and its paired old span start (or end) with the same characters, those
    tokens are carried over as runs, not tokenized: the diff of the pair would match them
    first anyway (a common head and tail).
    """
    spans = Spans()
    new_left = {}
    for j, sruns in found.sruns.items():
        left = [k for k, r in enumerate(sruns) if r is None]
        if left:
            new_left[j] = (left[0], left[-1])
    if not new_left:
        return spans
    old_left = {}
    for i, taken in found.otaken.items():
        left = [m for m in range(len(taken)) if not taken[m]]
        if left:
            old_left[i] = (left[0], left[-1])
    cut: dict[int, tuple[int, int, int, int]] = {}  # old -> chars and tokens cut off its ends
    for j, (k1, k2) in new_left.items():
        t = found.texts[j]
        a, b = t.starts[k1], t.ends[k2]
        head = tail = 0
        i = found.pair.get(j)
        if i is not None and i in old_left and i not in cut:
            ot = found.otexts[i]
            m1, m2 = old_left[i]
            oa, ob = ot.starts[m1], ot.ends[m2]
            head, tail = shared_ends(
                t.text[a:b],
                t.k[a:b],
                ot.text[oa:ob],
                min(t.ends[k1] - a, ot.ends[m1] - oa) - 1,
                min(b - t.starts[k2], ob - ot.starts[m2]) - 1,
            )
            head_tok = count_range(t.k, a, a + head)[0]
            tail_tok = count_range(t.k, b - tail, b)[0]
            cut[i] = (head, tail, head_tok, tail_tok)
            runs = found.runs[i]
            start, end = ot.tstart[m1], ot.tstart[m2 + 1]
            spans.cut_runs[j] = (
                slice_runs(runs, start, start + head_tok),
                slice_runs(runs, end - tail_tok, end),
            )
        lo, hi = a + head, b - tail
        cuts = [0] + [t.starts[k] - lo for k in range(k1 + 1, k2 + 1)]
        p = Span(t.text[lo:hi], cuts)
        sruns = found.sruns[j]
        for k in range(k1 + 1, k2):
            r = sruns[k]
            if r is not None:
                p.set_sentence_runs(k - k1, r)
        spans.new[j] = p
        spans.sentences[j] = (k1, k2)
    for i, (m1, m2) in old_left.items():
        t = found.otexts[i]
        taken = found.otaken[i]
        head, tail, head_tok, tail_tok = cut.get(i, (0, 0, 0, 0))
        lo, hi = t.starts[m1] + head, t.ends[m2] - tail  # the same characters as the new
        runs = slice_runs(found.runs[i], t.tstart[m1] + head_tok, t.tstart[m2 + 1] - tail_tok)
        cuts = [0] + [t.starts[m] - lo for m in range(m1 + 1, m2 + 1)]
        p = Span(t.text[lo:hi], cuts, runs)
        for m in range(m1 + 1, m2):
            if taken[m]:
                p.take_sentence(m - m1)
        spans.old[i] = p
    return spans
