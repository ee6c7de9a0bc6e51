"""Bring the history of an older database up to what is recorded today (lineages, counts).

A database recorded before lineages were kept has versions without them. :func:`fill_lineages`
replays each such document's versions in order, diffs each against the one before (as recording
it today would), and rewrites its changes, counts and lineages: once, in one transaction; a
second run finds nothing to do.

The diffs are the costly part (two thirds of the time) and need only texts, so they go through
a ``mapper`` in batches of runs of versions: the built-in ``map`` here, or a cluster's
(``tracker upgrade --workers N``). This process reads the texts and writes every result, in
order: the database is the same either way.
"""

from __future__ import annotations

import itertools
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..models import Change, Version
    from . import History

#: Versions of a document diffed in one run (a document's texts in memory at a time).
RUN = 32
#: About this many versions' runs, or this much text, go to a worker as one piece of work:
#: Dask spends a few milliseconds on each, so each should take more (a version takes about
#: 1 ms to diff), but a few megabytes is enough to send at once.
BATCH = 256
BATCH_CHARS = 4_000_000

#: ``map``'s shape: a function and its inputs, the results in order.
Mapper = Callable[[Callable[[Any], Any], Iterable[Any]], Iterable[Any]]


class Texts:
    """What a worker needs to diff a run: the texts (paragraph lists) of its versions that are
    not deletions, the text they follow (None: the first is a first version), and the
    document's ignore patterns. An object, not a tuple, so that Dask never walks every
    paragraph in it in search of tasks; a plain class, not a dataclass, since making one
    costs every command's start-up a millisecond."""

    __slots__ = ("previous", "texts", "patterns")

    def __init__(
        self,
        previous: list[str] | None,
        texts: list[list[str]],
        patterns: Sequence[re.Pattern[str]],
    ) -> None:
        self.previous = previous
        self.texts = texts
        self.patterns = patterns


class _Run(Texts):
    """Up to :data:`RUN` versions of one document, with the texts of those that are not
    deletions, and the text they start from (None: the document's first version is among
    them)."""

    __slots__ = ("document_id", "versions")

    def __init__(
        self,
        document_id: int,
        versions: list[Version],
        previous: list[str] | None,
        texts: list[list[str]],
        patterns: Sequence[re.Pattern[str]],
    ) -> None:
        super().__init__(previous, texts, patterns)
        self.document_id = document_id
        self.versions = versions

    def work(self) -> Texts:
        """The part a worker needs (without the version rows)."""
        return Texts(self.previous, self.texts, self.patterns)


#: A change as a run's result carries it: op, old and new index, split_from, merged_into, class
#: (the writer has the texts; leaving them out makes the results a tenth of the size).
Packed = tuple[str, "int | None", "int | None", "int | None", "int | None", "str | None"]


def compare_run(work: Texts) -> list[tuple[list[Packed], dict[str, int], list[int | None]]]:
    """Diff each text of a run against the one before it (the first against ``previous``):
    what :func:`~.prepare.compare` gives for each, its changes packed. A pure function of its
    input, for workers."""
    from .prepare import compare

    previous = work.previous
    results = []
    for paragraphs in work.texts:
        changes, counts, continues = compare(previous, paragraphs, work.patterns)
        packed = [(c.op, c.old, c.new, c.split_from, c.merged_into, c.kind) for c in changes]
        results.append((packed, counts, continues))
        previous = paragraphs
    return results


def _unpacked(packed: list[Packed]) -> list[Change]:
    """The changes of :func:`compare_run`, without their texts (what the writer reads)."""
    from ..text.diff import Change

    return [
        Change(op, old, new, None, None, None, split_from=split, merged_into=merged, kind=kind)
        for op, old, new, split, merged, kind in packed
    ]


def compare_runs(work: list[Texts]) -> list[list[tuple]]:
    """:func:`compare_run` of each run of a batch: one piece of work for a worker."""
    return [compare_run(texts) for texts in work]


def fill_lineages(
    history: History,
    progress: Callable[[int, int], None] | None = None,
    mapper: Mapper = map,
) -> int:
    """Compute what older databases lack for every version; return how many were upgraded.
    ``mapper`` runs the diffs (:func:`compare_runs` over batches of runs, results in order)."""
    store = history.store
    documents = store.unlineaged_documents()
    if not documents:
        return 0
    from ..store.codec import stored_lineages  # here: opening a database that is up to date
    from .prepare import Prepared
    from .writes import change_rows

    total = sum(documents.values())
    done = 0
    pending: deque[_Run] = deque()

    def work() -> Iterator[list[Texts]]:
        batch: list[Texts] = []
        versions = chars = 0
        for run in _runs(history, documents):
            pending.append(run)
            batch.append(run.work())
            versions += len(run.versions)
            chars += sum(len(p) for text in run.texts for p in text)
            if versions >= BATCH or chars >= BATCH_CHARS:
                yield batch
                batch, versions, chars = [], 0, 0
        if batch:
            yield batch

    with store.transaction():
        document = None
        for results in itertools.chain.from_iterable(mapper(compare_runs, work())):
            run = pending.popleft()
            if run.document_id != document:
                document = run.document_id
                previous_ids: list[int] = []
                previous_lineages: list[int] = []
                previous_from: int | None = None  # the version whose row holds the lineages
                store.forget_word_state(document)  # its changes are recomputed: so its words
            compared = iter(results)
            texts = iter(run.texts)
            for version in run.versions:
                row_id = store.version_row_id(document, version.version)
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
                    packed, counts, continues = next(compared)
                    changes = _unpacked(packed)
                    prepared = Prepared(
                        next(texts), version.layout, "", 0, counts, changes, continues
                    )
                    ids = version.paragraph_ids
                    lineages = history.assign_lineages(
                        document, version.version, prepared, ids, previous_lineages
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
                    previous_ids, previous_lineages = ids, lineages
                    previous_from = version.version if stored.startswith("[") else int(stored)
                done += 1
                if progress is not None:
                    progress(done, total)
    return total


def _runs(history: History, documents: dict[int, int]) -> Iterator[_Run]:
    """Each document's versions in runs of :data:`RUN`, in order, with their texts: one
    document's version rows in memory at a time, and the texts of the runs in flight."""
    store = history.store
    for document_id in documents:
        versions = store.versions(document_id)
        if not versions:
            continue
        patterns = history.patterns_for(versions[0].doc)
        previous: list[str] | None = None
        for start in range(0, len(versions), RUN):
            chunk = versions[start : start + RUN]
            texts = [store.paragraph_texts(v.paragraph_ids) for v in chunk if not v.deleted]
            yield _Run(document_id, chunk, previous, texts, patterns)
            if texts:
                previous = texts[-1]
