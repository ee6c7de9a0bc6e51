"""A parallel import, without its engine: the planner, the lanes and the writer's pipeline give
the database a serial import gives. The lanes run here, in order, through pickle (as on a wire);
tests/test_dask.py runs them on a real Dask cluster."""

from __future__ import annotations

import pickle
from pathlib import Path
from types import SimpleNamespace

import pytest
from support import database_facts, eventful_history, eventful_repo, write_history

from tracker import Tracker
from tracker.corpus import lanes
from tracker.corpus.gitimport import import_git
from tracker.corpus.jsonl import import_jsonl
from tracker.corpus.lanes import Batch, Hint, prepare_lane


class InProcessPool:
    """Runs each lane's batches at once, in the order submitted; what crosses is pickled."""

    def __init__(self, lanes: int = 3):
        self.count = lanes
        self.last: dict[int, tuple] = {}
        self.batches = 0

    def lanes(self) -> int:
        return self.count

    def submit(self, batches: dict[int, Batch]) -> dict:
        hints: dict[object, Hint] = {}
        for lane, batch in batches.items():
            wired = pickle.loads(pickle.dumps(batch))
            self.last[lane] = prepare_lane(wired, self.last.get(lane))
            hints.update(pickle.loads(pickle.dumps(self.last[lane][0])))
            self.batches += 1
        return hints

    def results(self, ticket: dict) -> dict:
        return ticket


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of a few records, so that every lane's state crosses many chunks."""
    monkeypatch.setattr(lanes, "CHUNK_CHARS_PER_LANE", 2_000)
    monkeypatch.setattr(lanes, "WINDOW", 3)


def test_a_parallel_import_gives_the_database_a_serial_one_gives(tmp_path: Path, small_chunks):
    source = write_history(tmp_path / "h.jsonl", eventful_history())
    with Tracker(tmp_path / "serial.db") as tracker:
        serial = tracker.import_jsonl(source)
    pool = InProcessPool()
    with Tracker(tmp_path / "parallel.db") as tracker:
        parallel = import_jsonl(tracker, source, pool=pool)
    assert pool.batches > 20  # many chunks, each lane's state carried from one to the next
    assert parallel.writer_prepared == 0  # the workers prepared every version
    assert parallel.as_dict() == serial.as_dict()
    assert serial.recorded > 100 and serial.renamed and serial.skipped and serial.unchanged >= 3
    assert database_facts(tmp_path / "parallel.db") == database_facts(tmp_path / "serial.db")


def test_a_parallel_import_continues_documents_stored_before(tmp_path: Path, small_chunks):
    """An import into a database that holds part of the history already (and a re-run of the
    whole file): stored documents start from their stored paragraphs, seen records are skipped."""
    records = eventful_history()
    first = write_history(tmp_path / "first.jsonl", records[: len(records) // 2])
    whole = write_history(tmp_path / "whole.jsonl", records)
    results = []
    for name, pool in (("serial", None), ("parallel", InProcessPool())):
        with Tracker(tmp_path / f"{name}.db") as tracker:
            tracker.import_jsonl(first)
            results.append(import_jsonl(tracker, whole, pool=pool))
            results.append(import_jsonl(tracker, whole, pool=pool))
    assert [result.writer_prepared for result in results] == [None, None, 0, 0]
    assert [result.as_dict() for result in results[2:]] == [r.as_dict() for r in results[:2]]
    assert results[0].unchanged > 50
    assert database_facts(tmp_path / "parallel.db") == database_facts(tmp_path / "serial.db")


def test_what_the_plan_cannot_foresee_is_prepared_by_the_writer(tmp_path: Path):
    """A record repeated at the same time, but not next to it: the lanes cannot know it was
    imported before, so their version does not fit, and the writer prepares the next ones
    itself. The database is the same all the same."""
    records = [
        {"doc": "x.md", "text": "one\n\ntwo\n", "at": "2024-01-01T00:00:00Z"},
        {"doc": "x.md", "text": "one\n\ntwo, three\n", "at": "2024-01-02T00:00:00Z"},
        {"doc": "x.md", "text": "one\n\ntwo\n", "at": "2024-01-01T00:00:00Z"},  # seen: skipped
        {"doc": "x.md", "text": "one\n\ntwo, four\n", "at": "2024-01-03T00:00:00Z"},
    ]
    source = write_history(tmp_path / "h.jsonl", records)
    with Tracker(tmp_path / "serial.db") as tracker:
        serial = tracker.import_jsonl(source)
    with Tracker(tmp_path / "parallel.db") as tracker:
        parallel = import_jsonl(tracker, source, pool=InProcessPool())
    assert parallel.writer_prepared == 1
    assert parallel.as_dict() == serial.as_dict()
    assert database_facts(tmp_path / "parallel.db") == database_facts(tmp_path / "serial.db")


def test_a_parallel_git_import_gives_the_database_a_serial_one_gives(tmp_path: Path, small_chunks):
    repo = eventful_repo(tmp_path / "repo")
    with Tracker(tmp_path / "serial.db") as tracker:
        serial = tracker.import_git(repo.path)
    pool = InProcessPool()
    with Tracker(tmp_path / "parallel.db") as tracker:
        parallel = import_git(tracker, repo.path, pool=pool)
    assert pool.batches > 10
    assert parallel.writer_prepared == 0
    assert parallel.as_dict() == serial.as_dict()
    assert serial.renamed and serial.skipped  # docs/b.md, and the binary logo.md
    assert database_facts(tmp_path / "parallel.db") == database_facts(tmp_path / "serial.db")
    repo.write("a.md", "all new\n")
    repo.commit("Rewrite a")
    with Tracker(tmp_path / "parallel.db") as tracker:  # continues after the last commit
        more = import_git(tracker, repo.path, pool=InProcessPool())
    assert (more.commits, more.recorded, more.writer_prepared) == (1, 1, 0)


def test_a_parallel_git_import_after_a_narrower_one_adds_what_a_serial_one_adds(
    tmp_path: Path, small_chunks
):
    """The planner skips what an earlier import of the repository recorded, as the writer does:
    with docs/ imported first, the rest gives the database a serial import gives."""
    repo = eventful_repo(tmp_path / "repo")
    results = []
    for name, pool in (("serial", None), ("parallel", InProcessPool())):
        with Tracker(tmp_path / f"{name}.db") as tracker:
            import_git(tracker, repo.path, paths=["docs/*"])
            results.append(import_git(tracker, repo.path, paths=["*"], pool=pool))
    serial, parallel = results
    assert parallel.writer_prepared == 0
    assert parallel.as_dict() == serial.as_dict()
    assert serial.recorded > 10 and not serial.renamed  # b.md's move into docs/ was recorded
    assert database_facts(tmp_path / "parallel.db") == database_facts(tmp_path / "serial.db")
    with Tracker(tmp_path / "serial.db") as tracker:  # no commit recorded twice in a document
        for document in tracker.documents():
            notes = [version.note for version in tracker.versions(document.name)]
            assert len(set(notes)) == len(notes), document.name


def test_a_lane_prepares_each_document_against_its_version_before():
    state = lanes.DocState("blank", 3, True, 2, "old", ["kept", "gone"])
    batch = Batch(
        [
            ("seed", 1, state),  # stored, deleted after version 2: comes back
            ("text", 1, "k1", "kept\n\nnew\n"),
            ("text", 2, "k2", "fresh\n"),  # a new document
            ("text", 2, "k3", "fresh\n"),  # unchanged
            ("delete", 2),
        ]
    )
    hints, after = prepare_lane(batch, None)
    hints = pickle.loads(pickle.dumps(hints))  # as the writer gets them
    assert (hints["k1"].mode, hints["k1"].basis) == ("blank", (2, "old"))
    v2 = SimpleNamespace(version=2, sha256="old")
    assert hints["k1"].ready("line", v2, ["kept", "gone"]) is None  # another split mode
    assert hints["k1"].ready("blank", None, None) is None  # another version before
    prepared = hints["k1"].ready("blank", v2, ["kept", "gone"])
    assert prepared.paragraphs == ["kept", "new"]
    assert prepared.counts["added"] == prepared.counts["removed"] == 1
    assert hints["k2"].ready("blank", None, None).paragraphs == ["fresh"]
    assert hints["k3"].ready("blank", None, None) is None  # unchanged: nothing prepared
    assert hints["k3"].sha256 == hints["k2"].sha256
    assert (after[1].number, after[1].deleted, after[1].paragraphs) == (4, False, ["kept", "new"])
    assert (after[2].number, after[2].deleted, after[2].text_number) == (2, True, 1)


def test_a_hint_sends_the_paragraphs_of_the_version_before_by_their_index():
    """The writer has them already: only the new paragraph's text goes over the wire."""
    old = [f"Paragraph {n}: " + " ".join(["words"] * 200) for n in range(20)]
    new = [*old[:10], "A new one.", *old[10:]]
    seed = lanes.DocState("blank", 1, False, 1, "s", old)
    batch = Batch([("seed", 1, seed), ("text", 1, "k", "\n\n".join(new) + "\n")])
    hint = prepare_lane(batch, None)[0]["k"]
    v1 = SimpleNamespace(version=1, sha256="s")
    whole = pickle.dumps(hint.ready("blank", v1, old))
    wired = pickle.dumps(hint)
    assert len(wired) < 1_000 < 20_000 < len(whole)
    assert pickle.loads(wired).ready("blank", v1, old) == pickle.loads(whole)
