"""Import history from JSONL records (or one JSON array, gzipped or not); export.py writes them.

An import validates the whole file first (:mod:`.records`), then runs in one transaction (all or
nothing), and is idempotent: a record whose text is already the document's latest, or whose
(doc, time, sha256) is already recorded, adds nothing. A rename is a record of its own
(``{"doc": new name, "renamed_from": old name, "at": time}``, no ``"text"``), so that an
export -> import round trip re-creates the renames.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from ..history import History
from ..models import name_at
from ..text.encoding import sha256_text
from ..times import now_iso
from .importing import ImportResult, Progress
from .records import Record, Source, check_file, read_records


def _recorded(history: History) -> dict[tuple[str, str], set[str | None]]:
    """The (document, time) pairs already recorded, with the checksums recorded there.

    Each version is known under the document's present name and under its name at the time
    (an export names every version as it was then, renames in between).
    """
    renames = history.store.all_renames()
    seen: dict[tuple[str, str], set[str | None]] = {}
    for document_id, name, number, at, sha in history.store.recorded_times():
        then = name_at(renames.get(document_id, []), number, name)
        for known in {name, then}:
            seen.setdefault((known, at), set()).add(sha)
    return seen


def import_jsonl(
    history: History,
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
    importer = _Importer(history, split, warn)
    with history.store.transaction():
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

    def __init__(self, history: History, split: str, warn: Callable[[str], None] | None):
        self.history = history
        self.store = history.store
        self.split = split
        self.warn = warn
        self.seen = _recorded(history)
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
        if self.store.has_rename(old, new, at):
            return  # imported before
        if self.store.document(old) is None:
            self.skip(record, old, f"rename of unknown document {old} ignored")
        elif self.store.document(new) is not None:
            self.skip(record, old, f"cannot rename {old} to {new}: {new} is tracked")
        else:
            self.history.rename(old, new, at)
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
                self.history.rename(old, record.doc, at)
                self.result.renamed.append((old, record.doc))
        version = self.history.record(record.doc, text, at, note=record.note, split=self.split)
        if version is None:
            self.result.unchanged += 1
        else:
            self.seen.setdefault((record.doc, at), set()).add(version.sha256)
            self.result.recorded += 1
