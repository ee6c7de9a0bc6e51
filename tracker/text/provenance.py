"""Word-level provenance: which version first introduced each word of a document.

Pure functions over strings and plain data (no I/O). A document's versions are attributed one
after the other: :func:`step` takes the previous version's attribution (a :class:`State`) and the
new version's paragraphs, and returns the new state and the new version's *runs*, so that each
version is attributed once, when it is recorded, and reading an attribution only loads runs.

Tokens and runs
    :func:`tokenize` cuts a paragraph into words (``\\w+``), runs of whitespace and single
    punctuation marks (the word diff's tokens); joining them gives the paragraph back. A
    paragraph's *runs* are ``[[count, version], ...]``: run-length encoded origins over all its
    tokens, whitespace included (see :func:`runs_to_tokens`).

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
    * Anything else that is not in the previous version is new: it gets the new version.

The algorithm of one step (after WikiWho: paragraphs, then sentences, then a token diff)
    1. Paragraphs the paragraph diff calls ``equal`` or unedited ``move`` keep their runs as they
       are (the runs list is shared, not copied): most of a version costs nothing.
    2. A changed new paragraph whose exact text is another paragraph of the previous version is a
       copy of it and takes its runs; one whose words are a paragraph held in the memory is a
       restoration and takes the remembered origins.
    3. Sentences (split after ``.``, ``!`` or ``?`` followed by whitespace, and before a line that
       starts with a punctuation mark, like a list bullet) are matched by hash: first against the
       paired old paragraph (the one the paragraph diff matched it with), then against the other
       changed old paragraphs (a split, a merge, a sentence moved to another paragraph), then
       against the memory (a sentence put back). Away from the paired paragraph a sentence needs
       :data:`MIN_SENTENCE_WORDS` words.
    4. The tokens left in each edited paragraph are diffed (diff-match-patch, token by token)
       with the tokens left in its paired old paragraph: an edit inside a sentence.
    5. Runs of at least :data:`MIN_MOVE_WORDS` words still left are looked up among the tokens
       left in all changed old paragraphs, in any order (text moved between paragraphs, a split
       or a merge that cut a sentence).
    6. Runs of at least :data:`MIN_COPY_WORDS` words still left are looked up in the whole
       previous version (copies); only then does the rest get the new version.

Old tokens matched by steps 3-5 are *consumed*: each old word continues in at most one place,
except through a copy (step 6) or the memory. Finally the changed old paragraphs and the
sentences of them that did not survive whole go into the memory (the document's "graveyard").

The memory
    Maps a hash of a paragraph's or sentence's words and punctuation (whitespace ignored) to the
    origins those tokens had when the text was removed. Only removed text is kept (text still in
    the document is found in the previous version), oldest removal evicted first past
    :data:`MEMORY_LIMIT` entries; an entry removed again moves to the newest end. The trade-off:
    a bounded state (about 30 bytes of JSON an entry) for a revert window of thousands of
    removed paragraphs and sentences; a revert older than that gets the reverting version.
"""

from __future__ import annotations

import base64
import hashlib
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from diff_match_patch import diff_match_patch

from .inline import _code

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
#: evicted first): roughly 30 bytes of JSON each, so the memory stays under about 150 KB.
MEMORY_LIMIT = 5000

#: Version of the state's JSON shape, checked by :meth:`State.from_json`.
STATE_FORMAT = 1

#: Seconds diff-match-patch may spend aligning one paragraph's leftover tokens (past it the
#: alignment is coarser: some old words are taken for new, never the reverse).
DIFF_TIMEOUT = 0.2

#: A token found at more places than this among the changed old paragraphs is not used to seed a
#: moved run (runs are still extended over it from a rarer neighbour).
_MAX_SEEDS = 32

#: At most this many occurrences of one copy window are checked in the previous version.
_MAX_COPY_HITS = 8

#: Runs of one paragraph: ``[[count, version], ...]`` over its tokens, versions differing
#: between neighbours, counts positive.
Runs = list[list[int]]

_SENTENCE_ENDS = frozenset(".!?")


class ChangeLike(Protocol):
    """What :func:`step` reads of a paragraph change (:class:`tracker.text.diff.Change` fits)."""

    op: str
    old: int | None
    new: int | None


# --------------------------------------------------------------------------- tokens and runs


def tokenize(text: str) -> list[str]:
    """Cut text into words, whitespace runs and punctuation marks; ``"".join`` gives it back."""
    return TOKEN.findall(text)


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
    ``memory`` maps a removed paragraph's or sentence's key to the origins of its words and
    punctuation (runs over those tokens only, whitespace left out), oldest removal first.
    Runs lists are shared between states and results: treat them as read-only.
    """

    version: int = 0
    chars: int = 0
    runs: list[Runs] = field(default_factory=list)
    memory: dict[str, Runs] = field(default_factory=dict)

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


def _key(ctoks: Sequence[str]) -> str:
    """A short stable hash of a token sequence (words and punctuation, whitespace left out)."""
    data = " ".join(ctoks).encode("utf-8", "surrogatepass")
    return base64.urlsafe_b64encode(hashlib.blake2b(data, digest_size=8).digest())[:11].decode()


def _is_word(tok: str) -> bool:
    c = tok[0]
    return c.isalnum() or c == "_"


class _Para:
    """One paragraph being attributed: its content tokens, their origins (0: not yet known)."""

    __slots__ = ("tokens", "pos", "ctoks", "origins", "taken", "_sentences", "_words")

    def __init__(self, text: str, runs: Runs | None = None) -> None:
        tokens = TOKEN.findall(text)
        self.tokens = tokens
        self.pos = pos = [k for k, t in enumerate(tokens) if not t.isspace()]
        self.ctoks = [tokens[k] for k in pos]
        if runs is None:
            self.origins = [0] * len(pos)
        else:
            full = runs_to_origins(runs, len(tokens))
            self.origins = [full[k] for k in pos]
        self.taken = [False] * len(pos)  # old paragraphs: token consumed by a new one
        self._sentences: list[tuple[int, int]] | None = None
        self._words: list[bool] | None = None

    @property
    def words(self) -> list[bool]:
        """Whether each content token is a word (not a punctuation mark)."""
        if self._words is None:
            self._words = [_is_word(t) for t in self.ctoks]
        return self._words

    @property
    def sentences(self) -> list[tuple[int, int]]:
        """Content-token ranges [start, end) of the sentences, in order."""
        if self._sentences is None:
            out = []
            tokens, pos, ctoks = self.tokens, self.pos, self.ctoks
            start = 0
            n = len(ctoks)
            for c in range(1, n):
                if pos[c] == pos[c - 1] + 1:
                    continue  # no whitespace between: not a boundary
                if ctoks[c - 1] in _SENTENCE_ENDS or (
                    "\n" in tokens[pos[c] - 1] and not _is_word(ctoks[c])
                ):
                    out.append((start, c))
                    start = c
            if n:
                out.append((start, n))
            self._sentences = out
        return self._sentences

    def word_count(self, a: int, b: int) -> int:
        """Words among content tokens [a, b)."""
        return sum(self.words[a:b])

    def runs(self, version: int) -> Runs:
        """Runs over all tokens; unknown origins become ``version``, whitespace follows words."""
        pos, origins = self.pos, self.origins
        n = len(pos)
        if not n:
            return [[len(self.tokens), version]] if self.tokens else []
        runs: Runs = []
        last = 0
        for c in range(n):
            v = origins[c] or version
            span = (pos[c + 1] if c + 1 < n else len(self.tokens)) - pos[c]
            if c == 0:
                span += pos[0]
            if v == last:
                runs[-1][0] += span
            else:
                runs.append([span, v])
                last = v
        return runs

    def content_runs(self, a: int = 0, b: int | None = None) -> Runs:
        """Origins of content tokens [a, b) as runs (what the memory stores)."""
        return origins_to_runs(self.origins[a:b])


def _dmp() -> diff_match_patch:
    dmp = diff_match_patch()
    dmp.Diff_Timeout = DIFF_TIMEOUT
    return dmp


_DMP = _dmp()


def _common_blocks(a: Sequence[str], b: Sequence[str]) -> Iterator[tuple[int, int, int]]:
    """Equal blocks ``(i, j, size)`` of a minimal token diff of ``a`` and ``b``."""
    table: dict[str, str] = {}

    def encode(seq: Sequence[str]) -> str:
        out = []
        for tok in seq:
            c = table.get(tok)
            if c is None:
                c = table[tok] = _code(len(table) + 1)
            out.append(c)
        return "".join(out)

    ea, eb = encode(a), encode(b)
    i = j = 0
    for op, text in _DMP.diff_main(ea, eb, False):
        n = len(text)
        if op == 0:
            yield i, j, n
            i += n
            j += n
        elif op < 0:
            i += n
        else:
            j += n


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
        self._read_changes(changes)
        self.paras: dict[int, _Para] = {}  # changed new paragraphs still being attributed
        # old paragraphs (other than the pair) that gave a new one a sentence or a moved run
        self.sources: dict[int, set[int]] = {}
        self.olds: dict[int, _Para] = {}  # changed old paragraphs (and copy sources)
        self.memory = state.memory
        self._memory_copied = False

    def _read_changes(self, changes: Iterable[ChangeLike]) -> None:
        old, new, runs = self.old, self.new, self.state.runs
        seen_old: set[int] = set()
        seen_new: set[int] = set()
        for ch in changes:
            i, j = ch.old, ch.new
            if i is not None:
                if not 0 <= i < len(old) or i in seen_old:
                    raise ValueError(f"change {ch.op} has a bad or repeated old index {i}")
                seen_old.add(i)
            if j is not None:
                if not 0 <= j < len(new) or j in seen_new:
                    raise ValueError(f"change {ch.op} has a bad or repeated new index {j}")
                seen_new.add(j)
            if i is not None and j is not None:
                if old[i] == new[j]:
                    self.new_runs[j] = runs[i]  # equal, or moved unedited: runs unchanged
                    continue
                self.pair[j] = i
            if i is not None:
                self.changed_old.append(i)
        if len(seen_new) != len(new):
            raise ValueError("the changes do not cover every new paragraph")
        missing = set(range(len(old))) - seen_old
        self.changed_old.extend(sorted(missing))  # not mentioned: treat as deleted
        self.changed_old.sort()

    # ------------------------------------------------------------------ helpers

    def old_para(self, i: int) -> _Para:
        p = self.olds.get(i)
        if p is None:
            p = self.olds[i] = _Para(self.old[i], self.state.runs[i])
        return p

    def remember(self, key: str, origins: Runs) -> None:
        if not self._memory_copied:
            self.memory = dict(self.memory)
            self._memory_copied = True
        if key in self.memory:
            self.memory[key] = self.memory.pop(key)  # keep the older origins, refresh the age
        else:
            self.memory[key] = origins

    def recall(self, ctoks: Sequence[str]) -> list[int] | None:
        runs = self.memory.get(_key(ctoks))
        if runs is None or sum(n for n, _ in runs) != len(ctoks):
            return None
        out: list[int] = []
        for n, v in runs:
            out += [v] * n
        return out

    # ------------------------------------------------------------------ passes

    def run(self) -> tuple[State, list[Runs]]:
        todo = [j for j, r in enumerate(self.new_runs) if r is None]
        if todo:
            old_by_text = {text: i for i, text in enumerate(self.old)}
            for j in todo:
                i = old_by_text.get(self.new[j])
                if i is not None:  # a copy of a whole paragraph of the previous version
                    self.new_runs[j] = self.state.runs[i]
                    continue
                p = _Para(self.new[j])
                found = self.recall(p.ctoks) if p.ctoks else None
                if found is not None:  # a paragraph put back
                    p.origins = found
                else:
                    self.paras[j] = p
                self.new_runs[j] = p.runs(self.version) if found is not None else None
        for i in self.changed_old:
            self.old_para(i)
        if self.paras:
            self.match_sentences()
            self.diff_leftovers(self.pair.items())
            self.match_moves()
            self.diff_leftovers((j, i) for j, olds in self.sources.items() for i in sorted(olds))
            self.match_copies()
            for j, p in self.paras.items():
                self.new_runs[j] = p.runs(self.version)
        self.forget_removed()
        new_state = State(
            version=self.version,
            chars=sum(map(len, self.new)),
            runs=self.new_runs,  # type: ignore[arg-type]  # every entry is set by now
            memory=self.memory,
        )
        return new_state, list(new_state.runs)

    def match_sentences(self) -> None:
        """Whole sentences found unchanged: in the paired paragraph, elsewhere, in the memory."""
        index: dict[str, list[tuple[int, int, int]]] = {}
        for i in self.changed_old:
            op = self.olds[i]
            for a, b in op.sentences:
                index.setdefault(_key(op.ctoks[a:b]), []).append((i, a, b))

        def take(j: int, a: int, b: int, found: list[tuple[int, int, int]], anywhere: bool):
            p = self.paras[j]
            for i, oa, ob in found:
                if not anywhere and i != self.pair.get(j):
                    continue
                op = self.olds[i]
                if ob - oa != b - a or any(op.taken[oa:ob]) or op.ctoks[oa:ob] != p.ctoks[a:b]:
                    continue
                p.origins[a:b] = op.origins[oa:ob]
                op.taken[oa:ob] = [True] * (ob - oa)
                if i != self.pair.get(j):
                    self.sources.setdefault(j, set()).add(i)
                return True
            return False

        pending: list[tuple[int, int, int, str]] = []
        for j, p in self.paras.items():
            for a, b in p.sentences:
                key = _key(p.ctoks[a:b])
                found = index.get(key)
                if found and j in self.pair and take(j, a, b, found, anywhere=False):
                    continue
                pending.append((j, a, b, key))
        for j, a, b, key in pending:
            p = self.paras[j]
            if p.word_count(a, b) < MIN_SENTENCE_WORDS:
                continue
            found = index.get(key)
            if found and take(j, a, b, found, anywhere=True):
                continue
            origins = self.recall(p.ctoks[a:b])
            if origins is not None:
                p.origins[a:b] = origins

    def diff_leftovers(self, pairs: Iterable[tuple[int, int]]) -> None:
        """Edits inside sentences: diff the tokens left in new paragraph j and old paragraph i.

        Run for each paired paragraph, then again for each old paragraph a new one took
        sentences or runs from (a split or merge through a sentence leaves a word or two behind).
        """
        for j, i in pairs:
            p = self.paras.get(j)
            if p is None:
                continue
            op = self.olds[i]
            new_left = [c for c, v in enumerate(p.origins) if not v]
            old_left = [c for c, t in enumerate(op.taken) if not t]
            if not new_left or not old_left:
                continue
            a = [op.ctoks[c] for c in old_left]
            b = [p.ctoks[c] for c in new_left]
            for x, y, n in _common_blocks(a, b):
                for d in range(n):
                    oc, nc = old_left[x + d], new_left[y + d]
                    p.origins[nc] = op.origins[oc]
                    op.taken[oc] = True

    def match_moves(self) -> None:
        """Runs of words that left one changed old paragraph for another new one."""
        index: dict[str, list[tuple[int, int]]] | None = None
        for j, p in self.paras.items():
            c, n = 0, len(p.ctoks)
            while c < n:
                if p.origins[c]:
                    c += 1
                    continue
                if index is None:
                    index = {}
                    for i in self.changed_old:
                        op = self.olds[i]
                        for oc, t in enumerate(op.ctoks):
                            if not op.taken[oc]:
                                index.setdefault(t, []).append((i, oc))
                best = None
                seeds = index.get(p.ctoks[c], ())
                if len(seeds) <= _MAX_SEEDS:
                    for i, oc in seeds:
                        op = self.olds[i]
                        if op.taken[oc]:
                            continue
                        start, end, ostart = self._extend(p, c, op, oc, consumed=False)
                        words = p.word_count(start, end)
                        if best is None or words > best[0]:
                            best = (words, start, end, i, ostart)
                if best is None or best[0] < MIN_MOVE_WORDS:
                    c += 1
                    continue
                _, start, end, i, ostart = best
                op = self.olds[i]
                p.origins[start:end] = op.origins[ostart : ostart + end - start]
                op.taken[ostart : ostart + end - start] = [True] * (end - start)
                if i != self.pair.get(j):
                    self.sources.setdefault(j, set()).add(i)
                c = end

    @staticmethod
    def _extend(p: _Para, c: int, op: _Para, oc: int, consumed: bool) -> tuple[int, int, int]:
        """Grow the match of new token c with old token oc both ways over unattributed tokens
        (and, unless ``consumed``, unconsumed old ones): ``(start, end, old start)``."""
        start, ostart = c, oc
        while (
            start > 0
            and ostart > 0
            and not p.origins[start - 1]
            and (consumed or not op.taken[ostart - 1])
            and p.ctoks[start - 1] == op.ctoks[ostart - 1]
        ):
            start -= 1
            ostart -= 1
        end, oend = c + 1, oc + 1
        n, on = len(p.ctoks), len(op.ctoks)
        while (
            end < n
            and oend < on
            and not p.origins[end]
            and (consumed or not op.taken[oend])
            and p.ctoks[end] == op.ctoks[oend]
        ):
            end += 1
            oend += 1
        return start, end, ostart

    def match_copies(self) -> None:
        """Runs of :data:`MIN_COPY_WORDS` words or more copied from the previous version."""
        flat: str | None = None
        starts: list[int] = []
        for p in self.paras.values():
            for a, b in self._unattributed_stretches(p):
                if p.word_count(a, b) < MIN_COPY_WORDS:
                    continue
                if flat is None:
                    normal = [" ".join(text.split()) for text in self.old]
                    offset = 0
                    for text in normal:
                        starts.append(offset)
                        offset += len(text) + 1
                    flat = "\n".join(normal)
                self._copy_stretch(p, a, b, flat, starts)

    @staticmethod
    def _unattributed_stretches(p: _Para) -> Iterator[tuple[int, int]]:
        c, n = 0, len(p.ctoks)
        while c < n:
            if p.origins[c]:
                c += 1
                continue
            start = c
            while c < n and not p.origins[c]:
                c += 1
            yield start, c

    def _copy_stretch(self, p: _Para, a: int, b: int, flat: str, starts: list[int]) -> None:
        word_at = [c for c in range(a, b) if p.words[c]]
        k = 0
        while k + MIN_COPY_WORDS <= len(word_at):
            first, last = word_at[k], word_at[k + MIN_COPY_WORDS - 1]
            if p.origins[first]:
                k += 1
                continue
            text = "".join(p.tokens[p.pos[first] : p.pos[last] + 1])
            needle = " ".join(text.split())
            window = p.ctoks[first : last + 1]
            best = None
            at = flat.find(needle)
            hits = 0
            while at >= 0 and hits < _MAX_COPY_HITS:
                hits += 1
                i = bisect_right(starts, at) - 1
                op = self.old_para(i)
                for oc in range(len(op.ctoks) - len(window) + 1):
                    if op.ctoks[oc : oc + len(window)] == window:
                        start, end, ostart = self._extend(p, first, op, oc, consumed=True)
                        words = p.word_count(start, end)
                        if best is None or words > best[0]:
                            best = (words, start, end, op, ostart)
                        break
                at = flat.find(needle, at + 1)
            if best is None or best[0] < MIN_COPY_WORDS:
                k += 1
                continue
            _, start, end, op, ostart = best
            p.origins[start:end] = op.origins[ostart : ostart + end - start]
            while k < len(word_at) and word_at[k] < end:
                k += 1

    def forget_removed(self) -> None:
        """Put the changed old paragraphs, and their sentences that did not survive, in memory."""
        for i in self.changed_old:
            op = self.olds[i]
            if not op.ctoks:
                continue
            for a, b in op.sentences:
                if b - a == len(op.ctoks):
                    continue  # the paragraph's own entry covers it
                if all(op.taken[a:b]) or op.word_count(a, b) < MIN_SENTENCE_WORDS:
                    continue
                self.remember(_key(op.ctoks[a:b]), op.content_runs(a, b))
            self.remember(_key(op.ctoks), op.content_runs())
        excess = len(self.memory) - MEMORY_LIMIT
        if excess > 0:
            for key in list(self.memory)[:excess]:
                del self.memory[key]


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
    caller has it; when None it is computed. Returns the new state and the runs of each new
    paragraph; the inputs are not modified. Raises ValueError when the state does not match
    ``old_paragraphs`` or the version does not increase.
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
    op: str = "insert"
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
