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
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import TrackerError
from ..history import History
from ..render.words import plural
from ..store.codec import decode_layout, paragraph_hash
from ..text.paragraphs import join

#: How many versions using a damaged paragraph are named in its problem line.
VERSIONS_NAMED = 3


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
    report.problems += [f"integrity_check: {line}" for line in store.integrity_problems()]
    index = store.search_index_problem()
    if index is not None:
        report.problems.append(index)
    damaged: dict[int, _Damaged] = {}
    try:
        _check_paragraphs(history, report, damaged)
    except TrackerError as error:  # a file SQLite cannot read to the end: say so, go on
        report.problems.append(f"paragraphs: cannot be read to the end ({error})")
    try:
        for document_id, raw in store.raw_document_names():
            if _text(raw) is raw and raw is not None:
                report.problems.append(
                    f"document {document_id}: its name is not valid UTF-8 ({_name(raw)})"
                )
        for name, number in store.damaged_versions():
            report.versions += 1
            report.problems.append(
                f"{_name(name)} v{number}: its paragraph list is not a JSON array"
            )
        total = store.count_versions()
        texts: dict[int, str] = {}  # the paragraphs of the version before, same document
        document = None
        for done, row in enumerate(store.version_rows_for_check(), start=1):
            if row[0] != document:
                document, texts = row[0], {}
            report.versions += 1
            texts = _check_version(history, row, texts, damaged, report)
            if progress is not None:
                progress(done, total)
    except TrackerError as error:
        report.problems.append(f"versions: cannot be read to the end ({error})")
    for pid, bad in damaged.items():
        if bad.count:
            named = ", ".join(bad.named) + (" ..." if bad.count > len(bad.named) else "")
            used = f"used by {plural(bad.count, 'version')}: {named}"
        else:
            used = "used by no version"
        report.problems.append(f"paragraph {pid}: {bad.why} ({used})")
    report.seconds = time.perf_counter() - started
    return report


def _name(raw: bytes | None) -> str:
    """A document name read as stored bytes, for a problem line (bytes that are not UTF-8
    shown escaped)."""
    if raw is None:
        return "(a document without a name)"
    return raw.decode("utf-8", "backslashreplace") if isinstance(raw, bytes) else str(raw)


def _text(raw: object) -> object:
    """A column read as stored bytes, as text when it is valid UTF-8 (else left as bytes)."""
    if isinstance(raw, bytes):
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw
    return raw


def _check_paragraphs(history: History, report: FsckReport, damaged: dict[int, _Damaged]) -> None:
    """Check every paragraph's text against its hash; note the damaged ones in ``damaged``."""
    for pid, digest, raw, kind in history.store.paragraph_rows():
        report.paragraphs += 1
        if raw is None:
            damaged[pid] = _Damaged("its text is missing")
            continue
        if kind != "text":
            damaged[pid] = _Damaged(f"its text is stored as {kind}, not text")
            continue
        try:
            text = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
        except UnicodeDecodeError as error:
            damaged[pid] = _Damaged(f"its text is not valid UTF-8 (byte {error.start})")
            continue
        if paragraph_hash(text) != digest:
            damaged[pid] = _Damaged("its text does not match its hash")


def _check_version(
    history: History,
    row: tuple,
    previous: dict[int, str],
    damaged: dict[int, _Damaged],
    report: FsckReport,
) -> dict[int, str]:
    """Check one version; return its paragraph texts (for the next version of the document)."""
    _, name, number, sha256, size, deleted, ids_json, layout = row
    label = f"{_name(name)} v{number}"
    sha256, layout = _text(sha256), _text(layout)
    try:
        ids = json.loads(ids_json or "[]")
    except ValueError:  # SQLite's json_valid let through what Python's json does not read
        ids = None
    if not isinstance(ids, list):
        report.problems.append(f"{label}: its paragraph list is not a JSON array")
        return previous
    if deleted:
        if ids or sha256:
            report.problems.append(f"{label}: a deletion that has text")
        return previous
    if not all(isinstance(pid, int) and not isinstance(pid, bool) for pid in ids):
        report.problems.append(f"{label}: its paragraph list holds something other than ids")
        return previous
    bad = [pid for pid in dict.fromkeys(ids) if pid in damaged]
    for pid in bad:
        entry = damaged[pid]
        entry.count += 1
        if len(entry.named) < VERSIONS_NAMED:
            entry.named.append(label)
    if bad:
        return previous  # reported once, with the paragraph
    wanted = [pid for pid in dict.fromkeys(ids) if pid not in previous]
    texts = {pid: previous[pid] for pid in ids if pid in previous}
    found = history.store.paragraph_texts_found(wanted)
    missing = [pid for pid in wanted if pid not in found]
    if missing:
        shown = ", ".join(map(str, missing[:5]))
        report.problems.append(f"{label}: refers to missing paragraphs {shown}")
        return previous
    texts.update(found)
    try:
        separators = decode_layout(layout or "{}", len(ids))
    except (ValueError, TypeError, AttributeError) as error:
        report.problems.append(f"{label}: its layout is damaged ({error})")
        return texts
    try:
        data = join([texts[pid] for pid in ids], separators).encode("utf-8")
    except (ValueError, TypeError, AttributeError, UnicodeEncodeError) as error:
        report.problems.append(f"{label}: cannot be rebuilt ({error})")
        return texts
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
    return texts
