"""Writing versions: paragraphs interned by their text, version rows, the spans of paragraphs in
documents, and paragraph changes. The reads of the same tables are in :mod:`.versions`."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence


class RecordingStore:
    """Writes of versions, paragraphs, spans and changes (inside the caller's transaction)."""

    def intern_paragraphs(
        self, texts: Sequence[str], known: dict[str, int] | None = None
    ) -> list[int]:
        """Store each distinct paragraph text once and return the ids, in order.

        ``known`` maps texts to ids already stored (the previous version's paragraphs): those
        are neither hashed nor looked up again, which is most of a typical edit.
        """
        from .codec import paragraph_hash  # here: a re-scan that records nothing never hashes

        known = known or {}
        unique = {paragraph_hash(t): t for t in dict.fromkeys(texts) if t not in known}
        if unique:
            changes = self.conn.total_changes
            self.conn.executemany(
                "insert into paragraphs (hash, text) values (?, ?) on conflict (hash) do nothing",
                unique.items(),
            )
            if self.conn.total_changes - changes == len(unique):
                # all new (a new document, mostly): inserted one after the other by this, the
                # only writer, each with the highest id yet, so their ids are consecutive
                last = self.conn.execute("select last_insert_rowid()").fetchone()[0]
                by_hash = dict(zip(unique, range(last - len(unique) + 1, last + 1)))
            else:
                rows = self.conn.execute(
                    "select hash, id from paragraphs"
                    " where hash in (select value from json_each(?))",
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
        lineages: str = "[]",
        substantive: int | None = None,
    ) -> int:
        """Insert one version row; return its row id."""
        counts = counts or {}
        cursor = self.conn.execute(
            "insert into versions (document_id, version, captured_at, path, sha256, bytes,"
            " paragraphs, deleted, added, removed, modified, moved, note, paragraph_ids, layout,"
            " lineages, substantive) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                lineages,
                substantive,
            ],
        )
        return cursor.lastrowid

    def update_spans(
        self, document_id: int, version: int, before: Sequence[int], after: Sequence[int]
    ) -> None:
        """Keep ``paragraph_spans`` up to date for a new version of a document: open a span for
        each paragraph it brings in, close the open span of each it drops, and note a new
        number of copies of one it keeps. ``before`` is the version before it (nothing after a
        deletion), ``after`` the new one (nothing for one)."""
        old, new = Counter(before), Counter(after)
        came = sorted(new.keys() - old.keys())
        gone = sorted(old.keys() - new.keys())
        if came:
            self.conn.executemany(
                "insert into paragraph_spans (paragraph_id, document_id, first_version, copies)"
                " values (?, ?, ?, ?)",
                [(pid, document_id, version, new[pid]) for pid in came],
            )
        if gone:
            self.conn.executemany(
                "update paragraph_spans set until_version = ?"
                " where paragraph_id = ? and document_id = ? and until_version is null",
                [(version, pid, document_id) for pid in gone],
            )
        if len(old) < len(before) or len(new) < len(after):  # some paragraph is there twice
            recounted = sorted(pid for pid in new.keys() & old.keys() if new[pid] != old[pid])
            self.conn.executemany(
                "update paragraph_spans set copies = ?"
                " where paragraph_id = ? and document_id = ? and until_version is null",
                [(new[pid], pid, document_id) for pid in recounted],
            )

    def insert_changes(self, rows: Sequence[tuple]) -> None:
        """Store the changed paragraphs of one version (see the ``paragraph_changes`` table):
        (version row id, op, old index, new index, old paragraph id, new paragraph id, lineage,
        split_from, merged_into, class)."""
        self.conn.executemany(
            "insert into paragraph_changes (version_id, op, old_index, new_index,"
            " old_paragraph_id, new_paragraph_id, lineage, split_from, merged_into, class)"
            " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    def replace_changes(
        self,
        version_id: int,
        rows: Sequence[tuple],
        counts: dict,
        lineages: str,
        substantive: int | None,
    ) -> None:
        """Rewrite a stored version's changes, counts and lineages (an upgrade recomputing them)."""
        self.conn.execute("delete from paragraph_changes where version_id = ?", [version_id])
        self.insert_changes(rows)
        self.conn.execute(
            "update versions set added = ?, removed = ?, modified = ?, moved = ?, lineages = ?,"
            " substantive = ? where id = ?",
            [
                counts.get("added"),
                counts.get("removed"),
                counts.get("modified"),
                counts.get("moved"),
                lineages,
                substantive,
                version_id,
            ],
        )
