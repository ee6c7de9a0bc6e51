"""Documents and their renames in the store."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from .base import records

if TYPE_CHECKING:
    from ..models import Document, Rename

#: A document with its version count and its latest version (one row per document).
DOCUMENT_COLUMNS = """
    d.id, d.name, d.split_mode, d.root, d.created_at, d.file_size, d.file_mtime_ns,
    d.file_checked_ns,
    (select count(*) from versions c where c.document_id = d.id) as version_count,
    v.version, v.captured_at, v.deleted, v.sha256
"""
DOCUMENT_FROM = """
    from documents d left join versions v on v.document_id = d.id
     and v.version = (select max(version) from versions m where m.document_id = d.id)
"""


#: What a re-scan needs of each document: :class:`FileState` after the name (no versions read).
FILE_STATE_SQL = """
    select name, id, root, file_size, file_mtime_ns, file_checked_ns from documents
"""


class FileState(NamedTuple):
    """What a re-scan compares a file with: its document's folder, and size and mtime when last
    read (``checked_ns``: when; None since a deletion); a tuple, one per tracked file."""

    id: int
    root: str | None
    size: int | None
    mtime_ns: int | None
    checked_ns: int | None


def document_row(row: tuple) -> Document:
    """A :class:`Document` from a row of :data:`DOCUMENT_COLUMNS`."""
    return records().Document(
        id=row[0],
        name=row[1],
        split_mode=row[2],
        root=row[3],
        created_at=row[4],
        file_size=row[5],
        file_mtime_ns=row[6],
        file_checked_ns=row[7],
        versions=row[8],
        latest_version=row[9],
        last_change=row[10],
        deleted=bool(row[11]),
        latest_sha256=row[12],
    )


def _storable(name: str) -> bool:
    """Tell whether SQLite can hold a name: a lone surrogate (a file name that is not UTF-8)
    cannot be encoded, so no document has it."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class DocumentStore:
    """Reads and writes of ``documents`` and ``renames``."""

    def documents(self) -> list[Document]:
        """Every document, by name."""
        rows = self.query(f"select {DOCUMENT_COLUMNS} {DOCUMENT_FROM} order by d.name")
        return [document_row(row) for row in rows]

    def document(self, name: str) -> Document | None:
        """The document with exactly this name, or None."""
        if not _storable(name):
            return None
        rows = self.query(f"select {DOCUMENT_COLUMNS} {DOCUMENT_FROM} where d.name = ?", [name])
        return document_row(rows[0]) if rows else None

    def file_states(self) -> dict[str, FileState]:
        """Every document's :class:`FileState`, by name (one query, one tuple each)."""
        return {row[0]: FileState._make(row[1:]) for row in self.query(FILE_STATE_SQL)}

    def unchanged_files(self, root: str, racy_ns: int) -> set[tuple[str, int, int]]:
        """(name, size, mtime_ns) of the documents last read from a file in folder ``root``
        whose mtime was at least ``racy_ns`` older than that read: a file found there with the
        same name, size and mtime is unchanged (:func:`tracker.scan.folder.unchanged`, asked
        of every document at once, in SQL; one tuple a file, no record built)."""
        if not _storable(root):
            return set()
        return set(
            self.query(
                "select name, file_size, file_mtime_ns from documents"
                " where root = ? and file_mtime_ns < file_checked_ns - ?",
                [root, racy_ns],
            )
        )

    def count_files(self, root: str) -> int:
        """How many documents were last read from a file in folder ``root`` (deleted ones too)."""
        if not _storable(root):
            return 0
        return self.query("select count(*) from documents where root = ?", [root])[0][0]

    def file_states_of(self, names: Sequence[str]) -> dict[str, FileState]:
        """The :class:`FileState` of those of ``names`` that are documents, by name (one query)."""
        if not names:
            return {}
        rows = self.query(
            f"{FILE_STATE_SQL} where name in (select value from json_each(?))",
            [json.dumps([name for name in names if _storable(name)])],
        )
        return {row[0]: FileState._make(row[1:]) for row in rows}

    def file_state(self, name: str) -> FileState | None:
        """The :class:`FileState` of the document with exactly this name, or None."""
        if not _storable(name):
            return None
        rows = self.query(f"{FILE_STATE_SQL} where name = ?", [name])
        return FileState._make(rows[0][1:]) if rows else None

    def latest_states(self, document_ids: Sequence[int]) -> dict[int, tuple[bool, str | None]]:
        """(deleted, sha256) of the latest version of each of the given documents, by id."""
        rows = self.query(
            "select v.document_id, v.deleted, v.sha256 from json_each(?) j"
            " join versions v on v.document_id = j.value and v.version ="
            " (select max(m.version) from versions m where m.document_id = j.value)",
            [json.dumps(list(document_ids))],
        )
        return {document_id: (bool(deleted), sha256) for document_id, deleted, sha256 in rows}

    def forget_file_check(self, document_id: int) -> None:
        """Distrust the size and mtime last read from a document's file (it was deleted): the
        next scan that finds a file there reads it."""
        self.conn.execute("update documents set file_checked_ns = null where id = ?", [document_id])

    def document_id(self, name: str) -> int | None:
        """The id of the document with exactly this name (one indexed lookup, no counts)."""
        if not _storable(name):
            return None
        rows = self.query("select id from documents where name = ?", [name])
        return rows[0][0] if rows else None

    def names_by_id(self) -> dict[int, str]:
        """Every document's name by its id (no counts, no versions)."""
        return dict(self.query("select id, name from documents"))

    def document_names(self) -> list[str]:
        """Every document name, sorted."""
        return [row[0] for row in self.query("select name from documents order by name")]

    def create_document(self, name: str, split_mode: str, root: str | None, at: str) -> int:
        """Insert a new document; return its id."""
        cursor = self.conn.execute(
            "insert into documents (name, split_mode, root, created_at) values (?, ?, ?, ?)",
            [name, split_mode, root, at],
        )
        return cursor.lastrowid

    def set_file_state(
        self, document_id: int, root: str | None, size: int, mtime_ns: int, checked_ns: int
    ) -> None:
        """Remember where a document's file is and its size and mtime when last read."""
        self.conn.execute(
            "update documents set root = ?, file_size = ?, file_mtime_ns = ?, file_checked_ns = ?"
            " where id = ?",
            [root, size, mtime_ns, checked_ns, document_id],
        )

    def rename_document(self, document_id: int, old: str, new: str, version: int, at: str) -> None:
        """Rename a document and record the rename after its version ``version``."""
        self.conn.execute("update documents set name = ? where id = ?", [new, document_id])
        self.conn.execute(
            "insert into renames (document_id, version, from_name, to_name, renamed_at)"
            " values (?, ?, ?, ?, ?)",
            [document_id, version, old, new, at],
        )

    def renamed_to(self, old_name: str) -> str | None:
        """The current name of the document last renamed away from ``old_name``, if any."""
        rows = self.query(
            "select d.name from renames r join documents d on d.id = r.document_id"
            " where r.from_name = ? order by r.id desc limit 1",
            [old_name],
        )
        return rows[0][0] if rows else None

    def renames(self, document_id: int) -> list[Rename]:
        """The renames of one document, oldest first."""
        rows = self.query(
            "select version, from_name, to_name, renamed_at from renames where document_id = ?"
            " order by id",
            [document_id],
        )
        rename = records().Rename
        return [rename(*row) for row in rows]

    def all_renames(self) -> dict[int, list[Rename]]:
        """Every rename, by document id, oldest first."""
        found: dict[int, list[Rename]] = {}
        rows = self.query(
            "select document_id, version, from_name, to_name, renamed_at from renames order by id"
        )
        rename = records().Rename
        for document_id, *rest in rows:
            found.setdefault(document_id, []).append(rename(*rest))
        return found

    def has_rename(self, old: str, new: str, at: str) -> bool:
        """Tell whether this very rename (names and time) is recorded (re-imports skip it)."""
        return bool(
            self.query(
                "select 1 from renames where from_name = ? and to_name = ? and renamed_at = ?"
                " limit 1",
                [old, new, at],
            )
        )
