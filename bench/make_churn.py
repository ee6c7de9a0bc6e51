"""Write a "churn history": documents whose long paragraphs change a little in every version.

Usage: python bench/make_churn.py [OUT] [--docs N] [--versions N] [--seed N]

Like a page scraped every hour whose links carry tracking tokens: each of DOCS documents (30-60 KB,
blank-line paragraphs) has LONG_PARAGRAPHS long paragraphs (posts of 250-450 words) with a link
``https://l.example.com/l.php?u=...&h=<40 characters>``; every version replaces the 40-character
token of each of them, and also makes 0-3 ordinary edits (a few words changed, a paragraph added
or removed). Posts are written from one Zipf-weighted vocabulary, so they share common words as
real prose does. The output (JSONL, gzipped when OUT ends in .gz; default bench/out/churn.jsonl.gz)
has one record per version: {"doc", "text", "committed_at", "commit", "path"}, the shape of the
corpora's history files. The same arguments always give the same bytes.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

DOCS = 7
VERSIONS = 160
LONG_PARAGRAPHS = 14
TOKEN_CHARS = 40
TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
START = datetime(2024, 1, 1, tzinfo=timezone.utc)
DEFAULT_OUT = Path(__file__).resolve().parent / "out" / "churn.jsonl.gz"


def vocabulary(rng: random.Random, size: int = 4000) -> tuple[list[str], list[float]]:
    """Pseudo-words and cumulative Zipf weights (the first words are the most common)."""
    letters = "etaoinshrdlcumwfgypbvkjxqz"
    words: list[str] = []
    seen: set[str] = set()
    while len(words) < size:
        word = "".join(rng.choice(letters[: rng.randint(8, 26)]) for _ in range(rng.randint(2, 9)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    cumulative, total = [], 0.0
    for rank in range(1, size + 1):
        total += 1 / rank
        cumulative.append(total)
    return words, cumulative


def sentence_words(rng: random.Random, vocab: tuple[list[str], list[float]], n: int) -> str:
    """n words drawn from the vocabulary, as sentences."""
    words = rng.choices(vocab[0], cum_weights=vocab[1], k=n)
    out, length = [], 0
    for word in words:
        if length == 0:
            word = word.capitalize()
        length += 1
        if length > rng.randint(8, 20):
            word += "."
            length = 0
        elif rng.random() < 0.05:
            word += ","
        out.append(word)
    return " ".join(out).rstrip(",") + "."


def token(rng: random.Random) -> str:
    """A 40-character tracking token."""
    return "".join(rng.choice(TOKEN_ALPHABET) for _ in range(TOKEN_CHARS))


class Post:
    """A long paragraph: prose with a tracked link in the middle."""

    def __init__(self, rng: random.Random, vocab: tuple[list[str], list[float]], n: int) -> None:
        self.before = sentence_words(rng, vocab, rng.randint(120, 220))
        self.after = sentence_words(rng, vocab, rng.randint(120, 220))
        self.target = f"https%3A%2F%2Fnews.example.org%2Fstory%2F{n}%3Fref%3Dfeed"
        self.token = token(rng)

    def text(self) -> str:
        """The paragraph as it reads in the current version."""
        link = f"https://l.example.com/l.php?u={self.target}&h={self.token}&s=1"
        return f"{self.before} Read more: {link} {self.after}"


def make_document(rng: random.Random, vocab: tuple[list[str], list[float]], name: str) -> list:
    """The parts of one document: short paragraphs and posts, in order."""
    parts: list = [f"# {name}", "Updates from the team, newest first."]
    size = 0
    posts = 0
    target = rng.randint(30_000, 60_000)
    while posts < LONG_PARAGRAPHS or size < target:
        if posts < LONG_PARAGRAPHS and rng.random() < 0.45:
            post = Post(rng, vocab, posts)
            parts.append(post)
            parts.append("Like · Comment · Share")  # repeated between posts, as on a real feed
            posts += 1
            size += len(post.text()) + 24
        else:
            text = sentence_words(rng, vocab, rng.randint(8, 90))
            parts.append(text)
            size += len(text) + 2
    return parts


def ordinary_edit(rng: random.Random, vocab: tuple[list[str], list[float]], parts: list) -> None:
    """Change a few words of a short paragraph, add one, or remove one (never a post)."""
    plain = [k for k, p in enumerate(parts) if isinstance(p, str) and k > 1 and "·" not in p]
    action = rng.choice(["words", "words", "add", "remove"])
    if action == "add" or not plain:
        parts.insert(rng.randint(2, len(parts)), sentence_words(rng, vocab, rng.randint(8, 60)))
    elif action == "remove" and len(plain) > 5:
        del parts[rng.choice(plain)]
    else:
        k = rng.choice(plain)
        words = parts[k].split(" ")
        for _ in range(rng.randint(1, 3)):
            words[rng.randrange(len(words))] = rng.choice(vocab[0][:800])
        parts[k] = " ".join(words)


def render(parts: list) -> str:
    """The document text: paragraphs separated by blank lines."""
    return "\n\n".join(p.text() if isinstance(p, Post) else p for p in parts) + "\n"


def records(docs: int, versions: int, seed: int):
    """Yield the history's records, version by version, documents interleaved as commits are."""
    rng = random.Random(seed)
    vocab = vocabulary(rng)
    documents = {f"feeds/page-{d:02d}.md": None for d in range(docs)}
    for name in documents:
        documents[name] = make_document(rng, vocab, name)
    for v in range(versions):
        for d, (name, parts) in enumerate(documents.items()):
            if v > 0:
                for part in parts:
                    if isinstance(part, Post):
                        part.token = token(rng)
                for _ in range(rng.randint(0, 3)):
                    ordinary_edit(rng, vocab, parts)
            moment = START + timedelta(hours=v, minutes=d)
            yield {
                "doc": name,
                "version": v + 1,
                "committed_at": moment.isoformat(),
                "commit": f"{seed:04x}{v:06x}{d:04x}",
                "path": name,
                "text": render(parts),
            }


def write_churn(
    out: Path, docs: int = DOCS, versions: int = VERSIONS, seed: int = 1
) -> tuple[int, int]:
    """Write the churn history to ``out`` (gzipped when it ends in .gz); return (versions, bytes
    of text). The same arguments always give the same bytes."""
    out.parent.mkdir(parents=True, exist_ok=True)
    count = size = 0
    with open(out, "wb") as raw:
        # no name and no time in the gzip header: the same arguments always give the same bytes
        zipped = out.suffix == ".gz"
        stream = gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) if zipped else raw
        for record in records(docs, versions, seed):
            stream.write((json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
            count += 1
            size += len(record["text"].encode("utf-8"))
        if zipped:
            stream.close()
    return count, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--docs", type=int, default=DOCS)
    parser.add_argument("--versions", type=int, default=VERSIONS)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    count, size = write_churn(args.out, args.docs, args.versions, args.seed)
    print(f"{args.out}: {count} versions, {size / 1e6:.1f} MB of text")


if __name__ == "__main__":
    main()
