"""Benchmark: how much of a database is lineage (issue 11: lineage adds at most 10% to the size).

Imports each corpus of ../shared/corpora with this code, then makes a copy without anything
lineage brought: the ``lineages`` table and its indexes, ``versions.lineages``, the lineage,
split and merge columns of ``paragraph_changes``, and the insert rows of first versions (recorded
only so that every lineage has the row that created it). Both are vacuumed; the figure is the
first's size over the second's. Sizes are deterministic: one import per corpus.

Give ``--at COMMIT`` (repeatable) to measure the code of other commits in the same run (each is
checked out into a temporary worktree and imports with its own code).

Run: python bench/bench_lineage_size.py [--at COMMIT ...]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from benchenv import use_bytecode_cache

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT.parent / "shared" / "corpora"
NAMES = ("python-peps", "github-site-policy")
TARGET = 1.10


def vacuumed_size(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        conn.execute("vacuum")
    finally:
        conn.close()
    return path.stat().st_size


def strip_lineage(path: Path) -> None:
    """Remove from a database what recording lineages added to it (see the module docstring)."""
    conn = sqlite3.connect(path)
    try:
        with conn:
            for view in ("changes", "paragraph_history"):  # they name the columns dropped
                conn.execute(f"drop view if exists {view}")
            for index in ("idx_paragraph_changes_deleted", "idx_versions_without_lineages"):
                conn.execute(f"drop index if exists {index}")
            conn.execute("drop table lineages")
            conn.execute(
                "delete from paragraph_changes where version_id in"
                " (select id from versions where version = 1)"
            )
            for column in ("lineage", "split_from", "merged_into"):
                conn.execute(f"alter table paragraph_changes drop column {column}")
            conn.execute("alter table versions drop column lineages")
    finally:
        conn.close()


def measure(source: Path, label: str, work: Path) -> list[str]:
    """Import every corpus with the code at ``source``; lines of the report."""
    lines = []
    for name in NAMES:
        history = CORPORA / name / "history.jsonl.gz"
        db = work / f"{label}-{name}.db"
        subprocess.run(
            [sys.executable, "-m", "tracker", "import", str(history), "--db", str(db)],
            cwd=source,
            check=True,
            capture_output=True,
        )
        bare = work / f"{label}-{name}-without.db"
        shutil.copyfile(db, bare)
        strip_lineage(bare)
        with_lineage, without = vacuumed_size(db), vacuumed_size(bare)
        marks = (
            sqlite3.connect(db)
            .execute(
                "select count(*), sum(lineages glob '[0-9]*'), sum(length(lineages)) from versions"
            )
            .fetchone()
        )
        ratio = with_lineage / without
        verdict = "ok" if ratio <= TARGET else "missed"
        lines.append(
            f"  {label:<10} {name:<20} {with_lineage / 2**20:6.2f} MiB with lineage,"
            f" {without / 2**20:6.2f} MiB without: +{(ratio - 1) * 100:.1f}%"
            f" (target +{(TARGET - 1) * 100:.0f}%: {verdict});"
            f" lineage lists {marks[2] / 1000:,.0f} KB, {marks[1] or 0:,} of {marks[0]:,}"
            " versions store a mark"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--at", action="append", default=[], help="also measure this commit")
    args = parser.parse_args()
    use_bytecode_cache()
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    print(f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, this code at {head}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for line in measure(ROOT, "this code", work):
            print(line, flush=True)
        for commit in args.at:
            tree = work / f"tree-{commit}"
            subprocess.run(
                ["git", "worktree", "add", "--detach", "-q", str(tree), commit],
                cwd=ROOT,
                check=True,
            )
            try:
                for line in measure(tree, commit, work):
                    print(line, flush=True)
            finally:
                subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT)


if __name__ == "__main__":
    main()
