"""Micro-benchmark of word-level provenance: the cost of attributing each version as it is recorded.

Usage: python bench/bench_provenance.py [HISTORY_JSONL_GZ] [--no-import]

Times `provenance.step` (with the paragraph diff passed in, as a store would when recording)
over three histories, and prints ms per version and the bytes of compact JSON a store would keep:

1. the most-edited document of python-peps (default ../shared/corpora/python-peps);
2. every document of that corpus, beside an in-process `tracker import` of the same file
   (skipped with --no-import) and beside the paragraph split and diff recording already does;
3. a generated 400-version history of a 30 KB document (prose from a Zipf-distributed
   vocabulary, hard-wrapped, with sentence edits, paragraph moves, splits, merges, copies and
   reverts).

Times are CPU time (``time.process_time``), best of ROUNDS, so that other work on the machine
counts less. Sizes: "changed runs" are the runs of the paragraphs a version inserted or edited
(unchanged paragraphs keep their runs, so a store that shares them adds only these); "all runs"
are the runs of every paragraph of the version; "state" is the whole :class:`State` (latest runs
and memory). Each is compact JSON (``separators=(",", ":")``). Not a test: it prints figures.
"""

from __future__ import annotations

import gc
import gzip
import json
import os
import random
import statistics
import sys
import tempfile
import textwrap
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from tracker.text import paragraphs as para
from tracker.text.diff import diff_paragraphs
from tracker.text.provenance import State, runs_to_tokens, step

ROOT = Path(__file__).resolve().parent.parent
CANDIDATES = [
    base / "shared" / "corpora" / "python-peps" / "history.jsonl.gz"
    for base in (ROOT.parent, ROOT.parent.parent)  # beside the repository, or a worktree's
]
ROUNDS = 3  # each history is attributed this many times; the fastest round is reported

Prepared = list[tuple[list[str], list | None]]


def compact(data: object) -> int:
    return len(json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def prepare(texts: Sequence[str]) -> Prepared:
    """Split each version into paragraphs and diff it with the previous one, as recording does."""
    mode = para.choose_mode(texts[0])
    out: Prepared = []
    old: list[str] = []
    for text in texts:
        new = para.split(text, mode).paragraphs
        changes = diff_paragraphs(old, new, inline=False) if old else None
        out.append((new, changes))
        old = new
    return out


def replay(history: Prepared) -> tuple[list[float], State, list[list]]:
    """Attribute a prepared history once: CPU seconds per version, final state, runs."""
    state, old = State(), []
    times, runs_per_version = [], []
    gc.collect()
    for number, (new, changes) in enumerate(history, start=1):
        started = time.process_time()
        state, runs = step(state, old, new, number, changes)
        times.append(time.process_time() - started)
        runs_per_version.append(runs)
        old = new
    return times, state, runs_per_version


def best_replay(history: Prepared) -> tuple[list[float], State, list[list]]:
    best = None
    for _ in range(ROUNDS):
        result = replay(history)
        if best is None or sum(result[0]) < sum(best[0]):
            best = result
    assert best is not None
    return best


def sizes(history: Prepared, runs_per_version: list[list]) -> tuple[list[int], list[int]]:
    """Bytes of compact JSON per version: runs of the changed paragraphs, runs of all."""
    changed, every = [], []
    for (_, changes), runs in zip(history, runs_per_version):
        carried = set()
        if changes:
            carried = {c.new for c in changes if c.op in ("equal", "move") and not c.edited}
        changed.append(compact([r for j, r in enumerate(runs) if j not in carried]))
        every.append(compact(runs))
    return changed, every


def state_cost(state: State) -> tuple[int, float, float]:
    """Bytes of the state's compact JSON, and ms to dump it and to load it back."""
    started = time.process_time()
    for _ in range(20):
        text = json.dumps(state.to_json(), separators=(",", ":"))
    dumped = (time.process_time() - started) / 20
    started = time.process_time()
    for _ in range(20):
        State.from_json(json.loads(text))
    loaded = (time.process_time() - started) / 20
    return len(text.encode()), 1000 * dumped, 1000 * loaded


def read_ms(paragraphs: list[str], runs: list) -> float:
    """CPU ms to turn one version's stored runs (JSON text) into `blame --words` JSON."""
    stored = [json.dumps(r, separators=(",", ":")) for r in runs]
    started = time.process_time()
    for _ in range(20):
        out = [
            {"index": k, "tokens": runs_to_tokens(text, json.loads(r))}
            for k, (text, r) in enumerate(zip(paragraphs, stored))
        ]
        json.dumps({"doc": "d", "version": len(paragraphs), "paragraphs": out})
    return 1000 * (time.process_time() - started) / 20


def report(name: str, history: Prepared) -> None:
    times, state, runs = best_replay(history)
    changed, every = sizes(history, runs)
    ms = [t * 1000 for t in times]
    text_bytes = statistics.mean(sum(len(p.encode()) for p in new) for new, _ in history)
    state_bytes, dump_ms, load_ms = state_cost(state)
    p95 = sorted(ms)[int(0.95 * (len(ms) - 1))]
    print(f"\n## {name}\n")
    print("| measure | value |\n| --- | ---: |")
    print(f"| versions | {len(history)} |")
    print(f"| mean text size | {text_bytes / 1000:.1f} KB |")
    print(f"| step: CPU ms / version, mean | {statistics.mean(ms):.3f} |")
    print(f"| step: median / p95 / max | {statistics.median(ms):.3f} / {p95:.3f} / {max(ms):.3f} |")
    print(f"| step: all versions | {sum(ms):.0f} ms |")
    print(f"| changed runs: bytes / version, mean | {statistics.mean(changed):.0f} |")
    print(f"| all runs: bytes / version, mean | {statistics.mean(every):.0f} |")
    print(f"| state after the last version (runs + memory) | {state_bytes:,} bytes |")
    print(f"| memory entries after the last version | {len(state.memory):,} |")
    print(f"| state: json.dumps / json.loads + from_json | {dump_ms:.2f} / {load_ms:.2f} ms |")
    reading = read_ms(history[-1][0], runs[-1])
    print(f"| reading: last version's runs to blame JSON | {reading:.2f} ms |")


# --------------------------------------------------------------------------- python-peps


def load_corpus(path: Path) -> dict[str, list[str]]:
    docs: dict[str, list[str]] = defaultdict(list)
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if record.get("text") is not None:  # a deletion keeps the state as it was
                docs[record["doc"]].append(record["text"])
    return docs


def import_seconds(path: Path) -> float:
    """CPU seconds of an in-process `tracker import` of the history (best of ROUNDS)."""
    from tracker.api import Tracker
    from tracker.corpus.jsonl import import_jsonl

    best = None
    for _ in range(ROUNDS):
        with tempfile.TemporaryDirectory() as folder:
            tracker = Tracker(os.path.join(folder, "bench.db"))
            gc.collect()
            started = time.process_time()
            import_jsonl(tracker, path)
            spent = time.process_time() - started
            tracker.close()
        best = spent if best is None else min(best, spent)
    assert best is not None
    return best


def corpus_total(path: Path, docs: dict[str, list[str]], with_import: bool) -> None:
    """Attribute every document; compare with the split + diff and with a whole import."""
    prep_s = step_s = 0.0
    changed = versions = state_bytes = 0
    for texts in docs.values():
        started = time.process_time()
        history = prepare(texts)
        prep_s += time.process_time() - started
        times, state, runs = best_replay(history)
        step_s += sum(times)
        changed += sum(sizes(history, runs)[0])
        versions += len(history)
        state_bytes += compact(state.to_json())
    print("\n## python-peps, every document\n")
    print("| measure | value |\n| --- | ---: |")
    print(f"| documents / versions | {len(docs)} / {versions:,} |")
    print(f"| split + paragraph diff (recording does these already) | {prep_s:.2f} s CPU |")
    per_version = 1000 * step_s / versions
    print(f"| step, all versions | {step_s:.2f} s CPU ({per_version:.3f} ms / version) |")
    print(f"| step / (split + paragraph diff) | {step_s / prep_s:.2f} |")
    if with_import:
        imported = import_seconds(path)
        print(f"| in-process `tracker import` of the same file | {imported:.2f} s CPU |")
        print(f"| step / import | {step_s / imported:.0%} |")
    print(f"| changed runs, all versions | {changed / 1e6:.2f} MB |")
    print(f"| final states, all documents | {state_bytes / 1e6:.2f} MB |")


# --------------------------------------------------------------------------- generated history


class Generator:
    """A 30 KB hard-wrapped document edited 400 times, in words drawn from a Zipf vocabulary."""

    def __init__(self, seed: int = 1) -> None:
        self.rng = random.Random(seed)
        syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "an", "el", "or", "ip"]
        self.vocab = sorted(
            {"".join(self.rng.choices(syllables, k=self.rng.randint(1, 4))) for _ in range(4000)}
        )
        self.rng.shuffle(self.vocab)
        self.weights = [1 / (rank + 1) for rank in range(len(self.vocab))]

    def sentence(self) -> list[str]:
        words = self.rng.choices(self.vocab, self.weights, k=self.rng.randint(6, 22))
        if self.rng.random() < 0.3:
            words.insert(self.rng.randrange(1, len(words)), ",")
        return words

    def paragraph(self) -> list[list[str]]:
        return [self.sentence() for _ in range(self.rng.randint(1, 6))]

    @staticmethod
    def render(doc: list[list[list[str]]]) -> str:
        paras = []
        for sentences in doc:
            text = " ".join(" ".join(s).replace(" ,", ",") + "." for s in sentences)
            paras.append(textwrap.fill(text, 72))
        return "\n\n".join(paras) + "\n"

    def history(self, versions: int = 400, size: int = 30_000) -> list[str]:
        rng = self.rng
        doc: list[list[list[str]]] = []
        while len(self.render(doc)) < size:
            doc.append(self.paragraph())
        snapshots = [json.loads(json.dumps(doc))]
        texts = [self.render(doc)]
        while len(texts) < versions:
            for _ in range(rng.choice([1, 1, 1, 2, 3])):
                big = len(texts[-1]) > size
                op = rng.choices(
                    ["edit", "add_s", "del_s", "add_p", "del_p", "move", "split", "merge",
                     "copy", "revert"],
                    [10, 4, 3, 2 if big else 4, 4 if big else 2, 2, 2, 2, 2, 1],
                )[0]  # fmt: skip
                k = rng.randrange(len(doc))
                p = doc[k]
                if op == "edit":
                    s = rng.choice(p)
                    at = rng.randrange(len(s))
                    s[at : at + rng.randint(0, 2)] = self.sentence()[: rng.randint(0, 3)]
                    if not s:
                        s.append(rng.choice(self.vocab))
                elif op == "add_s":
                    p.insert(rng.randrange(len(p) + 1), self.sentence())
                elif op == "del_s" and len(p) > 1:
                    del p[rng.randrange(len(p))]
                elif op == "add_p":
                    doc.insert(k, self.paragraph())
                elif op == "del_p" and len(doc) > 3:
                    del doc[k]
                elif op == "move":
                    doc.insert(rng.randrange(len(doc)), doc.pop(k))
                elif op == "split" and len(p) > 1:
                    cut = rng.randrange(1, len(p))
                    doc[k : k + 1] = [p[:cut], p[cut:]]
                elif op == "merge" and k + 1 < len(doc):
                    doc[k : k + 2] = [doc[k] + doc[k + 1]]
                elif op == "copy":
                    source = rng.choice(rng.choice(doc))
                    n = rng.randint(5, 10)
                    at = rng.randrange(max(1, len(source) - n))
                    rng.choice(p).extend(source[at : at + n])
                elif op == "revert" and len(snapshots) > 10:
                    doc = json.loads(json.dumps(snapshots[-rng.randint(2, 10)]))
            text = self.render(doc)
            if text != texts[-1]:
                texts.append(text)
                snapshots.append(json.loads(json.dumps(doc)))
        return texts


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    with_import = "--no-import" not in sys.argv
    path = Path(args[0]) if args else next((p for p in CANDIDATES if p.exists()), CANDIDATES[0])
    if path.exists():
        docs = load_corpus(path)
        name = max(docs, key=lambda d: len(docs[d]))
        report(f"python-peps, most-edited document ({name})", prepare(docs[name]))
        corpus_total(path, docs, with_import)
    else:
        print(f"{path} not found: python-peps skipped")
    report("generated: 400 versions of a 30 KB document", prepare(Generator(1).history()))


if __name__ == "__main__":
    main()
