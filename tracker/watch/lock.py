"""One watcher per database: an exclusive ``flock`` on ``<db>.watch.lock``.

:class:`WatchLock` holds an exclusive, non-blocking ``flock`` for a watch session's lifetime; a
second session on the same database is refused with :class:`WatcherRunning`. The kernel drops
the lock when the process dies, even on ``kill -9``.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from ..errors import TrackerError
from ..store.base import WATCH_LOCK_SUFFIX

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["WatchLock", "WatcherRunning"]


class WatcherRunning(TrackerError):
    """Another ``tracker watch`` is already recording into the same database."""


class WatchLock:
    """An exclusive ``flock`` on ``<db>.watch.lock`` so only one watcher records into a database.

    The file holds the owner's pid and folder, for the refusal message. It is removed on release;
    an acquirer checks that the file it locked is still the one at the path, so a release racing
    with an acquire never lets two owners in. A stale file left by ``kill -9`` is not locked and
    never blocks anyone.
    """

    def __init__(self, db_path: str | os.PathLike, root: str | os.PathLike) -> None:
        self.db_path = str(db_path)
        self.path = Path(self.db_path + WATCH_LOCK_SUFFIX)
        self.root = str(root)
        self._fd: int | None = None
        self.problem = ""

    def acquire(self) -> bool:
        """Take the lock, or raise WatcherRunning naming the pid that holds it.

        Returns False, with the reason in :attr:`problem`, where locking is not possible (no
        ``fcntl`` on Windows, a file system without ``flock``): the caller goes on unprotected.
        """
        if self._fd is not None:
            return True
        if fcntl is None:
            self.problem = "file locks are not available on this platform"
            return False
        try:
            while True:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError as error:
                    holder = os.read(fd, 4096).decode("utf-8", "replace").split()
                    os.close(fd)
                    if error.errno not in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES):
                        self.problem = f"cannot lock {self.path} ({error.strerror})"
                        return False
                    pid = holder[0] if holder else "?"
                    raise WatcherRunning(
                        f"another tracker watch (pid {pid}) is already recording into"
                        f" {self.db_path}"
                    ) from None
                try:
                    current = os.stat(self.path)
                except FileNotFoundError:
                    current = None
                if current is None or not os.path.samestat(current, os.fstat(fd)):
                    os.close(fd)  # released and removed between our open and flock: again
                    continue
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()} {self.root}\n".encode())
                self._fd = fd
                return True
        except OSError as error:
            raise TrackerError(f"cannot create {self.path}: {error.strerror}") from None

    def release(self) -> None:
        """Remove the lock file, if it is still ours, and drop the lock (idempotent).

        Ours was deleted (``rm tracker.db*``) if another watcher's is at the path now.
        """
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            if os.path.samestat(os.stat(self.path), os.fstat(fd)):
                self.path.unlink()
        except OSError:
            pass
        os.close(fd)  # closing the last descriptor releases the flock
