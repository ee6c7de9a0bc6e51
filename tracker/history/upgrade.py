"""Bring the history of an older database up to what is recorded today (lineages, counts).

A database recorded before lineages were kept has versions without them. :func:`fill_lineages`
replays each such document's versions in order, diffs each against the one before (as recording
it today would), and rewrites its changes, counts and lineages: once, in one transaction; a
second run finds nothing to do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from . import History


def fill_lineages(history: History, progress: Callable[[int, int], None] | None = None) -> int:
    """Compute what older databases lack for every version; return how many were upgraded."""
    store = history.store
    documents = store.unlineaged_documents()
    if not documents:
        return 0
    from ..store.codec import stored_lineages  # here: opening a database that is up to date
    from .prepare import Prepared, compare  # must not load the diff engine
    from .writes import change_rows

    total = sum(documents.values())
    done = 0
    with store.transaction():
        for document_id in documents:  # one document's versions in memory at a time
            history_of_document = store.versions(document_id)
            previous_texts: list[str] | None = None
            previous_ids: list[int] = []
            previous_lineages: list[int] = []
            previous_from: int | None = None  # the version whose row holds previous_lineages
            store.forget_word_state(document_id)  # its changes are recomputed: so are its words
            for version in history_of_document:
                row_id = store.version_row_id(document_id, version.version)
                assert row_id is not None
                if version.deleted:
                    counts = {
                        "added": version.added,
                        "removed": version.removed,
                        "modified": version.modified,
                        "moved": version.moved,
                    }
                    store.replace_changes(row_id, [], counts, "[]", version.removed)
                else:
                    texts = store.paragraph_texts(version.paragraph_ids)
                    patterns = history.patterns_for(version.doc)
                    changes, counts, continues = compare(previous_texts, texts, patterns)
                    prepared = Prepared(texts, version.layout, "", 0, counts, changes, continues)
                    ids = version.paragraph_ids
                    lineages = history.assign_lineages(
                        document_id, version.version, prepared, ids, previous_lineages
                    )
                    rows = change_rows(changes, ids, previous_ids, lineages, previous_lineages)
                    stored = stored_lineages(lineages, previous_lineages, previous_from)
                    store.replace_changes(
                        row_id,
                        [(row_id, *row) for row in rows],
                        counts,
                        stored,
                        counts["substantive"],
                    )
                    previous_texts, previous_ids, previous_lineages = texts, ids, lineages
                    previous_from = version.version if stored.startswith("[") else int(stored)
                done += 1
                if progress is not None:
                    progress(done, total)
    return total
