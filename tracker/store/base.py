"""The SQLite store: schema, migrations, and the reads and writes behind every command.

Paragraph text is content-addressed (``paragraphs``, one row per distinct text). A version is one
row of ``versions`` holding its ordered paragraph ids as a JSON array plus a compact ``layout`` (the
separators between paragraphs), from which its exact text is rebuilt. One row per version keeps the
database small: the replayed PEP history has 240,000 paragraph occurrences but only 2,945 versions.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from ..errors import DamagedDatabase, DatabaseLocked, NoDatabase, NotADatabase, TrackerError
from ..models import Document, Version
from .codec import paragraph_hash
from .schema import apply_migrations, pending_migrations

#: SQLite's page cache per connection, in KiB (its default is 2,000). A large snapshot inserts
#: into the paragraph-hash index at random places; with the default cache that thrashes.
CACHE_KIB = 32_768

BUSY_TIMEOUT_MS = 5000


_DOC_COLUMNS = """
    d.id, d.name, d.split_mode, d.root, d.created_at, d.file_size, d.file_mtime_ns,
    d.file_checked_ns,
    (select count(*) from versions c where c.document_id = d.id) as version_count,
    v.version, v.captured_at, v.deleted, v.sha256
"""
_DOC_FROM = """
    from documents d left join versions v on v.document_id = d.id
     and v.version = (select max(version) from versions m where m.document_id = d.id)
"""
_READABLE_IDS = (
    "json_valid(coalesce(v.paragraph_ids, '[]'))"
    " and json_type(coalesce(v.paragraph_ids, '[]')) = 'array'"
)
_VERSION_COLUMNS = """
    d.name, v.document_id, v.version, v.captured_at, v.sha256, v.bytes, v.paragraphs, v.deleted,
    v.added, v.removed, v.modified, v.moved, v.note, v.path, v.paragraph_ids, v.layout
"""


def _document(row: tuple) -> Document:
    return Document(
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


def _json_list(value: str | None, what: str) -> list:
    try:
        data = json.loads(value or "[]")
    except ValueError:
        data = None
    if not isinstance(data, list):
        raise DamagedDatabase(f"damaged database: {what} is not a JSON list; run `tracker fsck`")
    return data


def _version(row: tuple) -> Version:
    return Version(
        doc=row[0],
        document_id=row[1],
        version=row[2],
        captured_at=row[3],
        sha256=row[4],
        bytes=row[5] or 0,
        paragraphs=row[6] or 0,
        deleted=bool(row[7]),
        added=row[8],
        removed=row[9],
        modified=row[10],
        moved=row[11],
        note=row[12],
        path=row[13],
        paragraph_ids=_json_list(row[14], f"paragraph_ids of {row[0]} v{row[2]}"),
        layout=row[15] or "{}",
    )


def _translate(error: sqlite3.Error, path: Path) -> TrackerError:
    message = str(error)
    if "locked" in message or "busy" in message:
        return DatabaseLocked(
            f"database {path} is locked by another process (waited {BUSY_TIMEOUT_MS / 1000:g} s)"
        )
    if isinstance(error, sqlite3.DatabaseError) and (
        "not a database" in message or "malformed" in message or "file is encrypted" in message
    ):
        return NotADatabase(f"{path} is not a tracker database ({message})")
    return TrackerError(f"database error in {path}: {message}")


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switch to WAL; the switch ignores the busy timeout, so wait here for a racing opener."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if conn.execute("pragma journal_mode").fetchone()[0] != "wal":
                conn.execute("pragma journal_mode = wal")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class Store:
    """Owns one SQLite connection; every write of a version is a single transaction."""

    def __init__(self, path: str | os.PathLike, *, create: bool = True):
        self.path = Path(path)
        if not self.path.exists():
            if not create:
                raise NoDatabase(
                    f"no database at {self.path}: record documents first, "
                    "e.g. `tracker snapshot seeds/` (or pass --db / set TRACKER_DB)"
                )
            self.path.parent.mkdir(parents=True, exist_ok=True)
        elif self.path.is_dir():
            raise NotADatabase(f"{self.path} is a directory, not a tracker database")
        try:
            conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error as error:
            raise _translate(error, self.path) from None
        self._db = None
        self.conn = conn
        try:
            conn.execute(f"pragma busy_timeout = {BUSY_TIMEOUT_MS}")
            tables = {
                row[0] for row in conn.execute("select name from sqlite_master where type='table'")
            }
            if tables and not tables & {"documents", "_sqlite_migrations"}:
                raise NotADatabase(
                    f"{self.path} is an SQLite database but not a tracker database;"
                    " it was left untouched"
                )
            if not tables and not create:
                raise NoDatabase(
                    f"{self.path} holds no tracker data yet: record documents first,"
                    " e.g. `tracker snapshot seeds/`"
                )
            _use_wal(conn)
            conn.execute("pragma synchronous = normal")
            conn.execute("pragma foreign_keys = on")
            conn.execute(f"pragma cache_size = -{CACHE_KIB}")
            if pending_migrations(conn):
                # Take the write lock first and look again: two processes opening a new
                # database at once must not both run the migrations.
                with self.transaction():
                    if pending_migrations(conn):
                        apply_migrations(self.db)
        except sqlite3.Error as error:
            conn.close()
            raise _translate(error, self.path) from None
        except TrackerError:
            conn.close()
            raise

    @property
    def db(self):
        """The sqlite-utils view of the connection, created (and imported) on first write."""
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn)
        return self._db

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: commit on success, roll back on any error; nested ones are savepoints.

        The outermost one starts with BEGIN IMMEDIATE: taking the write lock up front makes a
        concurrent writer wait (busy timeout) instead of failing when a read turns into a write.
        """
        try:
            if self.conn.in_transaction:
                with self.db.atomic():
                    yield
                return
            self.conn.execute("begin immediate")
            try:
                last_paragraph = self._last_paragraph_id()
                yield
                self._index_paragraphs_after(last_paragraph)
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("rollback")
                raise
            self.conn.execute("commit")
        except sqlite3.Error as error:
            raise _translate(error, self.path) from None

    def _last_paragraph_id(self) -> int | None:
        """The highest paragraph id; None while the first migrations have not made the table."""
        try:
            return self.conn.execute("select coalesce(max(id), 0) from paragraphs").fetchone()[0]
        except sqlite3.OperationalError:
            return None

    def _index_paragraphs_after(self, last_paragraph: int | None) -> None:
        """Add the paragraphs this transaction stored to the full-text index, in one statement.

        Paragraphs only ever get new, higher ids, so the ones above the highest id at the start
        are exactly the new ones. One INSERT ... SELECT per transaction instead of a trigger per
        row: FTS5 writes its pending terms out at every statement, so a trigger made one index
        segment per paragraph, several times the work of indexing them together.
        """
        if last_paragraph is not None:
            self.conn.execute(
                "insert into paragraphs_fts (rowid, text)"
                " select id, text from paragraphs where id > ?",
                [last_paragraph],
            )

    def _query(self, sql: str, params: Sequence | dict = ()) -> list[tuple]:
        try:
            return self.conn.execute(sql, params).fetchall()
        except sqlite3.Error as error:
            raise _translate(error, self.path) from None

    # -- documents ---------------------------------------------------------------------------

    def documents(self) -> list[Document]:
        rows = self._query(f"select {_DOC_COLUMNS} {_DOC_FROM} order by d.name")
        return [_document(row) for row in rows]

    def document(self, name: str) -> Document | None:
        rows = self._query(f"select {_DOC_COLUMNS} {_DOC_FROM} where d.name = ?", [name])
        return _document(rows[0]) if rows else None

    def document_id(self, name: str) -> int | None:
        """The id of the document with exactly this name (one indexed lookup, no counts)."""
        rows = self._query("select id from documents where name = ?", [name])
        return rows[0][0] if rows else None

    def document_names(self) -> list[str]:
        return [row[0] for row in self._query("select name from documents order by name")]

    def create_document(self, name: str, split_mode: str, root: str | None, at: str) -> int:
        cursor = self.conn.execute(
            "insert into documents (name, split_mode, root, created_at) values (?, ?, ?, ?)",
            [name, split_mode, root, at],
        )
        return cursor.lastrowid

    def set_file_state(
        self, document_id: int, root: str | None, size: int, mtime_ns: int, checked_ns: int
    ) -> None:
        self.conn.execute(
            "update documents set root = ?, file_size = ?, file_mtime_ns = ?, file_checked_ns = ?"
            " where id = ?",
            [root, size, mtime_ns, checked_ns, document_id],
        )

    def rename_document(self, document_id: int, old: str, new: str, version: int, at: str) -> None:
        self.conn.execute("update documents set name = ? where id = ?", [new, document_id])
        self.conn.execute(
            "insert into renames (document_id, version, from_name, to_name, renamed_at)"
            " values (?, ?, ?, ?, ?)",
            [document_id, version, old, new, at],
        )

    def renamed_to(self, old_name: str) -> str | None:
        """The current name of the document last renamed away from ``old_name``, if any."""
        rows = self._query(
            "select d.name from renames r join documents d on d.id = r.document_id"
            " where r.from_name = ? order by r.id desc limit 1",
            [old_name],
        )
        return rows[0][0] if rows else None

    def renames(self, document_id: int) -> list[dict]:
        rows = self._query(
            "select version, from_name, to_name, renamed_at from renames where document_id = ?"
            " order by id",
            [document_id],
        )
        return [dict(zip(("version", "from", "to", "renamed_at"), row)) for row in rows]

    # -- versions ----------------------------------------------------------------------------

    def versions(self, document_id: int) -> list[Version]:
        rows = self._query(
            f"select {_VERSION_COLUMNS} from versions v join documents d on d.id = v.document_id"
            " where v.document_id = ? order by v.version",
            [document_id],
        )
        return [_version(row) for row in rows]

    def latest(self, document_id: int, *, text_only: bool = False) -> Version | None:
        """The latest version of a document (``text_only``: the latest that is not a deletion)."""
        rows = self._query(
            f"select {_VERSION_COLUMNS} from versions v join documents d on d.id = v.document_id"
            f" where v.document_id = ? {'and not v.deleted' if text_only else ''}"
            " order by v.version desc limit 1",
            [document_id],
        )
        return _version(rows[0]) if rows else None

    def all_versions(
        self, since: str | None = None, until: str | None = None, *, readable_only: bool = False
    ) -> list[Version]:
        """Every version of every document, oldest first, optionally within a time window.

        ``readable_only`` leaves out rows whose paragraph list is damaged (see damaged_versions).
        """
        where, params = [], []
        if readable_only:
            where.append(_READABLE_IDS)
        if since:
            where.append("v.captured_at >= ?")
            params.append(since)
        if until:
            where.append("v.captured_at <= ?")
            params.append(until)
        clause = ("where " + " and ".join(where)) if where else ""
        rows = self._query(
            f"select {_VERSION_COLUMNS} from versions v join documents d on d.id = v.document_id"
            f" {clause} order by v.captured_at, v.id",
            params,
        )
        return [_version(row) for row in rows]

    def damaged_versions(self) -> list[tuple[str, int]]:
        """(document, version) of rows whose paragraph list is not a JSON array of ids."""
        return self._query(
            "select d.name, v.version from versions v join documents d on d.id = v.document_id"
            f" where not ({_READABLE_IDS}) order by d.name, v.version"
        )

    def paragraph_texts(self, ids: Sequence[int]) -> list[str]:
        """The texts of the given paragraph ids, in the given order."""
        if not ids:
            return []
        rows = self._query(
            "select id, text from paragraphs where id in (select value from json_each(?))",
            [json.dumps(sorted(set(ids)))],
        )
        texts = dict(rows)
        missing = [i for i in ids if i not in texts]
        if missing:
            raise DamagedDatabase(
                f"{self.path} is damaged: paragraph {missing[0]} is missing; run `tracker fsck`"
            )
        return [texts[i] for i in ids]

    def intern_paragraphs(
        self, texts: Sequence[str], known: dict[str, int] | None = None
    ) -> list[int]:
        """Store each distinct paragraph text once and return the ids, in order.

        ``known`` maps texts to ids already stored (the previous version's paragraphs): those
        are neither hashed nor looked up again, which is most of a typical edit.
        """
        known = known or {}
        unique = {paragraph_hash(t): t for t in dict.fromkeys(texts) if t not in known}
        if unique:
            self.conn.executemany(
                "insert into paragraphs (hash, text) values (?, ?) on conflict (hash) do nothing",
                unique.items(),
            )
            rows = self.conn.execute(
                "select hash, id from paragraphs where hash in (select value from json_each(?))",
                [json.dumps(list(unique))],
            ).fetchall()
            by_hash = dict(rows)
            known = {**known, **{t: by_hash[h] for h, t in unique.items()}}
        return [known[t] for t in texts]

    def insert_version(
        self,
        document_id: int,
        version: int,
        *,
        captured_at: str,
        path: str | None,
        sha256: str | None,
        size: int,
        paragraph_ids: Sequence[int],
        layout: str,
        deleted: bool,
        counts: dict | None,
        note: str | None,
    ) -> int:
        counts = counts or {}
        cursor = self.conn.execute(
            "insert into versions (document_id, version, captured_at, path, sha256, bytes,"
            " paragraphs, deleted, added, removed, modified, moved, note, paragraph_ids, layout)"
            " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                document_id,
                version,
                captured_at,
                path,
                sha256,
                size,
                len(paragraph_ids),
                int(deleted),
                counts.get("added"),
                counts.get("removed"),
                counts.get("modified"),
                counts.get("moved"),
                note,
                json.dumps(list(paragraph_ids), separators=(",", ":")),
                layout,
            ],
        )
        return cursor.lastrowid

    def insert_changes(self, rows: Sequence[tuple]) -> None:
        """Store the changed paragraphs of one version (see the ``paragraph_changes`` table)."""
        self.conn.executemany(
            "insert into paragraph_changes (version_id, op, old_index, new_index,"
            " old_paragraph_id, new_paragraph_id) values (?, ?, ?, ?, ?, ?)",
            rows,
        )
