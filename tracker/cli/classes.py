"""Which changes matter: ignore patterns (volatile text) and re-classifying the history."""

from __future__ import annotations

import functools

import click

from ..render.words import line_safe
from . import cli
from .common import (
    count,
    db_option,
    echo_json,
    json_option,
    no_document_matches,
    open_tracker,
    progress_bar,
    warn,
    workers_options,
)

#: ``--workers`` and ``--scheduler`` of the commands that re-classify.
classify_on_workers = functools.partial(
    workers_options,
    workers_help="Classify the changes on N Dask worker processes (pip install"
    " 'tracker[dask]'); this process stores the classes.",
)


@cli.group()
def ignore() -> None:
    """Regular expressions for volatile text (tracking tokens, timestamps) whose changes are minor.

    A change that only touches text one of them matches is classed `volatile`
    instead of `substantive`; `tracker diff --ignore volatile` then hides it and
    `tracker log` counts it as minor. Stored text is never altered: a pattern
    changes classes, not bytes. Adding or removing one re-classifies the
    history of the documents it applies to.

    Example:

        tracker ignore add '[?&]h=[A-Za-z0-9_-]+' --doc 'instagram/*' --note 'link tokens'
    """


@ignore.command("add")
@click.argument("regex")
@click.option(
    "--doc",
    "doc_glob",
    metavar="GLOB",
    help="Only for documents matching (name, file name, or a folder they are in).",
)
@click.option("--note", help="Why this text is volatile.")
@classify_on_workers
@db_option
def ignore_add(regex, doc_glob, note, workers, scheduler, db_path):
    """Add an ignore pattern and re-classify the documents it applies to.

    The same REGEX with the same --doc again changes nothing: it is there already.
    A --doc GLOB that matches no tracked document is kept, with a warning: it
    applies to documents of such names tracked later.

    Example:

        tracker ignore add 'Last updated: [A-Za-z]+ \\d+, \\d{4}'
    """
    with open_tracker(db_path, create=True) as tracker, progress_bar("re-classifying") as bar:
        known = {pattern.id for pattern in tracker.ignore_patterns()}
        added = tracker.add_ignore(
            regex, doc=doc_glob, note=note, progress=bar, workers=workers, scheduler=scheduler
        )
        matched = added.doc_glob is None or any(
            added.applies_to(document.name) for document in tracker.documents()
        )
    done = "already there" if added.id in known else "added"
    click.echo(f"ignore pattern {added.id} {done}: {line_safe(added.pattern)}", err=True)
    if not matched:  # a typo, or documents not tracked yet: kept for them, but said
        warn(
            no_document_matches(added.doc_glob, hint=False)
            + " yet: kept, it applies to documents of such names once they are tracked"
            " (`tracker docs` lists the names)"
        )


@ignore.command("list")
@db_option
@json_option
def ignore_list(db_path, as_json):
    """List the ignore patterns.

    Example:

        tracker ignore list
    """
    with open_tracker(db_path) as tracker:
        patterns = tracker.ignore_patterns()
    if as_json:
        echo_json([pattern.as_dict() for pattern in patterns])
        return
    if not patterns:
        click.echo("no ignore patterns: `tracker ignore add REGEX` adds one", err=True)
    for pattern in patterns:
        where = f"  (documents {line_safe(pattern.doc_glob)})" if pattern.doc_glob else ""
        note = f"  {line_safe(pattern.note)}" if pattern.note else ""
        click.echo(f"{pattern.id}  {line_safe(pattern.pattern)}{where}{note}")


@ignore.command("remove")
@click.argument("pattern_id", metavar="ID", type=count(1))
@classify_on_workers
@db_option
def ignore_remove(pattern_id, workers, scheduler, db_path):
    """Remove an ignore pattern (by the ID `tracker ignore list` shows) and re-classify.

    Example:

        tracker ignore remove 2
    """
    with open_tracker(db_path) as tracker, progress_bar("re-classifying") as bar:
        removed = tracker.remove_ignore(
            pattern_id, progress=bar, workers=workers, scheduler=scheduler
        )
    click.echo(f"ignore pattern {removed.id} removed: {line_safe(removed.pattern)}", err=True)


@cli.command()
@classify_on_workers
@db_option
@json_option
def reclassify(workers, scheduler, db_path, as_json):
    """Classify every stored change again with the ignore patterns in force.

    `tracker ignore add` and `remove` do it for the documents concerned; run it
    after editing the ignore_patterns table by hand. On a large history, --workers
    or --scheduler classify on a Dask cluster; the classes are the same.

    Example:

        tracker reclassify --workers 4
    """
    with open_tracker(db_path) as tracker, progress_bar("re-classifying") as bar:
        count = tracker.reclassify(progress=bar, workers=workers, scheduler=scheduler)
    if as_json:
        echo_json({"classified": count})
    else:
        click.echo(f"{count:,} edited paragraphs classified", err=True)
