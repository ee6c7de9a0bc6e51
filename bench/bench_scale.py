"""Benchmark: import, size, memory and read latencies of generated histories at several sizes.

Usage: python bench/bench_scale.py [--sizes 20000,200000] [--documents 2000] [--seed 1]
                                   [--cache /tmp/tracker-bench] [--rounds 3] [--rebuild]

For each size, writes a history with `bench/make_history.py` (same seed, same documents) and
imports it with the real CLI into a database; both are cached under ``--cache`` (outside the
repository), so a rerun only times the reads (``--rebuild`` starts over). Then times each read
command as a whole process (interpreter start-up and imports included), best of ``--rounds``,
with its peak memory (maximum resident set size): `log` and `stats` of one document (the one
with the median number of versions), `docs`, `timeline --limit 20`, `search` of a rare and of a
common word (latest versions, and `--all-versions`; the common word's first three letters as a
prefix; the common word in the documents under legal/, two of the seven folders), and `fsck`.
`tracker log` of that document is the baseline of the ratios. Targets (issue "Fast at every
size"): `timeline --limit 20` and `search WORD --limit 20` at most 2x the baseline; the same
figures within 1.5x of each other at the smallest and largest size; fsck at most 150 MB and at
least 10,000 versions/s.
Prints Markdown tables.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import NamedTuple

from benchenv import use_bytecode_cache
from make_history import make_history, vocabulary

TRACKER = [sys.executable, "-m", "tracker"]
#: The word searched for as "rare": this far down the vocabulary's frequency ranking (a few
#: hundred paragraphs of the latest versions contain it); the "common" word is the first.
RARE_RANK = 3000


class Run(NamedTuple):
    """One finished command: wall time and CPU time (user + system) in seconds, peak resident
    memory in bytes, and its standard output."""

    seconds: float
    cpu: float
    peak: int
    out: str


def measured(command: list[str], cwd: Path) -> Run:
    """Run a command to its end and measure it.

    Run it in the cache folder, so that ``python -m tracker`` finds the installed package (or
    PYTHONPATH's), never a ``tracker`` folder that happens to be the current one.
    """
    started = time.perf_counter()
    with open(os.devnull, "wb") as devnull:
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=devnull, cwd=cwd)
        assert child.stdout is not None
        out = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited with {child.returncode}")
    return Run(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, out.decode())


def best(command: list[str], rounds: int, cwd: Path) -> Run:
    """The best wall and CPU times of ``rounds`` runs, and the largest peak memory seen."""
    runs = [measured(command, cwd) for _ in range(rounds)]
    return Run(
        min(run.seconds for run in runs),
        min(run.cpu for run in runs),
        max(run.peak for run in runs),
        runs[-1].out,
    )


def database_size(path: Path) -> int:
    """Bytes of a database with its WAL, after a checkpoint."""
    conn = sqlite3.connect(path)
    conn.execute("pragma wal_checkpoint(truncate)")
    conn.close()
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())


def median_document(path: Path) -> tuple[str, int]:
    """The document with the median number of versions (ties by name), and that number."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    rows = conn.execute(
        "select d.name, count(*) as n from versions v join documents d on d.id = v.document_id"
        " group by d.id order by n, d.name"
    ).fetchall()
    conn.close()
    return rows[len(rows) // 2]


def build(size: int, documents: int, seed: int, cache: Path, rebuild: bool) -> dict:
    """The history file and database of one size, made (and timed) unless cached."""
    stem = f"v{size}-d{documents}-s{seed}"
    history = cache / f"history-{stem}.jsonl.gz"
    db = cache / f"tracker-{stem}.db"
    facts = cache / f"tracker-{stem}.json"
    if rebuild:
        for path in cache.glob(f"tracker-{stem}.*"):
            path.unlink()
    if not history.exists() or rebuild:
        print(f"writing {history} ...", file=sys.stderr)
        make_history(history, size, documents, seed)
    if not db.exists() or not facts.exists():
        for path in cache.glob(f"tracker-{stem}.db*"):
            path.unlink()
        print(f"importing {history} ...", file=sys.stderr)
        os.sync()
        run = measured(TRACKER + ["import", str(history), "--db", str(db)], cache)
        data = {
            "import_s": run.seconds,
            "import_cpu": run.cpu,
            "import_peak": run.peak,
            "built": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M"),
        }
        facts.write_text(json.dumps(data))
    data = json.loads(facts.read_text())
    data.update(history=history, db=db, history_bytes=history.stat().st_size)
    return data


def bench_size(size: int, args: argparse.Namespace, words: tuple[str, str]) -> dict:
    """Every figure of one size."""
    facts = build(size, args.documents, args.seed, args.cache, args.rebuild)
    db = str(facts["db"])
    doc, versions_of_doc = median_document(facts["db"])
    rare, common = words
    commands = {
        "log": ["log", doc],
        "docs": ["docs"],
        "timeline --limit 20": ["timeline", "--limit", "20"],
        f"search {rare} --limit 20": ["search", rare, "--limit", "20"],
        f"search {common} --limit 20": ["search", common, "--limit", "20"],
        f"search {rare} --all-versions --limit 20": [
            "search", rare, "--all-versions", "--limit", "20",
        ],
        f"search {common} --all-versions --limit 20": [
            "search", common, "--all-versions", "--limit", "20",
        ],
        f"search {common[:3]}* --limit 20": ["search", f"{common[:3]}*", "--limit", "20"],
        f"search {common} --doc 'legal/*' --limit 20": [
            "search", common, "--doc", "legal/*", "--limit", "20",
        ],
        "stats DOC": ["stats", doc],
        "fsck": ["fsck", "--json"],
    }  # fmt: skip
    # first any upgrade of a cached database, off the clock
    measured(TRACKER + ["log", doc, "--db", db], args.cache)
    times = {}
    for label, command in commands.items():
        print(f"  {size:,}: {label} ...", file=sys.stderr)
        times[label] = best(TRACKER + command + ["--db", db], args.rounds, args.cache)
    report = json.loads(times["fsck"].out)
    return {
        **facts,
        "doc": doc,
        "doc_versions": versions_of_doc,
        "db_bytes": database_size(facts["db"]),
        "times": times,
        "fsck_versions": report["versions"],
        "fsck_ok": report["ok"],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="20000,200000", help="versions, comma-separated")
    parser.add_argument("--documents", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/tracker-bench"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rebuild", action="store_true", help="write and import again")
    parser.add_argument("--build-only", action="store_true", help="make the cache, time nothing")
    args = parser.parse_args(argv)
    use_bytecode_cache()
    args.cache.mkdir(parents=True, exist_ok=True)
    sizes = [int(size) for size in args.sizes.split(",")]
    if args.build_only:
        for size in sizes:
            build(size, args.documents, args.seed, args.cache, args.rebuild)
        return
    vocab = vocabulary(args.seed)
    words = (vocab[RARE_RANK], vocab[0])
    results = {size: bench_size(size, args, words) for size in sizes}
    report(results, args)


def import_cell(r: dict) -> str:
    """The import's wall time, and its CPU time when it was measured."""
    cpu = f" ({r['import_cpu']:,.1f} s)" if "import_cpu" in r else ""
    return f"{r['import_s']:,.1f} s{cpu}"


def report(results: dict[int, dict], args: argparse.Namespace) -> None:
    """Print the Markdown tables."""
    sizes = list(results)
    mb = 1e6
    head = " | ".join(f"{size:,} versions" for size in sizes)
    print(
        f"generated histories: {args.documents:,} documents, seed {args.seed}; whole-process"
        f" times, best of {args.rounds} (wall, and CPU: user + system); peak memory is the"
        " largest of the runs (maximum resident set size)\n"
    )
    print(f"| measure | {head} |")
    print("| --- |" + " ---: |" * len(sizes))
    rows = [
        ("history file (gzipped JSONL)", lambda r: f"{r['history_bytes'] / mb:,.0f} MB"),
        ("import (one run): wall (CPU)", import_cell),
        ("import: versions/s", lambda r: f"{r['fsck_versions'] / r['import_s']:,.0f}"),
        ("import: peak memory", lambda r: f"{r['import_peak'] / mb:,.0f} MB"),
        ("database size", lambda r: f"{r['db_bytes'] / mb:,.0f} MB"),
        ("document for log and stats DOC", lambda r: f"{r['doc']} ({r['doc_versions']} v.)"),
    ]
    for label, cell in rows:
        print(f"| {label} | " + " | ".join(cell(results[s]) for s in sizes) + " |")
    print()
    print(f"| command (--db ...): wall (CPU), peak memory, wall / log | {head} |")
    print("| --- |" + " ---: |" * len(sizes))
    labels = list(results[sizes[0]]["times"])
    for label in labels:
        cells = []
        for size in sizes:
            run = results[size]["times"][label]
            ratio = run.seconds / results[size]["times"]["log"].seconds
            cells.append(
                f"{run.seconds * 1000:,.0f} ms ({run.cpu * 1000:,.0f}),"
                f" {run.peak / mb:,.0f} MB, {ratio:.1f}x"
            )
        print(f"| `tracker {label}` | " + " | ".join(cells) + " |")
    print()
    print("| fsck | versions | versions/s (target >= 10,000) | peak memory (target <= 150 MB) |")
    print("| --- | ---: | ---: | ---: |")
    for size in sizes:
        r = results[size]
        run = r["times"]["fsck"]
        state = "" if r["fsck_ok"] else " (problems found!)"
        print(
            f"| {size:,} versions{state} | {r['fsck_versions']:,}"
            f" | {r['fsck_versions'] / run.seconds:,.0f} | {run.peak / mb:,.0f} MB |"
        )
    if len(sizes) > 1:
        small, large = results[sizes[0]], results[sizes[-1]]
        print()
        print(f"| {sizes[-1]:,} / {sizes[0]:,} versions (target <= 1.5) | wall | CPU |")
        print("| --- | ---: | ---: |")
        for label in labels:
            big, little = large["times"][label], small["times"][label]
            print(
                f"| `tracker {label}` | {big.seconds / little.seconds:.2f}x"
                f" | {big.cpu / little.cpu:.2f}x |"
            )


if __name__ == "__main__":
    main()
