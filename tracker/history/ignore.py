"""Ignore patterns: user regular expressions naming volatile text, and re-classifying with them.

A pattern (``tracker ignore add REGEX``) makes a change that only touches text it matches
``volatile``. Patterns change classes, never bytes: stored text is not altered. Adding or removing
one re-classifies the stored changes of the documents it applies to (:func:`reclassify`): the
writer streams the edits out in batches, a ``mapper`` (``map``, or a Dask cluster's) classifies
them, and the writer stores the classes in order, in one transaction.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, NamedTuple

from ..errors import TrackerError
from ..refs import name_matches
from ..store import Store
from ..times import now_iso

if TYPE_CHECKING:
    from . import History
    from .upgrade import Mapper


class IgnorePattern(NamedTuple):
    """A stored ignore pattern, for the documents matching ``doc_glob`` (all when None); a
    named tuple, as a stored row (a dataclass would cost every command's start-up a
    millisecond)."""

    id: int
    pattern: str
    doc_glob: str | None
    note: str | None
    created_at: str

    def applies_to(self, name: str) -> bool:
        """Whether the pattern is used for the document ``name``."""
        return name_matches(name, self.doc_glob)

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "pattern": self.pattern,
            "doc": self.doc_glob,
            "note": self.note,
            "created_at": self.created_at,
        }


def checked_pattern(pattern: str) -> re.Pattern[str]:
    """The compiled pattern, or a one-line TrackerError saying why it is not a valid one."""
    from ..text.classes import compile_patterns

    try:
        return compile_patterns([pattern])[0]
    except ValueError as error:
        raise TrackerError(str(error)) from None


def compile_stored(patterns: Sequence[IgnorePattern]) -> list[re.Pattern[str]]:
    """Compile stored patterns; one edited by hand into a bad regex is a one-line error that
    says which and how to remove it (every command that classifies would stop on it)."""
    from ..text.classes import compile_patterns

    try:
        return compile_patterns([p.pattern for p in patterns])
    except ValueError:
        for p in patterns:
            try:
                compile_patterns([p.pattern])
            except ValueError as error:
                raise TrackerError(
                    f"stored ignore pattern {p.id}: {error} (`tracker ignore remove {p.id}`"
                    " removes it)"
                ) from None
        raise


#: Stored edits classified as one piece of work (and written together), or about this much
#: text, whichever comes first: a piece for a worker takes long enough to be worth Dask's few
#: milliseconds, and the writer holds only the pieces in flight.
RECLASSIFY_BATCH = 5000
RECLASSIFY_BATCH_CHARS = 4_000_000


class Edits:
    """What a worker needs to classify some stored edits: (old text, new text, index in
    ``patterns`` of the compiled ignore patterns of the edit's document). An object, not a
    tuple, so that Dask never walks every text in it in search of tasks; a plain class, not a
    dataclass, since making one costs every command's start-up a millisecond or two."""

    __slots__ = ("patterns", "edits")

    def __init__(
        self, patterns: tuple[Sequence[re.Pattern[str]], ...], edits: list[tuple[str, str, int]]
    ) -> None:
        self.patterns = patterns
        self.edits = edits


def classify_edits(work: Edits) -> list[str]:
    """The class of each edit of ``work``: a pure function of its input, for workers."""
    from ..text.classes import classify

    patterns = work.patterns
    return [classify(old, new, patterns[which]) for old, new, which in work.edits]


def reclassify(
    history: History,
    patterns: list[IgnorePattern] | None = None,
    *,
    documents: list[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
    mapper: Mapper = map,
) -> int:
    """Classify the stored edits of some documents (default: all) again with the ignore patterns
    now stored; recount each version's substantive changes; return how many edits were looked
    at. Inserts and deletes are always substantive and unedited moves ``moved``: unchanged.

    ``mapper`` runs the classifying (:func:`classify_edits` over batches of edits, results in
    order): the built-in ``map``, or a cluster's. The classes are the same either way.
    """
    from ..text.classes import compile_patterns

    store = history.store
    patterns = patterns if patterns is not None else history.ignore_patterns()
    compile_stored(patterns)  # a bad one stops this here, before anything is written
    names = {document.id: document.name for document in store.documents()}
    if documents is None:
        documents = list(names)
    # each document's compiled patterns, as an index into the distinct lists of them
    distinct: dict[tuple[str, ...], int] = {}
    which: dict[int, int] = {}
    for document_id in documents:
        applying = tuple(p.pattern for p in patterns if p.applies_to(names[document_id]))
        which[document_id] = distinct.setdefault(applying, len(distinct))
    table = tuple(compile_patterns(list(applying)) for applying in distinct)
    total = store.count_edited_changes(documents)
    # per batch sent: the change ids of its edits, and those of the unedited moves beside them
    pending: deque[tuple[list[int], list[int]]] = deque()

    def work() -> Iterator[Edits]:
        """The edits, streamed, in batches: memory stays flat however many there are (the rows
        read are not the column written)."""
        ids: list[int] = []
        moved: list[int] = []
        edits: list[tuple[str, str, int]] = []
        chars = 0
        for change_id, document_id, _op, old, new, edited in store.edited_changes(documents):
            if edited:
                ids.append(change_id)
                edits.append((old, new, which[document_id]))
                chars += len(old) + len(new)
            else:
                moved.append(change_id)
            if len(ids) + len(moved) >= RECLASSIFY_BATCH or chars >= RECLASSIFY_BATCH_CHARS:
                pending.append((ids, moved))
                yield Edits(table, edits)
                ids, moved, edits, chars = [], [], [], 0
        if ids or moved:
            pending.append((ids, moved))
            yield Edits(table, edits)

    done = 0
    with store.transaction():
        for kinds in mapper(classify_edits, work()):
            ids, moved = pending.popleft()
            store.set_classes([*zip(kinds, ids), *(("moved", change_id) for change_id in moved)])
            done += len(ids) + len(moved)
            if progress is not None:
                progress(done, total)
        store.recount_substantive(documents)
    history.forget_patterns()
    return done


class Ignores:
    """The ignore patterns of a history, and the compiled ones each document uses."""

    store: Store

    def __init__(self) -> None:
        self._patterns: list[IgnorePattern] | None = None
        self._compiled: dict[str, list[re.Pattern[str]]] = {}

    def ignore_patterns(self) -> list[IgnorePattern]:
        """Every stored ignore pattern, oldest first."""
        if self._patterns is None:
            self._patterns = [IgnorePattern(*row) for row in self.store.patterns()]
        return self._patterns

    def patterns_for(self, name: str) -> list[re.Pattern[str]]:
        """The compiled ignore patterns that apply to the document ``name``."""
        found = self._compiled.get(name)
        if found is None:
            applying = [p for p in self.ignore_patterns() if p.applies_to(name)]
            found = self._compiled[name] = compile_stored(applying)
        return found

    def forget_patterns(self) -> None:
        """Read the patterns again next time (they were added or removed)."""
        self._patterns = None
        self._compiled = {}

    def add_ignore(
        self,
        pattern: str,
        *,
        doc: str | None = None,
        note: str | None = None,
        progress: Callable[[int, int], None] | None = None,
        mapper: Mapper = map,
    ) -> IgnorePattern:
        """Store an ignore pattern and re-classify the documents it applies to (``mapper``: as
        for :func:`reclassify`); one already stored for the same documents is returned as it is."""
        checked_pattern(pattern)
        same = self.same_pattern(pattern, doc)
        if same is not None:
            return same
        with self.store.transaction():
            pattern_id = self.store.add_pattern(pattern, doc or None, note, now_iso())
            self.forget_patterns()
            added = next(p for p in self.ignore_patterns() if p.id == pattern_id)
            reclassify(
                self,  # type: ignore[arg-type]
                documents=self._applying(added),
                progress=progress,
                mapper=mapper,
            )
        return added

    def same_pattern(self, pattern: str, doc: str | None) -> IgnorePattern | None:
        """The stored pattern with this regex and document glob, if any: adding it again would
        change nothing but the list."""
        found = (
            p for p in self.ignore_patterns() if (p.pattern, p.doc_glob) == (pattern, doc or None)
        )
        return next(found, None)

    def remove_ignore(
        self,
        pattern_id: int,
        *,
        progress: Callable[[int, int], None] | None = None,
        mapper: Mapper = map,
    ) -> IgnorePattern:
        """Delete an ignore pattern and re-classify the documents it applied to (``mapper``: as
        for :func:`reclassify`)."""
        found = [p for p in self.ignore_patterns() if p.id == pattern_id]
        if not found:
            raise TrackerError(f"no ignore pattern {pattern_id}: `tracker ignore list` shows them")
        with self.store.transaction():
            self.store.remove_pattern(pattern_id)
            self.forget_patterns()
            reclassify(
                self,  # type: ignore[arg-type]
                documents=self._applying(found[0]),
                progress=progress,
                mapper=mapper,
            )
        return found[0]

    def reclassify(
        self, *, progress: Callable[[int, int], None] | None = None, mapper: Mapper = map
    ) -> int:
        """Classify every stored edit again with the patterns in force (see :func:`reclassify`)."""
        return reclassify(self, progress=progress, mapper=mapper)  # type: ignore[arg-type]

    def _applying(self, pattern: IgnorePattern) -> list[int]:
        return [d.id for d in self.store.documents() if pattern.applies_to(d.name)]
