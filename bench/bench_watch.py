"""Benchmark `tracker watch --json` as a subprocess: latency, a burst, and an idle watcher.

Targets (issue 4): write-to-line latency p50 under 150 ms with the default debounce (p95 too is
reported) over 200 edits; 500 files each written 5 times as fast as possible, with every final
content recorded and the time until the watcher is idle again; an idle watcher on 10,000 files
using next to no CPU (no polling loop), with its memory; Ctrl-C with a change still waiting for
a 30 s quiet period: how long until it is recorded and the watcher has exited (the tests check
that it is, not how fast). Linux only (reads /proc).
Run: python bench/bench_watch.py [--edits 200] [--burst 500] [--idle-files 10000] [--idle 10]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchenv import use_bytecode_cache

TRACKER = [sys.executable, "-m", "tracker"]
TIMEOUT = 120.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_old(path: Path, text: str) -> None:
    """A file dated a minute ago, as if it changed before the watcher started."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    past = time.time() - 60
    os.utime(path, (past, past))


class Watch:
    """A `tracker watch --json` process whose JSON lines arrive on a queue, timestamped."""

    def __init__(self, folder: Path, db: Path, *args: str) -> None:
        self.proc = subprocess.Popen(
            [*TRACKER, "watch", str(folder), "--db", str(db), "--json", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.events: queue.Queue[tuple[float, dict]] = queue.Queue()
        self.caught_up = threading.Event()
        self.stderr: list[str] = []
        self._threads = [
            threading.Thread(target=self._read_stdout, daemon=True),
            threading.Thread(target=self._read_stderr, daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def _read_stdout(self) -> None:
        for line in self.proc.stdout:
            self.events.put((time.perf_counter(), json.loads(line)))

    def _read_stderr(self) -> None:
        for line in self.proc.stderr:
            self.stderr.append(line.rstrip("\n"))
            if line.startswith("caught up:"):
                self.caught_up.set()

    def wait_caught_up(self) -> None:
        if not self.caught_up.wait(TIMEOUT):
            raise SystemExit(f"the watcher did not catch up: {self.stderr}")

    def next_event(self, deadline: float) -> tuple[float, dict]:
        try:
            return self.events.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise SystemExit(f"timed out waiting for the watcher: {self.stderr[-5:]}") from None

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime

    def memory_kb(self, key: str = "VmRSS") -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
        return 0

    def stop(self) -> int:
        self.proc.send_signal(2)
        code = self.proc.wait(TIMEOUT)
        for thread in self._threads:
            thread.join(TIMEOUT)
        return code


def bench_latency(work: Path, edits: int) -> dict[str, float]:
    """Write one file at a time and time until its version line arrives."""
    folder = work / "latency"
    files = [folder / f"note{i:02d}.txt" for i in range(20)]
    for path in files:
        write_old(path, f"{path.name}\n\nfirst paragraph\n")
    watch = Watch(folder, work / "latency.db")
    watch.wait_caught_up()
    latencies = []
    for i in range(edits):
        path = files[i % len(files)]
        text = f"{path.name}\n\nedit number {i}\n\nwith a second paragraph\n"
        start = time.perf_counter()
        path.write_text(text, encoding="utf-8")
        deadline = time.monotonic() + TIMEOUT
        while True:
            arrived, event = watch.next_event(deadline)
            if event.get("doc") == path.name and event.get("sha256") == sha(text):
                latencies.append(arrived - start)
                break
    watch.stop()
    latencies.sort()
    return {
        "p50": statistics.median(latencies),
        "p95": latencies[int(0.95 * (len(latencies) - 1))],
        "max": latencies[-1],
    }


def bench_burst(work: Path, files: int, writes: int = 5) -> dict[str, float]:
    """Write every file `writes` times as fast as possible; wait for every final content."""
    folder = work / "burst"
    paths = [folder / f"part{i % 10}" / f"doc{i:04d}.txt" for i in range(files)]
    for path in paths:
        write_old(path, f"{path.name}\n\nbefore the burst\n")
    watch = Watch(folder, work / "burst.db")
    watch.wait_caught_up()
    deadline = time.monotonic() + TIMEOUT
    for _ in paths:  # the catch-up's first versions
        watch.next_event(deadline)
    rss_before = watch.memory_kb()
    final = {}
    start = time.perf_counter()
    for round_ in range(writes):
        for path in paths:
            text = f"{path.name}\n\nround {round_}\n\n" + "more words\n" * round_
            path.write_text(text, encoding="utf-8")
            final[path.relative_to(folder).as_posix()] = sha(text)
    written = time.perf_counter()
    missing = dict(final)
    versions = 0
    deadline = time.monotonic() + TIMEOUT
    last = written
    while missing:
        arrived, event = watch.next_event(deadline)
        if event.get("event") == "version":
            versions += 1
            if missing.get(event["doc"]) == event["sha256"]:
                del missing[event["doc"]]
                last = arrived
    # idle: nothing more arrives within a second (one debounce is 0.1 s)
    extra = 0
    while True:
        try:
            watch.events.get(timeout=1.0)
            extra += 1
        except queue.Empty:
            break
    rss_after, rss_peak = watch.memory_kb(), watch.memory_kb("VmHWM")
    watch.stop()
    return {
        "files": files,
        "writes": files * writes,
        "write_seconds": written - start,
        "idle_after_writes": last - written,
        "versions": versions + extra,
        "rss_before_mb": rss_before / 1024,
        "rss_after_mb": rss_after / 1024,
        "rss_peak_mb": rss_peak / 1024,
    }


def bench_stop(work: Path, runs: int = 5) -> dict[str, float]:
    """Ctrl-C while a change waits for its quiet period: time until the process has exited."""
    import sqlite3

    folder = work / "stop"
    folder.mkdir()
    times = []
    for run in range(runs):
        db = work / f"stop{run}.db"
        watch = Watch(folder, db, "--debounce", "30")
        watch.wait_caught_up()
        (folder / "pending.txt").write_text(f"pending {run}\n", encoding="utf-8")
        time.sleep(0.5)  # long enough for the observer to have seen the write
        start = time.perf_counter()
        code = watch.stop()
        times.append(time.perf_counter() - start)
        conn = sqlite3.connect(db)
        recorded = conn.execute("select count(*) from versions").fetchone()[0]
        conn.close()
        if code != 0 or recorded != 1:
            raise SystemExit(f"stop: exit {code}, {recorded} versions: {watch.stderr[-5:]}")
    times.sort()
    return {"runs": runs, "median": statistics.median(times), "max": times[-1]}


def bench_idle(work: Path, files: int, seconds: float) -> dict[str, float]:
    """Catch up on `files` documents, then measure CPU and memory while nothing changes."""
    folder = work / "idle"
    for i in range(files):
        write_old(
            folder / f"part{i % 50:02d}" / f"doc{i:05d}.txt",
            f"Document {i}\n\nsome text of document {i}\n",
        )
    start = time.perf_counter()
    watch = Watch(folder, work / "idle.db")
    watch.wait_caught_up()
    catch_up = time.perf_counter() - start
    time.sleep(1.0)  # let start-up work settle before measuring idleness
    cpu_before = watch.cpu_seconds()
    began = time.perf_counter()
    time.sleep(seconds)
    elapsed = time.perf_counter() - began
    cpu = watch.cpu_seconds() - cpu_before
    rss = watch.memory_kb()
    code = watch.stop()
    return {
        "files": files,
        "catch_up_seconds": catch_up,
        "cpu_seconds": cpu,
        "cpu_percent": 100 * cpu / elapsed,
        "seconds": elapsed,
        "rss_mb": rss / 1024,
        "exit": code,
    }


def main() -> None:
    use_bytecode_cache()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--burst", type=int, default=500)
    parser.add_argument("--idle-files", type=int, default=10_000)
    parser.add_argument("--idle", type=float, default=10.0, help="seconds of idleness measured")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-watch-") as tmp:
        work = Path(tmp)
        latency = bench_latency(work, options.edits)
        burst = bench_burst(work, options.burst)
        idle = bench_idle(work, options.idle_files, options.idle)
        stop = bench_stop(work)
    ms = 1000
    print("| measure | result | target |")
    print("|---|---|---|")
    print(f"| latency p50 ({options.edits} edits) | {latency['p50'] * ms:.0f} ms | < 150 ms |")
    print(f"| latency p95 | {latency['p95'] * ms:.0f} ms | |")
    print(f"| latency max | {latency['max'] * ms:.0f} ms | |")
    print(
        f"| burst: {burst['writes']:,} writes to {burst['files']} files"
        f" | written in {burst['write_seconds']:.2f} s | |"
    )
    print(
        f"| burst: every final content recorded, idle again after the last write"
        f" | {burst['idle_after_writes']:.2f} s, {burst['versions']} versions | all recorded |"
    )
    print(
        f"| burst: watcher memory (RSS before / after / peak)"
        f" | {burst['rss_before_mb']:.0f} / {burst['rss_after_mb']:.0f}"
        f" / {burst['rss_peak_mb']:.0f} MB | bounded |"
    )
    print(f"| idle: catch-up of {idle['files']:,} new files | {idle['catch_up_seconds']:.1f} s | |")
    print(
        f"| idle: CPU over {idle['seconds']:.0f} s on {idle['files']:,} files"
        f" | {idle['cpu_seconds']:.2f} s ({idle['cpu_percent']:.2f} %) | near zero |"
    )
    print(f"| idle: memory (RSS) | {idle['rss_mb']:.0f} MB | |")
    print(
        f"| Ctrl-C with a change pending (30 s debounce): recorded and exited"
        f" | median {stop['median'] * ms:.0f} ms, max {stop['max'] * ms:.0f} ms"
        f" ({stop['runs']} runs) | well under the debounce |"
    )


if __name__ == "__main__":
    main()
