"""Paragraph lineages in the store: starting them, finding them, and reading their changes.

A version's lineage list is kept on its row (``versions.lineages``, see :mod:`.codec`); the
``lineages`` table has one row per lineage, the change rows name the lineage they changed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence


class LineageStore:
    """Reads and writes of ``lineages`` and of the lineage columns of versions and changes."""

    def lineage_spans(
        self, document_id: int, upto: int, lineages: Sequence[int]
    ) -> dict[int, tuple[int, int | None]]:
        """For each of ``lineages``: (the version it began in, the last version up to ``upto``
        that changed its text), from the stored changes of one document."""
        rows = self.query(
            "select c.lineage, min(v.version), max(case when c.op in ('insert', 'modify')"
            " or (c.op = 'move' and c.old_paragraph_id != c.new_paragraph_id)"
            " then v.version end)"
            " from paragraph_changes c join versions v on v.id = c.version_id"
            " where v.document_id = ? and v.version <= ?"
            " and c.lineage in (select value from json_each(?)) group by c.lineage",
            [document_id, upto, json.dumps(sorted(set(lineages)))],
        )
        return {row[0]: (row[1], row[2]) for row in rows}

    def lineage_changes(self, document_id: int, lineage: int) -> list[tuple]:
        """The stored changes of one document that concern a lineage: its own rows, and the
        split and merge rows of its document (which may name it): (version, op, old_index,
        new_index, old text, new text, lineage, split_from, merged_into, class), in version
        order."""
        return self.query(
            "select v.version, c.op, c.old_index, c.new_index, op.text, np.text, c.lineage,"
            " c.split_from, c.merged_into, c.class"
            " from paragraph_changes c join versions v on v.id = c.version_id"
            " left join paragraphs op on op.id = c.old_paragraph_id"
            " left join paragraphs np on np.id = c.new_paragraph_id"
            " where v.document_id = ? and (c.lineage = ? or c.split_from is not null"
            " or c.merged_into is not null) order by v.version, c.id",
            [document_id, lineage],
        )

    def new_lineages(self, document_id: int, first_version: int, count: int) -> list[int]:
        """Start ``count`` lineages at once (a new document's paragraphs): their ids, in order.
        One statement for them all; the ids are given, following the largest one stored."""
        if count <= 0:
            return []
        start = self.conn.execute("select coalesce(max(id), 0) from lineages").fetchone()[0]
        ids = list(range(start + 1, start + 1 + count))
        self.conn.executemany(
            "insert into lineages (id, document_id, first_version) values (?, ?, ?)",
            [(lineage, document_id, first_version) for lineage in ids],
        )
        return ids

    def deleted_lineage(self, document_id: int, paragraph_id: int) -> int | None:
        """The lineage of the paragraph with this text most recently deleted from a document
        (a paragraph put back continues it), or None."""
        rows = self.query(
            "select c.lineage from paragraph_changes c join versions v on v.id = c.version_id"
            " where c.op = 'delete' and c.old_paragraph_id = ? and v.document_id = ?"
            " and c.lineage is not null order by v.version desc limit 1",
            [paragraph_id, document_id],
        )
        return rows[0][0] if rows else None

    def unlineaged_documents(self) -> dict[int, int]:
        """Documents with versions recorded before lineages were kept (to upgrade): their ids,
        in order, with how many versions each has."""
        return dict(
            self.query(
                "select v.document_id, count(*) from versions v where v.document_id in"
                " (select document_id from versions where lineages is null)"
                " group by v.document_id order by v.document_id"
            )
        )

    def dangling_lineage_marks(self) -> list[tuple[bytes | None, int, str]]:
        """(document name as stored bytes, version, mark) of versions whose lineage list is a
        mark naming a version that holds no list (see :func:`.codec.stored_lineages`)."""
        return self.query(
            "select cast(d.name as blob), v.version, v.lineages"
            " from versions v join documents d on d.id = v.document_id"
            " where v.lineages glob '[0-9]*' and not exists (select 1 from versions s"
            " where s.document_id = v.document_id and s.version = cast(v.lineages as integer)"
            " and s.lineages glob '[[]*')"
            " order by d.name, v.version"
        )
