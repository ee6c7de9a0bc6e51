"""Write the whole history out in the import format (JSONL or one JSON array, gzipped or not).

Each version's ``doc`` is the document's name at that time and each rename is a record of its
own, so `tracker import` re-creates the same history, renames included. Every record is checked
with the import's own rules before it is written: an export can always be imported.
"""

from __future__ import annotations

import gzip
import heapq
import json
import os
import stat
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import IO, NamedTuple

from .. import refs
from ..errors import TrackerError
from ..history import History
from ..models import Rename, Version, name_at
from .records import record_problem


class Exported(NamedTuple):
    """What an export wrote: version records (deletions included) and rename records."""

    versions: int
    renames: int


#: How many versions of each document an export holds at a time (it reads every document's
#: next few at once, to merge them by time): memory grows with the documents, not the versions.
VERSIONS_PER_READ = 8

#: One event of a document's history: (time, 0 for a rename and 1 for a version, name then,
#: its place in the document's events, document id, the rename or version).
Event = tuple[str, int, str, int, int, "Version | Rename"]


def export_records(history: History) -> Iterator[dict]:
    """Every version and every rename as an import record, in time order, each document's in
    order.

    A version is ``{"doc", "text", "at", "deleted", "note"}`` with ``doc`` the document's name at
    that time; a rename is ``{"doc": new name, "renamed_from": old name, "at"}`` (no ``text``),
    between the versions it came between. Commit times are not always monotonic, so this merges
    the documents' event lists by time instead of sorting: a re-import then records every
    document's versions and renames in the same order. At equal times, renames come first (a
    commit that renames ``a`` to ``b`` and adds a new ``a``). Each document's versions are read
    a few at a time (:data:`VERSIONS_PER_READ`), so the memory does not grow with the history.
    """
    renames = history.store.all_renames()
    streams = [
        _events(history, key, renames.get(key, [])) for key in history.store.versioned_documents()
    ]
    for at, _, name, _, _, event in heapq.merge(*streams, key=lambda e: e[:5]):
        if isinstance(event, Version):
            yield {
                "doc": name,
                "text": None if event.deleted else history.rebuild(event),
                "at": at,
                "deleted": event.deleted,
                "note": event.note,
            }
        else:
            yield {"doc": name, "renamed_from": event.old, "at": at}


def _events(history: History, key: int, moves: list[Rename]) -> Iterator[Event]:
    """The events of document ``key`` in order: its versions, and its renames between them."""
    pending = iter(moves)
    upcoming = next(pending, None)
    index, last = 0, 0
    while batch := history.store.versions_after(key, last, VERSIONS_PER_READ):
        for version in batch:
            while upcoming is not None and upcoming.version < version.version:
                yield upcoming.at, 0, upcoming.new, index, key, upcoming
                index += 1
                upcoming = next(pending, None)
            name = name_at(moves, version.version, version.doc)
            yield version.captured_at, 1, name, index, key, version
            index += 1
        last = batch[-1].version
    while upcoming is not None:
        yield upcoming.at, 0, upcoming.new, index, key, upcoming
        index += 1
        upcoming = next(pending, None)


def _problem(record: dict) -> str | None:
    """Why an export leaves a record out: the import would refuse it, or it is a rename from a
    name the import would have refused (so the export holds no document by that name)."""
    problem = record_problem(record)
    if problem is None and "text" not in record and record.get("renamed_from"):
        old = record["renamed_from"]
        old_problem = refs.name_problem(refs.normalize_name(old))
        if old_problem is not None:
            problem = f'"renamed_from" {old!r} cannot be written out as a file: {old_problem}'
    return problem


def export(
    history: History,
    out: IO[bytes],
    fmt: str = "jsonl",
    *,
    left_out: Callable[[str, int], None] | None = None,
) -> Exported:
    """Write the whole history to a binary stream as JSONL or one JSON array; return how many
    versions and renames it wrote.

    Only records that `tracker import` accepts are written, so an export can always be imported.
    A database written by an older tracker may hold names refused today ('../x', a control
    character): their records are left out, and ``left_out(problem, count)`` is called once per
    problem at the end, with the import's own description of it.
    """
    if fmt not in ("jsonl", "json"):
        raise TrackerError(f"unknown export format {fmt!r}: use jsonl or json")
    count = renames = 0
    refused: dict[str, int] = {}
    if fmt == "json":
        out.write(b"[")
    for record in export_records(history):
        problem = _problem(record)
        if problem is not None:
            refused[problem] = refused.get(problem, 0) + 1
            continue
        data = json.dumps(record, ensure_ascii=False).encode("utf-8")
        if fmt == "json":
            out.write(b"\n" if count == 0 else b",\n")
            out.write(data)
        else:
            out.write(data + b"\n")
        count += 1
        renames += "renamed_from" in record
    if fmt == "json":
        out.write(b"\n]\n")
    if left_out is not None:
        for problem, times in refused.items():
            left_out(problem, times)
    return Exported(count - renames, renames)


def export_to_file(
    history: History,
    path: str | os.PathLike,
    fmt: str = "jsonl",
    *,
    left_out: Callable[[str, int], None] | None = None,
) -> Exported:
    """Export into a file (gzip-compressed when its name ends in ``.gz``), replacing it whole.

    A regular file is written beside it and renamed over it at the end, so that a failed export
    leaves it as it was; through a symlink, the file it points to. A pipe, a terminal or a
    device (``-o /dev/stdout``, ``-o >(gzip > x)``) is written to as it is, never replaced.
    """
    if history.store.owns(path):
        raise TrackerError(f"{path} is part of the tracker database: choose another file")
    try:
        mode = os.stat(path).st_mode
    except OSError:
        mode = None  # a new file (or one that cannot be reached: the write says why)
    gz = Path(path).suffix == ".gz"
    if mode is not None and not stat.S_ISREG(mode):
        if stat.S_ISDIR(mode):
            raise TrackerError(f"{path}: is a folder")
        try:
            with (
                open(path, "wb") as raw,
                gzip.open(raw, "wb", compresslevel=6) if gz else nullcontext(raw) as out,
            ):
                return export(history, out, fmt, left_out=left_out)
        except OSError as error:
            raise TrackerError(f"{path}: cannot write ({error.strerror or error})") from None
    target = Path(os.path.realpath(path))  # through a symlink: the file it points to
    partial = target.with_name(target.name + ".partial")
    try:
        with gzip.open(partial, "wb", compresslevel=6) if gz else open(partial, "wb") as out:
            count = export(history, out, fmt, left_out=left_out)
        os.replace(partial, target)
    except OSError as error:
        try:
            partial.unlink(missing_ok=True)
        except OSError:
            pass  # a name too long to create cannot be left behind either
        raise TrackerError(f"{path}: cannot write ({error.strerror or error})") from None
    return count
