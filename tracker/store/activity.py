"""Reads for overviews of a corpus and of one document: counts, dates and activity over time.

They read only the small columns of ``versions`` (never a version's paragraph list), so a page
listing a thousand versions or every document of a large corpus stays quick.
"""

from __future__ import annotations

from ..models import VersionSummary

#: The paragraphs a version changed: its substantive ones once classified, else all of them.
CHANGED = (
    "coalesce(v.substantive, coalesce(v.added, 0) + coalesce(v.removed, 0)"
    " + coalesce(v.modified, 0) + coalesce(v.moved, 0))"
)

SUMMARY_COLUMNS = """
    d.name, v.version, v.captured_at, v.deleted, v.bytes, v.paragraphs, v.added, v.removed,
    v.modified, v.moved, v.substantive, v.note
"""


def summary_row(row: tuple) -> VersionSummary:
    """A :class:`VersionSummary` from a row of :data:`SUMMARY_COLUMNS`."""
    name, version, at, deleted, size, paragraphs, *counts, substantive, note = row
    return VersionSummary(
        name, version, at, bool(deleted), size or 0, paragraphs or 0, *counts, substantive, note
    )


class ActivityStore:
    """Corpus and document overviews."""

    def document_overview(self, recent_since: str) -> list[tuple]:
        """Per document, most recently changed first: (id, name, versions, first change, last
        change, whether its latest version is a deletion, paragraphs changed since
        ``recent_since`` (substantive ones where classified), versions since then)."""
        return self.query(
            "select d.id, d.name, count(v.id), min(v.captured_at), max(v.captured_at),"
            " (select lv.deleted from versions lv where lv.document_id = d.id"
            "  order by lv.version desc limit 1),"
            f" coalesce(sum(case when v.captured_at >= :since then {CHANGED} end), 0),"
            " coalesce(sum(v.captured_at >= :since), 0)"
            " from documents d left join versions v on v.document_id = d.id"
            " group by d.id order by max(v.captured_at) desc, d.name",
            {"since": recent_since},
        )

    def time_span(self) -> tuple[str | None, str | None]:
        """The first and the last time any version was recorded."""
        row = self.query("select min(captured_at), max(captured_at) from versions")[0]
        return row[0], row[1]

    def activity(self, start: str, end: str, buckets: int) -> list[tuple[int, int, int]]:
        """(document id, bucket, versions) for ``buckets`` equal slices of time from ``start`` to
        ``end`` (versions outside are left out)."""
        return self.query(
            "select document_id, min(:n - 1, cast((julianday(captured_at) - julianday(:start))"
            " * :n / (julianday(:end) - julianday(:start)) as integer)) as bucket, count(*)"
            " from versions where captured_at >= :start and captured_at <= :end"
            " group by document_id, bucket",
            {"start": start, "end": end, "n": buckets},
        )

    def version_summaries(self, document_id: int) -> list[VersionSummary]:
        """The versions of one document as summaries (no paragraph lists), oldest first."""
        rows = self.query(
            f"select {SUMMARY_COLUMNS} from versions v join documents d on d.id = v.document_id"
            " where v.document_id = ? order by v.version",
            [document_id],
        )
        return [summary_row(row) for row in rows]
