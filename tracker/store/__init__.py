"""The only place that runs SQL: the connection, migrations, and every read and write.

:class:`Store` is one class in several files: the connection and transactions (:mod:`.base`),
documents and renames (:mod:`.documents`), versions, paragraphs and changes (read in
:mod:`.versions`, written in :mod:`.recording`), paragraph lineages (:mod:`.lineages`), reads
over the whole corpus (:mod:`.corpus`), what fsck asks of SQLite (:mod:`.checks`), ignore
patterns with the classes they decide (:mod:`.patterns`), word origins (:mod:`.words`), and
overviews over time (:mod:`.activity`). The schema and its migrations are in :mod:`.schema`,
the compact encodings in :mod:`.codec`.
"""

from __future__ import annotations

from .activity import ActivityStore
from .base import StoreBase
from .checks import CheckStore
from .corpus import CorpusStore
from .documents import DocumentStore
from .lineages import LineageStore
from .patterns import PatternStore
from .recording import RecordingStore
from .versions import VersionStore
from .words import WordStore

__all__ = ["Store"]


class Store(
    DocumentStore,
    VersionStore,
    RecordingStore,
    LineageStore,
    CorpusStore,
    CheckStore,
    PatternStore,
    WordStore,
    ActivityStore,
    StoreBase,
):
    """One tracker database: SQL in, records out."""
