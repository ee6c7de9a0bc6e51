"""Time change classification (tracker.text.classes) on real edits: consecutive PEP versions.

Usage: python bench/bench_classes.py [HISTORY]  (default: python-peps under ../shared/corpora)

Replays the history the way ``tracker import`` does (paragraphs split in the mode chosen for a
document's first version, each version diffed against the one before, ``inline=False``), keeps
every edited pair (modify, edited move), then classifies them all, with and without an ignore
pattern, best of several runs. Classification runs at record time on each of those pairs, so its
total is compared with the time the split and the diff take over the same history (target: at
most 10% of an import, which does more than split and diff).
"""

from __future__ import annotations

import gzip
import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker.text import classes, normalise  # noqa: E402
from tracker.text.diff import diff_paragraphs  # noqa: E402
from tracker.text.paragraphs import choose_mode, split  # noqa: E402

DEFAULT = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "python-peps"
RUNS = 5
PATTERN = r"[?&]h=[A-Za-z0-9_-]+"


def edited_pairs(history: Path) -> tuple[list[tuple[str, str]], float]:
    """The (old, new) texts of every edited paragraph in the history; and split + diff seconds."""
    modes: dict[str, str] = {}
    previous: dict[str, list[str]] = {}
    pairs: list[tuple[str, str]] = []
    spent = 0.0
    with gzip.open(history, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            doc, text = record["doc"], record["text"]
            started = time.perf_counter()
            mode = modes.setdefault(doc, choose_mode(text))
            paragraphs = split(text, mode).paragraphs
            old = previous.get(doc)
            if old is not None and old != paragraphs:
                for c in diff_paragraphs(old, paragraphs, inline=False):
                    if c.edited:
                        assert c.old_text is not None and c.new_text is not None
                        pairs.append((c.old_text, c.new_text))
            spent += time.perf_counter() - started
            previous[doc] = paragraphs
    return pairs, spent


def best_time(pairs: list[tuple[str, str]], patterns: list[str]) -> tuple[float, Counter[str]]:
    """Best wall time of RUNS classifications of all pairs, and the classes found."""
    compiled = classes.compile_patterns(patterns)
    times = []
    found: Counter[str] = Counter()
    for _ in range(RUNS):
        started = time.perf_counter()
        found = Counter(classes.classify(a, b, compiled) for a, b in pairs)
        times.append(time.perf_counter() - started)
    return min(times), found


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    history = path / "history.jsonl.gz" if path.is_dir() else path
    started = time.perf_counter()
    normalise.tables()
    tables = time.perf_counter() - started
    pairs, spent = edited_pairs(history)
    chars = sum(len(a) + len(b) for a, b in pairs) / 2 / len(pairs)
    print(f"{history}: {len(pairs):,} edited paragraphs, {chars:.0f} characters on average")
    print(f"split + diff of the whole history: {spent:.2f} s")
    print(f"character tables, built once per process: {tables * 1000:.0f} ms")
    for label, patterns in (("no pattern", []), ("one pattern", [PATTERN])):
        seconds, found = best_time(pairs, patterns)
        print(
            f"classify, {label}: {seconds * 1000:.0f} ms, {len(pairs) / seconds:,.0f} pairs/s, "
            f"{seconds / len(pairs) * 1e6:.1f} us/pair, {seconds / spent:.1%} of split + diff"
        )
        print("  " + ", ".join(f"{name} {n}" for name, n in found.most_common()))


if __name__ == "__main__":
    main()
