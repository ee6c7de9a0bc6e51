"""Check a database: every version rebuilds to its recorded sha256, and SQLite is sound.

Also checks every paragraph's text against its hash, SQLite's ``integrity_check`` and the full-text
search index against the paragraphs (FTS5's own check). It only reads: problems are reported.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..api import Tracker
from ..models import Version
from ..store.codec import paragraph_hash


@dataclass
class FsckReport:
    """What fsck checked and every problem found (empty: the database is sound)."""

    versions: int = 0
    paragraphs: int = 0
    bytes: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "versions": self.versions,
            "paragraphs": self.paragraphs,
            "bytes": self.bytes,
            "seconds": round(self.seconds, 3),
            "ok": not self.problems,
            "problems": self.problems,
        }


def fsck(tracker: Tracker, *, progress: Callable[[int, int], None] | None = None) -> FsckReport:
    """Rebuild every version and check it against its sha256; check paragraphs and SQLite."""
    started = time.perf_counter()
    report = FsckReport()
    conn = tracker.store.conn
    try:
        checks = [row[0] for row in conn.execute("pragma integrity_check").fetchall()]
    except sqlite3.DatabaseError as error:
        checks = [str(error)]
    report.problems += [f"integrity_check: {line}" for line in checks if line != "ok"]
    index = _check_search_index(conn)
    if index is not None:
        report.problems.append(index)
    corrupt: dict[int, list[str]] = {}
    known: set[int] = set()
    for pid, digest, text in conn.execute("select id, hash, text from paragraphs"):
        known.add(pid)
        report.paragraphs += 1
        if text is None or paragraph_hash(text) != digest:
            corrupt[pid] = []
    for name, number in tracker.store.damaged_versions():
        report.versions += 1
        report.problems.append(f"{name} v{number}: its paragraph list is not a JSON array")
    versions = tracker.store.all_versions(readable_only=True)
    for done, version in enumerate(versions, start=1):
        report.versions += 1
        label = f"{version.doc} v{version.version}"
        _check_version(tracker, version, label, known, corrupt, report)
        if progress is not None:
            progress(done, len(versions))
    for pid, users in corrupt.items():
        used = f" (in {', '.join(users[:5])}{' ...' if len(users) > 5 else ''})" if users else ""
        report.problems.append(f"paragraph {pid}: text does not match its hash{used}")
    report.seconds = time.perf_counter() - started
    return report


def _check_search_index(conn: sqlite3.Connection) -> str | None:
    """FTS5's own check of the search index against the paragraphs (None when it passes)."""
    try:
        conn.execute(
            "insert into paragraphs_fts(paragraphs_fts, rank) values ('integrity-check', 1)"
        )
    except sqlite3.OperationalError as error:
        if "locked" in str(error) or "busy" in str(error):
            return None  # another process is writing: the rest of the check still ran
        return f"search index: cannot be checked ({error})"
    except sqlite3.DatabaseError as error:
        return (
            f"search index: does not match the paragraphs ({error}); rebuild it with"
            " `insert into paragraphs_fts(paragraphs_fts) values ('rebuild')`"
        )
    finally:
        conn.rollback()
    return None


def _check_version(
    tracker: Tracker,
    version: Version,
    label: str,
    known: set[int],
    corrupt: dict[int, list[str]],
    report: FsckReport,
) -> None:
    missing = [pid for pid in version.paragraph_ids if pid not in known]
    if missing:
        shown = ", ".join(map(str, missing[:5]))
        report.problems.append(f"{label}: refers to missing paragraphs {shown}")
        return
    for pid in set(version.paragraph_ids) & corrupt.keys():
        corrupt[pid].append(label)
    if version.deleted:
        if version.paragraph_ids or version.sha256:
            report.problems.append(f"{label}: a deletion that has text")
        return
    try:
        data = tracker.rebuild(version, verify=False).encode("utf-8")
    except Exception as error:  # a damaged layout or paragraph list: report it, keep checking
        report.problems.append(f"{label}: cannot be rebuilt ({error})")
        return
    report.bytes += len(data)
    digest = hashlib.sha256(data).hexdigest()
    if digest != version.sha256:
        report.problems.append(
            f"{label}: rebuilt text does not match its sha256"
            f" (recorded {str(version.sha256)[:12]}, rebuilt {digest[:12]})"
        )
    elif len(data) != version.bytes:
        report.problems.append(f"{label}: {len(data)} bytes, recorded {version.bytes}")
