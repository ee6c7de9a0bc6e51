"""Check that the fast similarity scoring pairs paragraphs as the diff-match-patch scoring did.

Usage: python bench/check_pairings.py [--corpora DIR] [--show N] [HISTORY ...]

Diffs every consecutive pair of text versions of every document twice, as the tracker does when it
records them (``inline=False``, paragraphs split in the mode chosen at the document's first
version): once with the engine as it is, and once with its similarity score replaced by a frozen
copy of the scoring it had before (word codes diffed by diff-match-patch, shared-word bound and
all). Everything else is the same code, so any difference in the (op, old, new) lists comes from
the scores. HISTORY files are JSONL histories (gzipped or not); by default the python-peps and
github-site-policy corpora, found in a shared/corpora folder above this checkout. Prints, per
history, how many version pairs and changes differ, and the first N differences with both scores.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from diff_match_patch import diff_match_patch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker.text import paragraphs as para  # noqa: E402
from tracker.text import similarity  # noqa: E402
from tracker.text.diff import diff_paragraphs  # noqa: E402
from tracker.text.inline import WORD  # noqa: E402

CORPORA = ("python-peps", "github-site-policy")
OLD_SCORE_TIMEOUT = 0.1  # the old SCORE_TIMEOUT


def find_corpora() -> Path:
    """The nearest shared/corpora folder above this checkout."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "corpora"
        if candidate.is_dir():
            return candidate
    raise SystemExit("no shared/corpora folder found above this checkout; pass --corpora")


# --------------------------------------------------------------------------- the old scoring


class OldWords:
    """Frozen copy of the old word data: counts, and the words encoded as one character each."""

    def __init__(self, text: str, table: dict[str, str]) -> None:
        words = WORD.findall(text)
        counts = Counter(words)
        for w in counts:
            if w not in table:
                n = len(table) + 1  # the old _code(n), below the surrogate block or past it
                table[w] = chr(n if n < 0xD800 else n + 0x800)
        self.size = len(words)
        self.counts = counts
        self.chars = "".join(map(table.__getitem__, words))
        self.bare = "" if words else "".join(text.split())
        self.folded = " ".join(words).casefold()


def old_score(self: similarity.Similarity, i: int, j: int, threshold: float) -> float:
    """Frozen copy of Similarity.score before rapidfuzz: diff-match-patch on word codes. The
    rule added since, that paragraphs differing only in case score 1.0, is applied to both
    scorings, so that a difference still comes from the engine alone."""
    ratio = _old_ratio(self, i, j, threshold)
    a, b = self._old_state["old"][i], self._old_state["new"][j]
    if ratio < threshold and a.size == b.size > 0 and a.folded == b.folded:
        return 1.0
    return ratio


def _old_ratio(self: similarity.Similarity, i: int, j: int, threshold: float) -> float:
    state = self.__dict__.setdefault("_old_state", {"table": {}, "old": {}, "new": {}})
    if i not in state["old"]:
        state["old"][i] = OldWords(self.old[i], state["table"])
    if j not in state["new"]:
        state["new"][j] = OldWords(self.new[j], state["table"])
    a, b = state["old"][i], state["new"][j]
    la, lb = a.size, b.size
    if la + lb == 0:
        return 1.0 if a.bare == b.bare else 0.0
    if 2 * min(la, lb) < threshold * (la + lb):
        return 0.0
    ca, cb = a.counts, b.counts
    common = 0
    for w in ca.keys() & cb.keys():
        n, m = ca[w], cb[w]
        common += n if n < m else m
    if 2 * common < threshold * (la + lb):
        return 0.0
    dmp = diff_match_patch()
    dmp.Diff_Timeout = OLD_SCORE_TIMEOUT
    diffs = dmp.diff_main(a.chars, b.chars, False)
    same = sum(len(text) for op, text in diffs if op == 0)
    return 2 * same / (la + lb)


# --------------------------------------------------------------------------- the comparison


def version_pairs(history: Path) -> Iterator[tuple[str, int, list[str], list[str]]]:
    """(doc, version, old paragraphs, new paragraphs) for consecutive text versions of each doc."""
    opener = gzip.open if history.suffix == ".gz" else open
    last: dict[str, list[str]] = {}
    modes: dict[str, str] = {}
    with opener(history, "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            record = json.loads(line)
            doc, text = record["doc"], record.get("text")
            if text is None:  # a deletion: a re-added document is compared with its last text
                continue
            mode = modes.setdefault(doc, para.choose_mode(text))
            paragraphs = para.split(text, mode).paragraphs
            if doc in last:
                yield doc, record.get("version", number), last[doc], paragraphs
            last[doc] = paragraphs


def shape(changes: list) -> list[tuple[str, int | None, int | None]]:
    return [(c.op, c.old, c.new) for c in changes]


def check(history: Path, show: int) -> dict[str, float]:
    """Compare both scorings over one history; print the first differences."""
    pairs = differing = changes_differing = 0
    new_time = old_time = 0.0
    fast_score = similarity.Similarity.score
    for doc, version, old, new in version_pairs(history):
        pairs += 1
        started = time.perf_counter()
        now = diff_paragraphs(old, new, inline=False)
        new_time += time.perf_counter() - started
        similarity.Similarity.score = old_score
        try:
            started = time.perf_counter()
            before = diff_paragraphs(old, new, inline=False)
            old_time += time.perf_counter() - started
        finally:
            similarity.Similarity.score = fast_score
        if shape(now) == shape(before):
            continue
        differing += 1
        gone = set(shape(before)) - set(shape(now))
        came = set(shape(now)) - set(shape(before))
        changes_differing += max(len(gone), len(came))
        if differing <= show:
            print(f"  {doc} v{version}: before {sorted(gone, key=str)} now {sorted(came, key=str)}")
            sim = similarity.Similarity(old, new)
            for op, i, j in sorted(gone | came, key=str):
                if i is not None and j is not None and op != "equal":
                    fast = fast_score(sim, i, j, 0.0)
                    slow = old_score(sim, i, j, 0.0)
                    print(f"    old {i} / new {j}: score now {fast:.4f}, before {slow:.4f}")
    return {
        "pairs": pairs,
        "differing": differing,
        "changes": changes_differing,
        "new_s": new_time,
        "old_s": old_time,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("histories", nargs="*", type=Path)
    parser.add_argument("--corpora", type=Path)
    parser.add_argument("--show", type=int, default=20, help="differences to print per history")
    args = parser.parse_args()
    histories = args.histories
    if not histories:
        corpora = args.corpora or find_corpora()
        histories = [corpora / name / "history.jsonl.gz" for name in CORPORA]
    total = 0
    for history in histories:
        print(f"{history}:")
        r = check(history, args.show)
        total += r["differing"]
        print(
            f"  {r['pairs']:,} version pairs, {r['differing']} with different pairings"
            f" ({r['changes']} changes); diffing took {r['new_s']:.1f} s now,"
            f" {r['old_s']:.1f} s with the old scoring"
        )
    print(f"version pairs with different pairings, all histories: {total}")


if __name__ == "__main__":
    main()
