"""Reading versions, paragraphs and paragraph changes (written by :mod:`.recording`).

Paragraph text is content-addressed (``paragraphs``, one row per distinct text). A version is one
row of ``versions`` holding its ordered paragraph ids as a JSON array plus a compact ``layout`` (the
separators between paragraphs), from which its exact text is rebuilt. One row per version keeps the
database small: the replayed PEP history has 240,000 paragraph occurrences but only 2,945 versions.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from ..errors import DamagedDatabase
from .base import records

if TYPE_CHECKING:
    from ..models import Version

#: Rows whose paragraph list can be read (fsck reports the others, the rest skips them).
READABLE_IDS = (
    "json_valid(coalesce(v.paragraph_ids, '[]'))"
    " and json_type(coalesce(v.paragraph_ids, '[]')) = 'array'"
)
#: Whether the version before ``v`` (of its document) records a deletion: null for a first version.
FOLLOWS_DELETION = """(select p.deleted from versions p where p.document_id = v.document_id
    and p.version < v.version order by p.version desc limit 1)"""
#: What a version that brought its document back after a deletion was, worked out as it is read
#: (nothing is stored): the number of the latest earlier version with the very same text (it was
#: restored as that one), 0 when no earlier version had its text (it was re-created), null for
#: any other version. Only a version that follows a deletion costs more than one index lookup.
COMEBACK = f"""case when v.deleted then null when {FOLLOWS_DELETION}
    then coalesce((select max(e.version) from versions e where e.document_id = v.document_id
      and e.version < v.version and e.sha256 = v.sha256), 0) end"""
VERSION_COLUMNS = f"""
    d.name, v.document_id, v.version, v.captured_at, v.sha256, v.bytes, v.paragraphs, v.deleted,
    v.added, v.removed, v.modified, v.moved, v.note, v.path, v.paragraph_ids, v.layout,
    case when v.lineages glob '[0-9]*' then (select s.lineages from versions s
      where s.document_id = v.document_id and s.version = cast(v.lineages as integer))
      else v.lineages end,
    v.substantive,
    case when v.lineages glob '[0-9]*' then cast(v.lineages as integer) else v.version end,
    {COMEBACK}
"""
#: A version whose lineage list is the same as an earlier version's stores that version's
#: number instead of the list (:func:`~.codec.stored_lineages`); VERSION_COLUMNS resolves it.
VERSION_FROM = "from versions v join documents d on d.id = v.document_id"


def _json_list(value: str | None, what: str) -> list:
    try:
        data = json.loads(value or "[]")
    except ValueError:
        data = None
    if not isinstance(data, list):
        raise DamagedDatabase(f"damaged database: {what} is not a JSON list; run `tracker fsck`")
    return data


def version_row(row: tuple) -> Version:
    """A :class:`Version` from a row of :data:`VERSION_COLUMNS`."""
    return records().Version(
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
        lineages=row[16],
        substantive=row[17],
        lineages_from=row[18],
        restored=row[19] or None,
        recreated=row[19] == 0,
    )


class VersionStore:
    """Reads and writes of ``versions``, ``paragraphs`` and ``paragraph_changes``."""

    def versions(self, document_id: int) -> list[Version]:
        """The versions of one document, oldest first."""
        rows = self.query(
            f"select {VERSION_COLUMNS} {VERSION_FROM} where v.document_id = ? order by v.version",
            [document_id],
        )
        return [version_row(row) for row in rows]

    def paragraph_lists(self, document_id: int) -> list[tuple[int, list[int]]]:
        """(version number, paragraph ids) of one document's versions, oldest first: the
        lists alone, for reads that only need to know where each paragraph was."""
        rows = self.query(
            "select version, paragraph_ids from versions where document_id = ? order by version",
            [document_id],
        )
        return [
            (number, _json_list(ids, f"paragraph_ids of document {document_id} v{number}"))
            for number, ids in rows
        ]

    def numbers_between(self, document_id: int, since: str | None, until: str | None) -> set[int]:
        """The numbers of one document's versions recorded from ``since`` to ``until`` (stored
        times, both included; None: open)."""
        rows = self.query(
            "select version from versions where document_id = ?"
            " and (? is null or captured_at >= ?) and (? is null or captured_at <= ?)",
            [document_id, since, since, until, until],
        )
        return {row[0] for row in rows}

    def versions_after(self, document_id: int, after: int, limit: int) -> list[Version]:
        """Up to ``limit`` versions of one document after version number ``after``, oldest
        first: a long history read a few at a time."""
        rows = self.query(
            f"select {VERSION_COLUMNS} {VERSION_FROM} where v.document_id = ? and v.version > ?"
            " order by v.version limit ?",
            [document_id, after, limit],
        )
        return [version_row(row) for row in rows]

    def versioned_documents(self) -> list[int]:
        """The ids of the documents that have versions, in order."""
        return [
            row[0] for row in self.query("select distinct document_id from versions order by 1")
        ]

    def latest(self, document_id: int, *, text_only: bool = False) -> Version | None:
        """The latest version of a document (``text_only``: the latest that is not a deletion)."""
        rows = self.query(
            f"select {VERSION_COLUMNS} {VERSION_FROM}"
            f" where v.document_id = ? {'and not v.deleted' if text_only else ''}"
            " order by v.version desc limit 1",
            [document_id],
        )
        return version_row(rows[0]) if rows else None

    def version_by_id(self, version_id: int) -> Version | None:
        """The version stored in row ``version_id`` of ``versions`` (the web links rows)."""
        rows = self.query(f"select {VERSION_COLUMNS} {VERSION_FROM} where v.id = ?", [version_id])
        return version_row(rows[0]) if rows else None

    def all_versions(
        self, since: str | None = None, until: str | None = None, *, readable_only: bool = False
    ) -> Iterator[Version]:
        """Every version of every document, oldest first, optionally within a time window.

        Streamed, so memory stays flat however long the history. ``readable_only`` leaves out
        rows whose paragraph list is damaged (see :meth:`damaged_versions`).
        """
        where, params = [], []
        if readable_only:
            where.append(READABLE_IDS)
        if since:
            where.append("v.captured_at >= ?")
            params.append(since)
        if until:
            where.append("v.captured_at <= ?")
            params.append(until)
        clause = ("where " + " and ".join(where)) if where else ""
        rows = self.iterate(
            f"select {VERSION_COLUMNS} {VERSION_FROM} {clause} order by v.captured_at, v.id",
            params,
        )
        return map(version_row, rows)

    def versions_by_document(
        self,
        document_id: int | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> Iterator[tuple[int, Version]]:
        """(row id, version) of every version of one document or all, recorded from ``since``
        to ``until`` (stored times, both included; None: open), by document and version number;
        streamed."""
        tests, params = (["v.document_id = ?"], [document_id]) if document_id else ([], [])
        if since is not None:
            tests, params = [*tests, "v.captured_at >= ?"], [*params, since]
        if until is not None:
            tests, params = [*tests, "v.captured_at <= ?"], [*params, until]
        where = ("where " + " and ".join(tests)) if tests else ""
        rows = self.iterate(
            f"select v.id, {VERSION_COLUMNS} {VERSION_FROM} {where}"
            " order by v.document_id, v.version",
            params,
        )
        return ((row[0], version_row(row[1:])) for row in rows)

    def latest_numbers(self, document_ids: Sequence[int]) -> dict[int, int]:
        """The latest version number of each of the given documents, by document id."""
        if not document_ids:
            return {}
        return dict(
            self.query(
                "select j.value, (select max(m.version) from versions m"
                " where m.document_id = j.value) from json_each(?) j",
                [json.dumps(list(document_ids))],
            )
        )

    def versions_at(self, pairs: Sequence[tuple[int, int]]) -> dict[tuple[int, int], Version]:
        """Some versions, given as (document id, version number) pairs, by those pairs."""
        if not pairs:
            return {}
        rows = self.query(
            f"select {VERSION_COLUMNS} from json_each(?) j join versions v"
            " on v.document_id = json_extract(j.value, '$[0]')"
            " and v.version = json_extract(j.value, '$[1]')"
            " join documents d on d.id = v.document_id",
            [json.dumps([list(pair) for pair in dict.fromkeys(pairs)])],
        )
        return {(v.document_id, v.version): v for v in map(version_row, rows)}

    def count_versions(self) -> int:
        """How many versions are stored, in all."""
        return self.query("select count(*) from versions")[0][0]

    def damaged_versions(self) -> list[tuple[bytes | None, int]]:
        """(document name as stored bytes, version) of rows whose paragraph list is not a JSON
        array of ids."""
        return self.query(
            f"select cast(d.name as blob), v.version {VERSION_FROM}"
            f" where not ({READABLE_IDS}) order by d.name, v.version"
        )

    def recent_versions(
        self, doc: str | None, limit: int, substantive: bool = False
    ) -> list[tuple[int, Version]]:
        """The latest recorded versions, newest first (of one document, or of all; with
        ``substantive``, only those with a substantive change, deletions, and those that
        brought their document back): (row id, version) pairs."""
        where, params = ("where d.name = ?", [doc]) if doc else ("where 1", [])
        if substantive:
            where += (
                " and (v.deleted or v.substantive is null or v.substantive > 0"
                f" or {FOLLOWS_DELETION})"
            )
        rows = self.query(
            f"select v.id, {VERSION_COLUMNS} {VERSION_FROM} {where}"
            " order by v.captured_at desc, v.id desc limit ?",
            [*params, limit],
        )
        return [(row[0], version_row(row[1:])) for row in rows]

    def stored_changes(
        self, version_id: int, limit: int
    ) -> list[tuple[str, str | None, str | None]]:
        """The first stored paragraph changes of a version: (op, old text, new text)."""
        return self.query(
            "select c.op, op.text, np.text from paragraph_changes c"
            " left join paragraphs op on op.id = c.old_paragraph_id"
            " left join paragraphs np on np.id = c.new_paragraph_id"
            " where c.version_id = ? order by c.id limit ?",
            [version_id, limit],
        )

    def version_row_id(self, document_id: int, version: int) -> int | None:
        """The row id in ``versions`` of a document's version number."""
        rows = self.query(
            "select id from versions where document_id = ? and version = ?", [document_id, version]
        )
        return rows[0][0] if rows else None

    def version_rows_for_check(self) -> Iterator[tuple]:
        """Every readable version as raw columns, document by document, in version order:
        (document id, name, version, sha256, bytes, deleted, paragraph_ids, layout, lineages),
        streamed.

        As stored, for a check that must report damage rather than fail on it: name, sha256,
        paragraph_ids and layout are bytes (text that is not valid UTF-8 cannot be read as text),
        bytes is an integer or bytes, deleted an integer.
        """
        return self.iterate(
            "select v.document_id, cast(d.name as blob), v.version, cast(v.sha256 as blob),"
            " case typeof(v.bytes) when 'integer' then v.bytes else cast(v.bytes as blob) end,"
            " cast(v.deleted as integer), cast(v.paragraph_ids as blob), cast(v.layout as blob),"
            " cast(v.lineages as blob)"
            f" {VERSION_FROM} where {READABLE_IDS} order by v.document_id, v.version"
        )

    def paragraph_bytes_found(self, ids: Sequence[int]) -> dict[int, bytes]:
        """The UTF-8 texts of those of the given paragraph ids that exist, as stored (bytes)."""
        if not ids:
            return {}
        return dict(
            self.query(
                "select id, cast(text as blob) from paragraphs"
                " where id in (select value from json_each(?))",
                [json.dumps(list(ids))],
            )
        )

    def paragraph_texts(self, ids: Sequence[int]) -> list[str]:
        """The texts of the given paragraph ids, in the given order."""
        if not ids:
            return []
        rows = self.query(
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
