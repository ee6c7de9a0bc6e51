"""Benchmark: whole-process `tracker diff` and `tracker blame` beside git, and start-up time.

Replays ../shared/corpora/python-peps into a tracker database (library calls) and the history
of its most-edited document into a git repository (git fast-import), then times, best of N:
`tracker diff DOC --since v1` vs `git diff --word-diff FIRST HEAD`, `tracker blame DOC` vs
`git blame`, and `python -c "import tracker"`. Targets (issue 3): within 10x of git, and
within 3x of the import start-up time. Run: python bench/bench_cli.py
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from benchenv import use_bytecode_cache

ROOT = Path(__file__).resolve().parent.parent
HISTORY = ROOT.parent / "shared" / "corpora" / "python-peps" / "history.jsonl.gz"
RUNS = 7


def best(command: list[str], cwd: Path | None = None, env: dict | None = None) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return min(times)


def git_stream(records: list[dict], filename: str) -> bytes:
    out = []
    for mark, record in enumerate(records, start=1):
        stamp = int(time.mktime(time.strptime(record["committed_at"][:19], "%Y-%m-%dT%H:%M:%S")))
        message = f"v{mark}".encode()
        out.append(b"commit refs/heads/main\n")
        out.append(f"mark :{mark}\ncommitter b <b@b> {stamp} +0000\n".encode())
        out.append(f"data {len(message)}\n".encode() + message + b"\n")
        if record.get("deleted") or record["text"] is None:
            out.append(f"D {filename}\n".encode())
        else:
            data = record["text"].encode("utf-8")
            out.append(f"M 644 inline {filename}\ndata {len(data)}\n".encode() + data + b"\n")
        out.append(b"\n")
    return b"".join(out)


def main() -> None:
    use_bytecode_cache()
    if not HISTORY.exists():
        sys.exit(f"{HISTORY} not found")
    records = [json.loads(line) for line in gzip.open(HISTORY, "rt")]
    doc = Counter(r["doc"] for r in records).most_common(1)[0][0]
    mine = [r for r in records if r["doc"] == doc]
    from tracker import Tracker

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        db = work / "t.db"
        with Tracker(db) as tracker:
            for r in records:
                tracker.record(
                    r["doc"], None if r.get("deleted") else r["text"], at=r["committed_at"]
                )
        repo = work / "repo"
        subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
        filename = doc.rsplit("/", 1)[-1]
        subprocess.run(
            ["git", "fast-import", "--quiet"],
            cwd=repo,
            check=True,
            input=git_stream(mine, filename),
        )
        subprocess.run(["git", "checkout", "-q", "main"], cwd=repo, check=True)
        first = subprocess.run(
            ["git", "rev-list", "--max-parents=0", "HEAD"],
            cwd=repo,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        tracker_cmd = [sys.executable, "-m", "tracker"]
        rows = {
            "python -c 'import tracker'": best([sys.executable, "-c", "import tracker"]),
            "python -c 'pass' (interpreter alone)": best([sys.executable, "-c", "pass"]),
            f"tracker diff {doc} --since v1": best(
                tracker_cmd + ["diff", doc, "--since", "v1", "--db", str(db)]
            ),
            "git diff --word-diff FIRST HEAD": best(
                ["git", "diff", "--word-diff", first, "HEAD"], cwd=repo
            ),
            f"tracker blame {doc}": best(tracker_cmd + ["blame", doc, "--db", str(db)]),
            "git blame": best(["git", "blame", filename], cwd=repo),
        }
    startup = rows["python -c 'import tracker'"]
    diff_t, blame_t = rows[f"tracker diff {doc} --since v1"], rows[f"tracker blame {doc}"]
    git_diff, git_blame = rows["git diff --word-diff FIRST HEAD"], rows["git blame"]
    print(f"most-edited document: {doc} ({len(mine)} versions)\n")
    print(f"| command | best of {RUNS} |\n| --- | ---: |")
    for name, seconds in rows.items():
        print(f"| `{name}` | {seconds * 1000:.0f} ms |")
    print(f"| diff: tracker / git (target <= 10) | {diff_t / git_diff:.1f}x |")
    print(f"| blame: tracker / git (target <= 10) | {blame_t / git_blame:.1f}x |")
    print(f"| diff / import start-up (target <= 3) | {diff_t / startup:.1f}x |")
    print(f"| blame / import start-up (target <= 3) | {blame_t / startup:.1f}x |")
    print(f"\n(os: {os.uname().sysname} {os.uname().release}, python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
