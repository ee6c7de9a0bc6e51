"""Benchmark the Datasette pages over a replayed corpus: tables, diffs, search, the tracker pages.

Usage: python bench/bench_datasette.py [HISTORY_JSONL_GZ] [--repeat N] [--db TRACKER_DB]
                                      [--search WORDS ...]

Imports the history (default ../shared/corpora/python-peps/history.jsonl.gz) into a temporary
database with `tracker import`, builds Datasette exactly as `tracker serve` does (read-only, the
tracker plugin and metadata), then times each page through Datasette's in-process client (best of
N after one warm-up request) beside the plain-SQL (or plain-Python) time of the same work with
sqlite3. Prints a Markdown table. The search page is timed for each ``--search``, of the latest
versions and of every version; the plugin's other pages (home, document, a diff of two versions,
a paragraph's history) and the canned queries on the most edited document. ``--db``
times an existing database (say, a generated one) instead of importing a history.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import quote

from benchenv import use_bytecode_cache
from datasette.app import Datasette
from datasette.utils import escape_fts

from tracker.corpus.query import sql_fts_query, sql_snippet
from tracker.corpus.search import search_page
from tracker.history import History
from tracker.render.html import render_html_fragment
from tracker.web.metadata import SETTINGS, instance_metadata
from tracker.web.pages import search as search_view
from tracker.web.queries import QUERIES

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_HISTORY = ROOT.parent / "shared" / "corpora" / "python-peps" / "history.jsonl.gz"
SEARCHES = ("namespace package", "GIL", "the")


def import_history(history: Path, db: Path) -> float:
    """Load the history with `tracker import` (or Tracker.record if that command is missing)."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "tracker", "import", str(history), "--db", str(db)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        if "No such command" not in done.stderr:
            raise SystemExit(done.stderr)
        from tracker import Tracker

        with Tracker(db) as tracker, gzip.open(history, "rt") as lines:
            for line in lines:
                rec = json.loads(line)
                text = None if rec.get("deleted") else rec["text"]
                tracker.record(rec["doc"], text, at=rec["committed_at"])
    return time.perf_counter() - started


def best(seconds: list[float]) -> str:
    return f"{min(seconds) * 1000:.1f}"


async def time_async(fn: Callable[[], Awaitable[object]], repeat: int) -> list[float]:
    await fn()  # warm-up: first-request caches, page cache
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        await fn()
        out.append(time.perf_counter() - started)
    return out


def time_sync(fn: Callable[[], object], repeat: int) -> list[float]:
    fn()
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


async def run(
    db: Path, repeat: int, searches: tuple[str, ...] = SEARCHES
) -> list[tuple[str, str, str, str]]:
    name = db.stem
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    # the same SQL functions the plugin registers, so the plain run executes the same query
    conn.create_function("tracker_fts_query", 1, sql_fts_query, deterministic=True)
    conn.create_function("tracker_snippet", 2, sql_snippet, deterministic=True)
    conn.create_function("escape_fts", 1, escape_fts)
    doc, versions = conn.execute(
        "select d.name, count(*) n from versions v join documents d on d.id = v.document_id"
        " group by d.id order by n desc limit 1"
    ).fetchone()
    busiest = conn.execute(
        "select v.version, count(*) from paragraph_changes c join versions v on v.id = c.version_id"
        " join documents d on d.id = v.document_id where d.name = ?"
        " group by v.id order by count(*) desc limit 1",
        [doc],
    ).fetchone()[0]
    ds = Datasette([str(db)], metadata=instance_metadata([name]), settings=SETTINGS)
    await ds.invoke_startup()
    rows: list[tuple[str, str, str, str]] = []

    class Refused(Exception):
        pass

    async def page(path: str) -> int:
        response = await ds.client.get(path)
        if response.status_code == 400 and "too long" in response.text:
            raise Refused  # Datasette's time limit (a search for the commonest words, say)
        assert response.status_code == 200, (path, response.status_code, response.text[:500])
        return len(response.content)

    async def add(label: str, path: str, plain: Callable[[], object] | None, note: str) -> None:
        try:
            size = await page(path)
        except Refused:
            limit = ds.setting("sql_time_limit_ms")
            rows.append((label, f"> {limit}", "-", f"{note}; over Datasette's time limit"))
            return
        served = await time_async(lambda: page(path), repeat)
        direct = best(time_sync(plain, repeat)) if plain else "-"
        rows.append((label, best(served), direct, f"{note}; {size / 1024:.0f} KiB"))

    total = conn.execute("select count(*) from changes").fetchone()[0]

    def page_sql(table: str, facets: tuple[str, ...]) -> Callable[[], None]:
        """The SQL a table page runs: its rows, its count and its facets."""

        def run_all() -> None:
            conn.execute(f"select * from {table} order by captured_at desc limit 101").fetchall()
            conn.execute(f"select count(*) from {table}").fetchall()
            for facet in facets:
                conn.execute(
                    f"select {facet} as value, count(*) as n from {table}"
                    " group by value order by n desc limit 31"
                ).fetchall()

        return run_all

    changes_sql = page_sql("changes", ("document", "op", "class", "date(captured_at)"))
    await add(
        "`changes` view page (HTML, 100 rows; its facets on request)",
        f"/{name}/changes",
        page_sql("changes", ()),
        f"{total:,} rows in the view; plain: its rows + count",
    )
    await add(
        "`changes` view page with its 4 facets (`?_facet_size=30`)",
        f"/{name}/changes?_facet_size=30",
        changes_sql,
        "plain: its rows + count + 4 facet queries",
    )
    await add(
        "`changes.json` (100 rows)",
        f"/{name}/changes.json",
        changes_sql,
        "plain: the same rows + count + 4 facet queries",
    )
    await add(
        "`versions` table page (HTML)",
        f"/{name}/versions",
        page_sql("versions", ("document_id", "date(captured_at)", "deleted")),
        "plain: its rows + count + 3 facet queries",
    )
    for label, version in (("latest", "latest"), ("largest", str(busiest))):
        path = f"/-/tracker/diff/{name}/{quote(doc, safe='/')}/{version}"

        def plain(version: str = version) -> str:
            result = History(conn).diff(doc, until=version)
            return render_html_fragment(result.changes)

        await add(
            f"diff page, {label} version of the most edited document",
            path,
            plain,
            f"{doc} ({versions} versions) v{version}; plain: rebuild + diff + render in Python",
        )
    search_sql = QUERIES["search"]["sql"]
    for term in searches:
        count = len(conn.execute(search_sql, {"q": term}).fetchall())
        await add(
            f"`search` canned query (JSON), q={term!r}",
            f"/{name}/search.json?q={quote(term)}&_shape=objects",
            lambda term=term: conn.execute(search_sql, {"q": term}).fetchall(),
            f"{count} rows; plain: the same SQL with sqlite3",
        )
    history = History(conn)
    for term in searches:
        for label, every in (("", False), (", every version", True)):
            found = search_page(history, term, all_versions=every, limit=search_view.LIMIT)
            await add(
                f"search page{label}, q={term!r}",
                f"/-/tracker/{name}/search?q={quote(term)}" + ("&versions=all" if every else ""),
                lambda term=term, every=every: search_page(
                    history, term, all_versions=every, limit=search_view.LIMIT, details=True
                ),
                f"hits: {'at least ' if found.at_least else ''}{found.total:,} in"
                f" {found.documents:,} documents{' or more' if found.at_least else ''},"
                f" {len(found.hits)} shown;"
                " plain: the library's search with the page's details",
            )
    term = searches[0]
    await add(
        f"`search` canned query (HTML), q={term!r}",
        f"/{name}/search?q={quote(term)}",
        lambda: conn.execute(search_sql, {"q": term}).fetchall(),
        "plain: the same SQL with sqlite3",
    )
    await add(
        f"`paragraphs?_search=` table search, q={term!r}",
        f"/{name}/paragraphs?_search={quote(term)}",
        lambda: conn.execute(
            "select p.* from paragraphs p where p.rowid in (select rowid from paragraphs_fts"
            " where paragraphs_fts match escape_fts(?)) limit 101",
            [term],
        ).fetchall(),
        "plain: an FTS match on the latest text table",
    )
    await add("Atom feed (50 entries)", f"/-/tracker/{name}/changes.atom", None, "")
    await add_tracker_pages(add, conn, name, doc, versions)
    for database in ds.databases.values():
        database.close()
    conn.close()
    return rows


async def add_tracker_pages(add, conn, name: str, doc: str, versions: int) -> None:
    """The plugin's own pages and its canned queries, on the most edited document."""
    quoted = quote(doc, safe="/")
    times = [
        row[0]
        for row in conn.execute(
            "select v.captured_at from versions v join documents d on d.id = v.document_id"
            " where d.name = ? order by v.version",
            [doc],
        )
    ]
    middle = times[len(times) // 2][:10]
    month_end = middle[:8] + "28"
    busiest_doc, busiest_version, busiest_changes = conn.execute(
        "select d.name, v.version, count(*) from paragraph_changes c"
        " join versions v on v.id = c.version_id join documents d on d.id = v.document_id"
        " where v.version > 1 group by v.id order by count(*) desc limit 1"
    ).fetchone()
    pages = [
        ("tracker home (`/`)", "/", "every document, sparklines, latest changes"),
        (
            "diff page, the version with most changes",
            f"/-/tracker/diff/{name}/{quote(busiest_doc, safe='/')}/{busiest_version}",
            f"{busiest_doc} v{busiest_version}, {busiest_changes} changed paragraphs",
        ),
        ("document page", f"/-/tracker/doc/{name}/{quoted}", f"{versions} versions"),
        (
            "document page, one month",
            f"/-/tracker/doc/{name}/{quoted}?since={middle[:8]}01&until={month_end}",
            "date filter",
        ),
        (
            "diff page, first..latest",
            f"/-/tracker/diff/{name}/{quoted}/1..latest",
            "compare two versions",
        ),
        ("trace page, paragraph 1", f"/-/tracker/trace/{name}/{quoted}?paragraph=1", ""),
        ("`changes_in_range`, empty form", f"/{name}/changes_in_range", "first page of 100"),
        (
            "`changes_in_range`, one document, one month",
            f"/{name}/changes_in_range?document={quote(doc)}&since={middle[:8]}01"
            f"&until={month_end}",
            "",
        ),
        ("`versions_in_range`, empty form", f"/{name}/versions_in_range", "first page of 100"),
        ("`document_history`", f"/{name}/document_history?document={quote(doc)}", ""),
        ("`documents` table page", f"/{name}/documents", ""),
    ]
    for label, path, note in pages:
        await add(label, path, None, note)


def main() -> None:
    use_bytecode_cache()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("history", nargs="?", type=Path, default=DEFAULT_HISTORY)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument(
        "--db", type=Path, help="time the pages of this database instead of importing a history"
    )
    parser.add_argument(
        "--search",
        action="append",
        metavar="WORDS",
        help=f"time the search page for these words (repeatable; default: {', '.join(SEARCHES)})",
    )
    args = parser.parse_args()
    searches = tuple(args.search) if args.search else SEARCHES
    with tempfile.TemporaryDirectory() as tmp:
        if args.db:
            db = args.db
        else:
            db = Path(tmp) / "tracker.db"
            seconds = import_history(args.history, db)
            size = db.stat().st_size / 1e6
            print(f"imported {args.history} in {seconds:.1f} s ({size:.1f} MB)\n")
        rows = asyncio.run(run(db, args.repeat, searches))
    print(f"| page (best of {args.repeat}) | Datasette ms | plain ms | notes |")
    print("|---|---:|---:|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
