"""Run the benchmarks the way a user's machine runs tracker: with Python's bytecode cache.

Some environments (CI images, this project's sandbox) set PYTHONDONTWRITEBYTECODE, so that every
`tracker` process would compile its modules from source again: 30-40 ms that no installed copy
pays. The benchmarks drop the variable for their child processes and compile the package once.

:func:`timed` times one such process, whole; :func:`rows_digest` checks what it wrote.
"""

from __future__ import annotations

import compileall
import hashlib
import os
import sqlite3
import subprocess
import time
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "tracker"


def use_bytecode_cache() -> None:
    """Let child processes read (and write) .pyc files, and write them for tracker now."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    compileall.compile_dir(PACKAGE, quiet=1)


def timed(command: list[str], cwd: Path, env: dict | None = None) -> float:
    """Seconds one whole `command` process takes, run in ``cwd`` (its output dropped)."""
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=cwd, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def rows_digest(db: Path, *queries: str) -> str:
    """A checksum of every row the queries read from ``db``: equal digests, equal rows."""
    hashed = hashlib.sha256()
    with sqlite3.connect(db) as conn:
        for sql in queries:
            for row in conn.execute(sql):
                hashed.update(repr(row).encode())
    conn.close()
    return hashed.hexdigest()
