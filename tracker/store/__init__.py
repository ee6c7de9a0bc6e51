"""The only place that runs SQL: the connection, migrations, and every read and write.

:class:`Store` is one class in several files: the connection and transactions (:mod:`.base`),
documents and renames (:mod:`.documents`), versions, paragraphs and changes (:mod:`.versions`),
paragraph lineages (:mod:`.lineages`), reads over the whole corpus (:mod:`.corpus`), ignore
patterns with the classes they decide (:mod:`.patterns`), word origins
(:mod:`.words`), and overviews over time (:mod:`.activity`). The schema
and its migrations are in :mod:`.schema`, the compact encodings in :mod:`.codec`.
"""

from __future__ import annotations

from .activity import ActivityStore
from .base import StoreBase
from .corpus import CorpusStore
from .documents import DocumentStore
from .lineages import LineageStore
from .patterns import PatternStore
from .versions import VersionStore
from .words import WordStore

__all__ = ["Store"]


class Store(
    DocumentStore,
    VersionStore,
    LineageStore,
    CorpusStore,
    PatternStore,
    WordStore,
    ActivityStore,
    StoreBase,
):
    """One tracker database: SQL in, records out."""
