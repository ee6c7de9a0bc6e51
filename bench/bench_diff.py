"""Time tracker.diff.diff_paragraphs on a generated ~1 MB, 2,000-paragraph document.

Cases: 1% of paragraphs edited plus 3 moved (target: under 50 ms), every paragraph edited a
little, and every paragraph replaced by unrelated text (targets: under 2 s). Run it with
``.venv/bin/python bench/bench_diff.py``; it prints the best of several runs per case.
"""

from __future__ import annotations

import itertools
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker.text.diff import diff_paragraphs, stats  # noqa: E402

PARAGRAPHS = 2000
PARAGRAPH_CHARS = 500  # 2,000 x ~500 characters: about 1 MB
RUNS = 5


def make_vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    """Pseudo-words of 2-10 letters; Zipf-like weights come from their rank in the list."""
    letters = "etaoinshrdlcumwfgypbvkjxqz"
    words = set()
    while len(words) < size:
        n = rng.randint(2, 10)
        words.add("".join(rng.choice(letters[: rng.randint(8, 26)]) for _ in range(n)))
    return sorted(words, key=lambda w: (len(w), w))


def paragraph(rng: random.Random, vocab: list[str], cum_weights: list[float]) -> str:
    """One generated paragraph of about PARAGRAPH_CHARS characters, with sentences."""
    out: list[str] = []
    length = 0
    sentence = 0
    draws = iter(rng.choices(vocab, cum_weights=cum_weights, k=PARAGRAPH_CHARS))
    while length < PARAGRAPH_CHARS:
        word = next(draws)
        if sentence == 0:
            word = word.capitalize()
        sentence += 1
        if sentence > rng.randint(8, 20):
            word += rng.choice(".;.!?")
            sentence = 0
        elif rng.random() < 0.06:
            word += ","
        out.append(word)
        length += len(word) + 1
    return " ".join(out).rstrip(",;") + "."


def edit(rng: random.Random, text: str, vocab: list[str]) -> str:
    """Change a few words of a paragraph (a typical small edit)."""
    words = text.split(" ")
    for _ in range(rng.randint(1, 4)):
        k = rng.randrange(len(words))
        words[k] = rng.choice(vocab)
    return " ".join(words)


def best_time(old: list[str], new: list[str]) -> tuple[float, dict[str, int]]:
    """Best wall time of RUNS calls to diff_paragraphs, with the stats of the result."""
    best = float("inf")
    result: dict[str, int] = {}
    for _ in range(RUNS):
        start = time.perf_counter()
        changes = diff_paragraphs(old, new)
        best = min(best, time.perf_counter() - start)
        result = stats(changes)
    return best, result


def main() -> None:
    """Build the document and its variants, time each diff and print the results."""
    rng = random.Random(20240601)
    vocab = make_vocabulary(rng)
    weights = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(vocab))))
    rng.shuffle(vocab)  # so frequent words are not all the short ones
    old = [paragraph(rng, vocab, weights) for _ in range(PARAGRAPHS)]
    size = sum(len(p) + 2 for p in old)

    small = list(old)
    for k in rng.sample(range(PARAGRAPHS), PARAGRAPHS // 100):
        small[k] = edit(rng, small[k], vocab)
    for _ in range(3):
        src = rng.randrange(len(small))
        moved = small.pop(src)
        small.insert(rng.randrange(len(small) + 1), moved)

    edited_all = [edit(rng, p, vocab) for p in old]
    replaced_all = [paragraph(rng, vocab, weights) for _ in range(PARAGRAPHS)]

    print(f"document: {PARAGRAPHS} paragraphs, {size / 1e6:.2f} MB; best of {RUNS} runs")
    cases = [
        ("1% edited + 3 moved", small, 0.050),
        ("every paragraph edited", edited_all, 2.0),
        ("every paragraph replaced", replaced_all, 2.0),
        ("identical", list(old), 0.050),
    ]
    for name, new, target in cases:
        seconds, result = best_time(old, new)
        verdict = "ok" if seconds < target else "SLOW"
        print(f"{name:26s} {seconds * 1000:9.1f} ms  (target {target * 1000:.0f} ms, {verdict})")
        print(f"{'':26s} {result}")


if __name__ == "__main__":
    main()
