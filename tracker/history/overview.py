"""Overviews for people browsing a history: every document at a glance, one document's versions.

:class:`Overviews` is part of :class:`tracker.history.History`. It reads summaries only (counts
and dates, never paragraph lists), so it stays quick on long histories.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from ..store import Store
from ..times import parse_time, to_iso

if TYPE_CHECKING:
    from ..models import DocumentActivity, VersionSummary

#: Days counted as "recent" in the corpus overview, and slices of its activity axis.
RECENT_DAYS, ACTIVITY_BUCKETS = 30, 40


class Overviews:
    """Reads that summarise a corpus or a document over time."""

    store: Store

    def overview(
        self,
        now: str,
        *,
        offset: int = 0,
        limit: int | None = None,
        recent_days: int = RECENT_DAYS,
        buckets: int = ACTIVITY_BUCKETS,
    ) -> tuple[list[DocumentActivity], int, tuple[str, str] | None]:
        """Documents, most recently changed first (``limit`` of them from ``offset``; None: all),
        each with its changes in the ``recent_days`` before ``now`` and its versions counted
        in ``buckets`` slices of the time from the first recorded version to ``now`` (or to the
        last, if later); how many documents there are in all; and that axis (start, end), None
        for an empty corpus."""
        from ..models import DocumentActivity

        rows = self.store.document_overview()
        shown = rows[offset : None if limit is None else offset + limit]
        since = to_iso(parse_time(now) - timedelta(days=recent_days))
        recent = self.store.recent_activity(since, now)  # not versions dated after now
        first, last = self.store.time_span()
        axis = None
        counts: dict[int, list[int]] = {}
        if first is not None:
            end = max(now, last or now)
            if end <= first:
                end = to_iso(parse_time(first) + timedelta(days=1))
            axis = (first, end)
            ids = [row[0] for row in shown]
            for document_id, bucket, n in self.store.activity(ids, first, end, buckets):
                counts.setdefault(document_id, [0] * buckets)[bucket] += n
        documents = []
        for document_id, name, versions, first_change, last_change, deleted in shown:
            changed, recent_versions = recent.get(document_id, (0, 0))
            documents.append(
                DocumentActivity(
                    name=name,
                    versions=versions,
                    first_change=first_change,
                    last_change=last_change,
                    deleted=bool(deleted),
                    recent_changes=changed,
                    recent_versions=recent_versions,
                    buckets=counts.get(document_id, [0] * buckets),
                )
            )
        return documents, len(rows), axis

    def summaries(self, doc: str) -> list[VersionSummary]:
        """The versions of a document (any name that resolves to it) as summaries, oldest
        first: dates and counts, no paragraphs."""
        return self.store.version_summaries(self.document(doc).id)
