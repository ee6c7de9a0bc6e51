"""Reads over the whole corpus: full-text search, stored edit pairs, integrity checks, imports."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from ..errors import TrackerError
from ..text.snippets import MARKS, OTHER_MARKS, snippet_parts


class CorpusStore:
    """Corpus-wide reads, and the bookkeeping of imports."""

    def search_paragraphs(
        self, fts_query: str, limit: int | None = None
    ) -> list[tuple[int, str, list[str]]]:
        """(paragraph id, text, snippet parts) of the paragraphs matching an FTS5 query, best
        first; the parts alternate plain text and hits (:func:`tracker.text.snippets.snippet_parts`:
        exact, whatever the text holds)."""
        try:
            rows = self.conn.execute(
                "select f.rowid, p.text, snippet(paragraphs_fts, 0, ?, ?, '…', 24),"
                " snippet(paragraphs_fts, 0, ?, ?, '…', 24)"
                " from paragraphs_fts f join paragraphs p on p.id = f.rowid"
                " where paragraphs_fts match ? order by f.rank" + (" limit ?" if limit else ""),
                [*MARKS, *OTHER_MARKS, fts_query, *([limit] if limit else [])],
            ).fetchall()
        except sqlite3.OperationalError as error:
            raise TrackerError(f"cannot search for {fts_query!r}: {error}") from None
        return [(pid, text, snippet_parts(mine, other)) for pid, text, mine, other in rows]

    def edit_pairs(self) -> Iterator[tuple[int, int, int, int]]:
        """(document id, version, old paragraph id, new paragraph id) of every stored rewrite
        (modify, or a move whose text changed)."""
        return self.iterate(
            "select v.document_id, v.version, c.old_paragraph_id, c.new_paragraph_id"
            " from paragraph_changes c join versions v on v.id = c.version_id"
            " where c.op = 'modify' or (c.op = 'move' and c.old_paragraph_id != c.new_paragraph_id)"
        )

    def recorded_times(self) -> Iterator[tuple[int, str, int, str, str | None]]:
        """(document id, name, version, captured_at, sha256) of every version: what an import
        checks to add nothing twice."""
        return self.iterate(
            "select d.id, d.name, v.version, v.captured_at, v.sha256 from versions v"
            " join documents d on d.id = v.document_id"
        )

    # -- integrity -------------------------------------------------------------------------

    def integrity_problems(self) -> list[str]:
        """SQLite's own ``integrity_check`` findings (empty when the file is sound)."""
        try:
            rows = self.conn.execute("pragma integrity_check").fetchall()
        except sqlite3.DatabaseError as error:
            return [str(error)]
        return [row[0] for row in rows if row[0] != "ok"]

    def search_index_problem(self) -> str | None:
        """FTS5's own check of the search index against the paragraphs (None when it passes)."""
        if self.read_only:
            return None  # the check is an INSERT, which a read-only connection refuses
        try:
            self.conn.execute(
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
            self.conn.rollback()
        return None

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

    # -- imports -----------------------------------------------------------------------------

    def import_state(self, repo: str, branch: str, paths: str) -> str | None:
        """The last commit imported from a git branch with these path globs, or None."""
        rows = self.query(
            "select last_commit from import_state where repo = ? and branch = ? and paths = ?",
            [repo, branch, paths],
        )
        return rows[0][0] if rows else None

    def set_import_state(self, repo: str, branch: str, paths: str, commit: str, at: str) -> None:
        """Remember the last commit imported (inside the import's transaction)."""
        self.conn.execute(
            "insert or replace into import_state (repo, branch, paths, last_commit, imported_at)"
            " values (?, ?, ?, ?, ?)",
            [repo, branch, paths, commit, at],
        )
