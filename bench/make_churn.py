"""Write a "churn history": few large documents, each version touching many long paragraphs.

Usage: python bench/make_churn.py OUT.jsonl.gz [--documents 7] [--versions 160] [--seed 2026]

The shape of generated reports or dashboards kept under version control: every version replaces
a 40-character token (a build id, a checksum) inside each of 14 long paragraphs and makes 0-3
ordinary edits (a few words reworded, a paragraph inserted, deleted or moved). Each document is
30-60 KB. Every paragraph that holds a token is modified in every version, so recording a version
means pairing and scoring long paragraphs: the diff work, not the storing, dominates.

The output is deterministic: the same arguments give the same bytes (gzip without a timestamp).
Standard library only, so that it runs anywhere and never depends on the package it measures.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

DOCUMENTS = 7
VERSIONS = 160
SEED = 2026
#: Long paragraphs per document, each holding one token that every version replaces.
TOKEN_PARAGRAPHS = 14
TOKEN_CHARS = 40
START = datetime(2024, 1, 1, tzinfo=timezone.utc)

_SYLLABLES = (
    "ka lo mi ne ru sa to vi de fa go hu ja ke li mo nu pe qui ra si te vo wa xe yo zu".split()
)


def _vocabulary(rng: random.Random, size: int = 1500) -> list[str]:
    """Made-up words of one to four syllables, so that texts look like prose to the diff."""
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 4))))
    return sorted(words)


class _Document:
    """One document's paragraphs; ``tokens[i]`` is the token inside long paragraph ``i``."""

    def __init__(self, number: int, rng: random.Random, words: list[str]):
        self.name = f"reports/report-{number:02d}.md"
        self.rng = rng
        self.words = words
        target = rng.randint(30_000, 60_000)
        self.tokens = [self.token() for _ in range(TOKEN_PARAGRAPHS)]
        # long paragraphs: text before and after a {token} placeholder
        self.long = [
            (self.sentences(rng.randint(700, 1100)), self.sentences(rng.randint(500, 900)))
            for _ in range(TOKEN_PARAGRAPHS)
        ]
        self.ordinary: list[str] = []
        size = sum(len(a) + len(b) + TOKEN_CHARS for a, b in self.long)
        while size < target:
            paragraph = self.sentences(rng.randint(150, 700))
            self.ordinary.append(paragraph)
            size += len(paragraph) + 2
        # where each long paragraph sits among the ordinary ones (an ordinary-paragraph index)
        self.slots = sorted(rng.randrange(len(self.ordinary) + 1) for _ in range(TOKEN_PARAGRAPHS))

    def token(self) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(TOKEN_CHARS))

    def sentences(self, chars: int) -> str:
        """Sentences of made-up words, about ``chars`` characters in all."""
        out: list[str] = []
        length = 0
        while length < chars:
            count = self.rng.randint(6, 18)
            sentence = " ".join(self.rng.choice(self.words) for _ in range(count))
            sentence = sentence[0].upper() + sentence[1:] + "."
            out.append(sentence)
            length += len(sentence) + 1
        return " ".join(out)

    def text(self) -> str:
        paragraphs: list[str] = []
        slot = 0
        for index, paragraph in enumerate(self.ordinary + [None]):
            while slot < TOKEN_PARAGRAPHS and self.slots[slot] == index:
                before, after = self.long[slot]
                paragraphs.append(f"{before} Build {self.tokens[slot]} {after}")
                slot += 1
            if paragraph is not None:
                paragraphs.append(paragraph)
        return "\n\n".join(paragraphs) + "\n"

    def next_version(self) -> None:
        """Replace every token, then make 0-3 ordinary edits."""
        rng = self.rng
        self.tokens = [self.token() for _ in range(TOKEN_PARAGRAPHS)]
        for _ in range(rng.randint(0, 3)):
            kind = rng.choice(("reword", "reword", "insert", "delete", "move"))
            index = rng.randrange(len(self.ordinary))
            if kind == "reword":
                words = self.ordinary[index].split(" ")
                for _ in range(rng.randint(1, 4)):
                    words[rng.randrange(len(words))] = rng.choice(self.words)
                self.ordinary[index] = " ".join(words)
            elif kind == "insert":
                self.ordinary.insert(index, self.sentences(rng.randint(150, 500)))
                self.slots = [s + 1 if s > index else s for s in self.slots]
            elif kind == "delete" and len(self.ordinary) > 20:
                del self.ordinary[index]
                self.slots = [s - 1 if s > index else s for s in self.slots]
            elif kind == "move":
                paragraph = self.ordinary.pop(index)
                self.ordinary.insert(rng.randrange(len(self.ordinary) + 1), paragraph)


def churn_history(
    documents: int = DOCUMENTS, versions: int = VERSIONS, seed: int = SEED
) -> Iterator[dict]:
    """The records, oldest first: version 1 of every document, then version 2 of each, ..."""
    rng = random.Random(seed)
    words = _vocabulary(rng)
    docs = [_Document(n, random.Random(rng.getrandbits(64)), words) for n in range(documents)]
    for version in range(versions):
        for number, doc in enumerate(docs):
            if version:
                doc.next_version()
            moment = START + timedelta(hours=version, minutes=number)
            at = moment.isoformat().replace("+00:00", "Z")
            yield {"doc": doc.name, "text": doc.text(), "at": at}


def write_churn(
    path: str | Path, documents: int = DOCUMENTS, versions: int = VERSIONS, seed: int = SEED
) -> int:
    """Write the churn history as gzipped JSONL (no name or time in the gzip header); the count."""
    count = 0
    with (
        open(path, "wb") as raw,
        gzip.GzipFile(filename="", fileobj=raw, mode="wb", compresslevel=6, mtime=0) as out,
    ):
        for record in churn_history(documents, versions, seed):
            out.write(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")
            count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="where to write the history (.jsonl.gz)")
    parser.add_argument("--documents", type=int, default=DOCUMENTS)
    parser.add_argument("--versions", type=int, default=VERSIONS)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    count = write_churn(args.out, args.documents, args.versions, args.seed)
    print(f"{count} records written to {args.out}")


if __name__ == "__main__":
    main()
