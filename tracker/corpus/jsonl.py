"""Import history from JSONL records (or one JSON array, gzipped or not); export.py writes them.

An import validates the whole file first, then runs in one transaction (all or nothing), and is
idempotent: a record whose text is already the document's latest, or whose (doc, time, sha256) is
already recorded, adds nothing. A rename is a record of its own
(``{"doc": new name, "renamed_from": old name, "at": time}``, no ``"text"``), so that an
export -> import round trip re-creates the renames.

An import reads its file twice (to check it, then to import it); a pipe (``/dev/stdin``,
``<(...)``) or ``-`` (stdin) would be empty the second time, so it is read once into memory first.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import stat
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from .. import refs
from ..api import Tracker
from ..errors import MalformedInput, TrackerError
from ..refs import name_problem
from ..text.encoding import sha256_text
from ..times import normalize_time, now_iso
from .export import name_at_version, renames_by_document

#: ``progress(done, total)``: called as an import advances (records or commits).
Progress = Callable[[int, int], None]


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
    """One validated import record: a version of ``doc`` (``text`` None records a deletion).

    ``renamed_from`` on a version: the document was called that before (a note only, unless a
    live document has that name: then it is renamed first). ``rename_only``: a rename record
    (no ``"text"``), which records the rename ``renamed_from`` -> ``doc`` and no version.
    """

    line: int
    doc: str
    text: str | None
    at: str | None
    note: str | None
    renamed_from: str | None = None
    rename_only: bool = False
    label: str = ""

    @property
    def where(self) -> str:
        """``line N`` (or ``record N`` in a JSON array), for messages."""
        return self.label or f"line {self.line}"


# -- JSONL import ----------------------------------------------------------------------------


_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Source:
    """An import file: a regular file is read from disk each time; a pipe, ``/dev/stdin`` or
    ``-`` (stdin) is read once into ``data``, since it is empty the second time."""

    name: str
    path: Path | None = None
    data: bytes | None = None

    @classmethod
    def open(cls, path: str | os.PathLike | Source) -> Source:
        if isinstance(path, Source):
            return path
        if str(path) == "-":
            return cls("<stdin>", data=sys.stdin.buffer.read())
        try:
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            raise TrackerError(f"{path}: no such file") from None
        except OSError as error:
            raise TrackerError(f"{path}: cannot read ({error.strerror})") from None
        if stat.S_ISREG(mode):
            return cls(str(path), path=Path(path))
        if stat.S_ISDIR(mode):
            raise TrackerError(f"{path}: is a folder, not a file")
        try:
            with open(path, "rb") as stream:
                return cls(str(path), data=stream.read())
        except OSError as error:
            raise TrackerError(f"{path}: cannot read ({error.strerror})") from None

    def __str__(self) -> str:
        return self.name


def _open_binary(source: Source) -> IO[bytes]:
    """Open a source for reading, un-gzipping it transparently (by its magic bytes, not name)."""
    if source.data is not None:
        raw = io.BufferedReader(io.BytesIO(source.data))  # type: ignore[arg-type]
    else:
        try:
            raw = open(source.path, "rb")  # noqa: SIM115 - returned to the caller, who closes it
        except FileNotFoundError:
            raise TrackerError(f"{source}: no such file") from None
        except OSError as error:
            raise TrackerError(f"{source}: cannot read ({error.strerror})") from None
    if raw.peek(2)[:2] == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    return raw


def _raw_records(source: Source) -> Iterator[tuple[str, int, object]]:
    """Yield ``(label, number, parsed JSON or a problem)``; ``[`` starts one JSON array."""
    try:
        with _open_binary(source) as stream:
            if stream.peek(3)[:3] == _BOM:  # a UTF-8 byte order mark starting the file
                stream.read(3)
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
        raise TrackerError(f"{source}: cannot read ({error})") from None


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


def _check_time(item: dict) -> str | None:
    at = item.get("at", item.get("committed_at"))
    if at is None:
        return None
    if not isinstance(at, str):
        raise ValueError('"at" must be an ISO 8601 time string')
    try:
        return normalize_time(at)
    except TrackerError:
        raise ValueError(f'"at" is not an ISO 8601 time: {at!r}') from None


def _check(line: int, item: object, label: str = "") -> Record:
    """Validate one parsed record; raise ValueError saying what is wrong."""
    if isinstance(item, _Problem):
        raise ValueError(str(item))
    if not isinstance(item, dict):
        raise ValueError(f"expected a JSON object, got {type(item).__name__}")
    doc = item.get("doc")
    if not isinstance(doc, str) or not refs.normalize_name(doc):
        raise ValueError('"doc" must be a non-empty string')
    name = refs.normalize_name(doc)
    problem = name_problem(name)
    if problem is not None:
        raise ValueError(f'"doc" {doc!r} cannot be written out as a file: {problem}')
    deleted = item.get("deleted", False)
    if deleted is None:
        deleted = False
    if not isinstance(deleted, bool):
        raise ValueError('"deleted" must be true or false')
    renamed_from = item.get("renamed_from")
    if "text" not in item and not deleted and renamed_from is not None:
        return _check_rename(line, item, name, label)
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
    at = _check_time(item)
    for key in ("note", "commit", "path", "renamed_from"):
        if item.get(key) is not None and not isinstance(item[key], str):
            raise ValueError(f'"{key}" must be a string')
    note = item.get("note")
    if note is None and item.get("commit"):
        note = f"{item['commit'][:10]} {item.get('path') or doc}"
        if renamed_from:
            note += f" (renamed from {renamed_from})"
    old = refs.normalize_name(renamed_from) if renamed_from else None
    return Record(line, name, text, at, note, renamed_from=old or None, label=label)


def _check_rename(line: int, item: dict, name: str, label: str) -> Record:
    """A rename record: ``{"doc": new name, "renamed_from": old name, "at": time}``."""
    old = item["renamed_from"]
    if not isinstance(old, str) or not refs.normalize_name(old):
        raise ValueError('"renamed_from" must be a non-empty string')
    if not _encodable(name):
        raise ValueError('"doc" is not valid Unicode (it has a lone surrogate)')
    if not _encodable(old):
        raise ValueError('"renamed_from" is not valid Unicode (it has a lone surrogate)')
    old = refs.normalize_name(old)
    if old == name:
        raise ValueError('"renamed_from" is the same as "doc"')
    at = _check_time(item)
    return Record(line, name, None, at, None, old, rename_only=True, label=label)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def read_records(path: str | os.PathLike | Source) -> Iterator[Record]:
    """Stream the validated records of an import file; the first malformed one raises."""
    source = Source.open(path)
    for label, number, item in _raw_records(source):
        try:
            yield _check(number, item, label)
        except ValueError as error:
            raise MalformedInput(str(source), [f"{label}: {error}"]) from None


def check_file(path: str | os.PathLike | Source) -> int:
    """Validate a whole import file; raise MalformedInput listing every bad line, else the count."""
    source = Source.open(path)
    problems: list[str] = []
    count = 0
    for label, number, item in _raw_records(source):
        try:
            _check(number, item, label)
        except ValueError as error:
            problems.append(f"{label}: {error}")
        count += 1
    if problems:
        raise MalformedInput(str(source), problems)
    return count


def _recorded(tracker: Tracker) -> dict[tuple[str, str], set[str | None]]:
    """The (document, time) pairs already recorded, with the checksums recorded there.

    Each version is known under the document's present name and under its name at the time
    (an export names every version as it was then, renames in between).
    """
    renames = {
        key: [(rename["version"], rename["from"]) for rename in found]
        for key, found in renames_by_document(tracker).items()
    }
    seen: dict[tuple[str, str], set[str | None]] = {}
    rows = tracker.store.conn.execute(
        "select d.id, d.name, v.version, v.captured_at, v.sha256 from versions v"
        " join documents d on d.id = v.document_id"
    )
    for document_id, name, number, at, sha in rows:
        then = name_at_version(renames.get(document_id, []), number, name)
        for known in {name, then}:
            seen.setdefault((known, at), set()).add(sha)
    return seen


def _already_renamed(tracker: Tracker, old: str, new: str, at: str) -> bool:
    row = tracker.store.conn.execute(
        "select 1 from renames where from_name = ? and to_name = ? and renamed_at = ? limit 1",
        [old, new, at],
    ).fetchone()
    return row is not None


def import_jsonl(
    tracker: Tracker,
    path: str | os.PathLike,
    *,
    split: str = "auto",
    progress: Progress | None = None,
    warn: Callable[[str], None] | None = None,
) -> ImportResult:
    """Import a JSONL (or gzipped, or JSON array) history file: validate all of it, then record.

    Records that cannot apply are skipped with a warning (``line N: ...``): the deletion of a
    document never tracked, a rename record whose old name is unknown or whose new name is taken.
    """
    source = Source.open(path)  # a pipe is read once, here
    total = check_file(source)
    importer = _Importer(tracker, split, warn)
    with tracker.store.transaction():
        for done, record in enumerate(read_records(source), start=1):
            if record.rename_only:
                importer.rename(record)
            else:
                importer.version(record)
            if progress is not None:
                progress(done, total)
    return importer.result


class _Importer:
    """Applies validated records one by one, inside the import's transaction."""

    def __init__(self, tracker: Tracker, split: str, warn: Callable[[str], None] | None):
        self.tracker = tracker
        self.store = tracker.store
        self.split = split
        self.warn = warn
        self.seen = _recorded(tracker)
        self.result = ImportResult()

    def skip(self, record: Record, name: str, reason: str) -> None:
        message = f"{record.where}: {reason}"
        self.result.skipped.append((name, message))
        if self.warn is not None:
            self.warn(message)

    def rename(self, record: Record) -> None:
        """A rename record: rename ``renamed_from`` to ``doc``, unless that was done before."""
        old, new = record.renamed_from, record.doc
        assert old is not None
        at = record.at or now_iso()
        if _already_renamed(self.tracker, old, new, at):
            return  # imported before
        if self.store.document(old) is None:
            self.skip(record, old, f"rename of unknown document {old} ignored")
        elif self.store.document(new) is not None:
            self.skip(record, old, f"cannot rename {old} to {new}: {new} is tracked")
        else:
            self.tracker.rename(old, new, at)
            self.result.renamed.append((old, new))

    def version(self, record: Record) -> None:
        """A version (or deletion) of ``doc``, renamed first from a live ``renamed_from``."""
        at = record.at or now_iso()
        text = record.text
        shas = self.seen.get((record.doc, at))
        if shas is not None and (None if text is None else sha256_text(text)) in shas:
            self.result.unchanged += 1  # this very version was imported before
            return
        if text is None and self.store.document(record.doc) is None:
            self.skip(record, record.doc, f"deletion of unknown document {record.doc} ignored")
            return
        old = record.renamed_from
        # Only a live document under the old name is renamed: in the corpora's format "doc" is
        # the final name of every record, so "renamed_from" never names a tracked document there
        # and stays a note; in tracker's own export each record has the name at that time.
        if old is not None and old != record.doc and self.store.document(record.doc) is None:
            previous = self.store.document(old)
            if previous is not None and not previous.deleted:
                self.tracker.rename(old, record.doc, at)
                self.result.renamed.append((old, record.doc))
        version = self.tracker.record(record.doc, text, at, note=record.note, split=self.split)
        if version is None:
            self.result.unchanged += 1
        else:
            self.seen.setdefault((record.doc, at), set()).add(version.sha256)
            self.result.recorded += 1


# -- export ----------------------------------------------------------------------------------
