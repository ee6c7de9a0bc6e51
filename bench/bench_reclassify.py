"""Benchmark `tracker reclassify`: serial, with `--workers N` (the classifying on a local Dask
cluster), and optionally serial with another source tree of tracker (a baseline).

Usage: python bench/bench_reclassify.py [--rounds 3] [--workers 2] [--baseline SRC] DB

DB is any tracker database (for instance the generated ones `bench_scale.py` caches in
/tmp/tracker-bench). A copy of it gets an ignore pattern (added by hand, as `reclassify`'s help
says one may), so that classes change; each round re-classifies a fresh copy of that, as a
whole process, serially, with ``--workers`` and (given ``--baseline``, a checkout of an older
commit) serially with the baseline's code, alternating. Prints the best of ``--rounds`` of
each, their ratios, and checks that every run wrote the same classes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from benchenv import rows_digest, timed, use_bytecode_cache

TRACKER = [sys.executable, "-m", "tracker"]
#: Volatile text for the benchmark: numbers, and the generated corpora's short words.
PATTERN = r"\b(?:\d+|[a-z]{1,3})\b"


def digest(db: Path) -> str:
    """A checksum of what a reclassify writes: every change's class, every version's count."""
    return rows_digest(
        db,
        "select id, class from paragraph_changes order by id",
        "select id, substantive from versions order by id",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--baseline", type=Path, help="a source tree of tracker to compare with")
    args = parser.parse_args()
    use_bytecode_cache()
    kinds: dict[str, tuple[list[str], dict | None]] = {
        "serial": ([], None),
        "workers": (["--workers", str(args.workers)], None),
    }
    if args.baseline is not None:
        # found before this tree's (an editable install's finder comes after the path): the
        # commands run in a temporary folder, so no tracker/ of the current folder comes first
        env = dict(os.environ, PYTHONPATH=str(args.baseline.resolve()))
        kinds["baseline"] = ([], env)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / "source.db"
        shutil.copyfile(args.db, source)
        with sqlite3.connect(source) as conn:
            conn.execute(
                "insert into ignore_patterns (pattern, doc_glob, created_at)"
                " values (?, null, '2026-01-01T00:00:00Z')",
                [PATTERN],
            )
            edits = conn.execute(
                "select count(*) from paragraph_changes where op in ('modify', 'move')"
            ).fetchone()[0]
        conn.close()
        runs: dict[str, list[float]] = {kind: [] for kind in kinds}
        digests = {}
        for _ in range(args.rounds):
            for kind, (extra, env) in kinds.items():
                db = folder / f"{kind}.db"
                shutil.copyfile(source, db)
                command = [*TRACKER, "reclassify", *extra, "--db", str(db)]
                runs[kind].append(timed(command, folder, env))
                digests[kind] = digest(db)
                db.unlink()
        load = os.getloadavg()[0]
    best = {kind: min(times) for kind, times in runs.items()}
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print(f"`tracker reclassify` of {args.db.name} ({edits:,} edits), {now}, load {load:.1f}")
    print()
    print("| measure | value |")
    print("| --- | ---: |")
    for kind, value in best.items():
        every = " ".join(f"{s:.2f}" for s in runs[kind])
        print(f"| {kind}, best of {args.rounds} (every run: {every}) | {value:.2f} s |")
    print(f"| speed-up of --workers {args.workers} | {best['serial'] / best['workers']:.2f}x |")
    if "baseline" in best:
        print(f"| serial / baseline | {best['serial'] / best['baseline']:.2f}x |")
    print(f"| edits classified per second, serial | {edits / best['serial']:,.0f} |")
    same = len(set(digests.values())) == 1
    print(f"| same classes written | {'yes' if same else 'NO'} |")
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
