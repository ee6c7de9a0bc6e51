"""Check a database: every version rebuilds to its recorded sha256, and SQLite is sound.

Also checks every paragraph's text against its hash, SQLite's ``integrity_check`` and the full-text
search index against the paragraphs (FTS5's own check). It only reads: problems are reported, each
once (a damaged paragraph once, with the number of versions that use it), and nothing in the
database can make it fail: finding damage is its job.

It streams: paragraphs, then versions document by document, keeping in memory only the damaged
paragraph ids and the paragraphs of the version before, so memory stays flat however long the
history.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ..history import History
from ..render.words import plural
from ..store.codec import (
    paragraph_hash,
    paragraph_hash_of_bytes,
    rebuild_bytes,
    rebuild_text,
)

#: How many versions using a damaged paragraph are named in its problem line.
VERSIONS_NAMED = 3
#: Versions are checked in batches of at most this many versions and about this many paragraph
#: ids: one query reads the texts of a batch's paragraphs that its first version does not share
#: with the batch before (most of a document's next version is the one before it).
BATCH_VERSIONS = 256
BATCH_PARAGRAPHS = 20_000


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


@dataclass
class _Damaged:
    """A paragraph whose stored text cannot be trusted, and the versions that use it."""

    why: str
    count: int = 0
    named: list[str] = field(default_factory=list)


def fsck(history: History, *, progress: Callable[[int, int], None] | None = None) -> FsckReport:
    """Rebuild every version and check it against its sha256; check paragraphs and SQLite."""
    started = time.perf_counter()
    store = history.store
    report = FsckReport()
    sqlite_checks = store.start_integrity_checks()  # in parallel with what follows
    try:
        damaged = _check_paragraphs(history, report)
        for name, number in store.damaged_versions():
            report.versions += 1
            report.problems.append(f"{name} v{number}: its paragraph list is not a JSON array")
        total = store.count_versions()
        done = 0
        known: dict[int, bytes] = {}  # texts carried to the next batch (its last version's)
        for batch in _batches(store.version_rows_for_check()):
            parsed = [(row, _paragraph_ids(row[6])) for row in batch]
            wanted = set(itertools.chain.from_iterable(ids for _, ids in parsed if ids))
            wanted -= known.keys() | damaged.keys()
            texts = {**known, **store.paragraph_bytes_found(sorted(wanted))}
            for row, ids in parsed:
                report.versions += 1
                _check_version(row, ids, texts, damaged, report)
                done += 1
                if progress is not None:
                    progress(done, total)
            last = parsed[-1][1] or []
            known = {pid: texts[pid] for pid in last if pid in texts}
    finally:
        integrity, index = sqlite_checks()
    report.problems[:0] = [f"integrity_check: {line}" for line in integrity]
    if index is not None:
        report.problems.insert(len(integrity), index)
    for pid, bad in damaged.items():
        if bad.count:
            named = ", ".join(bad.named) + (" ..." if bad.count > len(bad.named) else "")
            used = f"used by {plural(bad.count, 'version')}: {named}"
        else:
            used = "used by no version"
        report.problems.append(f"paragraph {pid}: {bad.why} ({used})")
    report.seconds = time.perf_counter() - started
    return report


def _check_paragraphs(history: History, report: FsckReport) -> dict[int, _Damaged]:
    """Check every paragraph's text against its hash; return the damaged ones."""
    damaged: dict[int, _Damaged] = {}
    for pid, digest, raw in history.store.paragraph_rows():
        report.paragraphs += 1
        if raw is None:
            damaged[pid] = _Damaged("its text is missing")
            continue
        if isinstance(raw, bytes):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as error:
                damaged[pid] = _Damaged(f"its text is not valid UTF-8 (byte {error.start})")
                continue
            # valid UTF-8 has no surrogates: these are the bytes paragraph_hash would hash
            digest_now = paragraph_hash_of_bytes(raw)
        else:
            digest_now = paragraph_hash(str(raw))
        if digest_now != digest:
            damaged[pid] = _Damaged("its text does not match its hash")
    return damaged


def _batches(rows: Iterator[tuple]) -> Iterator[list[tuple]]:
    """Version rows in batches of at most BATCH_VERSIONS rows and about BATCH_PARAGRAPHS
    paragraph ids, so that one query fetches the paragraph texts of a whole batch."""
    batch: list[tuple] = []
    size = 0
    for row in rows:
        batch.append(row)
        size += len(row[6] or "") // 4  # about one id per four characters of JSON
        if len(batch) >= BATCH_VERSIONS or size >= BATCH_PARAGRAPHS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _paragraph_ids(ids_json: str | None) -> list[int] | None:
    """A version's paragraph ids; None when the list holds something other than ids."""
    if ids_json is None:
        return []
    ids = json.loads(ids_json)
    if set(map(type, ids)) <= {int} or all(isinstance(pid, int) for pid in ids):
        return ids
    return None


def _check_version(
    row: tuple,
    ids: list[int] | None,
    texts: dict[int, bytes],
    damaged: dict[int, _Damaged],
    report: FsckReport,
) -> None:
    """Check one version against its checksum (``texts`` holds the paragraphs it uses, as the
    UTF-8 bytes stored)."""
    _, name, number, sha256, size, deleted, _, layout = row
    label = f"{name} v{number}"
    if deleted:
        if ids is None or ids or sha256:
            report.problems.append(f"{label}: a deletion that has text")
        return
    if ids is None:
        report.problems.append(f"{label}: its paragraph list holds something other than ids")
        return
    bad = [pid for pid in dict.fromkeys(ids) if pid in damaged] if damaged else []
    for pid in bad:
        entry = damaged[pid]
        entry.count += 1
        if len(entry.named) < VERSIONS_NAMED:
            entry.named.append(label)
    if bad:
        return  # reported once, with the paragraph
    try:
        paragraphs = list(map(texts.__getitem__, ids))
    except KeyError:
        missing = [pid for pid in dict.fromkeys(ids) if pid not in texts]
        shown = ", ".join(map(str, missing[:5]))
        report.problems.append(f"{label}: refers to missing paragraphs {shown}")
        return
    try:
        data = rebuild_bytes(paragraphs, layout or "{}")
    except (ValueError, TypeError, AttributeError, UnicodeEncodeError):
        try:  # as a read rebuilds it, to say what is wrong as a read would
            text = rebuild_text([p.decode("utf-8") for p in paragraphs], layout or "{}")
            data = text.encode("utf-8")
        except (ValueError, TypeError, AttributeError, UnicodeEncodeError) as error:
            report.problems.append(f"{label}: cannot be rebuilt ({error})")
            return
    report.bytes += len(data)
    digest = hashlib.sha256(data).hexdigest()
    if digest != sha256:
        recorded = sha256[:12] if isinstance(sha256, str) else repr(sha256)
        report.problems.append(
            f"{label}: rebuilt text does not match its sha256"
            f" (recorded {recorded}, rebuilt {digest[:12]})"
        )
    elif len(data) != size:
        report.problems.append(f"{label}: {len(data)} bytes, recorded {size}")
