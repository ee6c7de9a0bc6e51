"""Paragraph lineage: identity through edits, moves, splits, merges and deletions, stored once.

Hand-checked histories (including the hard cases from real data) and hypothesis invariants over
random edit sequences, all through a real database.
"""

from __future__ import annotations

import json
import random
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import as_before_lineages

from tracker import Tracker
from tracker.history import upgrade
from tracker.store.codec import decode_runs, encode_runs
from tracker.text.diff import blame_paragraphs, diff_paragraphs


def record_all(path: Path, texts: list[str], doc: str = "a.txt") -> None:
    with Tracker(path) as tracker:
        for day, text in enumerate(texts, start=1):
            tracker.record(doc, text, at=f"2024-01-{day:02d}T00:00:00Z")


def lineages(path: Path, doc: str = "a.txt") -> list[list[int]]:
    """The lineage of each paragraph of each version (an empty list for a deletion)."""
    with Tracker(path) as tracker:
        return [decode_runs(v.lineages) for v in tracker.versions(doc)]


def events(path: Path, doc: str, paragraph: int, at: str = "latest") -> list[tuple]:
    with Tracker(path) as tracker:
        _, _, found = tracker.trace(doc, paragraph, at)
    return [(e.version, e.op, e.index) for e in found]


P = [
    "The first paragraph says hello to everyone reading this document today.",
    "A second paragraph describes what the service collects and keeps for a year.",
    "The third paragraph is about cookies and how the site uses them on every page.",
    "Finally the fourth paragraph gives an address where people can write to us.",
]


def doc(*paragraphs: str) -> str:
    return "\n\n".join(paragraphs) + "\n"


def test_runs_round_trip():
    for ids in ([], [5], [1, 2, 3], [3, 2, 1], [1, 2, 3, 9, 4, 5, 6, 6]):
        assert decode_runs(encode_runs(ids)) == ids
    assert encode_runs([101, 102, 103, 117, 104]) == "[[101,3],117,104]"


def test_edit_keeps_lineage_and_insert_starts_one(tmp_path):
    db = tmp_path / "t.db"
    edited = P[1].replace("a year", "two years")
    record_all(db, [doc(*P), doc(P[0], edited, "A brand new paragraph between.", P[2], P[3])])
    first, second = lineages(db)
    assert len(set(first)) == 4 and len(set(second)) == 5
    assert second[0] == first[0] and second[1] == first[1]  # unchanged, edited
    assert second[3:] == first[2:]
    assert second[2] not in first  # the inserted paragraph starts a lineage
    assert events(db, "a.txt", 2) == [(1, "created", 2), (2, "modified", 2)]


def test_moved_and_edited_in_one_version_keeps_lineage(tmp_path):
    db = tmp_path / "t.db"
    moved = P[0].replace("everyone", "every person")
    record_all(db, [doc(*P), doc(P[1], P[2], P[3], moved)])
    first, second = lineages(db)
    assert second == [first[1], first[2], first[3], first[0]]
    with Tracker(db) as tracker:
        _, _, found = tracker.trace("a.txt", 4)
    assert [(e.op, e.old_index, e.index) for e in found] == [("created", None, 1), ("moved", 1, 4)]
    assert ("+", "every person") in found[1].inline or any(
        op == "+" and "person" in part for op, part in found[1].inline
    )


def test_deleted_and_restored_two_versions_later_continues_its_lineage(tmp_path):
    db = tmp_path / "t.db"
    record_all(db, [doc(*P), doc(P[0], P[2], P[3]), doc(P[0], P[2]), doc(*P)])
    v1, v2, v3, v4 = lineages(db)
    assert v4 == v1  # the restored paragraph (and the fourth one) continue their old lineages
    assert events(db, "a.txt", 2) == [(1, "created", 2), (2, "deleted", 2), (4, "restored", 2)]
    assert events(db, "a.txt", 4) == [(1, "created", 4), (3, "deleted", 3), (4, "restored", 4)]


def test_a_document_emptied_then_filled_again_puts_its_paragraphs_back(tmp_path):
    """An empty version in between (not a deletion) still lets the paragraphs after it continue
    the lineages they had before it, as a paragraph deleted alone does."""
    db = tmp_path / "t.db"
    record_all(db, [doc(P[0], P[1]), "", doc(P[0], P[1])])
    v1, v2, v3 = lineages(db)
    assert v2 == [] and v3 == v1
    assert events(db, "a.txt", 1) == [(1, "created", 1), (2, "deleted", 1), (3, "restored", 1)]
    with Tracker(db) as tracker:
        assert [line.first.version for line in tracker.blame("a.txt")] == [1, 1]
    as_before_lineages(db)  # the upgrade of an older database finds the same
    with Tracker(db):
        pass
    assert lineages(db) == [v1, v2, v3]


def test_split_starts_a_lineage_from_the_paragraph_split(tmp_path):
    db = tmp_path / "t.db"
    long = (
        "Our policy covers the data we collect when you visit the site and use its services. "
        "We keep your messages for a year and delete them afterwards unless the law says so."
    )
    head, tail = long.split(". ", 1)
    record_all(db, [doc(P[0], long, P[3]), doc(P[0], head + ".", tail, P[3])])
    first, second = lineages(db)
    assert second[1] == first[1]  # the largest piece keeps the lineage
    assert second[2] not in first
    with Tracker(db) as tracker:
        _, _, piece = tracker.trace("a.txt", 3)
        _, _, kept = tracker.trace("a.txt", 2)
    assert [(e.op, e.split_from) for e in piece] == [("split", 2)]
    assert [(e.op, e.split_into) for e in kept] == [("created", []), ("modified", [3])]


def test_merge_continues_the_largest_part(tmp_path):
    db = tmp_path / "t.db"
    merged = P[1] + " " + P[2]
    record_all(db, [doc(*P), doc(P[0], merged, P[3])])
    first, second = lineages(db)
    assert second[0] == first[0] and second[2] == first[3]
    assert second[1] in (first[1], first[2])
    gone = first[2] if second[1] == first[1] else first[1]
    assert gone not in second
    with Tracker(db) as tracker:
        _, _, survivor = tracker.trace("a.txt", 2)
    assert survivor[-1].op == "modified" and len(survivor[-1].merged_from) == 1


def test_a_list_of_dates_shifted_by_one_day(tmp_path):
    """Real data: every date of a schedule moved on a day. Entries keep their lineage in place
    (each is an edit of the entry at its position), and nothing is called moved."""
    days = [f"Nov {d}, 2019" for d in range(20, 31)] + [f"Dec {d}, 2019" for d in range(1, 17)]
    before = doc("Schedule", *days[:-1])
    after = doc("Schedule", *days[1:])
    db = tmp_path / "t.db"
    record_all(db, [before, after])
    with Tracker(db) as tracker:
        version = tracker.version("a.txt", "latest")
    assert version.moved == 0
    first, second = lineages(db)
    assert len(second) == len(first) and len(set(second)) == len(second)
    assert second[0] == first[0]


def test_token_churn_in_long_paragraphs_keeps_every_lineage(tmp_path):
    """Real data: a tracking token in the links of long paragraphs changes in every version."""
    rng = random.Random(7)
    words = "terms privacy data service account content license rights users policy".split()
    paragraphs = [
        " ".join(rng.choice(words) for _ in range(80)) + " https://example.com/r?u=x&h=TOKEN"
        for _ in range(6)
    ]
    texts = []
    for _ in range(5):
        token = "".join(rng.choice("ABCDEFGHJK0123456789") for _ in range(40))
        texts.append(doc(*(p.replace("TOKEN", token) for p in paragraphs)))
    db = tmp_path / "t.db"
    record_all(db, texts)
    found = lineages(db)
    assert all(v == found[0] for v in found)


def test_blame_json_gives_the_lineage_first_version(tmp_path, run):
    db = tmp_path / "t.db"
    edited = P[1].replace("a year", "two years")
    record_all(db, [doc(*P), doc(P[0], edited, P[2], P[3])])
    data = json.loads(run("blame", "a.txt", "--json", db=db).stdout)
    assert [(row["version"], row["first_version"]) for row in data] == [
        (1, 1),
        (2, 1),
        (1, 1),
        (1, 1),
    ]


def test_trace_command(tmp_path, run):
    db = tmp_path / "t.db"
    edited = P[1].replace("a year", "two years")
    record_all(db, [doc(*P), doc(P[0], P[2], P[3], edited)])
    result = run("trace", "a.txt", "4", db=db)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "a.txt v2, paragraph 4:",
        f"v1 2024-01-01  [2] created: {P[1]}",
        "v2 2024-01-02  [4] moved from paragraph 2: A second paragraph describes what the"
        " service collects and keeps for [-a year-]{+two years+}.",
    ]
    by_words = run("trace", "a.txt", "--search", "COLLECTS two", "--json", db=db)
    assert json.loads(by_words.stdout)[-1]["op"] == "moved"
    many = run("trace", "a.txt", "--search", "paragraph", db=db)
    assert many.exit_code == 1
    assert many.stderr.startswith("Error: 4 paragraphs contain 'paragraph': [1] The first")
    assert run("trace", "a.txt", "9", db=db).stderr == (
        "Error: a.txt v2 has paragraphs 1-4, not 9\n"
    )
    both = run("trace", "a.txt", "2", "--search", "x", db=db)
    assert both.exit_code == 2


def stored(path: Path, doc: str = "a.txt") -> list[str]:
    """What each version's row holds in ``versions.lineages``, as written."""
    with sqlite3.connect(path) as conn:
        return [
            row[0]
            for row in conn.execute(
                "select v.lineages from versions v join documents d on d.id = v.document_id"
                " where d.name = ? order by v.version",
                [doc],
            )
        ]


def test_a_version_that_only_edits_stores_a_mark_for_its_list(tmp_path):
    """A version whose paragraphs keep their lineages stores the number of the version whose
    row holds the list, never a mark pointing at a mark; reads give the list either way."""
    db = tmp_path / "t.db"
    edited = P[1].replace("a year", "two years")
    record_all(
        db,
        [
            doc(*P),
            doc(P[0], edited, P[2], P[3]),  # edits only: same lineages as v1
            doc(P[0], edited, P[2], P[3] + " Or call."),  # again: still v1's list
            doc(P[0], edited, P[3] + " Or call."),  # a delete: a new list
            doc(P[0], edited + " Really.", P[3] + " Or call."),  # edits only: v4's list
        ],
    )
    raw = stored(db)
    assert raw[1:3] == ["1", "1"] and raw[4] == "4"
    assert raw[0].startswith("[") and raw[3].startswith("[")
    found = lineages(db)
    assert found[0] == found[1] == found[2] and len(found[0]) == 4
    assert found[3] == [found[0][0], found[0][1], found[0][3]] == found[4]
    # the reads that follow lineages get the list behind the mark
    assert events(db, "a.txt", 2) == [(1, "created", 2), (2, "modified", 2), (5, "modified", 2)]
    assert events(db, "a.txt", 4, at="3") == [(1, "created", 4), (3, "modified", 4)]
    with Tracker(db) as tracker:
        assert [v.lineages_from for v in tracker.versions("a.txt")] == [1, 1, 1, 4, 4]


def test_lists_stored_whole_by_an_older_release_are_compacted_once(tmp_path):
    """Migration m010 replaces each list that repeats the previous version's by the mark."""
    db = tmp_path / "t.db"
    edited, again = P[0] + " Hello again.", P[0] + " Hello once more."
    texts = [doc(*P), doc(edited, *P[1:]), doc(again, *P[1:]), doc(again, *P[1:3])]
    record_all(db, [*texts, doc(again, P[1] + " More.", P[2])])
    expected = stored(db)
    assert expected[1:3] == ["1", "1"] and expected[3].startswith("[") and expected[4] == "4"
    before = lineages(db)
    with sqlite3.connect(db) as conn:  # every list written out, as before m010
        for version, runs in enumerate(before, start=1):
            conn.execute(
                "update versions set lineages = ? where version = ?", [encode_runs(runs), version]
            )
        conn.execute("delete from _sqlite_migrations where name = 'm010_same_lineages'")
    assert stored(db)[1].startswith("[")
    assert lineages(db) == before  # opening it runs m010
    assert stored(db) == expected


def test_history_view_and_lineages_table(tmp_path):
    db = tmp_path / "t.db"
    record_all(db, [doc(*P), doc(P[0], P[2], P[3])])
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "select version, op, position, text from paragraph_history where lineage ="
            " (select lineage from paragraph_changes where op = 'delete') order by version"
        ).fetchall()
        assert rows == [(1, "insert", 2, P[1]), (2, "delete", 2, P[1])]
        assert conn.execute("select count(*) from lineages").fetchone() == (4,)


def test_an_older_database_is_upgraded_once(tmp_path):
    """A database recorded before lineages were kept gets them (and the same ones as if it had
    been recorded today) the first time it is opened; a second open does nothing."""
    db = tmp_path / "t.db"
    texts = [doc(*P), doc(P[0], P[2], P[3]), doc(*P), doc(P[3], P[0], P[1])]
    record_all(db, [*texts, doc(P[3], P[0], P[1] + " Edited.")])
    expected, marks = lineages(db), stored(db)
    assert marks[4] == "4"  # the last version only edits
    as_before_lineages(db)
    calls = []
    with Tracker(db, progress=lambda done, total: calls.append((done, total))):
        pass
    assert calls[-1] == (5, 5)
    assert lineages(db) == expected  # the same ids: allocated in the same order
    assert stored(db) == marks  # and the same marks
    calls.clear()
    with Tracker(db, progress=lambda done, total: calls.append((done, total))):
        pass
    assert calls == []


@pytest.mark.parametrize("run_of", [upgrade.RUN, 1, 2])
def test_upgrade_command_replays_an_older_database_once(tmp_path, run, run_of, monkeypatch):
    """`tracker upgrade` does what opening does, and says so; then it finds nothing to do. The
    versions are diffed in runs (what a worker gets): a run starts from the last text of the
    run before, a deletion's text left out."""
    monkeypatch.setattr(upgrade, "RUN", run_of)
    db = tmp_path / "t.db"
    texts = [doc(*P), doc(P[0], P[2], P[3]), doc(*P), None, doc(P[3], P[0], P[1])]
    record_all(db, texts)
    expected, marks = lineages(db), stored(db)
    as_before_lineages(db)
    first = run("upgrade", db=db)
    assert (first.exit_code, first.output) == (0, "5 versions upgraded\n")
    assert (lineages(db), stored(db)) == (expected, marks)
    again = run("upgrade", db=db)
    assert (again.exit_code, again.output) == (0, "already up to date\n")
    missing = run("upgrade", db=tmp_path / "none.db")
    assert missing.exit_code == 1 and missing.output.startswith("Error: ")


# -- invariants over random edit sequences ------------------------------------------------------

WORDS = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi"
    " rho sigma tau upsilon phi chi psi omega"
).split()


@st.composite
def histories(draw) -> list[list[str]]:
    """Paragraph lists of successive versions, each made from the last by random edits, moves,
    splits, merges, inserts, deletes and restorations."""
    counter = iter(range(10_000))

    def paragraph() -> str:
        n = draw(st.integers(3, 12))
        return " ".join(draw(st.sampled_from(WORDS)) for _ in range(n)) + f" p{next(counter)}."

    current = [paragraph() for _ in range(draw(st.integers(1, 6)))]
    versions = [list(current)]
    deleted: list[str] = []
    for _ in range(draw(st.integers(1, 6))):
        for _ in range(draw(st.integers(1, 3))):
            kind = draw(
                st.sampled_from(["edit", "move", "split", "merge", "insert", "delete", "restore"])
            )
            if kind == "insert" or not current:
                current.insert(draw(st.integers(0, len(current))), paragraph())
            elif kind == "edit":
                i = draw(st.integers(0, len(current) - 1))
                words = current[i].split()
                words[draw(st.integers(0, len(words) - 1))] = draw(st.sampled_from(WORDS))
                current[i] = " ".join(words)
            elif kind == "move":
                i, j = draw(st.integers(0, len(current) - 1)), draw(st.integers(0, len(current)))
                current.insert(j, current.pop(i))
            elif kind == "split":
                i = draw(st.integers(0, len(current) - 1))
                words = current[i].split()
                if len(words) > 3:
                    k = draw(st.integers(1, len(words) - 1))
                    current[i : i + 1] = [" ".join(words[:k]), " ".join(words[k:])]
            elif kind == "merge" and len(current) > 1:
                i = draw(st.integers(0, len(current) - 2))
                current[i : i + 2] = [current[i] + " " + current[i + 1]]
            elif kind == "delete":
                deleted.append(current.pop(draw(st.integers(0, len(current) - 1))))
            elif kind == "restore" and deleted:
                current.insert(draw(st.integers(0, len(current))), deleted.pop())
        if current and current != versions[-1]:
            versions.append(list(current))
    return versions


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_lineage_invariants(versions: list[list[str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "t.db"
        record_all(db, [doc(*paragraphs) for paragraphs in versions])
        with Tracker(db) as tracker:
            stored = tracker.versions("a.txt")
            assert len(stored) == len(versions)
            history = tracker.store.conn.execute(
                "select lineage, version, op, text from paragraph_history order by version"
            ).fetchall()
            blame = [line.origin.version - 1 for line in tracker.blame("a.txt")]
        found = [decode_runs(v.lineages) for v in stored]
        for k, (paragraphs, ids) in enumerate(zip(versions, found)):
            # each paragraph of each version has exactly one lineage
            assert len(ids) == len(paragraphs) and len(set(ids)) == len(ids)
            # following lineages rebuilds the version: each lineage's latest text up to it
            latest: dict[int, str] = {}
            for lineage, number, op, text in history:
                if number <= k + 1 and op != "delete":
                    latest[lineage] = text
            assert [latest[i] for i in ids] == paragraphs
            if k:
                # a paragraph untouched between two versions keeps its lineage
                for change in diff_paragraphs(versions[k - 1], paragraphs, inline=False):
                    if change.op == "equal":
                        assert ids[change.new] == found[k - 1][change.old]
        # blame read from the lineages is the blame of re-aligning every version
        assert blame == blame_paragraphs(versions)
