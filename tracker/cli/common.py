"""Pieces shared by the commands: the --db option, opening the tracker, one-line formatting."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import InterruptedAfterCommit, TrackerError
from ..refs import check_version_ref
from ..render.words import one_line
from ..scan.files import DEFAULT_MAX_BYTES
from ..times import read_bound

if TYPE_CHECKING:  # the library is imported when a command opens it, not when --help is asked
    from ..api import Tracker

DEFAULT_DB = "snapshots/tracker.db"


def use_color(choice: str) -> bool:
    """``auto`` colours only a terminal, and never when NO_COLOR is set (no-color.org)."""
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def color_option(help_text: str) -> Callable[[Callable], Callable]:
    """``--color auto|always|never`` (see :func:`use_color`), with the command's own help."""
    return click.option(
        "--color",
        type=click.Choice(["auto", "always", "never"]),
        default="auto",
        show_default=True,
        help=help_text,
    )


def db_option(function: Callable) -> Callable:
    """``--db PATH`` (or ``TRACKER_DB``), default ``snapshots/tracker.db``."""
    return click.option(
        "--db",
        "db_path",
        type=click.Path(),
        default=DEFAULT_DB,
        envvar="TRACKER_DB",
        show_default=True,
        show_envvar=True,
        help="SQLite database file.",
    )(function)


def json_option(function: Callable) -> Callable:
    """``--json``: machine-readable output."""
    return click.option("--json", "as_json", is_flag=True, help="Output JSON.")(function)


def default_folder(db_path: str) -> None:
    """Create the default database's ``snapshots/`` folder if needed; any other folder given
    with --db must exist (a typo must not make a new database far away)."""
    if Path(db_path) == Path(DEFAULT_DB):
        folder = Path(DEFAULT_DB).parent
        try:
            folder.mkdir(exist_ok=True)
        except FileExistsError:  # a file of that name: the store says what is wrong
            pass
        except OSError as error:
            raise TrackerError(
                f"cannot create folder {folder} for the database ({error.strerror});"
                " choose another --db"
            ) from None


#: The files SQLite keeps next to a database, which a new database removed again takes along.
SIDE_FILES = ("-wal", "-shm", "-journal")


@contextmanager
def removed_if_refused(db_path: str) -> Iterator[None]:
    """Remove again a database (its side files, the default's new ``snapshots/``) that a
    command made and then failed in: a refused import into a new database leaves nothing."""
    db = Path(db_path)
    paths = [db, *(Path(f"{db_path}{suffix}") for suffix in SIDE_FILES)]
    new_paths = [path for path in paths if not os.path.lexists(path)]
    folder = db.parent
    new_folder = db == Path(DEFAULT_DB) and not os.path.lexists(folder)
    try:
        yield
    except InterruptedAfterCommit:  # the work is stored: the database stays
        raise
    except BaseException as error:
        if isinstance(error, SystemExit) and error.code in (0, None):
            raise
        # one that existed stays as the command's transaction left it; so does a new one that
        # another process (a watcher started meanwhile) has recorded documents into
        if db in new_paths and _holds_no_document(db):
            for path in new_paths:
                with suppress(FileNotFoundError):
                    path.unlink()
            if new_folder:
                with suppress(OSError):  # not empty: something else is in it now
                    folder.rmdir()
        raise


def _holds_no_document(db: Path) -> bool:
    """Tell whether a database file holds no document (or no tables yet); False when it cannot
    be read (locked by a writer, say): then it is not ours to remove."""
    import sqlite3
    from urllib.request import pathname2url

    if not db.is_file():
        return True
    try:
        conn = sqlite3.connect(f"file:{pathname2url(str(db.resolve()))}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        return conn.execute("select count(*) from documents").fetchone()[0] == 0
    except sqlite3.Error as error:
        return "no such table" in str(error)
    finally:
        conn.close()


@contextmanager
def open_tracker(db_path: str, *, create: bool = False, upgrade: bool = True) -> Iterator[Tracker]:
    """Open the database; read commands refuse to create one (they say how to). An older
    database is upgraded first (``upgrade`` False: left to the caller)."""
    from ..api import Tracker

    if create:
        default_folder(db_path)
    with progress_bar("upgrading the database") as bar:
        tracker = Tracker(db_path, create=create, progress=bar, upgrade=upgrade)
    try:
        yield tracker
    finally:
        tracker.close()


def echo_json(data: Any) -> None:
    """Print JSON, UTF-8, indented for people and parseable by programs."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def echo_json_list(items: Iterable[Any]) -> int:
    """Print a JSON array item by item, as :func:`echo_json` prints a list (the same text),
    without holding the list; return how many items there were."""
    count = 0
    for item in items:
        text = json.dumps(item, indent=2, ensure_ascii=False).replace("\n", "\n  ")
        click.echo(("[\n  " if count == 0 else ",\n  ") + text, nl=False)
        count += 1
    click.echo("\n]" if count else "[]")
    return count


def warn(message: str) -> None:
    """A warning on stderr that does not stop the command: one line, control characters (of a
    file name, say) escaped."""
    click.echo(f"warning: {one_line(message)}", err=True)


def stdout_bytes(data: bytes) -> None:
    """Write exact bytes to stdout (no newline added, no re-encoding)."""
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def split_option(function: Callable) -> Callable:
    """``--split auto|blank|line`` for commands that create documents."""
    return click.option(
        "--split",
        type=click.Choice(["auto", "blank", "line"]),
        default="auto",
        show_default=True,
        help="How new documents are cut into paragraphs: blank-line blocks, or one per line. "
        "Chosen at a document's first version and kept.",
    )(function)


#: What ``--workers`` does for an import.
PREPARE_ON_WORKERS = (
    "Prepare the versions on N Dask worker processes (pip install 'tracker[dask]'); "
    "this process stores them, in order, as a serial import would."
)


def _scheduler_address(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """An address with something in it (whether a scheduler answers there is checked later)."""
    if value is not None and not value.strip():
        raise click.BadParameter("give an address, like tcp://HOST:8786")
    return value


def workers_options(function: Callable, workers_help: str = PREPARE_ON_WORKERS) -> Callable:
    """``--workers N`` and ``--scheduler ADDRESS``: the work on Dask (``workers_help`` says
    which; an import's by default)."""
    function = click.option(
        "--scheduler",
        metavar="ADDRESS",
        callback=_scheduler_address,
        help="Use the Dask cluster of this scheduler (tcp://HOST:8786) instead of starting one; "
        "with --workers, wait for that many of its workers.",
    )(function)
    return click.option("--workers", type=count(1), metavar="N", help=workers_help)(function)


class _Count(click.IntRange):
    """An IntRange whose help shows only its lower bound (the upper one is a safeguard)."""

    def _describe_range(self) -> str:
        return f"x>={self.min}"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            number = click.INT.convert(value, param, ctx)
            if self.max is not None and number > self.max:
                self.fail(f"{number} is too large (at most {self.max}).", param, ctx)
            raise


def count(least: int = 0) -> click.IntRange:
    """A whole number from ``least`` up to the largest Python can index with: a larger one is a
    usage error (exit 2), not an overflow deep inside."""
    return _Count(min=least, max=sys.maxsize)


class VersionRef(click.ParamType):
    """A version reference (``v3``, ``3``, ``first``, ``latest``, ``latest~2``, a date): one
    that cannot be read is a usage error (exit 2); one that does not exist is found later."""

    name = "version"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "VERSION"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            check_version_ref(str(value))
        except ValueError as error:
            self.fail(str(error), param, ctx)
        return value


class Moment(click.ParamType):
    """A date or date-time (UTC unless it says otherwise): one that cannot be read is a usage
    error (exit 2). The value stays as typed; the command reads it as a range's start or end."""

    name = "date"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if str(value).strip():
            try:
                read_bound(str(value), end_of_day=False)
            except ValueError as error:
                self.fail(str(error), param, ctx)
        return value


VERSION = VersionRef()
DATE = Moment()


def _window(ctx: click.Context, param: click.Parameter, until: str | None) -> str | None:
    """Refuse a window that ends before it starts (a typo would otherwise show nothing)."""
    since = ctx.params.get("since")
    if since and str(since).strip() and until and str(until).strip():
        if read_bound(since, end_of_day=False) > read_bound(until, end_of_day=True):
            raise click.BadParameter(f"{until!r} is before --since {since!r}", ctx, param)
    return until


def doc_glob_option(function: Callable) -> Callable:
    """``--doc GLOB``: only the documents whose name, or file name alone, matches."""
    return click.option(
        "--doc",
        "doc_glob",
        metavar="GLOB",
        help="Only documents whose name, or file name alone, matches (fnmatch: 'notes/*',"
        " 'guide.md'); a folder stands for the documents in it ('notes').",
    )(function)


def no_document_matches(doc_glob: str | None, *, hint: bool = True) -> str:
    """What docs, search and timeline say when --doc names no document (``hint``: and which
    command lists the names, for all but that one)."""
    return f"no document matches --doc {doc_glob!r}" + ("; `tracker docs` lists them" * hint)


def date_range_options(function: Callable) -> Callable:
    """``--since`` and ``--until``: a window of dates or date-times, as timeline and log read it."""
    function = click.option(
        "--until",
        type=DATE,
        callback=_window,
        help="Up to the end of this date or date-time (a date: the whole day), UTC.",
    )(function)
    return click.option(
        "--since",
        type=DATE,
        is_eager=True,  # read first, so that --until can be checked against it
        help="From this date or date-time (a bare date: its start), UTC.",
    )(function)


def max_bytes_option(function: Callable) -> Callable:
    """``--max-bytes``: refuse files larger than this."""
    return click.option(
        "--max-bytes",
        type=count(0),
        default=DEFAULT_MAX_BYTES,
        envvar="TRACKER_MAX_BYTES",
        show_default=True,
        help="Refuse files larger than this.",
    )(function)


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A click progress bar on stderr when it is a terminal; yields its update callback."""
    if not sys.stderr.isatty():
        yield None
        return
    bars: list = []

    def update(done: int, total: int) -> None:
        if not bars:
            bars.append(click.progressbar(length=total, label=label, file=sys.stderr))
            bars[0].__enter__()
        bars[0].update(done - bars[0].pos)

    try:
        yield update
    finally:
        if bars:
            bars[0].__exit__(None, None, None)
