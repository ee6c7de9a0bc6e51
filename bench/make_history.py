"""Write a large, deterministic history of text documents in tracker's import format.

Usage:

    python bench/make_history.py --versions 200000 --documents 2000 --seed 1 -o history.jsonl.gz

The same arguments always give the same bytes. Each line is one import record
(``{"doc", "text", "at", "deleted", "note"}``, or a rename ``{"doc", "renamed_from", "at"}``), in
time order, so `tracker import FILE` replays it. ``--versions`` counts versions (new texts and
deletions); renames are extra records. The output is gzipped when its name ends in ``.gz``.

What is in it:

- ``--documents`` documents, each created with a few KB of text (4-20 KB, about 12 KB on
  average): a title line, paragraphs of prose in made-up words (a fixed vocabulary whose word
  frequencies follow Zipf's law, as natural text does, with a few accented words), and sometimes
  one or two boilerplate paragraphs shared with other documents. The first ``--documents``
  versions create them, the rest edit them.
- Every later version edits one document (a few documents are edited much more than the rest)
  with one to six operations: words changed in a paragraph, a sentence added or dropped, a
  paragraph inserted, deleted, moved or rewritten. A document that grew too large sheds
  paragraphs and a small one gains them, so versions stay about 12 KB on average.
- Now and then a document is renamed (a rename record, then its next edit under the new name),
  deleted (a deletion record), or brought back after a deletion.
- Times start on 2015-01-01 and advance by 1 second to 30 minutes per record.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO

VOCABULARY_SIZE = 20_000
ZIPF_EXPONENT = 1.05
#: Documents are created with this many bytes of text, uniformly...
CREATED_BYTES = (4_000, 20_000)
#: ... and nudged back towards this range when edits make them larger or smaller.
KEPT_BYTES = (5_000, 15_000)
SHARED_PARAGRAPHS = 40
HOT_SHARE = 0.3  # of the edits go to ...
HOT_DOCUMENTS = 0.05  # ... this share of the documents
P_RENAME = 0.002
P_DELETE = 0.002
P_RESTORE = 0.006  # per version, while some document is deleted: bring one back
START = datetime(2015, 1, 1, tzinfo=timezone.utc)
FOLDERS = ("policies", "guides", "notes", "specs", "minutes", "legal/terms", "legal/privacy")

_ONSETS = "b c d f g h j k l m n p r s t v w z br ch cl dr fl gr pl pr sh st th tr".split()
_VOWELS = "a e i o u a e i o ai ea ou io".split()
_CODAS = ["", "", "", "n", "r", "s", "l", "t", "nd", "st", "ng", "rk"]
_ACCENTED = {"a": "á", "e": "é", "o": "ö", "u": "ü", "i": "í"}


def vocabulary(seed: int = 0) -> list[str]:
    """The made-up words, most frequent first (short words first, as in natural text)."""
    rng = random.Random(f"vocabulary-{seed}")
    words: list[str] = []
    seen: set[str] = set()
    while len(words) < VOCABULARY_SIZE:
        syllables = 1 + min(3, int(rng.expovariate(1.5) * (1 + len(words) / 10_000)))
        word = "".join(
            rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(syllables)
        )
        if rng.random() < 0.01:
            word = "".join(_ACCENTED.get(c, c) if rng.random() < 0.3 else c for c in word)
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


class Writer:
    """Makes up text: sentences and paragraphs from the Zipf-distributed vocabulary."""

    def __init__(self, rng: random.Random, words: list[str]):
        self.rng = rng
        self.words = words
        total, cumulative = 0.0, []
        for rank in range(len(words)):
            total += 1.0 / (rank + 2.7) ** ZIPF_EXPONENT
            cumulative.append(total)
        self.cumulative = cumulative

    def pick(self, count: int) -> list[str]:
        """``count`` words drawn by frequency."""
        return self.rng.choices(self.words, cum_weights=self.cumulative, k=count)

    def sentence(self) -> str:
        words = self.pick(self.rng.randint(6, 22))
        words[0] = words[0].capitalize()
        if self.rng.random() < 0.15:
            words.insert(self.rng.randint(1, len(words)), "—")
        if self.rng.random() < 0.2:
            at = self.rng.randint(1, len(words) - 1)
            words[at] += ","
        return " ".join(words) + ("?" if self.rng.random() < 0.05 else ".")

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(2, 6)))

    def title(self) -> str:
        return "# " + " ".join(w.capitalize() for w in self.pick(self.rng.randint(2, 6)))


class Document:
    """One document being edited: its name and its paragraphs (the first is its title)."""

    def __init__(self, name: str, paragraphs: list[str]):
        self.name = name
        self.paragraphs = paragraphs
        self.deleted = False
        self.last = ""  # the text of its last version

    def text(self) -> str:
        return "\n\n".join(self.paragraphs) + "\n"

    def size(self) -> int:
        return sum(len(p) + 2 for p in self.paragraphs)


class Generator:
    """The history, record by record."""

    def __init__(self, versions: int, documents: int, seed: int):
        self.rng = random.Random(seed)
        self.writer = Writer(self.rng, vocabulary(seed))
        self.versions = versions
        self.count = documents
        self.shared = [self.writer.paragraph() for _ in range(SHARED_PARAGRAPHS)]
        self.docs: list[Document] = []
        self.names: set[str] = set()
        self.moment = START

    def name(self) -> str:
        """A new document name, never used before."""
        while True:
            folder = self.rng.choice(FOLDERS)
            slug = "-".join(self.writer.pick(self.rng.randint(1, 3)))
            name = f"{folder}/{slug}.md"
            if name not in self.names:
                self.names.add(name)
                return name

    def new_text(self) -> list[str]:
        target = self.rng.randint(*CREATED_BYTES)
        paragraphs = [self.writer.title()]
        size = len(paragraphs[0])
        while size < target:
            if self.rng.random() < 0.04:
                paragraphs.append(self.rng.choice(self.shared))
            else:
                paragraphs.append(self.writer.paragraph())
            size += len(paragraphs[-1]) + 2
        return paragraphs

    def at(self) -> str:
        self.moment += timedelta(seconds=self.rng.randint(1, 1800))
        return self.moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    def pick_document(self) -> Document:
        live = self.docs
        if self.rng.random() < HOT_SHARE:
            live = self.docs[: max(1, int(len(self.docs) * HOT_DOCUMENTS))]
        for _ in range(20):
            doc = self.rng.choice(live)
            if not doc.deleted:
                return doc
        return self.rng.choice([doc for doc in self.docs if not doc.deleted])

    def edit(self, doc: Document) -> None:
        """One to six edits of a document's paragraphs, in place; at least one changes its text."""
        while True:
            self.edit_once(doc)
            if doc.text() != doc.last:
                return

    def edit_once(self, doc: Document) -> None:
        """One to six edits of a document's paragraphs, in place."""
        rng, paragraphs = self.rng, doc.paragraphs
        for _ in range(min(6, 1 + int(rng.expovariate(1.2)))):
            size = doc.size()
            grow = 0.25 if size < KEPT_BYTES[0] else 0.02 if size > KEPT_BYTES[1] else 0.12
            shrink = 0.25 if size > KEPT_BYTES[1] else 0.02 if size < KEPT_BYTES[0] else 0.10
            roll = rng.random()
            body = len(paragraphs) - 1
            if roll < grow or body < 2:
                paragraphs.insert(rng.randint(1, len(paragraphs)), self.writer.paragraph())
            elif roll < grow + shrink:
                del paragraphs[rng.randint(1, body)]
            elif roll < grow + shrink + 0.08:
                moved = paragraphs.pop(rng.randint(1, body))
                paragraphs.insert(rng.randint(1, body), moved)
            elif roll < grow + shrink + 0.14:
                paragraphs[rng.randint(1, body)] = self.writer.paragraph()
            else:
                at = rng.randint(1, body)
                paragraphs[at] = self.touch(paragraphs[at])

    def touch(self, paragraph: str) -> str:
        """A paragraph with a few words changed, or a sentence added or dropped."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.2:
            return paragraph + " " + self.writer.sentence()
        sentences = paragraph.split(". ")
        if roll < 0.3 and len(sentences) > 2:
            del sentences[rng.randrange(len(sentences))]
            return ". ".join(sentences)
        words = paragraph.split(" ")
        for _ in range(rng.randint(1, 3)):
            words[rng.randrange(len(words))] = self.writer.pick(1)[0]
        return " ".join(words)

    def records(self) -> Iterator[dict]:
        """Every record, in time order."""
        rng = self.rng
        deleted: list[Document] = []
        for number in range(self.versions):
            if number < self.count:
                doc = Document(self.name(), self.new_text())
                self.docs.append(doc)
                yield version(doc, self.at())
                continue
            if deleted and rng.random() < P_RESTORE:
                doc = deleted.pop(rng.randrange(len(deleted)))
                doc.deleted = False
                if rng.random() < 0.5:
                    doc.paragraphs = self.new_text()
                else:
                    self.edit(doc)
                yield version(doc, self.at(), note="restored")
                continue
            doc = self.pick_document()
            roll = rng.random()
            if roll < P_DELETE and len(deleted) < len(self.docs) // 10:
                doc.deleted = True
                deleted.append(doc)
                yield {
                    "doc": doc.name,
                    "text": None,
                    "at": self.at(),
                    "deleted": True,
                    "note": None,
                }
                continue
            if roll < P_DELETE + P_RENAME:
                old, doc.name = doc.name, self.name()
                yield {"doc": doc.name, "renamed_from": old, "at": self.at()}
            self.edit(doc)
            note = f"edit {number}" if rng.random() < 0.1 else None
            yield version(doc, self.at(), note=note)


def version(doc: Document, at: str, note: str | None = None) -> dict:
    """A version record of a document's present text."""
    doc.last = doc.text()
    return {"doc": doc.name, "text": doc.last, "at": at, "deleted": False, "note": note}


def write(records: Iterator[dict], out: IO[bytes]) -> tuple[int, int]:
    """Write records as JSONL; return (records, bytes of text)."""
    count = text_bytes = 0
    for record in records:
        line = json.dumps(record, ensure_ascii=False, separators=(", ", ": ")) + "\n"
        out.write(line.encode("utf-8"))
        count += 1
        text_bytes += len(record["text"].encode("utf-8")) if record.get("text") else 0
    return count, text_bytes


def make_history(path: Path, versions: int, documents: int, seed: int) -> tuple[int, int]:
    """Write the history to ``path`` (gzipped for ``.gz``), replacing it whole; return (records,
    bytes of text)."""
    partial = path.with_name(path.name + ".partial")
    records = Generator(versions, documents, seed).records()
    if path.suffix == ".gz":
        with gzip.open(partial, "wb", compresslevel=1) as out:
            result = write(records, out)
    else:
        with open(partial, "wb") as out:
            result = write(records, out)
    partial.replace(path)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--versions", type=int, default=20_000, help="versions to write")
    parser.add_argument("--documents", type=int, default=2_000, help="documents to create")
    parser.add_argument("--seed", type=int, default=1, help="random seed")
    parser.add_argument("-o", "--output", type=Path, required=True, help="file (.gz: gzipped)")
    args = parser.parse_args(argv)
    if args.versions < 1 or args.documents < 1:
        parser.error("--versions and --documents must be at least 1")
    records, text_bytes = make_history(args.output, args.versions, args.documents, args.seed)
    print(
        f"{args.output}: {records:,} records, {args.versions:,} versions,"
        f" {text_bytes / args.versions / 1000:.1f} KB of text per version",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
