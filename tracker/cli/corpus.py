"""Corpus commands: timeline, search, stats, fsck, upgrade."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import click

from ..corpus.stats import MIN_SHARED_CHARS
from ..render.words import bold_hits, counts_text, one_line, plural, short_time, terminal_safe
from ..text.snippets import MARKS
from . import cli
from .common import (
    color_option,
    count,
    date_range_options,
    db_option,
    doc_glob_option,
    echo_json,
    echo_json_list,
    json_option,
    no_document_matches,
    open_tracker,
    progress_bar,
    use_color,
    workers_options,
)

if TYPE_CHECKING:
    from ..corpus.timeline import Event


def _column(count: int, word: str, width: int) -> str:
    """``   1 version ``, ``   2 versions``: the number right-aligned in ``width``, the word padded
    so that what follows stays aligned."""
    return f"{count:>{width}} {word if count == 1 else word + 's':<{len(word) + 1}}"


@cli.command()
@date_range_options
@doc_glob_option
@click.option("--limit", type=count(0), help="At most this many lines (0: all).")
@click.option("--substantive", is_flag=True, help="Leave out versions whose changes are all minor.")
@db_option
@json_option
def timeline(since, until, doc_glob, limit, substantive, db_path, as_json):
    """Every recorded change across all documents, newest first.

    Example:

        tracker timeline --since 2024-01-01 --doc 'peps/*' --limit 20
    """
    with open_tracker(db_path) as tracker:  # printed as read: a whole timeline can be long
        events = tracker.iter_timeline(
            since=since, until=until, doc=doc_glob, limit=limit, substantive=substantive
        )
        if as_json:
            shown = echo_json_list(event.as_dict() for event in events)
        else:
            shown = 0
            for event in events:
                click.echo(_timeline_line(event))
                shown += 1
        if not shown and doc_glob:
            from ..corpus.timeline import matching_names

            if not matching_names(tracker, doc_glob):
                click.echo(no_document_matches(doc_glob), err=True)
                return
    if not shown:
        where = [f"for documents matching {doc_glob!r}"] if doc_glob else []
        where += ["in that range"] if since or until else []
        click.echo(" ".join(["no changes recorded", *where]), err=True)


def _timeline_line(event: Event) -> str:
    """One line of the timeline's text output."""
    doc = terminal_safe(event.doc)
    if event.version is None:
        return (
            f"{short_time(event.at)}  {doc}  renamed from {terminal_safe(event.renamed_from or '')}"
        )
    version = event.version
    return f"{short_time(event.at)}  {doc}  v{version.version}  {counts_text(version)}"


@cli.command()
@click.argument("query")
@click.option("--all-versions", is_flag=True, help="Search every version, not only the latest.")
@date_range_options
@doc_glob_option
@click.option(
    "--limit",
    type=count(0),
    default=50,
    show_default=True,
    help="At most this many results (0: all).",
)
@color_option("Show the words found in bold, not between ** (auto: on a terminal, no NO_COLOR).")
@db_option
@json_option
def search(query, all_versions, since, until, doc_glob, limit, color, db_path, as_json):
    """Full-text search over paragraphs (latest versions unless --all-versions).

    Words match whole words in any order; "quoted words" match a phrase; word*
    matches a prefix. With --all-versions, each matching paragraph shows which
    versions contained it, when it first appeared and when it was removed.
    --since/--until (with --all-versions only) keep the paragraphs that a version
    recorded in that range held; each still shows its whole history.
    Standard error says how many more hits there are past --limit: counting
    stops after 10,000 (then "at least N more"), so a word found in most
    paragraphs answers as fast as a rare one.

    Example:

        tracker search 'walrus operator' --all-versions

        tracker search arbitration --all-versions --since 2019-01-01 --until 2019-12-31
    """
    if (since or until) and not all_versions:
        raise click.UsageError(
            "--since/--until pick versions by when they were recorded: add --all-versions"
        )
    colored = not as_json and use_color(color)
    with open_tracker(db_path) as tracker:
        result = tracker.search_page(
            query,
            all_versions=all_versions,
            doc=doc_glob,
            limit=limit,
            marks=MARKS if colored else ("**", "**"),
            since=since,
            until=until,
        )
    shown = result.hits
    snippet = bold_hits if colored else terminal_safe
    if as_json:
        echo_json(shown)
    elif not all_versions:
        for hit in shown:
            where = f"{terminal_safe(hit['doc'])}  v{hit['version']}  paragraph {hit['paragraph']}"
            click.echo(f"{where}: {snippet(hit['snippet'])}", color=colored)
    else:
        for hit in shown:
            first = hit["first"]
            removed = hit["removed"]
            gone = (
                f"removed v{removed['version']} {short_time(removed['at'])[:10]}"
                if removed
                else "still present"
            )
            click.echo(
                f"{terminal_safe(hit['doc'])}  {hit['ranges']}  first v{first['version']}"
                f" {short_time(first['at'])[:10]}, {gone}:"
                f" {snippet(hit['snippet'])}",
                color=colored,
            )
    if not result.total:
        dated = bool(since or until)
        click.echo(_no_hits(query, doc_glob, all_versions, result.documents_match, dated), err=True)
    elif len(shown) < result.total:
        more = (
            f"at least {result.total - len(shown)}"
            if result.at_least
            else result.total - len(shown)
        )
        click.echo(f"... {more} more (use --limit 0)", err=True)


def _no_hits(
    query: str, doc_glob: str | None, all_versions: bool, documents_match: bool, dated: bool
) -> str:
    """Why a search found nothing, as the web's search page says it: no document of that name,
    or no paragraph of the versions searched (the latest ones: --all-versions reaches further;
    or those recorded in a range)."""
    if not documents_match:
        return no_document_matches(doc_glob)
    where = "of any version" if all_versions else "of the latest versions"
    where = "of any version recorded in that range" if dated else where
    if doc_glob:
        where += f" of documents matching {doc_glob!r}"
    hint = "" if all_versions else " (--all-versions searches the earlier ones too)"
    return f"no paragraph {where} holds {query!r}{hint}"


#: Above this many months, the text output of `stats` shows churn per year (JSON keeps months).
MAX_MONTHS_SHOWN = 24


def _by_year(months: list[dict]) -> list[dict]:
    years: dict[str, dict] = {}
    for row in months:
        year = years.setdefault(row["month"][:4], {"year": row["month"][:4]})
        for key, value in row.items():
            if key != "month":
                year[key] = year.get(key, 0) + value
    return list(years.values())


def _clip(text: str, width: int = 70) -> str:
    """Document text on one line of at most ``width`` characters, control characters escaped."""
    line = terminal_safe(" ".join(text.split()))
    return line if len(line) <= width else line[: width - 1] + "…"


@cli.command()
@click.argument("doc", required=False)
@click.option(
    "--top",
    type=count(1),
    default=10,
    show_default=True,
    help="How many entries each list shows.",
)
@click.option(
    "--min-chars",
    type=count(0),
    default=MIN_SHARED_CHARS,
    show_default=True,
    help="Shorter shared paragraphs are ignored as noise.",
)
@date_range_options
@db_option
@json_option
def stats(doc, top, min_chars, since, until, db_path, as_json):
    """Versions, churn per month, most-edited paragraphs, largest edits, shared text.

    Churn is per month (per year in the text over more than 24 months; --json always gives
    months). Without DOC, over the whole corpus; shared paragraphs are those present in
    the latest versions of several documents (boilerplate, copy-paste). --since/--until
    count only the versions recorded in that range (edits made then); the shared
    paragraphs stay those of the latest versions.

    Example:

        tracker stats && tracker stats pep-0008 --json

        tracker stats --since 2019-01-01 --until 2019-12-31
    """
    with open_tracker(db_path) as tracker:
        data = tracker.stats(doc, top=top, min_chars=min_chars, since=since, until=until)
    if as_json:
        echo_json(data)
        return
    if not data["versions"] and (since or until):  # said, as log and timeline say it
        click.echo("no version recorded in that range", err=True)
    click.echo(
        f"{plural(data['documents'], 'document')}, {plural(data['versions'], 'version')}"
        f" ({plural(data['deletions'], 'deletion')}), {short_time(data['first'])[:10]}"
        f" .. {short_time(data['last'])[:10]}"
    )
    churn = data["churn"]
    unit = "month"
    if len(churn) > MAX_MONTHS_SHOWN:
        churn, unit = _by_year(churn), "year"
    if churn:
        click.echo(f"\nchurn (paragraphs changed per {unit}):")
        peak = max(row["changed"] for row in churn) or 1
        for row in churn:
            bar = "#" * max(1 if row["changed"] else 0, round(30 * row["changed"] / peak))
            counts = f"{_column(row['versions'], 'version', 5)}  {row['changed']:>6} changed"
            click.echo(f"  {row[unit]:<7}  {counts}  {bar}")
    if data["most_edited"]:
        click.echo("\nmost-edited paragraphs:")
        for row in data["most_edited"]:
            click.echo(
                f"  {_column(row['edits'], 'edit', 4)}  {terminal_safe(row['doc'])}"
                f" {row['versions']}: {_clip(row['text'])}"
            )
    if data["largest_edits"]:
        click.echo("\nlargest edits:")
        for row in data["largest_edits"]:
            click.echo(
                f"  {_column(row['changed'], 'paragraph', 4)}  {terminal_safe(row['doc'])}"
                f" v{row['version']}"
                f"  {short_time(row['captured_at'])}  +{row['added']} -{row['removed']}"
                f" ~{row['modified']} moved {row['moved']}"
            )
    if data["shared"]:
        click.echo("\nparagraphs shared by several documents:")
        for row in data["shared"]:
            names = ", ".join(map(terminal_safe, row["documents"][:3]))
            names += " ..." if row["count"] > 3 else ""
            click.echo(f"  {row['count']:>4} docs ({names}): {_clip(row['text'], 60)}")


@cli.command()
@db_option
@json_option
def fsck(db_path, as_json):
    """Check every version rebuilds to its recorded sha256, and the database's integrity.

    Exits 1 when anything is wrong, after listing every problem.

    Example:

        tracker fsck
    """
    from ..errors import TrackerError, UnreadableDatabase

    try:
        with open_tracker(db_path) as tracker, progress_bar("checking") as bar:
            report = tracker.fsck(progress=bar)
    except UnreadableDatabase as error:  # its message sends the user here: say more
        reason = str(error).removesuffix(": run `tracker fsck` to see where")
        raise TrackerError(
            f"{reason}: SQLite cannot read enough of it for any check; restore it from a backup"
        ) from None
    if as_json:
        echo_json(report.as_dict())
    else:
        megabytes = report.bytes / 1e6
        click.echo(
            f"{plural(report.versions, 'version')} ({megabytes:.1f} MB) and"
            f" {plural(report.paragraphs, 'paragraph')} checked in {report.seconds:.2f} s:"
            f" {plural(len(report.problems), 'problem') if report.problems else 'no problems'}"
        )
        for problem in report.problems:
            click.echo(one_line(problem))
    if report.problems:
        raise SystemExit(1)


@cli.command()
@functools.partial(
    workers_options,
    workers_help="Diff the versions on N Dask worker processes (pip install 'tracker[dask]');"
    " this process stores the results, in order.",
)
@db_option
def upgrade(workers, scheduler, db_path):
    """Bring a database recorded by an older tracker up to date now.

    Any command does this when it first opens such a database: it replays
    every version's diff to give paragraphs their lineages. On a large history
    that takes minutes; with --workers or --scheduler the diffs run on a Dask
    cluster, and the database is the same. A database that is up to date is
    left as it is.

    Example:

        tracker upgrade --workers 4
    """
    with open_tracker(db_path, upgrade=False) as tracker, progress_bar("upgrading") as bar:
        replayed = tracker.upgrade(progress=bar, workers=workers, scheduler=scheduler)
    click.echo(f"{plural(replayed, 'version')} upgraded" if replayed else "already up to date")
