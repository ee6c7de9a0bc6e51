"""Word origins: the runs stored on changes, and the state each document's attribution resumes."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence


class WordStore:
    """Reads and writes of ``paragraph_changes.origins`` and ``word_origins``."""

    def word_state(self, document_id: int) -> tuple[int, str] | None:
        """(the last version attributed, the attribution state as JSON) of a document."""
        rows = self.query(
            "select version, state from word_origins where document_id = ?", [document_id]
        )
        return (rows[0][0], rows[0][1]) if rows else None

    def save_word_state(self, document_id: int, version: int, state: str) -> None:
        """Remember how far a document is attributed, and the state to resume from."""
        self.conn.execute(
            "insert or replace into word_origins (document_id, version, state) values (?, ?, ?)",
            [document_id, version, state],
        )

    def forget_word_state(self, document_id: int) -> None:
        """Drop a document's attribution (its changes were recomputed): redone when asked."""
        self.conn.execute("delete from word_origins where document_id = ?", [document_id])

    def changes_after(self, document_id: int, version: int) -> Iterator[tuple]:
        """The stored changes of a document's versions after ``version``: (version, change id,
        op, old index, new index, whether the text changed), in order, streamed."""
        return self.iterate(
            "select v.version, c.id, c.op, c.old_index, c.new_index,"
            " c.old_paragraph_id is not c.new_paragraph_id"
            " from paragraph_changes c join versions v on v.id = c.version_id"
            " where v.document_id = ? and v.version > ? order by v.version, c.id",
            [document_id, version],
        )

    def set_origins(self, rows: Sequence[tuple[str, int]]) -> None:
        """Store (runs as JSON, change id) pairs."""
        self.conn.executemany("update paragraph_changes set origins = ? where id = ?", rows)

    def lineage_origins(
        self, document_id: int, upto: int, lineages: Sequence[int]
    ) -> dict[int, str]:
        """For each of ``lineages``: the runs stored on its latest change up to version ``upto``
        that gave it its text (its words' origins since)."""
        rows = self.query(
            "select c.lineage, c.origins from paragraph_changes c"
            " join versions v on v.id = c.version_id"
            " where v.document_id = ? and v.version <= ? and c.origins is not null"
            " and c.lineage in (select value from json_each(?)) order by v.version, c.id",
            [document_id, upto, json.dumps(sorted(set(lineages)))],
        )
        return dict(rows)  # the latest row of each lineage wins
