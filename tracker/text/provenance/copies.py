"""Text copied from anywhere in the previous version: the last search of an attribution step.

A run of at least :data:`MIN_COPY_WORDS` words still without an origin that is found anywhere in
the previous version keeps the origins of the text it was copied from (a copy, unlike a move,
does not consume its source); a shorter run is new text (a common word or two is written, not
copied).

The search looks each window of 4 words up in an index of the 4-word sequences of the document
(hashes; it only grows, since each hit is checked), then looks the window's exact text up in the
previous version: a copy is found when one of its 4-word windows kept its whitespace, and is then
extended token by token, whitespace aside. That index is a transient cache carried from state to
state in memory, never serialized: it is built on the first search a state needs after
:meth:`~tracker.text.provenance.State.from_json` (a few ms for a 30 KB document), so keep the
:class:`~tracker.text.provenance.State` object between versions of a document.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import accumulate, compress
from operator import add

from .runs import Runs
from .tokens import Span, extend

#: A run of at least this many words found elsewhere in the previous version is a copy and keeps
#: the origins of its source; a shorter one (a common word or two) is new text.
MIN_COPY_WORDS = 4

#: Characters around an edit whose 4-word sequences are added to the copy-search index (enough
#: for the three words before and after it, unless they are extraordinarily long).
_GRAM_MARGIN = 300

#: At most this many places are tried for one copied window of words.
_MAX_COPY_SOURCES = 8

_WORD = re.compile(r"\w+")


def _grams(words: Sequence[str]) -> Iterator[int]:
    """Hashes of the sequences of :data:`MIN_COPY_WORDS` words of a paragraph's words (Python's
    string hashes: transient, valid in this process only)."""
    return map(hash, zip(*(words[k:] for k in range(MIN_COPY_WORDS))))


class Grams(set):
    """Hashes of 4-word sequences (see :meth:`CopySearch.update_index`) and the count when
    built."""

    base = 0


class CopySearch:
    """The copy search of one step, over the previous version ``old`` (whose runs are
    ``runs``); ``grams`` is the index handed on by the previous step, if any (built on first
    use if not)."""

    def __init__(self, old: Sequence[str], runs: list[Runs], grams: set[int] | None) -> None:
        self.old, self.runs = old, runs
        self.grams = grams
        self.whole: dict[int, Span] = {}  # old paragraphs tokenized whole, as copy sources
        self.flat: str | None = None  # the previous version's text
        self.flat_starts: list[int] = []

    def match(self, spans: Iterable[Span]) -> None:
        """Runs of :data:`MIN_COPY_WORDS` words or more copied from the previous version."""
        for p in spans:
            origins = p.origins
            c, n = 0, len(origins)
            while c < n:
                if origins[c]:
                    c += 1
                    continue
                start = c
                while c < n and not origins[c]:
                    c += 1
                if p.word_count(start, c) >= MIN_COPY_WORDS:
                    self._stretch(p, start, c)

    def _stretch(self, p: Span, a: int, b: int) -> None:
        grams = self.grams
        if grams is None:
            self.grams = grams = Grams()
            for text in self.old:
                grams.update(_grams(_WORD.findall(text)))
            grams.base = len(grams)
        at = list(compress(range(a, b), p.isword[a:b]))  # the stretch's words
        hashes = list(_grams(list(map(p.ctoks.__getitem__, at))))
        if grams.isdisjoint(hashes):
            return
        done = a  # tokens before this one are attributed by a copy found here
        for k in compress(range(len(hashes)), map(grams.__contains__, hashes)):
            first, last = at[k], at[k + MIN_COPY_WORDS - 1]
            if first < done or p.origins[first]:
                continue
            window = p.ctoks[first : last + 1]
            best = self._source(p, first, window)
            if best is not None:
                start, end, op, ostart = best
                p.origins[start:end] = op.origins[ostart : ostart + end - start]
                done = end

    def _source(self, p: Span, first: int, span: list[str]) -> tuple[int, int, Span, int] | None:
        """The longest copy of content tokens ``span`` (starting at new token ``first``) in the
        previous version, extended both ways, if it has enough words.

        The span's exact text (whitespace included) is looked up in the previous version's text
        at C speed; each place found is then checked and extended token by token, whitespace
        ignored. (So a copy is found if one of its 4-word windows kept its line breaks.)
        """
        if self.flat is None:
            self.flat = "\n\n".join(self.old)
            self.flat_starts = list(accumulate((len(t) + 2 for t in self.old), initial=0))
        flat, starts = self.flat, self.flat_starts
        last = first + len(span) - 1
        needle = "".join(map(add, p.ctoks[first:last], p.ws[first:last])) + p.ctoks[last]
        best = None
        at = flat.find(needle)
        tries = 0
        while at >= 0 and tries < _MAX_COPY_SOURCES:
            tries += 1
            i = bisect_right(starts, at) - 1
            op = self.whole.get(i)
            if op is None:
                op = self.whole[i] = Span(self.old[i], runs=self.runs[i])
            oc = op.token_at(at - starts[i])
            if oc is not None and op.ctoks[oc : oc + len(span)] == span:
                start, end, ostart = extend(p, first, op, oc, consumed=True)
                words = p.word_count(start, end)
                if words >= MIN_COPY_WORDS and (best is None or words > best[0]):
                    best = (words, start, end, op, ostart)
            at = flat.find(needle, at + 1)
        return None if best is None else best[1:]

    def update_index(
        self, new: Sequence[str], todo: Iterable[int], edited: Mapping[int, tuple[int, int]]
    ) -> None:
        """Add the new version's 4-word sequences to the copy-search index (if there is one).

        ``todo`` are the new paragraphs not carried over; ``edited[j]`` the characters of
        paragraph j between the head and tail it shares with its old paragraph, which are
        indexed already. The index only grows (a hit is checked against the text anyway), so
        removing text costs nothing; once it has grown to twice its size when built, it is
        dropped, to be rebuilt by the next search that needs it.
        """
        grams = self.grams
        if grams is None:
            return
        for j in todo:
            text = new[j]
            region = edited.get(j)
            if region is not None:  # the shared head and tail are indexed
                lo, hi = max(0, region[0] - _GRAM_MARGIN), region[1] + _GRAM_MARGIN
                grams.update(_grams(_WORD.findall(text, lo, hi)))
            else:
                grams.update(_grams(_WORD.findall(text)))
        if len(grams) > 2 * grams.base + 1000:
            self.grams = None
