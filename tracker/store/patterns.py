"""Ignore patterns, and the stored classes of changes that they decide."""

from __future__ import annotations

from collections.abc import Iterator, Sequence


class PatternStore:
    """Reads and writes of ``ignore_patterns`` and of the ``class`` of stored changes."""

    def add_pattern(self, pattern: str, doc_glob: str | None, note: str | None, at: str) -> int:
        """Store an ignore pattern; return its id."""
        cursor = self.conn.execute(
            "insert into ignore_patterns (pattern, doc_glob, note, created_at) values (?, ?, ?, ?)",
            [pattern, doc_glob, note, at],
        )
        return cursor.lastrowid

    def patterns(self) -> list[tuple[int, str, str | None, str | None, str]]:
        """Every ignore pattern: (id, pattern, document glob, note, created_at), oldest first."""
        return self.query(
            "select id, pattern, doc_glob, note, created_at from ignore_patterns order by id"
        )

    def remove_pattern(self, pattern_id: int) -> bool:
        """Delete an ignore pattern; False when there is none with that id."""
        cursor = self.conn.execute("delete from ignore_patterns where id = ?", [pattern_id])
        return cursor.rowcount > 0

    def count_edited_changes(self, document_ids: Sequence[int]) -> int:
        """How many modify and move rows :meth:`edited_changes` gives for these documents."""
        return self.query(
            "select count(*) from paragraph_changes c join versions v on v.id = c.version_id"
            " where c.op in ('modify', 'move')"
            " and v.document_id in (select value from json_each(?))",
            [f"[{','.join(map(str, document_ids))}]"],
        )[0][0]

    def has_edited_changes(self, document_ids: Sequence[int]) -> bool:
        """Whether :meth:`edited_changes` gives any row for these documents (it stops at one)."""
        return bool(
            self.query(
                "select exists (select 1 from paragraph_changes c"
                " join versions v on v.id = c.version_id where c.op in ('modify', 'move')"
                " and v.document_id in (select value from json_each(?)))",
                [f"[{','.join(map(str, document_ids))}]"],
            )[0][0]
        )

    def edited_changes(self, document_ids: Sequence[int]) -> Iterator[tuple]:
        """The stored modify and move rows of some documents, to classify again: (change id,
        document id, op, old text, new text, whether the text changed), streamed."""
        return self.iterate(
            "select c.id, v.document_id, c.op, op.text, np.text,"
            " c.old_paragraph_id != c.new_paragraph_id"
            " from paragraph_changes c join versions v on v.id = c.version_id"
            " join paragraphs op on op.id = c.old_paragraph_id"
            " join paragraphs np on np.id = c.new_paragraph_id"
            " where c.op in ('modify', 'move')"
            " and v.document_id in (select value from json_each(?))",
            [f"[{','.join(map(str, document_ids))}]"],
        )

    def set_classes(self, rows: Sequence[tuple[str, int]]) -> None:
        """Store (class, change id) pairs."""
        self.conn.executemany("update paragraph_changes set class = ? where id = ?", rows)

    def recount_substantive(self, document_ids: Sequence[int]) -> None:
        """Recount each version's substantive changes from its stored classes (a deletion counts
        the paragraphs it removed)."""
        self.conn.execute(
            "update versions set substantive = case when deleted then removed else"
            " (select count(*) from paragraph_changes c where c.version_id = versions.id"
            " and c.class = 'substantive') end"
            " where document_id in (select value from json_each(?))",
            [f"[{','.join(map(str, document_ids))}]"],
        )
