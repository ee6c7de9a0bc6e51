"""Benchmark `tracker import` against `git fast-import` of the same history, and `tracker fsck`.

Usage: python bench/bench_import.py [CORPORA_DIR] [CORPUS ...]

For each corpus (default: python-peps and github-site-policy under ../shared/corpora, and
``churn``, the generated history of bench/make_churn.py: 7 documents x 160 versions whose long
paragraphs each change a token in every version), imports its history.jsonl.gz with the real
CLI into a fresh database, builds a git fast-import stream of the same records (one git commit
per source commit, its committer time kept) and times `git fast-import` into a fresh bare
repository; then compares the database size with git's pack after `git gc --aggressive`, and
times `tracker fsck` over the database. Prints a Markdown table.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from benchenv import use_bytecode_cache
from make_churn import write_churn

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPORA = ROOT.parent / "shared" / "corpora"
CORPORA = ("python-peps", "github-site-policy", "churn")
ROUNDS = 3
GIT_ENV = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}


def tracker(*args: object) -> tuple[float, subprocess.CompletedProcess]:
    """Run the tracker CLI in a subprocess, as a user would; return its wall time and result."""
    command = [sys.executable, "-m", "tracker", *map(str, args)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    return elapsed, done


def git(*args: object, cwd: Path, stdin: bytes | None = None) -> float:
    """Run git; return its wall time."""
    started = time.perf_counter()
    subprocess.run(
        ["git", *map(str, args)], cwd=cwd, input=stdin, env=GIT_ENV, check=True,
        capture_output=True,
    )  # fmt: skip
    return time.perf_counter() - started


def fast_import_stream(history: Path) -> tuple[bytes, int, int]:
    """A fast-import stream of the records (grouped by source commit); also record/commit counts."""
    out = bytearray()
    records = commits = 0
    previous = None
    with gzip.open(history, "rb") as lines:
        for line in lines:
            record = json.loads(line)
            records += 1
            if record.get("commit") != previous or previous is None:
                previous = record.get("commit")
                commits += 1
                moment = datetime.fromisoformat(record["committed_at"])
                offset = moment.strftime("%z") or "+0000"
                message = f"{(record.get('commit') or '')[:10]} {record['doc']}".encode()
                out += b"commit refs/heads/main\n"
                out += b"committer Bench <bench@example.org> %d %s\n" % (
                    int(moment.timestamp()),
                    offset.encode(),
                )
                out += b"data %d\n%s\n" % (len(message), message)
            path = record["doc"].encode("utf-8")
            if record.get("deleted") or record.get("text") is None:
                out += b"D %s\n" % path
            else:
                data = record["text"].encode("utf-8")
                out += b"M 100644 inline %s\ndata %d\n%s\n" % (path, len(data), data)
    return bytes(out), records, commits


def size(path: Path) -> int:
    """Bytes of a database with its WAL and shared-memory files, if any."""
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def pack_size(repo: Path) -> int:
    """Bytes of the repository's packs (git count-objects size-pack)."""
    out = subprocess.run(
        ["git", "count-objects", "-v"], cwd=repo, env=GIT_ENV, capture_output=True, text=True
    ).stdout
    fields = dict(line.split(": ") for line in out.splitlines())
    return int(fields["size-pack"]) * 1024


def bench(history: Path, work: Path) -> dict:
    """Measure one corpus."""
    stream, records, commits = fast_import_stream(history)
    # best of ROUNDS for both, alternating, each after a sync and into a fresh database / repo
    imports, fasts = [], []
    for n in range(ROUNDS):
        db, repo = work / f"tracker{n}.db", work / f"repo{n}.git"
        os.sync()
        imports.append(tracker("import", history, "--db", db)[0])
        git("init", "-q", "--bare", repo, cwd=work)
        os.sync()
        fasts.append(git("fast-import", "--quiet", cwd=repo, stdin=stream))
    imported, fast = min(imports), min(fasts)
    reimported, again = tracker("import", history, "--db", db)
    assert again.stdout.startswith("0 new versions"), again.stdout
    gc = git("gc", "--aggressive", "--prune=now", "-q", cwd=repo)
    checked, fsck = tracker("fsck", "--db", db, "--json")
    report = json.loads(fsck.stdout)
    assert report["ok"], report["problems"]
    return {
        "records": records,
        "commits": commits,
        "text_mb": report["bytes"] / 1e6,
        "import_s": imported,
        "import_runs": imports,
        "fast_runs": fasts,
        "reimport_s": reimported,
        "fast_import_s": fast,
        "ratio": imported / fast,
        "db_bytes": size(db),
        "pack_bytes": pack_size(repo),
        "gc_s": gc,
        "fsck_s": checked,
        "fsck_inner_s": report["seconds"],
        "versions": report["versions"],
    }


def main(argv: list[str]) -> None:
    use_bytecode_cache()
    corpora_dir = Path(argv[0]) if argv else DEFAULT_CORPORA
    names = argv[1:] or list(CORPORA)
    rows = {}
    for name in names:
        with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
            history = corpora_dir / name / "history.jsonl.gz"
            if name == "churn":  # generated, the same every time (make_churn's defaults)
                history = Path(tmp) / "churn.jsonl.gz"
                write_churn(history)
            print(f"benchmarking {name} ...", file=sys.stderr)
            rows[name] = bench(history, Path(tmp))
    mb = 1024 * 1024
    print(f"tracker import and git fast-import: best of {ROUNDS} runs each")
    print()
    print("| corpus | records | text | tracker import | git fast-import | ratio | re-import |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, r in rows.items():
        print(
            f"| {name} | {r['records']:,} ({r['commits']:,} commits) | {r['text_mb']:.1f} MB"
            f" | {r['import_s']:.2f} s | {r['fast_import_s']:.2f} s | {r['ratio']:.1f}x"
            f" | {r['reimport_s']:.2f} s |"
        )
    print()
    for name, r in rows.items():
        runs = " ".join(f"{t:.2f}" for t in r["import_runs"])
        fasts = " ".join(f"{t:.2f}" for t in r["fast_runs"])
        print(f"every run, {name}: tracker {runs} s; git fast-import {fasts} s")
    print()
    print("| corpus | database | git pack (gc --aggressive) | db / pack |")
    print("| --- | ---: | ---: | ---: |")
    for name, r in rows.items():
        print(
            f"| {name} | {r['db_bytes'] / mb:.1f} MiB | {r['pack_bytes'] / mb:.1f} MiB"
            f" | {r['db_bytes'] / r['pack_bytes']:.1f}x |"
        )
    print()
    print("| corpus | tracker fsck (wall) | in-process | versions/s | MB/s |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, r in rows.items():
        print(
            f"| {name} | {r['fsck_s']:.2f} s | {r['fsck_inner_s']:.2f} s"
            f" | {r['versions'] / r['fsck_s']:,.0f} | {r['text_mb'] / r['fsck_s']:.1f} |"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
