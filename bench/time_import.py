"""Time `tracker import` of JSONL histories: the whole process, best of 3, into fresh databases.

Usage: python bench/time_import.py [--source DIR] [--rounds N] HISTORY [HISTORY ...]

Each run is `python -m tracker import HISTORY --db NEW.db` in a subprocess (after a sync), timed
with time.perf_counter. ``--source DIR`` runs the tracker package found in DIR instead of this
checkout's (e.g. an older commit unpacked with ``git archive REV tracker | tar -x -C DIR``), to
compare before and after on the same machine. Prints the best and every run per history, in wall
time and in CPU time (user + system, which waiting for a busy machine's cores does not inflate).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchenv import use_bytecode_cache

ROOT = Path(__file__).resolve().parent.parent


def run_import(history: Path, db: Path, source: Path) -> tuple[float, float]:
    """Import history into a new database with the tracker package in source.

    Returns wall seconds and the CPU seconds (user + system) of the process: on a shared machine
    the wall time also counts waiting for a core, the CPU time much less so.
    """
    env = {**os.environ, "PYTHONPATH": str(source)}
    command = [sys.executable, "-m", "tracker", "import", str(history), "--db", str(db)]
    os.sync()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=source)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return elapsed, cpu


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
        walls, cpus = [wall for wall, _ in runs], [cpu for _, cpu in runs]
        print(
            f"{history}: best {min(walls):.2f} s wall, {min(cpus):.2f} s CPU, of {args.rounds}"
            f" (every run, wall/CPU: {' '.join(f'{w:.2f}/{c:.2f}' for w, c in runs)} s)"
        )


if __name__ == "__main__":
    main()
