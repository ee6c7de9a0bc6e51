"""Check a database: every version rebuilds to its recorded sha256, and SQLite is sound.

Also checks every paragraph's text against its hash, SQLite's ``integrity_check`` and the full-text
search index against the paragraphs (FTS5's own check), every version's lineage list, that each
document's versions are numbered without a gap, and that no row belongs to a version, document or
paragraph that is gone (``foreign_key_check``). It only reads: problems are reported, each
once (a damaged paragraph once, with the number of versions that use it), and nothing in the
database can make it fail: finding damage is its job.

It streams: paragraphs, then versions document by document in batches, keeping in memory only
the damaged paragraph ids and the paragraphs of the batch at hand, so memory stays flat however
long the history. SQLite's own checks run meanwhile on a second connection.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ..errors import TrackerError
from ..history import History
from ..render.words import plural
from ..store.codec import (
    decode_layout,
    decode_runs,
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
    damaged: dict[int, _Damaged] = {}
    try:
        try:
            _check_paragraphs(history, report, damaged)
        except TrackerError as error:  # a file SQLite cannot read to the end: say so, go on
            report.problems.append(f"paragraphs: cannot be read to the end ({error})")
        structure_at = len(report.problems)  # the versions missing and rows orphaned go here
        try:
            _check_versions(history, report, damaged, progress)
        except TrackerError as error:
            report.problems.append(f"versions: cannot be read to the end ({error})")
    finally:
        integrity, index, structure = sqlite_checks()
    report.problems[structure_at:structure_at] = _structure_lines(structure)
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


def _check_versions(
    history: History,
    report: FsckReport,
    damaged: dict[int, _Damaged],
    progress: Callable[[int, int], None] | None,
) -> None:
    """Check document names, then every version, in batches (see :data:`BATCH_VERSIONS`)."""
    store = history.store
    for document_id, raw in store.raw_document_names():
        if _text(raw) is raw and raw is not None:
            report.problems.append(
                f"document {document_id}: its name is not valid UTF-8 ({_name(raw)})"
            )
    for name, number in store.damaged_versions():
        report.versions += 1
        report.problems.append(f"{_name(name)} v{number}: its paragraph list is not a JSON array")
    for name, number, mark in store.dangling_lineage_marks():
        report.problems.append(
            f"{_name(name)} v{number}: its lineages are those of v{mark}, which has none"
        )
    total = store.count_versions()
    done = 0
    known: dict[int, bytes] = {}  # texts carried to the next batch (its last version's)
    for batch in _batches(store.version_rows_for_check()):
        parsed = [(row, _paragraph_ids(row[6])) for row in batch]
        wanted = set(
            itertools.chain.from_iterable(ids for _, ids in parsed if isinstance(ids, list))
        )
        wanted -= known.keys() | damaged.keys()
        texts = {**known, **store.paragraph_bytes_found(sorted(wanted))}
        for row, ids in parsed:
            report.versions += 1
            _check_version(row, ids, texts, damaged, report)
            done += 1
            if progress is not None:
                progress(done, total)
        last = parsed[-1][1]
        known = {pid: texts[pid] for pid in last if pid in texts} if isinstance(last, list) else {}


def _structure_lines(structure: tuple[list, list] | str) -> list[str]:
    """The problem lines of the versions missing from a history and the rows left orphaned."""
    if isinstance(structure, str):
        return [f"versions: cannot be read to the end ({structure})"]
    gaps, orphans = structure
    lines = []
    for name, first, last in gaps:
        missing = f"v{first}" if first == last else f"v{first}..v{last}"
        lines.append(f"{_name(name)}: {missing} missing from its history")
    for table, parent, count in orphans:
        lines.append(f"{table}: {plural(count, 'row')} belonging to {parent} that are gone")
    return lines


def _lineage_count(label: str, lineages: bytes | None, report: FsckReport) -> int | None:
    """How many lineages a version's own lineage list names; None for a mark naming another
    version's list (checked by ``dangling_lineage_marks``), for none, or for a list that does not
    read (reported here)."""
    if lineages is None or lineages[:1].isdigit():
        return None
    try:
        return len(decode_runs(lineages))
    except TrackerError:
        report.problems.append(f"{label}: its lineage list is not readable")
        return None


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
        data = raw if isinstance(raw, bytes) else str(raw).encode("utf-8", "surrogatepass")
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            damaged[pid] = _Damaged(f"its text is not valid UTF-8 (byte {error.start})")
            continue
        # valid UTF-8 has no surrogates: these are the bytes paragraph_hash would hash
        if paragraph_hash_of_bytes(data) != digest:
            damaged[pid] = _Damaged("its text does not match its hash")


def _batches(rows: Iterator[tuple]) -> Iterator[list[tuple]]:
    """Version rows in batches of at most BATCH_VERSIONS rows and about BATCH_PARAGRAPHS
    paragraph ids, so that one query fetches the paragraph texts of a whole batch."""
    batch: list[tuple] = []
    size = 0
    for row in rows:
        batch.append(row)
        size += len(row[6] or b"") // 4  # about one id per four characters of JSON
        if len(batch) >= BATCH_VERSIONS or size >= BATCH_PARAGRAPHS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


#: What :func:`_paragraph_ids` gives for a list that is not a JSON array (for a check that
#: SQLite's ``json_valid`` passed but Python's json does not read) and for one holding other
#: things than ids.
NOT_AN_ARRAY = "not an array"
NOT_IDS = "not ids"


def _paragraph_ids(ids_json: bytes | str | None) -> list[int] | str:
    """A version's paragraph ids, or why its list is not one (:data:`NOT_AN_ARRAY`,
    :data:`NOT_IDS`)."""
    try:
        ids = json.loads(ids_json or "[]")
    except ValueError:
        return NOT_AN_ARRAY
    if not isinstance(ids, list):
        return NOT_AN_ARRAY
    if set(map(type, ids)) <= {int}:
        return ids
    return NOT_IDS


def _check_version(
    row: tuple,
    ids: list[int] | str,
    texts: dict[int, bytes],
    damaged: dict[int, _Damaged],
    report: FsckReport,
) -> None:
    """Check one version against its checksum (``texts`` holds the paragraphs it uses, as the
    UTF-8 bytes stored; ``ids`` is what :func:`_paragraph_ids` made of its list), and its
    lineage list: one lineage per paragraph (said only of a version otherwise sound)."""
    _, name, number, sha256, size, deleted, _, layout, lineages = row
    label = f"{_name(name)} v{number}"
    lineage_count = _lineage_count(label, lineages, report)
    sha256, layout = _text(sha256), _text(layout)
    if ids == NOT_AN_ARRAY:
        report.problems.append(f"{label}: its paragraph list is not a JSON array")
        return
    if deleted:
        if ids or sha256:
            report.problems.append(f"{label}: a deletion that has text")
        return
    if ids == NOT_IDS:
        report.problems.append(f"{label}: its paragraph list holds something other than ids")
        return
    assert isinstance(ids, list)
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
    data = _rebuild(label, paragraphs, layout, report)
    if data is None:
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
    elif lineage_count is not None and lineage_count != len(ids):
        report.problems.append(
            f"{label}: {plural(lineage_count, 'lineage')} for {plural(len(ids), 'paragraph')}"
        )


def _rebuild(
    label: str, paragraphs: list[bytes], layout: object, report: FsckReport
) -> bytes | None:
    """The UTF-8 bytes of a version, or None with the problem reported: a damaged layout, or
    text that cannot be rebuilt (said as a read would say it)."""
    try:
        return rebuild_bytes(paragraphs, layout or "{}")  # type: ignore[arg-type]
    except (ValueError, TypeError, AttributeError, UnicodeEncodeError):
        pass
    try:
        decode_layout(layout or "{}", len(paragraphs))  # type: ignore[arg-type]
    except (ValueError, TypeError, AttributeError) as error:
        report.problems.append(f"{label}: its layout is damaged ({error})")
        return None
    try:
        text = rebuild_text([p.decode("utf-8") for p in paragraphs], layout or "{}")  # type: ignore[arg-type]
        return text.encode("utf-8")
    except (ValueError, TypeError, AttributeError, UnicodeEncodeError) as error:
        report.problems.append(f"{label}: cannot be rebuilt ({error})")
        return None
