"""Tokens and runs: how a paragraph is cut into tokens, and how its tokens' origins are kept.

:func:`tokenize` cuts a paragraph into words (``\\w+``), runs of whitespace and single
punctuation marks (the word diff's tokens); joining them gives the paragraph back. A paragraph's
*runs* are ``[[count, version], ...]``: its tokens' origins, whitespace included, run-length
encoded (neighbouring runs have different versions, counts are positive, and the counts add up to
the paragraph's token count; see :func:`runs_to_tokens`). Within one version, paragraphs with the
same text have the same runs.

Besides that public format, the arithmetic the attribution step does on it: character classes,
which count a text's tokens and words at C speed without tokenizing it, and slicing, joining and
run-length encoding runs.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from itertools import accumulate, compress
from operator import itemgetter, ne
from typing import Any

#: The token pattern of the word diff: a word, a run of whitespace, or one other character.
TOKEN = re.compile(r"\w+|\s+|[^\w\s]")

#: Runs of one paragraph: ``[[count, version], ...]`` over its tokens.
Runs = list[list[int]]

_G0 = itemgetter(0)


# --------------------------------------------------------------------------- tokens


def tokenize(text: str) -> list[str]:
    """Cut text into words, whitespace runs and punctuation marks; ``"".join`` gives it back."""
    return TOKEN.findall(text)


def count_tokens(text: str) -> int:
    """``len(tokenize(text))`` without building the tokens (several times faster)."""
    return count_range(char_classes(text), 0, len(text))[0]


def _ascii_classes() -> dict[int, str]:
    table = {}
    for code in range(128):
        c = chr(code)
        table[code] = "w" if c.isalnum() or c == "_" else "s" if c.isspace() else "p"
    return table


_CLASSES = str.maketrans(_ascii_classes())
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _class_of(match: re.Match[str]) -> str:
    c = match.group()
    return "w" if c.isalnum() or c == "_" else "s" if c.isspace() else "p"


def char_classes(text: str) -> str:
    """One letter per character of ``text``: ``w`` (``\\w``), ``s`` (``\\s``) or ``p`` (other)."""
    k = text.translate(_CLASSES)
    return k if k.isascii() else _NON_ASCII.sub(_class_of, k)


def count_range(k: str, a: int, b: int) -> tuple[int, int]:
    """Tokens and words of ``text[a:b]``, from its class string ``k`` (C-speed counting)."""
    if a >= b:
        return 0, 0
    first = k[a]
    words = k.count("sw", a, b) + k.count("pw", a, b) + (first == "w")
    spaces = k.count("ws", a, b) + k.count("ps", a, b) + (first == "s")
    return words + spaces + k.count("p", a, b), words


# --------------------------------------------------------------------------- runs


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


# --------------------------------------------------------------------------- runs arithmetic


def slice_runs(runs: Runs, start: int, end: int, ends: list[int] | None = None) -> Runs:
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


def join_runs(parts: Iterable[Runs]) -> Runs:
    """Concatenate runs lists into one compact new list (the parts are not modified)."""
    out: Runs = []
    for part in parts:
        for n, v in part:
            if out and out[-1][1] == v:
                out[-1][0] += n
            else:
                out.append([n, v])
    return out


def expand_runs(runs: Runs, count: int) -> list[int]:
    """One origin per token, checking only that the runs cover ``count`` tokens (the state's
    runs were checked when loaded; this guards against runs of another text)."""
    if sum(map(_G0, runs)) != count:
        raise ValueError(f"runs cover {sum(map(_G0, runs))} tokens, the text has {count}")
    out: list[int] = []
    for n, v in runs:
        out += [v] * n
    return out


def with_ends(core: Runs, lead: int, trail: int) -> Runs:
    """Runs of a text's core tokens with ``lead``/``trail`` whitespace tokens added at the ends
    (they take the origin of the word next to them)."""
    out = [[n, v] for n, v in core]
    out[0][0] += lead
    out[-1][0] += trail
    return out


def rle(values: Sequence[int], spaces: Sequence[int] | None = None, unknown: int = 0) -> Runs:
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
