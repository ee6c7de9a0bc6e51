"""Ignore patterns: user regular expressions naming volatile text, and re-classifying with them.

A pattern (``tracker ignore add REGEX``) makes a change that only touches text it matches
``volatile``. Patterns change classes, never bytes: stored text is not altered. Adding or removing
one re-classifies the stored changes of the documents it applies to (:func:`reclassify`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import TrackerError
from ..refs import name_matches
from ..store import Store
from ..times import now_iso

if TYPE_CHECKING:
    from . import History


@dataclass(frozen=True)
class IgnorePattern:
    """A stored ignore pattern, for the documents matching ``doc_glob`` (all when None)."""

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


#: How many new classes ``reclassify`` keeps before writing them.
RECLASSIFY_BATCH = 5000


def reclassify(
    history: History,
    patterns: list[IgnorePattern] | None = None,
    *,
    documents: list[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Classify the stored edits of some documents (default: all) again with the ignore patterns
    now stored; recount each version's substantive changes; return how many edits were looked
    at. Inserts and deletes are always substantive and unedited moves ``moved``: unchanged."""
    from ..text.classes import classify, compile_patterns

    store = history.store
    patterns = patterns if patterns is not None else history.ignore_patterns()
    if documents is None:
        documents = [document.id for document in store.documents()]
    names = {document.id: document.name for document in store.documents()}
    compiled: dict[int, list[re.Pattern[str]]] = {}
    for document_id in documents:
        applying = [p.pattern for p in patterns if p.applies_to(names[document_id])]
        compiled[document_id] = compile_patterns(applying)
    total = store.count_edited_changes(documents)
    updates: list[tuple[str, int]] = []
    done = 0
    with store.transaction():
        # streamed, the classes written every RECLASSIFY_BATCH rows: memory stays flat however
        # many edits there are (the rows read are not the column written)
        for change_id, document_id, _op, old, new, edited in store.edited_changes(documents):
            kind = classify(old, new, compiled[document_id]) if edited else "moved"
            updates.append((kind, change_id))
            done += 1
            if len(updates) >= RECLASSIFY_BATCH:
                store.set_classes(updates)
                updates = []
            if progress is not None and (done % 1000 == 0 or done == total):
                progress(done, total)
        store.set_classes(updates)
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
            from ..text.classes import compile_patterns

            applying = [p.pattern for p in self.ignore_patterns() if p.applies_to(name)]
            found = self._compiled[name] = compile_patterns(applying)
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
    ) -> IgnorePattern:
        """Store an ignore pattern and re-classify the documents it applies to."""
        checked_pattern(pattern)
        with self.store.transaction():
            pattern_id = self.store.add_pattern(pattern, doc or None, note, now_iso())
            self.forget_patterns()
            added = next(p for p in self.ignore_patterns() if p.id == pattern_id)
            reclassify(self, documents=self._applying(added), progress=progress)  # type: ignore[arg-type]
        return added

    def remove_ignore(
        self, pattern_id: int, *, progress: Callable[[int, int], None] | None = None
    ) -> IgnorePattern:
        """Delete an ignore pattern and re-classify the documents it applied to."""
        found = [p for p in self.ignore_patterns() if p.id == pattern_id]
        if not found:
            raise TrackerError(f"no ignore pattern {pattern_id}: `tracker ignore list` shows them")
        with self.store.transaction():
            self.store.remove_pattern(pattern_id)
            self.forget_patterns()
            reclassify(self, documents=self._applying(found[0]), progress=progress)  # type: ignore[arg-type]
        return found[0]

    def reclassify(self, *, progress: Callable[[int, int], None] | None = None) -> int:
        """Classify every stored edit again with the patterns in force (see :func:`reclassify`)."""
        return reclassify(self, progress=progress)  # type: ignore[arg-type]

    def _applying(self, pattern: IgnorePattern) -> list[int]:
        return [d.id for d in self.store.documents() if pattern.applies_to(d.name)]
