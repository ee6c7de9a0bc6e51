"""Benchmark: the costs of lineage, change classes and word origins (issues 11, 12, 13).

1. Reads, whole process, best of N, against `tracker log` on the same document (the baseline):
   `blame`, `trace` (paragraph 1), `blame --words` (first ask: worked out and kept; then warm),
   on the most-edited document of python-peps and on a generated 400-version history of a
   30 KB document. Targets: blame and trace at most 1.5x log; blame --words at most 3x log.
2. Recording, in one run: `tracker import` of python-peps and github-site-policy with this code
   and with the code of a baseline commit (default: the one before lineages were recorded), best
   of N each, alternating; database sizes. Targets: lineage at most +15% time and +10% size;
   classes at most +10% time (give --baseline the commit before classes to see that alone).
3. `tracker reclassify` of each corpus (target: at most 1 s).

Run: python bench/bench_history.py [--baseline COMMIT] [--runs N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

from benchenv import use_bytecode_cache

ROOT = Path(__file__).resolve().parent.parent
CORPORA = next(
    (
        p / "shared" / "corpora"
        for p in (ROOT.parent, ROOT.parent.parent)
        if (p / "shared").is_dir()
    ),
    ROOT.parent / "shared" / "corpora",
)
#: The commit before lineages were recorded (the layout work had landed).
LINEAGE_BASELINE = "28dc9e3"


def tracker_cmd(source: Path) -> list[str]:
    """Run the tracker CLI from a source tree (this one, or a baseline checkout)."""
    return [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(source)!r});"
            " from tracker.cli import cli; cli(prog_name='tracker')"]  # fmt: skip


def timed(command: list[str], cwd: Path | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - start


def best(command: list[str], runs: int) -> float:
    return min(timed(command) for _ in range(runs))


def generated_history(path: Path, versions: int = 400, size: int = 30_000) -> Path:
    """One document of about ``size`` bytes edited ``versions`` times: a few words per version
    changed, inserted or deleted, now and then a paragraph moved, split, merged or restored."""
    rng = random.Random(400)
    words = [f"w{n}" for n in range(3000)] + "the of and a to in is that for on".split() * 40
    paragraphs: list[str] = []
    while sum(map(len, paragraphs)) < size:
        paragraphs.append(" ".join(rng.choice(words) for _ in range(rng.randint(20, 90))) + ".")
    removed: list[str] = []
    with gzip.open(path, "wt") as out:
        for number in range(versions):
            kind = rng.random()
            i = rng.randrange(len(paragraphs))
            if kind < 0.6:
                tokens = paragraphs[i].split()
                tokens[rng.randrange(len(tokens))] = rng.choice(words)
                paragraphs[i] = " ".join(tokens)
            elif kind < 0.7:
                paragraphs.insert(rng.randrange(len(paragraphs)), paragraphs.pop(i))
            elif kind < 0.8 and len(paragraphs) > 5:
                removed.append(paragraphs.pop(i))
            elif kind < 0.9 and removed:
                paragraphs.insert(i, removed.pop(rng.randrange(len(removed))))
            else:
                paragraphs.insert(i, " ".join(rng.choice(words) for _ in range(40)) + ".")
            at = datetime(2025, 1, 1, tzinfo=timezone.utc) + timedelta(hours=number)
            text = "\n\n".join(paragraphs) + "\n"
            record = {"doc": "generated.txt", "text": text, "at": at.isoformat()}
            out.write(json.dumps(record) + "\n")
    return path


def most_edited(history: Path) -> str:
    with gzip.open(history, "rt") as lines:
        return Counter(json.loads(line)["doc"] for line in lines).most_common(1)[0][0]


def reads(work: Path, runs: int) -> None:
    print("## Reads, whole process, best of", runs)
    histories = [
        ("python-peps", CORPORA / "python-peps" / "history.jsonl.gz"),
        ("generated, 400 versions of 30 KB", generated_history(work / "generated.jsonl.gz")),
    ]
    for label, history in histories:
        db = work / f"{label.split(',')[0]}.db"
        subprocess.run([*tracker_cmd(ROOT), "import", str(history), "--db", str(db)],
                       check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        doc = most_edited(history)
        base = [*tracker_cmd(ROOT)]
        log = best([*base, "log", doc, "--db", str(db)], runs)
        first = timed([*base, "blame", doc, "--words", "--color", "never", "--db", str(db)])
        rows = [
            ("log (baseline)", log, None),
            ("blame", best([*base, "blame", doc, "--db", str(db)], runs), 1.5),
            ("trace 1", best([*base, "trace", doc, "1", "--db", str(db)], runs), 1.5),
            ("blame --words, first ask", first, 3.0),
            (
                "blame --words",
                best([*base, "blame", doc, "--words", "--color", "never", "--db", str(db)], runs),
                3.0,
            ),  # fmt: skip
        ]
        print(f"\n{label}: {doc}")
        for name, seconds, target in rows:
            ratio = seconds / log
            verdict = (
                ""
                if target is None
                else f"  (target {target}x: {'ok' if ratio <= target else 'MISSED'})"
            )
            print(f"  {name:<26} {seconds * 1000:7.1f} ms  {ratio:4.2f}x log{verdict}")


def checkout(commit: str, into: Path) -> Path:
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-f", str(into), commit],
                   check=True, capture_output=True)  # fmt: skip
    return into


def recording(work: Path, baseline: str, runs: int) -> None:
    print(f"\n## Recording: this code against {baseline}, best of {runs}, alternating")
    old = checkout(baseline, work / "baseline")
    try:
        for name in ("python-peps", "github-site-policy"):
            history = CORPORA / name / "history.jsonl.gz"
            times: dict[str, list[float]] = {"baseline": [], "now": []}
            sizes: dict[str, int] = {}
            for _ in range(runs):
                for label, source in (("baseline", old), ("now", ROOT)):
                    db = work / f"{name}-{label}.db"
                    for suffix in ("", "-wal", "-shm"):
                        Path(str(db) + suffix).unlink(missing_ok=True)
                    times[label].append(
                        timed([*tracker_cmd(source), "import", str(history), "--db", str(db)])
                    )
                    sizes[label] = db.stat().st_size
            b, n = min(times["baseline"]), min(times["now"])
            print(f"  {name:<20} import {b:6.2f} s -> {n:6.2f} s ({(n / b - 1) * 100:+.0f}%);"
                  f" database {sizes['baseline'] / 1e6:5.1f} -> {sizes['now'] / 1e6:5.1f} MB"
                  f" ({(sizes['now'] / sizes['baseline'] - 1) * 100:+.0f}%)")  # fmt: skip
            reclassify = best([*tracker_cmd(ROOT), "reclassify", "--db",
                               str(work / f"{name}-now.db")], runs)  # fmt: skip
            print(f"  {'':<20} reclassify {reclassify:5.2f} s (target 1 s)")
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)],
                       capture_output=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", default=LINEAGE_BASELINE)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=["reads", "recording"])
    options = parser.parse_args()
    use_bytecode_cache()
    if not (CORPORA / "python-peps").is_dir():
        sys.exit(f"{CORPORA} not found")
    print(f"{time.strftime('%Y-%m-%d')}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    work = Path(tempfile.mkdtemp(prefix="bench-history-"))
    try:
        if options.only != "recording":
            reads(work, options.runs)
        if options.only != "reads":
            recording(work, options.baseline, options.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
