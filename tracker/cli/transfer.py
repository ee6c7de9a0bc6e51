"""Transfer commands: history in (import, import-git), out (export) and versions out as files
(checkout, restore). Their library modules are imported inside the commands, for start-up time.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from ..errors import MalformedInput, TrackerError
from ..render.words import line_safe, plural
from . import cli
from .common import (
    DATE,
    VERSION,
    db_option,
    echo_json,
    json_option,
    open_tracker,
    progress_bar,
    removed_if_refused,
    split_option,
    warn,
    workers_options,
)

if TYPE_CHECKING:
    from ..corpus.importing import ImportResult


def _summary(result: ImportResult, as_json: bool) -> None:
    if as_json:
        echo_json(result.as_dict())
        return
    parts = [
        plural(result.recorded, "new version"),
        f"{result.unchanged:,} unchanged",
    ]
    if result.commits is not None:
        parts.insert(0, plural(result.commits, "commit"))
    if result.renamed:
        parts.append(f"{len(result.renamed):,} renamed")
    if result.skipped:
        parts.append(f"{len(result.skipped):,} skipped")
    click.echo(", ".join(parts))


@cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@split_option
@workers_options
@db_option
@json_option
def import_(file, split, workers, scheduler, db_path, as_json):
    """Import history from FILE (JSONL, gzipped or not, or a JSON array).

    One object per line: {"doc": name, "text": str or null, "at": ISO time,
    "deleted": bool, "note": str} ("at", "deleted", "note" optional); corpus
    records, with "committed_at" for "at" and "commit" and "path" kept as the note, are
    accepted too ("doc" is still needed). A record
    {"doc": new, "renamed_from": old, "at": time} without "text" renames a
    document; a version with "renamed_from" renames a live document of that old
    name first (otherwise it is only noted). The whole file is checked first:
    malformed lines (and names that cannot be written out as files, such as
    '../x' or '/etc/x') are listed and nothing is imported. Re-running adds only
    what is new. Versions keep their "at" time. FILE may be a pipe, or - for
    stdin. With --workers or --scheduler, the versions are prepared (split,
    hashed, diffed) on a Dask cluster, and the database is the same.

    Example:

        tracker import ../shared/corpora/python-peps/history.jsonl.gz
    """
    with (
        removed_if_refused(db_path),
        open_tracker(db_path, create=True) as tracker,
        progress_bar("importing") as bar,
    ):
        try:
            result = tracker.import_jsonl(
                file, split=split, progress=bar, warn=warn, workers=workers, scheduler=scheduler
            )
        except MalformedInput as error:
            for problem in error.problems:
                click.echo(problem, err=True)
            raise
    _summary(result, as_json)


@cli.command("import-git")
@click.argument("repo", type=click.Path(file_okay=False))
@click.option(
    "--path",
    "paths",
    multiple=True,
    metavar="GLOB",
    help=(
        "Only files whose path matches (fnmatch; * also matches /, and **/ no folder too)."
        " Repeatable. Default: all."
    ),
)
@click.option(
    "--branch", default="main", show_default=True, help="Branch, tag or commit hash to follow."
)
@split_option
@workers_options
@db_option
@json_option
def import_git(repo, paths, branch, split, workers, scheduler, db_path, as_json):
    """Import the first-parent history of a git branch, one version per changing commit.

    Each commit that changes a matching text file records a version of it at
    the commit's committer date, with the commit hash and subject as its note;
    renames are followed and deletions recorded; binary files, git-lfs pointers,
    symlinks and submodules are skipped. Re-running adds
    only what is not in the database yet, whatever the branch is called (a tag,
    a hash, origin/main), wherever the repository is (a worktree, a clone,
    moved) and with more --path globs; a history that does not continue the one
    imported (rewritten by a force-push, another branch) is refused. When no
    file in the branch's history matches the --path globs (a typo?), it says so
    and exits 1. --workers and --scheduler work as for `tracker import`.

    Example:

        tracker import-git ~/src/peps --path 'peps/pep-*.rst' --branch main
    """
    with removed_if_refused(db_path):
        with open_tracker(db_path, create=True) as tracker, progress_bar("importing") as bar:
            result = tracker.import_git(
                repo,
                branch=branch,
                paths=paths,
                split=split,
                progress=bar,
                warn=warn,
                workers=workers,
                scheduler=scheduler,
            )
        if result.nothing_matched is not None:
            warn(result.nothing_matched)
        _summary(result, as_json)
        if result.nothing_matched is not None:
            raise SystemExit(1)


@cli.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "json"]),
    default="jsonl",
    show_default=True,
    help="One record per line, or one JSON array.",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write here (.gz compresses)."
)
@db_option
def export(fmt, output, db_path):
    """Write the whole history in the import format, to stdout or a file.

    One record per version, oldest first: {"doc", "text" (null for a deletion),
    "at", "deleted", "note"}, where "doc" is the document's name at that time.
    Each rename is a record of its own, between the versions it came between:
    {"doc": new name, "renamed_from": old name, "at"} (no "text"). `tracker
    import` reads it back, renames included.

    Only records that `tracker import` accepts are written. A database made by
    an older tracker may hold names refused today (absolute, with '..' or
    control characters): their records are left out, a warning says which and
    why, the rest is written, and the command exits 1.

    Example:

        tracker export -o history.jsonl.gz
    """
    refused: list[int] = []

    def left_out(problem: str, count: int) -> None:
        refused.append(count)
        warn(f"{plural(count, 'record')} not written: {problem}")

    with open_tracker(db_path) as tracker:
        if output:
            written = tracker.export_to_file(output, fmt, left_out=left_out)
            renames = f" and {plural(written.renames, 'rename')}" if written.renames else ""
            click.echo(
                f"{plural(written.versions, 'version')}{renames} written to {output}", err=True
            )
        else:
            tracker.export(sys.stdout.buffer, fmt, left_out=left_out)
            sys.stdout.buffer.flush()
    if refused:
        count = sum(refused)
        raise TrackerError(
            f"{plural(count, 'record')} not written: `tracker import` would refuse them"
        )


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False))
@click.option(
    "--at",
    "at",
    type=DATE,
    help="Date or date-time, UTC, to its end (a date: the whole day). Default: now.",
)
@click.option(
    "--force",
    is_flag=True,
    help=(
        "Write into a folder that is not empty: files at documents' names are replaced,"
        " others listed, never deleted."
    ),
)
@db_option
@json_option
def checkout(directory, at, force, db_path, as_json):
    """Write the whole corpus as it stood at a date into DIRECTORY, byte-exact.

    Every document present at that moment is written at its name then (its
    version with the latest time at or before --at; without --at, its latest
    version). Nothing is ever written
    outside DIRECTORY: a document whose name is absolute, has '..' or control
    characters, or whose place is taken (by a folder, or by the tracker database
    itself) is skipped with a warning, the others are still written, and the
    command exits 1. With --force, a file already at a document's name is
    replaced by that version, and files already in DIRECTORY that are not part
    of this checkout (say, from an earlier one) are listed as warnings and left
    alone: nothing is deleted.

    Example:

        tracker checkout /tmp/peps-2010 --at 2010-01-01
    """
    with open_tracker(db_path) as tracker:
        result = tracker.checkout(directory, at, force=force)
    for _, message in result.unsafe:
        warn(message)
    for path in result.others:
        warn(f"{path}: not part of this checkout, left alone")
    if as_json:
        echo_json([{"name": name, **version.as_dict()} for name, version in result.written])
    else:
        written = len(result.written)
        summary = f"{plural(written, 'document')} written to {directory}"
        if not written and not result.unsafe:
            summary += f" (no document existed {'by ' + at if at else 'yet'})"
        if result.others:
            others = plural(len(result.others), "other file")
            summary += f"; {others} already there left alone (not deleted)"
        click.echo(summary, err=True)
    if result.unsafe:  # names unsafe to write out, or a file's name that is another's folder
        raise TrackerError(f"{plural(len(result.unsafe), 'document')} not written (see above)")


@cli.command()
@click.argument("doc")
@click.option(
    "--at", "at", type=VERSION, default="latest", show_default=True, help="Version reference."
)
@click.option("--to", "to", type=click.Path(), help="File or folder to write to.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@db_option
def restore(doc, at, to, force, db_path):
    """Write one version of DOC to a file (default: its name in the current folder).

    --at takes v3, first, latest~2, or an ISO date; an existing file is not
    overwritten without --force. A --to that ends with '/' or is an existing
    folder means into that folder (created if needed), under DOC's file name.

    Example:

        tracker restore pep-0008 --at 2015-01-01 --to old-pep8.txt
    """
    with open_tracker(db_path) as tracker:
        target, version = tracker.restore(doc, at, to, force=force)
    click.echo(f"{line_safe(version.doc)} v{version.version} written to {target}", err=True)
