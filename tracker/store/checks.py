"""What ``tracker fsck`` asks of the database itself: SQLite's integrity check and FTS5's (run in
a thread, on a connection of their own), and the stored rows as raw bytes, so that damage is
reported instead of failing the read."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator

#: (document name as stored bytes, first, last) of each run of versions missing from a history
VersionGaps = list[tuple[bytes | None, int, int]]
#: (table, table it refers to, how many rows) of the rows whose version or document is gone
OrphanRows = list[tuple[str, str, int]]
#: What the checks run beside the version check find: SQLite's integrity problems, the search
#: index's problem, and the versions missing and rows orphaned (or why they could not be read).
IntegrityFindings = tuple[list[str], str | None, tuple[VersionGaps, OrphanRows] | str]


class CheckStore:
    """Integrity checks and raw rows for :mod:`tracker.corpus.fsck`."""

    def integrity_problems(self, conn: sqlite3.Connection | None = None) -> list[str]:
        """SQLite's own ``integrity_check`` findings (empty when the file is sound)."""
        try:
            rows = (conn or self.conn).execute("pragma integrity_check").fetchall()
        except sqlite3.DatabaseError as error:
            return [str(error)]
        return [row[0] for row in rows if row[0] != "ok"]

    def search_index_problem(self, conn: sqlite3.Connection | None = None) -> str | None:
        """FTS5's own check of the search index against the paragraphs (None when it passes)."""
        if self.read_only:
            return None  # the check is an INSERT, which a read-only connection refuses
        conn = conn or self.conn
        try:
            conn.execute(
                "insert into paragraphs_fts(paragraphs_fts, rank) values ('integrity-check', 1)"
            )
        except sqlite3.OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                return None  # another process is writing: the rest of the check still ran
            return f"search index: cannot be checked ({error})"
        except sqlite3.DatabaseError as error:
            return (
                f"search index: does not match the paragraphs ({error}); rebuild it with"
                " `insert into paragraphs_fts(paragraphs_fts) values ('rebuild')`"
            )
        finally:
            conn.rollback()
        return None

    def start_integrity_checks(self) -> Callable[[], IntegrityFindings]:
        """Start :meth:`integrity_problems`, :meth:`search_index_problem` and
        :meth:`structure_problems` on a connection of their own, in a thread: SQLite does that
        work without holding Python's lock, so the caller checks versions meanwhile. Call the
        result to wait for the three findings.

        A borrowed or in-memory connection, or a database that cannot be opened twice, is
        checked on its own connection instead, when the result is called.
        """
        results: list = []

        def check() -> None:
            try:
                conn = self.second_connection()
            except Exception:  # checked on this connection instead, when the result is called
                results.append(None)
                return
            try:
                results.append(self._findings(conn))
            except BaseException as error:  # handed to the caller, who re-raises it
                results.append(error)
            finally:
                conn.close()

        thread = None
        if not self.borrowed and self.path.exists():
            thread = threading.Thread(target=check, name="tracker-integrity-check", daemon=True)
            thread.start()

        def wait() -> IntegrityFindings:
            if thread is not None:
                thread.join()
            found = results[0] if results else None
            if isinstance(found, BaseException):
                raise found
            return found or self._findings(None)

        return wait

    def _findings(self, conn: sqlite3.Connection | None) -> IntegrityFindings:
        return (
            self.integrity_problems(conn),
            self.search_index_problem(conn),
            self.structure_problems(conn),
        )

    def structure_problems(
        self, conn: sqlite3.Connection | None = None
    ) -> tuple[VersionGaps, OrphanRows] | str:
        """:meth:`version_gaps` and :meth:`orphan_rows`, or why they could not be read."""
        try:
            return self.version_gaps(conn), self.orphan_rows(conn)
        except sqlite3.DatabaseError as error:
            return str(error)

    def paragraph_rows(self) -> Iterator[tuple[int, str | None, bytes | None, str]]:
        """(id, hash, raw text, SQLite type of the text) of every paragraph, streamed; the text
        as stored bytes, even when it is not valid UTF-8, so that a check can report damage
        instead of failing on it."""
        return (
            (pid, digest.decode("utf-8", "replace") if digest is not None else None, text, kind)
            for pid, digest, text, kind in self.iterate(
                "select id, cast(hash as blob), cast(text as blob), typeof(text)"
                " from paragraphs order by id"
            )
        )

    def raw_document_names(self) -> Iterator[tuple[int, bytes | None]]:
        """(id, name as stored bytes) of every document, for a check of names SQLite holds but
        cannot return as text."""
        return self.iterate("select id, cast(name as blob) from documents order by id")

    def version_gaps(self, conn: sqlite3.Connection | None = None) -> VersionGaps:
        """(document name as stored bytes, first, last) of each run of version numbers missing
        from a document's history (rows deleted by hand): its numbers run 1, 2, 3... otherwise."""
        return (
            (conn or self.conn)
            .execute(
                "select cast(d.name as blob), g.before + 1, g.version - 1 from (select document_id,"
                " version, lag(version, 1, 0) over (partition by document_id order by version)"
                " as before from versions) g join documents d on d.id = g.document_id"
                " where g.version != g.before + 1 order by d.name, g.version"
            )
            .fetchall()
        )

    def orphan_rows(self, conn: sqlite3.Connection | None = None) -> OrphanRows:
        """(table, table it refers to, how many rows) of rows whose version or document is
        gone: SQLite's ``foreign_key_check``, which its integrity check does not do."""
        counts: dict[tuple[str, str], int] = {}
        for table, _, parent, _ in (conn or self.conn).execute("pragma foreign_key_check"):
            counts[table, parent] = counts.get((table, parent), 0) + 1
        return [(table, parent, count) for (table, parent), count in counts.items()]
