"""Reads for overviews of a corpus and of one document: counts, dates and activity over time.

They read only the small columns of ``versions`` (never a version's paragraph list), so a page
listing a thousand versions or every document of a large corpus stays quick.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from .base import records
from .versions import COMEBACK

if TYPE_CHECKING:
    from ..models import VersionSummary

#: The paragraphs a version changed: its substantive ones once classified, else all of them.
CHANGED = (
    "coalesce(v.substantive, coalesce(v.added, 0) + coalesce(v.removed, 0)"
    " + coalesce(v.modified, 0) + coalesce(v.moved, 0))"
)

SUMMARY_COLUMNS = f"""
    d.name, v.version, v.captured_at, v.deleted, v.bytes, v.paragraphs, v.added, v.removed,
    v.modified, v.moved, v.substantive, v.note, {COMEBACK}
"""


def summary_row(row: tuple) -> VersionSummary:
    """A :class:`VersionSummary` from a row of :data:`SUMMARY_COLUMNS`."""
    name, version, at, deleted, size, paragraphs, *counts, substantive, note, comeback = row
    return records().VersionSummary(
        name,
        version,
        at,
        bool(deleted),
        size or 0,
        paragraphs or 0,
        *counts,
        substantive,
        note,
        restored=comeback or None,
        recreated=comeback == 0,
    )


class ActivityStore:
    """Corpus and document overviews."""

    def document_overview(self) -> list[tuple]:
        """Per document, most recently changed first: (id, name, versions, first change, last
        change, whether its latest version is a deletion). Read from each document's first and
        latest versions and the index of versions by document, so that it costs a few lookups a
        document, whatever the length of their histories."""
        return self.query(
            "select d.id, d.name,"
            " (select count(*) from versions c where c.document_id = d.id),"
            " f.captured_at, l.captured_at, l.deleted"
            " from documents d"
            " left join versions l on l.document_id = d.id"
            "  and l.version = (select max(version) from versions m where m.document_id = d.id)"
            " left join versions f on f.document_id = d.id"
            "  and f.version = (select min(version) from versions m where m.document_id = d.id)"
            " order by l.captured_at desc, d.name"
        )

    def recent_activity(self, since: str, until: str) -> dict[int, tuple[int, int]]:
        """{document id: (paragraphs changed, versions)} of the versions recorded from ``since``
        to ``until`` (substantive changes only where they are classified)."""
        # "+v.document_id": group the few recent rows, rather than walk every version in
        # document order (SQLite's choice otherwise: 0.8 s on 200,000 versions)
        rows = self.query(
            f"select v.document_id, sum({CHANGED}), count(*) from versions v"
            " where v.captured_at >= ? and v.captured_at <= ? group by +v.document_id",
            [since, until],
        )
        return {row[0]: (row[1] or 0, row[2]) for row in rows}

    def time_span(self) -> tuple[str | None, str | None]:
        """The first and the last time any version was recorded (two index lookups)."""
        first = self.query("select min(captured_at) from versions")[0][0]
        last = self.query("select max(captured_at) from versions")[0][0]
        return first, last

    def activity(
        self, document_ids: list[int], start: str, end: str, buckets: int
    ) -> list[tuple[int, int, int]]:
        """(document id, bucket, versions) of some documents, for ``buckets`` equal slices of
        time from ``start`` to ``end`` (versions outside are left out)."""
        return self.query(
            "select document_id, min(:n - 1, cast((julianday(captured_at) - julianday(:start))"
            " * :n / (julianday(:end) - julianday(:start)) as integer)) as bucket, count(*)"
            " from versions where document_id in (select value from json_each(:ids))"
            " and captured_at >= :start and captured_at <= :end"
            " group by document_id, bucket",
            {"ids": json.dumps(document_ids), "start": start, "end": end, "n": buckets},
        )

    def change_rows(self) -> int:
        """About how many paragraph changes are stored (the highest row id: one index lookup)."""
        return self.query("select coalesce(max(id), 0) from paragraph_changes")[0][0]

    def version_summaries(self, document_id: int) -> list[VersionSummary]:
        """The versions of one document as summaries (no paragraph lists), oldest first."""
        rows = self.query(
            f"select {SUMMARY_COLUMNS} from versions v join documents d on d.id = v.document_id"
            " where v.document_id = ? order by v.version",
            [document_id],
        )
        return [summary_row(row) for row in rows]
