"""Stopping `tracker watch`: a first Ctrl-C records what is pending, a second stops at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker import Tracker
from tracker.scan.folder import FolderSnapshot, SnapshotCancelled


def test_abort_stops_a_snapshot_before_its_next_document_keeping_those_recorded(
    tmp_path: Path, folder: Path
) -> None:
    for i in range(6):
        (folder / f"{i}.txt").write_text(f"doc {i}\n\nsecond paragraph\n")
    with Tracker(tmp_path / "t.db") as tracker:
        tracker.snapshot(folder)
        (folder / "4.txt").unlink()
        (folder / "5.txt").unlink()
        for i in range(4):
            (folder / f"{i}.txt").write_text(f"doc {i} again\n")
        asked = []

        def abort() -> bool:
            asked.append(1)
            return len(asked) > 2  # two documents, then stop

        snapshot = FolderSnapshot(tracker, abort=abort)
        with pytest.raises(SnapshotCancelled, match="stopped at once after 2 of 4 files") as info:
            snapshot.folder(folder, None)
        assert info.value.left == ("2.txt", "3.txt", "4.txt", "5.txt")
        assert [version.doc for version in snapshot.result.recorded] == ["0.txt", "1.txt"]
        texts = {doc.name: tracker.text(doc.name) for doc in tracker.documents()}
        assert texts["0.txt"] == "doc 0 again\n" and texts["2.txt"] == "doc 2\n\nsecond paragraph\n"
        assert tracker.store.conn.execute("pragma integrity_check").fetchone() == ("ok",)
        result = tracker.snapshot(folder)  # the next run records the rest
        assert sorted(version.doc for version in result.recorded) == [
            "2.txt",
            "3.txt",
            "4.txt",
            "5.txt",
        ]
