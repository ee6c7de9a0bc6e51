"""The connection under the store: opening (read-write or read-only), migrations, transactions.

Every SQL error is translated into a one-line :class:`~tracker.errors.TrackerError` here, so no
caller ever sees an ``sqlite3`` traceback.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from ..errors import (
    DatabaseLocked,
    InterruptedAfterCommit,
    NoDatabase,
    NotADatabase,
    ReadOnlyDatabase,
    TrackerError,
    UnreadableDatabase,
)
from .schema import apply_migrations, pending_migrations

#: SQLite's page cache per connection, in KiB (its default is 2,000). A large snapshot inserts
#: into the paragraph-hash index at random places; with the default cache that thrashes.
CACHE_KIB = 32_768

BUSY_TIMEOUT_MS = 5000

#: The file ``tracker watch`` locks beside a database (``<db>.watch.lock``).
WATCH_LOCK_SUFFIX = ".watch.lock"
#: What is kept beside a database file: SQLite's write-ahead log, its index and its rollback
#: journal, and the watch lock. With the database itself, these are never documents.
COMPANION_SUFFIXES = ("-wal", "-shm", "-journal", WATCH_LOCK_SUFFIX)


#: What a value with a lone surrogate (a command-line argument or a file name that is not
#: UTF-8) gets instead of a UnicodeEncodeError traceback.
_NOT_UNICODE = (
    "a name or text that is not valid Unicode (a lone surrogate, or a file name that is not"
    " UTF-8): the database cannot hold it"
)


@functools.cache
def records() -> ModuleType:
    """:mod:`tracker.models`, imported when the store first builds a record from a row.

    Not when the store is: building those dataclasses costs more than a re-scan of 10,000
    unchanged files spends comparing them, and such a re-scan builds none. Cached, so the rows
    of a long read pay one call each, not an import each.
    """
    from .. import models

    return models


@contextmanager
def _interrupt_after() -> Iterator[None]:
    """Hold back Ctrl-C until the block is over, then raise :class:`InterruptedAfterCommit`.

    Python raises KeyboardInterrupt only once SQLite returns, so a Ctrl-C during a commit used to
    surface after the commit had gone through, and the command said "Aborted!" about stored work.
    Only in the main thread, and only where Ctrl-C has Python's default handler.
    """
    import signal  # here: a command that writes nothing need not load it (about 1 ms)

    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield
        return
    caught: list[int] = []
    signal.signal(signal.SIGINT, lambda number, frame: caught.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if caught:
        raise InterruptedAfterCommit()


def translate(error: sqlite3.Error, path: Path) -> TrackerError:
    """A one-line error for an SQLite error on the database at ``path``."""
    message = str(error)
    if "locked" in message or "busy" in message:
        return DatabaseLocked(
            f"database {path} is locked by another process (waited {BUSY_TIMEOUT_MS / 1000:g} s)"
        )
    if "readonly" in message or "read-only" in message:
        return ReadOnlyDatabase(f"database {path} is read-only: it can be read but not changed")
    if isinstance(error, sqlite3.DatabaseError) and "malformed" in message:
        return UnreadableDatabase(
            f"database {path} is damaged ({message}): run `tracker fsck` to see where"
        )
    if isinstance(error, sqlite3.DatabaseError) and (
        "not a database" in message or "file is encrypted" in message
    ):
        return NotADatabase(f"{path} is not a tracker database ({message})")
    return TrackerError(f"database error in {path}: {message}")


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switch to WAL; the switch ignores the busy timeout, so wait here for a racing opener."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if conn.execute("pragma journal_mode").fetchone()[0] != "wal":
                conn.execute("pragma journal_mode = wal")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


#: Tables whose presence marks a database as a tracker database.
TRACKER_TABLES = frozenset({"documents", "versions", "paragraphs", "paragraph_changes"})


def is_tracker_database(path: str | os.PathLike) -> bool:
    """Tell whether the SQLite file at ``path`` has the tracker tables (read-only look)."""
    try:
        conn, _ = _open_read_only(Path(path))
        try:
            names = {row[0] for row in conn.execute("select name from sqlite_master")}
        finally:
            conn.close()
    except (sqlite3.Error, TrackerError):
        return False
    return TRACKER_TABLES <= names


def writable(path: Path) -> bool:
    """Tell whether a database file and its folder can be written (WAL needs both)."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


def _open_read_only(path: Path) -> tuple[sqlite3.Connection, bool]:
    """A read-only connection, and whether it is ``immutable`` (see below).

    A database on read-only media, or in a folder we may not write, cannot get the ``-shm`` file
    SQLite's WAL mode reads through: nobody can write it there either, so reading it as
    immutable is exact -- unless changes are still in its ``-wal`` file (copied from a live
    database, or left by a crash), which an immutable reading would silently ignore: that is an
    error, not a stale answer.
    """
    uri = path.resolve().as_uri()
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute("select count(*) from sqlite_master").fetchone()
        return conn, False
    except sqlite3.OperationalError as error:
        conn.close()
        if "unable to open" not in str(error) and "readonly" not in str(error):
            raise
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise ReadOnlyDatabase(
            f"{path} cannot be read here: its latest changes are in {wal.name}, which SQLite"
            f" cannot read without creating {path.name}-shm in a folder it may not write;"
            " copy the database and its -wal file to a writable folder"
        )
    return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True), True


class StoreBase:
    """Owns one SQLite connection; every write of a version is a single transaction.

    A database that cannot be written (a read-only file or folder) is opened read-only: every
    read works, and a write is a one-line :class:`~tracker.errors.ReadOnlyDatabase` error.
    """

    def __init__(self, path: str | os.PathLike, *, create: bool = True):
        self.path = Path(path)
        self.borrowed = False
        self.read_only = False
        self.immutable = False  # read-only and read as immutable: nobody can change it
        if not self.path.exists():
            if not create:
                raise NoDatabase(
                    f"no database at {self.path}: record documents first, "
                    "e.g. `tracker snapshot seeds/` (or pass --db / set TRACKER_DB)"
                )
            if not self.path.parent.is_dir():
                missing = "is not a folder" if self.path.parent.exists() else "does not exist"
                raise NoDatabase(
                    f"cannot create {self.path}: folder {self.path.parent} {missing}"
                    " (create it first, or choose another --db)"
                )
            if not os.access(self.path.parent, os.W_OK | os.X_OK):
                raise ReadOnlyDatabase(
                    f"cannot create {self.path}: folder {self.path.parent} cannot be written"
                    " (choose another --db)"
                )
        elif self.path.is_dir():
            raise NotADatabase(f"{self.path} is a directory, not a tracker database")
        try:
            if self.path.exists() and not writable(self.path):
                self.read_only = True
                conn, self.immutable = _open_read_only(self.path)
            else:
                conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error as error:
            raise translate(error, self.path) from None
        self.conn = conn
        self._db = None
        self._savepoints = 0
        self._savepoints_open = 0
        #: Paragraph ids up to this one are in the full-text index (in a transaction).
        self._indexed_up_to: int | None = None
        #: How many transactions or savepoints failed (rolled back): what a writer remembers
        #: of rows it wrote holds only while this count stays the same.
        self.rollbacks = 0
        try:
            self._prepare(create)
        except sqlite3.Error as error:
            conn.close()
            raise translate(error, self.path) from None
        except TrackerError:
            conn.close()
            raise

    @classmethod
    def borrow(cls, conn: sqlite3.Connection):
        """A store over a connection someone else owns (Datasette's read-only ones): it runs no
        migrations and never closes it."""
        store = cls.__new__(cls)
        row = conn.execute("pragma database_list").fetchone()
        store.path = Path(row[2] if row and row[2] else ":memory:")
        store.conn = conn
        store._db = None
        store._savepoints = 0
        store.borrowed = True
        store.read_only = True
        store.immutable = False
        return store

    def _prepare(self, create: bool) -> None:
        """Check the file is ours, set the pragmas, bring the schema up to date."""
        conn = self.conn
        conn.execute(f"pragma busy_timeout = {BUSY_TIMEOUT_MS}")
        rows = conn.execute("select name from sqlite_master where type = 'table'")
        tables = {row[0] for row in rows}
        if tables and not tables & {"documents", "_sqlite_migrations"}:
            raise NotADatabase(
                f"{self.path} is an SQLite database but not a tracker database;"
                " it was left untouched"
            )
        if not tables and not create:
            raise NoDatabase(
                f"{self.path} holds no tracker data yet: record documents first,"
                " e.g. `tracker snapshot seeds/`"
            )
        conn.execute(f"pragma cache_size = -{CACHE_KIB}")
        if self.read_only:
            if pending_migrations(conn):
                raise ReadOnlyDatabase(
                    f"{self.path} was written by an older tracker and needs an upgrade, which a"
                    " read-only database cannot take: copy it somewhere writable first"
                )
            return
        _use_wal(conn)
        conn.execute("pragma synchronous = normal")
        conn.execute("pragma foreign_keys = on")
        if pending_migrations(conn):
            # Take the write lock first and look again: two processes opening a new
            # database at once must not both run the migrations.
            with self.transaction():
                if pending_migrations(conn):
                    apply_migrations(self.db)

    @property
    def db(self):
        """The sqlite-utils view of the connection, created (and imported) on first write."""
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn)
        return self._db

    def second_connection(self) -> sqlite3.Connection:
        """Another connection to the same database, as this one opened it (read-only or not),
        for work done in another thread (open it there); the caller closes it."""
        if self.read_only:
            return _open_read_only(self.path)[0]
        conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_MS / 1000)
        conn.execute(f"pragma busy_timeout = {BUSY_TIMEOUT_MS}")
        return conn

    def own_files(self) -> frozenset[str]:
        """Absolute paths of the database file and of its companions (:data:`COMPANION_SUFFIXES`),
        as given and with symlinks resolved: a folder holding them must not record them."""
        bases = {os.path.abspath(self.path), os.path.realpath(self.path)}
        return frozenset(base + suffix for base in bases for suffix in ("", *COMPANION_SUFFIXES))

    def owns(self, path: str | os.PathLike) -> bool:
        """Whether ``path`` is the database file or a companion: a write there would destroy it."""
        own = self.own_files()
        return os.path.abspath(path) in own or os.path.realpath(path) in own

    def close(self) -> None:
        """Close the connection, unless it is borrowed."""
        if not self.borrowed:
            self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: commit on success, roll back on any error; nested ones are savepoints.

        The outermost one starts with BEGIN IMMEDIATE: taking the write lock up front makes a
        concurrent writer wait (busy timeout) instead of failing when a read turns into a write.
        """
        if self.read_only:
            raise ReadOnlyDatabase(f"database {self.path} is read-only: it cannot be changed")
        try:
            yield from self._transaction()
        except BaseException:
            self.rollbacks += 1
            raise

    def _transaction(self) -> Iterator[None]:
        """The body of :meth:`transaction`."""
        try:
            if self.conn.in_transaction:
                with self._savepoint():
                    yield
                return
            self.conn.execute("begin immediate")
            try:
                self._indexed_up_to = self._last_paragraph_id()
                yield
                self._index_paragraphs_after(self._indexed_up_to)
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("rollback")
                raise
            finally:
                self._indexed_up_to = None
            with _interrupt_after():
                self.conn.execute("commit")
        except sqlite3.Error as error:
            raise translate(error, self.path) from None
        except UnicodeEncodeError:  # rolled back above; SQLite stores only valid Unicode
            raise TrackerError(_NOT_UNICODE) from None

    @contextmanager
    def _savepoint(self) -> Iterator[None]:
        """A nested transaction: a savepoint, released on success, rolled back to on error.

        Plain SQL rather than sqlite-utils, which a re-scan that records a few files would
        otherwise import for this alone.
        """
        self._savepoints += 1
        name = f"tracker_{self._savepoints}"
        self.conn.execute(f"savepoint {name}")
        self._savepoints_open += 1
        try:
            yield
        except BaseException:
            # an error that destroyed the whole transaction took the savepoint with it
            if self.conn.in_transaction:
                self.conn.execute(f"rollback to {name}")
                self.conn.execute(f"release {name}")
            raise
        else:
            self.conn.execute(f"release {name}")
        finally:
            self._savepoints_open -= 1

    def _last_paragraph_id(self) -> int | None:
        """The highest paragraph id; None while the first migrations have not made the table."""
        try:
            return self.conn.execute("select coalesce(max(id), 0) from paragraphs").fetchone()[0]
        except sqlite3.OperationalError:
            return None

    def index_new_paragraphs(self) -> None:
        """Add the paragraphs stored so far in this transaction to the full-text index now
        rather than at its end. A long import calls it between batches, outside any savepoint,
        so that the indexing runs while its workers prepare the next ones."""
        if self._indexed_up_to is None or self._savepoints_open:
            return
        self._index_paragraphs_after(self._indexed_up_to)
        self._indexed_up_to = self._last_paragraph_id()

    def _index_paragraphs_after(self, last_paragraph: int | None) -> None:
        """Add the paragraphs this transaction stored to the full-text index, in one statement.

        Paragraphs only ever get new, higher ids, so the ones above the highest id at the start
        are exactly the new ones. One INSERT ... SELECT per transaction instead of a trigger per
        row: FTS5 writes its pending terms out at every statement, so a trigger made one index
        segment per paragraph, several times the work of indexing them together.
        """
        if last_paragraph is not None:
            self.conn.execute(
                "insert into paragraphs_fts (rowid, text)"
                " select id, text from paragraphs where id > ?",
                [last_paragraph],
            )

    def query(self, sql: str, params: Sequence | dict = ()) -> list[tuple]:
        """Run one read and return its rows; SQL errors become one-line TrackerErrors."""
        try:
            return self.conn.execute(sql, params).fetchall()
        except sqlite3.Error as error:
            raise translate(error, self.path) from None
        except UnicodeEncodeError:
            raise TrackerError(_NOT_UNICODE) from None

    def iterate(self, sql: str, params: Sequence | dict = ()) -> Iterator[tuple]:
        """Stream the rows of one read (constant memory); errors as in :meth:`query`."""
        try:
            cursor = self.conn.execute(sql, params)
            while rows := cursor.fetchmany(512):
                yield from rows
        except sqlite3.Error as error:
            raise translate(error, self.path) from None
        except UnicodeEncodeError:
            raise TrackerError(_NOT_UNICODE) from None
