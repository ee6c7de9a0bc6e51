"""Benchmark `tracker upgrade` of a database recorded before lineages: serial, and with
`--workers N` (the versions' diffs on a local Dask cluster).

Usage: python bench/bench_upgrade.py [--rounds 3] [--workers 2] DB

DB is any tracker database (for instance the generated ones `bench_scale.py` caches in
/tmp/tracker-bench). A copy of it is made as a tracker from before lineages left it (no
lineages, no substantive counts, no change rows for first versions); each round upgrades a
fresh copy of that, serially and with ``--workers``, alternating, as a whole process. Prints
the best of ``--rounds`` of each, their ratio, and checks that both upgrades wrote the same
rows.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from support import as_before_lineages  # noqa: E402  (what the tests make an old database with)

TRACKER = [sys.executable, "-m", "tracker"]


def digest(db: Path) -> str:
    """A checksum of what an upgrade writes: the versions' lineages and counts, the change rows
    and the lineages table."""
    return rows_digest(
        db,
        "select document_id, version, lineages, substantive, added, removed, modified, moved"
        " from versions order by document_id, version",
        "select v.document_id, v.version, c.op, c.old_index, c.new_index, c.lineage,"
        " c.split_from, c.merged_into, c.class from paragraph_changes c"
        " join versions v on v.id = c.version_id order by 1, 2, 3, 4, 5",
        "select * from lineages order by 1",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    use_bytecode_cache()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        old = folder / "old.db"
        shutil.copyfile(args.db, old)
        as_before_lineages(old)
        with sqlite3.connect(old) as conn:
            conn.execute("vacuum")
        conn.close()
        with sqlite3.connect(old) as conn:
            versions = conn.execute("select count(*) from versions").fetchone()[0]
        conn.close()
        runs: dict[str, list[float]] = {"serial": [], "workers": []}
        digests = {}
        for _ in range(args.rounds):
            for kind, extra in (("serial", []), ("workers", ["--workers", str(args.workers)])):
                db = folder / f"{kind}.db"
                shutil.copyfile(old, db)
                command = [*TRACKER, "upgrade", *extra, "--db", str(db)]
                runs[kind].append(timed(command, folder))
                digests[kind] = digest(db)
                db.unlink()
        load = os.getloadavg()[0]
    serial, parallel = min(runs["serial"]), min(runs["workers"])
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print(f"`tracker upgrade` of {args.db.name} ({versions:,} versions), {now}, load {load:.1f}")
    print()
    print("| measure | value |")
    print("| --- | ---: |")
    print(f"| serial, best of {args.rounds} | {serial:.2f} s |")
    print(f"| --workers {args.workers}, best of {args.rounds} | {parallel:.2f} s |")
    every = " ".join(f"{s:.2f}" for s in runs["serial"])
    every_parallel = " ".join(f"{s:.2f}" for s in runs["workers"])
    print(f"|   every run: serial / --workers | {every} s / {every_parallel} s |")
    print(f"| speed-up of --workers {args.workers} | {serial / parallel:.2f}x |")
    print(f"| versions replayed per second, serial | {versions / serial:,.0f} |")
    same = digests["serial"] == digests["workers"]
    print(f"| same rows written | {'yes' if same else 'NO'} |")
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
