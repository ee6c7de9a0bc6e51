"""The overviews a browser needs: every document at a glance, one document's version summaries."""

from __future__ import annotations

from pathlib import Path

from support import build_db

from tracker.history import History


def test_overview_lists_documents_with_their_recent_changes(tmp_path: Path):
    with History(build_db(tmp_path / "t.db")) as history:
        documents, total, axis = history.overview("2024-03-20T00:00:00.000Z", buckets=10)
        page, _, _ = history.overview("2024-03-20T00:00:00.000Z", offset=1, limit=1)
    assert [d.name for d in documents] == ["notes/plan.txt", "hostile.txt", "old.txt"]
    assert total == 3 and [d.name for d in page] == ["hostile.txt"]
    plan = documents[0]
    assert (plan.versions, plan.first_change, plan.last_change) == (
        3,
        "2024-01-01T10:00:00.000Z",
        "2024-03-01T10:00:00.000Z",
    )
    # the 30 days before 20 March hold version 3, which removed one paragraph
    assert (plan.recent_versions, plan.recent_changes) == (1, 1)
    assert documents[1].recent_versions == 0 and documents[1].recent_changes == 0
    assert documents[2].deleted and not plan.deleted
    assert axis == ("2024-01-01T10:00:00.000Z", "2024-03-20T00:00:00.000Z")
    assert [len(d.buckets) for d in documents] == [10, 10, 10]
    assert sum(plan.buckets) == 3 and plan.buckets[0] == 1
    assert sum(documents[2].buckets) == 2


def test_overview_of_an_empty_corpus(tmp_path: Path):
    with History(tmp_path / "t.db") as history:
        assert history.overview("2024-03-15T00:00:00Z") == ([], 0, None)


def test_summaries_carry_counts_not_paragraphs(tmp_path: Path):
    with History(build_db(tmp_path / "t.db")) as history:
        summaries = history.summaries("plan")
        full = history.versions("plan")
    assert [s.version for s in summaries] == [1, 2, 3]
    assert [s.captured_at for s in summaries] == [v.captured_at for v in full]
    assert [s.changed for s in summaries] == [3, 2, 1]
    assert not any(s.minor for s in summaries)  # nothing is classified yet
    assert not hasattr(summaries[0], "paragraph_ids")


def test_recent_changes_leave_out_versions_dated_after_now(tmp_path: Path):
    """On 20 February, plan's version of 1 March (an import can date a version after now) is
    not among its changes of the last 30 days; its version of 1 February is."""
    with History(build_db(tmp_path / "t.db")) as history:
        documents, _, _ = history.overview("2024-02-20T00:00:00.000Z")
    plan = next(d for d in documents if d.name == "notes/plan.txt")
    assert (plan.recent_versions, plan.recent_changes) == (1, 2)
