"""The core commands: snapshot, log, show, docs."""

from __future__ import annotations

import click

from ..refs import name_matches
from ..render.words import counts_text, line_safe, plural, short_time
from ..times import parse_bound
from . import cli
from .common import (
    VERSION,
    date_range_options,
    db_option,
    doc_glob_option,
    echo_json,
    json_option,
    max_bytes_option,
    no_document_matches,
    open_tracker,
    split_option,
    stdout_bytes,
    warn,
)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@split_option
@max_bytes_option
@db_option
@json_option
def snapshot(paths, split, max_bytes, db_path, as_json):
    """Record a new version of every document under PATHS that changed.

    Folders are read recursively (hidden folders skipped); files that are gone
    (from a folder, or a tracked file given by path) are recorded as deleted;
    binary and non-UTF-8 files are skipped with a warning.
    Documents are named relative to the folder given (a single file: by its name);
    a path inside another folder given is left to that one, with a warning.

    Example:

        tracker snapshot seeds/
    """
    with open_tracker(db_path, create=True) as tracker:
        result = tracker.snapshot(paths, split=split, max_bytes=max_bytes)
    explicit = {str(path) for path in paths}
    for message in result.warnings:
        warn(message)
    for path, reason in result.skipped:
        warn(reason if reason.startswith(path) else f"{path}: {reason}")
    if as_json:
        echo_json(result.as_dict())
    else:
        for old, new in result.renamed:
            click.echo(f"{new}  renamed from {old}")
        for version in result.recorded:
            click.echo(f"{version.doc}  v{version.version}  {counts_text(version)}")
        click.echo(
            f"{plural(len(result.recorded), 'new version')}, "
            f"{result.unchanged:,} unchanged, {len(result.skipped):,} skipped",
            err=True,
        )
    if any(path in explicit for path, _ in result.skipped):
        raise SystemExit(1)


@cli.command()
@click.argument("doc")
@date_range_options
@click.option(
    "--substantive", is_flag=True, help="Only versions with a substantive change (no minor ones)."
)
@db_option
@json_option
def log(doc, since, until, substantive, db_path, as_json):
    """Show the version history of DOC, oldest first.

    DOC is a path, a file name, a stem or a unique prefix. Each version's counts say how many
    of its changes are substantive when only some are, and `minor` when none is (whitespace,
    punctuation, case, numbers, ignored text, moves: see `tracker diff --ignore`). A rename is
    shown after the version it followed (in --json, that version's `renames`).

    Example:

        tracker log 000

        tracker log pep-0008 --since 2020-01-01 --substantive
    """
    with open_tracker(db_path) as tracker:
        document = tracker.document(doc)
        versions = tracker.versions(document.name)
        renames = tracker.renames(document.name)
    low, high = parse_bound(since, end_of_day=False), parse_bound(until, end_of_day=True)
    versions = [
        version
        for version in versions
        if (low is None or version.captured_at >= low)
        and (high is None or version.captured_at <= high)
        and not (substantive and version.minor)
    ]
    if not versions and (since or until or substantive):  # said, as timeline says it
        click.echo(f"no version of {document.name} in that range", err=True)
    renamed_after = {}
    for rename in renames:
        renamed_after.setdefault(rename["version"], []).append(rename)
    if as_json:  # each rename where the text shows it: after the version it followed
        echo_json(
            [
                version.as_dict()
                | {
                    "renames": [
                        {key: rename[key] for key in ("from", "to", "renamed_at")}
                        for rename in renamed_after.get(version.version, [])
                    ]
                }
                for version in versions
            ]
        )
        return
    for version in versions:
        if version.deleted:
            line = f"v{version.version}  {short_time(version.captured_at)}  deleted"
        else:
            line = (
                f"v{version.version}  {short_time(version.captured_at)}  {version.bytes:,} bytes"
                f"  {plural(version.paragraphs, 'paragraph')}  {counts_text(version)}"
            )
        if version.note:
            line += f"  {line_safe(version.note)}"
        click.echo(line)
        for rename in renamed_after.get(version.version, []):
            when = short_time(rename["renamed_at"])
            click.echo(f"    {when}  renamed {rename['from']} -> {rename['to']}")


@cli.command()
@click.argument("doc")
@click.option(
    "--at", "at", type=VERSION, default="latest", show_default=True, help="Version reference."
)
@db_option
def show(doc, at, db_path):
    """Print the exact bytes of a version of DOC.

    --at takes v3, 3, first, latest, HEAD, latest~2 or an ISO date or date-time
    (the latest version at or before it, UTC; a date means the end of that day, a time
    the end of its last unit: 12:00:00 holds a version shown at 12:00:00).

    Example:

        tracker show 000 --at v1 > old.txt
    """
    with open_tracker(db_path) as tracker:
        text = tracker.text(doc, at)
    stdout_bytes(text.encode("utf-8"))


@cli.command()
@doc_glob_option
@db_option
@json_option
def docs(doc_glob, db_path, as_json):
    """List every tracked document with its versions, last change and state.

    Example:

        tracker docs --doc 'peps/*' --json
    """
    with open_tracker(db_path) as tracker:
        documents = tracker.documents()
    tracked = bool(documents)
    documents = [document for document in documents if name_matches(document.name, doc_glob)]
    if as_json:
        echo_json([document.as_dict() for document in documents])
    if not documents:
        if not tracked:
            click.echo("no documents tracked yet: run `tracker snapshot DIR`", err=True)
        else:
            click.echo(no_document_matches(doc_glob, hint=False), err=True)
    if as_json or not documents:
        return
    names = [line_safe(document.name) for document in documents]  # an older database's too
    width = max(len(name) for name in names)
    for name, document in zip(names, documents):
        state = "deleted" if document.deleted else "present"
        click.echo(
            f"{name:<{width}}  {plural(document.versions, 'version'):>13}"
            f"  last change {short_time(document.last_change)}  {state}"
        )
