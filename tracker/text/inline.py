"""Word and character diffs inside one paragraph, with diff-match-patch.

Word granularity follows diff-match-patch's documented line mode: every distinct token (a word, a
run of whitespace, a punctuation mark) is mapped to one character, the character strings are
diffed, and the result is mapped back; tiny unchanged islands between changes are then folded in
so the highlights read naturally. Character granularity uses diff-match-patch's semantic cleanup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from diff_match_patch import diff_match_patch

#: Seconds diff-match-patch may spend on one inline diff before settling for a coarser result.
INLINE_TIMEOUT = 1.0

#: Word granularity folds an unchanged island of at most this many characters without any word
#: characters (spaces, punctuation) into the changes on both sides, so highlights read naturally.
ISLAND_MAX_PUNCT = 3

GRANULARITIES = ("word", "char")

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")

#: A word: a run of letters, digits and underscores (what paragraph similarity counts).
WORD = re.compile(r"\w+")

_dmps: dict[float, diff_match_patch] = {}


def _dmp(timeout: float) -> diff_match_patch:
    """A diff-match-patch instance that gives up refining after ``timeout`` seconds."""
    dmp = _dmps.get(timeout)
    if dmp is None:
        dmp = _dmps[timeout] = diff_match_patch()
        dmp.Diff_Timeout = timeout
    return dmp


_CODE_LIMIT = 0x10FFFF - 0x800  # distinct characters available outside the surrogate block


def _code(n: int) -> str:
    """The n-th character usable to stand for a token (n >= 1), skipping surrogates."""
    n = 1 + (n - 1) % _CODE_LIMIT
    return chr(n if n < 0xD800 else n + 0x800)


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
    words = len(WORD.findall(island))
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


def _word_diff(a: str, b: str, timeout: float) -> list[tuple[str, str]]:
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
        return _char_diff(a, b, timeout)
    decode = {c: tok for tok, c in table.items()}
    diffs = _dmp(timeout).diff_main(ea, eb, False)
    return [(_DMP_OPS[op], "".join(decode[c] for c in s)) for op, s in diffs]


def _char_diff(a: str, b: str, timeout: float) -> list[tuple[str, str]]:
    """Character diff with diff-match-patch's semantic cleanup (human-readable boundaries)."""
    dmp = _dmp(timeout)
    diffs = dmp.diff_main(a, b, False)
    dmp.diff_cleanupSemantic(diffs)
    return [(_DMP_OPS[op], s) for op, s in diffs]


def inline_diff(
    a: str, b: str, granularity: str = "word", *, timeout: float = INLINE_TIMEOUT
) -> list[tuple[str, str]]:
    """Diff two paragraph texts into ("=" | "-" | "+", text) parts; "="+"-" give a, "="+"+" b.

    ``timeout`` bounds diff-match-patch's refinement: past it the result is coarser, never wrong.
    """
    if granularity not in GRANULARITIES:
        raise ValueError(f"unknown granularity {granularity!r}; use one of {GRANULARITIES}")
    if a == b:
        return _normalize([("=", a)])
    if granularity == "char":
        return _normalize(_char_diff(a, b, timeout))
    return _absorb_islands(_normalize(_word_diff(a, b, timeout)))


# --------------------------------------------------------------------------- similarity
