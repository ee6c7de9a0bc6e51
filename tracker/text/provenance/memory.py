"""The memory of removed text, which gives a revert its original origins back.

The memory maps a 48-bit hash of a removed sentence's text (whitespace normalized) to the runs
its tokens had, whitespace at its ends left out. Sentences of fewer than
:data:`~tracker.text.provenance.matching.MIN_SENTENCE_WORDS` words get no entry; the paragraph
holding one is remembered whole instead. Only removed text is kept (text still in the document
is found in the previous version); past :data:`MEMORY_LIMIT` entries the oldest removal is
forgotten first, and an entry removed again moves to the newest end. The trade-off: a bounded
state (30-60 bytes of JSON an entry, so at most a few hundred KB) for a revert window of
thousands of removed sentences; a revert older than that gets the reverting version.
"""

from __future__ import annotations

import hashlib
from operator import itemgetter

from .runs import Runs, slice_runs

#: At most this many removed paragraphs and sentences are remembered for reverts (oldest removal
#: forgotten first): 30 to 60 bytes of JSON each on python-peps, a few hundred KB at most.
MEMORY_LIMIT = 5000

_G0 = itemgetter(0)


def memory_key(normalized: str) -> str:
    """The memory's key for a paragraph or sentence: a short stable hash of its text with
    whitespace normalized (runs of it made one space, none at the ends)."""
    return hashlib.blake2b(normalized.encode("utf-8", "surrogatepass"), digest_size=6).hexdigest()


def whole_core(text: str, k: str, runs: Runs, ends: list[int]) -> tuple[str, Runs]:
    """A paragraph's whitespace-normalized text and the runs of its tokens without whitespace at
    either end (what the memory keeps for a paragraph; the runs list itself when it has none).
    ``k`` is the text's class string, ``ends`` its runs' cumulated counts."""
    total = ends[-1] if ends else 0
    lead = 1 if k[:1] == "s" else 0
    trail = 1 if k[-1:] == "s" and total > lead else 0
    core = runs if not lead and not trail else slice_runs(runs, lead, total - trail, ends)
    return " ".join(text.split()), core


class Memory:
    """A state's memory as one step reads and updates it.

    ``entries`` is the state's dict until the first entry is remembered, then a copy of it: the
    previous state's memory is never modified by remembering.
    """

    __slots__ = ("entries", "_copied")

    def __init__(self, entries: dict[str, Runs]) -> None:
        self.entries = entries
        self._copied = False

    def __bool__(self) -> bool:
        return bool(self.entries)

    def remember(self, key: str, core: Runs) -> None:
        """Remember the core runs of a removed text under its :func:`memory_key`."""
        if not self._copied:
            self.entries = dict(self.entries)
            self._copied = True
        if key in self.entries:
            self.entries[key] = self.entries.pop(key)  # keep the older origins, refresh the age
        else:
            self.entries[key] = core

    def recall(self, normalized: str, tokens: int) -> Runs | None:
        """Remembered core runs of a text, if they cover ``tokens`` tokens."""
        core = self.entries.get(memory_key(normalized))
        if core is None or sum(map(_G0, core)) != tokens:
            return None
        return core

    def forget_oldest(self) -> None:
        """Forget the oldest removals past :data:`MEMORY_LIMIT` entries."""
        excess = len(self.entries) - MEMORY_LIMIT
        if excess > 0:
            if not self._copied:  # the previous state's memory is never modified
                self.entries = dict(self.entries)
                self._copied = True
            for key in list(self.entries)[:excess]:
                del self.entries[key]
