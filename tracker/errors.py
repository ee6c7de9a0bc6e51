"""Exceptions raised by the tracker library; the CLI turns each into a one-line error."""

from __future__ import annotations


class TrackerError(Exception):
    """Base class: a problem the user can fix, reported in one line."""


class NoDatabase(TrackerError):
    """The database file does not exist yet."""


class NotADatabase(TrackerError):
    """The database file exists but is not a tracker (SQLite) database."""


class UnreadableDatabase(NotADatabase):
    """SQLite cannot read the database file: damaged pages (a truncated or overwritten file)."""


class DamagedDatabase(TrackerError):
    """Stored data does not add up (a missing paragraph, a bad checksum): run `tracker fsck`."""


class ReadOnlyDatabase(TrackerError):
    """The database can be read but not written (a read-only file, folder or medium)."""


class DatabaseLocked(TrackerError):
    """Another process holds a lock on the database for longer than the busy timeout."""


class UnknownDocument(TrackerError):
    """No document matches the name given."""


class AmbiguousDocument(TrackerError):
    """A name or prefix matches several documents."""


class UnknownVersion(TrackerError):
    """A version reference does not resolve to a recorded version."""


class UnreadableFile(TrackerError):
    """A file cannot be read, or is not text (binary, invalid UTF-8, too large)."""


class UnsafePath(TrackerError):
    """A path would escape its target folder."""


class MalformedInput(TrackerError):
    """An import file has malformed records; ``problems`` has one ``line N: ...`` for each."""

    def __init__(self, message: str, problems: list[str]):
        super().__init__(message)
        self.problems = problems


class InterruptedAfterCommit(KeyboardInterrupt):
    """Ctrl-C arrived while a transaction was committing: the commit went through (it cannot be
    half done), then the command stopped. The CLI says the work is stored, not "Aborted!"."""
