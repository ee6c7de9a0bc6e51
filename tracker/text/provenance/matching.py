"""Whole sentences found again: the sentence level of one attribution step.

Changed paragraphs are cut into sentences (:class:`~.sentences.Sentences`); an edited paragraph
and the old one the paragraph diff paired it with keep the whole sentences they share at their
head and tail as they are (:func:`~.sentences.trim`). Each sentence left is then looked up whole,
by its text with whitespace normalized: first in the paired old paragraph, then in the other
changed old paragraphs (a split, a merge, a sentence moved to another paragraph), then in the
memory (a sentence put back). Away from the paired paragraph a sentence needs
:data:`MIN_SENTENCE_WORDS` words. At the end of the step, the old sentences not found go into
the memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import accumulate
from operator import itemgetter

from .memory import Memory, memory_key, whole_core
from .runs import Runs, count_range, with_ends
from .sentences import Sentences, trim

#: A sentence matched outside its own paragraph pair (moved to another paragraph, or put back
#: from the memory) needs at least this many words: "Yes." or a lone bullet is not evidence.
MIN_SENTENCE_WORDS = 2

_G0 = itemgetter(0)


class SentenceMatch:
    """The changed paragraphs of one step as sentences, and which were found whole.

    New side, the changed new paragraphs still to attribute: ``texts[j]`` their sentences (only
    the middle of an edited paragraph), ``sruns[j][k]`` the runs of sentence k once it is found
    whole (else None), ``trimmed[j]`` the runs of the shared head and tail that :func:`trim` cut
    off. Old side, the changed old paragraphs: ``otexts[i]`` their sentences, ``otaken[i][m]``
    set once old sentence m is found whole in the new version. ``sources[j]``: the old
    paragraphs other than its pair that gave new paragraph j a sentence (or, later, a moved run).
    """

    def __init__(
        self, old: Sequence[str], runs: list[Runs], pair: dict[int, int], memory: Memory
    ) -> None:
        self.old, self.runs, self.pair, self.memory = old, runs, pair, memory
        self.texts: dict[int, Sentences] = {}
        self.sruns: dict[int, list[Runs | None]] = {}
        self.trimmed: dict[int, tuple[Runs, Runs]] = {}
        self.otexts: dict[int, Sentences] = {}
        self.otaken: dict[int, bytearray] = {}
        self.sources: dict[int, set[int]] = {}
        self._run_ends: dict[int, list[int]] = {}

    def run_ends(self, i: int) -> list[int]:
        """Cumulated token counts of old paragraph i's runs (for slicing them)."""
        ends = self._run_ends.get(i)
        if ends is None:
            ends = self._run_ends[i] = list(accumulate(map(_G0, self.runs[i])))
        return ends

    def add_new(self, j: int, text: str, k: str) -> None:
        """Cut changed new paragraph j (``k``: its class string) into sentences; if it has a
        pair, keep only the middle that differs, of both."""
        i = self.pair.get(j)
        if i is None:
            t = self.texts[j] = Sentences(text, k)
        else:
            old_middle, t, head_runs, tail_runs = trim(self.old[i], text, k, self.runs[i])
            self.otexts[i] = old_middle
            self.texts[j] = t
            self.trimmed[j] = (head_runs, tail_runs)
        self.sruns[j] = [None] * len(t.starts)

    def add_old(self, changed_old: Iterable[int]) -> None:
        """Cut the changed old paragraphs into sentences (after :meth:`add_new`, which does
        those with a pair), checking that the state's runs fit their text."""
        for i in changed_old:
            t = self.otexts.get(i)
            if t is None:
                t = self.otexts[i] = Sentences(self.old[i])
            count = count_range(t.k, 0, len(t.text))[0]
            if sum(map(_G0, self.runs[i])) != count:
                raise ValueError(f"the state's runs of old paragraph {i} do not fit its text")
            self.otaken[i] = bytearray(len(t.starts))

    def match(self) -> None:
        """Whole sentences found unchanged: in the paired paragraph, elsewhere, in the memory."""
        index: dict[str, list[tuple[int, int]]] = {}
        for i, ot in self.otexts.items():
            for m, key in enumerate(ot.keys):
                index.setdefault(key, []).append((i, m))
        pending: list[tuple[int, int, list[tuple[int, int]] | None]] = []
        for j, t in self.texts.items():
            pair = self.pair.get(j)
            for k, key in enumerate(t.keys):
                found = index.get(key)
                if found and pair is not None and self._take(j, k, found, pair):
                    continue
                pending.append((j, k, found))
        for j, k, found in pending:
            t = self.texts[j]
            if t.nword[k] < MIN_SENTENCE_WORDS:
                continue
            if found and self._take(j, k, found, None):
                continue
            if self.memory:
                core = self.memory.recall(t.keys[k], t.ntok[k] - t.trail[k])
                if core is not None:
                    self.sruns[j][k] = with_ends(core, 0, t.trail[k])

    def _take(self, j: int, k: int, found: list[tuple[int, int]], only: int | None) -> bool:
        """Give new sentence (j, k) the origins of the first free old sentence in ``found``."""
        t = self.texts[j]
        for i, m in found:
            if only is not None and i != only:
                continue
            taken = self.otaken[i]
            if taken[m]:
                continue
            core = self.otexts[i].core(self.runs[i], m, self.run_ends(i))
            if sum(map(_G0, core)) != t.ntok[k] - t.trail[k]:
                continue
            self.sruns[j][k] = with_ends(core, 0, t.trail[k])
            taken[m] = 1
            if i != self.pair.get(j):
                self.sources.setdefault(j, set()).add(i)
            return True
        return False

    def remember_removed(self) -> None:
        """Put the sentences of changed old paragraphs that were not found whole in the memory.

        A paragraph is put there whole only when one of those sentences is too short to have an
        entry of its own (a one-sentence paragraph's key is its sentence's anyway), so that
        putting back the whole paragraph still finds it.
        """
        runs, memory = self.runs, self.memory
        for i, t in self.otexts.items():
            taken = self.otaken[i]
            short = False
            for m, key in enumerate(t.keys):
                if taken[m]:
                    continue
                if t.nword[m] >= MIN_SENTENCE_WORDS:
                    memory.remember(memory_key(key), t.core(runs[i], m, self.run_ends(i)))
                else:
                    short = True
            if short:
                normalized, core = whole_core(t.text, t.k, runs[i], self.run_ends(i))
                memory.remember(memory_key(normalized), core)
