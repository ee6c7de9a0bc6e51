"""Benchmark: snapshot 10,000 generated documents, and re-scan after 10 edits, beside git.

Targets (issue "Fast at every size"): a first snapshot at most 2.5x `git add -A && git commit`;
a re-scan at most 5x `git status` with nothing changed, 6x with 10 files changed (whole
processes, best of 3). Also replays ../shared/corpora/python-peps to compare database size with
git's pack after `git gc --aggressive`. Run: python bench/bench_snapshot.py [--docs N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchenv import use_bytecode_cache

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT.parent / "shared" / "corpora"
TRACKER = [sys.executable, "-m", "tracker"]
FIRST_ROUNDS = 3
RESCAN_ROUNDS = 3
WORDS = (
    "the of and to in a is that for it as was with be by on not he this are or his from at which"
    " but have an they you were her she there been one all we their has would when if so no will"
    " policy terms service data privacy user account content license agreement notice section"
).split()


def paragraph(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(20, 90))]
    return " ".join(words).capitalize() + "."


def make_corpus(folder: Path, count: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    for i in range(count):
        sub = folder / f"part{i % 20:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        paragraphs, size, target = [], 0, rng.randint(1_000, 10_000)
        while size < target:
            paragraphs.append(paragraph(rng))
            size += len(paragraphs[-1]) + 2
        (sub / f"doc{i:05d}.txt").write_text("\n\n".join(paragraphs) + "\n")


def timed(command: list[str] | str, cwd: Path, env: dict | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(
        command,
        cwd=cwd,
        check=True,
        shell=isinstance(command, str),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def best(n: int, fn) -> float:
    return min(fn() for _ in range(n))


def git_env() -> dict:
    env = dict(os.environ)
    env.update(
        GIT_AUTHOR_NAME="b",
        GIT_AUTHOR_EMAIL="b@b",
        GIT_COMMITTER_NAME="b",
        GIT_COMMITTER_EMAIL="b@b",
    )
    return env


def bench_folder(count: int, work: Path) -> list[tuple[str, str]]:
    folder = work / "corpus"
    make_corpus(folder, count)
    raw = sum(p.stat().st_size for p in folder.rglob("*.txt"))
    env = git_env()
    # Both from scratch, in alternation, best of FIRST_ROUNDS each, each after a sync and into
    # a new database / git directory (nothing deleted in between: on this discard-mounted disk,
    # freeing the last round's files slowed the next run down by seconds).
    trackers, gits = [], []
    for n in range(FIRST_ROUNDS):
        db = work / f"t{n}.db"
        os.sync()
        trackers.append(timed(TRACKER + ["snapshot", str(folder), "--db", str(db)], work))
        git = dict(env, GIT_DIR=str(work / f"git{n}"), GIT_WORK_TREE=str(folder))
        subprocess.run(["git", "init", "-q"], cwd=folder, check=True, env=git)
        subprocess.run(["git", "config", "gc.auto", "0"], cwd=folder, check=True, env=git)
        os.sync()
        gits.append(timed("git add -A && git commit -qm snapshot", folder, git))
    env = git
    t_tracker, t_git = min(trackers), min(gits)
    # re-scans of the last database: best of RESCAN_ROUNDS with 10 files changed (a paragraph
    # appended; other files each round, the same edits for both tools), then with nothing
    # changed; git status in the same states
    files = sorted(folder.rglob("*.txt"))
    rng = random.Random(2)
    rescans, statuses = [], []
    for _ in range(RESCAN_ROUNDS):
        for path in rng.sample(files, 10):
            with open(path, "a") as handle:
                handle.write("\n" + paragraph(rng) + "\n")
        time.sleep(2.1)  # leave the racy window so size+mtime can be trusted for untouched files
        statuses.append(timed(["git", "status", "--porcelain"], folder, env))
        rescans.append(timed(TRACKER + ["snapshot", str(folder), "--db", str(db)], work))
    t_rescan, t_status_changed = min(rescans), min(statuses)
    t_status = best(RESCAN_ROUNDS, lambda: timed(["git", "status", "--porcelain"], folder, env))
    t_rescan_idle = best(
        RESCAN_ROUNDS, lambda: timed(TRACKER + ["snapshot", str(folder), "--db", str(db)], work)
    )
    return [
        (
            f"snapshot {count:,} docs ({raw / 1e6:.1f} MB) from scratch (best of {FIRST_ROUNDS})",
            f"{t_tracker:.2f} s",
        ),
        (f"git add -A && git commit, same folder (best of {FIRST_ROUNDS})", f"{t_git:.2f} s"),
        (
            "  every run: tracker / git",
            f"{' '.join(f'{t:.2f}' for t in trackers)} s / {' '.join(f'{t:.2f}' for t in gits)} s",
        ),
        ("ratio tracker / git (target <= 2.5)", f"{t_tracker / t_git:.2f}"),
        (f"re-scan with 10 files changed (best of {RESCAN_ROUNDS})", f"{t_rescan:.3f} s"),
        (f"git status, 10 files changed (best of {RESCAN_ROUNDS})", f"{t_status_changed:.3f} s"),
        (
            "ratio re-scan / git status, 10 changed (target <= 6)",
            f"{t_rescan / t_status_changed:.2f}",
        ),
        (f"re-scan with nothing changed (best of {RESCAN_ROUNDS})", f"{t_rescan_idle:.3f} s"),
        (f"git status, same folder (best of {RESCAN_ROUNDS})", f"{t_status:.3f} s"),
        (
            "ratio re-scan / git status, nothing changed (target <= 5)",
            f"{t_rescan_idle / t_status:.2f}",
        ),
        (
            "  every run, 10 changed: tracker / git status",
            f"{' '.join(f'{t:.3f}' for t in rescans)} s"
            f" / {' '.join(f'{t:.3f}' for t in statuses)} s",
        ),
        ("database size", f"{db.stat().st_size / 1e6:.1f} MB"),
    ]


def bench_size(work: Path) -> list[tuple[str, str]]:
    history = CORPORA / "python-peps" / "history.jsonl.gz"
    if not history.exists():
        return [("python-peps size", "skipped: ../shared/corpora not found")]
    db = work / "peps.db"
    start = time.perf_counter()
    subprocess.run(
        TRACKER + ["import", str(history), "--db", str(db)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    took = time.perf_counter() - start
    conn = sqlite3.connect(db)
    conn.execute("pragma wal_checkpoint(truncate)")
    conn.execute("vacuum")
    size = db.stat().st_size
    fts = sum(
        row[0]
        for row in conn.execute("select sum(pgsize) from dbstat where name like 'paragraphs_fts%'")
    )
    raw = 0
    with gzip.open(history, "rt") as handle:
        for line in handle:
            text = json.loads(line).get("text")
            raw += len(text.encode()) if text else 0
    return [
        ("python-peps: raw text of all versions", f"{raw / 1e6:.1f} MB"),
        ("python-peps: tracker import time", f"{took:.1f} s"),
        ("python-peps: database size after VACUUM", f"{size / 1e6:.2f} MB"),
        ("  of which the full-text index (paragraphs_fts)", f"{fts / 1e6:.2f} MB"),
        ("python-peps: git pack after gc --aggressive (from the issue)", "2.0 MB"),
        ("ratio database / git pack (target <= 3)", f"{size / 2.0e6:.1f}"),
    ]


def main() -> None:
    use_bytecode_cache()
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--skip-size", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        rows = bench_folder(args.docs, Path(tmp))
    if not args.skip_size:
        with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
            rows += bench_size(Path(tmp))
    print("| measure | value |\n| --- | ---: |")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
