"""The history of a corpus: recording versions of documents and reading them back.

:class:`History` sits on the store (SQL) and the pure text functions (splitting, diffing); the
folder scanner, the importers, the watcher and the :class:`tracker.Tracker` facade all build on it.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable

from ..store import Store
from .ignore import Ignores
from .origins import Origins
from .overview import Overviews
from .upgrade import fill_lineages
from .writes import Writes

__all__ = ["History"]


class History(Writes, Origins, Ignores, Overviews):
    """A corpus of documents and their versions, kept in one SQLite database."""

    def __init__(
        self,
        db: str | os.PathLike | sqlite3.Connection | Store,
        *,
        create: bool = True,
        progress: Callable[[int, int], None] | None = None,
        upgrade: bool = True,
    ) -> None:
        """Open (or create) the database; an older one is upgraded in place, with ``progress``
        called as it goes (a connection borrowed from someone else is only read; ``upgrade``
        False leaves it to :func:`~.upgrade.fill_lineages`, called later)."""
        Writes.__init__(self)
        Ignores.__init__(self)
        if isinstance(db, Store):
            self.store = db
        elif isinstance(db, sqlite3.Connection):
            self.store = Store.borrow(db)
        else:
            self.store = Store(db, create=create)
        self.db_path = self.store.path
        if upgrade and not self.store.read_only:
            try:
                fill_lineages(self, progress)
            except BaseException:
                self.store.close()
                raise

    def close(self) -> None:
        """Close the database connection (a borrowed one is left open for its owner)."""
        self.store.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
