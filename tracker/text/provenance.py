"""Word-level provenance: which version first introduced each word of a document.

Pure functions over strings and plain data (no I/O). A document's versions are attributed one
after the other: :func:`step` takes the previous version's attribution (a :class:`State`) and the
new version's paragraphs, and returns the new state and the new version's *runs*, so that each
version is attributed once, when it is recorded, and reading an attribution only loads runs.

Tokens and runs
    :func:`tokenize` cuts a paragraph into words (``\\w+``), runs of whitespace and single
    punctuation marks (the word diff's tokens); joining them gives the paragraph back. A
    paragraph's *runs* are ``[[count, version], ...]``: its tokens' origins, whitespace included,
    run-length encoded (neighbouring runs have different versions, counts are positive, and the
    counts add up to the paragraph's token count; see :func:`runs_to_tokens`). Within one
    version, paragraphs with the same text have the same runs.

What is attributed
    Words and punctuation marks (the *content* tokens) are matched; a whitespace token takes the
    origin of the content token before it (the first content token's, at the start of a
    paragraph), so that highlights cover "word, word" rather than stray spaces, and runs stay long.
    Matching ignores whitespace: rewrapping a paragraph changes nobody's words.

The rules (those of WikiWho, Flöck & Acosta, WWW 2014)
    * A word keeps its origin when its paragraph is moved, split or merged, or when the sentence
      around it is edited.
    * A paragraph or sentence that is deleted and later put back word for word (a revert) gets
      its *original* origins back, not the version that restored it, for as long as the
      document's memory holds it (:data:`MEMORY_LIMIT`).
    * A run of at least :data:`MIN_COPY_WORDS` words copied from anywhere in the previous version
      keeps the origins of the text it was copied from; shorter runs are new text (a common word
      or two is written, not copied).
    * Anything else that is not in the previous version is new: it gets the new version. In
      particular a word deleted and later put back inside a sentence that is not itself put back
      word for word is new again (as in WikiWho).

The algorithm of one step (after WikiWho: paragraphs, then sentences, then a token diff)
    1. Paragraphs the paragraph diff calls ``equal`` or unedited ``move`` keep their runs as they
       are (the runs list is shared, not copied): most of a version costs nothing.
    2. A changed new paragraph whose exact text is another paragraph of the previous version is a
       copy of it and takes its runs; one whose text (whitespace aside) is in the memory is a
       restoration and takes the remembered origins.
    3. An edited paragraph and the old one the paragraph diff paired it with (``modify`` or edited
       ``move``) share whole sentences at their head and tail: those keep the old runs, sliced by
       token count, and only the middle goes on.
    4. Sentences (split after ``.``, ``!`` or ``?`` followed by whitespace, and before a line that
       starts with a punctuation mark, like a list bullet) are matched whole, by their text with
       whitespace normalized: first in the paired old paragraph, then in the other changed old
       paragraphs (a split, a merge, a sentence moved to another paragraph), then in the memory
       (a sentence put back). Away from the paired paragraph a sentence needs
       :data:`MIN_SENTENCE_WORDS` words. Steps 2-4 count tokens without tokenizing.
    5. The sentences left are tokenized, and their tokens diffed (longest common subsequence)
       with those left in the paired old paragraph: an edit inside a sentence.
    6. Runs of at least :data:`MIN_MOVE_WORDS` words still left are looked up among the tokens
       left in all changed old paragraphs, in any order (text moved between paragraphs, a split
       or a merge that cut a sentence); then each new paragraph is diffed again with every old
       paragraph it took sentences or runs from, which finds the odd word such an edit leaves.
    7. Runs of at least :data:`MIN_COPY_WORDS` words still left are looked up in the whole
       previous version (copies); only then does the rest get the new version.

Old tokens matched by steps 3-6 are *consumed*: each old word continues in at most one place,
except through a copy (step 7) or the memory. Finally the sentences of the changed old
paragraphs that were not found whole go into the memory.

The memory
    Maps a 48-bit hash of a removed sentence's text (whitespace normalized) to the runs its
    tokens had, whitespace at its ends left out. Sentences of fewer than
    :data:`MIN_SENTENCE_WORDS` words get no entry; the paragraph holding one is remembered whole
    instead. Only removed text is kept (text still in the document is found in the previous
    version); past :data:`MEMORY_LIMIT` entries the oldest removal is forgotten first, and an
    entry removed again moves to the newest end. The trade-off: a bounded state (30-60 bytes of
    JSON an entry, so at most a few hundred KB) for a revert window of thousands of removed
    sentences; a revert older than that gets the reverting version.

Cost
    A step costs time in proportion to the text that changed, not to the document. The token
    diff is rapidfuzz's (C++). The copy search looks each window of 4 words up in an index of
    the 4-word sequences of the document (hashes; it only grows, since each hit is checked), then
    looks the window's exact text up in the previous version: a copy is found when one of its
    4-word windows kept its whitespace, and is then extended token by token, whitespace aside.
    That index is a transient cache carried from state to state in memory, never serialized: it
    is built on the first search a state needs after :meth:`State.from_json` (a few ms for a
    30 KB document), so keep the :class:`State` object between versions of a document.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, compress
from operator import add, itemgetter, ne, not_
from typing import Any, Protocol

#: The token pattern of the word diff: a word, a run of whitespace, or one other character.
TOKEN = re.compile(r"\w+|\s+|[^\w\s]")

#: A run of at least this many words found elsewhere in the previous version is a copy and keeps
#: the origins of its source; a shorter one (a common word or two) is new text.
MIN_COPY_WORDS = 4

#: A sentence matched outside its own paragraph pair (moved to another paragraph, or put back
#: from the memory) needs at least this many words: "Yes." or a lone bullet is not evidence.
MIN_SENTENCE_WORDS = 2

#: Text that left one changed paragraph and turned up in another in the same version (a split or a
#: merge through a sentence, a clause moved) is recognised from this many words in a row.
MIN_MOVE_WORDS = 2

#: At most this many removed paragraphs and sentences are remembered for reverts (oldest removal
#: forgotten first): 30 to 60 bytes of JSON each on python-peps, a few hundred KB at most.
MEMORY_LIMIT = 5000

#: Version of the state's JSON shape, checked by :meth:`State.from_json`.
STATE_FORMAT = 1

#: A pair of words found at more places than this among the changed old paragraphs does not seed
#: a moved run (runs are still extended over it from a rarer neighbour).
_MAX_SEEDS = 8

#: Characters around an edit whose 4-word sequences are added to the copy-search index (enough
#: for the three words before and after it, unless they are extraordinarily long).
_GRAM_MARGIN = 300

#: At most this many places are tried for one copied window of words.
_MAX_COPY_SOURCES = 8

#: Runs of one paragraph: ``[[count, version], ...]`` over its tokens.
Runs = list[list[int]]

#: A content token (a word, or else a punctuation mark) and the whitespace after it.
_PIECE = re.compile(r"(?:(\w+)|([^\w\s]))(\s*)")
#: Where a sentence ends: after . ! or ? and whitespace; before a line that starts with a mark.
_BOUNDARY = re.compile(r"[.!?\n](?:(?<=[.!?])\s+(?=\S)|(?<=\n)\s*(?=[^\w\s]))")
_WORD = re.compile(r"\w+")
_FLIP = bytes([1, 0]) + bytes(254)  # bytearray.translate table: taken flags to "not taken"


class ChangeLike(Protocol):
    """What :func:`step` reads of a paragraph change (:class:`tracker.text.diff.Change` fits, and
    so does a row of the store's changes table): the old and new paragraph indexes."""

    old: int | None
    new: int | None


# --------------------------------------------------------------------------- tokens and runs


def tokenize(text: str) -> list[str]:
    """Cut text into words, whitespace runs and punctuation marks; ``"".join`` gives it back."""
    return TOKEN.findall(text)


def count_tokens(text: str) -> int:
    """``len(tokenize(text))`` without building the tokens (several times faster)."""
    return _count(_classes(text), 0, len(text))[0]


def _ascii_classes() -> dict[int, str]:
    table = {}
    for code in range(128):
        c = chr(code)
        table[code] = "w" if c.isalnum() or c == "_" else "s" if c.isspace() else "p"
    return table


_CLASSES = str.maketrans(_ascii_classes())


def origins_to_runs(origins: Iterable[int]) -> Runs:
    """Run-length encode one origin per token into ``[[count, version], ...]``."""
    runs: Runs = []
    last = None
    for v in origins:
        if v == last:
            runs[-1][0] += 1
        else:
            runs.append([1, v])
            last = v
    return runs


def check_runs(runs: Any, count: int | None = None) -> None:
    """Raise ValueError unless ``runs`` is well formed and, if given, covers ``count`` tokens."""
    if not isinstance(runs, list):
        raise ValueError(f"runs must be a list, not {type(runs).__name__}")
    total = 0
    last = None
    for run in runs:
        if (
            not isinstance(run, list)
            or len(run) != 2
            or type(run[0]) is not int
            or type(run[1]) is not int
            or run[0] < 1
            or run[1] < 1
        ):
            raise ValueError(f"bad run {run!r}: want [count >= 1, version >= 1]")
        if run[1] == last:
            raise ValueError(f"two neighbouring runs of version {last}: runs are not compact")
        last = run[1]
        total += run[0]
    if count is not None and total != count:
        raise ValueError(f"runs cover {total} tokens, the text has {count}")


def runs_to_origins(runs: Runs, count: int | None = None) -> list[int]:
    """One origin per token from runs; ``count`` (the text's token count) is checked if given."""
    check_runs(runs, count)
    out: list[int] = []
    for n, v in runs:
        out += [v] * n
    return out


def runs_to_tokens(text: str, runs: Runs) -> list[tuple[str, int]]:
    """Pair each token of ``text`` with its origin: ``[(token, version), ...]``.

    Raises ValueError when the runs do not cover exactly the text's tokens: runs stored for
    another text are an error, not a wrong attribution.
    """
    tokens = tokenize(text)
    return list(zip(tokens, runs_to_origins(runs, len(tokens))))


def tokens_to_runs(tokens: Iterable[tuple[str, int]]) -> Runs:
    """The runs of ``[(token, version), ...]`` (the inverse of :func:`runs_to_tokens`)."""
    return origins_to_runs(v for _, v in tokens)


def spans(text: str, runs: Runs) -> list[tuple[str, int]]:
    """Merge a paragraph into one ``(text, version)`` piece per run, for display."""
    tokens = tokenize(text)
    check_runs(runs, len(tokens))
    out = []
    k = 0
    for n, v in runs:
        out.append(("".join(tokens[k : k + n]), v))
        k += n
    return out


# --------------------------------------------------------------------------- state


@dataclass
class State:
    """What attributing the next version needs: the latest version's runs and the memory.

    ``runs`` holds one runs list per paragraph of version ``version`` (whose paragraphs hold
    ``chars`` characters in all, a cheap check that the caller passes the matching text);
    ``memory`` maps the key of a removed sentence (or paragraph) to the runs of its tokens,
    without whitespace at its ends, oldest removal first (see the module docstring).
    Runs lists are shared between states and results: treat them as read-only.
    """

    version: int = 0
    chars: int = 0
    runs: list[Runs] = field(default_factory=list)
    memory: dict[str, Runs] = field(default_factory=dict)
    #: Transient index of (at least) the 4-word sequences of version ``version``, as hashes, for
    #: the copy search; moved from state to state by :func:`step`, never serialized.
    _grams: set[int] | None = field(default=None, init=False, compare=False, repr=False)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-able data (see :meth:`from_json`); ``json.dumps`` it compactly to store."""
        return {
            "format": STATE_FORMAT,
            "version": self.version,
            "chars": self.chars,
            "runs": self.runs,
            "memory": [[key, origins] for key, origins in self.memory.items()],
        }

    @classmethod
    def from_json(cls, data: Any) -> State:
        """Rebuild a state from :meth:`to_json`'s data, checking its shape (ValueError if bad)."""
        if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
            raise ValueError(f"not a provenance state of format {STATE_FORMAT}")
        version, chars = data.get("version"), data.get("chars")
        if type(version) is not int or version < 0 or type(chars) is not int or chars < 0:
            raise ValueError("bad version or chars in provenance state")
        runs = data.get("runs")
        if not isinstance(runs, list):
            raise ValueError("bad runs in provenance state")
        for r in runs:
            check_runs(r)
        memory: dict[str, Runs] = {}
        entries = data.get("memory")
        if not isinstance(entries, list):
            raise ValueError("bad memory in provenance state")
        for entry in entries:
            if not isinstance(entry, list) or len(entry) != 2 or not isinstance(entry[0], str):
                raise ValueError(f"bad memory entry {entry!r}")
            check_runs(entry[1])
            memory[entry[0]] = entry[1]
        return cls(version, chars, runs, memory)


# --------------------------------------------------------------------------- internals

_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_G0, _G1, _G2 = itemgetter(0), itemgetter(1), itemgetter(2)


def _class_of(match: re.Match[str]) -> str:
    c = match.group()
    return "w" if c.isalnum() or c == "_" else "s" if c.isspace() else "p"


def _classes(text: str) -> str:
    """One letter per character of ``text``: ``w`` (``\\w``), ``s`` (``\\s``) or ``p`` (other)."""
    k = text.translate(_CLASSES)
    return k if k.isascii() else _NON_ASCII.sub(_class_of, k)


def _count(k: str, a: int, b: int) -> tuple[int, int]:
    """Tokens and words of ``text[a:b]``, from its class string ``k`` (C-speed counting)."""
    if a >= b:
        return 0, 0
    first = k[a]
    words = k.count("sw", a, b) + k.count("pw", a, b) + (first == "w")
    spaces = k.count("ws", a, b) + k.count("ps", a, b) + (first == "s")
    return words + spaces + k.count("p", a, b), words


def _key(normalized: str) -> str:
    """The memory's key for a paragraph or sentence: a short stable hash of its text with
    whitespace normalized (runs of it made one space, none at the ends)."""
    return hashlib.blake2b(normalized.encode("utf-8", "surrogatepass"), digest_size=6).hexdigest()


def _slice_runs(runs: Runs, start: int, end: int, ends: list[int] | None = None) -> Runs:
    """The runs of tokens [start, end) of a paragraph whose runs are ``runs``; ``ends`` (the
    cumulated counts) makes it a binary search, for many slices of one paragraph."""
    if start >= end:
        return []
    if ends is None:
        ends = list(accumulate(map(_G0, runs)))
    first = bisect_right(ends, start)
    last = bisect_left(ends, end)
    if first == last:
        return [[end - start, runs[first][1]]]
    out = [[ends[first] - start, runs[first][1]]]
    out += [[n, v] for n, v in runs[first + 1 : last]]
    out.append([end - ends[last - 1], runs[last][1]])
    return out


def _join_runs(parts: Iterable[Runs]) -> Runs:
    """Concatenate runs lists into one compact new list (the parts are not modified)."""
    out: Runs = []
    for part in parts:
        for n, v in part:
            if out and out[-1][1] == v:
                out[-1][0] += n
            else:
                out.append([n, v])
    return out


def _expand(runs: Runs, count: int) -> list[int]:
    """One origin per token, checking only that the runs cover ``count`` tokens (the state's
    runs were checked when loaded; this guards against runs of another text)."""
    if sum(map(_G0, runs)) != count:
        raise ValueError(f"runs cover {sum(map(_G0, runs))} tokens, the text has {count}")
    out: list[int] = []
    for n, v in runs:
        out += [v] * n
    return out


def _with_ends(core: Runs, lead: int, trail: int) -> Runs:
    """Runs of a text's core tokens with ``lead``/``trail`` whitespace tokens added at the ends
    (they take the origin of the word next to them)."""
    out = [[n, v] for n, v in core]
    out[0][0] += lead
    out[-1][0] += trail
    return out


def _grams(words: Sequence[str]) -> Iterator[int]:
    """Hashes of the sequences of :data:`MIN_COPY_WORDS` words of a paragraph's words (Python's
    string hashes: transient, valid in this process only)."""
    return map(hash, zip(*(words[k:] for k in range(MIN_COPY_WORDS))))


def _rle(values: Sequence[int], spaces: Sequence[int] | None = None, unknown: int = 0) -> Runs:
    """Run-length encode ``values`` (origins of content tokens; 0 becomes ``unknown``).

    With ``spaces`` (how many whitespace tokens follow content tokens 0..c, cumulated), the
    counts are of all tokens instead. Change points are found at C speed, then there is one
    Python step per run.
    """
    n = len(values)
    if not n:
        return []
    cuts = list(compress(range(1, n), map(ne, values[1:], values[:-1])))
    cuts.append(n)
    runs: Runs = []
    at = 0
    for cut in cuts:
        end = cut if spaces is None else cut + spaces[cut - 1]
        v = values[cut - 1] or unknown
        if runs and runs[-1][1] == v:
            runs[-1][0] += end - at
        else:
            runs.append([end - at, v])
        at = end
    return runs


def _common_prefix(a: str, b: str) -> int:
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


def _common_suffix(a: str, b: str, limit: int) -> int:
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


def _shared_ends(x: str, kx: str, y: str, most_head: int, most_tail: int) -> tuple[int, int]:
    """Characters at the start and at the end of ``x`` that ``y`` shares, each cut at a token
    boundary of both texts (``kx`` is x's class string): the head ends after whitespace, the
    tail starts with a word or a mark. At most ``most_head`` and ``most_tail`` characters."""
    p = min(_common_prefix(x, y), most_head)
    head = 0
    if p > 0:
        ws = kx.rfind("s", 0, p)  # the last whitespace before the first difference
        if ws + 1 < p:
            head = ws + 1  # 0 when there is none
        else:  # that whitespace reaches the difference: take the boundary before the word
            word = max(kx.rfind("w", 0, ws), kx.rfind("p", 0, ws))
            head = kx.rfind("s", 0, word) + 1 if word > 0 else 0
    s = min(_common_suffix(x, y, min(len(x), len(y)) - head), most_tail)
    tail = 0
    if s > 0:
        ws = kx.find("s", len(x) - s)  # the first whitespace inside the shared end
        if ws >= 0:
            after = [at for at in (kx.find("w", ws), kx.find("p", ws)) if at >= 0]
            if after:
                tail = len(x) - min(after)
    return head, tail


class _Text:
    """A region of a changed paragraph, as sentences, counted but not tokenized.

    The region ``text[lo:hi]`` starts and ends at sentence boundaries. Its sentence k is
    ``text[starts[k]:ends[k]]`` (the whitespace after it included): it holds ``ntok[k]`` tokens
    from the paragraph's token ``tstart[k]`` on, ``nword[k]`` of them words, the last one
    whitespace if ``trail[k]``; ``keys[k]`` is its text with whitespace normalized. ``lead`` is 1
    when the region starts the paragraph and the paragraph starts with whitespace (a token
    before the first sentence). ``k`` is the class string of the whole text (see
    :func:`_classes`).
    """

    __slots__ = (
        "text", "k", "lo", "hi", "lead", "starts", "ends", "keys", "ntok", "nword", "trail",
        "tstart",
    )  # fmt: skip

    def __init__(self, text: str, k: str | None = None, lo: int = 0, hi: int | None = None):
        self.text = text
        self.k = k = _classes(text) if k is None else k
        hi = len(text) if hi is None else hi
        self.lo, self.hi = lo, hi
        first = lo
        self.lead = 0
        if lo == 0:
            first = len(text) - len(text.lstrip())
            self.lead = 1 if first else 0
            base = self.lead
        else:
            base = _count(k, 0, lo)[0]
        cuts = [m.end() for m in _BOUNDARY.finditer(text, first, hi)]
        if not cuts:  # one sentence (or none)
            if first < hi:
                tokens, words = _count(k, first, hi)
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
        counts = [_count(k, a, b) for a, b in zip(starts, ends)]
        self.ntok = list(map(_G0, counts))
        self.nword = list(map(_G1, counts))
        self.trail = [1 if k[b - 1] == "s" else 0 for b in ends]
        self.tstart = list(accumulate(self.ntok, initial=base))

    def core(self, runs: Runs, k: int, ends: list[int] | None = None) -> Runs:
        """Runs of sentence k's tokens without the whitespace after it (``ends``: see
        :func:`_slice_runs`)."""
        start = self.tstart[k]
        return _slice_runs(runs, start, start + self.ntok[k] - self.trail[k], ends)


def _whole_core(text: str, k: str, runs: Runs, ends: list[int]) -> tuple[str, Runs]:
    """A paragraph's whitespace-normalized text and the runs of its tokens without whitespace at
    either end (what the memory keeps for a paragraph; the runs list itself when it has none)."""
    total = ends[-1] if ends else 0
    lead = 1 if k[:1] == "s" else 0
    trail = 1 if k[-1:] == "s" and total > lead else 0
    core = runs if not lead and not trail else _slice_runs(runs, lead, total - trail, ends)
    return " ".join(text.split()), core


class _Para:
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
                full = _expand(runs, count)
                spaces_before = accumulate(map(bool, ws), initial=0)
                self.origins = [full[self.lead + c + s] for c, s in zip(range(n), spaces_before)]
        self.taken = bytearray(n)
        self._wsum: list[int] | None = None

    def set_sentence_runs(self, s: int, runs: Runs) -> None:
        """Give sentence s the origins of ``runs`` (over all its tokens)."""
        c0, c1 = self.sentences[s]
        ws = self.ws
        full = _expand(runs, (c1 - c0) + sum(map(bool, ws[c0:c1])))
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
        runs = _rle(origins, list(accumulate(map(bool, self.ws))), version)
        runs[0][0] += self.lead
        return runs


def _common_blocks(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int, int]]:
    """The equal blocks ``(i, j, size)`` of a minimal token diff of ``a`` and ``b`` (a longest
    common subsequence, computed by rapidfuzz in C++; imported here, on first use, so that
    reading runs never pays for it)."""
    from rapidfuzz.distance import Indel

    return [block for block in Indel.opcodes(a, b).as_matching_blocks() if block[2]]


class _Step:
    """The work of one :func:`step`; see the module docstring for the passes."""

    def __init__(
        self,
        state: State,
        old: Sequence[str],
        new: Sequence[str],
        version: int,
        changes: Iterable[ChangeLike],
    ) -> None:
        self.state, self.old, self.new, self.version = state, old, new, version
        self.new_runs: list[Runs | None] = [None] * len(new)
        self.pair: dict[int, int] = {}  # changed new paragraph -> its old paragraph
        self.changed_old: list[int] = []  # old paragraphs not carried over verbatim
        # sentence level: changed new paragraphs still to attribute, changed old paragraphs
        self.texts: dict[int, _Text] = {}
        self.sruns: dict[int, list[Runs | None]] = {}  # runs of each new sentence found whole
        self.trimmed: dict[int, tuple[Runs, Runs]] = {}  # runs of a shared head and tail
        self.ends_runs: dict[int, tuple[Runs, Runs]] = {}  # runs cut off a span's ends
        self.otexts: dict[int, _Text] = {}
        self.otaken: dict[int, bytearray] = {}  # old sentences found whole in the new version
        # token level: spans of sentences left, new (with the first sentence) and old
        self.paras: dict[int, _Para] = {}
        self.span: dict[int, tuple[int, int]] = {}
        self.olds: dict[int, _Para] = {}
        self.whole: dict[int, _Para] = {}  # old paragraphs tokenized whole, as copy sources
        self._run_ends: dict[int, list[int]] = {}
        self.flat: str | None = None  # the previous version's text, for the copy search
        self.flat_starts: list[int] = []
        # old paragraphs (other than the pair) that gave a new one a sentence or a moved run
        self.sources: dict[int, set[int]] = {}
        self.memory = state.memory
        self._memory_copied = False
        self.grams = state._grams
        state._grams = None  # the index moves on with the new state (rebuilt if ever needed)
        self._read_changes(changes)

    def _read_changes(self, changes: Iterable[ChangeLike]) -> None:
        old, new, runs, new_runs = self.old, self.new, self.state.runs, self.new_runs
        seen_old = bytearray(len(old))
        seen_new = bytearray(len(new))
        pair, changed_old = self.pair, self.changed_old
        ch = None
        try:
            for ch in changes:
                i, j = ch.old, ch.new
                if j is None:
                    if i < 0 or seen_old[i]:  # type: ignore[operator,index]
                        raise IndexError
                    seen_old[i] = 1  # type: ignore[index]
                    changed_old.append(i)  # type: ignore[arg-type]
                    continue
                if j < 0 or seen_new[j]:
                    raise IndexError
                seen_new[j] = 1
                if i is not None:
                    if i < 0 or seen_old[i]:
                        raise IndexError
                    seen_old[i] = 1
                    if old[i] == new[j]:
                        new_runs[j] = runs[i]  # equal, or moved unedited: runs unchanged
                    else:
                        pair[j] = i
                        changed_old.append(i)
        except (IndexError, TypeError):
            raise ValueError(f"bad or repeated paragraph index in change {ch!r}") from None
        if seen_new.count(0):
            # paragraphs the changes leave out (a store keeps no "equal" rows): pair them in
            # order, as the diff aligns equal paragraphs; a pair whose texts differ is an edit
            left_old = [i for i, seen in enumerate(seen_old) if not seen]
            left_new = [j for j, seen in enumerate(seen_new) if not seen]
            for i, j in zip(left_old, left_new):
                seen_old[i] = 1
                if old[i] == new[j]:
                    new_runs[j] = runs[i]
                else:
                    pair[j] = i
                    changed_old.append(i)
        if seen_old.count(0):  # an old paragraph the changes do not mention: deleted
            changed_old.extend(i for i, seen in enumerate(seen_old) if not seen)
        changed_old.sort()

    def run_ends(self, i: int) -> list[int]:
        """Cumulated token counts of old paragraph i's runs (for slicing them)."""
        ends = self._run_ends.get(i)
        if ends is None:
            ends = self._run_ends[i] = list(accumulate(map(_G0, self.state.runs[i])))
        return ends

    # ------------------------------------------------------------------ memory

    def remember(self, key: str, core: Runs) -> None:
        if not self._memory_copied:
            self.memory = dict(self.memory)
            self._memory_copied = True
        if key in self.memory:
            self.memory[key] = self.memory.pop(key)  # keep the older origins, refresh the age
        else:
            self.memory[key] = core

    def recall(self, normalized: str, tokens: int) -> Runs | None:
        """Remembered core runs of a text, if they cover ``tokens`` tokens."""
        core = self.memory.get(_key(normalized))
        if core is None or sum(map(_G0, core)) != tokens:
            return None
        return core

    # ------------------------------------------------------------------ passes

    def run(self) -> tuple[State, list[Runs]]:
        new, old, version, runs = self.new, self.old, self.version, self.state.runs
        todo = [j for j, r in enumerate(self.new_runs) if r is None]  # not carried over
        first_of: dict[str, int] = {}
        twins: list[tuple[int, int]] = []  # a paragraph and an earlier one with the same text
        for j in todo:
            text = new[j]
            twin = first_of.setdefault(text, j)
            if twin != j:
                twins.append((j, twin))
                continue
            if not old and not self.memory:  # nothing to compare with: all of it is new
                count = count_tokens(text)
                self.new_runs[j] = [[count, version]] if count else []
                continue
            if text in old:  # a copy of a whole paragraph of the previous version
                self.new_runs[j] = runs[old.index(text)]
                continue
            k = _classes(text)
            if not text.strip():  # whitespace only
                self.new_runs[j] = [[1, version]] if text else []
                continue
            if self.memory:  # a paragraph put back
                total = _count(k, 0, len(text))[0]
                lead = 1 if k[0] == "s" else 0
                trail = 1 if k[-1] == "s" else 0
                core = self.recall(" ".join(text.split()), total - lead - trail)
                if core is not None:
                    self.new_runs[j] = _with_ends(core, lead, trail)
                    continue
            i = self.pair.get(j)
            if i is None:
                t = self.texts[j] = _Text(text, k)
            else:
                t = self.texts[j] = self.trim(j, i, k)
            self.sruns[j] = [None] * len(t.starts)
        for i in self.changed_old:
            t = self.otexts.get(i)
            if t is None:
                t = self.otexts[i] = _Text(old[i])
            count = _count(t.k, 0, len(t.text))[0]
            if sum(map(_G0, runs[i])) != count:
                raise ValueError(f"the state's runs of old paragraph {i} do not fit its text")
            self.otaken[i] = bytearray(len(t.starts))
        if self.texts:
            if self.otexts or self.memory:
                self.match_sentences()
            self.make_spans()
            if self.paras:
                if self.olds:
                    self.diff_leftovers(self.pair.items())
                    self.match_moves()
                    self.diff_leftovers(
                        (j, i) for j, olds in self.sources.items() for i in sorted(olds)
                    )
                if old:
                    self.match_copies()
            for j, t in self.texts.items():
                sruns = self.sruns[j]
                span = self.span.get(j)
                if span is None:
                    parts = sruns
                else:
                    k1, k2 = span
                    head_cut, tail_cut = self.ends_runs.get(j, ([], []))
                    middle = [head_cut, self.paras[j].runs(version), tail_cut]
                    parts = sruns[:k1] + middle + sruns[k2 + 1 :]
                head_runs, tail_runs = self.trimmed.get(j, ([], []))
                joined = _join_runs([head_runs, *parts, tail_runs])  # type: ignore[list-item]
                if t.lead:
                    joined[0][0] += 1
                self.new_runs[j] = joined
        for j, twin in twins:  # the same text gets the same runs within a version
            self.new_runs[j] = self.new_runs[twin]
        if self.changed_old:
            self.forget_removed()
        if self.grams is not None:
            self.update_grams(todo)
        new_state = State(
            version=version,
            chars=sum(map(len, new)),
            runs=self.new_runs,  # type: ignore[arg-type]  # every entry is set by now
            memory=self.memory,
        )
        new_state._grams = self.grams
        return new_state, list(new_state.runs)

    def trim(self, j: int, i: int, k: str) -> _Text:
        """Keep only the middle of an edited paragraph for sentence and token analysis.

        Whole sentences at the head and tail that the old and new texts share are carried over
        as they are: their runs are the old paragraph's, sliced by token count. (A boundary
        depends only on the characters around it, so one inside the shared text is a boundary
        in both texts.) Returns the new text's middle; the old one's goes to ``otexts``.
        """
        a, b = self.old[i], self.new[j]
        ka = _classes(a)
        p = _common_prefix(a, b)
        s = _common_suffix(a, b, min(len(a), len(b)) - p)
        head = 0
        for m in _BOUNDARY.finditer(b, 0, p):
            head = m.end()
        tail_b = len(b)
        for m in _BOUNDARY.finditer(b, len(b) - s):
            tail_b = m.end()
            break
        tail_a = tail_b - len(b) + len(a)
        runs = self.state.runs[i]
        self.otexts[i] = _Text(a, ka, head, tail_a)
        t = _Text(b, k, head, tail_b)
        head_runs = _slice_runs(runs, 0, t.tstart[0]) if head else []
        total = sum(n for n, _ in runs)
        tail_runs = _slice_runs(runs, total - _count(k, tail_b, len(b))[0], total)
        self.trimmed[j] = (head_runs, tail_runs)
        return t

    def match_sentences(self) -> None:
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
                if found and pair is not None and self.take(j, k, found, pair):
                    continue
                pending.append((j, k, found))
        for j, k, found in pending:
            t = self.texts[j]
            if t.nword[k] < MIN_SENTENCE_WORDS:
                continue
            if found and self.take(j, k, found, None):
                continue
            if self.memory:
                core = self.recall(t.keys[k], t.ntok[k] - t.trail[k])
                if core is not None:
                    self.sruns[j][k] = _with_ends(core, 0, t.trail[k])

    def take(self, j: int, k: int, found: list[tuple[int, int]], only: int | None) -> bool:
        """Give new sentence (j, k) the origins of the first free old sentence in ``found``."""
        t = self.texts[j]
        for i, m in found:
            if only is not None and i != only:
                continue
            taken = self.otaken[i]
            if taken[m]:
                continue
            core = self.otexts[i].core(self.state.runs[i], m, self.run_ends(i))
            if sum(map(_G0, core)) != t.ntok[k] - t.trail[k]:
                continue
            self.sruns[j][k] = _with_ends(core, 0, t.trail[k])
            taken[m] = 1
            if i != self.pair.get(j):
                self.sources.setdefault(j, set()).add(i)
            return True
        return False

    def make_spans(self) -> None:
        """Tokenize the sentences left: from the first to the last not found whole.

        Where a new and its paired old span start (or end) with the same characters, those
        tokens are carried over as runs, not tokenized: the diff of the pair would match them
        first anyway (a common head and tail).
        """
        new_left = {}
        for j, sruns in self.sruns.items():
            left = [k for k, r in enumerate(sruns) if r is None]
            if left:
                new_left[j] = (left[0], left[-1])
        if not new_left:
            return
        old_left = {}
        for i, taken in self.otaken.items():
            left = [m for m in range(len(taken)) if not taken[m]]
            if left:
                old_left[i] = (left[0], left[-1])
        cut: dict[int, tuple[int, int, int, int]] = {}  # old -> chars and tokens cut off its ends
        for j, (k1, k2) in new_left.items():
            t = self.texts[j]
            a, b = t.starts[k1], t.ends[k2]
            head = tail = 0
            i = self.pair.get(j)
            if i is not None and i in old_left and i not in cut:
                ot = self.otexts[i]
                m1, m2 = old_left[i]
                oa, ob = ot.starts[m1], ot.ends[m2]
                head, tail = _shared_ends(
                    t.text[a:b],
                    t.k[a:b],
                    ot.text[oa:ob],
                    min(t.ends[k1] - a, ot.ends[m1] - oa) - 1,
                    min(b - t.starts[k2], ob - ot.starts[m2]) - 1,
                )
                head_tok = _count(t.k, a, a + head)[0]
                tail_tok = _count(t.k, b - tail, b)[0]
                cut[i] = (head, tail, head_tok, tail_tok)
                runs = self.state.runs[i]
                start, end = ot.tstart[m1], ot.tstart[m2 + 1]
                self.ends_runs[j] = (
                    _slice_runs(runs, start, start + head_tok),
                    _slice_runs(runs, end - tail_tok, end),
                )
            lo, hi = a + head, b - tail
            cuts = [0] + [t.starts[k] - lo for k in range(k1 + 1, k2 + 1)]
            p = _Para(t.text[lo:hi], cuts)
            sruns = self.sruns[j]
            for k in range(k1 + 1, k2):
                r = sruns[k]
                if r is not None:
                    p.set_sentence_runs(k - k1, r)
            self.paras[j] = p
            self.span[j] = (k1, k2)
        for i, (m1, m2) in old_left.items():
            t = self.otexts[i]
            taken = self.otaken[i]
            head, tail, head_tok, tail_tok = cut.get(i, (0, 0, 0, 0))
            lo, hi = t.starts[m1] + head, t.ends[m2] - tail  # the same characters as the new
            runs = _slice_runs(
                self.state.runs[i], t.tstart[m1] + head_tok, t.tstart[m2 + 1] - tail_tok
            )
            cuts = [0] + [t.starts[m] - lo for m in range(m1 + 1, m2 + 1)]
            p = _Para(t.text[lo:hi], cuts, runs)
            for m in range(m1 + 1, m2):
                if taken[m]:
                    p.take_sentence(m - m1)
            self.olds[i] = p

    def diff_leftovers(self, pairs: Iterable[tuple[int, int]]) -> None:
        """Edits inside sentences: diff the tokens left in new paragraph j and old paragraph i.

        Run for each paired paragraph, then again for each old paragraph a new one took
        sentences or runs from (a split or merge through a sentence leaves a word or two behind).
        """
        for j, i in pairs:
            p, op = self.paras.get(j), self.olds.get(i)
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

    def match_moves(self) -> None:
        """Runs of words that left one changed old paragraph for another new one.

        Seeds are pairs of neighbouring words (punctuation between them skipped) left on both
        sides; each seed is extended both ways over equal tokens.
        """
        wanted: dict[int, list[tuple[int, int, tuple[str, str]]]] = {}
        pairs: set[tuple[str, str]] = set()
        for j, p in self.paras.items():
            words = p.isword
            at = [c for c in compress(range(len(p.origins)), map(not_, p.origins)) if words[c]]
            seeds = list(zip(map(words.__getitem__, at), map(words.__getitem__, at[1:])))
            if seeds:
                wanted[j] = list(zip(at, at[1:], seeds))
                pairs.update(seeds)
        if not pairs:
            return
        index: dict[tuple[str, str], list[tuple[int, int]]] = {}
        for i, op in self.olds.items():
            words = op.isword
            at = [c for c in compress(range(len(op.taken)), op.taken.translate(_FLIP)) if words[c]]
            seeds = list(zip(map(words.__getitem__, at), map(words.__getitem__, at[1:])))
            for c, seed in compress(zip(at, seeds), map(pairs.__contains__, seeds)):
                index.setdefault(seed, []).append((i, c))
        if not index:
            return
        for j, found in wanted.items():
            p = self.paras[j]
            origins = p.origins
            for c, d, seed in found:
                if origins[c] or origins[d]:
                    continue  # taken by a run found from an earlier word
                seeds = index.get(seed)
                if not seeds or len(seeds) > _MAX_SEEDS:
                    continue
                best = None
                for i, oc in seeds:
                    op = self.olds[i]
                    if op.taken[oc]:
                        continue
                    start, end, ostart = _extend(p, c, op, oc, consumed=False)
                    n = p.word_count(start, end)
                    if n >= MIN_MOVE_WORDS and (best is None or n > best[0]):
                        best = (n, start, end, i, ostart)
                if best is None:
                    continue
                _, start, end, i, ostart = best
                op = self.olds[i]
                origins[start:end] = op.origins[ostart : ostart + end - start]
                op.taken[ostart : ostart + end - start] = b"\x01" * (end - start)
                if i != self.pair.get(j):
                    self.sources.setdefault(j, set()).add(i)

    def match_copies(self) -> None:
        """Runs of :data:`MIN_COPY_WORDS` words or more copied from the previous version."""
        for p in self.paras.values():
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
                    self._copy_stretch(p, start, c)

    def _copy_stretch(self, p: _Para, a: int, b: int) -> None:
        grams = self.grams
        if grams is None:
            self.grams = grams = _Grams()
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
            best = self._copy_source(p, first, window)
            if best is not None:
                start, end, op, ostart = best
                p.origins[start:end] = op.origins[ostart : ostart + end - start]
                done = end

    def _copy_source(
        self, p: _Para, first: int, span: list[str]
    ) -> tuple[int, int, _Para, int] | None:
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
                op = self.whole[i] = _Para(self.old[i], runs=self.state.runs[i])
            oc = op.token_at(at - starts[i])
            if oc is not None and op.ctoks[oc : oc + len(span)] == span:
                start, end, ostart = _extend(p, first, op, oc, consumed=True)
                words = p.word_count(start, end)
                if words >= MIN_COPY_WORDS and (best is None or words > best[0]):
                    best = (words, start, end, op, ostart)
            at = flat.find(needle, at + 1)
        return None if best is None else best[1:]

    def forget_removed(self) -> None:
        """Put the sentences of changed old paragraphs that were not found whole in the memory.

        A paragraph is put there whole only when one of those sentences is too short to have an
        entry of its own (a one-sentence paragraph's key is its sentence's anyway), so that
        putting back the whole paragraph still finds it.
        """
        runs = self.state.runs
        for i, t in self.otexts.items():
            taken = self.otaken[i]
            short = False
            for m, key in enumerate(t.keys):
                if taken[m]:
                    continue
                if t.nword[m] >= MIN_SENTENCE_WORDS:
                    self.remember(_key(key), t.core(runs[i], m, self.run_ends(i)))
                else:
                    short = True
            if short:
                normalized, core = _whole_core(t.text, t.k, runs[i], self.run_ends(i))
                self.remember(_key(normalized), core)
        excess = len(self.memory) - MEMORY_LIMIT
        if excess > 0:
            for key in list(self.memory)[:excess]:
                del self.memory[key]

    def update_grams(self, todo: list[int]) -> None:
        """Add the new version's 4-word sequences to the copy-search index.

        The index only grows (a hit is checked against the text anyway), so removing text costs
        nothing; once it has grown to twice its size when built, it is dropped, to be rebuilt by
        the next search that needs it.
        """
        grams = self.grams
        assert grams is not None
        for j in todo:
            text = self.new[j]
            t = self.texts.get(j)
            if t is not None and j in self.trimmed:  # the shared head and tail are indexed
                lo, hi = max(0, t.lo - _GRAM_MARGIN), t.hi + _GRAM_MARGIN
                grams.update(_grams(_WORD.findall(text, lo, hi)))
            else:
                grams.update(_grams(_WORD.findall(text)))
        if len(grams) > 2 * grams.base + 1000:
            self.grams = None


class _Grams(set):
    """Hashes of 4-word sequences (see :meth:`_Step.update_grams`) and the count when built."""

    base = 0


def _extend(p: _Para, c: int, op: _Para, oc: int, consumed: bool) -> tuple[int, int, int]:
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


# --------------------------------------------------------------------------- public API


def step(
    state: State,
    old_paragraphs: Sequence[str],
    new_paragraphs: Sequence[str],
    version: int,
    changes: Iterable[ChangeLike] | None = None,
) -> tuple[State, list[Runs]]:
    """Attribute ``new_paragraphs`` (version ``version``) given the previous version's state.

    ``old_paragraphs`` are the paragraphs ``state`` was computed for (``State()`` and ``[]``
    for a document's first version). ``changes`` is the paragraph diff of old to new (from
    :func:`~tracker.text.diff.diff_paragraphs`, ``inline=False`` is enough), reused when the
    caller has it; when None it is computed. Only ``old``/``new`` indexes are read, and
    ``equal`` changes may be left out (as the store's changes table does): paragraphs no change
    mentions are paired in order, old with new, and compared by text.

    Returns the new state and the runs of each new paragraph. The inputs are not modified
    (``state`` only hands its transient copy-search index on to the new state). Raises
    ValueError when the state does not match ``old_paragraphs`` or the version does not increase.
    """
    if type(version) is not int or version <= state.version:
        raise ValueError(f"version {version!r} must be an int above the state's {state.version}")
    if len(state.runs) != len(old_paragraphs) or sum(map(len, old_paragraphs)) != state.chars:
        raise ValueError("the state was not computed for these old paragraphs")
    if changes is None:
        if old_paragraphs:
            from .diff import diff_paragraphs

            changes = diff_paragraphs(old_paragraphs, new_paragraphs, inline=False)
        else:
            changes = [_Insert(j) for j in range(len(new_paragraphs))]
    return _Step(state, old_paragraphs, new_paragraphs, version, changes).run()


@dataclass(frozen=True)
class _Insert:
    new: int
    old: None = None


def replay(
    versions: Iterable[tuple[int, Sequence[str]]], state: State | None = None
) -> Iterator[tuple[State, list[Runs]]]:
    """Attribute a history of ``(version, paragraphs)`` in order, yielding each step's result.

    For tests, benchmarks and rebuilding a lost state; a store records one :func:`step` a time.
    """
    state = state or State()
    old: Sequence[str] = []
    for version, paragraphs in versions:
        state, runs = step(state, old, paragraphs, version)
        old = paragraphs
        yield state, runs
