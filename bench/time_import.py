"""Time `tracker import` of JSONL histories: the whole process, best of 3, into fresh databases.

Usage: python bench/time_import.py [--source DIR] [--rounds N] HISTORY [HISTORY ...]

Each run is `python -m tracker import HISTORY --db NEW.db` in a subprocess (after a sync), timed
with time.perf_counter. ``--source DIR`` runs the tracker package found in DIR instead of this
checkout's (e.g. an older commit unpacked with ``git archive REV tracker | tar -x -C DIR``), to
compare before and after on the same machine. Prints the best and every run per history.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchenv import use_bytecode_cache

ROOT = Path(__file__).resolve().parent.parent


def run_import(history: Path, db: Path, source: Path) -> float:
    """Import history into a new database with the tracker package in source; wall seconds."""
    env = {**os.environ, "PYTHONPATH": str(source)}
    command = [sys.executable, "-m", "tracker", "import", str(history), "--db", str(db)]
    os.sync()
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=source)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("histories", nargs="+", type=Path)
    parser.add_argument("--source", type=Path, default=ROOT)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    use_bytecode_cache()
    probe = subprocess.run(
        [sys.executable, "-c", "import tracker; print(tracker.__file__)"],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(args.source)},
        cwd=args.source,
    )  # fmt: skip
    print(f"tracker from {probe.stdout.strip()}")
    for history in args.histories:
        runs = []
        for n in range(args.rounds):
            with tempfile.TemporaryDirectory(prefix="time-import-") as tmp:
                runs.append(run_import(history.resolve(), Path(tmp) / f"t{n}.db", args.source))
        every = " ".join(f"{t:.2f}" for t in runs)
        print(f"{history}: best {min(runs):.2f} s of {args.rounds} (every run: {every} s)")


if __name__ == "__main__":
    main()
