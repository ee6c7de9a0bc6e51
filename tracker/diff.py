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
import heapq
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from diff_match_patch import diff_match_patch

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

#: Seconds diff-match-patch may spend on one inline diff before settling for a coarser result.
INLINE_TIMEOUT = 1.0

#: Seconds diff-match-patch may spend scoring one pair of paragraphs (a timeout only makes the
#: score a little lower than it should be).
SCORE_TIMEOUT = 0.1

#: Word granularity folds an unchanged island of at most this many characters without any word
#: characters (spaces, punctuation) into the changes on both sides, so highlights read naturally.
ISLAND_MAX_PUNCT = 3

OPS = ("equal", "insert", "delete", "modify", "move")
GRANULARITIES = ("word", "char")

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
_WORDS_ONLY = re.compile(r"\w+")

_dmp = diff_match_patch()
_dmp.Diff_Timeout = INLINE_TIMEOUT


@dataclass(frozen=True)
class Change:
    """One entry of a paragraph diff: what happened to one old and/or one new paragraph."""

    op: str  # "equal" | "insert" | "delete" | "modify" | "move"
    old: int | None  # 0-based index in the old list (None for insert)
    new: int | None  # 0-based index in the new list (None for delete)
    old_text: str | None  # None for insert
    new_text: str | None  # None for delete
    inline: list[tuple[str, str]] | None  # for modify and edited move, else None

    @property
    def text(self) -> str:
        """The paragraph's text: the new text when there is one (equal, insert, move, modify)."""
        if self.new_text is not None:
            return self.new_text
        return self.old_text if self.old_text is not None else ""

    @property
    def edited(self) -> bool:
        """True for ``modify`` and for a ``move`` whose text changed on the way."""
        return self.op == "modify" or (self.op == "move" and self.inline is not None)


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


def _normalize(segments: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Drop empty parts, merge neighbours, and order each run of changes as one "-" then one "+"."""
    out: list[tuple[str, str]] = []
    dels: list[str] = []
    ins: list[str] = []

    def flush() -> None:
        if dels:
            out.append(("-", "".join(dels)))
        if ins:
            out.append(("+", "".join(ins)))
        dels.clear()
        ins.clear()

    for op, s in segments:
        if not s:
            continue
        if op == "-":
            dels.append(s)
        elif op == "+":
            ins.append(s)
        else:
            flush()
            if out and out[-1][0] == "=":
                out[-1] = ("=", out[-1][1] + s)
            else:
                out.append(("=", s))
    flush()
    return out


def _is_tiny(island: str, before: int, after: int) -> bool:
    """Whether an unchanged island between changes of these sizes should join them."""
    if island.isspace():
        return True
    words = len(_WORDS_ONLY.findall(island))
    if words == 0:
        return len(island) <= ISLAND_MAX_PUNCT
    return words == 1 and 2 * len(island) <= min(before, after)


def _absorb_islands(segments: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Fold tiny unchanged islands between two changes into those changes (word granularity)."""
    changed = True
    while changed:
        changed = False
        # size of the larger side of the change run starting at k (0 where k is unchanged)
        ahead = [0] * (len(segments) + 1)
        for k in range(len(segments) - 1, -1, -1):
            op, s = segments[k]
            if op == "-":
                nxt = segments[k + 1] if k + 1 < len(segments) else ("=", "")
                ahead[k] = max(len(s), len(nxt[1]) if nxt[0] == "+" else 0)
            elif op == "+":
                ahead[k] = len(s)
        out: list[tuple[str, str]] = []
        run_del = run_ins = 0  # sizes of the change run at the end of ``out``
        for k, (op, s) in enumerate(segments):
            if op == "=":
                if (
                    (run_del or run_ins)
                    and ahead[k + 1]
                    and _is_tiny(s, max(run_del, run_ins), ahead[k + 1])
                ):
                    out += [("-", s), ("+", s)]
                    run_del += len(s)
                    run_ins += len(s)
                    changed = True
                else:
                    out.append((op, s))
                    run_del = run_ins = 0
            else:
                out.append((op, s))
                if op == "-":
                    run_del += len(s)
                else:
                    run_ins += len(s)
        segments = _normalize(out)
    return segments


_DMP_OPS = {-1: "-", 0: "=", 1: "+"}


def _word_diff(a: str, b: str) -> list[tuple[str, str]]:
    """Diff two strings token by token: each distinct token becomes one character for dmp."""
    table: dict[str, str] = {}
    tokens: list[str] = []

    def encode(text: str) -> str:
        chars = []
        for tok in _TOKEN.findall(text):
            c = table.get(tok)
            if c is None:
                c = table[tok] = _code(len(tokens) + 1)
                tokens.append(tok)
            chars.append(c)
        return "".join(chars)

    ea, eb = encode(a), encode(b)
    if len(tokens) > _CODE_LIMIT:  # codes would repeat; cannot happen for real paragraphs
        return _char_diff(a, b)
    decode = {c: tok for tok, c in table.items()}
    diffs = _dmp.diff_main(ea, eb, False)
    return [(_DMP_OPS[op], "".join(decode[c] for c in s)) for op, s in diffs]


def _char_diff(a: str, b: str) -> list[tuple[str, str]]:
    """Character diff with diff-match-patch's semantic cleanup (human-readable boundaries)."""
    diffs = _dmp.diff_main(a, b, False)
    _dmp.diff_cleanupSemantic(diffs)
    return [(_DMP_OPS[op], s) for op, s in diffs]


def inline_diff(a: str, b: str, granularity: str = "word") -> list[tuple[str, str]]:
    """Diff two paragraph texts into ("=" | "-" | "+", text) parts; "="+"-" give a, "="+"+" b."""
    if granularity not in GRANULARITIES:
        raise ValueError(f"unknown granularity {granularity!r}; use one of {GRANULARITIES}")
    if a == b:
        return _normalize([("=", a)])
    if granularity == "char":
        return _normalize(_char_diff(a, b))
    return _absorb_islands(_normalize(_word_diff(a, b)))


# --------------------------------------------------------------------------- similarity


_CODE_LIMIT = 0x10FFFF - 0x800  # distinct characters available outside the surrogate block


def _code(n: int) -> str:
    """The n-th character usable to stand for a token (n >= 1), skipping surrogates."""
    n = 1 + (n - 1) % _CODE_LIMIT
    return chr(n if n < 0xD800 else n + 0x800)


class _Words:
    """Word tokens of one paragraph: their counts and their encoding as one character each."""

    __slots__ = ("size", "counts", "chars", "bare")

    def __init__(self, text: str, table: dict[str, str]) -> None:
        words = _WORDS_ONLY.findall(text)
        counts: dict[str, int] = {}
        chars = []
        for w in words:
            counts[w] = counts.get(w, 0) + 1
            c = table.get(w)
            if c is None:
                # past _CODE_LIMIT distinct words, codes repeat: only the score gets coarser
                c = table[w] = _code(len(table) + 1)
            chars.append(c)
        self.size = len(words)
        self.counts = counts
        self.chars = "".join(chars)
        # text without whitespace, to compare paragraphs that have no words ("* * *", "---")
        self.bare = "" if words else "".join(text.split())


class _Similarity:
    """Cached, bounded word-level similarity between old and new paragraphs."""

    def __init__(self, old: Sequence[str], new: Sequence[str]) -> None:
        self.old, self.new = old, new
        self._table: dict[str, str] = {}
        self._old_words: dict[int, _Words] = {}
        self._new_words: dict[int, _Words] = {}
        self._dmp = diff_match_patch()
        self._dmp.Diff_Timeout = SCORE_TIMEOUT

    def old_words(self, i: int) -> _Words:
        """Word data of old paragraph i (computed on first use)."""
        w = self._old_words.get(i)
        if w is None:
            w = self._old_words[i] = _Words(self.old[i], self._table)
        return w

    def new_words(self, j: int) -> _Words:
        """Word data of new paragraph j (computed on first use)."""
        w = self._new_words.get(j)
        if w is None:
            w = self._new_words[j] = _Words(self.new[j], self._table)
        return w

    def score(self, i: int, j: int, threshold: float) -> float:
        """Similarity of old[i] and new[j] in [0, 1], or 0.0 if it is surely below threshold.

        The score is 2 * (words in common, in order) / (words in both), counting words only (so
        that punctuation does not make short paragraphs look alike); two cheap upper bounds
        (length ratio, shared word counts) come first.
        """
        a, b = self.old_words(i), self.new_words(j)
        la, lb = a.size, b.size
        if la + lb == 0:
            return 1.0 if a.bare == b.bare else 0.0
        if 2 * min(la, lb) < threshold * (la + lb):  # length bound: ratio <= 2*min/(la+lb)
            return 0.0
        ca, cb = a.counts, b.counts
        common = 0
        for w in ca.keys() & cb.keys():
            n, m = ca[w], cb[w]
            common += n if n < m else m
        if 2 * common < threshold * (la + lb):  # shared-word bound: ratio <= 2*common/(la+lb)
            return 0.0
        diffs = self._dmp.diff_main(a.chars, b.chars, False)
        same = sum(len(text) for op, text in diffs if op == 0)
        return 2 * same / (la + lb)


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


def _pair_gap(sim: _Similarity, olds: list[int], news: list[int]) -> list[tuple[int, int, float]]:
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


def _move_candidates(sim: _Similarity, olds: list[int], news: list[int]) -> list[tuple[int, int]]:
    """(old, new) pairs worth scoring as moves: all of them if few, else via a rare-word index."""
    if len(olds) * len(news) <= FULL_GAP_PAIRS:
        return [(i, j) for j in news for i in olds]
    index: dict[str, list[int]] = {}
    for i in olds:
        for w in sim.old_words(i).counts:
            index.setdefault(w, []).append(i)
    pairs = []
    for j in news:
        usable = [w for w in sim.new_words(j).counts if len(index.get(w, ())) <= MAX_MOVE_POSTINGS]
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
    sim = _Similarity(old, new)
    gap_pairs: list[list[tuple[int, int]]] = []  # per gap: in-place pairs, sorted by old index
    for olds, news in gaps:
        chain = _pair_gap(
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
    for i, j in _move_candidates(sim, left_old, left_new):
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
) -> list[Change]:
    """Diff two paragraph lists into changes, in new-document order, deletions where they were."""
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
            out.append(Change(op, i, j, old[i], text, inline_diff(old[i], text, granularity)))
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
