"""Read and check import records: JSONL (or one JSON array), gzipped or not, from a file or a pipe.

Every record is checked before anything is imported (:func:`check_file` lists every malformed
line). The check keeps the records of a file of up to :data:`KEEP_BYTES` of text for the import;
a larger file is read twice (to check it, then to import it). A pipe (``/dev/stdin``,
``<(...)``) or ``-`` (stdin) would be empty the second time, so it is read once into memory first.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .. import refs
from ..errors import MalformedInput, TrackerError
from ..refs import name_problem
from ..render.words import plural
from ..times import normalize_time


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
                except RecursionError:
                    yield f"line {number}", number, _Problem("JSON nested too deep")
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise TrackerError(f"{source}: cannot read ({error})") from None


def _array_records(data: bytes) -> Iterator[tuple[str, int, object]]:
    """The records of a JSON array file (``tracker export --format json``), numbered from 1."""
    try:
        items = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        yield "file", 1, _Problem(f"not a valid JSON array ({error})")
        return
    except RecursionError:
        yield "file", 1, _Problem("not a valid JSON array (nested too deep)")
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
        raise ValueError(f"expected a JSON object, got {_json_kind(item)}")
    doc = item.get("doc")
    if not isinstance(doc, str) or not refs.normalize_name(doc):
        raise ValueError('"doc" must be a non-empty string')
    name = _kept_name("doc", doc)
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
    old = _kept_name("renamed_from", renamed_from) if renamed_from else None
    return Record(line, name, text, at, note, renamed_from=old or None, label=label)


def _json_kind(item: object) -> str:
    """What a parsed JSON value is, in JSON's words (Python's ``NoneType`` means nothing to a
    user who wrote ``null``)."""
    if isinstance(item, bool):
        return "true" if item else "false"
    kinds = {type(None): "null", list: "an array", str: "a string", int: "a number"}
    return kinds.get(type(item), "a number")  # float, the one type left


def _kept_name(key: str, value: str) -> str:
    """The name a record's ``key`` is stored under; refuse one that would lose leading or
    trailing whitespace: " a.txt" and "a.txt" in one file would be a single history."""
    name = refs.normalize_name(value)
    if value.strip() != value:
        raise ValueError(
            f'"{key}" {value!r} has leading or trailing whitespace, which names do not keep'
            f" (it would be stored as {name!r})"
        )
    return name


def _check_rename(line: int, item: dict, name: str, label: str) -> Record:
    """A rename record: ``{"doc": new name, "renamed_from": old name, "at": time}``."""
    old = item["renamed_from"]
    if not isinstance(old, str) or not refs.normalize_name(old):
        raise ValueError('"renamed_from" must be a non-empty string')
    if not _encodable(name):
        raise ValueError('"doc" is not valid Unicode (it has a lone surrogate)')
    if not _encodable(old):
        raise ValueError('"renamed_from" is not valid Unicode (it has a lone surrogate)')
    old = _kept_name("renamed_from", old)
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


def record_problem(item: object) -> str | None:
    """Why `tracker import` would refuse a parsed record (what :func:`check_file` would list for
    it), or None: an export writes only records that pass."""
    try:
        _check(0, item)
    except ValueError as error:
        return str(error)
    return None


def read_records(path: str | os.PathLike | Source) -> Iterator[Record]:
    """Stream the validated records of an import file; the first malformed one raises."""
    source = Source.open(path)
    for label, number, item in _raw_records(source):
        try:
            yield _check(number, item, label)
        except ValueError as error:
            raise _malformed(source, [f"{label}: {error}"]) from None


#: An import file whose texts take at most this much memory is read, un-gzipped and parsed
#: once: the check keeps its records for the import (5-8% of an import of python-peps or of
#: the churn history). A larger one is read twice, in constant memory.
KEEP_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Checked:
    """What :func:`check_file` found: how many records, and the records themselves if their
    texts took at most the memory it was given to keep them in (else None: read them again)."""

    count: int
    records: list[Record] | None


def check_file(path: str | os.PathLike | Source, keep: int = 0) -> Checked:
    """Validate a whole import file; raise MalformedInput listing every bad line, else say how
    many records it holds, with the records if their texts take at most ``keep`` bytes."""
    source = Source.open(path)
    problems: list[str] = []
    count = 0
    kept: list[Record] | None = [] if keep > 0 else None
    size = 0
    for label, number, item in _raw_records(source):
        count += 1
        try:
            record = _check(number, item, label)
        except ValueError as error:
            problems.append(f"{label}: {error}")
            kept = None
            continue
        if kept is not None:
            size += sys.getsizeof(record.text) + 200  # the text, and the record around it
            if size > keep:
                kept = None
            else:
                kept.append(record)
    if problems:
        raise _malformed(source, problems)
    return Checked(count, kept)


def handed_over(records: list[Record]) -> Iterator[Record]:
    """Yield the records kept by :func:`check_file` in order, letting go of each as it goes:
    the memory they take shrinks while they are imported. Empties the list."""
    records.reverse()
    while records:
        yield records.pop()


def _malformed(source: Source, problems: list[str]) -> MalformedInput:
    """The error of an import file with malformed records (listed in ``problems``)."""
    count = plural(len(problems), "malformed record")
    return MalformedInput(f"{source}: {count}, nothing imported", problems)
