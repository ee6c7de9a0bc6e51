"""Import history from JSONL records (or one JSON array, gzipped or not); export.py writes them.

An import validates the whole file first (:mod:`.records`), then runs in one transaction (all or
nothing), and is idempotent: a record whose text is already the document's latest, whose (doc,
time, sha256) is the version stored at that place, or whose text is the version the database
held at that time under that name (a record that changed nothing when first imported) adds
nothing (see :mod:`.seen`). A rename is a record of its own (``{"doc": new name,
"renamed_from": old name, "at": time}``, no ``"text"``), so that an export -> import round trip
re-creates the renames.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from ..history import History
from ..times import now_iso
from .importing import HistoryTarget, ImportResult, Progress, Target
from .records import KEEP_BYTES, Record, Source, check_file, handed_over, read_records
from .seen import Seen, recorded

if TYPE_CHECKING:
    from .lanes import Pool


def import_jsonl(
    history: History,
    path: str | os.PathLike,
    *,
    split: str = "auto",
    progress: Progress | None = None,
    warn: Callable[[str], None] | None = None,
    pool: Pool | None = None,
    keep: int = KEEP_BYTES,
) -> ImportResult:
    """Import a JSONL (or gzipped, or JSON array) history file: validate all of it, then record.

    Records that cannot apply are skipped with a warning (``line N: ...``): the deletion of a
    document never tracked, a rename record whose old name is unknown or whose new name is taken.
    With a ``pool`` (:mod:`.cluster`), texts are prepared in its lanes and stored here, in order.
    A file whose texts take at most ``keep`` bytes is read once (see :func:`.check_file`).
    """
    source = Source.open(path)  # a pipe is read once, here
    checked = check_file(source, keep=keep)
    total = checked.count
    records = read_records(source) if checked.records is None else handed_over(checked.records)
    target = HistoryTarget(history)
    importer = _Importer(target, recorded(history), split, warn)
    with history.store.transaction():
        if pool is None:
            for done, record in enumerate(records, start=1):
                importer.apply(done, record)
                if progress is not None:
                    progress(done, total)
        else:
            _import_pipelined(history, records, importer, target, pool, progress, total)
            importer.result.writer_prepared = target.prepared_here
    return importer.result


def _import_pipelined(
    history: History,
    records: Iterable[Record],
    importer: _Importer,
    target: HistoryTarget,
    pool: Pool,
    progress: Progress | None,
    total: int,
) -> None:
    """Apply the records with their texts prepared in a pool's lanes (see :mod:`.lanes`): a
    planner, the same importer on a :class:`~.lanes.PlanTarget`, walks the file ahead."""
    from .lanes import PlanTarget, run_pipelined

    planner = PlanTarget(history.store, pool.lanes)
    planning = _Importer(planner, recorded(history), importer.split, None)
    Chunk = list[tuple[int, Record]]

    def planned() -> Iterator[tuple[Chunk, dict]]:
        chunk: Chunk = []
        for done, record in enumerate(records, start=1):
            planning.apply(done, record)
            chunk.append((done, record))
            if planner.chunk_full(len(chunk)):
                yield chunk, planner.take()
                chunk = []
        if chunk:
            yield chunk, planner.take()

    def apply(chunk: Chunk, hints: dict) -> None:
        target.hints = hints
        for done, record in chunk:
            importer.apply(done, record)
            if progress is not None:
                progress(done, total)
        # index this chunk's paragraphs while the workers prepare the next chunks, not all of
        # them at the end, when the workers are done and only the writer works
        history.store.index_new_paragraphs()

    run_pipelined(pool, planned(), apply)


class _Importer:
    """Applies validated records one by one to a target (the database, inside the import's
    transaction; or the planner of a parallel import, which walks the records first)."""

    def __init__(
        self,
        target: Target,
        seen: Seen,
        split: str,
        warn: Callable[[str], None] | None,
    ):
        self.target = target
        self.split = split
        self.warn = warn
        self.seen = seen
        self.result = ImportResult()

    def apply(self, key: int, record: Record) -> None:
        """Apply the record at position ``key`` of the file."""
        if record.rename_only:
            self.rename(record)
        else:
            self.version(key, record)

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
        if self.target.has_rename(old, new, at):
            return  # imported before
        if not self.target.tracked(old):
            self.skip(record, old, f"rename of unknown document {old} ignored")
        elif self.target.tracked(new):
            self.skip(record, old, f"cannot rename {old} to {new}: {new} is tracked")
        else:
            self.target.rename(old, new, at)
            self.result.renamed.append((old, new))

    def version(self, key: int, record: Record) -> None:
        """A version (or deletion) of ``doc``, renamed first from a live ``renamed_from``."""
        at = record.at or now_iso()
        text = record.text
        sha256 = None if text is None else self.target.checksum(key, text)
        if self.seen.already(record.doc, at, sha256, timed=record.at is not None):
            self.result.unchanged += 1  # stored at this place before, or in effect then
            return
        if text is None and not self.target.tracked(record.doc):
            self.skip(record, record.doc, f"deletion of unknown document {record.doc} ignored")
            return
        old = record.renamed_from
        # Only a live document under the old name is renamed: in the corpora's format "doc" is
        # the final name of every record, so "renamed_from" never names a tracked document there
        # and stays a note; in tracker's own export each record has the name at that time.
        if old is not None and old != record.doc and not self.target.tracked(record.doc):
            if self.target.live(old):
                self.target.rename(old, record.doc, at)
                self.result.renamed.append((old, record.doc))
        version = self.target.record(
            record.doc, text, at, note=record.note, split=self.split, key=key
        )
        if version is None:
            self.result.unchanged += 1
        else:
            self.seen.add(record.doc, at, version.sha256)
            self.result.recorded += 1
