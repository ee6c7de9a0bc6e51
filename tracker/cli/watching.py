"""The watch command: record every change to a folder of documents as it happens."""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING

import click

from ..render.words import counts_text, plural, short_time
from . import cli
from .common import (
    db_option,
    default_folder,
    json_option,
    max_bytes_option,
    split_option,
    warn,
)

if TYPE_CHECKING:  # watchdog is imported only when the command runs (start-up time)
    from ..watch.events import WatchEvent
    from ..watch.session import WatchSession


def _a_number(value: float, param: click.Parameter) -> float:
    """Refuse ``nan`` (a FloatRange lets it through: it compares false with any bound)."""
    if value != value:
        raise click.BadParameter("nan is not a number of seconds.", param=param)
    return value


@cli.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--debounce",
    type=click.FloatRange(min=0, max=3600),
    callback=lambda ctx, param, value: _a_number(value, param),
    default=0.1,
    show_default=True,
    metavar="SECONDS",
    help="Quiet time after a change before it is recorded (a burst of writes gives one version).",
)
@click.option(
    "--poll",
    is_flag=True,
    help="Poll the folder instead of using OS events (network and mounted file systems).",
)
@click.option(
    "--include",
    multiple=True,
    metavar="GLOB",
    help="Track only matching files (path or name; repeatable). Default: text-like files.",
)
@click.option(
    "--exclude", multiple=True, metavar="GLOB", help="Skip matching files or folders (repeatable)."
)
@click.option(
    "--exec",
    "exec_command",
    metavar="CMD",
    help="Shell command run after each version (TRACKER_* variables, JSON diff on stdin).",
)
@click.option(
    "--only",
    type=click.Choice(["substantive"]),
    help="Print (and run --exec for) only versions with a substantive change.",
)
@click.option("--quiet", "-q", is_flag=True, help="Print only warnings and errors.")
@split_option
@max_bytes_option
@db_option
@json_option
def watch(
    folder: str,
    debounce: float,
    poll: bool,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    exec_command: str | None,
    only: str | None,
    quiet: bool,
    split: str,
    max_bytes: int,
    db_path: str,
    as_json: bool,
) -> None:
    """Record a version of every document under FOLDER each time it changes, until Ctrl-C.

    It first records what changed since the last run, then prints one line per
    version, deletion and rename as it happens (--json: one JSON object per
    line). Editor swap, backup and temp files and hidden files are ignored;
    renames and moves keep a document's history. Ctrl-C or SIGTERM records what
    is pending and exits 0. A second one stops at once: each document is
    recorded whole or not at all, a line says what was left for the next start
    to catch up, and it exits 130. After a crash or kill -9 the next start
    catches up too.

    One watcher per database: it holds a lock on <db>.watch.lock, and a second
    one exits with an error naming the first one's pid.

    --exec runs CMD through the shell after each version and deletion, one at a
    time, with TRACKER_EVENT (version or deleted), TRACKER_DOC, TRACKER_VERSION,
    TRACKER_ADDED, TRACKER_REMOVED, TRACKER_MODIFIED, TRACKER_MOVED,
    TRACKER_SUBSTANTIVE (how many of the changes are substantive),
    TRACKER_FILE and TRACKER_DB set and the diff as JSON on its stdin. Its
    output goes to stderr; a command that fails or runs over 60 s is reported
    and never stops the watcher.

    Example:

        tracker watch seeds/ --exec 'notify-send "$TRACKER_DOC"'
    """
    session: WatchSession

    def show(event: WatchEvent) -> None:
        kind = event.kind
        try:
            if kind in ("warning", "error") or (kind == "skipped" and (quiet or not as_json)):
                reason = event.reason or ""
                where = f"{event.doc}: " if event.doc and not reason.startswith(event.doc) else ""
                warn(where + reason)
                return
            if kind == "interrupted":
                click.echo(_interrupted_line(event.counts), err=True)
                return
            if quiet:
                return
            if kind == "started":
                click.echo(
                    f"watching {session.root} into {db_path}"
                    f" ({plural(event.counts['documents'], 'document')} tracked); Ctrl-C to stop",
                    err=True,
                )
            elif kind == "caught_up":
                n = event.counts
                click.echo(
                    f"caught up: {plural(n['recorded'], 'new version')},"
                    f" {n['deleted']:,} deleted, {n['renamed']:,} renamed,"
                    f" {n['unchanged']:,} unchanged, {n['skipped']:,} skipped;"
                    " watching for changes",
                    err=True,
                )
            elif kind == "stopping":
                click.echo(
                    "stopping: recording what is pending (Ctrl-C again to stop at once)", err=True
                )
            elif kind == "rescanned":
                return
            elif as_json:
                click.echo(json.dumps(event.as_dict(), ensure_ascii=False))
            elif event.version is not None:
                version = event.version
                click.echo(
                    f"{short_time(version.captured_at)}  {version.doc}  v{version.version}"
                    f"  {counts_text(version)}"
                )
            elif kind == "renamed":
                click.echo(f"{short_time(event.at)}  {event.doc}  renamed from {event.old_name}")
        except BrokenPipeError:  # `tracker watch ... | head`: stop cleanly, say nothing more
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            session.request_stop()

    from ..watch.session import WatchSession

    default_folder(db_path)
    session = WatchSession(
        folder,
        db_path,
        show,
        debounce=debounce,
        poll=poll,
        include=include,
        exclude=exclude,
        split=split,
        max_bytes=max_bytes,
        exec_command=exec_command,
        only_substantive=only == "substantive",
    )
    session.run()
    if session.interrupted:  # a second Ctrl-C: what was left is said, the exit status says it
        click.get_current_context().exit(130)


def _interrupted_line(counts: dict[str, int]) -> str:
    """The line a stop at once ends with: what the next start has to catch up."""
    left = []
    if counts.get("left"):
        left.append(plural(counts["left"], "file") + " not looked at")
    if counts.get("rescan"):
        left.append("the comparison of the whole folder")
    if not left:
        return "stopped at once; nothing was left unrecorded"
    return (
        "stopped at once; left for the next tracker watch or snapshot to catch up: "
        + " and ".join(left)
    )
