"""History in and out as JSONL records (or one JSON array, gzipped or not): import and export.

An import validates the whole file first, then runs in one transaction (all or nothing), and is
idempotent: a record whose text is already the document's latest, or whose (doc, time, sha256) is
already recorded, adds nothing. Export writes every version back in the same format.
"""

from __future__ import annotations

import gzip
import heapq
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from . import refs
from .api import Tracker
from .errors import MalformedInput, TrackerError
from .snapshot import sha256_text
from .store import Version, normalize_time, now_iso

#: ``progress(done, total)``: called as an import advances (records or commits).
Progress = Callable[[int, int], None]

#: The fields of one exported record, in the order they are written.
EXPORT_FIELDS = ("doc", "text", "at", "deleted", "note")


@dataclass
class ImportResult:
    """What an import did: versions recorded, records that changed nothing, renames, skips."""

    recorded: int = 0
    unchanged: int = 0
    renamed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    commits: int | None = None

    def as_dict(self) -> dict:
        data = {
            "recorded": self.recorded,
            "unchanged": self.unchanged,
            "renamed": [{"from": old, "to": new} for old, new in self.renamed],
            "skipped": [{"path": path, "reason": reason} for path, reason in self.skipped],
        }
        if self.commits is not None:
            data["commits"] = self.commits
        return data


@dataclass(frozen=True)
class Record:
    """One validated import record: a version of ``doc`` (``text`` None records a deletion)."""

    line: int
    doc: str
    text: str | None
    at: str | None
    note: str | None


# -- JSONL import ----------------------------------------------------------------------------


def _open_binary(path: Path) -> IO[bytes]:
    """Open a file for reading, transparently un-gzipping it (by its magic bytes, not its name)."""
    try:
        raw = open(path, "rb")  # noqa: SIM115 - returned to the caller, who closes it
    except FileNotFoundError:
        raise TrackerError(f"{path}: no such file") from None
    except OSError as error:
        raise TrackerError(f"{path}: cannot read ({error.strerror})") from None
    if raw.peek(2)[:2] == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    return raw


def _raw_records(path: Path) -> Iterator[tuple[str, int, object]]:
    """Yield ``(label, number, parsed JSON or a problem)``; ``[`` starts one JSON array."""
    try:
        with _open_binary(path) as stream:
            if stream.peek(64).lstrip()[:1] == b"[":
                yield from _array_records(stream.read())
                return
            for number, raw in enumerate(stream, start=1):
                if not raw.strip():
                    continue
                try:
                    yield f"line {number}", number, json.loads(raw.decode("utf-8"))
                except UnicodeDecodeError as error:
                    yield (
                        f"line {number}",
                        number,
                        _Problem(f"not valid UTF-8 (byte {error.start})"),
                    )
                except json.JSONDecodeError as error:
                    problem = _Problem(f"not valid JSON ({error.msg}, column {error.colno})")
                    yield f"line {number}", number, problem
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise TrackerError(f"{path}: cannot read ({error})") from None


def _array_records(data: bytes) -> Iterator[tuple[str, int, object]]:
    """The records of a JSON array file (``tracker export --format json``), numbered from 1."""
    try:
        items = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        yield "file", 1, _Problem(f"not a valid JSON array ({error})")
        return
    for number, item in enumerate(items, start=1):
        yield f"record {number}", number, item


class _Problem(str):
    """A parse error in place of a record."""


def _check(line: int, item: object) -> Record:
    """Validate one parsed record; raise ValueError saying what is wrong."""
    if isinstance(item, _Problem):
        raise ValueError(str(item))
    if not isinstance(item, dict):
        raise ValueError(f"expected a JSON object, got {type(item).__name__}")
    doc = item.get("doc")
    if not isinstance(doc, str) or not refs.normalize_name(doc):
        raise ValueError('"doc" must be a non-empty string')
    deleted = item.get("deleted", False)
    if deleted is None:
        deleted = False
    if not isinstance(deleted, bool):
        raise ValueError('"deleted" must be true or false')
    if "text" not in item and not deleted:
        raise ValueError('missing "text" (a string, or null for a deletion)')
    text = item.get("text")
    if text is not None and not isinstance(text, str):
        raise ValueError('"text" must be a string or null')
    if text is not None and not _encodable(text):
        raise ValueError('"text" is not valid Unicode (it has a lone surrogate)')
    if not _encodable(doc):
        raise ValueError('"doc" is not valid Unicode (it has a lone surrogate)')
    if deleted and text is not None:
        raise ValueError('"deleted" is true but "text" is not null')
    if "deleted" in item and item["deleted"] is False and text is None:
        raise ValueError('"text" is null but "deleted" is false')
    at = item.get("at", item.get("committed_at"))
    if at is not None:
        if not isinstance(at, str):
            raise ValueError('"at" must be an ISO 8601 time string')
        try:
            at = normalize_time(at)
        except TrackerError:
            raise ValueError(f'"at" is not an ISO 8601 time: {at!r}') from None
    for key in ("note", "commit", "path", "renamed_from"):
        if item.get(key) is not None and not isinstance(item[key], str):
            raise ValueError(f'"{key}" must be a string')
    note = item.get("note")
    if note is None and item.get("commit"):
        note = f"{item['commit'][:10]} {item.get('path') or doc}"
        if item.get("renamed_from"):
            note += f" (renamed from {item['renamed_from']})"
    return Record(line, refs.normalize_name(doc), text, at, note)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def read_records(path: str | os.PathLike) -> Iterator[Record]:
    """Stream the validated records of an import file; the first malformed one raises."""
    for label, number, item in _raw_records(Path(path)):
        try:
            yield _check(number, item)
        except ValueError as error:
            raise MalformedInput(str(path), [f"{label}: {error}"]) from None


def check_file(path: str | os.PathLike) -> int:
    """Validate a whole import file; raise MalformedInput listing every bad line, else the count."""
    problems: list[str] = []
    count = 0
    for label, number, item in _raw_records(Path(path)):
        try:
            _check(number, item)
        except ValueError as error:
            problems.append(f"{label}: {error}")
        count += 1
    if problems:
        raise MalformedInput(str(path), problems)
    return count


def _recorded(tracker: Tracker) -> dict[tuple[str, str], set[str | None]]:
    """The (document, time) pairs already recorded, with the checksums recorded there."""
    seen: dict[tuple[str, str], set[str | None]] = {}
    rows = tracker.store.conn.execute(
        "select d.name, v.captured_at, v.sha256 from versions v"
        " join documents d on d.id = v.document_id"
    )
    for name, at, sha in rows:
        seen.setdefault((name, at), set()).add(sha)
    return seen


def import_jsonl(
    tracker: Tracker,
    path: str | os.PathLike,
    *,
    split: str = "auto",
    progress: Progress | None = None,
) -> ImportResult:
    """Import a JSONL (or gzipped, or JSON array) history file: validate all of it, then record."""
    total = check_file(path)
    seen = _recorded(tracker)
    result = ImportResult()
    with tracker.store.transaction():
        for done, record in enumerate(read_records(path), start=1):
            at = record.at or now_iso()
            shas = seen.get((record.doc, at))
            text = record.text
            if shas is not None and (None if text is None else sha256_text(text)) in shas:
                version = None  # this very version was imported before
            else:
                version = tracker.record(record.doc, text, at, note=record.note, split=split)
            if version is None:
                result.unchanged += 1
            else:
                seen.setdefault((record.doc, at), set()).add(version.sha256)
                result.recorded += 1
            if progress is not None:
                progress(done, total)
    return result


# -- export ----------------------------------------------------------------------------------


def export_records(tracker: Tracker) -> Iterator[dict]:
    """Every version as an import record, in time order, each document's versions in order.

    Commit times are not always monotonic, so this merges the documents' version lists by time
    instead of sorting: a re-import then records every document's versions in the same order.
    """
    lists: dict[int, list[Version]] = {}
    for version in sorted(tracker.store.all_versions(), key=lambda v: (v.document_id, v.version)):
        lists.setdefault(version.document_id, []).append(version)
    heap = [(versions[0].captured_at, versions[0].doc, 0, key) for key, versions in lists.items()]
    heapq.heapify(heap)
    while heap:
        _, _, index, key = heapq.heappop(heap)
        version = lists[key][index]
        yield {
            "doc": version.doc,
            "text": None if version.deleted else tracker.rebuild(version),
            "at": version.captured_at,
            "deleted": version.deleted,
            "note": version.note,
        }
        if index + 1 < len(lists[key]):
            following = lists[key][index + 1]
            heapq.heappush(heap, (following.captured_at, following.doc, index + 1, key))


def export(tracker: Tracker, out: IO[bytes], fmt: str = "jsonl") -> int:
    """Write the whole history to a binary stream as JSONL or one JSON array; return the count."""
    if fmt not in ("jsonl", "json"):
        raise TrackerError(f"unknown export format {fmt!r}: use jsonl or json")
    count = 0
    if fmt == "json":
        out.write(b"[")
    for record in export_records(tracker):
        data = json.dumps(record, ensure_ascii=False).encode("utf-8")
        if fmt == "json":
            out.write(b"\n" if count == 0 else b",\n")
            out.write(data)
        else:
            out.write(data + b"\n")
        count += 1
    if fmt == "json":
        out.write(b"\n]\n")
    return count


def export_to_file(tracker: Tracker, path: str | os.PathLike, fmt: str = "jsonl") -> int:
    """Export into a file (gzip-compressed when its name ends in ``.gz``), replacing it whole."""
    target = Path(path)
    partial = target.with_name(target.name + ".partial")
    try:
        gz = target.suffix == ".gz"
        with gzip.open(partial, "wb", compresslevel=6) if gz else open(partial, "wb") as out:
            count = export(tracker, out, fmt)
        os.replace(partial, target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise TrackerError(f"{path}: cannot write ({error.strerror or error})") from None
    return count
