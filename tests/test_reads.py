"""Corpus reads answered through indexes (timeline, search, stats) agree with a brute-force
reading of every version, on random histories; paragraph_spans follows every kind of write."""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from support import random_history

from tracker import Tracker
from tracker.corpus import search as search_module
from tracker.corpus.query import fts_query
from tracker.corpus.search import COUNT_UP_TO, _ranges, search_page
from tracker.corpus.stats import stats
from tracker.corpus.timeline import Event, name_matches, timeline
from tracker.store.schema import paragraph_spans
from tracker.times import parse_bound

# -- the brute-force readings: every version of every document, as the first release did ------


def every_version(tracker: Tracker, since=None, until=None) -> list:
    return list(tracker.store.all_versions(since, until))


def reference_timeline(tracker, since=None, until=None, doc=None, limit=None) -> list[Event]:
    low = parse_bound(since, end_of_day=False)
    high = parse_bound(until, end_of_day=True)
    events = [
        Event(v.captured_at, v.doc, version=v)
        for v in every_version(tracker, low, high)
        if name_matches(v.doc, doc)
    ]
    rows = tracker.store.query(
        "select renamed_at, to_name, from_name from renames"
        " where (? is null or renamed_at >= ?) and (? is null or renamed_at <= ?) order by id",
        [low, low, high, high],
    )
    events += [Event(at, new, renamed_from=old) for at, new, old in rows if name_matches(new, doc)]
    events.sort(key=lambda e: (e.at, e.version is not None), reverse=True)
    return events[:limit] if limit else events


def matching(tracker, query: str) -> set[int]:
    rows = tracker.store.conn.execute(
        "select rowid from paragraphs_fts where paragraphs_fts match ?", [fts_query(query)]
    )
    return {row[0] for row in rows}


def reference_search(tracker, query, *, all_versions=False, doc=None) -> list[tuple]:
    """The hits as comparable tuples, in the documented order."""
    hits = matching(tracker, query)
    by_doc = defaultdict(list)
    for version in every_version(tracker):
        if name_matches(version.doc, doc):
            by_doc[version.document_id].append(version)
    found = []
    for versions in by_doc.values():
        versions.sort(key=lambda v: v.version)
        last = versions[-1]
        if not all_versions:
            if not last.deleted:
                found += [
                    (last.doc, last.version, last.captured_at, index, pid)
                    for index, pid in enumerate(last.paragraph_ids, start=1)
                    if pid in hits
                ]
            continue
        holding = defaultdict(list)
        for version in versions:
            for pid in dict.fromkeys(version.paragraph_ids):
                if pid in hits:
                    holding[pid].append(version)
        for pid, containing in holding.items():
            after = [v for v in versions if v.version > containing[-1].version]
            first = containing[0]
            found.append(
                (
                    last.doc,
                    first.version,
                    first.paragraph_ids.index(pid),
                    [v.version for v in containing],
                    first.captured_at,
                    (after[0].version, after[0].captured_at) if after else None,
                    pid,
                )
            )
    found.sort(key=lambda hit: hit[:3] if all_versions else (hit[0], hit[3]))
    return found


def as_tuples(tracker, hits: list[dict], all_versions: bool) -> list[tuple]:
    texts = dict(tracker.store.conn.execute("select text, id from paragraphs"))
    if not all_versions:
        return [
            (h["doc"], h["version"], h["captured_at"], h["paragraph"], h["snippet"]) for h in hits
        ]
    return [
        (
            h["doc"],
            h["first"]["version"],
            h["versions"],
            h["first"]["at"],
            (h["removed"]["version"], h["removed"]["at"]) if h["removed"] else None,
            texts[h["text"]],
        )
        for h in hits
    ]


# -- the tests ---------------------------------------------------------------------------------


SEEDS = range(8)


@pytest.fixture(scope="module")
def histories(tmp_path_factory) -> list[Path]:
    paths = []
    for seed in SEEDS:
        path = tmp_path_factory.mktemp("reads") / f"h{seed}.db"
        random_history(path, seed)
        paths.append(path)
    return paths


def stored_spans(conn: sqlite3.Connection) -> list[tuple]:
    return sorted(conn.execute("select * from paragraph_spans"), key=repr)


def computed_spans(conn: sqlite3.Connection) -> list[tuple]:
    rows = conn.execute(
        "select document_id, version, paragraph_ids from versions order by document_id, version"
    )
    return sorted(paragraph_spans(rows), key=repr)


def test_spans_follow_every_write(histories):
    for path in histories:
        with Tracker(path) as tracker:
            conn = tracker.store.conn
            assert stored_spans(conn) == computed_spans(conn)
            open_spans = Counter(
                row[0]
                for row in conn.execute(
                    "select document_id from paragraph_spans where until_version is null"
                )
            )
            latest = {d.id: tracker.store.latest(d.id) for d in tracker.documents()}
            assert open_spans == Counter(
                {i: len(set(v.paragraph_ids)) for i, v in latest.items() if v.paragraph_ids}
            )


def test_a_database_from_before_m009_gets_its_spans_on_upgrade(tmp_path):
    """An older database (no paragraph_spans yet) is upgraded in place when opened, its spans
    computed from the versions: the same rows as recording would have written."""
    path = tmp_path / "old.db"
    random_history(path, seed=11)
    conn = sqlite3.connect(path)
    recorded = stored_spans(conn)
    with conn:
        conn.execute("drop table paragraph_spans")
        conn.execute("drop index idx_renames_renamed_at")
        conn.execute("delete from _sqlite_migrations where name = 'm009_reads_by_index'")
    conn.close()
    with Tracker(path) as tracker:
        assert stored_spans(tracker.store.conn) == recorded
        assert search_page(tracker, "apple", all_versions=True).total > 0


def test_spans_kept_when_the_table_came_under_another_migration_name(tmp_path):
    """A database whose spans were made by a development build (the table there, this
    migration's name not recorded) opens, and keeps its rows instead of failing on them."""
    path = tmp_path / "dev.db"
    random_history(path, seed=12)
    conn = sqlite3.connect(path)
    recorded = stored_spans(conn)
    with conn:
        conn.execute("delete from _sqlite_migrations where name = 'm009_reads_by_index'")
    conn.close()
    with Tracker(path) as tracker:
        assert stored_spans(tracker.store.conn) == recorded
        assert tracker.documents()


WINDOWS = [(None, None), ("2024-01-03", None), (None, "2024-01-05"), ("2024-01-04", "2024-01-04")]


@pytest.mark.parametrize("doc", [None, "*.md", "a.md", "notes/*", "nothing*"])
def test_timeline_matches_every_version_read(histories, doc):
    for path in histories:
        with Tracker(path) as tracker:
            for (since, until), limit in itertools.product(WINDOWS, [None, 1, 2, 5, 1000]):
                got = timeline(tracker, since=since, until=until, doc=doc, limit=limit)
                want = reference_timeline(tracker, since=since, until=until, doc=doc, limit=limit)
                assert [e.as_dict() for e in got] == [e.as_dict() for e in want]


#: The two ways a search finds its page: document by document in name order (as often as the
#: cost model would allow: never falling back), and from SQL's list of every hit.
PLANS = {"by document": 1e-9, "every hit": 1e18}


@pytest.mark.parametrize("plan", PLANS)
@pytest.mark.parametrize("all_versions", [False, True])
@pytest.mark.parametrize("doc", [None, "*.md", "notes/*", "nothing*"])
def test_search_matches_every_version_read(histories, all_versions, doc, plan, monkeypatch):
    monkeypatch.setattr(search_module, "HITS_PER_DOCUMENT_READ", PLANS[plan])
    queries = ["apple", "berry cherry", '"fig grape"', "da*"]
    for path in histories:
        with Tracker(path) as tracker:
            for query in queries:
                want = reference_search(tracker, query, all_versions=all_versions, doc=doc)
                full = search_page(tracker, query, all_versions=all_versions, doc=doc)
                assert full.total == len(full.hits) == len(want)
                got = as_tuples(tracker, full.hits, all_versions)
                if all_versions:
                    assert got == [(d, f, vs, at, gone, pid) for d, f, _, vs, at, gone, pid in want]
                else:
                    assert [hit[:4] for hit in got] == [hit[:4] for hit in want]
                for limit in (1, 2, 3, len(want), len(want) + 1):
                    page = search_page(
                        tracker, query, all_versions=all_versions, doc=doc, limit=limit
                    )
                    assert (page.total, page.hits) == (len(want), full.hits[:limit])
                    assert not page.at_least


@pytest.mark.parametrize("plan", PLANS)
@pytest.mark.parametrize("all_versions", [False, True])
def test_search_details_match_every_version_read(histories, all_versions, plan, monkeypatch):
    """With ``details`` (the web page's links), each hit also names its paragraph, the versions
    that held it and the first of them with its place there, as reading every version finds
    them; the rest of each hit is as without details; the documents counted are the hits'."""
    monkeypatch.setattr(search_module, "HITS_PER_DOCUMENT_READ", PLANS[plan])
    for path in histories:
        with Tracker(path) as tracker:
            for query in ["apple", "berry cherry", '"fig grape"', "da*"]:
                every = {
                    (doc, pid): (held, {"version": first, "at": at, "paragraph": index + 1})
                    for doc, first, index, held, at, _, pid in reference_search(
                        tracker, query, all_versions=True
                    )
                }
                bare = search_page(tracker, query, all_versions=all_versions)
                full = search_page(tracker, query, all_versions=all_versions, details=True)
                assert full.documents == bare.documents == len({h["doc"] for h in full.hits})
                for hit, plain in zip(full.hits, bare.hits, strict=True):
                    held, first = every[hit["doc"], hit["paragraph_id"]]
                    expected = dict(plain, paragraph_id=hit["paragraph_id"])
                    if all_versions:
                        expected["first"] = dict(plain["first"], paragraph=first["paragraph"])
                    else:
                        expected.update(versions=held, ranges=_ranges(held), first=first)
                        assert held[-1] == hit["version"]  # the latest version holds it
                    assert hit == expected
                if not all_versions:
                    want = reference_search(tracker, query)
                    assert [(h["doc"], h["paragraph"], h["paragraph_id"]) for h in full.hits] == [
                        (doc, index, pid) for doc, _, _, index, pid in want
                    ]
                for limit in (1, 2, len(full.hits) + 1):
                    page = search_page(
                        tracker, query, all_versions=all_versions, limit=limit, details=True
                    )
                    assert (page.hits, page.documents) == (full.hits[:limit], full.documents)
                floor = search_page(
                    tracker, query, all_versions=all_versions, limit=1, count_up_to=0
                )
                assert floor.documents <= full.documents


@pytest.mark.parametrize("all_versions", [False, True])
def test_search_counts_up_to_a_floor(histories, all_versions):
    """Counting stops past ``count_up_to`` hits: the total is then a floor, above it and at
    most the true total; the page is the same."""
    floors = 0
    for path in histories:
        with Tracker(path) as tracker:
            for query in ["apple", "berry cherry", "da*"]:
                want = search_page(tracker, query, all_versions=all_versions, count_up_to=None)
                for up_to in (0, 1, 2, len(want.hits) - 1, len(want.hits)):
                    page = search_page(
                        tracker, query, all_versions=all_versions, limit=2, count_up_to=up_to
                    )
                    assert page.hits == want.hits[:2]
                    if page.at_least:
                        assert up_to < page.total <= len(want.hits)
                        floors += 1
                    else:  # a latest version's paragraph held twice is one row, two hits
                        assert page.total == len(want.hits)
                    if all_versions:
                        assert page.at_least == (len(want.hits) > up_to)
    assert floors


def reference_stats(tracker, doc=None, top=10, min_chars=40) -> dict:
    """The first release's stats: every version in memory at once."""

    def changed(v):
        return sum(getattr(v, key) or 0 for key in ("added", "removed", "modified", "moved"))

    only = tracker.document(doc).id if doc else None
    chosen = [v for v in every_version(tracker) if only is None or v.document_id == only]
    by_document = defaultdict(list)
    for version in sorted(chosen, key=lambda v: (v.document_id, v.version)):
        by_document[version.document_id].append(version)
    churn = defaultdict(Counter)
    for version in chosen:
        month = churn[version.captured_at[:7]]
        month["versions"] += 1
        month["changed"] += changed(version)
        for key in ("added", "removed", "modified", "moved"):
            month[key] += getattr(version, key) or 0
    deleted = {(v.document_id, v.version) for v in chosen if v.deleted}
    edits = [
        v
        for v in chosen
        if not v.deleted
        and v.version > 1
        and changed(v)
        and (v.document_id, v.version - 1) not in deleted
    ]
    edits.sort(key=lambda v: (-changed(v), v.captured_at))
    pairs = defaultdict(list)
    for document_id, number, old, new in tracker.store.edit_pairs():
        pairs[(document_id, number)].append((old, new))
    chains = []
    for document_id, versions in by_document.items():
        lineage = {}
        for version in versions:
            if version.deleted:
                continue
            for old, new in pairs.get((document_id, version.version), []):
                chain = lineage.pop(old, None) or {"edits": 0, "first": version.version}
                chain.update(edits=chain["edits"] + 1, last=version.version, pid=new)
                lineage[new] = chain
            for pid in version.paragraph_ids:
                lineage.setdefault(pid, {"edits": 0, "first": version.version, "pid": pid})
        chains += [{"doc": versions[-1].doc, **c} for c in lineage.values() if c["edits"]]
    chains = sorted(chains, key=lambda c: (-c["edits"], c["doc"]))[:top]
    texts = dict(
        zip([c["pid"] for c in chains], tracker.store.paragraph_texts([c["pid"] for c in chains]))
    )
    holders = defaultdict(set)
    mine = None
    latest = {}
    for version in every_version(tracker):
        known = latest.get(version.document_id)
        if known is None or version.version > known.version:
            latest[version.document_id] = version
    for version in [v for v in latest.values() if not v.deleted]:
        for pid in set(version.paragraph_ids):
            holders[pid].add(version.doc)
        if version.document_id == only:
            mine = set(version.paragraph_ids)
    if only is not None:
        holders = {pid: docs for pid, docs in holders.items() if pid in (mine or set())}
    shared = [pid for pid, docs in holders.items() if len(docs) >= 2]
    shared_texts = dict(zip(shared, tracker.store.paragraph_texts(shared)))
    rows = [
        {"documents": sorted(holders[pid]), "count": len(holders[pid]), "text": shared_texts[pid]}
        for pid in shared
        if len(shared_texts[pid].strip()) >= min_chars
    ]
    rows.sort(key=lambda row: (-row["count"], -len(row["text"]), row["text"]))
    return {
        "documents": len(by_document),
        "versions": len(chosen),
        "deletions": len(deleted),
        "first": min((v.captured_at for v in chosen), default=None),
        "last": max((v.captured_at for v in chosen), default=None),
        "churn": [{"month": month, **churn[month]} for month in sorted(churn)],
        "most_edited": [
            {
                "doc": c["doc"],
                "edits": c["edits"],
                "versions": f"v{c['first']}-v{c['last']}",
                "text": texts[c["pid"]],
            }
            for c in chains
        ],
        "largest_edits": [
            {
                "doc": v.doc,
                "version": v.version,
                "captured_at": v.captured_at,
                "changed": changed(v),
                "added": v.added or 0,
                "removed": v.removed or 0,
                "modified": v.modified or 0,
                "moved": v.moved or 0,
                "note": v.note,
            }
            for v in edits[:top]
        ],
        "shared": rows[:top] if top else rows,
    }


@pytest.mark.parametrize("top,min_chars", [(10, 40), (3, 0), (1, 5)])
def test_stats_match_every_version_read(histories, top, min_chars):
    for path in histories:
        with Tracker(path) as tracker:
            for doc in [None, *[d.name for d in tracker.documents()]]:
                got = stats(tracker, doc, top=top, min_chars=min_chars)
                assert got == reference_stats(tracker, doc, top=top, min_chars=min_chars)


def test_search_limits_and_doc_filter_through_the_cli(run, histories):
    db = histories[0]
    with Tracker(db) as tracker:
        total = search_page(tracker, "apple").total
    assert total > 3
    one = run("search", "apple", "--limit", "1", db=db)
    assert len(one.stdout.splitlines()) == 1
    assert one.stderr == f"... {total - 1} more (use --limit 0)\n"
    exact = run("search", "apple", "--limit", str(total), db=db)
    assert len(exact.stdout.splitlines()) == total and exact.stderr == ""
    every = run("search", "apple", "--limit", "0", db=db)
    assert every.stdout == exact.stdout and every.stderr == ""
    none = run("search", "apple", "--doc", "nothing*", db=db)
    assert none.stdout == "" and none.stderr == (
        "no document matches --doc 'nothing*'; `tracker docs` lists them\n"
    )
    data = json.loads(
        run("search", "apple", "--doc", "*.md", "--json", "--limit", "0", db=db).stdout
    )
    assert data and all(hit["doc"].endswith(".md") for hit in data)


def test_search_of_a_word_in_most_paragraphs_counts_up_to_a_floor(run, tmp_path):
    """Past COUNT_UP_TO hits, `search` says how many more there are at least; --limit 0 still
    shows every hit."""
    assert f"counting stops after {COUNT_UP_TO:,}" in " ".join(
        run("search", "--help").stdout.split()
    )
    folder = tmp_path / "docs"
    folder.mkdir()
    hits = COUNT_UP_TO + 5
    (folder / "many.txt").write_text("\n\n".join(f"apple {n}" for n in range(hits)) + "\n")
    (folder / "few.txt").write_text("apple pie\n\nno fruit here\n")
    db = tmp_path / "t.db"
    assert run("snapshot", folder, db=db).exit_code == 0
    for flags in ([], ["--all-versions"]):
        page = run("search", "apple", *flags, "--limit", "3", db=db)
        assert page.exit_code == 0
        assert page.stdout.startswith("few.txt") and len(page.stdout.splitlines()) == 3
        assert page.stderr == f"... at least {COUNT_UP_TO + 1 - 3} more (use --limit 0)\n"
        every = run("search", "apple", *flags, "--limit", "0", db=db)
        assert len(every.stdout.splitlines()) == hits + 1 and every.stderr == ""


def test_timeline_limit_zero_means_everything(run, histories):
    db = histories[1]
    every = run("timeline", db=db).stdout.splitlines()
    assert run("timeline", "--limit", "0", db=db).stdout.splitlines() == every
    assert run("timeline", "--limit", "3", db=db).stdout.splitlines() == every[:3]
    beyond = run("timeline", "--limit", str(len(every) + 5), db=db)
    assert beyond.stdout.splitlines() == every


@pytest.mark.parametrize(
    "items", [[], [{"a": 1}], [{"a": [1, 2], "b": {"c": "x\ny"}}, {"kind": "é"}], [1, "two", None]]
)
def test_a_json_list_printed_item_by_item_is_the_same_text(items):
    import click
    from click.testing import CliRunner

    from tracker.cli.common import echo_json, echo_json_list

    whole = CliRunner().invoke(click.command()(lambda: echo_json(items))).output
    streamed = CliRunner().invoke(click.command()(lambda: echo_json_list(iter(items)))).output
    assert streamed == whole == json.dumps(items, indent=2, ensure_ascii=False) + "\n"


def test_timeline_json_is_the_list_of_its_events(run, histories):
    db = histories[2]
    with Tracker(db) as tracker:
        events = [event.as_dict() for event in timeline(tracker)]
    assert json.loads(run("timeline", "--json", db=db).stdout) == events
    assert run("timeline", "--json", "--doc", "nothing*", db=db).stdout == "[]\n"
