"""The only place that runs SQL: the connection, migrations, and every read and write.

:class:`Store` is one class in five files: the connection and transactions (:mod:`.base`),
documents and renames (:mod:`.documents`), versions, paragraphs and changes (:mod:`.versions`),
reads over the whole corpus (:mod:`.corpus`), and overviews over time (:mod:`.activity`). The
schema and its migrations are in :mod:`.schema`, the compact encodings in :mod:`.codec`.
"""

from __future__ import annotations

from .activity import ActivityStore
from .base import StoreBase
from .corpus import CorpusStore
from .documents import DocumentStore
from .versions import VersionStore

__all__ = ["Store"]


class Store(DocumentStore, VersionStore, CorpusStore, ActivityStore, StoreBase):
    """One tracker database: SQL in, records out."""
