"""Benchmark `tracker import --workers 2` against a serial import, and the two rates that say how
far a parallel import can scale: the prepare step per version, and the writer's.

Usage: python bench/bench_dask.py [--rounds 3] [--workers 2] [PEPS_HISTORY]

1. Whole process, as a user runs it: `python -m tracker import FILE` and the same with
   `--workers 2` into fresh databases, best of ``--rounds`` each (alternating, so that both
   see the same machine), on a generated churn history (bench/make_churn.py) and on the
   python-peps corpus; both databases are checked to export the same history.
2. The prepare step (split, hash, diff), in this process: milliseconds per version.
3. The writer: versions stored per second when every version is already prepared (the
   importer's own code, fed by a pool whose results are ready), reading the file included.

The machine's load average is printed with each figure: on a shared machine, a busy moment
makes every figure slower, the parallel ones most.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchenv import use_bytecode_cache
from make_churn import write_churn

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tracker import Tracker  # noqa: E402
from tracker.corpus.jsonl import import_jsonl  # noqa: E402
from tracker.corpus.lanes import Batch, Hint, prepare_lane  # noqa: E402
from tracker.corpus.records import read_records  # noqa: E402
from tracker.history.prepare import prepare, split_mode  # noqa: E402


def load() -> str:
    """The 1-minute load average, for the record."""
    return f"load {os.getloadavg()[0]:.1f}"


def find_peps() -> Path | None:
    """The python-peps history beside this work tree (../shared or ../../shared)."""
    for base in (ROOT.parent, ROOT.parent.parent):
        path = base / "shared" / "corpora" / "python-peps" / "history.jsonl.gz"
        if path.exists():
            return path
    return None


def run_import(history: Path, db: Path, workers: int | None) -> float:
    """Import in a fresh process; return its wall time."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    command = [sys.executable, "-m", "tracker", "import", str(history), "--db", str(db)]
    if workers:
        command += ["--workers", str(workers)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    return elapsed


def export_digest(db: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "tracker", "export", "--db", str(db)], capture_output=True
    )
    return hashlib.sha256(done.stdout).hexdigest()


def whole_process(history: Path, rounds: int, workers: int, tmp: Path) -> tuple[float, float]:
    serial, parallel = [], []
    for _ in range(rounds):
        serial.append(run_import(history, tmp / "serial.db", None))
        print(f"    serial      {serial[-1]:6.2f} s  ({load()})", flush=True)
        parallel.append(run_import(history, tmp / "parallel.db", workers))
        print(f"    --workers {workers} {parallel[-1]:6.2f} s  ({load()})", flush=True)
    if export_digest(tmp / "serial.db") != export_digest(tmp / "parallel.db"):
        raise SystemExit("the serial and the parallel import differ")
    return min(serial), min(parallel)


def prepare_cost(history: Path) -> tuple[float, float, int]:
    """Milliseconds per version of prepare(), each document against its version before: wall
    and CPU time (the CPU time hardly depends on how busy the machine is)."""
    records = [r for r in read_records(history) if r.text is not None]
    best, best_cpu = float("inf"), float("inf")
    for _ in range(3):
        last: dict[str, tuple[str, list[str]]] = {}
        started, cpu = time.perf_counter(), time.process_time()
        for record in records:
            if record.doc not in last:  # a document's split mode is chosen once, as importing does
                last[record.doc] = (split_mode(record.text, "auto"), None)
            mode, before = last[record.doc]
            last[record.doc] = (mode, prepare(record.text, mode, before).paragraphs)
        best = min(best, time.perf_counter() - started)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return best / len(records) * 1000, best_cpu / len(records) * 1000, len(records)


class _Recording:
    """Runs the lanes here, keeping every chunk's hints."""

    def __init__(self) -> None:
        self.last: dict[int, tuple] = {}
        self.chunks: list[dict] = []

    def lanes(self) -> int:
        return 8

    def submit(self, batches: dict[int, Batch]) -> int:
        hints: dict[object, Hint] = {}
        for lane, batch in batches.items():
            self.last[lane] = prepare_lane(batch, self.last.get(lane))
            hints.update(self.last[lane][0])
        self.chunks.append(hints)
        return len(self.chunks) - 1

    def results(self, ticket: int) -> dict:
        return self.chunks[ticket]


class _Ready(_Recording):
    """Hands back the hints a recording pool made: every version is prepared already."""

    def __init__(self, chunks: list[dict]):
        super().__init__()
        self.ready = chunks

    def submit(self, batches: dict[int, Batch]) -> int:
        self.chunks.append(self.ready[len(self.chunks)])
        return len(self.chunks) - 1


def writer_rate(history: Path, tmp: Path) -> tuple[float, float, int]:
    """Versions stored per second when their results are ready (reading the file included):
    by wall and by CPU time."""
    recording = _Recording()
    with Tracker(tmp / "recorded.db") as db:
        import_jsonl(db, history, pool=recording)
    best, best_cpu, count = float("inf"), float("inf"), 0
    for attempt in range(3):
        path = tmp / f"writer{attempt}.db"
        with Tracker(path) as db:
            started, cpu = time.perf_counter(), time.process_time()
            result = import_jsonl(db, history, pool=_Ready(recording.chunks))
            best = min(best, time.perf_counter() - started)
            best_cpu = min(best_cpu, time.process_time() - cpu)
        assert result.writer_prepared == 0
        count = result.recorded
    return count / best, count / best_cpu, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("peps", nargs="?", help="python-peps history.jsonl.gz")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    use_bytecode_cache()
    peps = Path(args.peps) if args.peps else find_peps()
    print(f"{os.cpu_count()} CPUs; {load()}; best of {args.rounds}")
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        churn = tmp / "churn.jsonl.gz"
        write_churn(churn)
        histories = [("churn (7 docs x 160 versions)", churn)]
        if peps is not None:
            histories.append(("python-peps", peps))
        rows = []
        for name, history in histories:
            print(f"\n{name}: whole process", flush=True)
            serial, parallel = whole_process(history, args.rounds, args.workers, tmp)
            cost, cost_cpu, versions = prepare_cost(history)
            rate, rate_cpu, stored = writer_rate(history, tmp)
            rows.append((name, serial, parallel, cost, cost_cpu, rate, rate_cpu))
            print(
                f"  prepare: {cost:.2f} ms per version, {cost_cpu:.2f} ms of CPU"
                f" ({versions} versions; {load()})"
            )
            print(
                f"  writer: {rate:,.0f} versions/s with results ready, {rate_cpu:,.0f} per CPU"
                f" second ({stored}; {load()})"
            )
    print(
        f"\n| history | serial | --workers {args.workers} | speed-up"
        " | prepare per version (CPU) | writer, versions/s (per CPU s) |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, serial, parallel, cost, cost_cpu, rate, rate_cpu in rows:
        print(
            f"| {name} | {serial:.2f} s | {parallel:.2f} s | {serial / parallel:.2f}x"
            f" | {cost:.2f} ms ({cost_cpu:.2f}) | {rate:,.0f} ({rate_cpu:,.0f}) |"
        )
    print(f"\n({load()} at the end)")


if __name__ == "__main__":
    main()
